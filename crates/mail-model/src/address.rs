//! RFC 5322 §3.4 address lists on raw header octets, for ENVELOPE (RFC 9051 §7.5.2).
//!
//! mail-parser decodes RFC 2047 words in display names, but ENVELOPE must carry them as they are
//! in the message, so this small tokenizer works on the raw unfolded value. It is lenient the way
//! Dovecot's `message_address_parse` is: a missing local part becomes `MISSING_MAILBOX`, a
//! missing domain `MISSING_DOMAIN`, and a comment stands in for a missing display name.
//!
//! SEARCH's FROM/TO/CC/BCC also read these addresses, written plainly by [`search_form`].

use bytes::Bytes;
use imap_proto::response::Address;

/// The placeholders [`mailbox`] fills in for a missing local part or domain (as Dovecot does).
const MISSING_MAILBOX: &[u8] = b"MISSING_MAILBOX";
/// See [`MISSING_MAILBOX`].
const MISSING_DOMAIN: &[u8] = b"MISSING_DOMAIN";

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    /// An atom (`quoted == false`) or the content of a quoted string.
    Word(Vec<u8>, bool),
    /// A domain literal `[...]`, brackets included.
    Literal(Vec<u8>),
    /// A quoted string that never ends.
    Broken,
    /// One of `< > @ , ; : .`.
    Special(u8),
    /// A comment's content.
    Comment(Vec<u8>),
    /// Blanks between tokens (kept so a phrase like `Dr. J. Smith` keeps its spacing).
    Space,
}

fn tokenize(v: &[u8]) -> Vec<Tok> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < v.len() {
        let c = v[i];
        match c {
            b' ' | b'\t' | b'\r' | b'\n' => {
                if out.last() != Some(&Tok::Space) {
                    out.push(Tok::Space);
                }
                i += 1;
            }
            b'"' => {
                let mut s = Vec::new();
                i += 1;
                while i < v.len() && v[i] != b'"' {
                    if v[i] == b'\\' && i + 1 < v.len() {
                        i += 1;
                    }
                    s.push(v[i]);
                    i += 1;
                }
                if i >= v.len() {
                    out.push(Tok::Broken);
                    break;
                }
                i += 1;
                out.push(Tok::Word(s, true));
            }
            b'(' => {
                let mut depth = 0usize;
                let mut s = Vec::new();
                while i < v.len() {
                    match v[i] {
                        b'\\' if i + 1 < v.len() => {
                            i += 1;
                            s.push(v[i]);
                        }
                        b'(' => {
                            if depth > 0 {
                                s.push(b'(');
                            }
                            depth += 1;
                        }
                        b')' => {
                            depth -= 1;
                            if depth == 0 {
                                i += 1;
                                break;
                            }
                            s.push(b')');
                        }
                        c => s.push(c),
                    }
                    i += 1;
                }
                out.push(Tok::Comment(s));
            }
            b'[' => {
                let start = i;
                while i < v.len() && v[i] != b']' {
                    i += 1;
                }
                i = (i + 1).min(v.len());
                out.push(Tok::Literal(v[start..i].to_vec()));
            }
            b'<' | b'>' | b'@' | b',' | b';' | b':' | b'.' => {
                out.push(Tok::Special(c));
                i += 1;
            }
            _ => {
                let start = i;
                while i < v.len()
                    && !matches!(
                        v[i],
                        b' ' | b'\t'
                            | b'\r'
                            | b'\n'
                            | b'"'
                            | b'('
                            | b')'
                            | b'['
                            | b']'
                            | b'<'
                            | b'>'
                            | b'@'
                            | b','
                            | b';'
                            | b':'
                            | b'.'
                    )
                {
                    i += 1;
                }
                if i == start {
                    i += 1; // a stray ')' or ']'
                } else {
                    out.push(Tok::Word(v[start..i].to_vec(), false));
                }
            }
        }
    }
    out
}

fn is_special(t: &Tok, set: &[u8]) -> bool {
    matches!(t, Tok::Special(c) if set.contains(c))
}

/// A phrase: words joined by single spaces, dots kept; `None` when empty.
fn phrase(toks: &[Tok]) -> Option<Vec<u8>> {
    let mut s = Vec::new();
    let mut space = false;
    for t in toks {
        match t {
            Tok::Word(w, _) | Tok::Literal(w) => {
                let after_word = s.last().is_some_and(|&c| c != b'.');
                if !s.is_empty() && (space || after_word) {
                    s.push(b' ');
                }
                s.extend_from_slice(w);
                space = false;
            }
            Tok::Special(b'.') => {
                s.push(b'.');
                space = false;
            }
            Tok::Space | Tok::Comment(_) => space = true,
            _ => {}
        }
    }
    let s = crate::header::for_humans(&s);
    (!s.is_empty()).then_some(s)
}

/// Concatenates words and dots without spaces (local parts and domains). A quoted local part
/// is reported without its quotes, as Dovecot does (`"john q"@x` gives mailbox `john q`).
fn dotted(toks: &[Tok]) -> Vec<u8> {
    let mut s = Vec::new();
    for t in toks {
        match t {
            Tok::Word(w, _) | Tok::Literal(w) => s.extend_from_slice(w),
            Tok::Special(b'.') => s.push(b'.'),
            _ => {}
        }
    }
    s
}

fn last_comment(toks: &[Tok]) -> Option<Vec<u8>> {
    toks.iter().rev().find_map(|t| match t {
        Tok::Comment(c) => {
            let c = crate::header::for_humans(c);
            (!c.is_empty()).then_some(c)
        }
        _ => None,
    })
}

fn b(v: Vec<u8>) -> Bytes {
    Bytes::from(v)
}

/// Parses one mailbox from `toks` (which hold no top-level `,` or `;`).
fn mailbox(toks: &[Tok]) -> Option<Address> {
    if toks
        .iter()
        .all(|t| matches!(t, Tok::Comment(_) | Tok::Space))
    {
        return None;
    }
    let (name, spec, adl) = match toks.iter().position(|t| is_special(t, b"<")) {
        Some(lt) => {
            let end = toks[lt..]
                .iter()
                .position(|t| is_special(t, b">"))
                .map_or(toks.len(), |p| lt + p);
            let mut inner = &toks[lt + 1..end];
            let mut adl = None;
            if inner.first().is_some_and(|t| is_special(t, b"@"))
                && let Some(colon) = inner.iter().position(|t| is_special(t, b":"))
            {
                let mut r = Vec::new();
                for t in &inner[..colon] {
                    match t {
                        Tok::Special(b',') => r.push(b','),
                        Tok::Special(b'@') => r.push(b'@'),
                        _ => r.extend_from_slice(&dotted(std::slice::from_ref(t))),
                    }
                }
                adl = Some(r);
                inner = &inner[colon + 1..];
            }
            let name = phrase(&toks[..lt]).or_else(|| last_comment(&toks[end..]));
            (name, inner.to_vec(), adl)
        }
        None if !toks.iter().any(|t| is_special(t, b"@")) => {
            // No '@' and no '<': Dovecot reads one plain word as a local part, anything else
            // (several words, an unterminated quote) as a display name without an address.
            let words: Vec<&Tok> = toks
                .iter()
                .filter(|t| !matches!(t, Tok::Comment(_) | Tok::Space))
                .collect();
            let missing = |name: Option<Vec<u8>>| Address {
                name: name.map(b),
                adl: None,
                mailbox: Some(Bytes::from_static(MISSING_MAILBOX)),
                host: Some(Bytes::from_static(MISSING_DOMAIN)),
            };
            return match words.as_slice() {
                [Tok::Word(w, false)] => Some(Address {
                    name: last_comment(toks).map(b),
                    adl: None,
                    mailbox: Some(b(w.clone())),
                    host: Some(Bytes::from_static(MISSING_DOMAIN)),
                }),
                _ if words.iter().any(|t| matches!(t, Tok::Broken)) => Some(missing(None)),
                _ => Some(missing(phrase(toks))),
            };
        }
        None => (last_comment(toks), toks.to_vec(), None),
    };
    let spec: Vec<Tok> = spec
        .into_iter()
        .filter(|t| !matches!(t, Tok::Comment(_) | Tok::Space))
        .collect();
    let (local, domain) = match spec.iter().position(|t| is_special(t, b"@")) {
        Some(at) => (dotted(&spec[..at]), dotted(&spec[at + 1..])),
        None => (dotted(&spec), Vec::new()),
    };
    let local = if local.is_empty() {
        MISSING_MAILBOX.to_vec()
    } else {
        local
    };
    let domain = if domain.is_empty() {
        MISSING_DOMAIN.to_vec()
    } else {
        domain
    };
    Some(Address {
        name: name.map(b),
        adl: adl.map(b),
        mailbox: Some(b(local)),
        host: Some(b(domain)),
    })
}

/// Splits `toks` at top-level `sep` octets (outside `<…>`).
fn split(toks: &[Tok], sep: u8) -> Vec<&[Tok]> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut in_angle = false;
    for (i, t) in toks.iter().enumerate() {
        match t {
            Tok::Special(b'<') => in_angle = true,
            Tok::Special(b'>') => in_angle = false,
            Tok::Special(c) if *c == sep && !in_angle => {
                out.push(&toks[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&toks[start..]);
    out
}

/// Index of the first top-level `,` in `toks` (outside `<…>`), or its length.
fn next_comma(toks: &[Tok]) -> usize {
    let mut in_angle = false;
    for (i, t) in toks.iter().enumerate() {
        match t {
            Tok::Special(b'<') => in_angle = true,
            Tok::Special(b'>') => in_angle = false,
            Tok::Special(b',') if !in_angle => return i,
            _ => {}
        }
    }
    toks.len()
}

/// Parses an address-list header value into ENVELOPE addresses, with group markers
/// (RFC 9051 §7.5.2). Unparsable input gives whatever addresses could be recovered.
pub(crate) fn parse_list(value: &[u8]) -> Vec<Address> {
    let toks = tokenize(value);
    let mut out = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        // A group starts when ':' comes before any '<', '@', ',' or ';'.
        let rest = &toks[i..];
        let stop = rest
            .iter()
            .position(|t| is_special(t, b":<@,;"))
            .unwrap_or(rest.len());
        if rest.get(stop).is_some_and(|t| is_special(t, b":")) {
            let name = phrase(&rest[..stop]).unwrap_or_default();
            let body_start = i + stop + 1;
            let end = toks[body_start..]
                .iter()
                .position(|t| is_special(t, b";"))
                .map_or(toks.len(), |p| body_start + p);
            out.push(Address::group_start(b(name)));
            for m in split(&toks[body_start..end], b',') {
                out.extend(mailbox(m));
            }
            out.push(Address::group_end());
            i = end + 1;
            continue;
        }
        let items = &toks[i..];
        let next = next_comma(items);
        let one = &items[..next];
        let one = match one.iter().position(|t| is_special(t, b";")) {
            Some(p) => &one[..p],
            None => one,
        };
        out.extend(mailbox(one));
        i += next + 1;
    }
    out
}

/// An address-list header value as SEARCH's FROM/TO/CC/BCC compare it besides the decoded value
/// (RFC 3501 §6.4.4 looks at "the envelope structure's FROM field"): the addresses ENVELOPE
/// holds ([`parse_list`]) written without comments, routes or folding. A mailbox is
/// `Name <local@domain>`, or `<local@domain>` without a display name (a comment standing in
/// for a missing name counts as the name, as in ENVELOPE); a group is `Name: member, member;`
/// (`Name:;` when empty); items are joined by `, `, as Dovecot writes its search form. Display
/// and group names have RFC 2047 words decoded and are not quoted. The placeholders for a
/// missing local part or domain are left out, so `SEARCH FROM missing` finds no broken
/// address. Linear in the value, and at most a few octets longer per address.
pub(crate) fn search_form(value: &[u8]) -> String {
    let text = |b: &Bytes| String::from_utf8_lossy(b).into_owned();
    let mut out = String::new();
    let mut in_group = false;
    // Whether the next item needs a `, ` (or, first in a group, a space) before it.
    let mut after_item = false;
    for a in parse_list(value) {
        match (&a.mailbox, &a.host) {
            (Some(group), None) => {
                if after_item {
                    out.push_str(", ");
                }
                out.push_str(&crate::sort::decode_2047(group));
                out.push(':');
                in_group = true;
                after_item = false;
            }
            (None, None) => {
                out.push(';');
                in_group = false;
                after_item = true;
            }
            (mailbox, host) => {
                let name = a
                    .name
                    .as_ref()
                    .map(|n| crate::sort::decode_2047(n).trim().to_string())
                    .filter(|n| !n.is_empty());
                let known = |p: &Option<Bytes>, missing: &[u8]| {
                    p.as_ref().filter(|p| p.as_ref() != missing).map(text)
                };
                let spec = match (known(mailbox, MISSING_MAILBOX), known(host, MISSING_DOMAIN)) {
                    (Some(l), Some(d)) => Some(format!("{l}@{d}")),
                    (Some(l), None) => Some(l),
                    (None, Some(d)) => Some(format!("@{d}")),
                    (None, None) => None,
                };
                if name.is_none() && spec.is_none() {
                    continue;
                }
                if after_item {
                    out.push_str(", ");
                } else if in_group {
                    out.push(' ');
                }
                if let Some(n) = &name {
                    out.push_str(n);
                }
                if let Some(s) = spec {
                    if name.is_some() {
                        out.push(' ');
                    }
                    out.push('<');
                    out.push_str(&s);
                    out.push('>');
                }
                after_item = true;
            }
        }
    }
    out
}

#[cfg(test)]
#[path = "address_test.rs"]
mod tests;

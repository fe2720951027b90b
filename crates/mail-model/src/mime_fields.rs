//! The Content-* fields of one part (RFC 2045 §5–§8, RFC 2183, RFC 3066, RFC 2557, RFC 1864),
//! read from the raw header octets the way BODYSTRUCTURE reports them.
//!
//! Parameters follow Dovecot's `rfc2231_parse`: RFC 2231 continuations (`name*0`, `name*1`…)
//! are joined; an extended value (`name*=charset'lang'%xx`) is reported under `name*` with its
//! value still encoded, which is what clients such as Thunderbird expect to decode themselves.
//! The first occurrence of each Content-* field wins.

use crate::header::{Header, unfold};

/// Parameters as (name, value) octets, in header order.
pub(crate) type Params = Vec<(Vec<u8>, Vec<u8>)>;

/// What BODYSTRUCTURE needs from a part's header.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct MimeFields {
    /// Media type and subtype as written, if the Content-Type could be parsed.
    pub media: Option<(Vec<u8>, Option<Vec<u8>>)>,
    /// Content-Type parameters, in order.
    pub params: Params,
    /// Content-Transfer-Encoding token.
    pub encoding: Option<Vec<u8>>,
    /// Content-ID.
    pub id: Option<Vec<u8>>,
    /// Content-Description.
    pub description: Option<Vec<u8>>,
    /// Content-MD5.
    pub md5: Option<Vec<u8>>,
    /// Content-Disposition type and parameters.
    pub disposition: Option<(Vec<u8>, Params)>,
    /// Content-Language tags.
    pub language: Vec<Vec<u8>>,
    /// Content-Location.
    pub location: Option<Vec<u8>>,
}

impl MimeFields {
    /// Reads the Content-* fields of a header block.
    pub fn parse(block: &[u8]) -> MimeFields {
        let h = Header::new(block);
        let mut m = MimeFields::default();
        let mut seen_type = false;
        for f in &h.fields {
            let name = h.name(f);
            if name.len() < 8 || !name[..8].eq_ignore_ascii_case(b"content-") {
                continue;
            }
            let v = unfold(h.raw_value(f));
            let n = name[8..].to_ascii_lowercase();
            match n.as_slice() {
                b"type" if !seen_type => {
                    seen_type = true;
                    let mut p = Cursor::new(&v);
                    if let Some(t) = p.token() {
                        let sub = if p.eat(b'/') { p.token() } else { None };
                        m.media = Some((t, sub));
                        m.params = p.params();
                    }
                }
                b"transfer-encoding" if m.encoding.is_none() => {
                    m.encoding = Cursor::new(&v).token();
                }
                b"id" if m.id.is_none() => m.id = Some(v),
                b"description" if m.description.is_none() => m.description = Some(v),
                b"md5" if m.md5.is_none() => m.md5 = Some(v),
                b"location" if m.location.is_none() => m.location = Some(v),
                b"disposition" if m.disposition.is_none() => {
                    let mut p = Cursor::new(&v);
                    if let Some(t) = p.token() {
                        m.disposition = Some((t, p.params()));
                    }
                }
                b"language" if m.language.is_empty() => {
                    let mut p = Cursor::new(&v);
                    while let Some(t) = p.token() {
                        m.language.push(t);
                        if !p.eat(b',') {
                            break;
                        }
                    }
                }
                _ => {}
            }
        }
        m
    }

    /// True when the media type is `text` (or absent, which means text/plain).
    pub fn is_text(&self) -> bool {
        self.media
            .as_ref()
            .is_none_or(|(t, _)| t.eq_ignore_ascii_case(b"text"))
    }
}

/// A tiny RFC 2045 tokenizer over one unfolded value.
struct Cursor<'a> {
    s: &'a [u8],
    i: usize,
}

fn is_tspecial(c: u8) -> bool {
    matches!(
        c,
        b'(' | b')'
            | b'<'
            | b'>'
            | b'@'
            | b','
            | b';'
            | b':'
            | b'\\'
            | b'"'
            | b'/'
            | b'['
            | b']'
            | b'?'
            | b'='
    ) || c <= b' '
        || c == 0x7f
}

impl<'a> Cursor<'a> {
    fn new(s: &'a [u8]) -> Cursor<'a> {
        Cursor { s, i: 0 }
    }

    /// Skips blanks and comments.
    fn skip(&mut self) {
        while self.i < self.s.len() {
            match self.s[self.i] {
                b' ' | b'\t' | b'\r' | b'\n' => self.i += 1,
                b'(' => {
                    let mut depth = 0usize;
                    while self.i < self.s.len() {
                        match self.s[self.i] {
                            b'\\' => self.i += 1,
                            b'(' => depth += 1,
                            b')' => {
                                depth = depth.saturating_sub(1);
                                if depth == 0 {
                                    self.i += 1;
                                    break;
                                }
                            }
                            _ => {}
                        }
                        self.i += 1;
                    }
                }
                _ => break,
            }
        }
    }

    fn eat(&mut self, c: u8) -> bool {
        self.skip();
        if self.s.get(self.i) == Some(&c) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn token(&mut self) -> Option<Vec<u8>> {
        self.skip();
        let start = self.i;
        while self.i < self.s.len() && !is_tspecial(self.s[self.i]) {
            self.i += 1;
        }
        (self.i > start).then(|| self.s[start..self.i].to_vec())
    }

    fn quoted(&mut self) -> Option<Vec<u8>> {
        self.skip();
        if self.s.get(self.i) != Some(&b'"') {
            return None;
        }
        self.i += 1;
        let mut out = Vec::new();
        while self.i < self.s.len() && self.s[self.i] != b'"' {
            if self.s[self.i] == b'\\' && self.i + 1 < self.s.len() {
                self.i += 1;
            }
            out.push(self.s[self.i]);
            self.i += 1;
        }
        self.i += 1;
        Some(out)
    }

    /// `*(";" attribute "=" value)`, with RFC 2231 continuations joined. Stops at garbage.
    fn params(&mut self) -> Vec<(Vec<u8>, Vec<u8>)> {
        let mut raw: Vec<(Vec<u8>, Vec<u8>)> = Vec::new();
        while self.eat(b';') {
            let Some(name) = self.token() else {
                continue;
            };
            if !self.eat(b'=') {
                continue;
            }
            let value = match self.quoted() {
                Some(q) => q,
                None => self.token().unwrap_or_default(),
            };
            raw.push((name, value));
        }
        join_2231(raw)
    }
}

/// Joins `name*0`, `name*1*`… into one parameter (RFC 2231 §3–§4), as Dovecot reports them.
fn join_2231(raw: Vec<(Vec<u8>, Vec<u8>)>) -> Vec<(Vec<u8>, Vec<u8>)> {
    let mut out: Vec<(Vec<u8>, Vec<u8>)> = Vec::new();
    let mut conts: Vec<(Vec<u8>, u32, bool, Vec<u8>)> = Vec::new();
    for (name, value) in raw {
        let (base, rest) = match name.iter().position(|&c| c == b'*') {
            Some(p) => (name[..p].to_vec(), &name[p + 1..]),
            None => {
                out.push((name, value));
                continue;
            }
        };
        let (digits, extended) = match rest.strip_suffix(b"*") {
            Some(d) => (d, true),
            None => (rest, false),
        };
        let index = std::str::from_utf8(digits)
            .ok()
            .and_then(|d| d.parse::<u32>().ok());
        match index {
            Some(i) if !digits.is_empty() => conts.push((base, i, extended, value)),
            _ => out.push((name, value)),
        }
    }
    conts.sort_by(|a, b| {
        a.0.to_ascii_lowercase()
            .cmp(&b.0.to_ascii_lowercase())
            .then(a.1.cmp(&b.1))
    });
    let mut i = 0;
    while i < conts.len() {
        let base = conts[i].0.clone();
        let extended = conts[i].2;
        let mut value = Vec::new();
        while i < conts.len() && conts[i].0.eq_ignore_ascii_case(&base) {
            value.extend_from_slice(&conts[i].3);
            i += 1;
        }
        let mut name = base;
        if extended {
            name.push(b'*');
        }
        out.push((name, value));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_type_params_and_2231() {
        let m = MimeFields::parse(
            b"Content-Type: text/plain; charset=\"iso-8859-1\" (c);\r\n format=flowed\r\n\
Content-Disposition: attachment;\r\n filename*0*=utf-8''%E2%82%AC; filename*1=\".txt\"\r\n\r\n",
        );
        assert_eq!(m.media, Some((b"text".to_vec(), Some(b"plain".to_vec()))));
        assert_eq!(
            m.params,
            vec![
                (b"charset".to_vec(), b"iso-8859-1".to_vec()),
                (b"format".to_vec(), b"flowed".to_vec())
            ]
        );
        let (kind, p) = m.disposition.unwrap_or_default();
        assert_eq!(kind, b"attachment");
        assert_eq!(
            p,
            vec![(b"filename*".to_vec(), b"utf-8''%E2%82%AC.txt".to_vec())]
        );
    }

    #[test]
    fn garbage() {
        let m = MimeFields::parse(b"Content-Type: ;;;==\"\r\nContent-Language: en, de\r\n\r\n");
        assert_eq!(m.media, None);
        assert_eq!(m.language, vec![b"en".to_vec(), b"de".to_vec()]);
        assert!(m.is_text());
    }
}

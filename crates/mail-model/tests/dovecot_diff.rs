//! Differential test against a live Dovecot (Debian package `dovecot-imapd`).
//!
//! Runs `tests/corpus/dovecot_capture.py --out TMP`, which starts a throwaway Dovecot as root on
//! 127.0.0.1 and a free port with its own config, APPENDs every corpus message with imaplib and
//! saves `FETCH 1 (ENVELOPE BODYSTRUCTURE)`. Each answer is compared with ours as an IMAP value
//! (quoted string and literal are the same value). The test fails, never skips, when Dovecot
//! is missing. Intentional differences are listed in [`KNOWN`] with the rule that decides; a
//! listed pair that stops differing fails too, so the table stays true.

mod support;

use std::process::Command;

use base64::Engine;
use imap_proto::command::{Section, SectionText};
use mail_model::{MessageFacts, analyze, section};
use support::{Value, corpus_dir, corpus_names, parse, show};

/// (message, "envelope" | "bodystructure", why we differ from Dovecot).
const KNOWN: &[(&str, &str, &str)] = &[
    (
        "04-message-rfc822",
        "bodystructure",
        "RFC 2046 §5.1.1: the CRLF before a boundary belongs to the boundary. Dovecot counts it \
         into the message/rfc822 part that ends with its own closing boundary (401 octets, 19 \
         lines); we stop before it (399, 18), so the size matches what BODY[2] returns.",
    ),
    (
        "16-bare-lf",
        "bodystructure",
        "RFC 9051 §7.5.2 body-fld-octets is the size of the body as sent. Dovecot counts bare \
         LF as CRLF because it converts line ends on output; we serve the stored octets \
         unchanged and count them (17 vs 18).",
    ),
    (
        "21-missing-boundary",
        "bodystructure",
        "RFC 2046 §5.1.1: the boundary parameter is mandatory; without it the body cannot be \
         split. Dovecot invents a multipart with one empty text/plain child that BODY[1] cannot \
         return; we report an opaque single part of type multipart/mixed whose BODY[1] is the \
         body (media-basic allows any type string, RFC 9051 §9).",
    ),
    (
        "28-base64-rfc822",
        "bodystructure",
        "RFC 2046 §5.2.1 forbids base64 for message/rfc822. Both write an empty envelope and an \
         empty text/plain body; the size and lines differ by the boundary CRLF (RFC 2046 \
         §5.1.1, as for 04-message-rfc822).",
    ),
    (
        "32-type-without-subtype",
        "bodystructure",
        "RFC 2045 §5.1 requires type \"/\" subtype and §5.2 says a syntactically invalid \
         Content-Type means text/plain; charset=us-ascii. Dovecot writes empty strings \
         (\"text\" \"\", \"application\" \"\", \"\" \"\"); we write text/plain, and keep \
         a multipart mail-parser could split, with subtype \"x-unknown\" (Dovecot's default).",
    ),
    (
        "35-extension-fields",
        "bodystructure",
        "RFC 9051 §9 body-fld-lang = nstring / \"(\" string *(SP string) \")\": imap-proto \
         writes a single language tag as a string (\"fr\"), Dovecot as a list ((\"fr\")).",
    ),
    (
        "38-message-global",
        "bodystructure",
        "RFC 9051 §9 media-message includes \"GLOBAL\" (RFC 6532 §3.5), so message/global \
         carries envelope, body and lines; Dovecot 2.3 treats it as an opaque part.",
    ),
];

/// (message, section spec, why our `BODY[section]` differs from Dovecot's).
const KNOWN_SECTIONS: &[(&str, &str, &str)] = &[
    (
        "21-missing-boundary",
        "1",
        "RFC 2046 §5.1.1: no boundary, so part 1 is the whole body; Dovecot has an empty part.",
    ),
    (
        "21-missing-boundary",
        "1.MIME",
        "RFC 2046 §5.1.1: as above; part 1's MIME header is the message header.",
    ),
    (
        "28-base64-rfc822",
        "1",
        "RFC 2046 §5.1.1: Dovecot adds the CRLF before the boundary to this message/rfc822 part.",
    ),
    (
        "28-base64-rfc822",
        "1.HEADER",
        "RFC 2046 §5.2.1: we do not descend into an encoded message/rfc822, so it has no \
         HEADER; Dovecot returns the base64 text as if it were a header.",
    ),
    (
        "38-message-global",
        "1.1",
        "RFC 9051 §6.4.5 / RFC 6532 §3.5: message/global is an encapsulated message, so 1.1 is \
         its body; Dovecot 2.3 has no sub-parts there and answers part 1 again.",
    ),
    (
        "38-message-global",
        "1.HEADER",
        "RFC 6532 §3.5: as above, 1.HEADER is the embedded header; Dovecot returns nothing.",
    ),
];

#[test]
fn corpus_matches_live_dovecot() {
    let out = std::env::temp_dir().join(format!("strata-dovecot-diff-{}", std::process::id()));
    std::fs::create_dir_all(&out).expect("temp dir");
    let script = corpus_dir().join("dovecot_capture.py");
    let status = Command::new("python3")
        .arg(&script)
        .arg("--sections")
        .arg("--sort")
        .arg("--out")
        .arg(&out)
        .status()
        .expect("python3 must be installed to run the Dovecot differential test");
    assert!(
        status.success(),
        "dovecot_capture.py failed ({status}); CI must `apt-get install -y dovecot-imapd`"
    );
    let mut failures = Vec::new();
    let mut matched = Vec::new();
    for name in corpus_names() {
        let raw = std::fs::read(corpus_dir().join(format!("{name}.eml"))).expect("eml");
        let facts = analyze(&raw);
        let secs =
            std::fs::read(out.join(format!("{name}.dovecot.sections.json"))).unwrap_or_default();
        failures.extend(compare_sections(&name, &raw, &secs));
        for (what, ours) in [
            ("envelope", &facts.envelope),
            ("body", &facts.body),
            ("bodystructure", &facts.bodystructure),
        ] {
            let theirs =
                std::fs::read(out.join(format!("{name}.dovecot.{what}"))).unwrap_or_default();
            let (a, b) = (parse(ours), parse(&theirs));
            assert!(
                a.is_some(),
                "{name}.{what}: ours does not parse: {}",
                ours.escape_ascii()
            );
            // BODY is BODYSTRUCTURE without extension data: the same reasons apply.
            let key = if what == "body" {
                "bodystructure"
            } else {
                what
            };
            let known = KNOWN.iter().any(|(n, w, _)| *n == name && *w == key);
            let same = a == b;
            if same && known && what != "body" {
                matched.push(format!(
                    "{name}.{what} is listed in KNOWN but now matches Dovecot"
                ));
            } else if !same && !known {
                let s = |v: &Option<Value>| v.as_ref().map_or("<unparsable>".into(), show);
                failures.push(format!(
                    "{name}.{what}\n  ours:    {}\n  dovecot: {}",
                    s(&a),
                    s(&b)
                ));
            }
        }
    }
    let orders = std::fs::read(out.join("sort.dovecot.json")).unwrap_or_default();
    failures.extend(compare_sort(&orders));
    let _ = std::fs::remove_dir_all(&out);
    failures.extend(matched);
    assert!(
        failures.is_empty(),
        "{} differences:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Parses a section spec as the capture script sends it: `2.HEADER.FIELDS (subject)`.
fn parse_section(spec: &str) -> Section {
    let (head, list) = match spec.split_once(' ') {
        Some((h, l)) => (h, l.trim_matches(|c| c == '(' || c == ')')),
        None => (spec, ""),
    };
    let mut part = Vec::new();
    let mut rest = Vec::new();
    for tok in head.split('.') {
        match tok.parse::<u32>() {
            Ok(n) if rest.is_empty() => part.push(n),
            _ => rest.push(tok),
        }
    }
    let fields = || list.split(' ').map(str::to_string).collect();
    let text = match rest.join(".").as_str() {
        "" => None,
        "HEADER" => Some(SectionText::Header),
        "TEXT" => Some(SectionText::Text),
        "MIME" => Some(SectionText::Mime),
        "HEADER.FIELDS" => Some(SectionText::HeaderFields {
            not: false,
            fields: fields(),
        }),
        "HEADER.FIELDS.NOT" => Some(SectionText::HeaderFields {
            not: true,
            fields: fields(),
        }),
        other => panic!("unknown section text {other}"),
    };
    Section { part, text }
}

/// Bare LF to CRLF: Dovecot sends every line ending as CRLF.
fn crlf(v: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(v.len());
    for (i, &c) in v.iter().enumerate() {
        if c == b'\n' && (i == 0 || v[i - 1] != b'\r') {
            out.push(b'\r');
        }
        out.push(c);
    }
    out
}

/// Compares our sections with Dovecot's answers. Rules where we differ on purpose:
///
/// - A nonexistent part: we return `None`, Dovecot an empty string (the server sends `""`).
/// - A bare-LF message: Dovecot converts line ends to CRLF on output; we serve stored octets,
///   so we compare after the same conversion.
/// - A multipart or message/rfc822 part inside a multipart: Dovecot includes the CRLF before
///   the parent's next boundary in `BODY[n]` and `BODY[n.TEXT]`; RFC 2046 §5.1.1 (and its
///   grammar, `delimiter := CRLF dash-boundary`) attaches that CRLF to the boundary, so ours
///   ends two octets earlier (the same rule explains the BODYSTRUCTURE sizes in KNOWN).
/// - NUL octets: see below.
/// - The pairs in [`KNOWN_SECTIONS`].
/// - `n.1` of a non-multipart, non-message part: Dovecot answers with part `n` again; RFC 9051
///   §6.4.5 numbers no sub-parts there, so we say `None`.
fn compare_sections(name: &str, raw: &[u8], json: &[u8]) -> Vec<String> {
    let facts: MessageFacts = analyze(raw);
    let map: std::collections::BTreeMap<String, Option<String>> =
        serde_json::from_slice(json).expect("sections json");
    let b64 = base64::engine::general_purpose::STANDARD;
    let mut failures = Vec::new();
    for (spec, theirs) in map {
        let sec = parse_section(&spec);
        // Dovecot writes NUL as 0x80 (a literal cannot carry NUL, RFC 9051 §4.3); that is
        // the serializer's business (imap-proto drops NUL, or BINARY uses literal8).
        let ours = section(raw, &facts, &sec).map(|c| {
            crlf(&c)
                .into_iter()
                .map(|b| if b == 0 { 0x80 } else { b })
                .collect::<Vec<u8>>()
        });
        let theirs = match theirs.as_deref() {
            None | Some("NO") | Some("BAD") => None,
            Some(v) => Some(b64.decode(v).expect("base64")),
        };
        let theirs_nonempty = theirs.filter(|t| !t.is_empty());
        let ours_nonempty = ours.clone().filter(|o| !o.is_empty());
        if ours_nonempty == theirs_nonempty {
            continue;
        }
        if KNOWN_SECTIONS
            .iter()
            .any(|(n, s, _)| *n == name && *s == spec)
        {
            continue;
        }
        let container = mail_model::find(&facts.parts, &sec.part)
            .is_some_and(|p| p.message.is_some() || p.multipart);
        if let (Some(o), Some(t)) = (&ours, &theirs_nonempty)
            && container
            && !sec.part.is_empty()
            && matches!(sec.text, None | Some(SectionText::Text))
            && [o.as_slice(), b"\r\n"].concat() == *t
        {
            continue;
        }
        if ours.is_none() && sec.part.last() == Some(&1) && sec.text.is_none() {
            let parent = Section {
                part: sec.part[..sec.part.len() - 1].to_vec(),
                text: None,
            };
            if !parent.part.is_empty()
                && section(raw, &facts, &parent).map(|c| crlf(&c)) == theirs_nonempty
            {
                continue;
            }
        }
        let show = |v: &Option<Vec<u8>>| {
            v.as_ref()
                .map_or("None".to_string(), |v| v.escape_ascii().to_string())
        };
        failures.push(format!(
            "{name} BODY[{spec}]\n  ours:    {}\n  dovecot: {}",
            show(&ours),
            show(&theirs_nonempty)
        ));
    }
    failures
}

/// INTERNALDATE the capture script gives every message in the SORT mailbox (01-Jan-2020),
/// which RFC 5256 §3 DATE falls back to when the Date header is missing or invalid.
const SORT_INTERNALDATE: i64 = 1_577_836_800;

/// Compares the order our sort keys give with Dovecot's `SORT (key) UTF-8 ALL`; ties go by
/// sequence number (RFC 5256 §3).
fn compare_sort(json: &[u8]) -> Vec<String> {
    let theirs: std::collections::BTreeMap<String, Vec<usize>> =
        serde_json::from_slice(json).expect("sort json");
    let facts: Vec<MessageFacts> = corpus_names()
        .iter()
        .map(|n| analyze(&std::fs::read(corpus_dir().join(format!("{n}.eml"))).expect("eml")))
        .collect();
    let mut failures = Vec::new();
    for (key, want) in theirs {
        let k = |f: &MessageFacts| -> (String, i64) {
            let s = &f.sort;
            match key.as_str() {
                "SUBJECT" => (s.subject.clone(), 0),
                "FROM" => (s.from.clone(), 0),
                "TO" => (s.to.clone(), 0),
                "CC" => (s.cc.clone(), 0),
                "DATE" => (String::new(), s.sent_date.unwrap_or(SORT_INTERNALDATE)),
                "DISPLAYFROM" => (s.display_from.clone(), 0),
                "DISPLAYTO" => (s.display_to.clone(), 0),
                other => panic!("unknown sort key {other}"),
            }
        };
        let mut ours: Vec<usize> = (1..=facts.len()).collect();
        ours.sort_by_key(|&i| (k(&facts[i - 1]), i));
        if ours != want {
            let show = |order: &[usize]| {
                order
                    .iter()
                    .map(|&i| format!("{i}:{:?}", k(&facts[i - 1])))
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            failures.push(format!(
                "SORT ({key})\n  ours:    {}\n  dovecot: {}",
                show(&ours),
                show(&want)
            ));
        }
    }
    failures
}

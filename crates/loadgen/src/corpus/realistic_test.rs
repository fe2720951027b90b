//! The realistic generator on 2,000 messages of one seed (one in seven a reply to an earlier
//! one): each parses to the structure its [`Shape`] claims, with the subject, ids and threading
//! it was asked for, in well-formed lines; together they have real mail's distribution of
//! sizes, structures and charsets; their text holds the `SEARCH BODY` words.

use super::*;
use mail_parser::{Message, MessageParser, MimeHeaders, PartType};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

/// One generated message and what it was asked to be.
struct Case {
    msgid: String,
    /// Message-ID, references and subject of the message it answers.
    parent: Option<(String, Vec<String>, String)>,
    g: Generated,
}

/// The 2,000 messages, generated once for all tests.
fn sample() -> &'static [Case] {
    static SAMPLE: OnceLock<Vec<Case>> = OnceLock::new();
    SAMPLE.get_or_init(|| {
        let mut rng = fastrand::Rng::with_seed(20_261_207);
        let mut cases: Vec<Case> = Vec::with_capacity(2000);
        for n in 0..2000 {
            let msgid = format!("{n}.test@loadgen.example");
            let parent = (n > 0 && rng.u8(0..7) == 0).then(|| {
                let p = &cases[rng.usize(..cases.len())];
                (p.msgid.clone(), p.g.references.clone(), p.g.subject.clone())
            });
            let reply_to = parent.as_ref().map(|(msgid, references, subject)| Parent {
                msgid,
                references,
                subject,
            });
            let g = realistic(
                &mut rng,
                &Wanted {
                    to: "anna@example.org",
                    msgid: &msgid,
                    reply_to,
                },
            );
            cases.push(Case { msgid, parent, g });
        }
        cases
    })
}

/// Whether every line ends in CRLF (no bare CR or LF), none is over 998 octets and no NUL.
fn well_formed_lines(bytes: &[u8]) -> Result<(), String> {
    if !bytes.ends_with(b"\r\n") {
        return Err("no final CRLF".into());
    }
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            0 => return Err(format!("NUL at {i}")),
            b'\r' if bytes.get(i + 1) != Some(&b'\n') => return Err(format!("bare CR at {i}")),
            b'\n' if i == 0 || bytes[i - 1] != b'\r' => return Err(format!("bare LF at {i}")),
            b'\n' => {
                if i - 1 - start > 998 {
                    return Err(format!("line of {} octets at {start}", i - 1 - start));
                }
                start = i + 1;
            }
            _ => {}
        }
    }
    Ok(())
}

/// The MIME type of a part, `type/subtype`, lower case.
fn mime_type(p: &mail_parser::MessagePart<'_>) -> String {
    p.content_type().map_or("text/plain".into(), |ct| {
        format!("{}/{}", ct.ctype(), ct.subtype().unwrap_or_default()).to_ascii_lowercase()
    })
}

/// The shape `m`'s structure has: root type, files attached, a message/rfc822 part.
fn shape_of(m: &Message<'_>) -> Result<Shape, String> {
    let files = m
        .parts
        .iter()
        .filter(|p| {
            p.content_disposition()
                .is_some_and(|d| d.ctype() == "attachment")
        })
        .filter(|p| !matches!(p.body, PartType::Message(_)))
        .count();
    let forwarded = m
        .parts
        .iter()
        .any(|p| matches!(p.body, PartType::Message(_)));
    Ok(match mime_type(m.root_part()).as_str() {
        "text/plain" => Shape::Plain,
        "multipart/alternative" => Shape::Alternative,
        "multipart/mixed" => Shape::Mixed {
            attachments: files,
            forwarded,
        },
        "multipart/related" => Shape::Related,
        other => return Err(format!("root is {other}")),
    })
}

/// Every message: well-formed lines, the structure of its shape (the same text in plain and
/// HTML for each alternative, a cid: image for each related, decoded names for attachments,
/// non-ASCII ones among them), its subject decoded, its Message-ID, and for replies
/// In-Reply-To, References and a single `Re:`.
#[test]
fn every_message_parses_to_its_shape() {
    let mut non_ascii_names = 0;
    for (n, c) in sample().iter().enumerate() {
        let g = &c.g;
        if let Err(e) = well_formed_lines(&g.bytes) {
            panic!("message {n}: {e}");
        }
        let m = MessageParser::default().parse(&g.bytes).expect("parses");
        assert_eq!(shape_of(&m).as_ref(), Ok(&g.shape), "message {n}");
        assert_eq!(m.subject(), Some(g.subject.as_str()), "message {n}");
        assert_eq!(m.message_id(), Some(c.msgid.as_str()), "message {n}");
        let types: Vec<String> = m.parts.iter().map(mime_type).collect();
        match g.shape {
            Shape::Alternative => {
                assert_eq!(
                    types,
                    ["multipart/alternative", "text/plain", "text/html"],
                    "{n}"
                );
                // The same text: a paragraph line of the plain text is a line of the HTML too
                // (lines with characters HTML escapes are wrapped differently there).
                let text = m.body_text(0).expect("text");
                let escaped = |l: &str| l.starts_with('>') || l.contains(['<', '>', '&']);
                let line = text
                    .lines()
                    .find(|l| l.len() > 40 && !escaped(l))
                    .expect("a line");
                let html = m.body_html(0).expect("html");
                assert!(
                    html.lines().any(|l| l == line),
                    "{n}: {line:?} not in {html}"
                );
            }
            Shape::Related => {
                let html = m.body_html(0).expect("html");
                let cids: Vec<&str> = m.parts.iter().filter_map(|p| p.content_id()).collect();
                assert!(!cids.is_empty(), "message {n}");
                assert!(
                    cids.iter().all(|cid| html.contains(&format!("cid:{cid}"))),
                    "message {n}"
                );
            }
            Shape::Mixed { .. } => {
                for a in m
                    .parts
                    .iter()
                    .filter(|p| !matches!(p.body, PartType::Message(_)))
                {
                    if let Some(name) = a.attachment_name() {
                        non_ascii_names += usize::from(!name.is_ascii());
                        assert!(
                            !name.contains("=?") && !name.contains("''"),
                            "message {n}: {name}"
                        );
                    }
                }
            }
            Shape::Plain => {}
        }
        for p in &m.parts {
            if let PartType::Text(t) | PartType::Html(t) = &p.body {
                assert!(!t.contains('\u{FFFD}'), "message {n}: undecodable text");
            }
        }
        match &c.parent {
            Some((parent, refs, subject)) => {
                assert_eq!(
                    m.in_reply_to().as_text(),
                    Some(parent.as_str()),
                    "message {n}"
                );
                let mut want = refs.clone();
                want.push(parent.clone());
                if want.len() > MAX_REFERENCES {
                    want.drain(1..want.len() - (MAX_REFERENCES - 1));
                }
                assert_eq!(g.references, want, "message {n}");
                let got: Vec<String> = match m.references() {
                    mail_parser::HeaderValue::Text(t) => vec![t.to_string()],
                    mail_parser::HeaderValue::TextList(l) => {
                        l.iter().map(|t| t.to_string()).collect()
                    }
                    other => panic!("message {n}: References {other:?}"),
                };
                assert_eq!(got, want, "message {n}");
                let base = subject.strip_prefix("Re: ").unwrap_or(subject);
                assert_eq!(g.subject, format!("Re: {base}"), "message {n}");
            }
            None => {
                assert!(
                    m.in_reply_to().is_empty() && g.references.is_empty(),
                    "message {n}"
                );
            }
        }
    }
    assert!(
        non_ascii_names > 10,
        "{non_ascii_names} non-ASCII file names"
    );
}

/// The value at quantile `q` of sorted `v`.
fn quantile(v: &[usize], q: f64) -> usize {
    v[((v.len() - 1) as f64 * q).round() as usize]
}

/// The charsets of the RFC 2047 encoded-words (`=?charset?B|Q?…?=`) in `head`, lower case.
fn encoded_word_charsets(head: &[u8]) -> Vec<String> {
    let mut found = Vec::new();
    for (i, w) in head.windows(2).enumerate() {
        if w != b"=?" {
            continue;
        }
        let rest = &head[i + 2..];
        let Some(end) = rest.iter().position(|&b| b == b'?') else {
            continue;
        };
        let name = &rest[..end];
        let token = name
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        let encoding = rest
            .get(end + 1..end + 3)
            .is_some_and(|e| matches!(e, b"B?" | b"Q?" | b"b?" | b"q?"));
        if !name.is_empty() && token && encoding {
            found.push(String::from_utf8_lossy(name).to_ascii_lowercase());
        }
    }
    found
}

/// Sizes (median 8-12.5 KB, p90 65-115 KB, at most 1 MiB), header sizes (median
/// 2-5 KB), shape shares within 5 points of 40/26/28/6 %, and encoded-words in at least three
/// charsets.
#[test]
fn distribution_is_real_shaped() {
    let cases = sample();
    let mut sizes: Vec<usize> = cases.iter().map(|c| c.g.bytes.len()).collect();
    sizes.sort_unstable();
    let header_len = |b: &[u8]| {
        b.windows(4)
            .position(|w| w == b"\r\n\r\n")
            .unwrap_or(b.len())
    };
    let mut headers: Vec<usize> = cases.iter().map(|c| header_len(&c.g.bytes)).collect();
    headers.sort_unstable();
    let mut by_shape: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    let mut forwarded = 0;
    for c in cases {
        let key = match c.g.shape {
            Shape::Plain => "plain",
            Shape::Alternative => "alternative",
            Shape::Mixed { forwarded: f, .. } => {
                forwarded += usize::from(f);
                "mixed"
            }
            Shape::Related => "related",
        };
        by_shape.entry(key).or_default().push(c.g.bytes.len());
    }
    for (shape, v) in &mut by_shape {
        v.sort_unstable();
        let (n, median, p90) = (v.len(), quantile(v, 0.5), quantile(v, 0.9));
        println!("{shape}: {n} messages, median {median}, p90 {p90}");
    }
    let mut charsets = BTreeSet::new();
    for c in cases {
        let head = &c.g.bytes[..header_len(&c.g.bytes)];
        charsets.extend(encoded_word_charsets(head));
    }
    let (median, p90, max) = (
        quantile(&sizes, 0.5),
        quantile(&sizes, 0.9),
        sizes[sizes.len() - 1],
    );
    println!(
        "sizes: median {median}, p90 {p90}, p99 {}, max {max}; headers: p10 {}, median {}, p90 {}",
        quantile(&sizes, 0.99),
        quantile(&headers, 0.1),
        quantile(&headers, 0.5),
        quantile(&headers, 0.9)
    );
    println!("{forwarded} forwarded; encoded-word charsets: {charsets:?}");
    assert!((8_000..=12_500).contains(&median), "median {median}");
    assert!((65_000..=115_000).contains(&p90), "p90 {p90}");
    assert!(max <= 1 << 20, "max {max}");
    assert!(
        (2_000..=5_000).contains(&quantile(&headers, 0.5)),
        "headers"
    );
    for (shape, target) in [
        ("plain", 40),
        ("alternative", 26),
        ("mixed", 28),
        ("related", 6),
    ] {
        let pct = by_shape.get(shape).map_or(0, Vec::len) * 100 / cases.len();
        assert!(pct.abs_diff(target) <= 5, "{shape}: {pct} %");
    }
    assert!(forwarded > 0);
    assert!(charsets.len() >= 3, "{charsets:?}");
}

/// The decoded text of plain messages holds `SEARCH BODY` words (nearly always) and, in the
/// other languages, non-ASCII letters.
#[test]
fn plain_text_carries_search_words() {
    let (mut plain, mut with_word, mut accented, mut cyrillic) = (0, 0, 0, 0);
    for c in sample().iter().filter(|c| c.g.shape == Shape::Plain) {
        let m = MessageParser::default().parse(&c.g.bytes).expect("parses");
        let text = m.body_text(0).expect("text");
        plain += 1;
        let words: BTreeSet<&str> = text.split(|ch: char| !ch.is_alphanumeric()).collect();
        with_word += usize::from(WORDS.iter().any(|w| words.contains(w)));
        accented += usize::from(text.contains(['é', 'ü', 'ß', 'ñ']));
        cyrillic += usize::from(text.chars().any(|ch| ('а'..='я').contains(&ch)));
    }
    assert!(plain > 500);
    assert!(with_word * 100 >= plain * 95, "{with_word} of {plain}");
    assert!(
        accented > 20 && cyrillic > 10,
        "{accented} accented, {cyrillic} Cyrillic"
    );
}

/// How long 10,000 messages take (printed, not asserted; run it in a release build:
/// `cargo test -p strata-loadgen --release ten_thousand -- --ignored --nocapture`).
#[test]
#[ignore = "timing, for release builds"]
fn ten_thousand_messages_timing() {
    let mut rng = fastrand::Rng::with_seed(1);
    let start = std::time::Instant::now();
    let mut bytes = 0;
    for n in 0..10_000 {
        let msgid = format!("{n}@loadgen.example");
        bytes += realistic(
            &mut rng,
            &Wanted {
                to: "anna@example.org",
                msgid: &msgid,
                reply_to: None,
            },
        )
        .bytes
        .len();
    }
    let took = start.elapsed();
    println!(
        "10,000 messages, {} MB, in {took:?} ({:.0} MB/s)",
        bytes / 1_000_000,
        bytes as f64 / 1e6 / took.as_secs_f64()
    );
}

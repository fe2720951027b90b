//! The message corpus (`tests/corpus/NAME.eml` at the repository root): for every message,
//! `analyze` must produce exactly NAME.envelope, NAME.body and NAME.bodystructure, and a few sections are
//! checked byte for byte. `STRATA_BLESS=1 cargo test -p mail-model --test corpus` rewrites the
//! expected files (review the diff before committing).

mod support;

use imap_proto::command::{Section, SectionText};
use mail_model::{MessageFacts, analyze, section};
use support::{corpus_dir, corpus_names};

fn read(name: &str, ext: &str) -> Vec<u8> {
    std::fs::read(corpus_dir().join(format!("{name}.{ext}"))).unwrap_or_default()
}

/// Every corpus message gives exactly the committed ENVELOPE and BODYSTRUCTURE.
#[test]
fn envelope_and_bodystructure_match_expected() {
    let bless = std::env::var_os("STRATA_BLESS").is_some();
    let names = corpus_names();
    assert!(
        names.len() >= 25,
        "corpus has only {} messages",
        names.len()
    );
    let mut failures = Vec::new();
    for name in &names {
        let raw = read(name, "eml");
        let facts = analyze(&raw);
        assert_eq!(facts.size, raw.len() as u64);
        for (ext, got) in [
            ("envelope", &facts.envelope),
            ("body", &facts.body),
            ("bodystructure", &facts.bodystructure),
        ] {
            if bless {
                std::fs::write(corpus_dir().join(format!("{name}.{ext}")), got).expect("write");
            } else if read(name, ext) != *got {
                failures.push(format!(
                    "{name}.{ext}\n  got:  {}\n  want: {}",
                    got.escape_ascii(),
                    read(name, ext).escape_ascii()
                ));
            }
        }
        // The facts row survives a serde round trip.
        let json = serde_json::to_string(&facts).expect("serialize");
        let back: MessageFacts = serde_json::from_str(&json).expect("deserialize");
        assert_eq!(back, facts);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn sec(name: &str, part: &[u32], text: Option<SectionText>) -> Option<Vec<u8>> {
    let raw = read(name, "eml");
    let facts = analyze(&raw);
    let s = Section {
        part: part.to_vec(),
        text,
    };
    section(&raw, &facts, &s).map(|c| c.into_owned())
}

fn check(name: &str, part: &[u32], text: Option<SectionText>, want: Option<&str>) {
    let got = sec(name, part, text.clone());
    assert_eq!(
        got.as_deref().map(|g| g.escape_ascii().to_string()),
        want.map(|w| w.as_bytes().escape_ascii().to_string()),
        "{name} {part:?} {text:?}"
    );
}

/// Sections of nested multiparts and message/rfc822 parts (RFC 9051 §6.4.5).
#[test]
fn sections_byte_exact() {
    let n = "03-nested-multipart";
    check(n, &[1, 2, 1], None, Some("<img src=\"cid:img1@x\">"));
    check(
        n,
        &[1, 2],
        Some(SectionText::Mime),
        Some("Content-Type: multipart/related; boundary=\"deep\"; type=\"text/html\"\r\n\r\n"),
    );
    check(
        n,
        &[1, 2, 2],
        Some(SectionText::Mime),
        Some(
            "Content-Type: image/png; name=\"dot.png\"\r\nContent-Transfer-Encoding: base64\r\n\
Content-ID: <img1@x>\r\nContent-Disposition: inline; filename=\"dot.png\"\r\n\r\n",
        ),
    );
    check(n, &[3], None, None);
    let m = "04-message-rfc822";
    check(
        m,
        &[2],
        Some(SectionText::HeaderFields {
            not: false,
            fields: vec!["subject".into(), "MESSAGE-ID".into()],
        }),
        Some("Subject: the original\r\nMessage-ID: <orig@example.org>\r\n\r\n"),
    );
    check(m, &[2, 1], None, Some("Caf=E9 au lait."));
    check(
        m,
        &[2, 2],
        Some(SectionText::Mime),
        Some("Content-Type: text/csv; name=data.csv\r\n\r\n"),
    );
    check(m, &[2, 2], None, Some("a,b\r\n1,2"));
    let hdr = sec(m, &[2], Some(SectionText::Header)).unwrap_or_default();
    assert!(hdr.starts_with(b"From: Mallory <mallory@example.org>\r\n"));
    assert!(hdr.ends_with(b"boundary=\"b2\"\r\n\r\n"));
    let text = sec(m, &[2], Some(SectionText::Text)).unwrap_or_default();
    assert!(text.starts_with(b"--b2\r\n") && text.ends_with(b"--b2--"));
    check(
        "05-rfc822-single-part",
        &[1, 1],
        None,
        Some("inner text line 1\r\ninner text line 2"),
    );
    check(
        "27-nested-rfc822-twice",
        &[1, 1, 1],
        None,
        Some("deepest text\r\n"),
    );
    check(
        "16-bare-lf",
        &[2],
        Some(SectionText::Mime),
        Some(
            "Content-Type: text/plain; charset=utf-8\nContent-Disposition: attachment; filename=notes.txt\n\n",
        ),
    );
    check("16-bare-lf", &[1], None, Some("line one\nline two"));
    check(
        "20-folded-long-headers",
        &[],
        Some(SectionText::HeaderFields {
            not: false,
            fields: vec!["references".into()],
        }),
        Some("References: <r1@example.com>\r\n <r2@example.com>\r\n\t<r3@example.com>\r\n\r\n"),
    );
}

/// A 50 MB message, generated at run time: sizes, line count and sections stay exact.
#[test]
fn fifty_megabyte_message() {
    let line = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ab\r\n";
    let lines = 50 * 1024 * 1024 / line.len();
    let mut raw = b"From: big@example.com\r\nSubject: big\r\nMIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=big\r\n\r\n--big\r\nContent-Type: text/plain\r\n\r\nsmall\r\n\
--big\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        .to_vec();
    let start = raw.len();
    for _ in 0..lines {
        raw.extend_from_slice(line.as_bytes());
    }
    let end = raw.len() - 2;
    raw.extend_from_slice(b"--big--\r\n");
    assert!(raw.len() >= 50 * 1024 * 1024);
    let facts = analyze(&raw);
    let bs = String::from_utf8_lossy(&facts.bodystructure).into_owned();
    let want = format!(
        "((\"text\" \"plain\" (\"charset\" \"us-ascii\") NIL NIL \"7bit\" 5 0 NIL NIL NIL NIL)\
(\"application\" \"octet-stream\" NIL NIL NIL \"base64\" {} NIL NIL NIL NIL) \"mixed\" \
(\"boundary\" \"big\") NIL NIL NIL)",
        end - start
    );
    assert_eq!(bs, want);
    let s = Section {
        part: vec![2],
        text: None,
    };
    let body = section(&raw, &facts, &s).map(|c| c.len());
    assert_eq!(body, Some(end - start));
}

fn facts(name: &str) -> MessageFacts {
    analyze(&read(name, "eml"))
}

/// SORT keys (RFC 5256, RFC 5957), THREAD fields and PREVIEW of a few corpus messages.
#[test]
fn sort_thread_and_preview_keys() {
    let f = facts("02-multipart-alternative");
    assert_eq!(f.sort.subject, "ALTERNATIVE PARTS");
    assert_eq!(
        (f.sort.from.as_str(), f.sort.to.as_str(), f.sort.cc.as_str()),
        ("CAROL", "DAVE", "FRANK")
    );
    assert_eq!(f.sort.display_from, "CAROL, C.");
    assert_eq!(f.sort.display_to, "DAVE@EXAMPLE.NET");
    assert_eq!(f.sort.sent_date, Some(1_795_527_000));
    assert_eq!(f.thread.message_id.as_deref(), Some("<alt-2@example.com>"));
    assert_eq!(f.thread.in_reply_to, vec!["<parent@example.com>"]);
    assert_eq!(
        f.thread.references,
        vec!["<root@example.com>", "<parent@example.com>"]
    );
    assert_eq!(f.preview, "Plain version.");

    let f = facts("06-rfc2047-utf8");
    // i;unicode-casemap: titlecase, then NFKD (RFC 5051 §2).
    assert_eq!(f.sort.subject, "GRU\u{308}ßE AUS KO\u{308}LN €");
    assert_eq!(f.sort.display_from, "JO\u{308}RG MU\u{308}LLER");
    assert_eq!(f.preview, "Grüße aus Köln – 10 €.");

    let f = facts("09-shift-jis");
    assert_eq!(f.sort.subject, "こんにちは");
    assert_eq!(f.sort.display_from, "日本語");
    assert_eq!(f.preview, "こんにちは、世界");

    let f = facts("10-iso-2022-jp");
    assert_eq!(f.sort.display_from, "山田");
    let f = facts("11-tis-620");
    assert_eq!(f.sort.display_from, "สมชาย");
    assert_eq!(f.sort.subject, "สวัสดี");

    let f = facts("15-no-date");
    assert_eq!(f.sort.sent_date, None);
    let f = facts("19-malformed-addresses");
    assert_eq!(f.sort.sent_date, None);
    assert_eq!(f.sort.to, "MISSING_MAILBOX");

    let f = facts("17-attachment-only");
    assert_eq!(f.preview, "");

    let f = facts("20-folded-long-headers");
    assert_eq!(f.thread.message_id.as_deref(), Some("<folded@example.com>"));
    assert_eq!(f.thread.references.len(), 3);

    let f = facts("39-related-html-inline");
    assert_eq!(f.sort.subject, "WEEKLY");
    assert_eq!(f.sort.to, "UNDISCLOSED RECIPIENTS");
    assert_eq!(f.sort.sent_date, Some(1_796_724_000));
    assert_eq!(f.preview, "Café news & more");

    let f = facts("40-encoded-long-subject");
    assert_eq!(f.preview, "This is the body 😀");
}

/// Decoded search text: charsets converted, attachments' names, MIME headers.
#[test]
fn search_text_of_corpus() {
    let s = mail_model::search_text(&read("08-windows-1251-1252", "eml"));
    assert!(s.bodies.iter().any(|b| b.contains("“smart quotes” €")));
    assert!(
        s.headers
            .iter()
            .any(|(n, v)| n == "Subject" && v == "Привет")
    );
    let s = mail_model::search_text(&read("12-rfc2231-params", "eml"));
    assert_eq!(
        s.attachment_names,
        vec!["€ rates.txt", "café.bin", "Grüße.txt"]
    );
    let s = mail_model::search_text(&read("04-message-rfc822", "eml"));
    assert!(s.bodies.iter().any(|b| b.contains("Café au lait.")));
    assert!(
        s.part_headers
            .iter()
            .any(|(n, v)| n == "Subject" && v == "the original")
    );
}

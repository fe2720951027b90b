//! Hostile inputs: nothing panics, nesting is bounded, time stays linear.

use crate::{MAX_DEPTH, analyze, search_text};
use imap_proto::command::Section;

fn all_sections(raw: &[u8]) {
    let facts = analyze(raw);
    assert_eq!(facts.size, raw.len() as u64);
    for p in &facts.parts {
        let s = Section {
            part: p.path.clone(),
            text: None,
        };
        assert!(crate::section(raw, &facts, &s).is_some());
        let _ = crate::binary(raw, &facts, &p.path);
    }
    let _ = search_text(raw);
}

#[test]
fn garbage_empty_and_odd_line_endings() {
    let inputs: Vec<Vec<u8>> = vec![
        b"".to_vec(),
        b"\r\n".to_vec(),
        b"\n\n\n".to_vec(),
        b"\0\0\0\xff".to_vec(),
        b"no header separator and no colon".to_vec(),
        b"Subject: only header".to_vec(),
        b"Content-Type: multipart/mixed; boundary=\"\"\r\n\r\n----\r\n".to_vec(),
        b"Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n--x\r\n--x--".to_vec(),
        b"Content-Type: message/rfc822\r\n\r\n".to_vec(),
        b"Content-Type: message/rfc822\r\n\r\nContent-Type: message/rfc822\r\n\r\n".to_vec(),
        b"Content-Type: text/plain; charset=unknown-x\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!!".to_vec(),
        b"From: \"\r\nTo: <\r\nCc: (\r\nSubject: =?utf-8?q?=ZZ?=\r\n\r\n".to_vec(),
        b"Subject: a\rb\r\r\n\r\nbody\r".to_vec(),
        (0u8..=255).cycle().take(20_000).collect(),
    ];
    for raw in inputs {
        all_sections(&raw);
    }
}

#[test]
fn ten_thousand_nested_multiparts() {
    let n = 10_000;
    let mut raw = Vec::new();
    for i in 0..n {
        raw.extend_from_slice(
            format!("Content-Type: multipart/mixed; boundary=\"b{i}\"\r\n\r\n--b{i}\r\n")
                .as_bytes(),
        );
    }
    raw.extend_from_slice(b"Content-Type: text/plain\r\n\r\ndeep\r\n");
    for i in (0..n).rev() {
        raw.extend_from_slice(format!("--b{i}--\r\n").as_bytes());
    }
    let facts = analyze(&raw);
    let depth = facts.parts.iter().map(|p| p.path.len()).max().unwrap_or(0);
    assert!(depth <= MAX_DEPTH + 1, "depth {depth}");
    assert!(facts.bodystructure.starts_with(b"(("));
    all_sections(&raw);
}

#[test]
fn ten_thousand_nested_messages() {
    let n = 10_000;
    let mut raw = Vec::new();
    for _ in 0..n {
        raw.extend_from_slice(b"Subject: level\r\nContent-Type: message/rfc822\r\n\r\n");
    }
    raw.extend_from_slice(b"Subject: bottom\r\n\r\nbottom text\r\n");
    let facts = analyze(&raw);
    let depth = facts.parts.iter().map(|p| p.path.len()).max().unwrap_or(0);
    assert!(depth <= MAX_DEPTH + 1, "depth {depth}");
    all_sections(&raw);
}

#[test]
fn huge_header_lines_and_lists() {
    let mut raw = b"Subject: ".to_vec();
    raw.extend(std::iter::repeat_n(b"Re: ".iter().copied(), 200_000).flatten());
    raw.extend_from_slice(b"x\r\nTo: ");
    for i in 0..50_000 {
        raw.extend_from_slice(format!("u{i}@example.com, ").as_bytes());
    }
    raw.extend_from_slice(b"\r\nX-Long: ");
    raw.extend(std::iter::repeat_n(b'a', 2_000_000));
    raw.extend_from_slice(b"\r\n\r\nbody\r\n");
    let start = std::time::Instant::now();
    let facts = analyze(&raw);
    assert_eq!(facts.sort.subject, "X");
    assert_eq!(facts.sort.to, "U0");
    assert!(start.elapsed().as_secs() < 30, "took {:?}", start.elapsed());
    all_sections(&raw);
}

/// Stored facts: what `encode` writes `decode` reads back; JSON from before reads too; garbage
/// and a truncated encoding are `None` (the caller recomputes), never a panic. The encoding is
/// smaller than JSON.
#[test]
fn stored_facts_round_trip_and_old_json_reads() {
    let raw = b"From: a@b\r\nSubject: =?utf-8?q?caf=C3=A9?=\r\nContent-Type: multipart/mixed; \
boundary=x\r\n\r\n--x\r\nContent-Type: text/plain\r\n\r\nhi\r\n--x\r\nContent-Type: application/pdf\r\n\
Content-Transfer-Encoding: base64\r\n\r\nAAEC\r\n--x--\r\n";
    let facts = crate::analyze(raw);
    let stored = facts.encode();
    assert_eq!(crate::MessageFacts::decode(&stored).as_ref(), Some(&facts));
    let json = serde_json::to_vec(&facts).unwrap();
    assert_eq!(crate::MessageFacts::decode(&json).as_ref(), Some(&facts));
    assert!(
        stored.len() * 2 < json.len(),
        "{} vs {}",
        stored.len(),
        json.len()
    );
    for cut in 0..stored.len() {
        assert_eq!(crate::MessageFacts::decode(&stored[..cut]), None, "{cut}");
    }
    assert_eq!(crate::MessageFacts::decode(b"\x02junk"), None);
    assert_eq!(crate::MessageFacts::decode(b"{\"size\":"), None);
}

/// Address fields SEARCH parses (`SearchText::addresses`): a megabyte of garbage, 100,000
/// addresses, deep comments and unclosed brackets cost linear time and give a search form no
/// larger than about the value (the placeholders of broken addresses are not written), without
/// a panic.
#[test]
fn huge_and_garbage_address_fields() {
    const ALPHABET: &[u8] = b"ab <>()\"\\@,;:.[]=?\t\xc3\xa9";
    let mut seed = 0x5eed_u64;
    let garbage: Vec<u8> = (0..1_000_000)
        .map(|_| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ALPHABET[(seed >> 33) as usize % ALPHABET.len()]
        })
        .collect();
    let mut list = Vec::new();
    for i in 0..100_000 {
        list.extend_from_slice(format!("u{i} (c) <u{i}@example.com>, ").as_bytes());
    }
    let fields: [(&str, Vec<u8>); 6] = [
        ("From", garbage),
        ("To", list),
        ("To", b"@, <>, a@, ".repeat(100_000)),
        ("Cc", b"(".repeat(200_000)),
        ("Bcc", b"<a@b, ".repeat(200_000)),
        ("Cc", b"a:".repeat(200_000)),
    ];
    for (name, value) in fields {
        let mut raw = format!("{name}: ").into_bytes();
        raw.extend_from_slice(&value);
        raw.extend_from_slice(b"\r\n\r\nbody\r\n");
        let start = std::time::Instant::now();
        let text = search_text(&raw);
        assert!(
            start.elapsed().as_secs() < 20,
            "{name}: took {:?}",
            start.elapsed()
        );
        let form: usize = text.addresses.iter().map(|(_, v)| v.len()).sum();
        assert!(
            form <= value.len() + value.len() / 2 + 16,
            "{name}: {form} octets of search form for {}",
            value.len()
        );
    }
}

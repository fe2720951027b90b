use super::*;
use crate::analyze;

const NESTED: &str = "From: a@b\r\nSubject: outer\r\nContent-Type: multipart/mixed; boundary=o\r\n\r\n\
preamble\r\n--o\r\nContent-Type: text/plain\r\n\r\none\r\n--o\r\n\
Content-Type: multipart/alternative; boundary=i\r\n\r\n--i\r\nContent-Type: text/plain\r\n\r\n\
alt plain\r\n--i\r\nContent-Type: text/html\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n\
<p>caf=C3=A9</p>\r\n--i--\r\n--o\r\nContent-Type: message/rfc822\r\n\r\n\
Subject: inner\r\nX-Y: z\r\n\r\ninner body\r\n--o--\r\n";

fn sec(raw: &str, part: &[u32], text: Option<SectionText>) -> Option<String> {
    let facts = analyze(raw.as_bytes());
    let s = Section {
        part: part.to_vec(),
        text,
    };
    crate::section(raw.as_bytes(), &facts, &s).map(|c| String::from_utf8_lossy(&c).into_owned())
}

fn fields(names: &[&str], not: bool) -> Option<SectionText> {
    Some(SectionText::HeaderFields {
        not,
        fields: names.iter().map(|s| s.to_string()).collect(),
    })
}

#[test]
fn numbering_and_sections() {
    let r = NESTED;
    assert_eq!(sec(r, &[1], None).as_deref(), Some("one"));
    assert_eq!(
        sec(r, &[1], Some(SectionText::Mime)).as_deref(),
        Some("Content-Type: text/plain\r\n\r\n")
    );
    assert_eq!(sec(r, &[2, 1], None).as_deref(), Some("alt plain"));
    assert_eq!(
        sec(r, &[2, 2,], Some(SectionText::Mime)).as_deref(),
        Some("Content-Type: text/html\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n")
    );
    assert_eq!(
        sec(r, &[3, 0][..1], Some(SectionText::Header)).as_deref(),
        Some("Subject: inner\r\nX-Y: z\r\n\r\n")
    );
    assert_eq!(
        sec(r, &[3], Some(SectionText::Text)).as_deref(),
        Some("inner body")
    );
    assert_eq!(sec(r, &[3, 1], None).as_deref(), Some("inner body"));
    assert_eq!(
        sec(r, &[3], None).as_deref(),
        Some("Subject: inner\r\nX-Y: z\r\n\r\ninner body")
    );
    assert_eq!(sec(r, &[4], None), None);
    assert_eq!(sec(r, &[1, 1], None), None);
    assert_eq!(sec(r, &[1], Some(SectionText::Header)), None);
    assert_eq!(sec(r, &[], Some(SectionText::Mime)), None);
    assert_eq!(sec(r, &[], None).as_deref(), Some(r));
}

#[test]
fn single_part_message_has_part_one() {
    let r = "Subject: s\r\nContent-Type: text/plain\r\n\r\nbody\r\n";
    assert_eq!(sec(r, &[1], None).as_deref(), Some("body\r\n"));
    assert_eq!(
        sec(r, &[1], Some(SectionText::Mime)).as_deref(),
        Some("Subject: s\r\nContent-Type: text/plain\r\n\r\n")
    );
    assert_eq!(
        sec(r, &[], Some(SectionText::Text)).as_deref(),
        Some("body\r\n")
    );
    assert_eq!(sec(r, &[2], None), None);
}

#[test]
fn header_fields_filtering() {
    let r = "From: a@b\r\nSubject: one\r\n two\r\nX-Thing: 1\r\nsubject: again\r\n\r\nbody";
    assert_eq!(
        sec(r, &[], fields(&["SUBJECT"], false)).as_deref(),
        Some("Subject: one\r\n two\r\nsubject: again\r\n\r\n")
    );
    assert_eq!(
        sec(r, &[], fields(&["subject", "x-thing"], true)).as_deref(),
        Some("From: a@b\r\n\r\n")
    );
    assert_eq!(
        sec(r, &[], fields(&["none"], false)).as_deref(),
        Some("\r\n")
    );
    // No body and no blank line: no blank line either (RFC 9051 §6.4.5).
    let r = "From: a@b\r\nSubject: s";
    assert_eq!(
        sec(r, &[], fields(&["subject"], false)).as_deref(),
        Some("Subject: s\r\n")
    );
    let r = "garbage line\nFrom: a@b\n\nbody";
    assert_eq!(
        sec(r, &[], fields(&["from"], true)).as_deref(),
        Some("garbage line\n\n")
    );
    assert_eq!(
        sec(NESTED, &[3], fields(&["x-y"], false)).as_deref(),
        Some("X-Y: z\r\n\r\n")
    );
}

#[test]
fn binary_decoding() {
    let facts = analyze(NESTED.as_bytes());
    let got = crate::binary(NESTED.as_bytes(), &facts, &[2, 2]).map(|c| c.into_owned());
    assert_eq!(got, Ok("<p>café</p>".as_bytes().to_vec()));
    assert_eq!(
        crate::binary(NESTED.as_bytes(), &facts, &[9]),
        Err(BinaryError::NoSuchPart)
    );
    let r = "Content-Type: application/x\r\nContent-Transfer-Encoding: x-uuencode\r\n\r\nbegin\r\n";
    let facts = analyze(r.as_bytes());
    assert_eq!(
        crate::binary(r.as_bytes(), &facts, &[1]),
        Err(BinaryError::UnknownCte("x-uuencode".into()))
    );
    let r = "Content-Transfer-Encoding: base64\r\n\r\nAAEC\r\n/w==\r\n";
    let facts = analyze(r.as_bytes());
    let got = crate::binary(r.as_bytes(), &facts, &[1]).map(|c| c.into_owned());
    assert_eq!(got, Ok(vec![0, 1, 2, 255]));
}

#[test]
fn qp_and_partial() {
    assert_eq!(qp_decode(b"a=3Db =\r\nc  \r\nd=zz"), b"a=b c\r\nd=zz");
    assert_eq!(partial(b"hello", 1, 3), b"ell");
    assert_eq!(partial(b"hello", 9, 3), b"");
    assert_eq!(partial(b"hello", 3, u64::MAX), b"lo");
}

/// Every section and BINARY of every part answers the same from the prefix `section_end` /
/// `binary_end` name as from the whole message, and a header needs only the header.
#[test]
fn prefixes_answer_as_the_whole() {
    let no_header = "no header at all";
    let single = "Subject: one\r\nContent-Transfer-Encoding: base64\r\n\r\nAAEC\r\n";
    for raw in [NESTED, no_header, single] {
        let facts = analyze(raw.as_bytes());
        let mut paths: Vec<Vec<u32>> = facts.parts.iter().map(|p| p.path.clone()).collect();
        paths.push(vec![9]);
        let texts = [
            None,
            Some(SectionText::Header),
            Some(SectionText::Text),
            Some(SectionText::Mime),
            fields(&["subject", "x-y"], false),
            fields(&["subject"], true),
        ];
        for part in &paths {
            for text in &texts {
                let s = Section {
                    part: part.clone(),
                    text: text.clone(),
                };
                let end = crate::section_end(&facts, &s) as usize;
                assert!(end <= raw.len());
                let whole = crate::section(raw.as_bytes(), &facts, &s);
                let prefix = crate::section(&raw.as_bytes()[..end], &facts, &s);
                assert_eq!(prefix, whole, "{raw:?} {s:?}");
            }
            let end = crate::binary_end(&facts, part) as usize;
            assert_eq!(
                crate::binary(&raw.as_bytes()[..end], &facts, part),
                crate::binary(raw.as_bytes(), &facts, part),
                "{raw:?} BINARY {part:?}"
            );
        }
    }
    let facts = analyze(NESTED.as_bytes());
    let header = Section {
        part: vec![],
        text: fields(&["subject"], false),
    };
    let end = crate::section_end(&facts, &header) as usize;
    assert!(NESTED[..end].ends_with("boundary=o\r\n\r\n"), "{end}");
}

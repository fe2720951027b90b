//! Exact-byte tests for FETCH responses (RFC examples first, hostile values next to them).

use super::*;
use crate::response::envelope::{RFC9051_SAMPLE_WIRE, rfc9051_sample};
use crate::response::{BodyFields, SingleKind, SinglePart, SinglePartExtension};
use crate::response::{Response, assert_wire};
use crate::types::Date;
use crate::write::WriteOptions;
use FetchItem as F;
use bytes::Bytes;

const REV1: WriteOptions = WriteOptions::SERVER_REV1;
const UTF8: WriteOptions = WriteOptions::SERVER_UTF8;

fn b(s: &str) -> IString {
    Bytes::copy_from_slice(s.as_bytes())
}

/// Asserts that `* n FETCH (items)` is written as `* n FETCH (` + `inner` + `)` CRLF.
fn check(n: u32, items: Vec<FetchItem>, opts: WriteOptions, inner: &[u8]) {
    let want = [format!("* {n} FETCH (").as_bytes(), inner, b")\r\n"].concat();
    assert_wire(
        &Response::Fetch(FetchResponse { seq: n, items }),
        opts,
        &want,
    );
}

fn date((y, mo, d): (u16, u8, u8), (h, mi, s): (u8, u8, u8), zone: i16) -> DateTime {
    DateTime::new(Date::new(y, mo, d).unwrap(), h, mi, s, zone).unwrap()
}

fn sect(
    part: &[u32],
    text: Option<SectionText>,
    origin: Option<u64>,
    data: Option<&[u8]>,
) -> FetchItem {
    let section = Section {
        part: part.to_vec(),
        text,
    };
    F::BodySection {
        section,
        origin,
        data: data.map(Bytes::copy_from_slice),
    }
}

fn bin(part: &[u32], origin: Option<u64>, data: Option<&[u8]>) -> FetchItem {
    F::Binary {
        part: part.to_vec(),
        origin,
        data: data.map(Bytes::copy_from_slice),
    }
}

fn fields(names: &[&str], not: bool) -> Option<SectionText> {
    Some(SectionText::HeaderFields {
        not,
        fields: names.iter().map(|s| s.to_string()).collect(),
    })
}

#[test]
fn rfc_simple_examples() {
    let size = vec![
        F::Flags(vec![Flag::Seen]),
        F::Rfc822Size(44827),
        F::Uid(447),
    ];
    check(23, size, REV1, b"FLAGS (\\Seen) RFC822.SIZE 44827 UID 447");
    let uid_first = vec![F::Uid(1305), F::Flags(vec![Flag::Seen, Flag::Deleted])];
    check(14, uid_first, REV1, b"UID 1305 FLAGS (\\Seen \\Deleted)");
    check(
        1,
        vec![F::Uid(4), F::ModSeq(12121231000)],
        REV1,
        b"UID 4 MODSEQ (12121231000)",
    );
    let ids = vec![
        F::EmailId("M6d99ac3275bb4e".into()),
        F::ThreadId(Some("T64b478a75b7ea9".into())),
    ];
    check(
        1,
        ids,
        REV1,
        b"EMAILID (M6d99ac3275bb4e) THREADID (T64b478a75b7ea9)",
    );
    let no_thread = vec![F::EmailId("M00000001".into()), F::ThreadId(None)];
    check(1, no_thread, REV1, b"EMAILID (M00000001) THREADID NIL");
    // RFC 8514 writes "01-Jan-2015"; date-day-fixed also allows " 1", which Writer uses.
    let saved = vec![F::SaveDate(Some(date((2015, 1, 1), (18, 50, 53), 60)))];
    check(998, saved, REV1, b"SAVEDATE \" 1-Jan-2015 18:50:53 +0100\"");
    check(9, vec![F::SaveDate(None)], REV1, b"SAVEDATE NIL");
    check(
        1,
        vec![F::Preview(Some(b("Preview text!")))],
        REV1,
        b"PREVIEW \"Preview text!\"",
    );
    check(
        9,
        vec![F::Uid(23), F::Preview(None)],
        REV1,
        b"UID 23 PREVIEW NIL",
    );
    check(2, vec![F::Preview(Some(b("")))], REV1, b"PREVIEW \"\"");
}

/// RFC 9051 §8: `a003 fetch 12 full`, joined onto one line.
#[test]
fn rfc_sample_fetch_full() {
    let body = BodyStructure::Single(SinglePart {
        media_type: b("TEXT"),
        subtype: b("PLAIN"),
        fields: BodyFields {
            params: vec![(b("CHARSET"), b("US-ASCII"))],
            id: None,
            description: None,
            encoding: b("7BIT"),
            octets: 3028,
        },
        kind: SingleKind::Text { lines: 92 },
        extension: SinglePartExtension::default(),
    });
    let items = vec![
        F::Flags(vec![Flag::Seen]),
        F::InternalDate(date((1996, 7, 17), (2, 44, 25), -420)),
        F::Rfc822Size(4286),
        F::Envelope(Box::new(rfc9051_sample())),
        F::Body(Box::new(body.clone())),
    ];
    let want = [
        &b"FLAGS (\\Seen) INTERNALDATE \"17-Jul-1996 02:44:25 -0700\" \
RFC822.SIZE 4286 ENVELOPE "[..],
        RFC9051_SAMPLE_WIRE,
        b" BODY (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 3028 92)",
    ]
    .concat();
    check(12, items, REV1, &want);
    check(
        12,
        vec![F::BodyStructure(Box::new(body))],
        REV1,
        b"BODYSTRUCTURE (\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 3028 92 \
NIL NIL NIL NIL)",
    );
}

#[test]
fn body_sections_are_written_back_as_asked() {
    let header = b"Date: Wed, 17 Jul 1996\r\nSubject: x\r\n\r\n";
    let items = vec![sect(&[], Some(SectionText::Header), None, Some(header))];
    check(
        12,
        items,
        REV1,
        b"BODY[HEADER] {38}\r\nDate: Wed, 17 Jul 1996\r\nSubject: x\r\n\r\n",
    );
    let items = vec![sect(
        &[1, 2],
        fields(&["FROM", "TO"], false),
        None,
        Some(b"From: a\r\n\r\n"),
    )];
    check(
        1,
        items,
        REV1,
        b"BODY[1.2.HEADER.FIELDS (FROM TO)] {11}\r\nFrom: a\r\n\r\n",
    );
    let items = vec![sect(&[], fields(&["Received"], true), None, Some(b""))];
    check(1, items, REV1, b"BODY[HEADER.FIELDS.NOT (Received)] \"\"");
    let items = vec![sect(&[3], Some(SectionText::Mime), None, None)];
    check(1, items, REV1, b"BODY[3.MIME] NIL");
    let items = vec![sect(&[4, 1], Some(SectionText::Text), None, Some(b"hi"))];
    check(1, items, REV1, b"BODY[4.1.TEXT] \"hi\"");
    let items = vec![sect(&[], None, Some(0), Some(b"Date: x\r\n"))];
    check(1, items, REV1, b"BODY[]<0> {9}\r\nDate: x\r\n");
    check(
        1,
        vec![sect(&[2], None, Some(1024), Some(b"abc"))],
        REV1,
        b"BODY[2]<1024> \"abc\"",
    );
}

#[test]
fn body_sections_with_hostile_contents() {
    check(
        1,
        vec![sect(&[], None, None, Some(b"NIL"))],
        REV1,
        b"BODY[] \"NIL\"",
    );
    check(
        1,
        vec![sect(&[], None, None, Some(b"a\0b"))],
        REV1,
        b"BODY[] {2}\r\nab",
    );
    let injection = vec![sect(&[], None, None, Some(b"\r\n)\r\n* BYE"))];
    check(1, injection, REV1, b"BODY[] {10}\r\n\r\n)\r\n* BYE");
    let utf8 = vec![sect(&[], None, None, Some("é".as_bytes()))];
    check(1, utf8, UTF8, "BODY[] \"é\"".as_bytes());
    check(
        1,
        vec![sect(&[], None, None, Some(b"\xff"))],
        UTF8,
        b"BODY[] {1}\r\n\xff",
    );
    let long = vec![b'a'; 4096];
    let want = [&b"BODY[] {4096}\r\n"[..], &long].concat();
    check(1, vec![sect(&[], None, None, Some(&long))], REV1, &want);
    let odd = vec![sect(
        &[],
        fields(&["X Y", "NIL", "a\r\n"], false),
        None,
        None,
    )];
    check(
        1,
        odd,
        REV1,
        b"BODY[HEADER.FIELDS (\"X Y\" NIL {3}\r\na\r\n)] NIL",
    );
}

#[test]
fn rfc822_items() {
    let items = vec![
        F::Rfc822Header(Some(b("Subject: x\r\n\r\n"))),
        F::Rfc822Text(Some(b("body"))),
        F::Rfc822(None),
    ];
    check(
        3,
        items,
        REV1,
        b"RFC822.HEADER {14}\r\nSubject: x\r\n\r\n RFC822.TEXT \"body\" RFC822 NIL",
    );
}

#[test]
fn binary_items() {
    check(
        1,
        vec![bin(&[1], None, Some(b"\x00\x01\xffGIF"))],
        REV1,
        b"BINARY[1] ~{6}\r\n\x00\x01\xffGIF",
    );
    check(
        1,
        vec![bin(&[], None, Some(b"hello"))],
        REV1,
        b"BINARY[] \"hello\"",
    );
    let eight_bit = vec![bin(&[1, 2], Some(100), Some("Grüße\r\n".as_bytes()))];
    check(
        1,
        eight_bit,
        REV1,
        "BINARY[1.2]<100> {9}\r\nGrüße\r\n".as_bytes(),
    );
    check(1, vec![bin(&[2], None, None)], REV1, b"BINARY[2] NIL");
    check(
        1,
        vec![bin(&[2], None, Some(b"NIL"))],
        REV1,
        b"BINARY[2] \"NIL\"",
    );
    let sizes = vec![
        F::BinarySize {
            part: vec![1, 2],
            size: 42,
        },
        F::BinarySize {
            part: vec![],
            size: 0,
        },
    ];
    check(1, sizes, REV1, b"BINARY.SIZE[1.2] 42 BINARY.SIZE[] 0");
}

#[test]
fn flags_and_ids_with_hostile_values() {
    use Flag::*;
    let all = vec![
        Recent,
        Draft,
        Answered,
        Flagged,
        Keyword("$Forwarded".into()),
        Keyword("a)\r\n".into()),
    ];
    check(
        5,
        vec![F::Flags(all)],
        REV1,
        b"FLAGS (\\Recent \\Draft \\Answered \\Flagged $Forwarded a___)",
    );
    check(5, vec![F::Flags(vec![])], REV1, b"FLAGS ()");
    let ids = vec![
        F::EmailId("M1) UID 9".into()),
        F::ThreadId(Some(String::new())),
    ];
    check(5, ids, REV1, b"EMAILID (M1__UID_9) THREADID (_)");
    check(
        5,
        vec![F::Preview(Some(b("line\r\nbreak")))],
        REV1,
        b"PREVIEW {11}\r\nline\r\nbreak",
    );
    check(
        5,
        vec![F::Preview(Some(b("Grüße")))],
        UTF8,
        "PREVIEW \"Grüße\"".as_bytes(),
    );
    check(
        u32::MAX,
        vec![F::ModSeq(u64::MAX >> 1)],
        REV1,
        b"MODSEQ (9223372036854775807)",
    );
}

#[test]
fn streamed_items_write_the_bytes_of_the_whole_response() {
    let data = vec![b'x'; 3000];
    let section = Section {
        part: vec![1],
        text: None,
    };
    let whole = Response::Fetch(FetchResponse {
        seq: 7,
        items: vec![
            F::Uid(9),
            F::BodySection {
                section: section.clone(),
                origin: Some(0),
                data: Some(Bytes::from(data.clone())),
            },
            F::Rfc822Size(3000),
        ],
    })
    .to_bytes(REV1);
    let mut w = Writer::new(REV1);
    let mut f = FetchWriter::start(&mut w, 7);
    f.item(&mut w, &F::Uid(9));
    f.streamed(
        &mut w,
        &StreamedItem {
            kind: StreamedKind::Body(section),
            origin: Some(0),
            len: 3000,
        },
    );
    w.raw(&data[..1000]).raw(&data[1000..]);
    f.item(&mut w, &F::Rfc822Size(3000));
    f.end(&mut w);
    assert_eq!(
        String::from_utf8_lossy(&w.buf),
        String::from_utf8_lossy(&whole)
    );

    // BINARY always as a literal8; RFC822 items by their names.
    let mut w = Writer::new(REV1);
    let mut f = FetchWriter::start(&mut w, 1);
    for (kind, len) in [
        (StreamedKind::Binary(vec![2, 1]), 2),
        (StreamedKind::Rfc822, 1),
        (StreamedKind::Rfc822Header, 1),
        (StreamedKind::Rfc822Text, 1),
    ] {
        let origin = matches!(kind, StreamedKind::Binary(_)).then_some(5);
        f.streamed(&mut w, &StreamedItem { kind, origin, len });
        w.raw(&b"\0z"[..len as usize]);
    }
    f.end(&mut w);
    assert_eq!(
        w.buf,
        b"* 1 FETCH (BINARY[2.1]<5> ~{2}\r\n\0z RFC822 {1}\r\n\0 RFC822.HEADER {1}\r\n\0 \
          RFC822.TEXT {1}\r\n\0)\r\n"
    );
}

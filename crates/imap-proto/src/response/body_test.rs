//! Exact-byte tests for BODY / BODYSTRUCTURE (RFC 9051 §7.5.2 examples first).

use super::*;
use crate::response::{Address, Envelope};
use crate::write::WriteOptions;
use bytes::Bytes;

const REV1: WriteOptions = WriteOptions::SERVER_REV1;
const UTF8: WriteOptions = WriteOptions::SERVER_UTF8;

fn b(s: &str) -> IString {
    Bytes::copy_from_slice(s.as_bytes())
}

fn pairs(v: &[(&str, &str)]) -> Vec<(IString, IString)> {
    v.iter().map(|(n, x)| (b(n), b(x))).collect()
}

fn fields(params: &[(&str, &str)], encoding: &str, octets: u32) -> BodyFields {
    BodyFields {
        params: pairs(params),
        id: None,
        description: None,
        encoding: b(encoding),
        octets,
    }
}

fn text(subtype: &str, f: BodyFields, lines: u32) -> SinglePart {
    SinglePart {
        media_type: b("TEXT"),
        subtype: b(subtype),
        fields: f,
        kind: SingleKind::Text { lines },
        extension: SinglePartExtension::default(),
    }
}

fn render(body: &BodyStructure, extended: bool, opts: WriteOptions) -> Vec<u8> {
    let mut w = Writer::new(opts);
    body.serialize(&mut w, extended);
    w.take()
}

fn check(body: &BodyStructure, extended: bool, opts: WriteOptions, want: &[u8]) {
    let got = render(body, extended, opts);
    assert!(
        got == want,
        "\n got: {}\nwant: {}",
        got.escape_ascii(),
        want.escape_ascii()
    );
}

fn ascii_plain(octets: u32, lines: u32) -> BodyStructure {
    BodyStructure::Single(text(
        "PLAIN",
        fields(&[("CHARSET", "US-ASCII")], "7BIT", octets),
        lines,
    ))
}

#[test]
fn rfc_single_text_part() {
    let body = ascii_plain(2279, 48);
    check(
        &body,
        false,
        REV1,
        b"(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 2279 48)",
    );
    check(
        &body,
        true,
        REV1,
        b"(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 2279 48 NIL NIL NIL NIL)",
    );
}

#[test]
fn rfc_two_part_message() {
    let mut diff = text(
        "PLAIN",
        fields(
            &[("CHARSET", "US-ASCII"), ("NAME", "cc.diff")],
            "BASE64",
            4554,
        ),
        73,
    );
    diff.fields.id = Some(b("<960723163407.20117h@cac.washington.edu>"));
    diff.fields.description = Some(b("Compiler diff"));
    let body = BodyStructure::Multi(MultiPart {
        parts: vec![ascii_plain(1152, 23), BodyStructure::Single(diff)],
        subtype: b("MIXED"),
        extension: MultiPartExtension::default(),
    });
    check(
        &body,
        false,
        REV1,
        b"((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 1152 23)\
(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\" \"NAME\" \"cc.diff\") \
\"<960723163407.20117h@cac.washington.edu>\" \"Compiler diff\" \"BASE64\" 4554 73) \"MIXED\")",
    );
}

#[test]
fn extension_data_in_order() {
    let pdf = SinglePart {
        media_type: b("APPLICATION"),
        subtype: b("PDF"),
        fields: fields(&[("NAME", "a.pdf")], "BASE64", 1024),
        kind: SingleKind::Basic,
        extension: SinglePartExtension {
            md5: Some(b("Q2hlY2sgSW50ZWdyaXR5IQ==")),
            disposition: Some(Disposition {
                kind: b("ATTACHMENT"),
                params: pairs(&[("FILENAME", "a.pdf")]),
            }),
            language: vec![b("en")],
            location: Some(b("http://example.com/a.pdf")),
        },
    };
    let body = BodyStructure::Multi(MultiPart {
        parts: vec![ascii_plain(10, 1), BodyStructure::Single(pdf)],
        subtype: b("MIXED"),
        extension: MultiPartExtension {
            params: pairs(&[("BOUNDARY", "xyz")]),
            disposition: Some(Disposition {
                kind: b("INLINE"),
                params: vec![],
            }),
            language: vec![b("en"), b("de")],
            location: None,
        },
    });
    check(
        &body,
        true,
        REV1,
        b"((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 10 1 NIL NIL NIL NIL)\
(\"APPLICATION\" \"PDF\" (\"NAME\" \"a.pdf\") NIL NIL \"BASE64\" 1024 \"Q2hlY2sgSW50ZWdyaXR5IQ==\" \
(\"ATTACHMENT\" (\"FILENAME\" \"a.pdf\")) \"en\" \"http://example.com/a.pdf\") \
\"MIXED\" (\"BOUNDARY\" \"xyz\") (\"INLINE\" NIL) (\"en\" \"de\") NIL)",
    );
    check(
        &body,
        false,
        REV1,
        b"((\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 10 1)\
(\"APPLICATION\" \"PDF\" (\"NAME\" \"a.pdf\") NIL NIL \"BASE64\" 1024) \"MIXED\")",
    );
}

#[test]
fn nested_message_carries_envelope_body_and_lines() {
    let envelope = Envelope {
        subject: Some(b("fwd")),
        from: vec![Address::new(None, b("a"), b("b.example"))],
        ..Default::default()
    };
    let inner = SinglePart {
        media_type: b("MESSAGE"),
        subtype: b("RFC822"),
        fields: fields(&[], "7BIT", 300),
        kind: SingleKind::Message {
            envelope: Box::new(envelope),
            body: Box::new(ascii_plain(20, 2)),
            lines: 12,
        },
        extension: SinglePartExtension::default(),
    };
    let body = BodyStructure::Single(inner);
    check(
        &body,
        false,
        REV1,
        b"(\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 300 \
(NIL \"fwd\" ((NIL NIL \"a\" \"b.example\")) NIL NIL NIL NIL NIL NIL NIL) \
(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 20 2) 12)",
    );
    check(
        &body,
        true,
        REV1,
        b"(\"MESSAGE\" \"RFC822\" NIL NIL NIL \"7BIT\" 300 \
(NIL \"fwd\" ((NIL NIL \"a\" \"b.example\")) NIL NIL NIL NIL NIL NIL NIL) \
(\"TEXT\" \"PLAIN\" (\"CHARSET\" \"US-ASCII\") NIL NIL \"7BIT\" 20 2 NIL NIL NIL NIL) 12 \
NIL NIL NIL NIL)",
    );
}

#[test]
fn hostile_values() {
    let mut part = text(
        "plain",
        fields(&[("name", "NIL"), ("x", "a\r\nb"), ("q", "\"\\")], "", 0),
        0,
    );
    part.media_type = b("");
    part.fields.id = Some(b("NIL"));
    part.fields.description = Some(b("d\0e"));
    let body = BodyStructure::Single(part);
    check(
        &body,
        false,
        REV1,
        b"(\"\" \"plain\" (\"name\" \"NIL\" \"x\" {4}\r\na\r\nb \"q\" \"\\\"\\\\\") \
\"NIL\" {2}\r\nde \"\" 0 0)",
    );
    let mut latin = text("PLAIN", fields(&[("NAME", "Grüße.txt")], "8BIT", 5), 1);
    latin.extension.language = vec![b("de"), b("")];
    let body = BodyStructure::Single(latin);
    check(
        &body,
        true,
        REV1,
        "(\"TEXT\" \"PLAIN\" (\"NAME\" {11}\r\nGrüße.txt) NIL NIL \"8BIT\" 5 1 \
NIL NIL (\"de\" \"\") NIL)"
            .as_bytes(),
    );
    check(
        &body,
        true,
        UTF8,
        "(\"TEXT\" \"PLAIN\" (\"NAME\" \"Grüße.txt\") NIL NIL \"8BIT\" 5 1 \
NIL NIL (\"de\" \"\") NIL)"
            .as_bytes(),
    );
    let long = "x".repeat(1100);
    let mut big = text(
        "PLAIN",
        fields(&[("NAME", &long)], "7BIT", u32::MAX),
        u32::MAX,
    );
    big.fields.params.truncate(1);
    let mut want = b"(\"TEXT\" \"PLAIN\" (\"NAME\" {1100}\r\n".to_vec();
    want.extend_from_slice(long.as_bytes());
    want.extend_from_slice(b") NIL NIL \"7BIT\" 4294967295 4294967295)");
    check(&BodyStructure::Single(big), false, REV1, &want);
}

#[test]
fn empty_multipart_still_has_one_part() {
    let empty = BodyStructure::Multi(MultiPart {
        parts: vec![],
        subtype: b("MIXED"),
        extension: MultiPartExtension::default(),
    });
    check(
        &empty,
        false,
        REV1,
        b"((\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 0 0) \"MIXED\")",
    );
    check(
        &empty,
        true,
        REV1,
        b"((\"TEXT\" \"PLAIN\" NIL NIL NIL \"7BIT\" 0 0) \"MIXED\" NIL NIL NIL NIL)",
    );
}

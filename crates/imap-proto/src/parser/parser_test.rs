//! Unit tests of the shared productions; each family's table is at the bottom of its module in
//! `crate::commands`, and whole-command RFC tables live in tests/rfc_examples.rs.

use super::*;
use crate::types::{Date, SeqNum, SeqRange, SequenceSet};

fn p(s: &[u8]) -> Parser<'_> {
    Parser {
        s,
        pos: 0,
        literals: Vec::new().into_iter(),
        max_depth: 8,
        open_parens: 0,
    }
}

#[test]
fn quoted_strings_unescape_and_reject_bad_octets() {
    assert_eq!(&p(br#""a\"b\\c""#).astring().unwrap()[..], br#"a"b\c"#);
    assert_eq!(
        p(b"\"a\\nb\"").astring().unwrap_err(),
        ErrorKind::Syntax(
            "expected '\"' or '\\' after '\\' in a quoted string at offset 3, found 'n'".into()
        )
    );
    assert_eq!(p(b"\"a\0\"").astring().unwrap_err(), ErrorKind::Nul);
    assert_eq!(
        p(b"\"\xff\"").astring().unwrap_err(),
        ErrorKind::InvalidUtf8
    );
    assert_eq!(
        &p("\"Grüße\"".as_bytes()).astring().unwrap()[..],
        "Grüße".as_bytes()
    );
    assert_eq!(p(b"abc\xe9").astring().unwrap_err(), ErrorKind::EightBit);
}

#[test]
fn numbers_respect_their_ranges() {
    assert_eq!(p(b"4294967295").number().unwrap(), u32::MAX);
    assert!(p(b"4294967296").number().is_err());
    assert!(p(b"0").nz_number().is_err());
    assert_eq!(
        p(b"9223372036854775807").number64().unwrap(),
        i64::MAX as u64
    );
    assert!(p(b"9223372036854775808").number64().is_err());
    assert!(p(b"99999999999999999999999").number64().is_err());
}

#[test]
fn sequence_sets() {
    let s = p(b"1:*,5").seq_set().unwrap();
    assert_eq!(
        s,
        SequenceSet::Ranges(vec![
            SeqRange {
                start: SeqNum::Value(1),
                end: SeqNum::Star
            },
            SeqRange::single(5),
        ])
    );
    assert!(p(b"1,$").seq_set().is_err(), "$ stands alone (RFC 5182)");
    assert_eq!(p(b"$").seq_set().unwrap(), SequenceSet::Saved);
    assert!(p(b"0").seq_set().is_err());
    assert!(p(b":3").seq_set().is_err());
}

#[test]
fn dates_and_date_times() {
    assert_eq!(
        p(b"1-Feb-1994").date().unwrap(),
        Date::new(1994, 2, 1).unwrap()
    );
    assert_eq!(
        p(b"\"01-feb-1994\"").date().unwrap(),
        Date::new(1994, 2, 1).unwrap()
    );
    assert!(p(b"30-Feb-1994").date().is_err());
    assert!(p(b"1-Foo-1994").date().is_err());
    let dt = p(b"\" 7-Feb-1994 21:52:25 -0800\"").date_time().unwrap();
    assert_eq!(dt.to_string(), " 7-Feb-1994 21:52:25 -0800");
    assert!(p(b"\"07-Feb-1994 24:00:00 +0000\"").date_time().is_err());
    assert!(p(b"\"07-Feb-1994 21:52:25 +0060\"").date_time().is_err());
}

#[test]
fn flags() {
    assert_eq!(
        p(b"(\\Seen $Junk \\X)").flag_list().unwrap(),
        vec![
            Flag::Seen,
            Flag::Keyword("$Junk".into()),
            Flag::Extension("X".into())
        ]
    );
    assert_eq!(p(b"()").flag_list().unwrap(), vec![]);
    assert!(
        p(b"(\\*)").flag_list().is_err(),
        "\\* is only for PERMANENTFLAGS"
    );
    assert_eq!(
        p(b"(\\Seen").flag_list().unwrap_err(),
        ErrorKind::Unbalanced
    );
}

#[test]
fn charset_names_are_ascii_atoms_or_quoted() {
    assert_eq!(p(b"utf-8").charset().unwrap(), "UTF-8");
    assert_eq!(p(b"\"iso-8859-1\"").charset().unwrap(), "ISO-8859-1");
    // Found by the fuzzer: a UTF-8 quoted "charset" could not be written back (no literal form).
    assert!(p("\"CH \u{1bb}\"".as_bytes()).charset().is_err());
    assert!(p(b"{5}\r\nUTF-8").charset().is_err());
}

/// Doubled blanks between arguments (clients in the wild send `STORE 1  FLAGS (\Deleted)`)
/// parse as single ones, wherever they are between two arguments; after the tag, as trailing
/// blanks, or inside a quoted string they still count.
#[test]
fn doubled_blanks() {
    let commands = [
        "a STORE 1 FLAGS (\\Deleted \\Seen)",
        "a UID STORE 1:3 +FLAGS.SILENT (\\Seen)",
        "a FETCH 1:* (UID FLAGS BODY.PEEK[HEADER.FIELDS (SUBJECT FROM)])",
        "a SEARCH OR FROM alice SUBJECT \"two  words\" SINCE 1-Jan-2026",
        "a UID SEARCH RETURN (MIN COUNT) UNSEEN",
        "a ENABLE CONDSTORE QRESYNC",
        "a SELECT INBOX (CONDSTORE)",
        "a LIST \"\" (INBOX Sent) RETURN (CHILDREN)",
        "a COPY 1:2 Archive",
        "a STATUS INBOX (MESSAGES UNSEEN)",
        "a LOGIN alice \"pass word\"",
    ];
    for one in commands {
        let single = parse(one.as_bytes(), Vec::new(), 8).unwrap();
        // Double every blank after the tag's, except those inside the quoted strings.
        let (tag, rest) = one.split_once(' ').unwrap();
        let mut doubled = format!("{tag} ");
        let mut quoted = false;
        for ch in rest.chars() {
            if ch == '"' {
                quoted = !quoted;
            }
            doubled.push(ch);
            if ch == ' ' && !quoted {
                doubled.push(' ');
            }
        }
        let twice = parse(doubled.as_bytes(), Vec::new(), 8);
        assert_eq!(twice.as_ref(), Ok(&single), "{doubled}");
    }
    for bad in ["a  NOOP", "a NOOP ", "a STORE 1 FLAGS (\\Seen) ", "a\tNOOP"] {
        assert!(parse(bad.as_bytes(), Vec::new(), 8).is_err(), "{bad:?}");
    }
    // A quoted string keeps its blanks.
    let Ok(Command {
        body: CommandBody::Login { password, .. },
        ..
    }) = parse(b"a LOGIN u \"p  w\"", Vec::new(), 8)
    else {
        panic!("LOGIN")
    };
    assert_eq!(&password[..], b"p  w");
}

//! SEARCH's table: what search programs encode to, and what raw commands parse to or are refused
//! with.

use super::{EntryType, SearchKey, SearchReturn};
use crate::command::CommandBody;
use crate::commands::testing::{UTF8_PLUS, b, check, date, enc_with, parses, refuses, syntax};
use crate::error::ErrorKind;
use crate::types::SequenceSet;

fn search(criteria: Vec<SearchKey>) -> CommandBody {
    CommandBody::Search {
        uid: false,
        charset: None,
        ret: None,
        criteria,
    }
}

#[test]
fn search_simple_keys_and_dates() {
    use SearchKey::*;
    check(
        search(vec![
            Flagged,
            Since(date(1994, 2, 1)),
            Not(Box::new(From(b("Smith")))),
        ]),
        b"a1 SEARCH FLAGGED SINCE 1-Feb-1994 NOT FROM Smith\r\n",
    );
    check(search(vec![]), b"a1 SEARCH ALL\r\n");
    check(
        search(vec![
            Header("Message-ID".into(), b("<a@b>")),
            Larger(9_223_372_036_854_775_807),
        ]),
        b"a1 SEARCH HEADER Message-ID <a@b> LARGER 9223372036854775807\r\n",
    );
}

#[test]
fn search_return_charset_and_nesting() {
    use SearchKey::*;
    let body = CommandBody::Search {
        uid: true,
        charset: Some("UTF-8".into()),
        ret: Some(vec![
            SearchReturn::Min,
            SearchReturn::Count,
            SearchReturn::Save,
        ]),
        criteria: vec![
            Or(
                Box::new(And(vec![Seen, Deleted])),
                Box::new(SequenceSet(self::SequenceSet::Saved)),
            ),
            Uid(self::SequenceSet::range(1, 5)),
        ],
    };
    check(
        body,
        b"a1 UID SEARCH RETURN (MIN COUNT SAVE) CHARSET UTF-8 OR (SEEN DELETED) $ UID 1:5\r\n",
    );
    check(
        CommandBody::Search {
            uid: false,
            charset: None,
            ret: Some(vec![]),
            criteria: vec![All],
        },
        b"a1 SEARCH RETURN () ALL\r\n",
    );
}

#[test]
fn search_extension_keys() {
    use SearchKey::*;
    check(
        search(vec![
            ModSeq {
                entry: Some((b("/flags/\\draft"), EntryType::All)),
                mod_seq: 620162338,
            },
            ModSeq {
                entry: None,
                mod_seq: 0,
            },
            Younger(259200),
            Older(1),
            SavedBefore(date(2019, 1, 31)),
            SaveDateSupported,
            EmailId("M6d99ac3275bb4e".into()),
            ThreadId("T64b478a75b7ea9".into()),
            Fuzzy(Box::new(Subject(b("hello")))),
            Keyword("$Junk".into()),
            Unkeyword("NonJunk".into()),
        ]),
        b"a1 SEARCH MODSEQ \"/flags/\\\\draft\" all 620162338 MODSEQ 0 YOUNGER 259200 OLDER 1 \
          SAVEDBEFORE 31-Jan-2019 SAVEDATESUPPORTED EMAILID M6d99ac3275bb4e \
          THREADID T64b478a75b7ea9 FUZZY SUBJECT hello KEYWORD $Junk UNKEYWORD NonJunk\r\n",
    );
}

#[test]
fn search_hostile_strings() {
    use SearchKey::*;
    check(
        search(vec![Subject(b("a\"b\\c")), Text(b("x\r\ny")), Body(b(""))]),
        b"a1 SEARCH SUBJECT \"a\\\"b\\\\c\" TEXT {4}\r\nx\r\ny BODY \"\"\r\n",
    );
    // A keyword that is not an atom is sent as a string: the server says BAD, no injection.
    check(
        search(vec![Keyword("a b".into())]),
        b"a1 SEARCH KEYWORD \"a b\"\r\n",
    );
    assert_eq!(
        enc_with(search(vec![To(b("Dürst"))]), UTF8_PLUS),
        "a1 SEARCH TO \"Dürst\"\r\n".as_bytes()
    );
    check(
        search(vec![Cc(b("Dürst"))]),
        "a1 SEARCH CC {6}\r\nDürst\r\n".as_bytes(),
    );
}

#[test]
fn parse_table() {
    use SearchKey::*;
    // Depth 65 under the default limits (64): refused before the parser recurses further.
    let deep = format!("a SEARCH {}ALL\r\n", "NOT ".repeat(64));
    parses(&[
        (
            b"a SEARCH flagged since 1-Feb-1994 not from \"Smith\"\r\n",
            search(vec![
                Flagged,
                Since(date(1994, 2, 1)),
                Not(Box::new(From(b("Smith")))),
            ]),
        ),
        (
            b"a UID SEARCH RETURN (MIN COUNT) CHARSET utf-8 OR (SEEN DELETED) $\r\n",
            CommandBody::Search {
                uid: true,
                charset: Some("UTF-8".into()),
                ret: Some(vec![SearchReturn::Min, SearchReturn::Count]),
                criteria: vec![Or(
                    Box::new(And(vec![Seen, Deleted])),
                    Box::new(SequenceSet(self::SequenceSet::Saved)),
                )],
            },
        ),
        (
            b"a SEARCH MODSEQ \"/flags/\\\\draft\" all 620162338 YOUNGER 60 EMAILID M6d99\r\n",
            search(vec![
                ModSeq {
                    entry: Some((b("/flags/\\draft"), EntryType::All)),
                    mod_seq: 620162338,
                },
                Younger(60),
                EmailId("M6d99".into()),
            ]),
        ),
    ]);
    refuses(&[
        (b"a SEARCH FROB\r\n", syntax("unknown search key FROB")),
        (
            b"a SEARCH RETURN (FROB) ALL\r\n",
            syntax("unknown SEARCH return option FROB"),
        ),
        (
            b"a SEARCH MODSEQ \"/vendor/x\" all 1\r\n",
            syntax("MODSEQ entry name is not /flags/<flag>"),
        ),
        (b"a SEARCH EMAILID a.b\r\n", syntax("bad object id")),
        (b"a SEARCH (SEEN\r\n", ErrorKind::Unbalanced),
        (deep.as_bytes(), ErrorKind::TooDeep { max: 64 }),
    ]);
}

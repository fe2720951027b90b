//! FETCH's table: what each item encodes to, and what raw commands parse to or are refused with.

use super::{FetchAttr, FetchItems, FetchModifiers, Section, SectionText};
use crate::command::CommandBody;
use crate::commands::testing::{check, parses, refuses, syntax};
use crate::error::ErrorKind;
use crate::types::{SeqNum, SeqRange, SequenceSet};

fn fetch(items: FetchItems) -> CommandBody {
    CommandBody::Fetch {
        uid: false,
        set: SequenceSet::single(1),
        items,
        modifiers: FetchModifiers::default(),
    }
}

#[test]
fn fetch_macros_single_and_lists() {
    check(fetch(FetchItems::Fast), b"a1 FETCH 1 FAST\r\n");
    check(
        fetch(FetchItems::Attrs(vec![FetchAttr::Flags])),
        b"a1 FETCH 1 FLAGS\r\n",
    );
    check(
        fetch(FetchItems::Attrs(vec![
            FetchAttr::Uid,
            FetchAttr::Rfc822Size,
            FetchAttr::BodyStructure,
            FetchAttr::ModSeq,
            FetchAttr::EmailId,
            FetchAttr::SaveDate,
            FetchAttr::Preview { lazy: false },
        ])),
        b"a1 FETCH 1 (UID RFC822.SIZE BODYSTRUCTURE MODSEQ EMAILID SAVEDATE PREVIEW)\r\n",
    );
    check(
        fetch(FetchItems::Attrs(vec![FetchAttr::Preview { lazy: true }])),
        b"a1 FETCH 1 (PREVIEW (LAZY))\r\n",
    );
    // Plain, the modifier list would read as PREVIEW's own (RFC 8970) list.
    check(
        CommandBody::Fetch {
            uid: false,
            set: SequenceSet::single(1),
            items: FetchItems::Attrs(vec![FetchAttr::Preview { lazy: false }]),
            modifiers: FetchModifiers {
                changed_since: Some(7),
                vanished: false,
            },
        },
        b"a1 FETCH 1 (PREVIEW) (CHANGEDSINCE 7)\r\n",
    );
}

#[test]
fn fetch_sections_and_partials() {
    let attrs = vec![
        FetchAttr::BodySection {
            peek: false,
            section: Section::default(),
            partial: None,
        },
        FetchAttr::BodySection {
            peek: true,
            section: Section {
                part: vec![],
                text: Some(SectionText::HeaderFields {
                    not: false,
                    fields: vec!["DATE".into(), "X Y".into()],
                }),
            },
            partial: Some((0, 1024)),
        },
        FetchAttr::BodySection {
            peek: false,
            section: Section {
                part: vec![1, 2],
                text: Some(SectionText::Mime),
            },
            partial: None,
        },
        FetchAttr::BodySection {
            peek: false,
            section: Section {
                part: vec![4],
                text: Some(SectionText::HeaderFields {
                    not: true,
                    fields: vec!["To".into()],
                }),
            },
            partial: None,
        },
        FetchAttr::Binary {
            peek: true,
            part: vec![1, 3],
            partial: Some((5, 10)),
        },
        FetchAttr::Binary {
            peek: false,
            part: vec![],
            partial: None,
        },
        FetchAttr::BinarySize { part: vec![2] },
    ];
    check(
        fetch(FetchItems::Attrs(attrs)),
        b"a1 FETCH 1 (BODY[] BODY.PEEK[HEADER.FIELDS (DATE \"X Y\")]<0.1024> BODY[1.2.MIME] \
          BODY[4.HEADER.FIELDS.NOT (To)] BINARY.PEEK[1.3]<5.10> BINARY[] BINARY.SIZE[2])\r\n",
    );
}

#[test]
fn uid_fetch_with_modifiers() {
    let body = CommandBody::Fetch {
        uid: true,
        set: SequenceSet::Ranges(vec![SeqRange {
            start: SeqNum::Value(300),
            end: SeqNum::Star,
        }]),
        items: FetchItems::Attrs(vec![FetchAttr::Flags]),
        modifiers: FetchModifiers {
            changed_since: Some(12345),
            vanished: true,
        },
    };
    check(
        body,
        b"a1 UID FETCH 300:* FLAGS (CHANGEDSINCE 12345 VANISHED)\r\n",
    );
}

#[test]
fn lone_preview_then_fetch_modifiers_is_not_a_preview_modifier() {
    use crate::command::{CommandBody, FetchAttr, FetchItems};
    let c = crate::parse_command(b"a UID FETCH 1 PREVIEW (CHANGEDSINCE 1 VANISHED)\r\n").unwrap();
    match c.body {
        CommandBody::Fetch {
            items, modifiers, ..
        } => {
            assert_eq!(
                items,
                FetchItems::Attrs(vec![FetchAttr::Preview { lazy: false }])
            );
            assert_eq!(modifiers.changed_since, Some(1));
            assert!(modifiers.vanished);
        }
        b => panic!("{b:?}"),
    }
    let c = crate::parse_command(b"a FETCH 1 PREVIEW (LAZY) (CHANGEDSINCE 1)\r\n").unwrap();
    assert!(
        matches!(c.body, CommandBody::Fetch { items: FetchItems::Attrs(ref a), .. }
        if a == &[FetchAttr::Preview { lazy: true }])
    );
}

#[test]
fn parse_table() {
    let body = |peek, part: Vec<u32>, text, partial| FetchAttr::BodySection {
        peek,
        section: Section { part, text },
        partial,
    };
    parses(&[
        (b"a FETCH 1 full\r\n", fetch(FetchItems::Full)),
        (
            b"a FETCH 1 body[]\r\n",
            fetch(FetchItems::Attrs(vec![body(false, vec![], None, None)])),
        ),
        (
            b"a FETCH 1 (BODY BODY.PEEK[1.2.HEADER]<0.100> BINARY.SIZE[3])\r\n",
            fetch(FetchItems::Attrs(vec![
                FetchAttr::Body,
                body(true, vec![1, 2], Some(SectionText::Header), Some((0, 100))),
                FetchAttr::BinarySize { part: vec![3] },
            ])),
        ),
        (
            b"a FETCH 1 BODY[HEADER.FIELDS.NOT (\"X Y\" To)]\r\n",
            fetch(FetchItems::Attrs(vec![body(
                false,
                vec![],
                Some(SectionText::HeaderFields {
                    not: true,
                    fields: vec!["X Y".into(), "To".into()],
                }),
                None,
            )])),
        ),
    ]);
    refuses(&[
        (b"a FETCH 1 (FROB)\r\n", syntax("unknown FETCH item FROB")),
        // MIME needs a part: the whole message has no MIME header of its own.
        (
            b"a FETCH 1 BODY[MIME]\r\n",
            syntax("unknown section text MIME"),
        ),
        (
            b"a FETCH 1 BODY[]<0.0>\r\n",
            syntax("zero where a non-zero number is required"),
        ),
        (
            b"a FETCH 1 FLAGS (VANISHED)\r\n",
            syntax("VANISHED needs UID FETCH and CHANGEDSINCE"),
        ),
        (b"a FETCH 1 (FLAGS\r\n", ErrorKind::Unbalanced),
    ]);
}

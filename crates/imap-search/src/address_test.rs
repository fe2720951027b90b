//! FROM/TO/CC/BCC on parsed addresses (RFC 3501 §6.4.4 speaks of "the envelope structure's
//! FROM field"): a message matches when the string is in the field's decoded value or in its
//! addresses written without comments and folding. `check_table` runs every row on the folded
//! text too, as the search index stores it.

use crate::testutil::{Fixture, check_table, ctx, keys, numbered};

/// One message per shape: comments inside an address, a group, a folded field, an encoded
/// display name next to comments, and a plain one.
fn fixtures() -> Vec<Fixture> {
    let raws: [(&str, &str); 5] = [
        (
            "comments",
            "From: <user-from (comment)@ (comment) domain.org>\r\nSubject: s\r\n\r\nbody\r\n",
        ),
        (
            "group",
            "To: Friends: a@b.c, \"Q. P.\" <qp@x.y>;\r\nSubject: s\r\n\r\nbody\r\n",
        ),
        (
            "folded",
            "Cc: \"Doe,\r\n  John\" (the\r\n boss) <john@\r\n example.com>\r\n\r\nbody\r\n",
        ),
        (
            "encoded",
            "Bcc: =?utf-8?q?Ren=C3=A9e?= (x) <r (y)@x.fr>\r\n\r\nbody\r\n",
        ),
        (
            "plain",
            "From: plain@domain.org\r\nTo: a@b.c\r\n\r\nbody\r\n",
        ),
    ];
    numbered(&raws)
}

#[test]
fn address_keys_read_the_parsed_addresses() {
    let f = fixtures();
    check_table(
        &f,
        &[
            // The example: comments inside the address are not in the way.
            ("FROM user-from@domain.org", &["comments"]),
            ("FROM \"<USER-FROM@DOMAIN.ORG>\"", &["comments"]),
            ("FROM \"<plain@domain.org>\"", &["plain"]),
            // The decoded value still counts, comments included.
            ("FROM \"(comment)@\"", &["comments"]),
            ("FROM \"\"", &["comments", "plain"]),
            // A group's name and its members, names unquoted; the quoted form is in the value.
            ("TO friends", &["group"]),
            ("TO \"Friends: <a@b.c>\"", &["group"]),
            ("TO \"Q. P. <qp@x.y>\"", &["group"]),
            ("TO \"\\\"Q. P.\\\" <qp@x.y>\"", &["group"]),
            ("TO a@b.c", &["group", "plain"]),
            ("CC friends", &[]),
            // Folding and comments gone, the quoted name's blanks collapsed.
            ("CC \"Doe, John <john@example.com>\"", &["folded"]),
            ("CC john@example.com", &["folded"]),
            ("CC \"the boss\"", &["folded"]),
            // An RFC 2047 display name, decoded, next to its address.
            ("BCC \"renée <r@x.fr>\"", &["encoded"]),
            ("BCC \"RENÉE\"", &["encoded"]),
            // Each field its own addresses.
            ("FROM john@example.com", &[]),
            ("BCC user-from@domain.org", &[]),
            // HEADER and TEXT read the fields as sent.
            ("HEADER From user-from@domain.org", &[]),
            ("TEXT user-from@domain.org", &[]),
            (
                "NOT FROM user-from@domain.org",
                &["group", "folded", "encoded", "plain"],
            ),
            // FUZZY sees the addresses too.
            ("FUZZY FROM user-frum@domain.org", &["comments"]),
        ],
    );
}

/// FUZZY scores an address key on the addresses as on the value: an exact match in the
/// addresses is fully relevant.
#[test]
fn fuzzy_relevancy_on_addresses() {
    let f = fixtures();
    let c = ctx(&f);
    let score = |wire: &str| crate::relevancy(&keys(wire), &f[0].msg(), &c, None);
    assert_eq!(score("FUZZY FROM user-from@domain.org"), 100);
    assert!((1..100).contains(&score("FUZZY FROM user-frum@domain.org")));
}

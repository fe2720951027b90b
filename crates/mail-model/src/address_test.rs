use super::*;

fn show(v: &[u8]) -> Vec<[Option<String>; 4]> {
    let s = |o: &Option<Bytes>| o.as_ref().map(|b| String::from_utf8_lossy(b).into_owned());
    parse_list(v)
        .iter()
        .map(|a| [s(&a.name), s(&a.adl), s(&a.mailbox), s(&a.host)])
        .collect()
}

fn o(s: &str) -> Option<String> {
    Some(s.to_string())
}

#[test]
fn name_addr_and_addr_spec() {
    assert_eq!(
        show(b"\"Doe, John\" <john@example.com>, jane@example.org (Jane)"),
        vec![
            [o("Doe, John"), None, o("john"), o("example.com")],
            [o("Jane"), None, o("jane"), o("example.org")],
        ]
    );
    assert_eq!(
        show(b"=?utf-8?q?J=C3=B6rg?= <j@x.de>"),
        vec![[o("=?utf-8?q?J=C3=B6rg?="), None, o("j"), o("x.de")]]
    );
}

#[test]
fn groups_and_routes() {
    assert_eq!(
        show(b"undisclosed-recipients:;"),
        vec![
            [None, None, o("undisclosed-recipients"), None],
            [None, None, None, None]
        ]
    );
    assert_eq!(
        show(b"Team: a@b, C <c@d>; e@f"),
        vec![
            [None, None, o("Team"), None],
            [None, None, o("a"), o("b")],
            [o("C"), None, o("c"), o("d")],
            [None, None, None, None],
            [None, None, o("e"), o("f")],
        ]
    );
    assert_eq!(
        show(b"<@r1,@r2:u@h>"),
        vec![[None, o("@r1,@r2"), o("u"), o("h")]]
    );
}

#[test]
fn broken_input() {
    assert_eq!(
        show(b"foo"),
        vec![[None, None, o("foo"), o("MISSING_DOMAIN")]]
    );
    assert_eq!(
        show(b"two words"),
        vec![[
            o("two words"),
            None,
            o("MISSING_MAILBOX"),
            o("MISSING_DOMAIN")
        ]]
    );
    assert_eq!(
        show(b"\"open <a@b>"),
        vec![[None, None, o("MISSING_MAILBOX"), o("MISSING_DOMAIN")]]
    );
    assert!(show(b"").is_empty());
    assert!(show(b"(only a comment)").is_empty());
    let _ = show(b"<<<>>>@@@,,,;;;:::\"unterminated (x");
    let _ = show(b"((((((((((");
}

/// What SEARCH's FROM/TO/CC/BCC read besides the decoded value: ENVELOPE's addresses without
/// comments, routes, quoting or folding.
#[test]
fn search_forms() {
    let table: &[(&[u8], &str)] = &[
        // RFC 3501 §6.4.4's "envelope structure's FROM field": comments anywhere go.
        (
            b"<user-from (comment)@ (comment) domain.org>",
            "<user-from@domain.org>",
        ),
        (
            b"Friends: a@b.c, \"Q. P.\" <qp@x.y>;",
            "Friends: <a@b.c>, Q. P. <qp@x.y>;",
        ),
        (b"undisclosed-recipients:;", "undisclosed-recipients:;"),
        (b"Team: a@b, C <c@d>;, e@f", "Team: <a@b>, C <c@d>;, <e@f>"),
        // Display and group names decoded; runs of blanks (left by unfolding) collapse.
        (
            b"=?utf-8?q?J=C3=B6rg?=   M\xc3\xbcller <j@x.de>",
            "Jörg Müller <j@x.de>",
        ),
        (
            b"=?utf-8?q?Gr=C3=BCppe?=: a@example.com;",
            "Grüppe: <a@example.com>;",
        ),
        // A comment standing in for a missing name is the name, as in ENVELOPE.
        (b"jane@example.org (Jane)", "Jane <jane@example.org>"),
        (b"<@r1,@r2:u@h>", "<u@h>"),
        (b"\"john q\"@example.com", "<john q@example.com>"),
        // Placeholders for missing parts are not written.
        (b"two words", "two words"),
        (b"foo", "<foo>"),
        (b"<>, @, a@, @b", "<a>, <@b>"),
        (b"", ""),
        (b"(only a comment)", ""),
    ];
    for (raw, want) in table {
        assert_eq!(
            search_form(raw),
            *want,
            "{:?}",
            String::from_utf8_lossy(raw)
        );
    }
}

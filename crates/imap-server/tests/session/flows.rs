//! Stories of a client session, each asserting the exact lines RFC 9051 prescribes.

use crate::client::Fixture;
use store::{BlobRef, Flags, NewMessage};

fn tagged(lines: &[String]) -> &str {
    lines.last().unwrap()
}

/// The greeting carries the capabilities; cleartext from afar gets LOGINDISABLED and LOGIN is
/// refused with PRIVACYREQUIRED (RFC 9051 §6.2.3).
#[tokio::test]
async fn greeting_and_logindisabled() {
    let f = Fixture::new().await;
    let (_, greeting) = f.connect(true).await;
    assert!(
        greeting.starts_with("* OK [CAPABILITY IMAP4rev1 IMAP4rev2 LITERAL+ "),
        "{greeting}"
    );
    assert!(greeting.contains(" AUTH=PLAIN") && !greeting.contains("LOGINDISABLED"));
    let (mut c, greeting) = f.connect(false).await;
    assert!(greeting.contains(" LOGINDISABLED") && !greeting.contains("AUTH=PLAIN"));
    let r = c.cmd("LOGIN alice@example.org secret").await;
    assert!(tagged(&r).starts_with("t1 NO [PRIVACYREQUIRED]"), "{r:?}");
}

/// LOGIN: a wrong password fails with AUTHENTICATIONFAILED, the right one returns the new
/// capabilities; commands of the wrong state are BAD and change nothing.
#[tokio::test]
async fn login_and_state_checks() {
    let f = Fixture::new().await;
    let (mut c, _) = f.connect(true).await;
    assert_eq!(c.cmd("SELECT INBOX").await, ["t1 BAD log in first"]);
    assert_eq!(
        c.cmd("LOGIN alice@example.org wrong").await,
        ["t2 NO [AUTHENTICATIONFAILED] authentication failed"]
    );
    assert_eq!(
        c.cmd("LOGIN nobody@example.org secret").await,
        ["t3 NO [AUTHENTICATIONFAILED] authentication failed"]
    );
    let ok = c.ok("LOGIN ALICE@example.org secret").await;
    assert!(
        ok[0].starts_with("t4 OK [CAPABILITY IMAP4rev1 IMAP4rev2 ") && ok[0].contains("NAMESPACE")
    );
    assert!(!ok[0].contains("AUTH="));
    assert_eq!(
        c.cmd("LOGIN alice@example.org secret").await,
        ["t5 BAD already authenticated"]
    );
    assert_eq!(c.cmd("FETCH 1 FLAGS").await, ["t6 BAD no mailbox selected"]);
    assert_eq!(
        c.cmd("LOGOUT").await,
        ["* BYE Strata logging out", "t7 OK LOGOUT completed"]
    );
}

/// The login cache: a second login with the same password is verified from memory (the
/// cache holds it), a wrong password never is, and a password change or a deleted account
/// refuses the old password at once although it was cached.
#[tokio::test]
async fn login_cache_follows_password_changes() {
    use argon2::password_hash::PasswordHasher;
    let f = Fixture::new().await;
    let cache = f.shared.login_cache.clone().expect("on by default");
    let login = |pw: &'static str| {
        let f = &f;
        async move {
            let (mut c, _) = f.connect(true).await;
            let r = c.cmd(&format!("LOGIN alice@example.org {pw}")).await;
            tagged(&r).to_string()
        }
    };
    assert!(login("secret").await.starts_with("t1 OK"));
    assert_eq!(cache.len(), 1, "a verified login is remembered");
    assert!(login("secret").await.starts_with("t1 OK"), "from the cache");
    assert!(
        login("wrong")
            .await
            .starts_with("t1 NO [AUTHENTICATIONFAILED]")
    );
    assert_eq!(cache.len(), 1, "failures are never remembered");
    let params = argon2::Params::new(64, 1, 1, None).unwrap();
    let new_hash = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
        .hash_password_with_salt(b"changed", b"othersaltsalt")
        .unwrap()
        .to_string();
    f.store()
        .set_password("alice@example.org", &new_hash)
        .await
        .unwrap();
    assert!(
        login("secret")
            .await
            .starts_with("t1 NO [AUTHENTICATIONFAILED]"),
        "the old password is refused at once after a change"
    );
    assert!(login("changed").await.starts_with("t1 OK"));
    f.store().delete_account("alice@example.org").await.unwrap();
    assert!(
        login("changed")
            .await
            .starts_with("t1 NO [AUTHENTICATIONFAILED]"),
        "a deleted account is refused at once"
    );
}

/// AUTHENTICATE PLAIN with an initial response (SASL-IR) and with a continuation; a wrong
/// authorization identity is refused.
#[tokio::test]
async fn authenticate_plain() {
    use base64::Engine;
    let b64 = |s: &[u8]| base64::engine::general_purpose::STANDARD.encode(s);
    let f = Fixture::new().await;
    let (mut c, _) = f.connect(true).await;
    let r = c
        .cmd(&format!(
            "AUTHENTICATE PLAIN {}",
            b64(b"\0alice@example.org\0secret")
        ))
        .await;
    assert!(tagged(&r).starts_with("t1 OK [CAPABILITY"), "{r:?}");
    let (mut c, _) = f.connect(true).await;
    c.raw(b"a AUTHENTICATE PLAIN\r\n").await;
    assert_eq!(c.line().await, "+ ");
    c.raw(
        format!(
            "{}\r\n",
            b64(b"alice@example.org\0alice@example.org\0secret")
        )
        .as_bytes(),
    )
    .await;
    assert!(c.until("a").await[0].starts_with("a OK [CAPABILITY"));
    let (mut c, _) = f.connect(true).await;
    let r = c
        .cmd(&format!(
            "AUTHENTICATE PLAIN {}",
            b64(b"bob@example.org\0alice@example.org\0secret")
        ))
        .await;
    assert_eq!(
        r,
        ["t1 NO [AUTHORIZATIONFAILED] cannot act as another user"]
    );
    c.raw(b"b AUTHENTICATE PLAIN\r\n").await;
    assert_eq!(c.line().await, "+ ");
    c.raw(b"*\r\n").await;
    assert_eq!(c.until("b").await, ["b BAD authentication cancelled"]);
    // The LOGIN mechanism: user name and password in answer to two challenges.
    let (mut l, _) = f.connect(true).await;
    l.raw(b"m AUTHENTICATE LOGIN\r\n").await;
    assert_eq!(l.line().await, format!("+ {}", b64(b"Username:")));
    l.raw(format!("{}\r\n", b64(b"alice@example.org")).as_bytes())
        .await;
    assert_eq!(l.line().await, format!("+ {}", b64(b"Password:")));
    l.raw(format!("{}\r\n", b64(b"secret")).as_bytes()).await;
    assert!(l.until("m").await[0].starts_with("m OK [CAPABILITY"));
    assert_eq!(
        c.cmd("AUTHENTICATE CRAM-MD5").await,
        ["t2 NO [CANNOT] mechanism CRAM-MD5 is not supported"]
    );
}

/// The mailbox tree: CREATE with parents and USE, LIST with attributes, LIST-EXTENDED
/// selection and return options, STATUS, RENAME, DELETE, SUBSCRIBE and LSUB.
#[tokio::test]
async fn mailbox_management_and_list() {
    let f = Fixture::new().await;
    let mut c = f.login().await;
    c.ok("CREATE Projects/Strata/").await;
    c.ok("CREATE Stash (USE (\\Archive))").await;
    assert_eq!(
        c.cmd("CREATE Bad (USE (\\Bogus))").await,
        ["t4 NO [USEATTR] unknown special use \\Bogus"]
    );
    assert_eq!(
        c.cmd("CREATE inbox").await,
        ["t5 NO [ALREADYEXISTS] INBOX always exists"]
    );
    assert_eq!(
        c.cmd("LIST \"\" %").await,
        [
            "* LIST (\\HasNoChildren) \"/\" INBOX",
            "* LIST (\\HasNoChildren \\Archive) \"/\" Archive",
            "* LIST (\\HasNoChildren \\Drafts) \"/\" Drafts",
            "* LIST (\\HasNoChildren \\Junk) \"/\" Junk",
            "* LIST (\\HasChildren) \"/\" Projects",
            "* LIST (\\HasNoChildren \\Sent) \"/\" Sent",
            "* LIST (\\HasNoChildren \\Archive) \"/\" Stash",
            "* LIST (\\HasNoChildren \\Trash) \"/\" Trash",
            "t6 OK LIST completed",
        ]
    );
    assert_eq!(
        c.cmd("LIST \"\" \"\"").await,
        ["* LIST (\\Noselect) \"/\" \"\"", "t7 OK LIST completed"]
    );
    assert_eq!(
        c.cmd("LIST Projects/ *").await,
        [
            "* LIST (\\HasNoChildren) \"/\" Projects/Strata",
            "t8 OK LIST completed"
        ]
    );
    assert_eq!(
        c.cmd("LIST (SPECIAL-USE) \"\" * RETURN (STATUS (MESSAGES UIDNEXT))")
            .await[..2],
        [
            "* LIST (\\HasNoChildren \\Archive) \"/\" Archive",
            "* STATUS Archive (MESSAGES 0 UIDNEXT 1)"
        ]
    );
    c.ok("SUBSCRIBE Projects/Strata").await;
    c.ok("UNSUBSCRIBE Sent").await;
    assert_eq!(
        c.cmd("LIST (SUBSCRIBED RECURSIVEMATCH) \"\" %").await,
        [
            "* LIST (\\HasNoChildren \\Subscribed) \"/\" INBOX",
            "* LIST (\\HasNoChildren \\Archive \\Subscribed) \"/\" Archive",
            "* LIST (\\HasNoChildren \\Drafts \\Subscribed) \"/\" Drafts",
            "* LIST (\\HasNoChildren \\Junk \\Subscribed) \"/\" Junk",
            "* LIST (\\HasChildren) \"/\" Projects (\"CHILDINFO\" (\"SUBSCRIBED\"))",
            "* LIST (\\HasNoChildren \\Trash \\Subscribed) \"/\" Trash",
            "t12 OK LIST completed",
        ]
    );
    assert_eq!(
        c.cmd("LSUB \"\" Projects/%").await,
        ["* LSUB () \"/\" Projects/Strata", "t13 OK LSUB completed"]
    );
    assert_eq!(
        c.cmd("LSUB \"\" %").await[4],
        "* LSUB (\\Noselect) \"/\" Projects"
    );
    assert_eq!(
        c.cmd("STATUS INBOX (MESSAGES UNSEEN UIDVALIDITY SIZE DELETED-STORAGE)")
            .await[1],
        "t15 OK STATUS completed"
    );
    assert_eq!(
        c.cmd("DELETE Projects").await,
        ["t16 NO [HASCHILDREN] the mailbox has child mailboxes"]
    );
    c.ok("RENAME Projects Work/Old").await;
    assert_eq!(
        c.cmd("LIST Work/ *").await,
        [
            "* LIST (\\HasChildren) \"/\" Work/Old",
            "* LIST (\\HasNoChildren) \"/\" Work/Old/Strata",
            "t18 OK LIST completed",
        ]
    );
    c.ok("DELETE Work/Old/Strata").await;
    assert_eq!(
        c.cmd("DELETE Nowhere").await,
        ["t20 NO [NONEXISTENT] Nowhere does not exist"]
    );
}

/// A name that is not valid modified UTF-7 (a bare `&`, an unterminated run) names no mailbox:
/// SELECT, EXAMINE, STATUS, DELETE, RENAME's source, APPEND and COPY answer NO [NONEXISTENT],
/// LIST and LSUB match nothing, CREATE and RENAME's destination NO [CANNOT]; only a syntax
/// error is BAD. Nothing is created.
#[tokio::test]
async fn invalid_modified_utf7_names_are_no_not_bad() {
    let f = Fixture::new().await;
    let mut c = f.login().await;
    c.ok("CREATE Work").await;
    let nonexistent = [
        "SELECT a&b",
        "EXAMINE \"&Jjo\"",
        "STATUS a&b (MESSAGES)",
        "DELETE a&b",
        "RENAME a&b Other",
        "SUBSCRIBE a&b",
    ];
    for cmd in nonexistent {
        let r = c.cmd(cmd).await;
        assert_eq!(r.len(), 1, "{cmd}: {r:?}");
        assert!(r[0].contains(" NO [NONEXISTENT] "), "{cmd}: {r:?}");
    }
    for cmd in ["CREATE a&b", "RENAME Work a&b"] {
        let r = c.cmd(cmd).await;
        assert!(r[0].contains(" NO [CANNOT] "), "{cmd}: {r:?}");
    }
    for cmd in [
        "LIST \"\" a&b*",
        "LIST a& *",
        "LSUB \"\" a&*",
        "LIST \"\" (a&b* Wor*)",
    ] {
        let r = c.cmd(cmd).await;
        let lists: Vec<_> = r.iter().filter(|l| l.starts_with("* L")).collect();
        assert!(r.last().unwrap().contains(" OK "), "{cmd}: {r:?}");
        if cmd.contains("Wor*") {
            assert_eq!(
                lists.len(),
                1,
                "{cmd}: the valid pattern still matches: {r:?}"
            );
        } else {
            assert!(lists.is_empty(), "{cmd}: {r:?}");
        }
    }
    let msg = "Subject: x\r\n\r\nx\r\n";
    c.raw(format!("a1 APPEND a&b {{{}+}}\r\n{msg}\r\n", msg.len()).as_bytes())
        .await;
    let r = c.until("a1").await;
    assert!(r[0].starts_with("a1 NO [NONEXISTENT]"), "{r:?}");
    c.ok("SELECT Work").await;
    let r = c.cmd("COPY 1:* a&b").await;
    assert!(!r.last().unwrap().contains(" BAD "), "{r:?}");
    // Still BAD: a syntax error.
    assert!(c.cmd("SELECT").await[0].contains(" BAD "));
    let r = c.cmd("LIST \"\" *").await;
    assert_eq!(
        r.len(),
        8,
        "INBOX, five special-use folders, Work, OK: {r:?}"
    );
    assert!(
        !r.iter().any(|l| l.contains('&')),
        "nothing was created: {r:?}"
    );
}

/// Names are modified UTF-7 for IMAP4rev1 clients and UTF-8 after ENABLE UTF8=ACCEPT.
#[tokio::test]
async fn mailbox_names_in_both_encodings() {
    let f = Fixture::new().await;
    let mut c = f.login().await;
    c.ok("CREATE Entw&APw-rfe").await;
    assert_eq!(
        c.cmd("LIST \"\" Entw*").await[0],
        "* LIST (\\HasNoChildren) \"/\" Entw&APw-rfe"
    );
    assert_eq!(
        c.cmd("CREATE &Jjo").await,
        ["t4 NO [CANNOT] a mailbox name must be valid modified UTF-7 (unterminated base64 run)"]
    );
    assert_eq!(
        c.cmd("ENABLE IMAP4rev2 utf8=accept FOO").await,
        ["* ENABLED IMAP4REV2 UTF8=ACCEPT", "t5 OK ENABLE completed"],
        "only advertised extensions are enabled"
    );
    assert_eq!(
        c.cmd("LIST \"\" Entw*").await[0],
        "* LIST (\\HasNoChildren) \"/\" \"Entwürfe\""
    );
    c.ok("CREATE \"Отправленные\"").await;
    assert_eq!(
        c.cmd("LIST \"\" \"О*\"").await[0],
        "* LIST (\\HasNoChildren) \"/\" \"Отправленные\""
    );
}

/// SELECT answers with the mailbox's state (IMAP4rev1 form: RECENT and UNSEEN included);
/// another session's appends and flag changes arrive at NOOP as EXISTS and FETCH.
#[tokio::test]
async fn select_and_changes_from_another_session() {
    let f = Fixture::new().await;
    let creds = f
        .store()
        .credentials("alice@example.org")
        .await
        .unwrap()
        .unwrap();
    let inbox = f.store().mailbox(creds.account, "INBOX").await.unwrap();
    let msg = |n: u8, flags: u8| NewMessage {
        blob: BlobRef { sha256: [n; 32] },
        size: 100,
        internal_date: 1_700_000_000,
        internal_zone: 0,
        flags: Flags::new(flags, []),
        facts: vec![],
        put_started_ms: store::now_ms(),
    };
    f.store()
        .append(
            creds.account,
            inbox.id,
            vec![msg(1, Flags::SEEN), msg(2, 0)],
        )
        .await
        .unwrap();
    let mut c = f.login().await;
    let r = c.ok("SELECT INBOX").await;
    let uv = inbox.uid_validity;
    assert_eq!(
        r,
        [
            "* FLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft)".to_string(),
            "* 2 EXISTS".into(),
            "* 2 RECENT".into(),
            "* OK [UNSEEN 2] first unseen".into(),
            "* OK [PERMANENTFLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft \\*)] flags permitted".into(),
            format!("* OK [UIDVALIDITY {uv}] UIDs valid"),
            "* OK [UIDNEXT 3] predicted next UID".into(),
            format!("* OK [MAILBOXID (F{})] mailbox id", inbox.id.0),
            "t2 OK [READ-WRITE] SELECT completed".into(),
        ]
    );
    // Another session (here: the store directly) appends and flags.
    f.store()
        .append(creds.account, inbox.id, vec![msg(3, 0)])
        .await
        .unwrap();
    let up = store::FlagUpdate {
        uids: vec![2],
        op: store::FlagOp::Add,
        flags: Flags::new(Flags::FLAGGED, []),
        unchanged_since: None,
    };
    f.store()
        .store_flags(creds.account, inbox.id, up)
        .await
        .unwrap();
    assert_eq!(
        c.cmd("NOOP").await,
        [
            "* 3 EXISTS",
            "* 3 RECENT",
            "* 2 FETCH (FLAGS (\\Flagged \\Recent) UID 2)",
            "t3 OK NOOP completed",
        ]
    );
    // A second SELECT sees nothing recent (the first claimed it) and closes the first.
    let mut d = f.login().await;
    let r = d.ok("EXAMINE INBOX").await;
    assert!(
        r.contains(&"* 0 RECENT".to_string()) && tagged(&r).contains("[READ-ONLY]"),
        "{r:?}"
    );
    let r = d.cmd("SELECT Nowhere").await;
    assert_eq!(
        r,
        [
            "* OK [CLOSED] previous mailbox closed",
            "t3 NO [NONEXISTENT] Nowhere does not exist"
        ]
    );
    assert_eq!(
        d.cmd("FETCH 1 FLAGS").await,
        ["t4 BAD no mailbox selected"],
        "a failed SELECT deselects"
    );
}

/// EXAMINE reports how many messages no session has claimed as \Recent, without claiming them;
/// a following SELECT claims them and a STATUS then shows none (issue 17 item 2: the three
/// agree).
#[tokio::test]
async fn examine_counts_recent_without_claiming() {
    let f = Fixture::new().await;
    let mut a = f.login().await;
    let msg = "Subject: r\r\n\r\nbody\r\n";
    append_to(&mut a, "a1", "INBOX", msg).await;
    append_to(&mut a, "a2", "INBOX", msg).await;
    let mut e = f.login().await;
    let r = e.ok("EXAMINE INBOX").await;
    assert!(r.contains(&"* 2 RECENT".to_string()), "{r:?}");
    let r = e.ok("EXAMINE INBOX").await;
    assert!(
        r.contains(&"* 2 RECENT".to_string()),
        "EXAMINE claimed nothing: {r:?}"
    );
    assert_eq!(
        a.cmd("STATUS INBOX (RECENT)").await[0],
        "* STATUS INBOX (RECENT 2)"
    );
    let r = a.ok("SELECT INBOX").await;
    assert!(r.contains(&"* 2 RECENT".to_string()), "{r:?}");
    let mut s = f.login().await;
    assert_eq!(
        s.cmd("STATUS INBOX (RECENT)").await[0],
        "* STATUS INBOX (RECENT 0)"
    );
    let r = s.ok("EXAMINE INBOX").await;
    assert!(r.contains(&"* 0 RECENT".to_string()), "{r:?}");
}

/// New mail and flag changes committed by another session before a command are part of its
/// answer, reported first (RFC 9051 §5.2; issue 17 item 9: a SEARCH right after another
/// session's APPEND answered `* SEARCH` and only then `* 1 EXISTS`); expunges still wait for
/// a command that allows them (§7.5.1).
#[tokio::test]
async fn new_mail_is_seen_by_the_next_command() {
    let f = Fixture::new().await;
    let mut a = f.login().await;
    a.ok("SELECT INBOX").await;
    let mut b = f.login().await;
    let msg = "Subject: n\r\n\r\nbody\r\n";
    append_to(&mut b, "b1", "INBOX", msg).await;
    assert_eq!(
        a.cmd("SEARCH ALL").await,
        [
            "* 1 EXISTS",
            "* 1 RECENT",
            "* SEARCH 1",
            "t3 OK SEARCH completed"
        ]
    );
    append_to(&mut b, "b2", "INBOX", msg).await;
    assert_eq!(
        a.cmd("FETCH 1:* (UID)").await,
        [
            "* 2 EXISTS",
            "* 2 RECENT",
            "* 1 FETCH (UID 1)",
            "* 2 FETCH (UID 2)",
            "t4 OK FETCH completed"
        ]
    );
    b.ok("SELECT INBOX").await;
    b.ok("STORE 1 +FLAGS.SILENT (\\Flagged)").await;
    assert_eq!(
        a.cmd("UID SEARCH FLAGGED").await,
        [
            "* 1 FETCH (FLAGS (\\Flagged \\Recent) UID 1)",
            "* SEARCH 1",
            "t5 OK SEARCH completed"
        ]
    );
    // An expunge elsewhere: SEARCH by sequence number still sees message 2 and may not be
    // told; NOOP tells.
    b.ok("STORE 2 +FLAGS.SILENT (\\Deleted)").await;
    b.ok("EXPUNGE").await;
    append_to(&mut b, "b3", "INBOX", msg).await;
    assert_eq!(
        a.cmd("SEARCH ALL").await,
        // Message 3 is \\Recent in b, which has INBOX selected and saw it first.
        [
            "* 3 EXISTS",
            "* 2 RECENT",
            "* SEARCH 1 2 3",
            "t6 OK SEARCH completed"
        ]
    );
    assert_eq!(a.cmd("NOOP").await, ["* 2 EXPUNGE", "t7 OK NOOP completed"]);
    // Nothing changed since: NOOP says nothing, and a FETCH answers from the view.
    assert_eq!(a.cmd("NOOP").await, ["t8 OK NOOP completed"]);
    assert_eq!(
        a.cmd("FETCH 2 (UID)").await,
        ["* 2 FETCH (UID 3)", "t9 OK FETCH completed"]
    );
}

/// A mailbox defines a bounded number of keywords (issue 17 item 1): past
/// `MAX_MAILBOX_KEYWORDS`, STORE and APPEND get `NO [LIMIT]` and change nothing; keywords the
/// mailbox has are still taken.
#[tokio::test]
async fn keywords_past_the_limit_are_no_limit() {
    let max = store::rules::flags::MAX_MAILBOX_KEYWORDS;
    let f = Fixture::new().await;
    let mut c = f.login().await;
    append_to(&mut c, "a1", "INBOX", "Subject: k\r\n\r\nbody\r\n").await;
    c.ok("SELECT INBOX").await;
    let labels: Vec<String> = (0..max).map(|i| format!("$L{i}")).collect();
    c.ok(&format!("STORE 1 +FLAGS.SILENT ({})", labels.join(" ")))
        .await;
    // The refusal first says PERMANENTFLAGS without \\* (RFC 9051 §7.1).
    let r = c.cmd("STORE 1 +FLAGS ($Overflow)").await;
    assert_eq!(r.len(), 2, "{r:?}");
    assert!(
        r[0].starts_with("* OK [PERMANENTFLAGS (\\Seen ") && !r[0].contains("\\*"),
        "{r:?}"
    );
    assert!(r[1].starts_with("t4 NO [LIMIT] "), "{r:?}");
    let line = "a2 APPEND INBOX ($Overflow) {3+}\r\nx\r\n\r\n";
    c.raw(line.as_bytes()).await;
    let r = c.until("a2").await;
    assert!(r.last().unwrap().starts_with("a2 NO [LIMIT] "), "{r:?}");
    assert_eq!(
        c.cmd("FETCH 1:* (UID)").await,
        ["* 1 FETCH (UID 1)", "t5 OK FETCH completed"]
    );
    c.ok("STORE 1 -FLAGS.SILENT ($l0)").await;
    c.ok("STORE 1 +FLAGS.SILENT ($L0)").await;
}

/// LIST (SUBSCRIBED RECURSIVEMATCH) as RFC 5258 §3 and §5 define it (issue 17 item 8): a
/// mailbox that is not subscribed is listed, with CHILDINFO, only for a subscribed
/// descendant the patterns do not match; every listed mailbox with a subscribed descendant
/// carries CHILDINFO; a parent that does not exist is `\NonExistent`.
#[tokio::test]
async fn list_recursivematch_follows_rfc_5258() {
    let f = Fixture::new().await;
    let mut c = f.login().await;
    // §5 example 9's hierarchy and subscriptions.
    for m in [
        "foo2",
        "foo2/bar1",
        "foo2/bar2",
        "baz2",
        "baz2/bar2",
        "baz2/bar22",
        "baz2/bar222",
        "eps2",
        "eps2/mamba",
        "qux2/bar2",
    ] {
        c.ok(&format!("CREATE {m}")).await;
    }
    for m in [
        "foo2/bar1",
        "foo2/bar2",
        "baz2/bar2",
        "baz2/bar22",
        "baz2/bar222",
        "eps2",
        "eps2/mamba",
        "qux2/bar2",
    ] {
        c.ok(&format!("SUBSCRIBE {m}")).await;
    }
    let r = c.ok("LIST (RECURSIVEMATCH SUBSCRIBED) \"\" \"*2\"").await;
    assert_eq!(
        r[..r.len() - 1],
        [
            "* LIST (\\HasNoChildren \\Subscribed) \"/\" baz2/bar2",
            "* LIST (\\HasNoChildren \\Subscribed) \"/\" baz2/bar22",
            "* LIST (\\HasNoChildren \\Subscribed) \"/\" baz2/bar222",
            "* LIST (\\HasChildren \\Subscribed) \"/\" eps2 (\"CHILDINFO\" (\"SUBSCRIBED\"))",
            "* LIST (\\HasChildren) \"/\" foo2 (\"CHILDINFO\" (\"SUBSCRIBED\"))",
            "* LIST (\\HasNoChildren \\Subscribed) \"/\" foo2/bar2",
            "* LIST (\\HasNoChildren \\Subscribed) \"/\" qux2/bar2",
        ]
    );
    // Every subscribed child matches one of the patterns: the parent is not listed.
    let r = c
        .ok("LIST (SUBSCRIBED RECURSIVEMATCH) \"\" (foo2 foo2/bar1 foo2/bar2)")
        .await;
    assert_eq!(
        r[..r.len() - 1],
        [
            "* LIST (\\HasNoChildren \\Subscribed) \"/\" foo2/bar1",
            "* LIST (\\HasNoChildren \\Subscribed) \"/\" foo2/bar2",
        ]
    );
    // §5 example 8: a parent with no subscribed descendant is not listed; one that does not
    // exist is \NonExistent (A2).
    // A subscription outlives its mailbox (and the mailbox's parent).
    c.ok("CREATE ghost/child").await;
    c.ok("SUBSCRIBE ghost/child").await;
    c.ok("DELETE ghost/child").await;
    let _ = c.cmd("DELETE ghost").await;
    let r = c
        .ok("LIST (SUBSCRIBED RECURSIVEMATCH) \"\" (ghost Tofu) RETURN (CHILDREN)")
        .await;
    assert_eq!(
        r[..r.len() - 1],
        ["* LIST (\\NonExistent \\HasNoChildren) \"/\" ghost (\"CHILDINFO\" (\"SUBSCRIBED\"))"]
    );
    let r = c.cmd("LIST (RECURSIVEMATCH) \"\" *").await;
    assert!(r.len() == 1 && r[0].starts_with("t27 BAD "), "{r:?}");
}

/// Garbage and hostile commands get BAD (with the tag when there is one) and the session goes
/// on; an over-limit APPEND literal gets NO [TOOBIG] before the client sends it.
#[tokio::test]
async fn hostile_input_keeps_the_session_in_step() {
    let f = Fixture::new().await;
    let mut c = f.login().await;
    c.raw(b"x1 SEARCH (((\r\n").await;
    assert_eq!(c.line().await, "x1 BAD unbalanced parentheses");
    c.raw(b"\xff\xfe garbage\r\n").await;
    assert_eq!(c.line().await, "* BAD 8-bit octet in an atom");
    c.raw(b"x2 APPEND INBOX {999999999999}\r\n").await;
    let l = c.line().await;
    assert!(l.starts_with("x2 NO [TOOBIG]"), "{l}");
    c.raw(b"x3 NOOP\r\n").await;
    assert_eq!(c.line().await, "x3 OK NOOP completed");
}

const MSG: &str = "From: Ann <ann@example.org>\r\nTo: bob@example.org\r\nSubject: hello\r\nDate: Mon, 23 Nov 2026 10:00:00 +0100\r\nMessage-ID: <1@example.org>\r\n\r\nHello Bob.\r\n";

/// The message life cycle in one mailbox: APPEND (APPENDUID), FETCH of metadata and sections
/// (implicit \Seen), STORE (silent and not), COPY/MOVE with COPYUID, EXPUNGE reporting.
#[tokio::test]
async fn append_fetch_store_copy_move_expunge() {
    let f = Fixture::new().await;
    let mut c = f.login().await;
    c.raw(
        format!(
            "a APPEND INBOX (\\Flagged $Work) \" 1-Feb-2026 10:00:00 +0000\" {{{}}}\r\n",
            MSG.len()
        )
        .as_bytes(),
    )
    .await;
    assert_eq!(c.line().await, "+ Ready for literal data");
    c.raw(format!("{MSG}\r\n").as_bytes()).await;
    let r = c.until("a").await;
    let uv = f
        .store()
        .mailbox(
            f.store()
                .credentials("alice@example.org")
                .await
                .unwrap()
                .unwrap()
                .account,
            "INBOX",
        )
        .await
        .unwrap()
        .uid_validity;
    assert_eq!(r, [format!("a OK [APPENDUID {uv} 1] APPEND completed")]);
    c.raw(
        format!(
            "b APPEND INBOX {{{}+}}\r\n{MSG} {{{}+}}\r\n{MSG}\r\n",
            MSG.len(),
            MSG.len()
        )
        .as_bytes(),
    )
    .await;
    assert_eq!(
        c.until("b").await,
        [format!("b OK [APPENDUID {uv} 2:3] APPEND completed")]
    );
    let sel = c.ok("SELECT INBOX").await;
    assert!(sel.contains(&"* 3 EXISTS".to_string()));
    assert!(
        sel[0].contains("$Work"),
        "keywords in use are in FLAGS: {}",
        sel[0]
    );
    let r = c
        .ok("FETCH 1 (FLAGS INTERNALDATE RFC822.SIZE ENVELOPE)")
        .await;
    assert_eq!(
        r[0],
        format!(
            "* 1 FETCH (FLAGS (\\Flagged \\Recent $Work) INTERNALDATE \" 1-Feb-2026 10:00:00 +0000\" RFC822.SIZE {} ENVELOPE (\"Mon, 23 Nov 2026 10:00:00 +0100\" \"hello\" ((\"Ann\" NIL \"ann\" \"example.org\")) ((\"Ann\" NIL \"ann\" \"example.org\")) ((\"Ann\" NIL \"ann\" \"example.org\")) ((NIL NIL \"bob\" \"example.org\")) NIL NIL NIL \"<1@example.org>\"))",
            MSG.len()
        )
    );
    let r = c
        .ok("UID FETCH 2 (BODY[HEADER.FIELDS (SUBJECT)] BODY.PEEK[TEXT]<0.5>)")
        .await;
    assert_eq!(r[0], "* 2 FETCH (UID 2 BODY[HEADER.FIELDS (SUBJECT)] {18}");
    assert_eq!(r[1], "Subject: hello");
    assert_eq!(r[2], "");
    assert_eq!(r[3], " BODY[TEXT]<0> \"Hello\" FLAGS (\\Seen \\Recent))");
    let r = c.ok("STORE 1:2 +FLAGS (\\Deleted)").await;
    assert_eq!(
        r[0],
        "* 1 FETCH (FLAGS (\\Flagged \\Deleted \\Recent $Work))"
    );
    assert_eq!(r[1], "* 2 FETCH (FLAGS (\\Seen \\Deleted \\Recent))");
    assert_eq!(c.ok("STORE 3 +FLAGS.SILENT (\\Answered)").await.len(), 1);
    let r = c.ok("COPY 1:2 Archive").await;
    let arch = f
        .store()
        .mailbox(
            f.store()
                .credentials("alice@example.org")
                .await
                .unwrap()
                .unwrap()
                .account,
            "Archive",
        )
        .await
        .unwrap()
        .uid_validity;
    assert_eq!(
        r,
        [format!("t7 OK [COPYUID {arch} 1:2 1:2] COPY completed")]
    );
    assert_eq!(
        c.cmd("COPY 1 Nowhere").await,
        ["t8 NO [TRYCREATE] Nowhere does not exist"]
    );
    assert_eq!(
        c.cmd("FETCH 4 FLAGS").await,
        ["t9 BAD message sequence number 4 does not exist"]
    );
    assert_eq!(
        c.ok("EXPUNGE").await,
        ["* 2 EXPUNGE", "* 1 EXPUNGE", "t10 OK EXPUNGE completed"]
    );
    let r = c.ok("UID MOVE 3 Trash").await;
    let trash = f
        .store()
        .mailbox(
            f.store()
                .credentials("alice@example.org")
                .await
                .unwrap()
                .unwrap()
                .account,
            "Trash",
        )
        .await
        .unwrap()
        .uid_validity;
    assert_eq!(
        r,
        [
            format!("* OK [COPYUID {trash} 3 1] moved"),
            "* 1 EXPUNGE".into(),
            "t11 OK MOVE completed".into()
        ]
    );
    assert_eq!(
        c.ok("STATUS Archive (MESSAGES)").await[0],
        "* STATUS Archive (MESSAGES 2)"
    );
}

/// During FETCH by number another session's expunge is withheld; it arrives with the next
/// command that allows it. Until then the session still sees the message and FETCH returns its
/// data, body included, with the flags the session knew (RFC 2180 §4.1.1, as Dovecot and Cyrus
/// answer), and SEARCH matches it as the session knew it.
#[tokio::test]
async fn expunge_elsewhere_is_withheld_during_fetch() {
    let f = Fixture::new().await;
    let mut a = f.login().await;
    for _ in 0..3 {
        a.raw(format!("x APPEND INBOX {{{}+}}\r\n{MSG}\r\n", MSG.len()).as_bytes())
            .await;
        a.until("x").await;
    }
    a.ok("SELECT INBOX").await;
    let mut b = f.login().await;
    b.ok("SELECT INBOX").await;
    b.ok("STORE 2 +FLAGS.SILENT (\\Deleted)").await;
    b.ok("EXPUNGE").await;
    // a still numbers 3 messages; the FETCH answers from its view, with no EXPUNGE.
    let r = a.cmd("FETCH 1:3 (UID)").await;
    assert_eq!(
        r,
        [
            "* 1 FETCH (UID 1)",
            "* 2 FETCH (UID 2)",
            "* 3 FETCH (UID 3)",
            "t3 OK FETCH completed"
        ]
    );
    let r = a.cmd("FETCH 1:3 (UID RFC822.SIZE)").await;
    let size = MSG.len();
    assert_eq!(
        r,
        [
            format!("* 1 FETCH (UID 1 RFC822.SIZE {size})"),
            format!("* 2 FETCH (UID 2 RFC822.SIZE {size})"),
            format!("* 3 FETCH (UID 3 RFC822.SIZE {size})"),
            "t4 OK FETCH completed".to_string()
        ]
    );
    // The flags are the ones this session knew (it never saw \Deleted); the body is there.
    let r = a.cmd("FETCH 2 (FLAGS BODY.PEEK[])").await;
    assert!(r[0].starts_with("* 2 FETCH (FLAGS ("), "{r:?}");
    assert!(
        r[0].contains("BODY[] {") && !r[0].contains("Deleted"),
        "{r:?}"
    );
    assert!(r.contains(&"Subject: hello".to_string()), "{r:?}");
    assert_eq!(r.last().unwrap(), "t5 OK FETCH completed");
    assert_eq!(
        a.cmd("SEARCH UNDELETED").await,
        ["* SEARCH 1 2 3", "t6 OK SEARCH completed"]
    );
    assert_eq!(a.cmd("SEARCH DELETED").await[0], "* SEARCH");
    assert_eq!(a.cmd("NOOP").await, ["* 2 EXPUNGE", "t8 OK NOOP completed"]);
    assert_eq!(a.ok("FETCH 2 (UID)").await[0], "* 2 FETCH (UID 3)");
    assert_eq!(a.cmd("SEARCH UNDELETED").await[0], "* SEARCH 1 2");
}

/// A FETCH reads only as much of a body as its items reach: with the stored body cut short in
/// its attachment (as if only a prefix were readable), the header fields and the first part
/// still come back, while BODY[] cannot be answered. Fails if FETCH reads whole bodies.
#[tokio::test]
async fn fetch_reads_only_the_prefix_it_needs() {
    let f = Fixture::new().await;
    let mut a = f.login().await;
    let attachment = "QUJD".repeat(19) + "\r\n";
    let msg = format!(
        "Subject: prefix\r\nFrom: a@example.org\r\nContent-Type: multipart/mixed; \
         boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nthe text\r\n--b\r\n\
         Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n\
         {}--b--\r\n",
        attachment.repeat(2000)
    );
    a.raw(format!("x APPEND INBOX {{{}+}}\r\n{msg}\r\n", msg.len()).as_bytes())
        .await;
    a.until("x").await;
    let cut = msg.find("base64\r\n\r\n").unwrap() + 100;
    let mut found = 0;
    for entry in walk(&f.dir.path().join("blobs")) {
        if std::fs::read(&entry)
            .unwrap_or_default()
            .starts_with(b"Subject: prefix")
        {
            let file = std::fs::OpenOptions::new()
                .write(true)
                .open(&entry)
                .unwrap();
            file.set_len(cut as u64).unwrap();
            found += 1;
        }
    }
    assert_eq!(found, 1);
    a.ok("SELECT INBOX").await;
    let r = a.cmd("FETCH 1 (BODY.PEEK[HEADER.FIELDS (SUBJECT)])").await;
    assert_eq!(r[1], "Subject: prefix", "{r:?}");
    assert!(r.last().unwrap().ends_with(" OK FETCH completed"), "{r:?}");
    let r = a.cmd("FETCH 1 (BODY.PEEK[1] BODY.PEEK[2.MIME])").await;
    assert!(r[0].contains("BODY[1] \"the text\""), "{r:?}");
    assert!(r.last().unwrap().ends_with(" OK FETCH completed"), "{r:?}");
    let r = a.cmd("FETCH 1 (BODY.PEEK[])").await;
    assert!(!r.last().unwrap().contains(" OK "), "{r:?}");
}

/// IDLE: another connection's APPEND, flag change and EXPUNGE reach the idling client as
/// EXISTS, FETCH and EXPUNGE, each within a second; DONE ends it. Prints the median latency.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_sees_other_sessions_changes_promptly() {
    let f = Fixture::new().await;
    let creds = f
        .store()
        .credentials("alice@example.org")
        .await
        .unwrap()
        .unwrap();
    let inbox = f.store().mailbox(creds.account, "INBOX").await.unwrap().id;
    let mut c = f.login().await;
    c.ok("SELECT INBOX").await;
    c.raw(b"i IDLE\r\n").await;
    assert_eq!(c.line().await, "+ idling");
    let mut latencies = Vec::new();
    for n in 1..=20u32 {
        let msg = NewMessage {
            blob: BlobRef {
                sha256: [n as u8; 32],
            },
            size: 10,
            internal_date: 1_700_000_000,
            internal_zone: 0,
            flags: Flags::default(),
            facts: vec![],
            put_started_ms: store::now_ms(),
        };
        let t = std::time::Instant::now();
        f.store()
            .append(creds.account, inbox, vec![msg])
            .await
            .unwrap();
        let line = tokio::time::timeout(std::time::Duration::from_secs(1), c.line())
            .await
            .expect("EXISTS within 1 s");
        latencies.push(t.elapsed());
        assert_eq!(line, format!("* {n} EXISTS"));
        assert_eq!(c.line().await, format!("* {n} RECENT"));
    }
    let up = store::FlagUpdate {
        uids: vec![3],
        op: store::FlagOp::Add,
        flags: Flags::new(Flags::DELETED, []),
        unchanged_since: None,
    };
    f.store()
        .store_flags(creds.account, inbox, up)
        .await
        .unwrap();
    assert_eq!(
        c.line().await,
        "* 3 FETCH (FLAGS (\\Deleted \\Recent) UID 3)"
    );
    f.store().expunge(creds.account, inbox, None).await.unwrap();
    assert_eq!(c.line().await, "* 3 EXPUNGE");
    c.raw(b"DONE\r\n").await;
    assert_eq!(c.until("i").await, ["i OK IDLE terminated"]);
    latencies.sort();
    println!(
        "IDLE notification latency: median {:?}, max {:?}",
        latencies[10], latencies[19]
    );
    assert_eq!(c.ok("NOOP").await.len(), 1, "nothing left to report");
}

/// During IDLE the server sends `* OK` keep-alives at the configured interval; anything but
/// DONE ends IDLE with BAD.
#[tokio::test]
async fn idle_keepalive_and_bad_continuation() {
    let mut f = Fixture::new().await;
    let mut cfg = (*f.shared.config).clone();
    cfg.idle_keepalive = std::time::Duration::from_millis(200);
    f.shared.config = std::sync::Arc::new(cfg);
    let mut c = f.login().await;
    c.raw(b"i IDLE\r\n").await;
    assert_eq!(c.line().await, "+ idling");
    assert_eq!(c.line().await, "* OK Still here");
    assert_eq!(c.line().await, "* OK Still here");
    c.raw(b"NOOP\r\n").await;
    assert_eq!(c.until("i").await, ["i BAD expected DONE"]);
    assert_eq!(c.ok("NOOP").await, ["t2 OK NOOP completed"]);
}

/// SEARCH: IMAP4rev1 `* SEARCH`, ESEARCH return options, SEARCHRES `$`, text keys on decoded
/// bodies, BADCHARSET.
#[tokio::test]
async fn search_esearch_and_searchres() {
    let f = Fixture::new().await;
    let mut c = f.login().await;
    let bodies = [
        ("(\\Seen)", "Subject: hello\r\n\r\nfirst\r\n"),
        (
            "(\\Flagged)",
            "Subject: other\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nGr=C3=BC=C3=9Fe aus K=C3=B6ln\r\n",
        ),
        (
            "(\\Flagged \\Seen)",
            "Subject: =?utf-8?q?Hello_again?=\r\n\r\nthird\r\n",
        ),
    ];
    for (flags, body) in bodies {
        c.raw(format!("a APPEND INBOX {flags} {{{}+}}\r\n{body}\r\n", body.len()).as_bytes())
            .await;
        c.until("a").await;
    }
    c.ok("SELECT INBOX").await;
    assert_eq!(
        c.cmd("SEARCH SUBJECT HELLO").await,
        ["* SEARCH 1 3", "t3 OK SEARCH completed"]
    );
    assert_eq!(
        c.cmd("SEARCH CHARSET UTF-8 BODY \"grüße aus köln\"").await[0],
        "* SEARCH 2"
    );
    assert_eq!(
        c.cmd("UID SEARCH OR SEEN FLAGGED NOT 2").await[0],
        "* SEARCH 1 3"
    );
    assert_eq!(
        c.cmd("UID SEARCH RETURN (MIN MAX COUNT ALL) FLAGGED").await[0],
        "* ESEARCH (TAG \"t6\") UID MIN 2 MAX 3 ALL 2:3 COUNT 2"
    );
    assert_eq!(
        c.cmd("SEARCH RETURN () UNSEEN").await[0],
        "* ESEARCH (TAG \"t7\") ALL 2"
    );
    assert_eq!(
        c.cmd("SEARCH RETURN (SAVE) SEEN").await,
        ["t8 OK SEARCH completed"]
    );
    assert_eq!(
        c.cmd("FETCH $ (UID)").await,
        [
            "* 1 FETCH (UID 1)",
            "* 3 FETCH (UID 3)",
            "t9 OK FETCH completed"
        ]
    );
    assert_eq!(c.cmd("SEARCH $ FLAGGED").await[0], "* SEARCH 3");
    assert_eq!(
        c.cmd("SEARCH CHARSET KOI8-R ALL").await,
        ["t11 NO [BADCHARSET (UTF-8 US-ASCII)] charset KOI8-R is not supported"]
    );
    assert_eq!(
        c.cmd("SEARCH NOT ALL").await,
        ["* SEARCH", "t12 OK SEARCH completed"]
    );
}

/// QUOTA (RFC 9208): the account's root with STORAGE (KiB) and MESSAGE; APPEND beyond the
/// limit is refused with OVERQUOTA; SETQUOTA belongs to the operator.
#[tokio::test]
async fn quota_commands_and_overquota() {
    let f = Fixture::new().await;
    let mut c = f.login().await;
    assert_eq!(
        c.cmd("GETQUOTAROOT INBOX").await,
        ["* QUOTAROOT INBOX", "t2 OK GETQUOTAROOT completed"]
    );
    let limits = store::QuotaLimits {
        storage: Some(10 * 1024),
        messages: Some(1),
    };
    f.store()
        .set_quota("alice@example.org", limits)
        .await
        .unwrap();
    c.raw(format!("a APPEND INBOX {{{}+}}\r\n{MSG}\r\n", MSG.len()).as_bytes())
        .await;
    assert!(c.until("a").await[0].starts_with("a OK [APPENDUID"));
    assert_eq!(
        c.cmd("GETQUOTAROOT INBOX").await,
        [
            "* QUOTAROOT INBOX \"\"",
            "* QUOTA \"\" (STORAGE 1 10 MESSAGE 1 1)",
            "t3 OK GETQUOTAROOT completed"
        ]
    );
    assert_eq!(
        c.cmd("GETQUOTA \"\"").await[0],
        "* QUOTA \"\" (STORAGE 1 10 MESSAGE 1 1)"
    );
    assert_eq!(
        c.cmd("SETQUOTA \"\" (STORAGE 99)").await,
        ["t5 NO [NOPERM] quota limits are set by the administrator"]
    );
    c.raw(format!("b APPEND INBOX {{{}+}}\r\n{MSG}\r\n", MSG.len()).as_bytes())
        .await;
    // Refused when the literal is announced, its octets skipped unread (issue 18).
    let r = c.until("b").await;
    assert!(
        r.len() == 1 && r[0].starts_with("b NO [OVERQUOTA] over quota: "),
        "{r:?}"
    );
    let caps = c.cmd("CAPABILITY").await;
    assert!(
        caps[0].contains(" QUOTA=RES-STORAGE") && caps[0].contains(" APPENDLIMIT=67108864"),
        "{caps:?}"
    );
}

/// Review fixes: deleting the selected mailbox closes it (the DELETE still succeeds and later
/// commands work); `$` is emptied by SELECT; a set of thousands of overlapping ranges costs no
/// more than the mailbox has messages.
#[tokio::test]
async fn selected_mailbox_deleted_saved_result_reset_and_hostile_sets() {
    let f = Fixture::new().await;
    let mut c = f.login().await;
    c.ok("CREATE Scratch").await;
    for _ in 0..3 {
        c.raw(format!("a APPEND Scratch {{{}+}}\r\n{MSG}\r\n", MSG.len()).as_bytes())
            .await;
        c.until("a").await;
    }
    c.ok("SELECT Scratch").await;
    let many = vec!["1:*"; 5000].join(",");
    let r = c.ok(&format!("FETCH {many} (UID)")).await;
    assert_eq!(r.len(), 4, "three messages, each once");
    c.ok("SEARCH RETURN (SAVE) ALL").await;
    assert_eq!(c.ok("FETCH $ (UID)").await.len(), 4);
    c.ok("SELECT Scratch").await;
    assert_eq!(
        c.ok("FETCH $ (UID)").await.len(),
        1,
        "SELECT empties $ (RFC 5182 §2.1)"
    );
    let r = c.cmd("DELETE Scratch").await;
    assert_eq!(
        r,
        [
            "* OK [CLOSED] the selected mailbox no longer exists",
            "t9 OK DELETE completed"
        ]
    );
    assert_eq!(
        c.cmd("FETCH 1 (UID)").await,
        ["t10 BAD no mailbox selected"]
    );
    assert_eq!(c.cmd("NOOP").await, ["t11 OK NOOP completed"]);
}

/// New mail (and expunges) reported to a CONDSTORE session are followed by `* OK
/// [HIGHESTMODSEQ n]` (issue 17 item 3: a QRESYNC client can advance its cache only from it),
/// not without CONDSTORE, and not while another session's expunge is still held back from
/// this one (then with the EXPUNGE, when it is told).
#[tokio::test]
async fn new_mail_announces_highestmodseq_under_condstore() {
    let f = Fixture::new().await;
    let msg = "Subject: m\r\n\r\nbody\r\n";
    let mut a = f.login().await;
    a.ok("ENABLE CONDSTORE").await;
    a.ok("SELECT INBOX").await;
    let mut plain = f.login().await;
    plain.ok("SELECT INBOX").await;
    let mut b = f.login().await;
    append_to(&mut b, "b1", "INBOX", msg).await;
    let highest = |r: &[String]| {
        r.iter()
            .filter_map(|l| l.strip_prefix("* OK [HIGHESTMODSEQ "))
            .map(|l| l.split(']').next().unwrap().parse::<u64>().unwrap())
            .collect::<Vec<_>>()
    };
    let r = a.cmd("NOOP").await;
    let exists = r.iter().position(|l| l == "* 1 EXISTS").expect("EXISTS");
    let h1 = highest(&r);
    assert_eq!(h1.len(), 1, "{r:?}");
    let at = r
        .iter()
        .position(|l| l.starts_with("* OK [HIGHESTMODSEQ"))
        .unwrap();
    assert!(at > exists, "after the EXISTS: {r:?}");
    let creds = f
        .store()
        .credentials("alice@example.org")
        .await
        .unwrap()
        .unwrap();
    let inbox = f.store().mailbox(creds.account, "INBOX").await.unwrap();
    let st = f.store().status(creds.account, inbox.id).await.unwrap();
    assert_eq!(h1[0], st.highest_modseq, "the mailbox's HIGHESTMODSEQ");
    assert!(
        highest(&plain.cmd("NOOP").await).is_empty(),
        "no CONDSTORE, none"
    );
    // An expunge and new mail while `a` runs FETCH: the EXISTS may come, HIGHESTMODSEQ not.
    append_to(&mut b, "b2", "INBOX", msg).await;
    b.ok("SELECT INBOX").await;
    b.ok("STORE 1 +FLAGS.SILENT (\\Deleted)").await;
    b.ok("EXPUNGE").await;
    append_to(&mut b, "b3", "INBOX", msg).await;
    let r = a.cmd("FETCH 1 (FLAGS)").await;
    assert!(highest(&r).is_empty(), "{r:?}");
    let r = a.cmd("NOOP").await;
    assert!(r.contains(&"* 1 EXPUNGE".to_string()), "{r:?}");
    assert_eq!(highest(&r).len(), 1, "once the expunge is told: {r:?}");
}

/// CONDSTORE-enabling commands (RFC 7162 §3.1, issue 17 item 4): FETCH of MODSEQ, SEARCH
/// MODSEQ, STORE UNCHANGEDSINCE and STATUS (HIGHESTMODSEQ) turn CONDSTORE on; the first says HIGHESTMODSEQ in an
/// untagged OK, and from then on STORE's FETCH responses carry MODSEQ.
#[tokio::test]
async fn condstore_enabling_commands() {
    let f = Fixture::new().await;
    let msg = "Subject: m\r\n\r\nbody\r\n";
    let mut setup = f.login().await;
    append_to(&mut setup, "s1", "INBOX", msg).await;
    let highest = |r: &[String]| {
        r.iter()
            .filter(|l| l.starts_with("* OK [HIGHESTMODSEQ "))
            .count()
    };
    for enabling in [
        "FETCH 1 (MODSEQ)",
        "UID FETCH 1:* (FLAGS MODSEQ)",
        "SEARCH MODSEQ 1",
        "STORE 1 (UNCHANGEDSINCE 1000) +FLAGS (\\Draft)",
        "STATUS INBOX (HIGHESTMODSEQ)",
    ] {
        let mut c = f.login().await;
        c.ok("SELECT INBOX").await;
        let r = c.cmd("STORE 1 +FLAGS (\\Answered)").await;
        assert!(!r[0].contains("MODSEQ"), "{enabling}: not yet: {r:?}");
        let r = c.cmd(enabling).await;
        assert_eq!(highest(&r), 1, "{enabling}: {r:?}");
        assert!(
            r[0].starts_with("* OK [HIGHESTMODSEQ "),
            "{enabling}: first: {r:?}"
        );
        assert!(r.last().unwrap().contains(" OK "), "{enabling}: {r:?}");
        let r = c.cmd(enabling).await;
        assert_eq!(highest(&r), 0, "{enabling}: only the first: {r:?}");
        let r = c.cmd("STORE 1 -FLAGS (\\Answered)").await;
        assert!(
            r[0].contains("MODSEQ ("),
            "{enabling}: STORE's FETCH has MODSEQ: {r:?}"
        );
    }
}

/// CONDSTORE/QRESYNC (RFC 7162): HIGHESTMODSEQ on SELECT, a QRESYNC SELECT reports what
/// changed while the client was away (VANISHED (EARLIER) and FETCH with MODSEQ), as does
/// UID FETCH … (CHANGEDSINCE … VANISHED); SEARCH MODSEQ reports the highest MODSEQ.
#[tokio::test]
async fn condstore_and_qresync_resynchronisation() {
    let f = Fixture::new().await;
    let creds = f
        .store()
        .credentials("alice@example.org")
        .await
        .unwrap()
        .unwrap();
    let inbox = f.store().mailbox(creds.account, "INBOX").await.unwrap();
    let msg = |n: u8| NewMessage {
        blob: BlobRef { sha256: [n; 32] },
        size: 10,
        internal_date: 1_700_000_000,
        internal_zone: 0,
        flags: Flags::default(),
        facts: vec![],
        put_started_ms: store::now_ms(),
    };
    let a = f
        .store()
        .append(creds.account, inbox.id, vec![msg(1), msg(2), msg(3)])
        .await
        .unwrap();
    let m0 = a.modseq;
    let mut c = f.login().await;
    assert_eq!(
        c.cmd("ENABLE CONDSTORE QRESYNC").await,
        ["* ENABLED CONDSTORE QRESYNC", "t2 OK ENABLE completed"]
    );
    let sel = c.ok("SELECT INBOX").await;
    assert!(
        sel.contains(&format!("* OK [HIGHESTMODSEQ {m0}] highest")),
        "{sel:?}"
    );
    c.ok("LOGOUT").await;
    // While the client is away: a flag change and an expunge.
    let up = |uid, bit| store::FlagUpdate {
        uids: vec![uid],
        op: store::FlagOp::Add,
        flags: Flags::new(bit, []),
        unchanged_since: None,
    };
    let st = f
        .store()
        .store_flags(creds.account, inbox.id, up(2, Flags::SEEN))
        .await
        .unwrap();
    let m2 = st.updated[0].modseq;
    f.store()
        .store_flags(creds.account, inbox.id, up(3, Flags::DELETED))
        .await
        .unwrap();
    f.store()
        .expunge(creds.account, inbox.id, None)
        .await
        .unwrap();
    // Back: QRESYNC SELECT with the state it remembers.
    let mut c = f.login().await;
    c.ok("ENABLE QRESYNC").await;
    let r = c
        .ok(&format!(
            "SELECT INBOX (QRESYNC ({} {m0} 1:3))",
            inbox.uid_validity
        ))
        .await;
    assert!(r.contains(&"* VANISHED (EARLIER) 3".to_string()), "{r:?}");
    assert!(
        r.contains(&format!("* 2 FETCH (UID 2 FLAGS (\\Seen) MODSEQ ({m2}))")),
        "{r:?}"
    );
    assert!(r.contains(&"* 2 EXISTS".to_string()), "{r:?}");
    let r = c
        .ok(&format!(
            "UID FETCH 1:* (FLAGS) (CHANGEDSINCE {m0} VANISHED)"
        ))
        .await;
    assert_eq!(r[0], "* VANISHED (EARLIER) 3");
    assert_eq!(
        r[1],
        format!("* 2 FETCH (UID 2 FLAGS (\\Seen) MODSEQ ({m2}))")
    );
    assert_eq!(r.len(), 3);
    // MODSEQ n matches messages whose MODSEQ is at least n (RFC 7162 §3.1.5).
    let r = c.cmd(&format!("SEARCH MODSEQ {m0}")).await;
    assert_eq!(r[0], format!("* SEARCH 1 2 (MODSEQ {m2})"));
    let r = c.cmd(&format!("SEARCH MODSEQ {}", m0 + 1)).await;
    assert_eq!(r[0], format!("* SEARCH 2 (MODSEQ {m2})"));
    // A wrong UIDVALIDITY gets a plain SELECT, no resync data.
    let r = c.ok(&format!("SELECT INBOX (QRESYNC (1 {m0}))")).await;
    assert!(!r.iter().any(|l| l.contains("VANISHED")), "{r:?}");
    // QRESYNC SELECT without ENABLE is BAD.
    let mut d = f.login().await;
    let r = d
        .cmd(&format!(
            "SELECT INBOX (QRESYNC ({} {m0}))",
            inbox.uid_validity
        ))
        .await;
    assert_eq!(r.last().unwrap(), "t2 BAD QRESYNC must be enabled first");
}

/// Per-user rate limit: after the allowed failures, even the right password is refused with
/// LIMIT until the minute passes; other users are not affected.
#[tokio::test]
async fn failed_logins_are_rate_limited() {
    let f = Fixture::new().await;
    let (mut c, _) = f.connect(true).await;
    for _ in 0..10 {
        let r = c.cmd("LOGIN alice@example.org nope").await;
        assert!(r[0].contains("[AUTHENTICATIONFAILED]"), "{r:?}");
    }
    let r = c.cmd("LOGIN alice@example.org secret").await;
    assert_eq!(
        r,
        ["t11 NO [LIMIT] too many failed logins; try again later"]
    );
    let r = c.cmd("LOGIN nobody@example.org secret").await;
    assert!(
        r[0].contains("[AUTHENTICATIONFAILED]"),
        "another user is still checked: {r:?}"
    );
}

/// An account may hold only so many sessions at once; a session that ends frees its place.
#[tokio::test]
async fn sessions_per_account_are_limited() {
    let mut f = Fixture::new().await;
    let mut cfg = (*f.shared.config).clone();
    cfg.max_sessions_per_account = 2;
    f.shared = imap_server::Shared::new(f.shared.store.clone(), f.shared.blobs.clone(), cfg);
    let mut a = f.login().await;
    let _b = f.login().await;
    let (mut c, _) = f.connect(true).await;
    assert_eq!(
        c.cmd("LOGIN alice@example.org secret").await,
        ["t1 NO [LIMIT] too many sessions for this account (at most 2)"]
    );
    a.ok("LOGOUT").await;
    // The first session's place is released when its task ends.
    let mut ok = false;
    for _ in 0..50 {
        let r = c.cmd("LOGIN alice@example.org secret").await;
        if r.last().unwrap().contains(" OK ") {
            ok = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert!(ok, "a freed place can be taken");
}

/// `LIST ref ""` answers with the root of the reference (RFC 9051 §6.3.9).
#[tokio::test]
async fn list_with_empty_pattern_gives_the_root() {
    let f = Fixture::new().await;
    let mut c = f.login().await;
    assert_eq!(
        c.cmd("LIST \"\" \"\"").await[0],
        "* LIST (\\Noselect) \"/\" \"\""
    );
    assert_eq!(
        c.cmd("LIST Projects/Strata \"\"").await[0],
        "* LIST (\\Noselect) \"/\" Projects/"
    );
    assert_eq!(
        c.cmd("LIST Projects \"\"").await[0],
        "* LIST (\\Noselect) \"/\" \"\""
    );
}

/// IMAP4rev2 (RFC 9051): the same server answers a rev1 client with RECENT, UNSEEN and SEARCH,
/// and, after `ENABLE IMAP4rev2`, with LIST in SELECT, no RECENT or \Recent, ESEARCH for
/// every SEARCH (Appendix E items 4, 10–12) and UTF-8 mailbox names.
#[tokio::test]
async fn imap4rev2_mode_after_enable() {
    let f = Fixture::new().await;
    let mut rev1 = f.login().await;
    rev1.ok("CREATE Entw&APw-rfe/Alt").await;
    let msg = "Subject: hi\r\n\r\nbody\r\n";
    rev1.raw(format!("a APPEND INBOX {{{}+}}\r\n{msg}\r\n", msg.len()).as_bytes())
        .await;
    rev1.until("a").await;
    let sel = rev1.ok("SELECT INBOX").await;
    assert!(sel.contains(&"* 1 RECENT".to_string()), "{sel:#?}");
    assert!(
        sel.iter().any(|l| l.starts_with("* OK [UNSEEN 1]")),
        "{sel:#?}"
    );
    assert!(!sel.iter().any(|l| l.starts_with("* LIST")), "{sel:#?}");
    assert_eq!(rev1.cmd("SEARCH ALL").await[0], "* SEARCH 1");

    let mut c = f.login().await;
    assert_eq!(
        c.cmd("ENABLE IMAP4rev2").await,
        ["* ENABLED IMAP4REV2", "t2 OK ENABLE completed"]
    );
    let sel = c.ok("SELECT INBOX").await;
    assert!(
        sel.contains(&"* LIST (\\HasNoChildren) \"/\" INBOX".to_string()),
        "{sel:#?}"
    );
    assert!(
        !sel.iter()
            .any(|l| l.contains("RECENT") || l.contains("UNSEEN")),
        "{sel:#?}"
    );
    assert_eq!(
        c.cmd("FETCH 1 FLAGS").await,
        ["* 1 FETCH (FLAGS ())", "t4 OK FETCH completed"]
    );
    assert_eq!(
        c.cmd("SEARCH ALL").await,
        ["* ESEARCH (TAG \"t5\") ALL 1", "t5 OK SEARCH completed"]
    );
    assert_eq!(
        c.cmd("UID SEARCH DELETED").await,
        ["* ESEARCH (TAG \"t6\") UID", "t6 OK SEARCH completed"]
    );
    // Mailbox names in UTF-8, not modified UTF-7; SELECT of a parent lists its children.
    let sel = c.ok("SELECT \"Entwürfe\"").await;
    assert!(
        sel.contains(&"* LIST (\\HasChildren) \"/\" \"Entwürfe\"".to_string()),
        "{sel:#?}"
    );
    assert_eq!(
        c.cmd("LIST \"\" Entw*").await[..2],
        [
            "* LIST (\\HasChildren) \"/\" \"Entwürfe\"",
            "* LIST (\\HasNoChildren) \"/\" \"Entwürfe/Alt\""
        ]
    );
}

/// An account created without a SCRAM verifier (as before SCRAM existed) gets one from its
/// first password login; until then SCRAM-SHA-256 fails like a wrong password, and a
/// malformed client-first is BAD.
#[tokio::test]
async fn password_login_adds_the_scram_verifier() {
    use base64::Engine;
    let b64 = |s: &str| base64::engine::general_purpose::STANDARD.encode(s);
    let f = Fixture::new().await;
    let creds = f.store().credentials("alice@example.org").await.unwrap();
    assert_eq!(creds.unwrap().scram_sha256, None);
    let (mut c, greeting) = f.connect(true).await;
    assert!(greeting.contains(" AUTH=SCRAM-SHA-256]"), "{greeting}");
    assert_eq!(
        c.cmd(&format!(
            "AUTHENTICATE SCRAM-SHA-256 {}",
            b64("p=tls-unique,,n=a,r=x")
        ))
        .await,
        ["t1 BAD channel binding is not supported"]
    );
    c.raw(
        format!(
            "a AUTHENTICATE SCRAM-SHA-256 {}\r\n",
            b64("n,,n=alice@example.org,r=abc")
        )
        .as_bytes(),
    )
    .await;
    let challenge = c.line().await;
    let server_first = base64::engine::general_purpose::STANDARD
        .decode(challenge.strip_prefix("+ ").unwrap())
        .unwrap();
    let server_first = String::from_utf8(server_first).unwrap();
    assert!(
        server_first.starts_with("r=abc") && server_first.contains(",i=10000"),
        "{server_first}"
    );
    let nonce = server_first.split(',').next().unwrap();
    c.raw(
        format!(
            "{}\r\n",
            b64(&format!("c=biws,{nonce},p={}", b64(&"x".repeat(32))))
        )
        .as_bytes(),
    )
    .await;
    assert_eq!(
        c.line().await,
        "a NO [AUTHENTICATIONFAILED] authentication failed"
    );

    c.ok("LOGIN alice@example.org secret").await;
    let mut stored = None;
    for _ in 0..200 {
        let creds = f
            .store()
            .credentials("alice@example.org")
            .await
            .unwrap()
            .unwrap();
        if creds.scram_sha256.is_some() {
            stored = creds.scram_sha256;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    let stored = stored.expect("the verifier is stored after the password login");
    assert!(stored.starts_with("SCRAM-SHA-256$10000:"), "{stored}");
}

/// INTERNALDATE keeps the zone APPEND gave (RFC 9051 §6.3.12), through COPY too, and
/// BEFORE/ON/SINCE compare the date in that zone: 22:44 at -0700 is the 17th there and the
/// 18th in UTC.
#[tokio::test]
async fn internaldate_keeps_its_zone() {
    let f = Fixture::new().await;
    let mut c = f.login().await;
    let msg = "Subject: zoned\r\n\r\nbody\r\n";
    c.raw(
        format!(
            "a APPEND INBOX \"17-Jul-1996 22:44:25 -0700\" {{{}+}}\r\n{msg}\r\n",
            msg.len()
        )
        .as_bytes(),
    )
    .await;
    assert!(c.until("a").await.last().unwrap().starts_with("a OK"));
    c.raw(
        format!(
            "b APPEND INBOX \" 1-Jan-2024 00:30:00 +0530\" {{{}+}}\r\n{msg}\r\n",
            msg.len()
        )
        .as_bytes(),
    )
    .await;
    assert!(c.until("b").await.last().unwrap().starts_with("b OK"));
    c.ok("SELECT INBOX").await;
    assert_eq!(
        c.cmd("FETCH 1:2 INTERNALDATE").await,
        [
            "* 1 FETCH (INTERNALDATE \"17-Jul-1996 22:44:25 -0700\")",
            "* 2 FETCH (INTERNALDATE \" 1-Jan-2024 00:30:00 +0530\")",
            "t3 OK FETCH completed"
        ]
    );
    assert_eq!(c.cmd("SEARCH ON 17-Jul-1996").await[0], "* SEARCH 1");
    assert_eq!(c.cmd("SEARCH ON 18-Jul-1996").await[0], "* SEARCH");
    assert_eq!(c.cmd("SEARCH SINCE 1-Jan-2024").await[0], "* SEARCH 2");
    assert_eq!(c.cmd("SEARCH BEFORE 1-Jan-2024").await[0], "* SEARCH 1");
    c.ok("COPY 1 Archive").await;
    c.ok("SELECT Archive").await;
    assert_eq!(
        c.cmd("FETCH 1 INTERNALDATE").await[0],
        "* 1 FETCH (INTERNALDATE \"17-Jul-1996 22:44:25 -0700\")"
    );
}

/// STORE answers for every message of the set (RFC 9051 §6.4.6), changed or not; with
/// UNCHANGEDSINCE even .SILENT reports MODSEQ (RFC 7162 §3.1.3); EXPUNGE under QRESYNC ends
/// with the new HIGHESTMODSEQ (§3.2.7); 8-bit header fields need UTF8=ACCEPT (RFC 6855 §4).
#[tokio::test]
async fn store_replies_expunge_modseq_and_8bit_headers() {
    let f = Fixture::new().await;
    let mut c = f.login().await;
    for n in 1..=3 {
        let msg = format!("Subject: m{n}\r\n\r\nbody\r\n");
        c.raw(format!("a APPEND INBOX (\\Flagged) {{{}+}}\r\n{msg}\r\n", msg.len()).as_bytes())
            .await;
        c.until("a").await;
    }
    let eight = "Subject: Gr\u{fc}\u{df}e\r\n\r\nbody\r\n";
    let append8 = format!("b APPEND INBOX {{{}+}}\r\n{eight}\r\n", eight.len());
    c.raw(append8.as_bytes()).await;
    assert_eq!(
        c.until("b").await,
        ["b NO the message has 8-bit header fields; ENABLE UTF8=ACCEPT first (RFC 6855)"]
    );
    c.ok("ENABLE QRESYNC").await;
    c.ok("SELECT INBOX").await;
    assert_eq!(
        c.cmd("STORE 1:2 +FLAGS (\\Flagged)").await,
        [
            // RFC 7162 §3.2.4: UID and MODSEQ in every FETCH once CONDSTORE is on.
            "* 1 FETCH (FLAGS (\\Flagged \\Recent) UID 1 MODSEQ (2))",
            "* 2 FETCH (FLAGS (\\Flagged \\Recent) UID 2 MODSEQ (3))",
            "t4 OK STORE completed"
        ]
    );
    assert_eq!(
        c.cmd("UID STORE 1:3 (UNCHANGEDSINCE 3) +FLAGS.SILENT (\\Deleted)")
            .await,
        [
            "* 1 FETCH (UID 1 MODSEQ (5))",
            "* 2 FETCH (UID 2 MODSEQ (5))",
            "t5 OK [MODIFIED 3] conditional STORE failed for some messages"
        ]
    );
    assert_eq!(
        c.cmd("EXPUNGE").await,
        [
            "* VANISHED 1:2",
            "t6 OK [HIGHESTMODSEQ 6] EXPUNGE completed"
        ]
    );
    c.ok("ENABLE UTF8=ACCEPT").await;
    c.raw(append8.replace("b APPEND", "c APPEND").as_bytes())
        .await;
    assert!(
        c.until("c")
            .await
            .last()
            .unwrap()
            .starts_with("c OK [APPENDUID")
    );
}

/// `accept_8bit_headers` (for migrations) lets a client that never enables UTF8=ACCEPT append
/// raw 8-bit header fields, stored as sent.
#[tokio::test]
async fn eight_bit_headers_accepted_when_configured() {
    let f = Fixture::with(|c| c.accept_8bit_headers = true).await;
    let mut c = f.login().await;
    let eight = "Subject: Gr\u{fc}\u{df}e\r\n\r\nbody\r\n";
    c.raw(format!("b APPEND INBOX {{{}+}}\r\n{eight}\r\n", eight.len()).as_bytes())
        .await;
    assert!(
        c.until("b")
            .await
            .last()
            .unwrap()
            .starts_with("b OK [APPENDUID")
    );
    c.ok("SELECT INBOX").await;
    let r = c.cmd("FETCH 1 BODY.PEEK[]").await;
    assert!(r[0].ends_with(&format!("{{{}}}", eight.len())), "{r:?}");
}

/// SEARCH with the index gives the answers it gives without: before the indexer ran (all
/// read from the bodies), after (candidates + stored text; a body file removed from disk
/// proves the stored text is used), and with new messages the index has not seen (read again).
#[tokio::test]
async fn search_through_the_index_is_exact_and_uses_it() {
    let (f, indexer) = Fixture::with_index().await;
    let mut c = f.login().await;
    let bodies = [
        "Subject: Grüße aus Köln\r\nFrom: Zoë <zoe@example.org>\r\n\r\nDas Straßenfest beginnt um acht.\r\n",
        "Subject: quarterly report\r\nFrom: Bob <bob@example.org>\r\n\r\nNumbers for the quarter.\r\n",
        "Subject: =?utf-8?b?5Lya6K2w?=\r\nFrom: 山田 <yamada@example.jp>\r\n\r\n明日の会議は東京で\r\n",
    ];
    c.ok("ENABLE UTF8=ACCEPT").await;
    for (i, b) in bodies.iter().enumerate() {
        append(&mut c, ["a", "b", "c"][i], b).await;
    }
    c.ok("SELECT INBOX").await;
    let queries = [
        "SEARCH BODY \"straßenfest\"",
        "SEARCH BODY STRASSENFEST",
        "SEARCH SUBJECT \"aus köln\"",
        "SEARCH FROM \"zoë\"",
        "SEARCH TEXT \"会議\"",
        "SEARCH SUBJECT \"会議\"",
        "SEARCH OR BODY quarter NOT FROM bob",
        "SEARCH NOT BODY \"um acht\"",
        "SEARCH BODY xy",
    ];
    let mut before = Vec::new();
    for q in queries {
        before.push(c.cmd(q).await[0].clone());
    }
    assert_eq!(before[0], "* SEARCH 1");
    assert_eq!(before[4], "* SEARCH 3");
    assert_eq!(indexer.catch_up_all().await.unwrap(), 3);
    // Remove message 1's body file: only the index can still answer for it.
    let blobs = f.dir.path().join("blobs");
    let mut removed = 0;
    for entry in walk(&blobs) {
        if std::fs::read(&entry)
            .unwrap_or_default()
            .starts_with(b"Subject: Gr")
        {
            std::fs::remove_file(&entry).unwrap();
            removed += 1;
        }
    }
    assert_eq!(removed, 1);
    for (q, want) in queries.iter().zip(&before) {
        assert_eq!(&c.cmd(q).await[0], want, "{q} through the index");
    }
    // A message the index has not seen yet is read directly.
    append(
        &mut c,
        "d",
        "Subject: late\r\n\r\nEin zweites Straßenfest.\r\n",
    )
    .await;
    assert_eq!(
        c.cmd("SEARCH BODY \"straßenfest\"").await[0],
        "* SEARCH 1 4"
    );
    assert_eq!(
        c.cmd("SEARCH NOT BODY \"straßenfest\"").await[0],
        "* SEARCH 2 3"
    );
    // Indexed now, and its body file gone too: the cached UID → body map of INBOX must learn
    // UID 4 to find it.
    assert_eq!(indexer.catch_up_all().await.unwrap(), 1);
    for entry in walk(&blobs) {
        if std::fs::read(&entry)
            .unwrap_or_default()
            .starts_with(b"Subject: late")
        {
            std::fs::remove_file(&entry).unwrap();
        }
    }
    assert_eq!(
        c.cmd("SEARCH BODY \"straßenfest\"").await[0],
        "* SEARCH 1 4"
    );
    // Expunged elsewhere: this session still sees UID 2 until it is told (its body is still
    // readable); then the view decides, whatever the map still knows.
    let mut other = f.login().await;
    other.ok("SELECT INBOX").await;
    other.ok("STORE 2 +FLAGS (\\Deleted)").await;
    other.ok("EXPUNGE").await;
    assert_eq!(c.cmd("SEARCH BODY numbers").await[0], "* SEARCH 2");
    assert_eq!(c.cmd("NOOP").await[0], "* 2 EXPUNGE");
    assert_eq!(c.cmd("SEARCH BODY numbers").await[0], "* SEARCH");
    let r = c.cmd("UID SEARCH BODY \"straßenfest\"").await;
    assert!(r.contains(&"* SEARCH 1 4".to_string()), "{r:?}");
    assert_eq!(
        other.cmd("SEARCH BODY \"straßenfest\"").await[0],
        "* SEARCH 1 3"
    );
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

async fn append(c: &mut crate::client::Client, tag: &str, body: &str) {
    append_to(c, tag, "INBOX", body).await;
}

/// The running indexer follows the change feed: small bursts in several mailboxes share one
/// commit, a burst larger than a batch is committed in chunks, and afterwards SEARCH finds
/// every message through the index (their body files removed to prove it).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn running_indexer_follows_appends_in_every_mailbox() {
    let (f, indexer) = Fixture::with_index().await;
    let index = f.shared.searcher.index().cloned().unwrap();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let small_batches = search_index::Indexer::new(
        f.shared.store.clone(),
        f.shared.blobs.clone(),
        index.clone(),
        search_index::IndexerConfig {
            batch: 8,
            ..Default::default()
        },
    );
    drop(indexer);
    let task = tokio::spawn(small_batches.run(async {
        let _ = stop_rx.await;
    }));
    let mut c = f.login().await;
    c.ok("CREATE Work").await;
    for (i, (mailbox, word)) in [("INBOX", "alpha"), ("Work", "bravo")].iter().enumerate() {
        let body = format!("Subject: {word}\r\n\r\nThe word is {word}zulu.\r\n");
        append_to(&mut c, &format!("s{i}"), mailbox, &body).await;
    }
    // A burst of 20 (more than a batch of 8) into INBOX.
    for i in 0..20 {
        let body = format!("Subject: burst {i}\r\n\r\nburstword{i:02} here.\r\n");
        append_to(&mut c, &format!("b{i}"), "INBOX", &body).await;
    }
    let creds = f
        .store()
        .credentials("alice@example.org")
        .await
        .unwrap()
        .unwrap();
    let inbox = f.store().mailbox(creds.account, "INBOX").await.unwrap();
    let work = f.store().mailbox(creds.account, "Work").await.unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while index.watermark(creds.account, inbox.id) < 22
        || index.watermark(creds.account, work.id) < 2
    {
        assert!(
            std::time::Instant::now() < deadline,
            "indexer did not catch up"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let _ = stop_tx.send(());
    task.await.unwrap();
    for entry in walk(&f.dir.path().join("blobs")) {
        std::fs::remove_file(entry).unwrap();
    }
    c.ok("SELECT INBOX").await;
    assert_eq!(c.cmd("SEARCH BODY alphazulu").await[0], "* SEARCH 1");
    assert_eq!(c.cmd("SEARCH BODY burstword17").await[0], "* SEARCH 19");
    assert_eq!(
        c.cmd("SEARCH BODY burstword").await[0],
        format!(
            "* SEARCH {}",
            (2..=21)
                .map(|n| n.to_string())
                .collect::<Vec<_>>()
                .join(" ")
        )
    );
    c.ok("SELECT Work").await;
    assert_eq!(c.cmd("SEARCH TEXT bravozulu").await[0], "* SEARCH 1");
}

async fn append_to(c: &mut crate::client::Client, tag: &str, mailbox: &str, body: &str) {
    let line = format!("{tag} APPEND {mailbox} {{{}+}}\r\n{body}\r\n", body.len());
    c.raw(line.as_bytes()).await;
    assert!(c.until(tag).await.last().unwrap().contains("OK"));
}

/// A body the indexer cannot read for now (its blob store unreachable, or the server stopping)
/// is not given up on: the pass fails, the watermark stays, nothing is recorded for the body,
/// and a later pass indexes it. Fails if such bodies are recorded as unindexable.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreachable_bodies_are_indexed_later() {
    let (f, indexer) = Fixture::with_index().await;
    let index = f.shared.searcher.index().cloned().unwrap();
    let mut c = f.login().await;
    append_to(
        &mut c,
        "a",
        "INBOX",
        "Subject: later\r\n\r\nretryword here.\r\n",
    )
    .await;
    // An S3 endpoint on a loopback port nobody listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = closed.local_addr().unwrap().port();
    drop(closed);
    let mut config = blob_store::BlobStoreConfig::new(blob_store::Backend::S3 {
        endpoint: Some(format!("http://127.0.0.1:{port}")),
        bucket: "none".into(),
        region: "us-east-1".into(),
        access_key_id: "x".into(),
        secret_access_key: "y".into(),
        allow_http: true,
        prefix: String::new(),
    });
    config.retry_timeout = std::time::Duration::from_millis(200);
    config.request_timeout = std::time::Duration::from_secs(2);
    let unreachable = search_index::Indexer::new(
        f.shared.store.clone(),
        blob_store::BlobStore::new(config).unwrap(),
        index.clone(),
        Default::default(),
    );
    let creds = f
        .store()
        .credentials("alice@example.org")
        .await
        .unwrap()
        .unwrap();
    let inbox = f.store().mailbox(creds.account, "INBOX").await.unwrap();
    let before = index.watermark(creds.account, inbox.id);
    assert!(before <= 1, "{before}");
    let r = unreachable.catch_up_mailbox(creds.account, inbox.id).await;
    assert!(
        matches!(r, Err(search_index::IndexerError::Blobs(_))),
        "{r:?}"
    );
    assert_eq!(index.watermark(creds.account, inbox.id), before);
    let rec = &f
        .store()
        .fetch_meta(creds.account, inbox.id, &[1])
        .await
        .unwrap()[0];
    assert!(!index.contains(creds.account, &rec.blob).unwrap());
    assert_eq!(
        indexer
            .catch_up_mailbox(creds.account, inbox.id)
            .await
            .unwrap(),
        1
    );
    assert_eq!(index.watermark(creds.account, inbox.id), 2);
}

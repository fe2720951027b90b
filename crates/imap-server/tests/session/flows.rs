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
        greeting.starts_with("* OK [CAPABILITY IMAP4rev1 IMAP4rev2 "),
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

/// Names are modified UTF-7 for IMAP4rev1 clients and UTF-8 after ENABLE IMAP4rev2.
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
        ["t4 BAD mailbox name is not valid modified UTF-7: unterminated base64 run"]
    );
    assert_eq!(
        c.cmd("ENABLE IMAP4rev2 FOO").await,
        ["* ENABLED IMAP4rev2", "t5 OK ENABLE completed"]
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
        flags: Flags::new(flags, []),
        facts: vec![],
        put_started_ms: store::sql::now_ms(),
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

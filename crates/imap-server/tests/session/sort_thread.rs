//! SORT, ESORT and THREAD through a real session: every RFC 5256 sort key with REVERSE and the
//! sequence-number tie-break, the RFC 5267 ESEARCH forms, SAVE, both threading algorithms on
//! one conversation, BADCHARSET and the malformed commands that must be BAD.

use crate::client::{Client, Fixture};

/// APPENDs `msg` to `mailbox` with INTERNALDATE `date` and checks the OK.
async fn append(c: &mut Client, mailbox: &str, date: &str, msg: &str) {
    c.raw(
        format!(
            "a APPEND {mailbox} \"{date}\" {{{}+}}\r\n{msg}\r\n",
            msg.len()
        )
        .as_bytes(),
    )
    .await;
    let lines = c.until("a").await;
    assert!(lines.last().unwrap().starts_with("a OK"), "{lines:?}");
}

/// Appends a throw-away message and expunges it, so that UIDs are sequence numbers + 1.
async fn burn_uid_one(c: &mut Client, mailbox: &str) {
    append(
        c,
        mailbox,
        "01-Jan-2000 00:00:00 +0000",
        "Subject: gone\r\n\r\nx\r\n",
    )
    .await;
    c.ok(&format!("SELECT {mailbox}")).await;
    c.ok("STORE 1 +FLAGS.SILENT (\\Deleted)").await;
    c.ok("EXPUNGE").await;
}

/// The first line of the answer to `command`, which must be the only untagged one.
async fn one(c: &mut Client, command: &str) -> String {
    let lines = c.ok(command).await;
    assert_eq!(lines.len(), 2, "{command}: {lines:#?}");
    lines[0].clone()
}

/// An ESEARCH line without its `(TAG "…") ` part.
fn untag(line: String) -> String {
    match (line.find("(TAG "), line.find(") ")) {
        (Some(a), Some(b)) if a < b => format!("{}{}", &line[..a], &line[b + 2..]),
        _ => line,
    }
}

/// Five messages whose keys differ (see the table in `sort_every_key`).
const SORT_MSGS: [(&str, &str); 5] = [
    (
        "05-Jan-2023 00:00:00 +0000",
        "From: Zed <zed@b.example>\r\nTo: carol@x.example\r\n\
         Subject: Re: [list] Fwd: apple (fwd)\r\nDate: Mon, 2 Jan 2023 10:00:00 +0000\r\n\r\none\r\n",
    ),
    (
        "03-Jan-2023 00:00:00 +0000",
        "From: alice@a.example\r\nTo: Bob <bob@x.example>\r\nCc: dave@x.example\r\n\
         Subject: banana\r\nDate: Sun, 1 Jan 2023 10:00:00 +0000\r\n\r\ntwo two two\r\n",
    ),
    (
        "01-Jan-2023 00:00:00 +0000",
        "From: Mallory <bob@z.example>\r\nTo: ann@x.example\r\nSubject: Apple\r\n\r\nthree\r\n",
    ),
    (
        "04-Jan-2023 00:00:00 +0000",
        "From: Alice <alice@c.example>\r\nSubject: BANANA\r\nDate: garbage\r\n\r\n\
         four four four four four four four\r\n",
    ),
    (
        "02-Jan-2023 00:00:00 +0000",
        "To: Zoe <zoe@x.example>\r\nDate: Mon, 2 Jan 2023 11:00:00 +0100\r\n\r\nfive\r\n",
    ),
];

/// A session with [`SORT_MSGS`] in INBOX (UIDs 2–6, sequence numbers 1–5), selected.
async fn sort_mailbox(f: &Fixture) -> Client {
    let mut c = f.login().await;
    burn_uid_one(&mut c, "INBOX").await;
    for (date, msg) in SORT_MSGS {
        append(&mut c, "INBOX", date, msg).await;
    }
    c.ok("SELECT INBOX").await;
    c
}

/// Every sort key (RFC 5256 §3, RFC 5957) over five messages:
///
/// | seq | SUBJECT | FROM  | TO    | CC   | DATE (UTC)                  | ARRIVAL | DISPLAYFROM     | DISPLAYTO       |
/// |-----|---------|-------|-------|------|-----------------------------|---------|-----------------|-----------------|
/// | 1   | APPLE   | ZED   | CAROL |      | 2 Jan 10:00                 | 5 Jan   | ZED             | CAROL@X.EXAMPLE |
/// | 2   | BANANA  | ALICE | BOB   | DAVE | 1 Jan 10:00                 | 3 Jan   | ALICE@A.EXAMPLE | BOB             |
/// | 3   | APPLE   | BOB   | ANN   |      | 1 Jan 00:00 (no Date)       | 1 Jan   | MALLORY         | ANN@X.EXAMPLE   |
/// | 4   | BANANA  | ALICE |       |      | 4 Jan 00:00 (invalid Date)  | 4 Jan   | ALICE           |                 |
/// | 5   |         |       | ZOE   |      | 2 Jan 10:00 (11:00 +0100)   | 2 Jan   |                 | ZOE             |
///
/// Missing Date falls back to INTERNALDATE (§2.2), the empty string sorts first, equal keys
/// keep sequence order even under REVERSE, and UID SORT answers UIDs.
#[tokio::test]
async fn sort_every_key() {
    let f = Fixture::new().await;
    let mut c = sort_mailbox(&f).await;
    let cases = [
        ("SORT (SUBJECT) UTF-8 ALL", "* SORT 5 1 3 2 4"),
        ("SORT (REVERSE SUBJECT) UTF-8 ALL", "* SORT 2 4 1 3 5"),
        ("SORT (FROM) UTF-8 ALL", "* SORT 5 2 4 3 1"),
        ("SORT (TO) UTF-8 ALL", "* SORT 4 3 2 1 5"),
        ("SORT (CC) UTF-8 ALL", "* SORT 1 3 4 5 2"),
        ("SORT (DATE) UTF-8 ALL", "* SORT 3 2 1 5 4"),
        ("SORT (REVERSE DATE) UTF-8 ALL", "* SORT 4 1 5 2 3"),
        ("SORT (ARRIVAL) UTF-8 ALL", "* SORT 3 5 2 4 1"),
        ("SORT (REVERSE ARRIVAL) UTF-8 ALL", "* SORT 1 4 2 5 3"),
        ("SORT (DISPLAYFROM) UTF-8 ALL", "* SORT 5 4 2 3 1"),
        ("SORT (DISPLAYTO) UTF-8 ALL", "* SORT 4 3 2 1 5"),
        ("SORT (SUBJECT REVERSE DATE) UTF-8 ALL", "* SORT 5 1 3 4 2"),
        (
            "SORT (FROM SUBJECT ARRIVAL) US-ASCII ALL",
            "* SORT 5 2 4 3 1",
        ),
        ("sort (reverse subject date) utf-8 all", "* SORT 2 4 3 1 5"),
        ("UID SORT (SUBJECT) UTF-8 ALL", "* SORT 6 2 4 3 5"),
        ("UID SORT (DATE) UTF-8 UID 3:5", "* SORT 4 3 5"),
        ("SORT (DATE) UTF-8 FROM alice", "* SORT 2 4"),
        ("SORT (ARRIVAL) US-ASCII NOT SUBJECT apple", "* SORT 5 2 4"),
        ("SORT (SUBJECT) UTF-8 SUBJECT \"not in mailbox\"", "* SORT"),
    ];
    for (command, want) in cases {
        assert_eq!(one(&mut c, command).await, want, "{command}");
    }
    // SIZE against the sizes FETCH reports.
    let lines = c.ok("FETCH 1:5 RFC822.SIZE").await;
    let mut sizes: Vec<(u64, u32)> = lines[..5]
        .iter()
        .map(|l| {
            let seq = l.split(' ').nth(1).unwrap().parse().unwrap();
            let size = l.rsplit(' ').next().unwrap().trim_end_matches(')');
            (size.parse().unwrap(), seq)
        })
        .collect();
    sizes.sort();
    let want: Vec<String> = sizes.iter().map(|s| s.1.to_string()).collect();
    assert_eq!(
        one(&mut c, "SORT (SIZE) UTF-8 ALL").await,
        format!("* SORT {}", want.join(" "))
    );
}

/// ESORT (RFC 5267 §3): RETURN answers with ESEARCH; ALL keeps the sort order (ranges only
/// ascending), MIN/MAX are the first/last in sort order, RETURN () is ALL; SAVE (RFC 5182)
/// saves the set, or only MIN/MAX without ALL/COUNT.
#[tokio::test]
async fn esort_result_forms_and_save() {
    let f = Fixture::new().await;
    let mut c = sort_mailbox(&f).await;
    let cases = [
        (
            "SORT RETURN (MIN MAX COUNT ALL) (DATE) UTF-8 ALL",
            "MIN 3 MAX 4 ALL 3,2,1,5,4 COUNT 5",
        ),
        ("SORT RETURN () (CC) UTF-8 ALL", "ALL 1,3:5,2"),
        (
            "SORT RETURN (ALL) (REVERSE SUBJECT) UTF-8 ALL",
            "ALL 2,4,1,3,5",
        ),
        (
            "UID SORT RETURN (MIN MAX) (ARRIVAL) UTF-8 ALL",
            "UID MIN 4 MAX 2",
        ),
        (
            "UID SORT RETURN (ALL) (SUBJECT) UTF-8 ALL",
            "UID ALL 6,2,4,3,5",
        ),
        ("SORT RETURN (COUNT) (SUBJECT) UTF-8 FROM alice", "COUNT 2"),
        (
            "SORT RETURN (COUNT) (SUBJECT) UTF-8 SUBJECT nothing",
            "COUNT 0",
        ),
        (
            "SORT RETURN (MIN MAX ALL) (SUBJECT) UTF-8 SUBJECT nothing",
            "",
        ),
    ];
    for (n, (command, want)) in cases.iter().enumerate() {
        let tag = format!("t{}", n + 6);
        let want = format!("* ESEARCH (TAG \"{tag}\") {want}");
        assert_eq!(one(&mut c, command).await, want.trim_end(), "{command}");
    }
    // SAVE alone: no ESEARCH; `$` is the set, ascending.
    assert_eq!(
        c.cmd("SORT RETURN (SAVE) (REVERSE DATE) UTF-8 SUBJECT banana")
            .await,
        ["t14 OK SORT completed"]
    );
    assert_eq!(
        c.ok("FETCH $ (UID)").await[..2],
        ["* 2 FETCH (UID 3)", "* 4 FETCH (UID 5)"]
    );
    // SAVE with MIN only: `$` is the first message in sort order.
    assert_eq!(
        one(
            &mut c,
            "UID SORT RETURN (SAVE MIN) (REVERSE DATE) UTF-8 ALL"
        )
        .await,
        "* ESEARCH (TAG \"t16\") UID MIN 5"
    );
    assert_eq!(one(&mut c, "UID SEARCH $").await, "* SEARCH 5");
    // A SORT on the saved result.
    assert_eq!(
        one(&mut c, "SORT (SUBJECT) UTF-8 OR $ 1").await,
        "* SORT 1 4"
    );
    // A failed SORT with SAVE empties `$` (RFC 5182 §2.1).
    let lines = c.cmd("SORT RETURN (SAVE) (DATE) KOI8-R ALL").await;
    assert!(lines[0].starts_with("t19 NO [BADCHARSET"), "{lines:?}");
    assert_eq!(one(&mut c, "SEARCH $").await, "* SEARCH");
    // RFC 7162 §3.1.5: with a MODSEQ key, SORT and ESORT report the highest MODSEQ.
    let sort = one(&mut c, "SORT (DATE) UTF-8 MODSEQ 1").await;
    assert!(sort.starts_with("* SORT 3 2 1 5 4 (MODSEQ "), "{sort}");
    let esort = one(&mut c, "SORT RETURN (COUNT) (DATE) UTF-8 MODSEQ 1").await;
    assert!(
        esort.starts_with("* ESEARCH (TAG \"t22\") COUNT 5 MODSEQ "),
        "{esort}"
    );
}

/// Refusals: BADCHARSET like SEARCH, unknown threading algorithm, RELEVANCY without
/// SEARCH=FUZZY, and syntax errors (no sort list, empty list, unknown key, REVERSE alone, no
/// charset, no search key) are BAD; none of them breaks the session. SORT and THREAD need a
/// selected mailbox; the capabilities are advertised after login.
#[tokio::test]
async fn refusals_and_capabilities() {
    let f = Fixture::new().await;
    let mut c = f.login().await;
    let caps = one(&mut c, "CAPABILITY").await;
    for cap in [
        " SORT ",
        " SORT=DISPLAY ",
        " ESORT ",
        " THREAD=ORDEREDSUBJECT ",
        " THREAD=REFERENCES ",
    ] {
        assert!(caps.contains(cap), "{cap} in {caps}");
    }
    let (mut anon, _) = f.connect(true).await;
    let pre = anon.ok("CAPABILITY").await;
    assert!(
        !pre[0].contains("SORT") && !pre[0].contains("THREAD"),
        "{pre:?}"
    );
    for command in ["SORT (SUBJECT) UTF-8 ALL", "THREAD REFERENCES UTF-8 ALL"] {
        let lines = c.cmd(command).await;
        assert!(lines[0].contains(" BAD "), "{command}: {lines:?}");
    }
    c.ok("SELECT INBOX").await;
    assert_eq!(
        c.cmd("SORT (SUBJECT) KOI8-R ALL").await,
        ["t6 NO [BADCHARSET (UTF-8 US-ASCII)] charset KOI8-R is not supported"]
    );
    assert_eq!(
        c.cmd("THREAD REFERENCES ISO-8859-1 ALL").await,
        ["t7 NO [BADCHARSET (UTF-8 US-ASCII)] charset ISO-8859-1 is not supported"]
    );
    assert_eq!(
        c.cmd("THREAD SPAGHETTI UTF-8 ALL").await,
        ["t8 BAD unknown threading algorithm SPAGHETTI"]
    );
    for command in [
        "SORT UTF-8 ALL",
        "SORT () UTF-8 ALL",
        "SORT (SUBJECT",
        "SORT (NAME) UTF-8 ALL",
        "SORT (REVERSE) UTF-8 ALL",
        "SORT (REVERSE REVERSE DATE) UTF-8 ALL",
        "SORT (SUBJECT)",
        "SORT (SUBJECT) UTF-8",
        "SORT (SUBJECT) UTF-8 NOSUCHKEY",
        "SORT RETURN (BOGUS) (SUBJECT) UTF-8 ALL",
        "UID SORT (DATE)(SUBJECT) UTF-8 ALL",
        "THREAD",
        "THREAD REFERENCES",
        "THREAD REFERENCES UTF-8",
        "THREAD (REFERENCES) UTF-8 ALL",
    ] {
        let lines = c.cmd(command).await;
        assert_eq!(lines.len(), 1, "{command}: {lines:?}");
        assert!(lines[0].contains(" BAD "), "{command}: {lines:?}");
    }
    // Still in step, and an empty mailbox has empty results.
    assert_eq!(one(&mut c, "SORT (DATE) UTF-8 ALL").await, "* SORT");
    assert_eq!(
        one(&mut c, "SORT RETURN (MIN COUNT) (DATE) UTF-8 ALL").await,
        "* ESEARCH (TAG \"t25\") COUNT 0"
    );
    assert_eq!(one(&mut c, "THREAD REFERENCES UTF-8 ALL").await, "* THREAD");
    assert_eq!(
        one(&mut c, "UID THREAD ORDEREDSUBJECT US-ASCII ALL").await,
        "* THREAD"
    );
}

/// One conversation, both algorithms (RFC 5256 §3):
///
/// | seq | Message-ID | refs                    | Subject        | sent        |
/// |-----|------------|-------------------------|----------------|-------------|
/// | 1   | a          |                         | Meeting        | 1 Jan 10:00 |
/// | 2   | b          | In-Reply-To a           | Re: Meeting    | 11:00       |
/// | 3   | c          | References a b          | Re: Meeting    | 12:00       |
/// | 4   | d          | References missing      | Lunch          | 13:00       |
/// | 5   | e          | References missing      | Re: Lunch      | 14:00       |
/// | 6   | "f"@x      |                         | RE: Meeting    | 15:00       |
/// | 7   | g          | In-Reply-To bogus       | [team] Lunch   | 09:00       |
/// | 8   | (none)     |                         | Other          | no Date: INTERNALDATE 12:30 |
///
/// REFERENCES: 4 and 5 share a missing parent (a dummy kept under the root); 7 has the same
/// base subject and joins that dummy (step 5.C); 6 is a reply by subject only and goes under
/// 1, a non-reply (step 5.C). ORDEREDSUBJECT groups by base subject.
#[tokio::test]
async fn thread_both_algorithms() {
    let f = Fixture::new().await;
    let mut c = f.login().await;
    c.ok("CREATE Talk").await;
    burn_uid_one(&mut c, "Talk").await;
    let msgs = [
        "Message-ID: <a@x>\r\nSubject: Meeting\r\nDate: Sun, 1 Jan 2023 10:00:00 +0000\r\n",
        "Message-ID: <b@x>\r\nIn-Reply-To: <a@x>\r\nSubject: Re: Meeting\r\nDate: Sun, 1 Jan 2023 11:00:00 +0000\r\n",
        "Message-ID: <c@x>\r\nReferences: <a@x>\r\n <b@x>\r\nSubject: Re: Meeting\r\nDate: Sun, 1 Jan 2023 12:00:00 +0000\r\n",
        "Message-ID: <d@x>\r\nReferences: <missing@x>\r\nSubject: Lunch\r\nDate: Sun, 1 Jan 2023 13:00:00 +0000\r\n",
        "Message-ID: <e@x>\r\nReferences: <missing@x>\r\nSubject: Re: Lunch\r\nDate: Sun, 1 Jan 2023 14:00:00 +0000\r\n",
        "Message-ID: <\"f\"@x>\r\nSubject: =?utf-8?q?RE=3A_Meeting?=\r\nDate: Sun, 1 Jan 2023 15:00:00 +0000\r\n",
        "Message-ID: <g@x>\r\nIn-Reply-To: <bogus>\r\nSubject: [team] Lunch\r\nDate: Sun, 1 Jan 2023 09:00:00 +0000\r\n",
        "Subject: Other\r\n",
    ];
    for msg in msgs {
        let msg = format!("{msg}From: someone@x\r\n\r\nbody\r\n");
        append(&mut c, "Talk", "01-Jan-2023 12:30:00 +0000", &msg).await;
    }
    c.ok("SELECT Talk").await;
    let cases = [
        (
            "THREAD REFERENCES UTF-8 ALL",
            "* THREAD ((7)(4)(5))(1 (2 3)(6))(8)",
        ),
        (
            "UID THREAD REFERENCES UTF-8 ALL",
            "* THREAD ((8)(5)(6))(2 (3 4)(7))(9)",
        ),
        (
            "THREAD ORDEREDSUBJECT UTF-8 ALL",
            "* THREAD (7 (4)(5))(1 (2)(3)(6))(8)",
        ),
        (
            "UID THREAD ORDEREDSUBJECT US-ASCII ALL",
            "* THREAD (8 (5)(6))(2 (3)(4)(7))(9)",
        ),
        (
            "THREAD REFERENCES UTF-8 SUBJECT lunch",
            "* THREAD ((7)(4)(5))",
        ),
        (
            "THREAD REFERENCES UTF-8 NOT SUBJECT lunch",
            "* THREAD (1 (2 3)(6))(8)",
        ),
        // 3 alone: its ancestors are not searched, so their dummies give way (step 3).
        ("THREAD REFERENCES UTF-8 3", "* THREAD (3)"),
        // 2 and 3 without 1: a chain; 6 then matches nothing by reference and stays apart
        // until step 5 puts the reply 6 and the reply 2 under a dummy.
        ("THREAD REFERENCES UTF-8 2:3,6", "* THREAD ((2 3)(6))"),
        ("THREAD ORDEREDSUBJECT UTF-8 SUBJECT nothing", "* THREAD"),
    ];
    for (command, want) in cases {
        assert_eq!(one(&mut c, command).await, want, "{command}");
    }
}

/// Hostile References: mutual references, a message naming itself and an endless-looking
/// chain; threading stays finite and loop-free (RFC 5256 §3 step 1).
#[tokio::test]
async fn thread_reference_loops() {
    let f = Fixture::new().await;
    let mut c = f.login().await;
    let msgs = [
        "Message-ID: <a@x>\r\nReferences: <b@x>\r\nSubject: one\r\nDate: Sun, 1 Jan 2023 10:00:00 +0000\r\n",
        "Message-ID: <b@x>\r\nReferences: <a@x>\r\nSubject: two\r\nDate: Sun, 1 Jan 2023 11:00:00 +0000\r\n",
        "Message-ID: <c@x>\r\nReferences: <c@x> <c@x>\r\nSubject: three\r\nDate: Sun, 1 Jan 2023 12:00:00 +0000\r\n",
        "Message-ID: <d@x>\r\nReferences: <a@x> <b@x> <a@x> <d@x>\r\nSubject: four\r\nDate: Sun, 1 Jan 2023 13:00:00 +0000\r\n",
    ];
    for msg in msgs {
        append(
            &mut c,
            "INBOX",
            "01-Jan-2023 00:00:00 +0000",
            &format!("{msg}\r\nx\r\n"),
        )
        .await;
    }
    c.ok("SELECT INBOX").await;
    assert_eq!(
        one(&mut c, "THREAD REFERENCES UTF-8 ALL").await,
        "* THREAD (2 1)(3)(4)"
    );
}

/// Dovecot differential test: the mail-model corpus plus [`synthetic`] conversations in one
/// mailbox, on a throw-away Dovecot started as root on loopback by `tests/corpus/
/// dovecot_capture.py` and on our server; every command of [`DIFF_COMMANDS`] must give the
/// same answer, except the ones in [`KNOWN`], each with the rule that makes us differ. A
/// listed command that stops differing fails too, so the table stays true. Without Dovecot
/// (`apt-get install -y dovecot-imapd`) or root the test fails; it never skips.
mod dovecot {
    use super::*;
    use std::path::PathBuf;

    /// Commands run on both servers, answers compared line by line (ESEARCH tags aside).
    pub(super) const DIFF_COMMANDS: &[&str] = &[
        "SORT (ARRIVAL) UTF-8 ALL",
        "SORT (REVERSE ARRIVAL) UTF-8 ALL",
        "SORT (CC) UTF-8 ALL",
        "SORT (REVERSE CC) UTF-8 ALL",
        "SORT (DATE) UTF-8 ALL",
        "SORT (REVERSE DATE) UTF-8 ALL",
        "SORT (FROM) UTF-8 ALL",
        "SORT (REVERSE FROM) UTF-8 ALL",
        "SORT (SIZE) UTF-8 ALL",
        "SORT (REVERSE SIZE) UTF-8 ALL",
        "SORT (SUBJECT) UTF-8 ALL",
        "SORT (REVERSE SUBJECT) UTF-8 ALL",
        "SORT (TO) UTF-8 ALL",
        "SORT (REVERSE TO) UTF-8 ALL",
        "SORT (DISPLAYFROM) UTF-8 ALL",
        "SORT (REVERSE DISPLAYFROM) UTF-8 ALL",
        "SORT (DISPLAYTO) UTF-8 ALL",
        "SORT (REVERSE DISPLAYTO) UTF-8 ALL",
        "SORT (SUBJECT DATE) UTF-8 ALL",
        "SORT (REVERSE SUBJECT REVERSE DATE) UTF-8 ALL",
        "SORT (FROM REVERSE ARRIVAL CC) UTF-8 ALL",
        "SORT (SUBJECT) US-ASCII SUBJECT re",
        "UID SORT (DATE) UTF-8 ALL",
        "SORT RETURN (MIN MAX COUNT ALL) (DATE) UTF-8 ALL",
        "SORT RETURN () (REVERSE SUBJECT) UTF-8 ALL",
        "UID SORT RETURN (COUNT ALL) (FROM DATE) UTF-8 ALL",
        "THREAD ORDEREDSUBJECT UTF-8 ALL",
        "UID THREAD ORDEREDSUBJECT UTF-8 ALL",
        "THREAD REFERENCES UTF-8 ALL",
        "UID THREAD REFERENCES UTF-8 ALL",
        "THREAD REFERENCES UTF-8 41:*",
        "THREAD REFERENCES UTF-8 NOT SUBJECT lunch",
        "THREAD ORDEREDSUBJECT UTF-8 41:*",
    ];

    /// RFC 5256 §3 SIZE is the size in octets, i.e. RFC822.SIZE (RFC 9051 §6.4.5). We store
    /// and count `16-bare-lf` (sequence 16) as sent, with bare LF line ends; Dovecot counts
    /// each LF as CRLF (in its RFC822.SIZE too), so 16 sorts later there.
    const BARE_LF_SIZE: &str = "RFC 5256 §3 SIZE = RFC822.SIZE of the stored octets; Dovecot \
                                counts bare LF as CRLF (16-bare-lf)";

    /// (command, why our answer differs from Dovecot's, with the rule that decides).
    pub(super) const KNOWN: &[(&str, &str)] = &[
        ("diff SORT (SIZE) UTF-8 ALL", BARE_LF_SIZE),
        ("diff SORT (REVERSE SIZE) UTF-8 ALL", BARE_LF_SIZE),
    ];

    /// The INTERNALDATE of the n-th message (0-based): a few days, several messages each,
    /// so ARRIVAL has ties that go by sequence number.
    fn internal_date(n: usize) -> String {
        format!("{:2}-Mar-2021 0{}:00:00 +0000", 1 + n % 7, n % 3)
    }

    /// A message with the given header fields (`None` leaves the field out).
    fn msg(fields: &[(&str, Option<&str>)], body: &str) -> Vec<u8> {
        let mut m = String::new();
        for (name, value) in fields {
            if let Some(v) = value {
                m.push_str(&format!("{name}: {v}\r\n"));
            }
        }
        m.push_str("\r\n");
        m.push_str(body);
        m.push_str("\r\n");
        m.into_bytes()
    }

    /// Conversations for the RFC 5256 corner cases, one message per line: Message-ID,
    /// References, In-Reply-To, Subject, Date, From.
    pub(super) fn synthetic() -> Vec<Vec<u8>> {
        #[rustfmt::skip]
        let rows: &[[Option<&str>; 6]] = &[
            // A chain, In-Reply-To only, and a sibling.
            [Some("<t1@x>"), None, None, Some("Lunch plans"), Some("Mon, 1 Feb 2021 10:00:00 +0000"), Some("Ann <ann@x>")],
            [Some("<t2@x>"), None, Some("<t1@x>"), Some("Re: Lunch plans"), Some("Mon, 1 Feb 2021 11:00:00 +0000"), Some("bob@x")],
            [Some("<t3@x>"), Some("<t1@x> <t2@x>"), Some("<t2@x>"), Some("Re: Re: Lunch plans"), Some("Mon, 1 Feb 2021 12:00:00 +0000"), Some("Ann <ann@x>")],
            [Some("<t4@x>"), Some("<t1@x>"), None, Some("RE: Lunch plans"), Some("Mon, 1 Feb 2021 11:00:00 +0000"), Some("Carl <carl@x>")],
            // Reply by subject only (step 5), and a forward of it.
            [Some("<t5@x>"), None, None, Some("Re: Lunch plans"), Some("Mon, 1 Feb 2021 13:00:00 +0000"), Some("dan@x")],
            [Some("<t6@x>"), None, None, Some("[Fwd: Lunch plans]"), Some("Mon, 1 Feb 2021 14:00:00 +0000"), Some("dan@x")],
            [Some("<t7@x>"), None, None, Some("Lunch plans (fwd)"), Some("Mon, 1 Feb 2021 09:00:00 +0000"), Some("eve@x")],
            // Missing parent with two children, then with one.
            [Some("<m1@x>"), Some("<gone@x>"), None, Some("Orphans"), Some("Tue, 2 Feb 2021 10:00:00 +0000"), Some("fay@x")],
            [Some("<m2@x>"), Some("<gone@x>"), None, Some("Re: Orphans"), Some("Tue, 2 Feb 2021 09:00:00 +0000"), Some("gil@x")],
            [Some("<m3@x>"), Some("<gone2@x>"), None, Some("Single orphan"), Some("Tue, 2 Feb 2021 11:00:00 +0000"), Some("gil@x")],
            // Dummies below a real message.
            [Some("<p1@x>"), None, None, Some("Parent"), Some("Wed, 3 Feb 2021 10:00:00 +0000"), Some("hal@x")],
            [Some("<p2@x>"), Some("<p1@x> <lost1@x>"), None, Some("Re: Parent"), Some("Wed, 3 Feb 2021 12:00:00 +0000"), Some("hal@x")],
            [Some("<p3@x>"), Some("<p1@x> <lost1@x>"), None, Some("Re: Parent"), Some("Wed, 3 Feb 2021 11:00:00 +0000"), Some("ivy@x")],
            [Some("<p4@x>"), Some("<p1@x> <lost2@x> <lost3@x>"), None, Some("Re: Parent"), Some("Wed, 3 Feb 2021 10:30:00 +0000"), Some("ivy@x")],
            // Loops: mutual, self, three-cycle.
            [Some("<l1@x>"), Some("<l2@x>"), None, Some("Loop one"), Some("Thu, 4 Feb 2021 10:00:00 +0000"), Some("jo@x")],
            [Some("<l2@x>"), Some("<l1@x>"), None, Some("Loop two"), Some("Thu, 4 Feb 2021 11:00:00 +0000"), Some("jo@x")],
            [Some("<l3@x>"), Some("<l3@x>"), Some("<l3@x>"), Some("Self"), Some("Thu, 4 Feb 2021 12:00:00 +0000"), Some("kim@x")],
            [Some("<c1@x>"), Some("<c3@x> <c2@x>"), None, Some("Cycle a"), Some("Thu, 4 Feb 2021 13:00:00 +0000"), Some("kim@x")],
            [Some("<c2@x>"), Some("<c1@x> <c3@x>"), None, Some("Cycle b"), Some("Thu, 4 Feb 2021 14:00:00 +0000"), Some("lee@x")],
            [Some("<c3@x>"), Some("<c2@x>"), None, Some("Cycle c"), Some("Thu, 4 Feb 2021 15:00:00 +0000"), Some("lee@x")],
            // Duplicate Message-IDs, none at all, quoted and odd ids.
            [Some("<dup@x>"), None, None, Some("Dup first"), Some("Fri, 5 Feb 2021 10:00:00 +0000"), Some("mo@x")],
            [Some("<dup@x>"), None, None, Some("Dup second"), Some("Fri, 5 Feb 2021 11:00:00 +0000"), Some("mo@x")],
            [Some("<d3@x>"), Some("<dup@x>"), None, Some("Re: Dup first"), Some("Fri, 5 Feb 2021 12:00:00 +0000"), Some("ned@x")],
            [None, Some("<dup@x>"), None, Some("No id"), Some("Fri, 5 Feb 2021 13:00:00 +0000"), Some("ned@x")],
            [Some("<\"q1\"@x>"), None, None, Some("Quoted id"), Some("Fri, 5 Feb 2021 14:00:00 +0000"), Some("oz@x")],
            [Some("<q2@x>"), Some("<q1@x>"), None, Some("Re: Quoted id"), Some("Fri, 5 Feb 2021 15:00:00 +0000"), Some("oz@x")],
            [Some("<CaSe@x>"), None, None, Some("Case id"), Some("Fri, 5 Feb 2021 16:00:00 +0000"), Some("pat@x")],
            [Some("<k2@x>"), Some("<case@x>"), None, Some("Re: Case id"), Some("Fri, 5 Feb 2021 17:00:00 +0000"), Some("pat@x")],
            [Some("<k3@x>"), None, Some("Your message of Friday <CaSe@x> and <k2@x>"), Some("Case id again"), Some("Fri, 5 Feb 2021 18:00:00 +0000"), Some("pat@x")],
            // 1.B: own References move a message that others placed elsewhere.
            [Some("<r1@x>"), None, None, Some("Move base"), Some("Sat, 6 Feb 2021 10:00:00 +0000"), Some("quinn@x")],
            [Some("<r2@x>"), Some("<r1@x> <r3@x>"), None, Some("Move child"), Some("Sat, 6 Feb 2021 11:00:00 +0000"), Some("quinn@x")],
            [Some("<r3@x>"), Some("<elsewhere@x>"), None, Some("Move middle"), Some("Sat, 6 Feb 2021 12:00:00 +0000"), Some("quinn@x")],
            // Subject merges: two non-replies, a dummy and a message, two dummies.
            [Some("<s1@x>"), None, None, Some("Status"), Some("Sun, 7 Feb 2021 10:00:00 +0000"), Some("ray@x")],
            [Some("<s2@x>"), None, None, Some("[team] Status"), Some("Sun, 7 Feb 2021 11:00:00 +0000"), Some("sam@x")],
            [Some("<s3@x>"), Some("<smissing@x>"), None, Some("Weekly"), Some("Sun, 7 Feb 2021 12:00:00 +0000"), Some("sam@x")],
            [Some("<s4@x>"), Some("<smissing@x>"), None, Some("Re: Weekly"), Some("Sun, 7 Feb 2021 13:00:00 +0000"), Some("tom@x")],
            [Some("<s5@x>"), None, None, Some("Weekly"), Some("Sun, 7 Feb 2021 08:00:00 +0000"), Some("tom@x")],
            [Some("<s6@x>"), Some("<smissing2@x>"), None, Some("Re: Weekly"), Some("Sun, 7 Feb 2021 14:00:00 +0000"), Some("uma@x")],
            [Some("<s7@x>"), Some("<smissing2@x>"), None, Some("Weekly"), Some("Sun, 7 Feb 2021 15:00:00 +0000"), Some("uma@x")],
            [Some("<s8@x>"), None, None, Some("=?utf-8?q?Re=3A_Status?="), Some("Sun, 7 Feb 2021 16:00:00 +0000"), Some("=?utf-8?q?V=C3=A9ra?= <vera@x>")],
            // Equal dates, missing and invalid dates, zones; empty and missing subjects.
            [Some("<e1@x>"), None, None, Some("Same time"), Some("Mon, 8 Feb 2021 10:00:00 +0000"), Some("wes@x")],
            [Some("<e2@x>"), Some("<e1@x>"), None, Some("Re: Same time"), Some("Mon, 8 Feb 2021 10:00:00 +0000"), Some("wes@x")],
            [Some("<e3@x>"), Some("<e1@x>"), None, Some("Re: Same time"), Some("Mon, 8 Feb 2021 11:00:00 +0100"), Some("xia@x")],
            [Some("<e4@x>"), Some("<e1@x>"), None, Some("Re: Same time"), None, Some("xia@x")],
            [Some("<e5@x>"), None, None, Some("Bad date"), Some("not a date"), Some("yan@x")],
            [Some("<e6@x>"), None, None, Some(""), Some("Mon, 8 Feb 2021 12:00:00 +0000"), Some("zed@x")],
            [Some("<e7@x>"), None, None, None, Some("Mon, 8 Feb 2021 13:00:00 +0000"), None],
            [Some("<e8@x>"), Some("<e6@x>"), None, Some("Re:"), Some("Mon, 8 Feb 2021 14:00:00 +0000"), Some("\"Zed, Z.\" <zed@x>")],
            [Some("<e9@x>"), None, None, Some("Re: [list] Fwd: subj (fwd)"), Some("Mon, 8 Feb 2021 15:00:00 -0800"), Some("Group: a@x, b@x;")],
            [Some("<e10@x>"), None, None, Some("subj"), Some("Tue, 9 Feb 2021 00:00:00 +0000"), Some("<route@x>")],
        ];
        rows.iter()
            .enumerate()
            .map(|(i, r)| {
                let to = format!("rcpt{}@x", (i * 7) % 5);
                let cc = (i % 3 == 0).then(|| format!("Cc Person <cc{}@x>", i % 4));
                msg(
                    &[
                        ("Message-ID", r[0]),
                        ("References", r[1]),
                        ("In-Reply-To", r[2]),
                        ("Subject", r[3]),
                        ("Date", r[4]),
                        ("From", r[5]),
                        ("To", Some(&to)),
                        ("Cc", cc.as_deref()),
                    ],
                    &"body ".repeat(1 + (i * 13) % 9),
                )
            })
            .collect()
    }

    /// Commands on the `fuzz` mailbox of [`generated`] messages.
    const FUZZ_COMMANDS: &[&str] = &[
        "THREAD REFERENCES UTF-8 ALL",
        "THREAD ORDEREDSUBJECT UTF-8 ALL",
        "UID THREAD REFERENCES UTF-8 ALL",
        "THREAD REFERENCES UTF-8 1:150",
        "THREAD REFERENCES UTF-8 SUBJECT alpha",
        "THREAD REFERENCES UTF-8 NOT SUBJECT re",
        "SORT (SUBJECT DATE) UTF-8 ALL",
        "SORT (REVERSE DATE) UTF-8 ALL",
        "SORT RETURN (MIN MAX ALL) (REVERSE SUBJECT REVERSE ARRIVAL) UTF-8 ALL",
    ];

    /// 400 messages with random links among 150 Message-IDs (duplicates, loops, missing
    /// parents, invalid ids), subjects from a few bases with reply/forward decorations, and
    /// dates with many ties and some gaps; a fixed seed, so runs repeat.
    fn generated() -> Vec<Vec<u8>> {
        let mut seed: u64 = 0x5eed_5eed;
        let mut rnd = |n: usize| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as usize % n
        };
        const PRE: [&str; 8] = [
            "",
            "",
            "",
            "Re: ",
            "RE: Re: ",
            "Fwd: ",
            "[list] ",
            "Re: [list] ",
        ];
        const BASE: [&str; 6] = ["alpha", "beta", "gamma", "delta", "", "Beta"];
        (0..400)
            .map(|_| {
                let id = |r: usize| match r % 20 {
                    0 => "<noat>".to_string(),
                    1 => format!("<\"r{}\"@x>", r % 150),
                    _ => format!("<r{}@x>", r % 150),
                };
                let own = (rnd(10) > 0).then(|| id(rnd(3000)));
                let refs = (rnd(10) < 6).then(|| {
                    (0..1 + rnd(4))
                        .map(|_| id(rnd(3000)))
                        .collect::<Vec<_>>()
                        .join(" ")
                });
                let irt = (rnd(10) < 3).then(|| id(rnd(3000)));
                let subject = match rnd(12) {
                    0 => format!("[Fwd: {}]", BASE[rnd(BASE.len())]),
                    1 => format!("{} (fwd)", BASE[rnd(BASE.len())]),
                    _ => format!("{}{}", PRE[rnd(PRE.len())], BASE[rnd(BASE.len())]),
                };
                let date = (rnd(10) > 0)
                    .then(|| format!("Mon, {} Feb 2021 0{}:00:00 +0000", 1 + rnd(3), rnd(6)));
                msg(
                    &[
                        ("Message-ID", own.as_deref()),
                        ("References", refs.as_deref()),
                        ("In-Reply-To", irt.as_deref()),
                        ("Subject", Some(&subject)),
                        ("Date", date.as_deref()),
                        ("From", Some("fuzz@x")),
                    ],
                    "fuzz",
                )
            })
            .collect()
    }

    /// The corpus messages, in name order.
    fn corpus() -> (PathBuf, Vec<Vec<u8>>) {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/corpus");
        let mut names: Vec<PathBuf> = std::fs::read_dir(&dir)
            .expect("tests/corpus")
            .map(|e| e.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "eml"))
            .collect();
        names.sort();
        let msgs = names.iter().map(|p| std::fs::read(p).unwrap()).collect();
        (dir, msgs)
    }

    /// Appends every message to Dovecot and answers [`DIFF_COMMANDS`] there.
    const SCRIPT: &str = r#"
import json, os, shutil, socket, sys, tempfile
corpus, work = sys.argv[1], sys.argv[2]
sys.path.insert(0, corpus)
import dovecot_capture as dc
tmp = tempfile.mkdtemp(prefix="strata-dovecot-sort-")
proc, port = dc.start(tmp)
try:
    s = socket.create_connection(("127.0.0.1", port))
    f = s.makefile("rb")
    f.readline()
    n = [0]
    def cmd(text, literal=None):
        n[0] += 1
        tag = "t%d" % n[0]
        if literal is None:
            s.sendall(("%s %s\r\n" % (tag, text)).encode())
        else:
            s.sendall(("%s %s {%d+}\r\n" % (tag, text, len(literal))).encode() + literal + b"\r\n")
        lines = []
        while True:
            l = f.readline()
            if not l:
                raise SystemExit("dovecot closed the connection")
            if l.startswith((tag + " ").encode()):
                if not l.startswith((tag + " OK").encode()):
                    raise SystemExit("%s: %r" % (text, l))
                return lines
            lines.append(l.rstrip(b"\r\n").decode("utf-8", "replace"))
    cmd("LOGIN %s %s" % (dc.USER, dc.PASSWORD))
    msgs = json.load(open(os.path.join(work, "messages.json")))
    for box in sorted(set(m["box"] for m in msgs)):
        cmd("CREATE " + box)
    for m in msgs:
        cmd('APPEND %s "%s"' % (m["box"], m["date"]), open(m["path"], "rb").read())
    answers, selected = {}, None
    for box, c in json.load(open(os.path.join(work, "commands.json"))):
        if box != selected:
            cmd("SELECT " + box)
            selected = box
        lines = cmd(c)
        answers[box + " " + c] = [l for l in lines if l.startswith(("* SORT", "* THREAD", "* ESEARCH"))]
    json.dump(answers, open(os.path.join(work, "dovecot.json"), "w"), indent=1)
finally:
    proc.terminate()
    proc.wait(timeout=20)
    shutil.rmtree(tmp, ignore_errors=True)
"#;

    /// `* ESEARCH (TAG "x") …` without the tag, which differs between the two sessions.
    fn untag(line: &str) -> String {
        match line.strip_prefix("* ESEARCH (TAG \"") {
            Some(rest) => format!("* ESEARCH{}", &rest[rest.find(')').unwrap() + 1..]),
            None => line.to_string(),
        }
    }

    /// Every (mailbox, command) pair, in the order both sides run them.
    fn commands() -> Vec<(&'static str, &'static str)> {
        let diff = DIFF_COMMANDS.iter().map(|c| ("diff", *c));
        diff.chain(FUZZ_COMMANDS.iter().map(|c| ("fuzz", *c)))
            .collect()
    }

    pub(super) async fn run() {
        let (corpus_dir, mut msgs) = corpus();
        msgs.extend(synthetic());
        let fuzz = generated();
        let boxes =
            std::iter::repeat_n("diff", msgs.len()).chain(std::iter::repeat_n("fuzz", fuzz.len()));
        let msgs: Vec<(&str, String, Vec<u8>)> = boxes
            .zip(
                msgs.into_iter()
                    .enumerate()
                    .chain(fuzz.into_iter().enumerate()),
            )
            .map(|(b, (i, m))| (b, internal_date(i), m))
            .collect();
        let work = tempfile::tempdir().unwrap();
        let mut list = Vec::new();
        for (i, (mailbox, date, m)) in msgs.iter().enumerate() {
            let path = work.path().join(format!("{i:04}.eml"));
            std::fs::write(&path, m).unwrap();
            list.push(serde_json::json!({"box": mailbox, "path": path, "date": date}));
        }
        std::fs::write(
            work.path().join("messages.json"),
            serde_json::to_vec(&list).unwrap(),
        )
        .unwrap();
        std::fs::write(
            work.path().join("commands.json"),
            serde_json::to_vec(&commands()).unwrap(),
        )
        .unwrap();
        let status = std::process::Command::new("python3")
            .arg("-c")
            .arg(SCRIPT)
            .arg(&corpus_dir)
            .arg(work.path())
            .status()
            .expect("python3 must be installed for the Dovecot differential test");
        assert!(
            status.success(),
            "the Dovecot side failed ({status}); CI must `apt-get install -y dovecot-imapd`"
        );
        let theirs: std::collections::BTreeMap<String, Vec<String>> =
            serde_json::from_slice(&std::fs::read(work.path().join("dovecot.json")).unwrap())
                .unwrap();

        let f = Fixture::new().await;
        let mut c = f.login().await;
        // Some corpus messages carry 8-bit header fields (RFC 6855 §4).
        c.ok("ENABLE UTF8=ACCEPT").await;
        c.ok("CREATE diff").await;
        c.ok("CREATE fuzz").await;
        for (i, (mailbox, date, m)) in msgs.iter().enumerate() {
            // A message with NUL goes as literal8 (RFC 3516 §4.4).
            let tilde = if m.contains(&0) { "~" } else { "" };
            let head = format!("a APPEND {mailbox} \"{date}\" {tilde}{{{}+}}\r\n", m.len());
            c.raw(&[head.as_bytes(), m, b"\r\n"].concat()).await;
            let lines = c.until("a").await;
            assert!(lines.last().unwrap().starts_with("a OK"), "{i}: {lines:?}");
        }
        let mut failures = Vec::new();
        let mut selected = "";
        for (mailbox, command) in commands() {
            if mailbox != selected {
                c.ok(&format!("SELECT {mailbox}")).await;
                selected = mailbox;
            }
            let lines = c.ok(command).await;
            let ours: Vec<String> = lines[..lines.len() - 1].iter().map(|l| untag(l)).collect();
            let key = format!("{mailbox} {command}");
            let dovecot: Vec<String> = theirs[&key].iter().map(|l| untag(l)).collect();
            let known = KNOWN.iter().any(|(k, _)| *k == key);
            let command = key;
            if ours == dovecot && known {
                failures.push(format!(
                    "{command} is listed in KNOWN but now matches Dovecot"
                ));
            } else if ours != dovecot && !known {
                failures.push(format!(
                    "{command}\n  ours:    {ours:?}\n  dovecot: {dovecot:?}"
                ));
            }
        }
        assert!(
            failures.is_empty(),
            "{} differences:\n{}",
            failures.len(),
            failures.join("\n")
        );
    }
}

/// See [`dovecot`].
#[tokio::test]
async fn sort_and_thread_match_live_dovecot() {
    dovecot::run().await;
}

/// SEARCH=FUZZY (RFC 6203): FUZZY widens text keys to near matches, RETURN (RELEVANCY) gives
/// one score per result in result order, SORT (RELEVANCY) puts the most relevant first; the
/// same with the search index.
#[tokio::test]
async fn fuzzy_search_and_relevancy() {
    for with_index in [false, true] {
        let (f, indexer) = if with_index {
            let (f, i) = Fixture::with_index().await;
            (f, Some(i))
        } else {
            (Fixture::new().await, None)
        };
        let mut c = f.login().await;
        assert!(c.cmd("CAPABILITY").await[0].contains(" SEARCH=FUZZY "));
        for (i, body) in [
            "Subject: kierkegaard seminar\r\n\r\nSoren Kierkegaard wrote Either/Or.\r\n",
            "Subject: lunch\r\n\r\nNothing about philosophy.\r\n",
            "Subject: typo\r\n\r\nKierkegard misspelt.\r\n",
            "Subject: partial\r\n\r\nKierkeg and more.\r\n",
        ]
        .iter()
        .enumerate()
        {
            let line = format!("a{i} APPEND INBOX {{{}+}}\r\n{body}\r\n", body.len());
            c.raw(line.as_bytes()).await;
            assert!(
                c.until(&format!("a{i}"))
                    .await
                    .last()
                    .unwrap()
                    .contains("OK")
            );
        }
        if let Some(ix) = &indexer {
            assert_eq!(ix.catch_up_all().await.unwrap(), 4);
        }
        c.ok("SELECT INBOX").await;
        assert_eq!(one(&mut c, "SEARCH BODY kierkegaard").await, "* SEARCH 1");
        // "kierkegard" holds 7 of the 9 grams of "kierkegaard" (77), "kierkeg" 5 (55, below
        // three fifths). The other way round, "kierkegaard" holds 7 of the 8 grams of
        // "kierkegard" (87) and "kierkeg and" 5 (62).
        assert_eq!(
            one(&mut c, "SEARCH FUZZY BODY kierkegaard").await,
            "* SEARCH 1 3"
        );
        assert_eq!(
            untag(
                one(
                    &mut c,
                    "SEARCH RETURN (ALL RELEVANCY) FUZZY BODY kierkegaard"
                )
                .await
            ),
            "* ESEARCH ALL 1,3 RELEVANCY (100 77)"
        );
        assert_eq!(
            untag(
                one(
                    &mut c,
                    "UID SORT RETURN (ALL RELEVANCY) (RELEVANCY) UTF-8 FUZZY TEXT kierkegard"
                )
                .await
            ),
            "* ESEARCH UID ALL 3,1,4 RELEVANCY (100 87 62)"
        );
        assert_eq!(
            one(
                &mut c,
                "SORT (REVERSE RELEVANCY) UTF-8 FUZZY TEXT kierkegard"
            )
            .await,
            "* SORT 4 1 3"
        );
        // Without FUZZY every match is fully relevant.
        assert_eq!(
            untag(one(&mut c, "SEARCH RETURN (RELEVANCY COUNT) SUBJECT l").await),
            "* ESEARCH COUNT 2 RELEVANCY (100 100)"
        );
        assert_eq!(
            one(&mut c, "SEARCH NOT FUZZY BODY kierkegaard").await,
            "* SEARCH 2 4"
        );
    }
}

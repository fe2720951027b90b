//! Every client command in the examples of RFC 9051 §6, §7 and §8 and of the extension RFCs
//! Strata speaks, parsed with [`imap_proto::parse_command`] and compared with the exact
//! [`Command`] it means.
//!
//! Conventions:
//! * Each row is `(source, raw client bytes, expected value)`. The source names the RFC and the
//!   section (and example number when the RFC numbers them) the row was taken from; it is printed
//!   when the row fails.
//! * The input is what the client puts on the wire: CRLF line endings, and each literal's octets
//!   right after its `{n}\r\n` header (the `S: + ...` continuation the RFC shows in between is
//!   the server's, not part of the command). Line breaks that an RFC inserts only for page width
//!   are joined with one SP (or with nothing inside a sequence set, after a comma).
//! * Rows marked "constructed" are not RFC examples: the RFC (e.g. RFC 3516, RFC 6855) gives only
//!   the syntax, so the row exercises it with a minimal command.
//! * Negative rows assert that the parser refuses the input; each says where the RFC (usually
//!   its ABNF) makes it invalid.
//! * Client lines that are not commands (SASL responses after `+`, `DONE` ending IDLE) are not
//!   rows; the session reads those outside the command parser.

use bytes::Bytes;
use imap_proto::command::{
    AppendKind, AppendMessage, CommandBody, EntryType, FetchAttr as A, FetchItems, FetchModifiers,
    InitialResponse, ListCommand, ListReturn as LR, ListSelect as LS, QResync, SearchKey as K,
    SearchReturn as R, Section, SectionText, SelectParams, SortCriterion, SortKey,
    StoreAction as Op, ThreadAlgorithm,
};
use imap_proto::types::{
    Date, DateTime, Flag, Mailbox, SeqNum, SeqRange, SequenceSet, StatusItem as St, Tag,
};
use imap_proto::{Command, parse_command};
use std::panic::{AssertUnwindSafe, catch_unwind};

// ---------------------------------------------------------------------------------------------
// The harness
// ---------------------------------------------------------------------------------------------

/// Longest rendering of an input or a value in a failure message.
const CLIP: usize = 6000;

fn clip(s: String) -> String {
    if s.len() <= CLIP {
        return s;
    }
    let mut end = CLIP;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}… ({} more bytes)", &s[..end], s.len() - end)
}

fn show(input: &[u8]) -> String {
    clip(format!("\"{}\"", input.escape_ascii()))
}

/// Parses `input` and panics, showing input, expected and actual value, unless the parser
/// returns exactly `expected`.
fn check(input: &[u8], expected: Command) {
    match parse_command(input) {
        Ok(actual) if actual == expected => {}
        Ok(actual) => panic!(
            "\n  input:    {}\n  expected: {}\n  actual:   {}\n",
            show(input),
            clip(format!("{expected:#?}")),
            clip(format!("{actual:#?}")),
        ),
        Err(e) => panic!(
            "\n  input:    {}\n  expected: {}\n  actual:   Err({e:?}) \"{e}\"\n",
            show(input),
            clip(format!("{expected:#?}")),
        ),
    }
}

/// Panics unless the parser rejects `input`.
fn check_err(input: &[u8]) {
    if let Ok(actual) = parse_command(input) {
        panic!(
            "\n  input:    {}\n  expected: an error\n  actual:   {}\n",
            show(input),
            clip(format!("{actual:#?}")),
        );
    }
}

/// One table row.
struct Case {
    src: &'static str,
    input: Vec<u8>,
    /// `None`: the input must be rejected.
    expected: Option<Command>,
}

/// A row whose input must parse to `expected`.
fn ok(src: &'static str, input: impl AsRef<[u8]>, expected: Command) -> Case {
    Case {
        src,
        input: input.as_ref().to_vec(),
        expected: Some(expected),
    }
}

/// A row whose input must be rejected.
fn err(src: &'static str, input: impl AsRef<[u8]>) -> Case {
    Case {
        src,
        input: input.as_ref().to_vec(),
        expected: None,
    }
}

/// Checks every row (a failing row does not hide the next ones), then fails with the list of
/// failed rows.
fn run(cases: Vec<Case>) {
    let total = cases.len();
    let mut failed = Vec::new();
    for case in cases {
        let Case {
            src,
            input,
            expected,
        } = case;
        let outcome = catch_unwind(AssertUnwindSafe(|| match expected {
            Some(e) => check(&input, e),
            None => check_err(&input),
        }));
        if outcome.is_err() {
            eprintln!("  ^^^ failed row: {src}\n");
            failed.push(src);
        }
    }
    assert!(
        failed.is_empty(),
        "{} of {total} rows failed: {failed:#?}",
        failed.len()
    );
}

// ---------------------------------------------------------------------------------------------
// Input builders
// ---------------------------------------------------------------------------------------------

/// One command line: `s` and CRLF.
fn c(s: &str) -> Vec<u8> {
    let mut v = s.as_bytes().to_vec();
    v.extend_from_slice(b"\r\n");
    v
}

/// Several `C:` lines of an RFC example, each ended by CRLF (a literal's data included).
fn lines(ls: &[&str]) -> Vec<u8> {
    ls.iter().flat_map(|l| c(l)).collect()
}

/// Concatenation of raw pieces (byte strings, `str`s, `Vec<u8>`s).
macro_rules! cat {
    ($($part:expr),* $(,)?) => {{
        let mut v: Vec<u8> = Vec::new();
        $(v.extend_from_slice(AsRef::<[u8]>::as_ref(&$part));)*
        v
    }};
}

/// A message of exactly `len` octets: the given header lines, an empty line, and a body of
/// `x`s. For examples that elide the message text (`[...]`) but give its size.
fn sized_message(headers: &[&str], len: usize) -> Vec<u8> {
    let mut m = Vec::new();
    for h in headers {
        m.extend_from_slice(h.as_bytes());
        m.extend_from_slice(b"\r\n");
    }
    m.extend_from_slice(b"\r\n");
    let body = len
        .checked_sub(m.len() + 2)
        .expect("headers longer than the message");
    m.extend(std::iter::repeat_n(b'x', body));
    m.extend_from_slice(b"\r\n");
    assert_eq!(m.len(), len);
    m
}

// ---------------------------------------------------------------------------------------------
// Value builders
// ---------------------------------------------------------------------------------------------

fn cmd(tag: &str, body: CommandBody) -> Command {
    Command {
        tag: Tag::new(tag).expect("test tags are valid"),
        body,
    }
}

fn b(s: &str) -> Bytes {
    Bytes::copy_from_slice(s.as_bytes())
}

fn mb(s: &str) -> Mailbox {
    Mailbox::new(s)
}

/// A sequence set written as on the wire (`1:*`, `6,4,8`, `$`), kept in the order written.
fn set(s: &str) -> SequenceSet {
    if s == "$" {
        return SequenceSet::Saved;
    }
    let num = |n: &str| match n {
        "*" => SeqNum::Star,
        n => SeqNum::Value(n.parse().expect("test sets hold numbers")),
    };
    SequenceSet::Ranges(
        s.split(',')
            .map(|r| match r.split_once(':') {
                Some((a, z)) => SeqRange {
                    start: num(a),
                    end: num(z),
                },
                None => SeqRange {
                    start: num(r),
                    end: num(r),
                },
            })
            .collect(),
    )
}

fn date(year: u16, month: u8, day: u8) -> Date {
    Date::new(year, month, day).expect("test dates exist")
}

fn dt(d: Date, (h, m, s): (u8, u8, u8), zone_minutes: i16) -> DateTime {
    DateTime::new(d, h, m, s, zone_minutes).expect("test date-times are valid")
}

fn kw(s: &str) -> Flag {
    Flag::Keyword(s.to_string())
}

fn login(user: &str, pass: &str) -> CommandBody {
    CommandBody::Login {
        username: b(user),
        password: b(pass),
    }
}

fn auth(mechanism: &str, initial_response: Option<InitialResponse>) -> CommandBody {
    CommandBody::Authenticate {
        mechanism: mechanism.to_string(),
        initial_response,
    }
}

fn ir(data: &[u8]) -> Option<InitialResponse> {
    Some(InitialResponse::Data(data.to_vec()))
}

fn enable(names: &[&str]) -> CommandBody {
    CommandBody::Enable(names.iter().map(|n| n.to_string()).collect())
}

fn select(m: &str) -> CommandBody {
    CommandBody::Select {
        mailbox: mb(m),
        params: SelectParams::default(),
    }
}

fn select_with(m: &str, params: SelectParams) -> CommandBody {
    CommandBody::Select {
        mailbox: mb(m),
        params,
    }
}

fn condstore() -> SelectParams {
    SelectParams {
        condstore: true,
        qresync: None,
    }
}

fn qresync(
    uid_validity: u32,
    mod_seq: u64,
    known_uids: Option<&str>,
    seq_match: Option<(&str, &str)>,
) -> SelectParams {
    SelectParams {
        condstore: false,
        qresync: Some(QResync {
            uid_validity,
            mod_seq,
            known_uids: known_uids.map(set),
            seq_match: seq_match.map(|(s, u)| (set(s), set(u))),
        }),
    }
}

fn examine(m: &str) -> CommandBody {
    CommandBody::Examine {
        mailbox: mb(m),
        params: SelectParams::default(),
    }
}

fn create(m: &str) -> CommandBody {
    CommandBody::Create {
        mailbox: mb(m),
        special_use: vec![],
    }
}

fn create_use(m: &str, uses: &[&str]) -> CommandBody {
    CommandBody::Create {
        mailbox: mb(m),
        special_use: uses.iter().map(|u| u.to_string()).collect(),
    }
}

fn delete(m: &str) -> CommandBody {
    CommandBody::Delete(mb(m))
}

fn rename(from: &str, to: &str) -> CommandBody {
    CommandBody::Rename {
        from: mb(from),
        to: mb(to),
    }
}

fn subscribe(m: &str) -> CommandBody {
    CommandBody::Subscribe(mb(m))
}

fn unsubscribe(m: &str) -> CommandBody {
    CommandBody::Unsubscribe(mb(m))
}

fn list(selection: Vec<LS>, reference: &str, patterns: &[&str], ret: Vec<LR>) -> CommandBody {
    CommandBody::List(ListCommand {
        selection,
        reference: mb(reference),
        patterns: patterns.iter().map(|p| p.to_string()).collect(),
        ret,
    })
}

/// Basic `LIST reference pattern`.
fn list0(reference: &str, pattern: &str) -> CommandBody {
    list(vec![], reference, &[pattern], vec![])
}

fn status(m: &str, items: Vec<St>) -> CommandBody {
    CommandBody::Status {
        mailbox: mb(m),
        items,
    }
}

fn message(flags: Vec<Flag>, date: Option<DateTime>, data: &[u8]) -> AppendMessage {
    AppendMessage {
        flags,
        date,
        data: Bytes::copy_from_slice(data),
        kind: AppendKind::Literal,
    }
}

fn with_kind(m: AppendMessage, kind: AppendKind) -> AppendMessage {
    AppendMessage { kind, ..m }
}

fn append(m: &str, messages: Vec<AppendMessage>) -> CommandBody {
    CommandBody::Append {
        mailbox: mb(m),
        messages,
    }
}

fn search(ret: Option<Vec<R>>, charset: Option<&str>, criteria: Vec<K>) -> CommandBody {
    CommandBody::Search {
        uid: false,
        charset: charset.map(str::to_string),
        ret,
        criteria,
    }
}

fn not(k: K) -> K {
    K::Not(Box::new(k))
}

fn or(a: K, z: K) -> K {
    K::Or(Box::new(a), Box::new(z))
}

fn seq(s: &str) -> K {
    K::SequenceSet(set(s))
}

fn modseq(mod_seq: u64) -> K {
    K::ModSeq {
        entry: None,
        mod_seq,
    }
}

fn modseq_entry(entry: &str, kind: EntryType, mod_seq: u64) -> K {
    K::ModSeq {
        entry: Some((b(entry), kind)),
        mod_seq,
    }
}

fn fetch(s: &str, items: FetchItems) -> CommandBody {
    CommandBody::Fetch {
        uid: false,
        set: set(s),
        items,
        modifiers: FetchModifiers::default(),
    }
}

fn attrs(a: Vec<A>) -> FetchItems {
    FetchItems::Attrs(a)
}

fn body_section(peek: bool, part: Vec<u32>, text: Option<SectionText>) -> A {
    A::BodySection {
        peek,
        section: Section { part, text },
        partial: None,
    }
}

fn header_fields(fields: &[&str]) -> Option<SectionText> {
    Some(SectionText::HeaderFields {
        not: false,
        fields: fields.iter().map(|f| f.to_string()).collect(),
    })
}

/// Adds FETCH modifiers to a FETCH.
fn changed_since(mut body: CommandBody, n: u64, vanished_too: bool) -> CommandBody {
    match &mut body {
        CommandBody::Fetch { modifiers, .. } => {
            *modifiers = FetchModifiers {
                changed_since: Some(n),
                vanished: vanished_too,
            };
        }
        other => panic!("{other:?} is not a FETCH"),
    }
    body
}

fn store(s: &str, action: Op, silent: bool, flags: Vec<Flag>) -> CommandBody {
    CommandBody::Store {
        uid: false,
        set: set(s),
        unchanged_since: None,
        action,
        silent,
        flags,
    }
}

/// Adds `(UNCHANGEDSINCE n)` to a STORE.
fn unchanged_since(mut body: CommandBody, n: u64) -> CommandBody {
    match &mut body {
        CommandBody::Store {
            unchanged_since, ..
        } => *unchanged_since = Some(n),
        other => panic!("{other:?} is not a STORE"),
    }
    body
}

fn copy(s: &str, m: &str) -> CommandBody {
    CommandBody::Copy {
        uid: false,
        set: set(s),
        mailbox: mb(m),
    }
}

fn mv(s: &str, m: &str) -> CommandBody {
    CommandBody::Move {
        uid: false,
        set: set(s),
        mailbox: mb(m),
    }
}

fn expunge() -> CommandBody {
    CommandBody::Expunge { uids: None }
}

fn uid_expunge(s: &str) -> CommandBody {
    CommandBody::Expunge { uids: Some(set(s)) }
}

fn sort(
    ret: Option<Vec<R>>,
    criteria: Vec<SortCriterion>,
    charset: &str,
    keys: Vec<K>,
) -> CommandBody {
    CommandBody::Sort {
        uid: false,
        ret,
        criteria,
        charset: charset.to_string(),
        keys,
    }
}

fn by(key: SortKey) -> SortCriterion {
    SortCriterion {
        reverse: false,
        key,
    }
}

fn reverse(key: SortKey) -> SortCriterion {
    SortCriterion { reverse: true, key }
}

fn thread(algorithm: ThreadAlgorithm, charset: &str, keys: Vec<K>) -> CommandBody {
    CommandBody::Thread {
        uid: false,
        algorithm,
        charset: charset.to_string(),
        keys,
    }
}

/// The `UID` form of a SEARCH, FETCH, STORE, COPY, MOVE, SORT or THREAD.
fn uid(mut body: CommandBody) -> CommandBody {
    match &mut body {
        CommandBody::Search { uid, .. }
        | CommandBody::Fetch { uid, .. }
        | CommandBody::Store { uid, .. }
        | CommandBody::Copy { uid, .. }
        | CommandBody::Move { uid, .. }
        | CommandBody::Sort { uid, .. }
        | CommandBody::Thread { uid, .. } => *uid = true,
        other => panic!("{other:?} has no UID form"),
    }
    body
}

// ---------------------------------------------------------------------------------------------
// Messages of the APPEND examples
// ---------------------------------------------------------------------------------------------

/// RFC 9051 §6.3.12 first example, RFC 9208 §4.3.1: 326 octets.
const MEETING_326: &str = "Date: Mon, 7 Feb 1994 21:52:25 -0800 (PST)\r\n\
From: Fred Foobar <foobar@Blurdybloop.example>\r\n\
Subject: afternoon meeting\r\n\
To: mooch@owatagu.siam.edu.example\r\n\
Message-Id: <B27397-0100000@Blurdybloop.example>\r\n\
MIME-Version: 1.0\r\n\
Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n\
\r\n\
Hello Joe, do you think we can meet at 3:30 tomorrow?\r\n";

/// RFC 9051 §6.3.12 second example, RFC 4315 §3: 297 octets.
const MEETING_297: &str = "Date: Mon, 7 Feb 1994 21:52:25 -0800 (PST)\r\n\
From: Fred Foobar <foobar@example.com>\r\n\
Subject: afternoon meeting\r\n\
To: mooch@example.com\r\n\
Message-Id: <B27397-0100000@example.com>\r\n\
MIME-Version: 1.0\r\n\
Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n\
\r\n\
Hello Joe, do you think we can meet at 3:30 tomorrow?\r\n";

/// RFC 3502 §3, first message: 329 octets.
const MEETING_329: &str = "Date: Mon, 7 Feb 1994 21:52:25 -0800 (PST)\r\n\
From: Fred Foobar <foobar@Blurdybloop.example.COM>\r\n\
Subject: afternoon meeting\r\n\
To: mooch@owatagu.example.net\r\n\
Message-Id: <B27397-0100000@Blurdybloop.example.COM>\r\n\
MIME-Version: 1.0\r\n\
Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n\
\r\n\
Hello Joe, do you think we can meet at 3:30 tomorrow?\r\n";

/// RFC 3502 §3, second message: 295 octets.
const REPLY_295: &str = "Date: Mon, 7 Feb 1994 22:43:04 -0800 (PST)\r\n\
From: Joe Mooch <mooch@OWaTaGu.example.net>\r\n\
Subject: Re: afternoon meeting\r\n\
To: foobar@blurdybloop.example.com\r\n\
Message-Id: <a0434793874930@OWaTaGu.example.net>\r\n\
MIME-Version: 1.0\r\n\
Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n\
\r\n\
3:30 is fine with me.\r\n";

/// RFC 3502 §3, A005: the first message, 99 octets.
const HMM_99: &str = "Date: Mon, 7 Feb 2000 22:43:04 -0800 (PST)\r\n\
From: Fred Foobar <fred@example.com>\r\n\
Subject: hmm...\r\n";

#[test]
fn example_messages_have_the_announced_sizes() {
    assert_eq!(MEETING_326.len(), 326);
    assert_eq!(MEETING_297.len(), 297);
    assert_eq!(MEETING_329.len(), 329);
    assert_eq!(REPLY_295.len(), 295);
    assert_eq!(HMM_99.len(), 99);
}

/// `tag APPEND saved-messages (\Seen) {n}` + message + CRLF, as in RFC 9051 §6.3.12.
fn append_saved_messages(tag: &str, header_tail: &str, msg: &str) -> Vec<u8> {
    let head = format!("{tag} APPEND saved-messages (\\Seen) {header_tail}\r\n");
    cat!(head.as_bytes(), msg.as_bytes(), b"\r\n")
}

fn saved_messages(msg: &str) -> CommandBody {
    append(
        "saved-messages",
        vec![message(vec![Flag::Seen], None, msg.as_bytes())],
    )
}

// ---------------------------------------------------------------------------------------------
// RFC 9051
// ---------------------------------------------------------------------------------------------

#[test]
fn rfc9051_6_1_any_state() {
    run(vec![
        // §6.1.1 CAPABILITY (the example also holds a STARTTLS)
        ok(
            "9051 §6.1.1",
            c("abcd CAPABILITY"),
            cmd("abcd", CommandBody::Capability),
        ),
        ok(
            "9051 §6.1.1",
            c("efgh STARTTLS"),
            cmd("efgh", CommandBody::StartTls),
        ),
        ok(
            "9051 §6.1.1",
            c("ijkl CAPABILITY"),
            cmd("ijkl", CommandBody::Capability),
        ),
        // §6.1.2 NOOP
        ok(
            "9051 §6.1.2",
            c("a002 NOOP"),
            cmd("a002", CommandBody::Noop),
        ),
        ok(
            "9051 §6.1.2",
            c("a047 NOOP"),
            cmd("a047", CommandBody::Noop),
        ),
        // §6.1.3 LOGOUT
        ok(
            "9051 §6.1.3",
            c("A023 LOGOUT"),
            cmd("A023", CommandBody::Logout),
        ),
        // Negative: command-any = "CAPABILITY" / "LOGOUT" / "NOOP" take no argument (§9).
        err(
            "9051 §9 command-any: no argument",
            c("abcd CAPABILITY IMAP4rev2"),
        ),
        err("9051 §9 command-any: trailing SP", c("a002 NOOP ")),
        // §9 note 2: SP is exactly one space. Strata accepts doubled blanks between arguments
        // (clients send them; see the parser's `doubled_blanks` test) but not after the tag.
        err("9051 §9 rule 2: two SPs after the tag", c("a002  NOOP")),
        // §9 tag = 1*<any ASTRING-CHAR except "+">
        err("9051 §9 tag: no '+'", c("a+2 NOOP")),
        err("9051 §9 tag: missing", c("NOOP")),
        err("9051 §9 tag: '*' is no ASTRING-CHAR", c("a*2 NOOP")),
    ]);
}

#[test]
fn rfc9051_6_2_not_authenticated() {
    let plain = ir(b"test\0test\0test");
    run(vec![
        // §6.2.1 STARTTLS
        ok(
            "9051 §6.2.1",
            c("a001 CAPABILITY"),
            cmd("a001", CommandBody::Capability),
        ),
        ok(
            "9051 §6.2.1",
            c("a002 STARTTLS"),
            cmd("a002", CommandBody::StartTls),
        ),
        ok(
            "9051 §6.2.1",
            c("a003 CAPABILITY"),
            cmd("a003", CommandBody::Capability),
        ),
        ok(
            "9051 §6.2.1",
            c("a004 AUTHENTICATE PLAIN dGVzdAB0ZXN0AHRlc3Q="),
            cmd("a004", auth("PLAIN", plain.clone())),
        ),
        // §6.2.2 AUTHENTICATE (the client's SASL responses after "+" are not commands)
        ok(
            "9051 §6.2.2 GSSAPI",
            c("A001 AUTHENTICATE GSSAPI"),
            cmd("A001", auth("GSSAPI", None)),
        ),
        ok(
            "9051 §6.2.2 SASL-IR",
            c("A01 STARTTLS"),
            cmd("A01", CommandBody::StartTls),
        ),
        ok(
            "9051 §6.2.2 SASL-IR",
            c("A02 CAPABILITY"),
            cmd("A02", CommandBody::Capability),
        ),
        ok(
            "9051 §6.2.2 SASL-IR",
            c("A03 AUTHENTICATE PLAIN dGVzdAB0ZXN0AHRlc3Q="),
            cmd("A03", auth("PLAIN", plain.clone())),
        ),
        ok(
            "9051 §6.2.2 no IR",
            c("C01 CAPABILITY"),
            cmd("C01", CommandBody::Capability),
        ),
        ok(
            "9051 §6.2.2 no IR",
            c("A01 AUTHENTICATE PLAIN"),
            cmd("A01", auth("PLAIN", None)),
        ),
        ok(
            "9051 §6.2.2 EXTERNAL",
            c("C01 CAPABILITY"),
            cmd("C01", CommandBody::Capability),
        ),
        ok(
            "9051 §6.2.2 EXTERNAL",
            c("A01 AUTHENTICATE EXTERNAL ="),
            cmd("A01", auth("EXTERNAL", Some(InitialResponse::Empty))),
        ),
        // §6.2.3 LOGIN
        ok(
            "9051 §6.2.3",
            c("a001 LOGIN SMITH SESAME"),
            cmd("a001", login("SMITH", "SESAME")),
        ),
        // Negative: login = "LOGIN" SP userid SP password
        err("9051 §9 login: password missing", c("a001 LOGIN SMITH")),
        err(
            "9051 §9 login: unterminated quoted",
            c("a001 LOGIN \"SMITH SESAME"),
        ),
        // Negative: authenticate = "AUTHENTICATE" SP auth-type [SP initial-resp],
        // initial-resp = base64 / "=", base64 = *(4base64-char) [base64-terminal]
        err("9051 §9 authenticate: no mechanism", c("a004 AUTHENTICATE")),
        err(
            "9051 §9 base64: 7 chars",
            c("a004 AUTHENTICATE PLAIN dGVzdAB"),
        ),
        err(
            "9051 §9 base64: 19 chars",
            c("a004 AUTHENTICATE PLAIN dGVzdAB0ZXN0AHRlc3Q"),
        ),
        err(
            "9051 §9 base64: '=' then data",
            c("a004 AUTHENTICATE PLAIN AAA=BBBB"),
        ),
        err(
            "9051 §9 base64: not base64",
            c("a004 AUTHENTICATE PLAIN dGVz!AB0"),
        ),
        err(
            "9051 §9 authenticate: two responses",
            c("a004 AUTHENTICATE PLAIN dGVz dGVz"),
        ),
    ]);
}

#[test]
fn rfc9051_6_3_mailbox_commands() {
    run(vec![
        // §6.3.1 ENABLE
        ok(
            "9051 §6.3.1",
            c("t1 CAPABILITY"),
            cmd("t1", CommandBody::Capability),
        ),
        ok(
            "9051 §6.3.1",
            c("t2 ENABLE CONDSTORE X-GOOD-IDEA"),
            cmd("t2", enable(&["CONDSTORE", "X-GOOD-IDEA"])),
        ),
        ok(
            "9051 §6.3.1",
            c("t3 CAPABILITY"),
            cmd("t3", CommandBody::Capability),
        ),
        ok(
            "9051 §6.3.1",
            c("a1 ENABLE CONDSTORE"),
            cmd("a1", enable(&["CONDSTORE"])),
        ),
        // §6.3.2 SELECT
        ok(
            "9051 §6.3.2 ex 1",
            c("A142 SELECT INBOX"),
            cmd("A142", select("INBOX")),
        ),
        ok(
            "9051 §6.3.2 ex 2",
            c("A142 SELECT INBOX"),
            cmd("A142", select("INBOX")),
        ),
        ok(
            "9051 §6.3.2 ex 2",
            c("A143 SELECT Drafts"),
            cmd("A143", select("Drafts")),
        ),
        // §6.3.3 EXAMINE
        ok(
            "9051 §6.3.3",
            c("A932 EXAMINE blurdybloop"),
            cmd("A932", examine("blurdybloop")),
        ),
        // §6.3.4 CREATE
        ok(
            "9051 §6.3.4",
            c("A003 CREATE owatagusiam/"),
            cmd("A003", create("owatagusiam/")),
        ),
        ok(
            "9051 §6.3.4",
            c("A004 CREATE owatagusiam/blurdybloop"),
            cmd("A004", create("owatagusiam/blurdybloop")),
        ),
        ok(
            "9051 §6.3.4",
            c("A005 CREATE NonNormalized"),
            cmd("A005", create("NonNormalized")),
        ),
        // §6.3.5 DELETE, first example
        ok(
            "9051 §6.3.5 ex 1",
            c(r#"A682 LIST "" *"#),
            cmd("A682", list0("", "*")),
        ),
        ok(
            "9051 §6.3.5 ex 1",
            c("A683 DELETE blurdybloop"),
            cmd("A683", delete("blurdybloop")),
        ),
        ok(
            "9051 §6.3.5 ex 1",
            c("A684 DELETE foo"),
            cmd("A684", delete("foo")),
        ),
        ok(
            "9051 §6.3.5 ex 1",
            c("A685 DELETE foo/bar"),
            cmd("A685", delete("foo/bar")),
        ),
        ok(
            "9051 §6.3.5 ex 1",
            c(r#"A686 LIST "" *"#),
            cmd("A686", list0("", "*")),
        ),
        ok(
            "9051 §6.3.5 ex 1",
            c("A687 DELETE foo"),
            cmd("A687", delete("foo")),
        ),
        // §6.3.5 DELETE, second example
        ok(
            "9051 §6.3.5 ex 2",
            c(r#"A82 LIST "" *"#),
            cmd("A82", list0("", "*")),
        ),
        ok(
            "9051 §6.3.5 ex 2",
            c("A83 DELETE blurdybloop"),
            cmd("A83", delete("blurdybloop")),
        ),
        ok(
            "9051 §6.3.5 ex 2",
            c("A84 DELETE foo"),
            cmd("A84", delete("foo")),
        ),
        ok(
            "9051 §6.3.5 ex 2",
            c(r#"A85 LIST "" *"#),
            cmd("A85", list0("", "*")),
        ),
        ok(
            "9051 §6.3.5 ex 2",
            c(r#"A86 LIST "" %"#),
            cmd("A86", list0("", "%")),
        ),
        // §6.3.6 RENAME
        ok(
            "9051 §6.3.6",
            c(r#"A682 LIST "" *"#),
            cmd("A682", list0("", "*")),
        ),
        ok(
            "9051 §6.3.6",
            c("A683 RENAME blurdybloop sarasoop"),
            cmd("A683", rename("blurdybloop", "sarasoop")),
        ),
        ok(
            "9051 §6.3.6",
            c("A684 RENAME foo zowie"),
            cmd("A684", rename("foo", "zowie")),
        ),
        ok(
            "9051 §6.3.6",
            c(r#"A685 LIST "" *"#),
            cmd("A685", list0("", "*")),
        ),
        ok(
            "9051 §6.3.6",
            c(r#"Z432 LIST "" *"#),
            cmd("Z432", list0("", "*")),
        ),
        ok(
            "9051 §6.3.6",
            c("Z433 RENAME INBOX old-mail"),
            cmd("Z433", rename("INBOX", "old-mail")),
        ),
        ok(
            "9051 §6.3.6",
            c(r#"Z434 LIST "" *"#),
            cmd("Z434", list0("", "*")),
        ),
        ok(
            "9051 §6.3.6",
            c("1001 RENAME X Y"),
            cmd("1001", rename("X", "Y")),
        ),
        ok(
            "9051 §6.3.6",
            c("1002 SUBSCRIBE Y"),
            cmd("1002", subscribe("Y")),
        ),
        ok(
            "9051 §6.3.6",
            c("1003 UNSUBSCRIBE X"),
            cmd("1003", unsubscribe("X")),
        ),
        // §6.3.7 SUBSCRIBE, §6.3.8 UNSUBSCRIBE
        ok(
            "9051 §6.3.7",
            c("A002 SUBSCRIBE #news.comp.mail.mime"),
            cmd("A002", subscribe("#news.comp.mail.mime")),
        ),
        ok(
            "9051 §6.3.8",
            c("A002 UNSUBSCRIBE #news.comp.mail.mime"),
            cmd("A002", unsubscribe("#news.comp.mail.mime")),
        ),
        // §6.3.11 STATUS
        ok(
            "9051 §6.3.11",
            c("A042 STATUS blurdybloop (UIDNEXT MESSAGES)"),
            cmd(
                "A042",
                status("blurdybloop", vec![St::UidNext, St::Messages]),
            ),
        ),
        // Negative: select = "SELECT" SP mailbox; enable = "ENABLE" 1*(SP capability);
        // rename = "RENAME" SP mailbox SP mailbox; status needs 1+ status-att in parentheses.
        err("9051 §9 select: mailbox missing", c("A142 SELECT")),
        err(
            "9051 §9 select: two mailboxes",
            c("A142 SELECT INBOX Drafts"),
        ),
        err("9051 §9 enable: no capability", c("a1 ENABLE")),
        err("9051 §9 rename: one mailbox", c("A683 RENAME blurdybloop")),
        err("9051 §9 create: mailbox missing", c("A003 CREATE")),
        err(
            "9051 §9 status: empty list",
            c("A042 STATUS blurdybloop ()"),
        ),
        err("9051 §9 status: no list", c("A042 STATUS blurdybloop")),
        err(
            "9051 §9 status: no parentheses",
            c("A042 STATUS blurdybloop UIDNEXT"),
        ),
        err(
            "9051 §9 status: unbalanced",
            c("A042 STATUS blurdybloop (UIDNEXT MESSAGES"),
        ),
        err(
            "9051 §9 status-att: unknown item",
            c("A042 STATUS blurdybloop (UIDNEXT FOO)"),
        ),
        err(
            "9051 §9 mailbox: '(' is an atom-special",
            c("A932 EXAMINE blurdy(bloop"),
        ),
    ]);
}

#[test]
fn rfc9051_6_3_9_list() {
    let sub_rec = || vec![LS::Subscribed, LS::RecursiveMatch];
    run(vec![
        // §6.3.9.8 basic LIST
        ok(
            "9051 §6.3.9.8",
            c(r#"A101 LIST "" """#),
            cmd("A101", list0("", "")),
        ),
        ok(
            "9051 §6.3.9.8",
            c(r#"A102 LIST #news.comp.mail.misc """#),
            cmd("A102", list0("#news.comp.mail.misc", "")),
        ),
        ok(
            "9051 §6.3.9.8",
            c(r#"A103 LIST /usr/staff/jones """#),
            cmd("A103", list0("/usr/staff/jones", "")),
        ),
        ok(
            "9051 §6.3.9.8",
            c("A202 LIST ~/Mail/ %"),
            cmd("A202", list0("~/Mail/", "%")),
        ),
        // §6.3.9.8 extended examples 1-6
        ok(
            "9051 §6.3.9.8 ext 1",
            c(r#"A01 LIST "" "*""#),
            cmd("A01", list0("", "*")),
        ),
        ok(
            "9051 §6.3.9.8 ext 2",
            c(r#"A02 LIST (SUBSCRIBED) "" "*""#),
            cmd("A02", list(vec![LS::Subscribed], "", &["*"], vec![])),
        ),
        ok(
            "9051 §6.3.9.8 ext 3",
            c(r#"A03 LIST () "" "%" RETURN (CHILDREN)"#),
            cmd("A03", list(vec![], "", &["%"], vec![LR::Children])),
        ),
        ok(
            "9051 §6.3.9.8 ext 4",
            c(r#"A04 LIST (REMOTE) "" "%" RETURN (CHILDREN)"#),
            cmd(
                "A04",
                list(vec![LS::Remote], "", &["%"], vec![LR::Children]),
            ),
        ),
        ok(
            "9051 §6.3.9.8 ext 5",
            c(r#"A05 LIST (REMOTE SUBSCRIBED) "" "*""#),
            cmd(
                "A05",
                list(vec![LS::Remote, LS::Subscribed], "", &["*"], vec![]),
            ),
        ),
        ok(
            "9051 §6.3.9.8 ext 6",
            c(r#"A06 LIST (REMOTE) "" "*" RETURN (SUBSCRIBED)"#),
            cmd(
                "A06",
                list(vec![LS::Remote], "", &["*"], vec![LR::Subscribed]),
            ),
        ),
        // ext 7
        ok(
            "9051 §6.3.9.8 ext 7",
            c(r#"C01 LIST "" "*""#),
            cmd("C01", list0("", "*")),
        ),
        ok(
            "9051 §6.3.9.8 ext 7",
            c(r#"CA3 LIST "" "%" RETURN (CHILDREN)"#),
            cmd("CA3", list(vec![], "", &["%"], vec![LR::Children])),
        ),
        ok(
            "9051 §6.3.9.8 ext 7A",
            c(r#"C02 LIST (SUBSCRIBED) "" "*""#),
            cmd("C02", list(vec![LS::Subscribed], "", &["*"], vec![])),
        ),
        ok(
            "9051 §6.3.9.8 ext 7A",
            c(r#"C04 LIST (SUBSCRIBED RECURSIVEMATCH) "" "%""#),
            cmd("C04", list(sub_rec(), "", &["%"], vec![])),
        ),
        ok(
            "9051 §6.3.9.8 ext 7A1",
            c(r#"C04 LIST (SUBSCRIBED RECURSIVEMATCH) "" "%""#),
            cmd("C04", list(sub_rec(), "", &["%"], vec![])),
        ),
        ok(
            "9051 §6.3.9.8 ext 7A1",
            c(r#"C04 LIST (SUBSCRIBED RECURSIVEMATCH) "" "%""#),
            cmd("C04", list(sub_rec(), "", &["%"], vec![])),
        ),
        ok(
            "9051 §6.3.9.8 ext 7A2",
            c(r#"C04 LIST (SUBSCRIBED RECURSIVEMATCH) "" "%""#),
            cmd("C04", list(sub_rec(), "", &["%"], vec![])),
        ),
        ok(
            "9051 §6.3.9.8 ext 7C",
            c(r#"C04 LIST (SUBSCRIBED RECURSIVEMATCH) "" "%" RETURN (CHILDREN)"#),
            cmd("C04", list(sub_rec(), "", &["%"], vec![LR::Children])),
        ),
        // ext 8
        ok(
            "9051 §6.3.9.8 ext 8",
            c(r#"D01 LIST "" "*""#),
            cmd("D01", list0("", "*")),
        ),
        ok(
            "9051 §6.3.9.8 ext 8",
            c(r#"D02 LIST (SUBSCRIBED) "" "*""#),
            cmd("D02", list(vec![LS::Subscribed], "", &["*"], vec![])),
        ),
        ok(
            "9051 §6.3.9.8 ext 8",
            c(r#"D03 LIST (RECURSIVEMATCH SUBSCRIBED) "" "*2""#),
            cmd(
                "D03",
                list(
                    vec![LS::RecursiveMatch, LS::Subscribed],
                    "",
                    &["*2"],
                    vec![],
                ),
            ),
        ),
        ok(
            "9051 §6.3.9.8 ext 8",
            c(r#"D03 LIST (RECURSIVEMATCH SUBSCRIBED) "" "*""#),
            cmd(
                "D03",
                list(vec![LS::RecursiveMatch, LS::Subscribed], "", &["*"], vec![]),
            ),
        ),
        // ext 9
        ok(
            "9051 §6.3.9.8 ext 9",
            c(r#"a1 LIST "" ("foo")"#),
            cmd("a1", list(vec![], "", &["foo"], vec![])),
        ),
        ok(
            "9051 §6.3.9.8 ext 9",
            c(r#"a2 LIST (SUBSCRIBED) "" "foo/*""#),
            cmd("a2", list(vec![LS::Subscribed], "", &["foo/*"], vec![])),
        ),
        ok(
            "9051 §6.3.9.8 ext 9",
            c(r#"a3 LIST (SUBSCRIBED RECURSIVEMATCH) "" foo RETURN (CHILDREN)"#),
            cmd("a3", list(sub_rec(), "", &["foo"], vec![LR::Children])),
        ),
        // ext 10
        ok(
            "9051 §6.3.9.8 ext 10",
            c(r#"a1 LIST (REMOTE) "" *"#),
            cmd("a1", list(vec![LS::Remote], "", &["*"], vec![])),
        ),
        ok(
            "9051 §6.3.9.8 ext 10",
            c(r#"a2 LIST () "" %"#),
            cmd("a2", list(vec![], "", &["%"], vec![])),
        ),
        ok(
            "9051 §6.3.9.8 ext 10",
            c(r#"a3 LIST (REMOTE) "" %"#),
            cmd("a3", list(vec![LS::Remote], "", &["%"], vec![])),
        ),
        ok(
            "9051 §6.3.9.8 ext 10",
            c(r#"a3.1 LIST "" (% music/rock)"#),
            cmd("a3.1", list(vec![], "", &["%", "music/rock"], vec![])),
        ),
        // ext 11 (the A02 line break before "(MESSAGES))" is for page width)
        ok(
            "9051 §6.3.9.8 ext 11",
            c(r#"A01 LIST "" % RETURN (STATUS (MESSAGES UNSEEN))"#),
            cmd(
                "A01",
                list(
                    vec![],
                    "",
                    &["%"],
                    vec![LR::Status(vec![St::Messages, St::Unseen])],
                ),
            ),
        ),
        ok(
            "9051 §6.3.9.8 ext 11",
            c(r#"A02 LIST (SUBSCRIBED RECURSIVEMATCH) "" % RETURN (STATUS (MESSAGES))"#),
            cmd(
                "A02",
                list(sub_rec(), "", &["%"], vec![LR::Status(vec![St::Messages])]),
            ),
        ),
        // Negative: list-select-opts does NOT allow (RECURSIVEMATCH) or (REMOTE RECURSIVEMATCH)
        // (§9 comment; RFC 5258 §3.1 "The server MUST return BAD").
        err(
            "9051 §9 list-select-opts: (RECURSIVEMATCH)",
            c(r#"C05 LIST (RECURSIVEMATCH) "" "%""#),
        ),
        err(
            "9051 §9 list-select-opts: (REMOTE RECURSIVEMATCH)",
            c(r#"C05 LIST (REMOTE RECURSIVEMATCH) "" "%""#),
        ),
        // Negative: list = "LIST" [SP list-select-opts] SP mailbox SP mbox-or-pat ...
        err("9051 §9 list: pattern missing", c(r#"A101 LIST """#)),
        err("9051 §9 patterns: empty", c(r#"A101 LIST "" ()"#)),
        err(
            "9051 §9 list-return-opts: no parentheses",
            c(r#"A03 LIST "" "%" RETURN CHILDREN"#),
        ),
        err(
            "9051 §9 status-option: no item",
            c(r#"A01 LIST "" % RETURN (STATUS ())"#),
        ),
    ]);
}

#[test]
fn rfc9051_6_3_10_namespace() {
    run(vec![
        // Examples 1-4
        ok(
            "9051 §6.3.10 ex 1",
            c("A001 NAMESPACE"),
            cmd("A001", CommandBody::Namespace),
        ),
        ok(
            "9051 §6.3.10 ex 2",
            c("A001 NAMESPACE"),
            cmd("A001", CommandBody::Namespace),
        ),
        ok(
            "9051 §6.3.10 ex 3",
            c("A001 NAMESPACE"),
            cmd("A001", CommandBody::Namespace),
        ),
        ok(
            "9051 §6.3.10 ex 4",
            c("A001 NAMESPACE"),
            cmd("A001", CommandBody::Namespace),
        ),
        // Example 5
        ok(
            "9051 §6.3.10 ex 5",
            c("A001 NAMESPACE"),
            cmd("A001", CommandBody::Namespace),
        ),
        ok(
            "9051 §6.3.10 ex 5",
            c(r#"A002 CREATE "INBOX.Sent Mail""#),
            cmd("A002", create("INBOX.Sent Mail")),
        ),
        // Example 6
        ok(
            "9051 §6.3.10 ex 6",
            c("A001 NAMESPACE"),
            cmd("A001", CommandBody::Namespace),
        ),
        ok(
            "9051 §6.3.10 ex 6",
            c(r#"A002 LIST (SPECIAL-USE) "" "*""#),
            cmd("A002", list(vec![LS::SpecialUse], "", &["*"], vec![])),
        ),
        ok(
            "9051 §6.3.10 ex 6",
            c(r##"A003 LIST (SPECIAL-USE) "#mh/" "*""##),
            cmd("A003", list(vec![LS::SpecialUse], "#mh/", &["*"], vec![])),
        ),
        ok(
            "9051 §6.3.10 ex 6",
            c(r#"A004 CREATE "Sent Mail""#),
            cmd("A004", create("Sent Mail")),
        ),
        ok(
            "9051 §6.3.10 ex 6",
            c(r#"A005 CREATE "Delete Items""#),
            cmd("A005", create("Delete Items")),
        ),
        ok(
            "9051 §6.3.10 ex 6",
            c(r##"A006 CREATE "#mh/Deleted Items""##),
            cmd("A006", create("#mh/Deleted Items")),
        ),
        // Example 7
        ok(
            "9051 §6.3.10 ex 7",
            c("A001 NAMESPACE"),
            cmd("A001", CommandBody::Namespace),
        ),
        ok(
            "9051 §6.3.10 ex 7",
            c(r#"A002 LIST "" "Other Users/%""#),
            cmd("A002", list0("", "Other Users/%")),
        ),
        // Example 8
        ok(
            "9051 §6.3.10 ex 8",
            c("A001 NAMESPACE"),
            cmd("A001", CommandBody::Namespace),
        ),
        ok(
            "9051 §6.3.10 ex 8",
            c(r##"A002 LIST "" "#Users/%""##),
            cmd("A002", list0("", "#Users/%")),
        ),
        ok(
            "9051 §6.3.10 ex 8",
            c(r##"A003 LIST "" "#Users/Mike/%""##),
            cmd("A003", list0("", "#Users/Mike/%")),
        ),
        // Example 9
        ok(
            "9051 §6.3.10 ex 9",
            c("A001 NAMESPACE"),
            cmd("A001", CommandBody::Namespace),
        ),
        ok(
            "9051 §6.3.10 ex 9",
            c(r#"A002 LIST "" "~mark/%""#),
            cmd("A002", list0("", "~mark/%")),
        ),
        // Negative: "NAMESPACE" takes no argument (RFC 2342 / 9051 §9 command-auth).
        err("9051 §9 namespace: no argument", c("A001 NAMESPACE INBOX")),
    ]);
}

#[test]
fn rfc9051_6_3_12_append_and_6_3_13_idle() {
    let funny = || select("funny");
    run(vec![
        // §6.3.12 APPEND, first example (synchronizing literal)
        ok(
            "9051 §6.3.12 ex 1",
            append_saved_messages("A003", "{326}", MEETING_326),
            cmd("A003", saved_messages(MEETING_326)),
        ),
        // §6.3.12 APPEND, second example (non-synchronizing literal) and the commands after it
        ok(
            "9051 §6.3.12 ex 2",
            append_saved_messages("A003", "{297+}", MEETING_297),
            cmd("A003", saved_messages(MEETING_297)),
        ),
        ok(
            "9051 §6.3.12 ex 2",
            c("A004 COPY 2:4 meeting"),
            cmd("A004", copy("2:4", "meeting")),
        ),
        ok(
            "9051 §6.3.12 ex 2",
            c("A005 UID COPY 305:310 meeting"),
            cmd("A005", uid(copy("305:310", "meeting"))),
        ),
        ok(
            "9051 §6.3.12 ex 2",
            c("A006 COPY 2 funny"),
            cmd("A006", copy("2", "funny")),
        ),
        ok(
            "9051 §6.3.12 ex 2",
            c("A007 SELECT funny"),
            cmd("A007", funny()),
        ),
        // §6.3.13 IDLE ("DONE" lines are read by the session, not parsed as commands)
        ok(
            "9051 §6.3.13",
            c("A001 SELECT INBOX"),
            cmd("A001", select("INBOX")),
        ),
        ok(
            "9051 §6.3.13",
            c("A002 IDLE"),
            cmd("A002", CommandBody::Idle),
        ),
        ok(
            "9051 §6.3.13",
            c("A003 FETCH 4 ALL"),
            cmd("A003", fetch("4", FetchItems::All)),
        ),
        ok(
            "9051 §6.3.13",
            c("A004 IDLE"),
            cmd("A004", CommandBody::Idle),
        ),
        ok(
            "9051 §6.3.13",
            c("A005 FETCH 3 ALL"),
            cmd("A005", fetch("3", FetchItems::All)),
        ),
        ok(
            "9051 §6.3.13",
            c("A006 IDLE"),
            cmd("A006", CommandBody::Idle),
        ),
        // Negative: append = "APPEND" SP mailbox [SP flag-list] [SP date-time] SP literal
        err(
            "9051 §9 append: no message",
            c(r"A003 APPEND saved-messages (\Seen)"),
        ),
        err(
            "9051 §9 append: message must be a literal",
            c(r#"A003 APPEND saved-messages "Hi""#),
        ),
        // date-day-fixed = (SP DIGIT) / 2DIGIT: " 7-Feb-1994", not "7-Feb-1994"
        err(
            "9051 §9 date-time: date-day-fixed",
            b"A003 APPEND saved-messages \"7-Feb-1994 21:52:25 -0800\" {5}\r\nHello\r\n",
        ),
        // literal: {n} must be followed by exactly n octets, then the command goes on
        err(
            "9051 §9 literal: octets missing",
            b"A003 APPEND saved-messages {10}\r\nHello\r\n",
        ),
        // literal = "{" number64 ["+"] "}" CRLF *CHAR8: no NUL (only literal8 may hold one)
        err(
            "9051 §9 literal: NUL octet",
            b"A003 APPEND saved-messages {5}\r\nHe\0lo\r\n",
        ),
        // idle = "IDLE" CRLF "DONE"
        err("9051 §9 idle: no argument", c("A002 IDLE DONE")),
    ]);
}

#[test]
fn rfc9051_6_4_selected_state() {
    let smith = || not(K::From(b("Smith")));
    let since = |d, m, y| K::Since(date(y, m, d));
    run(vec![
        // §6.4.1 CLOSE, §6.4.2 UNSELECT, §6.4.3 EXPUNGE
        ok(
            "9051 §6.4.1",
            c("A341 CLOSE"),
            cmd("A341", CommandBody::Close),
        ),
        ok(
            "9051 §6.4.2",
            c("A342 UNSELECT"),
            cmd("A342", CommandBody::Unselect),
        ),
        ok("9051 §6.4.3", c("A202 EXPUNGE"), cmd("A202", expunge())),
        // §6.4.4 SEARCH (line breaks before "SINCE" are for page width)
        ok(
            "9051 §6.4.4",
            c(r#"A282 SEARCH RETURN (MIN COUNT) FLAGGED SINCE 1-Feb-1994 NOT FROM "Smith""#),
            cmd(
                "A282",
                search(
                    Some(vec![R::Min, R::Count]),
                    None,
                    vec![K::Flagged, since(1, 2, 1994), smith()],
                ),
            ),
        ),
        ok(
            "9051 §6.4.4",
            c(r#"A283 SEARCH RETURN () FLAGGED SINCE 1-Feb-1994 NOT FROM "Smith""#),
            cmd(
                "A283",
                search(
                    Some(vec![]),
                    None,
                    vec![K::Flagged, since(1, 2, 1994), smith()],
                ),
            ),
        ),
        ok(
            "9051 §6.4.4",
            c(r#"A284 SEARCH TEXT "string not in mailbox""#),
            cmd(
                "A284",
                search(None, None, vec![K::Text(b("string not in mailbox"))]),
            ),
        ),
        ok(
            "9051 §6.4.4",
            c("A285 SEARCH CHARSET UTF-8 TEXT {12}\r\nотпуск"),
            cmd(
                "A285",
                search(None, Some("UTF-8"), vec![K::Text(b("отпуск"))]),
            ),
        ),
        ok(
            "9051 §6.4.4",
            c("A284 SEARCH RETURN (MIN) UNSEEN"),
            cmd("A284", search(Some(vec![R::Min]), None, vec![K::Unseen])),
        ),
        ok(
            "9051 §6.4.4",
            c("A285 UID SEARCH RETURN (MIN MAX) 1:5000"),
            cmd(
                "A285",
                uid(search(
                    Some(vec![R::Min, R::Max]),
                    None,
                    vec![seq("1:5000")],
                )),
            ),
        ),
        ok(
            "9051 §6.4.4",
            c("A286 SEARCH RETURN (COUNT) DELETED"),
            cmd("A286", search(Some(vec![R::Count]), None, vec![K::Deleted])),
        ),
        // §6.4.5 FETCH
        ok(
            "9051 §6.4.5",
            c("A654 FETCH 2:4 (FLAGS BODY[HEADER.FIELDS (DATE FROM)])"),
            cmd(
                "A654",
                fetch(
                    "2:4",
                    attrs(vec![
                        A::Flags,
                        body_section(false, vec![], header_fields(&["DATE", "FROM"])),
                    ]),
                ),
            ),
        ),
        // §6.4.6 STORE
        ok(
            "9051 §6.4.6",
            c(r"A003 STORE 2:4 +FLAGS (\Deleted)"),
            cmd("A003", store("2:4", Op::Add, false, vec![Flag::Deleted])),
        ),
        // §9: "\Recent" is not a `flag` but it is a syntactically valid flag-extension.
        ok(
            "9051 §9 flag-extension (constructed)",
            c(r"A004 STORE 1 FLAGS (\Recent)"),
            cmd("A004", store("1", Op::Replace, false, vec![Flag::Recent])),
        ),
        // §6.4.7 COPY, §6.4.8 MOVE
        ok(
            "9051 §6.4.7",
            c("A003 COPY 2:4 MEETING"),
            cmd("A003", copy("2:4", "MEETING")),
        ),
        ok(
            "9051 §6.4.8",
            c("a UID MOVE 42:69 foo"),
            cmd("a", uid(mv("42:69", "foo"))),
        ),
        // §6.4.9 UID
        ok(
            "9051 §6.4.9",
            c("A003 UID EXPUNGE 3000:3002"),
            cmd("A003", uid_expunge("3000:3002")),
        ),
        ok(
            "9051 §6.4.9 (prose, tag added)",
            c("A100 UID SEARCH 1:100 UID 443:557"),
            cmd(
                "A100",
                uid(search(
                    None,
                    None,
                    vec![seq("1:100"), K::Uid(set("443:557"))],
                )),
            ),
        ),
        ok(
            "9051 §6.4.9",
            c("A999 UID FETCH 4827313:4828442 FLAGS"),
            cmd("A999", uid(fetch("4827313:4828442", attrs(vec![A::Flags])))),
        ),
        // §6.5 (A442 XPIG-LATIN is in `commands_strata_does_not_speak`)
        ok(
            "9051 §6.5",
            c("a441 CAPABILITY"),
            cmd("a441", CommandBody::Capability),
        ),
        // Negative: search = "SEARCH" [search-return-opts] SP search-program, which holds at
        // least one search-key; NOT and OR take one and two keys.
        err("9051 §9 search: no key", c("A284 SEARCH")),
        err(
            "9051 §9 search: RETURN but no key",
            c("A284 SEARCH RETURN (MIN)"),
        ),
        err(
            "9051 §9 search: CHARSET but no key",
            c("A284 SEARCH CHARSET UTF-8"),
        ),
        err("9051 §9 search-key: NOT without key", c("A284 SEARCH NOT")),
        err(
            "9051 §9 search-key: OR with one key",
            c("A284 SEARCH OR FLAGGED"),
        ),
        err(
            "9051 §9 search-key: unbalanced",
            c("A284 SEARCH (FLAGGED UNSEEN"),
        ),
        err("9051 §9 search-key: empty parentheses", c("A284 SEARCH ()")),
        err(
            "9051 §9 search-key: KEYWORD takes an atom",
            c(r"A284 SEARCH KEYWORD \Seen"),
        ),
        err("9051 §9 date-year: 4DIGIT", c("A284 SEARCH SINCE 1-Feb-94")),
        err(
            "9051 §9 date-month: a month name",
            c("A284 SEARCH SINCE 1-Foo-1994"),
        ),
        err(
            "9051 §9 search-return-opts: parentheses",
            c("A284 SEARCH RETURN MIN UNSEEN"),
        ),
        // Negative: fetch = "FETCH" SP sequence-set SP ("ALL" / "FULL" / "FAST" / fetch-att /
        // "(" fetch-att *(SP fetch-att) ")")
        err("9051 §9 fetch: no item", c("A654 FETCH 2:4")),
        err("9051 §9 fetch: empty list", c("A654 FETCH 2:4 ()")),
        err(
            "9051 §9 fetch: macro inside parentheses",
            c("A654 FETCH 2:4 (ALL)"),
        ),
        err(
            "9051 §9 fetch: two items need parentheses",
            c("A654 FETCH 2:4 FLAGS UID"),
        ),
        err("9051 §9 seq-number: nz-number", c("A654 FETCH 0 FLAGS")),
        err("9051 §9 seq-range: open end", c("A654 FETCH 2: FLAGS")),
        err(
            "9051 §9 header-list: at least one name",
            c("A654 FETCH 2:4 BODY[HEADER.FIELDS ()]"),
        ),
        err(
            "9051 §9 section-spec: MIME needs a part",
            c("A654 FETCH 2:4 BODY[MIME]"),
        ),
        err(
            "9051 §9 section-part: nz-number",
            c("A654 FETCH 2:4 BODY[0]"),
        ),
        err(
            "9051 §9 partial: nz-number64 length",
            c("A654 FETCH 2:4 BODY[]<0.0>"),
        ),
        err(
            "9051 §9 fetch-att: unknown",
            c("A654 FETCH 2:4 (FLAGS FOO)"),
        ),
        // Negative: store-att-flags = (["+" / "-"] "FLAGS" [".SILENT"]) SP
        // (flag-list / (flag *(SP flag))); "\*" is flag-perm, not flag.
        err("9051 §9 store: no flags", c("A003 STORE 2:4 +FLAGS")),
        err(
            "9051 §9 store: \\* is not a flag",
            c(r"A003 STORE 2:4 +FLAGS (\*)"),
        ),
        err(
            "9051 §9 store: bad operation",
            c(r"A003 STORE 2:4 *FLAGS (\Deleted)"),
        ),
        err(
            "9051 §9 store: unknown item",
            c(r"A003 STORE 2:4 +KEYWORDS (\Deleted)"),
        ),
        // Negative: copy/move = ... SP sequence-set SP mailbox; uid = "UID" SP (copy / move /
        // fetch / search / store / uid-expunge); uid-expunge = "EXPUNGE" SP sequence-set
        err("9051 §9 copy: mailbox missing", c("A003 COPY 2:4")),
        err("9051 §9 move: set missing", c("a MOVE foo")),
        err("9051 §9 uid-expunge: set missing", c("A003 UID EXPUNGE")),
        err("9051 §9 uid: no command", c("A003 UID")),
        err("9051 §9 uid: not a UID command", c("A003 UID NOOP")),
        err(
            "9051 §9 command-select: EXPUNGE takes no argument",
            c("A202 EXPUNGE 1:3"),
        ),
        err(
            "9051 §9 command-select: CLOSE takes no argument",
            c("A341 CLOSE INBOX"),
        ),
    ]);
}

#[test]
fn rfc9051_6_4_4_4_save_result_examples() {
    let smith = || not(K::From(b("Smith")));
    let eric = || K::From(b("Eric"));
    let feb94 = || K::Since(date(1994, 2, 1));
    let oct06 = || K::Since(date(2006, 10, 28));
    let feb06 = || K::Since(date(2006, 2, 12));
    let save = || Some(vec![R::Save]);
    let peek_header = || body_section(true, vec![], Some(SectionText::Header));
    let fetch_a283 = || {
        fetch(
            "$",
            attrs(vec![A::Uid, A::InternalDate, A::Flags, peek_header()]),
        )
    };
    let or_saved = || K::And(vec![or(seq("$"), seq("1,3000:3021"))]);
    run(vec![
        // Example 1 (the "NOT FROM" line break is for page width)
        ok(
            "9051 §6.4.4.4 ex 1",
            c(r#"A282 SEARCH RETURN (SAVE) FLAGGED SINCE 1-Feb-1994 NOT FROM "Smith""#),
            cmd(
                "A282",
                search(save(), None, vec![K::Flagged, feb94(), smith()]),
            ),
        ),
        ok(
            "9051 §6.4.4.4 ex 1",
            c("A283 FETCH $ (UID INTERNALDATE FLAGS BODY.PEEK[HEADER])"),
            cmd("A283", fetch_a283()),
        ),
        // Example 2
        ok(
            "9051 §6.4.4.4 ex 2",
            c(r#"A282 SEARCH RETURN (SAVE) FLAGGED SINCE 1-Feb-1994 NOT FROM "Smith""#),
            cmd(
                "A282",
                search(save(), None, vec![K::Flagged, feb94(), smith()]),
            ),
        ),
        ok(
            "9051 §6.4.4.4 ex 2",
            c("A283 FETCH $ (UID INTERNALDATE FLAGS BODY.PEEK[HEADER])"),
            cmd("A283", fetch_a283()),
        ),
        // Example 3
        ok(
            "9051 §6.4.4.4 ex 3",
            c(r#"A300 SEARCH RETURN (SAVE) SINCE 1-Jan-2004 NOT FROM "Smith""#),
            cmd(
                "A300",
                search(save(), None, vec![K::Since(date(2004, 1, 1)), smith()]),
            ),
        ),
        ok(
            "9051 §6.4.4.4 ex 3",
            c("A301 UID SEARCH UID $ SMALLER 4096"),
            cmd(
                "A301",
                uid(search(None, None, vec![K::Uid(set("$")), K::Smaller(4096)])),
            ),
        ),
        ok(
            "9051 §6.4.4.4 ex 3",
            c("A301 UID SEARCH $ SMALLER 4096"),
            cmd(
                "A301",
                uid(search(None, None, vec![seq("$"), K::Smaller(4096)])),
            ),
        ),
        // Example 4 (non-synchronizing literal of 8 octets of UTF-8)
        ok(
            "9051 §6.4.4.4 ex 4",
            c(r#"P282 SEARCH RETURN (SAVE) SINCE 1-Feb-1994 NOT FROM "Smith""#),
            cmd("P282", search(save(), None, vec![feb94(), smith()])),
        ),
        ok(
            "9051 §6.4.4.4 ex 4",
            lines(&[
                "P283 SEARCH CHARSET UTF-8 (OR $ 1,3000:3021) TEXT {8+}",
                "мать",
            ]),
            cmd(
                "P283",
                search(None, Some("UTF-8"), vec![or_saved(), K::Text(b("мать"))]),
            ),
        ),
        // Example 5 ("XXXX" stands for 4 octets of KOI8-R)
        ok(
            "9051 §6.4.4.4 ex 5",
            c(r#"B282 SEARCH RETURN (SAVE) SINCE 1-Feb-1994 NOT FROM "Smith""#),
            cmd("B282", search(save(), None, vec![feb94(), smith()])),
        ),
        ok(
            "9051 §6.4.4.4 ex 5",
            lines(&[
                "B283 SEARCH RETURN (SAVE) CHARSET KOI8-R (OR $ 1,3000:3021) TEXT {4}",
                "XXXX",
            ]),
            cmd(
                "B283",
                search(save(), Some("KOI8-R"), vec![or_saved(), K::Text(b("XXXX"))]),
            ),
        ),
        // Example 6
        ok(
            "9051 §6.4.4.4 ex 6",
            c(r#"E282 SEARCH RETURN (SAVE) SINCE 28-Oct-2006 NOT FROM "Eric""#),
            cmd("E282", search(save(), None, vec![oct06(), not(eric())])),
        ),
        ok(
            "9051 §6.4.4.4 ex 6",
            c(r#"E283 COPY $ "Other Messages""#),
            cmd("E283", copy("$", "Other Messages")),
        ),
        // Example 7
        ok(
            "9051 §6.4.4.4 ex 7",
            c("F282 SEARCH RETURN (SAVE) KEYWORD $Junk"),
            cmd(
                "F282",
                search(save(), None, vec![K::Keyword("$Junk".into())]),
            ),
        ),
        ok(
            "9051 §6.4.4.4 ex 7",
            c(r#"F283 COPY $ "Junk""#),
            cmd("F283", copy("$", "Junk")),
        ),
        ok(
            "9051 §6.4.4.4 ex 7",
            c(r"F284 STORE $ +FLAGS.Silent (\Deleted)"),
            cmd("F284", store("$", Op::Add, true, vec![Flag::Deleted])),
        ),
        // Example 8
        ok(
            "9051 §6.4.4.4 ex 8",
            c("G282 SEARCH RETURN (SAVE) KEYWORD $Junk"),
            cmd(
                "G282",
                search(save(), None, vec![K::Keyword("$Junk".into())]),
            ),
        ),
        ok(
            "9051 §6.4.4.4 ex 8",
            c(r#"G283 SEARCH RETURN (ALL) SINCE 28-Oct-2006 FROM "Eric""#),
            cmd(
                "G283",
                search(Some(vec![R::All]), None, vec![oct06(), eric()]),
            ),
        ),
        // Example 9
        ok(
            "9051 §6.4.4.4 ex 9",
            c("H282 SEARCH RETURN (SAVE) KEYWORD $Junk"),
            cmd(
                "H282",
                search(save(), None, vec![K::Keyword("$Junk".into())]),
            ),
        ),
        ok(
            "9051 §6.4.4.4 ex 9",
            c(r#"H283 SEARCH RETURN (SAVE) SINCE 28-Oct-2006 FROM "Eric""#),
            cmd("H283", search(save(), None, vec![oct06(), eric()])),
        ),
        // Example 10
        ok(
            "9051 §6.4.4.4 ex 10",
            c(r#"C282 SEARCH RETURN (ALL) SINCE 12-Feb-2006 NOT FROM "Smith""#),
            cmd(
                "C282",
                search(Some(vec![R::All]), None, vec![feb06(), smith()]),
            ),
        ),
        ok(
            "9051 §6.4.4.4 ex 10",
            c(r#"C283 SEARCH RETURN (ALL SAVE) SINCE 12-Feb-2006 NOT FROM "Smith""#),
            cmd(
                "C283",
                search(Some(vec![R::All, R::Save]), None, vec![feb06(), smith()]),
            ),
        ),
        ok(
            "9051 §6.4.4.4 ex 10",
            c(r#"C284 SEARCH RETURN (SAVE MIN) SINCE 12-Feb-2006 NOT FROM "Smith""#),
            cmd(
                "C284",
                search(Some(vec![R::Save, R::Min]), None, vec![feb06(), smith()]),
            ),
        ),
        ok(
            "9051 §6.4.4.4 ex 10",
            c(r#"C285 SEARCH RETURN (MAX SAVE MIN) SINCE 12-Feb-2006 NOT FROM "Smith""#),
            cmd(
                "C285",
                search(
                    Some(vec![R::Max, R::Save, R::Min]),
                    None,
                    vec![feb06(), smith()],
                ),
            ),
        ),
        ok(
            "9051 §6.4.4.4 ex 10",
            c(r#"C286 SEARCH RETURN (MAX SAVE MIN COUNT) SINCE 12-Feb-2006 NOT FROM "Smith""#),
            cmd(
                "C286",
                search(
                    Some(vec![R::Max, R::Save, R::Min, R::Count]),
                    None,
                    vec![feb06(), smith()],
                ),
            ),
        ),
        ok(
            "9051 §6.4.4.4 ex 10",
            c(r#"C286 SEARCH RETURN (ALL SAVE MIN) SINCE 12-Feb-2006 NOT FROM "Smith""#),
            cmd(
                "C286",
                search(
                    Some(vec![R::All, R::Save, R::Min]),
                    None,
                    vec![feb06(), smith()],
                ),
            ),
        ),
        // Negative: seq-range = seq-number ":" seq-number, and "$" is not a seq-number.
        err(
            "9051 §9 seq-range: $ is no seq-number",
            c("A283 FETCH $:4 FLAGS"),
        ),
        err(
            "9051 §9 seq-range: $ is no seq-number",
            c("A301 UID SEARCH UID 1:$"),
        ),
    ]);
}

#[test]
fn rfc9051_7_server_responses() {
    let experiment = "/archive/projects/experiment-iv";
    let f250: Vec<String> = (1..=250).map(|i| format!("f{i}")).collect();
    let store_250 = format!("m STORE 42 FLAGS {}", f250.join(" "));
    let f250_flags: Vec<Flag> = f250.iter().map(|f| kw(f)).collect();
    run(vec![
        // §7.1 response code examples
        ok(
            "9051 §7.1 ALREADYEXISTS",
            c("o356 RENAME this that"),
            cmd("o356", rename("this", "that")),
        ),
        ok(
            "9051 §7.1 AUTHENTICATIONFAILED",
            c(r#"b LOGIN "fred" "foo""#),
            cmd("b", login("fred", "foo")),
        ),
        ok(
            "9051 §7.1 AUTHORIZATIONFAILED",
            c("c1 AUTHENTICATE PLAIN"),
            cmd("c1", auth("PLAIN", None)),
        ),
        ok(
            "9051 §7.1 AUTHORIZATIONFAILED",
            c("c2 AUTHENTICATE PLAIN"),
            cmd("c2", auth("PLAIN", None)),
        ),
        ok(
            "9051 §7.1 CANNOT",
            c(r#"l create "///////""#),
            cmd("l", create("///////")),
        ),
        ok(
            "9051 §7.1 CLIENTBUG",
            c(r#"k1 select "/archive/projects/experiment-iv""#),
            cmd("k1", select(experiment)),
        ),
        ok(
            "9051 §7.1 CLIENTBUG",
            c(r#"k2 status "/archive/projects/experiment-iv" (messages)"#),
            cmd("k2", status(experiment, vec![St::Messages])),
        ),
        ok(
            "9051 §7.1 CONTACTADMIN",
            c(r#"e login "fred" "foo""#),
            cmd("e", login("fred", "foo")),
        ),
        ok(
            "9051 §7.1 CORRUPTION",
            c(r#"i select "/archive/projects/experiment-iv""#),
            cmd("i", select(experiment)),
        ),
        ok(
            "9051 §7.1 EXPIRED",
            c(r#"d login "fred" "foo""#),
            cmd("d", login("fred", "foo")),
        ),
        ok(
            "9051 §7.1 EXPUNGEISSUED",
            c("h search from maria@example.com"),
            cmd(
                "h",
                search(None, None, vec![K::From(b("maria@example.com"))]),
            ),
        ),
        ok(
            "9051 §7.1 HASCHILDREN",
            c("m356 DELETE Notes"),
            cmd("m356", delete("Notes")),
        ),
        ok(
            "9051 §7.1 INUSE",
            c(r#"g delete "/archive/projects/experiment-iv""#),
            cmd("g", delete(experiment)),
        ),
        // "f1 f2 f3 f4 f5 ... f250" written out: flag *(SP flag) without parentheses
        ok(
            "9051 §7.1 LIMIT",
            c(&store_250),
            cmd("m", store("42", Op::Replace, false, f250_flags)),
        ),
        ok(
            "9051 §7.1 NONEXISTENT",
            c("p RENAME this that"),
            cmd("p", rename("this", "that")),
        ),
        ok(
            "9051 §7.1 NOPERM",
            c(r#"f select "/archive/projects/experiment-iv""#),
            cmd("f", select(experiment)),
        ),
        ok(
            "9051 §7.1 OVERQUOTA",
            c("n1 uid copy 1:* oldmail"),
            cmd("n1", uid(copy("1:*", "oldmail"))),
        ),
        ok(
            "9051 §7.1 OVERQUOTA",
            c("n2 uid copy 1:* oldmail"),
            cmd("n2", uid(copy("1:*", "oldmail"))),
        ),
        ok(
            "9051 §7.1 PRIVACYREQUIRED",
            c(r#"d login "fred" "foo""#),
            cmd("d", login("fred", "foo")),
        ),
        ok(
            "9051 §7.1 PRIVACYREQUIRED",
            c("d select inbox"),
            cmd("d", select("INBOX")),
        ),
        ok(
            "9051 §7.1 SERVERBUG",
            c(r#"j select "/archive/projects/experiment-iv""#),
            cmd("j", select(experiment)),
        ),
        ok(
            "9051 §7.1 UNAVAILABLE",
            c(r#"a LOGIN "fred" "foo""#),
            cmd("a", login("fred", "foo")),
        ),
        // §7.1.1 OK
        ok(
            "9051 §7.1.1",
            c("A001 LOGIN fred blurdybloop"),
            cmd("A001", login("fred", "blurdybloop")),
        ),
        // §7.1.2 NO
        ok(
            "9051 §7.1.2",
            c("A222 COPY 1:2 owatagusiam"),
            cmd("A222", copy("1:2", "owatagusiam")),
        ),
        ok(
            "9051 §7.1.2",
            c("A223 COPY 3:200 blurdybloop"),
            cmd("A223", copy("3:200", "blurdybloop")),
        ),
        // §7.1.3 BAD: "...very long command line...", "...empty line...", A443 EXPUNGE
        err(
            "9051 §7.1.3 very long command line",
            c(&format!("a LOGIN {} y", "x".repeat(70_000))),
        ),
        err("9051 §7.1.3 empty line", b"\r\n"),
        ok("9051 §7.1.3", c("A443 EXPUNGE"), cmd("A443", expunge())),
        // §7.6 continuation requests: two synchronizing literals
        ok(
            "9051 §7.6",
            lines(&["A001 LOGIN {11}", "FRED FOOBAR {7}", "fat man"]),
            cmd("A001", login("FRED FOOBAR", "fat man")),
        ),
        // (A044 BLURDYBLOOP is in `commands_strata_does_not_speak`)
    ]);
}

#[test]
fn rfc9051_8_sample_session() {
    run(vec![
        ok(
            "9051 §8",
            c("a000 starttls"),
            cmd("a000", CommandBody::StartTls),
        ),
        // The initial response is on the same line: the break is editorial.
        ok(
            "9051 §8",
            c("A001 AUTHENTICATE SCRAM-SHA-256 biwsbj11c2VyLHI9ck9wck5HZndFYmVSV2diTkVrcU8="),
            cmd(
                "A001",
                auth("SCRAM-SHA-256", ir(b"n,,n=user,r=rOprNGfwEbeRWgbNEkqO")),
            ),
        ),
        ok(
            "9051 §8",
            c("babc ENABLE IMAP4rev2"),
            cmd("babc", enable(&["IMAP4REV2"])),
        ),
        ok(
            "9051 §8",
            c("a002 select inbox"),
            cmd("a002", select("INBOX")),
        ),
        ok(
            "9051 §8",
            c("a003 fetch 12 full"),
            cmd("a003", fetch("12", FetchItems::Full)),
        ),
        ok(
            "9051 §8",
            c("a004 fetch 12 body[header]"),
            cmd(
                "a004",
                fetch(
                    "12",
                    attrs(vec![body_section(false, vec![], Some(SectionText::Header))]),
                ),
            ),
        ),
        ok(
            "9051 §8",
            c(r"a005 store 12 +flags \deleted"),
            cmd("a005", store("12", Op::Add, false, vec![Flag::Deleted])),
        ),
        ok(
            "9051 §8",
            c("a006 logout"),
            cmd("a006", CommandBody::Logout),
        ),
    ]);
}

// ---------------------------------------------------------------------------------------------
// Extensions
// ---------------------------------------------------------------------------------------------

#[test]
fn rfc7162_condstore_qresync() {
    let deleted = || vec![Flag::Deleted];
    let processed = || vec![kw("$Processed")];
    let a106 = || unchanged_since(store("100:150", Op::Add, true, processed()), 212030000000);
    let b108 = || unchanged_since(store("101", Op::Add, true, processed()), 303011130956);
    let d105 = || unchanged_since(store("7,5,9", Op::Add, true, deleted()), 320162338);
    let draft = || modseq_entry(r"/flags/\draft", EntryType::All, 620162338);
    let flags_since = |s| changed_since(uid(fetch(s, attrs(vec![A::Flags]))), 12345, false);
    run(vec![
        // §3.1.2.1, §3.1.2.2
        ok(
            "7162 §3.1.2.1",
            c("A142 SELECT INBOX"),
            cmd("A142", select("INBOX")),
        ),
        ok(
            "7162 §3.1.2.2",
            c("A142 SELECT INBOX"),
            cmd("A142", select("INBOX")),
        ),
        // §3.1.3 examples 2-11 (page-width breaks before "+FLAGS" / "(" joined)
        ok(
            "7162 §3.1.3 ex 2",
            c(r"a103 UID STORE 6,4,8 (UNCHANGEDSINCE 12121230045) +FLAGS.SILENT (\Deleted)"),
            cmd(
                "a103",
                unchanged_since(uid(store("6,4,8", Op::Add, true, deleted())), 12121230045),
            ),
        ),
        ok(
            "7162 §3.1.3 ex 3",
            c(r"a104 STORE * (UNCHANGEDSINCE 12121230045) +FLAGS.SILENT (\Deleted $Processed)"),
            cmd(
                "a104",
                unchanged_since(
                    store("*", Op::Add, true, vec![Flag::Deleted, kw("$Processed")]),
                    12121230045,
                ),
            ),
        ),
        ok(
            "7162 §3.1.3 ex 4",
            c(r"c101 STORE 50 (UNCHANGEDSINCE 12121230045) -FLAGS.SILENT (\Deleted)"),
            cmd(
                "c101",
                unchanged_since(store("50", Op::Remove, true, deleted()), 12121230045),
            ),
        ),
        ok(
            "7162 §3.1.3 ex 5",
            c(r"d105 STORE 7,5,9 (UNCHANGEDSINCE 320162338) +FLAGS.SILENT (\Deleted)"),
            cmd("d105", d105()),
        ),
        ok(
            "7162 §3.1.3 ex 6",
            c(r"d105 STORE 7,5,9 (UNCHANGEDSINCE 320162338) +FLAGS.SILENT (\Deleted)"),
            cmd("d105", d105()),
        ),
        // mod-sequence-valzer: UNCHANGEDSINCE 0 is valid
        ok(
            "7162 §3.1.3 ex 7",
            c("a102 STORE 12 (UNCHANGEDSINCE 0) +FLAGS.SILENT ($MDNSent)"),
            cmd(
                "a102",
                unchanged_since(store("12", Op::Add, true, vec![kw("$MDNSent")]), 0),
            ),
        ),
        ok(
            "7162 §3.1.3 ex 8",
            c("a106 STORE 100:150 (UNCHANGEDSINCE 212030000000) +FLAGS.SILENT ($Processed)"),
            cmd("a106", a106()),
        ),
        ok(
            "7162 §3.1.3 ex 8",
            c("a107 NOOP"),
            cmd("a107", CommandBody::Noop),
        ),
        ok(
            "7162 §3.1.3 ex 9",
            c("b107 NOOP"),
            cmd("b107", CommandBody::Noop),
        ),
        ok(
            "7162 §3.1.3 ex 9",
            c("b108 STORE 101 (UNCHANGEDSINCE 303011130956) +FLAGS.SILENT ($Processed)"),
            cmd("b108", b108()),
        ),
        ok(
            "7162 §3.1.3 ex 9",
            c("a106 STORE 100:150 (UNCHANGEDSINCE 212030000000) +FLAGS.SILENT ($Processed)"),
            cmd("a106", a106()),
        ),
        ok(
            "7162 §3.1.3 ex 10",
            c("a106 STORE 100:150 (UNCHANGEDSINCE 212030000000) +FLAGS.SILENT ($Processed)"),
            cmd("a106", a106()),
        ),
        ok(
            "7162 §3.1.3 ex 10",
            c("b108 STORE 101 (UNCHANGEDSINCE 303011130956) +FLAGS.SILENT ($Processed)"),
            cmd("b108", b108()),
        ),
        ok(
            "7162 §3.1.3 ex 10",
            c("a106 STORE 100:150 (UNCHANGEDSINCE 212030000000) +FLAGS.SILENT ($Processed)"),
            cmd("a106", a106()),
        ),
        ok(
            "7162 §3.1.3 ex 11",
            c(r"B001 STORE 1:7 (UNCHANGEDSINCE 320172338) +FLAGS (\SEEN)"),
            cmd(
                "B001",
                unchanged_since(store("1:7", Op::Add, false, vec![Flag::Seen]), 320172338),
            ),
        ),
        ok(
            "7162 §3.1.3 ex 11",
            c("B002 NOOP"),
            cmd("B002", CommandBody::Noop),
        ),
        ok(
            "7162 §3.1.3 ex 11",
            c(r"b003 STORE 2 (UNCHANGEDSINCE 320172340) +FLAGS (\Seen)"),
            cmd(
                "b003",
                unchanged_since(store("2", Op::Add, false, vec![Flag::Seen]), 320172340),
            ),
        ),
        ok(
            "7162 §3.1.3 (prose, after ex 11)",
            c(r"e105 STORE 7,3:9 (UNCHANGEDSINCE 12121230045) +FLAGS.SILENT (\Deleted)"),
            cmd(
                "e105",
                unchanged_since(store("7,3:9", Op::Add, true, deleted()), 12121230045),
            ),
        ),
        // §3.1.4.1 CHANGEDSINCE, §3.1.4.2 MODSEQ
        ok(
            "7162 §3.1.4.1 ex 12",
            c("s100 UID FETCH 1:* (FLAGS) (CHANGEDSINCE 12345)"),
            cmd("s100", flags_since("1:*")),
        ),
        ok(
            "7162 §3.1.4.2 ex 13",
            c("a FETCH 1:3 (MODSEQ)"),
            cmd("a", fetch("1:3", attrs(vec![A::ModSeq]))),
        ),
        // §3.1.4.2 example 14: three sessions
        ok(
            "7162 §3.1.4.2 ex 14",
            c("A142 SELECT INBOX"),
            cmd("A142", select("INBOX")),
        ),
        ok(
            "7162 §3.1.4.2 ex 14",
            c(r"A160 STORE 7 +FLAGS.SILENT (\Deleted)"),
            cmd("A160", store("7", Op::Add, true, deleted())),
        ),
        ok(
            "7162 §3.1.4.2 ex 14",
            c("C180 NOOP"),
            cmd("C180", CommandBody::Noop),
        ),
        ok(
            "7162 §3.1.4.2 ex 14",
            c("D210 NOOP"),
            cmd("D210", CommandBody::Noop),
        ),
        ok(
            "7162 §3.1.4.2 ex 14",
            c(r"A240 STORE 7 +FLAGS.SILENT (\Seen)"),
            cmd("A240", store("7", Op::Add, true, vec![Flag::Seen])),
        ),
        ok(
            "7162 §3.1.4.2 ex 14",
            c("C270 NOOP"),
            cmd("C270", CommandBody::Noop),
        ),
        ok(
            "7162 §3.1.4.2 ex 14",
            c("D300 NOOP"),
            cmd("D300", CommandBody::Noop),
        ),
        ok(
            "7162 §3.1.4.2 ex 14",
            c(r"A330 STORE 7 -FLAGS.SILENT (\Answered \Seen)"),
            cmd(
                "A330",
                store("7", Op::Remove, true, vec![Flag::Answered, Flag::Seen]),
            ),
        ),
        ok(
            "7162 §3.1.4.2 ex 14",
            c("C360 NOOP"),
            cmd("C360", CommandBody::Noop),
        ),
        ok(
            "7162 §3.1.4.2 ex 14",
            c("D390 NOOP"),
            cmd("D390", CommandBody::Noop),
        ),
        // §3.1.5 MODSEQ search criterion
        ok(
            "7162 §3.1.5 ex 15",
            c(r#"a SEARCH MODSEQ "/flags/\\draft" all 620162338"#),
            cmd("a", search(None, None, vec![draft()])),
        ),
        ok(
            "7162 §3.1.5 ex 16",
            c("t SEARCH OR NOT MODSEQ 720162338 LARGER 50000"),
            cmd(
                "t",
                search(
                    None,
                    None,
                    vec![or(not(modseq(720162338)), K::Larger(50000))],
                ),
            ),
        ),
        // §3.1.7 HIGHESTMODSEQ status item, §3.1.8 SELECT (CONDSTORE)
        ok(
            "7162 §3.1.7 ex 17",
            c("A042 STATUS blurdybloop (UIDNEXT MESSAGES HIGHESTMODSEQ)"),
            cmd(
                "A042",
                status(
                    "blurdybloop",
                    vec![St::UidNext, St::Messages, St::HighestModSeq],
                ),
            ),
        ),
        ok(
            "7162 §3.1.8 ex 18",
            c("A142 SELECT INBOX (CONDSTORE)"),
            cmd("A142", select_with("INBOX", condstore())),
        ),
        // §3.1.10 with ESEARCH and ESORT
        ok(
            "7162 §3.1.10 ex 19",
            c("a SEARCH RETURN (ALL) MODSEQ 1234"),
            cmd("a", search(Some(vec![R::All]), None, vec![modseq(1234)])),
        ),
        ok(
            "7162 §3.1.10 ex 20",
            c("a SORT RETURN (ALL) (DATE) UTF-8 MODSEQ 1234"),
            cmd(
                "a",
                sort(
                    Some(vec![R::All]),
                    vec![by(SortKey::Date)],
                    "UTF-8",
                    vec![modseq(1234)],
                ),
            ),
        ),
        // §3.1.12
        ok(
            "7162 §3.1.12",
            c("a106 STORE 100:150 (UNCHANGEDSINCE 212030000000) +FLAGS.SILENT ($Processed)"),
            cmd("a106", a106()),
        ),
        // §3.2.5 QRESYNC (page-width breaks joined; inside a sequence set without a space)
        ok(
            "7162 §3.2.5",
            c("A02 SELECT INBOX (QRESYNC (67890007 20050715194045000 41,43:211,214:541))"),
            cmd(
                "A02",
                select_with(
                    "INBOX",
                    qresync(67890007, 20050715194045000, Some("41,43:211,214:541"), None),
                ),
            ),
        ),
        ok(
            "7162 §3.2.5.1",
            c("A03 SELECT INBOX (QRESYNC (67890007 90060115194045000 41:211,214:541))"),
            cmd(
                "A03",
                select_with(
                    "INBOX",
                    qresync(67890007, 90060115194045000, Some("41:211,214:541"), None),
                ),
            ),
        ),
        ok(
            "7162 §3.2.5.2",
            c("A04 SELECT INBOX (QRESYNC (67890007 90060115194045000 1:29997))"),
            cmd(
                "A04",
                select_with(
                    "INBOX",
                    qresync(67890007, 90060115194045000, Some("1:29997"), None),
                ),
            ),
        ),
        ok(
            "7162 §3.2.5.2",
            c(
                "B04 SELECT INBOX (QRESYNC (67890007 90060115194045000 1:29997 \
               (5000,7500,9000,9990:9999 15000,22500,27000,29970,29973,29976,29979,29982,\
               29985,29988,29991,29994,29997)))",
            ),
            cmd(
                "B04",
                select_with(
                    "INBOX",
                    qresync(
                        67890007,
                        90060115194045000,
                        Some("1:29997"),
                        Some((
                            "5000,7500,9000,9990:9999",
                            "15000,22500,27000,29970,29973,29976,29979,29982,29985,29988,\
                             29991,29994,29997",
                        )),
                    ),
                ),
            ),
        ),
        // §3.2.6 VANISHED
        ok(
            "7162 §3.2.6",
            c("s100 UID FETCH 300:500 (FLAGS) (CHANGEDSINCE 12345)"),
            cmd("s100", flags_since("300:500")),
        ),
        ok(
            "7162 §3.2.6",
            c("s101 UID SEARCH 300:500"),
            cmd("s101", uid(search(None, None, vec![seq("300:500")]))),
        ),
        ok(
            "7162 §3.2.6",
            c("s100 UID FETCH 300:500 (FLAGS) (CHANGEDSINCE 12345 VANISHED)"),
            cmd(
                "s100",
                changed_since(uid(fetch("300:500", attrs(vec![A::Flags]))), 12345, true),
            ),
        ),
        // §3.2.7 EXPUNGE, §3.2.8 CLOSE, §3.2.9 UID EXPUNGE
        ok("7162 §3.2.7", c("A202 EXPUNGE"), cmd("A202", expunge())),
        ok("7162 §3.2.7", c("B202 EXPUNGE"), cmd("B202", expunge())),
        ok(
            "7162 §3.2.8",
            c("A202 CLOSE"),
            cmd("A202", CommandBody::Close),
        ),
        ok(
            "7162 §3.2.9",
            c(". UID EXPUNGE 3000:3002"),
            cmd(".", uid_expunge("3000:3002")),
        ),
        // §3.2.10.2
        ok("7162 §3.2.10.2", c("A202 EXPUNGE"), cmd("A202", expunge())),
        ok("7162 §3.2.10.2", c("A202 EXPUNGE"), cmd("A202", expunge())),
        ok("7162 §3.2.10.2", c("A210 EXPUNGE"), cmd("A210", expunge())),
        // §6: flags without parentheses
        ok(
            "7162 §6",
            c(r"A150 STORE 1:2 (UNCHANGEDSINCE 96) +FLAGS.SILENT \Seen"),
            cmd(
                "A150",
                unchanged_since(store("1:2", Op::Add, true, vec![Flag::Seen]), 96),
            ),
        ),
        ok(
            "7162 §6",
            c(r"A151 STORE 3 +FLAGS.SILENT \Seen"),
            cmd("A151", store("3", Op::Add, true, vec![Flag::Seen])),
        ),
        ok("7162 §6", c("A152 NOOP"), cmd("A152", CommandBody::Noop)),
        ok(
            "7162 §6",
            c("A142 SELECT INBOX (QRESYNC (3857529045 20010715194032001 1:198))"),
            cmd(
                "A142",
                select_with(
                    "INBOX",
                    qresync(3857529045, 20010715194032001, Some("1:198"), None),
                ),
            ),
        ),
        // Negative, §3.2.6: "the VANISHED UID FETCH modifier is NOT allowed with a FETCH
        // command" and "MUST only be specified together with the CHANGEDSINCE"; ABNF
        // rexpunges-fetch-mod: "It is only allowed in the UID FETCH command."
        err(
            "7162 §3.2.6 VANISHED with FETCH",
            c("s100 FETCH 300:500 (FLAGS) (CHANGEDSINCE 12345 VANISHED)"),
        ),
        err(
            "7162 §3.2.6 VANISHED without CHANGEDSINCE",
            c("s100 UID FETCH 300:500 (FLAGS) (VANISHED)"),
        ),
        // Negative, §7: chgsince-fetch-mod = "CHANGEDSINCE" SP mod-sequence-value (1 <= n)
        err(
            "7162 §7 mod-sequence-value: not 0",
            c("s100 UID FETCH 1:* (FLAGS) (CHANGEDSINCE 0)"),
        ),
        err(
            "7162 §7 mod-sequence-value: 63 bits",
            c("a FETCH 1 (FLAGS) (CHANGEDSINCE 9223372036854775808)"),
        ),
        err(
            "7162 §7 fetch-modifier: empty list",
            c("a FETCH 1 (FLAGS) ()"),
        ),
        // Negative, §7: store-modifier: "Only a single UNCHANGEDSINCE may be specified"
        err(
            "7162 §7 store-modifier: one UNCHANGEDSINCE",
            c(r"a STORE 1 (UNCHANGEDSINCE 5 UNCHANGEDSINCE 6) +FLAGS (\Seen)"),
        ),
        err(
            "7162 §7 store-modifier: value missing",
            c(r"a STORE 1 (UNCHANGEDSINCE) +FLAGS (\Seen)"),
        ),
        // Negative, §7: search-modsequence = "MODSEQ" [SP entry-name SP entry-type-req] SP
        // mod-sequence-valzer, entry-type-req = "priv" / "shared" / "all"
        err(
            "7162 §7 search-modseq-ext: entry-type missing",
            c(r#"a SEARCH MODSEQ "/flags/\\draft" 620162338"#),
        ),
        err(
            "7162 §7 entry-type-req: unknown type",
            c(r#"a SEARCH MODSEQ "/flags/\\draft" any 620162338"#),
        ),
        err(
            "7162 §7 search-modsequence: value missing",
            c("a SEARCH MODSEQ"),
        ),
        // Negative, §7: QRESYNC (uidvalidity SP mod-sequence-value ...), uidvalidity = nz-number,
        // known-uids: "*" is not allowed; seq-match-data = "(" set SP set ")".
        err(
            "7162 §7 uidvalidity: nz-number",
            c("A142 SELECT INBOX (QRESYNC (0 20010715194032001))"),
        ),
        err(
            "7162 §7 QRESYNC: mod-sequence missing",
            c("A142 SELECT INBOX (QRESYNC (3857529045))"),
        ),
        err(
            "7162 §7 QRESYNC: mod-sequence-value is not 0",
            c("A142 SELECT INBOX (QRESYNC (3857529045 0))"),
        ),
        err(
            "7162 §7 known-uids: no '*'",
            c("A142 SELECT INBOX (QRESYNC (3857529045 20010715194032001 1:*))"),
        ),
        err(
            "7162 §7 seq-match-data: two sets",
            c("A142 SELECT INBOX (QRESYNC (3857529045 20010715194032001 1:198 (1:10)))"),
        ),
        err(
            "7162 §7 select-param: unbalanced",
            c("A142 SELECT INBOX (CONDSTORE"),
        ),
    ]);
}

#[test]
fn rfc5258_list_extended() {
    let sub_rec = || vec![LS::Subscribed, LS::RecursiveMatch];
    let rec_sub = || vec![LS::RecursiveMatch, LS::Subscribed];
    run(vec![
        ok(
            "5258 §5 ex 1",
            c(r#"A01 LIST "" "*""#),
            cmd("A01", list0("", "*")),
        ),
        ok(
            "5258 §5 ex 2",
            c(r#"A02 LIST (SUBSCRIBED) "" "*""#),
            cmd("A02", list(vec![LS::Subscribed], "", &["*"], vec![])),
        ),
        ok(
            "5258 §5 ex 3",
            c(r#"A03 LIST () "" "%" RETURN (CHILDREN)"#),
            cmd("A03", list(vec![], "", &["%"], vec![LR::Children])),
        ),
        ok(
            "5258 §5 ex 4",
            c(r#"A04 LIST (REMOTE) "" "%" RETURN (CHILDREN)"#),
            cmd(
                "A04",
                list(vec![LS::Remote], "", &["%"], vec![LR::Children]),
            ),
        ),
        ok(
            "5258 §5 ex 5",
            c(r#"A05 LIST (REMOTE SUBSCRIBED) "" "*""#),
            cmd(
                "A05",
                list(vec![LS::Remote, LS::Subscribed], "", &["*"], vec![]),
            ),
        ),
        ok(
            "5258 §5 ex 6",
            c(r#"A06 LIST (REMOTE) "" "*" RETURN (SUBSCRIBED)"#),
            cmd(
                "A06",
                list(vec![LS::Remote], "", &["*"], vec![LR::Subscribed]),
            ),
        ),
        // The pattern "INBOX" is a pattern, not a mailbox name: it is kept as sent.
        ok(
            "5258 §5 ex 7",
            c(r#"BBB LIST "" ("INBOX" "Drafts" "Sent/%")"#),
            cmd(
                "BBB",
                list(vec![], "", &["INBOX", "Drafts", "Sent/%"], vec![]),
            ),
        ),
        ok(
            "5258 §5 ex 8",
            c(r#"C01 LIST "" "*""#),
            cmd("C01", list0("", "*")),
        ),
        ok(
            "5258 §5 ex 8",
            c(r#"CA3 LIST "" "%" RETURN (CHILDREN)"#),
            cmd("CA3", list(vec![], "", &["%"], vec![LR::Children])),
        ),
        ok(
            "5258 §5 ex 8A",
            c(r#"C02 LIST (SUBSCRIBED) "" "*""#),
            cmd("C02", list(vec![LS::Subscribed], "", &["*"], vec![])),
        ),
        ok(
            "5258 §5 ex 8A",
            c(r#"C04 LIST (SUBSCRIBED RECURSIVEMATCH) "" "%""#),
            cmd("C04", list(sub_rec(), "", &["%"], vec![])),
        ),
        ok(
            "5258 §5 ex 8A1",
            c(r#"C04 LIST (SUBSCRIBED RECURSIVEMATCH) "" "%""#),
            cmd("C04", list(sub_rec(), "", &["%"], vec![])),
        ),
        ok(
            "5258 §5 ex 8A1",
            c(r#"C04 LIST (SUBSCRIBED RECURSIVEMATCH) "" "%""#),
            cmd("C04", list(sub_rec(), "", &["%"], vec![])),
        ),
        ok(
            "5258 §5 ex 8A2",
            c(r#"C04 LIST (SUBSCRIBED RECURSIVEMATCH) "" "%""#),
            cmd("C04", list(sub_rec(), "", &["%"], vec![])),
        ),
        ok(
            "5258 §5 ex 8C",
            c(r#"C04 LIST (SUBSCRIBED RECURSIVEMATCH) "" "%" RETURN (CHILDREN)"#),
            cmd("C04", list(sub_rec(), "", &["%"], vec![LR::Children])),
        ),
        ok(
            "5258 §5 ex 9",
            c(r#"D01 LIST "" "*""#),
            cmd("D01", list0("", "*")),
        ),
        ok(
            "5258 §5 ex 9",
            c(r#"D02 LIST (SUBSCRIBED) "" "*""#),
            cmd("D02", list(vec![LS::Subscribed], "", &["*"], vec![])),
        ),
        ok(
            "5258 §5 ex 9",
            c(r#"D03 LIST (RECURSIVEMATCH SUBSCRIBED) "" "*2""#),
            cmd("D03", list(rec_sub(), "", &["*2"], vec![])),
        ),
        ok(
            "5258 §5 ex 9",
            c(r#"D03 LIST (RECURSIVEMATCH SUBSCRIBED) "" "*""#),
            cmd("D03", list(rec_sub(), "", &["*"], vec![])),
        ),
        ok(
            "5258 §5 ex 10",
            c(r#"a1 LIST "" ("foo" "foo/*")"#),
            cmd("a1", list(vec![], "", &["foo", "foo/*"], vec![])),
        ),
        ok(
            "5258 §5 ex 10",
            c(r#"a2 LIST (SUBSCRIBED) "" "foo/*""#),
            cmd("a2", list(vec![LS::Subscribed], "", &["foo/*"], vec![])),
        ),
        ok(
            "5258 §5 ex 10",
            c(r#"a3 LIST (SUBSCRIBED RECURSIVEMATCH) "" foo RETURN (CHILDREN)"#),
            cmd("a3", list(sub_rec(), "", &["foo"], vec![LR::Children])),
        ),
        ok(
            "5258 §5 ex 11",
            c(r#"a1 LIST (REMOTE) "" *"#),
            cmd("a1", list(vec![LS::Remote], "", &["*"], vec![])),
        ),
        ok(
            "5258 §5 ex 11",
            c(r#"a2 LIST () "" %"#),
            cmd("a2", list(vec![], "", &["%"], vec![])),
        ),
        ok(
            "5258 §5 ex 11",
            c(r#"a3 LIST (REMOTE) "" %"#),
            cmd("a3", list(vec![LS::Remote], "", &["%"], vec![])),
        ),
        ok(
            "5258 §5 ex 11",
            c(r#"a3.1 LIST "" (% music/rock)"#),
            cmd("a3.1", list(vec![], "", &["%", "music/rock"], vec![])),
        ),
        // Negative, §3.1 / §6: RECURSIVEMATCH "MUST NOT occur as the only selection option (or
        // only with REMOTE) ... The server MUST return BAD"; the ABNF does not allow
        // (RECURSIVEMATCH) or (REMOTE RECURSIVEMATCH).
        err(
            "5258 §3.1 (RECURSIVEMATCH)",
            c(r#"C05 LIST (RECURSIVEMATCH) "" "%""#),
        ),
        err(
            "5258 §3.1 (REMOTE RECURSIVEMATCH)",
            c(r#"C05 LIST (REMOTE RECURSIVEMATCH) "" "%""#),
        ),
        err(
            "5258 §3.1 (RECURSIVEMATCH) with RETURN",
            c(r#"C05 LIST (RECURSIVEMATCH) "" "%" RETURN (CHILDREN)"#),
        ),
        // Negative, §3: "A server MUST respond to options it does not recognize with a BAD"
        err(
            "5258 §3 unknown selection option",
            c(r#"C06 LIST (X-FOO) "" "%""#),
        ),
        err(
            "5258 §3 unknown return option",
            c(r#"C06 LIST "" "%" RETURN (X-FOO)"#),
        ),
        // Negative, §6: patterns = "(" list-mailbox *(SP list-mailbox) ")"
        err("5258 §6 patterns: at least one", c(r#"a1 LIST "" ()"#)),
        err(
            "5258 §6 patterns: unbalanced",
            c(r#"a1 LIST "" ("foo" "foo/*""#),
        ),
        err(
            "5258 §6 list-select-opts: unbalanced",
            c(r#"A02 LIST (SUBSCRIBED "" "*""#),
        ),
    ]);
}

#[test]
fn rfc5819_list_status() {
    run(vec![
        ok(
            "5819 §3",
            c(r#"A01 LIST "" % RETURN (STATUS (MESSAGES UNSEEN))"#),
            cmd(
                "A01",
                list(
                    vec![],
                    "",
                    &["%"],
                    vec![LR::Status(vec![St::Messages, St::Unseen])],
                ),
            ),
        ),
        // The RFC prints `(SUBSCRIBED RECURSIVEMATCH)""` without the SP that RFC 5258's `list`
        // rule requires (RFC 9051 §6.3.9.8 repeats the example with it); this row has the SP.
        ok(
            "5819 §3 (SP restored)",
            c(r#"A02 LIST (SUBSCRIBED RECURSIVEMATCH) "" % RETURN (STATUS (MESSAGES))"#),
            cmd(
                "A02",
                list(
                    vec![LS::Subscribed, LS::RecursiveMatch],
                    "",
                    &["%"],
                    vec![LR::Status(vec![St::Messages])],
                ),
            ),
        ),
        // Negative: the example as printed. list = "LIST" [SP list-select-opts] SP mailbox ...
        err(
            "5819 §3 as printed: SP missing after list-select-opts",
            c(r#"A02 LIST (SUBSCRIBED RECURSIVEMATCH)"" % RETURN (STATUS (MESSAGES))"#),
        ),
        // Negative, §4: status-option = "STATUS" SP "(" status-att *(SP status-att) ")"
        err(
            "5819 §4 status-option: no item",
            c(r#"A01 LIST "" % RETURN (STATUS ())"#),
        ),
        err(
            "5819 §4 status-option: no list",
            c(r#"A01 LIST "" % RETURN (STATUS)"#),
        ),
        err(
            "5819 §4 status-option: unknown item",
            c(r#"A01 LIST "" % RETURN (STATUS (FOO))"#),
        ),
    ]);
}

#[test]
fn rfc6154_special_use() {
    run(vec![
        ok(
            "6154 §5.1",
            c(r#"t1 LIST "" "%""#),
            cmd("t1", list0("", "%")),
        ),
        ok(
            "6154 §5.2",
            c("t1 CAPABILITY"),
            cmd("t1", CommandBody::Capability),
        ),
        ok(
            "6154 §5.2",
            c(r#"t2 LIST "" "%" RETURN (SPECIAL-USE)"#),
            cmd("t2", list(vec![], "", &["%"], vec![LR::SpecialUse])),
        ),
        ok(
            "6154 §5.2",
            c(r#"t3 LIST (SPECIAL-USE) "" "*""#),
            cmd("t3", list(vec![LS::SpecialUse], "", &["*"], vec![])),
        ),
        ok(
            "6154 §5.3",
            c("t1 CAPABILITY"),
            cmd("t1", CommandBody::Capability),
        ),
        ok(
            "6154 §5.3",
            c(r"t2 CREATE MySpecial (USE (\Drafts \Sent))"),
            cmd("t2", create_use("MySpecial", &["Drafts", "Sent"])),
        ),
        ok(
            "6154 §5.3",
            c(r"t3 CREATE Everything (USE (\All))"),
            cmd("t3", create_use("Everything", &["All"])),
        ),
        ok(
            "6154 §5.4",
            c(r#"t1 LIST "" "%" RETURN (SPECIAL-USE)"#),
            cmd("t1", list(vec![], "", &["%"], vec![LR::SpecialUse])),
        ),
        // (t2 GETMETADATA, t3/t4 SETMETADATA are in `commands_strata_does_not_speak`)
        ok(
            "6154 §5.4",
            c(r#"t5 LIST "" "%" RETURN (SPECIAL-USE)"#),
            cmd("t5", list(vec![], "", &["%"], vec![LR::SpecialUse])),
        ),
        // §6: create-param =/ "USE" SP "(" [use-attr *(SP use-attr)] ")": the list may be empty
        ok(
            "6154 §6 (constructed)",
            c("t6 CREATE Plain (USE ())"),
            cmd("t6", create("Plain")),
        ),
        // Negative, §6: use-attr = "\All" / ... / "\" atom
        err(
            "6154 §6 use-attr: backslash",
            c("t2 CREATE MySpecial (USE (Drafts))"),
        ),
        err(
            "6154 §6 create-param: USE needs a list",
            c("t2 CREATE MySpecial (USE)"),
        ),
        err(
            "6154 §6 create-param: parentheses",
            c(r"t2 CREATE MySpecial USE (\Drafts)"),
        ),
        err(
            "6154 §6 use-attr: unbalanced",
            c(r"t2 CREATE MySpecial (USE (\Drafts)"),
        ),
    ]);
}

#[test]
fn rfc4731_esearch() {
    let smith = || not(K::From(b("Smith")));
    let draft = || modseq_entry(r"/flags/\draft", EntryType::All, 620162338);
    run(vec![
        ok(
            "4731 §3.1",
            c(r#"A282 SEARCH RETURN (MIN COUNT) FLAGGED SINCE 1-Feb-1994 NOT FROM "Smith""#),
            cmd(
                "A282",
                search(
                    Some(vec![R::Min, R::Count]),
                    None,
                    vec![K::Flagged, K::Since(date(1994, 2, 1)), smith()],
                ),
            ),
        ),
        ok(
            "4731 §3.1",
            c(r#"A283 SEARCH RETURN () FLAGGED SINCE 1-Feb-1994 NOT FROM "Smith""#),
            cmd(
                "A283",
                search(
                    Some(vec![]),
                    None,
                    vec![K::Flagged, K::Since(date(1994, 2, 1)), smith()],
                ),
            ),
        ),
        ok(
            "4731 §3.1",
            c("A284 SEARCH RETURN (MIN) UNSEEN"),
            cmd("A284", search(Some(vec![R::Min]), None, vec![K::Unseen])),
        ),
        ok(
            "4731 §3.1",
            c("A285 UID SEARCH RETURN (MIN MAX) 1:5000"),
            cmd(
                "A285",
                uid(search(
                    Some(vec![R::Min, R::Max]),
                    None,
                    vec![seq("1:5000")],
                )),
            ),
        ),
        ok(
            "4731 §3.1",
            c("A286 SEARCH RETURN (COUNT) DELETED"),
            cmd("A286", search(Some(vec![R::Count]), None, vec![K::Deleted])),
        ),
        ok(
            "4731 §3.2",
            c(r#"a1 SEARCH RETURN (MIN) MODSEQ "/flags/\\draft" all 620162338"#),
            cmd("a1", search(Some(vec![R::Min]), None, vec![draft()])),
        ),
        ok(
            "4731 §3.2",
            c(r#"a2 SEARCH RETURN (MAX) MODSEQ "/flags/\\draft" all 620162338"#),
            cmd("a2", search(Some(vec![R::Max]), None, vec![draft()])),
        ),
        ok(
            "4731 §3.2",
            c(r#"a3 SEARCH RETURN (MIN MAX) MODSEQ "/flags/\\draft" all 620162338"#),
            cmd(
                "a3",
                search(Some(vec![R::Min, R::Max]), None, vec![draft()]),
            ),
        ),
        ok(
            "4731 §3.2",
            c(r#"a4 SEARCH RETURN (MIN COUNT) MODSEQ "/flags/\\draft" all 620162338"#),
            cmd(
                "a4",
                search(Some(vec![R::Min, R::Count]), None, vec![draft()]),
            ),
        ),
        // Negative: search-return-opts = SP "RETURN" SP "(" [...] ")" (RFC 4466 / 9051 §9),
        // then SP search-program.
        err(
            "4731 §4 RETURN without parentheses",
            c("A284 SEARCH RETURN MIN UNSEEN"),
        ),
        err("4731 §4 RETURN but no key", c("A284 SEARCH RETURN (MIN)")),
        err(
            "4731 §4 SP missing after RETURN (...)",
            c("A284 SEARCH RETURN (MIN)UNSEEN"),
        ),
        err(
            "4731 §4 RETURN: unbalanced",
            c("A284 SEARCH RETURN (MIN UNSEEN"),
        ),
    ]);
}

#[test]
fn rfc5182_searchres() {
    let smith = || not(K::From(b("Smith")));
    let eric = || K::From(b("Eric"));
    let feb94 = || K::Since(date(1994, 2, 1));
    let oct06 = || K::Since(date(2006, 10, 28));
    let feb06 = || K::Since(date(2006, 2, 12));
    let save = || Some(vec![R::Save]);
    let junk = || K::Keyword("$Junk".into());
    let fetch_a283 = || {
        fetch(
            "$",
            attrs(vec![A::Uid, A::InternalDate, A::Flags, A::Rfc822Header]),
        )
    };
    let or_saved = || K::And(vec![or(seq("$"), seq("1,3000:3021"))]);
    run(vec![
        // §2.2 example 1 (page-width break before NOT joined)
        ok(
            "5182 §2.2 ex 1",
            c(r#"A282 SEARCH RETURN (SAVE) FLAGGED SINCE 1-Feb-1994 NOT FROM "Smith""#),
            cmd(
                "A282",
                search(save(), None, vec![K::Flagged, feb94(), smith()]),
            ),
        ),
        ok(
            "5182 §2.2 ex 1",
            c("A283 FETCH $ (UID INTERNALDATE FLAGS RFC822.HEADER)"),
            cmd("A283", fetch_a283()),
        ),
        // example 2
        ok(
            "5182 §2.2 ex 2",
            c(r#"A282 SEARCH RETURN (SAVE) FLAGGED SINCE 1-Feb-1994 NOT FROM "Smith""#),
            cmd(
                "A282",
                search(save(), None, vec![K::Flagged, feb94(), smith()]),
            ),
        ),
        ok(
            "5182 §2.2 ex 2",
            c("A283 FETCH $ (UID INTERNALDATE FLAGS RFC822.HEADER)"),
            cmd("A283", fetch_a283()),
        ),
        // example 3
        ok(
            "5182 §2.2 ex 3",
            c(r#"A300 SEARCH RETURN (SAVE) SINCE 1-Jan-2004 NOT FROM "Smith""#),
            cmd(
                "A300",
                search(save(), None, vec![K::Since(date(2004, 1, 1)), smith()]),
            ),
        ),
        ok(
            "5182 §2.2 ex 3",
            c("A301 UID SEARCH UID $ SMALLER 4096"),
            cmd(
                "A301",
                uid(search(None, None, vec![K::Uid(set("$")), K::Smaller(4096)])),
            ),
        ),
        ok(
            "5182 §2.2 ex 3",
            c("A301 UID SEARCH $ SMALLER 4096"),
            cmd(
                "A301",
                uid(search(None, None, vec![seq("$"), K::Smaller(4096)])),
            ),
        ),
        // example 4 ("YYYYYYYY" stands for 8 octets of UTF-8)
        ok(
            "5182 §2.2 ex 4",
            c(r#"P282 SEARCH RETURN (SAVE) SINCE 1-Feb-1994 NOT FROM "Smith""#),
            cmd("P282", search(save(), None, vec![feb94(), smith()])),
        ),
        ok(
            "5182 §2.2 ex 4",
            lines(&[
                "P283 SEARCH CHARSET UTF-8 (OR $ 1,3000:3021) TEXT {8}",
                "YYYYYYYY",
            ]),
            cmd(
                "P283",
                search(
                    None,
                    Some("UTF-8"),
                    vec![or_saved(), K::Text(b("YYYYYYYY"))],
                ),
            ),
        ),
        // example 5 ("XXXX" stands for 4 octets of KOI8-R)
        ok(
            "5182 §2.2 ex 5",
            c(r#"B282 SEARCH RETURN (SAVE) SINCE 1-Feb-1994 NOT FROM "Smith""#),
            cmd("B282", search(save(), None, vec![feb94(), smith()])),
        ),
        ok(
            "5182 §2.2 ex 5",
            lines(&[
                "B283 SEARCH CHARSET KOI8-R (OR $ 1,3000:3021) TEXT {4}",
                "XXXX",
            ]),
            cmd(
                "B283",
                search(None, Some("KOI8-R"), vec![or_saved(), K::Text(b("XXXX"))]),
            ),
        ),
        // example 6
        ok(
            "5182 §2.2 ex 6",
            c(r#"E282 SEARCH RETURN (SAVE) SINCE 28-Oct-2006 NOT FROM "Eric""#),
            cmd("E282", search(save(), None, vec![oct06(), not(eric())])),
        ),
        ok(
            "5182 §2.2 ex 6",
            c(r#"E283 COPY $ "Other Messages""#),
            cmd("E283", copy("$", "Other Messages")),
        ),
        // §2.3 examples 7-9
        ok(
            "5182 §2.3 ex 7",
            c("F282 SEARCH RETURN (SAVE) KEYWORD $Junk"),
            cmd("F282", search(save(), None, vec![junk()])),
        ),
        ok(
            "5182 §2.3 ex 7",
            c(r#"F283 COPY $ "Junk""#),
            cmd("F283", copy("$", "Junk")),
        ),
        ok(
            "5182 §2.3 ex 7",
            c(r"F284 STORE $ +FLAGS.Silent (\Deleted)"),
            cmd("F284", store("$", Op::Add, true, vec![Flag::Deleted])),
        ),
        ok(
            "5182 §2.3 ex 8",
            c("G282 SEARCH RETURN (SAVE) KEYWORD $Junk"),
            cmd("G282", search(save(), None, vec![junk()])),
        ),
        ok(
            "5182 §2.3 ex 8",
            c(r#"G283 SEARCH RETURN (ALL) SINCE 28-Oct-2006 FROM "Eric""#),
            cmd(
                "G283",
                search(Some(vec![R::All]), None, vec![oct06(), eric()]),
            ),
        ),
        ok(
            "5182 §2.3 ex 9",
            c("H282 SEARCH RETURN (SAVE) KEYWORD $Junk"),
            cmd("H282", search(save(), None, vec![junk()])),
        ),
        ok(
            "5182 §2.3 ex 9",
            c(r#"H283 SEARCH RETURN (SAVE) SINCE 28-Oct-2006 FROM "Eric""#),
            cmd("H283", search(save(), None, vec![oct06(), eric()])),
        ),
        // §2.4 example 10
        ok(
            "5182 §2.4 ex 10",
            c(r#"C282 SEARCH RETURN (ALL) SINCE 12-Feb-2006 NOT FROM "Smith""#),
            cmd(
                "C282",
                search(Some(vec![R::All]), None, vec![feb06(), smith()]),
            ),
        ),
        ok(
            "5182 §2.4 ex 10",
            c(r#"C283 SEARCH RETURN (ALL SAVE) SINCE 12-Feb-2006 NOT FROM "Smith""#),
            cmd(
                "C283",
                search(Some(vec![R::All, R::Save]), None, vec![feb06(), smith()]),
            ),
        ),
        ok(
            "5182 §2.4 ex 10",
            c(r#"C284 SEARCH RETURN (SAVE MIN) SINCE 12-Feb-2006 NOT FROM "Smith""#),
            cmd(
                "C284",
                search(Some(vec![R::Save, R::Min]), None, vec![feb06(), smith()]),
            ),
        ),
        ok(
            "5182 §2.4 ex 10",
            c(r#"C285 SEARCH RETURN (MAX SAVE MIN) SINCE 12-Feb-2006 NOT FROM "Smith""#),
            cmd(
                "C285",
                search(
                    Some(vec![R::Max, R::Save, R::Min]),
                    None,
                    vec![feb06(), smith()],
                ),
            ),
        ),
        ok(
            "5182 §2.4 ex 10",
            c(r#"C286 SEARCH RETURN (MAX SAVE MIN COUNT) SINCE 12-Feb-2006 NOT FROM "Smith""#),
            cmd(
                "C286",
                search(
                    Some(vec![R::Max, R::Save, R::Min, R::Count]),
                    None,
                    vec![feb06(), smith()],
                ),
            ),
        ),
        ok(
            "5182 §2.4 ex 10",
            c(r#"C286 SEARCH RETURN (ALL SAVE MIN) SINCE 12-Feb-2006 NOT FROM "Smith""#),
            cmd(
                "C286",
                search(
                    Some(vec![R::All, R::Save, R::Min]),
                    None,
                    vec![feb06(), smith()],
                ),
            ),
        ),
        // Negative, §3: seq-last-command = "$" is a whole sequence-set, not a seq-number.
        err("5182 §3 $ is not a seq-number", c("A283 FETCH $:4 FLAGS")),
        err("5182 §3 $ is not a seq-number", c("E283 COPY 2:$ Junk")),
        err("5182 §3 $ is one octet", c("E283 COPY $$ Junk")),
    ]);
}

#[test]
fn rfc5256_sort_thread() {
    let mar2000 = || K::Since(date(2000, 3, 5));
    run(vec![
        ok(
            "5256 §3 SORT",
            c("A282 SORT (SUBJECT) UTF-8 SINCE 1-Feb-1994"),
            cmd(
                "A282",
                sort(
                    None,
                    vec![by(SortKey::Subject)],
                    "UTF-8",
                    vec![K::Since(date(1994, 2, 1))],
                ),
            ),
        ),
        ok(
            "5256 §3 SORT",
            c("A283 SORT (SUBJECT REVERSE DATE) UTF-8 ALL"),
            cmd(
                "A283",
                sort(
                    None,
                    vec![by(SortKey::Subject), reverse(SortKey::Date)],
                    "UTF-8",
                    vec![K::All],
                ),
            ),
        ),
        ok(
            "5256 §3 SORT",
            c(r#"A284 SORT (SUBJECT) US-ASCII TEXT "not in mailbox""#),
            cmd(
                "A284",
                sort(
                    None,
                    vec![by(SortKey::Subject)],
                    "US-ASCII",
                    vec![K::Text(b("not in mailbox"))],
                ),
            ),
        ),
        ok(
            "5256 §3 THREAD",
            c("A283 THREAD ORDEREDSUBJECT UTF-8 SINCE 5-MAR-2000"),
            cmd(
                "A283",
                thread(ThreadAlgorithm::OrderedSubject, "UTF-8", vec![mar2000()]),
            ),
        ),
        ok(
            "5256 §3 THREAD",
            c(r#"A284 THREAD ORDEREDSUBJECT US-ASCII TEXT "gewp""#),
            cmd(
                "A284",
                thread(
                    ThreadAlgorithm::OrderedSubject,
                    "US-ASCII",
                    vec![K::Text(b("gewp"))],
                ),
            ),
        ),
        ok(
            "5256 §3 THREAD",
            c("A285 THREAD REFERENCES UTF-8 SINCE 5-MAR-2000"),
            cmd(
                "A285",
                thread(ThreadAlgorithm::References, "UTF-8", vec![mar2000()]),
            ),
        ),
        // §5: thread-alg-ext = atom (the server answers that it does not know it)
        ok(
            "5256 §5 thread-alg-ext (constructed)",
            c("A286 UID THREAD x-refs UTF-8 ALL"),
            cmd(
                "A286",
                uid(thread(
                    ThreadAlgorithm::Other("X-REFS".into()),
                    "UTF-8",
                    vec![K::All],
                )),
            ),
        ),
        // Negative, §5: sort = ["UID" SP] "SORT" SP sort-criteria SP search-criteria;
        // sort-criteria = "(" sort-criterion *(SP sort-criterion) ")";
        // sort-criterion = ["REVERSE" SP] sort-key; search-criteria = charset 1*(SP search-key)
        err(
            "5256 §5 sort-criteria: at least one",
            c("A283 SORT () UTF-8 ALL"),
        ),
        err(
            "5256 §5 sort-criteria: parentheses",
            c("A283 SORT SUBJECT UTF-8 ALL"),
        ),
        err(
            "5256 §5 sort-criterion: REVERSE needs a key",
            c("A283 SORT (REVERSE) UTF-8 ALL"),
        ),
        err(
            "5256 §5 sort-criterion: one REVERSE",
            c("A283 SORT (REVERSE REVERSE DATE) UTF-8 ALL"),
        ),
        err(
            "5256 §5 sort-key: unknown",
            c("A283 SORT (WEIGHT) UTF-8 ALL"),
        ),
        err(
            "5256 §5 search-criteria: charset required",
            c("A283 SORT (SUBJECT) ALL"),
        ),
        err(
            "5256 §5 search-criteria: a key required",
            c("A283 SORT (SUBJECT) UTF-8"),
        ),
        err(
            "5256 §5 thread: a key required",
            c("A285 THREAD REFERENCES UTF-8"),
        ),
        err(
            "5256 §5 thread: charset required",
            c("A285 THREAD REFERENCES SINCE 5-MAR-2000"),
        ),
    ]);
}

#[test]
fn rfc3502_multiappend() {
    let two = cat!(
        b"A003 APPEND saved-messages (\\Seen) {329}\r\n",
        MEETING_329.as_bytes(),
        b" (\\Seen) \" 7-Feb-1994 22:43:04 -0800\" {295}\r\n",
        REPLY_295.as_bytes(),
        b"\r\n",
    );
    // A004 and A005 were refused before the octets were sent; here they are sent in full.
    let bogus = sized_message(&["Subject: bogus"], 1023);
    let a004 = cat!(
        b"A004 APPEND bogusname (\\Flagged) {1023}\r\n",
        &bogus,
        b"\r\n"
    );
    let big = sized_message(&["Subject: big"], 35403);
    let a005 = cat!(
        b"A005 APPEND test (\\Flagged) {99}\r\n",
        HMM_99.as_bytes(),
        b" {35403}\r\n",
        &big,
        b"\r\n",
    );
    let feb7 = dt(date(1994, 2, 7), (22, 43, 4), -480);
    run(vec![
        ok(
            "3502 §3",
            two,
            cmd(
                "A003",
                append(
                    "saved-messages",
                    vec![
                        message(vec![Flag::Seen], None, MEETING_329.as_bytes()),
                        message(vec![Flag::Seen], Some(feb7), REPLY_295.as_bytes()),
                    ],
                ),
            ),
        ),
        ok(
            "3502 §3 (message octets made up)",
            a004,
            cmd(
                "A004",
                append(
                    "bogusname",
                    vec![message(vec![Flag::Flagged], None, &bogus)],
                ),
            ),
        ),
        ok(
            "3502 §3 (second message made up)",
            a005,
            cmd(
                "A005",
                append(
                    "test",
                    vec![
                        message(vec![Flag::Flagged], None, HMM_99.as_bytes()),
                        message(vec![], None, &big),
                    ],
                ),
            ),
        ),
        // Negative: append = "APPEND" SP mailbox 1*append-message;
        // append-message = [SP flag-list] [SP date-time] SP literal
        err(
            "3502 append: at least one message",
            c("A003 APPEND saved-messages"),
        ),
        err(
            "3502 append-message: literal missing",
            b"A003 APPEND saved-messages {5}\r\nHello (\\Seen)\r\n",
        ),
        err(
            "3502 append-message: SP between messages",
            b"A003 APPEND saved-messages {5}\r\nHello{5}\r\nWorld\r\n",
        ),
        err(
            "3502 append-message: flags before date",
            cat!(
                b"A003 APPEND saved-messages \" 7-Feb-1994 22:43:04 -0800\" (\\Seen) {5}\r\n",
                b"Hello\r\n",
            ),
        ),
    ]);
}

#[test]
fn rfc3516_binary() {
    // RFC 3516 has no examples; these rows exercise the syntax of §4.2, §4.4 and §7.
    let nul_message: &[u8] = b"Subject: x\r\n\r\n\0\x01\x02binary\0\r\n";
    let n = nul_message.len();
    let binary_append = cat!(
        format!("B5 APPEND INBOX ~{{{n}}}\r\n"),
        nul_message,
        b"\r\n"
    );
    let binary_append_flags = cat!(
        format!("B6 APPEND INBOX (\\Seen) \" 7-Feb-1994 22:43:04 -0800\" ~{{{n}}}\r\n"),
        nul_message,
        b"\r\n",
    );
    let feb7 = dt(date(1994, 2, 7), (22, 43, 4), -480);
    run(vec![
        ok(
            "3516 §4.2 BINARY (constructed)",
            c("B1 FETCH 1 BINARY[]"),
            cmd(
                "B1",
                fetch(
                    "1",
                    attrs(vec![A::Binary {
                        peek: false,
                        part: vec![],
                        partial: None,
                    }]),
                ),
            ),
        ),
        ok(
            "3516 §4.2 BINARY.PEEK (constructed)",
            c("B2 FETCH 1 (BINARY.PEEK[1.2]<0.1024>)"),
            cmd(
                "B2",
                fetch(
                    "1",
                    attrs(vec![A::Binary {
                        peek: true,
                        part: vec![1, 2],
                        partial: Some((0, 1024)),
                    }]),
                ),
            ),
        ),
        ok(
            "3516 §4.2 BINARY.SIZE (constructed)",
            c("B3 UID FETCH 7 (BINARY.SIZE[2] BINARY[2])"),
            cmd(
                "B3",
                uid(fetch(
                    "7",
                    attrs(vec![
                        A::BinarySize { part: vec![2] },
                        A::Binary {
                            peek: false,
                            part: vec![2],
                            partial: None,
                        },
                    ]),
                )),
            ),
        ),
        ok(
            "3516 §4.2 BINARY.SIZE[] (constructed)",
            c("B4 FETCH 1:* BINARY.SIZE[]"),
            cmd(
                "B4",
                fetch("1:*", attrs(vec![A::BinarySize { part: vec![] }])),
            ),
        ),
        ok(
            "3516 §4.4 literal8 (constructed)",
            binary_append,
            cmd(
                "B5",
                append(
                    "INBOX",
                    vec![with_kind(
                        message(vec![], None, nul_message),
                        AppendKind::Binary,
                    )],
                ),
            ),
        ),
        ok(
            "3516 §4.4 literal8 with flags and date (constructed)",
            binary_append_flags,
            cmd(
                "B6",
                append(
                    "INBOX",
                    vec![with_kind(
                        message(vec![Flag::Seen], Some(feb7), nul_message),
                        AppendKind::Binary,
                    )],
                ),
            ),
        ),
        // Negative, §7: section-binary = "[" [section-part] "]" (no HEADER/TEXT/MIME);
        // "BINARY.SIZE" section-binary has no partial; partial = "<" number "." nz-number ">"
        err(
            "3516 §7 section-binary: no HEADER",
            c("B1 FETCH 1 BINARY[HEADER]"),
        ),
        err(
            "3516 §7 section-binary: no MIME",
            c("B1 FETCH 1 BINARY[1.MIME]"),
        ),
        err(
            "3516 §7 section-binary: no TEXT",
            c("B1 FETCH 1 BINARY.PEEK[1.TEXT]"),
        ),
        err("3516 §7 section-part: nz-number", c("B1 FETCH 1 BINARY[0]")),
        err(
            "3516 §7 BINARY.SIZE: no partial",
            c("B1 FETCH 1 BINARY.SIZE[1]<0.10>"),
        ),
        err(
            "3516 §7 partial: nz-number length",
            c("B1 FETCH 1 BINARY[1]<0.0>"),
        ),
        err("3516 §7 BINARY: section required", c("B1 FETCH 1 BINARY")),
        err(
            "3516 §7 BINARY.SIZE: no .PEEK",
            c("B1 FETCH 1 BINARY.PEEK.SIZE[1]"),
        ),
        // literal8 appears only in APPEND (§4.4); a userid is an astring.
        err(
            "3516 §7 literal8 only in APPEND",
            lines(&["B7 LOGIN ~{4}", "fred fat"]),
        ),
    ]);
}

#[test]
fn rfc9208_quota() {
    run(vec![
        ok(
            "9208 §4.1.1",
            c(r#"G0001 GETQUOTA "!partition/sda4""#),
            cmd("G0001", CommandBody::GetQuota(b("!partition/sda4"))),
        ),
        ok(
            "9208 §4.1.2",
            c("G0002 GETQUOTAROOT INBOX"),
            cmd("G0002", CommandBody::GetQuotaRoot(Mailbox::inbox())),
        ),
        ok(
            "9208 §4.1.3",
            c(r##"S0000 GETQUOTA "#user/alice""##),
            cmd("S0000", CommandBody::GetQuota(b("#user/alice"))),
        ),
        ok(
            "9208 §4.1.3",
            c(r##"S0001 SETQUOTA "#user/alice" (STORAGE 510)"##),
            cmd(
                "S0001",
                CommandBody::SetQuota {
                    root: b("#user/alice"),
                    limits: vec![("STORAGE".into(), 510)],
                },
            ),
        ),
        ok(
            "9208 §4.1.3",
            c(r#"S0002 SETQUOTA "!partition/sda4" (STORAGE 99999999)"#),
            cmd(
                "S0002",
                CommandBody::SetQuota {
                    root: b("!partition/sda4"),
                    limits: vec![("STORAGE".into(), 99999999)],
                },
            ),
        ),
        ok(
            "9208 §4.1.4",
            c("S0003 STATUS INBOX (MESSAGES DELETED DELETED-STORAGE)"),
            cmd(
                "S0003",
                CommandBody::Status {
                    mailbox: Mailbox::inbox(),
                    items: vec![St::Messages, St::Deleted, St::DeletedStorage],
                },
            ),
        ),
        ok(
            "9208 §4.3.1 ex 1",
            append_saved_messages("A003", "{326}", MEETING_326),
            cmd("A003", saved_messages(MEETING_326)),
        ),
        ok(
            "9208 §4.3.1 ex 2",
            append_saved_messages("A003", "{326}", MEETING_326),
            cmd("A003", saved_messages(MEETING_326)),
        ),
        ok(
            "9208 §4.3.1 ex 3",
            c("A004 COPY 2:4 MEETING"),
            cmd("A004", copy("2:4", "MEETING")),
        ),
        // §7: setquota-list = "(" [setquota-resource *(SP setquota-resource)] ")",
        // resource names upper-cased, resource-limit = number64
        ok(
            "9208 §7 (constructed)",
            c(r##"S0004 SETQUOTA "#user/alice" ()"##),
            cmd(
                "S0004",
                CommandBody::SetQuota {
                    root: b("#user/alice"),
                    limits: vec![],
                },
            ),
        ),
        ok(
            "9208 §7 (constructed)",
            c("S0005 SETQUOTA alice (storage 512 Message 1000 X-FOO 9223372036854775807)"),
            cmd(
                "S0005",
                CommandBody::SetQuota {
                    root: b("alice"),
                    limits: vec![
                        ("STORAGE".into(), 512),
                        ("MESSAGE".into(), 1000),
                        ("X-FOO".into(), i64::MAX as u64),
                    ],
                },
            ),
        ),
        // Negative, §7
        err("9208 §7 getquota: root missing", c("G0001 GETQUOTA")),
        err(
            "9208 §7 getquotaroot: mailbox missing",
            c("G0002 GETQUOTAROOT"),
        ),
        err(
            "9208 §7 setquota-resource: limit missing",
            c(r##"S0001 SETQUOTA "#user/alice" (STORAGE)"##),
        ),
        err(
            "9208 §7 setquota-list: parentheses",
            c(r##"S0001 SETQUOTA "#user/alice" STORAGE 510"##),
        ),
        err(
            "9208 §7 resource-limit: number64",
            c(r##"S0001 SETQUOTA "#user/alice" (STORAGE -1)"##),
        ),
        err(
            "9208 §7 resource-limit: 63 bits",
            c(r##"S0001 SETQUOTA "#user/alice" (STORAGE 9223372036854775808)"##),
        ),
        err(
            "9208 §7 setquota: list missing",
            c(r##"S0001 SETQUOTA "#user/alice""##),
        ),
    ]);
}

#[test]
fn rfc2971_id() {
    let pairs = |p: &[(&str, Option<&str>)]| {
        Some(p.iter().map(|(f, v)| (b(f), v.map(b))).collect::<Vec<_>>())
    };
    run(vec![
        // The page-width break before "Pink Floyd ..." is joined.
        ok(
            "2971 §3.1",
            c(r#"a023 ID ("name" "sodr" "version" "19.34" "vendor" "Pink Floyd Music Limited")"#),
            cmd(
                "a023",
                CommandBody::Id(pairs(&[
                    ("name", Some("sodr")),
                    ("version", Some("19.34")),
                    ("vendor", Some("Pink Floyd Music Limited")),
                ])),
            ),
        ),
        ok(
            "2971 §3.2",
            c("a042 ID NIL"),
            cmd("a042", CommandBody::Id(None)),
        ),
        // §3.1: "values are permitted to be any IMAP4 string or NIL"
        ok(
            "2971 §3.1 NIL value (constructed)",
            c(r#"a024 ID ("name" "sodr" "os" NIL)"#),
            cmd(
                "a024",
                CommandBody::Id(pairs(&[("name", Some("sodr")), ("os", None)])),
            ),
        ),
        // Negative, §4: id_params_list ::= "(" #(string SPACE nstring) ")" / nil
        err("2971 §4 id: argument missing", c("a023 ID")),
        err(
            "2971 §4 id_params_list: value missing",
            c(r#"a023 ID ("name")"#),
        ),
        err(
            "2971 §4 id_params_list: odd count",
            c(r#"a023 ID ("name" "sodr" "version")"#),
        ),
        err(
            "2971 §4 id_params_list: field is a string",
            c(r#"a023 ID (NIL "sodr")"#),
        ),
        err(
            "2971 §4 id_params_list: unbalanced",
            c(r#"a023 ID ("name" "sodr""#),
        ),
    ]);
}

#[test]
fn rfc4959_sasl_ir() {
    let plain = ir(b"test\0test\0test");
    run(vec![
        ok(
            "4959 §4",
            c("C01 CAPABILITY"),
            cmd("C01", CommandBody::Capability),
        ),
        ok(
            "4959 §4",
            c("A01 AUTHENTICATE PLAIN dGVzdAB0ZXN0AHRlc3Q="),
            cmd("A01", auth("PLAIN", plain)),
        ),
        ok(
            "4959 §4",
            c("C01 CAPABILITY"),
            cmd("C01", CommandBody::Capability),
        ),
        ok(
            "4959 §4",
            c("A01 AUTHENTICATE PLAIN"),
            cmd("A01", auth("PLAIN", None)),
        ),
        ok(
            "4959 §4",
            c("C01 CAPABILITY"),
            cmd("C01", CommandBody::Capability),
        ),
        ok(
            "4959 §4",
            c("A01 AUTHENTICATE EXTERNAL ="),
            cmd("A01", auth("EXTERNAL", Some(InitialResponse::Empty))),
        ),
        ok(
            "4959 §4",
            c("C01 CAPABILITY"),
            cmd("C01", CommandBody::Capability),
        ),
        ok(
            "4959 §4",
            c("A01 AUTHENTICATE EXTERNAL"),
            cmd("A01", auth("EXTERNAL", None)),
        ),
        // Negative, §3: the server checks "any sequence of BASE64 characters that contains the
        // pad character ('=') anywhere other than the end of the string (e.g., "=AAA" and
        // "AAA=BBB" are not allowed)"; §7: [SP (base64 / "=")]
        err("4959 §3 '=AAA'", c("A01 AUTHENTICATE PLAIN =AAA")),
        err("4959 §3 'AAA=BBB'", c("A01 AUTHENTICATE PLAIN AAA=BBB")),
        err(
            "4959 §3 characters outside BASE64",
            c("A01 AUTHENTICATE PLAIN dGVz*AB0"),
        ),
        err(
            "4959 §7 base64: extra pad",
            c("A01 AUTHENTICATE PLAIN dGVzdAB0ZXN0AHRlc3Q=="),
        ),
        err("4959 §7 '==' alone", c("A01 AUTHENTICATE EXTERNAL ==")),
    ]);
}

#[test]
fn rfc5161_enable() {
    run(vec![
        ok(
            "5161 §3.1",
            c("t1 CAPABILITY"),
            cmd("t1", CommandBody::Capability),
        ),
        ok(
            "5161 §3.1",
            c("t2 ENABLE CONDSTORE X-GOOD-IDEA"),
            cmd("t2", enable(&["CONDSTORE", "X-GOOD-IDEA"])),
        ),
        ok(
            "5161 §3.1",
            c("t3 CAPABILITY"),
            cmd("t3", CommandBody::Capability),
        ),
        ok(
            "5161 §3.1",
            c("a1 ENABLE CONDSTORE"),
            cmd("a1", enable(&["CONDSTORE"])),
        ),
        // capability names are case-insensitive; Strata upper-cases them
        ok(
            "5161 §4 (constructed)",
            c("a2 ENABLE condstore qresync"),
            cmd("a2", enable(&["CONDSTORE", "QRESYNC"])),
        ),
        // Negative, §4: command-any =/ "ENABLE" 1*(SP capability)
        err("5161 §4 enable: a capability required", c("t2 ENABLE")),
        err("5161 §4 capability: an atom", c("t2 ENABLE (CONDSTORE)")),
    ]);
}

#[test]
fn rfc4978_compress() {
    run(vec![
        ok("4978 §3", c("a starttls"), cmd("a", CommandBody::StartTls)),
        ok(
            "4978 §3",
            c("b login arnt tnra"),
            cmd("b", login("arnt", "tnra")),
        ),
        ok(
            "4978 §3",
            c("c compress deflate"),
            cmd("c", CommandBody::Compress("DEFLATE".into())),
        ),
        ok(
            "4978 §3",
            c("c compress deflate"),
            cmd("c", CommandBody::Compress("DEFLATE".into())),
        ),
        // Negative, §4: command-auth =/ compress; compress = "COMPRESS" SP algorithm;
        // algorithm = "DEFLATE" / atom
        err("4978 §4 compress: algorithm missing", c("c compress")),
        err(
            "4978 §4 compress: one algorithm",
            c("c compress deflate deflate"),
        ),
    ]);
}

#[test]
fn rfc6851_move() {
    run(vec![
        ok(
            "6851 §3.3",
            c("a UID MOVE 42:69 foo"),
            cmd("a", uid(mv("42:69", "foo"))),
        ),
        // §5: move = "MOVE" SP sequence-set SP mailbox
        ok(
            "6851 §5 (constructed)",
            c("b MOVE 1,3:* Trash"),
            cmd("b", mv("1,3:*", "Trash")),
        ),
        // Negative, §5
        err("6851 §5 move: mailbox missing", c("a UID MOVE 42:69")),
        err("6851 §5 move: set missing", c("a MOVE foo")),
        err("6851 §5 move: one mailbox", c("a MOVE 1 foo bar")),
    ]);
}

#[test]
fn rfc4315_uidplus() {
    run(vec![
        ok(
            "4315 §2.1",
            c("A003 UID EXPUNGE 3000:3002"),
            cmd("A003", uid_expunge("3000:3002")),
        ),
        ok(
            "4315 §3",
            append_saved_messages("A003", "{297}", MEETING_297),
            cmd("A003", saved_messages(MEETING_297)),
        ),
        ok(
            "4315 §3",
            c("A004 COPY 2:4 meeting"),
            cmd("A004", copy("2:4", "meeting")),
        ),
        ok(
            "4315 §3",
            c("A005 UID COPY 305:310 meeting"),
            cmd("A005", uid(copy("305:310", "meeting"))),
        ),
        ok(
            "4315 §3",
            c("A006 COPY 2 funny"),
            cmd("A006", copy("2", "funny")),
        ),
        ok(
            "4315 §3",
            c("A007 SELECT funny"),
            cmd("A007", select("funny")),
        ),
        // Negative, §4: uid_expunge ::= "EXPUNGE" SPACE sequence_set
        err("4315 §4 uid-expunge: set missing", c("A003 UID EXPUNGE")),
        err(
            "4315 §4 uid-expunge: nz-number",
            c("A003 UID EXPUNGE 0:3002"),
        ),
        err("4315 §4 uid-expunge: one set", c("A003 UID EXPUNGE 1 2")),
    ]);
}

#[test]
fn rfc3691_unselect() {
    run(vec![
        ok(
            "3691 §2",
            c("A341 UNSELECT"),
            cmd("A341", CommandBody::Unselect),
        ),
        // Negative, §2: "BAD - ... argument supplied but none permitted"
        err("3691 §2 no argument", c("A341 UNSELECT INBOX")),
    ]);
}

#[test]
fn rfc2177_idle() {
    run(vec![
        ok(
            "2177 §3",
            c("A001 SELECT INBOX"),
            cmd("A001", select("INBOX")),
        ),
        ok("2177 §3", c("A002 IDLE"), cmd("A002", CommandBody::Idle)),
        ok(
            "2177 §3",
            c("A003 FETCH 4 ALL"),
            cmd("A003", fetch("4", FetchItems::All)),
        ),
        ok("2177 §3", c("A004 IDLE"), cmd("A004", CommandBody::Idle)),
        ok(
            "2177 §3",
            c("A005 FETCH 3 ALL"),
            cmd("A005", fetch("3", FetchItems::All)),
        ),
        ok("2177 §3", c("A006 IDLE"), cmd("A006", CommandBody::Idle)),
        // Negative, §4: idle ::= "IDLE" CRLF "DONE"
        err("2177 §4 idle: no argument", c("A002 IDLE 30")),
    ]);
}

#[test]
fn rfc8474_objectid() {
    let mar20 = dt(date(2018, 3, 20), (3, 7, 37), 660);
    let msg_a = sized_message(
        &[
            "Subject: Message A",
            "Message-ID: <fake.1521475657.54797@example.com>",
        ],
        733,
    );
    let msg_b = sized_message(
        &[
            "Subject: Re: Message A",
            "Message-ID: <fake.1521475657.21213@example.org>",
            "References: <fake.1521475657.54797@example.com>",
        ],
        793,
    );
    let msg_c = sized_message(
        &[
            "Subject: Message C",
            "Message-ID: <fake.1521475657.60280@example.com>",
        ],
        736,
    );
    let append_row = |tag: &str, size: usize, m: &[u8]| {
        let head = format!("{tag} append inbox \"20-Mar-2018 03:07:37 +1100\" {{{size}}}\r\n");
        cat!(head.as_bytes(), m, b"\r\n")
    };
    let appended = |m: &[u8]| append("INBOX", vec![message(vec![], Some(mar20), m)]);
    let ids = || fetch("1:*", attrs(vec![A::EmailId, A::ThreadId]));
    run(vec![
        ok("8474 §4.1", c("3 create foo"), cmd("3", create("foo"))),
        ok("8474 §4.1", c("4 create bar"), cmd("4", create("bar"))),
        ok("8474 §4.1", c("5 create foo"), cmd("5", create("foo"))),
        ok(
            "8474 §4.2",
            c(r#"27 select "foo""#),
            cmd("27", select("foo")),
        ),
        ok(
            "8474 §4.3",
            c("6 status foo (mailboxid)"),
            cmd("6", status("foo", vec![St::MailboxId])),
        ),
        ok(
            "8474 §4.3",
            c("7 status bar (mailboxid)"),
            cmd("7", status("bar", vec![St::MailboxId])),
        ),
        ok(
            "8474 §4.3",
            c("8 rename foo renamed"),
            cmd("8", rename("foo", "renamed")),
        ),
        ok(
            "8474 §4.3",
            c("9 status renamed (mailboxid)"),
            cmd("9", status("renamed", vec![St::MailboxId])),
        ),
        ok(
            "8474 §4.3",
            c("10 status bar (mailboxid)"),
            cmd("10", status("bar", vec![St::MailboxId])),
        ),
        ok(
            "8474 §4.3",
            c(r#"11 list "" "*" return (status (mailboxid))"#),
            cmd(
                "11",
                list(vec![], "", &["*"], vec![LR::Status(vec![St::MailboxId])]),
            ),
        ),
        // §5.3: the message texts are elided ("[...]") in the RFC; only their sizes are given.
        ok(
            "8474 §5.3 (text made up)",
            append_row("5", 733, &msg_a),
            cmd("5", appended(&msg_a)),
        ),
        ok(
            "8474 §5.3 (text made up)",
            append_row("11", 793, &msg_b),
            cmd("11", appended(&msg_b)),
        ),
        ok(
            "8474 §5.3 (text made up)",
            append_row("17", 736, &msg_c),
            cmd("17", appended(&msg_c)),
        ),
        ok(
            "8474 §5.3",
            c("22 fetch 1:* (emailid threadid)"),
            cmd("22", ids()),
        ),
        ok("8474 §5.3", c("23 move 2 foo"), cmd("23", mv("2", "foo"))),
        ok(
            "8474 §5.3",
            c("24 fetch 1:* (emailid threadid)"),
            cmd("24", ids()),
        ),
        ok(
            "8474 §5.3",
            c(r#"25 select "foo""#),
            cmd("25", select("foo")),
        ),
        ok(
            "8474 §5.3",
            c(r#"25 select "foo""#),
            cmd("25", select("foo")),
        ),
        ok(
            "8474 §5.3",
            c("26 fetch 1:* (emailid threadid)"),
            cmd("26", ids()),
        ),
        ok(
            "8474 §5.3 no THREADID",
            c("26 fetch 1:* (emailid threadid)"),
            cmd("26", ids()),
        ),
        ok(
            "8474 §6",
            c("27 search emailid M6d99ac3275bb4e"),
            cmd(
                "27",
                search(None, None, vec![K::EmailId("M6d99ac3275bb4e".into())]),
            ),
        ),
        ok(
            "8474 §6",
            c("28 search threadid T64b478a75b7ea9"),
            cmd(
                "28",
                search(None, None, vec![K::ThreadId("T64b478a75b7ea9".into())]),
            ),
        ),
        // Negative, §7: search-key =/ "EMAILID" SP objectid / "THREADID" SP objectid;
        // objectid = 1*255(ALPHA / DIGIT / "_" / "-")
        err("8474 §7 objectid: missing", c("27 search emailid")),
        err(
            "8474 §7 objectid: no '+'",
            c("27 search emailid M6d99+ac3275bb4e"),
        ),
        err(
            "8474 §7 objectid: no '.'",
            c("28 search threadid T64b4.78a75b7ea9"),
        ),
        err(
            "8474 §7 objectid: not quoted",
            c(r#"27 search emailid "M6d99ac3275bb4e""#),
        ),
        err(
            "8474 §7 objectid: at most 255",
            c(&format!("27 search emailid M{}", "a".repeat(255))),
        ),
        err(
            "8474 §7 status-att: MAILBOXID takes no value",
            c("6 status foo (mailboxid 1)"),
        ),
    ]);
}

#[test]
fn rfc8514_savedate() {
    let dec28 = || date(2014, 12, 28);
    run(vec![
        ok(
            "8514 §4.2",
            c("A101 FETCH 998 (SAVEDATE)"),
            cmd("A101", fetch("998", attrs(vec![A::SaveDate]))),
        ),
        ok(
            "8514 §4.3",
            c("A102 SEARCH SAVEDON 28-Dec-2014"),
            cmd("A102", search(None, None, vec![K::SavedOn(dec28())])),
        ),
        ok(
            "8514 §4.3",
            c("A103 SEARCH SAVEDSINCE 28-Dec-2014"),
            cmd("A103", search(None, None, vec![K::SavedSince(dec28())])),
        ),
        ok(
            "8514 §5 (constructed)",
            c(r#"A104 UID SEARCH SAVEDBEFORE "28-Dec-2014" SAVEDATESUPPORTED"#),
            cmd(
                "A104",
                uid(search(
                    None,
                    None,
                    vec![K::SavedBefore(dec28()), K::SaveDateSupported],
                )),
            ),
        ),
        // Negative, §5: "SAVEDBEFORE" SP date / "SAVEDON" SP date / "SAVEDSINCE" SP date
        err("8514 §5 SAVEDON: date missing", c("A102 SEARCH SAVEDON")),
        err(
            "8514 §5 date: 4-digit year",
            c("A102 SEARCH SAVEDON 28-Dec-14"),
        ),
    ]);
}

#[test]
fn rfc8970_preview() {
    let preview = |lazy| A::Preview { lazy };
    run(vec![
        ok(
            "8970 §3.2",
            c("A1 FETCH 1 (PREVIEW)"),
            cmd("A1", fetch("1", attrs(vec![preview(false)]))),
        ),
        ok(
            "8970 §5 ex 1",
            c("A1 CAPABILITY"),
            cmd("A1", CommandBody::Capability),
        ),
        ok(
            "8970 §5 ex 1",
            c("A2 FETCH 1 (RFC822.SIZE PREVIEW)"),
            cmd("A2", fetch("1", attrs(vec![A::Rfc822Size, preview(false)]))),
        ),
        ok(
            "8970 §5 ex 2",
            c("B1 FETCH 1:4 (ENVELOPE PREVIEW (LAZY))"),
            cmd("B1", fetch("1:4", attrs(vec![A::Envelope, preview(true)]))),
        ),
        ok(
            "8970 §5 ex 2",
            c("B2 FETCH 3:4 (PREVIEW)"),
            cmd("B2", fetch("3:4", attrs(vec![preview(false)]))),
        ),
        ok(
            "8970 §5 ex 3",
            c("C1 CAPABILITY"),
            cmd("C1", CommandBody::Capability),
        ),
        ok(
            "8970 §5 ex 3",
            c(r#"C2 SEARCH RETURN (SAVE) FROM "FOO""#),
            cmd(
                "C2",
                search(Some(vec![R::Save]), None, vec![K::From(b("FOO"))]),
            ),
        ),
        ok(
            "8970 §5 ex 3",
            c("C3 FETCH $ (UID PREVIEW (LAZY))"),
            cmd("C3", fetch("$", attrs(vec![A::Uid, preview(true)]))),
        ),
        ok(
            "8970 §5 ex 3",
            c("C4 UID FETCH 23 (PREVIEW)"),
            cmd("C4", uid(fetch("23", attrs(vec![preview(false)])))),
        ),
        // Negative, §6: fetch-att =/ "PREVIEW" [SP "(" preview-mod *(SP preview-mod) ")"];
        // preview-mod = "LAZY"
        err(
            "8970 §6 preview-mod: at least one",
            c("A1 FETCH 1 (PREVIEW ())"),
        ),
        err(
            "8970 §6 preview-mod: only LAZY",
            c("A1 FETCH 1 (PREVIEW (FAST))"),
        ),
        err(
            "8970 §6 preview-mod: parentheses",
            c("A1 FETCH 1 (PREVIEW LAZY)"),
        ),
    ]);
}

#[test]
fn rfc5032_within() {
    run(vec![
        ok(
            "5032 §4",
            c("a1 SEARCH UNSEEN YOUNGER 259200"),
            cmd(
                "a1",
                search(None, None, vec![K::Unseen, K::Younger(259200)]),
            ),
        ),
        ok(
            "5032 §3 (constructed)",
            c("a2 SEARCH OLDER 3600 NOT YOUNGER 60"),
            cmd(
                "a2",
                search(None, None, vec![K::Older(3600), not(K::Younger(60))]),
            ),
        ),
        // Negative, §3: search-key =/ ( "OLDER" / "YOUNGER" ) SP nz-number
        err("5032 §3 nz-number: not 0", c("a1 SEARCH YOUNGER 0")),
        err("5032 §3 interval missing", c("a1 SEARCH OLDER")),
        err("5032 §3 interval: a number", c("a1 SEARCH OLDER -5")),
        err(
            "5032 §3 nz-number: 32 bits",
            c("a1 SEARCH OLDER 4294967296"),
        ),
    ]);
}

#[test]
fn rfc6855_utf8() {
    // RFC 6855 has no command examples; these rows exercise §3 and §4.
    let utf8_message = "Subject: Grüße\r\n\r\nHallo\r\n";
    let utf8_append = format!(
        "U2 APPEND INBOX UTF8 (~{{{}}}\r\n{utf8_message})\r\n",
        utf8_message.len()
    );
    let utf8_append_flags = format!(
        "U3 APPEND \"Entwürfe\" (\\Draft) UTF8 (~{{{}}}\r\n{utf8_message})\r\n",
        utf8_message.len()
    );
    let utf8 = |flags| {
        with_kind(
            message(flags, None, utf8_message.as_bytes()),
            AppendKind::Utf8,
        )
    };
    run(vec![
        ok(
            "6855 §3 (constructed)",
            c("U1 ENABLE UTF8=ACCEPT"),
            cmd("U1", enable(&["UTF8=ACCEPT"])),
        ),
        ok(
            "6855 §3 (constructed)",
            c(r#"U4 SELECT "Entwürfe""#),
            cmd("U4", select("Entwürfe")),
        ),
        ok(
            "6855 §3 (constructed)",
            c(r#"U5 SEARCH SUBJECT "Grüße""#),
            cmd("U5", search(None, None, vec![K::Subject(b("Grüße"))])),
        ),
        ok(
            "6855 §4 (constructed)",
            utf8_append,
            cmd("U2", append("INBOX", vec![utf8(vec![])])),
        ),
        ok(
            "6855 §4 (constructed)",
            utf8_append_flags,
            cmd("U3", append("Entwürfe", vec![utf8(vec![Flag::Draft])])),
        ),
        // Negative, §4: utf8-literal = "UTF8" SP "(" literal8 ")"
        err(
            "6855 §4 utf8-literal: literal8 required",
            c("U2 APPEND INBOX UTF8 ({5}\r\nHallo)"),
        ),
        err(
            "6855 §4 utf8-literal: parentheses",
            c("U2 APPEND INBOX UTF8 ~{5}\r\nHallo"),
        ),
        err(
            "6855 §4 utf8-literal: unbalanced",
            c("U2 APPEND INBOX UTF8 (~{5}\r\nHallo"),
        ),
        // §3: UTF-8 goes in quoted strings ("extended quoted syntax"); an atom stays 7-bit
        // (ATOM-CHAR = <any CHAR except atom-specials>, CHAR = %x01-7F).
        err("6855 §3 8-bit octets in an atom", c("U4 SELECT Entwürfe")),
        // §3: quoted strings hold UTF-8, so bytes that are not UTF-8 are refused
        err(
            "6855 §3 invalid UTF-8 in a quoted string",
            b"U4 SELECT \"Entw\xfcrfe\"\r\n",
        ),
    ]);
}

#[test]
fn rfc5267_esort() {
    run(vec![
        // §3.3 (the page-width break before UNKEYWORD is joined)
        ok(
            "5267 §3.3",
            c("E01 UID SORT RETURN () (REVERSE DATE) UTF-8 UNDELETED UNKEYWORD $Junk"),
            cmd(
                "E01",
                uid(sort(
                    Some(vec![]),
                    vec![reverse(SortKey::Date)],
                    "UTF-8",
                    vec![K::Undeleted, K::Unkeyword("$Junk".into())],
                )),
            ),
        ),
        // §5: extended-sort = ["UID" SP] "SORT" search-return-opts SP sort-criteria SP
        // search-criteria, with the ESEARCH return options (§3.1)
        ok(
            "5267 §3.1 (constructed)",
            c("E02 SORT RETURN (MIN MAX COUNT ALL) (ARRIVAL) UTF-8 ALL"),
            cmd(
                "E02",
                sort(
                    Some(vec![R::Min, R::Max, R::Count, R::All]),
                    vec![by(SortKey::Arrival)],
                    "UTF-8",
                    vec![K::All],
                ),
            ),
        ),
        // Negative, §5: the return options come before the sort criteria, in parentheses
        err(
            "5267 §5 RETURN needs parentheses",
            c("E01 UID SORT RETURN (REVERSE DATE) UTF-8 ALL"),
        ),
        err(
            "5267 §5 RETURN after the criteria",
            c("E01 SORT (DATE) RETURN (MIN) UTF-8 ALL"),
        ),
    ]);
}

/// Commands the RFC examples send that Strata does not implement: there is no
/// [`CommandBody`] for them, so the parser must refuse them (the session answers BAD) rather
/// than read them as something else.
#[test]
fn commands_strata_does_not_speak() {
    let blurdybloop = cat!(
        b"A044 BLURDYBLOOP {102856}\r\n",
        &vec![b'x'; 102856],
        b"\r\n"
    );
    run(vec![
        // RFC 9051 §6.5: a fictitious extension command
        err("9051 §6.5 XPIG-LATIN", c("A442 XPIG-LATIN")),
        // RFC 9051 §7.6: unknown command with a literal
        err("9051 §7.6 BLURDYBLOOP", blurdybloop),
        // RFC 6154 §5.4: METADATA (RFC 5464) is not implemented
        err(
            "6154 §5.4 GETMETADATA",
            c(r#"t2 GETMETADATA "MyDrafts" /private/specialuse"#),
        ),
        err(
            "6154 §5.4 SETMETADATA",
            c(r#"t3 SETMETADATA "SavedDrafts" (/private/specialuse "\\Drafts")"#),
        ),
        err(
            "6154 §5.4 SETMETADATA",
            c(r#"t4 SETMETADATA "SentMail" (/private/specialuse NIL)"#),
        ),
    ]);
}

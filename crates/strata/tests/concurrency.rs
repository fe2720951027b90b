//! Many sessions on shared mailboxes (ARCHITECTURE.md invariant 4): 20 sessions of one account
//! drive 5 mailboxes at once with APPEND, STORE of ever new keywords, STORE `\Deleted` +
//! EXPUNGE, FETCH, UID FETCH, SEARCH, NOOP and IDLE, and every response is checked against the
//! model each session keeps of its selected mailbox, built only from what the server told it.
//!
//! ```text
//!  20 sessions, one thread and one raw TCP connection each ──▶ strata serve (SQLite, local blobs)
//!    model per session: seq → UID, keywords of the last FLAGS, \Recent, HIGHESTMODSEQ
//!  then one fresh session SELECTs every mailbox ──▶ the union of what the sessions did
//! ```
//!
//! Rules checked on every response (a break is a violation; the test passes with none):
//! - a FETCH carries no keyword the session's last `FLAGS` response did not list (RFC 9051
//!   §7.3.5, §7.1 PERMANENTFLAGS);
//! - a FETCH names a message number ≤ EXISTS, its UID agrees with the one the session learnt for
//!   that number, UIDs rise with sequence numbers, and a new message's UID is above every UID the
//!   session knew when it was announced (RFC 9051 §2.3.1.1);
//! - EXISTS never shrinks (RFC 9051 §5.2); EXPUNGE names a message ≤ EXISTS; neither EXPUNGE
//!   nor VANISHED arrives during FETCH, STORE or SEARCH by number (RFC 9051 §7.4.1, RFC 7162
//!   §3.2.10); after ENABLE QRESYNC, VANISHED replaces EXPUNGE and names only UIDs the session
//!   was told of; RECENT ≤ EXISTS;
//! - `\Recent` of a message does not change within a selection, agrees with the last RECENT
//!   count on a full FETCH, and across all sessions (the final one included) a message is
//!   `\Recent` in at most one (RFC 3501 §2.3.2);
//! - HIGHESTMODSEQ (untagged or in a tagged OK) never goes down within a selection; one below a
//!   MODSEQ the session already saw is allowed only while an expunge is held back (RFC 7162 §3.2,
//!   §6), so an EXPUNGE/VANISHED must follow before the selection ends;
//! - once CONDSTORE is on: SELECT says HIGHESTMODSEQ (§3.1.2), the first enabling command with a
//!   mailbox selected says it (§3.1), every FETCH response carries MODSEQ and UID (§3.1, §3.2.4,
//!   the server advertises QRESYNC), a message's MODSEQ seen by one session never goes down, and
//!   new mail (EXISTS) is followed by `OK [HIGHESTMODSEQ]` by the end of the first command during
//!   which expunges may be reported (Strata's promise from issue 17 item 3, as Dovecot does, so a
//!   QRESYNC client can advance its cache; RFC 7162 has no MUST for it);
//! - APPEND answers `[APPENDUID]` (UIDPLUS), and an APPEND to the selected mailbox shows up in
//!   the session's view before its tagged OK (RFC 9051 §6.3.12, §5.2); SEARCH results name only
//!   messages of the view;
//! - a tagged NO or BAD is a violation, except `NO [EXPUNGEISSUED]` for FETCH/STORE (RFC 9051
//!   §7.1), a STORE of a new keyword refused once PERMANENTFLAGS lost `\*` (RFC 9051 §7.1: a
//!   keyword limit), and an APPEND with keywords refused with `NO [LIMIT]` (RFC 5530) or into the
//!   selected mailbox once its PERMANENTFLAGS lost `\*`.
//!
//! Across sessions afterwards: one MODSEQ of a message means one set of flags, whoever saw it;
//! every appended message is in the final state unless a session marked it `\Deleted`, with the
//! Message-ID it was appended with; nothing reported expunged is still there; `\Deleted` is set
//! exactly on the messages marked so; the final MODSEQ is not below any a session saw.
//!
//! The sessions of one mailbox ([`FLOODED`]) also store fresh keywords twenty at a time, so it
//! passes a per-mailbox keyword limit of a few hundred: once there, a new keyword may be refused
//! only after a PERMANENTFLAGS without `\*` (RFC 9051 §7.1), and the sessions then stop inventing
//! keywords there.
//!
//! The choices are seeded: the seed is printed, and `STRATA_CONCURRENCY_SEED=n` replays them
//! (the interleaving of the sessions is the scheduler's). With `STRATA_CONCURRENCY_TRANSCRIPTS=dir`
//! every session writes its whole conversation, violations marked `!!`, to `dir/<session>.txt`.

mod support;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use support::{add_user_with, init_tracing, start_with};

const USER: &str = "crowd@example.org";
const PASSWORD: &str = "many hands";
/// Concurrent sessions of the account.
const SESSIONS: usize = 20;
/// The shared mailboxes: INBOX and four created by the test.
const MAILBOXES: [&str; 5] = ["INBOX", "Alpha", "Beta", "Gamma", "Delta"];
/// Commands of the random mix per session, unless [`MIX_FOR`] runs out first.
const STEPS: usize = 200;
/// Longest the mix runs.
const MIX_FOR: Duration = Duration::from_secs(15);
/// Keywords `$K1..$K40`, taken into use as the sessions go, so new ones keep appearing.
const KEYWORDS: usize = 40;
/// The mailbox whose sessions also store fresh keywords, [`FLOOD`] at a time, so
/// that it passes any per-mailbox keyword limit of a few hundred during the run.
const FLOODED: &str = "Delta";
const FLOOD: usize = 20;
/// A server that stops answering fails the test.
const READ_TIMEOUT: Duration = Duration::from_secs(30);
/// Violations printed in full (one per kind first).
const EXAMPLES: usize = 10;

/// Every session's responses agree with its model, and the final state with what they did.
///
/// Twenty sessions (four per mailbox: plain IMAP4rev1, ENABLE CONDSTORE, ENABLE QRESYNC, and one
/// that turns CONDSTORE on halfway with FETCH MODSEQ; some move to other mailboxes) run a seeded
/// random mix. Each one ends by fetching every message's flags and a NOOP, then logs out; a
/// fresh session then selects every mailbox and fetches everything.
#[test]
fn twenty_sessions_over_five_mailboxes_agree_with_their_models() {
    init_tracing();
    let seed = std::env::var("STRATA_CONCURRENCY_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
            now.map_or(1, |d| d.as_nanos() as u64)
        });
    println!("seed {seed} (STRATA_CONCURRENCY_SEED={seed} replays the choices)");
    let started = Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("strata.toml");
    std::fs::write(
        &config,
        // One account's crowd from one address: above the per-(account, address) default.
        "[imap]\nmax_connections_per_account_ip = 100\n\
         [auth]\nargon2_m_cost = 64\nargon2_t_cost = 1\nargon2_p_cost = 1\n",
    )
    .unwrap();
    let config = config.display().to_string();
    add_user_with(dir.path(), USER, PASSWORD, &["--config", &config]);
    let log = std::fs::File::create(dir.path().join("server.log")).unwrap();
    let (server, port, _) = start_with(dir.path(), log, &["--config", &config]);

    tracing::info!("phase 1: create the mailboxes; all five start empty");
    let validity = {
        let mut admin = Client::connect("setup", port, seed).expect("setup session");
        admin.login().expect("setup login");
        let mut validity = BTreeMap::new();
        for mailbox in MAILBOXES {
            if mailbox != "INBOX" {
                let o = admin.run(
                    &format!("CREATE {}", quote(mailbox)),
                    None,
                    Rules::default(),
                );
                assert_eq!(o.expect("CREATE").cond, "OK", "CREATE {mailbox}");
            }
            admin.select(mailbox).expect("SELECT");
            let view = admin.view.as_ref().expect("selected");
            assert!(view.slots.is_empty(), "{mailbox} starts empty");
            validity.insert(mailbox.to_string(), view.uid_validity);
        }
        admin.logout().expect("LOGOUT");
        assert!(
            admin.report.violations.is_empty(),
            "setup: {:?}",
            admin.report.violations
        );
        validity
    };

    tracing::info!("phase 2: {SESSIONS} sessions, {STEPS} commands each (at most {MIX_FOR:?})");
    let mix_started = Instant::now();
    let barrier = Arc::new(Barrier::new(SESSIONS));
    let threads: Vec<_> = (0..SESSIONS)
        .map(|id| {
            let barrier = barrier.clone();
            std::thread::spawn(move || session(id, port, seed, &barrier))
        })
        .collect();
    let reports: Vec<Report> = threads
        .into_iter()
        .map(|t| t.join().expect("a session thread panicked"))
        .collect();
    let mix_took = mix_started.elapsed();

    tracing::info!("phase 3: a fresh session selects every mailbox");
    let last = {
        let mut c = Client::connect("final", port, seed).expect("final session");
        let r = c.final_look();
        if let Err(e) = r {
            c.violation("connection failed", e);
        }
        c.report
    };

    tracing::info!("phase 4: across sessions and against the final state");
    let mut all = reports;
    all.push(last);
    let mut violations: Vec<Violation> = all.iter().flat_map(|r| r.violations.clone()).collect();
    violations.extend(across(&all, &validity));
    drop(server);

    let sum = |f: fn(&Report) -> usize| all.iter().map(f).sum::<usize>();
    println!(
        "{} sessions in {mix_took:.1?} ({:.1?} in all): {} commands, {} responses checked, {} \
         FETCH responses, {} APPENDs, {} expunges reported, {} messages seen \\Recent, {} MODSEQ \
         observations, {} refusals accepted, {} final messages",
        SESSIONS,
        started.elapsed(),
        sum(|r| r.commands),
        sum(|r| r.responses),
        sum(|r| r.fetches),
        sum(|r| r.appended.len()),
        sum(|r| r.expunged.len()),
        sum(|r| r.recent.len()),
        sum(|r| r.observed.len()),
        sum(|r| r.refusals.len()),
        sum(|r| r.final_state.len()),
    );
    for r in all.iter().flat_map(|r| &r.refusals).take(5) {
        println!("accepted refusal: {r}");
    }
    if !violations.is_empty() {
        let mut kinds: BTreeMap<&str, usize> = BTreeMap::new();
        for v in &violations {
            *kinds.entry(v.kind).or_default() += 1;
        }
        println!("{} violations:", violations.len());
        for (kind, n) in &kinds {
            println!("  {n:5}  {kind}");
        }
        // The first of each kind, then the next ones in order.
        let mut shown: Vec<&Violation> = Vec::new();
        for kind in kinds.keys() {
            shown.extend(violations.iter().find(|v| v.kind == *kind));
        }
        for v in &violations {
            if shown.len() >= EXAMPLES.max(kinds.len()) {
                break;
            }
            if !shown.iter().any(|s| std::ptr::eq(*s, v)) {
                shown.push(v);
            }
        }
        for v in shown {
            println!(
                "\n[{}] session {} during `{}`: {}",
                v.kind, v.session, v.command, v.detail
            );
            for l in &v.lines {
                println!("    S: {l}");
            }
        }
    }
    assert!(
        violations.is_empty(),
        "{} violations (seed {seed}); see the output above",
        violations.len()
    );
}

/// A scripted exchange: the one violation it must give ("" for none), whether CONDSTORE is on,
/// and (command, reply) pairs after a SELECT of two messages.
type Case<'a> = (&'a str, bool, &'a [(&'a str, &'a str)]);

/// The checker can fail: scripted exchanges from a fake server, each breaking one rule, give
/// exactly the violation that rule names; a clean exchange gives none.
#[test]
fn the_checker_catches_each_broken_rule() {
    let select = "* FLAGS (\\Seen $Old)\r\n* 2 EXISTS\r\n* 0 RECENT\r\n\
                  * OK [PERMANENTFLAGS (\\Seen $Old \\*)] ok\r\n* OK [HIGHESTMODSEQ 10] hi\r\n\
                  T OK [READ-WRITE] done\r\n";
    let fetch_all = "* 1 FETCH (UID 4 FLAGS ($Old) MODSEQ (7))\r\n\
                     * 2 FETCH (UID 9 FLAGS (\\Seen) MODSEQ (10))\r\nT OK done\r\n";
    let cases: [Case; 12] = [
        ("", true, &[("FETCH 1:* (UID FLAGS MODSEQ)", fetch_all)]),
        (
            "",
            false,
            &[(
                "STORE 1 +FLAGS ($Brand)",
                "* OK [PERMANENTFLAGS (\\Seen $Old)] full\r\nT NO [LIMIT] too many\r\n",
            )],
        ),
        (
            "new keyword refused while PERMANENTFLAGS still offers \\*",
            false,
            &[("STORE 1 +FLAGS ($Brand)", "T NO [LIMIT] too many\r\n")],
        ),
        (
            "keyword in FETCH before FLAGS listed it",
            false,
            &[("NOOP", "* 1 FETCH (UID 4 FLAGS ($New))\r\nT OK done\r\n")],
        ),
        (
            "EXISTS shrank",
            false,
            &[("NOOP", "* 1 EXISTS\r\nT OK done\r\n")],
        ),
        (
            "UID disagrees with the view",
            true,
            &[
                ("FETCH 1:* (UID FLAGS MODSEQ)", fetch_all),
                (
                    "NOOP",
                    "* 2 FETCH (UID 8 FLAGS () MODSEQ (11))\r\nT OK done\r\n",
                ),
            ],
        ),
        (
            "EXPUNGE or VANISHED during FETCH, STORE or SEARCH by number",
            false,
            &[("FETCH 1:2 (UID FLAGS)", "* 1 EXPUNGE\r\nT OK done\r\n")],
        ),
        (
            "HIGHESTMODSEQ went down",
            true,
            &[("NOOP", "* OK [HIGHESTMODSEQ 9] hi\r\nT OK done\r\n")],
        ),
        (
            "new mail under CONDSTORE without HIGHESTMODSEQ",
            true,
            &[("NOOP", "* 3 EXISTS\r\n* 1 RECENT\r\nT OK done\r\n")],
        ),
        (
            "FETCH without UID under CONDSTORE",
            true,
            &[(
                "STORE 1 +FLAGS ($Old)",
                "* 1 FETCH (FLAGS ($Old) MODSEQ (11))\r\nT OK done\r\n",
            )],
        ),
        ("tagged NO or BAD", false, &[("NOOP", "T NO not today\r\n")]),
        (
            "\\Recent changed within a selection",
            true,
            &[
                ("FETCH 1:* (UID FLAGS MODSEQ)", fetch_all),
                (
                    "NOOP",
                    "* 2 FETCH (UID 9 FLAGS (\\Recent) MODSEQ (11))\r\nT OK done\r\n",
                ),
            ],
        ),
    ];
    for (want, condstore, script) in cases {
        let mut replies = vec![select.to_string()];
        replies.extend(script.iter().map(|(_, r)| r.to_string()));
        let port = fake_server(replies);
        let mut c = Client::connect("fake", port, 1).expect("fake server");
        c.condstore = condstore;
        c.select("INBOX").expect("SELECT");
        for (command, _) in script {
            let rules = Rules {
                by_seq: command.starts_with("FETCH") || command.starts_with("STORE"),
                fetch_all: command.starts_with("FETCH 1:*"),
                new_keyword: command.contains("$Brand"),
                ..Rules::default()
            };
            c.run(command, None, rules).expect("scripted reply");
        }
        let kinds: Vec<&str> = c.report.violations.iter().map(|v| v.kind).collect();
        match want {
            "" => assert!(kinds.is_empty(), "a clean exchange: {kinds:?}"),
            want => assert_eq!(kinds, [want], "{want}"),
        }
    }

    // Across sessions: \Recent twice, and an appended message gone without \Deleted.
    let seen = |uid| Report {
        recent: BTreeSet::from([("INBOX".to_string(), uid)]),
        ..Report::default()
    };
    let mut first = seen(1);
    first
        .appended
        .push(("INBOX".into(), 2, "x@concurrency.test".into()));
    let kinds: Vec<&str> = across(&[first, seen(1), Report::default()], &BTreeMap::new())
        .iter()
        .map(|v| v.kind)
        .collect();
    assert_eq!(
        kinds,
        [
            "\\Recent in more than one session",
            "an appended message vanished"
        ]
    );
}

/// A fake IMAP server for [`the_checker_catches_each_broken_rule`]: greets, then answers the
/// n-th command line with `replies[n]`, its `T` tag replaced by the client's (`fake.n`).
fn fake_server(replies: Vec<String>) -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let (stream, _) = listener.accept().unwrap();
        let mut w = stream.try_clone().unwrap();
        let mut r = std::io::BufReader::new(stream);
        w.write_all(b"* OK fake\r\n").unwrap();
        for (n, reply) in replies.iter().enumerate() {
            let mut line = String::new();
            if std::io::BufRead::read_line(&mut r, &mut line).unwrap_or(0) == 0 {
                return;
            }
            let reply = reply.replace("T OK", &format!("fake.{} OK", n + 1));
            let reply = reply.replace("T NO", &format!("fake.{} NO", n + 1));
            w.write_all(reply.as_bytes()).unwrap();
        }
    });
    port
}

/// One session of the mix: setup, wait for the others, the random commands, settle, LOGOUT.
fn session(id: usize, port: u16, seed: u64, barrier: &Barrier) -> Report {
    let name = format!("s{id:02}");
    let mut c = match Client::connect(&name, port, seed.wrapping_add(id as u64 * 7919)) {
        Ok(c) => c,
        Err(e) => {
            barrier.wait();
            let mut r = Report::default();
            r.violations.push(Violation {
                session: name,
                command: "connect".into(),
                kind: "connection failed",
                detail: e,
                lines: Vec::new(),
            });
            return r;
        }
    };
    // Four sessions per mailbox, one of each flavour; every third session moves around.
    let flavour = (id / MAILBOXES.len()) % 4;
    c.late_condstore = flavour == 3;
    c.switcher = id.is_multiple_of(3);
    let setup = c.open(flavour, MAILBOXES[id % MAILBOXES.len()]);
    barrier.wait();
    let deadline = Instant::now() + MIX_FOR;
    let run = setup.and_then(|()| {
        for step in 0..STEPS {
            if Instant::now() > deadline {
                break;
            }
            c.step(step)?;
        }
        c.settle()?;
        c.logout()
    });
    if let Err(e) = run {
        c.violation("connection failed", e);
    }
    c.report
}

// ---------------------------------------------------------------------------------------------
// Wire: responses with their literals, tokens, and what they mean.

/// One connection: bytes in, whole responses (literals included) out.
struct Wire {
    stream: TcpStream,
    buf: Vec<u8>,
}

impl Wire {
    fn connect(port: u16) -> Result<Wire, String> {
        let stream =
            TcpStream::connect(("127.0.0.1", port)).map_err(|e| format!("connect: {e}"))?;
        stream
            .set_read_timeout(Some(READ_TIMEOUT))
            .map_err(|e| e.to_string())?;
        let _ = stream.set_nodelay(true);
        Ok(Wire {
            stream,
            buf: Vec::new(),
        })
    }

    fn send(&mut self, bytes: &[u8]) -> Result<(), String> {
        self.stream
            .write_all(bytes)
            .map_err(|e| format!("write: {e}"))
    }

    /// The next response without its final CRLF; a line ending in `{n}` continues after n
    /// octets of literal.
    fn next(&mut self) -> Result<Vec<u8>, String> {
        let mut scan = 0;
        loop {
            if let Some(i) = self.buf[scan..].windows(2).position(|w| w == b"\r\n") {
                let end = scan + i;
                match literal_len(&self.buf[scan..end]) {
                    Some(n) if self.buf.len() >= end + 2 + n => {
                        scan = end + 2 + n;
                        continue;
                    }
                    Some(_) => {}
                    None => {
                        let line = self.buf[..end].to_vec();
                        self.buf.drain(..end + 2);
                        return Ok(line);
                    }
                }
            }
            let mut chunk = [0u8; 16 * 1024];
            match self.stream.read(&mut chunk) {
                Ok(0) => return Err("the server closed the connection".into()),
                Ok(n) => self.buf.extend_from_slice(&chunk[..n]),
                Err(e) => return Err(format!("read: {e}")),
            }
        }
    }
}

/// `n` when `segment` ends with a literal announcement `{n}` (or `{n+}`).
fn literal_len(segment: &[u8]) -> Option<usize> {
    let body = segment.strip_suffix(b"}")?;
    let open = body.iter().rposition(|&c| c == b'{')?;
    let digits = std::str::from_utf8(&body[open + 1..]).ok()?;
    digits.trim_end_matches('+').parse().ok()
}

/// A token of a response: an atom (numbers, `NIL`, `\Seen`, `BODY[…]` included), a string
/// (quoted or literal), or a parenthesized list.
#[derive(Debug, Clone)]
enum Tok {
    Atom(String),
    Str(Vec<u8>),
    List(Vec<Tok>),
}

/// Tokens from `s[*p..]` up to the `)` that closes the list (or the end).
fn tokens(s: &[u8], p: &mut usize) -> Vec<Tok> {
    let mut out = Vec::new();
    while *p < s.len() {
        match s[*p] {
            b' ' => *p += 1,
            b')' => {
                *p += 1;
                break;
            }
            b'(' => {
                *p += 1;
                out.push(Tok::List(tokens(s, p)));
            }
            b'"' => {
                *p += 1;
                let mut v = Vec::new();
                while *p < s.len() && s[*p] != b'"' {
                    if s[*p] == b'\\' {
                        *p += 1;
                    }
                    if *p < s.len() {
                        v.push(s[*p]);
                    }
                    *p += 1;
                }
                *p += 1;
                out.push(Tok::Str(v));
            }
            b'{' => {
                let Some(close) = s[*p..].iter().position(|&c| c == b'}').map(|i| *p + i) else {
                    *p = s.len();
                    break;
                };
                let n = literal_len(&s[*p..=close]).unwrap_or(0);
                let start = (close + 3).min(s.len());
                let end = (start + n).min(s.len());
                out.push(Tok::Str(s[start..end].to_vec()));
                *p = end;
            }
            _ => {
                let start = *p;
                let mut depth = 0i32;
                while *p < s.len() {
                    match s[*p] {
                        b'[' => depth += 1,
                        b']' => depth -= 1,
                        b' ' | b'(' | b')' if depth <= 0 => break,
                        _ => {}
                    }
                    *p += 1;
                }
                out.push(Tok::Atom(
                    String::from_utf8_lossy(&s[start..*p]).into_owned(),
                ));
            }
        }
    }
    out
}

/// A response code: `[NAME args]`.
#[derive(Debug, Clone)]
struct Code {
    name: String,
    args: String,
}

/// What a response says, as far as the model cares.
#[derive(Debug)]
enum Resp {
    Tagged {
        tag: String,
        cond: String,
        code: Option<Code>,
    },
    Continue,
    Status {
        cond: String,
        code: Option<Code>,
    },
    Exists(u32),
    Recent(u32),
    Expunge(u32),
    Fetch {
        seq: u32,
        items: Vec<Tok>,
    },
    Flags(Vec<String>),
    Vanished {
        earlier: bool,
        uids: Vec<u32>,
    },
    Search(Vec<u32>),
    Other,
}

fn split_word(s: &str) -> (&str, &str) {
    match s.find(' ') {
        Some(i) => (&s[..i], &s[i + 1..]),
        None => (s, ""),
    }
}

fn code_of(text: &str) -> Option<Code> {
    let rest = text.trim_start().strip_prefix('[')?;
    let inner = &rest[..rest.find(']')?];
    let (name, args) = split_word(inner);
    Some(Code {
        name: name.to_ascii_uppercase(),
        args: args.to_string(),
    })
}

/// The UIDs or numbers of a sequence set such as `3:5,9` (no `*`).
fn set_values(s: &str) -> Vec<u32> {
    let mut out = Vec::new();
    for part in s.split(',') {
        let (a, b) = part.split_once(':').unwrap_or((part, part));
        if let (Ok(a), Ok(b)) = (a.trim().parse::<u32>(), b.trim().parse::<u32>()) {
            out.extend(a.min(b)..=a.max(b).min(a.min(b).saturating_add(100_000)));
        }
    }
    out
}

fn parse(line: &[u8]) -> Resp {
    let text = String::from_utf8_lossy(line);
    if text.starts_with('+') {
        return Resp::Continue;
    }
    let (first, rest) = split_word(&text);
    if first != "*" {
        let (cond, rest) = split_word(rest);
        return Resp::Tagged {
            tag: first.to_string(),
            cond: cond.to_ascii_uppercase(),
            code: code_of(rest),
        };
    }
    let (word, rest) = split_word(rest);
    let list = || {
        let mut p = line.iter().position(|&c| c == b'(').unwrap_or(line.len());
        tokens(line, &mut p)
    };
    if let Ok(n) = word.parse::<u32>() {
        let (what, _) = split_word(rest);
        return match what.to_ascii_uppercase().as_str() {
            "EXISTS" => Resp::Exists(n),
            "RECENT" => Resp::Recent(n),
            "EXPUNGE" => Resp::Expunge(n),
            "FETCH" => match list().into_iter().next() {
                Some(Tok::List(items)) => Resp::Fetch { seq: n, items },
                _ => Resp::Fetch {
                    seq: n,
                    items: Vec::new(),
                },
            },
            _ => Resp::Other,
        };
    }
    match word.to_ascii_uppercase().as_str() {
        "OK" | "NO" | "BAD" | "BYE" | "PREAUTH" => Resp::Status {
            cond: word.to_ascii_uppercase(),
            code: code_of(rest),
        },
        "FLAGS" => match list().into_iter().next() {
            Some(Tok::List(l)) => Resp::Flags(atoms(&l)),
            _ => Resp::Flags(Vec::new()),
        },
        "VANISHED" => {
            let (earlier, set) = match rest.strip_prefix("(EARLIER) ") {
                Some(set) => (true, set),
                None => (false, rest),
            };
            Resp::Vanished {
                earlier,
                uids: set_values(set.trim()),
            }
        }
        "SEARCH" => Resp::Search(
            rest.split_whitespace()
                .map_while(|w| w.parse().ok())
                .collect(),
        ),
        _ => Resp::Other,
    }
}

fn atoms(l: &[Tok]) -> Vec<String> {
    l.iter()
        .filter_map(|t| match t {
            Tok::Atom(a) => Some(a.clone()),
            _ => None,
        })
        .collect()
}

/// The items of a FETCH response the model uses.
#[derive(Debug, Default)]
struct Fetched {
    uid: Option<u32>,
    flags: Option<Vec<String>>,
    modseq: Option<u64>,
    message_id: Option<String>,
}

fn fetched(items: &[Tok]) -> Fetched {
    let mut f = Fetched::default();
    let mut it = items.iter();
    while let (Some(Tok::Atom(name)), Some(value)) = (it.next(), it.next()) {
        match (name.to_ascii_uppercase().as_str(), value) {
            ("UID", Tok::Atom(v)) => f.uid = v.parse().ok(),
            ("FLAGS", Tok::List(l)) => f.flags = Some(atoms(l)),
            ("MODSEQ", Tok::List(l)) => {
                f.modseq = match l.first() {
                    Some(Tok::Atom(v)) => v.parse().ok(),
                    _ => None,
                }
            }
            (n, Tok::Str(b)) if n.starts_with("BODY[") => {
                let t = String::from_utf8_lossy(b);
                f.message_id = t
                    .find('<')
                    .and_then(|a| Some(t[a + 1..a + t[a..].find('>')?].to_string()));
            }
            _ => {}
        }
    }
    f
}

/// Flags as compared across sessions: lower case, sorted, without the per-session `\Recent`.
fn normal(flags: &[String]) -> Vec<String> {
    let mut v: Vec<String> = flags
        .iter()
        .map(|f| f.to_ascii_lowercase())
        .filter(|f| f != "\\recent")
        .collect();
    v.sort();
    v.dedup();
    v
}

fn quote(mailbox: &str) -> String {
    if mailbox == "INBOX" {
        mailbox.to_string()
    } else {
        format!("\"{mailbox}\"")
    }
}

// ---------------------------------------------------------------------------------------------
// The model and its checks.

/// A rule broken: who, during which command, and the server's lines for that command so far.
#[derive(Debug, Clone)]
struct Violation {
    session: String,
    command: String,
    kind: &'static str,
    detail: String,
    lines: Vec<String>,
}

/// One session's (mailbox, UID, MODSEQ, flags) seen together in a FETCH.
#[derive(Debug, Clone)]
struct Observation {
    mailbox: String,
    uid: u32,
    modseq: u64,
    flags: Vec<String>,
    session: String,
}

/// A message as the final session saw it.
#[derive(Debug, Clone)]
struct FinalMessage {
    mailbox: String,
    uid: u32,
    modseq: u64,
    flags: Vec<String>,
    message_id: Option<String>,
}

/// What one session did and saw.
#[derive(Debug, Default)]
struct Report {
    violations: Vec<Violation>,
    commands: usize,
    responses: usize,
    fetches: usize,
    /// NO answers the rules allow, described.
    refusals: Vec<String>,
    /// (mailbox, UID) this session saw with `\Recent`.
    recent: BTreeSet<(String, u32)>,
    /// (mailbox, UID, Message-ID) of every APPEND it was answered OK for.
    appended: Vec<(String, u32, String)>,
    /// (mailbox, UID) it set `\Deleted` on (UID STORE answered OK).
    deleted: BTreeSet<(String, u32)>,
    /// (mailbox, UID) reported to it by EXPUNGE (of a known UID) or VANISHED.
    expunged: BTreeSet<(String, u32)>,
    observed: Vec<Observation>,
    /// UIDVALIDITY per mailbox as SELECT and APPENDUID said it.
    validity: BTreeSet<(String, u32)>,
    final_state: Vec<FinalMessage>,
}

/// A message number's place in the view: its UID once a FETCH said it.
#[derive(Debug, Clone)]
struct Slot {
    uid: Option<u32>,
    /// The largest UID the session knew when EXISTS announced this message: its UID is above.
    floor: u32,
}

/// The selected mailbox as the session knows it from the server's responses.
#[derive(Debug)]
struct View {
    mailbox: String,
    uid_validity: u32,
    slots: Vec<Slot>,
    /// Largest UID the session heard of in this selection (expunged ones included).
    max_uid: u32,
    /// Keywords of the last FLAGS response, lower case.
    keywords: BTreeSet<String>,
    /// The last PERMANENTFLAGS had `\*`: new keywords may be created.
    new_keywords_ok: bool,
    /// The last RECENT count, unless EXISTS grew after it without a new one.
    recent: Option<u32>,
    expunged_since_recent: u32,
    /// `\Recent` as FETCH showed it, per UID.
    recent_of: HashMap<u32, bool>,
    /// Highest HIGHESTMODSEQ announced (0: none yet).
    highest: u64,
    /// Highest MODSEQ any FETCH showed.
    max_modseq: u64,
    /// A HIGHESTMODSEQ below a MODSEQ already seen: fine only if an expunge was held back, so
    /// this violation stands unless an EXPUNGE or VANISHED follows in this selection.
    below_seen: Option<Violation>,
    /// New mail reported under CONDSTORE and no HIGHESTMODSEQ since: the EXISTS line.
    owed: Option<String>,
    /// Last MODSEQ seen per UID.
    modseq_of: HashMap<u32, u64>,
}

impl View {
    fn new(mailbox: &str) -> View {
        View {
            mailbox: mailbox.to_string(),
            uid_validity: 0,
            slots: Vec::new(),
            max_uid: 0,
            keywords: BTreeSet::new(),
            new_keywords_ok: true,
            recent: None,
            expunged_since_recent: 0,
            recent_of: HashMap::new(),
            highest: 0,
            max_modseq: 0,
            below_seen: None,
            owed: None,
            modseq_of: HashMap::new(),
        }
    }

    /// Index of the message with `uid`: a known one, or a message whose UID the session has not
    /// learnt yet and which could have it (between its known neighbours, above its floor). Of
    /// several such neighbours the last is taken: the floors of the others then stay true.
    fn locate(&self, uid: u32) -> Option<usize> {
        let mut candidate = None;
        for (i, s) in self.slots.iter().enumerate() {
            match s.uid {
                Some(u) if u == uid => return Some(i),
                Some(u) if u > uid => break,
                Some(_) => candidate = None,
                None if s.floor < uid => candidate = Some(i),
                None => {}
            }
        }
        candidate
    }

    fn known_uids(&self) -> Vec<u32> {
        self.slots.iter().filter_map(|s| s.uid).collect()
    }
}

/// What a command allows.
#[derive(Debug, Clone, Copy, Default)]
struct Rules {
    /// FETCH, STORE or SEARCH by message number: no EXPUNGE or VANISHED meanwhile.
    by_seq: bool,
    /// A STORE (or APPEND to the selected mailbox) that may create a keyword: NO once
    /// PERMANENTFLAGS lost `\*`.
    new_keyword: bool,
    /// An APPEND with keywords: `NO [LIMIT]`.
    append_keywords: bool,
    /// FETCH or STORE: `NO [EXPUNGEISSUED]`.
    expunge_issued: bool,
    /// SEARCH (false) or UID SEARCH (true): check the results.
    search: Option<bool>,
    /// `FETCH 1:*`: check the \Recent count.
    fetch_all: bool,
    /// The first CONDSTORE-enabling command.
    enables: bool,
    select: bool,
    logout: bool,
    /// Keep what FETCH says (the final session).
    collect: bool,
}

/// The tagged response.
#[derive(Debug)]
struct Outcome {
    cond: String,
    code: Option<Code>,
}

/// One IMAP session and its model.
struct Client {
    name: String,
    wire: Wire,
    tag: u32,
    rng: Rng,
    condstore: bool,
    qresync: bool,
    /// Turns CONDSTORE on with FETCH MODSEQ halfway through the mix.
    late_condstore: bool,
    /// Moves to other mailboxes now and then.
    switcher: bool,
    appends: u32,
    floods: u32,
    view: Option<View>,
    report: Report,
    /// The command in flight and the server's lines for it so far.
    command: String,
    lines: Vec<String>,
    saw_highest: bool,
    size_changed: bool,
    fetched_seqs: BTreeSet<u32>,
    recent_seqs: BTreeSet<u32>,
    /// UID SEARCH results that were not in the view when they arrived.
    search_uids: Vec<u32>,
    /// The whole conversation, when `STRATA_CONCURRENCY_TRANSCRIPTS` names a folder.
    transcript: Option<std::fs::File>,
}

impl Client {
    fn connect(name: &str, port: u16, seed: u64) -> Result<Client, String> {
        let mut c = Client {
            name: name.to_string(),
            wire: Wire::connect(port)?,
            tag: 0,
            rng: Rng(seed),
            condstore: false,
            qresync: false,
            late_condstore: false,
            switcher: false,
            appends: 0,
            floods: 0,
            view: None,
            report: Report::default(),
            command: "greeting".into(),
            lines: Vec::new(),
            saw_highest: false,
            size_changed: false,
            fetched_seqs: BTreeSet::new(),
            recent_seqs: BTreeSet::new(),
            search_uids: Vec::new(),
            transcript: std::env::var_os("STRATA_CONCURRENCY_TRANSCRIPTS").and_then(|dir| {
                std::fs::File::create(std::path::Path::new(&dir).join(format!("{name}.txt"))).ok()
            }),
        };
        let greeting = c.wire.next()?;
        if !greeting.starts_with(b"* OK") {
            return Err(format!("greeting {:?}", String::from_utf8_lossy(&greeting)));
        }
        Ok(c)
    }

    fn violation(&mut self, kind: &'static str, detail: String) {
        self.note(&format!("!! {kind}: {detail}"));
        let from = self.lines.len().saturating_sub(30);
        self.report.violations.push(Violation {
            session: self.name.clone(),
            command: self.command.clone(),
            kind,
            detail,
            lines: self.lines[from..].to_vec(),
        });
    }

    fn begin(&mut self, text: &str) -> String {
        self.tag += 1;
        self.command = text.chars().take(160).collect();
        self.lines.clear();
        self.saw_highest = false;
        self.size_changed = false;
        self.fetched_seqs.clear();
        self.recent_seqs.clear();
        self.search_uids.clear();
        self.report.commands += 1;
        let tag = format!("{}.{}", self.name, self.tag);
        self.note(&format!("C: {tag} {text}"));
        tag
    }

    /// A line of the transcript, if one is kept.
    fn note(&mut self, line: &str) {
        if let Some(f) = self.transcript.as_mut() {
            let _ = writeln!(f, "{line}");
        }
    }

    /// Sends `text` (with `literal` as a LITERAL+ literal at its end) and checks every response
    /// up to the tagged one.
    fn run(&mut self, text: &str, literal: Option<&[u8]>, rules: Rules) -> Result<Outcome, String> {
        let tag = self.begin(text);
        let mut out = format!("{tag} {text}").into_bytes();
        if let Some(data) = literal {
            out.extend(format!(" {{{}+}}\r\n", data.len()).bytes());
            out.extend_from_slice(data);
        }
        out.extend_from_slice(b"\r\n");
        self.wire.send(&out)?;
        self.finish(&tag, rules)
    }

    /// Reads and checks responses until the one tagged `tag`.
    fn finish(&mut self, tag: &str, rules: Rules) -> Result<Outcome, String> {
        loop {
            let line = self.read()?;
            match parse(&line) {
                Resp::Tagged { tag: t, cond, code } if t == tag => {
                    let outcome = self.tagged(cond, code, rules);
                    self.end(rules, &outcome);
                    return Ok(outcome);
                }
                r => self.untagged(r, rules),
            }
        }
    }

    fn read(&mut self) -> Result<Vec<u8>, String> {
        let line = self.wire.next()?;
        self.report.responses += 1;
        let text = String::from_utf8_lossy(&line).into_owned();
        self.note(&format!("S: {text}"));
        self.lines.push(text);
        Ok(line)
    }

    /// IDLE for `ms` milliseconds, then DONE; what arrived meanwhile is checked in order.
    fn idle(&mut self, ms: u64) -> Result<(), String> {
        let tag = self.begin("IDLE");
        self.wire.send(format!("{tag} IDLE\r\n").as_bytes())?;
        let rules = Rules::default();
        loop {
            let line = self.read()?;
            match parse(&line) {
                Resp::Continue => break,
                Resp::Tagged { cond, code, .. } => {
                    let outcome = self.tagged(cond, code, rules);
                    self.end(rules, &outcome);
                    return Ok(());
                }
                r => self.untagged(r, rules),
            }
        }
        std::thread::sleep(Duration::from_millis(ms));
        self.wire.send(b"DONE\r\n")?;
        self.finish(&tag, rules).map(|_| ())
    }

    fn tagged(&mut self, cond: String, code: Option<Code>, rules: Rules) -> Outcome {
        let is = |name: &str| code.as_ref().is_some_and(|c| c.name == name);
        if cond == "OK" {
            if let Some(c) = &code
                && c.name == "HIGHESTMODSEQ"
                && let Ok(h) = c.args.trim().parse()
            {
                self.highest(h);
            }
        } else {
            let keyword_limit = self.view.as_ref().is_some_and(|v| !v.new_keywords_ok);
            let verdict = if cond != "NO" {
                Err("tagged NO or BAD")
            } else if rules.expunge_issued && is("EXPUNGEISSUED") {
                Ok("NO [EXPUNGEISSUED] (RFC 9051 §7.1)")
            } else if rules.new_keyword && keyword_limit {
                Ok("a new keyword refused after PERMANENTFLAGS without \\* (RFC 9051 §7.1)")
            } else if keyword_limit && is("LIMIT") {
                // The mailbox said it is full. A keyword its FLAGS listed earlier may be refused
                // too: FLAGS lists what messages carried when it was sent, and a keyword no
                // message carries any more is no longer defined (the server forgets such
                // keywords when the mailbox reaches its limit).
                Ok("NO [LIMIT] after PERMANENTFLAGS without \\* (RFC 9051 §7.1, RFC 5530)")
            } else if rules.new_keyword {
                Err("new keyword refused while PERMANENTFLAGS still offers \\*")
            } else if rules.append_keywords && is("LIMIT") {
                Ok("APPEND with keywords refused with NO [LIMIT] (RFC 5530)")
            } else {
                Err("tagged NO or BAD")
            };
            match verdict {
                Ok(why) => {
                    let last = self.lines.last().cloned().unwrap_or_default();
                    let r = format!("{} `{}`: {last} ({why})", self.name, self.command);
                    self.report.refusals.push(r);
                }
                Err(kind) => self.violation(
                    kind,
                    format!(
                        "answered {cond}; a server that limits keywords MUST first send \
                         PERMANENTFLAGS without \\* (RFC 9051 §7.1) when the refusal is about \
                         a new keyword"
                    ),
                ),
            }
        }
        Outcome { cond, code }
    }

    /// Checks at the end of a command.
    fn end(&mut self, rules: Rules, outcome: &Outcome) {
        let ok = outcome.cond == "OK";
        let condstore = self.condstore;
        let owed = match self.view.as_mut() {
            Some(v) if condstore && !rules.by_seq => v.owed.take(),
            _ => None,
        };
        if let Some(exists) = owed {
            self.violation(
                "new mail under CONDSTORE without HIGHESTMODSEQ",
                format!(
                    "`{exists}` and no OK [HIGHESTMODSEQ] by the end of a command that may \
                     report expunges (Strata sends it after new mail, issue 17 item 3)"
                ),
            );
        }
        if rules.enables && ok && self.view.is_some() && !self.saw_highest {
            self.violation(
                "first CONDSTORE-enabling command without HIGHESTMODSEQ",
                "RFC 7162 §3.1: the first CONDSTORE enabling command with a mailbox selected \
                 MUST return its HIGHESTMODSEQ"
                    .into(),
            );
        }
        if rules.select && ok && condstore && !self.saw_highest {
            self.violation(
                "SELECT without HIGHESTMODSEQ under CONDSTORE",
                "RFC 7162 §3.1.2: OK [HIGHESTMODSEQ] with every SELECT after a CONDSTORE \
                 enabling command"
                    .into(),
            );
        }
        let mut bad = Vec::new();
        if let Some(v) = &self.view {
            if rules.fetch_all
                && ok
                && !self.size_changed
                && self.fetched_seqs.len() == v.slots.len()
                && let Some(n) = v.recent
            {
                let seen = self.recent_seqs.len() as u32;
                if seen > n || seen + v.expunged_since_recent < n {
                    bad.push((
                        "\\Recent count disagrees with RECENT",
                        format!(
                            "{seen} messages \\Recent in a FETCH of all {} messages; the last \
                             RECENT said {n}, with {} expunges since",
                            v.slots.len(),
                            v.expunged_since_recent
                        ),
                    ));
                }
            }
            if rules.search == Some(true) {
                for &u in &self.search_uids {
                    if v.locate(u).is_none() {
                        bad.push((
                            "SEARCH names a message outside the view",
                            format!("UID SEARCH answered UID {u}, not in the session's view"),
                        ));
                    }
                }
            }
        }
        for (kind, detail) in bad {
            self.violation(kind, detail);
        }
    }

    fn untagged(&mut self, r: Resp, rules: Rules) {
        match r {
            Resp::Continue => self.violation("unexpected continuation", String::new()),
            Resp::Tagged { tag, .. } => {
                self.violation("tagged response for another tag", format!("tag {tag}"))
            }
            Resp::Status { cond, code } => match cond.as_str() {
                "OK" => {
                    if let Some(c) = code {
                        self.status_code(c);
                    }
                }
                "BYE" if rules.logout => {}
                _ => self.violation("untagged NO, BAD or BYE", format!("untagged {cond}")),
            },
            Resp::Exists(n) => self.exists(n),
            Resp::Recent(n) => {
                let Some(v) = self.view.as_mut() else {
                    return self.violation("RECENT with no mailbox selected", String::new());
                };
                v.recent = Some(n);
                v.expunged_since_recent = 0;
                self.size_changed = true;
                let len = v.slots.len();
                if n as usize > len {
                    self.violation(
                        "RECENT above EXISTS",
                        format!("RECENT {n} with {len} messages"),
                    );
                }
            }
            Resp::Expunge(n) => self.expunge(n, rules),
            Resp::Vanished { earlier, uids } => self.vanished(earlier, &uids, rules),
            Resp::Fetch { seq, items } => self.fetch(seq, &items, rules),
            Resp::Flags(flags) => {
                if let Some(v) = self.view.as_mut() {
                    v.keywords = flags
                        .iter()
                        .filter(|f| !f.starts_with('\\'))
                        .map(|f| f.to_ascii_lowercase())
                        .collect();
                }
            }
            Resp::Search(ids) => match rules.search {
                // A UID not in the view now must be announced by EXISTS before the tagged OK.
                Some(true) => {
                    let unknown: Vec<u32> = match &self.view {
                        Some(v) => ids.into_iter().filter(|&u| v.locate(u).is_none()).collect(),
                        None => ids,
                    };
                    self.search_uids.extend(unknown);
                }
                Some(false) => {
                    let len = self.view.as_ref().map_or(0, |v| v.slots.len());
                    if let Some(n) = ids.iter().find(|&&n| n == 0 || n as usize > len) {
                        self.violation(
                            "SEARCH names a message outside the view",
                            format!("SEARCH answered message {n}; EXISTS is {len}"),
                        );
                    }
                }
                None => self.violation("SEARCH response nobody asked for", String::new()),
            },
            Resp::Other => {}
        }
    }

    fn status_code(&mut self, c: Code) {
        match c.name.as_str() {
            "HIGHESTMODSEQ" => match c.args.trim().parse() {
                Ok(h) => self.highest(h),
                Err(_) => self.violation("unreadable HIGHESTMODSEQ", c.args),
            },
            "PERMANENTFLAGS" => {
                if let Some(v) = self.view.as_mut() {
                    v.new_keywords_ok = c.args.contains("\\*");
                }
            }
            "UIDVALIDITY" => {
                if let (Some(v), Ok(n)) = (self.view.as_mut(), c.args.trim().parse()) {
                    v.uid_validity = n;
                    self.report.validity.insert((v.mailbox.clone(), n));
                }
            }
            _ => {}
        }
    }

    fn highest(&mut self, h: u64) {
        self.saw_highest = true;
        let Some(v) = self.view.as_mut() else {
            return;
        };
        let (before, seen) = (v.highest, v.max_modseq);
        v.highest = v.highest.max(h);
        v.owed = None;
        if h < before {
            self.violation(
                "HIGHESTMODSEQ went down",
                format!("HIGHESTMODSEQ {h} after {before} in the same selection"),
            );
        }
        let pending = self.view.as_ref().is_some_and(|v| v.below_seen.is_some());
        if h < seen && !pending {
            let from = self.lines.len().saturating_sub(30);
            let v = Violation {
                session: self.name.clone(),
                command: self.command.clone(),
                kind: "HIGHESTMODSEQ below a MODSEQ already sent, no expunge held back",
                detail: format!(
                    "HIGHESTMODSEQ {h} after a FETCH with MODSEQ {seen}, and no EXPUNGE or \
                     VANISHED followed before the selection ended (RFC 7162 §3.2, §6)"
                ),
                lines: self.lines[from..].to_vec(),
            };
            self.note(&format!("?? {} (pending)", v.detail));
            if let Some(view) = self.view.as_mut() {
                view.below_seen = Some(v);
            }
        }
    }

    fn exists(&mut self, n: u32) {
        let condstore = self.condstore;
        let Some(v) = self.view.as_mut() else {
            return self.violation("EXISTS with no mailbox selected", format!("{n} EXISTS"));
        };
        self.size_changed = true;
        let len = v.slots.len() as u32;
        if n < len {
            v.slots.truncate(n as usize);
            self.violation(
                "EXISTS shrank",
                format!(
                    "* {n} EXISTS while the session knows {len} messages: only EXPUNGE or \
                     VANISHED may lower the count (RFC 9051 §5.2)"
                ),
            );
        } else if n > len {
            let floor = v.max_uid;
            v.slots.resize(n as usize, Slot { uid: None, floor });
            v.recent = None;
            if condstore {
                v.owed = Some(format!("* {n} EXISTS"));
            }
        }
    }

    fn expunge(&mut self, n: u32, rules: Rules) {
        let mut bad = Vec::new();
        if rules.by_seq {
            bad.push((
                "EXPUNGE or VANISHED during FETCH, STORE or SEARCH by number",
                format!("* {n} EXPUNGE (RFC 9051 §7.4.1)"),
            ));
        }
        if self.qresync {
            bad.push((
                "EXPUNGE after ENABLE QRESYNC",
                format!("* {n} EXPUNGE instead of VANISHED (RFC 7162 §3.2.10)"),
            ));
        }
        match self.view.as_mut() {
            None => bad.push(("EXPUNGE with no mailbox selected", String::new())),
            Some(v) if n == 0 || n as usize > v.slots.len() => bad.push((
                "EXPUNGE past EXISTS",
                format!("* {n} EXPUNGE with {} messages", v.slots.len()),
            )),
            Some(v) => {
                let slot = v.slots.remove(n as usize - 1);
                if let Some(u) = slot.uid {
                    self.report.expunged.insert((v.mailbox.clone(), u));
                }
                v.expunged_since_recent += 1;
                v.below_seen = None;
                self.size_changed = true;
            }
        }
        for (kind, detail) in bad {
            self.violation(kind, detail);
        }
    }

    fn vanished(&mut self, earlier: bool, uids: &[u32], rules: Rules) {
        let mut bad = Vec::new();
        if earlier {
            bad.push(("VANISHED (EARLIER) nobody asked for", String::new()));
        }
        if !self.qresync {
            bad.push(("VANISHED without QRESYNC", String::new()));
        }
        if rules.by_seq {
            bad.push((
                "EXPUNGE or VANISHED during FETCH, STORE or SEARCH by number",
                "VANISHED (RFC 7162 §3.2.10)".to_string(),
            ));
        }
        if let Some(v) = self.view.as_mut() {
            for &u in uids {
                match v.locate(u) {
                    Some(i) => {
                        v.slots.remove(i);
                        v.max_uid = v.max_uid.max(u);
                        v.expunged_since_recent += 1;
                        self.report.expunged.insert((v.mailbox.clone(), u));
                    }
                    None => bad.push((
                        "VANISHED names a UID outside the view",
                        format!("UID {u} (RFC 7162 §3.2.10: only messages the client was told of)"),
                    )),
                }
            }
            v.below_seen = None;
            self.size_changed = true;
        }
        for (kind, detail) in bad {
            self.violation(kind, detail);
        }
    }

    fn fetch(&mut self, seq: u32, items: &[Tok], rules: Rules) {
        self.report.fetches += 1;
        let f = fetched(items);
        let condstore = self.condstore;
        let session = self.name.clone();
        let Some(v) = self.view.as_mut() else {
            return self.violation("FETCH with no mailbox selected", String::new());
        };
        let len = v.slots.len();
        if seq == 0 || seq as usize > len {
            return self.violation(
                "FETCH past EXISTS",
                format!("* {seq} FETCH while EXISTS is {len}"),
            );
        }
        let mut bad: Vec<(&'static str, String)> = Vec::new();
        if condstore && f.modseq.is_none() {
            bad.push((
                "FETCH without MODSEQ under CONDSTORE",
                format!("message {seq} (RFC 7162 §3.1: MODSEQ in all later FETCH responses)"),
            ));
        }
        if condstore && f.uid.is_none() {
            bad.push((
                "FETCH without UID under CONDSTORE",
                format!(
                    "message {seq} (RFC 7162 §3.2.4: a QRESYNC server includes UID and MODSEQ \
                     in every FETCH caused by STORE or another session once CONDSTORE is on)"
                ),
            ));
        }
        self.fetched_seqs.insert(seq);
        let i = seq as usize - 1;
        match (v.slots[i].uid, f.uid) {
            (Some(a), Some(b)) if a != b => bad.push((
                "UID disagrees with the view",
                format!("message {seq} has UID {b}; the session learnt UID {a} for it"),
            )),
            (None, Some(b)) => {
                let prev = v.slots[..i].iter().rev().find_map(|s| s.uid);
                let next = v.slots[i + 1..].iter().find_map(|s| s.uid);
                if prev.is_some_and(|p| p >= b) || next.is_some_and(|n| n <= b) {
                    bad.push((
                        "UIDs not ascending",
                        format!(
                            "message {seq} has UID {b}, between UIDs {prev:?} and {next:?} of \
                             its neighbours"
                        ),
                    ));
                } else if b <= v.slots[i].floor {
                    bad.push((
                        "new message with an old UID",
                        format!(
                            "message {seq}, announced when UID {} was known, has UID {b}",
                            v.slots[i].floor
                        ),
                    ));
                }
                v.slots[i].uid = Some(b);
                v.max_uid = v.max_uid.max(b);
            }
            _ => {}
        }
        let uid = v.slots[i].uid;
        if let Some(flags) = &f.flags {
            let recent = flags.iter().any(|f| f.eq_ignore_ascii_case("\\Recent"));
            if recent {
                self.recent_seqs.insert(seq);
            }
            for k in flags.iter().filter(|f| !f.starts_with('\\')) {
                if !v.keywords.contains(&k.to_ascii_lowercase()) {
                    bad.push((
                        "keyword in FETCH before FLAGS listed it",
                        format!(
                            "{k} on message {seq}; the last FLAGS listed {:?}",
                            v.keywords
                        ),
                    ));
                }
            }
            if let Some(u) = uid {
                if let Some(before) = v.recent_of.insert(u, recent)
                    && before != recent
                {
                    bad.push((
                        "\\Recent changed within a selection",
                        format!("UID {u} was {before}, now {recent}"),
                    ));
                }
                if recent {
                    self.report.recent.insert((v.mailbox.clone(), u));
                }
            }
        }
        if let Some(m) = f.modseq {
            v.max_modseq = v.max_modseq.max(m);
            if let Some(u) = uid {
                let before = v.modseq_of.get(&u).copied().unwrap_or(0);
                if before > m {
                    bad.push((
                        "MODSEQ of a message went down",
                        format!("UID {u}: MODSEQ {m} after {before} in this session"),
                    ));
                }
                v.modseq_of.insert(u, before.max(m));
            }
        }
        if let (Some(u), Some(flags), Some(m)) = (uid, &f.flags, f.modseq) {
            self.report.observed.push(Observation {
                mailbox: v.mailbox.clone(),
                uid: u,
                modseq: m,
                flags: normal(flags),
                session,
            });
            if rules.collect {
                self.report.final_state.push(FinalMessage {
                    mailbox: v.mailbox.clone(),
                    uid: u,
                    modseq: m,
                    flags: normal(flags),
                    message_id: f.message_id.clone(),
                });
            }
        }
        for (kind, detail) in bad {
            self.violation(kind, detail);
        }
    }

    // -----------------------------------------------------------------------------------------
    // Commands.

    fn login(&mut self) -> Result<(), String> {
        let o = self.run(
            &format!("LOGIN {USER} \"{PASSWORD}\""),
            None,
            Rules::default(),
        )?;
        match o.cond.as_str() {
            "OK" => Ok(()),
            _ => Err("LOGIN refused".into()),
        }
    }

    /// LOGIN, ENABLE for the flavour (1: CONDSTORE, 2: QRESYNC, else nothing), SELECT.
    fn open(&mut self, flavour: usize, mailbox: &str) -> Result<(), String> {
        self.login()?;
        match flavour {
            1 => self.enable("CONDSTORE")?,
            2 => self.enable("QRESYNC")?,
            _ => {}
        }
        self.select(mailbox)
    }

    fn enable(&mut self, what: &str) -> Result<(), String> {
        self.condstore = true;
        self.qresync = what == "QRESYNC";
        self.run(&format!("ENABLE {what}"), None, Rules::default())
            .map(|_| ())
    }

    fn select(&mut self, mailbox: &str) -> Result<(), String> {
        self.view = Some(View::new(mailbox));
        let rules = Rules {
            select: true,
            ..Rules::default()
        };
        let o = self.run(&format!("SELECT {}", quote(mailbox)), None, rules)?;
        if o.cond != "OK" {
            self.view = None;
        }
        Ok(())
    }

    fn logout(&mut self) -> Result<(), String> {
        let rules = Rules {
            logout: true,
            ..Rules::default()
        };
        self.run("LOGOUT", None, rules).map(|_| ())
    }

    fn len(&self) -> usize {
        self.view.as_ref().map_or(0, |v| v.slots.len())
    }

    /// `UID FLAGS`, with MODSEQ once CONDSTORE is on (or turned on by this very command), and
    /// the rules that go with it.
    fn fetch_items(&mut self, step: usize) -> (&'static str, Rules) {
        let mut rules = Rules {
            expunge_issued: true,
            ..Rules::default()
        };
        if !self.condstore && self.late_condstore && step >= STEPS / 2 {
            self.condstore = true;
            rules.enables = true;
        }
        match self.condstore {
            true => ("(UID FLAGS MODSEQ)", rules),
            false => ("(UID FLAGS)", rules),
        }
    }

    /// `FETCH 1:*` of UID and flags: the session learns every UID and `\Recent`.
    fn fetch_all(&mut self, step: usize) -> Result<(), String> {
        if self.len() == 0 {
            return self.noop();
        }
        let (items, mut rules) = self.fetch_items(step);
        rules.by_seq = true;
        rules.fetch_all = true;
        self.run(&format!("FETCH 1:* {items}"), None, rules)
            .map(|_| ())
    }

    fn noop(&mut self) -> Result<(), String> {
        self.run("NOOP", None, Rules::default()).map(|_| ())
    }

    /// Before leaving a mailbox: learn every UID and `\Recent`, let held-back expunges arrive,
    /// and settle what had to follow.
    fn settle(&mut self) -> Result<(), String> {
        self.fetch_all(0)?;
        self.noop()?;
        if let Some(v) = self.view.as_mut()
            && let Some(pending) = v.below_seen.take()
        {
            self.note(&format!("!! {}: {}", pending.kind, pending.detail));
            self.report.violations.push(pending);
        }
        Ok(())
    }

    /// The newest keyword index in use at `step` (the set grows through the run).
    fn newest_keyword(step: usize) -> usize {
        (1 + step * KEYWORDS / STEPS).min(KEYWORDS)
    }

    /// A keyword to store: often the newest, else any in use; only the ones the session knows
    /// once PERMANENTFLAGS lost `\*`.
    fn pick_keyword(&mut self, step: usize) -> String {
        if let Some(v) = &self.view
            && !v.new_keywords_ok
        {
            let known: Vec<String> = v.keywords.iter().cloned().collect();
            return match known.is_empty() {
                true => "\\Flagged".into(),
                false => known[self.rng.below(known.len())].clone(),
            };
        }
        let newest = Self::newest_keyword(step);
        let k = match self.rng.below(3) {
            0 => newest,
            _ => 1 + self.rng.below(newest),
        };
        format!("$K{k}")
    }

    /// One command of the mix.
    fn step(&mut self, step: usize) -> Result<(), String> {
        match self.rng.below(100) {
            0..=13 => self.append(true, step),
            14..=19 => self.append(false, step),
            20..=35 => self.store_keywords(true, step),
            36..=41 => self.store_keywords(false, step),
            42..=47 => self.delete_and_expunge(step),
            48..=57 => self.fetch_all(step),
            58..=65 => self.uid_fetch(step),
            66..=71 => self.fetch_some(step),
            72..=77 => self.noop(),
            78..=85 => {
                let ms = 30 + self.rng.below(220) as u64;
                self.idle(ms)
            }
            86..=90 => self.search(step),
            91..=94 if self.view.as_ref().is_some_and(|v| v.mailbox == FLOODED) => {
                self.flood_keywords()
            }
            95.. if self.switcher => {
                self.settle()?;
                let here = self.view.as_ref().map(|v| v.mailbox.clone());
                let others: Vec<&str> = MAILBOXES
                    .into_iter()
                    .filter(|m| Some(*m) != here.as_deref())
                    .collect();
                let to = others[self.rng.below(others.len())];
                self.select(to)
            }
            _ => self.noop(),
        }
    }

    /// APPEND to the selected mailbox (`own`) or another, now and then with `\Seen` or a keyword.
    fn append(&mut self, own: bool, step: usize) -> Result<(), String> {
        let here = self.view.as_ref().map(|v| v.mailbox.clone());
        let to = match (&here, own) {
            (Some(m), true) => m.clone(),
            _ => MAILBOXES[self.rng.below(MAILBOXES.len())].to_string(),
        };
        self.appends += 1;
        let id = format!(
            "{}.{}.{:x}@concurrency.test",
            self.name, self.appends, self.rng.0
        );
        let mut rules = Rules::default();
        let flags = match self.rng.below(4) {
            0 => "(\\Seen) ".to_string(),
            1 => {
                rules.append_keywords = true;
                rules.new_keyword = here.as_deref() == Some(to.as_str());
                let k = 1 + self.rng.below(Self::newest_keyword(step));
                format!("($K{k}) ")
            }
            _ => String::new(),
        };
        let message = format!(
            "Message-ID: <{id}>\r\nFrom: {USER}\r\nTo: {USER}\r\nSubject: {} number {}\r\n\r\n\
             Appended by {} at step {step}.\r\n",
            self.name, self.appends, self.name
        );
        let command = format!("APPEND {} {flags}", quote(&to));
        let o = self.run(command.trim_end(), Some(message.as_bytes()), rules)?;
        if o.cond != "OK" {
            return Ok(());
        }
        let uid = match &o.code {
            Some(c) if c.name == "APPENDUID" => {
                let mut words = c.args.split_whitespace();
                let validity = words.next().and_then(|w| w.parse().ok());
                let uid = words.next().and_then(|w| w.parse::<u32>().ok());
                if let Some(v) = validity {
                    self.report.validity.insert((to.clone(), v));
                }
                uid
            }
            _ => None,
        };
        let Some(uid) = uid else {
            self.violation(
                "APPEND without APPENDUID",
                "UIDPLUS is advertised (RFC 4315 §3)".into(),
            );
            return Ok(());
        };
        self.report.appended.push((to.clone(), uid, id));
        let unseen = self
            .view
            .as_ref()
            .is_some_and(|v| v.mailbox == to && v.locate(uid).is_none());
        if unseen {
            self.violation(
                "APPEND to the selected mailbox not in the view",
                format!(
                    "APPENDUID {uid}, but no EXISTS announced it before the tagged OK (RFC 9051 \
                     §6.3.12, §5.2)"
                ),
            );
        }
        Ok(())
    }

    /// STORE ±FLAGS of keywords, by number or by UID.
    fn store_keywords(&mut self, add: bool, step: usize) -> Result<(), String> {
        let len = self.len();
        if len == 0 {
            return self.append(true, step);
        }
        let mut words = vec![self.pick_keyword(step)];
        if self.rng.below(3) == 0 {
            words.push(self.pick_keyword(step));
        }
        words.dedup();
        let new = self.view.as_ref().is_some_and(|v| {
            words
                .iter()
                .any(|w| !w.starts_with('\\') && !v.keywords.contains(&w.to_ascii_lowercase()))
        });
        let mut rules = Rules {
            new_keyword: add && new,
            expunge_issued: true,
            ..Rules::default()
        };
        let sign = if add { '+' } else { '-' };
        let flags = words.join(" ");
        let known = self.view.as_ref().map(View::known_uids).unwrap_or_default();
        let command = if known.is_empty() || self.rng.below(2) == 0 {
            rules.by_seq = true;
            let a = 1 + self.rng.below(len);
            let b = (a + self.rng.below(3)).min(len);
            format!("STORE {a}:{b} {sign}FLAGS ({flags})")
        } else {
            let mut uids: Vec<String> = (0..1 + self.rng.below(3))
                .map(|_| known[self.rng.below(known.len())].to_string())
                .collect();
            uids.dedup();
            format!("UID STORE {} {sign}FLAGS ({flags})", uids.join(","))
        };
        self.run(&command, None, rules).map(|_| ())
    }

    /// STORE of [`FLOOD`] keywords nobody used before on one message of [`FLOODED`], so that
    /// the mailbox reaches the server's keyword limit during the run; once PERMANENTFLAGS lost
    /// `\*` the session stops creating keywords (RFC 9051 §7.1).
    fn flood_keywords(&mut self) -> Result<(), String> {
        let len = self.len();
        if len == 0 || self.view.as_ref().is_some_and(|v| !v.new_keywords_ok) {
            return self.noop();
        }
        self.floods += 1;
        let words: Vec<String> = (0..FLOOD)
            .map(|i| format!("$F{}x{}x{i}", self.name, self.floods))
            .collect();
        let rules = Rules {
            by_seq: true,
            new_keyword: true,
            expunge_issued: true,
            ..Rules::default()
        };
        let n = 1 + self.rng.below(len);
        let command = format!("STORE {n} +FLAGS ({})", words.join(" "));
        self.run(&command, None, rules).map(|_| ())
    }

    /// UID STORE +FLAGS (\Deleted) on one or two known messages, then EXPUNGE or UID EXPUNGE.
    fn delete_and_expunge(&mut self, step: usize) -> Result<(), String> {
        let known = self.view.as_ref().map(View::known_uids).unwrap_or_default();
        if known.is_empty() {
            return self.fetch_all(step);
        }
        let mut uids: Vec<u32> = (0..1 + self.rng.below(2))
            .map(|_| known[self.rng.below(known.len())])
            .collect();
        uids.sort();
        uids.dedup();
        let set = uids
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(",");
        let rules = Rules {
            expunge_issued: true,
            ..Rules::default()
        };
        let o = self.run(&format!("UID STORE {set} +FLAGS (\\Deleted)"), None, rules)?;
        if o.cond == "OK"
            && let Some(v) = &self.view
        {
            for &u in &uids {
                self.report.deleted.insert((v.mailbox.clone(), u));
            }
        }
        let command = match self.rng.below(5) {
            0 | 1 => format!("UID EXPUNGE {set}"),
            _ => "EXPUNGE".to_string(),
        };
        self.run(&command, None, Rules::default()).map(|_| ())
    }

    /// UID FETCH of everything or of the newest messages.
    fn uid_fetch(&mut self, step: usize) -> Result<(), String> {
        let (items, rules) = self.fetch_items(step);
        let items = items.replace("UID ", "");
        let known = self.view.as_ref().map(View::known_uids).unwrap_or_default();
        let from = match known.is_empty() || self.rng.below(2) == 0 {
            true => 1,
            false => known[self.rng.below(known.len())],
        };
        self.run(&format!("UID FETCH {from}:* {items}"), None, rules)
            .map(|_| ())
    }

    /// FETCH of a few messages by number.
    fn fetch_some(&mut self, step: usize) -> Result<(), String> {
        let len = self.len();
        if len == 0 {
            return self.noop();
        }
        let (items, mut rules) = self.fetch_items(step);
        rules.by_seq = true;
        let a = 1 + self.rng.below(len);
        let b = (a + self.rng.below(5)).min(len);
        self.run(&format!("FETCH {a}:{b} {items}"), None, rules)
            .map(|_| ())
    }

    /// SEARCH or UID SEARCH for a keyword in use.
    fn search(&mut self, step: usize) -> Result<(), String> {
        let k = 1 + self.rng.below(Self::newest_keyword(step));
        let (command, uid) = match self.rng.below(3) {
            0 => (format!("SEARCH KEYWORD $K{k}"), false),
            1 => (format!("UID SEARCH KEYWORD $K{k}"), true),
            _ => (format!("UID SEARCH UNKEYWORD $K{k}"), true),
        };
        let rules = Rules {
            by_seq: !uid,
            search: Some(uid),
            ..Rules::default()
        };
        self.run(&command, None, rules).map(|_| ())
    }

    /// The final session: every mailbox, every message with its flags, MODSEQ and Message-ID.
    fn final_look(&mut self) -> Result<(), String> {
        self.login()?;
        self.enable("CONDSTORE")?;
        for mailbox in MAILBOXES {
            self.select(mailbox)?;
            let len = self.len();
            if len == 0 {
                continue;
            }
            let rules = Rules {
                by_seq: true,
                fetch_all: true,
                collect: true,
                ..Rules::default()
            };
            let items = "(UID FLAGS MODSEQ BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])";
            self.run(&format!("FETCH 1:* {items}"), None, rules)?;
            let got = self
                .report
                .final_state
                .iter()
                .filter(|m| m.mailbox == mailbox)
                .count();
            if got != len {
                self.violation(
                    "final FETCH 1:* does not cover EXISTS",
                    format!("{got} messages fetched, EXISTS {len}"),
                );
            }
        }
        self.logout()
    }
}

// ---------------------------------------------------------------------------------------------
// Across sessions.

/// The rules no single session can check: `\Recent` in one session only, one MODSEQ one set of
/// flags, and the final state against what every session did.
fn across(all: &[Report], validity: &BTreeMap<String, u32>) -> Vec<Violation> {
    let mut out = Vec::new();
    let mut push = |kind: &'static str, detail: String, lines: Vec<String>| {
        out.push(Violation {
            session: "(across sessions)".into(),
            command: "-".into(),
            kind,
            detail,
            lines,
        });
    };
    let names: Vec<String> = (0..all.len())
        .map(|i| match i < SESSIONS {
            true => format!("s{i:02}"),
            false => "final".into(),
        })
        .collect();

    // \Recent in at most one session.
    let mut recent: BTreeMap<&(String, u32), Vec<&str>> = BTreeMap::new();
    for (r, name) in all.iter().zip(&names) {
        for key in &r.recent {
            recent.entry(key).or_default().push(name);
        }
    }
    for ((mailbox, uid), who) in recent {
        if who.len() > 1 {
            push(
                "\\Recent in more than one session",
                format!("{mailbox} UID {uid} was \\Recent in sessions {who:?} (RFC 3501 §2.3.2)"),
                Vec::new(),
            );
        }
    }

    // UIDVALIDITY: one per mailbox, the one setup saw.
    for r in all {
        for (mailbox, v) in &r.validity {
            if validity.get(mailbox) != Some(v) {
                push(
                    "UIDVALIDITY changed",
                    format!("{mailbox}: {v}, setup saw {:?}", validity.get(mailbox)),
                    Vec::new(),
                );
            }
        }
    }

    // One MODSEQ of a message, one set of flags.
    let mut states: BTreeMap<(&str, u32, u64), Vec<&Observation>> = BTreeMap::new();
    let mut max_seen: BTreeMap<(&str, u32), u64> = BTreeMap::new();
    for o in all.iter().flat_map(|r| &r.observed) {
        states
            .entry((o.mailbox.as_str(), o.uid, o.modseq))
            .or_default()
            .push(o);
        let m = max_seen.entry((o.mailbox.as_str(), o.uid)).or_default();
        *m = (*m).max(o.modseq);
    }
    for ((mailbox, uid, modseq), seen) in &states {
        let distinct: BTreeSet<&Vec<String>> = seen.iter().map(|o| &o.flags).collect();
        if distinct.len() > 1 {
            let lines = seen
                .iter()
                .map(|o| format!("{}: {:?}", o.session, o.flags))
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
            push(
                "one MODSEQ, different flags",
                format!("{mailbox} UID {uid} MODSEQ {modseq} was shown with different flags"),
                lines,
            );
        }
    }

    // The final state against what the sessions did.
    let mut appended: BTreeMap<(&str, u32), &str> = BTreeMap::new();
    for (mailbox, uid, id) in all.iter().flat_map(|r| &r.appended) {
        if let Some(other) = appended.insert((mailbox.as_str(), *uid), id.as_str()) {
            push(
                "one UID for two APPENDs",
                format!("{mailbox} UID {uid} answered to APPENDs of <{other}> and <{id}>"),
                Vec::new(),
            );
        }
    }
    let deleted: BTreeSet<(&str, u32)> = all
        .iter()
        .flat_map(|r| &r.deleted)
        .map(|(m, u)| (m.as_str(), *u))
        .collect();
    let expunged: BTreeSet<(&str, u32)> = all
        .iter()
        .flat_map(|r| &r.expunged)
        .map(|(m, u)| (m.as_str(), *u))
        .collect();
    let last = all.last().map(|r| r.final_state.as_slice()).unwrap_or(&[]);
    let present: BTreeMap<(&str, u32), &FinalMessage> = last
        .iter()
        .map(|m| ((m.mailbox.as_str(), m.uid), m))
        .collect();
    for (&(mailbox, uid), m) in &present {
        match appended.get(&(mailbox, uid)) {
            None => push(
                "a final message nobody appended",
                format!("{mailbox} UID {uid} ({:?})", m.message_id),
                Vec::new(),
            ),
            Some(id) if m.message_id.as_deref() != Some(*id) => push(
                "a final message with another Message-ID",
                format!(
                    "{mailbox} UID {uid} has {:?}; APPENDUID gave it to <{id}>",
                    m.message_id
                ),
                Vec::new(),
            ),
            Some(_) => {}
        }
        let marked = deleted.contains(&(mailbox, uid));
        let has = m.flags.iter().any(|f| f == "\\deleted");
        if marked != has {
            push(
                "\\Deleted not as the sessions left it",
                format!(
                    "{mailbox} UID {uid}: marked \\Deleted by a session: {marked}; final flags \
                     {:?}",
                    m.flags
                ),
                Vec::new(),
            );
        }
        if expunged.contains(&(mailbox, uid)) {
            push(
                "reported expunged, still there",
                format!("{mailbox} UID {uid}"),
                Vec::new(),
            );
        }
        if let Some(&seen) = max_seen.get(&(mailbox, uid))
            && seen > m.modseq
        {
            push(
                "final MODSEQ below one a session saw",
                format!(
                    "{mailbox} UID {uid}: final MODSEQ {}, seen {seen}",
                    m.modseq
                ),
                Vec::new(),
            );
        }
    }
    for &(mailbox, uid) in appended.keys() {
        if !present.contains_key(&(mailbox, uid)) && !deleted.contains(&(mailbox, uid)) {
            push(
                "an appended message vanished",
                format!("{mailbox} UID {uid} is gone though no session marked it \\Deleted"),
                Vec::new(),
            );
        }
    }
    for &(mailbox, uid) in &expunged {
        if !deleted.contains(&(mailbox, uid)) {
            push(
                "expunged without \\Deleted",
                format!("{mailbox} UID {uid} was reported expunged; no session marked it"),
                Vec::new(),
            );
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Helpers.

/// splitmix64: small, seeded, good enough to pick commands.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n` > 0).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

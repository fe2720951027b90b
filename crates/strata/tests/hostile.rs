//! End to end: a battery of hostile input against the real `strata serve` while well-behaved
//! sessions work (ARCHITECTURE.md invariant 6: bad input gets a clear tagged BAD or NO, or an
//! untagged BYE, never a crash, a hang or unbounded memory).
//!
//! ```text
//!  3 workers: alice ×2 sharing INBOX, bob ─ APPEND, FETCH, STORE, SEARCH ─┐
//!  8 attackers, one thread each ─ garbage, 1 GB literals, nesting, floods ─┼─▶ strata serve
//!  64 silent connections from 127.0.0.2 (the per-address limit) ───────────┤
//!  memory sampler: the server's VmRSS every 100 ms ────────────────────────┘
//! ```
//!
//! Afterwards: the server is still up and takes a new login, every acknowledged APPEND is
//! there with its exact bytes and flags, nothing the attackers sent is in any mailbox, and the
//! server's peak RSS stayed below the baseline plus [`MEMORY_HEADROOM`].

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{IpAddr, Ipv4Addr, Shutdown, SocketAddr, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use support::{add_user_with, connect_from, init_tracing, start_with};

const PASSWORD: &str = "hostile pass";
/// How far above its baseline the server's RSS may go during the battery. The largest thing a
/// single command may legitimately hold is one APPEND literal (APPENDLIMIT, 64 MiB); the battery
/// keeps at most one such partial literal (10 MB) in flight, so 256 MiB leaves room for
/// allocator slack and for the workers, while staying far below what buffering would cost:
/// the 1 GiB literals, the 50 MB of one of them actually sent, or the 320 MiB of unread FETCH
/// replies in the backpressure item would each blow through it.
const MEMORY_HEADROOM: u64 = 256 * 1024 * 1024;
/// Read timeout for every client socket: a server that stops answering fails the test.
const READ_TIMEOUT: Duration = Duration::from_secs(30);
/// Connections the server accepts from one address (`max_connections_per_ip` in the config).
const PER_IP: usize = 64;
/// How long the server keeps a connection that has not logged in and says nothing (`[imap]
/// login_timeout_secs`, set in the battery's config: longer than its default, so that the
/// silent connections outlive the attacks).
const LOGIN_TIMEOUT: Duration = Duration::from_secs(60);
/// Messages each worker appends at least, however quickly the attackers finish.
const MIN_ROUNDS: usize = 8;
/// The FETCH flood: this many pipelined fetches of a 1 MiB message, never read until the
/// server has stopped sending.
const FETCH_FLOOD: usize = 320;
const FLOOD_MESSAGE: usize = 1024 * 1024;
/// The NOOP flood: this many pipelined NOOPs with this tag (32 octets, so that the commands and
/// replies outgrow the kernel's socket buffers and the writer meets backpressure).
const NOOPS: usize = 200_000;
const FLOOD_TAG: &str = "flood-0123456789abcdef-012345678";

/// Hostile input does not hurt anyone else.
///
/// Three workers (two of them logged in as alice, sharing her INBOX; one as bob) append, fetch
/// back, flag and search messages in a loop, while attackers send garbage, announce 1 GB
/// literals, nest parentheses 100,000 deep, abandon literals halfway, send commands in the
/// wrong state, reuse tags, and flood the server with NOOPs and unread FETCHes; 64 idle
/// connections sit at the per-address limit. The workers must never see an error, and
/// everything they were told was stored must be there, exactly, afterwards.
#[test]
fn hostile_input_while_others_work() {
    init_tracing();
    let started = Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("strata.toml");
    std::fs::write(
        &config,
        format!(
            "[imap]\nmax_connections_per_ip = {PER_IP}\nlogin_timeout_secs = {}\n\
             [auth]\nargon2_m_cost = 64\nargon2_t_cost = 1\nargon2_p_cost = 1\n",
            LOGIN_TIMEOUT.as_secs()
        ),
    )
    .unwrap();
    let config = config.to_str().unwrap().to_string();
    let data = dir.path().join("data");
    for user in [
        "alice@example.org",
        "bob@example.org",
        "mallory@example.org",
        "eve@example.org",
    ] {
        add_user_with(&data, user, PASSWORD, &["--config", &config]);
    }
    let log_path = dir.path().join("server.log");
    let (mut server, port, _) = start_with(
        &data,
        std::fs::File::create(&log_path).unwrap(),
        &["--config", &config],
    );
    let pid = server.0.id();
    let mut failures: Vec<String> = Vec::new();

    let silent = {
        tracing::info!("{PER_IP} silent connections from 127.0.0.2; one more is refused");
        silent_connections(port, &mut failures)
    };

    let flood_message = {
        tracing::info!("mallory stores the 1 MiB message the FETCH flood asks for");
        let body = message_bytes(&mut Rng::new(7), "flood", FLOOD_MESSAGE);
        let mut c = Client::connect(port).unwrap();
        c.login("mallory@example.org");
        let reply = c.append("INBOX", "", &body, true).unwrap();
        let (_, uid) = appenduid(&reply).expect("APPENDUID for mallory's message");
        Acked {
            uid,
            body,
            flagged: false,
        }
    };

    let stop = Arc::new(AtomicBool::new(false));
    let rounds = Arc::new(AtomicUsize::new(0));
    let workers: Vec<_> = [
        (0, "alice@example.org"),
        (1, "alice@example.org"),
        (2, "bob@example.org"),
    ]
    .into_iter()
    .map(|(id, user)| {
        let (stop, rounds) = (stop.clone(), rounds.clone());
        thread::Builder::new()
            .name(format!("worker{id}"))
            .spawn(move || worker(id, user, port, &stop, &rounds))
            .unwrap()
    })
    .collect();

    let baseline = {
        tracing::info!("workers warm up; baseline memory");
        wait_for("the workers' first rounds", Duration::from_secs(60), || {
            rounds.load(Ordering::Relaxed) >= 6
        });
        vm_kb(pid, "VmRSS").expect("server VmRSS") * 1024
    };
    let sampler = Sampler::start(pid);
    tracing::info!(baseline_mib = baseline / (1 << 20), "battery starts");

    let ctx = Arc::new(Ctx {
        port,
        pid,
        baseline,
        flood: flood_message,
    });
    let attacks: Vec<(&str, Attack)> = vec![
        ("random bytes", random_bytes),
        ("1 GB literals", giant_literals),
        ("deep nesting", deep_nesting),
        ("unterminated literals", unterminated_literals),
        ("wrong state", wrong_state),
        ("reused tags", reused_tags),
        ("NOOP flood", noop_flood),
        ("unread FETCH flood", fetch_flood),
    ];
    let attackers: Vec<_> = attacks
        .into_iter()
        .map(|(name, attack)| {
            let ctx = ctx.clone();
            let handle = thread::Builder::new()
                .name(name.into())
                .spawn(move || {
                    let mut e = Expect::new(name);
                    attack(&ctx, &mut e);
                    e
                })
                .unwrap();
            (name, handle)
        })
        .collect();
    for (name, handle) in attackers {
        match handle.join() {
            Ok(e) => {
                for note in &e.notes {
                    tracing::info!(attack = name, "{note}");
                }
                failures.extend(e.failures);
            }
            Err(panic) => failures.push(format!("{name}: panicked: {}", panic_text(&panic))),
        }
    }

    let reports: Vec<WorkerReport> = {
        tracing::info!("battery over; workers stop");
        stop.store(true, Ordering::Relaxed);
        workers
            .into_iter()
            .map(|w| w.join().expect("worker thread"))
            .collect()
    };
    for r in &reports {
        tracing::info!(
            worker = r.id,
            user = r.user,
            appended = r.acked.len(),
            "worker done"
        );
        for e in &r.errors {
            failures.push(format!("worker {} ({}): {e}", r.id, r.user));
        }
    }

    {
        tracing::info!("the server is up, the silent connections still answer, a new login works");
        assert!(
            server.0.try_wait().unwrap().is_none(),
            "strata serve exited during the battery; log:\n{}",
            tail(&log_path)
        );
        check_silent(port, silent, &mut failures);
        let mut c = Client::connect(port).expect("a new connection after the battery");
        c.login("eve@example.org");
        c.ok("LOGOUT");
    }

    {
        tracing::info!("every acknowledged message is there, exactly; nothing else is");
        for user in ["alice@example.org", "bob@example.org"] {
            let acked: Vec<&Acked> = reports
                .iter()
                .filter(|r| r.user == user)
                .flat_map(|r| r.acked.iter())
                .collect();
            let validity = reports
                .iter()
                .find(|r| r.user == user)
                .unwrap()
                .uid_validity;
            verify_mailboxes(port, user, validity, &acked, &mut failures);
        }
        verify_mailboxes(
            port,
            "mallory@example.org",
            None,
            &[&ctx.flood],
            &mut failures,
        );
    }

    let (peak, samples) = sampler.stop();
    let hwm = vm_kb(pid, "VmHWM").unwrap_or(0) * 1024;
    {
        tracing::info!(
            baseline_mib = mib(baseline),
            peak_rss_mib = mib(peak),
            vm_hwm_mib = mib(hwm),
            samples,
            elapsed_s = started.elapsed().as_secs(),
            "memory"
        );
        eprintln!(
            "hostile: server RSS baseline {:.1} MiB, peak {:.1} MiB (+{:.1} MiB, bound +{} MiB), \
             VmHWM {:.1} MiB, {samples} samples; {:.1} s",
            mib(baseline),
            mib(peak),
            mib(peak.saturating_sub(baseline)),
            MEMORY_HEADROOM >> 20,
            mib(hwm),
            started.elapsed().as_secs_f64()
        );
        if peak > baseline + MEMORY_HEADROOM {
            failures.push(format!(
                "memory: peak RSS {:.1} MiB is more than {} MiB above the baseline {:.1} MiB",
                mib(peak),
                MEMORY_HEADROOM >> 20,
                mib(baseline)
            ));
        }
    }

    {
        tracing::info!("before login, an APPEND literal is skipped, not stored");
        unauthenticated_uploads(port, pid, &mut failures);
    }

    drop(server);
    let log = std::fs::read_to_string(&log_path).unwrap_or_default();
    if let Some(line) = log.lines().find(|l| l.contains("panicked")) {
        failures.push(format!("the server log shows a panic: {line}"));
    }
    assert!(
        failures.is_empty(),
        "{} failure(s):\n- {}",
        failures.len(),
        failures.join("\n- ")
    );
}

// ---------------------------------------------------------------------------------------------
// The attacks. Each runs on its own thread with its own connections and records what it saw in
// an `Expect`; a panic (an I/O error where none is allowed) counts as a failure too.
// ---------------------------------------------------------------------------------------------

/// What every attack gets.
struct Ctx {
    port: u16,
    pid: u32,
    /// The server's RSS before the battery, in bytes.
    baseline: u64,
    /// Mallory's 1 MiB message, for the FETCH flood.
    flood: Acked,
}

type Attack = fn(&Ctx, &mut Expect);

/// (1) Random bytes from a seeded xorshift, about 5 MB on three connections: raw bytes (with
/// the LFs chance puts in), bytes with no line end at all (every line is over the 64 KiB
/// limit), and IMAP-looking lines from eve's logged-in session. Expected: the server answers
/// with `BAD`/`NO` (or `+` for a literal it is ready to take) and a `NOOP` sent afterwards is
/// answered `OK`; or it closes the connection with an untagged BYE (invariant 6). Strata does
/// the former; a connection dropped without a BYE fails.
fn random_bytes(ctx: &Ctx, e: &mut Expect) {
    let mut rng = Rng::new(0x5eed_0001);
    let raw: Vec<Vec<u8>> = (0..128)
        .map(|_| {
            let mut chunk = vec![0; 16 * 1024];
            rng.fill(&mut chunk);
            chunk
        })
        .collect();
    let mut rng = Rng::new(0x5eed_0002);
    let no_eol: Vec<Vec<u8>> = (0..128)
        .map(|_| {
            let mut chunk = vec![0; 16 * 1024];
            rng.fill(&mut chunk);
            for b in &mut chunk {
                if *b == b'\n' {
                    *b = b'x';
                }
            }
            chunk
        })
        .collect();
    let mut rng = Rng::new(0x5eed_0003);
    let imapish: Vec<Vec<u8>> = (0..64)
        .map(|_| imapish_chunk(&mut rng, 16 * 1024))
        .collect();

    let runs = [
        ("raw bytes, before login", None, raw),
        ("bytes without a line end, before login", None, no_eol),
        (
            "IMAP-like lines, logged in",
            Some("eve@example.org"),
            imapish,
        ),
    ];
    let outcomes: Vec<_> = runs
        .into_iter()
        .map(|(label, user, chunks)| {
            let port = ctx.port;
            thread::spawn(move || (label, spew(port, user, chunks)))
        })
        .collect();
    for o in outcomes {
        let (label, outcome) = o.join().expect("spew thread");
        match outcome {
            Ok(s) => {
                e.note(format!(
                    "{label}: {} KiB sent, {} response lines ({} BAD, {} NO, {} '+')",
                    s.sent >> 10,
                    s.lines,
                    s.bad,
                    s.no,
                    s.plus
                ));
                match &s.bye {
                    // Invariant 6 allows closing a hostile connection, with a BYE.
                    Some(bye) => e.note(format!("{label}: closed with {bye:?}")),
                    None => e.check(s.answered, || {
                        format!(
                            "{label}: the NOOP after the garbage was not answered OK and no BYE \
                             came (write error: {:?}; last lines: {:?})",
                            s.write_error, s.last
                        )
                    }),
                }
            }
            Err(err) => e.fail(format!("{label}: {err}")),
        }
    }
}

/// (2) 1 GB literals. Expected (RFC 7889 §4: "the server SHALL reject the APPEND command with
/// a tagged TOOBIG response code"; RFC 9051 §2.2.1: a command the server will not take is
/// rejected instead of being answered with `+`):
/// - `APPEND INBOX {1073741824}` and `APPEND INBOX ~{1073741824}`: tagged NO or BAD with
///   `[TOOBIG]`, no `+`, and the session goes on (NOOP → OK);
/// - `CREATE {1073741824}` (a literal in another command): tagged NO or BAD, no `+`, session
///   goes on;
/// - `APPEND INBOX {1073741824+}` with 50 MB of it sent, then a disconnect: a tagged NO or BAD
///   with `[TOOBIG]` (RFC 7888 §4 choice 1), or `* BYE` (choice 2), and nothing buffered;
/// - before login, `LOGIN {1073741824+}` with 8 MB sent: a tagged NO or BAD, or `* BYE`.
fn giant_literals(ctx: &Ctx, e: &mut Expect) {
    let mut c = Client::connect(ctx.port).unwrap();
    c.login("alice@example.org");
    for (what, code) in [
        ("APPEND INBOX {1073741824}", Some("[TOOBIG]")),
        ("APPEND INBOX ~{1073741824}", Some("[TOOBIG]")),
        ("CREATE {1073741824}", None),
    ] {
        let tag = c.tag();
        c.send(format!("{tag} {what}\r\n").as_bytes()).unwrap();
        let first = c.first_answer(&tag).unwrap();
        if first.is_continuation() {
            e.fail(format!(
                "{what}: the server asked for the literal: {first:?}"
            ));
            return;
        }
        e.check(matches!(first.cond(), "NO" | "BAD"), || {
            format!("{what}: expected a tagged NO or BAD, got {:?}", first.text)
        });
        if let Some(code) = code {
            e.check(first.text.contains(code), || {
                format!("{what}: expected {code}, got {:?}", first.text)
            });
        }
        e.note(format!("{what} → {}", first.text));
        let noop = c.run("NOOP").unwrap();
        e.check(noop.cond() == "OK", || {
            format!("NOOP after {what}: {:?}", noop.tagged.text)
        });
    }

    for (what, user, send) in [
        (
            "APPEND INBOX {1073741824+}",
            Some("alice@example.org"),
            50 << 20,
        ),
        ("LOGIN {1073741824+}", None, 8 << 20),
    ] {
        let mut c = Client::connect(ctx.port).unwrap();
        if let Some(user) = user {
            c.login(user);
        }
        let tag = c.tag();
        c.send(format!("{tag} {what}\r\n").as_bytes()).unwrap();
        let chunk = vec![b'A'; 1 << 20];
        let mut sent = 0usize;
        while sent < send {
            if c.send(&chunk).is_err() {
                break; // the server closed the connection (RFC 7888 §4 choice 2)
            }
            sent += chunk.len();
        }
        let first = c.first_answer(&tag);
        let rss = vm_kb(ctx.pid, "VmRSS").unwrap_or(0) * 1024;
        match first {
            Ok(r) if r.is_bye() => e.note(format!("{what}: {} MiB sent → {}", sent >> 20, r.text)),
            Ok(r) => {
                e.check(matches!(r.cond(), "NO" | "BAD"), || {
                    format!("{what}: expected a tagged NO or BAD, got {:?}", r.text)
                });
                if user.is_some() {
                    e.check(r.text.contains("[TOOBIG]"), || {
                        format!("{what}: expected [TOOBIG] (RFC 7889 §4), got {:?}", r.text)
                    });
                }
                e.note(format!(
                    "{what}: {} MiB sent → {}; server RSS then {:.1} MiB",
                    sent >> 20,
                    r.text,
                    mib(rss)
                ));
            }
            Err(err) => e.fail(format!("{what}: no answer after {} MiB: {err}", sent >> 20)),
        }
        // Disconnect halfway through the literal.
    }
}

/// (3) Nesting 100,000 deep: parentheses in a SEARCH and in a FETCH, and 100,000 `NOT`s. Each
/// comes twice: as one line (over the 64 KiB line limit) and split into lines below the limit
/// by one-octet literals, so that the parser itself meets the depth. Expected: a tagged BAD
/// for each (RFC 9051 §7.1.3, with `[LIMIT]` where a limit was hit, RFC 5530), and the
/// connection stays open and usable: the following NOOP is answered OK.
fn deep_nesting(ctx: &Ctx, e: &mut Expect) {
    const DEPTH: usize = 100_000;
    let mut c = Client::connect(ctx.port).unwrap();
    c.login("alice@example.org");
    c.ok("SELECT INBOX");

    let open = "(".repeat(DEPTH);
    let close = ")".repeat(DEPTH);
    // The same nesting in lines of 20,000 parentheses, joined by `SUBJECT {1+}` literals.
    let per = 20_000;
    let mut split_parens = String::new();
    for _ in 0..DEPTH / per {
        split_parens.push_str(&"(".repeat(per));
        split_parens.push_str("SUBJECT {1+}\r\nx ");
    }
    split_parens.push_str("ALL");
    for i in 0..DEPTH / per {
        split_parens.push_str(&")".repeat(per));
        if i + 1 < DEPTH / per {
            split_parens.push_str(" SUBJECT {1+}\r\nx");
        }
    }
    // 100,000 NOTs in lines of 12,500, joined by `OR SUBJECT {1+}` (OR nests too).
    let per = 12_500;
    let mut split_nots = String::new();
    for _ in 0..DEPTH / per {
        split_nots.push_str(&"NOT ".repeat(per));
        split_nots.push_str("OR SUBJECT {1+}\r\nx ");
    }
    split_nots.push_str("ALL");

    let cases = [
        (
            "SEARCH, 100,000 parentheses, one line",
            format!("SEARCH {open}ALL{close}"),
        ),
        (
            "SEARCH, 100,000 parentheses, split by literals",
            format!("SEARCH {split_parens}"),
        ),
        (
            "FETCH, 100,000 parentheses",
            format!("FETCH 1:* {open}FLAGS{close}"),
        ),
        (
            "UID FETCH, 30,000 parentheses (within the line limit)",
            format!(
                "UID FETCH 1:* {}FLAGS{}",
                "(".repeat(30_000),
                ")".repeat(30_000)
            ),
        ),
        (
            "SEARCH, 100,000 NOTs, one line",
            format!("SEARCH {}ALL", "NOT ".repeat(DEPTH)),
        ),
        (
            "SEARCH, 100,000 NOTs, split by literals",
            format!("UID SEARCH {split_nots}"),
        ),
    ];
    for (what, command) in cases {
        let reply = c.run(&command).unwrap();
        e.check(reply.cond() == "BAD", || {
            format!("{what}: expected a tagged BAD, got {:?}", reply.tagged.text)
        });
        e.note(format!("{what} → {}", reply.tagged.text));
        let noop = c.run("NOOP").unwrap();
        e.check(noop.cond() == "OK", || {
            format!("NOOP after {what}: {:?}", noop.tagged.text)
        });
    }
}

/// (4) Literals that never end, all in alice's INBOX where the workers append: a non-sync
/// `{5000000+}` with 1 MB sent, then the socket dropped; a sync `{20000000}` that got its `+`
/// with 10 MB sent, then dropped; a MULTIAPPEND whose first message is complete and whose
/// second is cut; a literal whose sender half-closes. Expected: no tagged OK for any of them,
/// and (checked at the end) none of their octets in any mailbox: RFC 9051 §6.3.12 stores a
/// message only when its APPEND completes, RFC 3502 §6.3.11 all of a MULTIAPPEND or nothing.
fn unterminated_literals(ctx: &Ctx, e: &mut Expect) {
    let filler = |n: usize| -> Vec<u8> {
        let mut v = b"Subject: HOSTILE unterminated\r\n\r\n".to_vec();
        v.resize(n, b'u');
        v
    };
    {
        let mut c = Client::connect(ctx.port).unwrap();
        c.login("alice@example.org");
        c.send(b"u1 APPEND INBOX {5000000+}\r\n").unwrap();
        c.send(&filler(1_000_000)).unwrap();
        e.check(c.pending_is_empty(), || {
            "u1: an answer to a cut APPEND".into()
        });
    }
    {
        let mut c = Client::connect(ctx.port).unwrap();
        c.login("alice@example.org");
        c.send(b"u2 APPEND INBOX {20000000}\r\n").unwrap();
        let first = c.first_answer("u2").unwrap();
        e.check(first.is_continuation(), || {
            format!(
                "u2: a 20 MB APPEND within APPENDLIMIT gets '+', got {:?}",
                first.text
            )
        });
        c.send(&filler(10_000_000)).unwrap();
        e.check(c.pending_is_empty(), || {
            "u2: an answer to a cut APPEND".into()
        });
    }
    {
        let mut c = Client::connect(ctx.port).unwrap();
        c.login("alice@example.org");
        let first = filler(40);
        c.send(b"u3 APPEND INBOX {40+}\r\n").unwrap();
        c.send(&first).unwrap();
        c.send(b" {5000+}\r\n").unwrap();
        c.send(&filler(1000)).unwrap();
        e.check(c.pending_is_empty(), || {
            "u3: an answer to a cut MULTIAPPEND".into()
        });
    }
    {
        let mut c = Client::connect(ctx.port).unwrap();
        c.login("alice@example.org");
        c.send(b"u4 APPEND INBOX (\\Seen) {300+}\r\n").unwrap();
        c.send(&filler(100)).unwrap();
        c.stream.shutdown(Shutdown::Write).unwrap();
        // The server sees the end of input mid-literal: it may say BYE, it must not say OK.
        loop {
            match c.read() {
                Ok(r) if r.tag() == "u4" => {
                    e.check(r.cond() != "OK", || format!("u4: {:?}", r.text));
                }
                Ok(_) => {}
                Err(_) => break,
            }
        }
    }
}

/// (5) Commands in the wrong state (RFC 9051 §3: "It is a protocol error for the client to
/// attempt a command while the connection is in an inappropriate state"; Strata answers BAD,
/// and §6 "A rejected command (BAD response) never changes the state"):
/// - before login: FETCH, STORE, SELECT, UID FETCH → BAD; `APPEND INBOX {60000000}` → a tagged
///   BAD or NO *without* `+` (§2.2.1 note: a command with an error is rejected "to prevent the
///   client from sending any more of the command"; an unauthenticated client must not make
///   the server hold 60 MB); AUTHENTICATE answered `*` and with a non-base64 line → BAD
///   (§6.2.2: the server "MUST reject the AUTHENTICATE command by sending a tagged BAD");
/// - after login, nothing selected: FETCH, CLOSE → BAD; AUTHENTICATE, LOGIN, STARTTLS → BAD
///   (no `+`, no TLS: the next NOOP is answered in cleartext);
/// - IDLE then a line that is not DONE → `+`, then a tagged BAD (RFC 2177: BAD "command
///   unknown or arguments invalid"), and the session goes on; the same with a 200 KB line;
///   DONE outside IDLE → BAD.
fn wrong_state(ctx: &Ctx, e: &mut Expect) {
    let expect_bad = |c: &mut Client, e: &mut Expect, command: &str| {
        let tag = c.tag();
        c.send(format!("{tag} {command}\r\n").as_bytes()).unwrap();
        let first = c.first_answer(&tag).unwrap();
        if first.is_continuation() {
            e.fail(format!(
                "{command}: got a continuation {:?}, expected BAD",
                first.text
            ));
            return false;
        }
        e.check(first.cond() == "BAD", || {
            format!("{command}: expected a tagged BAD, got {:?}", first.text)
        });
        true
    };

    let mut c = Client::connect(ctx.port).unwrap();
    for command in [
        "FETCH 1 FLAGS",
        "STORE 1 +FLAGS (\\Seen)",
        "SELECT INBOX",
        "UID FETCH 1:* (UID)",
    ] {
        expect_bad(&mut c, e, command);
    }
    {
        c.send(b"w1 APPEND INBOX {60000000}\r\n").unwrap();
        let first = c.first_answer("w1").unwrap();
        if first.is_continuation() {
            e.fail(format!(
                "APPEND INBOX {{60000000}} before login: the server answered {:?}, inviting an \
                 unauthenticated client to upload 60 MB; expected a tagged BAD (or NO) and no '+' \
                 (RFC 9051 §2.2.1 note, §3)",
                first.text
            ));
            // Keep in step: abandon this connection.
            c = Client::connect(ctx.port).unwrap();
        } else {
            e.check(matches!(first.cond(), "BAD" | "NO"), || {
                format!("APPEND before login: {:?}", first.text)
            });
        }
    }
    for (answer, what) in [
        (&b"*\r\n"[..], "cancelled"),
        (b"!!not base64!!\r\n", "not base64"),
    ] {
        c.send(b"w2 AUTHENTICATE PLAIN\r\n").unwrap();
        let first = c.first_answer("w2").unwrap();
        e.check(first.is_continuation(), || {
            format!("AUTHENTICATE PLAIN: expected '+', got {:?}", first.text)
        });
        if first.is_continuation() {
            c.send(answer).unwrap();
            let reply = c.until_tagged("w2").unwrap();
            e.check(reply.cond() == "BAD", || {
                format!(
                    "AUTHENTICATE {what}: expected BAD (RFC 9051 §6.2.2), got {:?}",
                    reply.tagged.text
                )
            });
        }
    }
    c.login("alice@example.org");
    for command in [
        "FETCH 1 FLAGS",
        "CLOSE",
        "AUTHENTICATE PLAIN",
        &format!(
            "AUTHENTICATE PLAIN {}",
            base64(format!("\0alice@example.org\0{PASSWORD}").as_bytes())
        ),
        &format!("LOGIN alice@example.org \"{PASSWORD}\""),
        "STARTTLS",
        "DONE",
    ] {
        if !expect_bad(&mut c, e, command) {
            return;
        }
    }
    let noop = c.run("NOOP").unwrap();
    e.check(noop.cond() == "OK", || {
        format!(
            "NOOP in cleartext after STARTTLS was refused: {:?}",
            noop.tagged.text
        )
    });
    c.ok("SELECT INBOX");
    let long_garbage = {
        let mut g = vec![b'g'; 200 * 1024];
        g.extend_from_slice(b"\r\n");
        g
    };
    for (what, garbage) in [
        ("IDLE then garbage", &b"garbage instead of done\r\n"[..]),
        ("IDLE then a 200 KB line", &long_garbage[..]),
    ] {
        c.send(b"w3 IDLE\r\n").unwrap();
        let first = c.first_answer("w3").unwrap();
        e.check(first.is_continuation(), || {
            format!("{what}: expected '+', got {:?}", first.text)
        });
        c.send(garbage).unwrap();
        let reply = c.until_tagged("w3").unwrap();
        e.check(reply.cond() == "BAD", || {
            format!("{what}: expected a tagged BAD, got {:?}", reply.tagged.text)
        });
        e.note(format!("{what} → {}", reply.tagged.text));
        let noop = c.run("NOOP").unwrap();
        e.check(noop.cond() == "OK", || {
            format!("NOOP after {what}: {:?}", noop.tagged.text)
        });
    }
}

/// (6) One tag for many pipelined commands, sent in one write, 25 times over: each command
/// gets its own tagged reply, in order (RFC 9051 §2.2.1: the server answers each command; the
/// tag is the client's business). Expected: OK, NO (no such mailbox), OK, BAD (unknown
/// command), OK, OK, BAD (FETCH with nothing selected), OK.
fn reused_tags(ctx: &Ctx, e: &mut Expect) {
    let batch = "t NOOP\r\n\
                 t SELECT \"no such mailbox\"\r\n\
                 t SELECT INBOX\r\n\
                 t BOGUS\r\n\
                 t UID SEARCH UID 1\r\n\
                 t UNSELECT\r\n\
                 t FETCH 1 FLAGS\r\n\
                 t NOOP\r\n";
    let expected = ["OK", "NO", "OK", "BAD", "OK", "OK", "BAD", "OK"];
    let rounds = 25;
    let mut c = Client::connect(ctx.port).unwrap();
    c.login("alice@example.org");
    c.send(batch.repeat(rounds).as_bytes()).unwrap();
    let mut got = Vec::new();
    while got.len() < expected.len() * rounds {
        let r = c.read().unwrap();
        if r.tag() == "t" {
            got.push(r.cond().to_string());
        } else {
            e.check(r.tag() == "*", || {
                format!("unexpected response {:?}", r.text)
            });
        }
    }
    let want: Vec<String> = (0..rounds)
        .flat_map(|_| expected.iter().map(|s| s.to_string()))
        .collect();
    e.check(got == want, || {
        format!("tagged replies to the reused tag: got {got:?}, want {want:?}")
    });
    let noop = c.run("NOOP").unwrap();
    e.check(noop.cond() == "OK", || {
        format!("NOOP: {:?}", noop.tagged.text)
    });
}

/// (7a) 200,000 pipelined NOOPs, written as fast as the socket takes them (on a connection
/// with a small receive buffer) without reading a reply until the writer finishes or stalls.
/// Expected: exactly 200,000 tagged OKs and nothing else; the server's memory stays bounded
/// (the sampler), so it waited for the socket rather than queueing replies.
fn noop_flood(ctx: &Ctx, e: &mut Expect) {
    let stream = connect_from(None, local(ctx.port), Some(8 * 1024)).unwrap();
    let (mut c, _) = Client::over(stream).unwrap();
    c.login("mallory@example.org");
    let written = Arc::new(AtomicUsize::new(0));
    let writer = {
        let mut stream = c.stream.try_clone().unwrap();
        let written = written.clone();
        thread::spawn(move || -> io::Result<()> {
            let line = format!("{FLOOD_TAG} NOOP\r\n");
            let chunk = line.repeat(1024);
            let mut left = NOOPS;
            while left > 0 {
                let n = left.min(1024);
                stream.write_all(&chunk.as_bytes()[..n * line.len()])?;
                left -= n;
                written.fetch_add(n, Ordering::Relaxed);
            }
            Ok(())
        })
    };
    let stalled_at = wait_for_stall(|| written.load(Ordering::Relaxed), NOOPS);
    let rss = vm_kb(ctx.pid, "VmRSS").unwrap_or(0) * 1024;
    let mut ok = 0;
    while ok < NOOPS {
        let r = c.read().unwrap();
        match (r.tag(), r.cond()) {
            (FLOOD_TAG, "OK") => ok += 1,
            _ => {
                e.fail(format!(
                    "NOOP flood: unexpected {:?} after {ok} OKs",
                    r.text
                ));
                return;
            }
        }
    }
    writer.join().unwrap().expect("NOOP writer");
    e.note(format!(
        "{NOOPS} NOOPs answered; the writer {} before any reply was read; server RSS then \
         {:.1} MiB (+{:.1} MiB)",
        match stalled_at {
            Some(n) => format!("stalled after {n} (the server stopped reading: backpressure)"),
            None => "finished".into(),
        },
        mib(rss),
        mib(rss.saturating_sub(ctx.baseline))
    ));
    let noop = c.run("NOOP").unwrap();
    e.check(noop.cond() == "OK", || {
        format!("NOOP: {:?}", noop.tagged.text)
    });
}

/// (7b) Backpressure proof: 320 pipelined `UID FETCH … BODY.PEEK[]` of a 1 MiB message (320 MiB
/// of replies, more than the headroom) and no reading until the bytes waiting in our receive
/// buffer stop growing. Expected: the server waits for the socket instead of queueing replies
/// (its RSS stays within the bound at that moment and throughout), and then all 320 replies
/// arrive, each with the message's exact octets.
fn fetch_flood(ctx: &Ctx, e: &mut Expect) {
    let mut c = Client::connect(ctx.port).unwrap();
    c.login("mallory@example.org");
    c.ok("EXAMINE INBOX");
    let uid = ctx.flood.uid;
    c.send(
        format!("f UID FETCH {uid} BODY.PEEK[]\r\n")
            .repeat(FETCH_FLOOD)
            .as_bytes(),
    )
    .unwrap();
    let mut peek = vec![0u8; 64 << 20];
    let stream = c.stream.try_clone().unwrap();
    let waiting = wait_for_stable(|| stream.peek(&mut peek).unwrap_or(0));
    let rss = vm_kb(ctx.pid, "VmRSS").unwrap_or(0) * 1024;
    e.check(rss < ctx.baseline + MEMORY_HEADROOM, || {
        format!(
            "FETCH flood: server RSS {:.1} MiB while {FETCH_FLOOD} MiB of replies were unread",
            mib(rss)
        )
    });
    let (mut ok, mut bodies) = (0, 0);
    while ok < FETCH_FLOOD {
        let r = c.read().unwrap();
        if r.tag() == "f" {
            e.check(r.cond() == "OK", || format!("FETCH flood: {:?}", r.text));
            ok += 1;
        } else if let Some(body) = r.literals.first() {
            if body != &ctx.flood.body {
                e.fail(format!(
                    "FETCH flood: reply {bodies} differs from the message"
                ));
            }
            bodies += 1;
        }
    }
    e.check(bodies == FETCH_FLOOD, || {
        format!("FETCH flood: {bodies} bodies for {FETCH_FLOOD} fetches")
    });
    e.note(format!(
        "{FETCH_FLOOD} × 1 MiB fetched; {:.1} MiB were waiting in our receive buffer when the \
         server stopped sending; server RSS then {:.1} MiB (+{:.1} MiB)",
        mib(waiting as u64),
        mib(rss),
        mib(rss.saturating_sub(ctx.baseline))
    ));
}

/// (5b) After the battery, on its own memory measurement: 4 connections that never log in each
/// announce `APPEND INBOX {60000000+}` (within APPENDLIMIT, which applies to logged-in users)
/// and send 55 MiB of it (57.7 MB: the literal stays unfinished). APPEND is not valid before
/// login (RFC 9051 §6.3.12, §3), so the server can only throw those octets away; keeping them
/// lets anyone who can open a socket pin `max_connections_per_ip` × APPENDLIMIT (50 × 64 MiB
/// by default) of memory per address (invariant 6). Expected: the server's RSS grows by less
/// than 64 MiB in all.
fn unauthenticated_uploads(port: u16, pid: u32, failures: &mut Vec<String>) {
    const CONNECTIONS: usize = 4;
    /// MiB sent of each 60 MB literal.
    const SENT: usize = 55;
    let rss = || vm_kb(pid, "VmRSS").unwrap_or(0) * 1024;
    let before = wait_for_stable(rss);
    let chunk = vec![b'p'; 1 << 20];
    let mut open = Vec::new();
    for _ in 0..CONNECTIONS {
        let mut c = Client::connect(port).unwrap();
        c.send(b"p1 APPEND INBOX {60000000+}\r\n").unwrap();
        for _ in 0..SENT {
            if c.send(&chunk).is_err() {
                break; // closed by the server: fine
            }
        }
        open.push(c);
    }
    let after = wait_for_stable(rss);
    let grown = after.saturating_sub(before);
    eprintln!(
        "hostile: {CONNECTIONS} unauthenticated connections with {SENT} MiB of an APPEND literal \
         each: server RSS {:.1} → {:.1} MiB (+{:.1} MiB)",
        mib(before),
        mib(after),
        mib(grown)
    );
    if grown >= 64 << 20 {
        failures.push(format!(
            "unauthenticated uploads: {CONNECTIONS} connections that never logged in, each with \
             {SENT} MiB of an unfinished `APPEND INBOX {{60000000+}}`, grew the server's RSS by \
             {:.1} MiB ({:.1} → {:.1}): the literal of a command that is not valid before login \
             is kept instead of skipped",
            mib(grown),
            mib(before),
            mib(after)
        ));
    }
    drop(open);
}

// ---------------------------------------------------------------------------------------------
// (8) Silent connections at the per-address limit.
// ---------------------------------------------------------------------------------------------

/// Opens [`PER_IP`] connections from 127.0.0.2 (a loopback address of its own, so the count is
/// exact whatever else the test has open from 127.0.0.1) and reads their greetings; the next
/// one must be refused with an untagged BYE (RFC 9051 §7.1.5: "the server is not willing to
/// accept a connection") and closed.
fn silent_connections(port: u16, failures: &mut Vec<String>) -> (Instant, Vec<Client>) {
    let open = || -> io::Result<(TcpStream, Resp)> {
        let stream = connect_from(Some(SOURCE), local(port), None)?;
        let (client, greeting) = Client::over(stream)?;
        Ok((client.stream, greeting))
    };
    let (opened, mut silent) = (Instant::now(), Vec::new());
    for i in 0..PER_IP {
        let stream = connect_from(Some(SOURCE), local(port), None).unwrap();
        let (client, greeting) = Client::over(stream).unwrap();
        if !greeting.text.starts_with("* OK") {
            failures.push(format!(
                "silent connection {i}: greeting {:?}",
                greeting.text
            ));
        }
        silent.push(client);
    }
    match open() {
        Ok((mut s, greeting)) => {
            if !greeting.text.starts_with("* BYE") {
                failures.push(format!(
                    "connection {} from 127.0.0.2 (limit {PER_IP}): expected '* BYE', got {:?}",
                    PER_IP + 1,
                    greeting.text
                ));
            }
            let mut rest = Vec::new();
            let closed = s.read_to_end(&mut rest).is_ok();
            if !closed {
                failures.push("the refused connection was not closed".into());
            }
        }
        Err(err) => failures.push(format!("connection over the limit: {err}")),
    }
    (opened, silent)
}

/// After the battery: every silent connection is still served and answers a NOOP, unless
/// the server's login timeout has passed since it was opened; then it may have been closed
/// (with `* BYE Autologout`, RFC 9051 §7.1.5, which a reset can hide). Once one is closed, its
/// slot is free again.
fn check_silent(
    port: u16,
    (opened, mut silent): (Instant, Vec<Client>),
    failures: &mut Vec<String>,
) {
    let idle = opened.elapsed();
    let may_be_closed = idle + Duration::from_secs(5) > LOGIN_TIMEOUT;
    for (i, c) in silent.iter_mut().enumerate() {
        match c.run("NOOP") {
            Ok(r) if r.cond() == "OK" => {}
            Ok(r) => failures.push(format!("silent connection {i}: {:?}", r.tagged.text)),
            Err(_) if may_be_closed => {}
            Err(err) => failures.push(format!(
                "silent connection {i}, idle for {idle:?} (less than the login timeout): {err}"
            )),
        }
    }
    silent.pop();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let stream = connect_from(Some(SOURCE), local(port), None).unwrap();
        let (_, greeting) = Client::over(stream).unwrap();
        if greeting.text.starts_with("* OK") {
            break;
        }
        if Instant::now() > deadline {
            failures.push(format!(
                "a closed connection's slot was not released: {:?}",
                greeting.text
            ));
            break;
        }
        thread::sleep(Duration::from_millis(50));
    }
}

/// The source address of the silent connections.
const SOURCE: IpAddr = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2));

/// The server's address on 127.0.0.1.
fn local(port: u16) -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], port))
}

// ---------------------------------------------------------------------------------------------
// The well-behaved workers and the final check.
// ---------------------------------------------------------------------------------------------

/// A message the server acknowledged (tagged OK with APPENDUID).
#[derive(Debug, Clone)]
struct Acked {
    uid: u32,
    body: Vec<u8>,
    /// The server acknowledged `UID STORE +FLAGS (\Flagged)` for it.
    flagged: bool,
}

struct WorkerReport {
    id: usize,
    user: &'static str,
    uid_validity: Option<u32>,
    acked: Vec<Acked>,
    errors: Vec<String>,
}

/// One well-behaved session: APPEND a unique message (sync and non-sync literals in turn),
/// fetch it back by UID and compare the octets, flag it, and every third round SEARCH for it,
/// until told to stop. Any NO, BAD, BYE or lost connection is an error.
fn worker(
    id: usize,
    user: &'static str,
    port: u16,
    stop: &AtomicBool,
    rounds: &AtomicUsize,
) -> WorkerReport {
    let mut report = WorkerReport {
        id,
        user,
        uid_validity: None,
        acked: Vec::new(),
        errors: Vec::new(),
    };
    let mut rng = Rng::new(0xabc0 + id as u64);
    let result = (|| -> Result<(), String> {
        let mut c = Client::connect(port).map_err(|e| format!("connect: {e}"))?;
        clean("LOGIN", c.run(&format!("LOGIN {user} \"{PASSWORD}\"")))?;
        let select = clean("SELECT", c.run("SELECT INBOX"))?;
        report.uid_validity = select
            .untagged
            .iter()
            .find_map(|r| number_after(&r.text, "UIDVALIDITY"));
        let mut n = 0;
        while n < MIN_ROUNDS || !stop.load(Ordering::Relaxed) {
            let token = format!("w{id}r{n}t{:08x}", rng.next() as u32);
            let size = 200 + rng.below(30_000) as usize;
            let body = message_bytes(&mut rng, &token, size);
            let what = format!("round {n}: APPEND {} octets", body.len());
            let reply = clean(&what, c.append("INBOX", "", &body, n % 2 == 0))?;
            let (validity, uid) = appenduid(&reply)
                .ok_or_else(|| format!("{what}: no APPENDUID in {:?}", reply.tagged.text))?;
            if Some(validity) != report.uid_validity {
                return Err(format!(
                    "{what}: UIDVALIDITY changed: {:?}",
                    reply.tagged.text
                ));
            }
            report.acked.push(Acked {
                uid,
                body: body.clone(),
                flagged: false,
            });

            let fetch = clean(
                &format!("round {n}: UID FETCH {uid}"),
                c.run(&format!("UID FETCH {uid} (BODY.PEEK[])")),
            )?;
            let got = fetch
                .untagged
                .iter()
                .find(|r| number_after(&r.text, "UID") == Some(uid) && !r.literals.is_empty())
                .map(|r| &r.literals[0]);
            if got != Some(&body) {
                return Err(format!(
                    "round {n}: UID FETCH {uid} returned {} octets, expected the {} appended",
                    got.map_or(0, |g| g.len()),
                    body.len()
                ));
            }

            clean(
                &format!("round {n}: UID STORE {uid}"),
                c.run(&format!("UID STORE {uid} +FLAGS (\\Flagged)")),
            )?;
            report.acked.last_mut().unwrap().flagged = true;

            if n % 3 == 0 {
                let search = clean(
                    &format!("round {n}: UID SEARCH"),
                    c.run(&format!("UID SEARCH UID {uid} SUBJECT \"{token}\"")),
                )?;
                let hits: Vec<u32> = search
                    .untagged
                    .iter()
                    .filter(|r| r.text.starts_with("* SEARCH"))
                    .flat_map(|r| r.text.split(' ').skip(2).filter_map(|w| w.parse().ok()))
                    .collect();
                if hits != [uid] {
                    return Err(format!(
                        "round {n}: SEARCH for {token} found {hits:?}, expected [{uid}]"
                    ));
                }
            }
            n += 1;
            rounds.fetch_add(1, Ordering::Relaxed);
        }
        c.run("LOGOUT").map_err(|e| format!("LOGOUT: {e}"))?;
        Ok(())
    })();
    if let Err(e) = result {
        report.errors.push(e);
    }
    report
}

/// A reply that a well-behaved session accepts: tagged OK, and no untagged BYE, BAD or NO.
fn clean(what: &str, reply: io::Result<Reply>) -> Result<Reply, String> {
    let reply = reply.map_err(|e| format!("{what}: connection failed: {e}"))?;
    if reply.cond() != "OK" {
        return Err(format!("{what}: {:?}", reply.tagged.text));
    }
    if let Some(bad) = reply.untagged.iter().find(|r| r.is_untagged_error()) {
        return Err(format!("{what}: untagged {:?}", bad.text));
    }
    Ok(reply)
}

/// On a fresh connection: the INBOX of `user` holds exactly the `acked` messages (no more:
/// nothing of the attackers' is there), each with its octets and, if its STORE was
/// acknowledged, `\Flagged`; UIDVALIDITY is unchanged; every other mailbox is empty.
fn verify_mailboxes(
    port: u16,
    user: &str,
    validity: Option<u32>,
    acked: &[&Acked],
    failures: &mut Vec<String>,
) {
    let mut c = Client::connect(port).unwrap();
    c.login(user);
    let select = c.ok("SELECT INBOX");
    let now = select
        .untagged
        .iter()
        .find_map(|r| number_after(&r.text, "UIDVALIDITY"));
    if validity.is_some() && now != validity {
        failures.push(format!("{user}: UIDVALIDITY {validity:?} became {now:?}"));
    }
    let fetch = c.ok("UID FETCH 1:* (FLAGS BODY.PEEK[])");
    let mut stored: BTreeMap<u32, (&str, &[u8])> = BTreeMap::new();
    for r in &fetch.untagged {
        if let (Some(uid), Some(body)) = (number_after(&r.text, "UID"), r.literals.first()) {
            let flags = r
                .text
                .split_once("FLAGS (")
                .and_then(|(_, rest)| rest.split_once(')'))
                .map_or("", |(f, _)| f);
            stored.insert(uid, (flags, body));
        }
    }
    let want: BTreeSet<u32> = acked.iter().map(|a| a.uid).collect();
    let have: BTreeSet<u32> = stored.keys().copied().collect();
    let lost: Vec<_> = want.difference(&have).collect();
    let extra: Vec<_> = have.difference(&want).collect();
    if !lost.is_empty() {
        failures.push(format!("{user}: acknowledged UIDs missing: {lost:?}"));
    }
    if !extra.is_empty() {
        failures.push(format!(
            "{user}: INBOX holds UIDs nobody was told were stored: {extra:?}"
        ));
    }
    for a in acked {
        if let Some((flags, body)) = stored.get(&a.uid) {
            if *body != a.body.as_slice() {
                failures.push(format!(
                    "{user}: UID {} has {} octets that differ from the {} appended",
                    a.uid,
                    body.len(),
                    a.body.len()
                ));
            }
            if a.flagged && !flags.contains("\\Flagged") {
                failures.push(format!(
                    "{user}: UID {} lost its acknowledged \\Flagged: ({flags})",
                    a.uid
                ));
            }
        }
    }
    let list = c.ok("LIST \"\" \"*\"");
    for r in list
        .untagged
        .iter()
        .filter(|r| r.text.starts_with("* LIST"))
    {
        let name = r.text.rsplit(' ').next().unwrap_or("").trim_matches('"');
        if name.eq_ignore_ascii_case("INBOX") || name.is_empty() {
            continue;
        }
        let status = c.ok(&format!("STATUS \"{name}\" (MESSAGES)"));
        let messages = status
            .untagged
            .iter()
            .find_map(|r| number_after(&r.text, "MESSAGES"));
        if messages != Some(0) {
            failures.push(format!(
                "{user}: mailbox {name} holds {messages:?} messages"
            ));
        }
    }
    tracing::info!(user, messages = stored.len(), "mailboxes verified");
    c.ok("LOGOUT");
}

// ---------------------------------------------------------------------------------------------
// Garbage.
// ---------------------------------------------------------------------------------------------

/// What a garbage connection saw.
struct Spewed {
    sent: usize,
    lines: usize,
    bad: usize,
    no: usize,
    plus: usize,
    bye: Option<String>,
    /// The closing `zz9 NOOP` was answered OK.
    answered: bool,
    /// Writing failed (the server closed the connection).
    write_error: Option<String>,
    last: Vec<String>,
}

/// Sends `chunks` on a new connection (logged in as `user` first, if given) while another
/// thread reads and sorts every response line, then a CRLF and `zz9 NOOP`, and waits for its
/// answer.
fn spew(port: u16, user: Option<&str>, chunks: Vec<Vec<u8>>) -> io::Result<Spewed> {
    let mut c = Client::connect(port)?;
    if let Some(user) = user {
        c.login(user);
    }
    let Client {
        mut stream, reader, ..
    } = c;
    let drain = thread::spawn(move || {
        let mut reader = reader;
        let mut s = Spewed {
            sent: 0,
            lines: 0,
            bad: 0,
            no: 0,
            plus: 0,
            bye: None,
            answered: false,
            write_error: None,
            last: Vec::new(),
        };
        let mut line = Vec::new();
        loop {
            line.clear();
            match reader.read_until(b'\n', &mut line) {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
            let text = String::from_utf8_lossy(&line).trim_end().to_string();
            s.lines += 1;
            let mut words = text.split(' ');
            let (tag, cond) = (words.next().unwrap_or(""), words.next().unwrap_or(""));
            match (tag, cond) {
                ("zz9", "OK") => {
                    s.answered = true;
                    break;
                }
                ("*", "BYE") => s.bye = Some(text.clone()),
                ("+", _) => s.plus += 1,
                (_, "BAD") => s.bad += 1,
                (_, "NO") => s.no += 1,
                _ => {}
            }
            s.last.push(text);
            if s.last.len() > 4 {
                s.last.remove(0);
            }
        }
        s
    });
    let mut sent = 0;
    let mut write_error = None;
    for chunk in chunks
        .iter()
        .map(Vec::as_slice)
        .chain([&b"\r\nzz9 NOOP\r\n"[..]])
    {
        if let Err(e) = stream.write_all(chunk) {
            write_error = Some(e.to_string());
            let _ = stream.shutdown(Shutdown::Both);
            break;
        }
        sent += chunk.len();
    }
    let mut s = drain.join().expect("drain thread");
    s.sent = sent;
    s.write_error = write_error;
    Ok(s)
}

/// About `size` octets of lines that look like IMAP: tags, command names, sequence sets,
/// parentheses, brackets, quotes, literal announcements, 8-bit octets and the odd NUL. No
/// command that changes state or data (LOGOUT, IDLE, AUTHENTICATE, STARTTLS, APPEND, STORE,
/// EXPUNGE, DELETE, …) is in the vocabulary.
fn imapish_chunk(rng: &mut Rng, size: usize) -> Vec<u8> {
    /// The vocabulary, separated by single spaces.
    const WORDS: &str = "NOOP CAPABILITY FETCH UID SEARCH STATUS LIST LSUB EXAMINE SELECT \
        NAMESPACE ID ENABLE CHECK UNSELECT SORT THREAD GETQUOTAROOT INBOX 1:* * $ 1,2,3 \
        4294967295 0 ( ) [ ] < > \" \\Seen \\Flagged BODY[ BODY.PEEK[ HEADER.FIELDS ]<0.10> \
        (FLAGS ALL NOT OR FUZZY CHARSET UTF-8 {3} {5+} ~{4} {0} NIL \"\\\" RETURN (MIN MAX) \
        MODSEQ CHANGEDSINCE % &AMA- IMAP4rev2 UTF8=ACCEPT \u{e9}t\u{e9} {999999} {2+}";
    let words: Vec<&str> = WORDS.split(' ').collect();
    let mut out = Vec::with_capacity(size + 256);
    while out.len() < size {
        match rng.below(8) {
            0 => out.extend_from_slice(b"*"),
            1 => out.extend_from_slice(b"+"),
            _ => out.extend_from_slice(format!("a{}", rng.below(1000)).as_bytes()),
        }
        for _ in 0..rng.below(12) {
            out.extend_from_slice(b" ");
            match rng.below(20) {
                0 => out.push((0x80 + rng.below(0x80)) as u8),
                1 if rng.below(10) == 0 => out.push(0),
                2 => out.extend_from_slice(rng.below(100_000).to_string().as_bytes()),
                _ => {
                    out.extend_from_slice(words[rng.below(words.len() as u64) as usize].as_bytes())
                }
            }
        }
        out.extend_from_slice(if rng.below(10) == 0 { b"\n" } else { b"\r\n" });
    }
    out
}

// ---------------------------------------------------------------------------------------------
// A small blocking IMAP client.
// ---------------------------------------------------------------------------------------------

/// One server response: its text with each literal's octets taken out (the `{n}` stays in
/// place), and those octets in order.
#[derive(Debug, Clone, Default)]
struct Resp {
    text: String,
    literals: Vec<Vec<u8>>,
}

impl Resp {
    fn tag(&self) -> &str {
        self.text.split(' ').next().unwrap_or("")
    }
    /// OK, NO, BAD, BYE, PREAUTH, or the first word of untagged data.
    fn cond(&self) -> &str {
        self.text.split(' ').nth(1).unwrap_or("")
    }
    fn is_continuation(&self) -> bool {
        self.tag() == "+"
    }
    fn is_bye(&self) -> bool {
        self.tag() == "*" && self.cond() == "BYE"
    }
    /// An untagged BYE, BAD or NO: what a well-behaved session must never see.
    fn is_untagged_error(&self) -> bool {
        self.tag() == "*" && matches!(self.cond(), "BYE" | "BAD" | "NO")
    }
}

/// The responses to one command: untagged data (and continuations), then the tagged one.
#[derive(Debug)]
struct Reply {
    untagged: Vec<Resp>,
    tagged: Resp,
}

impl Reply {
    fn cond(&self) -> &str {
        self.tagged.cond()
    }
}

struct Client {
    stream: TcpStream,
    reader: BufReader<TcpStream>,
    next: u32,
}

impl Client {
    /// Connects to 127.0.0.1 and reads the greeting, which must be `* OK`.
    fn connect(port: u16) -> io::Result<Client> {
        let stream = TcpStream::connect(("127.0.0.1", port))?;
        let (client, greeting) = Client::over(stream)?;
        if !greeting.text.starts_with("* OK") {
            return Err(io::Error::other(format!("greeting {:?}", greeting.text)));
        }
        Ok(client)
    }

    /// A client over a connected stream, with the greeting it read.
    fn over(stream: TcpStream) -> io::Result<(Client, Resp)> {
        stream.set_read_timeout(Some(READ_TIMEOUT))?;
        stream.set_nodelay(true)?;
        let reader = BufReader::with_capacity(256 * 1024, stream.try_clone()?);
        let mut client = Client {
            stream,
            reader,
            next: 0,
        };
        let greeting = client.read()?;
        Ok((client, greeting))
    }

    fn tag(&mut self) -> String {
        self.next += 1;
        format!("c{}", self.next)
    }

    fn send(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.stream.write_all(bytes)
    }

    /// Reads one response, literals included.
    fn read(&mut self) -> io::Result<Resp> {
        let mut resp = Resp::default();
        loop {
            let mut line = Vec::new();
            self.reader.read_until(b'\n', &mut line)?;
            if !line.ends_with(b"\n") {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
            let line = line.strip_suffix(b"\n").unwrap();
            let line = line.strip_suffix(b"\r").unwrap_or(line);
            resp.text.push_str(&String::from_utf8_lossy(line));
            let Some(n) = literal_size(line) else {
                return Ok(resp);
            };
            let mut octets = vec![0; n];
            self.reader.read_exact(&mut octets)?;
            resp.literals.push(octets);
        }
    }

    /// Reads until the tagged response for `tag`.
    fn until_tagged(&mut self, tag: &str) -> io::Result<Reply> {
        let mut untagged = Vec::new();
        loop {
            let r = self.read()?;
            if r.tag() == tag {
                return Ok(Reply {
                    untagged,
                    tagged: r,
                });
            }
            untagged.push(r);
        }
    }

    /// Reads until a continuation request or the tagged response for `tag`, whichever comes
    /// first; untagged data on the way is skipped.
    fn first_answer(&mut self, tag: &str) -> io::Result<Resp> {
        loop {
            let r = self.read()?;
            if r.is_continuation() || r.tag() == tag || r.is_bye() {
                return Ok(r);
            }
        }
    }

    /// Sends `TAG command` and reads its responses.
    fn run(&mut self, command: &str) -> io::Result<Reply> {
        let tag = self.tag();
        self.send(format!("{tag} {command}\r\n").as_bytes())?;
        self.until_tagged(&tag)
    }

    /// Runs `command` and panics unless it is answered OK.
    fn ok(&mut self, command: &str) -> Reply {
        let reply = self
            .run(command)
            .unwrap_or_else(|e| panic!("{command}: {e}"));
        assert_eq!(reply.cond(), "OK", "{command}: {:?}", reply.tagged.text);
        reply
    }

    fn login(&mut self, user: &str) {
        self.ok(&format!("LOGIN {user} \"{PASSWORD}\""));
    }

    /// APPEND with a synchronizing literal (waiting for `+`) or a non-synchronizing one.
    fn append(&mut self, mailbox: &str, flags: &str, data: &[u8], sync: bool) -> io::Result<Reply> {
        let tag = self.tag();
        let plus = if sync { "" } else { "+" };
        let flags = if flags.is_empty() {
            String::new()
        } else {
            format!("({flags}) ")
        };
        self.send(
            format!("{tag} APPEND {mailbox} {flags}{{{}{plus}}}\r\n", data.len()).as_bytes(),
        )?;
        let mut untagged = Vec::new();
        if sync {
            loop {
                let r = self.read()?;
                if r.is_continuation() {
                    break;
                }
                if r.tag() == tag {
                    return Ok(Reply {
                        untagged,
                        tagged: r,
                    });
                }
                untagged.push(r);
            }
        }
        self.send(data)?;
        self.send(b"\r\n")?;
        let mut reply = self.until_tagged(&tag)?;
        untagged.append(&mut reply.untagged);
        reply.untagged = untagged;
        Ok(reply)
    }

    /// True if the server sent nothing within a short while (used right before dropping a
    /// connection mid-literal: the server must not answer a command it has not received).
    fn pending_is_empty(&mut self) -> bool {
        let _ = self
            .stream
            .set_read_timeout(Some(Duration::from_millis(200)));
        let mut byte = [0u8; 1];
        let empty = matches!(self.stream.peek(&mut byte), Err(_) | Ok(0));
        let _ = self.stream.set_read_timeout(Some(READ_TIMEOUT));
        empty && self.reader.buffer().is_empty()
    }
}

/// The size of the literal announced at the end of a response line (`{n}` or `~{n}`).
fn literal_size(line: &[u8]) -> Option<usize> {
    let body = line.strip_suffix(b"}")?;
    let open = body.iter().rposition(|&b| b == b'{')?;
    let digits = &body[open + 1..];
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(digits).ok()?.parse().ok()
}

/// The number after `key ` in `text`, where `key` starts a word (e.g. `UID 17`, `[UIDVALIDITY 5]`).
fn number_after(text: &str, key: &str) -> Option<u32> {
    let mut from = 0;
    while let Some(i) = text[from..].find(key) {
        let at = from + i;
        let before = text[..at].chars().last();
        let after = &text[at + key.len()..];
        if matches!(before, None | Some(' ' | '(' | '[')) && after.starts_with(' ') {
            let digits: String = after[1..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            if let Ok(n) = digits.parse() {
                return Some(n);
            }
        }
        from = at + key.len();
    }
    None
}

/// UIDVALIDITY and UID from `[APPENDUID validity uid]` (RFC 4315).
fn appenduid(reply: &Reply) -> Option<(u32, u32)> {
    let (_, rest) = reply.tagged.text.split_once("[APPENDUID ")?;
    let mut words = rest.split([' ', ']']);
    Some((words.next()?.parse().ok()?, words.next()?.parse().ok()?))
}

// ---------------------------------------------------------------------------------------------
// Helpers: results, memory, randomness, waiting.
// ---------------------------------------------------------------------------------------------

/// What one attack found: failures (the test fails) and notes (logged).
struct Expect {
    name: &'static str,
    failures: Vec<String>,
    notes: Vec<String>,
}

impl Expect {
    fn new(name: &'static str) -> Expect {
        Expect {
            name,
            failures: Vec::new(),
            notes: Vec::new(),
        }
    }
    fn check(&mut self, ok: bool, what: impl FnOnce() -> String) {
        if !ok {
            self.fail(what());
        }
    }
    fn fail(&mut self, what: String) {
        tracing::warn!(attack = self.name, "{what}");
        self.failures.push(format!("{}: {what}", self.name));
    }
    fn note(&mut self, what: String) {
        self.notes.push(what);
    }
}

/// Samples the server's VmRSS every 100 ms and keeps the peak.
struct Sampler {
    stop: Arc<AtomicBool>,
    peak: Arc<AtomicU64>,
    handle: thread::JoinHandle<usize>,
}

impl Sampler {
    fn start(pid: u32) -> Sampler {
        let stop = Arc::new(AtomicBool::new(false));
        let peak = Arc::new(AtomicU64::new(0));
        let handle = {
            let (stop, peak) = (stop.clone(), peak.clone());
            thread::spawn(move || {
                let mut samples = 0;
                while !stop.load(Ordering::Relaxed) {
                    if let Some(kb) = vm_kb(pid, "VmRSS") {
                        peak.fetch_max(kb * 1024, Ordering::Relaxed);
                        samples += 1;
                    }
                    thread::sleep(Duration::from_millis(100));
                }
                samples
            })
        };
        Sampler { stop, peak, handle }
    }

    /// The peak RSS in bytes and the number of samples.
    fn stop(self) -> (u64, usize) {
        self.stop.store(true, Ordering::Relaxed);
        let samples = self.handle.join().unwrap();
        (self.peak.load(Ordering::Relaxed), samples)
    }
}

/// A `kB` field of /proc/<pid>/status.
fn vm_kb(pid: u32, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status
        .lines()
        .find(|l| l.starts_with(&format!("{field}:")))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

fn mib(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

/// xorshift64: deterministic garbage without another crate.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.max(1))
    }
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn fill(&mut self, buf: &mut [u8]) {
        for chunk in buf.chunks_mut(8) {
            let r = self.next().to_le_bytes();
            chunk.copy_from_slice(&r[..chunk.len()]);
        }
    }
}

/// A plain-text message of about `size` octets whose Subject and Message-ID carry `token`.
fn message_bytes(rng: &mut Rng, token: &str, size: usize) -> Vec<u8> {
    let mut m = format!(
        "From: Worker <worker@example.org>\r\nTo: alice@example.org\r\n\
         Subject: hostile {token}\r\nMessage-ID: <{token}@hostile.test>\r\n\
         Date: Mon, 24 Nov 2025 10:00:00 +0000\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=us-ascii\r\n\r\n"
    )
    .into_bytes();
    while m.len() < size {
        let len = rng.below(77) as usize;
        m.extend((0..len).map(|_| (0x20 + rng.below(0x5f)) as u8));
        m.extend_from_slice(b"\r\n");
    }
    m
}

fn base64(data: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (b[0] as u32) << 16 | (b[1] as u32) << 8 | b[2] as u32;
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Polls `done` until it holds, or panics after `limit`.
fn wait_for(what: &str, limit: Duration, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + limit;
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        thread::sleep(Duration::from_millis(20));
    }
}

/// Waits until `progress` reaches `total` (`None`) or stops moving for a second (`Some(at)`),
/// within 60 s.
fn wait_for_stall(progress: impl Fn() -> usize, total: usize) -> Option<usize> {
    let deadline = Instant::now() + Duration::from_secs(60);
    let (mut last, mut since) = (progress(), Instant::now());
    loop {
        let now = progress();
        if now >= total {
            return None;
        }
        if now != last {
            (last, since) = (now, Instant::now());
        } else if since.elapsed() > Duration::from_secs(1) || Instant::now() > deadline {
            return Some(now);
        }
        thread::sleep(Duration::from_millis(20));
    }
}

/// Waits until `level` is non-zero and has not changed for a second (within 60 s); returns it.
fn wait_for_stable<T: Copy + PartialEq + Default>(mut level: impl FnMut() -> T) -> T {
    let deadline = Instant::now() + Duration::from_secs(60);
    let (mut last, mut since) = (level(), Instant::now());
    loop {
        thread::sleep(Duration::from_millis(50));
        let now = level();
        if Instant::now() > deadline {
            return now;
        }
        if now != last || now == T::default() {
            (last, since) = (now, Instant::now());
        } else if since.elapsed() > Duration::from_secs(1) {
            return now;
        }
    }
}

fn panic_text(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "(no message)".into())
}

/// The last lines of the server log, for a failure message.
fn tail(path: &std::path::Path) -> String {
    support::tail(&std::fs::read_to_string(path).unwrap_or_default(), 30)
}

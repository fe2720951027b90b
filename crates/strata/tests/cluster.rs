//! The cluster shape end to end: PostgreSQL, an S3 server (s3s-fs), 3 `strata metad` and 2
//! `strata frontend` processes on loopback, and real IMAP clients on both frontends.
//!
//! One story, in phases (starting a cluster costs seconds, so they share it):
//! 0. the raft control plane: `strata admin cluster status` shows three reachable members, a
//!    leader, and every search shard owned, spread over the three;
//! 0b. the admin API through its CLI: accounts, mbox import and export, reindex, and refused
//!    calls (no token, a tenant token for another domain);
//! 0c. search routing: SEARCH BODY on a frontend is answered from the shard owner's index
//!    (proved by deleting the bodies from S3 first);
//! 0d. Python's imapclient through every advertised command on a frontend;
//! 1. change notification across frontends: a client IDLEs on frontend 2 while another
//!    appends, stores and expunges through frontend 1; each change must reach the idler within
//!    one second (the medians are printed); then (1b) a UID SEARCH on frontend 2 right
//!    after each APPEND through frontend 1 holds the new UID, after its EXISTS (the view is
//!    refreshed before a command that reads messages);
//! 2. 50 clients of the load generator on both frontends, sharing five mailboxes, with every
//!    response and state check of the load generator;
//! 3. the invariants: no UID reused, nothing acknowledged lost, counts agree (both frontends,
//!    STATUS, SEARCH and the database);
//! 4. failover: writers keep appending while one metad and one frontend are killed with
//!    `kill -9`; the writers reconnect to the survivors; every acknowledged APPEND is there,
//!    once, with its acknowledged UID. The killed metad is the raft leader: the time until the
//!    survivors have a new leader, and until its shards have moved, is measured and printed;
//!    then it is restarted from its data dir and rejoins.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::process::Command;
use std::time::{Duration, Instant};
use strata_loadgen::client::{DEFAULT_MIX, Mix, Target, login};
use strata_loadgen::conn::{Conn, Status, Untagged, parse_untagged};
use support::BIN;
use support::cluster::{Cluster, Shape, query};

const USERS: usize = 5;
const PASSWORD: &str = "cluster-pw";

fn user(k: usize) -> String {
    format!("user{}@example.org", k % USERS + 1)
}

fn target(addr: SocketAddr, user: String) -> Target {
    Target {
        addr,
        source: None,
        timeout: Duration::from_secs(30),
        user,
        password: PASSWORD.into(),
    }
}

async fn connect(addr: SocketAddr, user: &str) -> Conn {
    let (mut c, _) = login(&target(addr, user.to_string()))
        .await
        .unwrap_or_else(|e| panic!("login {user} at {addr}: {e}"));
    let r = c.command("SELECT INBOX").await.unwrap();
    assert_eq!(r.status(), Status::Ok, "{}", r.tagged);
    c
}

fn message(id: &str, size: usize) -> Vec<u8> {
    let mut m = format!(
        "From: writer@example.org\r\nTo: user@example.org\r\nSubject: {id}\r\n\
         Message-ID: <{id}@cluster.test>\r\nDate: Tue, 24 Nov 2026 06:00:00 +0000\r\n\r\n"
    )
    .into_bytes();
    while m.len() < size {
        m.extend_from_slice(b"cluster test body line, nothing to see here.\r\n");
    }
    m
}

/// `[APPENDUID v uid]` of a tagged OK.
fn append_uid(tagged: &str) -> Option<(u32, u32)> {
    let upper = tagged.to_ascii_uppercase();
    let at = upper.find("[APPENDUID ")?;
    let mut words = tagged[at + 11..].split([' ', ']']);
    let v = words.next()?.parse().ok()?;
    let uid = words.next()?.parse().ok()?;
    Some((v, uid))
}

/// Waits during IDLE until an untagged response satisfies `want`; returns how long it took.
async fn until(idler: &mut Conn, started: Instant, want: impl Fn(&Untagged) -> bool) -> Duration {
    let deadline = started + Duration::from_secs(5);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let line = idler
            .next_untagged(left)
            .await
            .expect("IDLE connection")
            .unwrap_or_else(|| panic!("no change reached the idler within 5 s"));
        if want(&parse_untagged(&line).expect("well-formed untagged response")) {
            return started.elapsed();
        }
    }
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// Phase 1: APPEND, STORE and EXPUNGE through frontend 1 reach an IDLE on frontend 2.
async fn notification_latency(c: &Cluster) {
    tracing_like("phase 1: change notification across frontends");
    let (f1, f2) = (c.frontends[0].imap, c.frontends[1].imap);
    let who = "notify@example.org";
    let mut writer = connect(f1, who).await;
    let mut idler = connect(f2, who).await;
    let (mut appends, mut stores, mut expunges) = (Vec::new(), Vec::new(), Vec::new());
    for round in 0..15 {
        let tag = idler.start_idle().await.unwrap();
        // APPEND → EXISTS
        let t = Instant::now();
        let r = writer
            .command_with_literal(
                "APPEND INBOX",
                &message(&format!("notify-{round}"), 500),
                "",
            )
            .await
            .unwrap();
        assert_eq!(r.status(), Status::Ok, "{}", r.tagged);
        appends.push(until(&mut idler, t, |u| matches!(u, Untagged::Exists(_))).await);
        writer.command("NOOP").await.unwrap();
        // STORE → FETCH (FLAGS)
        let t = Instant::now();
        let r = writer
            .command("STORE 1:* +FLAGS (\\Deleted)")
            .await
            .unwrap();
        assert_eq!(r.status(), Status::Ok, "{}", r.tagged);
        stores.push(until(&mut idler, t, |u| matches!(u, Untagged::Fetch { .. })).await);
        // EXPUNGE → EXPUNGE
        let t = Instant::now();
        let r = writer.command("EXPUNGE").await.unwrap();
        assert_eq!(r.status(), Status::Ok, "{}", r.tagged);
        expunges.push(until(&mut idler, t, |u| matches!(u, Untagged::Expunge(_))).await);
        // Drain what else came (more FETCH/EXPUNGE of the same changes), then DONE.
        while idler
            .next_untagged(Duration::from_millis(50))
            .await
            .unwrap()
            .is_some()
        {}
        let done = idler.finish_idle(&tag).await.unwrap();
        assert_eq!(done.status(), Status::Ok, "{}", done.tagged);
    }
    let all: Vec<Duration> = appends
        .iter()
        .chain(&stores)
        .chain(&expunges)
        .copied()
        .collect();
    let worst = *all.iter().max().unwrap();
    println!(
        "notification latency frontend 1 -> frontend 2 (median of 15 each): APPEND {:?}, \
         STORE {:?}, EXPUNGE {:?}; all {}: median {:?}, max {worst:?}",
        median(appends),
        median(stores),
        median(expunges),
        all.len(),
        median(all.clone())
    );
    assert!(
        worst < Duration::from_secs(1),
        "a change took {worst:?} to reach the other frontend"
    );
}

/// Phase 1b: a command sent right after an APPEND through the other frontend sees the new
/// message, its EXISTS first (RFC 9051 §5.2; issue 17 item 9): 20 rounds, each asserting the
/// reader's UID SEARCH holds the UID the writer was given and comes after the EXISTS.
async fn new_mail_seen_by_the_next_command(c: &Cluster) {
    tracing_like("phase 1b: the next command sees new mail across frontends");
    let (f1, f2) = (c.frontends[0].imap, c.frontends[1].imap);
    let who = "nextcmd@example.org";
    let mut writer = connect(f1, who).await;
    let mut reader = connect(f2, who).await;
    for round in 0..20 {
        let r = writer
            .command_with_literal("APPEND INBOX", &message(&format!("next-{round}"), 300), "")
            .await
            .unwrap();
        let (_, uid) = append_uid(&r.tagged).expect("APPENDUID");
        let r = reader.command("UID SEARCH ALL").await.unwrap();
        assert_eq!(r.status(), Status::Ok, "{}", r.tagged);
        let parsed: Vec<Untagged> = r
            .untagged
            .iter()
            .map(|l| parse_untagged(l).expect("well-formed"))
            .collect();
        let exists = parsed
            .iter()
            .position(|u| *u == Untagged::Exists(round + 1));
        let search = parsed.iter().position(|u| matches!(u, Untagged::Search(_)));
        assert!(
            exists.is_some() && exists < search,
            "round {round}: EXISTS {} first: {parsed:?}",
            round + 1
        );
        assert!(
            r.searches()[0].contains(&uid),
            "round {round}: UID {uid} missing from {parsed:?}"
        );
    }
}

/// Phase 2: the load generator, 50 clients over both frontends.
async fn mixed_load(c: &Cluster) {
    tracing_like("phase 2: 50 clients of mixed work on both frontends");
    let addrs: Vec<SocketAddr> = c.frontends.iter().map(|f| f.imap).collect();
    let report = strata_loadgen::run(strata_loadgen::RunOptions {
        clients: 50,
        duration: Duration::from_secs(15),
        warmup: Duration::from_secs(1),
        mix: Mix::parse(DEFAULT_MIX).unwrap(),
        idle: Duration::from_millis(300),
        message_size: 2000,
        seed: 11,
        target: move |k| target(addrs[k % addrs.len()], user(k)),
    })
    .await;
    print!("{}", report.table());
    assert_eq!(report.errors, 0, "{:#?}", report.samples);
    assert_eq!(report.inconsistencies, 0, "{:#?}", report.samples);
    assert!(report.total_ops > 500, "{}", report.table());
}

/// The numbers STATUS gives, from one frontend.
async fn status(addr: SocketAddr, who: &str, mailbox: &str) -> (u32, u32) {
    let (mut conn, _) = login(&target(addr, who.to_string())).await.unwrap();
    let r = conn
        .command(&format!("STATUS {mailbox} (MESSAGES UIDNEXT)"))
        .await
        .unwrap();
    assert_eq!(r.status(), Status::Ok, "{}", r.tagged);
    let line = String::from_utf8_lossy(&r.untagged[0]).to_string();
    let num = |key: &str| -> u32 {
        let at = line.find(key).unwrap_or_else(|| panic!("{key} in {line}"));
        line[at + key.len() + 1..]
            .split([' ', ')'])
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    (num("MESSAGES"), num("UIDNEXT"))
}

/// Every UID of INBOX with its Message-ID, through one frontend.
async fn inbox(addr: SocketAddr, who: &str) -> Vec<(u32, String)> {
    let mut conn = connect(addr, who).await;
    let r = conn
        .command("UID FETCH 1:* (UID BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)])")
        .await
        .unwrap();
    assert_eq!(r.status(), Status::Ok, "{}", r.tagged);
    let mut out = Vec::new();
    for line in &r.untagged {
        let text = String::from_utf8_lossy(line);
        let Ok(Untagged::Fetch { uid: Some(uid), .. }) = parse_untagged(line) else {
            continue;
        };
        let id = text
            .find('<')
            .and_then(|a| text[a..].find('>').map(|b| text[a + 1..a + b].to_string()))
            .unwrap_or_default();
        out.push((uid, id));
    }
    out
}

/// Phase 3: the invariants, on every account, through both frontends and in the database.
async fn invariants(c: &Cluster, frontends: &[SocketAddr]) {
    tracing_like("phase 3: invariants");
    for k in 0..USERS {
        let who = user(k);
        let mut seen = Vec::new();
        for &f in frontends {
            seen.push(status(f, &who, "INBOX").await);
        }
        assert!(
            seen.windows(2).all(|w| w[0] == w[1]),
            "{who}: frontends disagree on STATUS: {seen:?}"
        );
        let (messages, uid_next) = seen[0];
        let listed = inbox(frontends[0], &who).await;
        assert_eq!(listed.len() as u32, messages, "{who}: FETCH 1:* vs STATUS");
        let uids: Vec<u32> = listed.iter().map(|(u, _)| *u).collect();
        assert!(
            uids.windows(2).all(|w| w[0] < w[1]),
            "{who}: UIDs not strictly ascending"
        );
        assert!(uids.iter().all(|&u| u < uid_next), "{who}: a UID ≥ UIDNEXT");
        let db = query(
            &c.database_url,
            &format!(
                "SELECT count(*) FROM messages m JOIN mailboxes b ON b.id = m.mailbox_id \
                 JOIN accounts a ON a.id = b.account_id \
                 WHERE a.address = '{who}' AND b.name = 'INBOX'"
            ),
        );
        assert_eq!(db, messages.to_string(), "{who}: database vs STATUS");
    }
    // No UID reused: no expunged UID is live again, in any mailbox.
    let reused = query(
        &c.database_url,
        "SELECT count(*) FROM expunged e JOIN messages m \
         ON m.mailbox_id = e.mailbox_id AND m.uid = e.uid",
    );
    assert_eq!(reused, "0", "an expunged UID is in use again");
}

/// One writer of phase 4: appends until `stop`, reconnecting to the frontends in turn when a
/// connection breaks; returns every acknowledged (Message-ID, UID).
async fn writer(
    i: usize,
    frontends: Vec<SocketAddr>,
    stop: Instant,
) -> (String, Vec<(String, u32)>, usize) {
    let who = user(i);
    let mut acked = Vec::new();
    let mut failures = 0;
    let mut turn = i;
    let mut conn: Option<Conn> = None;
    let mut n = 0;
    while Instant::now() < stop {
        let c = match conn.as_mut() {
            Some(c) => c,
            None => {
                let addr = frontends[turn % frontends.len()];
                turn += 1;
                match login(&target(addr, who.clone())).await {
                    Ok((c, _)) => conn.insert(c),
                    Err(_) => {
                        failures += 1;
                        tokio::time::sleep(Duration::from_millis(100)).await;
                        continue;
                    }
                }
            }
        };
        n += 1;
        let id = format!("failover-{i}-{n}");
        match c
            .command_with_literal("APPEND INBOX", &message(&id, 1500), "")
            .await
        {
            Ok(r) if r.status() == Status::Ok => {
                let (_, uid) = append_uid(&r.tagged).expect("APPENDUID in the tagged OK");
                acked.push((id, uid));
            }
            // NO [UNAVAILABLE] while a replica dies: not acknowledged, try again.
            Ok(_) => failures += 1,
            Err(_) => {
                failures += 1;
                conn = None;
            }
        }
    }
    (who, acked, failures)
}

/// Phase 4: kill -9 one metad and one frontend under write load.
async fn failover(c: &mut Cluster) {
    tracing_like("phase 4: kill -9 of one metad and one frontend under load");
    let frontends: Vec<SocketAddr> = c.frontends.iter().map(|f| f.imap).collect();
    let stop = Instant::now() + Duration::from_secs(10);
    let writers: Vec<_> = (0..10)
        .map(|i| tokio::spawn(writer(i, frontends.clone(), stop)))
        .collect();
    tokio::time::sleep(Duration::from_secs(3)).await;
    let (leader, _, _) = raft_status(c, 0).expect("status");
    let leader = leader.expect("a leader before the kill");
    let victim = (leader - 1) as usize;
    let killed_at = Instant::now();
    Cluster::kill(&mut c.metads[victim].proc);
    Cluster::kill(&mut c.frontends[0].proc);
    println!("killed metad {leader} (the raft leader) and frontend 1 with SIGKILL");
    let survivor = (victim + 1) % 3;
    let new_leader = wait_for(
        "a new raft leader",
        Duration::from_secs(15),
        || matches!(raft_status(c, survivor), Some((Some(l), _, _)) if l != leader),
    );
    let moved = wait_for(
        "the dead replica's shards moved",
        Duration::from_secs(15),
        || matches!(raft_status(c, survivor), Some((Some(_), _, s)) if !s.values().any(|&n| n == leader)),
    );
    println!(
        "failover: new raft leader {:?} after the kill, shards moved {:?} after that",
        new_leader, moved
    );
    let mut acked: BTreeMap<String, Vec<(String, u32)>> = BTreeMap::new();
    let mut failures = 0;
    for w in writers {
        let (who, list, f) = w.await.unwrap();
        failures += f;
        acked.entry(who).or_default().extend(list);
    }
    let total: usize = acked.values().map(Vec::len).sum();
    println!(
        "failover: {total} appends acknowledged, {failures} failed or refused around the kill \
         ({:?} after it)",
        killed_at.elapsed()
    );
    assert!(total > 50, "too few acknowledged appends: {total}");
    // Every acknowledged append is there exactly once, under its acknowledged UID.
    let live = c.frontends[1].imap;
    for (who, list) in &acked {
        let listed = inbox(live, who).await;
        let mut by_id: BTreeMap<&str, Vec<u32>> = BTreeMap::new();
        for (uid, id) in &listed {
            by_id
                .entry(id.trim_end_matches("@cluster.test"))
                .or_default()
                .push(*uid);
        }
        let uids: BTreeSet<u32> = list.iter().map(|(_, u)| *u).collect();
        assert_eq!(uids.len(), list.len(), "{who}: a UID acknowledged twice");
        for (id, uid) in list {
            assert_eq!(
                by_id.get(id.as_str()),
                Some(&vec![*uid]),
                "{who}: acknowledged {id} (UID {uid}) is not there exactly once"
            );
        }
    }
    invariants(c, &[live]).await;
    // The killed replica comes back from its data dir and rejoins.
    c.restart_metad(victim);
    let back = wait_for(
        "the restarted replica rejoins",
        Duration::from_secs(20),
        || matches!(raft_status(c, victim), Some((Some(_), 3, _))),
    );
    println!("metad {leader} restarted and rejoined in {back:?}");
}

/// `strata admin --endpoint <metad i> ARGS` with `token` (none: no token at all).
fn admin(c: &Cluster, i: usize, token: Option<&str>, args: &[&str]) -> std::process::Output {
    admin_input(c, i, token, args, None)
}

/// [`admin`] with `line` on its stdin (for `--password-stdin`).
fn admin_input(
    c: &Cluster,
    i: usize,
    token: Option<&str>,
    args: &[&str],
    line: Option<&str>,
) -> std::process::Output {
    use std::process::Stdio;
    let mut cmd = Command::new(BIN);
    cmd.args(["admin", "--endpoint"])
        .arg(format!("http://{}", c.metads[i].admin))
        .args(args)
        .env_remove("STRATA_ADMIN_TOKEN")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(t) = token {
        cmd.env("STRATA_ADMIN_TOKEN", t);
    }
    let mut child = cmd.spawn().expect("strata admin runs");
    let mut stdin = child.stdin.take().unwrap();
    if let Some(line) = line {
        use std::io::Write;
        writeln!(stdin, "{line}").unwrap();
    }
    drop(stdin);
    child.wait_with_output().expect("strata admin runs")
}

/// `admin` that must succeed; its stdout.
fn admin_ok(c: &Cluster, i: usize, args: &[&str]) -> String {
    let out = admin(c, i, Some(&c.admin_token), args);
    assert!(
        out.status.success(),
        "strata admin {args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The cluster as metad `i` reports it: (leader, reachable members, shard → node).
fn raft_status(c: &Cluster, i: usize) -> Option<(Option<u64>, usize, BTreeMap<u32, u64>)> {
    let out = admin(c, i, Some(&c.admin_token), &["cluster", "status"]);
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let mut leader = None;
    let mut reachable = 0;
    let mut shards = BTreeMap::new();
    for line in text.lines() {
        let f: Vec<&str> = line.split('\t').collect();
        match f.as_slice() {
            ["leader", l] => leader = l.parse().ok(),
            ["member", _, _, _, r, ..] if *r == "reachable" => reachable += 1,
            ["shard", s, n] => {
                shards.insert(s.parse().ok()?, n.parse().ok()?);
            }
            _ => {}
        }
    }
    Some((leader, reachable, shards))
}

/// Polls `check` every 50 ms until it holds; how long that took (panics after `limit`).
fn wait_for(what: &str, limit: Duration, mut check: impl FnMut() -> bool) -> Duration {
    let t = Instant::now();
    while !check() {
        assert!(t.elapsed() < limit, "{what}: not within {limit:?}");
        std::thread::sleep(Duration::from_millis(50));
    }
    t.elapsed()
}

/// Phase 0: the raft group formed, and placed every shard.
fn control_plane(c: &Cluster) {
    tracing_like("phase 0: raft control plane");
    let took = wait_for(
        "a leader, 3 reachable members, 4 shards placed",
        Duration::from_secs(20),
        || matches!(raft_status(c, 0), Some((Some(_), 3, ref s)) if s.len() == 4),
    );
    let (leader, _, shards) = raft_status(c, 0).unwrap();
    println!("raft: leader {leader:?}, shards {shards:?} ({took:?} after start)");
    for i in 1..3 {
        let (l, _, s) = raft_status(c, i).expect("status from every replica");
        assert_eq!((l, &s), (leader, &shards), "replica {i} sees another state");
    }
    let owners: BTreeSet<u64> = shards.values().copied().collect();
    assert_eq!(
        owners.len(),
        3,
        "4 shards over 3 replicas use all three: {shards:?}"
    );
    let status = admin_ok(c, 2, &["cluster", "status"]);
    assert!(
        status.contains("\tleader\n"),
        "the leader is marked:\n{status}"
    );
    assert!(
        status.contains("job\tsweep\t"),
        "the sweep has a holder:\n{status}"
    );
    // A setting written through one replica is replicated to all.
    admin_ok(c, 1, &["cluster", "set", "imap.greeting", "hello"]);
    wait_for(
        "the setting on every replica",
        Duration::from_secs(10),
        || {
            (0..3).all(|i| {
                let out = admin(c, i, Some(&c.admin_token), &["cluster", "status"]);
                String::from_utf8_lossy(&out.stdout).contains("setting\timap.greeting\thello")
            })
        },
    );
}

/// Phase 0b: the admin API through `strata admin`.
async fn admin_api(c: &Cluster) {
    tracing_like("phase 0b: admin API");
    let out = admin(c, 0, None, &["domain", "list"]);
    assert!(!out.status.success(), "a call without a token is refused");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("Unauthenticated")
            || String::from_utf8_lossy(&out.stderr)
                .to_lowercase()
                .contains("token"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = admin(
        c,
        1,
        Some("tenant-token-for-tests"),
        &["account", "list", "example.org"],
    );
    assert!(
        !out.status.success(),
        "a tenant token is refused for another domain"
    );
    let out = admin(c, 1, Some("tenant-token-for-tests"), &["cluster", "status"]);
    assert!(
        !out.status.success(),
        "a tenant token cannot read the cluster status"
    );
    // An account made through the API logs in on a frontend.
    let out = admin_input(
        c,
        1,
        Some("tenant-token-for-tests"),
        &[
            "account",
            "add",
            "admin-made@tenant.example",
            "--password-stdin",
        ],
        Some(PASSWORD),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut conn = connect(c.frontends[0].imap, "admin-made@tenant.example").await;
    // mbox import, then the messages through IMAP, then export gives the same messages.
    let mbox = c.dir.path().join("in.mbox");
    let mut text = String::new();
    for n in 0..3 {
        text.push_str(&format!(
            "From sender@example.org Tue Nov 24 06:00:0{n} 2026\n\
             From: sender@example.org\nSubject: imported {n}\nMessage-ID: <imp{n}@x>\n\n\
             >From here on, line {n}.\n\n"
        ));
    }
    std::fs::write(&mbox, &text).unwrap();
    let user = "admin-made@tenant.example";
    admin_ok(
        c,
        2,
        &["import", user, "Imported", "--mbox", mbox.to_str().unwrap()],
    );
    let r = conn.command("STATUS Imported (MESSAGES)").await.unwrap();
    assert_eq!(r.status(), Status::Ok, "{}", r.tagged);
    assert!(
        String::from_utf8_lossy(&r.untagged[0]).contains("MESSAGES 3"),
        "{:?}",
        String::from_utf8_lossy(&r.untagged[0])
    );
    let back = c.dir.path().join("out.mbox");
    admin_ok(
        c,
        0,
        &["export", user, "Imported", "--mbox", back.to_str().unwrap()],
    );
    let exported = std::fs::read_to_string(&back).unwrap();
    for n in 0..3 {
        assert!(
            exported.contains(&format!("Subject: imported {n}\n")),
            "{exported}"
        );
        assert!(
            exported.contains(&format!(">From here on, line {n}.")),
            "{exported}"
        );
    }
    let reindexed = admin_ok(c, 1, &["reindex", user]);
    assert!(
        reindexed.contains('3') || reindexed.contains("bodies"),
        "{reindexed}"
    );
    login_cache_across_frontends(c, user).await;
}

/// LOGIN `user` with `password` on `addr`: whether the server said OK.
async fn logs_in(addr: SocketAddr, user: &str, password: &str) -> bool {
    let mut t = target(addr, user.to_string());
    t.password = password.to_string();
    login(&t).await.is_ok()
}

/// Phase 0b, end: both frontends have `user`'s login cached; a password change through the
/// admin API refuses the old password on both at once, and so does deleting the account.
async fn login_cache_across_frontends(c: &Cluster, user: &str) {
    for f in &c.frontends {
        assert!(
            logs_in(f.imap, user, PASSWORD).await,
            "warm the login cache"
        );
        assert!(logs_in(f.imap, user, PASSWORD).await);
    }
    let out = admin_input(
        c,
        2,
        Some("tenant-token-for-tests"),
        &["account", "passwd", user, "--password-stdin"],
        Some(&format!("changed-{PASSWORD}")),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let changed = format!("changed-{PASSWORD}");
    for f in &c.frontends {
        assert!(
            !logs_in(f.imap, user, PASSWORD).await,
            "the old password is refused on {} at once",
            f.imap
        );
        assert!(logs_in(f.imap, user, &changed).await);
    }
    admin_ok(c, 0, &["account", "del", user]);
    for f in &c.frontends {
        assert!(
            !logs_in(f.imap, user, &changed).await,
            "a deleted account is refused on {} at once",
            f.imap
        );
    }
}

/// Phase 0c: a text SEARCH on a frontend is answered from the shard owner's index.
async fn search_routing(c: &Cluster) {
    tracing_like("phase 0c: search routing to the shard owner");
    let who = "search@example.org";
    let mut w = connect(c.frontends[0].imap, who).await;
    for i in 0..12 {
        let word = ["zebracorn", "narwhalish", "okapiform"][i % 3];
        let body = format!(
            "From: a@example.org\r\nSubject: search {i} {}\r\nMessage-ID: <s{i}@x>\r\n\r\n\
             Line one.\r\nThe {word} appears here.\r\n",
            if i % 4 == 0 { "okapiform" } else { "plain" }
        );
        let r = w
            .command_with_literal("APPEND INBOX", body.as_bytes(), "")
            .await
            .unwrap();
        assert_eq!(r.status(), Status::Ok, "{}", r.tagged);
    }
    let ids = query(
        &c.database_url,
        &format!(
            "SELECT a.id || ' ' || b.id FROM accounts a JOIN mailboxes b ON b.account_id = a.id \
             WHERE a.address = '{who}' AND b.name = 'INBOX'"
        ),
    );
    let (account, mailbox) = ids.split_once(' ').unwrap();
    let (account, mailbox): (i64, i64) = (account.parse().unwrap(), mailbox.parse().unwrap());
    // Wait until the owner's index has all 12 (its watermark passed the last UID).
    let endpoint = tonic::transport::Endpoint::from_shared(format!("http://{}", c.metads[2].grpc))
        .unwrap()
        .connect()
        .await
        .unwrap();
    // The cluster port refuses calls without the cluster secret.
    let mut stranger = metad::pb::search_client::SearchClient::new(endpoint.clone());
    let refused = stranger
        .verdicts(metad::pb::VerdictsRequest {
            account,
            mailbox,
            keys: Vec::new(),
            forwarded: false,
        })
        .await
        .expect_err("a call without the cluster secret");
    assert_eq!(refused.code(), tonic::Code::Unauthenticated, "{refused:?}");
    let mut client = metad::pb::search_client::SearchClient::new(
        strata_control::auth::SecretChannel::new(endpoint, Some(support::cluster::CLUSTER_SECRET)),
    );
    let t = Instant::now();
    loop {
        let reply = client
            .verdicts(metad::pb::VerdictsRequest {
                account,
                mailbox,
                keys: metad::search::keys_to_pb(&[imap_proto::command::SearchKey::Body(
                    "zebracorn".into(),
                )]),
                forwarded: false,
            })
            .await;
        if let Ok(r) = reply
            && r.get_ref().watermark > 12
        {
            break;
        }
        assert!(t.elapsed() < Duration::from_secs(20), "not indexed in 20 s");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    println!(
        "indexed on the shard owner {:?} after the last APPEND",
        t.elapsed()
    );
    // Remove every body of this mailbox from S3: only the index can answer now.
    let blobs = query(
        &c.database_url,
        &format!("SELECT blob FROM messages WHERE mailbox_id = {mailbox}"),
    );
    let mut removed = 0;
    for hex in blobs.lines() {
        for entry in walk(&c.dir.path().join("s3")) {
            if entry.to_string_lossy().contains(hex.trim()) {
                std::fs::remove_file(&entry).unwrap();
                removed += 1;
            }
        }
    }
    assert_eq!(removed, 12, "every body was found in the S3 folder");
    let mut r = connect(c.frontends[1].imap, who).await;
    let reply = r.command("UID SEARCH BODY narwhalish").await.unwrap();
    assert_eq!(reply.status(), Status::Ok, "{}", reply.tagged);
    assert_eq!(reply.searches(), vec![vec![2, 5, 8, 11]]);
    let reply = r
        .command("UID SEARCH OR BODY zebracorn SUBJECT okapiform")
        .await
        .unwrap();
    assert_eq!(reply.status(), Status::Ok, "{}", reply.tagged);
    // Bodies with zebracorn: UIDs 1, 4, 7, 10; subjects with okapiform: UIDs 1, 5, 9.
    assert_eq!(reply.searches(), vec![vec![1, 4, 5, 7, 9, 10]]);
    // A needle too short for the index's grams has no verdict: the frontend must read the
    // body, which is gone, so the command fails cleanly (and says so) instead of guessing.
    let reply = r.command("UID SEARCH BODY ok").await.unwrap();
    assert_ne!(reply.status(), Status::Ok, "{:?}", reply.searches());
}

/// Phase 0d: the same real-client suite the all-in-one server passes (Python's imapclient
/// through every advertised command, IDLE, QRESYNC), against a frontend of the cluster.
fn imapclient_suite(c: &Cluster) {
    tracing_like("phase 0d: imapclient suite against frontend 2");
    let who = "imapclient@example.org";
    c.add_user(who, "s3cret pass");
    let out = c.strata(
        &[
            "user",
            "quota",
            who,
            "--storage",
            "5242880",
            "--messages",
            "1000",
        ],
        "",
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = support::python(
        "imapclient_full.py",
        &[&c.frontends[1].imap.port().to_string(), who, "s3cret pass"],
    );
    assert!(out.contains("imapclient: all"), "{out}");
}

/// Every file below `dir`.
fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(walk(&p));
            } else {
                out.push(p);
            }
        }
    }
    out
}

/// Progress lines, so a failure shows how far the story got.
fn tracing_like(phase: &str) {
    println!("--- {phase}");
}

/// See the module docs.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn cluster_of_three_metads_and_two_frontends() {
    let mut c = Cluster::start(Shape {
        metads: 3,
        frontends: 2,
        extra: String::new(),
    });
    for k in 0..USERS {
        c.add_user(&user(k), PASSWORD);
    }
    c.add_user("notify@example.org", PASSWORD);
    c.add_user("search@example.org", PASSWORD);
    c.add_user("nextcmd@example.org", PASSWORD);
    control_plane(&c);
    admin_api(&c).await;
    search_routing(&c).await;
    imapclient_suite(&c);
    notification_latency(&c).await;
    new_mail_seen_by_the_next_command(&c).await;
    mixed_load(&c).await;
    let all: Vec<SocketAddr> = c.frontends.iter().map(|f| f.imap).collect();
    invariants(&c, &all).await;
    failover(&mut c).await;
    drop(c);
}

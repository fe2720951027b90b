//! The cluster shape end to end: PostgreSQL, an S3 server (s3s-fs), 3 `strata metad` and 2
//! `strata frontend` processes on loopback, and real IMAP clients on both frontends.
//!
//! One story, in phases (starting a cluster costs seconds, so they share it):
//! 1. change notification across frontends: a client IDLEs on frontend 2 while another
//!    appends, stores and expunges through frontend 1; each change must reach the idler within
//!    one second (the medians are printed);
//! 2. 50 clients of the load generator on both frontends, sharing five mailboxes, with every
//!    response and state check of the load generator;
//! 3. the invariants: no UID reused, nothing acknowledged lost, counts agree (both frontends,
//!    STATUS, SEARCH and the database);
//! 4. failover: writers keep appending while one metad and one frontend are killed with
//!    `kill -9`; the writers reconnect to the survivors; every acknowledged APPEND is there,
//!    once, with its acknowledged UID.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use strata_loadgen::client::{DEFAULT_MIX, Mix, Target, login};
use strata_loadgen::conn::{Conn, Status, Untagged, parse_untagged};
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
    let killed_at = Instant::now();
    Cluster::kill(&mut c.metads[0].proc);
    Cluster::kill(&mut c.frontends[0].proc);
    println!("killed metad 1 and frontend 1 with SIGKILL");
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
    let survivor = c.frontends[1].imap;
    for (who, list) in &acked {
        let listed = inbox(survivor, who).await;
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
    invariants(c, &[survivor]).await;
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
    notification_latency(&c).await;
    mixed_load(&c).await;
    let all: Vec<SocketAddr> = c.frontends.iter().map(|f| f.imap).collect();
    invariants(&c, &all).await;
    failover(&mut c).await;
    drop(c);
}

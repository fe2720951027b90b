//! Metadata store figures on both backends: appends per second, and the latency of a select
//! snapshot and of changes-since on a 100,000-message mailbox.
//!
//! Run: `STRATA_TEST_PG_URL=postgres://… cargo bench -p strata-benches --bench store`
//! (`.ci/run` sets up such a server; without the variable only SQLite is measured and the
//! output says so). Times are medians; compare backends within one run, never across machines.

use std::sync::Arc;
use std::time::{Duration, Instant};
use store::{BlobRef, Flags, MailStore, NewMessage, PgStore, SqliteStore};

const MAILBOX_SIZE: u64 = 100_000;

fn msg(n: u64) -> NewMessage {
    let mut sha256 = [0u8; 32];
    sha256[..8].copy_from_slice(&n.to_be_bytes());
    NewMessage {
        blob: BlobRef { sha256 },
        size: 4_000 + n % 50_000,
        internal_date: 1_700_000_000 + n as i64,
        internal_zone: 0,
        flags: Flags::new(if n.is_multiple_of(3) { Flags::SEEN } else { 0 }, []),
        // About the size of real facts (envelope + bodystructure + part map).
        facts: vec![b'f'; 1_200],
        put_started_ms: store::now_ms(),
    }
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

async fn run(name: &str, store: Arc<dyn MailStore>) {
    let account = store
        .create_account("bench@example.org", "x")
        .await
        .expect("account");
    let inbox = store.mailbox(account, "INBOX").await.expect("inbox").id;

    // Appends per second: 8 concurrent writers, one message per append (each one durable).
    let start = Instant::now();
    let writers: Vec<_> = (0..8u64)
        .map(|w| {
            let s = store.clone();
            tokio::spawn(async move {
                for i in 0..250u64 {
                    s.append(account, inbox, vec![msg(w * 1_000_000 + i)])
                        .await
                        .expect("append");
                }
            })
        })
        .collect();
    for w in writers {
        w.await.expect("writer");
    }
    let appends_per_s = 2_000.0 / start.elapsed().as_secs_f64();

    // Fill to 100,000 with batches (MULTIAPPEND of 1,000).
    let mut n = 10_000_000u64;
    let mut have = 2_000u64;
    while have < MAILBOX_SIZE {
        let batch = (MAILBOX_SIZE - have).min(1_000);
        store
            .append(account, inbox, (0..batch).map(|i| msg(n + i)).collect())
            .await
            .expect("fill");
        n += batch;
        have += batch;
    }

    let mut snaps = Vec::new();
    for _ in 0..15 {
        let t = Instant::now();
        let s = store.snapshot(account, inbox).await.expect("snapshot");
        snaps.push(t.elapsed());
        assert_eq!(s.messages.len() as u64, MAILBOX_SIZE);
    }
    let top = store
        .status(account, inbox)
        .await
        .expect("status")
        .highest_modseq;
    let mut changes = Vec::new();
    for _ in 0..50 {
        let t = Instant::now();
        let c = store
            .changes_since(account, inbox, top - 10)
            .await
            .expect("changes");
        changes.push(t.elapsed());
        assert_eq!(c.changed.len(), 10_000);
    }
    let mut idle = Vec::new();
    for _ in 0..50 {
        let t = Instant::now();
        let c = store
            .changes_since(account, inbox, top)
            .await
            .expect("changes");
        idle.push(t.elapsed());
        assert!(c.changed.is_empty());
    }
    println!(
        "{name:10} appends/s {appends_per_s:8.0} | snapshot(100k) {:>9.2?} | \
         changes_since(last 10 batches = 10k msgs) {:>9.2?} | changes_since(nothing new) {:>9.2?}",
        median(snaps),
        median(changes),
        median(idle)
    );
}

#[tokio::main]
async fn main() {
    if !std::env::args().any(|a| a == "--bench") {
        // `cargo bench` passes --bench; `cargo test --benches` does not, and a real run takes
        // minutes (the same rule criterion uses for its test mode).
        println!("store bench: not run in test mode (use cargo bench)");
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let sqlite = SqliteStore::open(&dir.path().join("bench.db"))
        .await
        .expect("sqlite");
    run("sqlite", Arc::new(sqlite)).await;
    match std::env::var("STRATA_TEST_PG_URL") {
        Ok(admin) => {
            let db = format!("strata_bench_{}", std::process::id());
            let mut c = <sqlx::PgConnection as sqlx::Connection>::connect(&admin)
                .await
                .expect("pg");
            let create = format!("CREATE DATABASE {db}");
            sqlx::Executor::execute(&mut c, sqlx::AssertSqlSafe(create))
                .await
                .expect("create");
            let url = format!("{}/{db}", admin.rsplit_once('/').expect("db in url").0);
            let pg = PgStore::open(&url, 16).await.expect("postgres");
            run("postgres", Arc::new(pg)).await;
            let drop = format!("DROP DATABASE {db} WITH (FORCE)");
            sqlx::Executor::execute(&mut c, sqlx::AssertSqlSafe(drop))
                .await
                .expect("drop");
        }
        Err(_) => println!("postgres   not measured: STRATA_TEST_PG_URL is not set"),
    }
}

//! Mailbox hot paths on a SQLite `SqliteStore` in a temporary directory, over one INBOX of
//! 10,000 messages that is filled once and reused by every iteration:
//!
//! * `store_flags/{1,100,1000}`: one STORE (`MailStore::store_flags`) of that many messages,
//!   alternately adding and removing `\Flagged` so that every call changes every message. Each
//!   call is one durable commit, so the figure depends on the disk under the temp directory.
//! * `select/snapshot_10k`: `MailStore::snapshot`, the consistent read SELECT starts from.
//! * `select/snapshot_view_10k`: the same read plus the session's `MailboxView::new`, the state
//!   the session keeps for the selected mailbox.
//!
//! Store calls run through `Runtime::block_on` inside `b.iter` (the workspace's criterion has
//! no `async_tokio` feature).
//!
//! Run: `cargo bench -p strata-benches --bench mailbox`. In test mode (`cargo test --benches`,
//! as `.ci/run` does) each benchmark runs once and the fill takes most of the time.

use criterion::{
    BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group, criterion_main,
};
use imap_server::view::MailboxView;
use store::prelude::*;
use store::{AccountId, BlobRef, FlagOp, FlagUpdate, Flags, MailboxId, NewMessage, SqliteStore};
use tokio::runtime::Runtime;

/// Messages in the benchmark's INBOX.
const MAILBOX_SIZE: u32 = 10_000;

/// Messages per APPEND while filling (a MULTIAPPEND), to keep the fill short.
const FILL_BATCH: u32 = 1_000;

/// Messages changed by one STORE, one benchmark each.
const STORE_SIZES: [usize; 3] = [1, 100, 1_000];

/// The store with its filled INBOX. `_dir` holds the database until the benchmark ends.
struct Fixture {
    _dir: tempfile::TempDir,
    store: SqliteStore,
    account: AccountId,
    inbox: MailboxId,
    /// The INBOX's UIDs, ascending.
    uids: Vec<u32>,
}

/// Message `n` of the fill: mostly read, some answered, some with keywords, none `\Flagged`
/// (the STORE benchmarks start from unflagged messages).
fn msg(n: u32) -> NewMessage {
    let mut sha256 = [0u8; 32];
    sha256[..4].copy_from_slice(&n.to_be_bytes());
    let mut system = 0;
    if !n.is_multiple_of(10) {
        system |= Flags::SEEN;
    }
    if n.is_multiple_of(7) {
        system |= Flags::ANSWERED;
    }
    let mut keywords = Vec::new();
    if n.is_multiple_of(5) {
        keywords.push("$Forwarded".to_string());
    }
    if n.is_multiple_of(4) {
        keywords.push("NonJunk".to_string());
    }
    NewMessage {
        blob: BlobRef { sha256 },
        size: 4_000 + u64::from(n % 50_000),
        internal_date: 1_700_000_000 + i64::from(n),
        internal_zone: 0,
        flags: Flags::new(system, keywords),
        // About the size of real facts (envelope + bodystructure + part map).
        facts: vec![b'f'; 1_200],
        put_started_ms: store::now_ms(),
    }
}

impl Fixture {
    async fn fill() -> Fixture {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = SqliteStore::open(&dir.path().join("bench.db"))
            .await
            .expect("sqlite");
        let account = store
            .create_account("bench@example.org", "x")
            .await
            .expect("account");
        let inbox = store.mailbox(account, "INBOX").await.expect("inbox").id;
        let mut uids = Vec::with_capacity(MAILBOX_SIZE as usize);
        for start in (0..MAILBOX_SIZE).step_by(FILL_BATCH as usize) {
            let batch = (start..start + FILL_BATCH).map(msg).collect();
            let appended = store.append(account, inbox, batch).await.expect("fill");
            uids.extend(appended.uids);
        }
        Fixture {
            _dir: dir,
            store,
            account,
            inbox,
            uids,
        }
    }
}

fn bench(c: &mut Criterion) {
    let rt = Runtime::new().expect("tokio runtime");
    let fx = rt.block_on(Fixture::fill());
    let snapshot = rt
        .block_on(fx.store.snapshot(fx.account, fx.inbox))
        .expect("snapshot");
    assert_eq!(snapshot.messages.len(), MAILBOX_SIZE as usize);

    let mut g = c.benchmark_group("store_flags");
    // A call takes milliseconds: flat sampling keeps a run within its measurement time.
    g.sampling_mode(SamplingMode::Flat).sample_size(20);
    // Each size gets its own UIDs, so its first call always finds them unflagged.
    let mut rest = fx.uids.as_slice();
    for n in STORE_SIZES {
        let (uids, tail) = rest.split_at(n);
        rest = tail;
        let mut flagged = false;
        g.throughput(Throughput::Elements(n as u64));
        g.bench_function(BenchmarkId::from_parameter(n), |b| {
            b.iter(|| {
                let update = FlagUpdate {
                    uids: uids.to_vec(),
                    op: if flagged { FlagOp::Remove } else { FlagOp::Add },
                    flags: Flags::new(Flags::FLAGGED, []),
                    unchanged_since: None,
                };
                flagged = !flagged;
                let done = rt
                    .block_on(fx.store.store_flags(fx.account, fx.inbox, update))
                    .expect("store_flags");
                assert_eq!(done.updated.len(), n, "every call changes every message");
                done
            })
        });
    }
    g.finish();

    let mut g = c.benchmark_group("select");
    g.sampling_mode(SamplingMode::Flat).sample_size(20);
    g.throughput(Throughput::Elements(u64::from(MAILBOX_SIZE)));
    g.bench_function("snapshot_10k", |b| {
        b.iter(|| {
            rt.block_on(fx.store.snapshot(fx.account, fx.inbox))
                .expect("snapshot")
        })
    });
    g.bench_function("snapshot_view_10k", |b| {
        b.iter(|| {
            let snapshot = rt
                .block_on(fx.store.snapshot(fx.account, fx.inbox))
                .expect("snapshot");
            // As SELECT does for an IMAP4rev2 session (no \Recent), without QRESYNC.
            MailboxView::new(snapshot, 0..0, false)
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

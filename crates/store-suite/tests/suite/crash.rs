//! Crash safety (ARCHITECTURE.md invariant 3): an acknowledged append survives `kill -9`, and no
//! message row ever points at a body that is not in the blob store, whether an append fails
//! between the body write and the metadata commit or races the sweep.
//!
//! The `kill -9` case runs a real child process: this test binary started again with
//! `--ignored --exact crash_child` and a spec in [`CHILD_ENV`]. The child appends batches of
//! three messages (MULTIAPPEND) through [`store::bodies::append_messages`] and prints one
//! `ACK` line per batch after the call returned; the parent kills it mid-run with SIGKILL and
//! then checks every acknowledged UID and every body.

use crate::cases::{Store, account, msg};
use crate::harness::Guard;
use blob_store::{BlobStore, BlobStoreConfig};
use bytes::Bytes;
use std::collections::HashSet;
use std::time::Duration;
use store::bodies::{IncomingMessage, SweepRefs, append_messages};
use store::*;
use tokio::io::{AsyncBufReadExt, BufReader};

/// The variable that turns the ignored `crash_child` test into the child process.
const CHILD_ENV: &str = "STRATA_CRASH_CHILD";

fn blobs_at(dir: &std::path::Path) -> BlobStore {
    let mut config = BlobStoreConfig::local(dir);
    config.verify_reads = true;
    BlobStore::new(config).expect("blob store")
}

/// Message `n` of the child: distinct content, 1–40 KB.
fn incoming(n: u64) -> IncomingMessage {
    let body = format!(
        "Subject: crash test {n}\r\n\r\n{}\r\n",
        "x".repeat(1000 + (n as usize * 997) % 40_000)
    );
    IncomingMessage {
        data: Bytes::from(body),
        flags: Flags::default(),
        internal_date: 1_700_000_000 + n as i64,
        internal_zone: 0,
        facts: n.to_string().into_bytes(),
    }
}

/// The child process: not a test on its own (it does nothing without [`CHILD_ENV`]), hence
/// ignored; the crash case runs it explicitly.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "the child process of kill_9_during_appends_loses_nothing_acknowledged"]
async fn crash_child() {
    let spec = std::env::var(CHILD_ENV).expect("run by the crash test, which sets the spec");
    let mut parts = spec.split('\n');
    let (store_spec, blob_dir) = (parts.next().unwrap(), parts.next().unwrap());
    let s = crate::harness::open(store_spec).await;
    let blobs = blobs_at(std::path::Path::new(blob_dir));
    let creds = s
        .credentials("crash@example.org")
        .await
        .unwrap()
        .expect("account exists");
    let inbox = s.mailbox(creds.account, "INBOX").await.unwrap().id;
    for batch in 0u64.. {
        let msgs: Vec<_> = (0..3).map(|i| incoming(batch * 3 + i)).collect();
        let r = append_messages(&blobs, s.as_ref(), creds.account, inbox, &msgs)
            .await
            .expect("append");
        let uids: Vec<String> = r.uids.iter().map(u32::to_string).collect();
        println!("ACK {}", uids.join(" "));
    }
}

/// `kill -9` of a process in the middle of a run of MULTIAPPENDs: every acknowledged UID is
/// there afterwards, every row's body is in the blob store with the right content, and quota
/// usage agrees with the rows.
pub async fn kill_9_during_appends_loses_nothing_acknowledged(s: Store, g: &Guard) {
    let (a, inbox) = account(&s, "crash@example.org").await;
    let blob_dir = tempfile::tempdir().unwrap();
    let mut child = tokio::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--ignored",
            "--exact",
            "crash::crash_child",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(
            CHILD_ENV,
            format!("{}\n{}", g.spec(), blob_dir.path().display()),
        )
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("start the child");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut acked: Vec<u32> = Vec::new();
    let read_acks = async {
        while let Some(line) = lines.next_line().await.unwrap() {
            if let Some(rest) = line.strip_prefix("ACK ") {
                acked.extend(rest.split(' ').map(|u| u.parse::<u32>().unwrap()));
                if acked.len() >= 60 {
                    break;
                }
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(120), read_acks)
        .await
        .expect("child acks in time");
    child.start_kill().expect("SIGKILL");
    // Lines the child finished writing before it died are acknowledgements too.
    while let Ok(Some(line)) = lines.next_line().await {
        if let Some(rest) = line.strip_prefix("ACK ") {
            acked.extend(rest.split(' ').map(|u| u.parse::<u32>().unwrap()));
        }
    }
    let status = child.wait().await.unwrap();
    assert!(
        !status.success(),
        "the child was killed, not finished: {status:?}"
    );

    let snap = s.snapshot(a, inbox).await.unwrap();
    let present: HashSet<u32> = snap.messages.iter().map(|m| m.uid).collect();
    for uid in &acked {
        assert!(present.contains(uid), "acknowledged UID {uid} lost");
    }
    assert!(snap.messages.len() >= acked.len());
    assert_eq!(
        snap.messages.len() % 3,
        0,
        "a MULTIAPPEND is all or nothing"
    );
    let blobs = blobs_at(blob_dir.path());
    let all: Vec<u32> = present.into_iter().collect();
    for rec in s.fetch(a, inbox, &all).await.unwrap() {
        let id = blob_store::BlobId {
            sha256: rec.blob.sha256,
            size: rec.size,
        };
        let body = blobs
            .get(id)
            .await
            .expect("every row's body is in the blob store");
        assert_eq!(body.len() as u64, rec.size);
    }
    assert_eq!(
        s.quota(a).await.unwrap().messages,
        snap.messages.len() as u64
    );
}

/// A failure between the body write and the metadata commit (here: over quota, as when a
/// concurrent append took the last of it) leaves the metadata untouched and removes the body at
/// once (issue 18: refused appends filled the disk); a body a committed row refers to is kept
/// when an append of the same octets is refused; and a sweep then finds nothing left to do.
pub async fn failed_append_leaves_no_dangling_body(s: Store, _: &Guard) {
    let (a, inbox) = account(&s, "fail@example.org").await;
    let dir = tempfile::tempdir().unwrap();
    let blobs = blobs_at(dir.path());
    let kept = append_messages(&blobs, s.as_ref(), a, inbox, &[incoming(1)])
        .await
        .unwrap();
    s.set_quota(
        "fail@example.org",
        QuotaLimits {
            storage: None,
            messages: Some(1),
        },
    )
    .await
    .unwrap();
    for n in [2, 1] {
        let err = append_messages(&blobs, s.as_ref(), a, inbox, &[incoming(n)])
            .await
            .unwrap_err();
        assert!(matches!(err, StoreError::OverQuota), "{err:?}");
    }
    let orphan = blob_store::BlobId::of(&incoming(2).data);
    assert!(
        !blobs.exists(orphan).await.unwrap(),
        "the refused append's body is removed with the refusal"
    );
    let report = blobs.sweep(Duration::ZERO, &SweepRefs(s.as_ref())).await;
    assert!(report.aborted.is_none(), "{:?}", report.aborted);
    assert_eq!((report.deleted, report.live), (0, 1));
    let rec = &s.fetch(a, inbox, &kept.uids).await.unwrap()[0];
    let id = blob_store::BlobId {
        sha256: rec.blob.sha256,
        size: rec.size,
    };
    assert_eq!(
        blobs.get(id).await.unwrap(),
        incoming(1).data,
        "the committed body is kept"
    );
    assert_eq!(s.status(a, inbox).await.unwrap().messages, 1);
}

/// The sweep decides a body is dead while an append of the same body is under way: the append
/// is refused until the body is written again, so no committed row points at deleted bytes.
pub async fn sweep_never_breaks_a_racing_append(s: Store, _: &Guard) {
    let (a, inbox) = account(&s, "race@example.org").await;
    let dir = tempfile::tempdir().unwrap();
    let blobs = blobs_at(dir.path());
    let m = incoming(7);
    let started = store::now_ms();
    let id = blobs.put(m.data.clone()).await.unwrap();
    let blob = BlobRef { sha256: id.sha256 };
    // The sweep marks the (still unreferenced) body dead before the append commits.
    assert!(s.sweep_mark(&[blob]).await.unwrap().is_empty());
    let mut late = msg(7, m.data.len() as u64);
    late.blob = blob;
    late.put_started_ms = started;
    let err = s.append(a, inbox, vec![late.clone()]).await.unwrap_err();
    assert!(matches!(err, StoreError::BlobCollected(_)), "{err:?}");
    blobs.delete(id).await.unwrap();
    s.sweep_done(&[blob]).await.unwrap();
    assert!(matches!(
        s.append(a, inbox, vec![late]).await,
        Err(StoreError::BlobCollected(_))
    ));
    // The real append path rewrites the body and retries until the tombstone is old enough.
    let r = append_messages(&blobs, s.as_ref(), a, inbox, std::slice::from_ref(&m))
        .await
        .unwrap();
    assert_eq!(r.uids.len(), 1);
    assert_eq!(
        blobs.get(id).await.unwrap(),
        m.data,
        "the committed row has its body"
    );
    // Now referenced: the sweep keeps it.
    assert_eq!(s.sweep_mark(&[blob]).await.unwrap(), vec![blob]);
}

//! The child process: concurrent APPEND, STORE and EXPUNGE through the store and the blob
//! store on the mount, one acknowledgement line per change that returned `Ok`:
//! `A uid` (appended), `F uid bits` (flags now `bits`, after a STORE that only adds flags),
//! `X uid` (expunged).

use super::CHILD_ENV;
use blob_store::{BlobStore, BlobStoreConfig};
use bytes::Bytes;
use std::sync::Arc;
use store::bodies::{IncomingMessage, append_messages};
use store::prelude::*;
use store::{FlagOp, FlagUpdate, Flags, SqliteStore};

/// Tasks writing at once.
const TASKS: u64 = 4;

/// A message of a few KB (some larger), distinct per `n`.
pub fn message(n: u64) -> IncomingMessage {
    let body = format!(
        "From: load@example.org\r\nSubject: power cut {n}\r\n\r\n{}\r\n",
        "y".repeat(500 + ((n % 100_000) as usize * 7919) % 30_000)
    );
    IncomingMessage {
        data: Bytes::from(body),
        flags: Flags::default(),
        internal_date: 1_700_000_000 + n as i64,
        internal_zone: 0,
        facts: n.to_string().into_bytes(),
    }
}

/// Flags a STORE adds, in turn: each STORE only adds, so flags acknowledged stay set.
const ADDED: [u8; 3] = [Flags::SEEN, Flags::FLAGGED, Flags::ANSWERED];

/// The child: not a test on its own (it does nothing without [`CHILD_ENV`]), hence ignored.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
#[ignore = "the child process of the power-cut tests"]
async fn load() {
    let Ok(root) = std::env::var(CHILD_ENV) else {
        return;
    };
    let data = std::path::Path::new(&root).join("data");
    let store = Arc::new(
        SqliteStore::open(&data.join("meta.db"))
            .await
            .expect("open"),
    );
    let blobs = BlobStore::new(BlobStoreConfig::local(data.join("blobs"))).expect("blobs");
    let account = store
        .create_account("cut@example.org", "$argon2id$x")
        .await
        .expect("account");
    let inbox = store.mailbox(account, "INBOX").await.expect("inbox").id;
    // On a line of its own: libtest printed "test child::load ... " without a newline.
    println!("\nREADY");
    let tasks: Vec<_> = (0..TASKS)
        .map(|t| {
            let (store, blobs) = (store.clone(), blobs.clone());
            tokio::spawn(async move {
                let mut live: Vec<(u32, u8)> = Vec::new();
                for i in 0u64.. {
                    let n = t * 1_000_000 + i;
                    if i % 5 == 4 && !live.is_empty() {
                        // STORE +\Deleted, then UID EXPUNGE of that message.
                        let (uid, bits) = live.remove(0);
                        let update = FlagUpdate {
                            uids: vec![uid],
                            op: FlagOp::Add,
                            flags: Flags::new(Flags::DELETED, []),
                            unchanged_since: None,
                        };
                        store
                            .store_flags(account, inbox, update)
                            .await
                            .expect("store");
                        println!("F {uid} {}", bits | Flags::DELETED);
                        let gone = store
                            .expunge(account, inbox, Some(&[uid]))
                            .await
                            .expect("x");
                        assert_eq!(gone.uids, vec![uid]);
                        println!("X {uid}");
                    } else if i % 3 == 2 && !live.is_empty() {
                        let k = (i as usize / 3) % live.len();
                        let (uid, bits) = live[k];
                        let add = ADDED[(i as usize / 3) % ADDED.len()];
                        let update = FlagUpdate {
                            uids: vec![uid],
                            op: FlagOp::Add,
                            flags: Flags::new(add, []),
                            unchanged_since: None,
                        };
                        store
                            .store_flags(account, inbox, update)
                            .await
                            .expect("store");
                        live[k].1 = bits | add;
                        println!("F {uid} {}", bits | add);
                    } else {
                        let m = message(n);
                        let r = append_messages(&blobs, store.as_ref(), account, inbox, &[m])
                            .await
                            .expect("append");
                        live.push((r.uids[0], 0));
                        println!("A {}", r.uids[0]);
                    }
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.expect("task");
    }
}

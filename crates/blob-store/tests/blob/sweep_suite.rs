//! Scenarios for listing and the sweep, the same for every backend.

use std::collections::HashSet;
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use blob_store::{BlobId, BlobReferences, BlobStore, SweepAbort};
use futures::StreamExt;

use crate::backends::Guard;
use crate::suite::{all_blobs, pseudo_random};

/// A stand-in for the metadata store: a fixed set of live ids, and a record of the tombstones
/// it opened and closed and of the batch sizes it saw.
#[derive(Default)]
struct FakeRefs {
    live: HashSet<BlobId>,
    fail_is_live: bool,
    opened: Mutex<HashSet<BlobId>>,
    closed: Mutex<HashSet<BlobId>>,
    batches: Mutex<Vec<usize>>,
}

impl BlobReferences for FakeRefs {
    type Error = std::io::Error;

    async fn is_live(&self, batch: &[BlobId]) -> Result<HashSet<BlobId>, Self::Error> {
        if self.fail_is_live {
            return Err(std::io::Error::other("metadata store down"));
        }
        self.batches.lock().expect("lock").push(batch.len());
        let (live, dead): (Vec<BlobId>, Vec<BlobId>) =
            batch.iter().partition(|id| self.live.contains(id));
        self.opened.lock().expect("lock").extend(dead);
        Ok(live.into_iter().collect())
    }

    async fn deleted(&self, ids: &[BlobId]) -> Result<(), Self::Error> {
        let opened = self.opened.lock().expect("lock");
        assert!(
            ids.iter().all(|id| opened.contains(id)),
            "closing a tombstone never opened"
        );
        self.closed.lock().expect("lock").extend(ids);
        Ok(())
    }
}

/// Three old blobs (one live), leftover staging files, and a young unreferenced blob: the
/// sweep deletes exactly the two old dead blobs and the staging leftover, tells the metadata
/// side about both, and never touches the live or young ones. A sweep whose `is_live` fails
/// deletes nothing.
pub async fn sweep_deletes_only_old_unreferenced(guard: &Guard, store: &BlobStore) {
    let grace = Duration::from_secs(3);
    let (old, live, leftover) = {
        tracing::info!("--- three old blobs, one of them referenced; a crashed upload");
        let mut old = Vec::new();
        for seed in 0..3 {
            old.push(
                store
                    .put(pseudo_random(2000, 10 + seed))
                    .await
                    .expect("put old"),
            );
        }
        let leftover = guard.staging_file("1-2-3-crashed");
        std::fs::create_dir_all(leftover.parent().expect("parent")).expect("mkdir staging");
        std::fs::write(&leftover, b"half an upload").expect("write leftover");
        let local_leftover = guard.plant_local_staging_leftover();
        let live = old[1];
        let stream_leftover = guard.plant_local_stream_leftover();
        (old, live, [Some(leftover), local_leftover, stream_leftover])
    };
    let young = {
        tracing::info!("--- wait past the grace period, then store a young unreferenced blob");
        tokio::time::sleep(grace + Duration::from_millis(1500)).await;
        store.put(pseudo_random(2000, 99)).await.expect("put young")
    };
    {
        tracing::info!("--- sweep: only old, unreferenced blobs go");
        let refs = FakeRefs {
            live: HashSet::from([live]),
            ..FakeRefs::default()
        };
        let report = store.sweep(grace, &refs).await;
        assert!(report.aborted.is_none(), "{:?}", report.aborted);
        assert_eq!(
            (report.candidates, report.live, report.deleted),
            (3, 1, 2),
            "{report:?}"
        );
        let planted = leftover.iter().flatten().count() as u64;
        assert_eq!(report.staging_removed, planted, "{report:?}");
        assert!(report.delete_failed.is_empty());
        let dead: HashSet<BlobId> = HashSet::from([old[0], old[2]]);
        assert_eq!(*refs.opened.lock().expect("lock"), dead);
        assert_eq!(*refs.closed.lock().expect("lock"), dead);
        for id in &dead {
            assert!(
                !store.exists(*id).await.expect("exists"),
                "{id} should be gone"
            );
        }
        assert!(store.exists(live).await.expect("exists live"));
        assert!(store.exists(young).await.expect("exists young"));
        for file in leftover.iter().flatten() {
            assert!(
                !file.exists(),
                "staging leftover {} removed",
                file.display()
            );
        }
    }
    {
        tracing::info!("--- a sweep whose metadata call fails deletes nothing");
        let refs = FakeRefs {
            fail_is_live: true,
            ..FakeRefs::default()
        };
        let report = store.sweep(Duration::ZERO, &refs).await;
        assert!(
            matches!(report.aborted, Some(SweepAbort::IsLive(_))),
            "{report:?}"
        );
        assert_eq!(report.deleted, 0);
        assert!(store.exists(live).await.expect("exists live"));
        assert!(store.exists(young).await.expect("exists young"));
    }
}

/// 1 100 blobs (more than one S3 list page of 1 000) are all listed exactly once, and the
/// sweep hands them to the metadata side in batches of at most 1 000 (here 1 000 + 100).
pub async fn list_and_sweep_page_past_1000(_guard: &Guard, store: &BlobStore) {
    const N: u64 = 1100;
    let stored: HashSet<BlobId> = {
        tracing::info!("--- store 1 100 small blobs, 16 at a time");
        futures::stream::iter(0..N)
            .map(|i| async move { store.put(pseudo_random(64, 1000 + i)).await.expect("put") })
            .buffer_unordered(16)
            .collect()
            .await
    };
    assert_eq!(stored.len() as u64, N);
    {
        tracing::info!("--- list sees every blob once");
        let listed: Vec<BlobId> = all_blobs(store)
            .await
            .into_iter()
            .map(|(id, _)| id)
            .collect();
        assert_eq!(listed.len() as u64, N);
        assert_eq!(listed.into_iter().collect::<HashSet<_>>(), stored);
        let past = SystemTime::now() - Duration::from_secs(3600);
        assert_eq!(
            store.list_older_than(past).count().await,
            0,
            "nothing is an hour old"
        );
    }
    {
        tracing::info!("--- sweep with everything live: batches of 1000 + 100, nothing deleted");
        let refs = FakeRefs {
            live: stored.clone(),
            ..FakeRefs::default()
        };
        let report = store.sweep(Duration::ZERO, &refs).await;
        assert!(report.aborted.is_none(), "{:?}", report.aborted);
        assert_eq!((report.candidates, report.live, report.deleted), (N, N, 0));
        let mut batches = refs.batches.lock().expect("lock").clone();
        batches.sort_unstable();
        assert_eq!(batches, vec![100, 1000]);
        assert_eq!(all_blobs(store).await.len() as u64, N);
    }
}

//! Garbage collection of bodies nothing refers to: the blob half of the sweep.
//!
//! The blob store cannot know which bodies are referenced; the metadata store can. The sweep
//! asks it in batches through [`BlobReferences`], whose documentation is the contract that keeps
//! a concurrent APPEND safe. The metadata side implements that trait.
//!
//! ```text
//!  sweep(grace)                     BlobReferences (metadata)          blob backend
//!  ──────────────                   ─────────────────────────          ────────────
//!  list blobs older than now-grace ─────────────────────────────────▶ LIST (paged)
//!  batch of ≤ 1000 ids ──▶ is_live(batch)  ONE txn: return live ids,
//!                                          tombstone the rest
//!  dead = batch − live ───────────────────────────────────────────────▶ DELETE each
//!  ids whose delete completed ──▶ deleted(ids)  tombstones: done_at = now
//!  staging/ objects older than now-grace ─────────────────────────────▶ DELETE (crash leftovers)
//! ```

use std::collections::HashSet;
use std::future::Future;
use std::time::{Duration, SystemTime};

use futures::{StreamExt, TryStreamExt};
use object_store::path::Path;

use crate::error::{BlobError, BoxError};
use crate::stream::STAGING_DIR;
use crate::{Backend, BlobId, BlobStore};

/// How many ids one [`BlobReferences::is_live`] call receives at most.
pub const SWEEP_BATCH: usize = 1000;

/// How many deletes run at once.
const DELETE_CONCURRENCY: usize = 8;

/// What the sweep needs from the metadata store. **Implementing this is a contract**; a wrong
/// implementation deletes bodies of committed messages (invariant 3).
///
/// # The contract
///
/// Definitions: a *tombstone* is a metadata row `(sha256, marked_at, done_at)`. An *append* is
/// anything that writes a body and then makes a message row refer to it (APPEND, delivery,
/// import). Its `put_started` is the time its (last) [`BlobStore::put`] or
/// [`put_stream`](BlobStore::put_stream) of that body began. COPY and MOVE write no body: they
/// reference a blob that the source row they read in the same transaction already
/// references, so rule 1's conflict requirement is all they need.
///
/// 1. **`is_live` decides and marks atomically.** One call runs as ONE metadata transaction
///    that returns every id of `batch` that is referenced by a committed message row **or by a
///    pending append** (one that has recorded its blob in metadata but not yet committed, e.g.
///    the earlier bodies of a MULTIAPPEND, RFC 3502), and, in the same transaction, writes a
///    tombstone (`marked_at = now`, `done_at = NULL`) for every id it does not return. The
///    transaction must conflict with any append transaction referencing the same blob (both
///    lock the blob's row, or run SERIALIZABLE), so each append is ordered wholly before or
///    wholly after it. Match on `sha256`; the `size` in `batch` comes from the listing.
/// 2. **`deleted` closes tombstones.** It is called with the ids whose delete completed (or
///    that were already gone) and sets `done_at = now` on their tombstones. Ids whose delete
///    failed are *not* passed (see [`SweepReport::delete_failed`]); their tombstones stay
///    open, because a request may still land later.
/// 3. **An append checks tombstones in its own transaction.** If the blob has a tombstone
///    with `done_at IS NULL`, or `done_at >= put_started - max_clock_skew`, a delete may have
///    removed the bytes this append wrote. The append then rolls back, waits until every
///    such tombstone is closed, calls `put` again (which always rewrites the object) with a new
///    `put_started`, and retries. Otherwise it commits its row. This is how "an append that
///    starts after the mark waits and re-writes the blob" is made precise: the wait is for
///    the tombstone to close, the re-write is the second `put`.
/// 4. **Appends are bounded by the grace period.** An append commits within `grace -
///    max_clock_skew` of its `put_started`, or calls `put` again first (the rewrite refreshes
///    last-modified, restarting the clock). Tombstones may be purged once `done_at` is older
///    than `grace`. Use a grace of hours, not seconds.
/// 5. **Open tombstones after a crash** (sweeper died between `is_live` and `deleted`) are
///    recovered by calling [`BlobStore::delete`] (idempotent) for each and then closing it;
///    only the sweep leader may do this.
///
/// Why this is enough: an append transaction ordered before the `is_live` transaction made the
/// blob referenced, so it is returned live (rule 1). One ordered after it sees the tombstone
/// (rule 3): while the delete may still be in flight it waits, and once the delete is done it
/// re-puts, so its committed row always points at bytes written after the last delete. An
/// append whose `put` landed before the listing's cutoff but which has not reached its
/// transaction is excluded by rule 4, so nothing durable-but-unrecorded is older than `grace`.
pub trait BlobReferences: Send + Sync {
    /// The metadata store's error type.
    type Error: Into<BoxError> + Send;

    /// Returns the ids of `batch` that are live (referenced or pending), tombstoning the rest
    /// in the same transaction (rule 1). An error aborts the sweep and nothing of this batch
    /// is deleted; if the transaction committed anyway (a lost reply), its open tombstones are
    /// recovered by rule 5.
    fn is_live(
        &self,
        batch: &[BlobId],
    ) -> impl Future<Output = Result<HashSet<BlobId>, Self::Error>> + Send;

    /// Closes the tombstones of `ids`, whose deletes completed (rule 2). An error aborts the
    /// sweep; the tombstones stay open and rule 5 recovers them.
    fn deleted(&self, ids: &[BlobId]) -> impl Future<Output = Result<(), Self::Error>> + Send;
}

/// Why a sweep stopped early. Whatever was deleted before stays deleted (and reported).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SweepAbort {
    /// Listing the blob store failed.
    #[error("listing blobs failed: {0}")]
    List(#[source] BlobError),
    /// [`BlobReferences::is_live`] failed; its batch was left alone.
    #[error("metadata is_live failed: {0}")]
    IsLive(#[source] BoxError),
    /// [`BlobReferences::deleted`] failed; those tombstones are still open.
    #[error("metadata deleted failed: {0}")]
    Deleted(#[source] BoxError),
}

/// What one sweep did.
#[derive(Debug, Default)]
pub struct SweepReport {
    /// Blobs listed as older than the cutoff (and therefore offered to `is_live`).
    pub candidates: u64,
    /// Of those, how many `is_live` kept.
    pub live: u64,
    /// Blobs deleted (including ones that were already gone).
    pub deleted: u64,
    /// Dead blobs whose delete failed; their tombstones stay open (contract rule 2).
    pub delete_failed: Vec<(BlobId, BlobError)>,
    /// Staging objects of interrupted streamed uploads that were removed.
    pub staging_removed: u64,
    /// Set when the sweep stopped before the end of the listing.
    pub aborted: Option<SweepAbort>,
}

impl BlobStore {
    /// Deletes every blob last modified more than `grace` ago that `refs` does not declare
    /// live, in batches of at most [`SWEEP_BATCH`], then removes staging leftovers older than
    /// `grace`. Run it from one place at a time (the sweep leader); read the contract on
    /// [`BlobReferences`] before implementing `refs`.
    pub async fn sweep<R: BlobReferences>(&self, grace: Duration, refs: &R) -> SweepReport {
        let cutoff = SystemTime::now()
            .checked_sub(grace)
            .unwrap_or(SystemTime::UNIX_EPOCH);
        let mut report = SweepReport::default();
        let mut batches = self.list_older_than(cutoff).chunks(SWEEP_BATCH);
        while let Some(batch) = batches.next().await {
            let batch: Vec<BlobId> = match batch.into_iter().map(|r| r.map(|(id, _)| id)).collect()
            {
                Ok(batch) => batch,
                Err(e) => {
                    report.aborted = Some(SweepAbort::List(e));
                    return report;
                }
            };
            if let Err(abort) = self.sweep_batch(&batch, refs, &mut report).await {
                report.aborted = Some(abort);
                return report;
            }
        }
        match self.sweep_staging(cutoff).await {
            Ok(n) => report.staging_removed = n,
            Err(e) => report.aborted = Some(SweepAbort::List(e)),
        }
        if let Backend::Local { root } = &self.inner.config.backend {
            let root = root.clone();
            match tokio::task::spawn_blocking(move || sweep_local_staging(&root, cutoff)).await {
                Ok(Ok(n)) => report.staging_removed += n,
                Ok(Err(e)) => report.aborted = Some(SweepAbort::List(e)),
                Err(e) => {
                    report.aborted = Some(SweepAbort::List(BlobError::unavailable("sweep", e)))
                }
            }
        }
        tracing::info!(
            candidates = report.candidates,
            live = report.live,
            deleted = report.deleted,
            failed = report.delete_failed.len(),
            staging = report.staging_removed,
            "blob sweep finished"
        );
        report
    }

    /// Deletes those of `ids` that `refs` does not declare live, at once, as one sweep batch
    /// does (the same contract, so a concurrent append of the same body stays safe): for the
    /// bodies of an append whose metadata commit was refused (over quota), which nothing may
    /// refer to. Nothing is deleted if `refs` fails; the periodic sweep collects them later.
    pub async fn discard<R: BlobReferences>(&self, ids: &[BlobId], refs: &R) -> SweepReport {
        let mut report = SweepReport::default();
        for batch in ids.chunks(SWEEP_BATCH) {
            if let Err(abort) = self.sweep_batch(batch, refs, &mut report).await {
                report.aborted = Some(abort);
                break;
            }
        }
        report
    }

    async fn sweep_batch<R: BlobReferences>(
        &self,
        batch: &[BlobId],
        refs: &R,
        report: &mut SweepReport,
    ) -> Result<(), SweepAbort> {
        report.candidates += batch.len() as u64;
        let live: HashSet<[u8; 32]> = refs
            .is_live(batch)
            .await
            .map_err(|e| SweepAbort::IsLive(e.into()))?
            .into_iter()
            .map(|id| id.sha256)
            .collect();
        let dead: Vec<BlobId> = batch
            .iter()
            .filter(|id| !live.contains(&id.sha256))
            .copied()
            .collect();
        report.live += (batch.len() - dead.len()) as u64;

        // Owned ids and a cloned store in each future: a closure over `&BlobId` would make
        // this future `Send` only for one lifetime, and an APPEND's session (which discards
        // refused bodies through here) must be `Send` for every one.
        let outcomes: Vec<(BlobId, crate::Result<()>)> = futures::stream::iter(dead)
            .map(|id| {
                let store = self.clone();
                async move { (id, store.delete(id).await) }
            })
            .buffer_unordered(DELETE_CONCURRENCY)
            .collect()
            .await;
        let mut done = Vec::with_capacity(outcomes.len());
        for (id, outcome) in outcomes {
            match outcome {
                Ok(()) => done.push(id),
                Err(e) => {
                    tracing::warn!(blob = %id, error = %e, "sweep could not delete blob");
                    report.delete_failed.push((id, e));
                }
            }
        }
        report.deleted += done.len() as u64;
        if !done.is_empty() {
            refs.deleted(&done)
                .await
                .map_err(|e| SweepAbort::Deleted(e.into()))?;
        }
        Ok(())
    }

    /// Deletes staging objects (streamed uploads interrupted by a crash) older than `cutoff`.
    /// A live upload is never that old: appends finish within the grace period (rule 4).
    async fn sweep_staging(&self, cutoff: SystemTime) -> crate::Result<u64> {
        let old: Vec<Path> = self
            .inner
            .store
            .list(Some(&Path::from(STAGING_DIR)))
            .map_err(|e| BlobError::unavailable("list", e))
            .try_filter(|meta| std::future::ready(SystemTime::from(meta.last_modified) < cutoff))
            .map_ok(|meta| meta.location)
            .try_collect()
            .await?;
        for key in &old {
            self.delete_key(key, "sweep staging").await?;
        }
        Ok(old.len() as u64)
    }
}

/// Removes object_store's own staging files older than `cutoff` from the local folder:
/// `blobs/ab/cd/<hex>#<n>` (a put that crashed before its rename) and anything under
/// `staging/` (including `staging/<name>#<n>` of a crashed [`BlobStore::put_stream`]).
/// object_store's listing hides `#<n>` names, so neither [`BlobStore::list_older_than`] nor
/// the listing-based staging sweep sees them. A put in progress is never older than the
/// grace period (contract rule 4).
fn sweep_local_staging(root: &std::path::Path, cutoff: SystemTime) -> crate::Result<u64> {
    let io = |e| BlobError::unavailable("sweep local staging", e);
    let mut removed = 0;
    if let Ok(staging) = std::fs::read_dir(root.join(STAGING_DIR)) {
        for file in staging {
            let file = file.map_err(io)?;
            let modified = file.metadata().and_then(|m| m.modified()).map_err(io)?;
            if file.file_type().map_err(io)?.is_file() && modified < cutoff {
                removed += remove_if_present(&file.path()).map_err(io)?;
            }
        }
    }
    let top = root.join(crate::id::BLOBS_DIR);
    let Ok(level1) = std::fs::read_dir(&top) else {
        return Ok(0); // no blob stored yet
    };
    for a in level1 {
        for b in std::fs::read_dir(a.map_err(io)?.path()).map_err(io)? {
            for file in std::fs::read_dir(b.map_err(io)?.path()).map_err(io)? {
                let file = file.map_err(io)?;
                let name = file.file_name();
                let is_staging = name.to_str().is_some_and(|n| {
                    n.split_once('#').is_some_and(|(_, suffix)| {
                        !suffix.is_empty() && suffix.bytes().all(|c| c.is_ascii_digit())
                    })
                });
                let modified = file.metadata().and_then(|m| m.modified()).map_err(io)?;
                if is_staging && modified < cutoff {
                    removed += remove_if_present(&file.path()).map_err(io)?;
                }
            }
        }
    }
    Ok(removed)
}

/// Removes a file; 1 if it was removed, 0 if it was already gone.
fn remove_if_present(path: &std::path::Path) -> std::io::Result<u64> {
    match std::fs::remove_file(path) {
        Ok(()) => Ok(1),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(0),
        Err(e) => Err(e),
    }
}

//! The metadata half of the blob sweep (blob-store's `BlobReferences` contract).
//!
//! Each body a message row refers to has a row in `blobs`. Appends and the sweep both lock that
//! row, so an append is ordered wholly before or after the sweep's decision about its body
//! (rule 1). The sweep's tombstone lives in the same row: `marked_at` when it decided to delete,
//! `done_at` when the delete completed (rule 2). An append whose body the sweep may have deleted
//! after it was written is refused until the body is written again (rule 3).

use crate::error::{Result, StoreError};
use crate::types::{BlobRef, NewMessage};

/// Clocks of the machines that write bodies and of the metadata store may differ by this much.
pub const MAX_CLOCK_SKEW_MS: i64 = 5_000;

/// What an append may do with a body, given its row's tombstone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Use {
    /// No tombstone: use it.
    Live,
    /// The body was deleted safely before this append wrote it again: clear the tombstone and
    /// use it.
    Revived,
}

/// Rule 3: may an append whose body write began at `put_started_ms` use the body whose row
/// carries the tombstone `(marked_at, done_at)`? `BlobCollected` when the sweep may have
/// deleted it after that write.
pub fn append_may_use(
    blob: &BlobRef,
    marked_at: Option<i64>,
    done_at: Option<i64>,
    put_started_ms: i64,
) -> Result<Use> {
    match (marked_at, done_at) {
        (None, _) => Ok(Use::Live),
        (Some(_), Some(done)) if done < put_started_ms - MAX_CLOCK_SKEW_MS => Ok(Use::Revived),
        (Some(_), _) => Err(StoreError::BlobCollected(blob.hex())),
    }
}

/// The bodies of an append, each once, in the order every writer locks blob rows (by address),
/// so that two transactions never wait on each other's rows in opposite orders; each with the
/// earliest write start it has in the batch.
pub fn lock_order(messages: &[NewMessage]) -> Vec<(BlobRef, i64)> {
    let mut blobs: Vec<(BlobRef, i64)> = messages
        .iter()
        .map(|m| (m.blob, m.put_started_ms))
        .collect();
    // Within one address the earliest write start sorts first and dedup keeps it: the strictest
    // check (a later rewrite of the same body in the batch does not excuse an earlier one).
    blobs.sort();
    blobs.dedup_by_key(|b| b.0);
    blobs
}

/// The sweep's batch in lock order, each once.
pub fn sweep_order(batch: &[BlobRef]) -> Vec<BlobRef> {
    let mut batch = batch.to_vec();
    batch.sort();
    batch.dedup();
    batch
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tombstones() {
        let b = BlobRef { sha256: [1; 32] };
        assert_eq!(append_may_use(&b, None, None, 0).unwrap(), Use::Live);
        assert!(matches!(
            append_may_use(&b, Some(10), None, 100_000),
            Err(StoreError::BlobCollected(_))
        ));
        assert_eq!(
            append_may_use(&b, Some(10), Some(20), 20 + MAX_CLOCK_SKEW_MS + 1).unwrap(),
            Use::Revived
        );
        assert!(append_may_use(&b, Some(10), Some(20), 20 + MAX_CLOCK_SKEW_MS).is_err());
    }
}

//! The metadata half of the blob sweep ([`crate::rules::blobs`] says the rules): the rows of
//! `blobs`, locked by appends and by the sweep. A body is referenced by a message row, or by a
//! kept row of a recently expunged message while it is readable.

use super::conn::{Conn, Param, one, opt};
use crate::clock::now_ms;
use crate::error::Result;
use crate::rules::blobs::{self, Use};
use crate::rules::expunge;
use crate::types::BlobRef;
use Param::{Int, Text};

/// Locks the row of `blob` (creating it) and returns its tombstone `(marked_at, done_at)`. One
/// statement: the no-op update of an existing row takes its row lock on PostgreSQL (as
/// `SELECT … FOR UPDATE` would: it waits for, and then sees, a sweep's commit) and returns the
/// row either way.
async fn lock_blob<C: Conn>(c: &mut C, hex: &str) -> Result<(Option<i64>, Option<i64>)> {
    let sql = "INSERT INTO blobs (blob) VALUES ($1) \
               ON CONFLICT (blob) DO UPDATE SET blob = excluded.blob \
               RETURNING marked_at, done_at";
    one(c, sql, &[Text(hex)], |r| Ok((r.opt_int(0)?, r.opt_int(1)?))).await
}

/// Rule 3, inside an append's transaction ([`blobs::append_may_use`]).
pub(crate) async fn use_blob<C: Conn>(
    c: &mut C,
    blob: &BlobRef,
    put_started_ms: i64,
) -> Result<()> {
    let hex = blob.hex();
    let (marked, done) = lock_blob(c, &hex).await?;
    if blobs::append_may_use(blob, marked, done, put_started_ms)? == Use::Revived {
        c.execute(
            "UPDATE blobs SET marked_at = NULL, done_at = NULL WHERE blob = $1",
            &[Text(&hex)],
        )
        .await?;
    }
    Ok(())
}

/// Rule 1: in one transaction, the referenced bodies of `batch`; the rest are tombstoned.
pub(crate) async fn sweep_mark<C: Conn>(c: &mut C, batch: &[BlobRef]) -> Result<Vec<BlobRef>> {
    let mut live = Vec::new();
    let now = now_ms();
    let since = expunge::kept_since(now);
    for blob in blobs::sweep_order(batch) {
        let hex = blob.hex();
        lock_blob(c, &hex).await?;
        let sql = "SELECT uid FROM messages WHERE blob = $1 LIMIT 1";
        // A message expunged a short while ago is still readable (rules::expunge).
        let kept = "SELECT uid FROM kept_expunged WHERE blob = $1 AND expunged_at >= $2 LIMIT 1";
        if opt(c, sql, &[Text(&hex)], |r| r.int(0)).await?.is_some()
            || opt(c, kept, &[Text(&hex), Int(since)], |r| r.int(0))
                .await?
                .is_some()
        {
            live.push(blob);
        } else {
            c.execute(
                "UPDATE blobs SET marked_at = $2, done_at = NULL WHERE blob = $1",
                &[Text(&hex), Int(now)],
            )
            .await?;
        }
    }
    Ok(live)
}

/// Rule 2: the deletes of these bodies completed.
pub(crate) async fn sweep_done<C: Conn>(c: &mut C, deleted: &[BlobRef]) -> Result<()> {
    let now = now_ms();
    // In the order appends and the sweep's mark lock blob rows.
    for blob in &blobs::sweep_order(deleted) {
        c.execute(
            "UPDATE blobs SET done_at = $2 WHERE blob = $1 AND marked_at IS NOT NULL",
            &[Text(&blob.hex()), Int(now)],
        )
        .await?;
    }
    Ok(())
}

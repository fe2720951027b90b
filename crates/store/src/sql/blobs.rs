//! The metadata half of the blob sweep: blob-store's `BlobReferences` contract.
//!
//! Each body a message row refers to has a row in `blobs`. Appends and the sweep both lock that
//! row (`FOR UPDATE` on PostgreSQL; SQLite serialises writers), so an append is ordered wholly
//! before or after the sweep's decision about its body (rule 1). The sweep's tombstone lives in
//! the same row: `marked_at` when it decided to delete, `done_at` when the delete completed.

use super::{SqlStore, now_ms};
use crate::error::{Result, StoreError};
use crate::types::BlobRef;
use sqlx::{Any, Row, Transaction};

/// Clocks of the machines that write bodies and of the metadata store may differ by this much.
pub const MAX_CLOCK_SKEW_MS: i64 = 5_000;

impl SqlStore {
    /// Locks the row of `blob` (creating it) and returns its tombstone `(marked_at, done_at)`.
    async fn lock_blob(
        &self,
        tx: &mut Transaction<'static, Any>,
        hex: &str,
    ) -> Result<(Option<i64>, Option<i64>)> {
        // One statement: the no-op update of an existing row takes its row lock on PostgreSQL
        // (as `SELECT … FOR UPDATE` would: it waits for, and then sees, a sweep's commit) and
        // returns the row either way.
        let row = sqlx::query(
            "INSERT INTO blobs (blob) VALUES ($1) \
             ON CONFLICT (blob) DO UPDATE SET blob = excluded.blob \
             RETURNING marked_at, done_at",
        )
        .bind(hex)
        .fetch_one(&mut **tx)
        .await?;
        Ok((row.try_get("marked_at")?, row.try_get("done_at")?))
    }

    /// Rule 3, inside an append's transaction: refuses the append if the sweep may have deleted
    /// the body after this append wrote it; clears a tombstone that is safely older.
    pub(crate) async fn check_blob(
        &self,
        tx: &mut Transaction<'static, Any>,
        blob: &BlobRef,
        put_started_ms: i64,
    ) -> Result<()> {
        let hex = blob.hex();
        match self.lock_blob(tx, &hex).await? {
            (None, _) => Ok(()),
            (Some(_), Some(done)) if done < put_started_ms - MAX_CLOCK_SKEW_MS => {
                sqlx::query("UPDATE blobs SET marked_at = NULL, done_at = NULL WHERE blob = $1")
                    .bind(&hex)
                    .execute(&mut **tx)
                    .await?;
                Ok(())
            }
            (Some(_), _) => Err(StoreError::BlobCollected(hex)),
        }
    }

    /// Rule 1: one transaction that returns the referenced bodies of `batch` and tombstones
    /// the rest.
    pub(crate) async fn sweep_mark_impl(&self, batch: &[BlobRef]) -> Result<Vec<BlobRef>> {
        let mut w = self.write().await?;
        let mut live = Vec::new();
        let now = now_ms();
        // In address order, like appends (see `append_impl`).
        let mut batch = batch.to_vec();
        batch.sort();
        batch.dedup();
        for blob in &batch {
            let hex = blob.hex();
            self.lock_blob(&mut w.tx, &hex).await?;
            let referenced = sqlx::query("SELECT 1 AS x FROM messages WHERE blob = $1 LIMIT 1")
                .bind(&hex)
                .fetch_optional(&mut *w.tx)
                .await?
                .is_some();
            if referenced {
                live.push(*blob);
            } else {
                sqlx::query("UPDATE blobs SET marked_at = $2, done_at = NULL WHERE blob = $1")
                    .bind(&hex)
                    .bind(now)
                    .execute(&mut *w.tx)
                    .await?;
            }
        }
        w.commit().await?;
        Ok(live)
    }

    /// Rule 2: the deletes of these bodies completed.
    pub(crate) async fn sweep_done_impl(&self, deleted: &[BlobRef]) -> Result<()> {
        let mut w = self.write().await?;
        let now = now_ms();
        for blob in deleted {
            sqlx::query("UPDATE blobs SET done_at = $2 WHERE blob = $1 AND marked_at IS NOT NULL")
                .bind(blob.hex())
                .bind(now)
                .execute(&mut *w.tx)
                .await?;
        }
        w.commit().await?;
        Ok(())
    }
}

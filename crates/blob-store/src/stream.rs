//! [`BlobStore::put_stream`]: storing a body whose bytes arrive over time (an APPEND literal).
//!
//! The key is the hash of the whole body, which is known only at the end. Small bodies are
//! therefore buffered (as the `Bytes` chunks that arrived, without copying) and written with a
//! single put. A body that grows past [`STREAM_THRESHOLD`] goes to a unique staging key as a
//! multipart upload while it is hashed, and is then renamed to its content address:
//!
//! ```text
//!  chunks ─▶ hasher ─▶ < 8 MiB at end? ── yes ──▶ put(blobs/ab/cd/<hex>)
//!                          │ no
//!                          ▼
//!            multipart upload to staging/<unique> ─▶ finish ─▶ rename to blobs/ab/cd/<hex>
//! ```
//!
//! On the local folder the multipart upload is one staging file, `sync_all`ed on completion,
//! and the rename fsyncs both folders; on S3 the rename is a server-side copy plus a delete.
//! Memory is bounded by [`PART_SIZE`] × [`MAX_PARTS_IN_FLIGHT`], never the body size.
//! A staging object left behind by a crash is removed by the next sweep once it is older than
//! the grace period. (On S3, parts of an upload that never completed are invisible to listing;
//! give the bucket an `AbortIncompleteMultipartUpload` lifecycle rule for those.)

use std::collections::hash_map::RandomState;
use std::hash::BuildHasher;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use futures::{Stream, StreamExt};
use object_store::path::Path;
use object_store::{ObjectStoreExt, PutPayload, WriteMultipart};

use crate::error::{BlobError, BoxError, Result};
use crate::id::IdHasher;
use crate::{BlobId, BlobStore};

/// The folder (key prefix) for in-progress streamed uploads.
pub(crate) const STAGING_DIR: &str = "staging";

/// Bodies that end before this size are buffered and written with one put.
pub(crate) const STREAM_THRESHOLD: usize = 8 * 1024 * 1024;

/// Multipart part size (S3 requires at least 5 MiB for all but the last part).
const PART_SIZE: usize = 8 * 1024 * 1024;

/// How many parts may be uploading at once.
const MAX_PARTS_IN_FLIGHT: usize = 2;

impl BlobStore {
    /// Stores a body that arrives as a stream of chunks, with the same durability and
    /// idempotence as [`BlobStore::put`], without ever holding the whole body in memory when it
    /// is larger than 8 MiB.
    ///
    /// An error from `body` aborts the upload (nothing is stored under a content address) and is
    /// returned as [`BlobError::Unavailable`] with `op = "put_stream (body)"`.
    pub async fn put_stream<S, E>(&self, body: S) -> Result<BlobId>
    where
        S: Stream<Item = std::result::Result<Bytes, E>> + Send,
        E: Into<BoxError>,
    {
        let mut body = std::pin::pin!(body);
        let mut hasher = IdHasher::default();
        let mut buffered: Vec<Bytes> = Vec::new();
        let mut buffered_len = 0usize;

        while buffered_len < STREAM_THRESHOLD {
            match body.next().await {
                None => {
                    let id = hasher.finish();
                    self.write(id, PutPayload::from_iter(buffered)).await?;
                    return Ok(id);
                }
                Some(chunk) => {
                    let chunk =
                        chunk.map_err(|e| BlobError::unavailable("put_stream (body)", e))?;
                    hasher.update(&chunk);
                    buffered_len += chunk.len();
                    buffered.push(chunk);
                }
            }
        }

        let staging = staging_key();
        let upload = self
            .inner
            .store
            .put_multipart(&staging)
            .await
            .map_err(|e| BlobError::unavailable("put_stream", e))?;
        let mut writer = WriteMultipart::new_with_chunk_size(upload, PART_SIZE);
        for chunk in buffered {
            writer.put(chunk);
        }
        let streamed: Result<()> = async {
            while let Some(chunk) = body.next().await {
                let chunk = chunk.map_err(|e| BlobError::unavailable("put_stream (body)", e))?;
                hasher.update(&chunk);
                writer
                    .wait_for_capacity(MAX_PARTS_IN_FLIGHT)
                    .await
                    .map_err(|e| BlobError::unavailable("put_stream", e))?;
                writer.put(chunk);
            }
            Ok(())
        }
        .await;
        if let Err(e) = streamed {
            abort(writer).await;
            return Err(e);
        }
        writer
            .finish()
            .await
            .map_err(|e| BlobError::unavailable("put_stream", e))?;

        let id = hasher.finish();
        if let Err(e) = self.inner.store.rename(&staging, &id.key()).await {
            if let Err(cleanup) = self.delete_key(&staging, "put_stream").await {
                tracing::warn!(error = %cleanup, %staging, "staging object left for the sweep");
            }
            return Err(BlobError::unavailable("put_stream", e));
        }
        tracing::debug!(blob = %id, "streamed blob stored");
        Ok(id)
    }
}

impl BlobStore {
    /// Uploads `data`, whose id is known, to its key in [`PART_SIZE`] parts (zero-copy
    /// slices). Same durability as a single put: the local backend `sync_all`s the staged file
    /// and fsyncs the folder on completion; S3 publishes the object atomically on completion.
    pub(crate) async fn write_multipart(&self, id: BlobId, data: Bytes) -> Result<()> {
        let upload = self
            .inner
            .store
            .put_multipart(&id.key())
            .await
            .map_err(|e| BlobError::unavailable("put", e))?;
        let mut writer = WriteMultipart::new_with_chunk_size(upload, PART_SIZE);
        for at in (0..data.len()).step_by(PART_SIZE) {
            if let Err(e) = writer.wait_for_capacity(MAX_PARTS_IN_FLIGHT).await {
                abort(writer).await;
                return Err(BlobError::unavailable("put", e));
            }
            writer.put(data.slice(at..(at + PART_SIZE).min(data.len())));
        }
        writer
            .finish()
            .await
            .map_err(|e| BlobError::unavailable("put", e))?;
        tracing::debug!(blob = %id, "blob stored in parts");
        Ok(())
    }
}

/// Aborts a failed multipart upload, logging (not returning) a failure to abort: the caller
/// already has the error that matters.
async fn abort(writer: WriteMultipart) {
    if let Err(e) = writer.abort().await {
        tracing::warn!(error = %e, "could not abort multipart upload");
    }
}

/// A staging key no other upload uses, on this host or any other sharing the bucket: process
/// id, wall-clock nanoseconds, a process-wide counter and 64 bits from `RandomState` (seeded
/// from the OS random source). Uniqueness matters: two uploads sharing a staging key could move
/// one upload's bytes under the other's hash.
fn staging_key() -> Path {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let pid = std::process::id();
    let salt = RandomState::new().hash_one((pid, nanos, n));
    Path::from(format!("{STAGING_DIR}/{pid}-{nanos}-{n}-{salt:016x}"))
}

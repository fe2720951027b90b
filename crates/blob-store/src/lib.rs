//! Message bodies, content-addressed by SHA-256, on a local folder or an S3-compatible store.
//!
//! This crate owns the bytes of every message and nothing else: it knows neither mailboxes nor
//! UIDs. The metadata store refers to a body by its [`BlobId`] (SHA-256 + size); identical
//! bodies (a mail to 500 recipients) are stored once.
//!
//! ```text
//!  APPEND literal ──put / put_stream──▶ BlobStore ──▶ object_store ─┬─▶ LocalFileSystem (fsync)
//!       │ (durable before it returns)      │ get, get_range         │     <root>/blobs/ab/cd/<hex>
//!       ▼                                  │ exists, delete         └─▶ AmazonS3 (SigV4)
//!  metadata txn commits row ─▶ BlobId      │                              <prefix>/blobs/ab/cd/<hex>
//!                                          ▼
//!  sweep(grace, refs): list blobs older than grace ──▶ refs.is_live(batch) ──▶ delete the dead
//!                                                      (metadata side marks them being-deleted)
//! ```
//!
//! Invariant 3 (ARCHITECTURE.md) rests on two promises made here: [`BlobStore::put`] returns only
//! once the body is durable, so the metadata transaction that follows may point at it; and
//! [`BlobStore::sweep`] deletes only what the metadata side, under the contract spelled out on
//! [`BlobReferences`], declared dead.
//!
//! Layout: [`config`] (backends), [`error`] (the error enum), `id` ([`BlobId`]), `stream`
//! ([`BlobStore::put_stream`]), [`sweep`] (garbage collection).

pub mod config;
pub mod error;
mod id;
mod stream;
pub mod sweep;

use std::ops::Range;
use std::sync::Arc;
use std::time::SystemTime;

use bytes::Bytes;
use futures::stream::{BoxStream, StreamExt};
use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};

pub use config::{Backend, BlobStoreConfig};
pub use error::{BlobError, BoxError, Result};
pub use id::{BlobId, ParseBlobIdError};
pub use sweep::{BlobReferences, SweepAbort, SweepReport};

/// Bodies up to this size are hashed on the async worker; larger ones on the blocking pool so
/// a 50 MB APPEND does not stall other sessions for tens of milliseconds.
const INLINE_HASH_LIMIT: usize = 256 * 1024;

/// Reads of the local folder up to this many octets are made on the calling task with one
/// `open` + `pread`, instead of object_store's `LocalFileSystem`, which hands every read to
/// tokio's blocking pool. Under the realistic load (50 clients, bodies a median 10 KB), that
/// hand-off — a thread wake-up, a futex and a context switch each way, plus a `stat` — cost
/// about a third of the server's CPU (perf, 7 December 2026), for reads the page cache
/// answers in microseconds. Larger reads still go through object_store (and its pool), so a
/// cold multi-megabyte read does not hold an async worker.
const INLINE_READ_LIMIT: u64 = 256 * 1024;

/// Chunk of [`BlobStore::read_chunks`] from a remote store.
const REMOTE_READ_CHUNK: u64 = 1024 * 1024;

/// The blob store. Cheap to clone (one `Arc`); share one per process.
#[derive(Clone, Debug)]
pub struct BlobStore {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    /// The backend client. `dyn` because the backend is chosen by config at run time, and
    /// object_store's own implementations are already `Arc`-friendly trait objects.
    store: Arc<dyn ObjectStore>,
    config: BlobStoreConfig,
}

impl BlobStore {
    /// Opens the store described by `config`. For [`Backend::Local`] the folder is created if
    /// missing; for [`Backend::S3`] no request is made (the bucket is checked on first use).
    pub fn new(config: BlobStoreConfig) -> Result<Self> {
        let store = config::build(&config)?;
        Ok(BlobStore {
            inner: Arc::new(Inner { store, config }),
        })
    }

    /// The configuration this store was opened with.
    pub fn config(&self) -> &BlobStoreConfig {
        &self.inner.config
    }

    /// Stores `data` and returns its id once the bytes are **durable**.
    ///
    /// Durable means: on the local folder the file was written to a staging name,
    /// `sync_all`ed, renamed into place and its folder fsynced (see [`config`] for why
    /// object_store's `with_fsync` is enough); on S3 the PUT was acknowledged with 200.
    ///
    /// **Always writes**, even if the blob already exists (an overwrite with identical bytes;
    /// the key is the hash, so the content cannot change). We chose this over a conditional
    /// create because the overwrite refreshes the object's last-modified time: a body that is
    /// being appended again is then at least `grace` younger than any sweep cutoff for the next
    /// `grace`, so a sweep does not even list it while the append's metadata transaction runs.
    /// With a conditional create, a ten-day-old unreferenced copy would stay "old", be listed,
    /// and every re-append of that body would race the sweep (still safe under the
    /// [`BlobReferences`] contract, but it would hit the slow path). The cost is rewriting bytes
    /// that were already there, which only happens for duplicate bodies.
    ///
    /// Concurrent puts of the same bytes are safe: each writes its own staging file (local) or
    /// request (S3) and the last atomic rename/PUT wins with identical content; readers see the
    /// old or the new copy, never a partial one.
    pub async fn put(&self, data: Bytes) -> Result<BlobId> {
        let id = hash(data.clone()).await?;
        if data.len() > stream::STREAM_THRESHOLD {
            // One request per 8 MiB part, so a big body is not one request that must beat
            // `request_timeout`; the object still appears atomically on completion.
            self.write_multipart(id, data).await?;
        } else {
            self.write(id, PutPayload::from(data)).await?;
        }
        Ok(id)
    }

    /// Writes `payload`, whose id the caller has computed, to its key.
    async fn write(&self, id: BlobId, payload: PutPayload) -> Result<()> {
        self.inner
            .store
            .put(&id.key(), payload)
            .await
            .map_err(|e| BlobError::unavailable("put", e))?;
        tracing::debug!(blob = %id, "blob stored");
        Ok(())
    }

    /// Reads a whole body.
    ///
    /// The length is always checked against `id.size`; with
    /// [`BlobStoreConfig::verify_reads`] the SHA-256 is checked too. A mismatch is
    /// [`BlobError::Corrupt`].
    pub async fn get(&self, id: BlobId) -> Result<Bytes> {
        // One octet more than the id says, so a longer file is reported as corrupt too.
        if let Some(data) = self.read_inline(id, 0..id.size + 1, "get")? {
            return self.verified(id, data).await;
        }
        let result = self
            .inner
            .store
            .get(&id.key())
            .await
            .map_err(|e| BlobError::from_store("get", id, e))?;
        let data = result
            .bytes()
            .await
            .map_err(|e| BlobError::from_store("get", id, e))?;
        self.verified(id, data).await
    }

    /// `data`, read whole for `id`, after the length check and (with
    /// [`BlobStoreConfig::verify_reads`]) the hash check.
    async fn verified(&self, id: BlobId, data: Bytes) -> Result<Bytes> {
        if data.len() as u64 != id.size {
            return Err(corrupt(id, format!("{} bytes stored", data.len())));
        }
        if self.inner.config.verify_reads {
            let actual = hash(data.clone()).await?;
            if actual != id {
                return Err(corrupt(id, format!("content hashes to {actual}")));
            }
        }
        Ok(data)
    }

    /// Reads the bytes `range` of a body (partial FETCH, `BODY[]<start.len>`).
    ///
    /// Follows RFC 9051 §6.4.5 partial semantics: the range is clamped to the body, so a range
    /// that runs past the end returns what exists and one that starts at or past the end
    /// returns empty bytes. An empty (clamped) range makes no request, so it does not report
    /// [`BlobError::NotFound`]. `start > end` is [`BlobError::InvalidRange`]. Range reads are
    /// never hash-verified (the hash covers the whole body), but a short read is
    /// [`BlobError::Corrupt`].
    pub async fn get_range(&self, id: BlobId, range: Range<u64>) -> Result<Bytes> {
        if range.start > range.end {
            return Err(BlobError::InvalidRange { id, range });
        }
        let (start, end) = (range.start.min(id.size), range.end.min(id.size));
        if start == end {
            return Ok(Bytes::new());
        }
        let data = match self.read_inline(id, start..end, "get_range")? {
            Some(data) => data,
            None => self
                .inner
                .store
                .get_range(&id.key(), start..end)
                .await
                .map_err(|e| BlobError::from_store("get_range", id, e))?,
        };
        if data.len() as u64 != end - start {
            let detail = format!("range {start}..{end} returned {} bytes", data.len());
            return Err(corrupt(id, detail));
        }
        Ok(data)
    }

    /// The octets `range` of a body (clamped as [`get_range`](Self::get_range) clamps), as a
    /// stream of chunks read one after the other as the consumer asks for them: a FETCH of a
    /// 60 MB body holds one chunk at a time, and reads no further than the client takes.
    /// Chunks are 256 KiB long on the local folder (each one `pread` on the
    /// calling task) and 1 MiB from S3 (one ranged GET each, so a slow client never holds a
    /// request open).
    pub fn read_chunks(
        &self,
        id: BlobId,
        range: Range<u64>,
    ) -> impl futures::Stream<Item = Result<Bytes>> + Send + 'static {
        let chunk = match self.inner.config.backend {
            Backend::Local { .. } => INLINE_READ_LIMIT,
            _ => REMOTE_READ_CHUNK,
        };
        let end = range.end.min(id.size);
        let store = self.clone();
        futures::stream::try_unfold(range.start, move |at| {
            let store = store.clone();
            async move {
                if at >= end {
                    return Ok(None);
                }
                let next = end.min(at.saturating_add(chunk));
                let data = store.get_range(id, at..next).await?;
                Ok(Some((data, next)))
            }
        })
    }

    /// Octets `range` of a body on the local folder, read on the calling task when the range is
    /// at most [`INLINE_READ_LIMIT`] long; `None` when the backend is not local or the range
    /// is longer (the caller goes through object_store). A file shorter than the range gives
    /// the octets it has (the caller's length check reports it as corrupt).
    fn read_inline(
        &self,
        id: BlobId,
        range: Range<u64>,
        op: &'static str,
    ) -> Result<Option<Bytes>> {
        use std::os::unix::fs::FileExt;
        let Backend::Local { root } = &self.inner.config.backend else {
            return Ok(None);
        };
        if range.end - range.start > INLINE_READ_LIMIT {
            return Ok(None);
        }
        let path = root.join(id.key().as_ref());
        let file = match std::fs::File::open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(BlobError::NotFound(id));
            }
            Err(e) => return Err(BlobError::unavailable(op, e)),
        };
        let mut buf = vec![0u8; (range.end - range.start) as usize];
        let mut filled = 0;
        while filled < buf.len() {
            match file.read_at(&mut buf[filled..], range.start + filled as u64) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(BlobError::unavailable(op, e)),
            }
        }
        buf.truncate(filled);
        Ok(Some(Bytes::from(buf)))
    }

    /// Checks that the blob is stored with the length its id says (a `stat` or a HEAD
    /// request): [`BlobError::NotFound`] or [`BlobError::Corrupt`] otherwise. A reader about
    /// to stream a body in chunks asks first, so that a missing or truncated body is refused
    /// before any of it is sent.
    pub async fn check_size(&self, id: BlobId) -> Result<()> {
        let size = match &self.inner.config.backend {
            Backend::Local { root } => match std::fs::metadata(root.join(id.key().as_ref())) {
                Ok(m) => m.len(),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    return Err(BlobError::NotFound(id));
                }
                Err(e) => return Err(BlobError::unavailable("check_size", e)),
            },
            _ => match self.inner.store.head(&id.key()).await {
                Ok(meta) => meta.size,
                Err(object_store::Error::NotFound { .. }) => return Err(BlobError::NotFound(id)),
                Err(e) => return Err(BlobError::unavailable("check_size", e)),
            },
        };
        if size != id.size {
            return Err(corrupt(id, format!("{size} bytes stored")));
        }
        Ok(())
    }

    /// True if the blob is stored (a HEAD request or a `stat`).
    pub async fn exists(&self, id: BlobId) -> Result<bool> {
        match self.inner.store.head(&id.key()).await {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(BlobError::unavailable("exists", e)),
        }
    }

    /// Deletes a blob. Idempotent: deleting a missing blob succeeds.
    ///
    /// Only the sweep (or a recovery step of the metadata side) should call this; see
    /// [`BlobReferences`]. A delete is not fsynced on the local folder: if a crash undoes it,
    /// the body reappears unreferenced and the next sweep removes it again.
    pub async fn delete(&self, id: BlobId) -> Result<()> {
        self.delete_key(&id.key(), "delete").await
    }

    async fn delete_key(&self, key: &Path, op: &'static str) -> Result<()> {
        match self.inner.store.delete(key).await {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(e) => Err(BlobError::unavailable(op, e)),
        }
    }

    /// Streams every blob last modified strictly before `cutoff`, with its last-modified time.
    ///
    /// Paged underneath (S3 returns at most 1 000 keys per ListObjectsV2 page; object_store
    /// follows the continuation tokens), so memory stays flat however many blobs exist. Order
    /// is unspecified. Objects that are not blobs (staging files, foreign keys) are skipped.
    /// Last-modified comes from the backend's clock (the S3 server, or the local file's mtime);
    /// `cutoff` from ours, so keep clock skew well below any grace period.
    pub fn list_older_than(
        &self,
        cutoff: SystemTime,
    ) -> BoxStream<'static, Result<(BlobId, SystemTime)>> {
        self.inner
            .store
            .list(Some(&Path::from(id::BLOBS_DIR)))
            .filter_map(move |meta| {
                let item = match meta {
                    Err(e) => Some(Err(BlobError::unavailable("list", e))),
                    Ok(meta) => {
                        let modified = SystemTime::from(meta.last_modified);
                        BlobId::from_key(&meta.location, meta.size)
                            .filter(|_| modified < cutoff)
                            .map(|id| Ok((id, modified)))
                    }
                };
                std::future::ready(item)
            })
            .boxed()
    }
}

/// Hashes `data`, off the async worker when it is large.
async fn hash(data: Bytes) -> Result<BlobId> {
    if data.len() <= INLINE_HASH_LIMIT {
        return Ok(BlobId::of(&data));
    }
    tokio::task::spawn_blocking(move || BlobId::of(&data))
        .await
        .map_err(|e| BlobError::unavailable("hash", e))
}

fn corrupt(id: BlobId, detail: String) -> BlobError {
    tracing::error!(blob = %id, %detail, "stored blob does not match its id");
    BlobError::Corrupt {
        expected: id,
        detail,
    }
}

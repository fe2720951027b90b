//! The one error type of this crate.
//!
//! Variants are split by what the caller can do about them:
//!
//! | variant | caller can act? | typical IMAP mapping (RFC 5530) |
//! |---|---|---|
//! | [`BlobError::NotFound`] | yes: the blob is gone (swept, never written) | `NO [NONEXISTENT]` or, for a referenced body, `NO [SERVERBUG]` |
//! | [`BlobError::InvalidRange`] | yes: a caller bug, fix the request | `BAD` |
//! | [`BlobError::Unavailable`] | retry later | `NO [UNAVAILABLE]` |
//! | [`BlobError::Corrupt`] | no: data loss, alert an operator | `NO [SERVERBUG]` |
//! | [`BlobError::Config`] | no: fatal at startup | — |

use std::ops::Range;

use crate::BlobId;

/// A boxed error from a backend (object_store, the file system, a metadata callback).
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Result alias for this crate.
pub type Result<T, E = BlobError> = std::result::Result<T, E>;

/// Everything that can go wrong in the blob store.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BlobError {
    /// No blob with this id exists (never written, or deleted by a sweep).
    #[error("blob {0} not found")]
    NotFound(BlobId),

    /// The stored bytes do not match the id: the size differs, or (with
    /// [`BlobStoreConfig::verify_reads`](crate::BlobStoreConfig::verify_reads)) the SHA-256 does.
    /// Not retryable; the body is damaged at rest.
    #[error("blob {expected} is corrupt: {detail}")]
    Corrupt {
        /// The id that was asked for.
        expected: BlobId,
        /// What was found instead (a wrong length, or the hash of the stored bytes).
        detail: String,
    },

    /// A range with `start > end` was asked for.
    #[error("invalid range {}..{} for blob {id}", range.start, range.end)]
    InvalidRange {
        /// The blob that was read.
        id: BlobId,
        /// The range as given.
        range: Range<u64>,
    },

    /// The backend failed or could not be reached (I/O error, network, 5xx, timeout).
    /// Retrying later may succeed; nothing was acknowledged.
    #[error("blob store unavailable during {op}: {source}")]
    Unavailable {
        /// The operation that failed, e.g. `"put"`.
        op: &'static str,
        /// The underlying error.
        #[source]
        source: BoxError,
    },

    /// The configuration is unusable (bad path, missing bucket, bad endpoint). Fatal.
    #[error("blob store configuration: {0}")]
    Config(String),
}

impl BlobError {
    /// True when retrying the same call later may succeed.
    pub fn is_retryable(&self) -> bool {
        matches!(self, BlobError::Unavailable { .. })
    }

    /// Wraps a backend error, turning object_store's `NotFound` into [`BlobError::NotFound`].
    pub(crate) fn from_store(op: &'static str, id: BlobId, e: object_store::Error) -> Self {
        match e {
            object_store::Error::NotFound { .. } => BlobError::NotFound(id),
            other => BlobError::unavailable(op, other),
        }
    }

    /// Wraps any backend error as [`BlobError::Unavailable`].
    pub(crate) fn unavailable(op: &'static str, e: impl Into<BoxError>) -> Self {
        BlobError::Unavailable {
            op,
            source: e.into(),
        }
    }
}

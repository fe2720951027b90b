//! `StoreError` across the wire: the server sends a gRPC status whose `strata-error` metadata
//! names the variant; the client turns it back into the same variant, so the frontend maps it
//! to the same IMAP response code as in the all-in-one shape.

use store::StoreError;
use tonic::{Code, Status};

/// The metadata key naming the variant.
const KEY: &str = "strata-error";

/// Server side: the status for a storage error.
pub fn status_from_store(e: StoreError) -> Status {
    let (code, kind, text) = match &e {
        StoreError::NotFound(s) => (Code::NotFound, "not-found", s.clone()),
        StoreError::AlreadyExists(s) => (Code::AlreadyExists, "already-exists", s.clone()),
        StoreError::OverQuota => (Code::ResourceExhausted, "over-quota", String::new()),
        StoreError::Limit(s) => (Code::ResourceExhausted, "limit", s.clone()),
        StoreError::HasChildren => (Code::FailedPrecondition, "has-children", String::new()),
        StoreError::Cannot(s) => (Code::FailedPrecondition, "cannot", s.clone()),
        StoreError::BlobCollected(s) => (Code::Aborted, "blob-collected", s.clone()),
        StoreError::Unavailable(s) => (Code::Unavailable, "unavailable", s.clone()),
        StoreError::Internal(s) => (Code::Internal, "internal", s.clone()),
    };
    let mut status = Status::new(code, text);
    status
        .metadata_mut()
        .insert(KEY, tonic::metadata::MetadataValue::from_static(kind));
    status
}

/// Client side: the storage error a status stands for. A status without the metadata did not
/// come from our handler (a transport failure, a proxy, a dead replica): unreachable means
/// `Unavailable`, anything else `Internal`.
pub fn store_from_status(s: &Status) -> StoreError {
    let text = s.message().to_string();
    let kind = s.metadata().get(KEY).and_then(|v| v.to_str().ok());
    match kind {
        Some("not-found") => StoreError::NotFound(text),
        Some("already-exists") => StoreError::AlreadyExists(text),
        Some("over-quota") => StoreError::OverQuota,
        Some("limit") => StoreError::Limit(text),
        Some("has-children") => StoreError::HasChildren,
        Some("cannot") => StoreError::Cannot(text),
        Some("blob-collected") => StoreError::BlobCollected(text),
        Some("unavailable") => StoreError::Unavailable(text),
        Some(_) => StoreError::Internal(text),
        None => match s.code() {
            Code::Unavailable | Code::DeadlineExceeded | Code::Cancelled => {
                StoreError::Unavailable(format!("metad: {text}"))
            }
            _ => StoreError::Internal(format!("metad: {:?}: {text}", s.code())),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every variant comes back as itself, with its text.
    #[test]
    fn every_variant_round_trips() {
        let cases = [
            StoreError::NotFound("mailbox x".into()),
            StoreError::AlreadyExists("a@b".into()),
            StoreError::OverQuota,
            StoreError::Limit("keywords".into()),
            StoreError::HasChildren,
            StoreError::Cannot("INBOX".into()),
            StoreError::BlobCollected("ab12".into()),
            StoreError::Unavailable("pool".into()),
            StoreError::Internal("bug".into()),
        ];
        for e in cases {
            let before = format!("{e:?}");
            let back = store_from_status(&status_from_store(e));
            assert_eq!(format!("{back:?}"), before);
        }
    }

    /// A bare status (no metadata) from the transport is unavailable, others internal.
    #[test]
    fn foreign_statuses() {
        let e = store_from_status(&Status::unavailable("tcp connect error"));
        assert!(matches!(e, StoreError::Unavailable(_)), "{e:?}");
        let e = store_from_status(&Status::not_found("route"));
        assert!(matches!(e, StoreError::Internal(_)), "{e:?}");
    }
}

//! Errors to gRPC status codes, in one place (STYLE.md §5).

use store::StoreError;
use tonic::Status;

/// Metadata key of an import error: how many messages were imported before the one refused.
pub(crate) const IMPORTED_KEY: &str = "strata-imported";

/// The status for a storage error. Variants the caller can act on keep their meaning
/// (not found, exists, over quota, refused); a body the sweep raced is transient like an
/// unreachable backend, so both are UNAVAILABLE (retry); anything else is INTERNAL.
pub(crate) fn store_status(e: StoreError) -> Status {
    let text = e.to_string();
    match e {
        StoreError::NotFound(_) => Status::not_found(text),
        StoreError::AlreadyExists(_) => Status::already_exists(text),
        StoreError::OverQuota | StoreError::Limit(_) => Status::resource_exhausted(text),
        StoreError::Cannot(_) | StoreError::HasChildren => Status::failed_precondition(text),
        StoreError::Unavailable(_) | StoreError::BlobCollected(_) => Status::unavailable(text),
        StoreError::Internal(_) => {
            tracing::error!(error = %text, "admin call failed in the store");
            Status::internal(text)
        }
    }
}

/// The status for a failed [`crate::ClusterHooks`] call.
pub(crate) fn hook_status(what: &str, e: String) -> Status {
    Status::unavailable(format!("{what} failed: {e}"))
}

/// The status for a blocking task that did not finish (a panic or a shutdown).
pub(crate) fn join_status(e: tokio::task::JoinError) -> Status {
    Status::internal(format!("background task failed: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use tonic::Code;

    #[test]
    fn codes() {
        let cases = [
            (StoreError::NotFound("x".into()), Code::NotFound),
            (StoreError::AlreadyExists("x".into()), Code::AlreadyExists),
            (StoreError::OverQuota, Code::ResourceExhausted),
            (StoreError::Limit("x".into()), Code::ResourceExhausted),
            (StoreError::Cannot("x".into()), Code::FailedPrecondition),
            (StoreError::HasChildren, Code::FailedPrecondition),
            (StoreError::Unavailable("x".into()), Code::Unavailable),
            (StoreError::Internal("x".into()), Code::Internal),
        ];
        for (e, code) in cases {
            assert_eq!(store_status(e).code(), code);
        }
    }
}

//! Conversions between the protobuf messages of `proto/metad.proto` and the `store` types, one
//! small file per family. Domain → protobuf is infallible (`From`); protobuf → domain checks
//! what the wire cannot promise (a 32-byte SHA-256, a zone that fits in `i16`, a known enum
//! value) and fails with [`Invalid`], which each side maps to its own error.

mod account;
mod error;
mod mailbox;
mod message;

pub use error::{status_from_store, store_from_status};
pub(crate) use mailbox::{special_use_from_pb, special_use_to_pb};
pub(crate) use message::{blob, blob_bytes, blobs, flag_update, store_request};

/// A protobuf message that does not describe a valid domain value.
#[derive(Debug, thiserror::Error)]
#[error("invalid {0}")]
pub struct Invalid(pub String);

impl From<Invalid> for tonic::Status {
    fn from(e: Invalid) -> Self {
        tonic::Status::invalid_argument(e.to_string())
    }
}

impl From<Invalid> for store::StoreError {
    fn from(e: Invalid) -> Self {
        store::StoreError::Internal(format!("metad answered with an {e}"))
    }
}

/// Converts every element, failing on the first invalid one.
pub(crate) fn all<P, T>(items: Vec<P>) -> Result<Vec<T>, Invalid>
where
    T: TryFrom<P, Error = Invalid>,
{
    items.into_iter().map(T::try_from).collect()
}

/// Converts every element of a domain list into protobuf.
pub(crate) fn each<T, P: From<T>>(items: Vec<T>) -> Vec<P> {
    items.into_iter().map(P::from).collect()
}

/// A required sub-message.
pub(crate) fn required<T>(field: Option<T>, name: &str) -> Result<T, Invalid> {
    field.ok_or_else(|| Invalid(format!("message: {name} is missing")))
}

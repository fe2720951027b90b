//! The `MailStore` seam over gRPC (`proto/metad.proto`), one method at a time: each
//! [`Method`] says, in one place, how its arguments and its answer travel, which store call
//! serves it and whether a call whose outcome is unknown may be sent again. The server
//! ([`crate::server`]) and the client ([`crate::client`]) are generic over it; the files here
//! hold the methods of one family each, with the conversions of the types that family carries.
//!
//! Protobuf → domain checks what the wire cannot promise (a 32-byte SHA-256, a zone that fits
//! in `i16`, a known enum value) and fails with [`Invalid`]; errors keep their meaning across
//! the wire ([`error`]).

pub mod accounts;
pub mod error;
pub mod mailboxes;
pub mod messages;
pub mod sweep;
pub mod values;

use crate::pb;
use crate::pb::mail_store_client::MailStoreClient;
use std::future::Future;
use store::MailStore;
use strata_control::auth::SecretChannel;
use tonic::{Response, Status};

/// The generated client, on the cluster's authenticated channel.
pub type Client = MailStoreClient<SecretChannel>;

/// Whether a call may be sent again when its outcome is unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    /// Reads, and writes whose repetition changes neither the data nor the answer (SET …).
    Idempotent,
    /// APPEND, COPY, MOVE, STORE, EXPUNGE, CREATE, DELETE, RENAME, the \Recent claim: only
    /// when it never reached a replica.
    OnlyIfUnsent,
}

/// One `MailStore` method over gRPC: its arguments and answer, the messages they travel in
/// (each pair converted by its [`Wire`] impl), the store call that serves it and the gRPC call
/// that sends it.
pub trait Method {
    /// The store call's arguments, owned.
    type Args: Wire<Self::Req> + Send;
    /// The store call's answer.
    type Out: Wire<Self::Resp> + Send;
    /// The request message.
    type Req: Clone + Send + Sync + 'static;
    /// The response message.
    type Resp: Send + 'static;
    /// Whether a call whose outcome is unknown may be sent again.
    const RETRY: Retry;

    /// Server: the store call.
    fn serve(
        store: &dyn MailStore,
        args: Self::Args,
    ) -> impl Future<Output = store::Result<Self::Out>> + Send;
    /// Client: the gRPC call.
    fn send(
        client: Client,
        req: Self::Req,
    ) -> impl Future<Output = Result<Response<Self::Resp>, Status>> + Send;
}

/// How a value travels in the protobuf message `P`.
pub trait Wire<P>: Sized {
    /// The message.
    fn to_pb(self) -> P;
    /// The value a message describes.
    fn from_pb(p: P) -> Result<Self, Invalid>;
}

impl Wire<pb::Empty> for () {
    fn to_pb(self) -> pb::Empty {
        pb::Empty {}
    }
    fn from_pb(_: pb::Empty) -> Result<(), Invalid> {
        Ok(())
    }
}

impl Wire<pb::Name> for String {
    fn to_pb(self) -> pb::Name {
        pb::Name { name: self }
    }
    fn from_pb(p: pb::Name) -> Result<String, Invalid> {
        Ok(p.name)
    }
}

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

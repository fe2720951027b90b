//! # metad: the cluster's metadata service
//!
//! The `MailStore` seam over gRPC (`proto/metad.proto`): [`MetadService`] serves a replica's
//! store to the frontends, and [`RemoteStore`] is the frontends' `MailStore`, so the IMAP code
//! is the same in both shapes. Each method travels as an [`rpc::Method`]; errors keep their meaning across the wire ([`rpc::error`]).
//!
//! ```text
//!  frontend: imap-server ──▶ RemoteStore ══gRPC══▶ MetadService ──▶ PgStore ──▶ PostgreSQL
//!                 ▲                                     │                 ▲  LISTEN/NOTIFY
//!                 └──── change feed (Subscribe) ◀───────┘                 └── other replicas
//!            bodies: frontend ──▶ object store (S3) directly, never through metad
//! ```

pub mod client;
pub mod rpc;
pub mod search;
pub mod server;

pub use client::{ClientError, RemoteStore};
pub use search::{Owner, SearchService, ShardOwners};
pub use server::{MetadService, Readiness};

/// The generated protobuf types and tonic stubs of `proto/metad.proto`.
pub mod pb {
    #![allow(missing_docs, clippy::all)]
    tonic::include_proto!("strata.metad.v1");
}

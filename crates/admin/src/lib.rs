//! # strata-admin: the admin gRPC API
//!
//! Domains, accounts, passwords, quotas, mailbox import and export, reindex and cluster status
//! (`proto/admin.proto`, package `strata.admin.v1`), as a tonic service the host (metad, or the
//! all-in-one server) mounts, and the client that `strata admin …` uses.
//!
//! ```text
//!  strata admin … ──▶ AdminClient ──gRPC, `authorization: Bearer <token>`──▶ AdminService
//!   │ mbox / maildir codecs                                                   │ Tokens: operator
//!   │ (parsed and written on the client)                                      │   or one domain
//!   ▼                                                                         ├─▶ MailStore (accounts,
//!  import: target, then one message per request ─────────────────────────────▶│   mailboxes, quotas)
//!  export: ◀──────────── one message per reply, UID order ────────────────────├─▶ BlobStore (bodies,
//!                                                                             │   written first)
//!                                                     reindex, cluster status └─▶ ClusterHooks (host)
//! ```
//!
//! Layout: [`service`] (the server: [`AdminService`]), [`auth`] (bearer tokens and tenancy),
//! [`hooks`] (what the host provides: [`ClusterHooks`], [`PasswordHasher`]), [`client`]
//! ([`AdminClient`]), [`codec`] (mbox and maildir), [`transfer`] (import and export of files
//! through the client), [`report`] (plain lines for scripts), `convert` (protobuf ⇄ domain
//! types), `status` (errors ⇄ gRPC codes).

pub mod auth;
pub mod client;
pub mod codec;
mod convert;
pub mod hooks;
mod names;
pub mod report;
pub mod service;
mod status;
pub mod transfer;
mod types;

/// The generated protobuf messages, client and server of `proto/admin.proto`.
pub mod pb {
    #![allow(missing_docs, clippy::all)]
    tonic::include_proto!("strata.admin.v1");
}

pub use auth::{AdminToken, TokenError, Tokens, token_sha256};
pub use client::{AdminClient, ClientError};
pub use codec::{CodecError, MailItem};
pub use hooks::{ClusterHooks, PasswordHasher};
pub use names::{MAX_PASSWORD_LEN, password_problem};
pub use service::{AdminBackend, AdminOptions, AdminService};
pub use types::{AccountInfo, ImportSummary, LimitChange, ReindexSummary};

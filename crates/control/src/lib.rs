//! The cluster's control plane: an openraft group among the metad replicas that holds the small
//! state the cluster must agree on.
//!
//! - **membership**: node id → gRPC address of each metad;
//! - **search shards**: shard number → the one node allowed to write that tantivy index;
//! - **job leadership**: background job (`sweep`, `reindex`) → the node that runs it;
//! - **settings**: string key → string value.
//!
//! ```text
//!            metad 1                      metad 2                      metad 3
//!   ┌──────────────────────┐     ┌──────────────────────┐     ┌──────────────────────┐
//!   │ Control ─ Raft ──────┼─────┼─▶ PeerService        │     │                      │
//!   │   │        │ network │ AppendEntries/Vote/Snapshot (RaftPeer gRPC, one Channel  │
//!   │   │        │ ────────┼─────┼──────────────────────┼─────┼─▶ PeerService  per peer)
//!   │   │      LogStore, StateMachine                   │     │                      │
//!   │   │        └─▶ <dir>/raft.db (SQLite)             │     │                      │
//!   │   └─ leader only: reassignment loop ─ client_write(Assign) when a voter is lost/back
//!   └──────────────────────┘     └──────────────────────┘     └──────────────────────┘
//!   set_setting on a follower ──ClientWrite──▶ leader (UNAVAILABLE + leader address if not)
//!   `strata admin cluster status` ──Status──▶ any node ──Status(local)──▶ leader
//! ```
//!
//! Liveness: the leader records when each follower last answered one of its RPCs (heartbeats
//! are AppendEntries every `heartbeat`), in memory only. A voter silent for `lost_after` is
//! lost; the leader then proposes one `Assign` command moving its shards and jobs to live voters
//! (balanced, deterministic, minimal moves: see `plan`). Nothing is logged per heartbeat.
//!
//! Layout: [`Control`] (`control.rs`) is the node; `store/` the durable log and state machine;
//! `network.rs` the client side of the peer service and `service.rs` its server side;
//! `plan.rs` the placement rule with no I/O; `convert/` protobuf and status conversions.

pub mod auth;
mod control;
mod convert;
mod error;
mod network;
mod plan;
mod service;
mod state;
mod store;
mod types;

/// Generated protobuf and tonic code for `proto/raft.proto` (package `strata.raft.v1`).
pub mod pb {
    #![allow(missing_docs, clippy::all)]
    tonic::include_proto!("strata.raft.v1");
}

pub use control::{Control, ControlConfig, remote_status};
pub use error::ControlError;
pub use service::PeerService;
pub use state::{Claims, ClusterState, ClusterStatus, MemberStatus};
pub use types::{Command, CommandResponse, TypeConfig};

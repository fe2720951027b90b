//! The openraft type configuration and the commands of the control-plane log.

use std::collections::BTreeMap;
use std::io::Cursor;

use serde::{Deserialize, Serialize};

openraft::declare_raft_types!(
    /// The openraft types of the control plane: `u64` node ids, nodes known by their gRPC
    /// address ([`openraft::BasicNode`]), [`Command`]s in the log, and snapshots held in memory
    /// (the state is a few hundred bytes).
    pub TypeConfig:
        D = Command,
        R = CommandResponse,
        NodeId = u64,
        Node = openraft::BasicNode,
        Entry = openraft::Entry<TypeConfig>,
        SnapshotData = Cursor<Vec<u8>>,
        AsyncRuntime = openraft::TokioRuntime,
);

/// The Raft handle of the control plane.
pub(crate) type Raft = openraft::Raft<TypeConfig>;

/// A change to the control-plane state, written to the Raft log.
///
/// Commands are idempotent replacements, so applying one twice (a client retrying after a lost
/// reply) leaves the same state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Command {
    /// Set a cluster setting.
    SetSetting {
        /// Setting name.
        key: String,
        /// New value.
        value: String,
    },
    /// Replace the shard-ownership and job-leadership maps (proposed only by the leader's
    /// reassignment loop).
    Assign {
        /// Shard number -> owning node id.
        shards: BTreeMap<u32, u64>,
        /// Job name -> node id holding it.
        jobs: BTreeMap<String, u64>,
    },
}

/// What applying a [`Command`] returns: nothing beyond the fact that it was applied.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommandResponse;

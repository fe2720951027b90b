//! The replicated control-plane state and the status report built from it.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::types::Command;

/// The control-plane state as applied from the Raft log (the same on every node once applied).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterState {
    /// Node id -> gRPC address (`host:port`) of every member, from the last applied membership.
    pub members: BTreeMap<u64, String>,
    /// Search-index shard number -> owning node id.
    pub shards: BTreeMap<u32, u64>,
    /// Background job name (`"sweep"`, `"reindex"`) -> node id holding it.
    pub jobs: BTreeMap<String, u64>,
    /// Cluster settings.
    pub settings: BTreeMap<String, String>,
}

impl ClusterState {
    /// Applies one command.
    pub(crate) fn apply(&mut self, cmd: &Command) {
        match cmd {
            Command::SetSetting { key, value } => {
                self.settings.insert(key.clone(), value.clone());
            }
            Command::Assign { shards, jobs } => {
                self.shards = shards.clone();
                self.jobs = jobs.clone();
            }
        }
    }
}

/// What this node may act on right now: the shards for which [`crate::Control::owns_shard`]
/// and the jobs for which [`crate::Control::holds_job`] is true. Published by
/// [`crate::Control::claims`] whenever it changes, including when a lease starts or lapses
/// without any state change.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Claims {
    /// Shards this node may write.
    pub shards: BTreeSet<u32>,
    /// Jobs this node may run.
    pub jobs: BTreeSet<String>,
}

/// One member as reported by [`ClusterStatus`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberStatus {
    /// Node id.
    pub id: u64,
    /// Advertised gRPC address (`host:port`).
    pub addr: String,
    /// Whether the node votes (every configured peer does; learners do not).
    pub voter: bool,
    /// Whether the leader considers the node live (heard from within `lost_after`). `None` when
    /// the answer does not come from the leader, which is the only node that tracks liveness.
    pub reachable: Option<bool>,
    /// How long ago the leader last heard from the node (`None`: never, or unknown).
    pub last_seen: Option<Duration>,
}

/// The cluster as seen by one node, normally the leader: see [`crate::Control::status`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterStatus {
    /// The node that produced this report.
    pub node_id: u64,
    /// The current leader, if one is known.
    pub leader: Option<u64>,
    /// The reporting node's current Raft term.
    pub term: u64,
    /// Index of the last log entry applied by the reporting node.
    pub last_applied: Option<u64>,
    /// Every member, sorted by id.
    pub members: Vec<MemberStatus>,
    /// Shard number -> owning node id.
    pub shards: BTreeMap<u32, u64>,
    /// Job name -> node id holding it.
    pub jobs: BTreeMap<String, u64>,
    /// Cluster settings.
    pub settings: BTreeMap<String, String>,
}

//! [`ControlConfig`] and its translation to openraft's config.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use openraft::SnapshotPolicy;

use crate::error::ControlError;

/// Configuration of one control-plane node. Build it with [`ControlConfig::new`], which fills
/// every timing with its default, then adjust fields.
#[derive(Debug, Clone)]
pub struct ControlConfig {
    /// This node's id (unique in the cluster, stable across restarts).
    pub node_id: u64,
    /// This node's advertised gRPC address (`host:port`), as peers reach it.
    pub addr: String,
    /// The initial voters, this node included: node id -> `host:port`. Every node must be
    /// started with the same map; it is used only when the node's Raft log is empty.
    pub peers: BTreeMap<u64, String>,
    /// Directory holding `raft.db` (created if missing).
    pub dir: PathBuf,
    /// Number of search-index shards (shards are numbered `0..shards`).
    pub shards: u32,
    /// Names of the background jobs that need exactly one holder.
    pub jobs: Vec<String>,
    /// A voter the leader has not heard from for this long is lost: its shards and jobs move to
    /// live voters. Must exceed `election_timeout_max` (see [`Control::owns_shard`](crate::Control::owns_shard)).
    pub lost_after: Duration,
    /// Interval of the leader's heartbeats (AppendEntries) to followers.
    pub heartbeat: Duration,
    /// A follower that hears no leader for a random time in
    /// `[election_timeout_min, election_timeout_max)` starts an election.
    pub election_timeout_min: Duration,
    /// See `election_timeout_min`.
    pub election_timeout_max: Duration,
    /// Connect timeout towards peers, and the deadline of status and forwarded calls.
    pub rpc_timeout: Duration,
    /// How long a write ([`Control::set_setting`](crate::Control::set_setting)) may wait for a leader and its commit.
    pub write_timeout: Duration,
    /// Build a snapshot (and purge the log it covers) every this many log entries.
    pub snapshot_every: u64,
    /// Log entries kept after a snapshot, so a follower slightly behind catches up from the log.
    pub keep_logs: u64,
    /// The cluster secret sent with every call to a peer ([`crate::auth`]); `None`: none.
    pub secret: Option<String>,
}

impl ControlConfig {
    /// A configuration with the default timings: heartbeat 250 ms, elections after 1–2 s,
    /// a voter lost after 3 s, 8 shards, jobs `sweep` and `reindex`, a snapshot every 500 logs.
    pub fn new(
        node_id: u64,
        addr: impl Into<String>,
        peers: BTreeMap<u64, String>,
        dir: impl Into<PathBuf>,
    ) -> Self {
        Self {
            node_id,
            addr: addr.into(),
            peers,
            dir: dir.into(),
            shards: 8,
            jobs: vec!["sweep".to_string(), "reindex".to_string()],
            lost_after: Duration::from_secs(3),
            heartbeat: Duration::from_millis(250),
            election_timeout_min: Duration::from_millis(1000),
            election_timeout_max: Duration::from_millis(2000),
            rpc_timeout: Duration::from_secs(1),
            write_timeout: Duration::from_secs(5),
            snapshot_every: 500,
            keep_logs: 100,
            secret: None,
        }
    }

    pub(super) fn raft_config(&self) -> Result<openraft::Config, ControlError> {
        match self.peers.get(&self.node_id) {
            None => {
                return Err(ControlError::Config(format!(
                    "peers must include this node ({})",
                    self.node_id
                )));
            }
            Some(listed) if *listed != self.addr => {
                return Err(ControlError::Config(format!(
                    "node {} is {listed} in peers but advertises {}",
                    self.node_id, self.addr
                )));
            }
            Some(_) => {}
        }
        if self.lost_after <= self.election_timeout_max {
            return Err(ControlError::Config(format!(
                "lost_after ({:?}) must exceed election_timeout_max ({:?})",
                self.lost_after, self.election_timeout_max
            )));
        }
        let ms = |d: Duration| u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
        openraft::Config {
            cluster_name: "strata".to_string(),
            heartbeat_interval: ms(self.heartbeat),
            election_timeout_min: ms(self.election_timeout_min),
            election_timeout_max: ms(self.election_timeout_max),
            install_snapshot_timeout: ms(self.rpc_timeout).max(1000),
            snapshot_policy: SnapshotPolicy::LogsSinceLast(self.snapshot_every.max(1)),
            max_in_snapshot_log_to_keep: self.keep_logs,
            ..Default::default()
        }
        .validate()
        .map_err(|e| ControlError::Config(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn peers() -> BTreeMap<u64, String> {
        (1..=3)
            .map(|i| (i, format!("127.0.0.1:{}", 7000 + i)))
            .collect()
    }

    #[test]
    fn defaults_make_a_valid_raft_config() -> Result<(), ControlError> {
        let config = ControlConfig::new(1, "127.0.0.1:7001", peers(), "/tmp/x");
        let raft = config.raft_config()?;
        assert_eq!(raft.heartbeat_interval, 250);
        assert_eq!(
            (raft.election_timeout_min, raft.election_timeout_max),
            (1000, 2000)
        );
        assert_eq!(raft.snapshot_policy, SnapshotPolicy::LogsSinceLast(500));
        Ok(())
    }

    #[test]
    fn inconsistent_configs_are_refused() {
        let ok = ControlConfig::new(1, "127.0.0.1:7001", peers(), "/tmp/x");
        let mut c = ok.clone();
        c.node_id = 9;
        assert!(
            matches!(c.raft_config(), Err(ControlError::Config(_))),
            "self not in peers"
        );
        let mut c = ok.clone();
        c.addr = "127.0.0.1:9999".into();
        assert!(
            matches!(c.raft_config(), Err(ControlError::Config(_))),
            "address mismatch"
        );
        let mut c = ok.clone();
        c.lost_after = c.election_timeout_max;
        assert!(
            matches!(c.raft_config(), Err(ControlError::Config(_))),
            "lost_after too short"
        );
        let mut c = ok;
        c.election_timeout_min = c.election_timeout_max;
        assert!(
            matches!(c.raft_config(), Err(ControlError::Config(_))),
            "empty election range"
        );
    }
}

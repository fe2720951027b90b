//! [`Control`]: one node of the control plane (storage + Raft + the leader's reassignment loop).
//!
//! `config.rs` holds [`ControlConfig`], `ownership.rs` the liveness, lease and reassignment
//! logic, `forward.rs` the commands and status calls that go to the leader or a remote node.

mod config;
mod forward;
mod ownership;

pub use config::ControlConfig;
pub use forward::remote_status;
use ownership::{Acquired, reassign_loop, track_claims};

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use openraft::error::{InitializeError, RaftError};
use openraft::{BasicNode, ServerState};
use sqlx::SqlitePool;
use tokio::sync::watch;
use tokio::task::JoinHandle;

use crate::error::ControlError;
use crate::network::{Liveness, MAX_MESSAGE, Network, Peers};
use crate::pb;
use crate::service::PeerService;
use crate::state::{Claims, ClusterState, ClusterStatus, MemberStatus};
use crate::store::{LogStore, StateMachine};
use crate::types::{Command, Raft};

/// One running control-plane node. Cheap to clone (a shared handle).
///
/// metad starts one per replica with [`Control::start`], serves [`Control::service`] on its gRPC
/// port, and asks [`Control::owns_shard`] / [`Control::holds_job`] before writing a shard's
/// index or running a job.
#[derive(Clone)]
pub struct Control {
    inner: Arc<Inner>,
}

struct Inner {
    config: ControlConfig,
    raft: Raft,
    state: watch::Receiver<ClusterState>,
    peers: Arc<Peers>,
    liveness: Arc<Liveness>,
    /// `(term, since)`: when this node became leader for `term`. New leaders give every voter
    /// `lost_after` of grace from that moment. std mutex: never held across an await.
    leadership: Mutex<Option<(u64, Instant)>>,
    stop: watch::Sender<bool>,
    stopped: AtomicBool,
    /// When each shard / job currently assigned to this node became so (as observed here, or
    /// at startup for what the stored state already said). See [`Control::owns_shard`].
    acquired: Mutex<Acquired>,
    /// What this node may act on, republished on every change (see [`Control::claims`]).
    claims: watch::Sender<Claims>,
    tasks: Mutex<Vec<JoinHandle<()>>>,
    db: SqlitePool,
}

impl Control {
    /// Opens `<dir>/raft.db`, starts Raft, initializes the cluster with `peers` if this node's
    /// log is empty (harmless on every node started with the same peers), and spawns the
    /// leader's reassignment loop.
    pub async fn start(config: ControlConfig) -> Result<Control, ControlError> {
        let raft_config = Arc::new(config.raft_config()?);
        let db = crate::store::open(&config.dir)
            .await
            .map_err(|e| ControlError::Storage(e.to_string()))?;
        let (tx, state) = watch::channel(ClusterState::default());
        let sm = StateMachine::open(db.clone(), tx)
            .await
            .map_err(|e| ControlError::Storage(e.to_string()))?;
        let log = LogStore::new(db.clone());
        let peers = Arc::new(Peers::new(config.rpc_timeout, config.secret.clone()));
        let liveness = Arc::new(Liveness::default());
        let network = Network {
            id: config.node_id,
            peers: peers.clone(),
            liveness: liveness.clone(),
        };
        let raft = Raft::new(config.node_id, raft_config, network, log, sm).await?;

        if let Err(e) = initialize(&raft, &config).await {
            let _ = raft.shutdown().await;
            db.close().await;
            return Err(e);
        }

        let (stop, stop_rx) = watch::channel(false);
        let control = Control {
            inner: Arc::new(Inner {
                config,
                raft,
                state,
                peers,
                liveness,
                leadership: Mutex::new(None),
                stop,
                stopped: AtomicBool::new(false),
                acquired: Mutex::new(Acquired::default()),
                claims: watch::Sender::new(Claims::default()),
                tasks: Mutex::new(Vec::new()),
                db,
            }),
        };
        control.note_acquisitions();
        let tasks = [
            tokio::spawn(reassign_loop(control.clone(), stop_rx.clone())),
            tokio::spawn(track_claims(control.clone(), stop_rx)),
        ];
        lock(&control.inner.tasks).extend(tasks);
        tracing::info!(node = control.id(), "control plane started");
        Ok(control)
    }

    /// The tonic service of the peer-only Raft API, to add to metad's router.
    pub fn service(&self) -> pb::raft_peer_server::RaftPeerServer<PeerService> {
        pb::raft_peer_server::RaftPeerServer::new(PeerService {
            control: self.clone(),
        })
        .max_decoding_message_size(MAX_MESSAGE)
        .max_encoding_message_size(MAX_MESSAGE)
    }

    /// This node's id.
    pub fn id(&self) -> u64 {
        self.inner.config.node_id
    }

    /// The latest state applied on this node.
    pub fn state(&self) -> ClusterState {
        self.inner.state.borrow().clone()
    }

    /// A receiver that sees every newly applied state.
    pub fn watch(&self) -> watch::Receiver<ClusterState> {
        self.inner.state.clone()
    }

    /// The current leader as this node knows it: id and address.
    pub fn leader(&self) -> Option<(u64, String)> {
        let m = self.inner.raft.metrics();
        let m = m.borrow();
        let id = m.current_leader?;
        let addr = m.membership_config.membership().get_node(&id)?.addr.clone();
        Some((id, addr))
    }

    /// Whether this node is the leader right now (by its own metrics).
    pub fn is_leader(&self) -> bool {
        let m = self.inner.raft.metrics();
        let m = m.borrow();
        m.state == ServerState::Leader && m.current_leader == Some(self.id())
    }

    /// The cluster status. Liveness is known only to the leader, so a follower asks the leader
    /// and falls back to its own view (with `reachable` unknown) when the leader cannot be
    /// reached.
    pub async fn status(&self) -> ClusterStatus {
        if self.is_leader() {
            return self.local_status();
        }
        if let Some((id, addr)) = self.leader()
            && let Ok(mut client) = self.inner.peers.client(id, &addr)
        {
            let call = client.status(pb::StatusRequest { local: true });
            if let Ok(Ok(reply)) = tokio::time::timeout(self.inner.config.rpc_timeout, call).await {
                return reply.into_inner().into();
            }
        }
        self.local_status()
    }

    /// The status from this node's own metrics and applied state.
    pub(crate) fn local_status(&self) -> ClusterStatus {
        let m = self.inner.raft.metrics().borrow().clone();
        let leading = m.state == ServerState::Leader && m.current_leader == Some(self.id());
        let now = Instant::now();
        let since = if leading {
            Some(self.leader_since(m.current_term))
        } else {
            None
        };
        let membership = m.membership_config.membership();
        let voters: Vec<u64> = membership.voter_ids().collect();
        let members = membership
            .nodes()
            .map(|(id, node)| {
                let seen = self.inner.liveness.last_seen(*id);
                MemberStatus {
                    id: *id,
                    addr: node.addr.clone(),
                    voter: voters.contains(id),
                    reachable: since.map(|since| self.is_live(*id, now, since)),
                    last_seen: if *id == self.id() {
                        Some(Duration::ZERO)
                    } else if leading {
                        seen.map(|t| now.saturating_duration_since(t))
                    } else {
                        None
                    },
                }
            })
            .collect();
        let state = self.state();
        ClusterStatus {
            node_id: self.id(),
            leader: m.current_leader,
            term: m.current_term,
            last_applied: m.last_applied.map(|l| l.index),
            members,
            shards: state.shards,
            jobs: state.jobs,
            settings: state.settings,
        }
    }

    /// Whether this node owns search shard `shard` and may write its index now.
    ///
    /// True only while all of these hold:
    /// - the applied state names this node, and has for at least `election_timeout_min` (a
    ///   shard moved from a live node: the old owner hears the commit with the next heartbeat and
    ///   stops; a node restarted with a stale state catches up first);
    /// - the node is in touch with the cluster, a lease of `election_timeout_min`: a leader has
    ///   heard from a quorum of voters within it; a follower has had AppendEntries from its
    ///   leader succeed within it and has applied everything it received.
    ///
    /// The leader moves a lost node's shards only after `lost_after` (> `election_timeout_max`)
    /// without an answer from it, and a successor leader is elected only after the voters stopped
    /// hearing the old one for openraft's leader lease (`election_timeout_max`), so a cut-off
    /// owner has stopped claiming its shards before anyone else is given them.
    ///
    /// Caveat: this fencing is by time, sized for 3 voters on one network. An asymmetric link
    /// (requests arrive, answers are lost) can make a follower believe it is in touch while the
    /// leader counts it lost; a writer that must never overlap should also fence on the applied
    /// log index of the assignment.
    pub fn owns_shard(&self, shard: u32) -> bool {
        self.current_claims().shards.contains(&shard)
    }

    /// The owner of `shard` in the applied state: node id and address.
    pub fn shard_owner(&self, shard: u32) -> Option<(u64, String)> {
        let state = self.inner.state.borrow();
        let owner = *state.shards.get(&shard)?;
        let addr = state.members.get(&owner)?.clone();
        Some((owner, addr))
    }

    /// Whether this node holds background job `job` and may run it now (same rule as
    /// [`Control::owns_shard`]).
    pub fn holds_job(&self, job: &str) -> bool {
        self.current_claims().jobs.contains(job)
    }

    /// A receiver of what this node may act on ([`Claims`]), updated whenever it changes:
    /// when the applied state moves a shard or job, when a handoff delay ends, and when the
    /// ownership lease is lost or regained (checked every `heartbeat / 2`). Use it to start and
    /// stop shard writers and jobs; `owns_shard` / `holds_job` answer for one item right now.
    pub fn claims(&self) -> watch::Receiver<Claims> {
        self.inner.claims.subscribe()
    }

    /// Sets a cluster setting. Works on any node: a follower forwards the command to the leader.
    /// Returns once the leader has committed it; by then it is usually applied here too (waited
    /// for up to `rpc_timeout`).
    pub async fn set_setting(&self, key: &str, value: &str) -> Result<(), ControlError> {
        let index = self
            .propose(Command::SetSetting {
                key: key.to_string(),
                value: value.to_string(),
            })
            .await?;
        // Read-your-writes on this node in the common case; the write is committed either way.
        let _ = self
            .inner
            .raft
            .wait(Some(self.inner.config.rpc_timeout))
            .applied_index_at_least(Some(index), "set_setting applied locally")
            .await;
        Ok(())
    }

    /// Stops the background tasks and Raft, and closes the database. Idempotent. Call it
    /// before dropping the last handle: the background tasks hold handles of their own, so a
    /// dropped `Control` keeps running. The gRPC server serving [`Control::service`] is the
    /// caller's to stop (after this, so that peers see the node go quiet at once).
    pub async fn shutdown(&self) {
        if self.inner.stopped.swap(true, Ordering::SeqCst) {
            return;
        }
        let _ = self.inner.stop.send(true);
        let tasks: Vec<JoinHandle<()>> = lock(&self.inner.tasks).drain(..).collect();
        for task in tasks {
            let _ = task.await;
        }
        if let Err(e) = self.inner.raft.shutdown().await {
            tracing::warn!(node = self.id(), error = %e, "raft shutdown");
        }
        self.inner.db.close().await;
        tracing::info!(node = self.id(), "control plane stopped");
    }

    pub(crate) fn raft(&self) -> &Raft {
        &self.inner.raft
    }

    pub(crate) fn liveness(&self) -> &Liveness {
        &self.inner.liveness
    }
}

/// Initializes the cluster with the configured peers if this node's log and vote are empty.
/// Every node started with the same peers proposes the same membership as log entry 0, so
/// running this on all of them is harmless; a node that already has state answers NotAllowed.
async fn initialize(raft: &Raft, config: &ControlConfig) -> Result<(), ControlError> {
    if raft.is_initialized().await? {
        return Ok(());
    }
    let nodes: BTreeMap<u64, BasicNode> = config
        .peers
        .iter()
        .map(|(id, addr)| (*id, BasicNode::new(addr)))
        .collect();
    match raft.initialize(nodes).await {
        Ok(()) | Err(RaftError::APIError(InitializeError::NotAllowed(_))) => Ok(()),
        Err(RaftError::APIError(e)) => Err(ControlError::Config(e.to_string())),
        Err(RaftError::Fatal(e)) => Err(e.into()),
    }
}

/// Locks a std mutex, ignoring poisoning (the protected data stays consistent: every critical
/// section is a single insert or read).
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

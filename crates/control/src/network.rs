//! The Raft network over tonic: one reused channel per peer, RPC timeouts, and the
//! leader's view of which peers answer.
//!
//! ```text
//!   openraft replication / election ──▶ PeerClient ──RaftPeer gRPC──▶ peer's PeerService
//!                                          │ (Channel from Peers, reused)
//!                                          └─ every answered call ──▶ Liveness::seen(peer)
//! ```
//!
//! Liveness comes for free from Raft traffic: a leader sends AppendEntries to every follower at
//! least once per heartbeat interval, so "when did this peer last answer" is known without any
//! extra RPC and without writing anything to the log.

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::auth::SecretChannel;
use openraft::error::{
    Fatal, InstallSnapshotError, NetworkError, RPCError, RaftError, RemoteError, ReplicationClosed,
    StreamingError, Timeout, Unreachable,
};
use openraft::network::{RPCOption, RaftNetwork, RaftNetworkFactory};
use openraft::raft::{
    AppendEntriesRequest, AppendEntriesResponse, InstallSnapshotRequest, InstallSnapshotResponse,
    SnapshotResponse, VoteRequest, VoteResponse,
};
use openraft::{BasicNode, RPCTypes, Snapshot, Vote};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tonic::transport::Endpoint;

use crate::pb;
use crate::pb::raft_peer_client::RaftPeerClient;
use crate::types::TypeConfig;

/// Largest message accepted or sent on the peer service (a snapshot is the biggest one, and the
/// control-plane state is tiny, so this is generous).
pub(crate) const MAX_MESSAGE: usize = 16 * 1024 * 1024;

/// One lazily connected channel per peer, shared by the Raft network, command forwarding and
/// status forwarding. A channel reconnects by itself after its peer restarts, so it is only
/// replaced when the peer's address changes.
pub(crate) struct Peers {
    /// std mutex: held only to look up or insert, never across an await.
    channels: Mutex<HashMap<u64, (String, SecretChannel)>>,
    connect_timeout: Duration,
    /// The cluster secret sent with every call.
    secret: Option<String>,
}

impl Peers {
    pub(crate) fn new(connect_timeout: Duration, secret: Option<String>) -> Self {
        Self {
            channels: Mutex::new(HashMap::new()),
            connect_timeout,
            secret,
        }
    }

    /// The channel to node `id` at `addr` (`host:port`), created on first use.
    pub(crate) fn channel(
        &self,
        id: u64,
        addr: &str,
    ) -> Result<SecretChannel, tonic::transport::Error> {
        let mut map = self.channels.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((known, ch)) = map.get(&id)
            && known == addr
        {
            return Ok(ch.clone());
        }
        let ch = SecretChannel::new(
            endpoint(addr, self.connect_timeout)?.connect_lazy(),
            self.secret.as_deref(),
        );
        map.insert(id, (addr.to_string(), ch.clone()));
        Ok(ch)
    }

    /// A client of the peer service at `addr` (over the shared channel).
    pub(crate) fn client(
        &self,
        id: u64,
        addr: &str,
    ) -> Result<RaftPeerClient<SecretChannel>, tonic::transport::Error> {
        Ok(peer_client(self.channel(id, addr)?))
    }
}

/// The endpoint for `host:port` (plain HTTP/2; the peer network is internal to the cluster).
pub(crate) fn endpoint(
    addr: &str,
    connect_timeout: Duration,
) -> Result<Endpoint, tonic::transport::Error> {
    Ok(Endpoint::from_shared(format!("http://{addr}"))?
        .connect_timeout(connect_timeout)
        .tcp_nodelay(true))
}

/// Wraps a channel with the peer service's message-size limits.
pub(crate) fn peer_client(channel: SecretChannel) -> RaftPeerClient<SecretChannel> {
    RaftPeerClient::new(channel)
        .max_decoding_message_size(MAX_MESSAGE)
        .max_encoding_message_size(MAX_MESSAGE)
}

/// What this node knows of its peers' liveness: when each last answered one of our RPCs or
/// sent us AppendEntries as leader, and when we last accepted AppendEntries from a leader.
#[derive(Default)]
pub(crate) struct Liveness {
    /// std mutex: tiny critical sections, never held across an await.
    inner: Mutex<LivenessInner>,
}

#[derive(Default)]
struct LivenessInner {
    seen: HashMap<u64, Instant>,
    /// Nodes that have sent us AppendEntries as leader (see `Control::is_live`).
    led: HashSet<u64>,
    /// When AppendEntries from a leader last succeeded here (a follower's link to the cluster).
    leader_contact: Option<Instant>,
}

impl Liveness {
    fn lock(&self) -> std::sync::MutexGuard<'_, LivenessInner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// `id` answered an RPC of ours.
    pub(crate) fn seen(&self, id: u64) {
        self.lock().seen.insert(id, Instant::now());
    }

    /// We handled AppendEntries (replication or heartbeat) from leader `leader`; `matched`: our
    /// log now matches the leader's (a success, not a conflict).
    pub(crate) fn leader_contact(&self, leader: u64, matched: bool) {
        let now = Instant::now();
        let mut inner = self.lock();
        inner.seen.insert(leader, now);
        inner.led.insert(leader);
        if matched {
            inner.leader_contact = Some(now);
        }
    }

    pub(crate) fn last_seen(&self, id: u64) -> Option<Instant> {
        self.lock().seen.get(&id).copied()
    }

    /// Whether `id` has led while this node followed it.
    pub(crate) fn has_led(&self, id: u64) -> bool {
        self.lock().led.contains(&id)
    }

    pub(crate) fn last_leader_contact(&self) -> Option<Instant> {
        self.lock().leader_contact
    }
}

/// openraft's network factory: hands out a [`PeerClient`] per replication target.
pub(crate) struct Network {
    pub(crate) id: u64,
    pub(crate) peers: Arc<Peers>,
    pub(crate) liveness: Arc<Liveness>,
}

impl RaftNetworkFactory<TypeConfig> for Network {
    type Network = PeerClient;

    async fn new_client(&mut self, target: u64, node: &BasicNode) -> PeerClient {
        let client = self
            .peers
            .client(target, &node.addr)
            .map_err(|e| format!("bad address {:?} of node {target}: {e}", node.addr));
        PeerClient {
            id: self.id,
            target,
            client,
            liveness: self.liveness.clone(),
        }
    }
}

/// The connection to one peer, as openraft's [`RaftNetwork`].
pub(crate) struct PeerClient {
    id: u64,
    target: u64,
    /// Err when the peer's address does not parse; every call then fails as unreachable.
    client: Result<RaftPeerClient<SecretChannel>, String>,
    liveness: Arc<Liveness>,
}

/// Why a call failed below the Raft layer.
enum CallError {
    Timeout(Duration),
    Unreachable(tonic::Status),
    Network(tonic::Status),
    Decode(serde_json::Error),
    BadAddress(String),
}

impl std::fmt::Display for CallError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CallError::Timeout(d) => write!(f, "timed out after {d:?}"),
            CallError::Unreachable(s) | CallError::Network(s) => write!(f, "{s}"),
            CallError::Decode(e) => write!(f, "bad reply: {e}"),
            CallError::BadAddress(e) => write!(f, "{e}"),
        }
    }
}

/// A plain error type for openraft's error wrappers.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct Msg(String);

impl CallError {
    fn into_rpc<E: std::error::Error>(
        self,
        id: u64,
        target: u64,
        action: RPCTypes,
    ) -> RPCError<u64, BasicNode, E> {
        match self {
            CallError::Timeout(timeout) => RPCError::Timeout(Timeout {
                action,
                id,
                target,
                timeout,
            }),
            CallError::Unreachable(_) | CallError::BadAddress(_) => {
                RPCError::Unreachable(Unreachable::new(&Msg(self.to_string())))
            }
            CallError::Network(_) | CallError::Decode(_) => {
                RPCError::Network(NetworkError::new(&Msg(self.to_string())))
            }
        }
    }

    fn into_streaming(self, id: u64, target: u64) -> StreamingError<TypeConfig, Fatal<u64>> {
        match self.into_rpc::<Fatal<u64>>(id, target, RPCTypes::InstallSnapshot) {
            RPCError::Timeout(t) => StreamingError::Timeout(t),
            RPCError::Unreachable(u) => StreamingError::Unreachable(u),
            RPCError::Network(n) => StreamingError::Network(n),
            RPCError::PayloadTooLarge(p) => {
                StreamingError::Network(NetworkError::new(&Msg(p.to_string())))
            }
            RPCError::RemoteError(r) => StreamingError::RemoteError(r),
        }
    }
}

impl PeerClient {
    /// Runs one unary call with a deadline, decodes the JSON `Result` in the reply and records
    /// the peer as seen when it answered at all.
    async fn call<T, E, F, Fut>(&self, ttl: Duration, f: F) -> Result<Result<T, E>, CallError>
    where
        T: DeserializeOwned,
        E: DeserializeOwned,
        F: FnOnce(RaftPeerClient<SecretChannel>) -> Fut,
        Fut: Future<Output = Result<tonic::Response<pb::RaftReply>, tonic::Status>>,
    {
        let client = self.client.clone().map_err(CallError::BadAddress)?;
        let reply = match tokio::time::timeout(ttl, f(client)).await {
            Err(_) => return Err(CallError::Timeout(ttl)),
            Ok(Err(status)) if status.code() == tonic::Code::Unavailable => {
                return Err(CallError::Unreachable(status));
            }
            Ok(Err(status)) => return Err(CallError::Network(status)),
            Ok(Ok(reply)) => reply.into_inner(),
        };
        self.liveness.seen(self.target);
        serde_json::from_slice(&reply.data).map_err(CallError::Decode)
    }

    async fn raft_call<Req, T, E>(
        &self,
        action: RPCTypes,
        req: &Req,
        option: &RPCOption,
    ) -> Result<T, RPCError<u64, BasicNode, E>>
    where
        Req: Serialize,
        T: DeserializeOwned,
        E: std::error::Error + DeserializeOwned,
    {
        let data = serde_json::to_vec(req).map_err(|e| RPCError::Network(NetworkError::new(&e)))?;
        let request = pb::RaftRequest { data };
        let res = self
            .call::<T, E, _, _>(option.hard_ttl(), |mut c| async move {
                match action {
                    RPCTypes::AppendEntries => c.append_entries(request).await,
                    RPCTypes::Vote => c.vote(request).await,
                    RPCTypes::InstallSnapshot => c.install_snapshot(request).await,
                }
            })
            .await
            .map_err(|e| e.into_rpc(self.id, self.target, action))?;
        res.map_err(|e| RPCError::RemoteError(RemoteError::new(self.target, e)))
    }
}

impl RaftNetwork<TypeConfig> for PeerClient {
    async fn append_entries(
        &mut self,
        rpc: AppendEntriesRequest<TypeConfig>,
        option: RPCOption,
    ) -> Result<AppendEntriesResponse<u64>, RPCError<u64, BasicNode, RaftError<u64>>> {
        self.raft_call(RPCTypes::AppendEntries, &rpc, &option).await
    }

    async fn install_snapshot(
        &mut self,
        rpc: InstallSnapshotRequest<TypeConfig>,
        option: RPCOption,
    ) -> Result<
        InstallSnapshotResponse<u64>,
        RPCError<u64, BasicNode, RaftError<u64, InstallSnapshotError>>,
    > {
        self.raft_call(RPCTypes::InstallSnapshot, &rpc, &option)
            .await
    }

    async fn vote(
        &mut self,
        rpc: VoteRequest<u64>,
        option: RPCOption,
    ) -> Result<VoteResponse<u64>, RPCError<u64, BasicNode, RaftError<u64>>> {
        self.raft_call(RPCTypes::Vote, &rpc, &option).await
    }

    /// Sends the whole snapshot in one call (the state is small), racing openraft's `cancel`.
    async fn full_snapshot(
        &mut self,
        vote: Vote<u64>,
        snapshot: Snapshot<TypeConfig>,
        cancel: impl Future<Output = ReplicationClosed> + Send + 'static,
        option: RPCOption,
    ) -> Result<SnapshotResponse<u64>, StreamingError<TypeConfig, Fatal<u64>>> {
        let encode = |e: serde_json::Error| StreamingError::Network(NetworkError::new(&e));
        let request = pb::SnapshotRequest {
            vote: serde_json::to_vec(&vote).map_err(encode)?,
            meta: serde_json::to_vec(&snapshot.meta).map_err(encode)?,
            data: snapshot.snapshot.into_inner(),
        };
        let send = self.call::<SnapshotResponse<u64>, Fatal<u64>, _, _>(
            option.hard_ttl(),
            |mut c| async move { c.full_snapshot(request).await },
        );
        let res = tokio::select! {
            closed = cancel => return Err(StreamingError::Closed(closed)),
            res = send => res,
        };
        res.map_err(|e| e.into_streaming(self.id, self.target))?
            .map_err(|e| StreamingError::RemoteError(RemoteError::new(self.target, e)))
    }
}

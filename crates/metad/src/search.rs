//! Search routing over gRPC (the `Search` service of `proto/metad.proto`): the shard owner
//! evaluates a SEARCH's text keys on its index ([`search_index::Verdicts`]); any replica
//! forwards to the owner; the frontend's [`RemoteStore`](crate::RemoteStore) implements
//! [`RemoteSearch`](search_index::RemoteSearch) over it.
//!
//! ```text
//!  frontend ──Verdicts──▶ any metad ──(not the owner: forward once)──▶ owner metad
//!                                                                    └─ SearchIndex (its shards)
//! ```

use crate::pb;
use crate::pb::search_client::SearchClient;
use crate::pb::search_server::Search as Rpc;
use bytes::Bytes;
use imap_proto::command::SearchKey;
use search_index::{Indexer, SearchIndex, Verdicts};
use std::collections::HashMap;
use std::sync::Arc;
use store::{AccountId, MailboxId};
use strata_control::auth::SecretChannel;
use tonic::transport::Endpoint;
use tonic::{Request, Response, Status};

/// Who keeps an account's index shard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Owner {
    /// This replica.
    Me,
    /// Another replica, at this gRPC address (`host:port`).
    Other(String),
    /// Nobody known yet (no raft leader, shard not assigned).
    Unknown,
}

/// The shard map, as this replica knows it.
pub trait ShardOwners: Send + Sync + 'static {
    /// The owner of `account`'s shard.
    fn owner(&self, account: AccountId) -> Owner;
}

/// The `Search` service of one replica.
pub struct SearchService {
    index: Arc<SearchIndex>,
    indexer: Indexer,
    owners: Arc<dyn ShardOwners>,
    /// Channels to the other replicas, reused (one per address).
    peers: std::sync::Mutex<HashMap<String, SearchClient<SecretChannel>>>,
    /// The cluster secret, for forwarded calls.
    secret: Option<String>,
}

impl SearchService {
    /// Serves `index` (kept up by `indexer`) for the shards `owners` says are this replica's.
    pub fn new(index: Arc<SearchIndex>, indexer: Indexer, owners: Arc<dyn ShardOwners>) -> Self {
        SearchService {
            index,
            indexer,
            owners,
            peers: std::sync::Mutex::new(HashMap::new()),
            secret: None,
        }
    }

    /// Sends `secret` (the cluster secret) with calls forwarded to other replicas.
    pub fn with_secret(mut self, secret: Option<String>) -> Self {
        self.secret = secret;
        self
    }

    /// The tonic service.
    pub fn into_server(self) -> pb::search_server::SearchServer<SearchService> {
        pb::search_server::SearchServer::new(self)
            .max_decoding_message_size(crate::server::MAX_MESSAGE)
            .max_encoding_message_size(crate::server::MAX_MESSAGE)
    }

    fn peer(&self, addr: &str) -> Result<SearchClient<SecretChannel>, Status> {
        let mut peers = self
            .peers
            .lock()
            .map_err(|_| Status::internal("peer table poisoned"))?;
        if let Some(c) = peers.get(addr) {
            return Ok(c.clone());
        }
        let endpoint = Endpoint::from_shared(format!("http://{addr}"))
            .map_err(|e| Status::internal(format!("peer {addr}: {e}")))?
            .connect_timeout(std::time::Duration::from_secs(1))
            .timeout(std::time::Duration::from_secs(60))
            .tcp_nodelay(true);
        let channel = SecretChannel::new(endpoint.connect_lazy(), self.secret.as_deref());
        let client = SearchClient::new(channel)
            .max_decoding_message_size(crate::server::MAX_MESSAGE)
            .max_encoding_message_size(crate::server::MAX_MESSAGE);
        peers.insert(addr.to_string(), client.clone());
        Ok(client)
    }
}

/// The text keys of `criteria` as protobuf, in [`search_index::text_keys_of`] order.
pub fn keys_to_pb(criteria: &[SearchKey]) -> Vec<pb::TextKey> {
    search_index::text_keys_of(criteria)
        .into_iter()
        .filter_map(|(k, fuzzy)| {
            use pb::TextKeyKind as K;
            let (kind, header, needle) = match k {
                SearchKey::From(s) => (K::From, String::new(), s),
                SearchKey::To(s) => (K::To, String::new(), s),
                SearchKey::Cc(s) => (K::Cc, String::new(), s),
                SearchKey::Bcc(s) => (K::Bcc, String::new(), s),
                SearchKey::Subject(s) => (K::Subject, String::new(), s),
                SearchKey::Header(h, s) => (K::Header, h, s),
                SearchKey::Body(s) => (K::Body, String::new(), s),
                SearchKey::Text(s) => (K::Text, String::new(), s),
                _ => return None,
            };
            Some(pb::TextKey {
                kind: kind.into(),
                header,
                needle: needle.to_vec(),
                fuzzy,
            })
        })
        .collect()
}

/// The keys back, each on its own (wrapped in FUZZY where it was): criteria whose text keys
/// are exactly these.
pub fn keys_from_pb(keys: Vec<pb::TextKey>) -> Result<Vec<(SearchKey, bool)>, Status> {
    keys.into_iter()
        .map(|k| {
            use pb::TextKeyKind as K;
            let kind = K::try_from(k.kind)
                .map_err(|_| Status::invalid_argument(format!("text key kind {}", k.kind)))?;
            let s = Bytes::from(k.needle);
            let key = match kind {
                K::From => SearchKey::From(s),
                K::To => SearchKey::To(s),
                K::Cc => SearchKey::Cc(s),
                K::Bcc => SearchKey::Bcc(s),
                K::Subject => SearchKey::Subject(s),
                K::Header => SearchKey::Header(k.header, s),
                K::Body => SearchKey::Body(s),
                K::Text => SearchKey::Text(s),
            };
            Ok((key, k.fuzzy))
        })
        .collect()
}

/// A score that says "the owner could not tell: read the body".
const UNKNOWN: u32 = 255;

fn verdicts_to_pb(v: Verdicts) -> pb::VerdictsReply {
    pb::VerdictsReply {
        watermark: v.watermark,
        keys: v
            .keys
            .into_iter()
            .map(|(_, _, outcome)| match outcome {
                None => pb::KeyVerdicts {
                    prunes: false,
                    blobs: Vec::new(),
                    scores: Vec::new(),
                },
                Some(map) => {
                    let (blobs, scores) = map
                        .into_iter()
                        .map(|(b, s)| (b, s.map_or(UNKNOWN, u32::from)))
                        .unzip();
                    pb::KeyVerdicts {
                        prunes: true,
                        blobs,
                        scores,
                    }
                }
            })
            .collect(),
    }
}

/// The verdicts of a reply, for the keys that were asked (same order).
pub fn verdicts_from_pb(
    keys: Vec<(SearchKey, bool)>,
    reply: pb::VerdictsReply,
) -> Result<Verdicts, String> {
    if keys.len() != reply.keys.len() {
        return Err(format!(
            "asked {} keys, got {} answers",
            keys.len(),
            reply.keys.len()
        ));
    }
    let mut out = Vec::new();
    for ((key, fuzzy), kv) in keys.into_iter().zip(reply.keys) {
        let outcome = if kv.prunes {
            if kv.blobs.len() != kv.scores.len() {
                return Err("blobs and scores differ in length".to_string());
            }
            let map = kv
                .blobs
                .into_iter()
                .zip(kv.scores)
                .map(|(b, s)| {
                    let score = match s {
                        UNKNOWN => None,
                        s => Some(u8::try_from(s.min(100)).unwrap_or(100)),
                    };
                    (b, score)
                })
                .collect();
            Some(map)
        } else {
            None
        };
        out.push((key, fuzzy, outcome));
    }
    Ok(Verdicts {
        watermark: reply.watermark,
        keys: out,
    })
}

#[tonic::async_trait]
impl Rpc for SearchService {
    async fn verdicts(
        &self,
        r: Request<pb::VerdictsRequest>,
    ) -> Result<Response<pb::VerdictsReply>, Status> {
        let r = r.into_inner();
        let account = AccountId(r.account);
        match self.owners.owner(account) {
            Owner::Me => {
                let keys = keys_from_pb(r.keys)?;
                let criteria: Vec<SearchKey> = keys
                    .into_iter()
                    .map(|(k, f)| if f { SearchKey::Fuzzy(Box::new(k)) } else { k })
                    .collect();
                let index = self.index.clone();
                let mailbox = MailboxId(r.mailbox);
                let v = tokio::task::spawn_blocking(move || {
                    Verdicts::compute(&index, account, mailbox, &criteria)
                })
                .await
                .map_err(|e| Status::internal(format!("search task: {e}")))?
                .map_err(|e| Status::unavailable(format!("search index: {e}")))?;
                Ok(Response::new(verdicts_to_pb(v)))
            }
            Owner::Other(addr) if !r.forwarded => {
                let mut peer = self.peer(&addr)?;
                peer.verdicts(pb::VerdictsRequest {
                    forwarded: true,
                    ..r
                })
                .await
            }
            Owner::Other(addr) => Err(Status::unavailable(format!(
                "shard moved: the owner is {addr}"
            ))),
            Owner::Unknown => Err(Status::unavailable("no owner for this shard yet")),
        }
    }

    async fn reindex(
        &self,
        r: Request<pb::ReindexRequest>,
    ) -> Result<Response<pb::ReindexReply>, Status> {
        let r = r.into_inner();
        let mut mine = Vec::new();
        let mut others: HashMap<String, Vec<i64>> = HashMap::new();
        for a in r.accounts {
            match self.owners.owner(AccountId(a)) {
                Owner::Me => mine.push(AccountId(a)),
                Owner::Other(addr) if !r.forwarded => others.entry(addr).or_default().push(a),
                Owner::Other(addr) => {
                    return Err(Status::unavailable(format!(
                        "shard moved: the owner is {addr}"
                    )));
                }
                Owner::Unknown => return Err(Status::unavailable("no owner for a shard yet")),
            }
        }
        let mut bodies = 0u64;
        for account in mine {
            bodies += self
                .indexer
                .reindex_account(account)
                .await
                .map_err(|e| Status::unavailable(format!("reindex: {e}")))?
                as u64;
        }
        for (addr, accounts) in others {
            let mut peer = self.peer(&addr)?;
            bodies += peer
                .reindex(pb::ReindexRequest {
                    accounts,
                    forwarded: true,
                })
                .await?
                .into_inner()
                .bodies;
        }
        Ok(Response::new(pb::ReindexReply { bodies }))
    }
}

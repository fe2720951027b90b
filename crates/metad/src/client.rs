//! `RemoteStore`: the `MailStore` of a frontend, over gRPC to the metad replicas.
//!
//! ```text
//!  imap-server ──MailStore──▶ RemoteStore ──round robin, failover──▶ metad 1 │ 2 │ 3
//!                                  ▲                                    │
//!  sessions, IDLE ◀── broadcast ◀──┴── relay task ◀── Subscribe stream ──┘ (one replica at a time)
//! ```
//!
//! Every replica answers every call (PostgreSQL behind them is the system of record), so a
//! call goes to the next replica in turn. A replica that fails at the transport level is
//! skipped for [`DOWN_FOR`]. A call that never reached it (the connection was refused) is
//! retried on the next one; so is a read or an idempotent write whose outcome is unknown (the
//! replica died mid-call). A non-idempotent write whose outcome is unknown (APPEND, COPY, MOVE,
//! CREATE/DELETE/RENAME) is not retried: the frontend answers `NO [UNAVAILABLE]`, the client
//! tries again, and nothing acknowledged is lost (at worst an APPEND is stored twice).
//!
//! The change feed: one relay task keeps a `Subscribe` stream open to one replica and
//! republishes its events on a local broadcast. When the stream breaks it reconnects to
//! another replica and publishes [`ChangeEvent::RESYNC`], since events may have been lost in
//! between; IDLE sessions then look at their mailbox again.

use crate::pb;
use crate::pb::mail_store_client::MailStoreClient;
use crate::pb::search_client::SearchClient;
use crate::rpc::error::store_from_status;
use crate::rpc::messages::Transfer;
use crate::rpc::{Method, Retry, Wire, accounts as a, mailboxes as mb, messages as m, sweep};
use crate::server::MAX_MESSAGE;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use store::*;
use strata_control::auth::SecretChannel;
use tokio::sync::broadcast;
use tonic::transport::Endpoint;
use tonic::{Code, Response, Status};

/// How long a replica that failed at the transport level is skipped.
pub const DOWN_FOR: Duration = Duration::from_secs(2);

/// Upper bound for one call (a snapshot of a huge mailbox included).
const CALL_TIMEOUT: Duration = Duration::from_secs(60);

/// How long to wait for a TCP connection to a replica.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(1);

/// Why a [`RemoteStore`] could not be built.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// No endpoint was given.
    #[error("no metad endpoint configured")]
    NoEndpoints,
    /// An endpoint is not a valid URI.
    #[error("metad endpoint {0:?}: {1}")]
    BadEndpoint(String, String),
}

/// One metad replica.
struct Replica {
    addr: String,
    client: MailStoreClient<SecretChannel>,
    /// The `Search` service, on the same connection.
    search: SearchClient<SecretChannel>,
    /// Skipped until then after a transport failure. A std mutex: held for a copy, never
    /// across an await.
    down_until: std::sync::Mutex<Option<Instant>>,
}

impl Replica {
    fn is_down(&self) -> bool {
        let until = self.down_until.lock().map(|g| *g).unwrap_or(None);
        until.is_some_and(|t| Instant::now() < t)
    }

    fn mark_down(&self) {
        if let Ok(mut g) = self.down_until.lock() {
            *g = Some(Instant::now() + DOWN_FOR);
        }
    }
}

/// The `MailStore` of the cluster's frontends. Cheap to share (`Arc`).
pub struct RemoteStore {
    replicas: Arc<Vec<Replica>>,
    next: AtomicUsize,
    events: broadcast::Sender<ChangeEvent>,
    /// Whether the relay has a `Subscribe` stream open right now.
    feed: tokio::sync::watch::Receiver<bool>,
    relay: tokio::task::JoinHandle<()>,
}

impl Drop for RemoteStore {
    fn drop(&mut self) {
        self.relay.abort();
    }
}

impl RemoteStore {
    /// A store over the replicas at `endpoints` (`http://host:port`). Connections are made on
    /// first use, so a replica that is down at start does not stop the frontend. Must be
    /// called inside a tokio runtime (it starts the change relay).
    /// `secret` is the cluster secret the replicas require (sent with every call).
    pub fn connect(endpoints: &[String], secret: Option<&str>) -> Result<RemoteStore, ClientError> {
        if endpoints.is_empty() {
            return Err(ClientError::NoEndpoints);
        }
        let mut replicas = Vec::new();
        for addr in endpoints {
            let endpoint = Endpoint::from_shared(addr.clone())
                .map_err(|e| ClientError::BadEndpoint(addr.clone(), e.to_string()))?
                .connect_timeout(CONNECT_TIMEOUT)
                .timeout(CALL_TIMEOUT)
                .tcp_nodelay(true)
                .http2_keep_alive_interval(Duration::from_secs(10))
                .keep_alive_timeout(Duration::from_secs(5))
                .keep_alive_while_idle(true);
            let channel = SecretChannel::new(endpoint.connect_lazy(), secret);
            let client = MailStoreClient::new(channel.clone())
                .max_decoding_message_size(MAX_MESSAGE)
                .max_encoding_message_size(MAX_MESSAGE);
            let search = SearchClient::new(channel)
                .max_decoding_message_size(MAX_MESSAGE)
                .max_encoding_message_size(MAX_MESSAGE);
            replicas.push(Replica {
                addr: addr.clone(),
                client,
                search,
                down_until: std::sync::Mutex::new(None),
            });
        }
        let replicas = Arc::new(replicas);
        let (events, _) = broadcast::channel(4096);
        let (connected, feed) = tokio::sync::watch::channel(false);
        let relay = tokio::spawn(relay(replicas.clone(), events.clone(), connected));
        Ok(RemoteStore {
            replicas,
            next: AtomicUsize::new(0),
            events,
            feed,
            relay,
        })
    }

    /// Returns once the change feed has a stream open to a replica: from then on every
    /// committed change reaches [`Messages::subscribe`]'s receivers (or, if the stream breaks,
    /// a [`ChangeEvent::RESYNC`] does). Before that, events are lost without a RESYNC.
    pub async fn feed_connected(&self) {
        let mut feed = self.feed.clone();
        let _ = feed.wait_for(|open| *open).await;
    }

    /// Whether some replica answers `Ping` with ready (a frontend's readiness).
    /// All replicas are asked at once, each within a second, so one black-holed replica does
    /// not outlast a readiness probe.
    pub async fn ping(&self) -> std::result::Result<(), String> {
        let asks = self.replicas.iter().map(|r| async move {
            let mut request = tonic::Request::new(pb::Empty {});
            request.set_timeout(Duration::from_secs(1));
            match r.client.clone().ping(request).await {
                Ok(p) if p.get_ref().ready => Ok(()),
                Ok(p) => Err(format!("{}: {}", r.addr, p.into_inner().detail)),
                Err(s) => Err(format!("{}: {}", r.addr, s.message())),
            }
        });
        let answers = futures::future::join_all(asks).await;
        if answers.iter().any(|a| a.is_ok()) {
            return Ok(());
        }
        Err(answers
            .into_iter()
            .filter_map(|a| a.err())
            .collect::<Vec<_>>()
            .join("; "))
    }

    /// One call of method `M`.
    async fn call<M: Method>(&self, args: M::Args) -> Result<M::Out> {
        let req = args.to_pb();
        let resp = self.send(M::RETRY, |c| M::send(c, req.clone())).await?;
        Ok(M::Out::from_pb(resp)?)
    }

    /// Sends a call to one replica after another until one answers, following [`Retry`].
    async fn send<T, F, Fut>(&self, retry: Retry, f: F) -> Result<T>
    where
        F: Fn(MailStoreClient<SecretChannel>) -> Fut,
        Fut: Future<Output = std::result::Result<Response<T>, Status>>,
    {
        let n = self.replicas.len();
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        // Replicas believed up first, then the others: when all look down, try them anyway.
        let order: Vec<usize> = (0..n)
            .map(|i| (start + i) % n)
            .filter(|&i| !self.replicas[i].is_down())
            .chain(
                (0..n)
                    .map(|i| (start + i) % n)
                    .filter(|&i| self.replicas[i].is_down()),
            )
            .collect();
        let mut last = None;
        for i in order {
            let replica = &self.replicas[i];
            match f(replica.client.clone()).await {
                Ok(r) => return Ok(r.into_inner()),
                // This replica cannot reach the database (or is overloaded): another may.
                Err(s) if from_handler(&s) => {
                    let err = store_from_status(&s);
                    if retry == Retry::Idempotent && matches!(err, StoreError::Unavailable(_)) {
                        replica.mark_down();
                        last = Some(err);
                        continue;
                    }
                    return Err(err);
                }
                Err(s) => {
                    replica.mark_down();
                    tracing::debug!(replica = %replica.addr, status = %s, "metad call failed");
                    let unsent = s.code() == Code::Unavailable && s.message().contains("connect");
                    let err = store_from_status(&s);
                    if retry == Retry::OnlyIfUnsent && !unsent {
                        return Err(err);
                    }
                    last = Some(err);
                }
            }
        }
        Err(last.unwrap_or_else(|| StoreError::Unavailable("no metad replica".into())))
    }
}

/// Whether a status came from our handler (a store answer), not from the transport.
fn from_handler(s: &Status) -> bool {
    s.metadata().contains_key("strata-error") || s.code() == Code::InvalidArgument
}

/// Keeps one `Subscribe` stream open and republishes its events; see the module docs.
async fn relay(
    replicas: Arc<Vec<Replica>>,
    events: broadcast::Sender<ChangeEvent>,
    connected: tokio::sync::watch::Sender<bool>,
) {
    let mut turn = 0usize;
    let mut connected_before = false;
    loop {
        let replica = &replicas[turn % replicas.len()];
        turn += 1;
        let mut client = replica.client.clone();
        let stream = client.subscribe(pb::Empty {}).await;
        match stream {
            Ok(stream) => {
                let mut stream = stream.into_inner();
                tracing::info!(replica = %replica.addr, "change feed connected");
                connected.send_replace(true);
                if connected_before {
                    let _ = events.send(ChangeEvent::RESYNC);
                }
                connected_before = true;
                loop {
                    match stream.message().await {
                        Ok(Some(ev)) => {
                            let _ = events.send(ev.into());
                        }
                        Ok(None) => break,
                        Err(s) => {
                            tracing::warn!(replica = %replica.addr, status = %s, "change feed broke");
                            break;
                        }
                    }
                }
                // Events may be lost until the next stream is open.
                connected.send_replace(false);
                let _ = events.send(ChangeEvent::RESYNC);
            }
            Err(s) => {
                tracing::debug!(replica = %replica.addr, status = %s, "change feed: cannot subscribe");
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
    }
}

#[async_trait::async_trait]
impl Accounts for RemoteStore {
    async fn create_domain(&self, name: &str) -> Result<DomainId> {
        self.call::<a::CreateDomain>(name.into()).await
    }
    async fn list_domains(&self) -> Result<Vec<Domain>> {
        self.call::<a::ListDomains>(()).await
    }
    async fn delete_domain(&self, name: &str) -> Result<()> {
        self.call::<a::DeleteDomain>(name.into()).await
    }
    async fn create_account(&self, address: &str, password_hash: &str) -> Result<AccountId> {
        let new = a::NewAccount {
            address: address.into(),
            password_hash: password_hash.into(),
        };
        self.call::<a::CreateAccount>(new).await
    }
    async fn delete_account(&self, address: &str) -> Result<()> {
        self.call::<a::DeleteAccount>(address.into()).await
    }
    async fn list_accounts(&self, domain: Option<&str>) -> Result<Vec<Account>> {
        self.call::<a::ListAccounts>(domain.map(Into::into)).await
    }
    async fn set_password(&self, address: &str, password_hash: &str) -> Result<()> {
        let new = a::NewAccount {
            address: address.into(),
            password_hash: password_hash.into(),
        };
        self.call::<a::SetPassword>(new).await
    }
    async fn set_scram(&self, address: &str, scram: Option<&str>) -> Result<()> {
        self.call::<a::SetScram>((address.into(), scram.map(Into::into)))
            .await
    }
    async fn set_quota(&self, address: &str, limits: QuotaLimits) -> Result<()> {
        self.call::<a::SetQuota>((address.into(), limits)).await
    }
    async fn credentials(&self, address: &str) -> Result<Option<Credentials>> {
        self.call::<a::GetCredentials>(address.into()).await
    }
    async fn quota(&self, account: AccountId) -> Result<QuotaUsage> {
        self.call::<a::GetQuota>(account).await
    }
}

#[async_trait::async_trait]
impl Mailboxes for RemoteStore {
    async fn create_mailbox(
        &self,
        account: AccountId,
        name: &str,
        special_use: Option<SpecialUse>,
    ) -> Result<MailboxInfo> {
        self.call::<mb::CreateMailbox>((account, name.into(), special_use))
            .await
    }
    async fn delete_mailbox(&self, account: AccountId, name: &str) -> Result<()> {
        self.call::<mb::DeleteMailbox>((account, name.into())).await
    }
    async fn rename_mailbox(&self, account: AccountId, from: &str, to: &str) -> Result<()> {
        self.call::<mb::RenameMailbox>((account, from.into(), to.into()))
            .await
    }
    async fn list_mailboxes(&self, account: AccountId) -> Result<Vec<MailboxInfo>> {
        self.call::<mb::ListMailboxes>(account).await
    }
    async fn mailbox(&self, account: AccountId, name: &str) -> Result<MailboxInfo> {
        self.call::<mb::GetMailbox>((account, name.into())).await
    }
    async fn set_subscribed(&self, account: AccountId, name: &str, subscribed: bool) -> Result<()> {
        self.call::<mb::SetSubscribed>((account, name.into(), subscribed))
            .await
    }
    async fn subscriptions(&self, account: AccountId) -> Result<Vec<String>> {
        self.call::<mb::Subscriptions>(account).await
    }
    async fn status(&self, account: AccountId, mailbox: MailboxId) -> Result<MailboxStatus> {
        self.call::<mb::GetStatus>((account, mailbox)).await
    }
}

#[async_trait::async_trait]
impl Messages for RemoteStore {
    async fn append(
        &self,
        account: AccountId,
        mailbox: MailboxId,
        messages: Vec<NewMessage>,
    ) -> Result<AppendResult> {
        self.call::<m::Append>((account, mailbox, messages)).await
    }
    async fn snapshot(&self, account: AccountId, mailbox: MailboxId) -> Result<Snapshot> {
        self.call::<m::GetSnapshot>((account, mailbox)).await
    }
    async fn changes_since(
        &self,
        account: AccountId,
        mailbox: MailboxId,
        modseq: u64,
    ) -> Result<Changes> {
        self.call::<m::ChangesSince>((account, mailbox, modseq))
            .await
    }
    async fn store_flags(
        &self,
        account: AccountId,
        mailbox: MailboxId,
        update: FlagUpdate,
    ) -> Result<FlagUpdateResult> {
        self.call::<m::StoreFlags>((account, mailbox, update)).await
    }
    async fn copy(
        &self,
        account: AccountId,
        from: MailboxId,
        uids: &[u32],
        to: MailboxId,
    ) -> Result<CopyResult> {
        self.call::<m::Copy>(transfer(account, from, uids, to))
            .await
    }
    async fn move_messages(
        &self,
        account: AccountId,
        from: MailboxId,
        uids: &[u32],
        to: MailboxId,
    ) -> Result<(CopyResult, ExpungeResult)> {
        self.call::<m::Move>(transfer(account, from, uids, to))
            .await
    }
    async fn expunge(
        &self,
        account: AccountId,
        mailbox: MailboxId,
        uids: Option<&[u32]>,
    ) -> Result<ExpungeResult> {
        self.call::<m::Expunge>((account, mailbox, uids.map(<[u32]>::to_vec)))
            .await
    }
    async fn fetch(
        &self,
        account: AccountId,
        mailbox: MailboxId,
        uids: &[u32],
    ) -> Result<Vec<MessageRecord>> {
        self.call::<m::Fetch>((account, mailbox, uids.to_vec(), false))
            .await
    }
    async fn fetch_meta(
        &self,
        account: AccountId,
        mailbox: MailboxId,
        uids: &[u32],
    ) -> Result<Vec<MessageRecord>> {
        self.call::<m::Fetch>((account, mailbox, uids.to_vec(), true))
            .await
    }
    async fn uid_blobs(
        &self,
        account: AccountId,
        mailbox: MailboxId,
        after: u32,
    ) -> Result<Vec<(u32, BlobRef)>> {
        self.call::<m::UidBlobs>((account, mailbox, after)).await
    }
    async fn claim_recent(
        &self,
        account: AccountId,
        mailbox: MailboxId,
    ) -> Result<std::ops::Range<u32>> {
        self.call::<m::ClaimRecent>((account, mailbox)).await
    }
    fn subscribe(&self) -> broadcast::Receiver<ChangeEvent> {
        self.events.subscribe()
    }
}

#[async_trait::async_trait]
impl Sweep for RemoteStore {
    async fn sweep_mark(&self, batch: &[BlobRef]) -> Result<Vec<BlobRef>> {
        self.call::<sweep::SweepMark>(batch.to_vec()).await
    }
    async fn sweep_done(&self, deleted: &[BlobRef]) -> Result<()> {
        self.call::<sweep::SweepDone>(deleted.to_vec()).await
    }
}

fn transfer(account: AccountId, from: MailboxId, uids: &[u32], to: MailboxId) -> Transfer {
    Transfer {
        account,
        from,
        uids: uids.to_vec(),
        to,
    }
}

#[async_trait::async_trait]
impl search_index::RemoteSearch for RemoteStore {
    async fn verdicts(
        &self,
        account: AccountId,
        mailbox: MailboxId,
        criteria: &[imap_proto::command::SearchKey],
    ) -> std::result::Result<search_index::Verdicts, String> {
        let keys = crate::search::keys_to_pb(criteria);
        let asked = search_index::text_keys_of(criteria);
        let request = pb::VerdictsRequest {
            account: account.0,
            mailbox: mailbox.0,
            keys,
            forwarded: false,
        };
        // Any replica answers (forwarding to the owner); a read, so every replica may be tried.
        let n = self.replicas.len();
        let start = self.next.fetch_add(1, Ordering::Relaxed);
        let mut last = String::from("no metad replica");
        for i in (0..n).map(|i| (start + i) % n) {
            let replica = &self.replicas[i];
            if replica.is_down() && i != start % n {
                continue;
            }
            match replica.search.clone().verdicts(request.clone()).await {
                Ok(reply) => return crate::search::verdicts_from_pb(asked, reply.into_inner()),
                Err(s) => {
                    if s.message().contains("connect") {
                        replica.mark_down();
                    }
                    last = format!("{}: {}", replica.addr, s.message());
                    // The owner is unknown or moving: every replica would say so.
                    if s.code() == Code::Unavailable && s.message().contains("owner") {
                        break;
                    }
                }
            }
        }
        Err(last)
    }
}

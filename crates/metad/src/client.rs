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

use crate::convert::{
    Invalid, all, blob, blob_bytes, blobs, special_use_to_pb, store_from_status, store_request,
};
use crate::pb;
use crate::pb::mail_store_client::MailStoreClient;
use crate::pb::search_client::SearchClient;
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

/// Whether a call may be sent again when its outcome is unknown.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Retry {
    /// Reads, and writes whose repetition changes neither the data nor the answer (SET …).
    Idempotent,
    /// APPEND, COPY, MOVE, STORE, EXPUNGE, CREATE, DELETE, RENAME, the \Recent claim: only
    /// when it never reached a replica.
    OnlyIfUnsent,
}

/// The `MailStore` of the cluster's frontends. Cheap to share (`Arc`).
pub struct RemoteStore {
    replicas: Arc<Vec<Replica>>,
    next: AtomicUsize,
    events: broadcast::Sender<ChangeEvent>,
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
        let relay = tokio::spawn(relay(replicas.clone(), events.clone()));
        Ok(RemoteStore {
            replicas,
            next: AtomicUsize::new(0),
            events,
            relay,
        })
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

    /// Sends a call to one replica after another until one answers, following [`Retry`].
    async fn call<T, F, Fut>(&self, retry: Retry, f: F) -> Result<T>
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
async fn relay(replicas: Arc<Vec<Replica>>, events: broadcast::Sender<ChangeEvent>) {
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
                let _ = events.send(ChangeEvent::RESYNC);
            }
            Err(s) => {
                tracing::debug!(replica = %replica.addr, status = %s, "change feed: cannot subscribe");
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
        }
    }
}

fn map_invalid<T>(r: std::result::Result<T, Invalid>) -> Result<T> {
    r.map_err(StoreError::from)
}

#[async_trait::async_trait]
impl MailStore for RemoteStore {
    async fn create_domain(&self, name: &str) -> Result<DomainId> {
        let r = pb::Name { name: name.into() };
        let id = self
            .call(Retry::OnlyIfUnsent, |mut c| {
                let r = r.clone();
                async move { c.create_domain(r).await }
            })
            .await?;
        Ok(DomainId(id.id))
    }

    async fn list_domains(&self) -> Result<Vec<Domain>> {
        let l = self
            .call(Retry::Idempotent, |mut c| async move {
                c.list_domains(pb::Empty {}).await
            })
            .await?;
        map_invalid(all(l.domains))
    }

    async fn delete_domain(&self, name: &str) -> Result<()> {
        let r = pb::Name { name: name.into() };
        self.call(Retry::OnlyIfUnsent, |mut c| {
            let r = r.clone();
            async move { c.delete_domain(r).await }
        })
        .await?;
        Ok(())
    }

    async fn create_account(&self, address: &str, password_hash: &str) -> Result<AccountId> {
        let r = pb::CreateAccountRequest {
            address: address.into(),
            password_hash: password_hash.into(),
        };
        let id = self
            .call(Retry::OnlyIfUnsent, |mut c| {
                let r = r.clone();
                async move { c.create_account(r).await }
            })
            .await?;
        Ok(AccountId(id.id))
    }

    async fn delete_account(&self, address: &str) -> Result<()> {
        let r = pb::Name {
            name: address.into(),
        };
        self.call(Retry::OnlyIfUnsent, |mut c| {
            let r = r.clone();
            async move { c.delete_account(r).await }
        })
        .await?;
        Ok(())
    }

    async fn list_accounts(&self, domain: Option<&str>) -> Result<Vec<Account>> {
        let r = pb::ListAccountsRequest {
            domain: domain.map(Into::into),
        };
        let l = self
            .call(Retry::Idempotent, |mut c| {
                let r = r.clone();
                async move { c.list_accounts(r).await }
            })
            .await?;
        map_invalid(all(l.accounts))
    }

    async fn set_password(&self, address: &str, password_hash: &str) -> Result<()> {
        let r = pb::SetPasswordRequest {
            address: address.into(),
            password_hash: password_hash.into(),
        };
        self.call(Retry::Idempotent, |mut c| {
            let r = r.clone();
            async move { c.set_password(r).await }
        })
        .await?;
        Ok(())
    }

    async fn set_scram(&self, address: &str, scram: Option<&str>) -> Result<()> {
        let r = pb::SetScramRequest {
            address: address.into(),
            scram: scram.map(Into::into),
        };
        self.call(Retry::Idempotent, |mut c| {
            let r = r.clone();
            async move { c.set_scram(r).await }
        })
        .await?;
        Ok(())
    }

    async fn set_quota(&self, address: &str, limits: QuotaLimits) -> Result<()> {
        let r = pb::SetQuotaRequest {
            address: address.into(),
            limits: Some(limits.into()),
        };
        self.call(Retry::Idempotent, |mut c| {
            let r = r.clone();
            async move { c.set_quota(r).await }
        })
        .await?;
        Ok(())
    }

    async fn credentials(&self, address: &str) -> Result<Option<Credentials>> {
        let r = pb::Name {
            name: address.into(),
        };
        let c = self
            .call(Retry::Idempotent, |mut c| {
                let r = r.clone();
                async move { c.credentials(r).await }
            })
            .await?;
        map_invalid(c.credentials.map(Credentials::try_from).transpose())
    }

    async fn quota(&self, account: AccountId) -> Result<QuotaUsage> {
        let r = pb::AccountRef { account: account.0 };
        let q = self
            .call(Retry::Idempotent, |mut c| async move { c.quota(r).await })
            .await?;
        map_invalid(q.try_into())
    }

    async fn create_mailbox(
        &self,
        account: AccountId,
        name: &str,
        special_use: Option<SpecialUse>,
    ) -> Result<MailboxInfo> {
        let r = pb::CreateMailboxRequest {
            account: account.0,
            name: name.into(),
            special_use: special_use_to_pb(special_use).into(),
        };
        let m = self
            .call(Retry::OnlyIfUnsent, |mut c| {
                let r = r.clone();
                async move { c.create_mailbox(r).await }
            })
            .await?;
        map_invalid(m.try_into())
    }

    async fn delete_mailbox(&self, account: AccountId, name: &str) -> Result<()> {
        let r = pb::MailboxName {
            account: account.0,
            name: name.into(),
        };
        self.call(Retry::OnlyIfUnsent, |mut c| {
            let r = r.clone();
            async move { c.delete_mailbox(r).await }
        })
        .await?;
        Ok(())
    }

    async fn rename_mailbox(&self, account: AccountId, from: &str, to: &str) -> Result<()> {
        let r = pb::RenameMailboxRequest {
            account: account.0,
            from: from.into(),
            to: to.into(),
        };
        self.call(Retry::OnlyIfUnsent, |mut c| {
            let r = r.clone();
            async move { c.rename_mailbox(r).await }
        })
        .await?;
        Ok(())
    }

    async fn list_mailboxes(&self, account: AccountId) -> Result<Vec<MailboxInfo>> {
        let r = pb::AccountRef { account: account.0 };
        let l = self
            .call(Retry::Idempotent, |mut c| async move {
                c.list_mailboxes(r).await
            })
            .await?;
        map_invalid(all(l.mailboxes))
    }

    async fn mailbox(&self, account: AccountId, name: &str) -> Result<MailboxInfo> {
        let r = pb::MailboxName {
            account: account.0,
            name: name.into(),
        };
        let m = self
            .call(Retry::Idempotent, |mut c| {
                let r = r.clone();
                async move { c.mailbox(r).await }
            })
            .await?;
        map_invalid(m.try_into())
    }

    async fn set_subscribed(&self, account: AccountId, name: &str, subscribed: bool) -> Result<()> {
        let r = pb::SetSubscribedRequest {
            account: account.0,
            name: name.into(),
            subscribed,
        };
        self.call(Retry::Idempotent, |mut c| {
            let r = r.clone();
            async move { c.set_subscribed(r).await }
        })
        .await?;
        Ok(())
    }

    async fn subscriptions(&self, account: AccountId) -> Result<Vec<String>> {
        let r = pb::AccountRef { account: account.0 };
        let l = self
            .call(Retry::Idempotent, |mut c| async move {
                c.subscriptions(r).await
            })
            .await?;
        Ok(l.names)
    }

    async fn status(&self, account: AccountId, mailbox: MailboxId) -> Result<MailboxStatus> {
        let r = mailbox_ref(account, mailbox);
        let s = self
            .call(Retry::Idempotent, |mut c| async move { c.status(r).await })
            .await?;
        Ok(s.into())
    }

    async fn append(
        &self,
        account: AccountId,
        mailbox: MailboxId,
        messages: Vec<NewMessage>,
    ) -> Result<AppendResult> {
        let r = pb::AppendRequest {
            account: account.0,
            mailbox: mailbox.0,
            messages: messages.into_iter().map(Into::into).collect(),
        };
        let a = self
            .call(Retry::OnlyIfUnsent, |mut c| {
                let r = r.clone();
                async move { c.append(r).await }
            })
            .await?;
        Ok(a.into())
    }

    async fn snapshot(&self, account: AccountId, mailbox: MailboxId) -> Result<Snapshot> {
        let r = mailbox_ref(account, mailbox);
        let s = self
            .call(
                Retry::Idempotent,
                |mut c| async move { c.snapshot(r).await },
            )
            .await?;
        map_invalid(s.try_into())
    }

    async fn changes_since(
        &self,
        account: AccountId,
        mailbox: MailboxId,
        modseq: u64,
    ) -> Result<Changes> {
        let r = pb::ChangesSinceRequest {
            account: account.0,
            mailbox: mailbox.0,
            modseq,
        };
        let ch = self
            .call(Retry::Idempotent, |mut c| async move {
                c.changes_since(r).await
            })
            .await?;
        map_invalid(ch.try_into())
    }

    async fn store_flags(
        &self,
        account: AccountId,
        mailbox: MailboxId,
        update: FlagUpdate,
    ) -> Result<FlagUpdateResult> {
        let r = store_request(account, mailbox, update);
        // Not idempotent in what it answers: a second attempt finds the flags already set and
        // reports nothing changed (or, under UNCHANGEDSINCE, everything modified).
        let u = self
            .call(Retry::OnlyIfUnsent, |mut c| {
                let r = r.clone();
                async move { c.store_flags(r).await }
            })
            .await?;
        map_invalid(u.try_into())
    }

    async fn copy(
        &self,
        account: AccountId,
        from: MailboxId,
        uids: &[u32],
        to: MailboxId,
    ) -> Result<CopyResult> {
        let r = copy_request(account, from, uids, to);
        let c = self
            .call(Retry::OnlyIfUnsent, |mut c| {
                let r = r.clone();
                async move { c.copy(r).await }
            })
            .await?;
        Ok(c.into())
    }

    async fn move_messages(
        &self,
        account: AccountId,
        from: MailboxId,
        uids: &[u32],
        to: MailboxId,
    ) -> Result<(CopyResult, ExpungeResult)> {
        let r = copy_request(account, from, uids, to);
        let m = self
            .call(Retry::OnlyIfUnsent, |mut c| {
                let r = r.clone();
                async move { c.r#move(r).await }
            })
            .await?;
        let copied = m.copied.ok_or_else(|| missing("copy result"))?;
        let expunged = m.expunged.ok_or_else(|| missing("expunge result"))?;
        Ok((copied.into(), expunged.into()))
    }

    async fn expunge(
        &self,
        account: AccountId,
        mailbox: MailboxId,
        uids: Option<&[u32]>,
    ) -> Result<ExpungeResult> {
        let r = pb::ExpungeRequest {
            account: account.0,
            mailbox: mailbox.0,
            uids: uids.map(|u| pb::UidSet { uids: u.to_vec() }),
        };
        // A second attempt would find nothing left to remove and answer no UIDs.
        let e = self
            .call(Retry::OnlyIfUnsent, |mut c| {
                let r = r.clone();
                async move { c.expunge(r).await }
            })
            .await?;
        Ok(e.into())
    }

    async fn fetch(
        &self,
        account: AccountId,
        mailbox: MailboxId,
        uids: &[u32],
    ) -> Result<Vec<MessageRecord>> {
        self.fetch_records(account, mailbox, uids, false).await
    }

    async fn fetch_meta(
        &self,
        account: AccountId,
        mailbox: MailboxId,
        uids: &[u32],
    ) -> Result<Vec<MessageRecord>> {
        self.fetch_records(account, mailbox, uids, true).await
    }

    async fn uid_blobs(
        &self,
        account: AccountId,
        mailbox: MailboxId,
        after: u32,
    ) -> Result<Vec<(u32, BlobRef)>> {
        let r = pb::UidBlobsRequest {
            account: account.0,
            mailbox: mailbox.0,
            after,
        };
        let l = self
            .call(
                Retry::Idempotent,
                |mut c| async move { c.uid_blobs(r).await },
            )
            .await?;
        l.entries
            .into_iter()
            .map(|e| Ok((e.uid, map_invalid(blob(e.blob))?)))
            .collect()
    }

    async fn claim_recent(&self, account: AccountId, mailbox: MailboxId) -> Result<u32> {
        let r = mailbox_ref(account, mailbox);
        let u = self
            // A second attempt would find the first one's claim and answer none recent.
            .call(Retry::OnlyIfUnsent, |mut c| async move {
                c.claim_recent(r).await
            })
            .await?;
        Ok(u.uid)
    }

    fn subscribe(&self) -> broadcast::Receiver<ChangeEvent> {
        self.events.subscribe()
    }

    async fn sweep_mark(&self, batch: &[BlobRef]) -> Result<Vec<BlobRef>> {
        let r = pb::BlobList {
            blobs: blob_bytes(batch),
        };
        // Marking twice is harmless: the second mark finds the same live set.
        let l = self
            .call(Retry::Idempotent, |mut c| {
                let r = r.clone();
                async move { c.sweep_mark(r).await }
            })
            .await?;
        map_invalid(blobs(l.blobs))
    }

    async fn sweep_done(&self, deleted: &[BlobRef]) -> Result<()> {
        let r = pb::BlobList {
            blobs: blob_bytes(deleted),
        };
        self.call(Retry::Idempotent, |mut c| {
            let r = r.clone();
            async move { c.sweep_done(r).await }
        })
        .await?;
        Ok(())
    }
}

impl RemoteStore {
    async fn fetch_records(
        &self,
        account: AccountId,
        mailbox: MailboxId,
        uids: &[u32],
        meta_only: bool,
    ) -> Result<Vec<MessageRecord>> {
        let r = pb::FetchRequest {
            account: account.0,
            mailbox: mailbox.0,
            uids: uids.to_vec(),
            meta_only,
        };
        let l = self
            .call(Retry::Idempotent, |mut c| {
                let r = r.clone();
                async move { c.fetch(r).await }
            })
            .await?;
        map_invalid(all(l.records))
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

fn mailbox_ref(account: AccountId, mailbox: MailboxId) -> pb::MailboxRef {
    pb::MailboxRef {
        account: account.0,
        mailbox: mailbox.0,
    }
}

fn copy_request(
    account: AccountId,
    from: MailboxId,
    uids: &[u32],
    to: MailboxId,
) -> pb::CopyRequest {
    pb::CopyRequest {
        account: account.0,
        from: from.0,
        uids: uids.to_vec(),
        to: to.0,
    }
}

fn missing(what: &str) -> StoreError {
    StoreError::Internal(format!("metad answered without a {what}"))
}

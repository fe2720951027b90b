//! The gRPC service: every `MailStore` call of a frontend, answered by this replica's store
//! (PostgreSQL in production; any `MailStore` in tests). Handlers only convert: the store keeps
//! the contract (durability, ordering, tenant isolation), and errors travel as
//! [`status_from_store`].

use crate::convert::{all, each, status_from_store};
use crate::convert::{blob_bytes, blobs, flag_update, special_use_from_pb};
use crate::pb;
use crate::pb::mail_store_server::MailStore as Rpc;
use futures::Stream;
use std::pin::Pin;
use std::sync::Arc;
use store::{AccountId, ChangeEvent, MailStore, MailboxId};
use tokio::sync::broadcast::error::RecvError;
use tonic::{Request, Response, Status};

/// Messages bigger than this are refused by both sides (a snapshot of a 1-million-message
/// mailbox is ~30 MB; FETCH answers are chunked by the frontend).
pub const MAX_MESSAGE: usize = 256 * 1024 * 1024;

/// What `Ping` reports: whether this replica can serve now.
#[tonic::async_trait]
pub trait Readiness: Send + Sync + 'static {
    /// `Err(why)` when it cannot.
    async fn check(&self) -> Result<(), String>;
}

/// The service over a store.
pub struct MetadService {
    store: Arc<dyn MailStore>,
    readiness: Option<Arc<dyn Readiness>>,
}

impl MetadService {
    /// Serves `store`; `Ping` answers ready whenever the process runs.
    pub fn new(store: Arc<dyn MailStore>) -> Self {
        MetadService {
            store,
            readiness: None,
        }
    }

    /// `Ping` answers with `readiness`' verdict.
    pub fn with_readiness(mut self, readiness: Arc<dyn Readiness>) -> Self {
        self.readiness = Some(readiness);
        self
    }

    /// The tonic service, with our message-size limits.
    pub fn into_server(self) -> pb::mail_store_server::MailStoreServer<MetadService> {
        pb::mail_store_server::MailStoreServer::new(self)
            .max_decoding_message_size(MAX_MESSAGE)
            .max_encoding_message_size(MAX_MESSAGE)
    }
}

type Answer<T> = Result<Response<T>, Status>;

/// Wraps a store result.
fn answer<T, P: From<T>>(r: store::Result<T>) -> Answer<P> {
    r.map(|v| Response::new(P::from(v)))
        .map_err(status_from_store)
}

fn empty(r: store::Result<()>) -> Answer<pb::Empty> {
    r.map(|()| Response::new(pb::Empty {}))
        .map_err(status_from_store)
}

fn ids(account: i64, mailbox: i64) -> (AccountId, MailboxId) {
    (AccountId(account), MailboxId(mailbox))
}

#[tonic::async_trait]
impl Rpc for MetadService {
    async fn ping(&self, _: Request<pb::Empty>) -> Answer<pb::PingReply> {
        let verdict = match &self.readiness {
            Some(r) => r.check().await,
            None => Ok(()),
        };
        Ok(Response::new(match verdict {
            Ok(()) => pb::PingReply {
                ready: true,
                detail: String::new(),
            },
            Err(detail) => pb::PingReply {
                ready: false,
                detail,
            },
        }))
    }

    async fn create_domain(&self, r: Request<pb::Name>) -> Answer<pb::Id> {
        let r = self.store.create_domain(&r.into_inner().name).await;
        answer(r.map(|d| pb::Id { id: d.0 }))
    }

    async fn list_domains(&self, _: Request<pb::Empty>) -> Answer<pb::DomainList> {
        let r = self.store.list_domains().await;
        answer(r.map(|d| pb::DomainList { domains: each(d) }))
    }

    async fn delete_domain(&self, r: Request<pb::Name>) -> Answer<pb::Empty> {
        empty(self.store.delete_domain(&r.into_inner().name).await)
    }

    async fn create_account(&self, r: Request<pb::CreateAccountRequest>) -> Answer<pb::Id> {
        let r = r.into_inner();
        let id = self
            .store
            .create_account(&r.address, &r.password_hash)
            .await;
        answer(id.map(|a| pb::Id { id: a.0 }))
    }

    async fn delete_account(&self, r: Request<pb::Name>) -> Answer<pb::Empty> {
        empty(self.store.delete_account(&r.into_inner().name).await)
    }

    async fn list_accounts(&self, r: Request<pb::ListAccountsRequest>) -> Answer<pb::AccountList> {
        let r = self
            .store
            .list_accounts(r.into_inner().domain.as_deref())
            .await;
        answer(r.map(|a| pb::AccountList { accounts: each(a) }))
    }

    async fn set_password(&self, r: Request<pb::SetPasswordRequest>) -> Answer<pb::Empty> {
        let r = r.into_inner();
        empty(self.store.set_password(&r.address, &r.password_hash).await)
    }

    async fn set_scram(&self, r: Request<pb::SetScramRequest>) -> Answer<pb::Empty> {
        let r = r.into_inner();
        empty(self.store.set_scram(&r.address, r.scram.as_deref()).await)
    }

    async fn set_quota(&self, r: Request<pb::SetQuotaRequest>) -> Answer<pb::Empty> {
        let r = r.into_inner();
        let limits = r.limits.unwrap_or_default().into();
        empty(self.store.set_quota(&r.address, limits).await)
    }

    async fn credentials(&self, r: Request<pb::Name>) -> Answer<pb::CredentialsReply> {
        let r = self.store.credentials(&r.into_inner().name).await;
        answer(r.map(|c| pb::CredentialsReply {
            credentials: c.map(Into::into),
        }))
    }

    async fn quota(&self, r: Request<pb::AccountRef>) -> Answer<pb::QuotaUsage> {
        answer(self.store.quota(AccountId(r.into_inner().account)).await)
    }

    async fn create_mailbox(
        &self,
        r: Request<pb::CreateMailboxRequest>,
    ) -> Answer<pb::MailboxInfo> {
        let r = r.into_inner();
        let special = special_use_from_pb(r.special_use)?;
        let account = AccountId(r.account);
        answer(self.store.create_mailbox(account, &r.name, special).await)
    }

    async fn delete_mailbox(&self, r: Request<pb::MailboxName>) -> Answer<pb::Empty> {
        let r = r.into_inner();
        empty(
            self.store
                .delete_mailbox(AccountId(r.account), &r.name)
                .await,
        )
    }

    async fn rename_mailbox(&self, r: Request<pb::RenameMailboxRequest>) -> Answer<pb::Empty> {
        let r = r.into_inner();
        let account = AccountId(r.account);
        empty(self.store.rename_mailbox(account, &r.from, &r.to).await)
    }

    async fn list_mailboxes(&self, r: Request<pb::AccountRef>) -> Answer<pb::MailboxList> {
        let r = self
            .store
            .list_mailboxes(AccountId(r.into_inner().account))
            .await;
        answer(r.map(|m| pb::MailboxList { mailboxes: each(m) }))
    }

    async fn mailbox(&self, r: Request<pb::MailboxName>) -> Answer<pb::MailboxInfo> {
        let r = r.into_inner();
        answer(self.store.mailbox(AccountId(r.account), &r.name).await)
    }

    async fn set_subscribed(&self, r: Request<pb::SetSubscribedRequest>) -> Answer<pb::Empty> {
        let r = r.into_inner();
        let account = AccountId(r.account);
        empty(
            self.store
                .set_subscribed(account, &r.name, r.subscribed)
                .await,
        )
    }

    async fn subscriptions(&self, r: Request<pb::AccountRef>) -> Answer<pb::NameList> {
        let r = self
            .store
            .subscriptions(AccountId(r.into_inner().account))
            .await;
        answer(r.map(|names| pb::NameList { names }))
    }

    async fn status(&self, r: Request<pb::MailboxRef>) -> Answer<pb::MailboxStatus> {
        let r = r.into_inner();
        let (a, m) = ids(r.account, r.mailbox);
        answer(self.store.status(a, m).await)
    }

    async fn append(&self, r: Request<pb::AppendRequest>) -> Answer<pb::AppendResult> {
        let r = r.into_inner();
        let (a, m) = ids(r.account, r.mailbox);
        let messages = all(r.messages)?;
        answer(self.store.append(a, m, messages).await)
    }

    async fn snapshot(&self, r: Request<pb::MailboxRef>) -> Answer<pb::Snapshot> {
        let r = r.into_inner();
        let (a, m) = ids(r.account, r.mailbox);
        answer(self.store.snapshot(a, m).await)
    }

    async fn changes_since(&self, r: Request<pb::ChangesSinceRequest>) -> Answer<pb::Changes> {
        let r = r.into_inner();
        let (a, m) = ids(r.account, r.mailbox);
        answer(self.store.changes_since(a, m, r.modseq).await)
    }

    async fn store_flags(&self, r: Request<pb::StoreFlagsRequest>) -> Answer<pb::FlagUpdateResult> {
        let r = r.into_inner();
        let (a, m) = ids(r.account, r.mailbox);
        let update = flag_update(r)?;
        answer(self.store.store_flags(a, m, update).await)
    }

    async fn copy(&self, r: Request<pb::CopyRequest>) -> Answer<pb::CopyResult> {
        let r = r.into_inner();
        let (a, from) = ids(r.account, r.from);
        answer(self.store.copy(a, from, &r.uids, MailboxId(r.to)).await)
    }

    async fn r#move(&self, r: Request<pb::CopyRequest>) -> Answer<pb::MoveResult> {
        let r = r.into_inner();
        let (a, from) = ids(r.account, r.from);
        let moved = self
            .store
            .move_messages(a, from, &r.uids, MailboxId(r.to))
            .await;
        answer(moved.map(|(c, e)| pb::MoveResult {
            copied: Some(c.into()),
            expunged: Some(e.into()),
        }))
    }

    async fn expunge(&self, r: Request<pb::ExpungeRequest>) -> Answer<pb::ExpungeResult> {
        let r = r.into_inner();
        let (a, m) = ids(r.account, r.mailbox);
        let uids = r.uids.map(|s| s.uids);
        answer(self.store.expunge(a, m, uids.as_deref()).await)
    }

    async fn fetch(&self, r: Request<pb::FetchRequest>) -> Answer<pb::RecordList> {
        let r = r.into_inner();
        let (a, m) = ids(r.account, r.mailbox);
        let records = if r.meta_only {
            self.store.fetch_meta(a, m, &r.uids).await
        } else {
            self.store.fetch(a, m, &r.uids).await
        };
        answer(records.map(|r| pb::RecordList { records: each(r) }))
    }

    async fn uid_blobs(&self, r: Request<pb::UidBlobsRequest>) -> Answer<pb::UidBlobList> {
        let r = r.into_inner();
        let (a, m) = ids(r.account, r.mailbox);
        let list = self.store.uid_blobs(a, m, r.after).await;
        answer(list.map(|l| {
            pb::UidBlobList {
                entries: l
                    .into_iter()
                    .map(|(uid, b)| pb::UidBlob {
                        uid,
                        blob: b.sha256.to_vec(),
                    })
                    .collect(),
            }
        }))
    }

    async fn claim_recent(&self, r: Request<pb::MailboxRef>) -> Answer<pb::Uid> {
        let r = r.into_inner();
        let (a, m) = ids(r.account, r.mailbox);
        answer(
            self.store
                .claim_recent(a, m)
                .await
                .map(|uid| pb::Uid { uid }),
        )
    }

    async fn sweep_mark(&self, r: Request<pb::BlobList>) -> Answer<pb::BlobList> {
        let batch = blobs(r.into_inner().blobs)?;
        let live = self.store.sweep_mark(&batch).await;
        answer(live.map(|l| pb::BlobList {
            blobs: blob_bytes(&l),
        }))
    }

    async fn sweep_done(&self, r: Request<pb::BlobList>) -> Answer<pb::Empty> {
        let deleted = blobs(r.into_inner().blobs)?;
        empty(self.store.sweep_done(&deleted).await)
    }

    type SubscribeStream = Pin<Box<dyn Stream<Item = Result<pb::ChangeEvent, Status>> + Send>>;

    async fn subscribe(&self, _: Request<pb::Empty>) -> Answer<Self::SubscribeStream> {
        let feed = self.store.subscribe();
        // A lagging subscriber gets RESYNC (it looks at everything) instead of a broken stream.
        let stream = futures::stream::unfold(feed, |mut feed| async move {
            let ev = match feed.recv().await {
                Ok(ev) => ev,
                Err(RecvError::Lagged(_)) => ChangeEvent::RESYNC,
                Err(RecvError::Closed) => return None,
            };
            Some((Ok(pb::ChangeEvent::from(ev)), feed))
        });
        Ok(Response::new(Box::pin(stream)))
    }
}

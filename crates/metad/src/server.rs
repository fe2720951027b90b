//! The gRPC service: every `MailStore` call of a frontend, answered by this replica's store
//! (PostgreSQL in production; any `MailStore` in tests). Each handler serves one
//! [`Method`], which says how the call travels; the store keeps the contract
//! (durability, ordering, tenant isolation), and errors travel as [`status_from_store`].

use crate::pb;
use crate::pb::mail_store_server::MailStore as Rpc;
use crate::rpc::error::status_from_store;
use crate::rpc::{Method, Wire, accounts as a, mailboxes as mb, messages as m, sweep};
use futures::Stream;
use std::pin::Pin;
use std::sync::Arc;
use store::{ChangeEvent, MailStore};
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

impl MetadService {
    /// Serves one call of method `M`: decode, call the store, encode.
    async fn handle<M: Method>(&self, r: Request<M::Req>) -> Answer<M::Resp> {
        let args = M::Args::from_pb(r.into_inner())?;
        let out = M::serve(self.store.as_ref(), args)
            .await
            .map_err(status_from_store)?;
        Ok(Response::new(out.to_pb()))
    }
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
        self.handle::<a::CreateDomain>(r).await
    }
    async fn list_domains(&self, r: Request<pb::Empty>) -> Answer<pb::DomainList> {
        self.handle::<a::ListDomains>(r).await
    }
    async fn delete_domain(&self, r: Request<pb::Name>) -> Answer<pb::Empty> {
        self.handle::<a::DeleteDomain>(r).await
    }
    async fn create_account(&self, r: Request<pb::CreateAccountRequest>) -> Answer<pb::Id> {
        self.handle::<a::CreateAccount>(r).await
    }
    async fn delete_account(&self, r: Request<pb::Name>) -> Answer<pb::Empty> {
        self.handle::<a::DeleteAccount>(r).await
    }
    async fn list_accounts(&self, r: Request<pb::ListAccountsRequest>) -> Answer<pb::AccountList> {
        self.handle::<a::ListAccounts>(r).await
    }
    async fn set_password(&self, r: Request<pb::SetPasswordRequest>) -> Answer<pb::Empty> {
        self.handle::<a::SetPassword>(r).await
    }
    async fn set_scram(&self, r: Request<pb::SetScramRequest>) -> Answer<pb::Empty> {
        self.handle::<a::SetScram>(r).await
    }
    async fn set_quota(&self, r: Request<pb::SetQuotaRequest>) -> Answer<pb::Empty> {
        self.handle::<a::SetQuota>(r).await
    }
    async fn credentials(&self, r: Request<pb::Name>) -> Answer<pb::CredentialsReply> {
        self.handle::<a::GetCredentials>(r).await
    }
    async fn quota(&self, r: Request<pb::AccountRef>) -> Answer<pb::QuotaUsage> {
        self.handle::<a::GetQuota>(r).await
    }

    async fn create_mailbox(
        &self,
        r: Request<pb::CreateMailboxRequest>,
    ) -> Answer<pb::MailboxInfo> {
        self.handle::<mb::CreateMailbox>(r).await
    }
    async fn delete_mailbox(&self, r: Request<pb::MailboxName>) -> Answer<pb::Empty> {
        self.handle::<mb::DeleteMailbox>(r).await
    }
    async fn rename_mailbox(&self, r: Request<pb::RenameMailboxRequest>) -> Answer<pb::Empty> {
        self.handle::<mb::RenameMailbox>(r).await
    }
    async fn list_mailboxes(&self, r: Request<pb::AccountRef>) -> Answer<pb::MailboxList> {
        self.handle::<mb::ListMailboxes>(r).await
    }
    async fn mailbox(&self, r: Request<pb::MailboxName>) -> Answer<pb::MailboxInfo> {
        self.handle::<mb::GetMailbox>(r).await
    }
    async fn set_subscribed(&self, r: Request<pb::SetSubscribedRequest>) -> Answer<pb::Empty> {
        self.handle::<mb::SetSubscribed>(r).await
    }
    async fn subscriptions(&self, r: Request<pb::AccountRef>) -> Answer<pb::NameList> {
        self.handle::<mb::Subscriptions>(r).await
    }
    async fn status(&self, r: Request<pb::MailboxRef>) -> Answer<pb::MailboxStatus> {
        self.handle::<mb::GetStatus>(r).await
    }

    async fn append(&self, r: Request<pb::AppendRequest>) -> Answer<pb::AppendResult> {
        self.handle::<m::Append>(r).await
    }
    async fn snapshot(&self, r: Request<pb::MailboxRef>) -> Answer<pb::Snapshot> {
        self.handle::<m::GetSnapshot>(r).await
    }
    async fn changes_since(&self, r: Request<pb::ChangesSinceRequest>) -> Answer<pb::Changes> {
        self.handle::<m::ChangesSince>(r).await
    }
    async fn store_flags(&self, r: Request<pb::StoreFlagsRequest>) -> Answer<pb::FlagUpdateResult> {
        self.handle::<m::StoreFlags>(r).await
    }
    async fn copy(&self, r: Request<pb::CopyRequest>) -> Answer<pb::CopyResult> {
        self.handle::<m::Copy>(r).await
    }
    async fn r#move(&self, r: Request<pb::CopyRequest>) -> Answer<pb::MoveResult> {
        self.handle::<m::Move>(r).await
    }
    async fn expunge(&self, r: Request<pb::ExpungeRequest>) -> Answer<pb::ExpungeResult> {
        self.handle::<m::Expunge>(r).await
    }
    async fn fetch(&self, r: Request<pb::FetchRequest>) -> Answer<pb::RecordList> {
        self.handle::<m::Fetch>(r).await
    }
    async fn uid_blobs(&self, r: Request<pb::UidBlobsRequest>) -> Answer<pb::UidBlobList> {
        self.handle::<m::UidBlobs>(r).await
    }
    async fn claim_recent(&self, r: Request<pb::MailboxRef>) -> Answer<pb::RecentClaim> {
        self.handle::<m::ClaimRecent>(r).await
    }

    async fn sweep_mark(&self, r: Request<pb::BlobList>) -> Answer<pb::BlobList> {
        self.handle::<sweep::SweepMark>(r).await
    }
    async fn sweep_done(&self, r: Request<pb::BlobList>) -> Answer<pb::Empty> {
        self.handle::<sweep::SweepDone>(r).await
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

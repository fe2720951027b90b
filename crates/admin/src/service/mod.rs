//! The server side: [`AdminService`] implements the generated `Admin` trait.
//!
//! Each handler first authenticates the caller ([`Tokens`]), then checks the tenant against
//! what the request touches, then does the work. The work lives in one file per family:
//! `accounts` (domains and accounts), `import`, `export` and `cluster` (reindex, status).
//!
//! ```text
//!  request ──▶ Shared::caller (token) ──▶ Caller::{account, allow_domain, require_operator}
//!                                            └─▶ accounts | import | export | cluster
//! ```

mod accounts;
mod cluster;
mod export;
mod import;

use std::pin::Pin;
use std::sync::Arc;

use blob_store::BlobStore;
use futures::Stream;
use store::{AccountId, MailStore};
use tonic::{Request, Response, Status, Streaming};

use crate::auth::{Caller, Tokens};
use crate::hooks::{ClusterHooks, PasswordHasher};
use crate::pb;
use crate::pb::admin_server::{Admin, AdminServer};
use crate::status::store_status;

/// What the service runs on, provided by the host.
pub struct AdminBackend {
    /// Accounts, mailboxes and message metadata.
    pub store: Arc<dyn MailStore>,
    /// Message bodies (written before the metadata commit on import, read on export).
    pub blobs: BlobStore,
    /// Reindex and cluster status.
    pub hooks: Arc<dyn ClusterHooks>,
    /// Hashes new passwords (argon2id PHC string and SCRAM verifier).
    pub hasher: Arc<dyn PasswordHasher>,
}

/// Limits and batch sizes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AdminOptions {
    /// The largest message an import accepts, in octets; larger ones stop the import with
    /// INVALID_ARGUMENT. The gRPC decoding limit is set a little above it.
    pub max_message_bytes: usize,
    /// An import commits at most this many messages at once.
    pub batch_messages: usize,
    /// … and at most this many octets (a batch is held in memory until it commits).
    pub batch_bytes: usize,
}

impl Default for AdminOptions {
    fn default() -> Self {
        AdminOptions {
            max_message_bytes: 64 << 20,
            batch_messages: 200,
            batch_bytes: 32 << 20,
        }
    }
}

/// The admin gRPC service. Cheap to clone.
#[derive(Clone)]
pub struct AdminService {
    shared: Arc<Shared>,
}

/// What every handler reads.
pub(crate) struct Shared {
    store: Arc<dyn MailStore>,
    blobs: BlobStore,
    hooks: Arc<dyn ClusterHooks>,
    hasher: Arc<dyn PasswordHasher>,
    tokens: Tokens,
    options: AdminOptions,
}

impl AdminService {
    /// The service over `backend`, accepting `tokens`.
    pub fn new(backend: AdminBackend, tokens: Tokens, options: AdminOptions) -> AdminService {
        AdminService {
            shared: Arc::new(Shared {
                store: backend.store,
                blobs: backend.blobs,
                hooks: backend.hooks,
                hasher: backend.hasher,
                tokens,
                options,
            }),
        }
    }

    /// The tonic server for this service, with message-size limits that fit the largest
    /// message an import accepts (plus room for the rest of the request).
    pub fn into_server(self) -> AdminServer<AdminService> {
        let limit = self
            .shared
            .options
            .max_message_bytes
            .saturating_add(1 << 20);
        AdminServer::new(self)
            .max_decoding_message_size(limit)
            .max_encoding_message_size(usize::MAX)
    }
}

impl Shared {
    /// Authenticates a request.
    fn caller<T>(&self, request: &Request<T>) -> Result<Caller, Status> {
        self.tokens.authenticate(request.metadata())
    }

    /// The id of a canonical address, NOT_FOUND if there is no such account.
    async fn account_id(&self, address: &str) -> Result<AccountId, Status> {
        match self
            .store
            .credentials(address)
            .await
            .map_err(store_status)?
        {
            Some(c) => Ok(c.account),
            None => Err(Status::not_found(format!(
                "account {address} does not exist"
            ))),
        }
    }
}

/// The stream type of ExportMailbox.
pub type ExportStream = Pin<Box<dyn Stream<Item = Result<pb::MailMessage, Status>> + Send>>;

type Reply<T> = Result<Response<T>, Status>;

#[tonic::async_trait]
impl Admin for AdminService {
    async fn create_domain(&self, request: Request<pb::DomainName>) -> Reply<pb::Empty> {
        let caller = self.shared.caller(&request)?;
        accounts::create_domain(&self.shared, &caller, &request.into_inner().name).await?;
        Ok(Response::new(pb::Empty {}))
    }

    async fn list_domains(&self, request: Request<pb::Empty>) -> Reply<pb::DomainList> {
        let caller = self.shared.caller(&request)?;
        let names = accounts::list_domains(&self.shared, &caller).await?;
        Ok(Response::new(pb::DomainList { names }))
    }

    async fn delete_domain(&self, request: Request<pb::DomainName>) -> Reply<pb::Empty> {
        let caller = self.shared.caller(&request)?;
        accounts::delete_domain(&self.shared, &caller, &request.into_inner().name).await?;
        Ok(Response::new(pb::Empty {}))
    }

    async fn create_account(
        &self,
        request: Request<pb::CreateAccountRequest>,
    ) -> Reply<pb::AccountInfo> {
        let caller = self.shared.caller(&request)?;
        let r = request.into_inner();
        let info = accounts::create_account(&self.shared, &caller, &r.address, r.password).await?;
        Ok(Response::new(info))
    }

    async fn delete_account(&self, request: Request<pb::Address>) -> Reply<pb::Empty> {
        let caller = self.shared.caller(&request)?;
        accounts::delete_account(&self.shared, &caller, &request.into_inner().address).await?;
        Ok(Response::new(pb::Empty {}))
    }

    async fn list_accounts(
        &self,
        request: Request<pb::ListAccountsRequest>,
    ) -> Reply<pb::AccountList> {
        let caller = self.shared.caller(&request)?;
        let domain = request.into_inner().domain;
        let accounts = accounts::list_accounts(&self.shared, &caller, domain.as_deref()).await?;
        Ok(Response::new(pb::AccountList { accounts }))
    }

    async fn set_password(&self, request: Request<pb::SetPasswordRequest>) -> Reply<pb::Empty> {
        let caller = self.shared.caller(&request)?;
        let r = request.into_inner();
        accounts::set_password(&self.shared, &caller, &r.address, r.password).await?;
        Ok(Response::new(pb::Empty {}))
    }

    async fn set_quota(&self, request: Request<pb::SetQuotaRequest>) -> Reply<pb::AccountInfo> {
        let caller = self.shared.caller(&request)?;
        let r = request.into_inner();
        let info = accounts::set_quota(
            &self.shared,
            &caller,
            &r.address,
            r.storage.into(),
            r.messages.into(),
        )
        .await?;
        Ok(Response::new(info))
    }

    async fn get_account(&self, request: Request<pb::Address>) -> Reply<pb::AccountInfo> {
        let caller = self.shared.caller(&request)?;
        let address = request.into_inner().address;
        Ok(Response::new(
            accounts::get_account(&self.shared, &caller, &address).await?,
        ))
    }

    async fn import_mailbox(
        &self,
        request: Request<Streaming<pb::ImportRequest>>,
    ) -> Reply<pb::ImportSummary> {
        let caller = self.shared.caller(&request)?;
        let summary = import::import(&self.shared, &caller, request.into_inner()).await?;
        Ok(Response::new(summary))
    }

    type ExportMailboxStream = ExportStream;

    async fn export_mailbox(&self, request: Request<pb::ExportRequest>) -> Reply<ExportStream> {
        let caller = self.shared.caller(&request)?;
        let r = request.into_inner();
        let stream = export::export(self.shared.clone(), &caller, &r.address, &r.mailbox).await?;
        Ok(Response::new(stream))
    }

    async fn reindex(&self, request: Request<pb::ReindexRequest>) -> Reply<pb::ReindexSummary> {
        let caller = self.shared.caller(&request)?;
        let address = request.into_inner().address;
        Ok(Response::new(
            cluster::reindex(&self.shared, &caller, address.as_deref()).await?,
        ))
    }

    async fn cluster_status(&self, request: Request<pb::Empty>) -> Reply<pb::ClusterStatus> {
        let caller = self.shared.caller(&request)?;
        Ok(Response::new(cluster::status(&self.shared, &caller).await?))
    }

    async fn set_setting(&self, request: Request<pb::Setting>) -> Reply<pb::Empty> {
        let caller = self.shared.caller(&request)?;
        let setting = request.into_inner();
        Ok(Response::new(
            cluster::set_setting(&self.shared, &caller, setting).await?,
        ))
    }
}

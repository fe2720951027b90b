//! [`AdminClient`]: the generated gRPC client with the bearer token on every call, speaking
//! the crate's domain types.
//!
//! One [`Channel`] is opened per client and shared by every call (and by clones of the
//! client); calls take `&self`.

use std::time::Duration;

use futures::{Stream, StreamExt};
use tonic::metadata::{Ascii, MetadataValue};
use tonic::transport::{Channel, Endpoint};
use tonic::{Code, Request, Status};

use crate::codec::{CodecError, MailItem};
use crate::pb;
use crate::pb::admin_client::AdminClient as Grpc;
use crate::pb::import_request::Item;
use crate::status::IMPORTED_KEY;
use crate::types::{AccountInfo, ImportSummary, LimitChange, ReindexSummary};

/// The largest reply the client accepts (an exported message): far above any sane message.
const MAX_REPLY: usize = 1 << 30;

/// Why a client call failed; `Display` is one line for an operator.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The endpoint is not a URL.
    #[error("bad admin endpoint {endpoint:?}: {reason}")]
    Endpoint {
        /// What was given.
        endpoint: String,
        /// Why it is refused.
        reason: String,
    },
    /// The server could not be reached.
    #[error("cannot connect to the admin API at {endpoint}: {reason}")]
    Connect {
        /// Where.
        endpoint: String,
        /// Why not.
        reason: String,
    },
    /// The token cannot be sent as header text.
    #[error("the admin token must be printable ASCII")]
    BadToken,
    /// The server refused or failed the call.
    #[error("{}", describe(.0))]
    Status(#[from] Status),
    /// Reading the input stopped an import: the messages before the bad one were imported.
    #[error("{reason}; the {imported} messages before it were imported, none after it")]
    ImportStopped {
        /// Messages imported.
        imported: u64,
        /// What went wrong reading the input.
        reason: String,
    },
    /// A mail file could not be read or written.
    #[error(transparent)]
    Codec(#[from] CodecError),
}

impl ClientError {
    /// The gRPC code of a refused call.
    pub fn code(&self) -> Option<Code> {
        match self {
            ClientError::Status(s) => Some(s.code()),
            _ => None,
        }
    }

    /// For a stopped import: how many messages were imported before it stopped.
    pub fn imported(&self) -> Option<u64> {
        match self {
            ClientError::ImportStopped { imported, .. } => Some(*imported),
            ClientError::Status(s) => s.metadata().get(IMPORTED_KEY)?.to_str().ok()?.parse().ok(),
            _ => None,
        }
    }
}

fn describe(s: &Status) -> String {
    let what = match s.code() {
        Code::Unauthenticated => "not authenticated: ",
        Code::PermissionDenied => "permission denied: ",
        Code::Unavailable => "unavailable: ",
        Code::Internal | Code::Unknown => "server error: ",
        _ => "",
    };
    format!("{what}{}", s.message())
}

/// A connection to the admin API, authenticated with one token.
#[derive(Debug, Clone)]
pub struct AdminClient {
    grpc: Grpc<Channel>,
    auth: MetadataValue<Ascii>,
}

impl AdminClient {
    /// Connects to `endpoint` (`http://host:port`) and authenticates every call with `token`.
    pub async fn connect(endpoint: &str, token: &str) -> Result<AdminClient, ClientError> {
        let ep = Endpoint::from_shared(endpoint.to_string())
            .map_err(|e| ClientError::Endpoint {
                endpoint: endpoint.to_string(),
                reason: e.to_string(),
            })?
            .connect_timeout(Duration::from_secs(10));
        let channel = ep.connect().await.map_err(|e| ClientError::Connect {
            endpoint: endpoint.to_string(),
            reason: error_chain(&e),
        })?;
        AdminClient::with_channel(channel, token)
    }

    /// A client over an existing channel.
    pub fn with_channel(channel: Channel, token: &str) -> Result<AdminClient, ClientError> {
        let auth = format!("Bearer {token}")
            .parse()
            .map_err(|_| ClientError::BadToken)?;
        Ok(AdminClient {
            grpc: Grpc::new(channel).max_decoding_message_size(MAX_REPLY),
            auth,
        })
    }

    fn request<T>(&self, message: T) -> Request<T> {
        let mut r = Request::new(message);
        r.metadata_mut().insert("authorization", self.auth.clone());
        r
    }

    /// Creates a domain.
    pub async fn create_domain(&self, name: &str) -> Result<(), ClientError> {
        let r = self.request(pb::DomainName { name: name.into() });
        self.grpc.clone().create_domain(r).await?;
        Ok(())
    }

    /// Domain names (a tenant sees its own).
    pub async fn list_domains(&self) -> Result<Vec<String>, ClientError> {
        let r = self.request(pb::Empty {});
        Ok(self.grpc.clone().list_domains(r).await?.into_inner().names)
    }

    /// Deletes a domain that has no accounts.
    pub async fn delete_domain(&self, name: &str) -> Result<(), ClientError> {
        let r = self.request(pb::DomainName { name: name.into() });
        self.grpc.clone().delete_domain(r).await?;
        Ok(())
    }

    /// Creates an account (and its domain if needed) with the default mailboxes.
    pub async fn create_account(
        &self,
        address: &str,
        password: &str,
    ) -> Result<AccountInfo, ClientError> {
        let r = self.request(pb::CreateAccountRequest {
            address: address.into(),
            password: password.into(),
        });
        Ok(self
            .grpc
            .clone()
            .create_account(r)
            .await?
            .into_inner()
            .into())
    }

    /// Deletes an account and all its mail.
    pub async fn delete_account(&self, address: &str) -> Result<(), ClientError> {
        let r = self.request(pb::Address {
            address: address.into(),
        });
        self.grpc.clone().delete_account(r).await?;
        Ok(())
    }

    /// Accounts, of one domain or of all (a tenant sees its own domain's).
    pub async fn list_accounts(
        &self,
        domain: Option<&str>,
    ) -> Result<Vec<AccountInfo>, ClientError> {
        let r = self.request(pb::ListAccountsRequest {
            domain: domain.map(str::to_string),
        });
        let list = self.grpc.clone().list_accounts(r).await?.into_inner();
        Ok(list.accounts.into_iter().map(AccountInfo::from).collect())
    }

    /// Replaces an account's password (and its SCRAM verifier).
    pub async fn set_password(&self, address: &str, password: &str) -> Result<(), ClientError> {
        let r = self.request(pb::SetPasswordRequest {
            address: address.into(),
            password: password.into(),
        });
        self.grpc.clone().set_password(r).await?;
        Ok(())
    }

    /// Changes quota limits; returns the account with the limits now in force and its usage.
    pub async fn set_quota(
        &self,
        address: &str,
        storage: LimitChange,
        messages: LimitChange,
    ) -> Result<AccountInfo, ClientError> {
        let r = self.request(pb::SetQuotaRequest {
            address: address.into(),
            storage: storage.into(),
            messages: messages.into(),
        });
        Ok(self.grpc.clone().set_quota(r).await?.into_inner().into())
    }

    /// An account with its limits and exact usage.
    pub async fn get_account(&self, address: &str) -> Result<AccountInfo, ClientError> {
        let r = self.request(pb::Address {
            address: address.into(),
        });
        Ok(self.grpc.clone().get_account(r).await?.into_inner().into())
    }

    /// Imports `messages` into `mailbox` of `address` (created if missing). If the server
    /// refuses a message, the error says how many were imported before it
    /// ([`ClientError::imported`]).
    pub async fn import<S>(
        &self,
        address: &str,
        mailbox: &str,
        format: pb::MailFormat,
        messages: S,
    ) -> Result<ImportSummary, ClientError>
    where
        S: Stream<Item = MailItem> + Send + 'static,
    {
        let target = pb::ImportRequest {
            item: Some(Item::Target(pb::ImportTarget {
                address: address.into(),
                mailbox: mailbox.into(),
                format: format.into(),
            })),
        };
        let requests = futures::stream::iter([target]).chain(messages.map(|m| pb::ImportRequest {
            item: Some(Item::Message(m.into())),
        }));
        let r = self.request(requests);
        Ok(self
            .grpc
            .clone()
            .import_mailbox(r)
            .await?
            .into_inner()
            .into())
    }

    /// Every message of a mailbox, in UID order.
    pub async fn export(
        &self,
        address: &str,
        mailbox: &str,
    ) -> Result<impl Stream<Item = Result<MailItem, ClientError>> + Send + use<>, ClientError> {
        let r = self.request(pb::ExportRequest {
            address: address.into(),
            mailbox: mailbox.into(),
        });
        let stream = self.grpc.clone().export_mailbox(r).await?.into_inner();
        Ok(stream.map(|m| {
            let m = m?;
            MailItem::try_from(m)
                .map_err(|e| ClientError::Status(Status::internal(format!("the server sent {e}"))))
        }))
    }

    /// Rebuilds the search index of one account, or of all.
    pub async fn reindex(&self, address: Option<&str>) -> Result<ReindexSummary, ClientError> {
        let r = self.request(pb::ReindexRequest {
            address: address.map(str::to_string),
        });
        Ok(self.grpc.clone().reindex(r).await?.into_inner().into())
    }

    /// Sets a cluster setting (operators only).
    pub async fn set_setting(&self, key: &str, value: &str) -> Result<(), ClientError> {
        let r = self.request(pb::Setting {
            key: key.to_string(),
            value: value.to_string(),
        });
        self.grpc.clone().set_setting(r).await?;
        Ok(())
    }

    /// The control plane's state.
    pub async fn cluster_status(&self) -> Result<pb::ClusterStatus, ClientError> {
        let r = self.request(pb::Empty {});
        Ok(self.grpc.clone().cluster_status(r).await?.into_inner())
    }
}

/// An error and its sources on one line (transport errors hide the useful part in a source).
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let part = s.to_string();
        // Layers often repeat their source's text; say it once.
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        source = s.source();
    }
    text
}

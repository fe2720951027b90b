//! Tenants and accounts ([`store::Accounts`]): the methods, then how their values travel.

use super::{Client, Invalid, Method, Retry, Wire, all, each, required};
use crate::pb;
use store::{
    Account, AccountId, Credentials, Domain, DomainId, MailStore, QuotaLimits, QuotaUsage,
};
use tonic::{Response, Status};

type Reply<T> = Result<Response<T>, Status>;

/// `create_domain` → `CreateDomain`.
pub struct CreateDomain;
impl Method for CreateDomain {
    type Args = String;
    type Out = DomainId;
    type Req = pb::Name;
    type Resp = pb::Id;
    const RETRY: Retry = Retry::OnlyIfUnsent;
    async fn serve(s: &dyn MailStore, name: String) -> store::Result<DomainId> {
        s.create_domain(&name).await
    }
    async fn send(mut c: Client, r: pb::Name) -> Reply<pb::Id> {
        c.create_domain(r).await
    }
}

/// `list_domains` → `ListDomains`.
pub struct ListDomains;
impl Method for ListDomains {
    type Args = ();
    type Out = Vec<Domain>;
    type Req = pb::Empty;
    type Resp = pb::DomainList;
    const RETRY: Retry = Retry::Idempotent;
    async fn serve(s: &dyn MailStore, (): ()) -> store::Result<Vec<Domain>> {
        s.list_domains().await
    }
    async fn send(mut c: Client, r: pb::Empty) -> Reply<pb::DomainList> {
        c.list_domains(r).await
    }
}

/// `delete_domain` → `DeleteDomain`.
pub struct DeleteDomain;
impl Method for DeleteDomain {
    type Args = String;
    type Out = ();
    type Req = pb::Name;
    type Resp = pb::Empty;
    const RETRY: Retry = Retry::OnlyIfUnsent;
    async fn serve(s: &dyn MailStore, name: String) -> store::Result<()> {
        s.delete_domain(&name).await
    }
    async fn send(mut c: Client, r: pb::Name) -> Reply<pb::Empty> {
        c.delete_domain(r).await
    }
}

/// `create_account` → `CreateAccount`.
pub struct CreateAccount;
impl Method for CreateAccount {
    type Args = NewAccount;
    type Out = AccountId;
    type Req = pb::CreateAccountRequest;
    type Resp = pb::Id;
    const RETRY: Retry = Retry::OnlyIfUnsent;
    async fn serve(s: &dyn MailStore, a: NewAccount) -> store::Result<AccountId> {
        s.create_account(&a.address, &a.password_hash).await
    }
    async fn send(mut c: Client, r: pb::CreateAccountRequest) -> Reply<pb::Id> {
        c.create_account(r).await
    }
}

/// `delete_account` → `DeleteAccount`.
pub struct DeleteAccount;
impl Method for DeleteAccount {
    type Args = String;
    type Out = ();
    type Req = pb::Name;
    type Resp = pb::Empty;
    const RETRY: Retry = Retry::OnlyIfUnsent;
    async fn serve(s: &dyn MailStore, address: String) -> store::Result<()> {
        s.delete_account(&address).await
    }
    async fn send(mut c: Client, r: pb::Name) -> Reply<pb::Empty> {
        c.delete_account(r).await
    }
}

/// `list_accounts` → `ListAccounts` (of one domain, if given).
pub struct ListAccounts;
impl Method for ListAccounts {
    type Args = Option<String>;
    type Out = Vec<Account>;
    type Req = pb::ListAccountsRequest;
    type Resp = pb::AccountList;
    const RETRY: Retry = Retry::Idempotent;
    async fn serve(s: &dyn MailStore, domain: Option<String>) -> store::Result<Vec<Account>> {
        s.list_accounts(domain.as_deref()).await
    }
    async fn send(mut c: Client, r: pb::ListAccountsRequest) -> Reply<pb::AccountList> {
        c.list_accounts(r).await
    }
}

/// `set_password` → `SetPassword`.
pub struct SetPassword;
impl Method for SetPassword {
    type Args = NewAccount;
    type Out = ();
    type Req = pb::SetPasswordRequest;
    type Resp = pb::Empty;
    const RETRY: Retry = Retry::Idempotent;
    async fn serve(s: &dyn MailStore, a: NewAccount) -> store::Result<()> {
        s.set_password(&a.address, &a.password_hash).await
    }
    async fn send(mut c: Client, r: pb::SetPasswordRequest) -> Reply<pb::Empty> {
        c.set_password(r).await
    }
}

/// `set_scram` → `SetScram`: (address, verifier).
pub struct SetScram;
impl Method for SetScram {
    type Args = (String, Option<String>);
    type Out = ();
    type Req = pb::SetScramRequest;
    type Resp = pb::Empty;
    const RETRY: Retry = Retry::Idempotent;
    async fn serve(
        s: &dyn MailStore,
        (address, scram): (String, Option<String>),
    ) -> store::Result<()> {
        s.set_scram(&address, scram.as_deref()).await
    }
    async fn send(mut c: Client, r: pb::SetScramRequest) -> Reply<pb::Empty> {
        c.set_scram(r).await
    }
}

/// `set_quota` → `SetQuota`: (address, limits).
pub struct SetQuota;
impl Method for SetQuota {
    type Args = (String, QuotaLimits);
    type Out = ();
    type Req = pb::SetQuotaRequest;
    type Resp = pb::Empty;
    const RETRY: Retry = Retry::Idempotent;
    async fn serve(
        s: &dyn MailStore,
        (address, limits): (String, QuotaLimits),
    ) -> store::Result<()> {
        s.set_quota(&address, limits).await
    }
    async fn send(mut c: Client, r: pb::SetQuotaRequest) -> Reply<pb::Empty> {
        c.set_quota(r).await
    }
}

/// `credentials` → `Credentials` (by login name).
pub struct GetCredentials;
impl Method for GetCredentials {
    type Args = String;
    type Out = Option<Credentials>;
    type Req = pb::Name;
    type Resp = pb::CredentialsReply;
    const RETRY: Retry = Retry::Idempotent;
    async fn serve(s: &dyn MailStore, address: String) -> store::Result<Option<Credentials>> {
        s.credentials(&address).await
    }
    async fn send(mut c: Client, r: pb::Name) -> Reply<pb::CredentialsReply> {
        c.credentials(r).await
    }
}

/// `quota` → `Quota`.
pub struct GetQuota;
impl Method for GetQuota {
    type Args = AccountId;
    type Out = QuotaUsage;
    type Req = pb::AccountRef;
    type Resp = pb::QuotaUsage;
    const RETRY: Retry = Retry::Idempotent;
    async fn serve(s: &dyn MailStore, a: AccountId) -> store::Result<QuotaUsage> {
        s.quota(a).await
    }
    async fn send(mut c: Client, r: pb::AccountRef) -> Reply<pb::QuotaUsage> {
        c.quota(r).await
    }
}

// ---------------- how the values travel ----------------

/// An address and a password hash (account creation, password change).
pub struct NewAccount {
    /// `local@domain`.
    pub address: String,
    /// PHC string.
    pub password_hash: String,
}

impl Wire<pb::CreateAccountRequest> for NewAccount {
    fn to_pb(self) -> pb::CreateAccountRequest {
        pb::CreateAccountRequest {
            address: self.address,
            password_hash: self.password_hash,
        }
    }
    fn from_pb(r: pb::CreateAccountRequest) -> Result<Self, Invalid> {
        Ok(NewAccount {
            address: r.address,
            password_hash: r.password_hash,
        })
    }
}

impl Wire<pb::SetPasswordRequest> for NewAccount {
    fn to_pb(self) -> pb::SetPasswordRequest {
        pb::SetPasswordRequest {
            address: self.address,
            password_hash: self.password_hash,
        }
    }
    fn from_pb(r: pb::SetPasswordRequest) -> Result<Self, Invalid> {
        Ok(NewAccount {
            address: r.address,
            password_hash: r.password_hash,
        })
    }
}

impl Wire<pb::Id> for DomainId {
    fn to_pb(self) -> pb::Id {
        pb::Id { id: self.0 }
    }
    fn from_pb(r: pb::Id) -> Result<Self, Invalid> {
        Ok(DomainId(r.id))
    }
}

impl Wire<pb::Id> for AccountId {
    fn to_pb(self) -> pb::Id {
        pb::Id { id: self.0 }
    }
    fn from_pb(r: pb::Id) -> Result<Self, Invalid> {
        Ok(AccountId(r.id))
    }
}

impl Wire<pb::AccountRef> for AccountId {
    fn to_pb(self) -> pb::AccountRef {
        pb::AccountRef { account: self.0 }
    }
    fn from_pb(r: pb::AccountRef) -> Result<Self, Invalid> {
        Ok(AccountId(r.account))
    }
}

impl Wire<pb::DomainList> for Vec<Domain> {
    fn to_pb(self) -> pb::DomainList {
        pb::DomainList {
            domains: each(self),
        }
    }
    fn from_pb(r: pb::DomainList) -> Result<Self, Invalid> {
        all(r.domains)
    }
}

impl Wire<pb::ListAccountsRequest> for Option<String> {
    fn to_pb(self) -> pb::ListAccountsRequest {
        pb::ListAccountsRequest { domain: self }
    }
    fn from_pb(r: pb::ListAccountsRequest) -> Result<Self, Invalid> {
        Ok(r.domain)
    }
}

impl Wire<pb::AccountList> for Vec<Account> {
    fn to_pb(self) -> pb::AccountList {
        pb::AccountList {
            accounts: each(self),
        }
    }
    fn from_pb(r: pb::AccountList) -> Result<Self, Invalid> {
        all(r.accounts)
    }
}

impl Wire<pb::SetScramRequest> for (String, Option<String>) {
    fn to_pb(self) -> pb::SetScramRequest {
        pb::SetScramRequest {
            address: self.0,
            scram: self.1,
        }
    }
    fn from_pb(r: pb::SetScramRequest) -> Result<Self, Invalid> {
        Ok((r.address, r.scram))
    }
}

impl Wire<pb::SetQuotaRequest> for (String, QuotaLimits) {
    fn to_pb(self) -> pb::SetQuotaRequest {
        pb::SetQuotaRequest {
            address: self.0,
            limits: Some(self.1.into()),
        }
    }
    fn from_pb(r: pb::SetQuotaRequest) -> Result<Self, Invalid> {
        Ok((r.address, r.limits.unwrap_or_default().into()))
    }
}

impl Wire<pb::CredentialsReply> for Option<Credentials> {
    fn to_pb(self) -> pb::CredentialsReply {
        pb::CredentialsReply {
            credentials: self.map(Into::into),
        }
    }
    fn from_pb(r: pb::CredentialsReply) -> Result<Self, Invalid> {
        r.credentials.map(Credentials::try_from).transpose()
    }
}

impl Wire<pb::QuotaUsage> for QuotaUsage {
    fn to_pb(self) -> pb::QuotaUsage {
        pb::QuotaUsage {
            storage: self.storage,
            messages: self.messages,
            limits: Some(self.limits.into()),
        }
    }
    fn from_pb(q: pb::QuotaUsage) -> Result<Self, Invalid> {
        Ok(QuotaUsage {
            storage: q.storage,
            messages: q.messages,
            limits: required(q.limits, "quota limits")?.into(),
        })
    }
}

impl From<Domain> for pb::Domain {
    fn from(d: Domain) -> Self {
        pb::Domain {
            id: d.id.0,
            name: d.name,
        }
    }
}

impl TryFrom<pb::Domain> for Domain {
    type Error = Invalid;
    fn try_from(d: pb::Domain) -> Result<Self, Invalid> {
        Ok(Domain {
            id: DomainId(d.id),
            name: d.name,
        })
    }
}

impl From<QuotaLimits> for pb::QuotaLimits {
    fn from(q: QuotaLimits) -> Self {
        pb::QuotaLimits {
            storage: q.storage,
            messages: q.messages,
        }
    }
}

impl From<pb::QuotaLimits> for QuotaLimits {
    fn from(q: pb::QuotaLimits) -> Self {
        QuotaLimits {
            storage: q.storage,
            messages: q.messages,
        }
    }
}

impl From<Account> for pb::Account {
    fn from(a: Account) -> Self {
        pb::Account {
            id: a.id.0,
            domain: a.domain.0,
            address: a.address,
            quota: Some(a.quota.into()),
        }
    }
}

impl TryFrom<pb::Account> for Account {
    type Error = Invalid;
    fn try_from(a: pb::Account) -> Result<Self, Invalid> {
        Ok(Account {
            id: AccountId(a.id),
            domain: DomainId(a.domain),
            address: a.address,
            quota: required(a.quota, "account quota")?.into(),
        })
    }
}

impl From<Credentials> for pb::Credentials {
    fn from(c: Credentials) -> Self {
        pb::Credentials {
            account: c.account.0,
            domain: c.domain.0,
            address: c.address,
            password_hash: c.password_hash,
            scram_sha256: c.scram_sha256,
        }
    }
}

impl TryFrom<pb::Credentials> for Credentials {
    type Error = Invalid;
    fn try_from(c: pb::Credentials) -> Result<Self, Invalid> {
        Ok(Credentials {
            account: AccountId(c.account),
            domain: DomainId(c.domain),
            address: c.address,
            password_hash: c.password_hash,
            scram_sha256: c.scram_sha256,
        })
    }
}

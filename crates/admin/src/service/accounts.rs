//! Domains and accounts: create, list, delete, passwords and quotas.

use tonic::Status;

use super::Shared;
use crate::auth::Caller;
use crate::convert::account::account_to_pb;
use crate::names;
use crate::pb;
use crate::status::{join_status, store_status};
use crate::types::LimitChange;

/// CreateDomain: an operator, or a tenant for its own domain.
pub(super) async fn create_domain(s: &Shared, caller: &Caller, name: &str) -> Result<(), Status> {
    let name = names::canonical_domain(name)?;
    caller.allow_domain(&name)?;
    s.store.create_domain(&name).await.map_err(store_status)?;
    tracing::info!(domain = %name, "domain created");
    Ok(())
}

/// ListDomains: every domain for an operator, its own for a tenant.
pub(super) async fn list_domains(s: &Shared, caller: &Caller) -> Result<Vec<String>, Status> {
    let domains = s.store.list_domains().await.map_err(store_status)?;
    Ok(domains
        .into_iter()
        .map(|d| d.name)
        .filter(|n| caller.tenant().is_none_or(|t| t == n))
        .collect())
}

/// DeleteDomain: only a domain without accounts.
pub(super) async fn delete_domain(s: &Shared, caller: &Caller, name: &str) -> Result<(), Status> {
    let name = names::canonical_domain(name)?;
    caller.allow_domain(&name)?;
    s.store.delete_domain(&name).await.map_err(store_status)?;
    tracing::info!(domain = %name, "domain deleted");
    Ok(())
}

/// Hashes a password on the blocking pool (argon2id is slow on purpose).
async fn hash(s: &Shared, password: String) -> Result<(String, Option<String>), Status> {
    names::check_password(&password)?;
    let hasher = s.hasher.clone();
    tokio::task::spawn_blocking(move || hasher.hash(&password))
        .await
        .map_err(join_status)?
        .map_err(|e| Status::internal(format!("password hashing failed: {e}")))
}

/// CreateAccount: the account with the default mailboxes, its hash and SCRAM verifier.
pub(super) async fn create_account(
    s: &Shared,
    caller: &Caller,
    address: &str,
    password: String,
) -> Result<pb::AccountInfo, Status> {
    let address = caller.account(address)?;
    let (phc, scram) = hash(s, password).await?;
    s.store
        .create_account(&address, &phc)
        .await
        .map_err(store_status)?;
    store_scram(s, &address, scram).await?;
    tracing::info!(%address, "account created");
    get_account(s, caller, &address).await
}

/// Stores the SCRAM verifier of a new password, if it has one (without, the store has already
/// forgotten the old one with the old hash, and only LOGIN/PLAIN can match).
async fn store_scram(s: &Shared, address: &str, scram: Option<String>) -> Result<(), Status> {
    if let Some(v) = scram {
        s.store
            .set_scram(address, Some(&v))
            .await
            .map_err(store_status)?;
    }
    Ok(())
}

/// DeleteAccount: the account and all its mail.
pub(super) async fn delete_account(
    s: &Shared,
    caller: &Caller,
    address: &str,
) -> Result<(), Status> {
    let address = caller.account(address)?;
    s.store
        .delete_account(&address)
        .await
        .map_err(store_status)?;
    tracing::info!(%address, "account deleted");
    Ok(())
}

/// ListAccounts: a tenant lists its own domain whether or not it names it.
pub(super) async fn list_accounts(
    s: &Shared,
    caller: &Caller,
    domain: Option<&str>,
) -> Result<Vec<pb::AccountInfo>, Status> {
    let domain = match domain {
        Some(d) => Some(names::canonical_domain(d)?),
        None => caller.tenant().map(str::to_string),
    };
    if let Some(d) = &domain {
        caller.allow_domain(d)?;
    }
    let accounts = s
        .store
        .list_accounts(domain.as_deref())
        .await
        .map_err(store_status)?;
    Ok(accounts
        .into_iter()
        .map(|a| account_to_pb(a.address, a.quota, None))
        .collect())
}

/// SetPassword: a new hash, and the SCRAM verifier of the new password (the store forgets the
/// old one with the old hash).
pub(super) async fn set_password(
    s: &Shared,
    caller: &Caller,
    address: &str,
    password: String,
) -> Result<(), Status> {
    let address = caller.account(address)?;
    // Fail fast, before the slow hash, when the account does not exist.
    s.account_id(&address).await?;
    let (phc, scram) = hash(s, password).await?;
    s.store
        .set_password(&address, &phc)
        .await
        .map_err(store_status)?;
    store_scram(s, &address, scram).await?;
    tracing::info!(%address, "password changed");
    Ok(())
}

/// SetQuota: applies the changes to the current limits.
pub(super) async fn set_quota(
    s: &Shared,
    caller: &Caller,
    address: &str,
    storage: LimitChange,
    messages: LimitChange,
) -> Result<pb::AccountInfo, Status> {
    let address = caller.account(address)?;
    let id = s.account_id(&address).await?;
    let current = s.store.quota(id).await.map_err(store_status)?.limits;
    let limits = store::QuotaLimits {
        storage: storage.apply(current.storage),
        messages: messages.apply(current.messages),
    };
    s.store
        .set_quota(&address, limits)
        .await
        .map_err(store_status)?;
    tracing::info!(%address, ?limits, "quota changed");
    get_account(s, caller, &address).await
}

/// GetAccount: limits and exact usage.
pub(super) async fn get_account(
    s: &Shared,
    caller: &Caller,
    address: &str,
) -> Result<pb::AccountInfo, Status> {
    let address = caller.account(address)?;
    let id = s.account_id(&address).await?;
    let usage = s.store.quota(id).await.map_err(store_status)?;
    Ok(account_to_pb(address, usage.limits, Some(usage)))
}

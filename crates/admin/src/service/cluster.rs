//! Reindex and cluster status, delegated to the host's [`crate::ClusterHooks`].

use tonic::Status;

use super::Shared;
use crate::auth::Caller;
use crate::pb;
use crate::status::{hook_status, store_status};

/// Reindex: one account (a tenant may ask for its own), or every account (operators only).
pub(super) async fn reindex(
    s: &Shared,
    caller: &Caller,
    address: Option<&str>,
) -> Result<pb::ReindexSummary, Status> {
    let accounts = match address {
        Some(a) => {
            let address = caller.account(a)?;
            vec![s.account_id(&address).await?]
        }
        None => {
            caller.require_operator("reindexing every account")?;
            let all = s.store.list_accounts(None).await.map_err(store_status)?;
            all.into_iter().map(|a| a.id).collect()
        }
    };
    let count = accounts.len() as u64;
    let indexed = s
        .hooks
        .reindex(accounts)
        .await
        .map_err(|e| hook_status("reindex", e))?;
    tracing::info!(accounts = count, indexed, "reindexed");
    Ok(pb::ReindexSummary {
        indexed,
        accounts: count,
    })
}

/// ClusterStatus: operators only (it names every replica and shard).
pub(super) async fn status(s: &Shared, caller: &Caller) -> Result<pb::ClusterStatus, Status> {
    caller.require_operator("cluster status")?;
    s.hooks
        .cluster_status()
        .await
        .map_err(|e| hook_status("cluster status", e))
}

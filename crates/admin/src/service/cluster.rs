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

/// SetSetting: operators only; the key must be 1–128 bytes of printable ASCII without spaces,
/// the value at most 4096 bytes.
pub(super) async fn set_setting(
    s: &Shared,
    caller: &Caller,
    setting: pb::Setting,
) -> Result<pb::Empty, Status> {
    caller.require_operator("cluster settings")?;
    let key_ok = !setting.key.is_empty()
        && setting.key.len() <= 128
        && setting.key.bytes().all(|b| b.is_ascii_graphic());
    if !key_ok {
        return Err(Status::invalid_argument(
            "a setting key is 1-128 printable ASCII characters without spaces",
        ));
    }
    if setting.value.len() > 4096 {
        return Err(Status::invalid_argument(
            "a setting value is at most 4096 bytes",
        ));
    }
    s.hooks
        .set_setting(&setting.key, &setting.value)
        .await
        .map_err(|e| hook_status("set setting", e))?;
    tracing::info!(key = %setting.key, "cluster setting changed");
    Ok(pb::Empty {})
}

/// ClusterStatus: operators only (it names every replica and shard).
pub(super) async fn status(s: &Shared, caller: &Caller) -> Result<pb::ClusterStatus, Status> {
    caller.require_operator("cluster status")?;
    s.hooks
        .cluster_status()
        .await
        .map_err(|e| hook_status("cluster status", e))
}

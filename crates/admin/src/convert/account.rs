//! Accounts and quota changes ⇄ protobuf.

use store::{QuotaLimits, QuotaUsage};

use crate::pb;
use crate::types::{AccountInfo, ImportSummary, LimitChange, ReindexSummary};

/// The reply for an account, with usage if known.
pub(crate) fn account_to_pb(
    address: String,
    limits: QuotaLimits,
    usage: Option<QuotaUsage>,
) -> pb::AccountInfo {
    pb::AccountInfo {
        address,
        storage_limit: limits.storage,
        message_limit: limits.messages,
        storage_used: usage.map_or(0, |u| u.storage),
        messages_used: usage.map_or(0, |u| u.messages),
    }
}

impl From<pb::AccountInfo> for AccountInfo {
    fn from(a: pb::AccountInfo) -> Self {
        AccountInfo {
            address: a.address,
            limits: QuotaLimits {
                storage: a.storage_limit,
                messages: a.message_limit,
            },
            storage_used: a.storage_used,
            messages_used: a.messages_used,
        }
    }
}

impl From<Option<pb::LimitChange>> for LimitChange {
    fn from(c: Option<pb::LimitChange>) -> Self {
        match c.and_then(|c| c.change) {
            None => LimitChange::Keep,
            Some(pb::limit_change::Change::Unlimited(_)) => LimitChange::Unlimited,
            Some(pb::limit_change::Change::Set(n)) => LimitChange::Set(n),
        }
    }
}

impl From<LimitChange> for Option<pb::LimitChange> {
    fn from(c: LimitChange) -> Self {
        let change = match c {
            LimitChange::Keep => return None,
            LimitChange::Unlimited => pb::limit_change::Change::Unlimited(true),
            LimitChange::Set(n) => pb::limit_change::Change::Set(n),
        };
        Some(pb::LimitChange {
            change: Some(change),
        })
    }
}

impl From<pb::ImportSummary> for ImportSummary {
    fn from(s: pb::ImportSummary) -> Self {
        ImportSummary {
            imported: s.imported,
            uid_validity: s.uid_validity,
            first_uid: s.first_uid,
            last_uid: s.last_uid,
        }
    }
}

impl From<ImportSummary> for pb::ImportSummary {
    fn from(s: ImportSummary) -> Self {
        pb::ImportSummary {
            imported: s.imported,
            uid_validity: s.uid_validity,
            first_uid: s.first_uid,
            last_uid: s.last_uid,
        }
    }
}

impl From<pb::ReindexSummary> for ReindexSummary {
    fn from(s: pb::ReindexSummary) -> Self {
        ReindexSummary {
            indexed: s.indexed,
            accounts: s.accounts,
        }
    }
}

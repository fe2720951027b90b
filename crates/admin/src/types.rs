//! The client-side values of the admin API, free of protobuf.

use store::QuotaLimits;

/// An account as the admin API reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountInfo {
    /// `local@domain`, lower-case.
    pub address: String,
    /// Quota limits (`None`: unlimited).
    pub limits: QuotaLimits,
    /// Octets used (0 in lists, which do not compute usage).
    pub storage_used: u64,
    /// Messages held (0 in lists).
    pub messages_used: u64,
}

/// A change to one quota limit (RFC 9208): leave it, remove it, or set it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimitChange {
    /// Keep the current limit.
    Keep,
    /// No limit.
    Unlimited,
    /// A limit: octets for storage, a count for messages.
    Set(u64),
}

impl LimitChange {
    /// The limit after applying the change to `current`.
    pub fn apply(self, current: Option<u64>) -> Option<u64> {
        match self {
            LimitChange::Keep => current,
            LimitChange::Unlimited => None,
            LimitChange::Set(n) => Some(n),
        }
    }
}

/// What an import did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ImportSummary {
    /// Messages imported.
    pub imported: u64,
    /// The mailbox's UIDVALIDITY.
    pub uid_validity: u32,
    /// UID of the first imported message (0 if none).
    pub first_uid: u32,
    /// UID of the last imported message (0 if none).
    pub last_uid: u32,
}

/// What a reindex did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ReindexSummary {
    /// Bodies indexed.
    pub indexed: u64,
    /// Accounts reindexed.
    pub accounts: u64,
}

//! The column lists the engine's statements read and how a [`Row`] of them becomes a value.

use super::conn::{Row, u32_of, u64_of};
use crate::error::{Result, StoreError};
use crate::types::*;

/// Columns of `mailboxes` that [`mailbox`] reads, in order.
pub(crate) const MAILBOX_COLS: &str =
    "id, name, uid_validity, uid_next, highest_modseq, special_use";

/// A mailbox from [`MAILBOX_COLS`] at columns 0–5.
pub(crate) fn mailbox(r: &dyn Row) -> Result<MailboxInfo> {
    Ok(MailboxInfo {
        id: MailboxId(r.int(0)?),
        name: r.text(1)?.to_string(),
        uid_validity: u32_of(r.int(2)?)?,
        uid_next: u32_of(r.int(3)?)?,
        highest_modseq: u64_of(r.int(4)?)?,
        special_use: r.opt_text(5)?.and_then(SpecialUse::from_name),
    })
}

/// Columns of `messages` that [`state_at`] reads, in order.
pub(crate) const STATE_COLS: &str = "uid, flags, keywords, modseq";

/// A message's state from [`STATE_COLS`] starting at column `i`.
pub(crate) fn state_at(r: &dyn Row, i: usize) -> Result<MessageState> {
    Ok(MessageState {
        uid: u32_of(r.int(i)?)?,
        flags: Flags::from_stored(r.int(i + 1)?, r.text(i + 2)?),
        modseq: u64_of(r.int(i + 3)?)?,
    })
}

/// Columns of `messages` that [`record`] reads: [`STATE_COLS`], then these.
pub(crate) const RECORD_COLS: &str =
    "uid, flags, keywords, modseq, blob, size, internal_date, internal_zone, save_date";

/// A message record from [`RECORD_COLS`], followed by `facts` when `with_facts`.
pub(crate) fn record(r: &dyn Row, with_facts: bool) -> Result<MessageRecord> {
    let blob = blob(r.text(4)?)?;
    Ok(MessageRecord {
        state: state_at(r, 0)?,
        email_id: email_id(&blob),
        blob,
        size: u64_of(r.int(5)?)?,
        internal_date: r.int(6)?,
        internal_zone: i16::try_from(r.int(7)?)
            .map_err(|_| StoreError::Internal("stored zone out of range".into()))?,
        save_date: r.int(8)?,
        facts: if with_facts {
            r.bytes(9)?.to_vec()
        } else {
            Vec::new()
        },
    })
}

/// A body address as stored (lower-case hex).
pub(crate) fn blob(hex: &str) -> Result<BlobRef> {
    BlobRef::from_hex(hex).ok_or_else(|| StoreError::Internal(format!("bad blob address {hex:?}")))
}

/// EMAILID (RFC 8474): the same for every copy of a message, derived from its content address.
pub(crate) fn email_id(blob: &BlobRef) -> String {
    format!("M{}", &blob.hex()[..24])
}

/// Columns of `accounts` that [`quota`] reads.
pub(crate) const QUOTA_COLS: &str = "used_storage, used_messages, quota_storage, quota_messages";

/// Usage and limits from [`QUOTA_COLS`] starting at column `i` (a NULL limit is unlimited).
pub(crate) fn quota(r: &dyn Row, i: usize) -> Result<QuotaUsage> {
    let limit = |v: Option<i64>| v.map(u64_of).transpose();
    Ok(QuotaUsage {
        storage: u64_of(r.int(i)?)?,
        messages: u64_of(r.int(i + 1)?)?,
        limits: QuotaLimits {
            storage: limit(r.opt_int(i + 2)?)?,
            messages: limit(r.opt_int(i + 3)?)?,
        },
    })
}

/// Columns of `accounts` that [`account`] reads.
pub(crate) const ACCOUNT_COLS: &str =
    "id, domain_id, address, used_storage, used_messages, quota_storage, quota_messages";

/// An account from [`ACCOUNT_COLS`].
pub(crate) fn account(r: &dyn Row) -> Result<Account> {
    Ok(Account {
        id: AccountId(r.int(0)?),
        domain: DomainId(r.int(1)?),
        address: r.text(2)?.to_string(),
        quota: quota(r, 3)?.limits,
    })
}

/// Columns of `accounts` that [`credentials`] reads.
pub(crate) const CREDENTIAL_COLS: &str = "id, domain_id, address, password_hash, scram_sha256";

/// Credentials from [`CREDENTIAL_COLS`].
pub(crate) fn credentials(r: &dyn Row) -> Result<Credentials> {
    Ok(Credentials {
        account: AccountId(r.int(0)?),
        domain: DomainId(r.int(1)?),
        address: r.text(2)?.to_string(),
        password_hash: r.text(3)?.to_string(),
        scram_sha256: r.opt_text(4)?.map(str::to_string),
    })
}

//! Mailboxes, their status and SPECIAL-USE attributes.

use super::{Invalid, required};
use crate::pb;
use store::{MailboxId, MailboxInfo, MailboxStatus, SpecialUse};

/// `None` ↔ `SPECIAL_USE_NONE`.
pub(crate) fn special_use_to_pb(s: Option<SpecialUse>) -> pb::SpecialUse {
    match s {
        None => pb::SpecialUse::None,
        Some(SpecialUse::All) => pb::SpecialUse::All,
        Some(SpecialUse::Archive) => pb::SpecialUse::Archive,
        Some(SpecialUse::Drafts) => pb::SpecialUse::Drafts,
        Some(SpecialUse::Flagged) => pb::SpecialUse::Flagged,
        Some(SpecialUse::Junk) => pb::SpecialUse::Junk,
        Some(SpecialUse::Sent) => pb::SpecialUse::Sent,
        Some(SpecialUse::Trash) => pb::SpecialUse::Trash,
    }
}

/// The raw enum value of a message field, checked.
pub(crate) fn special_use_from_pb(raw: i32) -> Result<Option<SpecialUse>, Invalid> {
    let v = pb::SpecialUse::try_from(raw).map_err(|_| Invalid(format!("special use {raw}")))?;
    Ok(match v {
        pb::SpecialUse::None => None,
        pb::SpecialUse::All => Some(SpecialUse::All),
        pb::SpecialUse::Archive => Some(SpecialUse::Archive),
        pb::SpecialUse::Drafts => Some(SpecialUse::Drafts),
        pb::SpecialUse::Flagged => Some(SpecialUse::Flagged),
        pb::SpecialUse::Junk => Some(SpecialUse::Junk),
        pb::SpecialUse::Sent => Some(SpecialUse::Sent),
        pb::SpecialUse::Trash => Some(SpecialUse::Trash),
    })
}

impl From<MailboxInfo> for pb::MailboxInfo {
    fn from(m: MailboxInfo) -> Self {
        pb::MailboxInfo {
            id: m.id.0,
            name: m.name,
            uid_validity: m.uid_validity,
            uid_next: m.uid_next,
            highest_modseq: m.highest_modseq,
            special_use: special_use_to_pb(m.special_use).into(),
        }
    }
}

impl TryFrom<pb::MailboxInfo> for MailboxInfo {
    type Error = Invalid;
    fn try_from(m: pb::MailboxInfo) -> Result<Self, Invalid> {
        Ok(MailboxInfo {
            id: MailboxId(m.id),
            name: m.name,
            uid_validity: m.uid_validity,
            uid_next: m.uid_next,
            highest_modseq: m.highest_modseq,
            special_use: special_use_from_pb(m.special_use)?,
        })
    }
}

/// A required mailbox sub-message.
pub(crate) fn mailbox_info(m: Option<pb::MailboxInfo>) -> Result<MailboxInfo, Invalid> {
    required(m, "mailbox")?.try_into()
}

impl From<MailboxStatus> for pb::MailboxStatus {
    fn from(s: MailboxStatus) -> Self {
        pb::MailboxStatus {
            messages: s.messages,
            unseen: s.unseen,
            deleted: s.deleted,
            deleted_storage: s.deleted_storage,
            size: s.size,
            uid_next: s.uid_next,
            uid_validity: s.uid_validity,
            highest_modseq: s.highest_modseq,
            recent: s.recent,
        }
    }
}

impl From<pb::MailboxStatus> for MailboxStatus {
    fn from(s: pb::MailboxStatus) -> Self {
        MailboxStatus {
            messages: s.messages,
            unseen: s.unseen,
            deleted: s.deleted,
            deleted_storage: s.deleted_storage,
            size: s.size,
            uid_next: s.uid_next,
            uid_validity: s.uid_validity,
            highest_modseq: s.highest_modseq,
            recent: s.recent,
        }
    }
}

//! Messages: flags, appends, snapshots, changes, STORE/COPY/MOVE/EXPUNGE results, records,
//! body references and change events.

use super::mailbox::mailbox_info;
use super::{Invalid, all, each, required};
use crate::pb;
use store::{
    AccountId, AppendResult, BlobRef, ChangeEvent, Changes, CopyResult, ExpungeResult, FlagOp,
    FlagUpdate, FlagUpdateResult, Flags, MailboxId, MessageRecord, MessageState, NewMessage,
    Snapshot,
};

/// A body reference from its 32 raw bytes.
pub(crate) fn blob(bytes: Vec<u8>) -> Result<BlobRef, Invalid> {
    let sha256: [u8; 32] = bytes
        .try_into()
        .map_err(|b: Vec<u8>| Invalid(format!("body reference of {} bytes", b.len())))?;
    Ok(BlobRef { sha256 })
}

/// Body references from their raw bytes.
pub(crate) fn blobs(list: Vec<Vec<u8>>) -> Result<Vec<BlobRef>, Invalid> {
    list.into_iter().map(blob).collect()
}

/// Body references as raw bytes.
pub(crate) fn blob_bytes(list: &[BlobRef]) -> Vec<Vec<u8>> {
    list.iter().map(|b| b.sha256.to_vec()).collect()
}

fn zone(z: i32) -> Result<i16, Invalid> {
    i16::try_from(z).map_err(|_| Invalid(format!("zone {z}")))
}

impl From<Flags> for pb::Flags {
    fn from(f: Flags) -> Self {
        pb::Flags {
            system: f.system.into(),
            keywords: f.keywords,
        }
    }
}

impl TryFrom<pb::Flags> for Flags {
    type Error = Invalid;
    fn try_from(f: pb::Flags) -> Result<Self, Invalid> {
        let system = u8::try_from(f.system).map_err(|_| Invalid(format!("flags {}", f.system)))?;
        Ok(Flags::new(system, f.keywords))
    }
}

/// A required flags sub-message.
fn flags(f: Option<pb::Flags>) -> Result<Flags, Invalid> {
    required(f, "flags")?.try_into()
}

pub(crate) fn flag_op_to_pb(op: FlagOp) -> pb::FlagOp {
    match op {
        FlagOp::Add => pb::FlagOp::Add,
        FlagOp::Remove => pb::FlagOp::Remove,
        FlagOp::Replace => pb::FlagOp::Replace,
    }
}

fn flag_op(raw: i32) -> Result<FlagOp, Invalid> {
    Ok(
        match pb::FlagOp::try_from(raw).map_err(|_| Invalid(format!("flag op {raw}")))? {
            pb::FlagOp::Add => FlagOp::Add,
            pb::FlagOp::Remove => FlagOp::Remove,
            pb::FlagOp::Replace => FlagOp::Replace,
        },
    )
}

impl From<NewMessage> for pb::NewMessage {
    fn from(m: NewMessage) -> Self {
        pb::NewMessage {
            blob: m.blob.sha256.to_vec(),
            size: m.size,
            internal_date: m.internal_date,
            internal_zone: m.internal_zone.into(),
            flags: Some(m.flags.into()),
            facts: m.facts,
            put_started_ms: m.put_started_ms,
        }
    }
}

impl TryFrom<pb::NewMessage> for NewMessage {
    type Error = Invalid;
    fn try_from(m: pb::NewMessage) -> Result<Self, Invalid> {
        Ok(NewMessage {
            blob: blob(m.blob)?,
            size: m.size,
            internal_date: m.internal_date,
            internal_zone: zone(m.internal_zone)?,
            flags: flags(m.flags)?,
            facts: m.facts,
            put_started_ms: m.put_started_ms,
        })
    }
}

impl From<AppendResult> for pb::AppendResult {
    fn from(r: AppendResult) -> Self {
        pb::AppendResult {
            uid_validity: r.uid_validity,
            uids: r.uids,
            modseq: r.modseq,
        }
    }
}

impl From<pb::AppendResult> for AppendResult {
    fn from(r: pb::AppendResult) -> Self {
        AppendResult {
            uid_validity: r.uid_validity,
            uids: r.uids,
            modseq: r.modseq,
        }
    }
}

impl From<MessageState> for pb::MessageState {
    fn from(m: MessageState) -> Self {
        pb::MessageState {
            uid: m.uid,
            flags: Some(m.flags.into()),
            modseq: m.modseq,
        }
    }
}

impl TryFrom<pb::MessageState> for MessageState {
    type Error = Invalid;
    fn try_from(m: pb::MessageState) -> Result<Self, Invalid> {
        Ok(MessageState {
            uid: m.uid,
            flags: flags(m.flags)?,
            modseq: m.modseq,
        })
    }
}

impl From<Snapshot> for pb::Snapshot {
    fn from(s: Snapshot) -> Self {
        pb::Snapshot {
            mailbox: Some(s.mailbox.into()),
            messages: each(s.messages),
        }
    }
}

impl TryFrom<pb::Snapshot> for Snapshot {
    type Error = Invalid;
    fn try_from(s: pb::Snapshot) -> Result<Self, Invalid> {
        Ok(Snapshot {
            mailbox: mailbox_info(s.mailbox)?,
            messages: all(s.messages)?,
        })
    }
}

impl From<Changes> for pb::Changes {
    fn from(c: Changes) -> Self {
        pb::Changes {
            changed: each(c.changed),
            expunged: c.expunged,
            highest_modseq: c.highest_modseq,
            uid_next: c.uid_next,
        }
    }
}

impl TryFrom<pb::Changes> for Changes {
    type Error = Invalid;
    fn try_from(c: pb::Changes) -> Result<Self, Invalid> {
        Ok(Changes {
            changed: all(c.changed)?,
            expunged: c.expunged,
            highest_modseq: c.highest_modseq,
            uid_next: c.uid_next,
        })
    }
}

/// The STORE request of a protobuf message (account and mailbox are taken separately).
pub(crate) fn flag_update(r: pb::StoreFlagsRequest) -> Result<FlagUpdate, Invalid> {
    Ok(FlagUpdate {
        uids: r.uids,
        op: flag_op(r.op)?,
        flags: flags(r.flags)?,
        unchanged_since: r.unchanged_since,
    })
}

/// The protobuf STORE request.
pub(crate) fn store_request(a: AccountId, m: MailboxId, u: FlagUpdate) -> pb::StoreFlagsRequest {
    pb::StoreFlagsRequest {
        account: a.0,
        mailbox: m.0,
        uids: u.uids,
        op: flag_op_to_pb(u.op).into(),
        flags: Some(u.flags.into()),
        unchanged_since: u.unchanged_since,
    }
}

impl From<FlagUpdateResult> for pb::FlagUpdateResult {
    fn from(r: FlagUpdateResult) -> Self {
        pb::FlagUpdateResult {
            updated: each(r.updated),
            modified: r.modified,
        }
    }
}

impl TryFrom<pb::FlagUpdateResult> for FlagUpdateResult {
    type Error = Invalid;
    fn try_from(r: pb::FlagUpdateResult) -> Result<Self, Invalid> {
        Ok(FlagUpdateResult {
            updated: all(r.updated)?,
            modified: r.modified,
        })
    }
}

impl From<CopyResult> for pb::CopyResult {
    fn from(r: CopyResult) -> Self {
        pb::CopyResult {
            uid_validity: r.uid_validity,
            pairs: r
                .pairs
                .into_iter()
                .map(|(from, to)| pb::UidPair { from, to })
                .collect(),
        }
    }
}

impl From<pb::CopyResult> for CopyResult {
    fn from(r: pb::CopyResult) -> Self {
        CopyResult {
            uid_validity: r.uid_validity,
            pairs: r.pairs.into_iter().map(|p| (p.from, p.to)).collect(),
        }
    }
}

impl From<ExpungeResult> for pb::ExpungeResult {
    fn from(r: ExpungeResult) -> Self {
        pb::ExpungeResult {
            uids: r.uids,
            modseq: r.modseq,
        }
    }
}

impl From<pb::ExpungeResult> for ExpungeResult {
    fn from(r: pb::ExpungeResult) -> Self {
        ExpungeResult {
            uids: r.uids,
            modseq: r.modseq,
        }
    }
}

impl From<MessageRecord> for pb::MessageRecord {
    fn from(r: MessageRecord) -> Self {
        pb::MessageRecord {
            state: Some(r.state.into()),
            blob: r.blob.sha256.to_vec(),
            size: r.size,
            internal_date: r.internal_date,
            internal_zone: r.internal_zone.into(),
            save_date: r.save_date,
            email_id: r.email_id,
            facts: r.facts,
        }
    }
}

impl TryFrom<pb::MessageRecord> for MessageRecord {
    type Error = Invalid;
    fn try_from(r: pb::MessageRecord) -> Result<Self, Invalid> {
        Ok(MessageRecord {
            state: required(r.state, "message state")?.try_into()?,
            blob: blob(r.blob)?,
            size: r.size,
            internal_date: r.internal_date,
            internal_zone: zone(r.internal_zone)?,
            save_date: r.save_date,
            email_id: r.email_id,
            facts: r.facts,
        })
    }
}

impl From<ChangeEvent> for pb::ChangeEvent {
    fn from(e: ChangeEvent) -> Self {
        pb::ChangeEvent {
            account: e.account.0,
            mailbox: e.mailbox.0,
            modseq: e.modseq,
        }
    }
}

impl From<pb::ChangeEvent> for ChangeEvent {
    fn from(e: pb::ChangeEvent) -> Self {
        ChangeEvent {
            account: AccountId(e.account),
            mailbox: MailboxId(e.mailbox),
            modseq: e.modseq,
        }
    }
}

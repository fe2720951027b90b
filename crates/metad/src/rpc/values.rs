//! The message values that several methods carry: body references, flags, message states,
//! new messages, records and change events.

use super::{Invalid, Wire, required};
use crate::pb;
use store::{
    AccountId, BlobRef, ChangeEvent, FlagOp, Flags, MailboxId, MessageRecord, MessageState,
    NewMessage,
};

/// A body reference from its 32 raw bytes.
pub(crate) fn blob(bytes: Vec<u8>) -> Result<BlobRef, Invalid> {
    let sha256: [u8; 32] = bytes
        .try_into()
        .map_err(|b: Vec<u8>| Invalid(format!("body reference of {} bytes", b.len())))?;
    Ok(BlobRef { sha256 })
}

/// Body references as raw bytes.
pub(crate) fn blobs_of(list: &[BlobRef]) -> Vec<Vec<u8>> {
    list.iter().map(|b| b.sha256.to_vec()).collect()
}

impl Wire<pb::BlobList> for Vec<BlobRef> {
    fn to_pb(self) -> pb::BlobList {
        pb::BlobList {
            blobs: blobs_of(&self),
        }
    }
    fn from_pb(r: pb::BlobList) -> Result<Self, Invalid> {
        r.blobs.into_iter().map(blob).collect()
    }
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

pub(crate) fn flag_op(raw: i32) -> Result<FlagOp, Invalid> {
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

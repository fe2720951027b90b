//! The mailbox tree, subscriptions and STATUS ([`store::Mailboxes`]): the methods, then how
//! their values travel.

use super::{Client, Invalid, Method, Retry, Wire, all, each, required};
use crate::pb;
use store::{AccountId, MailStore, MailboxId, MailboxInfo, MailboxStatus, SpecialUse};
use tonic::{Response, Status};

type Reply<T> = Result<Response<T>, Status>;

/// `create_mailbox` → `CreateMailbox`: (account, name, SPECIAL-USE).
pub struct CreateMailbox;
impl Method for CreateMailbox {
    type Args = (AccountId, String, Option<SpecialUse>);
    type Out = MailboxInfo;
    type Req = pb::CreateMailboxRequest;
    type Resp = pb::MailboxInfo;
    const RETRY: Retry = Retry::OnlyIfUnsent;
    async fn serve(
        s: &dyn MailStore,
        (a, name, special): (AccountId, String, Option<SpecialUse>),
    ) -> store::Result<MailboxInfo> {
        s.create_mailbox(a, &name, special).await
    }
    async fn send(mut c: Client, r: pb::CreateMailboxRequest) -> Reply<pb::MailboxInfo> {
        c.create_mailbox(r).await
    }
}

/// `delete_mailbox` → `DeleteMailbox`: (account, name).
pub struct DeleteMailbox;
impl Method for DeleteMailbox {
    type Args = (AccountId, String);
    type Out = ();
    type Req = pb::MailboxName;
    type Resp = pb::Empty;
    const RETRY: Retry = Retry::OnlyIfUnsent;
    async fn serve(s: &dyn MailStore, (a, name): (AccountId, String)) -> store::Result<()> {
        s.delete_mailbox(a, &name).await
    }
    async fn send(mut c: Client, r: pb::MailboxName) -> Reply<pb::Empty> {
        c.delete_mailbox(r).await
    }
}

/// `rename_mailbox` → `RenameMailbox`: (account, from, to).
pub struct RenameMailbox;
impl Method for RenameMailbox {
    type Args = (AccountId, String, String);
    type Out = ();
    type Req = pb::RenameMailboxRequest;
    type Resp = pb::Empty;
    const RETRY: Retry = Retry::OnlyIfUnsent;
    async fn serve(
        s: &dyn MailStore,
        (a, from, to): (AccountId, String, String),
    ) -> store::Result<()> {
        s.rename_mailbox(a, &from, &to).await
    }
    async fn send(mut c: Client, r: pb::RenameMailboxRequest) -> Reply<pb::Empty> {
        c.rename_mailbox(r).await
    }
}

/// `list_mailboxes` → `ListMailboxes`.
pub struct ListMailboxes;
impl Method for ListMailboxes {
    type Args = AccountId;
    type Out = Vec<MailboxInfo>;
    type Req = pb::AccountRef;
    type Resp = pb::MailboxList;
    const RETRY: Retry = Retry::Idempotent;
    async fn serve(s: &dyn MailStore, a: AccountId) -> store::Result<Vec<MailboxInfo>> {
        s.list_mailboxes(a).await
    }
    async fn send(mut c: Client, r: pb::AccountRef) -> Reply<pb::MailboxList> {
        c.list_mailboxes(r).await
    }
}

/// `mailbox` → `Mailbox`: (account, name).
pub struct GetMailbox;
impl Method for GetMailbox {
    type Args = (AccountId, String);
    type Out = MailboxInfo;
    type Req = pb::MailboxName;
    type Resp = pb::MailboxInfo;
    const RETRY: Retry = Retry::Idempotent;
    async fn serve(
        s: &dyn MailStore,
        (a, name): (AccountId, String),
    ) -> store::Result<MailboxInfo> {
        s.mailbox(a, &name).await
    }
    async fn send(mut c: Client, r: pb::MailboxName) -> Reply<pb::MailboxInfo> {
        c.mailbox(r).await
    }
}

/// `set_subscribed` → `SetSubscribed`: (account, name, subscribed).
pub struct SetSubscribed;
impl Method for SetSubscribed {
    type Args = (AccountId, String, bool);
    type Out = ();
    type Req = pb::SetSubscribedRequest;
    type Resp = pb::Empty;
    const RETRY: Retry = Retry::Idempotent;
    async fn serve(
        s: &dyn MailStore,
        (a, name, on): (AccountId, String, bool),
    ) -> store::Result<()> {
        s.set_subscribed(a, &name, on).await
    }
    async fn send(mut c: Client, r: pb::SetSubscribedRequest) -> Reply<pb::Empty> {
        c.set_subscribed(r).await
    }
}

/// `subscriptions` → `Subscriptions`.
pub struct Subscriptions;
impl Method for Subscriptions {
    type Args = AccountId;
    type Out = Vec<String>;
    type Req = pb::AccountRef;
    type Resp = pb::NameList;
    const RETRY: Retry = Retry::Idempotent;
    async fn serve(s: &dyn MailStore, a: AccountId) -> store::Result<Vec<String>> {
        s.subscriptions(a).await
    }
    async fn send(mut c: Client, r: pb::AccountRef) -> Reply<pb::NameList> {
        c.subscriptions(r).await
    }
}

/// `status` → `Status`.
pub struct GetStatus;
impl Method for GetStatus {
    type Args = (AccountId, MailboxId);
    type Out = MailboxStatus;
    type Req = pb::MailboxRef;
    type Resp = pb::MailboxStatus;
    const RETRY: Retry = Retry::Idempotent;
    async fn serve(
        s: &dyn MailStore,
        (a, m): (AccountId, MailboxId),
    ) -> store::Result<MailboxStatus> {
        s.status(a, m).await
    }
    async fn send(mut c: Client, r: pb::MailboxRef) -> Reply<pb::MailboxStatus> {
        c.status(r).await
    }
}

// ---------------- how the values travel ----------------

impl Wire<pb::CreateMailboxRequest> for (AccountId, String, Option<SpecialUse>) {
    fn to_pb(self) -> pb::CreateMailboxRequest {
        pb::CreateMailboxRequest {
            account: self.0.0,
            name: self.1,
            special_use: special_use_to_pb(self.2).into(),
        }
    }
    fn from_pb(r: pb::CreateMailboxRequest) -> Result<Self, Invalid> {
        Ok((
            AccountId(r.account),
            r.name,
            special_use_from_pb(r.special_use)?,
        ))
    }
}

impl Wire<pb::MailboxName> for (AccountId, String) {
    fn to_pb(self) -> pb::MailboxName {
        pb::MailboxName {
            account: self.0.0,
            name: self.1,
        }
    }
    fn from_pb(r: pb::MailboxName) -> Result<Self, Invalid> {
        Ok((AccountId(r.account), r.name))
    }
}

impl Wire<pb::RenameMailboxRequest> for (AccountId, String, String) {
    fn to_pb(self) -> pb::RenameMailboxRequest {
        pb::RenameMailboxRequest {
            account: self.0.0,
            from: self.1,
            to: self.2,
        }
    }
    fn from_pb(r: pb::RenameMailboxRequest) -> Result<Self, Invalid> {
        Ok((AccountId(r.account), r.from, r.to))
    }
}

impl Wire<pb::SetSubscribedRequest> for (AccountId, String, bool) {
    fn to_pb(self) -> pb::SetSubscribedRequest {
        pb::SetSubscribedRequest {
            account: self.0.0,
            name: self.1,
            subscribed: self.2,
        }
    }
    fn from_pb(r: pb::SetSubscribedRequest) -> Result<Self, Invalid> {
        Ok((AccountId(r.account), r.name, r.subscribed))
    }
}

impl Wire<pb::MailboxRef> for (AccountId, MailboxId) {
    fn to_pb(self) -> pb::MailboxRef {
        pb::MailboxRef {
            account: self.0.0,
            mailbox: self.1.0,
        }
    }
    fn from_pb(r: pb::MailboxRef) -> Result<Self, Invalid> {
        Ok((AccountId(r.account), MailboxId(r.mailbox)))
    }
}

impl Wire<pb::MailboxInfo> for MailboxInfo {
    fn to_pb(self) -> pb::MailboxInfo {
        pb::MailboxInfo {
            id: self.id.0,
            name: self.name,
            uid_validity: self.uid_validity,
            uid_next: self.uid_next,
            highest_modseq: self.highest_modseq,
            special_use: special_use_to_pb(self.special_use).into(),
        }
    }
    fn from_pb(m: pb::MailboxInfo) -> Result<Self, Invalid> {
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

impl From<MailboxInfo> for pb::MailboxInfo {
    fn from(m: MailboxInfo) -> Self {
        m.to_pb()
    }
}

impl TryFrom<pb::MailboxInfo> for MailboxInfo {
    type Error = Invalid;
    fn try_from(m: pb::MailboxInfo) -> Result<Self, Invalid> {
        MailboxInfo::from_pb(m)
    }
}

/// A required mailbox sub-message.
pub(crate) fn mailbox_info(m: Option<pb::MailboxInfo>) -> Result<MailboxInfo, Invalid> {
    required(m, "mailbox")?.try_into()
}

impl Wire<pb::MailboxList> for Vec<MailboxInfo> {
    fn to_pb(self) -> pb::MailboxList {
        pb::MailboxList {
            mailboxes: each(self),
        }
    }
    fn from_pb(r: pb::MailboxList) -> Result<Self, Invalid> {
        all(r.mailboxes)
    }
}

impl Wire<pb::NameList> for Vec<String> {
    fn to_pb(self) -> pb::NameList {
        pb::NameList { names: self }
    }
    fn from_pb(r: pb::NameList) -> Result<Self, Invalid> {
        Ok(r.names)
    }
}

impl Wire<pb::MailboxStatus> for MailboxStatus {
    fn to_pb(self) -> pb::MailboxStatus {
        pb::MailboxStatus {
            messages: self.messages,
            unseen: self.unseen,
            deleted: self.deleted,
            deleted_storage: self.deleted_storage,
            size: self.size,
            uid_next: self.uid_next,
            uid_validity: self.uid_validity,
            highest_modseq: self.highest_modseq,
            recent: self.recent,
        }
    }
    fn from_pb(s: pb::MailboxStatus) -> Result<Self, Invalid> {
        Ok(MailboxStatus {
            messages: s.messages,
            unseen: s.unseen,
            deleted: s.deleted,
            deleted_storage: s.deleted_storage,
            size: s.size,
            uid_next: s.uid_next,
            uid_validity: s.uid_validity,
            highest_modseq: s.highest_modseq,
            recent: s.recent,
        })
    }
}

/// `None` ↔ `SPECIAL_USE_NONE`.
fn special_use_to_pb(s: Option<SpecialUse>) -> pb::SpecialUse {
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
fn special_use_from_pb(raw: i32) -> Result<Option<SpecialUse>, Invalid> {
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

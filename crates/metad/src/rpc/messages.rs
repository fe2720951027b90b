//! Messages ([`store::Messages`]): the methods, then how their arguments and answers travel.
//! The message values themselves (flags, states, records) are in [`super::values`].

use super::values::blob;
use super::{Client, Invalid, Method, Retry, Wire, all, each, required};
use crate::pb;
use store::*;
use tonic::{Response, Status};

type Reply<T> = Result<Response<T>, Status>;

/// `append` → `Append`: (account, mailbox, messages).
pub struct Append;
impl Method for Append {
    type Args = (AccountId, MailboxId, Vec<NewMessage>);
    type Out = AppendResult;
    type Req = pb::AppendRequest;
    type Resp = pb::AppendResult;
    // Not idempotent: a second attempt would store the messages twice.
    const RETRY: Retry = Retry::OnlyIfUnsent;
    async fn serve(
        s: &dyn MailStore,
        (a, m, messages): (AccountId, MailboxId, Vec<NewMessage>),
    ) -> store::Result<AppendResult> {
        s.append(a, m, messages).await
    }
    async fn send(mut c: Client, r: pb::AppendRequest) -> Reply<pb::AppendResult> {
        c.append(r).await
    }
}

/// `snapshot` → `Snapshot`.
pub struct GetSnapshot;
impl Method for GetSnapshot {
    type Args = (AccountId, MailboxId);
    type Out = Snapshot;
    type Req = pb::MailboxRef;
    type Resp = pb::Snapshot;
    const RETRY: Retry = Retry::Idempotent;
    async fn serve(s: &dyn MailStore, (a, m): (AccountId, MailboxId)) -> store::Result<Snapshot> {
        s.snapshot(a, m).await
    }
    async fn send(mut c: Client, r: pb::MailboxRef) -> Reply<pb::Snapshot> {
        c.snapshot(r).await
    }
}

/// `changes_since` → `ChangesSince`: (account, mailbox, MODSEQ).
pub struct ChangesSince;
impl Method for ChangesSince {
    type Args = (AccountId, MailboxId, u64);
    type Out = Changes;
    type Req = pb::ChangesSinceRequest;
    type Resp = pb::Changes;
    const RETRY: Retry = Retry::Idempotent;
    async fn serve(
        s: &dyn MailStore,
        (a, m, modseq): (AccountId, MailboxId, u64),
    ) -> store::Result<Changes> {
        s.changes_since(a, m, modseq).await
    }
    async fn send(mut c: Client, r: pb::ChangesSinceRequest) -> Reply<pb::Changes> {
        c.changes_since(r).await
    }
}

/// `store_flags` → `StoreFlags`: (account, mailbox, update).
pub struct StoreFlags;
impl Method for StoreFlags {
    type Args = (AccountId, MailboxId, FlagUpdate);
    type Out = FlagUpdateResult;
    type Req = pb::StoreFlagsRequest;
    type Resp = pb::FlagUpdateResult;
    // Not idempotent in what it answers: a second attempt finds the flags already set and
    // reports nothing changed (or, under UNCHANGEDSINCE, everything modified).
    const RETRY: Retry = Retry::OnlyIfUnsent;
    async fn serve(
        s: &dyn MailStore,
        (a, m, update): (AccountId, MailboxId, FlagUpdate),
    ) -> store::Result<FlagUpdateResult> {
        s.store_flags(a, m, update).await
    }
    async fn send(mut c: Client, r: pb::StoreFlagsRequest) -> Reply<pb::FlagUpdateResult> {
        c.store_flags(r).await
    }
}

/// The arguments of COPY and MOVE.
pub struct Transfer {
    /// Whose mailboxes.
    pub account: AccountId,
    /// The source.
    pub from: MailboxId,
    /// Source UIDs.
    pub uids: Vec<u32>,
    /// The destination.
    pub to: MailboxId,
}

/// `copy` → `Copy`.
pub struct Copy;
impl Method for Copy {
    type Args = Transfer;
    type Out = CopyResult;
    type Req = pb::CopyRequest;
    type Resp = pb::CopyResult;
    const RETRY: Retry = Retry::OnlyIfUnsent;
    async fn serve(s: &dyn MailStore, t: Transfer) -> store::Result<CopyResult> {
        s.copy(t.account, t.from, &t.uids, t.to).await
    }
    async fn send(mut c: Client, r: pb::CopyRequest) -> Reply<pb::CopyResult> {
        c.copy(r).await
    }
}

/// `move_messages` → `Move`.
pub struct Move;
impl Method for Move {
    type Args = Transfer;
    type Out = (CopyResult, ExpungeResult);
    type Req = pb::CopyRequest;
    type Resp = pb::MoveResult;
    const RETRY: Retry = Retry::OnlyIfUnsent;
    async fn serve(s: &dyn MailStore, t: Transfer) -> store::Result<(CopyResult, ExpungeResult)> {
        s.move_messages(t.account, t.from, &t.uids, t.to).await
    }
    async fn send(mut c: Client, r: pb::CopyRequest) -> Reply<pb::MoveResult> {
        c.r#move(r).await
    }
}

/// `expunge` → `Expunge`: (account, mailbox, only these UIDs).
pub struct Expunge;
impl Method for Expunge {
    type Args = (AccountId, MailboxId, Option<Vec<u32>>);
    type Out = ExpungeResult;
    type Req = pb::ExpungeRequest;
    type Resp = pb::ExpungeResult;
    // A second attempt would find nothing left to remove and answer no UIDs.
    const RETRY: Retry = Retry::OnlyIfUnsent;
    async fn serve(
        s: &dyn MailStore,
        (a, m, uids): (AccountId, MailboxId, Option<Vec<u32>>),
    ) -> store::Result<ExpungeResult> {
        s.expunge(a, m, uids.as_deref()).await
    }
    async fn send(mut c: Client, r: pb::ExpungeRequest) -> Reply<pb::ExpungeResult> {
        c.expunge(r).await
    }
}

/// `fetch` and `fetch_meta` → `Fetch`: (account, mailbox, UIDs, without the facts).
pub struct Fetch;
impl Method for Fetch {
    type Args = (AccountId, MailboxId, Vec<u32>, bool);
    type Out = Vec<MessageRecord>;
    type Req = pb::FetchRequest;
    type Resp = pb::RecordList;
    const RETRY: Retry = Retry::Idempotent;
    async fn serve(
        s: &dyn MailStore,
        (a, m, uids, meta_only): (AccountId, MailboxId, Vec<u32>, bool),
    ) -> store::Result<Vec<MessageRecord>> {
        if meta_only {
            s.fetch_meta(a, m, &uids).await
        } else {
            s.fetch(a, m, &uids).await
        }
    }
    async fn send(mut c: Client, r: pb::FetchRequest) -> Reply<pb::RecordList> {
        c.fetch(r).await
    }
}

/// `uid_blobs` → `UidBlobs`: (account, mailbox, after this UID).
pub struct UidBlobs;
impl Method for UidBlobs {
    type Args = (AccountId, MailboxId, u32);
    type Out = Vec<(u32, BlobRef)>;
    type Req = pb::UidBlobsRequest;
    type Resp = pb::UidBlobList;
    const RETRY: Retry = Retry::Idempotent;
    async fn serve(
        s: &dyn MailStore,
        (a, m, after): (AccountId, MailboxId, u32),
    ) -> store::Result<Vec<(u32, BlobRef)>> {
        s.uid_blobs(a, m, after).await
    }
    async fn send(mut c: Client, r: pb::UidBlobsRequest) -> Reply<pb::UidBlobList> {
        c.uid_blobs(r).await
    }
}

/// `claim_recent` → `ClaimRecent`.
pub struct ClaimRecent;
impl Method for ClaimRecent {
    type Args = (AccountId, MailboxId);
    type Out = std::ops::Range<u32>;
    type Req = pb::MailboxRef;
    type Resp = pb::RecentClaim;
    // A second attempt would find the first one's claim and answer none recent.
    const RETRY: Retry = Retry::OnlyIfUnsent;
    async fn serve(
        s: &dyn MailStore,
        (a, m): (AccountId, MailboxId),
    ) -> store::Result<std::ops::Range<u32>> {
        s.claim_recent(a, m).await
    }
    async fn send(mut c: Client, r: pb::MailboxRef) -> Reply<pb::RecentClaim> {
        c.claim_recent(r).await
    }
}

// ---------------- how the arguments and answers travel ----------------

impl Wire<pb::AppendRequest> for (AccountId, MailboxId, Vec<NewMessage>) {
    fn to_pb(self) -> pb::AppendRequest {
        pb::AppendRequest {
            account: self.0.0,
            mailbox: self.1.0,
            messages: each(self.2),
        }
    }
    fn from_pb(r: pb::AppendRequest) -> Result<Self, Invalid> {
        Ok((AccountId(r.account), MailboxId(r.mailbox), all(r.messages)?))
    }
}

impl Wire<pb::AppendResult> for AppendResult {
    fn to_pb(self) -> pb::AppendResult {
        pb::AppendResult {
            uid_validity: self.uid_validity,
            uids: self.uids,
            modseq: self.modseq,
        }
    }
    fn from_pb(r: pb::AppendResult) -> Result<Self, Invalid> {
        Ok(AppendResult {
            uid_validity: r.uid_validity,
            uids: r.uids,
            modseq: r.modseq,
        })
    }
}

impl Wire<pb::Snapshot> for Snapshot {
    fn to_pb(self) -> pb::Snapshot {
        pb::Snapshot {
            mailbox: Some(self.mailbox.into()),
            messages: each(self.messages),
        }
    }
    fn from_pb(s: pb::Snapshot) -> Result<Self, Invalid> {
        Ok(Snapshot {
            mailbox: super::mailboxes::mailbox_info(s.mailbox)?,
            messages: all(s.messages)?,
        })
    }
}

impl Wire<pb::ChangesSinceRequest> for (AccountId, MailboxId, u64) {
    fn to_pb(self) -> pb::ChangesSinceRequest {
        pb::ChangesSinceRequest {
            account: self.0.0,
            mailbox: self.1.0,
            modseq: self.2,
        }
    }
    fn from_pb(r: pb::ChangesSinceRequest) -> Result<Self, Invalid> {
        Ok((AccountId(r.account), MailboxId(r.mailbox), r.modseq))
    }
}

impl Wire<pb::Changes> for Changes {
    fn to_pb(self) -> pb::Changes {
        pb::Changes {
            changed: each(self.changed),
            expunged: self.expunged,
            highest_modseq: self.highest_modseq,
            uid_next: self.uid_next,
        }
    }
    fn from_pb(c: pb::Changes) -> Result<Self, Invalid> {
        Ok(Changes {
            changed: all(c.changed)?,
            expunged: c.expunged,
            highest_modseq: c.highest_modseq,
            uid_next: c.uid_next,
        })
    }
}

impl Wire<pb::StoreFlagsRequest> for (AccountId, MailboxId, FlagUpdate) {
    fn to_pb(self) -> pb::StoreFlagsRequest {
        let (a, m, u) = self;
        pb::StoreFlagsRequest {
            account: a.0,
            mailbox: m.0,
            uids: u.uids,
            op: super::values::flag_op_to_pb(u.op).into(),
            flags: Some(u.flags.into()),
            unchanged_since: u.unchanged_since,
        }
    }
    fn from_pb(r: pb::StoreFlagsRequest) -> Result<Self, Invalid> {
        let update = FlagUpdate {
            uids: r.uids,
            op: super::values::flag_op(r.op)?,
            flags: required(r.flags, "flags")?.try_into()?,
            unchanged_since: r.unchanged_since,
        };
        Ok((AccountId(r.account), MailboxId(r.mailbox), update))
    }
}

impl Wire<pb::FlagUpdateResult> for FlagUpdateResult {
    fn to_pb(self) -> pb::FlagUpdateResult {
        pb::FlagUpdateResult {
            updated: each(self.updated),
            modified: self.modified,
            unchanged: each(self.unchanged),
        }
    }
    fn from_pb(r: pb::FlagUpdateResult) -> Result<Self, Invalid> {
        Ok(FlagUpdateResult {
            updated: all(r.updated)?,
            modified: r.modified,
            unchanged: all(r.unchanged)?,
        })
    }
}

impl Wire<pb::CopyRequest> for Transfer {
    fn to_pb(self) -> pb::CopyRequest {
        pb::CopyRequest {
            account: self.account.0,
            from: self.from.0,
            uids: self.uids,
            to: self.to.0,
        }
    }
    fn from_pb(r: pb::CopyRequest) -> Result<Self, Invalid> {
        Ok(Transfer {
            account: AccountId(r.account),
            from: MailboxId(r.from),
            uids: r.uids,
            to: MailboxId(r.to),
        })
    }
}

impl Wire<pb::CopyResult> for CopyResult {
    fn to_pb(self) -> pb::CopyResult {
        pb::CopyResult {
            uid_validity: self.uid_validity,
            pairs: self
                .pairs
                .into_iter()
                .map(|(from, to)| pb::UidPair { from, to })
                .collect(),
        }
    }
    fn from_pb(r: pb::CopyResult) -> Result<Self, Invalid> {
        Ok(CopyResult {
            uid_validity: r.uid_validity,
            pairs: r.pairs.into_iter().map(|p| (p.from, p.to)).collect(),
        })
    }
}

impl Wire<pb::ExpungeResult> for ExpungeResult {
    fn to_pb(self) -> pb::ExpungeResult {
        pb::ExpungeResult {
            uids: self.uids,
            modseq: self.modseq,
        }
    }
    fn from_pb(r: pb::ExpungeResult) -> Result<Self, Invalid> {
        Ok(ExpungeResult {
            uids: r.uids,
            modseq: r.modseq,
        })
    }
}

impl Wire<pb::MoveResult> for (CopyResult, ExpungeResult) {
    fn to_pb(self) -> pb::MoveResult {
        pb::MoveResult {
            copied: Some(self.0.to_pb()),
            expunged: Some(self.1.to_pb()),
        }
    }
    fn from_pb(r: pb::MoveResult) -> Result<Self, Invalid> {
        Ok((
            CopyResult::from_pb(required(r.copied, "copy result")?)?,
            ExpungeResult::from_pb(required(r.expunged, "expunge result")?)?,
        ))
    }
}

impl Wire<pb::ExpungeRequest> for (AccountId, MailboxId, Option<Vec<u32>>) {
    fn to_pb(self) -> pb::ExpungeRequest {
        pb::ExpungeRequest {
            account: self.0.0,
            mailbox: self.1.0,
            uids: self.2.map(|uids| pb::UidSet { uids }),
        }
    }
    fn from_pb(r: pb::ExpungeRequest) -> Result<Self, Invalid> {
        Ok((
            AccountId(r.account),
            MailboxId(r.mailbox),
            r.uids.map(|s| s.uids),
        ))
    }
}

impl Wire<pb::FetchRequest> for (AccountId, MailboxId, Vec<u32>, bool) {
    fn to_pb(self) -> pb::FetchRequest {
        pb::FetchRequest {
            account: self.0.0,
            mailbox: self.1.0,
            uids: self.2,
            meta_only: self.3,
        }
    }
    fn from_pb(r: pb::FetchRequest) -> Result<Self, Invalid> {
        Ok((
            AccountId(r.account),
            MailboxId(r.mailbox),
            r.uids,
            r.meta_only,
        ))
    }
}

impl Wire<pb::RecordList> for Vec<MessageRecord> {
    fn to_pb(self) -> pb::RecordList {
        pb::RecordList {
            records: each(self),
        }
    }
    fn from_pb(r: pb::RecordList) -> Result<Self, Invalid> {
        all(r.records)
    }
}

impl Wire<pb::UidBlobsRequest> for (AccountId, MailboxId, u32) {
    fn to_pb(self) -> pb::UidBlobsRequest {
        pb::UidBlobsRequest {
            account: self.0.0,
            mailbox: self.1.0,
            after: self.2,
        }
    }
    fn from_pb(r: pb::UidBlobsRequest) -> Result<Self, Invalid> {
        Ok((AccountId(r.account), MailboxId(r.mailbox), r.after))
    }
}

impl Wire<pb::UidBlobList> for Vec<(u32, BlobRef)> {
    fn to_pb(self) -> pb::UidBlobList {
        pb::UidBlobList {
            entries: self
                .into_iter()
                .map(|(uid, b)| pb::UidBlob {
                    uid,
                    blob: b.sha256.to_vec(),
                })
                .collect(),
        }
    }
    fn from_pb(r: pb::UidBlobList) -> Result<Self, Invalid> {
        r.entries
            .into_iter()
            .map(|e| Ok((e.uid, blob(e.blob)?)))
            .collect()
    }
}

impl Wire<pb::RecentClaim> for std::ops::Range<u32> {
    fn to_pb(self) -> pb::RecentClaim {
        pb::RecentClaim {
            first: self.start,
            end: self.end,
        }
    }
    fn from_pb(r: pb::RecentClaim) -> Result<Self, Invalid> {
        // An older metad answered only the first UID (field 1): claim nothing rather than
        // guess the end.
        Ok(r.first..r.end.max(r.first))
    }
}

impl Wire<pb::Uid> for u32 {
    fn to_pb(self) -> pb::Uid {
        pb::Uid { uid: self }
    }
    fn from_pb(r: pb::Uid) -> Result<Self, Invalid> {
        Ok(r.uid)
    }
}

//! The blob sweep's metadata half ([`store::Sweep`]).

use super::{Client, Method, Retry};
use crate::pb;
use store::{BlobRef, MailStore};
use tonic::{Response, Status};

type Reply<T> = Result<Response<T>, Status>;

/// `sweep_mark` → `SweepMark`.
pub struct SweepMark;
impl Method for SweepMark {
    type Args = Vec<BlobRef>;
    type Out = Vec<BlobRef>;
    type Req = pb::BlobList;
    type Resp = pb::BlobList;
    // Marking twice is harmless: the second mark finds the same live set.
    const RETRY: Retry = Retry::Idempotent;
    async fn serve(s: &dyn MailStore, batch: Vec<BlobRef>) -> store::Result<Vec<BlobRef>> {
        s.sweep_mark(&batch).await
    }
    async fn send(mut c: Client, r: pb::BlobList) -> Reply<pb::BlobList> {
        c.sweep_mark(r).await
    }
}

/// `sweep_done` → `SweepDone`.
pub struct SweepDone;
impl Method for SweepDone {
    type Args = Vec<BlobRef>;
    type Out = ();
    type Req = pb::BlobList;
    type Resp = pb::Empty;
    const RETRY: Retry = Retry::Idempotent;
    async fn serve(s: &dyn MailStore, deleted: Vec<BlobRef>) -> store::Result<()> {
        s.sweep_done(&deleted).await
    }
    async fn send(mut c: Client, r: pb::BlobList) -> Reply<pb::Empty> {
        c.sweep_done(r).await
    }
}

//! The sync at command boundaries (ARCHITECTURE.md invariant 4): after each command the
//! selected mailbox's changes are reported ([`crate::updates`]) in the mode the command allows,
//! and a mailbox deleted meanwhile is closed.

use super::Session;
use crate::reply::CommandError;
use crate::state::Transition;
use crate::updates::report_changes;
use crate::view::SyncMode;
use imap_proto::response::{Code, Response, State as Cond, StatusResponse};
use store::StoreError;
use tokio::io::{AsyncRead, AsyncWrite};

/// How the selected mailbox is synced after `body` (RFC 9051 §7.4.1: no EXPUNGE during
/// FETCH, STORE or SEARCH by sequence number).
pub(crate) fn sync_mode(body: &imap_proto::CommandBody) -> SyncMode {
    use imap_proto::CommandBody::*;
    match body {
        Fetch { uid: false, .. }
        | Store { uid: false, .. }
        | Search { uid: false, .. }
        | Sort { uid: false, .. }
        | Thread { uid: false, .. } => SyncMode::NoExpunge,
        _ => SyncMode::Full,
    }
}

impl<S: AsyncRead + AsyncWrite + Unpin + Send> Session<S> {
    /// [`report_changes`] after a command (nothing to do when no mailbox is selected): a
    /// storage error is logged, and a selected mailbox that no longer exists (deleted here or
    /// elsewhere) is closed with an untagged `OK [CLOSED]`.
    pub(crate) async fn sync_or_close(&mut self, mode: SyncMode) {
        let Some(mut cx) = self.selected_ctx() else {
            return;
        };
        match report_changes(&mut cx, mode).await {
            Ok(()) => {}
            Err(CommandError::Store(StoreError::NotFound(_))) => {
                *cx.saved = None;
                cx.send(&Response::Status(
                    StatusResponse::untagged(Cond::Ok, "the selected mailbox no longer exists")
                        .with_code(Code::Closed),
                ));
                let _ = self.state.apply(Transition::Deselect);
            }
            Err(e) => {
                let r = crate::errors::reply_of(e);
                tracing::warn!(session = self.id, error = %r.text, "could not report mailbox changes");
            }
        }
    }
}

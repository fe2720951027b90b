//! The sync at command boundaries (ARCHITECTURE.md invariant 4): before a command that reads
//! messages, new mail and flag changes are reported so that its answer includes them; after
//! each command the selected mailbox's changes are reported ([`crate::updates`]) in the mode
//! the command allows; a mailbox deleted meanwhile is closed. The store is asked only when the
//! session's [`Watch`](crate::watch::Watch) says the mailbox may have changed, when expunges
//! wait to be reported, or at NOOP and CHECK (the client's way of asking).

use super::Session;
use crate::reply::{CommandError, Reply};
use crate::state::{State, Transition};
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

/// Whether `body` reads the selected mailbox's messages, so that changes committed before it
/// must be seen first (RFC 9051 §5.2; issue: a SEARCH right after another session's APPEND).
pub(crate) fn reads_messages(body: &imap_proto::CommandBody) -> bool {
    use imap_proto::CommandBody::*;
    matches!(
        body,
        Fetch { .. }
            | Store { .. }
            | Search { .. }
            | Sort { .. }
            | Thread { .. }
            | Copy { .. }
            | Move { .. }
            | Expunge { .. }
    )
}

/// Whether `body` is a client's poll for changes (NOOP, CHECK), which always asks the store
/// (it also notices what the feed does not carry, such as an account deleted by the CLI).
pub(crate) fn polls(body: &imap_proto::CommandBody) -> bool {
    use imap_proto::CommandBody::*;
    matches!(body, Noop | Check)
}

impl<S: AsyncRead + AsyncWrite + Unpin + Send> Session<S> {
    /// Before a command the state allows, with a mailbox selected: a CONDSTORE-enabling one
    /// turns CONDSTORE on first, so that every FETCH it causes carries MODSEQ; one that reads
    /// messages first reports the new mail and flag changes committed before it, which are
    /// part of its answer, their EXISTS and FETCH first (RFC 9051 §5.2); expunges wait for a
    /// command that allows them.
    pub(crate) async fn before_command(&mut self, body: &imap_proto::CommandBody) {
        if crate::updates::enables_condstore(body)
            && let Some(mut cx) = self.selected_ctx()
        {
            let modseq = cx.sel.view.highest_modseq();
            crate::updates::enable_condstore(&mut cx, Some(modseq));
        }
        if reads_messages(body) {
            self.sync_or_close(SyncMode::NoExpunge, false).await;
        }
    }

    /// After a command: other sessions' changes reach this one at the command boundary
    /// (invariant 4), in `mode`, the store asked whatever the feed says when the command
    /// `polls`. A failed sync never replaces the reply of a command that already did its
    /// work. A tagged HIGHESTMODSEQ (EXPUNGE, MOVE: RFC 7162 §3.2.10) is then the mailbox's
    /// after everything reported before it, so it never goes below an untagged one just sent.
    pub(crate) async fn after_command(&mut self, mode: SyncMode, polls: bool, reply: &mut Reply) {
        if reply.next.is_none() {
            self.sync_or_close(mode, polls).await;
        }
        if let Some(Code::HighestModSeq(m)) = &mut reply.code
            && let Some(sel) = self.state.selected()
            && !sel.view.expunges_pending()
        {
            *m = (*m).max(sel.view.highest_modseq());
        }
    }

    /// [`report_changes`] at a command boundary (nothing to do when no mailbox is selected),
    /// when the mailbox may have changed, expunges wait to be reported, or `ask`: a storage
    /// error is logged, and a selected mailbox that no longer exists (deleted here or
    /// elsewhere) is closed with an untagged `OK [CLOSED]`.
    pub(crate) async fn sync_or_close(&mut self, mode: SyncMode, ask: bool) {
        let (account, mailbox, pending) = match &self.state {
            State::Selected(user, sel) => (user.account, sel.id, sel.view.expunges_pending()),
            _ => return,
        };
        // Always drained, so that the events seen now are covered by the answer read below.
        let stirred = self.watch.stirred(account, mailbox);
        if !(stirred || ask || (pending && mode == SyncMode::Full)) {
            return;
        }
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
                self.watch.missed();
                let r = crate::errors::reply_of(e);
                tracing::warn!(session = self.id, error = %r.text, "could not report mailbox changes");
            }
        }
    }
}

//! From a received command to its handler: the state check (once, [`State::allows`]), the
//! context for the state ([`crate::context`]), and the handler of the command's family. The
//! commands that talk with the client before their answer, or change the transport (STARTTLS,
//! AUTHENTICATE, COMPRESS, IDLE), are the session's own (`session/starttls.rs`, `sasl.rs`,
//! `compress.rs`, `idle.rs`).

use super::Session;
use crate::commands::{
    any, append, auth, copy, expunge, fetch, list, mailbox, quota, search, select, sort, store,
    thread,
};
use crate::context::{AuthCtx, Ctx, SelectedCtx};
use crate::errors::reply_of;
use crate::limits::AccountSlot;
use crate::reply::{CommandError, Outcome, Reply};
use crate::state::State;
use imap_proto::{CommandBody, Tag};
use tokio::io::{AsyncRead, AsyncWrite};

/// A session's parts, borrowed for one command: the context of every state, the state itself
/// (to build the narrower contexts) and the account slot a login takes.
pub(crate) struct Parts<'s> {
    pub(crate) cx: Ctx<'s>,
    pub(crate) state: &'s mut State,
    pub(crate) slot: &'s mut Option<AccountSlot>,
}

impl<S: AsyncRead + AsyncWrite + Unpin + Send> Session<S> {
    /// The session's parts, split for one command.
    pub(crate) fn parts(&mut self) -> Parts<'_> {
        Parts {
            cx: Ctx {
                shared: &self.shared,
                conn: &self.conn,
                session: self.id,
                enabled: &mut self.enabled,
                saved: &mut self.saved,
                out: &mut self.out,
                // Only ever used through `&mut` (SyncWrapper), so the context stays `Sync`
                // without asking the transport to be.
                outlet: sync_wrapper::SyncWrapper::new(super::Outlet {
                    io: &mut self.io,
                    deflate: &mut self.deflate,
                }),
            },
            state: &mut self.state,
            slot: &mut self.account_slot,
        }
    }

    /// The selected state's context, when a mailbox is selected.
    pub(crate) fn selected_ctx(&mut self) -> Option<SelectedCtx<'_>> {
        let p = self.parts();
        match p.state {
            State::Selected(user, sel) => Some(SelectedCtx {
                cx: p.cx,
                user,
                sel,
            }),
            _ => None,
        }
    }

    /// Runs the handler of `body`, which the state allows.
    pub(crate) async fn dispatch(
        &mut self,
        tag: &Tag,
        body: CommandBody,
    ) -> std::io::Result<Reply> {
        use CommandBody::*;
        // The session's own: they talk with the client or change the transport.
        match body {
            StartTls => return self.starttls(tag).await,
            Authenticate {
                mechanism,
                initial_response,
            } => return self.authenticate(&mechanism, initial_response).await,
            Compress(mechanism) => return self.compress(tag, &mechanism).await,
            Idle => return self.idle().await,
            _ => {}
        }
        let starttls = self.upgrade.is_some();
        let p = self.parts();
        let outcome = match body {
            Capability => {
                let authenticated = !matches!(p.state, State::NotAuthenticated);
                any::capability(&mut { p.cx }, authenticated, starttls)
            }
            Noop | Check => any::noop(),
            Logout => any::logout(&mut { p.cx }),
            Id(params) => any::id(&mut { p.cx }, params),
            Login { username, password } => {
                auth::login(&mut { p.cx }, p.slot, &username, &password).await
            }
            body => match p.state {
                State::Authenticated(user) => {
                    let mut cx = AuthCtx {
                        cx: p.cx,
                        user,
                        selected: None,
                    };
                    authenticated(&mut cx, tag, body).await
                }
                State::Selected(user, sel) => match crate::state::needs_selected(&body) {
                    true => {
                        let mut cx = SelectedCtx {
                            cx: p.cx,
                            user,
                            sel,
                        };
                        selected(&mut cx, tag, body).await
                    }
                    false => {
                        let mut cx = AuthCtx {
                            cx: p.cx,
                            user,
                            selected: Some(sel),
                        };
                        authenticated(&mut cx, tag, body).await
                    }
                },
                // State::allows let the command through in a state without a user: a bug.
                _ => Err(CommandError::bad("log in first")),
            },
        };
        match outcome {
            // The client went away while the handler was sending: the session ends.
            Err(CommandError::Io(e)) => Err(e),
            outcome => Ok(outcome.unwrap_or_else(reply_of)),
        }
    }
}

/// The commands of the authenticated state (also run in the selected state).
async fn authenticated(cx: &mut AuthCtx<'_>, _tag: &Tag, body: CommandBody) -> Outcome {
    use CommandBody::*;
    match body {
        Enable(caps) => any::enable(cx, caps),
        Namespace => any::namespace(cx),
        Create {
            mailbox,
            special_use,
        } => mailbox::create(cx, &mailbox, &special_use).await,
        Delete(m) => mailbox::delete(cx, &m).await,
        Rename { from, to } => mailbox::rename(cx, &from, &to).await,
        Subscribe(m) => mailbox::subscribe(cx, &m, true).await,
        Unsubscribe(m) => mailbox::subscribe(cx, &m, false).await,
        Status { mailbox, items } => mailbox::status(cx, &mailbox, &items).await,
        List(l) => list::list(cx, l).await,
        Lsub { reference, pattern } => list::lsub(cx, &reference, &pattern).await,
        Select { mailbox, params } => select::select(cx, &mailbox, params, false).await,
        Examine { mailbox, params } => select::select(cx, &mailbox, params, true).await,
        Append { mailbox, messages } => append::append(cx, &mailbox, messages).await,
        GetQuotaRoot(m) => quota::getquotaroot(cx, &m).await,
        GetQuota(root) => quota::getquota(cx, &root).await,
        SetQuota { .. } => quota::setquota(),
        other => Err(CommandError::bad(format!(
            "{} needs a selected mailbox",
            other.name()
        ))),
    }
}

/// The commands of the selected state.
async fn selected(cx: &mut SelectedCtx<'_>, tag: &Tag, body: CommandBody) -> Outcome {
    use CommandBody::*;
    match body {
        Close => select::close(cx).await,
        Unselect => select::unselect(),
        Fetch {
            uid,
            set,
            items,
            modifiers,
        } => fetch::fetch(cx, uid, &set, &items, &modifiers).await,
        Store {
            uid,
            set,
            unchanged_since,
            action,
            silent,
            flags,
        } => {
            let req = store::StoreRequest {
                uid,
                set: &set,
                unchanged_since,
                action,
                silent,
                flags: &flags,
            };
            store::store(cx, req).await
        }
        Copy { uid, set, mailbox } => copy::copy(cx, uid, &set, &mailbox, false).await,
        Move { uid, set, mailbox } => copy::copy(cx, uid, &set, &mailbox, true).await,
        Expunge { uids } => expunge::expunge(cx, uids.as_ref()).await,
        Search {
            uid,
            charset,
            ret,
            criteria,
        } => {
            let req = search::SearchRequest {
                uid,
                charset,
                ret,
                criteria,
            };
            search::search(cx, tag, req).await
        }
        Sort {
            uid,
            ret,
            criteria,
            charset,
            keys,
        } => {
            let req = sort::SortRequest {
                uid,
                ret,
                criteria,
                charset,
                keys,
            };
            sort::sort(cx, tag, req).await
        }
        Thread {
            uid,
            algorithm,
            charset,
            keys,
        } => {
            let req = thread::ThreadRequest {
                uid,
                algorithm,
                charset,
                keys,
            };
            thread::thread(cx, req).await
        }
        other => Err(CommandError::bad(format!(
            "{} is not a selected-state command",
            other.name()
        ))),
    }
}

//! The context a command handler runs in, built once by the dispatcher
//! (`session/dispatch.rs`) after the state check, so that a handler never asks which state it
//! is in:
//!
//! ```text
//!  Ctx           any state: the shared server parts, the response queue, the extensions
//!   └ AuthCtx    authenticated (and selected): + the user (account); the selected mailbox
//!                if there is one, for the commands of both states that care (SELECT, ENABLE)
//!   └ SelectedCtx  selected: + the user and the mailbox view, always there
//! ```
//!
//! A context borrows the session's parts for one command; the handler queues untagged
//! responses with [`Ctx::send`] and returns its [`crate::reply::Outcome`].

use crate::config::{ConnectionInfo, Shared};
use crate::reply::{CommandError, Reply};
use crate::state::{Selected, User};
use imap_proto::response::{Code, Response};
use imap_proto::write::{WriteOptions, Writer};
use std::ops::{Deref, DerefMut};
use store::{AccountId, MailStore};

/// Extensions the client turned on with ENABLE (RFC 5161).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Enabled {
    /// `IMAP4rev2`: RFC 9051 behaviour (no RECENT, ESEARCH for SEARCH, UTF-8 names…).
    pub rev2: bool,
    /// `UTF8=ACCEPT` (RFC 6855).
    pub utf8: bool,
    /// `CONDSTORE` (RFC 7162), also turned on by its first use.
    pub condstore: bool,
    /// `QRESYNC` (RFC 7162).
    pub qresync: bool,
}

impl Enabled {
    /// Mailbox names and quoted strings are UTF-8 on the wire.
    pub fn utf8_names(&self) -> bool {
        self.rev2 || self.utf8
    }

    /// The string rules of responses for this client.
    pub fn write_options(&self) -> WriteOptions {
        if self.utf8_names() {
            WriteOptions::SERVER_UTF8
        } else {
            WriteOptions::SERVER_REV1
        }
    }
}

/// What every handler may use.
pub(crate) struct Ctx<'s> {
    /// The server's shared parts: store, bodies, settings, limits, search.
    pub(crate) shared: &'s Shared,
    /// The connection (peer, TLS).
    pub(crate) conn: &'s ConnectionInfo,
    /// The session's id, for logs.
    pub(crate) session: u64,
    /// What the client enabled.
    pub(crate) enabled: &'s mut Enabled,
    /// The UIDs saved by `SEARCH RETURN (SAVE)` (RFC 5182), for `$`.
    pub(crate) saved: &'s mut Option<Vec<u32>>,
    /// The response queue.
    pub(crate) out: &'s mut Writer,
    /// The transport, for a handler that sends before it is done ([`Ctx::drain`]).
    pub(crate) outlet: sync_wrapper::SyncWrapper<crate::session::Outlet<'s>>,
}

impl Ctx<'_> {
    /// Queues one untagged response.
    pub(crate) fn send(&mut self, r: &Response) {
        r.serialize(self.out);
    }

    /// Sends the queued responses now and waits until the transport took them: a handler
    /// whose responses could not all be held in memory (FETCH of large bodies, of a whole
    /// mailbox) calls this as it goes, so the client's reading paces it.
    pub(crate) async fn drain(&mut self) -> Result<(), CommandError> {
        self.outlet
            .get_mut()
            .drain(self.out)
            .await
            .map_err(CommandError::Io)
    }

    /// The store.
    pub(crate) fn store(&self) -> &dyn MailStore {
        self.shared.store.as_ref()
    }

    /// A mailbox name from the client, as UTF-8: modified UTF-7 is decoded unless the client
    /// enabled UTF-8 names (RFC 9051 §5.1, RFC 6855 §3). A name that is not valid modified
    /// UTF-7 (a bare `&`) names no mailbox: `NO [NONEXISTENT]`, not BAD, since the command's
    /// syntax is fine (as Dovecot answers).
    pub(crate) fn name_in(&self, m: &imap_proto::Mailbox) -> Result<String, Reply> {
        self.decode_name(m).map_err(|e| {
            Reply::no(format!(
                "no such mailbox: the name is not valid modified UTF-7 ({e})"
            ))
            .code(Code::NonExistent)
        })
    }

    /// Like [`name_in`](Self::name_in) for the name of a mailbox to be made (CREATE, RENAME's
    /// destination): an invalid name is `NO [CANNOT]`.
    pub(crate) fn new_name_in(&self, m: &imap_proto::Mailbox) -> Result<String, Reply> {
        self.decode_name(m).map_err(|e| {
            Reply::no(format!("a mailbox name must be valid modified UTF-7 ({e})"))
                .code(Code::Cannot)
        })
    }

    fn decode_name(
        &self,
        m: &imap_proto::Mailbox,
    ) -> Result<String, imap_proto::mutf7::Mutf7Error> {
        if self.enabled.utf8_names() || m.is_inbox() {
            return Ok(m.as_str().to_string());
        }
        imap_proto::mutf7::decode(m.as_str())
    }

    /// A mailbox name for the client: UTF-8, or modified UTF-7 for IMAP4rev1 clients.
    pub(crate) fn name_out(&self, name: &str) -> imap_proto::Mailbox {
        if self.enabled.utf8_names() {
            imap_proto::Mailbox::new(name)
        } else {
            imap_proto::Mailbox::new(imap_proto::mutf7::encode(name))
        }
    }

    /// The saved search result, for `$`.
    pub(crate) fn saved_search(&self) -> Option<&[u32]> {
        self.saved.as_deref()
    }

    /// After ENABLE: responses follow the client's string rules from now on.
    pub(crate) fn refresh_write_options(&mut self) {
        self.out.opts = self.enabled.write_options();
    }
}

/// The authenticated state (also for the commands that run in the selected state too).
pub(crate) struct AuthCtx<'s> {
    pub(crate) cx: Ctx<'s>,
    /// Who is logged in.
    pub(crate) user: &'s User,
    /// The selected mailbox, when the session has one.
    pub(crate) selected: Option<&'s mut Selected>,
}

impl AuthCtx<'_> {
    /// The logged-in account.
    pub(crate) fn account(&self) -> AccountId {
        self.user.account
    }
}

/// The selected state.
pub(crate) struct SelectedCtx<'s> {
    pub(crate) cx: Ctx<'s>,
    /// Who is logged in.
    pub(crate) user: &'s User,
    /// The selected mailbox and this session's view of it.
    pub(crate) sel: &'s mut Selected,
}

impl SelectedCtx<'_> {
    /// The logged-in account.
    pub(crate) fn account(&self) -> AccountId {
        self.user.account
    }

    /// `NO [CANNOT]` when the mailbox was opened read-only (EXAMINE).
    pub(crate) fn writable(&self) -> Result<(), Reply> {
        if self.sel.read_only {
            return Err(
                Reply::no("the mailbox is read-only").code(imap_proto::response::Code::Cannot)
            );
        }
        Ok(())
    }
}

macro_rules! deref_to_ctx {
    ($t:ident) => {
        impl<'s> Deref for $t<'s> {
            type Target = Ctx<'s>;
            fn deref(&self) -> &Ctx<'s> {
                &self.cx
            }
        }
        impl<'s> DerefMut for $t<'s> {
            fn deref_mut(&mut self) -> &mut Ctx<'s> {
                &mut self.cx
            }
        }
    };
}
deref_to_ctx!(AuthCtx);
deref_to_ctx!(SelectedCtx);

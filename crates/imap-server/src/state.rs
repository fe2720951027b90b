//! The RFC 9051 §3 state machine, explicit: which commands each state allows, and one table
//! that applies a handler's transition. An illegal move is an error the session reports, never
//! a panic.
//!
//! ```text
//!  NotAuthenticated ──LOGIN/AUTHENTICATE──▶ Authenticated ──SELECT/EXAMINE──▶ Selected
//!        │                                   ▲      │                           │
//!        │                                   └──────┼──CLOSE/UNSELECT/failed────┘
//!        └─────────────── LOGOUT (any state) ───────┴──────────────▶ Logout
//! ```

use crate::view::MailboxView;
use imap_proto::CommandBody;
use store::{AccountId, MailboxId};

/// The logged-in user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    /// The account.
    pub account: AccountId,
    /// Its address, for logs.
    pub address: String,
}

/// The selected mailbox of a session.
#[derive(Debug, Clone)]
pub struct Selected {
    /// Which mailbox.
    pub id: MailboxId,
    /// Its name (UTF-8), for logs and for STATUS of the selected mailbox.
    pub name: String,
    /// EXAMINE, or SELECT of a mailbox the user may not change.
    pub read_only: bool,
    /// This session's numbering and flags.
    pub view: MailboxView,
}

/// Where a session is.
#[derive(Debug, Default)]
pub enum State {
    /// Before LOGIN/AUTHENTICATE.
    #[default]
    NotAuthenticated,
    /// Logged in, nothing selected.
    Authenticated(User),
    /// Logged in with a mailbox selected.
    Selected(User, Box<Selected>),
    /// LOGOUT answered: the connection closes.
    Logout,
}

/// What a handler asks the state machine to do after its tagged response.
#[derive(Debug)]
pub enum Transition {
    /// LOGIN/AUTHENTICATE succeeded.
    Login(User),
    /// SELECT/EXAMINE succeeded.
    Select(Box<Selected>),
    /// CLOSE, UNSELECT, or a failed SELECT/EXAMINE (RFC 9051 §6.3.2: the previous mailbox is
    /// deselected even if the new one cannot be selected).
    Deselect,
    /// LOGOUT.
    Logout,
}

/// Why a transition cannot apply.
#[derive(Debug, thiserror::Error)]
#[error("transition {0} is not possible in this state")]
pub struct IllegalTransition(&'static str);

impl State {
    /// The logged-in user, in Authenticated and Selected states.
    pub fn user(&self) -> Option<&User> {
        match self {
            State::Authenticated(u) | State::Selected(u, _) => Some(u),
            _ => None,
        }
    }

    /// The selected mailbox.
    pub fn selected(&self) -> Option<&Selected> {
        match self {
            State::Selected(_, s) => Some(s),
            _ => None,
        }
    }

    /// The selected mailbox, mutably.
    pub fn selected_mut(&mut self) -> Option<&mut Selected> {
        match self {
            State::Selected(_, s) => Some(s),
            _ => None,
        }
    }

    /// Applies a transition: the one table of legal moves.
    pub fn apply(&mut self, t: Transition) -> Result<(), IllegalTransition> {
        let current = std::mem::take(self);
        *self = match (current, t) {
            (State::NotAuthenticated, Transition::Login(u)) => State::Authenticated(u),
            (State::Authenticated(u) | State::Selected(u, _), Transition::Select(s)) => {
                State::Selected(u, s)
            }
            (State::Authenticated(u) | State::Selected(u, _), Transition::Deselect) => {
                State::Authenticated(u)
            }
            (_, Transition::Logout) => State::Logout,
            (back, t) => {
                let name = match t {
                    Transition::Login(_) => "login",
                    Transition::Select(_) => "select",
                    Transition::Deselect => "deselect",
                    Transition::Logout => "logout",
                };
                *self = back;
                return Err(IllegalTransition(name));
            }
        };
        Ok(())
    }

    /// Checks, before dispatch, that `cmd` is valid in this state (RFC 9051 §6). Returns the
    /// text of the BAD response if not.
    pub fn allows(&self, cmd: &CommandBody) -> Result<(), &'static str> {
        use CommandBody::*;
        let any = matches!(cmd, Capability | Noop | Logout | Id(_));
        let not_auth = matches!(cmd, StartTls | Authenticate { .. } | Login { .. });
        let selected_only = needs_selected(cmd);
        match self {
            _ if any => Ok(()),
            State::NotAuthenticated if not_auth => Ok(()),
            State::NotAuthenticated => Err("log in first"),
            State::Authenticated(_) | State::Selected(..) if not_auth => {
                Err("already authenticated")
            }
            State::Authenticated(_) if selected_only => Err("no mailbox selected"),
            State::Authenticated(_) | State::Selected(..) => Ok(()),
            State::Logout => Err("logging out"),
        }
    }
}

/// Whether `cmd` runs only with a mailbox selected (RFC 9051 §6.4).
pub(crate) fn needs_selected(cmd: &CommandBody) -> bool {
    use CommandBody::*;
    matches!(
        cmd,
        Check
            | Close
            | Unselect
            | Expunge { .. }
            | Search { .. }
            | Fetch { .. }
            | Store { .. }
            | Copy { .. }
            | Move { .. }
            | Sort { .. }
            | Thread { .. }
    )
}

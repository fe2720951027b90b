//! One IMAP connection: the loop that reads commands, checks them against the state, runs
//! their handler and writes the responses. Generic over the transport, so TLS, STARTTLS and
//! in-memory test streams share it.
//!
//! ```text
//!  socket ─read─▶ BytesMut ─▶ Receiver::step ─┬─ NeedMore ─▶ read (autologout timer)
//!                                             ├─ Continue ─▶ "+ Ready" (or NO [TOOBIG])
//!                                             ├─ Command ──▶ State::allows ─▶ handler ─▶ Reply
//!                                             │                              └─▶ State::apply
//!                                             └─ error ────▶ tag BAD / NO [TOOBIG] / * BAD
//! ```

pub(crate) mod deflate;
mod io;

use crate::commands;
use crate::config::{ConnectionInfo, Shared};
use crate::state::{State, Transition};
use bytes::BytesMut;
use imap_proto::response::{Code, Response, State as Cond, StatusResponse};
use imap_proto::write::{WriteOptions, Writer};
use imap_proto::{Command, ErrorKind, ReceiveError, Receiver, Step, Tag};
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::io::{AsyncRead, AsyncWrite};

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
}

/// The outcome of one command: its tagged response and the state change it asks for.
#[derive(Debug)]
pub struct Reply {
    /// OK, NO or BAD.
    pub cond: Cond,
    /// An optional response code.
    pub code: Option<Code>,
    /// Human-readable text.
    pub text: String,
    /// What the state machine does after the response.
    pub next: Option<Transition>,
    /// The tagged response was already sent by the handler (STARTTLS sends it before the
    /// handshake).
    pub sent: bool,
}

impl Reply {
    /// `OK text`
    pub fn ok(text: impl Into<String>) -> Reply {
        Reply {
            cond: Cond::Ok,
            code: None,
            text: text.into(),
            next: None,
            sent: false,
        }
    }
    /// `NO text`
    pub fn no(text: impl Into<String>) -> Reply {
        Reply {
            cond: Cond::No,
            code: None,
            text: text.into(),
            next: None,
            sent: false,
        }
    }
    /// `BAD text`
    pub fn bad(text: impl Into<String>) -> Reply {
        Reply {
            cond: Cond::Bad,
            code: None,
            text: text.into(),
            next: None,
            sent: false,
        }
    }
    /// Adds a response code.
    pub fn code(mut self, code: Code) -> Reply {
        self.code = Some(code);
        self
    }
    /// Adds a transition.
    pub fn then(mut self, t: Transition) -> Reply {
        self.next = Some(t);
        self
    }
    /// Marks the tagged response as already sent.
    pub fn silent(mut self) -> Reply {
        self.sent = true;
        self
    }
}

static SESSION_IDS: AtomicU64 = AtomicU64::new(1);

/// Before login nobody may make the server hold a large literal (invariant 6): APPEND's literal
/// is held to the small limit of other commands (a sync one is refused with `NO [TOOBIG]`
/// before any `+`, a non-sync one is skipped unread), and so is the whole command.
pub(crate) fn pre_auth_limits(mut limits: imap_proto::Limits) -> imap_proto::Limits {
    limits.max_append_literal = limits.max_append_literal.min(limits.max_other_literal);
    limits.max_command = limits
        .max_command
        .min(limits.max_line as u64 + 4 * limits.max_other_literal);
    limits
}

/// A boxed future borrowing the transport.
pub type UpgradeFuture<'a> =
    std::pin::Pin<Box<dyn std::future::Future<Output = std::io::Result<()>> + Send + 'a>>;

/// Turns a cleartext transport into TLS in place (STARTTLS). Listeners that can do it give one
/// to the session; in-memory test streams have none, and STARTTLS is then not offered.
pub type Upgrade<S> = Box<dyn for<'a> FnOnce(&'a mut S) -> UpgradeFuture<'a> + Send + Sync>;

/// One connection's session.
pub struct Session<S> {
    pub(crate) io: S,
    pub(crate) rbuf: BytesMut,
    pub(crate) receiver: Receiver,
    pub(crate) out: Writer,
    pub(crate) shared: Shared,
    pub(crate) conn: ConnectionInfo,
    pub(crate) state: State,
    pub(crate) enabled: Enabled,
    /// For logs: unique per process.
    pub(crate) id: u64,
    /// The UIDs saved by `SEARCH RETURN (SAVE)` (RFC 5182), for `$`.
    pub(crate) saved: Option<Vec<u32>>,
    /// STARTTLS, when the transport can be upgraded.
    pub(crate) upgrade: Option<Upgrade<S>>,
    /// This session's place in its account's session count, once logged in.
    pub(crate) account_slot: Option<crate::limits::AccountSlot>,
    /// COMPRESS=DEFLATE, once the client turned it on.
    pub(crate) deflate: Option<Box<deflate::Deflate>>,
}

impl<S: AsyncRead + AsyncWrite + Unpin + Send> Session<S> {
    /// A session over `io`.
    pub fn new(io: S, shared: Shared, conn: ConnectionInfo) -> Session<S> {
        let receiver = Receiver::new(pre_auth_limits(shared.config.limits));
        Session {
            io,
            rbuf: BytesMut::with_capacity(8 * 1024),
            receiver,
            out: Writer::new(WriteOptions::SERVER_REV1),
            shared,
            conn,
            state: State::NotAuthenticated,
            enabled: Enabled::default(),
            id: SESSION_IDS.fetch_add(1, Ordering::Relaxed),
            saved: None,
            upgrade: None,
            account_slot: None,
            deflate: None,
        }
    }

    /// Offers STARTTLS on this session: `upgrade` turns the transport into TLS.
    pub fn with_starttls(mut self, upgrade: Upgrade<S>) -> Session<S> {
        if !self.conn.tls {
            self.upgrade = Some(upgrade);
        }
        self
    }

    /// Runs the session until LOGOUT, the client goes away, or a timer expires.
    pub async fn run(mut self) -> std::io::Result<()> {
        let caps = commands::any::capabilities(&self);
        let greeting = StatusResponse::untagged(Cond::Ok, "Strata IMAP ready")
            .with_code(Code::Capability(caps));
        self.send(&Response::Status(greeting));
        self.flush().await?;
        loop {
            let step = self.receiver.step(&mut self.rbuf);
            match step {
                Ok(Step::NeedMore) => {
                    if !self.fill().await? {
                        return Ok(());
                    }
                }
                Ok(Step::Continue { .. }) => {
                    self.out.raw(b"+ Ready for literal data\r\n");
                    self.flush().await?;
                }
                Ok(Step::Command(cmd)) => {
                    self.command(cmd).await?;
                    if matches!(self.state, State::Logout) {
                        return Ok(());
                    }
                }
                Err(e) => self.receive_error(e).await?,
            }
        }
    }

    /// Answers a command that could not be received or parsed.
    async fn receive_error(&mut self, e: ReceiveError) -> std::io::Result<()> {
        tracing::debug!(session = self.id, error = %e, "bad command");
        let (cond, code) = match e.kind {
            ErrorKind::LiteralTooLarge { .. } if e.kind.is_refusal() => {
                (Cond::No, Some(Code::TooBig))
            }
            ErrorKind::LineTooLong { .. }
            | ErrorKind::CommandTooLarge { .. }
            | ErrorKind::TooManyLiterals { .. }
            | ErrorKind::TooDeep { .. }
            | ErrorKind::LiteralTooLarge { .. }
            | ErrorKind::NonSyncLiteralTooLarge { .. } => (Cond::Bad, Some(Code::Limit)),
            _ => (Cond::Bad, None),
        };
        let mut resp = match e.tag {
            Some(tag) => StatusResponse::tagged(tag, cond, e.kind.to_string()),
            None => StatusResponse::untagged(Cond::Bad, e.kind.to_string()),
        };
        if let Some(code) = code {
            resp = resp.with_code(code);
        }
        self.send(&Response::Status(resp));
        self.flush().await
    }

    /// Runs one command: state check, handler, tagged response, transition.
    async fn command(&mut self, cmd: Command) -> std::io::Result<()> {
        let Command { tag, body } = cmd;
        let name = body.name();
        let started = std::time::Instant::now();
        let mode = commands::sync_mode(&body);
        let reply = match self.state.allows(&body) {
            Err(why) => Reply::bad(why),
            Ok(()) => commands::dispatch(self, &tag, body).await?,
        };
        // Other sessions' changes reach this one at the command boundary (invariant 4). A failed
        // sync never replaces the reply of a command that already did its work.
        if reply.next.is_none() {
            commands::select::sync_or_close(self, mode).await;
        }
        tracing::info!(
            session = self.id,
            peer = %self.conn.peer.map_or_else(|| "-".to_string(), |p| p.to_string()),
            // The user who is logging in with this command, or who is logged in.
            user = match &reply.next {
                Some(Transition::Login(u)) => Some(u),
                _ => self.state.user(),
            }
            .map_or("-", |u| u.address.as_str()),
            command = name,
            result = ?reply.cond,
            micros = started.elapsed().as_micros() as u64,
            "command"
        );
        self.finish(tag, reply).await
    }

    /// Writes the tagged response and applies the transition.
    pub(crate) async fn finish(&mut self, tag: Tag, reply: Reply) -> std::io::Result<()> {
        let Reply {
            cond,
            code,
            text,
            next,
            sent,
        } = reply;
        if sent {
            if let Some(t) = next
                && let Err(e) = self.state.apply(t)
            {
                tracing::error!(session = self.id, error = %e, "state");
            }
            self.refresh_limits();
            return self.flush().await;
        }
        let mut resp = StatusResponse::tagged(tag, cond, text);
        if let Some(code) = code {
            resp = resp.with_code(code);
        }
        if let Some(t) = next
            && let Err(e) = self.state.apply(t)
        {
            resp = StatusResponse {
                condition: resp.condition,
                code: Some(Code::ServerBug),
                text: e.to_string(),
            };
        }
        self.send(&Response::Status(resp));
        self.refresh_limits();
        self.flush().await
    }

    /// The receiver's limits for the session's state: the operator's once logged in, the
    /// tight pre-authentication ones before.
    pub(crate) fn refresh_limits(&mut self) {
        let limits = match self.state {
            State::NotAuthenticated => pre_auth_limits(self.shared.config.limits),
            _ => self.shared.config.limits,
        };
        self.receiver.set_limits(limits);
    }

    /// Queues one response.
    pub(crate) fn send(&mut self, r: &Response) {
        r.serialize(&mut self.out);
    }

    /// A mailbox name from the client, as UTF-8: modified UTF-7 is decoded unless the client
    /// enabled UTF-8 names (RFC 9051 §5.1, RFC 6855 §3).
    pub(crate) fn name_in(&self, m: &imap_proto::Mailbox) -> Result<String, Reply> {
        if self.enabled.utf8_names() || m.is_inbox() {
            return Ok(m.as_str().to_string());
        }
        imap_proto::mutf7::decode(m.as_str())
            .map_err(|e| Reply::bad(format!("mailbox name is not valid modified UTF-7: {e}")))
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

    /// The logged-in account (handlers run only in states that have one).
    pub(crate) fn account(&self) -> Result<store::AccountId, Reply> {
        self.state
            .user()
            .map(|u| u.account)
            .ok_or_else(|| Reply::bad("log in first"))
    }

    /// The string rules for this client: UTF-8 once it enabled IMAP4rev2 or UTF8=ACCEPT.
    pub(crate) fn refresh_write_options(&mut self) {
        self.out.opts = if self.enabled.utf8_names() {
            WriteOptions::SERVER_UTF8
        } else {
            WriteOptions::SERVER_REV1
        };
    }
}

//! One IMAP connection: the loop that reads commands, checks them against the state, runs
//! their handler and writes the responses. Generic over the transport, so TLS, STARTTLS and
//! in-memory test streams share it.
//!
//! ```text
//!  socket ─read─▶ BytesMut ─▶ Receiver::step ─┬─ NeedMore ─▶ read (autologout timer)
//!                                             ├─ Continue ─▶ "+ Ready" (or NO [OVERQUOTA])
//!                                             ├─ Command ──▶ State::allows ─▶ dispatch ─▶ Reply
//!                                             │     (dispatch.rs: context, handler)  │
//!                                             │                sync.rs: changes ◀────┤
//!                                             │                        State::apply ◀┘
//!                                             └─ error ────▶ tag BAD / NO [TOOBIG] / * BAD
//! ```
//!
//! Files: `dispatch.rs` (contexts and handlers), `sync.rs` (other sessions' changes at command
//! boundaries), `io.rs` (reads, flushes), and the commands that are the session's own because
//! they talk with the client before their answer or change the transport: `starttls.rs`,
//! `sasl.rs` (AUTHENTICATE), `compress.rs` (COMPRESS and the deflate streams), `idle.rs`.

mod compress;
mod dispatch;
mod idle;
mod io;
mod sasl;
mod starttls;
mod sync;

pub use crate::context::Enabled;
pub use crate::reply::Reply;
pub(crate) use io::Outlet;

use crate::config::{ConnectionInfo, Shared};
use crate::state::{State, Transition};
use bytes::BytesMut;
use imap_proto::response::{Code, Response, State as Cond, StatusResponse};
use imap_proto::write::{WriteOptions, Writer};
use imap_proto::{Command, ErrorKind, ReceiveError, Receiver, Step, Tag};
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::io::{AsyncRead, AsyncWrite};

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
    pub(crate) deflate: Option<Box<compress::Deflate>>,
    /// Whether the selected mailbox may have changed since the last look.
    pub(crate) watch: crate::watch::Watch,
}

/// What a session says when the server stops (RFC 9051 §7.1.5).
pub(crate) const BYE_STOPPING: &[u8] = b"* BYE Strata is shutting down\r\n";

/// How long a stopping session waits, after its BYE, for the client to close.
const BYE_LINGER: std::time::Duration = std::time::Duration::from_secs(2);

impl<S: AsyncRead + AsyncWrite + Unpin + Send> Session<S> {
    /// A session over `io`.
    pub fn new(io: S, shared: Shared, conn: ConnectionInfo) -> Session<S> {
        let receiver = Receiver::new(pre_auth_limits(shared.config.limits));
        let watch = crate::watch::Watch::new(shared.store.as_ref());
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
            watch,
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
        let caps = crate::capabilities::capability_list(
            &self.conn,
            false,
            self.shared.config.limits.max_append_literal,
            self.upgrade.is_some(),
        );
        let greeting = StatusResponse::untagged(Cond::Ok, "Strata IMAP ready")
            .with_code(Code::Capability(caps));
        self.send(&Response::Status(greeting));
        self.flush().await?;
        loop {
            // A graceful stop ends the session between commands: a command partly received
            // (an APPEND still uploading its literal) is received and run first, within the
            // listener's grace.
            let between = self.receiver.is_idle();
            if between && self.shared.stopping.is_stopping() {
                return self.bye_stopping().await;
            }
            let step = self.receiver.step(&mut self.rbuf);
            match step {
                Ok(Step::NeedMore) if between && self.rbuf.is_empty() => {
                    let stopping = self.shared.stopping.clone();
                    tokio::select! {
                        more = self.fill() => {
                            if !more? {
                                return Ok(());
                            }
                        }
                        () = stopping.stopped() => return self.bye_stopping().await,
                    }
                }
                Ok(Step::NeedMore) => {
                    if !self.fill().await? {
                        return Ok(());
                    }
                }
                Ok(Step::Continue {
                    tag,
                    command,
                    size,
                    sync,
                    earlier,
                }) => {
                    if command == "APPEND"
                        && let Some(why) = self.over_quota(size, earlier).await
                    {
                        // Refused before a byte of it is stored (a non-synchronizing literal
                        // is skipped unread): a refused APPEND costs no disk.
                        self.receiver.reject_literal();
                        tracing::info!(session = self.id, command = "APPEND", size, "{why}");
                        let no =
                            StatusResponse::tagged(tag, Cond::No, why).with_code(Code::OverQuota);
                        self.send(&Response::Status(no));
                        self.flush().await?;
                    } else if sync {
                        self.out.raw(b"+ Ready for literal data\r\n");
                        self.flush().await?;
                    }
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

    /// Why an APPEND literal of `size` octets, after `earlier` (octets, messages) of the same
    /// command, cannot fit the logged-in account's quota (RFC 9208 §4.2, `NO [OVERQUOTA]`);
    /// `None` when it may (or when the usage cannot be read: the APPEND then decides).
    async fn over_quota(&self, size: u64, earlier: (u64, usize)) -> Option<String> {
        let account = self.state.user()?.account;
        let usage = self.shared.store.quota(account).await.ok()?;
        let storage = usage.storage + earlier.0 + size;
        let messages = usage.messages + earlier.1 as u64 + 1;
        if let Some(limit) = usage.limits.storage.filter(|&l| storage > l) {
            return Some(format!(
                "over quota: {size} octets more would make {storage} of {limit}"
            ));
        }
        if let Some(limit) = usage.limits.messages.filter(|&l| messages > l) {
            return Some(format!("over quota: {messages} messages of {limit}"));
        }
        None
    }

    /// Says BYE because the server stops; the connection then closes. Commands the client
    /// already pipelined are read and dropped for a moment after the BYE, until the client
    /// closes: closing with unread input makes the kernel reset the connection, and a reset can
    /// destroy the BYE before the client reads it.
    async fn bye_stopping(&mut self) -> std::io::Result<()> {
        self.out.raw(BYE_STOPPING);
        self.flush().await?;
        use tokio::io::AsyncWriteExt as _;
        let _ = self.io.shutdown().await;
        let linger = async {
            loop {
                self.rbuf.clear();
                match self.fill().await {
                    Ok(true) => {}
                    _ => return,
                }
            }
        };
        let _ = tokio::time::timeout(BYE_LINGER, linger).await;
        Ok(())
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
        let mode = sync::sync_mode(&body);
        let polls = sync::polls(&body);
        let mut reply = match self.state.allows(&body) {
            Err(why) => Reply::bad(why),
            Ok(()) => {
                self.before_command(&body).await;
                self.dispatch(&tag, body).await?
            }
        };
        self.after_command(mode, polls, &mut reply).await;
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
}

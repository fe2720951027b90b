//! The realistic profile: traffic shaped like what a server for many users sees.
//!
//! - Accounts are many (100 by default) and each session picks one at random, so a mailbox is
//!   often open in several sessions at once, and the sessions change it under each other.
//! - A session logs in, works a while and logs out, as webmail and phones do (a few commands
//!   each, [`RealConfig::session_ops`]), or stays logged in all along (`stay_logged_in`, a
//!   desktop client).
//! - Its commands ([`RealOp`], weighted by [`REAL_MIX`]) are those of real clients: LIST,
//!   STATUS of other folders, SELECT of INBOX or another folder followed by a flag sync of every
//!   message (a desktop client) or a header page of the newest (webmail), FETCH of flags, of
//!   envelopes, structures and header fields over ranges, of whole bodies and of parts, STORE
//!   of flags and keywords (`$Label1`…`$Label5`), STORE \Deleted + UID EXPUNGE, APPEND of
//!   real-shaped mail ([`crate::corpus::realistic`]), SEARCH, IDLE, NOOP.
//! - Every response is checked against the session's model of its mailbox ([`model`]):
//!   sequence numbers, UIDs, keywords announced in FLAGS before use, \Recent in one session
//!   only, skipped messages reported expunged; any NO or BAD is an error (FETCH of a message
//!   another session expunged included: the session still sees it, RFC 2180 §4.1.1). A run
//!   with any is a failed run.
//!
//! The operations are in `ops.rs`, the mailbox model in `model.rs`, the prepared mailboxes in
//! `prepare.rs`.

pub mod model;
mod ops;
pub mod prepare;

use crate::conn::{Conn, ConnError, Reply, Status, quote};
use crate::mix::{Mix, Operation};
use crate::stats::Stats;
use model::{Checker, Mailbox, RecentBook};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The operations of the realistic profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RealOp {
    /// `LIST "" "*"`
    List,
    /// `STATUS` of another folder (MESSAGES UNSEEN UIDNEXT).
    Status,
    /// SELECT of INBOX (mostly) or another folder, then a flag sync or a header page.
    Select,
    /// `FETCH a:b (UID FLAGS)` over 20–100 messages.
    FetchFlags,
    /// `UID FETCH` of size, date, flags, ENVELOPE, BODYSTRUCTURE and header fields over 10–50.
    FetchHeaders,
    /// `UID FETCH` of one whole message, or of one part, or `BODY[]` (which sets \Seen).
    FetchBody,
    /// `UID STORE ±FLAGS` of \Seen, \Flagged, \Answered or a `$Label` keyword.
    Store,
    /// `UID STORE +FLAGS.SILENT (\Deleted)` then `UID EXPUNGE` (the EXPUNGE is timed).
    Expunge,
    /// APPEND of a real-shaped message to INBOX, Sent or Drafts.
    Append,
    /// One of several `UID SEARCH`es.
    Search,
    /// IDLE for a while, then DONE (DONE to OK is timed).
    Idle,
    /// NOOP (a client polling).
    Noop,
}

impl Operation for RealOp {
    const ALL: &'static [(RealOp, &'static str)] = &[
        (RealOp::List, "list"),
        (RealOp::Status, "status"),
        (RealOp::Select, "select"),
        (RealOp::FetchFlags, "fetch_flags"),
        (RealOp::FetchHeaders, "fetch_headers"),
        (RealOp::FetchBody, "fetch_body"),
        (RealOp::Store, "store"),
        (RealOp::Expunge, "expunge"),
        (RealOp::Append, "append"),
        (RealOp::Search, "search"),
        (RealOp::Idle, "idle"),
        (RealOp::Noop, "noop"),
    ];
}

/// The realistic mix: reading dominates; a session also sorts and deletes its mail.
pub const REAL_MIX: &str = "list=3,status=8,select=8,fetch_flags=12,fetch_headers=14,\
fetch_body=14,store=12,expunge=4,append=8,search=5,idle=2,noop=10";

/// The folders every prepared account has besides INBOX ([`prepare`] creates them).
pub const FOLDERS: [&str; 6] = [
    "Sent",
    "Drafts",
    "Archive",
    "Trash",
    "Lists/rust-users",
    "Projects/Q3 report",
];

/// The hierarchy delimiter the server announces (`LIST "" ""`); `/` when it has none.
pub(crate) async fn delimiter(c: &mut Conn) -> Result<char, ConnError> {
    let r = c.command("LIST \"\" \"\"").await?;
    if r.status() != Status::Ok {
        return Err(proto(format!("LIST \"\" \"\": {}", r.tagged)));
    }
    let found = r.untagged.iter().find_map(|l| {
        let text = String::from_utf8_lossy(l);
        let rest = text.strip_prefix("LIST ")?;
        let after_flags = &rest[rest.find(')')? + 1..];
        let mut chars = after_flags.trim_start().chars();
        match (chars.next()?, chars.next()?) {
            ('"', '\\') => chars.next(),
            ('"', d) => Some(d),
            _ => None,
        }
    });
    Ok(found.unwrap_or('/'))
}

/// A name of [`FOLDERS`] (written with `/`) as the server spells it.
pub(crate) fn on_server(folder: &str, delimiter: char) -> String {
    folder.replace('/', &delimiter.to_string())
}

/// One client of the realistic profile.
#[derive(Clone)]
pub struct RealConfig {
    /// Client number.
    pub id: usize,
    /// This run's identifier (in Message-IDs, so runs never share them).
    pub run: String,
    /// The server.
    pub server: SocketAddr,
    /// Source address to bind, if any.
    pub source: Option<IpAddr>,
    /// Per-response timeout.
    pub timeout: Duration,
    /// Every account: login name and password. A session picks one at random.
    pub accounts: Arc<Vec<(String, String)>>,
    /// The operations.
    pub mix: Mix<RealOp>,
    /// One session for the whole run (a desktop client) instead of short ones.
    pub stay_logged_in: bool,
    /// Operations per session, drawn uniformly from this range, when not staying logged in.
    pub session_ops: (u32, u32),
    /// Operations before this instant are not recorded (warm-up).
    pub measure_from: Instant,
    /// No operation starts after this instant.
    pub stop_at: Instant,
    /// How long an IDLE lasts.
    pub idle: Duration,
    /// Seed of the client's random choices.
    pub seed: u64,
    /// Who saw which message as \Recent, shared by the run's clients.
    pub recent: RecentBook,
}

/// A message this client appended, to answer later (threads).
#[derive(Debug, Clone)]
struct Sent {
    msgid: String,
    references: Vec<String>,
    subject: String,
}

pub(crate) struct Client {
    cfg: RealConfig,
    rng: fastrand::Rng,
    stats: Stats,
    conn: Option<Conn>,
    /// The account of the current session.
    account: usize,
    /// Sessions started (numbers this client's sessions for \Recent).
    sessions: u64,
    mailbox: Option<Mailbox>,
    appended: u64,
    sent: Vec<Sent>,
    /// The server's hierarchy delimiter, learned at the first login.
    delimiter: Option<char>,
}

/// Runs one client until `stop_at`.
pub async fn run(cfg: RealConfig) -> Stats {
    let mut c = Client {
        rng: fastrand::Rng::with_seed(cfg.seed),
        cfg,
        stats: Stats::default(),
        conn: None,
        account: 0,
        sessions: 0,
        mailbox: None,
        appended: 0,
        sent: Vec::new(),
        delimiter: None,
    };
    while Instant::now() < c.cfg.stop_at {
        if let Err((op, e)) = c.session().await {
            c.stats.error(op, e.to_string());
            c.conn = None;
            c.mailbox = None;
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
    c.stats
}

/// An error with the name of the operation it ended.
type OpResult = Result<(), (&'static str, ConnError)>;

fn during(op: &'static str) -> impl Fn(ConnError) -> (&'static str, ConnError) {
    move |e| (op, e)
}

impl Client {
    fn measuring(&self) -> bool {
        Instant::now() >= self.cfg.measure_from
    }

    fn timed(&mut self, op: &'static str, since: Instant) {
        if self.measuring() {
            self.stats.ok(op, since.elapsed());
        }
    }

    /// One session: LOGIN as a random account, operations, the skipped-message check, LOGOUT.
    async fn session(&mut self) -> OpResult {
        self.account = self.rng.usize(0..self.cfg.accounts.len());
        self.sessions += 1;
        self.mailbox = None;
        self.login().await.map_err(during("login"))?;
        let (lo, hi) = self.cfg.session_ops;
        let ops = if self.cfg.stay_logged_in {
            u32::MAX
        } else {
            self.rng.u32(lo..=hi.max(lo))
        };
        for _ in 0..ops {
            if Instant::now() >= self.cfg.stop_at {
                break;
            }
            let op = self.cfg.mix.pick(&mut self.rng);
            self.step(op).await.map_err(during(op.name()))?;
        }
        self.leave_mailbox().await.map_err(during("noop"))?;
        let t = Instant::now();
        let r = async { self.conn()?.command("LOGOUT").await }
            .await
            .map_err(during("logout"))?;
        if r.status() != Status::Ok || !r.untagged.iter().any(|l| l.starts_with(b"BYE")) {
            return Err(("logout", proto(format!("LOGOUT: {}", r.tagged))));
        }
        self.timed("logout", t);
        self.conn = None;
        Ok(())
    }

    async fn login(&mut self) -> Result<(), ConnError> {
        let mut c = Conn::connect(self.cfg.server, self.cfg.source, self.cfg.timeout).await?;
        let (user, password) = self.cfg.accounts[self.account].clone();
        let t = Instant::now();
        let r = c
            .command(&format!("LOGIN {} {}", quote(&user), quote(&password)))
            .await?;
        if r.status() != Status::Ok {
            return Err(proto(format!("LOGIN: {}", r.tagged)));
        }
        self.timed("login", t);
        if !r.tagged.to_ascii_uppercase().contains("[CAPABILITY ") {
            c.command("CAPABILITY").await?;
        }
        if self.delimiter.is_none() {
            self.delimiter = Some(delimiter(&mut c).await?);
        }
        self.conn = Some(c);
        Ok(())
    }

    /// A folder of [`FOLDERS`] as the server spells it.
    fn folder(&self, name: &str) -> String {
        on_server(name, self.delimiter.unwrap_or('/'))
    }

    fn conn(&mut self) -> Result<&mut Conn, ConnError> {
        self.conn
            .as_mut()
            .ok_or_else(|| proto("not connected".into()))
    }

    /// Sends `command`; follows and checks its untagged responses against the mailbox model.
    async fn cmd(&mut self, command: &str) -> Result<Reply, ConnError> {
        let r = self.conn()?.command(command).await?;
        self.absorb(&r);
        Ok(r)
    }

    /// Like [`cmd`](Self::cmd), and anything but OK is an error.
    async fn cmd_ok(&mut self, command: &str) -> Result<Reply, ConnError> {
        let r = self.cmd(command).await?;
        if r.status() != Status::Ok {
            return Err(proto(format!("{command:.60}: {}", r.tagged)));
        }
        Ok(r)
    }

    /// Feeds a reply's untagged responses to the model; returns what the FETCHes said.
    fn absorb(&mut self, r: &Reply) -> Vec<model::Fetched> {
        let Some(mb) = self.mailbox.as_mut() else {
            return Vec::new();
        };
        let account = &self.cfg.accounts[self.account].0;
        let session = ((self.cfg.id as u64) << 32) | self.sessions;
        let mut c = Checker {
            account,
            session,
            recent: &self.cfg.recent,
            problems: Vec::new(),
        };
        let fetched = r
            .untagged
            .iter()
            .filter_map(|l| mb.absorb(l, &mut c))
            .collect();
        for p in c.problems {
            self.stats.inconsistent(p);
        }
        fetched
    }

    /// Before the session leaves its mailbox: the messages the server skipped must have been
    /// reported expunged; a NOOP gives it the chance.
    async fn leave_mailbox(&mut self) -> Result<(), ConnError> {
        if self.mailbox.as_ref().is_none_or(|m| m.doomed().is_empty()) {
            return Ok(());
        }
        self.cmd_ok("NOOP").await?;
        if let Some(mb) = &self.mailbox {
            let left = mb.doomed();
            if !left.is_empty() {
                let what = format!(
                    "{}: the server skipped UIDs {left:?} but never reported them expunged",
                    mb.name
                );
                self.stats.inconsistent(what);
            }
        }
        Ok(())
    }
}

fn proto(what: String) -> ConnError {
    ConnError::Protocol(what)
}

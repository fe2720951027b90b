//! One simulated client: logs in, works on its account's INBOX (shared with the other clients
//! of that account) and on a private mailbox of its own, in a random mix of commands, and
//! checks what the server says against what it knows.
//!
//! What is checked, beyond every response being well-formed and every command getting OK:
//! - sequence numbers: the client follows EXISTS and EXPUNGE; an EXPUNGE or FETCH beyond the
//!   count, or an EXISTS lower than it, is an inconsistency;
//! - flags it set: STORE on one of its own messages must answer FETCH with the new \Flagged
//!   state, and at the end every own message's flags must be what it last stored;
//! - messages it appended appear once: `UID SEARCH HEADER Message-ID` gives exactly the UID
//!   APPEND reported (checked during the run and for every own message at the end);
//! - COPY/MOVE land: the private mailbox holds as many messages as were copied and moved; MOVE
//!   and UID EXPUNGE answer with an EXPUNGE.
//!
//! Only the client that appended a message changes or removes it, so the checks hold however
//! many clients share the INBOX.
//!
//! The operations, their checks and the client's state are here; the end-of-run checks are in
//! `final_checks.rs`, the mix in [`mix`](crate::mix), the appended messages in
//! [`corpus`](crate::corpus).

mod final_checks;

use crate::conn::{Conn, ConnError, Reply, Status, Untagged, parse_untagged};
use crate::corpus::WORDS;
use crate::mix::Operation;
use crate::stats::Stats;
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

// Re-exported where the load generator's users have always found them.
pub use crate::conn::quote;
pub use crate::corpus::message;
pub use crate::mix::{DEFAULT_MIX, Mix, Op};

/// Where and as whom a client connects.
#[derive(Debug, Clone)]
pub struct Target {
    /// The server.
    pub addr: SocketAddr,
    /// Source address to bind, if any.
    pub source: Option<IpAddr>,
    /// Per-response timeout.
    pub timeout: Duration,
    /// Login name.
    pub user: String,
    /// Password.
    pub password: String,
}

/// One client's settings.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// Client number (names its private mailbox and its messages).
    pub id: usize,
    /// This run's identifier (so runs never share names).
    pub run: String,
    /// Server and account.
    pub target: Target,
    /// The operations.
    pub mix: Mix,
    /// Operations before this instant are not recorded (warm-up).
    pub measure_from: Instant,
    /// The client stops starting operations at this instant.
    pub stop_at: Instant,
    /// How long an IDLE lasts.
    pub idle: Duration,
    /// Approximate size of appended messages.
    pub message_size: usize,
    /// Seed of the client's random choices.
    pub seed: u64,
}

/// LOGIN and the capabilities after it.
pub async fn login(target: &Target) -> Result<(Conn, Duration), ConnError> {
    let mut c = Conn::connect(target.addr, target.source, target.timeout).await?;
    let t = Instant::now();
    let r = c
        .command(&format!(
            "LOGIN {} {}",
            quote(&target.user),
            quote(&target.password)
        ))
        .await?;
    let took = t.elapsed();
    if r.status() != Status::Ok {
        return Err(ConnError::Protocol(format!("LOGIN: {}", r.tagged)));
    }
    if !r.tagged.to_ascii_uppercase().contains("[CAPABILITY ") {
        c.command("CAPABILITY").await?;
    }
    Ok((c, took))
}

/// A message this client appended and still has in INBOX.
#[derive(Debug, Clone)]
struct Own {
    uid: u32,
    msgid: String,
    flagged: bool,
}

struct Client {
    cfg: ClientConfig,
    rng: fastrand::Rng,
    conn: Option<Conn>,
    exists: u32,
    own: Vec<Own>,
    appended: u64,
    /// Messages COPY and MOVE put into the private mailbox.
    private_count: u32,
    private: String,
    stats: Stats,
}

/// Runs one client until `stop_at`, then checks its messages and cleans up.
pub async fn run(cfg: ClientConfig) -> Stats {
    let private = format!("loadgen-{}-{}", cfg.run, cfg.id);
    let mut c = Client {
        rng: fastrand::Rng::with_seed(cfg.seed),
        cfg,
        conn: None,
        exists: 0,
        own: Vec::new(),
        appended: 0,
        private_count: 0,
        private,
        stats: Stats::default(),
    };
    c.main().await;
    c.stats
}

impl Client {
    fn measuring(&self) -> bool {
        Instant::now() >= self.cfg.measure_from
    }

    fn ok(&mut self, op: Op, took: Duration) {
        if self.measuring() {
            self.stats.ok(op.name(), took);
        }
    }

    fn fail(&mut self, op: Op, what: String) {
        // Errors count even during warm-up: they are never expected.
        self.stats.error(op.name(), what);
    }

    async fn main(&mut self) {
        while Instant::now() < self.cfg.stop_at {
            if self.conn.is_none() {
                if let Err(e) = self.connect(false).await {
                    self.fail(Op::Login, e.to_string());
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    continue;
                }
                if let Err(e) = self.setup_private().await {
                    self.fail(Op::Select, format!("CREATE private mailbox: {e}"));
                }
            }
            let op = self.cfg.mix.pick(&mut self.rng);
            match self.step(op).await {
                Ok(()) => {}
                Err(e) => {
                    self.fail(op, e.to_string());
                    // A broken connection is dropped; the next step reconnects.
                    self.conn = None;
                }
            }
        }
        if self.conn.is_none() && self.connect(false).await.is_err() {
            self.stats
                .inconsistent("could not reconnect for the final checks".into());
            return;
        }
        if let Err(e) = self.finish().await {
            self.stats.inconsistent(format!("final checks: {e}"));
        }
    }

    async fn connect(&mut self, timed: bool) -> Result<(), ConnError> {
        let (conn, took) = login(&self.cfg.target).await?;
        self.conn = Some(conn);
        if timed {
            self.ok(Op::Login, took);
        }
        self.select().await?;
        Ok(())
    }

    async fn setup_private(&mut self) -> Result<(), ConnError> {
        let name = quote(&self.private);
        let r = self.cmd(&format!("CREATE {name}")).await?;
        // NO: it exists already (a reconnect).
        if r.status() == Status::Bad {
            return Err(ConnError::Protocol(format!("CREATE: {}", r.tagged)));
        }
        Ok(())
    }

    fn conn(&mut self) -> Result<&mut Conn, ConnError> {
        self.conn
            .as_mut()
            .ok_or_else(|| ConnError::Protocol("not connected".into()))
    }

    /// Sends a command and follows the untagged responses.
    async fn cmd(&mut self, command: &str) -> Result<Reply, ConnError> {
        let r = self.conn()?.command(command).await?;
        self.absorb(&r, command);
        Ok(r)
    }

    /// Requires OK.
    async fn cmd_ok(&mut self, command: &str) -> Result<Reply, ConnError> {
        let r = self.cmd(command).await?;
        if r.status() != Status::Ok {
            return Err(ConnError::Protocol(format!(
                "{}: {}",
                command.split(' ').next().unwrap_or(""),
                r.tagged
            )));
        }
        Ok(r)
    }

    /// A FETCH by sequence number: OK, or NO with `[EXPUNGEISSUED]` (RFC 9051 §7.1: another
    /// session expunged some of the messages) are both correct answers.
    async fn fetch(&mut self, command: &str) -> Result<Reply, ConnError> {
        let r = self.cmd(command).await?;
        let expunge_issued =
            r.status() == Status::No && r.tagged.to_ascii_uppercase().contains("[EXPUNGEISSUED]");
        if r.status() != Status::Ok && !expunge_issued {
            return Err(ConnError::Protocol(format!("FETCH: {}", r.tagged)));
        }
        Ok(r)
    }

    /// Follows EXISTS/EXPUNGE and checks FETCH/SEARCH numbers against the count.
    fn absorb(&mut self, r: &Reply, command: &str) {
        let uid_command = command.starts_with("UID ");
        for line in &r.untagged {
            match parse_untagged(line) {
                Ok(Untagged::Exists(n)) => {
                    if n < self.exists {
                        self.stats.inconsistent(format!(
                            "EXISTS {n} below the {} known (after {command:.40})",
                            self.exists
                        ));
                    }
                    self.exists = n;
                }
                Ok(Untagged::Expunge(n)) => {
                    if n > self.exists {
                        self.stats
                            .inconsistent(format!("EXPUNGE {n} beyond EXISTS {}", self.exists));
                    }
                    self.exists = self.exists.saturating_sub(1);
                }
                Ok(Untagged::Fetch { seq, .. }) if seq > self.exists => {
                    self.stats
                        .inconsistent(format!("FETCH {seq} beyond EXISTS {}", self.exists));
                }
                Ok(Untagged::Search(ids)) if !uid_command => {
                    if let Some(n) = ids.iter().find(|&&n| n > self.exists) {
                        self.stats.inconsistent(format!(
                            "SEARCH result {n} beyond EXISTS {}",
                            self.exists
                        ));
                    }
                }
                Ok(_) => {}
                Err(e) => self.stats.error("protocol", e.to_string()),
            }
        }
    }

    async fn select(&mut self) -> Result<(), ConnError> {
        self.exists = 0;
        let r = self.cmd_ok("SELECT INBOX").await?;
        if !r
            .untagged
            .iter()
            .any(|l| matches!(parse_untagged(l), Ok(Untagged::Exists(_))))
        {
            return Err(ConnError::Protocol("SELECT without EXISTS".into()));
        }
        Ok(())
    }

    /// A random range of up to `n` sequence numbers, if the mailbox is not empty.
    fn range(&mut self, n: u32) -> Option<(u32, u32)> {
        if self.exists == 0 {
            return None;
        }
        let start = self.rng.u32(1..=self.exists);
        Some((start, (start + n - 1).min(self.exists)))
    }

    fn pick_own(&mut self) -> Option<usize> {
        if self.own.is_empty() {
            None
        } else {
            Some(self.rng.usize(0..self.own.len()))
        }
    }

    /// `op`, or APPEND when `op` needs a message and there is none (to read, or of its own).
    fn effective(&self, op: Op) -> Op {
        let needs_any = matches!(op, Op::FetchFlags | Op::FetchEnvelope | Op::FetchBody);
        let needs_own = matches!(op, Op::Store | Op::Copy | Op::Move | Op::Expunge);
        if (needs_any && self.exists == 0) || (needs_own && self.own.is_empty()) {
            Op::Append
        } else {
            op
        }
    }

    async fn step(&mut self, op: Op) -> Result<(), ConnError> {
        let op = self.effective(op);
        let t = Instant::now();
        match op {
            Op::Login => {
                if let Some(mut c) = self.conn.take() {
                    let r = c.command("LOGOUT").await?;
                    if r.status() != Status::Ok || !r.untagged.iter().any(|l| l.starts_with(b"BYE"))
                    {
                        return Err(ConnError::Protocol(format!("LOGOUT: {}", r.tagged)));
                    }
                }
                self.connect(true).await?;
                return Ok(());
            }
            Op::Select => self.select().await?,
            Op::FetchFlags | Op::FetchEnvelope => {
                let (n, items) = if op == Op::FetchFlags {
                    (20, "UID FLAGS")
                } else {
                    (10, "UID ENVELOPE")
                };
                let Some((a, b)) = self.range(n) else {
                    return Ok(());
                };
                let r = self.fetch(&format!("FETCH {a}:{b} ({items})")).await?;
                // Every message of the range answers with the items asked for, unless the
                // server said some were expunged meanwhile (RFC 9051 EXPUNGEISSUED). Other
                // FETCH responses (for any message, without UID) are unsolicited flag
                // updates, which servers may send at any time.
                if r.status() == Status::Ok {
                    let mut answered = vec![false; (b - a + 1) as usize];
                    for l in &r.untagged {
                        if let Ok(Untagged::Fetch { seq, uid, flags }) = parse_untagged(l)
                            && (a..=b).contains(&seq)
                            && uid.is_some()
                            && (op != Op::FetchFlags || flags.is_some())
                        {
                            answered[(seq - a) as usize] = true;
                        }
                    }
                    if let Some(i) = answered.iter().position(|x| !x) {
                        self.stats.inconsistent(format!(
                            "FETCH {a}:{b} ({items}): no answer for {}",
                            a + i as u32
                        ));
                    }
                }
            }
            Op::FetchBody => {
                let Some((a, _)) = self.range(1) else {
                    return Ok(());
                };
                let r = self.fetch(&format!("FETCH {a} BODY.PEEK[]")).await?;
                let ok = r.status() != Status::Ok
                    || r.untagged.iter().any(|l| {
                        matches!(parse_untagged(l), Ok(Untagged::Fetch { seq, .. }) if seq == a)
                            && String::from_utf8_lossy(&l[..l.len().min(200)])
                                .to_ascii_uppercase()
                                .contains("BODY[]")
                    });
                if !ok {
                    self.stats
                        .inconsistent(format!("FETCH {a} BODY[] gave no body"));
                }
            }
            Op::Append => self.append(t).await?,
            Op::Store => {
                let Some(i) = self.pick_own() else {
                    return Ok(());
                };
                let Own { uid, flagged, .. } = self.own[i].clone();
                let sign = if flagged { '-' } else { '+' };
                let r = self
                    .cmd_ok(&format!("UID STORE {uid} {sign}FLAGS (\\Flagged)"))
                    .await?;
                self.ok(op, t.elapsed());
                self.own[i].flagged = !flagged;
                let fetches: Vec<(Option<u32>, Option<Vec<String>>)> = r
                    .untagged
                    .iter()
                    .filter_map(|l| match parse_untagged(l) {
                        Ok(Untagged::Fetch { uid, flags, .. }) => Some((uid, flags)),
                        _ => None,
                    })
                    .collect();
                let mine = fetches
                    .iter()
                    .find(|(u, _)| *u == Some(uid))
                    .or_else(|| (fetches.len() == 1).then(|| &fetches[0]));
                match mine.and_then(|(_, f)| f.as_ref()) {
                    Some(flags) => {
                        let has = flags.iter().any(|f| f.eq_ignore_ascii_case("\\Flagged"));
                        // The STORE made it the opposite of `flagged`.
                        if has == flagged {
                            self.stats.inconsistent(format!(
                                "UID {uid}: STORE {sign}\\Flagged answered FLAGS {flags:?}"
                            ));
                        }
                    }
                    None => self
                        .stats
                        .inconsistent(format!("UID {uid}: STORE answered no FETCH FLAGS")),
                }
                return Ok(());
            }
            Op::Search => {
                let variant = self.rng.u32(0..5);
                let command = match (variant, self.pick_own()) {
                    (0, Some(i)) => {
                        format!("UID SEARCH HEADER Message-ID {}", quote(&self.own[i].msgid))
                    }
                    (1, _) => "UID SEARCH UNSEEN".to_string(),
                    (2, _) => "UID SEARCH FLAGGED".to_string(),
                    (3, _) => format!("SEARCH BODY {}", WORDS[self.rng.usize(0..WORDS.len())]),
                    _ => "UID SEARCH FROM loadgen".to_string(),
                };
                let r = self.cmd_ok(&command).await?;
                self.ok(op, t.elapsed());
                let results = r.searches();
                if results.len() != 1 {
                    self.stats
                        .inconsistent(format!("{command:.40}: {} SEARCH responses", results.len()));
                } else if variant == 0
                    && let Some(own) = self.own.iter().find(|o| command.contains(&o.msgid))
                    && results[0] != [own.uid]
                {
                    self.stats.inconsistent(format!(
                        "own message UID {} found as {:?}",
                        own.uid, results[0]
                    ));
                }
                return Ok(());
            }
            Op::Copy | Op::Move => {
                let Some(i) = self.pick_own() else {
                    return Ok(());
                };
                let is_move = op == Op::Move && self.conn()?.has("MOVE");
                let uid = self.own[i].uid;
                let verb = if is_move { "MOVE" } else { "COPY" };
                let r = self
                    .cmd_ok(&format!("UID {verb} {uid} {}", quote(&self.private)))
                    .await?;
                self.ok(op, t.elapsed());
                self.private_count += 1;
                if is_move {
                    self.own.swap_remove(i);
                    self.expect_expunge(&r, uid, "MOVE");
                }
                return Ok(());
            }
            Op::Expunge => {
                let Some(i) = self.pick_own() else {
                    return Ok(());
                };
                let uid = self.own[i].uid;
                self.cmd_ok(&format!("UID STORE {uid} +FLAGS.SILENT (\\Deleted)"))
                    .await?;
                let t = Instant::now();
                let r = self.cmd_ok(&format!("UID EXPUNGE {uid}")).await?;
                self.ok(op, t.elapsed());
                self.own.swap_remove(i);
                self.expect_expunge(&r, uid, "UID EXPUNGE");
                return Ok(());
            }
            Op::Idle => {
                let hold = self.cfg.idle;
                let r = self.conn()?.idle(hold).await?;
                if r.status() != Status::Ok {
                    return Err(ConnError::Protocol(format!("IDLE: {}", r.tagged)));
                }
                self.absorb(&r, "IDLE");
                // IDLE's own time is the hold; what is recorded is the rest.
                self.ok(op, t.elapsed().saturating_sub(hold));
                return Ok(());
            }
            Op::Noop => {
                self.cmd_ok("NOOP").await?;
            }
        }
        self.ok(op, t.elapsed());
        Ok(())
    }

    fn expect_expunge(&mut self, r: &Reply, uid: u32, what: &str) {
        let expunged = r.untagged.iter().any(|l| {
            matches!(parse_untagged(l), Ok(Untagged::Expunge(_)))
                || l.to_ascii_uppercase().starts_with(b"VANISHED")
        });
        if !expunged {
            self.stats
                .inconsistent(format!("{what} of UID {uid} answered no EXPUNGE"));
        }
    }

    /// `UID SEARCH HEADER Message-ID …`: the UIDs of every SEARCH response.
    async fn find_by_msgid(&mut self, msgid: &str) -> Result<Vec<u32>, ConnError> {
        let r = self
            .cmd_ok(&format!("UID SEARCH HEADER Message-ID {}", quote(msgid)))
            .await?;
        Ok(r.searches().concat())
    }

    async fn append(&mut self, t: Instant) -> Result<(), ConnError> {
        self.appended += 1;
        let msgid = format!(
            "{}.{}.{}@loadgen.example.org",
            self.cfg.run, self.cfg.id, self.appended
        );
        let subject = format!("load {} {}", self.cfg.id, self.appended);
        let size = self.cfg.message_size;
        let body = message(&mut self.rng, &self.cfg.target.user, &subject, &msgid, size);
        let r = self
            .conn()?
            .command_with_literal("APPEND INBOX (\\Seen)", &body, "")
            .await?;
        self.absorb(&r, "APPEND");
        if r.status() != Status::Ok {
            return Err(ConnError::Protocol(format!("APPEND: {}", r.tagged)));
        }
        self.ok(Op::Append, t.elapsed());
        // RFC 4315 APPENDUID, else look it up.
        let upper = r.tagged.to_ascii_uppercase();
        let uid = match upper.find("[APPENDUID ") {
            Some(at) => upper[at + 11..]
                .split([' ', ']'])
                .nth(1)
                .and_then(|u| u.parse().ok()),
            None => None,
        };
        let uid = match uid {
            Some(u) => u,
            None => {
                let found = self.find_by_msgid(&msgid).await?;
                match found.as_slice() {
                    [u] => *u,
                    other => {
                        self.stats
                            .inconsistent(format!("appended {msgid} found as {other:?}"));
                        return Ok(());
                    }
                }
            }
        };
        self.own.push(Own {
            uid,
            msgid,
            flagged: false,
        });
        Ok(())
    }
}

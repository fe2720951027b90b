//! `strata-loadgen`: load for any IMAP server.
//!
//! ```text
//! strata-loadgen prepare --server 127.0.0.1:143 --user 'load{n}@example.org' --users 100 \
//!     --password pw --messages 200 [--profile realistic|base] [--parallel 4]
//! strata-loadgen run --server 127.0.0.1:143 --user 'load{n}@example.org' --users 100 \
//!     --password pw --clients 50 --duration 30 --warmup 5 [--profile realistic|base] \
//!     [--stay-logged-in] [--session-ops 3-20] [--mix …] [--json FILE]
//! strata-loadgen idle --server 127.0.0.1:143 --user 'load{n}@example.org' --users 100 \
//!     --password pw --connections 10000 --hold 30 [--ready-file FILE]
//! ```
//!
//! `run` starts `--clients` clients doing a mix of commands; it prints the per-command table
//! and exits 1 if any error or inconsistency was seen. With the realistic profile (the
//! default, see [`strata_loadgen::realistic`]) each session picks a random account, works a
//! few commands and logs out (or stays with `--stay-logged-in`), and every response is
//! checked against a model of the mailbox. With the base profile (see [`client`]) client k
//! logs in as user `k mod users` for the whole run. `prepare` fills every account for the
//! profile: real-shaped mail in INBOX and six folders, or small plain messages in INBOX.
//! `idle` holds connections in IDLE for measuring a server's memory: it writes `ready N` to
//! `--ready-file` once every connection is idling.

use clap::{Args, Parser, Subcommand};
use std::net::{IpAddr, SocketAddr};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};
use strata_loadgen::client::{self, DEFAULT_MIX, Mix, Target};
use strata_loadgen::conn;
use strata_loadgen::realistic::{REAL_MIX, RealConfig};

#[derive(Parser)]
#[command(
    name = "strata-loadgen",
    version,
    about = "IMAP load generator (any server)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Append messages to every user's INBOX.
    Prepare {
        #[command(flatten)]
        common: Common,
        /// Messages per user (in INBOX; the realistic profile's folders get a share more).
        #[arg(long, default_value_t = 200)]
        messages: usize,
        /// Which load the mailboxes are for.
        #[arg(long, value_enum, default_value_t = Profile::Realistic)]
        profile: Profile,
        /// Accounts prepared at once (realistic profile).
        #[arg(long, default_value_t = 4)]
        parallel: usize,
    },
    /// Run the mix of commands and report.
    Run {
        #[command(flatten)]
        common: Common,
        /// Concurrent clients.
        #[arg(long, default_value_t = 10)]
        clients: usize,
        /// Measured seconds (after the warm-up).
        #[arg(long, default_value_t = 30)]
        duration: u64,
        /// Seconds of load before measuring.
        #[arg(long, default_value_t = 3)]
        warmup: u64,
        /// Which load: `realistic` (many accounts, short sessions, real-shaped mail, every
        /// response checked against a model of the mailbox) or `base` (client k on account
        /// k mod users for the whole run, small plain messages).
        #[arg(long, value_enum, default_value_t = Profile::Realistic)]
        profile: Profile,
        /// Realistic profile: every session stays logged in for the whole run.
        #[arg(long)]
        stay_logged_in: bool,
        /// Realistic profile: operations per session, `MIN-MAX` (drawn uniformly).
        #[arg(long, default_value = "3-20")]
        session_ops: String,
        /// Operation weights, `name=weight,…` (default: the profile's mix).
        #[arg(long)]
        mix: Option<String>,
        /// Milliseconds an IDLE lasts.
        #[arg(long, default_value_t = 300)]
        idle_ms: u64,
        /// Approximate size of appended messages (base profile).
        #[arg(long, default_value_t = 4000)]
        message_size: usize,
        /// Seed of the random choices.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Also write the report as JSON here.
        #[arg(long)]
        json: Option<std::path::PathBuf>,
    },
    /// Hold connections in IDLE.
    Idle {
        #[command(flatten)]
        common: Common,
        /// Connections.
        #[arg(long, default_value_t = 1000)]
        connections: usize,
        /// Seconds to hold them once all are idling.
        #[arg(long, default_value_t = 30)]
        hold: u64,
        /// Logins in flight at once while connecting.
        #[arg(long, default_value_t = 64)]
        parallel: usize,
        /// Written (`ready N errors E`) once every connection is idling.
        #[arg(long)]
        ready_file: Option<std::path::PathBuf>,
    },
}

/// The loads `run` and `prepare` know.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Profile {
    /// Many accounts, short sessions, real-shaped mail, every response checked.
    Realistic,
    /// The first mix: client k on account k mod users, small plain messages.
    Base,
}

#[derive(Args, Clone)]
struct Common {
    /// The server, host:port.
    #[arg(long)]
    server: SocketAddr,
    /// Login name; `{n}` becomes the user number 1..=users.
    #[arg(long)]
    user: String,
    /// Number of users.
    #[arg(long, default_value_t = 1)]
    users: usize,
    /// Password of every user.
    #[arg(long)]
    password: String,
    /// Spread connections over this many loopback source addresses (127.0.0.1, .2, …), for
    /// servers that limit connections per address.
    #[arg(long, default_value_t = 1)]
    source_ips: u8,
    /// Seconds to wait for any response.
    #[arg(long, default_value_t = 60)]
    timeout: u64,
}

impl Common {
    /// Every account: login name and password.
    fn accounts(&self) -> Vec<(String, String)> {
        (1..=self.users.max(1))
            .map(|n| {
                (
                    self.user.replace("{n}", &n.to_string()),
                    self.password.clone(),
                )
            })
            .collect()
    }

    /// The loopback source address of connection `k`, if spreading them.
    fn source(&self, k: usize) -> Option<IpAddr> {
        (self.source_ips > 1 && self.server.ip().is_loopback()).then(|| {
            let last = (k % usize::from(self.source_ips)) as u8 + 1;
            IpAddr::from([127, 0, 0, last])
        })
    }

    fn target(&self, k: usize) -> Target {
        let n = k % self.users.max(1) + 1;
        Target {
            addr: self.server,
            source: self.source(k),
            timeout: Duration::from_secs(self.timeout),
            user: self.user.replace("{n}", &n.to_string()),
            password: self.password.clone(),
        }
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Prepare {
            common,
            messages,
            profile: Profile::Base,
            ..
        } => prepare(&common, messages).await,
        Command::Prepare {
            common,
            messages,
            parallel,
            ..
        } => prepare_realistic(&common, messages, parallel).await,
        Command::Run {
            common,
            clients,
            duration,
            warmup,
            profile,
            stay_logged_in,
            session_ops,
            mix,
            idle_ms,
            message_size,
            seed,
            json,
        } => {
            let (duration, warmup) = (Duration::from_secs(duration), Duration::from_secs(warmup));
            let idle = Duration::from_millis(idle_ms);
            let report = if profile == Profile::Base {
                let mix = match Mix::parse(mix.as_deref().unwrap_or(DEFAULT_MIX)) {
                    Ok(m) => m,
                    Err(e) => {
                        eprintln!("--mix: {e}");
                        return ExitCode::from(2);
                    }
                };
                strata_loadgen::run(strata_loadgen::RunOptions {
                    clients,
                    duration,
                    warmup,
                    mix,
                    idle,
                    message_size,
                    seed,
                    target: |id| common.target(id),
                })
                .await
            } else {
                let mix = match Mix::parse(mix.as_deref().unwrap_or(REAL_MIX)) {
                    Ok(m) => m,
                    Err(e) => {
                        eprintln!("--mix: {e}");
                        return ExitCode::from(2);
                    }
                };
                let Some(session_ops) = parse_range(&session_ops) else {
                    eprintln!("--session-ops: expected MIN-MAX, got {session_ops:?}");
                    return ExitCode::from(2);
                };
                let accounts = Arc::new(common.accounts());
                let now = Instant::now();
                let client = move |k: usize| RealConfig {
                    id: k,
                    run: String::new(),
                    server: common.server,
                    source: common.source(k),
                    timeout: Duration::from_secs(common.timeout),
                    accounts: accounts.clone(),
                    mix: mix.clone(),
                    stay_logged_in,
                    session_ops,
                    measure_from: now,
                    stop_at: now,
                    idle,
                    seed,
                    recent: Default::default(),
                };
                strata_loadgen::run_realistic(strata_loadgen::RealRunOptions {
                    clients,
                    duration,
                    warmup,
                    seed,
                    client: Box::new(client),
                })
                .await
            };
            print!("{}", report.table());
            if let Some(path) = json {
                let text = serde_json::to_string_pretty(&report).unwrap_or_default();
                if let Err(e) = std::fs::write(&path, text) {
                    eprintln!("{}: {e}", path.display());
                    return ExitCode::from(2);
                }
            }
            if report.errors == 0 && report.inconsistencies == 0 {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Command::Idle {
            common,
            connections,
            hold,
            parallel,
            ready_file,
        } => idle(&common, connections, hold, parallel, ready_file).await,
    }
}

/// `MIN-MAX`.
fn parse_range(s: &str) -> Option<(u32, u32)> {
    let (a, b) = s.split_once('-')?;
    let (a, b) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
    (a <= b && a > 0).then_some((a, b))
}

/// The realistic profile's folders and mail in every account.
async fn prepare_realistic(common: &Common, messages: usize, parallel: usize) -> ExitCode {
    let t = Instant::now();
    let p = strata_loadgen::realistic::prepare::Prepare {
        server: common.server,
        source: common.source(0),
        timeout: Duration::from_secs(common.timeout),
        accounts: Arc::new(common.accounts()),
        messages,
        parallel,
    };
    match strata_loadgen::realistic::prepare::prepare(&p).await {
        Ok((n, octets)) => {
            println!(
                "prepared {} users: {n} messages, {:.1} MB, in {:.1} s",
                common.users,
                octets as f64 / 1e6,
                t.elapsed().as_secs_f64()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}

async fn prepare(common: &Common, messages: usize) -> ExitCode {
    let mut failed = false;
    for k in 0..common.users.max(1) {
        let target = common.target(k);
        let result = async {
            let (mut c, _) = client::login(&target).await?;
            let mut rng = fastrand::Rng::with_seed(k as u64);
            for i in 0..messages {
                let id = format!("prep.{k}.{i}@loadgen.example.org");
                let subject = format!("prepared {i}");
                let size = 1000 + rng.usize(0..6000);
                let body = client::message(&mut rng, &target.user, &subject, &id, size);
                let flags = if i % 3 == 0 { "()" } else { "(\\Seen)" };
                let r = c
                    .command_with_literal(&format!("APPEND INBOX {flags}"), &body, "")
                    .await?;
                if r.status() != conn::Status::Ok {
                    return Err(conn::ConnError::Protocol(format!("APPEND: {}", r.tagged)));
                }
            }
            c.command("LOGOUT").await?;
            Ok::<(), conn::ConnError>(())
        }
        .await;
        if let Err(e) = result {
            eprintln!("{}: {e}", target.user);
            failed = true;
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        println!(
            "prepared {} users with {messages} messages each",
            common.users
        );
        ExitCode::SUCCESS
    }
}

async fn idle(
    common: &Common,
    connections: usize,
    hold: u64,
    parallel: usize,
    ready_file: Option<std::path::PathBuf>,
) -> ExitCode {
    let gate = Arc::new(tokio::sync::Semaphore::new(parallel.max(1)));
    let release = Arc::new(tokio::sync::Notify::new());
    let (ready_tx, mut ready_rx) = tokio::sync::mpsc::unbounded_channel::<Result<(), String>>();
    let start = Instant::now();
    let tasks: Vec<_> = (0..connections)
        .map(|k| {
            let target = common.target(k);
            let gate = gate.clone();
            let release = release.clone();
            let ready = ready_tx.clone();
            tokio::spawn(async move {
                let setup = async {
                    let _permit = gate.acquire().await.map_err(|e| e.to_string())?;
                    let (mut c, _) = client::login(&target).await.map_err(|e| e.to_string())?;
                    let r = c.command("SELECT INBOX").await.map_err(|e| e.to_string())?;
                    if r.status() != conn::Status::Ok {
                        return Err(format!("SELECT: {}", r.tagged));
                    }
                    let tag = c.start_idle().await.map_err(|e| e.to_string())?;
                    Ok((c, tag))
                }
                .await;
                let (mut c, tag) = match setup {
                    Ok(x) => x,
                    Err(e) => {
                        let _ = ready.send(Err(e.clone()));
                        return Err(e);
                    }
                };
                // Registered before reporting ready, so the release cannot be missed.
                let released = release.notified();
                let _ = ready.send(Ok(()));
                released.await;
                let r = c.finish_idle(&tag).await.map_err(|e| e.to_string())?;
                if r.status() != conn::Status::Ok {
                    return Err(format!("IDLE: {}", r.tagged));
                }
                c.command("LOGOUT").await.map_err(|e| e.to_string())?;
                Ok(())
            })
        })
        .collect();
    drop(ready_tx);
    let (mut ready, mut errors) = (0usize, Vec::new());
    while ready + errors.len() < connections {
        match ready_rx.recv().await {
            Some(Ok(())) => ready += 1,
            Some(Err(e)) => errors.push(e),
            None => break,
        }
    }
    let took = start.elapsed();
    println!(
        "ready {ready} of {connections} connections in IDLE after {:.1} s, {} errors",
        took.as_secs_f64(),
        errors.len()
    );
    for e in errors.iter().take(10) {
        println!("  ! {e}");
    }
    if let Some(path) = &ready_file {
        let _ = std::fs::write(path, format!("ready {ready} errors {}\n", errors.len()));
    }
    tokio::time::sleep(Duration::from_secs(hold)).await;
    // Wakes every waiting task (each registered its `notified()` before reporting ready).
    release.notify_waiters();
    let mut after = 0usize;
    for t in tasks {
        match t.await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                after += 1;
                if after <= 10 {
                    println!("  ! after hold: {e}");
                }
            }
            Err(e) => {
                after += 1;
                println!("  ! task: {e}");
            }
        }
    }
    let failed_after = after.saturating_sub(errors.len());
    println!(
        "released: {} connections ended with DONE/LOGOUT, {failed_after} failed after the hold",
        ready.saturating_sub(failed_after)
    );
    if errors.is_empty() && failed_after == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

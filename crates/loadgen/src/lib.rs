//! # strata-loadgen: load for any IMAP server
//!
//! N concurrent clients ([`client`]) each doing a weighted mix ([`mix`]) of LOGIN, SELECT, FETCH
//! (flags, envelopes, bodies), APPEND (messages from [`corpus`]), STORE, SEARCH, COPY/MOVE,
//! EXPUNGE, IDLE and NOOP against their account's shared INBOX and a private mailbox, checking
//! every response ([`conn`]) and the state it implies; [`stats`] turns the latencies into
//! operations per second and percentiles. The `strata-loadgen` binary is the command line;
//! [`run`] is the same load for tests.
//!
//! That is the base profile. The realistic profile ([`realistic`], [`run_realistic`]) is the
//! one to compare servers with: many accounts, short sessions that log in and out (or ones
//! that stay), real-shaped mail, the commands real clients send, and every response checked
//! against a model of the mailbox.

pub mod client;
pub mod conn;
pub mod corpus;
pub mod mix;
pub mod realistic;
pub mod response;
pub mod stats;

use client::{ClientConfig, Target};
use mix::Mix;
use std::time::{Duration, Instant};

/// One load run.
pub struct RunOptions<F: Fn(usize) -> Target> {
    /// Concurrent clients.
    pub clients: usize,
    /// Measured time, after the warm-up.
    pub duration: Duration,
    /// Load before measuring.
    pub warmup: Duration,
    /// The operations.
    pub mix: Mix,
    /// How long an IDLE lasts.
    pub idle: Duration,
    /// Approximate size of appended messages.
    pub message_size: usize,
    /// Seed of the random choices.
    pub seed: u64,
    /// Server and account of client `k`.
    pub target: F,
}

/// Runs the clients to the end (including their final checks) and reports.
pub async fn run<F: Fn(usize) -> Target>(o: RunOptions<F>) -> stats::Report {
    let start = Instant::now();
    let measure_from = start + o.warmup;
    let stop_at = measure_from + o.duration;
    let run = format!("{:x}", fastrand::u32(..));
    let tasks: Vec<_> = (0..o.clients)
        .map(|id| {
            let cfg = ClientConfig {
                id,
                run: run.clone(),
                target: (o.target)(id),
                mix: o.mix.clone(),
                measure_from,
                stop_at,
                idle: o.idle,
                message_size: o.message_size,
                seed: o.seed.wrapping_mul(1_000_003).wrapping_add(id as u64),
            };
            tokio::spawn(client::run(cfg))
        })
        .collect();
    gather(tasks, o.clients, o.duration).await
}

/// One run of the realistic profile.
pub struct RealRunOptions {
    /// Concurrent clients.
    pub clients: usize,
    /// Measured time, after the warm-up.
    pub duration: Duration,
    /// Load before measuring.
    pub warmup: Duration,
    /// Seed of the random choices.
    pub seed: u64,
    /// Client `k`'s settings, given the times and seed (`id`, `run`, `measure_from`, `stop_at`,
    /// `seed` and `recent` are filled in by [`run_realistic`]).
    pub client: Box<dyn Fn(usize) -> realistic::RealConfig + Send>,
}

/// Runs the realistic profile's clients to the end and reports.
pub async fn run_realistic(o: RealRunOptions) -> stats::Report {
    let start = Instant::now();
    let measure_from = start + o.warmup;
    let stop_at = measure_from + o.duration;
    let run = format!("{:x}", fastrand::u32(..));
    let recent = realistic::model::RecentBook::default();
    let tasks: Vec<_> = (0..o.clients)
        .map(|id| {
            let cfg = realistic::RealConfig {
                id,
                run: run.clone(),
                measure_from,
                stop_at,
                seed: o.seed.wrapping_mul(1_000_003).wrapping_add(id as u64),
                recent: recent.clone(),
                ..(o.client)(id)
            };
            tokio::spawn(realistic::run(cfg))
        })
        .collect();
    gather(tasks, o.clients, o.duration).await
}

/// Waits for every client task and merges their statistics into the run's report (a task that
/// failed counts as an inconsistency).
async fn gather(
    tasks: Vec<tokio::task::JoinHandle<stats::Stats>>,
    clients: usize,
    duration: Duration,
) -> stats::Report {
    let mut total = stats::Stats::default();
    for t in tasks {
        match t.await {
            Ok(s) => total.merge(s),
            Err(e) => total.inconsistent(format!("client task failed: {e}")),
        }
    }
    total.report(clients, duration)
}

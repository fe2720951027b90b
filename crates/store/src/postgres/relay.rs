//! Change events across processes, for the cluster: several metad replicas write to one
//! PostgreSQL, and each replica's frontends must hear about every replica's commits.
//!
//! ```text
//!  replica A: commit ─▶ publish ─▶ local feed ─▶ A's subscribers
//!                          └─▶ sender task ──NOTIFY strata_changes──▶ PostgreSQL
//!  replica B: listener task ◀──LISTEN strata_changes── PostgreSQL ─▶ B's local feed
//! ```
//!
//! The NOTIFY is sent after the commit, so a replica that hears it reads committed data. The
//! payload is one line per event (`instance account mailbox modseq`), batched up to PostgreSQL's
//! 8000-byte payload limit; a replica skips the lines of its own instance (its subscribers
//! already had them). Nothing is lost silently: events that cannot be sent (a full queue, a
//! NOTIFY that keeps failing) become a RESYNC line (`instance 0 0 0`) in the next NOTIFY, and
//! when the LISTEN connection drops the listener publishes [`ChangeEvent::RESYNC`] once it
//! listens again.

use super::Postgres;
use crate::engine::SqlStore;
use crate::error::{Result, StoreError};
use crate::types::{AccountId, ChangeEvent, MailboxId};
use sqlx::postgres::PgListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::sync::{broadcast, mpsc};

/// The PostgreSQL channel.
const CHANNEL: &str = "strata_changes";

/// Stay under PostgreSQL's 8000-byte NOTIFY payload limit.
const MAX_PAYLOAD: usize = 7000;

/// Events waiting for their NOTIFY; beyond this they are dropped and replaced by one RESYNC.
const QUEUE: usize = 10_000;

/// The publishing side, kept by the store.
pub(crate) struct RelayTx {
    tx: mpsc::Sender<ChangeEvent>,
    /// Set when an event could not be queued: the next NOTIFY starts with a RESYNC line.
    overflow: Arc<AtomicBool>,
}

impl RelayTx {
    /// Queues a committed change for the other replicas.
    pub(crate) fn send(&self, ev: ChangeEvent) {
        if self.tx.try_send(ev).is_err() {
            self.overflow.store(true, Ordering::SeqCst);
        }
    }
}

/// The relay's two tasks; dropping this stops them.
pub struct ChangeRelay {
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Drop for ChangeRelay {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

impl SqlStore<Postgres> {
    /// Starts relaying change events through PostgreSQL to and from the other processes on the
    /// same database (`url`, the one this store was opened with). Returns once the listener is
    /// connected, so no event committed by another process after this returns is missed.
    pub async fn start_change_relay(&self, url: &str) -> Result<ChangeRelay> {
        // Unique among the processes (and stores) on this database.
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let instance = format!("{}-{nanos}", std::process::id());
        let mut listener = PgListener::connect(url).await?;
        listener.listen(CHANNEL).await?;
        let (tx, rx) = mpsc::channel(QUEUE);
        let overflow = Arc::new(AtomicBool::new(false));
        self.driver()
            .relay
            .set(RelayTx {
                tx,
                overflow: overflow.clone(),
            })
            .map_err(|_| StoreError::Cannot("the change relay is already running".to_string()))?;
        let sender = tokio::spawn(send(
            self.driver().pool.clone(),
            instance.clone(),
            rx,
            overflow,
        ));
        let receiver = tokio::spawn(listen(listener, instance, self.feed().clone()));
        Ok(ChangeRelay {
            tasks: vec![sender, receiver],
        })
    }
}

/// Sends queued events, as many per NOTIFY as fit. Events that could not be sent (the queue
/// overflowed, or a NOTIFY failed) are replaced by a RESYNC line in the next NOTIFY that goes
/// through, so the other replicas' subscribers look again instead of missing them.
async fn send(
    pool: sqlx::PgPool,
    instance: String,
    mut rx: mpsc::Receiver<ChangeEvent>,
    overflow: Arc<AtomicBool>,
) {
    let mut lost = false;
    while let Some(first) = rx.recv().await {
        let mut payload = String::new();
        if lost || overflow.swap(false, Ordering::SeqCst) {
            payload.push_str(&format!("{instance} 0 0 0\n"));
        }
        let mut next = Some(first);
        while let Some(ev) = next.take() {
            use std::fmt::Write;
            let _ = writeln!(
                payload,
                "{instance} {} {} {}",
                ev.account.0, ev.mailbox.0, ev.modseq
            );
            if payload.len() < MAX_PAYLOAD {
                next = rx.try_recv().ok();
            }
        }
        // A few attempts; then give up on this batch and send a RESYNC with the next.
        lost = true;
        for attempt in 0..5u32 {
            let sent = sqlx::query("SELECT pg_notify($1, $2)")
                .bind(CHANNEL)
                .bind(&payload)
                .execute(&pool)
                .await;
            match sent {
                Ok(_) => {
                    lost = false;
                    break;
                }
                Err(e) => {
                    tracing::warn!(error = %e, attempt, "change relay: NOTIFY failed");
                    tokio::time::sleep(Duration::from_millis(100 << attempt)).await;
                }
            }
        }
    }
}

/// Republishes other instances' events on the local feed.
async fn listen(mut listener: PgListener, me: String, events: broadcast::Sender<ChangeEvent>) {
    loop {
        match listener.try_recv().await {
            Ok(Some(n)) => {
                for ev in n.payload().lines().filter_map(|l| parse(l, &me)) {
                    let _ = events.send(ev);
                }
            }
            lost => {
                // Reconnect and LISTEN again before anything else (try_recv alone would block
                // on the new connection without saying so); then one RESYNC covers whatever
                // was committed meanwhile.
                match lost {
                    Err(e) => {
                        tracing::warn!(error = %e, "change relay: LISTEN failed; reconnecting")
                    }
                    _ => tracing::warn!("change relay: LISTEN connection lost; reconnecting"),
                }
                let mut wait = Duration::from_millis(100);
                while let Err(e) = listener.listen(CHANNEL).await {
                    tracing::warn!(error = %e, "change relay: cannot LISTEN yet");
                    tokio::time::sleep(wait).await;
                    wait = (wait * 2).min(Duration::from_secs(5));
                }
                let _ = events.send(ChangeEvent::RESYNC);
            }
        }
    }
}

/// One payload line, unless it is ours or malformed.
fn parse(line: &str, me: &str) -> Option<ChangeEvent> {
    let mut parts = line.split(' ');
    let instance = parts.next()?;
    if instance == me {
        return None;
    }
    let account = parts.next()?.parse().ok()?;
    let mailbox = parts.next()?.parse().ok()?;
    let modseq = parts.next()?.parse().ok()?;
    Some(ChangeEvent {
        account: AccountId(account),
        mailbox: MailboxId(mailbox),
        modseq,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_lines() {
        assert_eq!(
            parse("9-1 3 7 42", "9-2"),
            Some(ChangeEvent {
                account: AccountId(3),
                mailbox: MailboxId(7),
                modseq: 42
            })
        );
        assert_eq!(parse("9-2 3 7 42", "9-2"), None, "own events are skipped");
        assert_eq!(parse("9-1 0 0 0", "9-2"), Some(ChangeEvent::RESYNC));
        assert_eq!(parse("9-1 3 x 42", "9-2"), None);
        assert_eq!(parse("9-1 3", "9-2"), None);
    }
}

//! The writer thread: every write transaction of a SQLite database runs here, one at a time, on
//! one connection, as plain function calls.
//!
//! Why a thread of its own (measured with `strata-loadgen run`, 50 clients, on the 2-core
//! machine of docs/benchmarks.md): a mail write is five to ten statements made while holding
//! SQLite's one writer lock. When each statement was a round trip to another thread (the
//! driver this store used before runs each connection on a thread of its own), every wake-up
//! waited for a core on a busy machine: the lock was held about 0.9–1.5 ms per write, writers
//! queued behind it (APPEND p50 ≈ 40 ms while reads took 1–4 ms), and the wake-ups cost a fifth
//! of the server's CPU. Here a transaction's statements run back to back; only the request and
//! the answer cross threads.

use super::conn::ready;
use super::wal::WalSync;
use crate::engine::BoxFuture;
use crate::error::{Result, StoreError};
use rusqlite::Connection;
use std::sync::Arc;
use std::sync::mpsc;
use tokio::sync::oneshot;

type Job = Box<dyn FnOnce(&mut Connection) + Send>;

/// The writer thread's queue. The thread ends when this is dropped (the queue closes).
pub(crate) struct Writer {
    jobs: mpsc::Sender<Job>,
    wal: Arc<WalSync>,
}

impl Writer {
    /// Starts the thread that owns `conn` (opened and migrated).
    pub(crate) fn start(mut conn: Connection, wal: Arc<WalSync>) -> Result<Writer> {
        let (jobs, queue) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || {
                for job in queue {
                    // A panicking write fails alone (its answer channel is dropped, its
                    // transaction rolled back by the next one); the thread serves the others.
                    let _ =
                        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(&mut conn)));
                }
            })
            .map_err(|e| StoreError::Internal(format!("SQLite writer thread: {e}")))?;
        Ok(Writer { jobs, wal })
    }

    /// Runs `op` in one IMMEDIATE transaction on the writer thread; commits if it succeeds,
    /// rolls back if not, and returns once the commit is durable. An operation that changed
    /// nothing still waits for the commits it saw to be durable (its answer reflects them;
    /// invariant 3). Once sent it runs to its end even if the caller goes away.
    pub(crate) async fn run<T, F>(&self, op: F) -> Result<T>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut Connection) -> BoxFuture<'c, Result<T>> + Send + 'static,
    {
        let (done, answer) = oneshot::channel();
        let wal = Arc::clone(&self.wal);
        let job: Job = Box::new(move |conn| {
            let before = conn.total_changes();
            let result = transaction(conn, op);
            // The ticket is taken before the next write starts, so that every later operation
            // that sees this commit also waits for it.
            let ticket = if result.is_ok() && conn.total_changes() != before {
                wal.take()
            } else {
                wal.last()
            };
            let _ = done.send(result.map(|v| (v, ticket)));
        });
        self.jobs
            .send(job)
            .map_err(|_| StoreError::Internal("the SQLite writer thread is gone".into()))?;
        let (value, ticket) = answer
            .await
            .map_err(|_| StoreError::Internal("the SQLite writer thread failed".into()))??;
        self.wal.wait_for(ticket).await?;
        Ok(value)
    }
}

/// `op` between BEGIN IMMEDIATE and COMMIT (ROLLBACK when it fails).
fn transaction<T, F>(conn: &mut Connection, op: F) -> Result<T>
where
    F: for<'c> FnOnce(&'c mut Connection) -> BoxFuture<'c, Result<T>>,
{
    if !conn.is_autocommit() {
        // A write that panicked left its transaction open.
        conn.execute_batch("ROLLBACK")?;
    }
    conn.execute_batch("BEGIN IMMEDIATE")?;
    let result = ready(op(conn));
    let end = match &result {
        Ok(_) => conn.execute_batch("COMMIT"),
        Err(_) => conn.execute_batch("ROLLBACK"),
    };
    match (result, end) {
        (Ok(v), Ok(())) => Ok(v),
        (Ok(_), Err(e)) => {
            let _ = conn.execute_batch("ROLLBACK");
            Err(e.into())
        }
        (Err(e), _) => Err(e),
    }
}

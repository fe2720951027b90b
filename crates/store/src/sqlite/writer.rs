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
            let result = transaction(conn, &wal, op);
            let _ = done.send(result);
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

/// `op` between BEGIN IMMEDIATE and COMMIT (ROLLBACK when it fails), with the group commit's
/// ticket to wait for: a write that changed something takes a new one right after its commit
/// (before the next write starts: an fsync that starts later covers it); one that changed
/// nothing waits for the commits it saw (the last ticket). A reader may see a commit in the
/// moment between the commit and its ticket, or before its fsync: only the writer's own answer
/// waits for durability.
fn transaction<T, F>(conn: &mut Connection, wal: &WalSync, op: F) -> Result<(T, u64)>
where
    F: for<'c> FnOnce(&'c mut Connection) -> BoxFuture<'c, Result<T>>,
{
    if !conn.is_autocommit() {
        // A write that panicked left its transaction open.
        conn.execute_batch("ROLLBACK")?;
    }
    let before = conn.total_changes();
    conn.execute_batch("BEGIN IMMEDIATE")?;
    let value = match ready(op(conn)) {
        Ok(v) => v,
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            return Err(e);
        }
    };
    if let Err(e) = conn.execute_batch("COMMIT") {
        let _ = conn.execute_batch("ROLLBACK");
        return Err(e.into());
    }
    let ticket = if conn.total_changes() != before {
        wal.take()
    } else {
        wal.last()
    };
    Ok((value, ticket))
}

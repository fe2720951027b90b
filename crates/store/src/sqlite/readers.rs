//! The readers' connections. The reads every IMAP command makes (the changes after each
//! command, FETCH, SELECT's snapshot, SEARCH's UID map, mailbox lookups) are a few indexed rows
//! each, tens of microseconds: they run right on the calling task, on a pooled connection,
//! instead of a round trip to another thread that would cost more than the read.

use super::conn::ready;
use crate::engine::BoxFuture;
use crate::error::Result;
use rusqlite::{Connection, OpenFlags};
use std::path::PathBuf;
use std::sync::Mutex;

/// Idle connections kept for reuse; more are opened when more readers run at once.
const IDLE: usize = 16;

/// Bytes of the database file each reader maps instead of a pread and a copy per page: a
/// commit invalidates every other connection's page cache, so without it the next read of each
/// connection rereads its pages. (Address space only.)
const MMAP_SIZE: i64 = 1 << 30;

/// A pool of read-only connections to one database file.
pub(crate) struct Readers {
    path: PathBuf,
    /// A std mutex: held for a push or a pop, never across an await.
    idle: Mutex<Vec<Connection>>,
}

impl Readers {
    pub(crate) fn new(path: PathBuf) -> Readers {
        Readers {
            path,
            idle: Mutex::new(Vec::new()),
        }
    }

    fn open(&self) -> Result<Connection> {
        let c = Connection::open_with_flags(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        c.busy_timeout(std::time::Duration::from_secs(10))?;
        c.pragma_update(None, "mmap_size", MMAP_SIZE)?;
        c.pragma_update(None, "query_only", "ON")?;
        c.set_prepared_statement_cache_capacity(128);
        Ok(c)
    }

    /// Runs `op` on a reader connection, on this thread; in one read transaction (one snapshot)
    /// when `snapshot`, otherwise each statement sees the latest commit.
    pub(crate) fn run<T, F>(&self, snapshot: bool, op: F) -> Result<T>
    where
        F: for<'c> FnOnce(&'c mut Connection) -> BoxFuture<'c, Result<T>>,
    {
        let idle = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let mut conn = match idle {
            Some(c) => c,
            None => self.open()?,
        };
        let result = if snapshot {
            conn.execute_batch("BEGIN")?;
            let r = ready(op(&mut conn));
            conn.execute_batch("COMMIT").and(Ok(r))?
        } else {
            ready(op(&mut conn))
        };
        if conn.is_autocommit() {
            let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
            if idle.len() < IDLE {
                idle.push(conn);
            }
        }
        result
    }
}

//! Group commit. Connections run `synchronous = NORMAL` (a commit writes the WAL without
//! fsync); a writer commits, leaves the writer thread to the next write, then waits here until
//! one fsync of the WAL file that started after its commit has finished. Concurrent writers
//! share that fsync. A tagged OK still means the change survives power loss (invariant 3):
//! - fsync flushes the file (inode), whichever descriptor wrote it, so opening `<db>-wal` here
//!   and syncing it covers every frame SQLite appended before;
//! - the first fsync of a WAL file also fsyncs its folder, so the file itself is there after a
//!   power cut (SQLite syncs the folder of a new WAL only on its own first sync of it, at the
//!   first checkpoint);
//! - SQLite itself syncs the WAL before each checkpoint and the database after it (NORMAL in
//!   WAL mode), so frames a WAL restart overwrites are already durable in the database file;
//! - a process crash (kill -9) loses nothing either way: the frames are in the page cache.

use crate::error::{Result, StoreError};
use std::os::unix::fs::MetadataExt;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use tokio::sync::Mutex;

/// The WAL file of one database and the tickets of its commits.
pub(crate) struct WalSync {
    path: PathBuf,
    /// Tickets handed out: each taken right after its writer's commit.
    taken: AtomicU64,
    /// One fsync at a time: every ticket up to the first value is covered by a finished fsync;
    /// the second is the WAL file (inode) whose folder was last fsynced.
    synced: Mutex<(u64, Option<u64>)>,
}

impl WalSync {
    /// For the database file `db` (its WAL is `<db>-wal`).
    pub(crate) fn new(db: &std::path::Path) -> WalSync {
        let mut path = db.as_os_str().to_owned();
        path.push("-wal");
        WalSync {
            path: path.into(),
            taken: AtomicU64::new(0),
            synced: Mutex::new((0, None)),
        }
    }

    /// A ticket for a commit that just finished (take it after the commit, before the next
    /// write starts).
    pub(crate) fn take(&self) -> u64 {
        self.taken.fetch_add(1, Ordering::SeqCst) + 1
    }

    /// The last ticket taken: waiting for it covers every commit whose ticket was taken.
    pub(crate) fn last(&self) -> u64 {
        self.taken.load(Ordering::SeqCst)
    }

    /// Returns once every commit up to ticket `mine` is durable.
    pub(crate) async fn wait_for(&self, mine: u64) -> Result<()> {
        if mine == 0 {
            return Ok(());
        }
        let mut synced = self.synced.lock().await;
        if synced.0 >= mine {
            return Ok(());
        }
        // Every ticket up to `upto` was taken after its commit, and this fsync starts now.
        let upto = self.taken.load(Ordering::SeqCst);
        let path = self.path.clone();
        let dir_synced_for = synced.1;
        let inode = tokio::task::spawn_blocking(move || sync_wal(&path, dir_synced_for))
            .await
            .map_err(|e| StoreError::Internal(format!("WAL sync task: {e}")))?
            .map_err(|e| StoreError::Internal(format!("fsync {}: {e}", self.path.display())))?;
        *synced = (upto, inode.or(synced.1));
        Ok(())
    }
}

/// fsyncs the WAL file, and its folder when the file is not the one whose folder was synced
/// last; returns the file's inode.
fn sync_wal(path: &std::path::Path, dir_synced_for: Option<u64>) -> std::io::Result<Option<u64>> {
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        // No WAL file: every commit so far was checkpointed (and synced) into the database.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(dir_synced_for),
        Err(e) => return Err(e),
    };
    file.sync_data()?;
    let inode = file.metadata()?.ino();
    if dir_synced_for != Some(inode) {
        sync_parent(path)?;
    }
    Ok(Some(inode))
}

/// fsyncs the folder that holds `path`, so that the entry of a file created in it survives a
/// power cut.
pub(crate) fn sync_parent(path: &std::path::Path) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => std::path::Path::new("."),
    };
    std::fs::File::open(dir)?.sync_all()
}

//! A FUSE filesystem for durability tests: it keeps everything in memory and, at a simulated
//! power cut, throws away every change that was not made durable by fsync.
//!
//! Killing a process cannot test durability: the kernel's page cache outlives the process, so
//! a write that was never fsynced still reads back. Mount a [`PowerCutFs`], let the program
//! under test (a database, a folder of message bodies) work on it, kill the program, call
//! [`PowerCutFs::power_cut`], and check that every write it acknowledged is still there.
//!
//! ```no_run
//! # fn main() -> std::io::Result<()> {
//! use std::io::Write;
//! let dir = std::env::temp_dir().join("powercut-example");
//! std::fs::create_dir_all(&dir)?;
//! let mut fs = powercut_fs::PowerCutFs::mount(&dir)?;
//! let mut file = std::fs::File::create(fs.path().join("a"))?;
//! file.write_all(b"hello")?;
//! file.sync_all()?; // the content is durable...
//! drop(file);
//! let report = fs.power_cut()?;
//! // ...but the directory entry was not: "a" is gone.
//! assert!(!fs.path().join("a").exists(), "{report}");
//! # Ok(())
//! # }
//! ```
//!
//! # Layout
//!
//! ```text
//!   PowerCutFs ── mount.rs ── mount(2) + fuser Session (thread) ── fuse.rs: Filesystem
//!        │                                                            │
//!        └────────── Arc<Mutex<Tree>> ──────────────────────────────── tree.rs (+ content.rs)
//!                    power_cut(): tree/cut.rs builds the next Tree from the durable shadows
//! ```
//!
//! # Durability model
//!
//! Strict POSIX, stricter than ext4. Every inode has its current state, which all reads see,
//! and a durable shadow, which is all that a power cut keeps.
//!
//! - A file's data and size become durable only when that file is fsynced or fdatasynced,
//!   through any handle; a truncate is no different from a write. `fsync` also makes the
//!   metadata (mode, owner, times) durable; `fdatasync` does not.
//! - Directory entries (create, mknod, mkdir, link, unlink, rmdir, and both sides of a rename)
//!   become durable only when that directory is fsynced. A new file whose directory was never
//!   fsynced vanishes at the cut even if its data was fsynced; a file whose entry is durable
//!   but whose data never was comes back with its last durable content (empty if none).
//! - A rename between two directories is durable once both are fsynced. With only the target
//!   fsynced the file comes back under both names (hard-linked); with only the source, under
//!   neither. A rename within one directory needs one fsync of it.
//! - New directories are entries too: `mkdir -p a/b/c` survives only if the root, `a` and `b`
//!   are fsynced after the entries were made.
//! - At the cut the tree is rebuilt from the root's durable entries, recursively, with durable
//!   contents. Inode numbers change.
//!
//! ext4 (`data=ordered`) is kinder: fsyncing a new file commits the journal that holds its
//! directory entry, and a rename becomes durable with the next journal commit (within seconds)
//! even without a directory fsync. A program that passes here does not rely on that.
//!
//! [`PowerCutFs::ignore_fsync`] turns every fsync into a no-op that still answers success, the
//! behaviour of a program that never fsyncs: a durability test must fail with it on.
//!
//! # Known limits
//!
//! - Only regular files and directories: no symlinks, device nodes, FIFOs or extended
//!   attributes.
//! - `sync(2)`, `syncfs(2)` and `sync -f` make nothing durable: the kernel does not forward
//!   them to a `/dev/fuse` filesystem (`FUSE_SYNCFS` is sent to virtiofs only). `fsync`,
//!   `fdatasync`, `O_SYNC`/`O_DSYNC` writes and `msync(MS_SYNC)` all reach it as `FUSE_FSYNC`.
//! - POSIX locks are kept by the kernel (fuser does not ask for `FUSE_POSIX_LOCKS`): they work
//!   between processes of this machine, which is all SQLite needs.
//! - No permission checks: the tests run as root.
//! - Everything lives in memory; a file may not grow past 16 GiB.
//! - It needs Linux, root (`CAP_SYS_ADMIN`) and `/dev/fuse`; no `fusermount`.

#![deny(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod content;
mod fuse;
mod mount;
mod tree;

use std::collections::BTreeMap;
use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crate::mount::Mount;
use crate::tree::Tree;

/// A mounted power-cut filesystem. Dropping it unmounts (best effort, never panics).
pub struct PowerCutFs {
    /// The canonical mount point.
    path: PathBuf,
    /// Shared with every mount's filesystem, so the switch survives a cut.
    ignore_fsync: Arc<AtomicBool>,
    /// `None` only after a power cut that could not mount again.
    mount: Option<Mount>,
}

impl PowerCutFs {
    /// Mounts a new, empty filesystem at `mountpoint` (an existing empty directory).
    ///
    /// Needs root (`CAP_SYS_ADMIN`) and `/dev/fuse`. The mount allows other users
    /// (`allow_other`) and is served by a background thread until the handle is dropped.
    pub fn mount(mountpoint: &Path) -> io::Result<PowerCutFs> {
        let path = mountpoint.canonicalize()?;
        if std::fs::read_dir(&path)?.next().is_some() {
            let message = format!("mount point {} is not empty", path.display());
            return Err(io::Error::new(io::ErrorKind::InvalidInput, message));
        }
        let ignore_fsync = Arc::new(AtomicBool::new(false));
        let (uid, gid) = (
            nix::unistd::getuid().as_raw(),
            nix::unistd::getgid().as_raw(),
        );
        let mount = Mount::new(&path, Tree::new(uid, gid), Arc::clone(&ignore_fsync))?;
        Ok(PowerCutFs {
            path,
            ignore_fsync,
            mount: Some(mount),
        })
    }

    /// The mount point.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// A simulated power cut: unmount, forget every change that was not durable, and mount
    /// again at the same place with only the durable state. Processes using the mount must be
    /// gone (killed) first; the caller must have closed its own files there.
    ///
    /// The cut happens at the start of the call: a request that still arrives afterwards fails
    /// with `EIO`. If the mount stays busy for 5 seconds it is detached (`MNT_DETACH`), so the
    /// cut still happens and the stragglers keep failing.
    pub fn power_cut(&mut self) -> io::Result<CutReport> {
        let mut mount = self.mount.take().ok_or_else(|| {
            let message = "not mounted: an earlier power cut could not mount again";
            io::Error::new(io::ErrorKind::NotConnected, message)
        })?;
        let (tree, report) = mount.cut();
        if let Err(e) = mount.unmount() {
            self.mount = Some(mount);
            return Err(e);
        }
        drop(mount);
        self.mount = Some(Mount::new(
            &self.path,
            tree,
            Arc::clone(&self.ignore_fsync),
        )?);
        tracing::info!(%report, "power cut");
        Ok(report)
    }

    /// While on, fsync/fdatasync/fsyncdir answer success but make nothing durable: what a
    /// program that never fsyncs would get. For a negative control: a durability test must
    /// fail with it.
    pub fn ignore_fsync(&self, on: bool) {
        self.ignore_fsync.store(on, Ordering::SeqCst);
    }

    /// FUSE requests served since the mount or the last power cut, by kind (`"write"`,
    /// `"fsync"`, `"fsyncdir"`...): what the kernel actually sent.
    pub fn requests(&self) -> BTreeMap<String, u64> {
        self.mount.as_ref().map(Mount::requests).unwrap_or_default()
    }
}

impl Drop for PowerCutFs {
    fn drop(&mut self) {
        if let Some(mut mount) = self.mount.take()
            && let Err(e) = mount.unmount()
        {
            tracing::warn!(path = %self.path.display(), %e, "unmount failed");
        }
    }
}

impl fmt::Debug for PowerCutFs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PowerCutFs")
            .field("path", &self.path)
            .field("ignore_fsync", &self.ignore_fsync.load(Ordering::SeqCst))
            .field("mounted", &self.mount.is_some())
            .finish()
    }
}

/// What a power cut threw away, for test messages. Paths are relative to the mount point.
/// Counts cover the time since the mount or the previous cut.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CutReport {
    /// Files whose name survived but whose content was rolled back to its last fsync.
    pub rolled_back: Vec<PathBuf>,
    /// Directory entries that were there before the cut and are gone after it (their
    /// directory was not fsynced since they were made). Entries below a lost directory are
    /// not listed.
    pub entries_lost: Vec<PathBuf>,
    /// Directory entries that come back: removed or renamed over, without a directory fsync.
    pub entries_restored: Vec<PathBuf>,
    /// Bytes of file content that differ after the cut: rolled-back bytes, plus the size of
    /// each file whose entry was lost.
    pub bytes_discarded: u64,
    /// `fsync`/`fdatasync` requests on files (including ignored ones).
    pub file_syncs: u64,
    /// `fsync` requests on directories (including ignored ones).
    pub dir_syncs: u64,
    /// Syncs answered while [`PowerCutFs::ignore_fsync`] was on.
    pub ignored_syncs: u64,
    /// FUSE requests served, by kind.
    pub requests: BTreeMap<String, u64>,
}

impl CutReport {
    /// Whether the cut threw nothing away.
    pub fn lost_nothing(&self) -> bool {
        self.rolled_back.is_empty()
            && self.entries_lost.is_empty()
            && self.entries_restored.is_empty()
            && self.bytes_discarded == 0
    }
}

impl fmt::Display for CutReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn list(f: &mut fmt::Formatter<'_>, what: &str, paths: &[PathBuf]) -> fmt::Result {
            write!(f, "; {} {what}", paths.len())?;
            for (i, path) in paths.iter().take(8).enumerate() {
                write!(f, "{}{}", if i == 0 { " [" } else { ", " }, path.display())?;
            }
            match paths.len() {
                0 => Ok(()),
                1..=8 => write!(f, "]"),
                n => write!(f, ", and {} more]", n - 8),
            }
        }
        write!(
            f,
            "{} file syncs, {} dir syncs ({} ignored); {} bytes discarded",
            self.file_syncs, self.dir_syncs, self.ignored_syncs, self.bytes_discarded
        )?;
        list(f, "entries lost", &self.entries_lost)?;
        list(f, "files rolled back", &self.rolled_back)?;
        list(f, "entries restored", &self.entries_restored)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_handle_can_move_between_threads() {
        fn send_and_sync<T: Send + Sync>() {}
        send_and_sync::<crate::PowerCutFs>();
        send_and_sync::<crate::CutReport>();
    }
}

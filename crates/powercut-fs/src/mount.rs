//! Mounting and unmounting with mount(2) and umount2(2), as root, without fusermount.
//!
//! We mount ourselves and hand the `/dev/fuse` descriptor to fuser's `Session::from_fd`, instead
//! of letting fuser mount: fuser's own handle unmounts *by path* when it is dropped, and after a
//! power cut that path already holds the next mount. Here only [`Mount::unmount`] unmounts.

use std::fs::{self, OpenOptions};
use std::io;
use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use fuser::{BackgroundSession, Config, Session, SessionACL};
use nix::errno::Errno;
use nix::mount::{MntFlags, MsFlags};
use tracing::{info, warn};

use crate::CutReport;
use crate::fuse::PowerCut;
use crate::tree::Tree;

/// How long an unmount waits for the mount to stop being busy (a killed process's files are
/// closed while it exits), and then for the session thread to end.
const PATIENCE: Duration = Duration::from_secs(5);

/// One live mount: the kernel connection, the thread serving it and the tree behind it.
pub(crate) struct Mount {
    path: PathBuf,
    tree: Arc<Mutex<Tree>>,
    /// `None` once unmounted.
    session: Option<BackgroundSession>,
    /// The connection's number under `/sys/fs/fuse/connections` (the minor of the mount's
    /// device), used to abort a connection that busy processes keep alive.
    connection: Option<u64>,
}

impl Mount {
    /// Mounts `tree` at `path` (absolute) and starts serving it on a background thread.
    pub(crate) fn new(path: &Path, tree: Tree, ignore_fsync: Arc<AtomicBool>) -> io::Result<Mount> {
        let tree = Arc::new(Mutex::new(tree));
        let device = OpenOptions::new()
            .read(true)
            .write(true)
            .open("/dev/fuse")?;
        let options = format!(
            "fd={},rootmode=40755,user_id={},group_id={},allow_other",
            device.as_raw_fd(),
            nix::unistd::getuid(),
            nix::unistd::getgid(),
        );
        let flags = MsFlags::MS_NOSUID | MsFlags::MS_NODEV;
        nix::mount::mount(
            Some("powercut-fs"),
            path,
            Some("fuse.powercut"),
            flags,
            Some(&*options),
        )
        .map_err(|e| {
            io::Error::new(
                io::Error::from(e).kind(),
                format!("mount {}: {e}", path.display()),
            )
        })?;
        let fs = PowerCut::new(Arc::clone(&tree), ignore_fsync);
        // The kernel queued FUSE_INIT at mount(2); `from_fd` answers it before returning.
        let session = Session::from_fd(
            fs,
            OwnedFd::from(device),
            SessionACL::All,
            Config::default(),
        )
        .and_then(Session::spawn);
        let session = match session {
            Ok(session) => session,
            Err(e) => {
                let _ = nix::mount::umount2(path, MntFlags::MNT_DETACH);
                return Err(e);
            }
        };
        let connection = fs::metadata(path)
            .ok()
            .map(|m| nix::sys::stat::minor(m.dev()));
        info!(path = %path.display(), ?connection, "powercut-fs mounted");
        Ok(Mount {
            path: path.to_owned(),
            tree,
            session: Some(session),
            connection,
        })
    }

    /// The power cut itself, under the tree's lock: the tree stops answering, and the durable
    /// state is taken as the next mount's tree.
    pub(crate) fn cut(&self) -> (Tree, CutReport) {
        self.tree
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .power_cut()
    }

    /// Requests served so far, by kind.
    pub(crate) fn requests(&self) -> std::collections::BTreeMap<String, u64> {
        let tree = self.tree.lock().unwrap_or_else(PoisonError::into_inner);
        tree.ops()
            .iter()
            .map(|(op, n)| ((*op).to_owned(), *n))
            .collect()
    }

    /// Unmounts and waits for the session thread. While the mount is busy it retries for a
    /// while; then it detaches the mount (MNT_DETACH) and aborts the connection where fusectl
    /// is mounted, so the stragglers get errors and the mount point is free again.
    pub(crate) fn unmount(&mut self) -> io::Result<()> {
        let Some(session) = self.session.take() else {
            return Ok(());
        };
        let deadline = Instant::now() + PATIENCE;
        let lingering = loop {
            match nix::mount::umount2(&self.path, MntFlags::empty()) {
                Ok(()) | Err(Errno::EINVAL) => break false,
                Err(Errno::EBUSY) if Instant::now() < deadline => {
                    thread::sleep(Duration::from_millis(20));
                }
                Err(Errno::EBUSY) => {
                    warn!(path = %self.path.display(), "mount still busy: detaching it");
                    if let Err(e) = nix::mount::umount2(&self.path, MntFlags::MNT_DETACH) {
                        self.session = Some(session);
                        return Err(e.into());
                    }
                    break !self.abort_connection();
                }
                Err(e) => {
                    self.session = Some(session);
                    return Err(e.into());
                }
            }
        };
        // The kernel ends the connection when the mount goes, and the session thread then
        // stops. A detached mount that could not be aborted lives on until its last file is
        // closed: its thread is left to finish then, serving the dead tree meanwhile.
        let deadline = Instant::now() + if lingering { Duration::ZERO } else { PATIENCE };
        while !session.guard.is_finished() && Instant::now() < deadline {
            thread::sleep(Duration::from_millis(5));
        }
        if session.guard.is_finished() {
            session.join()?;
        } else {
            warn!(path = %self.path.display(), "session thread still running: left behind");
        }
        info!(path = %self.path.display(), "powercut-fs unmounted");
        Ok(())
    }

    /// Aborts the kernel connection through fusectl; whether that worked.
    fn abort_connection(&self) -> bool {
        let Some(connection) = self.connection else {
            return false;
        };
        let abort = format!("/sys/fs/fuse/connections/{connection}/abort");
        match fs::write(&abort, "1") {
            Ok(()) => true,
            Err(e) => {
                warn!(%abort, %e, "cannot abort the FUSE connection (is fusectl mounted?)");
                false
            }
        }
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        if let Err(e) = self.unmount() {
            warn!(path = %self.path.display(), %e, "unmount failed");
        }
    }
}

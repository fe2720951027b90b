//! The shared fixture: a temporary directory with a fresh mount on it.

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Once, mpsc};
use std::thread;
use std::time::Duration;

use powercut_fs::PowerCutFs;
use tempfile::TempDir;

/// Sets up tracing once per test binary (`RUST_LOG` picks the level).
pub fn init_tracing() {
    static INIT: Once = Once::new();
    INIT.call_once(|| {
        let filter =
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into());
        tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_test_writer()
            .init();
    });
}

/// A mount on a temporary directory. Fields drop in order: unmount first, then the directory.
pub struct Fixture {
    pub fs: PowerCutFs,
    _dir: TempDir,
}

impl Fixture {
    pub fn new() -> Fixture {
        init_tracing();
        let dir = tempfile::tempdir().unwrap();
        let fs = PowerCutFs::mount(dir.path()).unwrap();
        Fixture { fs, _dir: dir }
    }

    /// `rel` under the mount point.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.fs.path().join(rel)
    }
}

/// Creates (or truncates) `path` with `data`, fsyncing it when `sync` is set.
pub fn write_file(path: &Path, data: &[u8], sync: bool) {
    let mut file = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(path)
        .unwrap();
    file.write_all(data).unwrap();
    if sync {
        file.sync_all().unwrap();
    }
}

/// fsync of a directory (FUSE `fsyncdir`).
pub fn fsync_dir(path: &Path) {
    File::open(path).unwrap().sync_all().unwrap();
}

/// The content of `path`, or `None` if it does not exist.
pub fn read(path: &Path) -> Option<Vec<u8>> {
    match std::fs::read(path) {
        Ok(bytes) => Some(bytes),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => panic!("read {}: {e}", path.display()),
    }
}

/// Starts `command` with its stdout piped and waits (60 s at most) until it prints a line
/// containing `marker`. The child is then left running, for the caller to kill.
pub fn spawn_until(command: &mut Command, marker: &'static str) -> Child {
    let mut child = command.stdout(Stdio::piped()).spawn().unwrap();
    let stdout = child.stdout.take().unwrap();
    let (ready, wait) = mpsc::channel();
    thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if line.contains(marker) {
                let _ = ready.send(());
            }
        }
    });
    if wait.recv_timeout(Duration::from_secs(60)).is_err() {
        let _ = child.kill();
        panic!("child never printed {marker:?}: {:?}", child.wait());
    }
    child
}

/// SIGKILL, then reap: when this returns, the child's files on the mount are closed.
pub fn kill(mut child: Child) {
    child.kill().unwrap();
    child.wait().unwrap();
}

/// `names` as paths, to compare with a [`powercut_fs::CutReport`]'s lists.
pub fn paths(names: &[&str]) -> Vec<PathBuf> {
    names.iter().map(PathBuf::from).collect()
}

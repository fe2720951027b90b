//! Builders: one per backend, each returning `(guard, store)`. Dropping the guard removes
//! everything the test created (temp folder, s3s-fs process).

use std::net::{SocketAddr, TcpListener};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Mutex, Once};
use std::time::{Duration, Instant};

use blob_store::{Backend, BlobId, BlobStore, BlobStoreConfig};
use tempfile::TempDir;
use tokio::process::{Child, Command};

const BUCKET: &str = "strata-test";
const ACCESS_KEY: &str = "strata-test-key";
const SECRET_KEY: &str = "strata-test-secret";

/// Sets up `tracing` output once per test binary (`RUST_LOG` filters it).
pub fn init_tracing() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let filter = tracing_subscriber::EnvFilter::try_from_default_env()
            .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
        tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_test_writer()
            .with_ansi(false)
            .init();
    });
}

/// Keeps a test's backend alive; dropping it cleans up.
pub struct Guard {
    /// The folder holding the blobs (local) or the s3s-fs root (S3).
    dir: TempDir,
    /// For S3: the s3s-fs process, killed on drop (`kill_on_drop`). A mutex so a test can
    /// stop it early through `&Guard`.
    server: Mutex<Option<Child>>,
    /// Where an object's bytes live on disk, relative to `dir` (for tampering in tests).
    objects_under: PathBuf,
}

impl Guard {
    /// The file that holds `id`'s bytes on disk, for either backend.
    pub fn object_file(&self, id: &BlobId) -> PathBuf {
        let hex = id.hex();
        self.dir.path().join(&self.objects_under).join(format!(
            "blobs/{}/{}/{hex}",
            &hex[..2],
            &hex[2..4]
        ))
    }

    /// For the local folder: writes a file where a crashed object_store put would have left
    /// its staging file (`blobs/ab/cd/<hex>#1`) and returns its path. `None` for S3, which has
    /// no such files.
    pub fn plant_local_staging_leftover(&self) -> Option<PathBuf> {
        if self.is_s3() {
            return None;
        }
        let hex = format!("abcd{}", "0".repeat(60));
        let dir = self
            .dir
            .path()
            .join(&self.objects_under)
            .join("blobs/ab/cd");
        std::fs::create_dir_all(&dir).expect("mkdir fan-out");
        let file = dir.join(format!("{hex}#1"));
        std::fs::write(&file, b"half a put").expect("write staging leftover");
        Some(file)
    }

    /// For the local folder: writes the `#1` file a crashed `put_stream` would leave under
    /// `staging/`. `None` for S3.
    pub fn plant_local_stream_leftover(&self) -> Option<PathBuf> {
        if self.is_s3() {
            return None;
        }
        let file = self.staging_file("9-9-9-crashed#1");
        std::fs::create_dir_all(file.parent().expect("parent")).expect("mkdir staging");
        std::fs::write(&file, b"half a stream").expect("write stream leftover");
        Some(file)
    }

    /// True for the S3 backend.
    pub fn is_s3(&self) -> bool {
        self.objects_under != Path::new("data")
    }

    /// How many files exist under the staging folder (leftovers of streamed uploads).
    pub fn staging_file_count(&self) -> usize {
        fn count(dir: &Path) -> usize {
            std::fs::read_dir(dir).map_or(0, |entries| {
                entries
                    .flatten()
                    .map(|e| {
                        if e.path().is_dir() {
                            count(&e.path())
                        } else {
                            1
                        }
                    })
                    .sum()
            })
        }
        count(&self.dir.path().join(&self.objects_under).join("staging"))
    }

    /// Makes the backend fail: stops the S3 server, or turns the local blob folder into a file.
    pub async fn break_backend(&self) {
        let server = self.server.lock().expect("lock").take();
        if let Some(mut server) = server {
            server.kill().await.expect("kill s3s-fs");
            return;
        }
        let blobs = self.dir.path().join(&self.objects_under).join("blobs");
        if blobs.exists() {
            std::fs::remove_dir_all(&blobs).expect("remove blob folder");
        }
        std::fs::write(&blobs, b"not a folder").expect("replace blob folder by a file");
    }

    /// The file a staging object `name` would occupy on disk, for either backend.
    pub fn staging_file(&self, name: &str) -> PathBuf {
        self.dir
            .path()
            .join(&self.objects_under)
            .join("staging")
            .join(name)
    }
}

/// A local-folder store in a fresh temp dir.
pub async fn local(verify_reads: bool) -> (Guard, BlobStore) {
    let dir = TempDir::new().expect("temp dir");
    let mut config = BlobStoreConfig::local(dir.path().join("data"));
    config.verify_reads = verify_reads;
    let store = BlobStore::new(config).expect("open local store");
    let guard = Guard {
        dir,
        server: Mutex::new(None),
        objects_under: PathBuf::from("data"),
    };
    (guard, store)
}

/// An S3 store backed by a fresh s3s-fs process on an ephemeral loopback port.
pub async fn s3(verify_reads: bool) -> (Guard, BlobStore) {
    let dir = TempDir::new().expect("temp dir");
    std::fs::create_dir(dir.path().join(BUCKET)).expect("create bucket folder");
    let (server, addr) = start_s3s_fs(&dir).await;
    let mut config = BlobStoreConfig::new(Backend::S3 {
        endpoint: Some(format!("http://{addr}")),
        bucket: BUCKET.into(),
        region: "us-east-1".into(),
        access_key_id: ACCESS_KEY.into(),
        secret_access_key: SECRET_KEY.into(),
        allow_http: true,
        prefix: String::new(),
    });
    config.verify_reads = verify_reads;
    // Fail fast when a test stops the server on purpose.
    config.retry_timeout = Duration::from_secs(2);
    let store = BlobStore::new(config).expect("open S3 store");
    let guard = Guard {
        dir,
        server: Mutex::new(Some(server)),
        objects_under: PathBuf::from(BUCKET),
    };
    (guard, store)
}

/// Finds `s3s-fs` on `PATH`, or fails the test with the install command.
fn s3s_fs_binary() -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|dir| dir.join("s3s-fs"))
        .find(|candidate| candidate.is_file())
        .unwrap_or_else(|| {
            panic!(
                "s3s-fs not found on PATH; the S3 blob tests need it. Install it with: \
                 cargo install s3s-fs@0.14.1 --features binary --locked"
            )
        })
}

/// Starts s3s-fs serving `root` and waits (with a deadline) until it accepts connections.
/// The port comes from binding `127.0.0.1:0` and releasing it; if another process grabs it in
/// between, s3s-fs exits and we retry with a new port.
async fn start_s3s_fs(root: &TempDir) -> (Child, SocketAddr) {
    let binary = s3s_fs_binary();
    for _attempt in 0..5 {
        let addr = {
            let probe = TcpListener::bind("127.0.0.1:0").expect("bind probe port");
            probe.local_addr().expect("probe addr")
        };
        let mut child = Command::new(&binary)
            .arg("--host")
            .arg("127.0.0.1")
            .arg("--port")
            .arg(addr.port().to_string())
            .arg("--access-key")
            .arg(ACCESS_KEY)
            .arg("--secret-key")
            .arg(SECRET_KEY)
            .arg(root.path())
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", binary.display()));
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if tokio::net::TcpStream::connect(addr).await.is_ok() {
                return (child, addr);
            }
            if let Ok(Some(status)) = child.try_wait() {
                tracing::warn!(%status, %addr, "s3s-fs exited early; retrying on another port");
                break;
            }
            assert!(
                Instant::now() < deadline,
                "s3s-fs did not listen on {addr} within 20 s"
            );
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
    }
    panic!("s3s-fs failed to start five times");
}

//! A whole cluster as processes on loopback, for the cluster tests: a fresh PostgreSQL
//! database (on the server `STRATA_TEST_PG_URL` points at, which `.ci/run` starts), an
//! `s3s-fs` S3 server over a temp folder, N `strata metad` replicas and M `strata frontend`s,
//! each with its own config file and log. Everything is stopped (and the database dropped)
//! when the [`Cluster`] is dropped.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::BIN;

/// S3 credentials of the test's s3s-fs.
const ACCESS_KEY: &str = "strata-test";
const SECRET_KEY: &str = "strata-test-secret";
const BUCKET: &str = "mail";

/// One process, killed (SIGKILL) when dropped.
pub struct Proc {
    pub child: Child,
    pub name: String,
}

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The cluster secret of the test's members.
pub const CLUSTER_SECRET: &str = "cluster-secret-for-tests";

/// A metad replica.
pub struct Metad {
    pub proc: Option<Proc>,
    pub node_id: u64,
    pub grpc: SocketAddr,
    pub admin: SocketAddr,
    pub health: SocketAddr,
    pub config: PathBuf,
}

/// A frontend.
pub struct Frontend {
    pub proc: Option<Proc>,
    pub imap: SocketAddr,
    pub health: SocketAddr,
    pub config: PathBuf,
}

/// The running cluster.
pub struct Cluster {
    pub dir: tempfile::TempDir,
    pub pg_admin_url: String,
    pub database: String,
    pub database_url: String,
    pub s3: Proc,
    pub s3_addr: SocketAddr,
    pub metads: Vec<Metad>,
    pub frontends: Vec<Frontend>,
    /// The operator admin token (its SHA-256 is in every metad config).
    pub admin_token: String,
}

impl Drop for Cluster {
    fn drop(&mut self) {
        for f in &mut self.frontends {
            f.proc.take();
        }
        for m in &mut self.metads {
            m.proc.take();
        }
        let _ = psql(
            &self.pg_admin_url,
            &format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.database),
        );
    }
}

/// A free loopback port (bound, read, released).
pub fn free_port() -> SocketAddr {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind probe port");
    l.local_addr().expect("probe addr")
}

fn psql(url: &str, sql: &str) -> std::io::Result<std::process::Output> {
    Command::new("psql")
        .args([url, "-q", "-v", "ON_ERROR_STOP=1", "-c", sql])
        .output()
}

/// Runs a SQL query on the cluster's database and returns its unaligned output.
pub fn query(database_url: &str, sql: &str) -> String {
    let out = Command::new("psql")
        .args([
            database_url,
            "-A",
            "-t",
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "-c",
            sql,
        ])
        .output()
        .expect("psql runs");
    assert!(
        out.status.success(),
        "psql {sql}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// Waits (with a deadline) until `child` prints `ready_line` on stdout; the rest of stdout
/// is drained in a thread so the process never blocks on a full pipe.
fn wait_ready(child: &mut Child, ready_line: &str, log: &Path) {
    let out = child.stdout.take().expect("stdout piped");
    let (tx, rx) = std::sync::mpsc::channel();
    let wanted = ready_line.to_string();
    std::thread::spawn(move || {
        let mut sent = false;
        for line in BufReader::new(out).lines() {
            let Ok(line) = line else { break };
            if !sent && line.trim() == wanted {
                let _ = tx.send(());
                sent = true;
            }
        }
    });
    if rx.recv_timeout(Duration::from_secs(60)).is_err() {
        let log = std::fs::read_to_string(log).unwrap_or_default();
        let tail: String = log.lines().rev().take(30).collect::<Vec<_>>().join("\n");
        panic!("process did not print {ready_line:?} within 60 s; log (last lines first):\n{tail}");
    }
}

/// What [`Cluster::start`] builds.
pub struct Shape {
    pub metads: usize,
    pub frontends: usize,
    /// Extra TOML appended to every config file.
    pub extra: String,
}

impl Cluster {
    /// Starts PostgreSQL database, S3, the metads (all at once, as a StatefulSet would) and
    /// then the frontends; returns once every process printed its ready line.
    pub fn start(shape: Shape) -> Cluster {
        let pg_admin_url = std::env::var("STRATA_TEST_PG_URL").expect(
            "STRATA_TEST_PG_URL must point at a PostgreSQL server (bash .ci/run starts one)",
        );
        let dir = tempfile::tempdir().expect("temp dir");
        let database = format!(
            "strata_cluster_{}_{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_millis()
        );
        let created = psql(&pg_admin_url, &format!("CREATE DATABASE {database}")).expect("psql");
        assert!(
            created.status.success(),
            "CREATE DATABASE: {}",
            String::from_utf8_lossy(&created.stderr)
        );
        let database_url = match pg_admin_url.rsplit_once('/') {
            Some((base, _)) => format!("{base}/{database}"),
            None => panic!("STRATA_TEST_PG_URL has no database part"),
        };
        let (s3, s3_addr) = start_s3(dir.path());
        let admin_token = "operator-token-for-tests".to_string();
        let token_sha = strata_admin::token_sha256(&admin_token);
        let common = format!(
            "[database]\nurl = \"{database_url}\"\nmax_connections = 16\n\
             [blobs]\nbackend = \"s3\"\ns3_endpoint = \"http://{s3_addr}\"\ns3_bucket = \"{BUCKET}\"\n\
             s3_access_key_id = \"{ACCESS_KEY}\"\ns3_secret_access_key = \"{SECRET_KEY}\"\n\
             s3_allow_http = true\nretry_timeout_secs = 5\n\
             [auth]\nargon2_m_cost = 64\nargon2_t_cost = 1\nargon2_p_cost = 1\nfailure_delay_ms = 100\n\
             failures_per_ip_per_minute = 1000\nfailures_per_account_per_minute = 1000\n\
             [imap]\nmax_connections_per_ip = 1000\nmax_connections_per_account = 200\n\
             [log]\nformat = \"json\"\nfilter = \"info\"\n\
             [cluster]\nsecret = \"{CLUSTER_SECRET}\"\n"
        );
        let metad_addrs: Vec<(SocketAddr, SocketAddr, SocketAddr)> = (0..shape.metads)
            .map(|_| (free_port(), free_port(), free_port()))
            .collect();
        let peers: Vec<String> = metad_addrs
            .iter()
            .map(|(g, _, _)| format!("\"{g}\""))
            .collect();
        let mut metads = Vec::new();
        for (i, (grpc, health, admin)) in metad_addrs.iter().enumerate() {
            let node = i as u64 + 1;
            let config = dir.path().join(format!("metad{node}.toml"));
            std::fs::write(
                &config,
                format!(
                    "data_dir = \"{}\"\n{common}\
                     [metad]\nlisten = \"{grpc}\"\nadmin_listen = \"{admin}\"\n\
                     health_listen = \"{health}\"\nnode_id = {node}\n\
                     peers = [{}]\nlost_after_ms = 2500\nadmin_token_sha256 = [\"{token_sha}\"]\n\
                     tenant_token_sha256 = [\"tenant.example:{}\"]\n{}",
                    dir.path().join(format!("metad{node}")).display(),
                    peers.join(", "),
                    strata_admin::token_sha256("tenant-token-for-tests"),
                    shape.extra
                ),
            )
            .unwrap();
            metads.push(Metad {
                proc: None,
                node_id: node,
                grpc: *grpc,
                admin: *admin,
                health: *health,
                config,
            });
        }
        let mut cluster = Cluster {
            dir,
            pg_admin_url,
            database,
            database_url,
            s3,
            s3_addr,
            metads,
            frontends: Vec::new(),
            admin_token,
        };
        // All replicas at once: the raft group forms when a majority is up.
        let mut starting: Vec<(usize, Child, PathBuf)> = Vec::new();
        for i in 0..cluster.metads.len() {
            let (child, log) = cluster.spawn_metad(i);
            starting.push((i, child, log));
        }
        for (i, mut child, log) in starting {
            wait_ready(&mut child, "metad ready.", &log);
            cluster.metads[i].proc = Some(Proc {
                child,
                name: format!("metad{}", i + 1),
            });
        }
        let endpoints: Vec<String> = cluster
            .metads
            .iter()
            .map(|m| format!("\"http://{}\"", m.grpc))
            .collect();
        for i in 0..shape.frontends {
            let (imap, imaps, health) = (free_port(), free_port(), free_port());
            let config = cluster.dir.path().join(format!("frontend{}.toml", i + 1));
            std::fs::write(
                &config,
                format!(
                    "data_dir = \"{}\"\n{common}\
                     [frontend]\nmetad = [{}]\nhealth_listen = \"{health}\"\n{}",
                    cluster
                        .dir
                        .path()
                        .join(format!("frontend{}", i + 1))
                        .display(),
                    endpoints.join(", "),
                    shape.extra
                ),
            )
            .unwrap();
            let log = cluster.dir.path().join(format!("frontend{}.log", i + 1));
            let mut child = Command::new(BIN)
                .arg("--config")
                .arg(&config)
                .args(["frontend", "--imap"])
                .arg(imap.to_string())
                .arg("--imaps")
                .arg(imaps.to_string())
                .stdout(Stdio::piped())
                .stderr(std::fs::File::create(&log).unwrap())
                .spawn()
                .expect("start strata frontend");
            wait_ready(&mut child, "Frontend ready.", &log);
            cluster.frontends.push(Frontend {
                proc: Some(Proc {
                    child,
                    name: format!("frontend{}", i + 1),
                }),
                imap,
                health,
                config,
            });
        }
        cluster
    }

    fn spawn_metad(&self, i: usize) -> (Child, PathBuf) {
        let m = &self.metads[i];
        let log = self.dir.path().join(format!("metad{}.log", m.node_id));
        let stderr = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log)
            .unwrap();
        let child = Command::new(BIN)
            .arg("--config")
            .arg(&m.config)
            .arg("metad")
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .expect("start strata metad");
        (child, log)
    }

    /// Restarts a killed replica from its data dir and waits until it is ready.
    pub fn restart_metad(&mut self, i: usize) {
        let (mut child, log) = self.spawn_metad(i);
        wait_ready(&mut child, "metad ready.", &log);
        self.metads[i].proc = Some(Proc {
            child,
            name: format!("metad{}", i + 1),
        });
    }

    /// `kill -9` of a process.
    pub fn kill(proc: &mut Option<Proc>) {
        if let Some(mut p) = proc.take() {
            p.child.kill().expect("kill -9");
            let _ = p.child.wait();
        }
    }

    /// `strata --config <metad1> ARGS…` with `stdin`, for `user add` and the offline commands.
    pub fn strata(&self, args: &[&str], stdin: &str) -> std::process::Output {
        use std::io::Write;
        let mut c = Command::new(BIN)
            .arg("--config")
            .arg(&self.metads[0].config)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("strata runs");
        c.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
        c.wait_with_output().unwrap()
    }

    /// Adds an account through the database (`strata user add` with metad's config).
    pub fn add_user(&self, user: &str, password: &str) {
        let out = self.strata(
            &["user", "add", user, "--password-stdin"],
            &format!("{password}\n"),
        );
        assert!(
            out.status.success(),
            "user add {user}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// The log of a process, for failure messages.
    pub fn log(&self, name: &str) -> String {
        std::fs::read_to_string(self.dir.path().join(format!("{name}.log"))).unwrap_or_default()
    }
}

/// Starts s3s-fs over `<dir>/s3` (with the bucket folder) on a free port.
fn start_s3(dir: &Path) -> (Proc, SocketAddr) {
    let root = dir.join("s3");
    std::fs::create_dir_all(root.join(BUCKET)).unwrap();
    for _ in 0..5 {
        let addr = free_port();
        let mut child = Command::new("s3s-fs")
            .args(["--host", "127.0.0.1", "--port"])
            .arg(addr.port().to_string())
            .args(["--access-key", ACCESS_KEY, "--secret-key", SECRET_KEY])
            .arg(&root)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect(
                "s3s-fs must be installed (bash .ci/run does: cargo install s3s-fs@0.14.1 \
                 --features binary --locked)",
            );
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if std::net::TcpStream::connect(addr).is_ok() {
                return (
                    Proc {
                        child,
                        name: "s3s-fs".into(),
                    },
                    addr,
                );
            }
            if let Ok(Some(_)) = child.try_wait() {
                break;
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        let _ = child.kill();
        let _ = child.wait();
    }
    panic!("s3s-fs did not start");
}

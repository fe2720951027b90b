//! Shared by the end-to-end tests: starts the real `strata serve` on ephemeral loopback ports
//! with a temporary data dir, and adds users with `strata user add`.
#![allow(dead_code)] // each test binary uses its own subset

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

pub mod cluster;
pub mod imap;

/// The `strata` binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_strata");

/// Kills the server when the test ends, whatever happens.
pub struct Server(pub Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `strata serve` and returns it with its two ports, read from what it prints.
pub fn start(dir: &std::path::Path, log: std::fs::File) -> (Server, u16, u16) {
    start_with(dir, log, &[])
}

/// Like [`start`], with extra arguments for `strata serve` (e.g. `--config FILE`).
pub fn start_with(dir: &std::path::Path, log: std::fs::File, extra: &[&str]) -> (Server, u16, u16) {
    start_limited(dir, log, extra, None)
}

/// Like [`start_with`], with at most `nofile` open file descriptors when given (`ulimit -n`
/// in a shell that then execs the server, so the child's pid is the server's).
pub fn start_limited(
    dir: &std::path::Path,
    log: std::fs::File,
    extra: &[&str],
    nofile: Option<u32>,
) -> (Server, u16, u16) {
    let mut command = match nofile {
        Some(n) => {
            let mut c = Command::new("sh");
            c.args(["-c", &format!("ulimit -n {n} && exec \"$0\" \"$@\""), BIN]);
            c
        }
        None => Command::new(BIN),
    };
    let child = command
        .args(["serve", "--log-format", "json", "--data-dir"])
        .arg(dir)
        .args(["--imap", "127.0.0.1:0", "--imaps", "127.0.0.1:0"])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(log)
        .spawn()
        .expect("start strata serve");
    let mut server = Server(child);
    let out = server.0.stdout.take().expect("stdout");
    let (mut imap, mut imaps) = (0, 0);
    for line in BufReader::new(out).lines() {
        let line = line.expect("server output");
        let port = || {
            line.split_whitespace()
                .nth(1)
                .and_then(|a| a.rsplit(':').next()?.parse().ok())
        };
        if line.trim_start().starts_with("imaps ") {
            imaps = port().expect("imaps port");
        } else if line.trim_start().starts_with("imap ") {
            imap = port().expect("imap port");
        }
        if line.starts_with("Add a user") {
            break;
        }
    }
    assert!(imap > 0 && imaps > 0, "the server printed both listeners");
    (server, imap, imaps)
}

/// Adds `user` with `password` through `strata user add --password-stdin`.
pub fn add_user(dir: &std::path::Path, user: &str, password: &str) {
    let mut add = Command::new(BIN)
        .args(["user", "add", user, "--password-stdin", "--data-dir"])
        .arg(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("strata user add");
    use std::io::Write;
    writeln!(add.stdin.take().unwrap(), "{password}").unwrap();
    assert!(add.wait().unwrap().success());
}

/// Like [`add_user`], with extra arguments for `strata` before `user add` (e.g. `--config FILE`
/// with cheap argon2 costs, so that logins in a debug build take milliseconds).
pub fn add_user_with(dir: &std::path::Path, user: &str, password: &str, extra: &[&str]) {
    let mut add = Command::new(BIN)
        .args(extra)
        .args(["user", "add", user, "--password-stdin", "--data-dir"])
        .arg(dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("strata user add");
    use std::io::Write;
    writeln!(add.stdin.take().unwrap(), "{password}").unwrap();
    assert!(add.wait().unwrap().success());
}

/// Runs `tests/clients/<script>` with python3 and `args`; panics with its output if it fails,
/// returns its stdout otherwise.
pub fn python(script: &str, args: &[&str]) -> String {
    let path = format!(
        "{}/../../tests/clients/{script}",
        env!("CARGO_MANIFEST_DIR")
    );
    let out = Command::new("python3")
        .arg(&path)
        .args(args)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "{script} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A blocking connection to `to` from the loopback address `source` when given, with a
/// receive buffer of `recv_buffer` octets when given (std can neither bind nor size the
/// buffer before connecting).
pub fn connect_from(
    source: Option<std::net::IpAddr>,
    to: std::net::SocketAddr,
    recv_buffer: Option<u32>,
) -> std::io::Result<std::net::TcpStream> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()?;
    rt.block_on(async {
        let socket = tokio::net::TcpSocket::new_v4()?;
        if let Some(source) = source {
            socket.bind(std::net::SocketAddr::new(source, 0))?;
        }
        if let Some(size) = recv_buffer {
            socket.set_recv_buffer_size(size)?;
        }
        let stream = socket.connect(to).await?.into_std()?;
        stream.set_nonblocking(false)?;
        Ok(stream)
    })
}

/// The last `n` lines of `text` (a log, a client's output) for a failure message.
pub fn tail(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

/// Waits for `child` until `deadline` has passed since `started`; then kills it and returns
/// `None` (a client that hangs fails its test instead of the whole run).
pub fn wait_or_kill(
    child: &mut std::process::Child,
    started: std::time::Instant,
    deadline: std::time::Duration,
) -> Option<std::process::ExitStatus> {
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return Some(status);
        }
        if started.elapsed() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

/// Sets up `tracing` output once per test binary (`RUST_LOG` filters it; `info` without it).
pub fn init_tracing() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let filter = tracing_subscriber::EnvFilter::try_from_default_env()
            .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
        let _ = tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_test_writer()
            .with_ansi(false)
            .try_init();
    });
}

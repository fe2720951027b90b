//! End to end: the real `strata serve` on ephemeral loopback ports with a temporary data dir,
//! driven by real clients: Python's imaplib (tests/clients/imaplib_basic.py) and `curl imap://`.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

const BIN: &str = env!("CARGO_BIN_EXE_strata");

/// Kills the server when the test ends, whatever happens.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `strata serve` and returns it with its two ports, read from what it prints.
fn start(dir: &std::path::Path, log: std::fs::File) -> (Server, u16, u16) {
    let child = Command::new(BIN)
        .args(["serve", "--log-format", "json", "--data-dir"])
        .arg(dir)
        .args(["--imap", "127.0.0.1:0", "--imaps", "127.0.0.1:0"])
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

fn add_user(dir: &std::path::Path, user: &str, password: &str) {
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

#[test]
fn imaplib_and_curl_against_strata_serve() {
    let dir = tempfile::tempdir().unwrap();
    add_user(dir.path(), "alice@example.org", "s3cret pass");
    let log_path = dir.path().join("server.log");
    let (server, imap, imaps) = start(dir.path(), std::fs::File::create(&log_path).unwrap());

    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/clients/imaplib_basic.py"
    );
    let out = Command::new("python3")
        .arg(script)
        .args([
            &imap.to_string(),
            &imaps.to_string(),
            "alice@example.org",
            "s3cret pass",
        ])
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "imaplib script failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );

    // curl: list the mailboxes, then fetch the message imaplib appended, by UID.
    let curl = |url: String| {
        let out = Command::new("curl")
            .args([
                "-sS",
                "--max-time",
                "20",
                "--user",
                "alice@example.org:s3cret pass",
                &url,
            ])
            .output()
            .expect("curl runs");
        assert!(
            out.status.success(),
            "curl {url}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    let list = curl(format!("imap://127.0.0.1:{imap}/"));
    assert!(
        list.contains("* LIST (\\HasNoChildren \\Sent) \"/\" Sent"),
        "{list}"
    );
    assert!(list.contains("\"/\" Projects"), "{list}");
    let msg = curl(format!("imap://127.0.0.1:{imap}/INBOX;UID=1"));
    assert!(
        msg.contains("Subject: e2e") && msg.ends_with("Hello from imaplib.\r\n"),
        "{msg:?}"
    );

    // --log-format json: one JSON object per line, one per command with its fields.
    drop(server);
    let log = std::fs::read_to_string(&log_path).unwrap();
    let login = log
        .lines()
        .find(|l| l.contains("\"command\":\"LOGIN\""))
        .unwrap_or_else(|| panic!("no LOGIN event in the log:\n{log}"));
    assert!(login.starts_with('{') && login.ends_with('}'), "{login}");
    assert!(login.contains("\"session\":"), "{login}");
}

//! End to end: the real `strata serve` on ephemeral loopback ports with a temporary data dir,
//! driven by real clients: Python's imaplib (tests/clients/imaplib_basic.py) and `curl imap://`.

use std::process::Command;

mod support;

use support::{add_user, python, start, start_with};

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
        .find(|l| l.contains("\"command\":\"LOGIN\"") && l.contains("\"result\":\"Ok\""))
        .unwrap_or_else(|| panic!("no LOGIN event in the log:\n{log}"));
    assert!(login.starts_with('{') && login.ends_with('}'), "{login}");
    for field in [
        "\"session\":",
        "\"peer\":\"127.0.0.1:",
        "\"user\":\"alice@example.org\"",
        "\"micros\":",
    ] {
        assert!(login.contains(field), "{field} in {login}");
    }
}

/// SCRAM-SHA-256 with an independent client (Python's scramp): `strata user add` stores the
/// verifier; `strata user passwd` replaces it, so the old password stops working.
#[test]
fn scram_sha256_with_scramp() {
    let dir = tempfile::tempdir().unwrap();
    add_user(dir.path(), "bob@example.org", "pencil and paper");
    let log = std::fs::File::create(dir.path().join("server.log")).unwrap();
    let (_server, imap, _) = start(dir.path(), log);
    let port = imap.to_string();
    let out = python(
        "scram_login.py",
        &[&port, "bob@example.org", "pencil and paper", "pencil"],
    );
    assert!(out.contains("scram ok"), "{out}");
    let mut passwd = Command::new(support::BIN)
        .args([
            "user",
            "passwd",
            "bob@example.org",
            "--password-stdin",
            "--data-dir",
        ])
        .arg(dir.path())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    use std::io::Write;
    writeln!(passwd.stdin.take().unwrap(), "a new passphrase").unwrap();
    assert!(passwd.wait().unwrap().success());
    let out = python(
        "scram_login.py",
        &[
            &port,
            "bob@example.org",
            "a new passphrase",
            "pencil and paper",
        ],
    );
    assert!(out.contains("scram ok"), "{out}");
}

/// COMPRESS=DEFLATE (RFC 4978) on a real connection, against Python's zlib.
#[test]
fn compress_deflate_with_zlib() {
    let dir = tempfile::tempdir().unwrap();
    add_user(dir.path(), "dora@example.org", "squeeze me");
    let log = std::fs::File::create(dir.path().join("server.log")).unwrap();
    let (_server, imap, _) = start(dir.path(), log);
    let out = python(
        "compress_deflate.py",
        &[&imap.to_string(), "dora@example.org", "squeeze me"],
    );
    assert!(out.contains("compress ok"), "{out}");
}

/// A certificate pair made by `openssl req` (a tool operators use), written to `dir`.
fn openssl_pair(dir: &std::path::Path, name: &str) -> (std::path::PathBuf, std::path::PathBuf) {
    let (cert, key) = (
        dir.join(format!("{name}.crt")),
        dir.join(format!("{name}.key")),
    );
    let out = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
        ])
        .args(["-nodes", "-days", "2", "-subj", &format!("/CN={name}")])
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .expect("openssl runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    (cert, key)
}

/// The certificate the implicit-TLS port presents, as PEM (Python's ssl).
fn presented(port: u16) -> String {
    let out = Command::new("python3")
        .args([
            "-c",
            "import ssl,sys; print(ssl.get_server_certificate(('127.0.0.1', int(sys.argv[1]))))",
            &port.to_string(),
        ])
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn same_pem(a: &str, b: &str) -> bool {
    let body = |s: &str| s.split_whitespace().collect::<String>();
    body(a) == body(b)
}

/// An operator's certificate from `[tls]`, replaced on disk and put in service by SIGHUP
/// without a restart; a broken replacement is refused and the previous one stays.
#[test]
fn certificate_reload_on_sighup() {
    let dir = tempfile::tempdir().unwrap();
    let (cert, key) = openssl_pair(dir.path(), "first");
    let config = dir.path().join("strata.toml");
    std::fs::write(
        &config,
        format!(
            "[tls]\ncert = {:?}\nkey = {:?}\nreload_check_secs = 0\n",
            cert.display().to_string(),
            key.display().to_string()
        ),
    )
    .unwrap();
    let log = std::fs::File::create(dir.path().join("server.log")).unwrap();
    let config_arg = config.display().to_string();
    let (server, _, imaps) = start_with(dir.path(), log, &["--config", &config_arg]);
    let first = std::fs::read_to_string(&cert).unwrap();
    assert!(same_pem(&presented(imaps), &first));

    let hangup = |pid: u32| {
        let ok = Command::new("kill")
            .args(["-HUP", &pid.to_string()])
            .status()
            .unwrap();
        assert!(ok.success());
    };
    let wait_for = |want: &str| {
        for _ in 0..100 {
            if same_pem(&presented(imaps), want) {
                return true;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        false
    };
    // A broken pair (the new chain with the old key) is refused: the first stays.
    let (cert2, key2) = openssl_pair(dir.path(), "second");
    std::fs::copy(&cert2, &cert).unwrap();
    hangup(server.0.id());
    std::thread::sleep(std::time::Duration::from_millis(500));
    assert!(same_pem(&presented(imaps), &first), "old certificate kept");
    // The complete pair is taken.
    std::fs::copy(&key2, &key).unwrap();
    hangup(server.0.id());
    let second = std::fs::read_to_string(&cert2).unwrap();
    assert!(
        wait_for(&second),
        "the renewed certificate is served after SIGHUP"
    );
    let log = std::fs::read_to_string(dir.path().join("server.log")).unwrap();
    assert!(log.contains("TLS certificate reloaded"), "{log}");
    assert!(log.contains("TLS certificate not reloaded"), "{log}");
}

/// `strata reindex USER` rebuilds an account's index from its mailboxes (server stopped), and
/// names an unknown account as such.
#[test]
fn reindex_rebuilds_an_account() {
    let dir = tempfile::tempdir().unwrap();
    add_user(dir.path(), "erin@example.org", "index me");
    let log = std::fs::File::create(dir.path().join("server.log")).unwrap();
    let (server, imap, _) = start(dir.path(), log);
    let script = "import imaplib, sys\n\
        m = imaplib.IMAP4('127.0.0.1', int(sys.argv[1]))\n\
        m.login('erin@example.org', 'index me')\n\
        for i in range(3):\n    m.append('INBOX', None, None, b'Subject: s%d\\r\\n\\r\\nbody %d\\r\\n' % (i, i))\n\
        m.append('Archive', None, None, b'Subject: s0\\r\\n\\r\\nbody 0\\r\\n')\n\
        m.logout()\n";
    let out = Command::new("python3")
        .args(["-c", script, &imap.to_string()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    drop(server);
    let reindex = |user: &str| {
        Command::new(support::BIN)
            .args(["reindex", user, "--data-dir"])
            .arg(dir.path())
            .output()
            .unwrap()
    };
    let out = reindex("erin@example.org");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Four messages, three distinct bodies: the copy in Archive is indexed once.
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "reindexed erin@example.org: 3 bodies\n"
    );
    let out = reindex("nobody@example.org");
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("no account nobody@example.org"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A raw IMAP connection for [`sigterm_says_bye_to_every_session`]: lines in, lines out.
struct Raw {
    r: std::io::BufReader<std::net::TcpStream>,
    w: std::net::TcpStream,
}

impl Raw {
    fn connect(port: u16) -> Raw {
        let w = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
        w.set_read_timeout(Some(std::time::Duration::from_secs(30)))
            .unwrap();
        let mut raw = Raw {
            r: std::io::BufReader::new(w.try_clone().unwrap()),
            w,
        };
        assert!(raw.line().starts_with("* OK"), "greeting");
        raw
    }

    fn line(&mut self) -> String {
        use std::io::BufRead;
        let mut l = String::new();
        self.r.read_line(&mut l).unwrap();
        l
    }

    /// Sends `cmd` as tag `tag` and reads to its tagged response, which is returned.
    fn run(&mut self, tag: &str, cmd: &str) -> String {
        use std::io::Write;
        write!(self.w, "{tag} {cmd}\r\n").unwrap();
        loop {
            let l = self.line();
            assert!(!l.is_empty(), "connection closed during {cmd}");
            if l.starts_with(&format!("{tag} ")) {
                return l;
            }
        }
    }

    /// Everything until the server closes the connection.
    fn rest(&mut self) -> String {
        let mut all = String::new();
        loop {
            let l = self.line();
            if l.is_empty() {
                return all;
            }
            all.push_str(&l);
        }
    }
}

/// SIGTERM stops the server gracefully: every session (not logged in, selected, in IDLE, in the
/// middle of AUTHENTICATE) gets `* BYE`; an APPEND whose literal is still arriving is received
/// and run first; the listener refuses new connections at once; the server exits with success
/// within the grace.
#[test]
fn sigterm_says_bye_to_every_session() {
    let dir = tempfile::tempdir().unwrap();
    add_user(dir.path(), "tess@example.org", "stop gently");
    let log = std::fs::File::create(dir.path().join("server.log")).unwrap();
    let (mut server, imap, _) = start(dir.path(), log);
    let mut fresh = Raw::connect(imap);
    let mut selected = Raw::connect(imap);
    assert!(
        selected
            .run("a1", "LOGIN tess@example.org \"stop gently\"")
            .starts_with("a1 OK")
    );
    assert!(selected.run("a2", "SELECT INBOX").starts_with("a2 OK"));
    let mut idling = Raw::connect(imap);
    assert!(
        idling
            .run("b1", "LOGIN tess@example.org \"stop gently\"")
            .starts_with("b1 OK")
    );
    assert!(idling.run("b2", "SELECT INBOX").starts_with("b2 OK"));
    {
        use std::io::Write;
        write!(idling.w, "b3 IDLE\r\n").unwrap();
        assert!(idling.line().starts_with("+ "), "IDLE continuation");
    }
    let mut authenticating = Raw::connect(imap);
    let mut uploading = Raw::connect(imap);
    assert!(
        uploading
            .run("c1", "LOGIN tess@example.org \"stop gently\"")
            .starts_with("c1 OK")
    );
    let message = "Subject: last one in\r\n\r\nsent while the server stops\r\n";
    let (first, second) = message.split_at(20);
    {
        use std::io::Write;
        write!(authenticating.w, "d1 AUTHENTICATE PLAIN\r\n").unwrap();
        assert!(authenticating.line().starts_with("+"), "SASL challenge");
        write!(uploading.w, "c2 APPEND INBOX {{{}}}\r\n", message.len()).unwrap();
        assert!(uploading.line().starts_with("+ "), "literal continuation");
        uploading.w.write_all(first.as_bytes()).unwrap();
    }
    let started = std::time::Instant::now();
    let ok = Command::new("kill")
        .args(["-TERM", &server.0.id().to_string()])
        .status()
        .unwrap();
    assert!(ok.success());
    for (name, conn) in [
        ("not logged in", &mut fresh),
        ("selected", &mut selected),
        ("in IDLE", &mut idling),
    ] {
        let said = conn.rest();
        assert!(
            said.contains("* BYE Strata is shutting down"),
            "{name}: {said:?}"
        );
    }
    let said = authenticating.rest();
    assert!(
        said.starts_with("d1 NO [UNAVAILABLE]") && said.contains("* BYE Strata is shutting down"),
        "in AUTHENTICATE: {said:?}"
    );
    // The stop has begun and the upload holds the server: the listener is already closed.
    let refused = std::net::TcpStream::connect(("127.0.0.1", imap));
    assert!(
        refused.is_err(),
        "a connection during the grace is refused, not left in the backlog"
    );
    {
        use std::io::Write;
        uploading.w.write_all(second.as_bytes()).unwrap();
        uploading.w.write_all(b"\r\n").unwrap();
    }
    let said = uploading.rest();
    let ok_at = said
        .find("c2 OK")
        .unwrap_or_else(|| panic!("the APPEND ran: {said:?}"));
    let bye_at = said.find("* BYE Strata is shutting down");
    assert!(bye_at.is_some_and(|b| b > ok_at), "then BYE: {said:?}");
    let status = loop {
        if let Some(s) = server.0.try_wait().unwrap() {
            break s;
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "the server exits within its grace"
        );
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    let log = std::fs::read_to_string(dir.path().join("server.log")).unwrap();
    assert!(status.success(), "a graceful stop: {status:?}\n{log}");
}

//! End-to-end tests of `strata user …`: the real binary, a temp data dir, cheap argon2 costs.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use store::SqliteStore;
use store::prelude::*;

/// One run of the binary.
struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

/// A temp data dir and a config file with cheap argon2 costs.
struct Env {
    _tmp: tempfile::TempDir,
    data: PathBuf,
    config: PathBuf,
}

impl Env {
    fn new() -> Env {
        let tmp = tempfile::tempdir().expect("tempdir");
        let config = tmp.path().join("strata.toml");
        std::fs::write(
            &config,
            "[auth]\nargon2_m_cost = 64\nargon2_t_cost = 1\nargon2_p_cost = 1\n",
        )
        .expect("config");
        Env {
            data: tmp.path().join("data"),
            config,
            _tmp: tmp,
        }
    }

    /// Runs `strata --config … --data-dir … ARGS` with `stdin` (and no inherited STRATA_*).
    fn run(&self, args: &[&str], stdin: &[u8]) -> Out {
        let mut child = Command::new(env!("CARGO_BIN_EXE_strata"))
            .env_clear()
            .arg("--config")
            .arg(&self.config)
            .arg("--data-dir")
            .arg(&self.data)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn strata");
        // The binary may exit before reading all of stdin (a refused address, an over-long
        // password): a broken pipe is expected then.
        if let Err(e) = child.stdin.take().expect("stdin").write_all(stdin) {
            assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "write stdin: {e}");
        }
        let out = child.wait_with_output().expect("wait");
        Out {
            code: out.status.code().expect("exit code"),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Runs and expects success.
    fn ok(&self, args: &[&str], stdin: &[u8]) -> String {
        let out = self.run(args, stdin);
        assert_eq!(out.code, 0, "{args:?}: {}", out.stderr);
        out.stdout
    }

    /// Runs and expects exit 1 with a one-line message containing `needle`.
    fn fails(&self, args: &[&str], stdin: &[u8], needle: &str) {
        let out = self.run(args, stdin);
        assert_eq!(out.code, 1, "{args:?}: {} {}", out.stdout, out.stderr);
        assert!(out.stderr.contains(needle), "{args:?}: {}", out.stderr);
        assert_eq!(out.stderr.trim_end().lines().count(), 1, "{}", out.stderr);
    }

    /// The stored PHC hash of `address`.
    fn hash(&self, address: &str) -> String {
        let db = self.data.join("meta.db");
        rt().block_on(async {
            let store = SqliteStore::open(&db).await.expect("open");
            let creds = store.credentials(address).await.expect("credentials");
            creds.expect("account exists").password_hash
        })
    }

    /// The account's mailbox names.
    fn mailboxes(&self, address: &str) -> Vec<String> {
        let db = self.data.join("meta.db");
        rt().block_on(async {
            let store = SqliteStore::open(&db).await.expect("open");
            let creds = store.credentials(address).await.expect("credentials");
            let account = creds.expect("account exists").account;
            let boxes = store.list_mailboxes(account).await.expect("mailboxes");
            boxes.into_iter().map(|m| m.name).collect()
        })
    }
}

fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

fn verify(password: &str, phc: &str) -> bool {
    use argon2::password_hash::PasswordVerifier;
    use argon2::password_hash::phc::PasswordHash;
    let hash = PasswordHash::new(phc).expect("PHC string");
    argon2::Argon2::default()
        .verify_password(password.as_bytes(), &hash)
        .is_ok()
}

fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .expect("metadata")
        .permissions()
        .mode()
        & 0o777
}

/// An operator adds a user, sees it listed, changes its password and quota, and deletes it.
#[test]
fn user_lifecycle() {
    let env = Env::new();
    let alice = "alice@example.org";

    // add → list shows it; the data dir is private; the default mailboxes exist.
    let out = env.ok(
        &["user", "add", "Alice@Example.org", "--password-stdin"],
        b"first\n",
    );
    assert_eq!(out.trim(), "added alice@example.org");
    let list = env.ok(&["user", "list"], b"");
    assert_eq!(list, "alice@example.org\tstorage=none\tmessages=none\n");
    for dir in ["", "blobs", "tls"] {
        assert_eq!(mode(&env.data.join(dir)), 0o700, "{dir}");
    }
    assert!(env.data.join("meta.db").is_file());
    let mut boxes = env.mailboxes(alice);
    boxes.sort();
    assert_eq!(
        boxes,
        ["Archive", "Drafts", "INBOX", "Junk", "Sent", "Trash"]
    );

    // The hash is argon2id with the configured costs.
    let first = env.hash(alice);
    assert!(first.starts_with("$argon2id$v=19$m=64,t=1,p=1$"), "{first}");
    assert!(verify("first", &first));

    // add again fails, naming the user.
    env.fails(
        &["user", "add", alice, "--password-stdin"],
        b"other\n",
        "user alice@example.org already exists",
    );
    assert_eq!(env.hash(alice), first, "a failed add changes nothing");

    // passwd (CRLF line end stripped) changes the hash.
    env.ok(
        &["user", "passwd", alice, "--password-stdin"],
        b"second\r\n",
    );
    let second = env.hash(alice);
    assert_ne!(second, first);
    assert!(verify("second", &second) && !verify("first", &second));

    // Quota: set each limit, keep the other, remove them again.
    let q = |args: &[&str]| {
        let mut all = vec!["user", "quota", alice];
        all.extend_from_slice(args);
        env.ok(&all, b"")
    };
    assert_eq!(
        q(&["--storage", "1000000"]),
        "alice@example.org\tstorage=1000000\tmessages=none\n"
    );
    q(&["--messages", "50"]);
    assert_eq!(
        env.ok(&["user", "list"], b""),
        "alice@example.org\tstorage=1000000\tmessages=50\n"
    );
    q(&["--storage", "none"]);
    assert_eq!(
        q(&["--messages", "none"]),
        "alice@example.org\tstorage=none\tmessages=none\n"
    );
    assert_eq!(
        q(&["--storage", "7", "--messages", "8"]),
        "alice@example.org\tstorage=7\tmessages=8\n"
    );

    // Two users in two domains (tenants) are listed by address.
    env.ok(
        &["user", "add", "bob@example.net", "--password-stdin"],
        b"pw",
    );
    let list = env.ok(&["user", "list"], b"");
    let names: Vec<&str> = list
        .lines()
        .map(|l| l.split('\t').next().unwrap_or(""))
        .collect();
    assert_eq!(names, [alice, "bob@example.net"]);

    // del → list no longer shows it; del again fails.
    assert_eq!(
        env.ok(&["user", "del", alice], b"").trim(),
        "deleted alice@example.org"
    );
    env.ok(&["user", "del", "bob@example.net"], b"");
    assert_eq!(env.ok(&["user", "list"], b""), "");
    env.fails(
        &["user", "del", alice],
        b"",
        "user alice@example.org does not exist",
    );
}

/// Bad addresses, bad passwords and bad arguments are refused with a clear message.
#[test]
fn hostile_input() {
    let env = Env::new();
    let add = |user: &str, stdin: &[u8], needle: &str| {
        env.fails(&["user", "add", user, "--password-stdin"], stdin, needle);
    };
    add("alice", b"pw\n", "expected name@domain");
    add("alice@", b"pw\n", "domain after @ is missing");
    add("@example.org", b"pw\n", "name before @");
    add("a@b@example.org", b"pw\n", "more than one @");
    add("al ice@example.org", b"pw\n", "white space");
    add("alice@exa_mple.org", b"pw\n", "not a domain name");
    add("alice@example.org", b"a\0b\n", "NUL");
    add("alice@example.org", b"\n", "empty");
    add("alice@example.org", b"", "empty");
    add("alice@example.org", &[b'x'; 5000], "longer than 1024 bytes");
    add("alice@example.org", b"\xff\xfe\n", "not UTF-8");
    // No --password-stdin and stdin is not a terminal: refuse rather than hang.
    env.fails(
        &["user", "add", "alice@example.org"],
        b"pw\n",
        "--password-stdin",
    );
    // Nothing was created by any of that.
    assert_eq!(env.ok(&["user", "list"], b""), "");

    env.fails(
        &["user", "passwd", "nobody@example.org", "--password-stdin"],
        b"pw\n",
        "user nobody@example.org does not exist",
    );
    env.fails(
        &["user", "quota", "nobody@example.org", "--storage", "1"],
        b"",
        "does not exist",
    );

    // Usage errors are clap's (exit status 2).
    for args in [
        &["user", "quota", "alice@example.org"][..],
        &["user", "quota", "alice@example.org", "--storage", "lots"],
        &["user", "add"],
        &["user", "frobnicate"],
        &["frobnicate"],
    ] {
        assert_eq!(env.run(args, b"").code, 2, "{args:?}");
    }
}

/// A broken config file stops every command with the key named.
#[test]
fn bad_config_file() {
    let env = Env::new();
    std::fs::write(&env.config, "[imap]\nlisten_tsl = \"127.0.0.1:1\"\n").expect("write");
    env.fails(&["user", "list"], b"", "listen_tsl");
    std::fs::write(&env.config, "[auth]\nargon2_m_cost = 1\n").expect("write");
    env.fails(&["user", "list"], b"", "auth.argon2");
}

/// Without `--password-stdin` on a terminal, the password is asked twice without echo; a
/// mismatch is refused. The terminal is a pseudo-terminal from util-linux `script`.
#[test]
fn terminal_prompt() {
    let env = Env::new();
    let quote = |s: &str| format!("'{}'", s.replace('\'', r"'\''"));
    let in_pty = |args: &str, typed: &[u8]| {
        let cmd = format!(
            "{} --config {} --data-dir {} {args}",
            quote(env!("CARGO_BIN_EXE_strata")),
            quote(&env.config.to_string_lossy()),
            quote(&env.data.to_string_lossy()),
        );
        let mut child = Command::new("script")
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .args(["-q", "-e", "-c", &cmd, "/dev/null"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn script (util-linux)");
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(typed)
            .expect("type");
        let out = child.wait_with_output().expect("wait");
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        (out.status.code(), text)
    };
    let (code, text) = in_pty("user add carol@example.org", b"tty-pw\ntty-pw\n");
    assert_eq!(code, Some(0), "{text}");
    assert!(
        text.contains("New password:") && text.contains("Retype"),
        "{text}"
    );
    assert!(verify("tty-pw", &env.hash("carol@example.org")));
    let (code, text) = in_pty("user passwd carol@example.org", b"one\ntwo\n");
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("do not match"), "{text}");
    assert!(verify("tty-pw", &env.hash("carol@example.org")));
}

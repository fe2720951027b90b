//! End to end with a real client library: Python's imapclient (tests/clients/imapclient_full.py)
//! drives the real `strata serve` through every command the server advertises, the error paths,
//! IDLE against a second connection, and a QRESYNC resynchronisation checked line by line.

use std::process::Command;

mod support;

use support::{BIN, add_user, python, start};

/// The quota the script expects (`QUOTA_STORAGE` and `QUOTA_MESSAGES` there): 5 MiB, so an
/// APPEND of 6 MiB is over quota while still below APPENDLIMIT.
const QUOTA_STORAGE: &str = "5242880";
const QUOTA_MESSAGES: &str = "1000";

/// A fresh account with a quota, the server on ephemeral loopback ports, and the imapclient
/// script against it. The script runs all its sections and lists every failed one with the
/// server's answer; the server stops when `_server` drops, also on failure.
#[test]
fn imapclient_exercises_every_command() {
    let dir = tempfile::tempdir().unwrap();
    add_user(dir.path(), "alice@example.org", "s3cret pass");
    let quota = Command::new(BIN)
        .args(["user", "quota", "alice@example.org"])
        .args(["--storage", QUOTA_STORAGE, "--messages", QUOTA_MESSAGES])
        .arg("--data-dir")
        .arg(dir.path())
        .output()
        .expect("strata user quota");
    assert!(
        quota.status.success(),
        "strata user quota: {}",
        String::from_utf8_lossy(&quota.stderr)
    );

    let log = std::fs::File::create(dir.path().join("server.log")).unwrap();
    let (_server, imap, _imaps) = start(dir.path(), log);
    let out = python(
        "imapclient_full.py",
        &[&imap.to_string(), "alice@example.org", "s3cret pass"],
    );
    assert!(out.contains("imapclient: all"), "{out}");
}

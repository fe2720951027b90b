//! The load generator works against another server: a throw-away Dovecot (Debian
//! `dovecot-imapd`, started by `tests/corpus/dovecot_capture.py`'s recipe on a free loopback
//! port) gets `prepare` and a short `run` of each profile from the real binary; every
//! operation must succeed and no state check may fail.

use std::process::Command;

const SCRIPT: &str = r#"
import os, shutil, subprocess, sys, tempfile
corpus, loadgen, out = sys.argv[1:4]
sys.path.insert(0, corpus)
import dovecot_capture as dc
tmp = tempfile.mkdtemp(prefix="strata-loadgen-dovecot-")
proc, port = dc.start(tmp)
try:
    common = ["--server", "127.0.0.1:%d" % port, "--user", dc.USER, "--password", dc.PASSWORD]
    profile = ["--profile", sys.argv[4]]
    subprocess.run([loadgen, "prepare", *common, *profile, "--messages", "30"], check=True)
    r = subprocess.run([loadgen, "run", *common, *profile, "--clients", "6", "--duration", "5",
                        "--warmup", "1", "--json", out])
    sys.exit(r.returncode)
finally:
    proc.terminate()
    proc.wait(timeout=20)
    shutil.rmtree(tmp, ignore_errors=True)
"#;

/// `prepare` and a short `run` of `profile` against a throw-away Dovecot: the report.
fn against_dovecot(profile: &str) -> serde_json::Value {
    let corpus = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/corpus");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report.json");
    let status = Command::new("python3")
        .args(["-c", SCRIPT, corpus, env!("CARGO_BIN_EXE_strata-loadgen")])
        .arg(&out)
        .arg(profile)
        .status()
        .expect("python3");
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&out).expect("report written")).unwrap();
    assert!(status.success(), "loadgen against Dovecot: {report:#}");
    assert_eq!(report["errors"], 0);
    assert_eq!(report["inconsistencies"], 0);
    report
}

/// The realistic profile's model holds for Dovecot too: the checks are the protocol's, not
/// Strata's.
#[test]
fn realistic_profile_against_dovecot() {
    let report = against_dovecot("realistic");
    for name in [
        "login",
        "logout",
        "select",
        "fetch_headers",
        "fetch_body",
        "store",
        "append",
    ] {
        assert!(
            report["ops"][name]["count"].as_u64().unwrap_or(0) > 0,
            "no successful {name}: {report:#}"
        );
    }
}

#[test]
fn default_mix_against_dovecot() {
    let report = against_dovecot("base");
    for name in [
        "login",
        "select",
        "fetch_flags",
        "fetch_envelope",
        "fetch_body",
        "append",
        "store",
        "search",
        "copy",
        "move",
        "expunge",
        "idle",
        "noop",
    ] {
        assert!(
            report["ops"][name]["count"].as_u64().unwrap_or(0) > 0,
            "no successful {name}: {report:#}"
        );
    }
}

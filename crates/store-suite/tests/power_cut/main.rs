//! Durability that a test can catch (ARCHITECTURE.md invariant 3): the all-in-one shape's data
//! directory — the SQLite database and the folder of bodies — sits on a [`PowerCutFs`], which
//! keeps what was written but not fsynced in memory and throws it away at a simulated power
//! cut. A child process runs APPENDs, STOREs and EXPUNGEs from several tasks at once through
//! the store and the blob store and prints each acknowledgement; the test kills it, cuts the
//! power, opens the store again and checks every acknowledged change against a model:
//! - every acknowledged APPEND is there (unless its EXPUNGE may have committed after a
//!   `\Deleted` that was acknowledged), with at least the flags last acknowledged for it;
//! - no acknowledged EXPUNGE came back;
//! - no UID is given out again: UIDNEXT is past every UID acknowledged, and a new APPEND gets
//!   a larger one;
//! - every message row's body is in the blob store with its content, and quota usage agrees
//!   with the rows.
//!
//! The same run with the filesystem ignoring fsync (what a store that never fsyncs would get)
//! must fail those checks: [`a_store_without_fsync_fails_the_check`] shows the test can fail.
//! (Checked once more by hand: with `sync_data` removed from the group commit in
//! `store/src/sqlite/wal.rs`, [`acknowledged_changes_survive_a_power_cut`] fails with lost
//! acknowledged UIDs.)

mod child;
mod model;

use model::Model;
use powercut_fs::PowerCutFs;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};

/// The variable that turns the ignored `child::load` test into the child process: the mount.
const CHILD_ENV: &str = "STRATA_POWER_CUT_CHILD";

/// Acknowledgements to wait for after the child is ready.
const ACKS: usize = 150;

/// Runs the child on `fs` until it acknowledged [`ACKS`] changes (fsync ignored from the moment
/// it is ready when `lose_fsyncs`), kills it, cuts the power and returns what the model finds
/// wrong.
async fn run(fs: &mut PowerCutFs, lose_fsyncs: bool) -> Vec<String> {
    let root = fs.path().to_path_buf();
    std::fs::create_dir(root.join("data")).expect("data dir");
    std::fs::File::open(&root)
        .and_then(|d| d.sync_all())
        .expect("fsync the mount's root");
    let mut child = tokio::process::Command::new(std::env::current_exe().expect("test binary"))
        .args([
            "--ignored",
            "--exact",
            "child::load",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, &root)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("start the child");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    // The child's complaints, for the assertion messages.
    let mut stderr = BufReader::new(child.stderr.take().expect("stderr")).lines();
    let complaints = tokio::spawn(async move {
        let mut text = String::new();
        while let Ok(Some(line)) = stderr.next_line().await {
            text.push_str(&line);
            text.push('\n');
        }
        text
    });
    let mut model = Model::default();
    let mut ready = false;
    let read = async {
        while let Some(line) = lines.next_line().await.expect("child output") {
            if line == "READY" {
                ready = true;
                fs.ignore_fsync(lose_fsyncs);
                continue;
            }
            if model.ack(&line) && model.acks() >= ACKS {
                break;
            }
        }
    };
    let in_time = tokio::time::timeout(Duration::from_secs(300), read).await;
    if in_time.is_err() || !ready {
        child.start_kill().expect("SIGKILL");
        let said = complaints.await.unwrap_or_default();
        panic!("the child did not acknowledge {ACKS} changes in time (ready: {ready}):\n{said}");
    }
    child.start_kill().expect("SIGKILL");
    // Lines the child finished writing before it died are acknowledgements too.
    while let Ok(Some(line)) = lines.next_line().await {
        model.ack(&line);
    }
    let status = child.wait().await.expect("wait");
    assert!(!status.success(), "the child was killed: {status:?}");
    let report = fs.power_cut().expect("power cut");
    fs.ignore_fsync(false);
    eprintln!("power cut: {report}");
    model.check(&root.join("data")).await
}

/// Acknowledged APPEND/STORE/EXPUNGE under concurrent load survive a power cut; no UID is
/// reused; no row points at a missing body.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_changes_survive_a_power_cut() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut fs = PowerCutFs::mount(dir.path()).expect("mount (needs root and /dev/fuse)");
    let wrong = run(&mut fs, false).await;
    assert!(
        wrong.is_empty(),
        "after the power cut:\n{}",
        wrong.join("\n")
    );
}

/// The negative control: with every fsync after the start ignored, acknowledged changes are
/// lost and the same check says so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_store_without_fsync_fails_the_check() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut fs = PowerCutFs::mount(dir.path()).expect("mount (needs root and /dev/fuse)");
    let wrong = run(&mut fs, true).await;
    assert!(
        wrong.iter().any(|w| w.contains("lost")),
        "without fsync the check must find lost changes, found: {wrong:?}"
    );
}

//! SQLite in WAL mode on the mount, written by a child process that is killed before the cut.
//!
//! The child is this test binary again, running the ignored [`sqlite_child`] entry point: it
//! opens the database, commits [`ROWS`] single-row transactions, says so on stdout and waits
//! to be killed, with the database, its `-wal` and its mapped `-shm` still open.

use std::fs::File;
use std::path::Path;
use std::process::Command;

use powercut_fs::CutReport;
use rusqlite::Connection;
use tracing::info;

use crate::util::{Fixture, kill, spawn_until};

const ROWS: i64 = 200;
const READY: &str = "POWERCUT-SQLITE-COMMITTED";

/// The child process's work (not a test by itself: the tests below start it). It opens the
/// database named by `POWERCUT_SQLITE_DB` in WAL mode with `synchronous` from
/// `POWERCUT_SQLITE_SYNC`, fsyncs the database's directory once created, commits the rows
/// one transaction each, prints [`READY`] and sleeps until killed.
#[test]
#[ignore = "child process of the SQLite tests, which start it"]
fn sqlite_child() {
    let db = std::env::var("POWERCUT_SQLITE_DB").unwrap();
    let synchronous = std::env::var("POWERCUT_SQLITE_SYNC").unwrap();
    let conn = Connection::open(&db).unwrap();
    let mode: String = conn
        .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    conn.execute_batch(&format!(
        "PRAGMA synchronous = {synchronous};
         PRAGMA mmap_size = 268435456;
         CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL);"
    ))
    .unwrap();
    File::open(Path::new(&db).parent().unwrap())
        .unwrap()
        .sync_all()
        .unwrap();
    for id in 0..ROWS {
        conn.execute(
            "INSERT INTO t (id, body) VALUES (?1, ?2)",
            (id, format!("row {id}")),
        )
        .unwrap();
    }
    println!("{READY}");
    std::thread::sleep(std::time::Duration::from_secs(600));
}

/// Runs the child with `synchronous`, kills it, cuts the power and returns the rows that
/// survive (0 when the table or the database is gone) with the cut's report.
fn commit_kill_cut(fx: &mut Fixture, synchronous: &str) -> (i64, CutReport) {
    let db = fx.path("mail.db");
    {
        info!(synchronous, "the child commits {ROWS} rows");
        let mut child = Command::new(std::env::current_exe().unwrap());
        child
            .args([
                "sqlite::sqlite_child",
                "--exact",
                "--ignored",
                "--nocapture",
            ])
            .env("POWERCUT_SQLITE_DB", &db)
            .env("POWERCUT_SQLITE_SYNC", synchronous);
        kill(spawn_until(&mut child, READY));
    }
    let requests = fx.fs.requests();
    let report = fx.fs.power_cut().unwrap();
    info!(%report, ?requests, "power cut after SIGKILL");
    let conn = Connection::open(&db).unwrap();
    let rows = match conn.query_row("SELECT count(*) FROM t", [], |r| r.get(0)) {
        Ok(rows) => rows,
        Err(e) if e.to_string().contains("no such table") => 0,
        Err(e) => panic!("count: {e}; {report}"),
    };
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok", "{report}");
    (rows, report)
}

/// `synchronous = FULL`: every acknowledged commit survives the cut.
#[test]
fn sqlite_wal_full_keeps_every_commit() {
    let mut fx = Fixture::new();
    let (rows, report) = commit_kill_cut(&mut fx, "FULL");
    assert_eq!(rows, ROWS, "{report}");
    assert!(report.file_syncs >= ROWS as u64, "{report}");
}

/// `synchronous = OFF`: SQLite never fsyncs, and the cut loses the commits. This shows the
/// filesystem really drops unsynced data.
#[test]
fn sqlite_wal_off_loses_commits() {
    let mut fx = Fixture::new();
    let (rows, report) = commit_kill_cut(&mut fx, "OFF");
    assert!(rows < ROWS, "{rows} rows survived: {report}");
}

/// The negative control: `synchronous = FULL` but fsync ignored loses commits too.
#[test]
fn sqlite_wal_full_with_fsync_ignored_loses_commits() {
    let mut fx = Fixture::new();
    fx.fs.ignore_fsync(true);
    let (rows, report) = commit_kill_cut(&mut fx, "FULL");
    assert!(rows < ROWS, "{rows} rows survived: {report}");
}

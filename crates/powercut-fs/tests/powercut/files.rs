//! The durability model through the kernel: plain files and directories on a real mount.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::thread;

use tracing::info;

use crate::util::{Fixture, fsync_dir, paths, read, write_file};

/// A file written without fsync, in a directory that was fsynced, comes back empty: its name
/// was durable, its data never was.
#[test]
fn unsynced_data_is_lost_but_the_name_survives() {
    let mut fx = Fixture::new();
    {
        info!("write without fsync, fsync the directory");
        write_file(&fx.path("f"), b"never synced", false);
        fsync_dir(fx.fs.path());
    }
    let report = fx.fs.power_cut().unwrap();
    info!(%report, "after the cut");
    assert_eq!(read(&fx.path("f")), Some(Vec::new()), "{report}");
    assert_eq!(report.rolled_back, paths(&["f"]));
    assert_eq!(report.bytes_discarded, 12);
}

/// The same with the file fsynced: its content survives, and the cut loses nothing.
#[test]
fn fsynced_data_survives() {
    let mut fx = Fixture::new();
    write_file(&fx.path("f"), b"synced", true);
    fsync_dir(fx.fs.path());
    let report = fx.fs.power_cut().unwrap();
    assert_eq!(read(&fx.path("f")), Some(b"synced".to_vec()), "{report}");
    assert!(report.lost_nothing(), "{report}");
    assert_eq!((report.file_syncs, report.dir_syncs), (1, 1));
}

/// A new file whose data was fsynced vanishes if its directory never was.
#[test]
fn a_new_file_vanishes_without_a_directory_fsync() {
    let mut fx = Fixture::new();
    write_file(&fx.path("f"), b"data", true);
    let report = fx.fs.power_cut().unwrap();
    assert_eq!(read(&fx.path("f")), None, "{report}");
    assert_eq!(report.entries_lost, paths(&["f"]));
}

/// With the directory fsynced too, the new file is kept.
#[test]
fn a_new_file_is_kept_with_a_directory_fsync() {
    let mut fx = Fixture::new();
    write_file(&fx.path("f"), b"data", true);
    fsync_dir(fx.fs.path());
    let report = fx.fs.power_cut().unwrap();
    assert_eq!(read(&fx.path("f")), Some(b"data".to_vec()), "{report}");
}

/// Writes a durable `target` holding "old", then an fsynced `tmp` holding "new" renamed over it.
fn rename_over_target(fx: &Fixture) {
    write_file(&fx.path("target"), b"old", true);
    fsync_dir(fx.fs.path());
    write_file(&fx.path("tmp"), b"new", true);
    fs::rename(fx.path("tmp"), fx.path("target")).unwrap();
    assert_eq!(read(&fx.path("target")), Some(b"new".to_vec()));
}

/// Rename of an fsynced temporary file over a target, then a directory fsync: the new
/// content is durable under the target's name.
#[test]
fn rename_over_a_target_is_durable_after_the_directory_fsync() {
    let mut fx = Fixture::new();
    rename_over_target(&fx);
    fsync_dir(fx.fs.path());
    let report = fx.fs.power_cut().unwrap();
    assert_eq!(read(&fx.path("target")), Some(b"new".to_vec()), "{report}");
    assert_eq!(read(&fx.path("tmp")), None);
}

/// Without the directory fsync, the old target comes back (and the temporary file, never
/// named durably, is gone).
#[test]
fn without_the_directory_fsync_the_old_target_comes_back() {
    let mut fx = Fixture::new();
    rename_over_target(&fx);
    let report = fx.fs.power_cut().unwrap();
    assert_eq!(read(&fx.path("target")), Some(b"old".to_vec()), "{report}");
    assert_eq!(read(&fx.path("tmp")), None);
    assert_eq!(report.entries_restored, paths(&["target"]));
}

/// A rename to a new name, without the directory fsync: the target is absent after the cut.
#[test]
fn an_unsynced_rename_to_a_new_name_is_lost() {
    let mut fx = Fixture::new();
    write_file(&fx.path("tmp"), b"new", true);
    fsync_dir(fx.fs.path());
    fs::rename(fx.path("tmp"), fx.path("target")).unwrap();
    let report = fx.fs.power_cut().unwrap();
    assert_eq!(read(&fx.path("target")), None, "{report}");
    assert_eq!(
        read(&fx.path("tmp")),
        Some(b"new".to_vec()),
        "the old name comes back"
    );
}

/// With `ignore_fsync(true)`, everything written after it is lost at the cut, fsyncs or not;
/// what was durable before stays, and turning it off makes fsync work again.
#[test]
fn ignore_fsync_loses_everything_written_after_it() {
    let mut fx = Fixture::new();
    {
        info!("durable before the switch");
        write_file(&fx.path("before"), b"kept", true);
        fsync_dir(fx.fs.path());
    }
    {
        info!("ignore fsync, then write and fsync everything");
        fx.fs.ignore_fsync(true);
        write_file(&fx.path("after"), b"lost", true);
        write_file(&fx.path("before"), b"overwritten", true);
        fsync_dir(fx.fs.path());
    }
    let report = fx.fs.power_cut().unwrap();
    assert_eq!(read(&fx.path("after")), None, "{report}");
    assert_eq!(read(&fx.path("before")), Some(b"kept".to_vec()), "{report}");
    assert_eq!(report.ignored_syncs, 3, "{report}");
    {
        info!("the switch off: fsync counts again");
        fx.fs.ignore_fsync(false);
        write_file(&fx.path("again"), b"kept", true);
        fsync_dir(fx.fs.path());
        let report = fx.fs.power_cut().unwrap();
        assert_eq!(read(&fx.path("again")), Some(b"kept".to_vec()), "{report}");
    }
}

/// Threads write their own files at the same time, fsyncing every other one; after the
/// directory fsync and the cut, exactly the fsynced contents survive.
#[test]
fn concurrent_writers_keep_only_fsynced_content() {
    let mut fx = Fixture::new();
    let root = fx.fs.path().to_owned();
    let writers: Vec<_> = (0..4)
        .map(|w| {
            let root = root.clone();
            thread::spawn(move || {
                for i in 0..25 {
                    let body = format!("writer {w} file {i} ").repeat(100);
                    write_file(&root.join(format!("w{w}-{i}")), body.as_bytes(), i % 2 == 0);
                }
            })
        })
        .collect();
    writers.into_iter().for_each(|w| w.join().unwrap());
    fsync_dir(&root);
    let report = fx.fs.power_cut().unwrap();
    for w in 0..4 {
        for i in 0..25 {
            let body = read(&fx.path(&format!("w{w}-{i}"))).unwrap();
            let expected = if i % 2 == 0 {
                format!("writer {w} file {i} ").repeat(100)
            } else {
                String::new()
            };
            assert_eq!(body, expected.as_bytes(), "w{w}-{i}: {report}");
        }
    }
    assert_eq!(report.rolled_back.len(), 48, "{report}");
    assert_eq!(report.file_syncs, 52, "{report}");
}

/// The blob-folder pattern: `mkdir -p`, temporary file, `sync_all`, rename into place,
/// fsync of the target directory. Each new directory's own entry needs its parent fsynced.
#[test]
fn a_nested_blob_needs_every_new_directory_fsynced() {
    let mut fx = Fixture::new();
    let put = |fx: &Fixture, name: &str, sync_parents: bool| {
        let dir = fx.path("ab/cd");
        fs::create_dir_all(&dir).unwrap();
        write_file(&fx.path("ab/cd/.tmp"), name.as_bytes(), true);
        fs::rename(fx.path("ab/cd/.tmp"), dir.join(name)).unwrap();
        fsync_dir(&dir);
        if sync_parents {
            fsync_dir(&fx.path("ab"));
            fsync_dir(fx.fs.path());
        }
    };
    put(&fx, "blob1", false);
    let report = fx.fs.power_cut().unwrap();
    assert_eq!(read(&fx.path("ab/cd/blob1")), None, "{report}");
    assert_eq!(report.entries_lost, paths(&["ab"]));

    put(&fx, "blob2", true);
    let report = fx.fs.power_cut().unwrap();
    assert_eq!(
        read(&fx.path("ab/cd/blob2")),
        Some(b"blob2".to_vec()),
        "{report}"
    );
    assert!(report.lost_nothing(), "{report}");
}

/// `RENAME_NOREPLACE` refuses an existing target and moves to a free one; hard links,
/// unlink, rmdir and readdir behave as on any filesystem.
#[test]
fn rename_noreplace_links_and_listings() {
    use nix::fcntl::{RenameFlags, renameat2};
    let fx = Fixture::new();
    let dir = File::open(fx.fs.path()).unwrap();
    write_file(&fx.path("a"), b"A", false);
    write_file(&fx.path("b"), b"B", false);
    let refused = renameat2(&dir, "a", &dir, "b", RenameFlags::RENAME_NOREPLACE);
    assert_eq!(refused, Err(nix::errno::Errno::EEXIST));
    renameat2(&dir, "a", &dir, "c", RenameFlags::RENAME_NOREPLACE).unwrap();
    assert_eq!(read(&fx.path("c")), Some(b"A".to_vec()));
    renameat2(&dir, "b", &dir, "c", RenameFlags::RENAME_EXCHANGE).unwrap();
    assert_eq!(read(&fx.path("c")), Some(b"B".to_vec()));

    fs::hard_link(fx.path("c"), fx.path("d")).unwrap();
    assert_eq!(
        fs::metadata(fx.path("c"))
            .map(|m| std::os::unix::fs::MetadataExt::nlink(&m))
            .unwrap(),
        2
    );
    fs::create_dir(fx.path("sub")).unwrap();
    let mut names: Vec<_> = fs::read_dir(fx.fs.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["b", "c", "d", "sub"]);
    fs::remove_file(fx.path("d")).unwrap();
    fs::remove_dir(fx.path("sub")).unwrap();
    assert_eq!(fs::read_dir(fx.fs.path()).unwrap().count(), 2);
}

/// `O_DSYNC` writes reach the filesystem as fsyncs, and POSIX locks are handled by the kernel
/// (no `setlk` request ever arrives).
#[test]
fn o_dsync_writes_are_durable_and_locks_stay_in_the_kernel() {
    let mut fx = Fixture::new();
    let mut file = OpenOptions::new()
        .write(true)
        .create(true)
        .custom_flags(libc::O_DSYNC)
        .open(fx.path("f"))
        .unwrap();
    file.write_all(b"dsync").unwrap();
    let whole_file = libc::flock {
        l_type: libc::F_WRLCK as i16,
        l_whence: libc::SEEK_SET as i16,
        l_start: 0,
        l_len: 0,
        l_pid: 0,
    };
    nix::fcntl::fcntl(&file, nix::fcntl::FcntlArg::F_SETLK(&whole_file)).unwrap();
    drop(file);
    fsync_dir(fx.fs.path());
    let requests = fx.fs.requests();
    let report = fx.fs.power_cut().unwrap();
    assert_eq!(read(&fx.path("f")), Some(b"dsync".to_vec()), "{report}");
    assert!(
        !requests.contains_key("setlk") && !requests.contains_key("getlk"),
        "{requests:?}"
    );
}

/// No writeback cache: every `write()` reaches the filesystem before it returns.
#[test]
fn every_write_reaches_the_filesystem_at_once() {
    let fx = Fixture::new();
    let mut file = File::create(fx.path("f")).unwrap();
    let writes = |fx: &Fixture| fx.fs.requests().get("write").copied().unwrap_or(0);
    let before = writes(&fx);
    for n in 1..=3 {
        file.write_all(b"x").unwrap();
        assert_eq!(writes(&fx), before + n);
    }
}

/// A file the caller forgot to close keeps the mount busy: the cut still happens (the mount is
/// detached after a while), the forgotten handle fails with EIO, and the new mount works.
#[test]
fn a_cut_with_a_file_still_open_detaches_the_old_mount() {
    use std::io::Read;
    let mut fx = Fixture::new();
    write_file(&fx.path("f"), b"durable", true);
    fsync_dir(fx.fs.path());
    let mut forgotten = File::open(fx.path("f")).unwrap();
    let report = fx.fs.power_cut().unwrap();
    let mut buf = Vec::new();
    let err = forgotten.read_to_end(&mut buf).unwrap_err();
    assert_eq!(err.raw_os_error(), Some(libc::EIO), "{err}");
    assert_eq!(read(&fx.path("f")), Some(b"durable".to_vec()), "{report}");
    drop(forgotten);
}

//! Writers in other processes, gone before the cut: the shape of the durability test that
//! kills a child test process with SIGKILL.

use std::process::Command;

use crate::util::{Fixture, kill, read, spawn_until};

/// A shell child writes a file, fsyncs it and its directory (coreutils `sync FILE` calls
/// fsync on FILE) and exits: the file survives the cut.
#[test]
fn a_child_process_fsynced_write_survives() {
    let mut fx = Fixture::new();
    let script = r#"printf durable > "$1/f" && sync "$1/f" && sync "$1""#;
    let status = Command::new("sh")
        .args(["-c", script, "sh"])
        .arg(fx.fs.path())
        .status()
        .unwrap();
    assert!(status.success());
    let report = fx.fs.power_cut().unwrap();
    assert_eq!(read(&fx.path("f")), Some(b"durable".to_vec()), "{report}");
    assert!(report.lost_nothing(), "{report}");
}

/// The same child without the syncs: the file does not survive.
#[test]
fn a_child_process_unsynced_write_is_lost() {
    let mut fx = Fixture::new();
    let script = r#"printf volatile > "$1/f""#;
    let status = Command::new("sh")
        .args(["-c", script, "sh"])
        .arg(fx.fs.path())
        .status()
        .unwrap();
    assert!(status.success());
    let report = fx.fs.power_cut().unwrap();
    assert_eq!(read(&fx.path("f")), None, "{report}");
}

/// A child is killed with SIGKILL while it still holds a file open on the mount: what it
/// fsynced survives, what it only wrote does not.
#[test]
fn a_killed_child_keeps_only_what_it_fsynced() {
    let mut fx = Fixture::new();
    let script = r#"cd "$1" && printf one > synced && sync synced && printf two > unsynced \
        && sync . && exec 3>open && printf three >&3 && echo ready && exec sleep 600"#;
    let child = spawn_until(
        Command::new("sh")
            .args(["-c", script, "sh"])
            .arg(fx.fs.path()),
        "ready",
    );
    kill(child);
    let report = fx.fs.power_cut().unwrap();
    assert_eq!(read(&fx.path("synced")), Some(b"one".to_vec()), "{report}");
    assert_eq!(read(&fx.path("unsynced")), Some(Vec::new()), "{report}");
    assert_eq!(read(&fx.path("open")), None, "{report}");
}

/// A child writes through a shared mapping and msyncs it (Python's `mmap.flush`), then
/// fsyncs the directory: `msync(MS_SYNC)` reaches the filesystem as an fsync.
#[test]
fn a_child_msync_of_a_shared_mapping_is_durable() {
    let mut fx = Fixture::new();
    let script = r#"
import mmap, os, sys
fd = os.open(sys.argv[1] + "/m", os.O_RDWR | os.O_CREAT, 0o644)
os.ftruncate(fd, 4096)
m = mmap.mmap(fd, 4096, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
m[0:6] = b"mapped"
m.flush()
os.fsync(os.open(sys.argv[1], os.O_RDONLY))
"#;
    let status = Command::new("python3")
        .args(["-c", script])
        .arg(fx.fs.path())
        .status()
        .unwrap();
    assert!(status.success());
    let report = fx.fs.power_cut().unwrap();
    let bytes = read(&fx.path("m")).unwrap();
    assert_eq!(
        (&bytes[..6], bytes.len()),
        (&b"mapped"[..], 4096),
        "{report}"
    );
}

//! The durability model without FUSE: each test drives the tree as the kernel would and checks
//! what a power cut leaves.

use std::ffi::OsStr;
use std::path::PathBuf;

use super::*;

const OWNER: (u16, u32, u32) = (0o644, 0, 0);

fn file(tree: &mut Tree, dir: Ino, name: &str, data: &[u8]) -> Ino {
    let ino = tree
        .create(dir, OsStr::new(name), Kind::File, OWNER)
        .unwrap()
        .ino;
    tree.write(ino, 0, data).unwrap();
    ino
}

fn read_path(tree: &Tree, path: &[&str]) -> Option<Vec<u8>> {
    let mut ino = ROOT;
    for name in path {
        ino = tree.child(ino, OsStr::new(name)).ok()?;
    }
    tree.read(ino, 0, u32::MAX).ok()
}

fn cut(tree: &mut Tree) -> Tree {
    let (next, _report) = tree.power_cut();
    assert!(tree.is_dead());
    next
}

#[test]
fn data_is_durable_only_after_fsync_and_names_only_after_fsyncdir() {
    let mut tree = Tree::new(0, 0);
    let synced = file(&mut tree, ROOT, "synced", b"kept");
    tree.sync(synced, true, false).unwrap();
    file(&mut tree, ROOT, "unsynced", b"lost");
    tree.sync(ROOT, false, false).unwrap();
    file(&mut tree, ROOT, "late", b"never named durably");
    let mut next = cut(&mut tree);
    assert_eq!(read_path(&next, &["synced"]), Some(b"kept".to_vec()));
    assert_eq!(read_path(&next, &["unsynced"]), Some(Vec::new()));
    assert_eq!(read_path(&next, &["late"]), None);
    // The rebuilt tree is all durable: a second cut changes nothing.
    let (again, report) = next.power_cut();
    assert!(report.lost_nothing(), "{report}");
    assert_eq!(read_path(&again, &["synced"]), Some(b"kept".to_vec()));
}

#[test]
fn the_report_names_what_is_lost() {
    let mut tree = Tree::new(0, 0);
    let a = file(&mut tree, ROOT, "a", b"12345");
    tree.sync(ROOT, false, false).unwrap();
    tree.sync(a, false, false).unwrap();
    tree.write(a, 3, b"xyz").unwrap();
    file(&mut tree, ROOT, "b", b"0123456789");
    let (_, report) = tree.power_cut();
    assert_eq!(report.rolled_back, vec![PathBuf::from("a")]);
    assert_eq!(report.entries_lost, vec![PathBuf::from("b")]);
    assert_eq!(report.bytes_discarded, 3 + 10);
    assert_eq!((report.file_syncs, report.dir_syncs), (1, 1));
}

#[test]
fn an_unlinked_file_comes_back_until_its_directory_is_fsynced() {
    let mut tree = Tree::new(0, 0);
    let a = file(&mut tree, ROOT, "a", b"data");
    tree.sync(a, false, false).unwrap();
    tree.sync(ROOT, false, false).unwrap();
    tree.remove(ROOT, OsStr::new("a"), false).unwrap();
    tree.forget(a, 1);
    assert!(
        tree.inodes.contains_key(&a),
        "a durable entry keeps the inode"
    );
    let mut copy = cut(&mut tree);
    assert_eq!(read_path(&copy, &["a"]), Some(b"data".to_vec()));

    copy.remove(ROOT, OsStr::new("a"), false).unwrap();
    copy.sync(ROOT, false, false).unwrap();
    assert_eq!(copy.inodes.len(), 1, "nothing keeps the file now");
    let next = cut(&mut copy);
    assert_eq!(read_path(&next, &["a"]), None);
}

#[test]
fn rename_over_a_target_is_durable_with_the_directory() {
    let mut tree = Tree::new(0, 0);
    let old = file(&mut tree, ROOT, "target", b"old");
    tree.sync(old, false, false).unwrap();
    tree.sync(ROOT, false, false).unwrap();
    let tmp = file(&mut tree, ROOT, "tmp", b"new");
    tree.sync(tmp, false, false).unwrap();
    let from = (ROOT, OsStr::new("tmp"));
    tree.rename(from, (ROOT, OsStr::new("target")), RenameMode::Replace)
        .unwrap();
    let (mut without, report) = tree.power_cut();
    assert_eq!(report.entries_restored, vec![PathBuf::from("target")]);
    assert_eq!(read_path(&without, &["target"]), Some(b"old".to_vec()));

    let tmp = file(&mut without, ROOT, "tmp", b"new");
    without.sync(tmp, false, false).unwrap();
    let from = (ROOT, OsStr::new("tmp"));
    without
        .rename(from, (ROOT, OsStr::new("target")), RenameMode::Replace)
        .unwrap();
    without.sync(ROOT, false, false).unwrap();
    let with = cut(&mut without);
    assert_eq!(read_path(&with, &["target"]), Some(b"new".to_vec()));
    assert_eq!(read_path(&with, &["tmp"]), None);
}

#[test]
fn rename_flags_and_errors() {
    let mut tree = Tree::new(0, 0);
    file(&mut tree, ROOT, "a", b"A");
    file(&mut tree, ROOT, "b", b"B");
    let d = tree
        .create(ROOT, OsStr::new("d"), Kind::Dir, OWNER)
        .unwrap()
        .ino;
    let (a, b) = ((ROOT, OsStr::new("a")), (ROOT, OsStr::new("b")));
    assert_eq!(tree.rename(a, b, RenameMode::NoReplace), Err(Errno::EEXIST));
    tree.rename(a, b, RenameMode::Exchange).unwrap();
    assert_eq!(read_path(&tree, &["a"]), Some(b"B".to_vec()));
    let inside = (d, OsStr::new("x"));
    assert_eq!(
        tree.rename((ROOT, OsStr::new("d")), inside, RenameMode::Replace),
        Err(Errno::EINVAL)
    );
    assert_eq!(
        tree.rename(a, (ROOT, OsStr::new("d")), RenameMode::Replace),
        Err(Errno::EISDIR)
    );
    file(&mut tree, d, "x", b"");
    assert_eq!(
        tree.remove(ROOT, OsStr::new("d"), true),
        Err(Errno::ENOTEMPTY)
    );
    assert_eq!(
        tree.remove(ROOT, OsStr::new("a"), true),
        Err(Errno::ENOTDIR)
    );
    assert_eq!(
        tree.remove(ROOT, OsStr::new("d"), false),
        Err(Errno::EISDIR)
    );
}

#[test]
fn a_move_between_directories_needs_both_fsynced() {
    let mut tree = Tree::new(0, 0);
    let a = tree
        .create(ROOT, OsStr::new("a"), Kind::Dir, OWNER)
        .unwrap()
        .ino;
    let b = tree
        .create(ROOT, OsStr::new("b"), Kind::Dir, OWNER)
        .unwrap()
        .ino;
    let f = file(&mut tree, a, "f", b"x");
    tree.sync(f, false, false).unwrap();
    tree.sync(a, false, false).unwrap();
    tree.sync(ROOT, false, false).unwrap();
    tree.rename(
        (a, OsStr::new("f")),
        (b, OsStr::new("f")),
        RenameMode::Replace,
    )
    .unwrap();
    tree.sync(b, false, false).unwrap();
    let next = cut(&mut tree);
    // Only the target directory was fsynced: the file is in both, as one inode.
    let one = next
        .child(next.child(ROOT, OsStr::new("a")).unwrap(), OsStr::new("f"))
        .unwrap();
    let two = next
        .child(next.child(ROOT, OsStr::new("b")).unwrap(), OsStr::new("f"))
        .unwrap();
    assert_eq!(one, two);
    assert_eq!(next.attr(one).unwrap().nlink, 2);
}

#[test]
fn a_durable_directory_cycle_is_rebuilt_once() {
    let mut tree = Tree::new(0, 0);
    let a = tree
        .create(ROOT, OsStr::new("a"), Kind::Dir, OWNER)
        .unwrap()
        .ino;
    let b = tree
        .create(a, OsStr::new("b"), Kind::Dir, OWNER)
        .unwrap()
        .ino;
    tree.sync(a, false, false).unwrap();
    tree.sync(ROOT, false, false).unwrap();
    // a/b -> b (root fsynced, a not), then a -> b/a (b fsynced, root not): durably
    // root -> a -> b -> a.
    tree.rename(
        (a, OsStr::new("b")),
        (ROOT, OsStr::new("b")),
        RenameMode::Replace,
    )
    .unwrap();
    tree.sync(ROOT, false, false).unwrap();
    tree.rename(
        (ROOT, OsStr::new("a")),
        (b, OsStr::new("a")),
        RenameMode::Replace,
    )
    .unwrap();
    tree.sync(b, false, false).unwrap();
    let next = cut(&mut tree);
    assert!(next.inodes.len() <= 3, "root, a and b at most once each");
}

#[test]
fn ignored_syncs_change_nothing() {
    let mut tree = Tree::new(0, 0);
    let a = file(&mut tree, ROOT, "a", b"data");
    tree.sync(a, false, true).unwrap();
    tree.sync(ROOT, false, true).unwrap();
    let (next, report) = tree.power_cut();
    assert_eq!(report.ignored_syncs, 2);
    assert_eq!(read_path(&next, &["a"]), None);
}

#[test]
fn a_listing_is_the_snapshot_taken_at_opendir() {
    let mut tree = Tree::new(0, 0);
    file(&mut tree, ROOT, "a", b"");
    let fh = tree.opendir(ROOT).unwrap();
    tree.remove(ROOT, OsStr::new("a"), false).unwrap();
    let names: Vec<_> = tree
        .readdir(fh, 0)
        .unwrap()
        .iter()
        .map(|e| e.name.clone())
        .collect();
    assert_eq!(
        names,
        [".", "..", "a"],
        "the listing is the one taken at opendir"
    );
    assert_eq!(tree.readdir(fh, 3).unwrap().len(), 0);
    tree.release(ROOT, Some(fh));
    assert_eq!(tree.readdir(fh, 0).err(), Some(Errno::EBADF));
}

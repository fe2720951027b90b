//! The power cut: what it throws away, and the tree that the durable state alone builds.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;

use super::{Body, Ino, Inode, Meta, ROOT, Tree};
use crate::CutReport;

impl Tree {
    /// Ends this tree's mount (every later request fails) and returns the tree that survives a
    /// power cut now, with a report of what the cut throws away.
    pub(crate) fn power_cut(&mut self) -> (Tree, CutReport) {
        self.dead = true;
        (self.durable_tree(), self.report())
    }

    /// Walks the current tree and compares each directory's entries, and each file reached
    /// through durable entries, with its durable shadow.
    fn report(&self) -> CutReport {
        let mut report = CutReport {
            file_syncs: self.syncs.file,
            dir_syncs: self.syncs.dir,
            ignored_syncs: self.syncs.ignored,
            requests: self
                .ops
                .iter()
                .map(|(op, n)| ((*op).to_owned(), *n))
                .collect(),
            ..CutReport::default()
        };
        let mut seen = HashSet::from([ROOT]);
        let mut stack = vec![(ROOT, PathBuf::new())];
        while let Some((dir, path)) = stack.pop() {
            let Some(Body::Dir { now, durable, .. }) = self.inodes.get(&dir).map(|n| &n.body)
            else {
                continue;
            };
            for (name, ino) in now {
                let Some(child) = self.inodes.get(ino) else {
                    continue;
                };
                let child_path = path.join(name);
                if durable.get(name) != Some(ino) {
                    if let Body::File { now, .. } = &child.body {
                        report.bytes_discarded += now.len();
                    }
                    report.entries_lost.push(child_path);
                    continue;
                }
                match &child.body {
                    Body::File { now, durable } => {
                        let differ = now.differing_bytes(durable);
                        if differ > 0 {
                            report.bytes_discarded += differ;
                            report.rolled_back.push(child_path);
                        }
                    }
                    Body::Dir { .. } => {
                        if seen.insert(*ino) {
                            stack.push((*ino, child_path));
                        }
                    }
                }
            }
            for (name, ino) in durable {
                if now.get(name) != Some(ino) {
                    report.entries_restored.push(path.join(name));
                }
            }
        }
        report.entries_lost.sort();
        report.entries_restored.sort();
        report.rolled_back.sort();
        report
    }

    /// The tree rebuilt from the root's durable entries, recursively, with durable contents
    /// and metadata. Inodes are renumbered. A file named by several durable entries (a rename
    /// between two directories, both fsynced at different times) comes back hard-linked; a
    /// directory named twice comes back once, which also breaks any cycle.
    fn durable_tree(&self) -> Tree {
        let root_meta = self.inodes.get(&ROOT).map(|n| n.durable_meta);
        let root_meta = root_meta.unwrap_or_else(|| Meta::new(0o755, 0, 0));
        let mut tree = Tree::with_root(root_meta, empty_dir(ROOT));
        let mut files: HashMap<Ino, Ino> = HashMap::new();
        let mut dirs = HashSet::from([ROOT]);
        let mut stack = vec![(ROOT, ROOT)];
        while let Some((old_dir, new_dir)) = stack.pop() {
            let Some(Body::Dir {
                durable: entries, ..
            }) = self.inodes.get(&old_dir).map(|n| &n.body)
            else {
                continue;
            };
            for (name, old) in entries {
                let Some(node) = self.inodes.get(old) else {
                    continue;
                };
                let new = match &node.body {
                    Body::File { durable, .. } => match files.get(old) {
                        Some(new) => *new,
                        None => {
                            let body = Body::File {
                                now: durable.clone(),
                                durable: durable.clone(),
                            };
                            let new = tree.adopt(node.durable_meta, body);
                            files.insert(*old, new);
                            new
                        }
                    },
                    Body::Dir { .. } => {
                        if !dirs.insert(*old) {
                            continue;
                        }
                        let new = tree.adopt(node.durable_meta, empty_dir(new_dir));
                        stack.push((*old, new));
                        new
                    }
                };
                tree.attach(new_dir, name.clone(), new);
            }
        }
        tree
    }

    /// Adds an inode with no name yet.
    fn adopt(&mut self, meta: Meta, body: Body) -> Ino {
        let ino = self.next_ino;
        self.next_ino += 1;
        self.inodes.insert(ino, Inode::new(meta, body));
        ino
    }

    /// Names `ino` in `dir`, durably.
    fn attach(&mut self, dir: Ino, name: std::ffi::OsString, ino: Ino) {
        if let Some(Inode {
            body: Body::Dir { now, durable, .. },
            ..
        }) = self.inodes.get_mut(&dir)
        {
            now.insert(name.clone(), ino);
            durable.insert(name, ino);
        }
        if let Some(node) = self.inodes.get_mut(&ino) {
            node.links += 1;
            node.durable_refs += 1;
        }
    }
}

/// A directory with no entries, now or durably.
pub(super) fn empty_dir(parent: Ino) -> Body {
    Body::Dir {
        now: BTreeMap::new(),
        durable: BTreeMap::new(),
        parent,
    }
}

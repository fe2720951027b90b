//! The in-memory filesystem: inodes, each with its current state and its durable shadow.
//!
//! This module knows nothing of FUSE but its error numbers: `fuse.rs` turns kernel requests into
//! calls here. This file holds the inodes, file data and syncs; `tree/names.rs` the directory
//! entries; `tree/cut.rs` turns the durable shadows into the tree that a power cut leaves.
//!
//! ```text
//!   inode  ──  now:     content / entries   (what every read sees)
//!          └─  durable: content / entries   (what a power cut keeps)
//!   fsync(file)    : durable content  := now content   (and metadata, unless fdatasync)
//!   fsyncdir(dir)  : durable entries  := now entries
//! ```
//!
//! An inode leaves the table only when nothing can reach it any more: no current name, no open
//! handle, no kernel lookup reference and no durable entry naming it (a durable entry brings it
//! back at the cut, so it must stay).

mod cut;
mod names;

use std::collections::{BTreeMap, HashMap};
use std::ffi::{OsStr, OsString};
use std::time::SystemTime;

use fuser::Errno;

use crate::content::{Content, TooBig};
use names::check_name;
pub(crate) use names::{DirEntry, RenameMode};

/// An inode number; numbers are never reused within one mount.
pub(crate) type Ino = u64;

/// The root directory's inode number (FUSE's `FUSE_ROOT_ID`).
pub(crate) const ROOT: Ino = 1;

/// Longest file name accepted, as on ext4.
pub(crate) const NAME_MAX: usize = 255;

/// The kinds of inode this filesystem keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A regular file.
    File,
    /// A directory.
    Dir,
}

/// The metadata that fsync (but not fdatasync) makes durable.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Meta {
    /// Permission bits (`0o7777`).
    pub(crate) perm: u16,
    pub(crate) uid: u32,
    pub(crate) gid: u32,
    pub(crate) atime: SystemTime,
    pub(crate) mtime: SystemTime,
    pub(crate) ctime: SystemTime,
}

impl Meta {
    fn new(perm: u16, uid: u32, gid: u32) -> Meta {
        let now = SystemTime::now();
        Meta {
            perm,
            uid,
            gid,
            atime: now,
            mtime: now,
            ctime: now,
        }
    }
}

/// What an inode holds, now and durably.
#[derive(Debug)]
enum Body {
    File {
        now: Content,
        durable: Content,
    },
    Dir {
        now: BTreeMap<OsString, Ino>,
        durable: BTreeMap<OsString, Ino>,
        parent: Ino,
    },
}

#[derive(Debug)]
struct Inode {
    meta: Meta,
    durable_meta: Meta,
    body: Body,
    /// Current directory entries naming this inode.
    links: u32,
    /// Open handles (files and directories).
    opens: u32,
    /// The kernel's lookup count (`FUSE_FORGET` lowers it).
    lookups: u64,
    /// Durable directory entries naming this inode.
    durable_refs: u32,
}

impl Inode {
    fn new(meta: Meta, body: Body) -> Inode {
        Inode {
            meta,
            durable_meta: meta,
            body,
            links: 0,
            opens: 0,
            lookups: 0,
            durable_refs: 0,
        }
    }

    fn kind(&self) -> Kind {
        match self.body {
            Body::File { .. } => Kind::File,
            Body::Dir { .. } => Kind::Dir,
        }
    }
}

/// An inode's attributes, as `getattr` reports them.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Attr {
    pub(crate) ino: Ino,
    pub(crate) kind: Kind,
    pub(crate) size: u64,
    pub(crate) nlink: u32,
    pub(crate) meta: Meta,
}

/// The changes one `setattr` asks for; `None` leaves a field alone.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct SetAttr {
    pub(crate) mode: Option<u32>,
    pub(crate) uid: Option<u32>,
    pub(crate) gid: Option<u32>,
    pub(crate) size: Option<u64>,
    pub(crate) atime: Option<SystemTime>,
    pub(crate) mtime: Option<SystemTime>,
}

/// fsync counters since the mount (or the last cut).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct SyncCounts {
    /// `fsync`/`fdatasync` on files.
    pub(crate) file: u64,
    /// `fsync` on directories.
    pub(crate) dir: u64,
    /// Syncs answered while `ignore_fsync` was on (counted in `file`/`dir` too).
    pub(crate) ignored: u64,
}

/// The whole filesystem of one mount.
#[derive(Debug)]
pub(crate) struct Tree {
    inodes: HashMap<Ino, Inode>,
    next_ino: Ino,
    next_fh: u64,
    /// Directory listings taken at `opendir`, by handle, so that a `readdir` offset keeps its
    /// meaning while the directory changes (as `rm -r` does between two `readdir` calls).
    listings: HashMap<u64, Vec<DirEntry>>,
    /// Set by a power cut: the mount this tree served is gone and every request fails.
    dead: bool,
    syncs: SyncCounts,
    ops: BTreeMap<&'static str, u64>,
}

fn errno_of(_: TooBig) -> Errno {
    Errno::EFBIG
}

impl Tree {
    /// An empty filesystem whose root belongs to `uid`/`gid`.
    pub(crate) fn new(uid: u32, gid: u32) -> Tree {
        Tree::with_root(Meta::new(0o755, uid, gid), cut::empty_dir(ROOT))
    }

    fn with_root(meta: Meta, body: Body) -> Tree {
        let mut root = Inode::new(meta, body);
        root.links = 1;
        Tree {
            inodes: HashMap::from([(ROOT, root)]),
            next_ino: ROOT + 1,
            next_fh: 1,
            listings: HashMap::new(),
            dead: false,
            syncs: SyncCounts::default(),
            ops: BTreeMap::new(),
        }
    }

    /// Whether a power cut has ended this tree's mount.
    pub(crate) fn is_dead(&self) -> bool {
        self.dead
    }

    /// Counts one request of kind `op`.
    pub(crate) fn note(&mut self, op: &'static str) {
        *self.ops.entry(op).or_default() += 1;
    }

    /// Requests seen, by kind.
    pub(crate) fn ops(&self) -> &BTreeMap<&'static str, u64> {
        &self.ops
    }

    /// Number of inodes and bytes of current file content, for `statfs`.
    pub(crate) fn usage(&self) -> (u64, u64) {
        let bytes = self
            .inodes
            .values()
            .map(|n| match &n.body {
                Body::File { now, .. } => now.len(),
                Body::Dir { .. } => 0,
            })
            .sum();
        (self.inodes.len() as u64, bytes)
    }

    fn node(&self, ino: Ino) -> Result<&Inode, Errno> {
        self.inodes.get(&ino).ok_or(Errno::ENOENT)
    }

    fn node_mut(&mut self, ino: Ino) -> Result<&mut Inode, Errno> {
        self.inodes.get_mut(&ino).ok_or(Errno::ENOENT)
    }

    fn entries(&self, dir: Ino) -> Result<&BTreeMap<OsString, Ino>, Errno> {
        match &self.node(dir)?.body {
            Body::Dir { now, .. } => Ok(now),
            Body::File { .. } => Err(Errno::ENOTDIR),
        }
    }

    fn entries_mut(&mut self, dir: Ino) -> Result<&mut BTreeMap<OsString, Ino>, Errno> {
        match &mut self.node_mut(dir)?.body {
            Body::Dir { now, .. } => Ok(now),
            Body::File { .. } => Err(Errno::ENOTDIR),
        }
    }

    fn child(&self, dir: Ino, name: &OsStr) -> Result<Ino, Errno> {
        self.entries(dir)?.get(name).copied().ok_or(Errno::ENOENT)
    }

    fn kind(&self, ino: Ino) -> Result<Kind, Errno> {
        Ok(self.node(ino)?.kind())
    }

    fn file_mut(&mut self, ino: Ino) -> Result<(&mut Content, &mut Meta), Errno> {
        let node = self.node_mut(ino)?;
        match &mut node.body {
            Body::File { now, .. } => Ok((now, &mut node.meta)),
            Body::Dir { .. } => Err(Errno::EISDIR),
        }
    }

    /// Records a change of `dir`'s entries (mtime and ctime).
    fn touch(&mut self, ino: Ino) {
        if let Some(node) = self.inodes.get_mut(&ino) {
            let now = SystemTime::now();
            node.meta.mtime = now;
            node.meta.ctime = now;
        }
    }

    /// Whether `ancestor` is `ino` or one of its parents.
    fn is_ancestor(&self, ancestor: Ino, mut ino: Ino) -> bool {
        for _ in 0..=self.inodes.len() {
            if ino == ancestor {
                return true;
            }
            match self.inodes.get(&ino).map(|n| &n.body) {
                Some(Body::Dir { parent, .. }) if ino != ROOT => ino = *parent,
                _ => return false,
            }
        }
        false
    }

    /// The attributes of `ino`.
    pub(crate) fn attr(&self, ino: Ino) -> Result<Attr, Errno> {
        let node = self.node(ino)?;
        let (size, nlink) = match &node.body {
            Body::File { now, .. } => (now.len(), node.links),
            Body::Dir { now, .. } => {
                let subdirs = now
                    .values()
                    .filter(|c| self.inodes.get(c).is_some_and(|n| n.kind() == Kind::Dir))
                    .count();
                let linked = node.links > 0;
                (
                    4096,
                    if linked {
                        2 + u32::try_from(subdirs).unwrap_or(u32::MAX - 2)
                    } else {
                        0
                    },
                )
            }
        };
        Ok(Attr {
            ino,
            kind: node.kind(),
            size,
            nlink,
            meta: node.meta,
        })
    }

    /// `lookup`: the attributes of `parent/name`, taking a kernel reference on it.
    pub(crate) fn lookup(&mut self, parent: Ino, name: &OsStr) -> Result<Attr, Errno> {
        check_name(name)?;
        let ino = self.child(parent, name)?;
        self.node_mut(ino)?.lookups += 1;
        self.attr(ino)
    }

    /// `forget`: the kernel drops `n` references on `ino`.
    pub(crate) fn forget(&mut self, ino: Ino, n: u64) {
        if let Some(node) = self.inodes.get_mut(&ino) {
            node.lookups = node.lookups.saturating_sub(n);
        }
        self.collect(ino);
    }

    /// `setattr`: mode, owner, size and times.
    pub(crate) fn setattr(&mut self, ino: Ino, change: &SetAttr) -> Result<Attr, Errno> {
        if let Some(size) = change.size {
            let (content, meta) = self.file_mut(ino)?;
            content.set_len(size).map_err(errno_of)?;
            meta.mtime = SystemTime::now();
        }
        let meta = &mut self.node_mut(ino)?.meta;
        if let Some(mode) = change.mode {
            meta.perm = (mode & 0o7777) as u16;
        }
        meta.uid = change.uid.unwrap_or(meta.uid);
        meta.gid = change.gid.unwrap_or(meta.gid);
        meta.atime = change.atime.unwrap_or(meta.atime);
        meta.mtime = change.mtime.unwrap_or(meta.mtime);
        meta.ctime = SystemTime::now();
        self.attr(ino)
    }

    /// `open` (or the open half of `create`) of a file.
    pub(crate) fn open(&mut self, ino: Ino) -> Result<(), Errno> {
        let node = self.node_mut(ino)?;
        if node.kind() == Kind::Dir {
            return Err(Errno::EISDIR);
        }
        node.opens += 1;
        Ok(())
    }

    /// `release` of a file handle or `releasedir` of a directory handle (`listing`).
    pub(crate) fn release(&mut self, ino: Ino, listing: Option<u64>) {
        if let Some(fh) = listing {
            self.listings.remove(&fh);
        }
        if let Some(node) = self.inodes.get_mut(&ino) {
            node.opens = node.opens.saturating_sub(1);
        }
        self.collect(ino);
    }

    /// `read`: up to `size` bytes at `offset`.
    pub(crate) fn read(&self, ino: Ino, offset: u64, size: u32) -> Result<Vec<u8>, Errno> {
        match &self.node(ino)?.body {
            Body::File { now, .. } => Ok(now.read(offset, size)),
            Body::Dir { .. } => Err(Errno::EISDIR),
        }
    }

    /// `write`: all of `data` at `offset`.
    pub(crate) fn write(&mut self, ino: Ino, offset: u64, data: &[u8]) -> Result<u32, Errno> {
        let written = u32::try_from(data.len()).map_err(|_| Errno::EINVAL)?;
        let (content, meta) = self.file_mut(ino)?;
        content.write(offset, data).map_err(errno_of)?;
        let now = SystemTime::now();
        meta.mtime = now;
        meta.ctime = now;
        Ok(written)
    }

    /// `fallocate` modes 0 (allocate, growing the size) and `FALLOC_FL_KEEP_SIZE`.
    pub(crate) fn allocate(&mut self, ino: Ino, end: u64, keep_size: bool) -> Result<(), Errno> {
        let (content, meta) = self.file_mut(ino)?;
        if !keep_size && end > content.len() {
            content.set_len(end).map_err(errno_of)?;
            meta.ctime = SystemTime::now();
        }
        Ok(())
    }

    /// `fsync`/`fdatasync` of a file or `fsyncdir` of a directory: its current state becomes
    /// durable, unless `ignore` (the negative-control switch) is on.
    pub(crate) fn sync(&mut self, ino: Ino, datasync: bool, ignore: bool) -> Result<(), Errno> {
        let node = self.inodes.get_mut(&ino).ok_or(Errno::ENOENT)?;
        match node.kind() {
            Kind::File => self.syncs.file += 1,
            Kind::Dir => self.syncs.dir += 1,
        }
        if ignore {
            self.syncs.ignored += 1;
            return Ok(());
        }
        if !datasync {
            node.durable_meta = node.meta;
        }
        let (gained, lost): (Vec<Ino>, Vec<Ino>) = match &mut node.body {
            Body::File { now, durable } => {
                *durable = now.clone();
                return Ok(());
            }
            Body::Dir { now, durable, .. } => {
                node.durable_meta = node.meta;
                let old = std::mem::replace(durable, now.clone());
                (now.values().copied().collect(), old.into_values().collect())
            }
        };
        for ino in &gained {
            if let Some(node) = self.inodes.get_mut(ino) {
                node.durable_refs += 1;
            }
        }
        for ino in lost {
            if let Some(node) = self.inodes.get_mut(&ino) {
                node.durable_refs = node.durable_refs.saturating_sub(1);
            }
            self.collect(ino);
        }
        Ok(())
    }

    /// Drops `ino` (and then what only it kept) once nothing can reach it: no name, no handle,
    /// no kernel reference and no durable entry.
    fn collect(&mut self, ino: Ino) {
        let mut work = vec![ino];
        while let Some(ino) = work.pop() {
            let unused = ino != ROOT
                && self.inodes.get(&ino).is_some_and(|n| {
                    n.links == 0 && n.opens == 0 && n.lookups == 0 && n.durable_refs == 0
                });
            if !unused {
                continue;
            }
            if let Some(Inode {
                body: Body::Dir { durable, .. },
                ..
            }) = self.inodes.remove(&ino)
            {
                for child in durable.into_values() {
                    if let Some(node) = self.inodes.get_mut(&child) {
                        node.durable_refs = node.durable_refs.saturating_sub(1);
                    }
                    work.push(child);
                }
            }
        }
    }
}

#[cfg(test)]
mod tree_test;

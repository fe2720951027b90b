//! The FUSE face of the tree: one [`Filesystem`] method per kernel request.
//!
//! Each method locks the tree, counts the request, calls the tree and replies. After a power cut
//! the old tree is marked dead, and a request that still reaches it (from a process that was not
//! gone before the cut) fails with `EIO`, as a disk that lost power would.
//!
//! Extended attributes are not kept: `getxattr` answers `ENOSYS`, after which the kernel stops
//! asking (the other xattr requests keep fuser's `ENOSYS` defaults).
//!
//! File locks (`getlk`/`setlk`) answer `ENOSYS`, as fuser's defaults do. fuser never asks for
//! `FUSE_POSIX_LOCKS` at init, so the kernel keeps POSIX locks itself and does not send them; the
//! two methods only count the request, so that a test can show it never came.

use std::ffi::OsStr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime};

use fuser::{
    AccessFlags, Errno, FileAttr, FileHandle, FileType, Filesystem, FopenFlags, Generation,
    INodeNo, LockOwner, OpenFlags, RenameFlags, ReplyAttr, ReplyCreate, ReplyData, ReplyDirectory,
    ReplyEmpty, ReplyEntry, ReplyLock, ReplyOpen, ReplyStatfs, ReplyWrite, ReplyXattr, Request,
    TimeOrNow, WriteFlags,
};

use crate::tree::{Attr, Kind, NAME_MAX, RenameMode, SetAttr, Tree};

/// How long the kernel may cache attributes and entries. Only the kernel changes this
/// filesystem, so its caches stay right; a power cut remounts, which drops them.
const TTL: Duration = Duration::from_secs(1);

/// Open files keep the kernel's page cache: nothing but the kernel writes here.
const OPEN_FLAGS: FopenFlags = FopenFlags::FOPEN_KEEP_CACHE;

/// The size `statfs` reports, so that programs checking free space are content.
const CAPACITY: u64 = 64 << 30;

/// The [`Filesystem`] that one mount serves.
pub(crate) struct PowerCut {
    /// Shared with the [`crate::PowerCutFs`] handle, which cuts it. A std mutex: every request
    /// holds it for a short, non-blocking step, and the FUSE session threads are plain threads.
    tree: Arc<Mutex<Tree>>,
    /// The negative-control switch, shared by every mount of one [`crate::PowerCutFs`].
    ignore_fsync: Arc<AtomicBool>,
}

impl PowerCut {
    pub(crate) fn new(tree: Arc<Mutex<Tree>>, ignore_fsync: Arc<AtomicBool>) -> PowerCut {
        PowerCut { tree, ignore_fsync }
    }

    /// The tree, with request `op` counted; `EIO` once a power cut has ended this mount.
    fn tree(&self, op: &'static str) -> Result<MutexGuard<'_, Tree>, Errno> {
        let mut tree = self.tree.lock().unwrap_or_else(PoisonError::into_inner);
        if tree.is_dead() {
            return Err(Errno::EIO);
        }
        tree.note(op);
        Ok(tree)
    }

    fn sync(&self, op: &'static str, ino: INodeNo, datasync: bool, reply: ReplyEmpty) {
        let ignore = self.ignore_fsync.load(Ordering::SeqCst);
        empty(
            reply,
            self.tree(op)
                .and_then(|mut t| t.sync(ino.0, datasync, ignore)),
        );
    }
}

fn file_type(kind: Kind) -> FileType {
    match kind {
        Kind::File => FileType::RegularFile,
        Kind::Dir => FileType::Directory,
    }
}

fn file_attr(attr: &Attr) -> FileAttr {
    FileAttr {
        ino: INodeNo(attr.ino),
        size: attr.size,
        blocks: attr.size.div_ceil(512),
        atime: attr.meta.atime,
        mtime: attr.meta.mtime,
        ctime: attr.meta.ctime,
        crtime: attr.meta.ctime,
        kind: file_type(attr.kind),
        perm: attr.meta.perm,
        nlink: attr.nlink,
        uid: attr.meta.uid,
        gid: attr.meta.gid,
        rdev: 0,
        blksize: 4096,
        flags: 0,
    }
}

/// Permission bits of a new inode: `mode` less `umask`.
fn perm(mode: u32, umask: u32) -> u16 {
    (mode & !umask & 0o7777) as u16
}

/// Only regular files may be made with `mknod`/`create`.
fn regular(mode: u32) -> Result<(), Errno> {
    match mode & libc::S_IFMT {
        0 | libc::S_IFREG => Ok(()),
        _ => Err(Errno::EOPNOTSUPP),
    }
}

fn time(t: TimeOrNow) -> SystemTime {
    match t {
        TimeOrNow::SpecificTime(t) => t,
        TimeOrNow::Now => SystemTime::now(),
    }
}

fn empty(reply: ReplyEmpty, result: Result<(), Errno>) {
    match result {
        Ok(()) => reply.ok(),
        Err(e) => reply.error(e),
    }
}

fn entry(reply: ReplyEntry, result: Result<Attr, Errno>) {
    match result {
        Ok(attr) => reply.entry(&TTL, &file_attr(&attr), Generation(0)),
        Err(e) => reply.error(e),
    }
}

fn attr(reply: ReplyAttr, result: Result<Attr, Errno>) {
    match result {
        Ok(attr) => reply.attr(&TTL, &file_attr(&attr)),
        Err(e) => reply.error(e),
    }
}

fn rename_mode(flags: RenameFlags) -> Result<RenameMode, Errno> {
    let exchange = flags.contains(RenameFlags::RENAME_EXCHANGE);
    let noreplace = flags.contains(RenameFlags::RENAME_NOREPLACE);
    let known = RenameFlags::RENAME_EXCHANGE | RenameFlags::RENAME_NOREPLACE;
    match (exchange, noreplace) {
        _ if !known.contains(flags) => Err(Errno::EINVAL),
        (true, true) => Err(Errno::EINVAL),
        (true, false) => Ok(RenameMode::Exchange),
        (false, true) => Ok(RenameMode::NoReplace),
        (false, false) => Ok(RenameMode::Replace),
    }
}

impl Filesystem for PowerCut {
    fn lookup(&self, _req: &Request, parent: INodeNo, name: &OsStr, reply: ReplyEntry) {
        entry(
            reply,
            self.tree("lookup")
                .and_then(|mut t| t.lookup(parent.0, name)),
        );
    }

    fn forget(&self, _req: &Request, ino: INodeNo, nlookup: u64) {
        if let Ok(mut tree) = self.tree("forget") {
            tree.forget(ino.0, nlookup);
        }
    }

    fn getattr(&self, _req: &Request, ino: INodeNo, _fh: Option<FileHandle>, reply: ReplyAttr) {
        attr(reply, self.tree("getattr").and_then(|t| t.attr(ino.0)));
    }

    fn setattr(
        &self,
        _req: &Request,
        ino: INodeNo,
        mode: Option<u32>,
        uid: Option<u32>,
        gid: Option<u32>,
        size: Option<u64>,
        atime: Option<TimeOrNow>,
        mtime: Option<TimeOrNow>,
        _ctime: Option<SystemTime>,
        _fh: Option<FileHandle>,
        _crtime: Option<SystemTime>,
        _chgtime: Option<SystemTime>,
        _bkuptime: Option<SystemTime>,
        _flags: Option<fuser::BsdFileFlags>,
        reply: ReplyAttr,
    ) {
        let change = SetAttr {
            mode,
            uid,
            gid,
            size,
            atime: atime.map(time),
            mtime: mtime.map(time),
        };
        attr(
            reply,
            self.tree("setattr")
                .and_then(|mut t| t.setattr(ino.0, &change)),
        );
    }

    fn mknod(
        &self,
        req: &Request,
        parent: INodeNo,
        name: &OsStr,
        mode: u32,
        umask: u32,
        _rdev: u32,
        reply: ReplyEntry,
    ) {
        let owner = (perm(mode, umask), req.uid(), req.gid());
        entry(
            reply,
            self.tree("mknod").and_then(|mut t| {
                regular(mode)?;
                t.create(parent.0, name, Kind::File, owner)
            }),
        );
    }

    fn mkdir(
        &self,
        req: &Request,
        parent: INodeNo,
        name: &OsStr,
        mode: u32,
        umask: u32,
        reply: ReplyEntry,
    ) {
        let owner = (perm(mode, umask), req.uid(), req.gid());
        entry(
            reply,
            self.tree("mkdir")
                .and_then(|mut t| t.create(parent.0, name, Kind::Dir, owner)),
        );
    }

    fn unlink(&self, _req: &Request, parent: INodeNo, name: &OsStr, reply: ReplyEmpty) {
        empty(
            reply,
            self.tree("unlink")
                .and_then(|mut t| t.remove(parent.0, name, false)),
        );
    }

    fn rmdir(&self, _req: &Request, parent: INodeNo, name: &OsStr, reply: ReplyEmpty) {
        empty(
            reply,
            self.tree("rmdir")
                .and_then(|mut t| t.remove(parent.0, name, true)),
        );
    }

    fn rename(
        &self,
        _req: &Request,
        parent: INodeNo,
        name: &OsStr,
        newparent: INodeNo,
        newname: &OsStr,
        flags: RenameFlags,
        reply: ReplyEmpty,
    ) {
        let result = self.tree("rename").and_then(|mut t| {
            t.rename(
                (parent.0, name),
                (newparent.0, newname),
                rename_mode(flags)?,
            )
        });
        empty(reply, result);
    }

    fn link(
        &self,
        _req: &Request,
        ino: INodeNo,
        newparent: INodeNo,
        newname: &OsStr,
        reply: ReplyEntry,
    ) {
        entry(
            reply,
            self.tree("link")
                .and_then(|mut t| t.link(ino.0, newparent.0, newname)),
        );
    }

    fn open(&self, _req: &Request, ino: INodeNo, _flags: OpenFlags, reply: ReplyOpen) {
        match self.tree("open").and_then(|mut t| t.open(ino.0)) {
            Ok(()) => reply.opened(FileHandle(0), OPEN_FLAGS),
            Err(e) => reply.error(e),
        }
    }

    fn read(
        &self,
        _req: &Request,
        ino: INodeNo,
        _fh: FileHandle,
        offset: u64,
        size: u32,
        _flags: OpenFlags,
        _lock_owner: Option<LockOwner>,
        reply: ReplyData,
    ) {
        match self.tree("read").and_then(|t| t.read(ino.0, offset, size)) {
            Ok(bytes) => reply.data(&bytes),
            Err(e) => reply.error(e),
        }
    }

    fn write(
        &self,
        _req: &Request,
        ino: INodeNo,
        _fh: FileHandle,
        offset: u64,
        data: &[u8],
        _write_flags: WriteFlags,
        _flags: OpenFlags,
        _lock_owner: Option<LockOwner>,
        reply: ReplyWrite,
    ) {
        match self
            .tree("write")
            .and_then(|mut t| t.write(ino.0, offset, data))
        {
            Ok(n) => reply.written(n),
            Err(e) => reply.error(e),
        }
    }

    fn flush(
        &self,
        _req: &Request,
        _ino: INodeNo,
        _fh: FileHandle,
        _lock_owner: LockOwner,
        reply: ReplyEmpty,
    ) {
        // Every write already reached the tree; closing makes nothing durable.
        empty(reply, self.tree("flush").map(drop));
    }

    fn release(
        &self,
        _req: &Request,
        ino: INodeNo,
        _fh: FileHandle,
        _flags: OpenFlags,
        _lock_owner: Option<LockOwner>,
        _flush: bool,
        reply: ReplyEmpty,
    ) {
        empty(
            reply,
            self.tree("release").map(|mut t| t.release(ino.0, None)),
        );
    }

    fn fsync(
        &self,
        _req: &Request,
        ino: INodeNo,
        _fh: FileHandle,
        datasync: bool,
        reply: ReplyEmpty,
    ) {
        self.sync("fsync", ino, datasync, reply);
    }

    fn opendir(&self, _req: &Request, ino: INodeNo, _flags: OpenFlags, reply: ReplyOpen) {
        match self.tree("opendir").and_then(|mut t| t.opendir(ino.0)) {
            Ok(fh) => reply.opened(FileHandle(fh), FopenFlags::empty()),
            Err(e) => reply.error(e),
        }
    }

    fn readdir(
        &self,
        _req: &Request,
        _ino: INodeNo,
        fh: FileHandle,
        offset: u64,
        mut reply: ReplyDirectory,
    ) {
        let tree = match self.tree("readdir") {
            Ok(tree) => tree,
            Err(e) => return reply.error(e),
        };
        match tree.readdir(fh.0, offset) {
            Ok(entries) => {
                for (next, e) in (offset.saturating_add(1)..).zip(entries) {
                    if reply.add(INodeNo(e.ino), next, file_type(e.kind), &e.name) {
                        break;
                    }
                }
                reply.ok();
            }
            Err(e) => reply.error(e),
        }
    }

    fn releasedir(
        &self,
        _req: &Request,
        ino: INodeNo,
        fh: FileHandle,
        _flags: OpenFlags,
        reply: ReplyEmpty,
    ) {
        empty(
            reply,
            self.tree("releasedir")
                .map(|mut t| t.release(ino.0, Some(fh.0))),
        );
    }

    fn fsyncdir(
        &self,
        _req: &Request,
        ino: INodeNo,
        _fh: FileHandle,
        datasync: bool,
        reply: ReplyEmpty,
    ) {
        self.sync("fsyncdir", ino, datasync, reply);
    }

    fn statfs(&self, _req: &Request, _ino: INodeNo, reply: ReplyStatfs) {
        match self.tree("statfs") {
            Ok(tree) => {
                let (files, bytes) = tree.usage();
                let blocks = CAPACITY / 4096;
                let free = blocks.saturating_sub(bytes.div_ceil(4096));
                let max_files = 1 << 24;
                let free_files = max_files - files.min(max_files);
                reply.statfs(
                    blocks,
                    free,
                    free,
                    max_files,
                    free_files,
                    4096,
                    NAME_MAX as u32,
                    4096,
                );
            }
            Err(e) => reply.error(e),
        }
    }

    fn access(&self, _req: &Request, ino: INodeNo, _mask: AccessFlags, reply: ReplyEmpty) {
        // No permission checks: the tests run as root, which may do anything.
        empty(
            reply,
            self.tree("access").and_then(|t| t.attr(ino.0).map(drop)),
        );
    }

    fn create(
        &self,
        req: &Request,
        parent: INodeNo,
        name: &OsStr,
        mode: u32,
        umask: u32,
        _flags: i32,
        reply: ReplyCreate,
    ) {
        let owner = (perm(mode, umask), req.uid(), req.gid());
        let result = self.tree("create").and_then(|mut t| {
            regular(mode)?;
            let attr = t.create(parent.0, name, Kind::File, owner)?;
            t.open(attr.ino)?;
            Ok(attr)
        });
        match result {
            Ok(attr) => reply.created(
                &TTL,
                &file_attr(&attr),
                Generation(0),
                FileHandle(0),
                OPEN_FLAGS,
            ),
            Err(e) => reply.error(e),
        }
    }

    fn getxattr(
        &self,
        _req: &Request,
        _ino: INodeNo,
        _name: &OsStr,
        _size: u32,
        reply: ReplyXattr,
    ) {
        // No extended attributes. ENOSYS makes the kernel stop asking for good (it would
        // otherwise ask for `security.capability` before every write) and answer EOPNOTSUPP.
        drop(self.tree("getxattr"));
        reply.error(Errno::ENOSYS);
    }

    fn getlk(
        &self,
        _req: &Request,
        _ino: INodeNo,
        _fh: FileHandle,
        _lock_owner: LockOwner,
        _start: u64,
        _end: u64,
        _typ: i32,
        _pid: u32,
        reply: ReplyLock,
    ) {
        drop(self.tree("getlk"));
        reply.error(Errno::ENOSYS);
    }

    fn setlk(
        &self,
        _req: &Request,
        _ino: INodeNo,
        _fh: FileHandle,
        _lock_owner: LockOwner,
        _start: u64,
        _end: u64,
        _typ: i32,
        _pid: u32,
        _sleep: bool,
        reply: ReplyEmpty,
    ) {
        drop(self.tree("setlk"));
        reply.error(Errno::ENOSYS);
    }

    fn fallocate(
        &self,
        _req: &Request,
        ino: INodeNo,
        _fh: FileHandle,
        offset: u64,
        length: u64,
        mode: i32,
        reply: ReplyEmpty,
    ) {
        let result = self.tree("fallocate").and_then(|mut t| {
            let end = offset.checked_add(length).ok_or(Errno::EFBIG)?;
            match mode {
                0 => t.allocate(ino.0, end, false),
                libc::FALLOC_FL_KEEP_SIZE => t.allocate(ino.0, end, true),
                _ => Err(Errno::EOPNOTSUPP),
            }
        });
        empty(reply, result);
    }
}

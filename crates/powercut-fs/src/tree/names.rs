//! The namespace: operations on directory entries (create, link, unlink, rmdir, rename) and
//! directory listings. Every change here is to a directory's *current* entries; only an fsync
//! of that directory (`Tree::sync`) makes it durable.

use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::time::SystemTime;

use fuser::Errno;

use super::{Attr, Body, Ino, Inode, Kind, Meta, NAME_MAX, Tree};
use crate::content::Content;

/// How a rename treats an existing target (`renameat2` flags).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum RenameMode {
    /// Plain `rename`: an existing target is replaced.
    Replace,
    /// `RENAME_NOREPLACE`: an existing target fails with `EEXIST`.
    NoReplace,
    /// `RENAME_EXCHANGE`: source and target swap places.
    Exchange,
}

/// One entry of a directory listing.
#[derive(Clone, Debug)]
pub(crate) struct DirEntry {
    pub(crate) ino: Ino,
    pub(crate) kind: Kind,
    pub(crate) name: OsString,
}

/// `ENAMETOOLONG` past [`NAME_MAX`] bytes.
pub(super) fn check_name(name: &OsStr) -> Result<(), Errno> {
    if name.len() > NAME_MAX {
        Err(Errno::ENAMETOOLONG)
    } else {
        Ok(())
    }
}

impl Tree {
    /// `create`, `mknod` and `mkdir`: a new, empty inode named `parent/name`.
    pub(crate) fn create(
        &mut self,
        parent: Ino,
        name: &OsStr,
        kind: Kind,
        meta: (u16, u32, u32),
    ) -> Result<Attr, Errno> {
        check_name(name)?;
        if self.entries(parent)?.contains_key(name) {
            return Err(Errno::EEXIST);
        }
        let body = match kind {
            Kind::File => Body::File {
                now: Content::default(),
                durable: Content::default(),
            },
            Kind::Dir => Body::Dir {
                now: BTreeMap::new(),
                durable: BTreeMap::new(),
                parent,
            },
        };
        let ino = self.next_ino;
        self.next_ino += 1;
        let mut node = Inode::new(Meta::new(meta.0 & 0o7777, meta.1, meta.2), body);
        node.links = 1;
        node.lookups = 1;
        self.inodes.insert(ino, node);
        self.entries_mut(parent)?.insert(name.to_owned(), ino);
        self.touch(parent);
        self.attr(ino)
    }

    /// `link`: one more name for the file `ino`.
    pub(crate) fn link(&mut self, ino: Ino, parent: Ino, name: &OsStr) -> Result<Attr, Errno> {
        check_name(name)?;
        if self.kind(ino)? == Kind::Dir {
            return Err(Errno::EPERM);
        }
        if self.entries(parent)?.contains_key(name) {
            return Err(Errno::EEXIST);
        }
        self.entries_mut(parent)?.insert(name.to_owned(), ino);
        let node = self.node_mut(ino)?;
        node.links += 1;
        node.lookups += 1;
        node.meta.ctime = SystemTime::now();
        self.touch(parent);
        self.attr(ino)
    }

    /// `unlink` (`dir == false`) or `rmdir` (`dir == true`) of `parent/name`.
    pub(crate) fn remove(&mut self, parent: Ino, name: &OsStr, dir: bool) -> Result<(), Errno> {
        let ino = self.child(parent, name)?;
        match (self.kind(ino)?, dir) {
            (Kind::Dir, false) => return Err(Errno::EISDIR),
            (Kind::File, true) => return Err(Errno::ENOTDIR),
            (Kind::Dir, true) if !self.entries(ino)?.is_empty() => return Err(Errno::ENOTEMPTY),
            _ => {}
        }
        self.entries_mut(parent)?.remove(name);
        self.unlinked(ino);
        self.touch(parent);
        Ok(())
    }

    /// One current name of `ino` is gone.
    fn unlinked(&mut self, ino: Ino) {
        if let Some(node) = self.inodes.get_mut(&ino) {
            node.links = node.links.saturating_sub(1);
            node.meta.ctime = SystemTime::now();
        }
        self.collect(ino);
    }

    /// `rename`/`renameat2` of `parent/name` to `new_parent/new_name`.
    pub(crate) fn rename(
        &mut self,
        from: (Ino, &OsStr),
        to: (Ino, &OsStr),
        mode: RenameMode,
    ) -> Result<(), Errno> {
        let ((parent, name), (new_parent, new_name)) = (from, to);
        check_name(new_name)?;
        let src = self.child(parent, name)?;
        let dst = self.entries(new_parent)?.get(new_name).copied();
        if parent == new_parent && name == new_name {
            return Ok(());
        }
        if self.kind(src)? == Kind::Dir && self.is_ancestor(src, new_parent) {
            return Err(Errno::EINVAL);
        }
        match (mode, dst) {
            (RenameMode::Exchange, None) => return Err(Errno::ENOENT),
            (RenameMode::Exchange, Some(dst)) => {
                if self.kind(dst)? == Kind::Dir && self.is_ancestor(dst, parent) {
                    return Err(Errno::EINVAL);
                }
                self.entries_mut(parent)?.insert(name.to_owned(), dst);
                self.entries_mut(new_parent)?
                    .insert(new_name.to_owned(), src);
                self.set_parent(dst, parent);
            }
            (RenameMode::NoReplace, Some(_)) => return Err(Errno::EEXIST),
            (_, Some(dst)) if dst == src => return Ok(()),
            (_, dst) => {
                if let Some(dst) = dst {
                    match (self.kind(src)?, self.kind(dst)?) {
                        (Kind::Dir, Kind::File) => return Err(Errno::ENOTDIR),
                        (Kind::File, Kind::Dir) => return Err(Errno::EISDIR),
                        (Kind::Dir, Kind::Dir) if !self.entries(dst)?.is_empty() => {
                            return Err(Errno::ENOTEMPTY);
                        }
                        _ => {}
                    }
                }
                self.entries_mut(parent)?.remove(name);
                self.entries_mut(new_parent)?
                    .insert(new_name.to_owned(), src);
                if let Some(dst) = dst {
                    self.unlinked(dst);
                }
            }
        }
        self.set_parent(src, new_parent);
        if let Some(node) = self.inodes.get_mut(&src) {
            node.meta.ctime = SystemTime::now();
        }
        self.touch(parent);
        self.touch(new_parent);
        Ok(())
    }

    fn set_parent(&mut self, ino: Ino, new_parent: Ino) {
        if let Some(Inode {
            body: Body::Dir { parent, .. },
            ..
        }) = self.inodes.get_mut(&ino)
        {
            *parent = new_parent;
        }
    }

    /// `opendir`: snapshots the listing and returns its handle.
    pub(crate) fn opendir(&mut self, ino: Ino) -> Result<u64, Errno> {
        let parent = match &self.node(ino)?.body {
            Body::Dir { parent, .. } => *parent,
            Body::File { .. } => return Err(Errno::ENOTDIR),
        };
        let mut listing = vec![
            DirEntry {
                ino,
                kind: Kind::Dir,
                name: ".".into(),
            },
            DirEntry {
                ino: parent,
                kind: Kind::Dir,
                name: "..".into(),
            },
        ];
        for (name, child) in self.entries(ino)? {
            let kind = self.kind(*child)?;
            listing.push(DirEntry {
                ino: *child,
                kind,
                name: name.clone(),
            });
        }
        let fh = self.next_fh;
        self.next_fh += 1;
        self.listings.insert(fh, listing);
        self.node_mut(ino)?.opens += 1;
        Ok(fh)
    }

    /// `readdir`: the listing of handle `fh` from entry number `offset` on.
    pub(crate) fn readdir(&self, fh: u64, offset: u64) -> Result<&[DirEntry], Errno> {
        let listing = self.listings.get(&fh).ok_or(Errno::EBADF)?;
        let start = usize::try_from(offset)
            .unwrap_or(usize::MAX)
            .min(listing.len());
        Ok(&listing[start..])
    }
}

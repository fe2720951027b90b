//! A file's bytes, as copy-on-write pages.
//!
//! Every file keeps two `Content`s: what readers see now and what survives a power cut. An
//! fsync makes the second a clone of the first. Pages are shared through `Arc`, so that clone
//! costs one pointer per 4 KiB page, and a later write copies only the page it touches
//! (`Arc::make_mut`). A SQLite WAL file fsynced after every commit therefore stays cheap.
//!
//! Invariant: bytes of the last page past `len` are zero, so growing a file exposes zeros.

use std::sync::Arc;

/// Bytes per page.
const PAGE: usize = 4096;

/// Largest file size accepted; a write or truncate past it fails with `EFBIG`. It bounds the page
/// table (4 Mi entries) of a file that a test truncates to a silly size.
pub(crate) const MAX_SIZE: u64 = 16 << 30;

type Page = [u8; PAGE];

/// A size past [`MAX_SIZE`] was asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TooBig;

/// The bytes of one file; holes and untouched pages (`None`) read as zeros.
#[derive(Clone, Debug, Default)]
pub(crate) struct Content {
    pages: Vec<Option<Arc<Page>>>,
    len: u64,
}

/// `u64` to `usize` for values already bounded by [`MAX_SIZE`] (this crate needs 64-bit Linux).
fn idx(value: u64) -> usize {
    usize::try_from(value).unwrap_or(usize::MAX)
}

impl Content {
    /// The file size in bytes.
    pub(crate) fn len(&self) -> u64 {
        self.len
    }

    /// Up to `size` bytes from `offset`; short (or empty) at the end of the file.
    pub(crate) fn read(&self, offset: u64, size: u32) -> Vec<u8> {
        let end = self.len.min(offset.saturating_add(u64::from(size)));
        let mut out = Vec::with_capacity(idx(end.saturating_sub(offset)));
        let mut pos = offset;
        while pos < end {
            let page = idx(pos / PAGE as u64);
            let from = idx(pos % PAGE as u64);
            let to = idx((end - page as u64 * PAGE as u64).min(PAGE as u64));
            match self.pages.get(page).and_then(Option::as_ref) {
                Some(bytes) => out.extend_from_slice(&bytes[from..to]),
                None => out.resize(out.len() + (to - from), 0),
            }
            pos = page as u64 * PAGE as u64 + to as u64;
        }
        out
    }

    /// Writes `data` at `offset`, growing the file (with zeros in any gap) as needed.
    pub(crate) fn write(&mut self, offset: u64, data: &[u8]) -> Result<(), TooBig> {
        let end = offset.checked_add(data.len() as u64).ok_or(TooBig)?;
        if end > self.len {
            self.set_len(end)?;
        }
        let mut done = 0usize;
        while done < data.len() {
            let pos = offset + done as u64;
            let page = idx(pos / PAGE as u64);
            let from = idx(pos % PAGE as u64);
            let n = (PAGE - from).min(data.len() - done);
            if let Some(slot) = self.pages.get_mut(page) {
                let bytes = slot.get_or_insert_with(|| Arc::new([0; PAGE]));
                Arc::make_mut(bytes)[from..from + n].copy_from_slice(&data[done..done + n]);
            }
            done += n;
        }
        Ok(())
    }

    /// Truncates or extends (with zeros) to `len` bytes.
    pub(crate) fn set_len(&mut self, len: u64) -> Result<(), TooBig> {
        if len > MAX_SIZE {
            return Err(TooBig);
        }
        let pages = idx(len.div_ceil(PAGE as u64));
        if len < self.len {
            self.pages.truncate(pages);
            let tail = idx(len % PAGE as u64);
            if tail != 0
                && let Some(Some(last)) = self.pages.last_mut()
            {
                Arc::make_mut(last)[tail..].fill(0);
            }
        } else {
            self.pages.resize(pages, None);
        }
        self.len = len;
        Ok(())
    }

    /// How many byte positions differ between `self` and `other`; a position that exists in one
    /// and not in the other counts as different. Pages still shared by both are skipped.
    pub(crate) fn differing_bytes(&self, other: &Content) -> u64 {
        let end = self.len.max(other.len);
        let pages = idx(end.div_ceil(PAGE as u64));
        let mut differ = 0u64;
        for page in 0..pages {
            let mine = self.pages.get(page).cloned().flatten();
            let theirs = other.pages.get(page).cloned().flatten();
            let start = page as u64 * PAGE as u64;
            let page_end = (start + PAGE as u64).min(end);
            let both_whole = page_end <= self.len.min(other.len);
            let shared = match (&mine, &theirs) {
                (Some(a), Some(b)) => Arc::ptr_eq(a, b),
                (None, None) => true,
                _ => false,
            };
            if both_whole && shared {
                continue;
            }
            for pos in start..page_end {
                let off = idx(pos - start);
                let a = (pos < self.len).then(|| mine.as_ref().map_or(0, |p| p[off]));
                let b = (pos < other.len).then(|| theirs.as_ref().map_or(0, |p| p[off]));
                if a != b {
                    differ += 1;
                }
            }
        }
        differ
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_read_across_pages_and_holes() {
        let mut c = Content::default();
        c.write(5000, b"hello").unwrap();
        assert_eq!(c.len(), 5005);
        assert_eq!(c.read(0, 10), vec![0; 10]);
        assert_eq!(c.read(4998, 10), b"\0\0hello".to_vec());
        c.write(4094, b"abcd").unwrap();
        assert_eq!(c.read(4094, 4), b"abcd".to_vec());
        assert!(c.read(6000, 10).is_empty());
    }

    #[test]
    fn shrinking_then_growing_exposes_zeros() {
        let mut c = Content::default();
        c.write(0, &[7; 100]).unwrap();
        c.set_len(10).unwrap();
        c.set_len(100).unwrap();
        let bytes = c.read(0, 100);
        assert_eq!(&bytes[..10], &[7; 10]);
        assert_eq!(&bytes[10..], &[0; 90]);
    }

    #[test]
    fn a_clone_is_a_snapshot_and_differences_are_counted() {
        let mut c = Content::default();
        c.write(0, &[1; 10_000]).unwrap();
        let durable = c.clone();
        assert_eq!(c.differing_bytes(&durable), 0);
        c.write(9_000, &[2; 3]).unwrap();
        assert_eq!(
            durable.read(9_000, 3),
            vec![1; 3],
            "the snapshot must not change"
        );
        assert_eq!(c.differing_bytes(&durable), 3);
        c.write(10_000, b"xy").unwrap();
        assert_eq!(c.differing_bytes(&durable), 5);
        assert_eq!(Content::default().differing_bytes(&durable), 10_000);
    }

    #[test]
    fn sizes_past_the_limit_are_refused() {
        let mut c = Content::default();
        assert_eq!(c.set_len(MAX_SIZE + 1), Err(TooBig));
        assert_eq!(c.write(u64::MAX - 1, b"ab"), Err(TooBig));
    }
}

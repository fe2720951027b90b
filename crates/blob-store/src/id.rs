//! [`BlobId`]: the content address of a body, and its object key.

use std::fmt;
use std::str::FromStr;

use object_store::path::Path;
use sha2::{Digest, Sha256};

/// The top-level folder (or key prefix) that holds every blob.
pub(crate) const BLOBS_DIR: &str = "blobs";

/// The content address of a stored body: its SHA-256 and its length.
///
/// Two bodies with the same bytes have the same id, so they are stored once. The size is part of
/// the id so a reader can bound range reads and detect truncation without a round trip.
///
/// The text form ([`Display`](fmt::Display) / [`FromStr`]) is `<64 lowercase hex>:<size>`,
/// e.g. `e3b0c442…b855:0` for the empty body.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BlobId {
    /// SHA-256 of the whole body.
    pub sha256: [u8; 32],
    /// Length of the body in bytes.
    pub size: u64,
}

impl BlobId {
    /// Computes the id of `data` (hashes it; no I/O).
    pub fn of(data: &[u8]) -> BlobId {
        let mut h = IdHasher::default();
        h.update(data);
        h.finish()
    }

    /// The SHA-256 as 64 lowercase hex digits.
    pub fn hex(&self) -> String {
        hex_encode(&self.sha256)
    }

    /// The object key: `blobs/ab/cd/<64 hex>`. The two fan-out levels keep any one folder
    /// small (at most 65 536 subfolders per level) on file systems that slow down with
    /// millions of entries; S3 does not care but uses the same layout.
    pub(crate) fn key(&self) -> Path {
        let hex = self.hex();
        Path::from(format!("{BLOBS_DIR}/{}/{}/{hex}", &hex[0..2], &hex[2..4]))
    }

    /// Parses a key produced by [`BlobId::key`] back into the digest, or `None` for any other
    /// object (staging files, foreign objects). The size comes from the listing.
    pub(crate) fn from_key(key: &Path, size: u64) -> Option<BlobId> {
        let mut parts = key.parts();
        let (dir, a, b, name) = (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() || dir.as_ref() != BLOBS_DIR {
            return None;
        }
        let sha256 = hex_decode(name.as_ref())?;
        let hex = name.as_ref();
        (a.as_ref() == &hex[0..2] && b.as_ref() == &hex[2..4]).then_some(BlobId { sha256, size })
    }
}

impl fmt::Display for BlobId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.hex(), self.size)
    }
}

impl fmt::Debug for BlobId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BlobId({self})")
    }
}

/// Why a string is not a [`BlobId`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a blob id (want <64 hex>:<size>): {0:?}")]
pub struct ParseBlobIdError(String);

impl FromStr for BlobId {
    type Err = ParseBlobIdError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || ParseBlobIdError(s.chars().take(80).collect());
        let (hex, size) = s.split_once(':').ok_or_else(err)?;
        let sha256 = hex_decode(hex).ok_or_else(err)?;
        let size = size.parse::<u64>().map_err(|_| err())?;
        Ok(BlobId { sha256, size })
    }
}

/// Incremental hashing for streamed bodies; [`IdHasher::finish`] yields the [`BlobId`].
#[derive(Default, Clone)]
pub(crate) struct IdHasher {
    sha: Sha256,
    size: u64,
}

impl IdHasher {
    pub(crate) fn update(&mut self, chunk: &[u8]) {
        self.sha.update(chunk);
        self.size += chunk.len() as u64;
    }

    pub(crate) fn finish(self) -> BlobId {
        BlobId {
            sha256: self.sha.finalize().into(),
            size: self.size,
        }
    }
}

fn hex_encode(bytes: &[u8; 32]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(64);
    for b in bytes {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 0xf)] as char);
    }
    s
}

/// Decodes exactly 64 hex digits (either case).
fn hex_decode(s: &str) -> Option<[u8; 32]> {
    let s = s.as_bytes();
    if s.len() != 64 {
        return None;
    }
    let nibble = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    let mut out = [0u8; 32];
    for (i, pair) in s.chunks_exact(2).enumerate() {
        out[i] = (nibble(pair[0])? << 4) | nibble(pair[1])?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The empty body has the well-known SHA-256; its text form round-trips.
    #[test]
    fn empty_body_id_and_text_form() {
        let id = BlobId::of(b"");
        let text = id.to_string();
        assert_eq!(
            text,
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855:0"
        );
        assert_eq!(text.parse::<BlobId>(), Ok(id));
        assert_eq!(text.to_uppercase().parse::<BlobId>(), Ok(id));
    }

    /// Keys fan out on the first two bytes and parse back; other names are ignored.
    #[test]
    fn key_round_trip_and_foreign_names() {
        let id = BlobId::of(b"hello");
        let key = id.key();
        let hex = id.hex();
        assert_eq!(
            key.as_ref(),
            format!("blobs/{}/{}/{hex}", &hex[..2], &hex[2..4])
        );
        assert_eq!(BlobId::from_key(&key, 5), Some(id));
        for bad in [
            format!("blobs/{}/{}/{hex}#1", &hex[..2], &hex[2..4]),
            format!("blobs/00/00/{hex}"),
            format!("staging/{}/{}/{hex}", &hex[..2], &hex[2..4]),
            "blobs/ab/cd".to_string(),
        ] {
            assert_eq!(
                BlobId::from_key(&Path::from(bad.as_str()), 5),
                None,
                "{bad}"
            );
        }
    }

    /// Hostile text forms are rejected, never panic.
    #[test]
    fn parse_rejects_garbage() {
        for bad in [
            "",
            ":",
            "abc:1",
            &format!("{}:x", "0".repeat(64)),
            &"é".repeat(40),
        ] {
            assert!(bad.parse::<BlobId>().is_err(), "{bad}");
        }
    }
}

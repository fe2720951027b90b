//! Mail files on the client side: mbox (mboxrd) and maildir, read into and written from
//! [`MailItem`]s, which travel over the admin API one by one.
//!
//! IMAP keeps messages with CRLF line ends; the files use LF (CRLF lines in a file are kept).
//! Readers turn every bare LF into CRLF; writers turn every CRLF into LF. A message whose
//! lines all end in CRLF therefore survives export then import byte for byte.
//!
//! ```text
//!  mbox file  ──MboxReader──▶ MailItem ──▶ import     export ──▶ MailItem ──MboxWriter──▶ mbox
//!  maildir/{cur,new} ──MaildirReader──▶ …             … ──MaildirWriter──▶ maildir/{tmp,cur}
//! ```

mod date;
pub mod maildir;
pub mod mbox;

use bytes::Bytes;
use store::Flags;

pub use maildir::{MaildirReader, MaildirWriter};
pub use mbox::{MboxReader, MboxWriter};

/// One message as it travels through the admin API: octets, flags, INTERNALDATE.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailItem {
    /// The message octets, CRLF line ends.
    pub data: Bytes,
    /// Flags.
    pub flags: Flags,
    /// INTERNALDATE, seconds since the epoch; `None`: the server uses the time of import.
    pub internal_date: Option<i64>,
    /// INTERNALDATE's zone, minutes east of UTC.
    pub internal_zone: i16,
}

/// Why a mail file could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum CodecError {
    /// A file or folder could not be read or written.
    #[error("{what}: {source}")]
    Io {
        /// The file or folder.
        what: String,
        /// What went wrong.
        source: std::io::Error,
    },
    /// The input is not an mbox: its first line is not a `From ` line.
    #[error("{0}: not an mbox file (the first line is not a `From ` line)")]
    NotMbox(String),
    /// The folder has neither `cur/` nor `new/`.
    #[error("{0}: not a maildir (it has neither cur/ nor new/)")]
    NotMaildir(String),
    /// The output exists already; exports never overwrite.
    #[error("{0} exists already; export into a new file")]
    Exists(String),
}

impl CodecError {
    pub(crate) fn io(what: impl std::fmt::Display, source: std::io::Error) -> CodecError {
        CodecError::Io {
            what: what.to_string(),
            source,
        }
    }
}

/// Every bare LF becomes CRLF; existing CRLFs are kept.
pub(crate) fn lf_to_crlf(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len() + data.len() / 32);
    let mut prev = 0u8;
    for &b in data {
        if b == b'\n' && prev != b'\r' {
            out.push(b'\r');
        }
        out.push(b);
        prev = b;
    }
    out
}

/// Every CRLF becomes LF; a lone CR is kept.
pub(crate) fn crlf_to_lf(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(data.len());
    let mut i = 0;
    while i < data.len() {
        if data[i] == b'\r' && data.get(i + 1) == Some(&b'\n') {
            i += 1;
            continue;
        }
        out.push(data[i]);
        i += 1;
    }
    out
}

/// The current time, seconds since the epoch.
pub(crate) fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_ends() {
        assert_eq!(lf_to_crlf(b"a\nb\r\nc\n"), b"a\r\nb\r\nc\r\n");
        assert_eq!(crlf_to_lf(b"a\r\nb\rc\r\n"), b"a\nb\rc\n");
        let crlf = b"x\r\n\r\ny\r\n";
        assert_eq!(lf_to_crlf(&crlf_to_lf(crlf)), crlf);
    }
}

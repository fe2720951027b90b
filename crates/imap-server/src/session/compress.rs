//! COMPRESS=DEFLATE (RFC 4978): the command, and the raw deflate (RFC 1951, no zlib header) in
//! both directions once its tagged OK has gone out. Responses are compressed per flush with a sync
//! flush, so every batch reaches the client whole; commands are inflated at most
//! [`CHUNK`] octets at a time, so a small hostile input cannot expand without bound (the
//! receiver's limits see the inflated bytes as if they had arrived uncompressed).

use super::Session;
use crate::reply::Reply;
use bytes::{Buf, BytesMut};
use flate2::{Compress, Compression, Decompress, FlushCompress, FlushDecompress, Status};
use imap_proto::response::{Code, Response, State as Cond, StatusResponse};
use tokio::io::{AsyncRead, AsyncWrite};

impl<S: AsyncRead + AsyncWrite + Unpin + Send> Session<S> {
    /// COMPRESS DEFLATE: the tagged OK goes out uncompressed, and everything after it in both
    /// directions is raw deflate. Bytes the client sent after the command (it must not, RFC
    /// 4978 §3) are taken as compressed.
    pub(crate) async fn compress(
        &mut self,
        tag: &imap_proto::Tag,
        mechanism: &str,
    ) -> std::io::Result<Reply> {
        if self.deflate.is_some() {
            return Ok(Reply::no("DEFLATE is already active").code(Code::CompressionActive));
        }
        if mechanism != "DEFLATE" {
            return Ok(Reply::bad(format!(
                "unknown compression mechanism {mechanism}"
            )));
        }
        let ok = StatusResponse::tagged(tag.clone(), Cond::Ok, "DEFLATE active");
        self.send(&Response::Status(ok));
        self.flush().await?;
        let pending = self.rbuf.split();
        self.deflate = Some(Box::new(Deflate::new(pending)));
        Ok(Reply::ok("").silent())
    }
}

/// Most octets inflated per read.
pub(crate) const CHUNK: usize = 16 * 1024;

/// Both directions of one connection's compression.
pub(crate) struct Deflate {
    compress: Compress,
    decompress: Decompress,
    /// Compressed bytes received and not inflated yet.
    pub(crate) input: BytesMut,
    scratch: Vec<u8>,
}

fn invalid(e: impl std::fmt::Display) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidData, format!("deflate: {e}"))
}

impl Deflate {
    /// Fresh streams; `pending` is what the client already sent after COMPRESS (compressed).
    pub(crate) fn new(pending: BytesMut) -> Deflate {
        Deflate {
            // Level 6 is zlib's default trade-off; responses are mostly text.
            compress: Compress::new(Compression::new(6), false),
            decompress: Decompress::new(false),
            input: pending,
            scratch: Vec::with_capacity(CHUNK),
        }
    }

    /// Inflates up to [`CHUNK`] octets of pending input onto `out`; returns how many. Zero means
    /// more compressed input is needed.
    pub(crate) fn inflate(&mut self, out: &mut BytesMut) -> std::io::Result<usize> {
        // Runs even with no input left: the inflater may hold output it had no room for.
        self.scratch.clear();
        let before = self.decompress.total_in();
        let status = self
            .decompress
            .decompress_vec(&self.input, &mut self.scratch, FlushDecompress::None)
            .map_err(invalid)?;
        let used = (self.decompress.total_in() - before) as usize;
        self.input.advance(used);
        if status == Status::StreamEnd && !self.input.is_empty() {
            return Err(invalid("data after the end of the compressed stream"));
        }
        out.extend_from_slice(&self.scratch);
        Ok(self.scratch.len())
    }

    /// Compresses `data` and sync-flushes, so the client can inflate all of it now.
    pub(crate) fn deflate(&mut self, data: &[u8]) -> std::io::Result<Vec<u8>> {
        let mut out = Vec::with_capacity(data.len() / 2 + 64);
        let mut rest = data;
        loop {
            out.reserve((rest.len() / 2).max(4096));
            let before = self.compress.total_in();
            self.compress
                .compress_vec(rest, &mut out, FlushCompress::Sync)
                .map_err(invalid)?;
            rest = &rest[(self.compress.total_in() - before) as usize..];
            // The flush is complete when all input is taken and the output did not fill up.
            if rest.is_empty() && out.len() < out.capacity() {
                return Ok(out);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::read::{DeflateDecoder, DeflateEncoder};
    use std::io::Read;

    /// Each flush is a complete sync-flushed piece: a standard raw-deflate reader inflates the
    /// concatenation to the original bytes.
    #[test]
    fn flushed_batches_inflate_with_a_standard_decoder() {
        let mut d = Deflate::new(BytesMut::new());
        let batches: Vec<Vec<u8>> = (0..50)
            .map(|i| format!("* {i} FETCH (FLAGS (\\Seen) UID {i})\r\n").repeat(i * 40 + 1))
            .map(String::into_bytes)
            .collect();
        let mut wire = Vec::new();
        for b in &batches {
            let z = d.deflate(b).unwrap();
            // RFC 1951 sync flush marker: an empty stored block ends every piece.
            assert!(z.ends_with(&[0, 0, 0xff, 0xff]), "sync flushed");
            wire.extend(z);
        }
        let mut plain = Vec::new();
        DeflateDecoder::new(&wire[..])
            .read_to_end(&mut plain)
            .unwrap_or_default();
        assert_eq!(plain, batches.concat());
    }

    /// A hostile "zip bomb" inflates in bounded chunks, never all at once.
    #[test]
    fn inflation_is_bounded_per_read() {
        let bomb_plain = vec![b'A'; 10 << 20];
        let mut z = Vec::new();
        DeflateEncoder::new(&bomb_plain[..], flate2::Compression::best())
            .read_to_end(&mut z)
            .unwrap();
        assert!(z.len() < 20_000, "{}", z.len());
        let mut d = Deflate::new(BytesMut::from(&z[..]));
        let mut out = BytesMut::new();
        let n = d.inflate(&mut out).unwrap();
        assert!(n > 0 && n <= CHUNK && out.len() == n);
        let mut total = n;
        while let Ok(n @ 1..) = d.inflate(&mut out) {
            assert!(n <= CHUNK);
            total += n;
            out.clear();
        }
        assert_eq!(total, 10 << 20);
    }

    #[test]
    fn garbage_is_an_error() {
        let mut d = Deflate::new(BytesMut::from(&b"\xff\xff\xff\xff not deflate"[..]));
        assert!(d.inflate(&mut BytesMut::new()).is_err());
    }
}

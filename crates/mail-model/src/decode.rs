//! Content-Transfer-Encoding decoding for BINARY (RFC 3516), in pieces: a part is decoded as
//! its octets arrive, so a FETCH of a 60 MB attachment never holds it whole, and the whole-part
//! [`binary`](crate::binary) uses the same decoder (one set of rules, whatever the size).
//!
//! ```text
//!  chunk ─▶ Decoder::push ─▶ decoded octets (what can be decoded so far)
//!  …
//!  end   ─▶ Decoder::finish ─▶ the rest, or BinaryError::Corrupt
//! ```

use crate::sections::{BinaryError, TransferEncoding};

/// Quoted-printable input held back without a line break before it is cut at a safe place
/// (a line longer than this is hostile or broken; a legal one is at most 78 octets).
const QP_HOLD: usize = 64 * 1024;

/// How a part's octets are decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coding {
    /// 7bit, 8bit, binary, or a multipart / message part: the octets as stored.
    Identity,
    /// base64 (RFC 2045 §6.8), lenient on whitespace, padding and trailing bits.
    Base64,
    /// quoted-printable (RFC 2045 §6.7), lenient: an `=` not followed by two hex digits or a line break is kept, trailing blanks dropped.
    QuotedPrintable,
}

impl Coding {
    /// The coding of a transfer encoding; `Err` for one BINARY cannot decode.
    pub fn of(encoding: &TransferEncoding) -> Result<Coding, BinaryError> {
        match encoding {
            TransferEncoding::Identity => Ok(Coding::Identity),
            TransferEncoding::Base64 => Ok(Coding::Base64),
            TransferEncoding::QuotedPrintable => Ok(Coding::QuotedPrintable),
            TransferEncoding::Unknown(t) => Err(BinaryError::UnknownCte(t.clone())),
        }
    }
}

/// Decodes one part piece by piece. The output of `push`es and `finish` together is the
/// decoded part, however the input is cut.
#[derive(Debug)]
pub struct Decoder {
    coding: Coding,
    /// Input not decoded yet: base64 characters short of a quantum (or padding), or
    /// quoted-printable after the last safe cut.
    held: Vec<u8>,
    /// base64: a `=` was seen; only more `=` may follow.
    padded: bool,
}

impl Decoder {
    /// A decoder for `coding`.
    pub fn new(coding: Coding) -> Decoder {
        Decoder {
            coding,
            held: Vec::new(),
            padded: false,
        }
    }

    /// Decodes what `input` completes, appending it to `out`.
    pub fn push(&mut self, input: &[u8], out: &mut Vec<u8>) -> Result<(), BinaryError> {
        match self.coding {
            Coding::Identity => out.extend_from_slice(input),
            Coding::Base64 => {
                for &c in input {
                    if c.is_ascii_whitespace() {
                        continue;
                    }
                    if c == b'=' && !self.padded {
                        // Padding ends the data: decode the whole quanta before it, so that
                        // only the last (padded) one is held.
                        let whole = self.held.len() / 4 * 4;
                        base64_into(&self.held[..whole], out)?;
                        self.held.drain(..whole);
                        self.padded = true;
                    } else if c != b'=' && self.padded {
                        // Data after padding: corrupt, as a whole-part decode finds it.
                        return Err(BinaryError::Corrupt("base64"));
                    }
                    self.held.push(c);
                    if self.padded && self.held.len() > 4 {
                        return Err(BinaryError::Corrupt("base64"));
                    }
                }
                if !self.padded {
                    let whole = self.held.len() / 4 * 4;
                    base64_into(&self.held[..whole], out)?;
                    self.held.drain(..whole);
                }
            }
            Coding::QuotedPrintable => {
                self.held.extend_from_slice(input);
                let cut = match self.held.iter().rposition(|&b| b == b'\n') {
                    Some(nl) => nl + 1,
                    None if self.held.len() > QP_HOLD => qp_safe_cut(&self.held),
                    None => 0,
                };
                if cut > 0 {
                    out.extend_from_slice(&crate::sections::qp_decode(&self.held[..cut]));
                    self.held.drain(..cut);
                }
            }
        }
        Ok(())
    }

    /// Decodes what is left at the end of the part.
    pub fn finish(self, out: &mut Vec<u8>) -> Result<(), BinaryError> {
        match self.coding {
            Coding::Identity => {}
            Coding::Base64 => base64_into(&self.held, out)?,
            Coding::QuotedPrintable => {
                out.extend_from_slice(&crate::sections::qp_decode(&self.held));
            }
        }
        Ok(())
    }

    /// The whole of `input`, decoded.
    pub fn all(coding: Coding, input: &[u8]) -> Result<Vec<u8>, BinaryError> {
        let mut out = Vec::with_capacity(input.len());
        let mut d = Decoder::new(coding);
        d.push(input, &mut out)?;
        d.finish(&mut out)?;
        Ok(out)
    }
}

fn base64_into(chars: &[u8], out: &mut Vec<u8>) -> Result<(), BinaryError> {
    use base64::Engine;
    if chars.is_empty() {
        return Ok(());
    }
    let engine = base64::engine::GeneralPurpose::new(
        &base64::alphabet::STANDARD,
        base64::engine::GeneralPurposeConfig::new()
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent)
            .with_decode_allow_trailing_bits(true),
    );
    engine
        .decode_vec(chars, out)
        .map_err(|_| BinaryError::Corrupt("base64"))
}

/// Where quoted-printable input without a line break may be cut so that decoding the two
/// sides apart gives what decoding them together does: not inside `=XY`, a soft break or a
/// run of blanks (whose fate depends on what follows it). 0 when there is no such place.
fn qp_safe_cut(s: &[u8]) -> usize {
    let blank_or_eq = |b: u8| b == b' ' || b == b'\t' || b == b'=';
    (2..s.len().saturating_sub(2))
        .rev()
        .find(|&i| !blank_or_eq(s[i - 1]) && s[i - 2] != b'=')
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every way of cutting `input` in two, and byte by byte, decodes as the whole does.
    fn cuts_agree(coding: Coding, input: &[u8]) {
        let whole = Decoder::all(coding, input);
        for at in 0..=input.len() {
            let mut out = Vec::new();
            let mut d = Decoder::new(coding);
            let r = d
                .push(&input[..at], &mut out)
                .and_then(|()| d.push(&input[at..], &mut out))
                .and_then(|()| d.finish(&mut out))
                .map(|()| out);
            assert_eq!(
                r,
                whole,
                "{coding:?} cut at {at} of {:?}",
                String::from_utf8_lossy(input)
            );
        }
        let mut out = Vec::new();
        let mut d = Decoder::new(coding);
        let r = input
            .iter()
            .try_for_each(|b| d.push(std::slice::from_ref(b), &mut out))
            .and_then(|()| d.finish(&mut out))
            .map(|()| out);
        assert_eq!(r, whole, "{coding:?} byte by byte");
    }

    #[test]
    fn base64_pieces_decode_as_the_whole() {
        assert_eq!(
            Decoder::all(Coding::Base64, b"AAEC\r\n/w==\r\n").unwrap(),
            [0, 1, 2, 255]
        );
        for input in [
            &b"AAEC\r\n/w==\r\n"[..],
            b"SGVsbG8sIHdvcmxkIQ==",
            b"SGVsbG8sIHdvcmxkIQ",
            b"SGVs bG8s\tIHdv\ncmxk",
            b"QQ==QUJD",
            b"AAECQQ==",
            b"QQ===",
            b"Q",
            b"**==",
            b"",
        ] {
            cuts_agree(Coding::Base64, input);
        }
        assert!(Decoder::all(Coding::Base64, b"QQ==QUJD").is_err());
        assert!(Decoder::all(Coding::Base64, b"Q").is_err());
        assert_eq!(
            Decoder::all(Coding::Base64, b"AAECQQ==").unwrap(),
            [0, 1, 2, b'A']
        );
    }

    #[test]
    fn quoted_printable_pieces_decode_as_the_whole() {
        for input in [
            &b"a=3Db =\r\nc  \r\nd=zz"[..],
            b"soft=\nbreak=  \r\nand = blanks \t\r\nend=",
            b"=4",
            b"==41= =\r\n",
        ] {
            cuts_agree(Coding::QuotedPrintable, input);
        }
        // One line longer than the hold: cut at safe places, same result.
        let long: Vec<u8> = b"ab=3D  cd=\r\nx"
            .iter()
            .copied()
            .cycle()
            .take(3 * QP_HOLD)
            .filter(|&b| b != b'\r' && b != b'\n')
            .collect();
        let mut out = Vec::new();
        let mut d = Decoder::new(Coding::QuotedPrintable);
        for piece in long.chunks(1000) {
            d.push(piece, &mut out).unwrap();
            assert!(d.held.len() <= QP_HOLD + 1000, "held {}", d.held.len());
        }
        d.finish(&mut out).unwrap();
        assert_eq!(out, crate::sections::qp_decode(&long));
    }
}

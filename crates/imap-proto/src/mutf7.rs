//! Modified UTF-7 mailbox names (RFC 3501 §5.1.3), used by IMAP4rev1 clients that have not
//! enabled `UTF8=ACCEPT`/`IMAP4rev2`.
//!
//! Printable ASCII other than `&` stands for itself, `&-` is `&`, and any other run of characters
//! is UTF-16 in modified base64 (`,` for `/`, no padding) between `&` and `-`. Decoding is strict:
//! only the one canonical encoding of a name is accepted, so two different wire names can never
//! denote the same mailbox.

use base64::Engine;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

const ENGINE: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::IMAP_MUTF7,
    GeneralPurposeConfig::new()
        .with_encode_padding(false)
        .with_decode_padding_mode(DecodePaddingMode::RequireNone),
);

/// Why a name is not valid modified UTF-7.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Mutf7Error {
    /// An octet outside printable US-ASCII.
    #[error("octet {0:#04x} is not printable US-ASCII")]
    NotPrintable(u8),
    /// `&` without a closing `-`.
    #[error("unterminated base64 run")]
    Unterminated,
    /// The run is not valid modified base64 (or has non-zero padding bits).
    #[error("invalid modified base64")]
    BadBase64,
    /// The run does not decode to valid UTF-16.
    #[error("invalid UTF-16 in base64 run")]
    BadUtf16,
    /// The run encodes printable ASCII or is split where it need not be: not canonical.
    #[error("non-canonical encoding")]
    NotCanonical,
}

/// Encodes a UTF-8 mailbox name as modified UTF-7.
pub fn encode(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut run: Vec<u16> = Vec::new();
    let flush = |run: &mut Vec<u16>, out: &mut String| {
        if run.is_empty() {
            return;
        }
        let bytes: Vec<u8> = run.iter().flat_map(|u| u.to_be_bytes()).collect();
        out.push('&');
        out.push_str(&ENGINE.encode(bytes));
        out.push('-');
        run.clear();
    };
    for c in name.chars() {
        if (' '..='~').contains(&c) {
            flush(&mut run, &mut out);
            if c == '&' {
                out.push_str("&-");
            } else {
                out.push(c);
            }
        } else {
            let mut buf = [0u16; 2];
            run.extend_from_slice(c.encode_utf16(&mut buf));
        }
    }
    flush(&mut run, &mut out);
    out
}

/// Decodes a modified UTF-7 mailbox name to UTF-8.
pub fn decode(wire: &str) -> Result<String, Mutf7Error> {
    let b = wire.as_bytes();
    let mut out = String::with_capacity(b.len());
    let mut i = 0;
    let mut last_run_end: Option<usize> = None;
    while i < b.len() {
        let c = b[i];
        if !(0x20..=0x7e).contains(&c) {
            return Err(Mutf7Error::NotPrintable(c));
        }
        if c != b'&' {
            out.push(c as char);
            i += 1;
            continue;
        }
        let end = b[i + 1..]
            .iter()
            .position(|&x| x == b'-')
            .ok_or(Mutf7Error::Unterminated)?;
        let run = &b[i + 1..i + 1 + end];
        if run.is_empty() {
            out.push('&');
        } else {
            // Two adjacent runs would be one run in the canonical form.
            if last_run_end == Some(i) {
                return Err(Mutf7Error::NotCanonical);
            }
            let bytes = ENGINE.decode(run).map_err(|_| Mutf7Error::BadBase64)?;
            if !bytes.len().is_multiple_of(2) {
                return Err(Mutf7Error::BadUtf16);
            }
            let units: Vec<u16> = bytes
                .chunks_exact(2)
                .map(|p| u16::from_be_bytes([p[0], p[1]]))
                .collect();
            for ch in char::decode_utf16(units) {
                let ch = ch.map_err(|_| Mutf7Error::BadUtf16)?;
                if (' '..='~').contains(&ch) {
                    return Err(Mutf7Error::NotCanonical);
                }
                out.push(ch);
            }
            last_run_end = Some(i + 2 + end);
        }
        i += end + 2;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3501_example() {
        // RFC 3501 §5.1.3: "~peter/mail/台北/日本語"
        let utf8 = "~peter/mail/\u{53f0}\u{5317}/\u{65e5}\u{672c}\u{8a9e}";
        assert_eq!(encode(utf8), "~peter/mail/&U,BTFw-/&ZeVnLIqe-");
        assert_eq!(decode("~peter/mail/&U,BTFw-/&ZeVnLIqe-").unwrap(), utf8);
    }

    #[test]
    fn ampersand_and_round_trips() {
        assert_eq!(encode("Tom & Jerry"), "Tom &- Jerry");
        assert_eq!(decode("Tom &- Jerry").unwrap(), "Tom & Jerry");
        for s in [
            "Entwürfe",
            "Отправленные",
            "送信済み",
            "😀 emoji",
            "a&b\u{e9}&",
            "",
        ] {
            assert_eq!(decode(&encode(s)).unwrap(), s, "{s}");
        }
    }

    #[test]
    fn hostile_forms_are_rejected() {
        assert_eq!(decode("&Jjo"), Err(Mutf7Error::Unterminated));
        assert_eq!(decode("a\u{e9}"), Err(Mutf7Error::NotPrintable(0xc3)));
        assert_eq!(
            decode("&AGE-"),
            Err(Mutf7Error::NotCanonical),
            "encodes plain 'a'"
        );
        assert_eq!(
            decode("&AOk-&AOk-"),
            Err(Mutf7Error::NotCanonical),
            "split run"
        );
        assert_eq!(decode("&2D0-"), Err(Mutf7Error::BadUtf16), "lone surrogate");
        assert_eq!(decode("&A-"), Err(Mutf7Error::BadBase64));
        assert_eq!(
            decode("&AOl-"),
            Err(Mutf7Error::BadBase64),
            "non-zero padding bits"
        );
        assert!(decode("&AOk-").is_ok());
    }
}

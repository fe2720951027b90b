//! Content-Transfer-Encodings (RFC 2045 §6): bodies as they are (7bit, 8bit), quoted-printable
//! and base64, written in lines of at most 76 characters.
//!
//! Big bodies are cheap: base64 is encoded a block of lines at a time into one reused buffer,
//! with no per-byte formatting.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// How a part's body is written.
#[derive(Clone, Copy)]
pub(super) enum Cte {
    SevenBit,
    EightBit,
    QuotedPrintable,
    Base64,
}

/// The Content-Transfer-Encoding field, the blank line and the encoded body.
pub(super) fn body(out: &mut Vec<u8>, bytes: &[u8], cte: Cte) {
    let name = match cte {
        Cte::SevenBit => "7bit",
        Cte::EightBit => "8bit",
        Cte::QuotedPrintable => "quoted-printable",
        Cte::Base64 => "base64",
    };
    out.extend_from_slice(format!("Content-Transfer-Encoding: {name}\r\n\r\n").as_bytes());
    match cte {
        Cte::SevenBit | Cte::EightBit => out.extend_from_slice(bytes),
        Cte::QuotedPrintable => quoted_printable(bytes, out),
        Cte::Base64 => base64_lines(bytes, out),
    }
    if !out.ends_with(b"\r\n") {
        out.extend_from_slice(b"\r\n");
    }
}

/// Quoted-printable (RFC 2045 §6.7): CRLF in `src` are line breaks; other bytes outside
/// printable ASCII, `=`, and white space before a line break are `=XX`; lines are broken
/// softly (`=` CRLF) at 76 characters.
pub(super) fn quoted_printable(src: &[u8], out: &mut Vec<u8>) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    out.reserve(src.len() + src.len() / 8);
    let mut col = 0;
    let mut i = 0;
    while i < src.len() {
        let b = src[i];
        let crlf_at = |j: usize| src.get(j) == Some(&b'\r') && src.get(j + 1) == Some(&b'\n');
        if crlf_at(i) {
            out.extend_from_slice(b"\r\n");
            col = 0;
            i += 2;
            continue;
        }
        let end_of_line = i + 1 == src.len() || crlf_at(i + 1);
        let literal = match b {
            b' ' | b'\t' => !end_of_line,
            b'=' => false,
            33..=126 => true,
            _ => false,
        };
        let width = if literal { 1 } else { 3 };
        if col + width > 75 {
            out.extend_from_slice(b"=\r\n");
            col = 0;
        }
        if literal {
            out.push(b);
        } else {
            out.extend_from_slice(&[b'=', HEX[usize::from(b >> 4)], HEX[usize::from(b & 15)]]);
        }
        col += width;
        i += 1;
    }
}

/// Base64 (RFC 2045 §6.8) in lines of 76 characters, each ending in CRLF: encoded a block of
/// lines at a time into one reused buffer.
pub(super) fn base64_lines(src: &[u8], out: &mut Vec<u8>) {
    const LINE: usize = 57;
    out.reserve(src.len().div_ceil(LINE) * 78);
    let mut buf = String::with_capacity(LINE * 64 / 3 * 4);
    for block in src.chunks(LINE * 64) {
        buf.clear();
        STANDARD.encode_string(block, &mut buf);
        for line in buf.as_bytes().chunks(76) {
            out.extend_from_slice(line);
            out.extend_from_slice(b"\r\n");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Quoted-printable and base64 bodies decode to their bytes, in lines of at most 76.
    #[test]
    fn transfer_encodings_round_trip() {
        let mut rng = fastrand::Rng::with_seed(3);
        let mut text = String::new();
        for i in 0..200 {
            text.push_str(&"Grüße = über ".repeat(i % 9));
            text.push_str(if i % 5 == 0 { "trailing \r\n" } else { "x\r\n" });
        }
        let mut binary = vec![0u8; 10_000];
        rng.fill(&mut binary);
        for (cte, data, ct) in [
            (
                "quoted-printable",
                text.as_bytes(),
                "text/plain; charset=utf-8",
            ),
            ("base64", &binary[..], "application/octet-stream"),
        ] {
            let mut raw = format!(
                "Subject: x\r\nContent-Type: {ct}\r\nContent-Transfer-Encoding: {cte}\r\n\r\n"
            )
            .into_bytes();
            let start = raw.len();
            if cte == "base64" {
                base64_lines(data, &mut raw)
            } else {
                quoted_printable(data, &mut raw)
            }
            assert!(
                raw[start..].split(|&b| b == b'\n').all(|l| l.len() <= 77),
                "{cte}"
            );
            let m = mail_parser::MessageParser::default()
                .parse(&raw)
                .expect("parses");
            let decoded = match cte {
                "base64" => m.attachment(0).map(|p| p.contents().to_vec()),
                _ => m.body_text(0).map(|t| t.into_owned().into_bytes()),
            };
            assert_eq!(decoded.as_deref(), Some(data), "{cte}");
        }
    }
}

//! The MIME structure of a realistic message (RFC 2045-2049): its MIME headers and body for a
//! [`Plan`]: text parts in their charsets with the transfer encodings mailers choose,
//! multiparts with mailer-like boundaries, and the [`attach`](super::attach)ed parts, fitted
//! into 1 MiB.

use super::attach::{attachment, content_id, forwarded, inline_image};
use super::charset::Charset;
use super::encoding::{Cte, body};
use super::shape::{Plan, Shape};
use super::text::{HtmlStyle, Letter};
use super::words::Lang;

/// What the body is made of, besides its plan.
pub(super) struct Body<'a> {
    pub plan: &'a Plan,
    pub letter: &'a Letter,
    /// The text's charset (UTF-8 is used where it can't write the text).
    pub charset: Charset,
    pub lang: Lang,
    pub style: HtmlStyle,
    /// The forwarded message (Mixed with `forwarded`).
    pub forwarded: Option<&'a [u8]>,
}

/// Writes `MIME-Version`, the root part's headers, the blank line and the body.
pub(super) fn write(out: &mut Vec<u8>, rng: &mut fastrand::Rng, b: &Body<'_>) {
    out.extend_from_slice(b"MIME-Version: 1.0\r\n");
    let plain = b.letter.plain();
    match b.plan.shape {
        Shape::Plain => text_part(out, rng, &plain, "plain", b.charset),
        Shape::Alternative => alternative(out, rng, b, &plain, &[]),
        Shape::Mixed { .. } => {
            let bound = open_multipart(out, rng, "mixed", "");
            if b.plan.body_alternative {
                alternative(out, rng, b, &plain, &[]);
            } else {
                text_part(out, rng, &plain, "plain", b.charset);
            }
            let used = out.len() + b.forwarded.map_or(0, <[u8]>::len);
            for size in fitted(&b.plan.attachments, used) {
                next_part(out, &bound);
                attachment(out, rng, b.lang, size);
            }
            if let Some(msg) = b.forwarded {
                next_part(out, &bound);
                forwarded(out, rng, msg);
            }
            close_multipart(out, &bound);
        }
        Shape::Related => {
            let cids: Vec<String> = (1..=b.plan.images.len())
                .map(|i| content_id(rng, i))
                .collect();
            let inner = if b.plan.body_alternative {
                "multipart/alternative"
            } else {
                "text/html"
            };
            let bound = open_multipart(out, rng, "related", &format!(";\r\n\ttype=\"{inner}\""));
            if b.plan.body_alternative {
                alternative(out, rng, b, &plain, &cids);
            } else {
                html_part(out, rng, b, &cids);
            }
            for (cid, size) in cids.iter().zip(fitted(&b.plan.images, out.len())) {
                next_part(out, &bound);
                inline_image(out, rng, cid, size);
            }
            close_multipart(out, &bound);
        }
    }
}

/// Largest message, headers included.
const MAX_MESSAGE: usize = 1 << 20;

/// Decoded `sizes` of base64 parts, shrunk in proportion if need be so that they fit in what
/// [`MAX_MESSAGE`] leaves after `used` bytes (base64 writes 78 bytes per 57; a part's headers
/// and delimiter take well under 1 KB).
fn fitted(sizes: &[usize], used: usize) -> Vec<usize> {
    let room = MAX_MESSAGE.saturating_sub(used + 1024 * (sizes.len() + 1)) * 57 / 78;
    let total: usize = sizes.iter().sum();
    if total <= room {
        return sizes.to_vec();
    }
    sizes
        .iter()
        .map(|&s| (s as u128 * room as u128 / total as u128) as usize)
        .collect()
}

/// multipart/alternative of the letter as text/plain and as text/html.
fn alternative(
    out: &mut Vec<u8>,
    rng: &mut fastrand::Rng,
    b: &Body<'_>,
    plain: &str,
    cids: &[String],
) {
    let bound = open_multipart(out, rng, "alternative", "");
    text_part(out, rng, plain, "plain", b.charset);
    next_part(out, &bound);
    html_part(out, rng, b, cids);
    close_multipart(out, &bound);
}

/// The letter as text/html.
fn html_part(out: &mut Vec<u8>, rng: &mut fastrand::Rng, b: &Body<'_>, cids: &[String]) {
    let probe = b.letter.html(b.style, "utf-8", cids);
    let cs = b.charset.or_utf8(&probe);
    let html = if cs == Charset::Utf8 {
        probe
    } else {
        b.letter.html(b.style, cs.name(false), cids)
    };
    text_part(out, rng, &html, "html", cs);
}

/// A boundary as one of the common mailers makes them (RFC 2046 §5.1.1: at most 70
/// characters; these random ones never occur in the parts).
fn boundary(rng: &mut fastrand::Rng) -> String {
    let alnum = |rng: &mut fastrand::Rng, n: usize| -> String {
        (0..n).map(|_| rng.alphanumeric()).collect()
    };
    match rng.u8(0..5) {
        0 => format!("000000000000{:012x}", rng.u64(..1 << 48)),
        1 => format!("_000_{}_", alnum(rng, 40)),
        2 => format!("------------{}", alnum(rng, 24)),
        3 => format!(
            "Apple-Mail=_{:08X}-{:04X}-{:04X}-{:012X}",
            rng.u32(..),
            rng.u16(..),
            rng.u16(..),
            rng.u64(..1 << 48)
        ),
        _ => format!(
            "----=_Part_{}_{}.{}",
            rng.u32(..99_999),
            rng.u32(..),
            rng.u64(1_700_000_000_000..1_800_000_000_000)
        ),
    }
}

/// Writes a multipart's Content-Type (with `params` after the boundary), the blank line,
/// sometimes a preamble, and the first delimiter; returns the boundary.
fn open_multipart(
    out: &mut Vec<u8>,
    rng: &mut fastrand::Rng,
    subtype: &str,
    params: &str,
) -> String {
    let bound = boundary(rng);
    out.extend_from_slice(
        format!("Content-Type: multipart/{subtype};\r\n\tboundary=\"{bound}\"{params}\r\n\r\n")
            .as_bytes(),
    );
    if rng.u8(0..3) == 0 {
        out.extend_from_slice(b"This is a multi-part message in MIME format.\r\n");
    }
    out.extend_from_slice(format!("--{bound}\r\n").as_bytes());
    bound
}

/// The delimiter before the next part (the part before ends in CRLF, which the delimiter
/// takes as its own, RFC 2046 §5.1.1).
fn next_part(out: &mut Vec<u8>, bound: &str) {
    out.extend_from_slice(format!("--{bound}\r\n").as_bytes());
}

fn close_multipart(out: &mut Vec<u8>, bound: &str) {
    out.extend_from_slice(format!("--{bound}--\r\n").as_bytes());
}

/// A text part: text/`subtype` in `cs` (UTF-8 if `cs` can't write it) with a transfer encoding
/// drawn as mailers use them: plain text as is where it can be, HTML mostly quoted-printable.
fn text_part(out: &mut Vec<u8>, rng: &mut fastrand::Rng, text: &str, subtype: &str, cs: Charset) {
    let (cs, bytes) = match cs.encode(text) {
        Some(b) => (cs, b),
        None => (Charset::Utf8, text.as_bytes().to_vec()),
    };
    let ascii = bytes.is_ascii();
    let cte = match (ascii, subtype == "html", rng.u8(0..100)) {
        (true, false, 0..75) | (true, true, 0..40) => Cte::SevenBit,
        (true, _, 0..90) | (false, false, 35..75) | (false, true, 0..55) => Cte::QuotedPrintable,
        (false, false, 0..35) | (false, true, 55..70) => Cte::EightBit,
        _ => Cte::Base64,
    };
    let name = cs.name(rng.bool());
    let quote = if rng.bool() { "\"" } else { "" };
    out.extend_from_slice(
        format!("Content-Type: text/{subtype}; charset={quote}{name}{quote}\r\n").as_bytes(),
    );
    body(out, &bytes, cte);
}

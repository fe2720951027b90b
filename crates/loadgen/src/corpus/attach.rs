//! The parts of a realistic message that are not its text: file attachments (random bytes
//! behind the magic numbers of PDF, JPEG, PNG, Office and ZIP files; CSV and iCalendar text),
//! their names (quoted, RFC 2231, or RFC 2047 as Outlook writes them), inline images with their
//! Content-IDs, and a forwarded message as message/rfc822. All binary parts are base64.

use super::charset::{Charset, encoded_words, rfc2231};
use super::encoding::{Cte, body};
use super::words::{Lang, pick};

/// A kind of file people attach: media type, extension and the bytes such files start with.
struct Kind {
    mime: &'static str,
    ext: &'static str,
    magic: &'static [u8],
}

const ZIP: &[u8] = b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00";

/// Attached files, the common ones listed more than once.
const KINDS: &[Kind] = &[
    Kind {
        mime: "application/pdf",
        ext: "pdf",
        magic: b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n",
    },
    Kind {
        mime: "application/pdf",
        ext: "pdf",
        magic: b"%PDF-1.4\n%\xc7\xec\x8f\xa2\n",
    },
    Kind {
        mime: "image/jpeg",
        ext: "jpg",
        magic: b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01",
    },
    Kind {
        mime: "image/jpeg",
        ext: "jpeg",
        magic: b"\xff\xd8\xff\xe1\x00\x18Exif\x00\x00",
    },
    Kind {
        mime: "image/png",
        ext: "png",
        magic: b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
    },
    Kind {
        mime: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ext: "docx",
        magic: ZIP,
    },
    Kind {
        mime: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ext: "xlsx",
        magic: ZIP,
    },
    Kind {
        mime: "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ext: "pptx",
        magic: ZIP,
    },
    Kind {
        mime: "application/zip",
        ext: "zip",
        magic: ZIP,
    },
    Kind {
        mime: "text/csv",
        ext: "csv",
        magic: b"",
    },
    Kind {
        mime: "text/calendar",
        ext: "ics",
        magic: b"",
    },
    Kind {
        mime: "application/octet-stream",
        ext: "bin",
        magic: b"",
    },
];

/// A file attachment of `size` decoded bytes.
pub(super) fn attachment(out: &mut Vec<u8>, rng: &mut fastrand::Rng, lang: Lang, size: usize) {
    let kind = &KINDS[rng.usize(..KINDS.len())];
    let data = match kind.ext {
        "csv" => csv(rng, lang, size),
        "ics" => calendar(rng, size),
        _ => random_file(rng, kind.magic, size),
    };
    let name = format!("{}.{}", file_stem(rng, lang, kind.ext), kind.ext);
    let style = if name.is_ascii() { 0 } else { rng.u8(1..4) };
    let charset = if kind.mime.starts_with("text/") {
        "; charset=utf-8"
    } else {
        ""
    };
    out.extend_from_slice(format!("Content-Type: {}{charset}", kind.mime).as_bytes());
    name_param(out, "name", &name, style);
    out.extend_from_slice(b"\r\nContent-Disposition: attachment");
    name_param(out, "filename", &name, style);
    if rng.u8(0..4) == 0 {
        out.extend_from_slice(format!(";\r\n\tsize={}", data.len()).as_bytes());
    }
    out.extend_from_slice(b"\r\n");
    body(out, &data, Cte::Base64);
}

/// `; name="…"`: quoted ASCII (`style` 0), RFC 2231 (1, 2) or, as Outlook and Gmail still
/// write it, an RFC 2047 encoded-word inside the quotes (3).
fn name_param(out: &mut Vec<u8>, param: &str, name: &str, style: u8) {
    let value = match style {
        0 => format!("{param}=\"{name}\""),
        1 | 2 => rfc2231(param, name).join(";\r\n\t"),
        _ => format!(
            "{param}=\"{}\"",
            encoded_words(name, Charset::Utf8, false, true)
                .unwrap_or_default()
                .join(" ")
        ),
    };
    out.extend_from_slice(format!(";\r\n\t{value}").as_bytes());
}

/// A file name without extension, in the sender's language some of the time.
fn file_stem(rng: &mut fastrand::Rng, lang: Lang, ext: &str) -> String {
    if matches!(ext, "jpg" | "jpeg" | "png") && rng.bool() {
        return match rng.u8(0..3) {
            0 => format!("IMG_{}", rng.u16(1000..9999)),
            1 => format!(
                "Screenshot 2026-{:02}-{:02} at {}.{:02}.{:02}",
                rng.u8(1..13),
                rng.u8(1..29),
                rng.u8(8..19),
                rng.u8(0..60),
                rng.u8(0..60)
            ),
            _ => format!(
                "PXL_2026{:02}{:02}_{}",
                rng.u8(1..13),
                rng.u8(1..29),
                rng.u32(100_000..999_999)
            ),
        };
    }
    let stems: &[&str] = match lang {
        Lang::German => &[
            "Rechnung_März",
            "Angebot Müller GmbH",
            "Übersicht_Q3",
            "Protokoll",
        ],
        Lang::French => &[
            "Facture_été",
            "Compte-rendu réunion",
            "Devis_n°42",
            "Présentation",
        ],
        Lang::Spanish => &["Presupuesto_año_2026", "Factura", "Información técnica"],
        Lang::Russian => &[
            "Отчёт за третий квартал 2026 года (финальная версия)",
            "Договор",
            "Счёт",
        ],
        Lang::Japanese => &["ミーティング しりょう", "レポート"],
        Lang::Chinese => &["会议纪要", "发票"],
        Lang::English => &[
            "Invoice_2026-11",
            "Q3 report",
            "meeting-notes",
            "contract_signed",
            "budget",
            "agenda",
        ],
    };
    pick(rng, stems).to_owned()
}

/// `size` bytes that start like a `magic` file and go on as random (compressed-looking) data.
fn random_file(rng: &mut fastrand::Rng, magic: &[u8], size: usize) -> Vec<u8> {
    let mut data = vec![0u8; size.max(magic.len())];
    data[..magic.len()].copy_from_slice(magic);
    rng.fill(&mut data[magic.len()..]);
    data
}

/// A CSV export of about `size` bytes.
fn csv(rng: &mut fastrand::Rng, lang: Lang, size: usize) -> Vec<u8> {
    use std::fmt::Write;
    let mut s = String::with_capacity(size + 80);
    s.push_str("date,customer,item,amount,status\r\n");
    while s.len() < size {
        let _ = write!(
            s,
            "2026-{:02}-{:02},{} {},{},{}.{:02},{}\r\n",
            rng.u8(1..13),
            rng.u8(1..29),
            lang.word(rng),
            lang.word(rng),
            lang.word(rng),
            rng.u32(1..100_000),
            rng.u8(0..100),
            pick(rng, &["paid", "open", "overdue"])
        );
    }
    s.into_bytes()
}

/// An iCalendar invitation (RFC 5545), its description padded to about `size` bytes.
fn calendar(rng: &mut fastrand::Rng, size: usize) -> Vec<u8> {
    let mut s = format!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Strata//loadgen//EN\r\nMETHOD:REQUEST\r\n\
         BEGIN:VEVENT\r\nUID:{:016x}@loadgen.example\r\nDTSTAMP:20261101T090000Z\r\n\
         DTSTART:20261201T{:02}0000Z\r\nDURATION:PT1H\r\nSUMMARY:Project meeting\r\nDESCRIPTION:",
        rng.u64(..),
        rng.u8(7..18)
    );
    while s.len() + 40 < size {
        s.push_str("\r\n agenda review budget schedule status");
    }
    s.push_str("\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n");
    s.into_bytes()
}

/// A Content-ID (without brackets) as Outlook, Gmail or Apple Mail make them.
pub(super) fn content_id(rng: &mut fastrand::Rng, i: usize) -> String {
    match rng.u8(0..3) {
        0 => format!(
            "image{i:03}.png@01DB{:04X}.{:08X}",
            rng.u16(..),
            rng.u32(..)
        ),
        1 => format!("ii_m{:x}{i}", rng.u64(..)),
        _ => format!(
            "{:08X}-{:04X}-{:04X}-{:012X}@example",
            rng.u32(..),
            rng.u16(..),
            rng.u16(..),
            rng.u64(..1 << 48)
        ),
    }
}

/// An inline image the HTML shows by `cid:`.
pub(super) fn inline_image(out: &mut Vec<u8>, rng: &mut fastrand::Rng, cid: &str, size: usize) {
    let (mime, ext, magic) = if rng.bool() {
        ("image/png", "png", KINDS[4].magic)
    } else {
        ("image/jpeg", "jpg", KINDS[2].magic)
    };
    let name = format!("image{:03}.{ext}", rng.u8(1..20));
    out.extend_from_slice(
        format!(
            "Content-Type: {mime}; name=\"{name}\"\r\nContent-Disposition: inline; filename=\"{name}\"\r\n\
             Content-ID: <{cid}>\r\n"
        )
        .as_bytes(),
    );
    body(out, &random_file(rng, magic, size), Cte::Base64);
}

/// The forwarded message as a message/rfc822 part (7bit or 8bit only, RFC 2046 §5.2.1).
pub(super) fn forwarded(out: &mut Vec<u8>, rng: &mut fastrand::Rng, msg: &[u8]) {
    let disposition = if rng.u8(0..3) == 0 {
        "inline"
    } else {
        "attachment; filename=\"forwarded message.eml\""
    };
    out.extend_from_slice(
        format!("Content-Type: message/rfc822\r\nContent-Disposition: {disposition}\r\n")
            .as_bytes(),
    );
    body(
        out,
        msg,
        if msg.is_ascii() {
            Cte::SevenBit
        } else {
            Cte::EightBit
        },
    );
}

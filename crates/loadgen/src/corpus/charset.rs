//! Charsets and the header encodings that carry them: text to bytes in a charset, RFC 2047
//! encoded-words (Subject, display names, some file names) and RFC 2231 parameter values
//! (file names).
//!
//! The single-byte charsets are written from the characters the vocabulary uses (Latin-1,
//! the euro sign and typographic quotes, Cyrillic); ISO-2022-JP and Shift_JIS from kana, whose
//! JIS X 0208 codes follow Unicode order (rows 4 and 5), so no table is needed.

use super::words::Lang;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// A charset text is written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Charset {
    UsAscii,
    Utf8,
    Latin1,
    Latin9,
    Windows1252,
    Koi8R,
    Iso2022Jp,
    ShiftJis,
}

/// Longest encoded-word written: RFC 2047 §2 allows 75; shorter keeps a header line that holds
/// `Subject: ` and one word under 76 characters (§2, lines with encoded-words).
const MAX_WORD: usize = 66;

impl Charset {
    /// The MIME name, in upper or lower case as mailers write it.
    pub(super) fn name(self, upper: bool) -> &'static str {
        let (lower, up) = match self {
            Charset::UsAscii => ("us-ascii", "US-ASCII"),
            Charset::Utf8 => ("utf-8", "UTF-8"),
            Charset::Latin1 => ("iso-8859-1", "ISO-8859-1"),
            Charset::Latin9 => ("iso-8859-15", "ISO-8859-15"),
            Charset::Windows1252 => ("windows-1252", "Windows-1252"),
            Charset::Koi8R => ("koi8-r", "KOI8-R"),
            Charset::Iso2022Jp => ("iso-2022-jp", "ISO-2022-JP"),
            Charset::ShiftJis => ("shift_jis", "Shift_JIS"),
        };
        if upper { up } else { lower }
    }

    /// A charset mail in `lang` is commonly sent in (it may still be unable to write every
    /// character of a given text: [`Charset::encode`] says so, and callers fall back to UTF-8).
    pub(super) fn draw(rng: &mut fastrand::Rng, lang: Lang) -> Charset {
        let r = rng.u8(0..100);
        match lang {
            Lang::English => match r {
                0..45 => Charset::UsAscii,
                45..85 => Charset::Utf8,
                85..95 => Charset::Latin1,
                _ => Charset::Windows1252,
            },
            Lang::German | Lang::French | Lang::Spanish => match r {
                0..50 => Charset::Utf8,
                50..75 => Charset::Latin1,
                75..85 => Charset::Latin9,
                _ => Charset::Windows1252,
            },
            Lang::Russian if r < 45 => Charset::Koi8R,
            Lang::Japanese if r < 40 => Charset::Iso2022Jp,
            Lang::Japanese if r < 60 => Charset::ShiftJis,
            Lang::Russian | Lang::Japanese | Lang::Chinese => Charset::Utf8,
        }
    }

    /// `text` in this charset, or `None` if it has a character the charset lacks.
    pub(super) fn encode(self, text: &str) -> Option<Vec<u8>> {
        let mut out = Vec::with_capacity(text.len() + text.len() / 4);
        let mut e = Encoder {
            cs: self,
            jis: false,
        };
        for c in text.chars() {
            if !e.push(c, &mut out) {
                return None;
            }
        }
        e.finish(&mut out);
        Some(out)
    }

    /// This charset if it can write `text`, UTF-8 if not.
    pub(super) fn or_utf8(self, text: &str) -> Charset {
        let mut e = Encoder {
            cs: self,
            jis: false,
        };
        let mut scratch = Vec::new();
        if text.chars().all(|c| {
            scratch.clear();
            e.push(c, &mut scratch)
        }) {
            self
        } else {
            Charset::Utf8
        }
    }
}

/// Writes characters in a charset; `jis` is ISO-2022-JP's shift state (in JIS X 0208 after
/// `ESC $ B`, back in ASCII after `ESC ( B`).
struct Encoder {
    cs: Charset,
    jis: bool,
}

const TO_JIS: &[u8] = b"\x1b$B";
const TO_ASCII: &[u8] = b"\x1b(B";

impl Encoder {
    /// Appends `c`; false if the charset has no such character.
    fn push(&mut self, c: char, out: &mut Vec<u8>) -> bool {
        let u = c as u32;
        if u < 0x80 {
            if self.jis {
                out.extend_from_slice(TO_ASCII);
                self.jis = false;
            }
            out.push(u as u8);
            return true;
        }
        match self.cs {
            Charset::Utf8 => {
                let mut buf = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
            Charset::UsAscii => return false,
            Charset::Latin1 | Charset::Latin9 | Charset::Windows1252 | Charset::Koi8R => {
                match single_byte(self.cs, c) {
                    Some(b) => out.push(b),
                    None => return false,
                }
            }
            Charset::Iso2022Jp => match jis(c) {
                Some((a, b)) => {
                    if !self.jis {
                        out.extend_from_slice(TO_JIS);
                        self.jis = true;
                    }
                    out.extend_from_slice(&[a, b]);
                }
                None => return false,
            },
            Charset::ShiftJis => match jis(c) {
                Some((a, b)) => out.extend_from_slice(&shift_jis(a, b)),
                None => return false,
            },
        }
        true
    }

    /// Returns to the initial state (ASCII), as RFC 1468 wants at the end of a line and of an
    /// encoded-word.
    fn finish(&mut self, out: &mut Vec<u8>) {
        if self.jis {
            out.extend_from_slice(TO_ASCII);
            self.jis = false;
        }
    }
}

/// The byte of a non-ASCII character in a single-byte charset.
fn single_byte(cs: Charset, c: char) -> Option<u8> {
    let u = c as u32;
    match cs {
        Charset::Latin1 => (0xA0..=0xFF).contains(&u).then_some(u as u8),
        Charset::Latin9 => match c {
            '€' => Some(0xA4),
            'Š' => Some(0xA6),
            'š' => Some(0xA8),
            'Ž' => Some(0xB4),
            'ž' => Some(0xB8),
            'Œ' => Some(0xBC),
            'œ' => Some(0xBD),
            'Ÿ' => Some(0xBE),
            '¤' | '¦' | '¨' | '´' | '¸' | '¼' | '½' | '¾' => None,
            _ => (0xA0..=0xFF).contains(&u).then_some(u as u8),
        },
        Charset::Windows1252 => match c {
            '€' => Some(0x80),
            '…' => Some(0x85),
            'Š' => Some(0x8A),
            'Œ' => Some(0x8C),
            'Ž' => Some(0x8E),
            '‘' => Some(0x91),
            '’' => Some(0x92),
            '“' => Some(0x93),
            '”' => Some(0x94),
            '•' => Some(0x95),
            '–' => Some(0x96),
            '—' => Some(0x97),
            '™' => Some(0x99),
            'š' => Some(0x9A),
            'œ' => Some(0x9C),
            'ž' => Some(0x9E),
            'Ÿ' => Some(0x9F),
            _ => (0xA0..=0xFF).contains(&u).then_some(u as u8),
        },
        Charset::Koi8R => koi8r(c),
        _ => None,
    }
}

/// KOI8-R (RFC 1489): the Cyrillic letters in the order of their Latin look-alikes, lower case
/// at 0xC0-0xDF and upper case at 0xE0-0xFF; ё and Ё apart.
fn koi8r(c: char) -> Option<u8> {
    const LOWER: &str = "юабцдефгхийклмнопярстужвьызшэщчъ";
    const UPPER: &str = "ЮАБЦДЕФГХИЙКЛМНОПЯРСТУЖВЬЫЗШЭЩЧЪ";
    match c {
        'ё' => Some(0xA3),
        'Ё' => Some(0xB3),
        _ => {
            let row = |s: &str, base: u8| s.chars().position(|x| x == c).map(|i| base + i as u8);
            row(LOWER, 0xC0).or_else(|| row(UPPER, 0xE0))
        }
    }
}

/// The JIS X 0208 code (row and cell bytes, each 0x21-0x7E) of kana and Japanese punctuation.
fn jis(c: char) -> Option<(u8, u8)> {
    let u = c as u32;
    match u {
        0x3000 => Some((0x21, 0x21)),
        0x3001 => Some((0x21, 0x22)),
        0x3002 => Some((0x21, 0x23)),
        0x30FB => Some((0x21, 0x26)),
        0x30FC => Some((0x21, 0x3C)),
        0x300C => Some((0x21, 0x56)),
        0x300D => Some((0x21, 0x57)),
        0x3041..=0x3093 => Some((0x24, 0x21 + (u - 0x3041) as u8)),
        0x30A1..=0x30F6 => Some((0x25, 0x21 + (u - 0x30A1) as u8)),
        _ => None,
    }
}

/// A JIS X 0208 code as Shift_JIS: two rows share one lead byte.
fn shift_jis(j1: u8, j2: u8) -> [u8; 2] {
    let lead = j1.div_ceil(2) + if j1 <= 0x5E { 0x70 } else { 0xB0 };
    let trail = if j1 % 2 == 1 {
        j2 + if j2 >= 0x60 { 0x20 } else { 0x1F }
    } else {
        j2 + 0x7E
    };
    [lead, trail]
}

/// RFC 2047 encoded-words for `text` in `cs` (`q`: the "Q" encoding, else "B"), each at most
/// [`MAX_WORD`] long and each decodable on its own: a multi-byte character is never split, and
/// an ISO-2022-JP word ends in ASCII. Written in a header they are separated by folding white
/// space, which decoders drop between encoded-words (§6.2). `None` if `cs` can't write `text`.
pub(super) fn encoded_words(text: &str, cs: Charset, q: bool, upper: bool) -> Option<Vec<String>> {
    let label = cs.name(upper);
    let mut words = Vec::new();
    let mut chunk = Vec::new();
    let mut e = Encoder { cs, jis: false };
    for c in text.chars() {
        let (mark, jis_before) = (chunk.len(), e.jis);
        if !e.push(c, &mut chunk) {
            return None;
        }
        let closing = if e.jis { TO_ASCII.len() } else { 0 };
        if mark > 0 && word_len(label, &chunk, closing, q) > MAX_WORD {
            chunk.truncate(mark);
            e.jis = jis_before;
            e.finish(&mut chunk);
            words.push(word(label, &chunk, q));
            chunk.clear();
            e.push(c, &mut chunk);
        }
    }
    e.finish(&mut chunk);
    if !chunk.is_empty() {
        words.push(word(label, &chunk, q));
    }
    Some(words)
}

/// Length of the encoded-word for `bytes` followed by `closing` more bytes.
fn word_len(label: &str, bytes: &[u8], closing: usize, q: bool) -> usize {
    let payload = if q {
        bytes
            .iter()
            .map(|&b| if q_literal(b) { 1 } else { 3 })
            .sum::<usize>()
            + 3 * closing
    } else {
        (bytes.len() + closing).div_ceil(3) * 4
    };
    label.len() + 7 + payload
}

/// Bytes the "Q" encoding writes as themselves where an encoded-word stands for a phrase
/// (RFC 2047 §5 (3)), the strictest of its three places; space becomes `_`.
fn q_literal(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'!' | b'*' | b'+' | b'-' | b'/' | b' ')
}

/// One encoded-word.
fn word(label: &str, bytes: &[u8], q: bool) -> String {
    let mut w = format!("=?{label}?{}?", if q { 'Q' } else { 'B' });
    if q {
        for &b in bytes {
            match b {
                b' ' => w.push('_'),
                _ if q_literal(b) => w.push(b as char),
                _ => push_hex(&mut w, '=', b),
            }
        }
    } else {
        STANDARD.encode_string(bytes, &mut w);
    }
    w.push_str("?=");
    w
}

/// `prefix` and the byte in two upper-case hex digits.
pub(super) fn push_hex(s: &mut String, prefix: char, b: u8) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    s.push(prefix);
    s.push(HEX[usize::from(b >> 4)] as char);
    s.push(HEX[usize::from(b & 15)] as char);
}

/// A parameter holding non-ASCII text the RFC 2231 way: `name*=utf-8''%C3%BC…`, or when long,
/// continued as `name*0*=utf-8''…`, `name*1*=…` (§3, §4). Each returned item is one
/// `attribute=value`, for the caller to join with `;` and folding white space. Continuations are
/// cut between characters, so each piece is whole UTF-8.
pub(super) fn rfc2231(name: &str, value: &str) -> Vec<String> {
    const PIECE: usize = 54;
    let mut pieces: Vec<String> = vec![String::new()];
    let mut buf = [0u8; 4];
    for c in value.chars() {
        let mut enc = String::new();
        for &b in c.encode_utf8(&mut buf).as_bytes() {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_') {
                enc.push(b as char);
            } else {
                push_hex(&mut enc, '%', b);
            }
        }
        let last = pieces.len() - 1;
        if pieces[last].len() + enc.len() > PIECE {
            pieces.push(enc);
        } else {
            pieces[last].push_str(&enc);
        }
    }
    if pieces.len() == 1 {
        return vec![format!("{name}*=utf-8''{}", pieces[0])];
    }
    pieces
        .iter()
        .enumerate()
        .map(|(i, p)| match i {
            0 => format!("{name}*0*=utf-8''{p}"),
            _ => format!("{name}*{i}*={p}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every charset writes what its decoder (mail-parser's) reads back, in the body and in
    /// encoded-words split over several words; a character the charset lacks is refused.
    #[test]
    fn charsets_round_trip_through_a_parser() {
        let cases = [
            (Charset::UsAscii, "plain words only"),
            (Charset::Utf8, "Grüße — 会议 привет 🎉"),
            (
                Charset::Latin1,
                "Grüße aus der Straße, très été, mañana ¿sí?",
            ),
            (Charset::Latin9, "Facture 120 € pour l'œuvre, Grüße"),
            (Charset::Windows1252, "“Quoted” – 50 € … Œuvre ™ Grüße"),
            (Charset::Koi8R, "Привет, ещё отчёт за ЁЛКУ и бюджет!"),
            (
                Charset::Iso2022Jp,
                "ミーティング の スケジュール、よろしく。 invoice 2026",
            ),
            (Charset::ShiftJis, "レポート を かくにん ください。 budget"),
        ];
        for (cs, text) in cases {
            let long = format!("{text} {text} {text} {text}");
            let body = cs.encode(&long).expect("encodable");
            for (upper, q) in [(false, true), (true, false)] {
                let words = encoded_words(&long, cs, q, upper).expect("encodable");
                assert!(
                    words.len() > 1 && words.iter().all(|w| w.len() <= MAX_WORD),
                    "{words:?}"
                );
                let mut raw = format!(
                    "Subject: {}\r\nContent-Type: text/plain; charset={}\r\n\r\n",
                    words.join("\r\n "),
                    cs.name(upper)
                )
                .into_bytes();
                raw.extend_from_slice(&body);
                let m = mail_parser::MessageParser::default()
                    .parse(&raw)
                    .expect("parses");
                assert_eq!(m.subject(), Some(long.as_str()), "{cs:?} q={q}");
                assert_eq!(m.body_text(0).as_deref(), Some(long.as_str()), "{cs:?}");
            }
        }
        assert_eq!(Charset::UsAscii.encode("é"), None);
        assert_eq!(Charset::Latin1.encode("€"), None);
        assert_eq!(Charset::Koi8R.encode("ü"), None);
        assert_eq!(Charset::Iso2022Jp.encode("会"), None);
        assert_eq!(Charset::Latin1.or_utf8("Grüße €"), Charset::Utf8);
    }

    /// RFC 2231 file names, short and continued, decode to the name.
    #[test]
    fn rfc2231_names_decode() {
        for name in [
            "Rechnung_März.pdf",
            "Отчёт за третий квартал 2026 года (финальная версия).docx",
        ] {
            let params = rfc2231("filename", name);
            assert_eq!(params.len() > 1, name.len() > 40, "{params:?}");
            let raw = format!(
                "Subject: x\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\
                 Content-Type: application/pdf\r\nContent-Disposition: attachment;\r\n {}\r\n\
                 Content-Transfer-Encoding: base64\r\n\r\nJVBERg==\r\n--b--\r\n",
                params.join(";\r\n ")
            );
            let m = mail_parser::MessageParser::default()
                .parse(raw.as_bytes())
                .expect("parses");
            let part = m.attachment(0).expect("attachment");
            use mail_parser::MimeHeaders;
            assert_eq!(part.attachment_name(), Some(name));
        }
    }
}

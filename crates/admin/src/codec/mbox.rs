//! mbox in its mboxrd form.
//!
//! Each message starts with a `From sender date` line. Inside a message, a line that starts
//! with `From ` after any number of `>` gets one more `>` on export and loses one on import,
//! so every body line survives unchanged. A blank line separates messages.
//!
//! Flags travel in the `Status:` (R: `\Seen`), `X-Status:` (A: `\Answered`, F: `\Flagged`,
//! T: `\Draft`, D: `\Deleted`) and `X-Keywords:` header fields, as mutt and Dovecot write them:
//! the writer adds them to the header, the reader takes them out again (they describe the
//! mailbox entry, not the message).

use std::io::{BufRead, Write};

use bytes::Bytes;
use store::Flags;

use super::{CodecError, MailItem, crlf_to_lf, date, lf_to_crlf, now};

/// Header fields that carry flags.
const FLAG_FIELDS: [&str; 3] = ["status", "x-status", "x-keywords"];

/// Reads the messages of an mbox one at a time (memory: one message).
pub struct MboxReader<R> {
    input: R,
    /// Names the input in errors.
    name: String,
    /// The `From ` line of the next message, already read.
    next_from: Option<Vec<u8>>,
    started: bool,
    done: bool,
}

impl<R: BufRead> MboxReader<R> {
    /// Reads `input`; `name` (a path) names it in errors.
    pub fn new(input: R, name: impl Into<String>) -> MboxReader<R> {
        MboxReader {
            input,
            name: name.into(),
            next_from: None,
            started: false,
            done: false,
        }
    }

    fn read_line(&mut self, line: &mut Vec<u8>) -> Result<usize, CodecError> {
        line.clear();
        self.input
            .read_until(b'\n', line)
            .map_err(|e| CodecError::io(&self.name, e))
    }

    /// The first `From ` line; blank lines before it are tolerated.
    fn first_from(&mut self) -> Result<Option<Vec<u8>>, CodecError> {
        let mut line = Vec::new();
        loop {
            if self.read_line(&mut line)? == 0 {
                return Ok(None);
            }
            if line.starts_with(b"From ") {
                return Ok(Some(line));
            }
            if !line.iter().all(|b| b.is_ascii_whitespace()) {
                return Err(CodecError::NotMbox(self.name.clone()));
            }
        }
    }

    fn read_message(&mut self) -> Result<Option<MailItem>, CodecError> {
        let from = match self.next_from.take() {
            Some(from) => from,
            None if self.started => return Ok(None),
            None => {
                self.started = true;
                match self.first_from()? {
                    Some(from) => from,
                    None => return Ok(None),
                }
            }
        };
        let mut body = Vec::new();
        let mut line = Vec::new();
        loop {
            if self.read_line(&mut line)? == 0 {
                break;
            }
            if line.starts_with(b"From ") {
                self.next_from = Some(std::mem::take(&mut line));
                break;
            }
            body.extend_from_slice(unquote(&line));
        }
        // The blank line that separates messages belongs to the file, not the message.
        if body.ends_with(b"\r\n\r\n") {
            body.truncate(body.len() - 2);
        } else if body.ends_with(b"\n\n") || body.ends_with(b"\r\n\n") || body == b"\n" {
            body.truncate(body.len() - 1);
        }
        let (data, flags) = take_flag_fields(&lf_to_crlf(&body));
        Ok(Some(MailItem {
            data: Bytes::from(data),
            flags,
            internal_date: date::parse_from_line(&from),
            internal_zone: 0,
        }))
    }
}

impl<R: BufRead> Iterator for MboxReader<R> {
    type Item = Result<MailItem, CodecError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let item = self.read_message().transpose();
        if !matches!(item, Some(Ok(_))) {
            self.done = true;
        }
        item
    }
}

/// `>From ` → `From `, `>>From ` → `>From `; other lines unchanged.
fn unquote(line: &[u8]) -> &[u8] {
    if is_quoted_from(line) && line.first() == Some(&b'>') {
        &line[1..]
    } else {
        line
    }
}

/// True for a line that matches `^>*From `.
fn is_quoted_from(line: &[u8]) -> bool {
    let gts = line.iter().take_while(|&&b| b == b'>').count();
    line[gts..].starts_with(b"From ")
}

/// Writes messages as an mboxrd file with LF line ends.
pub struct MboxWriter<W> {
    out: W,
}

impl<W: Write> MboxWriter<W> {
    /// Writes to `out` (buffer it).
    pub fn new(out: W) -> MboxWriter<W> {
        MboxWriter { out }
    }

    /// Appends one message.
    pub fn write(&mut self, m: &MailItem) -> std::io::Result<()> {
        let sender = return_path(&m.data).unwrap_or_else(|| "MAILER-DAEMON".to_string());
        let when = date::asctime(m.internal_date.unwrap_or_else(now));
        writeln!(self.out, "From {sender} {when}")?;
        let text = add_flag_fields(&crlf_to_lf(&m.data), &m.flags);
        for line in text.split_inclusive(|&b| b == b'\n') {
            if is_quoted_from(line) {
                self.out.write_all(b">")?;
            }
            self.out.write_all(line)?;
        }
        if !text.ends_with(b"\n") {
            self.out.write_all(b"\n")?;
        }
        self.out.write_all(b"\n")
    }

    /// Flushes and returns the output.
    pub fn finish(mut self) -> std::io::Result<W> {
        self.out.flush()?;
        Ok(self.out)
    }
}

/// The end of the header section: the offset of the empty line that ends it (the header
/// includes the line end before it), or the whole input if there is none.
fn header_end(data: &[u8], crlf: bool) -> usize {
    let (blank, sep): (&[u8], &[u8]) = if crlf {
        (b"\r\n", b"\r\n\r\n")
    } else {
        (b"\n", b"\n\n")
    };
    if data.starts_with(blank) {
        return 0;
    }
    data.windows(sep.len())
        .position(|w| w == sep)
        .map_or(data.len(), |p| p + blank.len())
}

/// The address of the `Return-Path:` field, for the `From ` line.
fn return_path(data: &[u8]) -> Option<String> {
    let header = &data[..header_end(data, true)];
    header.split(|&b| b == b'\n').find_map(|line| {
        let (name, value) = split_field(line)?;
        if !name.eq_ignore_ascii_case("return-path") {
            return None;
        }
        let v = value.trim().trim_start_matches('<').trim_end_matches('>');
        (!v.is_empty() && !v.contains(char::is_whitespace)).then(|| v.to_string())
    })
}

fn split_field(line: &[u8]) -> Option<(&str, &str)> {
    let text = std::str::from_utf8(line).ok()?;
    let (name, value) = text.split_once(':')?;
    (!name.is_empty() && !name.contains(char::is_whitespace)).then_some((name, value))
}

/// Adds the flag fields (LF text) at the end of the header.
fn add_flag_fields(text: &[u8], flags: &Flags) -> Vec<u8> {
    let mut fields = String::new();
    if flags.has(Flags::SEEN) {
        fields.push_str("Status: RO\n");
    }
    let x: String = [
        (Flags::ANSWERED, 'A'),
        (Flags::FLAGGED, 'F'),
        (Flags::DRAFT, 'T'),
        (Flags::DELETED, 'D'),
    ]
    .iter()
    .filter(|(bit, _)| flags.has(*bit))
    .map(|(_, c)| *c)
    .collect();
    if !x.is_empty() {
        fields.push_str(&format!("X-Status: {x}\n"));
    }
    if !flags.keywords.is_empty() {
        fields.push_str(&format!("X-Keywords: {}\n", flags.keywords.join(" ")));
    }
    let at = header_end(text, false);
    let mut out = Vec::with_capacity(text.len() + fields.len() + 1);
    out.extend_from_slice(&text[..at]);
    if at > 0 && !out.ends_with(b"\n") {
        out.push(b'\n');
    }
    out.extend_from_slice(fields.as_bytes());
    out.extend_from_slice(&text[at..]);
    out
}

/// Removes the flag fields (and their continuation lines) from the header of CRLF `data` and
/// returns the flags they carried.
fn take_flag_fields(data: &[u8]) -> (Vec<u8>, Flags) {
    let end = header_end(data, true);
    let mut system = 0;
    let mut keywords = Vec::new();
    let mut out = Vec::with_capacity(data.len());
    let mut skipping = false;
    for line in data[..end].split_inclusive(|&b| b == b'\n') {
        if skipping && line.first().is_some_and(|b| *b == b' ' || *b == b'\t') {
            continue;
        }
        skipping = false;
        if let Some((name, value)) = split_field(line)
            && FLAG_FIELDS.iter().any(|f| f.eq_ignore_ascii_case(name))
        {
            skipping = true;
            let name = name.to_ascii_lowercase();
            if name == "x-keywords" {
                keywords.extend(
                    value
                        .split(|c: char| c == ',' || c.is_whitespace())
                        .filter(|k| !k.is_empty())
                        .map(str::to_string),
                );
            } else {
                for c in value.trim().chars() {
                    system |= match (name.as_str(), c) {
                        ("status", 'R') => Flags::SEEN,
                        ("x-status", 'A') => Flags::ANSWERED,
                        ("x-status", 'F') => Flags::FLAGGED,
                        ("x-status", 'T') => Flags::DRAFT,
                        ("x-status", 'D') => Flags::DELETED,
                        _ => 0,
                    };
                }
            }
            continue;
        }
        out.extend_from_slice(line);
    }
    out.extend_from_slice(&data[end..]);
    (out, Flags::new(system, keywords))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(data: &[u8], flags: Flags, date: i64) -> MailItem {
        MailItem {
            data: Bytes::copy_from_slice(data),
            flags,
            internal_date: Some(date),
            internal_zone: 0,
        }
    }

    fn write_all(items: &[MailItem]) -> Vec<u8> {
        let mut w = MboxWriter::new(Vec::new());
        for i in items {
            w.write(i).expect("write");
        }
        w.finish().expect("finish")
    }

    fn read_all(file: &[u8]) -> Vec<MailItem> {
        MboxReader::new(file, "test")
            .collect::<Result<_, _>>()
            .expect("read")
    }

    /// Messages with `From ` body lines, quoted ones, flags, keywords and a Return-Path come
    /// back byte for byte with their flags and dates.
    #[test]
    fn round_trip() {
        let items = [
            item(
                b"Return-Path: <alice@example.org>\r\nSubject: one\r\n\r\nFrom here on\r\n>From there\r\n",
                Flags::new(Flags::SEEN | Flags::FLAGGED, ["$Label1".to_string()]),
                1_700_000_000,
            ),
            item(
                b"Subject: two\r\n\r\nline\r\n\r\n",
                Flags::default(),
                0,
            ),
            item(
                b"Subject: three\r\n\r\n>>From deep\r\nFrom \r\n",
                Flags::new(Flags::ANSWERED | Flags::DELETED | Flags::DRAFT, []),
                86_400,
            ),
        ];
        let file = write_all(&items);
        let text = String::from_utf8(file.clone()).expect("utf8");
        assert!(!text.contains('\r'), "LF mbox: {text:?}");
        assert!(text.starts_with("From alice@example.org Tue Nov 14 22:13:20 2023\n"));
        assert!(text.contains("\n>From here on\n>>From there\n"));
        assert!(text.contains("\n>>>From deep\n>From \n"));
        assert!(text.contains("Status: RO\nX-Status: F\nX-Keywords: $Label1\n\n"));
        assert_eq!(read_all(&file), items);
    }

    /// A hand-written LF mbox (as mutt writes) is read with CRLF line ends and its flags.
    #[test]
    fn reads_foreign_mbox() {
        let file = b"\nFrom MAILER-DAEMON Thu Jan  1 00:00:00 1970\nSubject: a\nStatus: RO\nX-Status: A\n\nbody\n\nFrom b@c Fri Jan  2 00:00:00 1970\nSubject: b\n\nlast";
        let items = read_all(file);
        assert_eq!(items.len(), 2);
        assert_eq!(&items[0].data[..], b"Subject: a\r\n\r\nbody\r\n");
        assert_eq!(items[0].flags.system, Flags::SEEN | Flags::ANSWERED);
        assert_eq!(items[0].internal_date, Some(0));
        assert_eq!(&items[1].data[..], b"Subject: b\r\n\r\nlast");
        assert_eq!(items[1].internal_date, Some(86_400));
    }

    #[test]
    fn not_an_mbox() {
        let mut r = MboxReader::new(&b"Subject: x\n\nbody\n"[..], "x.eml");
        assert!(matches!(r.next(), Some(Err(CodecError::NotMbox(_)))));
        assert!(r.next().is_none());
        assert!(MboxReader::new(&b""[..], "empty").next().is_none());
    }
}

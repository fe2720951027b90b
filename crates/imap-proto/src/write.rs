//! Low-level wire writing shared by the response serializer and the command encoder.
//!
//! The one rule that matters here: a value is written in the cheapest form the grammar allows
//! for it, and never in a form that cannot carry it.
//!
//! | value holds…                                  | astring | string / nstring |
//! |-----------------------------------------------|---------|------------------|
//! | only ASTRING-CHARs (and is not `NIL` for nstring) | atom | quoted           |
//! | SP, `(`, `"`, `\`, `%`, `*`, `{`, other 7-bit TEXT | quoted | quoted         |
//! | 8-bit UTF-8, with UTF-8 allowed in quoted     | quoted  | quoted           |
//! | 8-bit without UTF-8 quoted, CR, LF, CTLs, long | literal | literal         |
//! | NUL                                           | literal with NUL removed, or literal8 where the grammar allows |
//!
//! Quoted strings are capped at [`MAX_QUOTED`] octets; longer values become literals.

use crate::types::{DateTime, Flag, Mailbox, SeqNum, SeqRange, SequenceSet};

/// Longest value written as a quoted string; anything longer becomes a literal.
pub const MAX_QUOTED: usize = 1024;

/// How strings may be written on this connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WriteOptions {
    /// UTF-8 may appear in quoted strings and text (IMAP4rev2 or UTF8=ACCEPT enabled).
    pub utf8: bool,
    /// Write literals as `{n+}` (a client with LITERAL+); servers always use `{n}`.
    pub non_sync_literals: bool,
}

impl WriteOptions {
    /// Server to an IMAP4rev1 client: 7-bit quoted strings, synchronizing-form literals.
    pub const SERVER_REV1: WriteOptions = WriteOptions {
        utf8: false,
        non_sync_literals: false,
    };
    /// Server to a client that enabled IMAP4rev2 or UTF8=ACCEPT.
    pub const SERVER_UTF8: WriteOptions = WriteOptions {
        utf8: true,
        non_sync_literals: false,
    };
}

impl Default for WriteOptions {
    fn default() -> Self {
        WriteOptions::SERVER_REV1
    }
}

/// An output buffer with the connection's string rules.
///
/// `continuations` records every offset just after a synchronizing literal's `{n}\r\n`: a client
/// writing a command must stop there and wait for the server's `+`.
#[derive(Debug, Default)]
pub struct Writer {
    /// Bytes written so far.
    pub buf: Vec<u8>,
    /// String rules.
    pub opts: WriteOptions,
    /// Offsets where a client must wait for a continuation request.
    pub continuations: Vec<usize>,
}

impl Writer {
    /// An empty writer with the given rules.
    pub fn new(opts: WriteOptions) -> Writer {
        Writer {
            buf: Vec::new(),
            opts,
            continuations: Vec::new(),
        }
    }

    /// Appends raw bytes, unchecked. Only for grammar tokens.
    pub fn raw(&mut self, b: &[u8]) -> &mut Self {
        self.buf.extend_from_slice(b);
        self
    }

    /// Appends one SP.
    pub fn sp(&mut self) -> &mut Self {
        self.buf.push(b' ');
        self
    }

    /// Appends CRLF.
    pub fn crlf(&mut self) -> &mut Self {
        self.buf.extend_from_slice(b"\r\n");
        self
    }

    /// Appends a decimal number.
    pub fn num(&mut self, n: u64) -> &mut Self {
        let mut tmp = [0u8; 20];
        let mut i = tmp.len();
        let mut n = n;
        loop {
            i -= 1;
            tmp[i] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        self.buf.extend_from_slice(&tmp[i..]);
        self
    }

    /// `astring`: atom when every octet is an ASTRING-CHAR, else quoted or literal.
    pub fn astring(&mut self, v: &[u8]) -> &mut Self {
        if !v.is_empty() && v.iter().all(|&b| crate::types::is_astring_char(b)) {
            self.raw(v)
        } else {
            self.string(v)
        }
    }

    /// `string`: quoted when it can carry the value, else a literal.
    pub fn string(&mut self, v: &[u8]) -> &mut Self {
        if self.quotable(v) {
            self.quoted(v)
        } else {
            self.literal(v)
        }
    }

    /// `nstring`: `NIL` for `None`.
    pub fn nstring(&mut self, v: Option<&[u8]>) -> &mut Self {
        match v {
            None => self.raw(b"NIL"),
            Some(v) => self.string(v),
        }
    }

    /// A value that may be an atom when it is one, else a string (for `charset`, `tag-string`…).
    pub fn atom_or_string(&mut self, v: &[u8]) -> &mut Self {
        if !v.is_empty() && v.iter().all(|&b| crate::types::is_atom_char(b)) {
            self.raw(v)
        } else {
            self.string(v)
        }
    }

    /// `list-mailbox`: list-chars (wildcards included) as an atom, else a string.
    pub fn list_mailbox(&mut self, v: &[u8]) -> &mut Self {
        if !v.is_empty() && v.iter().all(|&b| crate::types::is_list_char(b)) {
            self.raw(v)
        } else {
            self.string(v)
        }
    }

    /// A mailbox name as an astring.
    pub fn mailbox(&mut self, m: &Mailbox) -> &mut Self {
        self.astring(m.as_str().as_bytes())
    }

    /// True if `v` can be written as a quoted string under the current options.
    pub fn quotable(&self, v: &[u8]) -> bool {
        if v.len() > MAX_QUOTED {
            return false;
        }
        let seven_bit = v
            .iter()
            .all(|&b| (0x01..=0x7f).contains(&b) && b != b'\r' && b != b'\n');
        if seven_bit {
            return true;
        }
        self.opts.utf8
            && !v.iter().any(|&b| b == 0 || b == b'\r' || b == b'\n')
            && std::str::from_utf8(v).is_ok()
    }

    /// A quoted string; `v` must be [`quotable`](Self::quotable).
    pub fn quoted(&mut self, v: &[u8]) -> &mut Self {
        debug_assert!(self.quotable(v));
        self.buf.push(b'"');
        for &b in v {
            if b == b'"' || b == b'\\' {
                self.buf.push(b'\\');
            }
            self.buf.push(b);
        }
        self.buf.push(b'"');
        self
    }

    /// A `literal`. NUL octets, which a literal cannot carry (RFC 9051 CHAR8), are removed.
    pub fn literal(&mut self, v: &[u8]) -> &mut Self {
        if v.contains(&0) {
            let cleaned: Vec<u8> = v.iter().copied().filter(|&b| b != 0).collect();
            return self
                .literal_header(cleaned.len() as u64, false)
                .raw(&cleaned);
        }
        self.literal_header(v.len() as u64, false).raw(v)
    }

    /// A `literal8` (`~{n}`), which may carry any octet; only where the grammar allows it.
    pub fn literal8(&mut self, v: &[u8]) -> &mut Self {
        self.literal_header(v.len() as u64, true).raw(v)
    }

    /// Writes `{n}\r\n`, `{n+}\r\n` or `~{n}\r\n`, recording a continuation point for a
    /// synchronizing literal.
    pub fn literal_header(&mut self, n: u64, binary: bool) -> &mut Self {
        if binary {
            self.buf.push(b'~');
        }
        self.buf.push(b'{');
        self.num(n);
        if self.opts.non_sync_literals {
            self.buf.push(b'+');
        }
        self.raw(b"}\r\n");
        if !self.opts.non_sync_literals {
            self.continuations.push(self.buf.len());
        }
        self
    }

    /// Human-readable `text` (after a status response): CR, LF and NUL become spaces; 8-bit text
    /// is kept only when UTF-8 is allowed, otherwise each non-ASCII character becomes `?`.
    pub fn text(&mut self, t: &str) -> &mut Self {
        for c in t.chars() {
            match c {
                '\r' | '\n' | '\0' => self.buf.push(b' '),
                c if c.is_ascii() => self.buf.push(c as u8),
                c if self.opts.utf8 => {
                    let mut tmp = [0u8; 4];
                    self.buf
                        .extend_from_slice(c.encode_utf8(&mut tmp).as_bytes());
                }
                _ => self.buf.push(b'?'),
            }
        }
        self
    }

    /// A sequence set, `$` included.
    pub fn seq_set(&mut self, s: &SequenceSet) -> &mut Self {
        match s {
            SequenceSet::Saved => self.raw(b"$"),
            SequenceSet::Ranges(r) => {
                for (i, range) in r.iter().enumerate() {
                    if i > 0 {
                        self.buf.push(b',');
                    }
                    self.seq_range(range);
                }
                self
            }
        }
    }

    fn seq_range(&mut self, r: &SeqRange) {
        self.seq_num(r.start);
        if r.start != r.end {
            self.buf.push(b':');
            self.seq_num(r.end);
        }
    }

    fn seq_num(&mut self, n: SeqNum) {
        match n {
            SeqNum::Value(v) => {
                self.num(v as u64);
            }
            SeqNum::Star => self.buf.push(b'*'),
        }
    }

    /// `(flag flag …)`, each flag as by [`flag`](Self::flag).
    pub fn flag_list(&mut self, flags: &[Flag]) -> &mut Self {
        self.buf.push(b'(');
        for (i, f) in flags.iter().enumerate() {
            if i > 0 {
                self.buf.push(b' ');
            }
            self.flag(f);
        }
        self.buf.push(b')');
        self
    }

    /// One flag (`\Seen`, `$Junk`). `Flag`'s variants are public, so keyword and extension text
    /// is repaired like an atom rather than trusted: it can never break the framing.
    pub fn flag(&mut self, f: &Flag) -> &mut Self {
        match f {
            Flag::Extension(s) => self.raw(b"\\").atom(s),
            Flag::Keyword(s) => self.atom(s),
            system => self.raw(system.as_wire().as_bytes()),
        }
    }

    /// Text the grammar wants as an atom (a capability, a keyword, a code name): every octet
    /// that is not an ATOM-CHAR is written as `_`, and an empty value as `_`.
    pub fn atom(&mut self, s: &str) -> &mut Self {
        self.repaired(s, crate::types::is_atom_char)
    }

    /// Writes `s` with every octet that `allowed` rejects replaced by `_` (and `_` for an empty
    /// value), for tokens whose alphabet is fixed by the grammar.
    pub fn repaired(&mut self, s: &str, allowed: impl Fn(u8) -> bool) -> &mut Self {
        if s.is_empty() {
            self.buf.push(b'_');
        } else {
            self.buf
                .extend(s.bytes().map(|b| if allowed(b) { b } else { b'_' }));
        }
        self
    }

    /// A quoted `date-time`.
    pub fn date_time(&mut self, d: &DateTime) -> &mut Self {
        self.buf.push(b'"');
        self.buf.extend_from_slice(d.to_string().as_bytes());
        self.buf.push(b'"');
        self
    }

    /// Takes the bytes written so far, leaving the writer empty with the same options.
    pub fn take(&mut self) -> Vec<u8> {
        self.continuations.clear();
        std::mem::take(&mut self.buf)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn w(opts: WriteOptions, f: impl FnOnce(&mut Writer)) -> String {
        let mut wr = Writer::new(opts);
        f(&mut wr);
        String::from_utf8_lossy(&wr.buf).into_owned()
    }

    const REV1: WriteOptions = WriteOptions::SERVER_REV1;
    const UTF8: WriteOptions = WriteOptions::SERVER_UTF8;

    #[test]
    fn astring_picks_the_cheapest_form() {
        assert_eq!(
            w(REV1, |w| {
                w.astring(b"INBOX");
            }),
            "INBOX"
        );
        assert_eq!(
            w(REV1, |w| {
                w.astring(b"a]b");
            }),
            "a]b"
        );
        assert_eq!(
            w(REV1, |w| {
                w.astring(b"");
            }),
            "\"\""
        );
        assert_eq!(
            w(REV1, |w| {
                w.astring(b"a b");
            }),
            "\"a b\""
        );
        assert_eq!(
            w(REV1, |w| {
                w.astring(b"say \"hi\\");
            }),
            "\"say \\\"hi\\\\\""
        );
        assert_eq!(
            w(REV1, |w| {
                w.astring(b"a\r\nb");
            }),
            "{4}\r\na\r\nb"
        );
        assert_eq!(
            w(REV1, |w| {
                w.astring("Grüße".as_bytes());
            }),
            "{7}\r\nGrüße"
        );
        assert_eq!(
            w(UTF8, |w| {
                w.astring("Grüße".as_bytes());
            }),
            "\"Grüße\""
        );
        assert_eq!(
            w(UTF8, |w| {
                w.astring(b"\xff\xfe");
            }),
            "{2}\r\n\u{fffd}\u{fffd}"
        );
    }

    #[test]
    fn nstring_quotes_the_word_nil() {
        assert_eq!(
            w(REV1, |w| {
                w.nstring(None);
            }),
            "NIL"
        );
        assert_eq!(
            w(REV1, |w| {
                w.nstring(Some(b"NIL"));
            }),
            "\"NIL\""
        );
    }

    #[test]
    fn nul_never_reaches_a_literal_but_literal8_keeps_it() {
        assert_eq!(
            w(REV1, |w| {
                w.string(b"a\0b");
            }),
            "{2}\r\nab"
        );
        let mut wr = Writer::new(REV1);
        wr.literal8(b"a\0b");
        assert_eq!(wr.buf, b"~{3}\r\na\0b");
    }

    #[test]
    fn long_values_become_literals_and_clients_record_continuations() {
        let long = vec![b'x'; MAX_QUOTED + 1];
        let mut wr = Writer::new(REV1);
        wr.raw(b"a LOGIN ").string(&long);
        assert!(wr.buf.starts_with(b"a LOGIN {1025}\r\n"));
        assert_eq!(wr.continuations, vec![16]);
        let mut wr = Writer::new(WriteOptions {
            utf8: false,
            non_sync_literals: true,
        });
        wr.string(b"a\nb");
        assert_eq!(wr.buf, b"{3+}\r\na\nb");
        assert!(wr.continuations.is_empty());
    }

    #[test]
    fn flags_and_atoms_are_repaired_never_trusted() {
        let flags = [
            Flag::Seen,
            Flag::Keyword("x\r\n* BYE".into()),
            Flag::Extension("".into()),
        ];
        assert_eq!(
            w(REV1, |w| {
                w.flag_list(&flags);
            }),
            "(\\Seen x____BYE \\_)"
        );
    }

    #[test]
    fn text_is_sanitised() {
        assert_eq!(
            w(REV1, |w| {
                w.text("a\r\nb é");
            }),
            "a  b ?"
        );
        assert_eq!(
            w(UTF8, |w| {
                w.text("é");
            }),
            "é"
        );
    }

    #[test]
    fn numbers_and_sets() {
        assert_eq!(
            w(REV1, |w| {
                w.num(0).sp().num(u64::MAX);
            }),
            "0 18446744073709551615"
        );
        let s = SequenceSet::Ranges(vec![
            SeqRange::single(1),
            SeqRange::new(3, 5),
            SeqRange {
                start: SeqNum::Value(7),
                end: SeqNum::Star,
            },
        ]);
        assert_eq!(
            w(REV1, |w| {
                w.seq_set(&s);
            }),
            "1,3:5,7:*"
        );
        assert_eq!(
            w(REV1, |w| {
                w.seq_set(&SequenceSet::Saved);
            }),
            "$"
        );
    }
}

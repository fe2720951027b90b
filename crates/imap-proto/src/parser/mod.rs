//! The command grammar (RFC 9051 §9 and the extensions' ABNF), over a command the
//! [`crate::Receiver`] has already framed.
//!
//! Input is the command's text with each literal's header (`{n}`, `{n+}`, `~{n}`) and its CRLF
//! left in place, plus the literal octets in order. A literal token takes the next octets from
//! that list, so literals are never copied.
//!
//! `mod.rs` holds the cursor and the shared productions (strings, numbers, sets, flags, dates);
//! one file per command family turns tokens into [`CommandBody`] values.

mod auth;
mod fetch;
mod mailbox;
mod message;
mod search;

use crate::command::{Command, CommandBody};
use crate::error::ErrorKind;
use crate::types::{
    Date, DateTime, Flag, IString, MONTHS, Mailbox, SeqNum, SeqRange, SequenceSet, Tag,
    is_astring_char, is_atom_char, is_list_char, is_tag_char,
};
use bytes::Bytes;

/// Result of a production.
pub(crate) type PResult<T> = Result<T, ErrorKind>;

/// Parses one framed command.
pub(crate) fn parse(text: &[u8], literals: Vec<Bytes>, max_depth: usize) -> PResult<Command> {
    let mut p = Parser {
        s: text,
        pos: 0,
        literals: literals.into_iter(),
        max_depth,
        open_parens: 0,
    };
    let tag = p.tag()?;
    p.sp()?;
    let name = p.keyword()?;
    let body = dispatch(&mut p, &name)?;
    p.end()?;
    Ok(Command { tag, body })
}

/// Picks the command family by name.
fn dispatch(p: &mut Parser<'_>, name: &str) -> PResult<CommandBody> {
    use CommandBody::*;
    Ok(match name {
        "CAPABILITY" => Capability,
        "NOOP" => Noop,
        "LOGOUT" => Logout,
        "STARTTLS" => StartTls,
        "NAMESPACE" => Namespace,
        "IDLE" => Idle,
        "CHECK" => Check,
        "CLOSE" => Close,
        "UNSELECT" => Unselect,
        "EXPUNGE" => Expunge { uids: None },
        "ID" | "LOGIN" | "AUTHENTICATE" | "ENABLE" | "COMPRESS" => auth::parse(p, name)?,
        "SELECT" | "EXAMINE" | "CREATE" | "DELETE" | "RENAME" | "SUBSCRIBE" | "UNSUBSCRIBE"
        | "LIST" | "LSUB" | "STATUS" | "APPEND" | "GETQUOTA" | "GETQUOTAROOT" | "SETQUOTA" => {
            mailbox::parse(p, name)?
        }
        "UID" => {
            p.sp()?;
            let sub = p.keyword()?;
            match sub.as_str() {
                "EXPUNGE" => {
                    p.sp()?;
                    Expunge {
                        uids: Some(p.seq_set()?),
                    }
                }
                "SEARCH" => search::parse_search(p, true)?,
                "SORT" => search::parse_sort(p, true)?,
                "THREAD" => search::parse_thread(p, true)?,
                "FETCH" => fetch::parse(p, true)?,
                "STORE" | "COPY" | "MOVE" => message::parse(p, &sub, true)?,
                _ => return Err(ErrorKind::UnknownCommand(format!("UID {sub}"))),
            }
        }
        "SEARCH" => search::parse_search(p, false)?,
        "SORT" => search::parse_sort(p, false)?,
        "THREAD" => search::parse_thread(p, false)?,
        "FETCH" => fetch::parse(p, false)?,
        "STORE" | "COPY" | "MOVE" => message::parse(p, name, false)?,
        _ => return Err(ErrorKind::UnknownCommand(name.to_string())),
    })
}

/// A cursor over one framed command.
pub(crate) struct Parser<'a> {
    s: &'a [u8],
    pos: usize,
    literals: std::vec::IntoIter<Bytes>,
    pub(crate) max_depth: usize,
    /// Parentheses open at the cursor: running out of input inside one is `Unbalanced`.
    open_parens: usize,
}

impl<'a> Parser<'a> {
    // ---------- low level ----------

    pub(crate) fn peek(&self) -> Option<u8> {
        self.s.get(self.pos).copied()
    }

    pub(crate) fn at_end(&self) -> bool {
        self.pos >= self.s.len()
    }

    fn err<T>(&self, what: &str) -> PResult<T> {
        Err(match self.peek() {
            None if what == "')'" || self.open_parens > 0 => ErrorKind::Unbalanced,
            None => ErrorKind::Syntax(format!("expected {what} at end of command")),
            Some(b')') if what == "end of command" => ErrorKind::Unbalanced,
            Some(0) => ErrorKind::Nul,
            Some(b) if b >= 0x80 => ErrorKind::EightBit,
            Some(b) => ErrorKind::Syntax(format!(
                "expected {what} at offset {}, found {:?}",
                self.pos, b as char
            )),
        })
    }

    /// Exactly one SP.
    pub(crate) fn sp(&mut self) -> PResult<()> {
        self.byte(b' ', "SP")
    }

    /// True (and consumed) if the next octet is `b`.
    pub(crate) fn eat(&mut self, b: u8) -> bool {
        if self.peek() == Some(b) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    /// The octet `b`, or an error naming `what`.
    pub(crate) fn byte(&mut self, b: u8, what: &str) -> PResult<()> {
        if self.eat(b) { Ok(()) } else { self.err(what) }
    }

    /// `(`
    pub(crate) fn open(&mut self) -> PResult<()> {
        self.byte(b'(', "'('")?;
        self.open_parens += 1;
        Ok(())
    }

    /// `)`
    pub(crate) fn close(&mut self) -> PResult<()> {
        self.byte(b')', "')'")?;
        self.open_parens = self.open_parens.saturating_sub(1);
        Ok(())
    }

    /// The end of the command.
    fn end(&mut self) -> PResult<()> {
        if self.at_end() {
            Ok(())
        } else {
            self.err("end of command")
        }
    }

    /// True (and consumed) if the input continues with `s`, compared case-insensitively.
    pub(crate) fn eat_ci(&mut self, s: &str) -> bool {
        let end = self.pos + s.len();
        if end <= self.s.len() && self.s[self.pos..end].eq_ignore_ascii_case(s.as_bytes()) {
            self.pos = end;
            true
        } else {
            false
        }
    }

    /// The next octets if they are `s` (case-insensitive), not followed by more atom chars.
    pub(crate) fn eat_word(&mut self, s: &str) -> bool {
        let save = self.pos;
        if self.eat_ci(s) && !self.peek().is_some_and(is_atom_char) {
            return true;
        }
        self.pos = save;
        false
    }

    /// `tag`
    fn tag(&mut self) -> PResult<Tag> {
        let start = self.pos;
        while self.peek().is_some_and(is_tag_char) {
            self.pos += 1;
        }
        let t = std::str::from_utf8(&self.s[start..self.pos])
            .ok()
            .and_then(Tag::new);
        match t {
            Some(t) => Ok(t),
            None => Err(ErrorKind::BadTag),
        }
    }

    /// A command or option keyword: letters, digits, `.`, `-`, `_`, `=`, `+`, upper-cased.
    /// Stops before `[`, `<`, `(` so that `BODY[`, `BODY.PEEK[`, `BINARY<` split correctly.
    pub(crate) fn keyword(&mut self) -> PResult<String> {
        let start = self.pos;
        while self
            .peek()
            .is_some_and(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'='))
        {
            self.pos += 1;
        }
        if self.pos == start {
            return self.err("a keyword");
        }
        if self.peek().is_some_and(|b| b >= 0x80) {
            return Err(ErrorKind::EightBit);
        }
        Ok(String::from_utf8_lossy(&self.s[start..self.pos]).to_ascii_uppercase())
    }

    /// `atom`, as text.
    pub(crate) fn atom(&mut self) -> PResult<String> {
        let start = self.pos;
        while self.peek().is_some_and(is_atom_char) {
            self.pos += 1;
        }
        if self.peek().is_some_and(|b| b >= 0x80) {
            return Err(ErrorKind::EightBit);
        }
        if self.pos == start {
            return self.err("an atom");
        }
        Ok(String::from_utf8_lossy(&self.s[start..self.pos]).into_owned())
    }

    // ---------- strings ----------

    /// `quoted`: 7-bit TEXT-CHARs and, as in IMAP4rev2, UTF-8; `\"` and `\\` escapes only.
    fn quoted(&mut self) -> PResult<IString> {
        self.byte(b'"', "'\"'")?;
        let mut out = Vec::new();
        loop {
            match self.peek() {
                None => return Err(ErrorKind::Syntax("unterminated quoted string".into())),
                Some(b'"') => {
                    self.pos += 1;
                    break;
                }
                Some(b'\\') => {
                    self.pos += 1;
                    match self.peek() {
                        Some(c @ (b'"' | b'\\')) => {
                            out.push(c);
                            self.pos += 1;
                        }
                        _ => return self.err("'\"' or '\\' after '\\' in a quoted string"),
                    }
                }
                Some(b'\r' | b'\n') => {
                    return Err(ErrorKind::Syntax("CR or LF in a quoted string".into()));
                }
                Some(0) => return Err(ErrorKind::Nul),
                Some(c) => {
                    out.push(c);
                    self.pos += 1;
                }
            }
        }
        if !out.is_ascii() && std::str::from_utf8(&out).is_err() {
            return Err(ErrorKind::InvalidUtf8);
        }
        Ok(Bytes::from(out))
    }

    /// True if a literal (`{`) or a literal8 (`~{`) starts here.
    fn at_literal(&self) -> bool {
        self.peek() == Some(b'{')
            || (self.peek() == Some(b'~') && self.s.get(self.pos + 1) == Some(&b'{'))
    }

    /// `literal` or, if `allow_binary`, `literal8`. Returns the octets and whether it was `~{`.
    pub(crate) fn literal_any(&mut self, allow_binary: bool) -> PResult<(IString, bool)> {
        let binary = self.eat(b'~');
        if binary && !allow_binary {
            return Err(ErrorKind::Syntax("literal8 not allowed here".into()));
        }
        self.byte(b'{', "'{'")?;
        let start = self.pos;
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.pos += 1;
        }
        let size: u64 = std::str::from_utf8(&self.s[start..self.pos])
            .ok()
            .and_then(|d| d.parse().ok())
            .ok_or_else(|| ErrorKind::Syntax("bad literal size".into()))?;
        self.eat(b'+');
        self.byte(b'}', "'}'")?;
        if !self.eat_ci("\r\n") {
            return self.err("CRLF after a literal header");
        }
        let data = self
            .literals
            .next()
            .ok_or_else(|| ErrorKind::Syntax("literal header without its octets".into()))?;
        if data.len() as u64 != size {
            return Err(ErrorKind::Syntax(
                "literal size does not match its octets".into(),
            ));
        }
        Ok((data, binary))
    }

    /// `string = quoted / literal`
    pub(crate) fn string(&mut self) -> PResult<IString> {
        match self.peek() {
            Some(b'"') => self.quoted(),
            Some(b'{') => Ok(self.literal_any(false)?.0),
            _ => self.err("a string"),
        }
    }

    /// `nstring = string / nil`
    pub(crate) fn nstring(&mut self) -> PResult<Option<IString>> {
        if self.eat_word("NIL") {
            Ok(None)
        } else {
            self.string().map(Some)
        }
    }

    /// `astring = 1*ASTRING-CHAR / string`
    pub(crate) fn astring(&mut self) -> PResult<IString> {
        match self.peek() {
            Some(b'"' | b'{') => self.string(),
            _ => {
                let start = self.pos;
                while self.peek().is_some_and(is_astring_char) {
                    self.pos += 1;
                }
                if self.peek().is_some_and(|b| b >= 0x80) {
                    return Err(ErrorKind::EightBit);
                }
                if self.pos == start {
                    return self.err("an astring");
                }
                Ok(Bytes::copy_from_slice(&self.s[start..self.pos]))
            }
        }
    }

    /// An astring that must be UTF-8 text.
    pub(crate) fn astring_text(&mut self) -> PResult<String> {
        let b = self.astring()?;
        String::from_utf8(b.to_vec()).map_err(|_| ErrorKind::InvalidUtf8)
    }

    /// `mailbox = "INBOX" / astring`
    pub(crate) fn mailbox(&mut self) -> PResult<Mailbox> {
        Ok(Mailbox::new(self.astring_text()?))
    }

    /// `list-mailbox = 1*list-char / string`
    pub(crate) fn list_mailbox(&mut self) -> PResult<String> {
        let b = match self.peek() {
            Some(b'"' | b'{') => self.string()?,
            _ => {
                let start = self.pos;
                while self.peek().is_some_and(is_list_char) {
                    self.pos += 1;
                }
                if self.peek().is_some_and(|b| b >= 0x80) {
                    return Err(ErrorKind::EightBit);
                }
                if self.pos == start {
                    return self.err("a mailbox pattern");
                }
                Bytes::copy_from_slice(&self.s[start..self.pos])
            }
        };
        String::from_utf8(b.to_vec()).map_err(|_| ErrorKind::InvalidUtf8)
    }

    /// `charset = atom / quoted`, upper-cased.
    pub(crate) fn charset(&mut self) -> PResult<String> {
        let s = if self.peek() == Some(b'"') {
            // Charset names are US-ASCII (RFC 2978), whatever the quoted string could carry.
            let q = self.quoted()?;
            if !q.is_ascii() {
                return Err(ErrorKind::Syntax("charset name is not US-ASCII".into()));
            }
            String::from_utf8_lossy(&q).into_owned()
        } else {
            self.atom()?
        };
        Ok(s.to_ascii_uppercase())
    }

    // ---------- numbers ----------

    fn digits(&mut self) -> PResult<&'a [u8]> {
        let start = self.pos;
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.pos += 1;
        }
        if self.pos == start {
            return self.err("a number");
        }
        Ok(&self.s[start..self.pos])
    }

    fn digits_to(&mut self, max: u64) -> PResult<u64> {
        let d = self.digits()?;
        std::str::from_utf8(d)
            .ok()
            .and_then(|d| d.parse::<u64>().ok())
            .filter(|&n| n <= max)
            .ok_or_else(|| ErrorKind::Syntax(format!("number out of range (max {max})")))
    }

    /// `number` (32-bit)
    pub(crate) fn number(&mut self) -> PResult<u32> {
        Ok(self.digits_to(u32::MAX as u64)? as u32)
    }

    /// `nz-number`
    pub(crate) fn nz_number(&mut self) -> PResult<u32> {
        match self.number()? {
            0 => Err(ErrorKind::Syntax(
                "zero where a non-zero number is required".into(),
            )),
            n => Ok(n),
        }
    }

    /// `number64` (63-bit)
    pub(crate) fn number64(&mut self) -> PResult<u64> {
        self.digits_to(i64::MAX as u64)
    }

    /// `nz-number64` / `mod-sequence-value` (1 ..= 2^63-1)
    pub(crate) fn nz_number64(&mut self) -> PResult<u64> {
        match self.number64()? {
            0 => Err(ErrorKind::Syntax(
                "zero where a non-zero number is required".into(),
            )),
            n => Ok(n),
        }
    }

    // ---------- sets, flags, dates ----------

    fn seq_num(&mut self) -> PResult<SeqNum> {
        if self.eat(b'*') {
            Ok(SeqNum::Star)
        } else {
            Ok(SeqNum::Value(self.nz_number()?))
        }
    }

    /// `sequence-set` (with `$`, RFC 5182).
    pub(crate) fn seq_set(&mut self) -> PResult<SequenceSet> {
        if self.eat(b'$') {
            return Ok(SequenceSet::Saved);
        }
        let mut ranges = Vec::new();
        loop {
            let start = self.seq_num()?;
            let end = if self.eat(b':') {
                self.seq_num()?
            } else {
                start
            };
            ranges.push(SeqRange { start, end });
            if !self.eat(b',') {
                break;
            }
        }
        Ok(SequenceSet::Ranges(ranges))
    }

    /// A sequence set of known numbers: no `*` and no `$` (RFC 7162 `known-uids`,
    /// `known-sequence-set`).
    pub(crate) fn known_set(&mut self) -> PResult<SequenceSet> {
        let set = self.seq_set()?;
        match &set {
            SequenceSet::Ranges(r)
                if r.iter()
                    .all(|r| r.start != SeqNum::Star && r.end != SeqNum::Star) =>
            {
                Ok(set)
            }
            _ => Err(ErrorKind::Syntax(
                "'*' and '$' are not allowed in a known set".into(),
            )),
        }
    }

    /// True if a sequence set starts here.
    pub(crate) fn at_seq_set(&self) -> bool {
        matches!(self.peek(), Some(b'0'..=b'9' | b'*' | b'$'))
    }

    /// `flag`: `\` atom or a keyword atom (`\*` is not a flag).
    pub(crate) fn flag(&mut self) -> PResult<Flag> {
        let start = self.pos;
        self.eat(b'\\');
        let atom = self.atom()?;
        let text = if self.s[start] == b'\\' {
            format!("\\{atom}")
        } else {
            atom
        };
        Flag::parse(&text).ok_or_else(|| ErrorKind::Syntax("bad flag".into()))
    }

    /// `flag-list = "(" [flag *(SP flag)] ")"`
    pub(crate) fn flag_list(&mut self) -> PResult<Vec<Flag>> {
        self.list(0, |p| p.flag())
    }

    fn month(&mut self) -> PResult<u8> {
        for (i, m) in MONTHS.iter().enumerate() {
            if self.eat_ci(m) {
                return Ok(i as u8 + 1);
            }
        }
        self.err("a month name")
    }

    fn n_digits(&mut self, n: usize) -> PResult<u32> {
        let end = self.pos + n;
        if end > self.s.len() || !self.s[self.pos..end].iter().all(u8::is_ascii_digit) {
            return self.err(&format!("{n} digits"));
        }
        let v = self.s[self.pos..end]
            .iter()
            .fold(0u32, |a, &d| a * 10 + (d - b'0') as u32);
        self.pos = end;
        Ok(v)
    }

    /// `date = date-text / DQUOTE date-text DQUOTE`, `date-text = date-day "-" month "-" year`
    pub(crate) fn date(&mut self) -> PResult<Date> {
        let quoted = self.eat(b'"');
        let day = if self.peek().is_some_and(|b| b.is_ascii_digit())
            && self.s.get(self.pos + 1).is_some_and(u8::is_ascii_digit)
        {
            self.n_digits(2)?
        } else {
            self.n_digits(1)?
        };
        self.byte(b'-', "'-'")?;
        let month = self.month()?;
        self.byte(b'-', "'-'")?;
        let year = self.n_digits(4)?;
        if quoted {
            self.byte(b'"', "'\"'")?;
        }
        Date::new(year as u16, month, day as u8)
            .ok_or_else(|| ErrorKind::Syntax("no such date".into()))
    }

    /// `date-time = DQUOTE date-day-fixed "-" month "-" year SP time SP zone DQUOTE`
    pub(crate) fn date_time(&mut self) -> PResult<DateTime> {
        self.byte(b'"', "'\"'")?;
        let day = if self.eat(b' ') {
            self.n_digits(1)?
        } else {
            self.n_digits(2)?
        };
        self.byte(b'-', "'-'")?;
        let month = self.month()?;
        self.byte(b'-', "'-'")?;
        let year = self.n_digits(4)?;
        self.sp()?;
        let h = self.n_digits(2)?;
        self.byte(b':', "':'")?;
        let m = self.n_digits(2)?;
        self.byte(b':', "':'")?;
        let s = self.n_digits(2)?;
        self.sp()?;
        let sign: i16 = match self.peek() {
            Some(b'+') => 1,
            Some(b'-') => -1,
            _ => return self.err("a zone"),
        };
        self.pos += 1;
        let zh = self.n_digits(2)? as i16;
        let zm = self.n_digits(2)? as i16;
        self.byte(b'"', "'\"'")?;
        if zm > 59 {
            return Err(ErrorKind::Syntax("bad zone".into()));
        }
        Date::new(year as u16, month, day as u8)
            .and_then(|d| DateTime::new(d, h as u8, m as u8, s as u8, sign * (zh * 60 + zm)))
            .ok_or_else(|| ErrorKind::Syntax("no such date-time".into()))
    }

    /// A parenthesised, space-separated list of at least `min` items.
    pub(crate) fn list<T>(
        &mut self,
        min: usize,
        mut item: impl FnMut(&mut Self) -> PResult<T>,
    ) -> PResult<Vec<T>> {
        self.open()?;
        let mut out = Vec::new();
        if !self.eat(b')') {
            loop {
                out.push(item(self)?);
                if self.eat(b')') {
                    break;
                }
                if self.at_end() {
                    return Err(ErrorKind::Unbalanced);
                }
                self.sp()?;
            }
        }
        self.open_parens = self.open_parens.saturating_sub(1);
        if out.len() < min {
            return Err(ErrorKind::Syntax("empty list".into()));
        }
        Ok(out)
    }

    /// The next literal token, if one starts here.
    pub(crate) fn peek_literal(&self) -> bool {
        self.at_literal()
    }
}

#[cfg(test)]
#[path = "parser_test.rs"]
mod tests;

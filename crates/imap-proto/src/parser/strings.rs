//! Strings and literals (RFC 9051 §4.3): `quoted`, `literal` and `literal8` (RFC 3516), and the
//! productions built on them that several families use: `string`, `nstring`, `astring`,
//! `mailbox`, `list-mailbox` and `charset`.
//!
//! A literal's octets are not copied: the token takes the next buffer the receiver framed.

use super::{PResult, Parser};
use crate::error::ErrorKind;
use crate::types::{IString, Mailbox, is_astring_char, is_list_char};
use bytes::Bytes;

impl Parser<'_> {
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

    /// True if a literal (`{`) or a literal8 (`~{`) starts here.
    pub(crate) fn peek_literal(&self) -> bool {
        self.at_literal()
    }
}

//! The command grammar (RFC 9051 §9 and the extensions' ABNF), over a command the
//! [`crate::Receiver`] has already framed.
//!
//! Input is the command's text with each literal's header (`{n}`, `{n+}`, `~{n}`) and its CRLF
//! left in place, plus the literal octets in order. A literal token takes the next octets from
//! that list, so literals are never copied.
//!
//! This module holds what every command family shares; each family's own productions live with
//! its types in [`crate::commands`]:
//!
//! ```text
//!  parse ──▶ tag SP name ──▶ dispatch ──▶ commands::<family>::parse_<command> ──▶ CommandBody
//!                                              │ uses
//!  mod.rs      the cursor, SP, keywords, atoms, flags, parenthesised lists
//!  strings.rs  quoted, literal, literal8, string, nstring, astring, mailbox, list-mailbox, charset
//!  numbers.rs  number, nz-number, number64, sequence-set, known sets
//!  dates.rs    date, date-time
//! ```

mod dates;
mod numbers;
mod strings;

use crate::command::{Command, CommandBody};
use crate::commands::{
    any, append, auth, compress, copy, expunge, fetch, list, mailbox, quota, search, select, sort,
    store, thread,
};
use crate::error::ErrorKind;
use crate::types::{Flag, Tag, is_atom_char, is_tag_char};
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
    // The one SP that stays exact: between the tag and the command name.
    p.byte(b' ', "SP")?;
    let name = p.keyword()?;
    let body = dispatch(&mut p, &name)?;
    p.end()?;
    Ok(Command { tag, body })
}

/// Picks the family parser by command name. Commands without arguments are complete here; every
/// family parser starts at the SP before its first argument.
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
        "ID" => any::parse_id(p)?,
        "ENABLE" => any::parse_enable(p)?,
        "LOGIN" => auth::parse_login(p)?,
        "AUTHENTICATE" => auth::parse_authenticate(p)?,
        "COMPRESS" => compress::parse_compress(p)?,
        "SELECT" => select::parse_select(p)?,
        "EXAMINE" => select::parse_examine(p)?,
        "CREATE" => mailbox::parse_create(p)?,
        "DELETE" => mailbox::parse_delete(p)?,
        "RENAME" => mailbox::parse_rename(p)?,
        "SUBSCRIBE" => mailbox::parse_subscribe(p)?,
        "UNSUBSCRIBE" => mailbox::parse_unsubscribe(p)?,
        "STATUS" => mailbox::parse_status(p)?,
        "LIST" => list::parse_list(p)?,
        "LSUB" => list::parse_lsub(p)?,
        "APPEND" => append::parse_append(p)?,
        "GETQUOTA" => quota::parse_getquota(p)?,
        "GETQUOTAROOT" => quota::parse_getquotaroot(p)?,
        "SETQUOTA" => quota::parse_setquota(p)?,
        "UID" => {
            p.sp()?;
            let sub = p.keyword()?;
            match sub.as_str() {
                "EXPUNGE" => expunge::parse_uid_expunge(p)?,
                "SEARCH" => search::parse_search(p, true)?,
                "SORT" => sort::parse_sort(p, true)?,
                "THREAD" => thread::parse_thread(p, true)?,
                "FETCH" => fetch::parse_fetch(p, true)?,
                "STORE" => store::parse_store(p, true)?,
                "COPY" => copy::parse_copy(p, true)?,
                "MOVE" => copy::parse_move(p, true)?,
                _ => return Err(ErrorKind::UnknownCommand(format!("UID {sub}"))),
            }
        }
        "SEARCH" => search::parse_search(p, false)?,
        "SORT" => sort::parse_sort(p, false)?,
        "THREAD" => thread::parse_thread(p, false)?,
        "FETCH" => fetch::parse_fetch(p, false)?,
        "STORE" => store::parse_store(p, false)?,
        "COPY" => copy::parse_copy(p, false)?,
        "MOVE" => copy::parse_move(p, false)?,
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

    /// The SP between two arguments: one, or several. Clients in the wild send doubled
    /// blanks (`STORE 1  FLAGS (\\Deleted)`) and Dovecot accepts them; nothing in the grammar
    /// can begin with a blank, so accepting more never changes what an argument means.
    pub(crate) fn sp(&mut self) -> PResult<()> {
        self.byte(b' ', "SP")?;
        while self.eat(b' ') {}
        Ok(())
    }

    /// Like [`sp`](Self::sp) where the SP is optional (a further argument may follow): true
    /// (and consumed) if one or more blanks come next.
    pub(crate) fn eat_sp(&mut self) -> bool {
        if !self.eat(b' ') {
            return false;
        }
        while self.eat(b' ') {}
        true
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

    /// The input after the cursor, for the rare production that must look further than one
    /// octet before it commits (PREVIEW's `(LAZY)` against the FETCH modifiers).
    pub(crate) fn rest(&self) -> &'a [u8] {
        self.s.get(self.pos..).unwrap_or_default()
    }

    // ---------- flags and lists ----------

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
}

#[cfg(test)]
#[path = "parser_test.rs"]
mod tests;

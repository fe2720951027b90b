//! The incremental command receiver: framing, literals and limits.
//!
//! The session reads from its socket into a [`BytesMut`] and calls [`Receiver::step`] until it
//! answers [`Step::NeedMore`]. Each call consumes what it could use from the front of the buffer:
//!
//! ```text
//!          ┌──────── line without a literal at its end ───────▶ parse ─▶ Step::Command
//!  Line ───┤
//!          └─ line ends in {n} / {n+} / ~{n} ─▶ Literal(n) ─ n octets ─▶ Line (same command)
//!                 └─ synchronizing, or APPEND's: Step::Continue (the session sends "+",
//!                    goes on, or rejects)
//!  after an error:  DiscardLiteral(n) ─▶ DiscardLine ─▶ Line   (back in step, nothing stored)
//! ```
//!
//! Literal octets are not copied: when a literal is announced the receiver reserves room for it
//! in the caller's buffer, so the socket reads land in one contiguous allocation, and the literal
//! is split off as [`Bytes`] when complete. Everything kept per command is bounded by
//! [`Limits`]: an over-long line, an oversized literal or too deep nesting gives a specific
//! [`ErrorKind`], and the rest of that command is skipped without being stored.

use crate::command::Command;
use crate::error::{ErrorKind, ReceiveError};
use crate::parser;
use crate::types::Tag;
use bytes::{Buf, Bytes, BytesMut};

/// Limits on what one command may hold. Every one has a default fit for a public server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Longest line (the text between two literals, or a whole literal-free command), CRLF
    /// excluded. RFC 2683 §3.2.1.5 recommends accepting at least 8000 octets.
    pub max_line: usize,
    /// Largest literal in an APPEND: the message size limit advertised as APPENDLIMIT.
    pub max_append_literal: u64,
    /// Largest literal in any other command (a password, a search string, a mailbox name).
    pub max_other_literal: u64,
    /// Largest non-synchronizing literal: `None` with LITERAL+, `Some(4096)` with LITERAL-.
    pub max_non_sync_literal: Option<u64>,
    /// Largest command, lines and literals together (MULTIAPPEND).
    pub max_command: u64,
    /// Most literals in one command.
    pub max_literals: usize,
    /// Deepest nesting of parentheses and search keys (`NOT`, `OR`, `FUZZY`, `(…)`).
    pub max_depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_line: 64 * 1024,
            max_append_literal: 64 * 1024 * 1024,
            max_other_literal: 64 * 1024,
            max_non_sync_literal: None,
            max_command: 256 * 1024 * 1024,
            max_literals: 1000,
            max_depth: 64,
        }
    }
}

/// What [`Receiver::step`] has to say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Nothing complete yet: read more from the socket (into the same buffer) and call again.
    NeedMore,
    /// A literal was announced and is within the limits: every synchronizing one, and the
    /// non-synchronizing ones of APPEND (whose size the session may want to weigh against a
    /// quota before a byte of it is stored). For a synchronizing literal the session sends a
    /// continuation request (`+ …`) and the client then sends the octets; for a
    /// non-synchronizing one the octets follow anyway. Either way the session may call
    /// [`Receiver::reject_literal`] instead and answer the tag with `NO`/`BAD`: the literal is
    /// then never stored.
    Continue {
        /// The command's tag.
        tag: Tag,
        /// The command's name (first word after the tag, upper-cased).
        command: String,
        /// Announced size.
        size: u64,
        /// Synchronizing (`{n}`): the client waits for `+`.
        sync: bool,
        /// Octets and number of the command's literals received before this one (the earlier
        /// messages of a MULTIAPPEND).
        earlier: (u64, usize),
    },
    /// One complete command.
    Command(Command),
}

/// An announced literal, as found at the end of a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct LiteralHeader {
    size: u64,
    non_sync: bool,
    binary: bool,
}

#[derive(Debug)]
enum State {
    /// Reading a line; `scanned` octets at the front of the buffer are known to hold no LF.
    Line { scanned: usize },
    /// Waiting for the rest of a literal of `size` octets.
    Literal {
        size: u64,
        binary: bool,
        non_sync: bool,
    },
    /// Skipping `remaining` octets of a refused non-synchronizing literal.
    DiscardLiteral { remaining: u64 },
    /// Skipping to the end of the line; `tail` keeps its last octets to spot a literal header.
    DiscardLine { tail: Vec<u8> },
}

/// Octets of a discarded line kept to recognise a literal announcement at its end.
const TAIL: usize = 32;

/// The incremental receiver. One per connection.
#[derive(Debug)]
pub struct Receiver {
    limits: Limits,
    state: State,
    /// Text of the command so far: its lines, each literal's header kept in place.
    text: Vec<u8>,
    /// Literal octets of the command so far, in order.
    literals: Vec<Bytes>,
    /// Octets of the command so far, lines and literals.
    total: u64,
    /// The tag and command name, once the first line is in.
    head: Option<(Tag, String)>,
    /// An error found mid-command (a NUL inside a literal) reported when the command ends, so
    /// that the rest of the command is consumed first.
    deferred: Option<ErrorKind>,
}

impl Receiver {
    /// A receiver with the given limits.
    pub fn new(limits: Limits) -> Receiver {
        Receiver {
            limits,
            state: State::Line { scanned: 0 },
            text: Vec::new(),
            literals: Vec::new(),
            total: 0,
            head: None,
            deferred: None,
        }
    }

    /// The limits in force.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Changes the limits (e.g. once a user's APPENDLIMIT is known); applies to the next line.
    pub fn set_limits(&mut self, limits: Limits) {
        self.limits = limits;
    }

    /// The tag of the command being received, if its first line is in.
    pub fn partial_tag(&self) -> Option<Tag> {
        self.head.as_ref().map(|(t, _)| t.clone())
    }

    /// True between commands: nothing of a command has been received.
    pub fn is_idle(&self) -> bool {
        matches!(self.state, State::Line { scanned: 0 }) && self.text.is_empty()
    }

    /// Refuses the literal just announced by [`Step::Continue`]: the command is dropped. The
    /// client will not send a synchronizing literal (RFC 9051 §4.3), so the receiver waits for
    /// the next command; it sends a non-synchronizing one anyway, so its octets and the rest of
    /// the command are skipped unread.
    pub fn reject_literal(&mut self) {
        let skip = match self.state {
            State::Literal {
                size,
                non_sync: true,
                ..
            } => State::DiscardLiteral { remaining: size },
            _ => State::Line { scanned: 0 },
        };
        self.reset();
        self.state = skip;
    }

    fn reset(&mut self) {
        self.state = State::Line { scanned: 0 };
        self.text.clear();
        self.literals.clear();
        self.total = 0;
        self.head = None;
        self.deferred = None;
    }

    /// Fails the current command: the receiver forgets it and, per `then`, skips what the client
    /// will still send of it.
    fn fail(&mut self, kind: ErrorKind, then: State) -> ReceiveError {
        let tag = self.partial_tag();
        self.reset();
        self.state = then;
        ReceiveError::new(tag, kind)
    }

    /// Consumes what it can from the front of `buf` and reports progress. See the module docs.
    pub fn step(&mut self, buf: &mut BytesMut) -> Result<Step, ReceiveError> {
        loop {
            match &mut self.state {
                State::Line { scanned } => {
                    let from = *scanned;
                    let Some(lf) = memchr::memchr(b'\n', &buf[from..]).map(|i| from + i) else {
                        let line_so_far = buf.len();
                        if line_so_far > self.limits.max_line + 1 {
                            self.learn_head(&buf[..]);
                            let tail = tail_of(&[], buf);
                            buf.clear();
                            let kind = ErrorKind::LineTooLong {
                                max: self.limits.max_line,
                            };
                            return Err(self.fail(kind, State::DiscardLine { tail }));
                        }
                        *scanned = buf.len();
                        return Ok(Step::NeedMore);
                    };
                    let line = buf.split_to(lf + 1);
                    if let Some(step) = self.on_line(&line)? {
                        return Ok(step);
                    }
                }
                State::Literal { size, binary, .. } => {
                    let (size, binary) = (*size, *binary);
                    let want = size as usize;
                    if buf.len() < want {
                        buf.reserve(want - buf.len());
                        return Ok(Step::NeedMore);
                    }
                    let data = buf.split_to(want).freeze();
                    if !binary && self.deferred.is_none() && memchr::memchr(0, &data).is_some() {
                        self.deferred = Some(ErrorKind::Nul);
                    }
                    self.literals.push(data);
                    self.state = State::Line { scanned: 0 };
                }
                State::DiscardLiteral { remaining } => {
                    let n = (*remaining).min(buf.len() as u64);
                    buf.advance(n as usize);
                    *remaining -= n;
                    if *remaining > 0 {
                        return Ok(Step::NeedMore);
                    }
                    self.state = State::DiscardLine { tail: Vec::new() };
                }
                State::DiscardLine { tail } => match memchr::memchr(b'\n', buf) {
                    None => {
                        *tail = tail_of(tail, buf);
                        buf.clear();
                        return Ok(Step::NeedMore);
                    }
                    Some(lf) => {
                        let end = tail_of(tail, &buf[..=lf]);
                        buf.advance(lf + 1);
                        self.state = match literal_header(trim_eol(&end)) {
                            Some(h) if h.non_sync => State::DiscardLiteral { remaining: h.size },
                            _ => State::Line { scanned: 0 },
                        };
                    }
                },
            }
        }
    }

    /// Reads one raw line outside command framing: an AUTHENTICATE response or IDLE's `DONE`.
    /// Returns the line without its CRLF, or `None` if it is not complete yet.
    pub fn line(&mut self, buf: &mut BytesMut) -> Result<Option<Bytes>, ReceiveError> {
        let Some(lf) = memchr::memchr(b'\n', buf) else {
            if buf.len() > self.limits.max_line + 1 {
                let tail = tail_of(&[], buf);
                buf.clear();
                let kind = ErrorKind::LineTooLong {
                    max: self.limits.max_line,
                };
                return Err(self.fail(kind, State::DiscardLine { tail }));
            }
            return Ok(None);
        };
        let mut line = buf.split_to(lf + 1);
        let keep = trim_eol(&line).len();
        line.truncate(keep);
        if line.len() > self.limits.max_line {
            return Err(ReceiveError::new(
                None,
                ErrorKind::LineTooLong {
                    max: self.limits.max_line,
                },
            ));
        }
        Ok(Some(line.freeze()))
    }

    /// Takes the tag and command name from the first line of a command, if they are there.
    fn learn_head(&mut self, first_line: &[u8]) {
        if self.head.is_some() || !self.text.is_empty() {
            return;
        }
        let end = first_line
            .iter()
            .position(|&b| b == b' ' || b == b'\r' || b == b'\n');
        let tag_bytes = &first_line[..end.unwrap_or(first_line.len())];
        let Some(tag) = std::str::from_utf8(tag_bytes).ok().and_then(Tag::new) else {
            return;
        };
        let rest = match end {
            Some(e) if first_line[e] == b' ' => &first_line[e + 1..],
            _ => &[][..],
        };
        let name_len = rest
            .iter()
            .position(|b| !b.is_ascii_alphanumeric())
            .unwrap_or(rest.len());
        let mut name = String::from_utf8_lossy(&rest[..name_len]).to_ascii_uppercase();
        if name == "UID" && rest.get(name_len) == Some(&b' ') {
            let r2 = &rest[name_len + 1..];
            let l2 = r2
                .iter()
                .position(|b| !b.is_ascii_alphanumeric())
                .unwrap_or(r2.len());
            name = format!(
                "UID {}",
                String::from_utf8_lossy(&r2[..l2]).to_ascii_uppercase()
            );
        }
        self.head = Some((tag, name));
    }

    /// Handles one complete line (with its LF). Returns a step to report, or `None` to go on
    /// reading (a non-synchronizing literal follows).
    fn on_line(&mut self, raw: &[u8]) -> Result<Option<Step>, ReceiveError> {
        let line = trim_eol(raw);
        let first = self.text.is_empty();
        if first {
            self.learn_head(line);
        }
        let header = literal_header(line);
        // What the client will still send of this command if we fail it now.
        let skip = match header {
            Some(h) if h.non_sync => State::DiscardLiteral { remaining: h.size },
            _ => State::Line { scanned: 0 },
        };
        if line.len() > self.limits.max_line {
            return Err(self.fail(
                ErrorKind::LineTooLong {
                    max: self.limits.max_line,
                },
                skip,
            ));
        }
        if first {
            if line.is_empty() {
                return Err(self.fail(ErrorKind::EmptyLine, State::Line { scanned: 0 }));
            }
            if self.head.is_none() {
                let kind = if line.iter().take_while(|&&b| b != b' ').any(|&b| b >= 0x80) {
                    ErrorKind::EightBit
                } else {
                    ErrorKind::BadTag
                };
                let kind = if line.contains(&0) {
                    ErrorKind::Nul
                } else {
                    kind
                };
                return Err(self.fail(kind, skip));
            }
        }
        if memchr::memchr(0, line).is_some() {
            return Err(self.fail(ErrorKind::Nul, skip));
        }
        self.total += raw.len() as u64;
        if self.total > self.limits.max_command {
            return Err(self.fail(
                ErrorKind::CommandTooLarge {
                    max: self.limits.max_command,
                },
                skip,
            ));
        }
        self.text.extend_from_slice(line);
        let Some(h) = header else {
            return self.finish().map(Some);
        };
        // A literal follows.
        let is_append = self.head.as_ref().is_some_and(|(_, name)| name == "APPEND");
        let max = if is_append {
            self.limits.max_append_literal
        } else {
            self.limits.max_other_literal
        };
        if h.size > max {
            return Err(self.fail(ErrorKind::LiteralTooLarge { size: h.size, max }, skip));
        }
        if let (true, Some(max)) = (h.non_sync, self.limits.max_non_sync_literal)
            && h.size > max
        {
            return Err(self.fail(
                ErrorKind::NonSyncLiteralTooLarge { size: h.size, max },
                skip,
            ));
        }
        if self.literals.len() >= self.limits.max_literals {
            let kind = ErrorKind::TooManyLiterals {
                max: self.limits.max_literals,
            };
            return Err(self.fail(kind, skip));
        }
        self.total += h.size;
        if self.total > self.limits.max_command {
            return Err(self.fail(
                ErrorKind::CommandTooLarge {
                    max: self.limits.max_command,
                },
                skip,
            ));
        }
        self.text.extend_from_slice(b"\r\n");
        self.state = State::Literal {
            size: h.size,
            binary: h.binary,
            non_sync: h.non_sync,
        };
        if h.non_sync && !is_append {
            return Ok(None);
        }
        let (tag, command) = self
            .head
            .clone()
            .expect("head is known on a command's first line");
        let earlier = self.literals.iter().map(|l| l.len() as u64).sum();
        Ok(Some(Step::Continue {
            tag,
            command,
            size: h.size,
            sync: !h.non_sync,
            earlier: (earlier, self.literals.len()),
        }))
    }

    /// The command's last line is in: parse it.
    fn finish(&mut self) -> Result<Step, ReceiveError> {
        let text = std::mem::take(&mut self.text);
        let literals = std::mem::take(&mut self.literals);
        let deferred = self.deferred.take();
        let tag = self.partial_tag();
        self.reset();
        if let Some(kind) = deferred {
            return Err(ReceiveError::new(tag, kind));
        }
        parser::parse(&text, literals, self.limits.max_depth)
            .map(Step::Command)
            .map_err(|kind| ReceiveError::new(tag, kind))
    }
}

/// The line without its CRLF (or bare LF, which is accepted as a line end).
fn trim_eol(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// The last [`TAIL`] octets of `prev` followed by `next`.
fn tail_of(prev: &[u8], next: &[u8]) -> Vec<u8> {
    let mut v = Vec::with_capacity(TAIL * 2);
    v.extend_from_slice(&prev[prev.len().saturating_sub(TAIL)..]);
    v.extend_from_slice(&next[next.len().saturating_sub(TAIL)..]);
    v.drain(..v.len().saturating_sub(TAIL));
    v
}

/// Recognises `{n}`, `{n+}`, `~{n}` or `~{n+}` at the end of a line (CRLF already removed).
/// A size beyond 63 bits (RFC 9051 `number64`) is reported as `u64::MAX`, which every limit
/// refuses.
fn literal_header(line: &[u8]) -> Option<LiteralHeader> {
    let body = line.strip_suffix(b"}")?;
    let (body, non_sync) = match body.strip_suffix(b"+") {
        Some(b) => (b, true),
        None => (body, false),
    };
    let open = body.iter().rposition(|&b| b == b'{')?;
    let digits = &body[open + 1..];
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let size = std::str::from_utf8(digits)
        .ok()
        .and_then(|d| d.parse::<u64>().ok())
        .filter(|&n| n <= i64::MAX as u64)
        .unwrap_or(u64::MAX);
    let binary = open > 0 && body[open - 1] == b'~';
    Some(LiteralHeader {
        size,
        non_sync,
        binary,
    })
}

#[cfg(test)]
#[path = "receiver_test.rs"]
mod tests;

//! A minimal blocking IMAP client for the end-to-end tests that read an account back over the
//! wire (mbsync.rs, interimap.rs): tagged commands that must end in OK, untagged responses
//! parsed into [`Val`]s, literals included.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

/// A parsed piece of a response: atoms, strings (quoted or literal; NIL is empty) and
/// parenthesized lists.
#[derive(Clone, PartialEq, Eq)]
pub enum Val {
    Atom(String),
    Str(Vec<u8>),
    List(Vec<Val>),
}

impl std::fmt::Debug for Val {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Val::Atom(a) => write!(f, "{a}"),
            Val::Str(s) if s.len() > 60 => write!(f, "{{{} bytes}}", s.len()),
            Val::Str(s) => write!(f, "{:?}", String::from_utf8_lossy(s)),
            Val::List(l) => f.debug_list().entries(l).finish(),
        }
    }
}

/// Lexical tokens of a response.
enum Tok {
    Atom(String),
    Str(Vec<u8>),
    Open,
    Close,
}

/// A mailbox name (or any string) as an IMAP quoted string.
pub fn quote(name: &str) -> String {
    format!("\"{}\"", name.replace('\\', "\\\\").replace('"', "\\\""))
}

/// Tagged commands over cleartext IMAP on loopback; untagged responses come back parsed.
pub struct Imap {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
    tag: u32,
    /// The last tagged response line, for response codes such as APPENDUID.
    tag_line: String,
}

impl Imap {
    /// Connects to the cleartext port and logs in (cleartext LOGIN is allowed on loopback).
    pub fn login(port: u16, user: &str, password: &str) -> Imap {
        let stream = TcpStream::connect(("127.0.0.1", port)).expect("connect to strata");
        stream
            .set_read_timeout(Some(Duration::from_secs(60)))
            .unwrap();
        let mut imap = Imap {
            reader: BufReader::new(stream.try_clone().unwrap()),
            writer: stream,
            tag: 0,
            tag_line: String::new(),
        };
        let (greeting, line) = imap.read_response();
        assert!(
            matches!(greeting.get(1), Some(Tok::Atom(ok)) if ok == "OK"),
            "{line}"
        );
        imap.ok(&format!("LOGIN {} {}", quote(user), quote(password)));
        imap
    }

    fn next_tag(&mut self) -> String {
        self.tag += 1;
        format!("t{}", self.tag)
    }

    /// Sends `command`, which must complete with OK; returns its untagged responses, parsed,
    /// without the leading `*`.
    pub fn ok(&mut self, command: &str) -> Vec<Vec<Val>> {
        let tag = self.next_tag();
        self.writer
            .write_all(format!("{tag} {command}\r\n").as_bytes())
            .unwrap();
        self.finish(&tag, command)
    }

    /// APPENDs `msg` (CRLF) to `mailbox` with `flags` (a parenthesized list) and, if given, an
    /// INTERNALDATE, with a synchronizing literal; returns its UID (APPENDUID).
    pub fn append(&mut self, mailbox: &str, flags: &str, date: Option<&str>, msg: &[u8]) -> u32 {
        let tag = self.next_tag();
        let date = date.map_or(String::new(), |d| format!(" \"{d}\""));
        let command = format!("APPEND {} {flags}{date} {{{}}}", quote(mailbox), msg.len());
        write!(self.writer, "{tag} {command}\r\n").unwrap();
        let (_, line) = self.read_response();
        assert!(line.starts_with('+'), "{command}: {line}");
        self.writer.write_all(msg).unwrap();
        self.writer.write_all(b"\r\n").unwrap();
        self.finish(&tag, &command);
        self.tag_line
            .split("[APPENDUID ")
            .nth(1)
            .and_then(|s| s.split([' ', ']']).nth(1)?.parse().ok())
            .unwrap_or_else(|| panic!("{command}: no APPENDUID in {}", self.tag_line))
    }

    /// Reads responses up to the one tagged `tag`, which must be OK.
    fn finish(&mut self, tag: &str, command: &str) -> Vec<Vec<Val>> {
        let mut untagged = Vec::new();
        loop {
            let (toks, line) = self.read_response();
            match toks.first() {
                Some(Tok::Atom(t)) if t == tag => {
                    let ok = matches!(toks.get(1), Some(Tok::Atom(s)) if s == "OK");
                    assert!(ok, "{command}: {line}");
                    self.tag_line = line;
                    return untagged;
                }
                Some(Tok::Atom(t)) if t == "*" => {
                    untagged.push(parse(&mut toks.into_iter().skip(1)))
                }
                _ => panic!("{command}: unexpected {line}"),
            }
        }
    }

    /// Reads one response (one line plus the literals it announces): its tokens, and its text
    /// with literals shown as `{n}`.
    fn read_response(&mut self) -> (Vec<Tok>, String) {
        let mut toks = Vec::new();
        let mut text = String::new();
        loop {
            let mut line = Vec::new();
            self.reader.read_until(b'\n', &mut line).unwrap();
            assert!(
                line.ends_with(b"\r\n"),
                "connection closed or bare LF: {line:?}"
            );
            line.truncate(line.len() - 2);
            let literal = line
                .strip_suffix(b"}")
                .and_then(|l| Some((l, l.iter().rposition(|&b| b == b'{')?)))
                .and_then(|(l, open)| {
                    let n = std::str::from_utf8(&l[open + 1..]).ok()?.parse().ok()?;
                    Some((open, n))
                });
            let head = &line[..literal.map_or(line.len(), |(open, _)| open)];
            tokenize(head, &mut toks);
            text += &String::from_utf8_lossy(&line);
            let Some((_, n)) = literal else {
                return (toks, text);
            };
            let mut bytes = vec![0; n];
            self.reader.read_exact(&mut bytes).unwrap();
            toks.push(Tok::Str(bytes));
        }
    }
}

/// Splits response text into tokens (atoms include brackets, as in `BODY[]`).
fn tokenize(text: &[u8], toks: &mut Vec<Tok>) {
    let mut i = 0;
    while i < text.len() {
        match text[i] {
            b' ' => i += 1,
            b'(' => {
                toks.push(Tok::Open);
                i += 1;
            }
            b')' => {
                toks.push(Tok::Close);
                i += 1;
            }
            b'"' => {
                let mut s = Vec::new();
                i += 1;
                while text[i] != b'"' {
                    if text[i] == b'\\' {
                        i += 1;
                    }
                    s.push(text[i]);
                    i += 1;
                }
                toks.push(Tok::Str(s));
                i += 1;
            }
            _ => {
                let end = text[i..]
                    .iter()
                    .position(|&b| matches!(b, b' ' | b'(' | b')'))
                    .map_or(text.len(), |p| i + p);
                let atom = String::from_utf8_lossy(&text[i..end]).into_owned();
                toks.push(Tok::Atom(atom));
                i = end;
            }
        }
    }
}

/// Parses tokens into values up to the end or to the `)` closing the current list.
fn parse(toks: &mut impl Iterator<Item = Tok>) -> Vec<Val> {
    let mut vals = Vec::new();
    while let Some(tok) = toks.next() {
        vals.push(match tok {
            Tok::Atom(a) if a == "NIL" => Val::Str(Vec::new()),
            Tok::Atom(a) => Val::Atom(a),
            Tok::Str(s) => Val::Str(s),
            Tok::Open => Val::List(parse(toks)),
            Tok::Close => break,
        });
    }
    vals
}

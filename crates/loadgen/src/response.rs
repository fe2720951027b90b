//! The values inside an untagged response, as a checker needs them: a FETCH item list split
//! into its items (`UID`, `FLAGS`, `BODY[…]` with its literal, `ENVELOPE` …), and the flag
//! lists of `FLAGS` and `PERMANENTFLAGS`.
//!
//! A response as [`Conn`](crate::conn::Conn) returns it has its literals inline (`{n}` CRLF and
//! the n octets), so a body that happens to contain `UID 7` or `FLAGS (` is read as the
//! literal it is, not as an item.

use crate::conn::ConnError;

/// One value of a response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value<'a> {
    /// An atom or number (`UID`, `42`, `\Seen`, `BODY[HEADER.FIELDS (FROM)]<0>`).
    Atom(&'a [u8]),
    /// A quoted string (unescaped) or a literal.
    Str(std::borrow::Cow<'a, [u8]>),
    /// `NIL`
    Nil,
    /// A parenthesized list.
    List(Vec<Value<'a>>),
}

impl Value<'_> {
    /// The number this atom spells.
    pub fn number(&self) -> Option<u64> {
        match self {
            Value::Atom(a) => std::str::from_utf8(a).ok()?.parse().ok(),
            _ => None,
        }
    }

    /// The atoms of a list (a flag list).
    pub fn atoms(&self) -> Option<Vec<String>> {
        match self {
            Value::List(items) => items
                .iter()
                .map(|v| match v {
                    Value::Atom(a) => Some(String::from_utf8_lossy(a).into_owned()),
                    _ => None,
                })
                .collect(),
            _ => None,
        }
    }

    /// The octets of a string or literal.
    pub fn bytes(&self) -> Option<&[u8]> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }
}

/// The items of a FETCH response, `seq FETCH (name value …)` without `* `: the sequence number
/// and each item's name (upper-cased, section and partial kept) with its value.
pub fn fetch_items(line: &[u8]) -> Result<(u32, Vec<(String, Value<'_>)>), ConnError> {
    let bad = |what: &str| {
        ConnError::Protocol(format!(
            "FETCH {what}: {:.200}",
            String::from_utf8_lossy(line)
        ))
    };
    let sp = line
        .iter()
        .position(|&b| b == b' ')
        .ok_or_else(|| bad("line"))?;
    let seq: u32 = std::str::from_utf8(&line[..sp])
        .ok()
        .and_then(|s| s.parse().ok())
        .filter(|&n| n > 0)
        .ok_or_else(|| bad("sequence number"))?;
    let rest = &line[sp + 1..];
    let rest = rest
        .get(..6)
        .filter(|w| w.eq_ignore_ascii_case(b"FETCH "))
        .map(|_| &rest[6..])
        .ok_or_else(|| bad("keyword"))?;
    let mut p = Parser { s: rest, at: 0 };
    let list = p.value().map_err(|e| bad(&e))?;
    if p.at != rest.len() {
        return Err(bad("trailing octets"));
    }
    let Value::List(values) = list else {
        return Err(bad("item list"));
    };
    if values.len() % 2 != 0 {
        return Err(bad("item without a value"));
    }
    let mut items = Vec::with_capacity(values.len() / 2);
    let mut it = values.into_iter();
    while let (Some(name), Some(value)) = (it.next(), it.next()) {
        let Value::Atom(name) = name else {
            return Err(bad("item name"));
        };
        items.push((String::from_utf8_lossy(name).to_ascii_uppercase(), value));
    }
    Ok((seq, items))
}

/// The flag list of `FLAGS (…)` (the untagged response, without `* `), or of a
/// `[PERMANENTFLAGS (…)]` code in an `OK` response; `None` for other responses.
pub fn flag_list(line: &[u8]) -> Option<Vec<String>> {
    let upper = line.to_ascii_uppercase();
    let start = if upper.starts_with(b"FLAGS (") {
        "FLAGS ".len()
    } else if upper.starts_with(b"OK [PERMANENTFLAGS (") {
        "OK [PERMANENTFLAGS ".len()
    } else {
        return None;
    };
    let mut p = Parser {
        s: &line[start..],
        at: 0,
    };
    p.value().ok()?.atoms()
}

/// A cursor over a response.
struct Parser<'a> {
    s: &'a [u8],
    at: usize,
}

impl<'a> Parser<'a> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.at).copied()
    }

    /// One value, then the single space or closing parenthesis that may follow is left.
    fn value(&mut self) -> Result<Value<'a>, String> {
        match self.peek() {
            Some(b'(') => {
                self.at += 1;
                let mut items = Vec::new();
                loop {
                    match self.peek() {
                        Some(b')') => {
                            self.at += 1;
                            return Ok(Value::List(items));
                        }
                        Some(b' ') if !items.is_empty() => self.at += 1,
                        Some(_) => {}
                        None => return Err("unclosed list".into()),
                    }
                    if self.peek() == Some(b')') {
                        continue;
                    }
                    items.push(self.value()?);
                }
            }
            Some(b'"') => self.quoted(),
            Some(b'{') => self.literal(),
            Some(b'~') if self.s.get(self.at + 1) == Some(&b'{') => {
                self.at += 1;
                self.literal()
            }
            Some(_) => self.atom(),
            None => Err("value expected".into()),
        }
    }

    fn quoted(&mut self) -> Result<Value<'a>, String> {
        self.at += 1;
        let mut out = Vec::new();
        loop {
            match self.peek() {
                Some(b'"') => {
                    self.at += 1;
                    return Ok(Value::Str(out.into()));
                }
                Some(b'\\') => {
                    let c = self
                        .s
                        .get(self.at + 1)
                        .ok_or("quoted string: lone backslash")?;
                    out.push(*c);
                    self.at += 2;
                }
                Some(b'\r' | b'\n') | None => return Err("unterminated quoted string".into()),
                Some(c) => {
                    out.push(c);
                    self.at += 1;
                }
            }
        }
    }

    fn literal(&mut self) -> Result<Value<'a>, String> {
        let close = self.s[self.at..]
            .iter()
            .position(|&b| b == b'}')
            .ok_or("literal: no closing brace")?;
        let len: usize = std::str::from_utf8(&self.s[self.at + 1..self.at + close])
            .ok()
            .and_then(|n| n.trim_end_matches('+').parse().ok())
            .ok_or("literal length")?;
        let start = self.at + close + 1;
        if self.s.get(start..start + 2) != Some(b"\r\n") {
            return Err("literal without CRLF".into());
        }
        let body = self
            .s
            .get(start + 2..start + 2 + len)
            .ok_or("literal shorter than announced")?;
        self.at = start + 2 + len;
        Ok(Value::Str(body.into()))
    }

    /// An atom; a `[` section (which may hold spaces and lists) and a `<n>` partial are part
    /// of it.
    fn atom(&mut self) -> Result<Value<'a>, String> {
        let start = self.at;
        while let Some(c) = self.peek() {
            match c {
                b' ' | b'(' | b')' | b'"' | b'{' | b'\r' | b'\n' => break,
                b'[' => {
                    let close = self.s[self.at..]
                        .iter()
                        .position(|&b| b == b']')
                        .ok_or("section without ']'")?;
                    self.at += close + 1;
                }
                _ => self.at += 1,
            }
        }
        let atom = &self.s[start..self.at];
        if atom.is_empty() {
            return Err("empty atom".into());
        }
        if atom.eq_ignore_ascii_case(b"NIL") {
            return Ok(Value::Nil);
        }
        Ok(Value::Atom(atom))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fetch_items_with_literals_sections_and_lists() {
        let line = b"12 FETCH (UID 7 FLAGS (\\Seen $Label1) BODY[HEADER.FIELDS (FROM SUBJECT)] {19}\r\nSubject: UID 99 (\r\n BODY[]<0> \"a\\\"b\" ENVELOPE (NIL \"s\" ((\"n\" NIL \"u\" \"h\")) NIL))";
        let (seq, items) = fetch_items(line).unwrap();
        assert_eq!(seq, 12);
        let names: Vec<&str> = items.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "UID",
                "FLAGS",
                "BODY[HEADER.FIELDS (FROM SUBJECT)]",
                "BODY[]<0>",
                "ENVELOPE"
            ]
        );
        assert_eq!(items[0].1.number(), Some(7));
        assert_eq!(
            items[1].1.atoms().unwrap(),
            vec!["\\Seen".to_string(), "$Label1".into()]
        );
        assert_eq!(items[2].1.bytes().unwrap(), b"Subject: UID 99 (\r\n");
        assert_eq!(items[3].1.bytes().unwrap(), b"a\"b");
        assert!(matches!(&items[4].1, Value::List(v) if v.len() == 4 && v[0] == Value::Nil));
    }

    #[test]
    fn broken_fetch_responses_are_errors() {
        for bad in [
            &b"0 FETCH (UID 1)"[..],
            b"1 FETCH UID 1",
            b"1 FETCH (UID 1",
            b"1 FETCH (UID)",
            b"1 FETCH (BODY[] {10}\r\nshort)",
            b"1 FETCH (UID 1) x",
            b"x FETCH (UID 1)",
        ] {
            assert!(
                fetch_items(bad).is_err(),
                "{}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[test]
    fn flag_lists() {
        assert_eq!(
            flag_list(b"FLAGS (\\Answered \\Seen $Label2)").unwrap(),
            vec!["\\Answered", "\\Seen", "$Label2"]
        );
        assert_eq!(
            flag_list(b"OK [PERMANENTFLAGS (\\Seen \\*)] Limited").unwrap(),
            vec!["\\Seen", "\\*"]
        );
        assert_eq!(flag_list(b"OK [UIDNEXT 4] x"), None);
    }
}

//! Shared helpers for the corpus tests: corpus paths and a small IMAP value parser used to
//! compare our answers with Dovecot's regardless of quoted-vs-literal string forms.

#![allow(dead_code)]

use std::path::PathBuf;

/// `tests/corpus` at the repository root.
pub fn corpus_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/corpus")
}

/// Names (file stems) of every corpus message, sorted.
pub fn corpus_names() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(corpus_dir())
        .expect("corpus dir")
        .filter_map(|e| {
            let p = e.ok()?.path();
            if p.extension()? != "eml" {
                return None;
            }
            Some(p.file_stem()?.to_string_lossy().into_owned())
        })
        .collect();
    names.sort();
    names
}

/// An IMAP value: NIL, a string (quoted or literal, unescaped), a number/atom, or a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// `NIL`
    Nil,
    /// A string's octets.
    Str(Vec<u8>),
    /// An atom or number.
    Atom(Vec<u8>),
    /// A parenthesised list.
    List(Vec<Value>),
}

/// Parses one IMAP value; `None` on a syntax error.
pub fn parse(b: &[u8]) -> Option<Value> {
    let mut i = 0;
    let v = value(b, &mut i)?;
    (i == b.len()).then_some(v)
}

fn value(b: &[u8], i: &mut usize) -> Option<Value> {
    match *b.get(*i)? {
        b'(' => {
            *i += 1;
            let mut out = Vec::new();
            loop {
                match *b.get(*i)? {
                    b')' => {
                        *i += 1;
                        return Some(Value::List(out));
                    }
                    b' ' => *i += 1,
                    _ => out.push(value(b, i)?),
                }
            }
        }
        b'"' => {
            *i += 1;
            let mut s = Vec::new();
            loop {
                match *b.get(*i)? {
                    b'"' => {
                        *i += 1;
                        return Some(Value::Str(s));
                    }
                    b'\\' => {
                        s.push(*b.get(*i + 1)?);
                        *i += 2;
                    }
                    c => {
                        s.push(c);
                        *i += 1;
                    }
                }
            }
        }
        b'{' => {
            let close = *i + b[*i..].iter().position(|&c| c == b'}')?;
            let n: usize = std::str::from_utf8(&b[*i + 1..close])
                .ok()?
                .trim_end_matches('+')
                .parse()
                .ok()?;
            let start = close + 3;
            let s = b.get(start..start + n)?.to_vec();
            *i = start + n;
            Some(Value::Str(s))
        }
        _ => {
            let start = *i;
            while *i < b.len() && b[*i] != b' ' && b[*i] != b')' && b[*i] != b'(' {
                *i += 1;
            }
            let a = b[start..*i].to_vec();
            if a.is_empty() {
                return None;
            }
            Some(if a == b"NIL" {
                Value::Nil
            } else {
                Value::Atom(a)
            })
        }
    }
}

/// A readable one-line rendering (for assertion messages).
pub fn show(v: &Value) -> String {
    match v {
        Value::Nil => "NIL".into(),
        Value::Str(s) => format!("{:?}", String::from_utf8_lossy(s)),
        Value::Atom(a) => String::from_utf8_lossy(a).into_owned(),
        Value::List(l) => format!("({})", l.iter().map(show).collect::<Vec<_>>().join(" ")),
    }
}

//! Raw header-block utilities: split a header block into fields, unfold values.
//!
//! These work on the octets as stored, never on decoded text: ENVELOPE, BODYSTRUCTURE and
//! `HEADER.FIELDS` all need the raw values (RFC 9051 §7.5.2, §6.4.5). The part tree itself comes
//! from mail-parser; this module only cuts one header block into its fields.

/// One header field inside a header block, as offsets relative to the block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Field {
    /// The field name (without the colon and trailing blanks).
    pub name: (usize, usize),
    /// The value: after the colon up to the end of the last folded line, line break excluded.
    pub value: (usize, usize),
    /// The whole field with its folded lines and its final line break.
    pub full: (usize, usize),
}

/// Splits a header block into fields. A line starting with SP/HT continues the previous field;
/// a line without a colon is kept as a nameless field (so filtering can still drop or keep it);
/// the block ends at the first empty line.
pub(crate) fn fields(block: &[u8]) -> Vec<Field> {
    let mut out: Vec<Field> = Vec::new();
    let mut pos = 0;
    while pos < block.len() {
        let (line_end, next) = line_end(block, pos);
        if line_end == pos {
            break; // the blank line ending the header
        }
        let first = block[pos];
        if (first == b' ' || first == b'\t') && !out.is_empty() {
            if let Some(last) = out.last_mut() {
                last.value.1 = line_end;
                last.full.1 = next;
            }
        } else {
            let line = &block[pos..line_end];
            match memchr(b':', line) {
                Some(c) => {
                    let mut name_end = pos + c;
                    while name_end > pos && matches!(block[name_end - 1], b' ' | b'\t') {
                        name_end -= 1;
                    }
                    out.push(Field {
                        name: (pos, name_end),
                        value: (pos + c + 1, line_end),
                        full: (pos, next),
                    });
                }
                None => out.push(Field {
                    name: (pos, pos),
                    value: (pos, line_end),
                    full: (pos, next),
                }),
            }
        }
        pos = next;
    }
    out
}

fn memchr(b: u8, s: &[u8]) -> Option<usize> {
    s.iter().position(|&c| c == b)
}

/// End of the line starting at `pos` (before CR LF / LF) and the start of the next line.
pub(crate) fn line_end(s: &[u8], pos: usize) -> (usize, usize) {
    match s.get(pos..).and_then(|t| memchr(b'\n', t)) {
        Some(i) => {
            let lf = pos + i;
            let end = if lf > pos && s[lf - 1] == b'\r' {
                lf - 1
            } else {
                lf
            };
            (end, lf + 1)
        }
        None => (s.len(), s.len()),
    }
}

/// The unfolded value (RFC 5322 §2.2.3: CR and LF removed, everything else kept), with the
/// blanks after the colon on the first line trimmed. A value that starts on a continuation line
/// keeps that line's leading blank, as Dovecot's "full value" does.
pub(crate) fn unfold(v: &[u8]) -> Vec<u8> {
    let start = v
        .iter()
        .position(|&c| !matches!(c, b' ' | b'\t'))
        .unwrap_or(v.len());
    v[start..]
        .iter()
        .copied()
        .filter(|&c| c != b'\r' && c != b'\n')
        .collect()
}

/// Text "for humans" (Dovecot's rule for subjects and display names): line breaks removed,
/// each run of blanks becomes one space, leading and trailing blanks trimmed, NUL becomes 0x80.
pub(crate) fn for_humans(v: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(v.len());
    let mut last_space = true;
    for &c in v {
        match c {
            b'\r' | b'\n' => {}
            b' ' | b'\t' => {
                if !last_space {
                    out.push(b' ');
                }
                last_space = true;
            }
            0 => {
                out.push(0x80);
                last_space = false;
            }
            c => {
                out.push(c);
                last_space = false;
            }
        }
    }
    if out.last() == Some(&b' ') {
        out.pop();
    }
    out
}

/// Parsed view of one header block: its fields with names and raw values.
pub(crate) struct Header<'a> {
    /// The block.
    pub block: &'a [u8],
    /// Its fields, in order.
    pub fields: Vec<Field>,
}

impl<'a> Header<'a> {
    /// Splits `block` into fields.
    pub fn new(block: &'a [u8]) -> Header<'a> {
        Header {
            block,
            fields: fields(block),
        }
    }

    /// The name of a field.
    pub fn name(&self, f: &Field) -> &'a [u8] {
        &self.block[f.name.0..f.name.1]
    }

    /// The raw (folded) value of a field.
    pub fn raw_value(&self, f: &Field) -> &'a [u8] {
        &self.block[f.value.0..f.value.1]
    }

    /// The unfolded value of the last field called `name` (Dovecot's ENVELOPE rule).
    pub fn last(&self, name: &str) -> Option<Vec<u8>> {
        self.fields
            .iter()
            .rev()
            .find(|f| self.name(f).eq_ignore_ascii_case(name.as_bytes()))
            .map(|f| unfold(self.raw_value(f)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folded_fields_and_garbage_lines() {
        let b = b"Subject: a\r\n b\r\nnocolon line\r\nTo : x\n\r\nbody";
        let h = Header::new(b);
        assert_eq!(h.fields.len(), 3);
        assert_eq!(h.last("subject").as_deref(), Some(&b"a b"[..]));
        assert_eq!(h.last("TO").as_deref(), Some(&b"x"[..]));
        assert_eq!(h.fields[0].full, (0, 16));
        assert_eq!(for_humans(b"  a \t\r\n b  "), b"a b");
    }

    #[test]
    fn empty_and_unterminated() {
        assert!(fields(b"").is_empty());
        assert_eq!(fields(b"A: b").len(), 1);
        assert_eq!(line_end(b"abc", 0), (3, 3));
    }
}

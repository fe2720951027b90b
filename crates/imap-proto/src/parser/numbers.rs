//! Numbers and sequence sets (RFC 9051 §9 `number`, `nz-number`, `number64`, `sequence-set`,
//! RFC 5182 `$`, RFC 7162 `known-uids`).

use super::{PResult, Parser};
use crate::error::ErrorKind;
use crate::types::{SeqNum, SeqRange, SequenceSet};

impl<'a> Parser<'a> {
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
}

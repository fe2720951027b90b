//! Dates (RFC 9051 §9 `date`, `date-time`): SEARCH's date keys and APPEND's INTERNALDATE.

use super::{PResult, Parser};
use crate::error::ErrorKind;
use crate::types::{Date, DateTime, MONTHS};

impl Parser<'_> {
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
}

//! Calendar days for the date keys (RFC 9051 §6.4.4 BEFORE/ON/SINCE, SENTBEFORE/SENTON/
//! SENTSINCE; RFC 8514 SAVEDBEFORE/SAVEDON/SAVEDSINCE), all "disregarding time and timezone".
//!
//! A day is a count of days since 1970-01-01 (as [`imap_proto::types::Date::days_since_epoch`]).
//!
//! - INTERNALDATE: the calendar date in the message's own zone (`internal_zone_minutes`), so
//!   `01-Dec-2026 00:30:00 +0900` is ON 1-Dec-2026 although it is 30-Nov in UTC.
//! - Date header: the calendar date as written in the header, i.e. in the header's own zone
//!   (Dovecot does the same: its time plus its offset). It is read from the ENVELOPE date
//!   string kept in [`MessageFacts`]. A message whose Date header is missing or unparsable
//!   (mail-model's `sort.sent_date` is `None`) uses its INTERNALDATE day instead, as RFC 5256
//!   SORT DATE does. (Dovecot 2.3 differs here: it dates such messages 1-Jan-1970; see
//!   `tests/dovecot_diff.rs`.) If mail-model parsed a date that our stricter reader cannot, the
//!   UTC date of mail-model's instant is used.
//! - Save date: its UTC calendar date (the save date is a server timestamp without a zone).
//!   A message without a save date uses its INTERNALDATE day, as RFC 8514 §4 requires.

use imap_proto::types::Date;
use mail_model::MessageFacts;

use crate::Message;

/// The calendar day of `ts` (Unix seconds, UTC) in the zone `zone_minutes` east of UTC.
pub fn local_day(ts: i64, zone_minutes: i16) -> i64 {
    (ts + i64::from(zone_minutes) * 60).div_euclid(86_400)
}

/// INTERNALDATE's day in its own zone.
pub(crate) fn internal_day(m: &Message<'_>) -> i64 {
    local_day(m.internal_date, m.internal_zone_minutes)
}

/// The save date's day (UTC), falling back to INTERNALDATE's.
pub(crate) fn saved_day(m: &Message<'_>) -> i64 {
    match m.save_date {
        Some(t) => local_day(t, 0),
        None => internal_day(m),
    }
}

/// The Date header's day as written, falling back as the module docs say.
pub(crate) fn sent_day(m: &Message<'_>) -> i64 {
    let Some(utc) = m.facts.sort.sent_date else {
        return internal_day(m);
    };
    envelope_date(m.facts)
        .and_then(|v| written_date(&v))
        .map(|d| d.days_since_epoch())
        .unwrap_or_else(|| local_day(utc, 0))
}

/// The date string of the ENVELOPE wire bytes (`("date" …`), `None` for NIL.
pub(crate) fn envelope_date(facts: &MessageFacts) -> Option<Vec<u8>> {
    let w = facts.envelope.as_slice();
    let rest = w.strip_prefix(b"(")?;
    match rest.first()? {
        b'"' => {
            let mut out = Vec::new();
            let mut it = rest[1..].iter();
            while let Some(&b) = it.next() {
                match b {
                    b'"' => return Some(out),
                    b'\\' => out.push(*it.next()?),
                    _ => out.push(b),
                }
            }
            None
        }
        b'{' => {
            let close = rest.iter().position(|&b| b == b'}')?;
            let n: usize = std::str::from_utf8(&rest[1..close]).ok()?.parse().ok()?;
            let body = rest.get(close + 1..)?.strip_prefix(b"\r\n")?;
            body.get(..n).map(<[u8]>::to_vec)
        }
        _ => None,
    }
}

/// The calendar date written in an RFC 5322 §3.3 date-time (obsolete forms of §4.3 included:
/// two- and three-digit years, missing seconds, comments). `None` unless the whole date-time
/// is valid, so a garbage header falls back instead of giving a half-read date.
pub(crate) fn written_date(v: &[u8]) -> Option<Date> {
    let f = mail_model::date::fields(&String::from_utf8_lossy(v))?;
    Date::new(f.year, f.month, f.day)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: u16, m: u8, day: u8) -> Option<Date> {
        Date::new(y, m, day)
    }

    #[test]
    fn written_dates() {
        let cases: [(&[u8], Option<Date>); 9] = [
            (b"Tue, 08 Dec 2026 10:00:00 +0000", d(2026, 12, 8)),
            (b"Wed, 09 Dec 2026 23:59:59 -1200", d(2026, 12, 9)),
            (b"1 Jan 2027 00:00 +1400", d(2027, 1, 1)),
            (b"Tue, 8 Dec 26 05:00:00 EST", d(2026, 12, 8)),
            (b"Thu, 1 Jan 99 00:00:00 GMT (comment)", d(1999, 1, 1)),
            (b"31 Feb 2026 10:00 GMT", None),
            (b"8 Dec 2026 24:00 GMT", None),
            (b"garbage", None),
            (b"", None),
        ];
        for (raw, want) in cases {
            assert_eq!(written_date(raw), want, "{}", String::from_utf8_lossy(raw));
        }
    }

    #[test]
    fn envelope_date_strings() {
        let facts = |raw: &str| mail_model::analyze(raw.as_bytes());
        let cases = [
            // Quoted, with escaped quotes in a comment.
            (
                "Date: 1 Dec 2026 10:00 +0000 (\"q\")\r\n\r\nx",
                Some("1 Dec 2026 10:00 +0000 (\"q\")"),
            ),
            // 8-bit text: a literal in the wire form.
            (
                "Date: Tue, 01 Dec 2026 10:00:00 +0100 (Zürich)\r\n\r\nx",
                Some("Tue, 01 Dec 2026 10:00:00 +0100 (Zürich)"),
            ),
            ("Subject: none\r\n\r\nx", None),
        ];
        for (raw, want) in cases {
            let got = envelope_date(&facts(raw)).map(|v| String::from_utf8(v).unwrap());
            assert_eq!(got.as_deref(), want, "{raw}");
        }
        let f = facts("Date: Tue, 01 Dec 2026 00:10:00 +0100 (Zürich)\r\n\r\nx");
        let day = envelope_date(&f).and_then(|v| written_date(&v));
        assert_eq!(day, d(2026, 12, 1));
    }

    #[test]
    fn local_days_at_midnight() {
        let midnight = Date::new(2026, 12, 1).unwrap().days_since_epoch() * 86_400;
        assert_eq!(local_day(midnight, 0), midnight / 86_400);
        assert_eq!(local_day(midnight - 1, 0), midnight / 86_400 - 1);
        // 23:30 UTC on 30 Nov is 08:30 on 1 Dec in +0900, still 30 Nov in -0500.
        assert_eq!(local_day(midnight - 1800, 9 * 60), midnight / 86_400);
        assert_eq!(local_day(midnight - 1800, -5 * 60), midnight / 86_400 - 1);
        // Before 1970.
        assert_eq!(local_day(-1, 0), -1);
    }
}

//! RFC 5322 §3.3 date-time, with the obsolete forms of §4.3 (optional seconds, two-digit
//! years, alphabetic zones), to Unix seconds: the SORT DATE key (RFC 5256 §3).

/// Parses a Date header value; `None` when it is not a date. mail-parser's parser is tried
/// when ours fails, so either's leniency helps.
pub(crate) fn parse(v: &[u8]) -> Option<i64> {
    let s = String::from_utf8_lossy(v);
    strict(&s).or_else(|| {
        mail_parser::DateTime::parse_rfc822(&s)
            .filter(|d| d.is_valid())
            .map(|d| d.to_timestamp())
    })
}

/// An RFC 5322 date-time's whitespace/comma separated tokens, comments dropped: the first step
/// of every Date-header reading (here and in the search crate's SENT* keys).
pub fn tokens(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut cur = String::new();
    for c in s.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            _ if depth > 0 => {}
            ' ' | '\t' | '\r' | '\n' | ',' => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            c => cur.push(c),
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Month names as RFC 5322 writes them, lower-cased.
pub const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

/// The fields of an RFC 5322 §3.3 date-time (obsolete forms of §4.3 included: day name
/// optional, two- and three-digit years, missing seconds), each within its range. The zone is
/// returned as written, upper-cased, for the caller to interpret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fields {
    /// Four-digit year.
    pub year: u16,
    /// 1–12.
    pub month: u8,
    /// 1–31 (not checked against the month).
    pub day: u8,
    /// 0–23.
    pub hour: u8,
    /// 0–59.
    pub minute: u8,
    /// 0–60.
    pub second: u8,
    /// The zone token, if any (`+0100`, `GMT`, …).
    pub zone: Option<String>,
}

/// Reads the fields of a date-time; `None` unless every field is present and in range.
pub fn fields(s: &str) -> Option<Fields> {
    let mut t = tokens(s);
    if t.first()
        .is_some_and(|d| d.chars().all(|c| c.is_ascii_alphabetic()))
    {
        t.remove(0); // day-name
    }
    let day: u8 = t.first()?.parse().ok()?;
    let month = MONTHS
        .iter()
        .position(|m| t.get(1).is_some_and(|x| x.eq_ignore_ascii_case(m)))? as u8
        + 1;
    let y = t.get(2)?;
    let mut year: u16 = y.parse().ok()?;
    year += match y.len() {
        2 if year >= 50 => 1900,
        2 => 2000,
        3 => 1900,
        _ => 0,
    };
    let mut hms = t.get(3)?.split(':');
    let hour: u8 = hms.next()?.parse().ok()?;
    let minute: u8 = hms.next()?.parse().ok()?;
    let second: u8 = hms.next().map_or(Some(0), |x| x.parse().ok())?;
    if !(1..=31).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
        || !(1000..=9999).contains(&year)
    {
        return None;
    }
    let zone = t.get(4).map(|z| z.to_ascii_uppercase());
    Some(Fields {
        year,
        month,
        day,
        hour,
        minute,
        second,
        zone,
    })
}

fn strict(s: &str) -> Option<i64> {
    let f = fields(s)?;
    let zone = match &f.zone {
        None => 0,
        Some(z) => zone_offset(z)?,
    };
    let (h, m, sec) = (f.hour as i64, f.minute as i64, f.second as i64);
    let days = days_from_civil(f.year as i64, f.month as i64, f.day as i64);
    Some(days * 86_400 + h * 3600 + m * 60 + sec - zone)
}

/// Zone offset in seconds east of UTC (RFC 5322 §3.3 and §4.3).
fn zone_offset(z: &str) -> Option<i64> {
    let b = z.as_bytes();
    if b.len() == 5 && (b[0] == b'+' || b[0] == b'-') && b[1..].iter().all(u8::is_ascii_digit) {
        let h: i64 = z[1..3].parse().ok()?;
        let m: i64 = z[3..5].parse().ok()?;
        let off = h * 3600 + m * 60;
        return Some(if b[0] == b'-' { -off } else { off });
    }
    let hours = match z {
        "UT" | "UTC" | "GMT" | "Z" => 0,
        "EDT" => -4,
        "EST" | "CDT" => -5,
        "CST" | "MDT" => -6,
        "MST" | "PDT" => -7,
        "PST" => -8,
        // Military zones: RFC 5322 §4.3 says to treat them as -0000.
        _ if z.len() == 1 && z.as_bytes()[0].is_ascii_alphabetic() => 0,
        _ => return None,
    };
    Some(hours * 3600)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc5322_forms() {
        let base = 1_796_724_000; // 2026-12-08 10:00:00 UTC
        assert_eq!(parse(b"Tue, 08 Dec 2026 10:00:00 +0000"), Some(base));
        assert_eq!(parse(b"8 Dec 2026 10:00 GMT"), Some(base));
        assert_eq!(parse(b"Tue, 8 Dec 26 05:00:00 EST"), Some(base));
        assert_eq!(parse(b"Tue, 08 Dec 2026 11:30:00 +0130 (CET)"), Some(base));
        assert_eq!(parse(b"Thu, 01 Jan 1970 00:00:00 -0000"), Some(0));
        assert_eq!(parse(b"not a date at all"), None);
        assert_eq!(parse(b""), None);
        assert_eq!(parse(b"32 Dec 2026 10:00 GMT"), None);
    }
}

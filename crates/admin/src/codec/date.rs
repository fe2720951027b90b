//! The asctime dates of mbox `From ` lines (`Thu Jan  1 00:00:00 1970`), without a date
//! library: civil-date arithmetic after Howard Hinnant's `days_from_civil`.

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const WEEKDAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day number (inverse of [`days_from_civil`]).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// `secs` (UTC) in asctime form: `Thu Jan  1 00:00:00 1970`.
pub(crate) fn asctime(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let t = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    let weekday = WEEKDAYS[(days + 4).rem_euclid(7) as usize];
    let month = MONTHS[(m - 1) as usize];
    format!(
        "{weekday} {month} {d:>2} {:02}:{:02}:{:02} {y}",
        t / 3600,
        t / 60 % 60,
        t % 60
    )
}

/// The date of an mbox `From sender date` line, seconds since the epoch (UTC unless the line
/// carries a `+hhmm` zone). Tolerant: it looks for a month name followed by the day and the
/// time, and takes the first four-digit number after them as the year.
pub(crate) fn parse_from_line(line: &[u8]) -> Option<i64> {
    let text = String::from_utf8_lossy(line);
    let tokens: Vec<&str> = text.split_whitespace().collect();
    let (i, month) = tokens.iter().enumerate().skip(2).find_map(|(i, t)| {
        MONTHS
            .iter()
            .position(|m| m.eq_ignore_ascii_case(t))
            .map(|m| (i, m as u32 + 1))
    })?;
    let day: u32 = tokens.get(i + 1)?.parse().ok()?;
    let mut hms = tokens.get(i + 2)?.split(':').map(|p| p.parse::<i64>());
    let (h, mi) = (hms.next()?.ok()?, hms.next()?.ok()?);
    let s = match hms.next() {
        Some(s) => s.ok()?,
        None => 0,
    };
    let rest = tokens.get(i + 3..)?;
    let year: i64 = rest
        .iter()
        .find(|t| t.len() == 4 && t.bytes().all(|b| b.is_ascii_digit()))?
        .parse()
        .ok()?;
    let zone = rest.iter().find_map(|t| zone_minutes(t)).unwrap_or(0);
    if !(1..=31).contains(&day)
        || !(0..24).contains(&h)
        || !(0..60).contains(&mi)
        || !(0..=60).contains(&s)
    {
        return None;
    }
    Some(days_from_civil(year, month, day) * 86_400 + h * 3600 + mi * 60 + s - zone * 60)
}

/// `+hhmm` / `-hhmm` in minutes east of UTC.
fn zone_minutes(t: &str) -> Option<i64> {
    let (sign, digits) = match t.as_bytes().first()? {
        b'+' => (1, &t[1..]),
        b'-' => (-1, &t[1..]),
        _ => return None,
    };
    if digits.len() != 4 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: i64 = digits.parse().ok()?;
    Some(sign * (n / 100 * 60 + n % 100))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn asctime_round_trip() {
        assert_eq!(asctime(0), "Thu Jan  1 00:00:00 1970");
        assert_eq!(asctime(951_782_400), "Tue Feb 29 00:00:00 2000");
        for secs in [0, 1, 86_399, 951_782_400, 1_700_000_000, 4_102_444_799] {
            let line = format!("From someone {}\n", asctime(secs));
            assert_eq!(parse_from_line(line.as_bytes()), Some(secs), "{line}");
        }
    }

    #[test]
    fn variants() {
        assert_eq!(
            parse_from_line(b"From a@b Thu Jan  1 01:00:00 +0100 1970"),
            Some(0)
        );
        assert_eq!(parse_from_line(b"From a@b Thu Jan 1 00:00 1970"), Some(0));
        assert_eq!(parse_from_line(b"From a@b"), None);
        assert_eq!(parse_from_line(b"From a@b Thu Jan 99 00:00:00 1970"), None);
    }
}

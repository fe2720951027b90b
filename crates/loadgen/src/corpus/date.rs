//! Dates of realistic messages: moments in the year before a fixed day, in the zones their
//! writers live in, written as RFC 5322 §3.3 wants.

use super::words::{Lang, pick};

/// A moment and the zone it is written in.
#[derive(Clone, Copy)]
pub(super) struct When {
    /// Seconds since the Unix epoch, UTC.
    pub secs: i64,
    /// Offset from UTC in minutes.
    pub zone: i32,
}

/// The end of the year the dates fall in (2026-12-01T00:00:00Z): fixed, so the same seed gives
/// the same message whatever the day it runs.
const ANCHOR: i64 = days_from_civil(2026, 12, 1) * 86_400;

impl When {
    /// A moment in the year before [`ANCHOR`], in a zone of someone writing `lang`.
    pub(super) fn draw(rng: &mut fastrand::Rng, lang: Lang) -> When {
        let zones: &[i32] = match lang {
            Lang::English => &[0, 60, -300, -240, -480, -420, 330, 600, 780],
            Lang::German | Lang::French | Lang::Spanish => &[60, 120],
            Lang::Russian => &[180, 300, 420],
            Lang::Japanese => &[540],
            Lang::Chinese => &[480],
        };
        When {
            secs: ANCHOR - rng.i64(0..365 * 86_400),
            zone: pick(rng, zones),
        }
    }

    /// The same moment `secs` later, written in `zone`.
    pub(super) fn later(self, secs: i64, zone: i32) -> When {
        When {
            secs: self.secs + secs,
            zone,
        }
    }

    /// RFC 5322 §3.3 date-time: `Tue, 24 Nov 2026 10:00:00 +0100`.
    pub(super) fn rfc5322(self) -> String {
        const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
        const MONTHS: [&str; 12] = [
            "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
        ];
        let local = self.secs + i64::from(self.zone) * 60;
        let (days, t) = (local.div_euclid(86_400), local.rem_euclid(86_400));
        let (y, m, d) = civil_from_days(days);
        let sign = if self.zone < 0 { '-' } else { '+' };
        let z = self.zone.abs();
        format!(
            "{}, {d} {} {y} {:02}:{:02}:{:02} {sign}{:02}{:02}",
            DAYS[(days + 4).rem_euclid(7) as usize],
            MONTHS[(m - 1) as usize],
            t / 3600,
            t / 60 % 60,
            t % 60,
            z / 60,
            z % 60
        )
    }
}

/// Days since 1970-01-01 of a civil date (H. Hinnant's algorithm).
const fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day since 1970-01-01.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Dates are written as RFC 5322 wants, weekday and zone included.
    #[test]
    fn dates_are_rfc5322() {
        let w = When {
            secs: days_from_civil(2026, 11, 24) * 86_400 + 36_000,
            zone: 60,
        };
        assert_eq!(w.rfc5322(), "Tue, 24 Nov 2026 11:00:00 +0100");
        let w = When {
            secs: days_from_civil(2024, 3, 1) * 86_400 + 3_600,
            zone: -480,
        };
        assert_eq!(w.rfc5322(), "Thu, 29 Feb 2024 17:00:00 -0800");
        assert_eq!(civil_from_days(days_from_civil(2000, 2, 29)), (2000, 2, 29));
        let mut rng = fastrand::Rng::with_seed(1);
        for _ in 0..1000 {
            let w = When::draw(&mut rng, Lang::English);
            assert!((ANCHOR - 365 * 86_400..=ANCHOR).contains(&w.secs));
        }
    }
}

//! Date keys: INTERNALDATE (BEFORE/ON/SINCE) in the message's zone, the Date header
//! (SENT*) as written, the save date (SAVED*), and YOUNGER/OLDER, with midnight edges in
//! zones far from UTC.

use imap_proto::types::{Date, DateTime};

use crate::testutil::{Fixture, check_table, corpus};

/// Unix seconds of a local time in a zone `zone` minutes east of UTC.
fn at((y, mo, d): (u16, u8, u8), (h, mi, s): (u8, u8, u8), zone: i16) -> i64 {
    DateTime::new(Date::new(y, mo, d).unwrap(), h, mi, s, zone)
        .unwrap()
        .unix_timestamp()
}

fn named(n: &str, raw: &str, internal: i64, zone: i16) -> Fixture {
    let mut f = Fixture::new(n, raw.as_bytes());
    f.internal_date = internal;
    f.zone = zone;
    f
}

#[test]
fn internal_date_in_its_own_zone() {
    let plain = "Subject: x\r\n\r\nx\r\n";
    let f = vec![
        named("d1", plain, at((2026, 12, 1), (0, 30, 0), 540), 540), // 30-Nov 15:30 UTC
        named("d2", plain, at((2026, 11, 30), (23, 59, 59), -300), -300), // 1-Dec 04:59 UTC
        named("d3", plain, at((2026, 12, 1), (0, 0, 0), 0), 0),
        named("d4", plain, at((2026, 11, 30), (23, 59, 59), 0), 0),
        named("d5", plain, at((2026, 12, 2), (0, 0, 0), 840), 840), // 1-Dec 10:00 UTC
    ];
    check_table(
        &f,
        &[
            ("ON 1-Dec-2026", &["d1", "d3"]),
            ("ON 30-Nov-2026", &["d2", "d4"]),
            ("ON 2-Dec-2026", &["d5"]),
            ("BEFORE 1-Dec-2026", &["d2", "d4"]),
            ("SINCE 1-Dec-2026", &["d1", "d3", "d5"]),
            ("SINCE 2-Dec-2026", &["d5"]),
            ("BEFORE 30-Nov-2026", &[]),
            ("SINCE 30-Nov-2026", &["d1", "d2", "d3", "d4", "d5"]),
            ("NOT BEFORE 1-Dec-2026", &["d1", "d3", "d5"]),
            (
                "SINCE 30-Nov-2026 BEFORE 2-Dec-2026",
                &["d1", "d2", "d3", "d4"],
            ),
            ("OR ON 30-Nov-2026 ON 2-Dec-2026", &["d2", "d4", "d5"]),
        ],
    );
}

#[test]
fn sent_date_as_written_with_fallback() {
    let far = at((2020, 1, 1), (12, 0, 0), 0);
    let f = vec![
        named(
            "s1",
            "Date: Tue, 01 Dec 2026 00:30:00 +0900\r\n\r\nx\r\n",
            far,
            0,
        ),
        named(
            "s2",
            "Date: Mon, 30 Nov 2026 23:59:59 -0500\r\n\r\nx\r\n",
            far,
            0,
        ),
        // No Date header: INTERNALDATE in its zone (29-Nov local, 30-Nov UTC).
        named(
            "s3",
            "Subject: no date\r\n\r\nx\r\n",
            at((2026, 11, 29), (23, 0, 0), -60),
            -60,
        ),
        // Unparsable Date header: INTERNALDATE.
        named(
            "s4",
            "Date: sometime soon\r\n\r\nx\r\n",
            at((2026, 12, 3), (12, 0, 0), 0),
            0,
        ),
        // Obsolete form: two-digit year, no seconds, comment.
        named(
            "s5",
            "Date: 2 Dec 26 01:00 +1400 (LINT)\r\n\r\nx\r\n",
            far,
            0,
        ),
    ];
    check_table(
        &f,
        &[
            ("SENTON 1-Dec-2026", &["s1"]),
            ("SENTON 30-Nov-2026", &["s2"]),
            ("SENTON 29-Nov-2026", &["s3"]),
            ("SENTON 3-Dec-2026", &["s4"]),
            ("SENTON 2-Dec-2026", &["s5"]),
            ("SENTBEFORE 1-Dec-2026", &["s2", "s3"]),
            ("SENTSINCE 1-Dec-2026", &["s1", "s4", "s5"]),
            ("SENTSINCE 2-Dec-2026", &["s4", "s5"]),
            ("SENTBEFORE 29-Nov-2026", &[]),
            ("ON 1-Jan-2020", &["s1", "s2", "s5"]),
        ],
    );
}

#[test]
fn sent_dates_on_the_corpus() {
    let c = corpus();
    // Messages without a usable Date fall back to the fixture INTERNALDATE, 1-Jan-2026.
    let undated = [
        "05", "12", "14", "15", "19", "21", "22", "24", "25", "26", "27", "28", "29", "30", "31",
        "32", "33", "34", "35", "36", "37", "38",
    ];
    let mut before = vec!["01"];
    before.extend(undated);
    before.sort();
    check_table(
        &c,
        &[
            // 23:59:59 -1200 is 10-Dec in UTC, but SENTON uses the header's own date.
            ("SENTON 9-Dec-2026", &["40"]),
            ("SENTON 10-Dec-2026", &[]),
            ("SENTON 8-Dec-2026", &["23", "39"]),
            ("SENTON 1-Jan-2026", &undated),
            ("SENTBEFORE 24-Nov-2026", &before),
            ("SENTSINCE 9-Dec-2026", &["40"]),
            ("SENTON 30-Nov-2026", &["09"]),
        ],
    );
}

#[test]
fn save_date_in_utc_with_internal_fallback() {
    let plain = "Subject: x\r\n\r\nx\r\n";
    let mut f = vec![
        named("v1", plain, at((2020, 1, 1), (0, 0, 0), 0), 0),
        named("v2", plain, at((2020, 1, 1), (0, 0, 0), 0), 0),
        named("v3", plain, at((2026, 12, 1), (0, 30, 0), 540), 540),
        named("v4", plain, at((2020, 1, 1), (0, 0, 0), 0), 0),
    ];
    f[0].save_date = Some(at((2026, 12, 1), (0, 0, 0), 0));
    f[1].save_date = Some(at((2026, 11, 30), (23, 59, 59), 0));
    f[3].save_date = Some(at((2026, 12, 1), (23, 0, 0), 0));
    check_table(
        &f,
        &[
            ("SAVEDON 1-Dec-2026", &["v1", "v3", "v4"]),
            ("SAVEDON 30-Nov-2026", &["v2"]),
            ("SAVEDBEFORE 1-Dec-2026", &["v2"]),
            ("SAVEDSINCE 1-Dec-2026", &["v1", "v3", "v4"]),
            ("SAVEDSINCE 2-Dec-2026", &[]),
            ("SAVEDATESUPPORTED", &["v1", "v2", "v3", "v4"]),
        ],
    );
}

#[test]
fn younger_and_older() {
    let now = 1_767_268_800; // testutil::ctx's `now`
    let plain = "Subject: x\r\n\r\nx\r\n";
    let f: Vec<Fixture> = [
        ("y0", 0),
        ("y59", -59),
        ("y60", -60),
        ("y61", -61),
        ("yday", -86_400),
        ("yfut", 10),
    ]
    .iter()
    .map(|(n, d)| named(n, plain, now + d, 540))
    .collect();
    check_table(
        &f,
        &[
            ("YOUNGER 60", &["y0", "y59", "y60", "yfut"]),
            ("OLDER 60", &["y60", "y61", "yday"]),
            // YOUNGER/OLDER take a non-zero number (RFC 5032 `nz-number`).
            ("YOUNGER 1", &["y0", "yfut"]),
            ("OLDER 1", &["y59", "y60", "y61", "yday"]),
            (
                "YOUNGER 86400",
                &["y0", "y59", "y60", "y61", "yday", "yfut"],
            ),
            ("OLDER 86401", &[]),
            (
                "OR YOUNGER 59 OLDER 61",
                &["y0", "y59", "y61", "yday", "yfut"],
            ),
        ],
    );
}

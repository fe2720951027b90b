//! The wall clock, as the store records it (SAVEDATE, UIDVALIDITY seeds, sweep tombstones).

use std::time::{SystemTime, UNIX_EPOCH};

/// Milliseconds since the epoch.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// Seconds since the epoch.
pub fn now_secs() -> i64 {
    now_ms() / 1000
}

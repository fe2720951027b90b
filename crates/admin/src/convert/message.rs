//! [`MailItem`] ⇄ `pb::MailMessage`.

use crate::codec::MailItem;
use crate::convert::flags;
use crate::pb;

impl From<MailItem> for pb::MailMessage {
    fn from(m: MailItem) -> Self {
        pb::MailMessage {
            flags: flags::to_names(&m.flags),
            data: m.data,
            internal_date: m.internal_date,
            internal_zone: i32::from(m.internal_zone),
            uid: 0,
        }
    }
}

impl TryFrom<pb::MailMessage> for MailItem {
    type Error = String;

    fn try_from(m: pb::MailMessage) -> Result<Self, String> {
        Ok(MailItem {
            flags: flags::from_names(&m.flags)?,
            internal_zone: zone(m.internal_zone)?,
            internal_date: m.internal_date,
            data: m.data,
        })
    }
}

/// A zone offset in minutes, within ±23:59 (RFC 9051 `zone`).
pub(crate) fn zone(minutes: i32) -> Result<i16, String> {
    if minutes.abs() < 24 * 60 {
        Ok(minutes as i16)
    } else {
        Err(format!("zone offset {minutes} minutes is out of range"))
    }
}

//! Values shared by commands and responses: tags, sequence sets, flags, mailbox names, dates.
//!
//! These types hold *meaning*, not wire form: a mailbox name is held as the client sent it (modified
//! UTF-7 or UTF-8, see [`crate::mutf7`]), with the case-insensitive `INBOX` normalised to `INBOX`
//! (RFC 9051 §5.1); a string that arrived as a literal is held as [`Bytes`] so that large values
//! are never copied (an APPEND message stays in the buffer it was received into).

use bytes::Bytes;
use std::fmt;

/// A command tag (RFC 9051 `tag = 1*<any ASTRING-CHAR except "+">`).
///
/// The constructor enforces the grammar, so a `Tag` can always be written back verbatim.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Tag(String);

impl Tag {
    /// Builds a tag, or `None` if `s` is empty or holds a character the grammar forbids.
    pub fn new(s: impl Into<String>) -> Option<Tag> {
        let s = s.into();
        if !s.is_empty() && s.bytes().all(is_tag_char) {
            Some(Tag(s))
        } else {
            None
        }
    }

    /// The tag's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Tag({})", self.0)
    }
}

impl fmt::Display for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// `ATOM-CHAR`: any CHAR except atom-specials (`(`, `)`, `{`, SP, CTL, `%`, `*`, `"`, `\`, `]`).
pub const fn is_atom_char(b: u8) -> bool {
    matches!(b, 0x21..=0x7e) && !matches!(b, b'(' | b')' | b'{' | b'%' | b'*' | b'"' | b'\\' | b']')
}

/// `ASTRING-CHAR = ATOM-CHAR / resp-specials`.
pub const fn is_astring_char(b: u8) -> bool {
    is_atom_char(b) || b == b']'
}

/// A tag character: `ASTRING-CHAR` except `+`.
pub const fn is_tag_char(b: u8) -> bool {
    is_astring_char(b) && b != b'+'
}

/// `list-char = ATOM-CHAR / list-wildcards / resp-specials`.
pub const fn is_list_char(b: u8) -> bool {
    is_astring_char(b) || b == b'%' || b == b'*'
}

/// One end of a sequence range: a number or `*` (the largest number in use).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SeqNum {
    /// A message sequence number or UID (never 0).
    Value(u32),
    /// `*`: the last message (or, for UIDs in an empty mailbox, UIDNEXT).
    Star,
}

/// `seq-number / seq-range`. A single number is a range whose ends are equal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SeqRange {
    /// First end as written (the range is unordered: `4:2` means `2:4`).
    pub start: SeqNum,
    /// Second end as written; equal to `start` for a single number.
    pub end: SeqNum,
}

impl SeqRange {
    /// A range covering just `n`.
    pub fn single(n: u32) -> SeqRange {
        SeqRange {
            start: SeqNum::Value(n),
            end: SeqNum::Value(n),
        }
    }

    /// The range `a:b`.
    pub fn new(a: u32, b: u32) -> SeqRange {
        SeqRange {
            start: SeqNum::Value(a),
            end: SeqNum::Value(b),
        }
    }

    /// Resolves `*` to `largest` and returns `(low, high)` with `low <= high`.
    pub fn resolve(&self, largest: u32) -> (u32, u32) {
        let v = |n: SeqNum| match n {
            SeqNum::Value(v) => v,
            SeqNum::Star => largest,
        };
        let (a, b) = (v(self.start), v(self.end));
        (a.min(b), a.max(b))
    }
}

/// A `sequence-set`, or `$` (RFC 5182 SEARCHRES: the saved result of the last SEARCH).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SequenceSet {
    /// Ranges in the order the client wrote them; never empty.
    Ranges(Vec<SeqRange>),
    /// `$`: the last saved search result.
    Saved,
}

impl SequenceSet {
    /// A set of one range.
    pub fn range(a: u32, b: u32) -> SequenceSet {
        SequenceSet::Ranges(vec![SeqRange::new(a, b)])
    }

    /// A set of one number.
    pub fn single(n: u32) -> SequenceSet {
        SequenceSet::Ranges(vec![SeqRange::single(n)])
    }

    /// Builds the shortest set (ascending, ranges coalesced) covering `values`.
    /// Returns `None` for an empty input, which has no wire form.
    pub fn from_values(values: impl IntoIterator<Item = u32>) -> Option<SequenceSet> {
        let mut v: Vec<u32> = values.into_iter().collect();
        v.sort_unstable();
        v.dedup();
        let mut ranges: Vec<SeqRange> = Vec::new();
        for n in v {
            if let Some(SeqRange {
                end: SeqNum::Value(e),
                ..
            }) = ranges.last_mut()
                && e.checked_add(1) == Some(n)
            {
                *e = n;
                continue;
            }
            ranges.push(SeqRange::single(n));
        }
        if ranges.is_empty() {
            None
        } else {
            Some(SequenceSet::Ranges(ranges))
        }
    }

    /// True if `n` is in the set once `*` means `largest`. Always false for [`SequenceSet::Saved`],
    /// which the session must substitute before asking.
    pub fn contains(&self, n: u32, largest: u32) -> bool {
        match self {
            SequenceSet::Ranges(r) => r.iter().any(|r| {
                let (lo, hi) = r.resolve(largest);
                (lo..=hi).contains(&n)
            }),
            SequenceSet::Saved => false,
        }
    }
}

/// A message flag (RFC 9051 `flag` / `flag-fetch`), or a keyword.
///
/// System flags compare case-insensitively on the wire and are normalised here; keywords keep the
/// case the client used (servers compare them case-insensitively, RFC 9051 §2.3.2).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Flag {
    /// `\Seen`
    Seen,
    /// `\Answered`
    Answered,
    /// `\Flagged`
    Flagged,
    /// `\Deleted`
    Deleted,
    /// `\Draft`
    Draft,
    /// `\Recent` (IMAP4rev1 only; never settable by a client).
    Recent,
    /// `\` atom: a flag extension, held without the backslash.
    Extension(String),
    /// A keyword atom such as `$Forwarded` or `NonJunk`.
    Keyword(String),
}

impl Flag {
    /// Parses a flag from its atom text (with the backslash for system flags). `None` if the
    /// text is not an atom (or is `\` followed by no atom).
    pub fn parse(s: &str) -> Option<Flag> {
        if let Some(rest) = s.strip_prefix('\\') {
            if rest.is_empty() || !rest.bytes().all(is_atom_char) {
                return None;
            }
            Some(match rest.to_ascii_lowercase().as_str() {
                "seen" => Flag::Seen,
                "answered" => Flag::Answered,
                "flagged" => Flag::Flagged,
                "deleted" => Flag::Deleted,
                "draft" => Flag::Draft,
                "recent" => Flag::Recent,
                _ => Flag::Extension(rest.to_string()),
            })
        } else if !s.is_empty() && s.bytes().all(is_atom_char) {
            Some(Flag::Keyword(s.to_string()))
        } else {
            None
        }
    }

    /// The flag's wire text, e.g. `\Seen` or `$Junk`.
    pub fn as_wire(&self) -> std::borrow::Cow<'_, str> {
        use std::borrow::Cow;
        match self {
            Flag::Seen => Cow::Borrowed("\\Seen"),
            Flag::Answered => Cow::Borrowed("\\Answered"),
            Flag::Flagged => Cow::Borrowed("\\Flagged"),
            Flag::Deleted => Cow::Borrowed("\\Deleted"),
            Flag::Draft => Cow::Borrowed("\\Draft"),
            Flag::Recent => Cow::Borrowed("\\Recent"),
            Flag::Extension(s) => Cow::Owned(format!("\\{s}")),
            Flag::Keyword(s) => Cow::Borrowed(s),
        }
    }
}

impl fmt::Display for Flag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.as_wire())
    }
}

/// A mailbox name as sent on the wire (RFC 9051 `mailbox = "INBOX" / astring`).
///
/// Any case variant of `INBOX` is stored as `INBOX`. The name is UTF-8 text: an IMAP4rev1 client
/// sends modified UTF-7 (pure ASCII, decode with [`crate::mutf7::decode`]), a client that enabled
/// `UTF8=ACCEPT` or `IMAP4rev2` sends UTF-8 directly. Which applies is session state, so the
/// parser keeps the wire form.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Mailbox(String);

impl Mailbox {
    /// Builds a mailbox name, normalising any case of `INBOX`.
    pub fn new(s: impl Into<String>) -> Mailbox {
        let s = s.into();
        if s.eq_ignore_ascii_case("INBOX") {
            Mailbox("INBOX".to_string())
        } else {
            Mailbox(s)
        }
    }

    /// `INBOX`.
    pub fn inbox() -> Mailbox {
        Mailbox("INBOX".to_string())
    }

    /// The name as sent (with `INBOX` normalised).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// True for INBOX in any case.
    pub fn is_inbox(&self) -> bool {
        self.0 == "INBOX"
    }
}

impl fmt::Display for Mailbox {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A calendar date as in SEARCH (`date-text`, no time or zone).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Date {
    /// Four-digit year.
    pub year: u16,
    /// 1–12.
    pub month: u8,
    /// 1–31, checked against the month's length.
    pub day: u8,
}

impl Date {
    /// A checked date: `None` if the day does not exist (e.g. 30-Feb).
    pub fn new(year: u16, month: u8, day: u8) -> Option<Date> {
        if year > 9999 || !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month)
        {
            return None;
        }
        Some(Date { year, month, day })
    }

    /// Days since 1970-01-01 (negative before).
    pub fn days_since_epoch(&self) -> i64 {
        days_from_civil(self.year as i64, self.month as i64, self.day as i64)
    }
}

/// Month abbreviations in IMAP date syntax.
pub const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

impl fmt::Display for Date {
    /// `date-text`: `1-Feb-2024`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}-{}-{:04}",
            self.day,
            MONTHS[self.month as usize - 1],
            self.year
        )
    }
}

/// An IMAP `date-time` (INTERNALDATE, APPEND): a local time plus its zone offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DateTime {
    /// The calendar date in the given zone.
    pub date: Date,
    /// 0–23.
    pub hour: u8,
    /// 0–59.
    pub minute: u8,
    /// 0–60 (a leap second is accepted).
    pub second: u8,
    /// Offset east of UTC in minutes, -5999..=5999 (`+hhmm`).
    pub zone_minutes: i16,
}

impl DateTime {
    /// A checked date-time.
    pub fn new(date: Date, hour: u8, minute: u8, second: u8, zone_minutes: i16) -> Option<Self> {
        if hour > 23 || minute > 59 || second > 60 || zone_minutes.abs() > 99 * 60 + 59 {
            return None;
        }
        Some(DateTime {
            date,
            hour,
            minute,
            second,
            zone_minutes,
        })
    }

    /// Seconds since the Unix epoch (UTC).
    pub fn unix_timestamp(&self) -> i64 {
        self.date.days_since_epoch() * 86_400
            + self.hour as i64 * 3600
            + self.minute as i64 * 60
            + self.second as i64
            - self.zone_minutes as i64 * 60
    }

    /// The date-time of a Unix timestamp as seen in zone `zone_minutes` (east of UTC):
    /// `from_unix_timestamp_in(t, z).unix_timestamp() == t`.
    pub fn from_unix_timestamp_in(ts: i64, zone_minutes: i16) -> Option<DateTime> {
        let local = DateTime::from_unix_timestamp(ts.checked_add(zone_minutes as i64 * 60)?)?;
        DateTime::new(
            local.date,
            local.hour,
            local.minute,
            local.second,
            zone_minutes,
        )
    }

    /// The UTC date-time for a Unix timestamp, written with zone `+0000`.
    pub fn from_unix_timestamp(ts: i64) -> Option<DateTime> {
        let days = ts.div_euclid(86_400);
        let secs = ts.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        let date = Date::new(u16::try_from(y).ok()?, m as u8, d as u8)?;
        DateTime::new(
            date,
            (secs / 3600) as u8,
            ((secs % 3600) / 60) as u8,
            (secs % 60) as u8,
            0,
        )
    }
}

impl fmt::Display for DateTime {
    /// `date-time` without the quotes: `17-Jul-1996 02:44:25 -0700`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let z = self.zone_minutes;
        let sign = if z < 0 { '-' } else { '+' };
        let z = z.unsigned_abs();
        write!(
            f,
            "{:2}-{}-{:04} {:02}:{:02}:{:02} {}{:02}{:02}",
            self.date.day,
            MONTHS[self.date.month as usize - 1],
            self.date.year,
            self.hour,
            self.minute,
            self.second,
            sign,
            z / 60,
            z % 60
        )
    }
}

fn is_leap(y: u16) -> bool {
    (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400)
}

fn days_in_month(y: u16, m: u8) -> u8 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(y) => 29,
        _ => 28,
    }
}

/// Howard Hinnant's `days_from_civil`: days since 1970-01-01 for a proleptic Gregorian date.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The inverse of [`days_from_civil`].
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// STATUS data items (RFC 9051 `status-att` plus RFC 3501 RECENT, RFC 7162 HIGHESTMODSEQ,
/// RFC 7889 APPENDLIMIT, RFC 8474 MAILBOXID, RFC 9208 DELETED-STORAGE; SIZE is RFC 8438).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StatusItem {
    /// `MESSAGES`
    Messages,
    /// `RECENT` (IMAP4rev1)
    Recent,
    /// `UIDNEXT`
    UidNext,
    /// `UIDVALIDITY`
    UidValidity,
    /// `UNSEEN`
    Unseen,
    /// `DELETED`
    Deleted,
    /// `DELETED-STORAGE` (RFC 9208 §4.1.4)
    DeletedStorage,
    /// `SIZE`
    Size,
    /// `HIGHESTMODSEQ`
    HighestModSeq,
    /// `APPENDLIMIT`
    AppendLimit,
    /// `MAILBOXID`
    MailboxId,
}

impl StatusItem {
    /// Every item, for tables and generators.
    pub const ALL: [StatusItem; 11] = [
        StatusItem::Messages,
        StatusItem::Recent,
        StatusItem::UidNext,
        StatusItem::UidValidity,
        StatusItem::Unseen,
        StatusItem::Deleted,
        StatusItem::DeletedStorage,
        StatusItem::Size,
        StatusItem::HighestModSeq,
        StatusItem::AppendLimit,
        StatusItem::MailboxId,
    ];

    /// The item's wire name.
    pub fn name(self) -> &'static str {
        match self {
            StatusItem::Messages => "MESSAGES",
            StatusItem::Recent => "RECENT",
            StatusItem::UidNext => "UIDNEXT",
            StatusItem::UidValidity => "UIDVALIDITY",
            StatusItem::Unseen => "UNSEEN",
            StatusItem::Deleted => "DELETED",
            StatusItem::DeletedStorage => "DELETED-STORAGE",
            StatusItem::Size => "SIZE",
            StatusItem::HighestModSeq => "HIGHESTMODSEQ",
            StatusItem::AppendLimit => "APPENDLIMIT",
            StatusItem::MailboxId => "MAILBOXID",
        }
    }

    /// Looks an item up by name, case-insensitively.
    pub fn from_name(s: &str) -> Option<StatusItem> {
        StatusItem::ALL
            .into_iter()
            .find(|i| i.name().eq_ignore_ascii_case(s))
    }
}

/// A string value that may have arrived as a literal: raw octets, never copied out of the
/// receive buffer.
pub type IString = Bytes;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_grammar() {
        assert!(Tag::new("a001").is_some());
        assert!(Tag::new("A]1").is_some(), "resp-specials are ASTRING-CHARs");
        for bad in ["", "a+1", "a b", "a(", "a*", "a%", "a\"", "a\\", "a{", "é"] {
            assert!(Tag::new(bad).is_none(), "{bad:?} must not be a tag");
        }
    }

    #[test]
    fn inbox_is_case_insensitive() {
        assert!(Mailbox::new("iNbOx").is_inbox());
        assert_eq!(Mailbox::new("inbox").as_str(), "INBOX");
        assert!(!Mailbox::new("INBOX/sub").is_inbox());
    }

    #[test]
    fn flags_normalise_system_names() {
        assert_eq!(Flag::parse("\\SEEN"), Some(Flag::Seen));
        assert_eq!(
            Flag::parse("$Forwarded"),
            Some(Flag::Keyword("$Forwarded".into()))
        );
        assert_eq!(Flag::parse("\\Foo"), Some(Flag::Extension("Foo".into())));
        assert_eq!(Flag::parse("\\"), None);
        assert_eq!(Flag::parse("a b"), None);
    }

    #[test]
    fn sequence_set_from_values_coalesces() {
        let s = SequenceSet::from_values([5, 1, 2, 3, 9, 10, 3]).unwrap();
        assert_eq!(
            s,
            SequenceSet::Ranges(vec![
                SeqRange::new(1, 3),
                SeqRange::single(5),
                SeqRange::new(9, 10)
            ])
        );
        assert!(SequenceSet::from_values([]).is_none());
        assert!(s.contains(2, 10) && !s.contains(4, 10));
    }

    #[test]
    fn dates_check_calendar_and_epoch() {
        assert!(Date::new(2024, 2, 29).is_some());
        assert!(Date::new(2023, 2, 29).is_none());
        assert_eq!(Date::new(1970, 1, 1).unwrap().days_since_epoch(), 0);
        let dt = DateTime::new(Date::new(1996, 7, 17).unwrap(), 2, 44, 25, -420).unwrap();
        assert_eq!(dt.to_string(), "17-Jul-1996 02:44:25 -0700");
        assert_eq!(dt.unix_timestamp(), 837_596_665);
        let back = DateTime::from_unix_timestamp(dt.unix_timestamp()).unwrap();
        assert_eq!(back.to_string(), "17-Jul-1996 09:44:25 +0000");
        let d = DateTime::new(Date::new(2001, 2, 3).unwrap(), 4, 5, 6, 0).unwrap();
        assert_eq!(d.to_string(), " 3-Feb-2001 04:05:06 +0000");
    }
}

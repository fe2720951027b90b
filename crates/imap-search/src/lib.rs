//! # imap-search: exact IMAP SEARCH semantics, one message at a time
//!
//! The brute-force, obviously-correct evaluation of every search key of RFC 9051 §6.4.4 (plus
//! IMAP4rev1's NEW/OLD/RECENT, RFC 7162 MODSEQ, RFC 5032 YOUNGER/OLDER, RFC 8514 SAVED*, RFC
//! 8474 EMAILID/THREADID and RFC 6203 FUZZY) on a single message. The server uses it for
//! messages the search index has not seen yet; the index's tests use it as their oracle.
//! [`thread`] holds THREAD's algorithms (RFC 5256 §3), which order what a search found.
//!
//! ```text
//!  caller (imap-server)                       imap-search
//!  ───────────────────                        ───────────
//!  store row ─┐
//!  flags ─────┼─▶ Message { seq, uid, … } ─┐
//!  facts ─────┤                            ├─▶ matches(key, &msg, &ctx) ─▶ bool
//!  search_text(raw) (only if needs_text) ──┘        ├─ flags, sizes, sets, ids: the row
//!  Context { max_seq, max_uid, now } ─────────────▶ ├─ dates: dates.rs
//!                                                   └─ strings: text.rs + fold.rs
//! ```
//!
//! No I/O and no storage access: the caller loads what [`Message`] needs. Loading the body is
//! expensive, so [`needs_text`] says when [`Message::text`] is looked at.
//!
//! # Semantics, where the RFCs leave room
//!
//! - **Strings** (BCC, BODY, CC, FROM, HEADER, SUBJECT, TEXT, TO): case-insensitive substring
//!   match on decoded text (RFC 2047 words decoded, bodies converted from their charset and
//!   transfer encoding). Case-insensitive means [`fold`], i.e. `i;unicode-casemap` (RFC 5051,
//!   named for SEARCH by RFC 5255 §4.1, used by Dovecot): NFKD, then simple case folding of
//!   every character. So `cafe` matches `café`, full-width `ＡＢＣ` matches `abc`, `ß` does not
//!   match `SS`, and (unlike Dovecot) `ẞ` matches `ß`. Strings are UTF-8; the session answers
//!   other charsets with
//!   `[BADCHARSET]` before calling.
//! - **Fields**: FROM/TO/CC/BCC/SUBJECT look at every top-level field of that name, display
//!   names and addresses alike (SUBJECT with runs of blanks collapsed, as in ENVELOPE); HEADER
//!   at every top-level field of the given name (compared ASCII case-insensitively), blanks
//!   as sent. An empty string matches every message that has the field. FROM/TO/CC/BCC also
//!   look at the field's addresses as ENVELOPE parses them (RFC 3501 §6.4.4 speaks of "the
//!   envelope structure's FROM field"), written without comments and folding as
//!   `Name <local@domain>` and `Group: <a@b>;`, so `From: <u (c)@ (c) d.org>` is found by
//!   `FROM u@d.org`; a match never spans the value and the addresses.
//! - **BODY** looks at the decoded text of every text part (HTML reduced to text), nested
//!   messages included; other media types are skipped (RFC 9051 §6.4.4 allows it). **TEXT**
//!   looks at that plus every header field (top-level, MIME and nested-message headers) as
//!   `Name: value`, and attachment file names. `BODY ""` and `TEXT ""` match every message.
//! - **Dates**, "disregarding time and timezone": BEFORE/ON/SINCE use INTERNALDATE's calendar
//!   date in the message's own zone; SENT* the date written in the Date header (its own zone),
//!   or INTERNALDATE's when there is no valid Date header (as SORT DATE does, RFC 5256 §3;
//!   Dovecot uses 1-Jan-1970 instead); SAVED* the save date's UTC date, or INTERNALDATE's
//!   when there is no save date (RFC 8514 §4).
//! - **YOUNGER n** is `internal_date >= now - n`, **OLDER n** is `internal_date <= now - n`
//!   (Dovecot's reading of RFC 5032).
//! - **NEW** is RECENT and not SEEN, **OLD** is not RECENT (RFC 3501).
//! - **MODSEQ** `[entry type] n` is `modseq >= n`; the entry is ignored because Strata keeps one
//!   MODSEQ per message, not one per flag (RFC 7162 §3.1.5 allows this).
//! - **KEYWORD/UNKEYWORD** compare ASCII case-insensitively (keywords are atoms).
//! - **FUZZY k** (RFC 6203): text keys under it also match when at least three fifths of the
//!   needle's distinct 3-grams appear in what the key looks at ([`fuzzy_min_grams`]); an exact
//!   match always matches, needles under three characters match only exactly, other keys are
//!   unchanged. [`relevancy`] scores matches 1–100.
//! - **SAVEDATESUPPORTED** matches every message: Strata records save dates.
//! - **EMAILID/THREADID** compare exactly (case-sensitive); a message without a THREADID
//!   matches no THREADID key.
//! - **Sets**: `*` is [`Context::max_seq`] / [`Context::max_uid`]; ranges are unordered, so
//!   `n:*` with `n` beyond the last message still covers the last message (RFC 9051 §9).
//!   `$` (RFC 5182 SEARCHRES) must be replaced by the caller with the saved set before calling:
//!   an unsubstituted [`SequenceSet::Saved`](imap_proto::types::SequenceSet::Saved) matches no
//!   message.

mod dates;
mod fold;
mod text;
pub mod thread;

use imap_proto::command::SearchKey;
use mail_model::{MessageFacts, SearchText};

pub use dates::local_day;
pub use fold::{Needle, fold, fold_char};
pub use text::{FoldedText, fuzzy_min_grams, grams};

/// A message's flags as the search keys read them. The caller maps its own flag type (the
/// store's) into this at the edge, so this crate needs no storage types.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MessageFlags<'a> {
    /// `\Seen`
    pub seen: bool,
    /// `\Answered`
    pub answered: bool,
    /// `\Flagged`
    pub flagged: bool,
    /// `\Deleted`
    pub deleted: bool,
    /// `\Draft`
    pub draft: bool,
    /// Keywords, compared case-insensitively (RFC 9051 §2.3.2).
    pub keywords: &'a [String],
}

impl MessageFlags<'_> {
    /// Whether the keyword is set.
    pub fn has_keyword(&self, k: &str) -> bool {
        self.keywords.iter().any(|x| x.eq_ignore_ascii_case(k))
    }
}

/// What the search keys look at in one message. Built by the caller from the store row, the
/// session's view and (for text keys) the parsed body.
#[derive(Debug, Clone, Copy)]
pub struct Message<'a> {
    /// Message sequence number in the session's view.
    pub seq: u32,
    /// UID.
    pub uid: u32,
    /// System flags and keywords.
    pub flags: MessageFlags<'a>,
    /// `\Recent` in this session (IMAP4rev1 RECENT/NEW/OLD).
    pub recent: bool,
    /// MODSEQ (RFC 7162).
    pub modseq: u64,
    /// RFC822.SIZE, for LARGER/SMALLER (normally `facts.size`).
    pub size: u64,
    /// INTERNALDATE, Unix seconds (UTC).
    pub internal_date: i64,
    /// INTERNALDATE's zone, minutes east of UTC (as APPEND gave it): BEFORE/ON/SINCE use the
    /// calendar date there.
    pub internal_zone_minutes: i16,
    /// SAVEDATE (RFC 8514), Unix seconds; `None` makes SAVED* use INTERNALDATE.
    pub save_date: Option<i64>,
    /// EMAILID (RFC 8474).
    pub email_id: &'a str,
    /// THREADID (RFC 8474); `None` (the `NIL` THREADID) matches no THREADID key.
    pub thread_id: Option<&'a str>,
    /// Parsed facts: the Date header (through the ENVELOPE and SORT keys) for SENT*.
    pub facts: &'a MessageFacts,
    /// Decoded text for the string keys; must be `Some` when [`needs_text`] says so. `None` is
    /// read as a message without any header or body text.
    pub text: Option<&'a SearchText>,
}

/// Per-search values shared by every message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Context {
    /// The largest sequence number in the view (`*` in a sequence set).
    pub max_seq: u32,
    /// The largest UID in the view (`*` in a UID set).
    pub max_uid: u32,
    /// The time of the search, Unix seconds, for YOUNGER/OLDER. Use one value for the whole
    /// search so every message sees the same instant.
    pub now: i64,
}

/// True if evaluating `key` reads [`Message::text`]: it holds a BODY, TEXT, HEADER, FROM, TO,
/// CC, BCC or SUBJECT key anywhere (under AND, OR, NOT or FUZZY).
pub fn needs_text(key: &SearchKey) -> bool {
    use SearchKey::*;
    match key {
        Bcc(_) | Body(_) | Cc(_) | From(_) | Header(..) | Subject(_) | Text(_) | To(_) => true,
        Not(k) | Fuzzy(k) => needs_text(k),
        Or(a, b) => needs_text(a) || needs_text(b),
        And(keys) => keys.iter().any(needs_text),
        _ => false,
    }
}

/// True if evaluating `key` reads [`Message::facts`]: it holds a SENTBEFORE, SENTON or
/// SENTSINCE key (the Date header). Other keys work with any facts, so a caller may pass
/// default ones and skip decoding the stored facts.
pub fn needs_facts(key: &SearchKey) -> bool {
    use SearchKey::*;
    match key {
        SentBefore(_) | SentOn(_) | SentSince(_) => true,
        Not(k) | Fuzzy(k) => needs_facts(k),
        Or(a, b) => needs_facts(a) || needs_facts(b),
        And(keys) => keys.iter().any(needs_facts),
        _ => false,
    }
}

/// True if evaluating `key` reads more than a session's view holds (sequence number, UID,
/// flags, `\Recent`, MODSEQ): the size, a date, an object id, the facts or the text. When no
/// key does, a caller may fill the rest of [`Message`] with anything.
pub fn needs_record(key: &SearchKey) -> bool {
    use SearchKey::*;
    match key {
        All
        | Answered
        | Unanswered
        | Deleted
        | Undeleted
        | Draft
        | Undraft
        | Flagged
        | Unflagged
        | Seen
        | Unseen
        | Keyword(_)
        | Unkeyword(_)
        | Recent
        | New
        | Old
        | ModSeq { .. }
        | SequenceSet(_)
        | Uid(_)
        | SaveDateSupported => false,
        Not(k) | Fuzzy(k) => needs_record(k),
        Or(a, b) => needs_record(a) || needs_record(b),
        And(keys) => keys.iter().any(needs_record),
        _ => true,
    }
}

/// True if any of `keys` [`needs_text`].
pub fn any_needs_text(keys: &[SearchKey]) -> bool {
    keys.iter().any(needs_text)
}

/// The top-level list of a SEARCH command: true if `msg` matches every key (an empty list
/// matches everything, like `ALL`).
pub fn search(keys: &[SearchKey], msg: &Message<'_>, ctx: &Context) -> bool {
    keys.iter().all(|k| matches(k, msg, ctx))
}

/// Where the text keys get their answer when [`Message::text`] is `None`: typically a search
/// index, which can rule a message out without its text and holds the text of the rest.
pub trait TextSource {
    /// `true` if the text key `key` (under FUZZY if `fuzzy`) certainly does not match this
    /// message (the index has no candidate for it). Must never be `true` for a message that
    /// matches.
    fn excludes(&self, key: &SearchKey, fuzzy: bool) -> bool;
    /// The text key's outcome on this message when the source already knows it (a remote
    /// index that evaluated it on the same folded text): its [`key_score`], 0 for no match.
    /// `None` (the default) leaves it to [`text`](Self::text).
    fn verdict(&self, _key: &SearchKey, _fuzzy: bool) -> Option<u8> {
        None
    }
    /// The message's folded text, fetched only when a text key needs it; `None` reads as a
    /// message without text.
    fn text(&self) -> Option<&FoldedText>;
}

/// [`search`] with text keys answered through `source` when `msg.text` is `None`: the same
/// RFC semantics, so the result is exactly [`search`]'s on the full text as long as
/// `source` never excludes a match and gives the same text.
pub fn search_with(
    keys: &[SearchKey],
    msg: &Message<'_>,
    ctx: &Context,
    source: &dyn TextSource,
) -> bool {
    keys.iter().all(|k| eval(k, msg, ctx, Some(source), false))
}

/// True if `msg` satisfies `key` (RFC 9051 §6.4.4 and the extensions named in the crate docs,
/// with the decisions listed there).
pub fn matches(key: &SearchKey, msg: &Message<'_>, ctx: &Context) -> bool {
    eval(key, msg, ctx, None, false)
}

/// The RFC 6203 relevancy (1–100) of a message that matches `keys` (0 if it does not): the
/// score of each text key under FUZZY ([`FoldedText`]'s gram share, 100 for an exact match),
/// the lowest over an AND, the highest over an OR; every other key, and every text key outside
/// FUZZY, counts as 100 when it matches. A search without FUZZY gives 100 for every match.
/// `source` answers when `msg.text` is `None`, as for [`search_with`].
pub fn relevancy(
    keys: &[SearchKey],
    msg: &Message<'_>,
    ctx: &Context,
    source: Option<&dyn TextSource>,
) -> u8 {
    keys.iter()
        .map(|k| score(k, msg, ctx, source, false))
        .min()
        .unwrap_or(100)
}

fn score(
    key: &SearchKey,
    msg: &Message<'_>,
    ctx: &Context,
    source: Option<&dyn TextSource>,
    fuzzy: bool,
) -> u8 {
    use SearchKey::*;
    match key {
        And(keys) => keys
            .iter()
            .map(|k| score(k, msg, ctx, source, fuzzy))
            .min()
            .unwrap_or(100),
        Or(a, b) => score(a, msg, ctx, source, fuzzy).max(score(b, msg, ctx, source, fuzzy)),
        Fuzzy(k) => score(k, msg, ctx, source, true),
        k => match text_key(k) {
            Some((tk, s)) if fuzzy => {
                if excluded(k, msg, source, true) {
                    0
                } else if let Some(v) = verdict_of(k, msg, source, true) {
                    v
                } else {
                    text::fuzzy_score(text_of(msg, source), tk, s)
                }
            }
            _ => {
                if eval(k, msg, ctx, source, fuzzy) {
                    100
                } else {
                    0
                }
            }
        },
    }
}

/// The text key's kind and string, for the eight text keys.
fn text_key(key: &SearchKey) -> Option<(text::Key<'_>, &[u8])> {
    use SearchKey::*;
    Some(match key {
        From(s) => (text::Key::Address("From"), &s[..]),
        To(s) => (text::Key::Address("To"), &s[..]),
        Cc(s) => (text::Key::Address("Cc"), &s[..]),
        Bcc(s) => (text::Key::Address("Bcc"), &s[..]),
        Header(name, s) => (text::Key::Field(name), &s[..]),
        Subject(s) => (text::Key::Subject, &s[..]),
        Body(s) => (text::Key::Body, &s[..]),
        Text(s) => (text::Key::Text, &s[..]),
        _ => return None,
    })
}

/// The text a text key reads: the message's own, else the source's, else none.
fn text_of<'a>(msg: &Message<'a>, source: Option<&'a dyn TextSource>) -> text::Text<'a> {
    static EMPTY: std::sync::OnceLock<SearchText> = std::sync::OnceLock::new();
    match msg.text {
        Some(t) => text::Text::Decoded(t),
        None => match source.and_then(|s| s.text()) {
            Some(f) => text::Text::Folded(f),
            None => text::Text::Decoded(EMPTY.get_or_init(SearchText::default)),
        },
    }
}

/// A text key on a folded text: 100 for an exact match (or a fuzzy one at full share), the
/// RFC 6203 gram share under FUZZY, 0 for no match; `None` if `key` is not a text key. What a
/// remote index ships as [`TextSource::verdict`].
pub fn key_score(key: &SearchKey, fuzzy: bool, text: &FoldedText) -> Option<u8> {
    let (tk, s) = text_key(key)?;
    let text = text::Text::Folded(text);
    Some(if fuzzy {
        text::fuzzy_score(text, tk, s)
    } else if text::exact(text, tk, s) {
        100
    } else {
        0
    })
}

/// A source's verdict on a text key, when the message has no text of its own.
fn verdict_of(
    key: &SearchKey,
    msg: &Message<'_>,
    source: Option<&dyn TextSource>,
    fuzzy: bool,
) -> Option<u8> {
    if msg.text.is_some() {
        return None;
    }
    source.and_then(|s| s.verdict(key, fuzzy))
}

/// True if the source rules the text key out without the text.
fn excluded(
    key: &SearchKey,
    msg: &Message<'_>,
    source: Option<&dyn TextSource>,
    fuzzy: bool,
) -> bool {
    msg.text.is_none() && source.is_some_and(|s| s.excludes(key, fuzzy))
}

fn eval(
    key: &SearchKey,
    msg: &Message<'_>,
    ctx: &Context,
    source: Option<&dyn TextSource>,
    fuzzy: bool,
) -> bool {
    use SearchKey::*;
    match key {
        All => true,
        And(keys) => keys.iter().all(|k| eval(k, msg, ctx, source, fuzzy)),
        Or(a, b) => eval(a, msg, ctx, source, fuzzy) || eval(b, msg, ctx, source, fuzzy),
        Not(k) => !eval(k, msg, ctx, source, fuzzy),
        Fuzzy(k) => eval(k, msg, ctx, source, true),

        Answered => msg.flags.answered,
        Unanswered => !msg.flags.answered,
        Deleted => msg.flags.deleted,
        Undeleted => !msg.flags.deleted,
        Draft => msg.flags.draft,
        Undraft => !msg.flags.draft,
        Flagged => msg.flags.flagged,
        Unflagged => !msg.flags.flagged,
        Seen => msg.flags.seen,
        Unseen => !msg.flags.seen,
        Keyword(k) => msg.flags.has_keyword(k),
        Unkeyword(k) => !msg.flags.has_keyword(k),
        Recent => msg.recent,
        New => msg.recent && !msg.flags.seen,
        Old => !msg.recent,

        Larger(n) => msg.size > *n,
        Smaller(n) => msg.size < *n,
        ModSeq { mod_seq, .. } => msg.modseq >= *mod_seq,
        SequenceSet(set) => set.contains(msg.seq, ctx.max_seq),
        Uid(set) => set.contains(msg.uid, ctx.max_uid),
        EmailId(id) => msg.email_id == id.as_str(),
        ThreadId(id) => msg.thread_id == Some(id.as_str()),

        Before(d) => dates::internal_day(msg) < d.days_since_epoch(),
        On(d) => dates::internal_day(msg) == d.days_since_epoch(),
        Since(d) => dates::internal_day(msg) >= d.days_since_epoch(),
        SentBefore(d) => dates::sent_day(msg) < d.days_since_epoch(),
        SentOn(d) => dates::sent_day(msg) == d.days_since_epoch(),
        SentSince(d) => dates::sent_day(msg) >= d.days_since_epoch(),
        SavedBefore(d) => dates::saved_day(msg) < d.days_since_epoch(),
        SavedOn(d) => dates::saved_day(msg) == d.days_since_epoch(),
        SavedSince(d) => dates::saved_day(msg) >= d.days_since_epoch(),
        SaveDateSupported => true,
        Younger(n) => msg.internal_date >= ctx.now.saturating_sub_unsigned(*n),
        Older(n) => msg.internal_date <= ctx.now.saturating_sub_unsigned(*n),

        From(_) | To(_) | Cc(_) | Bcc(_) | Subject(_) | Header(..) | Body(_) | Text(_) => {
            let Some((tk, s)) = text_key(key) else {
                return false;
            };
            if excluded(key, msg, source, fuzzy) {
                return false;
            }
            if let Some(v) = verdict_of(key, msg, source, fuzzy) {
                return v > 0;
            }
            let text = text_of(msg, source);
            if fuzzy {
                text::fuzzy_score(text, tk, s) > 0
            } else {
                text::exact(text, tk, s)
            }
        }
    }
}

#[cfg(test)]
mod testutil;

#[cfg(test)]
mod flags_test;

#[cfg(test)]
mod dates_test;

#[cfg(test)]
mod text_test;

#[cfg(test)]
mod address_test;

#[cfg(test)]
mod prop_test;

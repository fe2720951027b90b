//! `[UID] SEARCH` (RFC 9051 §6.4.4): the search keys, with RFC 7162 MODSEQ, RFC 5032 WITHIN,
//! RFC 8514 SAVEDATE, RFC 8474 OBJECTID and RFC 6203 FUZZY; the ESEARCH return options
//! (RFC 4731, RFC 5182 SAVE, RFC 6203 RELEVANCY); and `CHARSET`.
//!
//! SORT and THREAD take the same search program and (SORT) return options: [`super::sort`] and
//! [`super::thread`] use `parse_return_opts`, `parse_keys`, `encode_return_opts` and
//! `encode_keys` from here.
//!
//! Search keys nest (`NOT`, `OR`, `FUZZY`, parentheses); depth is counted and capped at the
//! receiver's `max_depth` before recursing, so hostile nesting cannot exhaust the stack.

use crate::command::CommandBody;
use crate::error::ErrorKind;
use crate::parser::{PResult, Parser};
use crate::types::{Date, IString, SequenceSet};
use crate::write::Writer;

/// ESEARCH / ESORT return options (RFC 4731, RFC 5182 SAVE, RFC 6203 RELEVANCY).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SearchReturn {
    /// `MIN`
    Min,
    /// `MAX`
    Max,
    /// `ALL`
    All,
    /// `COUNT`
    Count,
    /// `SAVE`
    Save,
    /// `RELEVANCY` (RFC 6203)
    Relevancy,
}

impl SearchReturn {
    /// Wire name.
    pub fn name(self) -> &'static str {
        match self {
            SearchReturn::Min => "MIN",
            SearchReturn::Max => "MAX",
            SearchReturn::All => "ALL",
            SearchReturn::Count => "COUNT",
            SearchReturn::Save => "SAVE",
            SearchReturn::Relevancy => "RELEVANCY",
        }
    }
}

/// A search key (RFC 9051 §6.4.4, plus MODSEQ, WITHIN, SAVEDATE, OBJECTID and FUZZY keys).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchKey {
    /// `ALL`
    All,
    /// `ANSWERED`
    Answered,
    /// `BCC string`
    Bcc(IString),
    /// `BEFORE date`
    Before(Date),
    /// `BODY string`
    Body(IString),
    /// `CC string`
    Cc(IString),
    /// `DELETED`
    Deleted,
    /// `DRAFT`
    Draft,
    /// `FLAGGED`
    Flagged,
    /// `FROM string`
    From(IString),
    /// `HEADER field-name string`
    Header(String, IString),
    /// `KEYWORD flag`
    Keyword(String),
    /// `LARGER n`
    Larger(u64),
    /// `NEW` (IMAP4rev1)
    New,
    /// `NOT key`
    Not(Box<SearchKey>),
    /// `OLD` (IMAP4rev1)
    Old,
    /// `ON date`
    On(Date),
    /// `OR key key`
    Or(Box<SearchKey>, Box<SearchKey>),
    /// `RECENT` (IMAP4rev1)
    Recent,
    /// `SEEN`
    Seen,
    /// `SENTBEFORE date`
    SentBefore(Date),
    /// `SENTON date`
    SentOn(Date),
    /// `SENTSINCE date`
    SentSince(Date),
    /// `SINCE date`
    Since(Date),
    /// `SMALLER n`
    Smaller(u64),
    /// `SUBJECT string`
    Subject(IString),
    /// `TEXT string`
    Text(IString),
    /// `TO string`
    To(IString),
    /// `UID set`
    Uid(SequenceSet),
    /// `UNANSWERED`
    Unanswered,
    /// `UNDELETED`
    Undeleted,
    /// `UNDRAFT`
    Undraft,
    /// `UNFLAGGED`
    Unflagged,
    /// `UNKEYWORD flag`
    Unkeyword(String),
    /// `UNSEEN`
    Unseen,
    /// A bare sequence set (or `$`).
    SequenceSet(SequenceSet),
    /// `( key … )`: all of them.
    And(Vec<SearchKey>),
    /// `MODSEQ [entry-name entry-type] n` (RFC 7162 §3.1.5).
    ModSeq {
        /// Optional `"/flags/\\seen" shared` metadata entry.
        entry: Option<(IString, EntryType)>,
        /// Messages whose MODSEQ is at least this.
        mod_seq: u64,
    },
    /// `YOUNGER n` seconds (RFC 5032).
    Younger(u64),
    /// `OLDER n` seconds (RFC 5032).
    Older(u64),
    /// `SAVEDBEFORE date` (RFC 8514).
    SavedBefore(Date),
    /// `SAVEDON date`
    SavedOn(Date),
    /// `SAVEDSINCE date`
    SavedSince(Date),
    /// `SAVEDATESUPPORTED`
    SaveDateSupported,
    /// `EMAILID id` (RFC 8474).
    EmailId(String),
    /// `THREADID id` (RFC 8474).
    ThreadId(String),
    /// `FUZZY key` (RFC 6203).
    Fuzzy(Box<SearchKey>),
}

/// `entry-type-req` of the MODSEQ search key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryType {
    /// `priv`
    Private,
    /// `shared`
    Shared,
    /// `all`
    All,
}

// ---------- parser ----------

/// `SEARCH [SP "RETURN" SP "(" opts ")"] SP ["CHARSET" SP charset SP] keys`
pub(crate) fn parse_search(p: &mut Parser<'_>, uid: bool) -> PResult<CommandBody> {
    p.sp()?;
    let ret = parse_return_opts(p)?;
    let charset = if p.eat_word("CHARSET") {
        p.sp()?;
        let c = p.charset()?;
        p.sp()?;
        Some(c)
    } else {
        None
    };
    let criteria = parse_keys(p)?;
    Ok(CommandBody::Search {
        uid,
        charset,
        ret,
        criteria,
    })
}

/// `"RETURN" SP "(" [search-return-opt *(SP search-return-opt)] ")" SP`, if present.
pub(crate) fn parse_return_opts(p: &mut Parser<'_>) -> PResult<Option<Vec<SearchReturn>>> {
    if !p.eat_word("RETURN") {
        return Ok(None);
    }
    p.sp()?;
    let opts = p.list(0, |p| {
        Ok(match p.keyword()?.as_str() {
            "MIN" => SearchReturn::Min,
            "MAX" => SearchReturn::Max,
            "ALL" => SearchReturn::All,
            "COUNT" => SearchReturn::Count,
            "SAVE" => SearchReturn::Save,
            "RELEVANCY" => SearchReturn::Relevancy,
            o => {
                return Err(ErrorKind::Syntax(format!(
                    "unknown SEARCH return option {o}"
                )));
            }
        })
    })?;
    p.sp()?;
    Ok(Some(opts))
}

/// `search-key *(SP search-key)`
pub(crate) fn parse_keys(p: &mut Parser<'_>) -> PResult<Vec<SearchKey>> {
    let mut v = vec![key(p, 1)?];
    while p.eat_sp() {
        v.push(key(p, 1)?);
    }
    Ok(v)
}

/// One `search-key` at nesting `depth` (1 at the top).
fn key(p: &mut Parser<'_>, depth: usize) -> PResult<SearchKey> {
    use SearchKey::*;
    if depth > p.max_depth {
        return Err(ErrorKind::TooDeep { max: p.max_depth });
    }
    if p.at_seq_set() {
        return Ok(SequenceSet(p.seq_set()?));
    }
    if p.peek() == Some(b'(') {
        return Ok(And(p.list(1, |p| key(p, depth + 1))?));
    }
    let k = p.keyword()?;
    let arg = |p: &mut Parser<'_>| -> PResult<_> {
        p.sp()?;
        p.astring()
    };
    let date = |p: &mut Parser<'_>| -> PResult<_> {
        p.sp()?;
        p.date()
    };
    Ok(match k.as_str() {
        "ALL" => All,
        "ANSWERED" => Answered,
        "DELETED" => Deleted,
        "DRAFT" => Draft,
        "FLAGGED" => Flagged,
        "NEW" => New,
        "OLD" => Old,
        "RECENT" => Recent,
        "SEEN" => Seen,
        "UNANSWERED" => Unanswered,
        "UNDELETED" => Undeleted,
        "UNDRAFT" => Undraft,
        "UNFLAGGED" => Unflagged,
        "UNSEEN" => Unseen,
        "SAVEDATESUPPORTED" => SaveDateSupported,
        "BCC" => Bcc(arg(p)?),
        "BODY" => Body(arg(p)?),
        "CC" => Cc(arg(p)?),
        "FROM" => From(arg(p)?),
        "SUBJECT" => Subject(arg(p)?),
        "TEXT" => Text(arg(p)?),
        "TO" => To(arg(p)?),
        "HEADER" => {
            p.sp()?;
            let field = p.astring_text()?;
            Header(field, arg(p)?)
        }
        "BEFORE" => Before(date(p)?),
        "ON" => On(date(p)?),
        "SINCE" => Since(date(p)?),
        "SENTBEFORE" => SentBefore(date(p)?),
        "SENTON" => SentOn(date(p)?),
        "SENTSINCE" => SentSince(date(p)?),
        "SAVEDBEFORE" => SavedBefore(date(p)?),
        "SAVEDON" => SavedOn(date(p)?),
        "SAVEDSINCE" => SavedSince(date(p)?),
        "KEYWORD" | "UNKEYWORD" => {
            p.sp()?;
            let flag = p.atom()?;
            if k == "KEYWORD" {
                Keyword(flag)
            } else {
                Unkeyword(flag)
            }
        }
        "LARGER" | "SMALLER" => {
            p.sp()?;
            let n = p.number64()?;
            if k == "LARGER" { Larger(n) } else { Smaller(n) }
        }
        "YOUNGER" | "OLDER" => {
            p.sp()?;
            let n = p.nz_number()? as u64;
            if k == "YOUNGER" { Younger(n) } else { Older(n) }
        }
        "UID" => {
            p.sp()?;
            Uid(p.seq_set()?)
        }
        "NOT" => {
            p.sp()?;
            Not(Box::new(key(p, depth + 1)?))
        }
        "FUZZY" => {
            p.sp()?;
            Fuzzy(Box::new(key(p, depth + 1)?))
        }
        "OR" => {
            p.sp()?;
            let a = key(p, depth + 1)?;
            p.sp()?;
            let b = key(p, depth + 1)?;
            Or(Box::new(a), Box::new(b))
        }
        "MODSEQ" => {
            // MODSEQ [SP entry-name SP entry-type-req] SP mod-sequence-valzer (RFC 7162 §7)
            p.sp()?;
            let mut entry = None;
            if p.peek() == Some(b'"') {
                let name = p.string()?;
                // entry-flag-name = DQUOTE "/flags/" attr-flag DQUOTE: a flag, so 7-bit.
                let flag = name
                    .get(..7)
                    .filter(|pre| pre.eq_ignore_ascii_case(b"/flags/"))
                    .and_then(|_| std::str::from_utf8(&name[7..]).ok())
                    .and_then(crate::types::Flag::parse);
                if flag.is_none() {
                    return Err(ErrorKind::Syntax(
                        "MODSEQ entry name is not /flags/<flag>".into(),
                    ));
                }
                p.sp()?;
                let ty = match p.keyword()?.as_str() {
                    "PRIV" => EntryType::Private,
                    "SHARED" => EntryType::Shared,
                    "ALL" => EntryType::All,
                    o => return Err(ErrorKind::Syntax(format!("unknown entry type {o}"))),
                };
                p.sp()?;
                entry = Some((name, ty));
            }
            ModSeq {
                entry,
                mod_seq: p.number64()?,
            }
        }
        "EMAILID" | "THREADID" => {
            p.sp()?;
            let id = object_id(p)?;
            if k == "EMAILID" {
                EmailId(id)
            } else {
                ThreadId(id)
            }
        }
        other => return Err(ErrorKind::Syntax(format!("unknown search key {other}"))),
    })
}

/// `objectid = 1*255(ALPHA / DIGIT / "_" / "-")` (RFC 8474 §7).
fn object_id(p: &mut Parser<'_>) -> PResult<String> {
    let id = p.atom()?;
    if id.len() > 255
        || !id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        return Err(ErrorKind::Syntax("bad object id".into()));
    }
    Ok(id)
}

// ---------- encoder ----------

/// `[ RETURN (…)][ CHARSET c] keys`
pub(crate) fn encode_search<'w>(
    charset: Option<&str>,
    ret: Option<&[SearchReturn]>,
    criteria: &[SearchKey],
    w: &'w mut Writer,
) -> &'w mut Writer {
    encode_return_opts(ret, w);
    if let Some(c) = charset {
        w.raw(b" CHARSET ").atom_or_string(c.as_bytes());
    }
    encode_keys(criteria, w.sp())
}

/// ` RETURN (opt …)` when given (RFC 4731, RFC 5267).
pub(crate) fn encode_return_opts<'w>(
    ret: Option<&[SearchReturn]>,
    w: &'w mut Writer,
) -> &'w mut Writer {
    let Some(ret) = ret else { return w };
    w.raw(b" RETURN (");
    for (i, r) in ret.iter().enumerate() {
        if i > 0 {
            w.sp();
        }
        w.raw(r.name().as_bytes());
    }
    w.raw(b")")
}

/// `search-key *(SP search-key)`; `ALL` for none (the grammar needs one; no key ANDs to all).
pub(crate) fn encode_keys<'w>(keys: &[SearchKey], w: &'w mut Writer) -> &'w mut Writer {
    if keys.is_empty() {
        return w.raw(b"ALL");
    }
    for (i, k) in keys.iter().enumerate() {
        if i > 0 {
            w.sp();
        }
        encode_key(k, w);
    }
    w
}

/// `NAME date-text`, e.g. `SINCE 1-Feb-2024`.
fn write_date<'w>(name: &[u8], d: &Date, w: &'w mut Writer) -> &'w mut Writer {
    w.raw(name).sp().raw(d.to_string().as_bytes())
}

fn encode_key<'w>(k: &SearchKey, w: &'w mut Writer) -> &'w mut Writer {
    use SearchKey::*;
    match k {
        All => w.raw(b"ALL"),
        Answered => w.raw(b"ANSWERED"),
        Bcc(s) => w.raw(b"BCC ").astring(s),
        Before(d) => write_date(b"BEFORE", d, w),
        Body(s) => w.raw(b"BODY ").astring(s),
        Cc(s) => w.raw(b"CC ").astring(s),
        Deleted => w.raw(b"DELETED"),
        Draft => w.raw(b"DRAFT"),
        Flagged => w.raw(b"FLAGGED"),
        From(s) => w.raw(b"FROM ").astring(s),
        Header(field, value) => w
            .raw(b"HEADER ")
            .astring(field.as_bytes())
            .sp()
            .astring(value),
        Keyword(k) => w.raw(b"KEYWORD ").atom_or_string(k.as_bytes()),
        Larger(n) => w.raw(b"LARGER ").num(*n),
        New => w.raw(b"NEW"),
        Not(k) => encode_key(k, w.raw(b"NOT ")),
        Old => w.raw(b"OLD"),
        On(d) => write_date(b"ON", d, w),
        Or(a, b) => encode_key(b, encode_key(a, w.raw(b"OR ")).sp()),
        Recent => w.raw(b"RECENT"),
        Seen => w.raw(b"SEEN"),
        SentBefore(d) => write_date(b"SENTBEFORE", d, w),
        SentOn(d) => write_date(b"SENTON", d, w),
        SentSince(d) => write_date(b"SENTSINCE", d, w),
        Since(d) => write_date(b"SINCE", d, w),
        Smaller(n) => w.raw(b"SMALLER ").num(*n),
        Subject(s) => w.raw(b"SUBJECT ").astring(s),
        Text(s) => w.raw(b"TEXT ").astring(s),
        To(s) => w.raw(b"TO ").astring(s),
        Uid(set) => w.raw(b"UID ").seq_set(set),
        Unanswered => w.raw(b"UNANSWERED"),
        Undeleted => w.raw(b"UNDELETED"),
        Undraft => w.raw(b"UNDRAFT"),
        Unflagged => w.raw(b"UNFLAGGED"),
        Unkeyword(k) => w.raw(b"UNKEYWORD ").atom_or_string(k.as_bytes()),
        Unseen => w.raw(b"UNSEEN"),
        SequenceSet(set) => w.seq_set(set),
        And(keys) if keys.is_empty() => w.raw(b"ALL"),
        And(keys) => encode_keys(keys, w.raw(b"(")).raw(b")"),
        ModSeq { entry, mod_seq } => {
            w.raw(b"MODSEQ ");
            if let Some((name, kind)) = entry {
                w.string(name).sp().raw(match kind {
                    EntryType::Private => b"priv ".as_slice(),
                    EntryType::Shared => b"shared ",
                    EntryType::All => b"all ",
                });
            }
            w.num(*mod_seq)
        }
        Younger(n) => w.raw(b"YOUNGER ").num(*n),
        Older(n) => w.raw(b"OLDER ").num(*n),
        SavedBefore(d) => write_date(b"SAVEDBEFORE", d, w),
        SavedOn(d) => write_date(b"SAVEDON", d, w),
        SavedSince(d) => write_date(b"SAVEDSINCE", d, w),
        SaveDateSupported => w.raw(b"SAVEDATESUPPORTED"),
        EmailId(id) => w.raw(b"EMAILID ").atom_or_string(id.as_bytes()),
        ThreadId(id) => w.raw(b"THREADID ").atom_or_string(id.as_bytes()),
        Fuzzy(k) => encode_key(k, w.raw(b"FUZZY ")),
    }
}

#[cfg(test)]
#[path = "search_test.rs"]
mod tests;

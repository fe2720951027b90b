//! `[UID] SEARCH` (RFC 9051 §6.4.4, RFC 4731 ESEARCH, RFC 5182 SEARCHRES, RFC 7162 MODSEQ,
//! RFC 5032 WITHIN, RFC 8514 SAVEDATE, RFC 8474 OBJECTID, RFC 6203 FUZZY), `[UID] SORT`
//! (RFC 5256, RFC 5267 ESORT, RFC 5957 DISPLAY) and `[UID] THREAD` (RFC 5256).
//!
//! Search keys nest (`NOT`, `OR`, `FUZZY`, parentheses); depth is counted and capped at the
//! receiver's `max_depth` before recursing, so hostile nesting cannot exhaust the stack.

use super::{PResult, Parser};
use crate::command::{
    CommandBody, EntryType, SearchKey, SearchReturn, SortCriterion, SortKey, ThreadAlgorithm,
};
use crate::error::ErrorKind;

/// `SEARCH [SP "RETURN" SP "(" opts ")"] SP ["CHARSET" SP charset SP] keys`
pub(super) fn parse_search(p: &mut Parser<'_>, uid: bool) -> PResult<CommandBody> {
    p.sp()?;
    let ret = return_opts(p)?;
    let charset = if p.eat_word("CHARSET") {
        p.sp()?;
        let c = p.charset()?;
        p.sp()?;
        Some(c)
    } else {
        None
    };
    let criteria = keys(p)?;
    Ok(CommandBody::Search {
        uid,
        charset,
        ret,
        criteria,
    })
}

/// `SORT [SP sort-return-opts] SP sort-criteria SP charset 1*(SP search-key)`
pub(super) fn parse_sort(p: &mut Parser<'_>, uid: bool) -> PResult<CommandBody> {
    p.sp()?;
    let ret = return_opts(p)?;
    let criteria = p.list(1, |p| {
        let reverse = p.eat_word("REVERSE") && {
            p.sp()?;
            true
        };
        let k = p.keyword()?;
        let key = SortKey::ALL
            .into_iter()
            .find(|s| s.name() == k)
            .ok_or_else(|| ErrorKind::Syntax(format!("unknown sort key {k}")))?;
        Ok(SortCriterion { reverse, key })
    })?;
    p.sp()?;
    let charset = p.charset()?;
    p.sp()?;
    let keys = keys(p)?;
    Ok(CommandBody::Sort {
        uid,
        ret,
        criteria,
        charset,
        keys,
    })
}

/// `THREAD SP thread-alg SP charset 1*(SP search-key)`
pub(super) fn parse_thread(p: &mut Parser<'_>, uid: bool) -> PResult<CommandBody> {
    p.sp()?;
    let algorithm = match p.atom()?.to_ascii_uppercase().as_str() {
        "ORDEREDSUBJECT" => ThreadAlgorithm::OrderedSubject,
        "REFERENCES" => ThreadAlgorithm::References,
        other => ThreadAlgorithm::Other(other.to_string()),
    };
    p.sp()?;
    let charset = p.charset()?;
    p.sp()?;
    let keys = keys(p)?;
    Ok(CommandBody::Thread {
        uid,
        algorithm,
        charset,
        keys,
    })
}

/// `"RETURN" SP "(" [search-return-opt *(SP search-return-opt)] ")" SP`, if present.
fn return_opts(p: &mut Parser<'_>) -> PResult<Option<Vec<SearchReturn>>> {
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
fn keys(p: &mut Parser<'_>) -> PResult<Vec<SearchKey>> {
    let mut v = vec![key(p, 1)?];
    while p.eat(b' ') {
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

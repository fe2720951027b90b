//! Flags between the wire and the store: IMAP flag lists ↔ [`store::Flags`].

use crate::reply::Reply;
use imap_proto::response::{Code, Response, State as Cond, StatusResponse};
use imap_proto::types::Flag;
use store::Flags;

/// `* FLAGS (…)`: the system flags and `keywords` (RFC 9051 §7.3.5).
pub(crate) fn flags_response(keywords: &[String]) -> Response {
    Response::Flags(imap_flags(
        &Flags::new(0x1f, keywords.iter().cloned()),
        false,
    ))
}

/// `* OK [PERMANENTFLAGS (…)]`: the same flags and `\*` (new keywords may be created), or none
/// in a read-only mailbox.
/// `new_keywords`: whether `\*` is in it (new keywords can be made: not when the mailbox
/// has as many as it may define, RFC 9051 §7.1 PERMANENTFLAGS).
pub(crate) fn permanent_flags_response(
    keywords: &[String],
    read_only: bool,
    new_keywords: bool,
) -> Response {
    let flags = if read_only {
        Vec::new()
    } else {
        imap_flags(&Flags::new(0x1f, keywords.iter().cloned()), false)
    };
    let code = Code::PermanentFlags {
        flags,
        new_keywords: !read_only && new_keywords,
    };
    Response::Status(StatusResponse::untagged(Cond::Ok, "flags permitted").with_code(code))
}

/// IMAP flags of a store flag set: the system flags in a fixed order, `\Recent` if `recent`,
/// then the keywords (what FETCH FLAGS and the FLAGS response send).
pub fn imap_flags(f: &Flags, recent: bool) -> Vec<Flag> {
    let mut out = Vec::new();
    for (bit, flag) in [
        (Flags::SEEN, Flag::Seen),
        (Flags::ANSWERED, Flag::Answered),
        (Flags::FLAGGED, Flag::Flagged),
        (Flags::DELETED, Flag::Deleted),
        (Flags::DRAFT, Flag::Draft),
    ] {
        if f.has(bit) {
            out.push(flag);
        }
    }
    if recent {
        out.push(Flag::Recent);
    }
    out.extend(f.keywords.iter().map(|k| Flag::Keyword(k.clone())));
    out
}

/// A message's store flags as SEARCH reads them (imap-search has no storage types).
pub(crate) fn search_flags(f: &Flags) -> imap_search::MessageFlags<'_> {
    imap_search::MessageFlags {
        seen: f.has(Flags::SEEN),
        answered: f.has(Flags::ANSWERED),
        flagged: f.has(Flags::FLAGGED),
        deleted: f.has(Flags::DELETED),
        draft: f.has(Flags::DRAFT),
        keywords: &f.keywords,
    }
}

/// Store flags from IMAP flags (STORE, APPEND). `\Recent` cannot be set by a client and is
/// ignored; any other `\`-flag we do not know is refused.
pub(crate) fn store_flags(flags: &[Flag]) -> Result<Flags, Reply> {
    let mut system = 0;
    let mut keywords = Vec::new();
    for f in flags {
        match f {
            Flag::Seen => system |= Flags::SEEN,
            Flag::Answered => system |= Flags::ANSWERED,
            Flag::Flagged => system |= Flags::FLAGGED,
            Flag::Deleted => system |= Flags::DELETED,
            Flag::Draft => system |= Flags::DRAFT,
            Flag::Recent => {}
            Flag::Extension(x) => {
                return Err(Reply::bad(format!("\\{x} is not a flag this server knows")));
            }
            Flag::Keyword(k) => keywords.push(k.clone()),
        }
    }
    Ok(Flags::new(system, keywords))
}

//! Server responses as typed values, and their serializer (RFC 9051 §7, §9 and the extensions
//! Strata speaks).
//!
//! ```text
//!  Response ──serialize──▶ Writer ──▶ "* 12 FETCH (UID 7 BODY[] {342}\r\n…)\r\n"
//!     │
//!     ├─ status.rs   tagged/untagged OK NO BAD, PREAUTH, BYE, "+" continuation
//!     ├─ code.rs     [response codes]
//!     ├─ mailbox.rs  FLAGS, EXISTS, RECENT, EXPUNGE, VANISHED, STATUS
//!     ├─ list.rs     LIST / LSUB with extended data items
//!     ├─ search.rs   SEARCH, ESEARCH, SORT, THREAD
//!     ├─ misc.rs     CAPABILITY, ENABLED, NAMESPACE, ID, QUOTA, QUOTAROOT
//!     ├─ fetch.rs    FETCH data items
//!     ├─ envelope.rs ENVELOPE and addresses
//!     └─ body.rs     BODY / BODYSTRUCTURE
//! ```
//!
//! Every [`Response::serialize`] call writes exactly one complete response, CRLF included. Strings
//! go through [`Writer`], which picks atom, quoted string or literal for each value, so no value
//! can ever end a line early.
//!
//! Values the grammar restricts to atoms (capability names, keywords, object ids, code names)
//! have no escape form. The types do not prove them valid, so the serializer repairs them rather
//! than trusting them: each forbidden octet becomes `_`, and an empty value becomes `_`. A buggy
//! value may then change meaning, but it can never break framing or inject a response line.

mod body;
mod code;
mod envelope;
mod fetch;
#[cfg(test)]
mod framing_test;
mod list;
mod mailbox;
mod misc;
mod search;
mod status;

pub use body::{BodyFields, BodyStructure, Disposition, MultiPart, MultiPartExtension};
pub use body::{SingleKind, SinglePart, SinglePartExtension};
pub use code::Code;
pub use envelope::{Address, Envelope};
pub use fetch::{FetchItem, FetchResponse, FetchWriter, StreamedItem, StreamedKind};
pub use list::{ListExtItem, ListResponse, MailboxAttr};
pub use mailbox::{MailboxStatus, StatusValue};
pub use misc::{Namespace, NamespaceResponse, QuotaResource, QuotaResponse, QuotaRootResponse};
pub use search::{ESearchItem, ESearchResponse, SearchResponse, Thread};
pub use status::{Condition, Continue, State, StatusResponse};

use crate::types::{Flag, IString, SequenceSet};
use crate::write::{WriteOptions, Writer};

/// One server response: a status response, a continuation request or one untagged data line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Response {
    /// `tag OK/NO/BAD …`, `* OK/NO/BAD …`, `* PREAUTH …`, `* BYE …` (RFC 9051 §7.1).
    Status(StatusResponse),
    /// `+ text` or `+ base64` (RFC 9051 §7.6).
    Continue(Continue),
    /// `* CAPABILITY name…` (RFC 9051 §7.2.2): atoms such as `IMAP4rev2`, `AUTH=PLAIN`.
    Capability(Vec<String>),
    /// `* ENABLED name…` (RFC 5161 §3.2).
    Enabled(Vec<String>),
    /// `* FLAGS (flag…)` (RFC 9051 §7.3.5).
    Flags(Vec<Flag>),
    /// `* LIST …` (RFC 9051 §7.3.1, RFC 5258).
    List(ListResponse),
    /// `* LSUB …` (RFC 3501 §7.2.3, IMAP4rev1 only; extended items are not written).
    Lsub(ListResponse),
    /// `* STATUS mailbox (item value …)` (RFC 9051 §7.3.3).
    MailboxStatus(MailboxStatus),
    /// `* n EXISTS` (RFC 9051 §7.4.1).
    Exists(u32),
    /// `* n RECENT` (RFC 3501 §7.3.2, IMAP4rev1 only).
    Recent(u32),
    /// `* n EXPUNGE` (RFC 9051 §7.5.1).
    Expunge(u32),
    /// `* VANISHED [(EARLIER)] uids` (RFC 7162 §3.2.10).
    Vanished {
        /// `(EARLIER)`: the UIDs were expunged before this command, not just now.
        earlier: bool,
        /// The expunged UIDs.
        uids: SequenceSet,
    },
    /// `* SEARCH n… [(MODSEQ m)]` (RFC 3501 §7.2.5, RFC 7162 §3.1.5).
    Search(SearchResponse),
    /// `* ESEARCH [(TAG "t")] [UID] item…` (RFC 9051 §7.3.4, RFC 4731).
    ESearch(ESearchResponse),
    /// `* SORT n… [(MODSEQ m)]` (RFC 5256 §4, RFC 7162 §3.1.5).
    Sort(SearchResponse),
    /// `* THREAD (…)(…)` (RFC 5256 §4).
    Thread(Vec<Thread>),
    /// `* NAMESPACE personal other shared` (RFC 9051 §7.3.2).
    Namespace(NamespaceResponse),
    /// `* ID NIL` or `* ID ("field" "value" …)` (RFC 2971 §3.2).
    Id(Option<Vec<(IString, Option<IString>)>>),
    /// `* QUOTA root (resource usage limit …)` (RFC 9208 §4.2.1).
    Quota(QuotaResponse),
    /// `* QUOTAROOT mailbox root…` (RFC 9208 §4.2.2).
    QuotaRoot(QuotaRootResponse),
    /// `* n FETCH (item…)` (RFC 9051 §7.5.2).
    Fetch(FetchResponse),
}

impl Response {
    /// Writes the whole response, trailing CRLF included.
    pub fn serialize(&self, w: &mut Writer) {
        match self {
            Response::Status(s) => return s.write(w),
            Response::Continue(c) => return c.write(w),
            _ => {}
        }
        w.raw(b"* ");
        match self {
            Response::Status(_) | Response::Continue(_) => {}
            Response::Capability(caps) => misc::capability(w, caps),
            Response::Enabled(caps) => misc::enabled(w, caps),
            Response::Flags(flags) => mailbox::flags(w, flags),
            Response::List(l) => l.write(w, b"LIST", true),
            Response::Lsub(l) => l.write(w, b"LSUB", false),
            Response::MailboxStatus(s) => s.write(w),
            Response::Exists(n) => mailbox::counted(w, *n, b"EXISTS"),
            Response::Recent(n) => mailbox::counted(w, *n, b"RECENT"),
            Response::Expunge(n) => mailbox::counted(w, *n, b"EXPUNGE"),
            Response::Vanished { earlier, uids } => mailbox::vanished(w, *earlier, uids),
            Response::Search(s) => s.write(w, b"SEARCH"),
            Response::ESearch(e) => e.write(w),
            Response::Sort(s) => s.write(w, b"SORT"),
            Response::Thread(t) => search::thread(w, t),
            Response::Namespace(n) => n.write(w),
            Response::Id(params) => misc::id(w, params.as_deref()),
            Response::Quota(q) => q.write(w),
            Response::QuotaRoot(q) => q.write(w),
            Response::Fetch(f) => f.write(w),
        }
        w.crlf();
    }

    /// The response's bytes under the given string rules.
    pub fn to_bytes(&self, opts: WriteOptions) -> Vec<u8> {
        let mut w = Writer::new(opts);
        self.serialize(&mut w);
        w.take()
    }
}

impl From<StatusResponse> for Response {
    fn from(s: StatusResponse) -> Response {
        Response::Status(s)
    }
}

impl From<FetchResponse> for Response {
    fn from(f: FetchResponse) -> Response {
        Response::Fetch(f)
    }
}

/// Writes `s` as an atom, repairing it if it is not one ([`Writer::atom`]).
fn atom(w: &mut Writer, s: &str) {
    w.atom(s);
}

/// Writes `items` separated by SP, each with `f`.
fn sp_list<T>(w: &mut Writer, items: &[T], mut f: impl FnMut(&mut Writer, &T)) {
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            w.sp();
        }
        f(w, item);
    }
}

/// One flag ([`Writer::flag`], which repairs keyword text).
fn flag(w: &mut Writer, f: &Flag) {
    w.flag(f);
}

/// `(flag flag …)` ([`Writer::flag_list`], which repairs keyword text).
fn flag_list(w: &mut Writer, flags: &[Flag]) {
    w.flag_list(flags);
}

/// A hierarchy delimiter, `DQUOTE QUOTED-CHAR DQUOTE / nil` (RFC 9051 `mailbox-list`).
///
/// `"` and `\` are escaped. A character a quoted string cannot carry (CR, LF, NUL, or 8-bit text
/// without UTF-8) is written as NIL, the only other form the grammar offers.
fn delimiter(w: &mut Writer, d: Option<char>) {
    let mut tmp = [0u8; 4];
    match d {
        Some(c) if !matches!(c, '\r' | '\n' | '\0') && (c.is_ascii() || w.opts.utf8) => {
            w.quoted(c.encode_utf8(&mut tmp).as_bytes());
        }
        _ => {
            w.raw(b"NIL");
        }
    }
}

/// `objectid = 1*255(ALPHA / DIGIT / "_" / "-")` (RFC 8474 §7), repaired like an atom.
fn object_id(w: &mut Writer, id: &str) {
    w.repaired(id, |b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
}

/// Asserts the exact bytes of `r` under `opts`, printing both sides escaped on failure.
#[cfg(test)]
fn assert_wire(r: &Response, opts: WriteOptions, expected: &[u8]) {
    let got = r.to_bytes(opts);
    assert!(
        got == expected,
        "\n got: {}\nwant: {}",
        got.escape_ascii(),
        expected.escape_ascii()
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::Tag;

    const REV1: WriteOptions = WriteOptions::SERVER_REV1;
    const UTF8: WriteOptions = WriteOptions::SERVER_UTF8;

    #[test]
    fn untagged_data_is_one_line_with_crlf() {
        assert_wire(&Response::Exists(23), REV1, b"* 23 EXISTS\r\n");
        let ok = StatusResponse::tagged(Tag::new("a1").unwrap(), State::Ok, "done");
        assert_wire(&ok.into(), REV1, b"a1 OK done\r\n");
    }

    #[test]
    fn atoms_are_repaired_never_trusted() {
        let caps = vec!["IMAP4rev2".to_string(), "X\r\n* BYE".into(), String::new()];
        assert_wire(
            &Response::Capability(caps),
            REV1,
            b"* CAPABILITY IMAP4rev2 X____BYE _\r\n",
        );
        let flags = vec![Flag::Keyword("a b]".into()), Flag::Extension("x(".into())];
        assert_wire(&Response::Flags(flags), REV1, b"* FLAGS (a_b_ \\x_)\r\n");
    }

    #[test]
    fn delimiter_escapes_or_falls_back_to_nil() {
        let d = |c: Option<char>, opts: WriteOptions| {
            let mut w = Writer::new(opts);
            delimiter(&mut w, c);
            w.take()
        };
        assert_eq!(d(Some('/'), REV1), b"\"/\"");
        assert_eq!(d(Some('"'), REV1), b"\"\\\"\"");
        assert_eq!(d(Some('\\'), REV1), b"\"\\\\\"");
        assert_eq!(d(None, REV1), b"NIL");
        assert_eq!(d(Some('\n'), UTF8), b"NIL");
        assert_eq!(d(Some('\0'), REV1), b"NIL");
        assert_eq!(d(Some('·'), REV1), b"NIL");
        assert_eq!(d(Some('·'), UTF8), "\"·\"".as_bytes());
    }

    #[test]
    fn object_ids_keep_only_their_alphabet() {
        let mut w = Writer::new(REV1);
        object_id(&mut w, "M6d99ac-3275_b");
        w.sp();
        object_id(&mut w, "a) b\r\n");
        w.sp();
        object_id(&mut w, "");
        assert_eq!(w.take(), b"M6d99ac-3275_b a__b__ _");
    }
}

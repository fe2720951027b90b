//! Command encoder: the client side of [`crate::command`].
//!
//! [`encode`] writes one complete [`Command`], final CRLF included, in the form RFC 9051 §9 and the
//! extensions' grammars give it. Every string goes through [`Writer`], so a value is an atom, a
//! quoted string or a literal as its octets require: CR, LF, NUL or (without UTF-8) 8-bit octets
//! never reach the wire raw. Values the grammar wants as atoms (mechanism names, charsets, flag
//! keywords…) are written raw only when they *are* atoms; otherwise they are written as a string,
//! which a server rejects with `BAD` instead of reading an injected command.
//!
//! A client writing the result must stop at each offset in [`Writer::continuations`] and wait for
//! the server's `+` (synchronizing literals); with [`WriteOptions::non_sync_literals`] there are
//! none. Used by our test client and by the round-trip tests (`tests/roundtrip.rs`).

use crate::command::{
    AppendKind, AppendMessage, Command, CommandBody, EntryType, FetchAttr, FetchItems,
    FetchModifiers, InitialResponse, ListCommand, ListReturn, ListSelect, SearchKey, SearchReturn,
    Section, SectionText, SelectParams, StoreAction, ThreadAlgorithm,
};
use crate::types::{Date, Flag, IString, StatusItem, is_atom_char};
use crate::write::{WriteOptions, Writer};
use base64::Engine as _;

/// Writes `cmd` (tag, command, arguments and the final CRLF) to `w`.
///
/// Synchronizing literals are recorded in `w.continuations`. Values the grammar cannot carry (an
/// empty search program, an empty FETCH list…) are the caller's error: they are written as the
/// equivalent well-formed form where there is one (`ALL` for no search keys, `=` for an empty
/// SASL initial response) and otherwise as given, for the server to reject.
pub fn encode(cmd: &Command, w: &mut Writer) {
    w.raw(cmd.tag.as_str().as_bytes()).sp();
    body(&cmd.body, w).crlf();
}

/// Encodes `cmd` into a fresh buffer with the given string rules.
pub fn to_bytes(cmd: &Command, opts: WriteOptions) -> Vec<u8> {
    let mut w = Writer::new(opts);
    encode(cmd, &mut w);
    w.buf
}

fn body<'w>(b: &CommandBody, w: &'w mut Writer) -> &'w mut Writer {
    use CommandBody::*;
    match b {
        Capability => w.raw(b"CAPABILITY"),
        Noop => w.raw(b"NOOP"),
        Logout => w.raw(b"LOGOUT"),
        Id(params) => id(params.as_deref(), w.raw(b"ID ")),
        StartTls => w.raw(b"STARTTLS"),
        Authenticate {
            mechanism,
            initial_response,
        } => {
            w.raw(b"AUTHENTICATE ").atom_or_string(mechanism.as_bytes());
            match initial_response {
                None => w,
                Some(InitialResponse::Empty) => w.raw(b" ="),
                Some(InitialResponse::Data(d)) if d.is_empty() => w.raw(b" ="),
                Some(InitialResponse::Data(d)) => {
                    let b64 = base64::engine::general_purpose::STANDARD.encode(d);
                    w.sp().raw(b64.as_bytes())
                }
            }
        }
        Login { username, password } => w.raw(b"LOGIN ").astring(username).sp().astring(password),
        Enable(names) => {
            w.raw(b"ENABLE");
            for n in names {
                w.sp().atom_or_string(n.as_bytes());
            }
            w
        }
        Select { mailbox, params } => select_params(params, w.raw(b"SELECT ").mailbox(mailbox)),
        Examine { mailbox, params } => select_params(params, w.raw(b"EXAMINE ").mailbox(mailbox)),
        Create {
            mailbox,
            special_use,
        } => {
            w.raw(b"CREATE ").mailbox(mailbox);
            if special_use.is_empty() {
                return w;
            }
            w.raw(b" (USE (");
            for (i, a) in special_use.iter().enumerate() {
                if i > 0 {
                    w.sp();
                }
                backslash_atom(a, w);
            }
            w.raw(b"))")
        }
        Delete(m) => w.raw(b"DELETE ").mailbox(m),
        Rename { from, to } => w.raw(b"RENAME ").mailbox(from).sp().mailbox(to),
        Subscribe(m) => w.raw(b"SUBSCRIBE ").mailbox(m),
        Unsubscribe(m) => w.raw(b"UNSUBSCRIBE ").mailbox(m),
        List(l) => list(l, w.raw(b"LIST ")),
        Lsub { reference, pattern } => w
            .raw(b"LSUB ")
            .mailbox(reference)
            .sp()
            .list_mailbox(pattern.as_bytes()),
        Namespace => w.raw(b"NAMESPACE"),
        Status { mailbox, items } => status_items(items, w.raw(b"STATUS ").mailbox(mailbox).sp()),
        Append { mailbox, messages } => {
            w.raw(b"APPEND ").mailbox(mailbox);
            for m in messages {
                append_message(m, w);
            }
            w
        }
        Idle => w.raw(b"IDLE"),
        Compress(alg) => w.raw(b"COMPRESS ").atom_or_string(alg.as_bytes()),
        GetQuota(root) => w.raw(b"GETQUOTA ").astring(root),
        GetQuotaRoot(m) => w.raw(b"GETQUOTAROOT ").mailbox(m),
        SetQuota { root, limits } => {
            w.raw(b"SETQUOTA ").astring(root).raw(b" (");
            for (i, (name, limit)) in limits.iter().enumerate() {
                if i > 0 {
                    w.sp();
                }
                w.atom_or_string(name.as_bytes()).sp().num(*limit);
            }
            w.raw(b")")
        }
        Check => w.raw(b"CHECK"),
        Close => w.raw(b"CLOSE"),
        Unselect => w.raw(b"UNSELECT"),
        Expunge { uids: None } => w.raw(b"EXPUNGE"),
        Expunge { uids: Some(set) } => w.raw(b"UID EXPUNGE ").seq_set(set),
        Search {
            uid,
            charset,
            ret,
            criteria,
        } => {
            search_return(ret.as_deref(), uid_prefix(*uid, w).raw(b"SEARCH"));
            if let Some(c) = charset {
                w.raw(b" CHARSET ").atom_or_string(c.as_bytes());
            }
            search_keys(criteria, w.sp())
        }
        Fetch {
            uid,
            set,
            items,
            modifiers,
        } => {
            let w = uid_prefix(*uid, w).raw(b"FETCH ").seq_set(set).sp();
            fetch_modifiers(modifiers, fetch_items(items, w))
        }
        Store {
            uid,
            set,
            unchanged_since,
            action,
            silent,
            flags,
        } => {
            uid_prefix(*uid, w).raw(b"STORE ").seq_set(set).sp();
            if let Some(n) = unchanged_since {
                w.raw(b"(UNCHANGEDSINCE ").num(*n).raw(b") ");
            }
            w.raw(match action {
                StoreAction::Add => b"+FLAGS",
                StoreAction::Remove => b"-FLAGS",
                StoreAction::Replace => b"FLAGS",
            });
            if *silent {
                w.raw(b".SILENT");
            }
            flag_list(flags, w.sp())
        }
        Copy { uid, set, mailbox } => uid_prefix(*uid, w)
            .raw(b"COPY ")
            .seq_set(set)
            .sp()
            .mailbox(mailbox),
        Move { uid, set, mailbox } => uid_prefix(*uid, w)
            .raw(b"MOVE ")
            .seq_set(set)
            .sp()
            .mailbox(mailbox),
        Sort {
            uid,
            ret,
            criteria,
            charset,
            keys,
        } => {
            search_return(ret.as_deref(), uid_prefix(*uid, w).raw(b"SORT")).raw(b" (");
            for (i, c) in criteria.iter().enumerate() {
                if i > 0 {
                    w.sp();
                }
                if c.reverse {
                    w.raw(b"REVERSE ");
                }
                w.raw(c.key.name().as_bytes());
            }
            w.raw(b") ").atom_or_string(charset.as_bytes()).sp();
            search_keys(keys, w)
        }
        Thread {
            uid,
            algorithm,
            charset,
            keys,
        } => {
            uid_prefix(*uid, w).raw(b"THREAD ");
            match algorithm {
                ThreadAlgorithm::OrderedSubject => w.raw(b"ORDEREDSUBJECT"),
                ThreadAlgorithm::References => w.raw(b"REFERENCES"),
                ThreadAlgorithm::Other(a) => w.atom_or_string(a.as_bytes()),
            };
            w.sp().atom_or_string(charset.as_bytes()).sp();
            search_keys(keys, w)
        }
    }
}

fn uid_prefix(uid: bool, w: &mut Writer) -> &mut Writer {
    if uid { w.raw(b"UID ") } else { w }
}

/// `"\" atom` (special-use attributes): the backslash goes only before a real atom; anything else
/// is written as a string, which cannot escape the list.
fn backslash_atom(s: &str, w: &mut Writer) {
    if !s.is_empty() && s.bytes().all(is_atom_char) {
        w.raw(b"\\").raw(s.as_bytes());
    } else {
        w.string(format!("\\{s}").as_bytes());
    }
}

/// True if the flag's wire text is a flag the grammar can carry raw.
fn flag_is_wire_safe(f: &Flag) -> bool {
    match f {
        Flag::Extension(s) | Flag::Keyword(s) => !s.is_empty() && s.bytes().all(is_atom_char),
        _ => true,
    }
}

/// `flag-list` through [`Writer::flag_list`], unless a flag is not an atom: that one is written as
/// a string, so that it cannot escape the list.
fn flag_list<'w>(flags: &[Flag], w: &'w mut Writer) -> &'w mut Writer {
    if flags.iter().all(flag_is_wire_safe) {
        return w.flag_list(flags);
    }
    w.raw(b"(");
    for (i, f) in flags.iter().enumerate() {
        if i > 0 {
            w.sp();
        }
        if flag_is_wire_safe(f) {
            w.raw(f.as_wire().as_bytes());
        } else {
            w.string(f.as_wire().as_bytes());
        }
    }
    w.raw(b")")
}

/// `id_params_list` (RFC 2971): `NIL` or `(field value …)`, fields as `string`, values `nstring`.
fn id<'w>(params: Option<&[(IString, Option<IString>)]>, w: &'w mut Writer) -> &'w mut Writer {
    let Some(params) = params else {
        return w.raw(b"NIL");
    };
    w.raw(b"(");
    for (i, (field, value)) in params.iter().enumerate() {
        if i > 0 {
            w.sp();
        }
        w.string(field).sp().nstring(value.as_deref());
    }
    w.raw(b")")
}

/// ` (CONDSTORE QRESYNC (…))` when any parameter is set (RFC 7162 §3.1.8, §3.2.5).
fn select_params<'w>(params: &SelectParams, w: &'w mut Writer) -> &'w mut Writer {
    if !params.condstore && params.qresync.is_none() {
        return w;
    }
    w.raw(b" (");
    if params.condstore {
        w.raw(b"CONDSTORE");
        if params.qresync.is_some() {
            w.sp();
        }
    }
    if let Some(q) = &params.qresync {
        w.raw(b"QRESYNC (")
            .num(q.uid_validity as u64)
            .sp()
            .num(q.mod_seq);
        if let Some(known) = &q.known_uids {
            w.sp().seq_set(known);
        }
        if let Some((seqs, uids)) = &q.seq_match {
            w.raw(b" (").seq_set(seqs).sp().seq_set(uids).raw(b")");
        }
        w.raw(b")");
    }
    w.raw(b")")
}

/// The arguments of LIST (RFC 5258): `[(select) ]reference pattern|(patterns)[ RETURN (…)]`.
fn list<'w>(l: &ListCommand, w: &'w mut Writer) -> &'w mut Writer {
    if !l.selection.is_empty() {
        w.raw(b"(");
        for (i, s) in l.selection.iter().enumerate() {
            if i > 0 {
                w.sp();
            }
            w.raw(match s {
                ListSelect::Subscribed => b"SUBSCRIBED".as_slice(),
                ListSelect::Remote => b"REMOTE",
                ListSelect::RecursiveMatch => b"RECURSIVEMATCH",
                ListSelect::SpecialUse => b"SPECIAL-USE",
            });
        }
        w.raw(b") ");
    }
    w.mailbox(&l.reference).sp();
    match l.patterns.as_slice() {
        [one] => w.list_mailbox(one.as_bytes()),
        many => {
            w.raw(b"(");
            for (i, p) in many.iter().enumerate() {
                if i > 0 {
                    w.sp();
                }
                w.list_mailbox(p.as_bytes());
            }
            w.raw(b")")
        }
    };
    if l.ret.is_empty() {
        return w;
    }
    w.raw(b" RETURN (");
    for (i, r) in l.ret.iter().enumerate() {
        if i > 0 {
            w.sp();
        }
        match r {
            ListReturn::Subscribed => w.raw(b"SUBSCRIBED"),
            ListReturn::Children => w.raw(b"CHILDREN"),
            ListReturn::SpecialUse => w.raw(b"SPECIAL-USE"),
            ListReturn::Status(items) => status_items(items, w.raw(b"STATUS ")),
        };
    }
    w.raw(b")")
}

/// `(item …)`
fn status_items<'w>(items: &[StatusItem], w: &'w mut Writer) -> &'w mut Writer {
    w.raw(b"(");
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            w.sp();
        }
        w.raw(item.name().as_bytes());
    }
    w.raw(b")")
}

/// `[SP flag-list] [SP date-time] SP append-data`: the message is always a literal.
fn append_message(m: &AppendMessage, w: &mut Writer) {
    if !m.flags.is_empty() {
        flag_list(&m.flags, w.sp());
    }
    if let Some(d) = &m.date {
        w.sp().date_time(d);
    }
    w.sp();
    match m.kind {
        AppendKind::Literal => w.literal(&m.data),
        AppendKind::Binary => w.literal8(&m.data),
        AppendKind::Utf8 => w.raw(b"UTF8 (").literal8(&m.data).raw(b")"),
    };
}

/// ` RETURN (opt …)` when given (RFC 4731, RFC 5267).
fn search_return<'w>(ret: Option<&[SearchReturn]>, w: &'w mut Writer) -> &'w mut Writer {
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
fn search_keys<'w>(keys: &[SearchKey], w: &'w mut Writer) -> &'w mut Writer {
    if keys.is_empty() {
        return w.raw(b"ALL");
    }
    for (i, k) in keys.iter().enumerate() {
        if i > 0 {
            w.sp();
        }
        search_key(k, w);
    }
    w
}

/// `NAME date-text`, e.g. `SINCE 1-Feb-2024`.
fn date<'w>(name: &[u8], d: &Date, w: &'w mut Writer) -> &'w mut Writer {
    w.raw(name).sp().raw(d.to_string().as_bytes())
}

fn search_key<'w>(k: &SearchKey, w: &'w mut Writer) -> &'w mut Writer {
    use SearchKey::*;
    match k {
        All => w.raw(b"ALL"),
        Answered => w.raw(b"ANSWERED"),
        Bcc(s) => w.raw(b"BCC ").astring(s),
        Before(d) => date(b"BEFORE", d, w),
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
        Not(k) => search_key(k, w.raw(b"NOT ")),
        Old => w.raw(b"OLD"),
        On(d) => date(b"ON", d, w),
        Or(a, b) => search_key(b, search_key(a, w.raw(b"OR ")).sp()),
        Recent => w.raw(b"RECENT"),
        Seen => w.raw(b"SEEN"),
        SentBefore(d) => date(b"SENTBEFORE", d, w),
        SentOn(d) => date(b"SENTON", d, w),
        SentSince(d) => date(b"SENTSINCE", d, w),
        Since(d) => date(b"SINCE", d, w),
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
        And(keys) => search_keys(keys, w.raw(b"(")).raw(b")"),
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
        SavedBefore(d) => date(b"SAVEDBEFORE", d, w),
        SavedOn(d) => date(b"SAVEDON", d, w),
        SavedSince(d) => date(b"SAVEDSINCE", d, w),
        SaveDateSupported => w.raw(b"SAVEDATESUPPORTED"),
        EmailId(id) => w.raw(b"EMAILID ").atom_or_string(id.as_bytes()),
        ThreadId(id) => w.raw(b"THREADID ").atom_or_string(id.as_bytes()),
        Fuzzy(k) => search_key(k, w.raw(b"FUZZY ")),
    }
}

/// A macro, one attribute plain, or a parenthesised list. A lone `PREVIEW` is still put in
/// parentheses: in `FETCH 1 PREVIEW (…)` the list could be its modifiers or the FETCH modifiers.
fn fetch_items<'w>(items: &FetchItems, w: &'w mut Writer) -> &'w mut Writer {
    match items {
        FetchItems::All => w.raw(b"ALL"),
        FetchItems::Fast => w.raw(b"FAST"),
        FetchItems::Full => w.raw(b"FULL"),
        FetchItems::Attrs(attrs) => match attrs.as_slice() {
            [one] if !matches!(one, FetchAttr::Preview { .. }) => fetch_attr(one, w),
            many => {
                w.raw(b"(");
                for (i, a) in many.iter().enumerate() {
                    if i > 0 {
                        w.sp();
                    }
                    fetch_attr(a, w);
                }
                w.raw(b")")
            }
        },
    }
}

fn fetch_attr<'w>(a: &FetchAttr, w: &'w mut Writer) -> &'w mut Writer {
    use FetchAttr::*;
    match a {
        Envelope => w.raw(b"ENVELOPE"),
        Flags => w.raw(b"FLAGS"),
        InternalDate => w.raw(b"INTERNALDATE"),
        Rfc822Size => w.raw(b"RFC822.SIZE"),
        Rfc822 => w.raw(b"RFC822"),
        Rfc822Header => w.raw(b"RFC822.HEADER"),
        Rfc822Text => w.raw(b"RFC822.TEXT"),
        Body => w.raw(b"BODY"),
        BodyStructure => w.raw(b"BODYSTRUCTURE"),
        Uid => w.raw(b"UID"),
        BodySection {
            peek,
            section: s,
            partial: p,
        } => {
            w.raw(if *peek {
                b"BODY.PEEK[".as_slice()
            } else {
                b"BODY["
            });
            partial(*p, section(s, w).raw(b"]"))
        }
        Binary {
            peek,
            part,
            partial: p,
        } => {
            w.raw(if *peek {
                b"BINARY.PEEK[".as_slice()
            } else {
                b"BINARY["
            });
            partial(*p, section_part(part, w).raw(b"]"))
        }
        BinarySize { part } => section_part(part, w.raw(b"BINARY.SIZE[")).raw(b"]"),
        ModSeq => w.raw(b"MODSEQ"),
        EmailId => w.raw(b"EMAILID"),
        ThreadId => w.raw(b"THREADID"),
        SaveDate => w.raw(b"SAVEDATE"),
        Preview { lazy: false } => w.raw(b"PREVIEW"),
        Preview { lazy: true } => w.raw(b"PREVIEW (LAZY)"),
    }
}

/// `section-part`: `1.2.3`, nothing for the whole message.
fn section_part<'w>(part: &[u32], w: &'w mut Writer) -> &'w mut Writer {
    for (i, n) in part.iter().enumerate() {
        if i > 0 {
            w.raw(b".");
        }
        w.num(*n as u64);
    }
    w
}

/// `section-spec` without the brackets.
fn section<'w>(s: &Section, w: &'w mut Writer) -> &'w mut Writer {
    section_part(&s.part, w);
    let Some(text) = &s.text else { return w };
    if !s.part.is_empty() {
        w.raw(b".");
    }
    match text {
        SectionText::Header => w.raw(b"HEADER"),
        SectionText::Text => w.raw(b"TEXT"),
        SectionText::Mime => w.raw(b"MIME"),
        SectionText::HeaderFields { not, fields } => {
            w.raw(if *not {
                b"HEADER.FIELDS.NOT (".as_slice()
            } else {
                b"HEADER.FIELDS ("
            });
            for (i, f) in fields.iter().enumerate() {
                if i > 0 {
                    w.sp();
                }
                w.astring(f.as_bytes());
            }
            w.raw(b")")
        }
    }
}

/// `<offset.length>` when given.
fn partial(p: Option<(u64, u64)>, w: &mut Writer) -> &mut Writer {
    match p {
        Some((offset, len)) => w.raw(b"<").num(offset).raw(b".").num(len).raw(b">"),
        None => w,
    }
}

/// ` (CHANGEDSINCE n VANISHED)` when any modifier is set (RFC 7162).
fn fetch_modifiers<'w>(m: &FetchModifiers, w: &'w mut Writer) -> &'w mut Writer {
    if m.changed_since.is_none() && !m.vanished {
        return w;
    }
    w.raw(b" (");
    if let Some(n) = m.changed_since {
        w.raw(b"CHANGEDSINCE ").num(n);
        if m.vanished {
            w.sp();
        }
    }
    if m.vanished {
        w.raw(b"VANISHED");
    }
    w.raw(b")")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::command::{QResync, SortCriterion, SortKey};
    use crate::types::{DateTime, Mailbox, SeqNum, SeqRange, SequenceSet, Tag};
    use bytes::Bytes;

    const REV1: WriteOptions = WriteOptions {
        utf8: false,
        non_sync_literals: false,
    };
    const UTF8_PLUS: WriteOptions = WriteOptions {
        utf8: true,
        non_sync_literals: true,
    };

    fn cmd(body: CommandBody) -> Command {
        Command {
            tag: Tag::new("a1").unwrap(),
            body,
        }
    }

    /// Encodes with the IMAP4rev1 client rules (7-bit, synchronizing literals).
    fn enc(body: CommandBody) -> Vec<u8> {
        to_bytes(&cmd(body), REV1)
    }

    fn enc_with(body: CommandBody, opts: WriteOptions) -> Vec<u8> {
        to_bytes(&cmd(body), opts)
    }

    #[track_caller]
    fn check(body: CommandBody, expected: &[u8]) {
        let got = enc(body);
        assert_eq!(
            got.escape_ascii().to_string(),
            expected.escape_ascii().to_string()
        );
    }

    fn mb(s: &str) -> Mailbox {
        Mailbox::new(s)
    }

    fn b(s: &str) -> Bytes {
        Bytes::copy_from_slice(s.as_bytes())
    }

    fn date(y: u16, m: u8, d: u8) -> Date {
        Date::new(y, m, d).unwrap()
    }

    #[test]
    fn commands_without_arguments() {
        check(CommandBody::Capability, b"a1 CAPABILITY\r\n");
        check(CommandBody::Noop, b"a1 NOOP\r\n");
        check(CommandBody::Logout, b"a1 LOGOUT\r\n");
        check(CommandBody::StartTls, b"a1 STARTTLS\r\n");
        check(CommandBody::Namespace, b"a1 NAMESPACE\r\n");
        check(CommandBody::Idle, b"a1 IDLE\r\n");
        check(CommandBody::Check, b"a1 CHECK\r\n");
        check(CommandBody::Close, b"a1 CLOSE\r\n");
        check(CommandBody::Unselect, b"a1 UNSELECT\r\n");
        check(CommandBody::Expunge { uids: None }, b"a1 EXPUNGE\r\n");
    }

    #[test]
    fn id_nil_and_pairs() {
        check(CommandBody::Id(None), b"a1 ID NIL\r\n");
        check(CommandBody::Id(Some(vec![])), b"a1 ID ()\r\n");
        // Field names are `string`, never atoms; a value `NIL` is quoted, `None` is NIL.
        check(
            CommandBody::Id(Some(vec![(b("name"), Some(b("NIL"))), (b("os"), None)])),
            b"a1 ID (\"name\" \"NIL\" \"os\" NIL)\r\n",
        );
    }

    #[test]
    fn authenticate_initial_responses() {
        let auth = |ir| CommandBody::Authenticate {
            mechanism: "PLAIN".into(),
            initial_response: ir,
        };
        check(auth(None), b"a1 AUTHENTICATE PLAIN\r\n");
        check(
            auth(Some(InitialResponse::Empty)),
            b"a1 AUTHENTICATE PLAIN =\r\n",
        );
        check(
            auth(Some(InitialResponse::Data(vec![]))),
            b"a1 AUTHENTICATE PLAIN =\r\n",
        );
        check(
            auth(Some(InitialResponse::Data(b"\0bob\0pw".to_vec()))),
            b"a1 AUTHENTICATE PLAIN AGJvYgBwdw==\r\n",
        );
    }

    #[test]
    fn authenticate_hostile_mechanism_is_not_raw() {
        let body = CommandBody::Authenticate {
            mechanism: "X\r\na2 LOGOUT".into(),
            initial_response: None,
        };
        check(body, b"a1 AUTHENTICATE {12}\r\nX\r\na2 LOGOUT\r\n");
    }

    #[test]
    fn login_atoms_quoted_and_literals() {
        check(
            CommandBody::Login {
                username: b("fred"),
                password: b("s3cr]t"),
            },
            b"a1 LOGIN fred s3cr]t\r\n",
        );
        check(
            CommandBody::Login {
                username: b("a b"),
                password: b("q\"u\\o"),
            },
            b"a1 LOGIN \"a b\" \"q\\\"u\\\\o\"\r\n",
        );
        check(
            CommandBody::Login {
                username: b(""),
                password: b(""),
            },
            b"a1 LOGIN \"\" \"\"\r\n",
        );
    }

    #[test]
    fn login_hostile_values_become_literals() {
        // CRLF injection: the value becomes a literal, so `a2 DELETE INBOX` stays data.
        let body = CommandBody::Login {
            username: b("x\r\na2 DELETE INBOX"),
            password: Bytes::from_static(b"p\0w\xff"),
        };
        let mut w = Writer::new(REV1);
        encode(&cmd(body), &mut w);
        assert_eq!(
            w.buf,
            b"a1 LOGIN {18}\r\nx\r\na2 DELETE INBOX {3}\r\npw\xff\r\n".to_vec()
        );
        assert_eq!(w.continuations, vec![15, 39]);
    }

    #[test]
    fn non_sync_literals_record_no_continuation() {
        let body = CommandBody::Login {
            username: b("u\n"),
            password: b("pw"),
        };
        let mut w = Writer::new(UTF8_PLUS);
        encode(&cmd(body), &mut w);
        assert_eq!(w.buf, b"a1 LOGIN {2+}\r\nu\n pw\r\n");
        assert!(w.continuations.is_empty());
    }

    #[test]
    fn enable_and_compress() {
        check(
            CommandBody::Enable(vec!["CONDSTORE".into(), "UTF8=ACCEPT".into()]),
            b"a1 ENABLE CONDSTORE UTF8=ACCEPT\r\n",
        );
        check(
            CommandBody::Compress("DEFLATE".into()),
            b"a1 COMPRESS DEFLATE\r\n",
        );
    }

    #[test]
    fn select_plain_condstore_and_qresync() {
        check(
            CommandBody::Select {
                mailbox: Mailbox::inbox(),
                params: SelectParams::default(),
            },
            b"a1 SELECT INBOX\r\n",
        );
        check(
            CommandBody::Examine {
                mailbox: mb("Sent Items"),
                params: SelectParams {
                    condstore: true,
                    qresync: None,
                },
            },
            b"a1 EXAMINE \"Sent Items\" (CONDSTORE)\r\n",
        );
        let q = QResync {
            uid_validity: 67890007,
            mod_seq: 90060115194045000,
            known_uids: Some(SequenceSet::Ranges(vec![SeqRange::new(41, 211)])),
            seq_match: Some((
                SequenceSet::Ranges(vec![SeqRange::new(1, 2)]),
                SequenceSet::Ranges(vec![SeqRange::new(41, 43)]),
            )),
        };
        check(
            CommandBody::Select {
                mailbox: Mailbox::inbox(),
                params: SelectParams {
                    condstore: true,
                    qresync: Some(q),
                },
            },
            b"a1 SELECT INBOX (CONDSTORE QRESYNC \
              (67890007 90060115194045000 41:211 (1:2 41:43)))\r\n",
        );
        let q = QResync {
            uid_validity: 1,
            mod_seq: 2,
            known_uids: None,
            seq_match: None,
        };
        check(
            CommandBody::Select {
                mailbox: mb("a"),
                params: SelectParams {
                    condstore: false,
                    qresync: Some(q),
                },
            },
            b"a1 SELECT a (QRESYNC (1 2))\r\n",
        );
    }

    #[test]
    fn mailbox_names_utf8_and_hostile() {
        check(
            CommandBody::Delete(mb("Grüße")),
            "a1 DELETE {7}\r\nGrüße\r\n".as_bytes(),
        );
        assert_eq!(
            enc_with(CommandBody::Delete(mb("Grüße")), UTF8_PLUS),
            "a1 DELETE \"Grüße\"\r\n".as_bytes()
        );
        check(
            CommandBody::Subscribe(mb("a\nb")),
            b"a1 SUBSCRIBE {3}\r\na\nb\r\n",
        );
        check(
            CommandBody::Unsubscribe(mb("%*")),
            b"a1 UNSUBSCRIBE \"%*\"\r\n",
        );
        check(
            CommandBody::GetQuotaRoot(mb("inbox")),
            b"a1 GETQUOTAROOT INBOX\r\n",
        );
    }

    #[test]
    fn create_with_special_use_and_rename() {
        check(
            CommandBody::Create {
                mailbox: mb("Junk"),
                special_use: vec![],
            },
            b"a1 CREATE Junk\r\n",
        );
        check(
            CommandBody::Create {
                mailbox: mb("Spam"),
                special_use: vec!["Junk".into(), "Archive".into()],
            },
            b"a1 CREATE Spam (USE (\\Junk \\Archive))\r\n",
        );
        check(
            CommandBody::Rename {
                from: mb("old"),
                to: mb("new one"),
            },
            b"a1 RENAME old \"new one\"\r\n",
        );
    }

    #[test]
    fn list_basic_and_extended() {
        let l = |selection, patterns: &[&str], ret| {
            CommandBody::List(ListCommand {
                selection,
                reference: mb(""),
                patterns: patterns.iter().map(|s| s.to_string()).collect(),
                ret,
            })
        };
        check(l(vec![], &["*"], vec![]), b"a1 LIST \"\" *\r\n");
        check(l(vec![], &["a b%"], vec![]), b"a1 LIST \"\" \"a b%\"\r\n");
        check(
            l(
                vec![ListSelect::Subscribed, ListSelect::RecursiveMatch],
                &["INBOX*", "Foo/%"],
                vec![
                    ListReturn::Children,
                    ListReturn::SpecialUse,
                    ListReturn::Status(vec![StatusItem::Messages, StatusItem::Unseen]),
                ],
            ),
            b"a1 LIST (SUBSCRIBED RECURSIVEMATCH) \"\" (INBOX* Foo/%) \
              RETURN (CHILDREN SPECIAL-USE STATUS (MESSAGES UNSEEN))\r\n",
        );
        check(
            CommandBody::Lsub {
                reference: mb("#news."),
                pattern: "comp.mail.*".into(),
            },
            b"a1 LSUB #news. comp.mail.*\r\n",
        );
    }

    #[test]
    fn status_and_quota() {
        check(
            CommandBody::Status {
                mailbox: mb("blurdybloop"),
                items: vec![
                    StatusItem::UidNext,
                    StatusItem::HighestModSeq,
                    StatusItem::Size,
                ],
            },
            b"a1 STATUS blurdybloop (UIDNEXT HIGHESTMODSEQ SIZE)\r\n",
        );
        check(CommandBody::GetQuota(b("")), b"a1 GETQUOTA \"\"\r\n");
        check(
            CommandBody::SetQuota {
                root: b("!partition/sda4"),
                limits: vec![("STORAGE".into(), 512), ("MESSAGE".into(), 0)],
            },
            b"a1 SETQUOTA !partition/sda4 (STORAGE 512 MESSAGE 0)\r\n",
        );
        check(
            CommandBody::SetQuota {
                root: b("r"),
                limits: vec![],
            },
            b"a1 SETQUOTA r ()\r\n",
        );
    }

    #[test]
    fn append_single_with_flags_and_date() {
        let dt = DateTime::new(date(1994, 2, 7), 21, 52, 25, -480).unwrap();
        let body = CommandBody::Append {
            mailbox: mb("saved-messages"),
            messages: vec![AppendMessage {
                flags: vec![Flag::Seen, Flag::Keyword("$Fwd".into())],
                date: Some(dt),
                data: b("Subject: hi\r\n\r\nbody\r\n"),
                kind: AppendKind::Literal,
            }],
        };
        let mut w = Writer::new(REV1);
        encode(&cmd(body), &mut w);
        let expected: &[u8] =
            b"a1 APPEND saved-messages (\\Seen $Fwd) \" 7-Feb-1994 21:52:25 -0800\" \
              {21}\r\nSubject: hi\r\n\r\nbody\r\n\r\n";
        assert_eq!(
            w.buf.escape_ascii().to_string(),
            expected.escape_ascii().to_string()
        );
        assert_eq!(
            w.continuations,
            vec![expected.len() - "Subject: hi\r\n\r\nbody\r\n\r\n".len()]
        );
    }

    #[test]
    fn multiappend_binary_and_utf8() {
        let body = CommandBody::Append {
            mailbox: Mailbox::inbox(),
            messages: vec![
                AppendMessage {
                    flags: vec![],
                    date: None,
                    data: Bytes::from_static(b"a\0b"),
                    kind: AppendKind::Binary,
                },
                AppendMessage {
                    flags: vec![Flag::Draft],
                    date: None,
                    data: b("é"),
                    kind: AppendKind::Utf8,
                },
                AppendMessage {
                    flags: vec![],
                    date: None,
                    data: b("x"),
                    kind: AppendKind::Literal,
                },
            ],
        };
        let mut w = Writer::new(REV1);
        encode(&cmd(body.clone()), &mut w);
        assert_eq!(
            w.buf,
            "a1 APPEND INBOX ~{3}\r\na\0b (\\Draft) UTF8 (~{2}\r\né) {1}\r\nx\r\n".as_bytes()
        );
        assert_eq!(w.continuations.len(), 3);
        assert_eq!(
            enc_with(body, UTF8_PLUS),
            "a1 APPEND INBOX ~{3+}\r\na\0b (\\Draft) UTF8 (~{2+}\r\né) {1+}\r\nx\r\n".as_bytes()
        );
    }

    #[test]
    fn uid_expunge_copy_move() {
        let set = SequenceSet::Ranges(vec![
            SeqRange::new(3000, 3002),
            SeqRange {
                start: SeqNum::Value(3004),
                end: SeqNum::Star,
            },
        ]);
        check(
            CommandBody::Expunge {
                uids: Some(set.clone()),
            },
            b"a1 UID EXPUNGE 3000:3002,3004:*\r\n",
        );
        check(
            CommandBody::Copy {
                uid: false,
                set: SequenceSet::range(2, 4),
                mailbox: mb("MEETING"),
            },
            b"a1 COPY 2:4 MEETING\r\n",
        );
        check(
            CommandBody::Move {
                uid: true,
                set: SequenceSet::Saved,
                mailbox: mb("[Gmail]/Trash"),
            },
            b"a1 UID MOVE $ [Gmail]/Trash\r\n",
        );
    }

    fn search(criteria: Vec<SearchKey>) -> CommandBody {
        CommandBody::Search {
            uid: false,
            charset: None,
            ret: None,
            criteria,
        }
    }

    #[test]
    fn search_simple_keys_and_dates() {
        use SearchKey::*;
        check(
            search(vec![
                Flagged,
                Since(date(1994, 2, 1)),
                Not(Box::new(From(b("Smith")))),
            ]),
            b"a1 SEARCH FLAGGED SINCE 1-Feb-1994 NOT FROM Smith\r\n",
        );
        check(search(vec![]), b"a1 SEARCH ALL\r\n");
        check(
            search(vec![
                Header("Message-ID".into(), b("<a@b>")),
                Larger(9_223_372_036_854_775_807),
            ]),
            b"a1 SEARCH HEADER Message-ID <a@b> LARGER 9223372036854775807\r\n",
        );
    }

    #[test]
    fn search_return_charset_and_nesting() {
        use SearchKey::*;
        let body = CommandBody::Search {
            uid: true,
            charset: Some("UTF-8".into()),
            ret: Some(vec![
                SearchReturn::Min,
                SearchReturn::Count,
                SearchReturn::Save,
            ]),
            criteria: vec![
                Or(
                    Box::new(And(vec![Seen, Deleted])),
                    Box::new(SequenceSet(self::SequenceSet::Saved)),
                ),
                Uid(self::SequenceSet::range(1, 5)),
            ],
        };
        check(
            body,
            b"a1 UID SEARCH RETURN (MIN COUNT SAVE) CHARSET UTF-8 OR (SEEN DELETED) $ UID 1:5\r\n",
        );
        check(
            CommandBody::Search {
                uid: false,
                charset: None,
                ret: Some(vec![]),
                criteria: vec![All],
            },
            b"a1 SEARCH RETURN () ALL\r\n",
        );
    }

    #[test]
    fn search_extension_keys() {
        use SearchKey::*;
        check(
            search(vec![
                ModSeq {
                    entry: Some((b("/flags/\\draft"), EntryType::All)),
                    mod_seq: 620162338,
                },
                ModSeq {
                    entry: None,
                    mod_seq: 0,
                },
                Younger(259200),
                Older(1),
                SavedBefore(date(2019, 1, 31)),
                SaveDateSupported,
                EmailId("M6d99ac3275bb4e".into()),
                ThreadId("T64b478a75b7ea9".into()),
                Fuzzy(Box::new(Subject(b("hello")))),
                Keyword("$Junk".into()),
                Unkeyword("NonJunk".into()),
            ]),
            b"a1 SEARCH MODSEQ \"/flags/\\\\draft\" all 620162338 MODSEQ 0 YOUNGER 259200 OLDER 1 \
              SAVEDBEFORE 31-Jan-2019 SAVEDATESUPPORTED EMAILID M6d99ac3275bb4e \
              THREADID T64b478a75b7ea9 FUZZY SUBJECT hello KEYWORD $Junk UNKEYWORD NonJunk\r\n",
        );
    }

    #[test]
    fn search_hostile_strings() {
        use SearchKey::*;
        check(
            search(vec![Subject(b("a\"b\\c")), Text(b("x\r\ny")), Body(b(""))]),
            b"a1 SEARCH SUBJECT \"a\\\"b\\\\c\" TEXT {4}\r\nx\r\ny BODY \"\"\r\n",
        );
        // A keyword that is not an atom is sent as a string: the server says BAD, no injection.
        check(
            search(vec![Keyword("a b".into())]),
            b"a1 SEARCH KEYWORD \"a b\"\r\n",
        );
        assert_eq!(
            enc_with(search(vec![To(b("Dürst"))]), UTF8_PLUS),
            "a1 SEARCH TO \"Dürst\"\r\n".as_bytes()
        );
        check(
            search(vec![Cc(b("Dürst"))]),
            "a1 SEARCH CC {6}\r\nDürst\r\n".as_bytes(),
        );
    }

    fn fetch(items: FetchItems) -> CommandBody {
        CommandBody::Fetch {
            uid: false,
            set: SequenceSet::single(1),
            items,
            modifiers: FetchModifiers::default(),
        }
    }

    #[test]
    fn fetch_macros_single_and_lists() {
        check(fetch(FetchItems::Fast), b"a1 FETCH 1 FAST\r\n");
        check(
            fetch(FetchItems::Attrs(vec![FetchAttr::Flags])),
            b"a1 FETCH 1 FLAGS\r\n",
        );
        check(
            fetch(FetchItems::Attrs(vec![
                FetchAttr::Uid,
                FetchAttr::Rfc822Size,
                FetchAttr::BodyStructure,
                FetchAttr::ModSeq,
                FetchAttr::EmailId,
                FetchAttr::SaveDate,
                FetchAttr::Preview { lazy: false },
            ])),
            b"a1 FETCH 1 (UID RFC822.SIZE BODYSTRUCTURE MODSEQ EMAILID SAVEDATE PREVIEW)\r\n",
        );
        check(
            fetch(FetchItems::Attrs(vec![FetchAttr::Preview { lazy: true }])),
            b"a1 FETCH 1 (PREVIEW (LAZY))\r\n",
        );
        // Plain, the modifier list would read as PREVIEW's own (RFC 8970) list.
        check(
            CommandBody::Fetch {
                uid: false,
                set: SequenceSet::single(1),
                items: FetchItems::Attrs(vec![FetchAttr::Preview { lazy: false }]),
                modifiers: FetchModifiers {
                    changed_since: Some(7),
                    vanished: false,
                },
            },
            b"a1 FETCH 1 (PREVIEW) (CHANGEDSINCE 7)\r\n",
        );
    }

    #[test]
    fn fetch_sections_and_partials() {
        let attrs = vec![
            FetchAttr::BodySection {
                peek: false,
                section: Section::default(),
                partial: None,
            },
            FetchAttr::BodySection {
                peek: true,
                section: Section {
                    part: vec![],
                    text: Some(SectionText::HeaderFields {
                        not: false,
                        fields: vec!["DATE".into(), "X Y".into()],
                    }),
                },
                partial: Some((0, 1024)),
            },
            FetchAttr::BodySection {
                peek: false,
                section: Section {
                    part: vec![1, 2],
                    text: Some(SectionText::Mime),
                },
                partial: None,
            },
            FetchAttr::BodySection {
                peek: false,
                section: Section {
                    part: vec![4],
                    text: Some(SectionText::HeaderFields {
                        not: true,
                        fields: vec!["To".into()],
                    }),
                },
                partial: None,
            },
            FetchAttr::Binary {
                peek: true,
                part: vec![1, 3],
                partial: Some((5, 10)),
            },
            FetchAttr::Binary {
                peek: false,
                part: vec![],
                partial: None,
            },
            FetchAttr::BinarySize { part: vec![2] },
        ];
        check(
            fetch(FetchItems::Attrs(attrs)),
            b"a1 FETCH 1 (BODY[] BODY.PEEK[HEADER.FIELDS (DATE \"X Y\")]<0.1024> BODY[1.2.MIME] \
              BODY[4.HEADER.FIELDS.NOT (To)] BINARY.PEEK[1.3]<5.10> BINARY[] BINARY.SIZE[2])\r\n",
        );
    }

    #[test]
    fn uid_fetch_with_modifiers() {
        let body = CommandBody::Fetch {
            uid: true,
            set: SequenceSet::Ranges(vec![SeqRange {
                start: SeqNum::Value(300),
                end: SeqNum::Star,
            }]),
            items: FetchItems::Attrs(vec![FetchAttr::Flags]),
            modifiers: FetchModifiers {
                changed_since: Some(12345),
                vanished: true,
            },
        };
        check(
            body,
            b"a1 UID FETCH 300:* FLAGS (CHANGEDSINCE 12345 VANISHED)\r\n",
        );
    }

    #[test]
    fn store_variants() {
        let store = |action, silent, unchanged_since, flags| CommandBody::Store {
            uid: false,
            set: SequenceSet::range(2, 4),
            unchanged_since,
            action,
            silent,
            flags,
        };
        check(
            store(StoreAction::Add, true, None, vec![Flag::Deleted]),
            b"a1 STORE 2:4 +FLAGS.SILENT (\\Deleted)\r\n",
        );
        check(
            store(StoreAction::Replace, false, Some(0), vec![]),
            b"a1 STORE 2:4 (UNCHANGEDSINCE 0) FLAGS ()\r\n",
        );
        check(
            store(
                StoreAction::Remove,
                false,
                None,
                vec![
                    Flag::Extension("Custom".into()),
                    Flag::Keyword("$Junk".into()),
                ],
            ),
            b"a1 STORE 2:4 -FLAGS (\\Custom $Junk)\r\n",
        );
    }

    #[test]
    fn store_hostile_keyword_is_not_raw() {
        let body = CommandBody::Store {
            uid: true,
            set: SequenceSet::single(1),
            unchanged_since: None,
            action: StoreAction::Add,
            silent: false,
            flags: vec![Flag::Seen, Flag::Keyword("x)\r\na2 LOGOUT".into())],
        };
        check(
            body,
            b"a1 UID STORE 1 +FLAGS (\\Seen {13}\r\nx)\r\na2 LOGOUT)\r\n",
        );
    }

    #[test]
    fn sort_and_thread() {
        let body = CommandBody::Sort {
            uid: true,
            ret: Some(vec![SearchReturn::Min, SearchReturn::Relevancy]),
            criteria: vec![
                SortCriterion {
                    reverse: true,
                    key: SortKey::Date,
                },
                SortCriterion {
                    reverse: false,
                    key: SortKey::DisplayFrom,
                },
            ],
            charset: "UTF-8".into(),
            keys: vec![SearchKey::Undeleted],
        };
        check(
            body,
            b"a1 UID SORT RETURN (MIN RELEVANCY) (REVERSE DATE DISPLAYFROM) UTF-8 UNDELETED\r\n",
        );
        check(
            CommandBody::Thread {
                uid: false,
                algorithm: ThreadAlgorithm::OrderedSubject,
                charset: "US-ASCII".into(),
                keys: vec![SearchKey::Since(date(2024, 2, 1))],
            },
            b"a1 THREAD ORDEREDSUBJECT US-ASCII SINCE 1-Feb-2024\r\n",
        );
        check(
            CommandBody::Thread {
                uid: true,
                algorithm: ThreadAlgorithm::Other("REFS".into()),
                charset: "UTF-8".into(),
                keys: vec![SearchKey::All],
            },
            b"a1 UID THREAD REFS UTF-8 ALL\r\n",
        );
    }
}

//! Client commands as typed values: what [`crate::parser`] produces and [`crate::encode`] writes.
//!
//! One variant per command of RFC 9051 §6, RFC 3501's (`CHECK`, `LSUB`) and of the extensions
//! Strata speaks. `UID` forms are the same variant with `uid: true`.

use crate::types::{Date, DateTime, Flag, IString, Mailbox, SequenceSet, StatusItem, Tag};
use bytes::Bytes;

/// A complete command: its tag and what it asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    /// The client's tag, echoed in the tagged response.
    pub tag: Tag,
    /// The command and its arguments.
    pub body: CommandBody,
}

/// Every command Strata parses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommandBody {
    // ---- any state (RFC 9051 §6.1) ----
    /// `CAPABILITY`
    Capability,
    /// `NOOP`
    Noop,
    /// `LOGOUT`
    Logout,
    /// `ID` (RFC 2971): `None` for `ID NIL`, else the field/value pairs in order.
    Id(Option<Vec<(IString, Option<IString>)>>),

    // ---- not authenticated (§6.2) ----
    /// `STARTTLS`
    StartTls,
    /// `AUTHENTICATE mechanism [initial-response]` (RFC 4959 SASL-IR for the second argument).
    Authenticate {
        /// Mechanism name, upper-cased (`PLAIN`, `SCRAM-SHA-256`).
        mechanism: String,
        /// The SASL-IR initial response, already base64-decoded.
        initial_response: Option<InitialResponse>,
    },
    /// `LOGIN userid password`
    Login {
        /// The user name as sent.
        username: IString,
        /// The password as sent.
        password: IString,
    },

    // ---- authenticated (§6.3) ----
    /// `ENABLE capability…` (RFC 5161), names upper-cased.
    Enable(Vec<String>),
    /// `SELECT mailbox [(params)]`
    Select {
        /// Mailbox to open read-write.
        mailbox: Mailbox,
        /// CONDSTORE / QRESYNC parameters (RFC 7162 §3.1.8, §3.2.5).
        params: SelectParams,
    },
    /// `EXAMINE mailbox [(params)]`
    Examine {
        /// Mailbox to open read-only.
        mailbox: Mailbox,
        /// CONDSTORE / QRESYNC parameters.
        params: SelectParams,
    },
    /// `CREATE mailbox [(USE (attrs))]` (RFC 6154 CREATE-SPECIAL-USE).
    Create {
        /// Name of the new mailbox.
        mailbox: Mailbox,
        /// Special-use attributes asked for, e.g. `\Sent`, stored without the backslash.
        special_use: Vec<String>,
    },
    /// `DELETE mailbox`
    Delete(Mailbox),
    /// `RENAME old new`
    Rename {
        /// Existing name.
        from: Mailbox,
        /// New name.
        to: Mailbox,
    },
    /// `SUBSCRIBE mailbox`
    Subscribe(Mailbox),
    /// `UNSUBSCRIBE mailbox`
    Unsubscribe(Mailbox),
    /// `LIST`, basic or extended (RFC 5258, RFC 5819 LIST-STATUS, RFC 6154).
    List(ListCommand),
    /// `LSUB reference pattern` (IMAP4rev1 only).
    Lsub {
        /// Reference name.
        reference: Mailbox,
        /// Pattern with `%`/`*` wildcards.
        pattern: String,
    },
    /// `NAMESPACE` (RFC 2342)
    Namespace,
    /// `STATUS mailbox (items)`
    Status {
        /// Mailbox asked about.
        mailbox: Mailbox,
        /// Items in request order.
        items: Vec<StatusItem>,
    },
    /// `APPEND mailbox …`: one message, or several with MULTIAPPEND (RFC 3502).
    Append {
        /// Destination.
        mailbox: Mailbox,
        /// The messages, in order; at least one.
        messages: Vec<AppendMessage>,
    },
    /// `IDLE` (RFC 2177); the `DONE` line is read separately by the session.
    Idle,
    /// `COMPRESS algorithm` (RFC 4978), upper-cased.
    Compress(String),
    /// `GETQUOTA root` (RFC 9208)
    GetQuota(IString),
    /// `GETQUOTAROOT mailbox`
    GetQuotaRoot(Mailbox),
    /// `SETQUOTA root (resource limit …)`
    SetQuota {
        /// Quota root name.
        root: IString,
        /// Resource names (upper-cased) and limits.
        limits: Vec<(String, u64)>,
    },

    // ---- selected (§6.4) ----
    /// `CHECK` (IMAP4rev1 only)
    Check,
    /// `CLOSE`
    Close,
    /// `UNSELECT` (RFC 3691)
    Unselect,
    /// `EXPUNGE`, or `UID EXPUNGE set` (RFC 4315) when `uids` is given.
    Expunge {
        /// The UID set for `UID EXPUNGE`.
        uids: Option<SequenceSet>,
    },
    /// `[UID] SEARCH [RETURN (…)] [CHARSET c] keys`
    Search {
        /// `UID SEARCH`
        uid: bool,
        /// `CHARSET`, upper-cased.
        charset: Option<String>,
        /// ESEARCH return options (RFC 4731/9051); `None` when no `RETURN` was given.
        ret: Option<Vec<SearchReturn>>,
        /// The criteria, ANDed.
        criteria: Vec<SearchKey>,
    },
    /// `[UID] FETCH set items [(modifiers)]`
    Fetch {
        /// `UID FETCH`
        uid: bool,
        /// Messages.
        set: SequenceSet,
        /// What to return.
        items: FetchItems,
        /// CONDSTORE/QRESYNC modifiers.
        modifiers: FetchModifiers,
    },
    /// `[UID] STORE set [(UNCHANGEDSINCE n)] [+|-]FLAGS[.SILENT] flags`
    Store {
        /// `UID STORE`
        uid: bool,
        /// Messages.
        set: SequenceSet,
        /// RFC 7162 `UNCHANGEDSINCE`.
        unchanged_since: Option<u64>,
        /// Add, remove or replace.
        action: StoreAction,
        /// `.SILENT`
        silent: bool,
        /// The flags (possibly empty for `FLAGS ()`).
        flags: Vec<Flag>,
    },
    /// `[UID] COPY set mailbox`
    Copy {
        /// `UID COPY`
        uid: bool,
        /// Messages.
        set: SequenceSet,
        /// Destination.
        mailbox: Mailbox,
    },
    /// `[UID] MOVE set mailbox` (RFC 6851)
    Move {
        /// `UID MOVE`
        uid: bool,
        /// Messages.
        set: SequenceSet,
        /// Destination.
        mailbox: Mailbox,
    },
    /// `[UID] SORT [RETURN (…)] (criteria) charset keys` (RFC 5256, RFC 5267 ESORT)
    Sort {
        /// `UID SORT`
        uid: bool,
        /// ESORT return options; `None` without `RETURN`.
        ret: Option<Vec<SearchReturn>>,
        /// Sort criteria, most significant first.
        criteria: Vec<SortCriterion>,
        /// Charset, upper-cased.
        charset: String,
        /// Search criteria, ANDed.
        keys: Vec<SearchKey>,
    },
    /// `[UID] THREAD algorithm charset keys` (RFC 5256)
    Thread {
        /// `UID THREAD`
        uid: bool,
        /// Threading algorithm.
        algorithm: ThreadAlgorithm,
        /// Charset, upper-cased.
        charset: String,
        /// Search criteria, ANDed.
        keys: Vec<SearchKey>,
    },
}

impl CommandBody {
    /// The command's name as a client writes it (`UID FETCH`, `LIST`…), for logs and responses.
    pub fn name(&self) -> &'static str {
        use CommandBody::*;
        let pick = |uid: bool, a: &'static str, b: &'static str| if uid { a } else { b };
        match self {
            Capability => "CAPABILITY",
            Noop => "NOOP",
            Logout => "LOGOUT",
            Id(_) => "ID",
            StartTls => "STARTTLS",
            Authenticate { .. } => "AUTHENTICATE",
            Login { .. } => "LOGIN",
            Enable(_) => "ENABLE",
            Select { .. } => "SELECT",
            Examine { .. } => "EXAMINE",
            Create { .. } => "CREATE",
            Delete(_) => "DELETE",
            Rename { .. } => "RENAME",
            Subscribe(_) => "SUBSCRIBE",
            Unsubscribe(_) => "UNSUBSCRIBE",
            List(_) => "LIST",
            Lsub { .. } => "LSUB",
            Namespace => "NAMESPACE",
            Status { .. } => "STATUS",
            Append { .. } => "APPEND",
            Idle => "IDLE",
            Compress(_) => "COMPRESS",
            GetQuota(_) => "GETQUOTA",
            GetQuotaRoot(_) => "GETQUOTAROOT",
            SetQuota { .. } => "SETQUOTA",
            Check => "CHECK",
            Close => "CLOSE",
            Unselect => "UNSELECT",
            Expunge { uids } => pick(uids.is_some(), "UID EXPUNGE", "EXPUNGE"),
            Search { uid, .. } => pick(*uid, "UID SEARCH", "SEARCH"),
            Fetch { uid, .. } => pick(*uid, "UID FETCH", "FETCH"),
            Store { uid, .. } => pick(*uid, "UID STORE", "STORE"),
            Copy { uid, .. } => pick(*uid, "UID COPY", "COPY"),
            Move { uid, .. } => pick(*uid, "UID MOVE", "MOVE"),
            Sort { uid, .. } => pick(*uid, "UID SORT", "SORT"),
            Thread { uid, .. } => pick(*uid, "UID THREAD", "THREAD"),
        }
    }
}

/// A SASL initial response (RFC 4959): `=` means an empty response, which differs from none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InitialResponse {
    /// `=`: an initial response of zero length.
    Empty,
    /// Decoded octets.
    Data(Vec<u8>),
}

/// SELECT/EXAMINE parameters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SelectParams {
    /// `CONDSTORE` (RFC 7162 §3.1.8).
    pub condstore: bool,
    /// `QRESYNC (…)` (RFC 7162 §3.2.5).
    pub qresync: Option<QResync>,
}

/// `QRESYNC (uidvalidity modseq [known-uids [(seq-match-data)]])`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QResync {
    /// The UIDVALIDITY the client last knew.
    pub uid_validity: u32,
    /// The last known HIGHESTMODSEQ.
    pub mod_seq: u64,
    /// UIDs the client knows about.
    pub known_uids: Option<SequenceSet>,
    /// `(known-sequence-set known-uid-set)`.
    pub seq_match: Option<(SequenceSet, SequenceSet)>,
}

/// Extended LIST (RFC 5258) or basic LIST.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListCommand {
    /// Selection options (`LIST (SUBSCRIBED) …`).
    pub selection: Vec<ListSelect>,
    /// The reference name.
    pub reference: Mailbox,
    /// Patterns; more than one only in the extended form `("a" "b")`.
    pub patterns: Vec<String>,
    /// `RETURN (…)` options; empty when absent.
    pub ret: Vec<ListReturn>,
}

/// LIST selection options.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ListSelect {
    /// `SUBSCRIBED`
    Subscribed,
    /// `REMOTE`
    Remote,
    /// `RECURSIVEMATCH`
    RecursiveMatch,
    /// `SPECIAL-USE` (RFC 6154)
    SpecialUse,
}

/// LIST return options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListReturn {
    /// `SUBSCRIBED`
    Subscribed,
    /// `CHILDREN`
    Children,
    /// `SPECIAL-USE` (RFC 6154)
    SpecialUse,
    /// `STATUS (items)` (RFC 5819)
    Status(Vec<StatusItem>),
}

/// One message of an APPEND.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppendMessage {
    /// Flags to set.
    pub flags: Vec<Flag>,
    /// INTERNALDATE to set.
    pub date: Option<DateTime>,
    /// The message octets, held where they were received.
    pub data: Bytes,
    /// How the data was sent.
    pub kind: AppendKind,
}

/// The form of an APPEND's message data.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AppendKind {
    /// `literal`: CHAR8 only.
    Literal,
    /// `literal8` (RFC 3516 BINARY): may contain NUL.
    Binary,
    /// `UTF8 (literal8)` (RFC 6855).
    Utf8,
}

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

/// What a FETCH asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchItems {
    /// `ALL` = `(FLAGS INTERNALDATE RFC822.SIZE ENVELOPE)`
    All,
    /// `FAST` = `(FLAGS INTERNALDATE RFC822.SIZE)`
    Fast,
    /// `FULL` = `(FLAGS INTERNALDATE RFC822.SIZE ENVELOPE BODY)`
    Full,
    /// An explicit list (a single attribute is a list of one).
    Attrs(Vec<FetchAttr>),
}

impl FetchItems {
    /// The attributes a macro stands for (RFC 9051 §6.4.5).
    pub fn expand(&self) -> Vec<FetchAttr> {
        use FetchAttr::*;
        match self {
            FetchItems::All => vec![Flags, InternalDate, Rfc822Size, Envelope],
            FetchItems::Fast => vec![Flags, InternalDate, Rfc822Size],
            FetchItems::Full => vec![Flags, InternalDate, Rfc822Size, Envelope, Body],
            FetchItems::Attrs(a) => a.clone(),
        }
    }
}

/// A FETCH data item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchAttr {
    /// `ENVELOPE`
    Envelope,
    /// `FLAGS`
    Flags,
    /// `INTERNALDATE`
    InternalDate,
    /// `RFC822.SIZE`
    Rfc822Size,
    /// `RFC822` (IMAP4rev1)
    Rfc822,
    /// `RFC822.HEADER` (IMAP4rev1)
    Rfc822Header,
    /// `RFC822.TEXT` (IMAP4rev1)
    Rfc822Text,
    /// `BODY` (non-extensible BODYSTRUCTURE)
    Body,
    /// `BODYSTRUCTURE`
    BodyStructure,
    /// `UID`
    Uid,
    /// `BODY[section]<partial>` or `BODY.PEEK[…]`
    BodySection {
        /// `.PEEK`: do not set `\Seen`.
        peek: bool,
        /// Which part.
        section: Section,
        /// `<offset.length>`
        partial: Option<(u64, u64)>,
    },
    /// `BINARY[part]<partial>` or `BINARY.PEEK[…]` (RFC 3516)
    Binary {
        /// `.PEEK`
        peek: bool,
        /// Part numbers (empty for the whole message).
        part: Vec<u32>,
        /// `<offset.length>`
        partial: Option<(u64, u64)>,
    },
    /// `BINARY.SIZE[part]`
    BinarySize {
        /// Part numbers.
        part: Vec<u32>,
    },
    /// `MODSEQ` (RFC 7162)
    ModSeq,
    /// `EMAILID` (RFC 8474)
    EmailId,
    /// `THREADID` (RFC 8474)
    ThreadId,
    /// `SAVEDATE` (RFC 8514)
    SaveDate,
    /// `PREVIEW` or `PREVIEW (LAZY)` (RFC 8970)
    Preview {
        /// `LAZY` modifier.
        lazy: bool,
    },
}

/// `section-spec`: part numbers plus what of the part.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Section {
    /// `1.2.3`; empty for the whole message.
    pub part: Vec<u32>,
    /// `HEADER`, `TEXT`, `MIME`…; `None` for the part's body.
    pub text: Option<SectionText>,
}

/// `section-msgtext / "MIME"`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SectionText {
    /// `HEADER`
    Header,
    /// `HEADER.FIELDS (…)` or `HEADER.FIELDS.NOT (…)`.
    HeaderFields {
        /// `.NOT`
        not: bool,
        /// Field names as sent.
        fields: Vec<String>,
    },
    /// `TEXT`
    Text,
    /// `MIME` (only after a part number).
    Mime,
}

/// FETCH modifiers (RFC 7162).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FetchModifiers {
    /// `CHANGEDSINCE n`
    pub changed_since: Option<u64>,
    /// `VANISHED` (UID FETCH only, with CHANGEDSINCE).
    pub vanished: bool,
}

/// `+FLAGS`, `-FLAGS` or `FLAGS`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreAction {
    /// `+FLAGS`
    Add,
    /// `-FLAGS`
    Remove,
    /// `FLAGS`
    Replace,
}

/// One SORT criterion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SortCriterion {
    /// `REVERSE`
    pub reverse: bool,
    /// The key.
    pub key: SortKey,
}

/// SORT keys (RFC 5256 §3, RFC 5957 DISPLAYFROM/DISPLAYTO).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    /// `ARRIVAL`
    Arrival,
    /// `CC`
    Cc,
    /// `DATE`
    Date,
    /// `FROM`
    From,
    /// `SIZE`
    Size,
    /// `SUBJECT`
    Subject,
    /// `TO`
    To,
    /// `DISPLAYFROM`
    DisplayFrom,
    /// `DISPLAYTO`
    DisplayTo,
    /// `RELEVANCY` (RFC 6203)
    Relevancy,
}

impl SortKey {
    /// Every key.
    pub const ALL: [SortKey; 10] = [
        SortKey::Arrival,
        SortKey::Cc,
        SortKey::Date,
        SortKey::From,
        SortKey::Size,
        SortKey::Subject,
        SortKey::To,
        SortKey::DisplayFrom,
        SortKey::DisplayTo,
        SortKey::Relevancy,
    ];

    /// Wire name.
    pub fn name(self) -> &'static str {
        match self {
            SortKey::Arrival => "ARRIVAL",
            SortKey::Cc => "CC",
            SortKey::Date => "DATE",
            SortKey::From => "FROM",
            SortKey::Size => "SIZE",
            SortKey::Subject => "SUBJECT",
            SortKey::To => "TO",
            SortKey::DisplayFrom => "DISPLAYFROM",
            SortKey::DisplayTo => "DISPLAYTO",
            SortKey::Relevancy => "RELEVANCY",
        }
    }
}

/// THREAD algorithms (RFC 5256 §3).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ThreadAlgorithm {
    /// `ORDEREDSUBJECT`
    OrderedSubject,
    /// `REFERENCES`
    References,
    /// Any other atom, upper-cased; the server answers that it does not support it.
    Other(String),
}

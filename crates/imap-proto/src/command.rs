//! Client commands as typed values: what [`crate::parser`] produces and [`crate::encode`] writes.
//!
//! One variant per command of RFC 9051 §6, RFC 3501's (`CHECK`, `LSUB`) and of the extensions
//! Strata speaks. `UID` forms are the same variant with `uid: true`.
//!
//! The argument types live with their command family in [`crate::commands`]; they are
//! re-exported here, the path the other crates use (`imap_proto::command::SearchKey`…).

pub use crate::commands::append::{AppendKind, AppendMessage};
pub use crate::commands::auth::InitialResponse;
pub use crate::commands::fetch::{FetchAttr, FetchItems, FetchModifiers, Section, SectionText};
pub use crate::commands::list::{ListCommand, ListReturn, ListSelect};
pub use crate::commands::search::{EntryType, SearchKey, SearchReturn};
pub use crate::commands::select::{QResync, SelectParams};
pub use crate::commands::sort::{SortCriterion, SortKey};
pub use crate::commands::store::StoreAction;
pub use crate::commands::thread::ThreadAlgorithm;
use crate::types::{Flag, IString, Mailbox, SequenceSet, StatusItem, Tag};

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

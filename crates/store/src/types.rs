//! The values that cross the [`crate::MailStore`] seam.
//!
//! They are plain data, independent of SQL and of the IMAP wire: the frontend turns them into
//! responses, the gRPC layer (cluster shape) into protobuf messages.

use std::fmt;

/// A tenant: one mail domain (`example.org`). Accounts belong to exactly one domain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DomainId(pub i64);

/// An account (`alice@example.org`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AccountId(pub i64);

/// A mailbox. Only meaningful together with the [`AccountId`] that owns it: every call takes
/// both, and a mailbox id of another account is reported as not found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MailboxId(pub i64);

impl fmt::Display for MailboxId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A domain (tenant).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Domain {
    /// Its id.
    pub id: DomainId,
    /// Its name, lower-case.
    pub name: String,
}

/// An account and its quota settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// Its id.
    pub id: AccountId,
    /// Its domain.
    pub domain: DomainId,
    /// Its login name, `local@domain`, lower-case.
    pub address: String,
    /// Quota limits.
    pub quota: QuotaLimits,
}

/// What an authenticator needs to check a login.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The account.
    pub account: AccountId,
    /// Its domain.
    pub domain: DomainId,
    /// Its canonical address.
    pub address: String,
    /// The password hash in PHC string form (argon2id), as set by the admin tools.
    pub password_hash: String,
    /// The SCRAM-SHA-256 verifier (RFC 5803 form), if one was stored for this password.
    pub scram_sha256: Option<String>,
}

/// Quota limits (RFC 9208): `None` means unlimited.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct QuotaLimits {
    /// STORAGE, in octets (IMAP reports it in units of 1024 octets).
    pub storage: Option<u64>,
    /// MESSAGE: number of messages in the account.
    pub messages: Option<u64>,
}

/// Quota usage, always exact: it is updated in the same transaction as the change.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct QuotaUsage {
    /// Octets of all messages in all mailboxes of the account (a copy counts again).
    pub storage: u64,
    /// Messages in all mailboxes of the account.
    pub messages: u64,
    /// The limits in force.
    pub limits: QuotaLimits,
}

/// SPECIAL-USE attributes (RFC 6154) a mailbox may carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SpecialUse {
    /// `\All`
    All,
    /// `\Archive`
    Archive,
    /// `\Drafts`
    Drafts,
    /// `\Flagged`
    Flagged,
    /// `\Junk`
    Junk,
    /// `\Sent`
    Sent,
    /// `\Trash`
    Trash,
}

impl SpecialUse {
    /// Every attribute.
    pub const ALL: [SpecialUse; 7] = [
        SpecialUse::All,
        SpecialUse::Archive,
        SpecialUse::Drafts,
        SpecialUse::Flagged,
        SpecialUse::Junk,
        SpecialUse::Sent,
        SpecialUse::Trash,
    ];

    /// The attribute name without the backslash (`Sent`).
    pub fn name(self) -> &'static str {
        match self {
            SpecialUse::All => "All",
            SpecialUse::Archive => "Archive",
            SpecialUse::Drafts => "Drafts",
            SpecialUse::Flagged => "Flagged",
            SpecialUse::Junk => "Junk",
            SpecialUse::Sent => "Sent",
            SpecialUse::Trash => "Trash",
        }
    }

    /// Looks an attribute up by name (without the backslash), case-insensitively.
    pub fn from_name(s: &str) -> Option<SpecialUse> {
        SpecialUse::ALL
            .into_iter()
            .find(|u| u.name().eq_ignore_ascii_case(s))
    }
}

/// A mailbox as listed: what LIST, SELECT and STATUS need to know about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailboxInfo {
    /// Its id.
    pub id: MailboxId,
    /// Full UTF-8 name with `/` as the hierarchy delimiter; `INBOX` for the inbox.
    pub name: String,
    /// UIDVALIDITY: never reused for a name within the account.
    pub uid_validity: u32,
    /// The next UID to assign.
    pub uid_next: u32,
    /// The mailbox's highest MODSEQ (0 only for a mailbox that never changed).
    pub highest_modseq: u64,
    /// Special-use attribute.
    pub special_use: Option<SpecialUse>,
}

/// Counts for STATUS, computed in one consistent read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MailboxStatus {
    /// MESSAGES
    pub messages: u32,
    /// UNSEEN: messages without `\Seen`.
    pub unseen: u32,
    /// DELETED: messages with `\Deleted`.
    pub deleted: u32,
    /// DELETED-STORAGE: octets of the messages with `\Deleted`.
    pub deleted_storage: u64,
    /// SIZE: octets of all messages.
    pub size: u64,
    /// UIDNEXT
    pub uid_next: u32,
    /// UIDVALIDITY
    pub uid_validity: u32,
    /// HIGHESTMODSEQ
    pub highest_modseq: u64,
    /// RECENT (IMAP4rev1): messages that no session has claimed as recent yet.
    pub recent: u32,
}

/// System flags as a bit set, plus keywords.
///
/// Keywords keep the case they were first set with and compare case-insensitively
/// (RFC 9051 §2.3.2).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Flags {
    /// [`Flags::SEEN`] | [`Flags::ANSWERED`] | …
    pub system: u8,
    /// Keywords, sorted case-insensitively, no duplicates.
    pub keywords: Vec<String>,
}

impl Flags {
    /// `\Seen`
    pub const SEEN: u8 = 1;
    /// `\Answered`
    pub const ANSWERED: u8 = 2;
    /// `\Flagged`
    pub const FLAGGED: u8 = 4;
    /// `\Deleted`
    pub const DELETED: u8 = 8;
    /// `\Draft`
    pub const DRAFT: u8 = 16;

    /// Flags from system bits and keywords (normalised).
    pub fn new(system: u8, keywords: impl IntoIterator<Item = String>) -> Flags {
        // Sorted case-insensitively, the first spelling of each kept (a stable sort): linear
        // after the sort, where adding one by one with a scan each was quadratic (issue 18:
        // 5,000 keywords in one STORE took seconds before the limit refused them).
        let mut keywords: Vec<String> = keywords.into_iter().collect();
        keywords.sort_by(|a, b| ci_cmp(a, b));
        keywords.dedup_by(|later, first| later.eq_ignore_ascii_case(first));
        Flags {
            system: system & 0x1f,
            keywords,
        }
    }

    /// True if every bit of `bit` is set.
    pub fn has(&self, bit: u8) -> bool {
        self.system & bit == bit
    }

    /// True if the keyword is set (case-insensitive).
    pub fn has_keyword(&self, k: &str) -> bool {
        self.keywords.binary_search_by(|x| ci_cmp(x, k)).is_ok()
    }

    /// Keywords as stored: space-separated (keywords are atoms, so they hold no space).
    pub fn keywords_text(&self) -> String {
        self.keywords.join(" ")
    }

    /// The inverse of [`keywords_text`](Self::keywords_text).
    pub fn from_stored(system: i64, keywords: &str) -> Flags {
        Flags::new(
            system as u8,
            keywords
                .split(' ')
                .filter(|k| !k.is_empty())
                .map(str::to_string),
        )
    }
}

/// How a STORE changes flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlagOp {
    /// `+FLAGS`
    Add,
    /// `-FLAGS`
    Remove,
    /// `FLAGS`
    Replace,
}

/// A content address of a message body in the blob store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BlobRef {
    /// SHA-256 of the octets.
    pub sha256: [u8; 32],
}

impl BlobRef {
    /// Lower-case hex.
    pub fn hex(&self) -> String {
        self.sha256.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// Parses 64 hex digits.
    pub fn from_hex(s: &str) -> Option<BlobRef> {
        if s.len() != 64 {
            return None;
        }
        let mut sha256 = [0u8; 32];
        for (i, byte) in sha256.iter_mut().enumerate() {
            *byte = u8::from_str_radix(s.get(2 * i..2 * i + 2)?, 16).ok()?;
        }
        Some(BlobRef { sha256 })
    }
}

/// A message to append: its body is already durable in the blob store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMessage {
    /// Where the octets are.
    pub blob: BlobRef,
    /// RFC822.SIZE.
    pub size: u64,
    /// INTERNALDATE, seconds since the epoch.
    pub internal_date: i64,
    /// INTERNALDATE's zone, minutes east of UTC.
    pub internal_zone: i16,
    /// Initial flags.
    pub flags: Flags,
    /// The message facts computed at append (ENVELOPE, BODYSTRUCTURE, sections…), opaque to
    /// the store.
    pub facts: Vec<u8>,
    /// When the (last) write of the body to the blob store began, in milliseconds since the
    /// epoch: the append is refused with [`crate::StoreError::BlobCollected`] if the sweep may
    /// have deleted the body after that (blob-store's `BlobReferences` contract, rule 3).
    pub put_started_ms: i64,
}

/// The result of an APPEND (for APPENDUID, RFC 4315).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppendResult {
    /// The mailbox's UIDVALIDITY.
    pub uid_validity: u32,
    /// The new UIDs, in the order of the messages.
    pub uids: Vec<u32>,
    /// The MODSEQ of the append.
    pub modseq: u64,
}

/// A message's mutable state, as a session's view holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageState {
    /// UID.
    pub uid: u32,
    /// Flags.
    pub flags: Flags,
    /// MODSEQ of its last change.
    pub modseq: u64,
}

/// Everything a SELECT needs, read in one consistent snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    /// The mailbox (UIDVALIDITY, UIDNEXT, HIGHESTMODSEQ).
    pub mailbox: MailboxInfo,
    /// Every message, in ascending UID order.
    pub messages: Vec<MessageState>,
}

/// What changed in a mailbox after a MODSEQ.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Changes {
    /// Messages appended or whose flags changed after the MODSEQ, ascending UID order, with
    /// their current state.
    pub changed: Vec<MessageState>,
    /// UIDs expunged after the MODSEQ, ascending.
    pub expunged: Vec<u32>,
    /// HIGHESTMODSEQ as of this read.
    pub highest_modseq: u64,
    /// UIDNEXT as of this read.
    pub uid_next: u32,
}

/// A STORE request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlagUpdate {
    /// The messages, by UID (UIDs that do not exist are ignored).
    pub uids: Vec<u32>,
    /// Add, remove or replace.
    pub op: FlagOp,
    /// The flags.
    pub flags: Flags,
    /// RFC 7162 UNCHANGEDSINCE: messages whose MODSEQ is greater are not changed.
    pub unchanged_since: Option<u64>,
}

/// The outcome of a STORE.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FlagUpdateResult {
    /// Messages whose flags changed, with their new state (a new MODSEQ each).
    pub updated: Vec<MessageState>,
    /// UIDs that failed the UNCHANGEDSINCE test (for `[MODIFIED …]`).
    pub modified: Vec<u32>,
    /// Messages asked for whose flags were already as the STORE would make them, with their
    /// current state (a STORE without .SILENT shows it, RFC 9051 §6.4.6).
    pub unchanged: Vec<MessageState>,
}

/// The outcome of COPY or MOVE (for COPYUID, RFC 4315).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyResult {
    /// The destination's UIDVALIDITY.
    pub uid_validity: u32,
    /// (source UID, destination UID) pairs, ascending source UID.
    pub pairs: Vec<(u32, u32)>,
}

/// The outcome of an EXPUNGE.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpungeResult {
    /// UIDs removed, ascending.
    pub uids: Vec<u32>,
    /// The MODSEQ of the expunge (unchanged if nothing was removed).
    pub modseq: u64,
}

/// One message with everything FETCH may need from metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageRecord {
    /// UID, flags, MODSEQ.
    pub state: MessageState,
    /// Where the body is.
    pub blob: BlobRef,
    /// RFC822.SIZE
    pub size: u64,
    /// INTERNALDATE (seconds since the epoch).
    pub internal_date: i64,
    /// INTERNALDATE's zone, minutes east of UTC.
    pub internal_zone: i16,
    /// SAVEDATE (seconds since the epoch, RFC 8514).
    pub save_date: i64,
    /// EMAILID (RFC 8474): stable across COPY/MOVE; derived from the blob.
    pub email_id: String,
    /// The facts computed at append.
    pub facts: Vec<u8>,
}

/// A committed change, published to every subscriber of the change feed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChangeEvent {
    /// Whose data changed.
    pub account: AccountId,
    /// Which mailbox (for mailbox-level changes such as create/delete, the affected one).
    pub mailbox: MailboxId,
    /// The mailbox's HIGHESTMODSEQ after the change.
    pub modseq: u64,
}

impl ChangeEvent {
    /// "Events may have been lost: look again." Sent by a change feed that had to reconnect
    /// (the cluster's gRPC stream, PostgreSQL LISTEN) or that fell behind; it concerns every
    /// account and mailbox. Ids start at 1, so no real change has account 0.
    pub const RESYNC: ChangeEvent = ChangeEvent {
        account: AccountId(0),
        mailbox: MailboxId(0),
        modseq: 0,
    };

    /// Whether a subscriber watching `mailbox` of `account` should look at this event.
    pub fn concerns(&self, account: AccountId, mailbox: MailboxId) -> bool {
        *self == ChangeEvent::RESYNC || (self.account == account && self.mailbox == mailbox)
    }
}

/// Keywords' order: ASCII case-insensitive (RFC 9051 §2.3.2), without allocating.
fn ci_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    a.bytes()
        .map(|c| c.to_ascii_lowercase())
        .cmp(b.bytes().map(|c| c.to_ascii_lowercase()))
}

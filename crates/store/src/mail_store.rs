//! The seam between IMAP and storage, and its contract. Every implementation keeps it: the SQL
//! store on SQLite and on PostgreSQL, and the cluster's `RemoteStore` over gRPC; the contract
//! suite (crates/store-suite) runs the same cases on all three.
//!
//! ## Isolation
//! Every call that touches mail takes the [`AccountId`] it acts for, and an implementation must
//! answer as if nothing of any other account existed: a [`MailboxId`] of another account is
//! [`StoreError::NotFound`](crate::StoreError::NotFound) (ARCHITECTURE.md invariant 5).
//!
//! ## Durability
//! Every call that changes data returns `Ok` only after the change is committed durably: a
//! tagged OK may follow at once, and the change survives a crash of any process and a power cut
//! (invariant 3). A call that returns an error changed nothing, except
//! [`StoreError::Unavailable`]/[`StoreError::Internal`] from `RemoteStore` when the outcome is
//! unknown (the replica died mid-call; see each method). A change whose caller goes away (a
//! client that disconnects, a cancelled call) still commits or rolls back as a whole, and is
//! published if it commits. Message bodies are not stored here: the
//! caller writes them to the blob store first and passes their [`BlobRef`]
//! ([`crate::bodies::append_messages`]).
//!
//! ## Ordering
//! Per mailbox, UIDs are assigned in strictly ascending commit order and never reused within a
//! UIDVALIDITY (invariant 1); every append, flag change and expunge takes a new MODSEQ, strictly
//! increasing per mailbox, and expunged UIDs are remembered with their MODSEQ (invariant 2).
//! After a change commits, one [`ChangeEvent`] per mailbox it changed is published to
//! [`Messages::subscribe`]; a read made after a write returned sees that write.
//!
//! ## Errors
//! Every method may also fail with [`StoreError::Unavailable`] (the database or the metad
//! replicas cannot be reached, or are overloaded: retry later) and [`StoreError::Internal`] (a
//! bug or corrupt data); the methods list the errors they give beyond these.
//!
//! [`StoreError::Unavailable`]: crate::StoreError::Unavailable
//! [`StoreError::Internal`]: crate::StoreError::Internal

use crate::error::Result;
use crate::types::*;
use async_trait::async_trait;
use tokio::sync::broadcast;

/// Storage for accounts, mailboxes and message metadata: the four families below, implemented
/// together. See the module docs for the contract every method keeps.
pub trait MailStore: Accounts + Mailboxes + Messages + Sweep + Send + Sync + 'static {}

impl<T: Accounts + Mailboxes + Messages + Sweep + Send + Sync + 'static> MailStore for T {}

/// Tenants (domains) and accounts: what the admin tools change and a login reads.
#[async_trait]
pub trait Accounts: Send + Sync {
    /// Creates a domain (tenant); the name is stored lower-case.
    /// `AlreadyExists` if it exists, `Cannot` if it is not a domain name.
    async fn create_domain(&self, name: &str) -> Result<DomainId>;

    /// All domains, by name.
    async fn list_domains(&self) -> Result<Vec<Domain>>;

    /// Deletes a domain. `Cannot` while it has accounts, `NotFound` if there is no such domain.
    async fn delete_domain(&self, name: &str) -> Result<()>;

    /// Creates an account `local@domain` (stored lower-case; the domain is created if needed)
    /// with the standard mailboxes, subscribed: INBOX, Sent, Drafts, Trash, Junk and Archive
    /// with their SPECIAL-USE attributes, in one transaction. `password_hash` is a PHC string.
    /// `AlreadyExists` if the address is taken, `Cannot` if it is not `local@domain`.
    async fn create_account(&self, address: &str, password_hash: &str) -> Result<AccountId>;

    /// Deletes an account and everything in it, in one transaction. Its bodies become
    /// unreferenced and are collected by the sweep. `NotFound` if there is no such account.
    async fn delete_account(&self, address: &str) -> Result<()>;

    /// Accounts, by address; only those of `domain` if given.
    async fn list_accounts(&self, domain: Option<&str>) -> Result<Vec<Account>>;

    /// Replaces an account's password hash and forgets its SCRAM verifier (which belonged to
    /// the old password). `NotFound` if there is no such account.
    async fn set_password(&self, address: &str, password_hash: &str) -> Result<()>;

    /// Stores (or, with `None`, removes) the SCRAM-SHA-256 verifier of the account's current
    /// password, in RFC 5803 form. `NotFound` if there is no such account.
    async fn set_scram(&self, address: &str, scram: Option<&str>) -> Result<()>;

    /// Sets an account's quota limits; usage already over a new limit is kept (only writes that
    /// add are refused). `NotFound` if there is no such account.
    async fn set_quota(&self, address: &str, limits: QuotaLimits) -> Result<()>;

    /// The credentials for a login name (case-insensitive); `None` if there is no such account
    /// (or the name is not an address).
    async fn credentials(&self, address: &str) -> Result<Option<Credentials>>;

    /// Exact quota usage and limits of an account (usage is charged in the same transaction as
    /// each change). `NotFound` if there is no such account.
    async fn quota(&self, account: AccountId) -> Result<QuotaUsage>;
}

/// The mailbox tree of an account, its subscriptions and STATUS.
#[async_trait]
pub trait Mailboxes: Send + Sync {
    /// Creates a mailbox (its parents are not created: the caller does that, RFC 9051 §6.3.4)
    /// with a new UIDVALIDITY, so that a name that existed before never sees its old UIDs again.
    /// `AlreadyExists` if the name is taken, `Cannot` for a bad name, `NotFound` for an unknown
    /// account.
    async fn create_mailbox(
        &self,
        account: AccountId,
        name: &str,
        special_use: Option<SpecialUse>,
    ) -> Result<MailboxInfo>;

    /// Deletes a mailbox and its messages (freeing their quota) in one transaction. `Cannot`
    /// for INBOX, `HasChildren` if other mailboxes are below it, `NotFound` if it does not
    /// exist.
    async fn delete_mailbox(&self, account: AccountId, name: &str) -> Result<()>;

    /// Renames a mailbox and every mailbox below it, keeping their ids, UIDVALIDITY and
    /// messages. Renaming INBOX moves its messages to a new mailbox and leaves INBOX empty
    /// (RFC 9051 §6.3.6). `NotFound` if `from` does not exist, `AlreadyExists` if `to` (or a
    /// name below it that the rename would take) exists, `Cannot` for a rename to INBOX or into
    /// itself.
    async fn rename_mailbox(&self, account: AccountId, from: &str, to: &str) -> Result<()>;

    /// Every mailbox of the account, by name.
    async fn list_mailboxes(&self, account: AccountId) -> Result<Vec<MailboxInfo>>;

    /// One mailbox by name (`INBOX` in any case). `NotFound` if it does not exist, `Cannot` for
    /// a name no mailbox can have.
    async fn mailbox(&self, account: AccountId, name: &str) -> Result<MailboxInfo>;

    /// Subscribes to or unsubscribes from a name, which need not exist (RFC 9051 §6.3.7);
    /// doing it twice is the same as once.
    async fn set_subscribed(&self, account: AccountId, name: &str, subscribed: bool) -> Result<()>;

    /// Subscribed names, sorted.
    async fn subscriptions(&self, account: AccountId) -> Result<Vec<String>>;

    /// STATUS counts, read in one consistent view. `NotFound` unless the mailbox is the
    /// account's.
    async fn status(&self, account: AccountId, mailbox: MailboxId) -> Result<MailboxStatus>;
}

/// Messages of a mailbox: the writes of APPEND, STORE, COPY, MOVE and EXPUNGE, the reads of
/// SELECT, FETCH and SEARCH, and the change feed. Each takes the account it acts for; a mailbox
/// that is not the account's is `NotFound`.
#[async_trait]
pub trait Messages: Send + Sync {
    /// Appends messages (one, or several for MULTIAPPEND) as one atomic step: all or none,
    /// consecutive UIDs in the order given, one MODSEQ. The bodies must be in the blob store.
    /// `OverQuota` if the account would pass a limit; `Cannot` for an empty list or a mailbox
    /// whose UIDs ran out; `BlobCollected` if the sweep collected a body meanwhile (write it
    /// again and retry: [`crate::bodies::append_messages`] does). `RemoteStore`: an outcome
    /// lost with a replica is `Unavailable` and is not retried (at worst the client appends
    /// twice).
    async fn append(
        &self,
        account: AccountId,
        mailbox: MailboxId,
        messages: Vec<NewMessage>,
    ) -> Result<AppendResult>;

    /// The state SELECT needs, in one consistent read: the mailbox and every message's UID,
    /// flags and MODSEQ, ascending UID.
    async fn snapshot(&self, account: AccountId, mailbox: MailboxId) -> Result<Snapshot>;

    /// Messages appended or changed, and UIDs expunged, after `modseq` (ascending UID), with
    /// the mailbox's HIGHESTMODSEQ and UIDNEXT, in one consistent read.
    async fn changes_since(
        &self,
        account: AccountId,
        mailbox: MailboxId,
        modseq: u64,
    ) -> Result<Changes>;

    /// STORE: changes flags; the changed messages all take one new MODSEQ. Messages whose
    /// flags would not change are left alone and not reported; UIDs that do not exist are
    /// ignored; messages that fail UNCHANGEDSINCE are reported as modified and left alone.
    async fn store_flags(
        &self,
        account: AccountId,
        mailbox: MailboxId,
        update: FlagUpdate,
    ) -> Result<FlagUpdateResult>;

    /// COPY: the existing messages among `uids` get new UIDs in `to`, in ascending source-UID
    /// order, one MODSEQ, as one atomic step; each copy counts against the quota.
    /// `OverQuota`, or `Cannot` when `to` ran out of UIDs; nothing is copied then.
    async fn copy(
        &self,
        account: AccountId,
        from: MailboxId,
        uids: &[u32],
        to: MailboxId,
    ) -> Result<CopyResult>;

    /// MOVE: COPY then expunge from the source, as one atomic step (RFC 6851); the quota does
    /// not change. Within one mailbox both halves take one MODSEQ.
    async fn move_messages(
        &self,
        account: AccountId,
        from: MailboxId,
        uids: &[u32],
        to: MailboxId,
    ) -> Result<(CopyResult, ExpungeResult)>;

    /// EXPUNGE: removes the messages flagged `\Deleted` (only those among `uids` if given: UID
    /// EXPUNGE, RFC 4315) with one new MODSEQ, remembers their UIDs with it for QRESYNC and
    /// frees their quota. Nothing to remove: nothing changes and the MODSEQ is the current one.
    async fn expunge(
        &self,
        account: AccountId,
        mailbox: MailboxId,
        uids: Option<&[u32]>,
    ) -> Result<ExpungeResult>;

    /// Metadata and facts of the given messages, ascending UID; UIDs that do not exist are
    /// skipped. Read in one consistent view.
    async fn fetch(
        &self,
        account: AccountId,
        mailbox: MailboxId,
        uids: &[u32],
    ) -> Result<Vec<MessageRecord>>;

    /// Like [`fetch`](Self::fetch) without the facts (`facts` is empty): what SEARCH needs
    /// for all but the SENT* keys, at a fraction of the bytes.
    async fn fetch_meta(
        &self,
        account: AccountId,
        mailbox: MailboxId,
        uids: &[u32],
    ) -> Result<Vec<MessageRecord>> {
        let mut records = self.fetch(account, mailbox, uids).await?;
        for r in &mut records {
            r.facts = Vec::new();
        }
        Ok(records)
    }

    /// `(uid, body)` of every message with a UID above `after`, ascending: what a search index
    /// needs to map the bodies it finds back to the mailbox's messages. A UID's body never
    /// changes, so callers may cache the answer and ask only for newer UIDs.
    async fn uid_blobs(
        &self,
        account: AccountId,
        mailbox: MailboxId,
        after: u32,
    ) -> Result<Vec<(u32, BlobRef)>>;

    /// Claims the IMAP4rev1 `\Recent` messages for a session that selects the mailbox
    /// read-write, or that has it selected and sees new messages: returns the UIDs that are
    /// recent for this session, `first..end` (empty when another session claimed them), and
    /// marks every current message as no longer recent for any other session. Two claims never
    /// overlap. Durable when it returns, like a write (also when there was nothing to claim).
    async fn claim_recent(
        &self,
        account: AccountId,
        mailbox: MailboxId,
    ) -> Result<std::ops::Range<u32>>;

    /// The change feed: one event per mailbox a committed change touched, after the commit,
    /// for every account (subscribers filter with [`ChangeEvent::concerns`]). A subscriber that
    /// falls behind, or a feed that had to reconnect, receives [`ChangeEvent::RESYNC`]: look
    /// at everything again.
    fn subscribe(&self) -> broadcast::Receiver<ChangeEvent>;

    /// Whether [`subscribe`](Self::subscribe)'s feed is complete and immediate for message
    /// changes: every change to a mailbox's messages that committed before any call returned
    /// was published on this process's feed before that call returned, so a session that
    /// received no event for its mailbox knows nothing changed there and may skip asking. True
    /// only when this process is the database's only writer of mail (SQLite); a store whose
    /// feed also carries other processes' events, which arrive a moment later (PostgreSQL's
    /// relay, the cluster's stream), says false and its sessions always ask.
    fn feed_is_complete(&self) -> bool {
        false
    }
}

/// The metadata half of the blob sweep (blob-store's `BlobReferences` contract; the rules are
/// [`crate::rules::blobs`]).
#[async_trait]
pub trait Sweep: Send + Sync {
    /// In ONE transaction: returns the bodies of `batch` that a message row refers to, and marks
    /// every other one as being collected (a tombstone), so that an append of it that commits
    /// later is refused with `BlobCollected` until the body is written again (rules 1 and 3).
    /// Marking twice is harmless.
    async fn sweep_mark(&self, batch: &[BlobRef]) -> Result<Vec<BlobRef>>;

    /// Records that the deletes of these bodies completed (rule 2).
    async fn sweep_done(&self, deleted: &[BlobRef]) -> Result<()>;
}

//! The seam between IMAP and storage.
//!
//! Every call that touches mail takes the [`AccountId`] it acts for, and an implementation must
//! answer as if nothing of any other account existed: a [`MailboxId`] of another account is
//! [`StoreError::NotFound`](crate::StoreError::NotFound) (ARCHITECTURE.md invariant 5).
//!
//! ## Durability
//! Every call that changes data returns only after the change is committed durably (a tagged OK
//! may follow immediately, invariant 3). Message bodies are not stored here: the caller writes
//! them to the blob store first and passes their [`BlobRef`].
//!
//! ## Ordering
//! Per mailbox, UIDs are assigned in strictly ascending commit order and never reused within a
//! UIDVALIDITY (invariant 1); every append, flag change and expunge takes a new MODSEQ, strictly
//! increasing per mailbox, and expunged UIDs are remembered with their MODSEQ (invariant 2).
//! After a change commits, one [`ChangeEvent`] is published to [`MailStore::subscribe`].

use crate::error::Result;
use crate::types::*;
use async_trait::async_trait;
use tokio::sync::broadcast;

/// Storage for accounts, mailboxes and message metadata. See the module docs for the contract
/// every method keeps.
#[async_trait]
pub trait MailStore: Send + Sync + 'static {
    // ---------------- tenants and accounts ----------------

    /// Creates a domain (tenant). `AlreadyExists` if it exists.
    async fn create_domain(&self, name: &str) -> Result<DomainId>;

    /// All domains, by name.
    async fn list_domains(&self) -> Result<Vec<Domain>>;

    /// Deletes a domain that has no accounts left (`Cannot` otherwise).
    async fn delete_domain(&self, name: &str) -> Result<()>;

    /// Creates an account `local@domain` (creating the domain if needed) with the standard
    /// mailboxes: INBOX, Sent, Drafts, Trash, Junk and Archive with their SPECIAL-USE
    /// attributes. `password_hash` is a PHC string.
    async fn create_account(&self, address: &str, password_hash: &str) -> Result<AccountId>;

    /// Deletes an account and everything in it. Its blobs become unreferenced and are
    /// collected by the sweep.
    async fn delete_account(&self, address: &str) -> Result<()>;

    /// Accounts, by address; only those of `domain` if given.
    async fn list_accounts(&self, domain: Option<&str>) -> Result<Vec<Account>>;

    /// Replaces an account's password hash and forgets its SCRAM verifier (which belonged to
    /// the old password).
    async fn set_password(&self, address: &str, password_hash: &str) -> Result<()>;

    /// Stores (or, with `None`, removes) the SCRAM-SHA-256 verifier of the account's current
    /// password, in RFC 5803 form.
    async fn set_scram(&self, address: &str, scram: Option<&str>) -> Result<()>;

    /// Sets an account's quota limits.
    async fn set_quota(&self, address: &str, limits: QuotaLimits) -> Result<()>;

    /// Looks up the credentials for a login name (case-insensitive). `None` if there is no
    /// such account.
    async fn credentials(&self, address: &str) -> Result<Option<Credentials>>;

    /// Exact quota usage and limits of an account.
    async fn quota(&self, account: AccountId) -> Result<QuotaUsage>;

    // ---------------- mailboxes ----------------

    /// Creates a mailbox (its parents are not created: the caller does that, RFC 9051 §6.3.4).
    /// `AlreadyExists` if the name is taken; a new UIDVALIDITY is chosen so that a name that
    /// existed before never sees its old UIDs again.
    async fn create_mailbox(
        &self,
        account: AccountId,
        name: &str,
        special_use: Option<SpecialUse>,
    ) -> Result<MailboxInfo>;

    /// Deletes a mailbox and its messages. `Cannot` for INBOX, `HasChildren` if other mailboxes
    /// are below it.
    async fn delete_mailbox(&self, account: AccountId, name: &str) -> Result<()>;

    /// Renames a mailbox and every mailbox below it. Renaming INBOX moves its messages to a
    /// new mailbox and leaves INBOX empty (RFC 9051 §6.3.6).
    async fn rename_mailbox(&self, account: AccountId, from: &str, to: &str) -> Result<()>;

    /// Every mailbox of the account, by name.
    async fn list_mailboxes(&self, account: AccountId) -> Result<Vec<MailboxInfo>>;

    /// One mailbox by name (`INBOX` in any case). `NotFound` if it does not exist.
    async fn mailbox(&self, account: AccountId, name: &str) -> Result<MailboxInfo>;

    /// Subscribes to or unsubscribes from a name (which need not exist, RFC 9051 §6.3.7).
    async fn set_subscribed(&self, account: AccountId, name: &str, subscribed: bool) -> Result<()>;

    /// Subscribed names, sorted.
    async fn subscriptions(&self, account: AccountId) -> Result<Vec<String>>;

    /// STATUS counts, read consistently.
    async fn status(&self, account: AccountId, mailbox: MailboxId) -> Result<MailboxStatus>;

    // ---------------- messages ----------------

    /// Appends messages (one, or several for MULTIAPPEND) as one atomic step: all or none,
    /// consecutive UIDs in order, one MODSEQ. `OverQuota` if the account would exceed a limit.
    async fn append(
        &self,
        account: AccountId,
        mailbox: MailboxId,
        messages: Vec<NewMessage>,
    ) -> Result<AppendResult>;

    /// The state SELECT needs, in one consistent read.
    async fn snapshot(&self, account: AccountId, mailbox: MailboxId) -> Result<Snapshot>;

    /// Messages appended or changed, and UIDs expunged, after `modseq`.
    async fn changes_since(
        &self,
        account: AccountId,
        mailbox: MailboxId,
        modseq: u64,
    ) -> Result<Changes>;

    /// STORE: changes flags; each changed message gets a new MODSEQ. Messages whose flags would
    /// not change are left alone (and not reported).
    async fn store_flags(
        &self,
        account: AccountId,
        mailbox: MailboxId,
        update: FlagUpdate,
    ) -> Result<FlagUpdateResult>;

    /// COPY: the messages get new UIDs in `to`, in ascending source-UID order, as one atomic
    /// step. `OverQuota` if the account would exceed a limit.
    async fn copy(
        &self,
        account: AccountId,
        from: MailboxId,
        uids: &[u32],
        to: MailboxId,
    ) -> Result<CopyResult>;

    /// MOVE: COPY then expunge from the source, as one atomic step (RFC 6851).
    async fn move_messages(
        &self,
        account: AccountId,
        from: MailboxId,
        uids: &[u32],
        to: MailboxId,
    ) -> Result<(CopyResult, ExpungeResult)>;

    /// EXPUNGE: removes the messages flagged `\Deleted`; only those among `uids` if given
    /// (UID EXPUNGE, RFC 4315).
    async fn expunge(
        &self,
        account: AccountId,
        mailbox: MailboxId,
        uids: Option<&[u32]>,
    ) -> Result<ExpungeResult>;

    /// Metadata and facts of the given messages, ascending UID; missing UIDs are skipped.
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
    /// read-write: returns the first UID that is recent for this session and marks every
    /// current message as no longer recent for later sessions.
    async fn claim_recent(&self, account: AccountId, mailbox: MailboxId) -> Result<u32>;

    /// The change feed: one event per committed change, for every account (subscribers filter).
    fn subscribe(&self) -> broadcast::Receiver<ChangeEvent>;

    // ---------------- the blob sweep (blob-store's `BlobReferences` contract) ----------------

    /// In ONE transaction: returns the bodies of `batch` that a message row refers to, and marks
    /// every other one as being collected (a tombstone), so that an append of it that commits
    /// later is refused with `BlobCollected` until the body is written again (rules 1 and 3).
    async fn sweep_mark(&self, batch: &[BlobRef]) -> Result<Vec<BlobRef>>;

    /// Records that the bodies' deletes completed (rule 2).
    async fn sweep_done(&self, deleted: &[BlobRef]) -> Result<()>;
}

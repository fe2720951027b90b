//! Storage errors. The variants a caller can act on (not found, exists, over quota, …) are
//! separate from the ones it cannot (backend failure); the IMAP layer maps each variant to a
//! response code in one place.

/// Result of a storage call.
pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// What went wrong in a storage call.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The account, domain or mailbox does not exist (or belongs to another account).
    /// IMAP: `NO [NONEXISTENT]`, or `[TRYCREATE]` for an APPEND/COPY destination.
    #[error("{0} does not exist")]
    NotFound(String),
    /// The name is taken. IMAP: `NO [ALREADYEXISTS]`.
    #[error("{0} already exists")]
    AlreadyExists(String),
    /// The operation would exceed a quota. IMAP: `NO [OVERQUOTA]`.
    #[error("over quota")]
    OverQuota,
    /// The write would pass a fixed limit of the server (the keywords a mailbox may define).
    /// IMAP: `NO [LIMIT]`.
    #[error("{0}")]
    Limit(String),
    /// The mailbox has children and cannot be deleted. IMAP: `NO [HASCHILDREN]`.
    #[error("mailbox has children")]
    HasChildren,
    /// The request is not allowed (deleting INBOX, a bad name…). IMAP: `NO [CANNOT]`.
    #[error("{0}")]
    Cannot(String),
    /// The sweep collected (or is collecting) this body while the append was under way: write
    /// the body again once the sweep is done with it, then retry the append
    /// ([`crate::bodies::append_messages`] does this).
    #[error("body {0} is being collected; write it again and retry")]
    BlobCollected(String),
    /// The backend is unreachable or overloaded; the caller may retry. IMAP: `NO [UNAVAILABLE]`.
    #[error("storage unavailable: {0}")]
    Unavailable(String),
    /// Anything else: a bug or corruption. IMAP: `NO [SERVERBUG]`.
    #[error("storage failure: {0}")]
    Internal(String),
}

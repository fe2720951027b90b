//! The one place where errors become IMAP responses: storage errors get their RFC 5530 codes,
//! and a handler's [`CommandError`] its tagged response.

use crate::reply::{CommandError, Reply};
use imap_proto::response::Code;
use store::StoreError;

/// Maps a storage error to the tagged NO the client sees.
pub fn store_reply(e: StoreError) -> Reply {
    match e {
        StoreError::NotFound(what) => {
            Reply::no(format!("{what} does not exist")).code(Code::NonExistent)
        }
        StoreError::AlreadyExists(what) => {
            Reply::no(format!("{what} already exists")).code(Code::AlreadyExists)
        }
        StoreError::OverQuota => Reply::no("over quota").code(Code::OverQuota),
        StoreError::Limit(why) => Reply::no(why).code(Code::Limit),
        StoreError::HasChildren => {
            Reply::no("the mailbox has child mailboxes").code(Code::HasChildren)
        }
        StoreError::Cannot(why) => Reply::no(why).code(Code::Cannot),
        StoreError::Unavailable(why) | StoreError::BlobCollected(why) => {
            tracing::warn!(error = %why, "storage unavailable");
            Reply::no("storage is temporarily unavailable, try again").code(Code::Unavailable)
        }
        StoreError::Internal(why) => {
            tracing::error!(error = %why, "storage failure");
            Reply::no("internal server error").code(Code::ServerBug)
        }
    }
}

/// Like [`store_reply`], for a destination mailbox of APPEND/COPY/MOVE: a missing one gets
/// `[TRYCREATE]` (RFC 9051 §6.3.12).
pub fn destination_reply(e: StoreError) -> Reply {
    match e {
        StoreError::NotFound(what) => {
            Reply::no(format!("{what} does not exist")).code(Code::TryCreate)
        }
        e => store_reply(e),
    }
}

/// The tagged response of a command that ended early.
pub fn reply_of(e: CommandError) -> Reply {
    match e {
        CommandError::Store(e) => store_reply(e),
        CommandError::Destination(e) => destination_reply(e),
        CommandError::Reply(r) => r,
        // The session ends on these (dispatch); a reply is only for completeness.
        CommandError::Io(e) => Reply::no(format!("response not sent: {e}")).code(Code::ServerBug),
    }
}

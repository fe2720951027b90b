//! UIDs, MODSEQs and UIDVALIDITY (ARCHITECTURE.md invariants 1 and 2).
//!
//! A write that adds messages takes the mailbox's next UIDs, consecutive and in the order of
//! the messages, and one new MODSEQ; a write that changes or removes messages takes one new
//! MODSEQ. The mailbox row is locked for the whole transaction (or, on SQLite, the one writer
//! holds the database), so UIDs and MODSEQs are assigned in commit order.

use crate::error::{Result, StoreError};
use crate::types::MailboxInfo;

/// What a write that adds `n` messages to a mailbox takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Assigned {
    /// The first message's UID; the others follow one by one.
    pub first_uid: u32,
    /// The mailbox's UIDNEXT after the write.
    pub uid_next: u32,
    /// The write's MODSEQ, the mailbox's HIGHESTMODSEQ after it.
    pub modseq: u64,
}

impl Assigned {
    /// The UID of the `i`th message (from 0).
    pub fn uid(&self, i: usize) -> u32 {
        self.first_uid + i as u32
    }
}

/// The UIDs and MODSEQ of `n` new messages in `mailbox`. `Cannot` if the mailbox would pass
/// the last UID (RFC 9051 §2.3.1.1: UIDs are 32-bit; the UID that reaches the end of the range
/// is still given out), so a mailbox that ran out changes nothing.
pub fn assign(mailbox: &MailboxInfo, n: usize) -> Result<Assigned> {
    let uid_next = u64::from(mailbox.uid_next) + n as u64;
    if uid_next > u64::from(u32::MAX) {
        return Err(StoreError::Cannot(
            "the mailbox has used up its UIDs".into(),
        ));
    }
    Ok(Assigned {
        first_uid: mailbox.uid_next,
        uid_next: uid_next as u32,
        modseq: next_modseq(mailbox),
    })
}

/// The MODSEQ of the next change to `mailbox`.
pub fn next_modseq(mailbox: &MailboxInfo) -> u64 {
    mailbox.highest_modseq + 1
}

/// The first UIDVALIDITY of a new account: the creation time in seconds, so that an account
/// created again under an old name never gives its mailboxes an old UIDVALIDITY, with room
/// left to count up.
pub fn first_uid_validity(now_secs: i64) -> i64 {
    now_secs.clamp(1, i64::from(u32::MAX) / 2)
}

/// The UIDVALIDITY a new mailbox takes from its account's counter, and the counter's next value:
/// the counter only grows, so a name that existed before never sees its old UIDs again.
pub fn take_uid_validity(counter: i64) -> Result<(u32, i64)> {
    let v = u32::try_from(counter)
        .ok()
        .filter(|&v| v != 0)
        .ok_or_else(|| {
            StoreError::Cannot("the account has used up its UIDVALIDITY values".into())
        })?;
    Ok((v, counter + 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mailbox(uid_next: u32, highest_modseq: u64) -> MailboxInfo {
        MailboxInfo {
            id: crate::types::MailboxId(1),
            name: "INBOX".into(),
            uid_validity: 7,
            uid_next,
            highest_modseq,
            special_use: None,
        }
    }

    #[test]
    fn consecutive_uids_one_modseq() {
        let a = assign(&mailbox(5, 9), 3).unwrap();
        assert_eq!((a.uid(0), a.uid(2), a.uid_next, a.modseq), (5, 7, 8, 10));
    }

    #[test]
    fn the_last_uid_is_given_out_then_none() {
        let a = assign(&mailbox(u32::MAX - 1, 1), 1).unwrap();
        assert_eq!((a.first_uid, a.uid_next), (u32::MAX - 1, u32::MAX));
        assert!(assign(&mailbox(u32::MAX, 1), 1).is_err());
        assert!(assign(&mailbox(u32::MAX - 1, 1), 2).is_err());
    }

    #[test]
    fn uid_validity_counts_up() {
        assert_eq!(take_uid_validity(41).unwrap(), (41, 42));
        assert!(take_uid_validity(i64::from(u32::MAX) + 1).is_err());
        assert_eq!(first_uid_validity(-5), 1);
    }
}

//! EXPUNGE (RFC 9051 §6.4.3) and UID EXPUNGE (RFC 4315): which messages go, what the account
//! gets back, and what is remembered for QRESYNC (RFC 7162 §3.2.10: every expunged UID with the
//! MODSEQ of its expunge, so that VANISHED (EARLIER) can report it).

use super::quota::Charge;
use super::uids::next_modseq;
use crate::types::{ExpungeResult, Flags, MailboxInfo};
use std::collections::HashSet;

/// How long an expunged message stays readable (milliseconds) for the sessions that still see
/// it because they have not been told (RFC 2180 §4.1: Strata returns its data, as Dovecot and
/// Cyrus do). A session is told at its next command that allows EXPUNGE responses, at once
/// when it IDLEs, and is logged out after 30 idle minutes (RFC 9051 §5.4), so two hours cover
/// every client but one that sends nothing but FETCH, STORE and SEARCH by number for longer;
/// past it, FETCH of such a message answers `NO [EXPUNGEISSUED]`. The body sweep keeps the body
/// while it is readable.
/// The default; an operator may choose another for the process ([`set_keep_expunged_ms`]:
/// `[blobs] keep_expunged_secs`), trading how long such a client is served for how soon
/// expunged mail leaves the disk.
pub const KEEP_EXPUNGED_MS: i64 = 2 * 3600 * 1000;

static KEEP_MS: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(KEEP_EXPUNGED_MS);

/// Sets how long expunged messages stay readable in this process (at start, from the
/// configuration; the metadata store applies it).
pub fn set_keep_expunged_ms(ms: i64) {
    KEEP_MS.store(ms.max(0), std::sync::atomic::Ordering::Relaxed);
}

/// How long expunged messages stay readable in this process.
pub fn keep_expunged_ms() -> i64 {
    KEEP_MS.load(std::sync::atomic::Ordering::Relaxed)
}

/// Whether a message expunged at `expunged_at_ms` is still readable at `now_ms`.
pub fn still_kept(expunged_at_ms: i64, now_ms: i64) -> bool {
    now_ms - expunged_at_ms < keep_expunged_ms()
}

/// The earliest expunge time still readable at `now_ms` (for a `WHERE expunged_at >= …`).
pub fn kept_since(now_ms: i64) -> i64 {
    now_ms - keep_expunged_ms() + 1
}

/// The flags a message must have to be expunged. A backend may read only the messages that
/// have them; [`plan`] checks again.
pub const EXPUNGED_FLAGS: u8 = Flags::DELETED;

/// A message as an EXPUNGE looks at it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Candidate {
    /// UID.
    pub uid: u32,
    /// System flags.
    pub flags: u8,
    /// RFC822.SIZE.
    pub size: u64,
}

/// What an EXPUNGE does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// The UIDs removed (and remembered as expunged at `result.modseq`), ascending, and the
    /// MODSEQ the mailbox reaches; with no UIDs nothing is written and the MODSEQ is the
    /// mailbox's current one.
    pub result: ExpungeResult,
    /// What the account gets back.
    pub freed: Charge,
}

/// Removes the `\Deleted` messages among `candidates` (ascending UID); only those among `only`
/// when given (UID EXPUNGE).
pub fn plan(
    mailbox: &MailboxInfo,
    candidates: impl IntoIterator<Item = Candidate>,
    only: Option<&[u32]>,
) -> Plan {
    let only: Option<HashSet<u32>> = only.map(|u| u.iter().copied().collect());
    let gone: Vec<Candidate> = candidates
        .into_iter()
        .filter(|c| c.flags & EXPUNGED_FLAGS == EXPUNGED_FLAGS)
        .filter(|c| only.as_ref().is_none_or(|o| o.contains(&c.uid)))
        .collect();
    let modseq = if gone.is_empty() {
        mailbox.highest_modseq
    } else {
        next_modseq(mailbox)
    };
    Plan {
        freed: Charge::of_messages(gone.iter().map(|c| c.size)).freed(),
        result: ExpungeResult {
            uids: gone.iter().map(|c| c.uid).collect(),
            modseq,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::MailboxId;

    #[test]
    fn expunged_messages_are_kept_for_a_while() {
        let at = 1_000_000;
        assert!(still_kept(at, at));
        assert!(still_kept(at, at + KEEP_EXPUNGED_MS - 1));
        assert!(!still_kept(at, at + KEEP_EXPUNGED_MS));
        // The SQL bound says the same.
        for now in [at, at + KEEP_EXPUNGED_MS - 1, at + KEEP_EXPUNGED_MS] {
            assert_eq!(at >= kept_since(now), still_kept(at, now), "{now}");
        }
    }

    #[test]
    fn deleted_messages_among_the_asked_ones_go() {
        let mb = MailboxInfo {
            id: MailboxId(1),
            name: "INBOX".into(),
            uid_validity: 1,
            uid_next: 9,
            highest_modseq: 20,
            special_use: None,
        };
        let c = |uid, flags| Candidate {
            uid,
            flags,
            size: 10,
        };
        let all = [
            c(1, Flags::DELETED),
            c(2, Flags::SEEN),
            c(3, Flags::DELETED | Flags::SEEN),
        ];
        let p = plan(&mb, all, None);
        assert_eq!((p.result.uids.clone(), p.result.modseq), (vec![1, 3], 21));
        assert_eq!(
            p.freed,
            Charge {
                storage: -20,
                messages: -2
            }
        );
        let p = plan(&mb, all, Some(&[3, 2]));
        assert_eq!(p.result.uids, vec![3]);
        let p = plan(&mb, all, Some(&[2]));
        assert_eq!(
            (p.result.uids.len(), p.result.modseq),
            (0, 20),
            "nothing: no new MODSEQ"
        );
    }
}

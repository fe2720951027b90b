//! EXPUNGE (RFC 9051 §6.4.3) and UID EXPUNGE (RFC 4315): which messages go, what the account
//! gets back, and what is remembered for QRESYNC (RFC 7162 §3.2.10: every expunged UID with the
//! MODSEQ of its expunge, so that VANISHED (EARLIER) can report it).

use super::quota::Charge;
use super::uids::next_modseq;
use crate::types::{ExpungeResult, Flags, MailboxInfo};
use std::collections::HashSet;

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

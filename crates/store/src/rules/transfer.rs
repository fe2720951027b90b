//! COPY (RFC 9051 §6.4.7) and MOVE (RFC 6851): the new UIDs in the destination, in ascending
//! source-UID order (COPYUID, RFC 4315), what it costs, and what MOVE expunges.
//!
//! A copy counts against the quota like the original; a move does not change usage (the
//! message leaves the source as it enters the destination). A MOVE within one mailbox takes
//! one MODSEQ for both halves.

use super::quota::Charge;
use super::uids::{Assigned, assign, next_modseq};
use crate::error::Result;
use crate::types::{CopyResult, ExpungeResult, MailboxInfo};

/// What a COPY or MOVE of `n` source messages does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// UIDs and MODSEQ in the destination.
    pub dst: Assigned,
    /// What the account is charged.
    pub charge: Charge,
    /// MOVE: the source's new MODSEQ and UIDNEXT after the expunge half.
    pub src: Option<(u64, u32)>,
}

/// Plans moving (`is_move`) or copying the source messages of `sizes` (ascending source UID)
/// from `src` to `dst` (the same mailbox when their ids agree).
pub fn plan(src: &MailboxInfo, dst: &MailboxInfo, sizes: &[u64], is_move: bool) -> Result<Plan> {
    let assigned = assign(dst, sizes.len())?;
    let charge = if is_move {
        Charge::default()
    } else {
        Charge::of_messages(sizes.iter().copied())
    };
    let src_after = is_move.then(|| {
        if src.id == dst.id {
            (assigned.modseq, assigned.uid_next)
        } else {
            (next_modseq(src), src.uid_next)
        }
    });
    Ok(Plan {
        dst: assigned,
        charge,
        src: src_after,
    })
}

impl Plan {
    /// COPYUID's pairs for the source UIDs, in order.
    pub fn copy_result(&self, dst: &MailboxInfo, src_uids: &[u32]) -> CopyResult {
        CopyResult {
            uid_validity: dst.uid_validity,
            pairs: src_uids
                .iter()
                .enumerate()
                .map(|(i, &u)| (u, self.dst.uid(i)))
                .collect(),
        }
    }

    /// What the MOVE expunged from the source (nothing for a COPY: the source's MODSEQ).
    pub fn expunge_result(&self, src: &MailboxInfo, src_uids: &[u32]) -> ExpungeResult {
        match self.src {
            Some((modseq, _)) => ExpungeResult {
                uids: src_uids.to_vec(),
                modseq,
            },
            None => ExpungeResult {
                uids: Vec::new(),
                modseq: src.highest_modseq,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::MailboxId;

    fn mb(id: i64, uid_next: u32, modseq: u64) -> MailboxInfo {
        MailboxInfo {
            id: MailboxId(id),
            name: format!("m{id}"),
            uid_validity: 100 + id as u32,
            uid_next,
            highest_modseq: modseq,
            special_use: None,
        }
    }

    #[test]
    fn copy_charges_move_does_not() {
        let (src, dst) = (mb(1, 10, 50), mb(2, 4, 7));
        let copy = plan(&src, &dst, &[10, 20], false).unwrap();
        assert_eq!(
            copy.charge,
            Charge {
                storage: 30,
                messages: 2
            }
        );
        assert_eq!(copy.src, None);
        assert_eq!(copy.copy_result(&dst, &[3, 8]).pairs, vec![(3, 4), (8, 5)]);
        assert_eq!(copy.expunge_result(&src, &[3, 8]).uids, Vec::<u32>::new());
        let mv = plan(&src, &dst, &[10, 20], true).unwrap();
        assert!(mv.charge.is_zero());
        assert_eq!(mv.src, Some((51, 10)));
        assert_eq!(mv.dst.modseq, 8);
    }

    #[test]
    fn move_within_a_mailbox_takes_one_modseq() {
        let m = mb(1, 10, 50);
        let p = plan(&m, &m, &[1, 1], true).unwrap();
        assert_eq!((p.dst.first_uid, p.dst.modseq), (10, 51));
        assert_eq!(p.src, Some((51, 12)));
    }
}

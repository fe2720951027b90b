//! `\Recent` (IMAP4rev1, RFC 3501 §2.3.2): a message is recent for the first session that
//! selects its mailbox read-write after it arrived, or that has it selected when it arrives
//! and claims it first, and for no other. The mailbox keeps one mark, the first UID not yet
//! claimed; a claim takes `mark..UIDNEXT` and moves the mark to UIDNEXT.

/// The empty claim when there is nothing to claim (the mark is at UIDNEXT): it can be answered
/// without a write. A race with an APPEND is harmless: the new message is claimed by the next
/// claim, as if it had arrived just after this one.
pub fn nothing_to_claim(recent_uid: u32, uid_next: u32) -> Option<std::ops::Range<u32>> {
    (recent_uid >= uid_next).then_some(recent_uid..recent_uid)
}

/// A claim: the UIDs recent for the claiming session, `mark..UIDNEXT`; the mailbox's new mark
/// is its end.
pub fn claim(recent_uid: u32, uid_next: u32) -> std::ops::Range<u32> {
    recent_uid..uid_next.max(recent_uid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claims_move_the_mark_to_uidnext() {
        assert_eq!(nothing_to_claim(5, 5), Some(5..5));
        assert_eq!(nothing_to_claim(3, 5), None);
        assert_eq!(claim(3, 5), 3..5);
        assert_eq!(claim(6, 5), 6..6, "a mark past UIDNEXT claims nothing");
    }
}

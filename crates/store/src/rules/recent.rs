//! `\Recent` (IMAP4rev1, RFC 3501 §2.3.2): a message is recent for the first session that
//! selects its mailbox read-write after it arrived, and for no other. The mailbox keeps one
//! mark, the first UID not yet claimed; a claim moves it to UIDNEXT.

/// `Some(first recent UID)` when a claim would find nothing to claim (the mark is at UIDNEXT):
/// it can be answered without a write. A race with an APPEND is harmless: the new message is
/// claimed by the next SELECT, as if it had arrived just after this one.
pub fn nothing_to_claim(recent_uid: u32, uid_next: u32) -> Option<u32> {
    (recent_uid >= uid_next).then_some(recent_uid)
}

/// A claim: the first UID recent for the claiming session (every message from it on is), and
/// the mailbox's new mark.
pub fn claim(recent_uid: u32, uid_next: u32) -> (u32, u32) {
    (recent_uid, uid_next.max(recent_uid))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claims_move_the_mark_to_uidnext() {
        assert_eq!(nothing_to_claim(5, 5), Some(5));
        assert_eq!(nothing_to_claim(3, 5), None);
        assert_eq!(claim(3, 5), (3, 5));
    }
}

//! Mailbox size and state data: FLAGS, EXISTS, RECENT, EXPUNGE (RFC 9051 §7.3.5, §7.4, §7.5.1,
//! RFC 3501 §7.3.2), VANISHED (RFC 7162 §3.2.10) and STATUS (RFC 9051 §7.3.3).
//!
//! ```text
//! mailbox-data  =/ "FLAGS" SP flag-list / number SP "EXISTS" / number SP "RECENT"
//!                / "STATUS" SP mailbox SP "(" [status-att-list] ")"
//! message-data  = nz-number SP "EXPUNGE" / …
//! expunged-resp = "VANISHED" [SP "(EARLIER)"] SP known-uids
//! ```

use super::{flag_list, object_id, sp_list};
use crate::types::{Flag, Mailbox, SequenceSet, StatusItem};
use crate::write::Writer;

/// `FLAGS (flag…)`: the flags defined in the selected mailbox.
pub(super) fn flags(w: &mut Writer, flags: &[Flag]) {
    w.raw(b"FLAGS ");
    flag_list(w, flags);
}

/// `n EXISTS`, `n RECENT`, `n EXPUNGE`.
pub(super) fn counted(w: &mut Writer, n: u32, name: &[u8]) {
    w.num(n as u64).sp().raw(name);
}

/// `VANISHED [(EARLIER)] uids`.
pub(super) fn vanished(w: &mut Writer, earlier: bool, uids: &SequenceSet) {
    w.raw(if earlier {
        b"VANISHED (EARLIER) "
    } else {
        b"VANISHED "
    });
    w.seq_set(uids);
}

/// The data of a STATUS response: `STATUS mailbox (item value …)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MailboxStatus {
    /// The mailbox described.
    pub mailbox: Mailbox,
    /// Item/value pairs, in the order the client asked for them.
    pub items: Vec<StatusValue>,
}

/// One STATUS item with its value (RFC 9051 `status-att-val` and extensions).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StatusValue {
    /// `MESSAGES n`
    Messages(u32),
    /// `RECENT n` (IMAP4rev1 only)
    Recent(u32),
    /// `UIDNEXT n`
    UidNext(u32),
    /// `UIDVALIDITY n`
    UidValidity(u32),
    /// `UNSEEN n`
    Unseen(u32),
    /// `DELETED n` (RFC 9051, RFC 9208)
    Deleted(u32),
    /// `DELETED-STORAGE n` (RFC 9208 §4.1.4; `number64`, in the STORAGE resource's unit)
    DeletedStorage(u64),
    /// `SIZE n` (RFC 8438; `number64`)
    Size(u64),
    /// `HIGHESTMODSEQ n` (RFC 7162 §3.1.7; 0 when the mailbox has no mod-sequences)
    HighestModSeq(u64),
    /// `APPENDLIMIT n` or `APPENDLIMIT NIL` for no limit (RFC 7889 §3.1)
    AppendLimit(Option<u64>),
    /// `MAILBOXID (id)` (RFC 8474 §4.3)
    MailboxId(String),
}

impl StatusValue {
    /// Which item this answers.
    pub fn item(&self) -> StatusItem {
        match self {
            StatusValue::Messages(_) => StatusItem::Messages,
            StatusValue::Recent(_) => StatusItem::Recent,
            StatusValue::UidNext(_) => StatusItem::UidNext,
            StatusValue::UidValidity(_) => StatusItem::UidValidity,
            StatusValue::Unseen(_) => StatusItem::Unseen,
            StatusValue::Deleted(_) => StatusItem::Deleted,
            StatusValue::DeletedStorage(_) => StatusItem::DeletedStorage,
            StatusValue::Size(_) => StatusItem::Size,
            StatusValue::HighestModSeq(_) => StatusItem::HighestModSeq,
            StatusValue::AppendLimit(_) => StatusItem::AppendLimit,
            StatusValue::MailboxId(_) => StatusItem::MailboxId,
        }
    }

    fn write(&self, w: &mut Writer) {
        w.raw(self.item().name().as_bytes()).sp();
        match self {
            StatusValue::Messages(n)
            | StatusValue::Recent(n)
            | StatusValue::UidNext(n)
            | StatusValue::UidValidity(n)
            | StatusValue::Unseen(n)
            | StatusValue::Deleted(n) => {
                w.num(*n as u64);
            }
            StatusValue::Size(n)
            | StatusValue::DeletedStorage(n)
            | StatusValue::HighestModSeq(n) => {
                w.num(*n);
            }
            StatusValue::AppendLimit(limit) => match limit {
                Some(n) => {
                    w.num(*n);
                }
                None => {
                    w.raw(b"NIL");
                }
            },
            StatusValue::MailboxId(id) => {
                w.raw(b"(");
                object_id(w, id);
                w.raw(b")");
            }
        }
    }
}

impl MailboxStatus {
    pub(super) fn write(&self, w: &mut Writer) {
        w.raw(b"STATUS ").mailbox(&self.mailbox).raw(b" (");
        sp_list(w, &self.items, |w, v| v.write(w));
        w.raw(b")");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::response::{Response, assert_wire};
    use crate::types::{SeqNum, SeqRange};
    use crate::write::WriteOptions;

    const REV1: WriteOptions = WriteOptions::SERVER_REV1;
    const UTF8: WriteOptions = WriteOptions::SERVER_UTF8;

    fn status(name: &str, items: Vec<StatusValue>) -> Response {
        Response::MailboxStatus(MailboxStatus {
            mailbox: Mailbox::new(name),
            items,
        })
    }

    #[test]
    fn rfc_examples() {
        use Flag::*;
        let system = vec![Answered, Flagged, Deleted, Seen, Draft];
        assert_wire(
            &Response::Flags(system),
            REV1,
            b"* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft)\r\n",
        );
        assert_wire(&Response::Exists(172), REV1, b"* 172 EXISTS\r\n");
        assert_wire(&Response::Recent(1), REV1, b"* 1 RECENT\r\n");
        assert_wire(&Response::Expunge(22), REV1, b"* 22 EXPUNGE\r\n");
        let items = vec![StatusValue::Messages(231), StatusValue::UidNext(44292)];
        assert_wire(
            &status("blurdybloop", items),
            REV1,
            b"* STATUS blurdybloop (MESSAGES 231 UIDNEXT 44292)\r\n",
        );
        let quota = vec![
            StatusValue::Messages(12),
            StatusValue::Deleted(4),
            StatusValue::DeletedStorage(8),
        ];
        assert_wire(
            &status("inbox", quota),
            REV1,
            b"* STATUS INBOX (MESSAGES 12 DELETED 4 DELETED-STORAGE 8)\r\n",
        );
        let limit = vec![StatusValue::AppendLimit(Some(257890))];
        assert_wire(
            &status("INBOX", limit),
            REV1,
            b"* STATUS INBOX (APPENDLIMIT 257890)\r\n",
        );
        let id = vec![StatusValue::MailboxId(
            "F2212ea87-6097-4256-9d51-71338625".into(),
        )];
        assert_wire(
            &status("foo", id),
            REV1,
            b"* STATUS foo (MAILBOXID (F2212ea87-6097-4256-9d51-71338625))\r\n",
        );
        let uids = SequenceSet::Ranges(vec![SeqRange::new(41, 41), SeqRange::new(43, 116)]);
        let v = Response::Vanished {
            earlier: true,
            uids: uids.clone(),
        };
        assert_wire(&v, REV1, b"* VANISHED (EARLIER) 41,43:116\r\n");
        let v = Response::Vanished {
            earlier: false,
            uids,
        };
        assert_wire(&v, REV1, b"* VANISHED 41,43:116\r\n");
    }

    #[test]
    fn every_status_item() {
        let all = vec![
            StatusValue::Messages(0),
            StatusValue::Recent(1),
            StatusValue::UidNext(u32::MAX),
            StatusValue::UidValidity(3),
            StatusValue::Unseen(4),
            StatusValue::Deleted(5),
            StatusValue::DeletedStorage(6),
            StatusValue::Size(9_223_372_036_854_775_807),
            StatusValue::HighestModSeq(0),
            StatusValue::AppendLimit(None),
            StatusValue::MailboxId("x".into()),
        ];
        let asked: Vec<StatusItem> = all.iter().map(StatusValue::item).collect();
        assert_eq!(asked, StatusItem::ALL);
        assert_wire(
            &status("a", all),
            REV1,
            b"* STATUS a (MESSAGES 0 RECENT 1 UIDNEXT 4294967295 UIDVALIDITY 3 UNSEEN 4 \
DELETED 5 DELETED-STORAGE 6 SIZE 9223372036854775807 HIGHESTMODSEQ 0 APPENDLIMIT NIL MAILBOXID (x))\r\n",
        );
        assert_wire(&status("a", vec![]), REV1, b"* STATUS a ()\r\n");
    }

    #[test]
    fn hostile_mailbox_names() {
        let one = || vec![StatusValue::Messages(1)];
        assert_wire(
            &status("NIL", one()),
            REV1,
            b"* STATUS NIL (MESSAGES 1)\r\n",
        );
        assert_wire(&status("", one()), REV1, b"* STATUS \"\" (MESSAGES 1)\r\n");
        assert_wire(
            &status("a \"b\\", one()),
            REV1,
            b"* STATUS \"a \\\"b\\\\\" (MESSAGES 1)\r\n",
        );
        assert_wire(
            &status("x\r\n* BYE", one()),
            REV1,
            b"* STATUS {8}\r\nx\r\n* BYE (MESSAGES 1)\r\n",
        );
        assert_wire(
            &status("a\0b", one()),
            REV1,
            b"* STATUS {2}\r\nab (MESSAGES 1)\r\n",
        );
        assert_wire(
            &status("Entwürfe", one()),
            REV1,
            "* STATUS {9}\r\nEntwürfe (MESSAGES 1)\r\n".as_bytes(),
        );
        assert_wire(
            &status("Entwürfe", one()),
            UTF8,
            "* STATUS \"Entwürfe\" (MESSAGES 1)\r\n".as_bytes(),
        );
        let long = "m".repeat(2000);
        let mut want = b"* STATUS ".to_vec();
        want.extend_from_slice(long.as_bytes());
        want.extend_from_slice(b" (MESSAGES 1)\r\n");
        assert_wire(&status(&long, one()), REV1, &want);
        let star = SequenceSet::Ranges(vec![SeqRange {
            start: SeqNum::Value(5),
            end: SeqNum::Star,
        }]);
        assert_wire(
            &Response::Vanished {
                earlier: false,
                uids: star,
            },
            REV1,
            b"* VANISHED 5:*\r\n",
        );
    }
}

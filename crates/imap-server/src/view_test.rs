//! The view's numbering rules, as stories: what a client sees when others change the mailbox.

use super::*;
use imap_proto::types::SeqRange;
use store::{MailboxId, MailboxInfo};

fn state(uid: u32, flags: u8, modseq: u64) -> MessageState {
    MessageState {
        uid,
        flags: Flags::new(flags, []),
        modseq,
    }
}

/// A mailbox with UIDs 10, 20, 30, 40 (MODSEQ 1..4), UIDNEXT 41.
fn view(qresync: bool) -> MailboxView {
    let snapshot = Snapshot {
        mailbox: MailboxInfo {
            id: MailboxId(1),
            name: "INBOX".into(),
            uid_validity: 7,
            uid_next: 41,
            highest_modseq: 4,
            special_use: None,
        },
        messages: (1..=4).map(|i| state(i * 10, 0, i as u64)).collect(),
    };
    MailboxView::new(snapshot, 30..41, qresync)
}

fn changes(changed: Vec<MessageState>, expunged: Vec<u32>, modseq: u64, uid_next: u32) -> Changes {
    Changes {
        changed,
        expunged,
        highest_modseq: modseq,
        uid_next,
    }
}

fn set(ranges: &[(u32, u32)]) -> SequenceSet {
    SequenceSet::Ranges(ranges.iter().map(|&(a, b)| SeqRange::new(a, b)).collect())
}

#[test]
fn selecting_numbers_messages_by_ascending_uid() {
    let v = view(false);
    assert_eq!(
        (v.exists(), v.recent(), v.uid_validity(), v.uid_next()),
        (4, 2, 7, 41)
    );
    assert_eq!(
        (v.uid(1), v.uid(4), v.uid(5), v.uid(0)),
        (Some(10), Some(40), None, None)
    );
    assert_eq!((v.seq(30), v.seq(35)), (Some(3), None));
}

#[test]
fn new_messages_arrive_as_exists_and_recent() {
    let mut v = view(false);
    // This session claimed the new mail (report_changes does, before the sync).
    v.claimed(41..43);
    let out = v.sync(
        &changes(vec![state(41, 0, 5), state(42, 0, 6)], vec![], 6, 43),
        SyncMode::Full,
    );
    assert_eq!(out, vec![ViewUpdate::Exists(6), ViewUpdate::Recent(4)]);
    assert_eq!(
        (v.uid(6), v.uid_next(), v.highest_modseq()),
        (Some(42), 43, 6)
    );
    assert!(
        v.sync(&changes(vec![], vec![], 6, 43), SyncMode::Full)
            .is_empty(),
        "idempotent"
    );
}

#[test]
fn expunges_are_sent_highest_number_first_so_each_number_is_valid() {
    let mut v = view(false);
    let out = v.sync(&changes(vec![], vec![20, 40], 5, 41), SyncMode::Full);
    assert_eq!(out, vec![ViewUpdate::Expunge(4), ViewUpdate::Expunge(2)]);
    assert_eq!((v.exists(), v.uid(1), v.uid(2)), (2, Some(10), Some(30)));
}

#[test]
fn during_fetch_store_search_expunges_wait_and_numbers_do_not_shift() {
    let mut v = view(false);
    // Someone expunges UID 20 and flags UID 30 while this client runs a FETCH by number.
    let c = changes(vec![state(30, Flags::SEEN, 6)], vec![20], 6, 41);
    let out = v.sync(&c, SyncMode::NoExpunge);
    assert_eq!(
        out,
        vec![ViewUpdate::FlagsChanged {
            seq: 3,
            uid: 30,
            flags: Flags::new(Flags::SEEN, []),
            modseq: 6
        }],
        "flags may be reported, with the old numbering; the expunge may not"
    );
    assert_eq!(
        (v.exists(), v.uid(2)),
        (4, Some(20)),
        "message 2 keeps its number"
    );
    assert!(v.is_gone(2) && !v.is_gone(3));
    // At the next boundary that allows it, the expunge is reported and numbers shift.
    let out = v.sync(&changes(vec![], vec![], 6, 41), SyncMode::Full);
    assert_eq!(out, vec![ViewUpdate::Expunge(2)]);
    assert_eq!((v.exists(), v.uid(2)), (3, Some(30)));
}

#[test]
fn new_mail_after_withheld_expunge_counts_the_withheld_message() {
    let mut v = view(false);
    v.claimed(41..42);
    let out = v.sync(
        &changes(vec![state(41, 0, 6)], vec![10], 6, 42),
        SyncMode::NoExpunge,
    );
    assert_eq!(out, vec![ViewUpdate::Exists(5), ViewUpdate::Recent(3)]);
    let out = v.sync(&changes(vec![], vec![], 6, 42), SyncMode::Full);
    assert_eq!(out, vec![ViewUpdate::Expunge(1)]);
    assert_eq!(v.exists(), 4);
}

#[test]
fn qresync_clients_get_one_vanished() {
    let mut v = view(true);
    let out = v.sync(&changes(vec![], vec![40, 10, 99], 5, 41), SyncMode::Full);
    assert_eq!(
        out,
        vec![ViewUpdate::Vanished(vec![10, 40])],
        "unknown UIDs are not reported"
    );
    assert_eq!(v.exists(), 2);
}

#[test]
fn own_store_is_not_echoed_as_someone_elses_change() {
    let mut v = view(false);
    let mine = state(20, Flags::FLAGGED, 5);
    v.note_own_flags(std::slice::from_ref(&mine));
    assert!(
        v.sync(&changes(vec![mine], vec![], 5, 41), SyncMode::Full)
            .is_empty()
    );
    assert_eq!(v.state(2).unwrap().flags, Flags::new(Flags::FLAGGED, []));
}

#[test]
fn sequence_sets_resolve_or_fail_as_rfc_9051_says() {
    let v = view(false);
    assert_eq!(
        v.by_seq(&set(&[(3, 1), (2, 2)])).unwrap(),
        vec![(1, 10), (2, 20), (3, 30)]
    );
    let star = SequenceSet::Ranges(vec![SeqRange {
        start: SeqNum::Value(3),
        end: SeqNum::Star,
    }]);
    assert_eq!(v.by_seq(&star).unwrap(), vec![(3, 30), (4, 40)]);
    assert_eq!(
        v.by_seq(&set(&[(5, 5)])),
        Err(NoSuchMessage(5)),
        "past the end is BAD"
    );
    let mut info = view(false);
    info.entries.clear();
    let empty = info;
    assert_eq!(
        empty.by_seq(&SequenceSet::Ranges(vec![SeqRange {
            start: SeqNum::Star,
            end: SeqNum::Star
        }])),
        Err(NoSuchMessage(0))
    );
}

#[test]
fn uid_sets_ignore_missing_uids_and_star_covers_the_last() {
    let v = view(false);
    assert_eq!(v.by_uid(&set(&[(15, 35)])), vec![(2, 20), (3, 30)]);
    assert!(v.by_uid(&set(&[(41, 100)])).is_empty());
    // 1000:* includes the last message even though 1000 is larger (RFC 9051 §9 seq-range).
    let s = SequenceSet::Ranges(vec![SeqRange {
        start: SeqNum::Value(1000),
        end: SeqNum::Star,
    }]);
    assert_eq!(v.by_uid(&s), vec![(4, 40)]);
}

#[test]
fn new_mail_another_session_claimed_is_not_recent_here() {
    let mut v = view(false);
    v.claimed(43..43);
    let out = v.sync(
        &changes(vec![state(41, 0, 5), state(42, 0, 6)], vec![], 6, 43),
        SyncMode::Full,
    );
    assert_eq!(out, vec![ViewUpdate::Exists(6), ViewUpdate::Recent(2)]);
    assert!(v.is_recent(30) && !v.is_recent(41) && !v.is_recent(42));
}

#[test]
fn keywords_are_announced_once() {
    let mut v = view(false);
    assert!(v.announced().is_empty());
    let k = |ks: &[&str]| Flags::new(0, ks.iter().map(|s| s.to_string()));
    assert_eq!(
        v.unannounced(&k(&["$Label1"])).map(<[String]>::to_vec),
        Some(vec!["$Label1".to_string()])
    );
    assert_eq!(v.unannounced(&k(&["$label1"])), None, "case-insensitive");
    assert_eq!(
        v.unannounced(&k(&["$Label1", "$Label2"]))
            .map(<[String]>::len),
        Some(2)
    );
}

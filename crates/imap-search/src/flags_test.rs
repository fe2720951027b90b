//! Flag, keyword, size, MODSEQ, set, object-id keys and boolean nesting on five messages.

use crate::testutil::{ANSWERED, DELETED, DRAFT, FLAGGED, Fixture, SEEN, check_table};
use imap_proto::command::SearchKey;

/// m1..m5: seq 1..5, UIDs 3 7 8 20 21, sizes 100..500, MODSEQs 10..50.
fn five() -> Vec<Fixture> {
    // (uid, system flags, keywords, recent, THREADID)
    type Spec = (u32, u8, &'static [&'static str], bool, Option<&'static str>);
    let spec: [Spec; 5] = [
        (3, SEEN | ANSWERED, &["$Forwarded"], false, Some("T1")),
        (7, FLAGGED | DELETED, &["Work"], true, Some("T1")),
        (8, DRAFT, &[], true, None),
        (20, SEEN, &["$Junk", "WORK"], true, Some("T4")),
        (21, 0, &[], false, Some("T5")),
    ];
    spec.iter()
        .enumerate()
        .map(|(i, (uid, sys, kw, recent, thread))| {
            let n = i as u32 + 1;
            let mut f = Fixture::new(&format!("m{n}"), b"Subject: x\r\n\r\nbody\r\n");
            f.seq = n;
            f.uid = *uid;
            f.system = *sys;
            f.keywords = kw.iter().map(|k| k.to_string()).collect();
            f.recent = *recent;
            f.modseq = 10 * u64::from(n);
            f.facts.size = 100 * u64::from(n);
            f.thread_id = thread.map(str::to_string);
            f
        })
        .collect()
}

#[test]
fn flags_and_keywords() {
    check_table(
        &five(),
        &[
            ("ALL", &["m1", "m2", "m3", "m4", "m5"]),
            ("SEEN", &["m1", "m4"]),
            ("UNSEEN", &["m2", "m3", "m5"]),
            ("ANSWERED", &["m1"]),
            ("UNANSWERED", &["m2", "m3", "m4", "m5"]),
            ("FLAGGED", &["m2"]),
            ("UNFLAGGED", &["m1", "m3", "m4", "m5"]),
            ("DELETED", &["m2"]),
            ("UNDELETED", &["m1", "m3", "m4", "m5"]),
            ("DRAFT", &["m3"]),
            ("UNDRAFT", &["m1", "m2", "m4", "m5"]),
            ("KEYWORD work", &["m2", "m4"]),
            ("KEYWORD WoRk", &["m2", "m4"]),
            ("UNKEYWORD work", &["m1", "m3", "m5"]),
            ("KEYWORD $forwarded", &["m1"]),
            ("KEYWORD $JUNK", &["m4"]),
            ("KEYWORD nothing", &[]),
            ("UNKEYWORD nothing", &["m1", "m2", "m3", "m4", "m5"]),
            // IMAP4rev1: NEW = RECENT UNSEEN, OLD = NOT RECENT.
            ("RECENT", &["m2", "m3", "m4"]),
            ("NEW", &["m2", "m3"]),
            ("OLD", &["m1", "m5"]),
        ],
    );
}

#[test]
fn sizes_modseq_and_ids() {
    check_table(
        &five(),
        &[
            // Strictly larger / smaller than RFC822.SIZE.
            ("LARGER 300", &["m4", "m5"]),
            ("LARGER 299", &["m3", "m4", "m5"]),
            ("SMALLER 300", &["m1", "m2"]),
            ("SMALLER 301", &["m1", "m2", "m3"]),
            ("SMALLER 0", &[]),
            ("LARGER 0", &["m1", "m2", "m3", "m4", "m5"]),
            // MODSEQ n: at least n; the entry name is accepted and ignored.
            ("MODSEQ 30", &["m3", "m4", "m5"]),
            ("MODSEQ \"/flags/\\\\seen\" all 30", &["m3", "m4", "m5"]),
            ("MODSEQ 1", &["m1", "m2", "m3", "m4", "m5"]),
            ("MODSEQ 51", &[]),
            ("EMAILID Mm1", &["m1"]),
            ("EMAILID mm1", &[]),
            ("THREADID T1", &["m1", "m2"]),
            ("THREADID T2", &[]),
            ("SAVEDATESUPPORTED", &["m1", "m2", "m3", "m4", "m5"]),
        ],
    );
}

#[test]
fn sequence_and_uid_sets() {
    check_table(
        &five(),
        &[
            ("1:2", &["m1", "m2"]),
            ("2,4", &["m2", "m4"]),
            ("4:2", &["m2", "m3", "m4"]),
            ("*", &["m5"]),
            ("4:*", &["m4", "m5"]),
            // n:* covers the last message even when n is beyond it.
            ("9:*", &["m5"]),
            ("*:2", &["m2", "m3", "m4", "m5"]),
            ("6", &[]),
            ("1,3:*", &["m1", "m3", "m4", "m5"]),
            ("UID 7:8", &["m2", "m3"]),
            ("UID *", &["m5"]),
            ("UID 21:*", &["m5"]),
            ("UID 100:*", &["m5"]),
            ("UID 1:5", &["m1"]),
            ("UID 9:19", &[]),
            ("UID 3,20", &["m1", "m4"]),
            ("UID 1:* 2:3", &["m2", "m3"]),
            // `$` must be substituted by the session; left in place it matches nothing.
            ("UID $", &[]),
            ("$", &[]),
            ("NOT $", &["m1", "m2", "m3", "m4", "m5"]),
        ],
    );
}

#[test]
fn boolean_nesting() {
    check_table(
        &five(),
        &[
            ("NOT SEEN", &["m2", "m3", "m5"]),
            ("OR SEEN FLAGGED", &["m1", "m2", "m4"]),
            ("OR (SEEN ANSWERED) DRAFT", &["m1", "m3"]),
            ("NOT OR SEEN RECENT", &["m5"]),
            ("(OR SEEN DRAFT) (OR KEYWORD work UID 3)", &["m1", "m4"]),
            ("NOT (NOT (NOT DELETED))", &["m1", "m3", "m4", "m5"]),
            ("OR OR SEEN DRAFT FLAGGED", &["m1", "m2", "m3", "m4"]),
            ("OR SEEN OR DRAFT FLAGGED", &["m1", "m2", "m3", "m4"]),
            ("SEEN UNSEEN", &[]),
            ("RECENT UNSEEN LARGER 150", &["m2", "m3"]),
            ("NOT (RECENT UNSEEN LARGER 150)", &["m1", "m4", "m5"]),
            ("OR NOT 1:3 NOT UID 3:8", &["m4", "m5"]),
            ("FUZZY SEEN", &["m1", "m4"]),
            ("NOT FUZZY (OR UID 3 MODSEQ 50)", &["m2", "m3", "m4"]),
        ],
    );
}

#[test]
fn empty_conjunctions_match_everything() {
    let f = five();
    let c = crate::testutil::ctx(&f);
    for x in &f {
        // `()` is not valid syntax, but an empty AND (and an empty top-level list) is `ALL`.
        assert!(crate::matches(&SearchKey::And(vec![]), &x.msg(), &c));
        assert!(crate::search(&[], &x.msg(), &c));
        assert!(!crate::matches(
            &SearchKey::Not(Box::new(SearchKey::And(vec![]))),
            &x.msg(),
            &c
        ));
    }
}

/// Which keys a session's view alone can answer (no store row), and which need facts.
#[test]
fn needs_record_and_facts() {
    use crate::testutil::key;
    for wire in [
        "SEEN",
        "NOT OR FLAGGED KEYWORD x",
        "1:5 UID 3,4",
        "MODSEQ 5",
        "NEW",
        "ALL",
    ] {
        assert!(!crate::needs_record(&key(wire)), "{wire}");
        assert!(!crate::needs_facts(&key(wire)), "{wire}");
    }
    for wire in [
        "LARGER 5",
        "NOT SINCE 1-Jan-2020",
        "OR SEEN BODY x",
        "EMAILID M1",
        "YOUNGER 5",
        "SAVEDON 1-Jan-2020",
    ] {
        assert!(crate::needs_record(&key(wire)), "{wire}");
    }
    assert!(crate::needs_facts(&key("OR SEEN SENTBEFORE 1-Jan-2020")));
    assert!(!crate::needs_facts(&key("BEFORE 1-Jan-2020")));
}

//! RFC 5256 §3 ordering rules on rows, and the ESORT sequence-set form of RFC 5267 §3.2.

use super::*;
use crate::esearch::ordered_set;
use imap_proto::types::{SeqRange, SequenceSet};
use imap_proto::write::{WriteOptions, Writer};

fn crit(key: SortKey) -> SortCriterion {
    SortCriterion {
        reverse: false,
        key,
    }
}

fn rev(key: SortKey) -> SortCriterion {
    SortCriterion { reverse: true, key }
}

fn text(s: &str) -> KeyValue {
    KeyValue::Text(s.to_string())
}

/// Sorts rows given as (seq, values) and returns the sequence numbers in order.
fn sorted(rows: &[(u32, Vec<KeyValue>)], criteria: &[SortCriterion]) -> Vec<u32> {
    let mut rows: Vec<Row> = rows
        .iter()
        .map(|(seq, values)| Row {
            seq: *seq,
            uid: seq * 10,
            relevancy: 100,
            values: values.clone(),
        })
        .collect();
    order(&mut rows, criteria);
    rows.iter().map(|r| r.seq).collect()
}

fn wire(set: &SequenceSet) -> String {
    let mut w = Writer::new(WriteOptions::SERVER_REV1);
    w.seq_set(set);
    String::from_utf8(w.take()).unwrap()
}

/// DATE is the sent date, or INTERNALDATE without a valid Date (RFC 5256 §2.2); ARRIVAL is
/// INTERNALDATE; SIZE the octet count; the string keys are the stored, case-mapped ones.
#[test]
fn key_values_come_from_the_stored_facts() {
    let keys = SortKeys {
        subject: "HELLO".into(),
        from: "ALICE".into(),
        to: "BOB".into(),
        cc: String::new(),
        display_from: "ALICE LIDDELL".into(),
        display_to: "BOB@EXAMPLE.ORG".into(),
        sent_date: Some(1_000),
    };
    assert_eq!(value(SortKey::Date, 5_000, 42, &keys), KeyValue::Num(1_000));
    assert_eq!(
        value(SortKey::Arrival, 5_000, 42, &keys),
        KeyValue::Num(5_000)
    );
    assert_eq!(value(SortKey::Size, 5_000, 42, &keys), KeyValue::Num(42));
    assert_eq!(value(SortKey::Subject, 0, 0, &keys), text("HELLO"));
    assert_eq!(value(SortKey::From, 0, 0, &keys), text("ALICE"));
    assert_eq!(value(SortKey::To, 0, 0, &keys), text("BOB"));
    assert_eq!(value(SortKey::Cc, 0, 0, &keys), text(""));
    assert_eq!(
        value(SortKey::DisplayFrom, 0, 0, &keys),
        text("ALICE LIDDELL")
    );
    assert_eq!(
        value(SortKey::DisplayTo, 0, 0, &keys),
        text("BOB@EXAMPLE.ORG")
    );
    let undated = SortKeys {
        sent_date: None,
        ..keys
    };
    assert_eq!(
        value(SortKey::Date, 5_000, 42, &undated),
        KeyValue::Num(5_000)
    );
    assert_eq!(
        value(SortKey::Size, 0, u64::MAX, &undated),
        KeyValue::Num(i64::MAX)
    );
}

/// The RFC 5256 §3 example `SORT (SUBJECT REVERSE DATE)`: subject ascending, then date
/// descending within a subject.
#[test]
fn subject_then_reverse_date() {
    let rows = [
        (1, vec![text("B"), KeyValue::Num(10)]),
        (2, vec![text("B"), KeyValue::Num(30)]),
        (3, vec![text("A"), KeyValue::Num(20)]),
        (4, vec![text("A"), KeyValue::Num(10)]),
        (5, vec![text("A"), KeyValue::Num(30)]),
    ];
    let c = [crit(SortKey::Subject), rev(SortKey::Date)];
    assert_eq!(sorted(&rows, &c), [5, 3, 4, 2, 1]);
}

/// REVERSE reverses its own criterion only: equal messages stay in sequence order (RFC 5256
/// §3, the note under REVERSE), so REVERSE SUBJECT is not SUBJECT read backwards.
#[test]
fn reverse_keeps_the_sequence_tie_break() {
    let rows = [
        (1, vec![text("X")]),
        (2, vec![text("Y")]),
        (3, vec![text("X")]),
        (4, vec![text("Y")]),
        (5, vec![text("X")]),
    ];
    assert_eq!(sorted(&rows, &[crit(SortKey::Subject)]), [1, 3, 5, 2, 4]);
    assert_eq!(sorted(&rows, &[rev(SortKey::Subject)]), [2, 4, 1, 3, 5]);
    // Everything equal: mailbox order, REVERSE or not.
    let same: Vec<(u32, Vec<KeyValue>)> = (1..=4).map(|n| (n, vec![KeyValue::Num(7)])).collect();
    assert_eq!(sorted(&same, &[rev(SortKey::Size)]), [1, 2, 3, 4]);
}

/// The empty string (an absent header) collates before every non-empty string (RFC 5256 §3),
/// and strings compare by code point on the case-mapped keys.
#[test]
fn empty_string_first_and_code_point_order() {
    let rows = [
        (1, vec![text("ZEBRA")]),
        (2, vec![text("")]),
        (3, vec![text("ÄRGER")]),
        (4, vec![text("APPLE")]),
        (5, vec![text("")]),
    ];
    assert_eq!(sorted(&rows, &[crit(SortKey::From)]), [2, 5, 4, 1, 3]);
    assert_eq!(sorted(&rows, &[rev(SortKey::From)]), [3, 1, 4, 2, 5]);
}

/// Later criteria only break ties of earlier ones.
#[test]
fn three_criteria() {
    let rows = [
        (1, vec![text("A"), KeyValue::Num(2), KeyValue::Num(100)]),
        (2, vec![text("A"), KeyValue::Num(1), KeyValue::Num(50)]),
        (3, vec![text("A"), KeyValue::Num(2), KeyValue::Num(50)]),
        (4, vec![text(""), KeyValue::Num(9), KeyValue::Num(1)]),
    ];
    let c = [
        crit(SortKey::Cc),
        rev(SortKey::Arrival),
        crit(SortKey::Size),
    ];
    assert_eq!(sorted(&rows, &c), [4, 3, 1, 2]);
}

/// ESORT's ALL keeps the sort order: ranges only for ascending runs (RFC 5267 §3.2).
#[test]
fn esort_sets_keep_the_order() {
    assert_eq!(wire(&ordered_set(&[5, 3, 4, 1, 2]).unwrap()), "5,3:4,1:2");
    assert_eq!(
        wire(&ordered_set(&[23765, 23764, 23763, 23761]).unwrap()),
        "23765,23764,23763,23761"
    );
    assert_eq!(
        wire(&ordered_set(&[1, 2, 3, 7, 8, 4]).unwrap()),
        "1:3,7:8,4"
    );
    assert_eq!(
        ordered_set(&[9]),
        Some(SequenceSet::Ranges(vec![SeqRange::single(9)]))
    );
    assert_eq!(
        ordered_set(&[u32::MAX, 1]).map(|s| wire(&s)).unwrap(),
        "4294967295,1"
    );
    assert_eq!(ordered_set(&[]), None);
}

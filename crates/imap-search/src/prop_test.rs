//! Properties over generated keys on the corpus: NOT negates, OR and AND are the boolean
//! operators, FUZZY changes nothing, the top-level list is an AND, and keys that do not need
//! the text give the same answer without it.

use imap_proto::command::SearchKey;
use imap_proto::types::{Date, SeqNum, SeqRange, SequenceSet};
use proptest::prelude::*;

use crate::testutil::{Fixture, corpus, ctx};
use crate::{Context, matches, needs_text, search};

/// The corpus with varied flags, MODSEQs, save dates and INTERNALDATEs around early December,
/// built once.
fn fixtures() -> &'static [Fixture] {
    static F: std::sync::OnceLock<Vec<Fixture>> = std::sync::OnceLock::new();
    F.get_or_init(build)
}

fn build() -> Vec<Fixture> {
    let mut c = corpus();
    for (i, f) in c.iter_mut().enumerate() {
        let i = i as u32;
        let kw: Vec<String> = if i.is_multiple_of(4) {
            vec!["Work".into()]
        } else {
            vec![]
        };
        f.system = (i % 32) as u8;
        f.keywords = kw;
        f.recent = i.is_multiple_of(3);
        f.modseq = u64::from(i * 7 % 50);
        f.internal_date = 1_796_000_000 + i64::from(i) * 40_000;
        f.zone = [0, 540, -300, 840, -720][i as usize % 5];
        f.save_date = i
            .is_multiple_of(2)
            .then_some(1_796_100_000 + i64::from(i) * 30_000);
        f.thread_id = (!i.is_multiple_of(5)).then(|| format!("T{}", i % 3));
    }
    c
}

const WORDS: [&str; 16] = [
    "",
    "café",
    "KÖLN",
    "こんにちは",
    "สวัสดี",
    "привет",
    "example.com",
    "grüße",
    "GRÜSSE",
    "😀",
    "body",
    "re: [list]",
    "joerg",
    "世界",
    "e",
    "message-id",
];

fn date() -> impl Strategy<Value = Date> {
    (25u8..=40).prop_map(|d| {
        if d <= 30 {
            Date::new(2026, 11, d).unwrap()
        } else {
            Date::new(2026, 12, d - 30).unwrap()
        }
    })
}

fn set() -> impl Strategy<Value = SequenceSet> {
    let end = prop_oneof![(1u32..450).prop_map(SeqNum::Value), Just(SeqNum::Star)];
    prop::collection::vec((end.clone(), end), 1..3).prop_map(|r| {
        SequenceSet::Ranges(
            r.into_iter()
                .map(|(start, end)| SeqRange { start, end })
                .collect(),
        )
    })
}

fn word() -> impl Strategy<Value = bytes::Bytes> {
    prop::sample::select(WORDS.to_vec()).prop_map(|w| bytes::Bytes::from(w.as_bytes().to_vec()))
}

fn leaf() -> impl Strategy<Value = SearchKey> {
    use SearchKey::*;
    prop_oneof![
        prop::sample::select(vec![
            All,
            Answered,
            Deleted,
            Draft,
            Flagged,
            Seen,
            Unanswered,
            Undeleted,
            Undraft,
            Unflagged,
            Unseen,
            New,
            Old,
            Recent,
            SaveDateSupported,
        ]),
        prop::sample::select(vec!["work", "WORK", "other"]).prop_map(|k| Keyword(k.into())),
        prop::sample::select(vec!["work", "other"]).prop_map(|k| Unkeyword(k.into())),
        (0u64..4000).prop_map(Larger),
        (0u64..4000).prop_map(Smaller),
        (0u64..60).prop_map(|m| ModSeq {
            entry: None,
            mod_seq: m
        }),
        set().prop_map(SequenceSet),
        set().prop_map(Uid),
        date().prop_map(Before),
        date().prop_map(On),
        date().prop_map(Since),
        date().prop_map(SentBefore),
        date().prop_map(SentOn),
        date().prop_map(SentSince),
        date().prop_map(SavedBefore),
        date().prop_map(SavedOn),
        date().prop_map(SavedSince),
        (0u64..3_000_000).prop_map(Younger),
        (0u64..3_000_000).prop_map(Older),
        prop::sample::select(vec!["T0", "T1", "T2"]).prop_map(|t| ThreadId(t.into())),
        prop::sample::select(vec!["M01", "M02", "m01"]).prop_map(|t| EmailId(t.into())),
        Just(SequenceSet(imap_proto::types::SequenceSet::Saved)),
        (0u64..60).prop_map(|m| ModSeq {
            entry: Some((
                bytes::Bytes::from_static(b"/flags/\\seen"),
                imap_proto::command::EntryType::All
            )),
            mod_seq: m
        }),
        word().prop_map(From),
        word().prop_map(To),
        word().prop_map(Cc),
        word().prop_map(Subject),
        word().prop_map(Body),
        word().prop_map(Text),
        word().prop_map(|w| Header("Message-ID".into(), w)),
    ]
}

fn key() -> impl Strategy<Value = SearchKey> {
    leaf().prop_recursive(4, 24, 3, |inner| {
        prop_oneof![
            inner.clone().prop_map(|k| SearchKey::Not(Box::new(k))),
            inner.clone().prop_map(|k| SearchKey::Fuzzy(Box::new(k))),
            (inner.clone(), inner.clone())
                .prop_map(|(a, b)| SearchKey::Or(Box::new(a), Box::new(b))),
            prop::collection::vec(inner, 0..3).prop_map(SearchKey::And),
        ]
    })
}

fn context(f: &[Fixture]) -> Context {
    Context {
        now: 1_797_000_000,
        ..ctx(f)
    }
}

/// True if `key` or a key below it satisfies `p`.
fn has(key: &SearchKey, p: &dyn Fn(&SearchKey) -> bool) -> bool {
    p(key)
        || match key {
            SearchKey::Not(k) | SearchKey::Fuzzy(k) => has(k, p),
            SearchKey::Or(a, b) => has(a, p) || has(b, p),
            SearchKey::And(ks) => ks.iter().any(|k| has(k, p)),
            _ => false,
        }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn boolean_laws(a in key(), b in key()) {
        let f = fixtures();
        let c = context(f);
        for x in f {
            let m = x.msg();
            let (ma, mb) = (matches(&a, &m, &c), matches(&b, &m, &c));
            prop_assert_eq!(matches(&SearchKey::Not(Box::new(a.clone())), &m, &c), !ma);
            let or = SearchKey::Or(Box::new(a.clone()), Box::new(b.clone()));
            prop_assert_eq!(matches(&or, &m, &c), ma || mb);
            let and = SearchKey::And(vec![a.clone(), b.clone()]);
            prop_assert_eq!(matches(&and, &m, &c), ma && mb);
            prop_assert_eq!(search(&[a.clone(), b.clone()], &m, &c), ma && mb);
            // FUZZY only widens text keys: without NOT below it, every match still matches.
            if !has(&a, &|k| matches!(k, SearchKey::Not(_))) && ma {
                prop_assert!(matches(&SearchKey::Fuzzy(Box::new(a.clone())), &m, &c));
            }
            // Without FUZZY, every match is fully relevant.
            if !has(&a, &|k| matches!(k, SearchKey::Fuzzy(_))) {
                let r = crate::relevancy(std::slice::from_ref(&a), &m, &c, None);
                prop_assert_eq!(r, if ma { 100 } else { 0 });
            }
        }
    }

    #[test]
    fn text_only_read_when_needed(k in key()) {
        prop_assume!(!needs_text(&k));
        let f = fixtures();
        let c = context(f);
        for x in f {
            let with = x.msg();
            let mut without = with;
            without.text = None;
            prop_assert_eq!(matches(&k, &with, &c), matches(&k, &without, &c));
        }
    }
}

/// Pieces that folding treats specially: combining marks (alone, and to be reordered),
/// compatibility forms, characters whose NFKD holds a blank, case pairs without a one-to-one
/// mapping, and the blanks SUBJECT collapses.
const PIECES: [&str; 24] = [
    "a",
    "B",
    " ",
    "  ",
    "\t",
    "\u{a0}",
    "\u{2002}",
    "\u{301}",
    "\u{323}",
    "é",
    "e\u{301}",
    "ﬁ",
    "Ｆ",
    "ß",
    "ẞ",
    "Σ",
    "ς",
    "İ",
    "ı",
    "ｶ",
    "㍿",
    ": ",
    "x",
    "\u{1100}\u{1161}",
];

fn piece_text(max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(&PIECES[..]), 0..max).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// The folded form a search index stores answers every text key as the decoded text does,
    /// whatever folding does to the pieces at the edges of values (an address key's needle is
    /// cut from the field's value or from its addresses).
    #[test]
    fn folded_text_agrees_with_decoded_text(
        subject in piece_text(8),
        from in piece_text(6),
        address in piece_text(6),
        name in piece_text(3),
        body in piece_text(10),
        part in piece_text(5),
        needle in piece_text(4),
        cut in (any::<prop::sample::Index>(), 0usize..6),
        which in 0usize..8,
        fuzzy in any::<bool>(),
    ) {
        // Half of the needles are cut from the value the key looks at, so most match.
        let looked_at = match which {
            0 | 6 => &subject,
            1 => &from,
            7 => &address,
            3..=5 => &body,
            _ => &part,
        };
        let chars: Vec<char> = looked_at.chars().collect();
        let needle = if cut.1 > 0 && !chars.is_empty() {
            let start = cut.0.index(chars.len());
            chars[start..(start + cut.1).min(chars.len())].iter().collect()
        } else {
            needle
        };
        let text = mail_model::SearchText {
            headers: vec![
                ("Subject".into(), subject),
                ("From".into(), from),
                (format!("X-{name}"), "v".into()),
            ],
            addresses: vec![("From".into(), address)],
            part_headers: vec![(format!("Content-{name}"), part)],
            bodies: vec![body],
            attachment_names: vec![name.clone()],
        };
        let n = bytes::Bytes::from(needle.into_bytes());
        let key = match which {
            0 => SearchKey::Subject(n),
            1 => SearchKey::From(n),
            2 => SearchKey::Header(format!("x-{name}"), n),
            3 => SearchKey::Body(n),
            4 => SearchKey::Text(n),
            5 => SearchKey::Not(Box::new(SearchKey::Text(n))),
            6 => SearchKey::Header("Subject".into(), n),
            _ => SearchKey::From(n),
        };
        let key = if fuzzy { SearchKey::Fuzzy(Box::new(key)) } else { key };
        let f = &fixtures()[0];
        let decoded = crate::Message { text: Some(&text), ..f.msg() };
        let folded = crate::testutil::Folded(crate::FoldedText::new(&text));
        let via_folded = crate::Message { text: None, ..f.msg() };
        let c = ctx(fixtures());
        let keys = std::slice::from_ref(&key);
        prop_assert_eq!(
            matches(&key, &decoded, &c),
            crate::search_with(keys, &via_folded, &c, &folded)
        );
        prop_assert_eq!(
            crate::relevancy(keys, &decoded, &c, None),
            crate::relevancy(keys, &via_folded, &c, Some(&folded))
        );
    }
}

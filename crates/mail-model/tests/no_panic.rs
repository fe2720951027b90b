//! Property test: `analyze`, `section`, `binary` and `search_text` never panic, whatever the
//! input: random bytes, and corpus messages with random bytes spliced in.

mod support;

use imap_proto::command::{Section, SectionText};
use mail_model::{analyze, binary, search_text, section};
use proptest::prelude::*;

fn exercise(raw: &[u8]) {
    let facts = analyze(raw);
    assert_eq!(facts.size, raw.len() as u64);
    for p in &facts.parts {
        for text in [
            None,
            Some(SectionText::Mime),
            Some(SectionText::Header),
            Some(SectionText::Text),
            Some(SectionText::HeaderFields {
                not: true,
                fields: vec!["subject".into()],
            }),
        ] {
            let s = Section {
                part: p.path.clone(),
                text,
            };
            let _ = section(raw, &facts, &s);
        }
        let _ = binary(raw, &facts, &p.path);
    }
    let _ = search_text(raw);
}

fn corpus() -> Vec<Vec<u8>> {
    support::corpus_names()
        .iter()
        .map(|n| std::fs::read(support::corpus_dir().join(format!("{n}.eml"))).expect("eml"))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_bytes(raw in proptest::collection::vec(any::<u8>(), 0..2048)) {
        exercise(&raw);
    }

    #[test]
    fn mutated_corpus(
        which in 0usize..1000,
        edits in proptest::collection::vec((any::<u16>(), any::<u16>(), proptest::collection::vec(
            prop_oneof![Just(b'\n'), Just(b'\r'), Just(b'-'), Just(b':'), Just(b'"'),
                        Just(b'('), Just(b'<'), Just(b';'), Just(b'='), any::<u8>()], 0..8)), 1..6),
    ) {
        let all = corpus();
        let mut raw = all[which % all.len()].clone();
        for (at, del, ins) in edits {
            let at = at as usize % (raw.len() + 1);
            let end = (at + del as usize % 16).min(raw.len());
            raw.splice(at..end, ins);
        }
        exercise(&raw);
    }
}

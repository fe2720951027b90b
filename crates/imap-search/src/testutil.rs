//! Test fixtures: messages from `tests/corpus/` and small hand-written ones, keys parsed from
//! their wire form with imap-proto, so the tables read like IMAP.

use bytes::BytesMut;
use imap_proto::command::{CommandBody, SearchKey};
use imap_proto::receiver::{Limits, Receiver, Step};
use mail_model::{MessageFacts, SearchText};

use crate::{Context, Message, MessageFlags};

/// System flag bits, as fixtures write them.
pub const SEEN: u8 = 1;
/// `\Answered`
pub const ANSWERED: u8 = 2;
/// `\Flagged`
pub const FLAGGED: u8 = 4;
/// `\Deleted`
pub const DELETED: u8 = 8;
/// `\Draft`
pub const DRAFT: u8 = 16;

/// An owned message; [`Fixture::msg`] borrows it as a [`Message`].
pub struct Fixture {
    /// File stem or a short label used in assertions.
    pub name: String,
    pub seq: u32,
    pub uid: u32,
    /// System flags ([`SEEN`] …).
    pub system: u8,
    pub keywords: Vec<String>,
    pub recent: bool,
    pub modseq: u64,
    pub internal_date: i64,
    pub zone: i16,
    pub save_date: Option<i64>,
    pub email_id: String,
    pub thread_id: Option<String>,
    pub facts: MessageFacts,
    pub text: SearchText,
}

impl Fixture {
    /// A fixture for `raw` with neutral metadata: no flags, 1-Jan-2026 12:00 UTC.
    pub fn new(name: &str, raw: &[u8]) -> Fixture {
        Fixture {
            name: name.to_string(),
            seq: 1,
            uid: 1,
            system: 0,
            keywords: Vec::new(),
            recent: false,
            modseq: 1,
            internal_date: 1_767_268_800,
            zone: 0,
            save_date: None,
            email_id: format!("M{name}"),
            thread_id: None,
            facts: mail_model::analyze(raw),
            text: mail_model::search_text(raw),
        }
    }

    /// The borrowed view the search functions take.
    pub fn msg(&self) -> Message<'_> {
        Message {
            seq: self.seq,
            uid: self.uid,
            flags: MessageFlags {
                seen: self.system & SEEN != 0,
                answered: self.system & ANSWERED != 0,
                flagged: self.system & FLAGGED != 0,
                deleted: self.system & DELETED != 0,
                draft: self.system & DRAFT != 0,
                keywords: &self.keywords,
            },
            recent: self.recent,
            modseq: self.modseq,
            size: self.facts.size,
            internal_date: self.internal_date,
            internal_zone_minutes: self.zone,
            save_date: self.save_date,
            email_id: &self.email_id,
            thread_id: self.thread_id.as_deref(),
            facts: &self.facts,
            text: Some(&self.text),
        }
    }
}

/// Fixtures of `(name, raw)` messages, in order: seq = uid = position.
pub fn numbered(raws: &[(&str, &str)]) -> Vec<Fixture> {
    raws.iter()
        .enumerate()
        .map(|(i, (n, raw))| {
            let mut f = Fixture::new(n, raw.as_bytes());
            f.seq = i as u32 + 1;
            f.uid = f.seq;
            f
        })
        .collect()
}

/// Every `.eml` of the repository corpus, sorted by name; seq = position, uid = 10 × seq.
pub fn corpus() -> Vec<Fixture> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/corpus");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/corpus")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "eml"))
        .collect();
    names.sort();
    names
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let raw = std::fs::read(p).expect("read corpus file");
            let stem = p.file_stem().unwrap().to_string_lossy();
            let mut f = Fixture::new(&stem[..2], &raw);
            f.seq = i as u32 + 1;
            f.uid = 10 * f.seq;
            f
        })
        .collect()
}

/// Parses the keys of `SEARCH CHARSET UTF-8 <keys>` (a literal-free wire text).
pub fn keys(wire: &str) -> Vec<SearchKey> {
    let mut r = Receiver::new(Limits::default());
    let mut buf = BytesMut::from(format!("t SEARCH CHARSET UTF-8 {wire}\r\n").as_bytes());
    match r.step(&mut buf) {
        Ok(Step::Command(c)) => match c.body {
            CommandBody::Search { criteria, .. } => criteria,
            other => panic!("not a SEARCH: {other:?}"),
        },
        other => panic!("cannot parse {wire:?}: {other:?}"),
    }
}

/// One key parsed from its wire text (several are ANDed).
pub fn key(wire: &str) -> SearchKey {
    let mut k = keys(wire);
    if k.len() == 1 {
        k.pop().unwrap()
    } else {
        SearchKey::And(k)
    }
}

/// A context for `fixtures`: `*` is the last message, `now` is 1-Jan-2026 12:00 UTC.
pub fn ctx(fixtures: &[Fixture]) -> Context {
    Context {
        max_seq: fixtures.iter().map(|f| f.seq).max().unwrap_or(0),
        max_uid: fixtures.iter().map(|f| f.uid).max().unwrap_or(0),
        now: 1_767_268_800,
    }
}

/// A [`TextSource`](crate::TextSource) holding one message's folded text, as a search index
/// would: it never excludes, so the keys are answered from the folded text.
pub struct Folded(pub crate::FoldedText);

impl crate::TextSource for Folded {
    fn excludes(&self, _: &SearchKey, _: bool) -> bool {
        false
    }
    fn text(&self) -> Option<&crate::FoldedText> {
        Some(&self.0)
    }
}

/// Names of the fixtures matching `wire`, in order. Every fixture is also evaluated on its
/// [`FoldedText`](crate::FoldedText) (the search index's form), which must agree.
pub fn hits(fixtures: &[Fixture], wire: &str) -> Vec<String> {
    let keys = keys(wire);
    let c = ctx(fixtures);
    fixtures
        .iter()
        .filter(|f| {
            let decoded = crate::search(&keys, &f.msg(), &c);
            let folded = Folded(crate::FoldedText::new(&f.text));
            let msg = Message {
                text: None,
                ..f.msg()
            };
            let via_folded = crate::search_with(&keys, &msg, &c, &folded);
            assert_eq!(
                decoded, via_folded,
                "SEARCH {wire} on {}: folded text differs",
                f.name
            );
            decoded
        })
        .map(|f| f.name.clone())
        .collect()
}

/// Checks a table of (keys, expected matching names).
pub fn check_table(fixtures: &[Fixture], table: &[(&str, &[&str])]) {
    for (wire, want) in table {
        let got = hits(fixtures, wire);
        assert_eq!(got, *want, "SEARCH {wire}");
    }
}

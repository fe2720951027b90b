//! FETCH response writing: the cost of turning one message's stored data into its
//! `* n FETCH (…)` bytes, built the way `imap-server`'s FETCH handler builds them.
//!
//! ```text
//!  corpus .eml ──mail_model::analyze()──▶ MessageFacts      (once, at bench start: APPEND's job)
//!                                            │
//!  per iteration:  FetchItem::Prewritten / BodySection / Uid+Flags+ModSeq
//!                     ──Response::serialize──▶ "* 4711 FETCH (…)\r\n"
//! ```
//!
//! The server never re-parses a message for FETCH: ENVELOPE and BODYSTRUCTURE were written at
//! APPEND and are copied out of the facts, and `BODY[]` is cut from the raw octets by the part
//! map. So the groups measure what a FETCH pays per message, not `analyze`:
//!
//! * `fetch_envelope`, `fetch_bodystructure`: a plain message, a multipart/alternative one and a
//!   nested multipart/mixed one with an attachment (`tests/corpus/01`, `02`, `03`).
//! * `fetch_body`: `BODY[]` of a 4 KB plain-text message and of a 100 KB message with a base64
//!   attachment, each written as a literal.
//! * `fetch_flags`: `UID`, `FLAGS` and `MODSEQ`, what a CONDSTORE client asks for on resync.
//!
//! Not included: decoding the stored facts (`serde_json`) and reading the body from the blob
//! store, which the handler does before it builds the items.
//!
//! Run: `cargo bench -p strata-benches --bench fetch_write`. Criterion reports time per response
//! and the output rate in MB/s.

use bytes::Bytes;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use imap_proto::command::Section;
use imap_proto::response::{FetchItem, FetchResponse, Response};
use imap_proto::write::WriteOptions;
use mail_model::MessageFacts;
use std::path::Path;
use store::Flags;

/// A sequence number, UID and MODSEQ typical of a mailbox that has lived a while.
const SEQ: u32 = 4711;
const UID: u32 = 12_345;
const MODSEQ: u64 = 987_654;

/// The corpus messages the ENVELOPE and BODYSTRUCTURE groups use, by benchmark name.
const MESSAGES: [(&str, &str); 3] = [
    ("plain", "01-simple-plain.eml"),
    ("alternative", "02-multipart-alternative.eml"),
    ("attachment", "03-nested-multipart.eml"),
];

/// One message as the FETCH handler sees it: the octets and the facts computed at APPEND.
struct Message {
    raw: Vec<u8>,
    facts: MessageFacts,
}

impl Message {
    fn new(raw: Vec<u8>) -> Message {
        let facts = mail_model::analyze(&raw);
        Message { raw, facts }
    }
}

/// A file of `tests/corpus`.
fn corpus(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/corpus")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// `01-simple-plain` with its text grown to exactly `size` octets: an ordinary 4 KB mail.
fn plain_text(size: usize) -> Vec<u8> {
    let mut raw = corpus("01-simple-plain.eml");
    let line: &[u8] = b"The quarterly figures are below; tell me if anything looks off to you.\r\n";
    while raw.len() < size {
        raw.extend_from_slice(line);
    }
    raw.truncate(size - 2);
    raw.extend_from_slice(b"\r\n");
    raw
}

/// `03-nested-multipart` with its PDF attachment grown (76-column base64 lines) until the
/// message is about `size` octets.
fn with_attachment(size: usize) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let raw = corpus("03-nested-multipart.eml");
    let anchor: &[u8] = b"JVBERi0xLjQKJcOkw7zDtsOfCg==\r\n";
    let at = raw
        .windows(anchor.len())
        .position(|w| w == anchor)
        .expect("03-nested-multipart.eml has its PDF attachment");
    let mut out = raw[..at].to_vec();
    // A fixed xorshift sequence: random-looking base64, the same on every run.
    let mut x: u32 = 0x9e37_79b9;
    while out.len() + (raw.len() - at) + 78 <= size {
        for _ in 0..76 {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            out.push(ALPHABET[(x % 64) as usize]);
        }
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(&raw[at..]);
    out
}

/// ENVELOPE, BODY or BODYSTRUCTURE copied out of the facts, as the handler does.
fn prewritten(name: &'static str, wire: &[u8]) -> FetchItem {
    FetchItem::Prewritten {
        name,
        wire: Bytes::copy_from_slice(wire),
    }
}

/// `BODY[]`: the section is looked up in the part map and copied, as the handler does.
fn body(m: &Message) -> FetchItem {
    let section = Section::default();
    let data = mail_model::section(&m.raw, &m.facts, &section).unwrap_or_default();
    FetchItem::BodySection {
        section,
        origin: None,
        data: Some(Bytes::copy_from_slice(&data)),
    }
}

/// `UID`, `FLAGS` and `MODSEQ`, in the order the handler puts them for a UID FETCH.
fn flag_items(flags: &Flags) -> Vec<FetchItem> {
    vec![
        FetchItem::Uid(UID),
        FetchItem::Flags(imap_server::imap_flags(flags, false)),
        FetchItem::ModSeq(MODSEQ),
    ]
}

/// One complete response, into a fresh buffer as the session's writer hands out after a flush.
fn respond(items: Vec<FetchItem>) -> Vec<u8> {
    Response::Fetch(FetchResponse { seq: SEQ, items }).to_bytes(WriteOptions::SERVER_REV1)
}

/// Runs `build` for each case as one benchmark of `group`, after checking that it writes the
/// expected response once.
fn run_group<T>(
    c: &mut Criterion,
    group: &str,
    cases: &[(&str, T, Vec<u8>)],
    build: impl Fn(&T) -> Vec<FetchItem>,
) {
    let mut g = c.benchmark_group(group);
    for (name, input, expected) in cases {
        let got = respond(build(input));
        assert!(
            got == *expected,
            "{group}/{name}:\n got: {}\nwant: {}",
            got.escape_ascii(),
            expected.escape_ascii()
        );
        g.throughput(Throughput::Bytes(got.len() as u64));
        g.bench_with_input(BenchmarkId::from_parameter(name), input, |b, input| {
            b.iter(|| respond(build(input)))
        });
    }
    g.finish();
}

/// `* 4711 FETCH (` + `items` + `)\r\n`.
fn expected(items: &[u8]) -> Vec<u8> {
    let mut out = format!("* {SEQ} FETCH (").into_bytes();
    out.extend_from_slice(items);
    out.extend_from_slice(b")\r\n");
    out
}

/// `NAME wire` for a prewritten item.
fn named(name: &str, wire: &[u8]) -> Vec<u8> {
    let mut out = format!("{name} ").into_bytes();
    out.extend_from_slice(wire);
    expected(&out)
}

fn bench(c: &mut Criterion) {
    let corpus: Vec<(&str, Message)> = MESSAGES
        .iter()
        .map(|(name, file)| (*name, Message::new(corpus(file))))
        .collect();

    let cases: Vec<_> = corpus
        .iter()
        .map(|(name, m)| (*name, m, named("ENVELOPE", &m.facts.envelope)))
        .collect();
    run_group(c, "fetch_envelope", &cases, |m| {
        vec![prewritten("ENVELOPE", &m.facts.envelope)]
    });

    let cases: Vec<_> = corpus
        .iter()
        .map(|(name, m)| (*name, m, named("BODYSTRUCTURE", &m.facts.bodystructure)))
        .collect();
    run_group(c, "fetch_bodystructure", &cases, |m| {
        vec![prewritten("BODYSTRUCTURE", &m.facts.bodystructure)]
    });

    let big = [
        ("4k_plain", Message::new(plain_text(4 * 1024))),
        ("100k_attachment", Message::new(with_attachment(100 * 1024))),
    ];
    let cases: Vec<_> = big
        .iter()
        .map(|(name, m)| {
            let mut item = format!("BODY[] {{{}}}\r\n", m.raw.len()).into_bytes();
            item.extend_from_slice(&m.raw);
            (*name, m, expected(&item))
        })
        .collect();
    run_group(c, "fetch_body", &cases, |m| vec![body(m)]);

    let keywords = ["$Forwarded", "$MDNSent", "NonJunk"].map(String::from);
    let flag_sets = [
        ("seen", Flags::new(Flags::SEEN, []), "\\Seen"),
        (
            "with_keywords",
            Flags::new(Flags::SEEN | Flags::ANSWERED | Flags::FLAGGED, keywords),
            "\\Seen \\Answered \\Flagged $Forwarded $MDNSent NonJunk",
        ),
    ];
    let cases: Vec<_> = flag_sets
        .into_iter()
        .map(|(name, flags, wire)| {
            let items = format!("UID {UID} FLAGS ({wire}) MODSEQ ({MODSEQ})");
            (name, flags, expected(items.as_bytes()))
        })
        .collect();
    run_group(c, "fetch_flags", &cases, flag_items);
}

criterion_group!(benches, bench);
criterion_main!(benches);

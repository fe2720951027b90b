//! Command parsing throughput: a realistic mix of what mail clients send, through the same
//! `Receiver` path the server uses (framing, literals, parsing).
//!
//! Run: `cargo bench -p strata-benches --bench parse`. Criterion reports both MB/s (the `bytes`
//! group) and commands/s (the `commands` group) for each command and for the mix.

use bytes::BytesMut;
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use imap_proto::{Limits, Receiver, Step};
use std::hint::black_box;

/// A FETCH as Thunderbird and Apple Mail send it when opening a folder.
const FETCH: &[u8] = b"A101 UID FETCH 1:4096 (UID RFC822.SIZE FLAGS INTERNALDATE MODSEQ \
BODY.PEEK[HEADER.FIELDS (From To Cc Bcc Subject Date Message-ID Priority X-Priority References \
Newsgroups In-Reply-To Content-Type Reply-To List-Id)] BODYSTRUCTURE ENVELOPE PREVIEW EMAILID \
THREADID) (CHANGEDSINCE 1234567)\r\n";

/// A UID SEARCH with nested keys, as a search-folder or filter client sends.
const SEARCH: &[u8] = b"A102 UID SEARCH RETURN (MIN MAX COUNT ALL) CHARSET UTF-8 OR (FROM \
\"alice@example.org\" SINCE 1-Jan-2024 NOT DELETED) (OR SUBJECT \"quarterly report\" \
(BODY \"invoice\" UNSEEN LARGER 10000)) NOT (KEYWORD $Junk) UID 1:* MODSEQ 42 \
HEADER \"List-Id\" \"<dev.lists.example.org>\"\r\n";

/// An APPEND of a 100 KB message, announced as a synchronizing literal.
fn append() -> Vec<u8> {
    let mut msg = b"From: a@example.org\r\nTo: b@example.org\r\nSubject: bench\r\n\r\n".to_vec();
    while msg.len() < 100 * 1024 {
        msg.extend_from_slice(
            b"Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do\r\n",
        );
    }
    msg.truncate(100 * 1024);
    let mut cmd = format!(
        "A103 APPEND Sent (\\Seen) \"23-Nov-2026 10:00:00 +0000\" {{{}}}\r\n",
        msg.len()
    )
    .into_bytes();
    cmd.extend_from_slice(&msg);
    cmd.extend_from_slice(b"\r\n");
    cmd
}

/// Feeds `input` as one read and counts the commands that come out.
fn parse_all(receiver: &mut Receiver, input: &[u8]) -> usize {
    let mut buf = BytesMut::from(input);
    let mut n = 0;
    loop {
        match receiver.step(&mut buf).expect("benchmark input is valid") {
            Step::Command(c) => {
                black_box(c);
                n += 1;
            }
            Step::Continue { .. } => {}
            Step::NeedMore => return n,
        }
    }
}

fn bench(c: &mut Criterion) {
    let append = append();
    let mut mix = Vec::new();
    // 10 FETCH, 5 SEARCH, 1 APPEND: a busy client's minute.
    for _ in 0..10 {
        mix.extend_from_slice(FETCH);
    }
    for _ in 0..5 {
        mix.extend_from_slice(SEARCH);
    }
    mix.extend_from_slice(&append);
    let cases: [(&str, &[u8], u64); 4] = [
        ("fetch", FETCH, 1),
        ("uid_search", SEARCH, 1),
        ("append_100k", &append, 1),
        ("mix", &mix, 16),
    ];
    let mut receiver = Receiver::new(Limits::default());
    for (name, input, commands) in cases {
        assert_eq!(parse_all(&mut receiver, input) as u64, commands, "{name}");
    }

    let mut g = c.benchmark_group("bytes");
    for (name, input, _) in cases {
        g.throughput(Throughput::Bytes(input.len() as u64));
        g.bench_with_input(BenchmarkId::from_parameter(name), input, |b, input| {
            b.iter(|| parse_all(&mut receiver, input))
        });
    }
    g.finish();

    let mut g = c.benchmark_group("commands");
    for (name, input, commands) in cases {
        g.throughput(Throughput::Elements(commands));
        g.bench_with_input(BenchmarkId::from_parameter(name), input, |b, input| {
            b.iter(|| parse_all(&mut receiver, input))
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);

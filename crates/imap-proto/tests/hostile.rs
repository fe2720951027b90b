//! Hostile input: each case gives its own specific error, none panics, and none makes the
//! receiver hold more memory than its limits allow.
//!
//! Memory is measured with a counting global allocator that tracks, per thread, the peak of live
//! heap bytes while the receiver works (the input buffer is allocated before measuring starts).
#![allow(unsafe_code)] // the counting allocator below is the only unsafe code, and only in tests

use bytes::BytesMut;
use imap_proto::{ErrorKind, Limits, Receiver, Step};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

struct Counting;

thread_local! {
    static LIVE: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
}

fn note(delta: isize) {
    let _ = LIVE.try_with(|l| {
        let v = l.get() + delta;
        l.set(v);
        let _ = PEAK.try_with(|p| p.set(p.get().max(v)));
    });
}

// SAFETY: forwards to the system allocator unchanged; only bookkeeping is added.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note(layout.size() as isize);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        note(-(layout.size() as isize));
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note(new_size as isize - layout.size() as isize);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// Runs `f` and returns its result with the peak extra heap it held.
fn measure<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let base = LIVE.with(Cell::get);
    PEAK.with(|p| p.set(base));
    let out = f();
    let peak = PEAK.with(Cell::get) - base;
    (out, peak.max(0) as usize)
}

/// Small limits so that "bounded" is a tight statement.
fn limits() -> Limits {
    Limits {
        max_line: 1024,
        max_append_literal: 4096,
        max_other_literal: 512,
        max_non_sync_literal: None,
        max_command: 16 * 1024,
        max_literals: 16,
        max_depth: 32,
    }
}

/// Memory the receiver may hold for one command under [`limits`], with room for the parser's
/// output and error messages: everything it keeps is bounded by `max_command`.
const BOUND: usize = 4 * 16 * 1024 + 64 * 1024;

/// Feeds `input` in chunks of `chunk` octets and collects every step until input runs out.
fn run(input: &[u8], chunk: usize) -> Vec<Result<Step, ErrorKind>> {
    let mut r = Receiver::new(limits());
    let mut buf = BytesMut::with_capacity(chunk);
    let mut out = Vec::new();
    for piece in input.chunks(chunk.max(1)) {
        buf.extend_from_slice(piece);
        loop {
            match r.step(&mut buf) {
                Ok(Step::NeedMore) => break,
                Ok(s) => out.push(Ok(s)),
                Err(e) => out.push(Err(e.kind)),
            }
        }
    }
    out
}

/// The single error a hostile command gives, checked in one piece and byte by byte, followed
/// by a NOOP that must still be understood (the receiver stayed in step).
fn expect_error(input: &[u8], want: ErrorKind) {
    for chunk in [usize::MAX, 7, 1] {
        let mut bytes = input.to_vec();
        bytes.extend_from_slice(b"z NOOP\r\n");
        let (steps, peak) = measure(|| run(&bytes, chunk.min(bytes.len())));
        assert!(
            peak < BOUND,
            "peak {peak} octets for {:?}",
            String::from_utf8_lossy(input)
        );
        let errors: Vec<_> = steps.iter().filter_map(|s| s.as_ref().err()).collect();
        assert_eq!(
            errors,
            vec![&want],
            "chunk {chunk}: {:?}",
            String::from_utf8_lossy(input)
        );
        let last = steps.last().expect("at least the NOOP");
        assert!(
            matches!(last, Ok(Step::Command(c)) if c.tag.as_str() == "z"),
            "receiver out of step after {:?}: {last:?}",
            String::from_utf8_lossy(input)
        );
    }
}

#[test]
fn unbalanced_parentheses() {
    expect_error(b"a SEARCH (SEEN\r\n", ErrorKind::Unbalanced);
    expect_error(b"a SEARCH SEEN)\r\n", ErrorKind::Unbalanced);
    expect_error(b"a FETCH 1 (FLAGS UID\r\n", ErrorKind::Unbalanced);
    expect_error(b"a STORE 1 +FLAGS (\\Seen\r\n", ErrorKind::Unbalanced);
    expect_error(b"a STATUS INBOX (MESSAGES))\r\n", ErrorKind::Unbalanced);
}

#[test]
fn literal_counts_that_lie() {
    // Announces 2 octets but the client meant 6: the rest is read as grammar and fails there.
    let e = imap_proto::parse_command(b"a LOGIN {2+}\r\nabcdef pw\r\n").unwrap_err();
    assert!(matches!(e.kind, ErrorKind::Syntax(_)), "{e:?}");
    expect_error(b"a LOGIN {2+}\r\nabcdef pw\r\n", e.kind);
    // Announces 10 but sends 3 then stops: the receiver waits for the rest, holding no more
    // than the announced (and allowed) size.
    let (steps, peak) = measure(|| run(b"a LOGIN {10+}\r\nabc", 1));
    assert!(steps.is_empty(), "{steps:?}");
    assert!(peak < BOUND);
    assert_eq!(
        imap_proto::parse_command(b"a LOGIN {10}\r\nabc")
            .unwrap_err()
            .kind,
        ErrorKind::Incomplete
    );
}

#[test]
fn literal_larger_than_the_limit() {
    expect_error(
        b"a APPEND INBOX {1073741824}\r\n",
        ErrorKind::LiteralTooLarge {
            size: 1 << 30,
            max: 4096,
        },
    );
    // A non-synchronizing one is skipped octet by octet without being stored.
    let mut input = b"a LOGIN {100000+}\r\n".to_vec();
    input.extend(std::iter::repeat_n(b'x', 100_000));
    input.extend_from_slice(b" pw\r\n");
    expect_error(
        &input,
        ErrorKind::LiteralTooLarge {
            size: 100_000,
            max: 512,
        },
    );
    // A size that does not fit in 63 bits.
    expect_error(
        b"a LOGIN {99999999999999999999}\r\n",
        ErrorKind::LiteralTooLarge {
            size: u64::MAX,
            max: 512,
        },
    );
}

#[test]
fn whole_command_over_the_limit() {
    let mut input = b"a APPEND INBOX".to_vec();
    for _ in 0..5 {
        input.extend_from_slice(b" {4000+}\r\n");
        input.extend(std::iter::repeat_n(b'm', 4000));
    }
    input.extend_from_slice(b"\r\n");
    expect_error(&input, ErrorKind::CommandTooLarge { max: 16 * 1024 });
}

#[test]
fn too_many_literals() {
    let mut input = b"a APPEND INBOX".to_vec();
    for _ in 0..20 {
        input.extend_from_slice(b" {1+}\r\nm");
    }
    input.extend_from_slice(b"\r\n");
    expect_error(&input, ErrorKind::TooManyLiterals { max: 16 });
}

#[test]
fn eight_bit_octets_in_an_atom() {
    expect_error(b"a SELECT Entw\xc3\xbcrfe\r\n", ErrorKind::EightBit);
    expect_error(b"a SEARCH KEYWORD caf\xe9\r\n", ErrorKind::EightBit);
    expect_error(b"a N\xc3\x96OP\r\n", ErrorKind::EightBit);
    // In a quoted string, 8-bit must at least be UTF-8.
    expect_error(b"a SELECT \"Entw\xfcrfe\"\r\n", ErrorKind::InvalidUtf8);
}

#[test]
fn an_overlong_line() {
    let mut input = b"a SEARCH TEXT ".to_vec();
    input.extend(std::iter::repeat_n(b'x', 100_000));
    input.extend_from_slice(b"\r\n");
    expect_error(&input, ErrorKind::LineTooLong { max: 1024 });
    // ... even if it never ends: the receiver does not keep what it discards.
    let mut r = Receiver::new(limits());
    let mut buf = BytesMut::new();
    let (_, peak) = measure(|| {
        for i in 0..1000 {
            buf.extend_from_slice(&[b'y'; 1000]);
            let s = r.step(&mut buf);
            assert!(i > 1 || s.is_err() || s == Ok(Step::NeedMore));
        }
    });
    assert!(peak < BOUND, "{peak}");
}

#[test]
fn a_nul_octet() {
    expect_error(b"a NOOP\0\r\n", ErrorKind::Nul);
    expect_error(b"a LOGIN fred p\0w\r\n", ErrorKind::Nul);
    expect_error(b"a LOGIN {3}\r\np\0w pw\r\n", ErrorKind::Nul);
}

#[test]
fn nesting_ten_thousand_deep() {
    let n = 10_000;
    let mut parens = b"a SEARCH ".to_vec();
    parens.extend(std::iter::repeat_n(b'(', n));
    parens.extend_from_slice(b"SEEN");
    parens.extend(std::iter::repeat_n(b')', n));
    parens.extend_from_slice(b"\r\n");
    let big = Limits {
        max_line: 1 << 20,
        max_command: 1 << 22,
        ..limits()
    };
    let err = imap_proto::parse_command_with(&parens, big).unwrap_err();
    assert_eq!(err.kind, ErrorKind::TooDeep { max: 32 });

    let mut nots = b"a SEARCH".to_vec();
    for _ in 0..n {
        nots.extend_from_slice(b" NOT");
    }
    nots.extend_from_slice(b" SEEN\r\n");
    assert_eq!(
        imap_proto::parse_command_with(&nots, big).unwrap_err().kind,
        ErrorKind::TooDeep { max: 32 }
    );
    let mut ors = b"a SEARCH".to_vec();
    for _ in 0..n {
        ors.extend_from_slice(b" OR SEEN");
    }
    ors.extend_from_slice(b" SEEN\r\n");
    assert_eq!(
        imap_proto::parse_command_with(&ors, big).unwrap_err().kind,
        ErrorKind::TooDeep { max: 32 }
    );
    // Within the default line limit the same input is simply too long.
    expect_error(&parens, ErrorKind::LineTooLong { max: 1024 });
    // And just inside the depth limit it parses.
    let ok = format!("a SEARCH {}SEEN{}\r\n", "(".repeat(31), ")".repeat(31));
    assert!(imap_proto::parse_command_with(ok.as_bytes(), limits()).is_ok());
}

#[test]
fn a_tag_with_a_bad_character() {
    for bad in [
        &b"a+b NOOP\r\n"[..],
        b"a(b NOOP\r\n",
        b"{5} NOOP\r\n",
        b"a\"b NOOP\r\n",
        b"* NOOP\r\n",
    ] {
        expect_error(bad, ErrorKind::BadTag);
    }
    expect_error(b" NOOP\r\n", ErrorKind::BadTag);
    expect_error(b"\r\n", ErrorKind::EmptyLine);
}

#[test]
fn unknown_commands_and_arguments() {
    expect_error(b"a FROB\r\n", ErrorKind::UnknownCommand("FROB".into()));
    expect_error(
        b"a UID FROB 1\r\n",
        ErrorKind::UnknownCommand("UID FROB".into()),
    );
    let e = imap_proto::parse_command(b"a FETCH 1 (FROB)\r\n").unwrap_err();
    assert_eq!(e.tag.as_ref().unwrap().as_str(), "a");
    assert!(
        matches!(e.kind, ErrorKind::Syntax(ref s) if s.contains("FROB")),
        "{e:?}"
    );
}

#[test]
fn random_garbage_never_panics_and_stays_bounded() {
    // A deterministic xorshift stream: reproducible without extra dependencies.
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    for round in 0..200 {
        let len = (next() % 5000) as usize;
        let alphabet: &[u8] = if round % 2 == 0 {
            b"a1 (){}~+\r\n\"\\*%$:,.[]<>\0\xff SEARCH"
        } else {
            b""
        };
        let input: Vec<u8> = (0..len)
            .map(|_| {
                let r = next();
                if alphabet.is_empty() {
                    r as u8
                } else {
                    alphabet[(r as usize) % alphabet.len()]
                }
            })
            .collect();
        let chunk = 1 + (next() % 64) as usize;
        let (_, peak) = measure(|| run(&input, chunk));
        assert!(peak < BOUND, "round {round}: peak {peak}");
    }
}

//! The index never changes a SEARCH result: on a generated corpus of 10,000 messages in several
//! scripts (Thai, Arabic, Chinese, Japanese, Latin with diacritics, ASCII), with base64 and
//! quoted-printable bodies, RFC 2047 headers, HTML alternatives and attachments, every query
//! evaluated through the index (candidates + stored text, and a lagging tail of messages the
//! index has not seen) equals the brute-force oracle on the full text of every message. Address
//! fields come with comments inside and around addresses, folded lines and groups, so FROM, TO,
//! CC and BCC match through the parsed addresses as well as through the decoded values.

use imap_proto::command::SearchKey;
use imap_search::{Context, Message, relevancy, search, search_with};
use mail_model::{MessageFacts, SearchText};
use search_index::{Exact, Judged, SearchIndex, Verdicts};
use store::{AccountId, BlobRef, Flags, MailboxId};

const N: usize = 10_000;
/// Messages at or above this index are appended "after the index last caught up".
const INDEXED: usize = 9_400;

const WORDS: &[&[&str]] = &[
    &["สวัสดี", "ภาษาไทย", "การประชุม", "ตลาดนัด", "ข้อความ", "กรุงเทพ"],
    &["مرحبا", "اجتماع", "العربية", "رسالة", "السوق", "القاهرة"],
    &["你好", "会议", "中文邮件", "市场报告", "北京", "季度"],
    &[
        "こんにちは",
        "会議室",
        "カタカナ",
        "東京都",
        "メール",
        "予定表",
    ],
    &[
        "Grüße",
        "Ærøskøbing",
        "façade",
        "señor",
        "Straße",
        "ÉCOLE",
        "Dvořák",
        "Łódź",
    ],
    &[
        "meeting",
        "invoice",
        "quarterly",
        "Report",
        "deadline",
        "Weekend",
        "coffee",
        "Budget",
    ],
];

const NAMES: &[&str] = &[
    "Somchai Jaidee",
    "فاطمة الزهراء",
    "王小明",
    "山田太郎",
    "Zoë Brontë",
    "Alice Martin",
    "Bob O'Neil",
];

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }
}

fn b64(data: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (b[0] as u32) << 16 | (b[1] as u32) << 8 | b[2] as u32;
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(T[(n >> (18 - 6 * i)) as usize & 63] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn qp(text: &str) -> String {
    let mut out = String::new();
    let mut col = 0;
    for &b in text.as_bytes() {
        let piece = if b == b'\n' {
            col = 0;
            out.push_str("\r\n");
            continue;
        } else if (33..=126).contains(&b) && b != b'=' || b == b' ' {
            (b as char).to_string()
        } else {
            format!("={b:02X}")
        };
        if col + piece.len() > 72 {
            out.push_str("=\r\n");
            col = 0;
        }
        col += piece.len();
        out.push_str(&piece);
    }
    out
}

fn encoded_word(s: &str, q: bool) -> String {
    if s.is_ascii() {
        return s.to_string();
    }
    if q {
        let mut out = String::from("=?UTF-8?Q?");
        for &b in s.as_bytes() {
            match b {
                b' ' => out.push('_'),
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' => out.push(b as char),
                _ => out.push_str(&format!("={b:02X}")),
            }
        }
        out + "?="
    } else {
        format!("=?UTF-8?B?{}?=", b64(s.as_bytes()))
    }
}

/// Message `i`: headers and body mixing scripts, in one of several MIME shapes.
fn message(i: usize, rng: &mut Rng) -> Vec<u8> {
    let script = WORDS[i % WORDS.len()];
    let other = WORDS[rng.below(WORDS.len())];
    let words = |rng: &mut Rng, n: usize| -> String {
        (0..n)
            .map(|_| {
                if rng.below(4) == 0 {
                    rng.pick(other)
                } else {
                    rng.pick(script)
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    };
    let from = NAMES[rng.below(NAMES.len())];
    let to = NAMES[rng.below(NAMES.len())];
    let subject = format!("{} #{i}", words(rng, 3));
    let body = format!("{}\n{}\nref-{i:05}\n", words(rng, 12), words(rng, 8));
    let q = rng.below(2) == 0;
    let (user, dest) = (i % 97, i % 89);
    // Address fields in several shapes: comments inside the address and folded lines (only
    // the parsed addresses hold `user@example.org` then), a comment as the display name, a
    // group, a BCC with a comment.
    let from = encoded_word(from, q);
    let mut m = match i % 4 {
        0 => format!("From: {from} <user{user}@example.org>\r\n"),
        1 => format!(
            "From: {from} (work)\r\n <user{user} (desk {})@\r\n (x) example.org>\r\n",
            i % 11
        ),
        2 => format!("From: user{user}@example.org ({from})\r\n"),
        _ => format!("From: <user{user}@ (host) example.org>\r\n"),
    };
    let to = encoded_word(to, !q);
    if i.is_multiple_of(3) {
        m.push_str(&format!(
            "To: Team-{}: {to} <dest{dest}@example.net>,\r\n \"Q. {}\" <q{}@example.net>;\r\n",
            i % 7,
            i % 5,
            i % 5
        ));
    } else {
        m.push_str(&format!("To: {to} <dest{dest}@example.net>\r\n"));
    }
    if i % 10 == 3 {
        m.push_str(&format!("Bcc: <hidden{} (secret)@example.com>\r\n", i % 17));
    }
    if i.is_multiple_of(5) {
        m.push_str(&format!(
            "Cc: {} <cc{}@example.com>\r\n",
            encoded_word(NAMES[i % 7], q),
            i % 13
        ));
    }
    m.push_str(&format!(
        "Subject: {}\r\nDate: Mon, {} Nov 2026 10:00:00 +0000\r\nMessage-ID: <m{i}@example.org>\r\nMIME-Version: 1.0\r\n",
        encoded_word(&subject, q),
        1 + i % 28
    ));
    match i % 6 {
        0 => m.push_str(&format!(
            "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n{}",
            body.replace('\n', "\r\n")
        )),
        1 => m.push_str(&format!(
            "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n",
            b64(body.as_bytes())
        )),
        2 => m.push_str(&format!(
            "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n{}",
            qp(&body)
        )),
        3 => m.push_str(&format!(
            "Content-Type: multipart/alternative; boundary=\"b{i}\"\r\n\r\n--b{i}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n{}\r\n--b{i}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n--b{i}--\r\n",
            qp(&body),
            b64(format!("<html><body><p>{}</p><b>html-only-{i}</b></body></html>", body).as_bytes())
        )),
        4 => m.push_str(&format!(
            "Content-Type: multipart/mixed; boundary=\"x{i}\"\r\n\r\n--x{i}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{}\r\n--x{i}\r\nContent-Type: application/pdf; name=\"{}\"\r\nContent-Disposition: attachment; filename=\"{}\"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--x{i}--\r\n",
            body.replace('\n', "\r\n"),
            encoded_word(&format!("{} {i}.pdf", rng.pick(script)), false),
            encoded_word(&format!("{} {i}.pdf", rng.pick(script)), false),
        )),
        _ => {
            // Latin text in ISO-8859-1, where it fits: the index must see it decoded.
            let latin: String = body.chars().filter(|c| (*c as u32) < 256).collect();
            let bytes: Vec<u8> = latin.chars().map(|c| c as u32 as u8).collect();
            m.push_str(&format!(
                "Content-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: base64\r\n\r\n{}\r\n",
                b64(&bytes)
            ));
        }
    }
    m.into_bytes()
}

struct Msg {
    blob: BlobRef,
    flags: Flags,
    internal_date: i64,
    facts: MessageFacts,
    text: SearchText,
}

fn blob_of(i: usize) -> BlobRef {
    let mut sha256 = [0u8; 32];
    sha256[..8].copy_from_slice(&(i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15).to_be_bytes());
    sha256[8..16].copy_from_slice(&(i as u64).to_be_bytes());
    BlobRef { sha256 }
}

fn parse_keys(wire: &str) -> Vec<SearchKey> {
    use imap_proto::receiver::{Limits, Receiver, Step};
    let mut r = Receiver::new(Limits::default());
    let mut buf = bytes::BytesMut::from(format!("t SEARCH CHARSET UTF-8 {wire}\r\n").as_bytes());
    match r.step(&mut buf) {
        Ok(Step::Command(c)) => match c.body {
            imap_proto::command::CommandBody::Search { criteria, .. } => criteria,
            other => panic!("{wire}: {other:?}"),
        },
        other => panic!("{wire}: {other:?}"),
    }
}

fn quoted(s: &str) -> String {
    format!("{{{}+}}\r\n{s}", s.len())
}

/// A random needle: a piece of a random message's field (random case), or a word from the
/// lists, or something absent.
fn needle(rng: &mut Rng, corpus: &[Msg]) -> String {
    let m = &corpus[rng.below(corpus.len())];
    let source: String = match rng.below(6) {
        0 => m.text.bodies.first().cloned().unwrap_or_default(),
        1 => m
            .text
            .headers
            .iter()
            .find(|(n, _)| n == "Subject")
            .map(|(_, v)| v.clone())
            .unwrap_or_default(),
        2 => m
            .text
            .headers
            .iter()
            .find(|(n, _)| n == "From")
            .map(|(_, v)| v.clone())
            .unwrap_or_default(),
        3 => WORDS[rng.below(WORDS.len())][0].to_string(),
        4 if !m.text.addresses.is_empty() => m.text.addresses[rng.below(m.text.addresses.len())]
            .1
            .clone(),
        _ => ["zzqx", "ไม่มี", "不存在的", "Grüsse", "STRASSE", "e"][rng.below(6)].to_string(),
    };
    let chars: Vec<char> = source.chars().collect();
    if chars.is_empty() {
        return "x".into();
    }
    let len = 1 + rng.below(chars.len().min(9));
    let start = rng.below(chars.len() + 1 - len);
    let piece: String = chars[start..start + len].iter().collect();
    match rng.below(3) {
        0 => piece.to_uppercase(),
        1 => piece.to_lowercase(),
        _ => piece,
    }
    .replace(['\r', '\n'], " ")
}

fn text_key(rng: &mut Rng, corpus: &[Msg]) -> String {
    let n = quoted(&needle(rng, corpus));
    match rng.below(10) {
        0 | 8 => format!("FROM {n}"),
        1 => format!("TO {n}"),
        2 => format!("CC {n}"),
        3 => format!("SUBJECT {n}"),
        4 => format!("HEADER Message-ID {n}"),
        5 => format!("TEXT {n}"),
        6 => format!("BCC {n}"),
        _ => format!("BODY {n}"),
    }
}

/// A text key under FUZZY whose needle has one character replaced (a typo) half the time.
fn fuzzy_key(rng: &mut Rng, corpus: &[Msg]) -> String {
    let mut chars: Vec<char> = needle(rng, corpus).chars().collect();
    if chars.len() >= 5 && rng.below(2) == 0 {
        let at = 1 + rng.below(chars.len() - 2);
        chars[at] = 'q';
    }
    let n = quoted(&chars.into_iter().collect::<String>());
    match rng.below(6) {
        0 => format!("FUZZY FROM {n}"),
        1 => format!("FUZZY SUBJECT {n}"),
        2 => format!("FUZZY TEXT {n}"),
        3 => format!("FUZZY (BODY {n} UNSEEN)"),
        4 => format!("FUZZY TO {n}"),
        _ => format!("FUZZY BODY {n}"),
    }
}

fn query(rng: &mut Rng, corpus: &[Msg], depth: usize) -> String {
    match rng.below(if depth > 2 { 3 } else { 8 }) {
        0 | 1 => text_key(rng, corpus),
        7 => fuzzy_key(rng, corpus),
        2 => [
            "SEEN",
            "FLAGGED",
            "LARGER 1500",
            "SINCE 10-Nov-2026",
            "UNSEEN",
        ][rng.below(5)]
        .to_string(),
        3 => format!("NOT {}", query(rng, corpus, depth + 1)),
        4 => format!(
            "OR {} {}",
            query(rng, corpus, depth + 1),
            query(rng, corpus, depth + 1)
        ),
        _ => format!(
            "({} {})",
            query(rng, corpus, depth + 1),
            query(rng, corpus, depth + 1)
        ),
    }
}

#[test]
fn indexed_search_equals_the_oracle_on_10000_messages() {
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    let corpus: Vec<Msg> = (0..N)
        .map(|i| {
            let raw = message(i, &mut rng);
            let mut flags = Flags::default();
            if i.is_multiple_of(3) {
                flags.system |= Flags::SEEN;
            }
            if i.is_multiple_of(7) {
                flags.system |= Flags::FLAGGED;
            }
            Msg {
                blob: blob_of(i),
                flags,
                internal_date: 1_762_000_000 + (i as i64) * 600,
                facts: mail_model::analyze(&raw),
                text: mail_model::search_text(&raw),
            }
        })
        .collect();

    let dir = tempfile::tempdir().unwrap();
    let index = SearchIndex::open(dir.path(), 4).unwrap();
    let account = AccountId(7);
    let (mailbox, other_account) = (MailboxId(70), AccountId(8));
    for m in &corpus[..INDEXED] {
        index.add(account, &m.blob, &m.text).unwrap();
    }
    // Another tenant in the same shard with a decoy holding every word: never a candidate.
    let decoy = SearchText {
        bodies: vec![
            WORDS
                .iter()
                .flat_map(|w| w.iter())
                .copied()
                .collect::<Vec<_>>()
                .join(" "),
        ],
        ..Default::default()
    };
    index.add(other_account, &blob_of(N + 1), &decoy).unwrap();
    index
        .commit(&[(account, mailbox, INDEXED as u32 + 1)])
        .unwrap();
    assert_eq!(index.watermark(account, mailbox), INDEXED as u32 + 1);

    let ctx = Context {
        max_seq: N as u32,
        max_uid: N as u32,
        now: 1_767_268_800,
    };
    let msg = |i: usize, with_text: bool| Message {
        seq: i as u32 + 1,
        uid: i as u32 + 1,
        flags: imap_search::MessageFlags {
            seen: corpus[i].flags.has(Flags::SEEN),
            flagged: corpus[i].flags.has(Flags::FLAGGED),
            ..Default::default()
        },
        recent: false,
        modseq: 1,
        size: corpus[i].facts.size,
        internal_date: corpus[i].internal_date,
        internal_zone_minutes: 0,
        save_date: None,
        email_id: "",
        thread_id: None,
        facts: &corpus[i].facts,
        text: with_text.then_some(&corpus[i].text),
    };

    let mut fixed: Vec<String> = [
        ("BODY", "ภาษาไทย"),
        ("SUBJECT", "การประชุม"),
        ("TEXT", "العربية"),
        ("FROM", "فاطمة"),
        ("BODY", "中文邮件"),
        ("SUBJECT", "会議室"),
        ("FROM", "山田"),
        ("BODY", "grüsse"),
        ("BODY", "GRÜSSE"),
        ("SUBJECT", "straße"),
        ("BODY", "ÆRØSKØBING"),
        ("TEXT", "façade"),
        ("FROM", "zoë"),
        ("TO", "Bob O'Neil"),
        ("BODY", "ref-00042"),
        ("TEXT", "html-only-3"),
        ("BODY", "html-only-3"),
        ("TEXT", ".pdf"),
        ("BODY", "<b>"),
        ("CC", "cc7"),
        ("HEADER Message-ID", "m9999"),
        ("BODY", "e"),
        ("TEXT", ""),
        ("NOT BODY", "meeting"),
        ("BODY", "dvořák"),
        ("BODY", "lodz"),
        ("BODY", "łódź"),
        ("FROM", "王小明"),
        // Address keys through the parsed addresses: comments and folding gone, groups,
        // display names from comments.
        ("FROM", "user5@example.org"),
        ("FROM", "<USER5@EXAMPLE.ORG>"),
        ("FROM", "alice martin <user"),
        ("FROM", "desk 3"),
        ("HEADER From", "user5@example.org"),
        ("TO", "Team-3: "),
        ("TO", "Q. 2 <q2@example.net>"),
        ("TO", "\"Q. 2\" <q2"),
        ("BCC", "hidden4@example.com"),
        ("BCC", "secret"),
        ("FUZZY FROM", "user5@exampel.org"),
    ]
    .iter()
    .map(|(k, n)| format!("{k} {}", quoted(n)))
    .collect();
    fixed.push(format!("OR SUBJECT invoice FROM {}", quoted("alice")));
    for _ in 0..170 {
        fixed.push(query(&mut rng, &corpus, 0));
    }
    for _ in 0..30 {
        fixed.push(fuzzy_key(&mut rng, &corpus));
    }
    fixed.push(format!("FUZZY BODY {}", quoted("überschalqknall")));
    let mut matched_somewhere = 0;
    let mut pruned = 0;
    let mut fuzzy = 0;
    let mut widened = 0;
    let mut remote_without_bodies = 0;
    for wire in &fixed {
        let keys = parse_keys(wire);
        let brute: Vec<usize> = (0..N)
            .filter(|&i| search(&keys, &msg(i, true), &ctx))
            .collect();
        let exact = Exact::prepare(&index, account, &keys).unwrap();
        // As the server does: messages whose body is outside the required set are not even
        // looked at.
        let required = exact.required(&keys);
        if required.is_some() {
            pruned += 1;
        }
        let indexed: Vec<usize> = (0..N)
            .filter(|&i| {
                if i >= INDEXED || i as u32 + 1 >= index.watermark(account, mailbox) {
                    return search(&keys, &msg(i, true), &ctx);
                }
                if required
                    .as_ref()
                    .is_some_and(|r| !r.contains(&search_index::blob64(&corpus[i].blob)))
                {
                    return false;
                }
                let source = exact.source(corpus[i].blob);
                let hit = search_with(&keys, &msg(i, false), &ctx, &source);
                assert!(!source.failed(), "stored text of message {i} readable");
                hit
            })
            .collect();
        assert_eq!(indexed, brute, "query {wire:?}");
        // The cluster's path: the shard owner's verdicts, shipped to a frontend that has no
        // index (the key order is what the wire carries); a message the verdicts cannot judge
        // is evaluated on its body, as the frontend does.
        let verdicts = Verdicts::compute(&index, account, mailbox, &keys).unwrap();
        let asked: Vec<(SearchKey, bool)> = search_index::text_keys_of(&keys);
        let shipped: Vec<(SearchKey, bool)> = verdicts
            .keys
            .iter()
            .map(|(k, f, _)| (k.clone(), *f))
            .collect();
        assert_eq!(shipped, asked, "verdicts in the order of the asked keys");
        let needed = verdicts.required(&keys);
        let mut fallbacks = 0;
        let remote: Vec<usize> = (0..N)
            .filter(|&i| {
                if i >= INDEXED || i as u32 + 1 >= verdicts.watermark {
                    return search(&keys, &msg(i, true), &ctx);
                }
                if needed
                    .as_ref()
                    .is_some_and(|r| !r.contains(&search_index::blob64(&corpus[i].blob)))
                {
                    return false;
                }
                let source = verdicts.source(corpus[i].blob);
                let hit = search_with(&keys, &msg(i, false), &ctx, &source);
                if source.failed() {
                    fallbacks += 1;
                    return search(&keys, &msg(i, true), &ctx);
                }
                hit
            })
            .collect();
        assert_eq!(
            remote, brute,
            "query {wire:?} through the shard owner's verdicts"
        );
        if needed.is_some() && fallbacks == 0 {
            remote_without_bodies += 1;
        }
        if wire.contains("FUZZY") {
            for &i in brute.iter().filter(|&&i| i < INDEXED) {
                let source = verdicts.source(corpus[i].blob);
                let score = relevancy(&keys, &msg(i, false), &ctx, Some(&source));
                if !source.failed() {
                    assert_eq!(
                        score,
                        relevancy(&keys, &msg(i, true), &ctx, None),
                        "relevancy of message {i} for {wire:?} through the verdicts"
                    );
                }
            }
        }
        // RFC 6203 relevancy: the index's folded text scores as the decoded text does.
        if let Some(plain) = wire.strip_prefix("FUZZY ") {
            let plain = parse_keys(plain);
            let exact_hits = (0..N)
                .filter(|&i| search(&plain, &msg(i, true), &ctx))
                .count();
            if exact_hits < brute.len() {
                widened += 1;
            }
        }
        if wire.contains("FUZZY") {
            fuzzy += 1;
            for &i in brute.iter().filter(|&&i| i < INDEXED) {
                let source = exact.source(corpus[i].blob);
                assert_eq!(
                    relevancy(&keys, &msg(i, false), &ctx, Some(&source)),
                    relevancy(&keys, &msg(i, true), &ctx, None),
                    "relevancy of message {i} for {wire:?}"
                );
            }
        }
        if !brute.is_empty() && brute.len() < N {
            matched_somewhere += 1;
        }
    }
    assert!(fuzzy >= 30, "{fuzzy} FUZZY queries");
    // The corpus exercises the parsed addresses: some messages match FROM only through them.
    let count = |wire: &str| {
        let keys = parse_keys(wire);
        (0..N)
            .filter(|&i| search(&keys, &msg(i, true), &ctx))
            .count()
    };
    let (by_address, by_value) = (
        count("FROM user5@example.org"),
        count("HEADER From user5@example.org"),
    );
    assert!(
        by_address > by_value && by_value > 0,
        "FROM {by_address}, HEADER From {by_value}"
    );
    // Most pruning queries are answered by the verdicts alone, without reading a body.
    assert!(
        remote_without_bodies > pruned / 2,
        "{remote_without_bodies} of {pruned} pruning queries needed no body"
    );
    // FUZZY finds more than the exact key for a good share of them (typos, partial needles).
    assert!(widened >= 5, "FUZZY widened {widened} queries");
    // Most queries have a text key every match needs (the rest: NOT, OR with a non-text
    // side, needles under 3 characters).
    assert!(
        pruned > fixed.len() / 3,
        "{pruned} of {} pruned",
        fixed.len()
    );
    // The queries discriminate: most match some messages and not others.
    assert!(
        matched_somewhere > fixed.len() / 3,
        "{matched_somewhere} of {}",
        fixed.len()
    );
    // Index size per byte of text, for the record.
    let text_bytes: usize = corpus[..INDEXED]
        .iter()
        .map(|m| serde_json::to_vec(&m.text).map(|v| v.len()).unwrap_or(0))
        .sum();
    eprintln!(
        "index: {} bytes on disk for {} bytes of search text",
        index.disk_bytes(),
        text_bytes
    );
}

/// Pruning works: a rare needle yields few candidates, an account never sees another's, and a
/// needle too short to prune says so.
#[test]
fn candidates_are_per_account_and_selective() {
    let dir = tempfile::tempdir().unwrap();
    let index = SearchIndex::open(dir.path(), 2).unwrap();
    let text = |body: &str| SearchText {
        headers: vec![("Subject".into(), "Quarterly  report".into())],
        bodies: vec![body.into()],
        ..Default::default()
    };
    index
        .add(AccountId(1), &blob_of(1), &text("Grüße aus Köln"))
        .unwrap();
    index
        .add(AccountId(1), &blob_of(2), &text("nothing here"))
        .unwrap();
    index
        .add(AccountId(3), &blob_of(3), &text("GRÜSSE aus Köln"))
        .unwrap();
    index.commit(&[]).unwrap();
    let c = index
        .candidates(
            AccountId(1),
            search_index::TextKind::Any,
            "AUS KÖ".as_bytes(),
        )
        .unwrap()
        .unwrap();
    assert!(c.contains(&blob_of(1)) && !c.contains(&blob_of(2)) && !c.contains(&blob_of(3)));
    assert_eq!(c.len(), 1);
    let s = index
        .candidates(
            AccountId(1),
            search_index::TextKind::Header(search_index::Field::Subject),
            b"y rep",
        )
        .unwrap()
        .unwrap();
    assert_eq!(
        s.len(),
        2,
        "subject blanks collapsed as SUBJECT compares them"
    );
    assert!(
        index
            .candidates(AccountId(1), search_index::TextKind::Any, b"ab")
            .unwrap()
            .is_none()
    );
    assert_eq!(
        index.stored_text(AccountId(1), &blob_of(1)).unwrap(),
        Some(std::sync::Arc::new(imap_search::FoldedText::new(&text(
            "Grüße aus Köln"
        ))))
    );
    assert_eq!(index.stored_text(AccountId(3), &blob_of(1)).unwrap(), None);
    // The stored text is cached (read twice above); a reindex forgets it: the body indexed
    // again with another text (as after a change of text extraction) is read anew, and a
    // body not indexed again has no text.
    index.clear_account(AccountId(1), &[MailboxId(5)]).unwrap();
    assert_eq!(index.stored_text(AccountId(1), &blob_of(1)).unwrap(), None);
    index
        .add(AccountId(1), &blob_of(1), &text("Servus aus Wien"))
        .unwrap();
    index.commit(&[]).unwrap();
    assert_eq!(
        index.stored_text(AccountId(1), &blob_of(1)).unwrap(),
        Some(std::sync::Arc::new(imap_search::FoldedText::new(&text(
            "Servus aus Wien"
        ))))
    );
    index
        .add(AccountId(1), &blob_of(2), &text("nothing here"))
        .unwrap();
    // Reopening keeps documents and watermarks; another shard count is refused.
    index.commit(&[(AccountId(1), MailboxId(5), 42)]).unwrap();
    drop(index);
    let again = SearchIndex::open(dir.path(), 2).unwrap();
    assert_eq!(again.watermark(AccountId(1), MailboxId(5)), 42);
    assert!(again.contains(AccountId(1), &blob_of(2)).unwrap());
    drop(again);
    assert!(SearchIndex::open(dir.path(), 3).is_err());
}

/// A body whose text is over MAX_TEXT gets no grams: it is a candidate for every needle and is
/// judged on its stored text; over MAX_STORED_TEXT nothing is stored and its text must be read
/// from the message (the source reports the failure). Results stay exact while the writer never
/// holds the grams of a large body.
#[test]
fn oversize_bodies_are_always_candidates() {
    let dir = tempfile::tempdir().unwrap();
    let index = SearchIndex::open(dir.path(), 1).unwrap();
    let big = SearchText {
        bodies: vec!["lorem ipsum ".repeat(search_index::MAX_TEXT / 8)],
        ..Default::default()
    };
    let small = SearchText {
        bodies: vec!["lorem ipsum".into()],
        ..Default::default()
    };
    let huge = SearchText {
        bodies: vec!["dolor sit amet ".repeat(search_index::MAX_STORED_TEXT / 12)],
        ..Default::default()
    };
    index.add(AccountId(1), &blob_of(1), &big).unwrap();
    index.add(AccountId(1), &blob_of(2), &small).unwrap();
    index.add(AccountId(2), &blob_of(3), &big).unwrap();
    index.add(AccountId(1), &blob_of(4), &huge).unwrap();
    index.commit(&[]).unwrap();
    let c = index
        .candidates(AccountId(1), search_index::TextKind::Any, b"not in either")
        .unwrap()
        .unwrap();
    assert!(c.contains(&blob_of(1)) && !c.contains(&blob_of(2)) && !c.contains(&blob_of(3)));
    assert!(c.contains(&blob_of(4)));
    use imap_search::TextSource;
    for (needle, hit) in [("not in either", false), ("ipsum lorem", true)] {
        let keys = parse_keys(&format!("BODY \"{needle}\""));
        let exact = Exact::prepare(&index, AccountId(1), &keys).unwrap();
        let source = exact.source(blob_of(1));
        assert!(!source.excludes(&keys[0], false));
        let text = source
            .text()
            .expect("an oversize body keeps its stored text");
        assert!(!source.failed());
        assert_eq!(text.bodies[0].contains(needle), hit, "{needle}");
        let source = exact.source(blob_of(4));
        assert!(!source.excludes(&keys[0], false));
        assert!(source.text().is_none() && source.failed());
    }
    let keys = parse_keys("BODY \"not in either\"");
    let exact = Exact::prepare(&index, AccountId(1), &keys).unwrap();
    assert!(exact.source(blob_of(2)).excludes(&keys[0], false));
}

/// A search's candidates stay readable while the indexer commits and merges segments under
/// it: document addresses are read in the searcher that found them (found by the load
/// generator: a fresh searcher after a merge panicked on an out-of-range segment).
#[test]
fn candidates_survive_commits_and_merges() {
    let dir = tempfile::tempdir().unwrap();
    let index = SearchIndex::open(dir.path(), 1).unwrap();
    let account = AccountId(1);
    let text = |body: String| SearchText {
        headers: vec![("Subject".into(), "s".into())],
        bodies: vec![body],
        ..Default::default()
    };
    // Seven one-document segments (tantivy merges at eight).
    for i in 0..7 {
        index
            .add(account, &blob_of(i), &text(format!("needle number {i}")))
            .unwrap();
        index.commit(&[]).unwrap();
    }
    let keys = parse_keys("BODY needle");
    let exact = Exact::prepare(&index, account, &keys).unwrap();
    assert_eq!(exact.candidate_count(), 7);
    // More commits: tantivy merges the small segments into fewer, renumbered ones.
    for i in 10..20 {
        index
            .add(account, &blob_of(i), &text(format!("other {i}")))
            .unwrap();
        index.commit(&[]).unwrap();
    }
    use imap_search::TextSource;
    for i in 0..7 {
        let source = exact.source(blob_of(i));
        let t = source.text().expect("stored text still readable");
        assert_eq!(t.bodies, [format!("needle number {i}")]);
        assert!(!source.failed());
    }
}

/// An index written in an older format (whose documents lack what the oracle now reads, such
/// as the address fields' parsed addresses) never answers a search: a shard whose commit
/// payload records another format, or none (format 1 stored the bare watermark map), is
/// emptied when opened, so its watermarks go back to 1 (searches read the bodies) and the
/// indexer builds it again. A shard of the current format is kept.
#[test]
fn shards_of_an_older_format_are_emptied() {
    let dir = tempfile::tempdir().unwrap();
    let (account, mailbox) = (AccountId(1), MailboxId(5));
    let text = SearchText {
        headers: vec![("From".into(), "<a (c)@b.c>".into())],
        addresses: vec![("From".into(), "<a@b.c>".into())],
        ..Default::default()
    };
    {
        let index = SearchIndex::open(dir.path(), 1).unwrap();
        index.add(account, &blob_of(1), &text).unwrap();
        index.commit(&[(account, mailbox, 2)]).unwrap();
    }
    let index = SearchIndex::open(dir.path(), 1).unwrap();
    assert_eq!(index.watermark(account, mailbox), 2, "current format kept");
    assert!(index.contains(account, &blob_of(1)).unwrap());
    drop(index);
    // Rewrite the payload as format 1 wrote it, the documents left as they are.
    {
        let shard = tantivy::Index::open_in_dir(dir.path().join("shard-0")).unwrap();
        let mut writer: tantivy::IndexWriter =
            shard.writer_with_num_threads(1, 15_000_000).unwrap();
        let mut prepared = writer.prepare_commit().unwrap();
        prepared.set_payload(r#"{"5":2}"#);
        prepared.commit().unwrap();
        writer.wait_merging_threads().unwrap();
    }
    let index = SearchIndex::open(dir.path(), 1).unwrap();
    assert_eq!(index.watermark(account, mailbox), 1, "older format emptied");
    assert!(!index.contains(account, &blob_of(1)).unwrap());
    assert_eq!(index.stored_text(account, &blob_of(1)).unwrap(), None);
    // Indexed again, it is searched again; reopening keeps it.
    index.add(account, &blob_of(1), &text).unwrap();
    index.commit(&[(account, mailbox, 2)]).unwrap();
    drop(index);
    let index = SearchIndex::open(dir.path(), 1).unwrap();
    assert_eq!(index.watermark(account, mailbox), 2);
    let keys = parse_keys("FROM a@b.c");
    let exact = Exact::prepare(&index, account, &keys).unwrap();
    assert_eq!(exact.candidate_count(), 1);
}

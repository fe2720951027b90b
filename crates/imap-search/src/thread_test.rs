//! RFC 5256 THREAD rules as exact outputs: msg-id normalization, the reference rules, base
//! subjects and reply detection, ORDEREDSUBJECT, and every step of REFERENCES.

use super::*;
use imap_proto::response::Response;
use imap_proto::write::WriteOptions;
use mail_model::ThreadFields;

/// A message: sequence number (also the reported id), sent date, base subject, Message-ID
/// and references, written without angle brackets.
fn m(seq: u32, date: i64, subject: &str, id: Option<&str>, refs: &[&str]) -> ThreadMsg {
    ThreadMsg {
        id: seq,
        seq,
        date,
        subject: subject.to_string(),
        message_id: id.map(str::to_string),
        references: refs.iter().map(|r| r.to_string()).collect(),
    }
}

/// The THREAD response line without `* ` and CRLF.
fn wire(threads: Vec<Thread>) -> String {
    let s =
        String::from_utf8(Response::Thread(threads).to_bytes(WriteOptions::SERVER_REV1)).unwrap();
    s.strip_prefix("* ").unwrap().trim_end().to_string()
}

/// REFERENCES with no message a reply.
fn refs(msgs: &[ThreadMsg]) -> String {
    wire(References::build(msgs).finish(|_| false))
}

/// REFERENCES where message `i` (index) is a reply iff `replies[i]`; also checks that step 5
/// asks only about the candidates.
fn refs_with(msgs: &[ThreadMsg], replies: &[bool]) -> String {
    let t = References::build(msgs);
    let candidates = t.reply_candidates();
    wire(t.finish(|i| {
        assert!(candidates.contains(&i), "asked about {i}, not a candidate");
        replies[i]
    }))
}

#[test]
fn msg_ids_are_normalized() {
    // RFC 5256 §3: quoting must not make two ids differ.
    let a = msg_id("<\"01KF8JCEOCBS0045PS\"@xxx.yyy.com>");
    let b = msg_id("<01KF8JCEOCBS0045PS@xxx.yyy.com>");
    assert_eq!(a.as_deref(), Some("01KF8JCEOCBS0045PS@xxx.yyy.com"));
    assert_eq!(a, b);
    assert_eq!(msg_id("<\"a\\\"b\"@c>").as_deref(), Some("a\"b@c"));
    assert_eq!(msg_id("<x@[1.2.3.4]>").as_deref(), Some("x@[1.2.3.4]"));
    // Case-sensitive.
    assert_ne!(msg_id("<A@B>"), msg_id("<a@b>"));
    // Not a msg-id (RFC 5322 §3.6.4 needs id-left "@" id-right).
    for bad in [
        "<foo>",
        "<@x>",
        "<x@>",
        "x@y",
        "<\"open@x>",
        "<\"\"@x>",
        "<>",
        "",
    ] {
        assert_eq!(msg_id(bad), None, "{bad}");
    }
}

/// References wins when it holds a valid id; else the first valid In-Reply-To id; else none.
#[test]
fn reference_rules() {
    let f = |refs: &[&str], in_reply_to: &[&str]| {
        references(&ThreadFields {
            message_id: None,
            in_reply_to: in_reply_to.iter().map(|s| s.to_string()).collect(),
            references: refs.iter().map(|s| s.to_string()).collect(),
        })
    };
    assert_eq!(f(&["<a@x>", "<bad>", "<b@x>"], &["<c@x>"]), ["a@x", "b@x"]);
    assert_eq!(f(&["<bad>"], &["<nope>", "<c@x>", "<d@x>"]), ["c@x"]);
    assert_eq!(f(&[], &["<c@x>", "<d@x>"]), ["c@x"]);
    assert!(f(&[], &["<nope>"]).is_empty());
    assert!(f(&[], &[]).is_empty());
}

/// §2.1 and the reply-or-forward rule of §3 REFERENCES: a removed subj-refwd, `(fwd)` or
/// `[fwd: ]` makes a reply; a removed blob or blank does not.
#[test]
fn base_subject_and_reply_detection() {
    let cases = [
        ("Re: [list] Fwd: subj (fwd)", "subj", true),
        ("[list] subj", "subj", false),
        ("subj", "subj", false),
        ("  subj \t ", "subj", false),
        ("[Fwd: subj]", "subj", true),
        ("[fwd: [list] hello (fwd)]", "hello", true),
        ("subj (fwd)", "subj", true),
        ("subj (FWD)  (fwd)", "subj", true),
        ("Re[2]: x", "x", true),
        ("Re [x] : y", "y", true),
        ("FWD : x", "x", true),
        ("fw:x", "x", true),
        ("Reply: x", "Reply: x", false),
        ("[a] [b]", "[b]", false),
        ("[blob]", "[blob]", false),
        ("Re:", "", true),
        ("", "", false),
        ("Re: Grüße", "Grüße", true),
        ("[PATCH] Re: [list] test", "test", true),
        (
            "Subject with [brackets] inside",
            "Subject with [brackets] inside",
            false,
        ),
        ("Re: [fwd: x]", "x", true),
    ];
    for (input, base, reply) in cases {
        assert_eq!(
            mail_model::base_subject_parts(input),
            (base.to_string(), reply),
            "{input:?}"
        );
        assert_eq!(reply_or_forward(input), reply, "{input:?}");
        assert_eq!(mail_model::casemap(base), mail_model::base_subject(input));
    }
}

/// The extraction THREAD uses for reply detection gives, case-mapped, the stored base subject,
/// on many generated subjects made of the grammar's pieces.
#[test]
fn extraction_agrees_with_mail_model() {
    const PIECES: [&str; 18] = [
        "Re:", "re", "Fwd:", "FW :", "[fwd:", "]", "[list]", "(fwd)", " ", "\t", "x", "é",
        "Re[2]:", ":", "[", "subj", "(FWD)", "\r\n ",
    ];
    let mut seed: u64 = 0x5eed;
    let mut next = || {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (seed >> 33) as usize
    };
    for _ in 0..20_000 {
        let len = next() % 9;
        let s: String = (0..len).map(|_| PIECES[next() % PIECES.len()]).collect();
        let (base, _) = mail_model::base_subject_parts(&s);
        assert_eq!(
            mail_model::casemap(&base),
            mail_model::base_subject(&s),
            "{s:?}"
        );
    }
}

/// ORDEREDSUBJECT: groups by base subject (the empty one too), each sorted by date with the
/// sequence number breaking ties, threads by their first date; no grandchildren.
#[test]
fn ordered_subject_groups() {
    let msgs = [
        m(1, 100, "B", None, &[]),
        m(2, 300, "A", None, &[]),
        m(3, 50, "B", None, &[]),
        m(4, 200, "A", None, &[]),
        m(5, 10, "C", None, &[]),
        m(6, 400, "", None, &[]),
        m(7, 5, "", None, &[]),
        m(8, 200, "A", None, &[]),
    ];
    assert_eq!(
        wire(ordered_subject(&msgs)),
        "THREAD (7 6)(5)(3 1)(4 (8)(2))"
    );
    assert_eq!(wire(ordered_subject(&[])), "THREAD");
}

/// Replies nest under their parents; siblings by date.
#[test]
fn references_simple_tree() {
    let msgs = [
        m(1, 1, "s", Some("a"), &[]),
        m(2, 2, "s", Some("b"), &["a"]),
        m(3, 3, "s", Some("c"), &["a", "b"]),
        m(4, 4, "s", Some("d"), &["a"]),
    ];
    assert_eq!(refs(&msgs), "THREAD (1 (2 3)(4))");
    assert_eq!(refs(&[]), "THREAD");
}

/// A missing parent is a dummy: under the root it stays when it has two or more children
/// (`((1)(2))`, RFC 5256 §4's example form) and gives way to a single child (step 3).
#[test]
fn dummies_at_the_root() {
    let msgs = [
        m(1, 1, "s1", Some("x"), &["missing"]),
        m(2, 2, "s2", Some("y"), &["missing"]),
        m(3, 3, "s3", Some("z"), &["missing2"]),
    ];
    assert_eq!(refs(&msgs), "THREAD ((1)(2))(3)");
}

/// A dummy below the root is always replaced by its children (step 3).
#[test]
fn dummies_below_the_root_are_spliced() {
    let msgs = [
        m(1, 1, "p", Some("a"), &[]),
        m(2, 2, "q", Some("b"), &["a", "m1"]),
        m(3, 3, "r", Some("c"), &["a", "m1"]),
        m(4, 4, "t", Some("d"), &["a", "m2", "m3"]),
    ];
    assert_eq!(refs(&msgs), "THREAD (1 (2)(3)(4))");
}

/// Step 4 sorts the root by date; a dummy sorts by its earliest child.
#[test]
fn root_sorted_by_date_dummy_by_first_child() {
    let msgs = [
        m(1, 50, "p", Some("a"), &["m"]),
        m(2, 40, "q", Some("b"), &["m"]),
        m(3, 45, "r", Some("c"), &[]),
        m(4, 10, "s", Some("d"), &[]),
    ];
    assert_eq!(refs(&msgs), "THREAD (4)((2)(1))(3)");
}

/// Step 6: every set of siblings by sent date, equal dates by sequence number.
#[test]
fn siblings_sorted_by_date_then_sequence() {
    let msgs = [
        m(1, 10, "s", Some("a"), &[]),
        m(2, 30, "s", Some("b"), &["a"]),
        m(3, 20, "s", Some("c"), &["a"]),
        m(4, 20, "s", Some("d"), &["a"]),
        m(5, 5, "s", Some("e"), &["a", "b"]),
        m(6, 1, "s", Some("f"), &["a", "b"]),
    ];
    assert_eq!(refs(&msgs), "THREAD (1 (3)(4)(2 (6)(5)))");
}

/// No link may close a loop (step 1.A/1.B): mutual references, a three-cycle spread over
/// References lines, and a message naming itself.
#[test]
fn reference_loops_are_not_created() {
    let mutual = [
        m(1, 1, "l1", Some("a"), &["b"]),
        m(2, 2, "l2", Some("b"), &["a"]),
    ];
    assert_eq!(refs(&mutual), "THREAD (2 1)");
    let cycle = [
        m(1, 1, "c1", Some("a"), &["c", "b"]),
        m(2, 2, "c2", Some("b"), &["a", "c"]),
        m(3, 3, "c3", Some("c"), &["b"]),
    ];
    assert_eq!(refs(&cycle), "THREAD (3 2 1)");
    let own = [
        m(1, 1, "o", Some("a"), &["a"]),
        m(2, 2, "p", Some("b"), &["b", "a"]),
    ];
    // 1 names itself (no link); 2's References make 1 its child, so 2 cannot be 1's child.
    assert_eq!(refs(&own), "THREAD (2 1)");
    let repeated = [
        m(1, 1, "r", Some("a"), &[]),
        m(2, 2, "s", Some("b"), &["a", "x", "a", "x", "a"]),
    ];
    assert_eq!(refs(&repeated), "THREAD (1 2)");
}

/// Two messages with one Message-ID: the first (lowest sequence number) keeps it, the other
/// gets a unique id; a message without a Message-ID is its own thread.
#[test]
fn duplicate_and_missing_message_ids() {
    let msgs = [
        m(1, 1, "d1", Some("a"), &[]),
        m(2, 2, "d2", Some("a"), &[]),
        m(3, 3, "d3", Some("b"), &["a"]),
        m(4, 4, "d4", None, &["a"]),
        m(5, 5, "d5", None, &[]),
    ];
    assert_eq!(refs(&msgs), "THREAD (1 (3)(4))(2)(5)");
}

/// 1.A keeps an existing parent (a References line may be truncated); 1.B replaces the
/// parent a message got from others' References by its own last reference.
#[test]
fn existing_links_and_own_parent() {
    let keep = [
        m(1, 1, "a", Some("a"), &[]),
        m(2, 2, "b", Some("b"), &[]),
        m(3, 3, "x", Some("x"), &["a", "m"]),
        m(4, 4, "y", Some("y"), &["b", "m"]),
    ];
    assert_eq!(refs(&keep), "THREAD (1 (3)(4))(2)");
    let replace = [
        m(1, 1, "x", Some("p"), &[]),
        m(2, 2, "y", Some("z"), &["p", "m"]),
        m(3, 3, "w", Some("m"), &["q"]),
    ];
    assert_eq!(refs(&replace), "THREAD (1)(3 2)");
}

/// Step 5: threads with one base subject merge. A reply goes under the non-reply, whichever
/// comes first; two non-replies (or two replies) get a new dummy parent.
#[test]
fn subject_merging_replies() {
    let msgs = [m(1, 1, "S", Some("a"), &[]), m(2, 2, "S", Some("b"), &[])];
    assert_eq!(refs_with(&msgs, &[false, true]), "THREAD (1 2)");
    assert_eq!(refs_with(&msgs, &[true, false]), "THREAD (2 1)");
    assert_eq!(refs_with(&msgs, &[false, false]), "THREAD ((1)(2))");
    assert_eq!(refs_with(&msgs, &[true, true]), "THREAD ((1)(2))");
    // Three: 2 (a reply) under 1, then 1 and 3 (non-replies) under a dummy.
    let three = [
        m(1, 1, "S", Some("a"), &[]),
        m(2, 2, "S", Some("b"), &[]),
        m(3, 3, "S", Some("c"), &[]),
    ];
    assert_eq!(
        refs_with(&three, &[false, true, false]),
        "THREAD ((1 2)(3))"
    );
}

/// Step 5 with dummies: a message joins a dummy's children; two dummies pool theirs.
#[test]
fn subject_merging_dummies() {
    let join = [
        m(1, 1, "U", Some("a"), &["m"]),
        m(2, 2, "U", Some("b"), &["m"]),
        m(3, 3, "U", Some("c"), &[]),
    ];
    assert_eq!(refs_with(&join, &[true, true, false]), "THREAD ((1)(2)(3))");
    let pool = [
        m(1, 1, "V", Some("a"), &["m1"]),
        m(2, 3, "V", Some("b"), &["m1"]),
        m(3, 2, "V", Some("c"), &["m2"]),
        m(4, 4, "V", Some("d"), &["m2"]),
    ];
    assert_eq!(refs(&pool), "THREAD ((1)(3)(2)(4))");
}

/// Only threads that share a non-empty subject are asked about; empty subjects never merge.
#[test]
fn reply_candidates_and_empty_subjects() {
    let msgs = [
        m(1, 1, "", Some("a"), &[]),
        m(2, 2, "", Some("b"), &[]),
        m(3, 3, "T", Some("c"), &[]),
        m(4, 4, "T", Some("d"), &["c"]),
        m(5, 5, "W", Some("e"), &[]),
        m(6, 6, "W", Some("f"), &[]),
    ];
    let t = References::build(&msgs);
    assert_eq!(t.reply_candidates(), [4, 5]);
    assert_eq!(wire(t.finish(|_| false)), "THREAD (1)(2)(3 4)((5)(6))");
}

/// A reply chain of 200 000 messages, in either mailbox order, is threaded, written and
/// dropped without recursion and in about linear time.
#[test]
fn long_chains() {
    let n = 200_000u32;
    let ids: Vec<String> = (0..n).map(|i| format!("m{i}@x")).collect();
    let forward: Vec<ThreadMsg> = (0..n)
        .map(|i| ThreadMsg {
            id: i + 1,
            seq: i + 1,
            date: i as i64,
            subject: "long".into(),
            message_id: Some(ids[i as usize].clone()),
            references: if i == 0 {
                vec![]
            } else {
                vec![ids[i as usize - 1].clone()]
            },
        })
        .collect();
    let out = refs(&forward);
    assert!(out.starts_with("THREAD (1 2 3 4 "), "{}", &out[..40]);
    assert!(out.ends_with(" 199999 200000)"));
    let mut backward = forward.clone();
    backward.reverse();
    for (i, msg) in backward.iter_mut().enumerate() {
        msg.seq = i as u32 + 1;
        msg.id = msg.seq;
    }
    let out = refs(&backward);
    assert!(out.starts_with("THREAD (200000 199999 "), "{}", &out[..40]);
}

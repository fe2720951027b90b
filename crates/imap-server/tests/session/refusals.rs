//! What a refused write costs: an APPEND that cannot fit the quota is refused when its literal
//! is announced, before a byte of it is read or stored (issue 18: ten refused 4 MB APPENDs had
//! grown the blob folder by 40 MB).

use crate::client::Fixture;
use store::QuotaLimits;

/// Files under the blob folder (bodies and staging files).
fn blob_files(f: &Fixture) -> usize {
    fn walk(dir: &std::path::Path) -> usize {
        std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| {
                if e.path().is_dir() {
                    walk(&e.path())
                } else {
                    1
                }
            })
            .sum()
    }
    walk(&f.dir.path().join("blobs"))
}

#[tokio::test]
async fn append_over_quota_is_refused_before_its_literal() {
    let f = Fixture::new().await;
    let limits = QuotaLimits {
        storage: Some(10_000),
        messages: Some(3),
    };
    f.store()
        .set_quota("alice@example.org", limits)
        .await
        .unwrap();
    let mut a = f.login().await;
    let small = "Subject: fits\r\n\r\nsmall\r\n";
    a.raw(format!("s APPEND INBOX {{{}}}\r\n", small.len()).as_bytes())
        .await;
    assert!(a.line().await.starts_with("+ "));
    a.raw(format!("{small}\r\n").as_bytes()).await;
    assert!(a.until("s").await.last().unwrap().starts_with("s OK"));
    let stored = blob_files(&f);
    assert_eq!(stored, 1);

    // Synchronizing: NO [OVERQUOTA] instead of "+"; the client sends nothing more.
    a.raw(b"big APPEND INBOX {4000000}\r\n").await;
    let line = a.line().await;
    assert!(line.starts_with("big NO [OVERQUOTA]"), "{line}");

    // Non-synchronizing (LITERAL+): refused at once, its 4 MB skipped unread; the next
    // command is answered normally.
    let body = format!("Subject: big\r\n\r\n{}\r\n", "x".repeat(4_000_000));
    a.raw(format!("plus APPEND INBOX {{{}+}}\r\n", body.len()).as_bytes())
        .await;
    let line = a.line().await;
    assert!(line.starts_with("plus NO [OVERQUOTA]"), "{line}");
    a.raw(format!("{body}\r\n").as_bytes()).await;
    a.ok("NOOP").await;

    // MULTIAPPEND whose second message would pass the storage limit, and one whose third
    // would pass the message limit: the whole command is refused, nothing of it kept.
    let half = format!("Subject: half\r\n\r\n{}\r\n", "y".repeat(6_000));
    a.raw(
        format!(
            "m APPEND INBOX {{{n}+}}\r\n{half} {{{n}+}}\r\n{half}\r\n",
            n = half.len()
        )
        .as_bytes(),
    )
    .await;
    let r = a.until("m").await;
    assert!(r.last().unwrap().starts_with("m NO [OVERQUOTA]"), "{r:?}");
    a.raw(
        format!(
            "n APPEND INBOX {{{n}+}}\r\n{small} {{{n}+}}\r\n{small} {{{n}+}}\r\n{small}\r\n",
            n = small.len()
        )
        .as_bytes(),
    )
    .await;
    let r = a.until("n").await;
    assert!(r.last().unwrap().starts_with("n NO [OVERQUOTA]"), "{r:?}");
    a.ok("NOOP").await;
    assert_eq!(blob_files(&f), stored, "a refused APPEND stored a body");
    let status = a.ok("STATUS INBOX (MESSAGES)").await;
    assert!(status[0].contains("(MESSAGES 1)"), "{status:?}");
}

/// Failed logins count against one canonical name whatever variant the client types (issue
/// 18: ` alice@example.org ` in other case was counted apart, giving a guesser the limit
/// twice over), and a correct login with a variant logs in the one account.
#[tokio::test]
async fn name_variants_share_one_failure_count() {
    let f = Fixture::with(|c| {
        c.auth_failures_per_user = 4;
        c.auth_failures_per_ip = 0;
    })
    .await;
    let (mut c, _) = f.connect(true).await;
    c.ok("LOGIN \" ALICE@Example.ORG \" secret").await;
    c.ok("LOGOUT").await;
    let variants = [
        "alice@example.org",
        " alice@example.org ",
        "ALICE@EXAMPLE.ORG",
        "Alice@Example.Org",
    ];
    for v in variants {
        let (mut c, _) = f.connect(true).await;
        let r = c.cmd(&format!("LOGIN \"{v}\" wrong")).await;
        assert!(r[0].contains("NO [AUTHENTICATIONFAILED]"), "{v}: {r:?}");
    }
    // Four failures of one name: the limit is reached, for every variant and the right
    // password too.
    for v in ["alice@example.org", "\talice@EXAMPLE.org"] {
        let (mut c, _) = f.connect(true).await;
        let r = c.cmd(&format!("LOGIN \"{v}\" secret")).await;
        assert!(r[0].contains("NO [LIMIT]"), "{v:?}: {r:?}");
    }
}

/// Long needles (up to the 64 KB a literal may hold outside APPEND) are searched exactly
/// through the index, which queries a spread of their 3-grams rather than all of them: the
/// message holding the needle is found, one holding all but its last word is not, and FUZZY
/// finds both (most grams shared).
#[tokio::test]
async fn long_needles_are_searched_exactly() {
    let (f, indexer) = Fixture::with_index().await;
    let mut c = f.login().await;
    let mut x = 0x2545_f491_u32;
    let words: Vec<String> = (0..6000)
        .map(|_| {
            (0..5)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 17;
                    x ^= x << 5;
                    (b'a' + (x % 26) as u8) as char
                })
                .collect()
        })
        .collect();
    let needle = words.join(" ");
    let almost = words[..words.len() - 1].join(" ");
    for (tag, text) in [("a", &needle), ("b", &almost)] {
        let body = format!("Subject: long\r\n\r\n{text}\r\n");
        c.raw(format!("{tag} APPEND INBOX {{{}+}}\r\n{body}\r\n", body.len()).as_bytes())
            .await;
        assert!(c.until(tag).await.last().unwrap().contains(" OK "));
    }
    indexer.catch_up_all().await.unwrap();
    c.ok("SELECT INBOX").await;
    for (key, want) in [("BODY", "* SEARCH 1"), ("FUZZY BODY", "* SEARCH 1 2")] {
        c.raw(format!("s SEARCH {key} {{{}+}}\r\n{needle}\r\n", needle.len()).as_bytes())
            .await;
        let r = c.until("s").await;
        assert_eq!(r[0], want, "{key}: {:?}", r.last());
    }
}

/// LIST patterns are bounded: more than 100 in one command is `NO [LIMIT]`; a 60,000-star
/// pattern lists what `*` lists; a pattern longer than any name matches nothing.
#[tokio::test]
async fn list_patterns_are_bounded() {
    let f = Fixture::new().await;
    let mut c = f.login().await;
    let many: Vec<String> = (0..101).map(|i| format!("p{i}")).collect();
    let r = c.cmd(&format!("LIST \"\" ({})", many.join(" "))).await;
    assert!(r[0].contains(" NO [LIMIT] "), "{r:?}");
    let all = c.ok("LIST \"\" *").await;
    let stars = "*".repeat(60_000);
    c.raw(format!("s LIST \"\" {{{}+}}\r\n{stars}\r\n", stars.len()).as_bytes())
        .await;
    let r = c.until("s").await;
    assert_eq!(r.len(), all.len(), "{r:?}");
    let long = "INBOX".repeat(300);
    c.raw(format!("l LIST \"\" {{{}+}}\r\n{long}*\r\n", long.len() + 1).as_bytes())
        .await;
    let r = c.until("l").await;
    assert_eq!(r.len(), 1, "{r:?}");
}

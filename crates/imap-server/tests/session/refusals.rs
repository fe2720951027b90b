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

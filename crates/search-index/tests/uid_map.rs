//! The UID → body cache on a real SQLite store: loads incrementally, learns new UIDs only when
//! asked for them, forgets a map when UIDVALIDITY changes, stays within its entry bound.

use search_index::{MailboxAt, UidMaps, blob64};
use store::prelude::*;
use store::{BlobRef, Flags, NewMessage, SqliteStore};

fn msg(n: u32) -> NewMessage {
    let mut sha256 = [0u8; 32];
    sha256[..4].copy_from_slice(&n.to_be_bytes());
    sha256[31] = 7;
    NewMessage {
        blob: BlobRef { sha256 },
        size: 10,
        internal_date: 1_700_000_000,
        internal_zone: 0,
        flags: Flags::default(),
        facts: Vec::new(),
        put_started_ms: store::now_ms(),
    }
}

#[tokio::test]
async fn maps_load_incrementally_and_stay_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let s = SqliteStore::open(&dir.path().join("meta.db"))
        .await
        .unwrap();
    let a = s.create_account("u@example.org", "x").await.unwrap();
    let inbox = s.mailbox(a, "INBOX").await.unwrap();
    let work = s.create_mailbox(a, "Work", None).await.unwrap();
    s.append(a, inbox.id, (1..=100).map(msg).collect())
        .await
        .unwrap();
    s.append(a, work.id, (1001..=1030).map(msg).collect())
        .await
        .unwrap();

    let maps = UidMaps::new(120);
    let m = maps
        .get(
            &s,
            MailboxAt {
                account: a,
                mailbox: inbox.id,
                uid_validity: inbox.uid_validity,
            },
            100,
        )
        .await
        .unwrap();
    assert_eq!(m.len(), 100);
    assert_eq!(m.blob64(37), Some(blob64(&msg(37).blob)));
    assert_eq!(m.blob64(101), None);
    assert_eq!(maps.entries(), 100);

    // New messages are not looked for until a caller has seen them.
    s.append(a, inbox.id, (101..=105).map(msg).collect())
        .await
        .unwrap();
    let same = maps
        .get(
            &s,
            MailboxAt {
                account: a,
                mailbox: inbox.id,
                uid_validity: inbox.uid_validity,
            },
            100,
        )
        .await
        .unwrap();
    assert_eq!(same.len(), 100);
    let grown = maps
        .get(
            &s,
            MailboxAt {
                account: a,
                mailbox: inbox.id,
                uid_validity: inbox.uid_validity,
            },
            105,
        )
        .await
        .unwrap();
    assert_eq!(grown.len(), 105);
    assert_eq!(grown.blob64(105), Some(blob64(&msg(105).blob)));
    // The old map is unchanged for whoever holds it.
    assert_eq!(same.blob64(105), None);

    // Work's 30 entries push the total past 120: INBOX, least recently used, goes.
    let w = maps
        .get(
            &s,
            MailboxAt {
                account: a,
                mailbox: work.id,
                uid_validity: work.uid_validity,
            },
            30,
        )
        .await
        .unwrap();
    assert_eq!(w.blob64(1), Some(blob64(&msg(1001).blob)));
    assert_eq!(maps.entries(), 30);

    // Another UIDVALIDITY (the mailbox was recreated under this id's name): reloaded, not mixed.
    let other = maps
        .get(
            &s,
            MailboxAt {
                account: a,
                mailbox: work.id,
                uid_validity: work.uid_validity + 1,
            },
            30,
        )
        .await
        .unwrap();
    assert_eq!(other.len(), 30);
    assert_eq!(maps.entries(), 30);

    // Another account's mailbox is refused by the store.
    let b = s.create_account("v@example.org", "x").await.unwrap();
    assert!(
        maps.get(
            &s,
            MailboxAt {
                account: b,
                mailbox: inbox.id,
                uid_validity: inbox.uid_validity
            },
            1
        )
        .await
        .is_err()
    );
}

//! A damaged shard does not keep the index from opening (issue 18): it is set aside and
//! started afresh without watermarks (so the indexer builds it again and searches read the
//! bodies meanwhile), and the other shards keep what they hold.

use search_index::SearchIndex;
use store::{AccountId, BlobRef, MailboxId};

#[test]
fn a_damaged_shard_is_set_aside_and_started_afresh() {
    let dir = tempfile::tempdir().unwrap();
    let (a0, a1) = (AccountId(2), AccountId(3)); // shards 0 and 1 of 2
    let text = mail_model::search_text(b"Subject: kept\r\n\r\nsome words\r\n");
    {
        let index = SearchIndex::open(dir.path(), 2).unwrap();
        for (a, n) in [(a0, 1u8), (a1, 2)] {
            index.add(a, &BlobRef { sha256: [n; 32] }, &text).unwrap();
        }
        index
            .commit(&[(a0, MailboxId(10), 5), (a1, MailboxId(11), 7)])
            .unwrap();
    }
    // Shard 0's metadata torn.
    std::fs::write(dir.path().join("shard-0/meta.json"), b"{ not json").unwrap();
    for _ in 0..2 {
        let index = SearchIndex::open(dir.path(), 2).expect("opens despite the damage");
        assert_eq!(
            index.watermark(a0, MailboxId(10)),
            1,
            "shard 0 starts afresh"
        );
        assert_eq!(
            index.watermark(a1, MailboxId(11)),
            7,
            "shard 1 keeps its watermark"
        );
        assert!(index.contains(a1, &BlobRef { sha256: [2; 32] }).unwrap());
    }
    let aside: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("shard-0.damaged-"))
        .collect();
    assert_eq!(
        aside.len(),
        1,
        "the damaged shard is kept aside once: {aside:?}"
    );
}

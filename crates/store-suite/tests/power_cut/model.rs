//! What the child acknowledged, and the check of a store against it.

use blob_store::{BlobId, BlobStore, BlobStoreConfig};
use std::collections::BTreeMap;
use store::prelude::*;
use store::{Flags, SqliteStore};

/// The acknowledged state of one message.
#[derive(Debug, Default, Clone, Copy)]
struct Acked {
    /// The flags last acknowledged (STOREs only add).
    flags: u8,
    /// Its EXPUNGE was acknowledged.
    expunged: bool,
}

/// Every acknowledged change, by UID.
#[derive(Debug, Default)]
pub struct Model {
    messages: BTreeMap<u32, Acked>,
    acks: usize,
}

impl Model {
    /// Records one line of the child's; `false` if it is not an acknowledgement.
    pub fn ack(&mut self, line: &str) -> bool {
        let mut parts = line.split(' ');
        let (kind, uid) = (parts.next(), parts.next().and_then(|u| u.parse().ok()));
        let Some(uid) = uid else { return false };
        match kind {
            Some("A") => {
                self.messages.insert(uid, Acked::default());
            }
            Some("F") => {
                let Some(bits) = parts.next().and_then(|b| b.parse().ok()) else {
                    return false;
                };
                self.messages.entry(uid).or_default().flags = bits;
            }
            Some("X") => self.messages.entry(uid).or_default().expunged = true,
            _ => return false,
        }
        self.acks += 1;
        true
    }

    /// Acknowledgements so far.
    pub fn acks(&self) -> usize {
        self.acks
    }

    /// Opens the store in `data` again and lists what disagrees with the acknowledgements.
    pub async fn check(&self, data: &std::path::Path) -> Vec<String> {
        let mut wrong = Vec::new();
        let store = match SqliteStore::open(&data.join("meta.db")).await {
            Ok(s) => s,
            Err(e) => return vec![format!("lost the database: {e}")],
        };
        let mut config = BlobStoreConfig::local(data.join("blobs"));
        config.verify_reads = true;
        let blobs = BlobStore::new(config).expect("blobs");
        let Some(creds) = store.credentials("cut@example.org").await.expect("read") else {
            return vec!["lost the account".into()];
        };
        let inbox = store.mailbox(creds.account, "INBOX").await.expect("inbox");
        let snap = store
            .snapshot(creds.account, inbox.id)
            .await
            .expect("snapshot");
        let present: BTreeMap<u32, u8> = snap
            .messages
            .iter()
            .map(|m| (m.uid, m.flags.system))
            .collect();
        for (uid, acked) in &self.messages {
            match (present.get(uid), acked.expunged) {
                (Some(_), true) => {
                    wrong.push(format!("UID {uid}: its acknowledged EXPUNGE was lost"))
                }
                (None, false) if acked.flags & Flags::DELETED == 0 => {
                    wrong.push(format!("UID {uid}: its acknowledged APPEND was lost"))
                }
                (Some(&flags), false) if flags & acked.flags != acked.flags => wrong.push(format!(
                    "UID {uid}: flags {flags:#b}, but {:#b} were acknowledged: a STORE was lost",
                    acked.flags
                )),
                _ => {}
            }
        }
        let highest = self.messages.keys().next_back().copied().unwrap_or(0);
        if snap.mailbox.uid_next <= highest {
            wrong.push(format!(
                "UIDNEXT {} is not past UID {highest}, which was acknowledged: UIDs would be \
                 reused (the acknowledged APPEND was lost)",
                snap.mailbox.uid_next
            ));
        }
        let uids: Vec<u32> = present.keys().copied().collect();
        let records = store
            .fetch(creds.account, inbox.id, &uids)
            .await
            .expect("fetch");
        let mut storage = 0;
        for r in &records {
            storage += r.size;
            let id = BlobId {
                sha256: r.blob.sha256,
                size: r.size,
            };
            match blobs.get(id).await {
                Ok(body) if body.len() as u64 == r.size => {}
                other => wrong.push(format!(
                    "UID {}: its body is missing or damaged: {other:?}",
                    r.state.uid
                )),
            }
        }
        let quota = store.quota(creds.account).await.expect("quota");
        if (quota.messages, quota.storage) != (records.len() as u64, storage) {
            wrong.push(format!(
                "quota usage {quota:?} disagrees with the rows ({} messages, {storage} octets)",
                records.len()
            ));
        }
        // A new APPEND after the restart gets a UID never given out before.
        let next = store
            .append(creds.account, inbox.id, vec![new_message(&blobs).await])
            .await
            .expect("append after the restart");
        if next.uids[0] <= highest {
            wrong.push(format!(
                "a new APPEND got UID {}, not past the acknowledged UID {highest}: reused",
                next.uids[0]
            ));
        }
        wrong
    }
}

/// A message whose body is in the blob store, for the APPEND after the restart.
async fn new_message(blobs: &BlobStore) -> store::NewMessage {
    let m = super::child::message(999_999_999);
    let started = store::now_ms();
    let id = blobs.put(m.data.clone()).await.expect("put");
    store::NewMessage {
        blob: store::BlobRef { sha256: id.sha256 },
        size: m.data.len() as u64,
        internal_date: m.internal_date,
        internal_zone: 0,
        flags: Flags::default(),
        facts: m.facts,
        put_started_ms: started,
    }
}

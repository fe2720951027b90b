//! Per mailbox, the body ([`blob64`]) of every UID: how a text search goes from the index's
//! candidate bodies to the few messages it has to look at, without reading every message row.
//!
//! A UID's body never changes and UIDs only grow, so a map loaded up to some UID stays true
//! for ever (until UIDVALIDITY changes): a refresh asks the store only for UIDs above it
//! ([`MailStore::uid_blobs`]). Expunged UIDs may linger in a map; the caller intersects with
//! its view, so they are never reported. Maps are evicted least-recently-used past a bound on
//! the total number of entries (12 bytes each).

use crate::index::blob64;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use store::{AccountId, MailStore, MailboxId, StoreError};

/// Entries kept over all mailboxes by default: 4 million, about 48 MB.
pub const DEFAULT_MAX_ENTRIES: usize = 4_000_000;

/// Which mailbox, in which UIDVALIDITY.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MailboxAt {
    /// Its account (the store refuses another's mailbox).
    pub account: AccountId,
    /// The mailbox.
    pub mailbox: MailboxId,
    /// Its UIDVALIDITY as the caller knows it.
    pub uid_validity: u32,
}

/// One mailbox's UID → body map, ascending UID.
#[derive(Debug, Clone, Default)]
pub struct UidMap {
    uid_validity: u32,
    /// Every UID up to this one that existed when it was loaded is in the map.
    loaded_through: u32,
    uids: Vec<u32>,
    blobs: Vec<u64>,
}

impl UidMap {
    /// The [`blob64`] of `uid`'s body; `None` if the UID was not there when loaded (expunged).
    pub fn blob64(&self, uid: u32) -> Option<u64> {
        self.uids.binary_search(&uid).ok().map(|i| self.blobs[i])
    }

    /// Number of UIDs held.
    pub fn len(&self) -> usize {
        self.uids.len()
    }

    /// True if no UID is held.
    pub fn is_empty(&self) -> bool {
        self.uids.is_empty()
    }
}

#[derive(Debug, Default)]
struct Maps {
    by_mailbox: HashMap<i64, (Arc<UidMap>, u64)>,
    entries: usize,
    tick: u64,
}

/// The cache of [`UidMap`]s of a server.
#[derive(Debug)]
pub struct UidMaps {
    maps: Mutex<Maps>,
    max_entries: usize,
}

impl Default for UidMaps {
    fn default() -> Self {
        UidMaps::new(DEFAULT_MAX_ENTRIES)
    }
}

impl UidMaps {
    /// An empty cache holding at most `max_entries` UIDs over all mailboxes (one map larger
    /// than that is still returned, just not kept).
    pub fn new(max_entries: usize) -> UidMaps {
        UidMaps {
            maps: Mutex::new(Maps::default()),
            max_entries,
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Maps> {
        self.maps.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The map of `mailbox`, holding at least every UID up to `up_to` (a UID the caller has
    /// seen committed, e.g. the largest of its view), loading what is missing from `store`.
    pub async fn get(
        &self,
        store: &dyn MailStore,
        at: MailboxAt,
        up_to: u32,
    ) -> Result<Arc<UidMap>, StoreError> {
        let MailboxAt {
            account,
            mailbox,
            uid_validity,
        } = at;
        let cached = {
            let mut m = self.lock();
            m.tick += 1;
            let tick = m.tick;
            m.by_mailbox.get_mut(&mailbox.0).map(|(map, used)| {
                *used = tick;
                map.clone()
            })
        }
        .filter(|m| m.uid_validity == uid_validity);
        if let Some(m) = &cached
            && m.loaded_through >= up_to
        {
            return Ok(m.clone());
        }
        let after = cached.as_ref().map_or(0, |m| m.loaded_through);
        let rows = store.uid_blobs(account, mailbox, after).await?;
        let mut map = cached.map(|m| (*m).clone()).unwrap_or(UidMap {
            uid_validity,
            ..UidMap::default()
        });
        for (uid, blob) in &rows {
            map.uids.push(*uid);
            map.blobs.push(blob64(blob));
        }
        // The store answered after `up_to` was committed, and UIDs commit in ascending order
        // (ARCHITECTURE.md invariant 1), so nothing at or below it can still appear.
        map.loaded_through = map
            .loaded_through
            .max(up_to)
            .max(rows.last().map_or(0, |r| r.0));
        let map = Arc::new(map);
        self.keep(mailbox, map.clone());
        Ok(map)
    }

    fn keep(&self, mailbox: MailboxId, map: Arc<UidMap>) {
        let mut m = self.lock();
        if map.len() > self.max_entries {
            return;
        }
        m.tick += 1;
        let tick = m.tick;
        let newer = match m.by_mailbox.get(&mailbox.0) {
            Some((old, _)) => {
                old.uid_validity != map.uid_validity || old.loaded_through < map.loaded_through
            }
            None => true,
        };
        if !newer {
            return;
        }
        if let Some((old, _)) = m.by_mailbox.insert(mailbox.0, (map.clone(), tick)) {
            m.entries -= old.len();
        }
        m.entries += map.len();
        while m.entries > self.max_entries {
            let Some((&victim, _)) = m
                .by_mailbox
                .iter()
                .filter(|(k, _)| **k != mailbox.0)
                .min_by_key(|(_, (_, used))| *used)
            else {
                break;
            };
            if let Some((old, _)) = m.by_mailbox.remove(&victim) {
                m.entries -= old.len();
            }
        }
    }

    /// UIDs held over all mailboxes.
    pub fn entries(&self) -> usize {
        self.lock().entries
    }
}

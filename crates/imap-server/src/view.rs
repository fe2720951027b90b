//! A session's own view of its selected mailbox: the sans-IO core of invariant 4.
//!
//! Each session numbers messages 1..n itself. Other sessions' changes reach the view only when
//! the session asks ([`MailboxView::sync`]) at a command boundary or during IDLE, and come out
//! as the untagged responses that move the client from the old numbering to the new one:
//!
//! ```text
//!   store::Changes ──▶ MailboxView::sync(mode) ──▶ [Expunge(seq) | Vanished(uids)]*,
//!                                                   Exists(n), Recent(n),
//!                                                   FlagsChanged{seq, uid, flags, modseq}*
//! ```
//!
//! Expunges are withheld (the message keeps its number) while the current command is a FETCH,
//! STORE or SEARCH by sequence number, as RFC 9051 §7.4.1 requires, and reported at the next
//! boundary that allows them. The view never renumbers in the middle of a command.

use imap_proto::types::{SeqNum, SequenceSet};
use store::{Changes, Flags, MessageState, Snapshot};

/// One message as this session sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    uid: u32,
    flags: Flags,
    modseq: u64,
    /// Expunged by someone, not yet reported to this client.
    gone: bool,
}

/// What a sync tells the client, in the order it must be sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ViewUpdate {
    /// `* n EXPUNGE`, already adjusted for the ones sent before it.
    Expunge(u32),
    /// `* VANISHED uids` (QRESYNC clients), ascending.
    Vanished(Vec<u32>),
    /// `* n EXISTS`
    Exists(u32),
    /// `* n RECENT` (IMAP4rev1 clients)
    Recent(u32),
    /// `* seq FETCH (FLAGS … UID … MODSEQ …)` for a flag change made elsewhere.
    FlagsChanged {
        /// Sequence number in the new numbering.
        seq: u32,
        /// The message's UID.
        uid: u32,
        /// Its flags now.
        flags: Flags,
        /// Its MODSEQ now.
        modseq: u64,
    },
}

/// When expunges may be reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncMode {
    /// Any command boundary, IDLE, NOOP, or a UID command: expunges are reported.
    Full,
    /// During FETCH, STORE or SEARCH by sequence number: expunges are withheld.
    NoExpunge,
}

/// A sequence set that refers past the end of the mailbox (RFC 9051 §9 `seq-number`: BAD).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("message sequence number {0} does not exist")]
pub struct NoSuchMessage(pub u32);

/// The selected mailbox as one session sees it.
#[derive(Debug, Clone)]
pub struct MailboxView {
    entries: Vec<Entry>,
    uid_validity: u32,
    uid_next: u32,
    highest_modseq: u64,
    /// The UIDs this session claimed as `\Recent` (IMAP4rev1): at SELECT, and as new mail
    /// arrives ([`MailboxView::claimed`]). Ascending, disjoint.
    recent: Vec<std::ops::Range<u32>>,
    /// Keywords the session's last `FLAGS` response listed ([`MailboxView::unannounced`]).
    announced: Vec<String>,
    /// The count last reported with EXISTS.
    reported_exists: u32,
    /// QRESYNC is enabled: report VANISHED instead of EXPUNGE.
    qresync: bool,
    /// New mail was reported under CONDSTORE and its HIGHESTMODSEQ not yet sent.
    modseq_owed: bool,
    /// The mailbox has as many keywords as it may define: PERMANENTFLAGS without `\*`.
    keywords_full: bool,
}

impl MailboxView {
    /// The view right after SELECT/EXAMINE. `recent` are the UIDs `\Recent` for this session
    /// (claimed at SELECT; empty after EXAMINE). The keywords of the snapshot's messages are
    /// taken as announced (SELECT's `FLAGS` lists them).
    pub fn new(snapshot: Snapshot, recent: std::ops::Range<u32>, qresync: bool) -> MailboxView {
        let mut announced: Vec<String> = Vec::new();
        for m in &snapshot.messages {
            for k in &m.flags.keywords {
                if !announced.iter().any(|x| x.eq_ignore_ascii_case(k)) {
                    announced.push(k.clone());
                }
            }
        }
        let entries: Vec<Entry> = snapshot
            .messages
            .into_iter()
            .map(|m| Entry {
                uid: m.uid,
                flags: m.flags,
                modseq: m.modseq,
                gone: false,
            })
            .collect();
        let keywords_full = announced.len() >= store::rules::flags::MAX_MAILBOX_KEYWORDS;
        MailboxView {
            reported_exists: entries.len() as u32,
            entries,
            uid_validity: snapshot.mailbox.uid_validity,
            uid_next: snapshot.mailbox.uid_next,
            highest_modseq: snapshot.mailbox.highest_modseq,
            recent: if recent.is_empty() {
                Vec::new()
            } else {
                vec![recent]
            },
            announced,
            keywords_full,
            qresync,
            modseq_owed: false,
        }
    }

    /// Whether the mailbox has as many keywords as it may define (seen at SELECT, or told by a
    /// refused write): its PERMANENTFLAGS lack `\*`.
    pub fn keywords_full(&self) -> bool {
        self.keywords_full
    }

    /// A write was refused because the mailbox has as many keywords as it may define.
    pub fn set_keywords_full(&mut self) {
        self.keywords_full = true;
    }

    /// Keywords SELECT's `FLAGS` listed (and any announced since).
    pub fn announced(&self) -> &[String] {
        &self.announced
    }

    /// Keywords of `flags` the session was not told about in a `FLAGS` response: announce them
    /// (the returned list is every keyword now known, for the new `FLAGS`) before a FETCH
    /// carries them (RFC 9051 §7.3.5). `None` when every keyword was announced.
    pub fn unannounced(&mut self, flags: &Flags) -> Option<&[String]> {
        let mut grew = false;
        for k in &flags.keywords {
            if !self.announced.iter().any(|x| x.eq_ignore_ascii_case(k)) {
                self.announced.push(k.clone());
                grew = true;
            }
        }
        grew.then_some(self.announced.as_slice())
    }

    /// Records UIDs this session claimed as `\Recent` while the mailbox was selected.
    pub fn claimed(&mut self, uids: std::ops::Range<u32>) {
        if !uids.is_empty() {
            self.recent.push(uids);
        }
    }

    /// The largest UID in the view (0 when empty): changes with larger UIDs are new mail.
    pub fn last_uid(&self) -> u32 {
        self.entries.last().map_or(0, |e| e.uid)
    }

    /// Number of messages in this session's numbering (EXISTS).
    pub fn exists(&self) -> u32 {
        self.entries.len() as u32
    }

    /// Messages that are `\Recent` for this session.
    pub fn recent(&self) -> u32 {
        self.entries
            .iter()
            .filter(|e| self.is_recent(e.uid))
            .count() as u32
    }

    /// True if the message with this UID is `\Recent` for this session.
    pub fn is_recent(&self, uid: u32) -> bool {
        self.recent.iter().any(|r| r.contains(&uid))
    }

    /// From now on no message is `\Recent` for this session (IMAP4rev2 has no `\Recent`).
    pub fn forget_recent(&mut self) {
        self.recent.clear();
    }

    /// UIDVALIDITY.
    pub fn uid_validity(&self) -> u32 {
        self.uid_validity
    }

    /// UIDNEXT as of the last sync.
    pub fn uid_next(&self) -> u32 {
        self.uid_next
    }

    /// HIGHESTMODSEQ as of the last sync: what to ask the store for changes after.
    pub fn highest_modseq(&self) -> u64 {
        self.highest_modseq
    }

    /// Turns QRESYNC reporting (VANISHED) on, after `ENABLE QRESYNC`.
    pub fn set_qresync(&mut self, on: bool) {
        self.qresync = on;
    }

    /// The UID of message `seq` (1-based).
    pub fn uid(&self, seq: u32) -> Option<u32> {
        self.entries
            .get(seq.checked_sub(1)? as usize)
            .map(|e| e.uid)
    }

    /// The sequence number of `uid`, if the message is in the view.
    pub fn seq(&self, uid: u32) -> Option<u32> {
        self.entries
            .binary_search_by_key(&uid, |e| e.uid)
            .ok()
            .map(|i| i as u32 + 1)
    }

    /// Flags and MODSEQ of message `seq`.
    pub fn state(&self, seq: u32) -> Option<MessageState> {
        let e = self.entries.get(seq.checked_sub(1)? as usize)?;
        Some(MessageState {
            uid: e.uid,
            flags: e.flags.clone(),
            modseq: e.modseq,
        })
    }

    /// True if the message was expunged elsewhere and the client has not been told yet
    /// (the session still sees it: FETCH answers with its data from the store's kept row, and
    /// SEARCH matches it as the session knew it).
    pub fn is_gone(&self, seq: u32) -> bool {
        self.entries
            .get(seq.wrapping_sub(1) as usize)
            .is_some_and(|e| e.gone)
    }

    /// True while an expunge learnt by a sync has not been reported to the client (the
    /// command in progress does not allow EXPUNGE responses).
    pub fn expunges_pending(&self) -> bool {
        self.entries.iter().any(|e| e.gone)
    }

    /// Records that the client was told of new mail whose MODSEQs it has not learnt yet.
    pub fn owe_modseq(&mut self) {
        self.modseq_owed = true;
    }

    /// Whether the client is owed a HIGHESTMODSEQ ([`owe_modseq`](Self::owe_modseq)); the
    /// debt is settled by asking.
    pub fn take_modseq_owed(&mut self) -> bool {
        std::mem::take(&mut self.modseq_owed)
    }

    /// Resolves a sequence set to `(seq, uid)` pairs, ascending, without duplicates. `*` is the
    /// last message; a number past the end is an error (RFC 9051: BAD). `$` must have been
    /// substituted by the caller.
    pub fn by_seq(&self, set: &SequenceSet) -> Result<Vec<(u32, u32)>, NoSuchMessage> {
        let n = self.exists();
        let SequenceSet::Ranges(ranges) = set else {
            return Ok(Vec::new());
        };
        let mut spans = Vec::with_capacity(ranges.len());
        for r in ranges {
            for end in [r.start, r.end] {
                match end {
                    SeqNum::Value(v) if v > n => return Err(NoSuchMessage(v)),
                    SeqNum::Star if n == 0 => return Err(NoSuchMessage(0)),
                    _ => {}
                }
            }
            spans.push(r.resolve(n));
        }
        // Merge before expanding: a hostile set of many overlapping ranges costs no more than
        // the mailbox has messages.
        Ok(merge(spans)
            .into_iter()
            .flat_map(|(lo, hi)| lo..=hi)
            .filter_map(|s| Some((s, self.uid(s)?)))
            .collect())
    }

    /// Resolves a UID set to `(seq, uid)` pairs of messages in the view, ascending. UIDs that
    /// do not exist are ignored (RFC 9051 §6.4.9); `*` is the largest UID in the view, so
    /// `n:*` always includes the last message even when `n` is larger (RFC 9051 §9
    /// `seq-range`). In an empty view nothing matches.
    pub fn by_uid(&self, set: &SequenceSet) -> Vec<(u32, u32)> {
        let SequenceSet::Ranges(ranges) = set else {
            return Vec::new();
        };
        let largest = self.entries.last().map(|e| e.uid).unwrap_or(0);
        let spans = merge(ranges.iter().map(|r| r.resolve(largest)).collect());
        // Both sides are sorted: one walk.
        let mut out = Vec::new();
        let mut spans = spans.into_iter().peekable();
        for (i, e) in self.entries.iter().enumerate() {
            while spans.peek().is_some_and(|&(_, hi)| hi < e.uid) {
                spans.next();
            }
            match spans.peek() {
                Some(&(lo, _)) if lo <= e.uid => out.push((i as u32 + 1, e.uid)),
                Some(_) => {}
                None => break,
            }
        }
        out
    }

    /// Records the outcome of this session's own STORE, so the next sync does not report it
    /// back as someone else's change (the command's own FETCH responses do that).
    pub fn note_own_flags(&mut self, states: &[MessageState]) {
        for s in states {
            if let Ok(i) = self.entries.binary_search_by_key(&s.uid, |e| e.uid) {
                self.entries[i].flags = s.flags.clone();
                self.entries[i].modseq = s.modseq;
            }
        }
    }

    /// Applies what changed in the store and returns the responses for the client, in order.
    pub fn sync(&mut self, changes: &Changes, mode: SyncMode) -> Vec<ViewUpdate> {
        let mut out = Vec::new();
        // 1. Expunges: mark, and report now if allowed.
        for uid in &changes.expunged {
            if let Ok(i) = self.entries.binary_search_by_key(uid, |e| e.uid) {
                self.entries[i].gone = true;
            }
        }
        if mode == SyncMode::Full {
            out.extend(self.flush_expunges());
        }
        // 2. New messages (UIDs above everything in the view), then EXISTS/RECENT.
        let last = self.entries.last().map(|e| e.uid).unwrap_or(0);
        let mut grew = false;
        let mut changed: Vec<&MessageState> = Vec::new();
        for m in &changes.changed {
            if m.uid > last {
                self.entries.push(Entry {
                    uid: m.uid,
                    flags: m.flags.clone(),
                    modseq: m.modseq,
                    gone: false,
                });
                grew = true;
            } else {
                changed.push(m);
            }
        }
        if grew || self.exists() != self.reported_exists {
            self.reported_exists = self.exists();
            out.push(ViewUpdate::Exists(self.exists()));
            if grew {
                out.push(ViewUpdate::Recent(self.recent()));
            }
        }
        // 3. Flag changes of messages this session already knows.
        for m in changed {
            if let Ok(i) = self.entries.binary_search_by_key(&m.uid, |e| e.uid) {
                let e = &mut self.entries[i];
                if e.flags != m.flags || e.modseq != m.modseq {
                    e.flags = m.flags.clone();
                    e.modseq = m.modseq;
                    out.push(ViewUpdate::FlagsChanged {
                        seq: i as u32 + 1,
                        uid: e.uid,
                        flags: e.flags.clone(),
                        modseq: e.modseq,
                    });
                }
            }
        }
        self.uid_next = self.uid_next.max(changes.uid_next);
        self.highest_modseq = self.highest_modseq.max(changes.highest_modseq);
        out
    }

    /// Removes messages marked gone and reports them: one VANISHED with QRESYNC, else
    /// `EXPUNGE n` from the highest number down, so that every number is valid when sent.
    fn flush_expunges(&mut self) -> Vec<ViewUpdate> {
        if !self.entries.iter().any(|e| e.gone) {
            return Vec::new();
        }
        let mut out = Vec::new();
        let mut vanished = Vec::new();
        for i in (0..self.entries.len()).rev() {
            if self.entries[i].gone {
                vanished.push(self.entries[i].uid);
                if !self.qresync {
                    out.push(ViewUpdate::Expunge(i as u32 + 1));
                }
            }
        }
        self.entries.retain(|e| !e.gone);
        self.reported_exists = self.exists();
        if self.qresync {
            vanished.reverse();
            out.push(ViewUpdate::Vanished(vanished));
        }
        out
    }
}

/// Sorts and merges inclusive ranges so that none overlap or touch.
fn merge(mut spans: Vec<(u32, u32)>) -> Vec<(u32, u32)> {
    spans.sort_unstable();
    let mut out: Vec<(u32, u32)> = Vec::with_capacity(spans.len());
    for (lo, hi) in spans {
        match out.last_mut() {
            Some(last) if lo <= last.1.saturating_add(1) => last.1 = last.1.max(hi),
            _ => out.push((lo, hi)),
        }
    }
    out
}

#[cfg(test)]
#[path = "view_test.rs"]
mod tests;

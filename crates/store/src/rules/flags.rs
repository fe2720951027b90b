//! STORE (RFC 9051 §6.4.6, RFC 7162 §3.1.3): how flags and keywords combine, which messages a
//! STORE changes, and what it reports.

use crate::types::{FlagOp, FlagUpdate, FlagUpdateResult, Flags, MessageState};
use std::collections::HashSet;

impl Flags {
    /// Applies a STORE operation and returns the result. Keywords compare case-insensitively
    /// and keep the case they were first set with (RFC 9051 §2.3.2).
    pub fn apply(&self, op: FlagOp, other: &Flags) -> Flags {
        match op {
            FlagOp::Replace => other.clone(),
            FlagOp::Add => Flags::new(
                self.system | other.system,
                self.keywords.iter().chain(&other.keywords).cloned(),
            ),
            FlagOp::Remove => Flags {
                system: self.system & !other.system,
                keywords: self
                    .keywords
                    .iter()
                    .filter(|k| !other.has_keyword(k))
                    .cloned()
                    .collect(),
            },
        }
    }
}

/// What a STORE does to the messages it found: `current` is the state of the mailbox's
/// messages in the range of `update.uids` (others are ignored), and `modseq` the MODSEQ the
/// STORE takes. A message changes when it is asked for, passes UNCHANGEDSINCE (its MODSEQ is
/// not above the given one; otherwise it is reported as modified) and its flags would differ;
/// every changed message gets `modseq`; the others asked for are returned as they are.
/// Nothing changed: nothing is written.
pub fn store(
    current: impl IntoIterator<Item = MessageState>,
    update: &FlagUpdate,
    modseq: u64,
) -> FlagUpdateResult {
    let wanted: HashSet<u32> = update.uids.iter().copied().collect();
    let mut result = FlagUpdateResult {
        updated: Vec::new(),
        modified: Vec::new(),
        unchanged: Vec::new(),
    };
    for cur in current {
        if !wanted.contains(&cur.uid) {
            continue;
        }
        if update.unchanged_since.is_some_and(|u| cur.modseq > u) {
            result.modified.push(cur.uid);
            continue;
        }
        let flags = cur.flags.apply(update.op, &update.flags);
        if flags != cur.flags {
            result.updated.push(MessageState {
                uid: cur.uid,
                flags,
                modseq,
            });
        } else {
            result.unchanged.push(cur);
        }
    }
    result
}

/// Most keywords one mailbox may define. RFC 9051 §7.3.5 lets a server limit them; each one
/// is listed in every `FLAGS` response and announced to every session with the mailbox
/// selected, so a client that invents keywords without end would make every session's
/// responses grow without end. Cyrus allows 128; real clients use a few dozen ($Junk,
/// $NotJunk, $Forwarded, $MDNSent, $Label1…$Label5, Thunderbird's and Apple Mail's own, users'
/// tags). A write that would define more is refused with `NO [LIMIT]` and changes nothing.
pub const MAX_MAILBOX_KEYWORDS: usize = 256;

/// How a mailbox's keywords are compared and recorded: case-insensitively (RFC 9051 §2.3.2),
/// so one key per keyword whatever case it is set in.
pub fn keyword_key(keyword: &str) -> String {
    keyword.to_ascii_lowercase()
}

/// What a write that carries `wanted` (keys, [`keyword_key`]) does to the keywords a mailbox
/// has defined (`known`): `Ok` with the ones it newly defines (empty: nothing to record), or
/// `Err` when the mailbox would pass [`MAX_MAILBOX_KEYWORDS`].
pub fn define_keywords(
    known: &std::collections::BTreeSet<String>,
    wanted: &std::collections::BTreeSet<String>,
) -> Result<Vec<String>, crate::StoreError> {
    let new: Vec<String> = wanted.difference(known).cloned().collect();
    if !new.is_empty() && known.len() + new.len() > MAX_MAILBOX_KEYWORDS {
        return Err(crate::StoreError::Limit(format!(
            "a mailbox may define at most {MAX_MAILBOX_KEYWORDS} keywords"
        )));
    }
    Ok(new)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(uid: u32, system: u8, kw: &[&str], modseq: u64) -> MessageState {
        MessageState {
            uid,
            flags: Flags::new(system, kw.iter().map(|k| k.to_string())),
            modseq,
        }
    }

    #[test]
    fn keywords_combine_case_insensitively() {
        let a = Flags::new(Flags::SEEN, ["$Label1".to_string()]);
        let b = Flags::new(Flags::FLAGGED, ["$label1".to_string(), "Work".to_string()]);
        let added = a.apply(FlagOp::Add, &b);
        assert_eq!(added.system, Flags::SEEN | Flags::FLAGGED);
        assert_eq!(added.keywords, ["$Label1", "Work"], "first case kept");
        let removed = added.apply(FlagOp::Remove, &Flags::new(0, ["WORK".to_string()]));
        assert_eq!(removed.keywords, ["$Label1"]);
        assert_eq!(a.apply(FlagOp::Replace, &b), b);
    }

    #[test]
    fn only_asked_changed_and_unmodified_messages_change() {
        let update = FlagUpdate {
            uids: vec![1, 2, 3],
            op: FlagOp::Add,
            flags: Flags::new(Flags::SEEN, []),
            unchanged_since: Some(5),
        };
        let r = store(
            [
                state(1, 0, &[], 4),
                state(2, Flags::SEEN, &[], 4),
                state(3, 0, &[], 6),
                state(4, 0, &[], 1),
            ],
            &update,
            7,
        );
        assert_eq!(r.updated, vec![state(1, Flags::SEEN, &[], 7)]);
        assert_eq!(r.modified, vec![3]);
        assert_eq!(r.unchanged, vec![state(2, Flags::SEEN, &[], 4)], "as it is");
    }

    #[test]
    fn a_mailbox_defines_a_bounded_number_of_keywords() {
        use std::collections::BTreeSet;
        let set = |n: std::ops::Range<usize>| -> BTreeSet<String> {
            n.map(|i| keyword_key(&format!("$K{i}"))).collect()
        };
        let known = set(0..MAX_MAILBOX_KEYWORDS - 1);
        // Known ones cost nothing, whatever the case they come in.
        let again: BTreeSet<String> = [keyword_key("$k0"), keyword_key("$K1")].into();
        assert!(define_keywords(&known, &again).unwrap().is_empty());
        // The last free place is taken, one more is refused.
        let one = set(1000..1001);
        assert_eq!(define_keywords(&known, &one).unwrap().len(), 1);
        let two = set(1000..1002);
        assert!(matches!(
            define_keywords(&known, &two),
            Err(crate::StoreError::Limit(_))
        ));
        // A full mailbox still takes writes of the keywords it has.
        let full = set(0..MAX_MAILBOX_KEYWORDS);
        assert!(define_keywords(&full, &set(5..10)).unwrap().is_empty());
        assert!(define_keywords(&full, &one).is_err());
    }
}

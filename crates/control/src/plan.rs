//! The leader's placement decisions, with no I/O: given the applied state and which voters are
//! live, which node should own each search shard and hold each background job.
//!
//! ```text
//!   applied ClusterState ─┐
//!   live voters (sorted) ─┼─▶ plan() ─▶ Some(Command::Assign { shards, jobs })  (differs)
//!   shard count, job names┘            None                                   (already right)
//! ```
//!
//! The rule for shards and for jobs is the same ([`balance`]): every live node ends with either
//! ⌊n/k⌋ or ⌈n/k⌉ items (n items, k live nodes), an item stays where it is whenever that is
//! compatible with balance, and everything else is dealt to the least-loaded live node (lowest id
//! first). The result depends only on the inputs, so every leader computes the same thing.

use std::collections::BTreeMap;

use crate::state::ClusterState;
use crate::types::Command;

/// The assignment command the leader should propose, or `None` when the state already matches.
///
/// `live` is the set of live voters; when it is empty nothing is proposed (there is nowhere to
/// put anything, and a leader always counts itself as live anyway).
pub(crate) fn plan(
    state: &ClusterState,
    live: &[u64],
    shards: u32,
    jobs: &[String],
) -> Option<Command> {
    if live.is_empty() {
        return None;
    }
    let shard_keys: Vec<u32> = (0..shards).collect();
    let new_shards = balance(&shard_keys, &state.shards, live);
    let new_jobs = balance(jobs, &state.jobs, live);
    if new_shards == state.shards && new_jobs == state.jobs {
        None
    } else {
        Some(Command::Assign {
            shards: new_shards,
            jobs: new_jobs,
        })
    }
}

/// Deals `keys` over the `live` nodes, keeping current placements where balance allows.
///
/// Entries of `current` whose key is not in `keys` are dropped (a shard count that shrank).
pub(crate) fn balance<K: Ord + Clone>(
    keys: &[K],
    current: &BTreeMap<K, u64>,
    live: &[u64],
) -> BTreeMap<K, u64> {
    let mut live: Vec<u64> = live.to_vec();
    live.sort_unstable();
    live.dedup();
    let mut out = BTreeMap::new();
    if live.is_empty() {
        return out;
    }
    let base = keys.len() / live.len();
    let mut extra = keys.len() % live.len();
    let mut load: BTreeMap<u64, usize> = live.iter().map(|&n| (n, 0)).collect();

    // Keep: first up to `base` items per live owner, then up to `extra` owners may keep one more.
    let mut kept = vec![false; keys.len()];
    for (i, key) in keys.iter().enumerate() {
        if let Some(owner) = current.get(key)
            && let Some(count) = load.get_mut(owner)
            && *count < base
        {
            *count += 1;
            kept[i] = true;
            out.insert(key.clone(), *owner);
        }
    }
    for (i, key) in keys.iter().enumerate() {
        if kept[i] || extra == 0 {
            continue;
        }
        if let Some(owner) = current.get(key)
            && let Some(count) = load.get_mut(owner)
            && *count == base
        {
            *count += 1;
            extra -= 1;
            kept[i] = true;
            out.insert(key.clone(), *owner);
        }
    }

    // Deal the rest to the least-loaded node, lowest id on ties.
    for (i, key) in keys.iter().enumerate() {
        if kept[i] {
            continue;
        }
        let target = load
            .iter()
            .min_by_key(|&(&node, &count)| (count, node))
            .map(|(&node, _)| node);
        if let Some(node) = target {
            if let Some(count) = load.get_mut(&node) {
                *count += 1;
            }
            out.insert(key.clone(), node);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(map: &BTreeMap<u32, u64>) -> BTreeMap<u64, usize> {
        let mut c = BTreeMap::new();
        for owner in map.values() {
            *c.entry(*owner).or_insert(0) += 1;
        }
        c
    }

    fn assert_balanced(map: &BTreeMap<u32, u64>, n: u32, live: &[u64]) {
        assert_eq!(map.len(), n as usize, "every shard has an owner: {map:?}");
        assert!(
            map.values().all(|o| live.contains(o)),
            "only live owners: {map:?}"
        );
        let c = counts(map);
        let max = c.values().max().copied().unwrap_or(0);
        let min = if c.len() < live.len() {
            0
        } else {
            c.values().min().copied().unwrap_or(0)
        };
        assert!(max - min <= 1, "balanced: {c:?}");
    }

    #[test]
    fn initial_assignment_is_round_robin_and_balanced() {
        let keys: Vec<u32> = (0..8).collect();
        let map = balance(&keys, &BTreeMap::new(), &[3, 1, 2]);
        assert_balanced(&map, 8, &[1, 2, 3]);
        assert_eq!(map.get(&0), Some(&1));
        assert_eq!(map.get(&1), Some(&2));
        assert_eq!(map.get(&2), Some(&3));
        assert_eq!(map.get(&3), Some(&1));
    }

    #[test]
    fn losing_a_node_moves_only_its_shards() {
        let keys: Vec<u32> = (0..8).collect();
        let before = balance(&keys, &BTreeMap::new(), &[1, 2, 3]);
        let after = balance(&keys, &before, &[1, 3]);
        assert_balanced(&after, 8, &[1, 3]);
        for (shard, owner) in &before {
            if *owner != 2 {
                assert_eq!(
                    after.get(shard),
                    Some(owner),
                    "shard {shard} moved needlessly"
                );
            }
        }
    }

    #[test]
    fn returning_node_gets_shards_back_with_few_moves() {
        let keys: Vec<u32> = (0..8).collect();
        let two = balance(&keys, &BTreeMap::new(), &[1, 3]);
        let three = balance(&keys, &two, &[1, 2, 3]);
        assert_balanced(&three, 8, &[1, 2, 3]);
        let moved = keys.iter().filter(|k| two.get(k) != three.get(k)).count();
        // Node 2 needs 2 of the 8 shards; nothing else should move.
        assert_eq!(moved, 2, "{two:?} -> {three:?}");
        // Stable: a second pass changes nothing.
        assert_eq!(balance(&keys, &three, &[1, 2, 3]), three);
    }

    #[test]
    fn plan_is_none_when_nothing_changes() {
        let jobs = vec!["sweep".to_string(), "reindex".to_string()];
        let mut state = ClusterState::default();
        let Some(Command::Assign { shards, jobs: j }) = plan(&state, &[1, 2, 3], 8, &jobs) else {
            panic!("expected an assignment");
        };
        assert_eq!(j.len(), 2);
        state.shards = shards;
        state.jobs = j;
        assert_eq!(plan(&state, &[1, 2, 3], 8, &jobs), None);
        assert!(plan(&state, &[1, 3], 8, &jobs).is_some());
        assert_eq!(plan(&state, &[], 8, &jobs), None);
    }

    #[test]
    fn shrinking_shard_count_drops_old_shards() {
        let keys: Vec<u32> = (0..8).collect();
        let map = balance(&keys, &BTreeMap::new(), &[1, 2]);
        let fewer: Vec<u32> = (0..4).collect();
        let map = balance(&fewer, &map, &[1, 2]);
        assert_balanced(&map, 4, &[1, 2]);
    }
}

//! [`ClusterStatus`] to and from `pb::StatusReply`.

use std::time::Duration;

use crate::pb;
use crate::state::{ClusterStatus, MemberStatus};

impl From<&ClusterStatus> for pb::StatusReply {
    fn from(s: &ClusterStatus) -> Self {
        pb::StatusReply {
            node_id: s.node_id,
            leader_id: s.leader,
            term: s.term,
            last_applied: s.last_applied,
            members: s
                .members
                .iter()
                .map(|m| pb::Member {
                    id: m.id,
                    addr: m.addr.clone(),
                    voter: m.voter,
                    reachable: m.reachable,
                    last_seen_ms: m
                        .last_seen
                        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX)),
                })
                .collect(),
            shards: s.shards.iter().map(|(k, v)| (*k, *v)).collect(),
            jobs: s.jobs.iter().map(|(k, v)| (k.clone(), *v)).collect(),
            settings: s
                .settings
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        }
    }
}

impl From<pb::StatusReply> for ClusterStatus {
    fn from(r: pb::StatusReply) -> Self {
        let mut members: Vec<MemberStatus> = r
            .members
            .into_iter()
            .map(|m| MemberStatus {
                id: m.id,
                addr: m.addr,
                voter: m.voter,
                reachable: m.reachable,
                last_seen: m.last_seen_ms.map(Duration::from_millis),
            })
            .collect();
        members.sort_by_key(|m| m.id);
        ClusterStatus {
            node_id: r.node_id,
            leader: r.leader_id,
            term: r.term,
            last_applied: r.last_applied,
            members,
            shards: r.shards.into_iter().collect(),
            jobs: r.jobs.into_iter().collect(),
            settings: r.settings.into_iter().collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_round_trips() {
        let status = ClusterStatus {
            node_id: 2,
            leader: Some(2),
            term: 7,
            last_applied: Some(41),
            members: vec![
                MemberStatus {
                    id: 1,
                    addr: "a:1".into(),
                    voter: true,
                    reachable: Some(false),
                    last_seen: Some(Duration::from_millis(4200)),
                },
                MemberStatus {
                    id: 2,
                    addr: "b:2".into(),
                    voter: true,
                    reachable: Some(true),
                    last_seen: None,
                },
            ],
            shards: [(0, 1), (1, 2)].into_iter().collect(),
            jobs: [("sweep".to_string(), 2)].into_iter().collect(),
            settings: [("k".to_string(), "v".to_string())].into_iter().collect(),
        };
        let back = ClusterStatus::from(pb::StatusReply::from(&status));
        assert_eq!(back, status);
    }
}

//! Plain-text lines for scripts (`strata admin` prints them): tab-separated, one record per
//! line, keyword first.

use crate::pb;
use crate::types::AccountInfo;

/// `address  storage=LIMIT  messages=LIMIT`, plus `used_storage=N  used_messages=N` with
/// `usage` (limits are `none` when unlimited).
pub fn account_line(a: &AccountInfo, usage: bool) -> String {
    let mut line = format!(
        "{}\tstorage={}\tmessages={}",
        a.address,
        limit(a.limits.storage),
        limit(a.limits.messages)
    );
    if usage {
        line.push_str(&format!(
            "\tused_storage={}\tused_messages={}",
            a.storage_used, a.messages_used
        ));
    }
    line
}

fn limit(l: Option<u64>) -> String {
    l.map_or_else(|| "none".to_string(), |n| n.to_string())
}

/// The cluster status: `member ID ADDR voter|learner reachable|unreachable [leader]` lines,
/// then `leader`, `term`, `last_applied`, and sorted `shard`, `job` and `setting` lines.
pub fn cluster_lines(s: &pb::ClusterStatus) -> Vec<String> {
    let mut lines: Vec<String> = s
        .members
        .iter()
        .map(|m| {
            format!(
                "member\t{}\t{}\t{}\t{}{}",
                m.id,
                m.addr,
                if m.voter { "voter" } else { "learner" },
                if m.reachable {
                    "reachable"
                } else {
                    "unreachable"
                },
                if s.leader_id == Some(m.id) {
                    "\tleader"
                } else {
                    ""
                }
            )
        })
        .collect();
    let leader = s.leader_id.map_or("none".to_string(), |l| l.to_string());
    lines.push(format!("leader\t{leader}"));
    lines.push(format!("term\t{}", s.term));
    lines.push(format!("last_applied\t{}", s.last_applied));
    let mut shards: Vec<_> = s.shards.iter().collect();
    shards.sort();
    lines.extend(
        shards
            .iter()
            .map(|(shard, node)| format!("shard\t{shard}\t{node}")),
    );
    let mut jobs: Vec<_> = s.jobs.iter().collect();
    jobs.sort();
    lines.extend(jobs.iter().map(|(job, node)| format!("job\t{job}\t{node}")));
    let mut settings: Vec<_> = s.settings.iter().collect();
    settings.sort();
    lines.extend(settings.iter().map(|(k, v)| format!("setting\t{k}\t{v}")));
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cluster() {
        let s = pb::ClusterStatus {
            members: vec![
                pb::Member {
                    id: 2,
                    addr: "b:1".into(),
                    reachable: false,
                    voter: false,
                },
                pb::Member {
                    id: 1,
                    addr: "a:1".into(),
                    reachable: true,
                    voter: true,
                },
            ],
            leader_id: Some(1),
            term: 3,
            last_applied: 9,
            shards: [(1, 2), (0, 1)].into(),
            jobs: [("sweep".to_string(), 1)].into(),
            settings: Default::default(),
        };
        assert_eq!(
            cluster_lines(&s),
            [
                "member\t2\tb:1\tlearner\tunreachable",
                "member\t1\ta:1\tvoter\treachable\tleader",
                "leader\t1",
                "term\t3",
                "last_applied\t9",
                "shard\t0\t1",
                "shard\t1\t2",
                "job\tsweep\t1",
            ]
        );
    }

    #[test]
    fn account() {
        let a = AccountInfo {
            address: "a@b.org".into(),
            limits: store::QuotaLimits {
                storage: Some(10),
                messages: None,
            },
            storage_used: 5,
            messages_used: 1,
        };
        assert_eq!(
            account_line(&a, false),
            "a@b.org\tstorage=10\tmessages=none"
        );
        assert_eq!(
            account_line(&a, true),
            "a@b.org\tstorage=10\tmessages=none\tused_storage=5\tused_messages=1"
        );
    }
}

//! Election, assignment, failover of the leader and its rejoin.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use strata_control::{Control, remote_status};
use tokio::sync::oneshot;

use crate::util::{
    Node, SERIAL, SHARDS, TestResult, agreed_leader, assert_balanced, bind_three, init_tracing,
    restart_node, settled, start_node, stop_node, wait_for,
};

/// Three nodes elect a leader and agree on a balanced shard map; a setting written through a
/// follower reaches everyone. The leader is stopped: a new one is elected, the lost node's
/// shards and jobs move to the survivors. The old leader restarts from its directory with its
/// state intact, rejoins, and gets shards back.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn election_assignment_failover_and_rejoin() -> TestResult {
    init_tracing();
    let _serial = SERIAL.lock().await;
    let tmp = tempfile::tempdir()?;
    let (setup, listeners) = bind_three(&tmp).await?;
    let mut nodes = Vec::new();
    for (id, listener) in listeners {
        nodes.push(start_node(&setup, id, listener).await?);
    }

    let leader = {
        tracing::info!("--- a leader is elected and shards are assigned");
        let all: Vec<&Node> = nodes.iter().collect();
        let leader = wait_for("a leader", Duration::from_secs(10), || agreed_leader(&all)).await;
        let map = wait_for("a settled assignment", Duration::from_secs(10), || {
            settled(&all)
        })
        .await;
        assert_balanced(&map, &[1, 2, 3]);
        let state = nodes[0].control.state();
        assert_eq!(state.members, setup.peers);
        assert_eq!(state.jobs.len(), 2);
        for job in ["sweep", "reindex"] {
            assert!(state.jobs.contains_key(job), "{job} has a holder");
        }
        for shard in 0..SHARDS {
            let (owner, addr) = nodes[2]
                .control
                .shard_owner(shard)
                .ok_or("shard without owner")?;
            assert_eq!(map[&shard], owner);
            assert_eq!(addr, setup.peers[&owner]);
        }
        leader
    };

    {
        tracing::info!("--- a setting written through a follower is visible on all nodes");
        let follower = nodes.iter().find(|n| n.id != leader).ok_or("no follower")?;
        follower.control.set_setting("greeting", "hello").await?;
        wait_for("the setting everywhere", Duration::from_secs(5), || {
            nodes
                .iter()
                .all(|n| {
                    n.control
                        .state()
                        .settings
                        .get("greeting")
                        .map(String::as_str)
                        == Some("hello")
                })
                .then_some(())
        })
        .await;

        tracing::info!("--- status through a follower reports the leader's view");
        let status = remote_status(&follower.addr, None).await?;
        assert_eq!(status.leader, Some(leader));
        assert_eq!(
            status.node_id, leader,
            "a follower forwards status to the leader"
        );
        assert_eq!(status.members.len(), 3);
        assert!(
            status
                .members
                .iter()
                .all(|m| m.voter && m.reachable == Some(true)),
            "{status:?}"
        );
        assert_eq!(status.shards.len(), SHARDS as usize);
        assert_eq!(
            status.settings.get("greeting").map(String::as_str),
            Some("hello")
        );
        let local = follower.control.status().await;
        assert_eq!(local.leader, Some(leader));
    }

    {
        tracing::info!(
            leader,
            "--- stop the leader: a new one takes over, its shards move"
        );
        let idx = nodes
            .iter()
            .position(|n| n.id == leader)
            .ok_or("leader gone")?;
        let old = nodes.remove(idx);
        let t0 = Instant::now();
        stop_node(old).await;
        println!("failover: node {leader} stopped in {:?}", t0.elapsed());
        let survivors: Vec<&Node> = nodes.iter().collect();
        let new_leader = wait_for("a new leader", Duration::from_secs(10), || {
            agreed_leader(&survivors).filter(|&l| l != leader)
        })
        .await;
        let elected = t0.elapsed();
        println!("failover: node {new_leader} leads {elected:?} after node {leader} stopped");
        assert!(
            elected < Duration::from_secs(6),
            "election took {elected:?}"
        );

        let map = wait_for(
            "shards moved off the lost node",
            Duration::from_secs(10),
            || settled(&survivors).filter(|m| m.values().all(|&o| o != leader)),
        )
        .await;
        println!(
            "failover: shards and jobs reassigned {:?} after node {leader} stopped",
            t0.elapsed()
        );
        let live: Vec<u64> = nodes.iter().map(|n| n.id).collect();
        assert_balanced(&map, &live);
        for n in &nodes {
            // The claims channel reports the moved shards too (published when the handoff
            // delay ends, with no state change at that moment).
            let claims = n.control.claims();
            let want: BTreeSet<u32> = map
                .iter()
                .filter(|&(_, o)| *o == n.id)
                .map(|(s, _)| *s)
                .collect();
            wait_for("claims published", Duration::from_secs(2), || {
                (claims.borrow().shards == want).then_some(())
            })
            .await;
        }
        let state = nodes[0].control.state();
        assert!(
            state.jobs.values().all(|&h| h != leader),
            "jobs moved: {:?}",
            state.jobs
        );
        assert_eq!(
            state.settings.get("greeting").map(String::as_str),
            Some("hello")
        );

        let status = nodes[0].control.status().await;
        let lost = status
            .members
            .iter()
            .find(|m| m.id == leader)
            .ok_or("lost member missing")?;
        assert_eq!(lost.reachable, Some(false), "{status:?}");
    }

    {
        tracing::info!(
            leader,
            "--- the old leader restarts from its directory and rejoins"
        );
        let back = restart_node(&setup, leader).await?;
        let state = back.control.state();
        assert_eq!(
            state.settings.get("greeting").map(String::as_str),
            Some("hello"),
            "applied state survives the restart"
        );
        assert_eq!(state.members, setup.peers);
        nodes.push(back);
        // Sample every node's claims while shards move back: never two claimants at once.
        let controls: Vec<(u64, Control)> =
            nodes.iter().map(|n| (n.id, n.control.clone())).collect();
        let (stop_sampler, mut sampler_stopped) = oneshot::channel::<()>();
        let sampler = tokio::spawn(async move {
            let mut overlaps = Vec::new();
            let mut samples = 0u32;
            loop {
                for shard in 0..SHARDS {
                    let owners: Vec<u64> = controls
                        .iter()
                        .filter(|(_, c)| c.owns_shard(shard))
                        .map(|(id, _)| *id)
                        .collect();
                    if owners.len() > 1 {
                        overlaps.push((shard, owners));
                    }
                }
                samples += 1;
                tokio::select! {
                    _ = &mut sampler_stopped => break,
                    _ = tokio::time::sleep(Duration::from_millis(5)) => {}
                }
            }
            (samples, overlaps)
        });
        let all: Vec<&Node> = nodes.iter().collect();
        wait_for(
            "the old leader to follow the new one",
            Duration::from_secs(10),
            || agreed_leader(&all),
        )
        .await;
        let map = wait_for(
            "shards back on the returning node",
            Duration::from_secs(10),
            || settled(&all).filter(|m| m.values().any(|&o| o == leader)),
        )
        .await;
        assert_balanced(&map, &[1, 2, 3]);
        let _ = stop_sampler.send(());
        let (samples, overlaps) = sampler.await?;
        assert!(samples > 10, "the sampler ran ({samples} samples)");
        assert!(
            overlaps.is_empty(),
            "shards claimed by two nodes at once: {overlaps:?}"
        );

        let returning = nodes
            .iter()
            .find(|n| n.id == leader)
            .ok_or("returning node")?;
        returning.control.set_setting("after", "rejoin").await?;
        wait_for(
            "a setting written after the rejoin",
            Duration::from_secs(5),
            || {
                nodes
                    .iter()
                    .all(|n| {
                        n.control.state().settings.get("after").map(String::as_str)
                            == Some("rejoin")
                    })
                    .then_some(())
            },
        )
        .await;
    }

    for node in nodes {
        stop_node(node).await;
    }
    Ok(())
}

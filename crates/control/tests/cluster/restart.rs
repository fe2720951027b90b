//! Restarts: of the whole cluster, and of a follower that fell behind the purged log.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::util::{
    Node, SERIAL, TestResult, agreed_leader, assert_balanced, bind_three, init_tracing, open_db,
    purged_index, restart_node, settled, start_node, stop_node, wait_for, wait_for_async,
};

/// All three nodes write settings (with snapshots every few entries, so the log is purged),
/// stop, and restart from their directories: the state is there before any election, and the
/// cluster keeps working.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn full_restart_keeps_state() -> TestResult {
    init_tracing();
    let _serial = SERIAL.lock().await;
    let tmp = tempfile::tempdir()?;
    let (mut setup, listeners) = bind_three(&tmp).await?;
    setup.snapshot_every = 5;
    setup.keep_logs = 0;
    let mut nodes = Vec::new();
    for (id, listener) in listeners {
        nodes.push(start_node(&setup, id, listener).await?);
    }

    let before = {
        tracing::info!("--- write settings through every node");
        let all: Vec<&Node> = nodes.iter().collect();
        wait_for("a leader", Duration::from_secs(10), || agreed_leader(&all)).await;
        let map = wait_for("a settled assignment", Duration::from_secs(10), || {
            settled(&all)
        })
        .await;
        for i in 0..12 {
            let node = &nodes[i % 3];
            node.control
                .set_setting(&format!("key{i}"), &format!("value{i}"))
                .await?;
        }
        let expected: BTreeMap<String, String> = (0..12)
            .map(|i| (format!("key{i}"), format!("value{i}")))
            .collect();
        wait_for("all settings on all nodes", Duration::from_secs(5), || {
            nodes
                .iter()
                .all(|n| n.control.state().settings == expected)
                .then_some(())
        })
        .await;
        let applied = wait_for_async(
            "a status with applied index",
            Duration::from_secs(5),
            || async { nodes[0].control.status().await.last_applied },
        )
        .await;
        assert!(applied >= 12, "12 settings were applied (index {applied})");
        (expected, map)
    };

    tracing::info!("--- stop everything");
    for node in nodes.drain(..) {
        stop_node(node).await;
    }

    {
        tracing::info!("--- snapshots were written and the log purged");
        for (id, dir) in &setup.dirs {
            let db = sqlx::sqlite::SqlitePoolOptions::new()
                .connect_with(
                    sqlx::sqlite::SqliteConnectOptions::new().filename(dir.join("raft.db")),
                )
                .await?;
            let snapshots: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM snapshot")
                .fetch_one(&db)
                .await?;
            let first: Option<i64> = sqlx::query_scalar("SELECT MIN(idx) FROM log")
                .fetch_one(&db)
                .await?;
            db.close().await;
            assert_eq!(snapshots, 1, "node {id} kept its snapshot");
            assert!(
                first.unwrap_or(i64::MAX) > 1,
                "node {id} purged its log (first index {first:?})"
            );
        }
    }

    {
        tracing::info!("--- restart all three: state is back before any election");
        for id in 1..=3 {
            nodes.push(restart_node(&setup, id).await?);
        }
        for node in &nodes {
            let state = node.control.state();
            assert_eq!(
                state.settings, before.0,
                "node {} settings after restart",
                node.id
            );
            assert_eq!(
                state.shards, before.1,
                "node {} shards after restart",
                node.id
            );
            assert_eq!(state.members, setup.peers);
        }
        let all: Vec<&Node> = nodes.iter().collect();
        wait_for("a leader after restart", Duration::from_secs(10), || {
            agreed_leader(&all)
        })
        .await;
        nodes[1].control.set_setting("restarted", "yes").await?;
        wait_for("a new setting everywhere", Duration::from_secs(5), || {
            nodes
                .iter()
                .all(|n| {
                    let s = n.control.state().settings;
                    s.get("restarted").map(String::as_str) == Some("yes") && s.contains_key("key11")
                })
                .then_some(())
        })
        .await;
        let map = wait_for(
            "a settled assignment after restart",
            Duration::from_secs(10),
            || settled(&all),
        )
        .await;
        assert_balanced(&map, &[1, 2, 3]);
    }

    for node in nodes {
        stop_node(node).await;
    }
    Ok(())
}

/// A follower is stopped while the others write enough to snapshot and purge past its log; on
/// restart it can only catch up from the leader's snapshot, and does.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn lagging_node_catches_up_from_snapshot() -> TestResult {
    init_tracing();
    let _serial = SERIAL.lock().await;
    let tmp = tempfile::tempdir()?;
    let (mut setup, listeners) = bind_three(&tmp).await?;
    setup.snapshot_every = 5;
    setup.keep_logs = 0;
    let mut nodes = Vec::new();
    for (id, listener) in listeners {
        nodes.push(start_node(&setup, id, listener).await?);
    }
    let all: Vec<&Node> = nodes.iter().collect();
    let leader = wait_for("a leader", Duration::from_secs(10), || agreed_leader(&all)).await;
    wait_for("a settled assignment", Duration::from_secs(10), || {
        settled(&all)
    })
    .await;

    tracing::info!("--- stop a follower, write past its log");
    let idx = nodes
        .iter()
        .position(|n| n.id != leader)
        .ok_or("no follower")?;
    let lagger = nodes.remove(idx);
    let lagger_id = lagger.id;
    stop_node(lagger).await;
    let lagger_last: Option<i64> = {
        let db = open_db(&setup.dirs[&lagger_id]).await?;
        let last = sqlx::query_scalar("SELECT MAX(idx) FROM log")
            .fetch_one(&db)
            .await?;
        db.close().await;
        last
    };
    for i in 0..12 {
        nodes[i % 2]
            .control
            .set_setting(&format!("lag{i}"), "x")
            .await?;
    }
    let leader_dir = setup.dirs[&leader].clone();
    let purged = wait_for_async(
        "the leader to purge past the lagger",
        Duration::from_secs(10),
        || {
            let dir = leader_dir.clone();
            async move {
                let purged = purged_index(&dir).await.ok()?;
                (i64::try_from(purged).ok()? > lagger_last.unwrap_or(0) + 1).then_some(purged)
            }
        },
    )
    .await;
    tracing::info!(purged, ?lagger_last, "leader purged past the lagger's log");

    tracing::info!("--- restart the follower: it installs the snapshot");
    let back = restart_node(&setup, lagger_id).await?;
    assert!(
        !back.control.state().settings.contains_key("lag11"),
        "not caught up yet"
    );
    wait_for("the lagger to catch up", Duration::from_secs(10), || {
        let s = back.control.state().settings;
        (0..12)
            .all(|i| s.contains_key(&format!("lag{i}")))
            .then_some(())
    })
    .await;
    nodes.push(back);
    for node in nodes {
        stop_node(node).await;
    }
    Ok(())
}

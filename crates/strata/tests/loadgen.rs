//! The load generator against the real `strata serve`. Base profile: 12 clients on 3 accounts
//! (so four share each INBOX) do every operation of the default mix for a few seconds; every
//! response must be well-formed and OK, and the state checks (sequence numbers, flags set,
//! appended messages found exactly once, COPY/MOVE counts) must all hold.

mod support;

use std::time::Duration;
use strata_loadgen::client::{DEFAULT_MIX, Mix, Target};
use strata_loadgen::mix::Operation;

/// A data dir with accounts load1..=load3@example.org (password `pw`, cheap hashes) and a
/// server on it: (temp dir, server, IMAP port).
fn server() -> (tempfile::TempDir, support::Server, u16) {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("strata.toml");
    std::fs::write(
        &config,
        "[imap]\nmax_connections_per_ip = 500\nmax_connections_per_account = 100\n\
         [auth]\nargon2_m_cost = 64\nargon2_t_cost = 1\nargon2_p_cost = 1\n",
    )
    .unwrap();
    let config = config.to_str().unwrap().to_string();
    let data = dir.path().join("data");
    for n in 1..=3 {
        support::add_user_with(
            &data,
            &format!("load{n}@example.org"),
            "pw",
            &["--config", &config],
        );
    }
    let log = std::fs::File::create(dir.path().join("server.log")).unwrap();
    let (server, port, _) = support::start_with(&data, log, &["--config", &config]);
    (dir, server, port)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mixed_load_is_correct_and_consistent() {
    let (_dir, _server, port) = server();
    let target = move |k: usize| Target {
        addr: ([127, 0, 0, 1], port).into(),
        source: None,
        timeout: Duration::from_secs(30),
        user: format!("load{}@example.org", k % 3 + 1),
        password: "pw".into(),
    };
    let report = strata_loadgen::run(strata_loadgen::RunOptions {
        clients: 12,
        duration: Duration::from_secs(6),
        warmup: Duration::from_secs(1),
        mix: Mix::parse(DEFAULT_MIX).unwrap(),
        idle: Duration::from_millis(200),
        message_size: 3000,
        seed: 7,
        target,
    })
    .await;
    print!("{}", report.table());
    assert_eq!(report.errors, 0, "{:#?}", report.samples);
    assert_eq!(report.inconsistencies, 0, "{:#?}", report.samples);
    for (_, name) in strata_loadgen::client::Op::ALL {
        let n = report.ops.get(*name).map_or(0, |o| o.count);
        assert!(n > 0, "no successful {name} in {}", report.table());
    }
    assert!(report.total_ops > 200, "{}", report.table());
}

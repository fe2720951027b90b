//! The load generator against the real `strata serve`. Base profile: 12 clients on 3 accounts
//! (so four share each INBOX) do every operation of the default mix for a few seconds; every
//! response must be well-formed and OK, and the state checks (sequence numbers, flags set,
//! appended messages found exactly once, COPY/MOVE counts) must all hold. Realistic profile:
//! prepared folders of real-shaped mail, 12 clients in short sessions on random accounts of 3,
//! every response checked against the mailbox model (sequence numbers, UIDs, keywords
//! announced before use, \Recent in one session only, skipped messages expunged).

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
        "[imap]\nmax_connections_per_ip = 500\nmax_connections_per_account = 100\nmax_connections_per_account_ip = 100\n\
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn realistic_load_is_correct_and_consistent() {
    use strata_loadgen::realistic::{REAL_MIX, RealConfig, RealOp, prepare};
    let (_dir, _server, port) = server();
    let server: std::net::SocketAddr = ([127, 0, 0, 1], port).into();
    let accounts: Vec<(String, String)> = (1..=3)
        .map(|n| (format!("load{n}@example.org"), "pw".to_string()))
        .collect();
    let accounts = std::sync::Arc::new(accounts);
    let (messages, _) = prepare::prepare(&prepare::Prepare {
        server,
        source: None,
        timeout: Duration::from_secs(30),
        accounts: accounts.clone(),
        messages: 40,
        parallel: 3,
    })
    .await
    .unwrap();
    let per_account: usize = prepare::folder_sizes(40).iter().map(|(_, n)| n).sum();
    assert_eq!(
        messages,
        3 * per_account as u64,
        "INBOX and the folders' shares"
    );
    let now = std::time::Instant::now();
    let report = strata_loadgen::run_realistic(strata_loadgen::RealRunOptions {
        clients: 12,
        duration: Duration::from_secs(8),
        warmup: Duration::from_secs(1),
        seed: 11,
        client: Box::new(move |k| RealConfig {
            id: k,
            run: String::new(),
            server,
            source: None,
            timeout: Duration::from_secs(30),
            accounts: accounts.clone(),
            mix: Mix::parse(REAL_MIX).unwrap(),
            stay_logged_in: false,
            session_ops: (3, 20),
            measure_from: now,
            stop_at: now,
            idle: Duration::from_millis(200),
            seed: 0,
            recent: Default::default(),
        }),
    })
    .await;
    print!("{}", report.table());
    assert_eq!(report.errors, 0, "{:#?}", report.samples);
    assert_eq!(report.inconsistencies, 0, "{:#?}", report.samples);
    let names = RealOp::ALL.iter().map(|(_, n)| *n);
    for name in names.chain(["login", "logout", "sync"]) {
        let n = report.ops.get(name).map_or(0, |o| o.count);
        assert!(n > 0, "no successful {name} in {}", report.table());
    }
}

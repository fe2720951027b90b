//! Helpers shared by the cluster scenarios: start/stop/restart nodes, wait on conditions,
//! read what the nodes claim.

use std::collections::BTreeMap;
use std::future::Future;
use std::path::PathBuf;
use std::sync::Once;
use std::time::{Duration, Instant};

use strata_control::{Control, ControlConfig};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use tokio_stream::wrappers::TcpListenerStream;

pub type TestResult = Result<(), Box<dyn std::error::Error>>;

/// The scenarios each run a whole cluster; running two at once on a small machine would turn
/// them into a test of the CPU scheduler, so they take turns.
pub static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

pub const SHARDS: u32 = 8;

pub fn init_tracing() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let filter = tracing_subscriber::EnvFilter::try_from_default_env()
            .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,openraft=off"));
        let _ = tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_test_writer()
            .try_init();
    });
}

/// One running node: its control plane and the tonic server serving its peer service.
pub struct Node {
    pub id: u64,
    pub addr: String,
    pub control: Control,
    pub server: JoinHandle<()>,
    pub stop_server: oneshot::Sender<()>,
}

/// How the nodes of a test are configured (same for every node).
#[derive(Clone)]
pub struct Setup {
    pub peers: BTreeMap<u64, String>,
    pub dirs: BTreeMap<u64, PathBuf>,
    pub snapshot_every: u64,
    pub keep_logs: u64,
}

impl Setup {
    fn config(&self, id: u64) -> ControlConfig {
        let mut c = ControlConfig::new(
            id,
            self.peers[&id].clone(),
            self.peers.clone(),
            self.dirs[&id].clone(),
        );
        c.shards = SHARDS;
        c.snapshot_every = self.snapshot_every;
        c.keep_logs = self.keep_logs;
        c
    }
}

/// Binds three ephemeral ports, then builds the peer map from them.
pub async fn bind_three(
    tmp: &tempfile::TempDir,
) -> Result<(Setup, Vec<(u64, TcpListener)>), Box<dyn std::error::Error>> {
    let mut listeners = Vec::new();
    let mut peers = BTreeMap::new();
    let mut dirs = BTreeMap::new();
    for id in 1..=3u64 {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        peers.insert(id, listener.local_addr()?.to_string());
        dirs.insert(id, tmp.path().join(format!("node{id}")));
        listeners.push((id, listener));
    }
    let setup = Setup {
        peers,
        dirs,
        snapshot_every: 500,
        keep_logs: 100,
    };
    Ok((setup, listeners))
}

pub async fn start_node(
    setup: &Setup,
    id: u64,
    listener: TcpListener,
) -> Result<Node, Box<dyn std::error::Error>> {
    let control = Control::start(setup.config(id)).await?;
    let (stop_server, stopped) = oneshot::channel::<()>();
    let service = control.service();
    let server = tokio::spawn(async move {
        let res = tonic::transport::Server::builder()
            .add_service(service)
            .serve_with_incoming_shutdown(TcpListenerStream::new(listener), async {
                let _ = stopped.await;
            })
            .await;
        if let Err(e) = res {
            tracing::warn!(error = %e, "server ended");
        }
    });
    Ok(Node {
        id,
        addr: setup.peers[&id].clone(),
        control,
        server,
        stop_server,
    })
}

/// Rebinds the node's old address (retrying while the OS still holds it) and starts it again.
pub async fn restart_node(setup: &Setup, id: u64) -> Result<Node, Box<dyn std::error::Error>> {
    let addr = setup.peers[&id].clone();
    let deadline = Instant::now() + Duration::from_secs(5);
    let listener = loop {
        match TcpListener::bind(&addr).await {
            Ok(l) => break l,
            Err(e) if Instant::now() < deadline => {
                tracing::info!(%addr, error = %e, "rebinding");
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            Err(e) => return Err(e.into()),
        }
    };
    start_node(setup, id, listener).await
}

/// Stops Raft first (so the node stops heartbeating), then its server.
pub async fn stop_node(node: Node) {
    node.control.shutdown().await;
    let _ = node.stop_server.send(());
    let abort = node.server.abort_handle();
    if tokio::time::timeout(Duration::from_secs(5), node.server)
        .await
        .is_err()
    {
        abort.abort();
    }
}

/// Polls `check` until it returns `Some`, failing the test after `timeout`.
pub async fn wait_for<T>(what: &str, timeout: Duration, mut check: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(v) = check() {
            return v;
        }
        assert!(
            Instant::now() < deadline,
            "timed out after {timeout:?} waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Async variant of [`wait_for`].
pub async fn wait_for_async<T, F, Fut>(what: &str, timeout: Duration, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(v) = check().await {
            return v;
        }
        assert!(
            Instant::now() < deadline,
            "timed out after {timeout:?} waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The leader every given node agrees on, if they all agree.
pub fn agreed_leader(nodes: &[&Node]) -> Option<u64> {
    let first = nodes.first()?.control.leader()?.0;
    nodes
        .iter()
        .all(|n| n.control.leader().map(|l| l.0) == Some(first))
        .then_some(first)
}

/// Shard -> the nodes that currently claim it through `owns_shard`.
pub fn claimed(nodes: &[&Node]) -> BTreeMap<u32, Vec<u64>> {
    (0..SHARDS)
        .map(|s| {
            let owners = nodes
                .iter()
                .filter(|n| n.control.owns_shard(s))
                .map(|n| n.id)
                .collect();
            (s, owners)
        })
        .collect()
}

/// The assignment, when every shard has exactly one claimant among `nodes`, every node's applied
/// map agrees, and every job has exactly one holder.
pub fn settled(nodes: &[&Node]) -> Option<BTreeMap<u32, u64>> {
    let map = nodes.first()?.control.state().shards;
    if map.len() != SHARDS as usize || nodes.iter().any(|n| n.control.state().shards != map) {
        return None;
    }
    let claims = claimed(nodes);
    if claims.values().any(|o| o.len() != 1) {
        return None;
    }
    for job in ["sweep", "reindex"] {
        if nodes.iter().filter(|n| n.control.holds_job(job)).count() != 1 {
            return None;
        }
    }
    Some(claims.into_iter().map(|(s, o)| (s, o[0])).collect())
}

pub fn load(map: &BTreeMap<u32, u64>) -> BTreeMap<u64, usize> {
    let mut c = BTreeMap::new();
    for owner in map.values() {
        *c.entry(*owner).or_insert(0) += 1;
    }
    c
}

pub fn assert_balanced(map: &BTreeMap<u32, u64>, live: &[u64]) {
    let c = load(map);
    assert_eq!(
        c.keys().copied().collect::<Vec<_>>(),
        live,
        "owners are exactly the live nodes: {map:?}"
    );
    let max = c.values().max().copied().unwrap_or(0);
    let min = c.values().min().copied().unwrap_or(0);
    assert!(max - min <= 1, "balanced: {c:?}");
}

/// Opens a node's `raft.db` read-side (it may be in use: SQLite WAL allows a concurrent reader).
pub async fn open_db(dir: &std::path::Path) -> Result<sqlx::SqlitePool, sqlx::Error> {
    sqlx::sqlite::SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(sqlx::sqlite::SqliteConnectOptions::new().filename(dir.join("raft.db")))
        .await
}

/// The index up to which a node purged its log (0 if it never did).
pub async fn purged_index(dir: &std::path::Path) -> Result<u64, Box<dyn std::error::Error>> {
    let db = open_db(dir).await?;
    let text: Option<String> =
        sqlx::query_scalar("SELECT value FROM meta WHERE key = 'last_purged'")
            .fetch_optional(&db)
            .await?;
    db.close().await;
    let Some(text) = text else { return Ok(0) };
    let value: serde_json::Value = serde_json::from_str(&text)?;
    value["index"]
        .as_u64()
        .ok_or_else(|| "no index in last_purged".into())
}

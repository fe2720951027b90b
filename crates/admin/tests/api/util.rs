//! The test server: SqliteStore on a temp SQLite file, a local blob folder, fake hooks and a
//! cheap fake password hasher, served on 127.0.0.1:0 and shut down at the end.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, Once};

use async_trait::async_trait;
use blob_store::{BlobStore, BlobStoreConfig};
use sha2::{Digest, Sha256};
use store::{AccountId, MailStore, SqliteStore};
use strata_admin::pb;
use strata_admin::{
    AdminBackend, AdminClient, AdminOptions, AdminService, AdminToken, ClusterHooks, Tokens,
};
use tokio::sync::oneshot;
use tokio_stream::wrappers::TcpListenerStream;

/// The operator's token.
pub const OPERATOR: &str = "operator-secret";
/// A token limited to `tenant.org`.
pub const TENANT: &str = "tenant-secret";
/// The largest message the test server accepts.
pub const MAX_MESSAGE: usize = 64 * 1024;

/// Sets up tracing once for the whole binary.
pub fn init_tracing() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let _ = tracing_subscriber::fmt()
            .with_env_filter(
                tracing_subscriber::EnvFilter::try_from_default_env()
                    .unwrap_or_else(|_| "info".into()),
            )
            .with_test_writer()
            .try_init();
    });
}

fn hex(data: &[u8]) -> String {
    Sha256::digest(data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// What the fake hasher stores for `password`: cheap, but a real function of it.
pub fn fake_hash(password: &str) -> String {
    format!("$fake$sha256${}", hex(password.as_bytes()))
}

/// The fake SCRAM verifier; `None` for non-ASCII passwords (as SASLprep may refuse some).
pub fn fake_scram(password: &str) -> Option<String> {
    password.is_ascii().then(|| {
        format!(
            "SCRAM-SHA-256$fake:{}",
            hex(format!("scram:{password}").as_bytes())
        )
    })
}

/// Hooks that record reindex calls and report a fixed cluster.
#[derive(Default)]
pub struct TestHooks {
    /// Every reindex call's accounts.
    pub reindexed: Mutex<Vec<Vec<AccountId>>>,
    /// Settings set through the API (reported by the status).
    pub settings: Mutex<std::collections::BTreeMap<String, String>>,
}

#[async_trait]
impl ClusterHooks for TestHooks {
    async fn reindex(&self, accounts: Vec<AccountId>) -> Result<u64, String> {
        let n = accounts.len() as u64;
        self.reindexed
            .lock()
            .map_err(|e| e.to_string())?
            .push(accounts);
        Ok(n * 10)
    }

    async fn cluster_status(&self) -> Result<pb::ClusterStatus, String> {
        Ok(pb::ClusterStatus {
            members: vec![
                pb::Member {
                    id: 1,
                    addr: "10.0.0.1:7400".into(),
                    reachable: true,
                    voter: true,
                },
                pb::Member {
                    id: 2,
                    addr: "10.0.0.2:7400".into(),
                    reachable: false,
                    voter: true,
                },
            ],
            leader_id: Some(1),
            term: 7,
            last_applied: 42,
            shards: [(0, 1), (1, 2)].into(),
            jobs: [("blob-sweep".to_string(), 1)].into(),
            settings: self
                .settings
                .lock()
                .map_err(|e| e.to_string())?
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .chain([("search.shards".to_string(), "2".to_string())])
                .collect(),
        })
    }

    async fn set_setting(&self, key: &str, value: &str) -> Result<(), String> {
        self.settings
            .lock()
            .map_err(|e| e.to_string())?
            .insert(key.to_string(), value.to_string());
        Ok(())
    }
}

/// A running admin server and what it runs on.
pub struct TestServer {
    /// Where it listens.
    pub addr: SocketAddr,
    /// The store behind it, for checks.
    pub store: Arc<SqliteStore>,
    /// The hooks behind it.
    pub hooks: Arc<TestHooks>,
    /// Holds the SQLite file and the blobs.
    pub dir: tempfile::TempDir,
    shutdown: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<Result<(), tonic::transport::Error>>,
}

impl TestServer {
    /// Binds 127.0.0.1:0 and serves.
    pub async fn start() -> TestServer {
        init_tracing();
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Arc::new(
            SqliteStore::open(&dir.path().join("meta.db"))
                .await
                .expect("open store"),
        );
        let blobs =
            BlobStore::new(BlobStoreConfig::local(dir.path().join("blobs"))).expect("blobs");
        let hooks = Arc::new(TestHooks::default());
        let tokens = Tokens::new([
            AdminToken::from_secret(OPERATOR, None),
            AdminToken::from_secret(TENANT, Some("Tenant.ORG")),
        ])
        .expect("tokens");
        let hasher = |password: &str| -> Result<(String, Option<String>), String> {
            Ok((fake_hash(password), fake_scram(password)))
        };
        let backend = AdminBackend {
            store: store.clone() as Arc<dyn MailStore>,
            blobs,
            hooks: hooks.clone(),
            hasher: Arc::new(hasher),
        };
        let options = AdminOptions {
            max_message_bytes: MAX_MESSAGE,
            batch_messages: 2,
            ..AdminOptions::default()
        };
        let service = AdminService::new(backend, tokens, options);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(
            tonic::transport::Server::builder()
                .add_service(service.into_server())
                .serve_with_incoming_shutdown(TcpListenerStream::new(listener), async {
                    let _ = rx.await;
                }),
        );
        TestServer {
            addr,
            store,
            hooks,
            dir,
            shutdown: Some(tx),
            task,
        }
    }

    /// The endpoint URL.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// A client with `token`.
    pub async fn client(&self, token: &str) -> AdminClient {
        AdminClient::connect(&self.endpoint(), token)
            .await
            .expect("connect")
    }

    /// Shuts the server down and waits for it.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        (&mut self.task)
            .await
            .expect("server task")
            .expect("server");
    }
}

//! Builders of the implementations under test: each returns a fresh, empty store and a guard
//! that removes it on drop (a temp dir, a throw-away PostgreSQL database, a metad server).

use metad::{MetadService, RemoteStore};
use std::sync::Arc;
use store::{MailStore, PgStore, SqliteStore};

/// A throw-away backend; what another process needs to open the same store, and a way to poke
/// the database underneath.
pub enum Guard {
    /// The temp dir holding the SQLite file.
    Sqlite(tempfile::TempDir),
    /// A PostgreSQL database.
    Postgres(PgDatabase),
    /// A metad serving a PostgreSQL database on loopback.
    Remote {
        /// The database behind it.
        db: PgDatabase,
        /// `http://127.0.0.1:PORT`.
        endpoint: String,
        /// Stops the server.
        _stop: tokio::sync::oneshot::Sender<()>,
    },
}

/// A PostgreSQL database to drop: (admin URL, database name).
pub struct PgDatabase {
    admin: String,
    name: String,
}

impl PgDatabase {
    /// A new empty database on the server of `STRATA_TEST_PG_URL`.
    async fn create() -> PgDatabase {
        let admin = std::env::var("STRATA_TEST_PG_URL").expect(
            "STRATA_TEST_PG_URL must name a PostgreSQL server the tests may create databases on \
             (e.g. postgres://strata:strata@127.0.0.1:5432/postgres); .ci/run sets it",
        );
        use std::sync::atomic::{AtomicU32, Ordering};
        static N: AtomicU32 = AtomicU32::new(0);
        let name = format!(
            "strata_test_{}_{}_{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .subsec_nanos()
        );
        let mut c = <sqlx::PgConnection as sqlx::Connection>::connect(&admin)
            .await
            .expect("connect to STRATA_TEST_PG_URL");
        sqlx::Executor::execute(
            &mut c,
            sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")),
        )
        .await
        .expect("create test database");
        PgDatabase { admin, name }
    }

    /// Its URL.
    pub fn url(&self) -> String {
        match self.admin.rsplit_once('/') {
            Some((base, _)) => format!("{base}/{}", self.name),
            None => panic!("STRATA_TEST_PG_URL has no database part"),
        }
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        let (admin, db) = (self.admin.clone(), self.name.clone());
        // Drop runs inside the test's runtime: do the async cleanup on a thread of its own.
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build();
            if let Ok(rt) = rt {
                rt.block_on(async {
                    if let Ok(mut c) =
                        <sqlx::PgConnection as sqlx::Connection>::connect(&admin).await
                    {
                        let sql = format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)");
                        let _ = sqlx::Executor::execute(&mut c, sqlx::AssertSqlSafe(sql)).await;
                    }
                });
            }
        })
        .join();
    }
}

impl Guard {
    /// What [`open`] needs to open the same store in another process.
    pub fn spec(&self) -> String {
        match self {
            Guard::Sqlite(dir) => format!("sqlite:{}", dir.path().join("meta.db").display()),
            Guard::Postgres(db) => db.url(),
            Guard::Remote { endpoint, .. } => format!("metad:{endpoint}"),
        }
    }

    /// Runs one SQL statement on the database underneath (for cases that must put it in a
    /// state no API call reaches, such as a UIDNEXT near the end of the range).
    pub async fn execute(&self, sql: &str) {
        match self {
            Guard::Sqlite(dir) => {
                let c = rusqlite::Connection::open(dir.path().join("meta.db")).expect("open");
                c.execute_batch(sql).expect("execute");
            }
            Guard::Postgres(db) | Guard::Remote { db, .. } => {
                let mut c = <sqlx::PgConnection as sqlx::Connection>::connect(&db.url())
                    .await
                    .expect("connect");
                sqlx::Executor::execute(&mut c, sqlx::AssertSqlSafe(sql.to_string()))
                    .await
                    .expect("execute");
            }
        }
    }
}

/// Opens the store a [`Guard::spec`] names (in this process).
pub async fn open(spec: &str) -> Arc<dyn MailStore> {
    if let Some(endpoint) = spec.strip_prefix("metad:") {
        let remote = RemoteStore::connect(&[endpoint.to_string()], None).expect("RemoteStore");
        remote.feed_connected().await;
        return Arc::new(remote);
    }
    store::open(spec, 4).await.expect("open the store")
}

/// A store on a new SQLite file.
pub async fn sqlite() -> (Guard, Arc<dyn MailStore>) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = SqliteStore::open(&dir.path().join("meta.db"))
        .await
        .expect("open sqlite");
    (Guard::Sqlite(dir), Arc::new(store))
}

/// A store on a new PostgreSQL database.
pub async fn postgres() -> (Guard, Arc<dyn MailStore>) {
    let db = PgDatabase::create().await;
    let store = PgStore::open(&db.url(), 20).await.expect("open postgres");
    (Guard::Postgres(db), Arc::new(store))
}

/// `RemoteStore` → gRPC on loopback → a metad's `MetadService` → PostgreSQL: the store of the
/// cluster's frontends. Returned once its change feed is connected.
pub async fn remote() -> (Guard, Arc<dyn MailStore>) {
    let db = PgDatabase::create().await;
    let pg = PgStore::open(&db.url(), 20).await.expect("open postgres");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let endpoint = format!("http://{}", listener.local_addr().expect("address"));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let incoming = tonic::transport::server::TcpIncoming::from(listener).with_nodelay(Some(true));
    tokio::spawn(
        tonic::transport::Server::builder()
            .add_service(MetadService::new(Arc::new(pg)).into_server())
            .serve_with_incoming_shutdown(incoming, async {
                let _ = stopped.await;
            }),
    );
    let store = open(&format!("metad:{endpoint}")).await;
    (
        Guard::Remote {
            db,
            endpoint,
            _stop: stop,
        },
        store,
    )
}

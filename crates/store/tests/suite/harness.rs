//! Backend builders: each returns a fresh, empty store and a guard that removes it on drop.

use std::sync::Arc;
use store::{MailStore, SqlStore};

/// A guard for a throw-away backend.
pub enum Guard {
    /// The temp dir holding the SQLite file.
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    /// A PostgreSQL database to drop: (admin URL, database name).
    Postgres(String, String),
}

impl Guard {
    /// The database URL, for another process to open the same store.
    pub fn url(&self) -> String {
        match self {
            Guard::Sqlite(dir) => {
                format!("sqlite://{}?mode=rwc", dir.path().join("meta.db").display())
            }
            Guard::Postgres(admin, db) => match admin.rsplit_once('/') {
                Some((base, _)) => format!("{base}/{db}"),
                None => unreachable!("checked when the database was created"),
            },
        }
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        if let Guard::Postgres(admin, db) = self {
            let (admin, db) = (admin.clone(), db.clone());
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
}

/// A store on a new SQLite file.
pub async fn sqlite() -> (Guard, Arc<dyn MailStore>) {
    let dir = tempfile::tempdir().expect("temp dir");
    let store = SqlStore::open_sqlite(&dir.path().join("meta.db"))
        .await
        .expect("open sqlite");
    (Guard::Sqlite(dir), Arc::new(store))
}

/// A store on a new PostgreSQL database.
pub async fn postgres() -> (Guard, Arc<dyn MailStore>) {
    let admin = std::env::var("STRATA_TEST_PG_URL").expect(
        "STRATA_TEST_PG_URL must name a PostgreSQL server the tests may create databases on \
         (e.g. postgres://strata:strata@127.0.0.1:5432/postgres); .ci/run sets it",
    );
    use std::sync::atomic::{AtomicU32, Ordering};
    static N: AtomicU32 = AtomicU32::new(0);
    let db = format!(
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
    sqlx::Executor::execute(&mut c, sqlx::AssertSqlSafe(format!("CREATE DATABASE {db}")))
        .await
        .expect("create test database");
    let url = match admin.rsplit_once('/') {
        Some((base, _)) => format!("{base}/{db}"),
        None => panic!("STRATA_TEST_PG_URL has no database part"),
    };
    let store = SqlStore::open(&url, 20).await.expect("open postgres");
    (Guard::Postgres(admin, db), Arc::new(store))
}

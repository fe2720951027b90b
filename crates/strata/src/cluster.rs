//! The cluster shape: `strata metad` (a replica of the metadata service) and `strata frontend`
//! (a stateless IMAP frontend). ARCHITECTURE.md "Cluster".
//!
//! ```text
//!  IMAP clients ──▶ frontend (imap-server over metad::RemoteStore) ──gRPC──▶ metad ×3
//!                       └──────────── bodies ────────────▶ object store ◀── sweep (job holder)
//!  metad: MetadService over SqlStore(PostgreSQL) + change relay (LISTEN/NOTIFY)
//! ```

use crate::cli::CliError;
use crate::config::Config;
use crate::serve::{
    ServeArgs, init_logging, run_imap, runtime, server_config, setup, shutdown_signal,
};
use blob_store::BlobStore;
use imap_server::Shared;
use metad::{MetadService, Readiness, RemoteStore};
use std::sync::Arc;
use store::{MailStore, SqlStore};

/// A metad replica is ready when its database answers.
struct MetadReady {
    store: Arc<dyn MailStore>,
}

#[async_trait::async_trait]
impl Readiness for MetadReady {
    async fn check(&self) -> Result<(), String> {
        self.store
            .list_domains()
            .await
            .map(|_| ())
            .map_err(|e| format!("database: {e}"))
    }
}

/// A frontend is ready when a metad replica is.
struct FrontendReady(Arc<RemoteStore>);

#[async_trait::async_trait]
impl Readiness for FrontendReady {
    async fn check(&self) -> Result<(), String> {
        self.0.ping().await
    }
}

/// `strata metad`: serves the MailStore API on `[metad] listen` until Ctrl-C or SIGTERM.
pub fn metad(config: &Config) -> Result<(), CliError> {
    init_logging(config);
    runtime()?.block_on(async {
        let url = config.database_url();
        crate::data_dir::DataDir::open(&config.data_dir).map_err(setup)?;
        let sql = SqlStore::open(&url, config.database.max_connections)
            .await
            .map_err(|e| setup(format!("cannot open the database: {e}")))?;
        // Other replicas' commits reach this one's subscribers (PostgreSQL only: SQLite has
        // one process).
        let _relay = match sql.backend() {
            store::Backend::Postgres => Some(
                sql.start_change_relay(&url)
                    .await
                    .map_err(|e| setup(format!("cannot LISTEN for changes: {e}")))?,
            ),
            store::Backend::Sqlite => None,
        };
        let store: Arc<dyn MailStore> = Arc::new(sql);
        let _blobs = BlobStore::new(config.blob_store_config()).map_err(setup)?;
        let ready: Arc<dyn Readiness> = Arc::new(MetadReady {
            store: store.clone(),
        });
        let listener = tokio::net::TcpListener::bind(config.metad.listen)
            .await
            .map_err(|e| setup(format!("cannot listen on {}: {e}", config.metad.listen)))?;
        let grpc_at = listener.local_addr().map_err(setup)?;
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let stopped = |mut rx: tokio::sync::watch::Receiver<bool>| async move {
            let _ = rx.changed().await;
        };
        let health_at = crate::health::serve(
            config.metad.health_listen,
            ready.clone(),
            stopped(stop_rx.clone()),
        )
        .await
        .map_err(|e| {
            setup(format!(
                "cannot listen on {}: {e}",
                config.metad.health_listen
            ))
        })?;
        println!("Strata metad is listening:");
        println!("  grpc   {grpc_at}");
        println!("  health {health_at}");
        println!("metad ready.");
        tracing::info!(grpc = %grpc_at, health = %health_at, "metad listening");
        tokio::spawn(async move {
            shutdown_signal().await;
            let _ = stop_tx.send(true);
        });
        tonic::transport::Server::builder()
            .add_service(MetadService::new(store).with_readiness(ready).into_server())
            .serve_with_incoming_shutdown(
                tokio_stream::wrappers::TcpListenerStream::new(listener),
                stopped(stop_rx),
            )
            .await
            .map_err(setup)?;
        println!("metad stopped.");
        Ok(())
    })
}

/// `strata frontend`: serves IMAP on `[imap]`'s listeners over the metad replicas of
/// `[frontend] metad` and the object store of `[blobs]`, until Ctrl-C or SIGTERM.
pub fn frontend(config: &Config, args: ServeArgs) -> Result<(), CliError> {
    init_logging(config);
    runtime()?.block_on(async {
        crate::data_dir::DataDir::open(&config.data_dir).map_err(setup)?;
        let remote = Arc::new(RemoteStore::connect(&config.frontend.metad).map_err(setup)?);
        let blobs = BlobStore::new(config.blob_store_config()).map_err(setup)?;
        let store: Arc<dyn MailStore> = remote.clone();
        let shared = Shared::new(store, blobs, server_config(config));
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let mut stop = stop_rx.clone();
        let health_at = crate::health::serve(
            config.frontend.health_listen,
            Arc::new(FrontendReady(remote)),
            async move {
                let _ = stop.changed().await;
            },
        )
        .await
        .map_err(|e| {
            setup(format!(
                "cannot listen on {}: {e}",
                config.frontend.health_listen
            ))
        })?;
        let footer = vec![
            format!("  health {health_at}"),
            format!("  metad  {}", config.frontend.metad.join(", ")),
            "Frontend ready.".to_string(),
        ];
        run_imap(config, &args, shared, (stop_tx, stop_rx), footer).await?;
        println!("Frontend stopped.");
        Ok(())
    })
}

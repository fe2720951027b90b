//! The cluster shape: `strata metad` (a replica of the metadata service) and `strata frontend`
//! (a stateless IMAP frontend). ARCHITECTURE.md "Cluster".
//!
//! ```text
//!  IMAP clients ──▶ frontend (imap-server over metad::RemoteStore) ──gRPC──▶ metad ×3
//!                       └──────────── bodies ────────────▶ object store ◀── sweep (job holder)
//!  metad: MetadService over PgStore + change relay (LISTEN/NOTIFY)
//!         + raft (strata-control: shard map, job holders) + SearchService (its shards'
//!         index, routing) + the admin API + the body sweep (when it holds the job)
//! ```

use crate::cli::CliError;
use crate::config::Config;
use crate::serve::{
    ServeArgs, init_logging, run_imap, runtime, server_config, setup, shutdown_signal,
};
use blob_store::BlobStore;
use imap_server::Shared;
use metad::{MetadService, Owner, Readiness, RemoteStore, SearchService, ShardOwners};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;
use store::{AccountId, Database, MailStore, PgStore};
use strata_control::{Control, ControlConfig};

/// A metad replica is ready when its database answers and its raft group has a leader.
struct MetadReady {
    store: Arc<dyn MailStore>,
    control: Control,
}

#[async_trait::async_trait]
impl Readiness for MetadReady {
    async fn check(&self) -> Result<(), String> {
        self.store
            .list_domains()
            .await
            .map_err(|e| format!("database: {e}"))?;
        match self.control.leader() {
            Some(_) => Ok(()),
            None => Err("the raft group has no leader".to_string()),
        }
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

/// The raft shard map, for search routing.
struct Owners {
    control: Control,
    shards: usize,
}

impl ShardOwners for Owners {
    fn owner(&self, account: AccountId) -> Owner {
        let shard = search_index::shard_of(account, self.shards) as u32;
        match self.control.shard_owner(shard) {
            Some((id, _)) if id == self.control.id() => Owner::Me,
            Some((_, addr)) => Owner::Other(addr),
            None => Owner::Unknown,
        }
    }
}

/// What the admin API asks of the cluster: reindex (routed to the shard owners) and status.
struct Hooks {
    control: Control,
    /// This replica's own `Search` service, which routes to the owners.
    search: metad::pb::search_client::SearchClient<strata_control::auth::SecretChannel>,
}

#[async_trait::async_trait]
impl strata_admin::ClusterHooks for Hooks {
    async fn reindex(&self, accounts: Vec<AccountId>) -> Result<u64, String> {
        let request = metad::pb::ReindexRequest {
            accounts: accounts.iter().map(|a| a.0).collect(),
            forwarded: false,
        };
        self.search
            .clone()
            .reindex(request)
            .await
            .map(|r| r.into_inner().bodies)
            .map_err(|s| s.message().to_string())
    }

    async fn set_setting(&self, key: &str, value: &str) -> Result<(), String> {
        self.control
            .set_setting(key, value)
            .await
            .map_err(|e| e.to_string())
    }

    async fn cluster_status(&self) -> Result<strata_admin::pb::ClusterStatus, String> {
        let s = self.control.status().await;
        Ok(strata_admin::pb::ClusterStatus {
            members: s
                .members
                .iter()
                .map(|m| strata_admin::pb::Member {
                    id: m.id,
                    addr: m.addr.clone(),
                    reachable: m.reachable.unwrap_or(false),
                    voter: m.voter,
                })
                .collect(),
            leader_id: s.leader,
            term: s.term,
            last_applied: s.last_applied.unwrap_or(0),
            shards: s.shards.into_iter().collect(),
            jobs: s.jobs.into_iter().collect(),
            settings: s.settings.into_iter().collect(),
        })
    }
}

/// This replica's raft node id: `[metad] node_id`, else the ordinal ending `STRATA_NODE_NAME`
/// (a StatefulSet pod name: `metad-0` is node 1), else 1 for a group of one.
fn node_id(config: &Config) -> Result<u64, CliError> {
    if config.metad.node_id > 0 {
        return Ok(config.metad.node_id);
    }
    if let Ok(name) = std::env::var("STRATA_NODE_NAME") {
        let ordinal = name
            .rsplit('-')
            .next()
            .and_then(|n| n.parse::<u64>().ok())
            .ok_or_else(|| {
                setup(format!(
                    "STRATA_NODE_NAME={name:?} does not end in -N; set [metad] node_id"
                ))
            })?;
        return Ok(ordinal + 1);
    }
    if config.metad.peers.len() <= 1 {
        return Ok(1);
    }
    Err(setup(
        "[metad] node_id is not set (nor STRATA_NODE_NAME) and there are several peers",
    ))
}

/// The admin API's tokens from `[metad] admin_token_sha256` and `tenant_token_sha256`.
fn admin_tokens(config: &Config) -> Result<strata_admin::Tokens, CliError> {
    let mut tokens: Vec<strata_admin::AdminToken> = config
        .metad
        .admin_token_sha256
        .iter()
        .map(|h| strata_admin::AdminToken {
            token_sha256: h.clone(),
            domain: None,
        })
        .collect();
    for t in &config.metad.tenant_token_sha256 {
        let (domain, hash) = t.rsplit_once(':').ok_or_else(|| {
            setup(format!(
                "[metad] tenant_token_sha256 entry {t:?} is not DOMAIN:SHA256HEX"
            ))
        })?;
        tokens.push(strata_admin::AdminToken {
            token_sha256: hash.to_string(),
            domain: Some(domain.to_string()),
        });
    }
    strata_admin::Tokens::new(tokens).map_err(|e| setup(format!("[metad] admin tokens: {e}")))
}

/// `[cluster] secret`, which the cluster shape requires.
fn cluster_secret(config: &Config) -> Result<String, CliError> {
    let secret = config.cluster.secret.expose();
    if secret.is_empty() {
        return Err(setup(
            "[cluster] secret is not set (STRATA_CLUSTER_SECRET): every metad and frontend of \
             a cluster needs the same secret",
        ));
    }
    Ok(secret.to_string())
}

/// How long in-flight calls (change streams included) get after SIGTERM before metad exits.
const DRAIN: Duration = Duration::from_secs(5);

/// `strata metad`: serves the MailStore API, search routing and the raft peer service on
/// `[metad] listen` (cluster members only) and the admin API on `[metad] admin_listen`, until
/// Ctrl-C or SIGTERM.
pub fn metad(config: &Config) -> Result<(), CliError> {
    init_logging(config);
    runtime()?.block_on(async {
        let secret = cluster_secret(config)?;
        let url = config.database_url();
        let dir = crate::data_dir::DataDir::open(&config.data_dir).map_err(setup)?;
        crate::sweep::apply_policy(config);
        let node = node_id(config)?;
        let advertise = if config.metad.advertise.is_empty() {
            config.metad.listen.to_string()
        } else {
            config.metad.advertise.clone()
        };
        let peers: BTreeMap<u64, String> = if config.metad.peers.is_empty() {
            BTreeMap::from([(node, advertise.clone())])
        } else {
            (1u64..).zip(config.metad.peers.iter().cloned()).collect()
        };
        let tokens = admin_tokens(config)?;
        let params = config.argon2_params()?;
        let cannot_open = |e| setup(format!("cannot open the database: {e}"));
        // Other replicas' commits reach this one's subscribers (PostgreSQL only: SQLite has
        // one process).
        let (store, _relay): (Arc<dyn MailStore>, _) =
            match Database::from_url(&url).map_err(cannot_open)? {
                Database::Postgres(url) => {
                    let pg = PgStore::open(&url, config.database.max_connections)
                        .await
                        .map_err(cannot_open)?;
                    let relay = pg
                        .start_change_relay(&url)
                        .await
                        .map_err(|e| setup(format!("cannot LISTEN for changes: {e}")))?;
                    (Arc::new(pg), Some(relay))
                }
                sqlite => (sqlite.open(1).await.map_err(cannot_open)?, None),
            };
        let blobs = BlobStore::new(config.blob_store_config()).map_err(setup)?;
        let listener = tokio::net::TcpListener::bind(config.metad.listen)
            .await
            .map_err(|e| setup(format!("cannot listen on {}: {e}", config.metad.listen)))?;
        let grpc_at = listener.local_addr().map_err(setup)?;
        let admin_listener = tokio::net::TcpListener::bind(config.metad.admin_listen)
            .await
            .map_err(|e| {
                setup(format!(
                    "cannot listen on {}: {e}",
                    config.metad.admin_listen
                ))
            })?;
        let admin_at = admin_listener.local_addr().map_err(setup)?;

        // The control plane.
        let shards = config.search.shards.max(1);
        let mut cc = ControlConfig::new(node, advertise.clone(), peers, dir.root().join("raft"));
        cc.shards = shards as u32;
        cc.lost_after = Duration::from_millis(config.metad.lost_after_ms);
        cc.secret = Some(secret.clone());
        // The sweep has one holder; reindexing is done by each search shard's owner (the raft
        // shard map), so it needs no job of its own.
        cc.jobs = vec!["sweep".to_string()];
        let control = Control::start(cc)
            .await
            .map_err(|e| setup(format!("cannot start the raft node: {e}")))?;

        // The search index: this replica keeps up the shards the raft group gives it.
        let index = Arc::new(
            search_index::SearchIndex::open(&config.index_dir(), shards)
                .map_err(|e| setup(format!("cannot open the search index: {e}")))?,
        );
        let owns = {
            let control = control.clone();
            move |a: AccountId| control.owns_shard(search_index::shard_of(a, shards) as u32)
        };
        let indexer = search_index::Indexer::new(
            store.clone(),
            blobs.clone(),
            index.clone(),
            Default::default(),
        )
        .only(owns);
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let stopped = |mut rx: tokio::sync::watch::Receiver<bool>| async move {
            let _ = rx.changed().await;
        };
        tokio::spawn(indexer.clone().run(stopped(stop_rx.clone())));
        tokio::spawn(follow_shards(control.clone(), indexer.clone()));
        tokio::spawn({
            let (config, control) = (config.clone(), control.clone());
            let (store, blobs) = (store.clone(), blobs.clone());
            async move {
                crate::sweep::every_interval(&config, store, blobs, move || {
                    control.holds_job("sweep")
                })
                .await
            }
        });
        let owners = Arc::new(Owners {
            control: control.clone(),
            shards,
        });
        let search = SearchService::new(index, indexer, owners).with_secret(Some(secret.clone()));

        // The admin API.
        let self_channel = strata_control::auth::SecretChannel::new(
            tonic::transport::Endpoint::from_shared(format!("http://{grpc_at}"))
                .map_err(setup)?
                .connect_lazy(),
            Some(&secret),
        );
        let hooks = Arc::new(Hooks {
            control: control.clone(),
            search: metad::pb::search_client::SearchClient::new(self_channel),
        });
        let hasher = move |p: &str| -> Result<(String, Option<String>), String> {
            let phc = crate::users::hash_password(p, &params).map_err(|e| e.to_string())?;
            let scram = imap_server::scram::Verifier::new(p, imap_server::scram::ITERATIONS)
                .map(|v| v.encode());
            Ok((phc, scram))
        };
        let admin = strata_admin::AdminService::new(
            strata_admin::AdminBackend {
                store: store.clone(),
                blobs: blobs.clone(),
                hooks,
                hasher: Arc::new(hasher),
            },
            tokens,
            strata_admin::AdminOptions::default(),
        );

        let ready: Arc<dyn Readiness> = Arc::new(MetadReady {
            store: store.clone(),
            control: control.clone(),
        });
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
        println!("  grpc   {grpc_at}  (cluster members: MailStore, search routing, raft)");
        println!("  admin  {admin_at}  (admin API)");
        println!("  health {health_at}");
        println!("  node   {node} (advertised as {advertise})");
        println!("metad ready.");
        tracing::info!(grpc = %grpc_at, health = %health_at, node, "metad listening");
        tokio::spawn(async move {
            shutdown_signal().await;
            let _ = stop_tx.send(true);
        });
        let members = tonic::transport::Server::builder()
            .layer(tonic::service::InterceptorLayer::new(
                strata_control::auth::require(&secret),
            ))
            .add_service(MetadService::new(store).with_readiness(ready).into_server())
            .add_service(search.into_server())
            .add_service(control.service())
            .serve_with_incoming_shutdown(incoming(listener), stopped(stop_rx.clone()));
        let operators = tonic::transport::Server::builder()
            .add_service(admin.into_server())
            .serve_with_incoming_shutdown(incoming(admin_listener), stopped(stop_rx.clone()));
        // Change streams to frontends never end by themselves: after the signal, calls get
        // DRAIN to finish, then the process leaves.
        let drained = async move {
            stopped(stop_rx).await;
            tokio::time::sleep(DRAIN).await;
        };
        tokio::select! {
            r = async { tokio::try_join!(members, operators) } => { r.map_err(setup)?; }
            _ = drained => tracing::info!("metad: calls still open after the drain time; leaving"),
        }
        control.shutdown().await;
        crate::serve::stopped_line("metad stopped.");
        Ok(())
    })
}

/// Accepted connections of a bound listener with TCP_NODELAY: a gRPC answer larger than one
/// segment otherwise waits out the peer's delayed ACK (measured: 44 ms per FETCH ENVELOPE).
/// tonic sets it only on listeners it binds itself.
fn incoming(listener: tokio::net::TcpListener) -> tonic::transport::server::TcpIncoming {
    tonic::transport::server::TcpIncoming::from(listener).with_nodelay(Some(true))
}

/// When the raft group gives this replica a shard it did not have (a claim it may act on:
/// assigned, handed over, and in touch with the group), its index catches up with the store
/// (from the watermarks it had, or from scratch).
async fn follow_shards(control: Control, indexer: search_index::Indexer) {
    let mut claims = control.claims();
    let mut had = claims.borrow_and_update().shards.clone();
    while claims.changed().await.is_ok() {
        let now = claims.borrow_and_update().shards.clone();
        if now.iter().any(|s| !had.contains(s)) {
            tracing::info!(shards = ?now, "search shards claimed by this replica; catching up");
            if let Err(e) = indexer.catch_up_all().await {
                tracing::warn!(error = %e, "search index catch-up failed");
            }
        }
        had = now;
    }
}

/// `strata frontend`: serves IMAP on `[imap]`'s listeners over the metad replicas of
/// `[frontend] metad` and the object store of `[blobs]`, until Ctrl-C or SIGTERM.
pub fn frontend(config: &Config, args: ServeArgs) -> Result<(), CliError> {
    init_logging(config);
    runtime()?.block_on(async {
        let secret = cluster_secret(config)?;
        crate::data_dir::DataDir::open(&config.data_dir).map_err(setup)?;
        let remote =
            Arc::new(RemoteStore::connect(&config.frontend.metad, Some(&secret)).map_err(setup)?);
        let blobs = BlobStore::new(config.blob_store_config()).map_err(setup)?;
        let store: Arc<dyn MailStore> = remote.clone();
        let shared =
            Shared::new(store, blobs, server_config(config)).with_remote_search(remote.clone());
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
        crate::serve::stopped_line("Frontend stopped.");
        Ok(())
    })
}

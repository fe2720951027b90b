//! `strata serve`: the all-in-one shape. Opens (creating on first start) the data dir, the
//! SQLite database, the blob folder and a self-signed certificate, then serves IMAP on the
//! cleartext and implicit-TLS listeners until Ctrl-C.

use crate::cli::CliError;
use crate::config::{Config, LogFormat};
use crate::data_dir::DataDir;
use blob_store::BlobStore;
use imap_server::{ServerConfig, Shared};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

/// Where to listen, when given on the command line (beats the config file).
#[derive(Debug, Clone, Default)]
pub struct ServeArgs {
    /// Cleartext listener.
    pub imap: Option<SocketAddr>,
    /// Implicit-TLS listener.
    pub imaps: Option<SocketAddr>,
}

pub(crate) fn setup(e: impl std::fmt::Display) -> CliError {
    CliError::Setup(e.to_string())
}

/// Session settings from the operator's config.
pub(crate) fn server_config(config: &Config) -> ServerConfig {
    let mut limits = imap_proto::Limits::default();
    limits.max_line = config.imap.max_line as usize;
    limits.max_append_literal = config.imap.max_literal;
    limits.max_command = limits
        .max_command
        .max(config.imap.max_literal.saturating_mul(4));
    ServerConfig {
        limits,
        autologout: Duration::from_secs(config.imap.autologout_secs),
        idle_keepalive: Duration::from_secs(config.imap.idle_keepalive_secs),
        auth_failure_delay: Duration::from_millis(config.auth.failure_delay_ms),
        max_connections: config.imap.max_connections as usize,
        max_connections_per_ip: config.imap.max_connections_per_ip as usize,
        trusted_proxies: config
            .imap
            .trusted_proxies
            .iter()
            .filter_map(|n| crate::config::parse_network(n))
            .collect(),
        max_sessions_per_account_ip: config.imap.max_connections_per_account_ip as usize,
        login_timeout: Duration::from_secs(config.imap.login_timeout_secs.max(1)),
        allow_plaintext_auth: config.imap.allow_plaintext_auth_non_loopback,
        accept_8bit_headers: config.imap.accept_8bit_headers_without_utf8,
        auth_failures_per_ip: config.auth.failures_per_ip_per_minute,
        auth_failures_per_user: config.auth.failures_per_account_per_minute,
        max_sessions_per_account: config.imap.max_connections_per_account as usize,
        shutdown_grace: Duration::from_secs(config.imap.shutdown_grace_secs),
        login_cache_entries: config.auth.login_cache_entries,
        login_cache_ttl: Duration::from_secs(config.auth.login_cache_ttl_secs),
        ..ServerConfig::default()
    }
}

pub(crate) fn init_logging(config: &Config) {
    let filter = tracing_subscriber::EnvFilter::try_new(&config.log.filter)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    // Colours only for a terminal: a log file or journal gets plain text.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(ansi)
        .with_writer(std::io::stderr);
    let _ = match config.log.format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Text => builder.try_init(),
    };
}

/// Checks the certificate files every `every_secs` seconds (never if 0) and on SIGHUP, and
/// puts a renewed certificate in service for new connections.
async fn reload_certificates(resolver: Arc<crate::tls::ReloadingCert>, every_secs: u64) {
    use tokio::signal::unix::{SignalKind, signal};
    let mut hangup = signal(SignalKind::hangup()).ok();
    let period = Duration::from_secs(every_secs.max(1));
    let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
    loop {
        let by_signal = tokio::select! {
            _ = tick.tick(), if every_secs > 0 => false,
            Some(()) = async { hangup.as_mut()?.recv().await } => true,
            else => return,
        };
        match resolver.reload_if_changed() {
            Ok(Some(fp)) => tracing::info!(fingerprint = %fp, "TLS certificate reloaded"),
            Ok(None) if by_signal => tracing::info!("SIGHUP: TLS certificate unchanged"),
            Ok(None) => {}
            Err(e) => {
                tracing::warn!(error = %e, "TLS certificate not reloaded; keeping the old one")
            }
        }
    }
}

/// Runs the server until Ctrl-C.
pub fn serve(config: &Config, args: ServeArgs) -> Result<(), CliError> {
    init_logging(config);
    runtime()?.block_on(async {
        let dir = DataDir::open(&config.data_dir).map_err(setup)?;
        let store = store::open(&config.database_url(), config.database.max_connections)
            .await
            .map_err(|e| setup(format!("cannot open the database: {e}")))?;
        let blobs = BlobStore::new(config.blob_store_config()).map_err(setup)?;
        crate::sweep::apply_policy(config);
        tokio::spawn({
            let (config, store, blobs) = (config.clone(), store.clone(), blobs.clone());
            async move { crate::sweep::every_interval(&config, store, blobs, || true).await }
        });
        let mut shared = Shared::new(store.clone(), blobs.clone(), server_config(config));
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        if config.search.enabled {
            let index = search_index::SearchIndex::open(&config.index_dir(), config.search.shards)
                .map_err(|e| setup(format!("cannot open the search index: {e}")))?;
            let index = Arc::new(index);
            shared = shared.with_search_index(index.clone());
            let indexer = search_index::Indexer::new(store, blobs, index, Default::default());
            let mut stop = stop_rx.clone();
            tokio::spawn(indexer.run(async move {
                let _ = stop.changed().await;
            }));
        }
        let footer = vec![
            format!("  data dir    {}", dir.root().display()),
            format!(
                "Add a user:  strata user add NAME@DOMAIN --data-dir {}",
                dir.root().display()
            ),
        ];
        run_imap(config, &args, shared, (stop_tx, stop_rx), footer).await?;
        stopped_line("Strata stopped.");
        Ok(())
    })
}

/// The last line a server prints as it exits. Whoever started it may have stopped reading its
/// output long ago (a closed pipe): that must not turn a clean stop into a panic.
pub(crate) fn stopped_line(text: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stdout(), "{text}");
}

/// A multi-threaded runtime for a server command.
pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(setup)
}

/// The two IMAP listeners of `strata serve` and `strata frontend`: loads the certificate
/// (reloading it on change and SIGHUP), binds, prints where it listens followed by `footer`,
/// and serves until Ctrl-C, which also flips `stop` for the caller's background tasks.
pub(crate) async fn run_imap(
    config: &Config,
    args: &ServeArgs,
    shared: Shared,
    stop: (
        tokio::sync::watch::Sender<bool>,
        tokio::sync::watch::Receiver<bool>,
    ),
    footer: Vec<String>,
) -> Result<(), CliError> {
    let cert = crate::tls::ensure_certificate(config).map_err(setup)?;
    let resolver = Arc::new(
        crate::tls::ReloadingCert::load(&cert.cert, &cert.key, cert.self_signed).map_err(setup)?,
    );
    let tls = crate::tls::with_resolver(resolver.clone()).map_err(setup)?;
    tokio::spawn(reload_certificates(resolver, config.tls.reload_check_secs));
    let imap_addr = args.imap.unwrap_or(config.imap.listen);
    let imaps_addr = args.imaps.unwrap_or(config.imap.listen_tls);
    let plain = tokio::net::TcpListener::bind(imap_addr)
        .await
        .map_err(|e| setup(format!("cannot listen on {imap_addr}: {e}")))?;
    let implicit = tokio::net::TcpListener::bind(imaps_addr)
        .await
        .map_err(|e| setup(format!("cannot listen on {imaps_addr}: {e}")))?;
    let (plain_at, tls_at) = (
        plain.local_addr().map_err(setup)?,
        implicit.local_addr().map_err(setup)?,
    );
    println!("Strata is listening:");
    println!("  imap  {plain_at}  (cleartext + STARTTLS; LOGIN in cleartext only from loopback)");
    println!("  imaps {tls_at}  (implicit TLS)");
    let kind = if cert.self_signed { "self-signed " } else { "" };
    println!(
        "  certificate {} ({kind}SHA-256 {})",
        cert.cert.display(),
        cert.fingerprint
    );
    for line in footer {
        println!("{line}");
    }
    tracing::info!(imap = %plain_at, imaps = %tls_at, fingerprint = %cert.fingerprint, "listening");
    let acceptor = tokio_rustls::TlsAcceptor::from(tls);
    // Ctrl-C (or SIGTERM) stops both accept loops and the caller's background tasks.
    let (tx, rx) = stop;
    tokio::spawn(async move {
        shutdown_signal().await;
        let _ = tx.send(true);
    });
    let stopped = |mut rx: tokio::sync::watch::Receiver<bool>| async move {
        let _ = rx.changed().await;
    };
    let (stop_a, stop_b) = (stopped(rx.clone()), stopped(rx));
    use imap_server::listener::{Mode, serve};
    let cleartext = Mode::Cleartext {
        starttls: Some(acceptor.clone()),
    };
    let a = serve(plain, cleartext, shared.clone(), stop_a);
    let b = serve(implicit, Mode::ImplicitTls(acceptor), shared, stop_b);
    let (ra, rb) = tokio::join!(a, b);
    ra.and(rb).map_err(setup)
}

/// Ctrl-C or SIGTERM (what Kubernetes sends before killing a pod).
pub(crate) async fn shutdown_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate()).ok();
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        Some(()) = async { term.as_mut()?.recv().await } => {}
    }
}

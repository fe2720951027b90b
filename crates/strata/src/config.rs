//! The configuration: one TOML file, every key with a default, each overridable by a
//! `STRATA_*` environment variable (ARCHITECTURE.md "Conventions").
//!
//! ```text
//!  defaults ◀── file (--config / STRATA_CONFIG) ◀── STRATA_* environment ◀── flags (--data-dir)
//!  (lowest)                                                                  (highest)
//! ```
//!
//! The environment variable of a key is `STRATA_` followed by its path in upper case with `.`
//! replaced by `_`: `data_dir` → `STRATA_DATA_DIR`, `[imap] listen` → `STRATA_IMAP_LISTEN`,
//! `[database] url` → `STRATA_DATABASE_URL`. Two short aliases match the `serve` flags:
//! `STRATA_IMAP_ADDR` (= `imap.listen`) and `STRATA_IMAPS_ADDR` (= `imap.listen_tls`).
//! Unknown keys in the file are an error naming the key; `strata.example.toml` at the
//! repository root lists every key with its default (a test keeps the two equal).

mod load;
mod secret;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use serde::{Deserialize, Serialize};

pub use load::{ConfigError, Overrides};
pub use secret::Secret;

/// The whole configuration. Every field has a default, so an empty file (or none) is valid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Where the all-in-one server keeps its state: `meta.db` (SQLite), `blobs/` (message
    /// bodies) and `tls/` (the self-signed certificate). Created with mode 0700 on first use.
    pub data_dir: PathBuf,
    /// The IMAP listeners and per-connection limits.
    pub imap: ImapConfig,
    /// The certificate for STARTTLS and implicit TLS.
    pub tls: TlsConfig,
    /// The metadata database.
    pub database: DatabaseConfig,
    /// Where message bodies are stored.
    pub blobs: BlobsConfig,
    /// Password hashing and login throttling.
    pub auth: AuthConfig,
    /// Log output.
    pub log: LogConfig,
    /// The full-text index behind SEARCH.
    pub search: SearchConfig,
    /// The cluster's metadata service (`strata metad`); unused by `strata serve`.
    pub metad: MetadConfig,
    /// The cluster's IMAP frontends (`strata frontend`); unused by `strata serve`.
    pub frontend: FrontendConfig,
    /// What every member of a cluster shares; unused by `strata serve`.
    pub cluster: ClusterConfig,
}

/// `[cluster]`: shared by every metad and frontend of one cluster.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClusterConfig {
    /// The secret every gRPC call between members carries (frontend → metad, metad → metad,
    /// raft). A metad refuses calls without it on `[metad] listen`; the admin API has its own
    /// port and tokens. Required by `strata metad` and `strata frontend` (never printed).
    pub secret: Secret,
}

/// `[metad]`: a replica of the cluster's metadata service. It serves the MailStore API to the
/// frontends and the raft control plane to the other replicas on `listen`, the admin API on
/// `admin_listen`,
/// over PostgreSQL (`[database] url`) and the object store (`[blobs]`, for the body sweep).
/// Its raft log and search-index shards live in `data_dir`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct MetadConfig {
    /// gRPC listener for cluster members (MailStore for frontends, search routing, raft among
    /// replicas); every call must carry `[cluster] secret`.
    pub listen: SocketAddr,
    /// gRPC listener of the admin API (`strata admin`), authenticated by its own tokens.
    pub admin_listen: SocketAddr,
    /// `host:port` at which the other replicas reach this one. Empty: `listen`.
    pub advertise: String,
    /// HTTP health listener: `GET /healthz` (alive) and `GET /readyz` (the database answers
    /// and the raft group has a leader).
    pub health_listen: SocketAddr,
    /// This replica's raft node id: its 1-based position in `peers`. 0: taken from the
    /// ordinal at the end of `STRATA_NODE_NAME` (a StatefulSet pod name: `metad-0` is node 1).
    pub node_id: u64,
    /// `host:port` of every replica, in node-id order (this one included). Empty: a group of
    /// one (this replica at `advertise`).
    pub peers: Vec<String>,
    /// Milliseconds a replica may be unreachable before the leader moves its search shards and
    /// background jobs to live replicas.
    pub lost_after_ms: u64,
    /// SHA-256 (lower-case hex) of each operator admin token: full access to the admin API.
    pub admin_token_sha256: Vec<String>,
    /// Tenant admin tokens, each `DOMAIN:SHA256HEX`: access to that domain's accounts only.
    pub tenant_token_sha256: Vec<String>,
}

impl Default for MetadConfig {
    fn default() -> Self {
        MetadConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 7500)),
            admin_listen: SocketAddr::from(([127, 0, 0, 1], 7510)),
            advertise: String::new(),
            health_listen: SocketAddr::from(([127, 0, 0, 1], 7580)),
            node_id: 0,
            peers: Vec::new(),
            lost_after_ms: 3000,
            admin_token_sha256: Vec::new(),
            tenant_token_sha256: Vec::new(),
        }
    }
}

/// `[frontend]`: a stateless IMAP frontend of the cluster. It serves `[imap]`'s listeners with
/// `[tls]`'s certificate, calls the metad replicas for metadata and reads and writes bodies in
/// the object store (`[blobs]`) directly.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FrontendConfig {
    /// gRPC URLs of the metad replicas (`http://host:port`); calls go to each in turn and fail
    /// over to the others.
    pub metad: Vec<String>,
    /// HTTP health listener: `GET /healthz` (alive) and `GET /readyz` (a metad replica answers).
    pub health_listen: SocketAddr,
}

impl Default for FrontendConfig {
    fn default() -> Self {
        FrontendConfig {
            metad: vec!["http://127.0.0.1:7500".to_string()],
            health_listen: SocketAddr::from(([127, 0, 0, 1], 7581)),
        }
    }
}

/// `[search]`: the tantivy index that makes text SEARCH fast (results are exact with or without
/// it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SearchConfig {
    /// Keep an index at all; without it every text SEARCH reads the messages.
    pub enabled: bool,
    /// Where it lives. Absent: `<data_dir>/index`.
    pub dir: Option<PathBuf>,
    /// Number of index shards accounts are hashed into; fixed once the index exists (change it
    /// only with a new `dir` and `strata reindex`).
    pub shards: usize,
}

impl Default for SearchConfig {
    fn default() -> Self {
        SearchConfig {
            enabled: true,
            dir: None,
            shards: 4,
        }
    }
}

impl Default for Config {
    fn default() -> Self {
        Config {
            data_dir: PathBuf::from("./strata-data"),
            imap: ImapConfig::default(),
            tls: TlsConfig::default(),
            database: DatabaseConfig::default(),
            blobs: BlobsConfig::default(),
            auth: AuthConfig::default(),
            log: LogConfig::default(),
            search: SearchConfig::default(),
            metad: MetadConfig::default(),
            frontend: FrontendConfig::default(),
            cluster: ClusterConfig::default(),
        }
    }
}

/// `[imap]`: listeners and limits (ARCHITECTURE.md invariant 6).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ImapConfig {
    /// Cleartext IMAP with STARTTLS (port 143 in production).
    pub listen: SocketAddr,
    /// Implicit TLS (port 993 in production, RFC 8314).
    pub listen_tls: SocketAddr,
    /// Allow LOGIN/AUTHENTICATE on a cleartext connection from a non-loopback peer. Off: such
    /// connections advertise LOGINDISABLED until STARTTLS (RFC 9051 §6.2.3).
    pub allow_plaintext_auth_non_loopback: bool,
    /// Accept APPEND of messages with raw 8-bit header fields from clients that did not
    /// `ENABLE UTF8=ACCEPT` (or IMAP4rev2). Off, as RFC 6855 §4 requires: they get NO. On, for
    /// migrations with tools that never enable it (mbsync, imapsync) and old mail that has them.
    pub accept_8bit_headers_without_utf8: bool,
    /// Seconds between untagged `* OK` keep-alives during IDLE, so NAT boxes do not drop the
    /// connection silently.
    pub idle_keepalive_secs: u64,
    /// Seconds of inactivity (IDLE included) before the server logs a client out. RFC 9051
    /// §5.4 requires at least 30 minutes, so values below 1800 are refused.
    pub autologout_secs: u64,
    /// Longest command line in octets, literals excluded (RFC 7162 §4 asks for at least 8192).
    pub max_line: u64,
    /// Largest literal in octets, hence the largest message APPEND accepts; advertised as
    /// `APPENDLIMIT=` (RFC 7889).
    pub max_literal: u64,
    /// Concurrent connections of the whole server (0: no limit); past it a new connection
    /// gets `* BYE` at once.
    pub max_connections: u32,
    /// Concurrent connections from one IP address (a campus NAT or a webmail host is one
    /// address for thousands of users: keep it high, and rely on the per-account limits).
    pub max_connections_per_ip: u32,
    /// Load balancers in front of the server, as addresses or networks (`"10.0.0.0/8"`): a
    /// connection from one must start with a PROXY protocol header (v1 or v2: HAProxy's
    /// `send-proxy-v2`), and the client it names is the one limits, the loopback rule and logs
    /// see. Empty: every peer is the client.
    pub trusted_proxies: Vec<String>,
    /// Concurrent authenticated sessions of one account.
    pub max_connections_per_account: u32,
    /// Concurrent authenticated sessions of one account from one IP address (Dovecot's
    /// `mail_max_userip_connections`).
    pub max_connections_per_account_ip: u32,
    /// Seconds a connection may stay without logging in (idle or in a TLS handshake) before
    /// it is dropped.
    pub login_timeout_secs: u64,
    /// On SIGTERM or Ctrl-C, seconds the server waits for sessions to finish the command in
    /// flight and say `* BYE` before it exits anyway.
    pub shutdown_grace_secs: u64,
}

impl Default for ImapConfig {
    fn default() -> Self {
        ImapConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 1143)),
            listen_tls: SocketAddr::from(([127, 0, 0, 1], 1993)),
            allow_plaintext_auth_non_loopback: false,
            accept_8bit_headers_without_utf8: false,
            idle_keepalive_secs: 120,
            autologout_secs: 1800,
            max_line: 64 * 1024,
            max_literal: 64 * 1024 * 1024,
            max_connections: 20_000,
            max_connections_per_ip: 1000,
            trusted_proxies: Vec::new(),
            max_connections_per_account: 50,
            max_connections_per_account_ip: 20,
            login_timeout_secs: 30,
            shutdown_grace_secs: 10,
        }
    }
}

/// `[tls]`: certificate and key, PEM files. Both absent: a self-signed pair is generated once
/// in `<data_dir>/tls/` (see [`crate::tls::ensure_certificate`]). Setting only one is an error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TlsConfig {
    /// Certificate chain (leaf first).
    pub cert: Option<PathBuf>,
    /// Private key (PKCS#8, PKCS#1 or SEC1).
    pub key: Option<PathBuf>,
    /// Seconds between checks of the two files for a renewed certificate, which new
    /// connections then get without a restart (SIGHUP checks at once). 0: only on SIGHUP.
    pub reload_check_secs: u64,
}

impl Default for TlsConfig {
    fn default() -> Self {
        TlsConfig {
            cert: None,
            key: None,
            reload_check_secs: 60,
        }
    }
}

/// `[database]`: the metadata database.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DatabaseConfig {
    /// `sqlite://PATH` or `postgres://USER:PASSWORD@HOST/DB`. Absent: `sqlite://<data_dir>/meta.db`.
    pub url: Option<Secret>,
    /// Size of the connection pool.
    pub max_connections: u32,
}

impl Default for DatabaseConfig {
    fn default() -> Self {
        DatabaseConfig {
            url: None,
            max_connections: 8,
        }
    }
}

/// Which kind of blob store holds the bodies.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BlobBackendKind {
    /// A local folder (`[blobs] path`).
    #[default]
    Local,
    /// An S3-compatible object store (the `s3_*` keys).
    S3,
}

/// `[blobs]`: message bodies; mirrors [`blob_store::BlobStoreConfig`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BlobsConfig {
    /// `local` or `s3`.
    pub backend: BlobBackendKind,
    /// The local folder. Absent: `<data_dir>/blobs`.
    pub path: Option<PathBuf>,
    /// Re-hash every full read and refuse a body whose SHA-256 does not match.
    pub verify_reads: bool,
    /// Seconds a failing S3 request is retried before the IMAP command fails.
    pub retry_timeout_secs: u64,
    /// Upper bound in seconds for one S3 request, body transfer included.
    pub request_timeout_secs: u64,
    /// S3 base URL, e.g. `http://127.0.0.1:9000`. Absent: AWS for `s3_region`.
    pub s3_endpoint: Option<String>,
    /// S3 bucket; it must exist already.
    pub s3_bucket: String,
    /// Region for SigV4 signing.
    pub s3_region: String,
    /// Access key id for SigV4.
    pub s3_access_key_id: String,
    /// Secret access key for SigV4 (never printed).
    pub s3_secret_access_key: Secret,
    /// Allow a plain `http://` endpoint.
    pub s3_allow_http: bool,
    /// Key prefix inside the bucket, so deployments can share one (`""` for none).
    pub s3_prefix: String,
    /// Seconds between two runs of the body sweep, which deletes bodies no message refers to
    /// (`strata serve`; in the cluster, the metad replica holding the `sweep` job).
    pub sweep_interval_secs: u64,
    /// Seconds a body must be unreferenced before the sweep deletes it.
    pub sweep_grace_secs: u64,
    /// Seconds an expunged message stays readable for sessions not told of the expunge yet
    /// (RFC 2180 §4.1); its body is kept that long, then swept.
    pub keep_expunged_secs: u64,
}

impl Default for BlobsConfig {
    fn default() -> Self {
        BlobsConfig {
            backend: BlobBackendKind::Local,
            path: None,
            verify_reads: false,
            retry_timeout_secs: blob_store::config::DEFAULT_RETRY_TIMEOUT.as_secs(),
            request_timeout_secs: blob_store::config::DEFAULT_REQUEST_TIMEOUT.as_secs(),
            s3_endpoint: None,
            s3_bucket: String::new(),
            s3_region: "us-east-1".to_string(),
            s3_access_key_id: String::new(),
            s3_secret_access_key: Secret::default(),
            s3_allow_http: false,
            s3_prefix: String::new(),
            sweep_interval_secs: 3600,
            sweep_grace_secs: 86400,
            keep_expunged_secs: (store::rules::expunge::KEEP_EXPUNGED_MS / 1000) as u64,
        }
    }
}

/// `[auth]`: password hashing (argon2id) and login throttling.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuthConfig {
    /// argon2id memory cost in KiB for new hashes. Existing hashes keep the costs they were
    /// made with (they are in the PHC string).
    pub argon2_m_cost: u32,
    /// argon2id iterations for new hashes.
    pub argon2_t_cost: u32,
    /// argon2id parallelism for new hashes.
    pub argon2_p_cost: u32,
    /// Milliseconds to wait before answering a failed login, to slow down guessing.
    pub failure_delay_ms: u64,
    /// Failed logins allowed from one IP address per minute; more are refused until the
    /// minute has passed.
    pub failures_per_ip_per_minute: u32,
    /// Failed logins allowed for one account per minute, whatever the address they come from.
    pub failures_per_account_per_minute: u32,
    /// Verified logins remembered, so that a client logging in again with the same password
    /// skips the argon2id hash (a keyed hash of name, stored hash and password is kept, never
    /// the password; a password change or a deleted account misses at once). 0 turns the
    /// cache off.
    pub login_cache_entries: usize,
    /// Seconds a verified login stays in the cache.
    pub login_cache_ttl_secs: u64,
}

impl Default for AuthConfig {
    fn default() -> Self {
        AuthConfig {
            argon2_m_cost: argon2::Params::DEFAULT_M_COST,
            argon2_t_cost: argon2::Params::DEFAULT_T_COST,
            argon2_p_cost: argon2::Params::DEFAULT_P_COST,
            failure_delay_ms: 2000,
            failures_per_ip_per_minute: 20,
            failures_per_account_per_minute: 10,
            login_cache_entries: 100_000,
            login_cache_ttl_secs: 3600,
        }
    }
}

/// Log line format.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line.
    Json,
}

/// `[log]`: log output (always on stderr).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogConfig {
    /// `text` or `json`.
    pub format: LogFormat,
    /// Which events to log, in `tracing_subscriber::EnvFilter` syntax.
    pub filter: String,
}

impl Default for LogConfig {
    fn default() -> Self {
        LogConfig {
            format: LogFormat::Text,
            filter: "info".to_string(),
        }
    }
}

impl Config {
    /// The search index's folder: `[search] dir`, or `<data_dir>/index`.
    pub fn index_dir(&self) -> PathBuf {
        self.search
            .dir
            .clone()
            .unwrap_or_else(|| self.data_dir.join(crate::data_dir::INDEX))
    }

    /// The database URL: `[database] url`, or the SQLite file in the data dir (created if
    /// missing).
    pub fn database_url(&self) -> String {
        match &self.database.url {
            Some(url) => url.expose().to_string(),
            None => format!(
                "sqlite://{}?mode=rwc",
                self.data_dir.join(crate::data_dir::META_DB).display()
            ),
        }
    }

    /// The blob-store configuration (`[blobs]`): the local folder defaults to
    /// `<data_dir>/blobs`.
    pub fn blob_store_config(&self) -> blob_store::BlobStoreConfig {
        let b = &self.blobs;
        let backend = match b.backend {
            BlobBackendKind::Local => blob_store::Backend::Local {
                root: b
                    .path
                    .clone()
                    .unwrap_or_else(|| self.data_dir.join(crate::data_dir::BLOBS)),
            },
            BlobBackendKind::S3 => blob_store::Backend::S3 {
                endpoint: b.s3_endpoint.clone(),
                bucket: b.s3_bucket.clone(),
                region: b.s3_region.clone(),
                access_key_id: b.s3_access_key_id.clone(),
                secret_access_key: b.s3_secret_access_key.expose().to_string(),
                allow_http: b.s3_allow_http,
                prefix: b.s3_prefix.clone(),
            },
        };
        blob_store::BlobStoreConfig {
            backend,
            verify_reads: b.verify_reads,
            retry_timeout: Duration::from_secs(b.retry_timeout_secs),
            request_timeout: Duration::from_secs(b.request_timeout_secs),
        }
    }

    /// The argon2id cost parameters for new password hashes (`[auth] argon2_*`), checked.
    pub fn argon2_params(&self) -> Result<argon2::Params, ConfigError> {
        let a = &self.auth;
        argon2::Params::new(a.argon2_m_cost, a.argon2_t_cost, a.argon2_p_cost, None).map_err(|e| {
            ConfigError::Invalid {
                key: "auth.argon2_*".to_string(),
                reason: e.to_string(),
            }
        })
    }
}

/// An address (`192.0.2.7`) or a network (`10.0.0.0/8`) of `[imap] trusted_proxies`.
pub fn parse_network(s: &str) -> Option<ipnet::IpNet> {
    let s = s.trim();
    s.parse::<ipnet::IpNet>()
        .ok()
        .or_else(|| s.parse::<std::net::IpAddr>().ok().map(ipnet::IpNet::from))
}

#[cfg(test)]
#[path = "config_test.rs"]
mod tests;

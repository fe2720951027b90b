//! What a session needs to know from the operator's configuration, and what it shares with
//! every other session.

use blob_store::BlobStore;
use imap_proto::Limits;
use std::sync::Arc;
use std::time::Duration;
use store::MailStore;

/// Session settings (the `strata` binary fills them from its TOML config).
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Parser limits: line length, literal sizes (APPENDLIMIT), nesting depth.
    pub limits: Limits,
    /// Idle time after which an authenticated session is logged out; never below 30 minutes
    /// (RFC 9051 §5.4), IDLE included.
    pub autologout: Duration,
    /// Idle time after which a session that has not logged in is dropped.
    pub login_timeout: Duration,
    /// Interval of the untagged `* OK` keep-alive sent during IDLE.
    pub idle_keepalive: Duration,
    /// Delay before answering a failed authentication.
    pub auth_failure_delay: Duration,
    /// Name and version returned by ID (RFC 2971).
    pub server_name: String,
    /// Most simultaneous connections of the whole server (0: no limit).
    pub max_connections: usize,
    /// Most simultaneous connections from one IP address.
    pub max_connections_per_ip: usize,
    /// Networks of the load balancers in front of the server: a connection from one of them
    /// must start with a PROXY protocol header (v1 or v2), whose source address is then the
    /// client's for limits, the loopback rule and logs.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Accept LOGIN/AUTHENTICATE on cleartext connections that are not from loopback.
    pub allow_plaintext_auth: bool,
    /// Accept APPEND of raw 8-bit header fields from clients that did not enable UTF8=ACCEPT
    /// (RFC 6855 §4 says refuse; migrations may need it).
    pub accept_8bit_headers: bool,
    /// Failed logins allowed per client address per minute (0: no limit).
    pub auth_failures_per_ip: u32,
    /// Failed logins allowed per user name per minute (0: no limit).
    pub auth_failures_per_user: u32,
    /// Most simultaneous authenticated sessions of one account (0: no limit).
    pub max_sessions_per_account: usize,
    /// Most simultaneous authenticated sessions of one account from one IP address (0: no
    /// limit), as Dovecot's `mail_max_userip_connections`.
    pub max_sessions_per_account_ip: usize,
    /// On a graceful stop, how long the listener waits for sessions to finish the command in
    /// flight and say BYE before it gives up on them.
    pub shutdown_grace: Duration,
    /// Verified logins kept by the login cache ([`crate::login_cache`]); 0 turns it off.
    pub login_cache_entries: usize,
    /// How long a verified login stays in the login cache.
    pub login_cache_ttl: Duration,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            limits: Limits::default(),
            autologout: Duration::from_secs(30 * 60),
            login_timeout: Duration::from_secs(30),
            idle_keepalive: Duration::from_secs(120),
            auth_failure_delay: Duration::from_secs(2),
            server_name: "Strata".into(),
            max_connections: 20_000,
            max_connections_per_ip: 1000,
            trusted_proxies: Vec::new(),
            allow_plaintext_auth: false,
            accept_8bit_headers: false,
            auth_failures_per_ip: 20,
            auth_failures_per_user: 10,
            max_sessions_per_account: 50,
            max_sessions_per_account_ip: 20,
            shutdown_grace: Duration::from_secs(10),
            login_cache_entries: 100_000,
            login_cache_ttl: Duration::from_secs(3600),
        }
    }
}

impl ServerConfig {
    /// The autologout timer, raised to the RFC minimum of 30 minutes if set lower.
    pub fn effective_autologout(&self) -> Duration {
        self.autologout.max(Duration::from_secs(30 * 60))
    }
}

/// What every session shares: storage and configuration.
#[derive(Clone)]
pub struct Shared {
    /// Metadata (the seam to storage).
    pub store: Arc<dyn MailStore>,
    /// Message bodies.
    pub blobs: BlobStore,
    /// Settings.
    pub config: Arc<ServerConfig>,
    /// Failed-login counters.
    pub auth_limiter: Arc<crate::limits::AuthLimiter>,
    /// Authenticated sessions per account.
    pub account_sessions: Arc<crate::limits::AccountSessions>,
    /// Who judges SEARCH's text keys: the full-text index of this node, or in the cluster the
    /// shard owners; neither: every body is read (results are exact either way).
    pub searcher: search_index::Searcher,
    /// Per mailbox, the body of every UID: maps the index's candidates to messages.
    pub uid_maps: Arc<search_index::UidMaps>,
    /// The graceful stop: sessions say BYE and the listener waits for them.
    pub stopping: crate::shutdown::Stopping,
    /// Logins verified lately (None when `login_cache_entries` is 0).
    pub login_cache: Option<Arc<crate::login_cache::LoginCache>>,
}

impl Shared {
    /// Everything sessions share, with fresh counters.
    pub fn new(store: Arc<dyn MailStore>, blobs: BlobStore, config: ServerConfig) -> Shared {
        let limiter = crate::limits::AuthLimiter::new(
            config.auth_failures_per_ip,
            config.auth_failures_per_user,
        );
        let login_cache = (config.login_cache_entries > 0).then(|| {
            Arc::new(crate::login_cache::LoginCache::new(
                config.login_cache_entries,
                config.login_cache_ttl,
            ))
        });
        Shared {
            store,
            blobs,
            login_cache,
            config: Arc::new(config),
            auth_limiter: Arc::new(limiter),
            account_sessions: Arc::default(),
            searcher: Default::default(),
            uid_maps: Arc::default(),
            stopping: Default::default(),
        }
    }

    /// Gives SEARCH an index to find candidates in (results stay exact without one).
    pub fn with_search_index(mut self, index: Arc<search_index::SearchIndex>) -> Shared {
        self.searcher = self.searcher.with_index(index);
        self
    }

    /// Gives SEARCH the cluster's shard owners to evaluate text keys on (results stay exact
    /// when they cannot answer).
    pub fn with_remote_search(mut self, remote: Arc<dyn search_index::RemoteSearch>) -> Shared {
        self.searcher = self.searcher.with_remote(remote);
        self
    }
}

/// Per-connection facts the session cannot learn from the bytes.
#[derive(Debug, Clone, Default)]
pub struct ConnectionInfo {
    /// The peer's address, for logs and rate limits.
    pub peer: Option<std::net::SocketAddr>,
    /// The connection is encrypted (implicit TLS, or after STARTTLS).
    pub tls: bool,
    /// LOGIN and AUTHENTICATE are allowed on this connection (TLS, loopback, or the operator
    /// allowed cleartext); otherwise LOGINDISABLED is advertised (RFC 9051 §6.2.3).
    pub auth_allowed: bool,
}

//! The command line: argument types (clap) and what each command does.
//!
//! ```text
//!  strata [--config FILE] [--data-dir DIR] serve | metad | frontend
//!  strata [--config FILE] [--data-dir DIR] user add USER [--password-stdin]
//!                                          user passwd USER [--password-stdin]
//!                                          user del USER
//!                                          user list
//!                                          user quota USER [--storage BYTES|none] [--messages N|none]
//!                                          reindex [USER]
//!  strata admin [--endpoint URL] [--token T] domain|account|import|export|reindex|cluster …
//! ```
//!
//! Output for scripts goes to stdout; errors are one line on stderr, exit status 1 (clap's own
//! usage errors exit with 2).

use std::io::{BufRead, IsTerminal, Read};
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::config::{Config, ConfigError, Overrides};
use crate::data_dir::DataDir;
use crate::users::{LimitChange, UserAdmin, UserError};

/// Strata, an IMAP server for many users and many domains.
#[derive(Debug, Parser)]
#[command(name = "strata", version)]
pub struct Cli {
    /// Configuration file (TOML); every key has a default, see strata.example.toml.
    #[arg(long, global = true, value_name = "FILE", env = "STRATA_CONFIG")]
    pub config: Option<PathBuf>,
    /// Data directory; beats `data_dir` in the file and STRATA_DATA_DIR.
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The top-level commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the all-in-one server: IMAP on the cleartext and implicit-TLS listeners, with the
    /// embedded defaults (SQLite, bodies and a self-signed certificate in the data dir).
    Serve {
        /// Cleartext IMAP listener (default from the config: 127.0.0.1:1143).
        #[arg(long, value_name = "ADDR", env = "STRATA_IMAP_ADDR")]
        imap: Option<std::net::SocketAddr>,
        /// Implicit-TLS IMAP listener (default from the config: 127.0.0.1:1993).
        #[arg(long, value_name = "ADDR", env = "STRATA_IMAPS_ADDR")]
        imaps: Option<std::net::SocketAddr>,
        /// Log line format, beating `[log] format`: `text` or `json` (one object per line).
        #[arg(long, value_name = "FORMAT")]
        log_format: Option<crate::config::LogFormat>,
    },
    /// Run a replica of the cluster's metadata service (`[metad]`, `[database]` PostgreSQL,
    /// `[blobs]` object store): the MailStore API for frontends, the raft control plane and
    /// the admin API on one gRPC port, health on HTTP.
    Metad {
        /// Log line format, beating `[log] format`.
        #[arg(long, value_name = "FORMAT")]
        log_format: Option<crate::config::LogFormat>,
    },
    /// Run a stateless IMAP frontend of the cluster (`[frontend]`, `[imap]`, `[tls]`,
    /// `[blobs]`).
    Frontend {
        /// Cleartext IMAP listener (beats `[imap] listen`).
        #[arg(long, value_name = "ADDR", env = "STRATA_IMAP_ADDR")]
        imap: Option<std::net::SocketAddr>,
        /// Implicit-TLS IMAP listener (beats `[imap] listen_tls`).
        #[arg(long, value_name = "ADDR", env = "STRATA_IMAPS_ADDR")]
        imaps: Option<std::net::SocketAddr>,
        /// Log line format, beating `[log] format`.
        #[arg(long, value_name = "FORMAT")]
        log_format: Option<crate::config::LogFormat>,
    },
    /// Administer a running cluster through its admin API (domains, accounts, quotas,
    /// import/export, reindex, cluster status).
    Admin(crate::admin_cli::AdminArgs),
    /// Manage accounts (USER is name@domain; domains are tenants).
    #[command(subcommand)]
    User(UserCommand),
    /// Rebuild the search index of one account, or of every account. Run it while the server
    /// is stopped (the index has one writer); searches are exact meanwhile either way.
    Reindex {
        /// name@domain; every account when left out.
        #[arg(value_name = "USER")]
        user: Option<String>,
    },
}

/// `strata user …`.
#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account with the default mailboxes (INBOX, Sent, Drafts, Trash, Junk,
    /// Archive), creating its domain if needed.
    Add(PasswordArgs),
    /// Change an account's password.
    Passwd(PasswordArgs),
    /// Delete an account and all its mail.
    Del {
        /// name@domain
        #[arg(value_name = "USER")]
        user: String,
    },
    /// List accounts with their quota limits, one per line.
    List,
    /// Set or remove quota limits (RFC 9208 STORAGE and MESSAGE).
    Quota(QuotaArgs),
}

/// USER and where the password comes from.
#[derive(Debug, Args)]
pub struct PasswordArgs {
    /// name@domain
    #[arg(value_name = "USER")]
    pub user: String,
    /// Read the password from the first line of stdin instead of asking on the terminal.
    #[arg(long)]
    pub password_stdin: bool,
}

/// `strata user quota`.
#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("limits").required(true).multiple(true))]
pub struct QuotaArgs {
    /// name@domain
    #[arg(value_name = "USER")]
    pub user: String,
    /// Storage limit in octets, or `none`.
    #[arg(long, value_name = "BYTES|none", value_parser = parse_limit, group = "limits")]
    pub storage: Option<LimitChange>,
    /// Message count limit, or `none`.
    #[arg(long, value_name = "N|none", value_parser = parse_limit, group = "limits")]
    pub messages: Option<LimitChange>,
}

/// Why a command failed; `Display` is the one line printed on stderr.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// Bad configuration.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// An account command failed.
    #[error(transparent)]
    User(#[from] UserError),
    /// Opening the data directory or the database failed.
    #[error("{0}")]
    Setup(String),
    /// The password could not be read.
    #[error("{0}")]
    Password(String),
    /// An admin API command failed.
    #[error("{0}")]
    Admin(String),
}

fn parse_limit(s: &str) -> Result<LimitChange, String> {
    if s.eq_ignore_ascii_case("none") {
        return Ok(LimitChange::Unlimited);
    }
    s.parse::<u64>()
        .map(LimitChange::Set)
        .map_err(|_| format!("{s:?} is neither a whole number nor `none`"))
}

/// Runs a parsed command line; what it prints on success goes to stdout.
pub fn run(cli: Cli) -> Result<(), CliError> {
    let overrides = Overrides {
        data_dir: cli.data_dir,
    };
    let config = Config::load(cli.config.as_deref(), &overrides)?;
    match cli.command {
        Command::Serve {
            imap,
            imaps,
            log_format,
        } => {
            let mut config = config;
            if let Some(f) = log_format {
                config.log.format = f;
            }
            crate::serve::serve(&config, crate::serve::ServeArgs { imap, imaps })
        }
        Command::Metad { log_format } => {
            let mut config = config;
            if let Some(f) = log_format {
                config.log.format = f;
            }
            crate::cluster::metad(&config)
        }
        Command::Frontend {
            imap,
            imaps,
            log_format,
        } => {
            let mut config = config;
            if let Some(f) = log_format {
                config.log.format = f;
            }
            crate::cluster::frontend(&config, crate::serve::ServeArgs { imap, imaps })
        }
        Command::Admin(args) => crate::admin_cli::run(args).map_err(CliError::Admin),
        Command::User(cmd) => user(&config, cmd),
        Command::Reindex { user } => reindex(&config, user.as_deref()),
    }
}

/// The data dir (created if needed) and the metadata database, for the offline commands.
async fn open_store(config: &Config) -> Result<std::sync::Arc<dyn store::MailStore>, CliError> {
    DataDir::open(&config.data_dir).map_err(|e| CliError::Setup(e.to_string()))?;
    store::open(&config.database_url(), config.database.max_connections)
        .await
        .map_err(|e| CliError::Setup(format!("cannot open the database: {e}")))
}

/// `strata reindex [USER]`.
fn reindex(config: &Config, user: Option<&str>) -> Result<(), CliError> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Setup(format!("cannot start the runtime: {e}")))?;
    runtime.block_on(async {
        let store = open_store(config).await?;
        let blobs = blob_store::BlobStore::new(config.blob_store_config())
            .map_err(|e| CliError::Setup(e.to_string()))?;
        let index = search_index::SearchIndex::open(&config.index_dir(), config.search.shards)
            .map_err(|e| CliError::Setup(format!("cannot open the search index: {e}")))?;
        let indexer = search_index::Indexer::new(
            store.clone(),
            blobs,
            std::sync::Arc::new(index),
            Default::default(),
        );
        let accounts = store
            .list_accounts(None)
            .await
            .map_err(|e| CliError::Setup(e.to_string()))?;
        let wanted = match user {
            Some(u) => {
                let address = crate::users::check_address(u)?;
                let found: Vec<_> = accounts
                    .into_iter()
                    .filter(|a| a.address == address)
                    .collect();
                if found.is_empty() {
                    return Err(CliError::Setup(format!("no account {address}")));
                }
                found
            }
            None => accounts,
        };
        for a in wanted {
            let n = indexer.reindex_account(a.id).await.map_err(|e| {
                CliError::Setup(format!(
                    "reindexing {} failed: {e} (is `strata serve` running on this data dir?)",
                    a.address
                ))
            })?;
            println!("reindexed {}: {n} bodies", a.address);
        }
        Ok(())
    })
}

/// `strata user …`: reads the password first (before any slow setup), then opens the store.
fn user(config: &Config, cmd: UserCommand) -> Result<(), CliError> {
    let password = match &cmd {
        UserCommand::Add(a) | UserCommand::Passwd(a) => {
            // A typo in USER is reported before anyone types a password.
            crate::users::check_address(&a.user)?;
            Some(read_password(a.password_stdin)?)
        }
        _ => None,
    };
    let params = config.argon2_params()?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Setup(format!("cannot start the runtime: {e}")))?;
    runtime.block_on(async {
        let store = open_store(config).await?;
        let admin = UserAdmin::new(store.as_ref(), params);
        let password = password.as_deref().unwrap_or_default();
        let result = match cmd {
            UserCommand::Add(a) => admin
                .add(&a.user, password)
                .await
                .map(|u| println!("added {u}")),
            UserCommand::Passwd(a) => admin
                .passwd(&a.user, password)
                .await
                .map(|u| println!("changed the password of {u}")),
            UserCommand::Del { user } => admin.delete(&user).await.map(|u| println!("deleted {u}")),
            UserCommand::List => admin.list().await.map(|accounts| {
                for a in accounts {
                    println!(
                        "{}\tstorage={}\tmessages={}",
                        a.address,
                        limit(a.quota.storage),
                        limit(a.quota.messages)
                    );
                }
            }),
            UserCommand::Quota(q) => admin
                .set_quota(
                    &q.user,
                    q.storage.unwrap_or(LimitChange::Keep),
                    q.messages.unwrap_or(LimitChange::Keep),
                )
                .await
                .map(|(u, l)| {
                    println!(
                        "{u}\tstorage={}\tmessages={}",
                        limit(l.storage),
                        limit(l.messages)
                    )
                }),
        };
        Ok(result?)
    })
}

fn limit(l: Option<u64>) -> String {
    l.map_or_else(|| "none".to_string(), |n| n.to_string())
}

/// Reads a new password: one line of stdin with `--password-stdin`, else twice from the
/// terminal without echo. A non-terminal stdin without the flag is an error, so a script never
/// hangs on a prompt.
pub(crate) fn read_password(from_stdin: bool) -> Result<String, CliError> {
    if from_stdin {
        // Bounded: a hostile stdin cannot make us buffer more than this.
        let cap = crate::users::MAX_PASSWORD_LEN as u64 + 2;
        let mut line = Vec::new();
        std::io::stdin()
            .lock()
            .take(cap + 1)
            .read_until(b'\n', &mut line)
            .map_err(|e| CliError::Password(format!("cannot read the password: {e}")))?;
        if line.len() as u64 > cap {
            return Err(CliError::Password(
                "password refused: it is longer than 1024 bytes".to_string(),
            ));
        }
        if line.last() == Some(&b'\n') {
            line.pop();
            if line.last() == Some(&b'\r') {
                line.pop();
            }
        }
        return String::from_utf8(line)
            .map_err(|_| CliError::Password("password refused: it is not UTF-8".to_string()));
    }
    if !std::io::stdin().is_terminal() {
        return Err(CliError::Password(
            "stdin is not a terminal: pass the password on stdin with --password-stdin".to_string(),
        ));
    }
    let ask = |prompt: &str| {
        rpassword::prompt_password(prompt)
            .map_err(|e| CliError::Password(format!("cannot read the password: {e}")))
    };
    let first = ask("New password: ")?;
    crate::users::check_password(&first)?;
    if ask("Retype the password: ")? != first {
        return Err(CliError::Password("the passwords do not match".to_string()));
    }
    Ok(first)
}

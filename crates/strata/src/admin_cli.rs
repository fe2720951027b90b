//! `strata admin …`: the command line of the admin gRPC API. The logic (client, mbox and
//! maildir codecs, import and export) lives in the `strata-admin` crate; this file parses
//! arguments and prints plain lines for scripts.
//!
//! ```text
//!  strata admin [--endpoint URL] [--token TOKEN] domain add|del DOMAIN | domain list
//!               account add|passwd USER [--password-stdin] | account del USER
//!               account list [DOMAIN] | account quota USER [--storage BYTES|none] [--messages N|none]
//!               import|export USER MAILBOX (--mbox FILE | --maildir DIR)
//!               reindex [USER] | cluster status
//! ```
//!
//! The endpoint and token default to `STRATA_ADMIN_ENDPOINT` and `STRATA_ADMIN_TOKEN`; prefer
//! the variable for the token, since other local users can read a command line.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use strata_admin::transfer::{export_maildir, export_mbox, import_maildir, import_mbox};
use strata_admin::{AdminClient, ClientError, LimitChange, report};

/// `strata admin`: where the admin API is, the token, and what to do.
#[derive(Debug, Args)]
pub struct AdminArgs {
    /// The admin API endpoint.
    #[arg(
        long,
        global = true,
        value_name = "URL",
        env = "STRATA_ADMIN_ENDPOINT",
        default_value = "http://127.0.0.1:7510"
    )]
    pub endpoint: String,
    /// The bearer token (an operator's, or a tenant's limited to one domain).
    #[arg(
        long,
        global = true,
        value_name = "TOKEN",
        env = "STRATA_ADMIN_TOKEN",
        hide_env_values = true
    )]
    pub token: Option<String>,
    /// What to do.
    #[command(subcommand)]
    pub command: AdminCommand,
}

/// The admin commands.
#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Manage domains (tenants).
    #[command(subcommand)]
    Domain(DomainCommand),
    /// Manage accounts (USER is name@domain).
    #[command(subcommand)]
    Account(AccountCommand),
    /// Import an mbox file or a maildir folder into a mailbox (created if missing).
    Import(TransferArgs),
    /// Export a mailbox into a new mbox file or into a maildir folder.
    Export(TransferArgs),
    /// Rebuild the search index of one account, or of every account.
    Reindex {
        /// name@domain; every account when left out (operator token only).
        #[arg(value_name = "USER")]
        user: Option<String>,
    },
    /// Cluster state.
    #[command(subcommand)]
    Cluster(ClusterCommand),
}

/// `strata admin domain …`.
#[derive(Debug, Subcommand)]
pub enum DomainCommand {
    /// Create a domain.
    Add {
        /// The domain name.
        #[arg(value_name = "DOMAIN")]
        name: String,
    },
    /// List domains, one per line.
    List,
    /// Delete a domain that has no accounts.
    Del {
        /// The domain name.
        #[arg(value_name = "DOMAIN")]
        name: String,
    },
}

/// `strata admin account …`.
#[derive(Debug, Subcommand)]
pub enum AccountCommand {
    /// Create an account with the default mailboxes (and its domain if needed).
    Add(PasswordArgs),
    /// Delete an account and all its mail.
    Del {
        /// name@domain
        #[arg(value_name = "USER")]
        user: String,
    },
    /// List accounts with their quota limits, one per line.
    List {
        /// Only this domain's accounts.
        #[arg(value_name = "DOMAIN")]
        domain: Option<String>,
    },
    /// Change an account's password.
    Passwd(PasswordArgs),
    /// Show quota limits and usage; with --storage or --messages, change the limits first.
    Quota {
        /// name@domain
        #[arg(value_name = "USER")]
        user: String,
        /// Storage limit in octets, or `none`.
        #[arg(long, value_name = "BYTES|none", value_parser = parse_limit)]
        storage: Option<LimitChange>,
        /// Message count limit, or `none`.
        #[arg(long, value_name = "N|none", value_parser = parse_limit)]
        messages: Option<LimitChange>,
    },
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

/// USER, MAILBOX and the file or folder.
#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("files").required(true).args(["mbox", "maildir"]))]
pub struct TransferArgs {
    /// name@domain
    #[arg(value_name = "USER")]
    pub user: String,
    /// The mailbox, `/` between levels (e.g. `Archive/2023`).
    #[arg(value_name = "MAILBOX")]
    pub mailbox: String,
    /// An mbox file (mboxrd; export refuses to overwrite one).
    #[arg(long, value_name = "FILE")]
    pub mbox: Option<PathBuf>,
    /// A maildir folder (cur/ and new/ are read; export writes cur/).
    #[arg(long, value_name = "DIR")]
    pub maildir: Option<PathBuf>,
}

/// `strata admin cluster …`.
#[derive(Debug, Subcommand)]
pub enum ClusterCommand {
    /// Members (leader marked), term, last applied log index, shard map and jobs.
    Status,
    /// Sets a cluster setting (replicated by the raft group).
    Set {
        /// The key (printable ASCII, no spaces).
        key: String,
        /// The value.
        value: String,
    },
}

fn parse_limit(s: &str) -> Result<LimitChange, String> {
    if s.eq_ignore_ascii_case("none") {
        return Ok(LimitChange::Unlimited);
    }
    s.parse::<u64>()
        .map(LimitChange::Set)
        .map_err(|_| format!("{s:?} is neither a whole number nor `none`"))
}

/// Runs `strata admin …`; the error is the one line to print on stderr.
pub fn run(args: AdminArgs) -> Result<(), String> {
    let token = args
        .token
        .ok_or("no admin token: set STRATA_ADMIN_TOKEN (or pass --token)")?;
    let password = match &args.command {
        AdminCommand::Account(AccountCommand::Add(p) | AccountCommand::Passwd(p)) => {
            Some(crate::cli::read_password(p.password_stdin).map_err(|e| e.to_string())?)
        }
        _ => None,
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?;
    runtime.block_on(async {
        let client = AdminClient::connect(&args.endpoint, &token)
            .await
            .map_err(|e| e.to_string())?;
        dispatch(&client, args.command, password.unwrap_or_default())
            .await
            .map_err(|e| e.to_string())
    })
}

async fn dispatch(
    client: &AdminClient,
    command: AdminCommand,
    password: String,
) -> Result<(), Failure> {
    match command {
        AdminCommand::Domain(DomainCommand::Add { name }) => {
            client.create_domain(&name).await?;
            println!("added domain {name}");
        }
        AdminCommand::Domain(DomainCommand::List) => {
            client
                .list_domains()
                .await?
                .iter()
                .for_each(|d| println!("{d}"));
        }
        AdminCommand::Domain(DomainCommand::Del { name }) => {
            client.delete_domain(&name).await?;
            println!("deleted domain {name}");
        }
        AdminCommand::Account(AccountCommand::Add(a)) => {
            let info = client.create_account(&a.user, &password).await?;
            println!("added {}", info.address);
        }
        AdminCommand::Account(AccountCommand::Del { user }) => {
            client.delete_account(&user).await?;
            println!("deleted {user}");
        }
        AdminCommand::Account(AccountCommand::List { domain }) => {
            for a in client.list_accounts(domain.as_deref()).await? {
                println!("{}", report::account_line(&a, false));
            }
        }
        AdminCommand::Account(AccountCommand::Passwd(a)) => {
            client.set_password(&a.user, &password).await?;
            println!("changed the password of {}", a.user);
        }
        AdminCommand::Account(AccountCommand::Quota {
            user,
            storage,
            messages,
        }) => {
            let info = match (storage, messages) {
                (None, None) => client.get_account(&user).await?,
                (s, m) => {
                    let keep = LimitChange::Keep;
                    client
                        .set_quota(&user, s.unwrap_or(keep), m.unwrap_or(keep))
                        .await?
                }
            };
            println!("{}", report::account_line(&info, true));
        }
        AdminCommand::Import(t) => {
            let r = match (&t.mbox, &t.maildir) {
                (Some(file), _) => import_mbox(client, &t.user, &t.mailbox, file).await?,
                (None, Some(dir)) => import_maildir(client, &t.user, &t.mailbox, dir).await?,
                (None, None) => return Err(Failure::NoFiles),
            };
            println!(
                "imported {} messages into {} {} (UIDVALIDITY {}, UIDs {}:{})",
                r.imported, t.user, t.mailbox, r.uid_validity, r.first_uid, r.last_uid
            );
        }
        AdminCommand::Export(t) => {
            let (n, path) = match (&t.mbox, &t.maildir) {
                (Some(file), _) => (export_mbox(client, &t.user, &t.mailbox, file).await?, file),
                (None, Some(dir)) => (export_maildir(client, &t.user, &t.mailbox, dir).await?, dir),
                (None, None) => return Err(Failure::NoFiles),
            };
            println!(
                "exported {n} messages from {} {} to {}",
                t.user,
                t.mailbox,
                path.display()
            );
        }
        AdminCommand::Reindex { user } => {
            let r = client.reindex(user.as_deref()).await?;
            println!("reindexed {} accounts: {} bodies", r.accounts, r.indexed);
        }
        AdminCommand::Cluster(ClusterCommand::Set { key, value }) => {
            client.set_setting(&key, &value).await?;
            println!("set {key}");
        }
        AdminCommand::Cluster(ClusterCommand::Status) => {
            let status = client.cluster_status().await?;
            report::cluster_lines(&status)
                .iter()
                .for_each(|l| println!("{l}"));
        }
    }
    Ok(())
}

/// Why an admin command failed.
#[derive(Debug, thiserror::Error)]
enum Failure {
    /// The API refused or failed, or a file could not be read or written.
    #[error(transparent)]
    Client(#[from] ClientError),
    /// Neither --mbox nor --maildir (clap's required group already prevents it).
    #[error("give --mbox FILE or --maildir DIR")]
    NoFiles,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::{CommandFactory, Parser};

    #[derive(Debug, Parser)]
    struct Wrap {
        #[command(flatten)]
        args: AdminArgs,
    }

    #[test]
    fn command_line() {
        Wrap::command().debug_assert();
        let w = Wrap::try_parse_from([
            "admin",
            "import",
            "a@b.org",
            "Archive/2023",
            "--mbox",
            "x.mbox",
            "--token",
            "t",
        ])
        .expect("import");
        assert_eq!(w.args.token.as_deref(), Some("t"));
        assert!(matches!(w.args.command, AdminCommand::Import(ref t) if t.mbox.is_some()));
        for bad in [
            &["admin", "import", "a@b.org", "INBOX"][..],
            &[
                "admin",
                "export",
                "a@b.org",
                "INBOX",
                "--mbox",
                "f",
                "--maildir",
                "d",
            ],
            &["admin", "account", "quota", "a@b.org", "--storage", "lots"],
        ] {
            assert!(Wrap::try_parse_from(bad).is_err(), "{bad:?}");
        }
        let w =
            Wrap::try_parse_from(["admin", "account", "quota", "a@b.org", "--messages", "none"])
                .expect("quota");
        assert!(matches!(
            w.args.command,
            AdminCommand::Account(AccountCommand::Quota {
                messages: Some(LimitChange::Unlimited),
                ..
            })
        ));
    }
}

//! # strata: the binary's library
//!
//! Everything the `strata` command does lives here, so that `main.rs` only parses the
//! command line and reports errors (STYLE.md §1).
//!
//! ```text
//!  main.rs ──▶ cli::run ──▶ Config::load (file ◀ STRATA_* ◀ flags)
//!                 │            └─▶ DataDir (meta.db, blobs/, tls/; mode 0700)
//!                 ├─ user … ─▶ users::UserAdmin ──▶ store::open (MailStore)
//!                 ├─ serve ──▶ serve::run_imap over SqliteStore (all-in-one)
//!                 └─ metad / frontend ──▶ cluster (metad::MetadService / metad::RemoteStore)
//!  tls::ensure_certificate ─▶ configured PEM pair, or a self-signed one ─▶ rustls ServerConfig
//! ```

pub mod admin_cli;
pub mod cli;
pub mod cluster;
pub mod config;
pub mod data_dir;
mod health;
pub mod serve;
mod sweep;
pub mod tls;
pub mod users;

pub use config::Config;
pub use data_dir::DataDir;

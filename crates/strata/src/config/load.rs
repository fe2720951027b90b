//! Loading: defaults, then the file, then `STRATA_*` variables, then command-line flags, then
//! [`Config::validate`].
//!
//! The environment is applied to the file's TOML table before it is turned into a [`Config`],
//! so a variable behaves exactly like the same key in the file. Which variables exist, and
//! whether each takes a string, an integer or a boolean, is read from a fully populated
//! `Config` serialized to TOML ([`every_key`]); there is no hand-written list to drift.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use toml::{Table, Value};

use super::{BlobBackendKind, Config, Secret};

/// Short names for two keys, matching `strata serve --imap/--imaps`.
const ALIASES: [(&str, &str); 2] = [
    ("STRATA_IMAP_ADDR", "imap.listen"),
    ("STRATA_IMAPS_ADDR", "imap.listen_tls"),
];

/// Values from command-line flags; they beat the environment and the file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Overrides {
    /// `--data-dir DIR`.
    pub data_dir: Option<PathBuf>,
}

/// Why the configuration could not be loaded. Each message fits on one line.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("config file {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The file is not valid TOML or has an unknown key or a value of the wrong type.
    #[error("config file {path}, line {line}: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// 1-based line of the problem (0 when unknown).
        line: usize,
        /// What is wrong, naming the key.
        message: String,
    },
    /// An environment variable has a value that does not fit its key.
    #[error("environment variable {var}: {message}")]
    Env {
        /// The variable.
        var: String,
        /// What is wrong.
        message: String,
    },
    /// A value is well-formed but not acceptable.
    #[error("config key {key}: {reason}")]
    Invalid {
        /// The key, e.g. `imap.autologout_secs`.
        key: String,
        /// Why it is refused.
        reason: String,
    },
}

impl Config {
    /// Loads the configuration from `file` (if any), the process environment and `overrides`,
    /// and validates it.
    pub fn load(file: Option<&Path>, overrides: &Overrides) -> Result<Config, ConfigError> {
        Config::load_with_env(file, std::env::vars_os(), overrides)
    }

    /// [`Config::load`] with an explicit environment (tests cannot safely change the process
    /// environment). Variables not starting with `STRATA_` are ignored, and so are
    /// `STRATA_*` variables that name no key (`STRATA_CONFIG`, test settings…).
    pub fn load_with_env(
        file: Option<&Path>,
        env: impl IntoIterator<Item = (OsString, OsString)>,
        overrides: &Overrides,
    ) -> Result<Config, ConfigError> {
        let mut table = match file {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
                    path: path.to_path_buf(),
                    source,
                })?;
                parse_file(path, &text)?
            }
            None => Table::new(),
        };
        apply_env(&mut table, env)?;
        let mut config: Config = table.try_into().map_err(|e| ConfigError::Env {
            var: "STRATA_*".to_string(),
            message: one_line(e.message()),
        })?;
        if let Some(dir) = &overrides.data_dir {
            config.data_dir = dir.clone();
        }
        config.validate()?;
        Ok(config)
    }

    /// Parses a configuration file's text (no environment, no validation); `origin` names it
    /// in errors.
    pub fn from_toml_str(origin: &Path, text: &str) -> Result<Config, ConfigError> {
        let table = parse_file(origin, text)?;
        table.try_into().map_err(|e| ConfigError::Parse {
            path: origin.to_path_buf(),
            line: 0,
            message: one_line(e.message()),
        })
    }

    /// Checks the values that are well-typed but unusable.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let invalid = |key: &str, reason: String| {
            Err(ConfigError::Invalid {
                key: key.to_string(),
                reason,
            })
        };
        let imap = &self.imap;
        if imap.autologout_secs < 1800 {
            return invalid(
                "imap.autologout_secs",
                format!(
                    "must be at least 1800 (RFC 9051 §5.4), got {}",
                    imap.autologout_secs
                ),
            );
        }
        if imap.idle_keepalive_secs == 0 || imap.idle_keepalive_secs >= imap.autologout_secs {
            return invalid(
                "imap.idle_keepalive_secs",
                "must be above 0 and below imap.autologout_secs".to_string(),
            );
        }
        if let Some(bad) = imap
            .trusted_proxies
            .iter()
            .find(|n| super::parse_network(n).is_none())
        {
            return invalid(
                "imap.trusted_proxies",
                format!("{bad:?} is neither an address nor a network (\"10.0.0.0/8\")"),
            );
        }
        if imap.max_line < 8192 {
            return invalid("imap.max_line", "must be at least 8192".to_string());
        }
        if imap.max_literal == 0 {
            return invalid("imap.max_literal", "must be above 0".to_string());
        }
        if imap.max_connections_per_ip == 0 || imap.max_connections_per_account == 0 {
            return invalid("imap.max_connections_*", "must be above 0".to_string());
        }
        if imap.listen == imap.listen_tls {
            return invalid(
                "imap.listen_tls",
                format!("is the same address as imap.listen ({})", imap.listen),
            );
        }
        if self.tls.cert.is_some() != self.tls.key.is_some() {
            return invalid("tls", "set both cert and key, or neither".to_string());
        }
        if self.database.max_connections == 0 {
            return invalid("database.max_connections", "must be above 0".to_string());
        }
        if self.blobs.backend == BlobBackendKind::S3 {
            for (key, value) in [
                ("blobs.s3_bucket", &self.blobs.s3_bucket),
                ("blobs.s3_access_key_id", &self.blobs.s3_access_key_id),
                ("blobs.s3_region", &self.blobs.s3_region),
            ] {
                if value.is_empty() {
                    return invalid(key, "is required when blobs.backend = \"s3\"".to_string());
                }
            }
        }
        self.argon2_params()?;
        Ok(())
    }
}

/// Parses a file into a table, checking it against [`Config`] first so that errors carry the
/// line number (an unknown key is reported with its name).
fn parse_file(path: &Path, text: &str) -> Result<Table, ConfigError> {
    let err = |e: toml::de::Error| {
        let before = e.span().and_then(|s| text.get(..s.start));
        let mut message = one_line(e.message());
        if let Some(key) = before.and_then(|b| key_at(text, b.len()))
            && !message.contains(key.rsplit('.').next().unwrap_or(&key))
        {
            message = format!("{key}: {message}");
        }
        ConfigError::Parse {
            path: path.to_path_buf(),
            line: before.map_or(0, |b| b.matches('\n').count() + 1),
            message,
        }
    };
    toml::from_str::<Config>(text).map_err(err)?;
    text.parse::<Table>().map_err(err)
}

/// The dotted key (`imap.listen`) assigned on the line that contains byte `offset`, so that a
/// bad value is reported with its key.
fn key_at(text: &str, offset: usize) -> Option<String> {
    let start = text.get(..offset)?.rfind('\n').map_or(0, |i| i + 1);
    let line = text.get(start..)?.lines().next()?;
    let key = line.split_once('=')?.0.trim().trim_matches('"');
    let section = text.get(..start)?.lines().rev().find_map(|l| {
        let l = l.trim();
        l.strip_prefix('[')?.strip_suffix(']').map(str::trim)
    });
    Some(match section {
        Some(section) => format!("{section}.{key}"),
        None => key.to_string(),
    })
}

/// Every key path (`["imap", "listen"]`) with a value of its TOML type.
pub(super) fn every_key() -> Vec<(Vec<String>, Value)> {
    let mut full = Config::default();
    full.tls.cert = Some(PathBuf::from("cert.pem"));
    full.tls.key = Some(PathBuf::from("key.pem"));
    full.database.url = Some(Secret::new("sqlite://meta.db"));
    full.blobs.path = Some(PathBuf::from("blobs"));
    full.blobs.s3_endpoint = Some("http://127.0.0.1:9000".to_string());
    full.metad.peers = vec!["127.0.0.1:7500".to_string()];
    full.cluster.secret = Secret::new("cluster-secret");
    full.metad.admin_token_sha256 = vec!["0".repeat(64)];
    full.metad.tenant_token_sha256 = vec![format!("example.org:{}", "0".repeat(64))];
    let mut out = Vec::new();
    // A Config always serializes (strings, integers, booleans and tables only).
    if let Ok(table) = Table::try_from(&full) {
        flatten(&mut Vec::new(), table, &mut out);
    }
    out
}

fn flatten(prefix: &mut Vec<String>, table: Table, out: &mut Vec<(Vec<String>, Value)>) {
    for (key, value) in table {
        prefix.push(key);
        match value {
            Value::Table(t) => flatten(prefix, t, out),
            leaf => out.push((prefix.clone(), leaf)),
        }
        prefix.pop();
    }
}

/// The variable for a key path: `["imap", "listen"]` → `STRATA_IMAP_LISTEN`.
pub(super) fn env_name(path: &[String]) -> String {
    format!("STRATA_{}", path.join("_").to_uppercase())
}

/// Writes each `STRATA_*` variable that names a key into `table`, converted to the key's type.
fn apply_env(
    table: &mut Table,
    env: impl IntoIterator<Item = (OsString, OsString)>,
) -> Result<(), ConfigError> {
    let vars: Vec<(String, OsString)> = env
        .into_iter()
        .filter_map(|(k, v)| Some((k.into_string().ok()?, v)))
        .filter(|(k, _)| k.starts_with("STRATA_"))
        .collect();
    let lookup = |name: &str| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v);
    for (path, sample) in every_key() {
        let name = env_name(&path);
        let dotted = path.join(".");
        let alias = ALIASES
            .iter()
            .find(|(_, key)| *key == dotted)
            .map(|(a, _)| *a);
        let value = match (lookup(&name), alias.and_then(|a| lookup(a).map(|v| (a, v)))) {
            (Some(_), Some((a, _))) => {
                return Err(ConfigError::Env {
                    var: a.to_string(),
                    message: format!("{name} is set too; set only one"),
                });
            }
            (Some(v), None) => (name, v),
            (None, Some((a, v))) => (a.to_string(), v),
            (None, None) => continue,
        };
        let (var, raw) = value;
        let env_err = |message: String| ConfigError::Env {
            var: var.clone(),
            message,
        };
        let text = raw
            .to_str()
            .ok_or_else(|| env_err("not valid UTF-8".to_string()))?;
        let converted = match sample {
            Value::Integer(_) => text
                .trim()
                .parse::<i64>()
                .map(Value::Integer)
                .map_err(|_| env_err(format!("{text:?} is not an integer")))?,
            Value::Boolean(_) => match text.trim() {
                "true" | "1" => Value::Boolean(true),
                "false" | "0" => Value::Boolean(false),
                _ => return Err(env_err(format!("{text:?} is not true or false"))),
            },
            // A list: comma-separated (`STRATA_METAD_PEERS=a:7500,b:7500`).
            Value::Array(_) => Value::Array(
                text.split(',')
                    .map(str::trim)
                    .filter(|t| !t.is_empty())
                    .map(|t| Value::String(t.to_string()))
                    .collect(),
            ),
            _ => Value::String(text.to_string()),
        };
        check_alone(&path, &converted).map_err(env_err)?;
        insert(table, &path, converted);
    }
    Ok(())
}

/// Checks one value on top of the defaults, so a bad variable is reported by name.
fn check_alone(path: &[String], value: &Value) -> Result<(), String> {
    let mut alone = Table::new();
    insert(&mut alone, path, value.clone());
    alone
        .try_into::<Config>()
        .map(|_| ())
        .map_err(|e| one_line(e.message()))
}

fn insert(table: &mut Table, path: &[String], value: Value) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let mut t = table;
    for p in parents {
        let entry = t
            .entry(p.clone())
            .or_insert_with(|| Value::Table(Table::new()));
        if !entry.is_table() {
            *entry = Value::Table(Table::new());
        }
        let Value::Table(inner) = entry else { return };
        t = inner;
    }
    t.insert(last.clone(), value);
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

//! Tests of the configuration: defaults, the example file, precedence, unknown keys.

use std::ffi::OsString;
use std::path::{Path, PathBuf};

use super::load::{env_name, every_key};
use super::*;

const EXAMPLE: &str = include_str!("../../../strata.example.toml");

fn env(pairs: &[(&str, &str)]) -> Vec<(OsString, OsString)> {
    pairs
        .iter()
        .map(|(k, v)| (OsString::from(k), OsString::from(v)))
        .collect()
}

fn write(dir: &Path, text: &str) -> PathBuf {
    let path = dir.join("strata.toml");
    std::fs::write(&path, text).expect("write config");
    path
}

/// No file, no environment: the documented defaults.
#[test]
fn defaults() {
    let c = Config::load_with_env(None, env(&[]), &Overrides::default()).expect("load");
    assert_eq!(c, Config::default());
    assert_eq!(c.data_dir, PathBuf::from("./strata-data"));
    assert_eq!(c.imap.listen.to_string(), "127.0.0.1:1143");
    assert_eq!(c.imap.listen_tls.to_string(), "127.0.0.1:1993");
    assert_eq!(c.imap.autologout_secs, 1800);
    assert_eq!(c.imap.idle_keepalive_secs, 120);
    assert_eq!(c.database_url(), "sqlite://./strata-data/meta.db?mode=rwc");
    assert_eq!(
        c.blob_store_config(),
        blob_store::BlobStoreConfig::local("./strata-data/blobs")
    );
    c.argon2_params().expect("default argon2 params");
}

/// The example file parses and equals the defaults, so it cannot drift from the code.
#[test]
fn example_file_equals_defaults() {
    let c = Config::from_toml_str(Path::new("strata.example.toml"), EXAMPLE).expect("parse");
    assert_eq!(c, Config::default());
}

/// Every key (optional ones as a commented line) appears in the example file.
#[test]
fn example_file_lists_every_key() {
    let mut section = String::new();
    let mut seen = Vec::new();
    for line in EXAMPLE.lines() {
        let line = line.trim_start_matches("# ").trim();
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            section = name.to_string();
        } else if let Some((key, _)) = line.split_once(" = ") {
            let key = key.trim();
            seen.push(if section.is_empty() {
                key.to_string()
            } else {
                format!("{section}.{key}")
            });
        }
    }
    let keys = every_key();
    assert!(keys.len() >= 30, "{}", keys.len());
    for (path, _) in keys {
        let dotted = path.join(".");
        assert!(seen.contains(&dotted), "{dotted} missing from the example");
    }
}

/// file < env < flag, key by key.
#[test]
fn precedence() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let file = write(
        tmp.path(),
        "data_dir = \"/from/file\"\n[imap]\nlisten = \"0.0.0.0:143\"\nmax_line = 10000\n\
         [auth]\nargon2_m_cost = 64\n",
    );
    // File only.
    let c = Config::load_with_env(Some(&file), env(&[]), &Overrides::default()).expect("load");
    assert_eq!(c.data_dir, PathBuf::from("/from/file"));
    assert_eq!(c.imap.listen.to_string(), "0.0.0.0:143");
    assert_eq!(c.auth.argon2_m_cost, 64);
    assert_eq!(c.auth.argon2_t_cost, 2, "untouched keys keep their default");
    // Environment beats the file.
    let e = env(&[
        ("STRATA_DATA_DIR", "/from/env"),
        ("STRATA_IMAP_MAX_LINE", "20000"),
        ("STRATA_DATABASE_URL", "postgres://u:p@db/strata"),
        ("STRATA_IMAP_ALLOW_PLAINTEXT_AUTH_NON_LOOPBACK", "true"),
        ("STRATA_CONFIG", "ignored, names no key"),
        ("HOME", "/root"),
    ]);
    let c = Config::load_with_env(Some(&file), e.clone(), &Overrides::default()).expect("load");
    assert_eq!(c.data_dir, PathBuf::from("/from/env"));
    assert_eq!(c.imap.max_line, 20000);
    assert_eq!(c.imap.listen.to_string(), "0.0.0.0:143", "file value stays");
    assert!(c.imap.allow_plaintext_auth_non_loopback);
    assert_eq!(c.database_url(), "postgres://u:p@db/strata");
    // The flag beats both.
    let flags = Overrides {
        data_dir: Some(PathBuf::from("/from/flag")),
    };
    let c = Config::load_with_env(Some(&file), e, &flags).expect("load");
    assert_eq!(c.data_dir, PathBuf::from("/from/flag"));
    assert_eq!(c.database_url(), "postgres://u:p@db/strata");
}

/// The short aliases work, and conflict with their long names.
#[test]
fn aliases() {
    let c = Config::load_with_env(
        None,
        env(&[
            ("STRATA_IMAP_ADDR", "0.0.0.0:143"),
            ("STRATA_IMAPS_ADDR", "0.0.0.0:993"),
        ]),
        &Overrides::default(),
    )
    .expect("load");
    assert_eq!(c.imap.listen.to_string(), "0.0.0.0:143");
    assert_eq!(c.imap.listen_tls.to_string(), "0.0.0.0:993");
    let both = env(&[
        ("STRATA_IMAP_ADDR", "0.0.0.0:143"),
        ("STRATA_IMAP_LISTEN", "0.0.0.0:144"),
    ]);
    let err = Config::load_with_env(None, both, &Overrides::default()).expect_err("conflict");
    assert!(err.to_string().contains("STRATA_IMAP_ADDR"), "{err}");
}

/// An unknown key is refused, naming the key and its line.
#[test]
fn unknown_key_rejected() {
    let tmp = tempfile::tempdir().expect("tempdir");
    for (text, key, line) in [
        ("bogus = 1\n", "bogus", 1),
        (
            "[imap]\nlisten = \"127.0.0.1:1\"\nlisten_tsl = \"x\"\n",
            "listen_tsl",
            3,
        ),
        ("[nosuchsection]\n", "nosuchsection", 1),
    ] {
        let file = write(tmp.path(), text);
        let err =
            Config::load_with_env(Some(&file), env(&[]), &Overrides::default()).expect_err(text);
        let msg = err.to_string();
        assert!(msg.contains(key), "{msg}");
        assert!(msg.contains(&format!("line {line}")), "{msg}");
        assert!(!msg.contains('\n'), "one line: {msg}");
    }
}

/// Bad values are refused with the key or variable named.
#[test]
fn bad_values_rejected() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let cases = [
        ("[imap]\nautologout_secs = 60\n", "imap.autologout_secs"),
        (
            "[imap]\ntrusted_proxies = [\"10.0.0.0/8\", \"haproxy\"]\n",
            "imap.trusted_proxies",
        ),
        ("[metad]\nsweep_grace_secs = 1\n", "sweep_grace_secs"),
        ("[imap]\nlisten = \"nonsense\"\n", "listen"),
        ("[tls]\ncert = \"c.pem\"\n", "tls"),
        ("[log]\nformat = \"xml\"\n", "xml"),
        ("[blobs]\nbackend = \"s3\"\n", "blobs.s3_bucket"),
        ("[auth]\nargon2_m_cost = 1\n", "auth.argon2"),
        ("[imap]\nmax_line = -5\n", "max_line"),
    ];
    for (text, needle) in cases {
        let file = write(tmp.path(), text);
        let err =
            Config::load_with_env(Some(&file), env(&[]), &Overrides::default()).expect_err(text);
        assert!(err.to_string().contains(needle), "{text}: {err}");
    }
    for (var, value) in [
        ("STRATA_IMAP_MAX_LINE", "lots"),
        ("STRATA_IMAP_LISTEN", "nonsense"),
        ("STRATA_BLOBS_VERIFY_READS", "yes please"),
        ("STRATA_LOG_FORMAT", "xml"),
    ] {
        let err = Config::load_with_env(None, env(&[(var, value)]), &Overrides::default())
            .expect_err(var);
        assert!(err.to_string().contains(var), "{err}");
    }
}

/// S3 settings map onto blob-store's configuration; secrets stay out of Debug output.
#[test]
fn s3_blobs_and_secrets() {
    let text = "[blobs]\nbackend = \"s3\"\ns3_endpoint = \"http://127.0.0.1:9000\"\n\
                s3_bucket = \"mail\"\ns3_access_key_id = \"AKID\"\n\
                s3_secret_access_key = \"hunter2\"\ns3_allow_http = true\n\
                [database]\nurl = \"postgres://u:pw@db/x\"\n";
    let c = Config::from_toml_str(Path::new("t.toml"), text).expect("parse");
    c.validate().expect("valid");
    let b = c.blob_store_config();
    assert!(matches!(
        b.backend,
        blob_store::Backend::S3 { ref bucket, ref secret_access_key, allow_http: true, .. }
            if bucket == "mail" && secret_access_key == "hunter2"
    ));
    let debug = format!("{c:?}");
    assert!(
        !debug.contains("hunter2") && !debug.contains("pw@"),
        "{debug}"
    );
}

#[test]
fn env_names() {
    assert_eq!(env_name(&["data_dir".into()]), "STRATA_DATA_DIR");
    assert_eq!(
        env_name(&["database".into(), "url".into()]),
        "STRATA_DATABASE_URL"
    );
}

/// The cluster configs shipped in deploy/ load as the binary reads them: the one-machine
/// cluster of the README as written, and the Kubernetes ones with the environment their pods
/// get (the manifests pass the S3 location, keys, database URL and node name as variables).
#[test]
fn deploy_configs_load() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../deploy");
    for n in 1..=3 {
        let file = root.join(format!("local/metad{n}.toml"));
        let c = Config::load_with_env(Some(&file), env(&[]), &Overrides::default())
            .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        assert_eq!(c.metad.node_id, n);
        assert_eq!(c.metad.peers.len(), 3);
        assert_eq!(c.metad.peers[n as usize - 1], c.metad.listen.to_string());
        assert_eq!(c.metad.admin_token_sha256.len(), 1);
        assert_eq!(c.metad.admin_listen.port(), 7510 + n as u16);
        assert!(!c.cluster.secret.expose().is_empty());
    }
    for n in 1..=2 {
        let file = root.join(format!("local/frontend{n}.toml"));
        let c = Config::load_with_env(Some(&file), env(&[]), &Overrides::default())
            .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        assert_eq!(c.frontend.metad.len(), 3);
        assert!(!c.cluster.secret.expose().is_empty());
    }
    let pod_env = env(&[
        ("STRATA_DATA_DIR", "/var/lib/strata"),
        (
            "STRATA_DATABASE_URL",
            "postgres://strata:pw@postgres:5432/strata",
        ),
        ("STRATA_BLOBS_S3_ENDPOINT", "https://s3.example.org"),
        ("STRATA_BLOBS_S3_BUCKET", "mail"),
        ("STRATA_BLOBS_S3_REGION", "us-east-1"),
        ("STRATA_BLOBS_S3_ALLOW_HTTP", "false"),
        ("STRATA_BLOBS_S3_ACCESS_KEY_ID", "key"),
        ("STRATA_BLOBS_S3_SECRET_ACCESS_KEY", "secret"),
        ("STRATA_METAD_ADVERTISE", "metad-1.metad:7500"),
        ("STRATA_CLUSTER_SECRET", "pod-secret"),
        ("STRATA_METAD_ADMIN_TOKEN_SHA256", &"ab".repeat(32)),
    ]);
    let c = Config::load_with_env(
        Some(&root.join("base/metad.toml")),
        pod_env.clone(),
        &Overrides::default(),
    )
    .expect("deploy/base/metad.toml");
    assert_eq!(c.metad.peers.len(), 3);
    assert_eq!(c.metad.advertise, c.metad.peers[1]);
    assert_eq!(c.metad.admin_token_sha256, vec!["ab".repeat(32)]);
    assert_eq!(c.search.shards, 8);
    assert_eq!(c.cluster.secret.expose(), "pod-secret");
    let c = Config::load_with_env(
        Some(&root.join("base/frontend.toml")),
        pod_env,
        &Overrides::default(),
    )
    .expect("deploy/base/frontend.toml");
    assert_eq!(c.imap.listen.port(), 143);
    assert_eq!(c.imap.listen_tls.port(), 993);
}

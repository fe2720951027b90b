//! Tests of the certificate handling.

use super::*;

fn config_in(dir: &Path) -> Config {
    Config {
        data_dir: dir.join("data"),
        ..Config::default()
    }
}

/// First start generates a pair in <data_dir>/tls; the next start reuses it; rustls accepts it.
#[test]
fn self_signed_generated_once_and_reused() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let config = config_in(tmp.path());
    let first = ensure_certificate(&config).expect("generate");
    assert!(first.generated && first.self_signed);
    assert_eq!(first.cert, config.data_dir.join("tls/cert.pem"));
    assert_eq!(first.fingerprint.len(), 32 * 3 - 1, "{}", first.fingerprint);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&first.key)
            .expect("key")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let second = ensure_certificate(&config).expect("reuse");
    assert!(!second.generated);
    assert_eq!(second.fingerprint, first.fingerprint);
    server_config(&second.cert, &second.key).expect("rustls ServerConfig");
}

/// A damaged generated pair is replaced rather than failing the start.
#[test]
fn broken_self_signed_is_regenerated() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let config = config_in(tmp.path());
    let first = ensure_certificate(&config).expect("generate");
    std::fs::write(&first.key, "garbage").expect("write");
    let again = ensure_certificate(&config).expect("regenerate");
    assert!(again.generated);
    assert_ne!(again.fingerprint, first.fingerprint);
}

/// A configured pair is used as is, and its fingerprint matches the leaf.
#[test]
fn configured_pair_is_used() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (cert, key) = (tmp.path().join("c.pem"), tmp.path().join("k.pem"));
    generate(&cert, &key, "mail.example.org").expect("generate");
    let mut config = config_in(tmp.path());
    config.tls.cert = Some(cert.clone());
    config.tls.key = Some(key.clone());
    let info = ensure_certificate(&config).expect("configured");
    assert!(!info.self_signed && !info.generated);
    let der = CertificateDer::from_pem_file(&cert).expect("pem");
    assert_eq!(info.fingerprint, fingerprint(&der));
    assert!(!config.data_dir.join("tls/cert.pem").exists());
}

/// A key that belongs to another certificate, or a file that is not PEM, is an error.
#[test]
fn mismatched_or_bad_files_are_refused() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let p = |n: &str| tmp.path().join(n);
    generate(&p("c1.pem"), &p("k1.pem"), "a.example").expect("generate");
    generate(&p("c2.pem"), &p("k2.pem"), "b.example").expect("generate");
    assert!(server_config(&p("c1.pem"), &p("k2.pem")).is_err());
    std::fs::write(p("bad.pem"), "not pem").expect("write");
    assert!(server_config(&p("bad.pem"), &p("k1.pem")).is_err());
    assert!(server_config(&p("missing.pem"), &p("k1.pem")).is_err());
}

#[test]
fn fingerprint_format() {
    let f = fingerprint(b"abc");
    assert!(f.starts_with("BA:78:16:BF:"), "{f}");
}

/// A renewed pair is put in service by `reload_if_changed`; an unchanged one is not reloaded;
/// a mismatched pair (key of another certificate) is refused and the old one stays.
#[test]
fn reload_picks_up_a_renewed_certificate_and_keeps_the_old_on_error() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (cert, key) = (tmp.path().join("c.pem"), tmp.path().join("k.pem"));
    generate(&cert, &key, "one.example").expect("first pair");
    let r = ReloadingCert::load(&cert, &key, false).expect("load");
    let first = r.fingerprint();
    assert_eq!(first, fingerprint_file(&cert).unwrap());
    assert_eq!(r.reload_if_changed().expect("check"), None);
    // Renewal: a new pair at the same paths (the mtime may not move within a second, the
    // length check and the later write make sure the change is seen).
    std::thread::sleep(Duration::from_millis(1100));
    generate(&cert, &key, "two.example.org").expect("second pair");
    let second = r
        .reload_if_changed()
        .expect("reload")
        .expect("a new certificate");
    assert_ne!(second, first);
    assert_eq!(r.fingerprint(), second);
    assert_eq!(r.reload_if_changed().expect("check"), None);
    // Half a renewal: a new chain with the old key.
    let (c3, k3) = (tmp.path().join("c3.pem"), tmp.path().join("k3.pem"));
    generate(&c3, &k3, "three.example").expect("third pair");
    std::thread::sleep(Duration::from_millis(1100));
    std::fs::copy(&c3, &cert).expect("replace the chain only");
    assert!(r.reload_if_changed().is_err(), "mismatched key refused");
    assert_eq!(
        r.fingerprint(),
        second,
        "the old certificate stays in service"
    );
    std::fs::copy(&k3, &key).expect("now the key");
    let third = r
        .reload_if_changed()
        .expect("reload")
        .expect("complete pair");
    assert_eq!(third, fingerprint_file(&c3).unwrap());
}

use super::*;

const NONCE: &str = "rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0";
const FINAL: &str = "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=";

fn rfc7677_verifier(password: &str) -> Verifier {
    let salt = B64.decode("W22ZaJ0SNY7soEsUEjb6gQ==").unwrap();
    Verifier::with_salt(password, salt, 4096).unwrap()
}

fn rfc7677_exchange(password: &str) -> (Exchange, String) {
    let first = ClientFirst::parse(b"n,,n=user,r=rOprNGfwEbeRWgbNEkqO").unwrap();
    assert_eq!(first.username, "user");
    first.challenge_with_nonce(rfc7677_verifier(password), "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0")
}

/// RFC 7677 §3: the example exchange, message for message.
#[test]
fn rfc7677_example() {
    let (exchange, server_first) = rfc7677_exchange("pencil");
    assert_eq!(
        server_first,
        format!("r={NONCE},s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096")
    );
    assert_eq!(
        exchange.finish(FINAL.as_bytes()).unwrap(),
        "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4="
    );
}

#[test]
fn wrong_password_or_tampered_messages_fail() {
    let (exchange, _) = rfc7677_exchange("pencil2");
    assert_eq!(
        exchange.finish(FINAL.as_bytes()),
        Err(ScramError::InvalidProof)
    );
    let (exchange, _) = rfc7677_exchange("pencil");
    let other_nonce = FINAL.replace("k0,p=", "k1,p=");
    assert_eq!(
        exchange.finish(other_nonce.as_bytes()),
        Err(ScramError::Malformed("nonce differs"))
    );
    let bound = FINAL.replace("c=biws", "c=eSws");
    assert!(matches!(
        exchange.finish(bound.as_bytes()),
        Err(ScramError::Malformed(_))
    ));
    assert!(matches!(
        exchange.finish(b"c=biws"),
        Err(ScramError::Malformed(_))
    ));
    let short = FINAL.replace("p=dHzb", "p=");
    assert!(exchange.finish(short.as_bytes()).is_err());
}

#[test]
fn client_first_grammar() {
    let f = ClientFirst::parse(b"n,a=al=2Cice=3D,n=al=2Cice=3D,r=abc,x=1").unwrap();
    assert_eq!(f.username, "al,ice=");
    assert!(ClientFirst::parse(b"y,,n=bob,r=x").is_ok());
    for (bad, want) in [
        (&b"p=tls-unique,,n=bob,r=x"[..], ScramError::ChannelBinding),
        (b"n,a=eve,n=bob,r=x", ScramError::Authorization),
        (
            b"n,,m=ext,n=bob,r=x",
            ScramError::Malformed("unsupported mandatory extension"),
        ),
        (b"n,,n=bob", ScramError::Malformed("no valid nonce")),
        (b"n,,n=bob,r=a,b", ScramError::Malformed("bad extension")),
        (
            b"n,,n=b=2Xob,r=x",
            ScramError::Malformed("bad escape in a name"),
        ),
        (b"n,,n=,r=x", ScramError::Malformed("empty name")),
        (
            b"x,,n=bob,r=x",
            ScramError::Malformed("bad channel binding flag"),
        ),
        (b"n,n=bob,r=x", ScramError::Malformed("bad authzid")),
        (b"n", ScramError::Malformed("no gs2 header")),
        (b"n,,n=bob,r=\xff", ScramError::Malformed("not UTF-8")),
    ] {
        assert_eq!(
            ClientFirst::parse(bad),
            Err(want),
            "{:?}",
            String::from_utf8_lossy(bad)
        );
    }
}

/// A channel-binding flag of `y` must come back in `c=` exactly (RFC 5802 §6).
#[test]
fn gs2_header_is_echoed_in_channel_binding() {
    let first = ClientFirst::parse(b"y,,n=user,r=rOprNGfwEbeRWgbNEkqO").unwrap();
    let (exchange, _) =
        first.challenge_with_nonce(rfc7677_verifier("pencil"), "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0");
    // c=biws is "n,," — not what this client sent.
    assert!(matches!(
        exchange.finish(FINAL.as_bytes()),
        Err(ScramError::Malformed(
            "channel binding differs from the gs2 header"
        ))
    ));
}

#[test]
fn verifier_round_trips_rfc5803_and_rejects_junk() {
    let v = rfc7677_verifier("pencil");
    let text = v.encode();
    assert!(
        text.starts_with("SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$"),
        "{text}"
    );
    assert_eq!(Verifier::decode(&text), Some(v));
    for junk in [
        "",
        "SCRAM-SHA-1$4096:c2FsdA==$a:b",
        "SCRAM-SHA-256$0:c2FsdA==$AAAA:AAAA",
        "SCRAM-SHA-256$4096:c2FsdA==$AAAA:AAAA",
        "$argon2id$v=19$m=19456,t=2,p=1$abc$def",
    ] {
        assert_eq!(Verifier::decode(junk), None, "{junk}");
    }
    // Fresh verifiers get fresh salts; SASLprep maps non-ASCII spaces and refuses controls.
    let a = Verifier::new("pencil", 4096).unwrap();
    let b = Verifier::new("pencil", 4096).unwrap();
    assert_ne!(a.salt, b.salt);
    let salt = B64.decode("W22ZaJ0SNY7soEsUEjb6gQ==").unwrap();
    assert_eq!(
        Verifier::with_salt("a\u{00A0}b", salt.clone(), 4096),
        Verifier::with_salt("a b", salt, 4096)
    );
    assert_eq!(Verifier::new("a\u{0007}b", 4096), None);
}

/// An unknown user gets the same salt every time, and no proof matches it.
#[test]
fn decoy_is_stable_and_matches_nothing() {
    let a = Verifier::decoy("Nobody@example.org");
    let b = Verifier::decoy("nobody@example.org");
    assert_eq!(a.salt, b.salt);
    assert_ne!(a.salt, Verifier::decoy("other@example.org").salt);
    let first = ClientFirst::parse(b"n,,n=user,r=rOprNGfwEbeRWgbNEkqO").unwrap();
    let (exchange, _) = first.challenge_with_nonce(a, "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0");
    assert_eq!(
        exchange.finish(FINAL.as_bytes()),
        Err(ScramError::InvalidProof)
    );
}

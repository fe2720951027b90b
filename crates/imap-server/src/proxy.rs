//! The PROXY protocol (HAProxy's, versions 1 and 2) for connections from trusted proxies: a load
//! balancer in front of Strata (HAProxy, a Kubernetes ingress, a cloud NLB) opens every
//! connection itself, so without it every client would have the balancer's address and the
//! per-address limits, the loopback-only cleartext login and the logs would all be wrong.
//!
//! ```text
//!  peer in [imap] trusted_proxies? ── no ──▶ the peer is the client
//!        │ yes
//!        ▼
//!  "PROXY …\r\n" (v1) or "\r\n\r\n\0\r\nQUIT\n" + header (v2), before anything else (TLS too)
//!        ├─ PROXY/TCP: the client is the header's source address
//!        ├─ LOCAL (v2) / UNKNOWN (v1): the balancer's own check: the peer itself
//!        └─ anything else, or nothing within the login timeout: the connection is closed
//! ```
//!
//! The header is read to its last octet and no further (the IMAP greeting is the server's to
//! send first, so a client sends nothing after it until then). Parsing is ppp's.

use std::net::SocketAddr;
use tokio::io::AsyncReadExt;
use tokio::net::TcpStream;

/// The v2 signature (12 octets), then version/command, family/protocol and a 2-octet length.
const V2_SIGNATURE: &[u8; 12] = b"\r\n\r\n\0\r\nQUIT\n";
/// A v1 header is at most 107 octets (the specification's bound), CRLF included.
const V1_MAX: usize = 107;
/// Largest v2 header accepted (TLVs included): HAProxy sends tens of octets.
const V2_MAX: usize = 4096;

/// True if `peer` is one of `trusted`.
pub(crate) fn trusted(trusted: &[ipnet::IpNet], peer: SocketAddr) -> bool {
    trusted.iter().any(|n| n.contains(&peer.ip()))
}

/// Reads the PROXY header a trusted proxy sends first and returns the client's address (or
/// `peer` for a health check).
pub(crate) async fn client_address(
    stream: &mut TcpStream,
    peer: SocketAddr,
) -> std::io::Result<SocketAddr> {
    let bad = |what: String| std::io::Error::new(std::io::ErrorKind::InvalidData, what);
    let mut head = [0u8; 5];
    stream.read_exact(&mut head).await?;
    if &head == b"PROXY" {
        let mut line = head.to_vec();
        while !line.ends_with(b"\r\n") {
            if line.len() >= V1_MAX {
                return Err(bad("PROXY v1 header longer than 107 octets".into()));
            }
            line.push(stream.read_u8().await?);
        }
        return match ppp::v1::Header::try_from(line.as_slice()) {
            Ok(h) => Ok(match h.addresses {
                ppp::v1::Addresses::Tcp4(a) => SocketAddr::from((a.source_address, a.source_port)),
                ppp::v1::Addresses::Tcp6(a) => SocketAddr::from((a.source_address, a.source_port)),
                ppp::v1::Addresses::Unknown => peer,
            }),
            Err(e) => Err(bad(format!("PROXY v1 header: {e}"))),
        };
    }
    let mut fixed = [0u8; 16];
    fixed[..5].copy_from_slice(&head);
    stream.read_exact(&mut fixed[5..]).await?;
    if &fixed[..12] != V2_SIGNATURE {
        return Err(bad(
            "a trusted proxy's connection without a PROXY header".into()
        ));
    }
    let len = usize::from(u16::from_be_bytes([fixed[14], fixed[15]]));
    if 16 + len > V2_MAX {
        return Err(bad(format!("PROXY v2 header of {} octets", 16 + len)));
    }
    let mut header = fixed.to_vec();
    header.resize(16 + len, 0);
    stream.read_exact(&mut header[16..]).await?;
    let h = ppp::v2::Header::try_from(header.as_slice())
        .map_err(|e| bad(format!("PROXY v2 header: {e}")))?;
    Ok(match (h.command, h.addresses) {
        (ppp::v2::Command::Local, _) => peer,
        (_, ppp::v2::Addresses::IPv4(a)) => SocketAddr::from((a.source_address, a.source_port)),
        (_, ppp::v2::Addresses::IPv6(a)) => SocketAddr::from((a.source_address, a.source_port)),
        // A UNIX socket or an unspecified family: nothing better than the proxy itself.
        (_, ppp::v2::Addresses::Unix(_) | ppp::v2::Addresses::Unspecified) => peer,
    })
}

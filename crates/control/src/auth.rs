//! The cluster secret: every gRPC call between cluster members (frontend → metad, metad →
//! metad, raft peers) carries it in the `x-strata-cluster-secret` header, and a metad refuses
//! calls without it on its cluster port. The admin API has its own port and its own tokens.
//!
//! ```text
//!  client: SecretChannel (adds the header) ──▶ server: Server::builder().layer(require(secret))
//! ```

use std::task::{Context, Poll};
use tonic::codegen::Service;
use tonic::codegen::http::{HeaderValue, Request, Response};
use tonic::transport::Channel;

/// The header that carries the secret.
pub const HEADER: &str = "x-strata-cluster-secret";

/// A [`Channel`] that adds the cluster secret to every request.
#[derive(Clone, Debug)]
pub struct SecretChannel {
    inner: Channel,
    secret: Option<HeaderValue>,
}

impl SecretChannel {
    /// Wraps `inner`; with `secret` `None` (or empty) requests go out unchanged.
    pub fn new(inner: Channel, secret: Option<&str>) -> SecretChannel {
        let secret = secret
            .filter(|s| !s.is_empty())
            .and_then(|s| HeaderValue::from_str(s).ok());
        SecretChannel { inner, secret }
    }
}

impl Service<Request<tonic::body::Body>> for SecretChannel {
    type Response = Response<tonic::body::Body>;
    type Error = tonic::transport::Error;
    type Future = <Channel as Service<Request<tonic::body::Body>>>::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        Service::poll_ready(&mut self.inner, cx)
    }

    fn call(&mut self, mut req: Request<tonic::body::Body>) -> Self::Future {
        if let Some(v) = &self.secret {
            req.headers_mut().insert(HEADER, v.clone());
        }
        self.inner.call(req)
    }
}

/// The server side: an interceptor that refuses (`UNAUTHENTICATED`) every call whose header
/// is not `secret`, compared in constant time. For `Server::builder().layer(
/// tonic::service::InterceptorLayer::new(require(secret)))`.
pub fn require(
    secret: &str,
) -> impl Fn(tonic::Request<()>) -> Result<tonic::Request<()>, tonic::Status>
+ Clone
+ Send
+ Sync
+ 'static {
    let want: std::sync::Arc<[u8]> = secret.as_bytes().into();
    move |req: tonic::Request<()>| {
        let got = req
            .metadata()
            .get(HEADER)
            .map(|v| v.as_bytes())
            .unwrap_or_default();
        if !want.is_empty() && constant_time_eq(got, &want) {
            Ok(req)
        } else {
            Err(tonic::Status::unauthenticated(
                "this port serves cluster members only (missing or wrong cluster secret)",
            ))
        }
    }
}

/// Equal bytes, in time that depends only on the lengths.
fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_secret_is_required_and_compared() {
        let check = require("s3cret");
        let mut ok = tonic::Request::new(());
        ok.metadata_mut().insert(HEADER, "s3cret".parse().unwrap());
        assert!(check(ok).is_ok());
        let mut wrong = tonic::Request::new(());
        wrong
            .metadata_mut()
            .insert(HEADER, "s3cres".parse().unwrap());
        assert!(check(wrong).is_err());
        assert!(check(tonic::Request::new(())).is_err());
        // An empty configured secret admits nobody.
        let mut empty = tonic::Request::new(());
        empty.metadata_mut().insert(HEADER, "".parse().unwrap());
        assert!(require("")(empty).is_err());
    }
}

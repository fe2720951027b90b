//! The HTTP health endpoints of `strata metad` and `strata frontend`, for load balancers and
//! Kubernetes probes: `GET /healthz` answers 200 while the process runs; `GET /readyz` answers
//! 200 when the process can serve (its [`Readiness`] check passes) and 503 with the reason
//! otherwise.

use axum::Router;
use axum::http::StatusCode;
use axum::routing::get;
use metad::Readiness;
use std::net::SocketAddr;
use std::sync::Arc;

/// Binds `addr` and serves the two endpoints until `stop` resolves. Returns the bound address
/// (useful with port 0) once listening.
pub(crate) async fn serve(
    addr: SocketAddr,
    ready: Arc<dyn Readiness>,
    stop: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<SocketAddr> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let bound = listener.local_addr()?;
    let app = Router::new()
        .route("/healthz", get(|| async { "ok\n" }))
        .route(
            "/readyz",
            get(move || {
                let ready = ready.clone();
                async move {
                    match ready.check().await {
                        Ok(()) => (StatusCode::OK, "ready\n".to_string()),
                        Err(why) => (
                            StatusCode::SERVICE_UNAVAILABLE,
                            format!("not ready: {why}\n"),
                        ),
                    }
                }
            }),
        );
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app)
            .with_graceful_shutdown(stop)
            .await
        {
            tracing::warn!(error = %e, "health endpoint stopped");
        }
    });
    Ok(bound)
}

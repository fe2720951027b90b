//! The body sweep on a timer, in both shapes: `strata serve` runs it always, a metad replica
//! when it holds the cluster's `sweep` job. Bodies no message refers to (expunged mail once
//! it is no longer readable, bodies of appends that never committed) are deleted after
//! `[blobs] sweep_grace_secs` ([`blob_store::BlobStore::sweep`] holds the rules).

use crate::config::Config;
use blob_store::BlobStore;
use std::sync::Arc;
use std::time::Duration;
use store::MailStore;

/// Applies the store-side policy of `[blobs]` (how long expunged messages stay readable) to
/// this process, before its store serves anything.
pub(crate) fn apply_policy(config: &Config) {
    let ms = config.blobs.keep_expunged_secs.saturating_mul(1000);
    store::rules::expunge::set_keep_expunged_ms(i64::try_from(ms).unwrap_or(i64::MAX));
}

/// Sweeps every `[blobs] sweep_interval_secs` (the first time one interval after start) while
/// `may_run()` says so; never returns.
pub(crate) async fn every_interval(
    config: &Config,
    store: Arc<dyn MailStore>,
    blobs: BlobStore,
    may_run: impl Fn() -> bool + Send + 'static,
) {
    let every = Duration::from_secs(config.blobs.sweep_interval_secs.max(1));
    let grace = Duration::from_secs(config.blobs.sweep_grace_secs);
    let mut tick = tokio::time::interval(every);
    tick.tick().await;
    loop {
        tick.tick().await;
        if !may_run() {
            continue;
        }
        let report = blobs
            .sweep(grace, &store::bodies::SweepRefs(store.as_ref()))
            .await;
        tracing::info!(
            deleted = report.deleted,
            live = report.live,
            candidates = report.candidates,
            failed = report.delete_failed.len(),
            aborted = report.aborted.as_ref().map(|a| a.to_string()),
            "body sweep done"
        );
    }
}

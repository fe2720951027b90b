//! The blob-store conformance suite, run by the same code against every backend.
//!
//! Each scenario in [`suite`] and [`sweep_suite`] takes a freshly built `(guard, store)` from a
//! builder in [`backends`] (STYLE.md §4). The [`conformance!`] macro instantiates every scenario
//! once per backend, so `cargo test -p blob-store local::` or `s3::` runs one backend.
//!
//! The S3 backend runs against a real `s3s-fs` process (SigV4-verifying S3 server) started per
//! test on a loopback port. It must be on `PATH`:
//! `cargo install s3s-fs@0.14.1 --features binary --locked`. Without it the S3 tests fail.

mod backends;
mod suite;
mod sweep_suite;

/// Instantiates each named scenario for each backend as a `#[tokio::test]`.
macro_rules! conformance {
    ($($module:ident :: $scenario:ident),* $(,)?) => {
        mod local {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $scenario() {
                    crate::backends::init_tracing();
                    let (guard, store) = crate::backends::local(true).await;
                    crate::$module::$scenario(&guard, &store).await;
                }
            )*
        }
        mod s3 {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $scenario() {
                    crate::backends::init_tracing();
                    let (guard, store) = crate::backends::s3(true).await;
                    crate::$module::$scenario(&guard, &store).await;
                }
            )*
        }
    };
}

conformance!(
    suite::round_trip,
    suite::dedup_stores_once,
    suite::range_reads_at_the_edges,
    suite::missing_blob_is_not_found,
    suite::concurrent_puts_of_same_content,
    suite::put_stream_small_and_failed,
    suite::fifty_megabytes,
    suite::corruption_is_detected,
    suite::backend_down_is_unavailable,
    sweep_suite::sweep_deletes_only_old_unreferenced,
    sweep_suite::list_and_sweep_page_past_1000,
);

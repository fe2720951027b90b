//! The storage conformance suite: the invariants of ARCHITECTURE.md and the `MailStore`
//! contract, proved by the same code on every implementation — SQLite (a temporary file),
//! PostgreSQL (a throw-away database on the server named by `STRATA_TEST_PG_URL`, which
//! `.ci/run` starts; the tests fail, never skip, without it) and `RemoteStore` over gRPC to a
//! metad on loopback serving such a database.

mod cases;
mod crash;
mod harness;

/// Instantiates every case once per implementation.
macro_rules! suite {
    ($($case:ident),* $(,)?) => {
        suite!(@on sqlite: $($case),*);
        suite!(@on postgres: $($case),*);
        suite!(@on remote: $($case),*);
    };
    (@on $backend:ident: $($case:ident),*) => {
        mod $backend {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
                async fn $case() {
                    let (guard, store) = crate::harness::$backend().await;
                    crate::cases::$case(store, &guard).await;
                }
            )*
        }
    };
}

suite!(
    concurrent_appends_get_ascending_uids_and_modseqs,
    multiappend_is_atomic,
    changes_since_reports_exactly_what_happened,
    store_flags_honours_unchanged_since,
    quota_stays_exact_across_copy_move_expunge,
    accounts_are_isolated,
    mailbox_tree_rename_delete_subscribe,
    inbox_rename_moves_messages,
    concurrent_renames_serialize,
    recent_is_claimed_once,
    change_feed_publishes_commits,
    credentials_keep_password_and_scram_together,
    fetch_meta_is_fetch_without_facts,
    scattered_fetch_and_uid_blobs,
    expunged_messages_stay_readable_for_a_while,
    keywords_per_mailbox_are_limited,
    kill_9_during_appends_loses_nothing_acknowledged,
    failed_append_leaves_no_dangling_body,
    sweep_never_breaks_a_racing_append,
    uids_run_out_cleanly,
);

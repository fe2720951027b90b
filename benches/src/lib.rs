//! Strata's benchmarks live in this package's `[[bench]]` targets (criterion, `harness = false`,
//! except `store`, which prints its own medians):
//!
//! * `parse`: command parsing throughput (`cargo bench -p strata-benches --bench parse`);
//! * `fetch_write`: FETCH response writing: ENVELOPE, BODYSTRUCTURE, bodies, UID/FLAGS/MODSEQ;
//! * `mailbox`: flag updates (STORE of 1/100/1,000 messages) and the select snapshot of a
//!   10,000-message mailbox, on SQLite;
//! * `store`: appends per second and snapshot/changes-since latency on SQLite and PostgreSQL.
//!
//! The Python scripts next to them compare Strata with Dovecot side by side:
//! `search_bench.py` (SEARCH on 100,000 messages) and `load_compare.py` (the load generator's
//! mix at 1, 50 and 500 clients, memory of idle connections); results in docs/benchmarks.md.
//!
//! The library itself is empty; it exists so that the benchmarks have a package to belong to.

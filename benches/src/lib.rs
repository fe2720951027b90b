//! Strata's benchmarks live in this package's `[[bench]]` targets (criterion, `harness = false`):
//!
//! * `parse`: command parsing throughput (`cargo bench -p strata-benches --bench parse`).
//!
//! The library itself is empty; it exists so that the benchmarks have a package to belong to.

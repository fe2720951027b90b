//! Per-command counts, errors and latencies, merged over clients and reported as a table or
//! JSON.

use serde::Serialize;
use std::collections::BTreeMap;
use std::time::Duration;

/// What one client (or the whole run) recorded.
#[derive(Debug, Default, Clone)]
pub struct Stats {
    /// Latencies in microseconds of successful commands, by operation name.
    pub latencies: BTreeMap<&'static str, Vec<u32>>,
    /// Failed operations (NO/BAD where OK was due, protocol errors, timeouts), by name.
    pub errors: BTreeMap<&'static str, u64>,
    /// State inconsistencies found (each with what was seen), at most a few kept verbatim.
    pub inconsistencies: u64,
    /// The first problems, for the report.
    pub samples: Vec<String>,
}

/// How many problem descriptions a run keeps.
const SAMPLES: usize = 20;

impl Stats {
    /// Records a successful operation.
    pub fn ok(&mut self, op: &'static str, took: Duration) {
        self.latencies
            .entry(op)
            .or_default()
            .push(took.as_micros().min(u32::MAX as u128) as u32);
    }

    /// Records a failed operation.
    pub fn error(&mut self, op: &'static str, what: String) {
        *self.errors.entry(op).or_default() += 1;
        self.sample(format!("{op}: {what}"));
    }

    /// Records a state inconsistency.
    pub fn inconsistent(&mut self, what: String) {
        self.inconsistencies += 1;
        self.sample(format!("inconsistent: {what}"));
    }

    fn sample(&mut self, s: String) {
        if self.samples.len() < SAMPLES {
            self.samples.push(s);
        }
    }

    /// Adds `other` into `self`.
    pub fn merge(&mut self, other: Stats) {
        for (op, mut v) in other.latencies {
            self.latencies.entry(op).or_default().append(&mut v);
        }
        for (op, n) in other.errors {
            *self.errors.entry(op).or_default() += n;
        }
        self.inconsistencies += other.inconsistencies;
        for s in other.samples {
            self.sample(s);
        }
    }

    /// The summary over `elapsed` of measured time.
    pub fn report(&self, clients: usize, elapsed: Duration) -> Report {
        let secs = elapsed.as_secs_f64().max(1e-9);
        let mut ops = BTreeMap::new();
        let names: std::collections::BTreeSet<&str> = self
            .latencies
            .keys()
            .chain(self.errors.keys())
            .copied()
            .collect();
        for name in names {
            let mut v = self.latencies.get(name).cloned().unwrap_or_default();
            v.sort_unstable();
            let pct = |p: f64| -> f64 {
                if v.is_empty() {
                    return 0.0;
                }
                let i = ((v.len() - 1) as f64 * p).round() as usize;
                f64::from(v[i]) / 1000.0
            };
            ops.insert(
                name.to_string(),
                OpReport {
                    count: v.len() as u64,
                    errors: self.errors.get(name).copied().unwrap_or(0),
                    per_sec: v.len() as f64 / secs,
                    p50_ms: pct(0.50),
                    p90_ms: pct(0.90),
                    p99_ms: pct(0.99),
                    max_ms: v.last().map_or(0.0, |m| f64::from(*m) / 1000.0),
                },
            );
        }
        let total: u64 = ops.values().map(|o| o.count).sum();
        Report {
            clients,
            seconds: secs,
            total_ops: total,
            total_per_sec: total as f64 / secs,
            errors: self.errors.values().sum(),
            inconsistencies: self.inconsistencies,
            ops,
            samples: self.samples.clone(),
        }
    }
}

/// One operation's figures.
#[derive(Debug, Clone, Serialize)]
pub struct OpReport {
    /// Successful operations.
    pub count: u64,
    /// Failed operations.
    pub errors: u64,
    /// Successful operations per second.
    pub per_sec: f64,
    /// Median latency.
    pub p50_ms: f64,
    /// 90th percentile.
    pub p90_ms: f64,
    /// 99th percentile.
    pub p99_ms: f64,
    /// Slowest.
    pub max_ms: f64,
}

/// A run's figures.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Concurrent clients.
    pub clients: usize,
    /// Measured seconds.
    pub seconds: f64,
    /// Successful operations.
    pub total_ops: u64,
    /// Successful operations per second.
    pub total_per_sec: f64,
    /// Failed operations.
    pub errors: u64,
    /// State inconsistencies.
    pub inconsistencies: u64,
    /// Per operation.
    pub ops: BTreeMap<String, OpReport>,
    /// The first problems seen.
    pub samples: Vec<String>,
}

impl Report {
    /// A fixed-width table.
    pub fn table(&self) -> String {
        let mut out = format!(
            "{} clients, {:.1} s: {} ops ({:.1}/s), {} errors, {} inconsistencies\n",
            self.clients,
            self.seconds,
            self.total_ops,
            self.total_per_sec,
            self.errors,
            self.inconsistencies
        );
        out.push_str(&format!(
            "{:<15} {:>9} {:>7} {:>10} {:>9} {:>9} {:>9} {:>9}\n",
            "command", "ok", "errors", "ops/s", "p50 ms", "p90 ms", "p99 ms", "max ms"
        ));
        for (name, o) in &self.ops {
            out.push_str(&format!(
                "{:<15} {:>9} {:>7} {:>10.1} {:>9.2} {:>9.2} {:>9.2} {:>9.2}\n",
                name, o.count, o.errors, o.per_sec, o.p50_ms, o.p90_ms, o.p99_ms, o.max_ms
            ));
        }
        for s in &self.samples {
            out.push_str(&format!("  ! {s}\n"));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_and_merge() {
        let mut a = Stats::default();
        for ms in 1..=100u64 {
            a.ok("fetch", Duration::from_millis(ms));
        }
        let mut b = Stats::default();
        b.error("fetch", "NO".into());
        b.inconsistent("flag lost".into());
        a.merge(b);
        let r = a.report(2, Duration::from_secs(10));
        let f = &r.ops["fetch"];
        assert_eq!((f.count, f.errors), (100, 1));
        assert!((f.per_sec - 10.0).abs() < 1e-9);
        assert!((f.p50_ms - 51.0).abs() < 1e-9, "{}", f.p50_ms);
        assert!((f.p99_ms - 99.0).abs() < 1e-9);
        assert!((f.max_ms - 100.0).abs() < 1e-9);
        assert_eq!((r.errors, r.inconsistencies), (1, 1));
        assert_eq!(r.samples.len(), 2);
        assert!(r.table().contains("fetch"));
    }
}

#!/usr/bin/env python3
"""Load comparison: Strata all-in-one vs. Dovecot, throughput under a command mix and memory
per idle connection, on the same machine in one run.

Step by step:

 1. raises RLIMIT_NOFILE (and RLIMIT_NPROC) to the hard limit, so that the servers and the
    load generator inherit it, and says so if the hard limit is below 2 × N + 1000 for
    N = --idle-connections;
 2. builds `target/release/strata` and `target/release/strata-loadgen` (skip with --no-build)
    and copies both into the work dir, so that a build during the run cannot swap them;
 3. creates --users accounts (load1@example.org ...) in a fresh Strata data dir (cheap argon2
    costs, high connection limits: see STRATA_CONFIG) and in the passwd-file of a throw-away
    Dovecot (maildir, {PLAIN} passwords, one `imap` process per connection, imap-login in its
    high-performance mode and the process limits raised for N connections), starts both, and
    fills every INBOX with `strata-loadgen prepare --messages M` (same seed, so the same
    bytes on both servers);
 4. throughput: for each client count in --clients, --rounds rounds of `strata-loadgen run`
    (--duration measured seconds after --warmup seconds, connections spread over 8 loopback
    source addresses) against each server, alternating which goes first. Prints per command
    the median over rounds of ops/s and of the p50 and p99 latencies, and Strata/Dovecot. A
    run with errors or inconsistencies has its samples printed and makes the exit status 1;
 5. memory of idle connections: restarts each server on its data and runs `strata-loadgen
    idle --connections N` (every connection logs in, SELECTs INBOX and sits in IDLE for
    --hold seconds). Memory is sampled before, and a few times during the hold (the maximum
    is kept): Strata's VmRSS; for Dovecot the sum of PSS over the master and every
    descendant, since it runs one process per connection. Dovecot is measured twice: as is,
    and with `imap_hibernate_timeout = 5s` (idle connections move into the imap-hibernate
    process; sampled from 10 s after every connection is idling). If MemAvailable is too
    small for N imap processes, N is reduced for Dovecot without hibernation, and the
    output says so;
 6. prints the machine, the versions and the command line, and with --markdown FILE writes
    everything as a Markdown section for docs/benchmarks.md (and the raw figures to
    FILE.json).

The cluster shape (two frontends, metad, PostgreSQL, S3) is not measured: it does not exist
yet. Stdlib only (Python 3.11). Run as root (Dovecot is started as root with its own config on
a free loopback port; the system's Dovecot is never touched). The default settings take about
15 minutes and need some GB of free memory for 10,000 Dovecot processes.

usage: python3 benches/load_compare.py [--quick] [--no-build] [--markdown FILE] [--keep]
       [--clients 1,50,500] [--rounds 3] [--duration 20] [--warmup 3] [--users 20]
       [--messages 200] [--idle-connections 10000] [--hold 20] [--workdir DIR]
"""
import argparse
import datetime
import json
import os
import resource
import shlex
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no benches/__pycache__ from importing the helper
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_servers import (REPO, Dovecot, DovecotLimits, Strata, log,  # noqa: E402
                           inotify_instances, machine_info, meminfo, raise_fd_limit,
                           raise_inotify_instances,
                           restore_inotify_instances, strata_user_add, vmrss_kb)

USER, PASSWORD = "load{n}@example.org", "load-password"
SOURCE_IPS = 8
HIBERNATE = "5s"
HIBERNATE_SETTLE = 10  # seconds after every connection idles before sampling
# Strata: connection limits above the test's and cheap password hashes (Dovecot's side uses
# {PLAIN} passwords; 10,000 logins at argon2's default cost would take minutes of CPU).
STRATA_CONFIG = """[imap]
max_connections_per_ip = 20000
max_connections_per_account = 20000

[auth]
argon2_m_cost = 256
argon2_t_cost = 1
argon2_p_cost = 1
failures_per_ip_per_minute = 100000
"""
# Memory budgeted per Dovecot imap process when checking MemAvailable: about twice the PSS
# of one idle imap process (540 KB measured with 500 connections, Dovecot 2.3.19).
DOVECOT_KB_PER_CONN = 1024
MIX_NOTE = ("The default mix holds each IDLE for 300 ms (3 % of the operations), so one client "
            "cannot go much above 100 ops/s whatever the server: with few clients, compare the "
            "latencies. Strata runs with its default log filter (`info`, one line per command "
            "into its log file); Dovecot logs logins and logouts.")
DEFAULTS = {"clients": "1,50,500", "rounds": 3, "duration": 20, "warmup": 3, "users": 20,
            "messages": 200, "idle_connections": 10000, "hold": 20}
QUICK = {"clients": "1,4", "rounds": 1, "duration": 3, "warmup": 1, "users": 2,
         "messages": 20, "idle_connections": 50, "hold": 2}


class Bench:
    """The run's state: binaries, work dir, servers to stop, and what went wrong."""

    def __init__(self, args, work):
        self.args = args
        self.work = work
        self.loadgen = os.path.join(work, "strata-loadgen")
        self.strata_bin = os.path.join(work, "strata")
        self.strata_conf = os.path.join(work, "strata.toml")
        self.strata_data = os.path.join(work, "strata-data")
        self.dovecot_dir = os.path.join(work, "dovecot")
        self.users = {USER.replace("{n}", str(i)): PASSWORD for i in range(1, args.users + 1)}
        self.servers = []
        self.problems = []  # errors and inconsistencies: exit status 1
        self.notes = []     # things the reader should know

    # -- servers ---------------------------------------------------------------------------

    def start_strata(self, label):
        srv = Strata(self.strata_bin, self.strata_data,
                     os.path.join(self.work, f"strata-{label}.log"), self.strata_conf)
        srv.label = f"Strata ({label})"
        self.servers.append(srv)
        return srv

    def start_dovecot(self, label, connections, hibernate=None):
        srv = Dovecot(self.dovecot_dir, self.users, DovecotLimits(connections, hibernate),
                      name="strata-load-compare")
        srv.label = f"Dovecot ({label})"
        self.servers.append(srv)
        return srv

    def stop(self, srv):
        """Stops `srv` and notes the warnings and errors it logged."""
        if isinstance(srv, Strata):
            srv.stop(self.notes)
        else:
            left = srv.stop()
            if left:
                self.notes.append(f"{left} Dovecot processes outlived their master; killed")
        self.servers.remove(srv)
        logged = srv.log_problems()
        if logged:
            total = sum(logged.values())
            top = "; ".join(f"{n}× `{line[:200]}`" for line, n in logged.most_common(3))
            self.notes.append(f"{srv.label} logged {total} warnings/errors ({len(logged)} "
                              f"distinct), most often: {top}")
            log(f"   note: {self.notes[-1]}")

    def stop_all(self):
        for srv in reversed(list(self.servers)):
            self.stop(srv)

    # -- loadgen ---------------------------------------------------------------------------

    def common(self, port):
        return ["--server", f"127.0.0.1:{port}", "--user", USER, "--users",
                str(self.args.users), "--password", PASSWORD]

    def prepare(self, name, port):
        t0 = time.perf_counter()
        out = subprocess.run([self.loadgen, "prepare", *self.common(port),
                              "--messages", str(self.args.messages)],
                             capture_output=True, text=True)
        secs = time.perf_counter() - t0
        if out.returncode != 0:
            raise RuntimeError(f"prepare against {name} failed ({out.returncode}):\n"
                               f"{out.stdout}{out.stderr}")
        n = self.args.users * self.args.messages
        log(f"   {name}: {n:,} APPENDs in {secs:.1f} s ({n / secs:,.0f}/s, one connection "
            "at a time)")
        return secs

    def run(self, name, port, clients, rnd):
        """One `strata-loadgen run`; returns its report (None if it produced none)."""
        a = self.args
        tag = f"{name.lower()}-c{clients}-r{rnd}"
        jpath = os.path.join(self.work, f"run-{tag}.json")
        cmd = [self.loadgen, "run", *self.common(port), "--clients", str(clients),
               "--duration", str(a.duration), "--warmup", str(a.warmup),
               "--source-ips", str(SOURCE_IPS), "--json", jpath]
        with open(os.path.join(self.work, f"run-{tag}.txt"), "w") as out:
            try:
                rc = subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT,
                                    timeout=a.duration + a.warmup + 600).returncode
            except subprocess.TimeoutExpired:
                rc = "timeout"
        report = None
        if os.path.exists(jpath):
            with open(jpath) as f:
                report = json.load(f)
        if report is None:
            self.problems.append(f"{name}, {clients} clients, round {rnd}: loadgen exited "
                                 f"{rc} without a report (see run-{tag}.txt)")
            log(f"   ! {self.problems[-1]}")
            return None
        log(f"   {name:<8} {clients:>5} clients, round {rnd}: "
            f"{report['total_per_sec']:>9,.0f} ops/s, {report['errors']} errors, "
            f"{report['inconsistencies']} inconsistencies")
        if report["errors"] or report["inconsistencies"] or rc != 0:
            self.problems.append(
                f"{name}, {clients} clients, round {rnd}: {report['errors']} errors, "
                f"{report['inconsistencies']} inconsistencies (exit {rc}); samples: "
                + "; ".join(report["samples"]))
            for s in report["samples"]:
                log(f"     ! {s}")
        return report

    def idle(self, label, srv, n, settle=0):
        """`strata-loadgen idle` against `srv` with memory samples; returns the figures."""
        a = self.args
        is_strata = isinstance(srv, Strata)

        def sample():
            if is_strata:
                kb = vmrss_kb(srv.pid)
                return {"kb": kb, "rss_kb": kb, "processes": 1, "by_name": {"strata": 1}}
            m = srv.memory()
            return {"kb": m["pss_kb"], "rss_kb": m["rss_kb"], "processes": m["processes"],
                    "by_name": m["by_name"]}

        ready_file = os.path.join(self.work, f"idle-{label}.ready")
        if os.path.exists(ready_file):
            os.remove(ready_file)
        time.sleep(1)
        before = sample()
        hold = a.hold + settle
        cmd = [self.loadgen, "idle", *self.common(srv.port), "--connections", str(n),
               "--hold", str(hold), "--parallel", "64", "--ready-file", ready_file,
               "--source-ips", str(SOURCE_IPS)]
        out_path = os.path.join(self.work, f"idle-{label}.txt")
        out = open(out_path, "w")
        t0 = time.monotonic()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
        result = {"label": label, "asked": n, "before": before, "samples": []}
        try:
            deadline = t0 + 300 + n / 10
            while not os.path.exists(ready_file) and proc.poll() is None:
                if time.monotonic() > deadline:
                    break
                time.sleep(0.2)
            t_ready = time.monotonic()
            result["connect_secs"] = t_ready - t0
            text = open(ready_file).read() if os.path.exists(ready_file) else ""
            words = text.split()
            if len(words) >= 4 and words[0] == "ready" and words[2] == "errors":
                result["ready"], result["errors"] = int(words[1]), int(words[3])
            else:
                result["ready"], result["errors"] = 0, n
                self.problems.append(f"idle {label}: no ready file after "
                                     f"{t_ready - t0:.0f} s (see idle-{label}.txt)")
            if proc.poll() is None and text:
                if settle:
                    time.sleep(settle)
                # Sample until shortly before the loadgen releases the connections.
                end = t_ready + hold - 2
                step = max(1.0, a.hold / 5)
                while True:
                    result["samples"].append(sample())
                    if time.monotonic() + step > end:
                        break
                    time.sleep(step)
            rc = proc.wait(timeout=hold + 300 + n / 10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            rc = "timeout"
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            out.close()
        result["exit"] = rc
        if result["samples"]:
            peak = max(result["samples"], key=lambda s: s["kb"])
            result["peak"] = peak
            result["per_conn_kb"] = (peak["kb"] - before["kb"]) / max(1, result["ready"])
        if rc != 0 or result["errors"]:
            tail = open(out_path).read().strip().splitlines()[-12:]
            self.problems.append(f"idle {label}: exit {rc}, {result['errors']} connection "
                                 f"errors: " + " | ".join(tail))
        log(f"   {label}: {result['ready']:,} of {n:,} idling after "
            f"{result['connect_secs']:.1f} s, {result['errors']} errors; "
            + (f"memory {before['kb'] / 1024:.1f} MB before, {result['peak']['kb'] / 1024:.1f}"
               f" MB during the hold (max of {len(result['samples'])} samples, "
               f"{result['peak']['processes']} processes) = "
               f"{result['per_conn_kb']:.1f} KB per connection" if "peak" in result
               else "no memory samples"))
        return result


def clients_label(c):
    return f"{c} client" + ("" if c == 1 else "s")


def interrupt(signum, frame):
    raise KeyboardInterrupt


def median(xs):
    return statistics.median(xs) if xs else float("nan")


def summarize(reports):
    """{op: {"per_sec", "p50", "p99"}} medians over rounds, "total" included."""
    reports = [r for r in reports if r]
    out = {}
    for op in sorted({op for r in reports for op in r["ops"]}):
        rows = [r["ops"][op] for r in reports if op in r["ops"]]
        out[op] = {"per_sec": median([r.get("per_sec", 0.0) for r in rows]),
                   "p50": median([x["p50_ms"] for x in rows]),
                   "p99": median([x["p99_ms"] for x in rows])}
    out["total"] = {"per_sec": median([r["total_per_sec"] for r in reports]),
                    "p50": None, "p99": None}
    return out


def throughput_rows(per_server):
    s, d = summarize(per_server["Strata"]), summarize(per_server["Dovecot"])
    ops = [op for op in sorted(set(s) | set(d)) if op != "total"] + ["total"]
    rows = []
    for op in ops:
        a, b = s.get(op), d.get(op)
        ratio = a["per_sec"] / b["per_sec"] if a and b and b["per_sec"] else None
        rows.append((op, a, b, ratio))
    return rows


def fmt_lat(x):
    if not x or x["p50"] is None:
        return "-"
    return f"{x['p50']:.2f} / {x['p99']:.1f}"


def fmt_rate(x):
    return f"{x['per_sec']:,.1f}" if x else "-"


def fmt_ratio(r):
    return f"{r:.2f}×" if r is not None else "-"


def print_throughput(results):
    a = results["settings"]
    log("\n" + MIX_NOTE)
    for c, per_server in results["throughput"].items():
        log(f"\n== {clients_label(c)}: median of {a['rounds']} round(s), {a['duration']} s "
            f"measured after {a['warmup']} s warm-up; latency p50 / p99 in ms")
        log(f"{'command':<15} {'Strata ops/s':>13} {'Dovecot ops/s':>14} {'S/D':>7} "
            f"{'Strata p50/p99':>16} {'Dovecot p50/p99':>16}")
        for op, s, d, ratio in throughput_rows(per_server):
            log(f"{op:<15} {fmt_rate(s):>13} {fmt_rate(d):>14} {fmt_ratio(ratio):>7} "
                f"{fmt_lat(s):>16} {fmt_lat(d):>16}")


IDLE_LABELS = {"strata": "Strata (VmRSS of the one process)",
               "dovecot": "Dovecot, one imap process per connection (PSS summed)",
               "dovecot-hibernate": f"Dovecot, imap_hibernate_timeout = {HIBERNATE} "
                                    "(PSS summed)"}


def idle_row(r):
    peak = r.get("peak")
    procs = ""
    if peak:
        procs = str(peak["processes"])
        by = peak["by_name"]
        if "imap" in by or "imap-hibernate" in by:
            procs += f" (imap {by.get('imap', 0)}, imap-hibernate {by.get('imap-hibernate', 0)})"
    return (IDLE_LABELS[r["label"]], f"{r['asked']:,}", f"{r['ready']:,}", str(r["errors"]),
            f"{r['before']['kb'] / 1024:.1f}",
            f"{peak['kb'] / 1024:.1f}" if peak else "-",
            f"{r['per_conn_kb']:.1f}" if peak else "-", procs)


def print_idle(results):
    log(f"\n== memory of idle connections (IDLE on INBOX, {results['settings']['hold']} s "
        "hold; max of the samples during the hold)")
    head = ("server", "asked", "idling", "errors", "before MB", "during MB", "KB/conn",
            "processes during the hold")
    w = [max(len(head[0]), *(len(IDLE_LABELS[r["label"]]) for r in results["idle"]))]
    log(f"{head[0]:<{w[0]}} {head[1]:>7} {head[2]:>7} {head[3]:>6} {head[4]:>9} "
        f"{head[5]:>9} {head[6]:>8}  {head[7]}")
    for r in results["idle"]:
        row = idle_row(r)
        log(f"{row[0]:<{w[0]}} {row[1]:>7} {row[2]:>7} {row[3]:>6} {row[4]:>9} {row[5]:>9} "
            f"{row[6]:>8}  {row[7]}")


def markdown(r):
    m, a = r["machine"], r["settings"]
    lines = [
        f"## Load: Strata all-in-one vs. Dovecot ({a['users']} users, {a['messages']} "
        "messages each)",
        "",
        f"Measured {r['date'][:16].replace('T', ' ')} UTC on {m['nproc']} cores "
        f"({m['model']}), {m['mem_gib']:.1f} GiB RAM, Linux {m['kernel']} (load average "
        f"{r['loadavg'][0]:.2f} at the start); Strata {m['describe']}, {m['dovecot']} "
        "(maildir, passwd-file, imap-login with service_count = 0), Python "
        f"{m['python']}. The load generator (`strata-loadgen`) runs on the same machine.",
        "",
        "```sh",
        r["command"],
        "```",
        "",
        "Not measured: the cluster shape (two frontends, metad, PostgreSQL, S3), because it "
        "does not exist yet. Strata here is the all-in-one server (SQLite and bodies in its "
        "data dir, search index on).",
        "",
        f"### Throughput (`strata-loadgen run`, default mix, {a['duration']} s measured after "
        f"{a['warmup']} s warm-up, median of {a['rounds']} round(s), servers alternating)",
        "",
        f"Every INBOX starts with {a['messages']} messages (`strata-loadgen prepare`, the same "
        f"bytes on both servers); client k logs in as user k mod {a['users']}; connections "
        f"come from {SOURCE_IPS} loopback addresses. Latency in milliseconds from sending a "
        "command to its tagged OK. " + MIX_NOTE,
        "",
    ]
    for c, per_server in r["throughput"].items():
        lines += [f"**{clients_label(c)}**", "",
                  "| command | Strata ops/s | Dovecot ops/s | Strata / Dovecot "
                  "| Strata p50 / p99 ms | Dovecot p50 / p99 ms |",
                  "|---|---:|---:|---:|---:|---:|"]
        for op, s, d, ratio in throughput_rows(per_server):
            name = f"**{op}**" if op == "total" else f"`{op}`"
            lines.append(f"| {name} | {fmt_rate(s)} | {fmt_rate(d)} | {fmt_ratio(ratio)} | "
                         f"{fmt_lat(s)} | {fmt_lat(d)} |")
        lines.append("")
    if r["idle"]:
        lines += [
            f"### Memory per idle connection (`strata-loadgen idle`, {a['hold']} s hold)",
            "",
            "Each connection logs in, SELECTs INBOX and sits in IDLE. Memory before the "
            "connections and the maximum of the samples taken while all of them idle; Strata: "
            "VmRSS of its one process; Dovecot: PSS summed over the master and all its "
            "descendants (shared pages counted once). With hibernation, sampling starts "
            f"{HIBERNATE_SETTLE} s after the last connection entered IDLE.",
            "",
            "| server | connections | idling | errors | before MB | during MB | KB per "
            "connection | processes during the hold |",
            "|---|---:|---:|---:|---:|---:|---:|---|"]
        for x in r["idle"]:
            lines.append("| " + " | ".join(idle_row(x)) + " |")
        lines.append("")
    if r["notes"]:
        lines += ["Notes:", ""] + [f"- {x}" for x in r["notes"]] + [""]
    if r["problems"]:
        lines += ["Problems seen in this run:", ""] + [f"- {x}" for x in r["problems"]] + [""]
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--clients", help="client counts, comma-separated (1,50,500)")
    ap.add_argument("--rounds", type=int, help="runs per client count and server (3)")
    ap.add_argument("--duration", type=int, help="measured seconds per run (20)")
    ap.add_argument("--warmup", type=int, help="seconds of load before measuring (3)")
    ap.add_argument("--users", type=int, help="accounts (20)")
    ap.add_argument("--messages", type=int, help="prepared messages per INBOX (200)")
    ap.add_argument("--idle-connections", type=int,
                    help="connections held in IDLE for the memory figures, 0 to skip (10000)")
    ap.add_argument("--hold", type=int, help="seconds the idle connections are held (20)")
    ap.add_argument("--quick", action="store_true",
                    help="tiny settings for a smoke test (clients 1,4; rounds 1; duration 3; "
                    "warmup 1; users 2; messages 20; idle-connections 50; hold 2)")
    ap.add_argument("--no-build", action="store_true", help="use the existing release binaries")
    ap.add_argument("--workdir", help="where data dirs go (default: a new temp dir)")
    ap.add_argument("--keep", action="store_true", help="keep the work dir")
    ap.add_argument("--markdown", help="also write the results as a Markdown section here")
    args = ap.parse_args()
    for k, v in (QUICK if args.quick else DEFAULTS).items():
        if getattr(args, k) is None:
            setattr(args, k, v)
    clients = [int(x) for x in str(args.clients).split(",") if x.strip()]
    command = "python3 benches/load_compare.py " + shlex.join(sys.argv[1:])
    started = datetime.datetime.now(datetime.timezone.utc)
    if os.geteuid() != 0:
        sys.exit("run as root: Dovecot is started as root with its own config")

    n_idle = args.idle_connections
    soft, hard = raise_fd_limit()
    notes = []
    log(f"RLIMIT_NOFILE {soft} (hard {hard})")
    if hard != resource.RLIM_INFINITY and hard < 2 * n_idle + 1000:
        notes.append(f"the open-files hard limit is {hard}, below 2 × {n_idle:,} + 1000; each "
                     "server and the load generator hold one socket per connection, so idle "
                     "connections may fail with EMFILE")
        log(f"   note: {notes[-1]}")

    if not args.no_build:
        log("== cargo build --release -p strata -p strata-loadgen")
        subprocess.run(["cargo", "build", "--release", "-p", "strata", "-p", "strata-loadgen"],
                       cwd=REPO, check=True)
    work = args.workdir or tempfile.mkdtemp(prefix="strata-load-compare-")
    os.makedirs(work, exist_ok=True)
    os.chmod(work, 0o755)  # Dovecot's mail processes run as nobody
    log(f"work dir {work}")
    b = Bench(args, work)
    b.notes = notes
    for name in ("strata", "strata-loadgen"):
        shutil.copy2(os.path.join(REPO, "target", "release", name), os.path.join(work, name))
    with open(b.strata_conf, "w") as f:
        f.write(STRATA_CONFIG)

    results = {"machine": machine_info(not args.no_build), "command": command,
               "date": started.isoformat(), "loadavg": os.getloadavg(),
               "settings": {k: getattr(args, k) for k in DEFAULTS}, "throughput": {},
               "idle": []}
    results["settings"]["clients"] = clients
    m = results["machine"]
    log(f"machine: {m['nproc']} cores ({m['model']}), {m['mem_gib']:.1f} GiB RAM, Linux "
        f"{m['kernel']}, load average {results['loadavg'][0]:.2f}; Strata {m['describe']}; "
        f"{m['dovecot']}")
    log(f"command: {command}")
    log("not measured: the cluster shape (two frontends, metad, PostgreSQL, S3): it does not "
        "exist yet")
    # Every Dovecot imap process (all run as nobody) holds one inotify instance.
    need = max([n_idle] + clients) + 1000
    inotify_old = raise_inotify_instances(need)
    why = ("each Dovecot imap process holds one inotify instance and all run as one user; past "
           "the limit Dovecot polls the mailbox instead and cannot hibernate the connection")
    if inotify_old is not None:
        notes.append(f"fs.inotify.max_user_instances was raised from {inotify_old} to {need} "
                     f"for the run and restored afterwards: {why}")
        log(f"   note: {notes[-1]}")
    elif inotify_instances() < need:
        notes.append(f"fs.inotify.max_user_instances is {inotify_instances()} and could not be "
                     f"raised to {need}: {why}")
        log(f"   note: {notes[-1]}")
    # SIGTERM stops the run like Ctrl-C: servers stopped, the sysctl restored.
    signal.signal(signal.SIGTERM, interrupt)

    interrupted = False
    try:
        # 1. Accounts, servers, mail.
        log(f"== {args.users} users, {args.messages} messages each")
        for user, password in b.users.items():
            strata_user_add(b.strata_bin, b.strata_data, user, password, b.strata_conf)
        strata = b.start_strata("throughput")
        dove = b.start_dovecot("throughput", max([n_idle] + clients))
        results["dovecot_conf"] = open(dove.conf).read()
        results["prepare_secs"] = {"Strata": b.prepare("Strata", strata.port),
                                   "Dovecot": b.prepare("Dovecot", dove.port)}

        # 2. Throughput, alternating.
        ports = {"Strata": strata.port, "Dovecot": dove.port}
        for c in clients:
            log(f"== throughput, {c} clients")
            per_server = {"Strata": [], "Dovecot": []}
            for rnd in range(1, args.rounds + 1):
                order = ["Strata", "Dovecot"] if rnd % 2 else ["Dovecot", "Strata"]
                for name in order:
                    per_server[name].append(b.run(name, ports[name], c, rnd))
                    time.sleep(1)
            results["throughput"][c] = per_server
        b.stop(strata)
        b.stop(dove)
        print_throughput(results)

        # 3. Memory of idle connections: each server freshly started on its data.
        if n_idle > 0:
            log(f"\n== memory of {n_idle:,} idle connections")
            srv = b.start_strata("idle")
            results["idle"].append(b.idle("strata", srv, n_idle))
            b.stop(srv)

            avail = meminfo()["MemAvailable"]
            reserve = max(2 * 1024 * 1024, avail // 5)
            fit = max(0, (avail - reserve) // DOVECOT_KB_PER_CONN)
            n_dove = n_idle
            if fit < n_idle:
                n_dove = int(fit) // 100 * 100
                b.notes.append(
                    f"MemAvailable was {avail / 1024 / 1024:.1f} GiB: Dovecot without "
                    f"hibernation got {n_dove:,} connections instead of {n_idle:,} (budget "
                    f"{DOVECOT_KB_PER_CONN / 1024:.0f} MB per imap process, "
                    f"{reserve / 1024 / 1024:.1f} GiB kept free)")
                log(f"   note: {b.notes[-1]}")
            if n_dove > 0:
                srv = b.start_dovecot("idle", n_idle)
                results["idle"].append(b.idle("dovecot", srv, n_dove))
                b.stop(srv)
            srv = b.start_dovecot("idle, hibernation", n_idle, HIBERNATE)
            r = b.idle("dovecot-hibernate", srv, n_idle, settle=HIBERNATE_SETTLE)
            results["idle"].append(r)
            awake = r.get("peak", {}).get("by_name", {}).get("imap", 0)
            if awake > n_idle // 100:
                b.notes.append(f"with hibernation, {awake:,} imap processes were still running "
                               f"during the hold ({r['ready']:,} connections idling): not every "
                               "connection was hibernated")
                log(f"   note: {b.notes[-1]}")
            results["dovecot_hibernate_conf"] = open(srv.conf).read()
            b.stop(srv)
            print_idle(results)
    except KeyboardInterrupt:
        interrupted = True
        b.problems.append("interrupted")
    except (RuntimeError, OSError, subprocess.SubprocessError) as e:
        b.problems.append(f"stopped early: {e}")
        log(f"!! {b.problems[-1]}")
    finally:
        b.stop_all()
        restore_inotify_instances(inotify_old)
        if not args.keep and not args.workdir:
            shutil.rmtree(work, ignore_errors=True)
        elif args.keep:
            log(f"kept {work}")

    results["notes"], results["problems"] = b.notes, b.problems
    md = markdown(results)
    log("\n" + md)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(md)
        with open(args.markdown + ".json", "w") as f:
            json.dump(results, f, indent=1, default=str)
    if b.problems:
        log("PROBLEMS:\n  " + "\n  ".join(b.problems))
        sys.exit(1)
    if interrupted:
        sys.exit(130)


if __name__ == "__main__":
    main()

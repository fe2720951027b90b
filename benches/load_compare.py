#!/usr/bin/env python3
"""Load comparison: Strata all-in-one, Strata's cluster shape and Dovecot, throughput and CPU
per command under a load, and memory per idle connection, on the same machine in one run.

--shapes picks the servers (default aio,dovecot): `aio` is `strata serve`; `base` is `strata
serve` of another build (`--baseline DIR`, a folder with its `strata`: before and after a change
in one run); `cluster` is one `strata metad` over a fresh PostgreSQL database and s3s-fs, with
two `strata frontend`s (`StrataCluster` in bench_servers.py); `dovecot` is a throw-away Dovecot.

--profile picks the load (`strata-loadgen --profile`, given to `prepare` and `run`):
`realistic` (the default: 100 accounts, each with INBOX and six folders of real-shaped mail;
each session picks an account at random; every response checked against a model of the
mailbox) or `base` (the first mix: 20 accounts, small plain messages in INBOX, client k on
account k mod users for the whole run). With `realistic`, --sessions picks the session
variants measured at each client count: `relogin` (a session logs in, runs 3-20 commands and
logs out) and `stay` (`--stay-logged-in`: one session per client for the whole run).

Step by step:

 1. raises RLIMIT_NOFILE (and RLIMIT_NPROC) to the hard limit, so that the servers and the
    load generator inherit it, and says so if the hard limit is below 2 × N + 1000 for
    N = --idle-connections;
 2. builds `target/release/strata` and `target/release/strata-loadgen` (skip with --no-build)
    and copies both into the work dir, so that a build during the run cannot swap them;
 3. creates --users accounts (load1@example.org ...) in a fresh Strata data dir (high
    connection limits; argon2's default costs with the realistic profile, as a deployment
    has them, cheap ones with the base profile: see `strata_config`) and in the passwd-file
    of a throw-away Dovecot (maildir, {PLAIN} passwords, one `imap` process per connection,
    imap-login in its high-performance mode and the process limits raised for N
    connections), starts both, and fills the accounts with `strata-loadgen prepare
    --profile P --messages M` (same seed, so the same bytes on every server; realistic: M
    in INBOX and about M/2 more over the six folders), then waits until each server is idle
    (Strata's search indexer has caught up with the prepared mail, as in production;
    `Bench.settle`). With `cluster`: a database on the
    PostgreSQL server of --pg-url, s3s-fs, metad (a raft group of one) and two frontends,
    the same accounts and settings (added with `strata user add` through metad's config),
    prepared through frontend 1;
 4. throughput: for each client count in --clients and each session variant, --rounds
    rounds of `strata-loadgen run` (--duration measured seconds after --warmup seconds,
    connections spread over 8 loopback source addresses) against each server, rotating
    which goes first. Each run also measures the server's CPU time over the measured window
    (sampled at the loadgen's start + warmup and at start + warmup + duration; see
    `Bench.cpu_window`): Strata's utime + stime from /proc; for Dovecot the sum over the
    master and every live descendant of utime + stime + cutime + cstime (an imap process
    that ended is in its parent's cutime/cstime); for the cluster metad, the two
    frontends, s3s-fs and the PostgreSQL backends of its database, divided by the
    operations the loadgen counted. Prints per command the median over rounds of ops/s and
    of the p50 and p99 latencies, and Strata/Dovecot (and Strata cluster/Dovecot), then the
    median CPU ms per 1,000 operations and cores used. The loadgen takes one --server, so
    the cluster gets two loadgen processes at once, ceil(N/2) clients against frontend 1
    and floor(N/2) against frontend 2 (seeds 1 and 2), and their reports are merged (see
    `merge_reports`). A run with errors or inconsistencies has its samples printed and
    makes the exit status 1;
 5. memory of idle connections: restarts each server on its data and runs `strata-loadgen
    idle --connections N` (every connection logs in to one of the --users accounts, SELECTs
    INBOX and sits in IDLE for --hold seconds). Memory is sampled before, and a few times
    during the hold (the maximum is kept): Strata's VmRSS; for the cluster, half the
    connections on each frontend and the PSS summed over the two frontends (metad, the
    PostgreSQL backends of its database and s3s-fs reported beside it); for Dovecot the sum
    of PSS over the master and every descendant, since it runs one process per connection.
    Dovecot is measured twice: as is, and with `imap_hibernate_timeout = 5s` (idle
    connections move into the imap-hibernate process; sampled from 10 s after every
    connection is idling). If MemAvailable is too small for N imap processes, N is reduced
    for Dovecot without hibernation, and the output says so;
 6. prints the machine, the versions and the command line, and with --markdown FILE writes
    everything as a Markdown section for docs/benchmarks.md (and the raw figures to
    FILE.json).

Stdlib only (Python 3.11). Run as root when Dovecot is in --shapes (it is started as root
with its own config on a free loopback port; the system's Dovecot is never touched). The
cluster needs psql, a PostgreSQL role with CREATEDB (--pg-url) and s3s-fs on PATH; its
database is dropped at the end, also on Ctrl-C. The default settings (realistic, two session
variants) take about 45 minutes (more with the cluster), need a few GB of disk for the
prepared mail of every server and some GB of free memory for 10,000 Dovecot processes; the
base profile takes about 15 minutes (about 22 with the cluster).

usage: python3 benches/load_compare.py [--quick] [--no-build] [--markdown FILE] [--keep]
       [--profile realistic|base] [--sessions relogin,stay]
       [--shapes aio,base,cluster,dovecot] [--baseline DIR] [--clients 1,50,500] [--rounds 3]
       [--duration 20] [--warmup 3] [--users 100] [--messages 200]
       [--idle-connections 10000] [--hold 20] [--workdir DIR] [--pg-url URL]
"""
import argparse
import collections
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
from bench_servers import (CLUSTER_PG_URL, REPO, Dovecot, DovecotLimits,  # noqa: E402
                           Strata, StrataCluster, cpu_delta, inotify_instances, log,
                           machine_info, meminfo, raise_fd_limit, raise_inotify_instances,
                           restore_inotify_instances, strata_user_add, vmrss_kb)

USER, PASSWORD = "load{n}@example.org", "load-password"
SOURCE_IPS = 8
PREPARE_PARALLEL = 4  # accounts the realistic `prepare` fills at once
HIBERNATE = "5s"
HIBERNATE_SETTLE = 10  # seconds after every connection idles before sampling
# Strata: connection limits above the test's, and no throttling of the loopback addresses
# all logins come from.
STRATA_LIMITS = """[imap]
max_connections_per_ip = 20000
max_connections_per_account = 20000
max_connections_per_account_ip = 20000

[auth]
failures_per_ip_per_minute = 100000
"""
# Cheap password hashes for the base profile, as the first runs had them.
CHEAP_ARGON2 = """argon2_m_cost = 256
argon2_t_cost = 1
argon2_p_cost = 1
"""
HASH_NOTE = {
    "realistic": "Strata's accounts have argon2id hashes at its default costs (19 MiB, 2 "
                 "passes, 1 lane), as a deployment has them. Dovecot's passwd-file has "
                 "{PLAIN} passwords, so its logins cost it no hashing at all.",
    "base": "Strata's accounts have cheap argon2id hashes (256 KiB, 1 pass, 1 lane) to match "
            "Dovecot's {PLAIN} passwords; real deployments use the default costs (the "
            "realistic profile does).",
}
# Memory budgeted per Dovecot imap process when checking MemAvailable: about twice the PSS
# of one idle imap process (540 KB measured with 500 connections, Dovecot 2.3.19).
DOVECOT_KB_PER_CONN = 1024
LOG_NOTE = ("Strata runs with its default log filter (`info`, one line per command into its "
            "log file); Dovecot logs logins and logouts.")
# The base profile's mix.
MIX_NOTE = ("The default mix holds each IDLE for 300 ms (3 % of the operations), so one client "
            "cannot go much above 100 ops/s whatever the server: with few clients, compare the "
            "latencies. " + LOG_NOTE)
# --shapes: the servers, in the order of the tables; the names key results["throughput"].
SHAPES = {"aio": "Strata", "base": "Baseline", "cluster": "Cluster", "dovecot": "Dovecot"}
# Column titles in the Markdown tables.
TITLES = {"Strata": "Strata", "Baseline": "Strata baseline", "Cluster": "Strata cluster",
          "Dovecot": "Dovecot"}
# The realistic profile, for the Markdown: {messages} and {users} filled in.
REALISTIC_NOTE = (
    "The realistic profile (`strata-loadgen --profile realistic`): every account has INBOX "
    "with {messages} messages and six folders (Sent, Drafts, Archive, Trash, "
    "Lists/rust-users, Projects/Q3 report) with about {messages_half} more between them, "
    "real-shaped mail from `strata-loadgen prepare` (text and HTML in several charsets, "
    "threads, attachments; median about 10 KB, p90 about 90 KB, up to 1 MB; the flags a "
    "year of reading leaves), the same bytes on every server. Every session picks one of "
    "the {users} accounts at random, so a mailbox is often open in several sessions that "
    "change it under each other. Sessions that log in and out run 3-20 commands each "
    "(webmail, phones) and the client starts the next; sessions that stay logged in keep "
    "one session per client for the whole run (desktop clients). The commands are those of "
    "real clients: LIST, STATUS of other folders, SELECT of INBOX or a folder followed by a "
    "flag sync of every message (`sync`) or a page of headers, FETCH of flags, of "
    "envelopes, structures and header fields, of whole bodies or parts, STORE of flags and "
    "keywords, STORE \\Deleted + UID EXPUNGE, APPEND to INBOX, Sent or Drafts, SEARCH, IDLE "
    "and NOOP. Every response is checked against the session's model of its mailbox "
    "(sequence numbers, UIDs, flags and keywords, \\Recent in one session only, expunges "
    "reported before the session leaves the mailbox), and any NO or BAD is an error. "
    + LOG_NOTE)
# --sessions (realistic profile): the variants, their extra loadgen flags and their labels.
SESSIONS = {"relogin": ([], "sessions log in and out"),
            "stay": (["--stay-logged-in"], "sessions stay logged in")}
CLUSTER_NOTE = ("Strata cluster: one `strata metad` (a raft group of one) over a PostgreSQL "
                "database on this machine and s3s-fs (bodies in a local folder), two `strata "
                "frontend`s; everything on loopback, log filter `info`. The load generator "
                "takes one server, so the cluster gets two at once: ceil(N/2) clients against "
                "frontend 1 (seed 1) and floor(N/2) against frontend 2 (seed 2), {accounts}. "
                "Their ops/s and errors are summed; the latency percentiles are the means of "
                "the two processes' percentiles weighted by operation count (an "
                "approximation).")
CLUSTER_ACCOUNTS = {
    "realistic": "each session on either picking an account at random, so accounts have "
                 "sessions on both frontends",
    "base": "each mapping client k to user k mod the users, so accounts have clients on both "
            "frontends (and with N/2 clients per process the clients per account differ "
            "slightly from one process of N)",
}
# How each server's CPU is measured, for the Markdown.
CPU_NOTES = {
    "Strata": "Strata all-in-one: utime + stime of its process",
    "Baseline": "the baseline likewise",
    "Cluster": "the cluster: metad, both frontends, s3s-fs and the PostgreSQL backends "
               "connected to its database (not the postmaster, WAL writer and checkpointer, "
               "which serve every database)",
    "Dovecot": "Dovecot: the master and every live descendant, each with the CPU of the "
               "children it reaped (utime + stime + cutime + cstime), so imap processes that "
               "ended in the window count too",
}
# Extra seconds the cluster's idle loadgen processes hold their connections, so that the
# sampling window (after both are ready) ends before the earlier one releases.
IDLE_SKEW = 15
DEFAULTS = {"clients": "1,50,500", "rounds": 3, "duration": 20, "warmup": 3, "users": 100,
            "messages": 200, "idle_connections": 10000, "hold": 20}
# The base profile's defaults differ in these.
BASE_DEFAULTS = {"users": 20}
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
        self.base_bin = os.path.join(work, "strata-baseline")
        self.base_data = os.path.join(work, "strata-baseline-data")
        self.dovecot_dir = os.path.join(work, "dovecot")
        self.cluster_dir = os.path.join(work, "cluster")
        self.users = {USER.replace("{n}", str(i)): PASSWORD for i in range(1, args.users + 1)}
        self.servers = []
        self.problems = []  # errors and inconsistencies: exit status 1
        self.notes = []     # things the reader should know

    # -- servers ---------------------------------------------------------------------------

    def start_strata(self, label, baseline=False):
        """`strata serve` on its data dir; with `baseline`, the --baseline build on its own."""
        binary, data, tag = ((self.base_bin, self.base_data, "baseline") if baseline
                             else (self.strata_bin, self.strata_data, "strata"))
        srv = Strata(binary, data, os.path.join(self.work, f"{tag}-{label}.log"),
                     self.strata_conf)
        srv.label = f"Strata {'baseline ' if baseline else ''}({label})"
        self.servers.append(srv)
        return srv

    def start_cluster(self):
        """The cluster with the accounts, on a new database; stays in `servers` (so that
        its database is dropped whatever happens) until `stop`."""
        srv = StrataCluster(self.strata_bin, self.cluster_dir, self.users,
                            strata_config(self.args.profile), pg_url=self.args.pg_url,
                            name="strata_load_compare")
        srv.label = "Strata cluster (throughput)"
        self.servers.append(srv)
        return srv

    def pause_cluster(self, srv):
        """Stops metad and the frontends (noting what they logged); the database and s3s-fs
        stay for `resume_cluster`."""
        srv.stop_servers(self.notes)
        self.note_logged(srv)

    def resume_cluster(self, srv, label):
        """Starts metad and the frontends again on the same database, bodies and data dirs."""
        srv.start_servers()
        srv.label = f"Strata cluster ({label})"

    def start_dovecot(self, label, connections, hibernate=None):
        srv = Dovecot(self.dovecot_dir, self.users, DovecotLimits(connections, hibernate),
                      name="strata-load-compare")
        srv.label = f"Dovecot ({label})"
        self.servers.append(srv)
        return srv

    def stop(self, srv):
        """Stops `srv` and notes the warnings and errors it logged."""
        if isinstance(srv, (Strata, StrataCluster)):
            srv.stop(self.notes)
        else:
            left = srv.stop()
            if left:
                self.notes.append(f"{left} Dovecot processes outlived their master; killed")
        self.servers.remove(srv)
        self.note_logged(srv)

    def note_logged(self, srv):
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
        """`strata-loadgen prepare` of every account; returns the seconds it took."""
        a = self.args
        t0 = time.perf_counter()
        cmd = [self.loadgen, "prepare", *self.common(port), "--messages", str(a.messages),
               "--profile", a.profile]
        if a.profile == "realistic":
            cmd += ["--parallel", str(PREPARE_PARALLEL)]
        out = subprocess.run(cmd, capture_output=True, text=True)
        secs = time.perf_counter() - t0
        if out.returncode != 0:
            raise RuntimeError(f"prepare against {name} failed ({out.returncode}):\n"
                               f"{out.stdout}{out.stderr}")
        if a.profile == "base":
            n = a.users * a.messages
            log(f"   {name}: {n:,} APPENDs in {secs:.1f} s ({n / secs:,.0f}/s, one "
                "connection at a time)")
        else:
            said = out.stdout.strip().splitlines()
            log(f"   {name}: {said[-1] if said else '(prepare said nothing)'} (wall "
                f"{secs:.1f} s, {PREPARE_PARALLEL} accounts at a time)")
        return secs

    def settle(self, name, srv, quiet=0.05, limit=900):
        """Waits until `srv` is idle after `prepare`: its CPU below `quiet` cores over two
        consecutive 2 s samples (Strata's search indexer catches up with the prepared mail, as
        a server in production has caught up with its mail; Dovecot is idle at once), at most
        `limit` s. Returns the seconds waited."""
        t0 = time.monotonic()
        before, calm = srv.cpu(), 0
        while time.monotonic() - t0 < limit:
            time.sleep(2)
            after = srv.cpu()
            busy = sum(cpu_delta(before, after)[0].values()) / 2
            before = after
            calm = calm + 1 if busy < quiet else 0
            if calm >= 2:
                break
        secs = time.monotonic() - t0
        log(f"   {name}: idle {secs:.0f} s after prepare")
        return secs

    def run(self, name, srv, clients, variant, rnd):
        """`strata-loadgen run` against `srv` (each frontend for the cluster): the clients
        split over its ports, ceil first, one loadgen process per port (seed 1, 2, ...) all
        at once, their reports merged; `variant` is a key of SESSIONS (None for the base
        profile). The server's CPU is sampled at the start and end of the measured window
        (see `cpu_window`) and goes into the report as "cpu". Returns the report (None if
        one is missing)."""
        a = self.args
        ports = srv.ports if isinstance(srv, StrataCluster) else [srv.port]
        tag = f"{name.lower()}-c{clients}{'-' + variant if variant else ''}-r{rnd}"
        parts = [(port, clients // len(ports) + (1 if i < clients % len(ports) else 0))
                 for i, port in enumerate(ports)]
        parts = [(port, n) for port, n in parts if n > 0]
        procs, t0 = [], None
        what = heading(throughput_key(clients, variant))
        for i, (port, n) in enumerate(parts):
            sub = tag if len(parts) == 1 else f"{tag}-f{i + 1}"
            jpath = os.path.join(self.work, f"run-{sub}.json")
            cmd = [self.loadgen, "run", *self.common(port), "--clients", str(n),
                   "--duration", str(a.duration), "--warmup", str(a.warmup),
                   "--profile", a.profile, "--source-ips", str(SOURCE_IPS), "--json", jpath]
            if variant:
                cmd += SESSIONS[variant][0]
            if len(parts) > 1:
                cmd += ["--seed", str(i + 1)]
            out = open(os.path.join(self.work, f"run-{sub}.txt"), "w")
            if t0 is None:
                t0 = time.monotonic()
            procs.append((sub, jpath, out, subprocess.Popen(cmd, stdout=out,
                                                            stderr=subprocess.STDOUT)))
        deadline = time.monotonic() + a.duration + a.warmup + 600
        reports, rcs, missing = [], [], []
        try:
            cpu = self.cpu_window(srv, [p for _, _, _, p in procs], t0)
            for sub, jpath, out, proc in procs:
                try:
                    rcs.append(proc.wait(timeout=max(1, deadline - time.monotonic())))
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
                    rcs.append("timeout")
                if os.path.exists(jpath):
                    with open(jpath) as f:
                        reports.append(json.load(f))
                else:
                    missing.append(f"run-{sub}.txt")
        finally:
            for _, _, out, proc in procs:
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()
                out.close()
        rc = next((r for r in rcs if r != 0), 0)
        if missing:
            self.problems.append(f"{name}, {what}, round {rnd}: loadgen exited "
                                 f"{rc} without a report (see {', '.join(missing)})")
            log(f"   ! {self.problems[-1]}")
            return None
        report = reports[0] if len(reports) == 1 else merge_reports(reports)
        if cpu is not None:
            secs, window, gone, counts = cpu
            total = sum(secs.values())
            report["cpu"] = {"secs": total, "by_part": secs, "processes": counts,
                             "window_secs": window,
                             "cores": total / window if window > 0 else None,
                             "ms_per_1000_ops": (total * 1e6 / report["total_ops"]
                                                 if report["total_ops"] else None),
                             "gone": gone}
            if isinstance(srv, StrataCluster) and not counts.get("postgres"):
                report["cpu"]["no_postgres"] = True
        c = report.get("cpu", {})
        log(f"   {name:<8} {what}, round {rnd}: "
            f"{report['total_per_sec']:>9,.0f} ops/s, {report['errors']} errors, "
            f"{report['inconsistencies']} inconsistencies"
            + (f"; CPU {c['ms_per_1000_ops']:,.1f} ms per 1,000 ops, {c['cores']:.2f} cores"
               if c.get("ms_per_1000_ops") is not None and c.get("cores") is not None
               else "; no CPU figure"))
        if report["errors"] or report["inconsistencies"] or rc != 0:
            self.problems.append(
                f"{name}, {what}, round {rnd}: {report['errors']} errors, "
                f"{report['inconsistencies']} inconsistencies (exit {rc}); samples: "
                + "; ".join(report["samples"]))
            for s in report["samples"]:
                log(f"     ! {s}")
        return report

    def cpu_window(self, srv, procs, t0):
        """The server's CPU over the loadgen's measured window: sampled (`srv.cpu()`) at `t0`
        (just before the loadgen started) + warmup and at t0 + warmup + duration, or when
        every loadgen process has exited if that is earlier. Returns (CPU seconds per part,
        window seconds, processes gone in between (see `cpu_delta`), processes per part at
        the end), or None if the loadgen ended before the window opened."""
        a = self.args

        def wait_until(t):
            while time.monotonic() < t:
                if all(p.poll() is not None for p in procs):
                    return False
                time.sleep(min(0.05, max(0.0, t - time.monotonic())))
            return True

        if not wait_until(t0 + a.warmup):
            return None
        before, t_before = srv.cpu(), time.monotonic()
        wait_until(t0 + a.warmup + a.duration)
        after, t_after = srv.cpu(), time.monotonic()
        secs, gone = cpu_delta(before, after)
        return secs, t_after - t_before, gone, {k: len(v) for k, v in after.items()}

    def idle(self, label, srv, n, settle=0):
        """`strata-loadgen idle` against `srv` with memory samples; returns the figures. The
        cluster's connections are split over its frontends, one loadgen process each."""
        a = self.args
        is_strata = isinstance(srv, Strata)
        is_cluster = isinstance(srv, StrataCluster)

        def sample():
            if is_strata:
                kb = vmrss_kb(srv.pid)
                return {"kb": kb, "rss_kb": kb, "processes": 1, "by_name": {"strata": 1}}
            if is_cluster:
                m = srv.memory()
                f = m["frontends"]
                return {"kb": f["pss_kb"], "rss_kb": f["rss_kb"], "processes": f["processes"],
                        "by_name": {"strata frontend": f["processes"]},
                        "metad_kb": m["metad"]["pss_kb"], "postgres_kb": m["postgres"]["pss_kb"],
                        "postgres_backends": m["postgres"]["processes"],
                        "s3_kb": m["s3"]["pss_kb"]}
            m = srv.memory()
            return {"kb": m["pss_kb"], "rss_kb": m["rss_kb"], "processes": m["processes"],
                    "by_name": m["by_name"]}

        ports = srv.ports if is_cluster else [srv.port]
        counts = [n // len(ports) + (1 if i < n % len(ports) else 0) for i in range(len(ports))]
        targets = [(port, k) for port, k in zip(ports, counts) if k > 0]
        subs = [label] if len(targets) == 1 else [f"{label}-f{i + 1}"
                                                   for i in range(len(targets))]
        ready_files = [os.path.join(self.work, f"idle-{sub}.ready") for sub in subs]
        out_paths = [os.path.join(self.work, f"idle-{sub}.txt") for sub in subs]
        for path in ready_files:
            if os.path.exists(path):
                os.remove(path)
        time.sleep(1)
        before = sample()
        # Several processes: each holds for `skew` s more, so that none releases its
        # connections while the others are still connecting or being sampled.
        skew = IDLE_SKEW if len(targets) > 1 else 0
        hold = a.hold + settle + skew
        outs, procs = [], []
        t0 = time.monotonic()
        result = {"label": label, "asked": n, "before": before, "samples": []}
        if len(targets) > 1:
            result["split"] = [k for _, k in targets]
        try:
            for (port, k), ready_file, out_path in zip(targets, ready_files, out_paths):
                outs.append(open(out_path, "w"))
                cmd = [self.loadgen, "idle", *self.common(port), "--connections", str(k),
                       "--hold", str(hold), "--parallel", "64", "--ready-file", ready_file,
                       "--source-ips", str(SOURCE_IPS)]
                procs.append(subprocess.Popen(cmd, stdout=outs[-1], stderr=subprocess.STDOUT))
            deadline = t0 + 300 + n / 10
            t_ready = [None] * len(procs)
            while time.monotonic() <= deadline:
                for i, (proc, path) in enumerate(zip(procs, ready_files)):
                    if t_ready[i] is None and (os.path.exists(path) or proc.poll() is not None):
                        t_ready[i] = time.monotonic()
                if all(t is not None for t in t_ready):
                    break
                time.sleep(0.2)
            t_all = time.monotonic()
            result["connect_secs"] = t_all - t0
            texts = [open(p).read() if os.path.exists(p) else "" for p in ready_files]
            result["ready"], result["errors"] = 0, 0
            for sub, text, (_, k) in zip(subs, texts, targets):
                words = text.split()
                if len(words) >= 4 and words[0] == "ready" and words[2] == "errors":
                    result["ready"] += int(words[1])
                    result["errors"] += int(words[3])
                else:
                    result["errors"] += k
                    self.problems.append(f"idle {label}: no ready file after "
                                         f"{t_all - t0:.0f} s (see idle-{sub}.txt)")
            if all(p.poll() is None for p in procs) and all(texts):
                if settle:
                    time.sleep(settle)
                # Sample until shortly before the (first) loadgen releases the connections.
                first_release = min(t for t in t_ready) + hold
                end = min(t_all + settle + a.hold, first_release) - 2
                if len(procs) > 1:
                    result["ready_spread_secs"] = max(t_ready) - min(t_ready)
                    if first_release - 2 <= time.monotonic():
                        self.problems.append(
                            f"idle {label}: the loadgen processes were ready "
                            f"{result['ready_spread_secs']:.0f} s apart, more than the "
                            f"{skew} s of slack: the samples may miss connections")
                step = max(1.0, a.hold / 5)
                while True:
                    result["samples"].append(sample())
                    if time.monotonic() + step > end:
                        break
                    time.sleep(step)
            rcs = []
            for proc in procs:
                rcs.append(proc.wait(timeout=hold + 300 + n / 10))
            rc = next((r for r in rcs if r != 0), 0)
        except subprocess.TimeoutExpired:
            rc = "timeout"
        finally:
            for proc in procs:
                if proc.poll() is None:
                    proc.kill()
                    proc.wait()
            for out in outs:
                out.close()
        result["exit"] = rc
        if result["samples"]:
            peak = max(result["samples"], key=lambda s: s["kb"])
            result["peak"] = peak
            result["per_conn_kb"] = (peak["kb"] - before["kb"]) / max(1, result["ready"])
        if rc != 0 or result["errors"]:
            tail = []
            for path in out_paths:
                tail += open(path).read().strip().splitlines()[-12:]
            self.problems.append(f"idle {label}: exit {rc}, {result['errors']} connection "
                                 f"errors: " + " | ".join(tail))
        log(f"   {label}: {result['ready']:,} of {n:,} idling after "
            f"{result['connect_secs']:.1f} s, {result['errors']} errors; "
            + (f"memory {before['kb'] / 1024:.1f} MB before, {result['peak']['kb'] / 1024:.1f}"
               f" MB during the hold (max of {len(result['samples'])} samples, "
               f"{result['peak']['processes']} processes) = "
               f"{result['per_conn_kb']:.1f} KB per connection" if "peak" in result
               else "no memory samples")
            + (f"; beside: {cluster_beside(result['peak'])}" if is_cluster and "peak" in result
               else ""))
        return result


def merge_reports(reports):
    """One report from the reports of loadgen processes that ran at the same time: clients,
    operations, ops/s and errors summed, `seconds` the longest; per command the counts and
    rates summed, p50/p90/p99 the means of the processes' percentiles weighted by their
    operation counts (the raw latencies are not in the reports, so this approximates the
    percentiles of the union), max_ms the maximum. The reports themselves are kept in
    "parts"."""
    ops = {}
    for name in sorted({op for r in reports for op in r["ops"]}):
        rows = [r["ops"][name] for r in reports if name in r["ops"]]
        count = sum(x["count"] for x in rows)

        def wmean(key):
            if count == 0:
                return 0.0
            return sum(x[key] * x["count"] for x in rows) / count

        ops[name] = {"count": count, "errors": sum(x["errors"] for x in rows),
                     "per_sec": sum(x["per_sec"] for x in rows), "p50_ms": wmean("p50_ms"),
                     "p90_ms": wmean("p90_ms"), "p99_ms": wmean("p99_ms"),
                     "max_ms": max(x["max_ms"] for x in rows)}
    return {"clients": sum(r["clients"] for r in reports),
            "seconds": max(r["seconds"] for r in reports),
            "total_ops": sum(r["total_ops"] for r in reports),
            "total_per_sec": sum(r["total_per_sec"] for r in reports),
            "errors": sum(r["errors"] for r in reports),
            "inconsistencies": sum(r["inconsistencies"] for r in reports),
            "ops": ops, "samples": [x for r in reports for x in r["samples"]],
            "parts": reports}


def cluster_beside(peak):
    """The cluster's other processes in a memory sample (PSS, not in the per-connection
    figure)."""
    return (f"metad {peak['metad_kb'] / 1024:.1f} MB, PostgreSQL {peak['postgres_kb'] / 1024:.1f}"
            f" MB ({peak['postgres_backends']} backends), s3s-fs {peak['s3_kb'] / 1024:.1f} MB")


def clients_label(c):
    return f"{c} client" + ("" if c == 1 else "s")


def throughput_key(clients, variant):
    """The key of results["throughput"] (and the table's heading): the client count for the
    base profile, as the first runs had it; with a session variant, "50 clients, sessions
    log in and out"."""
    if variant is None:
        return clients
    return f"{clients_label(clients)}, {SESSIONS[variant][1]}"


def heading(key):
    return clients_label(key) if isinstance(key, int) else key


def strata_config(profile):
    """Strata's config for `profile`: STRATA_LIMITS, plus cheap argon2 costs for base (the
    realistic profile keeps the default costs)."""
    return STRATA_LIMITS + (CHEAP_ARGON2 if profile == "base" else "")


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


def cpu_summary(reports):
    """Medians over rounds of the runs' "cpu" figures: {"ms_per_1000_ops", "cores", "secs",
    "rounds"} (None figures when no round has one)."""
    cpus = [r["cpu"] for r in reports if r and r.get("cpu")]

    def med(key):
        xs = [c[key] for c in cpus if c.get(key) is not None]
        return statistics.median(xs) if xs else None

    return {"ms_per_1000_ops": med("ms_per_1000_ops"), "cores": med("cores"),
            "secs": med("secs"), "rounds": len(cpus)}


def cpu_rows(per_server, names, ratio_names):
    """Two rows for a throughput table, as (label, {name: cell}, {ratio name: cell}): CPU ms
    per 1,000 operations with its ratio to Dovecot's, and the cores used on average."""
    sums = {n: cpu_summary(per_server[n]) for n in names}
    ms = {n: sums[n]["ms_per_1000_ops"] for n in names}
    cores = {n: sums[n]["cores"] for n in names}
    d = ms.get("Dovecot")
    ratio = {n: (fmt_ratio(ms[n] / d) if ms[n] is not None and d else "-")
             for n in ratio_names}
    return [("CPU ms per 1,000 commands",
             {n: f"{ms[n]:,.1f}" if ms[n] is not None else "-" for n in names}, ratio),
            ("CPU cores used", {n: f"{cores[n]:.2f}" if cores[n] is not None else "-"
                                for n in names}, {n: "-" for n in ratio_names})]


def throughput_rows(per_server):
    """(names, rows): the servers present in `per_server` in table order, and per command
    (op, {name: summary}, {name: ops/s ratio to Dovecot}) for the Strata shapes."""
    names = [n for n in SHAPES.values() if n in per_server]
    sums = {n: summarize(per_server[n]) for n in names}
    ops = sorted({op for x in sums.values() for op in x if op != "total"}) + ["total"]
    rows = []
    for op in ops:
        vals = {n: sums[n].get(op) for n in names}
        ratios = {}
        if "Dovecot" in names:
            d = vals["Dovecot"]
            for n in names:
                if n != "Dovecot":
                    x = vals[n]
                    ratios[n] = x["per_sec"] / d["per_sec"] if x and d and d["per_sec"] else None
        rows.append((op, vals, ratios))
    return names, rows


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
    log("\n" + (MIX_NOTE if a["profile"] == "base" else
                f"Profile {a['profile']}: {a['users']} accounts, a random one per session. "
                + LOG_NOTE))
    if "Cluster" in run_names(results):
        log(cluster_note(a["profile"]))
    for key, per_server in results["throughput"].items():
        log(f"\n== {heading(key)}: median of {a['rounds']} round(s), {a['duration']} s "
            f"measured after {a['warmup']} s warm-up; latency p50 / p99 in ms")
        names, rows = throughput_rows(per_server)
        ratio_names = list(rows[0][2]) if rows else []
        w = 27
        log(f"{'command':<{w}} " + " ".join(f"{n + ' ops/s':>14}" for n in names) + " "
            + " ".join(f"{n[0] + '/D':>7}" for n in ratio_names) + " "
            + " ".join(f"{n + ' p50/p99':>16}" for n in names))
        for op, vals, ratios in rows:
            log(f"{op:<{w}} " + " ".join(f"{fmt_rate(vals[n]):>14}" for n in names) + " "
                + " ".join(f"{fmt_ratio(ratios[n]):>7}" for n in ratio_names) + " "
                + " ".join(f"{fmt_lat(vals[n]):>16}" for n in names))
        for label, vals, ratios in cpu_rows(per_server, names, ratio_names):
            log(f"{label:<{w}} " + " ".join(f"{vals[n]:>14}" for n in names) + " "
                + " ".join(f"{ratios[n]:>7}" for n in ratio_names))


def cluster_note(profile):
    return CLUSTER_NOTE.format(accounts=CLUSTER_ACCOUNTS[profile])


def run_names(results):
    """The server names of the run, in table order."""
    return [SHAPES[s] for s in results["settings"]["shapes"]]


IDLE_LABELS = {"strata": "Strata (VmRSS of the one process)",
               "strata-baseline": "Strata baseline (VmRSS of the one process)",
               "strata-cluster": "Strata cluster, 2 frontends (PSS summed over the frontends)",
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
        if "metad_kb" in peak:
            split = " + ".join(f"{k:,}" for k in r.get("split", []))
            procs += (f" frontends ({split} connections); not counted: "
                      + cluster_beside(peak))
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
    run = run_names(r)
    titles = {"Strata": "Strata all-in-one", "Baseline": "Strata all-in-one baseline",
              "Cluster": "Strata cluster", "Dovecot": "Dovecot"}
    versions = []
    if "Strata" in run or "Cluster" in run:
        versions.append(f"Strata {m['describe']}")
    if "Cluster" in run:
        cv = r.get("cluster_versions", {})
        versions.append(f"{cv.get('postgres', 'PostgreSQL ?')} and "
                        f"{cv.get('s3s_fs', 's3s-fs ?')} for the cluster")
    if "Dovecot" in run:
        versions.append(f"{m['dovecot']} (maildir, passwd-file, imap-login with service_count "
                        "= 0)")
    shapes = []
    if "Strata" in run:
        shapes.append("Strata all-in-one is `strata serve` (SQLite and bodies in its data dir, "
                      "search index on).")
    if "Baseline" in run:
        shapes.append(f"Strata baseline is `strata serve` of another build "
                      f"({r.get('baseline', '?')}), on a data dir of its own with the same "
                      "accounts and messages, measured in the same rounds.")
    if "Cluster" in run:
        shapes.append(cluster_note(a["profile"]))
    else:
        shapes.append("Not measured: the cluster shape (two frontends, metad, PostgreSQL, S3); "
                      "`--shapes aio,cluster,dovecot` adds it.")
    realistic = a["profile"] == "realistic"
    if realistic:
        load = (REALISTIC_NOTE.format(messages=a["messages"], messages_half=a["messages"] // 2,
                                      users=a["users"])
                + f" Connections come from {SOURCE_IPS} loopback addresses.")
    else:
        load = (f"Every INBOX starts with {a['messages']} messages (`strata-loadgen prepare "
                "--profile base`, the same bytes on every server); client k logs in as user k "
                f"mod {a['users']}; connections come from {SOURCE_IPS} loopback addresses. "
                + MIX_NOTE)
    cpu_parts = "; ".join(CPU_NOTES[n] for n in run)
    if any(x.get("no_postgres") for per in r["throughput"].values()
           for x in per.get("Cluster", []) if x):
        cpu_parts += (" (but the PostgreSQL backends were not found on this machine: the "
                      "cluster's figure is metad, the frontends and s3s-fs only)")
    cpu_note = ("CPU per command: each server's CPU time over a run's measured window, read "
                "from /proc at the load generator's start + warm-up and at start + warm-up + "
                "duration, divided by the operations the load generator counted (the rows of "
                "the table; a few send more than one IMAP command), median over rounds; "
                "\"cores used\" is that CPU time over the window. Counted: " + cpu_parts
                + ". In the CPU row the ratio column is the server's CPU per command over "
                "Dovecot's (below 1×: less CPU than Dovecot). The load generator's own CPU is "
                "not counted; it shares the cores.")
    lines = [
        f"## Load: {' vs. '.join(titles[n] for n in run)} ({a['users']} "
        + (f"accounts, {a['messages']} messages in each INBOX, realistic profile)"
           if realistic else f"users, {a['messages']} messages each, base profile)"),
        "",
        f"Measured {r['date'][:16].replace('T', ' ')} UTC on {m['nproc']} cores "
        f"({m['model']}), {m['mem_gib']:.1f} GiB RAM, Linux {m['kernel']} (load average "
        f"{r['loadavg'][0]:.2f} at the start); {', '.join(versions)}, Python "
        f"{m['python']}. The load generator (`strata-loadgen`) runs on the same machine.",
        "",
        "```sh",
        r["command"],
        "```",
        "",
        " ".join(shapes),
        "",
        f"### Throughput (`strata-loadgen run`, "
        + ("realistic profile" if realistic else "base profile, default mix")
        + f", {a['duration']} s measured after {a['warmup']} s warm-up, median of "
        f"{a['rounds']} round(s), servers taking turns to go first)",
        "",
        load,
        "",
        "Latency in milliseconds from sending a command to its tagged OK. "
        + HASH_NOTE[a["profile"]],
        "",
        cpu_note,
        "",
    ]
    for key, per_server in r["throughput"].items():
        names, rows = throughput_rows(per_server)
        ratio_names = list(rows[0][2]) if rows else []
        cols = ([f"{TITLES[n]} ops/s" for n in names]
                + [f"{TITLES[n]} / Dovecot" for n in ratio_names]
                + [f"{TITLES[n]} p50 / p99 ms" for n in names])
        lines += [f"**{heading(key)}**", "",
                  "| command | " + " | ".join(cols) + " |",
                  "|---|" + "---:|" * len(cols)]
        for op, vals, ratios in rows:
            name = f"**{op}**" if op == "total" else f"`{op}`"
            cells = ([fmt_rate(vals[n]) for n in names]
                     + [fmt_ratio(ratios[n]) for n in ratio_names]
                     + [fmt_lat(vals[n]) for n in names])
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
        for label, vals, ratios in cpu_rows(per_server, names, ratio_names):
            cells = ([vals[n] for n in names] + [ratios[n] for n in ratio_names]
                     + ["-" for n in names])
            lines.append(f"| *{label}* | " + " | ".join(cells) + " |")
        lines.append("")
    if r["idle"]:
        how = []
        if "Strata" in run:
            how.append("Strata all-in-one: VmRSS of its one process")
        if "Cluster" in run:
            how.append("Strata cluster: half the connections on each frontend, PSS summed over "
                       "the two frontends (the KB per connection figure); metad, the "
                       "PostgreSQL backends serving the cluster's database and s3s-fs are "
                       "shown beside it (PSS at the same sample)")
        if "Dovecot" in run:
            how.append("Dovecot: PSS summed over the master and all its descendants (shared "
                       "pages counted once). With hibernation, sampling starts "
                       f"{HIBERNATE_SETTLE} s after the last connection entered IDLE")
        lines += [
            f"### Memory per idle connection (`strata-loadgen idle`, {a['hold']} s hold)",
            "",
            "Each connection logs in, SELECTs INBOX and sits in IDLE. Memory before the "
            "connections and the maximum of the samples taken while all of them idle; "
            + "; ".join(how) + ".",
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


def note_cpu(b, results):
    """Notes what the CPU figures could not see: the cluster's PostgreSQL backends when none
    were found on this machine, and processes that ended inside a measured window (their CPU
    from the window's start to their end is missing)."""
    runs = [(key, name, x) for key, per in results["throughput"].items()
            for name, xs in per.items() for x in xs if x and x.get("cpu")]
    if any(x["cpu"].get("no_postgres") for _, _, x in runs):
        b.notes.append("the cluster's PostgreSQL backends were not found among this machine's "
                       "processes: its CPU figures are metad, the frontends and s3s-fs only")
        log(f"   note: {b.notes[-1]}")
    gone = collections.Counter()
    for key, name, x in runs:
        gone[name] += x["cpu"]["gone"]
    for name, n in gone.items():
        if n:
            b.notes.append(f"{TITLES[name]}: {n} measured processes ended inside a CPU window "
                           "over all runs (e.g. PostgreSQL backends that closed): their CPU "
                           "in that window is missing from the figure")
            log(f"   note: {b.notes[-1]}")


def run_dovecot_idle(b, results, n_idle):
    """Dovecot's idle memory, as is (with fewer connections if MemAvailable is short) and with
    hibernation."""
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


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--clients", help="client counts, comma-separated (1,50,500)")
    ap.add_argument("--rounds", type=int, help="runs per client count and server (3)")
    ap.add_argument("--duration", type=int, help="measured seconds per run (20)")
    ap.add_argument("--warmup", type=int, help="seconds of load before measuring (3)")
    ap.add_argument("--profile", choices=("realistic", "base"), default="realistic",
                    help="the load, given to `strata-loadgen prepare` and `run`: realistic "
                    "(accounts with folders of real-shaped mail, a random account per session, "
                    "every response checked; Strata with argon2's default costs) or base (the "
                    "first mix, small messages in INBOX; cheap argon2 costs) (realistic)")
    ap.add_argument("--sessions", default="relogin,stay",
                    help="realistic profile: session variants measured at each client count, "
                    "comma-separated: relogin (3-20 commands, then LOGOUT and a new session), "
                    "stay (--stay-logged-in: one session per client) (relogin,stay)")
    ap.add_argument("--users", type=int, help="accounts (100; base profile 20)")
    ap.add_argument("--messages", type=int, help="prepared messages per INBOX (200)")
    ap.add_argument("--idle-connections", type=int,
                    help="connections held in IDLE for the memory figures, 0 to skip (10000)")
    ap.add_argument("--hold", type=int, help="seconds the idle connections are held (20)")
    ap.add_argument("--quick", action="store_true",
                    help="tiny settings for a smoke test (clients 1,4; rounds 1; duration 3; "
                    "warmup 1; users 2; messages 20; idle-connections 50; hold 2), either "
                    "profile")
    ap.add_argument("--no-build", action="store_true", help="use the existing release binaries")
    ap.add_argument("--workdir", help="where data dirs go (default: a new temp dir)")
    ap.add_argument("--keep", action="store_true", help="keep the work dir")
    ap.add_argument("--markdown", help="also write the results as a Markdown section here")
    ap.add_argument("--shapes", default="aio,dovecot",
                    help="servers to compare, comma-separated, from aio (strata serve), base "
                    "(strata serve of the --baseline build), cluster (metad + 2 frontends, "
                    "PostgreSQL, s3s-fs) and dovecot (aio,dovecot)")
    ap.add_argument("--baseline", help="a folder with another build's `strata` binary (say, "
                    "the commit before a change), for the `base` shape: before and after in "
                    "one run")
    ap.add_argument("--pg-url", default=CLUSTER_PG_URL,
                    help="PostgreSQL server for the cluster's database, as a URL of a database "
                    "to connect to for CREATE/DROP DATABASE; the role needs CREATEDB "
                    "($STRATA_TEST_PG_URL, else postgres://strata:strata@127.0.0.1:5432/postgres)")
    args = ap.parse_args()
    shapes = [x.strip() for x in args.shapes.split(",") if x.strip()]
    unknown = [x for x in shapes if x not in SHAPES]
    if unknown or not shapes:
        ap.error(f"--shapes: unknown {', '.join(unknown) or 'empty list'} (choose from "
                 f"{', '.join(SHAPES)})")
    shapes = [x for x in SHAPES if x in shapes]  # table order
    defaults = dict(DEFAULTS, **(BASE_DEFAULTS if args.profile == "base" else {}))
    for k, v in (QUICK if args.quick else defaults).items():
        if getattr(args, k) is None:
            setattr(args, k, v)
    variants = [x.strip() for x in args.sessions.split(",") if x.strip()]
    if args.profile == "base":
        variants = [None]  # one variant: the base mix has no sessions to choose
    elif not variants or any(x not in SESSIONS for x in variants):
        ap.error(f"--sessions: choose from {', '.join(SESSIONS)}")
    clients = [int(x) for x in str(args.clients).split(",") if x.strip()]
    command = "python3 benches/load_compare.py " + shlex.join(sys.argv[1:])
    started = datetime.datetime.now(datetime.timezone.utc)
    if "dovecot" in shapes and os.geteuid() != 0:
        sys.exit("run as root: Dovecot is started as root with its own config")
    if "base" in shapes and not (args.baseline and
                                 os.path.exists(os.path.join(args.baseline, "strata"))):
        sys.exit("the base shape needs --baseline DIR with a `strata` binary in it")
    if "cluster" in shapes and not shutil.which("s3s-fs"):
        sys.exit("the cluster needs s3s-fs on PATH: cargo install s3s-fs@0.14.1 --features "
                 "binary --locked")

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
    if "base" in shapes:
        shutil.copy2(os.path.join(args.baseline, "strata"), b.base_bin)
    with open(b.strata_conf, "w") as f:
        f.write(strata_config(args.profile))

    results = {"machine": machine_info(not args.no_build), "command": command,
               "date": started.isoformat(), "loadavg": os.getloadavg(),
               "settings": {k: getattr(args, k) for k in DEFAULTS}, "throughput": {},
               "idle": []}
    results["settings"]["clients"] = clients
    results["settings"]["shapes"] = shapes
    results["settings"]["profile"] = args.profile
    results["settings"]["sessions"] = [v for v in variants if v]
    results["strata_conf"] = strata_config(args.profile)
    if "base" in shapes:
        results["baseline"] = subprocess.run([b.base_bin, "--version"], capture_output=True,
                                             text=True).stdout.strip() or args.baseline
    m = results["machine"]
    log(f"machine: {m['nproc']} cores ({m['model']}), {m['mem_gib']:.1f} GiB RAM, Linux "
        f"{m['kernel']}, load average {results['loadavg'][0]:.2f}; Strata {m['describe']}; "
        f"{m['dovecot']}")
    log(f"command: {command}")
    log(f"servers: {', '.join(SHAPES[x] for x in shapes)}; profile {args.profile}"
        + (f", sessions {', '.join(variants)}" if variants != [None] else ""))
    # Every Dovecot imap process (all run as nobody) holds one inotify instance.
    need = max([n_idle] + clients) + 1000
    inotify_old = raise_inotify_instances(need) if "dovecot" in shapes else None
    why = ("each Dovecot imap process holds one inotify instance and all run as one user; past "
           "the limit Dovecot polls the mailbox instead and cannot hibernate the connection")
    if inotify_old is not None:
        notes.append(f"fs.inotify.max_user_instances was raised from {inotify_old} to {need} "
                     f"for the run and restored afterwards: {why}")
        log(f"   note: {notes[-1]}")
    elif "dovecot" in shapes and inotify_instances() < need:
        notes.append(f"fs.inotify.max_user_instances is {inotify_instances()} and could not be "
                     f"raised to {need}: {why}")
        log(f"   note: {notes[-1]}")
    # SIGTERM stops the run like Ctrl-C: servers stopped, the sysctl restored.
    signal.signal(signal.SIGTERM, interrupt)

    interrupted = False
    try:
        # 1. Accounts, servers, mail.
        log(f"== {args.users} users, {args.messages} messages in each INBOX ({args.profile} "
            "profile)")
        # targets: the servers by name, in table order; `servers`: those stopped after the
        # throughput (the cluster is paused instead, to keep its database for the idle part).
        targets, cluster, servers = {}, None, []
        if "aio" in shapes:
            for user, password in b.users.items():
                strata_user_add(b.strata_bin, b.strata_data, user, password, b.strata_conf)
            strata = b.start_strata("throughput")
            servers.append(strata)
            targets["Strata"] = strata
        if "base" in shapes:
            for user, password in b.users.items():
                strata_user_add(b.base_bin, b.base_data, user, password, b.strata_conf)
            base = b.start_strata("throughput", baseline=True)
            servers.append(base)
            targets["Baseline"] = base
        if "cluster" in shapes:
            cluster = b.start_cluster()
            targets["Cluster"] = cluster
            results["cluster_conf"] = cluster.configs()
            results["cluster_versions"] = cluster.versions()
            log(f"   cluster: database {cluster.database}, s3s-fs on {cluster.s3_addr}, metad "
                f"on {cluster.metad_grpc}, frontends on "
                + ", ".join(f"127.0.0.1:{p}" for p in cluster.ports))
        if "dovecot" in shapes:
            dove = b.start_dovecot("throughput", max([n_idle] + clients))
            servers.append(dove)
            targets["Dovecot"] = dove
            results["dovecot_conf"] = open(dove.conf).read()
        # Through the (first) frontend for the cluster.
        results["prepare_secs"] = {
            name: b.prepare(name, srv.ports[0] if srv is cluster else srv.port)
            for name, srv in targets.items()}
        results["settle_secs"] = {name: b.settle(name, srv) for name, srv in targets.items()}

        # 2. Throughput, rotating which server goes first.
        names = list(targets)
        results["cpu"] = {}
        for c in clients:
            for variant in variants:
                key = throughput_key(c, variant)
                log(f"== throughput, {heading(key)}")
                per_server = {name: [] for name in names}
                for rnd in range(1, args.rounds + 1):
                    k = (rnd - 1) % len(names)
                    for name in names[k:] + names[:k]:
                        per_server[name].append(b.run(name, targets[name], c, variant, rnd))
                        time.sleep(1)
                results["throughput"][key] = per_server
                results["cpu"][key] = {name: cpu_summary(per_server[name]) for name in names}
        note_cpu(b, results)
        for srv in servers:
            b.stop(srv)
        if cluster is not None:
            b.pause_cluster(cluster)
        print_throughput(results)

        # 3. Memory of idle connections: each server freshly started on its data.
        if n_idle > 0:
            log(f"\n== memory of {n_idle:,} idle connections")
            if "aio" in shapes:
                srv = b.start_strata("idle")
                results["idle"].append(b.idle("strata", srv, n_idle))
                b.stop(srv)
            if "base" in shapes:
                srv = b.start_strata("idle", baseline=True)
                results["idle"].append(b.idle("strata-baseline", srv, n_idle))
                b.stop(srv)
            if cluster is not None:
                # metad and the frontends started again on the same database and bodies.
                b.resume_cluster(cluster, "idle")
                results["idle"].append(b.idle("strata-cluster", cluster, n_idle))
                b.stop(cluster)
            if "dovecot" in shapes:
                run_dovecot_idle(b, results, n_idle)
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

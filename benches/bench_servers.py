"""Servers and measurements shared by the Python benchmarks in benches/.

What is here:

- `Strata`: `strata serve` on ephemeral loopback ports with a fresh or existing data dir,
  stopped with SIGINT (its Ctrl-C path); `strata_user_add` creates an account.
- `StrataCluster`: Strata's cluster shape on loopback (as the cluster tests start it): a fresh
  PostgreSQL database (CREATE DATABASE with psql on the server at $STRATA_TEST_PG_URL, default
  postgres://strata:strata@127.0.0.1:5432/postgres; dropped at stop), `s3s-fs` over a temp
  folder, one `strata metad` and two `strata frontend`s on free ports; memory and CPU of the
  frontends, metad, the database's PostgreSQL backends and s3s-fs, separately.
- `Dovecot`: a throw-away Dovecot (Debian dovecot-imapd, /usr/sbin/dovecot) with its own config
  and base_dir in a directory of ours, passwd-file users with {PLAIN} passwords, maildir, a
  static userdb running mail processes as `nobody`, listening on 127.0.0.1 and a free port, chroot
  off. The system's Dovecot is never touched. `DovecotLimits` raises its process and connection
  limits for many simultaneous connections and can turn on IMAP hibernation.
- `free_port()`, `machine_info()` (cores, CPU model, RAM, kernel, Dovecot version, git commit)
  `raise_fd_limit()` and `raise_inotify_instances()`.
- Memory: `vmrss_kb(pid)` (one process), `pss_kb(pid)`, `descendants(pid)` (walks the ppid
  field of /proc/*/stat) and `tree_memory(pid)`, which sums PSS over a process and all its
  descendants. PSS (proportional set size) charges each shared page to the processes sharing it
  in equal parts, so the sum over a process tree counts shared libraries once: that is the
  figure for a server made of many processes, such as Dovecot with one `imap` process per
  connection. `meminfo()` reads /proc/meminfo.
- CPU: `cpu_ticks(pid)` (utime + stime of one process, in clock ticks of `CLK_TCK`),
  `tree_cpu_ticks(root)` (a process and its live descendants, each with the CPU of the
  children it reaped: the difference between two calls counts every process of the tree that
  ran in between, also those that exited) and `cpu_delta`, the CPU seconds between two
  samples of the form {part: {(pid, start time): ticks}} that `Strata.cpu()`, `Dovecot.cpu()`
  and `StrataCluster.cpu()` return.

Stdlib only (Python 3.11). Dovecot must be started as root; the cluster needs psql, a
PostgreSQL role with CREATEDB and s3s-fs on PATH.
"""
import collections
import os
import platform
import pwd
import re
import resource
import shlex
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOVECOT = "/usr/sbin/dovecot" if os.path.exists("/usr/sbin/dovecot") else "dovecot"


def log(*args):
    print(*args, flush=True)


def free_port():
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_listening(port, proc, timeout, what):
    """Waits until 127.0.0.1:port accepts a connection; raises if `proc` exits first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with status {proc.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{what} did not listen on 127.0.0.1:{port} within {timeout} s")


# ---------------------------------------------------------------------------------------------
# Strata
# ---------------------------------------------------------------------------------------------

class Strata:
    """`strata serve` on ephemeral loopback ports; stopped with SIGINT (its Ctrl-C path)."""

    def __init__(self, binary, data_dir, log_path, config=None):
        args = [binary]
        if config:
            args += ["--config", config]
        args += ["serve", "--data-dir", data_dir, "--imap", "127.0.0.1:0",
                 "--imaps", "127.0.0.1:0"]
        self.log_path = log_path
        self.log_from = os.path.getsize(log_path) if os.path.exists(log_path) else 0
        self.log = open(log_path, "ab")
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self.log)
        self.pid = self.proc.pid
        self.port = None
        for line in self.proc.stdout:
            line = line.decode(errors="replace")
            if line.strip().startswith("imap "):
                self.port = int(line.split()[1].rsplit(":", 1)[1])
            if line.startswith("Add a user"):
                break
        if not self.port:
            self.proc.kill()
            self.proc.wait()
            self.log.close()
            raise RuntimeError(f"strata serve did not print its port; see {log_path}")
        # Keep draining stdout so that the server never blocks on a full pipe.
        threading.Thread(target=self.proc.stdout.read, daemon=True).start()

    def rss_kb(self):
        return vmrss_kb(self.pid)

    def cpu(self):
        """A CPU sample for `cpu_delta`: utime + stime of the one process."""
        return {"strata": cpu_by_process([self.pid])}

    def log_problems(self):
        """WARN and ERROR lines this instance logged (see `strata_log_problems`)."""
        return strata_log_problems(self.log_path, self.log_from)

    def stop(self, odd=None, timeout=120):
        """SIGINT, then SIGKILL after `timeout` s (noted in `odd` if given)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                if odd is not None:
                    odd.append(f"strata serve (pid {self.pid}) did not stop within {timeout} s "
                               "of SIGINT; killed")
                self.proc.kill()
                self.proc.wait()
        self.log.close()


def strata_user_add(binary, data_dir, user, password, config=None):
    """`strata [--config FILE] user add USER --password-stdin --data-dir DIR`."""
    args = [binary] + (["--config", config] if config else [])
    args += ["user", "add", user, "--password-stdin", "--data-dir", data_dir]
    subprocess.run(args, input=password + "\n", text=True, check=True,
                   stdout=subprocess.DEVNULL)


def strata_log_problems(path, offset=0):
    """WARN and ERROR lines of a Strata log from byte `offset` on, counted, with the timestamp
    dropped and numbers replaced by N so that repeats of one message count together."""
    out = collections.Counter()
    try:
        with open(path, "rb") as f:
            f.seek(offset)
            for raw in f:
                line = re.sub(r"\x1b\[[0-9;]*m", "", raw.decode(errors="replace")).strip()
                parts = line.split(None, 1)
                if len(parts) == 2 and parts[1].startswith(("WARN ", "ERROR ")):
                    out[re.sub(r"\d+", "N", parts[1])] += 1
    except FileNotFoundError:
        pass
    return out


# ---------------------------------------------------------------------------------------------
# Strata's cluster shape
# ---------------------------------------------------------------------------------------------

# The PostgreSQL server the cluster's database is created on (the URL names a database to
# connect to for CREATE/DROP DATABASE; its role needs CREATEDB). Same variable as the tests.
CLUSTER_PG_URL = os.environ.get("STRATA_TEST_PG_URL",
                                "postgres://strata:strata@127.0.0.1:5432/postgres")
S3_ACCESS_KEY, S3_SECRET_KEY, S3_BUCKET = "strata-bench", "strata-bench-secret", "mail"


def psql(url, sql):
    """Runs one SQL statement with psql; returns its unaligned output, raises on failure."""
    out = subprocess.run(["psql", url, "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql],
                         capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"psql {sql!r}: {out.stderr.strip()}")
    return out.stdout.strip()


def _ready_watch(proc, wanted):
    """An Event set once `proc` prints the line `wanted` on stdout; a thread keeps reading
    stdout to the end so that the process never blocks on a full pipe."""
    seen = threading.Event()

    def read():
        for raw in proc.stdout:
            if raw.decode(errors="replace").strip() == wanted:
                seen.set()

    threading.Thread(target=read, daemon=True).start()
    return seen


def _wait_ready(proc, seen, timeout, what, log_path):
    deadline = time.monotonic() + timeout
    while not seen.wait(0.1):
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with status {proc.returncode}; see {log_path}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} was not ready within {timeout} s; see {log_path}")


class StrataCluster:
    """Strata's cluster shape on loopback, as crates/strata/tests/support/cluster.rs starts it:
    a fresh PostgreSQL database (CREATE DATABASE on the server at `pg_url`, dropped by
    `stop`), `s3s-fs` (on PATH) over `tmp`/s3 with the bucket as a sub-folder, ONE `strata
    metad` (node 1, a raft group of one: peers = [its own address]) and `frontends` `strata
    frontend`s, each on free loopback ports, with configs and logs in `tmp`.

    `config` is TOML appended to every config file ([imap] and [auth] settings such as cheap
    argon2 costs; not [database], [blobs], [metad] or [frontend], which are written here).
    `users` maps login name to password; they are added with `strata --config metad.toml user
    add USER --password-stdin` once metad is up. `ports` are the frontends' IMAP ports.
    `stop_servers()` and `start_servers()` restart metad and the frontends on the same
    database, bodies and data dirs; `stop()` stops everything, drops the database and removes
    `tmp` if this object created it (`tmp` None: a new temp dir)."""

    def __init__(self, binary, tmp=None, users=None, config="", frontends=2, pg_url=None,
                 name="strata_bench"):
        self.binary = binary
        self.own_tmp = tmp is None
        self.tmp = tmp or tempfile.mkdtemp(prefix="strata-cluster-")
        self.pg_url = pg_url or CLUSTER_PG_URL
        self.database = None
        self.s3 = None
        self.s3_log = None
        self.metad = None
        self.frontend_procs = []
        self.logs = []      # open log files of metad and the frontends
        self.log_from = {}  # log path -> size when this start of the servers began
        self.n_frontends = frontends
        try:
            os.makedirs(self.tmp, exist_ok=True)
            if shutil.which("s3s-fs") is None:
                raise RuntimeError("s3s-fs is not on PATH (cargo install s3s-fs@0.14.1 "
                                   "--features binary --locked)")
            db = f"{name}_{os.getpid()}_{int(time.time() * 1000)}"
            psql(self.pg_url, f"CREATE DATABASE {db}")
            self.database = db
            base, _, _ = self.pg_url.rpartition("/")
            self.database_url = f"{base}/{db}"
            self._start_s3()
            self.metad_grpc = f"127.0.0.1:{free_port()}"
            self.metad_health = f"127.0.0.1:{free_port()}"
            self.ports = [free_port() for _ in range(frontends)]
            self.tls_ports = [free_port() for _ in range(frontends)]
            self.health_ports = [free_port() for _ in range(frontends)]
            self._write_configs(config)
            self.start_servers(users)
        except BaseException:
            self.stop()
            raise

    # -- setup -----------------------------------------------------------------------------

    def _start_s3(self):
        root = os.path.join(self.tmp, "s3")
        os.makedirs(os.path.join(root, S3_BUCKET), exist_ok=True)
        self.s3_log = open(os.path.join(self.tmp, "s3s-fs.log"), "ab")
        for _ in range(5):
            port = free_port()
            self.s3 = subprocess.Popen(
                ["s3s-fs", "--host", "127.0.0.1", "--port", str(port), "--access-key",
                 S3_ACCESS_KEY, "--secret-key", S3_SECRET_KEY, root],
                stdout=self.s3_log, stderr=subprocess.STDOUT)
            try:
                wait_listening(port, self.s3, 20, "s3s-fs")
                self.s3_addr = f"127.0.0.1:{port}"
                return
            except RuntimeError:
                self._stop_s3()
        raise RuntimeError("s3s-fs did not start (see s3s-fs.log)")

    def _write_configs(self, extra):
        common = (f'[database]\nurl = "{self.database_url}"\nmax_connections = 16\n\n'
                  f'[blobs]\nbackend = "s3"\ns3_endpoint = "http://{self.s3_addr}"\n'
                  f's3_bucket = "{S3_BUCKET}"\ns3_access_key_id = "{S3_ACCESS_KEY}"\n'
                  f's3_secret_access_key = "{S3_SECRET_KEY}"\ns3_allow_http = true\n\n'
                  f'[cluster]\nsecret = "strata-bench-secret"\n')
        self.metad_conf = os.path.join(self.tmp, "metad.toml")
        with open(self.metad_conf, "w") as f:
            f.write(f'data_dir = "{os.path.join(self.tmp, "metad")}"\n\n{extra}\n{common}\n'
                    f'[metad]\nlisten = "{self.metad_grpc}"\n'
                    f'admin_listen = "127.0.0.1:{free_port()}"\n'
                    f'health_listen = "{self.metad_health}"\nnode_id = 1\n'
                    f'peers = ["{self.metad_grpc}"]\n')
        self.frontend_confs = []
        for i in range(self.n_frontends):
            path = os.path.join(self.tmp, f"frontend{i + 1}.toml")
            with open(path, "w") as f:
                f.write(f'data_dir = "{os.path.join(self.tmp, f"frontend{i + 1}")}"\n\n'
                        f'{extra}\n{common}\n'
                        f'[frontend]\nmetad = ["http://{self.metad_grpc}"]\n'
                        f'health_listen = "127.0.0.1:{self.health_ports[i]}"\n')
            self.frontend_confs.append(path)

    def _spawn(self, args, log_name):
        path = os.path.join(self.tmp, log_name)
        self.log_from[path] = os.path.getsize(path) if os.path.exists(path) else 0
        log_file = open(path, "ab")
        self.logs.append(log_file)
        proc = subprocess.Popen([self.binary, *args], stdout=subprocess.PIPE, stderr=log_file)
        return proc, path

    def start_servers(self, users=None):
        """Starts metad (and waits for "metad ready."), adds `users`, then the frontends (each
        waited for until "Frontend ready.")."""
        self.log_from = {}
        self.metad, path = self._spawn(["--config", self.metad_conf, "metad"], "metad.log")
        _wait_ready(self.metad, _ready_watch(self.metad, "metad ready."), 120, "strata metad",
                    path)
        for user, password in (users or {}).items():
            subprocess.run([self.binary, "--config", self.metad_conf, "user", "add", user,
                            "--password-stdin"], input=password + "\n", text=True, check=True,
                           stdout=subprocess.DEVNULL)
        for i, conf in enumerate(self.frontend_confs):
            proc, path = self._spawn(
                ["--config", conf, "frontend", "--imap", f"127.0.0.1:{self.ports[i]}",
                 "--imaps", f"127.0.0.1:{self.tls_ports[i]}"], f"frontend{i + 1}.log")
            self.frontend_procs.append(proc)
            _wait_ready(proc, _ready_watch(proc, "Frontend ready."), 120,
                        f"strata frontend {i + 1}", path)

    # -- measurements ----------------------------------------------------------------------

    def postgres_backends(self):
        """Pids of the PostgreSQL backends connected to this cluster's database."""
        if not self.database:
            return []
        try:
            out = psql(self.pg_url, "SELECT pid FROM pg_stat_activity WHERE datname = "
                       f"'{self.database}'")
        except RuntimeError:
            return []
        return [int(x) for x in out.split()]

    def memory(self):
        """PSS and RSS in KiB: "frontends" summed over the frontend processes (PSS counts the
        pages of the one binary they share once), "metad", "postgres" summed over the backends
        serving this database (not the postmaster and its helpers, which serve every
        database; needs root to read their smaps) and "s3" (s3s-fs). Each is {"pss_kb",
        "rss_kb", "processes"}."""
        def measure(pids):
            pids = [p for p in pids if p and _stat_fields(p)]
            return {"pss_kb": sum(pss_kb(p) for p in pids),
                    "rss_kb": sum(vmrss_kb(p) for p in pids), "processes": len(pids)}

        live = lambda p: p.pid if p is not None and p.poll() is None else None  # noqa: E731
        return {"frontends": measure([live(p) for p in self.frontend_procs]),
                "metad": measure([live(self.metad)]),
                "postgres": measure(self.postgres_backends()),
                "s3": measure([live(self.s3)])}

    def cpu(self):
        """A CPU sample for `cpu_delta`: utime + stime of each frontend, metad, s3s-fs and each
        PostgreSQL backend serving this database ("postgres"; empty when pg_stat_activity names
        none that runs on this machine as a `postgres` process, e.g. a server elsewhere).
        Not counted: the postmaster and its helpers (WAL writer, checkpointer, parallel
        workers), which serve every database; a backend that exits between two samples
        takes the CPU it used since the first with it (`cpu_delta` counts such processes)."""
        live = lambda p: p.pid if p is not None and p.poll() is None else None  # noqa: E731
        local = [p for p in self.postgres_backends()
                 if (_stat_fields(p) or ("",))[0].startswith("postgres")]
        return {"frontends": cpu_by_process([live(p) for p in self.frontend_procs]),
                "metad": cpu_by_process([live(self.metad)]),
                "s3s-fs": cpu_by_process([live(self.s3)]),
                "postgres": cpu_by_process(local)}

    def versions(self):
        """PostgreSQL's server_version and s3s-fs --version."""
        try:
            pg = "PostgreSQL " + psql(self.pg_url, "SHOW server_version").split()[0]
        except (RuntimeError, IndexError):
            pg = "PostgreSQL ?"
        s3 = subprocess.run(["s3s-fs", "--version"], capture_output=True,
                            text=True).stdout.strip()
        return {"postgres": pg, "s3s_fs": s3 or "s3s-fs ?"}

    def configs(self):
        """The metad and frontend 1 config files, as written."""
        return {"metad": open(self.metad_conf).read(),
                "frontend": open(self.frontend_confs[0]).read()}

    def log_problems(self):
        """WARN and ERROR lines metad and the frontends logged since their last start or the
        last call (see `strata_log_problems`), each prefixed with the process's name."""
        out = collections.Counter()
        for path, offset in list(self.log_from.items()):
            who = os.path.basename(path)[:-4]
            for line, n in strata_log_problems(path, offset).items():
                out[f"{who}: {line}"] += n
            if os.path.exists(path):
                self.log_from[path] = os.path.getsize(path)
        return out

    # -- stopping --------------------------------------------------------------------------

    def stop_servers(self, odd=None, timeout=120):
        """SIGINT to the frontends, then to metad (their Ctrl-C path); SIGKILL after
        `timeout` s (noted in `odd` if given)."""
        for group in (self.frontend_procs, [self.metad] if self.metad else []):
            for p in group:
                if p.poll() is None:
                    p.send_signal(signal.SIGINT)
            for p in group:
                try:
                    p.wait(timeout=timeout)
                except subprocess.TimeoutExpired:
                    if odd is not None:
                        odd.append(f"strata (pid {p.pid}, {shlex.join(p.args[1:4])}) did not "
                                   f"stop within {timeout} s of SIGINT; killed")
                    p.kill()
                    p.wait()
        self.frontend_procs, self.metad = [], None
        for f in self.logs:
            f.close()
        self.logs = []

    def _stop_s3(self):
        if self.s3 is not None:
            if self.s3.poll() is None:
                self.s3.terminate()
                try:
                    self.s3.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self.s3.kill()
                    self.s3.wait()
            self.s3 = None

    def stop(self, odd=None, timeout=120):
        """Stops metad and the frontends, then s3s-fs; drops the database (WITH (FORCE)) and
        removes `tmp` if this object created it. Safe to call more than once."""
        self.stop_servers(odd, timeout)
        self._stop_s3()
        if self.s3_log:
            self.s3_log.close()
            self.s3_log = None
        if self.database:
            try:
                psql(self.pg_url, f"DROP DATABASE IF EXISTS {self.database} WITH (FORCE)")
                self.database = None
            except RuntimeError as e:
                if odd is not None:
                    odd.append(f"could not drop the cluster's database {self.database}: {e}")
        if self.own_tmp:
            shutil.rmtree(self.tmp, ignore_errors=True)


# ---------------------------------------------------------------------------------------------
# Dovecot
# ---------------------------------------------------------------------------------------------

class DovecotLimits:
    """Settings for `connections` simultaneous IMAP connections.

    Dovecot runs one `imap` process per connection (client_limit 1), so `service imap`
    needs process_limit above the connection count (set there only: a default_process_limit
    that high makes the master ask for an RLIMIT_NPROC of the sum over all services, above
    the hard limit). Every process also connects to the log and stats services, hence
    default_client_limit above the connection count. Logins go through imap-login in its
    high-performance mode (service_count = 0: a few long-lived processes, at most one per
    core, each serving many connections, instead of one process per connection).
    mail_max_userip_connections (default 10) caps connections per user and client address.
    `hibernate` (e.g. "5s") sets imap_hibernate_timeout: after that long in IDLE, the
    connection moves into the single imap-hibernate process and its imap process exits."""

    def __init__(self, connections, hibernate=None):
        self.connections = connections
        self.hibernate = hibernate

    def config(self):
        n = self.connections
        text = f"""
default_process_limit = 1000
default_client_limit = {n + 1000}
default_vsz_limit = 0
service imap {{
  process_limit = {n + 100}
}}
service imap-login {{
  service_count = 0
  process_min_avail = 2
  process_limit = {max(2, os.cpu_count() or 1)}
  client_limit = {n + 100}
}}
protocol imap {{
  mail_max_userip_connections = {n}
}}
"""
        if self.hibernate:
            # imap-hibernate (running as the internal user `dovecot`) hands a connection back
            # through imap-master; imap processes (as nobody, with the extra group dovecot,
            # the default since 2.3.1) reach imap-hibernate. The recipe of Dovecot's
            # "Hibernation" page.
            text += f"""
imap_hibernate_timeout = {self.hibernate}
service imap {{
  unix_listener imap-master {{
    user = $default_internal_user
  }}
  extra_groups = $default_internal_group
}}
service imap-hibernate {{
  unix_listener imap-hibernate {{
    mode = 0660
    group = $default_internal_group
  }}
}}
"""
        return text


class Dovecot:
    """A throw-away Dovecot: own config and base_dir under `tmp`, passwd-file users with
    {PLAIN} passwords, maildir under tmp/mail/USER, default search (no FTS plugin).

    `users` maps login name to password. `limits` (a `DovecotLimits`) raises the
    connection limits; `extra` is appended to the config as is. Starting again on the same
    `tmp` keeps the mail: the config is rewritten, the maildirs stay."""

    def __init__(self, tmp, users, limits=None, extra="", name="strata-bench"):
        if not os.path.exists(DOVECOT):
            raise RuntimeError("dovecot is not installed (apt-get install -y dovecot-imapd)")
        nobody = pwd.getpwnam("nobody")
        self.port = free_port()
        self.tmp = tmp
        os.makedirs(tmp, exist_ok=True)
        os.chmod(tmp, 0o755)  # mail processes run as nobody
        for d in ("run", "mail", "home"):
            os.makedirs(os.path.join(tmp, d), exist_ok=True)
        for d in ("mail", "home"):
            os.chown(os.path.join(tmp, d), nobody.pw_uid, nobody.pw_gid)
        with open(os.path.join(tmp, "passwd"), "w") as f:
            for user, password in users.items():
                f.write(f"{user}:{{PLAIN}}{password}::::::\n")
        self.log_path = os.path.join(tmp, "dovecot.log")
        # Where this instance's lines start in a log that earlier instances may have used.
        self.log_from = os.path.getsize(self.log_path) if os.path.exists(self.log_path) else 0
        self.conf = os.path.join(tmp, "dovecot.conf")
        with open(self.conf, "w") as f:
            f.write(f"""
base_dir = {tmp}/run
state_dir = {tmp}/run/state
instance_name = {name}-{self.port}
listen = 127.0.0.1
protocols = imap
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain
log_path = {self.log_path}
first_valid_uid = 1
mail_location = maildir:{tmp}/mail/%u
passdb {{
  driver = passwd-file
  args = {tmp}/passwd
}}
userdb {{
  driver = static
  args = uid={nobody.pw_uid} gid={nobody.pw_gid} home={tmp}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    port = 0
  }}
  chroot =
}}
service anvil {{
  chroot =
}}
""")
            if limits:
                f.write(limits.config())
            f.write(extra)
        self.proc = subprocess.Popen([DOVECOT, "-F", "-c", self.conf])
        self.pid = self.proc.pid
        try:
            wait_listening(self.port, self.proc, 20, f"dovecot (see {self.log_path})")
        except RuntimeError:
            self.stop()
            raise

    def version(self):
        return subprocess.run([DOVECOT, "--version"], capture_output=True,
                              text=True).stdout.strip()

    def memory(self):
        """PSS and RSS summed over the master and every descendant (see `tree_memory`)."""
        return tree_memory(self.pid)

    def cpu(self):
        """A CPU sample for `cpu_delta`: the master and every live descendant, each with the
        CPU of the children it reaped (`tree_cpu_ticks`), as one figure keyed by the master:
        an imap process that ends between two samples is in the master's cutime/cstime by
        the second."""
        st = start_time(self.pid)
        return {"dovecot": {} if st is None else {(self.pid, st): tree_cpu_ticks(self.pid)}}

    def log_problems(self):
        """Warning, Error, Fatal and Panic lines this instance logged, without timestamps and
        session ids, counted (the master's own "Killed with signal 15" at stop excluded)."""
        out = collections.Counter()
        try:
            with open(self.log_path, "rb") as f:
                f.seek(self.log_from)
                for raw in f:
                    line = raw.decode(errors="replace")
                    if not any(w in line for w in (" Warning: ", " Error: ", " Fatal: ",
                                                   " Panic: ")):
                        continue
                    if "Killed with signal 15" in line:
                        continue
                    line = re.sub(r"^\w{3} [ \d]\d \d\d:\d\d:\d\d ", "", line.strip())
                    out[re.sub(r"<\d+><[^>]*>", "", line)] += 1
        except FileNotFoundError:
            pass
        return out

    def stop(self, timeout=120):
        """SIGTERM to the master (it stops its children); children still alive afterwards
        (by pid and start time, so never a reused pid) are killed."""
        children = [(p, start_time(p)) for p in descendants(self.pid)]
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        deadline = time.monotonic() + 10
        while True:
            alive = [(p, t) for p, t in children if t is not None and start_time(p) == t]
            if not alive or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        for p, _ in alive:
            try:
                os.kill(p, signal.SIGKILL)
            except ProcessLookupError:
                pass
        return len(alive)


# ---------------------------------------------------------------------------------------------
# Memory, CPU and processes
# ---------------------------------------------------------------------------------------------

def _status_kb(pid, field):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field):
                    return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0


def vmrss_kb(pid):
    """VmRSS of one process in KiB (0 if it is gone)."""
    return _status_kb(pid, "VmRSS:")


def pss_kb(pid):
    """Pss of one process in KiB from /proc/PID/smaps_rollup (0 if it is gone or a kernel
    thread)."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        pass
    return 0


def _stat_fields(pid):
    """(comm, fields after comm) of /proc/PID/stat, or None if the process is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            s = f.read()
    except (FileNotFoundError, ProcessLookupError):
        return None
    lp, rp = s.find("("), s.rfind(")")
    return s[lp + 1:rp], s[rp + 2:].split()


def start_time(pid):
    """The process's start time in clock ticks since boot (None if gone): with the pid, it
    names one process even if the pid is reused later."""
    st = _stat_fields(pid)
    return int(st[1][19]) if st else None


def descendants(root):
    """Pids of every live descendant of `root` (children, their children, ...)."""
    children = collections.defaultdict(list)
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        st = _stat_fields(name)
        if st:
            children[int(st[1][1])].append(int(name))
    out, todo = [], [root]
    while todo:
        for c in children.get(todo.pop(), []):
            out.append(c)
            todo.append(c)
    return out


def tree_memory(root):
    """Memory of `root` and its descendants: {"pss_kb", "rss_kb", "processes", "by_name"}
    where by_name counts processes per command name (comm)."""
    pss = rss = 0
    names = collections.Counter()
    pids = [root] + descendants(root)
    for pid in pids:
        st = _stat_fields(pid)
        if not st:
            continue
        names[st[0]] += 1
        pss += pss_kb(pid)
        rss += vmrss_kb(pid)
    return {"pss_kb": pss, "rss_kb": rss, "processes": sum(names.values()),
            "by_name": dict(names)}


CLK_TCK = os.sysconf("SC_CLK_TCK")


def cpu_ticks(pid, children=False):
    """utime + stime of one process in clock ticks (`CLK_TCK` a second), with `children`
    also cutime + cstime (the CPU of the children it waited for); None if it is gone."""
    st = _stat_fields(pid)
    if not st:
        return None
    f = st[1]  # field 3 (state) is f[0]: utime is field 14
    ticks = int(f[11]) + int(f[12])
    if children:
        ticks += int(f[13]) + int(f[14])
    return ticks


def tree_cpu_ticks(root):
    """CPU of `root` and its live descendants, each with its reaped children's, in clock
    ticks. A process that exits is counted in its parent's cutime/cstime once reaped, so the
    difference between two calls is the CPU the whole tree used in between, as long as its
    processes are reaped inside the tree (a daemon's master reaps its workers)."""
    return sum(cpu_ticks(p, children=True) or 0 for p in [root] + descendants(root))


def cpu_by_process(pids):
    """{(pid, start time): utime + stime ticks} of the live ones among `pids` (None
    skipped). The start time tells a process from a later one with a reused pid."""
    out = {}
    for pid in pids:
        if not pid:
            continue
        st, ticks = start_time(pid), cpu_ticks(pid)
        if st is not None and ticks is not None:
            out[(pid, st)] = ticks
    return out


def cpu_delta(before, after):
    """CPU seconds per part between two samples ({part: {(pid, start): ticks}}), and the
    number of processes in `before` gone by `after` (their CPU after `before` is missing).
    A process that appeared in between counts from zero: it started in the window."""
    secs, gone = {}, 0
    for part, procs in after.items():
        old = before.get(part, {})
        secs[part] = sum(t - old.get(k, 0) for k, t in procs.items()) / CLK_TCK
        gone += len(set(old) - set(procs))
    return secs, gone


def meminfo():
    """/proc/meminfo in KiB, by field name (MemTotal, MemAvailable, ...)."""
    out = {}
    with open("/proc/meminfo") as f:
        for line in f:
            key, rest = line.split(":", 1)
            out[key] = int(rest.split()[0])
    return out


INOTIFY_INSTANCES = "/proc/sys/fs/inotify/max_user_instances"


def raise_inotify_instances(needed):
    """Raises the kernel's fs.inotify.max_user_instances to `needed` if it is lower; returns
    the old value (None if nothing was changed or it cannot be written). Dovecot's imap
    processes all run as one user and each holds one inotify instance to watch its mailbox;
    past the limit (128 by default) Dovecot logs "Inotify instance limit ... exceeded,
    disabling", polls instead, and can no longer hibernate those connections."""
    try:
        with open(INOTIFY_INSTANCES) as f:
            old = int(f.read())
        if old >= needed:
            return None
        with open(INOTIFY_INSTANCES, "w") as f:
            f.write(str(needed))
        return old
    except OSError:
        return None


def inotify_instances():
    """The current fs.inotify.max_user_instances (0 if unreadable)."""
    try:
        with open(INOTIFY_INSTANCES) as f:
            return int(f.read())
    except (OSError, ValueError):
        return 0


def restore_inotify_instances(old):
    if old is not None:
        try:
            with open(INOTIFY_INSTANCES, "w") as f:
                f.write(str(old))
        except OSError:
            pass


def raise_fd_limit():
    """Raises RLIMIT_NOFILE (and RLIMIT_NPROC) to their hard limits, so that children
    inherit them. Returns the new (soft, hard) RLIMIT_NOFILE."""
    for which in (resource.RLIMIT_NOFILE, resource.RLIMIT_NPROC):
        soft, hard = resource.getrlimit(which)
        if soft != hard:
            resource.setrlimit(which, (hard, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)


# ---------------------------------------------------------------------------------------------
# The machine
# ---------------------------------------------------------------------------------------------

def machine_info(built=True):
    """Cores, CPU model, RAM, kernel, Python and Dovecot versions, and the repository's git
    commit (marked when the tree has uncommitted changes, or when the binaries were not built
    by this run)."""
    model = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    mem_kb = meminfo()["MemTotal"]
    try:
        dv = subprocess.run([DOVECOT, "--version"], capture_output=True,
                            text=True).stdout.strip()
    except OSError:
        dv = "not installed"
    commit = subprocess.run(["git", "-C", REPO, "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "-C", REPO, "status", "--porcelain", "--untracked-files=no"],
                           capture_output=True, text=True).stdout.strip()
    return {"nproc": os.cpu_count(), "mem_gib": mem_kb / 1024 / 1024, "model": model,
            "kernel": platform.release(), "python": platform.python_version(),
            "dovecot": "Dovecot " + dv, "commit": commit, "dirty": bool(dirty),
            "describe": commit + ("+uncommitted changes" if dirty else "")
            + ("" if built else " (tree at run time; the binaries were not built by this run)")}

#!/usr/bin/env python3
"""Capture Dovecot's ENVELOPE and BODYSTRUCTURE for every corpus message.

Starts a throwaway Dovecot (Debian package dovecot-imapd) as root on 127.0.0.1 and a free
port, with its own temporary config, maildir and passwd-file user; the system Dovecot config
and port 143 are never touched. Every tests/corpus/*.eml is APPENDed with imaplib into its own
mailbox, and the raw values of `FETCH 1 (ENVELOPE BODY BODYSTRUCTURE)` are written next to it as
NAME.dovecot.envelope, NAME.dovecot.body and NAME.dovecot.bodystructure (or into --out DIR). With --sections, the
answers to a fixed list of BODY.PEEK[section] fetches (SECTIONS) go to NAME.dovecot.sections.json
as {section: base64 octets, or null for NIL, or "NO"/"BAD" for an error response}. With --sort,
every message is also appended to one mailbox and the orders of `SORT (key) UTF-8 ALL` for each
key in SORT_KEYS go to sort.dovecot.json as {key: [sequence numbers]} (sequence n is the n-th
.eml in name order).

Usage: python3 tests/corpus/dovecot_capture.py [--out DIR] [--corpus DIR]
Exit status is non-zero if Dovecot is not installed or does not start.
"""
import argparse
import imaplib
import json
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
USER, PASSWORD = "corpus", "corpus-pass"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def start(tmp):
    """Writes a config under tmp, starts Dovecot in the foreground, returns (proc, port)."""
    if not os.path.exists(DOVECOT):
        sys.exit("dovecot is not installed (apt-get install -y dovecot-imapd)")
    nobody = pwd.getpwnam("nobody")
    port = free_port()
    for d in ("run", "mail", "home"):
        os.makedirs(os.path.join(tmp, d), exist_ok=True)
    for d in ("mail", "home"):
        os.chown(os.path.join(tmp, d), nobody.pw_uid, nobody.pw_gid)
    os.chmod(tmp, 0o755)
    with open(os.path.join(tmp, "passwd"), "w") as f:
        f.write(f"{USER}:{{PLAIN}}{PASSWORD}::::::\n")
    conf = os.path.join(tmp, "dovecot.conf")
    with open(conf, "w") as f:
        f.write(f"""
base_dir = {tmp}/run
state_dir = {tmp}/run/state
instance_name = strata-corpus-{port}
listen = 127.0.0.1
protocols = imap
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain
log_path = {tmp}/dovecot.log
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
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
}}
""")
    proc = subprocess.Popen([DOVECOT, "-F", "-c", conf])
    deadline = time.time() + 20
    while time.time() < deadline:
        if proc.poll() is not None:
            log = open(os.path.join(tmp, "dovecot.log")).read() if os.path.exists(os.path.join(tmp, "dovecot.log")) else ""
            sys.exit(f"dovecot exited with {proc.returncode}\n{log}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return proc, port
        except OSError:
            time.sleep(0.1)
    proc.terminate()
    sys.exit("dovecot did not start listening within 20 s")


def skip_value(b, i):
    """Index just after the IMAP value starting at b[i] (atom, quoted, literal or list)."""
    c = b[i:i + 1]
    if c == b"(":
        i += 1
        while b[i:i + 1] != b")":
            if b[i:i + 1] == b" ":
                i += 1
                continue
            i = skip_value(b, i)
        return i + 1
    if c == b'"':
        i += 1
        while b[i:i + 1] != b'"':
            i += 2 if b[i:i + 1] == b"\\" else 1
        return i + 1
    if c == b"{":
        j = b.index(b"}", i)
        n = int(b[i + 1:j].rstrip(b"+"))
        return j + 3 + n
    while i < len(b) and b[i:i + 1] not in (b" ", b")"):
        i += 1
    return i


def items(resp):
    """{name: raw value} of a FETCH response `1 (NAME value NAME value)`."""
    start = resp.index(b"(") + 1
    out, i = {}, start
    while i < len(resp) and resp[i:i + 1] != b")":
        if resp[i:i + 1] == b" ":
            i += 1
            continue
        j = resp.index(b" ", i)
        if b"[" in resp[i:j]:
            # BODY[HEADER.FIELDS (A B)] holds spaces: the name ends after its "]" (and <n>).
            j = resp.index(b"]", i) + 1
            if resp[j:j + 1] == b"<":
                j = resp.index(b">", j) + 1
        name = resp[i:j].decode()
        end = skip_value(resp, j + 1)
        out[name] = resp[j + 1:end]
        i = end
    return out


SECTIONS = [
    "HEADER", "TEXT", "1", "1.MIME", "1.HEADER", "2", "2.MIME", "2.HEADER", "2.TEXT", "3",
    "1.1", "1.2", "2.1", "2.2", "2.2.MIME", "1.1.1", "1.2.1", "1.2.2.MIME",
    "HEADER.FIELDS (SUBJECT FROM)", "HEADER.FIELDS.NOT (SUBJECT Received)",
    "2.HEADER.FIELDS (subject)",
]


def fetch_sections(m):
    """{section: base64 | None | "NO" | "BAD"} of message 1 in the selected mailbox."""
    import base64
    out = {}
    for sec in SECTIONS:
        try:
            typ, data = m.fetch("1", f"(BODY.PEEK[{sec}])")
        except imaplib.IMAP4.error:
            out[sec] = "BAD"
            continue
        if typ != "OK":
            out[sec] = typ
            continue
        resp = b"".join(x[0] + b"\r\n" + x[1] if isinstance(x, tuple) else x for x in data)
        value = items(resp).get(f"BODY[{sec}]")
        if value is None:
            # Dovecot writes the section name back in its own spelling; take the only item.
            it = items(resp)
            value = next(iter(it.values())) if len(it) == 1 else None
        if value is None or value == b"NIL":
            out[sec] = None
        elif value.startswith(b"{"):
            j = value.index(b"}")
            out[sec] = base64.b64encode(value[j + 3:]).decode()
        else:
            v = value[1:-1].replace(b'\\\\', b'\\').replace(b'\\"', b'"')
            out[sec] = base64.b64encode(v).decode()
    return out


def fetch_all(port, corpus, sections=False, sort=False):
    """{name: (envelope, bodystructure)} for every corpus .eml."""
    m = imaplib.IMAP4("127.0.0.1", port)
    m.login(USER, PASSWORD)
    results = {}
    for n, fname in enumerate(sorted(f for f in os.listdir(corpus) if f.endswith(".eml"))):
        raw = open(os.path.join(corpus, fname), "rb").read()
        box = f"m{n}"
        m.create(box)
        typ, _ = m.append(box, None, None, raw)
        if typ != "OK":
            raise SystemExit(f"APPEND {fname} failed")
        m.select(box, readonly=True)
        typ, data = m.fetch("1", "(ENVELOPE BODY BODYSTRUCTURE)")
        resp = b"".join(x[0] + b"\r\n" + x[1] if isinstance(x, tuple) else x for x in data)
        it = items(resp)
        secs = fetch_sections(m) if sections else None
        results[fname[:-4]] = (it["ENVELOPE"], it["BODY"], it["BODYSTRUCTURE"], secs)
        m.close()
    if sort:
        results["sort.dovecot"] = sort_orders(m, corpus)
    m.logout()
    return results


SORT_KEYS = ["SUBJECT", "FROM", "TO", "CC", "DATE", "DISPLAYFROM", "DISPLAYTO"]


def sort_orders(m, corpus):
    """{key: [sequence numbers]} of `SORT (key) UTF-8 ALL` over one mailbox holding every
    corpus message in name order, each with INTERNALDATE 01-Jan-2020 (the DATE fallback)."""
    m.create("sortall")
    for fname in sorted(f for f in os.listdir(corpus) if f.endswith(".eml")):
        raw = open(os.path.join(corpus, fname), "rb").read()
        m.append("sortall", None, '"01-Jan-2020 00:00:00 +0000"', raw)
    m.select("sortall", readonly=True)
    out = {}
    for key in SORT_KEYS:
        typ, data = m.sort(f"({key})", "UTF-8", "ALL")
        if typ != "OK":
            raise SystemExit(f"SORT {key} failed: {data}")
        out[key] = [int(x) for x in data[0].split()]
    m.close()
    return out


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=here)
    ap.add_argument("--corpus", default=here)
    ap.add_argument("--sections", action="store_true")
    ap.add_argument("--sort", action="store_true")
    args = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="strata-dovecot-")
    proc, port = start(tmp)
    try:
        results = fetch_all(port, args.corpus, args.sections, args.sort)
        orders = results.pop("sort.dovecot", None)
        if orders is not None:
            with open(os.path.join(args.out, "sort.dovecot.json"), "w") as f:
                json.dump(orders, f, indent=1)
                f.write("\n")
        for name, (env, body, bs, secs) in results.items():
            open(os.path.join(args.out, name + ".dovecot.envelope"), "wb").write(env)
            open(os.path.join(args.out, name + ".dovecot.body"), "wb").write(body)
            open(os.path.join(args.out, name + ".dovecot.bodystructure"), "wb").write(bs)
            if secs is not None:
                with open(os.path.join(args.out, name + ".dovecot.sections.json"), "w") as f:
                    json.dump(secs, f, indent=1, sort_keys=True)
                    f.write("\n")
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

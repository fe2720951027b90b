#!/usr/bin/env python3
"""Runs SEARCH queries against a throwaway Dovecot holding the corpus, for tests/dovecot_diff.rs.

Starts Dovecot with tests/corpus/dovecot_capture.py's `start` (as root, 127.0.0.1, a free port,
its own config), APPENDs every tests/corpus/*.eml in name order to one mailbox with INTERNALDATE
"01-Jan-2026 12:00:00 +0000", then sends `SEARCH CHARSET UTF-8 <query>` for every line of the
query file (wire text; quoted strings holding non-ASCII are sent as LITERAL+ literals).
Prints one JSON object {query: [sequence numbers] or "NO ..."/"BAD ..."}.

Usage: python3 dovecot_search.py QUERY_FILE
"""
import imaplib
import json
import os
import re
import shutil
import socket
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "..", "..", "..", "tests", "corpus")
sys.path.insert(0, CORPUS)
import dovecot_capture as cap  # noqa: E402


def wire(query):
    """The query as bytes, non-ASCII quoted strings turned into LITERAL+ literals."""
    def lit(m):
        s = m.group(1).replace('\\"', '"').replace("\\\\", "\\").encode()
        if s.isascii():
            return m.group(0).encode()
        return b"{%d+}\r\n" % len(s) + s
    out, pos = b"", 0
    for m in re.finditer(r'"((?:[^"\\]|\\.)*)"', query):
        out += query[pos:m.start()].encode() + lit(m)
        pos = m.end()
    return out + query[pos:].encode()


def run(port, queries):
    m = imaplib.IMAP4("127.0.0.1", port)
    m.login(cap.USER, cap.PASSWORD)
    m.create("all")
    for fname in sorted(f for f in os.listdir(CORPUS) if f.endswith(".eml")):
        raw = open(os.path.join(CORPUS, fname), "rb").read()
        typ, _ = m.append("all", None, '"01-Jan-2026 12:00:00 +0000"', raw)
        if typ != "OK":
            sys.exit(f"APPEND {fname} failed")
    m.logout()
    s = socket.create_connection(("127.0.0.1", port))
    f = s.makefile("rb")
    f.readline()

    def command(tag, body):
        s.sendall(tag + b" " + body + b"\r\n")
        lines = []
        while True:
            line = f.readline()
            if not line:
                sys.exit("connection closed")
            if line.startswith(tag + b" "):
                return line.rstrip(b"\r\n").split(b" ", 2)[1:], lines
            lines.append(line.rstrip(b"\r\n"))

    command(b"l", b"LOGIN %s %s" % (cap.USER.encode(), cap.PASSWORD.encode()))
    command(b"s", b"EXAMINE all")
    out = {}
    for i, q in enumerate(queries):
        (status, text), lines = command(b"q%d" % i, b"SEARCH CHARSET UTF-8 " + wire(q))
        if status != b"OK":
            out[q] = (status + b" " + text).decode(errors="replace")
            continue
        nums = []
        for line in lines:
            if line.startswith(b"* SEARCH"):
                nums += [int(x) for x in line.split()[2:]]
        out[q] = sorted(nums)
    s.close()
    return out


def main():
    queries = [q for q in open(sys.argv[1], encoding="utf-8").read().split("\n") if q.strip()]
    tmp = tempfile.mkdtemp(prefix="strata-dovecot-search-")
    proc, port = cap.start(tmp)
    try:
        print(json.dumps(run(port, queries), ensure_ascii=False))
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

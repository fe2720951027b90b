"""IDLE notification latency against a running IMAP server (Strata or any other).

One connection sits in IDLE on INBOX; another appends, stores a flag and expunges. For each
change the time from the writer sending the command to the idler reading the untagged EXISTS /
FETCH / EXPUNGE (or VANISHED) is recorded (an upper bound: it includes the command's own work); the script prints the median, p90 and max per kind.

usage: python3 benches/idle_latency.py HOST PORT USER PASSWORD [ROUNDS]
"""
import socket
import statistics
import sys
import time

host, port, user, password = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
rounds = int(sys.argv[5]) if len(sys.argv) > 5 else 50


class Conn:
    def __init__(self):
        self.s = socket.create_connection((host, port), timeout=10)
        self.buf = b""
        self.n = 0
        self.line()

    def line(self):
        while b"\r\n" not in self.buf:
            chunk = self.s.recv(65536)
            if not chunk:
                raise SystemExit("connection closed")
            self.buf += chunk
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def cmd(self, text, literal=None):
        self.n += 1
        tag = b"x%d" % self.n
        if literal is None:
            self.s.sendall(tag + b" " + text + b"\r\n")
        else:
            self.s.sendall(tag + b" " + text + b" {%d+}\r\n" % len(literal) + literal + b"\r\n")
        lines = []
        while True:
            line = self.line()
            lines.append(line)
            if line.startswith(tag + b" "):
                if not line.startswith(tag + b" OK"):
                    raise SystemExit(f"{text!r}: {line!r}")
                return lines


idler, writer = Conn(), Conn()
for c in (idler, writer):
    c.cmd(f'LOGIN "{user}" "{password}"'.encode())
idler.cmd(b"SELECT INBOX")
writer.cmd(b"SELECT INBOX")
idler.s.sendall(b"i IDLE\r\n")
assert idler.line().startswith(b"+"), "IDLE continuation"

samples = {"EXISTS": [], "FETCH": [], "EXPUNGE": []}


def wait_for(kind):
    while True:
        line = idler.line()
        if line.startswith(b"* ") and (kind.encode() in line or (kind == "EXPUNGE" and b"VANISHED" in line)):
            return time.perf_counter()


for i in range(rounds):
    body = b"Subject: latency %d\r\n\r\nping\r\n" % i
    t0 = time.perf_counter()
    writer.cmd(b"APPEND INBOX", body)
    samples["EXISTS"].append(wait_for("EXISTS") - t0)
    writer.cmd(b"NOOP")
    t0 = time.perf_counter()
    writer.cmd(b"STORE 1 +FLAGS (\\Deleted)")
    samples["FETCH"].append(wait_for("FETCH") - t0)
    t0 = time.perf_counter()
    writer.cmd(b"EXPUNGE")
    samples["EXPUNGE"].append(wait_for("EXPUNGE") - t0)

idler.s.sendall(b"DONE\r\n")
for kind, xs in samples.items():
    xs.sort()
    print(f"{kind:8} n={len(xs)} median={statistics.median(xs)*1000:.2f} ms "
          f"p90={xs[int(len(xs)*0.9)-1]*1000:.2f} ms max={xs[-1]*1000:.2f} ms")

"""COMPRESS=DEFLATE (RFC 4978) against a running Strata, with Python's zlib as the raw-deflate
peer: commands go compressed, responses come back compressed and sync-flushed; a 200 KB
message survives APPEND and FETCH both ways; a second COMPRESS is refused; COMPRESS before
login is BAD.

usage: compress_deflate.py PORT USER PASSWORD
"""
import re
import socket
import sys
import zlib

port, user, password = int(sys.argv[1]), sys.argv[2], sys.argv[3]


class Conn:
    def __init__(self):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=20)
        self.buf = b""
        self.z_out = None
        self.z_in = None
        self.raw_in = 0

    def send(self, data):
        if self.z_out:
            data = self.z_out.compress(data) + self.z_out.flush(zlib.Z_SYNC_FLUSH)
        self.sock.sendall(data)

    def more(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise SystemExit("server closed the connection")
        self.raw_in += len(chunk)
        self.buf += self.z_in.decompress(chunk) if self.z_in else chunk

    def line(self):
        while b"\r\n" not in self.buf:
            self.more()
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def response(self, tag):
        """Lines (literals inlined) up to the tagged one."""
        lines = []
        while True:
            line = self.line()
            m = re.search(rb"\{(\d+)\}$", line)
            if m:
                n = int(m.group(1))
                while len(self.buf) < n:
                    self.more()
                line += b"\r\n" + self.buf[:n]
                self.buf = self.buf[n:]
                line += self.line()
            lines.append(line)
            if line.startswith(tag + b" "):
                return lines

    def cmd(self, tag, text):
        self.send(tag + b" " + text + b"\r\n")
        return self.response(tag)


c = Conn()
assert b"IMAP4rev1" in c.line()
assert c.cmd(b"a0", b"COMPRESS DEFLATE")[-1].startswith(b"a0 BAD"), "COMPRESS before login"
r = c.cmd(b"a1", f'LOGIN "{user}" "{password}"'.encode())
assert r[-1].startswith(b"a1 OK") and b"COMPRESS=DEFLATE" in r[-1], r
r = c.cmd(b"a2", b"COMPRESS DEFLATE")
assert r == [b"a2 OK DEFLATE active"], r
# From here on both directions are raw deflate (wbits -15).
c.z_out = zlib.compressobj(6, zlib.DEFLATED, -15)
c.z_in = zlib.decompressobj(-15)
c.buf = c.z_in.decompress(c.buf) if c.buf else b""
r = c.cmd(b"a3", b"SELECT INBOX")
assert r[-1].startswith(b"a3 OK"), r
body = b"Subject: compressed\r\n\r\n" + b"".join(
    b"line %d of a compressible message body\r\n" % i for i in range(5000)
)
c.send(b"a4 APPEND INBOX {%d+}\r\n" % len(body) + body + b"\r\n")
r = c.response(b"a4")
assert r[-1].startswith(b"a4 OK"), r
uid = re.search(rb"APPENDUID \d+ (\d+)", r[-1]).group(1)
before = c.raw_in
r = c.cmd(b"a5", b"UID FETCH " + uid + b" BODY.PEEK[]")
assert r[-1].startswith(b"a5 OK"), r
assert body in r[0], "FETCH returns the appended bytes"
assert c.raw_in - before < len(body) // 5, ("compressed on the wire", c.raw_in - before)
r = c.cmd(b"a6", b"COMPRESS DEFLATE")
assert r[-1].startswith(b"a6 NO [COMPRESSIONACTIVE]"), r
r = c.cmd(b"a7", b"NOOP")
assert r[-1] == b"a7 OK NOOP completed", r
r = c.cmd(b"a8", b"LOGOUT")
assert r[0].startswith(b"* BYE") and r[-1].startswith(b"a8 OK"), r
print("compress ok")

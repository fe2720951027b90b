"""A TLS client that sends one FETCH and does not read its response until told (a line on
stdin), for crates/strata/tests/bounded.rs: the server must wait for the socket, not queue the
response. Prints "sent" once the command is out, then the number of literal octets and literals
of the response, and the tagged result.

usage: tls_unread_fetch.py PORT USER PASSWORD COMMAND
"""
import socket
import ssl
import sys

port, user, password, command = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE  # the server's self-signed certificate, on loopback
sock = ctx.wrap_socket(socket.create_connection(("127.0.0.1", int(port))))
f = sock.makefile("rb")


def line():
    text = f.readline()
    if not text.endswith(b"\r\n"):
        sys.exit("connection closed: %r" % text)
    return text


def until(tag):
    """Reads to the tagged line; returns (octets in literals, literals, tagged line)."""
    octets = literals = 0
    while True:
        text = line()
        if text.startswith(tag + b" "):
            return octets, literals, text.decode().strip()
        while text.rstrip().endswith(b"}"):
            n = int(text.rstrip()[:-1].rsplit(b"{", 1)[1])
            octets += len(f.read(n))
            literals += 1
            text = line()


line()
sock.sendall(b'a LOGIN %s "%s"\r\n' % (user.encode(), password.encode()))
assert until(b"a")[2].startswith("a OK"), "login"
sock.sendall(b"b SELECT INBOX\r\n")
assert until(b"b")[2].startswith("b OK"), "select"
sock.sendall(b"c " + command.encode() + b"\r\n")
print("sent", flush=True)
sys.stdin.readline()
octets, literals, tagged = until(b"c")
print(octets, literals, tagged, flush=True)

"""SCRAM-SHA-256 (RFC 7677) against a running Strata, with Python's imaplib and the scramp
library as an independent client implementation: the server's signature is checked by scramp,
a wrong password is refused with AUTHENTICATIONFAILED, and a SASL-IR initial response works.

usage: scram_login.py PORT USER PASSWORD WRONG_PASSWORD
"""
import base64
import imaplib
import sys

import scramp

port, user, password, wrong = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]


def conversation(password):
    """An imaplib authenticator callback driving a scramp client; returns it and the client."""
    client = scramp.ScramClient(["SCRAM-SHA-256"], user, password)
    steps = iter(["first", "final", "verify"])

    def step(challenge):
        s = next(steps)
        if s == "first":
            return client.get_client_first()
        if s == "final":
            client.set_server_first(challenge.decode())
            return client.get_client_final()
        # Raises if the server's signature (v=) is wrong: the server proved it knows the
        # verifier.
        client.set_server_final(challenge.decode())
        return b""

    return step


m = imaplib.IMAP4("127.0.0.1", port)
assert "AUTH=SCRAM-SHA-256" in m.capabilities, m.capabilities
typ, data = m.authenticate("SCRAM-SHA-256", conversation(password))
assert typ == "OK", (typ, data)
typ, data = m.select("INBOX")
assert typ == "OK", (typ, data)
m.logout()

m = imaplib.IMAP4("127.0.0.1", port)
try:
    m.authenticate("SCRAM-SHA-256", conversation(wrong))
    raise SystemExit("a wrong password was accepted")
except imaplib.IMAP4.error as e:
    assert "AUTHENTICATIONFAILED" in str(e), e
# The session is still usable after the failure.
typ, _ = m.noop()
assert typ == "OK"
m.logout()

# SASL-IR (RFC 4959): client-first in the AUTHENTICATE command itself, driven by hand.
m = imaplib.IMAP4("127.0.0.1", port)
client = scramp.ScramClient(["SCRAM-SHA-256"], user, password)
first = base64.b64encode(client.get_client_first().encode()).decode()
tag = m._new_tag().decode()
m.send(f"{tag} AUTHENTICATE SCRAM-SHA-256 {first}\r\n".encode())
line = m.readline()
assert line.startswith(b"+ "), line
client.set_server_first(base64.b64decode(line[2:].strip()).decode())
m.send(base64.b64encode(client.get_client_final().encode()) + b"\r\n")
line = m.readline()
assert line.startswith(b"+ "), line
client.set_server_final(base64.b64decode(line[2:].strip()).decode())
m.send(b"\r\n")
line = m.readline()
assert line.startswith(f"{tag} OK".encode()), line
print("scram ok")

"""Drives a running Strata with Python's imaplib, over cleartext and implicit TLS.

Usage: imaplib_basic.py IMAP_PORT IMAPS_PORT USER PASSWORD
Exits non-zero (an AssertionError with the server's answer) at the first surprise.
"""
import imaplib
import ssl
import sys

port, tls_port, user, password = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
MESSAGE = (b"From: Ann <ann@example.org>\r\nTo: bob@example.org\r\nSubject: e2e\r\n"
           b"Message-ID: <e2e@example.org>\r\n\r\nHello from imaplib.\r\n")


def ok(result, what):
    typ, data = result
    assert typ == "OK", f"{what}: {typ} {data!r}"
    return data


m = imaplib.IMAP4("127.0.0.1", port)
assert "AUTH=PLAIN" in m.capabilities, m.capabilities
try:
    m.login(user, "wrong password")
    raise AssertionError("a wrong password was accepted")
except imaplib.IMAP4.error as e:
    assert "AUTHENTICATIONFAILED" in str(e), e
ok(m.login(user, password), "LOGIN")
boxes = ok(m.list(), "LIST")
assert any(b"\\Sent" in b and b.endswith(b"Sent") for b in boxes), boxes
ok(m.create("Projects/2026"), "CREATE")
data = ok(m.append("INBOX", "(\\Flagged)", None, MESSAGE), "APPEND")
assert b"APPENDUID" in data[0], data
assert ok(m.select("INBOX"), "SELECT") == [b"1"]
data = ok(m.fetch("1", "(FLAGS RFC822.SIZE BODY.PEEK[HEADER.FIELDS (SUBJECT)] BODY[TEXT])"), "FETCH")
# BODY[TEXT] (not PEEK) sets \Seen first, so the FLAGS returned already have it.
assert data[0][0].startswith(b"1 (FLAGS (\\Seen \\Flagged \\Recent) RFC822.SIZE %d" % len(MESSAGE)), data
assert data[0][1] == b"Subject: e2e\r\n\r\n", data
assert data[1][1] == b"Hello from imaplib.\r\n", data
data = ok(m.uid("STORE", "1", "+FLAGS", "(\\Answered)"), "UID STORE")
assert b"\\Answered" in data[0] and b"UID 1" in data[0], data
data = ok(m.uid("COPY", "1", "Archive"), "UID COPY")
typ, copyuid = m.response("COPYUID")  # imaplib files response codes by name
assert copyuid and copyuid[0] and copyuid[0].endswith(b" 1 1"), copyuid
status = ok(m.status("Archive", "(MESSAGES UIDNEXT)"), "STATUS")
assert status == [b'Archive (MESSAGES 1 UIDNEXT 2)'], status
try:
    m.fetch("2", "(FLAGS)")
    raise AssertionError("FETCH of a sequence number past the end was accepted")
except imaplib.IMAP4.error as e:  # imaplib raises on BAD
    assert "sequence number 2 does not exist" in str(e), e
ok(m.close(), "CLOSE")
assert m.logout()[0] == "BYE"

ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE  # the self-signed default certificate
s = imaplib.IMAP4_SSL("127.0.0.1", tls_port, ssl_context=ctx)
ok(s.login(user, password), "LOGIN over TLS")
assert ok(s.status("INBOX", "(MESSAGES)"), "STATUS") == [b"INBOX (MESSAGES 1)"]
s.logout()

t = imaplib.IMAP4("127.0.0.1", port)
assert "STARTTLS" in t.capabilities, t.capabilities
ok(t.starttls(ssl_context=ctx), "STARTTLS")
assert "STARTTLS" not in t.capabilities, t.capabilities  # imaplib asks again after TLS
ok(t.login(user, password), "LOGIN after STARTTLS")
t.logout()
print("imaplib: all checks passed")

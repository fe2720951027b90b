"""Drives a running Strata through Python's imapclient: every command the server advertises,
the error paths, IDLE against a second connection, and a QRESYNC resynchronisation checked
line by line (RFC 7162 §3.2.5). Where imapclient has no method, the command goes raw through
its imaplib connection (`raw` below), which also keeps every line the server sent, in order.

Usage: imapclient_full.py IMAP_PORT USER PASSWORD

The account must be fresh (an empty INBOX and the default special-use mailboxes) and carry the
quota limits QUOTA_STORAGE and QUOTA_MESSAGES below (crates/strata/tests/clients.rs sets them
with `strata user quota`). Sections are independent and all of them run; the script then exits
1 naming every section whose assertion failed, with the server's answer. STRATA_IMAP_DEBUG=1
logs the whole exchange to stderr.
"""
import base64
import datetime
import logging
import os
import re
import ssl
import sys
import time
import traceback

import imapclient
from imapclient import IMAPClient
from imapclient import imapclient as consts
from imapclient.exceptions import CapabilityError, IMAPClientError
from imapclient.imap_utf7 import encode as mutf7
from imapclient.response_parser import parse_fetch_response

HOST = "127.0.0.1"
PORT, USER, PASSWORD = int(sys.argv[1]), sys.argv[2], sys.argv[3]
# Set by the Rust test before the server starts (`strata user quota`).
QUOTA_STORAGE = 5 * 1024 * 1024  # octets; QUOTA reports units of 1024 octets (RFC 9208 §5.1)
QUOTA_MESSAGES = 1000
UTC = datetime.timezone.utc

if os.environ.get("STRATA_IMAP_DEBUG"):
    logging.basicConfig(level=logging.DEBUG, stream=sys.stderr)


# ---------------------------------------------------------------------------------------------
# Helpers


def connect(login=True, **kw):
    """A new imapclient connection, logged in unless `login` is false. Times stay as the server
    sent them (tz-aware), so they can be compared exactly."""
    c = IMAPClient(HOST, port=PORT, ssl=False, timeout=30, **kw)
    c.normalise_times = False
    if login:
        c.login(USER, PASSWORD)
    return c


def raw(c, command):
    """Sends `command` (no tag, no CRLF; literals only as LITERAL+ `{n+}`) on c's imaplib
    connection and returns (cond, text, lines): the tagged condition ("OK"/"NO"/"BAD"), the
    rest of the tagged line, and every line the server sent for it, in order (a literal's octets
    are not lines). imaplib's parsed state is cleared so imapclient is not confused later."""
    imap = c._imap
    if isinstance(command, str):
        command = command.encode()
    lines = []
    read_line = imap._get_line

    def record():
        line = read_line()
        lines.append(line)
        return line

    imap._get_line = record
    imap.untagged_responses.clear()
    try:
        tag = imap._new_tag()
        imap.send(tag + b" " + command + b"\r\n")
        cond, data = imap._get_tagged_response(tag)
    finally:
        del imap._get_line
        imap.untagged_responses.clear()
    return cond, data[0] or b"", lines


def raw_ok(c, command):
    """`raw`, asserting a tagged OK; returns (text, untagged lines)."""
    cond, text, lines = raw(c, command)
    assert cond == "OK", f"{command!r}: expected OK, got {cond} {text!r}; lines {lines!r}"
    return text, [ln for ln in lines if ln.startswith(b"* ")]


def expect_fail(fn, *words, what):
    """Runs fn and asserts imapclient raised; every word must appear in the server's answer."""
    try:
        got = fn()
    except IMAPClientError as e:
        for w in words:
            assert w in str(e), f"{what}: expected {w!r} in the error, got {e}"
        return str(e)
    raise AssertionError(f"{what}: the server accepted it: {got!r}")


def expand(seqset):
    """`3,5:7` → [3, 5, 6, 7]."""
    out = []
    for part in seqset.split(","):
        if ":" in part:
            a, b = sorted(map(int, part.split(":")))
            out.extend(range(a, b + 1))
        else:
            out.append(int(part))
    return out


def flagset(flags):
    """Flags compare without case (RFC 9051 §2.3.2); bytes or str in, lower-case str out."""
    return frozenset((f.decode() if isinstance(f, bytes) else f).lower() for f in flags)


def fetch_lines(lines):
    """The untagged FETCH lines (no literals in them) parsed: [(seq, {item: value})] in order."""
    out = []
    for ln in lines:
        if re.match(rb"^\* \d+ FETCH ", ln):
            seq, rest = ln[2:].split(b" FETCH ", 1)
            parsed = parse_fetch_response([seq + b" " + rest], False, False)
            ((seq, items),) = parsed.items()
            items = {k: v for k, v in items.items() if k != b"SEQ"}
            out.append((seq, items))
    return out


def vanished_lines(lines):
    """(earlier, [uids]) for every `* VANISHED` line, in order."""
    out = []
    for ln in lines:
        m = re.match(rb"^\* VANISHED (\(EARLIER\) )?([0-9:,]+)$", ln)
        if m:
            out.append((m.group(1) is not None, expand(m.group(2).decode())))
        else:
            assert not ln.startswith(b"* VANISHED"), f"malformed VANISHED line {ln!r}"
    return out


def esearch(lines):
    """The one `* ESEARCH` line among lines as (tag, uid, {name: value}); the return data
    items may come in any order (RFC 4731 §3.1)."""
    (line,) = [ln for ln in lines if ln.startswith(b"* ESEARCH")]
    m = re.fullmatch(rb'\* ESEARCH \(TAG "([^"]+)"\)( UID)?((?: [A-Z]+ [0-9:,]+)*)', line)
    assert m, f"malformed ESEARCH line {line!r}"
    words = m.group(3).split()
    return m.group(1), m.group(2) is not None, dict(zip(words[::2], words[1::2]))


def code_value(lines, code):
    """The argument of the first `* OK [CODE arg]` among lines, as bytes (None if absent)."""
    for ln in lines:
        m = re.match(rb"^\* OK \[" + code.encode() + rb" ([^\]]*)\]", ln)
        if m:
            return m.group(1)
    return None


def names(listing):
    """The mailbox names of an imapclient list_folders()/list_sub_folders() result."""
    return [n for _, _, n in listing]


def attrs(listing):
    """name → set of attributes (lower-case) of an imapclient LIST result."""
    return {n: flagset(f) for f, _, n in listing}


def modseq(items):
    """The MODSEQ of a parsed FETCH item dict (imapclient gives a 1-tuple)."""
    v = items[b"MODSEQ"]
    return v[0] if isinstance(v, tuple) else v


def wait_idle(c, pred, what, timeout=10.0):
    """Collects IDLE responses until one satisfies pred; returns all collected. Fails after
    `timeout` seconds (a deadline, not a sleep)."""
    deadline = time.monotonic() + timeout
    seen = []
    while time.monotonic() < deadline:
        got = c.idle_check(timeout=max(0.1, deadline - time.monotonic()))
        seen.extend(got)
        if any(pred(r) for r in got):
            return seen
    raise AssertionError(f"IDLE: no {what} within {timeout}s; got {seen!r}")


def crlf(text):
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


def message(headers, body):
    """A message from header lines and a body (str, CRLF added; or bytes, sent as is)."""
    if isinstance(body, str):
        body = crlf(body).encode("utf-8")
    return crlf("\n".join(headers) + "\n\n").encode("utf-8") + body


# ---------------------------------------------------------------------------------------------
# Fixtures: three messages whose ENVELOPE, BODYSTRUCTURE and sections are known exactly.

BODY_A = "Grüße aus Zürich.\r\nSecond line.\r\n".encode("utf-8")
MSG_A = message(
    [
        "Date: Wed, 10 Jan 2024 09:30:00 +0100",
        "From: Ann Example <ann@example.org>",
        "Sender: Ann's Bot <bot@example.org>",
        "Reply-To: replies@example.org",
        "To: Bob <bob@example.net>, carol@example.com",
        "Cc: Dan <dan@example.com>",
        "Bcc: eve@example.com",
        "Subject: =?UTF-8?Q?Caf=C3=A9_plans?=",
        "Message-ID: <a1@example.org>",
        "In-Reply-To: <a0@example.org>",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=utf-8",
        "Content-Transfer-Encoding: 8bit",
    ],
    BODY_A,
)
PART1_B = b"Hello Ann, the numbers are attached. M=C3=BCller says hi.\r\n"
PART1_B_DECODED = "Hello Ann, the numbers are attached. Müller says hi.\r\n".encode("utf-8")
PART2_B_MIME = (
    b'Content-Type: application/octet-stream; name="data.bin"\r\n'
    b"Content-Transfer-Encoding: base64\r\n"
    b'Content-Disposition: attachment; filename="data.bin"\r\n\r\n'
)
PART2_B = b"AAECAwQFBgcICQ==\r\n"
TEXT_B = (
    b"preamble\r\n--XYZ\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n"
    b"Content-Transfer-Encoding: quoted-printable\r\n\r\n" + PART1_B + b"\r\n--XYZ\r\n"
    + PART2_B_MIME + PART2_B + b"\r\n--XYZ--\r\n"
)
MSG_B = message(
    [
        "Date: Thu, 15 Feb 2024 14:00:00 +0000",
        "From: bob@example.net",
        "To: ann@example.org",
        "Subject: Report with attachment",
        "Message-ID: <b1@example.net>",
        "MIME-Version: 1.0",
        'Content-Type: multipart/mixed; boundary="XYZ"',
    ],
    TEXT_B,
)
BODY_C = "Quarterly numbers follow.\n" + ("0123456789" * 7 + "\n") * 60
MSG_C = message(
    [
        "Date: Wed, 20 Mar 2024 08:00:00 -0500",
        "From: Carol <carol@example.com>",
        "To: ann@example.org",
        "Subject: Quarterly numbers",
        "Message-ID: <c1@example.com>",
        "X-Priority: 1",
    ],
    BODY_C,
)
DATE_A = datetime.datetime(2024, 1, 10, 12, 0, tzinfo=UTC)
DATE_B = datetime.datetime(2024, 2, 15, 12, 0, tzinfo=UTC)
DATE_C = datetime.datetime(2024, 3, 20, 12, 0, tzinfo=UTC)


def simple(n, subject=None, date=None):
    """A small numbered message (with a Date header if `date` is given)."""
    return message(
        ([f"Date: {date}"] if date else []) + [
            "From: sync@example.org",
            "To: ann@example.org",
            f"Subject: {subject or f'message {n}'}",
            f"Message-ID: <m{n}.{time.time_ns()}@example.org>",
        ],
        f"Body of message {n}.\n",
    )


# ---------------------------------------------------------------------------------------------
# Sections

SECTIONS = []


def section(fn):
    SECTIONS.append(fn)
    return fn


@section
def any_state_and_authentication():
    """CAPABILITY, NOOP, ID, NAMESPACE, LOGOUT; LOGIN, AUTHENTICATE PLAIN (also with SASL-IR)
    and LOGIN, STARTTLS; wrong passwords; commands before authentication."""
    c = connect(login=False)
    pre = set(c.capabilities())
    for cap in [b"IMAP4REV1", b"LITERAL+", b"SASL-IR", b"ID", b"ENABLE", b"AUTH=PLAIN",
                b"AUTH=LOGIN", b"STARTTLS"]:
        assert cap in pre, f"pre-auth CAPABILITY lacks {cap!r}: {pre!r}"
    # Not authenticated: selected-state and authenticated-state commands are refused.
    cond, text, _ = raw(c, "SELECT INBOX")
    assert cond in ("BAD", "NO"), f"SELECT before LOGIN: {cond} {text!r}"
    cond, text, _ = raw(c, "FETCH 1 FLAGS")
    assert cond in ("BAD", "NO"), f"FETCH before LOGIN: {cond} {text!r}"
    cond, text, _ = raw(c, "FROBNICATE now")
    assert cond == "BAD", f"an unknown command: {cond} {text!r}"
    # RFC 5530 / RFC 9051 §7.1: a wrong password is AUTHENTICATIONFAILED, and the connection
    # stays usable.
    expect_fail(lambda: c.login(USER, "wrong password"), "AUTHENTICATIONFAILED",
                what="LOGIN with a wrong password")
    expect_fail(lambda: c.login("nobody@example.org", PASSWORD), "AUTHENTICATIONFAILED",
                what="LOGIN of an unknown user")
    text = c.login(USER, PASSWORD)
    assert text, "LOGIN gave no text"
    _, lines = raw_ok(c, "CAPABILITY")
    caps = {w.upper() for w in lines[0].split()[2:]}
    for cap in ["IMAP4REV1", "IDLE", "CONDSTORE", "QRESYNC", "ESEARCH", "SEARCHRES", "UIDPLUS",
                "MOVE", "NAMESPACE", "UNSELECT", "CHILDREN", "LIST-EXTENDED", "LIST-STATUS",
                "SPECIAL-USE", "CREATE-SPECIAL-USE", "STATUS=SIZE", "UTF8=ACCEPT",
                "MULTIAPPEND", "BINARY", "OBJECTID", "SAVEDATE", "PREVIEW", "WITHIN", "QUOTA",
                "QUOTA=RES-STORAGE", "QUOTA=RES-MESSAGE"]:
        assert cap.encode() in caps, f"CAPABILITY after LOGIN lacks {cap}: {lines[0]!r}"
    assert any(w.startswith(b"APPENDLIMIT=") for w in caps), f"no APPENDLIMIT: {caps!r}"
    text, resps = c.noop()
    assert resps == [], f"NOOP on an idle session returned {resps!r}"
    # ID (RFC 2971): the server answers with a list of field/value pairs or NIL.
    ident = c.id_({"name": "imapclient-e2e", "version": imapclient.__version__})
    assert ident and (ident[0] is None or len(ident[0]) % 2 == 0), f"ID: {ident!r}"
    if ident[0]:
        fields = dict(zip(ident[0][::2], ident[0][1::2]))
        assert b"name" in {k.lower() for k in fields}, f"ID without a name: {fields!r}"
    # NAMESPACE (RFC 2342): one personal namespace "" with "/".
    ns = c.namespace()
    assert ns.personal == (("", "/"),), f"NAMESPACE personal: {ns!r}"
    assert ns.other is None and ns.shared is None, f"NAMESPACE other/shared: {ns!r}"
    bye = c.logout()
    assert bye, "LOGOUT gave no BYE text"

    # AUTHENTICATE PLAIN through imapclient (a continuation), then with SASL-IR (RFC 4959).
    c = connect(login=False)
    expect_fail(lambda: c.plain_login(USER, "wrong"), "AUTHENTICATIONFAILED",
                what="AUTHENTICATE PLAIN with a wrong password")
    c.plain_login(USER, PASSWORD)
    assert c.folder_exists("INBOX")
    c.logout()
    c = connect(login=False)
    ir = base64.b64encode(f"\0{USER}\0{PASSWORD}".encode()).decode()
    raw_ok(c, f"AUTHENTICATE PLAIN {ir}")
    c._imap.state = "AUTH"
    assert c.folder_exists("INBOX"), "LIST after AUTHENTICATE PLAIN with SASL-IR"
    c.logout()
    # AUTHENTICATE LOGIN: the two challenges ask for the user name, then the password.
    c = connect(login=False)
    answers = iter([USER, PASSWORD])
    c.sasl_login("LOGIN", lambda challenge: next(answers))
    assert c.folder_exists("INBOX"), "LIST after AUTHENTICATE LOGIN"
    c.logout()
    # STARTTLS with the self-signed certificate, then LOGIN over TLS.
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    c = connect(login=False)
    c.starttls(ctx)
    assert isinstance(c._imap.sock, ssl.SSLSocket), "STARTTLS did not switch to TLS"
    c.login(USER, PASSWORD)
    assert b"STARTTLS" not in c.capabilities(), "STARTTLS advertised inside TLS"
    c.logout()


@section
def enable():
    """ENABLE CONDSTORE, QRESYNC, UTF8=ACCEPT (RFC 5161): ENABLED lists what this command
    enabled; unknown names are ignored."""
    c = connect()
    assert c.enable("CONDSTORE") == [b"CONDSTORE"], "ENABLE CONDSTORE"
    assert c.enable("QRESYNC") == [b"QRESYNC"], "ENABLE QRESYNC"
    assert c.enable("UTF8=ACCEPT") == [b"UTF8=ACCEPT"], "ENABLE UTF8=ACCEPT"
    assert c.enable("X-NOT-A-THING") == [], "ENABLE of an unknown extension"
    c.logout()
    # QRESYNC implies CONDSTORE: SELECT then reports HIGHESTMODSEQ.
    c = connect()
    c.enable("QRESYNC")
    sel = c.select_folder("INBOX", readonly=True)
    assert b"HIGHESTMODSEQ" in sel, f"SELECT after ENABLE QRESYNC lacks HIGHESTMODSEQ: {sel!r}"
    c.logout()


@section
def mailboxes():
    """CREATE (nested, non-ASCII in modified UTF-7, CREATE-SPECIAL-USE), LIST with patterns and
    LIST-EXTENDED selection/return options, LIST-STATUS, special-use discovery, RENAME, DELETE,
    SUBSCRIBE/UNSUBSCRIBE, LSUB."""
    c = connect()
    c.create_folder("Proj/2026/Q1")
    # RFC 9051 §6.3.4: the superiors are created too.
    listing = c.list_folders()
    got = names(listing)
    for n in ["INBOX", "Archive", "Drafts", "Junk", "Sent", "Trash", "Proj", "Proj/2026",
              "Proj/2026/Q1"]:
        assert n in got, f"LIST \"\" * lacks {n}: {got!r}"
    a = attrs(listing)
    assert "\\haschildren" in a["Proj"], f"Proj attributes {a['Proj']}"
    assert "\\hasnochildren" in a["Proj/2026/Q1"], f"Proj/2026/Q1 attributes {a['Proj/2026/Q1']}"
    assert all(d == b"/" for _, d, _ in listing), f"delimiters {listing!r}"
    assert c.list_folders("", "") == [((b"\\Noselect",), b"/", "")], \
        f"LIST \"\" \"\": {c.list_folders('', '')!r}"
    assert names(c.list_folders("", "Proj/%")) == ["Proj/2026"], "LIST Proj/%"
    assert sorted(names(c.list_folders("", "Proj/*"))) == ["Proj/2026", "Proj/2026/Q1"], \
        "LIST Proj/*"
    assert names(c.list_folders("Proj/", "%")) == ["Proj/2026"], "LIST reference Proj/ %"
    top = names(c.list_folders("", "%"))
    assert "Proj" in top and "Proj/2026" not in top, f"LIST %: {top!r}"
    assert names(c.list_folders("", "inbox")) == ["INBOX"], "INBOX matches case-insensitively"
    assert c.folder_exists("Proj/2026") and not c.folder_exists("Proj/2025"), "folder_exists"
    expect_fail(lambda: c.create_folder("Proj/2026"), "ALREADYEXISTS", what="CREATE existing")
    expect_fail(lambda: c.create_folder("INBOX"), what="CREATE INBOX")

    # Non-ASCII names travel in modified UTF-7 (RFC 3501 §5.1.3); imapclient encodes them.
    c.create_folder("Über/Привет")
    assert mutf7("Über/Привет") == b"&ANw-ber/&BB8EQAQ4BDIENQRC-"
    _, lines = raw_ok(c, 'LIST "" "&ANw-ber/*"')
    assert len(lines) == 1 and lines[0].rstrip(b'"').endswith(b"&ANw-ber/&BB8EQAQ4BDIENQRC-"), \
        f"raw LIST: {lines!r}"
    assert "Über/Привет" in names(c.list_folders()), "imapclient decodes the name"
    sel = c.select_folder("Über/Привет")
    assert sel[b"EXISTS"] == 0, f"SELECT Über/Привет: {sel!r}"
    c.unselect_folder()

    # CREATE-SPECIAL-USE (RFC 6154 §3) and SPECIAL-USE discovery.
    raw_ok(c, 'CREATE "Starred" (USE (\\Flagged))')
    cond, text, _ = raw(c, 'CREATE "Bogus" (USE (\\NotAUse))')
    assert cond == "NO" and b"USEATTR" in text, f"CREATE with an unknown use: {cond} {text!r}"
    assert not c.folder_exists("Bogus"), "a refused CREATE left the mailbox behind"
    for flag, name in [(consts.SENT, "Sent"), (consts.DRAFTS, "Drafts"),
                       (consts.TRASH, "Trash"), (consts.JUNK, "Junk"),
                       (consts.ARCHIVE, "Archive")]:
        assert c.find_special_folder(flag) == name, f"find_special_folder({flag!r})"
    assert c.find_special_folder(consts.FLAGGED) == "Starred", "find_special_folder(\\Flagged)"
    try:
        c.xlist_folders()
        raise AssertionError("XLIST is not advertised, yet imapclient sent it")
    except CapabilityError:
        pass
    _, lines = raw_ok(c, 'LIST (SPECIAL-USE) "" "*"')
    special = {ln.rsplit(b" ", 1)[1].strip(b'"') for ln in lines}
    assert special == {b"Archive", b"Drafts", b"Junk", b"Sent", b"Trash", b"Starred"}, \
        f"LIST (SPECIAL-USE): {lines!r}"
    _, lines = raw_ok(c, 'LIST "" "Sent" RETURN (SPECIAL-USE)')
    assert len(lines) == 1 and b"\\Sent" in lines[0], f"RETURN (SPECIAL-USE): {lines!r}"
    _, lines = raw_ok(c, 'LIST "" ("INBOX" "Sent")')
    assert sorted(ln.rsplit(b" ", 1)[1].strip(b'"') for ln in lines) == [b"INBOX", b"Sent"], \
        f"LIST with two patterns: {lines!r}"
    _, lines = raw_ok(c, 'LIST "" "Proj" RETURN (CHILDREN)')
    assert len(lines) == 1 and b"\\HasChildren" in lines[0], f"RETURN (CHILDREN): {lines!r}"

    # LIST-STATUS (RFC 5819): a STATUS right after each selectable mailbox's LIST.
    _, lines = raw_ok(c, 'LIST "" "Proj*" RETURN (STATUS (MESSAGES UIDNEXT SIZE))')
    listed = [ln for ln in lines if ln.startswith(b"* LIST")]
    statuses = [ln for ln in lines if ln.startswith(b"* STATUS")]
    assert len(listed) == 3 and len(statuses) == 3, f"LIST-STATUS: {lines!r}"
    for ln in statuses:
        words = ln.rsplit(b" (", 1)[1].rstrip(b")").split()
        got = dict(zip(words[::2], words[1::2]))
        assert got == {b"MESSAGES": b"0", b"UIDNEXT": b"1", b"SIZE": b"0"}, \
            f"LIST-STATUS line {ln!r}"
    for i, ln in enumerate(lines):
        if ln.startswith(b"* STATUS"):
            name = ln.split(b" ", 2)[2].rsplit(b" (", 1)[0].strip(b'"')
            assert lines[i - 1].rstrip(b'"').endswith(name), f"STATUS not after its LIST: {lines!r}"

    # SUBSCRIBE / UNSUBSCRIBE, seen through LSUB and LIST (SUBSCRIBED).
    c.subscribe_folder("Proj/2026")
    assert "Proj/2026" in names(c.list_sub_folders()), "LSUB after SUBSCRIBE"
    _, lines = raw_ok(c, 'LIST (SUBSCRIBED) "" "Proj*"')
    assert len(lines) == 1 and b"\\Subscribed" in lines[0] and lines[0].endswith(b"Proj/2026"), \
        f"LIST (SUBSCRIBED): {lines!r}"
    _, lines = raw_ok(c, 'LIST "" "Proj/*" RETURN (SUBSCRIBED)')
    sub = [ln for ln in lines if b"\\Subscribed" in ln]
    assert len(lines) == 2 and len(sub) == 1 and b"Proj/2026/Q1" not in sub[0], \
        f"RETURN (SUBSCRIBED): {lines!r}"
    c.unsubscribe_folder("Proj/2026")
    assert "Proj/2026" not in names(c.list_sub_folders()), "LSUB after UNSUBSCRIBE"

    # RENAME moves the inferiors along (RFC 9051 §6.3.6).
    c.rename_folder("Proj/2026", "Proj/2027")
    got = names(c.list_folders("", "Proj*"))
    assert sorted(got) == ["Proj", "Proj/2027", "Proj/2027/Q1"], f"after RENAME: {got!r}"
    c.rename_folder("Über/Привет", "Über/Пока")
    assert "Über/Пока" in names(c.list_folders()), "RENAME of a non-ASCII name"
    expect_fail(lambda: c.rename_folder("Proj/2027", "Sent"), "ALREADYEXISTS",
                what="RENAME onto an existing mailbox")
    expect_fail(lambda: c.rename_folder("Nope", "Nope2"), "NONEXISTENT",
                what="RENAME of a missing mailbox")

    # DELETE: a leaf goes; a parent either refuses or becomes \Noselect, never taking its
    # inferiors along (RFC 9051 §6.3.5).
    c.delete_folder("Proj/2027/Q1")
    assert not c.folder_exists("Proj/2027/Q1"), "DELETE of a leaf"
    try:
        c.delete_folder("Proj")
        deleted_parent = True
    except IMAPClientError as e:
        deleted_parent = False
        assert "HASCHILDREN" in str(e), f"DELETE of a parent refused without HASCHILDREN: {e}"
    assert c.folder_exists("Proj/2027"), "DELETE of the parent removed its child"
    if deleted_parent:
        a = attrs(c.list_folders("", "Proj"))
        assert not a or "\\noselect" in a["Proj"] or "\\nonexistent" in a["Proj"], \
            f"a deleted parent is still selectable: {a!r}"
    c.delete_folder("Proj/2027")
    expect_fail(lambda: c.delete_folder("Proj/2027"), "NONEXISTENT", what="DELETE twice")
    expect_fail(lambda: c.delete_folder("INBOX"), what="DELETE INBOX")
    # RFC 9051 §6.3.5: UIDs of a deleted mailbox are not reused by a new one of the same name
    # (unless UIDVALIDITY changes).
    c.create_folder("Reborn")
    c.append("Reborn", simple(1))
    before = c.folder_status("Reborn", ["UIDVALIDITY", "UIDNEXT"])
    c.delete_folder("Reborn")
    c.create_folder("Reborn")
    after = c.folder_status("Reborn", ["UIDVALIDITY", "UIDNEXT"])
    assert after[b"UIDVALIDITY"] != before[b"UIDVALIDITY"] or \
        after[b"UIDNEXT"] >= before[b"UIDNEXT"], f"UIDs reused: {before!r} then {after!r}"
    c.delete_folder("Reborn")
    for name in ["Proj", "Über/Пока", "Über", "Starred"]:
        c.delete_folder(name)
    c.logout()


@section
def utf8_accept():
    """ENABLE UTF8=ACCEPT (RFC 6855): mailbox names in UTF-8 both ways, the UTF8 APPEND data
    extension; without it, APPEND with 8-bit header fields is refused."""
    plain = connect()
    c = connect()
    c.folder_encode = False
    assert c.enable("UTF8=ACCEPT") == [b"UTF8=ACCEPT"]
    name = "Café-ünïcode"
    raw_ok(c, f'CREATE "{name}"'.encode())
    _, lines = raw_ok(c, 'LIST "" "Caf*"')
    assert lines == [f'* LIST (\\HasNoChildren) "/" "{name}"'.encode()], \
        f"LIST with UTF8=ACCEPT: {lines!r}"
    # The other session sees the same mailbox in modified UTF-7.
    assert name in names(plain.list_folders()), f"{name} seen without UTF8=ACCEPT"
    _, lines = raw_ok(plain, 'LIST "" "Caf*"')
    assert len(lines) == 1 and lines[0].rstrip(b'"').endswith(mutf7(name)), \
        f"LIST without UTF8=ACCEPT: {lines!r}"
    msg = message(["From: Jürgen <j@example.org>", "Subject: Grüße"], "Hallo.\n")
    text, _ = raw_ok(c, f'APPEND "{name}" UTF8 (~{{{len(msg)}+}}\r\n'.encode() + msg + b")")
    assert b"APPENDUID" in text, f"APPEND UTF8: {text!r}"
    raw_ok(c, f'SELECT "{name}"'.encode())
    c._imap.state = "SELECTED"
    got = c.fetch([1], ["BODY.PEEK[HEADER.FIELDS (SUBJECT)]"], )
    assert got[1][b"BODY[HEADER.FIELDS (SUBJECT)]"] == "Subject: Grüße\r\n\r\n".encode(), got
    c.logout()
    # RFC 6855 §4: without ENABLE UTF8=ACCEPT, 8-bit header fields in APPEND are a NO.
    eight_bit = message(["From: ann@example.org", "Subject: Grüße"], "hi\n")
    try:
        expect_fail(lambda: plain.append(name, eight_bit),
                    what="APPEND with an 8-bit header field, UTF8=ACCEPT not enabled "
                         "(RFC 6855 §4: MUST be NO)")
    finally:
        plain.delete_folder(name)
        plain.logout()


def append_fixtures(c, folder):
    """APPEND MSG_A (with flags and a date) and MULTIAPPEND MSG_B and MSG_C; checks APPENDUID
    (RFC 4315 §3) and returns the UIDVALIDITY."""
    c.create_folder(folder)
    resp = c.append(folder, MSG_A, flags=[b"\\Seen", b"$Label1"], msg_time=DATE_A)
    m = re.match(rb"^\[APPENDUID (\d+) 1\]", resp)
    assert m, f"APPEND response {resp!r}"
    validity = int(m.group(1))
    # (Each message gets flags or a date: imapclient sends two spaces between two bare
    # literals, which the grammar does not allow.)
    _, (resp,) = c.multiappend(folder, [
        {"msg": MSG_B, "flags": [b"\\Flagged"], "date": DATE_B},
        {"msg": MSG_C, "date": DATE_C},
    ])
    assert resp.startswith(b"[APPENDUID %d 2:3]" % validity), f"MULTIAPPEND response {resp!r}"
    return validity


def norm(x):
    """BODYSTRUCTURE for comparison: strings lower-case, tuples/lists as tuples."""
    if isinstance(x, bytes):
        return x.decode().lower()
    if isinstance(x, (list, tuple)):
        return tuple(norm(i) for i in x)
    return x


@section
def append_select_status_fetch():
    """APPEND, MULTIAPPEND, SELECT's untagged data, STATUS (incl. HIGHESTMODSEQ, SIZE,
    MAILBOXID), and FETCH of every kind of item: FLAGS, INTERNALDATE, RFC822.SIZE, ENVELOPE,
    BODYSTRUCTURE, sections, partial, BINARY, MODSEQ, CHANGEDSINCE, OBJECTID, SAVEDATE,
    PREVIEW."""
    c = connect()
    validity = append_fixtures(c, "T-Fetch")
    sizes = [len(MSG_A), len(MSG_B), len(MSG_C)]
    st = c.folder_status("T-Fetch", ["MESSAGES", "RECENT", "UIDNEXT", "UIDVALIDITY", "UNSEEN",
                                      "HIGHESTMODSEQ", "SIZE", "MAILBOXID"])
    assert st[b"MESSAGES"] == 3 and st[b"RECENT"] == 3 and st[b"UIDNEXT"] == 4, f"STATUS {st!r}"
    assert st[b"UIDVALIDITY"] == validity and st[b"UNSEEN"] == 2, f"STATUS {st!r}"
    assert st[b"SIZE"] == sum(sizes), f"STATUS SIZE {st[b'SIZE']} != {sum(sizes)}"
    assert st[b"HIGHESTMODSEQ"] > 0, f"STATUS HIGHESTMODSEQ {st!r}"

    sel = c.select_folder("T-Fetch")
    assert sel[b"EXISTS"] == 3 and sel[b"RECENT"] == 3, f"SELECT {sel!r}"
    assert sel[b"UIDVALIDITY"] == validity and sel[b"UIDNEXT"] == 4, f"SELECT {sel!r}"
    assert sel[b"READ-WRITE"] is True, f"SELECT {sel!r}"
    assert flagset(sel[b"FLAGS"]) >= flagset([b"\\Answered", b"\\Flagged", b"\\Deleted",
                                              b"\\Seen", b"\\Draft", b"$Label1"]), sel[b"FLAGS"]
    assert b"\\*" in sel[b"PERMANENTFLAGS"], f"PERMANENTFLAGS {sel[b'PERMANENTFLAGS']!r}"
    # STATUS (HIGHESTMODSEQ) above is a CONDSTORE enabling command (RFC 7162 §3.1), so SELECT
    # reports the mailbox's HIGHESTMODSEQ.
    assert sel.get(b"HIGHESTMODSEQ") == st[b"HIGHESTMODSEQ"], \
        f"HIGHESTMODSEQ after STATUS enabled CONDSTORE: {sel!r}"
    assert sel[b"MAILBOXID"] == [b"(%s)" % st[b"MAILBOXID"][0]], \
        f"MAILBOXID in SELECT {sel.get(b'MAILBOXID')!r} vs STATUS {st[b'MAILBOXID']!r}"
    # UNSEEN in SELECT (IMAP4rev1): the first unseen is message 2.
    assert sel[b"UNSEEN"] == [b"2"], f"SELECT UNSEEN {sel.get(b'UNSEEN')!r}"

    got = c.fetch([1, 2, 3], ["UID", "FLAGS", "INTERNALDATE", "RFC822.SIZE", "ENVELOPE",
                          "BODYSTRUCTURE"])
    assert sorted(got) == [1, 2, 3], f"UID FETCH 1:* keys {sorted(got)}"
    for uid, date, size in zip([1, 2, 3], [DATE_A, DATE_B, DATE_C], sizes):
        assert got[uid][b"INTERNALDATE"] == date, f"INTERNALDATE {uid}: {got[uid]!r}"
        assert got[uid][b"RFC822.SIZE"] == size, f"RFC822.SIZE {uid}: {got[uid]!r}"
    assert flagset(got[1][b"FLAGS"]) == flagset([b"\\Seen", b"$Label1", b"\\Recent"]), got[1]
    assert flagset(got[2][b"FLAGS"]) == flagset([b"\\Flagged", b"\\Recent"]), got[2]
    assert flagset(got[3][b"FLAGS"]) == flagset([b"\\Recent"]), got[3]

    env = got[1][b"ENVELOPE"]
    assert env.date == datetime.datetime(2024, 1, 10, 8, 30, tzinfo=UTC), f"date {env.date!r}"
    assert env.subject == b"=?UTF-8?Q?Caf=C3=A9_plans?=", f"subject {env.subject!r}"

    def addr(a):
        return (a.name, a.route, a.mailbox, a.host)

    assert [addr(a) for a in env.from_] == [(b"Ann Example", None, b"ann", b"example.org")], env
    assert [addr(a) for a in env.sender] == [(b"Ann's Bot", None, b"bot", b"example.org")], env
    assert [addr(a) for a in env.reply_to] == [(None, None, b"replies", b"example.org")], env
    assert [addr(a) for a in env.to] == [(b"Bob", None, b"bob", b"example.net"),
                                         (None, None, b"carol", b"example.com")], env
    assert [addr(a) for a in env.cc] == [(b"Dan", None, b"dan", b"example.com")], env
    assert [addr(a) for a in env.bcc] == [(None, None, b"eve", b"example.com")], env
    assert env.in_reply_to == b"<a0@example.org>", env
    assert env.message_id == b"<a1@example.org>", env
    # RFC 9051 §7.5.2: with no Sender/Reply-To, both default to From.
    env = got[2][b"ENVELOPE"]
    assert [addr(a) for a in env.from_] == [(None, None, b"bob", b"example.net")], env
    assert env.sender == env.from_ and env.reply_to == env.from_, f"defaults: {env!r}"
    assert env.cc is None and env.bcc is None and env.in_reply_to is None, env

    bs = got[1][b"BODYSTRUCTURE"]
    assert not bs.is_multipart
    assert norm(bs[:8]) == ("text", "plain", ("charset", "utf-8"), None, None, "8bit",
                            len(BODY_A), 2), f"BODYSTRUCTURE 1: {bs!r}"
    bs = got[2][b"BODYSTRUCTURE"]
    assert bs.is_multipart, f"BODYSTRUCTURE 2: {bs!r}"
    p1, p2 = bs[0]
    assert norm(p1[:8]) == ("text", "plain", ("charset", "utf-8"), None, None,
                            "quoted-printable", len(PART1_B), 1), f"part 1: {p1!r}"
    assert norm(p2[:7]) == ("application", "octet-stream", ("name", "data.bin"), None, None,
                            "base64", len(PART2_B)), f"part 2: {p2!r}"
    if len(p2) > 8:  # extension data: md5, then disposition (RFC 9051 §7.5.2)
        assert norm(p2[8]) == ("attachment", ("filename", "data.bin")), f"disposition {p2!r}"
    assert norm(bs[1:3]) == ("mixed", ("boundary", "xyz")), f"multipart: {bs!r}"
    bs = got[3][b"BODYSTRUCTURE"]
    lines_c = crlf(BODY_C).count("\r\n")
    assert norm(bs[:8]) == ("text", "plain", ("charset", "us-ascii"), None, None, "7bit",
                            len(crlf(BODY_C)), lines_c), f"BODYSTRUCTURE 3 (defaults): {bs!r}"

    # Sections (PEEK leaves \Seen alone).
    got = c.fetch([2], ["BODY.PEEK[HEADER.FIELDS (SUBJECT)]", "BODY.PEEK[]<0.20>",
                        "BODY.PEEK[1]", "BODY.PEEK[2.MIME]", "BODY.PEEK[2]", "BODY.PEEK[TEXT]",
                        "RFC822.HEADER", "BODY.PEEK[HEADER.FIELDS.NOT (SUBJECT DATE FROM TO)]",
                        "BINARY.PEEK[1]", "BINARY.PEEK[2]", "BINARY.SIZE[1]",
                        "BINARY.SIZE[2]"])[2]
    header_b = MSG_B[: MSG_B.index(b"\r\n\r\n") + 4]
    expect = {
        b"BODY[HEADER.FIELDS (SUBJECT)]": b"Subject: Report with attachment\r\n\r\n",
        b"BODY[]<0>": MSG_B[:20],
        b"BODY[1]": PART1_B,
        b"BODY[2.MIME]": PART2_B_MIME,
        b"BODY[2]": PART2_B,
        b"BODY[TEXT]": TEXT_B,
        b"RFC822.HEADER": header_b,
        b"BODY[HEADER.FIELDS.NOT (SUBJECT DATE FROM TO)]":
            b'Message-ID: <b1@example.net>\r\nMIME-Version: 1.0\r\n'
            b'Content-Type: multipart/mixed; boundary="XYZ"\r\n\r\n',
        b"BINARY[1]": PART1_B_DECODED,
        b"BINARY.SIZE[1]": len(PART1_B_DECODED),
        b"BINARY.SIZE[2]": 10,
    }
    for key, want in expect.items():
        assert got.get(key) == want, f"FETCH {key!r}: got {got.get(key)!r}, want {want!r}"
    # NUL octets come as a literal8 (RFC 3516 §4.2), which imapclient's parser cannot read;
    # imaplib's raw answer shows it.
    typ, data = c._imap.uid("FETCH", "2", "(BINARY.PEEK[2])")
    assert typ == "OK" and data[0][0].endswith(b"BINARY[2] ~{10}"), f"BINARY[2]: {data!r}"
    assert data[0][1] == bytes(range(10)), f"BINARY[2] content: {data!r}"
    got = c.fetch([1], ["FLAGS", "BODY.PEEK[1]<4.9>", "BODY.PEEK[TEXT]", "BINARY.PEEK[1]"])[1]
    assert got[b"BODY[1]<4>"] == BODY_A[4:13], f"partial of a part {got!r}"
    assert got[b"BODY[TEXT]"] == BODY_A and got[b"BINARY[1]"] == BODY_A, got
    assert c.get_flags([3])[3] == (b"\\Recent",), "PEEK set \\Seen"
    # The FAST, ALL and FULL macros; BODY is BODYSTRUCTURE without extension data.
    # (imapclient would parenthesize a macro, which the grammar forbids, so they go raw.)
    _, lines = raw_ok(c, "UID FETCH 1 FAST")
    assert len(lines) == 1 and all(w in lines[0] for w in [b"FLAGS", b"INTERNALDATE",
                                                           b"RFC822.SIZE", b"UID 1"]), lines
    _, lines = raw_ok(c, "FETCH 1 ALL")
    assert len(lines) == 1 and all(w in lines[0] for w in [b"FLAGS", b"INTERNALDATE",
                                                           b"RFC822.SIZE", b"ENVELOPE"]), lines
    typ, data = c._imap.uid("FETCH", "2", "FULL")
    got = parse_fetch_response(data, False, True)[2]
    assert set(got) >= {b"FLAGS", b"INTERNALDATE", b"RFC822.SIZE", b"ENVELOPE", b"BODY"}, got
    body = got[b"BODY"]
    assert norm(body[0][0]) == ("text", "plain", ("charset", "utf-8"), None, None,
                                "quoted-printable", len(PART1_B), 1), f"BODY: {body!r}"
    assert norm(body[0][1]) == ("application", "octet-stream", ("name", "data.bin"), None,
                                None, "base64", len(PART2_B)), f"BODY: {body!r}"
    assert norm(body[1:]) == ("mixed",), f"BODY has no extension data: {body!r}"
    # BODY[] (not PEEK) sets \Seen, and the FETCH reports the new flags (RFC 9051 §6.4.5).
    got = c.fetch([3], ["BODY[TEXT]", "RFC822.TEXT"])[3]
    assert got[b"BODY[TEXT]"] == crlf(BODY_C).encode(), "BODY[TEXT] of message 3"
    assert got[b"RFC822.TEXT"] == crlf(BODY_C).encode(), "RFC822.TEXT of message 3"
    assert b"\\Seen" in got.get(b"FLAGS", ()), f"FETCH BODY[] did not report \\Seen: {got!r}"
    assert b"\\Seen" in c.get_flags([3])[3], "FETCH BODY[] did not set \\Seen"
    # A full RFC822 equals what was appended.
    assert c.fetch([1], ["BODY.PEEK[]"])[1][b"BODY[]"] == MSG_A, "BODY[] round trip"
    assert c.fetch([2], ["RFC822"])[2][b"RFC822"] == MSG_B, "RFC822 round trip"
    # FETCH by sequence number.
    c.use_uid = False
    got = c.fetch([2, 3], ["UID"])
    assert {k: v[b"UID"] for k, v in got.items()} == {2: 2, 3: 3}, f"FETCH 2:3 UID: {got!r}"
    c.use_uid = True

    # OBJECTID (RFC 8474), SAVEDATE (RFC 8514), PREVIEW (RFC 8970).
    got = c.fetch([1, 2, 3], ["EMAILID", "THREADID", "SAVEDATE", "PREVIEW"])
    ids = {uid: v[b"EMAILID"] for uid, v in got.items()}
    assert len(set(ids.values())) == 3, f"EMAILIDs not distinct: {ids!r}"
    for uid, v in got.items():
        assert isinstance(v[b"EMAILID"], tuple) and len(v[b"EMAILID"]) == 1, f"EMAILID {v!r}"
        assert v[b"THREADID"] is None or len(v[b"THREADID"]) == 1, f"THREADID {v!r}"
        assert v[b"SAVEDATE"] is not None, f"SAVEDATE {v!r}"
    assert got[1][b"PREVIEW"].decode("utf-8").startswith("Grüße aus Zürich."), got[1]
    assert got[3][b"PREVIEW"].startswith(b"Quarterly numbers follow."), got[3]
    assert len(got[3][b"PREVIEW"].decode()) <= 256, "PREVIEW over 256 characters (RFC 8970)"
    # COPY keeps EMAILID (RFC 8474 §5.1).
    c.create_folder("T-Fetch-Copy")
    c.copy([1], "T-Fetch-Copy")
    c.select_folder("T-Fetch-Copy")
    assert c.fetch([1], ["EMAILID"])[1][b"EMAILID"] == ids[1], "EMAILID changed by COPY"
    c.select_folder("T-Fetch")

    # MODSEQ (a CONDSTORE-enabling FETCH item, RFC 7162 §3.1) and CHANGEDSINCE.
    got = c.fetch([1, 2, 3], ["MODSEQ"])
    mods = {uid: modseq(v) for uid, v in got.items()}
    assert all(m > 0 for m in mods.values()), f"MODSEQ {mods!r}"
    high = max(mods.values())
    c.add_flags([2], [b"$Changed"])
    got = c.fetch([1, 2, 3], ["FLAGS"], ["CHANGEDSINCE %d" % high])
    assert list(got) == [2], f"FETCH CHANGEDSINCE {high}: {got!r}"
    assert modseq(got[2]) > high, f"CHANGEDSINCE reply must carry MODSEQ: {got!r}"
    assert b"$Changed" in got[2][b"FLAGS"], got
    c.close_folder()
    c.delete_folder("T-Fetch-Copy")
    c.logout()


@section
def store_flags():
    """STORE/UID STORE: +FLAGS, -FLAGS, FLAGS, .SILENT, keywords, UNCHANGEDSINCE and MODIFIED
    (RFC 7162 §3.1.3), no MODSEQ change for a no-op STORE (§3.1.11), EXAMINE is read-only."""
    c = connect()
    c.create_folder("T-Store")
    for i in range(1, 5):
        c.append("T-Store", simple(i))
    assert c.enable("CONDSTORE") == [b"CONDSTORE"]
    sel = c.select_folder("T-Store")
    assert sel[b"HIGHESTMODSEQ"] > 0, f"SELECT after ENABLE CONDSTORE: {sel!r}"
    r = c.add_flags([1], [b"\\Flagged", b"$Work"])
    assert flagset(r[1]) == flagset([b"\\Flagged", b"$Work", b"\\Recent"]), f"+FLAGS {r!r}"
    r = c.remove_flags([1], [b"$Work"])
    assert flagset(r[1]) == flagset([b"\\Flagged", b"\\Recent"]), f"-FLAGS {r!r}"
    r = c.set_flags([2], [b"\\Answered", b"$Done"])
    assert flagset(r[2]) == flagset([b"\\Answered", b"$Done", b"\\Recent"]), f"FLAGS {r!r}"
    assert c.add_flags([3], [b"\\Draft"], silent=True) is None
    assert flagset(c.get_flags([3])[3]) == flagset([b"\\Draft", b"\\Recent"]), "+FLAGS.SILENT"
    # \Recent cannot be stored (RFC 3501 §2.3.2).
    cond, text, _ = raw(c, "UID STORE 4 +FLAGS (\\Recent)")
    assert cond in ("BAD", "NO") or flagset(c.get_flags([4])[4]) == flagset([b"\\Recent"]), \
        f"STORE \\Recent: {cond} {text!r}"
    # With CONDSTORE enabled, the FETCH of a STORE carries MODSEQ.
    _, lines = raw_ok(c, "UID STORE 4 +FLAGS ($Seen4)")
    (seq, items), = fetch_lines(lines)
    assert seq == 4 and items[b"UID"] == 4 and b"MODSEQ" in items, f"STORE FETCH {lines!r}"
    m4 = modseq(items)
    # §3.1.11: adding a flag that is there already SHOULD NOT change the MODSEQ.
    raw_ok(c, "UID STORE 4 +FLAGS.SILENT ($Seen4)")
    m4b = modseq(c.fetch([4], ["MODSEQ"])[4])
    assert m4b == m4, f"a no-op STORE moved MODSEQ {m4} → {m4b} (RFC 7162 §3.1.11 SHOULD NOT)"

    # UNCHANGEDSINCE: passes at the current MODSEQ, fails with [MODIFIED uids] once the
    # message moved on.
    _, lines = raw_ok(c, f"UID STORE 4 (UNCHANGEDSINCE {m4}) +FLAGS (\\Answered)")
    got = fetch_lines(lines)
    assert len(got) == 1 and got[0][1][b"UID"] == 4 and modseq(got[0][1]) > m4, \
        f"UNCHANGEDSINCE {m4}: {lines!r}"
    assert b"\\Answered" in got[0][1][b"FLAGS"], f"UNCHANGEDSINCE {m4}: {lines!r}"
    m1 = modseq(c.fetch([1], ["MODSEQ"])[1])
    assert m1 < m4, f"message 1 last changed before message 4: {m1} {m4}"
    cond, text, lines = raw(c, f"UID STORE 4,1 (UNCHANGEDSINCE {m4}) +FLAGS (\\Deleted)")
    want_modified = b"[MODIFIED 4]"
    assert cond == "OK" and text.startswith(want_modified), \
        f"stale UNCHANGEDSINCE {m4}: {cond} {text!r}, want {want_modified!r}"
    assert b"\\Deleted" not in c.get_flags([4])[4], "a failed UNCHANGEDSINCE changed flags"
    assert b"\\Deleted" in c.get_flags([1])[1], "UNCHANGEDSINCE failed for 4 but not for 1"
    c.remove_flags([1], [b"\\Deleted"])
    # STORE by sequence number.
    c.use_uid = False
    r = c.add_flags([2], [b"$BySeq"])
    assert b"$BySeq" in r[2], f"STORE by sequence number {r!r}"
    c.use_uid = True
    # A new keyword is announced in FLAGS (and PERMANENTFLAGS) on the next SELECT.
    sel = c.select_folder("T-Store", readonly=True)
    assert b"READ-ONLY" in sel, f"EXAMINE {sel!r}"
    for k in [b"$Done", b"$Seen4", b"$BySeq"]:  # ($Work was removed again: either way)
        assert k.lower() in {f.lower() for f in sel[b"FLAGS"]}, f"FLAGS {sel[b'FLAGS']!r}"
    expect_fail(lambda: c.add_flags([1], [b"\\Seen"]), what="STORE in an EXAMINEd mailbox")
    before = c.get_flags([1])[1]
    c.fetch([1], ["BODY[]"])
    assert c.get_flags([1])[1] == before, "FETCH BODY[] under EXAMINE set \\Seen"
    # The last two rules are checked together and reported together.
    c.select_folder("T-Store")
    problems = []
    # A STORE without .SILENT returns the new flags "as if a FETCH of those flags was done"
    # (RFC 9051 §6.4.6), also when they did not change.
    _, lines = raw_ok(c, "UID STORE 1 +FLAGS (\\Flagged)")
    got = fetch_lines(lines)
    if not (len(got) == 1 and got[0][1].get(b"UID") == 1
            and flagset(got[0][1].get(b"FLAGS", ())) >= {"\\flagged"}):
        problems.append(f"UID STORE 1 +FLAGS (\\Flagged) on a flagged message: no FETCH of the "
                        f"flags (RFC 9051 §6.4.6): {lines!r}")
    # A passing UNCHANGEDSINCE sends FETCH with MODSEQ even with .SILENT (RFC 7162 §3.1.3).
    m3 = modseq(c.fetch([3], ["MODSEQ"])[3])
    _, lines = raw_ok(c, f"UID STORE 3 (UNCHANGEDSINCE {m3}) +FLAGS.SILENT (\\Answered)")
    got = fetch_lines(lines)
    if not (len(got) == 1 and got[0][1][b"UID"] == 3 and modseq(got[0][1]) > m3):
        problems.append(f"UID STORE 3 (UNCHANGEDSINCE {m3}) +FLAGS.SILENT must still send "
                        f"FETCH (UID MODSEQ) (RFC 7162 §3.1.3 MUST): {lines!r}")
    c.unselect_folder()
    c.delete_folder("T-Store")
    c.logout()
    assert not problems, "\n".join(problems)


@section
def copy_move_expunge():
    """COPY (COPYUID), MOVE (RFC 6851), EXPUNGE, UID EXPUNGE (RFC 4315), CLOSE, UNSELECT,
    and EXPUNGE/MOVE with QRESYNC (VANISHED, HIGHESTMODSEQ in the tagged OK)."""
    c = connect()
    for f in ["T-Copy", "T-Dest"]:
        c.create_folder(f)
    for i in range(1, 9):
        c.append("T-Copy", simple(i))
    dest_validity = c.folder_status("T-Dest", ["UIDVALIDITY"])[b"UIDVALIDITY"]
    c.select_folder("T-Copy")
    text, _ = raw_ok(c, "CHECK")  # IMAP4rev1 (RFC 3501 §6.4.1)
    c.copy([1], "T-Dest")  # imapclient drops the tagged text of UID commands; raw shows it
    text, _ = raw_ok(c, "UID COPY 2 T-Dest")
    assert text.startswith(b"[COPYUID %d 2 2]" % dest_validity), f"UID COPY 2: {text!r}"
    c.use_uid = False
    c.copy([1], "T-Dest")  # COPY by sequence number: message 1 is UID 1
    c.use_uid = True
    expect_fail(lambda: c.copy([1], "No-Such"), "TRYCREATE", what="COPY to a missing mailbox")

    # MOVE: COPYUID in an untagged OK before the EXPUNGE (RFC 6851 §4.3).
    _, lines = raw_ok(c, "UID MOVE 3 T-Dest")
    assert len(lines) == 2 and lines[0].startswith(b"* OK [COPYUID %d 3 4]" % dest_validity) \
        and lines[1] == b"* 3 EXPUNGE", f"UID MOVE 3: {lines!r}"
    c.move([4], "T-Dest")
    expect_fail(lambda: c.move([5], "No-Such"), "TRYCREATE", what="MOVE to a missing mailbox")
    raw_ok(c, "MOVE 1 T-Dest")  # by sequence number: message 1 is UID 1
    assert c.search("ALL") == [2, 5, 6, 7, 8], f"after moves: {c.search('ALL')!r}"
    st = c.folder_status("T-Dest", ["MESSAGES", "UIDNEXT"])
    assert st == {b"MESSAGES": 6, b"UIDNEXT": 7}, f"T-Dest after COPY+MOVE {st!r}"

    # EXPUNGE reports sequence numbers, highest first or lowest first, each valid when sent.
    c.delete_messages([5, 7])
    text, resps = c.expunge()
    assert sorted(resps) in ([(2, b"EXPUNGE"), (3, b"EXPUNGE")],
                             [(2, b"EXPUNGE"), (4, b"EXPUNGE")]), f"EXPUNGE {resps!r}"
    assert c.search("ALL") == [2, 6, 8], "after EXPUNGE"
    # UID EXPUNGE only removes the listed UIDs, even if others are \Deleted (RFC 4315 §2.1).
    c.delete_messages([2, 6])
    c.uid_expunge([6])
    assert c.search("ALL") == [2, 8], f"after UID EXPUNGE 6: {c.search('ALL')!r}"
    assert c.search("DELETED") == [2], "UID EXPUNGE removed another \\Deleted message"
    # UNSELECT keeps \Deleted messages; CLOSE expunges them silently.
    c.unselect_folder()
    assert c.folder_status("T-Copy", ["MESSAGES"])[b"MESSAGES"] == 2, "UNSELECT expunged"
    c.select_folder("T-Copy")
    c.close_folder()
    assert c.folder_status("T-Copy", ["MESSAGES"])[b"MESSAGES"] == 1, "CLOSE did not expunge"
    # CLOSE of an EXAMINEd mailbox expunges nothing.
    c.select_folder("T-Dest")
    c.delete_messages([1])
    c.select_folder("T-Dest", readonly=True)
    c.close_folder()
    assert c.folder_status("T-Dest", ["MESSAGES"])[b"MESSAGES"] == 6, "CLOSE after EXAMINE"
    c.logout()

    # With QRESYNC: VANISHED instead of EXPUNGE, and the tagged OK of EXPUNGE and MOVE carries
    # HIGHESTMODSEQ (RFC 7162 §3.2.7, RFC 6851 §4.4).
    c = connect()
    c.enable("QRESYNC")
    c.select_folder("T-Dest")
    problems = []  # each of the three is checked; all failures are reported together
    text, lines = raw_ok(c, "EXPUNGE")
    assert lines == [b"* VANISHED 1"], f"EXPUNGE with QRESYNC: {lines!r}"
    if not text.startswith(b"[HIGHESTMODSEQ "):
        problems.append(f"EXPUNGE: tagged OK without [HIGHESTMODSEQ] (RFC 7162 §3.2.7 MUST): "
                        f"{text!r}")
    text, lines = raw_ok(c, "UID MOVE 2 T-Copy")
    high = [ln for ln in lines if ln.startswith(b"* OK [HIGHESTMODSEQ ")]
    rest = [ln for ln in lines if ln not in high]
    assert len(rest) == 2 and rest[0].startswith(b"* OK [COPYUID ") and \
        rest[1] == b"* VANISHED 2", f"MOVE with QRESYNC: {lines!r}"
    if not text.startswith(b"[HIGHESTMODSEQ ") and not high:
        problems.append(f"UID MOVE: no [HIGHESTMODSEQ] in the tagged or an untagged OK "
                        f"(RFC 6851 §4.4 MUST): {lines!r} then {text!r}")
    c.delete_messages([3])
    text, lines = raw_ok(c, "UID EXPUNGE 3")
    assert lines == [b"* VANISHED 3"], f"UID EXPUNGE with QRESYNC: {lines!r}"
    if not text.startswith(b"[HIGHESTMODSEQ "):
        problems.append(f"UID EXPUNGE: tagged OK without [HIGHESTMODSEQ] (RFC 7162 §3.2.9 MUST): "
                        f"{text!r}")
    # SELECT while a mailbox is selected: OK [CLOSED] first (RFC 7162 §3.2.11).
    _, lines = raw_ok(c, "SELECT T-Copy")
    assert lines[0].startswith(b"* OK [CLOSED]"), f"no [CLOSED] first: {lines!r}"
    c._imap.state = "SELECTED"
    c.close_folder()
    c.delete_folder("T-Copy")
    c.delete_folder("T-Dest")
    c.logout()
    assert not problems, "\n".join(problems)


@section
def search():
    """SEARCH / UID SEARCH: flags, keywords, addresses, HEADER, BODY/TEXT with CHARSET UTF-8
    and decoded MIME, sizes, internal and sent dates, sequence and UID sets, NOT/OR/nesting,
    MODSEQ, ESEARCH RETURN, SEARCHRES `$`, WITHIN, SAVEDATE, EMAILID; BADCHARSET."""
    c = connect()
    append_fixtures(c, "T-Search")
    fresh = simple(4, "Fresh one", "Fri, 01 Dec 2023 10:00:00 +0000")
    c.append("T-Search", fresh, flags=[b"\\Deleted", b"$Work"])  # internal date: now
    c.select_folder("T-Search")
    c.add_flags([3], [b"\\Answered", b"\\Draft"])

    def s(criteria, charset=None, want=None):
        got = c.search(criteria, charset)
        assert list(got) == want, f"SEARCH {criteria!r}: got {list(got)!r}, want {want!r}"
        return got

    s("ALL", want=[1, 2, 3, 4])
    s(["SEEN"], want=[1])
    s(["UNSEEN"], want=[2, 3, 4])
    s(["FLAGGED"], want=[2])
    s(["UNFLAGGED"], want=[1, 3, 4])
    s(["ANSWERED"], want=[3])
    s(["UNANSWERED"], want=[1, 2, 4])
    s(["DELETED"], want=[4])
    s(["UNDELETED"], want=[1, 2, 3])
    s(["DRAFT"], want=[3])
    s(["UNDRAFT"], want=[1, 2, 4])
    s(["KEYWORD", "$Label1"], want=[1])
    s(["KEYWORD", "$label1"], want=[1])  # keywords are case-insensitive
    s(["UNKEYWORD", "$Work"], want=[1, 2, 3])
    s(["RECENT"], want=[1, 2, 3, 4])
    s(["NEW"], want=[2, 3, 4])
    s(["OLD"], want=[])
    s(["FROM", "ann@example"], want=[1])
    s(["FROM", "Ann Example"], want=[1])
    s(["TO", "bob@example.net"], want=[1])
    s(["TO", "ann@example.org"], want=[2, 3, 4])
    s(["CC", "dan"], want=[1])
    s(["BCC", "eve@"], want=[1])
    s(["SUBJECT", "report"], want=[2])  # case-insensitive
    s(["HEADER", "Message-ID", "<c1@example.com>"], want=[3])
    s(["HEADER", "X-Priority", ""], want=[3])  # presence
    s(["BODY", "numbers are attached"], want=[2])
    s(["TEXT", "X-Priority"], want=[3])  # TEXT covers the header too
    s(["TEXT", "quarterly"], want=[3])
    s(["LARGER", 3000], want=[3])
    s(["SMALLER", 300], want=[4])
    # Dates: SINCE/BEFORE/ON use the internal date, SENT* the Date header (date only).
    s(["SINCE", datetime.date(2024, 2, 15)], want=[2, 3, 4])
    s(["BEFORE", datetime.date(2024, 2, 15)], want=[1])
    s(["ON", datetime.date(2024, 3, 20)], want=[3])
    s(["SENTON", datetime.date(2024, 1, 10)], want=[1])
    s(["SENTSINCE", datetime.date(2024, 2, 16)], want=[3])
    s(["SENTBEFORE", datetime.date(2024, 2, 15)], want=[1, 4])
    s(["SENTON", datetime.date(2023, 12, 1)], want=[4])
    # Sets, NOT, OR, nesting.
    s(["UID", "2:3"], want=[2, 3])
    s(["UID", "3:*"], want=[3, 4])
    s("1,3", want=[1, 3])
    s(["NOT", "SEEN"], want=[2, 3, 4])
    s(["OR", "FLAGGED", "ANSWERED"], want=[2, 3])
    s(["OR", "SEEN", ["FROM", "carol", "LARGER", 1000]], want=[1, 3])
    s(["NOT", ["OR", "SEEN", "DELETED"]], want=[2, 3])
    s(["UNSEEN", "UNDELETED", "SUBJECT", "numbers"], want=[3])
    # CHARSET UTF-8: 8-bit body text, quoted-printable decoded, RFC 2047 subject decoded
    # (RFC 9051 §6.4.4: transfer encodings and MIME header strings MUST be decoded).
    s(["BODY", "Grüße"], "UTF-8", want=[1])
    s(["TEXT", "zürich"], "UTF-8", want=[1])
    s(["BODY", "Müller"], "UTF-8", want=[2])
    s(["SUBJECT", "Café"], "UTF-8", want=[1])
    s(["BODY", "Grüße"], "utf-8", want=[1])
    s(["SUBJECT", "plans"], "US-ASCII", want=[1])
    expect_fail(lambda: c.search([b"BODY", b"x"], "X-UNKNOWN-CHARSET"), "BADCHARSET",
                what="SEARCH CHARSET X-UNKNOWN-CHARSET")
    # By sequence number.
    c.use_uid = False
    s(["FLAGGED"], want=[2])
    c.use_uid = True
    # MODSEQ (RFC 7162 §3.1.5): the highest MODSEQ of the matches is appended.
    mods = {u: modseq(v) for u, v in c.fetch([1, 2, 3, 4], ["MODSEQ"]).items()}
    got = c.search(["MODSEQ", mods[3]])
    assert list(got) == [3] or 3 in got, f"SEARCH MODSEQ {mods[3]}: {got!r}"
    assert got.modseq == max(mods[u] for u in got), f"SEARCH MODSEQ result {got.modseq!r}"
    # WITHIN (RFC 5032): only message 4 was appended in the last hour.
    s(["YOUNGER", 3600], want=[4])
    s(["OLDER", 3600], want=[1, 2, 3])
    # SAVEDATE (RFC 8514): all were saved today.
    s(["SAVEDSINCE", datetime.date.today() - datetime.timedelta(days=1)], want=[1, 2, 3, 4])
    s(["SAVEDBEFORE", datetime.date(2000, 1, 1)], want=[])
    # EMAILID (RFC 8474 §6).
    emailid = c.fetch([2], ["EMAILID"])[2][b"EMAILID"][0].decode()
    s(["EMAILID", emailid], want=[2])

    # ESEARCH (RFC 4731).
    tag = c._imap.tagpre + str(c._imap.tagnum).encode()
    _, lines = raw_ok(c, "UID SEARCH RETURN (MIN MAX COUNT ALL) UNSEEN")
    assert len(lines) == 1 and esearch(lines) == (
        tag, True, {b"MIN": b"2", b"MAX": b"4", b"COUNT": b"3", b"ALL": b"2:4"}), \
        f"ESEARCH: {lines!r}"
    _, lines = raw_ok(c, "SEARCH RETURN () FLAGGED")
    assert len(lines) == 1 and esearch(lines)[1:] == (False, {b"ALL": b"2"}), \
        f"SEARCH RETURN (): {lines!r}"
    _, lines = raw_ok(c, "SEARCH RETURN (COUNT) KEYWORD $Nothing")
    assert len(lines) == 1 and esearch(lines)[1:] == (False, {b"COUNT": b"0"}), \
        f"SEARCH RETURN (COUNT) with no match: {lines!r}"
    _, lines = raw_ok(c, "SEARCH RETURN (MIN) UNSEEN")
    assert len(lines) == 1 and esearch(lines)[1:] == (False, {b"MIN": b"2"}), \
        f"SEARCH RETURN (MIN): {lines!r}"
    _, lines = raw_ok(c, f"SEARCH RETURN (MAX) MODSEQ {mods[3]}")
    got = esearch(lines)[2]
    assert set(got) == {b"MAX", b"MODSEQ"} and int(got[b"MODSEQ"]) == mods[int(got[b"MAX"])], \
        f"ESEARCH with MODSEQ (RFC 4731 §3.2, RFC 7162 §3.1.10): {lines!r}"
    # SEARCHRES (RFC 5182): SAVE, then `$` in FETCH and SEARCH.
    _, lines = raw_ok(c, "UID SEARCH RETURN (SAVE) OR FLAGGED ANSWERED")
    assert lines == [], f"RETURN (SAVE) alone sends no ESEARCH: {lines!r}"
    _, lines = raw_ok(c, "UID FETCH $ (UID)")
    assert [i[b"UID"] for _, i in fetch_lines(lines)] == [2, 3], f"FETCH $: {lines!r}"
    _, lines = raw_ok(c, "UID SEARCH NOT $")
    assert lines == [b"* SEARCH 1 4"], f"SEARCH NOT $: {lines!r}"
    c.close_folder()
    c.delete_folder("T-Search")
    c.logout()


@section
def idle():
    """IDLE (RFC 2177): a second connection appends, stores a flag and expunges; each untagged
    response reaches the idling client. Then with QRESYNC: FETCH with MODSEQ and VANISHED."""
    a = connect()
    b = connect()
    a.create_folder("T-Idle")
    a.append("T-Idle", simple(1))
    a.select_folder("T-Idle")
    a.idle()
    b.append("T-Idle", simple(2))
    seen = wait_idle(a, lambda r: r == (2, b"EXISTS"), "2 EXISTS after APPEND")
    b.select_folder("T-Idle")
    b.add_flags([1], [b"\\Flagged"])
    seen = wait_idle(a, lambda r: r[:2] == (1, b"FETCH"), "FETCH after STORE")
    (fetch,) = [r for r in seen if r[:2] == (1, b"FETCH")]
    items = dict(zip(fetch[2][::2], fetch[2][1::2]))
    assert b"\\Flagged" in items[b"FLAGS"], f"IDLE FETCH {fetch!r}"
    assert items.get(b"UID", 1) == 1, f"IDLE FETCH {fetch!r}"
    b.delete_messages([1])
    b.expunge()
    seen = wait_idle(a, lambda r: r == (1, b"EXPUNGE"), "1 EXPUNGE after EXPUNGE")
    text, rest = a.idle_done()
    assert rest == [] or all(r[1] != b"EXPUNGE" for r in rest), f"after DONE {rest!r}"
    assert a.search("ALL") == [2], f"after IDLE: {a.search('ALL')!r}"
    text, resps = a.noop()
    assert resps == [], f"NOOP after IDLE reported again: {resps!r}"
    a.logout()

    # With QRESYNC the idling client gets MODSEQ in FETCH and VANISHED for the expunge.
    a = connect()
    a.enable("QRESYNC")
    a.select_folder("T-Idle")
    a.idle()
    b.add_flags([2], [b"$Idle"])
    seen = wait_idle(a, lambda r: r[:2] == (1, b"FETCH"), "FETCH after STORE")
    (fetch,) = [r for r in seen if r[:2] == (1, b"FETCH")]
    items = dict(zip(fetch[2][::2], fetch[2][1::2]))
    assert b"$Idle" in items[b"FLAGS"] and items.get(b"UID") == 2 and b"MODSEQ" in items, \
        f"IDLE FETCH with QRESYNC must carry UID and MODSEQ: {fetch!r}"
    b.delete_messages([2])
    b.expunge()
    seen = wait_idle(a, lambda r: r[0] == b"VANISHED", "VANISHED after EXPUNGE")
    assert (b"VANISHED", 2) in seen, f"IDLE with QRESYNC: {seen!r}"
    assert not any(r[1:2] == (b"EXPUNGE",) for r in seen), f"EXPUNGE with QRESYNC: {seen!r}"
    a.idle_done()
    a.logout()
    b.unselect_folder()
    b.delete_folder("T-Idle")
    b.logout()


@section
def qresync():
    """QRESYNC resynchronisation (RFC 7162 §3.2.5): A remembers INBOX, B changes flags,
    expunges and appends; A's SELECT (QRESYNC ...) reports exactly VANISHED (EARLIER) and the
    FETCH (UID FLAGS MODSEQ) of the changed and new messages, and applying them to the saved
    state gives the server's state. Variants: known UIDs, a UIDVALIDITY mismatch, sequence
    match data, UID FETCH (CHANGEDSINCE VANISHED), and SELECT (QRESYNC) without ENABLE."""
    setup = connect()
    flags0 = {1: [], 2: [], 3: [b"\\Seen"], 4: [b"\\Flagged", b"\\Seen"], 5: [b"$Old"],
              6: [b"\\Seen"], 7: [b"\\Answered"], 8: []}
    for uid, fl in flags0.items():
        r = setup.append("INBOX", simple(100 + uid), flags=fl)
        assert r.endswith(b" %d] APPEND completed" % uid) or b" %d]" % uid in r, \
            f"APPEND {uid}: {r!r}"
    setup.logout()

    # A: SELECT INBOX (CONDSTORE) (RFC 7162 §3.1.8), remember UIDVALIDITY, HIGHESTMODSEQ and
    # UID → flags.
    a = connect()
    text, lines = raw_ok(a, "SELECT INBOX (CONDSTORE)")
    a._imap.state = "SELECTED"
    assert text.startswith(b"[READ-WRITE]"), f"SELECT INBOX (CONDSTORE): {text!r}"
    assert b"* 8 EXISTS" in lines, f"SELECT INBOX (CONDSTORE): {lines!r}"
    validity = int(code_value(lines, "UIDVALIDITY"))
    saved_modseq = int(code_value(lines, "HIGHESTMODSEQ") or 0)
    assert saved_modseq > 0, f"SELECT (CONDSTORE) without HIGHESTMODSEQ: {lines!r}"
    saved = {uid: flagset(v[b"FLAGS"]) - {"\\recent"}
             for uid, v in a.fetch(a.search(), ["FLAGS", "MODSEQ"]).items()}
    assert saved == {u: flagset(f) for u, f in flags0.items()}, f"A's state {saved!r}"
    a.logout()

    # B: flag changes on 2, 4, 6; expunge 3 and 5; then two new messages (appended outside
    # a selection, so the next SELECT is the first to see them: \Recent there).
    b = connect()
    b.enable("CONDSTORE")
    b.select_folder("INBOX")
    b.add_flags([2], [b"\\Seen"])
    b.remove_flags([4], [b"\\Flagged"])
    b.add_flags([6], [b"$Todo"])
    b.delete_messages([3, 5])
    b.expunge()
    b.unselect_folder()
    b.append("INBOX", simple(109), flags=[b"\\Seen"])
    b.append("INBOX", simple(110))
    # The server's state, read without claiming \Recent.
    b.select_folder("INBOX", readonly=True)
    now = {uid: (flagset(v[b"FLAGS"]) - {"\\recent"}, modseq(v))
           for uid, v in b.fetch(b.search(), ["FLAGS", "MODSEQ"]).items()}
    b_high = b.folder_status("INBOX", ["HIGHESTMODSEQ"])[b"HIGHESTMODSEQ"]
    b.logout()
    current = {u: f for u, (f, _) in now.items()}
    assert sorted(current) == [1, 2, 4, 6, 7, 8, 9, 10], f"B's view {now!r}"
    changed = [2, 4, 6, 9, 10]
    for u in changed:
        assert now[u][1] > saved_modseq, f"UID {u} changed but MODSEQ {now[u][1]} <= {saved_modseq}"
    for u in [1, 7, 8]:
        assert now[u][1] <= saved_modseq, f"UID {u} unchanged but MODSEQ moved: {now[u]!r}"
    seq_of = {u: i + 1 for i, u in enumerate(sorted(current))}

    def resync(select, want_vanished, want_fetch, recent, extra=""):
        """Runs `select` on a fresh connection with QRESYNC enabled and checks its answer."""
        c = connect()
        assert c.enable("QRESYNC") == [b"QRESYNC"]
        text, lines = raw_ok(c, select)
        assert text.startswith(b"[READ-WRITE]"), f"{select}: {text!r}"
        assert code_value(lines, "UIDVALIDITY") == b"%d" % validity, f"{select}: {lines!r}"
        assert code_value(lines, "HIGHESTMODSEQ") == b"%d" % b_high, \
            f"{select}: HIGHESTMODSEQ {code_value(lines, 'HIGHESTMODSEQ')!r}, want {b_high}"
        assert code_value(lines, "UIDNEXT") == b"11", f"{select}: {lines!r}"
        assert b"* 8 EXISTS" in lines, f"{select}: {lines!r}"
        vanished = vanished_lines(lines)
        fetches = fetch_lines(lines)
        for ln in lines:
            if ln.startswith(b"* VANISHED"):
                want_line = b"* VANISHED (EARLIER) " + ",".join(
                    map(str, want_vanished)).encode()
                # 3,5 and 3 are already as compact as a sequence set gets
                assert ln == want_line, f"{select}: {ln!r}, want {want_line!r}"
        got_vanished = sorted(u for earlier, uids in vanished for u in uids)
        assert all(earlier for earlier, _ in vanished), f"VANISHED without (EARLIER): {lines!r}"
        assert len(vanished) <= 1, f"{select}: more than one VANISHED (EARLIER): {lines!r}"
        assert got_vanished == want_vanished, \
            f"{select}: VANISHED (EARLIER) {got_vanished}, want {want_vanished}; {lines!r}"
        if vanished:
            first_fetch = min((i for i, ln in enumerate(lines) if b" FETCH " in ln),
                              default=len(lines))
            vline = next(i for i, ln in enumerate(lines) if ln.startswith(b"* VANISHED"))
            assert vline < first_fetch, f"VANISHED must precede FETCH (§3.2.6): {lines!r}"
        want = []
        for u in want_fetch:
            fl = set(current[u]) | ({"\\recent"} if u in recent else set())
            want.append((seq_of[u], u, frozenset(fl), now[u][1]))
        got = []
        for seq, items in fetches:
            assert set(items) == {b"UID", b"FLAGS", b"MODSEQ"}, \
                f"{select}: FETCH items must be UID FLAGS MODSEQ: {items!r}"
            got.append((seq, items[b"UID"], flagset(items[b"FLAGS"]), modseq(items)))
        assert sorted(got) == want, \
            f"{select}{extra}: FETCH lines\n  got  {sorted(got)}\n  want {want}\n  {lines!r}"
        return c, vanished, fetches

    # 1. No known-UIDs: the server acts as for 1:<UIDNEXT-1> (§3.2.5.1); the new messages are
    #    reported too, with \Recent since this is the first session to see them.
    c, vanished, fetches = resync(
        f"SELECT INBOX (QRESYNC ({validity} {saved_modseq}))",
        [3, 5], changed, recent={9, 10})
    assert vanished == [(True, [3, 5])], f"want exactly * VANISHED (EARLIER) 3,5: {vanished!r}"
    state = dict(saved)
    for _, uids in vanished:
        for u in uids:
            state.pop(u, None)
    for _, items in fetches:
        state[items[b"UID"]] = flagset(items[b"FLAGS"]) - {"\\recent"}
    assert state == current, f"saved state + resync != server state:\n {state}\n {current}"
    # And the client's own view after the resync agrees.
    c._imap.state = "SELECTED"
    mine = {u: flagset(v[b"FLAGS"]) - {"\\recent"}
            for u, v in c.fetch(c.search(), ["FLAGS"]).items()}
    assert mine == current, f"UID FETCH 1:* after resync {mine!r}"
    c.logout()

    # The variants below each check one more rule; all run, and every failure is reported.
    problems = []
    # 2. Known UIDs 1:8: only those are reported (§3.2.5.1: "the server should only report flag
    #    changes and expunges for the specified messages").
    def variant_2():
        c, _, _ = resync(f"SELECT INBOX (QRESYNC ({validity} {saved_modseq} 1:8))",
                         [3, 5], [2, 4, 6], recent=set())
        c.logout()

    # 3. A subset of known UIDs.
    def variant_3():
        c, _, _ = resync(f"SELECT INBOX (QRESYNC ({validity} {saved_modseq} 1:4))",
                         [3], [2, 4], recent=set())
        c.logout()

    # 4. A UIDVALIDITY mismatch: the rest is ignored, nothing is reported (§3.2.5).
    def variant_4():
        c, _, _ = resync(f"SELECT INBOX (QRESYNC ({validity + 1} {saved_modseq}))",
                         [], [], recent=set())
        c.logout()

    # 5. Sequence match data (§3.2.5.2): (2,3 ↔ 2,4) match the mailbox, so the client knows of
    #    every expunge up to UID 4; 3 need not be reported, 5 must be.
    def variant_5():
        c = connect()
        c.enable("QRESYNC")
        _, lines = raw_ok(c, f"SELECT INBOX (QRESYNC ({validity} {saved_modseq} 1:8 (2,3 2,4)))")
        got = sorted(u for _, uids in vanished_lines(lines) for u in uids)
        assert got in ([5], [3, 5]), f"QRESYNC with sequence match data: VANISHED {got}; {lines!r}"
        c.logout()

    # 6. UID FETCH (CHANGEDSINCE … VANISHED) is the same question (§3.2.6).
    def variant_6():
        c = connect()
        c.enable("QRESYNC")
        c.select_folder("INBOX")
        _, lines = raw_ok(c, f"UID FETCH 1:* (FLAGS) (CHANGEDSINCE {saved_modseq} VANISHED)")
        got = sorted(u for _, uids in vanished_lines(lines) for u in uids)
        assert got == [3, 5] and all(e for e, _ in vanished_lines(lines)), \
            f"UID FETCH VANISHED: {lines!r}"
        got = sorted((seq, i[b"UID"], flagset(i[b"FLAGS"]) - {"\\recent"}, modseq(i))
                     for seq, i in fetch_lines(lines))
        want = [(seq_of[u], u, current[u], now[u][1]) for u in changed]
        assert got == want, f"UID FETCH CHANGEDSINCE VANISHED\n  got  {got}\n  want {want}"
        cond, text, _ = raw(c, f"FETCH 1:* (FLAGS) (CHANGEDSINCE {saved_modseq} VANISHED)")
        assert cond == "BAD", f"VANISHED with FETCH (not UID FETCH) must be BAD: {cond} {text!r}"
        cond, text, _ = raw(c, "UID FETCH 1:* (FLAGS) (VANISHED)")
        assert cond == "BAD", f"VANISHED without CHANGEDSINCE must be BAD: {cond} {text!r}"
        c.logout()

    # 7. Without ENABLE QRESYNC: BAD (§3.2.5), and VANISHED in UID FETCH is BAD (§3.2.6).
    def variant_7():
        c = connect()
        cond, text, _ = raw(c, f"SELECT INBOX (QRESYNC ({validity} {saved_modseq}))")
        assert cond == "BAD", f"SELECT (QRESYNC) without ENABLE: {cond} {text!r}"
        c.select_folder("INBOX")
        cond, text, _ = raw(c, f"UID FETCH 1:* (FLAGS) (CHANGEDSINCE {saved_modseq} VANISHED)")
        assert cond == "BAD", f"UID FETCH VANISHED without ENABLE QRESYNC: {cond} {text!r}"
        c.logout()

    for variant in [variant_2, variant_3, variant_4, variant_5, variant_6, variant_7]:
        try:
            variant()
        except AssertionError as e:
            problems.append(f"{variant.__name__}: {e}")
    assert not problems, "\n".join(problems)


@section
def quota():
    """GETQUOTAROOT / GETQUOTA (RFC 9208): the account's root with STORAGE and MESSAGE usage
    matching the mailboxes' STATUS; SETQUOTA refused; APPEND over quota is [OVERQUOTA], over
    APPENDLIMIT is [TOOBIG]."""
    c = connect()
    total_size = total_messages = 0
    for flags, _, name in c.list_folders():
        if b"\\Noselect" in flags or b"\\NonExistent" in flags:
            continue
        st = c.folder_status(name, ["MESSAGES", "SIZE"])
        total_size += st[b"SIZE"]
        total_messages += st[b"MESSAGES"]
    roots, quotas = c.get_quota_root("INBOX")
    assert roots.mailbox == "INBOX" and roots.quota_roots == [""], f"QUOTAROOT {roots!r}"
    got = {q.resource: (q.quota_root, q.usage, q.limit) for q in quotas}
    kib = total_size / 1024
    assert set(got) == {"STORAGE", "MESSAGE"}, f"QUOTA resources {quotas!r}"
    assert got["STORAGE"][0] == "" and got["STORAGE"][2] == QUOTA_STORAGE // 1024, got
    assert got["STORAGE"][1] in (int(kib), -(-total_size // 1024)), \
        f"STORAGE usage {got['STORAGE'][1]} for {total_size} octets"
    assert got["MESSAGE"] == ("", total_messages, QUOTA_MESSAGES), \
        f"MESSAGE {got['MESSAGE']} for {total_messages} messages"
    assert c.get_quota("Sent") == quotas, "every mailbox shares the one root"
    _, lines = raw_ok(c, 'GETQUOTA ""')
    assert len(lines) == 1 and lines[0].startswith(b'* QUOTA "" ('), f"GETQUOTA: {lines!r}"
    cond, text, _ = raw(c, 'GETQUOTA "nope"')
    assert cond == "NO", f"GETQUOTA of an unknown root: {cond} {text!r}"
    cond, text, _ = raw(c, 'SETQUOTA "" (STORAGE 1)')
    assert cond == "NO", f"SETQUOTA: {cond} {text!r}"
    expect_fail(lambda: c.get_quota_root("No-Such"), what="GETQUOTAROOT of a missing mailbox")
    # A message bigger than what is left of the storage quota, below APPENDLIMIT.
    c.create_folder("T-Quota")
    big = message(["From: big@example.org", "Subject: big"],
                  ("x" * 998 + "\n") * (QUOTA_STORAGE // 1000 + 100))
    expect_fail(lambda: c.append("T-Quota", big), "OVERQUOTA", what="APPEND over quota")
    assert c.folder_status("T-Quota", ["MESSAGES"])[b"MESSAGES"] == 0, "over-quota APPEND kept"
    limit = int(next(w for w in c.capabilities() if w.startswith(b"APPENDLIMIT="))[12:])
    huge = b"Subject: huge\r\n\r\n" + b"y" * limit
    expect_fail(lambda: c.append("T-Quota", huge), "TOOBIG", what="APPEND over APPENDLIMIT")
    c.delete_folder("T-Quota")
    c.logout()


@section
def errors():
    """Error paths: missing mailboxes everywhere, bad sequence numbers, commands in the wrong
    state, read-only EXAMINE, APPEND [TRYCREATE]."""
    c = connect()
    expect_fail(lambda: c.select_folder("No-Such"), "NONEXISTENT", what="SELECT a missing mailbox")
    expect_fail(lambda: c.select_folder("No-Such", readonly=True), "NONEXISTENT",
                what="EXAMINE a missing mailbox")
    expect_fail(lambda: c.folder_status("No-Such"), "NONEXISTENT", what="STATUS a missing mailbox")
    expect_fail(lambda: c.delete_folder("No-Such"), "NONEXISTENT", what="DELETE a missing mailbox")
    expect_fail(lambda: c.append("No-Such", simple(1)), "TRYCREATE",
                what="APPEND to a missing mailbox (RFC 9051 §6.3.12 MUST)")
    typ, data = c.multiappend("No-Such", [{"msg": simple(1), "flags": []},
                                          {"msg": simple(2), "flags": []}])
    assert typ == "NO" and b"[TRYCREATE]" in data[0], f"MULTIAPPEND to a missing mailbox {data!r}"
    # Selected-state commands without a selected mailbox.
    for cmd in ["FETCH 1 FLAGS", "STORE 1 +FLAGS (\\Seen)", "EXPUNGE", "CLOSE", "UNSELECT",
                "SEARCH ALL", "COPY 1 INBOX"]:
        cond, text, _ = raw(c, cmd)
        assert cond in ("BAD", "NO"), f"{cmd} with no mailbox selected: {cond} {text!r}"
    # A failed SELECT leaves no mailbox selected (RFC 9051 §6.3.2).
    c.select_folder("INBOX")
    expect_fail(lambda: c.select_folder("No-Such"), what="SELECT a missing mailbox")
    cond, text, _ = raw(c, "FETCH 1 FLAGS")
    assert cond in ("BAD", "NO"), f"after a failed SELECT, still selected: {cond} {text!r}"
    # Sequence numbers past the end are BAD; unknown UIDs are silently ignored.
    sel = c.select_folder("INBOX")
    n = sel[b"EXISTS"]
    c.use_uid = False
    expect_fail(lambda: c.fetch([n + 1], ["FLAGS"]), what=f"FETCH {n + 1} of {n}")
    c.use_uid = True
    assert c.fetch([999999], ["FLAGS"]) == {}, "UID FETCH of an unknown UID"
    assert c.search(["UID", "999999"]) == [], "UID SEARCH of an unknown UID"
    cond, text, _ = raw(c, "FETCH 1 (NOSUCHITEM)")
    assert cond == "BAD", f"FETCH of an unknown item: {cond} {text!r}"
    cond, text, _ = raw(c, "SEARCH NOSUCHKEY")
    assert cond == "BAD", f"SEARCH with an unknown key: {cond} {text!r}"
    cond, text, _ = raw(c, "STORE 1 +FLAGS (\\NoSuchSystemFlag)")
    assert cond == "BAD", f"STORE of an unknown system flag: {cond} {text!r}"
    cond, text, _ = raw(c, "UID STORE 1 FROBFLAGS (\\Seen)")
    assert cond == "BAD", f"STORE with a bad item: {cond} {text!r}"
    # The connection is still usable after all of that.
    assert c.noop()[0], "NOOP after errors"
    c.close_folder()
    c.logout()


@section
def inbox_rename():
    """RENAME INBOX moves its messages to the new mailbox and leaves INBOX empty
    (RFC 9051 §6.3.6)."""
    c = connect()
    before = c.folder_status("INBOX", ["MESSAGES"])[b"MESSAGES"]
    assert before > 0, "INBOX is empty; the QRESYNC section should have filled it"
    try:
        c.rename_folder("INBOX", "Old-Inbox")
    except IMAPClientError as e:  # permitted: "some servers disallow renaming INBOX"
        assert "BAD" not in str(e), f"RENAME INBOX must not be BAD: {e}"
        c.logout()
        return
    assert c.folder_status("Old-Inbox", ["MESSAGES"])[b"MESSAGES"] == before, "RENAME INBOX"
    assert c.folder_status("INBOX", ["MESSAGES"])[b"MESSAGES"] == 0, "INBOX not emptied"
    c.delete_folder("Old-Inbox")
    c.logout()


# Frames not worth naming in a failure report (the caller's line is).
HELPERS = {"raw", "raw_ok", "expect_fail", "wait_idle", "esearch", "fetch_lines",
           "vanished_lines", "<lambda>"}


def main():
    failures = []
    for fn in SECTIONS:
        title = fn.__doc__.strip().splitlines()[0]
        print(f"== {fn.__name__}: {title}", flush=True)
        started = time.monotonic()
        try:
            fn()
            print(f"   ok in {time.monotonic() - started:.1f}s", flush=True)
        except Exception as e:  # every failure is reported, then the next section runs
            failures.append(fn.__name__)
            here = [f for f in traceback.extract_tb(e.__traceback__)
                    if f.filename == __file__ and f.name not in HELPERS]
            at = f" (line {here[-1].lineno})" if here else ""
            print(f"FAILED {fn.__name__}{at}: {type(e).__name__}: {e}", flush=True)
            if not isinstance(e, AssertionError):
                traceback.print_exc(file=sys.stdout)
    if failures:
        print(f"imapclient: {len(failures)} of {len(SECTIONS)} sections failed: "
              f"{', '.join(failures)}")
        sys.exit(1)
    print(f"imapclient: all {len(SECTIONS)} sections passed")


if __name__ == "__main__":
    main()

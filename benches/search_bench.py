#!/usr/bin/env python3
"""SEARCH benchmark: Strata with its index, Strata by brute force, and Dovecot, side by side.

One run does everything, so that the three servers are compared on the same machine state:

 1. builds `target/release/strata` (`cargo build --release -p strata`, skip with --no-build);
 2. generates N messages (seeded, deterministic) into a spool file: English, Latin with
    diacritics, Thai, Arabic, Chinese and Japanese text; text/plain in 8bit, base64 and
    quoted-printable (UTF-8 and legacy charsets), multipart/alternative with HTML,
    multipart/mixed with an attachment; RFC 2047 Subject and From; 1-8 KB mostly, a few
    larger; flags; dates over 2026. Needles are planted at known rates, so the expected number
    of hits of every query is known;
 3. append throughput: loads the first --append-subset messages into fresh data dirs with the
    indexer running and with `[search] enabled = false`, alternating, --append-runs times each;
 4. loads all N messages into a fresh Strata (index on), waits until its indexer is idle,
    stops it, times `strata reindex`, and measures index bytes per byte of mail
    (`du -sb DIR/index` / `du -sb DIR/blobs`);
 5. starts a throw-away Dovecot (maildir, passwd-file, no FTS plugin: its default search) and
    loads the same messages in the same order;
 6. starts Strata twice on that data dir (index on; index off = brute force), checks all three
    hold N messages and that the index answers a rare needle, then runs every query once per
    server as a warm-up and --rounds times in alternating rounds (Strata-index, Strata-brute,
    Dovecot, next query ...). Hit counts must agree across the three servers and Strata's two
    UID sets must be identical; a mismatch is printed and makes the exit status 1;
 7. prints the table (median ms, Dovecot/index and brute/index ratios) and, with --markdown
    FILE, writes the same figures as a Markdown section.

Stdlib only (Python 3.11). Run as root (Dovecot is started as root with its own config, on a
free loopback port; the system's Dovecot is never touched).

usage: python3 benches/search_bench.py [--messages 100000] [--markdown FILE] [--keep]
"""
import argparse
import base64
import binascii
import datetime
import json
import math
import os
import platform
import pwd
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
USER, PASSWORD = "bench@example.org", "bench-password"
DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
BATCH = 200  # messages per MULTIAPPEND command


def log(*args):
    print(*args, flush=True)


# ---------------------------------------------------------------------------------------------
# Message generation
# ---------------------------------------------------------------------------------------------

ENGLISH = """the of and to in is that for it as was with be by on not he this are or his from at
which but have an they you were her she there been one all we their has would when if so no will
more about can out up them some could what into than then other time only two these may first
new like very any after where most made over did just people see use through such our back well
should because each work much before must good those way year day also down know project meeting
report budget quarter review schedule team update deadline proposal client invoice contract
office travel weekend family dinner coffee tomorrow yesterday morning evening please thanks
regards attached draft final version question answer agenda minutes summary details numbers
figures chart slides document server network storage backup release customer support ticket
issue""".split()
LATIN_WEST = """café crème brûlée déjà vu garçon façade naïve fiancée résumé élève hôpital forêt
château être très après où voilà bientôt réunion données année projet équipe prochaine semaine
société Straße Grüße schön über Müller Köln Bücher Mädchen Tür Käse fröhlich Größe Übung müssen
natürlich mañana año niño señor corazón canción información reunión pequeño árbol jamón español
también está coração ação não informação São Paulo João ontem amanhã obrigado""".split()
LATIN_CENTRAL = """żółw źdźbło łódź zażółć gęślą jaźń dziękuję spotkanie część Kraków Gdańsk
příliš žluťoučký kůň úpěl ďábelské ódy děkuji schůzka zítra dnes Brno čas Dvořák""".split()
THAI = """สวัสดี ครับ ค่ะ ขอบคุณ ประเทศไทย ภาษาไทย การประชุม รายงาน วันนี้ พรุ่งนี้ เมื่อวาน
โรงเรียน มหาวิทยาลัย นักศึกษา อาจารย์ กรุงเทพมหานคร เชียงใหม่ ภูเก็ต อาหาร ร้านกาแฟ โครงการ
งบประมาณ เอกสาร แนบ ไฟล์ ตรวจสอบ อนุมัติ ลูกค้า บริษัท พนักงาน ทีมงาน สัปดาห์ เดือน ปี เวลา
ช่วยเหลือ ข้อมูล ระบบ เครือข่าย กรุณา ติดต่อ กลับ ด่วน สำคัญ""".split()
ARABIC = """مرحبا السلام عليكم شكرا جزيلا الاجتماع التقرير الجامعة الطلاب الأستاذ اليوم غدا أمس
المشروع الميزانية الفريق الشركة العميل الوثيقة المرفق المراجعة الموعد الأسبوع الشهر القاهرة
الرياض دبي عمان بيروت الدار البيضاء القهوة العشاء العائلة الخادم الشبكة النسخة النهائية الرجاء
الرد عاجل مهم""".split()
CHINESE = """你好 谢谢 会议 报告 大学 学生 老师 今天 明天 昨天 项目 预算 团队 公司 客户 文件 附件
审核 时间 问题 北京 上海 广州 深圳 咖啡 晚饭 家人 服务器 网络 备份 版本 最终 请 回复 紧急 重要
下周 季度 合同 发票 出差 周末 安排 讨论 结果 数据 系统""".split()
JAPANESE = """こんにちは ありがとうございます よろしくお願いします 会議 報告書 大学 学生 先生 今日
明日 昨日 プロジェクト 予算 チーム 会社 お客様 資料 添付 確認 時間 質問 東京 大阪 京都 コーヒー
夕食 家族 サーバー ネットワーク バックアップ バージョン 最終 返信 至急 重要 来週 四半期 契約
請求書 出張 週末 予定 打ち合わせ 結果 データ システム""".split()

# script: (share of messages, vocabulary, token separator, wrap width in characters,
#          first names, last names, name order "fl" or "lf", name separator)
SCRIPTS = {
    "english": (0.30, ENGLISH, " ", 72,
                "John Mary James Patricia Robert Linda Michael Susan David Karen".split(),
                "Smith Johnson Williams Brown Jones Miller Davis Wilson Taylor Clark".split(),
                "fl", " "),
    "latin": (0.20, LATIN_WEST, " ", 72,
              "José François Zoë Jürgen Łukasz Inês Ségolène Bjørn Renée Agnieszka".split(),
              "Müller Dupré García Núñez Wójcik Novák Åkesson Gonçalves Brontë Lefèvre".split(),
              "fl", " "),
    "thai": (0.12, THAI, " ", 30,
             "สมชาย สมศักดิ์ สุดา มาลี วิชัย ประเสริฐ นภา ปิยะ".split(),
             "ใจดี ศรีสุข รักไทย วงศ์สวัสดิ์ แก้วมณี".split(), "fl", " "),
    "arabic": (0.12, ARABIC, " ", 36,
               "محمد أحمد فاطمة عائشة علي عمر ليلى يوسف".split(),
               "العلي الحسن المصري الخطيب حداد".split(), "fl", " "),
    "chinese": (0.13, CHINESE, "", 24,
                "小明 华 伟 洋 静 帆 磊 丽 杰 敏".split(), "王 李 张 刘 陈 杨 赵 黄 周 吴".split(),
                "lf", ""),
    "japanese": (0.13, JAPANESE, "", 24,
                 "花子 一郎 美咲 健太 さくら 翔 結衣 大輔".split(),
                 "佐藤 鈴木 高橋 田中 伊藤 渡辺 山本 中村".split(), "lf", " "),
}
DOMAINS = ["example.com", "example.net", "mail.example.org", "uni.example.ac.th",
           "corp.example.jp", "example.cn", "example.sa", "example.de"]
ZONES = ["+0000", "+0100", "+0200", "-0500", "-0800", "+0530", "+0700", "+0800", "+0900", "+0300"]
MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
DAYS = "Mon Tue Wed Thu Fri Sat Sun".split()

# Planted needles. Each is a whole token in the text; queries look for a part of it.
RARE_FORMS = ["Xenoplasmatique", "xenoplasmatique", "XENOPLASMATIQUE"]   # ~10 messages
THAI_NEEDLE = "ผีเสื้อสมุทร"          # ~1 %, query: a substring
CHINESE_NEEDLE = "鲸鱼观测站"          # ~1 %, query: a substring
ARABIC_NEEDLE = "الزعفرانية"           # ~1 %, query: a substring
WORD_FORMS = ["Überschallknall", "überschallknall", "ÜBERSCHALLKNALL"]  # ~1 %, body or Subject
NAME_NEEDLE = "Søren Kierkegård"       # ~5 % of From
SINCE = datetime.datetime(2026, 11, 1, tzinfo=datetime.timezone.utc)

# (label, search key text as shown, search key parts, expected-count key). A part that is a
# str is sent as an IMAP string (quoted if ASCII, else a literal); bytes are sent as they are.
QUERIES = [
    ("BODY rare", 'BODY "noplasmat"', [b"BODY", "noplasmat"], "rare"),
    ("BODY Thai", 'BODY "เสื้อสมุ"', [b"BODY", "เสื้อสมุ"], "thai"),
    ("BODY Chinese", 'BODY "鱼观测"', [b"BODY", "鱼观测"], "chinese"),
    ("TEXT Latin", 'TEXT "überschallknall"', [b"TEXT", "überschallknall"], "word"),
    ("TEXT Arabic", 'TEXT "زعفران"', [b"TEXT", "زعفران"], "arabic"),
    ("FROM name", 'FROM "kierkegå"', [b"FROM", "kierkegå"], "name"),
    ("mixed", 'UNSEEN SINCE 1-Nov-2026 BODY "鱼观测"',
     [b"UNSEEN SINCE 1-Nov-2026 BODY", "鱼观测"], "mixed"),
    # No text key: what walking the mailbox costs each server (context for the rows above).
    ("baseline", "UNSEEN", [b"UNSEEN"], "unseen"),
]
# Folded forms a filler text must not contain (else the expected counts would be wrong).
FORBIDDEN = ["noplasmat", "เสื้อสมุ", "鱼观测", "überschallknall", "زعفران", "kierkegå"]

FLAG_BITS = [(1, b"\\Seen"), (2, b"\\Flagged"), (4, b"\\Answered")]


def encode_word_b(text, charset="utf-8"):
    """RFC 2047 B encoded-words for `text`, each at most 75 octets, folded with CRLF SP."""
    words, chunk = [], ""
    for ch in text:
        if len((chunk + ch).encode(charset)) > 45:
            words.append(chunk)
            chunk = ""
        chunk += ch
    words.append(chunk)
    return "\r\n ".join(
        f"=?{charset}?B?{base64.b64encode(w.encode(charset)).decode()}?=" for w in words)


def encode_word_q(text, charset="utf-8"):
    """RFC 2047 Q encoded-words for `text`, each at most 75 octets, folded with CRLF SP."""
    def q(ch):
        out = ""
        for b in ch.encode(charset):
            c = chr(b)
            if c == " ":
                out += "_"
            elif c.isalnum() and b < 128:
                out += c
            else:
                out += f"={b:02X}"
        return out
    words, chunk = [], ""
    for ch in text:
        if len(chunk) + len(q(ch)) > 60:
            words.append(chunk)
            chunk = ""
        chunk += q(ch)
    words.append(chunk)
    return "\r\n ".join(f"=?{charset}?Q?{w}?=" for w in words)


def encode_header_text(rng, text):
    """Unstructured header text: as is if ASCII, else RFC 2047 (B or Q, UTF-8 or Latin-1)."""
    if text.isascii():
        return text
    r = rng.random()
    if r < 0.15:
        try:
            return encode_word_q(text, "iso-8859-1")
        except UnicodeEncodeError:
            pass
    return encode_word_b(text) if r < 0.65 else encode_word_q(text)


def wrap(tokens, sep, width):
    """Lines of at most `width` characters (a token is never split), paragraphs included."""
    lines, line = [], ""
    for t in tokens:
        if t == "\n":
            if line:
                lines.append(line)
            lines.append("")
            line = ""
            continue
        cand = line + sep + t if line else t
        if len(cand) > width and line:
            lines.append(line)
            line = t
        else:
            line = cand
    if line:
        lines.append(line)
    return lines


def body_tokens(rng, script, target_bytes):
    """Filler tokens of about `target_bytes` UTF-8 octets in `script`, with paragraph breaks."""
    _, vocab, sep, *_ = SCRIPTS[script]
    if script == "latin" and rng.random() < 0.3:
        vocab = LATIN_WEST + LATIN_CENTRAL
    avg = sum(len(w.encode()) for w in vocab) / len(vocab) + len(sep)
    n = max(20, int(target_bytes / avg))
    tokens = rng.choices(vocab, k=n)
    if script != "english":
        for i in rng.sample(range(n), n // 10):
            tokens[i] = rng.choice(ENGLISH)
    punct = {"chinese": "。", "japanese": "。"}.get(script, ".")
    i = rng.randint(20, 60)
    while i < n:
        tokens.insert(i, "\n")
        tokens[i - 1] = tokens[i - 1] + punct
        i += rng.randint(30, 90)
    return tokens


def qp(data):
    return binascii.b2a_qp(data, istext=True).replace(b"\n", b"\r\n")


def b64(data):
    return base64.encodebytes(data).replace(b"\n", b"\r\n")


def text_part(rng, script, text, html=False):
    """(headers, body) of one text part, with a random charset and transfer encoding."""
    sub = "html" if html else "plain"
    charset = "utf-8"
    legacy = {"latin": "iso-8859-1", "thai": "tis-620", "arabic": "windows-1256",
              "chinese": "gbk", "japanese": "iso-2022-jp"}.get(script)
    if legacy and rng.random() < 0.2:
        try:
            text.encode(legacy)
            charset = legacy
        except UnicodeEncodeError:
            pass
    data = text.encode(charset)
    if charset == "iso-2022-jp":
        cte = "7bit"
    elif data.isascii():
        cte = rng.choice(["7bit", "7bit", "quoted-printable", "base64"])
    else:
        cte = rng.choice(["8bit", "8bit", "quoted-printable", "base64"])
    if cte == "quoted-printable":
        body = qp(data.replace(b"\r\n", b"\n"))
    elif cte == "base64":
        body = b64(data)
    else:
        body = data
    head = (f"Content-Type: text/{sub}; charset={charset}\r\n"
            f"Content-Transfer-Encoding: {cte}\r\n").encode()
    return head, body


def make_message(seed, i, n_total):
    """(flag bits, internal date as epoch seconds, message octets, facts) of message i."""
    rng = random.Random(seed * 1_000_003 + i)
    r, script = rng.random(), "english"
    for name, spec in SCRIPTS.items():
        if r < spec[0]:
            script = name
            break
        r -= spec[0]
    _, vocab, sep, width, firsts, lasts, order, namesep = SCRIPTS[script]
    facts = {}

    # Sender: a name from the message's script (or the planted one), RFC 2047 when needed.
    if rng.random() < 0.05:
        name, addr = NAME_NEEDLE, "soren.kierkegaard@example.dk"
        facts["name"] = True
    else:
        f, l = rng.choice(firsts), rng.choice(lasts)
        name = f + namesep + l if order == "fl" else l + namesep + f
        addr = f"sender{rng.randrange(4000)}@{rng.choice(DOMAINS)}"
    from_hdr = (f'"{name}" <{addr}>' if name.isascii()
                else f"{encode_header_text(rng, name)} <{addr}>")

    # Dates: the Date header in some zone, INTERNALDATE at +0000 between 02:00 and 21:59 so
    # that a server in any nearby zone sees the same calendar day.
    day = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc) + datetime.timedelta(
        days=rng.randrange(365), seconds=rng.randrange(2 * 3600, 22 * 3600))
    zone = rng.choice(ZONES)
    offset = datetime.timedelta(hours=int(zone[1:3]), minutes=int(zone[3:5]))
    local = day + (offset if zone[0] == "+" else -offset) - datetime.timedelta(
        minutes=rng.randrange(1, 30))
    date_hdr = (f"{DAYS[local.weekday()]}, {local.day:02d} {MONTHS[local.month - 1]} "
                f"{local.year} {local:%H:%M:%S} {zone}")

    flags = 0
    if rng.random() < 0.7:
        flags |= 1
    if rng.random() < 0.05:
        flags |= 2
    if rng.random() < 0.1:
        flags |= 4

    # Size and shape.
    r = rng.random()
    if r < 0.88:
        target = math.exp(rng.uniform(math.log(600), math.log(4500)))
    elif r < 0.98:
        target = rng.uniform(4500, 12000)
    else:
        target = rng.uniform(12000, 40000)
    r = rng.random()
    shape = ("plain" if r < 0.72 else "alternative" if r < 0.92 else "mixed")
    attachment = 0
    if shape == "mixed":
        attachment = int(math.exp(rng.uniform(math.log(2000), math.log(20000))))
    if rng.random() < 0.001:
        shape, attachment = "mixed", rng.randint(100_000, 800_000)

    while True:
        tokens = body_tokens(rng, script, target)
        folded = (sep.join(tokens)).lower()
        if not any(f in folded for f in FORBIDDEN):
            break
    subject_tokens = rng.choices(vocab, k=rng.randint(3, 9))

    # Plant the needles.
    def plant(token):
        tokens.insert(rng.randrange(len(tokens) + 1), token)
    if rng.random() < 10 / n_total:
        plant(rng.choice(RARE_FORMS))
        facts["rare"] = True
    if rng.random() < 0.01:
        plant(THAI_NEEDLE)
        facts["thai"] = True
    if rng.random() < 0.01:
        plant(CHINESE_NEEDLE)
        facts["chinese"] = True
    if rng.random() < 0.01:
        plant(ARABIC_NEEDLE)
        facts["arabic"] = True
    if rng.random() < 0.01:
        form = rng.choice(WORD_FORMS)
        if rng.random() < 0.3:
            subject_tokens.insert(rng.randrange(len(subject_tokens) + 1), form)
        else:
            plant(form)
        facts["word"] = True
    facts["unseen"] = not flags & 1
    if facts.get("chinese") and not flags & 1 and day >= SINCE:
        facts["mixed"] = True

    subject = (" " if sep == "" and script == "japanese" else sep).join(subject_tokens)
    if rng.random() < 0.2:
        subject = "Re: " + subject
    greeting = {"english": "Hello,", "latin": "Bonjour,", "thai": "เรียน คุณ,",
                "arabic": "عزيزي،", "chinese": "您好，", "japanese": "お世話になっております。"}[script]
    lines = [greeting, ""] + wrap(tokens, sep, width) + ["", "--", name]
    text = "\n".join(lines) + "\n"

    head = (f"Message-ID: <{i}.{seed}@bench.example>\r\n"
            f"Date: {date_hdr}\r\n"
            f"From: {from_hdr}\r\n"
            f"To: Bench <bench@example.org>\r\n"
            f"Subject: {encode_header_text(rng, subject)}\r\n"
            f"MIME-Version: 1.0\r\n").encode()
    crlf_text = text.replace("\n", "\r\n")
    if shape == "plain":
        ph, pb = text_part(rng, script, crlf_text)
        msg = head + ph + b"\r\n" + pb
    else:
        boundary = f"=_bench_{i}_{rng.randrange(1 << 30):x}"
        if shape == "alternative":
            html = "<html><body>\r\n" + "".join(
                f"<p>{line}</p>\r\n" if line else "\r\n" for line in lines) + "</body></html>\r\n"
            parts = [text_part(rng, script, crlf_text), text_part(rng, script, html, html=True)]
        else:
            ext = rng.choice(["pdf", "zip", "png"])
            ctype = {"pdf": "application/pdf", "zip": "application/zip", "png": "image/png"}[ext]
            att = (f"Content-Type: {ctype}; name=\"file-{i}.{ext}\"\r\n"
                   f"Content-Disposition: attachment; filename=\"file-{i}.{ext}\"\r\n"
                   f"Content-Transfer-Encoding: base64\r\n").encode()
            parts = [text_part(rng, script, crlf_text), (att, b64(rng.randbytes(attachment)))]
        msg = head + (f"Content-Type: multipart/{shape}; boundary=\"{boundary}\"\r\n\r\n"
                      f"This is a multi-part message in MIME format.\r\n").encode()
        for ph, pb in parts:
            msg += f"\r\n--{boundary}\r\n".encode() + ph + b"\r\n" + pb
        msg += f"\r\n--{boundary}--\r\n".encode()
    facts["script"], facts["shape"] = script, shape
    return flags, int(day.timestamp()), msg, facts


def generate(path, n, seed):
    """Writes the spool file (records: "LEN FLAGS EPOCH\\n" + octets); returns the stats."""
    stats = {"messages": n, "bytes": 0, "expected": {q[3]: 0 for q in QUERIES},
             "scripts": {}, "shapes": {}, "max_size": 0}
    with open(path, "wb") as f:
        for i in range(n):
            flags, epoch, msg, facts = make_message(seed, i, n)
            f.write(b"%d %d %d\n" % (len(msg), flags, epoch))
            f.write(msg)
            stats["bytes"] += len(msg)
            stats["max_size"] = max(stats["max_size"], len(msg))
            for k in stats["expected"]:
                stats["expected"][k] += bool(facts.get(k))
            stats["scripts"][facts["script"]] = stats["scripts"].get(facts["script"], 0) + 1
            stats["shapes"][facts["shape"]] = stats["shapes"].get(facts["shape"], 0) + 1
    return stats


def spool(path, limit=None):
    """Yields (flags, internal date, octets) from the spool file, one message at a time."""
    with open(path, "rb") as f:
        k = 0
        while limit is None or k < limit:
            head = f.readline()
            if not head:
                return
            size, flags, epoch = map(int, head.split())
            yield flags, epoch, f.read(size)
            k += 1


def imap_date(epoch):
    d = datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc)
    return f"{d.day:02d}-{MONTHS[d.month - 1]}-{d.year} {d:%H:%M:%S} +0000".encode()


# ---------------------------------------------------------------------------------------------
# IMAP client
# ---------------------------------------------------------------------------------------------

class Imap:
    """A minimal IMAP client: one connection, tagged commands with LITERAL+ literals."""

    def __init__(self, port, user=USER, password=PASSWORD):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=3600)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.rfile = self.sock.makefile("rb", buffering=1 << 16)
        self.n = 0
        greeting = self.readline()
        if not greeting.startswith(b"* OK"):
            raise RuntimeError(f"greeting: {greeting!r}")
        self.run([b"LOGIN", user, password])

    def readline(self):
        line = self.rfile.readline()
        if not line:
            raise RuntimeError("connection closed by the server")
        while True:
            m = re.search(rb"\{(\d+)\+?\}\r\n$", line)
            if not m:
                return line.rstrip(b"\r\n")
            line += self.rfile.read(int(m.group(1))) + self.rfile.readline()

    @staticmethod
    def encode(parts):
        out = []
        for p in parts:
            if isinstance(p, bytes):
                out.append(p)
            elif p.isascii() and '"' not in p and "\\" not in p:
                out.append(b'"' + p.encode() + b'"')
            else:
                data = p.encode()
                out.append(b"{%d+}\r\n" % len(data) + data)
        return b" ".join(out)

    def run(self, parts, raw=None):
        """Sends one command (parts joined by spaces, or `raw` octets after the tag);
        returns (untagged lines, tagged line); raises unless the tagged answer is OK."""
        self.n += 1
        tag = b"b%d" % self.n
        self.sock.sendall(tag + b" " + (raw if raw is not None else self.encode(parts)) + b"\r\n")
        untagged = []
        while True:
            line = self.readline()
            if line.startswith(tag + b" "):
                if not line.startswith(tag + b" OK"):
                    shown = raw[:200] if raw is not None else self.encode(parts)[:200]
                    raise RuntimeError(f"{shown!r} -> {line!r}")
                return untagged, line
            untagged.append(line)

    def uid_search(self, parts):
        untagged, _ = self.run([b"UID SEARCH CHARSET UTF-8"] + parts)
        uids = []
        for line in untagged:
            if line.startswith(b"* SEARCH"):
                uids.extend(int(x) for x in line[8:].split())
        return uids

    def messages(self):
        untagged, _ = self.run([b"STATUS INBOX (MESSAGES)"])
        for line in untagged:
            m = re.search(rb"MESSAGES (\d+)", line)
            if line.startswith(b"* STATUS") and m:
                return int(m.group(1))
        raise RuntimeError(f"no STATUS answer: {untagged!r}")

    def append_all(self, path, limit=None):
        """MULTIAPPENDs the spool to INBOX, BATCH messages per command; returns seconds."""
        t0 = time.perf_counter()
        batch = []

        def flush():
            cmd = [b"APPEND INBOX"]
            for flags, epoch, data in batch:
                names = b" ".join(name for bit, name in FLAG_BITS if flags & bit)
                cmd.append(b"(" + names + b") \"" + imap_date(epoch) + b"\" {%d+}\r\n" % len(data)
                           + data)
            self.run(None, raw=b" ".join(cmd))
            batch.clear()
        for rec in spool(path, limit):
            batch.append(rec)
            if len(batch) == BATCH:
                flush()
        if batch:
            flush()
        return time.perf_counter() - t0

    def close(self):
        try:
            self.run([b"LOGOUT"])
        except (RuntimeError, OSError):
            pass
        self.sock.close()


# ---------------------------------------------------------------------------------------------
# Servers
# ---------------------------------------------------------------------------------------------

def cpu_seconds(pid):
    """User + system CPU seconds of a process and its threads."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def wait_idle(pid, quiet=3.0, timeout=1800.0):
    """Waits until the process used < 2 % of a core for `quiet` seconds; returns the seconds
    waited, or None after `timeout`."""
    t0 = time.monotonic()
    last, last_t, calm_since = cpu_seconds(pid), time.monotonic(), None
    while time.monotonic() - t0 < timeout:
        time.sleep(0.5)
        now, now_t = cpu_seconds(pid), time.monotonic()
        busy = (now - last) / (now_t - last_t)
        last, last_t = now, now_t
        if busy < 0.02:
            calm_since = calm_since or now_t
            if now_t - calm_since >= quiet:
                return calm_since - t0
        else:
            calm_since = None
    return None


def file_bytes(path):
    """Sum of the sizes of the regular files under `path` (no directory entries)."""
    total = 0
    for root, _, files in os.walk(path):
        for f in files:
            total += os.lstat(os.path.join(root, f)).st_size
    return total


def du(path):
    if not os.path.exists(path):
        return 0
    return int(subprocess.run(["du", "-sb", path], check=True, capture_output=True,
                              text=True).stdout.split()[0])


class Strata:
    """`strata serve` on ephemeral loopback ports; stopped with SIGINT (its Ctrl-C path)."""

    def __init__(self, binary, data_dir, log_path, config=None):
        args = [binary, "serve", "--data-dir", data_dir,
                "--imap", "127.0.0.1:0", "--imaps", "127.0.0.1:0"]
        if config:
            args += ["--config", config]
        self.log = open(log_path, "ab")
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=self.log)
        self.port = None
        for line in self.proc.stdout:
            line = line.decode(errors="replace")
            if line.strip().startswith("imap "):
                self.port = int(line.split()[1].rsplit(":", 1)[1])
            if line.startswith("Add a user"):
                break
        if not self.port:
            self.proc.kill()
            raise RuntimeError(f"strata serve did not print its port; see {log_path}")
        threading.Thread(target=self.proc.stdout.read, daemon=True).start()

    def stop(self, odd):
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(timeout=120)
        except subprocess.TimeoutExpired:
            odd.append(f"strata serve (pid {self.proc.pid}) did not stop within 120 s of "
                       "SIGINT; killed")
            self.proc.kill()
            self.proc.wait()
        self.log.close()


def strata_user_add(binary, data_dir):
    subprocess.run([binary, "user", "add", USER, "--password-stdin", "--data-dir", data_dir],
                   input=PASSWORD + "\n", text=True, check=True, stdout=subprocess.DEVNULL)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Dovecot:
    """A throw-away Dovecot (the recipe of tests/corpus/dovecot_capture.py): own config and
    base_dir under `tmp`, a passwd-file user, maildir, default search (no FTS plugin)."""

    def __init__(self, tmp):
        if not os.path.exists(DOVECOT):
            sys.exit("dovecot is not installed (apt-get install -y dovecot-imapd)")
        nobody = pwd.getpwnam("nobody")
        self.port = free_port()
        self.tmp = tmp
        for d in ("run", "mail", "home"):
            os.makedirs(os.path.join(tmp, d), exist_ok=True)
        for d in ("mail", "home"):
            os.chown(os.path.join(tmp, d), nobody.pw_uid, nobody.pw_gid)
        with open(os.path.join(tmp, "passwd"), "w") as f:
            f.write(f"{USER}:{{PLAIN}}{PASSWORD}::::::\n")
        conf = os.path.join(tmp, "dovecot.conf")
        with open(conf, "w") as f:
            f.write(f"""
base_dir = {tmp}/run
state_dir = {tmp}/run/state
instance_name = strata-search-bench-{self.port}
listen = 127.0.0.1
protocols = imap
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain
log_path = {tmp}/dovecot.log
first_valid_uid = 1
mail_location = maildir:{tmp}/mail/%n
passdb {{
  driver = passwd-file
  args = {tmp}/passwd
}}
userdb {{
  driver = static
  args = uid={nobody.pw_uid} gid={nobody.pw_gid} home={tmp}/home/%n
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
        self.proc = subprocess.Popen([DOVECOT, "-F", "-c", conf])
        deadline = time.time() + 20
        while time.time() < deadline:
            if self.proc.poll() is not None:
                sys.exit(f"dovecot exited with {self.proc.returncode}; see {tmp}/dovecot.log")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.1)
        self.proc.terminate()
        sys.exit("dovecot did not start listening within 20 s")

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


# ---------------------------------------------------------------------------------------------
# The run
# ---------------------------------------------------------------------------------------------

def machine(built):
    model = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem_kb = int(f.readline().split()[1])
    dv = subprocess.run([DOVECOT, "--version"], capture_output=True, text=True).stdout.strip()
    commit = subprocess.run(["git", "-C", REPO, "rev-parse", "--short", "HEAD"],
                            capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "-C", REPO, "status", "--porcelain", "--untracked-files=no"],
                           capture_output=True, text=True).stdout.strip()
    return {"nproc": os.cpu_count(), "mem_gib": mem_kb / 1024 / 1024, "model": model,
            "kernel": platform.release(), "python": platform.python_version(),
            "dovecot": dv, "commit": commit + ("+uncommitted changes" if dirty else "")
            + ("" if built else " (tree at run time; the binary was not built by this run)")}


def fmt_rate(n, secs, nbytes):
    return f"{n / secs:,.0f} msg/s ({nbytes / secs / 1e6:.1f} MB/s, {secs:.1f} s)"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--messages", type=int, default=100_000, help="mailbox size (100000)")
    ap.add_argument("--seed", type=int, default=1, help="generator seed (1)")
    ap.add_argument("--rounds", type=int, default=9, help="timed runs per query and server (9)")
    ap.add_argument("--append-subset", type=int, default=20_000,
                    help="messages per append-throughput load, 0 to skip (20000)")
    ap.add_argument("--append-runs", type=int, default=2,
                    help="loads per mode (index on/off, alternating) (2)")
    ap.add_argument("--no-build", action="store_true", help="use the existing release binary")
    ap.add_argument("--strata", default=os.path.join(REPO, "target", "release", "strata"),
                    help="the strata binary")
    ap.add_argument("--workdir", help="where data dirs go (default: a new temp dir)")
    ap.add_argument("--keep", action="store_true", help="keep the work dir")
    ap.add_argument("--markdown", help="also write the results as a Markdown section here")
    args = ap.parse_args()
    command = "python3 benches/search_bench.py " + " ".join(sys.argv[1:])
    started = datetime.datetime.now(datetime.timezone.utc)
    odd = []  # Strata oddities noticed on the way, reported at the end
    mismatches = []

    if os.geteuid() != 0:
        sys.exit("run as root: Dovecot is started as root with its own config")
    if not args.no_build:
        log("== cargo build --release -p strata")
        subprocess.run(["cargo", "build", "--release", "-p", "strata"], cwd=REPO, check=True)
    work = args.workdir or tempfile.mkdtemp(prefix="strata-search-bench-")
    os.makedirs(work, exist_ok=True)
    os.chmod(work, 0o755)  # Dovecot's mail processes run as nobody
    log(f"work dir {work}")
    # A private copy, so that a build during the run cannot swap the binary between stages.
    binary = os.path.join(work, "strata-bin")
    shutil.copy2(args.strata, binary)
    results = {"machine": machine(not args.no_build), "command": command,
               "date": started.isoformat()}
    servers = []
    try:
        # 1. Messages.
        n = args.messages
        path = os.path.join(work, "spool")
        log(f"== generating {n} messages (seed {args.seed})")
        t0 = time.perf_counter()
        stats = generate(path, n, args.seed)
        results["generate_secs"] = time.perf_counter() - t0
        results["stats"] = stats
        log(f"   {stats['bytes'] / 1e6:.1f} MB in {results['generate_secs']:.1f} s; "
            f"largest {stats['max_size']:,} B; scripts {stats['scripts']}; "
            f"shapes {stats['shapes']}; planted {stats['expected']}")
        no_index = os.path.join(work, "no-index.toml")
        with open(no_index, "w") as f:
            f.write("[search]\nenabled = false\n")

        # 2. Append throughput, index on and off, alternating.
        sub = min(args.append_subset, n)
        sub_bytes = sum(len(d) for _, _, d in spool(path, sub))
        results["append"] = {"messages": sub, "bytes": sub_bytes, "on": [], "off": []}
        for run in range(args.append_runs if sub else 0):
            for mode in ("off", "on"):
                d = os.path.join(work, f"append-{mode}-{run}")
                strata_user_add(binary, d)
                srv = Strata(binary, d, os.path.join(work, f"append-{mode}-{run}.log"),
                             no_index if mode == "off" else None)
                servers.append(srv)
                c = Imap(srv.port)
                secs = c.append_all(path, sub)
                got = c.messages()
                c.close()
                if got != sub:
                    mismatches.append(f"append-{mode}-{run}: INBOX holds {got}, expected {sub}")
                results["append"][mode].append(secs)
                log(f"== append {sub} messages, index {mode}: {fmt_rate(sub, secs, sub_bytes)}")
                if mode == "on":
                    idle = wait_idle(srv.proc.pid, timeout=1800)
                    results["append"].setdefault("catchup", []).append(idle)
                    log(f"   indexer idle {idle:.1f} s after the last APPEND" if idle is not None
                        else "   indexer still busy after 1800 s")
                srv.stop(odd)
                servers.remove(srv)
                shutil.rmtree(d)

        # 3. The full mailbox in Strata, index on; then reindex with the server stopped.
        data = os.path.join(work, "strata")
        strata_user_add(binary, data)
        srv = Strata(binary, data, os.path.join(work, "strata-load.log"))
        servers.append(srv)
        c = Imap(srv.port)
        secs = c.append_all(path)
        c.close()
        results["strata_load_secs"] = secs
        log(f"== Strata (index on) load {n}: {fmt_rate(n, secs, stats['bytes'])}")
        idle = wait_idle(srv.proc.pid, timeout=3600)
        results["strata_catchup_secs"] = idle
        log(f"   indexer idle {idle:.1f} s after the last APPEND" if idle is not None
            else "   indexer still busy after 3600 s")
        srv.stop(odd)
        servers.remove(srv)
        t0 = time.perf_counter()
        out = subprocess.run([binary, "reindex", "--data-dir", data], capture_output=True,
                             text=True)
        results["reindex_secs"] = time.perf_counter() - t0
        results["reindex_output"] = (out.stdout + out.stderr).strip()
        log(f"== strata reindex: {results['reindex_secs']:.1f} s: {results['reindex_output']}")
        if out.returncode != 0:
            odd.append(f"`strata reindex --data-dir DIR` exited {out.returncode}: "
                       f"{results['reindex_output']}")
        m = re.search(r"reindexed \S+: (\d+) bodies", out.stdout)
        if m and int(m.group(1)) != n:
            odd.append(f"`strata reindex` printed {m.group(0)!r} for {n} distinct messages")
        sizes = {k: du(os.path.join(data, k)) for k in ("index", "blobs")}
        sizes["index_files"] = file_bytes(os.path.join(data, "index"))
        sizes["blobs_files"] = file_bytes(os.path.join(data, "blobs"))
        sizes["blobs_dirs"] = sum(len(d) for _, d, _ in os.walk(os.path.join(data, "blobs")))
        sizes["meta.db"] = sum(du(os.path.join(data, f)) for f in os.listdir(data)
                               if f.startswith("meta.db"))
        results["sizes"] = sizes
        ratio = sizes["index"] / sizes["blobs"] if sizes["blobs"] else float("nan")
        results["index_per_byte"] = ratio
        results["index_per_file_byte"] = sizes["index_files"] / max(1, sizes["blobs_files"])
        log(f"   du -sb: index {sizes['index']:,} B, blobs {sizes['blobs']:,} B "
            f"({sizes['blobs_files']:,} B in files, the rest is {sizes['blobs_dirs']:,} "
            f"directories), meta.db {sizes['meta.db']:,} B -> {ratio:.3f} index bytes per "
            f"byte of mail ({results['index_per_file_byte']:.3f} counting file bytes only)")

        # 4. Dovecot with the same messages, in the same order.
        dove = Dovecot(os.path.join(work, "dovecot"))
        servers.append(dove)
        c = Imap(dove.port)
        secs = c.append_all(path)
        results["dovecot_load_secs"] = secs
        log(f"== Dovecot load {n}: {fmt_rate(n, secs, stats['bytes'])}")
        t0 = time.perf_counter()
        c.run([b"SELECT INBOX"])
        log(f"   first SELECT {time.perf_counter() - t0:.2f} s")
        c.close()
        results["dovecot_maildir_bytes"] = du(os.path.join(work, "dovecot", "mail"))

        # 5. The three servers, side by side.
        s_index = Strata(binary, data, os.path.join(work, "strata-index.log"))
        servers.append(s_index)
        s_brute = Strata(binary, data, os.path.join(work, "strata-brute.log"), no_index)
        servers.append(s_brute)
        conns = {"Strata-index": Imap(s_index.port), "Strata-brute": Imap(s_brute.port),
                 "Dovecot": Imap(dove.port)}
        for name, conn in conns.items():
            got = conn.messages()
            if got != n:
                mismatches.append(f"{name}: INBOX holds {got} messages, expected {n}")
            conn.run([b"EXAMINE INBOX"])
        # The index must have caught up: the rare needle answers, and the server is idle.
        rare = QUERIES[0]
        deadline = time.monotonic() + 600
        while True:
            got = len(conns["Strata-index"].uid_search(rare[2]))
            if got == stats["expected"]["rare"] or time.monotonic() > deadline:
                break
            time.sleep(1)
        if got != stats["expected"]["rare"]:
            odd.append(f"index-on server: {rare[1]} gave {got} hits after 600 s, "
                       f"{stats['expected']['rare']} planted")
        wait_idle(s_index.proc.pid, timeout=600)

        order = list(conns)
        times = {(q[0], s): [] for q in QUERIES for s in order}
        answers = {}
        log(f"== queries: 1 warm-up + {args.rounds} rounds, order {', '.join(order)}")
        t_queries = time.perf_counter()
        for rnd in range(args.rounds + 1):
            for label, shown, parts, _ in QUERIES:
                for s in order:
                    t0 = time.perf_counter()
                    uids = conns[s].uid_search(parts)
                    dt = time.perf_counter() - t0
                    key = (label, s)
                    if rnd == 0:
                        answers[key] = uids
                    else:
                        times[key].append(dt)
                        if uids != answers[key]:
                            mismatches.append(f"{s} {shown}: round {rnd} answered "
                                              f"{len(uids)} UIDs, warm-up {len(answers[key])}")
            log(f"   {'warm-up' if rnd == 0 else f'round {rnd}/{args.rounds}'} done at "
                f"{time.perf_counter() - t_queries:.0f} s")
        for c in conns.values():
            c.close()

        # 6. Checks and the table.
        rows = []
        for label, shown, parts, exp_key in QUERIES:
            counts = {s: len(answers[(label, s)]) for s in order}
            if len(set(counts.values())) != 1:
                mismatches.append(f"{shown}: hit counts differ: {counts}")
            if sorted(answers[(label, "Strata-index")]) != sorted(answers[(label, "Strata-brute")]):
                a, b = set(answers[(label, "Strata-index")]), set(answers[(label, "Strata-brute")])
                mismatches.append(f"{shown}: Strata-index and Strata-brute UID sets differ "
                                  f"(only index: {sorted(a - b)[:10]}, only brute: "
                                  f"{sorted(b - a)[:10]})")
            same_uids = set(answers[(label, "Strata-index")]) == set(answers[(label, "Dovecot")])
            med = {s: statistics.median(times[(label, s)]) * 1000 for s in order}
            rng_ms = {s: (min(times[(label, s)]) * 1000, max(times[(label, s)]) * 1000)
                      for s in order}
            rows.append({"label": label, "query": shown, "hits": counts,
                         "planted": stats["expected"][exp_key], "same_uids_as_dovecot": same_uids,
                         "median_ms": med, "range_ms": rng_ms,
                         "dovecot_over_index": med["Dovecot"] / med["Strata-index"],
                         "brute_over_index": med["Strata-brute"] / med["Strata-index"]})
            if counts["Strata-index"] != stats["expected"][exp_key]:
                log(f"   note: {shown}: {counts['Strata-index']} hits, "
                    f"{stats['expected'][exp_key]} planted")
        results["queries"] = rows
        log("   min-max ms per server: " + "; ".join(
            f"{row['label']}: " + ", ".join(f"{s} {lo:.0f}-{hi:.0f}"
                                           for s, (lo, hi) in row["range_ms"].items())
            for row in rows))
    finally:
        for srv in reversed(servers):
            if isinstance(srv, Strata):
                srv.stop(odd)
            else:
                srv.stop()
        if not args.keep and not args.workdir:
            shutil.rmtree(work, ignore_errors=True)
        elif args.keep:
            log(f"kept {work}")

    results["odd"], results["mismatches"] = odd, mismatches
    md = markdown(results, args)
    log("\n" + md)
    if args.markdown:
        with open(args.markdown, "w") as f:
            f.write(md)
        with open(args.markdown + ".json", "w") as f:
            json.dump(results, f, indent=1, default=str)
    if mismatches:
        log("MISMATCHES:\n  " + "\n  ".join(mismatches))
        sys.exit(1)


def markdown(r, args):
    m, st = r["machine"], r["stats"]
    a = r["append"]
    lines = [
        f"## SEARCH: Strata index vs. Strata brute force vs. Dovecot ({st['messages']:,} messages)",
        "",
        f"Measured {r['date'][:16].replace('T', ' ')} UTC on {m['nproc']} cores "
        f"({m['model']}), {m['mem_gib']:.1f} GiB RAM, Linux {m['kernel']}; Strata "
        f"{m['commit']}, {m['dovecot']} (maildir, default search, no FTS plugin), "
        f"Python {m['python']}.",
        "",
        "```sh",
        r["command"].strip(),
        "```",
        "",
        f"Mailbox: {st['messages']:,} generated messages, {st['bytes'] / 1e6:.0f} MB "
        f"(largest {st['max_size'] / 1e6:.2f} MB); scripts "
        + ", ".join(f"{k} {v:,}" for k, v in st["scripts"].items())
        + "; shapes " + ", ".join(f"{k} {v:,}" for k, v in st["shapes"].items()) + ".",
        "",
        f"Median of {args.rounds} runs per query and server (after one warm-up), rounds "
        "alternating between the servers; `UID SEARCH CHARSET UTF-8 <query>` on INBOX, "
        "milliseconds from sending the command to reading its tagged OK:",
        "",
        "| query | hits | Strata-index ms | Strata-brute ms | Dovecot ms "
        "| Dovecot / index | brute / index |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for row in r.get("queries", []):
        med = row["median_ms"]
        hits = row["hits"]["Strata-index"]
        if len(set(row["hits"].values())) != 1:
            hits = " / ".join(str(v) for v in row["hits"].values())
        lines.append(
            f"| `{row['query']}` | {hits} | {med['Strata-index']:.1f} | "
            f"{med['Strata-brute']:.1f} | {med['Dovecot']:.1f} | "
            f"{row['dovecot_over_index']:.1f}× | {row['brute_over_index']:.1f}× |")
    lines.append("")
    if a["on"]:
        on, off = statistics.median(a["on"]), statistics.median(a["off"])
        catchup = [x for x in a.get("catchup", []) if x is not None]
        lines.append(
            f"APPEND throughput ({a['messages']:,} messages, {a['bytes'] / 1e6:.0f} MB into a "
            f"fresh data dir, MULTIAPPEND of {BATCH} per command, one connection, median of "
            f"{len(a['on'])} loads each): indexer on {a['messages'] / on:,.0f} msg/s, "
            f"`[search] enabled = false` {a['messages'] / off:,.0f} msg/s "
            f"({abs(1 - off / on) * 100:.0f} % {'lower' if on >= off else 'higher'} with the "
            "indexer"
            + (f"; the indexer was idle {statistics.median(catchup):.1f} s after the last APPEND"
               if catchup else "")
            + ").")
        lines.append("")
    n = st["messages"]
    lines.append(
        f"Full load of {n:,} messages: Strata (indexer on) "
        f"{n / r['strata_load_secs']:,.0f} msg/s, Dovecot {n / r['dovecot_load_secs']:,.0f} msg/s. "
        + (f"Strata's indexer was idle {r['strata_catchup_secs']:.0f} s after the last APPEND. "
           if r.get("strata_catchup_secs") is not None else "")
        + f"`strata reindex` (server stopped): {r['reindex_secs']:.1f} s "
        f"(`{r['reindex_output']}`).")
    lines.append("")
    s = r["sizes"]
    lines.append(
        f"Index size: `du -sb DIR/index` {s['index'] / 1e6:.1f} MB for `DIR/blobs` "
        f"{s['blobs'] / 1e6:.1f} MB = **{r['index_per_byte']:.2f} index bytes per byte of mail**; "
        f"`du -sb` counts {s['blobs_dirs']:,} blob directories at 4 KiB each: the files alone "
        f"are {s['index_files'] / 1e6:.1f} MB of index for {s['blobs_files'] / 1e6:.1f} MB of "
        f"bodies = {r['index_per_file_byte']:.2f} (meta.db {s['meta.db'] / 1e6:.1f} MB; "
        f"Dovecot's maildir with its index files {r['dovecot_maildir_bytes'] / 1e6:.1f} MB).")
    if r["mismatches"] or r["odd"]:
        lines += ["", "Problems seen in this run:", ""]
        lines += [f"- {x}" for x in r["mismatches"] + r["odd"]]
    lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    main()

//! FETCH of large items, which the server streams from the blob store chunk by chunk (issue
//! 18): the bytes on the wire are exactly the response RFC 9051 and RFC 3516 prescribe, for
//! stored octets, decoded base64 and quoted-printable, partial ranges and repeated items.

use crate::client::{Client, Fixture};
use base64::Engine;

/// Deterministic noise with every octet value, NUL, CR and LF included.
fn noise(n: usize, mut seed: u32) -> Vec<u8> {
    (0..n)
        .map(|_| {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            (seed >> 24) as u8
        })
        .collect()
}

/// A message whose parts 2 (base64), 3 (binary, with NUL) and 4 (quoted-printable) are each
/// larger than the server's streaming threshold (64 KiB); with the decoded contents.
struct Big {
    raw: Vec<u8>,
    attachment: Vec<u8>,
    binary: Vec<u8>,
    /// Part 4 as stored, and decoded.
    qp: Vec<u8>,
    qp_decoded: Vec<u8>,
}

fn big() -> Big {
    let attachment = noise(200_000, 7);
    let encoded = base64::engine::general_purpose::STANDARD.encode(&attachment);
    let lines: Vec<&str> = encoded
        .as_bytes()
        .chunks(76)
        .map(|c| std::str::from_utf8(c).unwrap())
        .collect();
    let binary = noise(100_000, 11);
    let qp_unit = "caf=C3=A9 =3D soft=\r\nbreak and trailing blanks  \r\n";
    let qp = qp_unit.repeat(4000).into_bytes();
    let qp_decoded = "café = softbreak and trailing blanks\r\n"
        .repeat(4000)
        .into_bytes();
    let b = "=_strata_large_fetch_boundary_=";
    let mut raw = format!(
        "From: a@example.org\r\nSubject: large\r\nMIME-Version: 1.0\r\n\
         Content-Type: multipart/mixed; boundary=\"{b}\"\r\n\r\n\
         --{b}\r\nContent-Type: text/plain\r\n\r\nhello\r\n\
         --{b}\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\n\
         {}\r\n--{b}\r\nContent-Type: application/octet-stream\r\n\
         Content-Transfer-Encoding: binary\r\n\r\n",
        lines.join("\r\n")
    )
    .into_bytes();
    raw.extend_from_slice(&binary);
    raw.extend_from_slice(
        format!(
            "\r\n--{b}\r\nContent-Type: text/plain; charset=utf-8\r\n\
             Content-Transfer-Encoding: quoted-printable\r\n\r\n{}\r\n--{b}--\r\n",
            String::from_utf8_lossy(&qp)
        )
        .as_bytes(),
    );
    Big {
        raw,
        attachment,
        binary,
        qp,
        qp_decoded,
    }
}

/// BODY octets as the server writes them in a literal: NUL replaced by 0x80.
fn body_octets(b: &[u8]) -> Vec<u8> {
    b.iter().map(|&c| if c == 0 { 0x80 } else { c }).collect()
}

async fn append_big(a: &mut Client, raw: &[u8]) {
    a.raw(format!("x APPEND INBOX ~{{{}+}}\r\n", raw.len()).as_bytes())
        .await;
    a.raw(raw).await;
    a.raw(b"\r\n").await;
    let r = a.until("x").await;
    assert!(r.last().unwrap().starts_with("x OK"), "{r:?}");
}

#[tokio::test]
async fn large_items_are_streamed_exactly() {
    let f = Fixture::new().await;
    let mut a = f.login().await;
    let big = big();
    append_big(&mut a, &big.raw).await;
    a.ok("SELECT INBOX").await;
    a.raw(
        b"f FETCH 1 (BODY.PEEK[] BINARY.PEEK[2] BINARY.SIZE[2] BINARY.PEEK[3] \
          BODY.PEEK[3]<10.70000> BINARY.PEEK[4] BINARY.PEEK[2]<1000.5000> BINARY.SIZE[4] \
          BODY.PEEK[4]<140000.100000> RFC822.SIZE)\r\n",
    )
    .await;
    let got = a.raw_until("f").await;
    let n = big.raw.len();
    let qp = &big.qp_decoded;
    let tail = big.qp.len() - 140_000;
    let want = [
        format!("* 1 FETCH (BODY[] {{{n}}}\r\n").into_bytes(),
        body_octets(&big.raw),
        b" BINARY[2] ~{200000}\r\n".to_vec(),
        big.attachment.clone(),
        b" BINARY.SIZE[2] 200000 BINARY[3] ~{100000}\r\n".to_vec(),
        big.binary.clone(),
        b" BODY[3]<10> {70000}\r\n".to_vec(),
        body_octets(&big.binary[10..70_010]),
        format!(" BINARY[4] ~{{{}}}\r\n", qp.len()).into_bytes(),
        qp.clone(),
        b" BINARY[2]<1000> ~{5000}\r\n".to_vec(),
        big.attachment[1000..6000].to_vec(),
        format!(
            " BINARY.SIZE[4] {} BODY[4]<140000> {{{tail}}}\r\n",
            qp.len()
        )
        .into_bytes(),
        big.qp[140_000..].to_vec(),
        format!(" RFC822.SIZE {n})\r\nf OK FETCH completed\r\n").into_bytes(),
    ]
    .concat();
    if got != want {
        let at = got.iter().zip(&want).position(|(x, y)| x != y);
        let at = at.unwrap_or(got.len().min(want.len()));
        let show = |b: &[u8]| {
            String::from_utf8_lossy(&b[at.saturating_sub(60)..(at + 60).min(b.len())]).into_owned()
        };
        panic!(
            "FETCH differs at octet {at} (got {} octets, want {}):\n got: {:?}\nwant: {:?}",
            got.len(),
            want.len(),
            show(&got),
            show(&want)
        );
    }

    // The same item many times in one command: each copy whole.
    a.raw(
        format!(
            "g FETCH 1 ({})\r\n",
            "BINARY.PEEK[2] ".repeat(30).trim_end()
        )
        .as_bytes(),
    )
    .await;
    let got = a.raw_until("g").await;
    let copy = [b"BINARY[2] ~{200000}\r\n".to_vec(), big.attachment.clone()].concat();
    let copies = got
        .windows(copy.len())
        .filter(|w| *w == copy.as_slice())
        .count();
    assert_eq!(copies, 30);
    assert!(got.ends_with(b")\r\ng OK FETCH completed\r\n"));

    // A large part of an encoding BINARY cannot decode: NO [UNKNOWN-CTE] before any of it is
    // sent, and the session goes on.
    let uu = format!(
        "Subject: uu\r\nContent-Transfer-Encoding: x-uuencode\r\n\r\n{}",
        "M9V]O9&)Y92!W;W)L9\r\n".repeat(5000)
    );
    a.raw(format!("y APPEND INBOX {{{}+}}\r\n{uu}\r\n", uu.len()).as_bytes())
        .await;
    a.until("y").await;
    a.ok("NOOP").await;
    let r = a.cmd("FETCH 2 (UID BINARY.PEEK[1])").await;
    assert_eq!(r.len(), 1, "nothing of the message before the NO: {r:?}");
    assert!(r[0].contains(" NO [UNKNOWN-CTE]"), "{r:?}");
    let r = a.cmd("FETCH 2 (BINARY.SIZE[1])").await;
    assert!(r[0].contains(" NO [UNKNOWN-CTE]"), "{r:?}");
    a.ok("FETCH 1 (UID)").await;
}

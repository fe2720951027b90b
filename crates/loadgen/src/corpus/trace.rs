//! The fields a realistic message collects on its way and from its mailer, before the author's
//! own: Return-Path, Delivered-To, 2-6 Received (newest first), Received-SPF,
//! Authentication-Results, spam verdicts, ARC, DKIM-Signature, then what Gmail, Exchange,
//! Mailman or a bulk sender add. With the author's fields they make the 2-5 KB of headers real
//! mail has, mostly base64 signatures.
//!
//! Host names and addresses are reserved ones (RFC 2606 `.example`, RFC 5737). Signatures are
//! random base64 of the right length, folded; nothing here verifies.

use super::date::When;
use super::headers::{Envelope, Mailer, domain_of};
use super::words::pick;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// Writes the trace of `e` (Return-Path to DKIM-Signature) and the fields its mailer or list
/// adds.
pub(super) fn write(out: &mut Vec<u8>, rng: &mut fastrand::Rng, e: &Envelope<'_>) {
    let from_dom = domain_of(&e.from.addr).to_owned();
    let to_dom = domain_of(&e.to[0].addr).to_owned();
    let list = pick(rng, &["team", "dev", "announce", "users"]);
    let return_path = match e.mailer {
        Mailer::List => format!(
            "{list}-bounces+{}@lists.example.org",
            e.to[0].addr.replace('@', "=")
        ),
        Mailer::Newsletter => format!("bounce-{}@mail.esp.example", token(rng, 24)),
        _ => e.from.addr.clone(),
    };
    if e.hops > 0 {
        out.extend_from_slice(format!("Return-Path: <{return_path}>\r\n").as_bytes());
        out.extend_from_slice(format!("Delivered-To: {}\r\n", e.to[0].addr).as_bytes());
    }
    // Received fields are prepended by each hop: the newest comes first.
    let mut delays = Vec::with_capacity(e.hops);
    let mut t = 0;
    for _ in 0..e.hops {
        t += rng.i64(1..40);
        delays.push(t);
    }
    for i in (0..e.hops).rev() {
        let zone = if i == 0 { e.date.zone } else { 0 };
        let r = received(rng, e, i, e.date.later(delays[i], zone));
        out.extend_from_slice(r.as_bytes());
    }
    if e.hops > 0 {
        let sip = ip(rng);
        // Postfix's policy daemon adds Received-SPF; many receivers only Authentication-Results.
        let spf = if rng.bool() {
            format!(
                "Received-SPF: pass (mx1.{to_dom}: domain of {return_path}\r\n\t designates {sip} as \
                 permitted sender) client-ip={sip};\r\n\t envelope-from=<{return_path}>; \
                 helo=mail.{from_dom};\r\n"
            )
        } else {
            String::new()
        };
        out.extend_from_slice(format!(
            "{}Authentication-Results: mx1.{to_dom};\r\n\tdkim=pass (2048-bit key; unprotected) \
             header.d={from_dom}\r\n\t header.i=@{from_dom} header.b=\"{}\";\r\n\tspf=pass \
             (mx1.{to_dom}: domain of {return_path}\r\n\t designates {sip} as permitted sender)\r\n\t \
             smtp.mailfrom={return_path};\r\n\tdmarc=pass (p=REJECT sp=REJECT dis=NONE) \
             header.from={from_dom}\r\n",
            spf,
            noise(rng, 8),
        ).as_bytes());
        if rng.u8(0..3) > 0 {
            out.extend_from_slice(
                format!(
                    "X-Spam-Status: No, score=-{}.{} required=5.0 tests=BAYES_00,DKIM_SIGNED,\r\n\t\
                 DKIM_VALID,DKIM_VALID_AU,DKIM_VALID_EF,HTML_MESSAGE,RCVD_IN_DNSWL_NONE,\r\n\t\
                 SPF_HELO_NONE,SPF_PASS autolearn=ham autolearn_force=no version=4.0.1\r\n\
                 X-Spam-Checker-Version: SpamAssassin 4.0.1 (2024-03-26) on mx1.{to_dom}\r\n",
                    rng.u8(0..5),
                    rng.u8(0..10),
                )
                .as_bytes(),
            );
        }
        let forwarded_by = matches!(e.mailer, Mailer::Gmail | Mailer::List);
        if rng.u8(0..10) < if forwarded_by { 4 } else { 1 } {
            arc(out, rng, e, &from_dom);
        }
        out.extend_from_slice(dkim(rng, "DKIM-Signature", &from_dom, e.date, false).as_bytes());
    }
    mailer_fields(out, rng, e, &from_dom, list);
}

/// `n` characters of base64 noise (signatures, hashes, opaque tokens).
fn noise(rng: &mut fastrand::Rng, n: usize) -> String {
    let mut bytes = vec![0u8; n.div_ceil(4) * 3];
    rng.fill(&mut bytes);
    let mut s = STANDARD.encode(&bytes);
    s.truncate(n);
    s
}

/// `s` cut into lines of `width`, each continuation line starting with a tab.
fn folded(s: &str, width: usize) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / width * 3);
    for (i, chunk) in s.as_bytes().chunks(width).enumerate() {
        if i > 0 {
            out.push_str("\r\n\t ");
        }
        out.push_str(std::str::from_utf8(chunk).unwrap_or_default());
    }
    out
}

/// Random alphanumeric token (queue ids, Mailman ids).
fn token(rng: &mut fastrand::Rng, n: usize) -> String {
    (0..n).map(|_| rng.alphanumeric()).collect()
}

/// A documentation-range IPv4 address (RFC 5737).
fn ip(rng: &mut fastrand::Rng) -> String {
    let net = pick(rng, &["192.0.2", "198.51.100", "203.0.113"]);
    format!("{net}.{}", rng.u8(1..255))
}

/// One Received field (RFC 5321 §4.4): hop `i` of `n`, counted from the author's side.
fn received(rng: &mut fastrand::Rng, e: &Envelope<'_>, i: usize, when: When) -> String {
    let (from_dom, to_dom) = (domain_of(&e.from.addr), domain_of(&e.to[0].addr));
    let to = &e.to[0].addr;
    let id = token(rng, 14);
    let date = when.rfc5322();
    if i == 0 {
        return format!(
            "Received: from [10.{}.{}.{}] (dsl-{}.isp.example [{}])\r\n\tby smtp.{from_dom} \
             (Postfix) with ESMTPSA id {id}\r\n\tfor <{to}>; {date}\r\n",
            rng.u8(0..255),
            rng.u8(0..255),
            rng.u8(1..255),
            rng.u32(1000..99_999),
            ip(rng)
        );
    }
    if i + 1 == e.hops {
        return format!(
            "Received: from mx{}.{to_dom} (localhost [127.0.0.1])\r\n\tby imap.{to_dom} \
             (Dovecot) with LMTP id {}\r\n\tfor <{to}>; {date}\r\n",
            rng.u8(1..4),
            noise(rng, 22)
        );
    }
    if i + 2 == e.hops {
        // Into the recipient's MX, over TLS, as Postfix logs it.
        let host = format!(
            "mail-{}{}.{from_dom}",
            pick(rng, &["ej1-", "wr1-", "pl1-", "out-"]),
            rng.u16(1..999)
        );
        return format!(
            "Received: from {host} ({host} [{}])\r\n\t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 \
             (256/256 bits)\r\n\t key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest \
             SHA256)\r\n\t(No client certificate requested)\r\n\tby mx{}.{to_dom} (Postfix) with ESMTPS \
             id {id}\r\n\tfor <{to}>; {date}\r\n",
            ip(rng),
            rng.u8(1..4)
        );
    }
    // Within the sender's organisation.
    if rng.bool() {
        format!(
            "Received: by 2002:a05:6a10:{:x}:b0:{:x}:{:x} with SMTP id {id};\r\n        {date}\r\n",
            rng.u16(..),
            rng.u16(..),
            rng.u16(..)
        )
    } else {
        format!(
            "Received: from smtp.{from_dom} (smtp.{from_dom} [{}])\r\n\tby relay{}.{from_dom} with \
             ESMTPS id {id}\r\n\tfor <{to}>; {date}\r\n",
            ip(rng),
            rng.u8(1..9)
        )
    }
}

/// A DKIM-Signature (RFC 6376) or look-alike (`name`), signed by `domain`.
fn dkim(rng: &mut fastrand::Rng, name: &str, domain: &str, when: When, with_arc: bool) -> String {
    let tags = if with_arc { "i=1; " } else { "v=1; " };
    format!(
        "{name}: {tags}a=rsa-sha256; c=relaxed/relaxed;\r\n\td={domain}; s={}; t={};\r\n\t\
         h=from:to:cc:subject:date:message-id:mime-version:content-type:in-reply-to\r\n\t \
         :references:list-id:list-unsubscribe;\r\n\tbh={}=;\r\n\tb={}\r\n",
        pick(rng, &["20230601", "selector1", "s1", "google", "mail2026"]),
        when.secs,
        noise(rng, 43),
        folded(&noise(rng, 344), 70)
    )
}

/// An ARC set (RFC 8617) as a forwarding hop adds it.
fn arc(out: &mut Vec<u8>, rng: &mut fastrand::Rng, e: &Envelope<'_>, from_dom: &str) {
    let seal = format!(
        "ARC-Seal: i=1; a=rsa-sha256; t={}; cv=none;\r\n\td=arc.example; s=arc-20240605;\r\n\tb={}\r\n",
        e.date.secs,
        folded(&noise(rng, 344), 70)
    );
    out.extend_from_slice(seal.as_bytes());
    out.extend_from_slice(
        dkim(rng, "ARC-Message-Signature", "arc.example", e.date, true).as_bytes(),
    );
    out.extend_from_slice(format!(
        "ARC-Authentication-Results: i=1; mx.arc.example;\r\n\tdkim=pass header.i=@{from_dom} \
         header.s=20230601 header.b={};\r\n\tspf=pass (arc.example: domain of {}\r\n\t designates {} \
         as permitted sender)\r\n\t smtp.mailfrom={};\r\n\tdmarc=pass (p=NONE sp=NONE dis=NONE) \
         header.from={from_dom}\r\n",
        noise(rng, 8),
        e.from.addr,
        ip(rng),
        e.from.addr
    ).as_bytes());
}

/// The fields particular to the mailer.
fn mailer_fields(
    out: &mut Vec<u8>,
    rng: &mut fastrand::Rng,
    e: &Envelope<'_>,
    from_dom: &str,
    list: &str,
) {
    let info_len = rng.usize(200..800);
    let google_dkim = if rng.u8(0..3) == 0 {
        dkim(
            rng,
            "X-Google-DKIM-Signature",
            "1e100.example",
            e.date,
            false,
        )
    } else {
        String::new()
    };
    let s = match e.mailer {
        Mailer::Gmail => format!(
            "{}X-Gm-Message-State: {}\r\n\t{}\r\nX-Gm-Gg: {}\r\n\t{}\r\nX-Google-Smtp-Source: {}\r\n\
             X-Received: by 2002:a05:6402:{:x}:b0:{:x}:{:x} with SMTP id {}-{}.{};\r\n\t{}\r\n",
            google_dkim,
            noise(rng, 60),
            noise(rng, 40),
            noise(rng, 70),
            folded(&noise(rng, 210), 70),
            noise(rng, 88),
            rng.u16(..),
            rng.u16(..),
            rng.u16(..),
            token(rng, 16),
            rng.u32(..),
            rng.u8(..),
            e.date.later(1, 0).rfc5322()
        ),
        Mailer::Outlook => format!(
            "Thread-Index: {}\r\nX-MS-Has-Attach: \r\nX-MS-TNEF-Correlator: \r\n\
             x-ms-publictraffictype: Email\r\nx-ms-traffictypediagnostic: \
             AS8PR07MB{}:EE_|DB9PR07MB{}:EE_\r\nx-ms-office365-filtering-correlation-id: {}\r\n\
             x-microsoft-antispam: BCL:0;ARA:13230040|1800799024|366016|376014|38070700018;\r\n\
             x-microsoft-antispam-message-info:\r\n\t{}\r\n\
             X-MS-Exchange-CrossTenant-AuthAs: Internal\r\n\
             X-MS-Exchange-CrossTenant-AuthSource: AS8PR07MB{}.eurprd07.prod.outlook.example\r\n\
             X-MS-Exchange-CrossTenant-Network-Message-Id: {}\r\n\
             X-MS-Exchange-CrossTenant-originalarrivaltime: {}\r\n\
             X-MS-Exchange-CrossTenant-fromentityheader: Hosted\r\n\
             X-MS-Exchange-CrossTenant-id: {}\r\n\
             X-MS-Exchange-Transport-CrossTenantHeadersStamped: DB9PR07MB{}\r\n\
             X-OriginatorOrg: {from_dom}\r\n",
            noise(rng, 32),
            rng.u16(1000..9999),
            rng.u16(1000..9999),
            guid(rng),
            folded(&noise(rng, info_len), 70),
            rng.u16(1000..9999),
            guid(rng),
            e.date.rfc5322(),
            guid(rng),
            rng.u16(1000..9999)
        ),
        Mailer::Thunderbird => "User-Agent: Mozilla Thunderbird\r\n".to_owned(),
        Mailer::AppleMail => "X-Mailer: Apple Mail (2.3826.400.131.1.6)\r\n".to_owned(),
        Mailer::Webmail => "User-Agent: Roundcube Webmail/1.6.9\r\n".to_owned(),
        Mailer::List => format!(
            "Reply-To: <{list}@lists.example.org>\r\nX-Mailman-Version: 3.3.9\r\nPrecedence: list\r\n\
             List-Id: <{list}.lists.example.org>\r\n\
             Archived-At: <https://lists.example.org/archives/list/{list}@lists.example.org/\
             message/{}/>\r\n\
             List-Archive: <https://lists.example.org/archives/list/{list}@lists.example.org/>\r\n\
             List-Help: <mailto:{list}-request@lists.example.org?subject=help>\r\n\
             List-Owner: <mailto:{list}-owner@lists.example.org>\r\n\
             List-Post: <mailto:{list}@lists.example.org>\r\n\
             List-Subscribe: <mailto:{list}-join@lists.example.org>\r\n\
             List-Unsubscribe: <mailto:{list}-leave@lists.example.org>\r\n",
            token(rng, 32),
        ),
        Mailer::Newsletter => format!(
            "{}List-Unsubscribe: <https://esp.example/unsubscribe?u={}&id={}>,\r\n \
             <mailto:unsubscribe-{}@mail.esp.example>\r\nList-Unsubscribe-Post: \
             List-Unsubscribe=One-Click\r\nList-Id: {from_dom} newsletter <{}.list-id.esp.example>\r\n\
             Feedback-ID: {}:{}:esp\r\nX-Mailer: Mailchimp Mailer - **CID{}**\r\n\
             X-Campaign: esp{}.{}\r\nPrecedence: bulk\r\n",
            dkim(rng, "DKIM-Signature", "esp.example", e.date, false),
            noise(rng, 30).replace(['+', '/'], "x"),
            token(rng, 10),
            token(rng, 20),
            token(rng, 12),
            rng.u32(..),
            rng.u32(..),
            token(rng, 20),
            token(rng, 20),
            token(rng, 10)
        ),
    };
    out.extend_from_slice(s.as_bytes());
}

/// A GUID as Exchange writes them.
fn guid(rng: &mut fastrand::Rng) -> String {
    format!(
        "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
        rng.u32(..),
        rng.u16(..),
        rng.u16(..),
        rng.u16(..),
        rng.u64(..1 << 48)
    )
}

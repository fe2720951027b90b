//! One IMAP connection as a client sees it: tagged commands, whole responses (literals
//! included), and the few untagged responses the load generator follows.
//!
//! Written here rather than taken from a crate: the loadgen must check every byte a server
//! sends (unknown tags, malformed lines, literal lengths), which client crates hide, and must
//! work against any server, so it depends on nothing of Strata's.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpSocket;
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};

/// Longest response line accepted (literals excluded).
const MAX_LINE: usize = 1 << 20;
/// Largest literal accepted.
const MAX_LITERAL: usize = 256 << 20;

/// What went wrong on a connection.
#[derive(Debug, thiserror::Error)]
pub enum ConnError {
    /// The socket failed.
    #[error("i/o: {0}")]
    Io(#[from] std::io::Error),
    /// The server broke the protocol (or the connection closed mid-response).
    #[error("protocol: {0}")]
    Protocol(String),
    /// No answer in time.
    #[error("timeout after {0:?}")]
    Timeout(Duration),
}

/// The status of a tagged response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// `OK`
    Ok,
    /// `NO`
    No,
    /// `BAD`
    Bad,
}

/// Everything a command got back.
#[derive(Debug, Default)]
pub struct Reply {
    /// Untagged responses (without `* `), literals inline.
    pub untagged: Vec<Vec<u8>>,
    /// The tagged line after the tag (`OK …`).
    pub tagged: String,
}

impl Reply {
    /// The number lists of the `SEARCH` responses, one per response.
    pub fn searches(&self) -> Vec<Vec<u32>> {
        self.untagged
            .iter()
            .filter_map(|l| match parse_untagged(l) {
                Ok(Untagged::Search(ids)) => Some(ids),
                _ => None,
            })
            .collect()
    }

    /// The tagged status.
    pub fn status(&self) -> Status {
        let word = self.tagged.split(' ').next().unwrap_or("");
        match word.to_ascii_uppercase().as_str() {
            "OK" => Status::Ok,
            "NO" => Status::No,
            _ => Status::Bad,
        }
    }
}

/// An untagged response the load generator understands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Untagged {
    /// `n EXISTS`
    Exists(u32),
    /// `n EXPUNGE`
    Expunge(u32),
    /// `n FETCH (…)`, with the UID and FLAGS items if present.
    Fetch {
        /// Sequence number.
        seq: u32,
        /// `UID n`
        uid: Option<u32>,
        /// `FLAGS (…)`
        flags: Option<Vec<String>>,
    },
    /// `SEARCH n n …` (MODSEQ suffix ignored).
    Search(Vec<u32>),
    /// Anything else (`OK`, `CAPABILITY`, `FLAGS`, `LIST`, `STATUS`, `ESEARCH` …).
    Other,
}

/// Parses an untagged response (without `* `). Malformed numbers are protocol errors.
pub fn parse_untagged(line: &[u8]) -> Result<Untagged, ConnError> {
    let text = String::from_utf8_lossy(line);
    let mut words = text.splitn(3, ' ');
    let first = words.next().unwrap_or("");
    let second = words.next().unwrap_or("");
    let rest = words.next().unwrap_or("");
    let bad = |what: &str| ConnError::Protocol(format!("{what}: {text:.200}"));
    if let Ok(n) = first.parse::<u32>() {
        return match second.to_ascii_uppercase().as_str() {
            "EXISTS" => Ok(Untagged::Exists(n)),
            "EXPUNGE" if n > 0 => Ok(Untagged::Expunge(n)),
            "EXPUNGE" => Err(bad("EXPUNGE 0")),
            "FETCH" if n > 0 => {
                let items = rest.trim();
                if !items.starts_with('(') || !items.ends_with(')') {
                    return Err(bad("FETCH without a parenthesized list"));
                }
                Ok(Untagged::Fetch {
                    seq: n,
                    uid: fetch_uid(items),
                    flags: fetch_flags(items),
                })
            }
            "FETCH" => Err(bad("FETCH 0")),
            "RECENT" => Ok(Untagged::Other),
            _ => Err(bad("unknown numbered response")),
        };
    }
    if first.eq_ignore_ascii_case("SEARCH") {
        let mut ids = Vec::new();
        let list = format!("{second} {rest}");
        let list = list.split('(').next().unwrap_or("");
        for w in list.split_whitespace() {
            ids.push(w.parse().map_err(|_| bad("SEARCH number"))?);
        }
        return Ok(Untagged::Search(ids));
    }
    Ok(Untagged::Other)
}

/// The `UID n` item of a FETCH item list (top level only).
fn fetch_uid(items: &str) -> Option<u32> {
    let upper = items.to_ascii_uppercase();
    let at = upper.find("UID ")?;
    // Not the tail of another item name (e.g. "X-GUID ").
    if at > 0 && !matches!(upper.as_bytes()[at - 1], b'(' | b' ') {
        return None;
    }
    items[at + 4..]
        .split(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()
}

/// The `FLAGS (…)` item of a FETCH item list.
fn fetch_flags(items: &str) -> Option<Vec<String>> {
    let upper = items.to_ascii_uppercase();
    let at = upper.find("FLAGS (")?;
    let rest = &items[at + 7..];
    let end = rest.find(')')?;
    Some(rest[..end].split_whitespace().map(str::to_string).collect())
}

/// One connection.
pub struct Conn {
    r: BufReader<OwnedReadHalf>,
    w: OwnedWriteHalf,
    next_tag: u64,
    timeout: Duration,
    /// Capabilities from the last CAPABILITY response or response code seen.
    pub caps: Vec<String>,
}

impl Conn {
    /// Connects (from `source` if given) and reads the greeting, which must be `* OK`.
    pub async fn connect(
        addr: SocketAddr,
        source: Option<IpAddr>,
        timeout: Duration,
    ) -> Result<Conn, ConnError> {
        let socket = if addr.is_ipv4() {
            TcpSocket::new_v4()?
        } else {
            TcpSocket::new_v6()?
        };
        if let Some(ip) = source {
            socket.bind(SocketAddr::new(ip, 0))?;
        }
        let stream = tokio::time::timeout(timeout, socket.connect(addr))
            .await
            .map_err(|_| ConnError::Timeout(timeout))??;
        stream.set_nodelay(true)?;
        let (r, w) = stream.into_split();
        let mut c = Conn {
            r: BufReader::with_capacity(16 * 1024, r),
            w,
            next_tag: 0,
            timeout,
            caps: Vec::new(),
        };
        let greeting = c.response().await?;
        if !greeting.starts_with(b"* OK") && !greeting.starts_with(b"* PREAUTH") {
            return Err(ConnError::Protocol(format!(
                "greeting {:.100}",
                String::from_utf8_lossy(&greeting)
            )));
        }
        c.note_caps(&greeting);
        Ok(c)
    }

    /// True if the server announced `cap` (case-insensitive).
    pub fn has(&self, cap: &str) -> bool {
        self.caps.iter().any(|c| c.eq_ignore_ascii_case(cap))
    }

    fn note_caps(&mut self, line: &[u8]) {
        let text = String::from_utf8_lossy(line).to_string();
        let upper = text.to_ascii_uppercase();
        let list = if let Some(at) = upper.find("[CAPABILITY ") {
            let rest = &text[at + 12..];
            rest.split(']').next().unwrap_or("").to_string()
        } else if let Some(rest) = upper.strip_prefix("* CAPABILITY ") {
            text[text.len() - rest.len()..].to_string()
        } else {
            return;
        };
        self.caps = list.split_whitespace().map(str::to_string).collect();
    }

    /// Reads one whole response: a line with every literal it announces, CRLF removed.
    async fn response(&mut self) -> Result<Vec<u8>, ConnError> {
        let t = self.timeout;
        tokio::time::timeout(t, self.response_inner())
            .await
            .map_err(|_| ConnError::Timeout(t))?
    }

    async fn response_inner(&mut self) -> Result<Vec<u8>, ConnError> {
        let mut out = Vec::new();
        loop {
            let mut line = Vec::new();
            let n = (&mut self.r)
                .take(MAX_LINE as u64 + 2)
                .read_until(b'\n', &mut line)
                .await?;
            if n == 0 {
                return Err(ConnError::Protocol("connection closed".into()));
            }
            if !line.ends_with(b"\r\n") {
                return Err(ConnError::Protocol(format!(
                    "line without CRLF or longer than {MAX_LINE}: {:.100}",
                    String::from_utf8_lossy(&line)
                )));
            }
            line.truncate(line.len() - 2);
            let literal = literal_len(&line)?;
            out.extend_from_slice(&line);
            match literal {
                None => return Ok(out),
                Some(len) => {
                    out.extend_from_slice(b"\r\n");
                    let start = out.len();
                    out.resize(start + len, 0);
                    self.r.read_exact(&mut out[start..]).await?;
                }
            }
        }
    }

    async fn send(&mut self, bytes: &[u8]) -> Result<(), ConnError> {
        let t = self.timeout;
        tokio::time::timeout(t, self.w.write_all(bytes))
            .await
            .map_err(|_| ConnError::Timeout(t))??;
        Ok(())
    }

    fn tag(&mut self) -> String {
        self.next_tag += 1;
        format!("L{}", self.next_tag)
    }

    /// Reads until the tagged response of `tag`; any other tag, or a line that is neither
    /// untagged nor a continuation, is a protocol error.
    async fn until_tagged(&mut self, tag: &str) -> Result<Reply, ConnError> {
        let mut reply = Reply::default();
        loop {
            let resp = self.response().await?;
            if let Some(rest) = resp.strip_prefix(b"* ") {
                self.note_caps(&resp);
                reply.untagged.push(rest.to_vec());
                continue;
            }
            let text = String::from_utf8_lossy(&resp).to_string();
            match text.split_once(' ') {
                Some((t, rest)) if t == tag => {
                    self.note_caps(&resp);
                    let word = rest.split(' ').next().unwrap_or("").to_ascii_uppercase();
                    if !matches!(word.as_str(), "OK" | "NO" | "BAD") {
                        return Err(ConnError::Protocol(format!("tagged {text:.200}")));
                    }
                    reply.tagged = rest.to_string();
                    return Ok(reply);
                }
                _ => {
                    return Err(ConnError::Protocol(format!(
                        "expected {tag} or untagged, got {text:.200}"
                    )));
                }
            }
        }
    }

    /// Sends `command` under a new tag and returns what came back.
    pub async fn command(&mut self, command: &str) -> Result<Reply, ConnError> {
        let tag = self.tag();
        self.send(format!("{tag} {command}\r\n").as_bytes()).await?;
        self.until_tagged(&tag).await
    }

    /// Sends `prefix {n}` + `literal` + `suffix`: as a non-synchronizing literal with
    /// LITERAL+ (RFC 7888), else waiting for the continuation.
    pub async fn command_with_literal(
        &mut self,
        prefix: &str,
        literal: &[u8],
        suffix: &str,
    ) -> Result<Reply, ConnError> {
        let tag = self.tag();
        let plus = self.has("LITERAL+");
        let marker = if plus { "+" } else { "" };
        self.send(format!("{tag} {prefix} {{{}{marker}}}\r\n", literal.len()).as_bytes())
            .await?;
        if !plus {
            let resp = self.response().await?;
            if !resp.starts_with(b"+") {
                // Refused before the literal (e.g. NO [TOOBIG]).
                let text = String::from_utf8_lossy(&resp).to_string();
                return match text.split_once(' ') {
                    Some((t, rest)) if t == tag => Ok(Reply {
                        untagged: Vec::new(),
                        tagged: rest.to_string(),
                    }),
                    _ => Err(ConnError::Protocol(format!(
                        "expected continuation, got {text:.200}"
                    ))),
                };
            }
        }
        let mut body = Vec::with_capacity(literal.len() + suffix.len() + 2);
        body.extend_from_slice(literal);
        body.extend_from_slice(suffix.as_bytes());
        body.extend_from_slice(b"\r\n");
        self.send(&body).await?;
        self.until_tagged(&tag).await
    }

    /// IDLE (RFC 2177) for `hold`, then DONE: the untagged responses that arrived, and the
    /// tagged reply.
    pub async fn idle(&mut self, hold: Duration) -> Result<Reply, ConnError> {
        let tag = self.start_idle().await?;
        let mut reply = Reply::default();
        let deadline = tokio::time::Instant::now() + hold;
        loop {
            match tokio::time::timeout_at(deadline, self.response_inner()).await {
                Err(_) => break,
                Ok(resp) => {
                    let resp = resp?;
                    match resp.strip_prefix(b"* ") {
                        Some(rest) => reply.untagged.push(rest.to_vec()),
                        None => {
                            return Err(ConnError::Protocol(format!(
                                "during IDLE: {:.200}",
                                String::from_utf8_lossy(&resp)
                            )));
                        }
                    }
                }
            }
        }
        let done = self.finish_idle(&tag).await?;
        reply.untagged.extend(done.untagged);
        reply.tagged = done.tagged;
        Ok(reply)
    }

    /// Sends IDLE and waits for the continuation; returns the tag for [`finish_idle`](Self::finish_idle).
    pub async fn start_idle(&mut self) -> Result<String, ConnError> {
        let tag = self.tag();
        self.send(format!("{tag} IDLE\r\n").as_bytes()).await?;
        loop {
            let resp = self.response().await?;
            if resp.starts_with(b"+") {
                return Ok(tag);
            }
            if !resp.starts_with(b"* ") {
                return Err(ConnError::Protocol(format!(
                    "IDLE refused: {:.200}",
                    String::from_utf8_lossy(&resp)
                )));
            }
        }
    }

    /// During IDLE: the next untagged response (without `* `), or `None` if none came within
    /// `wait`.
    pub async fn next_untagged(&mut self, wait: Duration) -> Result<Option<Vec<u8>>, ConnError> {
        match tokio::time::timeout(wait, self.response_inner()).await {
            Err(_) => Ok(None),
            Ok(resp) => {
                let resp = resp?;
                match resp.strip_prefix(b"* ") {
                    Some(rest) => Ok(Some(rest.to_vec())),
                    None => Err(ConnError::Protocol(format!(
                        "during IDLE: {:.200}",
                        String::from_utf8_lossy(&resp)
                    ))),
                }
            }
        }
    }

    /// Sends DONE and reads to the IDLE's tagged response.
    pub async fn finish_idle(&mut self, tag: &str) -> Result<Reply, ConnError> {
        self.send(b"DONE\r\n").await?;
        self.until_tagged(tag).await
    }
}

/// `{n}`, `{n+}` or `~{n}` at the end of a response line: the literal's length.
fn literal_len(line: &[u8]) -> Result<Option<usize>, ConnError> {
    if !line.ends_with(b"}") {
        return Ok(None);
    }
    let Some(open) = line.iter().rposition(|&b| b == b'{') else {
        return Ok(None);
    };
    let inner = &line[open + 1..line.len() - 1];
    let inner = inner.strip_suffix(b"+").unwrap_or(inner);
    if inner.is_empty() || !inner.iter().all(u8::is_ascii_digit) {
        return Ok(None);
    }
    let n: usize = std::str::from_utf8(inner)
        .ok()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| ConnError::Protocol("literal length".into()))?;
    if n > MAX_LITERAL {
        return Err(ConnError::Protocol(format!("literal of {n} bytes")));
    }
    Ok(Some(n))
}

/// Quotes a string for IMAP (the loadgen only sends ASCII).
pub fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn untagged_responses() {
        assert_eq!(parse_untagged(b"12 EXISTS").unwrap(), Untagged::Exists(12));
        assert_eq!(parse_untagged(b"3 EXPUNGE").unwrap(), Untagged::Expunge(3));
        assert!(parse_untagged(b"0 EXPUNGE").is_err());
        assert_eq!(
            parse_untagged(b"4 FETCH (UID 17 FLAGS (\\Seen \\Flagged))").unwrap(),
            Untagged::Fetch {
                seq: 4,
                uid: Some(17),
                flags: Some(vec!["\\Seen".into(), "\\Flagged".into()])
            }
        );
        assert_eq!(
            parse_untagged(b"4 FETCH (FLAGS () X-GUID 5)").unwrap(),
            Untagged::Fetch {
                seq: 4,
                uid: None,
                flags: Some(vec![])
            }
        );
        assert!(parse_untagged(b"4 FETCH UID 5").is_err());
        assert_eq!(
            parse_untagged(b"SEARCH 1 5 9 (MODSEQ 4)").unwrap(),
            Untagged::Search(vec![1, 5, 9])
        );
        assert_eq!(parse_untagged(b"SEARCH").unwrap(), Untagged::Search(vec![]));
        assert!(parse_untagged(b"SEARCH 1 x").is_err());
        assert_eq!(
            parse_untagged(b"OK [UIDVALIDITY 3] ok").unwrap(),
            Untagged::Other
        );
        assert!(parse_untagged(b"5 BOGUS").is_err());
    }

    #[test]
    fn literal_lengths() {
        assert_eq!(literal_len(b"* 1 FETCH (BODY[] {42}").unwrap(), Some(42));
        assert_eq!(literal_len(b"* 1 FETCH (BINARY[] ~{7}").unwrap(), Some(7));
        assert_eq!(literal_len(b"a {5+}").unwrap(), Some(5));
        assert_eq!(literal_len(b"* OK {x}").unwrap(), None);
        assert_eq!(literal_len(b"* OK done").unwrap(), None);
        assert!(literal_len(b"* 1 FETCH (BODY[] {999999999999})").is_ok());
        assert!(literal_len(b"* 1 FETCH (BODY[] {999999999999}").is_err());
    }
}

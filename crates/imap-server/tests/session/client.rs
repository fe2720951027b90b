//! A small IMAP test client with tag-aware reads, and the fixture that starts a session.

use argon2::password_hash::PasswordHasher;
use blob_store::{BlobStore, BlobStoreConfig};
use imap_server::{ConnectionInfo, ServerConfig, Session, Shared};
use std::sync::Arc;
use std::time::Duration;
use store::SqliteStore;
use store::prelude::*;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, DuplexStream, ReadHalf, WriteHalf};

/// A store with one account, `alice@example.org` / `secret`.
pub struct Fixture {
    pub shared: Shared,
    pub dir: tempfile::TempDir,
}

impl Fixture {
    pub async fn new() -> Fixture {
        Fixture::with(|_| {}).await
    }

    /// A fixture whose server settings `adjust` changes.
    pub async fn with(adjust: impl FnOnce(&mut ServerConfig)) -> Fixture {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("meta.db"))
            .await
            .unwrap();
        // Cheap argon2 parameters: tests are about the protocol, not the hash cost.
        let params = argon2::Params::new(64, 1, 1, None).unwrap();
        let hash = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
            .hash_password_with_salt(b"secret", b"saltsaltsalt")
            .unwrap()
            .to_string();
        store
            .create_account("alice@example.org", &hash)
            .await
            .unwrap();
        let blobs = BlobStore::new(BlobStoreConfig::local(dir.path().join("blobs"))).unwrap();
        let mut config = ServerConfig {
            auth_failure_delay: Duration::from_millis(10),
            ..ServerConfig::default()
        };
        adjust(&mut config);
        let shared = Shared::new(Arc::new(store), blobs, config);
        Fixture { shared, dir }
    }

    /// The fixture with a search index in its temp dir, and the indexer that feeds it (run by
    /// the test when it wants the index to catch up).
    pub async fn with_index() -> (Fixture, search_index::Indexer) {
        let mut f = Fixture::new().await;
        let index =
            Arc::new(search_index::SearchIndex::open(&f.dir.path().join("index"), 2).unwrap());
        f.shared = f.shared.clone().with_search_index(index.clone());
        let indexer = search_index::Indexer::new(
            f.shared.store.clone(),
            f.shared.blobs.clone(),
            index,
            Default::default(),
        );
        (f, indexer)
    }

    pub fn store(&self) -> &dyn MailStore {
        self.shared.store.as_ref()
    }

    /// Starts a session on an in-memory stream and reads its greeting.
    pub async fn connect(&self, auth_allowed: bool) -> (Client, String) {
        let (ours, theirs) = tokio::io::duplex(1 << 20);
        let conn = ConnectionInfo {
            peer: None,
            tls: false,
            auth_allowed,
        };
        tokio::spawn(Session::new(theirs, self.shared.clone(), conn).run());
        let (r, w) = tokio::io::split(ours);
        let mut c = Client {
            r: BufReader::new(r),
            w,
            n: 0,
        };
        let greeting = c.line().await;
        (c, greeting)
    }

    /// A session logged in as alice.
    pub async fn login(&self) -> Client {
        let (mut c, _) = self.connect(true).await;
        c.ok("LOGIN alice@example.org secret").await;
        c
    }
}

pub struct Client {
    r: BufReader<ReadHalf<DuplexStream>>,
    w: WriteHalf<DuplexStream>,
    n: u32,
}

impl Client {
    /// One line, without CRLF (fails the test after 10 s).
    pub async fn line(&mut self) -> String {
        let mut l = String::new();
        let n = tokio::time::timeout(Duration::from_secs(10), self.r.read_line(&mut l))
            .await
            .expect("server answered within 10 s")
            .unwrap();
        assert!(n > 0, "connection closed");
        assert!(l.ends_with("\r\n"), "line ends with CRLF: {l:?}");
        l.truncate(l.len() - 2);
        l
    }

    /// Sends raw bytes.
    pub async fn raw(&mut self, b: &[u8]) {
        self.w.write_all(b).await.unwrap();
    }

    /// Sends `tag command` and returns every line up to and including the tagged one.
    pub async fn cmd(&mut self, command: &str) -> Vec<String> {
        self.n += 1;
        let tag = format!("t{}", self.n);
        self.raw(format!("{tag} {command}\r\n").as_bytes()).await;
        self.until(&tag).await
    }

    /// Reads until the line tagged `tag`.
    pub async fn until(&mut self, tag: &str) -> Vec<String> {
        let mut lines = Vec::new();
        loop {
            let l = self.line().await;
            let done = l.starts_with(&format!("{tag} "));
            lines.push(l);
            if done {
                return lines;
            }
        }
    }

    /// Reads until the line tagged `tag`, as raw bytes: literals (`{n}`, `~{n}`) are read by
    /// their length, whatever they hold.
    pub async fn raw_until(&mut self, tag: &str) -> Vec<u8> {
        use tokio::io::AsyncReadExt;
        let announced = |line: &[u8]| {
            String::from_utf8_lossy(line)
                .trim_end()
                .strip_suffix('}')
                .and_then(|t| t.rsplit_once('{'))
                .and_then(|(_, n)| n.parse::<usize>().ok())
        };
        let mut all = Vec::new();
        loop {
            let mut line = Vec::new();
            let n =
                tokio::time::timeout(Duration::from_secs(30), self.r.read_until(b'\n', &mut line))
                    .await
                    .expect("server answered within 30 s")
                    .unwrap();
            assert!(n > 0, "connection closed");
            all.extend_from_slice(&line);
            if line.starts_with(format!("{tag} ").as_bytes()) {
                return all;
            }
            // A literal, then the rest of the same response (which may announce another).
            while let Some(len) = announced(&line) {
                let mut literal = vec![0; len];
                self.r.read_exact(&mut literal).await.unwrap();
                all.extend_from_slice(&literal);
                line.clear();
                self.r.read_until(b'\n', &mut line).await.unwrap();
                all.extend_from_slice(&line);
            }
        }
    }

    /// Like [`cmd`](Self::cmd) and asserts a tagged OK.
    pub async fn ok(&mut self, command: &str) -> Vec<String> {
        let lines = self.cmd(command).await;
        let last = lines.last().unwrap();
        assert!(
            last.split(' ').nth(1) == Some("OK"),
            "{command}: {lines:#?}"
        );
        lines
    }
}

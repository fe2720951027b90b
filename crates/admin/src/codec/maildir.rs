//! Maildir folders (`tmp/`, `new/`, `cur/`; one file per message).
//!
//! Flags live in the file name's info suffix `:2,` followed by letters in ASCII order:
//! D `\Draft`, F `\Flagged`, P `$Forwarded`, R `\Answered`, S `\Seen`, T `\Deleted`. Other
//! keywords have no place in a maildir name and are not exported. INTERNALDATE is the file's
//! modification time. Messages are read from `cur/` and `new/` in file-name order (names start
//! with their delivery time); the writer names files so that this order is the export order.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use store::Flags;

use super::{CodecError, MailItem, crlf_to_lf, lf_to_crlf};

/// The keyword the `P` (passed) flag stands for.
const FORWARDED: &str = "$Forwarded";

/// Info letters in ASCII order, with the flag each stands for.
const LETTERS: [(char, u8); 5] = [
    ('D', Flags::DRAFT),
    ('F', Flags::FLAGGED),
    ('R', Flags::ANSWERED),
    ('S', Flags::SEEN),
    ('T', Flags::DELETED),
];

/// Reads the messages of a maildir one file at a time.
pub struct MaildirReader {
    files: std::vec::IntoIter<PathBuf>,
}

impl MaildirReader {
    /// Lists `dir/cur` and `dir/new` (at least one must exist).
    pub fn open(dir: &Path) -> Result<MaildirReader, CodecError> {
        let mut files = Vec::new();
        let mut found = false;
        for sub in ["cur", "new"] {
            let path = dir.join(sub);
            let entries = match fs::read_dir(&path) {
                Ok(e) => e,
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(CodecError::io(path.display(), e)),
            };
            found = true;
            for entry in entries {
                let entry = entry.map_err(|e| CodecError::io(path.display(), e))?;
                let hidden = entry.file_name().to_string_lossy().starts_with('.');
                let is_file = entry
                    .file_type()
                    .map_err(|e| CodecError::io(entry.path().display(), e))?
                    .is_file();
                if is_file && !hidden {
                    files.push(entry.path());
                }
            }
        }
        if !found {
            return Err(CodecError::NotMaildir(dir.display().to_string()));
        }
        files.sort_by(|a, b| a.file_name().cmp(&b.file_name()));
        Ok(MaildirReader {
            files: files.into_iter(),
        })
    }

    fn read(path: &Path) -> Result<MailItem, CodecError> {
        let io = |e| CodecError::io(path.display(), e);
        let data = fs::read(path).map_err(io)?;
        let mtime = fs::metadata(path).and_then(|m| m.modified()).map_err(io)?;
        let internal_date = match mtime.duration_since(UNIX_EPOCH) {
            Ok(d) => d.as_secs() as i64,
            Err(e) => -(e.duration().as_secs() as i64),
        };
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        Ok(MailItem {
            data: Bytes::from(lf_to_crlf(&data)),
            flags: name.as_deref().map(flags_of).unwrap_or_default(),
            internal_date: Some(internal_date),
            internal_zone: 0,
        })
    }
}

impl Iterator for MaildirReader {
    type Item = Result<MailItem, CodecError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.files.next().map(|p| MaildirReader::read(&p))
    }
}

/// The flags of a file name's `:2,` info suffix (none without one, as in `new/`).
fn flags_of(name: &str) -> Flags {
    let Some((_, info)) = name.rsplit_once(":2,") else {
        return Flags::default();
    };
    let mut system = 0;
    let mut keywords = Vec::new();
    for c in info.chars() {
        if let Some((_, bit)) = LETTERS.iter().find(|(l, _)| *l == c) {
            system |= bit;
        } else if c == 'P' {
            keywords.push(FORWARDED.to_string());
        }
    }
    Flags::new(system, keywords)
}

/// The `:2,` info suffix for `flags`.
fn info_of(flags: &Flags) -> String {
    let mut letters: Vec<char> = LETTERS
        .iter()
        .filter(|(_, bit)| flags.has(*bit))
        .map(|(l, _)| *l)
        .collect();
    if flags.has_keyword(FORWARDED) {
        letters.push('P');
    }
    letters.sort_unstable();
    format!(":2,{}", letters.into_iter().collect::<String>())
}

/// Writes messages into a maildir: each one to `tmp/`, synced, then renamed into `cur/`.
pub struct MaildirWriter {
    dir: PathBuf,
    /// The unique prefix of this writer's names: start time and process id.
    prefix: String,
    seq: u64,
}

impl MaildirWriter {
    /// Creates `dir` with `tmp/`, `new/` and `cur/` (existing folders are fine).
    pub fn create(dir: &Path) -> Result<MaildirWriter, CodecError> {
        for sub in ["tmp", "new", "cur"] {
            let path = dir.join(sub);
            fs::create_dir_all(&path).map_err(|e| CodecError::io(path.display(), e))?;
        }
        let start = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        Ok(MaildirWriter {
            dir: dir.to_path_buf(),
            prefix: format!(
                "{}.M{:06}P{}",
                start.as_secs(),
                start.subsec_micros(),
                std::process::id()
            ),
            seq: 0,
        })
    }

    /// Writes one message (LF line ends); returns its path in `cur/`.
    pub fn write(&mut self, m: &MailItem) -> Result<PathBuf, CodecError> {
        let info = info_of(&m.flags);
        loop {
            self.seq += 1;
            let base = format!("{}Q{:08}.strata", self.prefix, self.seq);
            let tmp = self.dir.join("tmp").join(&base);
            let cur = self.dir.join("cur").join(format!("{base}{info}"));
            if cur.exists() {
                continue;
            }
            let mut file = match fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&tmp)
            {
                Ok(f) => f,
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(CodecError::io(tmp.display(), e)),
            };
            let io = |e| CodecError::io(tmp.display(), e);
            file.write_all(&crlf_to_lf(&m.data)).map_err(io)?;
            if let Some(d) = m.internal_date.and_then(|d| u64::try_from(d).ok()) {
                file.set_modified(UNIX_EPOCH + Duration::from_secs(d))
                    .map_err(io)?;
            }
            file.sync_all().map_err(io)?;
            fs::rename(&tmp, &cur).map_err(|e| CodecError::io(cur.display(), e))?;
            return Ok(cur);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn info_suffix() {
        let f = Flags::new(
            Flags::SEEN | Flags::DRAFT | Flags::ANSWERED,
            [FORWARDED.to_string(), "other".to_string()],
        );
        assert_eq!(info_of(&f), ":2,DPRS");
        assert_eq!(
            flags_of("1.M2P3.host:2,DPRS"),
            Flags::new(
                Flags::SEEN | Flags::DRAFT | Flags::ANSWERED,
                [FORWARDED.to_string()]
            )
        );
        assert_eq!(flags_of("1.M2P3.host"), Flags::default());
        assert_eq!(
            flags_of("1.host:2,FT").system,
            Flags::FLAGGED | Flags::DELETED
        );
    }

    /// Messages written into a new maildir come back in order, byte for byte, with their
    /// flags and dates; a file dropped into `new/` is read too, without flags.
    #[test]
    fn round_trip() {
        let dir = tempfile::tempdir().expect("tempdir");
        let md = dir.path().join("Archive");
        let items = vec![
            MailItem {
                data: Bytes::from_static(b"Subject: a\r\n\r\nFrom me\r\n"),
                flags: Flags::new(Flags::SEEN | Flags::FLAGGED, [FORWARDED.to_string()]),
                internal_date: Some(1_600_000_000),
                internal_zone: 0,
            },
            MailItem {
                data: Bytes::from_static(b"Subject: b\r\n\r\nbody\r\n"),
                flags: Flags::default(),
                internal_date: Some(1_500_000_000),
                internal_zone: 0,
            },
        ];
        let mut w = MaildirWriter::create(&md).expect("create");
        for i in &items {
            let path = w.write(i).expect("write");
            let stored = fs::read(&path).expect("read back");
            assert!(!stored.contains(&b'\r'), "LF on disk");
        }
        assert!(md.join("tmp").is_dir() && md.join("new").is_dir());
        assert_eq!(fs::read_dir(md.join("tmp")).expect("tmp").count(), 0);
        let back: Vec<MailItem> = MaildirReader::open(&md)
            .expect("open")
            .collect::<Result<_, _>>()
            .expect("read");
        assert_eq!(back, items);

        fs::write(
            md.join("new").join("9999999999.x.host"),
            b"Subject: c\n\nnew\n",
        )
        .expect("new");
        let back: Vec<MailItem> = MaildirReader::open(&md)
            .expect("open")
            .collect::<Result<_, _>>()
            .expect("read");
        assert_eq!(back.len(), 3);
        assert_eq!(&back[2].data[..], b"Subject: c\r\n\r\nnew\r\n");
        assert_eq!(back[2].flags, Flags::default());
    }

    #[test]
    fn not_a_maildir() {
        let dir = tempfile::tempdir().expect("tempdir");
        assert!(matches!(
            MaildirReader::open(dir.path()),
            Err(CodecError::NotMaildir(_))
        ));
    }
}

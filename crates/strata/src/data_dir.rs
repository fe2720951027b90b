//! The data directory of the all-in-one server.
//!
//! ```text
//!  <data_dir>/          0700
//!  ├── meta.db          SQLite metadata (created by the store)
//!  ├── blobs/           0700  message bodies (blob-store's local folder)
//!  └── tls/             0700  cert.pem, key.pem (0600): the self-signed default certificate
//! ```
//!
//! Mode 0700 because the tree holds every user's mail and the TLS private key. Folders that
//! already exist are left as they are: an operator may have chosen other modes on purpose.

use std::io;
use std::path::{Path, PathBuf};

/// File name of the SQLite metadata database.
pub const META_DB: &str = "meta.db";
/// Folder of message bodies.
pub const BLOBS: &str = "blobs";
/// Folder of the generated certificate.
pub const TLS: &str = "tls";
/// The search index's folder.
pub const INDEX: &str = "index";

/// An existing data directory (see the module docs for its layout).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataDir {
    root: PathBuf,
}

impl DataDir {
    /// Opens `root`, creating it and its sub-folders (mode 0700) if missing.
    pub fn open(root: &Path) -> io::Result<DataDir> {
        for dir in [root.to_path_buf(), root.join(BLOBS), root.join(TLS)] {
            create_private_dir(&dir).map_err(|e| {
                io::Error::new(e.kind(), format!("cannot create {}: {e}", dir.display()))
            })?;
        }
        Ok(DataDir {
            root: root.to_path_buf(),
        })
    }

    /// The directory itself.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// `<root>/meta.db`.
    pub fn meta_db(&self) -> PathBuf {
        self.root.join(META_DB)
    }

    /// `<root>/blobs`.
    pub fn blobs(&self) -> PathBuf {
        self.root.join(BLOBS)
    }

    /// `<root>/tls`.
    pub fn tls(&self) -> PathBuf {
        self.root.join(TLS)
    }

    /// `<root>/index`.
    pub fn index(&self) -> PathBuf {
        self.root.join(INDEX)
    }
}

/// `mkdir -p` with mode 0700 for every folder it creates.
fn create_private_dir(dir: &Path) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh data dir gets its tree, private; opening it again changes nothing.
    #[test]
    fn creates_private_tree() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let root = tmp.path().join("a/strata-data");
        let dd = DataDir::open(&root).expect("open");
        for dir in [dd.root().to_path_buf(), dd.blobs(), dd.tls()] {
            assert!(dir.is_dir(), "{}", dir.display());
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let mode = std::fs::metadata(&dir).expect("meta").permissions().mode();
                assert_eq!(mode & 0o777, 0o700, "{}", dir.display());
            }
        }
        assert_eq!(dd.meta_db(), root.join("meta.db"));
        assert_eq!(DataDir::open(&root).expect("reopen"), dd);
    }
}

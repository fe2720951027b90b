//! Configuration: which backend holds the bodies, and how to reach it.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use object_store::aws::AmazonS3Builder;
use object_store::local::LocalFileSystem;
use object_store::prefix::PrefixStore;
use object_store::{ClientOptions, ObjectStore, RetryConfig};

use crate::error::{BlobError, Result};

/// How the blob store is configured.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlobStoreConfig {
    /// Where the bodies live.
    pub backend: Backend,
    /// Re-hash every full [`get`](crate::BlobStore::get) and return
    /// [`BlobError::Corrupt`] on a mismatch. Costs one SHA-256 pass per read (roughly
    /// 0.3–0.5 GB/s per core in release); range reads are never verified because the hash
    /// covers the whole body. The size is always checked, whatever this flag says.
    pub verify_reads: bool,
    /// How long a failing S3 request is retried (exponential backoff) before the call returns
    /// [`BlobError::Unavailable`]. object_store's own default is 3 minutes, far longer than an
    /// IMAP client waits for a tagged response; ours is [`DEFAULT_RETRY_TIMEOUT`]. Unused by
    /// the local folder, whose errors are immediate.
    pub retry_timeout: Duration,
    /// Upper bound for one S3 request, body transfer included (object_store's default is
    /// 30 s). Large bodies are sent in 8 MiB parts, so this bounds a part upload, but a full
    /// [`get`](crate::BlobStore::get) of a big body is one request: size it for the slowest
    /// link you accept. Unused by the local folder.
    pub request_timeout: Duration,
}

/// The default for [`BlobStoreConfig::request_timeout`].
pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(120);

/// The default for [`BlobStoreConfig::retry_timeout`].
pub const DEFAULT_RETRY_TIMEOUT: Duration = Duration::from_secs(30);

impl BlobStoreConfig {
    /// A configuration for `backend` with the defaults: no read verification,
    /// [`DEFAULT_RETRY_TIMEOUT`], [`DEFAULT_REQUEST_TIMEOUT`].
    pub fn new(backend: Backend) -> Self {
        BlobStoreConfig {
            backend,
            verify_reads: false,
            retry_timeout: DEFAULT_RETRY_TIMEOUT,
            request_timeout: DEFAULT_REQUEST_TIMEOUT,
        }
    }

    /// The all-in-one default: a local folder, no read verification.
    pub fn local(root: impl Into<PathBuf>) -> Self {
        BlobStoreConfig::new(Backend::Local { root: root.into() })
    }
}

/// The backend that holds the bodies.
#[derive(Clone, PartialEq, Eq)]
pub enum Backend {
    /// A folder on a local file system (the all-in-one default, e.g. `<data dir>/blobs`).
    /// Created if missing. Writes are fsynced (file and directory) before `put` returns.
    Local {
        /// The folder; blobs go under `<root>/blobs/ab/cd/<hex>`.
        root: PathBuf,
    },
    /// An S3-compatible object store (AWS S3, MinIO, Garage, Ceph RGW, s3s-fs…).
    /// A successful PUT is durable by S3's own contract.
    S3 {
        /// Base URL, e.g. `http://127.0.0.1:9000`; `None` means AWS for `region`.
        endpoint: Option<String>,
        /// The bucket; it must already exist (the store never creates buckets).
        bucket: String,
        /// Region name used for SigV4 signing (`us-east-1` for most non-AWS servers).
        region: String,
        /// Access key id for SigV4.
        access_key_id: String,
        /// Secret access key for SigV4. Never printed by `Debug`.
        secret_access_key: String,
        /// Allow a plain `http://` endpoint (tests, in-cluster traffic). Off for AWS.
        allow_http: bool,
        /// Key prefix inside the bucket, so several deployments can share one bucket
        /// (`""` for none). Keys become `<prefix>/blobs/ab/cd/<hex>`.
        prefix: String,
    },
}

impl fmt::Debug for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Backend::Local { root } => f.debug_struct("Local").field("root", root).finish(),
            Backend::S3 {
                endpoint,
                bucket,
                region,
                access_key_id,
                secret_access_key: _,
                allow_http,
                prefix,
            } => f
                .debug_struct("S3")
                .field("endpoint", endpoint)
                .field("bucket", bucket)
                .field("region", region)
                .field("access_key_id", access_key_id)
                .field("secret_access_key", &"<redacted>")
                .field("allow_http", allow_http)
                .field("prefix", prefix)
                .finish(),
        }
    }
}

/// Builds the object_store client for `backend`.
///
/// The local folder uses object_store's `LocalFileSystem` with `with_fsync(true)` (since
/// object_store 0.14.2, hence the minimum version in the workspace table). We read its source
/// to confirm what that buys: a put writes a staging file `<key>#<n>` in the destination
/// folder, `sync_all`s it, renames it over the key and fsyncs the folder; folders it had to
/// create are fsynced up to the first one that existed. That is exactly the
/// temp-file/fsync/rename/fsync-dir sequence durability needs, so we do not write our own.
/// Without `with_fsync` (the default!) a put returns before anything reaches the disk and a
/// power loss after the tagged OK could lose the body, breaking invariant 3.
/// Automatic cleanup of empty folders stays off: it could remove a fan-out folder between a
/// concurrent put's `mkdir` and its rename.
pub(crate) fn build(config: &BlobStoreConfig) -> Result<Arc<dyn ObjectStore>> {
    match &config.backend {
        Backend::Local { root } => {
            if !root.is_dir() {
                create_root(root).map_err(|e| {
                    BlobError::Config(format!("cannot create blob folder {}: {e}", root.display()))
                })?;
            }
            let fs = LocalFileSystem::new_with_prefix(root)
                .map_err(|e| BlobError::Config(format!("blob folder {}: {e}", root.display())))?
                .with_fsync(true)
                .with_automatic_cleanup(false);
            Ok(Arc::new(fs))
        }
        Backend::S3 {
            endpoint,
            bucket,
            region,
            access_key_id,
            secret_access_key,
            allow_http,
            prefix,
        } => {
            // Client options first: `with_client_options` replaces all of them, including
            // the `allow_http` flag set below.
            let mut b = AmazonS3Builder::new()
                .with_client_options(ClientOptions::new().with_timeout(config.request_timeout))
                .with_bucket_name(bucket)
                .with_region(region)
                .with_access_key_id(access_key_id)
                .with_secret_access_key(secret_access_key)
                .with_allow_http(*allow_http)
                // Path-style requests (`endpoint/bucket/key`) work with every S3-compatible
                // server; virtual-hosted style needs wildcard DNS.
                .with_virtual_hosted_style_request(false)
                .with_retry(RetryConfig {
                    retry_timeout: config.retry_timeout,
                    ..RetryConfig::default()
                });
            if let Some(endpoint) = endpoint {
                b = b.with_endpoint(endpoint);
            }
            let s3 = b
                .build()
                .map_err(|e| BlobError::Config(format!("S3 bucket {bucket:?}: {e}")))?;
            let prefix = prefix.trim_matches('/');
            if prefix.is_empty() {
                Ok(Arc::new(s3))
            } else {
                Ok(Arc::new(PrefixStore::new(s3, prefix)))
            }
        }
    }
}

/// Creates the blob folder and fsyncs its parent, so the folder itself survives a crash
/// (object_store fsyncs only the folders it creates below it).
fn create_root(root: &std::path::Path) -> std::io::Result<()> {
    std::fs::create_dir_all(root)?;
    match root.parent() {
        #[cfg(unix)]
        Some(parent) if !parent.as_os_str().is_empty() => std::fs::File::open(parent)?.sync_all(),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The secret never appears in logs.
    #[test]
    fn debug_redacts_secret() {
        let b = Backend::S3 {
            endpoint: Some("http://127.0.0.1:1".into()),
            bucket: "mail".into(),
            region: "us-east-1".into(),
            access_key_id: "AKID".into(),
            secret_access_key: "hunter2".into(),
            allow_http: true,
            prefix: String::new(),
        };
        let text = format!("{b:?}");
        assert!(text.contains("AKID") && !text.contains("hunter2"), "{text}");
    }
}

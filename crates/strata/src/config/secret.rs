//! A string that never appears in `Debug` output (passwords in URLs, S3 secret keys), so a
//! logged `Config` leaks nothing.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A configuration string that `Debug` prints as `<redacted>`. It (de)serializes as a plain
/// string.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    /// Wraps a value.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The value itself, for the one place that needs it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.is_empty() {
            f.write_str("\"\"")
        } else {
            f.write_str("<redacted>")
        }
    }
}

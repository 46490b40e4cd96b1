//! Private directories in the shared temporary directory: mode 0700, a name no one can
//! guess ahead (process id, time and a counter), created with `mkdir` (never an existing
//! directory or a symlink planted there by another user).

use std::path::{Path, PathBuf};

/// Creates a new private directory `PREFIX-...` in [`std::env::temp_dir`].
///
/// # Errors
///
/// The directory cannot be created (after a few names already taken, the last error).
pub fn private_dir(prefix: &str) -> std::io::Result<PathBuf> {
    let base = std::env::temp_dir();
    let mut last = std::io::Error::other("no attempt made");
    for attempt in 0..16u32 {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default();
        let path = base.join(format!("{prefix}-{}-{nanos}-{attempt}", std::process::id()));
        let mut builder = std::fs::DirBuilder::new();
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        match builder.create(&path) {
            Ok(()) => return Ok(path),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => last = e,
            Err(e) => return Err(e),
        }
    }
    Err(last)
}

/// A [`private_dir`] removed with what it holds when dropped.
#[derive(Debug)]
pub struct TempDir(PathBuf);

impl TempDir {
    /// A new private directory `PREFIX-...`.
    ///
    /// # Errors
    ///
    /// As [`private_dir`].
    pub fn new(prefix: &str) -> std::io::Result<Self> {
        private_dir(prefix).map(TempDir)
    }

    /// Where it is.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn private_and_removed() {
        let dir = super::TempDir::new("meeting-sync-test").ok();
        let path = dir.as_ref().map(|d| d.path().to_path_buf());
        assert!(path.as_ref().is_some_and(|p| p.is_dir()));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = path
                .as_ref()
                .and_then(|p| std::fs::metadata(p).ok())
                .map(|m| m.permissions().mode() & 0o777);
            assert_eq!(mode, Some(0o700));
        }
        drop(dir);
        assert!(path.is_some_and(|p| !p.exists()));
    }
}

//! Files replaced whole: written to a temporary file beside the target and renamed into place
//! only when complete, so that a failed or killed run leaves the old file as it was.

use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use tempfile::NamedTempFile;

/// A file being written; it replaces `path` on `commit` and vanishes if dropped before.
/// A destination that is not a regular file (`/dev/null`, a named pipe, a terminal) cannot be
/// replaced, and is written directly.
pub struct AtomicFile {
    out: Target,
    path: PathBuf,
}

enum Target {
    Temporary(BufWriter<NamedTempFile>),
    Direct(BufWriter<std::fs::File>),
}

impl AtomicFile {
    pub fn create(path: &Path) -> anyhow::Result<AtomicFile> {
        if let Ok(meta) = std::fs::metadata(path)
            && !meta.is_file()
        {
            let file = std::fs::OpenOptions::new()
                .write(true)
                .open(path)
                .with_context(|| format!("cannot write {}", path.display()))?;
            return Ok(AtomicFile {
                out: Target::Direct(BufWriter::with_capacity(256 * 1024, file)),
                path: path.to_owned(),
            });
        }
        // Same folder, so the rename stays on one file system and is atomic.
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        let tmp = tempfile::Builder::new()
            .prefix(".auditctl-")
            .suffix(".tmp")
            .tempfile_in(dir)
            .with_context(|| format!("cannot create a file in {}", dir.display()))?;
        // A replaced file keeps its permissions; a new one is private to its owner (0600),
        // as audit data should be.
        if let Ok(meta) = std::fs::metadata(path) {
            tmp.as_file()
                .set_permissions(meta.permissions())
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
        Ok(AtomicFile {
            out: Target::Temporary(BufWriter::with_capacity(256 * 1024, tmp)),
            path: path.to_owned(),
        })
    }

    /// Flushes, syncs to disk and renames the file into place.
    pub fn commit(self) -> anyhow::Result<()> {
        let out = match self.out {
            Target::Temporary(out) => out,
            Target::Direct(mut out) => {
                return out
                    .flush()
                    .with_context(|| format!("cannot write {}", self.path.display()));
            }
        };
        let tmp = out
            .into_inner()
            .map_err(|e| e.into_error())
            .with_context(|| format!("cannot write {}", self.path.display()))?;
        tmp.as_file()
            .sync_all()
            .with_context(|| format!("cannot write {}", self.path.display()))?;
        tmp.persist(&self.path)
            .map_err(|e| e.error)
            .with_context(|| format!("cannot replace {}", self.path.display()))?;
        Ok(())
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.out {
            Target::Temporary(out) => out.write(buf),
            Target::Direct(out) => out.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.out {
            Target::Temporary(out) => out.flush(),
            Target::Direct(out) => out.flush(),
        }
    }
}

/// Replaces `path` with `bytes` atomically.
pub fn write(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let mut file = AtomicFile::create(path)?;
    file.write_all(bytes)?;
    file.commit()
}

/// Renames `from` to `to` unless `to` exists, in one step where the file system can
/// (`renameat2` with `RENAME_NOREPLACE`): fails with `AlreadyExists` rather than replace a file
/// another process made there. Where the file system cannot, a last look that `to` is free,
/// then a rename.
pub fn rename_no_replace(from: &Path, to: &Path) -> io::Result<()> {
    use std::os::unix::ffi::OsStrExt;
    let c = |p: &Path| {
        std::ffi::CString::new(p.as_os_str().as_bytes())
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "a path holds a NUL"))
    };
    let (old, new) = (c(from)?, c(to)?);
    // SAFETY: both paths are NUL-terminated C strings that live across the call.
    let done = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            old.as_ptr(),
            libc::AT_FDCWD,
            new.as_ptr(),
            libc::RENAME_NOREPLACE,
        )
    };
    if done == 0 {
        return Ok(());
    }
    let e = io::Error::last_os_error();
    match e.raw_os_error() {
        Some(libc::EINVAL | libc::ENOSYS | libc::ENOTSUP) if !to.exists() => {
            std::fs::rename(from, to)
        }
        Some(libc::EINVAL | libc::ENOSYS | libc::ENOTSUP) => {
            Err(io::Error::from(io::ErrorKind::AlreadyExists))
        }
        _ => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rename_that_does_not_replace() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a"), dir.path().join("b"));
        std::fs::write(&a, "new").unwrap();
        std::fs::write(&b, "there first").unwrap();
        let e = rename_no_replace(&a, &b).unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(std::fs::read_to_string(&b).unwrap(), "there first");
        std::fs::remove_file(&b).unwrap();
        rename_no_replace(&a, &b).unwrap();
        assert_eq!(std::fs::read_to_string(&b).unwrap(), "new");
        assert!(!a.exists());
    }

    #[test]
    fn replaced_only_on_commit() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.csv");
        std::fs::write(&path, "old").unwrap();
        {
            let mut f = AtomicFile::create(&path).unwrap();
            f.write_all(b"half").unwrap();
            // Dropped without commit: the old file stays, no temporary file is left.
        }
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "old");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        write(&path, b"new").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
    }

    #[test]
    fn devices_are_written_not_replaced() {
        let null = Path::new("/dev/null");
        let mut f = AtomicFile::create(null).unwrap();
        f.write_all(b"gone").unwrap();
        f.commit().unwrap();
        assert!(
            !std::fs::metadata(null).unwrap().is_file(),
            "still a device"
        );
    }
}

//! Where the events are — a store file, a JSON Lines file, a server — and what kind of store a
//! file is, found out once per process, before any connection.
//!
//! Why once, and why here only: closing any file descriptor of a file drops every POSIX lock
//! the process holds on that file, SQLite's included (SQLite's "How To Corrupt An SQLite
//! Database File", section 2.2). A process that opened and closed the store file with `std::fs`
//! while it also had an SQLite connection to it made other processes believe that connection
//! gone: they checkpointed and truncated the WAL under its live writers, and acknowledged
//! events were lost. So the bytes of a store file are read in [`Location::sniff`] only, before
//! the process makes its first connection; everything after goes through SQLite. Nothing else
//! in auditctl opens a store file, its `-wal` or its `-shm` outside SQLite.

use std::io::Read;
use std::path::{Path, PathBuf};

use super::jsonl::JsonlStore;
use super::postgres::PgStore;
use super::sqlite::SqliteStore;
use super::{Backend, StoreError};
use crate::error::Failure;
use crate::redact::Redactor;
use crate::remote::RemoteStore;

/// Where the events are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// An SQLite store, or a path where one does not exist yet (missing or empty file).
    Sqlite(PathBuf),
    /// JSON Lines of auditctl events or a Kubernetes audit log, read directly, never written.
    JsonLines(PathBuf),
    /// A server, through the audit HTTP API, with the bearer token to use.
    Remote { url: String, token: Option<String> },
    /// A PostgreSQL database (`postgres://…`), shared by many writers.
    Postgres(String),
}

/// The first bytes of an SQLite database file.
const SQLITE_HEADER: &[u8; 16] = b"SQLite format 3\0";

/// Names of files that hold lines of JSON (`audit.log`, `events.jsonl`, `trail.json`), never a
/// store.
fn is_log_name(path: &Path) -> bool {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase());
    name.is_some_and(|n| {
        [".log", ".jsonl", ".ndjson", ".json"]
            .iter()
            .any(|ext| n.ends_with(ext))
    })
}

impl Location {
    /// The store `--store` names: a PostgreSQL URL, else a file whose kind its first bytes
    /// tell (`sniff`).
    pub fn of(store: &Path) -> anyhow::Result<Location> {
        match store.to_str() {
            Some(url) if super::postgres::is_postgres_url(url) => {
                Ok(Location::Postgres(url.to_owned()))
            }
            _ => Location::sniff(store),
        }
    }

    /// Looks at the first bytes of `path`, which must not be open in an SQLite connection of
    /// this process (see the module documentation). A missing or empty file is an SQLite store
    /// not yet made; a gzip file or any other non-store is an error that says what it is.
    pub fn sniff(path: &Path) -> anyhow::Result<Location> {
        if path.is_dir() {
            return Err(StoreError::Foreign {
                path: path.to_owned(),
                why: "a directory".into(),
            }
            .into());
        }
        let mut head = Vec::with_capacity(64);
        match std::fs::File::open(path) {
            Ok(file) => {
                file.take(64).read_to_end(&mut head).map_err(|e| {
                    Failure::runtime(format!("cannot read {}: {e}", path.display()))
                })?;
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(
                    Failure::runtime(format!("cannot read {}: {e}", path.display())).into(),
                );
            }
        }
        if head.starts_with(&[0x1f, 0x8b]) {
            return Err(Failure::runtime(format!(
                "{} is gzip-compressed: a store is read only as it is",
                path.display()
            ))
            .with_hint(format!(
                "import it into a store (`auditctl import {0}` reads gzip), or decompress it \
                 (`gunzip -k {0}`)",
                path.display()
            ))
            .into());
        }
        let text = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&head);
        let text = text.trim_ascii_start();
        // An empty log (one just rotated) has no events yet; an empty file of any other name
        // is a store not yet made.
        if text.starts_with(b"{") || (head.is_empty() && is_log_name(path)) {
            return Ok(Location::JsonLines(path.to_owned()));
        }
        if head.is_empty() || head.starts_with(SQLITE_HEADER) {
            return Ok(Location::Sqlite(path.to_owned()));
        }
        Err(StoreError::Foreign {
            path: path.to_owned(),
            why: "not an SQLite database".into(),
        }
        .into())
    }

    /// The file of a local store (none for a server).
    pub fn path(&self) -> Option<&Path> {
        match self {
            Location::Sqlite(p) | Location::JsonLines(p) => Some(p),
            Location::Remote { .. } | Location::Postgres(_) => None,
        }
    }

    /// Where the events are, as it may be shown (a server's URL without its password).
    pub fn display(&self) -> String {
        match self {
            Location::Sqlite(p) | Location::JsonLines(p) => p.display().to_string(),
            Location::Remote { url, .. } | Location::Postgres(url) => {
                crate::remote::without_password(url)
            }
        }
    }

    /// The back end, to read from and to use what else it can do. A missing SQLite store is
    /// an error with a hint, never created. `search` names the keys whose values a search of
    /// a file read directly never looks in (a store's index records its own).
    pub fn open(&self, search: &Redactor) -> anyhow::Result<Box<dyn Backend>> {
        Ok(match self {
            Location::Sqlite(path) => {
                let mut store = SqliteStore::open(path)?;
                // The index is made to leave out what this reader's configuration hides too;
                // a store it may not write keeps its index (its reader holds the file anyway).
                if let Err(e) = store.hide_in_search(search)
                    && !e.is_read_only()
                {
                    return Err(e.into());
                }
                Box::new(store)
            }
            Location::JsonLines(path) => Box::new(JsonlStore::open(path, search)),
            Location::Remote { url, token } => Box::new(RemoteStore::new(url, token.clone())?),
            Location::Postgres(url) => {
                let mut store = PgStore::open(url)?;
                store.hide_in_search_if_allowed(search)?;
                Box::new(store)
            }
        })
    }

    /// The back end to append to: a local store is created when absent, and made to leave
    /// out of its search index the values of every key `search` hides.
    pub fn open_for_append(&self, search: &Redactor) -> anyhow::Result<Box<dyn Backend>> {
        match self {
            Location::Sqlite(path) => {
                let mut store = SqliteStore::open_or_create(path)?;
                store.hide_in_search(search)?;
                Ok(Box::new(store))
            }
            Location::JsonLines(path) => Err(read_only(path)),
            Location::Remote { .. } => self.open(search),
            Location::Postgres(url) => {
                let mut store = PgStore::open_or_create(url)?;
                store.hide_in_search(search)?;
                Ok(Box::new(store))
            }
        }
    }

    /// Makes a store's search index leave out the values of every key `search` hides (what
    /// `serve` does before it answers anyone).
    pub fn hide_in_search(&self, search: &Redactor) -> anyhow::Result<()> {
        match self {
            Location::Sqlite(path) => SqliteStore::open(path)?.hide_in_search(search)?,
            Location::Postgres(url) => PgStore::open(url)?.hide_in_search(search)?,
            Location::JsonLines(_) | Location::Remote { .. } => {}
        }
        Ok(())
    }

    /// Whether this is a local store yet to be made (no file at its path).
    pub fn is_new(&self) -> bool {
        matches!(self, Location::Sqlite(path) if !path.exists())
    }

    /// Makes the store holding `entries`, all or nothing, built whole before it appears at
    /// its path (a first import): faster than appending, and never seen half made.
    pub fn create_with(
        &self,
        entries: &mut dyn Iterator<Item = anyhow::Result<super::NewEntry>>,
        search: &Redactor,
    ) -> anyhow::Result<super::AppendReport> {
        match self {
            Location::Sqlite(path) => SqliteStore::create_with(path, entries, search),
            _ => self
                .open_for_append(search)?
                .append()?
                .append_entries(entries),
        }
    }

    /// Replaces the local store with one holding `entries`, built whole first (`demo --force`).
    pub fn replace_with(
        &self,
        entries: &mut dyn Iterator<Item = anyhow::Result<super::NewEntry>>,
        search: &Redactor,
    ) -> anyhow::Result<super::AppendReport> {
        match self {
            Location::Sqlite(path) => SqliteStore::replace_with(path, entries, search),
            Location::Postgres(_) => Err(Failure::usage(
                "a PostgreSQL store is append-only: it is never replaced",
            )
            .into()),
            _ => Err(Failure::usage("only a local store file can be replaced").into()),
        }
    }

    /// The local SQLite store, for what only a store file offers (building one whole).
    pub fn sqlite(&self) -> anyhow::Result<SqliteStore> {
        match self {
            Location::Sqlite(path) => Ok(SqliteStore::open(path)?),
            Location::JsonLines(path) => Err(read_only(path)),
            Location::Remote { .. } => Err(Failure::usage(
                "this is not available with --remote: it works on a store file",
            )
            .with_hint("use --store with a local store file")
            .into()),
            Location::Postgres(_) => Err(Failure::usage(
                "this is not available on a PostgreSQL store: it works on a store file",
            )
            .into()),
        }
    }
}

impl Location {
    /// The store as `copy` reads and writes it: an SQLite file or a PostgreSQL database
    /// (created when `create` and absent).
    pub fn open_log(&self, create: bool) -> anyhow::Result<Box<dyn super::LogStore>> {
        Ok(match self {
            Location::Sqlite(path) if create => Box::new(SqliteStore::open_or_create(path)?),
            Location::Sqlite(path) => Box::new(SqliteStore::open(path)?),
            Location::Postgres(url) if create => Box::new(PgStore::open_or_create(url)?),
            Location::Postgres(url) => Box::new(PgStore::open(url)?),
            Location::JsonLines(path) => {
                return Err(Failure::usage(format!(
                    "{} is a JSON Lines file: copy works between stores (SQLite files and                      PostgreSQL databases)",
                    path.display()
                ))
                .with_hint(format!("import it instead: auditctl import {}", path.display()))
                .into());
            }
            Location::Remote { .. } => {
                return Err(Failure::usage(
                    "copy works between stores (SQLite files and PostgreSQL databases), not                      through a server",
                )
                .into());
            }
        })
    }
}

fn read_only(path: &Path) -> anyhow::Error {
    StoreError::ReadOnly(
        path.display().to_string(),
        "a JSON Lines file is read directly and never written",
    )
    .into()
}

/// Whether `candidate` is the store file at `store` or one of its `-wal`/`-shm` files: such a
/// file must never be read as input while this process has the store open (see above).
pub fn is_store_file(store: &Path, candidate: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    let Ok(c) = std::fs::metadata(candidate) else {
        return false;
    };
    ["", "-wal", "-shm"].iter().any(|suffix| {
        let mut p = store.as_os_str().to_owned();
        p.push(suffix);
        std::fs::metadata(&p).is_ok_and(|m| m.dev() == c.dev() && m.ino() == c.ino())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_from_the_first_bytes() {
        let dir = tempfile::tempdir().unwrap();
        let write = |name: &str, bytes: &[u8]| {
            let p = dir.path().join(name);
            std::fs::write(&p, bytes).unwrap();
            p
        };
        let missing = dir.path().join("missing.db");
        assert_eq!(
            Location::sniff(&missing).unwrap(),
            Location::Sqlite(missing.clone())
        );
        let empty = write("empty.db", b"");
        assert!(matches!(
            Location::sniff(&empty).unwrap(),
            Location::Sqlite(_)
        ));
        let lines = write("a.jsonl", b"\xEF\xBB\xBF  {\"id\":1}\n");
        assert!(matches!(
            Location::sniff(&lines).unwrap(),
            Location::JsonLines(_)
        ));
        let db = write("s.db", b"SQLite format 3\0rest of the header");
        assert!(matches!(Location::sniff(&db).unwrap(), Location::Sqlite(_)));
        let gz = write("a.gz", &[0x1f, 0x8b, 8, 0]);
        assert!(format!("{:#}", Location::sniff(&gz).unwrap_err()).contains("gzip"));
        let text = write("notes.txt", b"hello");
        assert!(format!("{:#}", Location::sniff(&text).unwrap_err()).contains("not an SQLite"));
        assert!(format!("{:#}", Location::sniff(dir.path()).unwrap_err()).contains("a directory"));
    }

    #[test]
    fn the_store_and_its_wal_are_store_files() {
        let dir = tempfile::tempdir().unwrap();
        let store = dir.path().join("audit.db");
        std::fs::write(&store, b"").unwrap();
        std::fs::write(dir.path().join("audit.db-wal"), b"").unwrap();
        std::fs::write(dir.path().join("other"), b"").unwrap();
        std::fs::hard_link(&store, dir.path().join("link")).unwrap();
        assert!(is_store_file(&store, &store));
        assert!(is_store_file(&store, &dir.path().join("link")));
        assert!(is_store_file(&store, &dir.path().join("audit.db-wal")));
        assert!(!is_store_file(&store, &dir.path().join("other")));
        assert!(!is_store_file(&store, &dir.path().join("nothing")));
    }
}

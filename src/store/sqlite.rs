//! The local store: one SQLite file in WAL mode, append-only, with indexed columns derived
//! from each canonical entry and its RFC 9162 leaf hash.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, OptionalExtension, TransactionBehavior, params};

use super::alongside::ticking;
use super::search_aside::AsideIndex;
use super::{
    AppendReport, IfStored, NewEntry, Query, SortField, Store, StoreError, functions, schema,
};
use crate::error::Failure;
use crate::model::{self, Event};
use crate::query::{Expr, Field, sql};
use crate::redact::Redactor;

/// How long a writer waits for another process's write transaction before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// The page cache of an append, in KiB as `PRAGMA cache_size` takes it (negative).
const APPEND_CACHE_KIB: i64 = -64 * 1024;

/// The page cache while the indexes of a bulk load are built, in KiB. SQLite's sorter keeps
/// up to a page cache's worth of keys in one list before it sorts it into a run: with the
/// append's 64 MiB that is one large in-memory sort on one thread, cache-unfriendly; at 4 MiB
/// (its smallest run at 16 KiB pages) the runs are sorted on a second thread (`threads`) and
/// merged. The eight indexes of 1M events: 5.9 s → 3.9 s.
const INDEX_SORT_CACHE_KIB: i64 = -4 * 1024;

/// SQLite's wait for another process's lock, in place of its busy timeout: a few
/// milliseconds at a time up to `BUSY_TIMEOUT`, given up at once when a command that catches
/// Ctrl-C was asked to stop (`interrupt`), which it then reports as interrupted.
fn wait_for_lock(waited: i32) -> bool {
    const STEP: Duration = Duration::from_millis(5);
    if crate::interrupt::requested() || STEP * waited.unsigned_abs() >= BUSY_TIMEOUT {
        return false;
    }
    std::thread::sleep(STEP);
    true
}

/// The error of an index build: SQLite's sorter writes its runs to its temporary folder, so a
/// full disk there reads "database or disk is full" of a store whose own disk has room.
fn no_room_to_sort(path: &Path, e: rusqlite::Error) -> anyhow::Error {
    if e.sqlite_error_code() != Some(rusqlite::ErrorCode::DiskFull) {
        return StoreError::Sqlite {
            path: path.to_owned(),
            source: e,
        }
        .into();
    }
    Failure::runtime(format!(
        "{}: no room to sort its indexes: its folder or SQLite's temporary folder ({}) is full",
        path.display(),
        sqlite_temp_dir().display()
    ))
    .with_hint(
        "free space there, or set SQLITE_TMPDIR to a folder with room (about 60 MB a million \
         events); nothing was imported",
    )
    .into()
}

/// The folder SQLite writes its temporary files to: the first of these that is a folder it
/// may write (SQLite's `unixTempFileDir`).
fn sqlite_temp_dir() -> PathBuf {
    let from_env = ["SQLITE_TMPDIR", "TMPDIR"]
        .into_iter()
        .filter_map(|v| std::env::var_os(v).map(PathBuf::from));
    let fixed = ["/var/tmp", "/usr/tmp", "/tmp"]
        .into_iter()
        .map(PathBuf::from);
    from_env
        .chain(fixed)
        .find(|dir| {
            use std::os::unix::ffi::OsStrExt;
            let Ok(c) = std::ffi::CString::new(dir.as_os_str().as_bytes()) else {
                return false;
            };
            // SAFETY: `c` is a NUL-terminated path that outlives the call.
            dir.is_dir() && unsafe { libc::access(c.as_ptr(), libc::W_OK | libc::X_OK) } == 0
        })
        .unwrap_or_else(|| PathBuf::from("."))
}

/// Runs `work` on `conn`, cut short by `sqlite3_interrupt` once `stop` is set (the process's
/// flag: Ctrl-C in `import`): a statement of seconds, such as a new store's index sort, then
/// ends within a tick rather than when it is done.
fn interruptible<T>(conn: &Connection, stop: &AtomicBool, work: impl FnOnce() -> T) -> T {
    let handle = conn.get_interrupt_handle();
    let stopped = || {
        let now = stop.load(Ordering::Relaxed);
        if now {
            handle.interrupt();
        }
        !now
    };
    ticking(Duration::from_millis(50), stopped, work)
}

/// Whether SQLite gave up on a lock.
fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked)
    )
}

/// How often a store being built is synced while it is made.
const WRITEBACK_EVERY: Duration = Duration::from_secs(1);

/// The page size of a store built by a first import (SQLite's default, 4 KiB, elsewhere).
const BUILT_PAGE_SIZE: i64 = 16 * 1024;

pub struct SqliteStore {
    pub(super) conn: Connection,
    pub(super) path: PathBuf,
    /// The keys whose values the search index leaves out: the built-in ones and those
    /// recorded in the store (`hide_in_search`).
    pub(super) search: Redactor,
    /// Whether the search index was made by the current rules of which keys are sensitive.
    search_current: std::cell::Cell<bool>,
}

/// The `store_info` key that lists the keys, beyond the built-in ones, whose values the
/// search index leaves out (a JSON array), with keys matched folded (`redact::folded_key`).
const SEARCH_KEYS: &str = "search_hides";
/// The same list from before keys were folded: its index may hold the values of `apiKey` and
/// the like, so a store that has only this one is reindexed by the next process that may.
const LEGACY_SEARCH_KEYS: &str = "redact_keys";

impl SqliteStore {
    /// Opens an existing store; a missing file is `StoreError::Missing` and is not created.
    pub fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        // An empty file is a store whose making was cut short (or is under way): none yet.
        if std::fs::metadata(path).is_ok_and(|m| m.len() == 0) || !path.exists() {
            return Err(StoreError::Missing(path.to_owned()));
        }
        // A store one may read but not write (an auditor's copy in a folder of someone else's)
        // is opened read-only; SQLite says so only on the first read.
        let opened = Self::connect(path, OpenFlags::SQLITE_OPEN_READ_WRITE).and_then(|s| {
            s.probe()?;
            Ok(s)
        });
        let mut store = match opened {
            Err(e) if e.is_not_writable() => Self::open_read_only(path)?,
            other => other?,
        };
        store.check_schema()?;
        store.search = store.recorded_search()?;
        Ok(store)
    }

    /// Opens a store this process may not write. SQLite reads a WAL store through its `-shm`
    /// file; where there is none and none can be made (a folder one may not write) it reads
    /// the store only as immutable, which is what it then is to everyone: with no `-wal`
    /// beside it every event is in the file, and no writer can start without making one.
    fn open_read_only(path: &Path) -> Result<SqliteStore, StoreError> {
        let opened = Self::connect(path, OpenFlags::SQLITE_OPEN_READ_ONLY).and_then(|s| {
            s.probe()?;
            Ok(s)
        });
        match opened {
            Ok(store) => return Ok(store),
            Err(e) if e.is_not_writable() && !wal_of(path).exists() => {}
            Err(e) => return Err(e),
        }
        let uri = format!("file:{}?immutable=1", uri_path(path));
        let conn = super::library::open(
            &uri,
            OpenFlags::SQLITE_OPEN_READ_ONLY
                | OpenFlags::SQLITE_OPEN_URI
                | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|source| StoreError::Sqlite {
            path: path.to_owned(),
            source,
        })?;
        Self::with_connection(path, conn)
    }

    /// Reads the schema, as every use of the store will: the first read opens the WAL index,
    /// and fails where the process may not make it.
    fn probe(&self) -> Result<(), StoreError> {
        self.conn
            .query_row("SELECT count(*) FROM sqlite_schema", [], |_| Ok(()))
            .map_err(|e| self.sqlite_err(e))
    }

    /// `NotWritable` for a store opened read-only, before anything is asked that would write.
    pub(super) fn writable(&self) -> Result<(), StoreError> {
        if self.is_read_only() {
            return Err(StoreError::NotWritable(self.path.clone()));
        }
        Ok(())
    }

    /// Whether this connection may not write (the file or its folder is not the process's
    /// to write).
    pub fn is_read_only(&self) -> bool {
        self.conn.is_readonly(rusqlite::MAIN_DB).unwrap_or(true)
    }

    /// Opens a store for appending, creating the file and its schema when absent; first removes
    /// what builds killed outright left in its folder.
    ///
    /// Processes that race to create the same store can get SQLITE_BUSY straight away, without
    /// the busy timeout (switching a new file to WAL, SQLite's deadlock avoidance): creating is
    /// idempotent, so it is tried again until the busy timeout has passed.
    pub fn open_or_create(path: &Path) -> Result<SqliteStore, StoreError> {
        if let Some(dir) = path.parent() {
            sweep_abandoned_builds(if dir.as_os_str().is_empty() {
                Path::new(".")
            } else {
                dir
            });
        }
        refuse_orphan_wal(path)?;
        let deadline = std::time::Instant::now() + BUSY_TIMEOUT;
        loop {
            let opened = Self::connect(
                path,
                OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE,
            )
            .and_then(|mut store| {
                store.initialise("WAL", path)?;
                store.search = store.recorded_search()?;
                Ok(store)
            });
            match opened {
                Err(StoreError::Sqlite { source, .. })
                    if is_busy(&source)
                        && std::time::Instant::now() < deadline
                        && !crate::interrupt::requested() =>
                {
                    std::thread::sleep(Duration::from_millis(10));
                }
                // SQLite opens a file it may not write read-only, and a store in a folder it
                // may not write fails on the first read: either way, no store to append to.
                Ok(store) if store.is_read_only() => {
                    return Err(StoreError::NotWritable(path.to_owned()));
                }
                Err(e) if e.is_not_writable() && folder_of(path).is_dir() => {
                    return Err(StoreError::NotWritable(path.to_owned()));
                }
                other => return other,
            }
        }
    }

    /// Creates a new store at `path` holding `entries`, all or nothing, faster than appending
    /// to an empty store: the file is built beside `path` without a journal (a failed build is
    /// simply deleted), its indexes built once at the end, then switched to WAL, synced, and
    /// linked into place, which fails rather than replace a store another process created
    /// meanwhile. At no instant does `path` hold a partial store.
    pub fn create_with(
        path: &Path,
        entries: &mut dyn Iterator<Item = anyhow::Result<NewEntry>>,
        search: &Redactor,
    ) -> anyhow::Result<AppendReport> {
        Self::build_aside(path, entries, search, false)
    }

    /// `create_with`, but the finished store replaces the one at `path` (`demo --force`): the
    /// old one stays whole until the new one is complete, then goes with its WAL.
    pub fn replace_with(
        path: &Path,
        entries: &mut dyn Iterator<Item = anyhow::Result<NewEntry>>,
        search: &Redactor,
    ) -> anyhow::Result<AppendReport> {
        Self::build_aside(path, entries, search, true)
    }

    fn build_aside(
        path: &Path,
        entries: &mut dyn Iterator<Item = anyhow::Result<NewEntry>>,
        search: &Redactor,
        replace: bool,
    ) -> anyhow::Result<AppendReport> {
        let path = &through_dangling_links(path);
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        sweep_abandoned_builds(dir);
        if !replace {
            refuse_orphan_wal(path)?;
        }
        // The mode SQLite gives a store it creates, less the umask (as for `record`).
        let temp = tempfile::Builder::new()
            .prefix(&build_prefix(&name))
            .suffix(BUILDING)
            .permissions(std::os::unix::fs::PermissionsExt::from_mode(0o644))
            .tempfile_in(dir)
            .map_err(|e| {
                Failure::runtime(format!("cannot create a file in {}: {e}", dir.display()))
            })?;
        // Held while this process lives: a build killed outright leaves its file unlocked, and
        // the next process that makes a store here removes it (`sweep_abandoned_builds`). An
        // flock, on a descriptor SQLite does not share, leaves SQLite's own locks alone.
        temp.as_file()
            .try_lock()
            .map_err(|e| Failure::runtime(format!("cannot lock {}: {e}", temp.path().display())))?;
        let mut store = Self::connect(temp.path(), OpenFlags::SQLITE_OPEN_READ_WRITE)?;
        // Errors name the store being made, not the temporary file.
        store.path = path.to_owned();
        let wrap = |source| StoreError::Sqlite {
            path: path.to_owned(),
            source,
        };
        store
            .conn
            .pragma_update(None, "synchronous", "OFF")
            .map_err(wrap)?;
        // Larger pages for a store that starts big: shallower trees and a quarter of the page
        // reads and writes (1M events: 22.3 s -> 19.0 s). Set before the first table exists.
        store
            .conn
            .pragma_update(None, "page_size", BUILT_PAGE_SIZE)
            .map_err(wrap)?;
        store.initialise("OFF", path)?;
        // The entries were made leaving out the values `search` hides: the store records it.
        store
            .conn
            .execute(
                "INSERT OR REPLACE INTO store_info (key, value) VALUES (?1, ?2)",
                params![
                    SEARCH_KEYS,
                    serde_json::to_string(&search.extra_keys()).unwrap_or_default()
                ],
            )
            .map_err(wrap)?;
        store.search = search.clone();
        let aside = aside_index(dir, &name)?;
        // Written out as it is made: the kernel would hold the whole file in memory until the
        // final sync, which then waited for all of it (1M events: 0.5 s, now mostly done
        // while the indexes are sorted). Synced through a file opened apart, so that a failed
        // sync is not lost: the kernel reports a write error once to each open file, and the
        // final sync, on `temp`'s own, still gets it.
        let file = std::fs::File::open(temp.path())
            .map_err(|e| Failure::runtime(format!("cannot open {}: {e}", temp.path().display())))?;
        let write_out = || {
            let _ = file.sync_data();
            true
        };
        let report = ticking(WRITEBACK_EVERY, write_out, || {
            store.append_all(entries, true, aside)
        })?;
        let mode: String = store
            .conn
            .pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))
            .map_err(wrap)?;
        if !mode.eq_ignore_ascii_case("wal") {
            anyhow::bail!(
                "{}: SQLite would not switch the new store to WAL",
                path.display()
            );
        }
        drop(store);
        let synced = temp.as_file().sync_all();
        // Asked to stop while the store was finished (Ctrl-C in `import`): it is not put in
        // place, and its files go with `temp`.
        if crate::interrupt::requested() {
            anyhow::bail!("{}: interrupted; the store was not made", path.display());
        }
        if replace {
            synced
                .and_then(|()| std::fs::rename(temp.path(), path))
                .map_err(|e| Failure::runtime(format!("cannot replace {}: {e}", path.display())))?;
            // The old store's WAL and shared memory belong to a file that is gone.
            for suffix in ["-wal", "-shm"] {
                let mut file = path.as_os_str().to_owned();
                file.push(suffix);
                let _ = std::fs::remove_file(file);
            }
            if let Ok(d) = std::fs::File::open(dir) {
                let _ = d.sync_all();
            }
            return Ok(report);
        }
        refuse_orphan_wal(path)?;
        let linked = synced.and_then(|()| match std::fs::hard_link(temp.path(), path) {
            // A file system without hard links (FAT, some network mounts): a rename that
            // does not replace.
            Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists => {
                crate::atomic::rename_no_replace(temp.path(), path)
            }
            other => other,
        });
        match linked {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                return Err(Failure::runtime(format!(
                    "{} was created by another process during the import; nothing was imported",
                    path.display()
                ))
                .with_hint("run the import again: it appends to that store")
                .into());
            }
            Err(e) => {
                return Err(
                    Failure::runtime(format!("cannot create {}: {e}", path.display())).into(),
                );
            }
        }
        drop(temp);
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
        Ok(report)
    }

    fn connect(path: &Path, flags: OpenFlags) -> Result<SqliteStore, StoreError> {
        let err = |source| StoreError::Sqlite {
            path: path.to_owned(),
            source,
        };
        // The file's kind was told by `Location::sniff` before any connection: it is not read
        // here, outside SQLite, where a connection of this process may be open (see there).
        // A path is a file name, never an SQLite URI (`file:x.db?mode=memory` would write
        // nowhere): one that starts `file:` is given as `./file:…`.
        let plain;
        let path_for_sqlite = if path.as_os_str().as_encoded_bytes().starts_with(b"file:") {
            plain = Path::new(".").join(path);
            &plain
        } else {
            path
        };
        let conn = super::library::open(
            path_for_sqlite,
            (flags | OpenFlags::SQLITE_OPEN_NO_MUTEX) - OpenFlags::SQLITE_OPEN_URI,
        )
        .map_err(err)?;
        Self::with_connection(path, conn)
    }

    /// A store over a new connection: busy timeout, full sync and auditctl's SQL functions.
    fn with_connection(path: &Path, conn: Connection) -> Result<SqliteStore, StoreError> {
        let err = |source| StoreError::Sqlite {
            path: path.to_owned(),
            source,
        };
        conn.busy_handler(Some(wait_for_lock)).map_err(err)?;
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(err)?;
        functions::register(&conn).map_err(err)?;
        Ok(SqliteStore {
            conn,
            path: path.to_owned(),
            search: Redactor::builtin().clone(),
            search_current: std::cell::Cell::new(false),
        })
    }

    /// The search redactor the store records, read in `conn`'s current transaction, and
    /// whether its index was made by the current rules (else it is to be made again).
    fn recorded_search_rules(&self) -> Result<(Redactor, bool), StoreError> {
        let read = |key: &str| -> Result<Option<String>, StoreError> {
            self.conn
                .query_row("SELECT value FROM store_info WHERE key = ?1", [key], |r| {
                    r.get(0)
                })
                .optional()
                .map_err(|e| self.sqlite_err(e))
        };
        let (text, current) = match read(SEARCH_KEYS)? {
            Some(text) => (Some(text), true),
            None => (read(LEGACY_SEARCH_KEYS)?, false),
        };
        let keys: Vec<String> = match text {
            Some(text) => serde_json::from_str(&text)
                .map_err(|e| self.foreign(format!("its {SEARCH_KEYS} are unreadable: {e}")))?,
            None => Vec::new(),
        };
        Ok((Redactor::new(&keys).map_err(|e| self.foreign(e))?, current))
    }

    /// The search redactor the store records (`recorded_search_rules`).
    fn recorded_search(&self) -> Result<Redactor, StoreError> {
        let (redactor, current) = self.recorded_search_rules()?;
        self.search_current.set(current);
        Ok(redactor)
    }

    /// Makes the search index leave out the values of every key `wanted` hides too: a server
    /// or writer whose configuration names more sensitive keys than the store recorded has the
    /// index rebuilt without their values, once, in one write transaction. So a search can
    /// never confirm a value that someone reading through it may not see.
    pub fn hide_in_search(&mut self, wanted: &Redactor) -> Result<(), StoreError> {
        if self.search.covers(wanted) && self.search_current.get() {
            return Ok(());
        }
        let wrap = |source| StoreError::Sqlite {
            path: self.path.clone(),
            source,
        };
        self.conn.execute_batch("BEGIN IMMEDIATE").map_err(wrap)?;
        let result = (|| {
            let (recorded, current) = self.recorded_search_rules()?;
            let mut keys = recorded.extra_keys();
            keys.extend(wanted.extra_keys());
            keys.sort();
            keys.dedup();
            self.search = Redactor::new(&keys).map_err(|e| self.foreign(e))?;
            self.search_current.set(true);
            if recorded.covers(wanted) && current {
                return Ok(());
            }
            self.conn
                .execute(
                    "INSERT OR REPLACE INTO store_info (key, value) VALUES (?1, ?2)",
                    params![
                        SEARCH_KEYS,
                        serde_json::to_string(&keys).unwrap_or_default()
                    ],
                )
                .map_err(|e| self.sqlite_err(e))?;
            self.conn
                .execute_batch("INSERT INTO entries_fts (entries_fts) VALUES ('delete-all')")
                .map_err(|e| self.sqlite_err(e))?;
            self.fill_search_index().map_err(|e| self.sqlite_err(e))
        })();
        let end = if result.is_ok() { "COMMIT" } else { "ROLLBACK" };
        self.conn
            .execute_batch(end)
            .map_err(|e| self.sqlite_err(e))?;
        result
    }

    /// Appends in one write transaction. With `rebuild_indexes` (a store being built aside,
    /// which nobody else has open) the indexes are dropped first and built once at the end,
    /// in the same transaction; a live store never changes its schema under other processes.
    /// With `aside`, the search documents go to an index built beside the store, copied in
    /// after the commit.
    fn append_all(
        &mut self,
        entries: &mut dyn Iterator<Item = anyhow::Result<NewEntry>>,
        rebuild_indexes: bool,
        aside: Option<AsideIndex>,
    ) -> anyhow::Result<AppendReport> {
        let path = &self.path;
        let wrap = |source| StoreError::Sqlite {
            path: path.clone(),
            source,
        };
        // A large append touches index pages all over the file; with SQLite's default 2 MiB
        // cache they are read back and spilled to the WAL again and again. The cache is
        // allocated as pages are used, so a small append costs nothing more.
        self.conn
            .pragma_update(None, "cache_size", APPEND_CACHE_KIB)
            .map_err(wrap)?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(wrap)?;
        if rebuild_indexes {
            // The sort that builds an index may use a second thread.
            tx.pragma_update(None, "threads", 2).map_err(wrap)?;
            tx.execute_batch(&schema::drop_indexes()).map_err(wrap)?;
        }
        check_search_keys(&tx, path, &self.search)?;
        let mut aside = aside;
        let report = insert_entries(&tx, path, entries, aside.as_mut())?;
        // Asked to stop after the last entry (Ctrl-C in `import`): nothing is committed, and
        // the indexes of a store being built, seconds of work, are not made.
        if crate::interrupt::requested() {
            anyhow::bail!("{}: interrupted; nothing was appended", path.display());
        }
        // The search index is finished on its own thread while the indexes are sorted here.
        if let Some(aside) = aside.as_mut() {
            aside.close()?;
        }
        if rebuild_indexes {
            tx.pragma_update(None, "cache_size", INDEX_SORT_CACHE_KIB)
                .map_err(wrap)?;
            let stop = crate::interrupt::flag();
            interruptible(&tx, &stop, || tx.execute_batch(&schema::create_indexes()))
                .map_err(|e| no_room_to_sort(path, e))?;
        }
        tx.commit().map_err(wrap)?;
        if let Some(aside) = aside {
            aside.finish(&self.conn)?;
        }
        Ok(report)
    }

    pub(super) fn sqlite_err(&self, source: rusqlite::Error) -> StoreError {
        StoreError::Sqlite {
            path: self.path.clone(),
            source,
        }
    }

    fn foreign(&self, why: impl Into<String>) -> StoreError {
        StoreError::Foreign {
            path: self.path.clone(),
            why: why.into(),
        }
    }

    fn pragma_i32(&self, name: &str) -> Result<i32, StoreError> {
        self.conn
            .pragma_query_value(None, name, |r| r.get(0))
            .map_err(|e| match e {
                rusqlite::Error::SqliteFailure(f, _)
                    if f.code == rusqlite::ErrorCode::NotADatabase =>
                {
                    self.foreign("not an SQLite database")
                }
                e => self.sqlite_err(e),
            })
    }

    fn check_schema(&self) -> Result<(), StoreError> {
        let app = self.pragma_i32("application_id")?;
        let version = self.pragma_i32("user_version")?;
        if app != schema::APPLICATION_ID {
            return Err(self.foreign(if app == 0 && version == 0 {
                "an SQLite database without auditctl's schema".to_owned()
            } else {
                format!("application id {app:#x}")
            }));
        }
        if version > schema::SCHEMA_VERSION {
            return Err(StoreError::NewerSchema {
                path: self.path.clone(),
                found: version,
                supported: schema::SCHEMA_VERSION,
            });
        }
        if version < schema::SCHEMA_VERSION {
            if self.is_read_only() {
                return Err(StoreError::OldSchemaReadOnly {
                    path: self.path.clone(),
                    found: version,
                    supported: schema::SCHEMA_VERSION,
                });
            }
            self.migrate()?;
        }
        Ok(())
    }

    /// Brings an older store up to this schema, in one write transaction that re-checks the
    /// version (another process may have migrated it meanwhile).
    fn migrate(&self) -> Result<(), StoreError> {
        let wrap = |source| StoreError::Sqlite {
            path: self.path.clone(),
            source,
        };
        self.conn.execute_batch("BEGIN IMMEDIATE").map_err(wrap)?;
        // A version its tables do not fit was written by hand: upgrading would fail half way,
        // or rebuild what an insider changed. Said, not repaired.
        let has = |name: &str| -> Result<bool, StoreError> {
            self.conn
                .query_row(
                    "SELECT count(*) FROM sqlite_schema WHERE name = ?1",
                    [name],
                    |r| r.get::<_, i64>(0),
                )
                .map(|n| n > 0)
                .map_err(|e| self.sqlite_err(e))
        };
        let version: i32 = self
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(|e| self.sqlite_err(e))?;
        let fits = match version {
            1 => !has("tree")?,
            2 => has("tree")?,
            _ => false,
        };
        if !fits {
            let _ = self.conn.execute_batch("ROLLBACK");
            return Err(StoreError::Tampered {
                path: self.path.clone(),
                why: format!("it says schema version {version}, which its tables are not"),
            });
        }
        let result = (|| {
            let mut version = version;
            if version == 1 {
                self.conn.execute_batch(schema::MIGRATE_1_TO_2)?;
                version = 2;
            }
            if version == 2 {
                self.conn.execute_batch(schema::MIGRATE_2_TO_3)?;
                self.conn.execute_batch(schema::CREATE_FTS)?;
                self.fill_search_index()?;
                version = 3;
            }
            self.conn.pragma_update(None, "user_version", version)
        })();
        let end = if result.is_ok() { "COMMIT" } else { "ROLLBACK" };
        self.conn.execute_batch(end).map_err(wrap)?;
        result.map_err(wrap)
    }

    /// Indexes every entry for search, into an empty index (a schema upgrade).
    fn fill_search_index(&self) -> rusqlite::Result<()> {
        let n = self.len().unwrap_or(0);
        if n > 10_000 {
            eprintln!(
                "upgrading the search index of {} ({n} events)…",
                self.path.display()
            );
        }
        let mut read = self
            .conn
            .prepare("SELECT seq, entry FROM entries ORDER BY seq")?;
        let mut insert = self
            .conn
            .prepare("INSERT INTO entries_fts (rowid, doc) VALUES (?1, ?2)")?;
        let mut rows = read.query([])?;
        while let Some(row) = rows.next()? {
            let seq: i64 = row.get(0)?;
            let entry = row.get_ref(1)?.as_str()?;
            let event: Event = serde_json::from_str(entry).map_err(|e| {
                rusqlite::Error::FromSqlConversionFailure(1, rusqlite::types::Type::Text, e.into())
            })?;
            insert.execute(params![seq, super::search_text(&event, &self.search)])?;
        }
        Ok(())
    }

    /// Creates the schema in an empty file. Several processes may race to create the same
    /// store: the check and the creation share one write transaction.
    ///
    /// `journal` is the journal mode to set first (WAL; OFF for a store built aside), and the
    /// default checkpoint origin is made from `origin`'s file name.
    fn initialise(&mut self, journal: &str, origin: &Path) -> Result<(), StoreError> {
        let app = self.pragma_i32("application_id")?;
        if app == schema::APPLICATION_ID {
            return self.check_schema();
        }
        // WAL must be chosen outside a transaction; it is persistent once set.
        self.conn
            .pragma_update_and_check(None, "journal_mode", journal, |_| Ok(()))
            .map_err(|e| self.sqlite_err(e))?;
        let path = self.path.clone();
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|source| StoreError::Sqlite {
                path: path.clone(),
                source,
            })?;
        let read_i32 = |name: &str| -> rusqlite::Result<i32> {
            tx.pragma_query_value(None, name, |r| r.get(0))
        };
        let wrap = |source| StoreError::Sqlite {
            path: path.clone(),
            source,
        };
        let (app, version) = (
            read_i32("application_id").map_err(wrap)?,
            read_i32("user_version").map_err(wrap)?,
        );
        let tables: i64 = tx
            .query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))
            .map_err(wrap)?;
        if app == 0 && version == 0 && tables == 0 {
            schema::create(&tx).map_err(wrap)?;
            tx.pragma_update(None, "application_id", schema::APPLICATION_ID)
                .map_err(wrap)?;
            tx.pragma_update(None, "user_version", schema::SCHEMA_VERSION)
                .map_err(wrap)?;
            tx.execute(
                "INSERT INTO store_info (key, value) VALUES ('origin', ?1), ('created', ?2)",
                params![
                    default_origin(origin),
                    model::format_time(&chrono::Utc::now())
                ],
            )
            .map_err(wrap)?;
            tx.commit().map_err(wrap)?;
            Ok(())
        } else {
            drop(tx);
            self.check_schema()
        }
    }

    /// The number of events in the store.
    pub fn len(&self) -> Result<u64, StoreError> {
        self.conn
            .query_row("SELECT coalesce(max(seq), 0) FROM entries", [], |r| {
                r.get(0)
            })
            .map_err(|e| self.sqlite_err(e))
    }

    pub fn is_empty(&self) -> Result<bool, StoreError> {
        Ok(self.len()? == 0)
    }

    fn event_by(&self, clause: &str, value: &str) -> anyhow::Result<Vec<Event>> {
        let mut stmt = self
            .conn
            .prepare_cached(&format!(
                "SELECT seq, entry FROM entries WHERE {clause} ORDER BY seq LIMIT 6"
            ))
            .map_err(|e| self.sqlite_err(e))?;
        let rows = stmt
            .query_map([value], |r| {
                Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?))
            })
            .map_err(|e| self.sqlite_err(e))?;
        let mut out = Vec::new();
        for row in rows {
            let (seq, entry) = row.map_err(|e| self.sqlite_err(e))?;
            out.push(super::decode_entry(seq, &entry)?);
        }
        Ok(out)
    }
}

/// The folder a store file is in (`.` for a bare name).
fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

/// The `-wal` file of the store at `path`.
fn wal_of(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push("-wal");
    PathBuf::from(name)
}

/// `path` as the path of an SQLite URI: every byte but unreserved ones and `/` percent-encoded
/// (`?`, `#` and `%` would otherwise end or change it).
fn uri_path(path: &Path) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    for &b in path.as_os_str().as_encoded_bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// Refuses to make a store where a `-wal` or `-shm` file is left from one deleted without it:
/// SQLite would replay that log into the new file and corrupt it.
fn refuse_orphan_wal(path: &Path) -> Result<(), StoreError> {
    if path.exists() {
        return Ok(());
    }
    // A rollback journal too: SQLite plays a hot one back into whatever file has the name,
    // and a store linked into place is first opened by the next command.
    for suffix in ["-wal", "-shm", "-journal"] {
        let mut file = path.as_os_str().to_owned();
        file.push(suffix);
        let file = PathBuf::from(file);
        if std::fs::metadata(&file).is_ok_and(|m| m.len() > 0) {
            return Err(StoreError::OrphanWal(file));
        }
    }
    Ok(())
}

/// The end of the name of a store being built beside its path: `.NAME.XXXXXX.building`.
const BUILDING: &str = ".building";

/// How old an unlocked build must be to be taken for abandoned: its builder locks it right
/// after making it, so an older one without a lock has no builder left.
const ABANDONED_AFTER: Duration = Duration::from_secs(10);

/// Removes the stores being built in `dir` whose builder is gone (killed outright, or a
/// second Ctrl-C): files `.NAME.XXXXXX.building` that no process holds locked, with their WAL
/// and shared-memory files. Anything that cannot be read or locked is left alone.
pub fn sweep_abandoned_builds(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        if !is_build_name(name) {
            continue;
        }
        let path = entry.path();
        let old = entry
            .metadata()
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.elapsed().ok())
            .is_some_and(|age| age >= ABANDONED_AFTER);
        if !old {
            continue;
        }
        let Ok(file) = std::fs::File::open(&path) else {
            continue;
        };
        if is_database_or_empty(&file) && file.try_lock().is_ok() {
            remove_files(&path);
        }
    }
}

/// Where a new store at `path` is made: a symbolic link there that points to nothing yet
/// stands for its target, as where SQLite makes a store (`init`, `record`); linking the built
/// store at the link's own name would fail for ever.
fn through_dangling_links(path: &Path) -> PathBuf {
    let mut path = path.to_owned();
    // A bound, for a loop of links (which SQLite refuses in turn).
    for _ in 0..16 {
        match std::fs::read_link(&path) {
            Ok(target) if !path.exists() => {
                path = match path.parent() {
                    Some(dir) => dir.join(target),
                    None => target,
                };
            }
            _ => break,
        }
    }
    path
}

/// The start of a build's file names, `.NAME.`: the store's name, cut where a file name with
/// the rest (`XXXXXX.search.building`) would pass the usual limit of 255 bytes.
fn build_prefix(name: &str) -> String {
    const ROOM: usize = 255 - ".XXXXXX.search.building".len() - 2;
    let mut end = name.len().min(ROOM);
    while !name.is_char_boundary(end) {
        end -= 1;
    }
    format!(".{}.", &name[..end])
}

/// Whether `name` is one a build gives its files: `.NAME.XXXXXX.building` (the store) or
/// `.NAME.XXXXXX.search.building` (its search index), XXXXXX six letters or digits.
fn is_build_name(name: &str) -> bool {
    let Some(rest) = name
        .strip_prefix('.')
        .and_then(|n| n.strip_suffix(BUILDING))
    else {
        return false;
    };
    let rest = rest.strip_suffix(".search").unwrap_or(rest);
    rest.rsplit_once('.').is_some_and(|(store, random)| {
        !store.is_empty() && random.len() == 6 && random.bytes().all(|b| b.is_ascii_alphanumeric())
    })
}

/// Whether `file` is empty or an SQLite database: what a build leaves, and nothing else.
fn is_database_or_empty(file: &std::fs::File) -> bool {
    use std::io::Read;
    let mut head = Vec::with_capacity(16);
    match file.take(16).read_to_end(&mut head) {
        Ok(0) => true,
        Ok(_) => head == b"SQLite format 3\0",
        Err(_) => false,
    }
}

/// A file beside the store being built named `name` in `dir` for its search index, locked
/// as the store's own file is; none where SQLite could not attach it (a path that is not
/// UTF-8), and the index is then built in the store.
fn aside_index(dir: &Path, name: &str) -> anyhow::Result<Option<AsideIndex>> {
    let file = tempfile::Builder::new()
        .prefix(&build_prefix(name))
        .suffix(&format!(".search{BUILDING}"))
        .tempfile_in(dir)
        .map_err(|e| Failure::runtime(format!("cannot create a file in {}: {e}", dir.display())))?;
    if file.path().to_str().is_none() {
        return Ok(None);
    }
    file.as_file()
        .try_lock()
        .map_err(|e| Failure::runtime(format!("cannot lock {}: {e}", file.path().display())))?;
    let path = file.path().to_owned();
    let aside = AsideIndex::start(file, BUILT_PAGE_SIZE).map_err(|e| {
        // SQLite says "readonly database" where it could not open the file for writing (no
        // descriptor left, a full disk): the file is named, and what was being done.
        Failure::runtime(format!(
            "cannot build the search index in {}: {e}",
            path.display()
        ))
    })?;
    Ok(Some(aside))
}

/// Removes a store file with its WAL and shared-memory files (after a failed first import).
pub fn remove_files(path: &Path) {
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    let mut shm = path.as_os_str().to_owned();
    shm.push("-shm");
    for p in [path.as_os_str(), &wal, &shm] {
        let _ = std::fs::remove_file(p);
    }
}

/// The default origin line: host and file name, e.g. `db1.example/auditctl/audit`.
pub fn default_origin(path: &Path) -> String {
    let host = std::fs::read_to_string("/etc/hostname")
        .ok()
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "localhost".to_owned());
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "audit".to_owned());
    format!("{host}/auditctl/{stem}")
}

/// An event from its stored entry bytes.
/// A grouped value back as JSON: the JSON text of `entry -> PATH`, or a column's plain value.
fn group_value(
    v: rusqlite::types::ValueRef<'_>,
    is_json: bool,
) -> anyhow::Result<serde_json::Value> {
    use rusqlite::types::ValueRef;
    Ok(match v {
        ValueRef::Null => serde_json::Value::Null,
        ValueRef::Integer(n) => n.into(),
        ValueRef::Real(x) => x.into(),
        ValueRef::Text(t) if is_json => serde_json::from_slice(t)?,
        ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned().into(),
        ValueRef::Blob(_) => serde_json::Value::Null,
    })
}

fn order_sql(q: &Query) -> String {
    let mut parts: Vec<String> = q
        .order
        .iter()
        .map(|k| {
            let col = super::sort_column(k.field);
            format!("{col} {}", if k.descending { "DESC" } else { "ASC" })
        })
        .collect();
    let last_desc = q.order.last().is_some_and(|k| k.descending);
    if q.order.last().map(|k| k.field) != Some(SortField::Seq) {
        parts.push(format!("seq {}", if last_desc { "DESC" } else { "ASC" }));
    }
    parts.join(", ")
}

impl Store for SqliteStore {
    fn scan(
        &self,
        q: &Query,
        each: &mut dyn FnMut(Event) -> anyhow::Result<bool>,
    ) -> anyhow::Result<()> {
        self.scan_entries(q, &mut |seq, entry| {
            each(super::decode_entry(seq as i64, entry)?)
        })
    }

    fn scan_entries(
        &self,
        q: &Query,
        each: &mut dyn FnMut(u64, &str) -> anyhow::Result<bool>,
    ) -> anyhow::Result<()> {
        let mut w = sql::to_sql(&q.filter);
        let order = order_sql(q);
        // A page of a larger set (`list` shows 50 by default): the matching rows are sorted
        // by their keys alone, and only the page's rows are read whole. Sorting the rows with
        // their entries to keep 50 (`--search alice`: 200k rows of 1M) read and copied every
        // entry text.
        let text = if q.limit.is_some() {
            format!(
                "SELECT seq, entry FROM entries WHERE seq IN (SELECT seq FROM entries \
                 WHERE {} ORDER BY {order} LIMIT ? OFFSET ?) ORDER BY {order}",
                w.sql
            )
        } else {
            format!(
                "SELECT seq, entry FROM entries WHERE {} ORDER BY {order} LIMIT ? OFFSET ?",
                w.sql
            )
        };
        w.params.push(rusqlite::types::Value::Integer(
            q.limit.map_or(-1, |l| l.min(i64::MAX as usize) as i64),
        ));
        w.params.push(rusqlite::types::Value::Integer(
            q.offset.min(i64::MAX as usize) as i64,
        ));
        let mut stmt = self.conn.prepare(&text).map_err(|e| self.sqlite_err(e))?;
        let mut rows = stmt
            .query(rusqlite::params_from_iter(w.params.iter()))
            .map_err(|e| self.sqlite_err(e))?;
        while let Some(row) = rows.next().map_err(|e| self.sqlite_err(e))? {
            let seq: i64 = row.get(0).map_err(|e| self.sqlite_err(e))?;
            let entry = row.get_ref(1).map_err(|e| self.sqlite_err(e))?;
            let entry = entry.as_str().map_err(|e| self.sqlite_err(e.into()))?;
            if !each(seq as u64, entry)? {
                break;
            }
        }
        Ok(())
    }

    fn count(&self, filter: &Expr) -> anyhow::Result<u64> {
        // Seqs run 1..=n without gaps (`verify` checks it), so all events are the last seq:
        // O(1) where count(*) reads a whole index.
        if *filter == Expr::All {
            return self.last_seq();
        }
        let w = sql::to_sql(filter);
        let n: i64 = self
            .conn
            .query_row(
                &format!("SELECT count(*) FROM entries WHERE {}", w.sql),
                rusqlite::params_from_iter(w.params.iter()),
                |r| r.get(0),
            )
            .map_err(|e| self.sqlite_err(e))?;
        Ok(n as u64)
    }

    fn last_seq(&self) -> anyhow::Result<u64> {
        Ok(self.len()?)
    }

    fn group_counts(
        &self,
        filter: &Expr,
        fields: &[Field],
    ) -> anyhow::Result<Vec<(Vec<serde_json::Value>, u64)>> {
        let mut params = Vec::new();
        let (exprs, json): (Vec<String>, Vec<bool>) = fields
            .iter()
            .map(|f| sql::value_sql(f, &mut params))
            .unzip();
        let w = sql::to_sql(filter);
        params.extend(w.params);
        let groups: Vec<String> = (1..=fields.len()).map(|i| i.to_string()).collect();
        let text = format!(
            "SELECT {}, count(*) FROM entries WHERE {} GROUP BY {}",
            exprs.join(", "),
            w.sql,
            groups.join(", ")
        );
        let mut stmt = self.conn.prepare(&text).map_err(|e| self.sqlite_err(e))?;
        let mut rows = stmt
            .query(rusqlite::params_from_iter(params.iter()))
            .map_err(|e| self.sqlite_err(e))?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(|e| self.sqlite_err(e))? {
            let mut key = Vec::with_capacity(fields.len());
            for (i, is_json) in json.iter().enumerate() {
                let v = row.get_ref(i).map_err(|e| self.sqlite_err(e))?;
                key.push(group_value(v, *is_json)?);
            }
            let n: i64 = row.get(fields.len()).map_err(|e| self.sqlite_err(e))?;
            out.push((key, n as u64));
        }
        Ok(out)
    }

    fn times(
        &self,
        filter: &Expr,
        each: &mut dyn FnMut(chrono::DateTime<chrono::Utc>) -> anyhow::Result<()>,
    ) -> anyhow::Result<()> {
        let w = sql::to_sql(filter);
        let text = format!("SELECT time_us FROM entries WHERE {}", w.sql);
        let mut stmt = self.conn.prepare(&text).map_err(|e| self.sqlite_err(e))?;
        let mut rows = stmt
            .query(rusqlite::params_from_iter(w.params.iter()))
            .map_err(|e| self.sqlite_err(e))?;
        while let Some(row) = rows.next().map_err(|e| self.sqlite_err(e))? {
            let us: i64 = row.get(0).map_err(|e| self.sqlite_err(e))?;
            let t = chrono::DateTime::from_timestamp_micros(us)
                .ok_or_else(|| anyhow::anyhow!("stored time {us} is out of range"))?;
            each(t)?;
        }
        Ok(())
    }

    fn get(&self, id: &str) -> anyhow::Result<Event> {
        const PREFIXED: &str = "id >= ?1 AND id < ?1 || char(1114111)";
        super::get_by_lookups(
            id,
            &mut |lookup| match lookup {
                super::Lookup::Seq(seq) => self.event_by("seq = ?1", seq),
                super::Lookup::Id(id) => self.event_by("id = ?1", id),
                super::Lookup::Prefix(prefix) => self.event_by(PREFIXED, prefix),
            },
            &mut |prefix| {
                let n: i64 = self
                    .conn
                    .query_row(
                        &format!("SELECT count(*) FROM entries WHERE {PREFIXED}"),
                        [prefix],
                        |r| r.get(0),
                    )
                    .map_err(|e| self.sqlite_err(e))?;
                Ok(n as u64)
            },
        )
    }
}

impl super::Append for SqliteStore {
    fn search_redactor(&self) -> Redactor {
        self.search.clone()
    }

    /// One write transaction for every group, each in a savepoint of its own: a group that
    /// fails (an id stored with other content) is rolled back alone, and the others commit
    /// together, with one sync.
    fn append_groups(
        &mut self,
        writes: &mut [super::Write<'_>],
    ) -> anyhow::Result<Vec<anyhow::Result<AppendReport>>> {
        self.conn
            .execute_batch("BEGIN IMMEDIATE")
            .map_err(|e| self.sqlite_err(e))?;
        let result = (|| -> anyhow::Result<Vec<anyhow::Result<AppendReport>>> {
            self.check_search_keys()?;
            let mut outcomes = Vec::with_capacity(writes.len());
            for write in writes.iter_mut() {
                self.conn
                    .execute_batch("SAVEPOINT auditctl_group")
                    .map_err(|e| self.sqlite_err(e))?;
                let outcome = write.run(&*self, &self.search, |entries| {
                    insert_entries(&self.conn, &self.path, entries, None)
                });
                let end = match outcome {
                    Ok(_) => "RELEASE auditctl_group",
                    Err(_) => "ROLLBACK TO auditctl_group; RELEASE auditctl_group",
                };
                self.conn
                    .execute_batch(end)
                    .map_err(|e| self.sqlite_err(e))?;
                outcomes.push(outcome);
            }
            self.conn
                .execute_batch("COMMIT")
                .map_err(|e| self.sqlite_err(e))?;
            Ok(outcomes)
        })();
        if result.is_err() {
            let _ = self.conn.execute_batch("ROLLBACK");
        }
        result
    }

    fn append_entries(
        &mut self,
        entries: &mut dyn Iterator<Item = anyhow::Result<NewEntry>>,
    ) -> anyhow::Result<AppendReport> {
        self.append_all(entries, false, None)
    }
}

impl super::Backend for SqliteStore {
    fn append(&mut self) -> anyhow::Result<&mut dyn super::Append> {
        self.writable()?;
        Ok(self)
    }

    fn revert(&mut self) -> anyhow::Result<&mut dyn super::Revert> {
        self.writable()?;
        Ok(self)
    }

    fn integrity(&mut self) -> anyhow::Result<&mut dyn super::Integrity> {
        Ok(self)
    }
}

/// The entries' search documents are made with `search`: a store whose recorded keys changed
/// since (another process hid more) would get values it must not index.
fn check_search_keys(conn: &Connection, path: &Path, search: &Redactor) -> anyhow::Result<()> {
    let recorded: Option<String> = conn
        .query_row(
            "SELECT value FROM store_info WHERE key = ?1",
            [SEARCH_KEYS],
            |r| r.get(0),
        )
        .optional()
        .map_err(|source| StoreError::Sqlite {
            path: path.to_owned(),
            source,
        })?;
    let expected = serde_json::to_string(&search.extra_keys()).unwrap_or_default();
    if recorded.as_deref().unwrap_or("[]") != expected {
        anyhow::bail!(
            "{}: the keys its search index leaves out changed while this ran; nothing was \
             appended, run it again",
            path.display()
        );
    }
    Ok(())
}

impl SqliteStore {
    fn check_search_keys(&self) -> anyhow::Result<()> {
        check_search_keys(&self.conn, &self.path, &self.search)
    }
}

/// Inserts entries inside the caller's transaction, skipping ids already stored.
/// An event that reverts `target` must revert an event of the same record that nothing else
/// reverted: otherwise any writer could mark a change it does not undo as undone, and block
/// the real revert.
fn check_revert(
    conn: &Connection,
    path: &Path,
    seq: i64,
    new: &NewEntry,
    target: &str,
) -> anyhow::Result<()> {
    let wrap = |source| StoreError::Sqlite {
        path: path.to_owned(),
        source,
    };
    let bad = |why: String| -> anyhow::Error {
        StoreError::BadRevert {
            id: new.id.clone(),
            why,
        }
        .into()
    };
    let record: Option<(Option<String>, Option<String>)> = conn
        .query_row(
            "SELECT tbl, resource_id FROM entries WHERE id = ?1 AND seq < ?2",
            params![target, seq],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()
        .map_err(wrap)?;
    let Some((table, resource_id)) = record else {
        return Err(bad(format!(
            "it reverts event {target:?}, which is not in the store before it"
        )));
    };
    if (&table, &resource_id) != (&new.table, &new.resource_id) {
        return Err(bad(format!(
            "it reverts event {target:?}, which is of another record ({}/{})",
            table.unwrap_or_default(),
            resource_id.unwrap_or_default()
        )));
    }
    if let Some(other) = standing_reverter(conn, target, seq, 0).map_err(wrap)? {
        return Err(bad(format!(
            "event {target:?} was already reverted by event {other:?}"
        )));
    }
    Ok(())
}

/// The event, other than `seq`, that reverts `target` and stands — is not itself undone by a
/// revert that stands (reverting a revert puts the change back, so it may be reverted again).
fn standing_reverter(
    conn: &Connection,
    target: &str,
    seq: i64,
    depth: usize,
) -> rusqlite::Result<Option<String>> {
    // Chains of reverts of reverts are short; a deep one is taken as standing.
    if depth > 64 {
        return Ok(Some(target.to_owned()));
    }
    let mut stmt =
        conn.prepare_cached("SELECT id FROM entries WHERE reverts = ?1 AND seq <> ?2")?;
    let reverters: Vec<String> = stmt
        .query_map(params![target, seq], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for reverter in reverters {
        if standing_reverter(conn, &reverter, seq, depth + 1)?.is_none() {
            return Ok(Some(reverter));
        }
    }
    Ok(None)
}

/// Inserts `entries`, and their search documents into the store's index or, for a store built
/// aside, into `aside`.
fn insert_entries(
    conn: &Connection,
    path: &Path,
    entries: &mut dyn Iterator<Item = anyhow::Result<NewEntry>>,
    mut aside: Option<&mut AsideIndex>,
) -> anyhow::Result<AppendReport> {
    let wrap = |source| StoreError::Sqlite {
        path: path.to_owned(),
        source,
    };
    let mut report = AppendReport::default();
    let mut insert = conn
        .prepare_cached(
            "INSERT INTO entries (id, entry, leaf, time_us, user_name, action, tbl, \
             resource_id, service, origin, outcome, ip_key, reverts) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13) \
             ON CONFLICT (id) DO NOTHING",
        )
        .map_err(wrap)?;
    let mut index = conn
        .prepare_cached("INSERT INTO entries_fts (rowid, doc) VALUES (?1, ?2)")
        .map_err(wrap)?;
    for new in entries {
        let new = new?;
        let inserted = insert
            .execute(params![
                new.id,
                new.entry,
                &new.leaf[..],
                new.time_us,
                new.user,
                new.action,
                new.table,
                new.resource_id,
                new.service,
                new.origin,
                new.outcome,
                new.ip_key.as_ref().map(|k| &k[..]),
                new.reverts,
            ])
            .map_err(wrap)?;
        if inserted == 0 {
            let stored: String = conn
                .query_row("SELECT entry FROM entries WHERE id = ?1", [&new.id], |r| {
                    r.get(0)
                })
                .map_err(wrap)?;
            report.duplicates += 1;
            if stored != new.entry {
                match new.if_stored {
                    IfStored::Refuse => return Err(StoreError::IdConflict(new.id).into()),
                    IfStored::Keep => {
                        report.conflicts += 1;
                        report.first_conflict.get_or_insert(new.id);
                    }
                }
            }
            continue;
        }
        let seq = conn.last_insert_rowid();
        if let Some(target) = &new.reverts {
            check_revert(conn, path, seq, &new, target)?;
        }
        match aside.as_deref_mut() {
            Some(aside) => aside.add(seq, new.doc)?,
            None => {
                index.execute(params![seq, new.doc]).map_err(wrap)?;
            }
        }
        report.added += 1;
        report.first_seq.get_or_insert(seq as u64);
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A statement that would run for minutes ends soon after the flag is set, with SQLite's
    /// interrupt error; with the flag never set, the same work runs to its end.
    #[test]
    fn a_long_statement_stops_when_asked() {
        let conn = Connection::open_in_memory().unwrap();
        let count = |n: u64| {
            format!(
                "WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < {n}) \
                 SELECT count(*) FROM c"
            )
        };
        let stop = AtomicBool::new(false);
        let counted: i64 = interruptible(&conn, &stop, || {
            conn.query_row(&count(1000), [], |r| r.get(0))
        })
        .unwrap();
        assert_eq!(counted, 1000);
        let started = std::time::Instant::now();
        let result = std::thread::scope(|scope| {
            scope.spawn(|| {
                std::thread::sleep(Duration::from_millis(200));
                stop.store(true, Ordering::Relaxed);
            });
            interruptible(&conn, &stop, || {
                conn.query_row(&count(u64::MAX >> 2), [], |r| r.get::<_, i64>(0))
            })
        });
        assert_eq!(
            result.unwrap_err().sqlite_error_code(),
            Some(rusqlite::ErrorCode::OperationInterrupted)
        );
        assert!(started.elapsed() < Duration::from_secs(10));
    }
}

//! The full-text index of a store being built aside (`import` into a new store, `demo`), made
//! on a thread of its own in a file of its own while the entries are written, then copied into
//! the store. FTS5's work is most of a large append's (a third of a 1M import), and one SQLite
//! file takes one writer: a second file lets the two run at once.

use std::path::Path;
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::Duration;

use rusqlite::{Connection, OpenFlags, params};

use super::schema;

/// Documents per hand-over, and hand-overs queued at most.
const BATCH: usize = 512;
const QUEUE: usize = 16;

/// How FTS5 merges while the index is built: not as it goes, but once at the end. FTS5 writes
/// each flush of its in-memory hash as a segment (about 240 for 1M documents) and by default
/// merges every four segments of a level as it goes, so a bulk build rewrites its postings
/// level after level, on the pipeline's busy cores. Here segments are left as they are
/// (`automerge` 0) unless a thousand pile up (`crisismerge`: FTS5 allows 2,000 segments in all),
/// and merged into one (`optimize`) once the last document is in, while the store's indexes
/// are sorted on the other core. 1M-event import: 11.6 → 11.2 s; searches read one segment.
/// Both options are dropped when the build ends (`build`).
const BUILD_OPTIONS: [(&str, i64); 2] = [("automerge", 0), ("crisismerge", 1000)];

/// The tables FTS5 keeps an index in (`content = ''`, so no content table): copied whole, they
/// are the index.
const SHADOW_TABLES: [&str; 4] = [
    "entries_fts_data",
    "entries_fts_idx",
    "entries_fts_docsize",
    "entries_fts_config",
];

/// A full-text index being built beside a store.
pub struct AsideIndex {
    docs: Option<mpsc::SyncSender<Vec<(i64, String)>>>,
    batch: Vec<(i64, String)>,
    builder: Option<JoinHandle<rusqlite::Result<()>>>,
    /// Stops the builder's statement in progress (its last merge) when the build is dropped.
    stop: rusqlite::InterruptHandle,
    /// The index's file, removed when this is dropped.
    file: tempfile::NamedTempFile,
}

impl AsideIndex {
    /// Starts building in `file` (an empty file beside the store, locked against
    /// `sqlite::sweep_abandoned_builds` by the caller as the store's own file is), with the
    /// store's page size.
    pub fn start(file: tempfile::NamedTempFile, page_size: i64) -> anyhow::Result<AsideIndex> {
        let conn = super::library::open(
            file.path(),
            OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        // A scratch file: deleted if anything fails, so it needs no journal and no sync.
        conn.pragma_update(None, "page_size", page_size)?;
        conn.pragma_update(None, "journal_mode", "OFF")?;
        conn.pragma_update(None, "synchronous", "OFF")?;
        conn.execute_batch(schema::CREATE_FTS)?;
        for (option, value) in BUILD_OPTIONS {
            conn.execute(
                "INSERT INTO entries_fts (entries_fts, rank) VALUES (?1, ?2)",
                params![option, value],
            )?;
        }
        let stop = conn.get_interrupt_handle();
        let (docs, queue) = mpsc::sync_channel::<Vec<(i64, String)>>(QUEUE);
        let builder = std::thread::Builder::new()
            .name("auditctl-search-index".into())
            .spawn(move || build(&conn, &queue))?;
        Ok(AsideIndex {
            docs: Some(docs),
            batch: Vec::with_capacity(BATCH),
            builder: Some(builder),
            stop,
            file,
        })
    }

    /// Indexes the document of the entry `seq`.
    pub fn add(&mut self, seq: i64, doc: String) -> anyhow::Result<()> {
        self.batch.push((seq, doc));
        if self.batch.len() == BATCH {
            let full = std::mem::replace(&mut self.batch, Vec::with_capacity(BATCH));
            self.send(full)?;
        }
        Ok(())
    }

    fn send(&mut self, batch: Vec<(i64, String)>) -> anyhow::Result<()> {
        let sent = self.docs.as_ref().is_some_and(|d| d.send(batch).is_ok());
        if !sent {
            // The builder stopped: its error says why.
            self.join()?;
            anyhow::bail!("the search index builder stopped");
        }
        Ok(())
    }

    /// Hands over the last documents: the builder finishes the index on its own thread while
    /// the caller goes on (a new store's indexes are sorted meanwhile).
    pub fn close(&mut self) -> anyhow::Result<()> {
        let rest = std::mem::take(&mut self.batch);
        if !rest.is_empty() {
            self.send(rest)?;
        }
        self.docs = None;
        Ok(())
    }

    /// Waits for the builder to finish what it was given.
    fn join(&mut self) -> anyhow::Result<()> {
        self.docs = None;
        joined(self.builder.take())
    }

    /// Finishes the index and copies it into the store `conn` writes (whose own index must be
    /// empty), in a transaction of its own: SQLite attaches a file only between transactions.
    pub fn finish(mut self, conn: &Connection) -> anyhow::Result<()> {
        self.close()?;
        self.join()?;
        conn.execute(
            "ATTACH DATABASE ?1 AS aside",
            [path_text(self.file.path())?],
        )?;
        let copied = (|| {
            let tx = conn.unchecked_transaction()?;
            for table in SHADOW_TABLES {
                tx.execute_batch(&format!(
                    "DELETE FROM main.{table}; INSERT INTO main.{table} SELECT * FROM aside.{table};"
                ))?;
            }
            tx.commit()
        })();
        // Detached whatever happened, so that the file can go.
        let detached = conn.execute("DETACH DATABASE aside", []);
        copied?;
        detached?;
        Ok(())
    }
}

impl Drop for AsideIndex {
    fn drop(&mut self) {
        // A build that failed or was interrupted: the builder ends when its queue closes, and
        // its final merge, seconds on a large import, is not waited for. SQLite forgets an
        // interrupt that comes between two statements, so it is repeated until the builder ends.
        self.docs = None;
        let stop = &self.stop;
        let builder = self.builder.take();
        let interrupt = || {
            stop.interrupt();
            true
        };
        let _ = super::alongside::ticking(Duration::from_millis(10), interrupt, || joined(builder));
    }
}

/// What the builder ended with, once it has.
fn joined(builder: Option<JoinHandle<rusqlite::Result<()>>>) -> anyhow::Result<()> {
    match builder.map(JoinHandle::join) {
        None | Some(Ok(Ok(()))) => Ok(()),
        Some(Ok(Err(e))) => Err(anyhow::anyhow!("building the search index: {e}")),
        Some(Err(panic)) => std::panic::resume_unwind(panic),
    }
}

/// The builder's thread: one transaction, committed when the queue closes.
fn build(conn: &Connection, queue: &mpsc::Receiver<Vec<(i64, String)>>) -> rusqlite::Result<()> {
    conn.execute_batch("BEGIN")?;
    {
        let mut insert = conn.prepare("INSERT INTO entries_fts (rowid, doc) VALUES (?1, ?2)")?;
        while let Ok(batch) = queue.recv() {
            for (seq, doc) in batch {
                insert.execute(params![seq, doc])?;
            }
        }
    }
    conn.execute(
        "INSERT INTO entries_fts (entries_fts) VALUES ('optimize')",
        [],
    )?;
    conn.execute_batch("COMMIT")?;
    // FTS5 keeps the options as rows of its config table, copied with the index: without them
    // the store's later appends merge as an index built in place does.
    for (option, _) in BUILD_OPTIONS {
        conn.execute("DELETE FROM entries_fts_config WHERE k = ?1", [option])?;
    }
    Ok(())
}

/// A path as SQLite's ATTACH takes it: text, never a URI.
fn path_text(path: &Path) -> anyhow::Result<String> {
    let text = path
        .to_str()
        .ok_or_else(|| anyhow::anyhow!("{} is not UTF-8", path.display()))?;
    // A relative name that starts `file:` would be taken as a URI were URIs on: keep it a path.
    Ok(if text.starts_with("file:") {
        format!("./{text}")
    } else {
        text.to_owned()
    })
}

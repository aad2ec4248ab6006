//! Where events live: the trait every command reads and writes through, and its back ends.

mod alongside;
pub mod check;
mod distinct_terms;
pub mod fts_segments;
pub mod functions;
pub mod history;
pub mod jsonl;
pub mod keyset;
mod library;
pub mod lines;
pub mod location;
pub mod postgres;
pub mod revert;
pub mod schema;
mod search_aside;
pub mod sqlite;
pub mod tree;

use std::collections::HashMap;
use std::path::PathBuf;

use chrono::{DateTime, Utc};

use crate::model::{self, Event, InvalidEvent};
use crate::query::eval::value_of;
use crate::query::{CmpOp, Expr, Field, Literal, search};
use crate::redact::Redactor;

use distinct_terms::DistinctTerms;
pub use location::Location;

/// Called with each entry of `Store::scan_entries_judged`: its seq, its canonical text, and
/// whether the redactor would change it (`None`: not known); `Ok(false)` stops the scan.
pub type JudgedEntries<'a> = dyn FnMut(u64, &str, Option<bool>) -> anyhow::Result<bool> + 'a;

/// The most fields `stats` groups by at once.
pub const MAX_GROUP_FIELDS: usize = 8;

/// How many ids an ambiguous prefix shows.
pub const AMBIGUOUS_SHOWN: usize = 5;

/// `, and 1,994 more` when a list shows `shown` of `total`.
fn more_than(total: u64, shown: usize) -> String {
    match total.saturating_sub(shown as u64) {
        0 => String::new(),
        more => format!(", and {} more", crate::render::thousands(more)),
    }
}

/// Failures of a store, each with its exit code and hint.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("no store at {0}")]
    Missing(PathBuf),
    #[error("no event matches {0:?}")]
    NotFound(String),
    #[error(
        "{prefix:?} is ambiguous: it matches {}{}",
        candidates.join(", "),
        more_than(*total, candidates.len())
    )]
    Ambiguous {
        prefix: String,
        /// The first few matches, `id (seq N)`.
        candidates: Vec<String>,
        /// How many events the prefix matches in all.
        total: u64,
    },
    #[error("{path} is not an auditctl store ({why})")]
    Foreign { path: PathBuf, why: String },
    #[error("{path} has store schema version {found}; this auditctl reads version {supported}")]
    NewerSchema {
        path: PathBuf,
        found: i32,
        supported: i32,
    },
    #[error("{0} is read-only ({1})")]
    ReadOnly(String, &'static str),
    /// A store file this process may read but not write.
    #[error("{0} is read-only to you: you may not write it, or the folder it is in")]
    NotWritable(PathBuf),
    #[error(
        "{path} has store schema version {found} and is read-only to you: it is upgraded to \
         version {supported} when someone who may write it opens it"
    )]
    OldSchemaReadOnly {
        path: PathBuf,
        found: i32,
        supported: i32,
    },
    /// An event whose id another event in the store has, with other content.
    #[error("an event with id {0:?} is already in the store, with other content")]
    IdConflict(String),
    /// An event that says it reverts another, which it cannot.
    #[error("event {id:?} cannot be appended: {why}")]
    BadRevert { id: String, why: String },
    #[error("{path} was edited: {why}")]
    Tampered { path: PathBuf, why: String },
    #[error(
        "{0} is left from a store that was deleted without it: a new store there would take in \
         its log and be corrupt"
    )]
    OrphanWal(PathBuf),
    #[error("store {path}: {source}")]
    Sqlite {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
}

impl StoreError {
    /// Whether SQLite refused to write because the file or its folder is read-only.
    pub fn is_read_only(&self) -> bool {
        matches!(
            self,
            StoreError::Sqlite { source, .. }
                if source.sqlite_error_code() == Some(rusqlite::ErrorCode::ReadOnly)
        )
    }

    /// An error that means this process may not write the store: its file, or the folder its
    /// `-wal` and `-shm` files go in.
    pub fn is_not_writable(&self) -> bool {
        matches!(
            self,
            StoreError::Sqlite { source, .. }
                if matches!(
                    source.sqlite_error_code(),
                    Some(rusqlite::ErrorCode::ReadOnly | rusqlite::ErrorCode::CannotOpen)
                )
        )
    }

    pub fn exit_code(&self) -> i32 {
        use crate::error::exit;
        match self {
            StoreError::NotFound(_) => exit::NOT_FOUND,
            StoreError::Tampered { .. } => exit::INTEGRITY,
            StoreError::Ambiguous { .. } => exit::USAGE,
            _ => exit::RUNTIME,
        }
    }

    pub fn hint(&self) -> Option<String> {
        Some(match self {
            StoreError::Missing(path) => format!(
                "create it with `auditctl import FILE`, `auditctl record …` or `auditctl demo` (store: {}), or choose another with --store",
                path.display()
            ),
            StoreError::Ambiguous { .. } => "give more characters of the id, or its seq".into(),
            StoreError::NewerSchema { .. } => "upgrade auditctl to read this store".into(),
            StoreError::NotFound(_) => {
                "an ID is a seq number, a full id, or a unique prefix of an id".into()
            }
            StoreError::OrphanWal(wal) => format!(
                "remove {} (and any other -wal, -shm or -journal file of that store) if that \
                 store is gone for good",
                wal.display()
            ),
            StoreError::NotWritable(path) | StoreError::OldSchemaReadOnly { path, .. } => format!(
                "commands that only read (list, show, export, verify, …) work on it; to write, \
                 ask its owner, or copy it into a folder you may write (cp {} ~/audit.db)",
                path.display()
            ),
            StoreError::ReadOnly(path, _) => {
                format!("import it into a store to write: auditctl --store audit.db import {path}")
            }
            _ => return None,
        })
    }
}

/// A field events can be sorted by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortField {
    Seq,
    Time,
    Id,
    User,
    Action,
    Table,
    ResourceId,
    Service,
    Origin,
    Outcome,
    Ip,
}

impl SortField {
    pub const NAMES: [(&'static str, SortField); 11] = [
        ("seq", SortField::Seq),
        ("time", SortField::Time),
        ("id", SortField::Id),
        ("user", SortField::User),
        ("action", SortField::Action),
        ("table", SortField::Table),
        ("resource_id", SortField::ResourceId),
        ("service", SortField::Service),
        ("origin", SortField::Origin),
        ("outcome", SortField::Outcome),
        ("ip", SortField::Ip),
    ];

    pub fn from_name(name: &str) -> Option<SortField> {
        let name = if name == "pk" { "resource_id" } else { name };
        Self::NAMES
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, f)| *f)
    }
}

/// One sort key; `descending` for `-FIELD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SortKey {
    pub field: SortField,
    pub descending: bool,
}

/// What to read: a filter, an order, and a window.
#[derive(Debug, Clone)]
pub struct Query {
    pub filter: Expr,
    /// Sort keys in priority order; ties always break by seq in the direction of the last key.
    pub order: Vec<SortKey>,
    pub limit: Option<usize>,
    pub offset: usize,
}

impl Query {
    /// Newest first: the order of `list`.
    pub fn newest_first(filter: Expr) -> Query {
        Query {
            filter,
            order: vec![SortKey {
                field: SortField::Time,
                descending: true,
            }],
            limit: None,
            offset: 0,
        }
    }

    /// Oldest first by seq: the order of `export` and `history`.
    pub fn in_seq_order(filter: Expr) -> Query {
        Query {
            filter,
            order: vec![SortKey {
                field: SortField::Seq,
                descending: false,
            }],
            limit: None,
            offset: 0,
        }
    }
}

/// Group counts in the order people read them: largest first, ties in the order of their
/// values, so output is stable.
pub fn sort_groups(groups: &mut [(Vec<serde_json::Value>, u64)]) {
    let text = |key: &[serde_json::Value]| -> Vec<String> {
        key.iter()
            .map(|v| match v {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Null => String::new(),
                other => other.to_string(),
            })
            .collect()
    };
    groups.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| text(&a.0).cmp(&text(&b.0))));
}

/// `seq OP n`.
pub fn seq_compare(op: CmpOp, n: u64) -> Expr {
    Expr::Compare {
        field: Field::Seq,
        op,
        value: Literal::Number(n as f64),
    }
}

/// Calls `each` with every term the full-text index holds for an event, repeats included:
/// its search terms, without the values of the keys `search` hides (`query::search`). Terms
/// are lower-case UTF-8, given as bytes.
pub fn for_each_search_term(e: &Event, search: &Redactor, each: &mut dyn FnMut(&[u8])) {
    search::for_each_event_term(e, search, each);
}

/// What the full-text index is given for an event: its distinct terms in the order first
/// seen, separated by spaces.
pub fn search_text(e: &Event, search: &Redactor) -> String {
    let mut terms = DistinctTerms::default();
    for_each_search_term(e, search, &mut |t| terms.add(t));
    String::from_utf8(terms.into_text()).expect("terms are UTF-8")
}

/// What an append did: counts only, so that a long import keeps no per-event state. It is
/// also the API's answer to an append.
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct AppendReport {
    /// How many events were added.
    pub added: u64,
    /// The seq of the first event added.
    pub first_seq: Option<u64>,
    /// How many events were skipped because their id was already in the store (or earlier in
    /// the same append).
    pub duplicates: u64,
    /// Of those, how many held other content than the stored event with their id (the stored
    /// one is kept); only an import that was told to keep what is stored (`IfStored::Keep`)
    /// gets this far, any other append with such an event fails.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub conflicts: u64,
    /// The id of the first such event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_conflict: Option<String>,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// What an append does with an event whose id is stored already with other content.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum IfStored {
    /// Fails, appending nothing: two different events cannot share an id.
    #[default]
    Refuse,
    /// Keeps the stored one and counts the new one as a conflict: a log imported again, whose
    /// events were made with what the store held then (a Kubernetes object's `before`).
    Keep,
}

/// An event made ready to append: normalised and reduced to what the store writes, namely the
/// canonical entry bytes, their leaf hash, the full-text document and the indexed columns.
/// Building one is all the work of an append that does not touch the store, so that `import`
/// can do it on another thread; the event's data trees are dropped there too.
#[derive(Debug)]
pub struct NewEntry {
    /// The canonical JCS text of the event without `seq`: what is stored and hashed.
    pub entry: String,
    /// `SHA-256(0x00 || entry)`.
    pub leaf: [u8; 32],
    /// `query::search::index_text` of the event: its terms, for the full-text index.
    pub doc: String,
    pub id: String,
    pub time_us: i64,
    pub user: String,
    pub action: String,
    pub table: Option<String>,
    pub resource_id: Option<String>,
    pub service: Option<String>,
    pub origin: Option<String>,
    pub outcome: String,
    pub ip_key: Option<[u8; 16]>,
    pub reverts: Option<String>,
    pub if_stored: IfStored,
}

impl NewEntry {
    /// Normalises the event and makes its entry; `search` names the keys whose values its
    /// full-text document leaves out (the store's, `Append::search_redactor`).
    pub fn new(mut event: Event, search: &Redactor) -> Result<NewEntry, InvalidEvent> {
        event.normalize()?;
        let entry = event.canonical_text();
        let leaf = model::leaf_hash(entry.as_bytes());
        let doc = search_text(&event, search);
        let ip_key = event
            .ip
            .as_deref()
            .and_then(|ip| ip.parse().ok())
            .map(|ip| model::ip_key(&ip));
        Ok(NewEntry {
            entry,
            leaf,
            doc,
            id: event.id,
            time_us: model::time_key(&event.time),
            user: event.user,
            action: event.action,
            table: event.table,
            resource_id: event.resource_id,
            service: event.service,
            origin: event.origin,
            outcome: event.outcome,
            ip_key,
            reverts: event.reverts,
            if_stored: IfStored::Refuse,
        })
    }
}

/// Reads events: the query capability, which every back end has (the SQLite store, JSON Lines
/// and Kubernetes files read directly, a server through the API).
pub trait Store {
    /// Calls `each` with every event matching `q`, in order, until it returns `Ok(false)`.
    fn scan(
        &self,
        q: &Query,
        each: &mut dyn FnMut(Event) -> anyhow::Result<bool>,
    ) -> anyhow::Result<()>;

    /// Like `scan`, but hands over each event's seq and canonical entry text (JSON without
    /// `seq`) without decoding it, for output that can copy the text. The default encodes the
    /// events `scan` yields.
    fn scan_entries(
        &self,
        q: &Query,
        each: &mut dyn FnMut(u64, &str) -> anyhow::Result<bool>,
    ) -> anyhow::Result<()> {
        self.scan(q, &mut |e| {
            let seq = e.seq.unwrap_or_default();
            let entry = e.canonical_bytes();
            each(seq, std::str::from_utf8(&entry)?)
        })
    }

    /// `scan_entries`, also telling for each entry whether `judge` would change it, where the
    /// store knows without a look at the entry (a file's scan has decoded every event): `None`
    /// where it does not, or without a judge. The default knows nothing.
    fn scan_entries_judged(
        &self,
        q: &Query,
        _judge: Option<&Redactor>,
        each: &mut JudgedEntries<'_>,
    ) -> anyhow::Result<()> {
        self.scan_entries(q, &mut |seq, entry| each(seq, entry, None))
    }

    /// How many events match `filter`.
    fn count(&self, filter: &Expr) -> anyhow::Result<u64>;

    /// How many events match `filter` per distinct combination of the values of `fields`, in
    /// no particular order. The default counts while scanning.
    fn group_counts(
        &self,
        filter: &Expr,
        fields: &[Field],
    ) -> anyhow::Result<Vec<(Vec<serde_json::Value>, u64)>> {
        let mut groups: HashMap<String, (Vec<serde_json::Value>, u64)> = HashMap::new();
        self.scan(&Query::in_seq_order(filter.clone()), &mut |e| {
            let key: Vec<serde_json::Value> = fields.iter().map(|f| value_of(f, &e)).collect();
            let text = serde_json::to_string(&key)?;
            groups.entry(text).or_insert((key, 0)).1 += 1;
            Ok(true)
        })?;
        Ok(groups.into_values().collect())
    }

    /// Calls `each` with the time of every event matching `filter`, in no particular order.
    fn times(
        &self,
        filter: &Expr,
        each: &mut dyn FnMut(DateTime<Utc>) -> anyhow::Result<()>,
    ) -> anyhow::Result<()> {
        self.scan(&Query::in_seq_order(filter.clone()), &mut |e| {
            each(e.time)?;
            Ok(true)
        })
    }

    /// The seq of the last event, 0 for an empty store.
    fn last_seq(&self) -> anyhow::Result<u64>;

    /// For following the store as it grows: calls `each` with every event after seq `after`
    /// that matches `filter`, in seq order, and returns the last seq it looked at, matching or
    /// not, for the next call. Old events are not read again.
    fn scan_after(
        &self,
        after: u64,
        filter: &Expr,
        each: &mut dyn FnMut(Event) -> anyhow::Result<bool>,
    ) -> anyhow::Result<u64> {
        let end = self.last_seq()?;
        if end > after {
            let window = Expr::and(vec![
                filter.clone(),
                seq_compare(CmpOp::Gt, after),
                seq_compare(CmpOp::Le, end),
            ]);
            self.scan(&Query::in_seq_order(window), each)?;
        }
        Ok(end.max(after))
    }

    /// One event by seq, full id, or unique id prefix.
    fn get(&self, id: &str) -> anyhow::Result<Event>;
}

/// Appends events: the local store, and a server for a token with `write`.
pub trait Append {
    /// Appends events in one transaction: all or nothing, so the first `Err` from `events`
    /// leaves the store as it was. Events whose id is already stored are skipped and reported.
    fn append(
        &mut self,
        events: &mut dyn Iterator<Item = anyhow::Result<Event>>,
    ) -> anyhow::Result<AppendReport> {
        let search = self.search_redactor();
        self.append_entries(&mut events.map(|e| Ok(NewEntry::new(e?, &search)?)))
    }

    /// The keys whose values entries appended here leave out of their search document: the
    /// built-in ones and those the store was told to hide.
    fn search_redactor(&self) -> Redactor {
        Redactor::builtin().clone()
    }

    /// `append` for events already made ready with `NewEntry::new` (an import makes them on
    /// another thread).
    fn append_entries(
        &mut self,
        entries: &mut dyn Iterator<Item = anyhow::Result<NewEntry>>,
    ) -> anyhow::Result<AppendReport>;

    /// Does several writes (what a server received at once), each all or nothing, and
    /// returns each one's outcome in order; an `Err` of the whole means none was done. A store
    /// that can commits them together (one write, one sync for all); the default does one
    /// after another and cannot decide an event inside its transaction.
    fn append_groups(
        &mut self,
        writes: &mut [Write<'_>],
    ) -> anyhow::Result<Vec<anyhow::Result<AppendReport>>> {
        Ok(writes
            .iter_mut()
            .map(|write| match write {
                Write::Events(group) => self.append(&mut group.iter().cloned().map(Ok)),
                Write::Decided(_) => {
                    anyhow::bail!("this store cannot decide an append inside its transaction")
                }
            })
            .collect())
    }

    /// One write in a transaction of its own: `append_groups` of that write alone.
    fn write_one(&mut self, mut write: Write<'_>) -> anyhow::Result<AppendReport> {
        self.append_groups(std::slice::from_mut(&mut write))?
            .pop()
            .unwrap_or_else(|| Err(anyhow::anyhow!("the store answered no outcome for a write")))
    }
}

/// Decides the one event a write appends, reading the store as the write's transaction sees
/// it; an `Err` appends nothing (a revert whose plan changed).
pub type Decide<'a> = Box<dyn FnMut(&dyn Store) -> anyhow::Result<Event> + Send + 'a>;

/// One of the writes `Append::append_groups` takes into one transaction.
pub enum Write<'a> {
    /// Events to append, all or nothing; those whose id is stored already are skipped.
    Events(Vec<Event>),
    /// One event decided inside the transaction (a revert, which must see the log as it is
    /// when its event is appended); it must be new.
    Decided(Decide<'a>),
}

impl Write<'_> {
    /// The entries this write appends, with `store` as the transaction sees it.
    fn entries(&mut self, store: &dyn Store, search: &Redactor) -> anyhow::Result<Vec<NewEntry>> {
        match self {
            Write::Events(group) => group
                .iter()
                .map(|e| Ok(NewEntry::new(e.clone(), search)?))
                .collect(),
            Write::Decided(decide) => Ok(vec![NewEntry::new(decide(store)?, search)?]),
        }
    }

    /// Does this write with `insert` (the store's insert inside its transaction): a decided
    /// event that is stored already is an error, not a duplicate skipped.
    fn run(
        &mut self,
        store: &dyn Store,
        search: &Redactor,
        insert: impl FnOnce(
            &mut dyn Iterator<Item = anyhow::Result<NewEntry>>,
        ) -> anyhow::Result<AppendReport>,
    ) -> anyhow::Result<AppendReport> {
        let entries = self.entries(store, search)?;
        // A decided write is one event, which must be new.
        let decided_id = matches!(self, Write::Decided(_))
            .then(|| entries.first().map(|e| e.id.clone()))
            .flatten();
        let report = insert(&mut entries.into_iter().map(Ok))?;
        if let Some(id) = decided_id
            && report.first_seq.is_none()
        {
            anyhow::bail!("an event with id {id} is already stored");
        }
        Ok(report)
    }
}

/// What runs inside a revert's transaction, given the event about to be appended, which it may
/// complete (the server records who asked): an `Err` appends nothing (`revert --exec`).
pub type Gate<'a> = &'a mut (dyn FnMut(&mut Event) -> anyhow::Result<()> + Send);

/// Reverts events: the plan, and the revert carried out, checked against the plan and
/// appended in one transaction so that two reverts cannot both win.
pub trait Revert {
    /// Who a revert is recorded for unless it names someone: the login name where the log is
    /// local, the token's name on a server. An error when the revert would be refused anyway
    /// (a token without the revert scope), so that no plan is shown that cannot be carried out.
    fn reverter(&self) -> anyhow::Result<String>;

    /// What reverting event `id` would do as the log stands now, and the plan's ETag, which
    /// changes when anything the plan depends on does.
    fn revert_plan(&self, id: &str) -> anyhow::Result<(crate::api::RevertPlan, String)>;

    /// Reverts event `id` if its plan still has `etag`, recorded for `request.user` (else
    /// `reverter`); `gate`, given the event about to be
    /// appended, runs inside the transaction, and an `Err` from it appends nothing (`revert
    /// --exec`; only where the log is local). Returns the event appended, with its seq.
    fn revert(
        &mut self,
        id: &str,
        etag: &str,
        request: &crate::api::RevertRequest,
        gate: Option<Gate<'_>>,
    ) -> anyhow::Result<Event>;
}

/// The Merkle tree over the log, its checkpoints and proofs: the integrity capability.
pub trait Integrity {
    /// The origin line of the log's checkpoints.
    fn origin(&self) -> anyhow::Result<String>;

    /// The latest checkpoint note, if there is one.
    fn latest_checkpoint(&self) -> anyhow::Result<Option<String>>;

    /// Makes a checkpoint of the whole log, signed with `key`, records it, and returns its
    /// note text.
    fn checkpoint(
        &mut self,
        key: Option<&crate::integrity::note::SigningKey>,
    ) -> anyhow::Result<String>;

    /// Whether a checkpoint of `size` leaves was recorded.
    fn is_checkpoint_size(&self, size: u64) -> anyhow::Result<bool>;

    /// The RFC 9162 consistency proof from the tree of `from` leaves to the one of `to`.
    fn consistency_proof(
        &self,
        from: u64,
        to: u64,
    ) -> anyhow::Result<Vec<crate::integrity::merkle::Hash>>;

    /// The RFC 9162 audit path of event `seq` in the tree of `size` leaves.
    fn inclusion_proof(
        &self,
        seq: u64,
        size: u64,
    ) -> anyhow::Result<Vec<crate::integrity::merkle::Hash>>;

    /// The exact bytes the leaf of event `seq` hashes: its canonical entry text.
    fn entry_text(&self, seq: u64) -> anyhow::Result<String>;

    /// Checks the log as far as this back end can: the whole store where it lives, the
    /// server's history from a client. Returns what was verified, in a sentence; what is
    /// wrong is an integrity failure (exit 3).
    fn verify(&self, opts: &crate::integrity::verify::Options) -> anyhow::Result<String>;
}

/// A back end opened for a command or a request: it reads, and says which other capabilities
/// it has. A JSON Lines file only reads; the SQLite store and a server have them all.
pub trait Backend: Store + Send {
    /// Whether reads can show sensitive values (`--reveal`): a server shows them only to a
    /// token with `view_sensitive`; here they are the reader's own.
    fn can_reveal(&self) -> anyhow::Result<bool> {
        Ok(true)
    }

    fn append(&mut self) -> anyhow::Result<&mut dyn Append>;
    fn revert(&mut self) -> anyhow::Result<&mut dyn Revert>;
    fn integrity(&mut self) -> anyhow::Result<&mut dyn Integrity>;
}

/// A store at either end of `copy`: its log as `verify` reads it, and, as the target, the
/// source's origin and checkpoints taken in as they were recorded, so that checkpoints kept
/// from the source verify against the copy.
pub trait LogStore: Store + Append + crate::integrity::verify::LogTables + Send {
    /// Names the store's checkpoints `origin`; only while the store is empty.
    fn adopt_origin(&mut self, origin: &str) -> anyhow::Result<()>;

    /// Records a checkpoint as another store made it (its root was checked against this log).
    fn record_checkpoint(&mut self, checkpoint: &tree::RecordedCheckpoint) -> anyhow::Result<()>;

    /// Takes every event into the stored tree; returns its size.
    fn extend_tree(&mut self) -> anyhow::Result<u64>;
}

impl LogStore for sqlite::SqliteStore {
    fn adopt_origin(&mut self, origin: &str) -> anyhow::Result<()> {
        anyhow::ensure!(
            self.is_empty()?,
            "the origin of a store that holds events stays"
        );
        self.conn
            .execute(
                "UPDATE store_info SET value = ?1 WHERE key = 'origin'",
                [origin],
            )
            .map_err(|e| self.sqlite_err(e))?;
        Ok(())
    }

    fn record_checkpoint(&mut self, c: &tree::RecordedCheckpoint) -> anyhow::Result<()> {
        self.conn
            .execute(
                "INSERT INTO checkpoints (size, root, note, created) VALUES (?1, ?2, ?3, ?4)",
                rusqlite::params![c.size as i64, c.root, c.note, c.created],
            )
            .map_err(|e| self.sqlite_err(e))?;
        Ok(())
    }

    fn extend_tree(&mut self) -> anyhow::Result<u64> {
        sqlite::SqliteStore::extend_tree(self)
    }
}

/// An event from its stored entry text, with its seq.
pub(crate) fn decode_entry(seq: i64, entry: &str) -> anyhow::Result<Event> {
    let mut e: Event = serde_json::from_str(entry)
        .map_err(|err| anyhow::anyhow!("entry seq {seq} cannot be read: {err}"))?;
    e.seq = Some(seq as u64);
    Ok(e)
}

/// The column of the `entries` table a sort key orders by (both SQL back ends).
pub(crate) fn sort_column(field: SortField) -> &'static str {
    match field {
        SortField::Seq => "seq",
        SortField::Time => "time_us",
        SortField::Id => "id",
        SortField::User => "user_name",
        SortField::Action => "action",
        SortField::Table => "tbl",
        SortField::ResourceId => "resource_id",
        SortField::Service => "service",
        SortField::Origin => "origin",
        SortField::Outcome => "outcome",
        SortField::Ip => "ip_key",
    }
}

/// What `get` asks an SQL back end for, in turn.
pub(crate) enum Lookup<'a> {
    /// The event with this seq (decimal digits).
    Seq(&'a str),
    /// The event with this full id.
    Id(&'a str),
    /// Up to six events whose id starts with this, in seq order.
    Prefix(&'a str),
}

/// `Store::get` over an SQL back end: the event with seq `id`, else with id `id`, else the one
/// whose id starts with `id` (four characters at least when they are all digits, so a short
/// number is never read as a prefix). `find` answers a lookup with the events found, `count`
/// says how many ids start with a prefix (for an ambiguous one).
pub(crate) fn get_by_lookups(
    id: &str,
    find: &mut dyn FnMut(Lookup<'_>) -> anyhow::Result<Vec<Event>>,
    count: &mut dyn FnMut(&str) -> anyhow::Result<u64>,
) -> anyhow::Result<Event> {
    let id = id.trim();
    let digits = !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit());
    if digits && let Some(e) = find(Lookup::Seq(id))?.pop() {
        return Ok(e);
    }
    if let Some(e) = find(Lookup::Id(id))?.pop() {
        return Ok(e);
    }
    if id.len() >= 4 || (!id.is_empty() && !digits) {
        let mut found = find(Lookup::Prefix(id))?;
        match found.len() {
            0 => {}
            1 => return Ok(found.remove(0)),
            _ => {
                let total = count(id)?;
                found.truncate(AMBIGUOUS_SHOWN);
                return Err(StoreError::Ambiguous {
                    prefix: id.to_owned(),
                    candidates: found
                        .iter()
                        .map(|e| format!("{} (seq {})", e.id, e.seq.unwrap_or_default()))
                        .collect(),
                    total,
                }
                .into());
            }
        }
    }
    Err(StoreError::NotFound(id.to_owned()).into())
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The document is every distinct term, in the order first seen.
        #[test]
        fn the_document_is_the_distinct_terms_in_the_order_first_seen(
            message in "([a-c]{0,10}[ .-]){0,30}|\\PC{0,80}",
        ) {
            let e: Event = serde_json::from_value(serde_json::json!({
                "time": "2026-11-20T10:00:00Z", "user": "u", "action": "UPDATE",
                "message": message,
            }))
            .unwrap();
            let mut terms: Vec<Vec<u8>> = Vec::new();
            for_each_search_term(&e, Redactor::builtin(), &mut |t| {
                if !terms.iter().any(|seen| seen == t) {
                    terms.push(t.to_owned());
                }
            });
            let expected = String::from_utf8(terms.join(&b' ')).unwrap();
            proptest::prop_assert_eq!(search_text(&e, Redactor::builtin()), expected);
        }
    }
}

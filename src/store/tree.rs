//! The store's side of integrity: extending the stored Merkle tree, reading its nodes for
//! proofs, recording checkpoints, and handing `verify` the raw material it checks.

use rusqlite::{Connection, OptionalExtension, params};

use super::sqlite::SqliteStore;
use super::{StoreError, schema};
use crate::integrity::merkle::{self, Hash, Nodes};
use crate::integrity::note::{self, Checkpoint, SigningKey};
use crate::model;

/// One recorded checkpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedCheckpoint {
    pub id: i64,
    pub size: u64,
    pub root: Vec<u8>,
    pub note: String,
    /// When it was made (RFC 3339, UTC).
    pub created: String,
}

/// One entry as `verify` reads it, owned so that checking it can run on another thread: the
/// stored bytes, the stored leaf, the tree's copy of the leaf when the tree has taken it in,
/// and the columns derived from the entry.
pub struct StoredLeaf {
    pub seq: u64,
    pub entry: Vec<u8>,
    pub leaf: Vec<u8>,
    pub tree_leaf: Option<Vec<u8>>,
    /// id, user_name, action, tbl, resource_id, service, origin, outcome, reverts.
    texts: [Option<Vec<u8>>; 9],
    time_us: Option<i64>,
    ip_key: Option<Vec<u8>>,
    /// Whether the database keeps U+0000 in text columns as U+FFFD (PostgreSQL cannot hold
    /// it), so that the columns are compared with the entry's text mapped the same.
    nul_replaced: bool,
}

/// The columns derived from each entry, in the order `scan_leaves` selects them.
const DERIVED: [&str; 11] = [
    "id",
    "user_name",
    "action",
    "tbl",
    "resource_id",
    "service",
    "origin",
    "outcome",
    "reverts",
    "time_us",
    "ip_key",
];

/// The derived columns of one entry as its bytes say they must be, from a partial or a whole
/// decoding of the entry.
pub struct Expected<'a> {
    /// In the order of `DERIVED`'s first nine.
    texts: [Option<&'a str>; 9],
    time_us: Option<i64>,
    ip: Option<&'a str>,
}

impl<'a> Expected<'a> {
    pub fn of_view(v: &'a model::EntryView<'a>) -> Expected<'a> {
        Expected {
            texts: [
                Some(&v.id),
                Some(&v.user),
                Some(&v.action),
                v.table.as_deref(),
                v.resource_id.as_deref(),
                v.service.as_deref(),
                v.origin.as_deref(),
                Some(&v.outcome),
                v.reverts.as_deref(),
            ],
            time_us: chrono::DateTime::parse_from_rfc3339(&v.time)
                .ok()
                .map(|t| t.timestamp_micros()),
            ip: v.ip.as_deref(),
        }
    }

    pub fn of_event(e: &'a model::Event) -> Expected<'a> {
        Expected {
            texts: [
                Some(&e.id),
                Some(&e.user),
                Some(&e.action),
                e.table.as_deref(),
                e.resource_id.as_deref(),
                e.service.as_deref(),
                e.origin.as_deref(),
                Some(&e.outcome),
                e.reverts.as_deref(),
            ],
            time_us: Some(model::time_key(&e.time)),
            ip: e.ip.as_deref(),
        }
    }
}

impl StoredLeaf {
    /// A row as a database other than SQLite holds it: the derived text columns in the order
    /// id, user_name, action, tbl, resource_id, service, origin, outcome, reverts, with
    /// U+0000 held as U+FFFD.
    pub fn with_nul_replaced(
        seq: u64,
        entry: Vec<u8>,
        leaf: Vec<u8>,
        tree_leaf: Option<Vec<u8>>,
        texts: [Option<Vec<u8>>; 9],
        time_us: Option<i64>,
        ip_key: Option<Vec<u8>>,
    ) -> StoredLeaf {
        StoredLeaf {
            seq,
            entry,
            leaf,
            tree_leaf,
            texts,
            time_us,
            ip_key,
            nul_replaced: true,
        }
    }

    /// The value of one column of the row, for comparing the table with its indexes.
    pub fn cell(&self, column: &str) -> super::check::Cell<'_> {
        use super::check::Cell;
        fn bytes(b: &Option<Vec<u8>>) -> Cell<'_> {
            b.as_deref().map_or(Cell::Null, Cell::Bytes)
        }
        match column {
            "seq" => Cell::Int(self.seq as i64),
            "time_us" => self.time_us.map_or(Cell::Null, Cell::Int),
            "ip_key" => bytes(&self.ip_key),
            name => match DERIVED.iter().position(|c| *c == name) {
                Some(i) if i < self.texts.len() => bytes(&self.texts[i]),
                _ => panic!("{name} is not a column verify reads"),
            },
        }
    }

    /// The first indexed column that does not hold what the entry says: the filters read
    /// those columns, so an edit there hides or invents events.
    pub fn wrong_column(&self, want: &Expected) -> Option<&'static str> {
        if let Some(i) = want.texts.iter().zip(&self.texts).position(|(want, have)| {
            let want = match want {
                Some(w) if self.nul_replaced && w.contains('\0') => {
                    Some(std::borrow::Cow::Owned(w.replace('\0', "\u{fffd}")))
                }
                w => w.map(std::borrow::Cow::Borrowed),
            };
            want.as_deref().map(str::as_bytes) != have.as_deref()
        }) {
            return Some(DERIVED[i]);
        }
        if want.time_us != self.time_us {
            return Some("time_us");
        }
        let ip_key = want
            .ip
            .and_then(|ip| ip.parse().ok())
            .map(|ip| model::ip_key(&ip));
        if ip_key.as_ref().map(|k| &k[..]) != self.ip_key.as_deref() {
            return Some("ip_key");
        }
        None
    }
}

/// The tree's perfect nodes, read from the store.
pub struct StoredNodes<'c>(&'c Connection);

impl Nodes for StoredNodes<'_> {
    fn node(&self, level: u32, index: u64) -> anyhow::Result<Hash> {
        let hash: Option<Vec<u8>> = self
            .0
            .prepare_cached("SELECT hash FROM tree WHERE level = ?1 AND idx = ?2")?
            .query_row(params![level, index as i64], |r| r.get(0))
            .optional()?;
        let hash = hash.ok_or_else(|| {
            anyhow::anyhow!("the tree has no node at level {level}, index {index}")
        })?;
        Hash::try_from(hash.as_slice())
            .map_err(|_| anyhow::anyhow!("tree node ({level}, {index}) is not a SHA-256 hash"))
    }
}

fn hash_of(bytes: &[u8]) -> anyhow::Result<Hash> {
    Hash::try_from(bytes).map_err(|_| anyhow::anyhow!("a stored hash is not 32 bytes"))
}

impl SqliteStore {
    fn wrap(&self) -> impl Fn(rusqlite::Error) -> StoreError + '_ {
        |e| self.sqlite_err(e)
    }

    /// The origin line of this store's checkpoints, chosen when it was created.
    pub fn origin(&self) -> anyhow::Result<String> {
        Ok(self
            .conn
            .query_row(
                "SELECT value FROM store_info WHERE key = 'origin'",
                [],
                |r| r.get(0),
            )
            .map_err(self.wrap())?)
    }

    /// How many leaves the stored tree holds.
    pub fn tree_size(&self) -> anyhow::Result<u64> {
        let n: i64 = self
            .conn
            .query_row(
                "SELECT coalesce(max(idx) + 1, 0) FROM tree WHERE level = 0",
                [],
                |r| r.get(0),
            )
            .map_err(self.wrap())?;
        Ok(n as u64)
    }

    pub fn nodes(&self) -> StoredNodes<'_> {
        StoredNodes(&self.conn)
    }

    /// Takes every entry not yet in the tree into it, storing the nodes each one completes:
    /// O(log n) hashing per entry, whatever the size of the log. Returns the new tree size.
    pub fn extend_tree(&self) -> anyhow::Result<u64> {
        self.conn
            .execute_batch("BEGIN IMMEDIATE")
            .map_err(self.wrap())?;
        let result = self.extend_tree_in_transaction();
        let end = if result.is_ok() { "COMMIT" } else { "ROLLBACK" };
        self.conn.execute_batch(end).map_err(self.wrap())?;
        result
    }

    fn extend_tree_in_transaction(&self) -> anyhow::Result<u64> {
        let mut frontier = merkle::Frontier::resume(self.tree_size()?, &self.nodes())?;
        let mut insert = self
            .conn
            .prepare_cached("INSERT INTO tree (level, idx, hash) VALUES (?1, ?2, ?3)")
            .map_err(self.wrap())?;
        let mut rows = self
            .conn
            .prepare("SELECT seq, leaf FROM entries WHERE seq > ?1 ORDER BY seq")
            .map_err(self.wrap())?;
        let mut rows = rows.query([frontier.size() as i64]).map_err(self.wrap())?;
        while let Some(row) = rows.next().map_err(self.wrap())? {
            let seq: i64 = row.get(0).map_err(self.wrap())?;
            anyhow::ensure!(
                seq as u64 == frontier.size() + 1,
                "seq {} is missing from the store: run `auditctl verify`",
                frontier.size() + 1
            );
            let leaf = hash_of(row.get_ref(1).map_err(self.wrap())?.as_blob()?)?;
            let mut inserted = Ok(());
            frontier.push_seeing(leaf, &mut |level, index, node| {
                if inserted.is_ok() {
                    inserted = insert
                        .execute(params![i64::from(level), index as i64, &node[..]])
                        .map(|_| ());
                }
            });
            inserted.map_err(self.wrap())?;
        }
        Ok(frontier.size())
    }

    /// Makes a checkpoint of the whole store, records it, and returns its note text.
    pub fn checkpoint(&mut self, key: Option<&SigningKey>) -> anyhow::Result<String> {
        let size = self.extend_tree()?;
        let root = merkle::root(&self.nodes(), size)?;
        let text = note::note_text(
            &Checkpoint {
                origin: self.origin()?,
                size,
                root,
            },
            key,
        );
        self.conn
            .execute(
                "INSERT INTO checkpoints (size, root, note, created) VALUES (?1, ?2, ?3, ?4)",
                params![
                    size as i64,
                    &root[..],
                    text,
                    model::format_time(&chrono::Utc::now())
                ],
            )
            .map_err(self.wrap())?;
        Ok(text)
    }

    /// Every recorded checkpoint, oldest first.
    pub fn checkpoints(&self) -> anyhow::Result<Vec<RecordedCheckpoint>> {
        let mut stmt = self
            .conn
            .prepare("SELECT id, size, root, note, created FROM checkpoints ORDER BY id")
            .map_err(self.wrap())?;
        let rows = stmt
            .query_map([], |r| {
                Ok(RecordedCheckpoint {
                    id: r.get(0)?,
                    size: r.get::<_, i64>(1)? as u64,
                    root: r.get(2)?,
                    note: r.get(3)?,
                    created: r.get(4)?,
                })
            })
            .map_err(self.wrap())?;
        Ok(rows.collect::<Result<_, _>>().map_err(self.wrap())?)
    }

    /// The append-only triggers that are missing from the schema.
    pub fn missing_triggers(&self) -> anyhow::Result<Vec<&'static str>> {
        let mut missing = Vec::new();
        for name in schema::TRIGGERS {
            let found: i64 = self
                .conn
                .query_row(
                    "SELECT count(*) FROM sqlite_schema WHERE type = 'trigger' AND name = ?1",
                    [name],
                    |r| r.get(0),
                )
                .map_err(self.wrap())?;
            if found == 0 {
                missing.push(name);
            }
        }
        Ok(missing)
    }

    /// Calls `each` with every entry in seq order, in batches of up to `batch`.
    pub fn scan_leaves(
        &self,
        batch: usize,
        each: &mut dyn FnMut(Vec<StoredLeaf>) -> anyhow::Result<()>,
    ) -> anyhow::Result<()> {
        use rusqlite::types::ValueRef;
        let mut stmt = self
            .conn
            .prepare(&format!(
                "SELECT e.seq, e.entry, e.leaf, t.hash, {} FROM entries e \
                 LEFT JOIN tree t ON t.level = 0 AND t.idx = e.seq - 1 ORDER BY e.seq",
                DERIVED.map(|c| format!("e.{c}")).join(", ")
            ))
            .map_err(self.wrap())?;
        let mut rows = stmt.query([]).map_err(self.wrap())?;
        let bytes = |v: ValueRef<'_>| match v {
            ValueRef::Text(t) | ValueRef::Blob(t) => Some(t.to_vec()),
            _ => None,
        };
        let mut leaves = Vec::with_capacity(batch);
        while let Some(row) = rows.next().map_err(self.wrap())? {
            let get = |i: usize| row.get_ref(i).map_err(self.wrap());
            let mut texts: [Option<Vec<u8>>; 9] = Default::default();
            for (k, t) in texts.iter_mut().enumerate() {
                *t = bytes(get(4 + k)?);
            }
            leaves.push(StoredLeaf {
                seq: row.get::<_, i64>(0).map_err(self.wrap())? as u64,
                entry: bytes(get(1)?).unwrap_or_default(),
                leaf: bytes(get(2)?).unwrap_or_default(),
                tree_leaf: bytes(get(3)?),
                texts,
                time_us: get(13)?.as_i64_or_null()?,
                ip_key: bytes(get(14)?),
                nul_replaced: false,
            });
            if leaves.len() == batch {
                each(std::mem::replace(&mut leaves, Vec::with_capacity(batch)))?;
            }
        }
        if !leaves.is_empty() {
            each(leaves)?;
        }
        Ok(())
    }

    /// The canonical entry text and seq of one event, for proofs.
    pub fn entry_text(&self, seq: u64) -> anyhow::Result<String> {
        Ok(self
            .conn
            .query_row(
                "SELECT entry FROM entries WHERE seq = ?1",
                [seq as i64],
                |r| r.get(0),
            )
            .map_err(self.wrap())?)
    }
}

impl super::Integrity for SqliteStore {
    fn origin(&self) -> anyhow::Result<String> {
        SqliteStore::origin(self)
    }

    fn latest_checkpoint(&self) -> anyhow::Result<Option<String>> {
        Ok(self.checkpoints()?.pop().map(|c| c.note))
    }

    fn is_checkpoint_size(&self, size: u64) -> anyhow::Result<bool> {
        let found: i64 = self
            .conn
            .query_row(
                "SELECT count(*) FROM checkpoints WHERE size = ?1",
                [size as i64],
                |r| r.get(0),
            )
            .map_err(self.wrap())?;
        Ok(found > 0)
    }

    fn checkpoint(&mut self, key: Option<&SigningKey>) -> anyhow::Result<String> {
        self.writable()?;
        SqliteStore::checkpoint(self, key)
    }

    fn consistency_proof(&self, from: u64, to: u64) -> anyhow::Result<Vec<Hash>> {
        self.tree_holding(to)?;
        merkle::consistency_proof(&self.nodes(), from, to)
    }

    fn inclusion_proof(&self, seq: u64, size: u64) -> anyhow::Result<Vec<Hash>> {
        anyhow::ensure!(
            (1..=size).contains(&seq),
            crate::error::Failure::usage(format!("seq {seq} is not in a log of {size} events"))
        );
        self.tree_holding(size)?;
        merkle::inclusion_proof(&self.nodes(), seq - 1, size)
    }

    fn entry_text(&self, seq: u64) -> anyhow::Result<String> {
        SqliteStore::entry_text(self, seq)
    }

    fn verify(&self, opts: &crate::integrity::verify::Options) -> anyhow::Result<String> {
        crate::integrity::verify::verify_store(self, opts)?.outcome(opts.external)
    }
}

impl SqliteStore {
    /// Makes sure the stored tree holds at least `size` leaves, extending it in its own
    /// transaction when the log has them; fewer events than `size` is a usage error.
    fn tree_holding(&self, size: u64) -> anyhow::Result<()> {
        if self.tree_size()? >= size {
            return Ok(());
        }
        self.extend_tree()?;
        anyhow::ensure!(
            self.tree_size()? >= size,
            crate::error::Failure::usage(format!("the log holds fewer than {size} events"))
        );
        Ok(())
    }
}

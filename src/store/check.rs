//! The database under the log, as `verify` checks it: the schema against the one auditctl
//! creates, SQLite's check of every page and b-tree, every index against its table, and the
//! full-text index against the entries. Filters and searches answer from these structures, so
//! if they lie, the tool lies.

use std::collections::{BTreeMap, HashSet};
use std::hash::BuildHasher;

use rusqlite::{Connection, OptionalExtension};

use super::sqlite::SqliteStore;
use super::{fts_segments, schema};
use crate::model::{EntryView, Event};
use crate::query::entry_pieces;
use crate::redact::Redactor;

/// One object of `sqlite_schema`: its type and its SQL (NULL for automatic indexes).
type SchemaObject = (String, Option<String>);

fn schema_objects(conn: &Connection) -> rusqlite::Result<BTreeMap<String, SchemaObject>> {
    let mut stmt = conn.prepare("SELECT type, name, sql FROM main.sqlite_schema")?;
    let rows = stmt.query_map([], |r| {
        Ok((r.get::<_, String>(1)?, (r.get::<_, String>(0)?, r.get(2)?)))
    })?;
    rows.filter(|r| {
        // The statistics ANALYZE keeps change no answer.
        !matches!(r, Ok((name, _)) if name_is_stat(name))
    })
    .collect()
}

fn name_is_stat(name: &str) -> bool {
    name.starts_with("sqlite_stat")
}

impl SqliteStore {
    /// Runs `f` in one read transaction, so that every read it makes on this connection sees
    /// the same snapshot of a store that others may be appending to.
    pub fn in_snapshot<T>(&self, f: impl FnOnce() -> anyhow::Result<T>) -> anyhow::Result<T> {
        self.conn
            .execute_batch("BEGIN DEFERRED")
            .map_err(|e| self.sqlite_err(e))?;
        let result = f();
        self.conn
            .execute_batch("COMMIT")
            .map_err(|e| self.sqlite_err(e))?;
        result
    }

    /// A second connection to the same store, for checks that run beside this one's. Its
    /// snapshot, once it reads, is as new as this one's or newer.
    pub fn another(&self) -> Result<SqliteStore, super::StoreError> {
        SqliteStore::open(&self.path)
    }

    /// How the store's schema differs from the one this build creates (`schema_differences`).
    pub fn schema_differences(&self) -> anyhow::Result<Vec<String>> {
        schema_differences(&self.conn)
    }

    /// What SQLite's check of every page and b-tree finds (`page_problems`).
    pub fn page_problems(&self, max: usize) -> anyhow::Result<Vec<String>> {
        page_problems(&self.conn, max)
    }

    /// Each entry index's rows up to seq `last`, read through the index (`index_sums`).
    pub fn index_sums(&self, key: &Key, last: u64) -> anyhow::Result<Vec<Option<IndexReading>>> {
        index_sums(&self.conn, key, last)
    }

    /// The sum of every node of the stored Merkle tree, each hashed as (level, index, hash):
    /// to compare with the nodes the entries make, so that none is missing, wrong or added.
    pub fn tree_sum(&self, key: &Key) -> anyhow::Result<u64> {
        let mut stmt = self.conn.prepare("SELECT level, idx, hash FROM tree")?;
        let mut rows = stmt.query([])?;
        let mut sum = 0u64;
        while let Some(row) = rows.next()? {
            let cell = |i| -> rusqlite::Result<Cell<'_>> {
                Ok(match row.get_ref(i)? {
                    rusqlite::types::ValueRef::Integer(n) => Cell::Int(n),
                    rusqlite::types::ValueRef::Text(b) | rusqlite::types::ValueRef::Blob(b) => {
                        Cell::Bytes(b)
                    }
                    _ => Cell::Null,
                })
            };
            sum = sum.wrapping_add(key.row([cell(0)?, cell(1)?, cell(2)?], 0));
        }
        Ok(sum)
    }

    /// The full-text index's (term, seq) pairs up to `last`, read back (`search_index_sum`).
    pub fn search_index_sum(&self, key: &Key, last: u64) -> anyhow::Result<SearchReading> {
        search_index_sum(&self.conn, key, last)
    }

    /// The full-text index's (seq, term) pairs for the seqs `wanted` picks, read from its
    /// pages as `search_index_sum` reads them.
    pub fn index_terms(
        &self,
        wanted: &dyn Fn(u64) -> bool,
        each: &mut dyn FnMut(u64, &[u8]),
    ) -> anyhow::Result<()> {
        fts_segments::for_each_posting(&self.conn, "entries_fts", &mut |term, seq| {
            if seq >= 1 && wanted(seq as u64) {
                each(seq as u64, term);
            }
        })
        .map_err(|e| match e {
            fts_segments::SegmentError::Damaged(why) => {
                anyhow::anyhow!("the full-text index is damaged: {why}")
            }
            fts_segments::SegmentError::Sql(e) => e.into(),
        })
    }

    /// The stored entry at `seq`, if there is one.
    pub fn entry_at(&self, seq: u64) -> anyhow::Result<Option<Vec<u8>>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT entry FROM entries WHERE seq = ?1")?;
        Ok(stmt
            .query_row([seq as i64], |r| {
                // Text as auditctl writes it, or whatever an editor of the file put there.
                Ok(match r.get_ref(0)? {
                    rusqlite::types::ValueRef::Text(b) | rusqlite::types::ValueRef::Blob(b) => {
                        b.to_vec()
                    }
                    _ => Vec::new(),
                })
            })
            .optional()?)
    }
}

/// How a store's schema differs from the one this build creates: objects missing, changed
/// (an index rebuilt as a partial one that leaves rows out), or added (a trigger that edits
/// what is inserted). Each difference as a sentence.
fn schema_differences(conn: &Connection) -> anyhow::Result<Vec<String>> {
    let reference = Connection::open_in_memory()?;
    schema::create(&reference)?;
    let want = schema_objects(&reference)?;
    let have = schema_objects(conn)?;
    let mut out = Vec::new();
    for (name, (kind, sql)) in &want {
        match have.get(name) {
            None if kind == "trigger" => out.push(format!(
                "the append-only trigger {name} is missing: the store can be edited in place"
            )),
            None => out.push(format!("the {kind} {name} is missing")),
            Some((k, s)) if k != kind || s != sql => out.push(format!(
                "the {kind} {name} is not as auditctl creates it: {}",
                s.as_deref().unwrap_or("(automatic)")
            )),
            Some(_) => {}
        }
    }
    for (name, (kind, sql)) in &have {
        if !want.contains_key(name) {
            out.push(format!(
                "the store has a {kind} {name} that auditctl does not create: {}",
                sql.as_deref().unwrap_or("")
            ));
        }
    }
    Ok(out)
}

/// What `PRAGMA quick_check` finds, at most `max` messages (none when the file is sound):
/// damaged pages and b-trees, in the tables and indexes, the full-text index's tables among
/// them. Whether each index holds exactly its table's rows is `index_sums`' part, and whether
/// the full-text index's pages hold what searches need is `fts_segments`'.
///
/// Since SQLite 3.44 the pragma also runs FTS5's own check of its index, which costs as much
/// as the check of every other page and asks less than `fts_segments` (for a contentless table
/// it reads the pages and their keys, as that does). So the connection forgets its virtual
/// table modules first: the pragma passes over a virtual table whose module it does not know.
/// `conn` must not have used the full-text index before, and cannot after.
fn page_problems(conn: &Connection, max: usize) -> anyhow::Result<Vec<String>> {
    // SAFETY: the handle is this open connection's, used on this thread; a null list keeps no
    // module. Tables already connected keep theirs, which only costs the time saved here.
    let rc = unsafe { rusqlite::ffi::sqlite3_drop_modules(conn.handle(), std::ptr::null_mut()) };
    if rc != rusqlite::ffi::SQLITE_OK {
        anyhow::bail!("SQLite refused to set aside its virtual table modules (code {rc})");
    }
    let mut stmt = conn.prepare(&format!("PRAGMA main.quick_check({max})"))?;
    let mut rows = stmt.query([])?;
    let mut found = Vec::new();
    loop {
        match rows.next() {
            // One row may name several problems, a line each, under a heading.
            Ok(Some(row)) => found.extend(
                row.get::<_, String>(0)?
                    .lines()
                    .filter(|line| !line.starts_with("*** in database"))
                    .map(str::to_owned),
            ),
            Ok(None) => break,
            // Some damage stops the check itself: what it found so far names it.
            Err(e) if e.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseCorrupt) => {
                found.push(format!("its check stopped at a page it cannot read ({e})"));
                break;
            }
            Err(e) => return Err(e.into()),
        }
    }
    found.retain(|r| r != "ok");
    Ok(found)
}

/// A random key, and the keyed hashes made with it. Sums of such hashes stand for multisets:
/// equal for equal sets whatever their order, and with the key chosen afresh by each `verify`,
/// no edit made to the store beforehand can keep a sum.
#[derive(Clone, Copy)]
pub struct Key {
    k0: u64,
    k1: u64,
    /// What `int` mixes a posting's seq with, worked out once: `mix(POSTING ^ k1)`.
    posting_seed: u64,
}

/// The seed of a posting's seq.
const POSTING: u64 = 0x0073_6571;

/// The finaliser of SplitMix64/MurmurHash3: a bijection that spreads every input bit.
fn mix(mut x: u64) -> u64 {
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    x ^ (x >> 31)
}

/// The 128-bit product of two words, its halves folded together.
fn folded_mul(a: u64, b: u64) -> u64 {
    let full = u128::from(a) * u128::from(b);
    (full as u64) ^ ((full >> 64) as u64)
}

/// One value of an indexed column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cell<'a> {
    Null,
    Int(i64),
    Bytes(&'a [u8]),
}

impl Key {
    pub fn random() -> Key {
        let state = std::hash::RandomState::new();
        // Odd, so that multiplying by it loses no bit.
        let k1 = state.hash_one(1u8) | 1;
        Key {
            k0: state.hash_one(0u8),
            k1,
            posting_seed: mix(POSTING ^ k1),
        }
    }

    /// A keyed hash of bytes, their length included (so no two strings share their chunks):
    /// each 8-byte word folded in with a keyed 128-bit multiplication, as wyhash and foldhash
    /// do.
    fn bytes(&self, seed: u64, bytes: &[u8]) -> u64 {
        let mut h = folded_mul(seed ^ self.k0, bytes.len() as u64 ^ self.k1);
        let mut chunks = bytes.chunks_exact(8);
        for chunk in &mut chunks {
            let word = u64::from_le_bytes(chunk.try_into().expect("8 bytes"));
            h = folded_mul(h ^ word, self.k1);
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut word = [0u8; 8];
            word[..rest.len()].copy_from_slice(rest);
            h = folded_mul(h ^ u64::from_le_bytes(word), self.k1);
        }
        mix(h)
    }

    fn int(&self, seed: u64, n: i64) -> u64 {
        mix(mix(seed ^ self.k1) ^ n as u64)
    }

    /// The hash of one search term.
    pub(crate) fn term(&self, term: &[u8]) -> u64 {
        self.bytes(0x7465_726d_u64, term)
    }

    /// The hash of a term at a seq: a term hashed once can be paired with all its seqs.
    pub(crate) fn posting(&self, term: u64, seq: u64) -> u64 {
        mix(term ^ self.posting_part(seq))
    }

    /// The seq's part of its postings' hashes: `int(POSTING, seq)`, its first mix done once.
    fn posting_part(&self, seq: u64) -> u64 {
        mix(self.posting_seed ^ seq)
    }

    /// The hash of one index row: its cells in order, then the seq it points at.
    pub fn row<'a>(&self, cells: impl IntoIterator<Item = Cell<'a>>, seq: u64) -> u64 {
        let mut h = self.k0;
        for cell in cells {
            h = match cell {
                Cell::Null => mix(h ^ 1),
                Cell::Int(n) => self.int(h ^ 2, n),
                Cell::Bytes(b) => self.bytes(h ^ 3, b),
            };
        }
        self.int(h, seq as i64)
    }

    /// What the distinct terms the full-text index must hold for the event at `seq` add to
    /// the sum of `search_index_sum`. Terms are told apart by their hashes: under a key chosen
    /// for this run, two terms share one by chance alone (2^-64 a pair).
    pub fn event_terms(&self, seq: u64, event: &Event, search: &Redactor) -> u64 {
        let Ok(sum) = self.distinct_terms(seq, |each| {
            crate::query::search::for_each_piece(event, search, each);
            Ok::<(), std::convert::Infallible>(())
        });
        sum
    }

    /// `event_terms` of the event a stored entry holds, read from its canonical text
    /// (`entry_pieces`); None if it is not canonical, and the event must be decoded.
    pub fn entry_terms(&self, seq: u64, view: &EntryView<'_>, search: &Redactor) -> Option<u64> {
        self.distinct_terms(seq, |each| {
            entry_pieces::for_each_entry_piece(view, search, each)
        })
        .ok()
    }

    /// The sum over the distinct terms of the pieces `pieces` gives, unless it fails.
    fn distinct_terms<E>(
        &self,
        seq: u64,
        pieces: impl FnOnce(&mut dyn FnMut(&str)) -> Result<(), E>,
    ) -> Result<u64, E> {
        SEEN_HASHES.with_borrow_mut(|seen| {
            let (mut sum, at) = (0u64, self.posting_part(seq));
            let read = pieces(&mut |piece| {
                crate::query::search::for_each_term_bytes(piece, &mut |t| {
                    let h = self.term(t);
                    if seen.insert(h) {
                        sum = sum.wrapping_add(mix(h ^ at));
                    }
                })
            });
            seen.clear();
            read.map(|()| sum)
        })
    }
}

thread_local! {
    /// One per checking thread, emptied after each event. The hashes are uniform under a
    /// secret key, so the set needs no hashing of its own beyond foldhash's cheapest.
    static SEEN_HASHES: std::cell::RefCell<HashSet<u64, foldhash::fast::FixedState>> =
        Default::default();
}

/// Sums of (term, seq) hashes, one for each group of seqs (the seq modulo `GROUPS`): compared
/// group by group, an index that differs from its entries in a few events is narrowed to their
/// groups, which can then be read again to name the events (`integrity::search_terms`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TermSums(Vec<u64>);

impl TermSums {
    pub const GROUPS: u64 = 1024;

    /// Adds what the event at `seq` holds (a sum of its postings' hashes).
    pub fn add(&mut self, seq: u64, hashes: u64) {
        let group = &mut self.0[(seq % Self::GROUPS) as usize];
        *group = group.wrapping_add(hashes);
    }

    /// The groups whose sums differ, in order.
    pub fn differing(&self, other: &TermSums) -> Vec<u64> {
        (0..Self::GROUPS)
            .filter(|&g| self.0[g as usize] != other.0[g as usize])
            .collect()
    }
}

impl Default for TermSums {
    fn default() -> Self {
        TermSums(vec![0; Self::GROUPS as usize])
    }
}

/// An index of the entries table: the columns it holds, in order, and for a partial index the
/// column that must be set for a row to be in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryIndex {
    pub name: &'static str,
    pub columns: Vec<&'static str>,
    pub only_when_set: Option<&'static str>,
}

/// Every index of the entries table: the quick filters' (`schema::INDEXES`) and the one behind
/// the unique id.
pub fn entry_indexes() -> &'static [EntryIndex] {
    static INDEXES: std::sync::LazyLock<Vec<EntryIndex>> = std::sync::LazyLock::new(|| {
        let mut all = vec![EntryIndex {
            name: "sqlite_autoindex_entries_1",
            columns: vec!["id"],
            only_when_set: None,
        }];
        all.extend(schema::INDEXES.iter().map(|(name, def)| {
            // At most four columns (`index_sums` reads them into an array).
            let (cols, rest) = def
                .strip_prefix("ON entries (")
                .and_then(|d| d.split_once(')'))
                .expect("an index of the entries table");
            EntryIndex {
                name,
                columns: cols.split(", ").collect(),
                only_when_set: rest.trim().strip_prefix("WHERE ").map(|c| {
                    c.strip_suffix(" IS NOT NULL")
                        .expect("WHERE COLUMN IS NOT NULL")
                }),
            }
        }));
        all
    });
    &INDEXES
}

/// What reading one index back found: the sum of the hashes of its rows, and the first place
/// where its rows are out of the order it declares, or where the unique index of ids holds
/// one twice: the sum cannot see order, and an index out of order answers look-ups wrongly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexReading {
    pub sum: u64,
    pub disorder: Option<String>,
}

/// One cell owned, to compare the next row with: SQLite's order of values, NULL first, then
/// numbers, then text and blobs byte by byte (the BINARY collation).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum Owned {
    Null,
    Int(i64),
    Bytes(Vec<u8>),
}

impl From<Cell<'_>> for Owned {
    fn from(c: Cell<'_>) -> Owned {
        match c {
            Cell::Null => Owned::Null,
            Cell::Int(n) => Owned::Int(n),
            Cell::Bytes(b) => Owned::Bytes(b.to_vec()),
        }
    }
}

/// For each index of `entry_indexes`, its rows for seqs up to `last` read through the index
/// alone (each holds all the columns asked for), hashed, and checked for order: what the
/// index would give a filter, to compare with the same sums made from the table's rows. An
/// index whose definition is not auditctl's (the schema check names it) is not read: None.
fn index_sums(
    conn: &Connection,
    key: &Key,
    last: u64,
) -> anyhow::Result<Vec<Option<IndexReading>>> {
    let mut readings = Vec::new();
    let definitions: BTreeMap<String, Option<String>> = conn
        .prepare("SELECT name, sql FROM main.sqlite_schema WHERE type = 'index'")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for index in entry_indexes() {
        let want = schema::INDEXES
            .iter()
            .find(|(name, _)| *name == index.name)
            .map(|(name, def)| format!("CREATE INDEX {name} {def}"));
        if definitions.get(index.name) != Some(&want) {
            readings.push(None);
            continue;
        }
        let mut condition = "seq <= ?1".to_owned();
        if let Some(col) = index.only_when_set {
            condition.push_str(&format!(" AND {col} IS NOT NULL"));
        }
        let mut stmt = conn.prepare(&format!(
            "SELECT {}, seq FROM entries INDEXED BY {} WHERE {condition}",
            index.columns.join(", "),
            index.name
        ))?;
        let mut rows = stmt.query([last as i64])?;
        let n = index.columns.len();
        let unique = index.name.starts_with("sqlite_autoindex");
        let mut sum = 0u64;
        let mut disorder = None;
        let mut previous: Vec<Owned> = Vec::with_capacity(n + 1);
        let mut current: Vec<Owned> = Vec::with_capacity(n + 1);
        while let Some(row) = rows.next()? {
            let mut cells = [Cell::Null; 4];
            for (i, cell) in cells.iter_mut().enumerate().take(n) {
                *cell = match row.get_ref(i)? {
                    rusqlite::types::ValueRef::Null => Cell::Null,
                    rusqlite::types::ValueRef::Integer(v) => Cell::Int(v),
                    rusqlite::types::ValueRef::Real(v) => Cell::Int(v.to_bits() as i64),
                    rusqlite::types::ValueRef::Text(b) | rusqlite::types::ValueRef::Blob(b) => {
                        Cell::Bytes(b)
                    }
                };
            }
            let seq: i64 = row.get(n)?;
            sum = sum.wrapping_add(key.row(cells[..n].iter().copied(), seq as u64));
            if disorder.is_none() {
                current.clear();
                current.extend(cells[..n].iter().map(|c| Owned::from(*c)));
                let same_key = !previous.is_empty() && current[..] == previous[..n];
                current.push(Owned::Int(seq));
                if !previous.is_empty() && current <= previous {
                    disorder = Some(format!("its rows are out of order at seq {seq}"));
                } else if unique && same_key {
                    disorder = Some(format!("it holds the id of seq {seq} twice"));
                }
                std::mem::swap(&mut previous, &mut current);
            }
        }
        readings.push(Some(IndexReading { sum, disorder }));
    }
    Ok(readings)
}

/// What reading the full-text index back found: the sum of its (term, seq) pairs for seqs up
/// to `last`, the first seq it holds a document for that the log does not (planted ahead of
/// the log, to match a later event), and what makes its pages unreadable as an index this
/// store writes (a delete marker that hides a document from searches, a missing page).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchReading {
    pub sums: TermSums,
    pub beyond_log: Option<i64>,
    pub damage: Option<String>,
}

/// Reads the full-text index back from its pages (`fts_segments`), in one snapshot with the
/// entries it is compared with: documents up to `last` are summed; those past the log's last
/// seq in that snapshot (or before seq 1) stand for no event.
fn search_index_sum(conn: &Connection, key: &Key, last: u64) -> anyhow::Result<SearchReading> {
    conn.execute_batch("BEGIN DEFERRED")?;
    let result = (|| {
        let log_end: i64 =
            conn.query_row("SELECT coalesce(max(seq), 0) FROM entries", [], |r| {
                r.get(0)
            })?;
        let mut sums = TermSums::default();
        let mut beyond_log: Option<i64> = None;
        // A segment gives its pairs in term order: each term is hashed once.
        let (mut term, mut hash) = (Vec::new(), 0u64);
        let read = fts_segments::for_each_posting(conn, "entries_fts", &mut |t, seq| {
            if seq > log_end || seq < 1 {
                beyond_log = Some(beyond_log.map_or(seq, |b| b.min(seq)));
            }
            // Seqs that are no event are `beyond_log`'s, whichever group they would fall in.
            if seq < 1 || seq > last as i64 {
                return;
            }
            if term != t {
                term.clear();
                term.extend_from_slice(t);
                hash = key.term(t);
            }
            sums.add(seq as u64, key.posting(hash, seq as u64));
        });
        let damage = match read {
            Ok(()) => None,
            Err(fts_segments::SegmentError::Damaged(why)) => Some(why),
            Err(fts_segments::SegmentError::Sql(e)) => return Err(e.into()),
        };
        anyhow::Ok(SearchReading {
            sums,
            beyond_log,
            damage,
        })
    })();
    conn.execute_batch("COMMIT")?;
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events() -> Vec<Event> {
        (1..=3)
            .map(|i| {
                serde_json::from_value(serde_json::json!({
                    "id": format!("e{i}"), "time": "2026-11-20T10:00:00Z", "user": "alice",
                    "action": "UPDATE", "message": format!("policy p-{i} changed by alice"),
                    "after": {"password": "hunter2", "n": i}
                }))
                .unwrap()
            })
            .collect()
    }

    #[test]
    fn the_search_index_sum_is_the_sum_over_the_entries() {
        let conn = Connection::open_in_memory().unwrap();
        schema::create(&conn).unwrap();
        let key = Key::random();
        let mut want = TermSums::default();
        for (i, e) in events().iter().enumerate() {
            let seq = i as u64 + 1;
            conn.execute(
                "INSERT INTO entries_fts (rowid, doc) VALUES (?1, ?2)",
                rusqlite::params![seq, super::super::search_text(e, Redactor::builtin())],
            )
            .unwrap();
            want.add(seq, key.event_terms(seq, e, Redactor::builtin()));
        }
        assert_eq!(search_index_sum(&conn, &key, 3).unwrap().sums, want);
        // Seq 3's group is the one that differs when the index is read up to seq 2.
        assert_eq!(
            search_index_sum(&conn, &key, 2)
                .unwrap()
                .sums
                .differing(&want),
            [3]
        );
        assert_ne!(
            search_index_sum(&conn, &Key::random(), 3).unwrap().sums,
            want
        );
    }

    #[test]
    fn every_index_of_the_schema_is_known_with_its_columns() {
        let specs = entry_indexes();
        assert_eq!(specs.len(), schema::INDEXES.len() + 1);
        let user = specs.iter().find(|s| s.name == "entries_user").unwrap();
        assert_eq!(user.columns, ["user_name", "action", "time_us"]);
        let reverts = specs.iter().find(|s| s.name == "entries_reverts").unwrap();
        assert_eq!(reverts.only_when_set, Some("reverts"));
    }

    #[test]
    fn row_hashes_tell_cells_apart() {
        let key = Key::random();
        let a = key.row([Cell::Bytes(b"ab"), Cell::Null], 1);
        assert_eq!(a, key.row([Cell::Bytes(b"ab"), Cell::Null], 1));
        assert_ne!(a, key.row([Cell::Bytes(b"ab"), Cell::Null], 2));
        assert_ne!(a, key.row([Cell::Bytes(b"a"), Cell::Bytes(b"b")], 1));
        assert_ne!(a, key.row([Cell::Null, Cell::Bytes(b"ab")], 1));
        assert_ne!(
            key.row([Cell::Bytes(b"12345678")], 1),
            key.row([Cell::Bytes(b"12345678\0")], 1)
        );
        assert_ne!(key.row([Cell::Int(0)], 1), key.row([Cell::Null], 1));
    }
}

//! What `verify` checks: every leaf recomputed from the stored bytes, seqs without gaps, the
//! tree's own copy of each leaf, every recorded checkpoint's root, signature and consistency
//! with the one before, the append-only triggers, and optionally a checkpoint kept elsewhere.

use std::collections::BTreeMap;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;

use super::merkle::{self, Hash};
use super::note::{self, SignedCheckpoint, VerifierKey};
use super::search_terms;
use crate::model;
use crate::redact::Redactor;
use crate::store::check::{Cell, IndexReading, Key, SearchReading, TermSums, entry_indexes};
use crate::store::sqlite::SqliteStore;
use crate::store::tree::{Expected, RecordedCheckpoint, StoredLeaf};

/// One thing found wrong; `seq` where it can be named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub seq: Option<u64>,
    pub what: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.seq {
            Some(seq) => write!(f, "seq {seq}: {}", self.what),
            None => write!(f, "{}", self.what),
        }
    }
}

/// What `verify` found.
#[derive(Debug, Default)]
pub struct Report {
    pub events: u64,
    pub checkpoints: usize,
    /// Checkpoint signatures checked against the given key.
    pub signatures: usize,
    /// Recorded checkpoints without any signature, when a key was given.
    pub unsigned: usize,
    pub root: Option<Hash>,
    pub problems: Vec<Problem>,
    /// Whether the database under the log was checked too (not `--quick`).
    pub database_checked: bool,
    /// What those checks cover, where the back end's differ from SQLite's (its pages).
    pub database_what: Option<String>,
    /// For the database checks: the sums of what each index and the full-text index must
    /// hold, made from the entries read.
    index_sums: Vec<u64>,
    pub(crate) terms: TermSums,
    /// The sum of the tree nodes the entries make, for the tree the store says it holds.
    pub(crate) tree_nodes: u64,
}

impl Report {
    /// What `verify` says: the sentence of what was verified, or an integrity failure (exit
    /// 3) naming the first problem, then the others.
    pub fn outcome(&self, external: Option<&SignedCheckpoint>) -> anyhow::Result<String> {
        if let Some(first) = self.first() {
            let mut message = format!("integrity check failed: {first}");
            let others: Vec<String> = self
                .problems
                .iter()
                .filter(|p| *p != first)
                .map(|p| format!("\n  also: {p}"))
                .collect();
            for line in others.iter().take(20) {
                message.push_str(line);
            }
            if others.len() > 20 {
                message.push_str(&format!("\n  and {} more", others.len() - 20));
            }
            return Err(crate::error::Failure::integrity(message).into());
        }
        let root = self.root.map(|r| B64.encode(r)).unwrap_or_default();
        let mut what = format!(
            "verified {} event{} (root {root}), {} checkpoint{}",
            crate::render::thousands(self.events),
            if self.events == 1 { "" } else { "s" },
            self.checkpoints,
            if self.checkpoints == 1 { "" } else { "s" }
        );
        if self.signatures > 0 {
            what.push_str(&format!(
                ", {} signature{}",
                self.signatures,
                if self.signatures == 1 { "" } else { "s" }
            ));
        }
        if self.unsigned > 0 {
            what.push_str(&format!(
                " ({} unsigned checkpoints not checked)",
                self.unsigned
            ));
        }
        what.push_str(", the schema and its append-only triggers");
        match (&self.database_what, self.database_checked) {
            (Some(checked), true) => what.push_str(&format!(", {checked}")),
            (None, true) => what.push_str(", every page and index, the search index"),
            (_, false) => {
                what.push_str(" (--quick: pages, indexes and the search index not checked)")
            }
        }
        if let Some(ext) = external {
            what.push_str(&format!(
                "; the store extends the given checkpoint of {} events",
                ext.checkpoint.size
            ));
        }
        Ok(what)
    }

    pub(crate) fn problem(&mut self, seq: Option<u64>, what: impl Into<String>) {
        self.problems.push(Problem {
            seq,
            what: what.into(),
        });
    }

    /// The problem to name first: the one at the lowest seq, else the first found.
    pub fn first(&self) -> Option<&Problem> {
        self.problems
            .iter()
            .filter(|p| p.seq.is_some())
            .min_by_key(|p| p.seq)
            .or(self.problems.first())
    }
}

/// Rows checked at a time, half of them on a second thread.
const BATCH: usize = 4096;

/// What checking one row found: its recomputed leaf, what is wrong with it, and, for
/// the database checks, what it adds to the sums of each index and of the full-text index.
struct Checked {
    leaf: Hash,
    wrong: Option<Wrong>,
    index_rows: Vec<u64>,
    terms: u64,
}

/// What is wrong with an entry whose bytes are the ones the tree took in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Wrong {
    /// Not an event as auditctl stores one: unreadable, holding a seq of its own, or holding
    /// what `normalize` refuses or changes where filters look (an action not upper-case, an
    /// integer the canonical form cannot keep).
    Entry,
    /// A column derived from it holds something else.
    Column(&'static str),
}

/// Checks one row; with a `key`, also works out what each index and the full-text index must
/// hold for it, which needs the whole event decoded.
fn check(row: &StoredLeaf, key: Option<(&Key, &Redactor)>) -> Checked {
    let leaf = merkle::leaf_hash(&row.entry);
    // Checked as UTF-8 once, in bulk: read from bytes, serde_json checks each string apart.
    let text = std::str::from_utf8(&row.entry).ok();
    let view = || text.and_then(|t| serde_json::from_str::<model::EntryView>(t).ok());
    let of_view = |view: &model::EntryView| {
        if view.seq.is_some() || !model::is_stored_form(&view.action, &view.outcome) {
            return Some(Wrong::Entry);
        }
        row.wrong_column(&Expected::of_view(view))
            .map(Wrong::Column)
    };
    let Some((key, search)) = key else {
        let wrong = match view() {
            Some(view) => of_view(&view),
            None => Some(Wrong::Entry),
        };
        return Checked {
            leaf,
            wrong,
            index_rows: Vec::new(),
            terms: 0,
        };
    };
    let index_rows = entry_indexes()
        .iter()
        .map(|index| {
            if index
                .only_when_set
                .is_some_and(|c| row.cell(c) == Cell::Null)
            {
                return 0;
            }
            key.row(index.columns.iter().map(|c| row.cell(c)), row.seq)
        })
        .collect();
    // Canonical entries give their terms without being decoded into events; anything else is
    // decoded, and found wrong there if it is.
    if let Some(view) = view()
        && let Some(terms) = key.entry_terms(row.seq, &view, search)
    {
        return Checked {
            leaf,
            wrong: of_view(&view),
            index_rows,
            terms,
        };
    }
    match serde_json::from_slice::<model::Event>(&row.entry) {
        Ok(event) => Checked {
            leaf,
            // Rarely here (the entries auditctl writes are read above): the entry must be what
            // `normalize` and the canonical form make of it, byte for byte.
            wrong: if !is_as_stored(&event, &row.entry) {
                Some(Wrong::Entry)
            } else {
                row.wrong_column(&Expected::of_event(&event))
                    .map(Wrong::Column)
            },
            index_rows,
            terms: key.event_terms(row.seq, &event, search),
        },
        Err(_) => Checked {
            leaf,
            wrong: Some(Wrong::Entry),
            index_rows,
            terms: 0,
        },
    }
}

/// Whether `entry` is what import stores for the event it holds: normalised (no seq, an
/// upper-case action, no integer the canonical form cannot keep, ...) and in canonical form.
fn is_as_stored(event: &model::Event, entry: &[u8]) -> bool {
    let mut stored = event.clone();
    stored.normalize().is_ok() && stored.canonical_bytes() == entry
}

/// A batch of rows with what checking each found.
type Checking = (Vec<StoredLeaf>, Vec<Checked>);

/// Hashing and decoding are most of `verify`'s work: a batch is split over two threads.
fn check_all(batch: &[StoredLeaf], key: Option<(&Key, &Redactor)>) -> Vec<Checked> {
    let (first, second) = batch.split_at(batch.len() / 2);
    std::thread::scope(|scope| {
        let other = scope.spawn(|| second.iter().map(|r| check(r, key)).collect::<Vec<_>>());
        let mut checked: Vec<Checked> = first.iter().map(|r| check(r, key)).collect();
        checked.extend(other.join().expect("the checking thread does not panic"));
        checked
    })
}

/// What to check besides the store itself.
pub struct Options<'a> {
    /// Every checkpoint must carry a valid signature by this key.
    pub key: Option<&'a VerifierKey>,
    /// A checkpoint kept elsewhere that the store must extend.
    pub external: Option<&'a SignedCheckpoint>,
    /// Leave out the checks of the database under the log (SQLite's integrity check of every
    /// page and index, and the full-text index against the entries).
    pub quick: bool,
    /// Called with each seq read, for a progress bar.
    pub progress: &'a (dyn Fn(u64) + Sync),
}

/// What the checks that read the database through other connections found.
struct DatabaseReport {
    pages: Vec<String>,
    index_sums: Vec<Option<IndexReading>>,
    search_index: SearchReading,
}

/// The checks of the database that read the whole file, on two more connections beside the
/// scan of the log (so on every core): SQLite's check of the pages and each index read back
/// whole on one, the full-text index read back whole on the other. They look only at seqs up
/// to `last`, as their snapshots may be newer than the scan's.
fn check_database(
    (a, b): (SqliteStore, SqliteStore),
    key: &Key,
    last: u64,
) -> anyhow::Result<DatabaseReport> {
    std::thread::scope(|scope| {
        let search = scope.spawn(move || b.search_index_sum(key, last));
        let pages = a.page_problems(20)?;
        let index_sums = a.index_sums(key, last)?;
        let search_index = search
            .join()
            .map_err(|_| anyhow::anyhow!("reading the search index failed"))??;
        Ok(DatabaseReport {
            pages,
            index_sums,
            search_index,
        })
    })
}

/// Checks the whole store, as one snapshot: events appended meanwhile are not looked at.
pub fn verify_store(store: &SqliteStore, opts: &Options) -> anyhow::Result<Report> {
    store.in_snapshot(|| {
        let last = store.len()?;
        let key = (!opts.quick).then(Key::random);
        std::thread::scope(|scope| {
            let database = match &key {
                Some(key) => {
                    let others = (store.another()?, store.another()?);
                    Some(scope.spawn(move || check_database(others, key, last)))
                }
                None => None,
            };
            let mut report = verify_log(store, opts, key.as_ref())?;
            report.database_checked = key.is_some();
            let (Some(database), Some(key)) = (database, &key) else {
                return Ok(report);
            };
            let found = database
                .join()
                .map_err(|_| anyhow::anyhow!("the database check failed"))??;
            for p in found.pages {
                report.problem(None, format!("SQLite finds the file damaged: {p}"));
            }
            for ((index, have), want) in entry_indexes()
                .iter()
                .zip(&found.index_sums)
                .zip(std::mem::take(&mut report.index_sums))
            {
                let Some(have) = have else { continue };
                if have.sum != want {
                    report.problem(
                        None,
                        format!(
                            "the index {} does not hold exactly the entries' rows: it was \
                             damaged or swapped, so filters miss or invent events",
                            index.name
                        ),
                    );
                } else if let Some(why) = &have.disorder {
                    report.problem(
                        None,
                        format!(
                            "the index {} is damaged: {why}, so look-ups through it miss \
                             events",
                            index.name
                        ),
                    );
                }
            }
            let search = &found.search_index;
            if let Some(why) = &search.damage {
                // What was read of it is no sum to compare: the damage is the finding.
                report.problem(
                    None,
                    format!(
                        "the full-text index is not as auditctl writes it: {why}, so searches \
                         may miss or invent events"
                    ),
                );
            } else {
                if let Some(seq) = search.beyond_log {
                    report.problem(
                        None,
                        if seq < 1 {
                            format!(
                                "the full-text index holds a document for seq {seq}, which no \
                                 event can have (seqs start at 1): it was planted"
                            )
                        } else {
                            format!(
                                "the full-text index holds a document for seq {seq}, which is \
                                 no event: it was planted so that a later event matches \
                                 searches it should not"
                            )
                        },
                    );
                }
                let groups = report.terms.differing(&search.sums);
                if !groups.is_empty() {
                    search_terms::report(
                        &mut report,
                        store,
                        key,
                        &groups,
                        last,
                        "the full-text index",
                        "the full-text index does not match the entries: it was emptied, \
                         rebuilt or edited, so searches miss or invent events",
                    )?;
                }
            }
            Ok(report)
        })
    })
}

/// What `verify` reads of a store's log, whatever database holds it.
pub trait LogTables: crate::store::Append {
    /// What differs from the schema this build makes (tables, triggers, indexes).
    fn schema_differences(&self) -> anyhow::Result<Vec<String>>;
    fn origin(&self) -> anyhow::Result<String>;
    fn checkpoints(&self) -> anyhow::Result<Vec<RecordedCheckpoint>>;
    /// How many leaves the stored tree holds.
    fn tree_size(&self) -> anyhow::Result<u64>;
    /// Every entry in seq order, in batches of up to `batch`.
    fn scan_leaves(
        &self,
        batch: usize,
        each: &mut dyn FnMut(Vec<StoredLeaf>) -> anyhow::Result<()>,
    ) -> anyhow::Result<()>;
    /// The stored tree's nodes.
    fn nodes(&self) -> Box<dyn merkle::Nodes + '_>;
    /// The sum, under `key`, of the stored tree's rows (compared with the nodes the entries
    /// make).
    fn tree_sum(&self, key: &Key) -> anyhow::Result<u64>;
    /// The search index's (seq, term) pairs for the seqs `wanted` picks, each term once a seq
    /// unless the index holds it more than once.
    fn index_terms(
        &self,
        wanted: &dyn Fn(u64) -> bool,
        each: &mut dyn FnMut(u64, &[u8]),
    ) -> anyhow::Result<()>;
    /// The stored entry at `seq`, if there is one.
    fn entry_at(&self, seq: u64) -> anyhow::Result<Option<Vec<u8>>>;
}

impl LogTables for SqliteStore {
    fn schema_differences(&self) -> anyhow::Result<Vec<String>> {
        SqliteStore::schema_differences(self)
    }
    fn origin(&self) -> anyhow::Result<String> {
        SqliteStore::origin(self)
    }
    fn checkpoints(&self) -> anyhow::Result<Vec<RecordedCheckpoint>> {
        SqliteStore::checkpoints(self)
    }
    fn tree_size(&self) -> anyhow::Result<u64> {
        SqliteStore::tree_size(self)
    }
    fn scan_leaves(
        &self,
        batch: usize,
        each: &mut dyn FnMut(Vec<StoredLeaf>) -> anyhow::Result<()>,
    ) -> anyhow::Result<()> {
        SqliteStore::scan_leaves(self, batch, each)
    }
    fn nodes(&self) -> Box<dyn merkle::Nodes + '_> {
        Box::new(SqliteStore::nodes(self))
    }
    fn tree_sum(&self, key: &Key) -> anyhow::Result<u64> {
        SqliteStore::tree_sum(self, key)
    }
    fn index_terms(
        &self,
        wanted: &dyn Fn(u64) -> bool,
        each: &mut dyn FnMut(u64, &[u8]),
    ) -> anyhow::Result<()> {
        SqliteStore::index_terms(self, wanted, each)
    }
    fn entry_at(&self, seq: u64) -> anyhow::Result<Option<Vec<u8>>> {
        SqliteStore::entry_at(self, seq)
    }
}

/// The checks of the log itself: leaves, seqs, derived columns, the tree and the
/// checkpoints. With a `key`, also the sums the database checks compare with
/// (`Report::index_sums`, `terms`, `tree_nodes`).
pub fn verify_log(
    store: &dyn LogTables,
    opts: &Options,
    key: Option<&Key>,
) -> anyhow::Result<Report> {
    // The terms the index must hold leave out what the store says its index leaves out.
    let search = store.search_redactor();
    let mut report = Report {
        index_sums: vec![0; entry_indexes().len()],
        ..Report::default()
    };
    for difference in store.schema_differences()? {
        report.problem(None, difference);
    }
    let origin = match store.origin() {
        Ok(origin) => origin,
        Err(_) => {
            report.problem(
                None,
                "the store's origin is missing from store_info: its checkpoints cannot be named",
            );
            String::new()
        }
    };
    let recorded = store.checkpoints()?;
    report.checkpoints = recorded.len();

    // The sizes whose roots are wanted, recomputed from the entries as the scan passes them.
    let tree_size = store.tree_size()?;
    let mut wanted: BTreeMap<u64, Option<Hash>> = BTreeMap::new();
    for c in &recorded {
        wanted.insert(c.size, None);
    }
    if let Some(ext) = opts.external {
        wanted.insert(ext.checkpoint.size, None);
    }
    wanted.insert(tree_size, None);
    if let Some(slot) = wanted.get_mut(&0) {
        *slot = Some(merkle::empty_root());
    }

    let mut frontier = merkle::Frontier::default();
    let mut expected = 1u64;
    // What the checks found, taken in seq order: each batch is checked on two threads while
    // the next is read, so that reading is not a pause in which a core waits.
    let mut take = |batch: Vec<StoredLeaf>, checked: Vec<Checked>| {
        for (row, check) in batch.iter().zip(checked) {
            report.terms.add(row.seq, check.terms);
            for (sum, row) in report.index_sums.iter_mut().zip(&check.index_rows) {
                *sum = sum.wrapping_add(*row);
            }
            (opts.progress)(row.seq);
            if row.seq < expected {
                report.problem(
                    Some(row.seq),
                    "an entry out of sequence: it was inserted before the start of the log",
                );
                continue;
            }
            if row.seq != expected {
                let missing = if row.seq == expected + 1 {
                    "the entry is missing: it was deleted".to_owned()
                } else {
                    format!(
                        "the entries up to seq {} are missing: they were deleted",
                        row.seq - 1
                    )
                };
                report.problem(Some(expected), missing);
                expected = row.seq;
            }
            expected += 1;
            if row.leaf != check.leaf {
                report.problem(
                    Some(row.seq),
                    "the entry's bytes no longer hash to its leaf: the entry was edited",
                );
            } else if row.tree_leaf.as_deref().is_some_and(|t| t != check.leaf) {
                report.problem(
                    Some(row.seq),
                    "the entry is not the one the Merkle tree took in: it was edited, replaced \
                     or moved",
                );
            } else if let Some(wrong) = check.wrong {
                report.problem(
                    Some(row.seq),
                    match wrong {
                        Wrong::Entry => "the entry is not an event as auditctl stores one (it \
                                         cannot be read as one, holds a seq, or holds what \
                                         auditctl would have refused or changed): it was \
                                         written by something else, and commands that read it \
                                         fail, or show what filters and searches do not find"
                            .to_owned(),
                        Wrong::Column(column) => format!(
                            "its indexed column {column} does not match the entry: it was \
                             edited, so filters see another event"
                        ),
                    },
                );
            }
            match key {
                // The nodes of the tree the store should hold, for comparing with its table.
                Some(key) if frontier.size() < tree_size => {
                    frontier.push_seeing(check.leaf, &mut |level, index, hash| {
                        report.tree_nodes = report.tree_nodes.wrapping_add(key.row(
                            [
                                Cell::Int(i64::from(level)),
                                Cell::Int(index as i64),
                                Cell::Bytes(hash),
                            ],
                            0,
                        ));
                    })
                }
                _ => frontier.push(check.leaf),
            }
            if let Some(slot) = wanted.get_mut(&frontier.size()) {
                *slot = Some(frontier.root());
            }
        }
    };
    let judge = key.map(|k| (k, &search));
    std::thread::scope(|scope| -> anyhow::Result<()> {
        let mut pending: Option<std::thread::ScopedJoinHandle<'_, Checking>> = None;
        let mut collect = |handle: std::thread::ScopedJoinHandle<'_, Checking>| {
            let (batch, checked) = handle.join().expect("the checking threads do not panic");
            take(batch, checked);
        };
        store.scan_leaves(BATCH, &mut |batch| {
            let next = scope.spawn(move || {
                let checked = check_all(&batch, judge);
                (batch, checked)
            });
            if let Some(previous) = pending.replace(next) {
                collect(previous);
            }
            Ok(())
        })?;
        if let Some(last) = pending.take() {
            collect(last);
        }
        Ok(())
    })?;
    report.events = frontier.size();
    report.root = Some(frontier.root());
    let root_at = |size: u64| wanted.get(&size).copied().flatten();

    // Recorded checkpoints: readable, matching their row, matching the entries, signed.
    let mut previous: Option<(u64, Hash, i64)> = None;
    for c in &recorded {
        let name = format!("checkpoint #{} (size {})", c.id, c.size);
        let parsed = match note::parse(&c.note) {
            Ok(p) => p,
            Err(e) => {
                report.problem(None, format!("{name}: its note is unreadable: {e}"));
                continue;
            }
        };
        let cp = &parsed.checkpoint;
        if cp.size != c.size || c.root != cp.root || cp.origin != origin {
            report.problem(None, format!("{name}: its note does not match its record"));
        }
        match root_at(cp.size) {
            None => report.problem(
                Some(report.events + 1),
                format!(
                    "{name} covers {} events but the store holds {}: entries after seq {} \
                     were removed, or the store was replaced",
                    cp.size, report.events, report.events
                ),
            ),
            Some(root) if root != cp.root => report.problem(
                None,
                format!(
                    "{name} does not match the entries: some of seqs 1 to {} changed",
                    cp.size
                ),
            ),
            Some(_) => {}
        }
        // Unsigned checkpoints are counted, not failed: their roots are checked all the same,
        // and a store of only unsigned ones fails below.
        if let Some(key) = opts.key {
            if parsed.signatures.is_empty() {
                report.unsigned += 1;
            } else {
                check_signature(&mut report, &name, key, &parsed);
            }
        }
        if let Some((size, root, id)) = previous {
            let consistent = size <= cp.size
                && cp.size <= tree_size
                && merkle::consistency_proof(&*store.nodes(), size, cp.size)
                    .map(|proof| merkle::verify_consistency(size, cp.size, &root, &cp.root, &proof))
                    .unwrap_or(false);
            if !consistent {
                report.problem(
                    None,
                    format!(
                        "checkpoint #{id} (size {size}) and {name} are not consistent: the log \
                         was rewritten between them"
                    ),
                );
            }
        }
        previous = Some((cp.size, cp.root, c.id));
    }

    if let Some(key) = opts.key
        && !recorded.is_empty()
        && report.signatures == 0
    {
        report.problem(
            None,
            format!("no recorded checkpoint is signed by the key {}", key.name),
        );
    }

    // The stored tree agrees with the entries (proofs are served from it).
    if tree_size > report.events {
        report.problem(
            Some(report.events + 1),
            format!(
                "the stored Merkle tree holds {tree_size} leaves but the store {} entries: \
                 entries after seq {} were removed",
                report.events, report.events
            ),
        );
    } else {
        let stored = merkle::root(&*store.nodes(), tree_size).ok();
        if stored != root_at(tree_size) {
            report.problem(
                None,
                "the stored Merkle tree does not match the entries (it was edited)",
            );
        } else if let Some(key) = key
            && store.tree_sum(key)? != report.tree_nodes
        {
            report.problem(
                None,
                "the stored Merkle tree holds nodes the entries do not make: it was edited or \
                 added to, so proofs and checkpoints made from it would fail",
            );
        }
    }

    if let Some(ext) = opts.external {
        check_external(store, &mut report, ext, &origin, tree_size, &root_at)?;
        if let Some(key) = opts.key {
            check_signature(&mut report, "the given checkpoint", key, ext);
        }
    }
    Ok(report)
}

fn check_signature(report: &mut Report, name: &str, key: &VerifierKey, note: &SignedCheckpoint) {
    report.signatures += 1;
    match key.check(note) {
        Some(true) => {}
        Some(false) => report.problem(
            None,
            format!(
                "{name}: the signature by {} is not valid: forged or altered",
                key.name
            ),
        ),
        None => report.problem(
            None,
            format!("{name} is not signed by the key {}", key.name),
        ),
    }
}

/// The store must extend a checkpoint kept elsewhere: same origin, at least its size, the
/// same root at its size, and a consistency proof from it to the stored tree.
fn check_external(
    store: &dyn LogTables,
    report: &mut Report,
    ext: &SignedCheckpoint,
    origin: &str,
    tree_size: u64,
    root_at: &dyn Fn(u64) -> Option<Hash>,
) -> anyhow::Result<()> {
    let cp = &ext.checkpoint;
    if cp.origin != origin {
        report.problem(
            None,
            format!(
                "the checkpoint is for the log {:?}, this store is {origin:?}",
                cp.origin
            ),
        );
        return Ok(());
    }
    if cp.size > report.events {
        report.problem(
            Some(report.events + 1),
            format!(
                "the store holds {} events, fewer than the {} of the checkpoint: it was truncated \
                 or replaced",
                report.events, cp.size
            ),
        );
        return Ok(());
    }
    if root_at(cp.size) != Some(cp.root) {
        report.problem(
            None,
            format!(
                "the store's first {} events are not the ones the checkpoint covers: history was \
                 rewritten",
                cp.size
            ),
        );
        return Ok(());
    }
    if cp.size <= tree_size
        && let Some(tree_root) = root_at(tree_size)
    {
        let proof = merkle::consistency_proof(&*store.nodes(), cp.size, tree_size)?;
        if !merkle::verify_consistency(cp.size, tree_size, &cp.root, &tree_root, &proof) {
            report.problem(
                None,
                "no consistency proof leads from the checkpoint to the store's tree",
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::integrity::merkle::{MemoryTree, leaf_hash};

    #[test]
    fn the_frontier_gives_every_prefix_root() {
        let leaves: Vec<Hash> = (0u32..40).map(|i| leaf_hash(&i.to_be_bytes())).collect();
        let tree = MemoryTree::from_leaves(leaves.clone());
        let mut frontier = merkle::Frontier::default();
        assert_eq!(frontier.root(), merkle::empty_root());
        for (i, leaf) in leaves.iter().enumerate() {
            frontier.push(*leaf);
            assert_eq!(frontier.root(), merkle::root(&tree, i as u64 + 1).unwrap());
        }
    }
}

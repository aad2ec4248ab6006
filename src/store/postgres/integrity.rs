//! The integrity capability of a PostgreSQL store: the tree, checkpoints and proofs as the
//! SQLite store makes them (the same bytes give the same roots), and `verify`: the log's
//! checks shared with SQLite (`integrity::verify::verify_log`), then the database's — the
//! append-only triggers, the indexes, the stored tree and the search terms read back whole.

use super::PgStore;
use super::append::StoredNodes;
use super::schema;
use crate::integrity::merkle::{self, Hash};
use crate::integrity::note::{self, Checkpoint, SigningKey};
use crate::integrity::search_terms;
use crate::integrity::verify::{LogTables, Options, Report, verify_log};
use crate::store::check::{Cell, Key, TermSums};
use crate::store::tree::{RecordedCheckpoint, StoredLeaf};
use crate::store::{Integrity, Store};

/// The indexes of the schema (`schema::CREATE`), which `verify` expects to find valid.
const INDEXES: [&str; 9] = [
    "entries_time",
    "entries_user",
    "entries_action",
    "entries_record",
    "entries_resource",
    "entries_service",
    "entries_ip",
    "entries_reverts",
    "search_terms_terms",
];

impl PgStore {
    fn origin_line(&self) -> anyhow::Result<String> {
        match self.query_opt("SELECT value FROM store_info WHERE key = 'origin'", &[])? {
            Some(row) => Ok(row.get(0)),
            None => Err(crate::error::Failure::integrity(format!(
                "{}: the store's origin is missing from store_info: its checkpoints cannot be named",
                self.shown
            ))
            .into()),
        }
    }

    fn recorded_checkpoints(&self) -> anyhow::Result<Vec<RecordedCheckpoint>> {
        Ok(self
            .query(
                "SELECT id, size, root, note, created FROM checkpoints ORDER BY id",
                &[],
            )?
            .iter()
            .map(|r| RecordedCheckpoint {
                id: r.get(0),
                size: r.get::<_, i64>(1) as u64,
                root: r.get(2),
                note: r.get(3),
                created: r.get(4),
            })
            .collect())
    }

    /// Makes sure the stored tree holds at least `size` leaves.
    fn tree_holding(&mut self, size: u64) -> anyhow::Result<()> {
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

    /// Proofs extend the tree when they need to, which needs `&mut`; the capability reads
    /// through `&self`, so the extension runs on a second connection of the same URL.
    fn tree_holding_shared(&self, size: u64) -> anyhow::Result<()> {
        if self.tree_size()? >= size {
            return Ok(());
        }
        PgStore::connect(&self.url)?.tree_holding(size)
    }

    /// The schema's triggers that are missing, disabled, rewired or changed in kind, triggers
    /// it does not have, and functions whose source is not the schema's (a trigger function
    /// that lets changes through, a doc that lies to path filters).
    fn trigger_differences(&self) -> anyhow::Result<Vec<String>> {
        let rows = self.query(
            "SELECT t.tgname::text, c.relname::text, t.tgenabled::text, t.tgtype, \
             t.tgfoid = coalesce(to_regprocedure('auditctl_append_only()'), 0) \
             FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid \
             JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = $1 AND NOT t.tgisinternal",
            &[&schema::NAMESPACE],
        )?;
        let mut out = Vec::new();
        for (name, table, kind) in schema::TRIGGERS {
            let found = rows
                .iter()
                .find(|r| r.get::<_, String>(0) == name && r.get::<_, String>(1) == table);
            let Some(row) = found else {
                out.push(format!(
                    "the append-only trigger {name} is missing: {table} can be rewritten"
                ));
                continue;
            };
            if row.get::<_, String>(2) == "D" {
                out.push(format!(
                    "the append-only trigger {name} is disabled: {table} can be rewritten"
                ));
            } else if row.get::<_, i16>(3) != kind || !row.get::<_, bool>(4) {
                out.push(format!(
                    "the append-only trigger {name} was changed: it no longer refuses every \
                     change of {table}"
                ));
            }
        }
        for row in &rows {
            let (name, table): (String, String) = (row.get(0), row.get(1));
            if !schema::TRIGGERS.iter().any(|(n, _, _)| *n == name) {
                out.push(format!(
                    "the table {table} has a trigger the schema does not ({name}): it may \
                     change what is appended"
                ));
            }
        }
        for (function, source) in schema::function_sources() {
            let stored: Option<String> = self
                .query_opt(
                    "SELECT p.prosrc FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace \
                     WHERE n.nspname = $1 AND p.proname = $2",
                    &[&schema::NAMESPACE, &function],
                )?
                .map(|r| r.get(0));
            if stored.as_deref() != Some(source.as_str()) {
                out.push(format!(
                    "the function {function} is not the schema's: it was replaced, so {}",
                    if function == "auditctl_doc" {
                        "filters on before, after and meta may see other values than the entries'"
                    } else {
                        "the append-only triggers may let changes through"
                    }
                ));
            }
        }
        Ok(out)
    }

    /// The first seq whose `doc` is not its entry as `auditctl_doc` makes it (computed here
    /// from the schema's own expression, not through the stored function).
    fn doc_difference(&self, last: u64) -> anyhow::Result<Option<i64>> {
        Ok(self
            .query_opt(
                &format!(
                    "SELECT seq FROM entries WHERE seq <= $1 AND doc IS DISTINCT FROM ({}) \
                     ORDER BY seq LIMIT 1",
                    schema::DOC_EXPRESSION
                ),
                &[&(last as i64)],
            )?
            .map(|r| r.get(0)))
    }

    /// The schema's indexes that are missing or not valid (a failed concurrent build).
    fn index_differences(&self) -> anyhow::Result<Vec<String>> {
        let rows = self.query(
            "SELECT c.relname::text, i.indisvalid AND i.indisready FROM pg_index i \
             JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = $1",
            &[&schema::NAMESPACE],
        )?;
        let found: Vec<(String, bool)> = rows.iter().map(|r| (r.get(0), r.get(1))).collect();
        let mut out = Vec::new();
        for name in INDEXES {
            match found.iter().find(|(n, _)| n == name) {
                None => out.push(format!(
                    "the index {name} is missing: filters that use it scan the whole log"
                )),
                Some((_, false)) => out.push(format!(
                    "the index {name} is not valid: PostgreSQL does not use it"
                )),
                Some(_) => {}
            }
        }
        Ok(out)
    }

    /// Checks every B-tree index against its table with `amcheck` where the database has it
    /// (`CREATE EXTENSION amcheck`): every row must be in each index. `None` without amcheck.
    fn amcheck(&self) -> anyhow::Result<Option<Vec<String>>> {
        // Its functions are the superuser's unless granted: a reader without them verifies
        // as where the extension is missing.
        let has: bool = self
            .query_one(
                "SELECT CASE WHEN EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'amcheck') \
                 THEN has_function_privilege('bt_index_check(regclass, boolean)', 'EXECUTE') \
                 ELSE false END",
                &[],
            )?
            .get(0);
        if !has {
            return Ok(None);
        }
        let mut out = Vec::new();
        let indexes: Vec<String> = self
            .query(
                "SELECT c.relname::text FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid \
                 JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_am a ON a.oid = c.relam \
                 WHERE n.nspname = $1 AND a.amname = 'btree'",
                &[&schema::NAMESPACE],
            )?
            .iter()
            .map(|r| r.get(0))
            .collect();
        for index in indexes {
            if let Err(e) = self.execute("SELECT bt_index_check(to_regclass($1), true)", &[&index])
            {
                out.push(format!("the index {index} is damaged: {e:#}"));
            }
        }
        Ok(Some(out))
    }

    /// The sum, under `key`, of the stored search terms up to seq `last` (each (term, seq)
    /// pair as the SQLite check sums its index), and the first seq that is no event.
    fn search_terms_sum(&self, key: &Key, last: u64) -> anyhow::Result<(TermSums, Option<i64>)> {
        let log_end = self.last_seq()? as i64;
        let mut sums = TermSums::default();
        let mut beyond: Option<i64> = None;
        self.each_search_terms_row(&mut |seq, terms| {
            if seq > log_end || seq < 1 {
                beyond = Some(beyond.map_or(seq, |b| b.min(seq)));
            }
            if seq <= last as i64 {
                for t in terms {
                    sums.add(seq as u64, key.posting(key.term(t.as_bytes()), seq as u64));
                }
            }
        })?;
        Ok((sums, beyond))
    }

    /// Every row of the search terms: its seq, and its terms each once (as the sums count
    /// them).
    fn each_search_terms_row(&self, each: &mut dyn FnMut(i64, &[&str])) -> anyhow::Result<()> {
        self.cursor("SELECT seq, terms FROM search_terms", &[], &mut |row| {
            let mut terms: Vec<&str> = row.get(1);
            terms.sort_unstable();
            terms.dedup();
            each(row.get(0), &terms);
            Ok(true)
        })
    }

    /// Everything `verify` checks, in one snapshot (events appended meanwhile are not looked
    /// at).
    fn verify_store(&self, opts: &Options) -> anyhow::Result<Report> {
        self.batch("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")?;
        self.in_transaction.set(true);
        let result = self.verify_in_snapshot(opts);
        self.in_transaction.set(false);
        let ended = self.batch("COMMIT");
        let report = result?;
        ended?;
        Ok(report)
    }

    fn verify_in_snapshot(&self, opts: &Options) -> anyhow::Result<Report> {
        let last = self.last_seq()?;
        let key = (!opts.quick).then(Key::random);
        let mut report = verify_log(self, opts, key.as_ref())?;
        let Some(key) = key else {
            return Ok(report);
        };
        report.database_checked = true;
        for problem in self.index_differences()? {
            report.problem(None, problem);
        }
        let indexes = match self.amcheck()? {
            Some(problems) => {
                for problem in problems {
                    report.problem(None, problem);
                }
                "every index against its table (amcheck)"
            }
            None => {
                "the indexes present and valid (without the amcheck extension, not their contents)"
            }
        };
        report.database_what = Some(format!(
            "{indexes}, the stored Merkle tree, the search terms"
        ));
        if let Some(seq) = self.doc_difference(last)? {
            report.problem(
                Some(seq as u64),
                "its jsonb copy (doc) is not its entry: filters on before, after and meta see \
                 other values than the event's",
            );
        }
        let (sums, beyond) = self.search_terms_sum(&key, last)?;
        if let Some(seq) = beyond {
            report.problem(
                None,
                format!(
                    "the search terms hold a row for seq {seq}, which is no event: it was \
                     planted so that a later event matches searches it should not"
                ),
            );
        }
        let groups = report.terms.differing(&sums);
        if !groups.is_empty() {
            search_terms::report(
                &mut report,
                self,
                &key,
                &groups,
                last,
                "the table of search terms",
                "the search terms do not match the entries: they were emptied, rebuilt or \
                 edited, so searches miss or invent events",
            )?;
        }
        Ok(report)
    }
}

impl LogTables for PgStore {
    fn schema_differences(&self) -> anyhow::Result<Vec<String>> {
        self.trigger_differences()
    }

    fn origin(&self) -> anyhow::Result<String> {
        self.origin_line()
    }

    fn checkpoints(&self) -> anyhow::Result<Vec<RecordedCheckpoint>> {
        self.recorded_checkpoints()
    }

    fn tree_size(&self) -> anyhow::Result<u64> {
        PgStore::tree_size(self)
    }

    fn index_terms(
        &self,
        wanted: &dyn Fn(u64) -> bool,
        each: &mut dyn FnMut(u64, &[u8]),
    ) -> anyhow::Result<()> {
        self.each_search_terms_row(&mut |seq, terms| {
            if seq >= 1 && wanted(seq as u64) {
                for t in terms {
                    each(seq as u64, t.as_bytes());
                }
            }
        })
    }

    fn entry_at(&self, seq: u64) -> anyhow::Result<Option<Vec<u8>>> {
        Ok(self
            .query_opt("SELECT entry FROM entries WHERE seq = $1", &[&(seq as i64)])?
            .map(|row| row.get::<_, &str>(0).as_bytes().to_vec()))
    }

    fn scan_leaves(
        &self,
        batch: usize,
        each: &mut dyn FnMut(Vec<StoredLeaf>) -> anyhow::Result<()>,
    ) -> anyhow::Result<()> {
        let mut leaves = Vec::with_capacity(batch);
        let bytes = |r: &postgres::Row, i: usize| -> Option<Vec<u8>> {
            r.get::<_, Option<&str>>(i).map(|s| s.as_bytes().to_vec())
        };
        self.cursor(
            "SELECT e.seq, e.entry, e.leaf, t.hash, e.id, e.user_name, e.action, e.tbl, \
             e.resource_id, e.service, e.origin, e.outcome, e.reverts, e.time_us, e.ip_key \
             FROM entries e LEFT JOIN tree t ON t.level = 0 AND t.idx = e.seq - 1 \
             ORDER BY e.seq",
            &[],
            &mut |r| {
                let mut texts: [Option<Vec<u8>>; 9] = Default::default();
                for (k, t) in texts.iter_mut().enumerate() {
                    *t = bytes(r, 4 + k);
                }
                leaves.push(StoredLeaf::with_nul_replaced(
                    r.get::<_, i64>(0) as u64,
                    r.get::<_, &str>(1).as_bytes().to_vec(),
                    r.get(2),
                    r.get(3),
                    texts,
                    r.get(13),
                    r.get(14),
                ));
                if leaves.len() == batch {
                    each(std::mem::replace(&mut leaves, Vec::with_capacity(batch)))?;
                }
                Ok(true)
            },
        )?;
        if !leaves.is_empty() {
            each(leaves)?;
        }
        Ok(())
    }

    fn nodes(&self) -> Box<dyn merkle::Nodes + '_> {
        Box::new(StoredNodes(self))
    }

    fn tree_sum(&self, key: &Key) -> anyhow::Result<u64> {
        let mut sum = 0u64;
        self.cursor("SELECT level, idx, hash FROM tree", &[], &mut |r| {
            let cells = [
                Cell::Int(i64::from(r.get::<_, i32>(0))),
                Cell::Int(r.get(1)),
                Cell::Bytes(r.get(2)),
            ];
            sum = sum.wrapping_add(key.row(cells, 0));
            Ok(true)
        })?;
        Ok(sum)
    }
}

impl Integrity for PgStore {
    fn origin(&self) -> anyhow::Result<String> {
        self.origin_line()
    }

    fn latest_checkpoint(&self) -> anyhow::Result<Option<String>> {
        Ok(self
            .query_opt("SELECT note FROM checkpoints ORDER BY id DESC LIMIT 1", &[])?
            .map(|r| r.get(0)))
    }

    fn checkpoint(&mut self, key: Option<&SigningKey>) -> anyhow::Result<String> {
        // The tree's extension, the root and the record in one transaction under the append
        // lock: two servers making checkpoints at once record each one of the log as it is.
        self.in_write_transaction(|s| {
            let size = s.extend_tree_in_transaction()?;
            let root = merkle::root(&StoredNodes(s), size)?;
            let text = note::note_text(
                &Checkpoint {
                    origin: s.origin_line()?,
                    size,
                    root,
                },
                key,
            );
            s.execute(
                "INSERT INTO checkpoints (id, size, root, note, created) \
                 SELECT coalesce(max(id), 0) + 1, $1, $2, $3, $4 FROM checkpoints",
                &[
                    &(size as i64),
                    &&root[..],
                    &text,
                    &crate::model::format_time(&chrono::Utc::now()),
                ],
            )?;
            Ok(text)
        })
    }

    fn is_checkpoint_size(&self, size: u64) -> anyhow::Result<bool> {
        Ok(self
            .query_one(
                "SELECT EXISTS (SELECT 1 FROM checkpoints WHERE size = $1)",
                &[&(size as i64)],
            )?
            .get(0))
    }

    fn consistency_proof(&self, from: u64, to: u64) -> anyhow::Result<Vec<Hash>> {
        self.tree_holding_shared(to)?;
        merkle::consistency_proof(&StoredNodes(self), from, to)
    }

    fn inclusion_proof(&self, seq: u64, size: u64) -> anyhow::Result<Vec<Hash>> {
        anyhow::ensure!(
            (1..=size).contains(&seq),
            crate::error::Failure::usage(format!("seq {seq} is not in a log of {size} events"))
        );
        self.tree_holding_shared(size)?;
        merkle::inclusion_proof(&StoredNodes(self), seq - 1, size)
    }

    fn entry_text(&self, seq: u64) -> anyhow::Result<String> {
        Ok(self
            .query_opt("SELECT entry FROM entries WHERE seq = $1", &[&(seq as i64)])?
            .ok_or_else(|| anyhow::anyhow!("no event has seq {seq}"))?
            .get(0))
    }

    fn verify(&self, opts: &Options) -> anyhow::Result<String> {
        self.verify_store(opts)?.outcome(opts.external)
    }
}

//! Appending to a PostgreSQL store: every append runs in one transaction under the append
//! lock (`pg_advisory_xact_lock`), so that seqs are gapless and each event is stored once
//! whatever number of servers and CLI writers append at once, and the Merkle tree is extended
//! by one writer at a time. Rows go in by binary COPY, a batch at a time.

use std::borrow::Cow;
use std::collections::HashMap;

use postgres::binary_copy::BinaryCopyInWriter;
use postgres::types::Type;

use super::sql::pg_text;
use super::{PgStore, SEARCH_KEYS, terms_of};
use crate::integrity::merkle::{self, Hash, Nodes};
use crate::redact::Redactor;
use crate::store::{AppendReport, IfStored, NewEntry, Store, StoreError};

/// Entries read ahead and looked up together.
const BATCH: usize = 2000;

fn pg_opt(s: &Option<String>) -> Option<Cow<'_, str>> {
    s.as_deref().map(pg_text)
}

/// An entry waiting to be copied in, with its seq.
struct Pending {
    seq: i64,
    new: NewEntry,
}

impl PgStore {
    /// Appends `entries` in one transaction holding the append lock.
    fn append_all(
        &mut self,
        entries: &mut dyn Iterator<Item = anyhow::Result<NewEntry>>,
    ) -> anyhow::Result<AppendReport> {
        self.in_write_transaction(|s| {
            s.check_search_keys()?;
            s.insert_entries(entries)
        })
    }

    /// The terms are made with `self.search`: a store whose recorded keys changed since
    /// (another process hid more) would get values it must not hold.
    fn check_search_keys(&self) -> anyhow::Result<()> {
        let wanted = serde_json::to_string(&self.search.extra_keys()).unwrap_or_default();
        let recorded: Option<String> = self
            .query_opt(
                "SELECT value FROM store_info WHERE key = $1",
                &[&SEARCH_KEYS],
            )?
            .map(|r| r.get(0));
        if recorded.as_deref().unwrap_or("[]") != wanted {
            anyhow::bail!(
                "{}: the keys its search terms leave out changed while this ran; nothing \
                 was appended, run it again",
                self.shown
            );
        }
        Ok(())
    }

    /// Inserts entries inside the caller's write transaction, skipping ids already stored.
    pub(super) fn insert_entries(
        &self,
        entries: &mut dyn Iterator<Item = anyhow::Result<NewEntry>>,
    ) -> anyhow::Result<AppendReport> {
        let mut report = AppendReport::default();
        let mut next = self.last_seq()? as i64 + 1;
        // The entry text of every id appended in this transaction, for duplicates within it.
        let mut batch: Vec<NewEntry> = Vec::with_capacity(BATCH);
        let mut entries = entries.peekable();
        while entries.peek().is_some() {
            batch.clear();
            for new in entries.by_ref().take(BATCH) {
                batch.push(new?);
            }
            let ids: Vec<Cow<str>> = batch.iter().map(|n| pg_text(&n.id)).collect();
            let mut stored: HashMap<String, String> = self
                .query(
                    "SELECT id, entry FROM entries WHERE id = ANY($1::text[])",
                    &[&ids],
                )?
                .into_iter()
                .map(|r| (r.get(0), r.get(1)))
                .collect();
            let mut pending: Vec<Pending> = Vec::new();
            for new in batch.drain(..) {
                let key = pg_text(&new.id).into_owned();
                if let Some(entry) = stored.get(&key) {
                    report.duplicates += 1;
                    if *entry != new.entry {
                        match new.if_stored {
                            IfStored::Refuse => {
                                return Err(StoreError::IdConflict(new.id).into());
                            }
                            IfStored::Keep => {
                                report.conflicts += 1;
                                report.first_conflict.get_or_insert(new.id);
                            }
                        }
                    }
                    continue;
                }
                stored.insert(key, new.entry.clone());
                let seq = next;
                next += 1;
                report.added += 1;
                report.first_seq.get_or_insert(seq as u64);
                if let Some(target) = &new.reverts {
                    // A revert is checked against everything before it, so what waits goes in
                    // first.
                    self.copy_in(std::mem::take(&mut pending))?;
                    self.check_revert(seq, &new, target)?;
                }
                pending.push(Pending { seq, new });
            }
            self.copy_in(pending)?;
        }
        Ok(report)
    }

    /// Copies entries and their search terms in.
    fn copy_in(&self, pending: Vec<Pending>) -> anyhow::Result<()> {
        if pending.is_empty() {
            return Ok(());
        }
        let mut client = self.client();
        let sink = client
            .copy_in(
                "COPY entries (seq, id, entry, leaf, time_us, user_name, action, tbl, \
                 resource_id, service, origin, outcome, ip_key, reverts) FROM STDIN BINARY",
            )
            .map_err(|e| self.wrap(e))?;
        let mut writer = BinaryCopyInWriter::new(
            sink,
            &[
                Type::INT8,
                Type::TEXT,
                Type::TEXT,
                Type::BYTEA,
                Type::INT8,
                Type::TEXT,
                Type::TEXT,
                Type::TEXT,
                Type::TEXT,
                Type::TEXT,
                Type::TEXT,
                Type::TEXT,
                Type::BYTEA,
                Type::TEXT,
            ],
        );
        for Pending { seq, new } in &pending {
            let ip_key = new.ip_key.as_ref().map(|k| &k[..]);
            writer
                .write(&[
                    seq,
                    &pg_text(&new.id),
                    &new.entry,
                    &&new.leaf[..],
                    &new.time_us,
                    &pg_text(&new.user),
                    &pg_text(&new.action),
                    &pg_opt(&new.table),
                    &pg_opt(&new.resource_id),
                    &pg_opt(&new.service),
                    &pg_opt(&new.origin),
                    &pg_text(&new.outcome),
                    &ip_key,
                    &pg_opt(&new.reverts),
                ])
                .map_err(|e| self.wrap(e))?;
        }
        writer.finish().map_err(|e| self.wrap(e))?;
        let sink = client
            .copy_in("COPY search_terms (seq, terms) FROM STDIN BINARY")
            .map_err(|e| self.wrap(e))?;
        let mut writer = BinaryCopyInWriter::new(sink, &[Type::INT8, Type::TEXT_ARRAY]);
        for Pending { seq, new } in &pending {
            writer
                .write(&[seq, &terms_of(&new.doc)])
                .map_err(|e| self.wrap(e))?;
        }
        writer.finish().map_err(|e| self.wrap(e))?;
        Ok(())
    }

    /// An event that reverts `target` must revert an earlier event of the same record that
    /// nothing else reverted (as in the SQLite store).
    fn check_revert(&self, seq: i64, new: &NewEntry, target: &str) -> anyhow::Result<()> {
        let bad = |why: String| -> anyhow::Error {
            StoreError::BadRevert {
                id: new.id.clone(),
                why,
            }
            .into()
        };
        let record = self.query_opt(
            "SELECT tbl, resource_id FROM entries WHERE id = $1 AND seq < $2",
            &[&pg_text(target), &seq],
        )?;
        let Some(record) = record else {
            return Err(bad(format!(
                "it reverts event {target:?}, which is not in the store before it"
            )));
        };
        let (table, resource_id): (Option<String>, Option<String>) = (record.get(0), record.get(1));
        let theirs = (table.as_deref(), resource_id.as_deref());
        let ours = (
            pg_opt(&new.table).as_deref().map(str::to_owned),
            pg_opt(&new.resource_id).as_deref().map(str::to_owned),
        );
        if theirs != (ours.0.as_deref(), ours.1.as_deref()) {
            return Err(bad(format!(
                "it reverts event {target:?}, which is of another record ({}/{})",
                table.unwrap_or_default(),
                resource_id.unwrap_or_default()
            )));
        }
        if let Some(other) = self.standing_reverter(target, seq, 0)? {
            return Err(bad(format!(
                "event {target:?} was already reverted by event {other:?}"
            )));
        }
        Ok(())
    }

    /// The event, other than `seq`, that reverts `target` and stands (is not itself undone
    /// by a revert that stands).
    fn standing_reverter(
        &self,
        target: &str,
        seq: i64,
        depth: usize,
    ) -> anyhow::Result<Option<String>> {
        if depth > 64 {
            return Ok(Some(target.to_owned()));
        }
        let reverters: Vec<String> = self
            .query(
                "SELECT id FROM entries WHERE reverts = $1 AND seq <> $2",
                &[&pg_text(target), &seq],
            )?
            .iter()
            .map(|r| r.get(0))
            .collect();
        for reverter in reverters {
            if self.standing_reverter(&reverter, seq, depth + 1)?.is_none() {
                return Ok(Some(reverter));
            }
        }
        Ok(None)
    }

    // ---- the Merkle tree -----------------------------------------------------------------

    /// How many leaves the stored tree holds.
    pub(super) fn tree_size(&self) -> anyhow::Result<u64> {
        let n: i64 = self
            .query_one(
                "SELECT coalesce(max(idx) + 1, 0) FROM tree WHERE level = 0",
                &[],
            )?
            .get(0);
        Ok(n as u64)
    }

    /// Takes every entry not yet in the tree into it, under the append lock. Returns the new
    /// tree size.
    pub(super) fn extend_tree(&mut self) -> anyhow::Result<u64> {
        self.in_write_transaction(|s| s.extend_tree_in_transaction())
    }

    pub(super) fn extend_tree_in_transaction(&self) -> anyhow::Result<u64> {
        let size = self.tree_size()?;
        // A node the log has not made yet (planted by someone who may insert) would make every
        // later extension fail on its key: named, as what it is.
        if let Some(row) = self.query_opt(
            "SELECT level, idx FROM tree WHERE idx >= ($1::bigint >> level) \
             ORDER BY level, idx LIMIT 1",
            &[&(size as i64)],
        )? {
            let (level, idx): (i32, i64) = (row.get(0), row.get(1));
            return Err(crate::error::Failure::integrity(format!(
                "{}: the stored Merkle tree holds node ({level}, {idx}), which the log has not \
                 made: it was planted, so no checkpoint or proof can be made",
                self.shown
            ))
            .with_hint("`auditctl verify` says more; the store's owner must remove it")
            .into());
        }
        let mut frontier = merkle::Frontier::resume(size, &StoredNodes(self))?;
        let mut nodes: Vec<(i32, i64, Hash)> = Vec::new();
        let mut failure = None;
        self.cursor(
            "SELECT seq, leaf FROM entries WHERE seq > $1 ORDER BY seq",
            &[&(size as i64)],
            &mut |row| {
                let seq: i64 = row.get(0);
                if seq as u64 != frontier.size() + 1 {
                    failure = Some(frontier.size() + 1);
                    return Ok(false);
                }
                let leaf = Hash::try_from(row.get::<_, &[u8]>(1))
                    .map_err(|_| anyhow::anyhow!("the leaf of seq {seq} is not 32 bytes"))?;
                frontier.push_seeing(leaf, &mut |level, index, node| {
                    nodes.push((level as i32, index as i64, *node));
                });
                if nodes.len() >= 20_000 {
                    self.copy_nodes(std::mem::take(&mut nodes))?;
                }
                Ok(true)
            },
        )?;
        if let Some(missing) = failure {
            anyhow::bail!("seq {missing} is missing from the store: run `auditctl verify`");
        }
        self.copy_nodes(nodes)?;
        Ok(frontier.size())
    }

    fn copy_nodes(&self, nodes: Vec<(i32, i64, Hash)>) -> anyhow::Result<()> {
        if nodes.is_empty() {
            return Ok(());
        }
        let mut client = self.client();
        let sink = client
            .copy_in("COPY tree (level, idx, hash) FROM STDIN BINARY")
            .map_err(|e| self.wrap(e))?;
        let mut writer = BinaryCopyInWriter::new(sink, &[Type::INT4, Type::INT8, Type::BYTEA]);
        for (level, idx, hash) in &nodes {
            writer
                .write(&[level, idx, &&hash[..]])
                .map_err(|e| self.wrap(e))?;
        }
        writer.finish().map_err(|e| self.wrap(e))?;
        Ok(())
    }

    fn node(&self, level: u32, index: u64) -> anyhow::Result<Hash> {
        let row = self.query_opt(
            "SELECT hash FROM tree WHERE level = $1 AND idx = $2",
            &[&(level as i32), &(index as i64)],
        )?;
        let row = row.ok_or_else(|| {
            anyhow::anyhow!("the stored tree lacks node ({level}, {index}): run `auditctl verify`")
        })?;
        Hash::try_from(row.get::<_, &[u8]>(0))
            .map_err(|_| anyhow::anyhow!("a stored hash is not 32 bytes"))
    }
}

/// The stored tree, read node by node for proofs.
pub(super) struct StoredNodes<'s>(pub &'s PgStore);

impl Nodes for StoredNodes<'_> {
    fn node(&self, level: u32, index: u64) -> anyhow::Result<Hash> {
        self.0.node(level, index)
    }
}

impl crate::store::Append for PgStore {
    fn search_redactor(&self) -> Redactor {
        self.search.clone()
    }

    /// One transaction under the append lock for every group, each in a savepoint of its own.
    fn append_groups(
        &mut self,
        writes: &mut [crate::store::Write<'_>],
    ) -> anyhow::Result<Vec<anyhow::Result<AppendReport>>> {
        let search = self.search.clone();
        self.in_write_transaction(|s| {
            s.check_search_keys()?;
            let mut outcomes = Vec::with_capacity(writes.len());
            for write in writes.iter_mut() {
                s.batch("SAVEPOINT auditctl_group")?;
                let outcome = write.run(&*s, &search, |entries| s.insert_entries(entries));
                s.batch(match outcome {
                    Ok(_) => "RELEASE auditctl_group",
                    Err(_) => "ROLLBACK TO auditctl_group; RELEASE auditctl_group",
                })?;
                outcomes.push(outcome);
            }
            Ok(outcomes)
        })
    }

    fn append_entries(
        &mut self,
        entries: &mut dyn Iterator<Item = anyhow::Result<NewEntry>>,
    ) -> anyhow::Result<AppendReport> {
        self.append_all(entries)
    }
}

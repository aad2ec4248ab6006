//! The SQLite schema of the local store: entries with their canonical bytes and leaf hashes,
//! indexed columns for the quick filters, full-text search, and the append-only triggers.

/// Marks a file as an auditctl store (`PRAGMA application_id`, "AUDT").
pub const APPLICATION_ID: i32 = 0x4155_4454;

/// The schema this build writes and reads (`PRAGMA user_version`). Version 1 lacked the
/// Merkle tree and checkpoint tables (`MIGRATE_1_TO_2` adds them); version 2 indexed words for
/// search the way `unicode61` splits them, and values under sensitive keys (`MIGRATE_2_TO_3`
/// rebuilds the index with `query::search`'s terms).
pub const SCHEMA_VERSION: i32 = 3;

/// The tables and triggers of version 1, without its full-text index.
const CREATE_V1: &str = r#"
CREATE TABLE store_info (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

-- One row per event, in append order. `entry` holds the canonical JCS bytes (UTF-8 text, so
-- that SQLite's JSON functions read it); `leaf` is SHA-256(0x00 || entry). The other columns are
-- derived from the entry for the indexes and are never the source of truth.
CREATE TABLE entries (
    seq         INTEGER PRIMARY KEY,
    id          TEXT NOT NULL UNIQUE,
    entry       TEXT NOT NULL,
    leaf        BLOB NOT NULL,
    time_us     INTEGER NOT NULL,
    user_name   TEXT NOT NULL,
    action      TEXT NOT NULL,
    tbl         TEXT,
    resource_id TEXT,
    service     TEXT,
    origin      TEXT,
    outcome     TEXT NOT NULL,
    ip_key      BLOB,
    reverts     TEXT
) STRICT;

-- Append-only: an entry, once written, is never changed or removed.
CREATE TRIGGER entries_no_update BEFORE UPDATE ON entries
BEGIN
    SELECT RAISE(ABORT, 'auditctl store is append-only: entries cannot be updated');
END;
CREATE TRIGGER entries_no_delete BEFORE DELETE ON entries
BEGIN
    SELECT RAISE(ABORT, 'auditctl store is append-only: entries cannot be deleted');
END;
"#;

/// The indexes of the quick filters, by name: created with the schema, and built again in one
/// pass after a bulk load into an empty store (sorting once beats inserting into eight
/// B-trees at random).
pub const INDEXES: [(&str, &str); 8] = [
    ("entries_time", "ON entries (time_us)"),
    ("entries_user", "ON entries (user_name, action, time_us)"),
    ("entries_action", "ON entries (action, time_us)"),
    ("entries_record", "ON entries (tbl, resource_id, seq)"),
    ("entries_resource", "ON entries (resource_id)"),
    ("entries_service", "ON entries (service)"),
    ("entries_ip", "ON entries (ip_key)"),
    (
        "entries_reverts",
        "ON entries (reverts) WHERE reverts IS NOT NULL",
    ),
];

/// `CREATE INDEX` statements for every index of `INDEXES`.
pub fn create_indexes() -> String {
    INDEXES
        .iter()
        .map(|(name, def)| format!("CREATE INDEX {name} {def};\n"))
        .collect()
}

/// `DROP INDEX` statements for every index of `INDEXES`.
pub fn drop_indexes() -> String {
    INDEXES
        .iter()
        .map(|(name, _)| format!("DROP INDEX {name};\n"))
        .collect()
}

/// The tables of the Merkle tree and the checkpoints, added in version 2.
pub const MIGRATE_1_TO_2: &str = r#"
-- The RFC 9162 Merkle tree over the leaves in seq order, as its perfect subtrees: node
-- (level, idx) is the root of leaves idx*2^level .. (idx+1)*2^level - 1. Level 0 repeats each
-- leaf as it was when the tree took it in. Extended (never rewritten) when a checkpoint or a
-- proof needs it, so proofs read O(log n) nodes.
CREATE TABLE tree (
    level INTEGER NOT NULL,
    idx   INTEGER NOT NULL,
    hash  BLOB NOT NULL,
    PRIMARY KEY (level, idx)
) STRICT, WITHOUT ROWID;

-- Every checkpoint made: its size, root and the full (possibly signed) note text.
CREATE TABLE checkpoints (
    id      INTEGER PRIMARY KEY,
    size    INTEGER NOT NULL,
    root    BLOB NOT NULL,
    note    TEXT NOT NULL,
    created TEXT NOT NULL
) STRICT;

CREATE TRIGGER tree_no_update BEFORE UPDATE ON tree
BEGIN
    SELECT RAISE(ABORT, 'auditctl store is append-only: tree nodes cannot be updated');
END;
CREATE TRIGGER tree_no_delete BEFORE DELETE ON tree
BEGIN
    SELECT RAISE(ABORT, 'auditctl store is append-only: tree nodes cannot be deleted');
END;
CREATE TRIGGER checkpoints_no_update BEFORE UPDATE ON checkpoints
BEGIN
    SELECT RAISE(ABORT, 'auditctl store is append-only: checkpoints cannot be updated');
END;
CREATE TRIGGER checkpoints_no_delete BEFORE DELETE ON checkpoints
BEGIN
    SELECT RAISE(ABORT, 'auditctl store is append-only: checkpoints cannot be deleted');
END;
"#;

/// The contentless full-text index over `query::search::index_text`, rowid = seq; filled in
/// the same transaction as each entry. Its tokenizer keeps the terms written as they are.
pub const CREATE_FTS: &str = "CREATE VIRTUAL TABLE entries_fts USING fts5 (doc, content = '', \
     detail = none, tokenize = \"ascii tokenchars '-_.:/@'\")";

/// Replaces the full-text index of version 2; the store fills it again from the entries.
pub const MIGRATE_2_TO_3: &str = "DROP TABLE entries_fts";

/// Creates every table, index and trigger of a new store, in the caller's transaction.
pub fn create(conn: &rusqlite::Connection) -> rusqlite::Result<()> {
    conn.execute_batch(CREATE_V1)?;
    conn.execute_batch(CREATE_FTS)?;
    conn.execute_batch(&create_indexes())?;
    conn.execute_batch(MIGRATE_1_TO_2)
}

/// The names of the triggers that make the store append-only (checked by `verify`).
pub const TRIGGERS: [&str; 6] = [
    "entries_no_update",
    "entries_no_delete",
    "tree_no_update",
    "tree_no_delete",
    "checkpoints_no_update",
    "checkpoints_no_delete",
];

#[cfg(test)]
mod tests {
    #[test]
    fn the_index_splits_terms_as_search_makes_them() {
        assert!(
            super::CREATE_FTS.contains(&format!("\"{}\"", crate::query::search::FTS_TOKENIZER))
        );
    }
}

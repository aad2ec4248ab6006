//! The PostgreSQL schema of a shared store: the same entries, tree and checkpoints as the
//! SQLite store's, with the append-only rules as triggers, text compared byte by byte, the
//! entry's JSON as `jsonb` for path filters, and the search terms in a GIN-indexed array.

/// The PostgreSQL schema (namespace) that holds the store's tables, so that a database shared
/// with other applications keeps them apart; every connection sets `search_path` to it.
pub const NAMESPACE: &str = "auditctl";

/// The schema this build writes and reads (`store_info.schema_version`). Version 1 wrote
/// `auditctl_doc` with an SQL-standard body, whose source `verify` cannot compare;
/// `migrate_1_to_2` writes it anew, the same expression.
pub const SCHEMA_VERSION: i32 = 2;

/// The key of `pg_advisory_xact_lock` that serialises appends and the tree's extension:
/// "AUDT" and a 1, so that it does not collide with other applications' keys.
pub const APPEND_LOCK: i64 = 0x4155_4454_0000_0001;

/// Every table, index, function and trigger of a new store. Text columns use the "C"
/// collation, so that `user < "m"` and the order of `sort` compare bytes as SQLite and the
/// in-memory matcher do, whatever the database's locale.
pub const CREATE: &str = r#"
CREATE TABLE store_info (
    key   text COLLATE "C" PRIMARY KEY,
    value text NOT NULL
);

-- One row per event, in append order. `entry` holds the canonical JCS text (what is hashed);
-- `leaf` is SHA-256(0x00 || entry). `doc` is the entry as jsonb for path filters, and the
-- other columns are derived from the entry for the indexes: never the source of truth.
CREATE TABLE entries (
    seq         bigint PRIMARY KEY CHECK (seq > 0),
    id          text COLLATE "C" NOT NULL UNIQUE,
    entry       text NOT NULL,
    doc         jsonb GENERATED ALWAYS AS (auditctl_doc(entry)) STORED,
    leaf        bytea NOT NULL,
    time_us     bigint NOT NULL,
    user_name   text COLLATE "C" NOT NULL,
    action      text COLLATE "C" NOT NULL,
    tbl         text COLLATE "C",
    resource_id text COLLATE "C",
    service     text COLLATE "C",
    origin      text COLLATE "C",
    outcome     text COLLATE "C" NOT NULL,
    ip_key      bytea,
    reverts     text COLLATE "C"
);

CREATE INDEX entries_time ON entries (time_us);
CREATE INDEX entries_user ON entries (user_name, action, time_us);
CREATE INDEX entries_action ON entries (action, time_us);
CREATE INDEX entries_record ON entries (tbl, resource_id, seq);
CREATE INDEX entries_resource ON entries (resource_id);
CREATE INDEX entries_service ON entries (service);
CREATE INDEX entries_ip ON entries (ip_key);
CREATE INDEX entries_reverts ON entries (reverts) WHERE reverts IS NOT NULL;

-- The search terms of each event (`query::search`), for `search`: derived, so rebuilt when
-- the keys whose values search leaves out change, like SQLite's full-text index.
CREATE TABLE search_terms (
    seq   bigint PRIMARY KEY REFERENCES entries (seq),
    terms text[] COLLATE "C" NOT NULL
);
CREATE INDEX search_terms_terms ON search_terms USING gin (terms);

-- The RFC 9162 Merkle tree as its perfect subtrees, as in the SQLite store.
CREATE TABLE tree (
    level integer NOT NULL,
    idx   bigint NOT NULL,
    hash  bytea NOT NULL,
    PRIMARY KEY (level, idx)
);

CREATE TABLE checkpoints (
    id      bigint PRIMARY KEY,
    size    bigint NOT NULL,
    root    bytea NOT NULL,
    note    text NOT NULL,
    created text NOT NULL
);

CREATE TRIGGER entries_append_only BEFORE UPDATE OR DELETE ON entries
    FOR EACH ROW EXECUTE FUNCTION auditctl_append_only();
CREATE TRIGGER entries_no_truncate BEFORE TRUNCATE ON entries
    FOR EACH STATEMENT EXECUTE FUNCTION auditctl_append_only();
CREATE TRIGGER tree_append_only BEFORE UPDATE OR DELETE ON tree
    FOR EACH ROW EXECUTE FUNCTION auditctl_append_only();
CREATE TRIGGER tree_no_truncate BEFORE TRUNCATE ON tree
    FOR EACH STATEMENT EXECUTE FUNCTION auditctl_append_only();
CREATE TRIGGER checkpoints_append_only BEFORE UPDATE OR DELETE ON checkpoints
    FOR EACH ROW EXECUTE FUNCTION auditctl_append_only();
CREATE TRIGGER checkpoints_no_truncate BEFORE TRUNCATE ON checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION auditctl_append_only();
"#;

/// The body of `auditctl_doc(entry text) RETURNS jsonb`: jsonb cannot hold U+0000, which
/// canonical JSON writes as \u0000, so such an entry's doc has U+FFFD in its place (only path
/// filters read doc; the entry and its hash are unchanged). `verify` compares the stored body
/// with this one, and every row's doc with what it makes.
pub const DOC_EXPRESSION: &str = "CASE WHEN strpos(entry, '\\u0000') = 0 THEN entry::jsonb \
     ELSE replace(entry, '\\u0000', '\\ufffd')::jsonb END";

/// The body of the trigger function that refuses every change of the log's tables.
pub const APPEND_ONLY_BODY: &str = "
BEGIN
    RAISE EXCEPTION 'auditctl store is append-only: % cannot be %d', TG_TABLE_NAME,
        lower(TG_OP) USING ERRCODE = 'insufficient_privilege';
END
";

/// `auditctl_doc`, made or made anew.
fn doc_function() -> String {
    format!(
        "CREATE OR REPLACE FUNCTION auditctl_doc(entry text) RETURNS jsonb \
         LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $doc$ SELECT {DOC_EXPRESSION} $doc$;\n"
    )
}

/// The functions the tables use, created before them.
pub fn functions() -> String {
    format!(
        "{}CREATE FUNCTION auditctl_append_only() RETURNS trigger \
         LANGUAGE plpgsql AS $body${APPEND_ONLY_BODY}$body$;\n",
        doc_function()
    )
}

/// From version 1: `auditctl_doc` with a body `verify` can read.
pub fn migrate_1_to_2() -> String {
    doc_function()
}

/// The source `pg_proc.prosrc` holds for each function of `functions()`.
pub fn function_sources() -> [(&'static str, String); 2] {
    [
        ("auditctl_doc", format!(" SELECT {DOC_EXPRESSION} ")),
        ("auditctl_append_only", APPEND_ONLY_BODY.to_owned()),
    ]
}

/// `pg_trigger.tgtype` of a BEFORE UPDATE OR DELETE row trigger (ROW 1, BEFORE 2, DELETE 8,
/// UPDATE 16) and of a BEFORE TRUNCATE statement trigger (BEFORE 2, TRUNCATE 32).
const ROW_UPDATE_DELETE: i16 = 1 | 2 | 8 | 16;
const STATEMENT_TRUNCATE: i16 = 2 | 32;

/// The triggers that make the store append-only (checked by `verify`), with their tables and
/// `tgtype`; each runs `auditctl_append_only`.
pub const TRIGGERS: [(&str, &str, i16); 6] = [
    ("entries_append_only", "entries", ROW_UPDATE_DELETE),
    ("entries_no_truncate", "entries", STATEMENT_TRUNCATE),
    ("tree_append_only", "tree", ROW_UPDATE_DELETE),
    ("tree_no_truncate", "tree", STATEMENT_TRUNCATE),
    ("checkpoints_append_only", "checkpoints", ROW_UPDATE_DELETE),
    ("checkpoints_no_truncate", "checkpoints", STATEMENT_TRUNCATE),
];

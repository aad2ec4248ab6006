//! The PostgreSQL back end: one log shared by many `serve` processes and CLI writers, in a
//! database its operators already run.
//!
//! The client is `postgres`, tokio-postgres's blocking wrapper: every back-end capability is
//! synchronous (commands run on plain threads, the server calls stores from
//! `spawn_blocking`), and it drives tokio-postgres on the tokio already in the build.
//! Connections are kept for reuse per URL (`pool`), so a server does not connect per request.

mod append;
mod integrity;
mod pool;
mod read;
pub mod regex;
pub mod schema;
pub mod sql;

use std::cell::{Cell, RefCell};

use super::{Store, StoreError};
use crate::redact::Redactor;

pub use pool::is_postgres_url;

/// A store in a PostgreSQL database.
pub struct PgStore {
    client: RefCell<pool::Pooled>,
    /// The URL to connect with (a second connection, for the tree's extension).
    url: String,
    /// The URL as it may be shown: without its password.
    shown: String,
    /// The keys whose values the search terms leave out: the built-in ones and those
    /// recorded in the store.
    search: Redactor,
    /// Whether this connection is inside a transaction this store began (cursors then run in
    /// it instead of a transaction of their own).
    in_transaction: Cell<bool>,
    /// Names cursors apart when a scan's callback scans again.
    cursors: Cell<u32>,
}

/// The `store_info` key of the schema version.
const VERSION_KEY: &str = "schema_version";
/// The `store_info` key that lists the keys, beyond the built-in ones, whose values the
/// search terms leave out (a JSON array, as in the SQLite store).
const SEARCH_KEYS: &str = "search_hides";

impl PgStore {
    /// Opens the store in the database at `url`; a database without one is
    /// `StoreError::Missing`-like and nothing is created.
    pub fn open(url: &str) -> anyhow::Result<PgStore> {
        let store = PgStore::connect(url)?;
        match store.version()? {
            None => Err(store.missing()),
            Some(_) => store.checked(),
        }
    }

    /// Opens the store at `url`, creating its schema when the database has none (the first
    /// write, `init`). Several processes may race to create it: creation runs under the
    /// append lock and checks again.
    pub fn open_or_create(url: &str) -> anyhow::Result<PgStore> {
        let mut store = PgStore::connect(url)?;
        if store.version()?.is_none() {
            store.create()?;
        }
        store.checked()
    }

    fn connect(url: &str) -> anyhow::Result<PgStore> {
        let shown = pool::shown(url);
        let client = pool::Pooled::connect(url).map_err(|e| match e {
            pool::ConnectError::Postgres(e) => pg_error(&shown, e),
            e => crate::error::Failure::runtime(format!("store {shown}: {e}")).into(),
        })?;
        Ok(PgStore {
            client: RefCell::new(client),
            url: url.to_owned(),
            shown,
            search: Redactor::builtin().clone(),
            in_transaction: Cell::new(false),
            cursors: Cell::new(0),
        })
    }

    /// The URL as it may be shown.
    pub fn shown(&self) -> &str {
        &self.shown
    }

    fn missing(&self) -> anyhow::Error {
        crate::error::Failure::runtime(format!("no auditctl store in {}", self.shown))
            .with_hint(format!(
                "create it with `auditctl init {0}`, or by a first write (`auditctl import \
                 FILE --store {0}`, `auditctl copy --from audit.db --to {0}`)",
                self.shown
            ))
            .into()
    }

    /// The schema version the store records; `None` when the database has no auditctl schema.
    fn version(&self) -> anyhow::Result<Option<i32>> {
        let row = self.query_one(
            "SELECT n.oid IS NOT NULL, \
             n.oid IS NOT NULL AND has_schema_privilege(n.oid, 'USAGE'), \
             EXISTS (SELECT 1 FROM pg_class c WHERE c.relnamespace = n.oid), \
             to_regclass('store_info') IS NOT NULL \
             FROM (SELECT 1) one LEFT JOIN pg_namespace n ON n.nspname = $1",
            &[&schema::NAMESPACE],
        )?;
        let (namespace, usable, tables, has_info): (bool, bool, bool, bool) =
            (row.get(0), row.get(1), row.get(2), row.get(3));
        if namespace && !usable {
            return Err(crate::error::Failure::runtime(format!(
                "store {}: this role may not use the schema {} that holds the store",
                self.shown,
                schema::NAMESPACE
            ))
            .with_hint(format!(
                "its owner grants it: GRANT USAGE ON SCHEMA {0} TO …; GRANT SELECT ON ALL \
                 TABLES IN SCHEMA {0} TO … (README: Deploying on PostgreSQL)",
                schema::NAMESPACE
            ))
            .into());
        }
        if !has_info {
            if tables {
                return Err(StoreError::Foreign {
                    path: self.shown.clone().into(),
                    why: format!(
                        "its schema {} holds tables that are not an auditctl store",
                        schema::NAMESPACE
                    ),
                }
                .into());
            }
            return Ok(None);
        }
        let row = self.query_opt(
            "SELECT value FROM store_info WHERE key = $1",
            &[&VERSION_KEY],
        )?;
        let Some(row) = row else {
            return Err(StoreError::Foreign {
                path: self.shown.clone().into(),
                why: format!("its {}.store_info has no schema version", schema::NAMESPACE),
            }
            .into());
        };
        let text: String = row.get(0);
        text.parse()
            .ok()
            .filter(|v| *v >= 1)
            .map(Some)
            .ok_or_else(|| {
                StoreError::Foreign {
                    path: self.shown.clone().into(),
                    why: format!("its schema version {text:?} is not one auditctl wrote"),
                }
                .into()
            })
    }

    /// Checks the version and reads the recorded search rules.
    fn checked(mut self) -> anyhow::Result<PgStore> {
        let version = self.version()?.unwrap_or_default();
        if version > schema::SCHEMA_VERSION {
            return Err(StoreError::NewerSchema {
                path: self.shown.clone().into(),
                found: version,
                supported: schema::SCHEMA_VERSION,
            }
            .into());
        }
        if version < schema::SCHEMA_VERSION {
            self.migrate()?;
        }
        self.search = self.recorded_search()?;
        Ok(self)
    }

    /// Brings an older schema up to this one, under the append lock, checking the version
    /// again there (another process may have done it). It takes the role that owns the store.
    fn migrate(&mut self) -> anyhow::Result<()> {
        let shown = self.shown.clone();
        self.in_write_transaction(|s| {
            let mut version = s.version()?.unwrap_or_default();
            if version == 1 {
                s.batch(&schema::migrate_1_to_2())?;
                version = 2;
            }
            s.execute(
                "UPDATE store_info SET value = $1 WHERE key = $2",
                &[&version.to_string(), &VERSION_KEY],
            )?;
            Ok(())
        })
        .map_err(|e| {
            crate::error::Failure::runtime(format!(
                "{shown} has store schema version {} and could not be upgraded to {}: {e:#}",
                schema::SCHEMA_VERSION - 1,
                schema::SCHEMA_VERSION
            ))
            .with_hint("open it once as the role that owns it (`auditctl list -n 1`)")
            .into()
        })
    }

    /// Creates the schema, under the append lock, unless another process just did.
    fn create(&mut self) -> anyhow::Result<()> {
        let origin = default_origin(&self.shown);
        self.in_write_transaction(|s| {
            if s.version()?.is_some() {
                return Ok(());
            }
            s.batch(&format!(
                "CREATE SCHEMA IF NOT EXISTS {ns}; SET LOCAL search_path = {ns};",
                ns = schema::NAMESPACE
            ))?;
            s.batch(&schema::functions())?;
            s.batch(schema::CREATE)?;
            // amcheck lets `verify` read every index against its table; creating it takes a
            // superuser, so a store made by another role goes without (verify says so).
            s.batch("SAVEPOINT amcheck")?;
            if s.batch("CREATE EXTENSION IF NOT EXISTS amcheck").is_err() {
                s.batch("ROLLBACK TO SAVEPOINT amcheck")?;
            }
            s.batch("RELEASE SAVEPOINT amcheck")?;
            let now = crate::model::format_time(&chrono::Utc::now());
            s.execute(
                "INSERT INTO store_info (key, value) VALUES ($1, $2), ('origin', $3), \
                 ('created', $4)",
                &[
                    &VERSION_KEY,
                    &schema::SCHEMA_VERSION.to_string(),
                    &origin,
                    &now,
                ],
            )?;
            Ok(())
        })
    }

    fn recorded_search(&self) -> anyhow::Result<Redactor> {
        let keys: Vec<String> = match self.query_opt(
            "SELECT value FROM store_info WHERE key = $1",
            &[&SEARCH_KEYS],
        )? {
            Some(row) => {
                serde_json::from_str(&row.get::<_, String>(0)).map_err(|e| StoreError::Foreign {
                    path: self.shown.clone().into(),
                    why: format!("its {SEARCH_KEYS} are unreadable: {e}"),
                })?
            }
            None => Vec::new(),
        };
        Ok(Redactor::new(&keys).map_err(|why| StoreError::Foreign {
            path: self.shown.clone().into(),
            why,
        })?)
    }

    /// Makes the search terms leave out the values of every key `wanted` hides too, rebuilding
    /// them once, in one write transaction (as the SQLite store does).
    pub fn hide_in_search(&mut self, wanted: &Redactor) -> anyhow::Result<()> {
        if self.search.covers(wanted) {
            return Ok(());
        }
        if !self.may_reindex()? {
            return Err(crate::error::Failure::runtime(format!(
                "the search terms of {} still hold the values of keys this configuration                  hides ({}), and this role may not rebuild them",
                self.shown,
                wanted.extra_keys().join(", ")
            ))
            .with_hint(
                "run one command (`auditctl list --limit 1`) as the role that owns the store,                  with this configuration: it rebuilds them once",
            )
            .into());
        }
        self.in_write_transaction(|s| {
            let recorded = s.recorded_search()?;
            let mut keys = recorded.extra_keys();
            keys.extend(wanted.extra_keys());
            keys.sort();
            keys.dedup();
            s.search = Redactor::new(&keys).map_err(|e| anyhow::anyhow!(e))?;
            if recorded.covers(wanted) {
                return Ok(());
            }
            s.execute(
                "INSERT INTO store_info (key, value) VALUES ($1, $2) \
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                &[&SEARCH_KEYS, &serde_json::to_string(&keys)?],
            )?;
            s.batch("DELETE FROM search_terms")?;
            s.fill_search_terms()
        })
    }

    /// `hide_in_search` where this role may rebuild the search terms; a role that may not
    /// (a reader, a writer) reads as the store is: it can read every entry anyway.
    pub fn hide_in_search_if_allowed(&mut self, wanted: &Redactor) -> anyhow::Result<()> {
        if self.search.covers(wanted) || !self.may_reindex()? {
            return Ok(());
        }
        self.hide_in_search(wanted)
    }

    /// Whether this role may rebuild the search terms (the owner's work).
    fn may_reindex(&self) -> anyhow::Result<bool> {
        Ok(self
            .query_one(
                "SELECT has_table_privilege('store_info', 'UPDATE') \
                 AND has_table_privilege('search_terms', 'DELETE')",
                &[],
            )?
            .get(0))
    }

    /// Fills `search_terms` from every entry (after the search rules changed).
    fn fill_search_terms(&self) -> anyhow::Result<()> {
        let search = self.search.clone();
        self.cursor(
            "SELECT seq, entry FROM entries ORDER BY seq",
            &[],
            &mut |row| {
                let seq: i64 = row.get(0);
                let event = super::decode_entry(seq, row.get(1))?;
                let terms = terms_of(&super::search_text(&event, &search));
                self.execute(
                    "INSERT INTO search_terms (seq, terms) VALUES ($1, $2)",
                    &[&seq, &terms],
                )?;
                Ok(true)
            },
        )
    }

    // ---- running statements ------------------------------------------------------------

    fn client(&self) -> std::cell::RefMut<'_, pool::Pooled> {
        self.client.borrow_mut()
    }

    fn wrap(&self, e: postgres::Error) -> anyhow::Error {
        pg_error(&self.shown, e)
    }

    fn batch(&self, sql: &str) -> anyhow::Result<()> {
        self.client().batch_execute(sql).map_err(|e| self.wrap(e))
    }

    fn execute(
        &self,
        sql: &str,
        params: &[&(dyn postgres::types::ToSql + Sync)],
    ) -> anyhow::Result<u64> {
        self.client().execute(sql, params).map_err(|e| self.wrap(e))
    }

    fn query(
        &self,
        sql: &str,
        params: &[&(dyn postgres::types::ToSql + Sync)],
    ) -> anyhow::Result<Vec<postgres::Row>> {
        self.client().query(sql, params).map_err(|e| self.wrap(e))
    }

    fn query_one(
        &self,
        sql: &str,
        params: &[&(dyn postgres::types::ToSql + Sync)],
    ) -> anyhow::Result<postgres::Row> {
        self.client()
            .query_one(sql, params)
            .map_err(|e| self.wrap(e))
    }

    fn query_opt(
        &self,
        sql: &str,
        params: &[&(dyn postgres::types::ToSql + Sync)],
    ) -> anyhow::Result<Option<postgres::Row>> {
        self.client()
            .query_opt(sql, params)
            .map_err(|e| self.wrap(e))
    }

    /// Runs `query` through a cursor, calling `each` with every row until it returns
    /// `Ok(false)`: rows come a batch at a time, so a scan of the whole log holds one batch,
    /// and `each` may use the store (the connection is free between batches). Outside a
    /// transaction of this store's, the cursor gets a read-only one: one snapshot.
    fn cursor(
        &self,
        query: &str,
        params: &[&(dyn postgres::types::ToSql + Sync)],
        each: &mut dyn FnMut(&postgres::Row) -> anyhow::Result<bool>,
    ) -> anyhow::Result<()> {
        const BATCH: usize = 2000;
        let own = !self.in_transaction.get();
        let n = self.cursors.get();
        self.cursors.set(n + 1);
        let name = format!("auditctl_scan_{n}");
        if own {
            self.batch("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")?;
            self.in_transaction.set(true);
        }
        let result = (|| -> anyhow::Result<()> {
            self.execute(
                &format!("DECLARE {name} NO SCROLL CURSOR FOR {query}"),
                params,
            )?;
            let fetch = format!("FETCH {BATCH} FROM {name}");
            loop {
                let rows = self.query(&fetch, &[])?;
                let done = rows.len() < BATCH;
                for row in &rows {
                    if !each(row)? {
                        return Ok(());
                    }
                }
                if done {
                    return Ok(());
                }
            }
        })();
        self.cursors.set(n);
        if own {
            self.in_transaction.set(false);
            // Ending the transaction closes the cursor; an error leaves nothing to keep.
            let end = if result.is_ok() { "COMMIT" } else { "ROLLBACK" };
            let ended = self.batch(end);
            result?;
            ended
        } else {
            let closed = self.batch(&format!("CLOSE {name}"));
            result?;
            closed
        }
    }

    /// Runs `f` in a write transaction holding the append lock: appends, the tree's
    /// extension, checkpoints and schema changes are serialised across every process on the
    /// database. Commits when `f` succeeds, else rolls back.
    fn in_write_transaction<T>(
        &mut self,
        f: impl FnOnce(&mut PgStore) -> anyhow::Result<T>,
    ) -> anyhow::Result<T> {
        anyhow::ensure!(
            !self.in_transaction.get(),
            "a write transaction began inside another"
        );
        self.batch("BEGIN")?;
        self.in_transaction.set(true);
        let result = self
            .execute("SELECT pg_advisory_xact_lock($1)", &[&schema::APPEND_LOCK])
            .and_then(|_| f(self));
        self.in_transaction.set(false);
        let end = if result.is_ok() { "COMMIT" } else { "ROLLBACK" };
        let ended = self.batch(end);
        let value = result?;
        ended?;
        Ok(value)
    }
}

impl Drop for PgStore {
    fn drop(&mut self) {
        // A connection left inside a transaction (a panic mid-way) is not reused.
        if !self.in_transaction.get() {
            self.client.get_mut().release();
        }
    }
}

/// The terms of a search document (`store::search_text`: terms separated by spaces).
fn terms_of(doc: &str) -> Vec<String> {
    doc.split(' ')
        .filter(|t| !t.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The default origin line of a new store: host and database, e.g. `db1/auditctl/audit`.
fn default_origin(shown: &str) -> String {
    let (host, db) = pool::host_and_database(shown);
    format!("{host}/auditctl/{db}")
}

/// A PostgreSQL error with what the server said, naming the store (without its password).
fn pg_error(shown: &str, e: postgres::Error) -> anyhow::Error {
    let said = match e.as_db_error() {
        Some(db) => {
            let mut s = db.message().to_owned();
            if let Some(detail) = db.detail() {
                s.push_str(": ");
                s.push_str(detail);
            }
            s
        }
        None => match std::error::Error::source(&e) {
            Some(source) => format!("{e}: {source}"),
            None => e.to_string(),
        },
    };
    let failure = crate::error::Failure::runtime(format!("store {shown}: {said}"));
    let denied = e.code() == Some(&postgres::error::SqlState::INSUFFICIENT_PRIVILEGE)
        && !said.contains("append-only");
    if denied {
        return failure
            .with_hint(
                "this role may not do that here: appends need the writer role, schema changes \
                 and rebuilding the search terms the owner (README: Deploying on PostgreSQL)",
            )
            .into();
    }
    failure.into()
}

impl super::Backend for PgStore {
    fn append(&mut self) -> anyhow::Result<&mut dyn super::Append> {
        Ok(self)
    }

    fn revert(&mut self) -> anyhow::Result<&mut dyn super::Revert> {
        Ok(self)
    }

    fn integrity(&mut self) -> anyhow::Result<&mut dyn super::Integrity> {
        Ok(self)
    }
}

impl super::LogStore for PgStore {
    fn adopt_origin(&mut self, origin: &str) -> anyhow::Result<()> {
        self.in_write_transaction(|s| {
            anyhow::ensure!(
                s.last_seq()? == 0,
                "the origin of a store that holds events stays"
            );
            s.execute(
                "UPDATE store_info SET value = $1 WHERE key = 'origin'",
                &[&origin],
            )?;
            Ok(())
        })
    }

    fn record_checkpoint(&mut self, c: &super::tree::RecordedCheckpoint) -> anyhow::Result<()> {
        self.in_write_transaction(|s| {
            s.execute(
                "INSERT INTO checkpoints (id, size, root, note, created) \
                 SELECT coalesce(max(id), 0) + 1, $1, $2, $3, $4 FROM checkpoints",
                &[&(c.size as i64), &c.root, &c.note, &c.created],
            )?;
            Ok(())
        })
    }

    fn extend_tree(&mut self) -> anyhow::Result<u64> {
        PgStore::extend_tree(self)
    }
}

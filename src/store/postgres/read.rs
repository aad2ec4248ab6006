//! Reading a PostgreSQL store: the query capability, over the same columns and in the same
//! orders as the SQLite store.

use chrono::{DateTime, Utc};
use postgres::types::ToSql;

use super::PgStore;
use super::sql::{self, PgValue};
use crate::model::Event;
use crate::query::{Expr, Field};
use crate::store::{Lookup, Query, SortField, Store};

/// The ORDER BY of a query: its keys, then seq in the direction of the last key.
fn order_sql(q: &Query) -> String {
    let mut parts: Vec<String> = q
        .order
        .iter()
        .map(|k| {
            let col = crate::store::sort_column(k.field);
            let dir = if k.descending { "DESC" } else { "ASC" };
            // SQLite puts NULL first going up; PostgreSQL last, unless told. Said only for the
            // columns that may be NULL: a NULLS clause that differs from an index's order
            // keeps the index from serving it (the time index for the newest first page).
            let nullable = matches!(
                k.field,
                SortField::Table
                    | SortField::ResourceId
                    | SortField::Service
                    | SortField::Origin
                    | SortField::Ip
            );
            match (nullable, k.descending) {
                (false, _) => format!("{col} {dir}"),
                (true, false) => format!("{col} {dir} NULLS FIRST"),
                (true, true) => format!("{col} {dir} NULLS LAST"),
            }
        })
        .collect();
    let last_desc = q.order.last().is_some_and(|k| k.descending);
    if q.order.last().map(|k| k.field) != Some(SortField::Seq) {
        parts.push(format!("seq {}", if last_desc { "DESC" } else { "ASC" }));
    }
    parts.join(", ")
}

/// Parameters as the postgres client takes them.
fn refs(params: &[PgValue]) -> Vec<&(dyn ToSql + Sync)> {
    params.iter().map(|p| p as &(dyn ToSql + Sync)).collect()
}

/// A grouped value back as JSON: the JSON text of a path's value, or a column's plain value.
fn group_value(row: &postgres::Row, i: usize, is_json: bool) -> anyhow::Result<serde_json::Value> {
    Ok(match row.try_get::<_, Option<String>>(i) {
        Ok(None) => serde_json::Value::Null,
        Ok(Some(text)) if is_json => serde_json::from_str(&text)?,
        Ok(Some(text)) => text.into(),
        // The columns that are not text: seq and time.
        Err(_) => match row.try_get::<_, Option<i64>>(i)? {
            Some(n) => n.into(),
            None => serde_json::Value::Null,
        },
    })
}

/// The WHERE clause of `filter`, refused when PostgreSQL cannot run it exactly as the other
/// back ends do (a regular expression whose syntax has no exact translation).
fn where_sql(filter: &Expr, params: &mut Vec<PgValue>) -> anyhow::Result<String> {
    if let Some(why) = sql::unsupported(filter) {
        return Err(crate::error::Failure::usage(why).into());
    }
    Ok(sql::to_sql(filter, params))
}

impl PgStore {
    /// Up to six events where `clause` holds for `value`, in seq order.
    fn events_where(&self, clause: &str, value: &(dyn ToSql + Sync)) -> anyhow::Result<Vec<Event>> {
        self.query(
            &format!("SELECT seq, entry FROM entries WHERE {clause} ORDER BY seq LIMIT 6"),
            &[value],
        )?
        .iter()
        .map(|r| crate::store::decode_entry(r.get(0), r.get(1)))
        .collect()
    }
}

impl Store for PgStore {
    fn scan(
        &self,
        q: &Query,
        each: &mut dyn FnMut(Event) -> anyhow::Result<bool>,
    ) -> anyhow::Result<()> {
        self.scan_entries(q, &mut |seq, entry| {
            each(crate::store::decode_entry(seq as i64, entry)?)
        })
    }

    fn scan_entries(
        &self,
        q: &Query,
        each: &mut dyn FnMut(u64, &str) -> anyhow::Result<bool>,
    ) -> anyhow::Result<()> {
        let mut params = Vec::new();
        let filter = where_sql(&q.filter, &mut params)?;
        let mut text = format!(
            "SELECT seq, entry FROM entries WHERE {filter} ORDER BY {}",
            order_sql(q)
        );
        if let Some(limit) = q.limit {
            params.push(PgValue::Int(limit.min(i64::MAX as usize) as i64));
            text.push_str(&format!(" LIMIT ${}::bigint", params.len()));
        }
        if q.offset > 0 {
            params.push(PgValue::Int(q.offset.min(i64::MAX as usize) as i64));
            text.push_str(&format!(" OFFSET ${}::bigint", params.len()));
        }
        self.cursor(&text, &refs(&params), &mut |row| {
            let seq: i64 = row.get(0);
            each(seq as u64, row.get(1))
        })
    }

    fn count(&self, filter: &Expr) -> anyhow::Result<u64> {
        // Seqs run 1..=n without gaps (appends are serialised, `verify` checks it).
        if *filter == Expr::All {
            return self.last_seq();
        }
        let mut params = Vec::new();
        let w = where_sql(filter, &mut params)?;
        let n: i64 = self
            .query_one(
                &format!("SELECT count(*) FROM entries WHERE {w}"),
                &refs(&params),
            )?
            .get(0);
        Ok(n as u64)
    }

    fn last_seq(&self) -> anyhow::Result<u64> {
        let n: i64 = self
            .query_one("SELECT coalesce(max(seq), 0) FROM entries", &[])?
            .get(0);
        Ok(n as u64)
    }

    fn group_counts(
        &self,
        filter: &Expr,
        fields: &[Field],
    ) -> anyhow::Result<Vec<(Vec<serde_json::Value>, u64)>> {
        let mut params = Vec::new();
        let (exprs, json): (Vec<String>, Vec<bool>) = fields
            .iter()
            .map(|f| sql::value_sql(f, &mut params))
            .unzip();
        let w = where_sql(filter, &mut params)?;
        let groups: Vec<String> = (1..=fields.len()).map(|i| i.to_string()).collect();
        let text = format!(
            "SELECT {}, count(*) FROM entries WHERE {w} GROUP BY {}",
            exprs.join(", "),
            groups.join(", ")
        );
        let mut out = Vec::new();
        for row in self.query(&text, &refs(&params))? {
            let mut key = Vec::with_capacity(fields.len());
            for (i, is_json) in json.iter().enumerate() {
                key.push(group_value(&row, i, *is_json)?);
            }
            let n: i64 = row.get(fields.len());
            out.push((key, n as u64));
        }
        Ok(out)
    }

    fn times(
        &self,
        filter: &Expr,
        each: &mut dyn FnMut(DateTime<Utc>) -> anyhow::Result<()>,
    ) -> anyhow::Result<()> {
        let mut params = Vec::new();
        let w = where_sql(filter, &mut params)?;
        self.cursor(
            &format!("SELECT time_us FROM entries WHERE {w}"),
            &refs(&params),
            &mut |row| {
                let us: i64 = row.get(0);
                let t = DateTime::from_timestamp_micros(us)
                    .ok_or_else(|| anyhow::anyhow!("stored time {us} is out of range"))?;
                each(t)?;
                Ok(true)
            },
        )
    }

    fn get(&self, id: &str) -> anyhow::Result<Event> {
        // `starts_with` would not use the index; the range does (ids compare as bytes).
        const PREFIXED: &str = "id >= $1 AND id < $1 || chr(1114111)";
        crate::store::get_by_lookups(
            id,
            &mut |lookup| match lookup {
                Lookup::Seq(seq) => match seq.parse::<i64>() {
                    Ok(seq) => self.events_where("seq = $1", &seq),
                    Err(_) => Ok(Vec::new()),
                },
                Lookup::Id(id) => self.events_where("id = $1", &sql::pg_text(id)),
                Lookup::Prefix(prefix) => self.events_where(PREFIXED, &sql::pg_text(prefix)),
            },
            &mut |prefix| {
                let n: i64 = self
                    .query_one(
                        &format!("SELECT count(*) FROM entries WHERE {PREFIXED}"),
                        &[&sql::pg_text(prefix)],
                    )?
                    .get(0);
                Ok(n as u64)
            },
        )
    }
}

//! The SQL back end: an expression as a WHERE clause over the store's `entries` table, with
//! every value bound as a parameter. It reproduces the rules documented in `eval.rs`, and uses
//! the indexed columns (user_name, action, tbl, resource_id, service, origin, outcome, time_us,
//! ip_key, id, reverts) wherever the expression names them.

use rusqlite::types::Value as SqlValue;

use super::ast::{CmpOp, Expr, Field, Literal, Path, Segment};
use super::eval::{effective_pattern, ip_range, literal_text};
use super::search;
use crate::model;

/// A WHERE clause and its parameters, in order.
#[derive(Debug, Default, Clone)]
pub struct SqlWhere {
    pub sql: String,
    pub params: Vec<SqlValue>,
}

/// Translates an expression into a WHERE clause over `entries`.
pub fn to_sql(expr: &Expr) -> SqlWhere {
    let mut w = SqlWhere::default();
    w.sql = emit(expr, &mut w.params);
    w
}

/// Where a field lives: an indexed column, or a path into the entry's JSON.
enum Source {
    Column(&'static str),
    Json(String),
}

fn source(field: &Field) -> Source {
    match field {
        Field::Seq => Source::Column("seq"),
        Field::Id => Source::Column("id"),
        Field::User => Source::Column("user_name"),
        Field::Action => Source::Column("action"),
        Field::Service => Source::Column("service"),
        Field::Origin => Source::Column("origin"),
        Field::Table => Source::Column("tbl"),
        Field::ResourceId => Source::Column("resource_id"),
        Field::Outcome => Source::Column("outcome"),
        Field::Reverts => Source::Column("reverts"),
        Field::Time => Source::Json("$.time".into()),
        Field::Ip => Source::Json("$.ip".into()),
        Field::UserType => Source::Json("$.user_type".into()),
        Field::Operation => Source::Json("$.operation".into()),
        Field::Message => Source::Json("$.message".into()),
        Field::Before(p) => Source::Json(json_path("$.before", p)),
        Field::After(p) => Source::Json(json_path("$.after", p)),
        Field::Meta(p) => Source::Json(json_path("$.meta", p)),
    }
}

/// The SQL expression of a field's value for `SELECT` and `GROUP BY`: the indexed column, or
/// `entry -> PATH`, the JSON text of the value (so that `true` stays distinct from `1`).
/// Returns whether it is JSON text.
pub fn value_sql(field: &Field, params: &mut Vec<SqlValue>) -> (String, bool) {
    match source(field) {
        Source::Column(col) => (col.to_owned(), false),
        Source::Json(path) => {
            params.push(SqlValue::Text(path));
            ("(entry -> ?)".to_owned(), true)
        }
    }
}

/// An SQLite JSON path; keys are quoted so that dots, spaces and quotes in them stay keys.
pub fn json_path(root: &str, path: &Path) -> String {
    let mut out = root.to_owned();
    for seg in &path.0 {
        match seg {
            Segment::Key(k) => {
                // Quoted as JSON writes it: SQLite compares a quoted label with the key as the
                // entry's text spells it (`a\\b`, `\u0000`), which is JSON's escaping too.
                out.push('.');
                out.push_str(&serde_json::to_string(k).expect("a string serialises"));
            }
            Segment::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

fn bind(params: &mut Vec<SqlValue>, v: SqlValue) -> &'static str {
    params.push(v);
    "?"
}

fn emit(expr: &Expr, p: &mut Vec<SqlValue>) -> String {
    match expr {
        Expr::All => "1".into(),
        Expr::And(parts) => join(parts, " AND ", p),
        Expr::Or(parts) => join(parts, " OR ", p),
        Expr::Not(inner) => format!("NOT ({})", emit(inner, p)),
        Expr::Compare { field, op, value } => compare(field, *op, value, p),
        Expr::In { field, values } => {
            // A plain column IN (…) lets SQLite use the column's index.
            let texts: Option<Vec<String>> = values.iter().map(literal_text).collect();
            match (source(field), texts) {
                (Source::Column(col), Some(texts)) if !matches!(field, Field::Seq) => {
                    let marks: Vec<&str> = texts
                        .into_iter()
                        .map(|t| {
                            let t = if *field == Field::Action {
                                t.to_ascii_uppercase()
                            } else {
                                t
                            };
                            bind(p, SqlValue::Text(t))
                        })
                        .collect();
                    // `AND col IS NOT NULL` keeps the result 0 or 1 (so `NOT` is exact) while leaving
                    // `col IN (…)` bare for the index, which `coalesce(…)` would hide.
                    format!("({col} IN ({}) AND {col} IS NOT NULL)", marks.join(", "))
                }
                _ => {
                    let parts: Vec<Expr> = values
                        .iter()
                        .map(|v| Expr::Compare {
                            field: field.clone(),
                            op: CmpOp::Eq,
                            value: v.clone(),
                        })
                        .collect();
                    if parts.is_empty() {
                        "0".into()
                    } else {
                        join(&parts, " OR ", p)
                    }
                }
            }
        }
        Expr::Regex {
            field,
            pattern,
            negated,
        } => {
            let pat = bind(p, SqlValue::Text(effective_pattern(field, pattern)));
            let text = text_sql(field, p);
            let hit = format!("coalesce(regexp({pat}, {text}), 0)");
            if *negated { format!("NOT {hit}") } else { hit }
        }
        Expr::Contains { field, text } => {
            // Parameters bind in the order their `?` appear in the SQL text.
            let hay = text_sql(field, p);
            let needle = bind(p, SqlValue::Text(text.clone()));
            format!("coalesce(instr({hay}, {needle}) > 0, 0)")
        }
        Expr::IpIn(net) => {
            let (lo, hi) = ip_range(net);
            let lo = bind(p, SqlValue::Blob(lo.to_vec()));
            let hi = bind(p, SqlValue::Blob(hi.to_vec()));
            format!("(ip_key BETWEEN {lo} AND {hi} AND ip_key IS NOT NULL)")
        }
        Expr::Changed(path) => {
            let b = json_path("$.before", path);
            let a = json_path("$.after", path);
            let (b1, a1) = (
                bind(p, SqlValue::Text(b.clone())),
                bind(p, SqlValue::Text(a.clone())),
            );
            let (b2, a2) = (bind(p, SqlValue::Text(b)), bind(p, SqlValue::Text(a)));
            format!(
                "(json_type(entry, {b1}) IS NOT json_type(entry, {a1}) OR json_extract(entry, {b2}) IS NOT json_extract(entry, {a2}))"
            )
        }
        // `meta` is always an object.
        Expr::Has(Field::Meta(m)) if m.0.is_empty() => "1".into(),
        Expr::Has(field) => match source(field) {
            Source::Column(col) => format!("{col} IS NOT NULL"),
            Source::Json(path) => {
                let path = bind(p, SqlValue::Text(path));
                format!("json_extract(entry, {path}) IS NOT NULL")
            }
        },
        Expr::Search(q) => match search::fts_query(q) {
            Some(m) => {
                let m = bind(p, SqlValue::Text(m));
                format!("seq IN (SELECT rowid FROM entries_fts WHERE entries_fts MATCH {m})")
            }
            None => "1".into(),
        },
    }
}

fn join(parts: &[Expr], sep: &str, p: &mut Vec<SqlValue>) -> String {
    let inner: Vec<String> = parts.iter().map(|e| format!("({})", emit(e, p))).collect();
    if inner.is_empty() {
        return if sep.contains("AND") { "1" } else { "0" }.into();
    }
    inner.join(sep)
}

/// SQL for the text a regex or `contains` looks at (NULL where there is none).
fn text_sql(field: &Field, p: &mut Vec<SqlValue>) -> String {
    match source(field) {
        Source::Column("seq") => "CAST(seq AS TEXT)".into(),
        Source::Column(col) => col.into(),
        Source::Json(path) => {
            let (a, b) = (
                bind(p, SqlValue::Text(path.clone())),
                bind(p, SqlValue::Text(path)),
            );
            format!("CASE json_type(entry, {a}) WHEN 'text' THEN json_extract(entry, {b}) END")
        }
    }
}

fn compare(field: &Field, op: CmpOp, lit: &Literal, p: &mut Vec<SqlValue>) -> String {
    if op == CmpOp::Ne {
        return format!("NOT ({})", compare(field, CmpOp::Eq, lit, p));
    }
    let o = op.symbol();
    match field {
        Field::Time => match lit {
            Literal::Time(t) => {
                let v = bind(p, SqlValue::Integer(model::time_key(t)));
                format!("time_us {o} {v}")
            }
            _ => "0".into(),
        },
        Field::Seq => match lit {
            Literal::Number(n) => {
                let v = bind(p, SqlValue::Real(*n));
                format!("seq {o} {v}")
            }
            _ => "0".into(),
        },
        Field::Ip => match lit {
            Literal::Null if op == CmpOp::Eq => "ip_key IS NULL".into(),
            Literal::String(s) => match s.parse::<std::net::IpAddr>() {
                Ok(ip) => {
                    let v = bind(p, SqlValue::Blob(model::ip_key(&ip).to_vec()));
                    format!("(ip_key {o} {v} AND ip_key IS NOT NULL)")
                }
                Err(_) => "0".into(),
            },
            _ => "0".into(),
        },
        Field::Before(_) | Field::After(_) | Field::Meta(_) => {
            let Source::Json(path) = source(field) else {
                unreachable!("path fields live in the JSON entry")
            };
            compare_json(&path, op, lit, p)
        }
        _ => {
            // Bound only where the SQL uses it: every parameter must have its `?`.
            let col = |p: &mut Vec<SqlValue>| match source(field) {
                Source::Column(c) => c.to_owned(),
                Source::Json(path) => {
                    let path = bind(p, SqlValue::Text(path));
                    format!("json_extract(entry, {path})")
                }
            };
            match literal_text(lit) {
                None if op == CmpOp::Eq => format!("{} IS NULL", col(p)),
                None => "0".into(),
                Some(t) => {
                    let col = col(p);
                    let t = if *field == Field::Action {
                        t.to_ascii_uppercase()
                    } else {
                        t
                    };
                    let v = bind(p, SqlValue::Text(t));
                    if matches!(source(field), Source::Column(_)) {
                        // Keeps `col OP ?` bare for the index, and the result 0 or 1.
                        format!("({col} {o} {v} AND {col} IS NOT NULL)")
                    } else {
                        format!("coalesce({col} {o} {v}, 0)")
                    }
                }
            }
        }
    }
}

fn compare_json(path: &str, op: CmpOp, lit: &Literal, p: &mut Vec<SqlValue>) -> String {
    let o = op.symbol();
    let path_param = |p: &mut Vec<SqlValue>| bind(p, SqlValue::Text(path.to_owned()));
    match lit {
        Literal::Null if op == CmpOp::Eq => {
            format!("json_extract(entry, {}) IS NULL", path_param(p))
        }
        Literal::Bool(b) if op == CmpOp::Eq => format!(
            "json_type(entry, {}) IS {}",
            path_param(p),
            if *b { "'true'" } else { "'false'" }
        ),
        Literal::Number(n) => {
            let (t1, x1) = (path_param(p), path_param(p));
            let num = bind(p, SqlValue::Real(*n));
            let (t2, x2) = (path_param(p), path_param(p));
            let text = bind(p, SqlValue::Text(n.to_string()));
            // coalesce: a missing path makes the first branch NULL, and `NOT NULL` is no match.
            format!(
                "coalesce((json_type(entry, {t1}) IN ('integer', 'real') AND json_extract(entry, {x1}) {o} {num}) OR (json_type(entry, {t2}) IS 'text' AND json_extract(entry, {x2}) {o} {text}), 0)"
            )
        }
        Literal::String(_) | Literal::Time(_) => {
            let (t1, x1) = (path_param(p), path_param(p));
            let text = bind(p, SqlValue::Text(literal_text(lit).unwrap_or_default()));
            format!("(json_type(entry, {t1}) IS 'text' AND json_extract(entry, {x1}) {o} {text})")
        }
        _ => "0".into(),
    }
}

//! The filter language as PostgreSQL SQL: an expression as a WHERE clause over the store's
//! `entries` table, every value bound as a typed parameter. It reproduces the rules of
//! `query::eval` (a property test holds the three back ends together), using the indexed
//! columns wherever the expression names them, like `query::sql` does for SQLite.
//!
//! PostgreSQL text cannot hold NUL: the store keeps U+FFFD in its place (the `doc` column does
//! so for the entry's JSON), and a NUL in a literal, a path key, a needle or a pattern is sent
//! as U+FFFD too. So a filter here answers as the in-memory matcher would on the event and the
//! filter with every NUL replaced by U+FFFD. Regexes are rewritten into PostgreSQL's syntax
//! (`regex_pattern`) with the same matches; what cannot be, `unsupported` names, and a pattern
//! too big for PostgreSQL's engine (it stops sooner than Rust's) is an error of the query.

use std::borrow::Cow;
use std::error::Error;

use postgres::types::private::BytesMut;
use postgres::types::{IsNull, ToSql, Type, to_sql_checked};

use crate::model;
use crate::query::ast::{CmpOp, Expr, Field, Literal, Path, Segment};
use crate::query::eval::{effective_pattern, ip_range, literal_text};
use crate::query::search;

pub use super::regex::{UnsupportedRegex, regex_pattern};

/// A parameter of the emitted SQL. Every placeholder carries its type as a cast, so the server
/// never has to guess one.
#[derive(Debug, Clone, PartialEq)]
pub enum PgValue {
    Text(String),
    Int(i64),
    Float(f64),
    Bytes(Vec<u8>),
    TextArray(Vec<String>),
}

impl PgValue {
    /// Text as PostgreSQL can hold it (see [`pg_text`]).
    pub fn text(s: &str) -> PgValue {
        PgValue::Text(pg_text(s).into_owned())
    }

    /// The SQL type the placeholder is cast to.
    fn sql_type(&self) -> &'static str {
        match self {
            PgValue::Text(_) => "text",
            PgValue::Int(_) => "int8",
            PgValue::Float(_) => "float8",
            PgValue::Bytes(_) => "bytea",
            PgValue::TextArray(_) => "text[]",
        }
    }
}

impl ToSql for PgValue {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut BytesMut,
    ) -> Result<IsNull, Box<dyn Error + Sync + Send>> {
        // The inner value checks the type itself: a placeholder cast to another type is an
        // error here, not bytes the server misreads.
        match self {
            PgValue::Text(v) => v.to_sql_checked(ty, out),
            PgValue::Int(v) => v.to_sql_checked(ty, out),
            PgValue::Float(v) => v.to_sql_checked(ty, out),
            PgValue::Bytes(v) => v.to_sql_checked(ty, out),
            PgValue::TextArray(v) => v.to_sql_checked(ty, out),
        }
    }

    fn accepts(ty: &Type) -> bool {
        <String as ToSql>::accepts(ty)
            || <i64 as ToSql>::accepts(ty)
            || <f64 as ToSql>::accepts(ty)
            || <Vec<u8> as ToSql>::accepts(ty)
            || <Vec<String> as ToSql>::accepts(ty)
    }

    to_sql_checked!();
}

/// Text as PostgreSQL can hold it: NUL, which no `text` value may contain, as U+FFFD (as
/// `auditctl_doc` stores the entry's JSON). Column values and parameters go through it.
pub fn pg_text(s: &str) -> Cow<'_, str> {
    if s.contains('\0') {
        Cow::Owned(s.replace('\0', "\u{FFFD}"))
    } else {
        Cow::Borrowed(s)
    }
}

/// Translates an expression into a WHERE clause over `entries`. Placeholders are numbered on
/// from the parameters `params` already holds, so a caller may bind its own before and after.
/// A regex that [`unsupported`] names matches nothing here: callers check that first.
pub fn to_sql(expr: &Expr, params: &mut Vec<PgValue>) -> String {
    emit(expr, params)
}

/// The first regex of `expr` that PostgreSQL cannot run exactly as the in-memory matcher does,
/// with why; `None` when the whole expression translates exactly.
pub fn unsupported(expr: &Expr) -> Option<String> {
    match expr {
        Expr::And(parts) | Expr::Or(parts) => parts.iter().find_map(unsupported),
        Expr::Not(inner) => unsupported(inner),
        Expr::Regex { field, pattern, .. } => {
            let pattern = pg_text(&effective_pattern(field, pattern)).into_owned();
            match regex_pattern(&pattern) {
                Err(UnsupportedRegex::Unsupported(why)) => Some(format!(
                    "the regular expression {pattern:?} cannot run on PostgreSQL: {why}"
                )),
                Ok(_) | Err(UnsupportedRegex::Invalid) => None,
            }
        }
        _ => None,
    }
}

/// The SQL expression of a field's value for `SELECT` and `GROUP BY`: the indexed column, or
/// the jsonb value as text (so that `true` stays distinct from `1` and strings stay quoted).
/// Returns whether it is JSON text.
pub fn value_sql(field: &Field, params: &mut Vec<PgValue>) -> (String, bool) {
    match source(field) {
        Source::Column(col) => (col.to_owned(), false),
        Source::Scalar(key) => (format!("(doc -> '{key}')::text"), true),
        Source::Path(root, path) => (format!("({})::text", json_value(root, path, params)), true),
    }
}

/// Where a field lives: an indexed column, a text member of the entry's JSON (its key a
/// constant of this file, never user text), or a path under `before`, `after` or `meta`.
enum Source<'f> {
    Column(&'static str),
    Scalar(&'static str),
    Path(&'static str, &'f Path),
}

fn source(field: &Field) -> Source<'_> {
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
        Field::Time => Source::Scalar("time"),
        Field::Ip => Source::Scalar("ip"),
        Field::UserType => Source::Scalar("user_type"),
        Field::Operation => Source::Scalar("operation"),
        Field::Message => Source::Scalar("message"),
        Field::Before(p) => Source::Path("before", p),
        Field::After(p) => Source::Path("after", p),
        Field::Meta(p) => Source::Path("meta", p),
    }
}

/// The jsonb value at a path (SQL NULL where there is none). One `->` per segment, each typed:
/// `-> text` finds only an object's member and `-> int` only an array's element, as
/// `Path::lookup` does, where `#> text[]` would index an array by a key that looks like a
/// number (`"0"`, `" 1"`, `"-1"`) and an object by an index. Parameters are bound once and
/// used wherever the SQL repeats them.
fn json_value(root: &str, path: &Path, p: &mut Vec<PgValue>) -> String {
    // No array is that long; checked first, as every parameter bound must be used.
    if path
        .0
        .iter()
        .any(|s| matches!(s, Segment::Index(i) if i32::try_from(*i).is_err()))
    {
        return "NULL::jsonb".into();
    }
    let mut out = format!("(doc -> '{root}')");
    for seg in &path.0 {
        out = match seg {
            Segment::Key(k) => format!("({out} -> {})", bind(p, PgValue::text(k))),
            // `-> 0` on a scalar is the scalar itself: only an array has elements.
            Segment::Index(i) => {
                let i = bind(p, PgValue::Int(*i as i64));
                format!("(CASE jsonb_typeof({out}) WHEN 'array' THEN {out} -> {i}::int4 END)")
            }
        };
    }
    out
}

/// Pushes a parameter and returns its placeholder, cast to its type.
fn bind(params: &mut Vec<PgValue>, v: PgValue) -> String {
    let ty = v.sql_type();
    params.push(v);
    format!("${}::{ty}", params.len())
}

fn emit(expr: &Expr, p: &mut Vec<PgValue>) -> String {
    match expr {
        Expr::All => "true".into(),
        Expr::And(parts) => join(parts, " AND ", "true", p),
        Expr::Or(parts) => join(parts, " OR ", "false", p),
        Expr::Not(inner) => format!("NOT ({})", emit(inner, p)),
        Expr::Compare { field, op, value } => compare(field, *op, value, p),
        Expr::In { field, values } => in_list(field, values, p),
        Expr::Regex {
            field,
            pattern,
            negated,
        } => {
            let hit = regex(field, pattern, p);
            if *negated { format!("NOT {hit}") } else { hit }
        }
        Expr::Contains { field, text } => {
            let hay = text_sql(field, p);
            let needle = bind(p, PgValue::text(text));
            format!("coalesce(strpos({hay}, {needle}) > 0, false)")
        }
        Expr::IpIn(net) => {
            let (lo, hi) = ip_range(net);
            let lo = bind(p, PgValue::Bytes(lo.to_vec()));
            let hi = bind(p, PgValue::Bytes(hi.to_vec()));
            // bytea compares byte by byte, as the 16-byte keys are ordered.
            format!("(ip_key BETWEEN {lo} AND {hi} AND ip_key IS NOT NULL)")
        }
        Expr::Changed(path) => {
            let b = json_value("before", path, p);
            let a = json_value("after", path, p);
            format!("({b} IS DISTINCT FROM {a})")
        }
        Expr::Has(field) => has(field, p),
        Expr::Search(q) => search_sql(q, p),
    }
}

fn join(parts: &[Expr], sep: &str, empty: &str, p: &mut Vec<PgValue>) -> String {
    if parts.is_empty() {
        return empty.into();
    }
    let inner: Vec<String> = parts.iter().map(|e| format!("({})", emit(e, p))).collect();
    inner.join(sep)
}

fn has(field: &Field, p: &mut Vec<PgValue>) -> String {
    match source(field) {
        // `meta` is always an object.
        Source::Path("meta", path) if path.0.is_empty() => "true".into(),
        Source::Path(root, path) => {
            let v = json_value(root, path, p);
            format!("coalesce(jsonb_typeof({v}) <> 'null', false)")
        }
        Source::Column(col) => format!("{col} IS NOT NULL"),
        Source::Scalar(key) => format!("(doc ->> '{key}') IS NOT NULL"),
    }
}

/// `search(...)`: every wanted term among the event's terms, whole or as a prefix. The exact
/// terms go to the GIN index in one `@>`.
fn search_sql(q: &str, p: &mut Vec<PgValue>) -> String {
    let wanted = search::wanted(q);
    if wanted.is_empty() {
        return "true".into();
    }
    let (prefixes, exact): (Vec<_>, Vec<_>) = wanted.into_iter().partition(|w| w.prefix);
    let mut conds = Vec::new();
    if !exact.is_empty() {
        let terms = exact.into_iter().map(|w| pg_text(&w.term).into_owned());
        let terms = bind(p, PgValue::TextArray(terms.collect()));
        conds.push(format!("terms @> {terms}"));
    }
    for w in prefixes {
        let start = bind(p, PgValue::text(&w.term));
        conds.push(format!(
            "EXISTS (SELECT FROM unnest(terms) AS t(term) WHERE starts_with(t.term, {start}))"
        ));
    }
    // Uncorrelated, so that it holds whatever name the caller gives `entries`.
    format!(
        "seq IN (SELECT seq FROM search_terms WHERE {})",
        conds.join(" AND ")
    )
}

/// SQL for the text a regex or `contains` looks at (NULL where there is none), in byte order.
fn text_sql(field: &Field, p: &mut Vec<PgValue>) -> String {
    match source(field) {
        Source::Column("seq") => "(seq::text)".into(),
        Source::Column(col) => col.into(),
        Source::Scalar(key) => format!("((doc ->> '{key}') COLLATE \"C\")"),
        Source::Path(root, path) => {
            let v = json_value(root, path, p);
            format!(
                "((CASE jsonb_typeof({v}) WHEN 'string' THEN {v} #>> '{{}}' END) COLLATE \"C\")"
            )
        }
    }
}

fn regex(field: &Field, pattern: &str, p: &mut Vec<PgValue>) -> String {
    // NUL as U+FFFD in the pattern too; a pattern that then does not compile matches nothing,
    // as in memory.
    let pattern = pg_text(&effective_pattern(field, pattern)).into_owned();
    match regex_pattern(&pattern) {
        Ok(pg) => {
            let text = text_sql(field, p);
            let pat = bind(p, PgValue::Text(pg));
            format!("coalesce({text} ~ {pat}, false)")
        }
        Err(_) => "false".into(),
    }
}

fn in_list(field: &Field, values: &[Literal], p: &mut Vec<PgValue>) -> String {
    let texts: Option<Vec<String>> = values.iter().map(literal_text).collect();
    match (source(field), texts) {
        (Source::Column(col), Some(texts)) if *field != Field::Seq => {
            let texts = texts
                .into_iter()
                .map(|t| pg_text(&action_case(field, t)).into_owned())
                .collect();
            let list = bind(p, PgValue::TextArray(texts));
            // `= ANY` stays bare for the index; `IS NOT NULL` keeps the result TRUE or FALSE.
            format!("({col} = ANY({list}) AND {col} IS NOT NULL)")
        }
        _ => {
            let parts: Vec<String> = values
                .iter()
                .map(|v| format!("({})", compare(field, CmpOp::Eq, v, p)))
                .collect();
            if parts.is_empty() {
                "false".into()
            } else {
                parts.join(" OR ")
            }
        }
    }
}

/// `action` values compare upper-cased, as the store keeps them.
fn action_case(field: &Field, text: String) -> String {
    if *field == Field::Action {
        text.to_ascii_uppercase()
    } else {
        text
    }
}

fn compare(field: &Field, op: CmpOp, lit: &Literal, p: &mut Vec<PgValue>) -> String {
    if op == CmpOp::Ne {
        return format!("NOT ({})", compare(field, CmpOp::Eq, lit, p));
    }
    let o = op.symbol();
    match (source(field), field) {
        (_, Field::Time) => match lit {
            Literal::Time(t) => {
                let v = bind(p, PgValue::Int(model::time_key(t)));
                format!("time_us {o} {v}")
            }
            _ => "false".into(),
        },
        (_, Field::Seq) => match lit {
            // NaN is unordered in memory, and equal to itself in PostgreSQL.
            // A whole number binds as bigint, so that the primary key's index serves it (seq
            // compared with a float8 is a cast of every row); a fraction as a float.
            Literal::Number(n) if n.fract() == 0.0 && n.abs() < 9.0e15 => {
                let v = bind(p, PgValue::Int(*n as i64));
                format!("seq {o} {v}")
            }
            Literal::Number(n) if !n.is_nan() => {
                let v = bind(p, PgValue::Float(*n));
                format!("seq {o} {v}")
            }
            _ => "false".into(),
        },
        (_, Field::Ip) => compare_ip(op, lit, p),
        (Source::Path(root, path), _) => compare_json(root, path, op, lit, p),
        (Source::Column(col), _) => match literal_text(lit) {
            None if op == CmpOp::Eq => format!("{col} IS NULL"),
            None => "false".into(),
            Some(t) => {
                let v = bind(p, PgValue::text(&action_case(field, t)));
                // Keeps `col OP $n` bare for the index, and the result TRUE or FALSE.
                format!("({col} {o} {v} AND {col} IS NOT NULL)")
            }
        },
        (Source::Scalar(key), _) => {
            let text = format!("((doc ->> '{key}') COLLATE \"C\")");
            match literal_text(lit) {
                None if op == CmpOp::Eq => format!("{text} IS NULL"),
                None => "false".into(),
                Some(t) => {
                    let v = bind(p, PgValue::text(&t));
                    format!("coalesce({text} {o} {v}, false)")
                }
            }
        }
    }
}

fn compare_ip(op: CmpOp, lit: &Literal, p: &mut Vec<PgValue>) -> String {
    match lit {
        Literal::Null if op == CmpOp::Eq => "ip_key IS NULL".into(),
        Literal::String(s) => match s.parse::<std::net::IpAddr>() {
            Ok(ip) => {
                let v = bind(p, PgValue::Bytes(model::ip_key(&ip).to_vec()));
                format!("(ip_key {} {v} AND ip_key IS NOT NULL)", op.symbol())
            }
            Err(_) => "false".into(),
        },
        _ => "false".into(),
    }
}

/// A comparison with the jsonb value at a path (SQL NULL when it is missing), by the types of
/// `eval::compare_json`: every branch TRUE or FALSE, never NULL. The path is bound only where
/// the SQL uses it, since PostgreSQL refuses a parameter that is not.
fn compare_json(root: &str, path: &Path, op: CmpOp, lit: &Literal, p: &mut Vec<PgValue>) -> String {
    let o = op.symbol();
    let string_cmp = |v: &str, text: String, p: &mut Vec<PgValue>| {
        let t = bind(p, PgValue::text(&text));
        format!("({v} #>> '{{}}') COLLATE \"C\" {o} {t}")
    };
    match lit {
        Literal::Null if op == CmpOp::Eq => {
            let v = json_value(root, path, p);
            format!("coalesce(jsonb_typeof({v}), 'null') = 'null'")
        }
        Literal::Bool(b) if op == CmpOp::Eq => {
            let v = json_value(root, path, p);
            format!("coalesce({v} = '{b}'::jsonb, false)")
        }
        Literal::Number(n) => {
            let v = json_value(root, path, p);
            // The matcher compares JSON numbers as f64: float8, to which jsonb's numeric
            // converts correctly rounded, as serde_json (float_roundtrip) parses them. NaN is
            // unordered there, and equal to itself in PostgreSQL.
            let number = if n.is_nan() {
                "false".to_owned()
            } else {
                let num = bind(p, PgValue::Float(*n));
                format!("{v}::float8 {o} {num}")
            };
            let text = string_cmp(&v, n.to_string(), p);
            format!(
                "CASE jsonb_typeof({v}) WHEN 'number' THEN {number} WHEN 'string' THEN {text} ELSE false END"
            )
        }
        Literal::String(_) | Literal::Time(_) => {
            let v = json_value(root, path, p);
            let text = string_cmp(&v, literal_text(lit).unwrap_or_default(), p);
            format!("CASE jsonb_typeof({v}) WHEN 'string' THEN {text} ELSE false END")
        }
        _ => "false".into(),
    }
}

//! The query parameters of the events endpoints, the filter they stand for, and the opaque
//! cursors that page through them.

use axum::http::StatusCode;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64URL;
use sha2::{Digest, Sha256};

use super::problem::Problem;
use crate::query::quick::QuickFilters;
use crate::query::{CmpOp, Expr};
use crate::store::seq_compare;

/// Query parameters in order, repeated ones kept.
pub fn parse(raw: &Option<String>) -> Vec<(String, String)> {
    raw.as_deref()
        .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
        .unwrap_or_default()
}

/// Every value of `key`, comma lists split.
pub fn all(params: &[(String, String)], key: &str) -> Vec<String> {
    params
        .iter()
        .filter(|(k, _)| k == key)
        .flat_map(|(_, v)| v.split(',').map(str::to_owned).collect::<Vec<_>>())
        .filter(|v| !v.is_empty())
        .collect()
}

/// The first value of `key`.
pub fn one(params: &[(String, String)], key: &str) -> Option<String> {
    params
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.clone())
}

/// A number parameter that must be there.
pub fn number(params: &[(String, String)], key: &str) -> Result<u64, Problem> {
    one(params, key)
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| bad(format!("{key} must be a number")))
}

pub fn bad(detail: impl Into<String>) -> Problem {
    Problem::new(StatusCode::BAD_REQUEST, "invalid-request", detail)
}

/// The filter the event query parameters stand for.
pub fn filter_of(params: &[(String, String)]) -> anyhow::Result<Expr> {
    let now = crate::timespec::now();
    let quick = QuickFilters {
        user: all(params, "user"),
        action: all(params, "action"),
        table: all(params, "table"),
        resource_id: all(params, "resource_id"),
        service: all(params, "service"),
        origin: all(params, "origin"),
        outcome: all(params, "outcome"),
        ip: all(params, "ip"),
        since: one(params, "since"),
        until: one(params, "until"),
        search: one(params, "q"),
        wheres: Vec::new(),
    };
    let mut parts = vec![quick.to_expr(now)?];
    if let Some(text) = one(params, "filter") {
        parts.push(crate::query::parse(&text, now)?);
    }
    Ok(Expr::and(parts))
}

/// The filter the parameters stand for, refused (403, naming the scope) when it looks at
/// values the caller may not see: a yes-or-no answer would give them away a guess at a time.
pub fn filter_for(
    params: &[(String, String)],
    caller: &super::Caller,
    redactor: &crate::redact::Redactor,
) -> Result<Expr, Problem> {
    let expr = filter_of(params).map_err(Problem::from)?;
    if caller.0.has(crate::api::Scope::ViewSensitive) {
        return Ok(expr);
    }
    let paths = crate::query::sensitive::sensitive_paths(&expr, redactor);
    if paths.is_empty() {
        return Ok(expr);
    }
    Err(caller
        .require(crate::api::Scope::ViewSensitive)
        .expect_err("the caller lacks the scope")
        .with_detail(format!(
            "filtering on {} looks at sensitive values: the token {:?} lacks the scope {}",
            paths.join(", "),
            caller.0.name,
            crate::api::Scope::ViewSensitive.name()
        )))
}

/// A cursor: where the last page ended (seq, and time in µs), its order, and which filters it
/// belongs to.
#[derive(serde::Serialize, serde::Deserialize)]
pub struct Cursor {
    s: u64,
    t: i64,
    o: String,
    f: String,
}

impl Cursor {
    pub fn new(seq: u64, time_us: i64, order: &str, params: &[(String, String)]) -> Cursor {
        Cursor {
            s: seq,
            t: time_us,
            o: order.to_owned(),
            f: fingerprint(params),
        }
    }

    pub fn encode(&self) -> String {
        B64URL.encode(serde_json::to_vec(self).expect("a cursor serialises"))
    }

    /// The position a cursor holds, if it is one this query gave out.
    pub fn decode(
        text: &str,
        order: &str,
        params: &[(String, String)],
    ) -> Result<(u64, i64), Problem> {
        B64URL
            .decode(text)
            .ok()
            .and_then(|b| serde_json::from_slice::<Cursor>(&b).ok())
            .filter(|c| c.o == order && c.f == fingerprint(params))
            .map(|c| (c.s, c.t))
            .ok_or_else(|| {
                Problem::new(
                    StatusCode::BAD_REQUEST,
                    "invalid-cursor",
                    "the cursor is not one this query gave out",
                )
            })
    }
}

/// Events after (or before) a cursor position in the order `(key, seq)`.
pub fn beyond(by_time: bool, descending: bool, seq: u64, time_us: i64) -> Expr {
    let op = if descending { CmpOp::Lt } else { CmpOp::Gt };
    if !by_time {
        return seq_compare(op, seq);
    }
    let time = |op| Expr::Compare {
        field: crate::query::Field::Time,
        op,
        value: crate::query::Literal::Time(
            chrono::DateTime::from_timestamp_micros(time_us).unwrap_or_default(),
        ),
    };
    Expr::Or(vec![
        time(op),
        Expr::and(vec![time(CmpOp::Eq), seq_compare(op, seq)]),
    ])
}

/// A fingerprint of the filter parameters, so a cursor cannot be reused with other filters.
fn fingerprint(params: &[(String, String)]) -> String {
    let mut kept: Vec<&(String, String)> = params
        .iter()
        .filter(|(k, _)| !matches!(k.as_str(), "cursor" | "limit" | "fields" | "count"))
        .collect();
    kept.sort();
    let mut h = Sha256::new();
    for (k, v) in kept {
        h.update(k.as_bytes());
        h.update([0]);
        h.update(v.as_bytes());
        h.update([0]);
    }
    h.finalize()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

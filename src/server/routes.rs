//! The endpoints of REMOTE_API.md, each a thin layer over the `Store` trait run on a blocking
//! thread (SQLite connections are not shared between requests).

use std::io::Write;
use std::sync::Arc;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Extension, Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use base64::Engine;
use base64::engine::general_purpose::{STANDARD as B64, URL_SAFE_NO_PAD as B64URL};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::problem::Problem;
use super::tokens::Scope;
use super::{AppState, Caller};
use crate::integrity::merkle;
use crate::model::Event;
use crate::query::quick::QuickFilters;
use crate::query::{CmpOp, Expr};
use crate::redact::Redactor;
use crate::render::{self, csv::CsvWriter, json::JsonWriter};
use crate::store::sqlite::SqliteStore;
use crate::store::{self, Query, SortField, SortKey, Store, seq_compare};

/// The page size when none is asked for, and the most a page holds.
pub const DEFAULT_LIMIT: usize = 100;
pub const MAX_LIMIT: usize = 1000;

pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/v1", get(capabilities))
        .route("/v1/events", get(list_events).post(append_events))
        .route("/v1/events/{id}", get(get_event))
        .route(
            "/v1/events/{id}/revert",
            get(revert_plan).post(revert_event),
        )
        .route("/v1/stats", get(stats))
        .route("/v1/checkpoint", get(checkpoint))
        .route("/v1/proof/consistency", get(consistency))
        .route("/v1/proof/inclusion", get(inclusion))
        .with_state(state)
}

/// Runs store work on a blocking thread.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> anyhow::Result<T> + Send + 'static,
) -> Result<T, Problem> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string()))?
        .map_err(Problem::from)
}

/// Query parameters in order, repeated ones kept.
fn params(raw: &Option<String>) -> Vec<(String, String)> {
    raw.as_deref()
        .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
        .unwrap_or_default()
}

fn all(params: &[(String, String)], key: &str) -> Vec<String> {
    params
        .iter()
        .filter(|(k, _)| k == key)
        .flat_map(|(_, v)| v.split(',').map(str::to_owned).collect::<Vec<_>>())
        .filter(|v| !v.is_empty())
        .collect()
}

fn one(params: &[(String, String)], key: &str) -> Option<String> {
    params
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.clone())
}

fn bad(detail: impl Into<String>) -> Problem {
    Problem::new(StatusCode::BAD_REQUEST, "invalid-request", detail)
}

/// The filter the event query parameters stand for.
fn filter_of(params: &[(String, String)]) -> anyhow::Result<Expr> {
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

/// The time of a stored entry, in µs.
fn entry_time_us(entry: &str) -> anyhow::Result<i64> {
    let view: crate::model::EntryView = serde_json::from_str(entry)?;
    Ok(chrono::DateTime::parse_from_rfc3339(&view.time)?.timestamp_micros())
}

/// One event as JSON text: seq first, then the stored fields, redacted when asked.
fn event_json(seq: u64, entry: &str, redactor: Option<&Redactor>) -> anyhow::Result<String> {
    let mut buf = Vec::with_capacity(entry.len() + 16);
    {
        let mut w = JsonWriter::lines(None, &mut buf);
        w.write_stored(seq, entry, redactor)?;
    }
    buf.pop();
    Ok(String::from_utf8(buf)?)
}

async fn capabilities(State(state): State<Arc<AppState>>) -> Result<Response, Problem> {
    let location = state.store.clone();
    let last = blocking(move || location.open()?.last_seq()).await?;
    Ok(axum::Json(json!({
        "api_version": 1,
        "max_limit": MAX_LIMIT,
        "revert": true,
        "server": format!("auditctl/{}", env!("CARGO_PKG_VERSION")),
        "last_seq": last,
    }))
    .into_response())
}

/// A cursor: where the last page ended (seq, and time in µs), its order, and which filters it
/// belongs to.
#[derive(serde::Serialize, serde::Deserialize)]
struct Cursor {
    s: u64,
    t: i64,
    o: String,
    f: String,
}

/// Events after (or before) a cursor position in the order `(key, seq)`.
fn beyond(by_time: bool, descending: bool, seq: u64, time_us: i64) -> Expr {
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

async fn list_events(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, Problem> {
    caller.require(Scope::View)?;
    let params = params(&raw);
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let redactor = caller.redactor(&state).cloned();
    if accept.contains("text/csv") || accept.contains("application/x-ndjson") {
        let csv = accept.contains("text/csv");
        return stream_events(state, params, redactor, csv).await;
    }
    let descending = match one(&params, "order").as_deref() {
        None | Some("desc") => true,
        Some("asc") => false,
        Some(other) => return Err(bad(format!("order is asc or desc, not {other:?}"))),
    };
    let limit = match one(&params, "limit") {
        None => DEFAULT_LIMIT,
        Some(n) => n
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=MAX_LIMIT).contains(n))
            .ok_or_else(|| {
                bad(format!(
                    "limit is a number from 1 to {MAX_LIMIT}, not {n:?}"
                ))
            })?,
    };
    // `sort=seq` pages in append order (export, history); the default is by time, then seq.
    let by_time = match one(&params, "sort").as_deref() {
        None | Some("time") => true,
        Some("seq") => false,
        Some(other) => return Err(bad(format!("sort is time or seq, not {other:?}"))),
    };
    let order = match (by_time, descending) {
        (true, true) => "time-desc",
        (true, false) => "time-asc",
        (false, true) => "seq-desc",
        (false, false) => "seq-asc",
    };
    let print = fingerprint(&params);
    let after = match one(&params, "cursor") {
        None => None,
        Some(text) => {
            let cursor: Cursor = B64URL
                .decode(&text)
                .ok()
                .and_then(|b| serde_json::from_slice(&b).ok())
                .filter(|c: &Cursor| c.o == order && c.f == print)
                .ok_or_else(|| {
                    Problem::new(
                        StatusCode::BAD_REQUEST,
                        "invalid-cursor",
                        "the cursor is not one this query gave out",
                    )
                })?;
            Some((cursor.s, cursor.t))
        }
    };
    let polling = !descending && one(&params, "until").is_none();
    // `count=true` adds the number of matching events (all pages) as `X-Total-Count`.
    let want_count = one(&params, "count").as_deref() == Some("true");
    let location = state.store.clone();
    let (events, last_seq, total) = blocking(move || {
        let store = location.open()?;
        let mut filter = filter_of(&params)?;
        let total = if want_count {
            Some(store.count(&filter)?)
        } else {
            None
        };
        if let Some((seq, time_us)) = after {
            filter = Expr::and(vec![filter, beyond(by_time, descending, seq, time_us)]);
        }
        let query = Query {
            filter,
            order: vec![SortKey {
                field: if by_time {
                    SortField::Time
                } else {
                    SortField::Seq
                },
                descending,
            }],
            limit: Some(limit),
            offset: 0,
        };
        let mut events = Vec::new();
        let mut last = None;
        store.scan_entries(&query, &mut |seq, entry| {
            events.push(event_json(seq, entry, redactor.as_ref())?);
            last = Some((seq, entry_time_us(entry)?));
            Ok(true)
        })?;
        Ok((events, last, total))
    })
    .await?;
    let next = match (events.len() == limit, last_seq) {
        (true, Some(at)) => Some(at),
        // Polling never runs out: the next page starts after what was seen.
        _ if polling => Some(last_seq.or(after).unwrap_or((0, i64::MIN))),
        _ => None,
    };
    let next = next.map(|(s, t)| {
        B64URL.encode(
            serde_json::to_vec(&Cursor {
                s,
                t,
                o: order.to_owned(),
                f: print.clone(),
            })
            .expect("a cursor serialises"),
        )
    });
    let body = format!(
        "{{\"events\":[{}],\"next_cursor\":{}}}",
        events.join(","),
        next.as_ref()
            .map_or("null".to_owned(), |c| Value::String(c.clone()).to_string())
    );
    let mut response = (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response();
    if let Some(n) = total
        && let Ok(v) = n.to_string().parse()
    {
        response.headers_mut().insert("x-total-count", v);
    }
    if let Some(c) = next {
        let mut link_params: Vec<(String, String)> = params_without_cursor(&raw);
        link_params.push(("cursor".into(), c));
        let query = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(link_params)
            .finish();
        if let Ok(v) = format!("</v1/events?{query}>; rel=\"next\"").parse() {
            response.headers_mut().insert(header::LINK, v);
        }
    }
    Ok(response)
}

fn params_without_cursor(raw: &Option<String>) -> Vec<(String, String)> {
    params(raw)
        .into_iter()
        .filter(|(k, _)| k != "cursor")
        .collect()
}

/// Sends what a blocking writer produces as the response body, in chunks; a failure midway
/// aborts the response so the client sees it did not complete.
struct ChunkWriter {
    tx: tokio::sync::mpsc::Sender<Result<Bytes, std::io::Error>>,
    buf: Vec<u8>,
}

impl Write for ChunkWriter {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= 64 * 1024 {
            self.flush()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if !self.buf.is_empty() {
            let chunk = Bytes::from(std::mem::take(&mut self.buf));
            self.tx
                .blocking_send(Ok(chunk))
                .map_err(|_| std::io::Error::from(std::io::ErrorKind::BrokenPipe))?;
        }
        Ok(())
    }
}

async fn stream_events(
    state: Arc<AppState>,
    params: Vec<(String, String)>,
    redactor: Option<Redactor>,
    csv: bool,
) -> Result<Response, Problem> {
    // Bad filters are answered before the stream starts.
    let filter = filter_of(&params).map_err(Problem::from)?;
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(8);
    let location = state.store.clone();
    tokio::task::spawn_blocking(move || {
        let result = (|| -> anyhow::Result<()> {
            let store = location.open()?;
            let mut out = ChunkWriter {
                tx: tx.clone(),
                buf: Vec::new(),
            };
            let query = Query::in_seq_order(filter);
            if csv {
                let mut w = CsvWriter::new(render::EXPORT_COLUMNS.to_vec(), &mut out);
                store.scan_entries(&query, &mut |seq, entry| {
                    w.write_entry(seq, entry, redactor.as_ref())?;
                    Ok(true)
                })?;
                render::EventWriter::finish(&mut w)?;
            } else {
                let mut w = JsonWriter::lines(None, &mut out);
                store.scan_entries(&query, &mut |seq, entry| {
                    w.write_stored(seq, entry, redactor.as_ref())?;
                    Ok(true)
                })?;
            }
            out.flush()?;
            Ok(())
        })();
        if let Err(e) = result {
            let _ = tx.blocking_send(Err(std::io::Error::other(e.to_string())));
        }
    });
    let stream = futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx));
    let content_type = if csv {
        "text/csv; charset=utf-8"
    } else {
        "application/x-ndjson"
    };
    Ok((
        StatusCode::OK,
        [(header::CONTENT_TYPE, content_type)],
        Body::from_stream(stream),
    )
        .into_response())
}

async fn get_event(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    caller.require(Scope::View)?;
    let redactor = caller.redactor(&state).cloned();
    let location = state.store.clone();
    let body = blocking(move || {
        let store = location.open()?;
        let event = store.get(&id)?;
        let entry = String::from_utf8(event.canonical_bytes())?;
        event_json(event.seq.unwrap_or_default(), &entry, redactor.as_ref())
    })
    .await?;
    Ok((
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response())
}

async fn append_events(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    body: Bytes,
) -> Result<Response, Problem> {
    caller.require(Scope::Write)?;
    let value: Value =
        serde_json::from_slice(&body).map_err(|e| bad(format!("the body is not JSON: {e}")))?;
    let items = match value {
        Value::Array(items) => items,
        one => vec![one],
    };
    let mut events = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        let event: Event = serde_json::from_value(item).map_err(|e| {
            Problem::new(
                StatusCode::BAD_REQUEST,
                "invalid-event",
                format!("event {}: {e}", i + 1),
            )
        })?;
        events.push(event);
    }
    let location = state.store.clone();
    let report = blocking(move || {
        let mut store = location.open_for_append()?;
        store.append(&mut events.into_iter().map(Ok))
    })
    .await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(json!({
            "added": report.added,
            "duplicates": report.duplicates,
            "first_seq": report.first_seq,
        })),
    )
        .into_response())
}

async fn stats(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    RawQuery(raw): RawQuery,
) -> Result<Response, Problem> {
    caller.require(Scope::View)?;
    let params = params(&raw);
    let by = all(&params, "by");
    if by.is_empty() {
        return Err(bad("by is required: one or more fields"));
    }
    let fields: Vec<crate::query::Field> = by
        .iter()
        .map(|n| {
            crate::query::Field::from_name(n).ok_or_else(|| bad(format!("unknown field {n:?}")))
        })
        .collect::<Result<_, _>>()?;
    let location = state.store.clone();
    let redact = caller.redactor(&state).is_some();
    let groups = blocking(move || {
        let store = location.open()?;
        let mut groups = store.group_counts(&filter_of(&params)?, &fields)?;
        groups.sort_by(|a, b| {
            b.1.cmp(&a.1).then_with(|| {
                a.0.iter()
                    .map(|v| v.to_string())
                    .cmp(b.0.iter().map(|v| v.to_string()))
            })
        });
        Ok(groups)
    })
    .await?;
    let names: Vec<String> = by;
    let rows: Vec<Value> = groups
        .into_iter()
        .map(|(key, count)| {
            let mut m = serde_json::Map::new();
            for (name, mut v) in names.iter().zip(key) {
                if redact && state.redactor.is_sensitive_path(name) && !v.is_null() {
                    v = Value::String(crate::redact::REDACTED.to_owned());
                }
                m.insert(name.clone(), v);
            }
            m.insert("count".into(), count.into());
            Value::Object(m)
        })
        .collect();
    Ok(axum::Json(rows).into_response())
}

async fn checkpoint(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
) -> Result<Response, Problem> {
    caller.require(Scope::View)?;
    let location = state.store.clone();
    let latest = blocking(move || Ok(location.sqlite()?.checkpoints()?.pop())).await?;
    match latest {
        Some(c) => Ok((
            StatusCode::OK,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            c.note,
        )
            .into_response()),
        None => Err(Problem::new(
            StatusCode::NOT_FOUND,
            "no-checkpoint",
            "the store has no checkpoint yet",
        )),
    }
}

fn number(params: &[(String, String)], key: &str) -> Result<u64, Problem> {
    one(params, key)
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| bad(format!("{key} must be a number")))
}

/// Opens the store with its tree holding at least `size` leaves.
fn tree_of(location: &store::Location, size: u64) -> anyhow::Result<SqliteStore> {
    let mut store = location.sqlite()?;
    if store.tree_size()? < size {
        store.extend_tree()?;
    }
    anyhow::ensure!(
        store.tree_size()? >= size,
        crate::error::Failure::usage(format!("the log holds fewer than {size} events"))
    );
    Ok(store)
}

async fn consistency(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    RawQuery(raw): RawQuery,
) -> Result<Response, Problem> {
    caller.require(Scope::View)?;
    let params = params(&raw);
    let (from, to) = (number(&params, "from")?, number(&params, "to")?);
    if from > to {
        return Err(bad("from must not be larger than to"));
    }
    let location = state.store.clone();
    let proof = blocking(move || {
        let store = tree_of(&location, to)?;
        merkle::consistency_proof(&store.nodes(), from, to)
    })
    .await?;
    Ok(axum::Json(json!({
        "from": from,
        "to": to,
        "proof": proof.iter().map(|h| B64.encode(h)).collect::<Vec<_>>(),
    }))
    .into_response())
}

async fn inclusion(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    RawQuery(raw): RawQuery,
) -> Result<Response, Problem> {
    caller.require(Scope::View)?;
    let params = params(&raw);
    let (seq, size) = (number(&params, "seq")?, number(&params, "size")?);
    if seq == 0 || seq > size {
        return Err(bad("seq must be from 1 to size"));
    }
    let location = state.store.clone();
    let (proof, leaf) = blocking(move || {
        let store = tree_of(&location, size)?;
        let leaf = merkle::leaf_hash(store.entry_text(seq)?.as_bytes());
        Ok((
            merkle::inclusion_proof(&store.nodes(), seq - 1, size)?,
            leaf,
        ))
    })
    .await?;
    Ok(axum::Json(json!({
        "seq": seq,
        "size": size,
        "leaf_index": seq - 1,
        "leaf_hash": B64.encode(leaf),
        "proof": proof.iter().map(|h| B64.encode(h)).collect::<Vec<_>>(),
    }))
    .into_response())
}

/// The value at a path of a record state, or null.
fn at(state: Option<&Value>, path: &crate::query::Path) -> Value {
    state
        .and_then(|v| {
            if path.0.is_empty() {
                Some(v)
            } else {
                path.lookup(v)
            }
        })
        .cloned()
        .unwrap_or(Value::Null)
}

/// The revert plan as REMOTE_API.md shapes it, with the two states for a client to show.
fn plan_json(d: &crate::store::revert::Decision, redactor: Option<&Redactor>) -> Value {
    let (mut current, mut restored) = (d.plan.current.clone(), d.plan.restored.clone());
    let mut expected = d.target.after.clone();
    if let Some(r) = redactor {
        r.redact_pair(current.as_mut(), restored.as_mut());
        if let Some(v) = expected.as_mut() {
            r.redact_value(v);
        }
    }
    let set: Vec<Value> = d
        .plan
        .paths
        .iter()
        .map(|p| {
            json!({
                "path": p.to_string(),
                "from": at(current.as_ref(), p),
                "to": at(restored.as_ref(), p),
            })
        })
        .collect();
    let mut conflicts: Vec<(String, Value)> = Vec::new();
    for c in &d.plan.conflicts {
        let path = c.path.to_string();
        match conflicts.iter_mut().find(|(p, _)| *p == path) {
            Some((_, v)) => v["changed_by"]
                .as_array_mut()
                .expect("an array")
                .push(json!(c.id)),
            None => conflicts.push((
                path,
                json!({
                    "path": c.path.to_string(),
                    "expected": at(expected.as_ref(), &c.path),
                    "current": at(current.as_ref(), &c.path),
                    "changed_by": [c.id],
                }),
            )),
        }
    }
    json!({
        "event_id": d.target.id,
        "seq": d.target.seq,
        "table": d.target.table,
        "resource_id": d.target.resource_id,
        "operation": d.plan.action.to_ascii_lowercase(),
        "set": set,
        "conflicts": conflicts.into_iter().map(|(_, v)| v).collect::<Vec<_>>(),
        "already_reverted_by": d.reverted_by.as_ref().map(|e| e.id.clone()),
        "current_seq": d.current_seq,
        "current": current,
        "restored": restored,
    })
}

fn refusal_problem(r: &crate::store::revert::Refusal) -> Problem {
    let status = if matches!(r, crate::store::revert::Refusal::Changed) {
        StatusCode::PRECONDITION_FAILED
    } else {
        StatusCode::CONFLICT
    };
    Problem::new(status, r.code(), r.to_string())
}

/// Store errors as problems, refusals as 409 or 412.
fn revert_problem(e: anyhow::Error) -> Problem {
    match e.downcast::<crate::store::revert::Refusal>() {
        Ok(r) => refusal_problem(&r),
        Err(e) => Problem::from(e),
    }
}

async fn revert_plan(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
) -> Result<Response, Problem> {
    caller.require(Scope::View)?;
    let redactor = caller.redactor(&state).cloned();
    let location = state.store.clone();
    let decision = tokio::task::spawn_blocking(move || {
        let store = location.open()?;
        crate::store::revert::decide(store.as_ref(), &id)
    })
    .await
    .map_err(|e| Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string()))?
    .map_err(revert_problem)?;
    let mut response = axum::Json(plan_json(&decision, redactor.as_ref())).into_response();
    if let Ok(v) = decision.etag().parse() {
        response.headers_mut().insert(header::ETAG, v);
    }
    Ok(response)
}

#[derive(serde::Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
struct RevertBody {
    reason: Option<String>,
    force: bool,
    /// Who the revert is recorded for; the token's name by default.
    user: Option<String>,
}

async fn revert_event(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Problem> {
    caller.require(Scope::Revert)?;
    let Some(if_match) = headers
        .get(header::IF_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
    else {
        return Err(Problem::new(
            StatusCode::PRECONDITION_REQUIRED,
            "precondition-required",
            "a revert needs If-Match with the ETag of its plan (GET /v1/events/{id}/revert)",
        ));
    };
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(|k| format!("{}:{k}", caller.name));
    if let Some(k) = &key
        && let Some(done) = state
            .done_reverts
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(k)
    {
        return Ok(created(done.0, done.1.clone()));
    }
    let request: RevertBody = if body.is_empty() {
        RevertBody::default()
    } else {
        serde_json::from_slice(&body)
            .map_err(|e| bad(format!("the body is not a revert request: {e}")))?
    };
    let user = request.user.clone().unwrap_or_else(|| caller.name.clone());
    let redactor = caller.redactor(&state).cloned();
    let location = state.store.clone();
    let (seq, event) = tokio::task::spawn_blocking(move || {
        let mut store = location.sqlite()?;
        let seq = store.append_checked(&mut |s| {
            let d = crate::store::revert::decide(s, &id)?;
            if d.etag() != if_match {
                return Err(crate::store::revert::Refusal::Changed.into());
            }
            if let Some(r) = d.refusal(request.force) {
                return Err(r.into());
            }
            Ok(d.compensating_event(crate::timespec::now(), &user, request.reason.as_deref()))
        })?;
        let entry = store.entry_text(seq)?;
        anyhow::Ok((seq, event_json(seq, &entry, redactor.as_ref())?))
    })
    .await
    .map_err(|e| Problem::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string()))?
    .map_err(revert_problem)?;
    if let Some(k) = key {
        state
            .done_reverts
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(k, (seq, event.clone()));
    }
    Ok(created(seq, event))
}

fn created(seq: u64, event: String) -> Response {
    (
        StatusCode::CREATED,
        [
            (header::CONTENT_TYPE, "application/json".to_owned()),
            (header::LOCATION, format!("/v1/events/{seq}")),
        ],
        event,
    )
        .into_response()
}

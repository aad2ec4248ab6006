//! Endpoints of docs/REMOTE_API.md §4, each a thin layer over the back end's capabilities run on a
//! blocking thread (SQLite connections are not shared between requests), answering with the
//! types of `api`.

use std::sync::Arc;

use axum::Json;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Extension, Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use serde_json::Value;
use serde_json::value::RawValue;

use super::params::{self, Cursor, bad, filter_for, number, one};
use super::problem::Problem;
use super::tokens::Scope;
use super::{AppState, Caller, revert, stream};
use crate::api::{self, RECORDED_BY};
use crate::integrity::merkle;
use crate::model::Event;
use crate::query::Expr;
use crate::redact::Redactor;
use crate::render::json::JsonWriter;
use crate::store::{Query, SortField, SortKey};

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
            get(revert::plan).post(revert::perform),
        )
        .route("/v1/stats", get(stats))
        .route("/v1/checkpoint", get(checkpoint))
        .route("/v1/proof/consistency", get(consistency))
        .route("/v1/proof/inclusion", get(inclusion))
        .fallback(unknown_path)
        .method_not_allowed_fallback(unknown_method)
        .with_state(state)
}

/// A path the API does not have: a problem like every other error, not a bare 404.
async fn unknown_path(uri: axum::http::Uri) -> Problem {
    Problem::new(
        StatusCode::NOT_FOUND,
        "unknown-path",
        format!(
            "the API has no {}; see GET /v1",
            crate::render::visible(uri.path(), false)
        ),
    )
}

async fn unknown_method(method: axum::http::Method, uri: axum::http::Uri) -> Problem {
    Problem::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method-not-allowed",
        format!(
            "{} {} is not an endpoint of the API; see GET /v1",
            method,
            crate::render::visible(uri.path(), false)
        ),
    )
}

/// The `{id}` of an event's path; one that is not text (`/v1/events/%ff`) is a problem, not
/// axum's plain-text rejection.
pub struct EventId(pub String);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for EventId {
    type Rejection = Problem;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, Problem> {
        match Path::<String>::from_request_parts(parts, state).await {
            Ok(Path(id)) => Ok(EventId(id)),
            Err(e) => Err(bad(format!("the event id in the path: {}", e.body_text()))),
        }
    }
}

/// Runs back-end work on a blocking thread.
pub async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> anyhow::Result<T> + Send + 'static,
) -> Result<T, Problem> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Problem::internal("internal", &anyhow::anyhow!(e)))?
        .map_err(Problem::from)
}

/// The time of a stored entry, in µs.
fn entry_time_us(entry: &str) -> anyhow::Result<i64> {
    let view: crate::model::EntryView = serde_json::from_str(entry)?;
    Ok(chrono::DateTime::parse_from_rfc3339(&view.time)?.timestamp_micros())
}

/// One event as JSON: seq first, then the stored fields, redacted when asked.
pub fn event_json(
    seq: u64,
    entry: &str,
    redactor: Option<&Redactor>,
) -> anyhow::Result<Box<RawValue>> {
    let mut buf = Vec::with_capacity(entry.len() + 16);
    {
        let mut w = JsonWriter::lines(None, &mut buf);
        w.write_stored(seq, entry, redactor)?;
    }
    buf.pop();
    Ok(RawValue::from_string(String::from_utf8(buf)?)?)
}

async fn capabilities(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
) -> Result<Response, Problem> {
    let location = state.opener();
    let last_seq = blocking(move || location.open()?.last_seq()).await?;
    Ok(Json(api::Capabilities {
        api_version: api::API_VERSION,
        max_limit: MAX_LIMIT,
        revert: true,
        server: format!("auditctl/{}", env!("CARGO_PKG_VERSION")),
        last_seq,
        token: state.tokens.is_some().then(|| caller.0.clone()),
    })
    .into_response())
}

async fn list_events(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Result<Response, Problem> {
    caller.require(Scope::View)?;
    let params = params::parse(&raw);
    let accept = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let redactor = caller.redactor(&state).cloned();
    // Bad filters are answered before anything is read.
    let filter = filter_for(&params, &caller, &state.redactor)?;
    if accept.contains("text/csv") || accept.contains("application/x-ndjson") {
        return stream::events(state, filter, redactor, accept.contains("text/csv")).await;
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
    let after = one(&params, "cursor")
        .map(|text| Cursor::decode(&text, order, &params))
        .transpose()?;
    let polling = !descending && one(&params, "until").is_none();
    // `count=true` adds the number of matching events (all pages) as `X-Total-Count`.
    let want_count = one(&params, "count").as_deref() == Some("true");
    let location = state.opener();
    let (events, last_seq, total) = blocking(move || {
        let store = location.open()?;
        let mut filter = filter;
        let total = if want_count {
            Some(store.count(&filter)?)
        } else {
            None
        };
        if let Some((seq, time_us)) = after {
            filter = Expr::and(vec![
                filter,
                params::beyond(by_time, descending, seq, time_us),
            ]);
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
    let next = next.map(|(s, t)| Cursor::new(s, t, order, &params).encode());
    let mut response = Json(api::EventsPage {
        events,
        next_cursor: next.clone(),
    })
    .into_response();
    if let Some(n) = total
        && let Ok(v) = n.to_string().parse()
    {
        response.headers_mut().insert("x-total-count", v);
    }
    if let Some(c) = next {
        let mut link_params: Vec<(String, String)> =
            params.into_iter().filter(|(k, _)| k != "cursor").collect();
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

async fn get_event(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    EventId(id): EventId,
) -> Result<Response, Problem> {
    caller.require(Scope::View)?;
    let redactor = caller.redactor(&state).cloned();
    let location = state.opener();
    let body = blocking(move || {
        let store = location.open()?;
        let event = store.get(&id)?;
        let entry = String::from_utf8(event.canonical_bytes())?;
        event_json(event.seq.unwrap_or_default(), &entry, redactor.as_ref())
    })
    .await?;
    Ok(Json(body).into_response())
}

async fn append_events(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    body: Bytes,
) -> Result<Response, Problem> {
    caller.require(Scope::Write)?;
    // Each event is read from its own text, so that a field named twice is an error (as in
    // `import`) rather than its last value.
    let text =
        std::str::from_utf8(&body).map_err(|e| bad(format!("the body is not UTF-8: {e}")))?;
    let items: Vec<Box<RawValue>> = if text.trim_start().starts_with('[') {
        serde_json::from_str(text)
    } else {
        serde_json::from_str(text).map(|one| vec![one])
    }
    .map_err(|e| bad(format!("the body is not JSON: {e}")))?;
    let mut events = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        let mut event: Event = serde_json::from_str(item.get()).map_err(|e| {
            Problem::new(
                StatusCode::BAD_REQUEST,
                "invalid-event",
                format!("event {}: {e}", i + 1),
            )
        })?;
        // Who appended it through the API is the server's to say, never the client's.
        // Nor one that reads like it (`Recorded_By`, `recorded_by\u{200b}`, `recorded-by`).
        let recorded_by = crate::redact::folded_key(RECORDED_BY);
        if event
            .meta
            .keys()
            .any(|k| crate::redact::folded_key(k) == recorded_by)
        {
            return Err(Problem::new(
                StatusCode::BAD_REQUEST,
                "invalid-event",
                format!(
                    "event {}: meta.{RECORDED_BY} is set by the server (the token that appends)",
                    i + 1
                ),
            ));
        }
        // A redacted export posted back would store the marker as if it were the value.
        if let Some((path, marker)) = crate::redact::marker_path(&event) {
            return Err(Problem::new(
                StatusCode::BAD_REQUEST,
                "invalid-event",
                format!(
                    "event {}: {path} holds a {marker:?} marker, put where an export redacted \
                     a value: it is not the data",
                    i + 1,
                ),
            ));
        }
        event
            .meta
            .insert(RECORDED_BY.to_owned(), Value::String(caller.0.name.clone()));
        events.push(event);
    }
    let report: api::Appended = state.writer.append(events).await?;
    Ok((StatusCode::CREATED, Json(report)).into_response())
}

async fn stats(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    RawQuery(raw): RawQuery,
) -> Result<Response, Problem> {
    caller.require(Scope::View)?;
    let params = params::parse(&raw);
    let by = params::all(&params, "by");
    if by.is_empty() {
        return Err(bad("by is required: one or more fields"));
    }
    if by.len() > crate::store::MAX_GROUP_FIELDS {
        return Err(bad(format!(
            "by takes at most {} fields, not {}",
            crate::store::MAX_GROUP_FIELDS,
            by.len()
        )));
    }
    // Groups by a sensitive path would say which keys a secret object has, or how long a
    // secret list is, which a filter on it may not ask either.
    if let Some(r) = caller.redactor(&state)
        && let Some(name) = by.iter().find(|n| r.is_sensitive_path(n))
    {
        return Err(Problem::new(
            StatusCode::FORBIDDEN,
            "insufficient-scope",
            format!(
                "grouping by {name:?} reads sensitive values: it needs the scope {}",
                Scope::ViewSensitive.name()
            ),
        ));
    }
    let fields: Vec<crate::query::Field> = by
        .iter()
        .map(|n| {
            crate::query::Field::from_name(n).ok_or_else(|| bad(format!("unknown field {n:?}")))
        })
        .collect::<Result<_, _>>()?;
    let location = state.opener();
    let redactor = caller.redactor(&state).cloned();
    let names = by.clone();
    let filter = filter_for(&params, &caller, &state.redactor)?;
    let groups = blocking(move || {
        let store = location.open()?;
        let mut groups = store.group_counts(&filter, &fields)?;
        if let Some(r) = &redactor {
            groups = r.redact_groups(&names, groups);
        }
        crate::store::sort_groups(&mut groups);
        Ok(groups)
    })
    .await?;
    let rows: Vec<api::StatsRow> = groups
        .into_iter()
        .map(|(key, count)| api::StatsRow {
            key: by.iter().cloned().zip(key).collect(),
            count,
        })
        .collect();
    Ok(Json(rows).into_response())
}

async fn checkpoint(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
) -> Result<Response, Problem> {
    caller.require(Scope::View)?;
    let location = state.opener();
    let latest = blocking(move || location.open()?.integrity()?.latest_checkpoint()).await?;
    match latest {
        Some(note) => Ok((
            StatusCode::OK,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            note,
        )
            .into_response()),
        None => Err(Problem::new(
            StatusCode::NOT_FOUND,
            "no-checkpoint",
            "the store has no checkpoint yet",
        )),
    }
}

fn encode(hashes: &[merkle::Hash]) -> Vec<String> {
    hashes.iter().map(|h| B64.encode(h)).collect()
}

async fn consistency(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    RawQuery(raw): RawQuery,
) -> Result<Response, Problem> {
    caller.require(Scope::View)?;
    let params = params::parse(&raw);
    let (from, to) = (number(&params, "from")?, number(&params, "to")?);
    if from > to {
        return Err(bad("from must not be larger than to"));
    }
    // A proof's hashes commit to whole events, sensitive values included: one that holds the
    // hash of a single event lets whoever knows the rest of it try guesses offline. A token
    // that may not see those values gets proofs only between the checkpoints the store
    // recorded (what a client holds the server to), not between sizes of its choosing.
    let sensitive = caller.0.has(Scope::ViewSensitive);
    let location = state.opener();
    let proof = blocking(move || {
        let mut backend = location.open()?;
        let log = backend.integrity()?;
        let between_checkpoints = log.is_checkpoint_size(from)? && log.is_checkpoint_size(to)?;
        if !(sensitive || between_checkpoints) {
            return Ok(None);
        }
        log.consistency_proof(from, to).map(Some)
    })
    .await?
    .ok_or_else(|| {
        Problem::new(
            StatusCode::FORBIDDEN,
            "insufficient-scope",
            "a consistency proof between sizes that are not both checkpoints needs the scope \
             view_sensitive",
        )
    })?;
    Ok(Json(api::ConsistencyProof {
        from,
        to,
        proof: encode(&proof),
    })
    .into_response())
}

async fn inclusion(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    RawQuery(raw): RawQuery,
) -> Result<Response, Problem> {
    // The leaf hash and the audit path's neighbours commit to whole events: for tokens that
    // may see every value (see `consistency`).
    caller.require(Scope::ViewSensitive)?;
    let params = params::parse(&raw);
    let (seq, size) = (number(&params, "seq")?, number(&params, "size")?);
    if seq == 0 || seq > size {
        return Err(bad("seq must be from 1 to size"));
    }
    let location = state.opener();
    let (proof, leaf) = blocking(move || {
        let mut backend = location.open()?;
        let log = backend.integrity()?;
        let proof = log.inclusion_proof(seq, size)?;
        Ok((proof, merkle::leaf_hash(log.entry_text(seq)?.as_bytes())))
    })
    .await?;
    Ok(Json(api::InclusionProof {
        seq,
        size,
        leaf_index: seq - 1,
        leaf_hash: B64.encode(leaf),
        proof: encode(&proof),
    })
    .into_response())
}

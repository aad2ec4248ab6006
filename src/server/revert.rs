//! The revert endpoints: the plan with its ETag, and the revert carried out with `If-Match`
//! and an `Idempotency-Key`, through the back end's revert capability.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Extension, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::params::bad;
use super::problem::Problem;
use super::routes::{EventId, event_json};
use super::tokens::Scope;
use super::{AppState, Caller};
use crate::api::{self, RECORDED_BY};
use crate::store::revert::Refusal;

/// A revert done with an `Idempotency-Key`: the request it answered, and what it appended.
pub struct Done {
    fingerprint: [u8; 32],
    seq: u64,
    event: String,
}

fn refusal_problem(r: &Refusal) -> Problem {
    let status = if matches!(r, Refusal::Changed) {
        StatusCode::PRECONDITION_FAILED
    } else {
        StatusCode::CONFLICT
    };
    Problem::new(status, r.code(), r.to_string())
}

/// Back-end errors as problems, refusals as 409 or 412.
fn revert_problem(e: anyhow::Error) -> Problem {
    match e.downcast::<Refusal>() {
        Ok(r) => refusal_problem(&r),
        Err(e) => Problem::from(e),
    }
}

async fn run<T: Send + 'static>(
    f: impl FnOnce() -> anyhow::Result<T> + Send + 'static,
) -> Result<T, Problem> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Problem::internal("internal", &anyhow::anyhow!(e)))?
        .map_err(revert_problem)
}

/// The refusal of a plan or revert that compares sensitive values, for a token that may not
/// see them (`compares_sensitive`).
fn sensitive_plan(caller: &Caller) -> Problem {
    Problem::new(
        StatusCode::FORBIDDEN,
        "insufficient-scope",
        format!(
            "this revert compares sensitive values, which the token {:?} may not see: it needs \
             the scope {}",
            caller.0.name,
            Scope::ViewSensitive.name()
        ),
    )
}

pub async fn plan(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    EventId(id): EventId,
) -> Result<Response, Problem> {
    caller.require(Scope::View)?;
    let redactor = caller.redactor(&state).cloned();
    let location = state.opener();
    let (mut plan, etag) = run(move || location.open()?.revert()?.revert_plan(&id)).await?;
    if let Some(r) = &redactor {
        if crate::store::revert::compares_sensitive(&plan, r) {
            return Err(sensitive_plan(&caller));
        }
        crate::store::revert::redact_plan(&mut plan, r);
    }
    let mut response = Json(plan).into_response();
    if let Ok(v) = etag.parse() {
        response.headers_mut().insert(header::ETAG, v);
    }
    Ok(response)
}

pub async fn perform(
    State(state): State<Arc<AppState>>,
    Extension(caller): Extension<Caller>,
    EventId(id): EventId,
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
        .map(|k| format!("{}:{k}", caller.0.name));
    // A key binds the request it came with: the event, the ETag and the body.
    let fingerprint: [u8; 32] = {
        use sha2::{Digest, Sha256};
        let mut h = Sha256::new();
        for part in [id.as_bytes(), if_match.as_bytes(), &body] {
            h.update((part.len() as u64).to_be_bytes());
            h.update(part);
        }
        h.finalize().into()
    };
    if let Some(k) = &key
        && let Some(done) = state
            .done_reverts
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(k)
    {
        if done.fingerprint != fingerprint {
            return Err(Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency-key-reused",
                "this Idempotency-Key was used with another request: a key stands for one \
                 revert of one event",
            ));
        }
        return Ok(created(done.seq, done.event.clone()));
    }
    let mut request: api::RevertRequest = if body.is_empty() {
        api::RevertRequest::default()
    } else {
        serde_json::from_slice(&body)
            .map_err(|e| bad(format!("the body is not a revert request: {e}")))?
    };
    // The revert is by the token unless it names someone else, which only a token that may
    // append events in anyone's name (`write`) can do; the log says which token it was.
    match &request.user {
        Some(user) if *user != caller.0.name => {
            caller.require(Scope::Write).map_err(|p| {
                p.with_detail(format!(
                    "recording a revert as {user:?} needs the scope {}: the token {:?} may \
                     revert only in its own name",
                    Scope::Write.name(),
                    caller.0.name
                ))
            })?;
        }
        _ => request.user = Some(caller.0.name.clone()),
    }
    let recorded_by = caller.0.name.clone();
    let redactor = caller.redactor(&state).cloned();
    if let Some(r) = redactor.clone() {
        let (location, id) = (state.opener(), id.clone());
        let (plan, _) = run(move || location.open()?.revert()?.revert_plan(&id)).await?;
        if crate::store::revert::compares_sensitive(&plan, &r) {
            return Err(sensitive_plan(&caller));
        }
    }
    // Decided and appended by the server's writer, in its transaction with the appends waiting
    // (a revert of its own would hold them up): the plan is read again there, so a revert
    // that lost a race to another is refused, not appended twice.
    let user = request.user.clone().unwrap_or_default();
    let target = id.clone();
    let decide = Box::new(move |s: &dyn crate::store::Store| {
        let mut event = crate::store::revert::revert_event(s, &target, &if_match, &request, &user)?;
        event.meta.insert(
            RECORDED_BY.to_owned(),
            serde_json::Value::String(recorded_by.clone()),
        );
        Ok(event)
    });
    let report = state
        .writer
        .append_decided(decide)
        .await
        .map_err(revert_problem)?;
    let seq = report.first_seq.ok_or_else(|| {
        Problem::internal("internal", &anyhow::anyhow!("a revert appended nothing"))
    })?;
    let location = state.opener();
    let event = run(move || {
        let entry = String::from_utf8(location.open()?.get(&seq.to_string())?.canonical_bytes())?;
        Ok(event_json(seq, &entry, redactor.as_ref())?.get().to_owned())
    })
    .await?;
    if let Some(k) = key {
        state
            .done_reverts
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(
                k,
                Done {
                    fingerprint,
                    seq,
                    event: event.clone(),
                },
            );
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

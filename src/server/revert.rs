//! The revert endpoints: the plan with its ETag, and the revert carried out with `If-Match`
//! and an `Idempotency-Key`, through the back end's revert capability.

use std::collections::{HashMap, VecDeque};
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
use crate::store::revert::{ComparesSensitive, Refusal};

/// A revert done with an `Idempotency-Key`: the request it answered, and the seq of the event
/// it appended (read again to answer a retry: the events themselves are not kept).
pub struct Done {
    fingerprint: [u8; 32],
    seq: u64,
}

/// The keys kept at most; the oldest is forgotten first (its ETag still refuses a second
/// revert of the same plan).
const MAX_KEYS: usize = 100_000;

/// A key's slot: held by the request with that key while its revert runs, so that a retry
/// waits for the first attempt's answer instead of racing it.
type Slot = Arc<tokio::sync::Mutex<Option<Done>>>;

/// Reverts done with an `Idempotency-Key`, by token and key, kept in memory (a restart forgets
/// them, and the ETag then refuses a second revert).
#[derive(Default)]
pub struct Idempotency {
    slots: std::sync::Mutex<(HashMap<String, Slot>, VecDeque<String>)>,
}

impl Idempotency {
    fn slot(&self, key: String) -> Slot {
        let mut guard = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        let (slots, order) = &mut *guard;
        if let Some(slot) = slots.get(&key) {
            return Arc::clone(slot);
        }
        if order.len() >= MAX_KEYS
            && let Some(oldest) = order.pop_front()
        {
            slots.remove(&oldest);
        }
        let slot = Slot::default();
        slots.insert(key.clone(), Arc::clone(&slot));
        order.push_back(key);
        slot
    }
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
    // A key binds the request it came with; without one nothing is kept, so nothing is hashed.
    let fingerprint = key
        .is_some()
        .then(|| request_fingerprint(&id, &if_match, &body));
    let mut request = revert_request(&body)?;
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
    let redactor = caller.redactor(&state).cloned();
    // Requests with one key take turns: the first does the revert, the others answer as it did.
    let slot = key.map(|k| state.done_reverts.slot(k));
    let mut done = match &slot {
        Some(slot) => Some(slot.lock().await),
        None => None,
    };
    if let Some(Some(earlier)) = done.as_deref() {
        if Some(earlier.fingerprint) != fingerprint {
            return Err(Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "idempotency-key-reused",
                "this Idempotency-Key was used with another request: a key stands for one \
                 revert of one event",
            ));
        }
        let seq = earlier.seq;
        return Ok(created(seq, stored_event(&state, seq, redactor).await?));
    }
    // The plan as the log stands, on a reader's connection: a stale or made-up ETag, or a plan
    // that compares what the token may not see, is refused here, not in the writer's
    // transaction, where every append waiting would wait for it.
    let (location, target) = (state.opener(), id.clone());
    let (plan, etag) = run(move || location.open()?.revert()?.revert_plan(&target)).await?;
    if etag != if_match {
        return Err(refusal_problem(&Refusal::Changed));
    }
    if let Some(r) = &redactor
        && crate::store::revert::compares_sensitive(&plan, r)
    {
        return Err(sensitive_plan(&caller));
    }
    // Decided again and appended by the server's writer, in its transaction with the appends
    // waiting (a revert of its own would hold them up): a revert that lost a race to another is
    // refused there, not appended twice.
    let recorded_by = caller.0.name.clone();
    let user = request.user.clone().unwrap_or_default();
    let hidden = redactor.clone();
    let decide = Box::new(move |s: &dyn crate::store::Store| {
        let mut event = crate::store::revert::revert_event(
            s,
            &id,
            &if_match,
            &request,
            &user,
            hidden.as_ref(),
        )?;
        event.meta.insert(
            RECORDED_BY.to_owned(),
            serde_json::Value::String(recorded_by.clone()),
        );
        Ok(event)
    });
    let report =
        state.writer.append_decided(decide).await.map_err(|e| {
            match e.downcast::<ComparesSensitive>() {
                Ok(_) => sensitive_plan(&caller),
                Err(e) => revert_problem(e),
            }
        })?;
    let seq = report.first_seq.ok_or_else(|| {
        Problem::internal("internal", &anyhow::anyhow!("a revert appended nothing"))
    })?;
    if let (Some(done), Some(fingerprint)) = (done.as_deref_mut(), fingerprint) {
        *done = Some(Done { fingerprint, seq });
    }
    Ok(created(seq, stored_event(&state, seq, redactor).await?))
}

/// What an `Idempotency-Key` binds: the event, the ETag and the body.
fn request_fingerprint(id: &str, if_match: &str, body: &[u8]) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for part in [id.as_bytes(), if_match.as_bytes(), body] {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part);
    }
    h.finalize().into()
}

/// The body of a revert: a JSON object (`api::RevertRequest`), or nothing for the defaults.
fn revert_request(body: &[u8]) -> Result<api::RevertRequest, Problem> {
    if body.is_empty() {
        return Ok(api::RevertRequest::default());
    }
    // An array would be read field by field, by position: only an object is a request.
    let value: serde_json::Value = serde_json::from_slice(body)
        .map_err(|e| bad(format!("the body is not a revert request: {e}")))?;
    if !value.is_object() {
        return Err(bad(
            "the body is not a revert request: it must be a JSON object",
        ));
    }
    serde_json::from_value(value).map_err(|e| bad(format!("the body is not a revert request: {e}")))
}

/// The event at `seq` as the API answers it to this caller.
async fn stored_event(
    state: &Arc<AppState>,
    seq: u64,
    redactor: Option<crate::redact::Redactor>,
) -> Result<String, Problem> {
    let location = state.opener();
    run(move || {
        let entry = String::from_utf8(location.open()?.get(&seq.to_string())?.canonical_bytes())?;
        Ok(event_json(seq, &entry, redactor.as_ref())?.get().to_owned())
    })
    .await
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

//! Errors as RFC 9457 `application/problem+json`, with a stable `code` and a `request_id`.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::error::{Failure, exit};
use crate::query::error::QueryError;
use crate::store::StoreError;

/// An HTTP error: status, a stable machine word, and what went wrong.
#[derive(Debug)]
pub struct Problem {
    pub status: StatusCode,
    pub code: &'static str,
    pub detail: String,
    /// Extra headers (`WWW-Authenticate`, `Retry-After`).
    pub headers: Vec<(header::HeaderName, String)>,
    pub request_id: String,
}

impl Problem {
    pub fn new(status: StatusCode, code: &'static str, detail: impl Into<String>) -> Problem {
        Problem {
            status,
            code,
            detail: detail.into(),
            headers: Vec::new(),
            request_id: crate::model::new_id(),
        }
    }

    /// A failure of the server itself: the client learns only that it happened and its
    /// request id; what went wrong (which may name files, SQL, or values) goes to the server's
    /// log under the same id.
    pub fn internal(code: &'static str, err: &anyhow::Error) -> Problem {
        let mut p = Problem::new(StatusCode::INTERNAL_SERVER_ERROR, code, "");
        eprintln!(
            "request {}: {}",
            p.request_id,
            crate::render::visible(&format!("{err:#}"), false)
        );
        p.detail = format!(
            "the server could not answer; its log says why under request_id {}",
            p.request_id
        );
        p
    }

    pub fn with_detail(mut self, detail: impl Into<String>) -> Problem {
        self.detail = detail.into();
        self
    }

    pub fn with_header(mut self, name: header::HeaderName, value: impl Into<String>) -> Problem {
        self.headers.push((name, value.into()));
        self
    }
}

/// Whether `err` is a store another process kept locked past the busy timeout.
pub(super) fn is_busy(err: &anyhow::Error) -> bool {
    err.chain().any(|c| {
        c.is::<super::writer::Busy>()
            || c.downcast_ref::<rusqlite::Error>()
                .and_then(rusqlite::Error::sqlite_error_code)
                .is_some_and(|code| {
                    matches!(
                        code,
                        rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked
                    )
                })
    })
}

impl From<anyhow::Error> for Problem {
    fn from(err: anyhow::Error) -> Problem {
        let detail = format!("{err:#}");
        // A store another process keeps busy past the busy timeout (a long import): the
        // client is told to come back, and its retries do.
        if is_busy(&err) {
            return Problem::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "busy",
                "the store is busy with another writer; try again",
            )
            .with_header(header::RETRY_AFTER, "1");
        }
        // A full disk takes nothing more; nothing was written.
        if err.chain().any(|c| {
            c.downcast_ref::<rusqlite::Error>()
                .and_then(rusqlite::Error::sqlite_error_code)
                == Some(rusqlite::ErrorCode::DiskFull)
        }) {
            return Problem::new(
                StatusCode::INSUFFICIENT_STORAGE,
                "store-full",
                "the store's disk is full; nothing was written",
            );
        }
        for cause in err.chain() {
            if let Some(e) = cause.downcast_ref::<crate::model::InvalidEvent>() {
                return Problem::new(StatusCode::BAD_REQUEST, "invalid-event", e.to_string());
            }
            if let Some(s) = cause.downcast_ref::<StoreError>() {
                return match s {
                    StoreError::NotFound(_) => {
                        Problem::new(StatusCode::NOT_FOUND, "not-found", detail)
                    }
                    StoreError::Ambiguous { .. } => {
                        Problem::new(StatusCode::BAD_REQUEST, "ambiguous-id", detail)
                    }
                    StoreError::IdConflict(_) => {
                        Problem::new(StatusCode::CONFLICT, "id-conflict", detail)
                    }
                    StoreError::BadRevert { .. } => {
                        Problem::new(StatusCode::CONFLICT, "invalid-revert", detail)
                    }
                    // Said without the store's file name, which is the server's business.
                    StoreError::ReadOnly(_, why) => Problem::new(
                        StatusCode::METHOD_NOT_ALLOWED,
                        "read-only",
                        format!("this server's events are read-only ({why})"),
                    ),
                    _ => Problem::internal("store-error", &err),
                };
            }
            if cause.is::<QueryError>() || cause.is::<crate::timespec::TimeError>() {
                return Problem::new(StatusCode::BAD_REQUEST, "invalid-filter", detail);
            }
            if let Some(f) = cause.downcast_ref::<Failure>() {
                return match f.code {
                    exit::USAGE => Problem::new(StatusCode::BAD_REQUEST, "invalid-request", detail),
                    exit::NOT_FOUND => Problem::new(StatusCode::NOT_FOUND, "not-found", detail),
                    _ => Problem::internal("internal", &err),
                };
            }
        }
        Problem::internal("internal", &err)
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let body = serde_json::to_string(&crate::api::Problem {
            kind: format!("https://auditctl.dev/problems/{}", self.code),
            title: self.status.canonical_reason().unwrap_or("error").to_owned(),
            status: self.status.as_u16(),
            detail: self.detail,
            code: self.code.to_owned(),
            request_id: self.request_id,
        })
        .unwrap_or_default();
        let mut response = (self.status, body).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        for (name, value) in self.headers {
            if let Ok(v) = HeaderValue::from_str(&value) {
                headers.insert(name, v);
            }
        }
        response
    }
}

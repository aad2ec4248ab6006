//! `auditctl serve`: the audit HTTP API of docs/REMOTE_API.md over a store, on axum and tokio.
//! Handlers read and write through the same `Store` trait as the CLI, on blocking threads.

mod params;
pub mod problem;
pub mod revert;
pub mod routes;
mod stream;
pub mod tokens;
pub mod writer;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::Response;

use crate::error::Failure;
use crate::redact::Redactor;
use problem::Problem;
use tokens::{Scope, Tokens};

/// Requests a token gets back a second by default; it may make twice as many at once.
pub const DEFAULT_RATE: u32 = 100;

/// What every request handler shares.
pub struct AppState {
    /// Sniffed once at start: the store file is never read outside SQLite again.
    pub store: crate::store::Location,
    /// Requests per second per token.
    rate: f64,
    pub tokens: Option<Tokens>,
    pub redactor: Redactor,
    limits: Mutex<HashMap<String, (f64, Instant)>>,
    /// Reverts done, by token and `Idempotency-Key`, so a retried POST answers the same.
    pub done_reverts: revert::Idempotency,
    /// Does every append (`writer`).
    pub writer: writer::Writer,
    /// The streamed answers that may run at once (`stream::MAX_STREAMS`); others wait.
    pub streams: Arc<tokio::sync::Semaphore>,
}

/// How a request opens its back end: where the events are, and the keys whose values no
/// search may look in (the server's redaction keys).
#[derive(Clone)]
pub struct Opener {
    location: crate::store::Location,
    search: Redactor,
}

impl Opener {
    pub fn open(&self) -> anyhow::Result<Box<dyn crate::store::Backend>> {
        self.location.open(&self.search)
    }

    pub fn open_for_append(&self) -> anyhow::Result<Box<dyn crate::store::Backend>> {
        self.location.open_for_append(&self.search)
    }
}

/// Who is asking, once the token checked out.
#[derive(Debug, Clone)]
pub struct Caller(pub crate::api::Caller);

impl Caller {
    pub fn require(&self, scope: Scope) -> Result<(), Problem> {
        if self.0.has(scope) {
            return Ok(());
        }
        Err(Problem::new(
            StatusCode::FORBIDDEN,
            "insufficient-scope",
            format!(
                "the token {:?} lacks the scope {}",
                self.0.name,
                scope.name()
            ),
        )
        .with_header(
            header::WWW_AUTHENTICATE,
            format!(
                "Bearer error=\"insufficient_scope\", scope=\"{}\"",
                scope.name()
            ),
        ))
    }

    /// The redactor to apply to what this caller reads, if any.
    pub fn redactor<'a>(&self, state: &'a AppState) -> Option<&'a Redactor> {
        (!self.0.has(Scope::ViewSensitive)).then_some(&state.redactor)
    }
}

impl AppState {
    /// How a request opens the back end.
    pub fn opener(&self) -> Opener {
        Opener {
            location: self.store.clone(),
            search: self.redactor.clone(),
        }
    }

    /// Refuses what only a browser would send: a write from a web page (a form or `fetch`
    /// carries `Origin`, and cannot send `application/json` across sites without asking),
    /// and, on a server without tokens, a `Host` that is not a loopback name (a page whose
    /// name was made to point at 127.0.0.1, DNS rebinding). The API is for programs.
    fn refuse_browsers(&self, request: &Request) -> Result<(), Problem> {
        let headers = request.headers();
        let writes = request.method() != axum::http::Method::GET
            && request.method() != axum::http::Method::HEAD;
        if writes && headers.contains_key(header::ORIGIN) {
            return Err(Problem::new(
                StatusCode::FORBIDDEN,
                "cross-site",
                "requests from web pages may not write to the audit log",
            ));
        }
        let json = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.trim_start().starts_with("application/json"));
        let has_body = headers
            .get(header::CONTENT_LENGTH)
            .is_some_and(|v| v != "0")
            || headers.contains_key(header::TRANSFER_ENCODING);
        if writes && has_body && !json {
            return Err(Problem::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                "a request body must be application/json",
            ));
        }
        if self.tokens.is_none() {
            let host = headers
                .get(header::HOST)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            let name = match host.rsplit_once(':') {
                Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
                _ => host,
            };
            let name = name.trim_start_matches('[').trim_end_matches(']');
            let loopback = name.eq_ignore_ascii_case("localhost")
                || name
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback());
            if !loopback {
                return Err(Problem::new(
                    StatusCode::FORBIDDEN,
                    "not-loopback",
                    "a server without tokens answers requests to a loopback address only",
                ));
            }
        }
        Ok(())
    }

    /// The caller of a request: its bearer token's entry, or everyone on an open server.
    fn caller(&self, request: &Request) -> Result<Caller, Problem> {
        let Some(tokens) = &self.tokens else {
            return Ok(Caller(crate::api::Caller {
                name: crate::api::OPEN_CALLER.into(),
                scopes: Scope::ALL.to_vec(),
            }));
        };
        let unauthorized = |why: &str| {
            Problem::new(StatusCode::UNAUTHORIZED, "unauthorized", why)
                .with_header(header::WWW_AUTHENTICATE, "Bearer")
        };
        // The scheme is case-insensitive (RFC 9110, 11.1).
        let token = request
            .headers()
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim_start().split_once(' '))
            .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
            .map(|(_, token)| token)
            .ok_or_else(|| unauthorized("an Authorization: Bearer token is required"))?;
        let entry = tokens
            .find(token.trim())
            .ok_or_else(|| unauthorized("the token is not known to this server"))?;
        Ok(Caller(crate::api::Caller {
            name: entry.name.clone(),
            scopes: entry.scopes.clone(),
        }))
    }

    /// A token bucket per caller: `Err(seconds to wait)` when it is empty.
    fn take(&self, name: &str) -> Result<(), u64> {
        let mut limits = self.limits.lock().unwrap_or_else(|e| e.into_inner());
        let now = Instant::now();
        let burst = 2.0 * self.rate;
        let (tokens, last) = limits.entry(name.to_owned()).or_insert((burst, now));
        *tokens = (*tokens + now.duration_since(*last).as_secs_f64() * self.rate).min(burst);
        *last = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - *tokens) / self.rate).ceil().max(1.0) as u64)
        }
    }
}

/// The scope a request needs for its body to be read at all: only the two writes take one.
fn body_scope(method: &axum::http::Method, path: &str) -> Option<Scope> {
    if method != axum::http::Method::POST {
        return None;
    }
    match path.strip_prefix("/v1/events") {
        Some("") => Some(Scope::Write),
        Some(rest) if rest.starts_with('/') && rest.ends_with("/revert") => Some(Scope::Revert),
        _ => None,
    }
}

/// Authenticates (except `/healthz`), rate-limits, and logs every request to stderr: method,
/// path, status, latency and token name, never the token.
async fn guard(State(state): State<Arc<AppState>>, mut request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let (name, response) = if path == "/healthz" {
        ("-".to_owned(), next.run(request).await)
    } else if let Err(p) = state.refuse_browsers(&request) {
        (
            "?".to_owned(),
            axum::response::IntoResponse::into_response(p),
        )
    } else {
        match state.caller(&request) {
            Err(p) => (
                "?".to_owned(),
                axum::response::IntoResponse::into_response(p),
            ),
            Ok(caller) => {
                let name = caller.0.name.clone();
                match state.take(&name) {
                    Err(wait) => (
                        name,
                        axum::response::IntoResponse::into_response(
                            Problem::new(
                                StatusCode::TOO_MANY_REQUESTS,
                                "rate-limited",
                                format!("too many requests; retry after {wait} s"),
                            )
                            .with_header(header::RETRY_AFTER, wait.to_string()),
                        ),
                    ),
                    Ok(()) => match body_scope(&method, &path) {
                        // Only a token that may send a body has it read: a 200 MB body from
                        // a view token is refused before its first byte is buffered.
                        Some(scope) if !caller.0.has(scope) => (
                            name,
                            axum::response::IntoResponse::into_response(
                                caller.require(scope).unwrap_err(),
                            ),
                        ),
                        scope => {
                            if scope.is_none() {
                                *request.body_mut() = axum::body::Body::empty();
                            }
                            request.extensions_mut().insert(caller);
                            (name, next.run(request).await)
                        }
                    },
                }
            }
        }
    };
    eprintln!(
        "{method} {path} {} {:.1}ms {name}",
        response.status().as_u16(),
        started.elapsed().as_secs_f64() * 1000.0
    );
    response
}

/// Serves the API until SIGINT or SIGTERM, then finishes the requests in flight.
/// How `serve` listens and whom it answers.
pub struct Options {
    pub listen: SocketAddr,
    pub tokens: Option<Tokens>,
    /// Requests per second per token.
    pub rate: u32,
    /// How long a client may take to send a request's headers, and its body: a client that
    /// trickles them (slowloris) is cut off instead of holding a connection for ever.
    pub header_timeout: Duration,
    pub body_timeout: Duration,
}

pub fn serve(
    store: crate::store::Location,
    options: Options,
    redactor: Redactor,
) -> anyhow::Result<()> {
    let Options {
        listen,
        tokens,
        rate,
        header_timeout,
        body_timeout,
    } = options;
    if tokens.is_none() && !listen.ip().is_loopback() {
        return Err(Failure::usage(format!(
            "without --tokens the server accepts requests from anyone, so it listens on loopback \
             only, not on {listen}"
        ))
        .with_hint("create tokens with `auditctl token new --tokens FILE …` and pass --tokens FILE")
        .into());
    }
    // Fail now, not on the first request, when the store cannot be opened; and before anyone
    // searches, make the search index leave out every value this server redacts.
    store.open(&redactor)?;
    store.hide_in_search(&redactor)?;
    let open = tokens.is_none();
    let writer = writer::Writer::start(Opener {
        location: store.clone(),
        search: redactor.clone(),
    })?;
    let state = Arc::new(AppState {
        store: store.clone(),
        rate: f64::from(rate.max(1)),
        tokens,
        redactor,
        limits: Mutex::new(HashMap::new()),
        done_reverts: revert::Idempotency::default(),
        writer,
        streams: Arc::new(tokio::sync::Semaphore::new(stream::MAX_STREAMS)),
    });
    let app = routes::router(Arc::clone(&state))
        .layer(axum::extract::DefaultBodyLimit::max(MAX_BODY))
        .layer(axum::middleware::from_fn(move |request, next| {
            read_body(request, next, body_timeout)
        }))
        .layer(axum::middleware::from_fn_with_state(state, guard));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(listen)
            .await
            .map_err(|e| Failure::runtime(format!("cannot listen on {listen}: {e}")))?;
        let addr = listener.local_addr()?;
        eprintln!("serving {} on http://{addr}", store.display());
        if open {
            eprintln!("no --tokens: every request is accepted, on loopback only");
        }
        accept(listener, app, header_timeout).await;
        eprintln!("stopped");
        anyhow::Ok(())
    })?;
    runtime.shutdown_timeout(Duration::from_secs(5));
    Ok(())
}

/// How long a client may take to send a request's headers, and its body, by default.
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
pub const BODY_TIMEOUT: Duration = Duration::from_secs(60);
/// The largest body a request may send (an import through the API sends its events at once).
pub const MAX_BODY: usize = 256 << 20;

/// Serves connections until SIGINT or SIGTERM, each over HTTP/1.1 with the header read
/// timeout, then lets those in flight finish (for up to 30 s).
async fn accept(listener: tokio::net::TcpListener, app: axum::Router, header_timeout: Duration) {
    use hyper_util::rt::{TokioIo, TokioTimer};
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let stop = shutdown();
    tokio::pin!(stop);
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                // Out of file descriptors and the like: wait a little rather than spin.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut stop => break,
        };
        let service = hyper_util::service::TowerToHyperService::new(app.clone());
        let connection = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(header_timeout)
            .serve_connection(TokioIo::new(stream), service);
        let watched = graceful.watch(connection);
        tokio::spawn(async move {
            let _ = watched.await;
        });
    }
    drop(listener);
    let _ = tokio::time::timeout(Duration::from_secs(30), graceful.shutdown()).await;
}

/// Reads a request's body within `timeout` and `MAX_BODY`, before any handler waits on it:
/// 408 for a body that does not come, 413 for one too large.
async fn read_body(request: Request, next: Next, timeout: Duration) -> Response {
    use axum::response::IntoResponse;
    let (parts, body) = request.into_parts();
    let read = tokio::time::timeout(timeout, axum::body::to_bytes(body, MAX_BODY)).await;
    match read {
        Ok(Ok(bytes)) => {
            next.run(Request::from_parts(parts, axum::body::Body::from(bytes)))
                .await
        }
        Ok(Err(_)) => Problem::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too-large",
            format!("a request body may hold at most {} MiB", MAX_BODY >> 20),
        )
        .into_response(),
        Err(_) => Problem::new(
            StatusCode::REQUEST_TIMEOUT,
            "body-timeout",
            format!(
                "the request body did not arrive within {} s",
                timeout.as_secs()
            ),
        )
        .into_response(),
    }
}

async fn shutdown() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
        tokio::select! {
            _ = interrupt => {}
            _ = async { match term.as_mut() { Some(t) => { t.recv().await; } None => std::future::pending().await } } => {}
        }
    }
    #[cfg(not(unix))]
    let _ = interrupt.await;
}

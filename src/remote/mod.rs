//! `--remote URL`: the back end that is a server, through the audit HTTP API
//! (docs/REMOTE_API.md §7). Every capability of the local store is here, so commands give the same
//! output against a server as against a file.

mod backend;
mod history;

use std::time::Duration;

use reqwest::StatusCode;
use reqwest::blocking::{Client, RequestBuilder, Response};
use serde::de::DeserializeOwned;

use crate::api;
use crate::error::{Failure, exit};

/// The most events one page request asks for (the server's maximum).
const PAGE: usize = 1000;
/// How many times a 429 or 503 is retried.
const RETRIES: u32 = 4;
/// How long a check of the server's history holds before a read checks again.
const RECHECK: Duration = Duration::from_secs(5);

pub struct RemoteStore {
    base: String,
    /// `base` as it may be shown: without a password it may hold.
    shown: String,
    token: Option<String>,
    client: Client,
    /// When this process last checked the server's history: reads check it again once it is
    /// older than `RECHECK` (a follower polls for hours).
    checked: std::cell::Cell<Option<std::time::Instant>>,
}

/// A URL as it may be printed: its credentials replaced by `***`, a URL that does not parse
/// as well (`postgres://u:pw@host:99999/db`), and a `password=` in its query too (libpq takes
/// one there).
pub fn without_password(url: &str) -> String {
    let shown = match reqwest::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() || !parsed.username().is_empty() => {
            // A user name alone may be the secret (`https://TOKEN@host`): neither is shown.
            let _ = parsed.set_password(None);
            let _ = parsed.set_username("***");
            parsed.as_str().trim_end_matches('/').to_owned()
        }
        Ok(_) => url.to_owned(),
        Err(_) => without_userinfo(url),
    };
    without_query_password(&shown)
}

/// `scheme://***@rest` for whatever stands before the authority's last `@`.
fn without_userinfo(url: &str) -> String {
    let Some(start) = url.find("://").map(|i| i + 3) else {
        return url.to_owned();
    };
    let rest = &url[start..];
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    match authority.rfind('@') {
        Some(at) => format!("{}***{}", &url[..start], &rest[at..]),
        None => url.to_owned(),
    }
}

/// The URL with the value of a `password` query parameter replaced by `***`.
fn without_query_password(url: &str) -> String {
    let Some(q) = url.find('?') else {
        return url.to_owned();
    };
    let pairs: Vec<String> = url[q + 1..]
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((key, _)) if key.eq_ignore_ascii_case("password") => format!("{key}=***"),
            _ => pair.to_owned(),
        })
        .collect();
    format!("{}?{}", &url[..q], pairs.join("&"))
}

/// The URL without its credentials, and the token they carried: the password, else the user
/// name (`https://ci:TOKEN@host`, `https://TOKEN@host`). The token goes as a bearer token
/// only; reqwest would also send the credentials as Basic authentication, which a server
/// reads first.
fn split_credentials(url: &str) -> (String, Option<String>) {
    let Ok(mut parsed) = reqwest::Url::parse(url) else {
        return (url.to_owned(), None);
    };
    let decode = |s: &str| {
        percent_encoding::percent_decode_str(s)
            .decode_utf8_lossy()
            .into_owned()
    };
    let token = match (parsed.username(), parsed.password()) {
        (_, Some(password)) => Some(decode(password)),
        ("", None) => None,
        (user, None) => Some(decode(user)),
    };
    let _ = parsed.set_password(None);
    let _ = parsed.set_username("");
    (parsed.as_str().trim_end_matches('/').to_owned(), token)
}

/// How long a request may take, in seconds: long enough for an export to stream; the
/// viewer, which waits for each answer before it reads the next key, asks for less.
static REQUEST_TIMEOUT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(120);

/// Sets how long the requests of servers opened from now on may take.
pub fn set_request_timeout(timeout: Duration) {
    REQUEST_TIMEOUT.store(
        timeout.as_secs().max(1),
        std::sync::atomic::Ordering::Relaxed,
    );
}

impl RemoteStore {
    pub fn new(url: &str, token: Option<String>) -> anyhow::Result<RemoteStore> {
        let shown = without_password(url.trim_end_matches('/'));
        let (base, in_url) = split_credentials(url.trim_end_matches('/'));
        let token = token.or(in_url);
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(Failure::usage(format!(
                "--remote takes an http:// or https:// URL, not {shown:?}"
            ))
            .into());
        }
        let client = Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(
                REQUEST_TIMEOUT.load(std::sync::atomic::Ordering::Relaxed),
            ))
            .user_agent(concat!("auditctl/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(RemoteStore {
            base,
            shown,
            token,
            client,
            checked: std::cell::Cell::new(None),
        })
    }

    /// The server's URL as it may be shown.
    pub fn url(&self) -> &str {
        &self.shown
    }

    fn get(&self, path: &str) -> RequestBuilder {
        self.with_token(self.client.get(format!("{}{path}", self.base)))
    }

    fn post(&self, path: &str) -> RequestBuilder {
        self.with_token(self.client.post(format!("{}{path}", self.base)))
    }

    fn with_token(&self, request: RequestBuilder) -> RequestBuilder {
        match &self.token {
            Some(t) => request.bearer_auth(t),
            None => request,
        }
    }

    /// Sends a request, retrying 429 and 503 after `Retry-After` (else a capped exponential
    /// back-off with jitter), and turns error statuses into errors that say what happened.
    fn send(&self, request: RequestBuilder) -> anyhow::Result<Response> {
        let response = self.send_any(request)?;
        let status = response.status();
        if status.is_success() {
            return Ok(response);
        }
        Err(self.failure(status, response))
    }

    /// `send`, but any final status is an answer, for the caller to judge.
    fn send_any(&self, request: RequestBuilder) -> anyhow::Result<Response> {
        let mut attempt = 0;
        loop {
            let this = request
                .try_clone()
                .ok_or_else(|| anyhow::anyhow!("a request body that cannot be resent"))?;
            let response = this.send().map_err(|e| self.unreachable(e))?;
            let status = response.status();
            if matches!(
                status,
                StatusCode::TOO_MANY_REQUESTS | StatusCode::SERVICE_UNAVAILABLE
            ) && attempt < RETRIES
            {
                let wait = response
                    .headers()
                    .get(reqwest::header::RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.parse::<u64>().ok())
                    .map(Duration::from_secs)
                    .unwrap_or_else(|| backoff(attempt));
                std::thread::sleep(wait.min(Duration::from_secs(30)));
                attempt += 1;
                continue;
            }
            return Ok(response);
        }
    }

    fn unreachable(&self, e: reqwest::Error) -> anyhow::Error {
        // reqwest's messages name the URL it was given; the shown one has no password.
        let why = chain(&e.without_url());
        Failure::runtime(format!("cannot reach {}: {why}", self.shown)).into()
    }

    /// An error answer as the error the local store gives for the same thing: a refusal's
    /// stable word maps back to its exit code.
    fn failure(&self, status: StatusCode, response: Response) -> anyhow::Error {
        let problem: Option<api::Problem> = response.json().ok();
        let code = problem.as_ref().map_or("", |p| p.code.as_str());
        let detail = problem
            .as_ref()
            .map(|p| p.detail.clone())
            .unwrap_or_else(|| status.to_string());
        match (status, code) {
            (StatusCode::NOT_FOUND, "not-found") => Failure::new(exit::NOT_FOUND, detail).into(),
            (StatusCode::UNAUTHORIZED, _) => Failure::runtime(format!("{}: {detail}", self.shown))
                .with_hint("pass a token with --token, AUDITCTL_TOKEN or the profile's token")
                .into(),
            (StatusCode::FORBIDDEN, _) => Failure::runtime(format!("{}: {detail}", self.shown))
                .with_hint(
                    "a token's scopes are given when it is made (`auditctl token new --scope …` \
                     on the server); ask for one that has the scope named",
                )
                .into(),
            (StatusCode::BAD_REQUEST, _) => Failure::usage(detail).into(),
            // A refused revert, or a record that changed since its plan: as a local refusal.
            (StatusCode::CONFLICT | StatusCode::PRECONDITION_FAILED, _) => {
                let failure = Failure::new(exit::REVERT_REFUSED, detail);
                match crate::store::revert::refusal_hint(code) {
                    Some(hint) => failure.with_hint(hint).into(),
                    None => failure.into(),
                }
            }
            _ => Failure::runtime(format!("{} answered {status}: {detail}", self.shown)).into(),
        }
    }

    /// A successful answer's body, as the type the API says it is.
    fn json<T: DeserializeOwned>(&self, request: RequestBuilder) -> anyhow::Result<T> {
        self.send(request)?.json().map_err(|e| {
            Failure::runtime(format!(
                "{} sent an answer auditctl cannot read: {}",
                self.shown,
                chain(&e.without_url())
            ))
            .into()
        })
    }

    /// What the server offers, and what it knows of this client's token.
    pub fn capabilities(&self) -> anyhow::Result<api::Capabilities> {
        self.json(self.get("/v1"))
    }

    fn event_path(id: &str) -> String {
        format!(
            "/v1/events/{}",
            form_urlencoded::byte_serialize(id.trim().as_bytes()).collect::<String>()
        )
    }
}

/// An error and its causes on one line (reqwest's own message leaves out why).
fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        text.push_str(&format!(": {c}"));
        cause = c.source();
    }
    text
}

/// 0.2 s, 0.4 s, 0.8 s… up to 5 s, with up to a quarter of random jitter.
fn backoff(attempt: u32) -> Duration {
    let base = (0.2 * 2f64.powi(attempt as i32)).min(5.0);
    let jitter = rand::random::<f64>() * base / 4.0;
    Duration::from_secs_f64(base + jitter)
}

fn integrity(message: String) -> anyhow::Error {
    Failure::integrity(message).into()
}

#[cfg(test)]
mod tests {
    #[test]
    fn passwords_are_not_shown() {
        assert_eq!(
            super::without_password("https://ops:s3cret@audit.example.org/"),
            "https://***@audit.example.org"
        );
        assert_eq!(
            super::split_credentials("https://ops:s%40cret@audit.example.org/"),
            (
                "https://audit.example.org".to_owned(),
                Some("s@cret".to_owned())
            )
        );
        assert_eq!(
            super::without_password("http://127.0.0.1:8080"),
            "http://127.0.0.1:8080"
        );
        // URLs that do not parse, and libpq's password in the query.
        for (url, shown) in [
            (
                "postgres://u:PSECRET@localhost:99999/db",
                "postgres://***@localhost:99999/db",
            ),
            ("postgres://u:PSECRET@[::1/db", "postgres://***@[::1/db"),
            (
                "postgres:///db?host=/s&user=r&password=QSECRET&x=1",
                "postgres:///db?host=/s&user=r&password=***&x=1",
            ),
            (
                "postgres://a@/db?host=/s&PASSWORD=Q",
                "postgres://***@/db?host=/s&PASSWORD=***",
            ),
        ] {
            assert_eq!(super::without_password(url), shown);
        }
    }
}

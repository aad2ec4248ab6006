//! `--remote URL`: the `Store` trait over the audit HTTP API of REMOTE_API.md, so that every
//! command that reads through the trait works against a server with the same output.

use std::time::Duration;

use reqwest::StatusCode;
use reqwest::blocking::{Client, RequestBuilder, Response};
use serde_json::Value;

use crate::error::{Failure, exit};
use crate::model::Event;
use crate::query::{Expr, Field, print::print};
use crate::store::{AppendReport, Query, SortField, Store, StoreError};

/// The most events one page request asks for (the server's maximum).
const PAGE: usize = 1000;
/// How many times a 429 or 503 is retried.
const RETRIES: u32 = 4;

pub struct RemoteStore {
    base: String,
    token: Option<String>,
    client: Client,
    /// Whether this process has checked the server's history yet.
    checked: std::cell::Cell<bool>,
}

impl RemoteStore {
    pub fn new(url: &str, token: Option<String>) -> anyhow::Result<RemoteStore> {
        let base = url.trim_end_matches('/').to_owned();
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(Failure::usage(format!(
                "--remote takes an http:// or https:// URL, not {url:?}"
            ))
            .into());
        }
        let client = Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(120))
            .user_agent(concat!("auditctl/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(RemoteStore {
            base,
            token,
            client,
            checked: std::cell::Cell::new(false),
        })
    }

    fn get(&self, path: &str) -> RequestBuilder {
        self.with_token(self.client.get(format!("{}{path}", self.base)))
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
            let response = this.send().map_err(|e| {
                Failure::runtime(format!("cannot reach {}: {}", self.base, chain(&e)))
            })?;
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

    fn failure(&self, status: StatusCode, response: Response) -> anyhow::Error {
        let problem: Value = response.json().unwrap_or(Value::Null);
        let detail = problem["detail"]
            .as_str()
            .map(str::to_owned)
            .unwrap_or_else(|| status.to_string());
        match status {
            StatusCode::NOT_FOUND if problem["code"] == "not-found" => {
                Failure::new(exit::NOT_FOUND, detail).into()
            }
            StatusCode::UNAUTHORIZED => Failure::runtime(format!("{}: {detail}", self.base))
                .with_hint("pass a token with --token, AUDITCTL_TOKEN or the profile's token")
                .into(),
            StatusCode::FORBIDDEN => Failure::runtime(format!("{}: {detail}", self.base)).into(),
            StatusCode::BAD_REQUEST => Failure::usage(detail).into(),
            // A refused revert, or a record that changed since its plan.
            StatusCode::CONFLICT | StatusCode::PRECONDITION_FAILED => {
                Failure::new(exit::REVERT_REFUSED, detail).into()
            }
            _ => Failure::runtime(format!("{} answered {status}: {detail}", self.base)).into(),
        }
    }

    fn json(&self, request: RequestBuilder) -> anyhow::Result<Value> {
        Ok(self.send(request)?.json()?)
    }
}

/// Where the client keeps the last checkpoint it verified for each server.
fn state_dir() -> Option<std::path::PathBuf> {
    std::env::var_os("XDG_STATE_HOME")
        .filter(|v| !v.is_empty())
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| std::path::Path::new(&h).join(".local/state")))
        .map(|d| d.join("auditctl").join("servers"))
}

fn integrity(message: String) -> anyhow::Error {
    Failure::integrity(message).into()
}

impl RemoteStore {
    /// Verified reads: the server's latest checkpoint must extend the last one this client
    /// verified (a consistency proof from the old size to the new), so a server cannot rewrite
    /// history unnoticed. The newer checkpoint is then kept. Once per process.
    ///
    /// It fails closed: once a checkpoint of this server is kept, an answer without one (404,
    /// a refusal, an error) or one that cannot be checked is exit 3, not "nothing to check";
    /// and a verified checkpoint that cannot be kept is an error.
    fn check_history(&self) -> anyhow::Result<()> {
        if self.checked.replace(true) {
            return Ok(());
        }
        let file = state_dir().map(|dir| {
            let name: String = self
                .base
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
                .collect();
            dir.join(format!("{name}.checkpoint"))
        });
        let kept = match &file {
            Some(f) => match std::fs::read_to_string(f) {
                Ok(text) => Some(crate::integrity::note::parse(&text).map_err(|e| {
                    Failure::runtime(format!(
                        "the checkpoint kept for {} in {} is unreadable: {e}",
                        self.base,
                        f.display()
                    ))
                    .with_hint("delete it to trust the server's current log afresh")
                })?),
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::NotFound | std::io::ErrorKind::NotADirectory
                    ) =>
                {
                    None
                }
                Err(e) => {
                    return Err(Failure::runtime(format!(
                        "cannot read the checkpoint kept for {} in {}: {e}",
                        self.base,
                        f.display()
                    ))
                    .into());
                }
            },
            None => None,
        };
        let response = self.send_any(self.get("/v1/checkpoint"))?;
        let status = response.status();
        if !status.is_success() {
            let Some(old) = &kept else {
                // No checkpoint yet, or no right to read one, and none kept: nothing to hold
                // the server to.
                return Ok(());
            };
            return Err(integrity(format!(
                "{} answered {status} for its checkpoint, but this client verified its log {:?} \
                 at {} events before: its history cannot be checked, so nothing is read from it",
                self.base, old.checkpoint.origin, old.checkpoint.size
            )));
        }
        let text = response.text().map_err(|e| {
            integrity(format!(
                "{} broke off its checkpoint: {}",
                self.base,
                chain(&e)
            ))
        })?;
        let new = crate::integrity::note::parse(&text).map_err(|e| {
            integrity(format!(
                "{} sent a checkpoint that does not parse: {e}",
                self.base
            ))
        })?;
        if let Some(old) = &kept {
            let (o, n) = (&old.checkpoint, &new.checkpoint);
            let extends = o.origin == n.origin
                && o.size <= n.size
                && (o.size == n.size && o.root == n.root
                    || o.size < n.size && self.consistent(o.size, n.size, &o.root, &n.root)?);
            if !extends {
                return Err(integrity(format!(
                    "{}'s history no longer extends the checkpoint this client verified before \
                     (log {:?} at {} events): the server rewrote or replaced its log",
                    self.base, o.origin, o.size
                )));
            }
        }
        if let Some(f) = &file {
            let saved = f
                .parent()
                .map_or(Ok(()), std::fs::create_dir_all)
                .map_err(anyhow::Error::from)
                .and_then(|()| crate::atomic::write(f, text.as_bytes()));
            saved.map_err(|e| {
                Failure::runtime(format!(
                    "cannot keep {}'s verified checkpoint in {}: {e}",
                    self.base,
                    f.display()
                ))
                .with_hint("set XDG_STATE_HOME to a folder this user can write")
            })?;
        }
        Ok(())
    }

    fn consistent(
        &self,
        from: u64,
        to: u64,
        old: &[u8; 32],
        new: &[u8; 32],
    ) -> anyhow::Result<bool> {
        let reply = self
            .json(
                self.get("/v1/proof/consistency")
                    .query(&[("from", from), ("to", to)]),
            )
            .map_err(|e| {
                integrity(format!(
                    "{} gave no consistency proof from {from} to {to} events, so its log cannot \
                     be checked: {e:#}",
                    self.base
                ))
            })?;
        let proof: Option<Vec<[u8; 32]>> = reply["proof"].as_array().map(|hashes| {
            hashes
                .iter()
                .filter_map(|h| {
                    use base64::Engine;
                    base64::engine::general_purpose::STANDARD
                        .decode(h.as_str()?)
                        .ok()?
                        .try_into()
                        .ok()
                })
                .collect()
        });
        Ok(proof
            .is_some_and(|p| crate::integrity::merkle::verify_consistency(from, to, old, new, &p)))
    }

    /// Every matching event in seq order from the server's NDJSON stream: one request, no
    /// pages (what `export` reads).
    fn stream(
        &self,
        filter: &Expr,
        each: &mut dyn FnMut(Event) -> anyhow::Result<bool>,
    ) -> anyhow::Result<()> {
        use std::io::BufRead;
        let request = self
            .get("/v1/events")
            .query(&filter_params(filter))
            .header(reqwest::header::ACCEPT, "application/x-ndjson");
        let response = self.send(request)?;
        let reader = std::io::BufReader::with_capacity(256 * 1024, response);
        for line in reader.lines() {
            let line = line.map_err(|e| {
                Failure::runtime(format!("{} broke off the stream: {}", self.base, chain(&e)))
            })?;
            if line.is_empty() {
                continue;
            }
            let event: Event = serde_json::from_str(&line).map_err(|e| {
                Failure::runtime(format!("{} sent an event that is not one: {e}", self.base))
            })?;
            if !each(event)? {
                break;
            }
        }
        Ok(())
    }

    /// The server's latest checkpoint note, if it has one.
    pub fn checkpoint(&self) -> anyhow::Result<Option<String>> {
        let response = self
            .get("/v1/checkpoint")
            .send()
            .map_err(|e| Failure::runtime(format!("cannot reach {}: {}", self.base, chain(&e))))?;
        if response.status() == StatusCode::NOT_FOUND {
            return Ok(None);
        }
        if !response.status().is_success() {
            let status = response.status();
            return Err(self.failure(status, response));
        }
        Ok(Some(response.text()?))
    }

    /// Whether the server's tree of `to` leaves with root `new` extends the one of `from`
    /// leaves with root `old`, by a consistency proof it sends.
    pub fn extends(
        &self,
        from: u64,
        to: u64,
        old: &[u8; 32],
        new: &[u8; 32],
    ) -> anyhow::Result<bool> {
        if from == to {
            return Ok(old == new);
        }
        if from > to {
            return Ok(false);
        }
        self.consistent(from, to, old, new)
    }

    /// The audit path of event `seq` in the tree of `size` leaves, base64, as the server sends it.
    pub fn inclusion_proof(&self, seq: u64, size: u64) -> anyhow::Result<Vec<String>> {
        let reply = self.json(
            self.get("/v1/proof/inclusion")
                .query(&[("seq", seq), ("size", size)]),
        )?;
        Ok(reply["proof"]
            .as_array()
            .map(|p| {
                p.iter()
                    .filter_map(|h| h.as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default())
    }

    /// Checks the server's history against the checkpoint this client kept (as every read
    /// does), now.
    pub fn verify_history(&self) -> anyhow::Result<()> {
        self.checked.set(false);
        self.check_history()
    }

    fn event_path(id: &str) -> String {
        format!(
            "/v1/events/{}",
            form_urlencoded::byte_serialize(id.trim().as_bytes()).collect::<String>()
        )
    }

    /// The server's revert plan for an event, and its ETag.
    pub fn revert_plan(&self, id: &str) -> anyhow::Result<(Value, String)> {
        let response = self.send(self.get(&format!("{}/revert", Self::event_path(id))))?;
        let etag = response
            .headers()
            .get(reqwest::header::ETAG)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        Ok((response.json()?, etag))
    }

    /// Performs a revert on the server, if the record is still as the plan with `etag` saw it.
    /// The idempotency key makes a retried request safe.
    pub fn revert(
        &self,
        id: &str,
        etag: &str,
        reason: Option<&str>,
        force: bool,
        user: &str,
    ) -> anyhow::Result<Event> {
        let request = self
            .with_token(
                self.client
                    .post(format!("{}{}/revert", self.base, Self::event_path(id))),
            )
            .header(reqwest::header::IF_MATCH, etag)
            .header("Idempotency-Key", crate::model::new_id())
            .json(&serde_json::json!({"reason": reason, "force": force, "user": user}));
        Ok(self.send(request)?.json()?)
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

/// The filter as query parameters: the expression's text, when there is one.
fn filter_params(filter: &Expr) -> Vec<(&'static str, String)> {
    let text = print(filter);
    if text.is_empty() {
        Vec::new()
    } else {
        vec![("filter", text)]
    }
}

impl Store for RemoteStore {
    fn scan(
        &self,
        q: &Query,
        each: &mut dyn FnMut(Event) -> anyhow::Result<bool>,
    ) -> anyhow::Result<()> {
        self.check_history()?;
        // The API pages by time (then seq), or by seq with `sort=seq`.
        let (sort, order) = match q.order.as_slice() {
            [] => ("seq", "asc"),
            [k] if matches!(k.field, SortField::Seq | SortField::Time) => (
                if k.field == SortField::Seq {
                    "seq"
                } else {
                    "time"
                },
                if k.descending { "desc" } else { "asc" },
            ),
            [k, ..] => {
                return Err(Failure::usage(format!(
                    "--sort {:?} is not available with --remote: the API orders by time or seq",
                    SortField::NAMES
                        .iter()
                        .find(|(_, f)| *f == k.field)
                        .map_or("?", |(n, _)| n)
                ))
                .into());
            }
        };
        if q.limit.is_none() && q.offset == 0 && (sort, order) == ("seq", "asc") {
            return self.stream(&q.filter, each);
        }
        let limit = q.limit.unwrap_or(usize::MAX);
        let (mut skipped, mut sent) = (0usize, 0usize);
        let mut cursor: Option<String> = None;
        loop {
            let want = (limit - sent).saturating_add(q.offset - skipped).min(PAGE);
            let mut params = filter_params(&q.filter);
            params.push(("sort", sort.to_owned()));
            params.push(("order", order.to_owned()));
            params.push(("limit", want.to_string()));
            if let Some(c) = &cursor {
                params.push(("cursor", c.clone()));
            }
            let page = self.json(self.get("/v1/events").query(&params))?;
            let events = page["events"].as_array().cloned().unwrap_or_default();
            let full = events.len() == want;
            for item in events {
                if skipped < q.offset {
                    skipped += 1;
                    continue;
                }
                if sent >= limit {
                    return Ok(());
                }
                sent += 1;
                let event: Event = serde_json::from_value(item).map_err(|e| {
                    Failure::runtime(format!("{} sent an event that is not one: {e}", self.base))
                })?;
                if !each(event)? {
                    return Ok(());
                }
            }
            cursor = page["next_cursor"].as_str().map(str::to_owned);
            if !full || cursor.is_none() || sent >= limit {
                return Ok(());
            }
        }
    }

    fn count(&self, filter: &Expr) -> anyhow::Result<u64> {
        self.check_history()?;
        let mut params = filter_params(filter);
        params.push(("limit", "1".to_owned()));
        params.push(("count", "true".to_owned()));
        let response = self.send(self.get("/v1/events").query(&params))?;
        response
            .headers()
            .get("x-total-count")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| anyhow::anyhow!("{} did not say how many events match", self.base))
    }

    fn group_counts(
        &self,
        filter: &Expr,
        fields: &[Field],
    ) -> anyhow::Result<Vec<(Vec<Value>, u64)>> {
        self.check_history()?;
        let names: Vec<String> = fields.iter().map(Field::name).collect();
        let mut params = filter_params(filter);
        params.push(("by", names.join(",")));
        let rows = self.json(self.get("/v1/stats").query(&params))?;
        Ok(rows
            .as_array()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .map(|row| {
                let key = names.iter().map(|n| row[n].clone()).collect();
                (key, row["count"].as_u64().unwrap_or(0))
            })
            .collect())
    }

    fn last_seq(&self) -> anyhow::Result<u64> {
        Ok(self.json(self.get("/v1"))?["last_seq"]
            .as_u64()
            .unwrap_or(0))
    }

    fn get(&self, id: &str) -> anyhow::Result<Event> {
        self.check_history()?;
        let path = format!(
            "/v1/events/{}",
            form_urlencoded::byte_serialize(id.trim().as_bytes()).collect::<String>()
        );
        let response = self.send(RemoteStore::get(self, &path)).map_err(|e| {
            match e.downcast_ref::<Failure>() {
                Some(f) if f.code == exit::NOT_FOUND => StoreError::NotFound(id.to_owned()).into(),
                _ => e,
            }
        })?;
        Ok(response.json()?)
    }

    fn append_entries(
        &mut self,
        _entries: &mut dyn Iterator<Item = anyhow::Result<crate::store::NewEntry>>,
    ) -> anyhow::Result<AppendReport> {
        Err(Failure::runtime("appending prepared entries is local; use append").into())
    }

    fn append(
        &mut self,
        events: &mut dyn Iterator<Item = anyhow::Result<Event>>,
    ) -> anyhow::Result<AppendReport> {
        let events: Vec<Event> = events.collect::<anyhow::Result<_>>()?;
        let request = self.with_token(
            self.client
                .post(format!("{}/v1/events", self.base))
                .json(&events),
        );
        let reply = self.json(request)?;
        Ok(AppendReport {
            added: reply["added"].as_u64().unwrap_or(0),
            duplicates: reply["duplicates"].as_u64().unwrap_or(0),
            first_seq: reply["first_seq"].as_u64(),
        })
    }

    fn append_checked(
        &mut self,
        _decide: &mut dyn FnMut(&dyn Store) -> anyhow::Result<Event>,
    ) -> anyhow::Result<u64> {
        Err(Failure::runtime("revert is not available with --remote yet").into())
    }
}

//! The capabilities of a server as a back end: reads page by page or as one stream, appends,
//! reverts with the server's plan and ETag, and the tree, checkpoints and proofs, each through
//! the typed API.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use serde_json::Value;

use super::history::decode_hashes;
use super::{PAGE, RemoteStore, chain, integrity};
use crate::api;
use crate::error::{Failure, exit};
use crate::integrity::merkle::Hash;
use crate::integrity::note::{self, SigningKey};
use crate::integrity::verify::Options;
use crate::model::Event;
use crate::query::{Expr, Field, print::print};
use crate::store::{
    Append, AppendReport, Backend, Integrity, NewEntry, Query, Revert, SortField, Store, StoreError,
};

/// The filter as query parameters: the expression's text, when there is one.
fn filter_params(filter: &Expr) -> Vec<(&'static str, String)> {
    let text = print(filter);
    if text.is_empty() {
        Vec::new()
    } else {
        vec![("filter", text)]
    }
}

impl RemoteStore {
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
                Failure::runtime(format!(
                    "{} broke off the stream: {}",
                    self.shown,
                    chain(&e)
                ))
            })?;
            if line.is_empty() {
                continue;
            }
            if !each(self.event(&line)?)? {
                break;
            }
        }
        Ok(())
    }

    fn event(&self, json: &str) -> anyhow::Result<Event> {
        serde_json::from_str(json).map_err(|e| {
            Failure::runtime(format!("{} sent an event that is not one: {e}", self.shown)).into()
        })
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
            let page: api::EventsPage<Event> = self.json(self.get("/v1/events").query(&params))?;
            let full = page.events.len() == want;
            for event in page.events {
                if skipped < q.offset {
                    skipped += 1;
                    continue;
                }
                if sent >= limit {
                    return Ok(());
                }
                sent += 1;
                if !each(event)? {
                    return Ok(());
                }
            }
            cursor = page.next_cursor;
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
            .ok_or_else(|| anyhow::anyhow!("{} did not say how many events match", self.shown))
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
        let rows: Vec<api::StatsRow> = self.json(self.get("/v1/stats").query(&params))?;
        Ok(rows
            .into_iter()
            .map(|mut row| {
                let key = names
                    .iter()
                    .map(|n| row.key.remove(n).unwrap_or(Value::Null))
                    .collect();
                (key, row.count)
            })
            .collect())
    }

    fn last_seq(&self) -> anyhow::Result<u64> {
        // A follower asks this first at each poll: the server is held to its history here too.
        self.check_history()?;
        Ok(self.capabilities()?.last_seq)
    }

    fn get(&self, id: &str) -> anyhow::Result<Event> {
        self.check_history()?;
        let response = self
            .send(RemoteStore::get(self, &Self::event_path(id)))
            .map_err(|e| match e.downcast_ref::<Failure>() {
                Some(f) if f.code == exit::NOT_FOUND => StoreError::NotFound(id.to_owned()).into(),
                _ => e,
            })?;
        self.event(&response.text()?)
    }
}

impl Append for RemoteStore {
    /// The entries' canonical texts, sent as one JSON array that the server appends all or
    /// nothing.
    fn append_entries(
        &mut self,
        entries: &mut dyn Iterator<Item = anyhow::Result<NewEntry>>,
    ) -> anyhow::Result<AppendReport> {
        let mut body = String::from("[");
        for (i, entry) in entries.enumerate() {
            if i > 0 {
                body.push(',');
            }
            body.push_str(&entry?.entry);
        }
        body.push(']');
        self.json(
            self.post("/v1/events")
                .header(reqwest::header::CONTENT_TYPE, "application/json")
                .body(body),
        )
    }
}

impl Revert for RemoteStore {
    /// The token's name, once the server says the token may revert at all.
    fn reverter(&self) -> anyhow::Result<String> {
        let caps = self.capabilities()?;
        match caps.token {
            Some(t) if !t.has(api::Scope::Revert) => Err(Failure::runtime(format!(
                "{}: the token {:?} lacks the scope {}, so it cannot revert",
                self.shown,
                t.name,
                api::Scope::Revert.name()
            ))
            .with_hint("ask for a token with the revert scope")
            .into()),
            Some(t) => Ok(t.name),
            // A server without tokens records its requests as from nobody in particular.
            None => Ok(api::OPEN_CALLER.to_owned()),
        }
    }

    fn revert_plan(&self, id: &str) -> anyhow::Result<(api::RevertPlan, String)> {
        self.check_history()?;
        let response = self.send(self.get(&format!("{}/revert", Self::event_path(id))))?;
        let etag = response
            .headers()
            .get(reqwest::header::ETAG)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_owned();
        let plan = response.json().map_err(|e| {
            Failure::runtime(format!(
                "{} sent a revert plan auditctl cannot read: {}",
                self.shown,
                chain(&e.without_url())
            ))
        })?;
        Ok((plan, etag))
    }

    /// The server checks and appends in one transaction; `If-Match` makes it refuse a record
    /// that changed since the plan, and a fresh `Idempotency-Key` makes a retry safe. A gate
    /// cannot run inside the server's transaction, so none is taken.
    fn revert(
        &mut self,
        id: &str,
        etag: &str,
        request: &api::RevertRequest,
        gate: Option<crate::store::Gate<'_>>,
    ) -> anyhow::Result<Event> {
        if gate.is_some() {
            return Err(Failure::usage(
                "--exec is not available with --remote: the server appends, so the command \
                 could not gate it",
            )
            .into());
        }
        let response = self.send(
            self.post(&format!("{}/revert", Self::event_path(id)))
                .header(reqwest::header::IF_MATCH, etag)
                .header("Idempotency-Key", crate::model::new_id())
                .json(request),
        )?;
        self.event(&response.text()?)
    }
}

impl RemoteStore {
    /// The server's latest checkpoint, checked against the one this client kept, parsed.
    fn latest(&self) -> anyhow::Result<Option<(String, note::SignedCheckpoint)>> {
        self.verify_history()?;
        let response = self.send_any(self.get("/v1/checkpoint"))?;
        if response.status() == reqwest::StatusCode::NOT_FOUND {
            return Ok(None);
        }
        if !response.status().is_success() {
            let status = response.status();
            return Err(self.failure(status, response));
        }
        let text = response.text()?;
        let parsed = note::parse(&text).map_err(|e| {
            integrity(format!(
                "{} sent a checkpoint that does not parse: {e}",
                self.shown
            ))
        })?;
        Ok(Some((text, parsed)))
    }
}

impl Integrity for RemoteStore {
    fn origin(&self) -> anyhow::Result<String> {
        match self.latest()? {
            Some((_, cp)) => Ok(cp.checkpoint.origin),
            None => Err(Failure::runtime(format!(
                "{} has no checkpoint yet, so its log's origin is unknown",
                self.shown
            ))
            .into()),
        }
    }

    fn latest_checkpoint(&self) -> anyhow::Result<Option<String>> {
        Ok(self.latest()?.map(|(text, _)| text))
    }

    /// A client cannot make the server's checkpoints (keys sign on the store's host): without
    /// a key this is the server's latest.
    fn checkpoint(&mut self, key: Option<&SigningKey>) -> anyhow::Result<String> {
        if key.is_some() {
            return Err(Failure::usage(
                "with --remote, checkpoint prints the server's latest; keys sign on the server's \
                 host",
            )
            .into());
        }
        self.latest_checkpoint()?.ok_or_else(|| {
            Failure::runtime(format!("{} has no checkpoint yet", self.shown))
                .with_hint("run `auditctl checkpoint` on the server's store")
                .into()
        })
    }

    fn is_checkpoint_size(&self, _size: u64) -> anyhow::Result<bool> {
        // The server answers for its own checkpoints when asked for a proof.
        Ok(false)
    }

    fn consistency_proof(&self, from: u64, to: u64) -> anyhow::Result<Vec<Hash>> {
        self.fetch_consistency(from, to)
    }

    fn inclusion_proof(&self, seq: u64, size: u64) -> anyhow::Result<Vec<Hash>> {
        let reply: api::InclusionProof = self.json(
            self.get("/v1/proof/inclusion")
                .query(&[("seq", seq), ("size", size)]),
        )?;
        decode_hashes(&reply.proof)
    }

    /// The event's bytes as the server holds them: exact for a token that may see every value.
    fn entry_text(&self, seq: u64) -> anyhow::Result<String> {
        let event = Store::get(self, &seq.to_string())?;
        Ok(String::from_utf8(event.canonical_bytes())?)
    }

    /// The server's history, as far as a client can check it: its latest checkpoint extends
    /// the one this client kept and the given one (consistency proofs), signed by the key. The
    /// entries themselves are verified where the store is.
    fn verify(&self, opts: &Options) -> anyhow::Result<String> {
        let (_, latest) = self.latest()?.ok_or_else(|| {
            integrity(format!(
                "{} has no checkpoint: there is nothing to verify its log by",
                self.shown
            ))
        })?;
        let cp = &latest.checkpoint;
        if let Some(key) = opts.key {
            match key.check(&latest) {
                Some(true) => {}
                Some(false) => {
                    return Err(integrity(format!(
                        "the server's checkpoint signature by {} is not valid",
                        key.name
                    )));
                }
                None => {
                    return Err(integrity(format!(
                        "the server's checkpoint is not signed by the key {}",
                        key.name
                    )));
                }
            }
        }
        if let Some(ext) = opts.external {
            let e = &ext.checkpoint;
            if e.origin != cp.origin || !self.consistent(e.size, cp.size, &e.root, &cp.root)? {
                return Err(integrity(format!(
                    "{}'s log does not extend the given checkpoint of {} events: history was \
                     rewritten",
                    self.shown, e.size
                )));
            }
        }
        Ok(format!(
            "verified {}: its log {} of {} events (root {}) extends every checkpoint this client \
             saw{}{}; verify the entries themselves with `auditctl verify` where the store is",
            self.shown,
            cp.origin,
            crate::render::thousands(cp.size),
            B64.encode(cp.root),
            if opts.external.is_some() {
                " and the given one"
            } else {
                ""
            },
            if opts.key.is_some() { ", signed" } else { "" },
        ))
    }
}

impl Backend for RemoteStore {
    fn can_reveal(&self) -> anyhow::Result<bool> {
        Ok(self
            .capabilities()?
            .token
            .is_none_or(|t| t.has(api::Scope::ViewSensitive)))
    }

    fn append(&mut self) -> anyhow::Result<&mut dyn Append> {
        Ok(self)
    }

    fn revert(&mut self) -> anyhow::Result<&mut dyn Revert> {
        Ok(self)
    }

    fn integrity(&mut self) -> anyhow::Result<&mut dyn Integrity> {
        Ok(self)
    }
}

//! Load test of two `auditctl serve` processes sharing one PostgreSQL store (issue 17, item 8).
//!
//! CLIENTS threads, split between the servers, each with a token and a connection of its own,
//! run a mix of requests for SECONDS: appends (`POST /v1/events`, one to three events that
//! update records of the client's own), page reads (`GET /v1/events`, first pages, next pages
//! by cursor, and pages of alice's updates), reverts (the plan with its ETag, then `POST
//! …/revert` with `If-Match` on one of the last updates any client appended, so clients race
//! for the same targets) and exports (`Accept: application/x-ndjson`, alice's deletes). Then it
//! lists every event with `auditctl list --all --sort seq -o jsonl` and checks that every
//! acknowledged event (a 201 with its seq) is stored at that seq, and that the seqs are gapless.
//!
//! `benches/postgres.sh` starts the servers and runs this with, in the environment:
//!
//! - `PG_LOAD_SERVERS`: the servers' base URLs, comma-separated;
//! - `PG_LOAD_TOKENS`: a file of bearer tokens, one a line, one per client;
//! - `PG_LOAD_STORE`: the store's `postgres://` URL (for the check);
//! - `AUDITCTL_BIN`: the auditctl binary (for the check);
//! - `PG_LOAD_CLIENTS` (default 50), `PG_LOAD_SECONDS` (default 30), and `PG_LOAD_MIX`
//!   (default `append=40,page=35,revert=17,export=8`: weights of the four kinds).
//!
//! Exit status 1 when an event was lost, a seq is missing, or a request met an error other
//! than the 409 and 412 that racing reverts are answered.

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::io::{BufRead, BufReader, Read};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context, anyhow, bail};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use reqwest::blocking::Client;
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, ETAG, IF_MATCH};
use serde_json::{Value, json};

/// Records each client updates (so that a revert's target is often still its record's last
/// change, and sometimes not).
const RECORDS: usize = 4;
/// How many of the latest appended updates reverts choose from.
const TARGETS: usize = 16;

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
enum Kind {
    Append,
    Page,
    RevertPlan,
    Revert,
    Export,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Append => "append (POST /v1/events, 1–3 events)",
            Kind::Page => "page (GET /v1/events, limit 50)",
            Kind::RevertPlan => "revert plan (GET …/revert)",
            Kind::Revert => "revert (POST …/revert, If-Match)",
            Kind::Export => "export (NDJSON stream, alice's deletes)",
        }
    }
}

/// What one client saw.
#[derive(Default)]
struct Tally {
    /// Latencies in milliseconds, per kind (every answer, whatever its status).
    latency: BTreeMap<Kind, Vec<f64>>,
    /// Answers per kind and status (0: no answer, or the body broke off).
    status: BTreeMap<(Kind, u16), u64>,
    /// Expected refusals (409, 412 of reverts and plans) by problem code.
    conflicts: BTreeMap<String, u64>,
    /// Plans that already said the revert would be refused (not posted).
    refused_plans: BTreeMap<String, u64>,
    /// Unexpected answers, the first few of each kind in full.
    errors: Vec<String>,
    /// Acknowledged events: (seq, id).
    acked: Vec<(u64, String)>,
    /// Events exported and events read in pages.
    exported: u64,
    paged: u64,
    /// Duplicates an append reported (none are sent).
    duplicates: u64,
}

impl Tally {
    fn answer(&mut self, kind: Kind, status: u16, started: Instant) {
        self.latency
            .entry(kind)
            .or_default()
            .push(started.elapsed().as_secs_f64() * 1000.0);
        *self.status.entry((kind, status)).or_default() += 1;
    }

    fn error(&mut self, kind: Kind, what: String) {
        if self.errors.len() < 20 {
            self.errors.push(format!("{}: {what}", kind.name()));
        }
    }

    fn merge(&mut self, other: Tally) {
        for (k, mut v) in other.latency {
            self.latency.entry(k).or_default().append(&mut v);
        }
        for (k, n) in other.status {
            *self.status.entry(k).or_default() += n;
        }
        for (k, n) in other.conflicts {
            *self.conflicts.entry(k).or_default() += n;
        }
        for (k, n) in other.refused_plans {
            *self.refused_plans.entry(k).or_default() += n;
        }
        self.errors.extend(other.errors);
        self.acked.extend(other.acked);
        self.exported += other.exported;
        self.paged += other.paged;
        self.duplicates += other.duplicates;
    }
}

struct Mix {
    append: u32,
    page: u32,
    revert: u32,
    export: u32,
}

impl Mix {
    fn parse(text: &str) -> anyhow::Result<Mix> {
        let mut mix = Mix {
            append: 0,
            page: 0,
            revert: 0,
            export: 0,
        };
        for part in text.split(',') {
            let (name, weight) = part
                .split_once('=')
                .ok_or_else(|| anyhow!("PG_LOAD_MIX: {part:?} is not NAME=WEIGHT"))?;
            let weight: u32 = weight.trim().parse()?;
            match name.trim() {
                "append" => mix.append = weight,
                "page" => mix.page = weight,
                "revert" => mix.revert = weight,
                "export" => mix.export = weight,
                other => bail!("PG_LOAD_MIX: unknown kind {other:?}"),
            }
        }
        if mix.append + mix.page + mix.revert + mix.export == 0 {
            bail!("PG_LOAD_MIX: every weight is 0");
        }
        Ok(mix)
    }

    fn pick(&self, rng: &mut StdRng) -> Kind {
        let mut n = rng.gen_range(0..self.append + self.page + self.revert + self.export);
        for (kind, w) in [
            (Kind::Append, self.append),
            (Kind::Page, self.page),
            (Kind::Revert, self.revert),
        ] {
            if n < w {
                return kind;
            }
            n -= w;
        }
        Kind::Export
    }
}

/// A client: its server, token, records and paging cursor.
struct Worker {
    n: usize,
    base: String,
    token: String,
    http: Client,
    rng: StdRng,
    /// Each record's version, 0 before its first event.
    records: [u64; RECORDS],
    cursor: Option<String>,
    tally: Tally,
    targets: Arc<Mutex<VecDeque<u64>>>,
}

fn env(name: &str) -> anyhow::Result<String> {
    std::env::var(name).with_context(|| format!("{name} is not set (run benches/postgres.sh)"))
}

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> anyhow::Result<T> {
    match std::env::var(name) {
        Ok(v) => v
            .parse()
            .map_err(|_| anyhow!("{name}={v:?} is not a valid value")),
        Err(_) => Ok(default),
    }
}

/// The problem code of an error answer, else its status.
fn problem_code(status: u16, body: &str) -> String {
    serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|v| v.get("code").and_then(Value::as_str).map(str::to_owned))
        .unwrap_or_else(|| format!("status {status}"))
}

/// The start of an answer's body, for an error line.
fn short(body: &str) -> &str {
    let mut end = body.len().min(300);
    while !body.is_char_boundary(end) {
        end -= 1;
    }
    &body[..end]
}

impl Worker {
    fn get(&self, path: &str) -> reqwest::blocking::RequestBuilder {
        self.http
            .get(format!("{}{path}", self.base))
            .header(AUTHORIZATION, format!("Bearer {}", self.token))
    }

    fn post(&self, path: &str, body: &Value) -> reqwest::blocking::RequestBuilder {
        self.http
            .post(format!("{}{path}", self.base))
            .header(AUTHORIZATION, format!("Bearer {}", self.token))
            .header(CONTENT_TYPE, "application/json")
            .body(body.to_string())
    }

    /// Sends a request and reads its whole body: (status, body), or the failure.
    fn send(
        &mut self,
        kind: Kind,
        req: reqwest::blocking::RequestBuilder,
    ) -> Option<(u16, reqwest::header::HeaderMap, String)> {
        let started = Instant::now();
        let result = req.send().and_then(|r| {
            let status = r.status().as_u16();
            let headers = r.headers().clone();
            r.text().map(|body| (status, headers, body))
        });
        match result {
            Ok((status, headers, body)) => {
                self.tally.answer(kind, status, started);
                Some((status, headers, body))
            }
            Err(e) => {
                self.tally.answer(kind, 0, started);
                self.tally.error(kind, format!("no answer: {e}"));
                None
            }
        }
    }

    fn run(&mut self, mix: &Mix, until: Instant) {
        while Instant::now() < until {
            match mix.pick(&mut self.rng) {
                Kind::Append => self.append(),
                Kind::Page => self.page(),
                Kind::Export => self.export(),
                _ => self.revert(),
            }
        }
    }

    fn append(&mut self) {
        let count = self.rng.gen_range(1..=3);
        let mut events = Vec::new();
        let mut ids = Vec::new();
        let mut versions = Vec::new();
        for _ in 0..count {
            let r = self.rng.gen_range(0..RECORDS);
            let v = self.records[r];
            let id = uuid::Uuid::now_v7().to_string();
            let state = |v: u64| json!({"owner": format!("load-{}", self.n), "version": v, "note": format!("v{v}")});
            let (action, before) = if v == 0 {
                ("INSERT", Value::Null)
            } else {
                ("UPDATE", state(v))
            };
            events.push(json!({
                "id": id,
                "time": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
                "user": format!("load-{}", self.n),
                "user_type": "automation",
                "action": action,
                "operation": "pg_load",
                "service": "pg_load",
                "table": "load_items",
                "resource_id": format!("c{}-r{r}", self.n),
                "before": before,
                "after": state(v + 1),
                "message": format!("load client {} sets record {r} to version {}", self.n, v + 1),
                "meta": {"client": self.n},
            }));
            self.records[r] = v + 1;
            ids.push(id);
            versions.push(v);
        }
        let req = self.post("/v1/events", &Value::Array(events));
        let Some((status, _, body)) = self.send(Kind::Append, req) else {
            return;
        };
        if status != 201 {
            self.tally
                .error(Kind::Append, format!("{status}: {}", short(&body)));
            return;
        }
        let answer: Value = serde_json::from_str(&body).unwrap_or_default();
        let added = answer["added"].as_u64().unwrap_or(0) as usize;
        let first = answer["first_seq"].as_u64();
        self.tally.duplicates += answer["duplicates"].as_u64().unwrap_or(0);
        match first {
            Some(first) if added == ids.len() => {
                let mut targets = self.targets.lock().unwrap();
                for (i, id) in ids.into_iter().enumerate() {
                    let seq = first + i as u64;
                    if versions[i] > 0 {
                        targets.push_back(seq);
                        if targets.len() > TARGETS {
                            targets.pop_front();
                        }
                    }
                    self.tally.acked.push((seq, id));
                }
            }
            _ => self.tally.error(
                Kind::Append,
                format!("201 for {} events: {}", ids.len(), short(&body)),
            ),
        }
    }

    fn page(&mut self) {
        let choice = self.rng.gen_range(0..10);
        let path = match (&self.cursor, choice) {
            (Some(c), 0..=2) => format!("/v1/events?limit=50&cursor={c}"),
            (_, 3..=4) => "/v1/events?limit=50&user=alice&action=UPDATE".to_owned(),
            _ => "/v1/events?limit=50".to_owned(),
        };
        let req = self.get(&path).header(ACCEPT, "application/json");
        let Some((status, _, body)) = self.send(Kind::Page, req) else {
            return;
        };
        if status != 200 {
            self.tally
                .error(Kind::Page, format!("{status} {path}: {}", short(&body)));
            return;
        }
        match serde_json::from_str::<Value>(&body) {
            Ok(page) => {
                self.tally.paged += page["events"].as_array().map_or(0, |e| e.len() as u64);
                // Follow the unfiltered pages only (a cursor belongs to its filters).
                if !path.contains("user=") {
                    self.cursor = page["next_cursor"].as_str().map(|c| {
                        percent_encoding::utf8_percent_encode(c, percent_encoding::NON_ALPHANUMERIC)
                            .to_string()
                    });
                }
            }
            Err(e) => self
                .tally
                .error(Kind::Page, format!("a page that is not JSON: {e}")),
        }
    }

    fn export(&mut self) {
        let started = Instant::now();
        let result = self
            .get("/v1/events?user=alice&action=DELETE")
            .header(ACCEPT, "application/x-ndjson")
            .send()
            .map(|r| {
                let status = r.status().as_u16();
                let mut lines = 0u64;
                let mut reader = BufReader::new(r);
                let mut buf = Vec::new();
                loop {
                    buf.clear();
                    match reader.read_until(b'\n', &mut buf) {
                        Ok(0) => break,
                        Ok(_) => lines += 1,
                        Err(e) => return (status, Err(e.to_string())),
                    }
                }
                (status, Ok(lines))
            });
        match result {
            Ok((200, Ok(lines))) => {
                self.tally.answer(Kind::Export, 200, started);
                self.tally.exported += lines;
            }
            Ok((status, Ok(_))) => {
                self.tally.answer(Kind::Export, status, started);
                self.tally.error(Kind::Export, format!("{status}"));
            }
            Ok((_, Err(e))) => {
                self.tally.answer(Kind::Export, 0, started);
                self.tally
                    .error(Kind::Export, format!("the stream broke off: {e}"));
            }
            Err(e) => {
                self.tally.answer(Kind::Export, 0, started);
                self.tally.error(Kind::Export, format!("no answer: {e}"));
            }
        }
    }

    fn revert(&mut self) {
        let target = {
            let targets = self.targets.lock().unwrap();
            if targets.is_empty() {
                None
            } else {
                Some(targets[self.rng.gen_range(0..targets.len())])
            }
        };
        let Some(seq) = target else {
            return self.page();
        };
        let req = self.get(&format!("/v1/events/{seq}/revert"));
        let Some((status, headers, body)) = self.send(Kind::RevertPlan, req) else {
            return;
        };
        match status {
            200 => {}
            409 | 412 => {
                *self
                    .tally
                    .conflicts
                    .entry(format!("plan: {}", problem_code(status, &body)))
                    .or_default() += 1;
                return;
            }
            _ => {
                self.tally
                    .error(Kind::RevertPlan, format!("{status}: {}", short(&body)));
                return;
            }
        }
        let plan: Value = serde_json::from_str(&body).unwrap_or_default();
        if let Some(code) = plan["refusal"]["code"].as_str() {
            *self.tally.refused_plans.entry(code.to_owned()).or_default() += 1;
            return;
        }
        let Some(etag) = headers.get(ETAG).cloned() else {
            self.tally
                .error(Kind::RevertPlan, "a plan without an ETag".to_owned());
            return;
        };
        let req = self
            .post(
                &format!("/v1/events/{seq}/revert"),
                &json!({"reason": format!("pg_load client {}", self.n)}),
            )
            .header(IF_MATCH, etag)
            .header("Idempotency-Key", uuid::Uuid::now_v7().to_string());
        let Some((status, _, body)) = self.send(Kind::Revert, req) else {
            return;
        };
        match status {
            201 => {
                let event: Value = serde_json::from_str(&body).unwrap_or_default();
                match (event["seq"].as_u64(), event["id"].as_str()) {
                    (Some(seq), Some(id)) => self.tally.acked.push((seq, id.to_owned())),
                    _ => self.tally.error(
                        Kind::Revert,
                        format!("201 without seq/id: {}", short(&body)),
                    ),
                }
            }
            409 | 412 => {
                *self
                    .tally
                    .conflicts
                    .entry(problem_code(status, &body))
                    .or_default() += 1;
            }
            _ => self
                .tally
                .error(Kind::Revert, format!("{status}: {}", short(&body))),
        }
    }
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64) * p).ceil() as usize;
    sorted[i.clamp(1, sorted.len()) - 1]
}

/// Every stored (seq, id) with a seq above `after`, read with `auditctl list`; also checks
/// that the seqs run 1..=n without a gap.
fn stored(bin: &str, store: &str, after: u64) -> anyhow::Result<(u64, HashMap<String, u64>)> {
    #[derive(serde::Deserialize)]
    struct Row {
        seq: u64,
        id: String,
    }
    let mut child = Command::new(bin)
        .args([
            "--store", store, "list", "--all", "--sort", "seq", "-o", "jsonl",
        ])
        .stdout(Stdio::piped())
        .spawn()
        .with_context(|| format!("running {bin}"))?;
    let reader = BufReader::with_capacity(1 << 20, child.stdout.take().unwrap());
    let mut last = 0;
    let mut ids = HashMap::new();
    for line in reader.lines() {
        let row: Row = serde_json::from_str(&line?)?;
        if row.seq != last + 1 {
            bail!("seq {} follows seq {last}: the seqs have a gap", row.seq);
        }
        last = row.seq;
        if row.seq > after
            && let Some(seq) = ids.insert(row.id.clone(), row.seq)
        {
            bail!("id {} is stored at seqs {seq} and {}", row.id, row.seq);
        }
    }
    if !child.wait()?.success() {
        bail!("auditctl list failed");
    }
    Ok((last, ids))
}

fn last_seq(http: &Client, base: &str, token: &str) -> anyhow::Result<u64> {
    let mut body = String::new();
    http.get(format!("{base}/v1"))
        .header(AUTHORIZATION, format!("Bearer {token}"))
        .send()?
        .error_for_status()?
        .read_to_string(&mut body)?;
    let v: Value = serde_json::from_str(&body)?;
    v["last_seq"]
        .as_u64()
        .ok_or_else(|| anyhow!("GET /v1 has no last_seq: {body}"))
}

fn main() -> anyhow::Result<()> {
    let servers: Vec<String> = env("PG_LOAD_SERVERS")?
        .split(',')
        .map(|s| s.trim_end_matches('/').to_owned())
        .collect();
    let tokens: Vec<String> = std::fs::read_to_string(env("PG_LOAD_TOKENS")?)?
        .lines()
        .map(str::to_owned)
        .collect();
    let store = env("PG_LOAD_STORE")?;
    let bin = env("AUDITCTL_BIN")?;
    let clients: usize = env_or("PG_LOAD_CLIENTS", 50)?;
    let seconds: u64 = env_or("PG_LOAD_SECONDS", 30)?;
    let mix = Mix::parse(&env_or(
        "PG_LOAD_MIX",
        "append=40,page=35,revert=17,export=8".to_owned(),
    )?)?;
    if tokens.len() < clients {
        bail!("{} tokens for {clients} clients", tokens.len());
    }

    let http = Client::builder()
        .timeout(Duration::from_secs(120))
        .build()?;
    let start_seq = last_seq(&http, &servers[0], &tokens[0])?;
    eprintln!(
        "pg_load: {clients} clients on {} servers for {seconds} s, store at seq {start_seq}",
        servers.len()
    );

    let targets = Arc::new(Mutex::new(VecDeque::new()));
    let mix = Arc::new(mix);
    let started = Instant::now();
    let until = started + Duration::from_secs(seconds);
    let handles: Vec<_> = (0..clients)
        .map(|n| {
            let mut client = Worker {
                n: n + 1,
                base: servers[n % servers.len()].clone(),
                token: tokens[n].clone(),
                http: Client::builder()
                    .timeout(Duration::from_secs(120))
                    .build()
                    .expect("an HTTP client"),
                rng: StdRng::seed_from_u64(n as u64 + 1),
                records: [0; RECORDS],
                cursor: None,
                tally: Tally::default(),
                targets: targets.clone(),
            };
            let mix = mix.clone();
            std::thread::spawn(move || {
                client.run(&mix, until);
                client.tally
            })
        })
        .collect();
    let mut all = Tally::default();
    for h in handles {
        all.merge(h.join().map_err(|_| anyhow!("a client panicked"))?);
    }
    let elapsed = started.elapsed().as_secs_f64();

    println!(
        "{clients} clients, {} servers, {elapsed:.1} s (the last requests finish after the {seconds} s)\n",
        servers.len()
    );
    println!("| kind | requests | 2xx | expected 409/412 | errors | p50 ms | p99 ms | max ms |");
    println!("|---|---|---|---|---|---|---|---|");
    let mut errors = 0u64;
    let mut total = 0u64;
    for (kind, lat) in all.latency.iter_mut() {
        lat.sort_by(f64::total_cmp);
        let by = |f: &dyn Fn(u16) -> bool| -> u64 {
            all.status
                .iter()
                .filter(|((k, s), _)| k == kind && f(*s))
                .map(|(_, n)| n)
                .sum()
        };
        let ok = by(&|s| (200..300).contains(&s));
        let expected = match kind {
            Kind::Revert | Kind::RevertPlan => by(&|s| s == 409 || s == 412),
            _ => 0,
        };
        let n = lat.len() as u64;
        let bad = n - ok - expected;
        errors += bad;
        total += n;
        println!(
            "| {} | {n} | {ok} | {expected} | {bad} | {:.1} | {:.1} | {:.1} |",
            kind.name(),
            percentile(lat, 0.50),
            percentile(lat, 0.99),
            lat.last().copied().unwrap_or(f64::NAN),
        );
    }
    println!(
        "\n{total} requests, {:.0} a second; {} events read in pages, {} exported",
        total as f64 / elapsed,
        all.paged,
        all.exported
    );
    println!("statuses: {:?}", all.status);
    println!("revert conflicts (expected): {:?}", all.conflicts);
    println!("plans that refused (no POST): {:?}", all.refused_plans);
    for e in &all.errors {
        println!("error: {e}");
    }

    let check = Instant::now();
    let end_seq = last_seq(&http, &servers[servers.len() - 1], &tokens[0])?;
    let (last, ids) = stored(&bin, &store, start_seq)?;
    let mut lost = 0;
    for (seq, id) in &all.acked {
        match ids.get(id) {
            Some(s) if s == seq => {}
            Some(s) => {
                lost += 1;
                println!("acknowledged at seq {seq}, stored at seq {s}: {id}");
            }
            None => {
                lost += 1;
                println!("acknowledged at seq {seq}, not stored: {id}");
            }
        }
    }
    let unacked = ids.len() as u64 - (all.acked.len() as u64 - lost);
    println!(
        "\nacknowledged events: {} (appends and reverts); stored after seq {start_seq}: {}; lost: \
         {lost}; stored without an acknowledgement: {unacked}; duplicates reported: {}; seqs \
         1..={last} gapless (GET /v1 last_seq {end_seq}); checked in {:.1} s",
        all.acked.len(),
        ids.len(),
        all.duplicates,
        check.elapsed().as_secs_f64()
    );
    if lost > 0 || errors > 0 || last != end_seq {
        bail!("{lost} events lost, {errors} unexpected answers");
    }
    Ok(())
}

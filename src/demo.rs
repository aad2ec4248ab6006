//! A deterministic generator of realistic SaaS admin audit events, for `auditctl demo` and the
//! benchmarks: same seed, count and end time give the same events, byte for byte.
//!
//! The generator streams: it keeps a fixed pool of records per table (their current state) and a
//! few counters, never the events it has produced, so a million events need no more memory than
//! ten. Every successful event that carries data continues the history of its record: its
//! `before` is the `after` of the previous data-carrying event on the same `(table, resource_id)`,
//! a CREATE has no `before` and a DELETE no `after`. Events without data (LOGIN, GENERATE, SEND,
//! PUBLISH, POST, READ, EXPORT and failed attempts) leave the record unchanged. Records that
//! already exist when the window opens have no CREATE in it, as in a real log.

use chrono::{DateTime, Datelike, Duration, Timelike, Utc, Weekday};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Map, Value, json};

use crate::model::{Event, format_time};

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoConfig {
    /// Seed of the random generator: the same seed gives the same events.
    pub seed: u64,
    /// How many events to yield.
    pub events: usize,
    /// The events end shortly before this time and start about 30 days earlier.
    pub end: DateTime<Utc>,
}

/// The `cfg.events` events, oldest first, generated lazily.
pub fn generate(cfg: &DemoConfig) -> impl Iterator<Item = Event> + use<> {
    Generator::new(cfg)
}

/// How far back the events reach.
const WINDOW_DAYS: i64 = 30;

// ---------------------------------------------------------------------------------------------
// Actors: who does what, from where.

/// What an actor can do; `Change` and `Put` write a record, the others carry no data.
#[derive(Debug, Clone, Copy)]
enum Activity {
    /// CREATE, UPDATE or DELETE on a record of the table.
    Change(Table),
    /// A full replacement of a record through the API (PUT).
    Put(Table),
    Login,
    Publish,
    Generate,
    Send,
    Post,
    Read,
    Export,
}

struct Actor {
    login: &'static str,
    user_type: &'static str,
    origin: Option<&'static str>,
    /// The usual address first; the others now and then. Empty: no address (system).
    ips: &'static [&'static str],
    user_agent: Option<&'static str>,
    /// Share of all events, in percent.
    weight: u32,
    activities: &'static [(Activity, u32)],
}

const FIREFOX_MAC: &str =
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:127.0) Gecko/20100101 Firefox/127.0";
const CHROME_WIN: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36";
const FIREFOX_WIN: &str =
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:127.0) Gecko/20100101 Firefox/127.0";
const FIREFOX_LINUX: &str =
    "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0";
const FIREFOX_ANDROID: &str =
    "Mozilla/5.0 (Android 14; Mobile; rv:127.0) Gecko/127.0 Firefox/127.0";

use Activity::*;

const ACTORS: &[Actor] = &[
    Actor {
        login: "alice",
        user_type: "user",
        origin: Some("Control Panel"),
        ips: &["10.20.1.15", "203.0.113.24", "2001:db8:85a3::8a2e:370:7334"],
        user_agent: Some(FIREFOX_MAC),
        weight: 20,
        activities: &[
            (Change(Table::Accounts), 14),
            (Change(Table::Policies), 12),
            (Change(Table::Users), 8),
            (Change(Table::Webhooks), 6),
            (Change(Table::ApiTokens), 3),
            (Login, 14),
            (Publish, 6),
            (Generate, 5),
            (Read, 4),
            (Export, 2),
            (Post, 2),
            (Send, 2),
        ],
    },
    Actor {
        login: "bob",
        user_type: "user",
        origin: Some("Control Panel"),
        ips: &["192.168.10.42", "2001:db8:4:1::17"],
        user_agent: Some(CHROME_WIN),
        weight: 14,
        activities: &[
            (Change(Table::Webhooks), 12),
            (Change(Table::Ingresses), 8),
            (Change(Table::ApiTokens), 6),
            (Change(Table::Accounts), 4),
            (Login, 12),
            (Post, 6),
            (Read, 3),
        ],
    },
    Actor {
        login: "carol",
        user_type: "user",
        origin: Some("Control Panel"),
        ips: &["10.20.3.7", "198.51.100.23"],
        user_agent: Some(FIREFOX_WIN),
        weight: 11,
        activities: &[
            (Change(Table::Accounts), 16),
            (Change(Table::Users), 4),
            (Login, 10),
            (Generate, 8),
            (Export, 3),
            (Read, 5),
            (Send, 2),
        ],
    },
    Actor {
        login: "dave",
        user_type: "user",
        origin: Some("Control Panel"),
        ips: &["2001:db8:4:1::2a", "10.20.7.19"],
        user_agent: Some(FIREFOX_LINUX),
        weight: 9,
        activities: &[
            (Change(Table::Policies), 12),
            (Change(Table::Ingresses), 10),
            (Publish, 6),
            (Login, 8),
            (Post, 2),
        ],
    },
    Actor {
        login: "erin",
        user_type: "user",
        origin: Some("Control Panel"),
        ips: &["192.168.4.88", "203.0.113.61"],
        user_agent: Some(CHROME_WIN),
        weight: 6,
        activities: &[
            (Change(Table::Users), 14),
            (Change(Table::ApiTokens), 4),
            (Login, 8),
            (Send, 3),
            (Export, 2),
        ],
    },
    Actor {
        login: "Portal",
        user_type: "portal",
        origin: Some("Portal"),
        ips: &[
            "203.0.113.77",
            "198.51.100.140",
            "2001:db8:ff00:42::8329",
            "203.0.113.195",
            "198.51.100.9",
            "2001:db8:1f70:0:999:de8:7648:6e8",
            "203.0.113.12",
        ],
        user_agent: Some(FIREFOX_ANDROID),
        weight: 12,
        activities: &[
            (Login, 10),
            (Change(Table::Accounts), 7),
            (Change(Table::Users), 5),
            (Read, 2),
        ],
    },
    Actor {
        login: "ci-deploy-token",
        user_type: "api_token",
        origin: Some("API"),
        ips: &["198.51.100.7", "198.51.100.8"],
        user_agent: Some("deploy-bot/2.3.1 (github-actions)"),
        weight: 12,
        activities: &[
            (Put(Table::Ingresses), 14),
            (Put(Table::Webhooks), 4),
            (Change(Table::Policies), 5),
            (Change(Table::Ingresses), 3),
            (Publish, 8),
            (Post, 8),
        ],
    },
    Actor {
        login: "system",
        user_type: "system",
        origin: None,
        ips: &[],
        user_agent: None,
        weight: 16,
        activities: &[
            (Send, 10),
            (Generate, 8),
            (Change(Table::ApiTokens), 7),
            (Change(Table::Accounts), 3),
            (Post, 5),
        ],
    },
];

/// Tenants: the `meta.account_id` of the events, most of them in the first one.
const TENANTS: &[(&str, u32)] = &[("1234", 70), ("5678", 20), ("9012", 10)];

// ---------------------------------------------------------------------------------------------
// Tables and the record pool.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Table {
    Accounts,
    Policies,
    Webhooks,
    ApiTokens,
    Users,
    Ingresses,
}

impl Table {
    const ALL: [Table; 6] = [
        Table::Accounts,
        Table::Policies,
        Table::Webhooks,
        Table::ApiTokens,
        Table::Users,
        Table::Ingresses,
    ];

    fn index(self) -> usize {
        self as usize
    }

    fn name(self) -> &'static str {
        match self {
            Table::Accounts => "accounts",
            Table::Policies => "policies",
            Table::Webhooks => "webhooks",
            Table::ApiTokens => "api_tokens",
            Table::Users => "users",
            Table::Ingresses => "ingresses",
        }
    }

    /// The word for one record in messages.
    fn noun(self) -> &'static str {
        match self {
            Table::Accounts => "account",
            Table::Policies => "policy",
            Table::Webhooks => "webhook",
            Table::ApiTokens => "API token",
            Table::Users => "user",
            Table::Ingresses => "ingress",
        }
    }

    fn service(self) -> &'static str {
        match self {
            Table::Accounts => "Billing",
            Table::Policies => "Policies",
            Table::Webhooks => "Webhooks",
            Table::ApiTokens => "Identity",
            Table::Users => "Permissions",
            Table::Ingresses => "Automation",
        }
    }

    /// How many records of the table can exist at once.
    fn capacity(self) -> usize {
        match self {
            Table::Accounts => 48,
            Table::Policies => 24,
            Table::Webhooks => 16,
            Table::ApiTokens => 16,
            Table::Users => 64,
            Table::Ingresses => 16,
        }
    }

    /// The resource id of the `n`-th record ever created in the table.
    fn resource_id(self, n: u64) -> String {
        match self {
            Table::Accounts => format!("{}", 1000 + n),
            Table::Policies => format!("p-{n}"),
            Table::Webhooks => format!("wh-{n}"),
            Table::ApiTokens => format!("tok-{n}"),
            Table::Users => format!("u-{}", 200 + n),
            Table::Ingresses => format!("ing-{n}"),
        }
    }

    fn operation(self, action: &str) -> &'static str {
        match (self, action) {
            (Table::Accounts, "CREATE") => "createEntity",
            (Table::Accounts, "DELETE") => "deleteEntity",
            (Table::Accounts, _) => "updateAccount",
            (Table::Policies, "CREATE") => "createPolicy",
            (Table::Policies, "DELETE") => "deletePolicy",
            (Table::Policies, _) => "editPolicy",
            (Table::Webhooks, "CREATE") => "createWebhook",
            (Table::Webhooks, "DELETE") => "deleteWebhook",
            (Table::Webhooks, "PUT") => "replaceWebhook",
            (Table::Webhooks, _) => "updateWebhook",
            (Table::ApiTokens, "CREATE") => "createToken",
            (Table::ApiTokens, "DELETE") => "revokeToken",
            (Table::ApiTokens, _) => "updateToken",
            (Table::Users, "CREATE") => "inviteUser",
            (Table::Users, "DELETE") => "removeUser",
            (Table::Users, _) => "updateUser",
            (Table::Ingresses, "CREATE") => "createIngress",
            (Table::Ingresses, "DELETE") => "deleteIngress",
            (Table::Ingresses, "PUT") => "applyIngress",
            (Table::Ingresses, _) => "patchIngress",
        }
    }
}

/// The current state of one record.
struct Record {
    id: String,
    tenant: &'static str,
    data: Data,
}

/// A record's data: a JSON object, or a policy kept structured and shown as an XML document.
enum Data {
    Json(Map<String, Value>),
    Policy(PolicyDoc),
}

impl Record {
    fn value(&self) -> Value {
        match &self.data {
            Data::Json(m) => Value::Object(m.clone()),
            Data::Policy(p) => Value::String(p.render(&self.id)),
        }
    }

    /// A short human name for messages: `account 1042 (Acme GmbH)`.
    fn label(&self) -> String {
        let text = |k: &str| match &self.data {
            Data::Json(m) => m.get(k).and_then(Value::as_str).unwrap_or("").to_owned(),
            Data::Policy(p) => p.name.to_owned(),
        };
        match &self.data {
            Data::Policy(p) => format!("{} ({})", self.id, p.name),
            Data::Json(m) if m.contains_key("host") => {
                format!("{} ({}{})", self.id, text("host"), text("path"))
            }
            Data::Json(m) if m.contains_key("email") && !m.contains_key("plan") => {
                format!("{} ({})", self.id, text("email"))
            }
            Data::Json(_) => format!("{} ({})", self.id, text("name")),
        }
    }
}

/// A fixed number of record slots per table: all the state the generator keeps.
struct Pool {
    slots: Vec<Vec<Option<Record>>>,
    live: Vec<usize>,
    created: Vec<u64>,
}

impl Pool {
    fn new() -> Pool {
        Pool {
            slots: Table::ALL
                .iter()
                .map(|t| (0..t.capacity()).map(|_| None).collect())
                .collect(),
            live: vec![0; Table::ALL.len()],
            created: vec![0; Table::ALL.len()],
        }
    }

    /// A random slot of the table that holds a record (`want = true`) or is free.
    fn find(&self, rng: &mut StdRng, table: Table, want: bool) -> Option<usize> {
        let t = table.index();
        let n = self.slots[t].len();
        let have = if want { self.live[t] } else { n - self.live[t] };
        if have == 0 {
            return None;
        }
        let start = rng.gen_range(0..n);
        (0..n)
            .map(|k| (start + k) % n)
            .find(|&i| self.slots[t][i].is_some() == want)
    }

    fn get(&self, table: Table, slot: usize) -> &Record {
        self.slots[table.index()][slot]
            .as_ref()
            .expect("slot holds a record")
    }

    fn get_mut(&mut self, table: Table, slot: usize) -> &mut Record {
        self.slots[table.index()][slot]
            .as_mut()
            .expect("slot holds a record")
    }

    fn next_id(&mut self, table: Table) -> String {
        let t = table.index();
        self.created[t] += 1;
        table.resource_id(self.created[t])
    }

    fn put(&mut self, table: Table, slot: usize, record: Record) {
        let t = table.index();
        if self.slots[t][slot].is_none() {
            self.live[t] += 1;
        }
        self.slots[t][slot] = Some(record);
    }

    fn remove(&mut self, table: Table, slot: usize) -> Option<Record> {
        let t = table.index();
        let old = self.slots[t][slot].take();
        if old.is_some() {
            self.live[t] -= 1;
        }
        old
    }

    fn occupancy(&self, table: Table) -> f64 {
        self.live[table.index()] as f64 / table.capacity() as f64
    }
}

// ---------------------------------------------------------------------------------------------
// The clock: event times over the window, denser in office hours.

/// Maps the i-th of n events to a time: evenly spread positions with jitter, bent through the
/// cumulative activity of the window's hours (busy weekdays, quiet nights and weekends).
struct Clock {
    start_ms: i64,
    span_ms: i64,
    /// Cumulative activity at the start of each hour bucket; the last entry is the total.
    cumulative: Vec<f64>,
    events: usize,
}

const BUCKETS: usize = (WINDOW_DAYS * 24) as usize;

impl Clock {
    fn new(rng: &mut StdRng, end: DateTime<Utc>, events: usize) -> Clock {
        // The last event lands 20 seconds to 4 minutes before the end.
        let tail_ms = rng.gen_range(20_000..240_000);
        let start_ms = end.timestamp_millis() - Duration::days(WINDOW_DAYS).num_milliseconds();
        let span_ms = end.timestamp_millis() - tail_ms - start_ms;
        let mut cumulative = Vec::with_capacity(BUCKETS + 1);
        let mut total = 0.0;
        for k in 0..BUCKETS {
            cumulative.push(total);
            let at =
                DateTime::from_timestamp_millis(start_ms + span_ms * k as i64 / BUCKETS as i64)
                    .unwrap_or(end);
            total += activity(at);
        }
        cumulative.push(total);
        Clock {
            start_ms,
            span_ms,
            cumulative,
            events,
        }
    }

    /// The time of event `i`; non-decreasing in `i`, the first at the window's start and the
    /// last at its end. `jitter` is in `[0, 1)`.
    fn at(&self, i: usize, jitter: f64) -> DateTime<Utc> {
        let p = if self.events <= 1 {
            1.0
        } else if i == 0 {
            0.0
        } else if i + 1 == self.events {
            1.0
        } else {
            (i as f64 - 0.9 * jitter) / (self.events - 1) as f64
        };
        let total = self.cumulative[BUCKETS];
        let target = p * total;
        let k = self
            .cumulative
            .partition_point(|&c| c <= target)
            .saturating_sub(1)
            .min(BUCKETS - 1);
        let width = self.cumulative[k + 1] - self.cumulative[k];
        let within = if width > 0.0 {
            ((target - self.cumulative[k]) / width).clamp(0.0, 1.0)
        } else {
            0.0
        };
        let frac = ((k as f64 + within) / BUCKETS as f64).min(1.0);
        let ms = self.start_ms + (frac * self.span_ms as f64).floor() as i64;
        DateTime::from_timestamp_millis(ms).unwrap_or_default()
    }
}

/// Relative activity in the hour starting at `at` (UTC, a European customer base).
fn activity(at: DateTime<Utc>) -> f64 {
    let hourly = match at.hour() {
        8..=17 => 10.0,
        6..=7 | 18..=20 => 4.0,
        _ => 1.2,
    };
    match at.weekday() {
        Weekday::Sat | Weekday::Sun => hourly * 0.25,
        _ => hourly,
    }
}

// ---------------------------------------------------------------------------------------------
// The generator.

struct Generator {
    rng: StdRng,
    clock: Clock,
    pool: Pool,
    produced: usize,
    total: usize,
    /// Counters for records that are never updated (reports, e-mails, invoices).
    reports: u64,
    emails: u64,
    invoices: u64,
}

/// What one event is about, filled in by the activity builders.
struct Draft {
    action: &'static str,
    operation: Option<&'static str>,
    service: Option<&'static str>,
    table: Option<String>,
    resource_id: Option<String>,
    message: String,
    failed: bool,
    before: Option<Value>,
    after: Option<Value>,
    tenant: Option<&'static str>,
    extra: Vec<(&'static str, Value)>,
}

impl Draft {
    fn new(action: &'static str, message: String) -> Draft {
        Draft {
            action,
            operation: None,
            service: None,
            table: None,
            resource_id: None,
            message,
            failed: false,
            before: None,
            after: None,
            tenant: None,
            extra: Vec::new(),
        }
    }

    fn on(mut self, table: &str, resource_id: Option<String>) -> Draft {
        self.table = Some(table.to_owned());
        self.resource_id = resource_id;
        self
    }

    fn op(mut self, service: &'static str, operation: &'static str) -> Draft {
        self.service = Some(service);
        self.operation = Some(operation);
        self
    }
}

impl Generator {
    fn new(cfg: &DemoConfig) -> Generator {
        let mut rng = StdRng::seed_from_u64(cfg.seed);
        let clock = Clock::new(&mut rng, cfg.end, cfg.events);
        let start = DateTime::from_timestamp_millis(clock.start_ms).unwrap_or_default();
        let mut generator = Generator {
            rng,
            clock,
            pool: Pool::new(),
            produced: 0,
            total: cfg.events,
            reports: 0,
            emails: 0,
            invoices: 0,
        };
        generator.prefill(start);
        generator
    }

    /// Records that exist before the window opens: about two thirds of every table.
    fn prefill(&mut self, start: DateTime<Utc>) {
        let created = format_time(&(start - Duration::days(90)));
        for table in Table::ALL {
            for slot in 0..table.capacity() {
                if self.rng.gen_bool(0.68) {
                    let record = self.new_record(table, "alice", &created);
                    self.pool.put(table, slot, record);
                }
            }
        }
    }

    fn new_record(&mut self, table: Table, by: &str, now: &str) -> Record {
        let id = self.pool.next_id(table);
        let tenant = weighted(&mut self.rng, TENANTS);
        let data = match table {
            Table::Policies => Data::Policy(PolicyDoc::new(&mut self.rng)),
            _ => Data::Json(new_json(&mut self.rng, table, tenant, by, now)),
        };
        Record { id, tenant, data }
    }

    fn next_event(&mut self) -> Event {
        let jitter = self.rng.r#gen::<f64>();
        let time = self.clock.at(self.produced, jitter);
        let now = format_time(&time);
        let actor = &ACTORS[weighted_index(&mut self.rng, ACTORS.iter().map(|a| a.weight))];
        let activity = weighted(&mut self.rng, actor.activities);
        let mut draft = match activity {
            Change(table) => self.change(actor, table, None, &now),
            Put(table) => self.change(actor, table, Some("PUT"), &now),
            Login => self.login(actor),
            Publish => self.publish(actor, &now),
            Generate => self.generate_report(actor, time),
            Send => self.send(actor),
            Post => self.post(actor, &now),
            Read => self.read(actor, &now),
            Export => self.export(actor),
        };
        if draft.failed {
            draft.before = None;
            draft.after = None;
        }
        self.finish(actor, time, draft)
    }

    fn finish(&mut self, actor: &Actor, time: DateTime<Utc>, d: Draft) -> Event {
        let rng = &mut self.rng;
        let mut random = [0u8; 10];
        rng.fill(&mut random);
        let ms = u64::try_from(time.timestamp_millis()).unwrap_or(0);
        let id = uuid::Builder::from_unix_timestamp_millis(ms, &random)
            .into_uuid()
            .to_string();
        let ip = match actor.ips {
            [] => None,
            [usual, others @ ..] if others.is_empty() || rng.gen_bool(0.85) => {
                Some((*usual).to_owned())
            }
            [_, others @ ..] => Some(others[rng.gen_range(0..others.len())].to_owned()),
        };
        let mut meta = Map::new();
        let tenant = d.tenant.unwrap_or_else(|| weighted(rng, TENANTS));
        meta.insert("account_id".into(), json!(tenant));
        meta.insert(
            "request_id".into(),
            json!(format!("req_{:016x}", rng.r#gen::<u64>())),
        );
        if let Some(agent) = actor.user_agent {
            meta.insert("user_agent".into(), json!(agent));
        }
        for (k, v) in d.extra {
            meta.insert(k.into(), v);
        }
        Event {
            seq: None,
            id,
            time,
            user: actor.login.to_owned(),
            user_type: Some(actor.user_type.to_owned()),
            ip,
            action: d.action.to_owned(),
            operation: d.operation.map(str::to_owned),
            service: d.service.map(str::to_owned),
            origin: actor.origin.map(str::to_owned),
            table: d.table,
            resource_id: d.resource_id,
            message: d.message,
            outcome: if d.failed { "failure" } else { "success" }.to_owned(),
            before: d.before,
            after: d.after,
            reverts: None,
            meta,
        }
    }

    /// CREATE, UPDATE or DELETE (or PUT, a full replacement) of a record of `table`.
    fn change(
        &mut self,
        actor: &Actor,
        table: Table,
        put: Option<&'static str>,
        now: &str,
    ) -> Draft {
        let roll = self.rng.gen_range(0..100);
        let mut action = match (put, roll) {
            (Some(a), _) => a,
            (None, 0..=16) => "CREATE",
            (None, 17..=27) => "DELETE",
            (None, _) => "UPDATE",
        };
        // Keep every table between a quarter full and full; portal customers never delete.
        if action == "DELETE" && (self.pool.occupancy(table) < 0.25 || actor.user_type == "portal")
        {
            action = "UPDATE";
        }
        let slot = if action == "CREATE" {
            match self.pool.find(&mut self.rng, table, false) {
                Some(s) => Some(s),
                None => {
                    action = "UPDATE";
                    None
                }
            }
        } else {
            None
        };
        let slot = match slot {
            Some(s) => s,
            None => match self.pool.find(&mut self.rng, table, action != "CREATE") {
                Some(s) => s,
                None => {
                    action = "CREATE";
                    self.pool
                        .find(&mut self.rng, table, false)
                        .expect("a table is never both empty and full")
                }
            },
        };
        let failed = self.rng.gen_bool(0.015);
        let noun = table.noun();
        let operation = table.operation(action);
        if action == "CREATE" {
            if failed {
                let reason = pick(&mut self.rng, &["validation failed", "quota exceeded"]);
                let mut d = Draft::new("CREATE", format!("Failed to create {noun}: {reason}"))
                    .on(table.name(), None)
                    .op(table.service(), operation);
                d.failed = true;
                d.extra.push(("error", json!(reason.replace(' ', "_"))));
                return d;
            }
            let record = self.new_record(table, actor.login, now);
            let mut d = Draft::new("CREATE", format!("Created {noun} {}", record.label()))
                .on(table.name(), Some(record.id.clone()))
                .op(table.service(), operation);
            d.after = Some(record.value());
            d.tenant = Some(record.tenant);
            if table == Table::Ingresses {
                d.extra.push(("ingress_id", json!(record.id)));
            }
            self.pool.put(table, slot, record);
            return d;
        }
        let (id, tenant, label) = {
            let r = self.pool.get(table, slot);
            (r.id.clone(), r.tenant, r.label())
        };
        let mut d = Draft::new(action, String::new())
            .on(table.name(), Some(id.clone()))
            .op(table.service(), operation);
        d.tenant = Some(tenant);
        if table == Table::Ingresses {
            d.extra.push(("ingress_id", json!(id)));
        }
        if failed {
            let (reason, code) = *pick(
                &mut self.rng,
                &[
                    ("permission denied", "permission_denied"),
                    ("the record was changed by someone else", "conflict"),
                    ("validation failed", "validation_failed"),
                ],
            );
            let verb = match action {
                "DELETE" => "delete",
                _ => "update",
            };
            d.message = format!("Failed to {verb} {noun} {label}: {reason}");
            d.failed = true;
            d.extra.push(("error", json!(code)));
            return d;
        }
        if action == "DELETE" {
            let record = self.pool.remove(table, slot).expect("slot holds a record");
            d.before = Some(record.value());
            d.message = format!("Deleted {noun} {label}");
            return d;
        }
        let before = self.pool.get(table, slot).value();
        let record = self.pool.get_mut(table, slot);
        let mut m = Mutation {
            rng: &mut self.rng,
            now,
        };
        let (what, operation) = match &mut record.data {
            Data::Policy(p) => (p.mutate(&mut m), "editPolicy"),
            Data::Json(obj) => {
                let fields = mutate_json(&mut m, table, obj, actor.user_type == "system");
                let operation = match table {
                    Table::ApiTokens if fields.contains(&"token") => "rotateToken",
                    Table::ApiTokens if actor.user_type == "system" => "recordTokenUse",
                    Table::Users if fields == ["role"] => "changeRole",
                    _ => operation,
                };
                (fields.join(", "), operation)
            }
        };
        d.operation = Some(operation);
        d.before = Some(before);
        d.after = Some(record.value());
        d.message = match action {
            "PUT" => format!("Applied {noun} {label}: {what}"),
            _ => format!("Updated {noun} {label}: {what}"),
        };
        d
    }

    fn login(&mut self, actor: &Actor) -> Draft {
        let rng = &mut self.rng;
        let (method, how) = if actor.user_type == "portal" {
            *pick(
                rng,
                &[
                    ("password", "with password"),
                    ("magic_link", "with a magic link"),
                ],
            )
        } else {
            *pick(
                rng,
                &[
                    ("sso", "via SSO (Okta)"),
                    ("sso", "via SSO (Okta)"),
                    ("password", "with password and MFA"),
                    ("passkey", "with a passkey"),
                ],
            )
        };
        let operation = if actor.user_type == "portal" {
            "portalLogin"
        } else if method == "sso" {
            "ssoLogin"
        } else {
            "login"
        };
        let failed = rng.gen_bool(0.06);
        let mut d = if failed {
            let reason = pick(
                rng,
                &["invalid password", "MFA code expired", "account locked"],
            );
            let mut d = Draft::new("LOGIN", format!("Sign-in failed: {reason}"));
            d.failed = true;
            d.extra.push(("error", json!(reason.replace(' ', "_"))));
            d
        } else {
            Draft::new("LOGIN", format!("Signed in {how}"))
        };
        d.service = Some("Identity");
        d.operation = Some(operation);
        d.extra.push(("method", json!(method)));
        if actor.user_type == "portal" {
            d.extra.push(("portal_user", json!(portal_customer(rng))));
        }
        d
    }

    fn publish(&mut self, actor: &Actor, now: &str) -> Draft {
        let Some(slot) = self.pool.find(&mut self.rng, Table::Policies, true) else {
            return self.change(actor, Table::Policies, None, now);
        };
        let r = self.pool.get(Table::Policies, slot);
        let Data::Policy(p) = &r.data else {
            unreachable!("policies hold policy documents")
        };
        let env = pick(&mut self.rng, &["production", "production", "staging"]);
        let mut d = Draft::new(
            "PUBLISH",
            format!(
                "Published policy {} version {} to {env}",
                r.label(),
                p.version
            ),
        )
        .on("policies", Some(r.id.clone()))
        .op("Policies", "publishPolicy");
        d.tenant = Some(r.tenant);
        d.extra.push(("environment", json!(env)));
        d
    }

    fn generate_report(&mut self, actor: &Actor, time: DateTime<Utc>) -> Draft {
        if actor.user_type == "system" && self.rng.gen_bool(0.5) {
            self.invoices += 1;
            let id = format!("inv-{}-{:06}", time.year(), self.invoices);
            let amount = self.rng.gen_range(49..4_900) as f64 + 0.99;
            let mut d = Draft::new(
                "GENERATE",
                format!("Generated invoice {id} (EUR {amount:.2})"),
            )
            .on("invoices", Some(id))
            .op("Billing", "generateInvoice");
            d.extra.push(("amount_eur", json!(amount)));
            return d;
        }
        self.reports += 1;
        let id = format!("rep-{}", self.reports);
        let (kind, range) = *pick(
            &mut self.rng,
            &[
                ("usage", "the last 30 days"),
                ("audit", "the last 7 days"),
                ("seat", "this month"),
                ("access review", "this quarter"),
            ],
        );
        let format = pick(&mut self.rng, &["CSV", "PDF", "XLSX"]);
        let mut d = Draft::new(
            "GENERATE",
            format!("Generated {kind} report {id} for {range} ({format})"),
        )
        .on("reports", Some(id))
        .op("Billing", "generateReport");
        d.extra.push(("format", json!(format.to_ascii_lowercase())));
        d
    }

    fn send(&mut self, actor: &Actor) -> Draft {
        self.emails += 1;
        let id = format!("em-{}", self.emails);
        let to = match self.pool.find(&mut self.rng, Table::Users, true) {
            Some(slot) => match &self.pool.get(Table::Users, slot).data {
                Data::Json(m) => m
                    .get("email")
                    .and_then(Value::as_str)
                    .unwrap_or("ops@acme.example")
                    .to_owned(),
                Data::Policy(_) => unreachable!("users hold JSON"),
            },
            None => "ops@acme.example".to_owned(),
        };
        let (what, template, service) = if actor.user_type == "system" {
            *pick(
                &mut self.rng,
                &[
                    ("weekly digest", "weekly_digest", "Automation"),
                    ("invoice", "invoice", "Billing"),
                    ("token expiry warning", "token_expiry", "Identity"),
                    ("failed webhook alert", "webhook_alert", "Webhooks"),
                ],
            )
        } else {
            *pick(
                &mut self.rng,
                &[
                    ("invitation", "invitation", "Permissions"),
                    ("password reset", "password_reset", "Identity"),
                ],
            )
        };
        let failed = self.rng.gen_bool(0.01);
        let mut d = if failed {
            let mut d = Draft::new(
                "SEND",
                format!("Could not send {what} email to {to}: mailbox unavailable"),
            );
            d.failed = true;
            d.extra.push(("error", json!("smtp_550")));
            d
        } else {
            Draft::new("SEND", format!("Sent {what} email to {to}"))
        }
        .on("emails", Some(id))
        .op(service, "sendEmail");
        d.extra.push(("template", json!(template)));
        d
    }

    fn post(&mut self, actor: &Actor, now: &str) -> Draft {
        if actor.user_type == "user" {
            let Some(slot) = self.pool.find(&mut self.rng, Table::Webhooks, true) else {
                return self.change(actor, Table::Webhooks, None, now);
            };
            let r = self.pool.get(Table::Webhooks, slot);
            let (id, tenant, label) = (r.id.clone(), r.tenant, r.label());
            let status = *pick(&mut self.rng, &[200u16, 200, 200, 204, 500]);
            let mut d = Draft::new(
                "POST",
                format!("Sent test delivery to webhook {label}: HTTP {status}"),
            )
            .on("webhooks", Some(id))
            .op("Webhooks", "testWebhook");
            d.failed = status >= 500;
            d.tenant = Some(tenant);
            d.extra.push(("http_status", json!(status)));
            return d;
        }
        let (flow, name) = *pick(
            &mut self.rng,
            &[
                ("flow-3", "nightly-sync"),
                ("flow-7", "sync-crm-contacts"),
                ("flow-12", "rotate-backups"),
                ("flow-15", "cleanup-expired-tokens"),
                ("flow-21", "recalculate-seats"),
            ],
        );
        let failed = self.rng.gen_bool(0.02);
        let mut d = Draft::new(
            "POST",
            if failed {
                format!("Automation {flow} ({name}) failed: upstream timeout")
            } else {
                format!("Triggered automation {flow} ({name})")
            },
        )
        .on("automations", Some(flow.to_owned()))
        .op("Automation", "runAutomation");
        d.failed = failed;
        if actor.user_type == "api_token"
            && let Some(slot) = self.pool.find(&mut self.rng, Table::Ingresses, true)
        {
            let id = self.pool.get(Table::Ingresses, slot).id.clone();
            d.extra.push(("ingress_id", json!(id)));
        }
        d
    }

    fn read(&mut self, actor: &Actor, now: &str) -> Draft {
        let Some(slot) = self.pool.find(&mut self.rng, Table::Accounts, true) else {
            return self.change(actor, Table::Accounts, None, now);
        };
        let r = self.pool.get(Table::Accounts, slot);
        let what = pick(
            &mut self.rng,
            &["billing details", "invoices", "payment method"],
        );
        let mut d = Draft::new("READ", format!("Viewed {what} of account {}", r.label()))
            .on("accounts", Some(r.id.clone()))
            .op("Billing", "viewAccount");
        d.tenant = Some(r.tenant);
        d
    }

    fn export(&mut self, _actor: &Actor) -> Draft {
        let users = self.pool.live[Table::Users.index()];
        let format = pick(&mut self.rng, &["CSV", "JSON"]);
        let mut d = Draft::new("EXPORT", format!("Exported {users} users to {format}"))
            .on("users", None)
            .op("Permissions", "exportUsers");
        d.extra.push(("rows", json!(users)));
        d
    }
}

impl Iterator for Generator {
    type Item = Event;

    fn next(&mut self) -> Option<Event> {
        if self.produced >= self.total {
            return None;
        }
        let event = self.next_event();
        self.produced += 1;
        Some(event)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.total - self.produced;
        (left, Some(left))
    }
}

// ---------------------------------------------------------------------------------------------
// Record contents and the per-table mutators.

const COMPANIES: &[&str] = &[
    "Acme GmbH",
    "Globex Corp",
    "Initech AG",
    "Umbrella Energy",
    "Stark Solar",
    "Wayne Utilities",
    "Hooli Services",
    "Vandelay Imports",
    "Tyrell Systems",
    "Nordwind Stadtwerke",
    "Blue Harbor Energie",
    "Kiefer & Söhne KG",
    "Wonka Logistics",
    "Soylent Foods",
];
const PLANS: &[&str] = &["starter", "business", "professional", "enterprise"];
const LOCALES: &[&str] = &["de-DE", "en-GB", "en-US", "fr-FR", "nl-NL"];
const TIMEOUTS: &[u64] = &[15, 30, 60, 120, 480];
const ACCOUNT_TAGS: &[&str] = &[
    "eu",
    "priority",
    "reseller",
    "trial-extended",
    "solar",
    "b2b",
];
const FIRST: &[&str] = &[
    "Frank", "Grace", "Heidi", "Ivan", "Judy", "Mallory", "Niaj", "Olivia", "Peggy", "Rupert",
    "Sybil", "Trent", "Victor", "Walter", "Yusuf", "Zoe",
];
const LAST: &[&str] = &[
    "Meyer", "Ho", "Schulz", "Petrov", "Nakamura", "Okafor", "Silva", "Berg", "Novak", "Weber",
];
const DOMAINS: &[&str] = &["acme.example", "globex.example", "initech.example"];
const ROLES: &[&str] = &["viewer", "editor", "admin", "billing", "owner"];
const STATUSES: &[&str] = &["active", "invited", "suspended"];
const GROUPS: &[&str] = &[
    "sales",
    "support",
    "engineering",
    "finance",
    "field-service",
];
const WEBHOOK_NAMES: &[&str] = &[
    "Slack alerts",
    "CRM sync",
    "Billing events",
    "Data warehouse",
    "PagerDuty",
    "Partner feed",
];
const WEBHOOK_EVENTS: &[&str] = &[
    "entity.created",
    "entity.updated",
    "entity.deleted",
    "invoice.paid",
    "user.invited",
    "policy.published",
];
const TOKEN_NAMES: &[&str] = &[
    "ci-deploy",
    "terraform",
    "grafana-sync",
    "backup-job",
    "zapier",
    "data-export",
];
const SCOPES: &[&str] = &[
    "entities:read",
    "entities:write",
    "users:read",
    "webhooks:write",
    "billing:read",
    "audit:read",
];
const SERVICES: &[(&str, u64)] = &[
    ("orders", 8080),
    ("billing-api", 8443),
    ("portal-web", 3000),
    ("search", 9200),
    ("auth", 4000),
];
const PATHS: &[&str] = &["/", "/api", "/v1", "/v2/orders", "/portal", "/webhooks"];

/// What a mutator may use: the random generator and the time of the change.
struct Mutation<'a> {
    rng: &'a mut StdRng,
    now: &'a str,
}

fn new_json(
    rng: &mut StdRng,
    table: Table,
    tenant: &str,
    by: &str,
    now: &str,
) -> Map<String, Value> {
    let company = *pick(rng, COMPANIES);
    let slug = slug(company);
    let value = match table {
        Table::Accounts => json!({
            "name": company,
            "plan": pick(rng, PLANS),
            "seats": rng.gen_range(3..120),
            "settings": {
                "enabled": true,
                "mfa_required": rng.gen_bool(0.5),
                "session_timeout": pick(rng, TIMEOUTS),
                "locale": pick(rng, LOCALES),
            },
            "contact": {"email": format!("ops@{slug}.example")},
            "tags": [pick(rng, ACCOUNT_TAGS)],
        }),
        Table::Webhooks => json!({
            "name": pick(rng, WEBHOOK_NAMES),
            "url": format!("https://hooks.{slug}.example/in/{:08x}", rng.r#gen::<u32>()),
            "events": [WEBHOOK_EVENTS[0], WEBHOOK_EVENTS[rng.gen_range(1..WEBHOOK_EVENTS.len())]],
            "enabled": true,
            "secret": format!("whsec_{:016x}", rng.r#gen::<u64>()),
            "retry": {"max_attempts": 5},
        }),
        Table::ApiTokens => json!({
            "name": pick(rng, TOKEN_NAMES),
            "scopes": [SCOPES[0], SCOPES[rng.gen_range(1..SCOPES.len())]],
            "token": format!("atk_{:016x}", rng.r#gen::<u64>()),
            "created_by": by,
            "expires_at": "2027-01-01",
            "last_used": now,
        }),
        Table::Users => {
            let (first, last) = (*pick(rng, FIRST), *pick(rng, LAST));
            let domain = match tenant {
                "1234" => DOMAINS[0],
                "5678" => DOMAINS[1],
                _ => DOMAINS[2],
            };
            json!({
                "email": format!("{}.{}@{domain}", first.to_lowercase(), last.to_lowercase()),
                "name": format!("{first} {last}"),
                "role": pick(rng, &ROLES[..3]),
                "status": "active",
                "groups": [pick(rng, GROUPS)],
                "mfa_enabled": rng.gen_bool(0.6),
            })
        }
        Table::Ingresses => {
            let (service, port) = *pick(rng, SERVICES);
            json!({
                "host": format!("{}.{slug}.example", pick(rng, &["api", "portal", "app"])),
                "path": pick(rng, PATHS),
                "backend_service": service,
                "backend_port": port,
                "tls": true,
                "rate_limit_rps": pick(rng, &[50, 100, 200, 500]),
            })
        }
        Table::Policies => unreachable!("policies are XML documents"),
    };
    match value {
        Value::Object(m) => m,
        _ => unreachable!("json! of an object"),
    }
}

/// Applies one to three changes to a JSON record; returns the top-level fields that changed.
fn mutate_json(
    m: &mut Mutation,
    table: Table,
    obj: &mut Map<String, Value>,
    automated: bool,
) -> Vec<&'static str> {
    let kinds: usize = match table {
        Table::Accounts => 8,
        Table::Webhooks => 5,
        Table::ApiTokens => 4,
        Table::Users => 5,
        Table::Ingresses => 5,
        Table::Policies => unreachable!("policies are XML documents"),
    };
    // Automation touches one field: the token's last use, an account's seat count.
    let chosen: Vec<usize> = if automated {
        vec![match table {
            Table::ApiTokens => 3,
            Table::Accounts => 1,
            _ => 0,
        }]
    } else {
        let n = *pick(m.rng, &[1, 1, 1, 2, 2, 3]);
        let mut chosen = Vec::with_capacity(n);
        while chosen.len() < n {
            let k = m.rng.gen_range(0..kinds);
            if !chosen.contains(&k) {
                chosen.push(k);
            }
        }
        chosen
    };
    let mut fields = Vec::new();
    for k in chosen {
        let field = match table {
            Table::Accounts => mutate_account(m, obj, k),
            Table::Webhooks => mutate_webhook(m, obj, k),
            Table::ApiTokens => mutate_token(m, obj, k),
            Table::Users => mutate_user(m, obj, k),
            Table::Ingresses => mutate_ingress(m, obj, k),
            Table::Policies => unreachable!("policies are XML documents"),
        };
        if !fields.contains(&field) {
            fields.push(field);
        }
    }
    fields
}

fn mutate_account(m: &mut Mutation, obj: &mut Map<String, Value>, kind: usize) -> &'static str {
    let rng = &mut *m.rng;
    match kind {
        0 => {
            set_other(rng, obj, "plan", PLANS);
            "plan"
        }
        1 => {
            let seats = obj["seats"].as_u64().unwrap_or(10);
            let delta = rng.gen_range(1..=10);
            let seats = if seats > delta + 1 && rng.gen_bool(0.35) {
                seats - delta
            } else {
                seats + delta
            };
            obj.insert("seats".into(), json!(seats));
            "seats"
        }
        2 => {
            toggle(nested(obj, "settings"), "enabled");
            "settings"
        }
        3 => {
            toggle(nested(obj, "settings"), "mfa_required");
            "settings"
        }
        4 => {
            set_other(rng, nested(obj, "settings"), "session_timeout", TIMEOUTS);
            "settings"
        }
        5 => {
            let slug = slug(obj["name"].as_str().unwrap_or("acme"));
            let who = pick(rng, &["it", "admin", "ops", "support", "office"]);
            let email = format!("{who}-{}@{slug}.example", rng.gen_range(1..99));
            nested(obj, "contact").insert("email".into(), json!(email));
            "contact"
        }
        6 => {
            let tags = obj
                .entry("tags")
                .or_insert_with(|| json!([]))
                .as_array_mut()
                .expect("tags is an array");
            let tag = json!(pick(rng, ACCOUNT_TAGS));
            if let Some(i) = tags.iter().position(|t| *t == tag) {
                tags.remove(i);
            } else {
                tags.push(tag);
            }
            "tags"
        }
        _ => {
            set_other(rng, nested(obj, "settings"), "locale", LOCALES);
            "settings"
        }
    }
}

fn mutate_webhook(m: &mut Mutation, obj: &mut Map<String, Value>, kind: usize) -> &'static str {
    let rng = &mut *m.rng;
    match kind {
        0 => {
            toggle(obj, "enabled");
            "enabled"
        }
        1 => {
            toggle_member(rng, obj, "events", WEBHOOK_EVENTS);
            "events"
        }
        2 => {
            let url = obj["url"].as_str().unwrap_or("https://hooks.example");
            let base = url.rsplit_once('/').map_or(url, |(b, _)| b);
            let url = format!("{base}/{:08x}", rng.r#gen::<u32>());
            obj.insert("url".into(), json!(url));
            "url"
        }
        3 => {
            let secret = format!("whsec_{:016x}", rng.r#gen::<u64>());
            obj.insert("secret".into(), json!(secret));
            "secret"
        }
        _ => {
            let retry = nested(obj, "retry");
            let now = retry
                .get("max_attempts")
                .and_then(Value::as_u64)
                .unwrap_or(5);
            let next = if now >= 8 { 3 } else { now + 1 };
            retry.insert("max_attempts".into(), json!(next));
            "retry"
        }
    }
}

fn mutate_token(m: &mut Mutation, obj: &mut Map<String, Value>, kind: usize) -> &'static str {
    let rng = &mut *m.rng;
    match kind {
        0 => {
            let token = format!("atk_{:016x}", rng.r#gen::<u64>());
            obj.insert("token".into(), json!(token));
            "token"
        }
        1 => {
            toggle_member(rng, obj, "scopes", SCOPES);
            "scopes"
        }
        2 => {
            let year = 2027 + rng.gen_range(0..3);
            let month = rng.gen_range(1..=12);
            let expires = format!("{year}-{month:02}-01");
            let same = obj.get("expires_at") == Some(&json!(expires));
            let expires = if same {
                format!("{}-{month:02}-01", year + 1)
            } else {
                expires
            };
            obj.insert("expires_at".into(), json!(expires));
            "expires_at"
        }
        _ if obj.get("last_used") == Some(&json!(m.now)) => {
            // Used twice in the same millisecond: extend the expiry instead.
            mutate_token(m, obj, 2)
        }
        _ => {
            obj.insert("last_used".into(), json!(m.now));
            "last_used"
        }
    }
}

fn mutate_user(m: &mut Mutation, obj: &mut Map<String, Value>, kind: usize) -> &'static str {
    let rng = &mut *m.rng;
    match kind {
        0 => {
            set_other(rng, obj, "role", ROLES);
            "role"
        }
        1 => {
            set_other(rng, obj, "status", STATUSES);
            "status"
        }
        2 => {
            toggle_member(rng, obj, "groups", GROUPS);
            "groups"
        }
        3 => {
            toggle(obj, "mfa_enabled");
            "mfa_enabled"
        }
        _ => {
            let first = obj["name"]
                .as_str()
                .and_then(|n| n.split(' ').next())
                .unwrap_or("Frank")
                .to_owned();
            let last = LAST
                .iter()
                .copied()
                .filter(|l| obj["name"].as_str() != Some(&format!("{first} {l}")))
                .nth(rng.gen_range(0..LAST.len() - 1))
                .unwrap_or("Meyer");
            obj.insert("name".into(), json!(format!("{first} {last}")));
            "name"
        }
    }
}

fn mutate_ingress(m: &mut Mutation, obj: &mut Map<String, Value>, kind: usize) -> &'static str {
    let rng = &mut *m.rng;
    match kind {
        0 => {
            set_other(rng, obj, "path", PATHS);
            "path"
        }
        1 => {
            let port = obj["backend_port"].as_u64().unwrap_or(8080);
            let ports = [8080u64, 8081, 8443, 9000, 3000];
            let next = ports
                .iter()
                .copied()
                .filter(|&p| p != port)
                .nth(rng.gen_range(0..ports.len() - 1))
                .unwrap_or(8080);
            obj.insert("backend_port".into(), json!(next));
            "backend_port"
        }
        2 => {
            toggle(obj, "tls");
            "tls"
        }
        3 => {
            set_other(rng, obj, "rate_limit_rps", &[50u64, 100, 200, 500, 1000]);
            "rate_limit_rps"
        }
        _ => {
            let names: Vec<&str> = SERVICES.iter().map(|(s, _)| *s).collect();
            set_other(rng, obj, "backend_service", &names);
            "backend_service"
        }
    }
}

/// A firewall-like policy, shown as a small XML document that changes line by line.
struct PolicyDoc {
    name: &'static str,
    version: u32,
    rules: Vec<Rule>,
}

#[derive(Clone, Copy, PartialEq)]
struct Rule {
    allow: bool,
    port: u16,
    source: &'static str,
}

const POLICY_NAMES: &[&str] = &[
    "edge-ingress",
    "admin-ssh",
    "db-access",
    "metrics-scrape",
    "partner-api",
    "office-vpn",
    "payments-egress",
    "internal-grpc",
];
const PORTS: &[u16] = &[22, 80, 443, 5432, 6443, 8080, 8443, 9090, 9443];
const SOURCES: &[&str] = &[
    "0.0.0.0/0",
    "10.0.0.0/8",
    "192.168.0.0/16",
    "203.0.113.0/24",
    "2001:db8::/32",
];

impl PolicyDoc {
    fn new(rng: &mut StdRng) -> PolicyDoc {
        let mut doc = PolicyDoc {
            name: POLICY_NAMES[rng.gen_range(0..POLICY_NAMES.len())],
            version: rng.gen_range(1..6),
            rules: Vec::new(),
        };
        for _ in 0..rng.gen_range(1..=3) {
            doc.add_rule(rng);
        }
        doc
    }

    fn render(&self, id: &str) -> String {
        let mut xml = format!(
            "<policy id=\"{id}\" name=\"{}\" version=\"{}\">\n",
            self.name, self.version
        );
        for r in &self.rules {
            let action = if r.allow { "allow" } else { "deny" };
            xml.push_str(&format!(
                "  <rule action=\"{action}\" port=\"{}\" source=\"{}\"/>\n",
                r.port, r.source
            ));
        }
        xml.push_str("  <rule action=\"deny\" port=\"*\" source=\"*\"/>\n</policy>\n");
        xml
    }

    fn add_rule(&mut self, rng: &mut StdRng) -> Rule {
        loop {
            let rule = Rule {
                allow: rng.gen_bool(0.8),
                port: *pick(rng, PORTS),
                source: SOURCES[rng.gen_range(0..SOURCES.len())],
            };
            if !self
                .rules
                .iter()
                .any(|r| r.port == rule.port && r.source == rule.source)
            {
                self.rules.push(rule);
                return rule;
            }
        }
    }

    /// One to two rule changes and a version bump; returns what changed, in words.
    fn mutate(&mut self, m: &mut Mutation) -> String {
        let rng = &mut *m.rng;
        self.version += 1;
        let n = *pick(rng, &[1, 1, 1, 2]);
        let mut what = Vec::new();
        for _ in 0..n {
            let choice = rng.gen_range(0..4);
            if choice == 0 && self.rules.len() < 6 || self.rules.is_empty() {
                let r = self.add_rule(rng);
                what.push(format!(
                    "added {} port {} from {}",
                    verb(r),
                    r.port,
                    r.source
                ));
            } else if choice == 1 && self.rules.len() > 1 {
                let r = self.rules.remove(rng.gen_range(0..self.rules.len()));
                what.push(format!(
                    "removed {} port {} from {}",
                    verb(r),
                    r.port,
                    r.source
                ));
            } else if choice == 2 {
                let i = rng.gen_range(0..self.rules.len());
                let old = self.rules[i].port;
                let port = *pick(rng, PORTS);
                if port != old && !self.rules.iter().any(|r| r.port == port) {
                    self.rules[i].port = port;
                    what.push(format!("port {old} → {port}"));
                }
            } else {
                let i = rng.gen_range(0..self.rules.len());
                self.rules[i].allow = !self.rules[i].allow;
                let r = self.rules[i];
                what.push(format!("port {} from {} now {}", r.port, r.source, verb(r)));
            }
        }
        if what.is_empty() {
            what.push(format!("version {}", self.version));
        }
        what.join("; ")
    }
}

fn verb(r: Rule) -> &'static str {
    if r.allow { "allow" } else { "deny" }
}

// ---------------------------------------------------------------------------------------------
// Small helpers.

fn pick<'a, T>(rng: &mut StdRng, items: &'a [T]) -> &'a T {
    &items[rng.gen_range(0..items.len())]
}

fn weighted_index(rng: &mut StdRng, weights: impl Iterator<Item = u32> + Clone) -> usize {
    let total: u32 = weights.clone().sum();
    let mut roll = rng.gen_range(0..total);
    for (i, w) in weights.enumerate() {
        if roll < w {
            return i;
        }
        roll -= w;
    }
    unreachable!("the roll is below the total")
}

fn weighted<T: Copy>(rng: &mut StdRng, items: &[(T, u32)]) -> T {
    items[weighted_index(rng, items.iter().map(|(_, w)| *w))].0
}

/// The object under `key`, created when missing.
fn nested<'a>(obj: &'a mut Map<String, Value>, key: &str) -> &'a mut Map<String, Value> {
    let v = obj.entry(key).or_insert_with(|| json!({}));
    if !v.is_object() {
        *v = json!({});
    }
    v.as_object_mut().expect("just made an object")
}

fn toggle(obj: &mut Map<String, Value>, key: &str) {
    let now = obj.get(key).and_then(Value::as_bool).unwrap_or(false);
    obj.insert(key.into(), json!(!now));
}

/// Sets `key` to a value of `choices` other than its current one.
fn set_other<T: serde::Serialize + Copy>(
    rng: &mut StdRng,
    obj: &mut Map<String, Value>,
    key: &str,
    choices: &[T],
) {
    let current = obj.get(key).cloned();
    let others: Vec<Value> = choices
        .iter()
        .map(|c| json!(c))
        .filter(|v| Some(v) != current.as_ref())
        .collect();
    obj.insert(key.into(), pick(rng, &others).clone());
}

/// Adds a member of `choices` to the array under `key`, or removes one (keeping at least one).
fn toggle_member(rng: &mut StdRng, obj: &mut Map<String, Value>, key: &str, choices: &[&str]) {
    let list = obj
        .entry(key)
        .or_insert_with(|| json!([]))
        .as_array_mut()
        .expect("a list");
    let missing: Vec<&str> = choices
        .iter()
        .copied()
        .filter(|c| !list.contains(&json!(c)))
        .collect();
    if list.len() > 1 && (missing.is_empty() || rng.gen_bool(0.4)) {
        list.remove(rng.gen_range(0..list.len()));
    } else {
        list.push(json!(pick(rng, &missing)));
    }
}

fn slug(name: &str) -> String {
    name.split_whitespace()
        .next()
        .unwrap_or("acme")
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase()
}

fn portal_customer(rng: &mut StdRng) -> String {
    format!("customer-{}@mail.example", rng.gen_range(100..999))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{HashMap, HashSet};

    fn cfg(seed: u64, events: usize) -> DemoConfig {
        DemoConfig {
            seed,
            events,
            end: DateTime::parse_from_rfc3339("2026-03-15T12:00:00Z")
                .unwrap()
                .with_timezone(&Utc),
        }
    }

    fn bytes(cfg: &DemoConfig) -> Vec<Vec<u8>> {
        generate(cfg).map(|e| e.canonical_bytes()).collect()
    }

    #[test]
    fn demo_is_deterministic() {
        let a = bytes(&cfg(7, 500));
        assert_eq!(a.len(), 500);
        assert_eq!(a, bytes(&cfg(7, 500)));
        assert_ne!(a, bytes(&cfg(8, 500)));
    }

    #[test]
    fn demo_events_normalize_unchanged() {
        for e in generate(&cfg(1, 3_000)) {
            let mut n = e.clone();
            n.normalize().unwrap();
            assert_eq!(n, e);
            assert_eq!(n.canonical_bytes(), e.canonical_bytes());
        }
    }

    #[test]
    fn demo_histories_are_coherent() {
        // The last `after` of each record seen so far; `None` once deleted.
        let mut state: HashMap<(String, String), Option<Value>> = HashMap::new();
        let mut counts: HashMap<&str, usize> = HashMap::new();
        for e in generate(&cfg(3, 20_000)) {
            *counts
                .entry(if e.action == "CREATE" { "c" } else { "o" })
                .or_default() += 1;
            if e.outcome == "failure" {
                assert!(e.before.is_none() && e.after.is_none(), "{e:?}");
                continue;
            }
            match e.action.as_str() {
                "CREATE" => assert!(e.before.is_none() && e.after.is_some(), "{e:?}"),
                "DELETE" => assert!(e.before.is_some() && e.after.is_none(), "{e:?}"),
                "UPDATE" | "PUT" => assert!(e.before.is_some() && e.after.is_some()),
                _ => assert!(e.before.is_none() && e.after.is_none(), "{e:?}"),
            }
            let (Some(table), Some(rid)) = (&e.table, &e.resource_id) else {
                continue;
            };
            let key = (table.clone(), rid.clone());
            let carries_data = e.before.is_some() || e.after.is_some();
            match state.get(&key) {
                Some(Some(last)) if carries_data => {
                    assert_eq!(e.before.as_ref(), Some(last), "{e:?}");
                }
                Some(None) => panic!("event on a deleted record: {e:?}"),
                _ => {}
            }
            if e.action == "CREATE" {
                assert!(!state.contains_key(&key), "resource id reused: {e:?}");
            }
            if carries_data {
                state.insert(key, e.after.clone());
            }
        }
        assert!(counts["c"] > 100);
    }

    #[test]
    fn demo_alice_updates_are_several_percent() {
        let events: Vec<Event> = generate(&cfg(11, 10_000)).collect();
        let alice = events
            .iter()
            .filter(|e| e.user == "alice" && e.action == "UPDATE")
            .count();
        let share = alice as f64 / events.len() as f64;
        assert!((0.03..=0.15).contains(&share), "alice UPDATE share {share}");
        let updates = events.iter().filter(|e| e.action == "UPDATE").count();
        for action in [
            "CREATE", "DELETE", "LOGIN", "GENERATE", "POST", "PUBLISH", "PUT",
        ] {
            let n = events.iter().filter(|e| e.action == action).count();
            assert!(n > 0 && n < updates, "{action}: {n} vs {updates} updates");
        }
        for action in ["SEND", "READ", "EXPORT"] {
            assert!(events.iter().any(|e| e.action == action), "{action}");
        }
        let failures = events.iter().filter(|e| e.outcome == "failure").count();
        let failure_share = failures as f64 / events.len() as f64;
        assert!((0.01..=0.04).contains(&failure_share), "{failure_share}");
    }

    #[test]
    fn demo_times_are_ordered_and_within_the_window() {
        let c = cfg(5, 5_000);
        let events: Vec<Event> = generate(&c).collect();
        assert!(events.windows(2).all(|w| w[0].time <= w[1].time));
        let first = events.first().unwrap().time;
        let last = events.last().unwrap().time;
        assert!(last < c.end && c.end - last < Duration::minutes(5));
        assert!(c.end - first >= Duration::days(29) && c.end - first <= Duration::days(30));
        assert!(
            events
                .iter()
                .all(|e| e.time.timestamp_subsec_nanos() % 1_000_000 == 0)
        );
        // One event fits too, shortly before the end.
        let one: Vec<Event> = generate(&cfg(5, 1)).collect();
        assert!(c.end - one[0].time < Duration::minutes(5));
    }

    #[test]
    fn demo_ids_are_unique_and_carry_the_time() {
        let mut seen = HashSet::new();
        for e in generate(&cfg(9, 20_000)) {
            let id = uuid::Uuid::parse_str(&e.id).unwrap();
            assert_eq!(id.get_version_num(), 7);
            let (secs, nanos) = id.get_timestamp().unwrap().to_unix();
            let ms = secs as i64 * 1000 + i64::from(nanos / 1_000_000);
            assert_eq!(ms, e.time.timestamp_millis());
            assert!(seen.insert(e.id), "duplicate id");
        }
        assert_eq!(seen.len(), 20_000);
    }

    #[test]
    fn demo_average_size_is_realistic() {
        let sizes: Vec<usize> = generate(&cfg(2, 2_000))
            .map(|e| e.canonical_bytes().len())
            .collect();
        let average = sizes.iter().sum::<usize>() as f64 / sizes.len() as f64;
        assert!((400.0..=900.0).contains(&average), "average {average}");
    }

    #[test]
    fn demo_streams_lazily() {
        // A million events cost nothing until they are pulled.
        let mut it = generate(&cfg(4, 1_000_000));
        assert_eq!(it.size_hint(), (1_000_000, Some(1_000_000)));
        let first: Vec<Event> = it.by_ref().take(1_000).collect();
        assert_eq!(first.len(), 1_000);
        assert_eq!(it.size_hint(), (999_000, Some(999_000)));
        assert!(first.windows(2).all(|w| w[0].time <= w[1].time));
        // Later events are a few seconds apart: the spacing scales with the count.
        let gap = first[999].time - first[0].time;
        assert!(gap < Duration::hours(3), "{gap}");
        assert_eq!(generate(&cfg(4, 30_000)).count(), 30_000);
    }
}

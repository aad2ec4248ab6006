//! The SQL back end (`sql.rs`, run on a real store schema) and the in-memory matcher
//! (`eval.rs`) must select exactly the same events for every expression (docs/SPEC.md §4.7: "the
//! three must give the same answer"). Random events and random trees over every node kind.

use chrono::{DateTime, Duration, TimeZone, Utc};
use proptest::prelude::*;
use proptest::sample::select;
use rusqlite::{Connection, params};
use serde_json::{Map, Value, json};

use super::ast::{CmpOp, Expr, Field, Literal, Path, Segment};
use super::{eval, parse, sql};
use crate::model::{self, Event};
use crate::store::{functions, schema};

// ---- the store and the two back ends ----------------------------------------------------

fn base_time() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap()
}

/// An in-memory store holding `events` (seq = index + 1), and the events as the store holds
/// them: normalised and read back from their canonical entry bytes, with their seq.
fn store(events: &[Event]) -> (Connection, Vec<Event>) {
    let conn = Connection::open_in_memory().unwrap();
    schema::create(&conn).unwrap();
    functions::register(&conn).unwrap();
    let mut stored = Vec::new();
    for (i, e) in events.iter().enumerate() {
        let seq = i as u64 + 1;
        let mut e = e.clone();
        e.id = format!("e{seq}");
        e.normalize().unwrap();
        let entry = String::from_utf8(e.canonical_bytes()).unwrap();
        let mut back: Event = serde_json::from_str(&entry).unwrap();
        back.seq = Some(seq);
        let ip_key = back
            .ip
            .as_deref()
            .map(|ip| model::ip_key(&ip.parse().unwrap()).to_vec());
        conn.execute(
            "INSERT INTO entries (seq, id, entry, leaf, time_us, user_name, action, tbl, \
             resource_id, service, origin, outcome, ip_key, reverts) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
            params![
                seq as i64,
                back.id,
                entry,
                model::leaf_hash(entry.as_bytes()).to_vec(),
                model::time_key(&back.time),
                back.user,
                back.action,
                back.table,
                back.resource_id,
                back.service,
                back.origin,
                back.outcome,
                ip_key,
                back.reverts,
            ],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO entries_fts (rowid, doc) VALUES (?1, ?2)",
            params![
                seq as i64,
                crate::store::search_text(&back, crate::redact::Redactor::builtin())
            ],
        )
        .unwrap();
        stored.push(back);
    }
    (conn, stored)
}

fn sql_seqs(conn: &Connection, expr: &Expr) -> Vec<u64> {
    let w = sql::to_sql(expr);
    let query = format!("SELECT seq FROM entries WHERE {} ORDER BY seq", w.sql);
    let mut stmt = conn
        .prepare(&query)
        .unwrap_or_else(|e| panic!("bad SQL for {expr:?}: {e}\n{query}"));
    let rows = stmt
        .query_map(rusqlite::params_from_iter(w.params.iter()), |r| {
            r.get::<_, i64>(0)
        })
        .unwrap_or_else(|e| panic!("SQL failed for {expr:?}: {e}\n{query}"));
    rows.map(|r| r.unwrap() as u64).collect()
}

fn memory_seqs(events: &[Event], expr: &Expr) -> Vec<u64> {
    let m = eval::Matcher::new(expr, crate::redact::Redactor::builtin());
    events
        .iter()
        .filter(|e| m.is_match(e))
        .filter_map(|e| e.seq)
        .collect()
}

/// The seqs both back ends select; fails when they differ.
fn agree(conn: &Connection, events: &[Event], expr: &Expr) -> Result<Vec<u64>, TestCaseError> {
    let in_sql = sql_seqs(conn, expr);
    let in_memory = memory_seqs(events, expr);
    if in_sql != in_memory {
        let detail: Vec<String> = events
            .iter()
            .filter(|e| {
                let s = e.seq.unwrap_or(0);
                in_sql.contains(&s) != in_memory.contains(&s)
            })
            .map(|e| String::from_utf8_lossy(&e.canonical_bytes()).into_owned())
            .collect();
        return Err(TestCaseError::fail(format!(
            "back ends disagree on {expr:?}\n  sql: {in_sql:?}\n  memory: {in_memory:?}\n  where: {}\n  events: {detail:#?}",
            sql::to_sql(expr).sql
        )));
    }
    Ok(in_sql)
}

// ---- random events ----------------------------------------------------------------------

const USERS: &[&str] = &["alice", "bob", "Portal", "Jürgen", "ops bot"];
const ACTIONS: &[&str] = &["UPDATE", "update", "CREATE", "DELETE", "LOGIN"];
const TABLES: &[&str] = &["policies", "accounts", "42"];
const RESOURCE_IDS: &[&str] = &["42", "007", "1.5", "abc", "-3"];
const NAMES: &[&str] = &["editPolicy", "Automation", "Portal", "API", "true"];
const IPS: &[&str] = &[
    "10.0.0.1",
    "10.1.2.3",
    "192.168.1.5",
    "8.8.8.8",
    "fd00::1",
    "2001:db8::5",
    "::ffff:10.0.0.2",
    "::1",
];
const WORDS: &[&str] = &["firewall", "on", "Updated", "ingress", "42", "x", "Grüße"];
const KEYS: &[&str] = &["a", "b", "n", "s", "x y", "enabled"];
pub(crate) const META_KEYS: &[&str] = &["account_id", "count", "flag", "n", "a"];
const STRINGS: &[&str] = &[
    "alice",
    "bob",
    "Portal",
    "UPDATE",
    "update",
    "42",
    "007",
    "1.5",
    "true",
    "",
    "x",
    "10.0.0.1",
    "fd00::1",
    "2026-11-01T00:00:00.000Z",
    "success",
    "policies",
    "e1",
    "firewall on",
];
const SECONDS: &[i64] = &[0, 1, 3600, 86_400, 86_400 * 7, 86_400 * 30];
const MICROS: &[i64] = &[0, 500_000, 123_456];

fn time_value() -> impl Strategy<Value = DateTime<Utc>> {
    (select(SECONDS), select(MICROS))
        .prop_map(|(s, us)| base_time() + Duration::seconds(s) + Duration::microseconds(us))
}

fn json_leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        (-3i64..8).prop_map(|n| json!(n)),
        Just(json!(42)),
        select(&[1.5f64, -0.5, 42.25][..]).prop_map(|f| json!(f)),
        select(STRINGS).prop_map(|s| json!(s)),
    ]
}

fn object(entries: impl IntoIterator<Item = (&'static str, Value)>) -> Value {
    Value::Object(
        entries
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect(),
    )
}

fn json_value() -> impl Strategy<Value = Value> {
    json_leaf().prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(select(KEYS), inner, 0..4).prop_map(object),
        ]
    })
}

/// `before` / `after`: absent, a JSON object, an array, or a text document.
fn record() -> impl Strategy<Value = Option<Value>> {
    prop_oneof![
        Just(None),
        prop::collection::btree_map(select(KEYS), json_value(), 0..5).prop_map(|m| Some(object(m))),
        prop::collection::vec(json_value(), 0..3).prop_map(|v| Some(Value::Array(v))),
        select(&["<policy enabled=\"true\"/>", "firewall on", "42"][..])
            .prop_map(|s| Some(json!(s))),
    ]
}

fn opt(values: &'static [&'static str]) -> impl Strategy<Value = Option<String>> {
    prop::option::of(select(values).prop_map(str::to_owned))
}

pub(crate) fn event() -> impl Strategy<Value = Event> {
    let who = (
        time_value(),
        select(USERS),
        prop::option::of(select(&model::USER_TYPES[..])),
        opt(IPS),
        select(ACTIONS),
        opt(NAMES),
        opt(NAMES),
        opt(NAMES),
    );
    let what = (
        opt(TABLES),
        opt(RESOURCE_IDS),
        prop::collection::vec(select(WORDS), 0..4),
        select(&["success", "failure"][..]),
        record(),
        record(),
        opt(&["e1", "e2"]),
        prop::collection::btree_map(select(META_KEYS), json_value(), 0..4),
    );
    (who, what).prop_map(
        |(
            (time, user, user_type, ip, action, operation, service, origin),
            (table, resource_id, words, outcome, before, after, reverts, meta),
        )| Event {
            seq: None,
            id: String::new(),
            time,
            user: user.to_owned(),
            user_type: user_type.map(str::to_owned),
            ip,
            action: action.to_owned(),
            operation,
            service,
            origin,
            table,
            resource_id,
            message: words.join(" "),
            outcome: outcome.to_owned(),
            before,
            after,
            reverts,
            meta: meta
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect::<Map<_, _>>(),
        },
    )
}

// ---- random expressions -----------------------------------------------------------------

fn path() -> impl Strategy<Value = Path> {
    let seg = prop_oneof![
        3 => select(KEYS).prop_map(|k| Segment::Key(k.to_owned())),
        1 => (0usize..3).prop_map(Segment::Index),
    ];
    prop::collection::vec(seg, 0..3).prop_map(Path)
}

fn meta_path() -> impl Strategy<Value = Path> {
    prop_oneof![
        4 => (select(META_KEYS), path()).prop_map(|(k, mut p)| {
            p.0.insert(0, Segment::Key(k.to_owned()));
            p
        }),
        1 => path(),
    ]
}

fn field() -> impl Strategy<Value = Field> {
    prop_oneof![
        3 => select(&super::ast::SCALAR_FIELDS[..]).prop_map(|(_, f)| f),
        1 => path().prop_map(Field::Before),
        1 => path().prop_map(Field::After),
        1 => meta_path().prop_map(Field::Meta),
    ]
}

fn literal() -> impl Strategy<Value = Literal> {
    prop_oneof![
        1 => Just(Literal::Null),
        1 => any::<bool>().prop_map(Literal::Bool),
        2 => select(&[0.0, 1.0, 5.0, 7.0, 42.0, -3.0, 1.5, 42.25, -0.5][..]).prop_map(Literal::Number),
        3 => select(STRINGS).prop_map(|s| Literal::String(s.to_owned())),
        1 => select(IPS).prop_map(|s| Literal::String(s.to_owned())),
        2 => time_value().prop_map(Literal::Time),
    ]
}

fn cmp_op() -> impl Strategy<Value = CmpOp> {
    select(
        &[
            CmpOp::Eq,
            CmpOp::Ne,
            CmpOp::Lt,
            CmpOp::Le,
            CmpOp::Gt,
            CmpOp::Ge,
        ][..],
    )
}

const PATTERNS: &[&str] = &[
    "^a",
    "e$",
    "(?i)ALICE",
    "[0-9]+",
    "^$",
    "x y",
    "update",
    r"\.",
    "^UPD",
    "1",
    "::",
];
const NEEDLES: &[&str] = &["a", "li", "4", "", ".", "UPD", "on", "::", "true"];
const NETS: &[&str] = &[
    "10.0.0.0/8",
    "10.1.0.0/16",
    "0.0.0.0/0",
    "::/0",
    "fd00::/8",
    "2001:db8::/32",
    "192.168.1.5/32",
    "::ffff:0:0/96",
    "10.0.0.1/32",
    "::1/128",
];
const QUERIES: &[&str] = &[
    "",
    "alice",
    "firewall",
    "42",
    "a",
    "account id",
    "true",
    "1 5",
    "grüße",
    "x y",
    "policies ON",
];

fn leaf_expr() -> impl Strategy<Value = Expr> {
    prop_oneof![
        1 => Just(Expr::All),
        6 => (field(), cmp_op(), literal()).prop_map(|(field, op, value)| Expr::Compare { field, op, value }),
        2 => (field(), prop::collection::vec(literal(), 0..4)).prop_map(|(field, values)| Expr::In { field, values }),
        2 => (field(), select(PATTERNS), any::<bool>()).prop_map(|(field, p, negated)| Expr::Regex {
            field,
            pattern: p.to_owned(),
            negated,
        }),
        2 => (field(), select(NEEDLES)).prop_map(|(field, t)| Expr::Contains { field, text: t.to_owned() }),
        2 => select(NETS).prop_map(|n| Expr::IpIn(n.parse().unwrap())),
        2 => path().prop_map(Expr::Changed),
        2 => field().prop_map(Expr::Has),
        2 => select(QUERIES).prop_map(|q| Expr::Search(q.to_owned())),
    ]
}

fn expr() -> impl Strategy<Value = Expr> {
    leaf_expr().prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Expr::And),
            prop::collection::vec(inner.clone(), 0..4).prop_map(Expr::Or),
            inner.prop_map(|e| Expr::Not(Box::new(e))),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn sql_and_memory_agree(
        events in prop::collection::vec(event(), 1..8),
        exprs in prop::collection::vec(expr(), 1..8),
    ) {
        let (conn, stored) = store(&events);
        for e in &exprs {
            agree(&conn, &stored, e)?;
            // `not` must select exactly the complement on both sides.
            agree(&conn, &stored, &Expr::Not(Box::new(e.clone())))?;
        }
    }
}

// ---- parsed texts on fixed events -------------------------------------------------------

fn fixed_events() -> Vec<Event> {
    [
        json!({"time": "2026-11-02T10:00:00Z", "user": "alice", "action": "UPDATE", "ip": "10.1.2.3",
               "table": "policies", "resource_id": "42", "message": "Changed firewall",
               "before": {"settings": {"enabled": true}, "rules": [{"port": 80}]},
               "after": {"settings": {"enabled": false}, "rules": [{"port": 443}]},
               "meta": {"account_id": "1234", "count": 3}}),
        json!({"time": "2026-11-20T08:30:00Z", "user": "bob", "action": "DELETE", "ip": "fd00::7",
               "table": "accounts", "resource_id": "007", "message": "Deleted account",
               "before": {"name": "x"}, "meta": {"account_id": 1234}}),
        json!({"time": "2026-10-01T00:00:00Z", "user": "Portal", "action": "CREATE",
               "origin": "Portal", "table": "policies", "resource_id": "43",
               "message": "Created policy via ingress 42", "after": "<policy/>",
               "meta": {"flag": true}}),
        json!({"time": "2026-11-23T23:59:59.999Z", "user": "x'; DROP TABLE entries; --",
               "action": "LOGIN", "ip": "192.168.1.5", "message": "", "outcome": "failure",
               "reverts": "e1", "meta": {}}),
    ]
    .into_iter()
    .map(|v| serde_json::from_value(v).unwrap())
    .collect()
}

#[test]
fn parsed_filters_agree_on_fixed_events() {
    let now = Utc.with_ymd_and_hms(2026, 11, 24, 12, 0, 0).unwrap();
    let (conn, stored) = store(&fixed_events());
    let cases: &[(&str, &[u64])] = &[
        ("", &[1, 2, 3, 4]),
        (
            r#"user = "alice" and action in [update, DELETE] and time >= -7d"#,
            &[],
        ),
        (
            r#"user = "alice" and action in [update, DELETE] and time >= -30d"#,
            &[1],
        ),
        (
            "table = policies and not (origin = Portal) and ip in 10.0.0.0/8",
            &[1],
        ),
        (
            "after.settings.enabled = false and changed(settings.enabled)",
            &[1],
        ),
        (
            r#"message ~ "(?i)FIREWALL" or search("ingress 42")"#,
            &[1, 3],
        ),
        ("meta.account_id = 1234 and has(before)", &[1, 2]),
        (r#"meta.account_id = "1234""#, &[1]),
        ("changed(rules[0].port)", &[1]),
        ("changed(name)", &[2]),
        ("ip in fd00::/8", &[2]),
        ("ip in [192.168.1.5, fd00::/8]", &[2, 4]),
        ("ip = null", &[3]),
        ("ip != null", &[1, 2, 4]),
        ("pk = 007", &[2]),
        ("pk = 7", &[]),
        ("resource_id > 42", &[3]),
        ("seq >= 3", &[3, 4]),
        ("seq in [1, 4]", &[1, 4]),
        (r#"user = "x'; DROP TABLE entries; --""#, &[4]),
        (r#"time >= "2026-11-20T10:30:00+02:00""#, &[2, 4]),
        (
            "time < 2026-11-02T10:00:00.001Z AND time >= 2026-11-02T10:00:00Z",
            &[1],
        ),
        ("has(reverts) OR outcome = failure", &[4]),
        ("NOT has(meta.flag)", &[1, 2, 4]),
        ("meta.flag = true", &[3]),
        ("after = \"<policy/>\"", &[3]),
        ("before = null", &[3, 4]),
        ("message contains \"account\"", &[2]),
        ("message !~ \"^$\"", &[1, 2, 3]),
        ("action ~ ^upd", &[1]),
        ("user not in [alice, bob]", &[3, 4]),
        ("meta.count >= 3 or meta.count < 0", &[1]),
        ("meta.missing != 5", &[1, 2, 3, 4]),
        ("search(\"\")", &[1, 2, 3, 4]),
        ("user = a or user = alice and action = delete", &[]),
        ("(user = bob or user = alice) and action = delete", &[2]),
    ];
    for (text, want) in cases {
        let expr = parse(text, now).unwrap_or_else(|e| panic!("{text:?}:\n{e}"));
        let got = agree(&conn, &stored, &expr).unwrap_or_else(|e| panic!("{text:?}: {e}"));
        assert_eq!(&got, want, "{text:?} parsed as {expr:?}");
    }
}

/// The disagreements the property test found, kept as plain regressions.
#[test]
fn found_disagreements_stay_fixed() {
    let (conn, stored) = store(&fixed_events());
    let missing = Field::from_name("meta.missing").unwrap();
    for (expr, want) in [
        // A number compared with a missing JSON path was NULL in SQL, so `!=` lost the row.
        (
            Expr::Compare {
                field: missing.clone(),
                op: CmpOp::Ne,
                value: Literal::Number(5.0),
            },
            vec![1, 2, 3, 4],
        ),
        // `contains` bound its two parameters in the wrong order.
        (
            Expr::Contains {
                field: Field::Message,
                text: "account".into(),
            },
            vec![2],
        ),
        // An ordering against null on a JSON-held text field bound an unused parameter.
        (
            Expr::Not(Box::new(Expr::Compare {
                field: Field::Message,
                op: CmpOp::Lt,
                value: Literal::Null,
            })),
            vec![1, 2, 3, 4],
        ),
        // `meta` itself is an object: it equals no literal, in memory as in SQL.
        (
            Expr::Compare {
                field: Field::Meta(Path::default()),
                op: CmpOp::Eq,
                value: Literal::Bool(true),
            },
            vec![],
        ),
        (Expr::Has(Field::Meta(Path::default())), vec![1, 2, 3, 4]),
    ] {
        assert_eq!(agree(&conn, &stored, &expr).unwrap(), want, "{expr:?}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// A printed expression, parsed again, selects the same events (the remote `filter`
    /// parameter depends on it). Trees the parser could never build (a boolean compared with
    /// `<`, text against `seq`) have no text form; they are skipped.
    #[test]
    fn printed_expressions_select_the_same_events(
        events in prop::collection::vec(event(), 1..8),
        e in expr(),
    ) {
        let text = super::print::print(&e);
        if !parser_builds(&e) {
            return Ok(());
        }
        if let Ok(parsed) = super::parse(&text, base_time()) {
            let (_, stored) = store(&events);
            prop_assert_eq!(memory_seqs(&stored, &parsed), memory_seqs(&stored, &e), "{}", text);
        }
    }
}

/// Whether the parser could have built this tree: it reads every value compared with `time`
/// as a time, so `time = "2026-…"` holding a string literal (never a match in memory) prints
/// as text that parses to a time comparison, which may match.
fn parser_builds(e: &Expr) -> bool {
    match e {
        Expr::And(parts) | Expr::Or(parts) => parts.iter().all(parser_builds),
        Expr::Not(inner) => parser_builds(inner),
        Expr::Compare {
            field: Field::Time,
            value,
            ..
        } => matches!(value, Literal::Time(_) | Literal::Null),
        Expr::In {
            field: Field::Time,
            values,
        } => values
            .iter()
            .all(|v| matches!(v, Literal::Time(_) | Literal::Null)),
        _ => true,
    }
}

/// Pieces of filter text, hostile ones among them, for the soup below.
const SOUP: &[&str] = &[
    "user",
    "meta.",
    "after.",
    "before.",
    "meta.k",
    "after.a[0]",
    "\u{0}",
    "\u{1b}",
    "\"",
    "'",
    "=",
    "!=",
    "<",
    "~",
    "in",
    "contains",
    "and",
    "or",
    "not",
    "(",
    ")",
    "[",
    "]",
    ",",
    "1",
    "-7d",
    "x",
    "\"x y\"",
    "changed(",
    "has(",
    "search(",
    "ip",
    "10.0.0.0/8",
    "time",
    "seq",
    "null",
    "true",
    "é",
    "%",
    "_",
    "*",
    ".",
    "\\",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    /// Whatever text parses runs on a real store: a filter is never a store error (a 500 from
    /// the server), only a parse error with its position.
    #[test]
    fn every_filter_that_parses_runs_on_the_store(
        parts in prop::collection::vec(select(SOUP), 1..10),
        glue in any::<bool>(),
    ) {
        let text = parts.join(if glue { "" } else { " " });
        if let Ok(expr) = super::parse(&text, base_time()) {
            let (conn, stored) = store(&fixed_events());
            prop_assert_eq!(sql_seqs(&conn, &expr), memory_seqs(&stored, &expr), "{}", text);
        }
    }
}

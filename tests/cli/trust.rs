//! Trust boundaries: what event data can do to a terminal, what a token of each scope can see
//! and do, what redacted output can become, and extreme input.

use super::common::Env;

/// Characters that must never reach a terminal from event data.
const HIDDEN: [char; 10] = [
    '\u{1b}', '\r', '\u{8}', '\u{7}', '\0', '\u{9b}', '\u{7f}', '\u{202e}', '\u{2066}', '\u{200f}',
];

fn hostile(tag: &str) -> String {
    format!("{tag}\u{1b}[2K\r\u{8}\u{7}\u{9b}31m\u{7f}\u{202e}\u{2066}\u{200f}root")
}

#[track_caller]
fn assert_nothing_hidden(what: &str, text: &str) {
    if let Some(c) = text.chars().find(|c| HIDDEN.contains(c)) {
        panic!("{what}: {c:?} reached the terminal in:\n{text:?}");
    }
}

#[test]
fn event_data_never_drives_the_terminal() {
    let env = Env::new();
    let user = hostile("eve");
    let message = format!("line one\n{}", hostile("msg"));
    let before = serde_json::json!({ hostile("key"): hostile("old"), "plain": 1 }).to_string();
    let after = serde_json::json!({ hostile("key"): hostile("new"), "plain": 2 }).to_string();
    let meta = format!("{}={}", hostile("mk"), hostile("mv"));
    env.run(&[
        "record",
        "--id",
        &hostile("id"),
        "--user",
        &user,
        "--action",
        "UPDATE",
        "--table",
        &hostile("tbl"),
        "--pk",
        &hostile("pk"),
        "-m",
        &message,
        "--meta",
        &meta,
        "--before",
        &before,
        "--after",
        &after,
        "--ip",
        "10.0.0.1",
    ])
    .ok();
    let pk = hostile("pk");
    let tbl = hostile("tbl");
    for args in [
        vec!["list"],
        vec![
            "list",
            "--columns",
            "seq,id,user,table,resource_id,message,meta,before,after",
        ],
        vec!["filter", "action = UPDATE"],
        vec!["show", "1"],
        vec!["diff", "1"],
        vec!["diff", "1", "--stat"],
        vec!["history", &tbl, &pk],
        vec!["stats", "--by", "user"],
        vec!["stats", "--by", "meta"],
        vec!["revert", "1", "--dry-run"],
        vec!["verify"],
    ] {
        let run = env.run(&args);
        assert_nothing_hidden(&format!("{args:?} stdout"), &run.stdout);
        assert_nothing_hidden(&format!("{args:?} stderr"), &run.stderr);
    }
    let shown = env.run(&["show", "1"]).ok();
    assert!(
        shown
            .stdout
            .contains("eve\\e[2K\\r\\b\\a\\u{9b}31m\\u{7f}\\u{202e}"),
        "{}",
        shown.stdout
    );
    // Errors that repeat what was typed or stored are shown the same way.
    for args in [
        vec!["show".to_owned(), hostile("nope")],
        vec![
            "list".to_owned(),
            "--user".to_owned(),
            hostile("u"),
            "--filter".to_owned(),
            hostile("("),
        ],
        vec!["import".to_owned(), hostile("missing")],
    ] {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let run = env.run(&args);
        assert_ne!(run.code, 0);
        assert_nothing_hidden(&format!("{args:?}"), &run.stderr);
    }
    // Machine formats keep the values exactly.
    let json = env.run(&["list", "-o", "jsonl"]).ok();
    let e = &json.events()[0];
    assert_eq!(e.user, user);
    assert_eq!(e.message, message);
    let csv = env.run(&["export", "-o", "csv"]).ok();
    assert!(csv.stdout.contains(&user), "CSV keeps the value");
}

#[test]
fn extreme_input_is_an_error_not_a_panic_or_a_hang() {
    let env = Env::with_events();
    let started = std::time::Instant::now();
    for (args, tz, needle) in [
        (
            vec!["list", "--since", "+262142-12-31 23:59:59"],
            "America/New_York",
            "invalid time",
        ),
        (
            vec!["list", "--since", "+262142-12-31T23:59:59Z"],
            "UTC",
            "",
        ),
        (
            vec!["stats", "--by", "day", "--until", "+262142-12-31"],
            "UTC",
            "",
        ),
        (
            vec!["stats", "--by", "day", "--since", "19999999995m"],
            "UTC",
            "out of range: times run from 0001-01-01 to 9999-12-31",
        ),
        (
            vec!["stats", "--by", "hour", "--since", "1000-01-01"],
            "Europe/Berlin",
            "more than 10,000",
        ),
        (
            vec!["list", "--until", "99999999999999w"],
            "UTC",
            "out of range",
        ),
    ] {
        let mut cmd = env.command(&args);
        cmd.env("TZ", tz);
        let run = super::common::to_run(cmd.output().unwrap());
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
        assert!(run.stderr.contains(needle), "{args:?}: {}", run.stderr);
    }
    let run = env.run(&["stats", "--by", "hour", "--since", "1000-01-01"]);
    assert!(run.stderr.contains("use --by year"), "{}", run.stderr);
    let run = env.run(&["stats", "--by", "hour", "--since", "2000-01-01"]);
    assert!(run.stderr.contains("use --by day"), "{}", run.stderr);
    // A histogram over a long range in a coarser unit is fine.
    env.run(&["stats", "--by", "month", "--since", "2000-01-01"])
        .ok();
    // Redaction keys past the limits name the setting.
    let many: Vec<String> = (0..100_000).map(|i| format!("\"k{i}\"")).collect();
    env.write(
        "config/auditctl/config.toml",
        &format!("[redact]\nkeys = [{}]\n", many.join(", ")),
    );
    let run = env.run(&["list"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("redact.keys holds 100000 keys"),
        "{}",
        run.stderr
    );
    env.write(
        "config/auditctl/config.toml",
        &format!("[redact]\nkeys = [\"{}\"]\n", "x".repeat(20 << 20)),
    );
    let run = env.run(&["list"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("redact.keys has a key of 20971520 bytes"),
        "{}",
        run.stderr
    );
    assert!(
        started.elapsed() < std::time::Duration::from_secs(20),
        "no hang"
    );
}

/// Values a view token must never see, in every shape a store holds them.
const SECRETS: [&str; 4] = ["S3cretPassWord", "K3yValue9", "T0kenValue7", "4455998"];

/// A store holding secrets under built-in and configured sensitive keys, with a checkpoint,
/// and tokens of every scope.
fn secret_store() -> (Env, Vec<(&'static str, String)>) {
    let env = Env::new();
    env.write(
        "config/auditctl/config.toml",
        "[redact]\nkeys = [\"pin\"]\n",
    );
    env.run(&["demo", "--events", "30"]).ok();
    env.run(&[
        "record",
        "--id",
        "s1",
        "--user",
        "alice",
        "--action",
        "UPDATE",
        "--table",
        "webhooks",
        "--pk",
        "wh-1",
        "--before",
        r#"{"url": "https://a.example", "token": "T0kenValue7"}"#,
        "--after",
        r#"{"url": "https://b.example", "secret": {"password": "S3cretPassWord"}}"#,
        "--meta",
        "api_key=K3yValue9",
    ])
    .ok();
    env.run(&[
        "record",
        "--id",
        "s2",
        "--user",
        "bob",
        "--action",
        "UPDATE",
        "--table",
        "cards",
        "--pk",
        "c-1",
        "--after",
        r#"{"pin": "4455998", "holder": "bob"}"#,
    ])
    .ok();
    env.run(&["checkpoint"]).ok();
    let tokens = [
        ("view", "view"),
        ("sensitive", "view,view_sensitive"),
        ("writer", "write"),
        ("reverter", "view,revert"),
        ("all", "view,view_sensitive,write,revert"),
    ]
    .into_iter()
    .map(|(name, scopes)| (name, super::common::token(&env, name, scopes)))
    .collect();
    (env, tokens)
}

fn token_of<'a>(tokens: &'a [(&str, String)], name: &str) -> &'a str {
    &tokens.iter().find(|(n, _)| *n == name).unwrap().1
}

#[test]
fn a_view_token_sees_no_secret_on_any_endpoint() {
    let (env, tokens) = secret_store();
    let server = super::common::Server::start(&env, &["--tokens", "tokens.toml"]);
    let client = reqwest::blocking::Client::new();
    let get = |path: &str, token: &str, accept: &str| {
        let r = client
            .get(format!("{}{path}", server.url))
            .bearer_auth(token)
            .header("accept", accept)
            .send()
            .unwrap();
        (r.status().as_u16(), r.text().unwrap())
    };
    let n = 32;
    let mut paths: Vec<String> = vec![
        "/v1".into(),
        "/v1/events?limit=1000".into(),
        "/v1/events?order=asc&limit=1000".into(),
        format!("/v1/proof/consistency?from=1&to={n}"),
        format!("/v1/proof/inclusion?seq={n}&size={n}"),
        "/v1/checkpoint".into(),
        "/v1/events?user=alice&count=true".into(),
    ];
    for by in [
        "after",
        "before",
        "meta",
        "user,after",
        "after.secret",
        "meta.api_key",
        "after.pin",
        "after.secret.password",
    ] {
        paths.push(format!("/v1/stats?by={by}"));
    }
    for id in ["s1", "s2", "31", "32"] {
        paths.push(format!("/v1/events/{id}"));
        paths.push(format!("/v1/events/{id}/revert"));
    }
    // Searches that would confirm a guessed secret find nothing.
    for secret in SECRETS {
        paths.push(format!("/v1/events?q={secret}"));
        paths.push(format!("/v1/stats?by=user&q={secret}"));
    }
    let view = token_of(&tokens, "view");
    for path in &paths {
        for accept in ["application/json", "application/x-ndjson", "text/csv"] {
            let (status, body) = get(path, view, accept);
            assert!(status < 500, "{path}: {status} {body}");
            for secret in SECRETS {
                assert!(
                    !body.contains(secret),
                    "{path} ({accept}) gave {secret}: {body}"
                );
            }
            if path.contains("q=") && path.starts_with("/v1/events") && accept == "application/json"
            {
                assert!(body.contains("\"events\":[]"), "{path}: {body}");
            }
        }
    }
    // Filters on sensitive values are refused, naming the scope; redacted answers are not.
    for filter in [
        r#"after.secret.password ~ "^S3""#,
        r#"before.token = "T0kenValue7""#,
        r#"meta.api_key contains "K3y""#,
        r#"after.pin in ["4455998"]"#,
        "has(after.secret.password)",
    ] {
        let q: String = form_urlencoded::byte_serialize(filter.as_bytes()).collect();
        let (status, body) = get(&format!("/v1/events?filter={q}"), view, "application/json");
        assert_eq!(status, 403, "{filter}: {body}");
        assert!(body.contains("audit_log:view_sensitive"), "{body}");
        let (status, _) = get(&format!("/v1/events?filter={q}"), view, "text/csv");
        assert_eq!(status, 403);
        let (status, _) = get(
            &format!("/v1/stats?by=user&filter={q}"),
            view,
            "application/json",
        );
        assert_eq!(status, 403);
    }
    let q: String =
        form_urlencoded::byte_serialize(b"has(after.secret) and changed(secret)").collect();
    assert_eq!(
        get(&format!("/v1/events?filter={q}"), view, "application/json").0,
        200
    );
    // With view_sensitive, the values are there (the checks above can fail).
    let sensitive = token_of(&tokens, "sensitive");
    let (_, body) = get("/v1/events?limit=1000", sensitive, "application/json");
    for secret in SECRETS {
        assert!(body.contains(secret), "view_sensitive sees {secret}");
    }
    // The CLI through the same server says what the scope is for.
    let run = env.run(&[
        "--remote",
        &server.url,
        "--token",
        view,
        "filter",
        r#"after.secret.password = "x""#,
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("lacks the scope audit_log:view_sensitive"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("hint:"), "{}", run.stderr);
    let run = env.run(&[
        "--remote",
        &server.url,
        "--token",
        view,
        "--reveal",
        "show",
        "s1",
    ]);
    assert!(
        run.stderr.contains("--reveal: the token lacks the scope"),
        "{}",
        run.stderr
    );
    assert!(!run.stdout.contains("S3cretPassWord"));
}

#[test]
fn every_endpoint_answers_each_scope_as_documented() {
    let (env, tokens) = secret_store();
    env.run(&[
        "record",
        "--id",
        "plain",
        "--user",
        "u",
        "--action",
        "UPDATE",
        "--table",
        "t",
        "--pk",
        "1",
        "--before",
        r#"{"a": 1}"#,
        "--after",
        r#"{"a": 2}"#,
    ])
    .ok();
    // Two checkpoints, the sizes between which any reader may have a consistency proof.
    env.run(&["checkpoint"]).ok();
    let first = env.all_events().len();
    env.run(&["record", "--user", "u", "--action", "LOGIN"])
        .ok();
    env.run(&["checkpoint"]).ok();
    let between = format!("/v1/proof/consistency?from={first}&to={}", first + 1);
    let server = super::common::Server::start(&env, &["--tokens", "tokens.toml"]);
    let client = reqwest::blocking::Client::new();
    // Endpoint, method, and the statuses for: no token, a wrong token, view, view and
    // view_sensitive, write, view and revert, all.
    let table: [(&str, &str, [u16; 7]); 12] = [
        ("/v1", "GET", [401, 401, 200, 200, 200, 200, 200]),
        ("/v1/events", "GET", [401, 401, 200, 200, 403, 200, 200]),
        ("/v1/events/1", "GET", [401, 401, 200, 200, 403, 200, 200]),
        // A plan compares the record's values: one that compares secrets needs
        // view_sensitive (whether a guess equals a secret would show in it).
        (
            "/v1/events/s1/revert",
            "GET",
            [401, 401, 403, 200, 403, 403, 200],
        ),
        (
            "/v1/events/plain/revert",
            "GET",
            [401, 401, 200, 200, 403, 200, 200],
        ),
        (
            "/v1/stats?by=user",
            "GET",
            [401, 401, 200, 200, 403, 200, 200],
        ),
        ("/v1/checkpoint", "GET", [401, 401, 200, 200, 403, 200, 200]),
        // Proofs hold hashes of whole events: between checkpoints for any reader, else only
        // for tokens that may see every value.
        (&between, "GET", [401, 401, 200, 200, 403, 200, 200]),
        (
            "/v1/proof/consistency?from=1&to=2",
            "GET",
            [401, 401, 403, 200, 403, 403, 200],
        ),
        (
            "/v1/proof/inclusion?seq=1&size=2",
            "GET",
            [401, 401, 403, 200, 403, 403, 200],
        ),
        ("/v1/events", "POST", [401, 401, 403, 403, 201, 403, 201]),
        (
            "/v1/events/s1/revert",
            "POST",
            [401, 401, 403, 403, 403, 428, 428],
        ),
    ];
    let who: [Option<&str>; 7] = [
        None,
        Some("audt_not_a_token"),
        Some(token_of(&tokens, "view")),
        Some(token_of(&tokens, "sensitive")),
        Some(token_of(&tokens, "writer")),
        Some(token_of(&tokens, "reverter")),
        Some(token_of(&tokens, "all")),
    ];
    let mut n = 0;
    for (path, method, want) in table {
        for (token, want) in who.iter().zip(want) {
            n += 1;
            let url = format!("{}{path}", server.url);
            let mut r = if method == "GET" {
                client.get(&url)
            } else {
                client
                    .post(&url)
                    .header("content-type", "application/json")
                    .body(format!(
                        r#"{{"id":"scope-{n}","time":"2026-11-20T10:00:00Z","user":"u","action":"LOGIN"}}"#
                    ))
            };
            if let Some(t) = token {
                r = r.bearer_auth(t);
            }
            let response = r.send().unwrap();
            assert_eq!(
                response.status().as_u16(),
                want,
                "{method} {path} with {token:?}: {}",
                response.text().unwrap()
            );
        }
    }
    // The scheme of the Authorization header is case-insensitive (RFC 9110).
    let view = token_of(&tokens, "view");
    let r = client
        .get(format!("{}/v1/events", server.url))
        .header("authorization", format!("bearer {view}"))
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = client
        .get(format!("{}/v1/events", server.url))
        .header("authorization", format!("BEARER  {view}"))
        .send()
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[test]
fn the_log_records_which_token_acted_through_the_api() {
    let (env, tokens) = secret_store();
    let server = super::common::Server::start(&env, &["--tokens", "tokens.toml"]);
    let client = reqwest::blocking::Client::new();
    let post = |token: &str, body: &str| {
        client
            .post(format!("{}/v1/events", server.url))
            .bearer_auth(token)
            .header("content-type", "application/json")
            .body(body.to_owned())
            .send()
            .unwrap()
    };
    let writer = token_of(&tokens, "writer");
    let event = r#"{"id":"w1","time":"2026-11-20T10:00:00Z","user":"mallory","action":"UPDATE","table":"policies","resource_id":"p-1","before":{"on":true},"after":{"on":false}}"#;
    assert_eq!(post(writer, event).status(), 201);
    // A client cannot say who recorded it, nor send a field twice.
    let forged = r#"{"id":"w2","time":"2026-11-20T10:00:00Z","user":"u","action":"LOGIN","meta":{"recorded_by":"alice"}}"#;
    let r = post(writer, forged);
    assert_eq!(r.status(), 400);
    assert!(
        r.text()
            .unwrap()
            .contains("recorded_by is set by the server")
    );
    let twice = r#"{"id":"w3","time":"2026-11-20T10:00:00Z","user":"alice","action":"LOGIN","user":"mallory"}"#;
    assert_eq!(post(writer, twice).status(), 400);
    let nested = r#"{"id":"w4","time":"2026-11-20T10:00:00Z","user":"a","action":"LOGIN","after":{"x":1,"x":2}}"#;
    assert_eq!(post(writer, nested).status(), 400);
    // Shown without -o json: in show, and as a list column.
    let show = env.run(&["show", "w1"]).ok();
    assert!(
        show.stdout.contains("recorded_by: writer"),
        "{}",
        show.stdout
    );
    let list = env
        .run(&[
            "list",
            "--columns",
            "seq,user,recorded_by",
            "--user",
            "mallory",
        ])
        .ok();
    assert!(list.stdout.contains("mallory  writer"), "{}", list.stdout);
    // A revert is by the token; naming someone else needs write, and the log says who acted.
    let reverter = token_of(&tokens, "reverter");
    let remote = ["--remote", server.url.as_str(), "--token", reverter];
    let run = env.run(&[&remote[..], &["revert", "w1", "--yes", "--as", "alice"]].concat());
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("needs the scope audit_log:write"),
        "{}",
        run.stderr
    );
    env.run(&[&remote[..], &["revert", "w1", "--yes"]].concat())
        .ok();
    let e = env.all_events().pop().unwrap();
    assert_eq!(
        (e.user.as_str(), &e.meta["recorded_by"]),
        ("reverter", &serde_json::json!("reverter"))
    );
    let all = token_of(&tokens, "all");
    env.run(&[
        "record",
        "--id",
        "w5",
        "--action",
        "UPDATE",
        "--table",
        "t",
        "--pk",
        "1",
        "--before",
        "{\"a\":1}",
        "--after",
        "{\"a\":2}",
    ])
    .ok();
    env.run(&[
        "--remote",
        &server.url,
        "--token",
        all,
        "revert",
        "w5",
        "--yes",
        "--as",
        "alice",
    ])
    .ok();
    let e = env.all_events().pop().unwrap();
    assert_eq!(
        (e.user.as_str(), &e.meta["recorded_by"]),
        ("alice", &serde_json::json!("all"))
    );
    // A token without the revert scope is told so before any plan is shown.
    let view = token_of(&tokens, "view");
    let run = env.run(&[
        "--remote",
        &server.url,
        "--token",
        view,
        "revert",
        "w5",
        "--dry-run",
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stdout.is_empty(), "no plan: {}", run.stdout);
    assert!(
        run.stderr.contains("lacks the scope audit_log:revert"),
        "{}",
        run.stderr
    );
}

#[test]
fn an_idempotency_key_binds_its_request() {
    let (env, tokens) = secret_store();
    for id in ["k1", "k2"] {
        env.run(&[
            "record",
            "--id",
            id,
            "--action",
            "UPDATE",
            "--table",
            "t",
            "--pk",
            id,
            "--before",
            "{\"a\":1}",
            "--after",
            "{\"a\":2}",
        ])
        .ok();
    }
    let server = super::common::Server::start(&env, &["--tokens", "tokens.toml"]);
    let client = reqwest::blocking::Client::new();
    let all = token_of(&tokens, "all");
    let etag = |id: &str| -> String {
        let r = client
            .get(format!("{}/v1/events/{id}/revert", server.url))
            .bearer_auth(all)
            .send()
            .unwrap();
        r.headers()["etag"].to_str().unwrap().to_owned()
    };
    let revert = |id: &str, tag: &str, key: &str, body: &str| {
        client
            .post(format!("{}/v1/events/{id}/revert", server.url))
            .bearer_auth(all)
            .header("if-match", tag)
            .header("idempotency-key", key)
            .header("content-type", "application/json")
            .body(body.to_owned())
            .send()
            .unwrap()
    };
    let (t1, t2) = (etag("k1"), etag("k2"));
    let first = revert("k1", &t1, "key-a", "{}");
    assert_eq!(first.status(), 201);
    let first = first.text().unwrap();
    // The same request again: the same answer, nothing appended twice.
    let again = revert("k1", &t1, "key-a", "{}");
    assert_eq!(again.status(), 201);
    assert_eq!(again.text().unwrap(), first);
    // The key with another event, or another body: refused, and the other event not reverted.
    let other = revert("k2", &t2, "key-a", "{}");
    assert_eq!(other.status(), 422);
    assert!(other.text().unwrap().contains("idempotency-key-reused"));
    assert_eq!(
        revert("k1", &t1, "key-a", r#"{"reason":"x"}"#).status(),
        422
    );
    let reverts = env
        .all_events()
        .iter()
        .filter(|e| e.reverts.as_deref() == Some("k2"))
        .count();
    assert_eq!(reverts, 0);
}

#[test]
fn the_server_refuses_browsers_and_slow_clients() {
    use std::io::{Read, Write};
    let env = Env::with_events();
    let server =
        super::common::Server::start(&env, &["--header-timeout", "1", "--body-timeout", "1"]);
    let client = reqwest::blocking::Client::new();
    let url = format!("{}/v1/events", server.url);
    let event = r#"{"id":"x1","time":"2026-11-20T10:00:00Z","user":"u","action":"DELETE"}"#;
    // A web page's form or fetch: an Origin, or a body that is not JSON.
    let r = client
        .post(&url)
        .header("origin", "https://evil.example")
        .header("content-type", "application/json")
        .body(event)
        .send()
        .unwrap();
    assert_eq!(r.status(), 403);
    let r = client
        .post(&url)
        .header("content-type", "text/plain")
        .body(event)
        .send()
        .unwrap();
    assert_eq!(r.status(), 415);
    // A name made to point at the loopback (DNS rebinding) on a server without tokens.
    let r = client
        .get(&url)
        .header("host", "evil.example:80")
        .send()
        .unwrap();
    assert_eq!(r.status(), 403);
    assert_eq!(env.all_events().len(), 10, "nothing was written");
    // Headers that never end, and a body that never comes, are cut off.
    let address = server.url.trim_start_matches("http://");
    let mut slow = std::net::TcpStream::connect(address).unwrap();
    slow.write_all(b"GET /v1/events HTTP/1.1\r\nHost: localhost\r\nX-Slow: a")
        .unwrap();
    slow.set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    let started = std::time::Instant::now();
    let mut rest = Vec::new();
    let _ = slow.read_to_end(&mut rest);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "cut off"
    );
    let mut slow = std::net::TcpStream::connect(address).unwrap();
    slow.write_all(
        b"POST /v1/events HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n{",
    )
    .unwrap();
    slow.set_read_timeout(Some(std::time::Duration::from_secs(10)))
        .unwrap();
    let mut answer = String::new();
    let _ = slow.read_to_string(&mut answer);
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
}

#[test]
fn a_password_in_a_remote_url_is_never_shown() {
    let env = Env::new();
    for (url, secret) in [
        ("http://ops:s3cretpw@127.0.0.1:9/", "s3cretpw"),
        ("http://s3cretpw@127.0.0.1:9/", "s3cretpw"),
        ("http://bob%3Apw@127.0.0.1:9/", "bob"),
    ] {
        let run = env.run(&["--remote", url, "list"]);
        assert_eq!(run.code, 1);
        assert!(!run.stderr.contains(secret), "{}", run.stderr);
        assert!(run.stderr.contains("***@127.0.0.1"), "{}", run.stderr);
    }
    // The URL's credential is the token, sent as a bearer token only.
    env.run(&["demo", "--events", "5"]).ok();
    let view = super::common::token(&env, "view", "view");
    let server = super::common::Server::start(&env, &["--tokens", "tokens.toml"]);
    let with_token = server
        .url
        .replacen("http://", &format!("http://reader:{view}@"), 1);
    let run = env
        .run(&["--remote", &with_token, "list", "-o", "jsonl"])
        .ok();
    assert_eq!(run.stdout.lines().count(), 5);
}

#[test]
fn redacted_exports_do_not_come_back_as_data() {
    let (env, _) = secret_store();
    let export = env.run(&["export", "-o", "jsonl"]).ok();
    assert!(
        export
            .stderr
            .contains("events had sensitive values written as [redacted] (--reveal exports them)"),
        "{}",
        export.stderr
    );
    env.write("redacted.jsonl", &export.stdout);
    let copy = ["--store", "copy.db"];
    let run = env.run(&[&copy[..], &["import", "redacted.jsonl"]].concat());
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("redacted.jsonl:3: before.secret holds a \"[redacted]\" marker"),
        "{}",
        run.stderr
    );
    assert!(!env.path("copy.db").exists(), "nothing written");
    // The marker found is the one named.
    env.write(
        "changed.jsonl",
        r#"{"time":"2026-11-01T10:00:00Z","user":"u","action":"UPDATE","after":{"n":[1,"[redacted, changed]"]}}"#,
    );
    let run = env.run(&[&copy[..], &["import", "changed.jsonl"]].concat());
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("changed.jsonl:1: after.n[1] holds a \"[redacted, changed]\" marker"),
        "{}",
        run.stderr
    );
    let csv = env.run(&["export", "-o", "csv"]).ok();
    let run = env.run_with_stdin(&[&copy[..], &["import", "-"]].concat(), &csv.stdout);
    assert_eq!(run.code, 1, "{}", run.stderr);
    // Kept as text on purpose: then a revert refuses to write the marker back.
    env.run(&[&copy[..], &["import", "--allow-redacted", "redacted.jsonl"]].concat())
        .ok();
    let run = env.run(&[&copy[..], &["revert", "s1", "--yes"]].concat());
    assert_eq!(run.code, 4, "{}", run.stderr);
    assert!(
        run.stderr.contains("would write \"[redacted]\""),
        "{}",
        run.stderr
    );
    // With --reveal, the export is the data, and says nothing.
    let full = env.run(&["export", "-o", "jsonl", "--reveal"]).ok();
    assert!(full.stderr.is_empty(), "{}", full.stderr);
}

#[test]
fn a_sensitive_key_is_found_however_it_is_spelled() {
    let env = Env::new();
    let spellings = [
        ("apiKey", "V1camel"),
        ("API-Key", "V2dash"),
        ("privateKey", "V3private"),
        ("pass\u{200b}word", "V4zerowidth"),
        ("ｐａｓｓｗｏｒｄ", "V5fullwidth"),
    ];
    let after: serde_json::Map<String, serde_json::Value> = spellings
        .iter()
        .map(|(k, v)| ((*k).to_owned(), serde_json::Value::from(*v)))
        .collect();
    env.run(&[
        "record",
        "--user",
        "a",
        "--action",
        "UPDATE",
        "--table",
        "t",
        "--pk",
        "1",
        "--after",
        &serde_json::Value::Object(after).to_string(),
    ])
    .ok();
    let view = super::common::token(&env, "view", "view");
    let server = super::common::Server::start(&env, &["--tokens", "tokens.toml"]);
    for args in [
        &["show", "1"][..],
        &["list", "-o", "jsonl"],
        &["export", "-o", "csv"],
    ] {
        let remote = env
            .run(
                &[
                    &["--remote", server.url.as_str(), "--token", view.as_str()][..],
                    args,
                ]
                .concat(),
            )
            .ok();
        let local = env.run(args).ok();
        for (_, value) in spellings {
            assert!(
                !remote.stdout.contains(value),
                "{args:?}: {}",
                remote.stdout
            );
            assert!(!local.stdout.contains(value), "{args:?}: {}", local.stdout);
        }
    }
    for (_, value) in spellings {
        let found = env.run(&["list", "--search", value, "-o", "jsonl"]).ok();
        assert_eq!(found.stdout, "", "a search confirms {value}");
    }
}

#[test]
fn a_token_without_the_scope_is_refused_before_its_body_is_read() {
    use std::io::{Read, Write};
    let (env, tokens) = secret_store();
    let server = super::common::Server::start(&env, &["--tokens", "tokens.toml"]);
    let address = server.url.trim_start_matches("http://").to_owned();
    for (path, token) in [("/v1/events", "view"), ("/v1/events/s1/revert", "writer")] {
        let mut stream = std::net::TcpStream::connect(&address).unwrap();
        stream
            .set_read_timeout(Some(std::time::Duration::from_secs(5)))
            .unwrap();
        // A body of 200 MB is announced, and a few bytes of it sent.
        write!(
            stream,
            "POST {path} HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {}\r\n\
             Content-Type: application/json\r\nContent-Length: 200000000\r\n\r\n[{{",
            token_of(&tokens, token)
        )
        .unwrap();
        let mut answer = [0u8; 12];
        stream.read_exact(&mut answer).unwrap();
        assert_eq!(&answer, b"HTTP/1.1 403", "{path} with {token}");
    }
}

#[test]
fn the_server_refuses_what_it_should_not_compute_or_store() {
    let (env, tokens) = secret_store();
    let server = super::common::Server::start(&env, &["--tokens", "tokens.toml"]);
    let client = reqwest::blocking::Client::new();
    let get = |path: &str, token: &str| {
        let r = client
            .get(format!("{}{path}", server.url))
            .bearer_auth(token_of(&tokens, token))
            .send()
            .unwrap();
        r.status().as_u16()
    };
    // Grouping by a sensitive path would tell a secret object's keys: as a filter, refused.
    assert_eq!(get("/v1/stats?by=after.secret.inner", "view"), 403);
    assert_eq!(get("/v1/stats?by=after.secret.inner", "sensitive"), 200);
    // Too many fields or terms are a bad request, not a server error.
    let by: Vec<String> = (0..9).map(|i| format!("by=meta.k{i}")).collect();
    assert_eq!(get(&format!("/v1/stats?{}", by.join("&")), "all"), 400);
    let filter: Vec<String> = (0..1000).map(|i| format!("user = \"u{i}\"")).collect();
    let q = format!("/v1/events?filter={}", urlencode(&filter.join(" or ")));
    assert_eq!(get(&q, "view"), 400);
    // A writer may neither name recorded_by by another spelling nor post redaction markers.
    for meta in [
        r#"{"Recorded_By": "bob"}"#,
        "{\"recorded_by\u{200b}\": \"bob\"}",
        r#"{"recorded-by": "bob"}"#,
    ] {
        let body = format!(
            r#"{{"time":"2026-11-20T10:00:00Z","user":"u","action":"LOGIN","meta":{meta}}}"#
        );
        let r = client
            .post(format!("{}/v1/events", server.url))
            .bearer_auth(token_of(&tokens, "writer"))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .unwrap();
        assert_eq!(r.status(), 400, "{meta}");
    }
    let r = client
        .post(format!("{}/v1/events", server.url))
        .bearer_auth(token_of(&tokens, "writer"))
        .header("content-type", "application/json")
        .body(r#"{"time":"2026-11-20T10:00:00Z","user":"u","action":"UPDATE","after":{"password":"[redacted]"}}"#)
        .send()
        .unwrap();
    assert_eq!(r.status(), 400);
    // Token names are plain, so that no two can look alike.
    let run = env.run(&[
        "token",
        "new",
        "--tokens",
        "tokens.toml",
        "--name",
        "ali\u{200b}ce",
        "--scope",
        "view",
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[test]
fn a_remote_diff_of_two_events_does_not_call_hidden_values_unchanged() {
    let env = Env::new();
    for (before, after) in [
        (None, r#"{"password": "one", "n": 1}"#),
        (
            Some(r#"{"password": "one", "n": 1}"#),
            r#"{"password": "two", "n": 1}"#,
        ),
    ] {
        let mut args = vec![
            "record", "--user", "a", "--action", "UPDATE", "--table", "t",
        ];
        args.extend(["--pk", "1", "--after", after]);
        if let Some(b) = before {
            args.extend(["--before", b]);
        }
        env.run(&args).ok();
    }
    let view = super::common::token(&env, "view", "view");
    let server = super::common::Server::start(&env, &["--tokens", "tokens.toml"]);
    let run = env
        .run(&[
            "--remote",
            &server.url,
            "--token",
            &view,
            "diff",
            "1",
            "2",
            "--stat",
        ])
        .ok();
    assert!(
        run.stdout
            .contains("~ password: \"[redacted]\" → \"[redacted, not compared]\""),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("1 sensitive value was not compared"),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("two"));
}

#[test]
fn every_error_is_a_problem_even_for_paths_the_api_lacks() {
    let (env, tokens) = secret_store();
    let server = super::common::Server::start(&env, &["--tokens", "tokens.toml"]);
    let client = reqwest::blocking::Client::new();
    let token = token_of(&tokens, "all");
    for (method, path, status, code) in [
        ("GET", "/v1/nothing", 404, "unknown-path"),
        ("GET", "/v2/events", 404, "unknown-path"),
        ("DELETE", "/v1/events", 405, "method-not-allowed"),
        ("PUT", "/v1/stats", 405, "method-not-allowed"),
        ("GET", "/v1/events/%ff", 400, "invalid-request"),
        ("GET", "/v1/events/%ff/revert", 400, "invalid-request"),
    ] {
        let response = client
            .request(method.parse().unwrap(), format!("{}{path}", server.url))
            .bearer_auth(token)
            .send()
            .unwrap();
        assert_eq!(response.status().as_u16(), status, "{method} {path}");
        let kind = response.headers()["content-type"]
            .to_str()
            .unwrap()
            .to_owned();
        assert_eq!(kind, "application/problem+json", "{method} {path}");
        let body: serde_json::Value = response.json().unwrap();
        assert_eq!(body["code"], code, "{method} {path}: {body}");
    }
}

//! What a token with `write` cannot do to the log: pass its event off as another (an id that
//! reads as a seq), mark a change it does not undo as undone, or change a stored event by
//! posting its id again.

use serde_json::{Value, json};

use super::common::{Env, Server, token};

struct Api {
    client: reqwest::blocking::Client,
    url: String,
    writer: String,
}

impl Api {
    fn post(&self, body: &Value) -> (u16, Value) {
        let r = self
            .client
            .post(format!("{}/v1/events", self.url))
            .bearer_auth(&self.writer)
            .json(body)
            .send()
            .unwrap();
        (r.status().as_u16(), r.json().unwrap_or(Value::Null))
    }
}

/// A store with one legitimate change (seq 1, db/prod replicas 3 → 5), a server, and a writer.
fn setup() -> (Env, Server, Api, String) {
    let env = Env::new();
    env.run(&[
        "record",
        "--id",
        "legit",
        "--user",
        "ops",
        "--action",
        "UPDATE",
        "--table",
        "db",
        "--pk",
        "prod",
        "--before",
        r#"{"replicas": 3}"#,
        "--after",
        r#"{"replicas": 5}"#,
    ])
    .ok();
    let writer = token(&env, "writer", "write");
    let admin = token(&env, "admin", "view,view_sensitive,write,revert");
    let server = Server::start(&env, &["--tokens", "tokens.toml"]);
    let api = Api {
        client: reqwest::blocking::Client::new(),
        url: server.url.clone(),
        writer,
    };
    (env, server, api, admin)
}

#[test]
fn an_id_of_digits_never_stands_for_another_event() {
    let (env, server, api, admin) = setup();
    // The writer's event takes the id "1", the seq of the legitimate change; it is seq 2.
    let (status, _) = api.post(&json!({
        "id": "1", "time": "2026-11-20T10:00:00Z", "user": "w", "action": "UPDATE",
        "table": "junk", "resource_id": "j1", "before": {"v": 1}, "after": {"v": 2}
    }));
    assert_eq!(status, 201);
    // An operator reverts seq 2, the junk: the legitimate change stays.
    let run = env.run(&[
        "--remote",
        &server.url,
        "--token",
        &admin,
        "revert",
        "2",
        "--yes",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("(UPDATE junk/j1)"), "{}", run.stdout);
    let last = env.all_events().pop().unwrap();
    assert_eq!(last.reverts.as_deref(), Some("1"));
    assert_eq!(last.table.as_deref(), Some("junk"));
}

#[test]
fn a_reverts_field_must_undo_that_record() {
    let (env, _server, api, _) = setup();
    let base = |id: &str, table: &str, reverts: &str| {
        json!({
            "id": id, "time": "2026-11-20T10:00:00Z", "user": "w", "action": "UPDATE",
            "table": table, "resource_id": "prod", "reverts": reverts
        })
    };
    // Another record, an event that is not there: refused, nothing appended.
    for body in [base("x1", "other", "legit"), base("x2", "db", "nowhere")] {
        let (status, problem) = api.post(&body);
        assert_eq!(status, 409, "{problem}");
        assert_eq!(problem["code"], "invalid-revert", "{problem}");
    }
    assert_eq!(env.all_events().len(), 1);
    // A real revert of the record is accepted once; a second one is refused.
    let (status, _) = api.post(&base("r1", "db", "legit"));
    assert_eq!(status, 201);
    let (status, problem) = api.post(&base("r2", "db", "legit"));
    assert_eq!(status, 409, "{problem}");
    assert!(
        problem["detail"]
            .as_str()
            .unwrap()
            .contains("already reverted by event \"r1\""),
        "{problem}"
    );
    // The same holds where the store is local.
    env.write(
        "forged.jsonl",
        &(base("x3", "other", "legit").to_string() + "\n"),
    );
    let run = env.run(&["import", "forged.jsonl"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("which is of another record"),
        "{}",
        run.stderr
    );
}

#[test]
fn posting_a_stored_id_again_cannot_change_the_event() {
    let (env, _server, api, _) = setup();
    let event = json!({
        "id": "w1", "time": "2026-11-20T10:00:00Z", "user": "w", "action": "LOGIN"
    });
    assert_eq!(api.post(&event).0, 201);
    // The very same event again is a duplicate, as a retry would be.
    let (status, report) = api.post(&event);
    assert_eq!(status, 201);
    assert_eq!(report["duplicates"], 1, "{report}");
    // Other content under the same id is a conflict: nothing is appended.
    let mut other = event.clone();
    other["user"] = json!("mallory");
    let (status, problem) = api.post(&other);
    assert_eq!(status, 409, "{problem}");
    assert_eq!(problem["code"], "id-conflict");
    assert_eq!(env.all_events().len(), 2);
    // An import of such an event keeps the stored one, and says so.
    env.write("again.jsonl", &(other.to_string() + "\n"));
    let run = env.run(&["import", "again.jsonl"]).ok();
    assert!(
        run.stderr.contains("1 of those hold other content"),
        "{}",
        run.stderr
    );
    assert_eq!(env.all_events()[1].user, "w");
}

/// Appends arriving at once are committed together by the server's writer, each all or
/// nothing: one that fails (an id stored with other content) fails alone, the others are
/// stored once each, with gapless seqs.
#[test]
fn concurrent_appends_fail_alone() {
    let (env, server, api, _) = setup();
    let api = &api;
    let outcomes: Vec<(u16, Value)> = std::thread::scope(|scope| {
        let posts: Vec<_> = (0..40)
            .map(|i| {
                scope.spawn(move || {
                    // Every tenth reuses the stored event's id with other content.
                    let id = if i % 10 == 0 {
                        "legit".to_owned()
                    } else {
                        format!("c-{i}")
                    };
                    api.post(&json!([
                        {"id": id, "time": "2026-11-24T10:00:00Z", "user": "load",
                         "action": "UPDATE", "table": "db", "resource_id": format!("r{i}")},
                        {"id": format!("c-{i}-b"), "time": "2026-11-24T10:00:00Z",
                         "user": "load", "action": "LOGIN"}
                    ]))
                })
            })
            .collect();
        posts.into_iter().map(|p| p.join().unwrap()).collect()
    });
    let created = outcomes.iter().filter(|(s, _)| *s == 201).count();
    let refused = outcomes.iter().filter(|(s, _)| *s == 409).count();
    assert_eq!((created, refused), (36, 4), "{outcomes:?}");
    let all = env.all_events();
    assert_eq!(all.len(), 1 + 36 * 2);
    for (i, e) in all.iter().enumerate() {
        assert_eq!(e.seq, Some(i as u64 + 1));
    }
    // No half of a refused append is stored.
    assert!(!all.iter().any(|e| e.id == "c-0-b"));
    env.run(&["verify"]).ok();
    drop(server);
}

//! The PostgreSQL back end against a real server: every command gives what it gives on an
//! SQLite store holding the same events, writers from many processes share one gapless log,
//! the database refuses rewrites, and `copy` moves a log with its checkpoints.
//!
//! The server comes from AUDITCTL_TEST_POSTGRES (`scripts/with-postgres cargo test` starts a
//! throwaway cluster and sets it). Without it these tests pass without running, except under
//! CI=true, where they fail: CI must run them.

use super::common::{Env, Server, fixture, token};

/// A new, empty database on the test server, dropped when done.
struct Database {
    admin: String,
    name: String,
    pub url: String,
}

impl Database {
    /// `None` when no server is configured (outside CI).
    fn new(hint: &str) -> Option<Database> {
        let admin = match std::env::var("AUDITCTL_TEST_POSTGRES") {
            Ok(url) if !url.is_empty() => url,
            _ if std::env::var("CI").as_deref() == Ok("true") => panic!(
                "CI=true but AUDITCTL_TEST_POSTGRES is not set: the PostgreSQL tests must run \
                 in CI (scripts/with-postgres cargo test)"
            ),
            _ => {
                eprintln!("skipped: AUDITCTL_TEST_POSTGRES is not set");
                return None;
            }
        };
        let name = format!("t_{hint}_{}", rand_suffix());
        let mut client = postgres::Client::connect(&admin, postgres::NoTls).expect("connect");
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("create database");
        // scripts/with-postgres's URLs name the database `postgres`.
        let url = admin.replacen("/postgres?", &format!("/{name}?"), 1);
        assert_ne!(
            url, admin,
            "AUDITCTL_TEST_POSTGRES must name the database postgres"
        );
        Some(Database { admin, name, url })
    }

    /// A superuser connection to the test database (to tamper with it).
    fn client(&self) -> postgres::Client {
        postgres::Client::connect(&self.url, postgres::NoTls).expect("connect")
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        if let Ok(mut c) = postgres::Client::connect(&self.admin, postgres::NoTls) {
            let _ = c.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}

fn rand_suffix() -> String {
    use std::time::{SystemTime, UNIX_EPOCH};
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!("{}_{nanos}", std::process::id())
}

/// Runs `args` against the database.
fn on(env: &Env, db: &Database, args: &[&str]) -> super::common::Run {
    let mut all = vec!["--store", db.url.as_str()];
    all.extend_from_slice(args);
    env.run(&all)
}

/// Records event `id`: db/prod's replicas from 3 to 5, a change to revert.
fn record_change(env: &Env, db: &Database, id: &str) {
    on(
        env,
        db,
        &[
            "record",
            "--id",
            id,
            "--user",
            "ops",
            "--action",
            "UPDATE",
            "--table",
            "db",
            "--pk",
            "prod",
            "--before",
            r#"{"r": 3}"#,
            "--after",
            r#"{"r": 5}"#,
        ],
    )
    .ok();
}

/// Runs `args` against the environment's SQLite store.
fn on_file(env: &Env, args: &[&str]) -> super::common::Run {
    env.run(args)
}

#[test]
fn every_command_answers_as_on_sqlite() {
    let Some(db) = Database::new("same") else {
        return;
    };
    let env = Env::with_events();
    let events = fixture("events.jsonl");
    on(&env, &db, &["import", events.to_str().unwrap()]).ok();
    let first = env.all_events();
    let some_id = first[3].id.clone();
    let prefix = &some_id[..6];
    let (table, pk) = (
        first[3].table.clone().unwrap_or_default(),
        first[3].resource_id.clone().unwrap_or_default(),
    );
    let commands: Vec<Vec<&str>> = vec![
        vec!["list", "--all"],
        vec!["list", "--all", "-o", "jsonl"],
        vec!["list", "--all", "--sort", "user", "-o", "csv"],
        vec!["list", "--all", "--sort", "-ip", "-o", "jsonl"],
        vec!["list", "--user", "alice", "--action", "update"],
        vec![
            "list",
            "--since",
            "2026-01-01",
            "--until",
            "now",
            "-o",
            "json",
        ],
        vec![
            "filter",
            "action in (UPDATE, DELETE) and not user = \"bob\"",
        ],
        vec![
            "filter",
            "ip in 10.0.0.0/8 or ip in 2001:db8::/32",
            "-o",
            "jsonl",
        ],
        vec!["filter", "has(after) and time >= -400d", "-o", "jsonl"],
        vec![
            "filter",
            "user ~ \"^a\" or message contains \"plan\"",
            "-o",
            "jsonl",
        ],
        vec!["list", "--search", "alice", "-o", "jsonl"],
        vec!["show", &some_id],
        vec!["show", prefix],
        vec!["diff", &some_id],
        vec!["history", &table, &pk],
        vec!["stats", "--by", "user"],
        vec!["stats", "--by", "action,table"],
        vec!["export", "--format", "csv"],
        vec!["export", "--format", "jsonl"],
        vec!["export", "--format", "cef"],
        vec!["verify", "--quick"],
    ];
    for args in commands {
        let here = on_file(&env, &args);
        let there = on(&env, &db, &args);
        assert_eq!(
            (here.code, &here.stdout),
            (there.code, &there.stdout),
            "auditctl {args:?} differs\n--- SQLite stderr\n{}\n--- PostgreSQL stderr\n{}",
            here.stderr,
            there.stderr
        );
    }
    // The roots, signed checkpoints and proofs are the same bytes.
    let cp_file = on_file(&env, &["checkpoint"]).ok().stdout;
    let cp_db = on(&env, &db, &["checkpoint"]).ok().stdout;
    let body = |note: &str| note.lines().skip(1).take(2).collect::<Vec<_>>().join("\n");
    assert_eq!(body(&cp_file), body(&cp_db));
    let proof = |run: super::common::Run| {
        let mut v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
        v.as_object_mut().unwrap().remove("origin");
        v.as_object_mut().unwrap().remove("checkpoint");
        v
    };
    assert_eq!(
        proof(on_file(&env, &["prove", "3"]).ok()),
        proof(on(&env, &db, &["prove", "3"]).ok())
    );
}

#[test]
fn the_same_events_make_the_same_roots_at_every_size() {
    let Some(db) = Database::new("roots") else {
        return;
    };
    let env = Env::new();
    let events = std::fs::read_to_string(fixture("events.jsonl")).unwrap();
    let lines: Vec<&str> = events.lines().collect();
    for (i, chunk) in lines.chunks(3).enumerate() {
        let part = env.write(&format!("part{i}.jsonl"), &(chunk.join("\n") + "\n"));
        let part = part.to_str().unwrap();
        on_file(&env, &["import", part]).ok();
        on(&env, &db, &["import", part]).ok();
        let a = on_file(&env, &["checkpoint"]).ok().stdout;
        let b = on(&env, &db, &["checkpoint"]).ok().stdout;
        let root = |n: &str| n.lines().nth(2).unwrap_or_default().to_owned();
        assert_eq!(
            root(&a),
            root(&b),
            "roots differ after {} events",
            (i + 1) * 3
        );
    }
    on(&env, &db, &["verify"]).ok();
}

#[test]
fn writers_in_many_processes_share_one_gapless_log() {
    let Some(db) = Database::new("writers") else {
        return;
    };
    let env = Env::new();
    on(&env, &db, &["init"]).ok();
    let events = fixture("events.jsonl");
    std::thread::scope(|scope| {
        for w in 0..8 {
            let (env, db) = (&env, &db);
            scope.spawn(move || {
                for i in 0..15 {
                    let (user, id) = (format!("w{w}"), format!("w{w}-{i}"));
                    on(
                        env,
                        db,
                        &["record", "--user", &user, "--action", "UPDATE", "--id", &id],
                    )
                    .ok();
                }
            });
        }
        let (env, db, events) = (&env, &db, &events);
        scope.spawn(move || {
            on(env, db, &["import", events.to_str().unwrap()]).ok();
        });
    });
    let all = on(
        &env,
        &db,
        &["list", "--all", "--sort", "seq", "-o", "jsonl"],
    )
    .ok()
    .events();
    let fixture_count = std::fs::read_to_string(fixture("events.jsonl"))
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .count();
    assert_eq!(all.len(), 8 * 15 + fixture_count);
    for (i, e) in all.iter().enumerate() {
        assert_eq!(e.seq, Some(i as u64 + 1), "seqs are gapless");
    }
    let mut ids: Vec<&str> = all.iter().map(|e| e.id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), all.len(), "each event once");
    on(&env, &db, &["verify"]).ok();
}

#[test]
fn two_servers_race_to_revert_and_one_wins() {
    let Some(db) = Database::new("race") else {
        return;
    };
    let env = Env::new();
    record_change(&env, &db, "change");
    let admin = token(&env, "admin", "view,view_sensitive,write,revert");
    let servers: Vec<Server> = (0..2)
        .map(|_| Server::start(&env, &["--store", &db.url, "--tokens", "tokens.toml"]))
        .collect();
    let reverts: Vec<_> = servers
        .iter()
        .map(|s| {
            let cmd = env.command(&[
                "--remote", &s.url, "--token", &admin, "revert", "change", "-y",
            ]);
            std::thread::spawn(move || {
                let mut cmd = cmd;
                cmd.output().unwrap()
            })
        })
        .collect();
    let outcomes: Vec<_> = reverts.into_iter().map(|t| t.join().unwrap()).collect();
    let won = outcomes.iter().filter(|o| o.status.success()).count();
    assert_eq!(won, 1, "{outcomes:?}");
    let all = on(&env, &db, &["list", "--all", "-o", "jsonl"])
        .ok()
        .events();
    assert_eq!(all.len(), 2);
    on(&env, &db, &["verify"]).ok();
}

#[test]
fn the_database_refuses_rewrites_and_verify_sees_them() {
    let Some(db) = Database::new("tamper") else {
        return;
    };
    let env = Env::new();
    on(
        &env,
        &db,
        &["import", fixture("events.jsonl").to_str().unwrap()],
    )
    .ok();
    on(&env, &db, &["checkpoint"]).ok();
    let mut c = db.client();
    c.batch_execute("SET search_path = auditctl").unwrap();
    for sql in [
        "UPDATE entries SET user_name = 'mallory' WHERE seq = 2",
        "DELETE FROM entries WHERE seq = 3",
        "TRUNCATE entries CASCADE",
        "UPDATE tree SET hash = '\\x00' WHERE level = 0 AND idx = 0",
        "DELETE FROM checkpoints",
    ] {
        let err = c.batch_execute(sql).expect_err(sql).to_string();
        let said = c
            .batch_execute(sql)
            .unwrap_err()
            .as_db_error()
            .map(|e| e.message().to_owned())
            .unwrap_or(err);
        assert!(said.contains("append-only"), "{sql}: {said}");
    }
    on(&env, &db, &["verify"]).ok();
    // The search terms are derived (rebuilt when the hidden keys change), so not append-only:
    // one taken from an event and one planted beside another are named with their seqs.
    c.batch_execute(
        "UPDATE search_terms SET terms = terms[2:] WHERE seq = 2; \
         UPDATE search_terms SET terms = terms || '{planted}' WHERE seq = 4",
    )
    .unwrap();
    let run = on(&env, &db, &["verify"]);
    assert_eq!(run.code, 3, "{}", run.stderr);
    for said in [
        "seq 2: the table of search terms lacks its term \"",
        "seq 4: the table of search terms holds \"planted\" for it",
    ] {
        assert!(run.stderr.contains(said), "{said} in {}", run.stderr);
    }
    c.batch_execute("UPDATE search_terms SET terms = terms[:cardinality(terms) - 1] WHERE seq = 4")
        .unwrap();
    // An owner who switches the triggers off and edits an entry is caught.
    c.batch_execute(
        "ALTER TABLE entries DISABLE TRIGGER entries_append_only; \
         UPDATE entries SET entry = replace(entry, '\"alice\"', '\"mallory\"') WHERE seq = 1",
    )
    .unwrap();
    let run = on(&env, &db, &["verify"]);
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(run.stderr.contains("disabled"), "{}", run.stderr);
}

#[test]
fn copy_carries_seqs_hashes_and_checkpoints_both_ways() {
    let Some(db) = Database::new("copy") else {
        return;
    };
    let env = Env::with_events();
    on_file(&env, &["record", "--user", "ops", "--action", "LOGIN"]).ok();
    let kept = on_file(&env, &["checkpoint"]).ok().stdout;
    env.write("kept.checkpoint", &kept);
    let store = env.store();
    let store = store.to_str().unwrap();
    env.run(&["copy", "--from", store, "--to", &db.url]).ok();
    on(&env, &db, &["verify", "--checkpoint", "kept.checkpoint"]).ok();
    assert_eq!(
        on_file(&env, &["list", "--all", "-o", "jsonl"]).ok().stdout,
        on(&env, &db, &["list", "--all", "-o", "jsonl"]).ok().stdout
    );
    // The source grows; a second copy takes only what follows.
    on_file(&env, &["record", "--user", "ops", "--action", "LOGOUT"]).ok();
    let again = env.run(&["copy", "--from", store, "--to", &db.url]).ok();
    assert!(again.stderr.contains("copied 1 events"), "{}", again.stderr);
    // And back, into a new file.
    let back = env.path("back.db");
    env.run(&["copy", "--from", &db.url, "--to", back.to_str().unwrap()])
        .ok();
    env.run(&[
        "--store",
        back.to_str().unwrap(),
        "verify",
        "--checkpoint",
        "kept.checkpoint",
    ])
    .ok();
    // A target that holds other events is refused, and left as it was.
    let other = env.path("other.db");
    env.run(&[
        "--store",
        other.to_str().unwrap(),
        "record",
        "--user",
        "x",
        "--action",
        "A",
    ])
    .ok();
    let refused = env.run(&["copy", "--from", &db.url, "--to", other.to_str().unwrap()]);
    assert_ne!(refused.code, 0);
    assert!(
        refused.stderr.contains("not the first ones"),
        "{}",
        refused.stderr
    );
}

#[test]
fn a_password_in_the_url_is_never_shown() {
    let env = Env::new();
    let run = env.run(&[
        "--store",
        "postgres://auditor:hunter2secret@127.0.0.1:1/audit?connect_timeout=2",
        "list",
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(!run.stderr.contains("hunter2secret"), "{}", run.stderr);
    assert!(
        run.stderr.contains("postgres://***@127.0.0.1:1/audit"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_database_without_a_store_says_how_to_make_one() {
    let Some(db) = Database::new("empty") else {
        return;
    };
    let env = Env::new();
    let run = on(&env, &db, &["list"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("no auditctl store in"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("auditctl init"), "{}", run.stderr);
    on(&env, &db, &["init"]).ok();
    assert_eq!(on(&env, &db, &["list"]).ok().code, 0);
}

#[test]
fn tls_checks_the_server_against_the_given_ca() {
    let url = match std::env::var("AUDITCTL_TEST_POSTGRES_TLS") {
        Ok(url) if !url.is_empty() => url,
        _ if std::env::var("CI").as_deref() == Ok("true") => {
            panic!("CI=true but AUDITCTL_TEST_POSTGRES_TLS is not set (scripts/with-postgres)")
        }
        _ => return,
    };
    let env = Env::new();
    let Some(db) = Database::new("tls") else {
        return;
    };
    // The same database over TCP with TLS, its certificate checked against the run's CA.
    let tls = url.replace("/postgres?", &format!("/{}?", db.name));
    env.run(&[
        "--store", &tls, "record", "--user", "u", "--action", "LOGIN",
    ])
    .ok();
    assert_eq!(
        on(&env, &db, &["list", "-o", "jsonl"]).ok().events().len(),
        1
    );
    // Without the CA, the web's roots do not know the server: refused, and said why.
    let unknown = tls.split("&sslrootcert").next().unwrap().to_owned();
    let run = env.run(&["--store", &unknown, "list"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("UnknownIssuer"), "{}", run.stderr);
    // A CA file that is not there is named.
    let missing = format!("{unknown}&sslrootcert=/nonexistent/ca.pem");
    let run = env.run(&["--store", &missing, "list"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("sslrootcert /nonexistent/ca.pem"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_tampered_source_is_not_copied() {
    let Some(db) = Database::new("tampered") else {
        return;
    };
    let env = Env::with_events();
    on_file(&env, &["checkpoint"]).ok();
    let conn = rusqlite::Connection::open(env.store()).unwrap();
    conn.execute_batch(
        "DROP TRIGGER entries_no_update; \
         UPDATE entries SET entry = replace(entry, 'alice', 'mallory') WHERE seq = 1",
    )
    .unwrap();
    drop(conn);
    let store = env.store();
    let run = env.run(&["copy", "--from", store.to_str().unwrap(), "--to", &db.url]);
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(run.stderr.contains("nothing was copied"), "{}", run.stderr);
    let held = on(&env, &db, &["list", "--all", "-o", "jsonl"]);
    assert!(held.stdout.is_empty(), "{}", held.stdout);
}

#[test]
fn roles_as_the_readme_sets_them_up() {
    let Some(db) = Database::new("roles") else {
        return;
    };
    let env = Env::new();
    let mut c = db.client();
    let roles = format!("{}_o", db.name);
    c.batch_execute(&format!(
        "CREATE ROLE {roles} LOGIN; CREATE ROLE {roles}_w LOGIN; CREATE ROLE {roles}_r LOGIN; \
         ALTER DATABASE {} OWNER TO {roles};",
        db.name
    ))
    .unwrap();
    let as_role = |role: &str| {
        db.url
            .replacen("auditctl@", &format!("{role}@"), 1)
            .replacen("://@", &format!("://{role}@"), 1)
    };
    let (owner, writer, reader) = (
        as_role(&roles),
        as_role(&format!("{roles}_w")),
        as_role(&format!("{roles}_r")),
    );
    env.run(&["init", &owner]).ok();
    c.batch_execute(&format!(
        "SET ROLE {roles}; \
         GRANT USAGE ON SCHEMA auditctl TO {roles}_w, {roles}_r; \
         GRANT SELECT ON ALL TABLES IN SCHEMA auditctl TO {roles}_w, {roles}_r; \
         GRANT INSERT ON auditctl.entries, auditctl.search_terms, auditctl.tree, \
           auditctl.checkpoints TO {roles}_w; RESET ROLE;"
    ))
    .unwrap();
    let events = fixture("events.jsonl");
    env.run(&["--store", &writer, "import", events.to_str().unwrap()])
        .ok();
    env.run(&[
        "--store", &writer, "record", "--user", "w", "--action", "LOGIN",
    ])
    .ok();
    env.run(&["--store", &writer, "checkpoint"]).ok();
    env.run(&["--store", &writer, "revert", "evt-0001", "-y"])
        .ok();
    env.run(&["--store", &reader, "list", "--user", "alice"])
        .ok();
    env.run(&["--store", &reader, "verify"]).ok();
    let refused = env.run(&["--store", &reader, "record", "--user", "r", "--action", "A"]);
    assert_eq!(refused.code, 1, "{}", refused.stderr);
    assert!(refused.stderr.contains("writer role"), "{}", refused.stderr);
    // The writer cannot rewrite history, whatever it runs.
    let mut w = postgres::Client::connect(&writer, postgres::NoTls).unwrap();
    for sql in [
        "UPDATE auditctl.entries SET user_name = 'x'",
        "DELETE FROM auditctl.checkpoints",
        "ALTER TABLE auditctl.entries DISABLE TRIGGER entries_append_only",
        "DROP TABLE auditctl.tree CASCADE",
    ] {
        assert!(w.batch_execute(sql).is_err(), "{sql}");
    }
    // More keys hidden from search: the owner rebuilds the terms, the writer may not (and
    // says who may), readers read on.
    env.write(
        "config/auditctl/config.toml",
        "[redact]\nkeys = [\"pin\"]\n",
    );
    let run = env.run(&["--store", &writer, "record", "--user", "w", "--action", "A"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("owns the store"), "{}", run.stderr);
    env.run(&["--store", &reader, "list", "-n", "1"]).ok();
    env.run(&["--store", &owner, "list", "-n", "1"]).ok();
    env.run(&["--store", &writer, "record", "--user", "w", "--action", "A"])
        .ok();
    env.run(&["--store", &reader, "verify"]).ok();
}

#[test]
fn verify_sees_replaced_functions_and_a_lying_doc() {
    let Some(db) = Database::new("functions") else {
        return;
    };
    let env = Env::new();
    on(
        &env,
        &db,
        &["import", fixture("events.jsonl").to_str().unwrap()],
    )
    .ok();
    on(&env, &db, &["verify"]).ok();
    let mut c = db.client();
    c.batch_execute(
        "SET search_path = auditctl; \
         CREATE OR REPLACE FUNCTION auditctl_append_only() RETURNS trigger LANGUAGE plpgsql \
         AS $$ BEGIN RETURN NEW; END $$;",
    )
    .unwrap();
    let run = on(&env, &db, &["verify"]);
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("auditctl_append_only is not the schema's"),
        "{}",
        run.stderr
    );
    // A doc column made to lie: filters see values the entries do not hold.
    let fresh = Database::new("doc").unwrap();
    on(&env, &fresh, &["init"]).ok();
    let mut c = fresh.client();
    c.batch_execute(
        "SET search_path = auditctl; \
         ALTER TABLE entries ALTER COLUMN doc DROP EXPRESSION;",
    )
    .unwrap();
    on(
        &env,
        &fresh,
        &[
            "record",
            "--user",
            "u",
            "--action",
            "A",
            "--after",
            r#"{"on":true}"#,
        ],
    )
    .ok();
    c.batch_execute(
        "SET search_path = auditctl; \
         ALTER TABLE entries DISABLE TRIGGER entries_append_only; \
         UPDATE entries SET doc = '{\"after\":{\"on\":false}}'; \
         ALTER TABLE entries ENABLE TRIGGER entries_append_only;",
    )
    .unwrap();
    let run = on(&env, &fresh, &["verify"]);
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(run.stderr.contains("jsonb copy"), "{}", run.stderr);
}

#[test]
fn a_planted_tree_node_is_named() {
    let Some(db) = Database::new("planted") else {
        return;
    };
    let env = Env::new();
    on(
        &env,
        &db,
        &["import", fixture("events.jsonl").to_str().unwrap()],
    )
    .ok();
    db.client()
        .batch_execute("INSERT INTO auditctl.tree VALUES (1, 40, sha256('b'))")
        .unwrap();
    let run = on(&env, &db, &["checkpoint"]);
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(run.stderr.contains("holds node (1, 40)"), "{}", run.stderr);
    assert_eq!(on(&env, &db, &["verify"]).code, 3);
}

#[test]
fn a_server_outlives_its_connections() {
    let Some(db) = Database::new("restart") else {
        return;
    };
    let env = Env::new();
    on(&env, &db, &["record", "--user", "u", "--action", "A"]).ok();
    let server = Server::start(&env, &["--store", &db.url]);
    let list = || env.run(&["--remote", &server.url, "list", "-o", "jsonl"]);
    assert_eq!(list().ok().events().len(), 1);
    // The database drops every connection (a restart, a failover): the next request still works.
    db.client()
        .batch_execute(&format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = '{}' AND pid <> pg_backend_pid()",
            db.name
        ))
        .unwrap();
    assert_eq!(list().ok().events().len(), 1);
}

#[test]
fn passwords_stay_out_of_help_and_bad_urls() {
    let env = Env::new();
    let mut cmd = env.command(&["list", "--help"]);
    cmd.env("AUDITCTL_STORE", "postgres://w:HSECRET@db/audit")
        .env("AUDITCTL_REMOTE", "https://ci:RSECRET@audit.example");
    let out = super::common::to_run(cmd.output().unwrap());
    assert!(!out.stdout.contains("SECRET"), "{}", out.stdout);
    for url in [
        "postgres://u:PSECRET@localhost:99999/db",
        "postgres://u:PSECRET@[::1/db",
        "postgres:///db?host=/nonexistent&user=r&password=PSECRET",
    ] {
        let run = env.run(&["--store", url, "list"]);
        assert_ne!(run.code, 0);
        assert!(!run.stderr.contains("PSECRET"), "{url}: {}", run.stderr);
    }
}

#[test]
fn a_version_1_store_is_upgraded_when_opened() {
    let Some(db) = Database::new("upgrade") else {
        return;
    };
    let env = Env::new();
    on(
        &env,
        &db,
        &["import", fixture("events.jsonl").to_str().unwrap()],
    )
    .ok();
    // What version 1 wrote: the doc function with an SQL-standard body.
    db.client()
        .batch_execute(
            "SET search_path = auditctl; \
             CREATE OR REPLACE FUNCTION auditctl_doc(entry text) RETURNS jsonb \
             LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE RETURN CASE WHEN \
             strpos(entry, '\\u0000') = 0 THEN entry::jsonb \
             ELSE replace(entry, '\\u0000', '\\ufffd')::jsonb END; \
             UPDATE store_info SET value = '1' WHERE key = 'schema_version';",
        )
        .unwrap();
    on(&env, &db, &["list", "-n", "1"]).ok();
    let version: String = db
        .client()
        .query_one(
            "SELECT value FROM auditctl.store_info WHERE key = 'schema_version'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(version, "2");
    on(&env, &db, &["verify"]).ok();
}

#[test]
fn revert_exec_appends_only_when_the_command_succeeds() {
    let Some(db) = Database::new("exec") else {
        return;
    };
    let env = Env::new();
    record_change(&env, &db, "ch");
    let failed = on(&env, &db, &["revert", "ch", "-y", "--exec", "exit 1"]);
    assert_eq!(failed.code, 1, "{}", failed.stderr);
    assert_eq!(
        on(&env, &db, &["list", "-o", "jsonl"]).ok().events().len(),
        1
    );
    on(
        &env,
        &db,
        &["revert", "ch", "-y", "--exec", "cat > restored.json"],
    )
    .ok();
    assert_eq!(
        on(&env, &db, &["list", "-o", "jsonl"]).ok().events().len(),
        2
    );
    let restored: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(env.path("restored.json")).unwrap()).unwrap();
    assert_eq!(restored, serde_json::json!({"r": 3}));
}

//! `import --map FILE`: another application's JSON Lines log, read through a TOML mapping.

use serde_json::json;

use super::common::{Env, fixture};

fn import_billing(env: &Env) -> super::common::Run {
    env.run(&[
        "import",
        "--map",
        fixture("billing.toml").to_str().unwrap(),
        fixture("billing-audit.jsonl").to_str().unwrap(),
    ])
}

#[test]
fn a_mapped_log_imports_with_every_field() {
    let env = Env::new();
    let run = import_billing(&env).ok();
    assert_eq!(
        run.stdout,
        "added 4 events, skipped 0 already in the store\n"
    );
    let events = env.all_events();
    let login = &events[0];
    assert_eq!(login.id, "r-1001");
    assert_eq!(
        auditctl::model::format_time(&login.time),
        "2026-11-20T09:00:00.000Z"
    );
    assert_eq!(login.user, "alice@example.com");
    assert_eq!(login.ip.as_deref(), Some("10.0.0.5"));
    assert_eq!(login.action, "LOGIN", "through [values.action]");
    assert_eq!(login.origin.as_deref(), Some("Web"));
    assert_eq!(login.service.as_deref(), Some("billing"), "a constant");
    assert_eq!(login.meta["account_id"], 4711);
    assert_eq!(
        login.meta["user_agent"], "Firefox/133",
        "a flat key with a dot"
    );
    let create = &events[1];
    assert_eq!(create.origin.as_deref(), Some("API"), "the default");
    assert_eq!(create.table.as_deref(), Some("invoices"));
    assert_eq!(create.resource_id.as_deref(), Some("INV-1"));
    assert_eq!(
        create.after,
        Some(json!({"amount": 120, "currency": "EUR", "status": "draft"}))
    );
    assert_eq!(events[2].ip.as_deref(), Some("2001:db8::2"));
    assert_eq!(
        (events[3].action.as_str(), events[3].outcome.as_str()),
        ("DELETE", "failure")
    );

    // The invoice's life reads in history and diff.
    let history = env
        .run(&[
            "history",
            "invoices",
            "INV-1",
            "--columns",
            "seq,action,paths",
        ])
        .ok();
    assert_eq!(
        history.stdout,
        "SEQ  ACTION    PATHS\n\
         2    CREATE    amount, currency, status\n\
         3    UPDATE    status\n\
         4    DELETE ✗  -\n"
    );
    let again = import_billing(&env).ok();
    assert_eq!(
        again.stdout,
        "added 0 events, skipped 4 already in the store\n"
    );
}

#[test]
fn lines_without_an_id_are_named_by_their_content() {
    let env = Env::new();
    env.write(
        "app.toml",
        "time_format = \"unix\"\n[fields]\ntime = \"t\"\nuser = \"who\"\naction = \"what\"\n",
    );
    env.write(
        "app.log",
        "{\"t\": 1764000000, \"who\": \"ann\", \"what\": \"login\"}\n\n{\"t\": \"1764000060.5\", \"who\": \"ann\", \"what\": \"export\"}\n",
    );
    env.run(&["import", "--map", "app.toml", "app.log"]).ok();
    let again = env.run(&["import", "--map", "app.toml", "app.log"]).ok();
    assert_eq!(
        again.stdout,
        "added 0 events, skipped 2 already in the store\n"
    );
    let events = env.all_events();
    assert_eq!(events[1].action, "EXPORT");
    assert_eq!(
        auditctl::model::format_time(&events[1].time),
        "2025-11-24T16:01:00.500Z"
    );
}

#[test]
fn bad_mappings_and_bad_lines() {
    let env = Env::new();
    env.write(
        "bad.toml",
        "[fields]\ntime = \"t\"\nuser = \"u\"\nactor = \"a\"\n",
    );
    let run = env.run(&["import", "--map", "bad.toml", "x.log"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("mapping file bad.toml: [fields] \"actor\" is not an event field"),
        "{}",
        run.stderr
    );
    let missing = env.run(&["import", "--map", "none.toml", "x.log"]);
    assert_eq!(missing.code, 2);
    assert!(
        missing
            .stderr
            .contains("cannot read mapping file none.toml"),
        "{}",
        missing.stderr
    );
    let both = env.run(&["import", "--map", "bad.toml", "--format", "csv", "x.log"]);
    assert_eq!(both.code, 2, "--map and --format conflict");

    env.write(
        "ok.toml",
        "[fields]\ntime = \"t\"\nuser = \"u\"\naction = \"a\"\nip = \"ip\"\n",
    );
    env.write(
        "app.log",
        "{\"t\": \"2026-11-20T09:00:00Z\", \"u\": \"ann\", \"a\": \"LOGIN\"}\n\
         {\"t\": \"2026-11-20T09:00:00Z\", \"u\": \"ann\", \"a\": \"LOGIN\", \"ip\": \"not-an-ip\"}\n\
         {\"u\": \"ann\", \"a\": \"LOGIN\"}\n\
         [1, 2]\n",
    );
    let bad = env.run(&["import", "--map", "ok.toml", "app.log"]);
    assert_eq!(bad.code, 1);
    assert!(
        bad.stderr.contains("app.log:2: `ip` is not an IP address"),
        "{}",
        bad.stderr
    );
    assert!(!env.store().exists(), "nothing written");
    let skipped = env
        .run(&["import", "--map", "ok.toml", "app.log", "--skip-invalid"])
        .ok();
    assert_eq!(
        skipped.stdout,
        "added 1 event, skipped 0 already in the store, 3 invalid\n"
    );
    assert!(
        skipped
            .stderr
            .contains("app.log:3: time: path `t` is missing"),
        "{}",
        skipped.stderr
    );
    assert!(
        skipped.stderr.contains("app.log:4: not a JSON object"),
        "{}",
        skipped.stderr
    );
}

//! Kubernetes audit logs: detection, the mapping of SPEC section 8, merged stages, and an
//! object's life through history and diff.

use serde_json::json;

use super::common::{Env, fixture};

fn imported() -> Env {
    let env = Env::new();
    let run = env
        .run(&["import", fixture("k8s-audit.jsonl").to_str().unwrap()])
        .ok();
    assert_eq!(
        run.stdout,
        "added 5 events, skipped 0 already in the store\n"
    );
    env
}

#[test]
fn every_field_is_mapped() {
    let env = imported();
    let events = env.all_events();
    let create = &events[0];
    assert_eq!(create.id, "a-1");
    assert_eq!(
        auditctl::model::format_time(&create.time),
        "2026-11-20T10:00:00.500Z"
    );
    assert_eq!(create.user, "alice");
    assert_eq!(create.user_type.as_deref(), Some("user"));
    assert_eq!(create.ip.as_deref(), Some("10.1.2.3"));
    assert_eq!(create.action, "CREATE");
    assert_eq!(create.operation.as_deref(), Some("create"));
    assert_eq!(create.service.as_deref(), Some("kubernetes"));
    assert_eq!(create.table.as_deref(), Some("configmaps"));
    assert_eq!(create.resource_id.as_deref(), Some("prod/app"));
    assert_eq!(create.message, "create configmaps prod/app");
    assert_eq!(create.outcome, "success");
    assert_eq!(create.before, None);
    assert_eq!(create.after.as_ref().unwrap()["data"]["mode"], "fast");
    assert_eq!(
        create.meta["stage"], "ResponseComplete",
        "the latest stage wins"
    );
    assert_eq!(create.meta["response_code"], 201);
    assert_eq!(create.meta["user_agent"], "kubectl/v1.31.0");

    let get = &events[2];
    assert_eq!(
        (get.action.as_str(), get.outcome.as_str()),
        ("READ", "failure")
    );
    let role = &events[3];
    assert_eq!(
        role.resource_id.as_deref(),
        Some("viewer"),
        "cluster-scoped: the name"
    );
    assert_eq!(role.action, "UPDATE");
}

#[test]
fn an_objects_life_reads_in_history_and_diff() {
    let env = imported();
    let history = env
        .run(&[
            "history",
            "configmaps",
            "prod/app",
            "--columns",
            "seq,user,action,paths",
        ])
        .ok();
    assert_eq!(
        history.stdout,
        "SEQ  USER   ACTION  PATHS\n\
         1    alice  CREATE  apiVersion, data, kind, metadata\n\
         2    bob    UPDATE  data.mode, metadata.resourceVersion\n\
         5    carol  DELETE  apiVersion, data, kind, metadata\n"
    );
    let patch = env.run(&["diff", "2", "-o", "json"]).ok();
    let changes: serde_json::Value = serde_json::from_str(&patch.stdout).unwrap();
    assert_eq!(changes[0]["path"], "data.mode");
    assert_eq!(changes[0]["old"], "fast");
    assert_eq!(changes[0]["new"], "safe");
    // The delete carries the state it removed.
    let delete = &env.all_events()[4];
    assert_eq!(
        delete.before.as_ref().unwrap()["data"],
        json!({"mode": "safe", "level": "1"})
    );
}

#[test]
fn the_store_supplies_before_and_reimports_add_nothing() {
    let env = Env::new();
    let text = std::fs::read_to_string(fixture("k8s-audit.jsonl")).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    env.write("first.log", &(lines[..2].join("\n") + "\n"));
    env.write("second.log", &(lines[2..].join("\n") + "\n"));
    env.run(&["import", "first.log"]).ok();
    env.run(&["import", "second.log"]).ok();
    let patch = &env.all_events()[1];
    assert_eq!(
        patch.before.as_ref().unwrap()["data"]["mode"],
        "fast",
        "from the store"
    );
    let again = env.run(&["import", "first.log", "second.log"]).ok();
    assert_eq!(
        again.stdout,
        "added 0 events, skipped 5 already in the store\n"
    );
}

#[test]
fn bad_lines_and_forced_formats() {
    let env = Env::new();
    let text = std::fs::read_to_string(fixture("k8s-audit.jsonl")).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    lines.insert(
        3,
        r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","auditID":"x","verb":"get"}"#,
    );
    env.write("bad.log", &(lines.join("\n") + "\n"));
    let run = env.run(&["import", "bad.log"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("bad.log:4: "), "{}", run.stderr);
    assert!(!env.store().exists(), "nothing written");
    let skipped = env.run(&["import", "bad.log", "--skip-invalid"]).ok();
    assert!(
        skipped.stdout.starts_with("added 5 events"),
        "{}",
        skipped.stdout
    );
    // Forcing the format on a file of another shape names each bad line.
    let other = env.run(&[
        "import",
        "--format",
        "k8s",
        fixture("events.jsonl").to_str().unwrap(),
    ]);
    assert_eq!(other.code, 1);
    assert!(
        other.stderr.contains(":1: not a Kubernetes audit event"),
        "{}",
        other.stderr
    );
}

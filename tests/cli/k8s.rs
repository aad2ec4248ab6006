//! Kubernetes audit logs: detection, the mapping of docs/SPEC.md §8.3, merged stages, and an
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

#[test]
fn a_log_reads_directly_as_a_read_only_store() {
    let env = imported();
    let log = fixture("k8s-audit.jsonl");
    let log = log.to_str().unwrap();
    let args = ["list", "--all", "--sort", "seq", "-o", "jsonl"];
    let direct = env.run(&[&["--store", log][..], &args].concat()).ok();
    let stored = env.run(&args).ok();
    assert_eq!(direct.stdout, stored.stdout, "the same events as an import");
    for args in [
        &["history", "configmaps", "prod/app"][..],
        &["diff", "a-2"],
        &["show", "2", "--no-pager"],
        &["list", "--action", "update", "--user", "bob"],
        &["filter", "changed(data.mode)"],
        &["stats", "--by", "user"],
    ] {
        let direct = env.run(&[&["--store", log][..], args].concat()).ok();
        assert_eq!(direct.stdout, env.run(args).ok().stdout, "{args:?}");
    }
    let write = env.run(&["--store", log, "record", "--user", "x", "--action", "LOGIN"]);
    assert_eq!(write.code, 1);
    assert!(write.stderr.contains("read-only"), "{}", write.stderr);
    let unknown = env.run(&["--store", log, "show", "zzz"]);
    assert_eq!(unknown.code, 5);
}

/// A configmap created, patched twice (other keys), as the API server logs it.
fn two_patches(env: &Env) -> std::path::PathBuf {
    let text = std::fs::read_to_string(fixture("k8s-audit.jsonl")).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let mut third: serde_json::Value = serde_json::from_str(lines[2]).unwrap();
    third["auditID"] = json!("a-9");
    third["user"]["username"] = json!("dave");
    third["stageTimestamp"] = json!("2026-11-20T11:30:00Z");
    third["responseObject"]["metadata"]["resourceVersion"] = json!("102");
    third["responseObject"]["metadata"]["managedFields"] = json!([{"manager": "kubectl"}]);
    third["responseObject"]["data"]["level"] = json!("2");
    let log = [lines[0], lines[1], lines[2], &third.to_string()].join("\n") + "\n";
    env.write("cm.log", &log)
}

#[test]
fn revert_pipes_a_manifest_to_reapply() {
    let env = Env::new();
    two_patches(&env);
    env.run(&["import", "cm.log"]).ok();
    // Event 3 bumped resourceVersion again, but only `level`: reverting event 2 (mode) is
    // no conflict, and the manifest has no server-set metadata.
    let run = env
        .run(&[
            "revert",
            "2",
            "--yes",
            "--exec",
            "cat > manifest.json; echo \"$AUDITCTL_ACTION $AUDITCTL_TABLE $AUDITCTL_RESOURCE_ID\" > env.txt",
        ])
        .ok();
    assert!(
        run.stdout.contains("restores: data.mode\n"),
        "{}",
        run.stdout
    );
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(env.path("manifest.json")).unwrap()).unwrap();
    assert_eq!(
        manifest,
        json!({"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "app", "namespace": "prod"},
            "data": {"mode": "fast", "level": "2"}})
    );
    assert_eq!(
        std::fs::read_to_string(env.path("env.txt")).unwrap(),
        "UPDATE configmaps prod/app\n"
    );
    // The store keeps the whole restored state.
    let revert = env.all_events().pop().unwrap();
    assert_eq!(
        revert.after.as_ref().unwrap()["metadata"]["resourceVersion"],
        "102"
    );
    assert_eq!(revert.after.as_ref().unwrap()["data"]["mode"], "fast");

    // Undoing the create deletes the object: the command gets the object to delete.
    let undo = env
        .run(&[
            "revert",
            "1",
            "--yes",
            "--force",
            "--exec",
            "cat > deleted.json",
        ])
        .ok();
    assert!(
        undo.stdout.contains("DELETE configmaps/prod/app"),
        "{}",
        undo.stdout
    );
    let deleted: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(env.path("deleted.json")).unwrap()).unwrap();
    assert_eq!(
        deleted["metadata"],
        json!({"name": "app", "namespace": "prod"})
    );
}

#[test]
fn gzip_and_metadata_level_events_import() {
    let env = Env::new();
    let metadata = json!({"kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata",
        "auditID": "m-1", "stage": "ResponseComplete", "verb": "list",
        "user": {"username": "system:serviceaccount:kube-system:job"},
        "sourceIPs": ["fd00::5"], "objectRef": {"resource": "secrets", "namespace": "kube-system"},
        "responseStatus": {"code": 200},
        "requestReceivedTimestamp": "2026-11-20T14:00:00.000000Z",
        "stageTimestamp": "2026-11-20T14:00:00.010000Z"});
    let text =
        std::fs::read_to_string(fixture("k8s-audit.jsonl")).unwrap() + &metadata.to_string() + "\n";
    env.write_gzip("audit.log.gz", text.as_bytes());
    let run = env.run(&["import", "audit.log.gz"]).ok();
    assert_eq!(
        run.stdout,
        "added 6 events, skipped 0 already in the store\n"
    );
    let list = env.all_events().pop().unwrap();
    assert_eq!(list.action, "READ");
    assert_eq!(list.user_type.as_deref(), Some("automation"));
    assert_eq!(list.ip.as_deref(), Some("fd00::5"));
    assert_eq!(list.table.as_deref(), Some("secrets"));
    assert_eq!(list.resource_id, None, "a list names no object");
    assert_eq!((list.before.as_ref(), list.after.as_ref()), (None, None));
    assert_eq!(list.meta["level"], "Metadata");
}

/// The fixture's lines.
fn fixture_lines() -> Vec<String> {
    std::fs::read_to_string(fixture("k8s-audit.jsonl"))
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn rotated_logs_import_as_one() {
    let env = Env::new();
    let lines = fixture_lines();
    // The create's two stages straddle the files; the patch's before is in the first file.
    env.write("audit.log.1", &(lines[0].clone() + "\n"));
    env.write("audit.log", &(lines[1..].join("\n") + "\n"));
    let run = env.run(&["import", "audit.log.1", "audit.log"]).ok();
    assert_eq!(
        run.stdout,
        "added 5 events, skipped 0 already in the store\n"
    );
    let events = env.all_events();
    assert_eq!(
        events[0].meta["stage"], "ResponseComplete",
        "one event, the last stage"
    );
    assert_eq!(events[1].before.as_ref().unwrap()["data"]["mode"], "fast");
}

#[test]
fn requests_in_progress_are_held_back_until_they_end() {
    let env = Env::new();
    let lines = fixture_lines();
    // The log ends between the create's two stages.
    env.write("live.log", &(lines[0].clone() + "\n"));
    let first = env.run(&["import", "live.log"]).ok();
    assert_eq!(
        first.stdout,
        "added 0 events, skipped 0 already in the store\n"
    );
    assert!(
        first
            .stderr
            .contains("held back 1 Kubernetes request still in progress"),
        "{}",
        first.stderr
    );
    env.write("live.log", &(lines[..2].join("\n") + "\n"));
    env.run(&["import", "live.log"]).ok();
    let events = env.all_events();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].meta["response_code"], 201, "the whole request");
}

#[test]
fn a_growing_log_read_directly_keeps_its_numbers() {
    let env = Env::new();
    let lines = fixture_lines();
    let log = env.path("live.log");
    let log = log.to_str().unwrap();
    let show = |id: &str| {
        let run = env
            .run(&[
                "--store", log, "list", "--all", "--sort", "seq", "-o", "jsonl",
            ])
            .ok();
        run.events()
            .into_iter()
            .find(|e| e.id == id)
            .and_then(|e| e.seq)
    };
    // The create is in progress, the patch done, and a line is half written.
    let half = &lines[3][..40];
    env.write(
        "live.log",
        &format!("\u{feff}{}\n{}\n{half}", lines[0], lines[2]),
    );
    assert_eq!(
        show("a-1"),
        Some(1),
        "in progress, at its first stage's place"
    );
    assert_eq!(show("a-2"), Some(2));
    env.write(
        "live.log",
        &(lines[0].clone() + "\n" + &lines[2] + "\n" + &lines[1] + "\n" + &lines[3] + "\n"),
    );
    assert_eq!(show("a-1"), Some(1), "the same number once it ended");
    assert_eq!(show("a-2"), Some(2));
    assert_eq!(show("a-3"), Some(3));
}

#[test]
fn a_log_whose_first_line_is_bad_is_still_recognised() {
    let env = Env::new();
    let text = std::fs::read_to_string(fixture("k8s-audit.jsonl")).unwrap();
    // A truncated write, as a log rotated mid-line leaves at its start.
    let log = env.write(
        "audit.log",
        &format!("{{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"auditI\n{text}"),
    );
    let log = log.to_str().unwrap();
    let run = env.run(&["import", log]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("audit.log:1: "), "{}", run.stderr);
    assert!(!run.stderr.contains("unrecognised"), "{}", run.stderr);
    let run = env.run(&["import", "--skip-invalid", log]).ok();
    assert!(run.stdout.starts_with("added 5 events"), "{}", run.stdout);
    // Read directly, it is a Kubernetes log too.
    let direct = env
        .run(&["--store", log, "list", "-o", "jsonl", "--all"])
        .ok();
    assert_eq!(direct.events().len(), 5, "{}", direct.stderr);
}

/// One Kubernetes audit line.
fn k8s_line(id: &str, stage: &str, verb: &str, subresource: Option<&str>, at: &str) -> String {
    let mut object_ref = serde_json::json!({"resource": "pods", "namespace": "prod", "name": "web-1", "apiVersion": "v1"});
    if let Some(sub) = subresource {
        object_ref["subresource"] = sub.into();
    }
    serde_json::json!({
        "kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "Metadata",
        "auditID": id, "stage": stage, "verb": verb,
        "requestURI": "/api/v1/namespaces/prod/pods/web-1",
        "user": {"username": "mallory", "groups": ["system:authenticated"]},
        "sourceIPs": ["10.9.9.9"], "objectRef": object_ref,
        "responseStatus": {"code": 101},
        "requestReceivedTimestamp": at, "stageTimestamp": at,
    })
    .to_string()
}

#[test]
fn sessions_import_when_they_start_and_stale_requests_as_they_stand() {
    let env = Env::new();
    let lines = [
        // kubectl exec into a pod, still open when the log was read.
        k8s_line(
            "exec-1",
            "RequestReceived",
            "create",
            Some("exec"),
            "2026-11-20T10:00:00Z",
        ),
        k8s_line(
            "exec-1",
            "ResponseStarted",
            "create",
            Some("exec"),
            "2026-11-20T10:00:01Z",
        ),
        // A watch that never ends, and a port-forward.
        k8s_line(
            "watch-1",
            "ResponseStarted",
            "watch",
            None,
            "2026-11-20T10:00:02Z",
        ),
        k8s_line(
            "pf-1",
            "ResponseStarted",
            "create",
            Some("portforward"),
            "2026-11-20T10:00:03Z",
        ),
        // A get whose final stage never came, an hour before the end of the log: it never will.
        k8s_line(
            "old-1",
            "RequestReceived",
            "get",
            None,
            "2026-11-20T10:00:04Z",
        ),
        // A get in progress at the very end: it may still complete.
        k8s_line(
            "new-1",
            "RequestReceived",
            "get",
            None,
            "2026-11-20T11:00:00Z",
        ),
    ];
    env.write("audit.log", &(lines.join("\n") + "\n"));
    let run = env.run(&["import", "audit.log"]).ok();
    assert_eq!(
        run.stdout,
        "added 4 events, skipped 0 already in the store\n"
    );
    assert!(
        run.stderr
            .contains("held back 1 Kubernetes request still in progress"),
        "{}",
        run.stderr
    );
    let exec = env.run(&["list", "--action", "exec", "-o", "jsonl"]).ok();
    let exec = &exec.events()[0];
    assert_eq!(
        (exec.id.as_str(), exec.user.as_str()),
        ("exec-1", "mallory")
    );
    assert_eq!(exec.table.as_deref(), Some("pods/exec"));
    assert_eq!(exec.meta["stage"], "ResponseStarted");
    // The rest of the log: the exec ends, the recent get completes; nothing is doubled.
    let more = [
        k8s_line(
            "exec-1",
            "ResponseComplete",
            "create",
            Some("exec"),
            "2026-11-20T11:05:00Z",
        ),
        k8s_line(
            "new-1",
            "ResponseComplete",
            "get",
            None,
            "2026-11-20T11:00:01Z",
        ),
    ];
    env.write(
        "audit.log",
        &(lines.join("\n") + "\n" + &more.join("\n") + "\n"),
    );
    let run = env.run(&["import", "audit.log"]).ok();
    assert_eq!(
        run.stdout,
        "added 1 event, skipped 4 already in the store\n"
    );
    // Read directly, the log shows the same sessions.
    let direct = env
        .run(&[
            "--store",
            "audit.log",
            "list",
            "--action",
            "exec,portforward,read",
            "-o",
            "jsonl",
            "--all",
        ])
        .ok();
    let ids: Vec<String> = direct.ids();
    for id in ["exec-1", "watch-1", "pf-1", "old-1", "new-1"] {
        assert!(ids.contains(&id.to_owned()), "{id} in {ids:?}");
    }
}

#[test]
fn a_secrets_values_are_never_imported() {
    let env = Env::new();
    let secret = json!({
        "kind": "Secret", "apiVersion": "v1", "type": "Opaque",
        "metadata": {"name": "db", "namespace": "prod", "annotations": {
            "kubectl.kubernetes.io/last-applied-configuration":
                "{\"data\":{\"DB_PASS\":\"aHVudGVyMg==\"}}"
        }},
        "data": {"DB_PASS": "aHVudGVyMg==", "tls.key": "LS0tLS1CRUdJTg=="},
        "stringData": {"url": "postgres://app:hunter2@db/app"}
    });
    let line = json!({
        "kind": "Event", "apiVersion": "audit.k8s.io/v1", "level": "RequestResponse",
        "auditID": "a-secret", "stage": "ResponseComplete", "verb": "create",
        "requestURI": "/api/v1/namespaces/prod/secrets",
        "user": {"username": "alice"}, "sourceIPs": ["10.0.0.1"],
        "objectRef": {"resource": "secrets", "namespace": "prod", "name": "db", "apiVersion": "v1"},
        "responseStatus": {"code": 201},
        "requestObject": secret, "responseObject": secret,
        "requestReceivedTimestamp": "2026-11-20T10:00:00.000000Z",
        "stageTimestamp": "2026-11-20T10:00:00.100000Z"
    });
    env.write("secret.log", &format!("{line}\n"));
    env.run(&["import", "secret.log"]).ok();
    let all = env.run(&["export", "-o", "jsonl", "--reveal"]).ok().stdout;
    for value in ["aHVudGVyMg==", "LS0tLS1CRUdJTg==", "hunter2"] {
        assert!(!all.contains(value), "{value} was imported: {all}");
    }
    // Which keys the Secret has is kept.
    let after = &env.all_events()[0].after.clone().unwrap();
    assert_eq!(after["data"]["DB_PASS"], "[Secret value, not imported]");
    assert!(after["stringData"]["url"].is_string());
    // Nor can a search find them.
    let found = env.run(&["list", "--search", "aHVudGVyMg==", "-o", "jsonl"]);
    assert_eq!(found.stdout, "");
}

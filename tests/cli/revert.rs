//! `revert`: field-level and whole-value reverts, conflicts, confirmation, --exec, races.

use std::process::Stdio;

use serde_json::json;

use super::common::Env;
use super::diff::record_life;

/// The last event of the store.
fn last(env: &Env) -> auditctl::model::Event {
    env.all_events().pop().unwrap()
}

#[test]
fn an_update_is_reverted_path_by_path() {
    let env = record_life();
    // Later events renamed the policy (3) and turned off mfa (7): other paths, kept.
    let run = env
        .run(&["revert", "2", "--yes", "--reason", "unapproved change"])
        .ok();
    assert!(
        run.stdout
            .ends_with("reverted event 2: appended event 8 (UPDATE policies/42)\n"),
        "{}",
        run.stdout
    );
    let e = last(&env);
    assert_eq!(e.seq, Some(8));
    assert_eq!(e.action, "UPDATE");
    assert_eq!(e.reverts.as_deref(), Some("p-disable"));
    assert_eq!(e.operation.as_deref(), Some("revert"));
    assert_eq!(e.user, "tester");
    assert_eq!(e.message, "unapproved change");
    assert_eq!(
        (e.table.as_deref(), e.resource_id.as_deref()),
        (Some("policies"), Some("42"))
    );
    assert_eq!(
        e.before,
        Some(
            json!({"name": "q", "settings": {"enabled": false, "mfa": false}, "tags": ["a", "b"]})
        )
    );
    assert_eq!(
        e.after,
        Some(json!({"name": "q", "settings": {"enabled": true, "mfa": false}, "tags": ["a"]}))
    );
    // The plan was shown as a diff of current → restored.
    assert!(run.stdout.contains("restores: settings.enabled, tags[1]\n"));
    assert!(
        run.stdout
            .contains("appends:  UPDATE policies/42 as tester\n")
    );
    assert!(
        run.stdout
            .contains("--- current (after event 7)\n+++ restored\n")
    );
    assert!(
        run.stdout
            .contains("-    \"enabled\": false,\n+    \"enabled\": true,\n")
    );
}

#[test]
fn as_user_and_default_message() {
    let env = record_life();
    env.run(&["revert", "p-rename", "--yes", "--as", "oncall"])
        .ok();
    let e = last(&env);
    assert_eq!(e.user, "oncall");
    assert_eq!(e.message, "Revert of event 3: rename policy");
    assert_eq!(e.after.unwrap()["name"], "p");
}

#[test]
fn a_later_change_to_the_same_path_is_a_conflict() {
    let env = record_life();
    env.run(&[
        "record",
        "--user",
        "erin",
        "--action",
        "UPDATE",
        "--table",
        "policies",
        "--resource-id",
        "42",
        "--before",
        r#"{"name":"q","settings":{"enabled":false,"mfa":false},"tags":["a","b"]}"#,
        "--after",
        r#"{"name":"q","settings":{"enabled":"maybe","mfa":false},"tags":["a","b"]}"#,
    ])
    .ok();
    let run = env.run(&["revert", "2", "--yes"]);
    assert_eq!(run.code, 4, "{}", run.stderr);
    assert_eq!(
        run.stderr,
        "auditctl: error: later events changed what reverting event 2 would restore:\n  settings.enabled: changed by event 8 (erin)\nhint: --force reverts anyway, overwriting those later changes\n"
    );
    assert_eq!(env.all_events().len(), 8, "nothing appended");

    env.run(&["revert", "2", "--yes", "--force"]).ok();
    let e = last(&env);
    assert_eq!(e.after.unwrap()["settings"]["enabled"], json!(true));
}

#[test]
fn already_reverted_and_reverting_a_revert() {
    let env = record_life();
    env.run(&["revert", "3", "--yes"]).ok();
    let again = env.run(&["revert", "3", "--yes"]);
    assert_eq!(again.code, 4);
    assert!(
        again
            .stderr
            .contains("event 3 was already reverted by event 8"),
        "{}",
        again.stderr
    );
    // Reverting the revert puts the change back...
    env.run(&["revert", "8", "--yes"]).ok();
    let e = last(&env);
    assert_eq!(e.after.as_ref().unwrap()["name"], "q");
    assert_eq!(e.reverts.as_deref(), Some(env.all_events()[7].id.as_str()));
    // ...so the original may be reverted once more.
    env.run(&["revert", "3", "--yes"]).ok();
    assert_eq!(last(&env).after.unwrap()["name"], "p");
}

#[test]
fn create_delete_and_text() {
    let env = record_life();
    // Undoing the DELETE of the webhook re-creates it with its real values; the plan shown is
    // redacted.
    let run = env.run(&["revert", "5", "--yes"]).ok();
    assert!(run.stdout.contains("appends:  CREATE webhooks/7"));
    assert!(run.stdout.contains("\"secret\": \"[redacted]\""));
    assert!(!run.stdout.contains("s3cr3t"));
    let e = &env
        .run(&["--reveal", "list", "--limit", "1", "-o", "jsonl"])
        .ok()
        .events()[0];
    assert_eq!(e.action, "CREATE");
    assert_eq!(e.before, None);
    assert_eq!(
        e.after,
        Some(json!({"url": "https://hooks.example.org/7", "secret": "s3cr3t"}))
    );

    // Undoing the CREATE now is a DELETE of the current state.
    env.run(&["revert", e.id.as_str(), "--yes"]).ok();
    let d = last(&env);
    assert_eq!((d.action.as_str(), d.after.is_none()), ("DELETE", true));

    // Text goes back as a whole.
    env.run(&["revert", "doc-edit", "--yes"]).ok();
    let t = last(&env);
    assert_eq!(
        t.after,
        Some(json!(
            "<policy id=\"x\">\n  <rule port=\"22\" action=\"allow\"/>\n</policy>\n"
        ))
    );

    // A CREATE with later updates conflicts: deleting would lose them.
    let create = env.run(&["revert", "1", "--yes"]);
    assert_eq!(create.code, 4);
    assert!(create.stderr.contains("changed by event 2 (alice)"));
}

#[test]
fn confirmation_dry_run_and_refusals() {
    let env = record_life();
    let no_tty = env.run(&["revert", "2"]);
    assert_eq!(no_tty.code, 1);
    assert_eq!(
        no_tty.stderr,
        "auditctl: error: not reverting without confirmation: stdin is not a terminal\nhint: pass --yes to revert without asking, or --dry-run to see the plan only\n"
    );
    let dry = env.run(&["revert", "2", "--dry-run"]).ok();
    assert!(dry.stdout.contains("+++ restored"));
    assert_eq!(env.all_events().len(), 7, "nothing appended");

    let login = env.run(&["revert", "6", "--yes"]);
    assert_eq!(login.code, 4);
    assert!(login.stderr.contains("changed no data"), "{}", login.stderr);
    let missing = env.run(&["revert", "99", "--yes"]);
    assert_eq!(missing.code, 5);
}

#[test]
fn exec_receives_the_restored_state_and_gates_the_append() {
    let env = record_life();
    let failing = env.run(&[
        "revert",
        "2",
        "--yes",
        "--exec",
        "cat > rejected.json; exit 3",
    ]);
    assert_eq!(failing.code, 1);
    assert!(
        failing.stderr.contains("--exec command failed"),
        "{}",
        failing.stderr
    );
    assert_eq!(env.all_events().len(), 7, "nothing appended");

    env.run(&[
        "revert", "2", "--yes", "--exec",
        "cat > applied.json; echo \"$AUDITCTL_TABLE $AUDITCTL_RESOURCE_ID $AUDITCTL_ACTION\" > env.txt",
    ])
    .ok();
    let applied: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(env.path("applied.json")).unwrap()).unwrap();
    assert_eq!(applied, last(&env).after.unwrap());
    assert_eq!(
        std::fs::read_to_string(env.path("env.txt")).unwrap(),
        "policies 42 UPDATE\n"
    );
}

#[test]
fn two_racing_reverts_cannot_both_succeed() {
    let env = record_life();
    // Each holds the write transaction a moment in --exec, so the second decides after the
    // first has appended.
    let spawn = || {
        env.command(&[
            "revert",
            "2",
            "--yes",
            "--exec",
            "cat >/dev/null; sleep 0.3",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
    };
    let (a, b) = (spawn(), spawn());
    let codes: Vec<i32> = [a, b]
        .into_iter()
        .map(|c| c.wait_with_output().unwrap().status.code().unwrap())
        .collect();
    let mut sorted = codes.clone();
    sorted.sort();
    assert_eq!(sorted, vec![0, 4], "{codes:?}");
    let reverts: Vec<_> = env
        .all_events()
        .into_iter()
        .filter(|e| e.reverts.is_some())
        .collect();
    assert_eq!(reverts.len(), 1);
}

#[test]
fn list_and_show_mark_reverts() {
    let env = record_life();
    env.run(&["revert", "3", "--yes"]).ok();
    let list = env.run(&["list", "--columns", "seq,action,changes"]).ok();
    assert!(
        list.stdout.contains("8    UPDATE  1 field, reverts #3\n"),
        "{}",
        list.stdout
    );
    assert!(
        list.stdout
            .contains("3    UPDATE  1 field, reverted by #8\n"),
        "{}",
        list.stdout
    );
    let show = env.run(&["show", "3"]).ok();
    assert!(
        show.stdout.contains("reverted:    by event 8\n"),
        "{}",
        show.stdout
    );
    let show = env.run(&["show", "8"]).ok();
    assert!(
        show.stdout.contains("reverts:     p-rename (event 3)\n"),
        "{}",
        show.stdout
    );
}

#[test]
fn a_json_lines_store_cannot_be_reverted() {
    let env = record_life();
    let file = super::common::fixture("record-life.jsonl");
    let run = env.run(&["--store", file.to_str().unwrap(), "revert", "2", "--yes"]);
    assert_ne!(run.code, 0);
    assert!(
        run.stderr.contains("read directly and never written"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_revert_that_changes_nothing_is_refused_even_forced() {
    let env = Env::new();
    for (action, before, after) in [
        ("CREATE", None, Some(r#"{"a":1}"#)),
        ("DELETE", Some(r#"{"a":1}"#), None),
    ] {
        let mut args = vec![
            "record",
            "--user",
            "u",
            "--action",
            action,
            "--table",
            "t",
            "--resource-id",
            "1",
        ];
        if let Some(b) = before {
            args.extend(["--before", b]);
        }
        if let Some(a) = after {
            args.extend(["--after", a]);
        }
        env.run(&args).ok();
    }
    let run = env.run(&["revert", "1", "--yes", "--force"]);
    assert_eq!(run.code, 4, "{}", run.stderr);
    assert!(
        run.stderr.contains("would change nothing"),
        "{}",
        run.stderr
    );
    assert_eq!(env.all_events().len(), 2);
}

#[test]
fn a_revert_of_a_revert_carries_both_marks() {
    let env = record_life();
    env.run(&["revert", "3", "--yes"]).ok();
    env.run(&["revert", "8", "--yes"]).ok();
    let list = env.run(&["list", "--columns", "seq,changes"]).ok();
    assert!(
        list.stdout
            .contains("8    1 field, reverts #3, reverted by #9\n"),
        "{}",
        list.stdout
    );
}

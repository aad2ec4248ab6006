//! `diff` and `history`: what one event changed, two states of a record, a record's life.

use serde_json::{Value, json};

use super::common::{Env, fixture};

/// A store holding the life of policies/42 (seqs 1, 2, 3, 7), a text document (4), a deleted
/// webhook with a secret (5) and a login (6).
pub fn record_life() -> Env {
    let env = Env::new();
    env.run(&["import", fixture("record-life.jsonl").to_str().unwrap()])
        .ok();
    env
}

#[test]
fn unified_diff_of_an_update() {
    let env = record_life();
    let run = env.run(&["diff", "2"]).ok();
    assert_eq!(
        run.stdout,
        r#"event 2 UPDATE policies/42 by alice at 2026-11-20 10:00:00 UTC
--- before
+++ after
@@ -1,10 +1,11 @@
 {
   "name": "p",
   "settings": {
-    "enabled": true,
+    "enabled": false,
     "mfa": true
   },
   "tags": [
-    "a"
+    "a",
+    "b"
   ]
 }
"#
    );
    let narrow = env.run(&["diff", "2", "-U", "0"]).ok();
    assert!(
        !narrow.stdout.contains("\"name\""),
        "no context: {}",
        narrow.stdout
    );
    assert!(
        narrow
            .stdout
            .contains("@@ -4 +4 @@\n-    \"enabled\": true,\n")
    );
}

#[test]
fn changed_words_are_highlighted_in_colour() {
    let env = record_life();
    let run = env.run(&["--color", "always", "diff", "4"]).ok();
    // Only the changed word is in reverse video, inside the red and green lines.
    assert!(
        run.stdout.contains("\x1b[7mallow\x1b[0m"),
        "{:?}",
        run.stdout
    );
    assert!(
        run.stdout.contains("\x1b[7mdeny\x1b[0m"),
        "{:?}",
        run.stdout
    );
    assert!(!run.stdout.contains("\x1b[7mrule"), "{:?}", run.stdout);
}

#[test]
fn text_data_diffs_line_by_line() {
    let env = record_life();
    let run = env.run(&["diff", "4"]).ok();
    assert!(run.stdout.ends_with(
        "@@ -1,3 +1,3 @@\n <policy id=\"x\">\n-  <rule port=\"22\" action=\"allow\"/>\n+  <rule port=\"22\" action=\"deny\"/>\n </policy>\n"
    ), "{}", run.stdout);
}

#[test]
fn stat_json_and_patch() {
    let env = record_life();
    let stat = env.run(&["diff", "2", "--stat"]).ok();
    assert_eq!(
        stat.stdout,
        "event 2 UPDATE policies/42 by alice at 2026-11-20 10:00:00 UTC\n~ settings.enabled: true → false\n+ tags[1]: \"b\"\n2 paths changed\n"
    );

    let list: Value =
        serde_json::from_str(&env.run(&["diff", "2", "-o", "json"]).ok().stdout).unwrap();
    assert_eq!(
        list,
        json!([
            {"path": "settings.enabled", "pointer": "/settings/enabled", "kind": "changed", "old": true, "new": false},
            {"path": "tags[1]", "pointer": "/tags/1", "kind": "added", "new": "b"},
        ])
    );

    // The patch, applied by an independent RFC 6902 implementation, turns before into after.
    for seq in ["1", "2", "3", "4", "7"] {
        let patch = env.run(&["diff", seq, "--format", "patch"]).ok().stdout;
        let patch: json_patch::Patch = serde_json::from_str(&patch).unwrap();
        let e = env.run(&["show", seq, "-o", "json"]).ok().stdout;
        let e: Value = serde_json::from_str(&e).unwrap();
        let mut doc = e["before"].clone();
        json_patch::patch(&mut doc, &patch).unwrap();
        assert_eq!(doc, e["after"], "event {seq}");
    }
}

#[test]
fn create_and_delete_diff_against_nothing_with_redaction() {
    let env = record_life();
    let create = env.run(&["diff", "1"]).ok();
    assert!(
        create.stdout.contains("@@ -0,0 +1,10 @@\n+{\n"),
        "{}",
        create.stdout
    );
    let delete = env.run(&["diff", "5"]).ok();
    assert!(
        delete
            .stdout
            .contains("@@ -1,4 +0,0 @@\n-{\n-  \"secret\": \"[redacted]\",\n"),
        "{}",
        delete.stdout
    );
    assert!(!delete.stdout.contains("s3cr3t"));
    let revealed = env.run(&["--reveal", "diff", "5", "-o", "json"]).ok();
    assert!(revealed.stdout.contains("s3cr3t"));
    let patch = env.run(&["diff", "5", "-o", "patch"]).ok();
    assert_eq!(
        serde_json::from_str::<Value>(&patch.stdout).unwrap(),
        json!([{"op": "replace", "path": "", "value": null}])
    );
}

#[test]
fn two_events_compare_record_states() {
    let env = record_life();
    let run = env.run(&["diff", "1", "p-mfa", "--stat"]).ok();
    assert_eq!(
        run.stdout,
        "event 1 CREATE policies/42 by alice at 2026-11-20 09:00:00 UTC → event 7 UPDATE policies/42 by carol at 2026-11-20 15:00:00 UTC\n\
         ~ name: \"p\" → \"q\"\n~ settings.enabled: true → false\n~ settings.mfa: true → false\n+ tags[1]: \"b\"\n4 paths changed\n"
    );
    let unified = env.run(&["diff", "1", "7"]).ok();
    assert!(
        unified
            .stdout
            .contains("--- policies/42 after event 1\n+++ policies/42 after event 7\n")
    );
    // An event that changed no data stands for the state it left: here, none.
    let same = env.run(&["diff", "3", "3"]).ok();
    assert!(same.stdout.ends_with("no changes\n"), "{}", same.stdout);
}

#[test]
fn diff_errors() {
    let env = record_life();
    let missing = env.run(&["diff", "99"]);
    assert_eq!(missing.code, 5, "{}", missing.stderr);
    assert!(missing.stderr.contains("no event matches \"99\""));
    let bad = env.run(&["diff", "2", "--format", "xml"]);
    assert_eq!(bad.code, 2);
    assert!(
        bad.stderr
            .starts_with("auditctl: error: invalid value 'xml' for '--format"),
        "{}",
        bad.stderr
    );
    let none = env.run(&["diff", "6"]).ok();
    assert!(none.stdout.ends_with("no changes\n"));
}

#[test]
fn show_includes_the_diff() {
    let env = record_life();
    let run = env.run(&["show", "2"]).ok();
    assert!(
        run.stdout.contains(
            "changes:     2 fields\n  ~ settings.enabled: true → false\n  + tags[1]: \"b\"\n"
        ),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("--- before\n+++ after\n@@ -1,10 +1,11 @@\n")
    );
}

#[test]
fn history_of_a_record() {
    let env = record_life();
    let run = env.run(&["history", "policies", "42"]).ok();
    assert_eq!(
        run.stdout,
        "SEQ  TIME (UTC)           USER   ACTION  PATHS                      MESSAGE\n\
         1    2026-11-20 09:00:00  alice  CREATE  name, settings, tags       create policy\n\
         2    2026-11-20 10:00:00  alice  UPDATE  settings.enabled, tags[1]  disable policy\n\
         3    2026-11-20 11:00:00  bob    UPDATE  name                       rename policy\n\
         7    2026-11-20 15:00:00  carol  UPDATE  settings.mfa               turn off mfa\n"
    );

    let json: Value = serde_json::from_str(
        &env.run(&["history", "policies", "42", "-o", "json"])
            .ok()
            .stdout,
    )
    .unwrap();
    let rows = json.as_array().unwrap();
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[1]["seq"], 2);
    assert_eq!(rows[1]["id"], "p-disable");
    assert_eq!(rows[1]["paths"], json!(["settings.enabled", "tags[1]"]));

    let jsonl = env.run(&["history", "policies", "42", "-o", "jsonl"]).ok();
    assert_eq!(jsonl.stdout.lines().count(), 4);

    let csv = env.run(&["history", "policies", "42", "-o", "csv"]).ok();
    let mut reader = csv::Reader::from_reader(csv.stdout.as_bytes());
    let headers = reader.headers().unwrap().clone();
    assert_eq!(headers.iter().next_back(), Some("paths"));
    let last = reader.records().last().unwrap().unwrap();
    assert_eq!(&last[0], "7");
    assert_eq!(last.iter().next_back(), Some("settings.mfa"));

    let picked = env
        .run(&[
            "history",
            "documents",
            "x",
            "--columns",
            "seq,user,paths",
            "-o",
            "csv",
        ])
        .ok();
    assert_eq!(picked.stdout, "seq,user,paths\n4,carol,(whole value)\n");
}

#[test]
fn history_of_an_unknown_record_exits_5() {
    let env = record_life();
    let run = env.run(&["history", "policies", "43"]);
    assert_eq!(run.code, 5);
    assert_eq!(
        run.stderr,
        "auditctl: error: no events for policies/43\nhint: `auditctl list --table policies` shows the records of that table\n"
    );
}

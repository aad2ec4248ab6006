//! `checkpoint`, `verify` and `prove`, and tampering done the way an attacker would: by
//! opening the SQLite file directly.

use std::collections::BTreeMap;

use rusqlite::Connection;

use super::common::Env;

/// A store of 40 events with a signed checkpoint recorded, and the key pair.
fn checkpointed() -> Env {
    let env = Env::new();
    env.run(&["demo", "--events", "40"]).ok();
    env.run(&["checkpoint", "--new-key", "audit.key"]).ok();
    let cp = env.run(&["checkpoint", "--key", "audit.key"]).ok();
    std::fs::write(env.path("kept.txt"), cp.stdout).unwrap();
    env
}

/// Runs SQL on the store as an attacker: WAL folded in, triggers out of the way while it
/// runs, and put back afterwards (unless `keep_dropped`).
fn tamper(env: &Env, sql: &str, keep_dropped: bool) {
    let conn = Connection::open(env.store()).unwrap();
    let triggers: Vec<(String, String)> = conn
        .prepare("SELECT name, sql FROM sqlite_schema WHERE type = 'trigger'")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for (name, _) in &triggers {
        conn.execute_batch(&format!("DROP TRIGGER {name}")).unwrap();
    }
    conn.execute_batch(sql).unwrap();
    if !keep_dropped {
        for (_, create) in &triggers {
            conn.execute_batch(create).unwrap();
        }
    }
    conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
        .unwrap();
}

#[track_caller]
fn fails_with(env: &Env, args: &[&str], needle: &str) {
    let run = env.run(args);
    assert_eq!(
        run.code, 3,
        "stdout: {}\nstderr: {}",
        run.stdout, run.stderr
    );
    assert!(
        run.stderr.contains(needle),
        "wanted {needle:?} in:\n{}",
        run.stderr
    );
}

#[test]
fn an_untouched_store_verifies() {
    let env = checkpointed();
    let run = env
        .run(&[
            "verify",
            "--pub",
            "audit.key.pub",
            "--checkpoint",
            "kept.txt",
        ])
        .ok();
    assert!(
        run.stdout.starts_with("verified 40 events (root "),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("1 checkpoint, 2 signatures, the schema and its append-only triggers, every page and index, the search index")
    );
    let kept = std::fs::read_to_string(env.path("kept.txt")).unwrap();
    env.run_with_stdin(&["verify", "--checkpoint", "-"], &kept)
        .ok();
    // Appends extend the log; the kept checkpoint stays consistent with it.
    env.run(&["record", "--user", "a", "--action", "LOGIN"])
        .ok();
    env.run(&["checkpoint", "--key", "audit.key"]).ok();
    env.run(&[
        "verify",
        "--pub",
        "audit.key.pub",
        "--checkpoint",
        "kept.txt",
    ])
    .ok();
}

#[test]
fn a_store_of_one_event_verifies_in_the_singular() {
    let env = Env::new();
    env.run(&["record", "--user", "a", "--action", "LOGIN"])
        .ok();
    let run = env.run(&["verify"]).ok();
    assert!(
        run.stdout.starts_with("verified 1 event (root "),
        "{}",
        run.stdout
    );
}

#[test]
fn checkpoint_format_and_keys() {
    let env = checkpointed();
    let text = std::fs::read_to_string(env.path("kept.txt")).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].ends_with("/audit"), "the origin: {}", lines[0]);
    assert_eq!(lines[1], "40");
    assert_eq!(lines[2].len(), 44, "base64 of 32 bytes");
    assert_eq!(lines[3], "");
    assert!(lines[4].starts_with(&format!("\u{2014} {} ", lines[0])));
    let unsigned = env.run(&["checkpoint"]).ok();
    assert_eq!(unsigned.stdout.lines().count(), 3);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(env.path("audit.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let again = env.run(&["checkpoint", "--new-key", "audit.key"]);
    assert_eq!(again.code, 1, "keys are never overwritten");
    let bad = env.write("bad.key", "not a key\n");
    assert_eq!(
        env.run(&["checkpoint", "--key", bad.to_str().unwrap()])
            .code,
        2
    );
}

#[test]
fn an_edited_entry_is_named() {
    let env = checkpointed();
    tamper(
        &env,
        "UPDATE entries SET entry = replace(entry, '\"user\":', '\"user\":\"x\",\"_\":') WHERE seq = 5",
        false,
    );
    fails_with(
        &env,
        &["verify"],
        "seq 5: the entry's bytes no longer hash to its leaf",
    );
}

#[test]
fn an_edited_entry_with_a_recomputed_leaf_is_named() {
    let env = checkpointed();
    // The attacker also rewrites the leaf column to the new entry's hash.
    let conn = Connection::open(env.store()).unwrap();
    let entry: String = conn
        .query_row("SELECT entry FROM entries WHERE seq = 9", [], |r| r.get(0))
        .unwrap();
    drop(conn);
    let edited = entry.replace("\"outcome\":\"success\"", "\"outcome\":\"failure\"");
    let leaf = auditctl::model::leaf_hash(edited.as_bytes());
    let hex: String = leaf.iter().map(|b| format!("{b:02x}")).collect();
    tamper(
        &env,
        &format!(
            "UPDATE entries SET entry = '{}', leaf = x'{hex}' WHERE seq = 9",
            edited.replace('\'', "''")
        ),
        false,
    );
    fails_with(
        &env,
        &["verify"],
        "seq 9: the entry is not the one the Merkle tree took in",
    );
    fails_with(
        &env,
        &["verify"],
        "checkpoint #1 (size 40) does not match the entries",
    );
}

/// Entries the event reader does not read as auditctl stores them, each with its leaf
/// recomputed (a store without checkpoints, whose tree has taken nothing in yet).
#[test]
fn entries_auditctl_does_not_store_are_named() {
    // With the entry's object and before's, 128 levels: one more than the reader takes.
    let nested = format!("{}{}", "[".repeat(126), "]".repeat(126));
    for (from, to) in [
        // A seq of its own: readers of an export that keep the last of a name see it.
        ("\"service\"", "\"seq\":3,\"service\""),
        ("\"service\"", "\"seq\":\"three\",\"service\""),
        // Deeper than the event reader goes: every command that reads it fails.
        ("\"before\":{", &format!("\"before\":{{\"a\":{nested},")),
        // What import would have changed, with its column to match: shown as `update`, found
        // by no filter (they ask for `UPDATE`).
        ("\"action\":\"UPDATE\"", "\"action\":\"update\""),
        // What import would have refused: shown as it is, searched as the nearest double.
        ("\"seats\":4", "\"seats\":9007199254740993"),
        // Data spelled otherwise than the canonical form spells it: shown as 4.0, found as 4.
        ("\"seats\":4", "\"seats\":4.0"),
    ] {
        let env = Env::new();
        env.run(&["demo", "--events", "40"]).ok();
        let conn = Connection::open(env.store()).unwrap();
        let entry: String = conn
            .query_row("SELECT entry FROM entries WHERE seq = 9", [], |r| r.get(0))
            .unwrap();
        drop(conn);
        let edited = entry.replacen(from, to, 1);
        assert_ne!(edited, entry, "{from}");
        let leaf = auditctl::model::leaf_hash(edited.as_bytes());
        let hex: String = leaf.iter().map(|b| format!("{b:02x}")).collect();
        tamper(
            &env,
            &format!(
                "UPDATE entries SET entry = '{}', leaf = x'{hex}', action = '{}' WHERE seq = 9",
                edited.replace('\'', "''"),
                if to.contains("update") {
                    "update"
                } else {
                    "UPDATE"
                },
            ),
            false,
        );
        fails_with(
            &env,
            &["verify"],
            "seq 9: the entry is not an event as auditctl stores one",
        );
    }
}

#[test]
fn a_deleted_row_is_named() {
    let env = checkpointed();
    tamper(&env, "DELETE FROM entries WHERE seq = 7", false);
    fails_with(
        &env,
        &["verify"],
        "seq 7: the entry is missing: it was deleted",
    );
}

#[test]
fn swapped_rows_are_named() {
    let env = checkpointed();
    tamper(
        &env,
        "CREATE TEMP TABLE s AS SELECT seq, id, entry, leaf FROM entries WHERE seq IN (3, 4); \
         UPDATE entries SET id = 'moving-' || seq WHERE seq IN (3, 4); \
         UPDATE entries SET \
             id = (SELECT id FROM s WHERE s.seq = 7 - entries.seq), \
             entry = (SELECT entry FROM s WHERE s.seq = 7 - entries.seq), \
             leaf = (SELECT leaf FROM s WHERE s.seq = 7 - entries.seq) \
         WHERE seq IN (3, 4);",
        false,
    );
    fails_with(
        &env,
        &["verify"],
        "seq 3: the entry is not the one the Merkle tree took in",
    );
}

#[test]
fn dropped_triggers_and_edits_are_reported() {
    let env = checkpointed();
    tamper(&env, "UPDATE entries SET leaf = x'00' WHERE seq = 12", true);
    let run = env.run(&["verify"]);
    assert_eq!(run.code, 3);
    assert!(
        run.stderr.contains("integrity check failed: seq 12: "),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("the append-only trigger entries_no_update is missing"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_truncated_file_fails_verification() {
    let env = checkpointed();
    tamper(&env, "SELECT 1", false);
    let len = std::fs::metadata(env.store()).unwrap().len();
    let file = std::fs::OpenOptions::new()
        .write(true)
        .open(env.store())
        .unwrap();
    file.set_len(len / 2).unwrap();
    drop(file);
    let run = env.run(&["verify"]);
    assert_eq!(run.code, 3, "{}", run.stderr);
}

#[test]
fn a_forged_checkpoint_is_caught() {
    let env = checkpointed();
    // The attacker edits the size of a kept checkpoint and keeps the old signature.
    let kept = std::fs::read_to_string(env.path("kept.txt")).unwrap();
    env.write("forged.txt", &kept.replacen("\n40\n", "\n39\n", 1));
    fails_with(
        &env,
        &[
            "verify",
            "--checkpoint",
            "forged.txt",
            "--pub",
            "audit.key.pub",
        ],
        "signature by",
    );
    // And records a checkpoint signed with a key of their own in the store.
    env.run(&[
        "checkpoint",
        "--new-key",
        "mallory.key",
        "--name",
        "mallory",
    ])
    .ok();
    env.run(&["checkpoint", "--key", "mallory.key"]).ok();
    fails_with(
        &env,
        &["verify", "--pub", "audit.key.pub"],
        "checkpoint #2 (size 40) is not signed by the key",
    );
}

#[test]
fn a_shorter_replacement_store_is_caught() {
    let env = checkpointed();
    std::fs::remove_file(env.store()).unwrap();
    env.run(&["demo", "--events", "30"]).ok();
    fails_with(
        &env,
        &["verify", "--checkpoint", "kept.txt"],
        "the store holds 30 events, fewer than the 40 of the checkpoint",
    );
    // The same size with other events is a rewritten history.
    std::fs::remove_file(env.store()).unwrap();
    env.run(&["demo", "--events", "40", "--seed", "7"]).ok();
    fails_with(
        &env,
        &["verify", "--checkpoint", "kept.txt"],
        "are not the ones the checkpoint covers",
    );
}

#[test]
fn proofs_check_offline() {
    let env = checkpointed();
    let proof = env.run(&["prove", "17"]).ok();
    std::fs::write(env.path("proof.json"), &proof.stdout).unwrap();
    let other = Env::new();
    std::fs::copy(env.path("proof.json"), other.path("proof.json")).unwrap();
    std::fs::copy(env.path("kept.txt"), other.path("kept.txt")).unwrap();
    std::fs::copy(env.path("audit.key.pub"), other.path("audit.key.pub")).unwrap();
    // No store in `other` at all.
    let run = other
        .run(&[
            "verify",
            "--proof",
            "proof.json",
            "--checkpoint",
            "kept.txt",
            "--pub",
            "audit.key.pub",
        ])
        .ok();
    assert!(
        run.stdout.starts_with("verified: event 17 ("),
        "{}",
        run.stdout
    );
    assert!(!other.store().exists());

    // An altered event in the proof fails.
    let mut json: serde_json::Value = serde_json::from_str(&proof.stdout).unwrap();
    json["entry"] = json["entry"]
        .as_str()
        .unwrap()
        .replace("\"user\":\"", "\"user\":\"x")
        .into();
    std::fs::write(other.path("altered.json"), json.to_string()).unwrap();
    fails_with(
        &other,
        &[
            "verify",
            "--proof",
            "altered.json",
            "--checkpoint",
            "kept.txt",
        ],
        "do not hash to the proof's leaf",
    );
    // A proof that names another event than the one its bytes are fails.
    let mut json: serde_json::Value = serde_json::from_str(&proof.stdout).unwrap();
    json["id"] = "11111111-2222-3333-4444-555555555555".into();
    std::fs::write(other.path("renamed.json"), json.to_string()).unwrap();
    fails_with(
        &other,
        &[
            "verify",
            "--proof",
            "renamed.json",
            "--checkpoint",
            "kept.txt",
        ],
        "but its proven bytes are event",
    );
    // A leaf and path that do not lead to the root fail.
    let mut json: serde_json::Value = serde_json::from_str(&proof.stdout).unwrap();
    json["leaf_index"] = 3.into();
    json["seq"] = 4.into();
    std::fs::write(other.path("moved.json"), json.to_string()).unwrap();
    fails_with(
        &other,
        &[
            "verify",
            "--proof",
            "moved.json",
            "--checkpoint",
            "kept.txt",
        ],
        "does not show event 4",
    );

    // An event newer than the latest checkpoint needs a new one.
    env.run(&["record", "--user", "a", "--action", "LOGIN"])
        .ok();
    let newer = env.run(&["prove", "41"]);
    assert_eq!(newer.code, 1);
    assert!(
        newer.stderr.contains("run `auditctl checkpoint`"),
        "{}",
        newer.stderr
    );
    // Against the kept checkpoint, after the store grew.
    env.run(&["checkpoint"]).ok();
    let kept = env.run(&["prove", "17", "--checkpoint", "kept.txt"]).ok();
    std::fs::write(env.path("kept-proof.json"), &kept.stdout).unwrap();
    env.run(&[
        "verify",
        "--proof",
        "kept-proof.json",
        "--checkpoint",
        "kept.txt",
    ])
    .ok();
}

#[test]
fn an_edited_indexed_column_is_named() {
    let env = checkpointed();
    // The entry and its hashes stay; only the column the filters read changes.
    tamper(
        &env,
        "UPDATE entries SET action = 'READ' WHERE seq = 6",
        false,
    );
    fails_with(
        &env,
        &["verify"],
        "seq 6: its indexed column action does not match the entry",
    );
    let env = checkpointed();
    tamper(
        &env,
        "UPDATE entries SET ip_key = NULL WHERE seq = 2 AND ip_key IS NOT NULL; UPDATE entries SET user_name = 'mallory' WHERE seq = 3",
        false,
    );
    fails_with(
        &env,
        &["verify"],
        "seq 3: its indexed column user_name does not match",
    );
}

#[test]
fn a_row_inserted_before_the_log_is_named() {
    let env = checkpointed();
    tamper(
        &env,
        "INSERT INTO entries (seq, id, entry, leaf, time_us, user_name, action, outcome) \
         SELECT 0, 'inserted', entry, leaf, time_us, user_name, action, outcome FROM entries WHERE seq = 1",
        false,
    );
    fails_with(&env, &["verify"], "seq 0: an entry out of sequence");
}

#[test]
fn unsigned_checkpoints_do_not_fail_a_key_check_and_secrets_need_reveal_to_prove() {
    let env = Env::new();
    env.run(&[
        "record",
        "--user",
        "a",
        "--action",
        "UPDATE",
        "--after",
        r#"{"password":"hunter2"}"#,
    ])
    .ok();
    env.run(&["checkpoint"]).ok();
    env.run(&["checkpoint", "--new-key", "k"]).ok();
    env.run(&["checkpoint", "--key", "k"]).ok();
    let run = env.run(&["verify", "--pub", "k.pub"]).ok();
    assert!(
        run.stdout.contains("(1 unsigned checkpoints not checked)"),
        "{}",
        run.stdout
    );
    let secret = env.run(&["prove", "1"]);
    assert_eq!(secret.code, 2);
    assert!(secret.stderr.contains("--reveal"), "{}", secret.stderr);
    let proof = env.run(&["--reveal", "prove", "1"]).ok();
    assert!(proof.stdout.contains("hunter2"));
}

/// Damage to the database under the log, made with SQL as an insider with `sqlite3` would.
/// Each must fail `verify` (exit 3) naming what is wrong; `verify --quick` checks the log
/// only, and passes where the log itself is intact.
#[track_caller]
fn database_damage_is_caught(sql: &str, needle: &str) {
    let env = checkpointed();
    tamper(&env, sql, false);
    fails_with(&env, &["verify"], needle);
}

/// SQLite's page check passes over the full-text index as a virtual table (FTS5's own check
/// asks less than verify's reading of its pages, and cost as much as every other page), but
/// not over the tables that hold it.
#[test]
fn a_damaged_table_of_the_search_index_is_caught() {
    // The documents' sizes (which verify does not otherwise read) pointed at another table's
    // root page: two b-trees share a page, and one is lost.
    database_damage_is_caught(
        "PRAGMA writable_schema = ON; \
         UPDATE sqlite_schema SET rootpage = \
           (SELECT rootpage FROM sqlite_schema WHERE name = 'entries_fts_config') \
         WHERE name = 'entries_fts_docsize'; \
         PRAGMA writable_schema = OFF;",
        "SQLite finds the file damaged: 2nd reference to page",
    );
}

#[test]
fn swapped_index_roots_are_caught() {
    let env = checkpointed();
    let conn = Connection::open(env.store()).unwrap();
    let root = |name: &str| -> i64 {
        conn.query_row(
            "SELECT rootpage FROM sqlite_schema WHERE name = ?1",
            [name],
            |r| r.get(0),
        )
        .unwrap()
    };
    let (user, action) = (root("entries_user"), root("entries_action"));
    conn.execute_batch(&format!(
        "PRAGMA writable_schema = ON; \
         UPDATE sqlite_schema SET rootpage = {action} WHERE name = 'entries_user'; \
         UPDATE sqlite_schema SET rootpage = {user} WHERE name = 'entries_action'; \
         PRAGMA writable_schema = OFF; PRAGMA wal_checkpoint(TRUNCATE);"
    ))
    .unwrap();
    drop(conn);
    fails_with(
        &env,
        &["verify"],
        "the index entries_user does not hold exactly the entries' rows",
    );
}

#[test]
fn an_index_rebuilt_to_miss_rows_is_caught() {
    database_damage_is_caught(
        "DROP INDEX entries_user; \
         CREATE INDEX entries_user ON entries (user_name, action, time_us) \
         WHERE user_name <> 'alice';",
        "the index entries_user is not as auditctl creates it",
    );
}

#[test]
fn a_missing_index_and_an_extra_trigger_are_caught() {
    database_damage_is_caught("DROP INDEX entries_ip;", "the index entries_ip is missing");
    database_damage_is_caught(
        "CREATE TRIGGER hide AFTER INSERT ON entries BEGIN SELECT 1; END;",
        "the store has a trigger hide that auditctl does not create",
    );
}

#[test]
fn an_emptied_search_index_is_caught() {
    database_damage_is_caught(
        "INSERT INTO entries_fts (entries_fts) VALUES ('delete-all');",
        "the full-text index does not match the entries",
    );
}

/// Every document of the store's full-text index, as its terms joined by spaces, by seq.
fn search_documents(env: &Env) -> BTreeMap<i64, String> {
    let conn = Connection::open(env.store()).unwrap();
    conn.execute_batch("CREATE VIRTUAL TABLE temp.v USING fts5vocab(main, entries_fts, instance)")
        .unwrap();
    let mut docs: BTreeMap<i64, String> = BTreeMap::new();
    let mut stmt = conn.prepare("SELECT doc, term FROM temp.v").unwrap();
    let rows = stmt
        .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))
        .unwrap();
    for row in rows {
        let (seq, term) = row.unwrap();
        let doc = docs.entry(seq).or_default();
        doc.push_str(&term);
        doc.push(' ');
    }
    docs
}

/// The full-text index emptied and filled again from `docs`, as `sqlite3` would: no trace of
/// what was there before.
fn rebuild_search_index(env: &Env, docs: &BTreeMap<i64, String>) {
    let mut sql = "INSERT INTO entries_fts (entries_fts) VALUES ('delete-all');".to_owned();
    for (seq, doc) in docs {
        sql.push_str(&format!(
            "INSERT INTO entries_fts (rowid, doc) VALUES ({seq}, '{doc}');"
        ));
    }
    tamper(env, &sql, false);
}

#[test]
fn a_search_index_rebuilt_without_an_entry_is_caught() {
    // Rebuilt whole without event 9: a search no longer finds it, and the index is otherwise
    // as auditctl writes it.
    let env = checkpointed();
    let mut docs = search_documents(&env);
    assert!(docs.remove(&9).is_some());
    rebuild_search_index(&env, &docs);
    // Named, with the terms a search would miss it by: its message's first.
    let shown = env.run(&["show", "9", "-o", "json"]).ok().stdout;
    let event: serde_json::Value = serde_json::from_str(&shown).unwrap();
    let first = event["message"]
        .as_str()
        .unwrap()
        .split(' ')
        .next()
        .unwrap();
    fails_with(
        &env,
        &["verify"],
        &format!(
            "seq 9: the full-text index lacks its terms \"{}\", ",
            first.to_lowercase()
        ),
    );
    // The same number of other terms in its place is caught as well.
    let env = checkpointed();
    let mut docs = search_documents(&env);
    let count = docs[&9].split_whitespace().count();
    let fake: Vec<String> = (0..count).map(|i| format!("x{i}")).collect();
    docs.insert(9, fake.join(" "));
    rebuild_search_index(&env, &docs);
    fails_with(&env, &["verify"], "and holds \"x0\", \"x1\", \"x10\"");
    // One word planted beside an event's own, and one taken from another's.
    let env = checkpointed();
    let mut docs = search_documents(&env);
    docs.get_mut(&12).unwrap().push_str(" planted");
    let (taken, kept) = docs[&30].split_once(' ').unwrap();
    let (taken, kept) = (taken.to_owned(), kept.to_owned());
    docs.insert(30, kept);
    rebuild_search_index(&env, &docs);
    let run = env.run(&["verify"]);
    assert_eq!(run.code, 3, "{}", run.stderr);
    for said in [
        "seq 12: the full-text index holds \"planted\" for it, which its entry does not have: \
         searches for it find this event"
            .to_owned(),
        format!("seq 30: the full-text index lacks its term \"{taken}\": searches for it miss"),
    ] {
        assert!(run.stderr.contains(&said), "{said} in {}", run.stderr);
    }
    let quick = env.run(&["verify", "--quick"]).ok();
    assert!(
        quick
            .stdout
            .contains("--quick: pages, indexes and the search index not checked")
    );
}

#[test]
fn a_secret_planted_in_the_search_index_is_counted_not_shown() {
    let env = checkpointed();
    env.write(
        "secret.jsonl",
        r#"{"id": "s1", "time": "2026-11-20T10:00:00Z", "user": "ops", "action": "UPDATE",
            "after": {"password": "hunter2-xq", "note": "rotated"}}"#
            .replace('\n', " ")
            .as_str(),
    );
    env.run(&["import", "secret.jsonl"]).ok();
    let mut docs = search_documents(&env);
    docs.get_mut(&41).unwrap().push_str(" hunter2-xq planted");
    rebuild_search_index(&env, &docs);
    let run = env.run(&["verify"]);
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "seq 41: the full-text index holds \"planted\" for it, which its entry does not \
             have: searches for it find this event; it also holds 1 term of values under \
             sensitive keys"
        ),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("hunter2"), "{}", run.stderr);
}

#[test]
fn an_entry_hidden_from_searches_by_a_delete_marker_is_caught() {
    // FTS5's own way to take a document out leaves its terms in the pages and a marker that
    // hides them: the index reads back whole, so the marker itself is the damage.
    let env = checkpointed();
    let doc = search_documents(&env)[&9].clone();
    tamper(
        &env,
        &format!(
            "INSERT INTO entries_fts (entries_fts, rowid, doc) VALUES ('delete', 9, '{doc}');"
        ),
        false,
    );
    fails_with(
        &env,
        &["verify"],
        "the full-text index is not as auditctl writes it: page 1 of segment",
    );
    let run = env.run(&["verify"]);
    assert!(
        run.stderr.contains("holds a delete marker for seq 9"),
        "{}",
        run.stderr
    );
}

#[test]
fn split_keys_that_send_searches_to_the_wrong_page_are_caught() {
    // The key of the index's second page moved down to just past the first page's: still in
    // order and still before the page's own terms (FTS5's own check passes), but a search for
    // most of the first page's terms now looks on the second page and finds nothing.
    let env = checkpointed();
    let before = env
        .run(&["list", "--search", "alice", "--all", "-o", "jsonl"])
        .ok();
    assert!(!before.stdout.is_empty());
    tamper(
        &env,
        "UPDATE entries_fts_idx SET term = x'00' \
         WHERE term = (SELECT max(term) FROM entries_fts_idx);",
        false,
    );
    let after = env
        .run(&["list", "--search", "alice", "--all", "-o", "jsonl"])
        .ok();
    assert!(after.stdout.is_empty(), "{}", after.stdout);
    fails_with(
        &env,
        &["verify"],
        "the split keys of segment 1 do not lead searches to the terms of page 1",
    );
}

#[test]
fn entries_cut_from_the_end_are_caught() {
    // Their checkpoint deleted as well, the tree still holds their leaves.
    let env = Env::new();
    env.run(&["demo", "--events", "40"]).ok();
    env.run(&["checkpoint"]).ok();
    tamper(
        &env,
        "DELETE FROM entries WHERE seq > 37; DELETE FROM checkpoints;",
        false,
    );
    fails_with(
        &env,
        &["verify", "--quick"],
        "seq 38: the stored Merkle tree holds 40 leaves but the store 37 entries",
    );
    // With their tree rows too: the recorded checkpoint shows it.
    let env = checkpointed();
    tamper(
        &env,
        "DELETE FROM entries WHERE seq > 37; DELETE FROM tree WHERE idx >= 37 OR level > 0;",
        false,
    );
    fails_with(
        &env,
        &["verify", "--quick"],
        "seq 38: checkpoint #1 (size 40) covers 40 events but the store holds 37",
    );
}

#[test]
fn numbers_are_indexed_as_they_are_stored() {
    let env = Env::new();
    for (id, after) in [
        ("a", r#"{"price": 10.0, "ratio": 1E2, "zero": -0.0}"#),
        ("b", r#"{"price": 10}"#),
    ] {
        env.run(&["record", "--id", id, "--action", "UPDATE", "--after", after])
            .ok();
    }
    env.run(&["verify"]).ok();
    let run = env.run(&["list", "--search", "100", "-o", "jsonl"]).ok();
    assert_eq!(run.ids(), ["a"]);
    let run = env.run(&["list", "--search", "10", "-o", "jsonl"]).ok();
    assert_eq!(run.ids().len(), 2);
    // An integer the canonical form would change is refused, not silently rounded.
    let run = env.run(&[
        "record",
        "--action",
        "UPDATE",
        "--after",
        r#"{"discord_id": 1234567890123456789}"#,
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("the integer 1234567890123456789 at after.discord_id is beyond 2^53"),
        "{}",
        run.stderr
    );
}

/// Rebuilds an index in another order and puts its declared definition back: the same rows,
/// so sums match, but look-ups through it go wrong.
fn reorder_index(env: &Env, name: &str, reordered: &str, table_sql: Option<&[(&str, &str)]>) {
    let conn = Connection::open(env.store()).unwrap();
    let (what, original): (String, String) = match table_sql {
        Some(edits) => {
            let sql: String = conn
                .query_row(
                    "SELECT sql FROM sqlite_schema WHERE name = 'entries'",
                    [],
                    |r| r.get(0),
                )
                .unwrap();
            let mut edited = sql.clone();
            for (old, new) in edits {
                assert!(edited.contains(old), "{old:?} in {edited}");
                edited = edited.replace(old, new);
            }
            (edited, sql)
        }
        None => {
            let sql: String = conn
                .query_row(
                    "SELECT sql FROM sqlite_schema WHERE name = ?1",
                    [name],
                    |r| r.get(0),
                )
                .unwrap();
            (reordered.to_owned(), sql)
        }
    };
    let target = if table_sql.is_some() { "entries" } else { name };
    let set = |sql: &str| {
        conn.execute_batch("PRAGMA writable_schema = ON").unwrap();
        conn.execute(
            "UPDATE sqlite_schema SET sql = ?1 WHERE name = ?2",
            [sql, target],
        )
        .unwrap();
        conn.execute_batch("PRAGMA writable_schema = OFF").unwrap();
    };
    set(&what);
    drop(conn);
    let conn = Connection::open(env.store()).unwrap();
    conn.execute_batch(&format!("REINDEX {name}")).unwrap();
    drop(conn);
    let conn = Connection::open(env.store()).unwrap();
    conn.execute_batch("PRAGMA writable_schema = ON").unwrap();
    conn.execute(
        "UPDATE sqlite_schema SET sql = ?1 WHERE name = ?2",
        [&original, target],
    )
    .unwrap();
    conn.execute_batch("PRAGMA writable_schema = OFF; PRAGMA wal_checkpoint(TRUNCATE)")
        .unwrap();
}

#[test]
fn an_index_rebuilt_out_of_order_is_caught() {
    let env = checkpointed();
    reorder_index(
        &env,
        "entries_user",
        "CREATE INDEX entries_user ON entries (user_name DESC, action DESC, time_us)",
        None,
    );
    fails_with(
        &env,
        &["verify"],
        "the index entries_user is damaged: its rows are out of order",
    );
    // The unique index of ids rebuilt in reverse: re-importing the store's own events then
    // lets a second copy of each in, as look-ups of ids no longer find them.
    let env = checkpointed();
    let export = env.run(&["export", "-o", "jsonl", "--reveal"]).ok();
    env.write("all.jsonl", &export.stdout);
    reorder_index(
        &env,
        "sqlite_autoindex_entries_1",
        "",
        Some(&[
            (
                "id          TEXT NOT NULL UNIQUE,",
                "id          TEXT NOT NULL,",
            ),
            (
                "reverts     TEXT\n)",
                "reverts     TEXT,\n    UNIQUE (id DESC)\n)",
            ),
        ]),
    );
    fails_with(
        &env,
        &["verify"],
        "the index sqlite_autoindex_entries_1 is damaged: its rows are out of order",
    );
    env.run(&["import", "all.jsonl"]);
    fails_with(&env, &["verify"], "sqlite_autoindex_entries_1 is damaged");
}

#[test]
fn planted_tree_nodes_and_search_documents_are_caught() {
    let env = checkpointed();
    tamper(
        &env,
        "INSERT INTO tree VALUES (1, 1000, zeroblob(32))",
        false,
    );
    fails_with(
        &env,
        &["verify"],
        "the stored Merkle tree holds nodes the entries do not make",
    );
    let env = checkpointed();
    tamper(
        &env,
        "INSERT INTO entries_fts (rowid, doc) VALUES (41, 'planted')",
        false,
    );
    fails_with(
        &env,
        &["verify"],
        "the full-text index holds a document for seq 41, which is no event",
    );
    // Before the log: named as planted, and nothing else (no event's terms differ).
    for seq in [0, -1] {
        let env = checkpointed();
        tamper(
            &env,
            &format!("INSERT INTO entries_fts (rowid, doc) VALUES ({seq}, 'alice planted')"),
            false,
        );
        let run = env.run(&["verify"]);
        assert_eq!(run.code, 3, "{}", run.stderr);
        assert_eq!(
            run.stderr.trim_end(),
            format!(
                "auditctl: error: integrity check failed: the full-text index holds a document \
                 for seq {seq}, which no event can have (seqs start at 1): it was planted"
            )
        );
    }
}

#[test]
fn a_store_without_its_origin_fails_verification() {
    let env = checkpointed();
    tamper(&env, "DELETE FROM store_info WHERE key = 'origin'", false);
    fails_with(&env, &["verify"], "the store's origin is missing");
}

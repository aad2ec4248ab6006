//! Store selection and opening: missing stores are not created by reads; foreign files fail.

use super::common::{Env, fixture};

#[test]
fn reading_a_missing_store_suggests_how_to_create_one() {
    let env = Env::new();
    for args in [&["list"][..], &["show", "1"][..]] {
        let run = env.run(args);
        assert_eq!(run.code, 1);
        assert_eq!(
            run.stderr,
            "auditctl: error: no store at audit.db\nhint: create it with `auditctl import FILE`, `auditctl record …` or `auditctl demo` (store: audit.db), or choose another with --store\n"
        );
        assert!(!env.store().exists(), "a read does not create the store");
    }
}

#[test]
fn a_foreign_file_is_refused() {
    let env = Env::new();
    let path = env.write(
        "notes.db",
        "just text, not SQLite at all, long enough to be read",
    );
    let run = env.run(&["--store", path.to_str().unwrap(), "list"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("is not an auditctl store"),
        "{}",
        run.stderr
    );
    let run = env.run(&[
        "--store",
        path.to_str().unwrap(),
        "record",
        "--user",
        "a",
        "--action",
        "X",
    ]);
    assert_eq!(run.code, 1);
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "just text, not SQLite at all, long enough to be read",
        "a foreign file is never written"
    );
}

#[test]
fn the_store_is_append_only() {
    let env = Env::with_events();
    let conn = rusqlite::Connection::open(env.store()).unwrap();
    let err = conn
        .execute("UPDATE entries SET user_name = 'mallory' WHERE seq = 1", [])
        .unwrap_err();
    assert!(err.to_string().contains("append-only"), "{err}");
    let err = conn
        .execute("DELETE FROM entries WHERE seq = 1", [])
        .unwrap_err();
    assert!(err.to_string().contains("append-only"), "{err}");
}

#[test]
fn entries_hold_canonical_bytes_and_leaf_hashes() {
    let env = Env::with_events();
    let conn = rusqlite::Connection::open(env.store()).unwrap();
    let mut stmt = conn
        .prepare("SELECT entry, leaf FROM entries ORDER BY seq")
        .unwrap();
    let rows: Vec<(String, Vec<u8>)> = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(rows.len(), 10);
    for (entry, leaf) in rows {
        assert!(!entry.contains("\"seq\""));
        let e: auditctl::model::Event = serde_json::from_str(&entry).unwrap();
        assert_eq!(
            e.canonical_bytes(),
            entry.as_bytes(),
            "stored bytes are canonical"
        );
        assert_eq!(leaf, auditctl::model::leaf_hash(entry.as_bytes()).to_vec());
    }
    let journal: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(journal, "wal");
}

#[test]
fn demo_is_deterministic_and_refuses_a_used_store() {
    let a = Env::new();
    let b = Env::new();
    for env in [&a, &b] {
        env.run(&[
            "demo",
            "--events",
            "300",
            "--seed",
            "7",
            "--end",
            "2026-11-24T00:00:00Z",
        ])
        .ok();
    }
    let ea = a.all_events();
    assert_eq!(ea.len(), 300);
    assert_eq!(ea, b.all_events());
    let run = a.run(&["demo"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("already holds 300 events"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_schema_1_store_is_upgraded_when_opened() {
    let env = Env::new();
    env.run(&["record", "--user", "a", "--action", "LOGIN"])
        .ok();
    // Take the store back to schema 1: no tree, no checkpoints.
    let conn = rusqlite::Connection::open(env.store()).unwrap();
    conn.execute_batch(
        "DROP TRIGGER tree_no_update; DROP TRIGGER tree_no_delete; \
         DROP TRIGGER checkpoints_no_update; DROP TRIGGER checkpoints_no_delete; \
         DROP TABLE tree; DROP TABLE checkpoints; PRAGMA user_version = 1;",
    )
    .unwrap();
    drop(conn);
    env.run(&["list"]).ok();
    let conn = rusqlite::Connection::open(env.store()).unwrap();
    let version: i32 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    assert_eq!(version, 3);
    drop(conn);
    env.run(&["checkpoint"]).ok();
    env.run(&["verify"]).ok();
}

#[test]
fn a_schema_2_store_gets_the_search_index_of_schema_3() {
    let env = Env::new();
    for (id, message) in [
        ("a", "webhook wh-8 from 10.20.1.15"),
        ("b", "webhook wh-13"),
    ] {
        env.run(&["record", "--id", id, "--action", "UPDATE", "-m", message])
            .ok();
    }
    // Take the index back to schema 2: words as unicode61 splits them.
    let conn = rusqlite::Connection::open(env.store()).unwrap();
    conn.execute_batch(
        "DROP TABLE entries_fts; \
         CREATE VIRTUAL TABLE entries_fts USING fts5 (doc, content = '', detail = none, \
             tokenize = 'unicode61 remove_diacritics 0'); \
         INSERT INTO entries_fts (rowid, doc) VALUES (1, 'webhook wh 8 10 20 1 15'), \
             (2, 'webhook wh 13'); \
         PRAGMA user_version = 2;",
    )
    .unwrap();
    drop(conn);
    let run = env.run(&["list", "--search", "wh-8", "-o", "jsonl"]).ok();
    assert_eq!(run.ids(), ["a"]);
    let run = env
        .run(&["list", "--search", "10.20.1.15", "-o", "jsonl"])
        .ok();
    assert_eq!(run.ids(), ["a"]);
    env.run(&["verify"]).ok();
}

#[test]
fn a_gzipped_log_as_a_store_says_what_to_do() {
    let env = Env::new();
    env.write_gzip(
        "audit.log.gz",
        &std::fs::read(fixture("k8s-audit.jsonl")).unwrap(),
    );
    let run = env.run(&["--store", "audit.log.gz", "list"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("audit.log.gz is gzip-compressed"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("auditctl import audit.log.gz"),
        "{}",
        run.stderr
    );
}

#[test]
fn demo_force_replaces_a_store_only_once_the_new_one_is_whole() {
    let env = Env::new();
    env.run(&["demo", "--events", "300"]).ok();
    let mut child = env
        .command(&["demo", "--force", "--events", "2000000"])
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(400));
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(env.all_events().len(), 300, "the old store is whole");
    env.run(&["demo", "--force", "--events", "50"]).ok();
    assert_eq!(env.all_events().len(), 50);
    env.run(&["verify"]).ok();
}

#[test]
fn an_empty_store_file_is_no_store_yet() {
    let env = Env::new();
    env.write("audit.db", "");
    let run = env.run(&["list"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("no store at audit.db"),
        "{}",
        run.stderr
    );
    env.run(&["record", "--action", "LOGIN"]).ok();
    assert_eq!(env.all_events().len(), 1);
}

#[test]
fn a_schema_version_its_tables_do_not_fit_is_an_integrity_failure() {
    for version in [0, 1] {
        let env = Env::new();
        env.run(&["record", "--action", "LOGIN"]).ok();
        let conn = rusqlite::Connection::open(env.store()).unwrap();
        conn.pragma_update(None, "user_version", version).unwrap();
        drop(conn);
        let run = env.run(&["verify"]);
        assert_eq!(run.code, 3, "{}", run.stderr);
        assert!(
            run.stderr.contains(&format!(
                "it says schema version {version}, which its tables are not"
            )),
            "{}",
            run.stderr
        );
    }
}

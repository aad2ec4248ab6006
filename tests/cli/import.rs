//! `import`: formats, all-or-nothing, duplicates, stdin, --skip-invalid, CSV round trips.

use std::process::Command;

use super::common::{Env, fixture};

fn count(env: &Env) -> usize {
    env.all_events().len()
}

#[test]
fn import_reports_and_is_idempotent() {
    let env = Env::new();
    let file = fixture("events.jsonl");
    let run = env.run(&["import", file.to_str().unwrap()]).ok();
    assert_eq!(
        run.stdout,
        "added 10 events, skipped 0 already in the store\n"
    );
    let run = env.run(&["import", file.to_str().unwrap()]).ok();
    assert_eq!(
        run.stdout,
        "added 0 events, skipped 10 already in the store\n"
    );
    assert_eq!(count(&env), 10);
}

#[test]
fn canonical_entries_keep_the_producer_id_and_normalise() {
    let env = Env::with_events();
    let events = env.all_events();
    assert_eq!(events[0].id, "evt-0001");
    assert_eq!(events[6].action, "UPDATE", "actions are upper-cased");
    assert_eq!(events[6].outcome, "success", "outcome defaults to success");
    assert_eq!(
        auditctl::model::format_time(&events[6].time),
        "2026-11-20T07:00:00.000Z"
    );
    let seqs: Vec<u64> = events.iter().map(|e| e.seq.unwrap()).collect();
    assert_eq!(seqs, (1..=10).collect::<Vec<_>>());
}

#[test]
fn a_bad_record_fails_the_whole_import_naming_file_and_line() {
    let env = Env::with_events();
    let good = r#"{"id":"new-1","time":"2026-11-24T10:00:00Z","user":"dave","action":"CREATE"}"#;
    let cases = [
        (
            "{\"id\":\"new-2\",\"time\":\"2026-11-24T10:00:00Z\",\"user\":\"dave\"",
            "EOF while parsing",
        ),
        (
            r#"{"id":"new-2","time":"yesterday","user":"dave","action":"CREATE"}"#,
            "`time` \"yesterday\" is not RFC 3339",
        ),
        (
            r#"{"id":"new-2","time":"2026-11-24T10:00:00Z","user":"dave"}"#,
            "missing field `action`",
        ),
        (
            r#"{"id":"new-2","time":"2026-11-24T10:00:00Z","user":"dave","action":"CREATE","colour":1}"#,
            "unknown field `colour`",
        ),
        (
            r#"{"id":"new-2","time":"2026-11-24T10:00:00Z","user":"dave","action":"CREATE","ip":"1.2.3"}"#,
            "`ip` is not an IP address",
        ),
        (
            r#"{"id":"new-2","time":"2026-11-24T10:00:00Z","user":"","action":"CREATE"}"#,
            "field `user` is empty",
        ),
    ];
    for (bad, why) in cases {
        let path = env.write("bad.jsonl", &format!("{good}\n\n{bad}\n"));
        let run = env.run(&["import", path.to_str().unwrap()]);
        assert_eq!(run.code, 1, "{bad}");
        let want = format!("auditctl: error: {}:3: ", path.display());
        assert!(run.stderr.starts_with(&want), "{} / {}", run.stderr, want);
        assert!(run.stderr.contains(why), "{} should say {why}", run.stderr);
        assert!(run.stderr.contains("hint: nothing was imported"));
        assert_eq!(count(&env), 10, "the store is left as it was");
    }
}

#[test]
fn skip_invalid_imports_the_rest() {
    let env = Env::new();
    let text = "{\"id\":\"a\",\"time\":\"2026-11-24T10:00:00Z\",\"user\":\"dave\",\"action\":\"CREATE\"}\nnot json\n{\"id\":\"b\",\"time\":\"2026-11-24T10:00:01Z\",\"user\":\"dave\",\"action\":\"DELETE\"}\n";
    let path = env.write("mixed.jsonl", text);
    let run = env
        .run(&["import", "--skip-invalid", path.to_str().unwrap()])
        .ok();
    assert_eq!(
        run.stdout,
        "added 2 events, skipped 0 already in the store, 1 invalid\n"
    );
    assert!(
        run.stderr
            .contains(&format!("skipped {}:2: expected ", path.display())),
        "{}",
        run.stderr
    );
    assert_eq!(count(&env), 2);
}

#[test]
fn a_failed_first_import_creates_no_store() {
    let env = Env::new();
    let path = env.write("bad.jsonl", "{oops}\n");
    assert_eq!(env.run(&["import", path.to_str().unwrap()]).code, 1);
    assert!(!env.store().exists());
    let run = env.run(&["import", "missing.jsonl"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("cannot read missing.jsonl"),
        "{}",
        run.stderr
    );
    assert!(!env.store().exists());
}

#[test]
fn unknown_format_names_the_formats_tried() {
    let env = Env::new();
    let path = env.write("notes.txt", "hello world\n");
    let run = env.run(&["import", path.to_str().unwrap()]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains(
            "notes.txt: unrecognised format (tried Kubernetes audit log, AWS CloudTrail, \
             auditctl JSON Lines, auditctl CSV)"
        ),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("--map FILE"), "{}", run.stderr);
    assert!(!env.store().exists());
}

#[test]
fn stdin_and_several_files_in_one_transaction() {
    let env = Env::new();
    let text = std::fs::read_to_string(fixture("events.jsonl")).unwrap();
    let (first, rest): (Vec<&str>, Vec<&str>) = {
        let lines: Vec<&str> = text.lines().collect();
        (lines[..4].to_vec(), lines[4..].to_vec())
    };
    let a = env.write("a.jsonl", &(first.join("\n") + "\n"));
    let run = env
        .run_with_stdin(
            &["import", a.to_str().unwrap(), "-"],
            &(rest.join("\n") + "\n"),
        )
        .ok();
    assert_eq!(
        run.stdout,
        "added 10 events, skipped 0 already in the store\n"
    );
    // A bad record in the second file keeps the first file out too.
    let env = Env::new();
    let run = env.run_with_stdin(
        &["import", a.to_str().unwrap(), "-"],
        "{\"user\":\"x\",\"action\":\"Y\"}\n",
    );
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("<stdin>:1: missing field `time`"),
        "{}",
        run.stderr
    );
    assert!(!env.store().exists());
}

#[test]
fn csv_round_trip_keeps_every_field() {
    let env = Env::new();
    // Awkward text in every column that can hold it.
    for (i, msg) in [
        "plain",
        "comma, inside",
        "\"quoted\" words",
        "two\nlines",
        "Grüße 東京 😀",
        "trailing space ",
    ]
    .iter()
    .enumerate()
    {
        env.run(&[
            "record",
            "--user",
            "zoë, \"z\"",
            "--action",
            "update",
            "--table",
            "t,1",
            "--resource-id",
            &format!("r\n{i}"),
            "--message",
            msg,
            "--meta",
            "note=a,b",
            "--before",
            "<xml a=\"1\">\n  text, more\n</xml>",
            "--after",
            r#"{"k":"v, \"w\"","n":[1,2.5,null]}"#,
            "--time",
            &format!("2026-11-0{}T10:00:00.123Z", i + 1),
        ])
        .ok();
    }
    let csv = env.run(&["list", "--all", "-o", "csv"]).ok().stdout;
    // The CSV parses back field by field.
    let mut rdr = csv::Reader::from_reader(csv.as_bytes());
    let header: Vec<String> = rdr.headers().unwrap().iter().map(str::to_owned).collect();
    assert_eq!(
        header.join(","),
        "seq,id,time,user,user_type,ip,action,operation,service,origin,table,resource_id,message,outcome,before,after,reverts,meta"
    );
    let rows: Vec<csv::StringRecord> = rdr.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 6);
    assert_eq!(&rows[2][12], "two\nlines");
    assert_eq!(&rows[3][3], "zoë, \"z\"");
    assert_eq!(&rows[0][14], "<xml a=\"1\">\n  text, more\n</xml>");
    assert_eq!(&rows[0][15], r#"{"k":"v, \"w\"","n":[1,2.5,null]}"#);

    let copy = Env::new();
    let path = copy.write("export.csv", &csv);
    copy.run(&["import", path.to_str().unwrap()]).ok();
    let mut original = env.all_events();
    let mut imported = copy.all_events();
    original.sort_by(|a, b| a.id.cmp(&b.id));
    imported.sort_by(|a, b| a.id.cmp(&b.id));
    for e in original.iter_mut().chain(imported.iter_mut()) {
        e.seq = None;
    }
    assert_eq!(original, imported);
    // Importing the export again adds nothing.
    let run = copy.run(&["import", path.to_str().unwrap()]).ok();
    assert_eq!(
        run.stdout,
        "added 0 events, skipped 6 already in the store\n"
    );
}

#[test]
fn jsonl_export_round_trip_through_stdin() {
    let env = Env::with_events();
    let jsonl = env
        .run(&["list", "--all", "-o", "jsonl", "--reveal"])
        .ok()
        .stdout;
    let copy = Env::new();
    copy.run_with_stdin(&["import"], &jsonl).ok();
    let a: Vec<_> = env.all_events().into_iter().map(|e| e.id).collect();
    let mut b: Vec<_> = copy.all_events().into_iter().map(|e| e.id).collect();
    b.sort();
    assert_eq!(a, b);
}

/// Imports are read on a second thread and handed over in batches: a bad record far into a
/// long file still fails everything before it, and skipped and duplicate records are counted
/// across batch boundaries.
#[test]
fn long_inputs_stay_all_or_nothing() {
    let line = |i: usize| {
        format!(
            "{{\"id\":\"long-{i}\",\"time\":\"2026-11-24T10:00:00Z\",\"user\":\"dave\",\"action\":\"CREATE\",\"meta\":{{\"n\":{i}}}}}\n"
        )
    };
    let good: String = (1..=1000).map(line).collect();
    let env = Env::with_events();
    let path = env.write("long.jsonl", &format!("{good}not json\n{}", line(1001)));
    let run = env.run(&["import", path.to_str().unwrap()]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .starts_with(&format!("auditctl: error: {}:1001: ", path.display())),
        "{}",
        run.stderr
    );
    assert_eq!(count(&env), 10, "the store is left as it was");

    // The same file with every 100th line broken, and its first half repeated at the end.
    let mut text = String::new();
    for i in 1..=1000 {
        if i % 100 == 0 {
            text.push_str("{broken\n");
        } else {
            text.push_str(&line(i));
        }
    }
    let repeated: String = (1..=500).filter(|i| i % 100 != 0).map(line).collect();
    let path = env.write("long.jsonl", &(text + &repeated));
    let run = env
        .run(&["import", "--skip-invalid", path.to_str().unwrap()])
        .ok();
    assert_eq!(
        run.stdout,
        "added 990 events, skipped 495 already in the store, 10 invalid\n"
    );
    assert_eq!(count(&env), 1000);
}

/// The files in the test's folder other than the config, sorted.
fn files_in(env: &Env) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(env.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "config")
        .collect();
    names.sort();
    names
}

/// `import -` running with its stdin piped from the test.
fn import_from_stdin(env: &Env) -> (std::process::Child, std::process::ChildStdin) {
    let mut import = env
        .command(&["import", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stdin = import.stdin.take().unwrap();
    (import, stdin)
}

/// Sends `signal` (`INT`, `TERM`) to `child`, as a terminal's Ctrl-C or a service manager would.
fn send_signal(child: &std::process::Child, signal: &str) {
    let sent = std::process::Command::new("kill")
        .args([format!("-{signal}"), child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
}

/// `n` events, one per line, with ids `e1 ..= en`: enough of them for an import reading stdin
/// to have decided its format (it reads 64 KiB and 100 lines first) and started building.
fn event_lines(n: usize) -> String {
    (1..=n)
        .map(|i| {
            format!(
                "{{\"id\":\"e{i}\",\"time\":\"2026-11-20T10:00:00Z\",\"user\":\"u\",\"action\":\"LOGIN\"}}\n"
            )
        })
        .collect()
}

/// Waits until the store and its search index are being built.
fn wait_for_building(env: &Env) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while files_in(env)
        .iter()
        .filter(|n| n.ends_with(".building"))
        .count()
        < 2
    {
        assert!(std::time::Instant::now() < deadline, "no store being built");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

#[test]
fn a_first_import_builds_a_whole_store_in_wal_mode() {
    let env = Env::new();
    env.run(&["import", fixture("events.jsonl").to_str().unwrap()])
        .ok();
    assert_eq!(files_in(&env), ["audit.db"], "no temporary file is left");
    let header = std::fs::read(env.store()).unwrap();
    assert_eq!(
        (header[18], header[19]),
        (2, 2),
        "the store is in WAL mode, as every store is"
    );
    assert_eq!(
        u16::from_be_bytes([header[16], header[17]]),
        16384,
        "built with 16 KiB pages"
    );
    env.run(&["verify"]).ok();
    let filtered = env.run(&["list", "--user", "alice", "-o", "jsonl"]).ok();
    assert!(!filtered.events().is_empty(), "the indexes were built");
    // A failed first import leaves nothing at all behind.
    let other = Env::new();
    other.write("bad.jsonl", "{oops}\n");
    assert_eq!(other.run(&["import", "bad.jsonl"]).code, 1);
    assert_eq!(files_in(&other), ["bad.jsonl"]);
}

/// The search index of a new store is built in a file of its own and copied in: it must be the
/// index an append into an existing store writes, term for term and event for event.
#[test]
fn a_search_index_built_aside_is_the_one_built_in_place() {
    let env = Env::new();
    let demo = env.path("demo.jsonl");
    env.run(&[
        "--store", "demo.db", "demo", "--events", "3000", "--seed", "7",
    ])
    .ok();
    let out = env.run(&["--store", "demo.db", "export", "-o", "jsonl", "--reveal"]);
    std::fs::write(&demo, out.ok().stdout).unwrap();
    env.run(&["--store", "aside.db", "import", demo.to_str().unwrap()])
        .ok();
    env.run(&["init", "in-place.db"]).ok();
    env.run(&["--store", "in-place.db", "import", demo.to_str().unwrap()])
        .ok();
    // Pairs read from a store with `sql`, after `setup`.
    let pairs = |store: &str, setup: &str, sql: &str| -> Vec<(String, i64)> {
        let conn = rusqlite::Connection::open(env.path(store)).unwrap();
        conn.execute_batch(setup).unwrap();
        let mut rows = conn.prepare(sql).unwrap();
        rows.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    let index = |store: &str| {
        pairs(
            store,
            "CREATE VIRTUAL TABLE temp.terms USING fts5vocab(main, entries_fts, instance)",
            "SELECT term, doc FROM temp.terms ORDER BY term, doc",
        )
    };
    let aside = index("aside.db");
    assert!(aside.len() > 3000 * 10, "{} terms", aside.len());
    assert_eq!(aside, index("in-place.db"));
    // Built with its own merge setting, the index is left configured as one built in place.
    let config = |store: &str| pairs(store, "", "SELECT k, v FROM entries_fts_config ORDER BY k");
    assert_eq!(config("aside.db"), config("in-place.db"));
    let search = |store: &str| {
        env.run(&["--store", store, "verify"]).ok();
        let found = env.run(&[
            "--store", store, "list", "--search", "passkey", "--all", "-o", "jsonl",
        ]);
        found.ok().stdout
    };
    let found = search("aside.db");
    assert!(found.lines().count() > 10, "{found}");
    assert_eq!(found, search("in-place.db"));
}

#[test]
fn a_store_created_meanwhile_is_not_replaced() {
    use std::io::Write;
    let env = Env::new();
    let (import, mut stdin) = import_from_stdin(&env);
    stdin.write_all(event_lines(1000).as_bytes()).unwrap();
    // The import is building its store aside; another process creates one at the path.
    wait_for_building(&env);
    env.run(&["record", "--user", "bob", "--action", "LOGIN"])
        .ok();
    drop(stdin);
    let out = super::common::to_run(import.wait_with_output().unwrap());
    assert_eq!(out.code, 1, "{}", out.stderr);
    assert!(
        out.stderr
            .contains("audit.db was created by another process during the import"),
        "{}",
        out.stderr
    );
    let kept = env.all_events();
    assert_eq!(kept.len(), 1);
    assert_eq!(
        kept[0].user, "bob",
        "the other process's store is kept as it was"
    );
    assert!(!files_in(&env).iter().any(|n| n.ends_with(".building")));
}

#[test]
fn an_interrupted_import_writes_nothing() {
    use std::io::Write;
    let env = Env::new();
    let (import, mut stdin) = import_from_stdin(&env);
    stdin.write_all(event_lines(1000).as_bytes()).unwrap();
    wait_for_building(&env);
    send_signal(&import, "INT");
    std::thread::sleep(std::time::Duration::from_millis(100));
    drop(stdin);
    let out = super::common::to_run(import.wait_with_output().unwrap());
    assert_eq!(out.code, 130, "{}", out.stderr);
    assert!(
        out.stderr.contains("interrupted: nothing was imported"),
        "{}",
        out.stderr
    );
    assert!(files_in(&env).is_empty(), "{:?}", files_in(&env));
}

/// Ctrl-C while the import waits for another process's write lock stops it there, as between
/// two events, rather than after the 30 s SQLite would wait.
#[test]
fn an_import_waiting_for_a_lock_is_interrupted_at_once() {
    let env = Env::with_events();
    let before = env.all_events();
    env.write("more.jsonl", &event_lines(10));
    let holder = rusqlite::Connection::open(env.store()).unwrap();
    holder.execute_batch("BEGIN IMMEDIATE").unwrap();
    let import = env
        .command(&["import", "more.jsonl"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Long enough to be waiting for the lock: ten events are read in milliseconds.
    std::thread::sleep(std::time::Duration::from_secs(1));
    let interrupted = std::time::Instant::now();
    send_signal(&import, "INT");
    let out = super::common::to_run(import.wait_with_output().unwrap());
    assert!(
        interrupted.elapsed() < std::time::Duration::from_secs(5),
        "stopped after {:?}",
        interrupted.elapsed()
    );
    assert_eq!(out.code, 130, "{}", out.stderr);
    assert!(
        out.stderr.contains("interrupted: nothing was imported"),
        "{}",
        out.stderr
    );
    holder.execute_batch("ROLLBACK").unwrap();
    assert_eq!(env.all_events(), before);
}

/// SIGTERM while the import waits for more of an input that stays open (a pipe whose writer
/// lives on): it stops at once, with nothing written, whether it was still deciding the
/// input's format (fewer than 100 lines: it ends at once, as nothing is open yet) or appending
/// (it says so), and whether the store existed.
#[test]
fn an_import_waiting_for_its_input_is_interrupted_at_once() {
    use std::io::Write;
    for (existing, lines) in [(false, 10), (true, 10), (false, 1000), (true, 1000)] {
        let env = if existing {
            Env::with_events()
        } else {
            Env::new()
        };
        let before = existing.then(|| env.all_events());
        let (import, mut stdin) = import_from_stdin(&env);
        stdin.write_all(event_lines(lines).as_bytes()).unwrap();
        std::thread::sleep(std::time::Duration::from_secs(1));
        let interrupted = std::time::Instant::now();
        send_signal(&import, "TERM");
        let mut import = import;
        while import.try_wait().unwrap().is_none() && interrupted.elapsed().as_secs() < 10 {
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let took = interrupted.elapsed();
        let _ = import.kill();
        let out = super::common::to_run(import.wait_with_output().unwrap());
        drop(stdin);
        let case = format!("existing {existing}, {lines} lines, after {took:?}");
        assert!(took < std::time::Duration::from_secs(5), "{case}");
        assert_eq!(out.code, 130, "{case}: {}", out.stderr);
        assert!(
            lines < 100 || out.stderr.contains("interrupted: nothing was imported"),
            "{case}: {}",
            out.stderr
        );
        match before {
            Some(before) => assert_eq!(env.all_events(), before, "{case}"),
            None => assert!(files_in(&env).is_empty(), "{case}: {:?}", files_in(&env)),
        }
    }
}

#[test]
fn a_store_is_not_imported_into_itself() {
    let env = Env::with_events();
    let store = env.store();
    let wal = env.path("audit.db-wal");
    for input in [&store, &wal] {
        if !input.exists() {
            continue;
        }
        let run = env.run(&["import", input.to_str().unwrap()]);
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert!(
            run.stderr.contains("is the store being imported into"),
            "{}",
            run.stderr
        );
    }
    assert_eq!(env.all_events().len(), 10);
}

/// Makes a file look `age` old.
fn age(path: &std::path::Path, age: std::time::Duration) {
    let file = std::fs::File::options().write(true).open(path).unwrap();
    file.set_modified(std::time::SystemTime::now() - age)
        .unwrap();
}

#[test]
fn a_first_import_killed_outright_leaves_a_build_the_next_one_removes() {
    use std::io::Write;
    let env = Env::new();
    let (mut import, mut stdin) = import_from_stdin(&env);
    stdin.write_all(event_lines(1000).as_bytes()).unwrap();
    wait_for_building(&env);
    // While the builder lives, its files (the store, its search index) are locked: another
    // store made here leaves them alone.
    let building: Vec<String> = files_in(&env)
        .into_iter()
        .filter(|n| n.ends_with(".building"))
        .collect();
    assert_eq!(building.len(), 2, "{building:?}");
    let age_all = |by| building.iter().for_each(|b| age(&env.path(b), by));
    let all_there = || building.iter().all(|b| files_in(&env).contains(b));
    age_all(std::time::Duration::from_secs(60));
    env.run(&["--store", "other.db", "record", "--action", "LOGIN"])
        .ok();
    assert!(all_there(), "a live build is kept");
    import.kill().unwrap();
    import.wait().unwrap();
    drop(stdin);
    assert!(all_there(), "SIGKILL leaves the build");
    // Young builds are left alone (a builder locks its file just after making it).
    age_all(std::time::Duration::ZERO);
    env.run(&["--store", "third.db", "record", "--action", "LOGIN"])
        .ok();
    assert!(all_there(), "a young build is kept");
    age_all(std::time::Duration::from_secs(60));
    env.run(&["import", fixture("events.jsonl").to_str().unwrap()])
        .ok();
    assert!(
        !files_in(&env).iter().any(|n| n.contains(".building")),
        "{:?}",
        files_in(&env)
    );
    assert_eq!(env.all_events().len(), 10);
}

#[test]
fn a_store_made_by_import_honours_the_umask() {
    use std::os::unix::fs::PermissionsExt;
    let env = Env::new();
    let events = fixture("events.jsonl");
    for (store, args) in [
        ("imported.db", ["import", events.to_str().unwrap()]),
        ("recorded.db", ["record", "--action=LOGIN"]),
    ] {
        let mut cmd = env.command(&args);
        cmd.env("AUDITCTL_STORE", store);
        let out = super::common::with_umask(&cmd, 0o077).output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let mode = std::fs::metadata(env.path(store))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{store}");
    }
}

#[test]
fn a_large_first_event_is_recognised() {
    let env = Env::new();
    // 100 KB of data in the first event, through a pipe; 1.5 MB in a file.
    let big = "x".repeat(100_000);
    env.run(&[
        "record",
        "--id",
        "big",
        "--action",
        "UPDATE",
        "--after",
        &format!("{{\"blob\": \"{big}\"}}"),
    ])
    .ok();
    env.run(&["record", "--id", "small", "--action", "LOGIN"])
        .ok();
    let export = env.run(&["export", "-o", "jsonl"]).ok();
    let run = env
        .run_with_stdin(&["--store", "copy.db", "import", "-"], &export.stdout)
        .ok();
    assert!(run.stdout.starts_with("added 2 events"), "{}", run.stdout);
    let huge = format!(
        "{{\"id\":\"h\",\"time\":\"2026-11-20T10:00:00Z\",\"user\":\"u\",\"action\":\"UPDATE\",\"after\":{{\"blob\":\"{}\"}}}}\n",
        "y".repeat(1_500_000)
    );
    env.write("huge.jsonl", &huge);
    let run = env
        .run(&["--store", "huge.db", "import", "huge.jsonl"])
        .ok();
    assert!(run.stdout.starts_with("added 1 event"), "{}", run.stdout);
}

#[test]
fn a_pipe_is_read_once_and_nothing_is_lost() {
    // `import <(zcat log.gz)` names a pipe: detection's sample and the import read the same
    // stream, which cannot be opened a second time.
    let env = Env::with_events();
    let lines = env.run(&["export", "-o", "jsonl", "--reveal"]).ok().stdout;
    let fifo = env.path("events.fifo");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success(),
        "mkfifo"
    );
    let writer = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::write(fifo, lines).unwrap())
    };
    let run = env
        .run(&["--store", "copy.db", "import", "events.fifo"])
        .ok();
    writer.join().unwrap();
    assert_eq!(
        run.stdout,
        "added 10 events, skipped 0 already in the store\n"
    );
}

#[test]
fn a_hot_journal_left_at_the_path_is_refused_not_played_into_the_new_store() {
    let env = Env::new();
    std::fs::write(env.path("audit.db-journal"), vec![0xd9u8; 4096]).unwrap();
    let run = env.run(&["import", fixture("events.jsonl").to_str().unwrap()]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("audit.db-journal is left from a store"),
        "{}",
        run.stderr
    );
    assert_eq!(files_in(&env), ["audit.db-journal"]);
}

#[test]
fn only_a_builds_own_files_are_swept() {
    let env = Env::new();
    // Hidden files that end like a build's but are not one, or hold something else.
    let others = [
        ".notes.building",
        ".building",
        ".x.db.ABCDEF.building",
        ".x.db.ABC.building",
    ];
    for name in others {
        std::fs::write(env.path(name), "important").unwrap();
        age(&env.path(name), std::time::Duration::from_secs(60));
    }
    // A build's, abandoned: empty, as a builder killed at once leaves it.
    std::fs::write(env.path(".old.db.Xy12Z9.search.building"), "").unwrap();
    age(
        &env.path(".old.db.Xy12Z9.search.building"),
        std::time::Duration::from_secs(60),
    );
    env.run(&["import", fixture("events.jsonl").to_str().unwrap()])
        .ok();
    let mut expected: Vec<String> = others.iter().map(|s| s.to_string()).collect();
    expected.push("audit.db".into());
    expected.sort();
    assert_eq!(files_in(&env), expected);
}

#[test]
fn a_first_import_through_a_link_that_points_nowhere_yet_makes_its_target() {
    let env = Env::new();
    std::os::unix::fs::symlink("target.db", env.store()).unwrap();
    env.run(&["import", fixture("events.jsonl").to_str().unwrap()])
        .ok();
    assert!(env.path("target.db").is_file());
    assert!(env.store().is_symlink());
    assert_eq!(env.all_events().len(), 10);
}

#[test]
fn an_input_that_cannot_be_read_to_its_end_fails_even_when_skipping_invalid_records() {
    let env = Env::new();
    let lines = event_lines(20_000);
    let whole = env.write_gzip("whole.gz", lines.as_bytes());
    let bytes = std::fs::read(&whole).unwrap();
    std::fs::write(env.path("half.gz"), &bytes[..bytes.len() / 2]).unwrap();
    let run = env.run(&["import", "--skip-invalid", "half.gz"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("half.gz:"), "{}", run.stderr);
    assert!(run.stderr.contains("read error"), "{}", run.stderr);
    assert!(
        run.stderr.contains("could not be read to its end"),
        "{}",
        run.stderr
    );
    assert!(!env.store().exists());
}

#[test]
fn a_store_with_a_long_name_is_built_aside_too() {
    let env = Env::new();
    let name = format!("{}.db", "é".repeat(120));
    env.run(&[
        "--store",
        &name,
        "import",
        fixture("events.jsonl").to_str().unwrap(),
    ])
    .ok();
    assert_eq!(files_in(&env), std::slice::from_ref(&name));
    let out = env.run(&["--store", &name, "list", "--all", "-o", "jsonl"]);
    assert_eq!(out.ok().stdout.lines().count(), 10);
}

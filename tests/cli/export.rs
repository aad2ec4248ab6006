//! `export`: CSV read back field by field, JSON Lines, JSON, CEF, atomic output, cursors.

use std::io::Read;
use std::process::Stdio;

use serde_json::Value;

use super::common::{Env, fixture};

/// Events whose text fields are hard for CSV: commas, quotes, line breaks, unicode, text data.
const TRICKY: &str = r#"{"id":"t-1","time":"2026-11-01T08:00:00Z","user":"Zoë, \"the admin\"","action":"UPDATE","table":"policies","resource_id":"p,1","message":"line one\nline two, with \"quotes\"","before":"<a x=\"1\">\r\n  é\n</a>","after":"<a x=\"2\">\n</a>","meta":{"note":"日本語"}}
{"id":"t-2","time":"2026-11-02T08:00:00Z","user":"bob","ip":"2001:db8::1","action":"CREATE","table":"users","resource_id":"7","message":"plain","after":{"name":"x","list":[1,2]}}
{"id":"t-3","time":"2026-11-03T08:00:00Z","user":"carol","action":"DELETE","table":"hooks","resource_id":"9","message":"gone","before":{"url":"u","api_key":"k-123"},"outcome":"failure"}
"#;

fn tricky() -> Env {
    let env = Env::new();
    let file = env.write("tricky.jsonl", TRICKY);
    env.run(&["import", file.to_str().unwrap()]).ok();
    env
}

#[test]
fn csv_reads_back_field_by_field() {
    let env = tricky();
    let run = env.run(&["--reveal", "export"]).ok();
    let mut reader = csv::Reader::from_reader(run.stdout.as_bytes());
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        "seq,id,time,user,user_type,ip,action,operation,service,origin,table,resource_id,message,outcome,before,after,reverts,meta"
            .split(',')
            .collect::<Vec<_>>()
    );
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let events = env
        .run(&["--reveal", "list", "--all", "--sort", "seq", "-o", "jsonl"])
        .ok()
        .events();
    assert_eq!(rows.len(), events.len());
    for (row, e) in rows.iter().zip(&events) {
        assert_eq!(&row[0], e.seq.unwrap().to_string());
        assert_eq!(&row[1], e.id);
        assert_eq!(&row[2], auditctl::model::format_time(&e.time));
        assert_eq!(&row[3], e.user);
        assert_eq!(&row[5], e.ip.clone().unwrap_or_default());
        assert_eq!(&row[6], e.action);
        assert_eq!(&row[11], e.resource_id.clone().unwrap_or_default());
        assert_eq!(&row[12], e.message);
        assert_eq!(&row[13], e.outcome);
        // Text data as is, JSON data as compact JSON.
        for (cell, data) in [(&row[14], &e.before), (&row[15], &e.after)] {
            match data {
                None => assert_eq!(cell, ""),
                Some(Value::String(text)) => assert_eq!(cell, text),
                Some(v) => assert_eq!(serde_json::from_str::<Value>(cell).unwrap(), *v),
            }
        }
    }
    assert_eq!(&rows[0][3], "Zoë, \"the admin\"");
    assert_eq!(&rows[0][14], "<a x=\"1\">\r\n  é\n</a>");
    assert_eq!(&rows[0][17], r#"{"note":"日本語"}"#);
}

#[test]
fn columns_filters_and_redaction() {
    let env = tricky();
    let run = env
        .run(&[
            "export",
            "--columns",
            "action,user,before",
            "--since",
            "2026-11-02",
        ])
        .ok();
    assert_eq!(
        run.stdout,
        "action,user,before\nCREATE,bob,\nDELETE,carol,\"{\"\"api_key\"\":\"\"[redacted]\"\",\"\"url\"\":\"\"u\"\"}\"\n"
    );
    let bad = env.run(&["export", "--columns", "who"]);
    assert_eq!(bad.code, 2);
    let cef_columns = env.run(&["export", "-o", "cef", "--columns", "user"]);
    assert_eq!(cef_columns.code, 2);
}

#[test]
fn jsonl_and_json_match_the_store() {
    let env = Env::with_events();
    let jsonl = env.run(&["export", "--format", "jsonl"]).ok();
    let listed = env
        .run(&["list", "--all", "--sort", "seq", "-o", "jsonl"])
        .ok();
    assert_eq!(jsonl.stdout, listed.stdout, "oldest first, same bytes");
    let json = env.run(&["export", "--format", "json"]).ok();
    let array: Vec<Value> = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(array.len(), jsonl.stdout.lines().count());
    assert_eq!(array[0]["seq"], 1);
    let empty = env.run(&["export", "-o", "json", "--user", "nobody"]).ok();
    assert_eq!(empty.stdout, "[]\n");
}

#[test]
fn cef_escapes_what_it_must() {
    let env = tricky();
    let run = env.run(&["export", "-o", "cef"]).ok();
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 3, "one line per event, line breaks escaped");
    let version = env!("CARGO_PKG_VERSION");
    assert_eq!(
        lines[0],
        format!(
            "CEF:0|auditctl|auditctl|{version}|UPDATE|line one line two, with \"quotes\"|4|rt=1793520000000 \
             suser=Zoë, \"the admin\" cs1Label=table cs1=policies cs2Label=resource_id cs2=p,1 \
             outcome=success act=UPDATE msg=line one\\nline two, with \"quotes\" externalId=t-1 \
             flexString2Label=meta flexString2={{\"note\":\"日本語\"}}"
        )
    );
    assert!(
        lines[1].contains(" c6a2Label=ip c6a2=2001:db8::1 "),
        "{}",
        lines[1]
    );
    assert!(lines[2].starts_with(&format!("CEF:0|auditctl|auditctl|{version}|DELETE|gone|9|")));

    let env = Env::new();
    env.run(&[
        "record",
        "--user",
        "a=b\\c",
        "--action",
        "UPDATE",
        "--message",
        "x|y=z",
    ])
    .ok();
    let run = env.run(&["export", "-o", "cef"]).ok();
    assert!(run.stdout.contains("|UPDATE|x\\|y=z|4|"), "{}", run.stdout);
    assert!(run.stdout.contains(" suser=a\\=b\\\\c "), "{}", run.stdout);
    assert!(run.stdout.contains(" msg=x|y\\=z"), "{}", run.stdout);
}

#[test]
fn output_is_atomic_and_a_failing_store_leaves_the_old_file() {
    let env = tricky();
    let out = env.path("out.csv");
    std::fs::write(&out, "old export\n").unwrap();
    env.run(&["export", "--output", out.to_str().unwrap()]).ok();
    let text = std::fs::read_to_string(&out).unwrap();
    assert_eq!(
        csv::Reader::from_reader(text.as_bytes()).records().count(),
        3
    );

    // An entry that does not decode makes the export fail halfway.
    std::fs::write(&out, "old export\n").unwrap();
    let conn = rusqlite::Connection::open(env.store()).unwrap();
    conn.execute(
        "INSERT INTO entries (id, entry, leaf, time_us, user_name, action, outcome) \
         VALUES ('bad', 'not json', x'00', 0, 'x', 'X', 'success')",
        [],
    )
    .unwrap();
    drop(conn);
    let cursor = env.path("cursor");
    let run = env.run(&[
        "export",
        "--output",
        out.to_str().unwrap(),
        "--cursor-file",
        cursor.to_str().unwrap(),
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "old export\n");
    assert!(!cursor.exists(), "the cursor does not move");
    let leftovers: Vec<_> = std::fs::read_dir(env.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn cursor_file_exports_each_event_once() {
    let env = Env::with_events();
    let cursor = env.path("siem.cursor");
    let cursor_arg = cursor.to_str().unwrap();
    let first = env
        .run(&["export", "-o", "jsonl", "--cursor-file", cursor_arg])
        .ok();
    assert_eq!(first.stdout.lines().count(), 10);
    assert_eq!(std::fs::read_to_string(&cursor).unwrap(), "10\n");

    let nothing = env
        .run(&["export", "-o", "jsonl", "--cursor-file", cursor_arg])
        .ok();
    assert_eq!(nothing.stdout, "");
    assert_eq!(std::fs::read_to_string(&cursor).unwrap(), "10\n");

    env.run(&["record", "--user", "a", "--action", "LOGIN"])
        .ok();
    env.run(&["record", "--user", "b", "--action", "LOGIN"])
        .ok();
    let next = env
        .run(&["export", "-o", "jsonl", "--cursor-file", cursor_arg])
        .ok();
    let seqs: Vec<u64> = next.events().iter().map(|e| e.seq.unwrap()).collect();
    assert_eq!(seqs, vec![11, 12]);
    assert_eq!(std::fs::read_to_string(&cursor).unwrap(), "12\n");

    std::fs::write(&cursor, "twelve\n").unwrap();
    let bad = env.run(&["export", "--cursor-file", cursor_arg]);
    assert_eq!(bad.code, 1);
    assert!(bad.stderr.contains("not a cursor file"), "{}", bad.stderr);
}

#[test]
fn a_run_killed_midway_moves_no_cursor() {
    let env = Env::new();
    env.run(&["demo", "--events", "3000"]).ok();
    let cursor = env.path("cursor");
    std::fs::write(&cursor, "100\n").unwrap();
    // The export blocks on a full pipe that nobody reads, and is killed there.
    let mut child = env
        .command(&[
            "export",
            "-o",
            "jsonl",
            "--cursor-file",
            cursor.to_str().unwrap(),
        ])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 1024];
    child
        .stdout
        .as_mut()
        .unwrap()
        .read_exact(&mut first)
        .unwrap();
    assert!(first.starts_with(b"{\"seq\":101,"));
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(std::fs::read_to_string(&cursor).unwrap(), "100\n");
    let rerun = env
        .run(&[
            "export",
            "-o",
            "jsonl",
            "--cursor-file",
            cursor.to_str().unwrap(),
        ])
        .ok();
    assert_eq!(rerun.stdout.lines().count(), 2900);
    assert_eq!(std::fs::read_to_string(&cursor).unwrap(), "3000\n");
}

#[test]
fn export_reads_a_json_lines_store() {
    let env = Env::new();
    let store = fixture("events.jsonl");
    let run = env
        .run(&[
            "--store",
            store.to_str().unwrap(),
            "export",
            "--columns",
            "seq,id",
        ])
        .ok();
    assert_eq!(
        run.stdout.lines().count(),
        11,
        "header and every event, no limit"
    );
}

#[test]
fn text_data_that_looks_like_json_survives_a_csv_round_trip() {
    let env = Env::new();
    for (i, data) in [
        r#""42""#,
        r#""{\"a\":1}""#,
        r#""null""#,
        r#""""#,
        r#"" ""#,
        "<x/>",
    ]
    .iter()
    .enumerate()
    {
        env.run(&[
            "record",
            "--id",
            &format!("t{i}"),
            "--user",
            "a",
            "--action",
            "UPDATE",
            "--before",
            data,
            "--after",
            r#"{"n":1}"#,
        ])
        .ok();
    }
    let csv = env.run(&["export", "--output", "out.csv"]).ok();
    assert_eq!(csv.stdout, "");
    let copy = Env::new();
    std::fs::copy(env.path("out.csv"), copy.path("out.csv")).unwrap();
    copy.run(&["import", "out.csv"]).ok();
    let a: Vec<_> = env
        .all_events()
        .into_iter()
        .map(|e| (e.id, e.before))
        .collect();
    let b: Vec<_> = copy
        .all_events()
        .into_iter()
        .map(|e| (e.id, e.before))
        .collect();
    assert_eq!(a, b);
}

#[test]
fn a_changed_secret_shows_as_changed_everywhere() {
    let env = Env::new();
    env.run(&[
        "record",
        "--user",
        "a",
        "--action",
        "UPDATE",
        "--table",
        "t",
        "--resource-id",
        "1",
        "--before",
        r#"{"name":"a","password":"hunter2"}"#,
        "--after",
        r#"{"name":"b","password":"hunter3"}"#,
    ])
    .ok();
    let stat = env.run(&["diff", "1", "--stat"]).ok();
    assert!(
        stat.stdout
            .contains("~ password: \"[redacted]\" → \"[redacted, changed]\"\n2 paths changed"),
        "{}",
        stat.stdout
    );
    let list = env.run(&["list", "--columns", "seq,changes"]).ok();
    assert!(list.stdout.contains("1    2 fields"), "{}", list.stdout);
    for format in ["csv", "jsonl"] {
        let out = env.run(&["export", "-o", format]).ok();
        assert!(
            out.stdout.contains("[redacted, changed]"),
            "{format}: {}",
            out.stdout
        );
        assert!(!out.stdout.contains("hunter"), "{format}: {}", out.stdout);
    }
    let revealed = env.run(&["--reveal", "diff", "1", "--stat"]).ok();
    assert!(revealed.stdout.contains("\"hunter2\" → \"hunter3\""));
}

#[test]
fn an_interrupted_export_leaves_no_temporary_file() {
    let env = Env::new();
    env.run(&["demo", "--events", "3000"]).ok();
    std::fs::write(env.path("out.jsonl"), "old\n").unwrap();
    // A FIFO-less way to stall the export: it writes to a file, so interrupt it early.
    let mut child = env
        .command(&["export", "-o", "jsonl", "--output", "out.jsonl"])
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(30));
    let _ = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status();
    let status = child.wait().unwrap();
    let leftovers: Vec<_> = std::fs::read_dir(env.dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    if !status.success() {
        assert_eq!(status.code(), Some(130));
        assert_eq!(
            std::fs::read_to_string(env.path("out.jsonl")).unwrap(),
            "old\n"
        );
    }
}

#[test]
fn an_export_never_writes_over_its_store() {
    let env = Env::with_events();
    for args in [
        &["export", "--output", "audit.db"][..],
        &["export", "--cursor-file", "audit.db"],
    ] {
        let run = env.run(args);
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert!(
            run.stderr.contains("is the store being exported"),
            "{}",
            run.stderr
        );
    }
    assert_eq!(env.all_events().len(), 10);
}

//! `record`: one event from flags, data from text, files and stdin; concurrent appends.

use super::common::Env;

#[test]
fn record_prints_seq_and_id_and_generates_both() {
    let env = Env::new();
    let run = env
        .run(&["record", "--user", "alice", "--action", "login"])
        .ok();
    let (seq, id) = run.stdout.trim().split_once(' ').unwrap();
    assert_eq!(seq, "1");
    assert_eq!(id.len(), 36, "a UUIDv7: {id}");
    let e = &env.all_events()[0];
    assert_eq!(e.id, id);
    assert_eq!(e.action, "LOGIN");
    assert_eq!(
        auditctl::model::format_time(&e.time),
        "2026-11-24T12:00:00.000Z"
    );
    let run = env.run(&["record", "--action", "LOGOUT"]).ok();
    assert!(run.stdout.starts_with("2 "));
    assert_eq!(
        env.all_events()[1].user,
        "tester",
        "the login name by default"
    );
}

#[test]
fn data_from_json_text_files_and_stdin() {
    let env = Env::new();
    let xml = "<policy>\n  <rule allow=\"22\"/>\n</policy>\n";
    let file = env.write("policy.xml", xml);
    env.run(&[
        "record",
        "--user",
        "a",
        "--action",
        "UPDATE",
        "--id",
        "one",
        "--before",
        &format!("@{}", file.display()),
        "--after",
        "{\"x\": [1, 2]}",
        "--meta",
        "account_id=1234",
        "--meta",
        "k=v=w",
    ])
    .ok();
    env.run_with_stdin(
        &[
            "record",
            "--user",
            "a",
            "--action",
            "UPDATE",
            "--id",
            "two",
            "--after",
            "@-",
            "--before",
            "not json {",
        ],
        "{\"from\": \"stdin\"}",
    )
    .ok();
    let events = env.all_events();
    assert_eq!(
        events[0].before,
        Some(serde_json::Value::String(xml.into()))
    );
    assert_eq!(events[0].after, Some(serde_json::json!({"x": [1, 2]})));
    assert_eq!(events[0].meta["account_id"], "1234");
    assert_eq!(events[0].meta["k"], "v=w");
    assert_eq!(events[1].after, Some(serde_json::json!({"from": "stdin"})));
    assert_eq!(events[1].before, Some(serde_json::json!("not json {")));
}

#[test]
fn bad_record_flags() {
    let env = Env::new();
    let cases: [(&[&str], i32, &str); 6] = [
        (&["record", "--user", "a"], 2, "--action"),
        (
            &["record", "--user", "a", "--action", "UP DATE"],
            2,
            "`action` must be one upper-case word",
        ),
        (
            &["record", "--user", "a", "--action", "X", "--ip", "nope"],
            2,
            "`ip` is not an IP address",
        ),
        (
            &["record", "--user", "a", "--action", "X", "--time", "soon"],
            2,
            "invalid time \"soon\"",
        ),
        (
            &[
                "record", "--user", "a", "--action", "X", "--meta", "novalue",
            ],
            2,
            "expected KEY=VALUE",
        ),
        (
            &[
                "record",
                "--user",
                "a",
                "--action",
                "X",
                "--before",
                "@missing.json",
            ],
            1,
            "cannot read missing.json",
        ),
    ];
    for (args, code, msg) in cases {
        let run = env.run(args);
        assert_eq!(run.code, code, "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains(msg), "{args:?}: {}", run.stderr);
    }
    assert!(!env.store().exists(), "nothing was written");
    env.run(&["record", "--user", "a", "--action", "X", "--id", "dup"])
        .ok();
    let run = env.run(&["record", "--user", "a", "--action", "X", "--id", "dup"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("already in the store"));
}

#[test]
fn concurrent_appends_lose_nothing() {
    let env = Env::new();
    let writers: Vec<_> = (0..6)
        .map(|w| {
            let env_cmd = (0..10)
                .map(|i| {
                    env.command(&[
                        "record",
                        "--user",
                        &format!("writer{w}"),
                        "--action",
                        "UPDATE",
                        "--id",
                        &format!("w{w}-{i}"),
                    ])
                })
                .collect::<Vec<_>>();
            std::thread::spawn(move || {
                for mut cmd in env_cmd {
                    let out = cmd.output().unwrap();
                    assert!(
                        out.status.success(),
                        "{}",
                        String::from_utf8_lossy(&out.stderr)
                    );
                }
            })
        })
        .collect();
    for w in writers {
        w.join().unwrap();
    }
    let events = env.all_events();
    assert_eq!(events.len(), 60);
    let seqs: Vec<u64> = events.iter().map(|e| e.seq.unwrap()).collect();
    assert_eq!(seqs, (1..=60).collect::<Vec<_>>(), "no gaps, no repeats");
    let mut ids: Vec<_> = events.iter().map(|e| e.id.clone()).collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 60);
}

#[test]
fn without_user_variables_the_login_name_comes_from_the_system() {
    let env = Env::new();
    let login = std::process::Command::new("id")
        .arg("-un")
        .output()
        .unwrap();
    let login = String::from_utf8(login.stdout).unwrap().trim().to_owned();
    let out = env
        .command(&["record", "--action", "LOGIN"])
        .env_remove("USER")
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(env.all_events()[0].user, login);
}

#[test]
fn json_too_deep_to_read_is_refused_not_kept_as_text() {
    let env = Env::new();
    let deep = format!("{}1{}", "[".repeat(3000), "]".repeat(3000));
    let run = env.run(&[
        "record", "--action", "UPDATE", "--user", "a", "--after", &deep,
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("128 levels"), "{}", run.stderr);
    assert!(!env.store().exists(), "nothing was written");
}

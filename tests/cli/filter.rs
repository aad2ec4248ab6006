//! `filter EXPR`, `list --filter`, JSON Lines read directly (`--store FILE.jsonl`,
//! `filter --input FILE|-`): one language, the same answer everywhere.

use super::common::{Env, fixture};

fn nums(ids: &[String]) -> Vec<u32> {
    ids.iter()
        .map(|id| id.trim_start_matches("evt-").parse().unwrap())
        .collect()
}

/// The fixture ids matching `expr` from the store, from the JSON Lines file as a store, and
/// from the file as a stream; all three must agree.
fn three_ways(env: &Env, expr: &str) -> Vec<u32> {
    let jsonl = fixture("events.jsonl");
    let store = nums(
        &env.run(&["filter", expr, "--all", "-o", "jsonl"])
            .ok()
            .ids(),
    );
    let file_store = nums(
        &env.run(&[
            "--store",
            jsonl.to_str().unwrap(),
            "filter",
            expr,
            "--all",
            "-o",
            "jsonl",
        ])
        .ok()
        .ids(),
    );
    let mut stream = nums(
        &env.run(&["filter", "-e", expr, "--input", jsonl.to_str().unwrap()])
            .ok()
            .ids(),
    );
    stream.reverse();
    assert_eq!(store, file_store, "store vs --store FILE.jsonl for {expr}");
    assert_eq!(store, stream, "store vs --input for {expr}");
    store
}

#[test]
fn expressions_give_the_same_answer_on_every_back_end() {
    let env = Env::with_events();
    let cases: &[(&str, &[u32])] = &[
        ("user = alice and action in [UPDATE, DELETE]", &[7, 4, 1]),
        (
            "user = \"alice\" and action in [update, delete] and time >= -7d",
            &[7],
        ),
        ("table = policies and not (origin = Portal)", &[7, 5]),
        ("ip in 10.0.0.0/8", &[10, 7, 4, 1]),
        ("ip in 2001:db8::/32 or ip = 192.168.1.20", &[9, 6, 3, 2]),
        ("after.settings.enabled = true and changed(plan)", &[1]),
        ("changed(settings.enabled)", &[]),
        ("message ~ \"(?i)FIREWALL\" or search(\"ingress 42\")", &[5]),
        ("meta.account_id = 1234 and has(before)", &[5, 1]),
        ("has(before) and not has(after)", &[4]),
        ("after.events[0] = \"order.created\"", &[2]),
        ("before.seats < 10", &[1]),
        ("message contains \"comma\"", &[9]),
        ("message !~ \"^(Signed|Portal)\" and user_type = null", &[7]),
        ("outcome = failure or user = system", &[8, 6]),
        ("search(\"grüße\")", &[9]),
        (
            "time >= \"2026-11-20T08:00:00+01:00\" and time < today",
            &[9, 8, 7],
        ),
        ("seq >= 9", &[10, 9]),
        ("user = \"x'; DROP TABLE entries; --\"", &[]),
        ("resource_id = 1042", &[6, 1]),
    ];
    for (expr, want) in cases {
        assert_eq!(three_ways(&env, expr), want.to_vec(), "{expr}");
    }
    // The injection attempt above changed nothing.
    assert_eq!(env.all_events().len(), 10);
}

#[test]
fn list_filter_combines_with_quick_flags() {
    let env = Env::with_events();
    let run = env
        .run(&[
            "list",
            "--user",
            "alice",
            "--filter",
            "action = update or action = login",
            "--all",
            "-o",
            "jsonl",
        ])
        .ok();
    assert_eq!(nums(&run.ids()), vec![10, 7, 1]);
    let run = env
        .run(&["list", "--search", "webhook", "--all", "-o", "jsonl"])
        .ok();
    assert_eq!(nums(&run.ids()), vec![4, 2]);
}

#[test]
fn filter_takes_the_output_options_of_list() {
    let env = Env::with_events();
    let run = env
        .run(&[
            "filter",
            "user = alice",
            "--limit",
            "2",
            "--sort",
            "time",
            "-o",
            "csv",
            "--columns",
            "seq,action",
        ])
        .ok();
    assert_eq!(run.stdout, "seq,action\n1,UPDATE\n4,DELETE\n");
    assert_eq!(run.stderr, "showing 2 of 4; --all for every one\n");
}

#[test]
fn syntax_errors_point_at_the_problem() {
    let env = Env::with_events();
    let run = env.run(&["filter", "user = "]);
    assert_eq!(run.code, 2);
    insta::assert_snapshot!(run.snapshot());
    let run = env.run(&["list", "--filter", "usr = alice"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("unknown field `usr` (did you mean `user`?)\n  usr = alice\n  ^"),
        "{}",
        run.stderr
    );
    let run = env.run(&[
        "filter",
        "-e",
        "message ~ \"(\"",
        "--input",
        fixture("events.jsonl").to_str().unwrap(),
    ]);
    assert_eq!(run.code, 2);
}

/// A file read as the store is redacted as the store is: the file's scan tells the output
/// which entries the redactor changes, so it must judge with the output's keys, configured
/// ones included, in file order and sorted.
#[test]
fn a_file_as_the_store_is_redacted_as_the_store_is() {
    let env = Env::new();
    env.write(
        "config/auditctl/config.toml",
        "[redact]\nkeys = [\"pin\"]\n",
    );
    let file = env.write(
        "events.jsonl",
        concat!(
            r#"{"id":"a","time":"2026-11-02T00:00:00Z","user":"u","action":"UPDATE","after":{"pin":"4455998"}}"#,
            "\n",
            r#"{"id":"b","time":"2026-11-01T00:00:00Z","user":"u","action":"UPDATE","meta":{"Card_PIN":"7788"}}"#,
            "\n",
            r#"{"id":"c","time":"2026-11-03T00:00:00Z","user":"u","action":"UPDATE","after":{"password":"hunter2"}}"#,
            "\n",
            r#"{"id":"d","time":"2026-11-04T00:00:00Z","user":"u","action":"UPDATE","after":{"n":1}}"#,
            "\n",
        ),
    );
    let file = file.to_str().unwrap();
    env.run(&["import", file]).ok();
    for sort in [&["--sort", "seq"][..], &["--sort", "time"][..], &[][..]] {
        let mut args = vec!["list", "--all", "-o", "jsonl"];
        args.extend_from_slice(sort);
        let from_store = env.run(&args).ok().stdout;
        let from_file = env
            .run(&[&["--store", file][..], &args[..]].concat())
            .ok()
            .stdout;
        assert_eq!(from_file, from_store, "{sort:?}");
        assert_eq!(from_file.matches("[redacted]").count(), 3, "{sort:?}");
        for secret in ["4455998", "7788", "hunter2"] {
            assert!(!from_file.contains(secret), "{secret} shown, {sort:?}");
        }
    }
}

#[test]
fn stdin_pipelines_copy_matching_lines() {
    let env = Env::new();
    let text = std::fs::read_to_string(fixture("events.jsonl")).unwrap();
    let run = env
        .run_with_stdin(&["filter", "-e", "action = login", "--input", "-"], &text)
        .ok();
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 2);
    // Lines without sensitive data are copied byte for byte.
    assert_eq!(lines[0], text.lines().nth(2).unwrap());
    // A line with a secret is redacted unless --reveal.
    let run = env
        .run_with_stdin(&["filter", "-e", "table = webhooks", "--input", "-"], &text)
        .ok();
    assert!(!run.stdout.contains("s3cr3t-value"));
    let run = env
        .run_with_stdin(
            &[
                "filter",
                "-e",
                "table = webhooks",
                "--input",
                "-",
                "--reveal",
            ],
            &text,
        )
        .ok();
    assert_eq!(run.stdout.matches("s3cr3t-value").count(), 2);
    let run = env
        .run_with_stdin(
            &[
                "filter",
                "-e",
                "user = alice",
                "--input",
                "-",
                "-o",
                "csv",
                "--columns",
                "seq,id",
                "--limit",
                "2",
            ],
            &text,
        )
        .ok();
    assert_eq!(run.stdout, "seq,id\n1,evt-0001\n4,evt-0004\n");
    let run = env.run_with_stdin(
        &["filter", "-e", "user = alice", "--input", "-"],
        "{\"user\":\"alice\"}\n",
    );
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("<stdin>:1: not an auditctl event"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_jsonl_store_answers_reads_and_refuses_writes() {
    let env = Env::new();
    let jsonl = fixture("events.jsonl");
    let store = jsonl.to_str().unwrap();
    let run = env.run(&["--store", store, "show", "evt-0005"]).ok();
    assert!(run.stdout.starts_with("event 5  UPDATE  policies/p-7"));
    let run = env
        .run(&["--store", store, "list", "--limit", "2", "-o", "jsonl"])
        .ok();
    assert_eq!(nums(&run.ids()), vec![10, 9]);
    assert_eq!(run.stderr, "showing 2 of 10; --all for every one\n");
    assert_eq!(env.run(&["--store", store, "show", "404"]).code, 5);
    for args in [
        &["--store", store, "record", "--user", "a", "--action", "X"][..],
        &["--store", store, "import", store][..],
    ] {
        let run = env.run(args);
        assert_eq!(run.code, 1, "{args:?}");
        assert!(
            run.stderr
                .contains("is read-only (a JSON Lines file is read directly and never written)"),
            "{}",
            run.stderr
        );
    }
}

#[test]
fn a_jsonl_store_sorts_like_the_store() {
    let env = Env::with_events();
    let jsonl = fixture("events.jsonl");
    for sort in ["ip", "-ip", "table", "-user"] {
        let store = env
            .run(&["list", "--all", "--sort", sort, "-o", "jsonl"])
            .ok()
            .ids();
        let file = env
            .run(&[
                "--store",
                jsonl.to_str().unwrap(),
                "list",
                "--all",
                "--sort",
                sort,
                "-o",
                "jsonl",
            ])
            .ok()
            .ids();
        assert_eq!(store, file, "--sort {sort}");
    }
}

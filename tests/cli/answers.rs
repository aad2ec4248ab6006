//! Empty and odd answers say so: no match, an empty window, a directory or an empty log as the
//! store, CSV where JSON Lines go, a pager that is not there, an ambiguous id prefix.

use super::common::Env;
use super::pty::Terminal;

#[test]
fn a_query_that_matches_nothing_prints_nothing_and_says_so() {
    let env = Env::with_events();
    let cases: [&[&str]; 5] = [
        &["list", "--user", "nobody"],
        &["filter", "user = \"nobody\""],
        &["list", "--search", "no-such-word", "-o", "jsonl"],
        &["stats", "--by", "user", "--user", "nobody"],
        &["stats", "--by", "day", "--user", "nobody"],
    ];
    for args in cases {
        let run = env.run(args).ok();
        assert_eq!(run.stdout, "", "{args:?}");
        assert_eq!(run.stderr, "no events match\n", "{args:?}");
    }
    // Machine formats stay valid documents: JSON an empty array, CSV its header.
    let json = env.run(&["list", "--user", "nobody", "-o", "json"]).ok();
    assert_eq!(json.stdout.trim(), "[]");
    assert_eq!(json.stderr, "no events match\n");
    // The same for a file read directly.
    let lines = env.run(&["export", "-o", "jsonl"]).ok().stdout;
    env.write("events.jsonl", &lines);
    let run = env
        .run(&["filter", "--input", "events.jsonl", "user = \"nobody\""])
        .ok();
    assert_eq!(
        (run.stdout.as_str(), run.stderr.as_str()),
        ("", "no events match\n")
    );
}

#[test]
fn since_after_until_is_a_usage_error() {
    let env = Env::with_events();
    for args in [
        &["list", "--since", "2026-11-20", "--until", "2026-11-10"][..],
        &["export", "--since", "-1d", "--until", "-2d"],
        &[
            "stats",
            "--by",
            "day",
            "--since",
            "2026-11-20",
            "--until",
            "2026-11-20",
        ],
    ] {
        let run = env.run(args);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(
            run.stderr.contains("--since") && run.stderr.contains("not before"),
            "{}",
            run.stderr
        );
        assert_eq!(run.stdout, "");
    }
}

#[test]
fn odd_stores_are_named_for_what_they_are() {
    let env = Env::new();
    std::fs::create_dir(env.path("logs")).unwrap();
    let run = env.run(&["list", "--store", "logs"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr
            .contains("logs is not an auditctl store (a directory)"),
        "{}",
        run.stderr
    );
    // An empty log, just rotated, holds no events; it is no store to write.
    for name in ["audit.log", "events.jsonl"] {
        env.write(name, "");
        let run = env.run(&["list", "--store", name]).ok();
        assert_eq!(
            (run.stdout.as_str(), run.stderr.as_str()),
            ("", "no events match\n")
        );
        let write = env.run(&["record", "--store", name, "--user", "a", "--action", "X"]);
        assert_eq!(write.code, 1, "{}", write.stderr);
        assert!(write.stderr.contains("read-only"), "{}", write.stderr);
        assert_eq!(
            std::fs::read(env.path(name)).unwrap(),
            b"",
            "nothing written into it"
        );
    }
}

#[test]
fn csv_given_to_filter_input_is_named_csv() {
    let env = Env::with_events();
    env.run(&["export", "-o", "csv", "--output", "events.csv"])
        .ok();
    let run = env.run(&["filter", "--input", "events.csv", "user = \"alice\""]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("events.csv is CSV, not JSON Lines"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("import events.csv"), "{}", run.stderr);
    // Any other line that is no JSON object is named by file and line.
    env.write("notes.txt", "hello\n");
    let run = env.run(&["filter", "--input", "notes.txt", "user = \"alice\""]);
    assert!(
        run.stderr.contains("notes.txt:1: not an auditctl event"),
        "{}",
        run.stderr
    );
}

#[test]
fn an_ambiguous_prefix_says_how_many_more_matched() {
    let env = Env::new();
    for i in 0..12 {
        let id = format!("evt-{i:02}");
        env.run(&["record", "--id", &id, "--user", "a", "--action", "X"])
            .ok();
    }
    let run = env.run(&["show", "evt-"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("\"evt-\" is ambiguous"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("evt-04 (seq 5), and 7 more"),
        "{}",
        run.stderr
    );
    // The same from a JSON Lines file.
    let lines = env.run(&["export", "-o", "jsonl"]).ok().stdout;
    env.write("events.jsonl", &lines);
    let run = env.run(&["show", "--store", "events.jsonl", "evt-"]);
    assert!(run.stderr.contains("and 7 more"), "{}", run.stderr);
}

#[test]
fn an_unknown_pager_falls_back_to_plain_output() {
    let env = Env::with_events();
    let mut term = Terminal::spawn(
        &env,
        &["show", "1"],
        (100, 30),
        &[("PAGER", "no-such-pager")],
    );
    assert_eq!(term.wait(), 0);
    term.wait_for("changes:");
    let all = term.raw();
    assert!(all.contains("pager \"no-such-pager\" not found"), "{all}");
    assert!(
        all.contains("event 1") && all.contains("+++ after"),
        "the output is not lost:\n{all}"
    );
}

#[test]
fn long_output_pages_in_a_real_terminal() {
    let env = Env::with_events();
    // A screen too short for the event: `less` shows the top and waits for the reader.
    let mut term = Terminal::spawn(&env, &["show", "1"], (100, 8), &[]);
    term.wait_for("ip:");
    std::thread::sleep(std::time::Duration::from_millis(300));
    let screen = term.screen();
    assert!(screen.starts_with("event 1"), "the top stays:\n{screen}");
    assert!(term.running(), "the pager waits for the reader");
    term.send("q");
    assert_eq!(term.wait(), 0);
}

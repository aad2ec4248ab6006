//! Trust boundaries: what event data can do to a terminal, what a token of each scope can see
//! and do, what redacted output can become, and extreme input.

use super::common::Env;

/// Characters that must never reach a terminal from event data.
const HIDDEN: [char; 10] = [
    '\u{1b}', '\r', '\u{8}', '\u{7}', '\0', '\u{9b}', '\u{7f}', '\u{202e}', '\u{2066}', '\u{200f}',
];

fn hostile(tag: &str) -> String {
    format!("{tag}\u{1b}[2K\r\u{8}\u{7}\u{9b}31m\u{7f}\u{202e}\u{2066}\u{200f}root")
}

#[track_caller]
fn assert_nothing_hidden(what: &str, text: &str) {
    if let Some(c) = text.chars().find(|c| HIDDEN.contains(c)) {
        panic!("{what}: {c:?} reached the terminal in:\n{text:?}");
    }
}

#[test]
fn event_data_never_drives_the_terminal() {
    let env = Env::new();
    let user = hostile("eve");
    let message = format!("line one\n{}", hostile("msg"));
    let before = serde_json::json!({ hostile("key"): hostile("old"), "plain": 1 }).to_string();
    let after = serde_json::json!({ hostile("key"): hostile("new"), "plain": 2 }).to_string();
    let meta = format!("{}={}", hostile("mk"), hostile("mv"));
    env.run(&[
        "record",
        "--id",
        &hostile("id"),
        "--user",
        &user,
        "--action",
        "UPDATE",
        "--table",
        &hostile("tbl"),
        "--pk",
        &hostile("pk"),
        "-m",
        &message,
        "--meta",
        &meta,
        "--before",
        &before,
        "--after",
        &after,
        "--ip",
        "10.0.0.1",
    ])
    .ok();
    let pk = hostile("pk");
    let tbl = hostile("tbl");
    for args in [
        vec!["list"],
        vec![
            "list",
            "--columns",
            "seq,id,user,table,resource_id,message,meta,before,after",
        ],
        vec!["filter", "action = UPDATE"],
        vec!["show", "1"],
        vec!["diff", "1"],
        vec!["diff", "1", "--stat"],
        vec!["history", &tbl, &pk],
        vec!["stats", "--by", "user"],
        vec!["stats", "--by", "meta"],
        vec!["revert", "1", "--dry-run"],
        vec!["verify"],
    ] {
        let run = env.run(&args);
        assert_nothing_hidden(&format!("{args:?} stdout"), &run.stdout);
        assert_nothing_hidden(&format!("{args:?} stderr"), &run.stderr);
    }
    let shown = env.run(&["show", "1"]).ok();
    assert!(
        shown
            .stdout
            .contains("eve\\e[2K\\r\\b\\a\\u{9b}31m\\u{7f}\\u{202e}"),
        "{}",
        shown.stdout
    );
    // Errors that repeat what was typed or stored are shown the same way.
    for args in [
        vec!["show".to_owned(), hostile("nope")],
        vec![
            "list".to_owned(),
            "--user".to_owned(),
            hostile("u"),
            "--filter".to_owned(),
            hostile("("),
        ],
        vec!["import".to_owned(), hostile("missing")],
    ] {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let run = env.run(&args);
        assert_ne!(run.code, 0);
        assert_nothing_hidden(&format!("{args:?}"), &run.stderr);
    }
    // Machine formats keep the values exactly.
    let json = env.run(&["list", "-o", "jsonl"]).ok();
    let e = &json.events()[0];
    assert_eq!(e.user, user);
    assert_eq!(e.message, message);
    let csv = env.run(&["export", "-o", "csv"]).ok();
    assert!(csv.stdout.contains(&user), "CSV keeps the value");
}

#[test]
fn extreme_input_is_an_error_not_a_panic_or_a_hang() {
    let env = Env::with_events();
    let started = std::time::Instant::now();
    for (args, tz, needle) in [
        (
            vec!["list", "--since", "+262142-12-31 23:59:59"],
            "America/New_York",
            "invalid time",
        ),
        (
            vec!["list", "--since", "+262142-12-31T23:59:59Z"],
            "UTC",
            "",
        ),
        (
            vec!["stats", "--by", "day", "--until", "+262142-12-31"],
            "UTC",
            "",
        ),
        (
            vec!["stats", "--by", "day", "--since", "19999999995m"],
            "UTC",
            "out of range: times run from 0001-01-01 to 9999-12-31",
        ),
        (
            vec!["stats", "--by", "hour", "--since", "1000-01-01"],
            "Europe/Berlin",
            "more than 10,000",
        ),
        (
            vec!["list", "--until", "99999999999999w"],
            "UTC",
            "out of range",
        ),
    ] {
        let mut cmd = env.command(&args);
        cmd.env("TZ", tz);
        let run = super::common::to_run(cmd.output().unwrap());
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
        assert!(run.stderr.contains(needle), "{args:?}: {}", run.stderr);
    }
    let run = env.run(&["stats", "--by", "hour", "--since", "1000-01-01"]);
    assert!(run.stderr.contains("use --by year"), "{}", run.stderr);
    let run = env.run(&["stats", "--by", "hour", "--since", "2000-01-01"]);
    assert!(run.stderr.contains("use --by day"), "{}", run.stderr);
    // A histogram over a long range in a coarser unit is fine.
    env.run(&["stats", "--by", "month", "--since", "2000-01-01"])
        .ok();
    // Redaction keys past the limits name the setting.
    let many: Vec<String> = (0..100_000).map(|i| format!("\"k{i}\"")).collect();
    env.write(
        "config/auditctl/config.toml",
        &format!("[redact]\nkeys = [{}]\n", many.join(", ")),
    );
    let run = env.run(&["list"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("redact.keys holds 100000 keys"),
        "{}",
        run.stderr
    );
    env.write(
        "config/auditctl/config.toml",
        &format!("[redact]\nkeys = [\"{}\"]\n", "x".repeat(20 << 20)),
    );
    let run = env.run(&["list"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("redact.keys has a key of 20971520 bytes"),
        "{}",
        run.stderr
    );
    assert!(
        started.elapsed() < std::time::Duration::from_secs(20),
        "no hang"
    );
}

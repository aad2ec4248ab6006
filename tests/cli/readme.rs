//! The README's examples work on the demo store it tells you to make: each command below is
//! quoted from the README (the test fails when the README stops showing it) and run on a demo
//! store made as the README says.

use super::common::Env;

const README: &str = include_str!("../../README.md");

/// README examples that run on the demo store alone, and what their output must hold.
const EXAMPLES: [(&str, &str); 15] = [
    ("auditctl list --user alice --action UPDATE", "alice"),
    (
        "auditctl list --table policies --since 7d -o json",
        "\"policies\"",
    ),
    (
        "auditctl list --sort user --sort -time --columns seq,time,user,action",
        "SEQ",
    ),
    (
        "auditctl filter 'table = accounts and changed(settings.enabled) and time >= -7d'",
        "accounts",
    ),
    (
        "auditctl filter 'user = \"alice\" and action in [UPDATE, DELETE]' --all -o csv",
        "alice",
    ),
    (
        "auditctl list --user alice --filter 'ip in 10.0.0.0/8 or outcome = failure'",
        "alice",
    ),
    ("auditctl show 1907", "accounts/1056"),
    ("auditctl show 1907 -o json", "\"1056\""),
    ("auditctl diff 1907", "-    \"enabled\": true,"),
    (
        "auditctl diff 1907 --stat",
        "~ settings.enabled: true → false",
    ),
    ("auditctl history accounts 1056", "settings.enabled"),
    (
        "auditctl revert 1907 --dry-run",
        "restores: settings.enabled",
    ),
    ("auditctl stats --by user --since 7d", "alice"),
    (
        "auditctl stats --by day --since -10d --until -5d",
        "DAY (UTC)",
    ),
    ("auditctl verify", "verified 2,000 events"),
];

/// Splits a shell line into words: single and double quotes, nothing else.
fn words(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut quote = None;
    let mut started = false;
    for c in line.chars() {
        match (quote, c) {
            (None, '\'' | '"') => {
                quote = Some(c);
                started = true;
            }
            (Some(q), c) if c == q => quote = None,
            (None, ' ') => {
                if started {
                    out.push(std::mem::take(&mut word));
                    started = false;
                }
            }
            (_, c) => {
                word.push(c);
                started = true;
            }
        }
    }
    if started {
        out.push(word);
    }
    out
}

#[test]
fn the_readme_examples_run_on_the_demo_store() {
    let env = Env::new();
    // As "Try it" makes it (the same seed and size; the events do not depend on the day).
    env.run(&["--store", "demo.db", "demo", "--force"]).ok();
    for (example, expected) in EXAMPLES {
        assert!(
            README.contains(example),
            "the README no longer shows {example}"
        );
        let args = words(example);
        let mut all = vec!["--store".to_owned(), "demo.db".to_owned()];
        all.extend(args.into_iter().skip(1));
        let all: Vec<&str> = all.iter().map(String::as_str).collect();
        let run = env.run(&all);
        assert_eq!(run.code, 0, "{example}: {}", run.stderr);
        assert!(
            run.stdout.contains(expected),
            "{example} shows no {expected:?}:\n{}",
            run.stdout
        );
    }
}

//! `--follow`: events appended by another process show up, and only those that match.

use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use super::common::{Env, fixture};

/// Reads a follower's stdout lines on a thread, so the test can wait with a timeout.
struct Follower {
    child: Child,
    lines: mpsc::Receiver<String>,
}

impl Follower {
    fn start(env: &Env, args: &[&str]) -> Follower {
        Follower::spawn(env.command(args))
    }

    fn spawn(mut command: std::process::Command) -> Follower {
        let mut child = command
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                if tx.send(line.unwrap()).is_err() {
                    break;
                }
            }
        });
        Follower { child, lines }
    }

    #[track_caller]
    fn next(&self) -> String {
        self.lines
            .recv_timeout(Duration::from_secs(10))
            .expect("a line within 10 s")
    }

    fn nothing_more(&self) -> bool {
        self.lines.recv_timeout(Duration::from_millis(600)).is_err()
    }
}

impl Drop for Follower {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn seq_of(line: &str) -> u64 {
    let v: serde_json::Value = serde_json::from_str(line).unwrap();
    v["seq"].as_u64().unwrap()
}

#[test]
fn list_follow_prints_new_matching_events() {
    let env = Env::with_events();
    let f = Follower::start(
        &env,
        &[
            "list", "--follow", "--limit", "2", "--user", "alice", "-o", "jsonl",
        ],
    );
    // The last two of alice's events, oldest first.
    let (a, b) = (seq_of(&f.next()), seq_of(&f.next()));
    assert!(a < b, "{a} {b}");
    assert!(f.nothing_more());
    env.run(&["record", "--user", "bob", "--action", "LOGIN"])
        .ok();
    env.run(&["record", "--user", "alice", "--action", "LOGIN"])
        .ok();
    assert_eq!(seq_of(&f.next()), 12, "bob's event is filtered out");
    env.run(&["record", "--user", "alice", "--action", "LOGOUT"])
        .ok();
    assert_eq!(seq_of(&f.next()), 13);
}

#[test]
fn filter_follow_in_a_table() {
    let env = Env::new();
    env.run(&["record", "--user", "alice", "--action", "LOGIN"])
        .ok();
    let f = Follower::start(&env, &["filter", "--follow", "action = \"UPDATE\""]);
    assert!(f.next().starts_with("SEQ "), "the header comes first");
    assert!(f.nothing_more());
    env.run(&[
        "record",
        "--user",
        "carol",
        "--action",
        "UPDATE",
        "--table",
        "t",
        "--message",
        "hello",
    ])
    .ok();
    let row = f.next();
    assert!(row.starts_with("2 "), "{row}");
    assert!(row.contains("carol") && row.contains("UPDATE"), "{row}");
}

#[test]
fn a_following_table_takes_its_widths_from_the_terminal() {
    use unicode_width::UnicodeWidthStr;
    let env = Env::new();
    // The first row is long in every column; it does not set the widths, the terminal does.
    let long = "x".repeat(200);
    env.run(&[
        "record",
        "--user",
        &long,
        "--action",
        "UPDATE",
        "--table",
        &long,
        "--message",
        &long,
    ])
    .ok();
    let mut command = env.command(&["list", "--follow", "-n", "1"]);
    command.env("COLUMNS", "80");
    let f = Follower::spawn(command);
    let header = f.next();
    let first = f.next();
    assert!(f.nothing_more());
    env.run(&["record", "--user", "bob", "--action", "LOGIN"])
        .ok();
    let rows = [first, f.next()];
    let action = header.find("ACTION").unwrap();
    for line in rows.iter().chain([&header]) {
        assert!(line.width() <= 80, "{} columns: {line}", line.width());
    }
    for row in &rows {
        // Every character here is one column wide, the ellipsis too.
        let at_action: String = row.chars().skip(action).collect();
        assert!(
            at_action.starts_with("UPDATE") || at_action.starts_with("LOGIN"),
            "columns line up with the header:\n{header}\n{row}"
        );
    }
}

#[test]
fn follow_a_growing_json_lines_store() {
    let env = Env::new();
    let file = env.path("audit.jsonl");
    std::fs::copy(fixture("events.jsonl"), &file).unwrap();
    let f = Follower::start(
        &env,
        &[
            "--store",
            file.to_str().unwrap(),
            "list",
            "-f",
            "-n",
            "1",
            "-o",
            "jsonl",
        ],
    );
    assert_eq!(seq_of(&f.next()), 10);
    let line = r#"{"id":"appended","time":"2026-11-24T11:00:00Z","user":"zed","action":"login"}"#;
    let mut text = std::fs::read_to_string(&file).unwrap();
    text.push_str(line);
    text.push('\n');
    std::fs::write(&file, text).unwrap();
    let next = f.next();
    assert_eq!(seq_of(&next), 11);
    assert!(next.contains("\"action\":\"LOGIN\""), "normalised: {next}");
}

#[test]
fn follow_refuses_what_cannot_stream() {
    let env = Env::with_events();
    let json = env.run(&["list", "--follow", "-o", "json"]);
    assert_eq!(json.code, 2);
    assert!(json.stderr.contains("-o jsonl"), "{}", json.stderr);
    assert_eq!(env.run(&["list", "--follow", "--sort", "user"]).code, 2);
    let input = env.run(&["filter", "-f", "-e", "user = \"a\"", "--input", "-"]);
    assert_eq!(input.code, 2);
}

#[test]
fn follow_a_growing_kubernetes_log() {
    let env = Env::new();
    let file = env.path("audit.log");
    let text = std::fs::read_to_string(fixture("k8s-audit.jsonl")).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    std::fs::write(&file, lines[..4].join("\n") + "\n").unwrap();
    let f = Follower::start(
        &env,
        &[
            "--store",
            file.to_str().unwrap(),
            "list",
            "-f",
            "-n",
            "1",
            "--action",
            "update,delete",
            "-o",
            "jsonl",
        ],
    );
    assert_eq!(seq_of(&f.next()), 2, "the patch, the last update so far");
    std::fs::write(&file, lines.join("\n") + "\n").unwrap();
    let role = f.next();
    assert!(role.contains("\"resource_id\":\"viewer\""), "{role}");
    let delete = f.next();
    assert_eq!(seq_of(&delete), 5);
    assert!(delete.contains("\"action\":\"DELETE\""), "{delete}");
    assert!(f.nothing_more(), "the get (a READ) does not match");
}

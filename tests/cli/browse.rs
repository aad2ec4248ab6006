//! `browse` in a real terminal: keys typed into a pseudo-terminal, the screen read back, the
//! store checked afterwards, and the terminal given back as it was however the viewer ends.

use std::time::Duration;

use super::common::{Env, Server, token};
use super::pty::Terminal;

fn demo() -> Env {
    let env = Env::new();
    env.run(&["demo", "--events", "300"]).ok();
    env
}

/// Waits for the viewer to take in what was typed before the next keys.
fn settle() {
    std::thread::sleep(Duration::from_millis(150));
}

#[track_caller]
fn assert_restored(term: &Terminal) {
    // The program has ended; what it wrote last may still be on its way through the pty.
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while term.alternate_screen() && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(!term.alternate_screen(), "the alternate screen is left");
    assert!(!term.cursor_hidden(), "the cursor shows again");
    let raw = term.raw();
    assert!(
        raw.ends_with("\x1b[?1049l") || raw.contains("\x1b[?1049l"),
        "{raw:?}"
    );
    // Mouse reports are turned off again.
    assert!(raw.contains("\x1b[?1000l"), "mouse capture left on");
}

#[test]
fn search_diff_revert_and_quit_in_a_real_terminal() {
    let env = demo();
    let mut term = Terminal::spawn(&env, &["browse"], (180, 30), &[]);
    term.wait_for("1 of 300");
    assert!(term.alternate_screen());
    // Search for the webhook updates, open the newest one's diff.
    term.send("/webhooks");
    settle();
    term.send("\r");
    let screen = term.wait_for("search(\"webhooks\")");
    assert!(screen.contains("webhooks"), "{screen}");
    term.send("fwebhooks");
    settle();
    // A filter is checked as it is typed: `webhooks` alone is no expression.
    let screen = term.wait_for("^");
    assert!(screen.contains("filter: webhooks"), "{screen}");
    term.send("\x15action = UPDATE\r");
    term.wait_for("action = UPDATE");
    term.send("d");
    let screen = term.wait_for("+++ after");
    assert!(screen.contains("--- before"), "{screen}");
    term.send("\x1b");
    settle();
    // Revert it: the plan, a reason, y.
    term.send("r");
    term.wait_for("reason:");
    term.send("bad change\r");
    term.wait_for("y appends the revert");
    term.send("y");
    let screen = term.wait_for("reverted event");
    assert!(screen.contains("reverted by #301"), "{screen}");
    term.send("q");
    assert_eq!(term.wait(), 0);
    assert_restored(&term);
    let shown = env.run(&["show", "301"]).ok().stdout;
    assert!(
        shown.contains("bad change") && shown.contains("reverts:"),
        "{shown}"
    );
    env.run(&["verify"]).ok();
}

#[test]
fn signals_and_ctrl_c_give_the_terminal_back() {
    let env = demo();
    // A signal from outside ends the viewer as it ends other programs: 128 + its number.
    for (signal, code) in [("TERM", 143), ("HUP", 129), ("INT", 130)] {
        let mut term = Terminal::spawn(&env, &["browse"], (100, 20), &[]);
        term.wait_for("of 300");
        term.signal(signal);
        assert_eq!(term.wait(), code, "SIG{signal}");
        assert_restored(&term);
    }
    let mut term = Terminal::spawn(&env, &["browse"], (100, 20), &[]);
    term.wait_for("of 300");
    // Ctrl-Z with no shell to stop for (no job control here): the viewer carries on.
    term.send("\x1a");
    settle();
    term.send("j");
    term.wait_for("2 of 300");
    assert!(term.alternate_screen());
    term.send("\x03");
    assert_eq!(term.wait(), 0);
    assert_restored(&term);
}

#[test]
fn a_small_terminal_gets_a_message_not_garbage() {
    let env = demo();
    let mut term = Terminal::spawn(&env, &["browse"], (30, 6), &[]);
    let screen = term.wait_for("40×8");
    assert!(!screen.contains("SEQ"), "{screen}");
    term.send("q");
    assert_eq!(term.wait(), 0);
}

#[test]
fn hostile_text_never_reaches_the_terminal_raw() {
    let env = Env::new();
    env.run(&[
        "record",
        "--user",
        "mallory\x1b]0;pwned\x07\x1b[2J\u{202e}",
        "--action",
        "UPDATE",
        "--table",
        "t\x1b[31m",
        "--resource-id",
        "r1",
        "--message",
        "line one\nline two\x1b]52;c;ZXZpbA==\x07",
    ])
    .ok();
    let mut term = Terminal::spawn(&env, &["browse"], (120, 20), &[]);
    term.wait_for("1 of 1");
    term.send("\r");
    term.wait_for("message:");
    term.send("q");
    term.send("q");
    assert_eq!(term.wait(), 0);
    let raw = term.raw();
    for bad in ["\x1b]0;pwned", "\x1b[2J", "\u{202e}", "\x1b]52;c;ZXZpbA"] {
        assert!(!raw.contains(bad), "{bad:?} reached the terminal");
    }
}

#[test]
fn without_a_terminal_it_says_to_use_list() {
    let env = demo();
    let run = env.run(&["browse"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("auditctl list"), "{}", run.stderr);
}

#[test]
fn a_view_only_token_browses_but_cannot_revert_and_a_lost_server_is_an_error() {
    let env = demo();
    let viewer = token(&env, "viewer", "view");
    let mut server = Server::start(&env, &["--tokens", "tokens.toml"]);
    let url = server.url.clone();
    // The token in the URL, as a user may give it: used, never shown.
    let with_token = url.replacen("http://", &format!("http://{viewer}@"), 1);
    let mut term = Terminal::spawn(&env, &["--remote", &with_token, "browse"], (120, 30), &[]);
    let screen = term.wait_for("1 of 300");
    assert!(
        !term.raw().contains(&viewer),
        "the token is not shown:\n{screen}"
    );
    assert!(screen.contains("http://***@127.0.0.1"), "{screen}");
    term.send("r");
    let screen = term.wait_for("scope");
    assert!(screen.contains("revert"), "{screen}");
    // Sorting by user is not something the API does: said, not fatal.
    term.send("s");
    let screen = term.wait_for("not available with --remote");
    assert!(
        screen.contains("TIME (UTC)↓"),
        "the order shown is kept:\n{screen}"
    );
    let _ = server.child.kill();
    let _ = server.child.wait();
    term.send("G");
    let screen = term.wait_for("error");
    assert!(term.running(), "{screen}");
    term.send("q");
    assert_eq!(term.wait(), 0);
    assert_restored(&term);
    // Nothing was appended.
    assert_eq!(
        env.run(&["list", "--limit", "1", "-o", "jsonl"])
            .ok()
            .stdout
            .matches("\"seq\":300")
            .count(),
        1
    );
}

#[test]
fn warnings_about_a_log_go_to_the_message_line_not_over_the_screen() {
    let env = Env::new();
    let log = env.path("audit.log");
    std::fs::copy(super::common::fixture("k8s-audit.jsonl"), &log).unwrap();
    let mut term = Terminal::spawn(&env, &["--store", "audit.log", "browse"], (120, 20), &[]);
    term.wait_for(" of ");
    term.send("F");
    term.wait_for("following");
    let bad = r#"{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"x1","stage":"RequestReceived","verb":"get"}"#;
    let mut file = std::fs::OpenOptions::new().append(true).open(&log).unwrap();
    std::io::Write::write_all(&mut file, format!("{bad}\n").as_bytes()).unwrap();
    let screen = term.wait_for("passed over");
    assert!(
        screen.starts_with("SEQ"),
        "the table is where it was:\n{screen}"
    );
    assert!(
        !term.raw().contains("auditctl: warning"),
        "nothing written around the viewer"
    );
    term.send("q");
    assert_eq!(term.wait(), 0);
    assert_restored(&term);
}

#[test]
fn a_malformed_mouse_report_is_ignored() {
    let env = demo();
    let mut term = Terminal::spawn(&env, &["browse"], (100, 20), &[]);
    term.wait_for("1 of 300");
    // Column and row 0 do not exist in the 1-based SGR encoding; pasted text can hold them.
    term.send("\x1b[<0;0;0M\x1b[<0;5;0M\x1b[<64;0;0M");
    settle();
    term.send("j");
    term.wait_for("2 of 300");
    term.send("q");
    assert_eq!(term.wait(), 0);
}

#[test]
fn a_server_that_stops_answering_costs_seconds_not_the_viewer() {
    let env = Env::new();
    // Accepts connections and never answers.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let held = std::thread::spawn(move || {
        let mut open = Vec::new();
        for stream in listener.incoming().take(4) {
            open.push(stream);
        }
        std::thread::sleep(Duration::from_secs(30));
    });
    let started = std::time::Instant::now();
    let mut term = Terminal::spawn(&env, &["--remote", &url, "browse"], (100, 20), &[]);
    let screen = term.wait_for_within("timed out", Duration::from_secs(20));
    assert!(started.elapsed() < Duration::from_secs(20), "{screen}");
    term.send("q");
    assert_eq!(term.wait(), 0);
    assert_restored(&term);
    drop(held);
}

#[test]
fn a_paste_cannot_run_keys_and_arrives_whole() {
    let env = demo();
    let mut term = Terminal::spawn(&env, &["browse"], (120, 20), &[]);
    term.wait_for("1 of 300");
    assert!(term.raw().contains("\x1b[?2004h"), "bracketed paste is on");
    // A paste in the table: no keys run (no filter, no revert plan, no y).
    term.send("\x1b[200~f seq = 5\nr\ny\n\x1b[201~");
    term.wait_for("a paste goes into a prompt");
    // A long paste into the filter prompt arrives whole, on one line.
    let long = format!(
        "user = alice or {}end",
        "resource_id = \"r-00000\" or ".repeat(70)
    );
    term.send("f");
    settle();
    term.send(&format!("\x1b[200~{long}\x1b[201~"));
    term.wait_for("end▏");
    term.send("\x1b");
    settle();
    term.send("q");
    assert_eq!(term.wait(), 0);
    assert_restored(&term);
    assert!(
        term.raw().contains("\x1b[?2004l"),
        "bracketed paste is off again"
    );
    let last = env
        .run(&["list", "--limit", "1", "-o", "jsonl"])
        .ok()
        .stdout;
    assert!(last.contains("\"seq\":300"), "nothing appended: {last}");
}

#[test]
fn following_while_writers_append_shows_every_event_and_harms_nothing() {
    let env = demo();
    let mut term = Terminal::spawn(&env, &["browse"], (120, 20), &[]);
    term.wait_for("1 of 300");
    term.send("F");
    term.wait_for("following");
    // Two writers at once, while the viewer polls the same store.
    let writers: Vec<_> = (0..2)
        .map(|w| {
            let mut cmd = env.command(&["record", "--user", "w", "--action", "LOGIN"]);
            std::thread::spawn(move || {
                for _ in 0..25 {
                    assert!(cmd.output().unwrap().status.success(), "writer {w}");
                }
            })
        })
        .collect();
    for writer in writers {
        writer.join().unwrap();
    }
    term.wait_for("1 of 350");
    term.send("q");
    assert_eq!(term.wait(), 0);
    env.run(&["verify"]).ok();
}

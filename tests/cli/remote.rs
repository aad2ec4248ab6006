//! `serve` and `--remote`: a real server on a free loopback port, answering as the local store
//! does.

use std::io::{BufRead, BufReader};
use std::process::Stdio;

use super::common::{Env, Server, token};

#[test]
fn remote_answers_as_the_local_store() {
    let env = Env::new();
    env.run(&["demo", "--events", "1200"]).ok();
    let full = token(&env, "full", "view,view_sensitive,write");
    let server = Server::start(&env, &["--tokens", "tokens.toml"]);
    let remote = ["--remote", server.url.as_str(), "--token", full.as_str()];
    for command in [
        vec!["list"],
        vec![
            "list", "--user", "alice", "--action", "UPDATE", "--all", "-o", "jsonl",
        ],
        vec![
            "list",
            "-n",
            "7",
            "--offset",
            "3",
            "--ip",
            "10.0.0.0/8",
            "-o",
            "csv",
        ],
        vec![
            "filter",
            "table = policies and changed(settings)",
            "-o",
            "jsonl",
        ],
        vec!["show", "42"],
        vec!["diff", "42"],
        vec!["export", "--since", "2026-11-01", "-o", "csv"],
        vec!["export", "-o", "cef"],
        vec!["stats", "--by", "user,action"],
        vec!["stats", "--by", "day"],
        vec!["history", "accounts", "1042"],
        vec!["history", "policies", "p-12", "-o", "jsonl"],
    ] {
        let local = env.run(&command);
        let mut args: Vec<&str> = remote.to_vec();
        args.extend(&command);
        let over = env.run(&args);
        assert_eq!(local.code, 0, "{command:?}: {}", local.stderr);
        assert_eq!(over.stdout, local.stdout, "{command:?}: {}", over.stderr);
        assert_eq!(over.stderr, local.stderr, "{command:?}");
    }
    let missing = env.run(&[&remote[..], &["show", "99999"]].concat());
    assert_eq!(missing.code, 5, "{}", missing.stderr);
}

#[test]
fn tokens_scopes_and_redaction() {
    let env = Env::new();
    env.run(&[
        "record",
        "--user",
        "a",
        "--action",
        "UPDATE",
        "--after",
        r#"{"password":"hunter2"}"#,
    ])
    .ok();
    let viewer = token(&env, "viewer", "view");
    let server = Server::start(&env, &["--tokens", "tokens.toml"]);
    let no_token = env.run(&["--remote", &server.url, "list"]);
    assert_eq!(no_token.code, 1);
    assert!(
        no_token.stderr.contains("Bearer token is required"),
        "{}",
        no_token.stderr
    );
    let wrong = env.run(&["--remote", &server.url, "--token", "audt_nope", "list"]);
    assert!(wrong.stderr.contains("not known"), "{}", wrong.stderr);
    // A viewer reads redacted data even with --reveal: the server decides.
    let seen = env
        .run(&[
            "--reveal",
            "--remote",
            &server.url,
            "--token",
            &viewer,
            "list",
            "-o",
            "jsonl",
        ])
        .ok();
    assert!(seen.stdout.contains("[redacted]"), "{}", seen.stdout);
    assert!(!seen.stdout.contains("hunter2"));
    let record = env.run(&[
        "--remote",
        &server.url,
        "--token",
        &viewer,
        "record",
        "--user",
        "x",
        "--action",
        "LOGIN",
    ]);
    // Appending needs the write scope.
    assert_eq!(record.code, 1, "{}", record.stderr);
    assert!(
        record.stderr.contains("lacks the scope audit_log:write"),
        "{}",
        record.stderr
    );
    let writer = token(&env, "writer", "write");
    drop(server);
    let server = Server::start(&env, &["--tokens", "tokens.toml"]);
    let added = env
        .run(&[
            "--remote",
            &server.url,
            "--token",
            &writer,
            "record",
            "--user",
            "x",
            "--action",
            "LOGIN",
        ])
        .ok();
    assert!(added.stdout.starts_with("2 "), "{}", added.stdout);
    assert_eq!(env.all_events()[1].user, "x");
    // Import through the API: all or nothing, bad records named by line.
    let remote_args = [
        "--remote",
        server.url.as_str(),
        "--token",
        writer.as_str(),
        "import",
        "-",
    ];
    let bad = env.run_with_stdin(
        &remote_args,
        "{\"user\":\"a\",\"action\":\"x\",\"time\":\"2026-11-01T00:00:00Z\"}\n{\"nope\":1}\n",
    );
    assert_eq!(bad.code, 1);
    assert!(bad.stderr.contains("<stdin>:2: "), "{}", bad.stderr);
    assert_eq!(env.all_events().len(), 2, "nothing imported");
    let good = env
        .run_with_stdin(
            &remote_args,
            "{\"id\":\"i1\",\"user\":\"a\",\"action\":\"x\",\"time\":\"2026-11-01T00:00:00Z\"}\n",
        )
        .ok();
    assert_eq!(
        good.stdout,
        "added 1 event, skipped 0 already in the store\n"
    );
    let again = env
        .run_with_stdin(
            &remote_args,
            "{\"id\":\"i1\",\"user\":\"a\",\"action\":\"x\",\"time\":\"2026-11-01T00:00:00Z\"}\n",
        )
        .ok();
    assert_eq!(
        again.stdout,
        "added 0 events, skipped 1 already in the store\n"
    );
}

#[test]
fn a_server_without_tokens_stays_on_loopback() {
    let env = Env::new();
    env.run(&["record", "--user", "a", "--action", "LOGIN"])
        .ok();
    let run = env.run(&["serve", "--listen", "0.0.0.0:0"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("loopback only"), "{}", run.stderr);
    let server = Server::start(&env, &[]);
    env.run(&["--remote", &server.url, "list"]).ok();
}

#[test]
fn remote_revert_with_etags() {
    let env = super::diff::record_life();
    let full = token(&env, "full", "view,view_sensitive,write,revert");
    let viewer = token(&env, "viewer", "view");
    let server = Server::start(&env, &["--tokens", "tokens.toml"]);
    let remote = ["--remote", server.url.as_str(), "--token", full.as_str()];

    // The same plan as locally (recorded for the token's name, not the login name), then the
    // revert done by the server.
    let local_plan = env.run(&["revert", "2", "--dry-run"]).ok();
    let remote_plan = env
        .run(&[&remote[..], &["revert", "2", "--dry-run"]].concat())
        .ok();
    assert_eq!(
        remote_plan.stdout,
        local_plan.stdout.replace("as tester", "as full")
    );
    let done = env
        .run(
            &[
                &remote[..],
                &["revert", "2", "--yes", "--reason", "remote undo"],
            ]
            .concat(),
        )
        .ok();
    assert!(
        done.stdout
            .ends_with("reverted event 2: appended event 8 (UPDATE policies/42)\n"),
        "{}",
        done.stdout
    );
    let e = env.all_events().pop().unwrap();
    assert_eq!(
        (e.reverts.as_deref(), e.message.as_str(), e.user.as_str()),
        (Some("p-disable"), "remote undo", "full")
    );
    assert_eq!(
        e.meta["recorded_by"], "full",
        "the log says which token did it"
    );
    let again = env.run(&[&remote[..], &["revert", "2", "--yes"]].concat());
    assert_eq!(again.code, 4, "{}", again.stderr);

    // The raw protocol: 428 without If-Match, 412 with a stale ETag, 403 without the scope.
    let client = reqwest::blocking::Client::new();
    let url = format!("{}/v1/events/p-rename/revert", server.url);
    let plan = client.get(&url).bearer_auth(&full).send().unwrap();
    let etag = plan.headers()["etag"].to_str().unwrap().to_owned();
    let body: serde_json::Value = plan.json().unwrap();
    assert_eq!(body["operation"], "update");
    assert_eq!(body["set"][0]["path"], "name");
    let post = |tag: Option<&str>, token: &str| {
        let mut r = client
            .post(&url)
            .bearer_auth(token)
            .json(&serde_json::json!({}));
        if let Some(t) = tag {
            r = r.header("If-Match", t);
        }
        r.send().unwrap()
    };
    assert_eq!(post(None, &full).status(), 428);
    assert_eq!(post(Some(&etag), &viewer).status(), 403);
    env.run(&[
        "record",
        "--user",
        "z",
        "--action",
        "UPDATE",
        "--table",
        "policies",
        "--resource-id",
        "42",
        "--before",
        "{}",
        "--after",
        r#"{"x":1}"#,
    ])
    .ok();
    let stale = post(Some(&etag), &full);
    assert_eq!(stale.status(), 412);
    let problem: serde_json::Value = stale.json().unwrap();
    assert_eq!(problem["code"], "precondition-failed");
}

#[test]
fn two_remote_reverts_race_and_one_wins() {
    let env = super::diff::record_life();
    let full = token(&env, "full", "view,view_sensitive,write,revert");
    let server = Server::start(&env, &["--tokens", "tokens.toml"]);
    let spawn = || {
        env.command(&[
            "--remote",
            &server.url,
            "--token",
            &full,
            "revert",
            "3",
            "--yes",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
    };
    let (a, b) = (spawn(), spawn());
    let mut codes: Vec<i32> = [a, b]
        .into_iter()
        .map(|c| c.wait_with_output().unwrap().status.code().unwrap())
        .collect();
    codes.sort();
    assert_eq!(codes, vec![0, 4]);
    let reverts = env
        .all_events()
        .into_iter()
        .filter(|e| e.reverts.is_some())
        .count();
    assert_eq!(reverts, 1);
}

/// Reverts are decided in the writer's transaction beside the appends waiting with them: of
/// many reverts of one event sent at once with the same ETag, one is appended and every other
/// is refused, even when they share a transaction, and the appends around them all land.
#[test]
fn reverts_sent_at_once_with_appends_append_one() {
    let env = super::diff::record_life();
    let full = token(&env, "full", "view,view_sensitive,write,revert");
    let server = Server::start(&env, &["--tokens", "tokens.toml"]);
    let before = env.all_events().len();
    let client = reqwest::blocking::Client::new();
    let url = format!("{}/v1/events/3/revert", server.url);
    let plan = client.get(&url).bearer_auth(&full).send().unwrap();
    assert_eq!(plan.status(), 200);
    let etag = plan.headers()["etag"].to_str().unwrap().to_owned();
    let statuses: Vec<u16> = std::thread::scope(|scope| {
        let reverts: Vec<_> = (0..8)
            .map(|_| {
                scope.spawn(|| {
                    client
                        .post(&url)
                        .bearer_auth(&full)
                        .header("If-Match", &etag)
                        .json(&serde_json::json!({}))
                        .send()
                        .unwrap()
                        .status()
                        .as_u16()
                })
            })
            .collect();
        let appends: Vec<_> = (0..8)
            .map(|n| {
                let (client, full, base) = (&client, &full, &server.url);
                scope.spawn(move || {
                    let event = serde_json::json!({
                        "user": "bob", "action": "LOGIN", "time": "2026-11-30T10:00:00Z",
                        "id": format!("login-{n}"),
                    });
                    client
                        .post(format!("{base}/v1/events"))
                        .bearer_auth(full)
                        .json(&serde_json::json!([event]))
                        .send()
                        .unwrap()
                        .status()
                        .as_u16()
                })
            })
            .collect();
        let mut statuses: Vec<u16> = reverts.into_iter().map(|t| t.join().unwrap()).collect();
        for t in appends {
            assert_eq!(t.join().unwrap(), 201, "every append lands");
        }
        statuses.sort();
        statuses
    });
    assert_eq!(statuses, [vec![201], vec![412; 7]].concat());
    let events = env.all_events();
    assert_eq!(events.len(), before + 8 + 1);
    assert_eq!(events.iter().filter(|e| e.reverts.is_some()).count(), 1);
    env.run(&["verify"]).ok();
}

/// An `Idempotency-Key` stands for one revert while it runs too: retries sent before the first
/// attempt is answered get its answer, not a 412; the key sent with other events is 422 for
/// all but one. A body that is not a JSON object is no request.
#[test]
fn idempotency_keys_hold_while_the_revert_runs() {
    let env = super::diff::record_life();
    let full = token(&env, "full", "view,view_sensitive,write,revert");
    let server = Server::start(&env, &["--tokens", "tokens.toml"]);
    let client = reqwest::blocking::Client::new();
    let url = |id: &str| format!("{}/v1/events/{id}/revert", server.url);
    let etag = |id: &str| {
        let plan = client.get(url(id)).bearer_auth(&full).send().unwrap();
        assert_eq!(plan.status(), 200, "{id}");
        plan.headers()["etag"].to_str().unwrap().to_owned()
    };
    let post = |id: &str, tag: &str, key: &str, body: &str| {
        let r = client
            .post(url(id))
            .bearer_auth(&full)
            .header("If-Match", tag)
            .header("Idempotency-Key", key)
            .header("Content-Type", "application/json")
            .body(body.to_owned())
            .send()
            .unwrap();
        let location = r
            .headers()
            .get("location")
            .map(|l| l.to_str().unwrap().to_owned());
        (r.status().as_u16(), location)
    };
    let tag = etag("p-rename");
    let answers: Vec<(u16, Option<String>)> = std::thread::scope(|scope| {
        let retries: Vec<_> = (0..10)
            .map(|_| scope.spawn(|| post("p-rename", &tag, "k1", r#"{"reason":"undo"}"#)))
            .collect();
        retries.into_iter().map(|t| t.join().unwrap()).collect()
    });
    assert!(
        answers.iter().all(|a| a.0 == 201 && a.1 == answers[0].1),
        "{answers:?}"
    );
    let (edit, hook) = (etag("doc-edit"), etag("hook-delete"));
    let mut codes: Vec<u16> = std::thread::scope(|scope| {
        let a = scope.spawn(|| post("doc-edit", &edit, "k2", "{}").0);
        let b = scope.spawn(|| post("hook-delete", &hook, "k2", "{}").0);
        vec![a.join().unwrap(), b.join().unwrap()]
    });
    codes.sort();
    assert_eq!(codes, [201, 422]);
    assert_eq!(
        env.all_events()
            .iter()
            .filter(|e| e.reverts.is_some())
            .count(),
        2,
        "one revert for k1, one for k2"
    );
    let edit = etag("doc-edit");
    for body in ["[]", r#"["why", true]"#, "null", r#""x""#] {
        assert_eq!(post("doc-edit", &edit, body, body).0, 400, "{body}");
    }
}

/// A streamed export reads the store a page at a time, a page bounded in bytes as well as in
/// events (large events made gigabyte pages): every event still comes, once, in seq order.
#[test]
fn streamed_exports_of_large_events_come_whole() {
    let env = Env::new();
    import_large_events(&env, 40);
    let viewer = token(&env, "viewer", "view");
    let server = Server::start(&env, &["--tokens", "tokens.toml"]);
    let body = reqwest::blocking::Client::new()
        .get(format!("{}/v1/events", server.url))
        .bearer_auth(&viewer)
        .header("Accept", "application/x-ndjson")
        .send()
        .unwrap()
        .text()
        .unwrap();
    let seqs: Vec<u64> = body
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["seq"]
                .as_u64()
                .unwrap()
        })
        .collect();
    assert_eq!(seqs, (1..=40).collect::<Vec<u64>>());
}

/// Imports `n` events of 300 KB each.
fn import_large_events(env: &Env, n: usize) {
    let big = "x".repeat(300_000);
    let lines: Vec<String> = (0..n)
        .map(|n| {
            serde_json::json!({
                "id": format!("e{n}"), "time": "2026-11-20T10:00:00Z", "user": "u",
                "action": "UPDATE", "message": format!("{n} {big}"),
            })
            .to_string()
        })
        .collect();
    std::fs::write(env.path("big.jsonl"), lines.join("\n")).unwrap();
    env.run(&["import", "big.jsonl"]).ok();
}

/// Clients that ask for an export and stop reading hold a stream each; at most 16 run, the
/// next waits its turn (before, each held a thread and a page of events, without bound), and
/// gets it when a stalled client goes. Appends are not held up meanwhile.
#[test]
fn stalled_exports_are_bounded_and_the_next_waits() {
    use std::io::Write;
    let env = Env::new();
    import_large_events(&env, 80);
    let all = token(&env, "all", "view,write");
    let server = Server::start(&env, &["--tokens", "tokens.toml"]);
    let address = server.url.trim_start_matches("http://").to_owned();
    let request = format!(
        "GET /v1/events HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {all}\r\n\
         Accept: application/x-ndjson\r\n\r\n"
    );
    let stalled: Vec<std::net::TcpStream> = (0..16)
        .map(|_| {
            let mut s = std::net::TcpStream::connect(&address).unwrap();
            s.write_all(request.as_bytes()).unwrap();
            s
        })
        .collect();
    std::thread::sleep(std::time::Duration::from_secs(1));
    let export = |timeout: u64| {
        reqwest::blocking::Client::builder()
            .timeout(std::time::Duration::from_secs(timeout))
            .build()
            .unwrap()
            .get(format!("{}/v1/events", server.url))
            .bearer_auth(&all)
            .header("Accept", "application/x-ndjson")
            .send()
            .and_then(|r| r.text())
    };
    assert!(
        export(2).is_err(),
        "a 17th export waits while 16 are stalled"
    );
    let append = reqwest::blocking::Client::new()
        .post(format!("{}/v1/events", server.url))
        .bearer_auth(&all)
        .json(
            &serde_json::json!([{"user": "u", "action": "LOGIN", "time": "2026-11-20T11:00:00Z"}]),
        )
        .send()
        .unwrap();
    assert_eq!(append.status(), 201, "appends go on");
    drop(stalled);
    let body = export(60).expect("a turn is free once the stalled clients are gone");
    assert_eq!(body.lines().count(), 81);
}

#[test]
fn a_server_that_rewrote_its_history_is_caught() {
    let env = Env::new();
    env.run(&["demo", "--events", "50"]).ok();
    env.run(&["checkpoint"]).ok();
    let reader = token(&env, "reader", "view");
    let blind = token(&env, "blind", "write");
    let address;
    {
        let server = Server::start(&env, &["--tokens", "tokens.toml"]);
        address = server.url.trim_start_matches("http://").to_owned();
        env.run(&["--remote", &server.url, "--token", &blind, "list"]);
        env.run(&["--remote", &server.url, "--token", &reader, "list"])
            .ok();
        // The log grows honestly: the client follows it.
        env.run(&["record", "--user", "a", "--action", "LOGIN"])
            .ok();
        env.run(&["checkpoint"]).ok();
        env.run(&["--remote", &server.url, "--token", &reader, "list"])
            .ok();
    }
    // Behind the client's back, the store is replaced by another history of more events.
    std::fs::remove_file(env.store()).unwrap();
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(env.path(&format!("audit.db{suffix}")));
    }
    env.run(&["demo", "--events", "80", "--seed", "9"]).ok();
    env.run(&["checkpoint"]).ok();
    // The same server, as far as the client can tell: the same URL.
    let server = Server::start_on(&env, &address, &["--tokens", "tokens.toml"]);
    let run = env.run(&["--remote", &server.url, "--token", &reader, "list"]);
    assert_eq!(run.code, 3, "{}", run.stderr);
    // The new log has no checkpoint at the kept size, so the server cannot even prove it to a
    // token that may not see every value; either way nothing is read.
    assert!(
        run.stderr.contains("no longer extends the checkpoint")
            || run.stderr.contains("gave no consistency proof"),
        "{}",
        run.stderr
    );
}

#[test]
fn verified_reads_fail_closed() {
    let env = Env::new();
    env.run(&["demo", "--events", "50"]).ok();
    env.run(&["checkpoint"]).ok();
    let reader = token(&env, "reader", "view");
    let blind = token(&env, "blind", "write");
    let address;
    {
        let server = Server::start(&env, &["--tokens", "tokens.toml"]);
        address = server.url.trim_start_matches("http://").to_owned();
        env.run(&["--remote", &server.url, "--token", &blind, "list"]);
        env.run(&["--remote", &server.url, "--token", &reader, "list"])
            .ok();
    }
    // The store is replaced by one without checkpoints: the server now answers 404.
    std::fs::remove_file(env.store()).unwrap();
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(env.path(&format!("audit.db{suffix}")));
    }
    env.run(&["demo", "--events", "60", "--seed", "9"]).ok();
    let server = Server::start_on(&env, &address, &["--tokens", "tokens.toml"]);
    for args in [&["list"][..], &["verify"], &["checkpoint"], &["show", "1"]] {
        let mut all = vec!["--remote", server.url.as_str(), "--token", reader.as_str()];
        all.extend_from_slice(args);
        let run = env.run(&all);
        assert_eq!(run.code, 3, "{args:?}: {}", run.stderr);
        assert!(
            run.stderr
                .contains("answered 404 Not Found for its checkpoint")
                && run.stderr.contains("verified its log"),
            "{}",
            run.stderr
        );
        assert!(run.stdout.is_empty(), "nothing read: {}", run.stdout);
    }
    // A token that may not read the checkpoint cannot check it either.
    env.run(&["checkpoint"]).ok();
    let run = env.run(&["--remote", &server.url, "--token", &blind, "list"]);
    assert_eq!(run.code, 3, "{}", run.stderr);
    // A token the server does not know is told so (exit 1), and reads nothing.
    let run = env.run(&["--remote", &server.url, "--token", "audt_unknown", "list"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("not known"), "{}", run.stderr);
    assert!(run.stdout.is_empty());
}

#[test]
fn a_checkpoint_that_cannot_be_kept_is_an_error() {
    let env = Env::new();
    env.run(&["demo", "--events", "20"]).ok();
    env.run(&["checkpoint"]).ok();
    let server = Server::start(&env, &[]);
    // The state folder is a file: nothing can be kept there.
    env.write("state", "not a folder");
    let mut cmd = env.command(&["--remote", &server.url, "list"]);
    cmd.env("XDG_STATE_HOME", env.path("state"));
    let run = super::common::to_run(cmd.output().unwrap());
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("cannot keep") && run.stderr.contains("verified checkpoint"),
        "{}",
        run.stderr
    );
}

#[test]
fn cursors_hold_across_appends_and_restarts() {
    let env = Env::new();
    env.run(&["demo", "--events", "30"]).ok();
    let server = Server::start(&env, &[]);
    let client = reqwest::blocking::Client::new();
    let base = server.url.clone();
    let page = |cursor: Option<&str>| -> serde_json::Value {
        let mut url = format!(
            "{base}/v1/events?order=asc&limit=7&user=alice,bob,carol,dave,erin,system,Portal,ci-deploy-token,x"
        );
        if let Some(c) = cursor {
            url.push_str(&format!("&cursor={c}"));
        }
        client.get(url).send().unwrap().json().unwrap()
    };
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    for round in 0..8 {
        let body = page(cursor.as_deref());
        for e in body["events"].as_array().unwrap() {
            seen.push(e["seq"].as_u64().unwrap());
        }
        // Events keep arriving while the client pages.
        if round < 3 {
            env.run(&["record", "--user", "x", "--action", "LOGIN"])
                .ok();
        }
        cursor = body["next_cursor"].as_str().map(str::to_owned);
        assert!(cursor.is_some(), "polling (asc, no until) never runs out");
    }
    assert_eq!(
        seen,
        (1..=33).collect::<Vec<u64>>(),
        "none lost, none repeated"
    );

    // The cursor is stateless: a restarted server takes it.
    let address = server.url.trim_start_matches("http://").to_owned();
    drop(server);
    let again = Server::start_on(&env, &address, &[]);
    env.run(&["record", "--user", "x", "--action", "LOGIN"])
        .ok();
    let url = format!(
        "{}/v1/events?order=asc&limit=7&user=alice,bob,carol,dave,erin,system,Portal,ci-deploy-token,x&cursor={}",
        again.url,
        cursor.unwrap()
    );
    let body: serde_json::Value = client.get(url).send().unwrap().json().unwrap();
    assert_eq!(body["events"][0]["seq"], 34);

    // A cursor is bound to its filters, and garbage is refused.
    for bad in ["garbage", page(None)["next_cursor"].as_str().unwrap()] {
        let r = client
            .get(format!("{}/v1/events?user=alice&cursor={bad}", again.url))
            .send()
            .unwrap();
        assert_eq!(r.status(), 400);
        let problem: serde_json::Value = r.json().unwrap();
        assert_eq!(problem["code"], "invalid-cursor");
    }
}

#[test]
fn rate_limits_answer_429_and_the_client_waits_and_retries() {
    let env = Env::new();
    env.run(&["demo", "--events", "20"]).ok();
    let reader = token(&env, "reader", "view");
    let server = Server::start(&env, &["--tokens", "tokens.toml", "--rate", "1"]);
    // Two requests at once are allowed; a `list` makes more, so some wait for Retry-After.
    let started = std::time::Instant::now();
    let run = env
        .run(&[
            "--remote",
            &server.url,
            "--token",
            &reader,
            "list",
            "-n",
            "3",
        ])
        .ok();
    assert_eq!(run.stdout.lines().count(), 4, "{}", run.stdout);
    let run = env
        .run(&[
            "--remote",
            &server.url,
            "--token",
            &reader,
            "list",
            "-n",
            "3",
        ])
        .ok();
    assert_eq!(run.stdout.lines().count(), 4);
    assert!(started.elapsed() >= std::time::Duration::from_secs(1));
    let log = server.log.lock().unwrap().join("\n");
    assert!(log.contains(" 429 "), "{log}");
    assert!(log.contains(" reader"), "the log names the token: {log}");
    assert!(!log.contains("audt_"), "and never shows it: {log}");
}

#[test]
fn checkpoint_and_verify_through_the_api() {
    let env = Env::new();
    env.run(&["demo", "--events", "40"]).ok();
    env.run(&["checkpoint", "--new-key", "k"]).ok();
    let kept = env.run(&["checkpoint", "--key", "k"]).ok().stdout;
    std::fs::write(env.path("kept.txt"), &kept).unwrap();
    env.run(&["record", "--user", "a", "--action", "LOGIN"])
        .ok();
    let latest = env.run(&["checkpoint", "--key", "k"]).ok().stdout;
    let reader = token(&env, "reader", "view");
    let server = Server::start(&env, &["--tokens", "tokens.toml"]);
    let remote = ["--remote", server.url.as_str(), "--token", reader.as_str()];
    let cp = env.run(&[&remote[..], &["checkpoint"]].concat()).ok();
    assert_eq!(cp.stdout, latest);
    let ok = env
        .run(
            &[
                &remote[..],
                &["verify", "--checkpoint", "kept.txt", "--pub", "k.pub"],
            ]
            .concat(),
        )
        .ok();
    assert!(ok.stdout.contains("of 41 events"), "{}", ok.stdout);
    // An inclusion proof commits to the whole event: a token that may not see every value
    // gets none.
    let refused = env.run(&[&remote[..], &["prove", "17"]].concat());
    assert_eq!(refused.code, 1, "{}", refused.stderr);
    assert!(
        refused.stderr.contains("view_sensitive"),
        "{}",
        refused.stderr
    );
    // The same inclusion proof as made where the store is, checkable offline.
    let auditor = token(&env, "auditor", "view,view_sensitive");
    drop(server);
    let server = Server::start(&env, &["--tokens", "tokens.toml"]);
    let remote = ["--remote", server.url.as_str(), "--token", auditor.as_str()];
    let local = env.run(&["prove", "17"]).ok();
    let proof = env.run(&[&remote[..], &["prove", "17"]].concat()).ok();
    assert_eq!(proof.stdout, local.stdout);
    std::fs::write(env.path("proof.json"), &proof.stdout).unwrap();
    env.run(&["verify", "--proof", "proof.json", "--pub", "k.pub"])
        .ok();
    // A checkpoint of another history is not extended by the server's log.
    env.write("other.txt", &kept.replacen("\n40\n", "\n39\n", 1));
    let bad = env.run(&[&remote[..], &["verify", "--checkpoint", "other.txt"]].concat());
    assert_eq!(bad.code, 3, "{}", bad.stderr);
}

#[test]
fn follow_through_the_api() {
    let env = Env::new();
    env.run(&["record", "--user", "a", "--action", "LOGIN"])
        .ok();
    let server = Server::start(&env, &[]);
    let mut child = env
        .command(&["--remote", &server.url, "list", "--follow", "-o", "jsonl"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    assert!(lines.next().unwrap().unwrap().starts_with("{\"seq\":1,"));
    env.run(&["record", "--user", "b", "--action", "LOGOUT"])
        .ok();
    let next = lines.next().unwrap().unwrap();
    assert!(next.starts_with("{\"seq\":2,"), "{next}");
    let _ = child.kill();
    let _ = child.wait();
}

#[test]
fn unreachable_servers_and_tls_failures_are_named() {
    let env = Env::new();
    env.run(&["record", "--user", "a", "--action", "LOGIN"])
        .ok();
    // Nothing listens on port 1.
    let run = env.run(&["--remote", "http://127.0.0.1:1", "list"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("cannot reach http://127.0.0.1:1"),
        "{}",
        run.stderr
    );
    // TLS to a server that speaks plain HTTP fails the handshake.
    let server = Server::start(&env, &[]);
    let https = server.url.replacen("http://", "https://", 1);
    let run = env.run(&["--remote", &https, "list"]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains(&format!("cannot reach {https}")),
        "{}",
        run.stderr
    );
    let bad = env.run(&["--remote", "ftp://example.org", "list"]);
    assert_eq!(bad.code, 2);
}

/// Writes that find the store locked by another process are answered 503 with Retry-After once
/// the busy timeout (30 s) has passed, all of them: not tried again one by one, each waiting as
/// long again (3 writes took 61 s and 100 s). The store takes writes once the lock is gone.
#[test]
fn writes_held_by_another_writer_are_answered_busy_after_the_timeout() {
    let env = Env::with_events();
    let writer = token(&env, "writer", "write");
    let server = Server::start(&env, &["--tokens", "tokens.toml"]);
    let post = |id: String| {
        let started = std::time::Instant::now();
        let r = reqwest::blocking::Client::builder()
            .timeout(std::time::Duration::from_secs(120))
            .build()
            .unwrap()
            .post(format!("{}/v1/events", server.url))
            .bearer_auth(&writer)
            .json(&serde_json::json!({
                "id": id, "time": "2026-11-20T10:00:00Z", "user": "w", "action": "LOGIN"
            }))
            .send()
            .unwrap();
        let retry = r.headers().contains_key("retry-after");
        (r.status().as_u16(), retry, started.elapsed())
    };
    let holder = rusqlite::Connection::open(env.store()).unwrap();
    holder.execute_batch("BEGIN IMMEDIATE").unwrap();
    let answers: Vec<_> = std::thread::scope(|s| {
        let posts: Vec<_> = (0..3)
            .map(|i| {
                let post = &post;
                s.spawn(move || {
                    std::thread::sleep(std::time::Duration::from_millis(300 * i));
                    post(format!("busy-{i}"))
                })
            })
            .collect();
        posts.into_iter().map(|p| p.join().unwrap()).collect()
    });
    for (status, retry, took) in answers {
        assert_eq!((status, retry), (503, true), "after {took:?}");
        assert!(took < std::time::Duration::from_secs(40), "{took:?}");
    }
    holder.execute_batch("ROLLBACK").unwrap();
    assert_eq!(post("after".to_owned()).0, 201);
}

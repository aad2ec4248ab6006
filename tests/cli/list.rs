//! `list`: every quick filter, sorting, paging, columns and formats, checked against the
//! fixture events.

use super::common::{Env, fixture};

fn ids(env: &Env, args: &[&str]) -> Vec<String> {
    let mut full = vec!["list", "--all", "-o", "jsonl"];
    full.extend_from_slice(args);
    env.run(&full).ok().ids()
}

fn nums(ids: &[String]) -> Vec<u32> {
    ids.iter()
        .map(|id| id.trim_start_matches("evt-").parse().unwrap())
        .collect()
}

#[test]
fn newest_first_by_default() {
    let env = Env::with_events();
    assert_eq!(nums(&ids(&env, &[])), vec![10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
}

#[test]
fn each_quick_filter_selects_the_expected_events() {
    let env = Env::with_events();
    let cases: &[(&[&str], &[u32])] = &[
        (&["--user", "alice"], &[10, 7, 4, 1]),
        (&["--user", "alice,bob"], &[10, 9, 7, 4, 2, 1]),
        (&["--user", "alice", "--user", "carol"], &[10, 7, 5, 4, 1]),
        (&["--action", "update"], &[7, 5, 1]),
        (&["--action", "UPDATE,delete"], &[7, 5, 4, 1]),
        (&["--user", "alice", "--action", "UPDATE"], &[7, 1]),
        (&["--table", "webhooks"], &[4, 2]),
        (&["--resource-id", "1042"], &[6, 1]),
        (&["--pk", "p-7"], &[7, 5]),
        (&["--service", "Billing"], &[6, 1]),
        (&["--origin", "Control Panel"], &[10, 7, 5, 4, 1]),
        (&["--outcome", "failure"], &[6]),
        (&["--ip", "10.0.0.0/8"], &[10, 7, 4, 1]),
        (&["--ip", "10.0.0.5"], &[10, 4, 1]),
        (&["--ip", "2001:db8::/32"], &[6, 3]),
        (&["--ip", "2001:db8::42"], &[6]),
        (&["--ip", "192.168.0.0/16,2001:db8::1"], &[9, 3, 2]),
        (&["--since", "2026-11-20"], &[10, 9, 8, 7]),
        (&["--until", "2026-11-03"], &[2, 1]),
        (
            &["--since", "2026-11-02", "--until", "2026-11-05T16:45:00Z"],
            &[3, 2],
        ),
        (&["--since", "2d"], &[10, 9]),
        (&["--since", "3d"], &[10, 9, 8]),
        (&["--since", "-1w"], &[10, 9, 8, 7]),
        (&["--since", "today"], &[10]),
        (&["--since", "yesterday", "--until", "today"], &[9]),
        (&["--since", "2026-11-20 07:00"], &[10, 9, 8, 7]),
        (&["--since", "2026-11-20 07:00:01"], &[10, 9, 8]),
        (&["--where", "meta.account_id=1234"], &[9, 6, 5, 3, 1]),
        (
            &["--where", "meta.account_id=99", "--action", "DELETE"],
            &[4],
        ),
        (&["--where", "user_type=portal"], &[3]),
        (&["--where", "after.settings.enabled=true"], &[1]),
        (&["--where", "operation=editPolicy"], &[5]),
        (&["--user", "nobody"], &[]),
    ];
    for (args, want) in cases {
        assert_eq!(nums(&ids(&env, args)), want.to_vec(), "list {args:?}");
    }
}

#[test]
fn sorting_reverse_offset_and_limit() {
    let env = Env::with_events();
    assert_eq!(
        nums(&ids(&env, &["--reverse"])),
        (1..=10).collect::<Vec<_>>()
    );
    assert_eq!(
        nums(&ids(
            &env,
            &[
                "--sort",
                "user",
                "--sort",
                "-time",
                "--action",
                "UPDATE,LOGIN"
            ]
        )),
        vec![3, 10, 7, 1, 5]
    );
    assert_eq!(
        nums(&ids(&env, &["--sort", "-user", "--user", "alice,bob"])),
        vec![9, 2, 10, 7, 4, 1]
    );
    let run = env
        .run(&["list", "-o", "jsonl", "--limit", "3", "--offset", "2"])
        .ok();
    assert_eq!(nums(&run.ids()), vec![8, 7, 6]);
    assert_eq!(run.stderr, "showing 3 of 10; --all for every one\n");
    let run = env
        .run(&["list", "-o", "jsonl", "--limit", "3", "--offset", "7"])
        .ok();
    assert_eq!(nums(&run.ids()), vec![3, 2, 1]);
    assert_eq!(run.stderr, "", "no note when nothing was cut");
    let run = env.run(&["list", "--sort", "colour"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("cannot sort by \"colour\""),
        "{}",
        run.stderr
    );
}

#[test]
fn default_limit_is_fifty_with_a_note() {
    let env = Env::new();
    env.run(&["demo", "--events", "120", "--end", "2026-11-24T00:00:00Z"])
        .ok();
    let run = env.run(&["list", "-o", "jsonl"]).ok();
    assert_eq!(run.events().len(), 50);
    assert_eq!(run.stderr, "showing 50 of 120; --all for every one\n");
    assert_eq!(
        env.run(&["list", "--all", "-o", "jsonl"])
            .ok()
            .events()
            .len(),
        120
    );
}

#[test]
fn table_output() {
    let env = Env::with_events();
    insta::assert_snapshot!(env.run(&["list"]).snapshot());
    insta::assert_snapshot!(
        "table_columns_utc",
        env.run(&[
            "list",
            "--columns",
            "seq,time,user,outcome,changes",
            "--limit",
            "4"
        ])
        .snapshot()
    );
}

#[test]
fn table_times_follow_tz_unless_utc() {
    let env = Env::with_events();
    let mut cmd = env.command(&["list", "--columns", "time", "--limit", "1"]);
    cmd.env("TZ", "Europe/Berlin");
    let run = super::common::to_run(cmd.output().unwrap());
    if std::path::Path::new("/usr/share/zoneinfo/Europe/Berlin").exists() {
        assert!(run.stdout.contains("2026-11-24 09:00:00"), "{}", run.stdout);
    }
    let mut cmd = env.command(&["list", "--columns", "time", "--limit", "1", "--utc"]);
    cmd.env("TZ", "Europe/Berlin");
    let run = super::common::to_run(cmd.output().unwrap());
    assert!(run.stdout.contains("2026-11-24 08:00:00"), "{}", run.stdout);
}

#[test]
fn json_and_csv_output() {
    let env = Env::with_events();
    insta::assert_snapshot!(
        "json_two_events",
        env.run(&["list", "-o", "json", "--limit", "2", "--pk", "p-7"])
            .snapshot()
    );
    insta::assert_snapshot!(
        "csv_all_columns",
        env.run(&["list", "-o", "csv", "--all", "--reverse"])
            .snapshot()
    );
    let run = env
        .run(&[
            "list",
            "-o",
            "json",
            "--columns",
            "seq,user,after",
            "--pk",
            "wh-1",
        ])
        .ok();
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        v,
        serde_json::json!([
            {"seq": 4, "user": "alice", "after": null},
            {"seq": 2, "user": "bob", "after": {"url": "https://hooks.example.org/1", "events": ["order.created"], "secret": "[redacted]", "enabled": true}}
        ])
    );
    let run = env.run(&["list", "-o", "json", "--user", "nobody"]).ok();
    assert_eq!(run.stdout, "[]\n");
    let run = env.run(&["list", "--columns", "seq,colour"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("unknown column \"colour\""));
}

#[test]
fn json_times_are_utc_and_seq_is_included() {
    let env = Env::with_events();
    let run = env
        .run(&["list", "-o", "jsonl", "--pk", "p-7", "--user", "alice"])
        .ok();
    let v: serde_json::Value = serde_json::from_str(run.stdout.trim()).unwrap();
    assert_eq!(v["time"], "2026-11-20T07:00:00.000Z");
    assert_eq!(v["seq"], 7);
    assert_eq!(v["action"], "UPDATE");
}

#[test]
fn colour_is_decided_by_flag_and_environment() {
    let env = Env::with_events();
    let plain = env.run(&["list", "--limit", "2"]).ok();
    assert!(!plain.stdout.contains('\x1b'));
    let coloured = env.run(&["list", "--limit", "2", "--color", "always"]).ok();
    assert!(coloured.stdout.contains("\x1b["), "{}", coloured.stdout);
    let never = env.run(&["list", "--limit", "2", "--color", "never"]).ok();
    assert!(!never.stdout.contains('\x1b'));
}

#[test]
fn redaction_unless_reveal() {
    let env = Env::with_events();
    let hidden = env.run(&["list", "-o", "jsonl", "--pk", "wh-1"]).ok();
    assert!(!hidden.stdout.contains("s3cr3t-value"));
    assert!(hidden.stdout.contains("[redacted]"));
    let shown = env
        .run(&["list", "-o", "jsonl", "--pk", "wh-1", "--reveal"])
        .ok();
    assert!(shown.stdout.contains("s3cr3t-value"));
    // Configured keys are sensitive too.
    env.write(
        "config/auditctl/config.toml",
        "[redact]\nkeys = [\"url\"]\n",
    );
    let hidden = env.run(&["list", "-o", "jsonl", "--pk", "wh-1"]).ok();
    assert!(!hidden.stdout.contains("hooks.example.org"));
}

#[test]
fn bad_filters_exit_2_and_name_the_problem() {
    let env = Env::with_events();
    let run = env.run(&["list", "--since", "last tuesday"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .starts_with("auditctl: error: invalid time \"last tuesday\""),
        "{}",
        run.stderr
    );
    let run = env.run(&["list", "--where", "usr=alice"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("unknown field `usr` (did you mean `user`?)"),
        "{}",
        run.stderr
    );
    let run = env.run(&["list", "--where", "user"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("expected FIELD=VALUE"));
    let run = env.run(&["list", "--ip", "10.0.0.999"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr
            .contains("invalid IP address or CIDR \"10.0.0.999\"")
    );
    let run = env.run(&["list", "--limit", "many"]);
    assert_eq!(run.code, 2);
}

#[test]
fn closed_pipe_ends_quietly() {
    use std::io::Read;
    use std::process::Stdio;
    let env = Env::new();
    env.run(&["demo", "--events", "3000"]).ok();
    let mut child = env
        .command(&["list", "--all", "-o", "jsonl"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 100];
    child
        .stdout
        .as_mut()
        .unwrap()
        .read_exact(&mut first)
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
}

#[test]
fn store_from_env_and_profile() {
    let env = Env::new();
    let other = env.path("other.db");
    env.run(&[
        "--store",
        other.to_str().unwrap(),
        "import",
        fixture("events.jsonl").to_str().unwrap(),
    ])
    .ok();
    let mut cmd = env.command(&["list", "-o", "jsonl", "--all"]);
    cmd.env("AUDITCTL_STORE", &other);
    assert_eq!(super::common::to_run(cmd.output().unwrap()).ids().len(), 10);
    env.write(
        "config/auditctl/config.toml",
        &format!(
            "default_profile = \"main\"\n[profiles.main]\nstore = {:?}\n[profiles.empty]\nstore = \"nothing.db\"\n",
            other.to_str().unwrap()
        ),
    );
    assert_eq!(
        env.run(&["list", "-o", "jsonl", "--all"]).ok().ids().len(),
        10
    );
    let run = env.run(&["--profile", "empty", "list"]);
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("no store at nothing.db"));
    let run = env.run(&["--profile", "nope", "list"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("no profile named \"nope\""));
    assert!(run.stderr.contains("hint: profiles: empty, main"));
}

#[test]
fn json_columns_keep_the_order_asked_for() {
    let env = Env::with_events();
    let run = env
        .run(&[
            "list",
            "--columns",
            "user,seq,action",
            "-o",
            "jsonl",
            "-n",
            "1",
        ])
        .ok();
    assert!(run.stdout.starts_with("{\"user\":"), "{}", run.stdout);
    assert!(
        run.stdout.contains(",\"seq\":10,\"action\":"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_local_time_clocks_pass_twice_is_the_earlier() {
    let env = Env::new();
    // Berlin's clocks go back at 03:00 on 2026-10-25: 02:30 is 00:30Z, and again 01:30Z.
    for time in [
        "2026-10-25T00:20:00Z",
        "2026-10-25T00:40:00Z",
        "2026-10-25T01:40:00Z",
    ] {
        env.run(&["record", "--user", "u", "--action", "LOGIN", "--time", time])
            .ok();
    }
    let mut cmd = env.command(&["list", "--since", "2026-10-25 02:30", "-o", "jsonl"]);
    cmd.env("TZ", "Europe/Berlin");
    let run = super::common::to_run(cmd.output().unwrap());
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout.lines().count(),
        2,
        "from 00:30Z on:\n{}",
        run.stdout
    );
}

//! `stats`: counts per group and per time bucket, across a daylight saving change.

use serde_json::{Value, json};

use super::common::Env;
use super::diff::record_life;

#[test]
fn counts_per_group_largest_first() {
    let env = record_life();
    let run = env.run(&["stats", "--by", "user"]).ok();
    assert_eq!(
        run.stdout,
        "USER   COUNT\n\
         alice      3  ████████████████████████████████████████████████████████████\n\
         carol      2  ████████████████████████████████████████\n\
         bob        1  ████████████████████\n\
         dave       1  ████████████████████\n"
    );
    let json: Value = serde_json::from_str(
        &env.run(&["stats", "--by", "table,action", "-o", "json"])
            .ok()
            .stdout,
    )
    .unwrap();
    assert_eq!(
        json,
        json!([
            {"table": "policies", "action": "UPDATE", "count": 3},
            {"table": null, "action": "LOGIN", "count": 1},
            {"table": "documents", "action": "UPDATE", "count": 1},
            {"table": "policies", "action": "CREATE", "count": 1},
            {"table": "webhooks", "action": "DELETE", "count": 1},
        ])
    );
    let top = env
        .run(&["stats", "--by", "action", "--top", "2", "-o", "csv"])
        .ok();
    assert_eq!(top.stdout, "action,count\nUPDATE,4\nCREATE,1\n");
    let filtered = env
        .run(&["stats", "--by", "user", "--table", "policies", "-o", "csv"])
        .ok();
    assert_eq!(filtered.stdout, "user,count\nalice,2\nbob,1\ncarol,1\n");
}

#[test]
fn group_by_data_paths_and_meta() {
    let env = Env::with_events();
    let run = env
        .run(&["stats", "--by", "meta.account_id", "-o", "jsonl"])
        .ok();
    let rows: Vec<Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let total: u64 = rows.iter().map(|r| r["count"].as_u64().unwrap()).sum();
    assert_eq!(total, 10, "every event in one group: {rows:?}");
    // The JSON store gives the same groups as the SQLite store.
    let file = super::common::fixture("events.jsonl");
    let scanned = env
        .run(&[
            "--store",
            file.to_str().unwrap(),
            "stats",
            "--by",
            "meta.account_id",
            "-o",
            "jsonl",
        ])
        .ok();
    assert_eq!(scanned.stdout, run.stdout);
}

#[test]
fn bad_groupings_are_usage_errors() {
    let env = record_life();
    let run = env.run(&["stats", "--by", "usr"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("did you mean `user`"), "{}", run.stderr);
    assert_eq!(env.run(&["stats", "--by", "day,user"]).code, 2);
    assert_eq!(env.run(&["stats", "--by", "day", "--top", "3"]).code, 2);
    assert_eq!(env.run(&["stats"]).code, 2);
}

#[test]
fn days_include_empty_buckets_in_the_range() {
    let env = record_life();
    let run = env
        .run(&[
            "stats",
            "--by",
            "day",
            "--since",
            "2026-11-18",
            "--until",
            "2026-11-22",
            "-o",
            "csv",
        ])
        .ok();
    assert_eq!(
        run.stdout,
        "day,start,count\n\
         2026-11-18,2026-11-18T00:00:00.000Z,0\n\
         2026-11-19,2026-11-19T00:00:00.000Z,0\n\
         2026-11-20,2026-11-20T00:00:00.000Z,7\n\
         2026-11-21,2026-11-21T00:00:00.000Z,0\n"
    );
    let table = env.run(&["stats", "--by", "week"]).ok();
    assert_eq!(
        table.stdout.lines().count(),
        2,
        "one ISO week: {}",
        table.stdout
    );
    assert!(
        table.stdout.contains("2026-11-16"),
        "weeks start on Monday: {}",
        table.stdout
    );
}

#[test]
fn buckets_across_a_daylight_saving_change() {
    let env = Env::new();
    // Central European time falls back from 03:00 CEST to 02:00 CET on 2026-10-25.
    for t in [
        "2026-10-24T21:30:00Z", // 23:30 CEST, Saturday
        "2026-10-25T00:30:00Z", // 02:30 CEST, the first 02:00 hour
        "2026-10-25T01:30:00Z", // 02:30 CET, the second one
        "2026-10-25T22:30:00Z", // 23:30 CET, Sunday
        "2026-10-25T23:30:00Z", // 00:30 CET, Monday
    ] {
        env.command(&["record", "--user", "u", "--action", "X"])
            .env("AUDITCTL_NOW", t)
            .output()
            .unwrap();
    }
    // The named zone where the time-zone database is installed (CI installs it), and the
    // same rules written out as a POSIX TZ string, which needs no database.
    let mut zones = vec!["CET-1CEST,M3.5.0,M10.5.0/3"];
    if std::path::Path::new("/usr/share/zoneinfo/Europe/Berlin").exists() {
        zones.push("Europe/Berlin");
    }
    for zone in zones {
        let days = env
            .command(&["stats", "--by", "day", "-o", "csv"])
            .env("TZ", zone)
            .output()
            .unwrap();
        assert_eq!(
            String::from_utf8(days.stdout).unwrap(),
            "day,start,count\n\
             2026-10-24,2026-10-23T22:00:00.000Z,1\n\
             2026-10-25,2026-10-24T22:00:00.000Z,3\n\
             2026-10-26,2026-10-25T23:00:00.000Z,1\n",
            "the 25-hour Sunday holds both 02:30s"
        );
        let hours = env
            .command(&[
                "stats",
                "--by",
                "hour",
                "-o",
                "csv",
                "--until",
                "2026-10-25T03:00:00Z",
            ])
            .env("TZ", zone)
            .output()
            .unwrap();
        assert_eq!(
            String::from_utf8(hours.stdout).unwrap(),
            "hour,start,count\n\
             2026-10-24 23:00,2026-10-24T21:00:00.000Z,1\n\
             2026-10-25 00:00,2026-10-24T22:00:00.000Z,0\n\
             2026-10-25 01:00,2026-10-24T23:00:00.000Z,0\n\
             2026-10-25 02:00 +02:00,2026-10-25T00:00:00.000Z,1\n\
             2026-10-25 02:00 +01:00,2026-10-25T01:00:00.000Z,1\n\
             2026-10-25 03:00,2026-10-25T02:00:00.000Z,0\n"
        );
    }
}

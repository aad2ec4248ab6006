//! Tables fit the terminal: every line of `list`, `filter`, `history` and `stats` fits
//! `COLUMNS`, columns give way by priority, named columns stay, the time says its zone and
//! failed events are marked.

use unicode_width::UnicodeWidthStr;

use super::common::{Env, Run, to_run};

/// The demo store, as the README makes it.
fn demo() -> Env {
    let env = Env::new();
    env.run(&["demo", "--events", "600", "--end", "2026-11-24T00:00:00Z"])
        .ok();
    env
}

fn at(env: &Env, columns: &str, tz: &str, args: &[&str]) -> Run {
    to_run(
        env.command(args)
            .env("COLUMNS", columns)
            .env("TZ", tz)
            .output()
            .unwrap(),
    )
    .ok()
}

#[track_caller]
fn assert_fits(out: &str, width: usize, what: &str) {
    assert!(!out.is_empty(), "{what} printed nothing");
    for line in out.lines() {
        assert!(
            line.width() <= width,
            "{what}: {} columns: {line}",
            line.width()
        );
    }
}

#[test]
fn every_table_fits_80_columns() {
    let env = demo();
    let commands: [&[&str]; 8] = [
        &["list"],
        &["list", "--all"],
        &["filter", "action = \"UPDATE\" or outcome = \"failure\""],
        &["history", "policies", "p-12"],
        &["stats", "--by", "user"],
        &["stats", "--by", "user,action,table"],
        &["stats", "--by", "day"],
        &["list", "--search", "ingress"],
    ];
    for width in ["80", "100", "132"] {
        for args in commands {
            let out = at(&env, width, "Europe/Berlin", args);
            assert_fits(&out.stdout, width.parse().unwrap(), &args.join(" "));
        }
    }
    // Long values give way too.
    let long = "u".repeat(300);
    env.run(&[
        "record", "--user", &long, "--action", &long, "--table", &long,
    ])
    .ok();
    for args in [&["list"][..], &["stats", "--by", "user,action"]] {
        assert_fits(&at(&env, "80", "UTC", args).stdout, 80, &args.join(" "));
    }
}

#[test]
fn columns_give_way_by_priority() {
    let env = demo();
    let header = |width: &str| {
        let out = at(&env, width, "UTC", &["list", "-n", "5"]).stdout;
        out.lines().next().unwrap().to_owned()
    };
    // Wide: everything, whole times.
    let wide = header("200");
    for name in [
        "SEQ",
        "TIME (UTC)",
        "USER",
        "IP",
        "ACTION",
        "TABLE",
        "RESOURCE_ID",
        "MESSAGE",
        "CHANGES",
    ] {
        assert!(wide.contains(name), "{wide}");
    }
    // The message goes first; the rest stays whole at 100.
    let hundred = header("100");
    assert!(
        !hundred.contains("MESSAGE") && hundred.contains("IP"),
        "{hundred}"
    );
    // At 80 the least useful columns have gone, who/what/when stay.
    let eighty = header("80");
    for name in ["SEQ", "TIME", "USER", "ACTION", "TABLE", "RESOURCE_ID"] {
        assert!(eighty.contains(name), "{eighty}");
    }
    assert!(!eighty.contains("CHANGES"), "{eighty}");
    // Named columns are all kept, shorter forms first.
    let named = at(
        &env,
        "80",
        "UTC",
        &[
            "list",
            "-n",
            "5",
            "--columns",
            "seq,time,user,ip,action,message",
        ],
    )
    .stdout;
    let first = named.lines().next().unwrap();
    for name in ["SEQ", "TIME", "USER", "IP", "ACTION", "MESSAGE"] {
        assert!(first.contains(name), "{named}");
    }
    assert_fits(&named, 80, "named columns");
}

#[test]
fn the_time_says_its_zone() {
    let env = Env::new();
    for (time, user) in [
        ("2026-07-01T12:00:00Z", "summer"),
        ("2026-11-20T12:00:00Z", "winter"),
    ] {
        env.run(&[
            "record", "--user", user, "--action", "LOGIN", "--time", time,
        ])
        .ok();
    }
    let utc = at(&env, "200", "UTC", &["list"]).stdout;
    assert!(utc.starts_with("SEQ  TIME (UTC) "), "{utc}");
    assert!(utc.contains("2026-11-20 12:00:00  winter"), "{utc}");
    // Berlin: the header names the offset of the newest row; a summer row says its own.
    let berlin = at(&env, "200", "Europe/Berlin", &["list"]).stdout;
    assert!(berlin.starts_with("SEQ  TIME (+01:00) "), "{berlin}");
    assert!(berlin.contains("2026-11-20 13:00:00 "), "{berlin}");
    assert!(berlin.contains("2026-07-01 14:00:00 +02:00"), "{berlin}");
    // --utc wins over the zone.
    let forced = at(&env, "200", "Europe/Berlin", &["list", "--utc"]).stdout;
    assert!(forced.starts_with("SEQ  TIME (UTC) "), "{forced}");
    // One event and a diff say the zone too.
    let show = at(&env, "200", "Asia/Kolkata", &["show", "2"]).stdout;
    assert!(show.contains("2026-11-20 17:30:00 +05:30"), "{show}");
    // Buckets of stats are in the zone, and say which (that of the first, in July).
    let stats = at(&env, "200", "America/New_York", &["stats", "--by", "month"]).stdout;
    assert!(stats.starts_with("MONTH (-04:00)"), "{stats}");
}

#[test]
fn failed_events_are_marked_in_the_default_table() {
    let env = Env::new();
    env.run(&[
        "record",
        "--user",
        "mallory",
        "--action",
        "LOGIN",
        "--outcome",
        "failure",
    ])
    .ok();
    env.run(&["record", "--user", "alice", "--action", "LOGIN"])
        .ok();
    let out = at(&env, "80", "UTC", &["list"]).stdout;
    let mallory = out.lines().find(|l| l.contains("mallory")).unwrap();
    let alice = out.lines().find(|l| l.contains("alice")).unwrap();
    assert!(mallory.contains("LOGIN ✗"), "{out}");
    assert!(!alice.contains('✗'), "{out}");
}

//! Store safety with real processes on one store file: `serve` with HTTP writers and a reader,
//! CLI readers and writers, and an import, all at once; then the same killed (SIGKILL) at
//! random moments. Afterwards nothing acknowledged is missing, `PRAGMA integrity_check` is ok
//! and `verify` passes.
//!
//! `AUDITCTL_STRESS_SECS=120 cargo test --test cli stress -- --nocapture` runs them longer and
//! prints the throughput (BENCHMARKS.md).

use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use rand::Rng;

use super::common::{Env, Server};

/// How long each test runs: AUDITCTL_STRESS_SECS, else a bound that keeps CI short.
fn duration(default_secs: u64) -> Duration {
    let secs = std::env::var("AUDITCTL_STRESS_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default_secs);
    Duration::from_secs(secs)
}

/// What the workers saw: acknowledged ids, and every answer that must not happen.
#[derive(Default)]
struct Ledger {
    acked: Mutex<Vec<String>>,
    /// HTTP statuses by code.
    statuses: Mutex<BTreeMap<u16, u64>>,
    /// Answers that break the contract (a 500, a failed reader), with what they said.
    faults: Mutex<Vec<String>>,
    http_appends: AtomicU64,
    cli_appends: AtomicU64,
}

impl Ledger {
    fn ack(&self, id: String) {
        self.acked.lock().unwrap().push(id);
    }

    fn fault(&self, what: String) {
        self.faults.lock().unwrap().push(what);
    }

    fn status(&self, code: u16) {
        *self.statuses.lock().unwrap().entry(code).or_default() += 1;
    }
}

fn event_json(id: &str, user: &str) -> String {
    format!(
        r#"{{"id":"{id}","time":"2026-11-20T10:00:00Z","user":"{user}","action":"UPDATE","table":"policies","resource_id":"p-{}","before":{{"enabled":false}},"after":{{"enabled":true}}}}"#,
        id.len()
    )
}

fn client() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(120))
        .build()
        .unwrap()
}

/// POSTs one event at a time until `stop`; a 201 acknowledges it. With `dying`, the server may
/// be killed at any moment, so failures to connect are expected and not faults.
fn http_writer(url: &str, name: &str, ledger: &Ledger, stop: &AtomicBool, dying: bool) {
    let client = client();
    let mut n = 0;
    while !stop.load(Ordering::Relaxed) {
        n += 1;
        let id = format!("{name}-{n}");
        let sent = client
            .post(format!("{url}/v1/events"))
            .header("content-type", "application/json")
            .body(event_json(&id, name))
            .send();
        match sent {
            Ok(r) => {
                let code = r.status().as_u16();
                ledger.status(code);
                if code == 201 {
                    ledger.http_appends.fetch_add(1, Ordering::Relaxed);
                    ledger.ack(id);
                } else if code != 503 && !(dying && code == 0) {
                    ledger.fault(format!(
                        "POST {id}: {code} {}",
                        r.text().unwrap_or_default()
                    ));
                }
            }
            Err(e) if !dying => ledger.fault(format!("POST {id}: {e}")),
            Err(_) => std::thread::sleep(Duration::from_millis(20)),
        }
    }
}

/// Reads pages, one event, and stats until `stop`; anything but 200 (or 503) is a fault.
fn http_reader(url: &str, ledger: &Ledger, stop: &AtomicBool) {
    let client = client();
    let paths = [
        "/v1/events?limit=20",
        "/v1/events?limit=5&user=http-a&order=asc",
        "/v1/events/1",
        "/v1/stats?by=user",
        "/v1",
    ];
    let mut i = 0;
    while !stop.load(Ordering::Relaxed) {
        let path = paths[i % paths.len()];
        i += 1;
        match client.get(format!("{url}{path}")).send() {
            Ok(r) => {
                let code = r.status().as_u16();
                ledger.status(code);
                if code != 200 && code != 503 {
                    ledger.fault(format!(
                        "GET {path}: {code} {}",
                        r.text().unwrap_or_default()
                    ));
                }
            }
            Err(e) => ledger.fault(format!("GET {path}: {e}")),
        }
    }
}

/// Runs `child` to its end, or kills it (SIGKILL) as soon as `kill` is set; the exit code, or
/// None when it was killed.
fn run_or_kill(mut child: Child, kill: &AtomicBool) -> Option<(i32, String)> {
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let mut err = String::new();
            if let Some(mut e) = child.stderr.take() {
                std::io::Read::read_to_string(&mut e, &mut err).ok();
            }
            return Some((status.code().unwrap_or(-1), err));
        }
        if kill.load(Ordering::Relaxed) {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
}

/// `record` processes one after another until `stop`; exit 0 acknowledges the event.
fn cli_writer(env: &Env, name: &str, ledger: &Ledger, stop: &AtomicBool, kill: &AtomicBool) {
    let mut n = 0;
    while !stop.load(Ordering::Relaxed) {
        n += 1;
        let id = format!("{name}-{n}");
        let child = env
            .command(&[
                "record",
                "--id",
                &id,
                "--user",
                name,
                "--action",
                "UPDATE",
                "--table",
                "policies",
                "--pk",
                "p-7",
                "--after",
                r#"{"enabled":true}"#,
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        match run_or_kill(child, kill) {
            Some((0, _)) => {
                ledger.cli_appends.fetch_add(1, Ordering::Relaxed);
                ledger.ack(id);
            }
            Some((code, err)) => ledger.fault(format!("record {id}: exit {code}: {err}")),
            None => {}
        }
    }
}

/// `list` processes one after another until `stop`; each must succeed.
fn cli_reader(env: &Env, ledger: &Ledger, stop: &AtomicBool, kill: &AtomicBool) {
    let mut i = 0;
    while !stop.load(Ordering::Relaxed) {
        i += 1;
        let args: &[&str] = if i % 2 == 0 {
            &["list", "--limit", "1"]
        } else {
            &["list", "--user", "http-a", "--limit", "5", "-o", "jsonl"]
        };
        let child = env
            .command(args)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        if let Some((code, err)) = run_or_kill(child, kill)
            && code != 0
        {
            ledger.fault(format!("list: exit {code}: {err}"));
        }
    }
}

/// Writes `n` events with ids `PREFIX-1 ..= PREFIX-n` as JSON Lines.
fn import_file(env: &Env, prefix: &str, n: usize) -> std::path::PathBuf {
    let mut text = String::with_capacity(n * 200);
    for i in 1..=n {
        text.push_str(&event_json(&format!("{prefix}-{i}"), "importer"));
        text.push('\n');
    }
    env.write(&format!("{prefix}.jsonl"), &text)
}

/// The ids the store holds, read by SQLite itself after checking the file.
fn check_store(store: &Path) -> HashSet<String> {
    let conn = rusqlite::Connection::open(store).unwrap();
    let check: Vec<String> = conn
        .prepare("PRAGMA integrity_check")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(check, ["ok"], "PRAGMA integrity_check");
    let ids: Vec<String> = conn
        .prepare("SELECT id FROM entries")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    let n = ids.len();
    let ids: HashSet<String> = ids.into_iter().collect();
    assert_eq!(ids.len(), n, "every event is stored once");
    ids
}

fn assert_acked_stored(ledger: &Ledger, stored: &HashSet<String>) {
    let acked = ledger.acked.lock().unwrap();
    let missing: Vec<&String> = acked.iter().filter(|id| !stored.contains(*id)).collect();
    assert!(
        missing.is_empty(),
        "{} of {} acknowledged events are missing, e.g. {:?}",
        missing.len(),
        acked.len(),
        &missing[..missing.len().min(5)]
    );
}

#[test]
fn concurrent_processes_lose_nothing_and_corrupt_nothing() {
    let run_for = duration(12);
    let env = Env::new();
    env.run(&["demo", "--events", "300"]).ok();
    let server = Server::start(&env, &["--rate", "1000000"]);
    let ledger = Ledger::default();
    let stop = AtomicBool::new(false);
    let never = AtomicBool::new(false);
    let started = Instant::now();
    let file = import_file(&env, "imported", 30_000);
    let imported = std::thread::scope(|s| {
        for name in ["http-a", "http-b"] {
            let (url, ledger, stop) = (&server.url, &ledger, &stop);
            s.spawn(move || http_writer(url, name, ledger, stop, false));
        }
        s.spawn(|| http_reader(&server.url, &ledger, &stop));
        s.spawn(|| cli_writer(&env, "cli", &ledger, &stop, &never));
        s.spawn(|| cli_reader(&env, &ledger, &stop, &never));
        // The import starts once the others are under way, and runs beside them.
        std::thread::sleep(run_for / 4);
        let run = env.run(&["import", file.to_str().unwrap()]);
        std::thread::sleep(run_for.saturating_sub(started.elapsed()));
        stop.store(true, Ordering::Relaxed);
        run
    });
    let secs = started.elapsed().as_secs_f64();
    drop(server);
    let faults = ledger.faults.lock().unwrap().clone();
    assert!(
        faults.is_empty(),
        "{} faults, first: {:#?}",
        faults.len(),
        &faults[..faults.len().min(5)]
    );
    assert_eq!(imported.code, 0, "import: {}", imported.stderr);
    let stored = check_store(&env.store());
    assert_acked_stored(&ledger, &stored);
    for i in 1..=30_000 {
        assert!(stored.contains(&format!("imported-{i}")), "imported-{i}");
    }
    let http = ledger.http_appends.load(Ordering::Relaxed);
    let cli = ledger.cli_appends.load(Ordering::Relaxed);
    eprintln!(
        "{secs:.1} s: {http} HTTP appends ({:.0}/s), {cli} record processes ({:.0}/s), \
         30,000 imported; statuses {:?}",
        http as f64 / secs,
        cli as f64 / secs,
        ledger.statuses.lock().unwrap()
    );
    assert!(http > 0 && cli > 0, "both kinds of writer got through");
    let verified = env.run(&["verify"]);
    assert_eq!(verified.code, 0, "verify: {}", verified.stderr);
}

/// One round of the crash test: the server with an HTTP writer, `record` processes and an
/// import of 5,000 events under way, all killed at once at a random moment. Returns how the
/// import ended (None: killed).
fn crash_round(env: &Env, ledger: &Ledger, prefix: &str) -> Option<(i32, String)> {
    let mut server = Server::start(env, &["--rate", "1000000"]);
    let url = server.url.as_str();
    let (stop, kill) = (&AtomicBool::new(false), &AtomicBool::new(false));
    let file = import_file(env, prefix, 5_000);
    let cli_name = format!("{prefix}-cli");
    let mut rng = rand::thread_rng();
    let (import_after, kill_after) = (rng.gen_range(0..300), rng.gen_range(50..700));
    std::thread::scope(|s| {
        s.spawn(|| http_writer(url, "http", ledger, stop, true));
        s.spawn(|| cli_writer(env, &cli_name, ledger, stop, kill));
        let import = s.spawn(|| {
            std::thread::sleep(Duration::from_millis(import_after));
            let child = env
                .command(&["import", file.to_str().unwrap()])
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            run_or_kill(child, kill)
        });
        std::thread::sleep(Duration::from_millis(kill_after));
        // Everything at once: the server, the running `record`, the import if still going.
        let _ = server.child.kill();
        let _ = server.child.wait();
        kill.store(true, Ordering::Relaxed);
        stop.store(true, Ordering::Relaxed);
        import.join().unwrap()
    })
}

#[test]
fn processes_killed_at_random_moments_lose_nothing_acknowledged() {
    let run_for = duration(12);
    let env = Env::new();
    env.run(&["demo", "--events", "200"]).ok();
    let ledger = Ledger::default();
    let started = Instant::now();
    let mut imports = Vec::new();
    while imports.len() < 3 || started.elapsed() < run_for {
        let prefix = format!("crash{}", imports.len() + 1);
        let import = crash_round(&env, &ledger, &prefix);
        imports.push((prefix.clone(), import));
        let stored = check_store(&env.store());
        assert_acked_stored(&ledger, &stored);
        for (prefix, import) in &imports {
            let present = (1..=5_000)
                .filter(|i| stored.contains(&format!("{prefix}-{i}")))
                .count();
            match import {
                Some((0, _)) => assert_eq!(present, 5_000, "{prefix}: acknowledged import"),
                Some((code, err)) => panic!("{prefix}: import exit {code}: {err}"),
                None => assert!(
                    present == 0 || present == 5_000,
                    "{prefix}: a killed import left {present} of 5,000 events"
                ),
            }
        }
        let verified = env.run(&["verify"]);
        assert_eq!(
            verified.code, 0,
            "after {prefix}: verify: {}",
            verified.stderr
        );
    }
    let faults = ledger.faults.lock().unwrap().clone();
    assert!(faults.is_empty(), "faults: {faults:#?}");
    eprintln!(
        "{} rounds killed at random; {} events acknowledged and kept",
        imports.len(),
        ledger.acked.lock().unwrap().len()
    );
}

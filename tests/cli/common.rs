//! The pinned test environment and helpers to run the binary in it.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use auditctl::model::Event;

/// "Now" for every test: relative times and `today` resolve against it.
pub const NOW: &str = "2026-11-24T12:00:00Z";

/// A temporary home with its own store and config.
pub struct Env {
    pub dir: tempfile::TempDir,
}

/// What one run of the binary did.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Decodes JSON Lines output into events.
    pub fn events(&self) -> Vec<Event> {
        self.stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad JSON line {l:?}: {e}")))
            .collect()
    }

    /// The ids of JSON Lines output, in order.
    pub fn ids(&self) -> Vec<String> {
        self.events().into_iter().map(|e| e.id).collect()
    }

    /// Asserts success and returns self.
    #[track_caller]
    pub fn ok(self) -> Self {
        assert_eq!(
            self.code, 0,
            "stderr: {}\nstdout: {}",
            self.stderr, self.stdout
        );
        self
    }

    /// The exit code, stdout and stderr as one text for snapshots.
    pub fn snapshot(&self) -> String {
        format!(
            "exit: {}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

impl Env {
    pub fn new() -> Env {
        Env {
            dir: tempfile::tempdir().expect("temporary directory"),
        }
    }

    /// An environment whose store holds the fixture events.
    pub fn with_events() -> Env {
        let env = Env::new();
        env.run(&["import", fixture("events.jsonl").to_str().unwrap()])
            .ok();
        env
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    pub fn store(&self) -> PathBuf {
        self.path("audit.db")
    }

    /// The whole environment of every run: nothing of the caller's leaks in.
    pub fn pinned(&self) -> Vec<(&'static str, std::ffi::OsString)> {
        vec![
            ("PATH", std::env::var_os("PATH").unwrap_or_default()),
            ("HOME", self.dir.path().into()),
            ("XDG_CONFIG_HOME", self.path("config").into()),
            ("USER", "tester".into()),
            ("TZ", "UTC".into()),
            ("COLUMNS", "100".into()),
            ("NO_COLOR", "1".into()),
            ("AUDITCTL_NOW", NOW.into()),
        ]
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_auditctl"));
        cmd.args(args)
            .current_dir(self.dir.path())
            .env_clear()
            .envs(self.pinned())
            .stdin(Stdio::null());
        cmd
    }

    pub fn run(&self, args: &[&str]) -> Run {
        to_run(self.command(args).output().expect("the binary runs"))
    }

    pub fn run_with_stdin(&self, args: &[&str], input: &str) -> Run {
        use std::io::Write;
        let mut child = self
            .command(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the binary runs");
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        to_run(child.wait_with_output().unwrap())
    }

    /// Every event of the store, in seq order.
    pub fn all_events(&self) -> Vec<Event> {
        self.run(&["list", "--all", "--sort", "seq", "-o", "jsonl"])
            .ok()
            .events()
    }

    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let p = self.path(name);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&p, text).unwrap();
        p
    }
}

impl Env {
    /// Writes `bytes` gzip-compressed to `name` (folders made as needed).
    pub fn write_gzip(&self, name: &str, bytes: &[u8]) -> PathBuf {
        use std::io::Write;
        let p = self.path(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        let mut gz = flate2::write::GzEncoder::new(
            std::fs::File::create(&p).unwrap(),
            flate2::Compression::fast(),
        );
        gz.write_all(bytes).unwrap();
        gz.finish().unwrap();
        p
    }
}

/// `cmd` run through `sh` with the umask set first; its arguments, environment and folder kept.
pub fn with_umask(cmd: &Command, umask: u32) -> Command {
    let mut sh = Command::new("sh");
    sh.arg("-c")
        .arg(format!("umask {umask:03o} && exec \"$0\" \"$@\""))
        .arg(cmd.get_program())
        .args(cmd.get_args())
        .env_clear();
    for (k, v) in cmd.get_envs() {
        if let Some(v) = v {
            sh.env(k, v);
        }
    }
    if let Some(dir) = cmd.get_current_dir() {
        sh.current_dir(dir);
    }
    sh
}

pub fn to_run(out: Output) -> Run {
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A running `auditctl serve` over the environment's store, stopped when dropped.
pub struct Server {
    pub child: Child,
    pub url: String,
    /// The request log, as the server wrote it.
    pub log: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl Server {
    pub fn start(env: &Env, extra: &[&str]) -> Server {
        Server::start_on(env, "127.0.0.1:0", extra)
    }

    pub fn start_on(env: &Env, listen: &str, extra: &[&str]) -> Server {
        let mut args = vec!["serve", "--listen", listen];
        args.extend_from_slice(extra);
        let mut child = env.command(&args).stderr(Stdio::piped()).spawn().unwrap();
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let first = lines.next().unwrap().unwrap();
        let url = first
            .rsplit(' ')
            .next()
            .filter(|u| u.starts_with("http://"))
            .unwrap_or_else(|| panic!("no address in {first:?}"))
            .to_owned();
        // Keep reading the request log so the server never blocks on it.
        let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let sink = std::sync::Arc::clone(&log);
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                sink.lock().unwrap().push(line);
            }
        });
        Server { child, url, log }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn token(env: &Env, name: &str, scopes: &str) -> String {
    env.run(&[
        "token",
        "new",
        "--tokens",
        "tokens.toml",
        "--name",
        name,
        "--scope",
        scopes,
    ])
    .ok()
    .stdout
    .trim()
    .to_owned()
}

//! A real terminal for the binary: a pseudo-terminal of a given size whose screen a vt100
//! parser keeps, so tests read what a person would see and type what a person would type.

use std::io::{Read, Write};
use std::num::NonZeroU16;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{CommandBuilder, PtySize, native_pty_system};

use super::common::Env;

pub struct Terminal {
    child: Box<dyn portable_pty::Child + Send + Sync>,
    writer: Box<dyn Write + Send>,
    screen: Arc<Mutex<vt100::Parser>>,
    /// Everything the program wrote, as bytes, escape sequences included.
    raw: Arc<Mutex<Vec<u8>>>,
    // Kept open for the life of the terminal: closing it hangs up on the program.
    _master: Box<dyn portable_pty::MasterPty + Send>,
}

impl Terminal {
    /// Runs `auditctl ARGS` in the environment's pinned settings on a `cols`×`rows` terminal,
    /// with `vars` set on top (a `COLUMNS` of the pinned ones is dropped: the terminal says).
    pub fn spawn(
        env: &Env,
        args: &[&str],
        (cols, rows): (u16, u16),
        vars: &[(&str, &str)],
    ) -> Self {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("a pseudo-terminal");
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_auditctl"));
        cmd.args(args);
        cmd.cwd(env.dir.path());
        cmd.env_clear();
        for (key, value) in env.pinned() {
            if key != "COLUMNS" {
                cmd.env(key, value);
            }
        }
        cmd.env("TERM", "xterm-256color");
        for (key, value) in vars {
            cmd.env(key, value);
        }
        let child = pair.slave.spawn_command(cmd).expect("the binary runs");
        drop(pair.slave);
        let screen = Arc::new(Mutex::new(vt100::Parser::new(
            NonZeroU16::new(rows).unwrap(),
            NonZeroU16::new(cols).unwrap(),
            0,
        )));
        let raw = Arc::new(Mutex::new(Vec::new()));
        let mut reader = pair.master.try_clone_reader().unwrap();
        let (parser, bytes) = (screen.clone(), raw.clone());
        std::thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                parser.lock().unwrap().process(&buf[..n]);
                bytes.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
        let writer = pair.master.take_writer().unwrap();
        Terminal {
            child,
            writer,
            screen,
            raw,
            _master: pair.master,
        }
    }

    /// The screen as text, one line per row, trailing blanks trimmed.
    pub fn screen(&self) -> String {
        let parser = self.screen.lock().unwrap();
        let rows: Vec<String> = parser
            .screen()
            .rows(0, parser.screen().size().1.get())
            .map(|r| r.trim_end().to_owned())
            .collect();
        rows.join("\n").trim_end().to_owned()
    }

    /// Everything written so far, as text (escape sequences included).
    pub fn raw(&self) -> String {
        String::from_utf8_lossy(&self.raw.lock().unwrap()).into_owned()
    }

    /// Waits until the screen shows `text`, and returns the screen.
    #[track_caller]
    pub fn wait_for(&self, text: &str) -> String {
        self.wait_for_within(text, Duration::from_secs(10))
    }

    /// Waits at most `limit` until the screen shows `text`, and returns the screen.
    #[track_caller]
    pub fn wait_for_within(&self, text: &str, limit: Duration) -> String {
        let deadline = Instant::now() + limit;
        loop {
            let screen = self.screen();
            if screen.contains(text) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "waited {limit:?} for {text:?}; the screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Types `keys`.
    pub fn send(&mut self, keys: &str) {
        self.writer.write_all(keys.as_bytes()).unwrap();
        self.writer.flush().unwrap();
    }

    /// Whether the screen is the alternate one (a full-screen program's) now.
    pub fn alternate_screen(&self) -> bool {
        self.screen.lock().unwrap().screen().alternate_screen()
    }

    /// Whether the terminal hides its cursor now.
    pub fn cursor_hidden(&self) -> bool {
        self.screen.lock().unwrap().screen().hide_cursor()
    }

    /// Sends the program a signal (`TERM`, `HUP`, …) with the shell's kill (a builtin: no
    /// procps needed).
    pub fn signal(&mut self, name: &str) {
        let pid = self.child.process_id().expect("a running program");
        let done = std::process::Command::new("sh")
            .args(["-c", &format!("kill -{name} {pid}")])
            .status()
            .unwrap();
        assert!(done.success());
    }

    /// Whether the program is still running.
    pub fn running(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }

    /// Waits for the program to exit (10 s at most) and returns its exit code.
    #[track_caller]
    pub fn wait(&mut self) -> u32 {
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status.exit_code();
            }
            assert!(
                Instant::now() < deadline,
                "still running after 10 s:\n{}",
                self.screen()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Terminal {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

//! The terminal: whether to colour, how wide, and the pager for long human output.

use std::io::{self, IsTerminal, Write};
use std::process::{Child, Command, Stdio};

/// `--color`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ColorWhen {
    #[default]
    Auto,
    Always,
    Never,
}

/// Decides colour once: the flag, then `NO_COLOR`, `TERM=dumb`, and whether stdout is a
/// terminal.
pub fn use_color(when: ColorWhen) -> bool {
    match when {
        ColorWhen::Always => true,
        ColorWhen::Never => false,
        ColorWhen::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::env::var("TERM").map_or(true, |t| t != "dumb")
                && io::stdout().is_terminal()
        }
    }
}

/// The width tables fit into: `COLUMNS`, else the terminal's, else none (piped output is not
/// cut).
pub fn width() -> Option<u16> {
    if let Some(cols) = std::env::var("COLUMNS").ok().and_then(|c| c.parse().ok()) {
        return Some(cols);
    }
    if io::stdout().is_terminal() {
        return terminal_size::terminal_size().map(|(w, _)| w.0);
    }
    None
}

/// Whether `program` names an executable: a path to one, or a name found on `PATH`.
fn is_runnable(program: &str) -> bool {
    use std::os::unix::fs::PermissionsExt;
    let executable = |path: &std::path::Path| {
        std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    };
    if program.contains('/') {
        return executable(std::path::Path::new(program));
    }
    std::env::var_os("PATH").is_some_and(|paths| {
        std::env::split_paths(&paths).any(|dir| executable(&dir.join(program)))
    })
}

/// Where command output goes: stdout, or a pager reading from a pipe.
pub struct Output {
    pager: Option<Child>,
    stdout: io::StdoutLock<'static>,
}

impl Output {
    /// Plain stdout.
    pub fn stdout() -> Output {
        Output {
            pager: None,
            stdout: io::stdout().lock(),
        }
    }

    /// A pager when stdout is a terminal and paging is allowed (`AUDITCTL_PAGER`, `PAGER`, or
    /// `less -FRX`, which quits at once when the text fits the screen); stdout otherwise.
    pub fn paged(allowed: bool) -> Output {
        if !allowed || !io::stdout().is_terminal() {
            return Output::stdout();
        }
        let cmd = std::env::var("AUDITCTL_PAGER")
            .or_else(|_| std::env::var("PAGER"))
            .unwrap_or_else(|_| "less -FRX".to_owned());
        if cmd.trim().is_empty() || cmd.trim() == "cat" {
            return Output::stdout();
        }
        // A pager that cannot start would take the output with it: print it directly instead.
        let program = cmd.split_whitespace().next().unwrap_or_default();
        if !is_runnable(program) {
            eprintln!(
                "auditctl: warning: pager {:?} not found; printing directly",
                crate::render::visible(program, false)
            );
            return Output::stdout();
        }
        let child = Command::new("sh")
            .arg("-c")
            .arg(&cmd)
            .env(
                "LESS",
                std::env::var("LESS").unwrap_or_else(|_| "FRX".to_owned()),
            )
            .stdin(Stdio::piped())
            .spawn();
        match child {
            Ok(child) => Output {
                pager: Some(child),
                stdout: io::stdout().lock(),
            },
            // No pager to be had: print directly rather than fail.
            Err(_) => Output::stdout(),
        }
    }

    /// Waits for the pager, so that the prompt comes back after the user quits it.
    pub fn finish(mut self) -> io::Result<()> {
        self.flush()?;
        if let Some(mut child) = self.pager.take() {
            drop(child.stdin.take());
            child.wait()?;
        }
        Ok(())
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self.pager.as_mut().and_then(|p| p.stdin.as_mut()) {
            Some(pipe) => pipe.write(buf),
            None => self.stdout.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self.pager.as_mut().and_then(|p| p.stdin.as_mut()) {
            Some(pipe) => pipe.flush(),
            None => self.stdout.flush(),
        }
    }
}

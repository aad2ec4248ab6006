//! Error kinds, their exit codes (docs/SPEC.md §9), and how an error is printed.

use std::io::Write;

use crate::query::error::QueryError;
use crate::store::StoreError;
use crate::timespec::TimeError;

/// Process exit codes of docs/SPEC.md §9.
pub mod exit {
    pub const SUCCESS: i32 = 0;
    pub const RUNTIME: i32 = 1;
    pub const USAGE: i32 = 2;
    pub const INTEGRITY: i32 = 3;
    pub const REVERT_REFUSED: i32 = 4;
    pub const NOT_FOUND: i32 = 5;
    /// Ctrl-C or SIGTERM (128 + SIGINT, as shells report it).
    pub const INTERRUPTED: i32 = 130;

    /// Ended by `signal` (the viewer, on SIGTERM, SIGHUP, SIGINT, SIGQUIT): 128 + its number, as
    /// shells report a program the signal ended.
    pub fn signalled(signal: i32) -> i32 {
        128 + signal
    }
}

/// An error a command raises on purpose, with the exit code it stands for and an optional hint.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct Failure {
    pub code: i32,
    pub message: String,
    pub hint: Option<String>,
}

impl Failure {
    pub fn usage(message: impl Into<String>) -> Self {
        Failure {
            code: exit::USAGE,
            message: message.into(),
            hint: None,
        }
    }

    pub fn runtime(message: impl Into<String>) -> Self {
        Failure {
            code: exit::RUNTIME,
            message: message.into(),
            hint: None,
        }
    }

    /// A failure with any exit code of `exit`.
    pub fn new(code: i32, message: impl Into<String>) -> Self {
        Failure {
            code,
            message: message.into(),
            hint: None,
        }
    }

    /// An integrity failure (exit 3).
    pub fn integrity(message: impl Into<String>) -> Self {
        Failure::new(exit::INTEGRITY, message)
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

/// Whether the error is a closed pipe (`auditctl list | head -1`), which ends quietly.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
            || cause
                .downcast_ref::<csv::Error>()
                .is_some_and(|e| matches!(e.kind(), csv::ErrorKind::Io(io) if io.kind() == std::io::ErrorKind::BrokenPipe))
            || cause
                .downcast_ref::<serde_json::Error>()
                .is_some_and(|e| e.io_error_kind() == Some(std::io::ErrorKind::BrokenPipe))
    })
}

/// The exit code an error stands for: the first cause in the chain that names one.
pub fn exit_code(err: &anyhow::Error) -> i32 {
    if is_broken_pipe(err) {
        return exit::SUCCESS;
    }
    for cause in err.chain() {
        if let Some(f) = cause.downcast_ref::<Failure>() {
            return f.code;
        }
        if cause.is::<QueryError>() || cause.is::<TimeError>() {
            return exit::USAGE;
        }
        if let Some(s) = cause.downcast_ref::<StoreError>() {
            return s.exit_code();
        }
    }
    exit::RUNTIME
}

fn hint(err: &anyhow::Error) -> Option<String> {
    err.chain().find_map(|cause| {
        if let Some(f) = cause.downcast_ref::<Failure>() {
            return f.hint.clone();
        }
        cause
            .downcast_ref::<StoreError>()
            .and_then(StoreError::hint)
    })
}

/// Prints `auditctl: error: …` with the causes and a hint, and returns the exit code.
pub fn report(err: &anyhow::Error) -> i32 {
    let code = exit_code(err);
    if is_broken_pipe(err) {
        return code;
    }
    let mut stderr = std::io::stderr().lock();
    let mut text = format!("auditctl: error: {err}");
    for cause in err.chain().skip(1) {
        let c = cause.to_string();
        // anyhow contexts often repeat their source's text; print each thing once.
        if !text.contains(&c) {
            text.push_str(&format!("\n  caused by: {c}"));
        }
    }
    // Errors name ids, files and values from the data: none of it may drive the terminal.
    let _ = writeln!(stderr, "{}", crate::render::visible(&text, true));
    if let Some(h) = hint(err) {
        let _ = writeln!(stderr, "hint: {}", crate::render::visible(&h, true));
    }
    code
}

//! What the back end writes to stderr while the viewer owns the terminal (a line of a log
//! passed over, a warning) would land on top of the screen: while browsing, stderr is a pipe,
//! and its lines come back as messages. Put back before anything else is printed: on the
//! way out, and by a panic before its report.

use std::io::{BufRead, BufReader};
use std::os::fd::{AsFd, AsRawFd, FromRawFd, IntoRawFd, OwnedFd};
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::{Arc, Mutex};

/// The real stderr while it is captured, else -1: the panic hook puts it back.
static SAVED: AtomicI32 = AtomicI32::new(-1);

/// Stderr captured; dropping it puts the real one back.
pub struct Captured {
    lines: Arc<Mutex<Vec<String>>>,
}

impl Captured {
    /// Points fd 2 at a pipe read by a thread of its own.
    pub fn start() -> std::io::Result<Captured> {
        let (reader, writer) = std::io::pipe()?;
        let saved = std::io::stderr().as_fd().try_clone_to_owned()?;
        // SAFETY: dup2 of two open descriptors; fd 2 is then the pipe's, and the writer's own
        // descriptor is closed when `writer` drops.
        if unsafe { libc::dup2(writer.as_raw_fd(), 2) } < 0 {
            return Err(std::io::Error::last_os_error());
        }
        drop(writer);
        SAVED.store(saved.into_raw_fd(), Ordering::SeqCst);
        let lines = Arc::new(Mutex::new(Vec::new()));
        let sink = Arc::clone(&lines);
        std::thread::spawn(move || {
            for line in BufReader::new(reader).lines().map_while(Result::ok) {
                sink.lock().unwrap_or_else(|e| e.into_inner()).push(line);
            }
        });
        Ok(Captured { lines })
    }

    /// The lines written since the last call.
    pub fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.lines.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

impl Drop for Captured {
    fn drop(&mut self) {
        restore();
    }
}

/// Puts the real stderr back, if it was captured.
pub fn restore() {
    let saved = SAVED.swap(-1, Ordering::SeqCst);
    if saved >= 0 {
        // SAFETY: `saved` is the descriptor `start` duplicated and owns; it is closed here.
        unsafe {
            libc::dup2(saved, 2);
            drop(OwnedFd::from_raw_fd(saved));
        }
    }
}

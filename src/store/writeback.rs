//! A file written out to disk while it is still being made, so that its final sync has little
//! left to wait for.

use std::fs::File;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::Duration;

/// Syncs a file every `every` on a thread of its own until dropped.
pub struct Writeback {
    stop: Option<mpsc::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl Writeback {
    pub fn start(file: &File, every: Duration) -> std::io::Result<Writeback> {
        let file = file.try_clone()?;
        let (stop, stopped) = mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("writeback".into())
            .spawn(move || {
                while let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(every) {
                    // A failure is not lost: the final sync, on a descriptor opened before
                    // this one, reports it.
                    let _ = file.sync_data();
                }
            })?;
        Ok(Writeback {
            stop: Some(stop),
            thread: Some(thread),
        })
    }
}

impl Drop for Writeback {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Dropping it ends the thread at once, not at the next sync: a build waits on the drop.
    #[test]
    fn a_writeback_stops_when_dropped() {
        let file = tempfile::tempfile().unwrap();
        let started = std::time::Instant::now();
        let writeback = Writeback::start(&file, Duration::from_secs(60)).unwrap();
        drop(writeback);
        assert!(started.elapsed() < Duration::from_secs(5));
    }
}

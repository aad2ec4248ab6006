//! Ctrl-C and SIGTERM in the commands that stop cleanly (`import`, `export`): one flag for the
//! process, which the command checks between two steps and SQLite's wait for another writer's
//! lock checks too, so that a command waiting for a lock stops as it would between two events.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

static REQUESTED: OnceLock<Arc<AtomicBool>> = OnceLock::new();

/// The process's flag, set by the signal handlers a command registers with it.
pub fn flag() -> Arc<AtomicBool> {
    Arc::clone(REQUESTED.get_or_init(|| Arc::new(AtomicBool::new(false))))
}

/// Whether a command that catches Ctrl-C and SIGTERM has been asked to stop.
pub fn requested() -> bool {
    REQUESTED.get().is_some_and(|f| f.load(Ordering::Relaxed))
}

//! Process-wide settings of the SQLite library, made once before its first connection opens.

use std::path::Path;
use std::sync::Once;

use rusqlite::{Connection, OpenFlags};

/// Opens a connection, the library set up first.
pub fn open(path: impl AsRef<Path>, flags: OpenFlags) -> rusqlite::Result<Connection> {
    configure();
    Connection::open_with_flags(path, flags)
}

/// Turns off SQLite's memory statistics, which auditctl never reads. With them on, every
/// allocation of every connection takes one process-wide mutex: an import's writer and its
/// search index builder, each on a thread of its own, waited on each other for it (a 1M-event
/// import 0.2–0.4 s faster without).
fn configure() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // SAFETY: SQLITE_CONFIG_MEMSTATUS takes one int. `sqlite3_config` may only be called
        // before the library initialises; later it returns SQLITE_MISUSE and changes nothing,
        // which is harmless here (a test's in-memory database may have opened first).
        unsafe {
            rusqlite::ffi::sqlite3_config(rusqlite::ffi::SQLITE_CONFIG_MEMSTATUS, 0);
        }
    });
}

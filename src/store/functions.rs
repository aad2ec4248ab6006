//! SQL functions the query back end relies on, registered on every connection.

use rusqlite::Connection;
use rusqlite::functions::FunctionFlags;

/// Registers `regexp(pattern, text)`: 1 when `text` matches, 0 otherwise (also for NULL text or
/// a pattern that does not compile; the parser rejects bad patterns before they get here).
pub fn register(conn: &Connection) -> rusqlite::Result<()> {
    conn.create_scalar_function(
        "regexp",
        2,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| {
            // The compiled pattern is cached by SQLite for the statement's lifetime.
            let re = ctx.get_or_create_aux(
                0,
                |v| -> Result<_, Box<dyn std::error::Error + Send + Sync>> {
                    Ok(regex::Regex::new(v.as_str()?).ok())
                },
            )?;
            let text = ctx.get_raw(1);
            Ok(match (re.as_ref(), text.as_str_or_null()?) {
                (Some(re), Some(text)) => re.is_match(text),
                _ => false,
            })
        },
    )
}

//! auditctl JSON Lines: one event object (docs/SPEC.md §1) per line; blank lines are skipped.

use std::io::BufRead;

use super::{Record, numbered_lines};
use crate::model::Event;

/// Whether one line is an auditctl event.
pub fn is_event_line(line: &[u8]) -> bool {
    serde_json::from_slice::<Event>(line).is_ok()
}

pub fn records<R: BufRead>(reader: R) -> impl Iterator<Item = Record> {
    numbered_lines(reader).filter_map(|(line, text)| {
        let event = match text {
            Err(e) => Err(e),
            Ok(t) if t.trim().is_empty() => return None,
            Ok(t) => parse_line(&t),
        };
        Some(Record { line, event })
    })
}

/// One event from one line, with a message that names the problem.
pub fn parse_line(text: &str) -> Result<Event, String> {
    let mut e: Event = serde_json::from_str(text).map_err(|e| {
        let msg = e.to_string();
        // serde_json appends " at line 1 column N"; the line is ours to name.
        match msg.rfind(" at line ") {
            Some(i) => format!("{} (column {})", &msg[..i], e.column()),
            None => msg,
        }
    })?;
    e.normalize().map_err(|e| e.to_string())?;
    Ok(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn good_bad_and_blank_lines() {
        let input = "{\"time\":\"2026-11-01T00:00:00Z\",\"user\":\"a\",\"action\":\"create\"}\n\n{\"user\":\"a\"}\nnot json\n";
        let recs: Vec<Record> = records(input.as_bytes()).collect();
        assert_eq!(recs.len(), 3);
        assert_eq!(recs[0].event.as_ref().unwrap().action, "CREATE");
        assert_eq!(recs[1].line, 3);
        assert!(
            recs[1]
                .event
                .as_ref()
                .unwrap_err()
                .contains("missing field `time`")
        );
        assert_eq!(recs[2].line, 4);
        assert!(is_event_line(input.lines().next().unwrap().as_bytes()));
        assert!(!is_event_line(b"seq,id,time"));
    }
}

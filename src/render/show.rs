//! `show`: one event in full, for people: every field, meta, the changed paths, and the data.

use std::io::Write;

use serde_json::Value;

use super::{Style, human_time};
use crate::change::{self, ChangeKind};
use crate::model::{self, Event};

const RESET: &str = "\x1b[0m";
const BOLD: &str = "\x1b[1m";
const DIM: &str = "\x1b[2m";
const RED: &str = "\x1b[31m";
const GREEN: &str = "\x1b[32m";
const YELLOW: &str = "\x1b[33m";

/// Writes the full view of one event.
pub fn write_event(out: &mut dyn Write, e: &Event, style: &Style) -> anyhow::Result<()> {
    let paint = |code: &str, text: &str| {
        if style.color {
            format!("{code}{text}{RESET}")
        } else {
            text.to_owned()
        }
    };
    let record = match (&e.table, &e.resource_id) {
        (Some(t), Some(r)) => format!("  {t}/{r}"),
        (Some(t), None) => format!("  {t}"),
        (None, Some(r)) => format!("  {r}"),
        (None, None) => String::new(),
    };
    writeln!(
        out,
        "{}",
        paint(
            BOLD,
            &format!(
                "event {}  {}{record}",
                e.seq.map(|s| s.to_string()).unwrap_or_default(),
                e.action
            )
        )
    )?;
    let opt = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".to_owned());
    let user = match &e.user_type {
        Some(t) => format!("{} ({t})", e.user),
        None => e.user.clone(),
    };
    let fields = [
        ("id", e.id.clone()),
        (
            "time",
            format!(
                "{}  ({})",
                human_time(&e.time, style),
                model::format_time(&e.time)
            ),
        ),
        ("user", user),
        ("ip", opt(&e.ip)),
        ("action", e.action.clone()),
        ("operation", opt(&e.operation)),
        ("service", opt(&e.service)),
        ("origin", opt(&e.origin)),
        ("table", opt(&e.table)),
        ("resource_id", opt(&e.resource_id)),
        ("message", e.message.clone()),
        ("outcome", e.outcome.clone()),
        ("reverts", opt(&e.reverts)),
    ];
    for (name, value) in fields {
        let value = if name == "outcome" && value == "failure" {
            paint(RED, &value)
        } else {
            value
        };
        writeln!(out, "{:<12} {value}", format!("{name}:"))?;
    }
    if e.meta.is_empty() {
        writeln!(out, "{:<12} -", "meta:")?;
    } else {
        writeln!(out, "meta:")?;
        for (k, v) in &e.meta {
            writeln!(out, "  {k}: {}", scalar(v))?;
        }
    }

    let changes = change::changed_paths(e.before.as_ref(), e.after.as_ref());
    let summary = change::summary(e.before.as_ref(), e.after.as_ref());
    if changes.is_empty() {
        writeln!(out, "{:<12} none", "changes:")?;
    } else {
        writeln!(out, "changes:     {summary}")?;
        for c in &changes {
            let path = if c.path.0.is_empty() {
                "(whole value)".to_owned()
            } else {
                c.path.to_string()
            };
            let line = match c.kind {
                ChangeKind::Added => {
                    paint(GREEN, &format!("  + {path}: {}", brief(c.new.as_ref())))
                }
                ChangeKind::Removed => {
                    paint(RED, &format!("  - {path}: {}", brief(c.old.as_ref())))
                }
                ChangeKind::Changed => paint(
                    YELLOW,
                    &format!(
                        "  ~ {path}: {} → {}",
                        brief(c.old.as_ref()),
                        brief(c.new.as_ref())
                    ),
                ),
            };
            writeln!(out, "{line}")?;
        }
    }
    for (name, data) in [("before", &e.before), ("after", &e.after)] {
        match data {
            None => writeln!(out, "{}", paint(DIM, &format!("{name}: -")))?,
            Some(v) => {
                writeln!(out, "{name}:")?;
                for line in pretty(v).lines() {
                    writeln!(out, "  {line}")?;
                }
            }
        }
    }
    out.flush()?;
    Ok(())
}

/// Data as people read it: JSON pretty printed with sorted keys, text as its lines.
pub fn pretty(v: &Value) -> String {
    match v {
        Value::String(text) => text.clone(),
        // serde_json's map is ordered by key, so pretty output is stable.
        other => serde_json::to_string_pretty(other).unwrap_or_default(),
    }
}

fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A value on one line, shortened for the change list.
fn brief(v: Option<&Value>) -> String {
    let text = match v {
        None => "-".to_owned(),
        Some(Value::String(s)) if s.contains('\n') => {
            format!("({} lines of text)", s.lines().count())
        }
        Some(v) => v.to_string(),
    };
    if text.chars().count() > 80 {
        format!("{}…", text.chars().take(79).collect::<String>())
    } else {
        text
    }
}

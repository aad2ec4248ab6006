//! `show`: one event in full, for people: every field, meta, the changed paths, and the data.

use std::io::Write;

use serde_json::Value;

use super::diff::{self, paint};
use super::{Style, human_time, visible};
use crate::change::{self, revert::RevertLinks};
use crate::model::{self, Event};

const BOLD: &str = "\x1b[1m";
const RED: &str = "\x1b[31m";
const MAGENTA: &str = "\x1b[35m";

/// Writes the full view of one event: its fields, meta, the changed paths, and the diff of
/// before → after.
pub fn write_event(
    out: &mut dyn Write,
    e: &Event,
    links: &RevertLinks,
    style: &Style,
) -> anyhow::Result<()> {
    let record = match (&e.table, &e.resource_id) {
        (Some(t), Some(r)) => format!("  {t}/{r}"),
        (Some(t), None) => format!("  {t}"),
        (None, Some(r)) => format!("  {r}"),
        (None, None) => String::new(),
    };
    let seq = e.seq.map(|s| s.to_string()).unwrap_or_default();
    let title = visible(&format!("event {seq}  {}{record}", e.action), false).into_owned();
    writeln!(out, "{}", paint(style, BOLD, &title))?;
    let opt = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".to_owned());
    let user = match &e.user_type {
        Some(t) => format!("{} ({t})", e.user),
        None => e.user.clone(),
    };
    let reverts = match (&e.reverts, links.reverts_seq) {
        (Some(id), Some(seq)) => format!("{id} (event {seq})"),
        (other, _) => opt(other),
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
        ("reverts", reverts),
    ];
    for (name, value) in fields {
        // A message keeps its lines; nothing else may break one.
        let value = visible(&value, name == "message").into_owned();
        let value = if name == "outcome" && value == "failure" {
            paint(style, RED, &value)
        } else {
            value
        };
        // A multi-line value (a message) keeps its lines under the first.
        let value = value.replace('\n', &format!("\n{:13}", ""));
        writeln!(out, "{:<12} {value}", format!("{name}:"))?;
    }
    if let Some(by) = links.reverted_by {
        let text = format!("by event {by}");
        writeln!(out, "{:<12} {}", "reverted:", paint(style, MAGENTA, &text))?;
    }
    if e.meta.is_empty() {
        writeln!(out, "{:<12} -", "meta:")?;
    } else {
        writeln!(out, "meta:")?;
        for (k, v) in &e.meta {
            writeln!(
                out,
                "  {}: {}",
                visible(k, false),
                visible(&scalar(v), false)
            )?;
        }
    }

    let changes = change::changed_paths(e.before.as_ref(), e.after.as_ref());
    if changes.is_empty() {
        writeln!(out, "{:<12} none", "changes:")?;
    } else {
        let summary = change::summary(e.before.as_ref(), e.after.as_ref());
        writeln!(out, "changes:     {summary}")?;
        let mut lines = Vec::new();
        diff::write_changes(&mut lines, &changes, style)?;
        for line in String::from_utf8_lossy(&lines).lines() {
            writeln!(out, "  {line}")?;
        }
        writeln!(out)?;
        diff::write_unified(
            out,
            e.before.as_ref(),
            e.after.as_ref(),
            ("before", "after"),
            diff::DEFAULT_CONTEXT,
            style,
        )?;
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

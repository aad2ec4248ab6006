//! Diffs for people: a coloured unified diff of two record states with word-level highlights,
//! and the list of changed paths (`--stat`).

use std::io::{self, Write};

use serde_json::Value;
use similar::{ChangeTag, TextDiff};

use super::show::pretty;
use super::{Style, visible};
use crate::change::{Change, ChangeKind};

/// Context lines around each change, as diff and git default to.
pub const DEFAULT_CONTEXT: usize = 3;

const RESET: &str = "\x1b[0m";
const BOLD: &str = "\x1b[1m";
const DIM: &str = "\x1b[2m";
const RED: &str = "\x1b[31m";
const GREEN: &str = "\x1b[32m";
const YELLOW: &str = "\x1b[33m";
const CYAN: &str = "\x1b[36m";
/// Reverse video inside a changed line marks the words that changed, as git's diff-highlight.
const EMPHASIS: &str = "\x1b[7m";

/// Paints text when colour is on.
pub(crate) fn paint(style: &Style, code: &str, text: &str) -> String {
    if style.color {
        format!("{code}{text}{RESET}")
    } else {
        text.to_owned()
    }
}

/// A record state as the lines a diff compares: JSON pretty printed with sorted keys, text as
/// is, nothing as no lines. Every line ends with a newline so the last one diffs cleanly.
fn diff_text(v: Option<&Value>) -> String {
    let mut text = v
        .map(|v| visible(&pretty(v), true).into_owned())
        .unwrap_or_default();
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
    text
}

/// Writes the unified diff of `old` → `new` with `context` lines around each change, under
/// `--- old_label` / `+++ new_label`. Writes `no changes` when the states are equal.
pub fn write_unified(
    out: &mut dyn Write,
    old: Option<&Value>,
    new: Option<&Value>,
    (old_label, new_label): (&str, &str),
    context: usize,
    style: &Style,
) -> io::Result<()> {
    let (old_text, new_text) = (diff_text(old), diff_text(new));
    let diff = TextDiff::from_lines(&old_text, &new_text);
    if old_text == new_text {
        return writeln!(out, "{}", paint(style, DIM, "no changes"));
    }
    let (old_label, new_label) = (visible(old_label, false), visible(new_label, false));
    writeln!(out, "{}", paint(style, BOLD, &format!("--- {old_label}")))?;
    writeln!(out, "{}", paint(style, BOLD, &format!("+++ {new_label}")))?;
    for hunk in diff.unified_diff().context_radius(context).iter_hunks() {
        writeln!(out, "{}", paint(style, CYAN, &hunk.header().to_string()))?;
        for op in hunk.ops() {
            for change in diff.iter_inline_changes(op) {
                let (sign, color) = match change.tag() {
                    ChangeTag::Delete => ('-', RED),
                    ChangeTag::Insert => ('+', GREEN),
                    ChangeTag::Equal => (' ', ""),
                };
                let mut line = String::new();
                for (emphasized, part) in change.iter_strings_lossy() {
                    let part = part.trim_end_matches('\n');
                    if emphasized && style.color {
                        line.push_str(&format!("{EMPHASIS}{part}{RESET}{color}"));
                    } else {
                        line.push_str(part);
                    }
                }
                if color.is_empty() || !style.color {
                    writeln!(out, "{sign}{line}")?;
                } else {
                    writeln!(out, "{color}{sign}{line}{RESET}")?;
                }
            }
        }
    }
    Ok(())
}

/// Writes one line per changed path: `+ path: new`, `- path: old`, `~ path: old → new`.
pub fn write_changes(out: &mut dyn Write, changes: &[Change], style: &Style) -> io::Result<()> {
    for c in changes {
        let path = if c.path.0.is_empty() {
            "(whole value)".to_owned()
        } else {
            visible(&c.path.to_string(), false).into_owned()
        };
        let line = match c.kind {
            ChangeKind::Added => paint(
                style,
                GREEN,
                &format!("+ {path}: {}", brief(c.new.as_ref())),
            ),
            ChangeKind::Removed => {
                paint(style, RED, &format!("- {path}: {}", brief(c.old.as_ref())))
            }
            ChangeKind::Changed => {
                let what = match (&c.old, &c.new) {
                    (Some(Value::String(a)), Some(Value::String(b)))
                        if a.contains('\n') || b.contains('\n') =>
                    {
                        line_stat(a, b)
                    }
                    (old, new) => format!("{} → {}", brief(old.as_ref()), brief(new.as_ref())),
                };
                paint(style, YELLOW, &format!("~ {path}: {what}"))
            }
        };
        writeln!(out, "{line}")?;
    }
    Ok(())
}

/// How two texts differ, counted in lines: `text, 1 line removed, 2 added`.
fn line_stat(old: &str, new: &str) -> String {
    let diff = TextDiff::from_lines(old, new);
    let count = |tag| diff.iter_all_changes().filter(|c| c.tag() == tag).count();
    let (removed, added) = (count(ChangeTag::Delete), count(ChangeTag::Insert));
    let lines = |n: usize| if n == 1 { "line" } else { "lines" };
    format!("text, {removed} {} removed, {added} added", lines(removed))
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
    let text = visible(&text, false);
    if text.chars().count() > 80 {
        format!("{}…", text.chars().take(79).collect::<String>())
    } else {
        text.into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn unified(old: Option<Value>, new: Option<Value>, context: usize, color: bool) -> String {
        let style = Style {
            color,
            utc: true,
            width: None,
        };
        let mut out = Vec::new();
        write_unified(
            &mut out,
            old.as_ref(),
            new.as_ref(),
            ("before", "after"),
            context,
            &style,
        )
        .unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn json_diff_has_sorted_keys_and_context() {
        let old = json!({"z": 1, "a": {"on": true}, "m": 2});
        let new = json!({"z": 1, "a": {"on": false}, "m": 2});
        assert_eq!(
            unified(Some(old), Some(new), 1, false),
            "--- before\n+++ after\n@@ -2,3 +2,3 @@\n   \"a\": {\n-    \"on\": true\n+    \"on\": false\n   },\n"
        );
    }

    #[test]
    fn words_are_highlighted_in_colour() {
        let text = unified(Some(json!("a b c")), Some(json!("a x c")), 3, true);
        assert!(text.contains(&format!("{EMPHASIS}b{RESET}")), "{text:?}");
        assert!(text.contains(&format!("{EMPHASIS}x{RESET}")), "{text:?}");
    }

    #[test]
    fn text_changes_are_counted_in_lines() {
        let changes =
            crate::change::changed_paths(Some(&json!("a\nb\nc\n")), Some(&json!("a\nB\nc\nd\n")));
        let mut out = Vec::new();
        let style = Style {
            color: false,
            utc: true,
            width: None,
        };
        write_changes(&mut out, &changes, &style).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "~ (whole value): text, 1 line removed, 2 added\n"
        );
    }

    #[test]
    fn create_and_equal() {
        assert_eq!(
            unified(None, Some(json!("x\ny")), 3, false),
            "--- before\n+++ after\n@@ -0,0 +1,2 @@\n+x\n+y\n"
        );
        assert_eq!(
            unified(Some(json!(1)), Some(json!(1)), 3, false),
            "no changes\n"
        );
    }
}

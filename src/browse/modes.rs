//! The panes and prompts that take the keyboard from the table: the text of an event, a
//! record's history, a line being typed, a revert being confirmed, the keys.

use ratatui::crossterm::event::KeyCode;
use ratatui::text::Text;

use super::effect::{Plan, Row};
use crate::commands::export::ExportFormat;

/// What has the keyboard.
#[derive(Debug)]
pub enum Mode {
    Table,
    Pane(Pane),
    History(History),
    Prompt(Prompt),
    Revert(Box<RevertView>),
    /// The keys, scrolled this far.
    Help(usize),
}

/// Scrollable text: the detail or the diff of an event.
#[derive(Debug)]
pub struct Pane {
    pub title: String,
    pub text: Text<'static>,
    pub scroll: usize,
    /// Columns scrolled sideways, for lines wider than the screen.
    pub across: usize,
}

/// The events of one record, one selected.
#[derive(Debug)]
pub struct History {
    pub title: String,
    pub rows: Vec<Row>,
    pub cursor: usize,
}

/// A line being typed.
#[derive(Debug)]
pub struct Prompt {
    pub kind: PromptKind,
    pub input: String,
    /// For a filter: what is wrong with it as typed, and the byte it starts at.
    pub error: Option<(String, usize)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromptKind {
    Search,
    Filter,
    Export(ExportFormat),
}

/// The formats `e` cycles through with Tab.
pub const EXPORT_FORMATS: [ExportFormat; 4] = [
    ExportFormat::Csv,
    ExportFormat::Jsonl,
    ExportFormat::Json,
    ExportFormat::Cef,
];

pub fn export_format_name(f: ExportFormat) -> &'static str {
    match f {
        ExportFormat::Csv => "csv",
        ExportFormat::Jsonl => "jsonl",
        ExportFormat::Json => "json",
        ExportFormat::Cef => "cef",
    }
}

/// A revert being asked for: the plan, then a reason, then y or n.
#[derive(Debug)]
pub struct RevertView {
    pub plan: Plan,
    pub reason: String,
    pub confirming: bool,
    pub scroll: usize,
}

/// Columns a pane moves sideways with ← and →.
pub const SIDEWAYS: usize = 8;

/// Scrolls a text of `lines` lines by a key; false for a key that does not scroll.
pub fn scroll(at: &mut usize, key: KeyCode, page: usize, lines: usize) -> bool {
    let end = lines.saturating_sub(page);
    *at = match key {
        KeyCode::Char('j') | KeyCode::Down => *at + 1,
        KeyCode::Char('k') | KeyCode::Up => at.saturating_sub(1),
        KeyCode::PageDown | KeyCode::Char(' ') => *at + page,
        KeyCode::PageUp => at.saturating_sub(page),
        KeyCode::Char('g') | KeyCode::Home => 0,
        KeyCode::Char('G') | KeyCode::End => end,
        _ => return false,
    }
    .min(end);
    true
}

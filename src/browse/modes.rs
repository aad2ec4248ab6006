//! The panes and prompts that take the keyboard from the table: the text of an event, a
//! record's history, a line being typed, a revert being confirmed, the keys.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
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
    /// Where the caret is: a byte offset at a character boundary of `input`.
    pub at: usize,
    /// For a filter: what is wrong with it as typed, and the byte it starts at.
    pub error: Option<(String, usize)>,
}

impl Prompt {
    pub fn new(kind: PromptKind, input: String) -> Prompt {
        Prompt {
            kind,
            at: input.len(),
            input,
            error: None,
        }
    }

    /// Puts text in at the caret: pasted or typed, one line (newlines and tabs become spaces,
    /// other control characters are left out).
    pub fn insert(&mut self, text: &str) {
        let clean: String = text
            .replace("\r\n", "\n")
            .chars()
            .map(|c| {
                if matches!(c, '\n' | '\r' | '\t') {
                    ' '
                } else {
                    c
                }
            })
            .filter(|c| !c.is_control())
            .collect();
        self.input.insert_str(self.at, &clean);
        self.at += clean.len();
    }

    /// The editing keys of a shell's line: ← → Home End, Ctrl-A Ctrl-E, Backspace Delete,
    /// Ctrl-U Ctrl-K Ctrl-W. False for any other key.
    pub fn edit(&mut self, k: KeyEvent) -> bool {
        let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
        let before = |at: usize, s: &str| {
            s[..at]
                .chars()
                .next_back()
                .map_or(at, |c| at - c.len_utf8())
        };
        let after = |at: usize, s: &str| s[at..].chars().next().map_or(at, |c| at + c.len_utf8());
        match k.code {
            KeyCode::Left => self.at = before(self.at, &self.input),
            KeyCode::Right => self.at = after(self.at, &self.input),
            KeyCode::Home => self.at = 0,
            KeyCode::Char('a') if ctrl => self.at = 0,
            KeyCode::End => self.at = self.input.len(),
            KeyCode::Char('e') if ctrl => self.at = self.input.len(),
            KeyCode::Backspace => {
                let from = before(self.at, &self.input);
                self.input.replace_range(from..self.at, "");
                self.at = from;
            }
            KeyCode::Delete => {
                let to = after(self.at, &self.input);
                self.input.replace_range(self.at..to, "");
            }
            KeyCode::Char('u') if ctrl => {
                self.input.replace_range(..self.at, "");
                self.at = 0;
            }
            KeyCode::Char('k') if ctrl => self.input.truncate(self.at),
            KeyCode::Char('w') if ctrl => {
                let kept = self.input[..self.at].trim_end();
                let from = kept.rfind(char::is_whitespace).map_or(0, |i| i + 1);
                self.input.replace_range(from..self.at, "");
                self.at = from;
            }
            KeyCode::Char(c) if !ctrl && !c.is_control() => self.insert(c.encode_utf8(&mut [0; 4])),
            // Tab is a space where text is typed (the export prompt takes it first).
            KeyCode::Tab => self.insert(" "),
            _ => return false,
        }
        true
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PromptKind {
    Search,
    Filter,
    Export(ExportFormat),
    /// The reason of a revert.
    Reason,
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
    /// The reason being typed, edited as any prompt.
    pub reason: Prompt,
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

//! The viewer as a state machine: what is on screen and what each key does to it. `update`
//! takes an input and returns the effects to carry out (loads, reverts, exports); their
//! outcomes come back through `apply`. Nothing here touches a store or a terminal, so every key
//! is tested without either.

use chrono::{DateTime, Utc};
use ratatui::crossterm::event::{
    KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};

use crate::commands::export::ExportFormat;
use crate::model::Event;
use crate::query::{CmpOp, Expr, Field, Literal};
use crate::render::{Column, DEFAULT_TABLE_COLUMNS, Style};
use crate::store::{SortField, SortKey};

use super::effect::{Effect, Input, Load, Outcome, Row};
use super::modes::{
    EXPORT_FORMATS, History, Mode, Pane, Prompt, PromptKind, RevertView, SIDEWAYS, scroll,
};
use super::window::Window;

/// Lines outside the table: its header, the status line and the prompt line.
pub const CHROME_ROWS: u16 = 3;
/// The smallest terminal the viewer draws in; below it a plain message says so.
pub const MIN_SIZE: (u16, u16) = (40, 8);

/// The viewer.
pub struct App {
    /// Where the events are, for the status line.
    pub source: String,
    pub style: Style,
    pub now: DateTime<Utc>,
    pub size: (u16, u16),
    pub columns: Vec<Column>,
    /// The column `=`, `!=` and `s` act on.
    pub chosen: usize,
    /// The widest each column has been: the table's columns only ever widen.
    pub widths: Vec<usize>,
    /// What selects and orders the events of the view.
    pub selection: Selection,
    /// The loaded part of the view, around what is on screen.
    pub window: Window,
    pub follow: bool,
    pub last_seq: u64,
    pub mode: Mode,
    /// The message line, and whether it is an error.
    pub message: Option<(String, bool)>,
    /// `!` was typed: `=` next makes a `!=` funnel.
    bang: bool,
    /// What the rows on screen were loaded with, to go back to when a new view fails to load.
    shown: Selection,
    /// The message says a load failed: the next load that works takes it away.
    load_failed: bool,
    /// Earlier selections, the latest last, for `u`.
    undo: Vec<Selection>,
    pub quit: bool,
    /// Ctrl-Z: give the terminal back to the shell until `fg`.
    pub suspend: bool,
}

/// What selects and orders the events of the view.
#[derive(Debug, Clone, PartialEq)]
pub struct Selection {
    /// The filter of the command line.
    pub base: Expr,
    pub search: Option<String>,
    /// The typed filter expression, as typed and parsed.
    pub expr: Option<(String, Expr)>,
    pub funnels: Vec<Expr>,
    pub key: SortKey,
}

impl Selection {
    /// Drops every filter, the command line's too; the order stays.
    fn clear(&mut self) {
        *self = Selection {
            key: self.key,
            ..Selection::new(Expr::All)
        };
    }

    /// The events of the command line's filter, newest first.
    fn new(base: Expr) -> Selection {
        Selection {
            base,
            search: None,
            expr: None,
            funnels: Vec::new(),
            key: NEWEST_FIRST,
        }
    }
}

/// How many changes of the view `u` can undo.
const UNDO_STEPS: usize = 50;

/// The default order, as `list`: newest first.
pub const NEWEST_FIRST: SortKey = SortKey {
    field: SortField::Time,
    descending: true,
};

impl App {
    pub fn new(source: String, base: Expr, style: Style, size: (u16, u16)) -> App {
        App {
            source,
            style,
            now: Utc::now(),
            size,
            columns: DEFAULT_TABLE_COLUMNS.to_vec(),
            chosen: 2,
            widths: vec![0; DEFAULT_TABLE_COLUMNS.len()],
            selection: Selection::new(base.clone()),
            window: Window::new(),
            follow: false,
            last_seq: 0,
            mode: Mode::Table,
            message: None,
            bang: false,
            shown: Selection::new(base),
            load_failed: false,
            undo: Vec::new(),
            quit: false,
            suspend: false,
        }
    }

    /// What to do first: load the top of the view.
    pub fn start(&self) -> Vec<Effect> {
        vec![self.load(Load::Top(self.batch()))]
    }

    /// Rows of the table on screen.
    pub fn height(&self) -> usize {
        usize::from(self.size.1.saturating_sub(CHROME_ROWS)).max(1)
    }

    /// How many rows a load asks for: enough that a page either way is already loaded.
    fn batch(&self) -> usize {
        self.height() * 2
    }

    /// The filter of the view: the command line's, the search, the typed filter, the funnels.
    pub fn filter(&self) -> Expr {
        let mut parts = vec![self.selection.base.clone()];
        if let Some(words) = &self.selection.search {
            parts.push(Expr::Search(words.clone()));
        }
        if let Some((_, e)) = &self.selection.expr {
            parts.push(e.clone());
        }
        parts.extend(self.selection.funnels.iter().cloned());
        Expr::and(parts)
    }

    /// The filter as the status line shows it: each part as it was given.
    pub fn filter_text(&self) -> String {
        let mut parts = Vec::new();
        if self.selection.base != Expr::All {
            parts.push(crate::query::print::print(&self.selection.base));
        }
        if let Some(words) = &self.selection.search {
            parts.push(crate::query::print::print(&Expr::Search(words.clone())));
        }
        if let Some((text, _)) = &self.selection.expr {
            parts.push(text.clone());
        }
        parts.extend(
            self.selection
                .funnels
                .iter()
                .map(crate::query::print::print),
        );
        parts.join(" · ")
    }

    pub fn selected(&self) -> Option<&Event> {
        self.window.selected()
    }

    /// The rows on screen.
    pub fn visible(&self) -> &[Row] {
        self.window.visible(self.height())
    }

    /// The position of the selected event in the view, from 1.
    pub fn position(&self) -> u64 {
        self.window.position()
    }

    /// Moves the selection `d` rows (down when positive); loads more when it comes near an
    /// end of what is loaded.
    fn move_by(&mut self, d: isize) -> Vec<Effect> {
        self.window.move_by(d, self.height());
        self.prefetch()
    }

    /// Turns a page: the screen and the selection move together.
    fn page_by(&mut self, d: isize) -> Vec<Effect> {
        self.window.page(d, self.height());
        self.prefetch()
    }

    /// The loads that keep the window ahead of the selection.
    fn prefetch(&self) -> Vec<Effect> {
        let wanted = self.window.wanted(self.height());
        let n = self.batch();
        [
            wanted.after.map(|e| Load::After(e, n)),
            wanted.before.map(|e| Load::Before(e, n)),
        ]
        .into_iter()
        .flatten()
        .map(|load| self.load(load))
        .collect()
    }

    fn load(&self, load: Load) -> Effect {
        Effect::Load {
            filter: self.filter(),
            key: self.selection.key,
            load,
        }
    }

    /// Loads the view again keeping the selected event where it can (after a change of
    /// filter, order, or the log).
    fn reload(&self, or_clear: bool) -> Vec<Effect> {
        let n = self.batch();
        match self.selected() {
            Some(e) => vec![self.load(Load::Around {
                anchor: e.clone(),
                n,
                or_clear,
            })],
            None => vec![self.load(Load::Top(n))],
        }
    }

    /// Changes what selects the view, keeping the selection before for `u`.
    fn change(&mut self, how: impl FnOnce(&mut Selection)) {
        let before = self.selection.clone();
        how(&mut self.selection);
        if self.selection != before {
            self.undo.push(before);
            // An investigation's last steps, not all of them.
            if self.undo.len() > UNDO_STEPS {
                self.undo.remove(0);
            }
        }
    }

    fn say(&mut self, text: impl Into<String>) {
        self.message = Some((text.into(), false));
    }

    fn complain(&mut self, text: impl Into<String>) {
        self.load_failed = false;
        self.message = Some((text.into(), true));
    }

    pub fn update(&mut self, input: Input) -> Vec<Effect> {
        match input {
            Input::Resize(w, h) => {
                self.size = (w, h);
                self.window.scroll_to_cursor(self.height());
                self.prefetch()
            }
            Input::Tick if self.follow => vec![Effect::Poll {
                last_seq: self.last_seq,
            }],
            Input::Tick => Vec::new(),
            Input::Mouse(m) => self.mouse(m),
            Input::Paste(text) => self.paste(&text),
            Input::Key(k) if k.kind == KeyEventKind::Release => Vec::new(),
            Input::Key(k)
                if k.modifiers.contains(KeyModifiers::CONTROL) && k.code == KeyCode::Char('c') =>
            {
                self.quit = true;
                Vec::new()
            }
            Input::Key(k)
                if k.modifiers.contains(KeyModifiers::CONTROL) && k.code == KeyCode::Char('z') =>
            {
                self.suspend = true;
                Vec::new()
            }
            // Esc and a key read together arrive as Alt and the key (fast typing, ssh): both.
            Input::Key(k)
                if k.modifiers.contains(KeyModifiers::ALT)
                    && matches!(k.code, KeyCode::Char(_)) =>
            {
                let mut effects = self.update(Input::Key(KeyCode::Esc.into()));
                let plain = KeyEvent::new(k.code, k.modifiers - KeyModifiers::ALT);
                effects.extend(self.update(Input::Key(plain)));
                effects
            }
            Input::Key(k) => {
                match std::mem::replace(&mut self.mode, Mode::Table) {
                    Mode::Table => self.table_key(k),
                    Mode::Pane(p) => self.pane_key(p, k),
                    Mode::History(h) => self.history_key(h, k),
                    Mode::Prompt(p) => self.prompt_key(p, k),
                    Mode::Revert(r) => self.revert_key(*r, k),
                    Mode::Help(mut at) => {
                        // Keys that scroll it scroll it; any other closes it.
                        let lines = super::view::KEYS.len();
                        if scroll(&mut at, k.code, self.height(), lines) {
                            self.mode = Mode::Help(at);
                        }
                        Vec::new()
                    }
                }
            }
        }
    }

    fn table_key(&mut self, k: KeyEvent) -> Vec<Effect> {
        let bang = std::mem::take(&mut self.bang);
        if !matches!(k.code, KeyCode::Char('=')) {
            self.message = None;
        }
        let page = self.height() as isize;
        let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
        match k.code {
            KeyCode::Char('q') => {
                self.quit = true;
                Vec::new()
            }
            KeyCode::Char('j') | KeyCode::Down => self.move_by(1),
            KeyCode::Char('k') | KeyCode::Up => self.move_by(-1),
            KeyCode::Char('f') if ctrl => self.page_by(page),
            KeyCode::Char('b') if ctrl => self.page_by(-page),
            KeyCode::PageDown | KeyCode::Char(' ') => self.page_by(page),
            KeyCode::PageUp => self.page_by(-page),
            KeyCode::Char('g') | KeyCode::Home => vec![self.load(Load::Top(self.batch()))],
            KeyCode::Char('G') | KeyCode::End => vec![self.load(Load::Bottom(self.batch()))],
            KeyCode::Left | KeyCode::Right => {
                // Only among the columns on screen: one that gave way cannot be chosen unseen.
                let shown = super::view::shown_columns(self);
                if shown.is_empty() {
                    return Vec::new();
                }
                let at = shown.iter().position(|i| *i == self.chosen);
                let next = match (at, k.code) {
                    (Some(0), KeyCode::Left) | (None, KeyCode::Left) => shown.len() - 1,
                    (Some(i), KeyCode::Left) => i - 1,
                    (Some(i), _) => (i + 1) % shown.len(),
                    (None, _) => 0,
                };
                if let Some(c) = shown.get(next) {
                    self.chosen = *c;
                }
                Vec::new()
            }
            KeyCode::Enter => self.on_selected(Effect::Detail),
            KeyCode::Char('d') => self.on_selected(Effect::Diff),
            KeyCode::Char('r') => self.on_selected(Effect::Plan),
            KeyCode::Char('h') => match self.selected() {
                Some(e) if e.table.is_some() && e.resource_id.is_some() => {
                    vec![Effect::History(e.clone())]
                }
                Some(_) => {
                    self.complain("this event names no record (table and resource_id)");
                    Vec::new()
                }
                None => Vec::new(),
            },
            KeyCode::Char('y') => match self.selected() {
                // An id is free text: one with control characters could end a bracketed
                // paste and run what follows in the shell it is pasted into.
                Some(e) if crate::render::visible(&e.id, false) != e.id => {
                    self.complain("this id holds control or bidi characters: not copied");
                    Vec::new()
                }
                Some(e) => vec![Effect::Copy(e.id.clone())],
                None => Vec::new(),
            },
            KeyCode::Char('/') => {
                self.prompt(
                    PromptKind::Search,
                    self.selection.search.clone().unwrap_or_default(),
                );
                Vec::new()
            }
            KeyCode::Char('f') => {
                let text = self
                    .selection
                    .expr
                    .as_ref()
                    .map(|(t, _)| t.clone())
                    .unwrap_or_default();
                self.prompt(PromptKind::Filter, text);
                Vec::new()
            }
            KeyCode::Char('e') => {
                self.prompt(PromptKind::Export(ExportFormat::Csv), String::new());
                Vec::new()
            }
            KeyCode::Char('!') => {
                self.bang = true;
                self.say("!= : press = to exclude the selected value");
                Vec::new()
            }
            KeyCode::Char('=') => {
                self.message = None;
                self.funnel(if bang { CmpOp::Ne } else { CmpOp::Eq })
            }
            KeyCode::Char('s') => self.sort_by(self.chosen),
            KeyCode::Char('S') => {
                self.change(|s| s.key.descending = !s.key.descending);
                self.reload(false)
            }
            KeyCode::Char('u') => match self.undo.pop() {
                Some(before) => {
                    self.selection = before;
                    self.say("undone");
                    self.reload(false)
                }
                None => {
                    self.say("nothing to undo");
                    Vec::new()
                }
            },
            KeyCode::Char('c') => {
                let had = self.filter() != Expr::All;
                self.change(Selection::clear);
                if had {
                    self.say("filters cleared");
                    self.reload(false)
                } else {
                    Vec::new()
                }
            }
            KeyCode::Char('F') => {
                self.follow = !self.follow;
                if self.follow {
                    self.say("following: new events appear as they are appended");
                    vec![Effect::Poll {
                        last_seq: self.last_seq,
                    }]
                } else {
                    self.say("follow off");
                    Vec::new()
                }
            }
            KeyCode::Char('R') => self.reload(false),
            KeyCode::Char('?') => {
                self.mode = Mode::Help(0);
                Vec::new()
            }
            _ => Vec::new(),
        }
    }

    fn on_selected(&mut self, make: fn(Event) -> Effect) -> Vec<Effect> {
        self.selected().cloned().map(make).into_iter().collect()
    }

    fn prompt(&mut self, kind: PromptKind, input: String) {
        let mut p = Prompt::new(kind, input);
        self.check(&mut p);
        self.mode = Mode::Prompt(p);
    }

    /// Checks a filter as typed, so its error shows before Enter.
    fn check(&self, p: &mut Prompt) {
        if p.kind != PromptKind::Filter || p.input.trim().is_empty() {
            p.error = None;
            return;
        }
        p.error = match crate::query::parse(&p.input, self.now) {
            Ok(_) => None,
            Err(crate::query::error::QueryError::Syntax { pos, message, .. }) => {
                Some((message, pos))
            }
            Err(e) => Some((e.to_string(), p.input.len())),
        };
    }

    fn funnel(&mut self, op: CmpOp) -> Vec<Effect> {
        let Some(e) = self.selected() else {
            return Vec::new();
        };
        let column = self.columns[self.chosen];
        let value = match funnel_value(column, e) {
            Ok(v) => v,
            Err(why) => {
                self.complain(why);
                return Vec::new();
            }
        };
        let Some(field) = Field::from_name(column.name()) else {
            return Vec::new();
        };
        self.change(|s| s.funnels.push(Expr::Compare { field, op, value }));
        // Excluding the selected value moves off the selected event.
        self.reload(false)
    }

    fn sort_by(&mut self, column: usize) -> Vec<Effect> {
        let column = self.columns[column];
        let Some(field) = SortField::from_name(column.name()) else {
            self.complain(format!("cannot sort by {}", column.name()));
            return Vec::new();
        };
        let key = if self.selection.key.field == field {
            SortKey {
                field,
                descending: !self.selection.key.descending,
            }
        } else {
            // Times and seqs newest first, names from A.
            SortKey {
                field,
                descending: matches!(field, SortField::Time | SortField::Seq),
            }
        };
        self.change(|s| s.key = key);
        self.reload(false)
    }

    fn pane_key(&mut self, mut p: Pane, k: KeyEvent) -> Vec<Effect> {
        let lines = p.text.lines.len();
        if scroll(&mut p.scroll, k.code, self.height(), lines) {
            self.mode = Mode::Pane(p);
            return Vec::new();
        }
        match k.code {
            KeyCode::Esc | KeyCode::Char('q') => Vec::new(),
            KeyCode::Left | KeyCode::Right => {
                p.across = if k.code == KeyCode::Left {
                    p.across.saturating_sub(SIDEWAYS)
                } else {
                    p.across + SIDEWAYS
                };
                self.mode = Mode::Pane(p);
                Vec::new()
            }
            // From the detail straight to another view of the same event.
            KeyCode::Char('d') => self.on_selected(Effect::Diff),
            KeyCode::Enter => self.on_selected(Effect::Detail),
            _ => {
                self.mode = Mode::Pane(p);
                Vec::new()
            }
        }
    }

    fn history_key(&mut self, mut h: History, k: KeyEvent) -> Vec<Effect> {
        let last = h.rows.len().saturating_sub(1);
        match k.code {
            KeyCode::Esc | KeyCode::Char('q') => return Vec::new(),
            KeyCode::Char('j') | KeyCode::Down => h.cursor = (h.cursor + 1).min(last),
            KeyCode::Char('k') | KeyCode::Up => h.cursor = h.cursor.saturating_sub(1),
            KeyCode::Char('g') | KeyCode::Home => h.cursor = 0,
            KeyCode::Char('G') | KeyCode::End => h.cursor = last,
            KeyCode::Enter => {
                if let Some(row) = h.rows.get(h.cursor) {
                    return vec![self.load(Load::Around {
                        anchor: row.event.clone(),
                        n: self.batch(),
                        or_clear: true,
                    })];
                }
            }
            _ => {}
        }
        self.mode = Mode::History(h);
        Vec::new()
    }

    fn prompt_key(&mut self, mut p: Prompt, k: KeyEvent) -> Vec<Effect> {
        match (k.code, p.kind) {
            (KeyCode::Esc, _) => return Vec::new(),
            (KeyCode::Enter, _) => return self.submit(p),
            (KeyCode::Tab, PromptKind::Export(f)) => {
                let i = EXPORT_FORMATS.iter().position(|x| *x == f).unwrap_or(0);
                p.kind = PromptKind::Export(EXPORT_FORMATS[(i + 1) % EXPORT_FORMATS.len()]);
            }
            _ => {
                p.edit(k);
            }
        }
        self.check(&mut p);
        self.mode = Mode::Prompt(p);
        Vec::new()
    }

    /// Pasted text (bracketed paste): typed into a prompt or the revert's reason, one line; in
    /// the table it is no keys at all, so that a paste cannot run a command or answer a
    /// question.
    fn paste(&mut self, text: &str) -> Vec<Effect> {
        match &mut self.mode {
            Mode::Prompt(p) => {
                p.insert(text);
                if let Mode::Prompt(mut p) = std::mem::replace(&mut self.mode, Mode::Table) {
                    self.check(&mut p);
                    self.mode = Mode::Prompt(p);
                }
            }
            Mode::Revert(r) if !r.confirming && r.plan.refusal.is_none() => r.reason.insert(text),
            // A revert's question is answered by a key, never by a paste.
            Mode::Revert(_) => {}
            _ => self.say("a paste goes into a prompt: / to search, f to filter"),
        }
        Vec::new()
    }

    fn submit(&mut self, mut p: Prompt) -> Vec<Effect> {
        let text = p.input.trim().to_owned();
        match p.kind {
            // Words that make no term (punctuation, an emoji) would find every event.
            PromptKind::Search
                if !text.is_empty() && crate::query::search::wanted(&text).is_empty() =>
            {
                self.complain(
                    "no word to look for: a search finds words of letters and digits \
                     (and what joins them: - _ . : / @)",
                );
                self.mode = Mode::Prompt(p);
                Vec::new()
            }
            PromptKind::Search => {
                self.change(|s| s.search = (!text.is_empty()).then_some(text));
                vec![self.load(Load::Top(self.batch()))]
            }
            PromptKind::Filter if text.is_empty() => {
                self.change(|s| s.expr = None);
                vec![self.load(Load::Top(self.batch()))]
            }
            PromptKind::Filter => match crate::query::parse(&text, self.now) {
                Ok(e) => {
                    self.change(|s| s.expr = Some((text, e)));
                    vec![self.load(Load::Top(self.batch()))]
                }
                Err(_) => {
                    // The error is on screen; the prompt stays for the fix.
                    self.check(&mut p);
                    self.mode = Mode::Prompt(p);
                    Vec::new()
                }
            },
            PromptKind::Export(_) if text.is_empty() => {
                self.mode = Mode::Prompt(p);
                Vec::new()
            }
            PromptKind::Reason => Vec::new(),
            PromptKind::Export(format) => vec![Effect::Export {
                filter: self.filter(),
                format,
                path: text,
            }],
        }
    }

    fn revert_key(&mut self, mut r: RevertView, k: KeyEvent) -> Vec<Effect> {
        let lines = r.plan.text.lines.len();
        if matches!(
            k.code,
            KeyCode::Up | KeyCode::Down | KeyCode::PageUp | KeyCode::PageDown
        ) {
            scroll(&mut r.scroll, k.code, self.height(), lines);
            self.mode = Mode::Revert(Box::new(r));
            return Vec::new();
        }
        if r.plan.refusal.is_some() {
            // A refused plan is only read; closing it shows the log as it is now (a refusal
            // often means it moved on: another revert, a later change).
            if matches!(
                k.code,
                KeyCode::Esc | KeyCode::Char('q' | 'n') | KeyCode::Enter
            ) {
                return self.reload(false);
            }
        } else if k.code == KeyCode::Esc {
            self.say("revert cancelled");
            return Vec::new();
        } else if r.confirming {
            match k.code {
                KeyCode::Char('y' | 'Y') => {
                    let reason = r.reason.input.trim();
                    return vec![Effect::Revert {
                        target: r.plan.target,
                        etag: r.plan.etag,
                        reason: (!reason.is_empty()).then(|| reason.to_owned()),
                    }];
                }
                KeyCode::Char('n' | 'N' | 'q') => {
                    self.say("revert cancelled");
                    return Vec::new();
                }
                _ => {}
            }
        } else {
            match k.code {
                KeyCode::Enter => r.confirming = true,
                _ => {
                    r.reason.edit(k);
                }
            }
        }
        self.mode = Mode::Revert(Box::new(r));
        Vec::new()
    }

    fn mouse(&mut self, m: MouseEvent) -> Vec<Effect> {
        if !matches!(self.mode, Mode::Table) {
            return match m.kind {
                MouseEventKind::ScrollDown => self.update(Input::Key(KeyCode::Down.into())),
                MouseEventKind::ScrollUp => self.update(Input::Key(KeyCode::Up.into())),
                _ => Vec::new(),
            };
        }
        match m.kind {
            MouseEventKind::ScrollDown => self.move_by(3),
            MouseEventKind::ScrollUp => self.move_by(-3),
            MouseEventKind::Down(MouseButton::Left) if m.row == 0 => {
                match super::view::column_at(self, m.column) {
                    Some(i) => {
                        self.chosen = i;
                        self.sort_by(i)
                    }
                    None => Vec::new(),
                }
            }
            MouseEventKind::Down(MouseButton::Left) => {
                let i = self.window.top + usize::from(m.row) - 1;
                if usize::from(m.row) <= self.height() && i < self.window.rows.len() {
                    self.window.cursor = i;
                    if let Some(c) = super::view::column_at(self, m.column) {
                        self.chosen = c;
                    }
                    return self.prefetch();
                }
                Vec::new()
            }
            _ => Vec::new(),
        }
    }

    /// Takes in what an effect gave.
    pub fn apply(&mut self, outcome: Outcome) -> Vec<Effect> {
        match outcome {
            Outcome::Rows {
                load,
                rows,
                total,
                start,
                cleared,
            } => {
                if cleared {
                    self.change(Selection::clear);
                    self.say("filters cleared to show the chosen event (u brings them back)");
                }
                if let Some(t) = total {
                    self.window.total = t;
                }
                if !matches!(load, Load::After(..) | Load::Before(..)) {
                    self.mode = Mode::Table;
                    self.shown = self.selection.clone();
                    // A load that failed before (a server away) is over; other errors stay.
                    if std::mem::take(&mut self.load_failed) {
                        self.message = None;
                    }
                }
                for row in &rows {
                    for (i, c) in self.columns.iter().enumerate() {
                        let w = super::view::wanted_width(*c, row);
                        self.widths[i] = self.widths[i].max(w);
                    }
                }
                self.window.take(load, rows, start, self.height());
                self.prefetch()
            }
            Outcome::Pane { title, text } => {
                self.mode = Mode::Pane(Pane {
                    title,
                    text,
                    scroll: 0,
                    across: 0,
                });
                Vec::new()
            }
            Outcome::History { title, rows } => {
                // The selected event is chosen in its record's history.
                let seq = self.selected().and_then(|e| e.seq);
                let cursor = rows.iter().position(|r| r.event.seq == seq).unwrap_or(0);
                self.mode = Mode::History(History {
                    title,
                    rows,
                    cursor,
                });
                Vec::new()
            }
            Outcome::Plan(plan) => {
                self.mode = Mode::Revert(Box::new(RevertView {
                    plan,
                    reason: Prompt::new(PromptKind::Reason, String::new()),
                    confirming: false,
                    scroll: 0,
                }));
                Vec::new()
            }
            Outcome::Reverted(text) => {
                self.mode = Mode::Table;
                self.say(text);
                self.reload(false)
            }
            Outcome::Said(text) => {
                if matches!(self.mode, Mode::Prompt(_)) {
                    self.mode = Mode::Table;
                }
                self.say(text);
                Vec::new()
            }
            Outcome::Polled(seq) => {
                let grew = seq != self.last_seq;
                self.last_seq = seq;
                if !grew || !self.follow {
                    return Vec::new();
                }
                // At the end where new events arrive, stay there and see them come in.
                let newest_first = self.selection.key.descending;
                let w = &self.window;
                if newest_first && w.at_start && w.cursor == 0 {
                    vec![self.load(Load::Top(self.batch()))]
                } else if !newest_first && w.at_end && w.cursor + 1 >= w.rows.len() {
                    vec![self.load(Load::Bottom(self.batch()))]
                } else {
                    self.reload(false)
                }
            }
            Outcome::Failed(text) => {
                self.complain(text);
                Vec::new()
            }
            Outcome::RevertFailed(text) => {
                self.complain(text);
                self.reload(false)
            }
            Outcome::LoadFailed(text) => {
                // The change that failed is not one to undo.
                if self.undo.last() == Some(&self.shown) {
                    self.undo.pop();
                }
                self.selection = self.shown.clone();
                self.mode = Mode::Table;
                self.complain(text);
                self.load_failed = true;
                Vec::new()
            }
        }
    }
}

/// The value of a column that `=` and `!=` filter by: the event's own (its JSON value, as
/// `-o json` gives it), not the text shown.
fn funnel_value(column: Column, e: &Event) -> Result<Literal, String> {
    if column == Column::Time {
        return Err("= on time would match one instant: use f and `time >= …`".into());
    }
    let refused = || format!("cannot filter by {} with =", column.name());
    if Field::from_name(column.name()).is_none() {
        return Err(refused());
    }
    match column.json(e) {
        serde_json::Value::Null => Ok(Literal::Null),
        serde_json::Value::String(s) => Ok(Literal::String(s)),
        serde_json::Value::Number(n) => n.as_f64().map(Literal::Number).ok_or_else(refused),
        _ => Err(refused()),
    }
}

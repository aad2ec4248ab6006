//! What the viewer and the world say to each other: the inputs it takes, the effects it asks
//! for, what those give back, and a loaded row.

use ratatui::crossterm::event::{KeyEvent, MouseEvent};
use ratatui::text::Text;

use crate::commands::export::ExportFormat;
use crate::model::Event;
use crate::query::Expr;
use crate::render::table::{Styled, add_mark, styled};
use crate::render::{Column, DEFAULT_TABLE_COLUMNS};
use crate::store::SortKey;

/// What comes in: a key, the mouse, a new terminal size, or a clock tick (for follow).
#[derive(Debug, Clone)]
pub enum Input {
    Key(KeyEvent),
    Mouse(MouseEvent),
    Resize(u16, u16),
    /// Text pasted into the terminal (bracketed paste), as one input.
    Paste(String),
    Tick,
}

/// What the viewer asks for; `mod.rs` carries it out and hands the outcome to `apply`.
#[derive(Debug, Clone)]
pub enum Effect {
    /// Events of the view: `filter` in the order of `key`.
    Load {
        filter: Expr,
        key: SortKey,
        load: Load,
    },
    /// The full view of an event (`show`).
    Detail(Event),
    /// The before → after diff of an event (`diff`).
    Diff(Event),
    /// Every event of the event's record (`history`).
    History(Event),
    /// The plan of reverting an event (`revert --dry-run`).
    Plan(Event),
    /// Reverts the event, if its plan still has `etag`.
    Revert {
        target: Event,
        etag: String,
        reason: Option<String>,
    },
    /// Writes the events of `filter` to a file (`export`).
    Export {
        filter: Expr,
        format: ExportFormat,
        path: String,
    },
    /// Puts text on the clipboard of the terminal (OSC 52).
    Copy(String),
    /// Asks whether the log grew past `last_seq` (follow).
    Poll { last_seq: u64 },
}

/// Which events of the view to load.
#[derive(Debug, Clone)]
pub enum Load {
    /// The first `n`, and the total.
    Top(usize),
    /// The last `n`, and the total.
    Bottom(usize),
    /// `n` on each side of an event, its position and the total: the event stays selected.
    /// When it no longer matches the view (`or_clear`: the filters are dropped to keep it).
    Around {
        anchor: Event,
        n: usize,
        or_clear: bool,
    },
    /// The `n` after an event.
    After(Event, usize),
    /// The `n` before an event, in view order.
    Before(Event, usize),
}

/// A loaded event with its revert mark (`reverted by #12`) and its table cells, made once
/// when loaded (the change summary diffs the data: not a thing to do at every frame).
#[derive(Debug, Clone)]
pub struct Row {
    pub event: Event,
    pub mark: String,
    cells: Vec<(Column, Styled)>,
}

/// The most of a cell's text kept: wider than any terminal, far less than a value can be.
const CELL_CHARS: usize = 400;

impl Row {
    pub fn new(event: Event, mark: String) -> Row {
        // The columns of the table and of the history pane, each once.
        let mut columns: Vec<Column> = DEFAULT_TABLE_COLUMNS.to_vec();
        for c in crate::commands::history::TABLE_COLUMNS {
            if !columns.contains(&c) {
                columns.push(c);
            }
        }
        let cells = columns
            .iter()
            .map(|c| {
                let mut cell = styled(*c, &event);
                if matches!(c, Column::Changes | Column::Paths) {
                    add_mark(&mut cell, &mark);
                }
                if cell.text.len() > CELL_CHARS {
                    cell.text = crate::render::fit::cut_end(&cell.text, CELL_CHARS);
                }
                (*c, cell)
            })
            .collect();
        Row { event, mark, cells }
    }

    /// The cell of a column (an empty one for a column the viewer does not show).
    pub fn cell(&self, column: Column) -> std::borrow::Cow<'_, Styled> {
        match self.cells.iter().find(|(c, _)| *c == column) {
            Some((_, cell)) => std::borrow::Cow::Borrowed(cell),
            None => std::borrow::Cow::Owned(styled(column, &self.event)),
        }
    }
}

/// What an effect gave.
#[derive(Debug)]
pub enum Outcome {
    /// Rows of a `Load`; `total` and `start` (the position of the first row) where the load
    /// counted them; `cleared` when the filters were dropped to keep the anchor.
    Rows {
        load: Load,
        rows: Vec<Row>,
        total: Option<u64>,
        start: Option<u64>,
        cleared: bool,
    },
    /// A text pane: the detail or the diff.
    Pane {
        title: String,
        text: Text<'static>,
    },
    History {
        title: String,
        rows: Vec<Row>,
    },
    Plan(Plan),
    /// The revert was appended: what to say.
    Reverted(String),
    /// Something to say on the message line.
    Said(String),
    /// A load failed (a server refused a sort or a filter, or went away): the view stays as
    /// it was shown.
    LoadFailed(String),
    /// A revert was not appended (the log moved on since its plan, a server refused it): said,
    /// and the view loaded again as the log now is.
    RevertFailed(String),
    /// The log's last seq (follow).
    Polled(u64),
    Failed(String),
}

/// A revert plan as the viewer shows it.
#[derive(Debug)]
pub struct Plan {
    pub target: Event,
    pub etag: String,
    pub text: Text<'static>,
    /// Why it would be refused, with the hint.
    pub refusal: Option<String>,
}

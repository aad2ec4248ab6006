//! The table people read: plain aligned columns (as `kubectl get` and `docker ps` print them),
//! coloured actions with failures marked, times in a named zone, fitted to the terminal width
//! (`fit`).

use std::io::Write;

use chrono::{DateTime, Utc};
use comfy_table::{Attribute, Cell, Color, ContentArrangement, Table, presets};
use unicode_width::UnicodeWidthStr;

use super::zone::{ZONE_SUFFIX_WIDTH, Zone};
use super::{Column, EventWriter, Style, fit};
use crate::model::Event;

pub struct TableWriter<'a> {
    columns: Vec<Column>,
    /// The user named the columns (`--columns`): none is dropped to fit.
    named: bool,
    style: Style,
    rows: Vec<Row>,
    out: &'a mut dyn Write,
    /// Following: set before the first `finish` and kept, so every batch of rows lines up.
    streaming: Option<Option<Frozen>>,
}

/// The layout of a following table, fixed from the terminal when its header is printed.
struct Frozen {
    plan: fit::Plan,
    zone: Zone,
}

/// One row: its time (drawn once the layout picks a form) and its other cells.
struct Row {
    time: DateTime<Utc>,
    cells: Vec<Styled>,
}

/// One cell's text and look, kept until the layout is known.
#[derive(Debug, Clone)]
pub struct Styled {
    pub text: String,
    pub color: Option<Color>,
    pub dim: bool,
}

/// A cell of an event's row: its text on one line, safe for a terminal (the time is left
/// empty: its form depends on the layout), and its look: failures red and marked, actions
/// coloured, the seq dim, empty cells `-`. The browser draws the same cells.
pub fn styled(column: Column, e: &Event) -> Styled {
    let text = match column {
        Column::Time => String::new(),
        Column::Action if e.outcome == "failure" => format!("{} {FAILED}", one_line(&e.action)),
        other => one_line(&other.text(e)),
    };
    if text.is_empty() && column != Column::Time {
        return Styled {
            text: "-".into(),
            color: None,
            dim: true,
        };
    }
    let color = match column {
        Column::Action if e.outcome == "failure" => Some(Color::Red),
        Column::Action => Some(action_color(&e.action)),
        Column::Outcome if e.outcome == "failure" => Some(Color::Red),
        _ => None,
    };
    Styled {
        text,
        color,
        dim: column == Column::Seq,
    }
}

/// The width a column usually needs, for a following table laid out before its rows exist.
fn typical_width(c: Column) -> usize {
    match c {
        Column::Seq => 6,
        Column::User | Column::Ip => 15,
        Column::Action => 8,
        Column::Table | Column::ResourceId | Column::Changes => 12,
        Column::Id => 36,
        Column::Message => 60,
        _ => 20,
    }
}

impl<'a> TableWriter<'a> {
    /// A table of the columns the user `named`, else of `default` ones, which may give way.
    pub fn new(
        named: Option<Vec<Column>>,
        default: &[Column],
        style: Style,
        out: &'a mut dyn Write,
    ) -> Self {
        TableWriter {
            named: named.is_some(),
            columns: named.unwrap_or_else(|| default.to_vec()),
            style,
            rows: Vec::new(),
            out,
            streaming: None,
        }
    }

    /// A table that grows as rows come (`--follow`): the header and the column widths come
    /// from the terminal with the first `finish`; later ones print only their new rows.
    pub fn streaming(mut self) -> Self {
        self.streaming = Some(None);
        self
    }

    /// Lays out the rows so far in the terminal's width.
    fn layout(&self, zone: &Zone) -> fit::Plan {
        let following = self.streaming.is_some();
        let natural: Vec<usize> = self
            .columns
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let header = header(*c, zone).width();
                if *c == Column::Time {
                    return header;
                }
                if following {
                    return header.max(typical_width(*c));
                }
                let widest = self.rows.iter().map(|r| r.cells[i].text.width());
                widest.max().unwrap_or(0).max(header)
            })
            .collect();
        let time_extra = if self.rows.iter().any(|r| zone.suffix(&r.time).is_some()) {
            ZONE_SUFFIX_WIDTH
        } else {
            0
        };
        let mut years = self.rows.iter().map(|r| zone.local_year(&r.time));
        let first = years.next();
        let wants = fit::Wants {
            columns: &self.columns,
            natural: &natural,
            time_extra,
            named: self.named,
            // A following table may run into a new year.
            one_year: !following && years.all(|y| Some(y) == first),
        };
        fit::plan(&wants, self.style.width.map(usize::from))
    }
}

/// The mark on the action of a failed event, so a failure shows without colour too.
pub const FAILED: &str = "✗";

/// The header of a column; the time's says its zone.
pub fn header(c: Column, zone: &Zone) -> String {
    match c {
        Column::Time => format!("TIME ({})", zone.label()),
        other => other.name().to_ascii_uppercase(),
    }
}

/// The colour of an action, as in the diff: additions green, removals red, changes yellow.
pub fn action_color(action: &str) -> Color {
    match action {
        "CREATE" => Color::Green,
        "UPDATE" | "PUT" => Color::Yellow,
        "DELETE" => Color::Red,
        "LOGIN" => Color::Blue,
        _ => Color::Cyan,
    }
}

/// Text on one line, nothing in it able to drive the terminal (`visible`).
fn one_line(text: &str) -> String {
    super::visible(text, false).into_owned()
}

/// Adds a revert mark (`reverted by #12`) to the cell of a change column.
pub fn add_mark(cell: &mut Styled, mark: &str) {
    if mark.is_empty() {
        return;
    }
    cell.text = if cell.dim {
        mark.to_owned()
    } else {
        format!("{}, {mark}", cell.text)
    };
    cell.dim = false;
    cell.color = Some(Color::Magenta);
}

impl TableWriter<'_> {
    /// Adds a row whose change column (`paths`, else `changes`) carries a mark such as
    /// `reverted by #12`.
    pub fn write_marked(&mut self, e: &Event, mark: &str) {
        let marked = [Column::Paths, Column::Changes]
            .into_iter()
            .find(|c| self.columns.contains(c));
        let cells = self
            .columns
            .iter()
            .map(|c| {
                let mut cell = styled(*c, e);
                if Some(*c) == marked {
                    add_mark(&mut cell, mark);
                }
                cell
            })
            .collect();
        self.rows.push(Row {
            time: e.time,
            cells,
        });
    }
}

impl EventWriter for TableWriter<'_> {
    fn write(&mut self, e: &Event) -> anyhow::Result<()> {
        self.write_marked(e, "");
        Ok(())
    }

    fn finish(&mut self) -> anyhow::Result<()> {
        let first = !matches!(self.streaming, Some(Some(_)));
        if first {
            // The zone the header names: that of the first row, or of now for a table whose
            // rows are yet to come.
            let reference = match self.streaming {
                Some(_) => Utc::now(),
                None => self.rows.first().map_or_else(Utc::now, |r| r.time),
            };
            let zone = Zone::at(&self.style, &reference);
            let plan = self.layout(&zone);
            if self.streaming.is_some() {
                self.streaming = Some(Some(Frozen { plan, zone }));
            } else if self.rows.is_empty() {
                // Nothing matched: no header over no rows (the caller says so on stderr).
                return Ok(());
            } else {
                let rows = std::mem::take(&mut self.rows);
                return self.print(&plan, &zone, true, false, rows);
            }
        }
        let rows = std::mem::take(&mut self.rows);
        let Some(Some(frozen)) = self.streaming.take() else {
            unreachable!("a following table is frozen by now");
        };
        let printed = self.print(&frozen.plan, &frozen.zone, first, true, rows);
        self.streaming = Some(Some(frozen));
        printed
    }
}

impl TableWriter<'_> {
    /// Prints rows in a layout, with the header when `with_header`; `pad` pads every cell, so
    /// that later batches of a following table line up with the first.
    fn print(
        &mut self,
        plan: &fit::Plan,
        zone: &Zone,
        with_header: bool,
        pad: bool,
        rows: Vec<Row>,
    ) -> anyhow::Result<()> {
        // Widths are cut only to fit a terminal; piped output keeps every cell whole.
        let cut = self.style.width.is_some();
        let shown: Vec<(usize, usize)> = plan
            .widths
            .iter()
            .enumerate()
            .filter_map(|(i, w)| w.map(|w| (i, w)))
            .collect();
        let color = self.style.color;
        let mut table = Table::new();
        table.load_preset(presets::NOTHING);
        table.force_no_tty();
        table.set_content_arrangement(ContentArrangement::Disabled);
        if color {
            table.enforce_styling();
        }
        if with_header {
            table.set_header(shown.iter().map(|(i, w)| {
                let mut name = header(self.columns[*i], zone);
                if cut {
                    // A squeezed column's name is cut like its cells.
                    name = fit::cut_end(&name, *w);
                }
                let cell = Cell::new(if pad { format!("{name:<w$}") } else { name });
                if color {
                    cell.add_attribute(Attribute::Bold)
                } else {
                    cell
                }
            }));
        }
        for mut row in rows {
            let cells = shown.iter().map(|(i, w)| {
                let column = self.columns[*i];
                let s = &mut row.cells[*i];
                if column == Column::Time {
                    s.text = zone.format(&row.time, plan.time.pattern());
                    if let Some(suffix) = zone.suffix(&row.time) {
                        s.text.push_str(&suffix);
                    }
                }
                let mut text = match (cut, column) {
                    (false, _) => std::mem::take(&mut s.text),
                    (true, Column::Ip) => fit::cut_middle(&s.text, *w),
                    (true, _) => fit::cut_end(&s.text, *w),
                };
                if pad {
                    text.push_str(&" ".repeat(w.saturating_sub(text.width())));
                }
                let mut cell = Cell::new(text);
                if color {
                    if let Some(c) = s.color {
                        cell = cell.fg(c);
                    }
                    if s.dim {
                        cell = cell.add_attribute(Attribute::Dim);
                    }
                }
                cell
            });
            table.add_row(cells.collect::<Vec<_>>());
        }
        // Columns flush left and two spaces apart, like `kubectl get`.
        let last = shown.len().saturating_sub(1);
        for (i, column) in table.column_iter_mut().enumerate() {
            column.set_padding((0, if i == last { 0 } else { fit::GAP as u16 }));
        }
        let out = &mut *self.out;
        // comfy-table pads every line to the column widths; trailing blanks are noise.
        for line in table.to_string().lines() {
            writeln!(out, "{}", line.trim_end())?;
        }
        out.flush()?;
        Ok(())
    }
}

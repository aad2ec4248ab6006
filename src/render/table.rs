//! The table people read: plain aligned columns (as `kubectl get` and `docker ps` print them),
//! coloured actions, local times, fitted to the terminal width.

use std::io::Write;

use comfy_table::{Attribute, Cell, Color, ContentArrangement, Table, presets};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use super::{Column, EventWriter, Style, human_time};
use crate::model::Event;

pub struct TableWriter<'a> {
    columns: Vec<Column>,
    style: Style,
    rows: Vec<Vec<Styled>>,
    out: &'a mut dyn Write,
    /// Following: each `finish` prints the rows so far, in widths fixed by the first.
    streaming: Option<Vec<usize>>,
}

/// One cell's text and look, kept until the layout is known.
struct Styled {
    text: String,
    color: Option<Color>,
    dim: bool,
}

/// Columns that give up width when the terminal is narrow; the others keep their full width,
/// as in `kubectl get` (a time or an id cut in half helps nobody).
fn is_flexible(c: Column) -> bool {
    matches!(
        c,
        Column::Message | Column::Before | Column::After | Column::Meta | Column::Id
    )
}

/// The width a column usually needs, for a streaming table laid out before its rows exist.
fn typical_width(c: Column) -> usize {
    match c {
        Column::Seq => 6,
        Column::Time => 19,
        Column::User | Column::Ip => 15,
        Column::Action => 8,
        Column::Table | Column::ResourceId | Column::Changes => 12,
        Column::Id => 36,
        _ => 20,
    }
}

/// Narrowest a flexible column gets.
const MIN_FLEX_WIDTH: usize = 12;
/// Spaces between columns.
const GAP: usize = 2;

impl<'a> TableWriter<'a> {
    pub fn new(columns: Vec<Column>, style: Style, out: &'a mut dyn Write) -> Self {
        TableWriter {
            columns,
            style,
            rows: Vec::new(),
            out,
            streaming: None,
        }
    }

    /// A table that grows as rows come (`--follow`): the header and the column widths come
    /// with the first `finish`, later ones print only their new rows in the same widths.
    pub fn streaming(mut self) -> Self {
        self.streaming = Some(Vec::new());
        self
    }

    fn styled(&self, column: Column, e: &Event) -> Styled {
        let text = match column {
            Column::Time => human_time(&e.time, &self.style),
            other => one_line(&other.text(e)),
        };
        if text.is_empty() {
            return Styled {
                text: "-".into(),
                color: None,
                dim: true,
            };
        }
        let color = match column {
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

    /// The width of each column: its widest cell, with flexible columns sharing what the
    /// terminal leaves.
    fn widths(&self) -> Vec<usize> {
        let mut widths: Vec<usize> = self
            .columns
            .iter()
            .map(|c| match self.streaming {
                // Rows yet to come are likely as wide as these.
                Some(_) => c.name().len().max(typical_width(*c)),
                None => c.name().len(),
            })
            .collect();
        for row in &self.rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.text.width());
            }
        }
        let Some(total) = self.style.width.map(usize::from) else {
            return widths;
        };
        let gaps = GAP * self.columns.len().saturating_sub(1);
        let fixed: usize = self
            .columns
            .iter()
            .zip(&widths)
            .filter(|(c, _)| !is_flexible(**c))
            .map(|(_, w)| *w)
            .sum();
        let flexible: Vec<usize> = (0..self.columns.len())
            .filter(|i| is_flexible(self.columns[*i]))
            .collect();
        if flexible.is_empty() {
            return widths;
        }
        let wanted: usize = flexible.iter().map(|i| widths[*i]).sum();
        let room = total.saturating_sub(fixed + gaps);
        if wanted > room {
            // Share the room in proportion to what each column wants, never below the minimum.
            for i in &flexible {
                let share = room * widths[*i] / wanted.max(1);
                widths[*i] = widths[*i].min(share.max(MIN_FLEX_WIDTH));
            }
        }
        widths
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

/// Cuts text to `width` display columns, ending in an ellipsis when cut.
fn fit(text: &str, width: usize) -> String {
    if text.width() <= width {
        return text.to_owned();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        out.push(c);
        used += w;
    }
    out.push('…');
    out
}

impl TableWriter<'_> {
    /// Adds a row whose change column (`paths`, else `changes`) carries a mark such as
    /// `reverted by #12`.
    pub fn write_marked(&mut self, e: &Event, mark: &str) {
        let marked = [Column::Paths, Column::Changes]
            .into_iter()
            .find(|c| self.columns.contains(c));
        let row = self
            .columns
            .iter()
            .map(|c| {
                let mut cell = self.styled(*c, e);
                if Some(*c) == marked && !mark.is_empty() {
                    cell.text = if cell.dim {
                        mark.to_owned()
                    } else {
                        format!("{}, {mark}", cell.text)
                    };
                    cell.dim = false;
                    cell.color = Some(Color::Magenta);
                }
                cell
            })
            .collect();
        self.rows.push(row);
    }
}

impl EventWriter for TableWriter<'_> {
    fn write(&mut self, e: &Event) -> anyhow::Result<()> {
        self.write_marked(e, "");
        Ok(())
    }

    fn finish(&mut self) -> anyhow::Result<()> {
        let first = self.streaming.as_ref().is_none_or(|w| w.is_empty());
        let widths = match &self.streaming {
            Some(w) if !w.is_empty() => w.clone(),
            _ => self.widths(),
        };
        if let Some(frozen) = &mut self.streaming {
            *frozen = widths.clone();
        }
        let pad = self.streaming.is_some();
        let mut table = Table::new();
        table.load_preset(presets::NOTHING);
        table.force_no_tty();
        table.set_content_arrangement(ContentArrangement::Disabled);
        if self.style.color {
            table.enforce_styling();
        }
        let color = self.style.color;
        let header: Vec<Cell> = self
            .columns
            .iter()
            .zip(&widths)
            .map(|(c, w)| {
                let name = c.name().to_ascii_uppercase();
                let cell = Cell::new(if pad { format!("{name:<w$}") } else { name });
                if color {
                    cell.add_attribute(Attribute::Bold)
                } else {
                    cell
                }
            })
            .collect();
        if first {
            table.set_header(header);
        }
        for row in self.rows.drain(..) {
            let cells: Vec<Cell> = row
                .into_iter()
                .zip(&widths)
                .map(|(s, w)| {
                    let mut text = fit(&s.text, *w);
                    if pad {
                        // Every batch lines up with the first.
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
                })
                .collect();
            table.add_row(cells);
        }
        // Columns flush left and two spaces apart, like `kubectl get`.
        let last = self.columns.len().saturating_sub(1);
        for (i, column) in table.column_iter_mut().enumerate() {
            column.set_padding((0, if i == last { 0 } else { GAP as u16 }));
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

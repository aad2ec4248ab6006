//! Drawing the viewer: the table fitted as `list` fits it, the status and prompt lines, and
//! the panes over the table. Reads the `App`, changes nothing.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style as Look};
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::{Block, Clear, Paragraph};
use unicode_width::UnicodeWidthStr;

use super::app::{App, MIN_SIZE};
use super::data::count;
use super::effect::Row;
use super::modes::{Mode, PromptKind, export_format_name};
use crate::render::fit::{self, GAP};
use crate::render::table::{Styled, header};
use crate::render::zone::{ZONE_SUFFIX_WIDTH, Zone};
use crate::render::{Column, thousands, visible};
use crate::store::SortField;

/// The keys, as `?` shows them and the README lists them.
pub const KEYS: [(&str, &str); 22] = [
    ("j k ↓ ↑", "move the selection"),
    ("PgDn PgUp Space", "a page down or up"),
    ("g G", "the first and the last event"),
    ("Enter", "the selected event in full (show)"),
    ("d", "its diff, before → after"),
    (
        "h",
        "the history of its record; Enter there selects an event",
    ),
    ("Esc", "close a pane or a prompt"),
    ("/", "search: events with every word"),
    ("f", "a filter expression, checked as you type"),
    (
        "in a prompt",
        "← → Home End Ctrl-A E W U K edit; a paste is only typed",
    ),
    ("← →", "choose a column"),
    (
        "= !=",
        "only events with (!=: without) the selected value there",
    ),
    (
        "s S",
        "sort by the chosen column (again: reverse); S reverses",
    ),
    ("c", "clear every filter"),
    ("u", "undo the last change of filter, search or order"),
    ("F", "follow: show new events as they are appended"),
    ("r", "revert the selected event: plan, reason, y"),
    ("e", "export the view to a file (Tab: format)"),
    ("y", "copy the selected event's id (OSC 52)"),
    ("R", "load the view again"),
    ("q Ctrl-C", "quit (Ctrl-Z suspends); ? shows these keys"),
    (
        "mouse",
        "click a header to sort, a row to select; wheel scrolls",
    ),
];

/// The keys the bottom line names, as many as fit.
const HINTS: [&str; 10] = [
    "? keys",
    "/ search",
    "f filter",
    "Enter show",
    "d diff",
    "h history",
    "r revert",
    "= funnel",
    "s sort",
    "q quit",
];

pub fn draw(f: &mut Frame, app: &App) {
    let area = f.area();
    if area.width < MIN_SIZE.0 || area.height < MIN_SIZE.1 {
        let text = format!(
            "auditctl browse needs a terminal of at least {}×{} (this one is {}×{})",
            MIN_SIZE.0, MIN_SIZE.1, area.width, area.height
        );
        f.render_widget(
            Paragraph::new(text).wrap(ratatui::widgets::Wrap { trim: true }),
            area,
        );
        return;
    }
    let [main, status, bottom] = Layout::vertical([
        Constraint::Min(1),
        Constraint::Length(1),
        Constraint::Length(1),
    ])
    .areas(area);
    draw_table(f, app, main);
    draw_status(f, app, status);
    draw_bottom(f, app, bottom);
    match &app.mode {
        Mode::Pane(p) => draw_text(f, &p.title, &p.text, (p.scroll, p.across), main),
        Mode::History(h) => {
            let block = Block::bordered().title(format!(
                " {} · {} · Enter selects, Esc closes ",
                h.title,
                count(h.rows.len() as u64, "event")
            ));
            let inner = block.inner(main);
            f.render_widget(Clear, main);
            f.render_widget(block, main);
            let width = usize::from(inner.width);
            let height = usize::from(inner.height).saturating_sub(1);
            let top = h.cursor.saturating_sub(height.saturating_sub(1));
            let shown = &h.rows[top..(top + height).min(h.rows.len())];
            let (head, lines) = table_lines(
                app,
                &crate::commands::history::TABLE_COLUMNS,
                (shown, &h.rows),
                h.cursor.checked_sub(top),
                None,
                width,
            );
            let mut text = vec![head];
            text.extend(lines);
            f.render_widget(Paragraph::new(text), inner);
        }
        Mode::Revert(r) => {
            let (lines, look): (Vec<String>, Look) = match (&r.plan.refusal, r.confirming) {
                (Some(why), _) => (
                    format!("refused: {why}\nEsc closes · `auditctl revert --force` overrides")
                        .lines()
                        .map(str::to_owned)
                        .collect(),
                    red(app),
                ),
                (None, false) => (
                    vec![
                        format!(
                            "reason: {}",
                            typed(
                                &r.reason.input,
                                r.reason.at,
                                usize::from(main.width).saturating_sub(9)
                            )
                            .0
                        ),
                        "type why, Enter (none: the event's own message is used) · Esc cancels"
                            .to_owned(),
                    ],
                    Look::new(),
                ),
                (None, true) => (
                    vec![
                        format!(
                            "revert event {}? y appends the revert · n or Esc cancels",
                            r.plan.target.seq.unwrap_or_default()
                        ),
                        format!("reason: {}", visible(&r.reason.input, false)),
                    ],
                    Look::new().add_modifier(Modifier::BOLD),
                ),
            };
            // As many lines as the words take (a refusal names each path), at most half.
            let width = usize::from(main.width).max(1);
            let needed: usize = lines.iter().map(|l| l.width().div_ceil(width).max(1)).sum();
            let height = (needed as u16 + 1).min(main.height / 2).max(2);
            let [plan, foot] =
                Layout::vertical([Constraint::Min(1), Constraint::Length(height)]).areas(main);
            draw_text(f, "revert", &r.plan.text, (r.scroll, 0), plan);
            f.render_widget(Clear, foot);
            f.render_widget(
                Paragraph::new(lines.join("\n"))
                    .style(look)
                    .wrap(ratatui::widgets::Wrap { trim: false }),
                foot,
            );
        }
        Mode::Help(at) => draw_help(f, area, *at),
        Mode::Table | Mode::Prompt(_) => {}
    }
}

/// A text in a frame, from line `down` and column `across`.
fn draw_text(
    f: &mut Frame,
    title: &str,
    text: &Text<'static>,
    (down, across): (usize, usize),
    area: Rect,
) {
    let block = Block::bordered().title(format!(" {title} · ↑↓←→ PgUp PgDn scroll, Esc closes "));
    f.render_widget(Clear, area);
    // Only the lines on screen are handed over: an event's text can be megabytes.
    let end = (down + usize::from(area.height)).min(text.lines.len());
    let shown = Text::from(text.lines[down.min(end)..end].to_vec());
    let across = u16::try_from(across).unwrap_or(u16::MAX);
    f.render_widget(Paragraph::new(shown).block(block).scroll((0, across)), area);
}

fn draw_help(f: &mut Frame, area: Rect, at: usize) {
    let lines: Vec<Line> = KEYS
        .iter()
        .skip(at)
        .map(|(k, what)| {
            Line::from(vec![
                Span::styled(
                    format!("{k:>16}  "),
                    Look::new().add_modifier(Modifier::BOLD),
                ),
                Span::raw(*what),
            ])
        })
        .collect();
    let width = area.width.min(78);
    let height = area
        .height
        .min((KEYS.len() - at.min(KEYS.len())) as u16 + 2);
    let x = area.x + (area.width - width) / 2;
    let box_area = Rect::new(x, area.y, width, height);
    f.render_widget(Clear, box_area);
    f.render_widget(
        Paragraph::new(lines)
            .block(Block::bordered().title(" keys · ↑↓ scroll, any other key closes ")),
        box_area,
    );
}

fn red(app: &App) -> Look {
    if app.style.color {
        Look::new().fg(Color::Red)
    } else {
        Look::new().add_modifier(Modifier::BOLD)
    }
}

fn draw_table(f: &mut Frame, app: &App, area: Rect) {
    let rows = app.visible();
    if rows.is_empty() {
        let what = if app.filter() == crate::query::Expr::All {
            "the log is empty"
        } else {
            "no events match the filter (c clears it)"
        };
        f.render_widget(Paragraph::new(what), area);
        return;
    }
    let selected = app.window.cursor.checked_sub(app.window.top);
    let (head, lines) = table_lines(
        app,
        &app.columns,
        (rows, &app.window.rows),
        selected,
        Some(app.chosen),
        usize::from(area.width),
    );
    let mut text = vec![head];
    text.extend(lines);
    f.render_widget(Paragraph::new(text), area);
}

/// The shown columns of a table: (column index, x, width).
struct Placed {
    cells: Vec<(usize, usize, usize)>,
    plan: fit::Plan,
    zone: Zone,
}

/// The widest a column is laid out for, whatever its widest value: a long name shows cut
/// rather than pushing the message off the screen. The message takes what is left.
fn widest(c: Column) -> usize {
    match c {
        Column::Action => 12,
        Column::Ip => 20,
        Column::Changes => 30,
        Column::Paths => 40,
        Column::Message => usize::MAX,
        _ => 24,
    }
}

/// Lays out a table as `list` does (columns give way in its order to fit `width`), measured
/// on `measured`: every loaded row, not only those on screen, so that the layout holds still
/// while the selection moves.
/// The width a row asks of a column, as far as `widest` lets it.
pub fn wanted_width(c: Column, row: &Row) -> usize {
    row.cell(c).text.width().min(widest(c))
}

fn place(app: &App, columns: &[Column], measured: &[Row], width: usize) -> Placed {
    // The main table never narrows a column it has shown wider (`App::widths`): a sort or a
    // page does not move the headers under the pointer.
    let floor = |i: usize| {
        if std::ptr::eq(columns, app.columns.as_slice()) {
            app.widths.get(i).copied().unwrap_or(0)
        } else {
            0
        }
    };
    let reference = measured.first().map_or(app.now, |r| r.event.time);
    let zone = Zone::at(&app.style, &reference);
    let natural: Vec<usize> = columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let head = header(*c, &zone).width() + 1;
            if *c == Column::Time {
                return head;
            }
            let values = measured.iter().map(|r| wanted_width(*c, r));
            values.max().unwrap_or(0).max(floor(i)).max(head)
        })
        .collect();
    let time_extra = if measured
        .iter()
        .any(|r| zone.suffix(&r.event.time).is_some())
    {
        ZONE_SUFFIX_WIDTH
    } else {
        0
    };
    let mut years = measured.iter().map(|r| zone.local_year(&r.event.time));
    let first = years.next();
    let wants = fit::Wants {
        columns,
        natural: &natural,
        time_extra,
        named: false,
        one_year: years.all(|y| Some(y) == first),
    };
    let plan = fit::plan(&wants, Some(width));
    let mut x = 0;
    let mut cells = Vec::new();
    for (i, w) in plan.widths.iter().enumerate() {
        if let Some(w) = w {
            cells.push((i, x, *w));
            x += w + GAP;
        }
    }
    Placed { cells, plan, zone }
}

/// The header and the lines of a table of `rows`, laid out for `measured`, `selected`
/// reversed; in the main table (`chosen` given) the chosen column's header underlined and the
/// sort column's arrowed.
fn table_lines(
    app: &App,
    columns: &[Column],
    (rows, measured): (&[Row], &[Row]),
    selected: Option<usize>,
    chosen: Option<usize>,
    width: usize,
) -> (Line<'static>, Vec<Line<'static>>) {
    let placed = place(app, columns, measured, width);
    let bold = Look::new().add_modifier(Modifier::BOLD);
    let head: Vec<Span> = placed
        .cells
        .iter()
        .map(|&(i, _, w)| {
            let mut name = header(columns[i], &placed.zone);
            if chosen.is_some() && Some(columns[i]) == app.key_column() {
                // The arrow stays when the name is cut.
                let arrow = if app.selection.key.descending {
                    "↓"
                } else {
                    "↑"
                };
                name = fit::cut_end(&name, w.saturating_sub(1)) + arrow;
            }
            let look = if Some(i) == chosen {
                bold.add_modifier(Modifier::UNDERLINED)
            } else {
                bold
            };
            Span::styled(pad(&fit::cut_end(&name, w), w + GAP), look)
        })
        .collect();
    let lines = rows
        .iter()
        .enumerate()
        .map(|(n, row)| {
            let spans: Vec<Span> = placed
                .cells
                .iter()
                .map(|&(i, _, w)| {
                    let column = columns[i];
                    let cell = row.cell(column);
                    let text = if column == Column::Time {
                        let mut t = placed
                            .zone
                            .format(&row.event.time, placed.plan.time.pattern());
                        if let Some(s) = placed.zone.suffix(&row.event.time) {
                            t.push_str(&s);
                        }
                        t
                    } else if column == Column::Ip {
                        fit::cut_middle(&cell.text, w)
                    } else {
                        fit::cut_end(&cell.text, w)
                    };
                    Span::styled(pad(&text, w + GAP), look_of(app, &cell))
                })
                .collect();
            let mut line = Line::from(spans);
            if Some(n) == selected {
                // The whole width, so the selection shows as a bar.
                let used = line.width();
                line.push_span(Span::raw(" ".repeat(width.saturating_sub(used))));
                line = line.style(Look::new().add_modifier(Modifier::REVERSED));
            }
            line
        })
        .collect();
    (Line::from(head), lines)
}

fn pad(text: &str, width: usize) -> String {
    format!("{text}{}", " ".repeat(width.saturating_sub(text.width())))
}

/// A cell's colour and dimness where colour is on.
fn look_of(app: &App, cell: &Styled) -> Look {
    let mut look = Look::new();
    if !app.style.color {
        return look;
    }
    if let Some(c) = cell.color {
        look = look.fg(match c {
            comfy_table::Color::Red => Color::Red,
            comfy_table::Color::Green => Color::Green,
            comfy_table::Color::Yellow => Color::Yellow,
            comfy_table::Color::Blue => Color::Blue,
            comfy_table::Color::Magenta => Color::Magenta,
            comfy_table::Color::Cyan => Color::Cyan,
            _ => Color::Reset,
        });
    }
    if cell.dim {
        look = look.add_modifier(Modifier::DIM);
    }
    look
}

/// The column under screen column `x` of the table, as an index into `app.columns`.
/// The columns the table shows at its width, as indices into `app.columns`.
pub fn shown_columns(app: &App) -> Vec<usize> {
    let placed = place(app, &app.columns, &app.window.rows, usize::from(app.size.0));
    placed.cells.iter().map(|&(i, _, _)| i).collect()
}

pub fn column_at(app: &App, x: u16) -> Option<usize> {
    let placed = place(app, &app.columns, &app.window.rows, usize::from(app.size.0));
    let x = usize::from(x);
    placed
        .cells
        .iter()
        .find(|&&(_, start, w)| x >= start && x < start + w + GAP)
        .map(|&(i, _, _)| i)
}

impl App {
    /// The column the view is sorted by, for its arrow in the header: the one of the sort
    /// field's name.
    fn key_column(&self) -> Option<Column> {
        let field = self.selection.key.field;
        let (name, _) = SortField::NAMES.iter().find(|(_, f)| *f == field)?;
        crate::render::COLUMN_NAMES
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, c)| *c)
    }
}

fn draw_status(f: &mut Frame, app: &App, area: Rect) {
    if let Mode::Prompt(p) = &app.mode {
        let prefix = prompt_prefix(p.kind);
        let room = usize::from(area.width).saturating_sub(prefix.width() + 1);
        let (input, _) = typed(&p.input, p.at, room);
        let line = Line::from(vec![
            Span::styled(prefix, Look::new().add_modifier(Modifier::BOLD)),
            Span::raw(input),
        ]);
        f.render_widget(Paragraph::new(line), area);
        return;
    }
    let filter = app.filter_text();
    let filter = if filter.is_empty() {
        "no filter".to_owned()
    } else {
        visible(&filter, false).into_owned()
    };
    let position = if app.window.rows.is_empty() {
        format!("0 of {}", thousands(app.window.total))
    } else {
        format!(
            "{} of {}",
            thousands(app.position()),
            thousands(app.window.total)
        )
    };
    let follow = if app.follow { " · following" } else { "" };
    // The column `=` and `s` act on, named: its underline alone is easy to lose.
    let column = app.columns[app.chosen].name();
    // The selected event's revert mark, which the table loses when its change column gives way.
    let mark = match app.window.rows.get(app.window.cursor) {
        Some(row) if !row.mark.is_empty() => format!("{} · ", row.mark),
        _ => String::new(),
    };
    let right = format!(" {mark}▸{column} · {position}{follow} ");
    let left = format!(" {} · {filter}", visible(&app.source, false));
    let width = usize::from(area.width);
    let room = width.saturating_sub(right.width());
    // Cut from the start: the last filter added (a funnel) is the one to see.
    let left = if left.width() > room {
        let source = format!(" {} · ", visible(&app.source, false));
        let (tail, _) = typed(
            &filter,
            filter.len(),
            room.saturating_sub(source.width() + 1),
        );
        format!("{source}{}", tail.trim_end_matches('▏'))
    } else {
        left
    };
    let line = format!("{}{right}", pad(&fit::cut_end(&left, room), room));
    f.render_widget(
        Paragraph::new(line).style(Look::new().add_modifier(Modifier::REVERSED)),
        area,
    );
}

fn prompt_prefix(kind: PromptKind) -> String {
    match kind {
        PromptKind::Search => "search: ".into(),
        PromptKind::Reason => "reason: ".into(),
        PromptKind::Filter => "filter: ".into(),
        PromptKind::Export(format) => {
            format!(
                "export {} (Tab: format) to file: ",
                export_format_name(format)
            )
        }
    }
}

fn draw_bottom(f: &mut Frame, app: &App, area: Rect) {
    let line = match (&app.mode, &app.message) {
        (Mode::Prompt(p), _) => match &p.error {
            // The caret under the fault in the line above, as `filter` prints it.
            Some((message, pos)) => {
                let prefix = prompt_prefix(p.kind).width();
                let room = usize::from(area.width).saturating_sub(prefix + 1);
                let (_, hidden) = typed(&p.input, p.at, room);
                let before = p.input.get(..*pos).unwrap_or(&p.input);
                // The caret mark takes a column when the fault lies after it.
                let mark = usize::from(*pos > p.at);
                let at = visible(before, false).width() + mark;
                let col = prefix + at.saturating_sub(hidden);
                let message = visible(message, false);
                // A fault scrolled out of the prompt is pointed at, not drawn off the screen.
                let text = if at < hidden {
                    format!("← {message}")
                } else if col + 2 > usize::from(area.width) {
                    format!("→ {message}")
                } else {
                    format!("{}^ {message}", " ".repeat(col))
                };
                Line::styled(text, red(app))
            }
            None => Line::raw(match p.kind {
                PromptKind::Filter => {
                    "Enter applies · Esc cancels · e.g. user = alice and time >= -7d"
                }
                PromptKind::Search => "Enter searches · Esc cancels · empty clears the search",
                PromptKind::Reason => "",
                PromptKind::Export(_) => {
                    "Enter writes the file (a relative name: where browse started) · Tab: format · Esc cancels"
                }
            }),
        },
        (_, Some((text, error))) => {
            let text = visible(text, false).into_owned();
            let look = if *error { red(app) } else { Look::new() };
            let width = usize::from(area.width).max(1);
            let needed = text.width().div_ceil(width);
            if needed > 1 {
                // Words wrap, which takes a line more than the characters alone may.
                let needed = needed + 1;
                // A long message is not cut: it wraps over the table's last rows, until the next
                // key; the status line stays.
                let lines = needed.min(MESSAGE_LINES) as u16;
                let over = Rect::new(area.x, area.y - 1 - lines, area.width, lines);
                f.render_widget(Clear, over);
                f.render_widget(
                    Paragraph::new(text)
                        .style(look)
                        .wrap(ratatui::widgets::Wrap { trim: false }),
                    over,
                );
                return;
            }
            Line::styled(text, look)
        }
        _ => Line::styled(
            hints(usize::from(area.width)),
            Look::new().add_modifier(Modifier::DIM),
        ),
    };
    f.render_widget(Paragraph::new(line), area);
}

/// The most lines a message wraps to.
const MESSAGE_LINES: usize = 4;

/// What is typed with its caret, as it fits in `room` columns (the caret always in view), and
/// how many columns of it are left out before the first shown.
fn typed(input: &str, at: usize, room: usize) -> (String, usize) {
    let before = visible(input.get(..at).unwrap_or(input), false).into_owned();
    let after = visible(input.get(at..).unwrap_or(""), false).into_owned();
    if before.width() + 1 + after.width() <= room {
        return (format!("{before}▏{after}"), 0);
    }
    // Up to two thirds of the room before the caret, the rest after it.
    let left_room = (room * 2 / 3).max(1);
    let (left, hidden) = if before.width() <= left_room {
        (before.clone(), 0)
    } else {
        let mut kept = String::new();
        let mut used = 1;
        for c in before.chars().rev() {
            let w = unicode_width::UnicodeWidthChar::width(c).unwrap_or(0);
            if used + w > left_room {
                break;
            }
            used += w;
            kept.insert(0, c);
        }
        (format!("…{kept}"), before.width() + 1 - used)
    };
    let right_room = room.saturating_sub(left.width() + 1);
    let right = if after.width() <= right_room {
        after
    } else {
        fit::cut_end(&after, right_room)
    };
    (format!("{left}▏{right}"), hidden)
}

/// The key hints that fit in `width`.
fn hints(width: usize) -> String {
    let mut line = String::new();
    for hint in HINTS {
        let gap = if line.is_empty() { 0 } else { 2 };
        if line.width() + gap + hint.width() > width {
            break;
        }
        if gap > 0 {
            line.push_str("  ");
        }
        line.push_str(hint);
    }
    line
}

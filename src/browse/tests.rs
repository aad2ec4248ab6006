//! The viewer's keys on a real store: the state machine driven through `Session`, as the
//! terminal loop drives it, and the screens it draws, as snapshots.

use std::io::Read;

use chrono::{DateTime, Utc};
use clap::Parser;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{
    KeyCode, KeyEvent, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};

use super::app::App;
use super::data::Session;
use super::effect::Input;
use super::modes::Mode;
use crate::commands::Context;
use crate::demo::{DemoConfig, generate};
use crate::model::Event;
use crate::query::Expr;
use crate::store::sqlite::SqliteStore;
use crate::store::{Append, Query, SortField, SortKey, Store};

fn end() -> DateTime<Utc> {
    "2026-11-30T12:00:00Z".parse().unwrap()
}

/// A store of `n` demo events in a folder of its own.
fn store(n: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let mut store = SqliteStore::open_or_create(&dir.path().join("audit.db")).unwrap();
    let cfg = DemoConfig {
        seed: 7,
        events: n,
        end: end(),
    };
    store.append(&mut generate(&cfg).map(Ok)).unwrap();
    dir
}

fn context(dir: &tempfile::TempDir, extra: &[&str]) -> Context {
    let path = dir.path().join("audit.db");
    let mut args = vec!["auditctl", "--store", path.to_str().unwrap(), "--utc"];
    args.extend_from_slice(extra);
    args.push("browse");
    let cli = crate::cli::Cli::try_parse_from(args).unwrap();
    let mut ctx = Context::with_config(cli.global, Default::default()).unwrap();
    ctx.style.color = false;
    ctx
}

/// The viewer on a store, with what it wrote to the clipboard kept in a file.
struct Viewer<'a> {
    app: App,
    session: Session<'a>,
    clipboard: std::path::PathBuf,
}

impl<'a> Viewer<'a> {
    fn open(ctx: &'a Context, dir: &tempfile::TempDir, size: (u16, u16)) -> Viewer<'a> {
        let clipboard = dir.path().join("clipboard");
        let mut style = ctx.style;
        style.width = Some(size.0);
        let mut app = App::new("audit.db".into(), Expr::All, style, size);
        app.now = end();
        let mut session = Session {
            ctx,
            backend: ctx.open_store().unwrap(),
            clipboard: Box::new(std::fs::File::create(&clipboard).unwrap()),
        };
        let first = app.start();
        session.settle(&mut app, first);
        Viewer {
            app,
            session,
            clipboard,
        }
    }

    fn input(&mut self, input: Input) {
        let effects = self.app.update(input);
        self.session.settle(&mut self.app, effects);
    }

    fn key(&mut self, code: KeyCode) {
        self.input(Input::Key(KeyEvent::from(code)));
    }

    /// Types each character as a key.
    fn keys(&mut self, text: &str) {
        for c in text.chars() {
            self.key(KeyCode::Char(c));
        }
    }

    fn click(&mut self, column: u16, row: u16) {
        self.input(Input::Mouse(MouseEvent {
            kind: MouseEventKind::Down(MouseButton::Left),
            column,
            row,
            modifiers: KeyModifiers::NONE,
        }));
    }

    fn seq(&self) -> u64 {
        self.app.selected().and_then(|e| e.seq).unwrap()
    }

    fn store(&self) -> &dyn Store {
        self.session.backend.as_ref()
    }

    /// Every seq of the view, in its order, read from the store in one query.
    fn expected(&self) -> Vec<u64> {
        let q = Query {
            filter: self.app.filter(),
            order: vec![self.app.selection.key],
            limit: None,
            offset: 0,
        };
        let mut out = Vec::new();
        self.store()
            .scan(&q, &mut |e| {
                out.push(e.seq.unwrap());
                Ok(true)
            })
            .unwrap();
        out
    }

    /// Walks down the whole view from its top a row at a time, checking the position and the selection
    /// against the store's order on every step; returns the seqs seen.
    fn walk_down(&mut self) -> Vec<u64> {
        self.keys("g");
        let expected = self.expected();
        let mut seen = vec![self.seq()];
        for _ in 1..expected.len() + 3 {
            self.key(KeyCode::Char('j'));
            let at = self.app.position() as usize;
            assert_eq!(self.seq(), expected[at - 1], "row {at}");
            if seen.last() != Some(&self.seq()) {
                seen.push(self.seq());
            }
            assert!(self.app.window.rows.len() <= self.app.height() * 8 + 1);
        }
        seen
    }

    /// Moves the chosen column with → until it is `column`.
    fn choose(&mut self, column: crate::render::Column) {
        for _ in 0..self.app.columns.len() {
            if self.app.columns[self.app.chosen] == column {
                return;
            }
            self.key(KeyCode::Right);
        }
        panic!("{column:?} is not on screen");
    }

    fn message(&self) -> String {
        self.app.message.clone().map(|(m, _)| m).unwrap_or_default()
    }

    fn pane_text(&self) -> String {
        match &self.app.mode {
            Mode::Pane(p) => lines(&p.text),
            other => panic!("no pane: {other:?}"),
        }
    }

    /// The screen as text, one line per row.
    fn screen(&self) -> String {
        let (w, h) = self.app.size;
        let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
        terminal.draw(|f| super::view::draw(f, &self.app)).unwrap();
        let buffer = terminal.backend().buffer();
        (0..h)
            .map(|y| {
                let row: String = (0..w).map(|x| buffer[(x, y)].symbol()).collect();
                row.trim_end().to_owned()
            })
            .collect::<Vec<_>>()
            .join("\n")
    }
}

fn lines(text: &ratatui::text::Text) -> String {
    text.lines
        .iter()
        .map(|l| {
            l.spans
                .iter()
                .map(|s| s.content.as_ref())
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn opens_on_the_newest_event_with_the_count() {
    let dir = store(60);
    let ctx = context(&dir, &[]);
    let v = Viewer::open(&ctx, &dir, (100, 13));
    assert_eq!(v.seq(), 60);
    assert_eq!((v.app.position(), v.app.window.total), (1, 60));
    assert_eq!(v.app.visible().len(), 10);
    assert!(v.screen().contains("1 of 60"));
}

#[test]
fn moves_pages_and_jumps_at_both_ends() {
    let dir = store(95);
    let ctx = context(&dir, &[]);
    let mut v = Viewer::open(&ctx, &dir, (100, 13));
    v.key(KeyCode::Char('k'));
    v.key(KeyCode::Up);
    assert_eq!(v.app.position(), 1, "up at the top stays");
    v.keys("jj");
    v.key(KeyCode::Down);
    assert_eq!((v.app.position(), v.seq()), (4, 92));
    // A page turns the screen with the selection: no row of the first page shows again.
    let first_page: Vec<u64> = v
        .app
        .visible()
        .iter()
        .map(|r| r.event.seq.unwrap())
        .collect();
    v.key(KeyCode::PageDown);
    assert!(
        v.app
            .visible()
            .iter()
            .all(|r| !first_page.contains(&r.event.seq.unwrap()))
    );
    v.key(KeyCode::PageUp);
    let mut at = 4;
    for _ in 0..20 {
        v.key(KeyCode::PageDown);
        at = (at + 10).min(95);
        assert_eq!(v.app.position(), at);
        assert_eq!(v.seq(), 96 - at);
    }
    assert_eq!(v.seq(), 1, "the last event is the oldest");
    v.keys(" ");
    assert_eq!(v.app.position(), 95);
    for _ in 0..20 {
        v.key(KeyCode::PageUp);
        at = at.saturating_sub(10).max(1);
        assert_eq!(v.seq(), 96 - at);
    }
    v.keys("G");
    assert_eq!((v.app.position(), v.seq()), (95, 1));
    // The last screen is full: no blank rows under the last event.
    assert_eq!(v.app.visible().len(), 10);
    v.keys("k");
    assert_eq!(v.seq(), 2);
    v.keys("g");
    assert_eq!((v.app.position(), v.seq()), (1, 95));
}

#[test]
fn a_walk_through_the_whole_view_meets_every_event_once_in_order() {
    let dir = store(150);
    let ctx = context(&dir, &[]);
    let mut v = Viewer::open(&ctx, &dir, (100, 11));
    let seen = v.walk_down();
    assert_eq!(seen, v.expected());
    // And back up from the bottom.
    v.keys("G");
    let mut up = vec![v.seq()];
    for _ in 0..160 {
        v.keys("k");
        if up.last() != Some(&v.seq()) {
            up.push(v.seq());
        }
    }
    up.reverse();
    assert_eq!(up, v.expected());
}

#[test]
fn sorts_by_the_chosen_column_and_reverses() {
    let dir = store(120);
    let ctx = context(&dir, &[]);
    let mut v = Viewer::open(&ctx, &dir, (200, 14));
    // The user column is chosen at first; the selected event stays selected in the new order.
    let seq = v.seq();
    v.keys("s");
    assert_eq!(v.seq(), seq);
    assert_eq!(
        v.app.selection.key,
        SortKey {
            field: SortField::User,
            descending: false
        }
    );
    let users: Vec<String> = v
        .app
        .visible()
        .iter()
        .map(|r| r.event.user.clone())
        .collect();
    let mut sorted = users.clone();
    sorted.sort();
    assert_eq!(users, sorted);
    assert_eq!(v.walk_down(), v.expected());
    v.keys("S");
    assert!(v.app.selection.key.descending);
    assert_eq!(v.walk_down(), v.expected());
    // Columns that cannot be sorted say so.
    v.choose(crate::render::Column::Message);
    v.keys("s");
    assert!(v.message().contains("cannot sort by message"));
}

#[test]
fn searching_and_filtering_count_what_the_store_counts() {
    let dir = store(300);
    let ctx = context(&dir, &[]);
    let mut v = Viewer::open(&ctx, &dir, (120, 20));
    v.keys("/alice");
    v.key(KeyCode::Enter);
    let expected = v.store().count(&Expr::Search("alice".into())).unwrap();
    assert!(expected > 0 && expected < 300);
    assert_eq!(v.app.window.total, expected);
    assert!(v.screen().contains("search(\"alice\")"));
    // A search with no word in it is refused, the prompt kept, the view as it was.
    v.keys("/");
    v.input(Input::Key(KeyEvent::new(
        KeyCode::Char('u'),
        KeyModifiers::CONTROL,
    )));
    v.keys("--");
    v.key(KeyCode::Enter);
    assert!(matches!(v.app.mode, Mode::Prompt(_)));
    assert!(
        v.message().contains("no word to look for"),
        "{}",
        v.message()
    );
    v.key(KeyCode::Esc);
    assert_eq!(v.app.window.total, expected);
    // A filter is checked as it is typed: the error and its position show before Enter.
    v.keys("faction = ");
    match &v.app.mode {
        Mode::Prompt(p) => {
            let (message, pos) = p.error.clone().expect("an error");
            assert_eq!(pos, "action = ".len(), "{message}");
        }
        other => panic!("{other:?}"),
    }
    assert!(v.screen().contains("^ expected a value"));
    // Enter on an error keeps the prompt; Esc leaves the view as it was.
    v.key(KeyCode::Enter);
    assert!(matches!(v.app.mode, Mode::Prompt(_)));
    v.key(KeyCode::Esc);
    assert_eq!(v.app.window.total, expected);
    v.keys("faction = UPDATE");
    v.key(KeyCode::Enter);
    let both = Expr::and(vec![
        Expr::Search("alice".into()),
        crate::query::parse("action = UPDATE", end()).unwrap(),
    ]);
    assert_eq!(v.app.window.total, v.store().count(&both).unwrap());
    assert!(v.app.visible().iter().all(|r| r.event.action == "UPDATE"));
    assert_eq!(v.walk_down(), v.expected());
    v.keys("c");
    assert_eq!(v.app.window.total, 300);
}

#[test]
fn the_funnel_keeps_or_drops_the_selected_value() {
    let dir = store(200);
    let ctx = context(&dir, &[]);
    let mut v = Viewer::open(&ctx, &dir, (120, 20));
    v.keys("jjj");
    let user = v.app.selected().unwrap().user.clone();
    let seq = v.seq();
    v.keys("=");
    assert!(v.app.visible().iter().all(|r| r.event.user == user));
    assert_eq!(v.seq(), seq, "the selected event stays selected");
    let only = v.app.window.total;
    // `!=` on the action column drops the selected event's action.
    v.choose(crate::render::Column::Action);
    let action = v.app.selected().unwrap().action.clone();
    v.keys("!=");
    assert!(
        v.app
            .visible()
            .iter()
            .all(|r| r.event.user == user && r.event.action != action)
    );
    assert!(v.app.window.total < only);
    // A missing value funnels as `= null`.
    v.keys("c");
    while v.app.selected().unwrap().table.is_some() {
        v.keys("j");
    }
    v.choose(crate::render::Column::Table);
    v.keys("=");
    assert!(v.app.window.total > 0);
    assert!(v.app.visible().iter().all(|r| r.event.table.is_none()));
    // Time is not an exact value to filter by.
    v.choose(crate::render::Column::Time);
    v.keys("=");
    assert!(v.message().contains("time"), "{}", v.message());
}

#[test]
fn the_detail_and_the_diff_are_shows_and_hide_secrets() {
    let dir = store(400);
    let ctx = context(&dir, &[]);
    let mut v = Viewer::open(&ctx, &dir, (120, 30));
    // An event that changed a webhook's secret.
    let target = v
        .store()
        .get(
            &first_seq(
                v.store(),
                "table = webhooks and action = UPDATE and changed(secret)",
            )
            .to_string(),
        )
        .unwrap();
    select(&mut v, target.seq.unwrap());
    v.key(KeyCode::Enter);
    let text = v.pane_text();
    assert!(
        text.contains(&format!("id:          {}", target.id)),
        "{text}"
    );
    let secret = target.after.as_ref().unwrap()["secret"].as_str().unwrap();
    assert!(!text.contains(secret), "{text}");
    // From the detail straight to the diff; Esc back to the table.
    v.keys("d");
    let diff = v.pane_text();
    assert!(
        diff.contains("--- before") && diff.contains("+++ after"),
        "{diff}"
    );
    assert!(!diff.contains(secret));
    v.key(KeyCode::Esc);
    assert!(matches!(v.app.mode, Mode::Table));
    // With --reveal the secret shows.
    let revealing = context(&dir, &["--reveal"]);
    let mut r = Viewer::open(&revealing, &dir, (120, 30));
    select(&mut r, target.seq.unwrap());
    r.keys("d");
    assert!(r.pane_text().contains(secret));
}

/// The seq of the newest event matching a filter.
fn first_seq(store: &dyn Store, filter: &str) -> u64 {
    let mut seq = None;
    let q = Query::newest_first(crate::query::parse(filter, end()).unwrap());
    store
        .scan(&q, &mut |e| {
            seq = e.seq;
            Ok(false)
        })
        .unwrap();
    seq.expect("a matching event")
}

/// Selects an event by walking to it.
fn select(v: &mut Viewer, seq: u64) {
    v.keys("g");
    while v.seq() != seq {
        v.keys("j");
    }
}

#[test]
fn history_chooses_an_event_of_the_record() {
    let dir = store(400);
    let ctx = context(&dir, &[]);
    let mut v = Viewer::open(&ctx, &dir, (120, 30));
    let seq = first_seq(v.store(), "table = webhooks and action = UPDATE");
    select(&mut v, seq);
    let record = v.app.selected().unwrap().resource_id.clone();
    // A filter the history's other events do not match: choosing one clears it.
    v.keys(&format!("fseq = {seq}"));
    v.key(KeyCode::Enter);
    assert_eq!(v.app.window.total, 1);
    v.keys("h");
    let Mode::History(h) = &v.app.mode else {
        panic!("{:?}", v.app.mode)
    };
    assert!(h.rows.len() > 1);
    assert!(h.rows.iter().all(|r| r.event.resource_id == record));
    assert_eq!(h.rows[h.cursor].event.seq, Some(seq), "the event is chosen");
    let first = h.rows[0].event.seq.unwrap();
    v.keys("g");
    v.key(KeyCode::Enter);
    assert!(matches!(v.app.mode, Mode::Table));
    assert_eq!(v.seq(), first);
    assert_eq!(v.app.window.total, 400, "the filter was cleared to show it");
    assert_eq!(v.app.position(), 400 - first + 1);
    // An event without a record has no history.
    let login = first_seq(v.store(), "action = LOGIN");
    select(&mut v, login);
    v.keys("h");
    assert!(matches!(v.app.mode, Mode::Table));
    assert!(v.message().contains("no record"));
}

#[test]
fn a_revert_is_planned_reasoned_and_confirmed_or_cancelled() {
    let dir = store(300);
    let ctx = context(&dir, &[]);
    let mut v = Viewer::open(&ctx, &dir, (120, 30));
    let seq = first_seq(v.store(), "table = webhooks and action = UPDATE");
    select(&mut v, seq);
    v.keys("r");
    let Mode::Revert(r) = &v.app.mode else {
        panic!("{:?} {}", v.app.mode, v.message())
    };
    assert!(r.plan.refusal.is_none());
    assert!(lines(&r.plan.text).contains(&format!("revert event {seq} UPDATE")));
    // Cancelled at the question: nothing appended.
    v.keys("not now");
    v.key(KeyCode::Enter);
    v.keys("n");
    assert!(matches!(v.app.mode, Mode::Table));
    assert_eq!(v.store().last_seq().unwrap(), 300);
    // Esc while typing the reason cancels too.
    v.keys("rwhy");
    v.key(KeyCode::Esc);
    assert_eq!(v.store().last_seq().unwrap(), 300);
    // Confirmed: appended, with the reason, and the row says it was reverted.
    v.keys("runapproved change");
    v.key(KeyCode::Enter);
    v.keys("y");
    assert_eq!(v.store().last_seq().unwrap(), 301);
    let revert = v.store().get("301").unwrap();
    assert_eq!(
        revert.reverts.as_deref(),
        Some(v.app.selected().unwrap().id.as_str())
    );
    assert!(
        revert.message.contains("unapproved change"),
        "{}",
        revert.message
    );
    assert_eq!(v.seq(), seq, "the reverted event stays selected");
    assert_eq!(v.app.window.total, 301);
    assert!(
        v.app.window.rows[v.app.window.cursor]
            .mark
            .contains("reverted by #301")
    );
    assert!(v.message().contains("appended event 301"));
    assert!(
        v.screen().contains("reverted by #301 · ▸"),
        "the status line says it too"
    );
    // A second revert is refused as `revert` refuses it; y does nothing.
    v.keys("r");
    let Mode::Revert(r) = &v.app.mode else {
        panic!("{:?}", v.app.mode)
    };
    assert!(
        r.plan
            .refusal
            .as_deref()
            .unwrap()
            .contains("already reverted")
    );
    v.keys("y");
    v.key(KeyCode::Enter);
    v.keys("y");
    assert_eq!(v.store().last_seq().unwrap(), 301);
    assert!(matches!(v.app.mode, Mode::Table));
}

#[test]
fn a_read_only_log_says_why_it_cannot_revert() {
    let dir = store(50);
    let ctx = context(&dir, &[]);
    let lines_file = dir.path().join("events.jsonl");
    let mut out = String::new();
    let v = Viewer::open(&ctx, &dir, (120, 20));
    v.store()
        .scan(&Query::in_seq_order(Expr::All), &mut |e| {
            out.push_str(&serde_json::to_string(&e)?);
            out.push('\n');
            Ok(true)
        })
        .unwrap();
    std::fs::write(&lines_file, out).unwrap();
    let cli = crate::cli::Cli::try_parse_from([
        "auditctl",
        "--store",
        lines_file.to_str().unwrap(),
        "browse",
    ])
    .unwrap();
    let ctx = Context::with_config(cli.global, Default::default()).unwrap();
    let mut v = Viewer::open(&ctx, &dir, (120, 20));
    assert_eq!(v.app.window.total, 50);
    v.keys("r");
    assert!(matches!(v.app.mode, Mode::Table));
    assert!(v.app.message.as_ref().unwrap().1, "an error");
    assert!(v.message().contains("read"), "{}", v.message());
}

#[test]
fn follow_shows_new_events_as_they_are_appended() {
    let dir = store(40);
    let ctx = context(&dir, &[]);
    let mut v = Viewer::open(&ctx, &dir, (120, 20));
    v.keys("F");
    assert!(v.app.follow);
    let mut writer = SqliteStore::open_or_create(&dir.path().join("audit.db")).unwrap();
    let event: Event = serde_json::from_value(serde_json::json!({
        "id": "late-1", "time": "2026-11-30T11:59:59Z", "user": "zed", "action": "LOGIN"
    }))
    .unwrap();
    writer.append(&mut std::iter::once(Ok(event))).unwrap();
    v.input(Input::Tick);
    assert_eq!(v.app.window.total, 41);
    assert_eq!(v.app.selected().unwrap().id, "late-1");
    // Follow off: ticks load nothing.
    v.keys("F");
    assert!(!v.app.follow);
    let later: Event = serde_json::from_value(serde_json::json!({
        "id": "late-2", "time": "2026-11-30T11:59:59.5Z", "user": "zed", "action": "LOGIN"
    }))
    .unwrap();
    writer.append(&mut std::iter::once(Ok(later))).unwrap();
    v.input(Input::Tick);
    assert_eq!(v.app.window.total, 41);
}

#[test]
fn exports_the_view_and_copies_the_id() {
    let dir = store(120);
    let ctx = context(&dir, &[]);
    let mut v = Viewer::open(&ctx, &dir, (120, 20));
    v.keys("faction = UPDATE");
    v.key(KeyCode::Enter);
    let total = v.app.window.total;
    v.keys("e");
    v.key(KeyCode::Tab);
    let path = dir.path().join("updates.jsonl");
    v.keys(path.to_str().unwrap());
    v.key(KeyCode::Enter);
    assert!(
        v.message().contains(&format!("exported {total} events")),
        "{}",
        v.message()
    );
    let written = std::fs::read_to_string(&path).unwrap();
    assert_eq!(written.lines().count() as u64, total);
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| {
            e.file_name()
                .to_string_lossy()
                .starts_with(".auditctl-export-")
        })
        .collect();
    assert!(left.is_empty(), "no file left aside: {left:?}");
    assert!(written.lines().all(|l| l.contains("\"action\":\"UPDATE\"")));
    // An existing file is not overwritten.
    v.keys("e");
    v.key(KeyCode::Tab);
    v.keys(path.to_str().unwrap());
    v.key(KeyCode::Enter);
    assert!(v.message().contains("exists"), "{}", v.message());
    assert_eq!(std::fs::read_to_string(&path).unwrap(), written);
    // y puts the id on the terminal's clipboard (OSC 52).
    v.key(KeyCode::Esc);
    v.keys("y");
    let id = v.app.selected().unwrap().id.clone();
    let mut clip = String::new();
    std::fs::File::open(&v.clipboard)
        .unwrap()
        .read_to_string(&mut clip)
        .unwrap();
    use base64::Engine;
    let encoded = base64::engine::general_purpose::STANDARD.encode(&id);
    assert_eq!(clip, format!("\x1b]52;c;{encoded}\x07"));
}

#[test]
fn the_mouse_selects_sorts_and_scrolls() {
    let dir = store(80);
    let ctx = context(&dir, &[]);
    let mut v = Viewer::open(&ctx, &dir, (120, 20));
    v.click(10, 4);
    assert_eq!(v.app.position(), 4);
    v.input(Input::Mouse(MouseEvent {
        kind: MouseEventKind::ScrollDown,
        column: 0,
        row: 5,
        modifiers: KeyModifiers::NONE,
    }));
    assert_eq!(v.app.position(), 7);
    // The header of the user column: after SEQ and TIME.
    let x = v.screen().lines().next().unwrap().find("USER").unwrap() as u16;
    v.click(x + 1, 0);
    assert_eq!(v.app.selection.key.field, SortField::User);
}

#[test]
fn quits_and_closes_the_help() {
    let dir = store(10);
    let ctx = context(&dir, &[]);
    let mut v = Viewer::open(&ctx, &dir, (100, 30));
    v.keys("?");
    assert!(matches!(v.app.mode, Mode::Help(_)));
    v.keys("x");
    assert!(matches!(v.app.mode, Mode::Table) && !v.app.quit);
    v.keys("q");
    assert!(v.app.quit);
    let mut v = Viewer::open(&ctx, &dir, (100, 30));
    v.input(Input::Key(KeyEvent::new(
        KeyCode::Char('c'),
        KeyModifiers::CONTROL,
    )));
    assert!(v.app.quit);
}

#[test]
fn a_resize_keeps_the_selection_on_screen() {
    let dir = store(100);
    let ctx = context(&dir, &[]);
    let mut v = Viewer::open(&ctx, &dir, (100, 40));
    for _ in 0..30 {
        v.keys("j");
    }
    v.input(Input::Resize(100, 10));
    let seq = v.seq();
    assert!(v.app.visible().iter().any(|r| r.event.seq == Some(seq)));
}

mod screens {
    use super::*;

    #[test]
    fn table_80x24() {
        let dir = store(200);
        let ctx = context(&dir, &[]);
        let mut v = Viewer::open(&ctx, &dir, (80, 24));
        v.keys("jj");
        insta::assert_snapshot!(v.screen());
    }

    #[test]
    fn table_200x50() {
        let dir = store(200);
        let ctx = context(&dir, &[]);
        let v = Viewer::open(&ctx, &dir, (200, 50));
        insta::assert_snapshot!(v.screen());
    }

    #[test]
    fn detail_diff_and_history() {
        let dir = store(200);
        let ctx = context(&dir, &[]);
        let mut v = Viewer::open(&ctx, &dir, (100, 30));
        let seq = first_seq(v.store(), "action = UPDATE and table = policies");
        select(&mut v, seq);
        v.key(KeyCode::Enter);
        insta::assert_snapshot!("detail", v.screen());
        v.keys("d");
        insta::assert_snapshot!("diff", v.screen());
        v.key(KeyCode::Esc);
        v.keys("h");
        insta::assert_snapshot!("history", v.screen());
    }

    #[test]
    fn filter_error_help_and_too_small() {
        let dir = store(50);
        let ctx = context(&dir, &[]);
        let mut v = Viewer::open(&ctx, &dir, (80, 24));
        v.keys("fuser = alice and (action = ");
        insta::assert_snapshot!("filter_error", v.screen());
        v.key(KeyCode::Esc);
        v.keys("?");
        insta::assert_snapshot!("help", v.screen());
        v.keys("x");
        v.input(Input::Resize(30, 6));
        insta::assert_snapshot!("too_small", v.screen());
    }
}

#[test]
fn the_readme_lists_every_key() {
    let readme = include_str!("../../README.md");
    for (key, what) in super::view::KEYS {
        let row = format!("| `{key}` | {what} |");
        assert!(readme.contains(&row), "README lacks {row}");
    }
}

#[test]
fn a_view_that_fails_to_load_leaves_the_last_one_shown() {
    let dir = store(30);
    let ctx = context(&dir, &[]);
    let mut v = Viewer::open(&ctx, &dir, (120, 20));
    // A server that refuses the sort (or is gone) answers the load with an error.
    let asked = v.app.update(Input::Key(KeyCode::Char('s').into()));
    assert!(!asked.is_empty());
    assert_eq!(v.app.selection.key.field, SortField::User);
    v.app
        .apply(super::effect::Outcome::LoadFailed("refused".into()));
    assert_eq!(v.app.selection.key, super::app::NEWEST_FIRST);
    assert!(v.screen().contains("TIME (UTC)↓"));
    v.keys("/nothing-here");
    let asked = v.app.update(Input::Key(KeyCode::Enter.into()));
    assert!(!asked.is_empty());
    v.app
        .apply(super::effect::Outcome::LoadFailed("gone".into()));
    assert_eq!(v.app.filter(), Expr::All);
    assert!(v.screen().contains("no filter"));
    assert_eq!(v.message(), "gone");
}

#[test]
fn ids_with_control_characters_are_not_copied() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = SqliteStore::open_or_create(&dir.path().join("audit.db")).unwrap();
    let event: Event = serde_json::from_value(serde_json::json!({
        "id": "id\u{1b}[201~echo PWNED\n", "time": "2026-11-30T11:00:00Z", "user": "x",
        "action": "LOGIN"
    }))
    .unwrap();
    store.append(&mut std::iter::once(Ok(event))).unwrap();
    let ctx = context(&dir, &[]);
    let mut v = Viewer::open(&ctx, &dir, (100, 20));
    v.keys("y");
    assert!(v.message().contains("not copied"), "{}", v.message());
    assert_eq!(std::fs::read_to_string(&v.clipboard).unwrap(), "");
}

#[test]
fn big_values_are_cut_once_when_loaded_and_long_text_scrolls_sideways() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = SqliteStore::open_or_create(&dir.path().join("audit.db")).unwrap();
    let event: Event = serde_json::from_value(serde_json::json!({
        "id": "big", "time": "2026-11-30T11:00:00Z", "user": "x", "action": "UPDATE",
        "table": "t", "resource_id": "1",
        "message": format!("start\tafter a tab {}", "A".repeat(100_000)),
        "before": {"v": "B".repeat(50_000)}, "after": {"v": "C".repeat(50_000)}
    }))
    .unwrap();
    store.append(&mut std::iter::once(Ok(event))).unwrap();
    let ctx = context(&dir, &[]);
    let mut v = Viewer::open(&ctx, &dir, (100, 20));
    let row = &v.app.window.rows[0];
    assert!(
        row.cell(crate::render::Column::Message)
            .text
            .chars()
            .count()
            <= 400
    );
    v.key(KeyCode::Enter);
    let text = v.pane_text();
    assert!(
        text.contains("start    after a tab"),
        "a tab shows as spaces"
    );
    let before = v.screen();
    v.key(KeyCode::Right);
    let Mode::Pane(p) = &v.app.mode else { panic!() };
    assert_eq!(p.across, 8);
    assert_ne!(v.screen(), before);
}

#[test]
fn the_help_scrolls_in_a_small_terminal_and_long_input_shows_its_end() {
    let dir = store(20);
    let ctx = context(&dir, &[]);
    let mut v = Viewer::open(&ctx, &dir, (42, 10));
    v.keys("?");
    v.key(KeyCode::PageDown);
    assert!(matches!(v.app.mode, Mode::Help(at) if at > 0));
    assert!(v.screen().contains(&super::view::KEYS[7].1[..15]));
    v.keys("x");
    assert!(matches!(v.app.mode, Mode::Table));
    v.keys("/東京都の監査ログを検索する東京都の監査ログを検索するend");
    let screen = v.screen();
    assert!(screen.contains("…") && screen.contains("end▏"), "{screen}");
}

#[test]
fn a_long_message_wraps_instead_of_being_cut() {
    let dir = store(20);
    let ctx = context(&dir, &[]);
    let mut v = Viewer::open(&ctx, &dir, (60, 12));
    v.app.apply(super::effect::Outcome::Failed(format!(
        "the server refused the request: {} (ask for a token with the scope)",
        "x".repeat(40)
    )));
    let screen = v.screen();
    assert!(screen.contains("with the scope)"), "{screen}");
    assert!(
        screen.contains("1 of 20"),
        "the status line stays:\n{screen}"
    );
}

#[test]
fn esc_and_a_key_read_together_are_both_taken() {
    let dir = store(20);
    let ctx = context(&dir, &[]);
    let mut v = Viewer::open(&ctx, &dir, (100, 20));
    v.keys("/abc");
    // What a terminal sends for Esc then j typed fast: Alt-j.
    v.input(Input::Key(KeyEvent::new(
        KeyCode::Char('j'),
        KeyModifiers::ALT,
    )));
    assert!(matches!(v.app.mode, Mode::Table), "the prompt is closed");
    assert_eq!(v.app.position(), 2, "and j moved");
    assert_eq!(v.app.selection.search, None);
}

#[test]
fn a_log_file_rewritten_under_the_viewer_is_said_not_shown_wrong() {
    let dir = store(30);
    let ctx = context(&dir, &[]);
    let lines = dir.path().join("events.jsonl");
    let v = Viewer::open(&ctx, &dir, (100, 20));
    let mut events = Vec::new();
    v.store()
        .scan(&Query::in_seq_order(Expr::All), &mut |e| {
            events.push(serde_json::to_string(&e)?);
            Ok(true)
        })
        .unwrap();
    std::fs::write(&lines, events.join("\n") + "\n").unwrap();
    let cli =
        crate::cli::Cli::try_parse_from(["auditctl", "--store", lines.to_str().unwrap(), "browse"])
            .unwrap();
    let ctx = Context::with_config(cli.global, Default::default()).unwrap();
    let mut v = Viewer::open(&ctx, &dir, (100, 20));
    v.keys("jj");
    // The same events in the other order: line numbers (seqs) now name other events.
    events.reverse();
    std::fs::write(&lines, events.join("\n") + "\n").unwrap();
    v.key(KeyCode::Enter);
    assert!(matches!(v.app.mode, Mode::Table));
    assert!(v.message().contains("log changed"), "{}", v.message());
    v.keys("R");
    assert!(v.app.message.is_none());
}

#[test]
fn colour_follows_the_command_line_and_the_selection_shows_without_it() {
    use ratatui::style::{Color, Modifier};
    let dir = store(40);
    let draw = |colour: bool| {
        let ctx = context(&dir, &[]);
        let mut v = Viewer::open(&ctx, &dir, (120, 20));
        v.app.style.color = colour;
        let mut terminal = Terminal::new(TestBackend::new(120, 20)).unwrap();
        terminal.draw(|f| super::view::draw(f, &v.app)).unwrap();
        terminal.backend().buffer().clone()
    };
    let find = |buffer: &ratatui::buffer::Buffer, word: &str| {
        (1..20u16).find_map(|y| {
            let row: String = (0..120u16).map(|x| buffer[(x, y)].symbol()).collect();
            row.find(word).map(|x| (row[..x].chars().count() as u16, y))
        })
    };
    let coloured = draw(true);
    let (x, y) = find(&coloured, "UPDATE").expect("an update on screen");
    assert_eq!(coloured[(x, y)].fg, Color::Yellow);
    let plain = draw(false);
    let (x, y) = find(&plain, "UPDATE").unwrap();
    assert_eq!(plain[(x, y)].fg, Color::Reset);
    // The selected row (the first) is reversed either way.
    assert!(plain[(0, 1)].modifier.contains(Modifier::REVERSED));
}

#[test]
fn a_revert_the_log_outran_is_refused_and_the_view_catches_up() {
    let dir = store(200);
    let ctx = context(&dir, &[]);
    let mut v = Viewer::open(&ctx, &dir, (160, 30));
    let seq = first_seq(v.store(), "table = webhooks and action = UPDATE");
    select(&mut v, seq);
    let target = v.app.selected().unwrap().clone();
    v.keys("r");
    v.key(KeyCode::Enter);
    // Someone changes the record between the plan and the y.
    let mut writer = SqliteStore::open_or_create(&dir.path().join("audit.db")).unwrap();
    let mut after = target.after.clone().unwrap();
    after["url"] = serde_json::json!("https://elsewhere.example/hook");
    let later: Event = serde_json::from_value(serde_json::json!({
        "id": "later", "time": "2026-11-30T11:59:59Z", "user": "mallory", "action": "UPDATE",
        "table": target.table, "resource_id": target.resource_id,
        "before": target.after, "after": after
    }))
    .unwrap();
    writer.append(&mut std::iter::once(Ok(later))).unwrap();
    v.keys("y");
    assert_eq!(v.store().last_seq().unwrap(), 201, "no revert appended");
    assert!(v.app.message.as_ref().unwrap().1, "{}", v.message());
    assert_eq!(
        v.app.window.total, 201,
        "the view shows the log as it is now"
    );
    assert_eq!(v.seq(), seq);
}

#[test]
fn a_paste_is_text_for_a_prompt_and_never_keys() {
    let dir = store(100);
    let ctx = context(&dir, &[]);
    let mut v = Viewer::open(&ctx, &dir, (120, 20));
    // In the table a paste does nothing: its newline is no Enter, its r y no revert.
    v.input(Input::Paste("j\nr\ny\n".into()));
    assert!(matches!(v.app.mode, Mode::Table));
    assert_eq!(v.app.position(), 1);
    assert_eq!(v.store().last_seq().unwrap(), 100);
    // In a prompt it is typed, on one line: newlines and tabs are spaces.
    v.keys("f");
    v.input(Input::Paste(
        "action = UPDATE\nand\tuser = alice\r\nr\ny".into(),
    ));
    let Mode::Prompt(p) = &v.app.mode else {
        panic!("{:?}", v.app.mode)
    };
    assert_eq!(p.input, "action = UPDATE and user = alice r y");
    assert!(p.error.is_some(), "still being typed, not run");
    assert_eq!(v.store().last_seq().unwrap(), 100);
}

#[test]
fn prompts_edit_as_a_shell_line_does() {
    let dir = store(20);
    let ctx = context(&dir, &[]);
    let mut v = Viewer::open(&ctx, &dir, (120, 20));
    v.keys("fuser = bob");
    let ctrl = |c| Input::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL));
    v.input(ctrl('w'));
    v.keys("alice");
    v.key(KeyCode::Home);
    v.keys("not ");
    v.input(ctrl('e'));
    v.key(KeyCode::Left);
    v.key(KeyCode::Left);
    v.key(KeyCode::Backspace);
    v.key(KeyCode::Delete);
    v.keys("Li");
    let Mode::Prompt(p) = &v.app.mode else {
        panic!()
    };
    assert_eq!(p.input, "not user = alLie");
    assert!(v.screen().contains("not user = alLi▏e"), "{}", v.screen());
    v.input(ctrl('a'));
    v.input(ctrl('k'));
    v.keys("user = 東京");
    v.key(KeyCode::Backspace);
    let Mode::Prompt(p) = &v.app.mode else {
        panic!()
    };
    assert_eq!(p.input, "user = 東");
}

#[test]
fn a_refusal_shows_its_lines_whole() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = SqliteStore::open_or_create(&dir.path().join("audit.db")).unwrap();
    let change = |id: &str, minute: u32, from: i64, to: i64| -> Event {
        serde_json::from_value(serde_json::json!({
            "id": id, "time": format!("2026-11-30T11:{minute:02}:00Z"), "user": "u",
            "action": "UPDATE", "table": "policies", "resource_id": "p-1",
            "before": {"settings": {"session_timeout": from}},
            "after": {"settings": {"session_timeout": to}}
        }))
        .unwrap()
    };
    let events = vec![change("first", 1, 10, 20), change("second", 2, 20, 30)];
    store.append(&mut events.into_iter().map(Ok)).unwrap();
    let ctx = context(&dir, &[]);
    let mut v = Viewer::open(&ctx, &dir, (100, 30));
    v.keys("j");
    assert_eq!(v.seq(), 1);
    v.keys("r");
    let screen = v.screen();
    assert!(screen.contains("refused: later events changed"), "{screen}");
    assert!(
        screen.contains("settings.session_timeout: changed by event 2"),
        "{screen}"
    );
    assert!(!screen.contains("\\n"), "{screen}");
    v.keys("y");
    assert_eq!(v.store().last_seq().unwrap(), 2);
}

#[test]
fn u_takes_back_each_change_of_the_view() {
    let dir = store(200);
    let ctx = context(&dir, &[]);
    let mut v = Viewer::open(&ctx, &dir, (160, 20));
    let all = v.app.selection.clone();
    v.keys("faction = UPDATE");
    v.key(KeyCode::Enter);
    let filtered = v.app.selection.clone();
    v.keys("=");
    let funnelled = v.app.selection.clone();
    v.keys("S");
    let reversed = v.app.selection.clone();
    v.keys("c");
    assert_eq!(v.app.window.total, 200);
    for expected in [&reversed, &funnelled, &filtered, &all] {
        v.keys("u");
        assert_eq!(&v.app.selection, expected);
        assert_eq!(
            v.app.window.total,
            v.store().count(&v.app.filter()).unwrap()
        );
    }
    v.keys("u");
    assert_eq!(v.message(), "nothing to undo");
}

#[test]
fn every_key_in_a_tiny_terminal_is_harmless() {
    let dir = store(30);
    let ctx = context(&dir, &[]);
    for (w, h) in [(1, 1), (10, 3), (39, 7), (40, 8)] {
        let mut v = Viewer::open(&ctx, &dir, (w, h));
        for code in [
            KeyCode::Left,
            KeyCode::Right,
            KeyCode::PageDown,
            KeyCode::PageUp,
            KeyCode::Enter,
            KeyCode::Esc,
        ] {
            v.key(code);
            v.screen();
        }
        for c in "jkgGdhs=?x/ab".chars() {
            v.key(KeyCode::Char(c));
            v.screen();
        }
        v.key(KeyCode::Esc);
        v.keys("fuser = (");
        v.screen();
        v.input(Input::Paste("東京\n".repeat(50)));
        v.screen();
        v.click(0, 0);
        v.click(w.saturating_sub(1), h.saturating_sub(1));
        v.screen();
    }
}

mod random_keys {
    use proptest::prelude::*;

    use super::*;

    /// Keys a person (or a cat on the keyboard) may press; y, r and e are left out only so
    /// that the store and the folder stay as they are.
    fn key() -> impl Strategy<Value = Input> {
        let codes = prop_oneof![
            prop::sample::select(vec![
                KeyCode::Up,
                KeyCode::Down,
                KeyCode::Left,
                KeyCode::Right,
                KeyCode::PageUp,
                KeyCode::PageDown,
                KeyCode::Home,
                KeyCode::End,
                KeyCode::Enter,
                KeyCode::Esc,
                KeyCode::Backspace,
                KeyCode::Tab,
            ]),
            prop::sample::select("jkgGdhfs=!S/cuFR?qx é(\")".chars().collect::<Vec<_>>())
                .prop_map(KeyCode::Char),
        ];
        prop_oneof![
            8 => codes.prop_map(|c| Input::Key(KeyEvent::from(c))),
            1 => "[a-z =\"()]{0,12}".prop_map(Input::Paste),
            1 => (30u16..140, 4u16..40).prop_map(|(w, h)| Input::Resize(w, h)),
            1 => Just(Input::Tick),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]

        /// Any keys, in any order, at any size: no panic, a screen every time, and the
        /// position within the count.
        #[test]
        fn any_keys_draw_a_screen_and_keep_the_position_in_range(
            keys in prop::collection::vec(key(), 1..50),
        ) {
            let dir = store(60);
            let ctx = context(&dir, &[]);
            let mut v = Viewer::open(&ctx, &dir, (100, 20));
            for input in keys {
                v.input(input);
                if v.app.quit {
                    break;
                }
                let _ = v.screen();
                if !v.app.window.rows.is_empty() {
                    prop_assert!(v.app.position() <= v.app.window.total);
                }
            }
            prop_assert_eq!(v.store().last_seq().unwrap(), 60, "keys alone append nothing");
        }
    }
}

#[test]
fn the_reason_of_a_revert_edits_as_any_prompt_and_a_paste_never_answers() {
    let dir = store(200);
    let ctx = context(&dir, &[]);
    let mut v = Viewer::open(&ctx, &dir, (160, 30));
    let seq = first_seq(v.store(), "table = webhooks and action = UPDATE");
    select(&mut v, seq);
    v.keys("rabc");
    v.key(KeyCode::Left);
    v.key(KeyCode::Left);
    v.keys("X");
    v.input(Input::Key(KeyEvent::new(
        KeyCode::Char('k'),
        KeyModifiers::CONTROL,
    )));
    v.input(Input::Paste("pasted\r\nreason".into()));
    let Mode::Revert(r) = &v.app.mode else {
        panic!("{:?}", v.app.mode)
    };
    assert_eq!(r.reason.input, "aXpasted reason");
    v.key(KeyCode::Enter);
    // At the question, a paste is no answer.
    v.input(Input::Paste("y".into()));
    assert!(matches!(v.app.mode, Mode::Revert(_)));
    assert_eq!(v.store().last_seq().unwrap(), 200);
    v.keys("y");
    assert_eq!(v.store().get("201").unwrap().message, "aXpasted reason");
}

#[test]
fn a_fault_scrolled_out_of_the_prompt_is_pointed_at() {
    let dir = store(20);
    let ctx = context(&dir, &[]);
    let mut v = Viewer::open(&ctx, &dir, (60, 12));
    v.keys(&format!("fusr = x and message ~ \"{}\"", "東京".repeat(25)));
    assert!(v.screen().contains("← unknown field"), "{}", v.screen());
    v.input(Input::Key(KeyEvent::new(
        KeyCode::Char('u'),
        KeyModifiers::CONTROL,
    )));
    v.keys(&format!("message ~ \"{}\" and usr = x", "東京".repeat(25)));
    v.input(Input::Key(KeyEvent::new(
        KeyCode::Char('a'),
        KeyModifiers::CONTROL,
    )));
    assert!(v.screen().contains("→ unknown field"), "{}", v.screen());
}

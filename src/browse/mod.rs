//! `browse`: the audit log in a full-screen terminal viewer. The state machine is `app`, the
//! drawing `view`, the work on the store `data`; this module owns the terminal, and gives it
//! back as it found it however the viewer ends.

pub mod app;
pub mod data;
pub mod view;

use std::io::{IsTerminal, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::event::{
    self, DisableMouseCapture, EnableMouseCapture, Event as TermEvent,
};
use ratatui::crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::crossterm::{cursor, execute};

use self::app::{App, Input};
use crate::commands::{Context, FilterArgs};
use crate::error::Failure;
use crate::store::Location;

/// Browse the log in a full-screen viewer: scroll, search, filter, sort, diff, revert
///
/// Opens on the newest events of any store `list` reads (SQLite, JSON Lines, Kubernetes and
/// CloudTrail logs, a server), with the quick filters of `list` applied. Only the rows on
/// screen are read, so a log of millions opens at once. Press ? for the keys.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Keys: j/k move, / search, f filter, = funnel, s sort, Enter show, d diff, h history,\nr revert, e export, F follow, y copy id, ? all keys, q quit.\n\nExamples:\n  auditctl browse\n  auditctl browse --table policies --since 7d\n  auditctl --remote https://audit.example.org browse"
)]
pub struct Args {
    #[command(flatten)]
    pub filters: FilterArgs,
}

/// How often the viewer looks for new events while following.
const FOLLOW_EVERY: Duration = Duration::from_millis(500);
/// How long it waits for a key before checking for a signal to end.
const IDLE_WAIT: Duration = Duration::from_millis(250);

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<()> {
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        return Err(Failure::usage("browse needs a terminal")
            .with_hint(
                "use `auditctl list` (or `list -o json`) to print events to a pipe or a file",
            )
            .into());
    }
    let base = args.filters.to_expr(ctx.now)?;
    let backend = ctx.open_store()?;
    let source = match ctx.location()? {
        Location::Sqlite(p) | Location::JsonLines(p) => p.display().to_string(),
        Location::Remote { url, .. } => url.clone(),
    };
    let ended = Arc::new(AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGTERM, signal_hook::consts::SIGHUP] {
        signal_hook::flag::register(signal, Arc::clone(&ended))?;
    }
    let screen = Screen::enter()?;
    let mut terminal = Terminal::new(CrosstermBackend::new(std::io::stdout()))?;
    let size = terminal.size()?;
    let mut style = ctx.style;
    style.width = Some(size.width);
    let mut app = App::new(source, base, style, (size.width, size.height));
    let mut session = data::Session {
        ctx,
        backend,
        clipboard: Box::new(std::io::stdout()),
    };
    let mut effects = app.start();
    loop {
        session.settle(&mut app, std::mem::take(&mut effects));
        if app.quit || ended.load(Ordering::Relaxed) {
            break;
        }
        terminal.draw(|f| view::draw(f, &app))?;
        let wait = if app.follow { FOLLOW_EVERY } else { IDLE_WAIT };
        let input = if event::poll(wait)? {
            match event::read()? {
                TermEvent::Key(k) => Input::Key(k),
                TermEvent::Mouse(m) => Input::Mouse(m),
                TermEvent::Resize(w, h) => {
                    app.style.width = Some(w);
                    Input::Resize(w, h)
                }
                _ => continue,
            }
        } else {
            Input::Tick
        };
        effects = app.update(input);
    }
    drop(terminal);
    screen.leave();
    Ok(())
}

/// The terminal in the viewer's modes (raw, alternate screen, mouse); put back on drop, and
/// by a panic before the panic is reported.
struct Screen;

impl Screen {
    fn enter() -> anyhow::Result<Screen> {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore();
            previous(info);
        }));
        enable_raw_mode()?;
        let screen = Screen;
        execute!(
            std::io::stdout(),
            EnterAlternateScreen,
            EnableMouseCapture,
            cursor::Hide
        )?;
        Ok(screen)
    }

    fn leave(self) {}
}

impl Drop for Screen {
    fn drop(&mut self) {
        restore();
    }
}

/// Gives the terminal back: cooked mode, the main screen, no mouse reports, a cursor.
fn restore() {
    let mut out = std::io::stdout();
    let _ = execute!(out, DisableMouseCapture, LeaveAlternateScreen, cursor::Show);
    let _ = disable_raw_mode();
    let _ = out.flush();
}

#[cfg(test)]
mod tests;

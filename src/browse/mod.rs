//! `browse`: the audit log in a full-screen terminal viewer. The state machine is `app`, the
//! drawing `view`, the work on the store `data`; this module owns the terminal, and gives it
//! back as it found it however the viewer ends.

pub mod app;
pub mod data;
pub mod effect;
pub mod modes;
mod stderr;
pub mod view;
pub mod window;

use std::io::{IsTerminal, Write};
use std::sync::Mutex;
use std::time::Duration;

use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::event::{
    self, DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
    Event as TermEvent,
};
use ratatui::crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::crossterm::{cursor, execute};

use self::app::App;
use self::effect::Input;
use crate::commands::{Context, FilterArgs};
use crate::error::Failure;
use crate::store::Location;

/// Browse the log in a full-screen viewer: scroll, search, filter, sort, diff, revert
///
/// Opens on the newest events of any store `list` reads (SQLite, JSON Lines files and
/// Kubernetes audit logs read directly, a server), with the quick filters of `list` applied.
/// Only the rows on screen are read from a store, so a log of millions opens at once.
///
/// Keys: j/k move, / search, f filter, = funnel, s sort, Enter show, d diff, h history, r
/// revert, e export, F follow, y copy id, ? all keys, q quit.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  auditctl browse\n  auditctl browse --table policies --since 7d\n  auditctl --remote https://audit.example.org browse"
)]
pub struct Args {
    #[command(flatten)]
    pub filters: FilterArgs,
}

/// How often the viewer looks for new events while following.
const FOLLOW_EVERY: Duration = Duration::from_millis(500);
/// How long a request to a server may take while browsing.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// A log file read directly above this size gets a word about its speed.
const BIG_LOG: u64 = 50_000_000;

/// How long it waits for a key before a tick.
const IDLE_WAIT: Duration = Duration::from_millis(250);

/// Held while a frame is written, so that a signal's restore comes after it, not inside it.
static TERMINAL: Mutex<()> = Mutex::new(());

/// Ends the viewer on SIGTERM, SIGHUP (the terminal closed), SIGINT and SIGQUIT from outside:
/// the terminal restored, exit 128 + the signal. A thread of its own does it, because the
/// main one may be inside the terminal library, which spins on a terminal that went away
/// rather than return.
fn end_on_signals() -> anyhow::Result<()> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGQUIT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGTERM, SIGHUP, SIGINT, SIGQUIT])?;
    std::thread::spawn(move || {
        if let Some(signal) = signals.forever().next() {
            let _drawing = TERMINAL.lock().unwrap_or_else(|e| e.into_inner());
            restore();
            std::process::exit(crate::error::exit::signalled(signal));
        }
    });
    Ok(())
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<()> {
    if !std::io::stdout().is_terminal() || !std::io::stdin().is_terminal() {
        return Err(Failure::usage("browse needs a terminal")
            .with_hint(
                "use `auditctl list` (or `list -o json`) to print events to a pipe or a file",
            )
            .into());
    }
    let base = args.filters.to_expr(ctx.now)?;
    // Keys wait while a request is answered: a server that stops answering costs seconds,
    // not the two minutes a streaming export may take.
    crate::remote::set_request_timeout(REQUEST_TIMEOUT);
    let backend = ctx.open_store()?;
    let source = match ctx.location()? {
        Location::Sqlite(p) | Location::JsonLines(p) => p.display().to_string(),
        // A token given in the URL is not shown.
        Location::Remote { url, .. } | Location::Postgres(url) => {
            crate::remote::without_password(url)
        }
    };
    end_on_signals()?;
    let screen = Screen::enter()?;
    let warnings = stderr::Captured::start()?;
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
    if let Location::JsonLines(path) = ctx.location()? {
        // Each load reads a log file through: fine for thousands of lines, not for millions.
        let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        if size > BIG_LOG {
            app.apply(self::effect::Outcome::Said(format!(
                "{} MB read directly: each page reads it through; `auditctl import` it for speed",
                size / 1_000_000
            )));
        }
    }
    loop {
        session.settle(&mut app, std::mem::take(&mut effects));
        for line in warnings.take() {
            let line = line.strip_prefix("auditctl: ").unwrap_or(&line).to_owned();
            app.apply(self::effect::Outcome::Failed(line));
        }
        if app.quit {
            break;
        }
        if std::mem::take(&mut app.suspend) {
            suspend(&mut terminal)?;
        }
        {
            let _drawing = TERMINAL.lock().unwrap_or_else(|e| e.into_inner());
            terminal.draw(|f| view::draw(f, &app))?;
        }
        let wait = if app.follow { FOLLOW_EVERY } else { IDLE_WAIT };
        let input = if event::poll(wait)? {
            match event::read()? {
                TermEvent::Key(k) => Input::Key(k),
                TermEvent::Mouse(m) => Input::Mouse(m),
                TermEvent::Paste(text) => Input::Paste(text),
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
    drop(warnings);
    drop(screen);
    Ok(())
}

/// Ctrl-Z: the terminal back to the shell, the process stopped as any job is; on `fg`, the
/// viewer's modes again and a whole new frame.
fn suspend(terminal: &mut Terminal<CrosstermBackend<std::io::Stdout>>) -> anyhow::Result<()> {
    {
        let _drawing = TERMINAL.lock().unwrap_or_else(|e| e.into_inner());
        restore();
    }
    signal_hook::low_level::raise(signal_hook::consts::SIGTSTP)?;
    enter_modes()?;
    // A new terminal has no frame to compare with: the next one is drawn whole. (`clear`
    // would ask the terminal where its cursor is, which not every terminal answers.)
    execute!(
        std::io::stdout(),
        ratatui::crossterm::terminal::Clear(ratatui::crossterm::terminal::ClearType::All)
    )?;
    *terminal = Terminal::new(CrosstermBackend::new(std::io::stdout()))?;
    Ok(())
}

/// Raw mode, the alternate screen, mouse reports, no cursor.
fn enter_modes() -> anyhow::Result<()> {
    enable_raw_mode()?;
    execute!(
        std::io::stdout(),
        EnterAlternateScreen,
        EnableMouseCapture,
        EnableBracketedPaste,
        cursor::Hide
    )?;
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
            stderr::restore();
            previous(info);
        }));
        let screen = Screen;
        enter_modes()?;
        Ok(screen)
    }
}

impl Drop for Screen {
    fn drop(&mut self) {
        restore();
    }
}

/// Gives the terminal back: cooked mode, the main screen, no mouse reports, a cursor.
fn restore() {
    let mut out = std::io::stdout();
    let _ = execute!(
        out,
        DisableBracketedPaste,
        DisableMouseCapture,
        LeaveAlternateScreen,
        cursor::Show
    );
    let _ = disable_raw_mode();
    let _ = out.flush();
}

#[cfg(test)]
mod tests;

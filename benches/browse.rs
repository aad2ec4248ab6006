//! How fast `browse` answers on a big store: opening to the first screen, and each key after
//! (a line, a page, the ends, a sort, a search), each timed from the key to the frame drawn,
//! through the viewer's own state machine, store code and drawing (into an off-screen
//! terminal of 200×50; the terminal's own output is not timed).
//!
//!     cargo bench --bench browse -- target/bench/store-1000000.db
//!
//! `benches/browse.sh` makes the 1M store as `benches/run.sh` does and runs this.

use std::time::{Duration, Instant};

use auditctl::browse::app::App;
use auditctl::browse::data::Session;
use auditctl::browse::effect::Input;
use auditctl::browse::view;
use clap::Parser;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent};

const SIZE: (u16, u16) = (200, 50);

fn main() -> anyhow::Result<()> {
    let store = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with("--"))
        .ok_or_else(|| anyhow::anyhow!("usage: cargo bench --bench browse -- STORE"))?;
    let cli = auditctl::cli::Cli::try_parse_from(["auditctl", "--store", &store, "browse"])?;
    let ctx = auditctl::commands::Context::with_config(cli.global, Default::default())?;
    let mut terminal = Terminal::new(TestBackend::new(SIZE.0, SIZE.1))?;

    let mut opens = Vec::new();
    for _ in 0..10 {
        let started = Instant::now();
        let viewer = open(&ctx)?;
        terminal.draw(|f| view::draw(f, &viewer.0))?;
        opens.push(started.elapsed());
    }
    report("open the store, first screen", &mut opens);

    let (mut app, mut session) = open(&ctx)?;
    println!("{} events", app.window.total);
    let mut press = |app: &mut App, session: &mut Session, code: KeyCode, times: usize| {
        let mut took = Vec::with_capacity(times);
        for _ in 0..times {
            let started = Instant::now();
            let effects = app.update(Input::Key(KeyEvent::from(code)));
            session.settle(app, effects);
            terminal.draw(|f| view::draw(f, app)).expect("drawn");
            took.push(started.elapsed());
        }
        took
    };
    report(
        "j (down a line), 2,000 times",
        &mut press(&mut app, &mut session, KeyCode::Char('j'), 2000),
    );
    report(
        "PgDn, 500 times",
        &mut press(&mut app, &mut session, KeyCode::PageDown, 500),
    );
    report(
        "G (the last event)",
        &mut press(&mut app, &mut session, KeyCode::Char('G'), 5),
    );
    report(
        "PgUp from the end, 500 times",
        &mut press(&mut app, &mut session, KeyCode::PageUp, 500),
    );
    report(
        "k from the end, 2,000 times",
        &mut press(&mut app, &mut session, KeyCode::Char('k'), 2000),
    );
    report(
        "g (the first event)",
        &mut press(&mut app, &mut session, KeyCode::Char('g'), 5),
    );
    // `s` on the chosen column (user), then paging in that order.
    report(
        "s (sort by user)",
        &mut press(&mut app, &mut session, KeyCode::Char('s'), 1),
    );
    report(
        "PgDn sorted by user, 200 times",
        &mut press(&mut app, &mut session, KeyCode::PageDown, 200),
    );
    report(
        "G sorted by user",
        &mut press(&mut app, &mut session, KeyCode::Char('G'), 3),
    );
    Ok(())
}

fn open(ctx: &auditctl::commands::Context) -> anyhow::Result<(App, Session<'_>)> {
    let mut style = ctx.style;
    style.width = Some(SIZE.0);
    let mut app = App::new("bench".into(), auditctl::query::Expr::All, style, SIZE);
    let mut session = Session {
        ctx,
        backend: ctx.open_store()?,
        clipboard: Box::new(std::io::sink()),
    };
    let first = app.start();
    session.settle(&mut app, first);
    Ok((app, session))
}

fn report(what: &str, took: &mut [Duration]) {
    took.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let median = took[took.len() / 2];
    let p99 = took[(took.len() * 99 / 100).min(took.len() - 1)];
    println!(
        "{what:<40} median {:>8.2} ms   p99 {:>8.2} ms   max {:>8.2} ms",
        ms(median),
        ms(p99),
        ms(took[took.len() - 1])
    );
}

//! Carries out the viewer's effects on a back end, with the code the commands use: windows of
//! events by keyset paging (`store::keyset`), the detail of `show`, the diff of `diff`, the
//! history of `history`, the plan and the revert of `revert`, the file of `export`.

use std::collections::VecDeque;
use std::io::Write;

use ansi_to_tui::IntoText;
use ratatui::text::Text;

use super::app::App;
use super::effect::{Effect, Load, Outcome, Plan, Row};
use crate::api;
use crate::commands::{Context, diff, export, revert};
use crate::model::Event;
use crate::query::{CmpOp, Expr};
use crate::render::{self, Style, thousands, visible};
use crate::store::revert::refusal_hint;
use crate::store::{Backend, Query, SortKey, Store, history, keyset, seq_compare};

/// A back end and the settings of the command line.
pub struct Session<'a> {
    pub ctx: &'a Context,
    pub backend: Box<dyn Backend>,
    /// Where an OSC 52 copy is written: the terminal.
    pub clipboard: Box<dyn Write + 'a>,
}

impl Session<'_> {
    /// Carries out `effects` and the effects their outcomes lead to, until the viewer waits
    /// for input again.
    pub fn settle(&mut self, app: &mut App, effects: Vec<Effect>) {
        let mut queue: VecDeque<Effect> = effects.into();
        while let Some(effect) = queue.pop_front() {
            let outcome = self.run(effect, &app.style);
            queue.extend(app.apply(outcome));
        }
    }

    /// Carries out one effect; a failure becomes a message, never the end of the viewer.
    pub fn run(&mut self, effect: Effect, style: &Style) -> Outcome {
        let loading = matches!(effect, Effect::Load { .. });
        let reverting = matches!(effect, Effect::Revert { .. });
        self.try_run(effect, style).unwrap_or_else(|e| {
            let mut text = e.to_string();
            if let Some(hint) = e
                .downcast_ref::<crate::error::Failure>()
                .and_then(|f| f.hint.clone())
            {
                text = format!("{text} ({hint})");
            }
            let text = visible(&text, false).into_owned();
            if loading {
                Outcome::LoadFailed(text)
            } else if reverting {
                Outcome::RevertFailed(text)
            } else {
                Outcome::Failed(text)
            }
        })
    }

    fn try_run(&mut self, effect: Effect, style: &Style) -> anyhow::Result<Outcome> {
        Ok(match effect {
            Effect::Load { filter, key, load } => {
                load_rows(self.store(), &|e| self.ctx.redact(e), &filter, key, load)?
            }
            Effect::Detail(e) => {
                let mut event = self.fetch(&e)?;
                self.ctx.redact(&mut event);
                let links = history::revert_links(self.store(), std::slice::from_ref(&event))?;
                let mut text = Vec::new();
                render::show::write_event(&mut text, &event, &links[0], style)?;
                Outcome::Pane {
                    title: format!("event {}", seq_of(&event)),
                    text: to_text(&text)?,
                }
            }
            Effect::Diff(e) => {
                let event = self.fetch(&e)?;
                let (mut old, mut new) = (event.before.clone(), event.after.clone());
                if let Some(r) = self.ctx.output_redactor() {
                    r.redact_pair(old.as_mut(), new.as_mut());
                }
                let mut text = Vec::new();
                writeln!(
                    text,
                    "{}",
                    render::diff::paint(style, "\x1b[1m", &diff::title(&event, style))
                )?;
                render::diff::write_unified(
                    &mut text,
                    old.as_ref(),
                    new.as_ref(),
                    ("before", "after"),
                    3,
                    style,
                )?;
                Outcome::Pane {
                    title: format!("diff of event {}", seq_of(&event)),
                    text: to_text(&text)?,
                }
            }
            Effect::History(e) => {
                let (Some(table), Some(id)) = (&e.table, &e.resource_id) else {
                    anyhow::bail!("this event names no record");
                };
                let events = history::record_events(self.store(), table, id)?;
                Outcome::History {
                    title: format!("history of {}", diff::record(&e)),
                    rows: rows(self.store(), &|e| self.ctx.redact(e), events)?,
                }
            }
            Effect::Plan(e) => Outcome::Plan(self.plan(&e, style)?),
            Effect::Revert {
                target,
                etag,
                reason,
            } => {
                let request = api::RevertRequest {
                    reason,
                    force: false,
                    user: None,
                };
                let appended =
                    self.backend
                        .revert()?
                        .revert(&seq_of(&target), &etag, &request, None)?;
                Outcome::Reverted(format!(
                    "reverted event {}: appended event {} ({} {})",
                    seq_of(&target),
                    seq_of(&appended),
                    visible(&appended.action, false),
                    diff::record(&appended)
                ))
            }
            Effect::Export {
                filter,
                format,
                path,
            } => {
                // As a shell would: `~/x.csv` is in the home folder.
                let path = match (path.strip_prefix("~/"), std::env::var_os("HOME")) {
                    (Some(rest), Some(home)) => std::path::PathBuf::from(home).join(rest),
                    _ => std::path::PathBuf::from(&path),
                };
                if path.is_dir() {
                    anyhow::bail!(
                        "{} is a folder: give the name of a file in it",
                        path.display()
                    );
                }
                let (written, redacted) =
                    export_new(self.ctx, self.store(), filter, format, &path)?;
                let hidden = if redacted > 0 {
                    format!(", sensitive values hidden in {}", thousands(redacted))
                } else {
                    String::new()
                };
                Outcome::Said(
                    visible(
                        &format!(
                            "exported {} to {}{hidden}",
                            count(written, "event"),
                            path.display()
                        ),
                        false,
                    )
                    .into_owned(),
                )
            }
            Effect::Copy(text) => {
                use base64::Engine;
                let encoded = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
                write!(self.clipboard, "\x1b]52;c;{encoded}\x07")?;
                self.clipboard.flush()?;
                Outcome::Said(format!("copied {}", visible(&text, false)))
            }
            Effect::Poll { .. } => Outcome::Polled(self.backend.last_seq()?),
        })
    }

    fn store(&self) -> &dyn Store {
        self.backend.as_ref()
    }

    /// The stored event of a row, read again by its seq; an error if that is another event
    /// now (a log file rewritten under the viewer numbers its lines anew).
    fn fetch(&self, row: &Event) -> anyhow::Result<Event> {
        let event = self.backend.get(&seq_of(row))?;
        if event.id != row.id {
            anyhow::bail!(
                "the log changed under the viewer: event {} is another one now (R reloads)",
                seq_of(row)
            );
        }
        Ok(event)
    }

    /// The revert plan of `target` as `revert --dry-run` prints it, and why it would be
    /// refused. Asks for the reverter first: a token without the scope is told so before any
    /// plan.
    fn plan(&mut self, target: &Event, style: &Style) -> anyhow::Result<Plan> {
        let target = self.fetch(target)?;
        let ctx = self.ctx;
        let reverter = self.backend.revert()?;
        let user = reverter.reverter()?;
        let key = seq_of(&target);
        let (plan, etag) = reverter.revert_plan(&key)?;
        if plan.event_id != target.id {
            anyhow::bail!("the store planned event {} instead of {key}", plan.seq);
        }
        let mut text = Vec::new();
        revert::write_plan(
            &mut text,
            style,
            ctx.output_redactor(),
            &target,
            &plan,
            None,
            &user,
        )?;
        let refusal = plan.refusal.as_ref().map(|r| {
            let hint = refusal_hint(&r.code)
                .map(|h| format!("\n({h})"))
                .unwrap_or_default();
            // The detail's lines stay lines (a path a line, as `revert` prints them).
            visible(&format!("{}{hint}", r.detail), true).into_owned()
        });
        Ok(Plan {
            target,
            etag,
            text: to_text(&text)?,
            refusal,
        })
    }
}

/// Events with their revert marks, sensitive values hidden by `redact`.
pub fn rows(
    store: &dyn Store,
    redact: &dyn Fn(&mut Event),
    mut events: Vec<Event>,
) -> anyhow::Result<Vec<Row>> {
    let links = history::revert_links(store, &events)?;
    for e in &mut events {
        redact(e);
    }
    Ok(events
        .into_iter()
        .zip(links)
        .map(|(event, link)| Row::new(event, link.mark()))
        .collect())
}

/// A window of the view (`Effect::Load`): a query or two over indexes, and the counts the
/// status line shows where the load starts afresh.
pub fn load_rows(
    store: &dyn Store,
    redact: &dyn Fn(&mut Event),
    filter: &Expr,
    key: SortKey,
    load: Load,
) -> anyhow::Result<Outcome> {
    let (mut total, mut start, mut cleared) = (None, None, false);
    let mut load = load;
    let events = match &load {
        Load::Top(n) => {
            total = Some(store.count(filter)?);
            start = Some(0);
            window(store, filter, key, None, *n)?
        }
        Load::Bottom(n) => {
            total = Some(store.count(filter)?);
            let mut events = window(store, filter, reversed(key), None, *n)?;
            events.reverse();
            events
        }
        Load::After(anchor, n) => window(store, filter, key, Some(anchor), *n)?,
        Load::Before(anchor, n) => {
            let mut events = window(store, filter, reversed(key), Some(anchor), *n)?;
            events.reverse();
            events
        }
        Load::Around {
            anchor,
            n,
            or_clear,
        } => {
            let mut filter = filter.clone();
            let holds = |filter: &Expr| -> anyhow::Result<bool> {
                let only = seq_compare(CmpOp::Eq, anchor.seq.unwrap_or_default());
                Ok(store.count(&Expr::and(vec![filter.clone(), only]))? > 0)
            };
            let mut held = holds(&filter)?;
            if !held && *or_clear {
                filter = Expr::All;
                cleared = true;
                held = holds(&filter)?;
            }
            let events = if held {
                // Read again: a revert may have changed its mark, and the anchor must be
                // the stored event, not a redacted copy.
                let anchor = store.get(&seq_of(anchor))?;
                let mut before = window(store, &filter, reversed(key), Some(&anchor), *n)?;
                before.reverse();
                let after = window(store, &filter, key, Some(&anchor), *n)?;
                let earlier = store.count(&Expr::and(vec![
                    filter.clone(),
                    keyset::after(reversed(key), &anchor),
                ]))?;
                start = Some(earlier - before.len() as u64);
                let mut events = before;
                events.push(anchor);
                events.extend(after);
                events
            } else {
                // The event left the view: its top instead.
                start = Some(0);
                let top = window(store, &filter, key, None, *n)?;
                load = Load::Top(*n);
                top
            };
            total = Some(store.count(&filter)?);
            events
        }
    };
    Ok(Outcome::Rows {
        load,
        rows: rows(store, redact, events)?,
        total,
        start,
        cleared,
    })
}

/// Exports to a file that must not exist yet: written whole beside it, then linked into place,
/// which fails if the name was taken meanwhile (a check and a rename could replace a file made
/// between the two).
fn export_new(
    ctx: &Context,
    store: &dyn Store,
    filter: Expr,
    format: export::ExportFormat,
    path: &std::path::Path,
) -> anyhow::Result<(u64, u64)> {
    let exists = || {
        anyhow::anyhow!(
            "{} exists: export writes a new file (remove it, or give another name)",
            path.display()
        )
    };
    // A dangling link counts as taken too.
    if path.symlink_metadata().is_ok() {
        return Err(exists());
    }
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => std::path::Path::new("."),
    };
    if !folder.is_dir() {
        anyhow::bail!("there is no folder {}", folder.display());
    }
    let aside = tempfile::Builder::new()
        .prefix(".auditctl-export-")
        .tempfile_in(folder)
        .map_err(|e| anyhow::anyhow!("cannot create a file in {}: {e}", folder.display()))?
        .into_temp_path();
    let counts = export::export_to_file(ctx, store, filter, format, &aside)?;
    match std::fs::hard_link(&aside, path) {
        Ok(()) => Ok(counts),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Err(exists()),
        // A file system without links: the check above is what there is.
        Err(_) if path.symlink_metadata().is_err() => {
            std::fs::rename(&aside, path)?;
            Ok(counts)
        }
        Err(_) => Err(exists()),
    }
}

/// The event's key for the back end: its seq (an id of digits would read as another seq).
fn seq_of(e: &Event) -> String {
    e.seq.map_or_else(|| e.id.clone(), |s| s.to_string())
}

fn reversed(key: SortKey) -> SortKey {
    SortKey {
        descending: !key.descending,
        ..key
    }
}

/// Up to `n` events of `filter` in the order of `key`, after `anchor` when given: one indexed
/// query, however far into the view.
fn window(
    store: &dyn Store,
    filter: &Expr,
    key: SortKey,
    anchor: Option<&Event>,
    n: usize,
) -> anyhow::Result<Vec<Event>> {
    let filter = match anchor {
        Some(a) => Expr::and(vec![filter.clone(), keyset::after(key, a)]),
        None => filter.clone(),
    };
    let query = Query {
        filter,
        order: vec![key],
        limit: Some(n),
        offset: 0,
    };
    let mut out = Vec::with_capacity(n);
    store.scan(&query, &mut |e| {
        out.push(e);
        Ok(true)
    })?;
    Ok(out)
}

/// Text written with ANSI colours as the text of a pane. Tabs become spaces: a terminal
/// moves to the next tab stop, the pane would drop them.
fn to_text(ansi: &[u8]) -> anyhow::Result<Text<'static>> {
    let text = String::from_utf8_lossy(ansi).replace('\t', "    ");
    Ok(text.as_bytes().into_text()?)
}

/// `1 event`, `2,001 events`.
pub fn count(n: u64, what: &str) -> String {
    format!("{} {what}{}", thousands(n), if n == 1 { "" } else { "s" })
}

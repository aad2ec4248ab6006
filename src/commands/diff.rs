//! `diff ID [ID2]`: what one event changed, or how a record differs between two events.

use std::io::Write;

use serde_json::{Value, json};

use super::Context;
use crate::change::{self, patch};
use crate::model::Event;
use crate::render::{diff, human_time};
use crate::store::history;
use crate::term::Output;

/// Show what an event changed, as a coloured unified diff of before → after
///
/// JSON data is pretty printed with sorted keys, so the diff is stable; text data (an XML
/// document, a config file) is compared line by line. A CREATE or DELETE diffs against
/// nothing. With ID2, compares the record states after the two events.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  auditctl diff 4211\n  auditctl diff 4211 --stat\n  auditctl diff 4211 --format patch\n  auditctl diff 4200 4211 -U 10"
)]
pub struct Args {
    /// The event: a seq, an id, or a unique id prefix
    #[arg(value_name = "ID")]
    pub id: String,
    /// A second event: compare the record state after ID with the state after ID2
    #[arg(value_name = "ID2")]
    pub id2: Option<String>,
    /// Lines of context around each change
    #[arg(short = 'U', long = "unified", value_name = "N", default_value_t = diff::DEFAULT_CONTEXT)]
    pub context: usize,
    /// Only the changed paths, with their old and new values
    #[arg(long)]
    pub stat: bool,
    /// unified (for people), json (the change list) or patch (RFC 6902 JSON Patch)
    #[arg(short = 'o', long, value_enum, default_value_t = DiffFormat::Unified, value_name = "FORMAT")]
    pub format: DiffFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DiffFormat {
    Unified,
    Json,
    Patch,
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<()> {
    let store = ctx.open_store()?;
    let first = store.get(&args.id)?;
    let (title, labels, mut old, mut new) = match &args.id2 {
        None => (
            title(&first, &ctx.style),
            ("before".to_owned(), "after".to_owned()),
            first.before.clone(),
            first.after.clone(),
        ),
        Some(id2) => {
            let second = store.get(id2)?;
            let label = |e: &Event| format!("{} after event {}", record(e), seq(e));
            (
                format!(
                    "{} → {}",
                    title(&first, &ctx.style),
                    title(&second, &ctx.style)
                ),
                (label(&first), label(&second)),
                history::state_after(store.as_ref(), &first)?,
                history::state_after(store.as_ref(), &second)?,
            )
        }
    };
    if !ctx.global.reveal {
        ctx.redactor.redact_pair(old.as_mut(), new.as_mut());
    }
    // Two events from a server that hid their sensitive values each on its own: whether those
    // differ is not known here, and is said so rather than shown as no change.
    let uncompared = if args.id2.is_some() && !store.can_reveal()? {
        crate::redact::mark_uncompared(old.as_ref(), new.as_mut())
    } else {
        0
    };
    match args.format {
        DiffFormat::Json => print_json(&change_list(old.as_ref(), new.as_ref())),
        DiffFormat::Patch => print_json(&patch::json_patch(old.as_ref(), new.as_ref())),
        DiffFormat::Unified => {
            let mut out = Output::paged(!ctx.global.no_pager);
            writeln!(out, "{}", diff::paint(&ctx.style, "\x1b[1m", &title))?;
            if args.stat {
                let changes = change::changed_paths(old.as_ref(), new.as_ref());
                diff::write_changes(&mut out, &changes, &ctx.style)?;
                let n = changes.len();
                writeln!(out, "{n} path{} changed", if n == 1 { "" } else { "s" })?;
            } else {
                diff::write_unified(
                    &mut out,
                    old.as_ref(),
                    new.as_ref(),
                    (&labels.0, &labels.1),
                    args.context,
                    &ctx.style,
                )?;
            }
            if uncompared > 0 {
                writeln!(
                    out,
                    "{uncompared} sensitive value{} not compared: the token lacks view_sensitive",
                    if uncompared == 1 { " was" } else { "s were" }
                )?;
            }
            out.finish()?;
            Ok(())
        }
    }
}

/// The change list as JSON: path (as the filter language writes it), RFC 6901 pointer, kind,
/// and the old and new values where there are any.
pub fn change_list(old: Option<&Value>, new: Option<&Value>) -> Value {
    let items = change::changed_paths(old, new)
        .into_iter()
        .map(|c| {
            let mut item = json!({
                "path": c.path.to_string(),
                "pointer": patch::pointer(&c.path),
                "kind": c.kind,
            });
            if let Some(v) = c.old {
                item["old"] = v;
            }
            if let Some(v) = c.new {
                item["new"] = v;
            }
            item
        })
        .collect();
    Value::Array(items)
}

fn print_json(v: &Value) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, v)?;
    writeln!(out)?;
    Ok(())
}

fn seq(e: &Event) -> u64 {
    e.seq.unwrap_or_default()
}

pub fn record(e: &Event) -> String {
    let text = match (&e.table, &e.resource_id) {
        (Some(t), Some(r)) => format!("{t}/{r}"),
        (Some(t), None) => t.clone(),
        (None, Some(r)) => r.clone(),
        (None, None) => "(no record)".to_owned(),
    };
    crate::render::visible(&text, false).into_owned()
}

/// `event 4211 UPDATE policies/42 by alice at 2026-11-20 10:00:00`.
pub fn title(e: &Event, style: &crate::render::Style) -> String {
    let text = format!(
        "event {} {} {} by {} at {}",
        seq(e),
        e.action,
        record(e),
        e.user,
        human_time(&e.time, style)
    );
    crate::render::visible(&text, false).into_owned()
}

//! `demo`: write a store of realistic events, deterministic with `--seed`.

use chrono::{DurationRound, TimeDelta};

use super::{Context, thousands};
use crate::demo::{self, DemoConfig};
use crate::error::Failure;
use crate::store::NewEntry;
use crate::timespec;

/// Write a demo store of realistic events
///
/// Several users (among them Portal and an API token), the actions CREATE, UPDATE, DELETE,
/// LOGIN, GENERATE, POST, PUBLISH, PUT and SEND, XML policy documents and JSON records with
/// coherent histories, IPv4 and IPv6 clients. The same --seed, --events and --end give the
/// same events.
#[derive(Debug, clap::Args)]
#[command(after_help = "Example:\n  auditctl demo && auditctl list --user alice --action UPDATE")]
pub struct Args {
    /// How many events to write
    #[arg(long, short = 'n', value_name = "N", default_value_t = 2_000)]
    pub events: usize,
    /// Seed of the generator
    #[arg(long, value_name = "SEED", default_value_t = 42)]
    pub seed: u64,
    /// Time of the last event [default: the start of the current hour]
    #[arg(long, value_name = "TIME", allow_hyphen_values = true)]
    pub end: Option<String>,
    /// Replace the store file if it already holds events (only an auditctl store is replaced)
    #[arg(long)]
    pub force: bool,
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<()> {
    ctx.local_only("demo")?;
    let end = match &args.end {
        Some(t) => timespec::parse(t, ctx.now)?,
        None => ctx
            .now
            .duration_trunc(TimeDelta::hours(1))
            .unwrap_or(ctx.now),
    };
    let location = ctx.location()?;
    let held = match location {
        // A database is made by the first write, and never replaced (it is append-only).
        crate::store::Location::Postgres(_) => ctx.open_store_for_append()?.last_seq()?,
        _ if location.is_new() => 0,
        _ => ctx.open_store()?.last_seq()?,
    };
    if held > 0 && !args.force {
        return Err(Failure::runtime(format!(
            "{} already holds {} events; demo writes only into a new store",
            location.display(),
            thousands(held)
        ))
        .with_hint(match location {
            crate::store::Location::Postgres(_) => {
                "choose another store with --store (a PostgreSQL store is never replaced)"
            }
            _ => "choose another file with --store, or replace this one with --force",
        })
        .into());
    }
    let cfg = DemoConfig {
        seed: args.seed,
        events: args.events,
        end,
    };
    let search = &ctx.redactor;
    let mut entries = demo::generate(&cfg).map(|e| Ok(NewEntry::new(e, search)?));
    // Built whole beside the path, and only then put in place: a demo killed halfway leaves
    // the old store (or none) as it was. Opening it proved it an auditctl store: only such a
    // file is ever replaced.
    let report = if held > 0 {
        location.replace_with(&mut entries, search)?
    } else if location.is_new() {
        location.create_with(&mut entries, search)?
    } else {
        let mut store = ctx.open_store_for_append()?;
        store.append()?.append(&mut demo::generate(&cfg).map(Ok))?
    };
    eprintln!(
        "wrote {} demo events to {}",
        thousands(report.added),
        location.display()
    );
    Ok(())
}

//! `init`: make an empty store, an SQLite file or the schema in a PostgreSQL database.

use std::path::PathBuf;

use super::Context;
use crate::render::thousands;
use crate::store::Location;

/// Create an empty store
///
/// STORE is a file path or a PostgreSQL URL (postgres://user@host/db, with ?host=/run/postgresql
/// for a Unix socket); without it, --store or the profile's. A store that exists is left as it
/// is. On PostgreSQL the tables go in the schema `auditctl`; run this as the role that is to
/// own them (README: "Deploying on PostgreSQL").
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  auditctl init audit.db\n  auditctl init 'postgres://auditctl_owner@db1.example/audit?sslmode=require'"
)]
pub struct Args {
    /// Where to make the store [default: --store, else the profile's, else ./audit.db]
    #[arg(value_name = "STORE")]
    pub store: Option<PathBuf>,
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<()> {
    ctx.local_only("init")?;
    let location = match &args.store {
        Some(store) => Location::of(store)?,
        None => ctx.location()?.clone(),
    };
    let existed = match &location {
        Location::Postgres(_) => location.open(&ctx.redactor).is_ok(),
        _ => !location.is_new(),
    };
    let store = location.open_for_append(&ctx.redactor)?;
    let held = store.last_seq()?;
    if existed {
        eprintln!(
            "{} is a store already ({} events)",
            location.display(),
            thousands(held)
        );
    } else {
        eprintln!("made an empty store at {}", location.display());
    }
    Ok(())
}

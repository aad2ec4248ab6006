//! `show ID`: one event in full.

use std::io::Write;

use super::{Context, OutputArgs};
use crate::render;
use crate::store::history;
use crate::term::Output;

/// Show one event in full: every field, meta, the changed paths and the data
///
/// ID is a seq number (4211), a full id, or a unique prefix of an id.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The event: a seq, an id, or a unique id prefix
    #[arg(value_name = "ID")]
    pub id: String,
    #[command(flatten)]
    pub output: OutputArgs,
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<()> {
    let store = ctx.open_store()?;
    let mut event = store.get(&args.id)?;
    ctx.redact(&mut event);
    match args.output.format.map(render::Format::from) {
        None | Some(render::Format::Table) if args.output.columns.is_none() => {
            let mut out = Output::paged(!ctx.global.no_pager);
            let links = history::revert_links(store.as_ref(), std::slice::from_ref(&event))?;
            render::show::write_event(&mut out, &event, &links[0], &ctx.style)?;
            out.finish()?;
        }
        // One event is one JSON object, not an array of one.
        Some(render::Format::Json) if args.output.columns.is_none() => {
            let mut out = std::io::stdout().lock();
            serde_json::to_writer_pretty(&mut out, &event)?;
            writeln!(out)?;
        }
        format => {
            let format = format.unwrap_or(render::Format::Table);
            let mut out = std::io::stdout().lock();
            let mut writer = render::writer(
                format,
                args.output.columns.map(|c| c.0),
                ctx.style,
                &mut out,
            );
            writer.write(&event)?;
            writer.finish()?;
        }
    }
    Ok(())
}

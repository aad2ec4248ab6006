//! `history TABLE RESOURCE_ID`: every event of one record, oldest first.

use std::io::Write;

use super::{Context, OutputArgs, list};
use crate::error::{Failure, exit};
use crate::render::{self, Column, EventWriter, Format, json::JsonWriter};
use crate::store::history;

/// Every event of one record, oldest first, with who changed what and when
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  auditctl history policies 42\n  auditctl history policies 42 -o json\n  auditctl history policies 42 --columns seq,time,user,paths"
)]
pub struct Args {
    /// The record's table (resource type)
    #[arg(value_name = "TABLE")]
    pub table: String,
    /// The record's primary key
    #[arg(value_name = "RESOURCE_ID")]
    pub resource_id: String,
    #[command(flatten)]
    pub output: OutputArgs,
}

/// The table columns of a record's history: who, when, and which paths changed (the
/// browser's history pane shows the same).
pub const TABLE_COLUMNS: [Column; 6] = [
    Column::Seq,
    Column::Time,
    Column::User,
    Column::Action,
    Column::Paths,
    Column::Message,
];

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<()> {
    let store = ctx.open_store()?;
    let mut events = history::record_events(store.as_ref(), &args.table, &args.resource_id)?;
    if events.is_empty() {
        return Err(Failure::new(
            exit::NOT_FOUND,
            format!("no events for {}/{}", args.table, args.resource_id),
        )
        .with_hint(format!(
            "`auditctl list --table {}` shows the records of that table",
            args.table
        ))
        .into());
    }
    for e in &mut events {
        ctx.redact(e);
    }
    let columns = args.output.columns.map(|c| c.0);
    let format = args.output.format.map_or(Format::Table, Into::into);
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match format {
        Format::Table => list::write_table(
            ctx,
            store.as_ref(),
            &events,
            columns,
            &TABLE_COLUMNS,
            &mut out,
        )?,
        // Whole events, each with the paths it changed.
        Format::Json | Format::Jsonl if columns.is_none() => {
            let mut writer = if format == Format::Json {
                JsonWriter::array(None, &mut out)
            } else {
                JsonWriter::lines(None, &mut out)
            };
            for e in &events {
                let mut v: serde_json::Value = serde_json::from_slice(&e.canonical_bytes())?;
                v["paths"] = Column::Paths.json(e);
                writer.write_json(e.seq.unwrap_or_default(), &v)?;
            }
            writer.finish()?;
        }
        _ => {
            let columns = columns.or_else(|| {
                (format == Format::Csv).then(|| {
                    render::EXPORT_COLUMNS
                        .iter()
                        .copied()
                        .chain([Column::Paths])
                        .collect()
                })
            });
            let mut writer = render::writer(format, columns, ctx.style, &mut out);
            for e in &events {
                writer.write(e)?;
            }
            writer.finish()?;
        }
    }
    out.flush()?;
    Ok(())
}

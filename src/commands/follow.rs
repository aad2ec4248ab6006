//! `list --follow` and `filter --follow`: the last matching events, then each new one as it is
//! appended, like `tail -f`, by polling the store for seqs past the last one seen.

use std::time::Duration;

use super::{Context, OutputArgs, PageArgs};
use crate::error::Failure;
use crate::query::{CmpOp, Expr};
use crate::render::{
    self, EventWriter, Format, csv::CsvWriter, json::JsonWriter, table::TableWriter,
};
use crate::store::{Query, SortField, SortKey, Store, seq_compare};

/// How often the store is asked whether it grew: one indexed `max(seq)` per poll.
const POLL: Duration = Duration::from_millis(200);

pub fn run(
    ctx: &Context,
    store: &dyn Store,
    filter: Expr,
    page: &PageArgs,
    output: OutputArgs,
) -> anyhow::Result<()> {
    let format = output.format.map_or(Format::Table, Into::into);
    let columns = output.columns.map(|c| c.0);
    let mut out = std::io::stdout().lock();
    let mut writer: Box<dyn EventWriter> = match format {
        Format::Json => {
            return Err(Failure::usage(
                "--follow prints events as they come: use -o jsonl, not json",
            )
            .into());
        }
        Format::Table => Box::new(
            TableWriter::new(columns, &render::DEFAULT_TABLE_COLUMNS, ctx.style, &mut out)
                .streaming(),
        ),
        Format::Jsonl => Box::new(JsonWriter::lines(columns, &mut out)),
        Format::Csv => Box::new(CsvWriter::new(
            columns.unwrap_or_else(|| render::EXPORT_COLUMNS.to_vec()),
            &mut out,
        )),
    };
    // The window up to the last seq now, so nothing appended meanwhile is missed or doubled.
    let mut last = store.last_seq()?;
    let query = Query {
        filter: Expr::and(vec![filter.clone(), seq_compare(CmpOp::Le, last)]),
        order: vec![SortKey {
            field: SortField::Seq,
            descending: true,
        }],
        limit: page.limit(),
        offset: 0,
    };
    let mut recent = Vec::new();
    store.scan(&query, &mut |e| {
        recent.push(e);
        Ok(true)
    })?;
    for mut e in recent.into_iter().rev() {
        ctx.redact(&mut e);
        writer.write(&e)?;
    }
    writer.finish()?;
    loop {
        std::thread::sleep(POLL);
        let mut any = false;
        last = store.scan_after(last, &filter, &mut |mut e| {
            ctx.redact(&mut e);
            writer.write(&e)?;
            any = true;
            Ok(true)
        })?;
        if any {
            writer.finish()?;
        }
    }
}

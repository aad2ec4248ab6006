//! `list`: matching events, newest first, with the quick filters.

use super::{Context, FilterArgs, OutputArgs, PageArgs, thousands};
use crate::query::Expr;
use crate::render::{self, EventWriter};
use crate::store::{Query, Store, history};

/// List events, newest first
///
/// Quick filters AND together; a repeated flag or a comma list OR-s its values. Without
/// --all, at most --limit events are printed and a note on stderr tells how many matched.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  auditctl list --user alice --action UPDATE\n  auditctl list --table policies --since 7d -o json\n  auditctl list --ip 10.0.0.0/8 --where meta.account_id=1234 --all -o csv"
)]
pub struct Args {
    #[command(flatten)]
    pub filters: FilterArgs,
    #[command(flatten)]
    pub page: PageArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<()> {
    print(ctx, args.filters.to_expr(ctx.now)?, &args.page, args.output)
}

/// Prints the events of the store matching `filter`, in the page's order and window; shared
/// by `list` and `filter`.
pub fn print(
    ctx: &Context,
    filter: Expr,
    page: &PageArgs,
    output: OutputArgs,
) -> anyhow::Result<()> {
    let store = ctx.open_store()?;
    if page.follow {
        return super::follow::run(ctx, store.as_ref(), filter, page, output);
    }
    let query = Query {
        filter,
        order: page.order(),
        limit: page.limit(),
        offset: page.offset,
    };
    let format = output.format.map_or(render::Format::Table, Into::into);
    let mut out = std::io::BufWriter::with_capacity(64 * 1024, std::io::stdout().lock());
    let mut shown = 0usize;
    if output.columns.is_none() && matches!(format, render::Format::Json | render::Format::Jsonl) {
        super::write_stored_json(
            ctx,
            store.as_ref(),
            &query,
            format == render::Format::Json,
            &mut out,
            &mut |_, _| {
                shown += 1;
                Ok(())
            },
        )?;
    } else if format == render::Format::Table {
        // A table is laid out only once every row is in, so the rows can carry revert marks
        // looked up for the whole page at once.
        let mut events = Vec::new();
        store.scan(&query, &mut |mut e| {
            ctx.redact(&mut e);
            events.push(e);
            Ok(true)
        })?;
        shown = events.len();
        write_table(
            ctx,
            store.as_ref(),
            &events,
            output.columns.map(|c| c.0),
            &render::DEFAULT_TABLE_COLUMNS,
            &mut out,
        )?;
    } else {
        let mut writer = render::writer(format, output.columns.map(|c| c.0), ctx.style, &mut out);
        store.scan(&query, &mut |mut e| {
            ctx.redact(&mut e);
            writer.write(&e)?;
            shown += 1;
            Ok(true)
        })?;
        writer.finish()?;
    }
    if shown == 0 {
        super::say_no_match();
    }
    if let Some(limit) = query.limit
        && shown == limit
    {
        let total = store.count(&query.filter)?;
        let past = (query.offset + shown) as u64;
        if total > past {
            eprintln!(
                "showing {} of {}; --all for every one",
                thousands(shown as u64),
                thousands(total)
            );
        }
    }
    Ok(())
}

/// Writes events as a table of the `named` columns or else the `default` ones, whose change
/// column marks reverted and reverting events.
pub fn write_table(
    ctx: &Context,
    store: &dyn Store,
    events: &[crate::model::Event],
    named: Option<Vec<render::Column>>,
    default: &[render::Column],
    out: &mut dyn std::io::Write,
) -> anyhow::Result<()> {
    let links = history::revert_links(store, events)?;
    let mut writer = render::table::TableWriter::new(named, default, ctx.style, out);
    for (e, link) in events.iter().zip(&links) {
        writer.write_marked(e, &link.mark());
    }
    writer.finish()
}

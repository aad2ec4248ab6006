//! `stats --by FIELD[,FIELD]`: counts per group, or per hour, day, week, month or year, with bars.

use std::io::Write;

use chrono::{DateTime, Local, Utc};
use serde_json::{Map, Value};
use unicode_width::UnicodeWidthStr;

use super::{Context, FilterArgs};
use crate::cli::OutputFormat;
use crate::error::Failure;
use crate::histogram::{self, Bucket, Unit};
use crate::model;
use crate::query::{Field, quick::unknown_field};
use crate::render::{Zone, diff::paint};
use crate::store::Store;

/// Count events per group (--by user,action) or over time (--by day)
///
/// Groups are sorted by count, largest first. With --by hour, day, week, month or year, every bucket of
/// the range is printed, empty ones included, in the local time zone (TZ) unless --utc. The
/// range is --since to --until (or now), else the first to the last matching event.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  auditctl stats --by user --since 7d\n  auditctl stats --by table,action --top 10\n  auditctl stats --by meta.account_id -o csv\n  auditctl stats --by day --since 30d --action DELETE"
)]
pub struct Args {
    /// Fields to group by (any event field or meta.KEY), or one of hour, day, week, month, year
    #[arg(
        long,
        value_name = "FIELD[,FIELD]",
        value_delimiter = ',',
        required = true
    )]
    pub by: Vec<String>,
    /// Only the N largest groups
    #[arg(long, value_name = "N")]
    pub top: Option<usize>,
    #[command(flatten)]
    pub filters: FilterArgs,
    /// Output format [default: table]
    #[arg(short = 'o', long = "format", value_enum, value_name = "FORMAT")]
    pub format: Option<OutputFormat>,
}

/// What to count by.
enum Grouping {
    Fields(Vec<(String, Field)>),
    Time(Unit),
}

fn grouping(by: &[String]) -> anyhow::Result<Grouping> {
    let names: Vec<&str> = by
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .collect();
    if let [one] = names.as_slice()
        && let Some(unit) = Unit::from_name(one)
    {
        return Ok(Grouping::Time(unit));
    }
    let mut fields = Vec::new();
    for name in names {
        if Unit::from_name(name).is_some() {
            return Err(Failure::usage(format!(
                "--by {name} gives a histogram on its own and cannot be combined with fields"
            ))
            .into());
        }
        let field = Field::from_name(name).ok_or_else(|| unknown_field(name))?;
        fields.push((field.name(), field));
    }
    if fields.len() > crate::store::MAX_GROUP_FIELDS {
        return Err(Failure::usage(format!(
            "--by takes at most {} fields, not {}",
            crate::store::MAX_GROUP_FIELDS,
            fields.len()
        ))
        .into());
    }
    if fields.is_empty() {
        return Err(
            Failure::usage("--by needs a field name, or hour, day, week, month or year").into(),
        );
    }
    Ok(Grouping::Fields(fields))
}

/// One row of output: the group's values in order, and its count.
struct Row {
    key: Vec<Value>,
    count: u64,
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<()> {
    let grouping = grouping(&args.by)?;
    let filter = args.filters.to_expr(ctx.now)?;
    let store = ctx.open_store()?;
    let (headers, rows): (Vec<String>, Vec<Row>) = match &grouping {
        Grouping::Fields(fields) => {
            let only: Vec<Field> = fields.iter().map(|(_, f)| f.clone()).collect();
            let names: Vec<String> = fields.iter().map(|(n, _)| n.clone()).collect();
            let mut groups = store.group_counts(&filter, &only)?;
            if !ctx.global.reveal {
                groups = ctx.redactor.redact_groups(&names, groups);
            }
            crate::store::sort_groups(&mut groups);
            if let Some(n) = args.top {
                groups.truncate(n);
            }
            let rows: Vec<Row> = groups
                .into_iter()
                .map(|(key, count)| Row { key, count })
                .collect();
            (fields.iter().map(|(n, _)| n.clone()).collect(), rows)
        }
        Grouping::Time(unit) => {
            if args.top.is_some() {
                return Err(Failure::usage(
                    "--top does not apply to --by hour, day, week, month or year",
                )
                .into());
            }
            let buckets = time_buckets(ctx, store.as_ref(), &args.filters, &filter, *unit)?;
            let rows = buckets
                .into_iter()
                .map(|b| Row {
                    key: vec![
                        Value::String(b.label),
                        Value::String(model::format_time(&b.start)),
                    ],
                    count: b.count,
                })
                .collect();
            (vec![unit.name().to_owned(), "start".to_owned()], rows)
        }
    };
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match args.format.unwrap_or(OutputFormat::Table) {
        OutputFormat::Table if rows.iter().all(|r| r.count == 0) => super::say_no_match(),
        OutputFormat::Table => {
            // The bucket's UTC start is for machines; people read the label.
            let shown = if matches!(grouping, Grouping::Time(_)) {
                1
            } else {
                headers.len()
            };
            let mut names: Vec<String> = headers[..shown]
                .iter()
                .map(|h| h.to_ascii_uppercase())
                .collect();
            if let (Grouping::Time(_), Some(first)) = (&grouping, rows.first()) {
                // Buckets are in the local zone (or UTC): the header says which.
                let start = first.key[1]
                    .as_str()
                    .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
                    .map(|t| t.with_timezone(&Utc));
                let zone = Zone::at(&ctx.style, &start.unwrap_or_else(Utc::now));
                names[0] = format!("{} ({})", names[0], zone.label());
            }
            write_table(&mut out, ctx, &names, &rows, shown)?
        }
        OutputFormat::Json => {
            let items: Vec<Value> = rows.iter().map(|r| object(&headers, r)).collect();
            serde_json::to_writer_pretty(&mut out, &items)?;
            writeln!(out)?;
        }
        OutputFormat::Jsonl => {
            for r in &rows {
                serde_json::to_writer(&mut out, &object(&headers, r))?;
                writeln!(out)?;
            }
        }
        OutputFormat::Csv => {
            let mut w = csv::Writer::from_writer(&mut out);
            w.write_record(headers.iter().map(String::as_str).chain(["count"]))?;
            for r in &rows {
                let mut record: Vec<String> = r.key.iter().map(cell_text).collect();
                record.push(r.count.to_string());
                w.write_record(&record)?;
            }
            w.flush()?;
        }
    }
    out.flush()?;
    Ok(())
}

/// Buckets of the range: --since to --until (or now) when given, else the matching events'
/// first to last time. Times are counted as they come, one count per bucket.
fn time_buckets(
    ctx: &Context,
    store: &dyn Store,
    flags: &FilterArgs,
    filter: &crate::query::Expr,
    unit: Unit,
) -> anyhow::Result<Vec<Bucket>> {
    let parse = |text: &Option<String>| -> anyhow::Result<Option<DateTime<Utc>>> {
        text.as_deref()
            .map(|t| crate::timespec::parse(t, ctx.now))
            .transpose()
            .map_err(Into::into)
    };
    let since = parse(&flags.since)?;
    // --until is exclusive: its bucket holds nothing of the range unless a moment before it.
    let until = parse(&flags.until)?.map(|t| t - chrono::Duration::microseconds(1));
    if let (Some(from), Some(to)) = (since, until.or(since.map(|_| ctx.now))) {
        check_bucket_count(unit, from, to)?;
    }
    let utc = ctx.style.utc;
    let mut counts = histogram::Counts::new(unit);
    store.times(filter, &mut |t| {
        if utc {
            counts.add(&Utc, t);
        } else {
            counts.add(&Local, t);
        }
        Ok(())
    })?;
    let from = since.or(counts.first());
    let to = until.or(since.map(|_| ctx.now)).or(counts.last());
    let (Some(from), Some(to)) = (from, to) else {
        return Ok(Vec::new());
    };
    check_bucket_count(unit, from, to)?;
    Ok(if utc {
        counts.buckets(&Utc, from, to)
    } else {
        counts.buckets(&Local, from, to)
    })
}

/// Refuses a histogram of more buckets than anyone reads (`--by hour` over centuries).
fn check_bucket_count(unit: Unit, from: DateTime<Utc>, to: DateTime<Utc>) -> anyhow::Result<()> {
    let n = histogram::bucket_count(unit, from, to);
    if n > histogram::MAX_BUCKETS {
        let coarser: Vec<&str> = histogram::Unit::ALL
            .iter()
            .filter(|u| histogram::bucket_count(**u, from, to) <= histogram::MAX_BUCKETS)
            .map(|u| u.name())
            .collect();
        let hint = match coarser.first() {
            Some(u) => format!("use --by {u}, or a shorter range with --since and --until"),
            None => "use a shorter range with --since and --until".to_owned(),
        };
        return Err(Failure::usage(format!(
            "--by {} from {} to {} makes {} buckets, more than {}",
            unit.name(),
            model::format_time(&from),
            model::format_time(&to),
            super::thousands(n),
            super::thousands(histogram::MAX_BUCKETS)
        ))
        .with_hint(hint)
        .into());
    }
    Ok(())
}

/// A value as a CSV or table cell: text as is, null as empty, anything else as JSON.
fn cell_text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn object(headers: &[String], r: &Row) -> Value {
    let mut m = Map::new();
    for (h, v) in headers.iter().zip(&r.key) {
        m.insert(h.clone(), v.clone());
    }
    m.insert("count".into(), r.count.into());
    Value::Object(m)
}

/// The table: group columns, the count, and a bar proportional to the largest count.
fn write_table(
    out: &mut dyn Write,
    ctx: &Context,
    headers: &[String],
    rows: &[Row],
    shown: usize,
) -> anyhow::Result<()> {
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let mut c: Vec<String> = r.key[..shown]
                .iter()
                .map(|v| match cell_text(v) {
                    t if t.is_empty() => "-".to_owned(),
                    t => crate::render::visible(&t, false).into_owned(),
                })
                .collect();
            c.push(super::thousands(r.count));
            c
        })
        .collect();
    let mut names = headers.to_vec();
    names.push("COUNT".to_owned());
    let mut widths: Vec<usize> = names.iter().map(|n| n.width()).collect();
    for row in &cells {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.width());
        }
    }
    let used = |widths: &[usize]| widths.iter().sum::<usize>() + 2 * widths.len();
    if let Some(total) = ctx.style.width.map(usize::from) {
        // Long keys give way to the bars, down to a width that still tells them apart.
        let keys = widths.len() - 1;
        while used(&widths) + FAIR_BAR > total {
            let Some(widest) = (0..keys)
                .filter(|i| widths[*i] > MIN_KEY.max(names[*i].width()))
                .max_by_key(|i| widths[*i])
            else {
                break;
            };
            widths[widest] -= 1;
        }
    }
    let bar_width = ctx.style.width.map_or(40, |w| {
        (w as usize)
            .saturating_sub(used(&widths))
            .clamp(MIN_BAR, 60)
    });
    let max = rows.iter().map(|r| r.count).max().unwrap_or(0);
    let count_col = names.len() - 1;
    let header: Vec<String> = names
        .iter()
        .enumerate()
        .map(|(i, n)| format!("{n:<w$}", w = widths[i]))
        .collect();
    writeln!(
        out,
        "{}",
        paint(&ctx.style, "\x1b[1m", header.join("  ").trim_end())
    )?;
    for (row, r) in cells.iter().zip(rows) {
        let mut line: Vec<String> = Vec::new();
        for (i, c) in row.iter().enumerate() {
            let c = crate::render::fit::cut_end(c, widths[i]);
            let pad = widths[i].saturating_sub(c.width());
            // Counts align right, as numbers do.
            line.push(if i == count_col {
                format!("{}{c}", " ".repeat(pad))
            } else {
                format!("{c}{}", " ".repeat(pad))
            });
        }
        line.push(bar(r.count, max, bar_width));
        writeln!(out, "{}", line.join("  ").trim_end())?;
    }
    Ok(())
}

/// Narrowest bar: below this the counts say more than the bars.
const MIN_BAR: usize = 10;
/// Room for bars that long keys are cut to leave.
const FAIR_BAR: usize = 30;
/// Narrowest a key is cut to when the terminal is narrow.
const MIN_KEY: usize = 12;

/// A bar of `count / max` of `width` cells, in eighths of a cell.
fn bar(count: u64, max: u64, width: usize) -> String {
    if max == 0 || count == 0 {
        return String::new();
    }
    const PARTS: [char; 8] = [' ', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];
    let eighths = ((count as u128 * width as u128 * 8).div_ceil(max as u128)) as usize;
    let mut s = "█".repeat(eighths / 8);
    if !eighths.is_multiple_of(8) {
        s.push(PARTS[eighths % 8]);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::bar;

    #[test]
    fn bars_are_proportional() {
        assert_eq!(bar(10, 10, 4), "████");
        assert_eq!(bar(5, 10, 4), "██");
        assert_eq!(
            bar(1, 10, 4),
            "▌",
            "rounded up: a count never shows as nothing"
        );
        assert_eq!(bar(0, 10, 4), "");
    }
}

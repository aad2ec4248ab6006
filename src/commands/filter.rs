//! `filter EXPR`: events matching a filter expression, from the store or from a JSON Lines
//! stream (`--input FILE|-`).

use std::io::{Read, Write};
use std::path::PathBuf;

use super::{Context, OutputArgs, PageArgs, list};
use crate::error::Failure;
use crate::query;
use crate::render;
use crate::store::jsonl::scan_reader;

/// List events matching a filter expression
///
/// The language (also accepted by `list --filter`):
///
///   user = "alice" and action in [UPDATE, DELETE] and time >= -7d
///   table = policies and not (origin = Portal) and ip in 10.0.0.0/8
///   after.settings.enabled = false and changed(settings.enabled)
///   message ~ "(?i)firewall" or search("ingress 42")
///   meta.account_id = 1234 and has(before)
///
/// Fields: every event field, meta.KEY, before.PATH, after.PATH ([n] for array items).
/// Operators: = != < <= > >=, ~ and !~ (regular expressions), in [a, b], ip in CIDR,
/// contains "text", and, or, not, parentheses. Functions: changed(PATH), has(FIELD),
/// search("words"). Values: quoted strings, bare words, numbers, true, false, null, and TIME
/// values (2026-11-01, -7d, today, …) for `time`. Keywords are case-insensitive, and so are
/// action values. null equals a missing field.
///
/// With --input, JSON Lines are read from a file or stdin (-) and the matching lines are
/// written out unchanged (or in --format), so auditctl works in pipelines.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  auditctl filter 'table = policies and changed(settings.enabled) and time >= -7d'\n  auditctl filter -e 'user = alice' --input events.jsonl\n  cat events.jsonl | auditctl filter -e 'action = DELETE' --input -"
)]
pub struct Args {
    /// The filter expression
    #[arg(
        value_name = "EXPR",
        required_unless_present = "expr",
        conflicts_with = "expr"
    )]
    pub expression: Option<String>,
    /// The filter expression (the same as EXPR, for use with --input)
    #[arg(
        short = 'e',
        long = "expr",
        value_name = "EXPR",
        allow_hyphen_values = true
    )]
    pub expr: Option<String>,
    /// Filter JSON Lines from FILE, or stdin with -, instead of the store
    #[arg(long, value_name = "FILE")]
    pub input: Option<PathBuf>,
    #[command(flatten)]
    pub page: PageArgs,
    #[command(flatten)]
    pub output: OutputArgs,
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<()> {
    let text = args.expression.or(args.expr).unwrap_or_default();
    let expr = query::parse(&text, ctx.now)?;
    match &args.input {
        Some(_) if args.page.follow => Err(Failure::usage(
            "--follow follows the store; to follow a growing file, use `tail -f FILE | auditctl filter -e EXPR --input -`",
        )
        .into()),
        Some(input) => filter_stream(ctx, input, &expr, &args.page, &args.output),
        None => list::print(ctx, expr, &args.page, args.output),
    }
}

/// Filters a JSON Lines stream in file order. Without --format the matching lines are copied
/// as they are; --limit and --offset apply, the default limit does not (like grep).
fn filter_stream(
    ctx: &Context,
    input: &std::path::Path,
    expr: &query::Expr,
    page: &PageArgs,
    output: &OutputArgs,
) -> anyhow::Result<()> {
    if !page.sort.is_empty() || page.reverse {
        return Err(
            Failure::usage("--sort and --reverse do not apply to --input")
                .with_hint("filter into a file, import it, then list it sorted")
                .into(),
        );
    }
    let (name, reader): (String, Box<dyn Read + Send>) = if input.as_os_str() == "-" {
        ("<stdin>".into(), Box::new(std::io::stdin()))
    } else {
        let file = std::fs::File::open(input)
            .map_err(|e| Failure::runtime(format!("cannot read {}: {e}", input.display())))?;
        (input.display().to_string(), Box::new(file))
    };
    let limit = if page.all {
        usize::MAX
    } else {
        page.limit.unwrap_or(usize::MAX)
    };
    // Offset and limit over the matches, in file order.
    let mut seen = 0usize;
    let mut wanted = || -> Option<bool> {
        seen += 1;
        if seen <= page.offset {
            Some(false)
        } else if seen - page.offset > limit {
            None
        } else {
            Some(true)
        }
    };
    let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    if output.format.is_none() && output.columns.is_none() {
        scan_reader(reader, &name, expr, &ctx.redactor, &mut |line, mut e| {
            match wanted() {
                None => return Ok(false),
                Some(false) => return Ok(true),
                Some(true) => {}
            }
            if ctx.global.reveal || !ctx.redactor.touches(&e) {
                out.write_all(line)?;
            } else {
                ctx.redact(&mut e);
                e.seq = None;
                serde_json::to_writer(&mut out, &e)?;
            }
            out.write_all(b"\n")?;
            Ok(true)
        })?;
    } else {
        let format = output.format.map_or(render::Format::Jsonl, Into::into);
        let columns = output.columns.clone().map(|c| c.0);
        let mut writer = render::writer(format, columns, ctx.style, &mut out);
        scan_reader(reader, &name, expr, &ctx.redactor, &mut |_, mut e| {
            match wanted() {
                None => return Ok(false),
                Some(false) => return Ok(true),
                Some(true) => {}
            }
            ctx.redact(&mut e);
            writer.write(&e)?;
            Ok(true)
        })?;
        writer.finish()?;
    }
    out.flush()?;
    if seen == 0 {
        super::say_no_match();
    }
    Ok(())
}

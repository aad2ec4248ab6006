//! `export`: every matching event, oldest first, streamed as CSV, JSON Lines, JSON or CEF, to
//! stdout or atomically to a file, optionally resuming after a cursor.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use super::{Columns, Context, FilterArgs, parse_columns};
use crate::atomic::{self, AtomicFile};
use crate::error::{Failure, exit};
use crate::query::{CmpOp, Expr};
use crate::render::{self, EventWriter, cef::CefWriter, csv::CsvWriter, json::JsonWriter};
use crate::store::{Query, Store, seq_compare};

/// Export every matching event, oldest first, for auditors and SIEMs
///
/// Streams: memory does not grow with the number of events. With --output, the file is
/// written beside FILE and renamed into place only when complete. With --cursor-file, only
/// events after the seq recorded there are exported, and the file is advanced once the
/// output is complete, so a cron job exports each event exactly once.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  auditctl export --since 2026-11-01 --until 2026-12-01 --output november.csv\n  auditctl export --format jsonl --cursor-file siem.cursor | siem-forwarder\n  auditctl export --format cef --action DELETE --output deletes.cef"
)]
pub struct Args {
    #[command(flatten)]
    pub filters: FilterArgs,
    /// csv (RFC 4180, columns of docs/SPEC.md §6), jsonl, json (one array) or cef (ArcSight)
    #[arg(short = 'o', long, value_enum, default_value_t = ExportFormat::Csv, value_name = "FORMAT")]
    pub format: ExportFormat,
    /// Columns to export, in order (csv, json, jsonl)
    #[arg(long, value_name = "LIST", value_parser = parse_columns)]
    pub columns: Option<Columns>,
    /// Write to FILE (atomically) instead of stdout (`-` is stdout)
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Export only events after the seq in FILE, then record the last exported seq there
    #[arg(long, value_name = "FILE")]
    pub cursor_file: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    Csv,
    Jsonl,
    Json,
    Cef,
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<()> {
    if args.format == ExportFormat::Cef && args.columns.is_some() {
        return Err(Failure::usage("--columns does not apply to --format cef").into());
    }
    let mut filter = args.filters.to_expr(ctx.now)?;
    if let Some(store) = ctx.location().ok().and_then(|l| l.path())
        && let Some(out) = args
            .output
            .iter()
            .chain(&args.cursor_file)
            .find(|p| crate::store::location::is_store_file(store, p))
    {
        return Err(Failure::usage(format!(
            "{} is the store being exported: writing there would replace it",
            out.display()
        ))
        .into());
    }
    let cursor = match &args.cursor_file {
        Some(path) => read_cursor(path)?,
        None => 0,
    };
    if cursor > 0 {
        filter = Expr::and(vec![filter, seq_compare(CmpOp::Gt, cursor)]);
    }
    let store = ctx.open_store()?;
    let query = Query::in_seq_order(filter);
    let progress = Progress::start(store.as_ref(), &query)?;
    let how = How {
        format: args.format,
        columns: args.columns.clone().map(|c| c.0),
    };

    // `--output -` is stdout, as for every tool that takes a file name.
    let output = args.output.as_deref().filter(|p| p.as_os_str() != "-");
    let last = match output {
        Some(path) => {
            let mut file = AtomicFile::create(path)?;
            let last = write_events(ctx, store.as_ref(), &query, &how, &mut file, &progress)?;
            file.commit()?;
            last
        }
        None => {
            let mut out = std::io::BufWriter::with_capacity(256 * 1024, std::io::stdout().lock());
            let last = write_events(ctx, store.as_ref(), &query, &how, &mut out, &progress)?;
            out.flush()?;
            last
        }
    };
    progress.finish();
    // Only now that the output is complete does the cursor move.
    if let (Some(path), Some(seq)) = (&args.cursor_file, last) {
        atomic::write(path, format!("{seq}\n").as_bytes())?;
    }
    Ok(())
}

/// The seq recorded in a cursor file; 0 when the file does not exist yet.
fn read_cursor(path: &Path) -> anyhow::Result<u64> {
    match std::fs::read_to_string(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(0),
        Err(e) => Err(Failure::runtime(format!("cannot read {}: {e}", path.display())).into()),
        Ok(text) => text.trim().parse().map_err(|_| {
            Failure::runtime(format!(
                "{}: not a cursor file (expected the seq of the last exported event, found {:?})",
                path.display(),
                text.trim().chars().take(40).collect::<String>()
            ))
            .with_hint("delete it to export from the first event")
            .into()
        }),
    }
}

/// What an export writes: the format, and the columns if not all.
struct How {
    format: ExportFormat,
    columns: Option<Vec<render::Column>>,
}

/// Exports every event matching `filter`, oldest first, in `format`, atomically to `path`
/// (the browser's `e`); returns how many were written and how many had values redacted.
pub fn export_to_file(
    ctx: &Context,
    store: &dyn Store,
    filter: Expr,
    format: ExportFormat,
    path: &Path,
) -> anyhow::Result<(u64, u64)> {
    let query = Query::in_seq_order(filter);
    let progress = Progress::quiet();
    let mut file = AtomicFile::create(path)?;
    let how = How {
        format,
        columns: None,
    };
    write_events(ctx, store, &query, &how, &mut file, &progress)?;
    file.commit()?;
    Ok((progress.written.get(), progress.redacted.get()))
}

/// Writes every event of `query` in the chosen format; returns the last seq written.
fn write_events(
    ctx: &Context,
    store: &dyn Store,
    query: &Query,
    how: &How,
    out: &mut dyn Write,
    progress: &Progress,
) -> anyhow::Result<Option<u64>> {
    let columns = how.columns.clone();
    let mut last = None;
    let whole_json =
        columns.is_none() && matches!(how.format, ExportFormat::Json | ExportFormat::Jsonl);
    if whole_json {
        super::write_stored_json(
            ctx,
            store,
            query,
            how.format == ExportFormat::Json,
            out,
            &mut |seq, entry| {
                last = Some(seq);
                progress.note(ctx, entry);
                progress.tick()
            },
        )?;
        return Ok(last);
    }
    if how.format == ExportFormat::Csv {
        // CSV straight from the stored text, decoding only data that may need redacting.
        let mut writer = CsvWriter::new(
            columns.unwrap_or_else(|| render::EXPORT_COLUMNS.to_vec()),
            out,
        );
        store.scan_entries(query, &mut |seq, entry| {
            writer.write_entry(seq, entry, ctx.output_redactor())?;
            last = Some(seq);
            progress.note(ctx, entry);
            progress.tick()?;
            Ok(true)
        })?;
        writer.finish()?;
        return Ok(last);
    }
    let mut writer: Box<dyn EventWriter> = match how.format {
        ExportFormat::Csv => Box::new(CsvWriter::new(
            columns.unwrap_or_else(|| render::EXPORT_COLUMNS.to_vec()),
            out,
        )),
        ExportFormat::Json => Box::new(JsonWriter::array(columns, out)),
        ExportFormat::Jsonl => Box::new(JsonWriter::lines(columns, out)),
        ExportFormat::Cef => Box::new(CefWriter::new(out)),
    };
    store.scan(query, &mut |mut e| {
        if !ctx.global.reveal && ctx.redactor.touches(&e) {
            progress.redacted.set(progress.redacted.get() + 1);
        }
        ctx.redact(&mut e);
        writer.write(&e)?;
        last = e.seq;
        progress.tick()?;
        Ok(true)
    })?;
    writer.finish()?;
    Ok(last)
}

/// A progress bar on stderr when stderr is a terminal (events written, rate, ETA), and the
/// flag a signal sets to stop.
struct Progress {
    bar: Option<indicatif::ProgressBar>,
    stop: Arc<AtomicBool>,
    /// Events written with values redacted.
    redacted: std::cell::Cell<u64>,
    /// Events written.
    written: std::cell::Cell<u64>,
}

impl Progress {
    /// No bar and no signal handlers: for an export inside the browser, which owns both the
    /// terminal and the signals.
    fn quiet() -> Progress {
        Progress {
            bar: None,
            stop: Arc::new(AtomicBool::new(false)),
            redacted: std::cell::Cell::new(0),
            written: std::cell::Cell::new(0),
        }
    }

    fn start(store: &dyn Store, query: &Query) -> anyhow::Result<Progress> {
        // Ctrl-C or a SIGTERM stops the export between two events, so that the temporary
        // file is removed and the cursor stays where it was.
        let stop = crate::interrupt::flag();
        for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
            signal_hook::flag::register(signal, Arc::clone(&stop))?;
        }
        if !std::io::stderr().is_terminal() {
            return Ok(Progress {
                bar: None,
                stop,
                redacted: std::cell::Cell::new(0),
                written: std::cell::Cell::new(0),
            });
        }
        let total = store.count(&query.filter)?;
        let bar = indicatif::ProgressBar::new(total);
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{bar:30} {human_pos}/{human_len} events  {per_sec}  ETA {eta}",
            )
            .expect("a valid template"),
        );
        Ok(Progress {
            bar: Some(bar),
            stop,
            redacted: std::cell::Cell::new(0),
            written: std::cell::Cell::new(0),
        })
    }

    /// Counts one event written; an error once a signal asked to stop.
    fn tick(&self) -> anyhow::Result<()> {
        if self.stop.load(Ordering::Relaxed) {
            return Err(Failure::new(
                exit::INTERRUPTED,
                "interrupted: the export stopped, and no file or cursor was changed",
            )
            .into());
        }
        self.written.set(self.written.get() + 1);
        if let Some(bar) = &self.bar {
            bar.inc(1);
        }
        Ok(())
    }

    /// Counts a stored entry written with values redacted.
    fn note(&self, ctx: &Context, entry: &str) {
        if let Some(r) = ctx.output_redactor()
            && r.touches_entry(entry)
        {
            self.redacted.set(self.redacted.get() + 1);
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
        // An export is often read back in (a copy, a SIEM): say that these values are not
        // the data, and how to get it.
        let n = self.redacted.get();
        if n > 0 {
            eprintln!(
                "{} event{} had sensitive values written as {} (--reveal exports them)",
                super::thousands(n),
                if n == 1 { "" } else { "s" },
                crate::redact::REDACTED
            );
        }
    }
}

//! `import FILE…`: append events from files or stdin, all or nothing.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::Context as _;

use super::{Context, thousands};
use crate::error::{Failure, exit};
use crate::import::mapping::Mapping;
use crate::import::pipeline::{self, Cut, Prepared, Skipped};
use crate::import::{self, Input, Source, SourceFormat};
use crate::store::{AppendReport, Location, NewEntry};

/// Import events from audit logs: auditctl JSON Lines or CSV, Kubernetes, AWS CloudTrail
///
/// The format is detected from the content (--format overrides); gzip files are read as they
/// are, and a folder stands for every file below it (a CloudTrail S3 tree, say). Any other
/// JSON Lines log imports through a mapping file (--map). The import is all or nothing: a bad
/// record fails it with its file and line and the store is left as it was, unless
/// --skip-invalid. Events whose id is already in the store are skipped, so importing the same
/// file twice adds nothing.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  auditctl import events.jsonl\n  auditctl import /var/log/kubernetes/audit.log\n  auditctl import AWSLogs/\n  auditctl import --map myapp.toml myapp-audit.jsonl\n  auditctl export -o csv | auditctl --store copy.db import -"
)]
pub struct Args {
    /// Files or folders to import; - reads stdin [default: -]
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Source format [default: detected from the content]
    #[arg(long, value_enum, value_name = "FORMAT", conflicts_with = "map")]
    pub format: Option<FormatArg>,
    /// Read JSON Lines of another application through a TOML mapping file
    #[arg(long, value_name = "FILE")]
    pub map: Option<PathBuf>,
    /// Import the valid records and report the invalid ones instead of failing
    #[arg(long)]
    pub skip_invalid: bool,
    /// Import records that hold "[redacted]" as a value (from an export without --reveal),
    /// keeping the marker as text
    #[arg(long)]
    pub allow_redacted: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FormatArg {
    /// auditctl events, one JSON object per line
    Jsonl,
    /// auditctl's export columns
    Csv,
    /// Kubernetes audit log (audit.k8s.io/v1 events, one per line)
    #[value(alias = "k8s")]
    Kubernetes,
    /// AWS CloudTrail log files ({"Records": [...]}, plain or gzip)
    #[value(alias = "aws")]
    Cloudtrail,
}

impl From<FormatArg> for SourceFormat {
    fn from(f: FormatArg) -> Self {
        match f {
            FormatArg::Jsonl => SourceFormat::Jsonl,
            FormatArg::Csv => SourceFormat::Csv,
            FormatArg::Kubernetes => SourceFormat::Kubernetes,
            FormatArg::Cloudtrail => SourceFormat::CloudTrail,
        }
    }
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<()> {
    // Ctrl-C or SIGTERM stops the import, with nothing written. While the inputs are first
    // read (to tell their format) nothing is open and a read may block on a pipe: the process
    // ends at once. Then the import stops between two events, while it waits for the store's
    // lock (`store::sqlite::wait_for_lock`) or for more input. A second one ends the process
    // at once (an import stuck on a terminal, say).
    let stop = crate::interrupt::flag();
    let at_once = Arc::new(AtomicBool::new(true));
    for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        for condition in [&at_once, &stop] {
            signal_hook::flag::register_conditional_shutdown(
                signal,
                exit::INTERRUPTED,
                Arc::clone(condition),
            )?;
        }
        signal_hook::flag::register(signal, Arc::clone(&stop))?;
    }
    match import_all(ctx, args, &stop, &at_once) {
        // Whatever failed once the import was asked to stop failed before anything was
        // committed (a commit is its last step).
        Err(_) if stop.load(Ordering::Relaxed) => Err(interrupted().into()),
        done => done,
    }
}

fn interrupted() -> Failure {
    Failure::new(exit::INTERRUPTED, "interrupted: nothing was imported")
}

fn import_all(
    ctx: &Context,
    args: Args,
    stop: &AtomicBool,
    at_once: &AtomicBool,
) -> anyhow::Result<()> {
    let paths = import::input_paths(&args.files)
        .map_err(|e| Failure::runtime(format!("cannot read folder {e}")))?;
    let forced: Option<SourceFormat> = match (&args.map, args.format) {
        (Some(map), _) => Some(SourceFormat::Mapped(Arc::new(
            Mapping::load(map).map_err(Failure::usage)?,
        ))),
        (None, f) => f.map(Into::into),
    };
    // The store cannot be its own input; reading its file outside SQLite while this process
    // writes to it would also drop SQLite's locks (`store::location`).
    if let Location::Sqlite(store) = ctx.location()?
        && let Some(input) = paths
            .iter()
            .find(|i| crate::store::location::is_store_file(store, &i.path))
    {
        return Err(Failure::usage(format!(
            "{} is the store being imported into (or one of its files)",
            input.path.display()
        ))
        .with_hint(
            "to copy a store, import its export: auditctl --store A export -o jsonl | \
             auditctl --store B import -",
        )
        .into());
    }
    // Open and sniff every input before touching the store, so that a missing file or an
    // unknown format fails without creating anything.
    let mut sources = Vec::new();
    let mut digests = 0u64;
    let mut not_logs = Vec::new();
    for input in &paths {
        let path = &input.path;
        let mut source =
            Source::open(path).with_context(|| format!("cannot read {}", path.display()))?;
        let head = source
            .sample()
            .with_context(|| format!("cannot read {}", source.name))?;
        if head.iter().all(u8::is_ascii_whitespace) {
            // Nothing to import from an empty input.
            continue;
        }
        let format = match (&forced, import::detect(&head)) {
            (Some(f), _) => f.clone(),
            (None, Ok(f)) => f,
            // CloudTrail writes digest files beside its logs: they hold hashes, not events.
            (None, Err(_)) if import::cloudtrail::is_digest(&head) => {
                digests += 1;
                continue;
            }
            // A folder may hold other files (a README, a manifest); a file named on the
            // command line must be a log.
            (None, Err(_)) if input.in_folder => {
                not_logs.push(source.name);
                continue;
            }
            (None, Err(why)) => {
                return Err(Failure::runtime(format!("{}: {why}", source.name))
                    .with_hint("name the format with --format, or describe the log with --map FILE")
                    .into());
            }
        };
        sources.push((Input::of(path, source), format));
    }
    if digests > 0 {
        eprintln!(
            "passed over {} CloudTrail digest file{} (hashes, not events)",
            thousands(digests),
            if digests == 1 { "" } else { "s" }
        );
    }
    if !not_logs.is_empty() {
        let shown: Vec<&str> = not_logs.iter().take(5).map(String::as_str).collect();
        eprintln!(
            "passed over {} file{} in the folder that {} no audit log: {}{}",
            thousands(not_logs.len() as u64),
            if not_logs.len() == 1 { "" } else { "s" },
            if not_logs.len() == 1 { "is" } else { "are" },
            crate::render::visible(&shown.join(", "), false),
            if not_logs.len() > 5 { ", …" } else { "" }
        );
    }

    at_once.store(false, Ordering::Relaxed);
    // A new local store is built whole beside its path (faster, and never seen half made);
    // an existing one, or a server, is appended to in one transaction.
    let location = ctx.location()?;
    let mut existing = match location.is_new() {
        true => None,
        false => Some(location.open_for_append(&ctx.redactor)?),
    };
    // A second, reading connection to an existing store: a Kubernetes object's `before` may
    // be its last state there (what this import appends is not committed, and comes from the
    // log). A server is asked once per object, and only by a token that sees sensitive
    // values: a redacted state would write its markers into `before` as data.
    let lookups = match location {
        Location::Remote { .. } => {
            let server = location.open(&ctx.redactor)?;
            server.can_reveal()?.then_some(server)
        }
        _ if existing.is_some() => Some(location.open(&ctx.redactor)?),
        _ => None,
    };
    let skip_invalid = args.skip_invalid;
    let search = match &mut existing {
        Some(backend) => backend.append()?.search_redactor(),
        None => ctx.redactor.clone(),
    };
    let options = pipeline::Options {
        skip_invalid,
        allow_redacted: args.allow_redacted,
    };
    let mut skipped: Vec<Skipped> = Vec::new();
    let (report, held) = std::thread::scope(|scope| {
        let mut pipeline = pipeline::start(scope, sources, options, lookups, search);
        let report = {
            let mut entries =
                std::iter::from_fn(|| next_entry(&mut pipeline, skip_invalid, &mut skipped, stop));
            match &mut existing {
                Some(backend) => backend
                    .append()
                    .and_then(|appender| appender.append_entries(&mut entries)),
                None => location.create_with(&mut entries, &ctx.redactor),
            }
        };
        if report.is_err() && stop.load(Ordering::Relaxed) {
            // Nothing was written, and the reader may be blocked on an input that stays open
            // (a pipe whose writer lives on): waiting for it would undo the Ctrl-C.
            std::process::exit(crate::error::report(&interrupted().into()));
        }
        // Ending the pipeline here stops the reading if the append ended early.
        (report, pipeline.finish())
    });
    let report = report?;
    print_summary(&report, &skipped, skip_invalid);
    if held > 0 {
        eprintln!(
            "held back {} Kubernetes request{} still in progress (no final stage yet); \
             importing the log again once they end adds them",
            thousands(held as u64),
            if held == 1 { "" } else { "s" }
        );
    }
    Ok(())
}

/// The next entry for the writer from `pipeline`, or what fails the import; invalid records
/// go to `skipped` when they are skipped. Ctrl-C or SIGTERM (`stop`) ends it between two
/// entries.
fn next_entry(
    pipeline: &mut pipeline::Entries<'_>,
    skip_invalid: bool,
    skipped: &mut Vec<Skipped>,
    stop: &AtomicBool,
) -> Option<anyhow::Result<NewEntry>> {
    loop {
        if stop.load(Ordering::Relaxed) {
            return Some(Err(interrupted().into()));
        }
        let failure = match pipeline.next()? {
            Ok(Prepared::Entry(entry)) => return Some(Ok(entry)),
            Ok(Prepared::Invalid(bad)) if skip_invalid => {
                skipped.push(bad);
                continue;
            }
            Ok(Prepared::Invalid(bad)) => Failure::runtime(bad.to_string())
                .with_hint("nothing was imported; fix the record or pass --skip-invalid"),
            Ok(Prepared::Unreadable(bad)) => Failure::runtime(bad.to_string())
                .with_hint("nothing was imported: the input could not be read to its end"),
            Err(Cut::Interrupted) => return Some(Err(interrupted().into())),
            Err(Cut::Broken) => {
                return Some(Err(anyhow::anyhow!(
                    "reading the input stopped unexpectedly; nothing was imported"
                )));
            }
        };
        return Some(Err(failure.into()));
    }
}

/// What an import did: added, already there, and the invalid records it skipped.
fn print_summary(report: &AppendReport, skipped: &[Skipped], skip_invalid: bool) {
    println!(
        "added {} event{}, skipped {} already in the store{}",
        thousands(report.added),
        if report.added == 1 { "" } else { "s" },
        thousands(report.duplicates),
        if skip_invalid {
            format!(", {} invalid", thousands(skipped.len() as u64))
        } else {
            String::new()
        }
    );
    if report.conflicts > 0 {
        eprintln!(
            "warning: {} of those hold other content than the stored event with their id \
             (first: {}); the stored events were kept",
            thousands(report.conflicts),
            crate::render::visible(report.first_conflict.as_deref().unwrap_or(""), false)
        );
    }
    for s in skipped.iter().take(20) {
        eprintln!("skipped {}", crate::render::visible(&s.to_string(), false));
    }
    if skipped.len() > 20 {
        eprintln!(
            "… and {} more invalid records",
            thousands(skipped.len() as u64 - 20)
        );
    }
}

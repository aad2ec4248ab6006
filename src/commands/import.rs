//! `import FILE…`: append events from files or stdin, all or nothing.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};

use anyhow::Context as _;

use super::{Context, thousands};
use crate::error::{Failure, exit};
use crate::import::mapping::Mapping;
use crate::import::{self, Input, Record, Source, SourceFormat, k8s};
use crate::redact::Redactor;
use crate::store::{AppendReport, Backend, IfStored, Location, NewEntry, Store};

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

/// A record that was not imported, for the report.
struct Skipped {
    file: String,
    /// 0 for a file that could not be read at all.
    line: usize,
    why: String,
}

impl std::fmt::Display for Skipped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            0 => write!(f, "{}: {}", self.file, self.why),
            line => write!(f, "{}:{line}: {}", self.file, self.why),
        }
    }
}

/// An entry ready to append, or the record that stops the import.
type Prepared = Result<NewEntry, Skipped>;

/// What the reading thread sends. `End` says the input was read to the end: a channel that
/// closes without it means the reader died, and the import must fail rather than commit.
enum Handover {
    Batch(Vec<Prepared>),
    End,
}

/// Entries per hand-over between the threads, and hand-overs queued at most.
const BATCH: usize = 128;
const QUEUE_BATCHES: usize = 8;

/// The reading thread: turns every record of every source into an entry and sends them in
/// order. Without `skip_invalid` the first bad record is sent as an `Err` and ends the
/// reading; with it, bad records are collected and returned. Stops early when the receiver
/// is gone (the append failed). Kubernetes logs are merged as one log, so that a request or
/// an object's life may run across files (rotated logs); requests still in progress at the
/// end are held back, and counted.
fn prepare(
    sources: Vec<(Input, SourceFormat)>,
    (skip_invalid, allow_redacted): (bool, bool),
    reader_store: Option<Box<dyn Backend>>,
    search: Redactor,
    out: &mpsc::SyncSender<Handover>,
) -> (Vec<Skipped>, usize) {
    let mut sink = Sink {
        batch: Vec::with_capacity(BATCH),
        skipped: Vec::new(),
        skip_invalid,
        search,
        allow_redacted,
        out,
    };
    // Objects the store does not know are asked about once (a log's leases and endpoints
    // change again and again without showing their state).
    let mut unknown = std::collections::HashSet::new();
    let lookup: k8s::Lookup<'_> = match &reader_store {
        Some(s) => Box::new(move |key: &(String, String)| {
            if unknown.contains(key) {
                return None;
            }
            let state = last_state(s.as_ref(), key);
            if state.is_none() {
                unknown.insert(key.clone());
            }
            state
        }),
        None => Box::new(|_| None),
    };
    let mut merger = k8s::Merger::new(lookup);
    let mut k8s_files: Vec<String> = Vec::new();
    for (input, format) in sources {
        let source = match input.open() {
            Ok(source) => source,
            Err((file, why)) => {
                let bad = Skipped {
                    file,
                    line: 0,
                    why: format!("cannot read it: {why}"),
                };
                sink.take(Err(bad));
                return sink.stop();
            }
        };
        let file = source.name;
        if format == SourceFormat::Kubernetes {
            let n = k8s_files.len();
            k8s_files.push(file);
            for (line, text) in import::numbered_lines(source.reader) {
                merger.push(n, line, text);
                for (f, rec) in merger.ready() {
                    if !sink.record(&k8s_files[f], rec) {
                        return sink.stop();
                    }
                }
            }
            continue;
        }
        for rec in format.records(source.reader) {
            if !sink.record(&file, rec) {
                return sink.stop();
            }
        }
    }
    let (rest, held) = merger.finish(true);
    for (f, rec) in rest {
        if !sink.record(&k8s_files[f], rec) {
            return sink.stop();
        }
    }
    if !sink.batch.is_empty() && sink.out.send(Handover::Batch(sink.batch)).is_err() {
        return (sink.skipped, held);
    }
    let _ = sink.out.send(Handover::End);
    (sink.skipped, held)
}

/// Where the reading thread puts what it prepared: batches for the writer, and the records
/// it skipped.
struct Sink<'a> {
    batch: Vec<Prepared>,
    skipped: Vec<Skipped>,
    skip_invalid: bool,
    /// The keys whose values the entries' search documents leave out (the store's).
    search: Redactor,
    /// Whether records holding the redaction marker are taken.
    allow_redacted: bool,
    out: &'a mpsc::SyncSender<Handover>,
}

impl Sink<'_> {
    /// Takes one record of `file`; false when the reading must stop.
    fn record(&mut self, file: &str, rec: Record) -> bool {
        let allow_redacted = self.allow_redacted;
        let prepared = rec
            .event
            .and_then(|e| match crate::redact::marker_path(&e) {
                Some(path) if !allow_redacted => Err(format!(
                    "{path} holds a {:?} marker, put where an export redacted a value: it is not \
                     the data (export with --reveal, or import with --allow-redacted to keep the \
                     marker as text)",
                    crate::redact::REDACTED
                )),
                _ => Ok(e),
            })
            .and_then(|e| NewEntry::new(e, &self.search).map_err(|e| e.to_string()))
            .map(|mut entry| {
                // A log imported again may make its events a little differently (what the
                // store held then): the stored ones stay, and the summary says so.
                entry.if_stored = IfStored::Keep;
                entry
            })
            .map_err(|why| Skipped {
                file: file.to_owned(),
                line: rec.line,
                why,
            });
        self.take(prepared)
    }

    fn take(&mut self, prepared: Prepared) -> bool {
        match prepared {
            Err(bad) if self.skip_invalid => {
                self.skipped.push(bad);
                true
            }
            Err(bad) => {
                self.batch.push(Err(bad));
                false
            }
            Ok(entry) => {
                self.batch.push(Ok(entry));
                if self.batch.len() == BATCH {
                    let full = std::mem::replace(&mut self.batch, Vec::with_capacity(BATCH));
                    return self.out.send(Handover::Batch(full)).is_ok();
                }
                true
            }
        }
    }

    /// Ends the reading early: what is batched goes to the writer (a bad record among it
    /// fails the import there), without the `End` that would let it commit.
    fn stop(self) -> (Vec<Skipped>, usize) {
        let _ = self.out.send(Handover::Batch(self.batch));
        (self.skipped, 0)
    }
}

pub fn run(ctx: &Context, args: Args) -> anyhow::Result<()> {
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
    // Ctrl-C or SIGTERM stops the import between two events, and nothing is written; a
    // second one (an import stuck reading a terminal, say) ends the process at once.
    let stop = Arc::new(AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        signal_hook::flag::register_conditional_shutdown(
            signal,
            exit::INTERRUPTED,
            Arc::clone(&stop),
        )?;
        signal_hook::flag::register(signal, Arc::clone(&stop))?;
    }
    let skip_invalid = args.skip_invalid;
    // Reading, parsing, normalising, canonicalising and hashing run on a second thread while
    // this one writes to SQLite. Entries cross in batches, to keep the hand-over cheap, through
    // a bounded channel, so that memory stays flat however long the input.
    let (sender, receiver) = mpsc::sync_channel::<Handover>(QUEUE_BATCHES);
    let search = match &mut existing {
        Some(backend) => backend.append()?.search_redactor(),
        None => ctx.redactor.clone(),
    };
    let (report, (skipped, held)) = std::thread::scope(|scope| {
        let how = (skip_invalid, args.allow_redacted);
        let reader = scope.spawn(move || prepare(sources, how, lookups, search, &sender));
        let report = {
            let mut batch: std::vec::IntoIter<Prepared> = Vec::new().into_iter();
            let mut ended = false;
            let mut entries = std::iter::from_fn(move || {
                loop {
                    if stop.load(Ordering::Relaxed) {
                        return Some(Err(Failure::new(
                            exit::INTERRUPTED,
                            "interrupted: nothing was imported",
                        )
                        .into()));
                    }
                    if let Some(prepared) = batch.next() {
                        return Some(prepared.map_err(|bad: Skipped| {
                            Failure::runtime(bad.to_string())
                                .with_hint(
                                    "nothing was imported; fix the record or pass --skip-invalid",
                                )
                                .into()
                        }));
                    }
                    if ended {
                        return None;
                    }
                    match receiver.recv() {
                        Ok(Handover::Batch(next)) => batch = next.into_iter(),
                        Ok(Handover::End) => ended = true,
                        Err(mpsc::RecvError) => {
                            ended = true;
                            return Some(Err(anyhow::anyhow!(
                                "reading the input stopped unexpectedly; nothing was imported"
                            )));
                        }
                    }
                }
            });
            match &mut existing {
                Some(backend) => backend
                    .append()
                    .and_then(|appender| appender.append_entries(&mut entries)),
                None => location.create_with(&mut entries, &ctx.redactor),
            }
            // Dropping the receiver here stops the reader if the append ended early.
        };
        let skipped = match reader.join() {
            Ok(skipped) => skipped,
            Err(panic) => std::panic::resume_unwind(panic),
        };
        (report, skipped)
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
            "warning: {} of those hold other content than the stored event with their id              (first: {}); the stored events were kept",
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

/// The after of the latest event that changed an object, unless it was deleted.
fn last_state(store: &dyn Store, (table, rid): &(String, String)) -> Option<serde_json::Value> {
    crate::store::history::current_state(store, table, rid)
        .ok()
        .flatten()
}

//! The import's pipeline: one thread reads the sources into events, worker threads make them
//! into entries (normalised, canonical, hashed, their search terms), and the writer takes the
//! entries in input order. Batches go round the workers in turn and are taken back in the same
//! turn, so the order needs no sorting and memory stays flat however long the input.

use std::sync::{Arc, mpsc};
use std::thread::{Scope, ScopedJoinHandle};

use super::{Input, Record, SourceFormat, k8s, numbered_lines};
use crate::model::Event;
use crate::redact::Redactor;
use crate::store::{IfStored, NewEntry, Store};

/// Records per batch, and batches queued at most on each side of a worker.
const BATCH: usize = 128;
const QUEUE_BATCHES: usize = 4;

/// Workers at most (one per core up to this): the writer, one thread, bounds an import long
/// before more would pay.
const MAX_WORKERS: usize = 4;

/// A record that was not imported, for the report.
#[derive(Debug)]
pub struct Skipped {
    pub file: String,
    /// 0 for a file that could not be read at all.
    pub line: usize,
    pub why: String,
}

impl std::fmt::Display for Skipped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            0 => write!(f, "{}: {}", self.file, self.why),
            line => write!(f, "{}:{line}: {}", self.file, self.why),
        }
    }
}

/// What the writer is handed, in input order.
#[derive(Debug)]
#[allow(clippy::large_enum_variant)] // Entries are the rule; a box each would cost an allocation.
pub enum Prepared {
    /// An entry ready to append.
    Entry(NewEntry),
    /// A record that is not a valid event.
    Invalid(Skipped),
    /// An input that could not be read: the import cannot be complete.
    Unreadable(Skipped),
}

/// How records are taken.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Whether the reading goes on past an invalid record (`--skip-invalid`).
    pub skip_invalid: bool,
    /// Whether records holding the redaction marker are taken (`--allow-redacted`).
    pub allow_redacted: bool,
}

/// One record as read, before it is made an entry.
struct Read {
    file: Arc<str>,
    line: usize,
    event: Result<Event, String>,
}

/// What crosses between the threads. `End` says the input was read to the end: a pipeline that
/// closes without it means a thread died, and the import must fail rather than commit.
enum Handover<T> {
    Batch(Vec<T>),
    Unreadable(Skipped),
    End,
}

/// The prepared entries, in input order, as the writer takes them.
pub struct Entries<'scope> {
    from_workers: Vec<mpsc::Receiver<Handover<Prepared>>>,
    turn: usize,
    batch: std::vec::IntoIter<Prepared>,
    ended: bool,
    reader: ScopedJoinHandle<'scope, usize>,
}

/// Why the entries ended before the input's end.
#[derive(Debug)]
pub enum Cut {
    /// A thread of the pipeline died: the input was not read to its end.
    Broken,
    /// Ctrl-C (`interrupt`) while the writer waited for the input, which may never come (a
    /// pipe whose writer lives on).
    Interrupted,
}

/// How often the writer, waiting for the input, looks whether it was asked to stop.
const STOP_POLL: std::time::Duration = std::time::Duration::from_millis(100);

/// Ends with the input's end.
impl Iterator for Entries<'_> {
    type Item = Result<Prepared, Cut>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.ended {
            return None;
        }
        loop {
            if let Some(p) = self.batch.next() {
                return Some(Ok(p));
            }
            let worker = self.turn % self.from_workers.len();
            self.turn += 1;
            let handover = loop {
                match self.from_workers[worker].recv_timeout(STOP_POLL) {
                    Err(mpsc::RecvTimeoutError::Timeout) if crate::interrupt::requested() => {
                        self.ended = true;
                        return Some(Err(Cut::Interrupted));
                    }
                    Err(mpsc::RecvTimeoutError::Timeout) => continue,
                    Err(mpsc::RecvTimeoutError::Disconnected) => {
                        self.ended = true;
                        return Some(Err(Cut::Broken));
                    }
                    Ok(handover) => break handover,
                }
            };
            match handover {
                Handover::Batch(next) => self.batch = next.into_iter(),
                Handover::Unreadable(bad) => return Some(Ok(Prepared::Unreadable(bad))),
                Handover::End => {
                    self.ended = true;
                    return None;
                }
            }
        }
    }
}

impl Entries<'_> {
    /// Stops the pipeline and says how many Kubernetes requests were held back, still in
    /// progress at the end of the input.
    pub fn finish(self) -> usize {
        // Closing the channels stops the workers, and with them the reader, if the writer
        // ended early.
        drop(self.from_workers);
        match self.reader.join() {
            Ok(held) => held,
            Err(panic) => std::panic::resume_unwind(panic),
        }
    }
}

/// Starts the pipeline on threads of `scope`. `lookups` answers a Kubernetes object's last
/// state in the store; `search` names the keys whose values the entries' search documents
/// leave out (the store's).
pub fn start<'scope>(
    scope: &'scope Scope<'scope, '_>,
    sources: Vec<(Input, SourceFormat)>,
    options: Options,
    lookups: Option<Box<dyn crate::store::Backend>>,
    search: Redactor,
) -> Entries<'scope> {
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, MAX_WORKERS);
    let mut to_workers = Vec::with_capacity(workers);
    let mut from_workers = Vec::with_capacity(workers);
    for _ in 0..workers {
        let (to, work) = mpsc::sync_channel::<Handover<Read>>(QUEUE_BATCHES);
        let (done, from) = mpsc::sync_channel::<Handover<Prepared>>(QUEUE_BATCHES);
        let search = search.clone();
        scope.spawn(move || prepare(&work, &done, &search, options.allow_redacted));
        to_workers.push(to);
        from_workers.push(from);
    }
    let reader = scope.spawn(move || {
        let mut out = RoundRobin {
            workers: to_workers,
            turn: 0,
            batch: Vec::with_capacity(BATCH),
        };
        read(sources, options, lookups, &mut out)
    });
    Entries {
        from_workers,
        turn: 0,
        batch: Vec::new().into_iter(),
        ended: false,
        reader,
    }
}

/// A worker: makes each batch of records into entries, in order.
fn prepare(
    work: &mpsc::Receiver<Handover<Read>>,
    done: &mpsc::SyncSender<Handover<Prepared>>,
    search: &Redactor,
    allow_redacted: bool,
) {
    while let Ok(handover) = work.recv() {
        let handover = match handover {
            Handover::Batch(reads) => Handover::Batch(
                reads
                    .into_iter()
                    .map(|r| entry(r, search, allow_redacted))
                    .collect(),
            ),
            Handover::Unreadable(bad) => Handover::Unreadable(bad),
            Handover::End => Handover::End,
        };
        if done.send(handover).is_err() {
            return;
        }
    }
}

/// One record made an entry, or the reason it cannot be.
fn entry(read: Read, search: &Redactor, allow_redacted: bool) -> Prepared {
    let made = read
        .event
        .and_then(|e| match crate::redact::marker_path(&e) {
            Some((path, marker)) if !allow_redacted => Err(format!(
                "{path} holds a {marker:?} marker, put where an export redacted a value: it is \
                 not the data (export with --reveal, or import with --allow-redacted to keep the \
                 marker as text)"
            )),
            _ => Ok(e),
        })
        .and_then(|e| NewEntry::new(e, search).map_err(|e| e.to_string()));
    match made {
        Ok(mut entry) => {
            // A log imported again may make its events a little differently (what the store
            // held then): the stored ones stay, and the summary says so.
            entry.if_stored = IfStored::Keep;
            Prepared::Entry(entry)
        }
        Err(why) => Prepared::Invalid(Skipped {
            file: read.file.to_string(),
            line: read.line,
            why,
        }),
    }
}

/// The reader's side of the workers' queues: batches go to each worker in turn.
struct RoundRobin {
    workers: Vec<mpsc::SyncSender<Handover<Read>>>,
    turn: usize,
    batch: Vec<Read>,
}

impl RoundRobin {
    /// Hands `h` to the next worker; false when the pipeline is closing.
    fn send(&mut self, h: Handover<Read>) -> bool {
        let worker = self.turn % self.workers.len();
        self.turn += 1;
        self.workers[worker].send(h).is_ok()
    }

    /// Takes one record; false when the reading must stop.
    fn take(&mut self, read: Read) -> bool {
        self.batch.push(read);
        if self.batch.len() < BATCH {
            return true;
        }
        let full = std::mem::replace(&mut self.batch, Vec::with_capacity(BATCH));
        self.send(Handover::Batch(full))
    }

    /// Takes one record of `file`; false when the reading must stop: the pipeline is
    /// closing, or the record is no event and invalid records are not skipped.
    fn record(&mut self, file: &Arc<str>, rec: Record, skip_invalid: bool) -> bool {
        if let Err(why) = &rec.event
            && super::is_read_error(why)
        {
            let bad = Skipped {
                file: file.to_string(),
                line: rec.line,
                why: why.clone(),
            };
            self.close(Handover::Unreadable(bad));
            return false;
        }
        let stops = rec.event.is_err() && !skip_invalid;
        let read = Read {
            file: Arc::clone(file),
            line: rec.line,
            event: rec.event,
        };
        self.take(read) && !stops
    }

    /// Hands over what is batched; false when the pipeline is closing.
    fn flush(&mut self) -> bool {
        if self.batch.is_empty() {
            return true;
        }
        let rest = std::mem::take(&mut self.batch);
        self.send(Handover::Batch(rest))
    }

    /// Hands over what is batched, then `last`.
    fn close(&mut self, last: Handover<Read>) {
        if self.flush() {
            self.send(last);
        }
    }
}

/// The reading thread: every record of every source, in order. Without `skip_invalid` the
/// reading ends at the first record that is no event (the writer fails the import there).
/// Kubernetes logs are merged as one log, so that a request or an object's life may run across
/// files (rotated logs); requests still in progress at the end are held back, and counted.
fn read(
    sources: Vec<(Input, SourceFormat)>,
    options: Options,
    lookups: Option<Box<dyn crate::store::Backend>>,
    out: &mut RoundRobin,
) -> usize {
    // Objects the store does not know are asked about once (a log's leases and endpoints
    // change again and again without showing their state).
    let mut unknown = std::collections::HashSet::new();
    let lookup: k8s::Lookup<'_> = match &lookups {
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
    let mut k8s_files: Vec<Arc<str>> = Vec::new();
    let skip_invalid = options.skip_invalid;
    for (input, format) in sources {
        let source = match input.open() {
            Ok(source) => source,
            Err((file, why)) => {
                let why = format!("cannot read it: {why}");
                out.close(Handover::Unreadable(Skipped { file, line: 0, why }));
                return 0;
            }
        };
        let file: Arc<str> = source.name.into();
        if format == SourceFormat::Kubernetes {
            let n = k8s_files.len();
            k8s_files.push(file);
            for (line, text) in numbered_lines(source.reader) {
                merger.push(n, line, text);
                for (f, rec) in merger.ready() {
                    if !out.record(&k8s_files[f], rec, skip_invalid) {
                        // Without `End`, so that nothing is committed.
                        out.flush();
                        return 0;
                    }
                }
            }
            continue;
        }
        for rec in format.records(source.reader) {
            if !out.record(&file, rec, skip_invalid) {
                out.flush();
                return 0;
            }
        }
    }
    let (rest, held) = merger.finish(true);
    for (f, rec) in rest {
        if !out.record(&k8s_files[f], rec, skip_invalid) {
            out.flush();
            return 0;
        }
    }
    out.close(Handover::End);
    held
}

/// The after of the latest event that changed an object, unless it was deleted.
fn last_state(store: &dyn Store, (table, rid): &(String, String)) -> Option<serde_json::Value> {
    crate::store::history::current_state(store, table, rid)
        .ok()
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::import::Source;

    /// JSON Lines of `n` events whose users are `u1`…, with no event at the lines `bad`.
    fn log(n: usize, bad: &[usize]) -> Input {
        let mut text = String::new();
        for line in 1..=n {
            if bad.contains(&line) {
                text.push_str("{\"user\": \"broken\"}\n");
            } else {
                text.push_str(&format!(
                    "{{\"time\":\"2026-11-01T00:00:00Z\",\"user\":\"u{line}\",\"action\":\"READ\"}}\n"
                ));
            }
        }
        Input::Open(Source {
            name: "log.jsonl".into(),
            reader: Box::new(std::io::Cursor::new(text.into_bytes())),
        })
    }

    /// What the writer is handed: users of entries, `!line` for invalid records, `unreadable`,
    /// and `broken` for a pipeline that ended without reading its input to the end.
    fn run(sources: Vec<(Input, SourceFormat)>, skip_invalid: bool) -> (Vec<String>, usize) {
        let options = Options {
            skip_invalid,
            allow_redacted: false,
        };
        std::thread::scope(|scope| {
            let mut entries = start(scope, sources, options, None, Redactor::builtin().clone());
            let mut seen = Vec::new();
            for item in entries.by_ref() {
                seen.push(match item {
                    Ok(Prepared::Entry(e)) => e.user,
                    Ok(Prepared::Invalid(bad)) => format!("!{}", bad.line),
                    Ok(Prepared::Unreadable(bad)) => format!("unreadable {}", bad.file),
                    Err(Cut::Broken) => "broken".to_owned(),
                    Err(Cut::Interrupted) => "interrupted".to_owned(),
                });
                // As the writer does: it stops at the first thing that fails the import.
                if seen.last().is_some_and(|s| !s.starts_with('u')) && !skip_invalid {
                    break;
                }
            }
            (seen, entries.finish())
        })
    }

    fn users(range: std::ops::RangeInclusive<usize>) -> Vec<String> {
        range.map(|i| format!("u{i}")).collect()
    }

    #[test]
    fn entries_come_in_input_order_across_the_workers() {
        let (seen, held) = run(vec![(log(5000, &[]), SourceFormat::Jsonl)], false);
        assert_eq!(seen, users(1..=5000));
        assert_eq!(held, 0);
    }

    #[test]
    fn invalid_records_are_handed_on_in_their_place_when_skipped() {
        let (seen, _) = run(vec![(log(3000, &[5, 2999]), SourceFormat::Jsonl)], true);
        let mut expected = users(1..=4);
        expected.push("!5".into());
        expected.extend(users(6..=2998));
        expected.push("!2999".into());
        expected.push("u3000".into());
        assert_eq!(seen, expected);
    }

    #[test]
    fn the_first_invalid_record_ends_the_import_and_the_input_is_not_complete() {
        let (seen, _) = run(vec![(log(3000, &[1000]), SourceFormat::Jsonl)], false);
        let mut expected = users(1..=999);
        expected.push("!1000".into());
        assert_eq!(seen, expected);
        // Were the writer to read on, it would never be told the input ended.
        let options = Options {
            skip_invalid: false,
            allow_redacted: false,
        };
        let tail: Vec<String> = std::thread::scope(|scope| {
            let entries = start(
                scope,
                vec![(log(3000, &[1000]), SourceFormat::Jsonl)],
                options,
                None,
                Redactor::builtin().clone(),
            );
            entries
                .skip(1000)
                .map(|i| match i {
                    Err(Cut::Broken) => "broken".to_owned(),
                    Err(Cut::Interrupted) => "interrupted".to_owned(),
                    Ok(_) => "more".to_owned(),
                })
                .collect()
        });
        assert_eq!(tail, ["broken"]);
    }

    #[test]
    fn an_unreadable_input_fails_after_what_came_before_it() {
        let sources = vec![
            (log(300, &[]), SourceFormat::Jsonl),
            (
                Input::File("/nonexistent/auditctl/log.jsonl".into()),
                SourceFormat::Jsonl,
            ),
            (log(10, &[]), SourceFormat::Jsonl),
        ];
        let (seen, _) = run(sources, true);
        let mut expected = users(1..=300);
        expected.push("unreadable /nonexistent/auditctl/log.jsonl".into());
        expected.push("broken".into());
        assert_eq!(seen, expected);
    }
}

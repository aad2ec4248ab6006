//! JSON Lines of auditctl events scanned on every core: the input is cut into chunks at line
//! ends, each chunk is prefiltered, parsed and matched on a worker thread, and the matches are
//! handed on in file order with their seqs, so that the output is what one thread would give.
//! A stop (`--limit` reached) ends the reading early.

use std::collections::BTreeMap;
use std::io::Read;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, mpsc};

use super::SortField;
use super::jsonl::{SortValue, sort_value};
use crate::error::Failure;
use crate::model::Event;
use crate::query::{Expr, Matcher, prefilter::Prefilter};
use crate::redact::Redactor;

/// The bytes a chunk holds at least (it ends at the next line end).
const CHUNK: usize = 2 << 20;

/// What one chunk held.
#[derive(Default)]
struct Chunk {
    /// Lines, blank ones included (for the line numbers of errors).
    lines: usize,
    /// Events (non-blank lines), for the seqs of the chunks after it.
    events: u64,
    /// The matching events, with their seq within the chunk (from 1).
    matches: Vec<(u64, Found)>,
    /// The first line that is not an event: its line within the chunk (from 1) and what is
    /// wrong. Nothing after it is read.
    error: Option<(usize, LineError)>,
}

/// What a scan hands on of each matching event; what it does not need is not kept (the raw
/// line) or is made on the worker (the canonical entry text, the costly part of writing JSON;
/// whether the output's redactor would change it, which the decoded event answers cheaply and
/// the entry's bytes only with a pattern over all of them).
#[derive(Debug, Clone)]
pub enum Want {
    /// The event and its raw line.
    Lines,
    /// The event.
    Events,
    /// The event's canonical entry text only, judged by the redactor if one is given.
    Entries(Option<Redactor>),
    /// The event's canonical entry text and its sort values on these fields, judged by the
    /// redactor if one is given.
    Sorted(Vec<SortField>, Option<Redactor>),
}

impl Want {
    /// Whether the redactor of `Entries` or `Sorted` would change `event` (`None` without one).
    pub fn judge(&self, event: &Event) -> Option<bool> {
        match self {
            Want::Entries(judge) | Want::Sorted(_, judge) => {
                judge.as_ref().map(|r| r.touches(event))
            }
            Want::Lines | Want::Events => None,
        }
    }
}

/// One matching event as a chunk keeps it, by `Want`.
enum Found {
    Line(Vec<u8>, Event),
    Event(Event),
    Entry(String, Option<bool>),
    Sorted(Vec<SortValue>, String, Option<bool>),
}

/// A matching event as `each` is given it.
pub enum Match<'a> {
    /// `Want::Lines`, `Want::Events` (the line is then empty).
    Event(&'a [u8], Box<Event>),
    /// `Want::Entries`: the seq, the canonical entry text, and whether the redactor given
    /// would change it (`None` without one).
    Entry(u64, &'a str, Option<bool>),
    /// `Want::Sorted`: the sort values, the seq, the canonical entry text, and whether the
    /// redactor given would change it.
    Sorted(Vec<SortValue>, u64, String, Option<bool>),
}

enum LineError {
    /// Not a JSON object: the line, for `not_json_lines` to name its format.
    NotJson(Vec<u8>),
    /// JSON, but not an auditctl event.
    NotEvent(String),
    /// An event that does not normalise (a bad IP, an unknown outcome).
    Invalid(String),
}

/// Scans every line of `reader` (a file from its start, or stdin), numbering events from
/// `seq + 1`, and calls `each` with the raw line and event of each one that matches `filter`,
/// in order, until it returns `Ok(false)`. A line that is no event is an error naming `name`
/// and its line, after the matches before it.
pub fn scan<R: Read + Send>(
    reader: R,
    name: &str,
    filter: &Expr,
    search: &Redactor,
    seq: u64,
    each: &mut dyn FnMut(&[u8], Event) -> anyhow::Result<bool>,
) -> anyhow::Result<()> {
    scan_in_chunks(
        reader,
        CHUNK,
        Want::Lines,
        name,
        filter,
        search,
        seq,
        &mut |m| match m {
            Match::Event(line, e) => each(line, *e),
            Match::Entry(..) | Match::Sorted(..) => unreachable!("lines were asked for"),
        },
    )
}

/// `scan` handing on what `want` asks for.
pub fn scan_for(
    reader: impl Read + Send,
    want: Want,
    name: &str,
    filter: &Expr,
    search: &Redactor,
    each: &mut dyn FnMut(Match<'_>) -> anyhow::Result<bool>,
) -> anyhow::Result<()> {
    scan_in_chunks(reader, CHUNK, want, name, filter, search, 0, each)
}

/// `scan` with chunks of at least `chunk` bytes.
#[allow(clippy::too_many_arguments)]
fn scan_in_chunks<R: Read + Send>(
    mut reader: R,
    chunk: usize,
    want: Want,
    name: &str,
    filter: &Expr,
    search: &Redactor,
    seq: u64,
    each: &mut dyn FnMut(Match<'_>) -> anyhow::Result<bool>,
) -> anyhow::Result<()> {
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 8);
    let stop = AtomicBool::new(false);
    std::thread::scope(|scope| {
        let (jobs, queue) = mpsc::sync_channel::<(usize, Vec<u8>)>(workers * 2);
        let queue = Arc::new(Mutex::new(queue));
        let (done, results) = mpsc::channel::<(usize, Chunk)>();
        // Buffers scanned go back to the reader: fresh 2 MiB buffers cost the kernel a page
        // fault and a zeroed page each 4 KiB (a tenth of a scan's time).
        let (spare, spares) = mpsc::channel::<Vec<u8>>();
        // A chunk is read only with a slot, given back when its matches were handed on: the
        // chunks between the reader and the output are bounded, so memory stays flat when
        // the output is slower than the scan (a pager, a pipe).
        let in_flight = workers * 4;
        let (slot, slots) = mpsc::sync_channel::<()>(in_flight);
        for _ in 0..in_flight {
            let _ = slot.send(());
        }
        let (stop, want) = (&stop, &want);
        let read =
            scope.spawn(move || read_chunks(&mut reader, chunk, jobs, &spares, &slots, stop));
        for _ in 0..workers {
            let (queue, done, spare) = (Arc::clone(&queue), done.clone(), spare.clone());
            scope.spawn(move || {
                let matcher = Matcher::new(filter, search);
                let prefilter = Prefilter::new(filter);
                loop {
                    let job = queue.lock().unwrap_or_else(|p| p.into_inner()).recv();
                    let Ok((index, bytes)) = job else { break };
                    if stop.load(Ordering::Relaxed) {
                        continue;
                    }
                    let chunk = scan_chunk(&bytes, index == 0, want, &prefilter, &matcher);
                    let _ = spare.send(bytes);
                    // After the merge ended, chunks are still taken (and dropped) so that the
                    // reader is never left waiting on a full queue.
                    let _ = done.send((index, chunk));
                }
            });
        }
        drop((done, spare));
        let merged = merge(results, name, seq, slot, each);
        // Whatever ended the merge, the reader and the workers stop at their next chunk.
        stop.store(true, Ordering::Relaxed);
        let read = read
            .join()
            .map_err(|_| anyhow::anyhow!("reading {name} failed"))?;
        merged?;
        read.map_err(|e| Failure::runtime(format!("cannot read {name}: {e}")).into())
    })
}

/// Reads `reader` in chunks that end at a line end (the last one where the input ends), numbered
/// from 0, until the input ends or `stop` is set; into buffers from `spares` when there are.
fn read_chunks(
    reader: &mut dyn Read,
    chunk: usize,
    jobs: mpsc::SyncSender<(usize, Vec<u8>)>,
    spares: &mpsc::Receiver<Vec<u8>>,
    slots: &mpsc::Receiver<()>,
    stop: &AtomicBool,
) -> std::io::Result<()> {
    let mut carry: Vec<u8> = Vec::new();
    let mut index = 0;
    // Whether a slot is held for the chunk being read (a line longer than a chunk reads on
    // under the same one).
    let mut slot = false;
    loop {
        if stop.load(Ordering::Relaxed) {
            return Ok(());
        }
        if !slot {
            // No slot comes once the output has ended.
            if slots.recv().is_err() {
                return Ok(());
            }
            slot = true;
        }
        let mut buf = spares.try_recv().unwrap_or_default();
        buf.clear();
        buf.append(&mut carry);
        let start = buf.len();
        buf.resize(start + chunk, 0);
        let mut filled = start;
        // Fill the buffer: a pipe gives a little at a time.
        while filled < buf.len() {
            match reader.read(&mut buf[filled..]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        buf.truncate(filled);
        let at_end = filled < start + chunk;
        if !at_end {
            match memchr::memrchr(b'\n', &buf[start..]) {
                Some(i) => carry = buf.split_off(start + i + 1),
                // One line longer than a chunk: it goes on into the next read.
                None => {
                    carry = buf;
                    continue;
                }
            }
        }
        if !buf.is_empty() && jobs.send((index, buf)).is_err() {
            return Ok(());
        }
        slot = false;
        index += 1;
        if at_end {
            return Ok(());
        }
    }
}

/// Prefilters, parses and matches the lines of one chunk.
fn scan_chunk(
    bytes: &[u8],
    first: bool,
    want: &Want,
    prefilter: &Prefilter,
    matcher: &Matcher,
) -> Chunk {
    let mut chunk = Chunk::default();
    // Line ends found by memchr (vectorised), not byte by byte: most lines are only looked at
    // by the prefilter, so finding them is much of the work.
    let mut start = 0;
    let ends = memchr::memchr_iter(b'\n', bytes)
        .map(|i| i + 1)
        .chain((bytes.last() != Some(&b'\n') && !bytes.is_empty()).then_some(bytes.len()));
    for end in ends {
        let line = &bytes[start..end];
        start = end;
        chunk.lines += 1;
        let mut text = line.trim_ascii();
        if first && chunk.lines == 1 {
            text = text.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(text);
        }
        if text.is_empty() {
            continue;
        }
        chunk.events += 1;
        if !text.starts_with(b"{") {
            // Not a JSON object, so no line the prefilter passes over unread is an event.
            chunk.error = Some((chunk.lines, LineError::NotJson(text.to_vec())));
            return chunk;
        }
        if !prefilter.may_match(text) {
            continue;
        }
        let mut event: Event = match serde_json::from_slice(text) {
            Ok(e) => e,
            Err(e) => {
                chunk.error = Some((chunk.lines, LineError::NotEvent(e.to_string())));
                return chunk;
            }
        };
        // The same event the store would hold: upper-case action, UTC time, normalised IP.
        if let Err(e) = event.normalize() {
            chunk.error = Some((chunk.lines, LineError::Invalid(e.to_string())));
            return chunk;
        }
        event.seq = Some(chunk.events);
        if matcher.is_match(&event) {
            let found = match want {
                Want::Lines => Found::Line(text.to_vec(), event),
                Want::Events => Found::Event(event),
                Want::Entries(_) => Found::Entry(event.canonical_text(), want.judge(&event)),
                Want::Sorted(fields, _) => Found::Sorted(
                    fields.iter().map(|f| sort_value(&event, *f)).collect(),
                    event.canonical_text(),
                    want.judge(&event),
                ),
            };
            chunk.matches.push((chunk.events, found));
        }
    }
    chunk
}

/// Hands on the chunks' matches in file order, with their seqs in the file.
fn merge(
    results: mpsc::Receiver<(usize, Chunk)>,
    name: &str,
    mut seq: u64,
    slot: mpsc::SyncSender<()>,
    each: &mut dyn FnMut(Match<'_>) -> anyhow::Result<bool>,
) -> anyhow::Result<()> {
    let mut waiting: BTreeMap<usize, Chunk> = BTreeMap::new();
    let (mut next, mut line) = (0usize, 0usize);
    for (index, chunk) in results {
        waiting.insert(index, chunk);
        while let Some(chunk) = waiting.remove(&next) {
            for (local, found) in chunk.matches {
                let go_on = match found {
                    Found::Line(line, mut event) => {
                        event.seq = Some(seq + local);
                        each(Match::Event(&line, Box::new(event)))?
                    }
                    Found::Event(mut event) => {
                        event.seq = Some(seq + local);
                        each(Match::Event(&[], Box::new(event)))?
                    }
                    Found::Entry(entry, touched) => {
                        each(Match::Entry(seq + local, &entry, touched))?
                    }
                    Found::Sorted(values, entry, touched) => {
                        each(Match::Sorted(values, seq + local, entry, touched))?
                    }
                };
                if !go_on {
                    return Ok(());
                }
            }
            if let Some((local_line, error)) = chunk.error {
                let line_no = line + local_line;
                return Err(match error {
                    LineError::NotJson(text) => super::jsonl::not_json_lines(name, line_no, &text),
                    LineError::NotEvent(e) => {
                        Failure::runtime(format!("{name}:{line_no}: not an auditctl event: {e}"))
                    }
                    LineError::Invalid(e) => Failure::runtime(format!("{name}:{line_no}: {e}")),
                }
                .into());
            }
            seq += chunk.events;
            line += chunk.lines;
            next += 1;
            let _ = slot.send(());
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A line of a generated file.
    fn line() -> impl Strategy<Value = String> {
        prop_oneof![
            6 => (prop::sample::select(vec!["a", "b"]), 0..3u8).prop_map(|(user, n)| format!(
                r#"{{"id":"e{n}-{user}","time":"2026-11-01T00:00:00Z","user":"{user}","action":"update"}}"#
            )),
            1 => Just(String::new()),
            1 => Just("  \t".to_owned()),
            1 => Just("\u{feff}{\"id\":\"bom\",\"user\":\"a\",\"action\":\"x\",\"time\":\"2026-11-01T00:00:00Z\"}".to_owned()),
            1 => Just(r#"{"user":"a"}"#.to_owned()),
            1 => Just("a,b,c".to_owned()),
            1 => Just(r#"{"id":"x","user":"a","action":"A","time":"2026-11-01T00:00:00Z","ip":"300.1.1.1"}"#.to_owned()),
        ]
    }

    /// What a scan gives: each match's seq and raw line, then the error, if any.
    fn run(text: &str, chunk: usize, stop_after: usize) -> (Vec<(u64, String)>, Option<String>) {
        let filter = crate::query::parse::parse("user = \"a\"", chrono::Utc::now()).unwrap();
        let mut out = Vec::new();
        let result = scan_in_chunks(
            text.as_bytes(),
            chunk,
            Want::Lines,
            "f",
            &filter,
            Redactor::builtin(),
            10,
            &mut |m| {
                let Match::Event(line, e) = m else {
                    unreachable!()
                };
                out.push((e.seq.unwrap(), String::from_utf8_lossy(line).into_owned()));
                Ok(out.len() < stop_after)
            },
        );
        (out, result.err().map(|e| format!("{e:#}")))
    }

    /// A reader that counts what was read from it.
    struct Counted<'a>(&'a [u8], &'a std::sync::atomic::AtomicUsize);

    impl Read for Counted<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.0.read(buf)?;
            self.1.fetch_add(n, Ordering::Relaxed);
            Ok(n)
        }
    }

    #[test]
    fn a_slow_output_holds_the_reading_back() {
        let line = r#"{"id":"x","user":"a","action":"A","time":"2026-11-01T00:00:00Z"}"#;
        let text = format!("{line}\n").repeat(20_000);
        let read = std::sync::atomic::AtomicUsize::new(0);
        let filter = crate::query::parse::parse("user = \"a\"", chrono::Utc::now()).unwrap();
        let chunk = 4096;
        let mut ahead = 0;
        scan_in_chunks(
            Counted(text.as_bytes(), &read),
            chunk,
            Want::Entries(None),
            "f",
            &filter,
            Redactor::builtin(),
            0,
            &mut |_| {
                // The output stalls at its first event: the reading must wait for it.
                if ahead == 0 {
                    std::thread::sleep(std::time::Duration::from_millis(300));
                    ahead = read.load(Ordering::Relaxed);
                }
                Ok(true)
            },
        )
        .unwrap();
        let workers = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .clamp(1, 8);
        assert!(
            ahead <= (workers * 4 + 1) * chunk,
            "read {ahead} bytes ahead of the output"
        );
        assert_eq!(read.load(Ordering::Relaxed), text.len());
    }

    proptest! {
        /// Any cut into chunks, and a stop at any point, gives what one chunk gives: the same
        /// matches with the same seqs in file order, and the same error at the same line.
        #[test]
        fn chunks_change_nothing(
            lines in prop::collection::vec(line(), 0..40),
            crlf in any::<bool>(),
            chunk in 1usize..200,
            stop_after in 1usize..50,
        ) {
            let text = lines.join(if crlf { "\r\n" } else { "\n" });
            let whole = run(&text, text.len() + 1, usize::MAX);
            prop_assert_eq!(&run(&text, chunk, usize::MAX), &whole);
            let (stopped, error) = run(&text, chunk, stop_after);
            if whole.0.len() >= stop_after {
                prop_assert_eq!(&stopped[..], &whole.0[..stop_after]);
                prop_assert_eq!(error, None);
            } else {
                prop_assert_eq!((stopped, error), whole);
            }
        }
    }
}

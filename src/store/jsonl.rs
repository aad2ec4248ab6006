//! A JSON Lines file opened as a read-only store: auditctl's own events, or a Kubernetes audit
//! log mapped as `import` maps it. Every read is a scan with the in-memory matcher; events are
//! numbered by their position in the file.

use std::cell::{Cell, RefCell};
use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use super::lines::{Match, Want};
use super::{JudgedEntries, Query, SortField, SortKey, Store, StoreError};
use crate::error::Failure;
use crate::model::Event;
use crate::query::{Expr, Matcher};
use crate::redact::Redactor;

pub struct JsonlStore {
    path: PathBuf,
    format: LineFormat,
    /// The keys whose values a search never looks in.
    search: Redactor,
    /// Whether a line that is no event was already said to be passed over.
    warned: Cell<bool>,
    /// Where following the file got to: the seq of the last complete line read, and the byte
    /// offset just after it.
    tail: Cell<(u64, u64)>,
    /// Following a Kubernetes log: what was read of it, and the requests still in progress.
    following: RefCell<Option<K8sFollow>>,
}

/// A Kubernetes log followed as it grows: only what was appended since the last poll is read,
/// into a merger that keeps the requests still in progress and each object's last state.
struct K8sFollow {
    /// The bytes read, up to the end of the last complete line.
    offset: u64,
    /// The lines read.
    line: usize,
    /// The events given out.
    seq: u64,
    merger: crate::import::k8s::Merger<crate::import::k8s::NoLookup>,
}

impl JsonlStore {
    fn read_only(&self) -> anyhow::Error {
        StoreError::ReadOnly(
            self.path.display().to_string(),
            "a JSON Lines file is read directly and never written",
        )
        .into()
    }

    /// Opens `path`, telling a Kubernetes audit log from auditctl events by what most of its
    /// first lines are (`import::detect`): a bad first line decides nothing.
    pub fn open(path: &Path, search: &Redactor) -> JsonlStore {
        let sample = File::open(path)
            .map(|f| {
                let mut reader = BufReader::new(f);
                crate::import::read_sample(&mut reader).unwrap_or_default()
            })
            .unwrap_or_default();
        let format = match crate::import::detect(&sample) {
            Ok(crate::import::SourceFormat::Kubernetes) => LineFormat::Kubernetes,
            _ => LineFormat::Events,
        };
        JsonlStore {
            path: path.to_owned(),
            format,
            search: search.clone(),
            warned: Cell::new(false),
            tail: Cell::new((0, 0)),
            following: RefCell::new(None),
        }
    }

    fn open_file(&self) -> anyhow::Result<File> {
        File::open(&self.path).map_err(|e| {
            Failure::runtime(format!("cannot read {}: {e}", self.path.display())).into()
        })
    }

    /// Calls `each` with every event (numbered from 1) that passes `filter`, in file order,
    /// until it returns `Ok(false)`. Lines of auditctl events that cannot match are skipped
    /// before parsing.
    pub fn for_each_match(
        &self,
        filter: &Expr,
        each: &mut dyn FnMut(Event) -> anyhow::Result<bool>,
    ) -> anyhow::Result<()> {
        self.scan_file(Want::Events, filter, &mut |m| match m {
            Match::Event(_, e) => each(*e),
            Match::Entry(..) | Match::Sorted(..) => unreachable!("events were asked for"),
        })
    }

    /// The scan of the whole file, handing on what `want` asks for of each match.
    fn scan_file(
        &self,
        want: Want,
        filter: &Expr,
        each: &mut dyn FnMut(Match<'_>) -> anyhow::Result<bool>,
    ) -> anyhow::Result<()> {
        let mut file = self.open_file()?;
        // A last line without its newline may be still being written (a live log): it is
        // read only if it is whole JSON.
        let (complete, tail) = split_tail(&mut file)
            .map_err(|e| Failure::runtime(format!("cannot read {}: {e}", self.path.display())))?;
        let reader = file.take(complete).chain(std::io::Cursor::new(tail));
        let name = self.path.display().to_string();
        match self.format {
            // Read in big chunks by the parallel scan: no buffer of its own.
            LineFormat::Events => {
                super::lines::scan_for(reader, want, &name, filter, &self.search, each)
            }
            LineFormat::Kubernetes => scan_kubernetes(
                BufReader::with_capacity(1 << 20, reader),
                &name,
                filter,
                &self.search,
                &self.warned,
                &mut |e| {
                    let seq = e.seq.unwrap_or_default();
                    let entry = || e.canonical_text();
                    match &want {
                        Want::Entries(_) => each(Match::Entry(seq, &entry(), want.judge(&e))),
                        Want::Sorted(fields, _) => {
                            let values = fields.iter().map(|f| sort_value(&e, *f)).collect();
                            each(Match::Sorted(values, seq, entry(), want.judge(&e)))
                        }
                        Want::Lines | Want::Events => each(Match::Event(&[], Box::new(e))),
                    }
                },
            ),
        }
    }
}

impl JsonlStore {
    /// `scan_after` of a Kubernetes log: reads what was appended since the last call (the
    /// whole log at the first), merges the stages of each request as `import` does, and
    /// passes on the events after seq `after` as their requests complete (or can no longer
    /// complete: `Merger::ready_or_stale`). Events are numbered as a whole read of the log
    /// numbers them (the order requests first appear).
    fn follow_kubernetes(
        &self,
        after: u64,
        filter: &Expr,
        each: &mut dyn FnMut(Event) -> anyhow::Result<bool>,
    ) -> anyhow::Result<u64> {
        let name = self.path.display().to_string();
        let mut following = self.following.borrow_mut();
        let state = following.get_or_insert_with(|| K8sFollow {
            offset: 0,
            line: 0,
            seq: 0,
            merger: crate::import::k8s::Merger::new(crate::import::k8s::no_lookup),
        });
        let mut file = self.open_file()?;
        let read = |e: std::io::Error| Failure::runtime(format!("cannot read {name}: {e}"));
        let len = file.metadata().map_err(read)?.len();
        if len < state.offset {
            *following = None;
            anyhow::bail!("{name} changed other than by appending");
        }
        let mut bytes = Vec::new();
        file.seek(SeekFrom::Start(state.offset))
            .and_then(|_| file.read_to_end(&mut bytes))
            .map_err(read)?;
        // A line still being written waits for its newline.
        let complete = memchr::memrchr(b'\n', &bytes).map_or(0, |i| i + 1);
        let matcher = Matcher::new(filter, &self.search);
        for line in bytes[..complete].split_inclusive(|b| *b == b'\n') {
            state.line += 1;
            let mut text = line.strip_suffix(b"\n").unwrap_or(line);
            text = text.strip_suffix(b"\r").unwrap_or(text);
            if state.line == 1 {
                text = text.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(text);
            }
            let text =
                String::from_utf8(text.to_vec()).map_err(|_| "line is not valid UTF-8".to_owned());
            state.merger.push(0, state.line, text);
            for (_, record) in state.merger.ready_or_stale() {
                let mut event = match record.event {
                    Ok(e) => e,
                    Err(why) => {
                        self.warn_passed_over(&name, record.line, &why);
                        continue;
                    }
                };
                state.seq += 1;
                event.seq = Some(state.seq);
                if state.seq > after && matcher.is_match(&event) {
                    each(event)?;
                }
            }
        }
        state.offset += complete as u64;
        Ok(state.seq.max(after))
    }

    /// Says once that a line of a Kubernetes log is no event and was passed over.
    fn warn_passed_over(&self, name: &str, line: usize, why: &str) {
        if !self.warned.replace(true) {
            eprintln!(
                "auditctl: warning: {}",
                crate::render::visible(
                    &format!("{name}:{line}: passed over, not an event: {why}"),
                    false
                )
            );
        }
    }
}

/// Splits a file at the end of its last complete line: the length up to there, and the rest
/// as a line of its own when it is whole JSON (else nothing: it is still being written). The
/// file is left at its start.
fn split_tail(file: &mut File) -> std::io::Result<(u64, Vec<u8>)> {
    let len = file.seek(SeekFrom::End(0))?;
    let mut end = len;
    let mut buf = [0u8; 4096];
    let complete = loop {
        if end == 0 {
            break 0;
        }
        let start = end.saturating_sub(buf.len() as u64);
        let chunk = &mut buf[..(end - start) as usize];
        file.seek(SeekFrom::Start(start))?;
        file.read_exact(chunk)?;
        if let Some(i) = chunk.iter().rposition(|b| *b == b'\n') {
            break start + i as u64 + 1;
        }
        end = start;
    };
    let mut tail = Vec::new();
    file.seek(SeekFrom::Start(complete))?;
    file.read_to_end(&mut tail)?;
    file.seek(SeekFrom::Start(0))?;
    let json = tail.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&tail);
    let whole = serde_json::from_slice::<serde::de::IgnoredAny>(json).is_ok();
    if whole {
        tail.push(b'\n');
    } else {
        tail.clear();
    }
    Ok((complete, tail))
}

/// What the lines of a JSON Lines store hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LineFormat {
    /// auditctl events, one per line.
    Events,
    /// Kubernetes audit events; the stages of one request are one event.
    Kubernetes,
}

/// Maps a Kubernetes audit log as `import` would (without a store to take states from) and
/// hands each matching event to `each`. A line that is not an audit event names the line.
/// A Kubernetes log read directly is someone else's log: a line that is no event (a write cut
/// short when the log rotated) is passed over, and said once, rather than make the whole log
/// unreadable; events are numbered without it.
fn scan_kubernetes<R: BufRead>(
    reader: R,
    name: &str,
    filter: &Expr,
    search: &Redactor,
    warned: &Cell<bool>,
    each: &mut dyn FnMut(Event) -> anyhow::Result<bool>,
) -> anyhow::Result<()> {
    let matcher = Matcher::new(filter, search);
    let mut seq = 0;
    for record in crate::import::k8s::records(reader) {
        let mut event = match record.event {
            Ok(e) => e,
            Err(why) => {
                if !warned.replace(true) {
                    eprintln!(
                        "auditctl: warning: {}",
                        crate::render::visible(
                            &format!("{name}:{}: passed over, not an event: {why}", record.line),
                            false
                        )
                    );
                }
                continue;
            }
        };
        seq += 1;
        event.seq = Some(seq);
        if matcher.is_match(&event) && !each(event)? {
            break;
        }
    }
    Ok(())
}

/// Scans JSON Lines from any reader: numbers events from 1, skips blank lines, and hands each
/// matching event (with its raw line) to `each`. A line that is not an event is an error that
/// names the source and line.
pub fn scan_reader<R: Read + Send>(
    reader: R,
    name: &str,
    filter: &Expr,
    search: &Redactor,
    each: &mut dyn FnMut(&[u8], Event) -> anyhow::Result<bool>,
) -> anyhow::Result<()> {
    super::lines::scan(reader, name, filter, search, 0, each)
}

/// The error for a line that is not a JSON object, naming the format when it is a known one.
pub(super) fn not_json_lines(name: &str, line_no: usize, text: &[u8]) -> Failure {
    let looks_csv = line_no == 1
        && (text.starts_with(b"seq,") || text.starts_with(b"id,") || text.contains(&b','));
    if looks_csv {
        Failure::runtime(format!(
            "{name} is CSV, not JSON Lines: events are read here as JSON Lines, one per line"
        ))
        .with_hint(format!(
            "import it into a store and filter that (`auditctl --store audit.db import {}`), \
             or export JSON Lines (`-o jsonl`)",
            if name.starts_with('<') { "FILE" } else { name }
        ))
    } else {
        let start = String::from_utf8_lossy(&text[..text.len().min(40)]).into_owned();
        Failure::runtime(format!(
            "{name}:{line_no}: not an auditctl event: a line of JSON Lines is an object, this \
             starts {:?}",
            crate::render::visible(&start, false)
        ))
    }
}

/// Sorts events as the SQL store would: by the keys, then by seq in the last key's direction.
/// What an event sorts by on one field: text as bytes (as SQLite's BINARY collation compares),
/// IPs by their 16-byte key, times and seqs as numbers; `None` (missing) first going up, as
/// SQLite puts NULL.
pub type SortValue = (Option<Vec<u8>>, i64);

pub fn sort_value(e: &Event, f: SortField) -> SortValue {
    let text = |s: &str| Some(s.as_bytes().to_vec());
    let opt = |s: &Option<String>| s.as_deref().and_then(text);
    match f {
        SortField::Seq => (None, e.seq.unwrap_or_default() as i64),
        SortField::Time => (None, crate::model::time_key(&e.time)),
        SortField::Id => (text(&e.id), 0),
        SortField::User => (text(&e.user), 0),
        SortField::Action => (text(&e.action), 0),
        SortField::Table => (opt(&e.table), 0),
        SortField::ResourceId => (opt(&e.resource_id), 0),
        SortField::Service => (opt(&e.service), 0),
        SortField::Origin => (opt(&e.origin), 0),
        SortField::Outcome => (text(&e.outcome), 0),
        SortField::Ip => (
            e.ip.as_deref()
                .and_then(|ip| ip.parse().ok())
                .map(|ip| crate::model::ip_key(&ip).to_vec()),
            0,
        ),
    }
}

/// Sorts items by their sort values (one per key of `order`), then by seq in the direction
/// of the last key.
fn sort_by_values<T>(items: &mut [(Vec<SortValue>, u64, T)], order: &[SortKey]) {
    use std::cmp::Ordering;
    let last_desc = order.last().is_some_and(|k| k.descending);
    items.sort_by(|(a, a_seq, _), (b, b_seq, _)| {
        for ((k, a), b) in order.iter().zip(a).zip(b) {
            let ord = a.cmp(b);
            let ord = if k.descending { ord.reverse() } else { ord };
            if ord != Ordering::Equal {
                return ord;
            }
        }
        let ord = a_seq.cmp(b_seq);
        if last_desc { ord.reverse() } else { ord }
    });
}

/// Whether a query reads in file order (no sort but by seq going up).
fn in_file_order(q: &Query) -> bool {
    q.order.is_empty()
        || (q.order.len() == 1 && q.order[0].field == SortField::Seq && !q.order[0].descending)
}

impl Store for JsonlStore {
    fn scan_entries(
        &self,
        q: &Query,
        each: &mut dyn FnMut(u64, &str) -> anyhow::Result<bool>,
    ) -> anyhow::Result<()> {
        self.scan_entries_judged(q, None, &mut |seq, entry, _| each(seq, entry))
    }

    /// Each entry is judged on the scanning threads, where its event is decoded.
    fn scan_entries_judged(
        &self,
        q: &Query,
        judge: Option<&Redactor>,
        each: &mut JudgedEntries<'_>,
    ) -> anyhow::Result<()> {
        if !in_file_order(q) {
            // Sorted: the sort values and the entry's text are made on the scanning threads,
            // and only they are kept until the sort (not whole events).
            let fields: Vec<SortField> = q.order.iter().map(|k| k.field).collect();
            let mut matches = Vec::new();
            let want = Want::Sorted(fields, judge.cloned());
            self.scan_file(want, &q.filter, &mut |m| {
                let Match::Sorted(values, seq, entry, touched) = m else {
                    unreachable!("sort values were asked for")
                };
                matches.push((values, seq, (entry, touched)));
                Ok(true)
            })?;
            sort_by_values(&mut matches, &q.order);
            let limit = q.limit.unwrap_or(usize::MAX);
            for (_, seq, (entry, touched)) in matches.into_iter().skip(q.offset).take(limit) {
                if !each(seq, &entry, touched)? {
                    break;
                }
            }
            return Ok(());
        }
        // In file order, the entries' text is made on the scanning threads.
        let limit = q.limit.unwrap_or(usize::MAX);
        let (mut skipped, mut sent) = (0, 0);
        self.scan_file(Want::Entries(judge.cloned()), &q.filter, &mut |m| {
            let Match::Entry(seq, entry, touched) = m else {
                unreachable!("entries were asked for")
            };
            if skipped < q.offset {
                skipped += 1;
                return Ok(true);
            }
            if sent >= limit {
                return Ok(false);
            }
            sent += 1;
            each(seq, entry, touched)
        })
    }

    fn scan(
        &self,
        q: &Query,
        each: &mut dyn FnMut(Event) -> anyhow::Result<bool>,
    ) -> anyhow::Result<()> {
        let file_order = in_file_order(q);
        let limit = q.limit.unwrap_or(usize::MAX);
        if file_order {
            // Streams: memory does not grow with the file.
            let (mut skipped, mut sent) = (0, 0);
            return self.for_each_match(&q.filter, &mut |e| {
                if skipped < q.offset {
                    skipped += 1;
                    return Ok(true);
                }
                if sent >= limit {
                    return Ok(false);
                }
                sent += 1;
                each(e)
            });
        }
        let mut matches = Vec::new();
        self.for_each_match(&q.filter, &mut |e| {
            let values = q.order.iter().map(|k| sort_value(&e, k.field)).collect();
            matches.push((values, e.seq.unwrap_or_default(), e));
            Ok(true)
        })?;
        sort_by_values(&mut matches, &q.order);
        for (_, _, e) in matches.into_iter().skip(q.offset).take(limit) {
            if !each(e)? {
                break;
            }
        }
        Ok(())
    }

    fn last_seq(&self) -> anyhow::Result<u64> {
        if self.format == LineFormat::Kubernetes {
            // Stages merge across lines, so only a mapping of the whole log can count events.
            return self.count(&Expr::All);
        }
        // Counts complete lines that are not blank, line by line, and remembers where they end.
        let mut reader = BufReader::with_capacity(1 << 20, self.open_file()?);
        let (mut seq, mut complete) = (0u64, 0u64);
        let mut line = Vec::new();
        loop {
            line.clear();
            let n = reader.read_until(b'\n', &mut line).map_err(|e| {
                Failure::runtime(format!("cannot read {}: {e}", self.path.display()))
            })?;
            // A last line without its newline is still being written: it does not count yet.
            if n == 0 || line.last() != Some(&b'\n') {
                break;
            }
            complete += n as u64;
            if !line.trim_ascii().is_empty() {
                seq += 1;
            }
        }
        self.tail.set((seq, complete));
        Ok(seq)
    }

    fn scan_after(
        &self,
        after: u64,
        filter: &Expr,
        each: &mut dyn FnMut(Event) -> anyhow::Result<bool>,
    ) -> anyhow::Result<u64> {
        if self.format == LineFormat::Kubernetes {
            return self.follow_kubernetes(after, filter, each);
        }
        if self.tail.get().0 != after {
            self.last_seq()?;
            if self.tail.get().0 != after {
                anyhow::bail!("{} changed other than by appending", self.path.display());
            }
        }
        let (seq, offset) = self.tail.get();
        let mut file = self.open_file()?;
        let mut bytes = Vec::new();
        file.seek(SeekFrom::Start(offset))
            .and_then(|_| file.read_to_end(&mut bytes))
            .map_err(|e| Failure::runtime(format!("cannot read {}: {e}", self.path.display())))?;
        // A line still being written waits for its newline.
        let complete = bytes.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
        let mut last = seq;
        let matcher = Matcher::new(filter, &self.search);
        super::lines::scan(
            &bytes[..complete],
            &self.path.display().to_string(),
            &Expr::All,
            &self.search,
            seq,
            &mut |_, e| {
                last = e.seq.unwrap_or(last);
                if matcher.is_match(&e) {
                    each(e)?;
                }
                Ok(true)
            },
        )?;
        self.tail.set((last, offset + complete as u64));
        Ok(last)
    }

    fn count(&self, filter: &Expr) -> anyhow::Result<u64> {
        let mut n = 0;
        self.for_each_match(filter, &mut |_| {
            n += 1;
            Ok(true)
        })?;
        Ok(n)
    }

    fn get(&self, id: &str) -> anyhow::Result<Event> {
        let id = id.trim();
        let by_seq: Option<u64> = id.parse().ok();
        let mut exact = None;
        let mut prefixed = Vec::new();
        let mut total = 0u64;
        self.for_each_match(&Expr::All, &mut |e| {
            if by_seq.is_some() && e.seq == by_seq {
                exact = Some(e);
                return Ok(false);
            }
            if e.id == id {
                exact = Some(e);
                return Ok(false);
            }
            if !id.is_empty() && e.id.starts_with(id) {
                total += 1;
                if prefixed.len() < super::AMBIGUOUS_SHOWN {
                    prefixed.push(e);
                }
            }
            Ok(true)
        })?;
        if let Some(e) = exact {
            return Ok(e);
        }
        match prefixed.len() {
            0 => Err(StoreError::NotFound(id.to_owned()).into()),
            1 => Ok(prefixed.remove(0)),
            _ => Err(StoreError::Ambiguous {
                prefix: id.to_owned(),
                candidates: prefixed
                    .iter()
                    .map(|e| format!("{} (seq {})", e.id, e.seq.unwrap_or_default()))
                    .collect(),
                total,
            }
            .into()),
        }
    }
}

impl super::Backend for JsonlStore {
    fn append(&mut self) -> anyhow::Result<&mut dyn super::Append> {
        Err(self.read_only())
    }

    fn revert(&mut self) -> anyhow::Result<&mut dyn super::Revert> {
        Err(self.read_only())
    }

    fn integrity(&mut self) -> anyhow::Result<&mut dyn super::Integrity> {
        Err(StoreError::ReadOnly(
            self.path.display().to_string(),
            "a JSON Lines file has no Merkle tree or checkpoints",
        )
        .into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(id: &str, user: &str, stage: &str, second: u32) -> String {
        format!(
            r#"{{"kind":"Event","apiVersion":"audit.k8s.io/v1","level":"Metadata","auditID":"{id}","stage":"{stage}","verb":"delete","user":{{"username":"{user}"}},"objectRef":{{"resource":"pods","name":"p-{id}","namespace":"ns","apiVersion":"v1"}},"requestReceivedTimestamp":"2026-11-20T10:00:{second:02}.0Z","stageTimestamp":"2026-11-20T10:00:{second:02}.5Z","responseStatus":{{"code":200}}}}"#
        ) + "\n"
    }

    fn follow(store: &JsonlStore, after: u64) -> (u64, Vec<(u64, String)>) {
        let mut seen = Vec::new();
        let last = store
            .scan_after(after, &Expr::All, &mut |e| {
                seen.push((e.seq.unwrap(), e.user.clone()));
                Ok(true)
            })
            .unwrap();
        (last, seen)
    }

    /// A followed Kubernetes log is read from where the last poll stopped: what is before it
    /// is not read again (here, rewritten in place, it would change the events), a request
    /// whose stages span polls comes out once, whole, and at the number a whole read gives it.
    #[test]
    fn following_a_kubernetes_log_reads_only_what_was_appended() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.log");
        let first = request("a", "alice", "ResponseComplete", 1);
        std::fs::write(
            &path,
            format!("{first}{}", request("b", "bob", "RequestReceived", 2)),
        )
        .unwrap();
        let store = JsonlStore::open(&path, Redactor::builtin());
        assert_eq!(store.format, LineFormat::Kubernetes);
        // Request b is in progress: it waits, and so would anything after it.
        assert_eq!(follow(&store, 0), (1, vec![(1, "alice".into())]));
        // The first line blanked in place: not read again (a whole read would now number bob
        // 1 and carol 2).
        let other = " ".repeat(first.len() - 1) + "\n";
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, text.replacen(&first, &other, 1)).unwrap();
        let mut file = std::fs::OpenOptions::new()
            .append(true)
            .open(&path)
            .unwrap();
        use std::io::Write;
        file.write_all(request("b", "bob", "ResponseComplete", 3).as_bytes())
            .unwrap();
        file.write_all(request("c", "carol", "ResponseComplete", 4).as_bytes())
            .unwrap();
        // A line still being written waits for its newline.
        file.write_all(br#"{"kind":"Event","#).unwrap();
        assert_eq!(
            follow(&store, 1),
            (3, vec![(2, "bob".into()), (3, "carol".into())])
        );
        assert_eq!(follow(&store, 3), (3, vec![]));
        // A log that shrank was replaced, not appended to.
        std::fs::write(&path, request("d", "dave", "ResponseComplete", 5)).unwrap();
        let err = store
            .scan_after(3, &Expr::All, &mut |_| Ok(true))
            .unwrap_err();
        assert!(err.to_string().contains("other than by appending"), "{err}");
    }
}

//! Every matching event as one streamed answer (CSV or NDJSON, for `export`): a blocking
//! writer on its own thread, handed to the client in chunks.

use std::io::Write;
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::AppState;
use super::problem::Problem;
use crate::query::{CmpOp, Expr};
use crate::redact::Redactor;
use crate::render::{self, csv::CsvWriter, json::JsonWriter};
use crate::store::{Query, Store, seq_compare};

/// Events read at once for a streamed answer, and the most bytes of entries a page holds
/// (events can be large: a thousand of a megabyte each, per stream, would be a gigabyte).
const PAGE: usize = 1000;
const PAGE_BYTES: usize = 4 << 20;

/// The streamed answers that run at once, each on a thread of its own with a page of events in
/// memory; the others wait for one to end (a client that stops reading keeps its stream, so
/// without a bound a few hundred stalled clients held gigabytes).
pub const MAX_STREAMS: usize = 16;

/// Sends what a blocking writer produces as the response body, in chunks; a failure midway
/// aborts the response so the client sees it did not complete.
struct ChunkWriter {
    tx: tokio::sync::mpsc::Sender<Result<Bytes, std::io::Error>>,
    buf: Vec<u8>,
}

impl Write for ChunkWriter {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= 64 * 1024 {
            self.flush()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if !self.buf.is_empty() {
            let chunk = Bytes::from(std::mem::take(&mut self.buf));
            self.tx
                .blocking_send(Ok(chunk))
                .map_err(|_| std::io::Error::from(std::io::ErrorKind::BrokenPipe))?;
        }
        Ok(())
    }
}

/// Calls `each` with every stored event matching `filter` up to the last one now, in seq
/// order, a page at a time: each page is read whole and its read ends before `each` sees it,
/// so a client that reads slowly holds no snapshot of the store open (which would keep the
/// WAL from being checkpointed, and growing, for as long as it takes).
fn in_pages(
    store: &dyn Store,
    filter: &Expr,
    each: &mut dyn FnMut(u64, &str) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let last = store.last_seq()?;
    let mut after = 0;
    let mut page: Vec<(u64, String)> = Vec::with_capacity(PAGE);
    loop {
        let query = Query {
            limit: Some(PAGE),
            ..Query::in_seq_order(Expr::and(vec![
                filter.clone(),
                seq_compare(CmpOp::Gt, after),
                seq_compare(CmpOp::Le, last),
            ]))
        };
        page.clear();
        let (mut bytes, mut full) = (0, false);
        store.scan_entries(&query, &mut |seq, entry| {
            page.push((seq, entry.to_owned()));
            bytes += entry.len();
            full = page.len() == PAGE || bytes >= PAGE_BYTES;
            Ok(!full)
        })?;
        for (seq, entry) in &page {
            each(*seq, entry)?;
        }
        match page.last() {
            Some((end, _)) if full => after = *end,
            _ => return Ok(()),
        }
    }
}

/// Streams every event matching `filter` in seq order, as CSV or NDJSON.
pub async fn events(
    state: Arc<AppState>,
    filter: Expr,
    redactor: Option<Redactor>,
    csv: bool,
) -> Result<Response, Problem> {
    let turn = Arc::clone(&state.streams)
        .acquire_owned()
        .await
        .map_err(|e| Problem::internal("internal", &anyhow::anyhow!(e)))?;
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(8);
    let location = state.opener();
    let bulk = move || {
        // Held until the stream ends, however it ends (a client gone ends it at its next chunk).
        let _turn = turn;
        lower_priority();
        let result = (|| -> anyhow::Result<()> {
            let store = location.open()?;
            let mut out = ChunkWriter {
                tx: tx.clone(),
                buf: Vec::new(),
            };
            if csv {
                let mut w = CsvWriter::new(render::EXPORT_COLUMNS.to_vec(), &mut out);
                in_pages(store.as_ref(), &filter, &mut |seq, entry| {
                    w.write_entry(seq, entry, redactor.as_ref())
                })?;
                render::EventWriter::finish(&mut w)?;
            } else {
                let mut w = JsonWriter::lines(None, &mut out);
                in_pages(store.as_ref(), &filter, &mut |seq, entry| {
                    w.write_stored(seq, entry, redactor.as_ref())
                })?;
            }
            out.flush()?;
            Ok(())
        })();
        if let Err(e) = result {
            let _ = tx.blocking_send(Err(std::io::Error::other(e.to_string())));
        }
    };
    // A thread of its own, not one of the blocking pool's: its priority, lowered, is not
    // handed on to the pages and appends that pool runs next.
    std::thread::Builder::new()
        .name("auditctl-export".into())
        .spawn(bulk)
        .map_err(|e| {
            Problem::internal("internal", &anyhow::anyhow!("cannot start the export: {e}"))
        })?;
    let stream = futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx));
    let content_type = if csv {
        "text/csv; charset=utf-8"
    } else {
        "application/x-ndjson"
    };
    Ok((
        StatusCode::OK,
        [(header::CONTENT_TYPE, content_type)],
        Body::from_stream(stream),
    )
        .into_response())
}

/// Lowers the calling thread's scheduling priority to the lowest (nice 19): a streamed export
/// is bulk work, and on a busy machine it should give way to appends and pages, which someone
/// waits on (at nice 10 the exports of a busy server still held appends past 100 ms). Raising
/// it back would need privileges, hence a thread of its own.
fn lower_priority() {
    // SAFETY: plain system calls on this thread's own id.
    unsafe {
        let tid = libc::gettid();
        libc::setpriority(libc::PRIO_PROCESS, tid as libc::id_t, 19);
    }
}

#[cfg(test)]
mod tests {
    /// This thread's nice value.
    fn nice() -> i32 {
        // SAFETY: a plain system call on this thread's own id.
        unsafe { libc::getpriority(libc::PRIO_PROCESS, libc::gettid() as libc::id_t) }
    }

    #[test]
    fn an_export_thread_gives_way() {
        let (before, after) = std::thread::spawn(|| {
            let before = nice();
            super::lower_priority();
            (before, nice())
        })
        .join()
        .unwrap();
        assert_eq!(
            (after, nice()),
            (19, before),
            "only the export's thread gives way"
        );
    }
}

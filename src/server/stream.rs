//! Every matching event as one streamed answer (CSV or NDJSON, for `export`): a blocking
//! writer on its own thread, handed to the client in chunks.

use std::io::Write;
use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::AppState;
use super::problem::Problem;
use crate::query::Expr;
use crate::redact::Redactor;
use crate::render::{self, csv::CsvWriter, json::JsonWriter};
use crate::store::Query;

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

/// Streams every event matching `filter` in seq order, as CSV or NDJSON.
pub async fn events(
    state: Arc<AppState>,
    filter: Expr,
    redactor: Option<Redactor>,
    csv: bool,
) -> Result<Response, Problem> {
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(8);
    let location = state.opener();
    tokio::task::spawn_blocking(move || {
        let result = (|| -> anyhow::Result<()> {
            let store = location.open()?;
            let mut out = ChunkWriter {
                tx: tx.clone(),
                buf: Vec::new(),
            };
            let query = Query::in_seq_order(filter);
            if csv {
                let mut w = CsvWriter::new(render::EXPORT_COLUMNS.to_vec(), &mut out);
                store.scan_entries(&query, &mut |seq, entry| {
                    w.write_entry(seq, entry, redactor.as_ref())?;
                    Ok(true)
                })?;
                render::EventWriter::finish(&mut w)?;
            } else {
                let mut w = JsonWriter::lines(None, &mut out);
                store.scan_entries(&query, &mut |seq, entry| {
                    w.write_stored(seq, entry, redactor.as_ref())?;
                    Ok(true)
                })?;
            }
            out.flush()?;
            Ok(())
        })();
        if let Err(e) = result {
            let _ = tx.blocking_send(Err(std::io::Error::other(e.to_string())));
        }
    });
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

//! JSON output: one array (`-o json`, streamed) or one object per line (`-o jsonl`). Times are
//! UTC RFC 3339; `seq` comes first, then the fields in the canonical (sorted) order.

use std::io::Write;

use serde_json::{Map, Value};

use super::{Column, EventWriter};
use crate::model::Event;

pub struct JsonWriter<'a> {
    columns: Option<Vec<Column>>,
    array: bool,
    written: usize,
    out: &'a mut dyn Write,
}

impl<'a> JsonWriter<'a> {
    pub fn array(columns: Option<Vec<Column>>, out: &'a mut dyn Write) -> Self {
        JsonWriter {
            columns,
            array: true,
            written: 0,
            out,
        }
    }

    pub fn lines(columns: Option<Vec<Column>>, out: &'a mut dyn Write) -> Self {
        JsonWriter {
            columns,
            array: false,
            written: 0,
            out,
        }
    }

    /// Writes one event given as its seq and canonical entry text: `{"seq":N,` and the entry's
    /// sorted fields, the same bytes `write` produces for the decoded event.
    pub fn write_entry(&mut self, seq: u64, entry: &str) -> anyhow::Result<()> {
        self.separator()?;
        let fields = entry.strip_prefix('{').unwrap_or(entry);
        write!(self.out, "{{\"seq\":{seq},{fields}")?;
        self.terminator()
    }

    /// Writes one event given as its seq and its fields as a JSON object (sorted, as decoded
    /// from the entry text), for entries that had to be changed before printing.
    pub fn write_json(&mut self, seq: u64, event: &serde_json::Value) -> anyhow::Result<()> {
        let text = serde_json::to_string(event)?;
        self.write_entry(seq, &text)
    }

    fn separator(&mut self) -> anyhow::Result<()> {
        if self.array {
            let sep: &[u8] = if self.written == 0 { b"[\n" } else { b",\n" };
            self.out.write_all(sep)?;
        }
        self.written += 1;
        Ok(())
    }

    fn terminator(&mut self) -> anyhow::Result<()> {
        if !self.array {
            self.out.write_all(b"\n")?;
        }
        Ok(())
    }

    fn write_object(&mut self, e: &Event) -> anyhow::Result<()> {
        let out = &mut *self.out;
        match &self.columns {
            None => {
                let entry = e.canonical_bytes();
                let fields = entry.strip_prefix(b"{").unwrap_or(&entry);
                match e.seq {
                    Some(seq) => write!(out, "{{\"seq\":{seq},")?,
                    None => out.write_all(b"{")?,
                }
                out.write_all(fields)?;
            }
            Some(cols) => {
                let obj: Map<String, Value> = cols
                    .iter()
                    .map(|c| (c.name().to_owned(), c.json(e)))
                    .collect();
                serde_json::to_writer(&mut *out, &obj)?
            }
        }
        Ok(())
    }
}

impl EventWriter for JsonWriter<'_> {
    fn write(&mut self, e: &Event) -> anyhow::Result<()> {
        self.separator()?;
        self.write_object(e)?;
        self.terminator()
    }

    fn finish(&mut self) -> anyhow::Result<()> {
        if self.array {
            let end: &[u8] = if self.written == 0 { b"[]\n" } else { b"\n]\n" };
            self.out.write_all(end)?;
        }
        self.out.flush()?;
        Ok(())
    }
}

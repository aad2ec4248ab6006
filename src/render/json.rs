//! JSON output: one array (`-o json`, streamed) or one object per line (`-o jsonl`). Times are
//! UTC RFC 3339; `seq` comes first.

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

    fn write_object(&mut self, e: &Event) -> anyhow::Result<()> {
        let out = &mut *self.out;
        match &self.columns {
            None => serde_json::to_writer(&mut *out, e)?,
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
        if self.array {
            let sep: &[u8] = if self.written == 0 { b"[\n" } else { b",\n" };
            self.out.write_all(sep)?;
        }
        self.write_object(e)?;
        if !self.array {
            self.out.write_all(b"\n")?;
        }
        self.written += 1;
        Ok(())
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

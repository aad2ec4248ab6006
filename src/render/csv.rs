//! CSV output (RFC 4180): a header row, then one row per event in the chosen columns.

use std::io::Write;

use super::{Column, EventWriter};
use crate::model::Event;

pub struct CsvWriter<'a> {
    columns: Vec<Column>,
    header_done: bool,
    row: Vec<String>,
    w: csv::Writer<&'a mut dyn Write>,
}

impl<'a> CsvWriter<'a> {
    pub fn new(columns: Vec<Column>, out: &'a mut dyn Write) -> Self {
        CsvWriter {
            columns,
            header_done: false,
            row: Vec::new(),
            w: csv::Writer::from_writer(out),
        }
    }

    fn header(&mut self) -> anyhow::Result<()> {
        if !self.header_done {
            self.header_done = true;
            self.w.write_record(self.columns.iter().map(|c| c.name()))?;
        }
        Ok(())
    }
}

impl EventWriter for CsvWriter<'_> {
    fn write(&mut self, e: &Event) -> anyhow::Result<()> {
        self.header()?;
        self.row.clear();
        self.row.extend(self.columns.iter().map(|c| c.text(e)));
        self.w.write_record(&self.row)?;
        Ok(())
    }

    fn finish(&mut self) -> anyhow::Result<()> {
        self.header()?;
        self.w.flush()?;
        Ok(())
    }
}

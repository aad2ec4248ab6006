//! JSON output: one array (`-o json`, streamed) or one object per line (`-o jsonl`). Times are
//! UTC RFC 3339; `seq` comes first, then the fields in the canonical (sorted) order.

use std::io::Write;

use std::collections::BTreeMap;

use serde_json::Value;
use serde_json::value::RawValue;

use super::{Column, EventWriter};
use crate::model::Event;
use crate::redact::Redactor;

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

    /// Writes one stored entry, redacted by `redactor` when given (see `write_entry_redacted`).
    pub fn write_stored(
        &mut self,
        seq: u64,
        entry: &str,
        redactor: Option<&Redactor>,
    ) -> anyhow::Result<()> {
        match redactor {
            Some(r) => self.write_entry_redacted(seq, entry, r),
            None => self.write_entry(seq, entry),
        }
    }

    /// Writes one stored entry with its sensitive values redacted: only the data fields that
    /// may hold a sensitive key are decoded and re-encoded; the rest is copied as stored.
    pub fn write_entry_redacted(
        &mut self,
        seq: u64,
        entry: &str,
        redactor: &Redactor,
    ) -> anyhow::Result<()> {
        if !redactor.may_touch_entry(entry) {
            return self.write_entry(seq, entry);
        }
        // The stored fields in their stored (sorted) order.
        let fields: BTreeMap<&str, &RawValue> = serde_json::from_str(entry)?;
        // before and after are redacted together, so a changed secret still shows changed.
        let data = |key: &str| -> anyhow::Result<Option<Value>> {
            match fields.get(key) {
                Some(raw) if raw.get() != "null" => Ok(Some(serde_json::from_str(raw.get())?)),
                _ => Ok(None),
            }
        };
        let touched = ["before", "after"].iter().any(|k| {
            fields
                .get(k)
                .is_some_and(|raw| redactor.may_touch_entry(raw.get()))
        });
        let (mut before, mut after) = if touched {
            (data("before")?, data("after")?)
        } else {
            (None, None)
        };
        if touched {
            redactor.redact_pair(before.as_mut(), after.as_mut());
        }
        let mut text = String::with_capacity(entry.len() + 16);
        text.push('{');
        for (i, (key, raw)) in fields.iter().enumerate() {
            if i > 0 {
                text.push(',');
            }
            text.push_str(&serde_json::to_string(key)?);
            text.push(':');
            let redacted = match *key {
                "before" if touched => Some(before.take().unwrap_or(Value::Null)),
                "after" if touched => Some(after.take().unwrap_or(Value::Null)),
                "meta" if redactor.may_touch_entry(raw.get()) => {
                    let mut meta: Value = serde_json::from_str(raw.get())?;
                    if let Value::Object(m) = &mut meta {
                        redactor.redact_meta(m);
                    }
                    Some(meta)
                }
                _ => None,
            };
            match redacted {
                Some(v) => text.push_str(&serde_json::to_string(&v)?),
                None => text.push_str(raw.get()),
            }
        }
        text.push('}');
        self.write_entry(seq, &text)
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
            // The columns in the order asked for (a map would sort them).
            Some(cols) => {
                out.write_all(b"{")?;
                for (i, c) in cols.iter().enumerate() {
                    if i > 0 {
                        out.write_all(b",")?;
                    }
                    write!(out, "\"{}\":", c.name())?;
                    serde_json::to_writer(&mut *out, &c.json(e))?;
                }
                out.write_all(b"}")?;
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

#[cfg(test)]
mod redaction_tests {
    use super::*;

    /// Redacting in place of the stored text gives what decoding, redacting and encoding the
    /// whole event gives.
    #[test]
    fn redacted_entries_match_whole_event_redaction() {
        let text = include_str!("../../tests/fixtures/events.jsonl");
        let redactor = Redactor::new(&["account_id".to_owned()]).unwrap();
        for line in text.lines() {
            let mut e: Event = serde_json::from_str(line).unwrap();
            e.normalize().unwrap();
            let entry = String::from_utf8(e.canonical_bytes()).unwrap();
            let mut whole: Value = serde_json::from_str(&entry).unwrap();
            redactor.apply_to_json(&mut whole);
            let (mut a, mut b) = (Vec::new(), Vec::new());
            JsonWriter::lines(None, &mut a)
                .write_json(7, &whole)
                .unwrap();
            JsonWriter::lines(None, &mut b)
                .write_entry_redacted(7, &entry, &redactor)
                .unwrap();
            assert_eq!(String::from_utf8(a).unwrap(), String::from_utf8(b).unwrap());
        }
    }
}

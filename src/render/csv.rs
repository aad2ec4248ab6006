//! CSV output (RFC 4180): a header row, then one row per event in the chosen columns.

use std::borrow::Cow;
use std::io::Write;

use serde_json::value::RawValue;

use super::{Column, EventWriter};
use crate::model::{EntryView, Event};
use crate::redact::Redactor;

fn opt<'a>(o: &Option<Cow<'a, str>>) -> Cow<'a, str> {
    o.clone().unwrap_or(Cow::Borrowed(""))
}

/// Record data as CSV holds it: compact JSON (the canonical text itself), or a text value as
/// `data_text` writes it.
fn raw_data(v: Option<&RawValue>) -> anyhow::Result<Cow<'_, str>> {
    let Some(raw) = v else {
        return Ok(Cow::Borrowed(""));
    };
    let text = raw.get();
    Ok(if text.starts_with('"') {
        let s: String = serde_json::from_str(text)?;
        Cow::Owned(super::data_text(Some(&serde_json::Value::String(s))))
    } else {
        Cow::Borrowed(text)
    })
}

/// before and after redacted together (so a changed secret still shows changed), as text.
fn redacted_data(
    before: Option<&RawValue>,
    after: Option<&RawValue>,
    r: &Redactor,
) -> anyhow::Result<(String, String)> {
    let parse = |raw: Option<&RawValue>| -> anyhow::Result<Option<serde_json::Value>> {
        raw.map(|raw| serde_json::from_str(raw.get()))
            .transpose()
            .map_err(Into::into)
    };
    let (mut b, mut a) = (parse(before)?, parse(after)?);
    r.redact_pair(b.as_mut(), a.as_mut());
    Ok((super::data_text(b.as_ref()), super::data_text(a.as_ref())))
}

/// Meta as CSV holds it, redacted when it may hold a sensitive key.
fn meta_text<'a>(raw: &'a RawValue, redactor: Option<&Redactor>) -> anyhow::Result<Cow<'a, str>> {
    if let Some(r) = redactor.filter(|r| r.may_touch_entry(raw.get())) {
        let mut meta: serde_json::Value = serde_json::from_str(raw.get())?;
        if let serde_json::Value::Object(m) = &mut meta {
            r.redact_meta(m);
        }
        return Ok(Cow::Owned(super::data_text(Some(&meta))));
    }
    Ok(Cow::Borrowed(raw.get()))
}

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

impl CsvWriter<'_> {
    /// Writes one event given as its seq and stored canonical text; the same row `write`
    /// gives for the decoded event (redacted by `redactor`, when given).
    pub fn write_entry(
        &mut self,
        seq: u64,
        entry: &str,
        redactor: Option<&Redactor>,
    ) -> anyhow::Result<()> {
        // One look at the whole entry spares most entries a look at each of their fields.
        let redactor = redactor.filter(|r| r.may_touch_entry(entry));
        let v: EntryView = serde_json::from_str(entry)?;
        let data = match redactor {
            Some(r)
                if [v.before, v.after]
                    .iter()
                    .flatten()
                    .any(|raw| r.may_touch_entry(raw.get())) =>
            {
                Some(redacted_data(v.before, v.after, r)?)
            }
            _ => None,
        };
        let seq = seq.to_string();
        self.header()?;
        let mut row: Vec<Cow<'_, str>> = Vec::with_capacity(self.columns.len());
        for c in &self.columns {
            row.push(match c {
                Column::Seq => Cow::Borrowed(seq.as_str()),
                Column::Id => v.id.clone(),
                Column::Time => v.time.clone(),
                Column::User => v.user.clone(),
                Column::UserType => opt(&v.user_type),
                Column::Ip => opt(&v.ip),
                Column::Action => v.action.clone(),
                Column::Operation => opt(&v.operation),
                Column::Service => opt(&v.service),
                Column::Origin => opt(&v.origin),
                Column::Table => opt(&v.table),
                Column::ResourceId => opt(&v.resource_id),
                Column::Message => v.message.clone(),
                Column::Outcome => v.outcome.clone(),
                Column::Before => match &data {
                    Some((b, _)) => Cow::Borrowed(b.as_str()),
                    None => raw_data(v.before)?,
                },
                Column::After => match &data {
                    Some((_, a)) => Cow::Borrowed(a.as_str()),
                    None => raw_data(v.after)?,
                },
                Column::Reverts => opt(&v.reverts),
                Column::Meta => match v.meta {
                    Some(m) if m.get() != "{}" => meta_text(m, redactor)?,
                    _ => Cow::Borrowed(""),
                },
                // Derived from the data or meta: decode the event for these.
                Column::Changes | Column::Paths | Column::RecordedBy => {
                    let mut e: Event = serde_json::from_str(entry)?;
                    e.seq = seq.parse().ok();
                    if let Some(r) = redactor {
                        r.apply(&mut e);
                    }
                    Cow::Owned(c.text(&e))
                }
            });
        }
        self.w.write_record(row.iter().map(|c| c.as_bytes()))?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::COLUMN_NAMES;

    /// The row written from the stored text is the row written from the decoded event, with
    /// and without redaction.
    #[test]
    fn entries_and_events_give_the_same_rows() {
        let text = include_str!("../../tests/fixtures/events.jsonl");
        let columns: Vec<Column> = COLUMN_NAMES.iter().map(|(_, c)| *c).collect();
        let redactor = Redactor::new(&["account_id".to_owned()]).unwrap();
        for ((i, line), redact) in text
            .lines()
            .enumerate()
            .flat_map(|l| [(l, false), (l, true)])
        {
            let mut e: Event = serde_json::from_str(line).unwrap();
            e.normalize().unwrap();
            let entry = String::from_utf8(e.canonical_bytes()).unwrap();
            e.seq = Some(i as u64 + 1);
            if redact {
                redactor.apply(&mut e);
            }
            let (mut a, mut b) = (Vec::new(), Vec::new());
            let mut w = CsvWriter::new(columns.clone(), &mut a);
            w.write(&e).unwrap();
            w.finish().unwrap();
            drop(w);
            let mut w = CsvWriter::new(columns.clone(), &mut b);
            w.write_entry(i as u64 + 1, &entry, redact.then_some(&redactor))
                .unwrap();
            w.finish().unwrap();
            drop(w);
            assert_eq!(
                String::from_utf8(a).unwrap(),
                String::from_utf8(b).unwrap(),
                "{line}"
            );
        }
    }
}

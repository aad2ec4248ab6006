//! auditctl CSV: the export columns of docs/SPEC.md §6 with a header row, in any order and any
//! subset that includes time, user and action. Empty cells are null; before/after cells hold
//! JSON, or text kept as a string; meta holds a JSON object.

use std::io::BufRead;

use serde_json::{Map, Value};

use super::Record;
use crate::model::Event;
use crate::render::{COLUMN_NAMES, Column};

pub fn sniff(head: &[u8]) -> bool {
    let first = head.split(|b| *b == b'\n').next().unwrap_or_default();
    let Ok(line) = std::str::from_utf8(first) else {
        return false;
    };
    let names: Vec<&str> = line
        .trim_end()
        .split(',')
        .map(|n| n.trim_matches('"'))
        .collect();
    ["time", "user", "action"].iter().all(|n| names.contains(n))
}

pub fn records<'a, R: BufRead + 'a>(reader: R) -> Box<dyn Iterator<Item = Record> + 'a> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(reader);
    let header = match read_header(&mut rdr) {
        Ok(h) => h,
        Err(e) => {
            return Box::new(std::iter::once(Record {
                line: 1,
                event: Err(e),
            }));
        }
    };
    let mut it = rdr.into_records();
    Box::new(std::iter::from_fn(move || {
        let rec = it.next()?;
        Some(match rec {
            Ok(r) => Record {
                line: r.position().map_or(0, |p| p.line() as usize),
                event: to_event(&header, &r),
            },
            Err(e) => Record {
                line: e.position().map_or(0, |p| p.line() as usize),
                event: Err(csv_error(&e)),
            },
        })
    }))
}

fn csv_error(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("expected {expected_len} fields, found {len}"),
        csv::ErrorKind::Utf8 { .. } => "field is not valid UTF-8".into(),
        _ => e.to_string(),
    }
}

fn read_header<R: std::io::Read>(rdr: &mut csv::Reader<R>) -> Result<Vec<Column>, String> {
    let header = rdr.headers().map_err(|e| csv_error(&e))?.clone();
    let mut cols = Vec::new();
    for name in header.iter() {
        let col = COLUMN_NAMES
            .iter()
            .find(|(n, _)| *n == name.trim())
            .map(|(_, c)| *c)
            .ok_or_else(|| format!("unknown column {name:?} in the header"))?;
        cols.push(col);
    }
    for required in [Column::Time, Column::User, Column::Action] {
        if !cols.contains(&required) {
            return Err(format!("the header has no `{}` column", required.name()));
        }
    }
    Ok(cols)
}

fn to_event(header: &[Column], rec: &csv::StringRecord) -> Result<Event, String> {
    let mut obj = Map::new();
    for (col, cell) in header.iter().zip(rec.iter()) {
        let value = match col {
            // A derived column: nothing to import.
            Column::Changes | Column::Seq => continue,
            _ if cell.is_empty() => Value::Null,
            Column::Before | Column::After => {
                serde_json::from_str(cell).unwrap_or_else(|_| Value::String(cell.to_owned()))
            }
            Column::Meta => match serde_json::from_str(cell) {
                Ok(v @ Value::Object(_)) => v,
                _ => return Err(format!("`meta` is not a JSON object: {cell:?}")),
            },
            _ => Value::String(cell.to_owned()),
        };
        obj.insert(col.name().to_owned(), value);
    }
    // Optional text fields the export writes empty: absent means default.
    for key in ["message", "outcome", "id"] {
        if obj.get(key) == Some(&Value::Null) {
            obj.remove(key);
        }
    }
    if obj.get("meta") == Some(&Value::Null) {
        obj.remove("meta");
    }
    let mut e: Event = serde_json::from_value(Value::Object(obj)).map_err(|e| e.to_string())?;
    e.normalize().map_err(|e| e.to_string())?;
    Ok(e)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_export_columns_and_names_bad_rows() {
        let input = "seq,id,time,user,action,message,before,after,meta\n\
                     1,a1,2026-11-01T00:00:00.000Z,alice,UPDATE,\"x, \"\"y\"\"\nz\",\"{\"\"a\"\":1}\",<p/>,\"{\"\"k\"\":\"\"v\"\"}\"\n\
                     2,a2,not-a-time,bob,CREATE,,,,\n";
        assert!(sniff(input.as_bytes()));
        let recs: Vec<Record> = records(input.as_bytes()).collect();
        let e = recs[0].event.as_ref().unwrap();
        assert_eq!(e.message, "x, \"y\"\nz");
        assert_eq!(e.before, Some(serde_json::json!({"a": 1})));
        assert_eq!(e.after, Some(serde_json::json!("<p/>")));
        assert_eq!(e.meta["k"], "v");
        assert_eq!(recs[1].line, 4);
        assert!(recs[1].event.as_ref().unwrap_err().contains("not-a-time"));
    }

    #[test]
    fn header_problems() {
        let recs: Vec<Record> = records("time,user,colour\n".as_bytes()).collect();
        assert_eq!(
            recs[0].event.as_ref().unwrap_err(),
            "unknown column \"colour\" in the header"
        );
    }
}

//! Renderers: events as a table, JSON, JSON Lines or CSV, each writing to a `&mut dyn Write`.
//! Colour and width are decided by the caller (see `term.rs`); renderers never look at the
//! terminal themselves.

pub mod cef;
pub mod csv;
pub mod diff;
pub mod fit;
pub mod json;
pub mod show;
pub mod table;
mod visible;
pub mod zone;

pub use visible::visible;
pub use zone::{Zone, human_time};

use std::io::Write;

use serde_json::Value;

use crate::model::{self, Event};

/// An output format of commands that print events.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Table,
    Json,
    Jsonl,
    Csv,
}

/// How human output looks: decided once, handed to every renderer.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub color: bool,
    /// Show times in UTC instead of the local zone (`--utc`).
    pub utc: bool,
    /// Width to fit tables into; `None` for no limit.
    pub width: Option<u16>,
}

/// A column of event output.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    Seq,
    Id,
    Time,
    User,
    UserType,
    Ip,
    Action,
    Operation,
    Service,
    Origin,
    Table,
    ResourceId,
    Message,
    Outcome,
    Before,
    After,
    Reverts,
    Meta,
    /// The short change summary (`3 fields`); table and CSV only.
    Changes,
    /// The changed paths (`settings.enabled, name`); a list in JSON.
    Paths,
    /// The token that appended the event through the API (`meta.recorded_by`).
    RecordedBy,
}

/// Column names, in the order of the CSV export (docs/SPEC.md §6), then the derived ones.
pub const COLUMN_NAMES: [(&str, Column); 21] = [
    ("seq", Column::Seq),
    ("id", Column::Id),
    ("time", Column::Time),
    ("user", Column::User),
    ("user_type", Column::UserType),
    ("ip", Column::Ip),
    ("action", Column::Action),
    ("operation", Column::Operation),
    ("service", Column::Service),
    ("origin", Column::Origin),
    ("table", Column::Table),
    ("resource_id", Column::ResourceId),
    ("message", Column::Message),
    ("outcome", Column::Outcome),
    ("before", Column::Before),
    ("after", Column::After),
    ("reverts", Column::Reverts),
    ("meta", Column::Meta),
    ("changes", Column::Changes),
    ("paths", Column::Paths),
    ("recorded_by", Column::RecordedBy),
];

/// The columns of a table when `--columns` is not given (docs/SPEC.md §3.2).
pub const DEFAULT_TABLE_COLUMNS: [Column; 9] = [
    Column::Seq,
    Column::Time,
    Column::User,
    Column::Ip,
    Column::Action,
    Column::Table,
    Column::ResourceId,
    Column::Message,
    Column::Changes,
];

/// The CSV export columns of docs/SPEC.md §6.
pub const EXPORT_COLUMNS: [Column; 18] = [
    Column::Seq,
    Column::Id,
    Column::Time,
    Column::User,
    Column::UserType,
    Column::Ip,
    Column::Action,
    Column::Operation,
    Column::Service,
    Column::Origin,
    Column::Table,
    Column::ResourceId,
    Column::Message,
    Column::Outcome,
    Column::Before,
    Column::After,
    Column::Reverts,
    Column::Meta,
];

impl Column {
    pub fn name(self) -> &'static str {
        COLUMN_NAMES
            .iter()
            .find(|(_, c)| *c == self)
            .map(|(n, _)| *n)
            .unwrap_or("?")
    }

    /// Parses `seq,time,user`; an unknown name is an error listing the known ones.
    pub fn parse_list(text: &str) -> Result<Vec<Column>, String> {
        text.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|name| {
                let name = if name == "pk" { "resource_id" } else { name };
                COLUMN_NAMES
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, c)| *c)
                    .ok_or_else(|| {
                        let known: Vec<&str> = COLUMN_NAMES.iter().map(|(n, _)| *n).collect();
                        format!("unknown column {name:?}; columns are {}", known.join(", "))
                    })
            })
            .collect()
    }

    /// The plain-text value of this column for machine output (CSV): times in UTC RFC 3339,
    /// JSON data as compact JSON, text data as is, null as empty.
    pub fn text(self, e: &Event) -> String {
        let opt = |v: &Option<String>| v.clone().unwrap_or_default();
        match self {
            Column::Seq => e.seq.map(|s| s.to_string()).unwrap_or_default(),
            Column::Id => e.id.clone(),
            Column::Time => model::format_time(&e.time),
            Column::User => e.user.clone(),
            Column::UserType => opt(&e.user_type),
            Column::Ip => opt(&e.ip),
            Column::Action => e.action.clone(),
            Column::Operation => opt(&e.operation),
            Column::Service => opt(&e.service),
            Column::Origin => opt(&e.origin),
            Column::Table => opt(&e.table),
            Column::ResourceId => opt(&e.resource_id),
            Column::Message => e.message.clone(),
            Column::Outcome => e.outcome.clone(),
            Column::Before => data_text(e.before.as_ref()),
            Column::After => data_text(e.after.as_ref()),
            Column::Reverts => opt(&e.reverts),
            Column::Meta => {
                if e.meta.is_empty() {
                    String::new()
                } else {
                    Value::Object(e.meta.clone()).to_string()
                }
            }
            Column::Changes => crate::change::summary(e.before.as_ref(), e.after.as_ref()),
            Column::Paths => changed_paths(e).join(", "),
            Column::RecordedBy => match e.meta.get(crate::api::RECORDED_BY) {
                Some(Value::String(name)) => name.clone(),
                Some(other) => other.to_string(),
                None => String::new(),
            },
        }
    }

    /// The JSON value of this column, for JSON output with `--columns`.
    pub fn json(self, e: &Event) -> Value {
        let opt = |v: &Option<String>| v.clone().map_or(Value::Null, Value::String);
        match self {
            Column::Seq => e.seq.map_or(Value::Null, Value::from),
            Column::Time => Value::String(model::format_time(&e.time)),
            Column::UserType => opt(&e.user_type),
            Column::Ip => opt(&e.ip),
            Column::Operation => opt(&e.operation),
            Column::Service => opt(&e.service),
            Column::Origin => opt(&e.origin),
            Column::Table => opt(&e.table),
            Column::ResourceId => opt(&e.resource_id),
            Column::Reverts => opt(&e.reverts),
            Column::Before => e.before.clone().unwrap_or(Value::Null),
            Column::After => e.after.clone().unwrap_or(Value::Null),
            Column::Meta => Value::Object(e.meta.clone()),
            Column::Paths => changed_paths(e).into_iter().map(Value::String).collect(),
            other => Value::String(other.text(e)),
        }
    }
}

/// The paths an event changed, as the filter language writes them; `(whole value)` for text
/// data that changed as a whole.
pub fn changed_paths(e: &Event) -> Vec<String> {
    crate::change::changed_paths(e.before.as_ref(), e.after.as_ref())
        .into_iter()
        .map(|c| {
            if c.path.0.is_empty() {
                "(whole value)".to_owned()
            } else {
                c.path.to_string()
            }
        })
        .collect()
}

/// Record data as text: compact JSON, or the text itself for text data. Text that would read
/// back as JSON (`42`, `{"a":1}`, `null`) or as nothing (blank) is written as a JSON string, so
/// that importing the CSV gives the same data back.
pub fn data_text(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s))
            if s.trim().is_empty() || serde_json::from_str::<serde::de::IgnoredAny>(s).is_ok() =>
        {
            Value::String(s.clone()).to_string()
        }
        Some(Value::String(s)) => s.clone(),
        Some(v) => v.to_string(),
    }
}

/// Writes events one at a time in some format to the output it was made with; `finish`
/// completes it (a JSON array's `]`, a table's layout) and flushes.
pub trait EventWriter {
    fn write(&mut self, e: &Event) -> anyhow::Result<()>;
    fn finish(&mut self) -> anyhow::Result<()>;
}

/// The writer for a format. `columns` is `None` for the format's default.
pub fn writer<'a>(
    format: Format,
    columns: Option<Vec<Column>>,
    style: Style,
    out: &'a mut dyn Write,
) -> Box<dyn EventWriter + 'a> {
    match format {
        Format::Table => Box::new(table::TableWriter::new(
            columns,
            &DEFAULT_TABLE_COLUMNS,
            style,
            out,
        )),
        Format::Json => Box::new(json::JsonWriter::array(columns, out)),
        Format::Jsonl => Box::new(json::JsonWriter::lines(columns, out)),
        Format::Csv => Box::new(csv::CsvWriter::new(
            columns.unwrap_or_else(|| EXPORT_COLUMNS.to_vec()),
            out,
        )),
    }
}

/// Thousands separators for counts people read: 1,234,567.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

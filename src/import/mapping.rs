//! Mapping files (`import --map FILE`): a TOML description of any other JSON Lines audit log,
//! naming the JSON path that feeds each event field, constants, a time format, and value maps
//! (for actions above all), so that a log nobody wrote for auditctl imports without code.

use std::collections::BTreeMap;
use std::io::BufRead;
use std::path::Path;

use chrono::{DateTime, NaiveDateTime, Utc};
use serde_json::Value;

use super::{Record, numbered_lines, parse_time};
use crate::model::Event;
use crate::query::Path as JsonPath;

/// The event fields a mapping may fill: every field but the store's `seq`, and `meta`, which
/// has a table of its own.
fn fields() -> impl Iterator<Item = &'static str> {
    crate::query::ast::FIELD_NAMES
        .into_iter()
        .filter(|f| !["seq", "meta", "pk"].contains(f))
}

/// Fields every event must have.
const REQUIRED: [&str; 3] = ["time", "user", "action"];

/// Where one field's value comes from.
#[derive(Debug, Clone, PartialEq)]
enum Source {
    /// The value at a path of each line, else `default`.
    Path {
        text: String,
        path: JsonPath,
        default: Option<Value>,
    },
    /// The same value for every event.
    Constant(Value),
}

impl Source {
    fn value<'a>(&'a self, line: &'a Value) -> Option<&'a Value> {
        match self {
            Source::Constant(v) => Some(v),
            Source::Path {
                text,
                path,
                default,
            } => {
                // A flat log may have dots in its keys: the key as written wins over the path.
                let found = line
                    .get(text.as_str())
                    .or_else(|| path.lookup(line))
                    .filter(|v| !v.is_null());
                found.or(default.as_ref())
            }
        }
    }

    fn describe(&self) -> String {
        match self {
            Source::Path { text, .. } => format!("path `{text}`"),
            Source::Constant(_) => "a constant".into(),
        }
    }
}

/// How the time field is written.
#[derive(Debug, Clone, PartialEq)]
enum TimeFormat {
    Rfc3339,
    /// Seconds since the epoch, a number or a numeric string, with `scale` units a second.
    Unix {
        scale: f64,
    },
    /// A chrono `strftime` pattern; UTC unless the pattern has an offset (`%z`).
    Pattern(String),
}

/// A loaded mapping file.
#[derive(Debug, Clone, PartialEq)]
pub struct Mapping {
    fields: Vec<(&'static str, Source)>,
    meta: Vec<(String, Source)>,
    values: BTreeMap<String, BTreeMap<String, String>>,
    time_format: TimeFormat,
}

impl Mapping {
    /// Reads and checks a mapping file; the error names the file and what is wrong.
    pub fn load(path: &Path) -> Result<Mapping, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read mapping file {}: {e}", path.display()))?;
        Mapping::parse(&text).map_err(|e| format!("mapping file {}: {e}", path.display()))
    }

    pub fn parse(text: &str) -> Result<Mapping, String> {
        let mut table: toml::Table = text.parse().map_err(|e: toml::de::Error| {
            e.to_string().trim_end().replace("TOML parse error at ", "")
        })?;
        if let Some(key) = table
            .keys()
            .find(|k| !["time_format", "fields", "meta", "values"].contains(&k.as_str()))
        {
            return Err(format!(
                "unknown key {key:?} (a mapping has time_format, [fields], [meta] and [values])"
            ));
        }
        let time_format = match table.remove("time_format") {
            None => TimeFormat::Rfc3339,
            Some(toml::Value::String(f)) => match f.as_str() {
                "rfc3339" => TimeFormat::Rfc3339,
                "unix" => TimeFormat::Unix { scale: 1.0 },
                "unix_ms" => TimeFormat::Unix { scale: 1e3 },
                "unix_us" => TimeFormat::Unix { scale: 1e6 },
                "unix_ns" => TimeFormat::Unix { scale: 1e9 },
                p if p.contains('%') => TimeFormat::Pattern(p.to_owned()),
                other => {
                    return Err(format!(
                        "time_format {other:?} is not rfc3339, unix, unix_ms, unix_us, \
                         unix_ns or a strftime pattern such as \"%Y-%m-%d %H:%M:%S\""
                    ));
                }
            },
            Some(_) => return Err("time_format must be a string".into()),
        };
        let fields_table = match table.remove("fields") {
            Some(toml::Value::Table(t)) => t,
            Some(_) => return Err("[fields] must be a table".into()),
            None => return Err("a [fields] table is required".into()),
        };
        let mut mapped = Vec::new();
        for (name, spec) in fields_table {
            let Some(field) = fields().find(|f| *f == name) else {
                let all: Vec<&str> = fields().collect();
                return Err(format!(
                    "[fields] {name:?} is not an event field (fields: {}; other keys go in [meta])",
                    all.join(", ")
                ));
            };
            mapped.push((field, source(&format!("fields.{name}"), spec)?));
        }
        for required in REQUIRED {
            if !mapped.iter().any(|(f, _)| *f == required) {
                return Err(format!(
                    "[fields] must say where `{required}` comes from (time, user and action are required)"
                ));
            }
        }
        let meta = match table.remove("meta") {
            None => Vec::new(),
            Some(toml::Value::Table(t)) => t
                .into_iter()
                .map(|(k, spec)| Ok((k.clone(), source(&format!("meta.{k}"), spec)?)))
                .collect::<Result<_, String>>()?,
            Some(_) => return Err("[meta] must be a table".into()),
        };
        let mut values = BTreeMap::new();
        match table.remove("values") {
            None => {}
            Some(toml::Value::Table(t)) => {
                for (field, map) in t {
                    if !fields().any(|f| f == field) {
                        return Err(format!("[values.{field}]: {field:?} is not an event field"));
                    }
                    let toml::Value::Table(map) = map else {
                        return Err(format!("[values.{field}] must be a table of text"));
                    };
                    let mut m = BTreeMap::new();
                    for (from, to) in map {
                        let toml::Value::String(to) = to else {
                            return Err(format!("[values.{field}] {from:?} must map to text"));
                        };
                        m.insert(from, to);
                    }
                    values.insert(field, m);
                }
            }
            Some(_) => return Err("[values] must hold one table per field".into()),
        }
        Ok(Mapping {
            fields: mapped,
            meta,
            values,
            time_format,
        })
    }

    /// One line of the log as an event. The error names the field and where it was looked for.
    pub fn map_line(&self, line: &str) -> Result<Event, String> {
        let v: Value = serde_json::from_str(line).map_err(|e| format!("not JSON: {e}"))?;
        if !v.is_object() {
            return Err("not a JSON object".into());
        }
        let mut event = Event::new(
            String::new(),
            DateTime::<Utc>::MIN_UTC,
            String::new(),
            String::new(),
        );
        // `parse` made sure each required field has a source.
        for required in REQUIRED {
            let Some((_, src)) = self.fields.iter().find(|(f, _)| *f == required) else {
                continue;
            };
            if src.value(&v).is_none() {
                return Err(format!("{required}: {} is missing", src.describe()));
            }
        }
        for (field, src) in &self.fields {
            let Some(value) = src.value(&v) else { continue };
            let fail = |why: &str| format!("{field}: {} {why}", src.describe());
            match *field {
                "time" => event.time = self.time(value).map_err(|e| fail(&e))?,
                "before" => event.before = Some(value.clone()),
                "after" => event.after = Some(value.clone()),
                name => {
                    let text = self
                        .text(name, value)
                        .ok_or_else(|| fail(&format!("holds {}, not text", kind_of(value))))?;
                    match name {
                        "id" => event.id = text,
                        "user" => event.user = text,
                        "action" => event.action = text,
                        "message" => event.message = text,
                        "outcome" => event.outcome = text,
                        "user_type" => event.user_type = Some(text),
                        "ip" => event.ip = Some(text),
                        "operation" => event.operation = Some(text),
                        "service" => event.service = Some(text),
                        "origin" => event.origin = Some(text),
                        "table" => event.table = Some(text),
                        "resource_id" => event.resource_id = Some(text),
                        "reverts" => event.reverts = Some(text),
                        other => return Err(format!("{other}: cannot be set by a mapping")),
                    }
                }
            }
        }
        for (key, src) in &self.meta {
            if let Some(value) = src.value(&v) {
                event.meta.insert(key.clone(), value.clone());
            }
        }
        if event.id.is_empty() {
            // Without an id of its own, a line is named by its content, so that importing
            // the same log twice adds nothing.
            event.id = super::content_id(line.trim().as_bytes());
        }
        event.normalize().map_err(|e| e.to_string())?;
        Ok(event)
    }

    /// A scalar as text, through the field's value map.
    fn text(&self, field: &str, value: &Value) -> Option<String> {
        let text = match value {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
            _ => return None,
        };
        Some(match self.values.get(field).and_then(|m| m.get(&text)) {
            Some(mapped) => mapped.clone(),
            None => text,
        })
    }

    fn time(&self, value: &Value) -> Result<DateTime<Utc>, String> {
        match &self.time_format {
            TimeFormat::Rfc3339 => {
                let t = value.as_str().ok_or("is not an RFC 3339 text")?;
                parse_time(t)
            }
            TimeFormat::Unix { scale } => {
                let n = match value {
                    Value::Number(n) => n.as_f64(),
                    Value::String(s) => s.trim().parse().ok(),
                    _ => None,
                }
                .ok_or("is not a number of seconds since 1970")?;
                let micros = n / scale * 1e6;
                DateTime::from_timestamp_micros(micros.round() as i64)
                    .filter(|_| micros.is_finite())
                    .ok_or_else(|| format!("{n} is out of range"))
            }
            TimeFormat::Pattern(p) => {
                let t = value.as_str().ok_or("is not text")?;
                let parsed = if p.contains("%z") || p.contains("%:z") || p.contains("%#z") {
                    DateTime::parse_from_str(t, p).map(|t| t.with_timezone(&Utc))
                } else {
                    NaiveDateTime::parse_from_str(t, p).map(|t| t.and_utc())
                };
                parsed.map_err(|e| format!("{t:?} does not match {p:?}: {e}"))
            }
        }
    }

    /// The records of a log read with this mapping.
    pub fn records<'a, R: BufRead + 'a>(&'a self, reader: R) -> impl Iterator<Item = Record> + 'a {
        numbered_lines(reader).filter_map(move |(line, text)| {
            let event = match text {
                Err(e) => Err(e),
                Ok(t) if t.trim().is_empty() => return None,
                Ok(t) => self.map_line(&t),
            };
            Some(Record { line, event })
        })
    }
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// `fields.NAME = "a.b[0]"`, or a table with `path` and `default`, or with `value`.
fn source(name: &str, spec: toml::Value) -> Result<Source, String> {
    let path = |text: String, default: Option<Value>| match JsonPath::parse(&text) {
        Some(path) => Ok(Source::Path {
            text,
            path,
            default,
        }),
        None => Err(format!(
            "{name}: {text:?} is not a JSON path (keys joined by dots, [N] for array items)"
        )),
    };
    match spec {
        toml::Value::String(text) => path(text, None),
        toml::Value::Table(mut t) => {
            let json = |v: toml::Value| serde_json::to_value(v).map_err(|e| format!("{name}: {e}"));
            let value = t.remove("value").map(json).transpose()?;
            let default = t.remove("default").map(json).transpose()?;
            let text = match t.remove("path") {
                None => None,
                Some(toml::Value::String(p)) => Some(p),
                Some(_) => return Err(format!("{name}: path must be text")),
            };
            if let Some(key) = t.keys().next() {
                return Err(format!(
                    "{name}: unknown key {key:?} (use path, default or value)"
                ));
            }
            match (text, value) {
                (Some(text), None) => path(text, default),
                (None, Some(v)) if default.is_none() => Ok(Source::Constant(v)),
                _ => Err(format!(
                    "{name}: give either path (with an optional default) or value"
                )),
            }
        }
        _ => Err(format!(
            "{name}: give a JSON path as text, or a table with path or value"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const MAP: &str = r#"
time_format = "unix_ms"
[fields]
time = "ts"
user = { path = "actor.email", default = "unknown" }
action = "type"
resource_id = "target.id"
table = "target.kind"
after = "changes.new"
service = { value = "billing" }
"event.outcome" = "x"
"#;

    proptest::proptest! {
        /// A mapping that names every field by itself reads an event's own JSON line back
        /// as the same event.
        #[test]
        fn the_identity_mapping_gives_the_event_back(e in crate::query::agree_tests::event()) {
            let mut text = String::from("[fields]\n");
            for f in fields() {
                text.push_str(&format!("{f} = \"{f}\"\n"));
            }
            text.push_str("[meta]\n");
            for k in crate::query::agree_tests::META_KEYS {
                text.push_str(&format!("{k} = \"meta.{k}\"\n"));
            }
            let m = Mapping::parse(&text).unwrap();
            let mut e = e;
            e.id = "e-1".into();
            let line = serde_json::to_string(&e).unwrap();
            e.normalize().unwrap();
            // A mapping passes over nulls, in meta too.
            e.meta.retain(|_, v| !v.is_null());
            proptest::prop_assert_eq!(m.map_line(&line).unwrap(), e);
        }
    }

    #[test]
    fn unknown_fields_are_named() {
        let e = Mapping::parse(MAP).unwrap_err();
        assert!(e.contains("\"event.outcome\" is not an event field"), "{e}");
    }

    #[test]
    fn a_line_maps_through_paths_constants_defaults_and_value_maps() {
        let text = MAP.replace("\"event.outcome\" = \"x\"", "outcome = \"result\"")
            + "[meta]\naccount = \"account.id\"\n[values.action]\n\"invoice.sent\" = \"SEND\"\n[values.outcome]\nok = \"success\"\nerror = \"failure\"\n";
        let m = Mapping::parse(&text).unwrap();
        let line = json!({"ts": 1_764_000_000_123_u64, "type": "invoice.sent", "result": "error",
            "target": {"id": 42, "kind": "invoices"}, "account": {"id": 7},
            "changes": {"new": {"state": "sent"}}})
        .to_string();
        let e = m.map_line(&line).unwrap();
        assert_eq!(e.user, "unknown");
        assert_eq!(e.action, "SEND");
        assert_eq!(e.outcome, "failure");
        assert_eq!(e.resource_id.as_deref(), Some("42"));
        assert_eq!(e.service.as_deref(), Some("billing"));
        assert_eq!(e.after, Some(json!({"state": "sent"})));
        assert_eq!(e.meta["account"], 7);
        assert_eq!(
            crate::model::format_time(&e.time),
            "2025-11-24T16:00:00.123Z"
        );
        assert_eq!(
            e.id,
            m.map_line(&line).unwrap().id,
            "ids come from the content"
        );
        let missing = m.map_line(r#"{"type": "x"}"#).unwrap_err();
        assert_eq!(missing, "time: path `ts` is missing");
        let wrong = m.map_line(r#"{"ts": 1, "type": ["x"]}"#).unwrap_err();
        assert_eq!(wrong, "action: path `type` holds an array, not text");
    }

    #[test]
    fn patterns_and_bad_files() {
        let m = Mapping::parse(
            "time_format = \"%d/%m/%Y %H:%M\"\n[fields]\ntime = \"t\"\nuser = \"u\"\naction = \"a\"\n",
        )
        .unwrap();
        let e = m
            .map_line(r#"{"t": "02/12/2026 09:30", "u": "al", "a": "login"}"#)
            .unwrap();
        assert_eq!(
            crate::model::format_time(&e.time),
            "2026-12-02T09:30:00.000Z"
        );
        assert!(
            m.map_line(r#"{"t": "2026", "u": "al", "a": "x"}"#)
                .unwrap_err()
                .starts_with("time: path `t` \"2026\" does not match")
        );
        for (bad, why) in [
            ("[fields]\ntime = \"t\"\nuser = \"u\"\n", "`action`"),
            (
                "[fields]\ntime = \"t[\"\nuser = \"u\"\naction = \"a\"\n",
                "not a JSON path",
            ),
            (
                "time_format = \"epoch\"\n[fields]\n",
                "time_format \"epoch\"",
            ),
            ("[field]\n", "unknown key \"field\""),
            ("[fields\n", "line 1"),
        ] {
            let e = Mapping::parse(bad).map_err(|e| e.to_string());
            let e = e.unwrap_err();
            assert!(e.contains(why), "{bad:?}: {e}");
        }
    }
}

//! The audit event (docs/SPEC.md §1), its canonical bytes and its time format: serde types, no I/O.

use chrono::{DateTime, SecondsFormat, Timelike, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

mod canonical;
mod strict;

pub use canonical::{canonical_value, number_text, write_str as write_json_str};
mod view;

pub use view::EntryView;

/// One audit event, as it appears in JSON Lines files, the HTTP API and the store.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Event {
    /// Position in the store, assigned by the store; never part of the canonical entry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seq: Option<u64>,
    #[serde(default)]
    pub id: String,
    #[serde(with = "time_format")]
    pub time: DateTime<Utc>,
    pub user: String,
    #[serde(default)]
    pub user_type: Option<String>,
    #[serde(default)]
    pub ip: Option<String>,
    pub action: String,
    #[serde(default)]
    pub operation: Option<String>,
    #[serde(default)]
    pub service: Option<String>,
    #[serde(default)]
    pub origin: Option<String>,
    #[serde(default)]
    pub table: Option<String>,
    #[serde(default)]
    pub resource_id: Option<String>,
    #[serde(default)]
    pub message: String,
    #[serde(default = "default_outcome")]
    pub outcome: String,
    #[serde(default, deserialize_with = "nullable_value")]
    pub before: Option<Value>,
    #[serde(default, deserialize_with = "nullable_value")]
    pub after: Option<Value>,
    #[serde(default)]
    pub reverts: Option<String>,
    #[serde(default, deserialize_with = "strict::strict_map")]
    pub meta: Map<String, Value>,
}

fn default_outcome() -> String {
    "success".to_owned()
}

/// `Option<Value>` would read JSON `null` as `Some(Value::Null)`; an absent record is `None`.
/// Objects inside are read strictly: a key named twice is an error (`strict`).
fn nullable_value<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    Ok(match strict::StrictValue::deserialize(d)?.0 {
        Value::Null => None,
        v => Some(v),
    })
}

/// Why an event cannot be accepted into a store.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum InvalidEvent {
    #[error("field `{0}` is empty")]
    Empty(&'static str),
    #[error("`action` must be one upper-case word, got {0:?}")]
    Action(String),
    #[error("`outcome` must be \"success\" or \"failure\", got {0:?}")]
    Outcome(String),
    #[error("`ip` is not an IP address: {0:?}")]
    Ip(String),
    #[error("`user_type` must be one of user, api_token, system, portal, automation; got {0:?}")]
    UserType(String),
    #[error("`time` {0} is out of range: times run from 0001-01-01 to 9999-12-31 (UTC)")]
    Time(String),
    #[error(
        "the integer {number} at {path} is beyond 2^53: the canonical form (RFC 8785) keeps \
         numbers as IEEE doubles and would change it; give it as a string"
    )]
    Number { path: String, number: String },
}

pub const USER_TYPES: [&str; 5] = ["user", "api_token", "system", "portal", "automation"];

impl Event {
    /// An event with its required fields and nothing else: outcome success, no data, no meta.
    pub fn new(id: String, time: DateTime<Utc>, user: String, action: String) -> Event {
        Event {
            seq: None,
            id,
            time,
            user,
            user_type: None,
            ip: None,
            action,
            operation: None,
            service: None,
            origin: None,
            table: None,
            resource_id: None,
            message: String::new(),
            outcome: default_outcome(),
            before: None,
            after: None,
            reverts: None,
            meta: Map::new(),
        }
    }

    /// Brings an event from any producer into the form the store keeps: generated id, upper-case
    /// action, lower-case outcome, normalised IP. Rejects what cannot be made valid.
    pub fn normalize(&mut self) -> Result<(), InvalidEvent> {
        self.seq = None;
        if !crate::timespec::in_range(&self.time) {
            return Err(InvalidEvent::Time(self.time.to_rfc3339()));
        }
        if let Some((path, n)) = self.first_in_data(&is_inexact) {
            return Err(InvalidEvent::Number {
                path,
                number: n.to_string(),
            });
        }
        if self.id.trim().is_empty() {
            self.id = new_id();
        }
        if self.user.trim().is_empty() {
            return Err(InvalidEvent::Empty("user"));
        }
        self.action = normal_action(&self.action)?;
        self.outcome = normal_outcome(&self.outcome)?;
        if let Some(ip) = &self.ip {
            if ip.is_empty() {
                self.ip = None;
            } else {
                let parsed: std::net::IpAddr =
                    ip.parse().map_err(|_| InvalidEvent::Ip(ip.clone()))?;
                self.ip = Some(parsed.to_string());
            }
        }
        if let Some(t) = &self.user_type
            && !USER_TYPES.contains(&t.as_str())
        {
            return Err(InvalidEvent::UserType(t.clone()));
        }
        for field in [
            &mut self.operation,
            &mut self.service,
            &mut self.origin,
            &mut self.table,
            &mut self.resource_id,
            &mut self.reverts,
            &mut self.user_type,
        ] {
            if field.as_deref() == Some("") {
                *field = None;
            }
        }
        Ok(())
    }

    /// The first value in the event's data (`before`, then `after`) or meta for which `hit`
    /// holds, with its path (`after.items[2].name`, `meta.request_id`).
    pub fn first_in_data(&self, hit: &dyn Fn(&Value) -> bool) -> Option<(String, &Value)> {
        let data = [("before", &self.before), ("after", &self.after)]
            .into_iter()
            .filter_map(|(root, v)| Some((root, None, v.as_ref()?)));
        let meta = self.meta.iter().map(|(k, v)| ("meta", Some(k), v));
        data.chain(meta).find_map(|(root, key, v)| {
            let (rest, found) = first_below(v, hit)?;
            let key = key.map(|k| format!(".{k}")).unwrap_or_default();
            Some((format!("{root}{key}{rest}"), found))
        })
    }

    /// The RFC 8785 (JCS) bytes of the event without `seq`: what the store keeps and hashes.
    pub fn canonical_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(1024);
        canonical::write_event(self, &mut out);
        out
    }

    /// `canonical_bytes` as text (canonical JSON is UTF-8).
    pub fn canonical_text(&self) -> String {
        String::from_utf8(self.canonical_bytes()).expect("canonical JSON is UTF-8")
    }
}

/// `action` as the store keeps it: one upper-case word.
fn normal_action(action: &str) -> Result<String, InvalidEvent> {
    let normal = action.trim().to_ascii_uppercase();
    if normal.is_empty()
        || !normal
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        return Err(InvalidEvent::Action(action.to_owned()));
    }
    Ok(normal)
}

/// `outcome` as the store keeps it: `success` or `failure`.
fn normal_outcome(outcome: &str) -> Result<String, InvalidEvent> {
    let normal = outcome.trim().to_ascii_lowercase();
    if normal != "success" && normal != "failure" {
        return Err(InvalidEvent::Outcome(outcome.to_owned()));
    }
    Ok(normal)
}

/// Whether a stored entry's action and outcome are as `normalize` leaves them. Filters take
/// what they are given to the same form (`action = update` asks for `UPDATE`), so an entry
/// holding another would be shown with a value no filter finds.
pub fn is_stored_form(action: &str, outcome: &str) -> bool {
    // What `normal_action` leaves as it is, without making it again for every entry checked.
    let action_kept = !action.is_empty()
        && action
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
    action_kept && (outcome == "success" || outcome == "failure")
}

/// The largest integer the canonical form keeps exactly: an entry holding a larger one was
/// not written by `normalize`, which refuses them.
pub const EXACT_INTEGERS: u64 = 1 << 53;

/// Whether the canonical form cannot keep this number exactly (an integer beyond ±2^53):
/// silently storing another number would change the record.
fn is_inexact(v: &Value) -> bool {
    matches!(v, Value::Number(n) if n.as_u64().is_some_and(|u| u > EXACT_INTEGERS)
        || n.as_i64().is_some_and(|i| i.unsigned_abs() > EXACT_INTEGERS))
}

/// The first value at or below `v` (depth first, in key order) for which `hit` holds, with its
/// path below `v` (`""`, `.key`, `[2].name`). The path is made only for the value found, on
/// the way back up: the values an import walks hold none.
fn first_below<'a>(v: &'a Value, hit: &dyn Fn(&Value) -> bool) -> Option<(String, &'a Value)> {
    if hit(v) {
        return Some((String::new(), v));
    }
    match v {
        Value::Array(items) => items.iter().enumerate().find_map(|(i, item)| {
            first_below(item, hit).map(|(rest, found)| (format!("[{i}]{rest}"), found))
        }),
        Value::Object(map) => map.iter().find_map(|(k, item)| {
            first_below(item, hit).map(|(rest, found)| (format!(".{k}{rest}"), found))
        }),
        _ => None,
    }
}

/// The leaf hash of RFC 9162: `SHA-256(0x00 || entry bytes)`.
pub fn leaf_hash(entry: &[u8]) -> [u8; 32] {
    crate::integrity::merkle::leaf_hash(entry)
}

/// A fresh, time-ordered event id (UUIDv7).
pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// Formats a time as RFC 3339 UTC with `Z` and at least millisecond precision, keeping finer
/// digits when the producer gave them (Kubernetes writes microseconds).
pub fn format_time(t: &DateTime<Utc>) -> String {
    let nanos = t.nanosecond() % 1_000_000_000;
    let precision = if nanos.is_multiple_of(1_000_000) {
        SecondsFormat::Millis
    } else if nanos.is_multiple_of(1_000) {
        SecondsFormat::Micros
    } else {
        SecondsFormat::Nanos
    };
    t.to_rfc3339_opts(precision, true)
}

/// Microseconds since the epoch: the integer the store indexes time by.
pub fn time_key(t: &DateTime<Utc>) -> i64 {
    t.timestamp_micros()
}

/// serde for `time`: any RFC 3339 time in, UTC with `Z` out.
pub mod time_format {
    use super::*;

    pub fn serialize<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format_time(t))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        let text = std::borrow::Cow::<str>::deserialize(d)?;
        DateTime::parse_from_rfc3339(&text)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|e| serde::de::Error::custom(format!("`time` {text:?} is not RFC 3339: {e}")))
    }
}

/// The 16-byte key the store indexes IP addresses by: IPv4 as IPv4-mapped IPv6, so that one
/// byte range answers any CIDR of either family.
pub fn ip_key(ip: &std::net::IpAddr) -> [u8; 16] {
    match ip {
        std::net::IpAddr::V4(v4) => v4.to_ipv6_mapped().octets(),
        std::net::IpAddr::V6(v6) => v6.octets(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn the_stored_form_is_what_normalize_leaves(
            action in "[ a-zA-Z0-9_.-]{0,6}",
            outcome in prop_oneof![Just("success".to_owned()), Just("failure".to_owned()),
                "[ a-zA-Z]{0,8}"],
        ) {
            let normal = normal_action(&action).is_ok_and(|a| a == action)
                && normal_outcome(&outcome).is_ok_and(|o| o == outcome);
            prop_assert_eq!(is_stored_form(&action, &outcome), normal);
        }
    }

    fn sample() -> Event {
        serde_json::from_str(
            r#"{"id":"e1","time":"2026-11-02T10:00:00+01:00","user":"alice","action":"update",
                "ip":"10.0.0.1","table":"accounts","resource_id":"42","message":"m",
                "before":{"b":1,"a":"x"},"after":null,"meta":{"z":1,"a":2}}"#,
        )
        .unwrap()
    }

    #[test]
    fn canonical_bytes_are_sorted_compact_and_without_seq() {
        let mut e = sample();
        e.normalize().unwrap();
        e.seq = Some(9);
        let bytes = String::from_utf8(e.canonical_bytes()).unwrap();
        assert!(bytes.starts_with(r#"{"action":"UPDATE","after":null,"before":{"a":"x","b":1}"#));
        assert!(bytes.contains(r#""time":"2026-11-02T09:00:00.000Z""#));
        assert!(!bytes.contains("seq"));
        let back: Event = serde_json::from_slice(bytes.as_bytes()).unwrap();
        assert_eq!(back.canonical_bytes(), bytes.as_bytes());
    }

    #[test]
    fn finer_time_precision_is_kept() {
        let t = DateTime::parse_from_rfc3339("2018-10-26T13:13:03.544952Z").unwrap();
        assert_eq!(
            format_time(&t.with_timezone(&Utc)),
            "2018-10-26T13:13:03.544952Z"
        );
    }

    /// The path of the first inexact number, wherever it is: what the error tells the user to
    /// fix. Earlier values and exact ones are passed over.
    #[test]
    fn an_inexact_number_is_named_by_its_path() {
        let cases = [
            (
                serde_json::json!({"before": {"n": [1, {"a": 9007199254740992_u64}, {"b": [0, 9007199254740993_u64]}]}}),
                "before.n[2].b[1]",
            ),
            (
                serde_json::json!({"after": {"x": -9007199254740993_i64}}),
                "after.x",
            ),
            (
                serde_json::json!({"before": {"ok": 1.5}, "meta": {"a": 1, "tenant": {"ids": [12345678901234567890_u64]}}}),
                "meta.tenant.ids[0]",
            ),
        ];
        for (data, path) in cases {
            let mut e = sample();
            e.before = data.get("before").cloned();
            e.after = data.get("after").cloned();
            e.meta = data
                .get("meta")
                .and_then(|m| m.as_object().cloned())
                .unwrap_or_default();
            match e.normalize() {
                Err(InvalidEvent::Number { path: found, .. }) => assert_eq!(found, path),
                other => panic!("{path}: {other:?}"),
            }
        }
        let mut e = sample();
        e.before = Some(serde_json::json!({"n": [9007199254740992_u64, -9007199254740992_i64]}));
        assert_eq!(e.normalize(), Ok(()));
    }

    #[test]
    fn normalize_rejects_bad_fields() {
        let mut e = sample();
        e.ip = Some("300.1.1.1".into());
        assert_eq!(e.normalize(), Err(InvalidEvent::Ip("300.1.1.1".into())));
        let mut e = sample();
        e.outcome = "maybe".into();
        assert!(e.normalize().is_err());
        let mut e = sample();
        e.id.clear();
        e.normalize().unwrap();
        assert_eq!(e.id.len(), 36);
    }

    #[test]
    fn leaf_hash_prefixes_zero_byte() {
        // SHA-256 of the single byte 0x00: the RFC 6962 hash of an empty leaf.
        let h = leaf_hash(b"");
        assert_eq!(
            h[..4],
            [0x6e, 0x34, 0x0b, 0x9c],
            "RFC 6962 empty-leaf hash starts 6e340b9c"
        );
    }
}

//! The RFC 8785 (JCS) bytes of an event, written straight into one buffer.
//!
//! A generic JCS formatter has to buffer every object member and sort the buffers, which made
//! it the largest source of allocations on import. An event's own fields are known and already
//! in canonical order, and `meta`/`before`/`after` are `serde_json` maps that are kept sorted, so
//! the bytes can be written in one pass. The output must stay byte for byte what
//! `serde_json_canonicalizer` writes (the stored entries and their hashes depend on it); the
//! tests below compare the two on random events.

use serde_json::{Map, Value};

use super::{Event, format_time};

/// Appends the canonical bytes of `e` without `seq` to `out`.
pub(super) fn write_event(e: &Event, out: &mut Vec<u8>) {
    // Members in JCS order (by UTF-16 code units; all of these names are ASCII).
    out.extend_from_slice(b"{\"action\":");
    write_str(out, &e.action);
    out.extend_from_slice(b",\"after\":");
    write_opt_value(out, e.after.as_ref());
    out.extend_from_slice(b",\"before\":");
    write_opt_value(out, e.before.as_ref());
    out.extend_from_slice(b",\"id\":");
    write_str(out, &e.id);
    out.extend_from_slice(b",\"ip\":");
    write_opt_str(out, e.ip.as_deref());
    out.extend_from_slice(b",\"message\":");
    write_str(out, &e.message);
    out.extend_from_slice(b",\"meta\":");
    write_object(out, &e.meta);
    out.extend_from_slice(b",\"operation\":");
    write_opt_str(out, e.operation.as_deref());
    out.extend_from_slice(b",\"origin\":");
    write_opt_str(out, e.origin.as_deref());
    out.extend_from_slice(b",\"outcome\":");
    write_str(out, &e.outcome);
    out.extend_from_slice(b",\"resource_id\":");
    write_opt_str(out, e.resource_id.as_deref());
    out.extend_from_slice(b",\"reverts\":");
    write_opt_str(out, e.reverts.as_deref());
    out.extend_from_slice(b",\"service\":");
    write_opt_str(out, e.service.as_deref());
    out.extend_from_slice(b",\"table\":");
    write_opt_str(out, e.table.as_deref());
    out.extend_from_slice(b",\"time\":");
    write_str(out, &format_time(&e.time));
    out.extend_from_slice(b",\"user\":");
    write_str(out, &e.user);
    out.extend_from_slice(b",\"user_type\":");
    write_opt_str(out, e.user_type.as_deref());
    out.push(b'}');
}

fn write_opt_str(out: &mut Vec<u8>, s: Option<&str>) {
    match s {
        Some(s) => write_str(out, s),
        None => out.extend_from_slice(b"null"),
    }
}

fn write_opt_value(out: &mut Vec<u8>, v: Option<&Value>) {
    match v {
        Some(v) => write_value(out, v),
        None => out.extend_from_slice(b"null"),
    }
}

/// A number as the canonical form writes it: its IEEE double printed as ECMAScript does
/// (`10.0` is `10`, `1E2` is `100`).
pub fn number_text(n: &serde_json::Number) -> String {
    match n.as_f64().filter(|f| f.is_finite()) {
        Some(f) => ryu_js::Buffer::new().format_finite(f).to_owned(),
        None => "null".to_owned(),
    }
}

/// The RFC 8785 (JCS) bytes of any JSON value.
pub fn canonical_value(v: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    write_value(&mut out, v);
    out
}

fn write_value(out: &mut Vec<u8>, v: &Value) {
    match v {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        // JCS numbers are IEEE doubles printed as ECMAScript does; integers go through f64 too.
        Value::Number(n) => out.extend_from_slice(number_text(n).as_bytes()),
        Value::String(s) => write_str(out, s),
        Value::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                write_value(out, item);
            }
            out.push(b']');
        }
        Value::Object(map) => write_object(out, map),
    }
}

/// JCS orders members by the UTF-16 code units of their names; the map keeps them in UTF-8 byte
/// (code point) order. The two orders differ only between characters from U+E000 up and
/// supplementary ones, whose UTF-8 lead bytes are 0xEE and above, so only such names need a
/// sort of their own.
fn write_object(out: &mut Vec<u8>, map: &Map<String, Value>) {
    out.push(b'{');
    let needs_sort = map.keys().any(|k| k.bytes().any(|b| b >= 0xEE));
    if needs_sort {
        let mut members: Vec<(&String, &Value)> = map.iter().collect();
        members.sort_by(|a, b| a.0.encode_utf16().cmp(b.0.encode_utf16()));
        write_members(out, members.into_iter());
    } else {
        write_members(out, map.iter());
    }
    out.push(b'}');
}

fn write_members<'a>(out: &mut Vec<u8>, members: impl Iterator<Item = (&'a String, &'a Value)>) {
    for (i, (k, v)) in members.enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write_str(out, k);
        out.push(b':');
        write_value(out, v);
    }
}

/// A JSON string as JCS (and serde_json) escape it: `"` and `\`, and control characters as
/// `\b \t \n \f \r` or `\u00xx` with lower-case hex; everything else, including `/` and
/// non-ASCII text, as is.
pub fn write_str(out: &mut Vec<u8>, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let bytes = s.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if b >= 0x20 && b != b'"' && b != b'\\' {
            continue;
        }
        out.extend_from_slice(&bytes[start..i]);
        start = i + 1;
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x09 => out.extend_from_slice(b"\\t"),
            0x0A => out.extend_from_slice(b"\\n"),
            0x0C => out.extend_from_slice(b"\\f"),
            0x0D => out.extend_from_slice(b"\\r"),
            _ => out.extend_from_slice(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[(b >> 4) as usize],
                HEX[(b & 0xF) as usize],
            ]),
        }
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};
    use proptest::prelude::*;
    use serde_json::{Map, Value};

    use super::super::Event;

    /// What the store wrote before this module: the generic canonicaliser.
    fn reference(e: &Event) -> Vec<u8> {
        let unsequenced = Event {
            seq: None,
            ..e.clone()
        };
        serde_json_canonicalizer::to_vec(&unsequenced).unwrap()
    }

    /// Text that exercises every escape and both sides of the UTF-16 ordering difference.
    fn text() -> impl Strategy<Value = String> {
        prop_oneof![
            "[a-z_]{0,8}",
            "[a-zA-Z0-9 \"\\\\/\u{0}-\u{1f}\u{7f}]{0,12}",
            "[a\u{e9}\u{ff}\u{e000}\u{ffff}\u{fffd}\u{10000}\u{1f600}\u{10ffff}]{0,4}",
            any::<String>(),
        ]
    }

    fn number() -> impl Strategy<Value = Value> {
        prop_oneof![
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            (-1e6..1e6f64).prop_map(Value::from),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(Value::from),
            Just(Value::from(1e21)),
            Just(Value::from(1e-7)),
            Just(Value::from(-0.0)),
            Just(Value::from(9_007_199_254_740_993u64)),
        ]
    }

    fn value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            number(),
            text().prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::btree_map(text(), inner, 0..6)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    fn opt_text() -> impl Strategy<Value = Option<String>> {
        prop::option::of(text())
    }

    prop_compose! {
        fn event()(
            seq in prop::option::of(1u64..1000),
            (id, user, action, message, outcome) in (text(), text(), text(), text(), text()),
            (user_type, ip, operation, service) in (opt_text(), opt_text(), opt_text(), opt_text()),
            (origin, table, resource_id, reverts) in (opt_text(), opt_text(), opt_text(), opt_text()),
            before in prop::option::of(value()),
            after in prop::option::of(value()),
            meta in prop::collection::btree_map(text(), value(), 0..5),
            nanos in 0u32..1_000_000_000,
            secs in 0i64..4_000_000_000,
        ) -> Event {
            Event {
                seq, id, user, action, message, outcome, user_type, ip, operation, service,
                origin, table, resource_id, reverts, before, after,
                time: Utc.timestamp_opt(secs, nanos).unwrap(),
                meta: meta.into_iter().collect::<Map<String, Value>>(),
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn same_bytes_as_the_generic_canonicaliser(e in event()) {
            prop_assert_eq!(e.canonical_bytes(), reference(&e));
        }
    }

    #[test]
    fn member_names_in_utf16_order() {
        // U+10000 is D800 DC00 in UTF-16, so it sorts before U+E000 although its UTF-8 is larger.
        let mut e: Event = serde_json::from_str(
            r#"{"time":"2026-11-01T00:00:00Z","user":"a","action":"A",
                "meta":{"\ue000":1,"\ud800\udc00":2,"a":3,"\u00e9":4}}"#,
        )
        .unwrap();
        e.normalize().unwrap();
        let bytes = String::from_utf8(e.canonical_bytes()).unwrap();
        assert!(bytes.contains("\"meta\":{\"a\":3,\"\u{e9}\":4,\"\u{10000}\":2,\"\u{e000}\":1}"));
        assert_eq!(e.canonical_bytes(), reference(&e));
    }
}

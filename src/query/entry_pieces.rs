//! An entry's searchable pieces read straight from its canonical text: what
//! [`search::for_each_piece`](super::search::for_each_piece) gives for the decoded event, without
//! building the event's value trees. `verify` works out every event's terms; decoding each into
//! an `Event` (a map and a string for every member) was a fifth of its work.
//!
//! It reads only entries whose `meta`, `before` and `after` are in the canonical form the store
//! writes: each is written again as it is read, and must come out byte for byte the same.
//! Anything else (a key named twice or out of order, a number or a string spelled otherwise,
//! `meta` not an object, an integer beyond 2^53) is [`NotCanonical`], and the caller decodes
//! the event instead, so that both ways always agree.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

use crate::model::EntryView;
use crate::redact::Redactor;

/// The entry is not as the canonical form writes it: decode the event to read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotCanonical;

/// Calls `each` with the pieces `for_each_piece` gives for the event `view` reads, in some
/// order. On `NotCanonical`, some pieces may have been given already.
pub fn for_each_entry_piece(
    view: &EntryView<'_>,
    sensitive: &Redactor,
    each: &mut dyn FnMut(&str),
) -> Result<(), NotCanonical> {
    for part in [
        Some(&view.message),
        Some(&view.user),
        view.table.as_ref(),
        view.resource_id.as_ref(),
        view.ip.as_ref(),
        view.service.as_ref(),
        view.origin.as_ref(),
        view.operation.as_ref(),
    ]
    .into_iter()
    .flatten()
    {
        each(part);
    }
    let mut again = Vec::new();
    if let Some(meta) = view.meta {
        walk(meta, Pieces::META, sensitive, each, &mut again)?;
    }
    for data in [view.before, view.after].into_iter().flatten() {
        walk(data, Pieces::ANY, sensitive, each, &mut again)?;
    }
    Ok(())
}

/// Gives the pieces of one member, and checks that it is written as the canonical form
/// writes it (`again` is where it is written again).
fn walk(
    raw: &RawValue,
    only: Only,
    sensitive: &Redactor,
    each: &mut dyn FnMut(&str),
    again: &mut Vec<u8>,
) -> Result<(), NotCanonical> {
    again.clear();
    let mut reader = serde_json::Deserializer::from_str(raw.get());
    Pieces {
        sensitive,
        each,
        only,
        depth: 0,
        out: again,
        hidden: false,
    }
    .deserialize(&mut reader)
    .map_err(|_| NotCanonical)?;
    if again.as_slice() != raw.get().as_bytes() {
        return Err(NotCanonical);
    }
    Ok(())
}

/// What a value may be: `meta` is an object or null, as the event's reader requires.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Only {
    Any,
    ObjectOrNull,
}

/// Gives the pieces of one value: its strings, numbers as the canonical form writes them,
/// `true`/`false`, and of objects their keys and, unless the key is sensitive, their values.
struct Pieces<'w> {
    sensitive: &'w Redactor,
    each: &'w mut dyn FnMut(&str),
    only: Only,
    /// How many arrays and objects hold this value, within the member being read.
    depth: u32,
    /// The member written again, in canonical form.
    out: &'w mut Vec<u8>,
    /// Under a sensitive key: read and written again, but giving no pieces.
    hidden: bool,
}

/// How deep arrays and objects may nest within a member: the event's reader stops at 127 in
/// all (serde_json's limit), the entry's own object among them. Read apart, a member would
/// otherwise be taken one level deeper than the event is.
const DEEPEST: u32 = 126;

impl Pieces<'_> {
    const META: Only = Only::ObjectOrNull;
    const ANY: Only = Only::Any;

    /// A piece written as it stands (numbers, `true`, `false`).
    fn scalar<E: de::Error>(self, piece: &str) -> Result<(), E> {
        self.out.extend_from_slice(piece.as_bytes());
        self.piece(piece)
    }

    fn piece<E: de::Error>(self, piece: &str) -> Result<(), E> {
        if self.only == Only::ObjectOrNull {
            return Err(E::custom("meta is not an object"));
        }
        if !self.hidden {
            (self.each)(piece);
        }
        Ok(())
    }

    fn number<E: de::Error>(self, n: f64) -> Result<(), E> {
        // As `model::number_text`: integers go through the double the canonical form prints.
        if !n.is_finite() {
            return Err(E::custom("a number that is not finite"));
        }
        self.scalar(ryu_js::Buffer::new().format_finite(n))
    }

    fn inner(&mut self) -> Pieces<'_> {
        Pieces {
            sensitive: self.sensitive,
            each: &mut *self.each,
            only: Only::Any,
            depth: self.depth + 1,
            out: &mut *self.out,
            hidden: self.hidden,
        }
    }

    /// Entering an array or an object: refused past the depth the event's reader takes.
    fn nest<E: de::Error>(&self) -> Result<(), E> {
        if self.depth >= DEEPEST {
            return Err(E::custom("nested deeper than an event may be"));
        }
        Ok(())
    }
}

impl<'de> DeserializeSeed<'de> for Pieces<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Pieces<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        self.out.extend_from_slice(b"null");
        Ok(())
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<(), E> {
        self.scalar(if v { "true" } else { "false" })
    }

    // An integer the canonical form cannot keep exactly is one the store never writes.
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<(), E> {
        if v.unsigned_abs() > crate::model::EXACT_INTEGERS {
            return Err(E::custom("an integer beyond 2^53"));
        }
        self.number(v as f64)
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<(), E> {
        if v > crate::model::EXACT_INTEGERS {
            return Err(E::custom("an integer beyond 2^53"));
        }
        self.number(v as f64)
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<(), E> {
        self.number(v)
    }

    // A string borrowed from the text held no escape, nor anything the canonical form would
    // escape (JSON text cannot): it is written again as it stands, unscanned.
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<(), E> {
        write_plain(self.out, v);
        self.piece(v)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        crate::model::write_json_str(self.out, v);
        self.piece(v)
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut items: A) -> Result<(), A::Error> {
        if self.only == Only::ObjectOrNull {
            return Err(de::Error::custom("meta is not an object"));
        }
        self.nest()?;
        self.out.push(b'[');
        let mut first = true;
        loop {
            let at = self.out.len();
            if !std::mem::take(&mut first) {
                self.out.push(b',');
            }
            if items.next_element_seed(self.inner())?.is_none() {
                self.out.truncate(at);
                break;
            }
        }
        self.out.push(b']');
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
        self.nest()?;
        self.out.push(b'{');
        let mut previous: Option<Cow<'de, str>> = None;
        while let Some(Key(key)) = map.next_key()? {
            if previous.is_some() {
                self.out.push(b',');
            }
            match &key {
                Cow::Borrowed(plain) => write_plain(self.out, plain),
                Cow::Owned(escaped) => crate::model::write_json_str(self.out, escaped),
            }
            self.out.push(b':');
            // Strictly in canonical order, so no key is named twice (the event's reader
            // refuses those; here they would give the pieces of both values).
            if previous
                .as_deref()
                .is_some_and(|p| canonical_order(p, &key).is_ge())
            {
                return Err(de::Error::custom("a key out of canonical order"));
            }
            if !self.hidden {
                (self.each)(&key);
            }
            // What a sensitive key holds gives no pieces, but is written again all the same.
            let hidden = self.hidden || self.sensitive.is_sensitive(&key);
            map.next_value_seed(Pieces {
                hidden,
                ..self.inner()
            })?;
            previous = Some(key);
        }
        self.out.push(b'}');
        Ok(())
    }
}

/// A string that needs no escape, quoted.
fn write_plain(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    out.extend_from_slice(s.as_bytes());
    out.push(b'"');
}

/// JCS's order of member names: by UTF-16 code units, which is byte order unless either name
/// holds characters from U+E000 up (UTF-8 lead bytes 0xEE and above).
fn canonical_order(a: &str, b: &str) -> std::cmp::Ordering {
    let wide = |s: &str| s.bytes().any(|c| c >= 0xEE);
    if wide(a) || wide(b) {
        a.encode_utf16().cmp(b.encode_utf16())
    } else {
        a.cmp(b)
    }
}

/// A member name, borrowed from the text where it holds no escapes.
struct Key<'de>(Cow<'de, str>);

impl<'de> de::Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a member name")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
        }
        d.deserialize_str(KeyVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Event;
    use crate::query::search::for_each_piece;
    use proptest::prelude::*;
    use serde_json::{Value, json};

    /// The pieces both ways, sorted; None where the entry is not canonical.
    fn both(entry: &str, sensitive: &Redactor) -> (Option<Vec<String>>, Option<Vec<String>>) {
        let fast = serde_json::from_str::<EntryView>(entry)
            .ok()
            .and_then(|view| {
                let mut out = Vec::new();
                for_each_entry_piece(&view, sensitive, &mut |p| out.push(p.to_owned())).ok()?;
                out.sort();
                Some(out)
            });
        let slow = serde_json::from_str::<Event>(entry).ok().map(|event| {
            let mut out = Vec::new();
            for_each_piece(&event, sensitive, &mut |p| out.push(p.to_owned()));
            out.sort();
            out
        });
        (fast, slow)
    }

    fn entry(meta: Value, before: Value, after: Value) -> String {
        let mut event: Event = serde_json::from_value(json!({
            "id": "e1", "time": "2026-11-20T10:00:00Z", "user": "Alice", "action": "UPDATE",
            "ip": "10.0.0.1", "table": "policies", "resource_id": "p-1", "message": "m x",
            "service": "api", "origin": "ui", "operation": "edit",
            "meta": meta, "before": before, "after": after,
        }))
        .unwrap();
        event.normalize().unwrap();
        event.canonical_text()
    }

    #[test]
    fn a_canonical_entry_gives_the_pieces_of_its_event() {
        let text = entry(
            json!({"request": {"password": "hunter2", "n": 10.0}, "z": [1e21, -0.5, true]}),
            json!({"settings": {"enabled": false, "token": "s3cret"}, "": null}),
            json!({"settings": {"enabled": true}, "\u{10000}": 1, "\u{e000}": 2, "a\"b": "é"}),
        );
        let (fast, slow) = both(&text, Redactor::builtin());
        assert_eq!(fast, slow);
        let pieces = fast.unwrap();
        assert!(pieces.contains(&"password".to_owned()));
        assert!(!pieces.contains(&"hunter2".to_owned()));
        assert!(!pieces.contains(&"s3cret".to_owned()));
        assert!(pieces.contains(&"10".to_owned()));
        assert!(pieces.contains(&"1e+21".to_owned()));
    }

    #[test]
    fn what_is_not_canonical_is_left_to_the_event_reader() {
        let text = entry(json!({"a": 1}), json!({"x": 1, "y": 2}), Value::Null);
        for (from, to) in [
            // A key named twice: the event's reader refuses it.
            (r#""x":1,"y":2"#, r#""x":1,"x":2"#),
            // Out of order: both values' pieces would be the same, but this is not canonical.
            (r#""x":1,"y":2"#, r#""y":2,"x":1"#),
            // meta that is not an object.
            (r#""meta":{"a":1}"#, r#""meta":[1]"#),
            // Spelled otherwise than the canonical form spells it: a number, an escape, space.
            (r#""x":1,"y":2"#, r#""x":1.0,"y":2"#),
            (r#""x":1,"y":2"#, r#""x":1,"y":2e0"#),
            (r#""x":1,"y":2"#, r#""\u0078":1,"y":2"#),
            (r#""x":1,"y":2"#, r#""x": 1,"y":2"#),
        ] {
            let edited = text.replace(from, to);
            assert_ne!(edited, text);
            let view: EntryView = serde_json::from_str(&edited).unwrap();
            let result = for_each_entry_piece(&view, Redactor::builtin(), &mut |_| {});
            assert_eq!(result, Err(NotCanonical), "{edited}");
        }
    }

    #[test]
    fn members_nest_as_deep_as_the_event_reader_takes_them() {
        let text = entry(json!({"a": 1}), json!([]), Value::Null);
        let mut read = Vec::new();
        for depth in 120..=130 {
            let nested = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
            let before = text.replace(r#""before":[]"#, &format!(r#""before":{nested}"#));
            let meta = text.replace(r#""meta":{"a":1}"#, &format!(r#""meta":{{"a":{nested}}}"#));
            for edited in [before, meta] {
                assert_ne!(edited, text);
                let (fast, slow) = both(&edited, Redactor::builtin());
                assert_eq!(fast, slow, "{depth} deep: {edited}");
                read.push(fast.is_some());
            }
        }
        // Both sides of the limit were tried.
        assert!(read.contains(&true) && read.contains(&false));
    }

    fn json_value() -> impl Strategy<Value = Value> {
        let key = prop_oneof![
            "[a-z]{0,3}",
            Just("password".to_owned()),
            Just("Token".to_owned()),
            "\\PC{0,3}",
            Just("a\u{e000}".to_owned()),
            Just("a\u{10000}".to_owned()),
        ];
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            // Integers beyond 2^53 are refused before they are stored.
            (-(1i64 << 53)..=(1i64 << 53)).prop_map(Value::from),
            (0u64..=(1u64 << 53)).prop_map(Value::from),
            (-1e30f64..1e30).prop_map(Value::from),
            "\\PC{0,12}".prop_map(Value::String),
            "[a-z_.@-]{0,12}( [A-Z]{1,3})?".prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 48, 6, move |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
                prop::collection::btree_map(key.clone(), inner, 0..5)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn the_pieces_agree_with_the_decoded_event(
            meta in prop::collection::btree_map("[a-z_]{1,6}", json_value(), 0..4),
            before in json_value(),
            after in json_value(),
        ) {
            let meta = Value::Object(meta.into_iter().collect());
            let text = entry(meta, before, after);
            let (fast, slow) = both(&text, Redactor::builtin());
            prop_assert!(slow.is_some());
            prop_assert_eq!(fast, slow);
        }
    }
}

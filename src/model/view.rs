//! A stored entry read in place, without building the event.

use std::borrow::Cow;

use serde_json::value::RawValue;

/// A stored entry read in place: text fields borrowed where they hold no escapes, data kept as
/// its canonical JSON text. Writing CSV from it skips building `Value` trees only to print
/// them again. It refuses what the event's reader refuses at the top level (a member it does
/// not know), so that both read the same entries.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntryView<'a> {
    /// Never in a stored entry (`verify` refuses one that holds it), but the event's reader
    /// takes it, as a number.
    #[serde(default)]
    pub seq: Option<u64>,
    #[serde(borrow)]
    pub id: Cow<'a, str>,
    #[serde(borrow)]
    pub time: Cow<'a, str>,
    #[serde(borrow)]
    pub user: Cow<'a, str>,
    #[serde(borrow)]
    pub user_type: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub ip: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub action: Cow<'a, str>,
    #[serde(borrow)]
    pub operation: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub service: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub origin: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub table: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub resource_id: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub message: Cow<'a, str>,
    #[serde(borrow)]
    pub outcome: Cow<'a, str>,
    #[serde(borrow)]
    pub before: Option<&'a RawValue>,
    #[serde(borrow)]
    pub after: Option<&'a RawValue>,
    #[serde(borrow)]
    pub reverts: Option<Cow<'a, str>>,
    #[serde(borrow)]
    pub meta: Option<&'a RawValue>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_view_reads_what_the_event_reader_reads() {
        let entry = r#"{"action":"UPDATE","id":"e1","message":"m","outcome":"success","time":"2026-11-20T10:00:00Z","user":"alice"}"#;
        let read = |text: &str| {
            (
                serde_json::from_str::<EntryView>(text).is_ok(),
                serde_json::from_str::<crate::model::Event>(text).is_ok(),
            )
        };
        assert_eq!(read(entry), (true, true));
        let with_seq = entry.replace(r#""user""#, r#""seq":7,"user""#);
        assert_eq!(read(&with_seq), (true, true));
        let with_text_seq = entry.replace(r#""user""#, r#""seq":"7","user""#);
        assert_eq!(read(&with_text_seq), (false, false));
        // A member neither knows: before, the view took it and `verify --quick` passed.
        let unknown = entry.replace(r#""user""#, r#""users":["bob"],"user""#);
        assert_eq!(read(&unknown), (false, false));
    }
}

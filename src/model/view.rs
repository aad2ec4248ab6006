//! A stored entry read in place, without building the event.

use std::borrow::Cow;

use serde_json::value::RawValue;

/// A stored entry read in place: text fields borrowed where they hold no escapes, data kept as
/// its canonical JSON text. Writing CSV from it skips building `Value` trees only to print
/// them again.
#[derive(serde::Deserialize)]
pub struct EntryView<'a> {
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

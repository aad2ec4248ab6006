//! Redaction: sensitive values (keys like password, secret, token, api_key, private_key, and the
//! configured ones) are shown as `[redacted]` in every output unless `--reveal`.

use serde_json::Value;

use crate::model::Event;

/// The text that replaces a sensitive value.
pub const REDACTED: &str = "[redacted]";
/// What replaces a sensitive value in a record's after state when it differs from the before.
pub const REDACTED_CHANGED: &str = "[redacted, changed]";

/// Key fragments that are always sensitive.
pub const BUILTIN_KEYS: [&str; 5] = ["password", "secret", "token", "api_key", "private_key"];

/// What `mark_uncompared` puts where two redacted values could not be compared.
pub const REDACTED_UNCOMPARED: &str = "[redacted, not compared]";

/// Marks, in `new`, each value that is redacted in both states (as a server redacts each
/// event on its own): whether the hidden values differ is not known, and must not read as
/// "unchanged". Returns how many were marked.
pub fn mark_uncompared(old: Option<&Value>, new: Option<&mut Value>) -> usize {
    fn walk(old: &Value, new: &mut Value) -> usize {
        match (old, new) {
            (Value::Object(a), Value::Object(b)) => b
                .iter_mut()
                .filter_map(|(k, v)| a.get(k).map(|o| walk(o, v)))
                .sum(),
            (Value::Array(a), Value::Array(b)) => {
                a.iter().zip(b.iter_mut()).map(|(o, v)| walk(o, v)).sum()
            }
            (Value::String(a), new @ Value::String(_))
                if a.starts_with("[redacted")
                    && new.as_str().is_some_and(|b| b.starts_with("[redacted")) =>
            {
                *new = Value::String(REDACTED_UNCOMPARED.to_owned());
                1
            }
            _ => 0,
        }
    }
    match (old, new) {
        (Some(o), Some(n)) => walk(o, n),
        _ => 0,
    }
}

/// Where a value is the marker of a redacted one (`[redacted]`, `[redacted, changed]`): the
/// first path in the event's data or meta that holds one, and the marker. Such a value is not
/// data: it came from an export without `--reveal`.
pub fn marker_path(e: &Event) -> Option<(String, &str)> {
    let is_marker =
        |v: &Value| matches!(v, Value::String(s) if s == REDACTED || s == REDACTED_CHANGED);
    e.first_in_data(&is_marker)
        .map(|(path, marker)| (path, marker.as_str().unwrap_or(REDACTED)))
}

/// A key as sensitivity is judged on it: fullwidth letters and digits as ASCII, lower case,
/// and nothing but letters and digits, so that `apiKey`, `API-Key`, `api_key`, `ａｐｉ_ｋｅｙ`
/// and `api\u{200b}_key` are one key.
pub fn folded_key(key: &str) -> String {
    folded_bytes(key).map(char::from).collect()
}

/// The bytes of `folded_key`, made one at a time.
fn folded_bytes(key: &str) -> impl Iterator<Item = u8> + '_ {
    key.chars()
        .map(|c| match c {
            // Fullwidth forms of ASCII (U+FF01–U+FF5E) are their ASCII characters.
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            c => c,
        })
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase() as u8)
}

/// What canonical JSON writes for a character folding drops: any byte but a letter, a digit, `"`
/// and `\`, or an escape (`\"`, `\\`, `\n`, `\u001b`: JCS escapes only `"`, `\` and
/// control characters, none a letter or digit).
const DROPPED: &str = r#"(?:[^"\\A-Za-z0-9]|\\(?:u[0-9A-Fa-f]{4}|[^u]))"#;

/// The rest of a key after a fragment, as canonical JSON writes it, up to the `":` that ends it.
const REST_OF_KEY: &str = r#"(?:[^"\\]|\\.)*":"#;

/// A byte pattern that matches `fragment` (folded) in a key as canonical JSON writes it: each
/// letter in either case or fullwidth, with anything folding drops between (`DROPPED`).
fn fragment_pattern(fragment: &str) -> String {
    let letters: Vec<String> = fragment
        .chars()
        .map(|c| {
            let wide = c as u32 + 0xFEE0;
            let wide_upper = c.to_ascii_uppercase() as u32 + 0xFEE0;
            let bytes = |u: u32| -> String {
                let mut buf = [0u8; 4];
                char::from_u32(u)
                    .map(|w| {
                        w.encode_utf8(&mut buf)
                            .bytes()
                            .map(|b| format!("\\x{b:02X}"))
                            .collect()
                    })
                    .unwrap_or_default()
            };
            format!(
                "(?:{}|{}|{})",
                regex::escape(&c.to_string()),
                bytes(wide),
                bytes(wide_upper)
            )
        })
        .collect();
    letters.join(&format!("{DROPPED}*"))
}

/// Which keys are sensitive: a key is when its folded name (`folded_key`) contains one of the
/// folded fragments.
#[derive(Debug, Clone)]
pub struct Redactor {
    /// The keys as configured, lower case: what a store records.
    fragments: Vec<String>,
    /// Any of the fragments, folded, in a folded key: found in one pass however many keys are
    /// configured (an import asks about every key of every event).
    in_folded_key: aho_corasick::AhoCorasick,
    /// A fragment, the rest of a key, and the `":` that ends a key in canonical JSON.
    key_in_entry: regex::bytes::Regex,
}

/// The most keys `redact.keys` may add, and the longest one: enough for any schema, and a
/// bound on the matcher built from them.
pub const MAX_KEYS: usize = 1_000;
pub const MAX_KEY_LEN: usize = 256;

impl Redactor {
    /// The built-in keys and `extra`. Too many or too long keys are an error that names them,
    /// for the configuration to report.
    pub fn new(extra: &[String]) -> Result<Redactor, String> {
        if extra.len() > MAX_KEYS {
            return Err(format!(
                "redact.keys holds {} keys; at most {MAX_KEYS} are taken",
                extra.len()
            ));
        }
        if let Some(long) = extra.iter().find(|k| k.len() > MAX_KEY_LEN) {
            return Err(format!(
                "redact.keys has a key of {} bytes (starting {:?}); keys are at most \
                 {MAX_KEY_LEN} bytes",
                long.len(),
                long.chars().take(20).collect::<String>()
            ));
        }
        // Every store a server opens (one a request) builds its search redactor: the matcher
        // compiled once a set of keys, not once a request.
        static BUILT: std::sync::Mutex<Vec<(Vec<String>, Redactor)>> =
            std::sync::Mutex::new(Vec::new());
        let mut built = BUILT.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((_, r)) = built.iter().find(|(keys, _)| keys == extra) {
            return Ok(r.clone());
        }
        let redactor = Redactor::build(extra)?;
        // A process sees a handful of key sets; a bound all the same.
        if built.len() == 16 {
            built.remove(0);
        }
        built.push((extra.to_vec(), redactor.clone()));
        Ok(redactor)
    }

    fn build(extra: &[String]) -> Result<Redactor, String> {
        let mut fragments: Vec<String> = BUILTIN_KEYS.iter().map(|k| (*k).to_owned()).collect();
        fragments.extend(
            extra
                .iter()
                .map(|k| k.to_ascii_lowercase())
                .filter(|k| !k.is_empty()),
        );
        let mut folded: Vec<String> = fragments
            .iter()
            .map(|f| folded_key(f))
            .filter(|f| !f.is_empty())
            .collect();
        folded.sort();
        folded.dedup();
        let alternatives: Vec<String> = folded.iter().map(|f| fragment_pattern(f)).collect();
        let key_in_entry = regex::bytes::RegexBuilder::new(&format!(
            "(?i-u)(?:{}){REST_OF_KEY}",
            alternatives.join("|")
        ))
        .size_limit(256 << 20)
        .build()
        .map_err(|e| format!("redact.keys cannot be matched: {e}"))?;
        let in_folded_key = aho_corasick::AhoCorasick::new(&folded)
            .map_err(|e| format!("redact.keys cannot be matched: {e}"))?;
        Ok(Redactor {
            fragments,
            in_folded_key,
            key_in_entry,
        })
    }

    /// The keys this redactor hides beyond the built-in ones, lower-case, sorted, each once.
    pub fn extra_keys(&self) -> Vec<String> {
        let mut keys: Vec<String> = self.fragments[BUILTIN_KEYS.len()..].to_vec();
        keys.sort();
        keys.dedup();
        keys
    }

    /// Whether every key `other` hides, this one hides too.
    pub fn covers(&self, other: &Redactor) -> bool {
        other.fragments.iter().all(|f| self.fragments.contains(f))
    }

    /// The redactor of the built-in keys only.
    pub fn builtin() -> &'static Redactor {
        static BUILTIN: std::sync::LazyLock<Redactor> = std::sync::LazyLock::new(|| {
            Redactor::new(&[]).expect("the built-in keys make a valid matcher")
        });
        &BUILTIN
    }

    /// Whether a field path (`meta.api_token`, `after.auth.password`,
    /// `after.secret.value`) leads to or into a sensitive value: one of its keys is sensitive.
    pub fn is_sensitive_path(&self, path: &str) -> bool {
        path.split(['.', '['])
            .filter(|key| !key.ends_with(']'))
            .any(|key| self.is_sensitive(key))
    }

    pub fn is_sensitive(&self, key: &str) -> bool {
        // Folded on the stack: keys are short, and this is asked of every key imported.
        let mut buf = [0u8; 64];
        let mut len = 0;
        for b in folded_bytes(key) {
            if len == buf.len() {
                return self.in_folded_key.is_match(folded_key(key).as_bytes());
            }
            buf[len] = b;
            len += 1;
        }
        self.in_folded_key.is_match(&buf[..len])
    }

    /// Replaces every sensitive value in the event's data and meta.
    pub fn apply(&self, e: &mut Event) {
        self.redact_pair(e.before.as_mut(), e.after.as_mut());
        self.redact_meta(&mut e.meta);
    }

    /// Redacts the two states of a record together, so that a secret that changed still shows
    /// as a change: `[redacted]` before, `[redacted, changed]` after. Equal secrets stay equal.
    pub fn redact_pair(&self, before: Option<&mut Value>, after: Option<&mut Value>) {
        match (before, after) {
            (Some(Value::Object(b)), Some(Value::Object(a))) => {
                for (k, bv) in b.iter_mut() {
                    let av = a.get_mut(k);
                    if self.is_sensitive(k) {
                        let changed = av.as_ref().is_some_and(|av| **av != *bv);
                        if !bv.is_null() {
                            *bv = Value::String(REDACTED.to_owned());
                        }
                        if let Some(av) = av
                            && !av.is_null()
                        {
                            *av = Value::String(
                                if changed { REDACTED_CHANGED } else { REDACTED }.to_owned(),
                            );
                        }
                    } else {
                        self.redact_pair(Some(bv), av);
                    }
                }
                // Keys only the after has.
                for (k, av) in a.iter_mut() {
                    if !b.contains_key(k) {
                        if self.is_sensitive(k) && !av.is_null() {
                            *av = Value::String(REDACTED.to_owned());
                        } else {
                            self.redact_value(av);
                        }
                    }
                }
            }
            (Some(Value::Array(b)), Some(Value::Array(a))) => {
                let n = b.len().max(a.len());
                let (mut bi, mut ai) = (b.iter_mut(), a.iter_mut());
                for _ in 0..n {
                    self.redact_pair(bi.next(), ai.next());
                }
            }
            (b, a) => {
                for v in [b, a].into_iter().flatten() {
                    self.redact_value(v);
                }
            }
        }
    }

    /// Redacts meta: a sensitive key's value is hidden even when null, and so is every
    /// sensitive value nested in the others.
    pub fn redact_meta(&self, meta: &mut serde_json::Map<String, Value>) {
        for (k, v) in meta.iter_mut() {
            if self.is_sensitive(k) {
                *v = Value::String(REDACTED.to_owned());
            } else {
                self.redact_value(v);
            }
        }
    }

    /// Redacts an event held as a JSON object (the stored entry, decoded as plain JSON): its
    /// before, after and meta, as `apply` does.
    pub fn apply_to_json(&self, event: &mut Value) {
        let Some(obj) = event.as_object_mut() else {
            return;
        };
        let mut before = obj.remove("before");
        let mut after = obj.remove("after");
        self.redact_pair(before.as_mut(), after.as_mut());
        for (key, v) in [("before", before), ("after", after)] {
            if let Some(v) = v {
                obj.insert(key.to_owned(), v);
            }
        }
        if let Some(Value::Object(meta)) = obj.get_mut("meta") {
            self.redact_meta(meta);
        }
    }

    /// Whether canonical entry text (or one of its fields) may hold a sensitive key, judged from
    /// its bytes: a key is `"…":` in canonical JSON, so a fragment followed by the rest of a key
    /// and `":` is one. Canonical JSON escapes no letters, so a key cannot hide a fragment; the
    /// escapes it writes for `"`, `\` and control characters count as what folding drops.
    /// It may say yes for an entry that `apply` leaves alone; it never says no for one it
    /// would change.
    pub fn may_touch_entry(&self, entry: &str) -> bool {
        self.key_in_entry.is_match(entry.as_bytes())
    }

    /// Whether `apply` would change the event held as stored entry text: a look at its bytes
    /// first, the event decoded only when it may.
    pub fn touches_entry(&self, entry: &str) -> bool {
        self.may_touch_entry(entry)
            && serde_json::from_str::<Event>(entry).is_ok_and(|e| self.touches(&e))
    }

    /// Whether `apply` would change the event.
    pub fn touches(&self, e: &Event) -> bool {
        e.meta
            .iter()
            .any(|(k, v)| self.is_sensitive(k) || self.value_touched(v))
            || [&e.before, &e.after]
                .into_iter()
                .flatten()
                .any(|v| self.value_touched(v))
    }

    fn value_touched(&self, v: &Value) -> bool {
        match v {
            Value::Object(map) => map
                .iter()
                .any(|(k, v)| (self.is_sensitive(k) && !v.is_null()) || self.value_touched(v)),
            Value::Array(items) => items.iter().any(|i| self.value_touched(i)),
            _ => false,
        }
    }

    /// Hides what the value at a field path may not show: all of it when the path leads to
    /// or into a sensitive key (`meta.api_key`, `after.secret.value`), else the sensitive
    /// values inside it (`after`, `meta`). The one rule for a value read by path.
    pub fn redact_at(&self, path: &str, v: &mut Value) {
        if self.is_sensitive_path(path) {
            if !v.is_null() {
                *v = Value::String(REDACTED.to_owned());
            }
        } else if path == "meta"
            && let Value::Object(meta) = v
        {
            self.redact_meta(meta);
        } else {
            self.redact_value(v);
        }
    }

    /// Group counts (`stats --by`) as a reader without `view_sensitive` may see them: each
    /// value redacted by its field's path, and groups that become equal merged.
    pub fn redact_groups(
        &self,
        names: &[String],
        groups: Vec<(Vec<Value>, u64)>,
    ) -> Vec<(Vec<Value>, u64)> {
        let mut merged: Vec<(Vec<Value>, u64)> = Vec::with_capacity(groups.len());
        let mut index: std::collections::HashMap<String, usize> = Default::default();
        for (mut key, count) in groups {
            for (v, name) in key.iter_mut().zip(names) {
                self.redact_at(name, v);
            }
            let text = serde_json::to_string(&key).unwrap_or_default();
            match index.get(&text) {
                Some(i) => merged[*i].1 += count,
                None => {
                    index.insert(text, merged.len());
                    merged.push((key, count));
                }
            }
        }
        merged
    }

    /// Replaces every sensitive value inside one JSON value (record data).
    pub fn redact_value(&self, v: &mut Value) {
        match v {
            Value::Object(map) => {
                for (k, v) in map.iter_mut() {
                    if self.is_sensitive(k) && !v.is_null() {
                        *v = Value::String(REDACTED.to_owned());
                    } else {
                        self.redact_value(v);
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|i| self.redact_value(i)),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Redactors are kept by their key set: one built again is the one before, and another
    /// set never gets it (the matcher too, which redacts entries' text).
    #[test]
    fn redactors_are_reused_only_for_their_keys() {
        let a = || Redactor::new(&["account_id".to_owned()]).unwrap();
        let b = Redactor::new(&["tenant".to_owned()]).unwrap();
        for r in [a(), a()] {
            assert!(r.is_sensitive("account_id") && !r.is_sensitive("tenant"));
            assert!(r.key_in_entry.is_match(br#"{"account_id":1}"#));
        }
        assert!(b.is_sensitive("tenant") && !b.is_sensitive("account_id"));
        assert!(!b.key_in_entry.is_match(br#"{"account_id":1}"#));
        assert_eq!(a().extra_keys(), ["account_id"]);
    }

    #[test]
    fn spellings_of_a_key_are_one_key() {
        let r = Redactor::builtin();
        for key in [
            "apiKey",
            "ApiKey",
            "API-Key",
            "api key",
            "privateKey",
            "ａｐｉ_ｋｅｙ",
            "Ｐａｓｓｗｏｒｄ",
            "pass\u{200b}word",
            "x-auth-token",
            "client_secret",
        ] {
            assert!(r.is_sensitive(key), "{key}");
            let entry = serde_json::to_string(&json!({ key: 1 })).unwrap();
            assert!(r.may_touch_entry(&entry), "{entry}");
        }
        assert!(!r.is_sensitive("name"));
    }

    proptest::proptest! {
        /// The byte look never says no where the key rule says yes: a key it missed would be
        /// copied out unredacted.
        #[test]
        fn the_byte_look_finds_every_sensitive_key(
            key in "[a-zA-Z_\\-\u{200b}\u{ff21}-\u{ff3a}\u{ff41}-\u{ff5a} ]{0,24}",
            fragment in proptest::sample::select(vec!["pin", "password", "Token"]),
            between in proptest::collection::vec("[ _\"\\\\\n\t\u{1}\u{1b}\u{7f}/\u{200b}]{0,2}", 8),
        ) {
            let r = Redactor::new(&["pin".to_owned()]).unwrap();
            // A fragment with what folding drops between its letters (quotes, backslashes and
            // control characters, which canonical JSON escapes), inside the key.
            let spread: String = fragment
                .chars()
                .zip(between.iter().cycle())
                .map(|(c, gap)| format!("{gap}{c}"))
                .collect();
            let (head, tail) = key.split_at(key.char_indices().nth(key.chars().count() / 2).map_or(0, |(i, _)| i));
            for key in [key.clone(), format!("{head}{spread}{tail}")] {
                if r.is_sensitive(&key) {
                    let entry = String::from_utf8(crate::model::canonical_value(&json!({ key.clone(): 1 }))).unwrap();
                    proptest::prop_assert!(r.may_touch_entry(&entry), "{}", entry);
                }
            }
        }
    }

    proptest::proptest! {
        /// The one-pass matcher says what the rule says: a key is sensitive when its folded
        /// form holds a folded fragment, keys longer than the stack buffer included.
        #[test]
        fn a_key_is_sensitive_when_its_folded_form_holds_a_fragment(
            head in "[a-zA-Z0-9_\\-\u{200b}\u{ff21}-\u{ff3a} ]{0,60}",
            inside in proptest::option::of(proptest::sample::select(
                vec!["password", "Api-Key", "ｔｏｋｅｎ", "sec\u{200b}ret", "PIN"],
            )),
            tail in "[a-zA-Z0-9_\\-\u{200b}\u{ff21}-\u{ff3a} ]{0,60}",
            extra in proptest::collection::vec("[a-zA-Z_]{1,6}", 0..6),
        ) {
            let key = format!("{head}{}{tail}", inside.unwrap_or_default());
            let r = Redactor::new(&extra).unwrap();
            let folded = folded_key(&key);
            let expected = BUILTIN_KEYS
                .iter()
                .map(|k| k.to_string())
                .chain(extra)
                .map(|f| folded_key(&f))
                .any(|f| !f.is_empty() && folded.contains(&f));
            proptest::prop_assert_eq!(r.is_sensitive(&key), expected, "{}", key);
        }
    }

    #[test]
    fn marker_paths_name_the_first_marker() {
        let e: Event = serde_json::from_value(json!({
            "time": "2026-01-01T00:00:00Z", "user": "a", "action": "UPDATE",
            "before": {"n": [1, {"x": "redacted"}]},
            "after": {"n": [1, {"x": "ok"}, {"y": [REDACTED_CHANGED]}]},
            "meta": {"token": REDACTED}
        }))
        .unwrap();
        assert_eq!(
            marker_path(&e),
            Some(("after.n[2].y[0]".to_owned(), REDACTED_CHANGED))
        );
        let mut e = e;
        e.after = None;
        assert_eq!(marker_path(&e), Some(("meta.token".to_owned(), REDACTED)));
        e.meta.clear();
        assert_eq!(marker_path(&e), None);
    }

    #[test]
    fn sensitive_keys_at_any_depth() {
        let mut e: Event = serde_json::from_value(json!({
            "time": "2026-01-01T00:00:00Z", "user": "a", "action": "UPDATE",
            "before": {"url": "u", "Secret": "s1", "auth": {"api_key": "k", "n": [{"password": "p"}]}},
            "after": "text password=x stays text",
            "meta": {"session_token": "t", "customer_pin": "1", "ok": "v"}
        }))
        .unwrap();
        let r = Redactor::new(&["pin".to_owned()]).unwrap();
        let entry = String::from_utf8(e.canonical_bytes()).unwrap();
        assert!(r.may_touch_entry(&entry));
        assert!(!r.may_touch_entry(r#"{"user":"ci-deploy-token","meta":{"a":"secret value"}}"#));
        assert!(r.may_touch_entry(r#"{"after":{"Client_Secret":"x"}}"#));
        r.apply(&mut e);
        assert_eq!(
            e.before,
            Some(
                json!({"url": "u", "Secret": "[redacted]", "auth": {"api_key": "[redacted]", "n": [{"password": "[redacted]"}]}})
            )
        );
        assert_eq!(e.meta["session_token"], json!("[redacted]"));
        assert_eq!(e.meta["customer_pin"], json!("[redacted]"));
        assert_eq!(e.meta["ok"], json!("v"));
    }

    #[test]
    fn changed_secrets_still_show_as_changes() {
        let r = Redactor::new(&[]).unwrap();
        let mut before =
            json!({"name": "a", "password": "hunter2", "token": "same", "n": [{"secret": 1}]});
        let mut after = json!({"name": "b", "password": "hunter3", "token": "same", "n": [{"secret": 2}], "api_key": "k"});
        r.redact_pair(Some(&mut before), Some(&mut after));
        assert_eq!(
            before,
            json!({"name": "a", "password": "[redacted]", "token": "[redacted]", "n": [{"secret": "[redacted]"}]})
        );
        assert_eq!(
            after,
            json!({"name": "b", "password": "[redacted, changed]", "token": "[redacted]", "n": [{"secret": "[redacted, changed]"}], "api_key": "[redacted]"})
        );
    }

    #[test]
    fn keys_are_found_past_escapes() {
        let r = Redactor::new(&[]).unwrap();
        assert!(
            !r.may_touch_entry(r#"{"a":"x\":password","b":1}"#),
            "an escaped quote ends no key"
        );
        assert!(r.may_touch_entry(r#"{"a":"c:\\","password":1}"#));
        assert!(!r.may_touch_entry(r#"{"user":"token","n":[1,2]}"#));
    }

    use proptest::prelude::*;

    fn value() -> impl Strategy<Value = Value> {
        let key = prop_oneof![
            Just("password".to_owned()),
            Just("My_Token".to_owned()),
            Just("a\"b".to_owned()),
            Just("x\\".to_owned()),
            Just("pin".to_owned()),
            "[a-z\"\\:]{0,4}",
        ];
        let leaf = prop_oneof![
            Just(Value::Null),
            "[a-z\"\\:]{0,6}".prop_map(Value::from),
            any::<i8>().prop_map(Value::from),
        ];
        leaf.prop_recursive(3, 20, 4, move |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
                prop::collection::btree_map(key.clone(), inner, 0..4)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        /// The byte check never says no for an event that redaction would change.
        #[test]
        fn may_touch_never_misses(before in value(), after in value()) {
            let mut e: Event = serde_json::from_value(json!({
                "time": "2026-01-01T00:00:00Z", "user": "a", "action": "UPDATE",
                "before": before, "after": after,
            }))
            .unwrap();
            e.normalize().unwrap();
            let r = Redactor::new(&["pin".to_owned()]).unwrap();
            let entry = String::from_utf8(e.canonical_bytes()).unwrap();
            if r.touches(&e) {
                prop_assert!(r.may_touch_entry(&entry), "{}", entry);
            }
        }
    }
}

//! Full-text search: the terms of an event, and how a search text matches them. The store's
//! FTS5 index, the in-memory scan of JSON Lines files and `verify` all take their terms from
//! here, so that they agree exactly.
//!
//! A term is a word (a run of letters and digits) or a compound: words joined by `-`, `_`,
//! `.`, `:`, `/` or `@`, as in ids (`wh-8`, `p_24`), IP addresses, e-mail addresses and ARNs.
//! A compound is indexed whole and by its words, so `wh-8` finds `wh-8` and not `wh-13`, while
//! `alice` still finds `alice@example.com`. Terms are lower-case. Values under sensitive keys
//! (`redact`) are never indexed, so a search cannot confirm a guessed secret.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::model::Event;
use crate::redact::Redactor;

/// The characters that join the words of a compound term.
const JOINERS: [char; 6] = ['-', '_', '.', ':', '/', '@'];

/// The FTS5 tokenizer of the store. Documents are written as their terms separated by spaces;
/// `ascii` with the joiners as token characters splits them back exactly as written (it keeps
/// non-ASCII characters as they are, and terms hold no other ASCII), so the index holds exactly
/// the terms of [`terms`].
pub const FTS_TOKENIZER: &str = "ascii tokenchars '-_.:/@'";

/// Terms longer than this, in bytes as written (lower-casing may lengthen them), are not
/// indexed (a blob of base64, a minified document).
pub const MAX_TERM: usize = 200;

fn is_term_char(c: char) -> bool {
    c.is_alphanumeric() || JOINERS.contains(&c)
}

/// Calls `each` with every term of `text`, in order, repeats included.
pub fn for_each_term(text: &str, each: &mut dyn FnMut(&str)) {
    for_each_term_bytes(text, &mut |t| {
        each(std::str::from_utf8(t).expect("terms are cut at character boundaries"))
    });
}

/// `for_each_term`, each term given as its UTF-8 bytes (what the index and `verify` hash).
pub fn for_each_term_bytes(text: &str, each: &mut dyn FnMut(&[u8])) {
    if text.is_ascii() {
        ascii_terms(text.as_bytes(), each);
    } else {
        char_terms(text, &mut |t| each(t.as_bytes()));
    }
}

/// `for_each_term` on characters, for any text.
fn char_terms(text: &str, each: &mut dyn FnMut(&str)) {
    let mut buf = String::new();
    for chunk in text.split(|c: char| !is_term_char(c)) {
        let chunk = chunk.trim_matches(&JOINERS[..]);
        if chunk.is_empty() {
            continue;
        }
        let compound = chunk.contains(&JOINERS[..]);
        if compound && chunk.len() <= MAX_TERM {
            lower_into(chunk, &mut buf);
            each(&buf);
        }
        let words: &mut dyn Iterator<Item = &str> = if compound {
            &mut chunk.split(&JOINERS[..]).filter(|w| !w.is_empty())
        } else {
            &mut std::iter::once(chunk)
        };
        for word in words {
            if word.len() <= MAX_TERM {
                lower_into(word, &mut buf);
                each(&buf);
            }
        }
    }
}

fn lower_into(text: &str, buf: &mut String) {
    buf.clear();
    if text.is_ascii() {
        buf.push_str(text);
        buf.make_ascii_lowercase();
    } else {
        // Lower-casing may make a character that is neither a letter nor a digit (the combining
        // dot of 'İ'): it is dropped, so that a term typed in a search is found as it is.
        buf.extend(
            text.chars()
                .flat_map(char::to_lowercase)
                .filter(|c| is_term_char(*c)),
        );
    }
}

/// What each ASCII byte is to the tokenizer: 0 a separator, 1 a letter or digit, 2 a joiner.
const ASCII_CLASS: [u8; 128] = {
    let mut class = [0u8; 128];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        class[b] = if c.is_ascii_alphanumeric() {
            1
        } else if matches!(c, b'-' | b'_' | b'.' | b':' | b'/' | b'@') {
            2
        } else {
            0
        };
        b += 1;
    }
    class
};

fn is_joiner_byte(b: u8) -> bool {
    ASCII_CLASS[usize::from(b & 0x7f)] == 2
}

/// `for_each_term` for ASCII text, on bytes: most of what is indexed, and the hot loop of
/// imports and of `verify`.
fn ascii_terms(text: &[u8], each: &mut dyn FnMut(&[u8])) {
    let mut buf = [0u8; MAX_TERM];
    let mut emit = |part: &[u8], each: &mut dyn FnMut(&[u8])| {
        let lower = &mut buf[..part.len()];
        lower.copy_from_slice(part);
        lower.make_ascii_lowercase();
        each(lower);
    };
    let is_term = |b: u8| ASCII_CLASS[usize::from(b & 0x7f)] != 0;
    let mut i = 0;
    while i < text.len() {
        while i < text.len() && !is_term(text[i]) {
            i += 1;
        }
        let start = i;
        let mut joiners = false;
        while i < text.len() && is_term(text[i]) {
            joiners |= is_joiner_byte(text[i]);
            i += 1;
        }
        let mut chunk = &text[start..i];
        if !joiners {
            if !chunk.is_empty() && chunk.len() <= MAX_TERM {
                emit(chunk, each);
            }
            continue;
        }
        while let [first, rest @ ..] = chunk
            && is_joiner_byte(*first)
        {
            chunk = rest;
        }
        while let [rest @ .., last] = chunk
            && is_joiner_byte(*last)
        {
            chunk = rest;
        }
        if chunk.is_empty() {
            continue;
        }
        let compound = chunk.iter().any(|b| is_joiner_byte(*b));
        if chunk.len() <= MAX_TERM {
            emit(chunk, each);
        }
        if compound {
            for word in chunk.split(|b| is_joiner_byte(*b)) {
                if !word.is_empty() && word.len() <= MAX_TERM {
                    emit(word, each);
                }
            }
        }
    }
}

/// The distinct terms of `text`.
pub fn terms(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for_each_term(text, &mut |t| {
        if !out.contains(t) {
            out.insert(t.to_owned());
        }
    });
    out
}

/// Calls `each` with every piece of an event's text that search looks in: message, user,
/// table, resource_id, ip, service, origin, operation, and the keys and values of meta and of
/// the before/after data, except the values under keys `sensitive` names. The terms of the
/// pieces are what the index holds. `entry_pieces` gives the same pieces from a stored entry's
/// text, for `verify`: a piece added here goes there too (its property test compares them).
pub fn for_each_piece(e: &Event, sensitive: &Redactor, each: &mut dyn FnMut(&str)) {
    for part in [
        Some(e.message.as_str()),
        Some(e.user.as_str()),
        e.table.as_deref(),
        e.resource_id.as_deref(),
        e.ip.as_deref(),
        e.service.as_deref(),
        e.origin.as_deref(),
        e.operation.as_deref(),
    ]
    .into_iter()
    .flatten()
    {
        each(part);
    }
    object_pieces(&e.meta, sensitive, each);
    for v in [&e.before, &e.after].into_iter().flatten() {
        value_pieces(v, sensitive, each);
    }
}

/// Calls `each` with the pieces [`for_each_piece`] leaves out: the values under the keys
/// `sensitive` names, at any depth, and everything within them.
pub fn for_each_hidden_piece(e: &Event, sensitive: &Redactor, each: &mut dyn FnMut(&str)) {
    fn hidden(
        map: &serde_json::Map<String, Value>,
        sensitive: &Redactor,
        each: &mut dyn FnMut(&str),
    ) {
        for (k, v) in map {
            if sensitive.is_sensitive(k) {
                all(v, each);
            } else {
                within(v, sensitive, each);
            }
        }
    }
    fn within(v: &Value, sensitive: &Redactor, each: &mut dyn FnMut(&str)) {
        match v {
            Value::Array(items) => items.iter().for_each(|i| within(i, sensitive, each)),
            Value::Object(map) => hidden(map, sensitive, each),
            _ => {}
        }
    }
    fn all(v: &Value, each: &mut dyn FnMut(&str)) {
        match v {
            Value::Null => {}
            Value::Bool(b) => each(if *b { "true" } else { "false" }),
            Value::Number(n) => each(&crate::model::number_text(n)),
            Value::String(s) => each(s),
            Value::Array(items) => items.iter().for_each(|i| all(i, each)),
            Value::Object(map) => map.iter().for_each(|(k, v)| {
                each(k);
                all(v, each);
            }),
        }
    }
    hidden(&e.meta, sensitive, each);
    for v in [&e.before, &e.after].into_iter().flatten() {
        within(v, sensitive, each);
    }
}

/// The pieces of [`for_each_piece`] as one text.
pub fn document(e: &Event, sensitive: &Redactor) -> String {
    let mut doc = String::with_capacity(256);
    for_each_piece(e, sensitive, &mut |piece| {
        doc.push_str(piece);
        doc.push(' ');
    });
    doc
}

/// Calls `each` with every term of an event's searchable pieces, repeats included.
pub fn for_each_event_term(e: &Event, sensitive: &Redactor, each: &mut dyn FnMut(&[u8])) {
    for_each_piece(e, sensitive, &mut |piece| for_each_term_bytes(piece, each));
}

fn object_pieces(
    map: &serde_json::Map<String, Value>,
    sensitive: &Redactor,
    each: &mut dyn FnMut(&str),
) {
    for (k, v) in map {
        each(k);
        if !sensitive.is_sensitive(k) {
            value_pieces(v, sensitive, each);
        }
    }
}

fn value_pieces(v: &Value, sensitive: &Redactor, each: &mut dyn FnMut(&str)) {
    match v {
        Value::Null => {}
        Value::Bool(b) => each(if *b { "true" } else { "false" }),
        // As the stored entry has it: `10.0` is kept as `10`, and found as that.
        Value::Number(n) => each(&crate::model::number_text(n)),
        Value::String(s) => each(s),
        Value::Array(items) => items.iter().for_each(|i| value_pieces(i, sensitive, each)),
        Value::Object(map) => object_pieces(map, sensitive, each),
    }
}

/// One term a search asks for: the whole term, or any term that starts with it (`word*`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wanted {
    pub term: String,
    pub prefix: bool,
}

/// The terms a search text asks for, each required. What a user types is taken as whole
/// terms: `wh-8` asks for the compound, not its words; a trailing `*` makes a prefix
/// (`10.20.1.*`, `wh-*`).
pub fn wanted(query: &str) -> Vec<Wanted> {
    let mut out: Vec<Wanted> = Vec::new();
    let mut rest = query;
    while !rest.is_empty() {
        let start = rest.find(is_term_char).unwrap_or(rest.len());
        rest = &rest[start..];
        let end = rest.find(|c| !is_term_char(c)).unwrap_or(rest.len());
        let (chunk, after) = rest.split_at(end);
        rest = after;
        let prefix = after.starts_with('*');
        let chunk = chunk.trim_start_matches(&JOINERS[..]);
        let chunk = if prefix {
            chunk
        } else {
            chunk.trim_end_matches(&JOINERS[..])
        };
        if chunk.is_empty() {
            continue;
        }
        let mut term = String::new();
        lower_into(chunk, &mut term);
        let w = Wanted { term, prefix };
        if !out.contains(&w) {
            out.push(w);
        }
    }
    out
}

/// Whether an event with `doc` (from [`document`]) holds every term `query` asks for.
pub fn matches(doc: &str, query: &str) -> bool {
    let wanted = wanted(query);
    if wanted.is_empty() {
        return true;
    }
    let mut found = vec![false; wanted.len()];
    for_each_term(doc, &mut |t| {
        for (i, w) in wanted.iter().enumerate() {
            if if w.prefix {
                t.starts_with(&w.term)
            } else {
                t == w.term
            } {
                found[i] = true;
            }
        }
    });
    found.into_iter().all(|f| f)
}

/// The FTS5 MATCH expression for a search: each term quoted (so no FTS syntax leaks through;
/// terms hold no quotes), all required. `None` when the search has no terms (it then matches
/// everything).
pub fn fts_query(query: &str) -> Option<String> {
    let quoted: Vec<String> = wanted(query)
        .into_iter()
        .map(|w| format!("\"{}\"{}", w.term, if w.prefix { "*" } else { "" }))
        .collect();
    (!quoted.is_empty()).then(|| quoted.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn all(text: &str) -> Vec<String> {
        let mut v = Vec::new();
        for_each_term(text, &mut |t| v.push(t.to_owned()));
        v
    }

    #[test]
    fn compounds_are_terms_whole_and_by_their_words() {
        assert_eq!(all("Webhook wh-8."), ["webhook", "wh-8", "wh", "8"]);
        assert_eq!(
            all("from 10.20.1.15, by Alice@Example.com"),
            [
                "from",
                "10.20.1.15",
                "10",
                "20",
                "1",
                "15",
                "by",
                "alice@example.com",
                "alice",
                "example",
                "com"
            ]
        );
        assert_eq!(all("--flag __init__ ::1"), ["flag", "init", "1"]);
        assert_eq!(all("Grüße aus KÖLN"), ["grüße", "aus", "köln"]);
        assert!(all(&"x".repeat(MAX_TERM + 1)).is_empty());
    }

    #[test]
    fn searches_take_what_is_typed_as_whole_terms() {
        let doc = "policy p-24 changed by alice@example.com from 10.20.1.15 wh-8";
        assert!(matches(doc, "p-24"));
        assert!(!matches(doc, "p-2"));
        assert!(matches(doc, "p-2*"));
        assert!(matches(doc, "P-24 ALICE"));
        assert!(matches(doc, "10.20.1.15"));
        assert!(matches(doc, "10.20.1.*"));
        assert!(!matches(doc, "10.20.10.*"));
        assert!(matches(doc, "alice@example.com"));
        assert!(!matches(doc, "wh-13"));
        assert!(matches(doc, "(wh-8),"));
        assert!(matches(doc, "  "));
        assert_eq!(
            fts_query("a \"b\" OR c* 10.20.1.*"),
            Some("\"a\" \"b\" \"or\" \"c\"* \"10.20.1.\"*".into())
        );
    }

    #[test]
    fn sensitive_values_are_not_in_the_document() {
        let e: Event = serde_json::from_value(serde_json::json!({
            "id": "1", "time": "2026-11-20T10:00:00Z", "user": "u", "action": "UPDATE",
            "ip": "10.1.2.3",
            "meta": {"api_key": "k-123", "region": "eu"},
            "after": {"config": {"secret": "hunter2", "url": "https://x.example"}}
        }))
        .unwrap();
        let doc = document(&e, Redactor::builtin());
        assert!(doc.contains("10.1.2.3") && doc.contains("api_key") && doc.contains("secret"));
        assert!(!doc.contains("k-123") && !doc.contains("hunter2"), "{doc}");
        assert!(doc.contains("https://x.example"));
    }

    proptest! {
        #[test]
        fn the_ascii_path_splits_as_the_general_one(text in "[ -~]{0,80}") {
            let mut general = Vec::new();
            char_terms(&text, &mut |t| general.push(t.to_owned()));
            prop_assert_eq!(all(&text), general);
        }

        /// Every term is made only of characters the FTS tokenizer keeps together, so the index
        /// holds exactly the terms made here; and a term searched for is found.
        #[test]
        fn terms_survive_the_tokenizer(text in "\\PC{0,60}") {
            for_each_term(&text, &mut |t| {
                assert!(!t.is_empty());
                assert!(t.chars().all(|c| !c.is_ascii() || c.is_ascii_lowercase()
                    || c.is_ascii_digit() || JOINERS.contains(&c)), "{t:?}");
                assert!(matches(&text, t), "{t:?} in {text:?}");
            });
        }
    }
}

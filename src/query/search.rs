//! Full-text search: the searchable text of an event and the word matching that FTS5 (in the
//! store) and the in-memory scan (JSON Lines) both follow, so that the two agree.

use serde_json::Value;

use crate::model::Event;

/// The FTS5 tokenizer the store declares; `words` below splits text the same way.
pub const FTS_TOKENIZER: &str = "unicode61 remove_diacritics 0";

/// The text that `search(...)` looks in: message, user, table, resource_id, and the keys and
/// values of meta and of the before/after data.
pub fn document(e: &Event) -> String {
    let mut doc = String::with_capacity(256);
    for part in [
        Some(e.message.as_str()),
        Some(e.user.as_str()),
        e.table.as_deref(),
        e.resource_id.as_deref(),
    ]
    .into_iter()
    .flatten()
    {
        doc.push_str(part);
        doc.push(' ');
    }
    for (k, v) in &e.meta {
        doc.push_str(k);
        doc.push(' ');
        push_value(&mut doc, v);
    }
    for v in [&e.before, &e.after].into_iter().flatten() {
        push_value(&mut doc, v);
    }
    doc
}

fn push_value(doc: &mut String, v: &Value) {
    match v {
        Value::Null => {}
        Value::Bool(b) => {
            doc.push_str(if *b { "true " } else { "false " });
        }
        Value::Number(n) => {
            doc.push_str(&n.to_string());
            doc.push(' ');
        }
        Value::String(s) => {
            doc.push_str(s);
            doc.push(' ');
        }
        Value::Array(items) => items.iter().for_each(|i| push_value(doc, i)),
        Value::Object(map) => {
            for (k, v) in map {
                doc.push_str(k);
                doc.push(' ');
                push_value(doc, v);
            }
        }
    }
}

/// Splits text into lower-case words the way the `unicode61` tokenizer does: runs of letters
/// and digits, everything else separates.
pub fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
}

/// Whether every word of `query` occurs as a word of `doc`.
pub fn matches(doc: &str, query: &str) -> bool {
    let wanted: Vec<String> = words(query).collect();
    if wanted.is_empty() {
        return true;
    }
    let mut found = vec![false; wanted.len()];
    for w in words(doc) {
        for (i, q) in wanted.iter().enumerate() {
            if *q == w {
                found[i] = true;
            }
        }
    }
    found.into_iter().all(|f| f)
}

/// The FTS5 MATCH expression for a query: each word quoted (so no FTS syntax leaks through),
/// all required. `None` when the query has no words (it then matches everything).
pub fn fts_query(query: &str) -> Option<String> {
    let quoted: Vec<String> = words(query).map(|w| format!("\"{w}\"")).collect();
    (!quoted.is_empty()).then(|| quoted.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_matching() {
        assert!(matches("Updated ingress_id 42 on host", "ingress 42"));
        assert!(matches("Grüße aus Köln", "köln"));
        assert!(!matches("ingress42", "ingress"));
        assert!(matches("anything", "  "));
        assert_eq!(
            fts_query("a \"b\" OR c*"),
            Some("\"a\" \"b\" \"or\" \"c\"".into())
        );
    }
}

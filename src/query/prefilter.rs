//! A byte-level pre-check for scans of JSON Lines: text that a line must contain for an
//! expression to have any chance of matching it, so that most lines are skipped unparsed.
//! It may let through lines that do not match (the matcher decides); it never drops one that
//! does.

use memchr::memmem::Finder;

use super::ast::{CmpOp, Expr, Field, Literal};

/// For each AND-ed part that allows it, the texts of which a matching line holds at least one.
pub struct Prefilter {
    required: Vec<Vec<Finder<'static>>>,
    escape: Finder<'static>,
}

impl Prefilter {
    pub fn new(expr: &Expr) -> Prefilter {
        let mut required = Vec::new();
        collect(expr, &mut required);
        Prefilter {
            required: required
                .into_iter()
                .map(|alts| {
                    alts.into_iter()
                        .map(|t| Finder::new(t.as_bytes()).into_owned())
                        .collect()
                })
                .collect(),
            escape: Finder::new(b"\\u").into_owned(),
        }
    }

    /// Whether the raw line may match.
    pub fn may_match(&self, line: &[u8]) -> bool {
        if self.required.is_empty() {
            return true;
        }
        // A `\uXXXX` escape can spell a value in other bytes: let the parser decide.
        if self.escape.find(line).is_some() {
            return true;
        }
        self.required
            .iter()
            .all(|alts| alts.iter().any(|f| f.find(line).is_some()))
    }
}

/// Fields whose value appears in the line exactly as the JSON-escaped text it compares with
/// (not `action` or `outcome`, whose case the store normalises).
fn exact_text_field(f: &Field) -> bool {
    matches!(
        f,
        Field::Id
            | Field::User
            | Field::UserType
            | Field::Operation
            | Field::Service
            | Field::Origin
            | Field::Table
            | Field::ResourceId
            | Field::Reverts
    )
}

/// The text of a string value as it appears between the quotes of a JSON string.
fn json_text(s: &str) -> Option<String> {
    let quoted = serde_json::to_string(s).ok()?;
    Some(format!("\"{}\"", &quoted[1..quoted.len() - 1]))
}

fn collect(expr: &Expr, out: &mut Vec<Vec<String>>) {
    match expr {
        Expr::And(parts) => parts.iter().for_each(|p| collect(p, out)),
        Expr::Compare {
            field,
            op: CmpOp::Eq,
            value: Literal::String(s),
        } if exact_text_field(field) => out.extend(json_text(s).map(|t| vec![t])),
        Expr::In { field, values } if exact_text_field(field) && !values.is_empty() => {
            let texts: Option<Vec<String>> = values
                .iter()
                .map(|v| match v {
                    Literal::String(s) => json_text(s),
                    _ => None,
                })
                .collect();
            out.extend(texts);
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::parse;

    fn pre(text: &str) -> Prefilter {
        Prefilter::new(&parse(text, chrono::Utc::now()).unwrap())
    }

    #[test]
    fn skips_only_lines_that_cannot_match() {
        let p = pre("user in [alice, bob] and table = \"a\\\"b\"");
        assert!(p.may_match(br#"{"user":"alice","table":"a\"b"}"#));
        assert!(!p.may_match(br#"{"user":"carol","table":"a\"b"}"#));
        assert!(!p.may_match(br#"{"user":"alice","table":"ab"}"#));
        assert!(p.may_match(br#"{"user":"\u0061lice","table":"a\"b"}"#));
        assert!(pre("user = alice or user = bob").may_match(b"{}"));
        assert!(pre("not user = alice").may_match(br#"{"user":"carol"}"#));
    }
}

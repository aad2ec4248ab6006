//! A byte-level pre-check for scans of JSON Lines: text that a line must contain for an
//! expression to have any chance of matching it, so that most lines are skipped unparsed.
//! It may let through lines that do not match (the matcher decides); it never drops one that
//! does.

use memchr::memmem::Finder;

use super::ast::{CmpOp, Expr, Field, Literal};

/// For each AND-ed part that allows it, the texts of which a matching line holds at least one.
pub struct Prefilter {
    required: Vec<Vec<Needle>>,
    escape: Finder<'static>,
}

/// A text a line must hold: as it is, or in any ASCII case (an action, which the store
/// upper-cases: `"action":" update "` is an UPDATE).
enum Needle {
    Exact(Box<Finder<'static>>),
    AnyCase(Vec<u8>),
}

impl Needle {
    fn is_in(&self, line: &[u8]) -> bool {
        match self {
            Needle::Exact(f) => f.find(line).is_some(),
            Needle::AnyCase(text) => {
                let Some(&first) = text.first() else {
                    return true;
                };
                let (lower, upper) = (first.to_ascii_lowercase(), first.to_ascii_uppercase());
                memchr::memchr2_iter(lower, upper, line).any(|i| {
                    line.get(i..i + text.len())
                        .is_some_and(|at| at.eq_ignore_ascii_case(text))
                })
            }
        }
    }
}

impl Prefilter {
    pub fn new(expr: &Expr) -> Prefilter {
        let mut exact = Vec::new();
        collect(expr, &mut exact);
        let mut required: Vec<Vec<Needle>> = exact
            .into_iter()
            .map(|alts| {
                alts.into_iter()
                    .map(|t| Needle::Exact(Box::new(Finder::new(t.as_bytes()).into_owned())))
                    .collect()
            })
            .collect();
        // Checked last: a search in any case is the slower one.
        let mut actions = Vec::new();
        collect_actions(expr, &mut actions);
        required.extend(actions.into_iter().map(|alts| {
            alts.into_iter()
                .map(|t| Needle::AnyCase(t.into_bytes()))
                .collect()
        }));
        Prefilter {
            required,
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
            .all(|alts| alts.iter().any(|n| n.is_in(line)))
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

/// For each AND-ed `action = X` or `action in (…)`, the actions of which a matching line
/// holds one, in any case (the store trims and upper-cases an action; only ASCII letters,
/// digits, `_` and `-` make one, so its text is in the line as it is, but for case).
fn collect_actions(expr: &Expr, out: &mut Vec<Vec<String>>) {
    let text = |v: &Literal| match v {
        Literal::String(s) => {
            let t = s.trim();
            (!t.is_empty()
                && t.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-'))
            .then(|| t.to_owned())
        }
        _ => None,
    };
    match expr {
        Expr::And(parts) => parts.iter().for_each(|p| collect_actions(p, out)),
        Expr::Compare {
            field: Field::Action,
            op: CmpOp::Eq,
            value,
        } => out.extend(text(value).map(|t| vec![t])),
        Expr::In {
            field: Field::Action,
            values,
        } if !values.is_empty() => {
            let texts: Option<Vec<String>> = values.iter().map(text).collect();
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

    #[test]
    fn actions_are_looked_for_in_any_case() {
        let p = pre("user = alice and action = UPDATE");
        assert!(p.may_match(br#"{"user":"alice","action":"update"}"#));
        assert!(p.may_match(br#"{"user":"alice","action":" UpDate "}"#));
        assert!(!p.may_match(br#"{"user":"alice","action":"DELETE"}"#));
        let p = pre("action in [create, Delete]");
        assert!(p.may_match(br#"{"action":"delete"}"#));
        assert!(p.may_match(br#"{"action":"CREATE"}"#));
        assert!(!p.may_match(br#"{"action":"LOGIN"}"#));
        // What no action can be leaves the line to the parser.
        assert!(pre("action = \"up date\"").may_match(br#"{"action":"LOGIN"}"#));
        assert!(pre("not action = update").may_match(br#"{"action":"LOGIN"}"#));
    }

    proptest::proptest! {
        /// A line whose event matches is never skipped, whatever the case of its action.
        #[test]
        fn a_matching_line_is_never_skipped(
            asked in "[a-zA-Z_-]{1,8}",
            flips in proptest::collection::vec(proptest::bool::ANY, 8),
            pad in "[ \t]{0,2}",
        ) {
            // The same action in another case, letter by letter.
            let action: String = asked
                .chars()
                .zip(&flips)
                .map(|(c, &flip)| if flip { c.to_ascii_uppercase() } else { c.to_ascii_lowercase() })
                .collect();
            let line = format!(r#"{{"user":"u","action":"{pad}{action}{pad}"}}"#);
            // Quoted: an unquoted `or`, `in`, `not`… is a word of the language, not a value.
            for filter in [format!("action = \"{asked}\""), format!("action in [\"{asked}\"]")] {
                proptest::prop_assert!(pre(&filter).may_match(line.as_bytes()), "{}", filter);
            }
        }
    }
}

//! Which parts of a filter look at sensitive values: a reader who may not see those values may
//! not filter on them either, or a yes-or-no answer would give them away one guess at a time.

use super::ast::{Expr, Field, Path, Segment};
use crate::redact::Redactor;

/// Whether any key of `path` is one `redactor` hides.
fn touches(path: &[Segment], redactor: &Redactor) -> bool {
    path.iter()
        .any(|s| matches!(s, Segment::Key(k) if redactor.is_sensitive(k)))
}

/// The data part of a field, if it has one.
fn data_path(field: &Field) -> Option<&Path> {
    match field {
        Field::Before(p) | Field::After(p) | Field::Meta(p) => Some(p),
        _ => None,
    }
}

/// The paths of `expr` that need the `view_sensitive` scope, by name: a comparison, a regular
/// expression, a list or `contains` on a value at or inside a sensitive key
/// (`after.password = …`, `meta.api_key ~ …`, `after.secret.value = …`); and `has` or
/// `changed` of a path inside one (`has(after.secret.value)`). `has(after.secret)` and
/// `changed(secret)` are not: redacted output shows as much (the key, `[redacted, changed]`).
pub fn sensitive_paths(expr: &Expr, redactor: &Redactor) -> Vec<String> {
    let mut out = Vec::new();
    collect(expr, redactor, &mut out);
    out.dedup();
    out
}

fn collect(expr: &Expr, redactor: &Redactor, out: &mut Vec<String>) {
    match expr {
        Expr::And(parts) | Expr::Or(parts) => {
            for p in parts {
                collect(p, redactor, out);
            }
        }
        Expr::Not(inner) => collect(inner, redactor, out),
        Expr::Compare { field, .. }
        | Expr::Regex { field, .. }
        | Expr::In { field, .. }
        | Expr::Contains { field, .. } => {
            if data_path(field).is_some_and(|p| touches(&p.0, redactor)) {
                out.push(field.name());
            }
        }
        Expr::Has(field) => {
            if let Some(p) = data_path(field)
                && let [inner @ .., _] = p.0.as_slice()
                && touches(inner, redactor)
            {
                out.push(field.name());
            }
        }
        Expr::Changed(p) => {
            if let [inner @ .., _] = p.0.as_slice()
                && touches(inner, redactor)
            {
                out.push(p.to_string());
            }
        }
        Expr::All | Expr::IpIn(_) | Expr::Search(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(text: &str) -> Vec<String> {
        let expr = super::super::parse(text, chrono::Utc::now()).unwrap();
        sensitive_paths(&expr, Redactor::builtin())
    }

    #[test]
    fn values_at_or_inside_sensitive_keys_are_named() {
        assert_eq!(paths(r#"after.secret ~ "^w""#), ["after.secret"]);
        assert_eq!(paths(r#"seq = 3 and meta.api_key = "k""#), ["meta.api_key"]);
        assert_eq!(
            paths(r#"not before.auth.password contains "x""#),
            ["before.auth.password"]
        );
        assert_eq!(
            paths(r#"after.token.value in ["a", "b"]"#),
            ["after.token.value"]
        );
        assert_eq!(paths("has(after.secret.value)"), ["after.secret.value"]);
        assert_eq!(paths("changed(secret.value)"), ["secret.value"]);
    }

    #[test]
    fn what_redacted_output_shows_anyway_is_allowed() {
        assert!(paths("has(after.secret) and changed(password)").is_empty());
        assert!(paths(r#"user = alice and after.plan = "pro" and search("hunter2")"#).is_empty());
    }
}

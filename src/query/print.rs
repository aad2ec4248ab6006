//! An expression back as filter-language text, for sending a filter to a remote server
//! (docs/REMOTE_API.md §5.2, `filter`): `parse(&print(e))` selects the same events as `e`.

use super::ast::{CmpOp, Expr, Field, Literal};
use crate::model;

/// The filter text of an expression.
pub fn print(expr: &Expr) -> String {
    match expr {
        Expr::All => String::new(),
        other => node(other),
    }
}

/// An expression that is always true, and one always false: every event has a seq.
const TRUE: &str = "has(seq)";
const FALSE: &str = "not has(seq)";

fn node(expr: &Expr) -> String {
    match expr {
        Expr::All => TRUE.to_owned(),
        Expr::And(parts) if parts.is_empty() => TRUE.to_owned(),
        Expr::Or(parts) if parts.is_empty() => FALSE.to_owned(),
        Expr::And(parts) => join(parts, " and "),
        Expr::Or(parts) => join(parts, " or "),
        Expr::Not(inner) => format!("not ({})", node(inner)),
        Expr::Compare { field, op, value } => {
            format!(
                "{} {} {}",
                field.name(),
                op.symbol(),
                literal(field, *op, value)
            )
        }
        Expr::Regex {
            field,
            pattern,
            negated,
        } => format!(
            "{} {} {}",
            field.name(),
            if *negated { "!~" } else { "~" },
            quote(pattern)
        ),
        Expr::In { field, values } if values.is_empty() => {
            // `x in []` matches nothing.
            let _ = field;
            FALSE.to_owned()
        }
        Expr::In { field, values } => {
            let items: Vec<String> = values
                .iter()
                .map(|v| literal(field, CmpOp::Eq, v))
                .collect();
            format!("{} in [{}]", field.name(), items.join(", "))
        }
        Expr::IpIn(net) => format!("ip in {net}"),
        Expr::Contains { field, text } => format!("{} contains {}", field.name(), quote(text)),
        Expr::Changed(path) => format!("changed({path})"),
        Expr::Has(field) => format!("has({})", field.name()),
        Expr::Search(text) => format!("search({})", quote(text)),
    }
}

fn join(parts: &[Expr], with: &str) -> String {
    let inner: Vec<String> = parts.iter().map(|p| format!("({})", node(p))).collect();
    inner.join(with)
}

/// A value as the parser reads it back for `field OP value`.
fn literal(field: &Field, _op: CmpOp, value: &Literal) -> String {
    match value {
        Literal::Null => "null".to_owned(),
        Literal::Bool(b) => b.to_string(),
        // Bare, so it reads back as a number wherever the field takes numbers.
        Literal::Number(n) if *field != Field::Time => format_number(*n),
        Literal::Number(n) => quote(&format_number(*n)),
        Literal::String(s) => quote(s),
        Literal::Time(t) => quote(&model::format_time(t)),
    }
}

fn format_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        format!("{}", n as i64)
    } else {
        n.to_string()
    }
}

/// A double-quoted string with the escapes the parser knows.
fn quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::parse;

    fn now() -> chrono::DateTime<chrono::Utc> {
        "2026-11-24T12:00:00Z".parse().unwrap()
    }

    /// Written expressions survive printing and parsing unchanged.
    #[test]
    fn parsed_expressions_print_back() {
        for text in [
            r#"table = "policies" and changed(settings.enabled) and time >= -7d"#,
            r#"user in [alice, "bob smith"] or not (action ~ "^DEL")"#,
            r#"ip in 10.0.0.0/8 and meta.account_id = 1234 and after.plan != null"#,
            r#"message contains "say \"hi\"\n" and has(reverts) and search("mfa reset")"#,
            r#"resource_id = 007 and seq > 10 and outcome != failure"#,
        ] {
            let e = parse(text, now()).unwrap();
            let printed = print(&e);
            assert_eq!(parse(&printed, now()).unwrap(), e, "{text} → {printed}");
        }
        assert_eq!(print(&Expr::All), "");
    }
}

//! The in-memory back end: whether one event matches an expression. Its rules are the contract
//! that `sql.rs` reproduces in SQL (a property test holds the two together):
//!
//! - text fields compare as text; a number or boolean literal compares as its text;
//! - `action` compares case-insensitively, `time` and `seq` by value, `ip` by address;
//! - inside `before`, `after` and `meta`, a number literal matches a JSON number by value and a
//!   JSON string by its text; a string literal matches JSON strings; `true`/`false` match JSON
//!   booleans (equality only);
//! - `null` equals a missing or null field; `!=` is the negation of `=` (so it matches a
//!   missing field), and an ordering never matches a missing field or another type;
//! - `~`, `!~` and `contains` look at text values only; `!~` is the negation of `~`.

use std::cmp::Ordering;
use std::collections::HashMap;
use std::net::IpAddr;

use serde_json::Value;

use super::ast::{CmpOp, Expr, Field, Literal, Path};
use super::search;
use crate::model::{self, Event};
use crate::redact::Redactor;

/// Whether `e` matches `expr`. Regexes are compiled once per expression by `Matcher`.
pub fn matches(expr: &Expr, e: &Event) -> bool {
    Matcher::new(expr, Redactor::builtin()).is_match(e)
}

/// An expression prepared for matching many events: each regex compiled once, found by the
/// address of its node in the tree.
pub struct Matcher<'a> {
    expr: &'a Expr,
    regexes: HashMap<*const Expr, regex::Regex>,
    /// The keys whose values `search(...)` never looks in, as a store's index leaves them out.
    search: &'a Redactor,
}

impl<'a> Matcher<'a> {
    pub fn new(expr: &'a Expr, search: &'a Redactor) -> Self {
        let mut regexes = HashMap::new();
        collect_regexes(expr, &mut regexes);
        Matcher {
            expr,
            regexes,
            search,
        }
    }

    pub fn is_match(&self, e: &Event) -> bool {
        self.eval(self.expr, e)
    }

    fn eval(&self, expr: &Expr, e: &Event) -> bool {
        match expr {
            Expr::All => true,
            Expr::And(parts) => parts.iter().all(|p| self.eval(p, e)),
            Expr::Or(parts) => parts.iter().any(|p| self.eval(p, e)),
            Expr::Not(inner) => !self.eval(inner, e),
            Expr::Compare { field, op, value } => compare(field, *op, value, e),
            Expr::In { field, values } => values.iter().any(|v| compare(field, CmpOp::Eq, v, e)),
            Expr::Regex { field, negated, .. } => {
                let hit = match (self.regexes.get(&(expr as *const Expr)), text_of(field, e)) {
                    (Some(re), Some(text)) => re.is_match(&text),
                    _ => false,
                };
                hit != *negated
            }
            Expr::Contains { field, text } => {
                text_of(field, e).is_some_and(|t| t.contains(text.as_str()))
            }
            Expr::IpIn(net) => {
                let (lo, hi) = ip_range(net);
                parsed_ip(e).is_some_and(|ip| {
                    let k = model::ip_key(&ip);
                    lo <= k && k <= hi
                })
            }
            Expr::Changed(path) => {
                let b = e.before.as_ref().and_then(|v| path.lookup(v));
                let a = e.after.as_ref().and_then(|v| path.lookup(v));
                b != a
            }
            Expr::Has(field) => match json_of(field, e) {
                Some(v) => v.is_some_and(|v| !v.is_null()),
                None => scalar_of(field, e).is_some(),
            },
            Expr::Search(q) => search::matches(&search::document(e, self.search), q),
        }
    }
}

/// Compiles every regex of the tree; a pattern that does not compile (the parser rejects those)
/// matches nothing, as in SQL.
fn collect_regexes(expr: &Expr, out: &mut HashMap<*const Expr, regex::Regex>) {
    match expr {
        Expr::And(parts) | Expr::Or(parts) => parts.iter().for_each(|p| collect_regexes(p, out)),
        Expr::Not(inner) => collect_regexes(inner, out),
        Expr::Regex { field, pattern, .. } => {
            if let Ok(re) = regex::Regex::new(&effective_pattern(field, pattern)) {
                out.insert(expr as *const Expr, re);
            }
        }
        _ => {}
    }
}

/// `action` values compare case-insensitively, regexes included.
pub fn effective_pattern(field: &Field, pattern: &str) -> String {
    if *field == Field::Action {
        format!("(?i){pattern}")
    } else {
        pattern.to_owned()
    }
}

/// The 16-byte key range `[lo, hi]` a network covers (see `model::ip_key`).
pub fn ip_range(net: &ipnet::IpNet) -> ([u8; 16], [u8; 16]) {
    (
        model::ip_key(&net.network()),
        model::ip_key(&net.broadcast()),
    )
}

fn parsed_ip(e: &Event) -> Option<IpAddr> {
    e.ip.as_deref()?.parse().ok()
}

/// The JSON value at a path field (`before.x`, `meta.k`); `None` for a scalar field.
fn json_of<'e>(field: &Field, e: &'e Event) -> Option<Option<&'e Value>> {
    let (root, path): (Option<&Value>, &Path) = match field {
        Field::Before(p) => (e.before.as_ref(), p),
        Field::After(p) => (e.after.as_ref(), p),
        Field::Meta(p) => return Some(lookup_meta(&e.meta, p)),
        _ => return None,
    };
    Some(root.and_then(|v| path.lookup(v)))
}

static EMPTY_OBJECT: std::sync::LazyLock<Value> =
    std::sync::LazyLock::new(|| Value::Object(serde_json::Map::new()));

fn lookup_meta<'e>(meta: &'e serde_json::Map<String, Value>, p: &Path) -> Option<&'e Value> {
    let mut segs = p.0.iter();
    let first = match segs.next() {
        Some(super::ast::Segment::Key(k)) => meta.get(k)?,
        Some(super::ast::Segment::Index(_)) => return None,
        // `meta` itself is an object, never null: it stands in as one, so that it has a value
        // (`has(meta)`) but equals no literal, as in SQL.
        None => return Some(&EMPTY_OBJECT),
    };
    Path(segs.cloned().collect()).lookup(first)
}

/// The text of a scalar field, as the store keeps it; `None` when the field is null.
fn scalar_of(field: &Field, e: &Event) -> Option<String> {
    Some(match field {
        Field::Seq => e.seq?.to_string(),
        Field::Id => e.id.clone(),
        Field::Time => model::format_time(&e.time),
        Field::User => e.user.clone(),
        Field::UserType => e.user_type.clone()?,
        Field::Ip => e.ip.clone()?,
        Field::Action => e.action.clone(),
        Field::Operation => e.operation.clone()?,
        Field::Service => e.service.clone()?,
        Field::Origin => e.origin.clone()?,
        Field::Table => e.table.clone()?,
        Field::ResourceId => e.resource_id.clone()?,
        Field::Message => e.message.clone(),
        Field::Outcome => e.outcome.clone(),
        Field::Reverts => e.reverts.clone()?,
        Field::Before(_) | Field::After(_) | Field::Meta(_) => return None,
    })
}

/// The value of a field as JSON, for grouping: a number for seq, text for the other scalar
/// fields, the JSON value at a path, and null where there is none.
pub fn value_of(field: &Field, e: &Event) -> Value {
    // `meta` whole is the event's attributes (grouped by, printed), not the stand-in that
    // comparisons see (`lookup_meta`).
    if let Field::Meta(p) = field
        && p.0.is_empty()
    {
        return Value::Object(e.meta.clone());
    }
    match (field, json_of(field, e)) {
        (_, Some(v)) => v.cloned().unwrap_or(Value::Null),
        (Field::Seq, None) => e.seq.map_or(Value::Null, Value::from),
        (_, None) => scalar_of(field, e).map_or(Value::Null, Value::String),
    }
}

/// The text a regex or `contains` looks at: a scalar field's text, or a JSON string value.
fn text_of(field: &Field, e: &Event) -> Option<String> {
    match json_of(field, e) {
        Some(v) => v.and_then(Value::as_str).map(str::to_owned),
        None => scalar_of(field, e),
    }
}

/// The text a literal compares as against a text field.
pub fn literal_text(lit: &Literal) -> Option<String> {
    match lit {
        Literal::Null => None,
        Literal::Bool(b) => Some(b.to_string()),
        Literal::Number(n) => Some(n.to_string()),
        Literal::String(s) => Some(s.clone()),
        Literal::Time(t) => Some(model::format_time(t)),
    }
}

fn holds(op: CmpOp, ord: Ordering) -> bool {
    match op {
        CmpOp::Eq => ord == Ordering::Equal,
        CmpOp::Ne => ord != Ordering::Equal,
        CmpOp::Lt => ord == Ordering::Less,
        CmpOp::Le => ord != Ordering::Greater,
        CmpOp::Gt => ord == Ordering::Greater,
        CmpOp::Ge => ord != Ordering::Less,
    }
}

fn compare(field: &Field, op: CmpOp, lit: &Literal, e: &Event) -> bool {
    if op == CmpOp::Ne {
        return !compare(field, CmpOp::Eq, lit, e);
    }
    if let Some(v) = json_of(field, e) {
        return compare_json(v, op, lit);
    }
    match field {
        Field::Time => match lit {
            Literal::Time(t) => holds(op, model::time_key(&e.time).cmp(&model::time_key(t))),
            _ => false,
        },
        Field::Seq => match (lit, e.seq) {
            (Literal::Number(n), Some(seq)) => {
                (seq as f64).partial_cmp(n).is_some_and(|o| holds(op, o))
            }
            _ => false,
        },
        Field::Ip => match (lit, parsed_ip(e)) {
            (Literal::Null, ip) => op == CmpOp::Eq && ip.is_none(),
            (Literal::String(s), Some(ip)) => match s.parse::<IpAddr>() {
                Ok(want) => holds(op, model::ip_key(&ip).cmp(&model::ip_key(&want))),
                Err(_) => false,
            },
            _ => false,
        },
        _ => {
            let have = scalar_of(field, e);
            match (literal_text(lit), have) {
                (None, have) => op == CmpOp::Eq && have.is_none(),
                (Some(want), Some(have)) => {
                    let want = if *field == Field::Action {
                        want.to_ascii_uppercase()
                    } else {
                        want
                    };
                    holds(op, have.as_str().cmp(want.as_str()))
                }
                (Some(_), None) => false,
            }
        }
    }
}

fn compare_json(v: Option<&Value>, op: CmpOp, lit: &Literal) -> bool {
    match (lit, v) {
        (Literal::Null, v) => op == CmpOp::Eq && v.is_none_or(Value::is_null),
        (Literal::Bool(b), Some(Value::Bool(have))) => op == CmpOp::Eq && b == have,
        (Literal::Number(n), Some(Value::Number(have))) => have
            .as_f64()
            .and_then(|h| h.partial_cmp(n))
            .is_some_and(|o| holds(op, o)),
        (Literal::Number(n), Some(Value::String(have))) => {
            holds(op, have.as_str().cmp(n.to_string().as_str()))
        }
        (Literal::String(s), Some(Value::String(have))) => holds(op, have.as_str().cmp(s)),
        (Literal::Time(t), Some(Value::String(have))) => {
            holds(op, have.as_str().cmp(model::format_time(t).as_str()))
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event() -> Event {
        serde_json::from_value(json!({
            "seq": 7, "id": "01", "time": "2026-11-02T10:00:00Z", "user": "alice",
            "action": "UPDATE", "ip": "10.1.2.3", "table": "policies", "resource_id": "42",
            "message": "Changed firewall", "before": {"settings": {"enabled": true}, "n": 5},
            "after": {"settings": {"enabled": false}, "n": 5, "name": "x"},
            "meta": {"account_id": "1234", "count": 3}
        }))
        .unwrap()
    }

    fn cmp(field: &str, op: CmpOp, value: Literal) -> Expr {
        Expr::Compare {
            field: Field::from_name(field).unwrap(),
            op,
            value,
        }
    }

    #[test]
    fn comparisons_follow_the_documented_rules() {
        let e = event();
        let s = |v: &str| Literal::String(v.into());
        assert!(matches(&cmp("action", CmpOp::Eq, s("update")), &e));
        assert!(matches(
            &cmp("meta.account_id", CmpOp::Eq, Literal::Number(1234.0)),
            &e
        ));
        assert!(matches(
            &cmp("meta.count", CmpOp::Gt, Literal::Number(2.0)),
            &e
        ));
        assert!(!matches(&cmp("meta.count", CmpOp::Eq, s("3")), &e));
        assert!(matches(
            &cmp("after.settings.enabled", CmpOp::Eq, Literal::Bool(false)),
            &e
        ));
        assert!(matches(&cmp("user_type", CmpOp::Eq, Literal::Null), &e));
        assert!(matches(&cmp("user_type", CmpOp::Ne, s("user")), &e));
        assert!(!matches(&cmp("user_type", CmpOp::Lt, s("z")), &e));
        assert!(matches(
            &cmp("resource_id", CmpOp::Eq, Literal::Number(42.0)),
            &e
        ));
        assert!(matches(&cmp("seq", CmpOp::Ge, Literal::Number(7.0)), &e));
        assert!(matches(&cmp("ip", CmpOp::Eq, s("10.1.2.3")), &e));
    }

    #[test]
    fn functions() {
        let e = event();
        let p = |s: &str| Path::parse(s).unwrap();
        assert!(matches(&Expr::Changed(p("settings.enabled")), &e));
        assert!(!matches(&Expr::Changed(p("n")), &e));
        assert!(matches(&Expr::Changed(p("name")), &e));
        assert!(matches(&Expr::Has(Field::Table), &e));
        assert!(!matches(&Expr::Has(Field::Reverts), &e));
        assert!(matches(
            &Expr::Has(Field::from_name("meta.count").unwrap()),
            &e
        ));
        assert!(matches(&Expr::Search("FIREWALL 1234".into()), &e));
        assert!(matches(&Expr::IpIn("10.0.0.0/8".parse().unwrap()), &e));
        // IPv4 addresses sit inside IPv6 space as IPv4-mapped addresses.
        assert!(matches(&Expr::IpIn("::/0".parse().unwrap()), &e));
        assert!(!matches(&Expr::IpIn("fd00::/8".parse().unwrap()), &e));
        let re = Expr::Regex {
            field: Field::Message,
            pattern: "(?i)FIRE".into(),
            negated: false,
        };
        assert!(matches(&re, &e));
        assert!(matches(
            &Expr::Regex {
                field: Field::Action,
                pattern: "^upd".into(),
                negated: false
            },
            &e
        ));
    }
}

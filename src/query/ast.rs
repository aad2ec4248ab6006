//! The expression tree that every way of selecting events builds: quick flags, `--filter`,
//! `filter EXPR`, and the remote API's parameters.

use chrono::{DateTime, Utc};
use ipnet::IpNet;

/// A filter expression over events.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// Matches every event (an empty filter).
    All,
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Not(Box<Expr>),
    /// `field OP value`.
    Compare {
        field: Field,
        op: CmpOp,
        value: Literal,
    },
    /// `field ~ "re"` or `field !~ "re"`.
    Regex {
        field: Field,
        pattern: String,
        negated: bool,
    },
    /// `field in [a, b, …]`.
    In {
        field: Field,
        values: Vec<Literal>,
    },
    /// `ip in CIDR`.
    IpIn(IpNet),
    /// `field contains "text"`: substring, case-sensitive.
    Contains {
        field: Field,
        text: String,
    },
    /// `changed(PATH)`: the value at PATH differs between before and after.
    Changed(Path),
    /// `has(FIELD)`: the field is present and not null.
    Has(Field),
    /// `search("words")`: every word occurs as a word in the event's searchable text.
    Search(String),
}

impl Expr {
    /// AND of the given expressions, dropping `All` and flattening a single one.
    pub fn and(mut parts: Vec<Expr>) -> Expr {
        parts.retain(|e| *e != Expr::All);
        match parts.len() {
            0 => Expr::All,
            1 => parts.pop().unwrap_or(Expr::All),
            _ => Expr::And(parts),
        }
    }

    /// OR of the given expressions; a single one stands alone.
    pub fn or(mut parts: Vec<Expr>) -> Expr {
        match parts.len() {
            1 => parts.pop().unwrap_or(Expr::All),
            _ => Expr::Or(parts),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CmpOp {
    /// The operator as written in expressions, which is also its SQL spelling.
    pub fn symbol(self) -> &'static str {
        match self {
            CmpOp::Eq => "=",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
        }
    }
}

/// A value written in an expression.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    /// A TIME value (only where the field is `time`).
    Time(DateTime<Utc>),
}

/// A path into JSON data: `settings.enabled`, `rules[0].port`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Path(pub Vec<Segment>);

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Segment {
    Key(String),
    Index(usize),
}

impl std::fmt::Display for Path {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, seg) in self.0.iter().enumerate() {
            match seg {
                Segment::Key(k) if i == 0 => write!(f, "{k}")?,
                Segment::Key(k) => write!(f, ".{k}")?,
                Segment::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

impl Path {
    /// Parses `a.b[0].c`; `None` when the text is not a path.
    pub fn parse(text: &str) -> Option<Path> {
        let mut segs = Vec::new();
        for part in text.split('.') {
            let (key, mut rest) = match part.find('[') {
                Some(i) => (&part[..i], &part[i..]),
                None => (part, ""),
            };
            if key.is_empty() && (segs.is_empty() || rest.is_empty()) {
                return None;
            }
            if !key.is_empty() {
                segs.push(Segment::Key(key.to_owned()));
            }
            while let Some(stripped) = rest.strip_prefix('[') {
                let end = stripped.find(']')?;
                segs.push(Segment::Index(stripped[..end].parse().ok()?));
                rest = &stripped[end + 1..];
            }
            if !rest.is_empty() {
                return None;
            }
        }
        Some(Path(segs))
    }

    /// Looks the path up in a JSON value.
    pub fn lookup<'a>(&self, mut v: &'a serde_json::Value) -> Option<&'a serde_json::Value> {
        for seg in &self.0 {
            v = match seg {
                Segment::Key(k) => v.as_object()?.get(k)?,
                Segment::Index(i) => v.as_array()?.get(*i)?,
            };
        }
        Some(v)
    }
}

/// A field an expression can test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Field {
    Seq,
    Id,
    Time,
    User,
    UserType,
    Ip,
    Action,
    Operation,
    Service,
    Origin,
    Table,
    ResourceId,
    Message,
    Outcome,
    Reverts,
    /// `before` itself (empty path) or a path inside it.
    Before(Path),
    /// `after` itself (empty path) or a path inside it.
    After(Path),
    /// `meta` itself (empty path) or `meta.KEY…`.
    Meta(Path),
}

/// The plain (non-path) fields with their names, in the order of docs/SPEC.md §1.
pub const SCALAR_FIELDS: [(&str, Field); 15] = [
    ("seq", Field::Seq),
    ("id", Field::Id),
    ("time", Field::Time),
    ("user", Field::User),
    ("user_type", Field::UserType),
    ("ip", Field::Ip),
    ("action", Field::Action),
    ("operation", Field::Operation),
    ("service", Field::Service),
    ("origin", Field::Origin),
    ("table", Field::Table),
    ("resource_id", Field::ResourceId),
    ("message", Field::Message),
    ("outcome", Field::Outcome),
    ("reverts", Field::Reverts),
];

/// Every field name a user may write (paths aside), for "did you mean" hints.
pub const FIELD_NAMES: [&str; 19] = [
    "seq",
    "id",
    "time",
    "user",
    "user_type",
    "ip",
    "action",
    "operation",
    "service",
    "origin",
    "table",
    "resource_id",
    "message",
    "outcome",
    "reverts",
    "before",
    "after",
    "meta",
    "pk",
];

impl Field {
    /// Resolves a field name as a user writes it (`user`, `meta.account_id`, `after.rules[0]`,
    /// `pk` for `resource_id`). `None` for an unknown name.
    pub fn from_name(name: &str) -> Option<Field> {
        let (head, rest) = match name.find(['.', '[']) {
            Some(i) => (&name[..i], &name[i..]),
            None => (name, ""),
        };
        let head_lc = head.to_ascii_lowercase();
        if rest.is_empty() {
            if head_lc == "pk" {
                return Some(Field::ResourceId);
            }
            if let Some((_, f)) = SCALAR_FIELDS.iter().find(|(n, _)| *n == head_lc) {
                return Some(f.clone());
            }
        }
        let path = match rest.strip_prefix('.') {
            Some(p) => Path::parse(p)?,
            None if rest.is_empty() => Path::default(),
            // `after[0]`: an index straight after the root.
            None => Path::parse(&format!("_{rest}")).map(|mut p| {
                p.0.remove(0);
                p
            })?,
        };
        match head_lc.as_str() {
            "before" => Some(Field::Before(path)),
            "after" => Some(Field::After(path)),
            "meta" => Some(Field::Meta(path)),
            _ => None,
        }
    }

    /// The name as written in expressions and error messages.
    pub fn name(&self) -> String {
        let with_path = |root: &str, p: &Path| {
            if p.0.is_empty() {
                root.to_owned()
            } else if matches!(p.0[0], Segment::Index(_)) {
                format!("{root}{p}")
            } else {
                format!("{root}.{p}")
            }
        };
        match self {
            Field::Before(p) => with_path("before", p),
            Field::After(p) => with_path("after", p),
            Field::Meta(p) => with_path("meta", p),
            other => SCALAR_FIELDS
                .iter()
                .find(|(_, f)| f == other)
                .map(|(n, _)| (*n).to_owned())
                .unwrap_or_default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_names_resolve() {
        assert_eq!(Field::from_name("user"), Some(Field::User));
        assert_eq!(Field::from_name("pk"), Some(Field::ResourceId));
        assert_eq!(
            Field::from_name("meta.account_id"),
            Some(Field::Meta(Path(vec![Segment::Key("account_id".into())])))
        );
        let f = Field::from_name("after.rules[2].port").unwrap();
        assert_eq!(f.name(), "after.rules[2].port");
        assert_eq!(
            Field::from_name("after[1]").unwrap().name(),
            "after[1]".to_owned()
        );
        assert_eq!(Field::from_name("usr"), None);
        assert_eq!(Field::from_name("user.x"), None);
        assert_eq!(Field::from_name("meta..x"), None);
    }

    #[test]
    fn path_lookup() {
        let v = serde_json::json!({"a": {"b": [1, {"c": true}]}});
        let p = Path::parse("a.b[1].c").unwrap();
        assert_eq!(p.lookup(&v), Some(&serde_json::json!(true)));
        assert_eq!(p.to_string(), "a.b[1].c");
        assert_eq!(Path::parse("a.b[x]"), None);
    }
}

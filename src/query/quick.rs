//! The quick filters of `list`, `stats` and `export` (`--user`, `--since`, `--where`, …) as an
//! expression tree: the same tree `--filter` builds, so every back end answers them alike.

use chrono::{DateTime, Utc};

use super::ast::{CmpOp, Expr, FIELD_NAMES, Field, Literal};
use super::error::{QueryError, did_you_mean};
use crate::timespec;

/// The quick filters as given on the command line: each list OR-s, the lists AND.
#[derive(Debug, Clone, Default)]
pub struct QuickFilters {
    pub user: Vec<String>,
    pub action: Vec<String>,
    pub table: Vec<String>,
    pub resource_id: Vec<String>,
    pub service: Vec<String>,
    pub origin: Vec<String>,
    pub outcome: Vec<String>,
    pub ip: Vec<String>,
    pub since: Option<String>,
    pub until: Option<String>,
    pub search: Option<String>,
    pub wheres: Vec<String>,
}

impl QuickFilters {
    /// The expression these filters stand for (`Expr::All` when none is given).
    pub fn to_expr(&self, now: DateTime<Utc>) -> Result<Expr, QueryError> {
        let mut parts = Vec::new();
        for (field, values) in [
            (Field::User, &self.user),
            (Field::Action, &self.action),
            (Field::Table, &self.table),
            (Field::ResourceId, &self.resource_id),
            (Field::Service, &self.service),
            (Field::Origin, &self.origin),
            (Field::Outcome, &self.outcome),
        ] {
            let values = split_commas(values);
            if !values.is_empty() {
                parts.push(Expr::In {
                    field,
                    values: values.into_iter().map(Literal::String).collect(),
                });
            }
        }
        let ips = split_commas(&self.ip);
        if !ips.is_empty() {
            parts.push(Expr::or(
                ips.iter().map(|ip| ip_expr(ip)).collect::<Result<_, _>>()?,
            ));
        }
        let since = self
            .since
            .as_deref()
            .map(|t| timespec::parse(t, now))
            .transpose()?;
        let until = self
            .until
            .as_deref()
            .map(|t| timespec::parse(t, now))
            .transpose()?;
        if let (Some(from), Some(to)) = (since, until)
            && from >= to
        {
            return Err(QueryError::EmptyWindow {
                since: self.since.clone().unwrap_or_default(),
                until: self.until.clone().unwrap_or_default(),
            });
        }
        for (bound, op) in [(since, CmpOp::Ge), (until, CmpOp::Lt)] {
            if let Some(time) = bound {
                parts.push(Expr::Compare {
                    field: Field::Time,
                    op,
                    value: Literal::Time(time),
                });
            }
        }
        if let Some(q) = &self.search {
            if super::search::wanted(q).is_empty() {
                return Err(QueryError::EmptySearch(q.clone()));
            }
            parts.push(Expr::Search(q.clone()));
        }
        for w in &self.wheres {
            parts.push(where_expr(w, now)?);
        }
        Ok(Expr::and(parts))
    }
}

/// `--user a,b --user c` → `[a, b, c]`.
fn split_commas(values: &[String]) -> Vec<String> {
    values
        .iter()
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
        .collect()
}

/// `--ip 10.0.0.1` (one address) or `--ip 10.0.0.0/8` (a network).
pub fn ip_expr(text: &str) -> Result<Expr, QueryError> {
    if let Ok(net) = text.parse::<ipnet::IpNet>() {
        return Ok(Expr::IpIn(net));
    }
    match text.parse::<std::net::IpAddr>() {
        Ok(ip) => Ok(Expr::Compare {
            field: Field::Ip,
            op: CmpOp::Eq,
            value: Literal::String(ip.to_string()),
        }),
        Err(_) => Err(QueryError::Ip(text.to_owned())),
    }
}

/// `--where FIELD=VALUE`: the value is read as a bare value of the filter language.
fn where_expr(text: &str, now: DateTime<Utc>) -> Result<Expr, QueryError> {
    let (name, value) = text
        .split_once('=')
        .ok_or_else(|| QueryError::Where(text.to_owned()))?;
    let name = name.trim();
    let field = Field::from_name(name).ok_or_else(|| unknown_field(name))?;
    let value = match field {
        Field::Time => Literal::Time(timespec::parse(value, now)?),
        Field::Ip => return ip_expr(value.trim()),
        _ => bare_literal(value),
    };
    Ok(Expr::Compare {
        field,
        op: CmpOp::Eq,
        value,
    })
}

/// An unknown field name, with the closest known one as a hint.
pub fn unknown_field(name: &str) -> QueryError {
    let head = name.split(['.', '[']).next().unwrap_or(name);
    QueryError::UnknownField {
        name: name.to_owned(),
        suggestion: did_you_mean(head, FIELD_NAMES),
    }
}

/// A value as a bare word of the filter language: `null`, `true`, `false`, a number, or text.
pub fn bare_literal(text: &str) -> Literal {
    match text {
        "null" => Literal::Null,
        "true" => Literal::Bool(true),
        "false" => Literal::Bool(false),
        _ => match text.parse::<f64>() {
            Ok(n) if n.is_finite() && !text.starts_with('+') && !text.contains(['e', 'E']) => {
                Literal::Number(n)
            }
            _ => Literal::String(text.to_owned()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_build_one_tree() {
        let q = QuickFilters {
            user: vec!["alice,bob".into(), "carol".into()],
            action: vec!["update".into()],
            wheres: vec!["meta.account_id=1234".into()],
            ..Default::default()
        };
        let Expr::And(parts) = q.to_expr(Utc::now()).unwrap() else {
            panic!("expected an AND")
        };
        assert_eq!(parts.len(), 3);
        assert_eq!(
            parts[0],
            Expr::In {
                field: Field::User,
                values: ["alice", "bob", "carol"]
                    .map(|s| Literal::String(s.into()))
                    .to_vec()
            }
        );
    }

    #[test]
    fn bad_flags_name_the_problem() {
        let q = QuickFilters {
            wheres: vec!["usr=alice".into()],
            ..Default::default()
        };
        assert_eq!(
            q.to_expr(Utc::now()).unwrap_err().to_string(),
            "unknown field `usr` (did you mean `user`?)"
        );
        let q = QuickFilters {
            ip: vec!["10.0.0.300".into()],
            ..Default::default()
        };
        assert!(matches!(q.to_expr(Utc::now()), Err(QueryError::Ip(_))));
        assert_eq!(bare_literal("1234"), Literal::Number(1234.0));
        assert_eq!(bare_literal("inf"), Literal::String("inf".into()));
    }
}

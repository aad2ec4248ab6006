//! Errors of the filter language, written so that a person can fix them: the expression with a
//! caret under the position, what was expected, and a "did you mean" where one fits.

/// A filter expression, quick flag or `--where` that cannot be understood.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum QueryError {
    /// A syntax or type error at a byte offset (`pos`) of `expr`.
    #[error("{message}\n  {expr}\n  {caret}", caret = caret_line(expr, *pos))]
    Syntax {
        expr: String,
        pos: usize,
        message: String,
    },
    #[error("unknown field `{name}`{}", suggestion_text(suggestion))]
    UnknownField {
        name: String,
        suggestion: Option<String>,
    },
    #[error(transparent)]
    Time(#[from] crate::timespec::TimeError),
    /// A search with no word in it would match every event.
    #[error(
        "--search {0:?} holds no word to look for: a search finds words of letters and digits \
         (and what joins them: - _ . : / @)"
    )]
    EmptySearch(String),
    #[error("invalid IP address or CIDR {0:?}")]
    Ip(String),
    #[error("invalid --where {0:?}: expected FIELD=VALUE, e.g. meta.account_id=1234")]
    Where(String),
    /// An expression of more comparisons than any query needs.
    #[error(
        "the expression has {terms} terms; at most {max} are taken (a list of values is one \
         term: `user in [a, b, …]`)"
    )]
    TooLarge { terms: usize, max: usize },
    /// `--since` at or after `--until`: a window nothing can be in.
    #[error("--since {since} is not before --until {until}: no event can be in that window")]
    EmptyWindow { since: String, until: String },
}

fn suggestion_text(s: &Option<String>) -> String {
    s.as_ref()
        .map(|s| format!(" (did you mean `{s}`?)"))
        .unwrap_or_default()
}

/// Spaces up to the character at byte `pos`, then `^`.
fn caret_line(source: &str, pos: usize) -> String {
    let col = source.char_indices().take_while(|(i, _)| *i < pos).count();
    format!("{}^", " ".repeat(col))
}

/// The known name closest to `name`, when it is close enough to be a likely typo.
pub fn did_you_mean<'a>(name: &str, known: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let name = name.to_ascii_lowercase();
    known
        .into_iter()
        .map(|k| (strsim_distance(&name, k), k))
        .filter(|(d, k)| *d <= 2.max(k.len() / 3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k.to_owned())
}

/// Levenshtein distance: ten lines do not justify a crate.
fn strsim_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn caret_points_at_the_position() {
        let e = QueryError::Syntax {
            expr: "user = ".into(),
            pos: 7,
            message: "expected a value after '='".into(),
        };
        assert_eq!(
            e.to_string(),
            "expected a value after '='\n  user = \n         ^"
        );
    }

    #[test]
    fn suggestions() {
        let names = ["user", "action", "resource_id"];
        assert_eq!(did_you_mean("usr", names), Some("user".into()));
        assert_eq!(
            did_you_mean("resourceid", names),
            Some("resource_id".into())
        );
        assert_eq!(did_you_mean("zzzzzz", names), None);
    }
}

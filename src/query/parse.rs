//! The text form of the filter language (docs/SPEC.md §4): `filter EXPR`, `--filter EXPR` and
//! `filter -e EXPR` all come through `parse`.
//!
//! Grammar (keywords and function names are case-insensitive):
//!
//! ```text
//! expr       = and_expr { "or" and_expr }
//! and_expr   = unary { "and" unary }
//! unary      = "not" unary | primary
//! primary    = "(" expr ")" | function | comparison
//! function   = "changed" "(" PATH ")" | "has" "(" FIELD ")" | "search" "(" TEXT { TEXT } ")"
//! comparison = FIELD ( CMP value | ("~" | "!~") text | ["not"] "in" list | ["not"] "contains" text )
//!            | "ip" ["not"] "in" ( CIDR | ADDRESS | list )
//! CMP        = "=" | "!=" | "<" | "<=" | ">" | ">="
//! list       = "[" [ value { "," value } [","] ] "]"
//! value      = QUOTED | BARE          (a TIME where the field is `time`)
//! ```
//!
//! Quoted strings use double or single quotes with the escapes `\"` `\'` `\\` `\n` `\t`. A bare
//! word reads as `quick::bare_literal` reads it (`null`, `true`, `false`, a number, else text), so
//! that `--where` and expressions agree; against a plain text field a number keeps the exact text
//! it was written with (`pk = 007` means the text `007`).

use chrono::{DateTime, Utc};

use super::ast::{CmpOp, Expr, Field, Literal, Path, SCALAR_FIELDS, Segment};
use super::error::{QueryError, did_you_mean};
use super::eval::effective_pattern;
use super::quick::{bare_literal, unknown_field};
use crate::timespec;

/// How deeply parentheses and `not` may nest: far beyond any hand-written filter, and well
/// inside the stack of every back end that walks the tree recursively.
const MAX_DEPTH: usize = 100;
/// Most comparisons an expression may hold: far more than a person writes, and within what
/// the SQL it becomes may hold (SQLite refuses expressions nested 1,000 deep).
const MAX_TERMS: usize = 256;

/// The comparisons (leaves) of an expression.
fn count_terms(e: &Expr) -> usize {
    match e {
        Expr::And(parts) | Expr::Or(parts) => parts.iter().map(count_terms).sum(),
        Expr::Not(inner) => count_terms(inner),
        Expr::All => 0,
        _ => 1,
    }
}

const FUNCTIONS: [&str; 3] = ["changed", "has", "search"];

/// Parses a filter expression. Relative TIME values (`-7d`, `today`) are resolved against
/// `now`. Blank text is the empty filter, `Expr::All`.
pub fn parse(text: &str, now: DateTime<Utc>) -> Result<Expr, QueryError> {
    let mut p = Parser {
        text,
        pos: 0,
        now,
        depth: 0,
    };
    if p.peek()?.tok == Tok::End {
        return Ok(Expr::All);
    }
    let expr = p.or_expr("")?;
    let t = p.peek()?;
    match &t.tok {
        Tok::End => {
            let terms = count_terms(&expr);
            if terms > MAX_TERMS {
                return Err(QueryError::TooLarge {
                    terms,
                    max: MAX_TERMS,
                });
            }
            Ok(expr)
        }
        Tok::RParen => Err(p.err(t.start, "unexpected ')' with no '(' to close")),
        other => Err(p.err(
            t.start,
            format!(
                "expected 'and', 'or' or the end of the expression, found {}{}",
                describe(other),
                hint_after_expression(other)
            ),
        )),
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    Cmp(CmpOp),
    Match { negated: bool },
    Str(String),
    Word(String),
    End,
}

#[derive(Debug, Clone)]
struct Token {
    tok: Tok,
    /// Byte offset of the token's first character (the text length for `End`).
    start: usize,
    end: usize,
}

fn describe(tok: &Tok) -> String {
    match tok {
        Tok::LParen => "'('".into(),
        Tok::RParen => "')'".into(),
        Tok::LBracket => "'['".into(),
        Tok::RBracket => "']'".into(),
        Tok::Comma => "','".into(),
        Tok::Cmp(op) => format!("'{}'", op.symbol()),
        Tok::Match { negated: false } => "'~'".into(),
        Tok::Match { negated: true } => "'!~'".into(),
        Tok::Str(_) => "a quoted string".into(),
        Tok::Word(w) => format!("`{w}`"),
        Tok::End => "the end of the expression".into(),
    }
}

fn hint_after_expression(tok: &Tok) -> &'static str {
    match tok {
        Tok::Word(w) if w == "&&" => " (write 'and' instead of '&&')",
        Tok::Word(w) if w == "||" => " (write 'or' instead of '||')",
        Tok::Word(_) => " (join conditions with 'and' or 'or'; quote a value that contains spaces)",
        _ => "",
    }
}

fn is_kw(tok: &Tok, kw: &str) -> bool {
    matches!(tok, Tok::Word(w) if w.eq_ignore_ascii_case(kw))
}

/// Words that join expressions and so cannot stand as bare values.
fn is_connective(w: &str) -> bool {
    ["and", "or", "not"]
        .iter()
        .any(|k| w.eq_ignore_ascii_case(k))
}

fn is_word_char(c: char) -> bool {
    !c.is_whitespace() && !"()[],=!<>~\"'".contains(c)
}

fn word_end(text: &str, from: usize) -> usize {
    text[from..]
        .char_indices()
        .find(|(_, c)| !is_word_char(*c))
        .map_or(text.len(), |(i, _)| from + i)
}

/// A value token's text: quoted (always text) or bare (read by `bare_literal`).
enum ValueText<'t> {
    Quoted(&'t str),
    Bare(&'t str),
}

impl ValueText<'_> {
    fn raw(&self) -> &str {
        match self {
            ValueText::Quoted(s) | ValueText::Bare(s) => s,
        }
    }
}

struct Parser<'a> {
    text: &'a str,
    pos: usize,
    now: DateTime<Utc>,
    depth: usize,
}

impl Parser<'_> {
    fn err(&self, pos: usize, message: impl Into<String>) -> QueryError {
        QueryError::Syntax {
            expr: self.text.to_owned(),
            pos,
            message: message.into(),
        }
    }

    /// 1-based column (in characters) of a byte offset, for messages that point elsewhere.
    fn column(&self, pos: usize) -> usize {
        self.text[..pos].chars().count() + 1
    }

    // ---- lexing -------------------------------------------------------------------------

    fn lex(&self, from: usize) -> Result<Token, QueryError> {
        let rest = &self.text[from..];
        let trimmed = rest.trim_start();
        let start = from + (rest.len() - trimmed.len());
        let mut chars = trimmed.chars();
        let Some(c) = chars.next() else {
            return Ok(Token {
                tok: Tok::End,
                start,
                end: start,
            });
        };
        let next = chars.next();
        let tok = |tok: Tok, len: usize| {
            Ok(Token {
                tok,
                start,
                end: start + len,
            })
        };
        match c {
            '(' => tok(Tok::LParen, 1),
            ')' => tok(Tok::RParen, 1),
            '[' => tok(Tok::LBracket, 1),
            ']' => tok(Tok::RBracket, 1),
            ',' => tok(Tok::Comma, 1),
            '=' if next == Some('=') => {
                Err(self.err(start, "write '=' to compare ('==' is not an operator)"))
            }
            '=' => tok(Tok::Cmp(CmpOp::Eq), 1),
            '!' => match next {
                Some('=') => tok(Tok::Cmp(CmpOp::Ne), 2),
                Some('~') => tok(Tok::Match { negated: true }, 2),
                _ => Err(self.err(
                    start,
                    "unexpected '!': write 'not' to negate, or use the operators '!=' and '!~'",
                )),
            },
            '<' if next == Some('=') => tok(Tok::Cmp(CmpOp::Le), 2),
            '<' => tok(Tok::Cmp(CmpOp::Lt), 1),
            '>' if next == Some('=') => tok(Tok::Cmp(CmpOp::Ge), 2),
            '>' => tok(Tok::Cmp(CmpOp::Gt), 1),
            '~' => tok(Tok::Match { negated: false }, 1),
            '"' | '\'' => self.lex_string(start, c),
            _ => Ok(self.lex_word(start)),
        }
    }

    fn lex_string(&self, start: usize, quote: char) -> Result<Token, QueryError> {
        let mut out = String::new();
        let body = start + quote.len_utf8();
        let mut chars = self.text[body..].char_indices();
        while let Some((i, c)) = chars.next() {
            if c == quote {
                return Ok(Token {
                    tok: Tok::Str(out),
                    start,
                    end: body + i + c.len_utf8(),
                });
            }
            if c != '\\' {
                out.push(c);
                continue;
            }
            match chars.next() {
                Some((_, '"')) => out.push('"'),
                Some((_, '\'')) => out.push('\''),
                Some((_, '\\')) => out.push('\\'),
                Some((_, 'n')) => out.push('\n'),
                Some((_, 't')) => out.push('\t'),
                Some((_, other)) => {
                    return Err(self.err(
                        body + i,
                        format!(
                            "unknown escape `\\{other}` in a string: the escapes are \\\" \\' \\\\ \\n and \\t"
                        ),
                    ));
                }
                None => break,
            }
        }
        Err(self.err(
            start,
            format!(
                "unterminated string: expected a closing {quote} for the string that starts here"
            ),
        ))
    }

    fn lex_word(&self, start: usize) -> Token {
        let mut end = word_end(self.text, start);
        // `rules[0].port`: an index written straight after a name belongs to it (but `in[1]`
        // is the keyword `in` and a list).
        while self.text[end..].starts_with('[') && !self.text[start..end].eq_ignore_ascii_case("in")
        {
            let inner = &self.text[end + 1..];
            let digits = inner.bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 || !inner[digits..].starts_with(']') {
                break;
            }
            end = word_end(self.text, end + digits + 2);
        }
        Token {
            tok: Tok::Word(self.text[start..end].to_owned()),
            start,
            end,
        }
    }

    fn peek(&self) -> Result<Token, QueryError> {
        self.lex(self.pos)
    }

    fn bump(&mut self) -> Result<Token, QueryError> {
        let t = self.lex(self.pos)?;
        self.pos = t.end;
        Ok(t)
    }

    // ---- expressions --------------------------------------------------------------------

    /// `after` names what came before the expression (`'and'`, `'('`), for messages.
    fn or_expr(&mut self, after: &str) -> Result<Expr, QueryError> {
        let mut parts = vec![self.and_expr(after)?];
        loop {
            let t = self.peek()?;
            if !is_kw(&t.tok, "or") {
                break;
            }
            self.pos = t.end;
            parts.push(self.and_expr("'or'")?);
        }
        Ok(Expr::or(parts))
    }

    fn and_expr(&mut self, after: &str) -> Result<Expr, QueryError> {
        let mut parts = vec![self.unary(after)?];
        loop {
            let t = self.peek()?;
            if !is_kw(&t.tok, "and") {
                break;
            }
            self.pos = t.end;
            parts.push(self.unary("'and'")?);
        }
        Ok(if parts.len() == 1 {
            parts.swap_remove(0)
        } else {
            Expr::And(parts)
        })
    }

    fn unary(&mut self, after: &str) -> Result<Expr, QueryError> {
        let t = self.peek()?;
        if self.depth >= MAX_DEPTH {
            return Err(self.err(
                t.start,
                format!("the expression nests too deeply (more than {MAX_DEPTH} levels)"),
            ));
        }
        self.depth += 1;
        let result = if is_kw(&t.tok, "not") {
            self.pos = t.end;
            self.unary("'not'").map(|e| Expr::Not(Box::new(e)))
        } else {
            self.primary(after)
        };
        self.depth -= 1;
        result
    }

    fn primary(&mut self, after: &str) -> Result<Expr, QueryError> {
        let after_text = if after.is_empty() {
            String::new()
        } else {
            format!(" after {after}")
        };
        let t = self.bump()?;
        match &t.tok {
            Tok::LParen => {
                let inner = self.or_expr("'('")?;
                let close = self.peek()?;
                match &close.tok {
                    Tok::RParen => {
                        self.pos = close.end;
                        Ok(inner)
                    }
                    Tok::End => Err(self.err(
                        close.start,
                        format!(
                            "expected ')' to close the '(' at column {}",
                            self.column(t.start)
                        ),
                    )),
                    other => Err(self.err(
                        close.start,
                        format!(
                            "expected 'and', 'or' or ')' to close the '(' at column {}, found {}{}",
                            self.column(t.start),
                            describe(other),
                            hint_after_expression(other)
                        ),
                    )),
                }
            }
            Tok::Word(w) if is_kw(&t.tok, "and") || is_kw(&t.tok, "or") => Err(self.err(
                t.start,
                format!("expected an expression{after_text}, found '{w}'"),
            )),
            Tok::Word(w) => {
                if self.peek()?.tok == Tok::LParen {
                    self.function(w, t.start)
                } else {
                    self.comparison(w, t.start)
                }
            }
            Tok::End => Err(self.err(t.start, format!("expected an expression{after_text}"))),
            Tok::RParen => Err(self.err(
                t.start,
                format!("unexpected ')': expected an expression{after_text}"),
            )),
            Tok::Str(_) => Err(self.err(
                t.start,
                "expected a field name, found a quoted string (field names take no quotes, e.g. user = \"alice\")",
            )),
            other => Err(self.err(
                t.start,
                format!(
                    "expected a field name, a function or '('{after_text}, found {}",
                    describe(other)
                ),
            )),
        }
    }

    // ---- fields and comparisons ---------------------------------------------------------

    fn field(&self, name: &str, at: usize) -> Result<Field, QueryError> {
        if let Some(field) = Field::from_name(name) {
            self.check_path_keys(&field_path(&field), at)?;
            return Ok(field);
        }
        let head = name.split(['.', '[']).next().unwrap_or(name);
        let head_lc = head.to_ascii_lowercase();
        if head.len() < name.len() {
            if SCALAR_FIELDS.iter().any(|(n, _)| *n == head_lc) || head_lc == "pk" {
                return Err(self.err(
                    at,
                    format!(
                        "field `{head}` has no parts: only before, after and meta take a path (`{name}`)"
                    ),
                ));
            }
            if ["before", "after", "meta"].contains(&head_lc.as_str()) {
                return Err(self.err(
                    at,
                    format!(
                        "invalid path `{name}`: write keys separated by dots and [n] for array items, e.g. after.rules[0].port"
                    ),
                ));
            }
        }
        Err(self.err(at, unknown_field(name).to_string()))
    }

    /// SQLite JSON paths cannot address a key that holds a double quote, and end at a NUL;
    /// control characters in a key are refused alike.
    fn check_path_keys(&self, path: &Path, at: usize) -> Result<(), QueryError> {
        for s in &path.0 {
            if let Segment::Key(k) = s {
                if k.contains('"') {
                    return Err(self.err(at, "a key in a path cannot contain '\"'"));
                }
                if k.chars().any(char::is_control) {
                    return Err(self.err(at, "a key in a path cannot contain control characters"));
                }
            }
        }
        Ok(())
    }

    fn comparison(&mut self, name: &str, start: usize) -> Result<Expr, QueryError> {
        let field = self.field(name, start)?;
        let op = self.bump()?;
        match &op.tok {
            Tok::Cmp(cmp) => {
                let v = self.bump()?;
                let value = self.value(&field, *cmp, &v, &format!("after '{}'", cmp.symbol()))?;
                self.check_unquoted_date_time(&field, &v)?;
                Ok(Expr::Compare {
                    field,
                    op: *cmp,
                    value,
                })
            }
            Tok::Match { negated } => {
                let v = self.bump()?;
                let what = if *negated { "'!~'" } else { "'~'" };
                let pattern = self.text_arg(&v, &format!("a regular expression after {what}"))?;
                if let Err(e) = regex::Regex::new(&effective_pattern(&field, &pattern)) {
                    return Err(self.err(
                        v.start,
                        format!("invalid regular expression: {}", regex_error_summary(&e)),
                    ));
                }
                Ok(Expr::Regex {
                    field,
                    pattern,
                    negated: *negated,
                })
            }
            Tok::Word(w) if w.eq_ignore_ascii_case("in") => self.in_list(field),
            Tok::Word(w) if w.eq_ignore_ascii_case("contains") => self.contains(field),
            Tok::Word(w) if w.eq_ignore_ascii_case("not") => {
                let next = self.bump()?;
                let inner = if is_kw(&next.tok, "in") {
                    self.in_list(field)?
                } else if is_kw(&next.tok, "contains") {
                    self.contains(field)?
                } else {
                    return Err(self.err(
                        next.start,
                        format!(
                            "expected 'in' or 'contains' after `{name} not`, found {}",
                            describe(&next.tok)
                        ),
                    ));
                };
                Ok(Expr::Not(Box::new(inner)))
            }
            Tok::End => Err(self.err(
                op.start,
                format!("expected an operator after field `{name}`"),
            )),
            other => Err(self.err(
                op.start,
                format!(
                    "expected an operator after field `{name}` (= != < <= > >= ~ !~ in contains), found {}",
                    describe(other)
                ),
            )),
        }
    }

    fn contains(&mut self, field: Field) -> Result<Expr, QueryError> {
        let v = self.bump()?;
        let text = self.text_arg(&v, "the text to look for after 'contains'")?;
        Ok(Expr::Contains { field, text })
    }

    /// A quoted string or a bare word that reads as text: a regex, `contains` text.
    fn text_arg(&self, t: &Token, what: &str) -> Result<String, QueryError> {
        match &t.tok {
            Tok::Str(s) => Ok(s.clone()),
            Tok::Word(w) if !is_connective(w) && matches!(bare_literal(w), Literal::String(_)) => {
                Ok(w.clone())
            }
            Tok::Word(w) => Err(self.err(
                t.start,
                format!("expected {what}, found `{w}` (quote it: \"{w}\")"),
            )),
            Tok::End => Err(self.err(t.start, format!("expected {what}"))),
            other => Err(self.err(
                t.start,
                format!("expected {what}, found {}", describe(other)),
            )),
        }
    }

    /// The text of a value token, or an error naming what was expected `ctx` (`after '='`).
    fn value_text<'t>(&self, t: &'t Token, ctx: &str) -> Result<ValueText<'t>, QueryError> {
        match &t.tok {
            Tok::Str(s) => Ok(ValueText::Quoted(s)),
            Tok::Word(w) if is_connective(w) => Err(self.err(
                t.start,
                format!("expected a value {ctx}, found '{w}' (quote it to mean the text: \"{w}\")"),
            )),
            Tok::Word(w) => Ok(ValueText::Bare(w)),
            Tok::End => Err(self.err(t.start, format!("expected a value {ctx}"))),
            Tok::LBracket => Err(self.err(
                t.start,
                format!("expected a value {ctx}, found '[' (use `in [a, b]` to test a list)"),
            )),
            other => Err(self.err(
                t.start,
                format!("expected a value {ctx}, found {}", describe(other)),
            )),
        }
    }

    /// A value for `field OP value` (and list items, with `op` = `=`), type-checked.
    fn value(&self, field: &Field, op: CmpOp, t: &Token, ctx: &str) -> Result<Literal, QueryError> {
        let text = self.value_text(t, ctx)?;
        let lit = match field {
            Field::Time => match timespec::parse(text.raw(), self.now) {
                Ok(time) => Literal::Time(time),
                Err(e) => return Err(self.err(t.start, e.to_string())),
            },
            Field::Seq => match &text {
                ValueText::Bare(w) => match bare_literal(w) {
                    n @ Literal::Number(_) => n,
                    _ => return Err(self.seq_error(t, ctx)),
                },
                ValueText::Quoted(_) => return Err(self.seq_error(t, ctx)),
            },
            Field::Ip => {
                let raw = text.raw().trim();
                if matches!(text, ValueText::Bare("null")) {
                    Literal::Null
                } else if let Ok(ip) = raw.parse::<std::net::IpAddr>() {
                    Literal::String(ip.to_string())
                } else if raw.parse::<ipnet::IpNet>().is_ok() {
                    return Err(self.err(
                        t.start,
                        format!(
                            "`{raw}` is a network: use `ip in {raw}` to match the addresses in it"
                        ),
                    ));
                } else {
                    return Err(self.err(
                        t.start,
                        format!(
                            "expected an IP address {ctx} for `ip`, found {}",
                            describe(&t.tok)
                        ),
                    ));
                }
            }
            Field::Before(_) | Field::After(_) | Field::Meta(_) => match text {
                ValueText::Quoted(s) => Literal::String(s.to_owned()),
                ValueText::Bare(w) => bare_literal(w),
            },
            _ => match text {
                ValueText::Quoted(s) => Literal::String(s.to_owned()),
                ValueText::Bare(w) => match bare_literal(w) {
                    // A text field compares as text: keep `007` and `1.50` as written.
                    Literal::Number(n) if n.to_string() != w => Literal::String(w.to_owned()),
                    lit => lit,
                },
            },
        };
        if !matches!(op, CmpOp::Eq | CmpOp::Ne) {
            let o = op.symbol();
            match lit {
                Literal::Null => {
                    return Err(self.err(
                        t.start,
                        format!("'{o}' cannot compare with null: use '= null' or '!= null'"),
                    ));
                }
                Literal::Bool(_) => {
                    return Err(self.err(
                        t.start,
                        format!("'{o}' cannot compare with true or false: use '=' or '!='"),
                    ));
                }
                _ => {}
            }
        }
        Ok(lit)
    }

    fn seq_error(&self, t: &Token, ctx: &str) -> QueryError {
        self.err(
            t.start,
            format!(
                "expected a number {ctx} for `seq`, found {}",
                describe(&t.tok)
            ),
        )
    }

    /// `time >= 2026-11-01 10:00` reads as a date followed by a stray word: say how to write it.
    fn check_unquoted_date_time(&self, field: &Field, v: &Token) -> Result<(), QueryError> {
        if *field != Field::Time || !matches!(v.tok, Tok::Word(_)) {
            return Ok(());
        }
        let next = self.peek()?;
        if let (Tok::Word(date), Tok::Word(time)) = (&v.tok, &next.tok)
            && time.contains(':')
            && time
                .bytes()
                .all(|b| b.is_ascii_digit() || b == b':' || b == b'.')
        {
            return Err(self.err(
                v.start,
                format!("a date with a time must be quoted: \"{date} {time}\""),
            ));
        }
        Ok(())
    }

    fn in_list(&mut self, field: Field) -> Result<Expr, QueryError> {
        let t = self.bump()?;
        if field == Field::Ip {
            return self.ip_in(t);
        }
        if t.tok != Tok::LBracket {
            return Err(self.err(
                t.start,
                format!(
                    "expected '[' after 'in' to start a list, e.g. {} in [a, b], found {}",
                    field.name(),
                    describe(&t.tok)
                ),
            ));
        }
        let items = self.list_items(t.start)?;
        let values = items
            .iter()
            .map(|item| self.value(&field, CmpOp::Eq, item, "in the list"))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Expr::In { field, values })
    }

    /// `ip in CIDR`, `ip in ADDRESS`, `ip in [ADDRESS or CIDR, …]`.
    fn ip_in(&mut self, t: Token) -> Result<Expr, QueryError> {
        let expected = "expected a network such as 10.0.0.0/8 or fd00::/8, an address, or a list of them after 'in'";
        let one = |this: &Self, item: &Token| -> Result<Expr, QueryError> {
            let raw = match &item.tok {
                Tok::Str(s) | Tok::Word(s) => s.trim(),
                other => {
                    return Err(
                        this.err(item.start, format!("{expected}, found {}", describe(other)))
                    );
                }
            };
            if let Ok(net) = raw.parse::<ipnet::IpNet>() {
                return Ok(Expr::IpIn(net));
            }
            if let Ok(ip) = raw.parse::<std::net::IpAddr>() {
                return Ok(Expr::IpIn(ipnet::IpNet::from(ip)));
            }
            Err(this.err(
                item.start,
                format!("{expected}, found {}", describe(&item.tok)),
            ))
        };
        if t.tok != Tok::LBracket {
            return one(self, &t);
        }
        let items = self.list_items(t.start)?;
        let parts = items
            .iter()
            .map(|item| one(self, item))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Expr::or(parts))
    }

    /// The value tokens of a list, after its `[` at `open`; accepts `[]` and a trailing comma.
    fn list_items(&mut self, open: usize) -> Result<Vec<Token>, QueryError> {
        let col = self.column(open);
        let unclosed = |this: &Self, at: usize| {
            this.err(
                at,
                format!("expected ']' to close the list opened at column {col}"),
            )
        };
        let mut items = Vec::new();
        loop {
            let t = self.bump()?;
            match &t.tok {
                Tok::RBracket => return Ok(items),
                Tok::End => return Err(unclosed(self, t.start)),
                Tok::Str(_) => items.push(t),
                Tok::Word(w) if !is_connective(w) => items.push(t),
                _ => {
                    self.value_text(&t, "in the list")?;
                    return Err(unclosed(self, t.start));
                }
            }
            let sep = self.bump()?;
            match &sep.tok {
                Tok::Comma => {}
                Tok::RBracket => return Ok(items),
                Tok::End => return Err(unclosed(self, sep.start)),
                other => {
                    return Err(self.err(
                        sep.start,
                        format!(
                            "expected ',' or ']' in the list opened at column {col}, found {}",
                            describe(other)
                        ),
                    ));
                }
            }
        }
    }

    // ---- functions ----------------------------------------------------------------------

    fn function(&mut self, name: &str, start: usize) -> Result<Expr, QueryError> {
        let lc = name.to_ascii_lowercase();
        if !FUNCTIONS.contains(&lc.as_str()) {
            let hint = did_you_mean(&lc, FUNCTIONS)
                .map(|s| format!(" (did you mean `{s}`?)"))
                .unwrap_or_default();
            let what = if Field::from_name(name).is_some() {
                format!("`{name}` is a field, not a function{hint}: write e.g. {name} = value")
            } else {
                format!(
                    "unknown function `{name}`{hint}: the functions are changed(PATH), has(FIELD) and search(\"words\")"
                )
            };
            return Err(self.err(start, what));
        }
        let open = self.bump()?;
        let col = self.column(open.start);
        let mut args = Vec::new();
        loop {
            let mut t = self.bump()?;
            if lc == "changed" && t.tok == Tok::LBracket {
                // `changed([0].name)`: a path into an array record starts with an index.
                t = self.lex_word(t.start);
                self.pos = t.end;
            }
            let at = t.start;
            match &t.tok {
                Tok::RParen => break,
                Tok::Str(_) => args.push(t),
                Tok::Word(_) if lc == "search" => args.push(t),
                Tok::Word(w) if !is_connective(w) => args.push(t),
                Tok::End => {
                    return Err(self.err(
                        t.start,
                        format!("expected ')' to close {lc}( at column {col}"),
                    ));
                }
                other => {
                    return Err(self.err(
                        t.start,
                        format!(
                            "expected ')' to close {lc}( at column {col}, found {}",
                            describe(other)
                        ),
                    ));
                }
            }
            if lc != "search" && args.len() > 1 {
                return Err(self.err(
                    at,
                    format!(
                        "expected ')' to close {lc}( at column {col}: {lc}() takes one argument"
                    ),
                ));
            }
        }
        let arg_text = |t: &Token| match &t.tok {
            Tok::Str(s) | Tok::Word(s) => s.clone(),
            _ => String::new(),
        };
        match lc.as_str() {
            "changed" => {
                let Some(arg) = args.first() else {
                    return Err(self.err(
                        self.pos.saturating_sub(1),
                        "expected a path inside changed(), e.g. changed(settings.enabled)",
                    ));
                };
                let text = arg_text(arg);
                let path = if text.starts_with('[') {
                    Path::parse(&format!("_{text}")).map(|mut p| {
                        p.0.remove(0);
                        p
                    })
                } else {
                    Path::parse(&text)
                };
                let Some(path) = path else {
                    return Err(self.err(
                        arg.start,
                        format!(
                            "invalid path `{text}`: write keys separated by dots and [n] for array items, e.g. changed(rules[0].port)"
                        ),
                    ));
                };
                self.check_path_keys(&path, arg.start)?;
                Ok(Expr::Changed(path))
            }
            "has" => {
                let Some(arg) = args.first() else {
                    return Err(self.err(
                        self.pos.saturating_sub(1),
                        "expected a field inside has(), e.g. has(before)",
                    ));
                };
                Ok(Expr::Has(self.field(&arg_text(arg), arg.start)?))
            }
            _ => {
                if args.is_empty() {
                    return Err(self.err(
                        self.pos.saturating_sub(1),
                        "expected the words to look for inside search(), e.g. search(\"ingress 42\")",
                    ));
                }
                let words: Vec<String> = args.iter().map(arg_text).collect();
                let words = words.join(" ");
                if super::search::wanted(&words).is_empty() {
                    return Err(self.err(
                        args[0].start,
                        "search() holds no word to look for: a search finds words of letters \
                         and digits (and what joins them: - _ . : / @)",
                    ));
                }
                Ok(Expr::Search(words))
            }
        }
    }
}

fn field_path(field: &Field) -> Path {
    match field {
        Field::Before(p) | Field::After(p) | Field::Meta(p) => p.clone(),
        _ => Path::default(),
    }
}

/// The one line of a regex error that says what is wrong.
fn regex_error_summary(e: &regex::Error) -> String {
    let text = e.to_string();
    text.lines()
        .find_map(|l| l.trim().strip_prefix("error: "))
        .map(str::to_owned)
        .or_else(|| text.lines().next().map(str::to_owned))
        .unwrap_or(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 24, 12, 0, 0).unwrap()
    }

    fn p(text: &str) -> Expr {
        parse(text, now()).unwrap_or_else(|e| panic!("{text:?} should parse:\n{e}"))
    }

    /// The message and caret position of a failing parse.
    fn fail(text: &str) -> (String, usize) {
        match parse(text, now()) {
            Err(QueryError::Syntax { expr, pos, message }) => {
                assert_eq!(expr, text);
                assert!(pos <= text.len());
                (message, pos)
            }
            other => panic!("{text:?} should be a syntax error, got {other:?}"),
        }
    }

    fn f(name: &str) -> Field {
        Field::from_name(name).unwrap()
    }

    fn s(v: &str) -> Literal {
        Literal::String(v.into())
    }

    fn cmp(field: &str, op: CmpOp, value: Literal) -> Expr {
        Expr::Compare {
            field: f(field),
            op,
            value,
        }
    }

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn every_comparison_operator() {
        for (text, op) in [
            ("=", CmpOp::Eq),
            ("!=", CmpOp::Ne),
            ("<", CmpOp::Lt),
            ("<=", CmpOp::Le),
            (">", CmpOp::Gt),
            (">=", CmpOp::Ge),
        ] {
            assert_eq!(p(&format!("user {text} bob")), cmp("user", op, s("bob")));
            assert_eq!(p(&format!("user{text}bob")), cmp("user", op, s("bob")));
        }
        assert_eq!(
            p("seq >= 100"),
            cmp("seq", CmpOp::Ge, Literal::Number(100.0))
        );
    }

    #[test]
    fn regex_in_contains_ip() {
        assert_eq!(
            p(r#"message ~ "(?i)firewall""#),
            Expr::Regex {
                field: Field::Message,
                pattern: "(?i)firewall".into(),
                negated: false
            }
        );
        assert_eq!(
            p("action !~ ^upd"),
            Expr::Regex {
                field: Field::Action,
                pattern: "^upd".into(),
                negated: true
            }
        );
        assert_eq!(
            p("action in [UPDATE, DELETE]"),
            Expr::In {
                field: Field::Action,
                values: vec![s("UPDATE"), s("DELETE")]
            }
        );
        assert_eq!(
            p("user in []"),
            Expr::In {
                field: Field::User,
                values: vec![]
            }
        );
        assert_eq!(
            p("seq in [1, 2,]"),
            Expr::In {
                field: Field::Seq,
                values: vec![Literal::Number(1.0), Literal::Number(2.0)]
            }
        );
        assert_eq!(
            p(r#"message contains "fire wall""#),
            Expr::Contains {
                field: Field::Message,
                text: "fire wall".into()
            }
        );
        assert_eq!(
            p("user not contains bot"),
            Expr::Not(Box::new(Expr::Contains {
                field: Field::User,
                text: "bot".into()
            }))
        );
        assert_eq!(
            p("ip in 10.0.0.0/8"),
            Expr::IpIn("10.0.0.0/8".parse().unwrap())
        );
        assert_eq!(
            p("ip in 10.1.2.3"),
            Expr::IpIn("10.1.2.3/32".parse().unwrap())
        );
        assert_eq!(p("ip = 10.1.2.3"), cmp("ip", CmpOp::Eq, s("10.1.2.3")));
        assert_eq!(p("ip != null"), cmp("ip", CmpOp::Ne, Literal::Null));
        assert_eq!(p("ip >= 10.0.0.1"), cmp("ip", CmpOp::Ge, s("10.0.0.1")));
    }

    #[test]
    fn ipv6() {
        assert_eq!(p("ip in fd00::/8"), Expr::IpIn("fd00::/8".parse().unwrap()));
        assert_eq!(
            p("ip in 2001:db8:0:0::/64"),
            Expr::IpIn("2001:db8::/64".parse().unwrap())
        );
        assert_eq!(
            p(r#"ip in [10.0.0.1, "2001:db8::/32"]"#),
            Expr::Or(vec![
                Expr::IpIn("10.0.0.1/32".parse().unwrap()),
                Expr::IpIn("2001:db8::/32".parse().unwrap())
            ])
        );
        // Addresses are normalised, so `2001:DB8::0001` finds `2001:db8::1`.
        assert_eq!(
            p("ip = 2001:DB8::0001"),
            cmp("ip", CmpOp::Eq, s("2001:db8::1"))
        );
        assert_eq!(p("ip = ::1"), cmp("ip", CmpOp::Eq, s("::1")));
    }

    #[test]
    fn precedence_not_over_and_over_or() {
        let (a, b, c) = (
            cmp("user", CmpOp::Eq, s("a")),
            cmp("user", CmpOp::Eq, s("b")),
            cmp("user", CmpOp::Eq, s("c")),
        );
        assert_eq!(
            p("user = a or user = b and user = c"),
            Expr::Or(vec![a.clone(), Expr::And(vec![b.clone(), c.clone()])])
        );
        assert_eq!(
            p("user = a and user = b or user = c"),
            Expr::Or(vec![Expr::And(vec![a.clone(), b.clone()]), c.clone()])
        );
        assert_eq!(
            p("not user = a and user = b"),
            Expr::And(vec![Expr::Not(Box::new(a.clone())), b.clone()])
        );
        assert_eq!(
            p("(user = a or user = b) and user = c"),
            Expr::And(vec![Expr::Or(vec![a.clone(), b.clone()]), c.clone()])
        );
        assert_eq!(
            p("not (user = a or user = b)"),
            Expr::Not(Box::new(Expr::Or(vec![a.clone(), b.clone()])))
        );
        assert_eq!(
            p("not not user = a"),
            Expr::Not(Box::new(Expr::Not(Box::new(a.clone()))))
        );
        assert_eq!(p("((user = a))"), a);
        assert_eq!(
            p("user = a or user = b or user = c"),
            Expr::Or(vec![a.clone(), b.clone(), c.clone()])
        );
    }

    #[test]
    fn keywords_are_case_insensitive() {
        assert_eq!(
            p("USER = a AND NOT action IN [update] Or Table = x"),
            p("user = a and not action in [update] or table = x")
        );
        assert_eq!(p("user NOT IN [a]"), p("user not in [a]"));
        assert_eq!(p("message CONTAINS x"), p("message contains x"));
        assert_eq!(
            p("CHANGED(a) and HAS(meta.k) and Search(x)"),
            p("changed(a) and has(meta.k) and search(x)")
        );
        assert_eq!(p("IP IN 10.0.0.0/8"), p("ip in 10.0.0.0/8"));
    }

    #[test]
    fn quoted_and_bare_values() {
        assert_eq!(p("user = alice"), p(r#"user = "alice""#));
        assert_eq!(p("user = 'alice'"), p(r#"user = "alice""#));
        assert_eq!(
            p(r#"message = "say \"hi\"\n\tit's \\ ok""#),
            cmp("message", CmpOp::Eq, s("say \"hi\"\n\tit's \\ ok"))
        );
        assert_eq!(
            p(r#"message = 'it\'s "x"'"#),
            cmp("message", CmpOp::Eq, s("it's \"x\""))
        );
        assert_eq!(
            p(r#"origin = "Control Panel""#),
            cmp("origin", CmpOp::Eq, s("Control Panel"))
        );
        assert_eq!(p("origin = Portal"), cmp("origin", CmpOp::Eq, s("Portal")));
        // Bare words follow `quick::bare_literal`; quoted values are always text.
        assert_eq!(
            p("meta.account_id = 1234"),
            cmp("meta.account_id", CmpOp::Eq, Literal::Number(1234.0))
        );
        assert_eq!(
            p(r#"meta.account_id = "1234""#),
            cmp("meta.account_id", CmpOp::Eq, s("1234"))
        );
        assert_eq!(
            p("after.settings.enabled = false"),
            cmp("after.settings.enabled", CmpOp::Eq, Literal::Bool(false))
        );
        assert_eq!(
            p(r#"after.x = "false""#),
            cmp("after.x", CmpOp::Eq, s("false"))
        );
        assert_eq!(
            p("reverts = null"),
            cmp("reverts", CmpOp::Eq, Literal::Null)
        );
        assert_eq!(
            p("meta.n > -1.5"),
            cmp("meta.n", CmpOp::Gt, Literal::Number(-1.5))
        );
        assert_eq!(
            p("table = policies"),
            cmp("table", CmpOp::Eq, s("policies"))
        );
        assert_eq!(p("action = UPDATE"), cmp("action", CmpOp::Eq, s("UPDATE")));
        assert_eq!(
            p("message = 10.0.0.1"),
            cmp("message", CmpOp::Eq, s("10.0.0.1"))
        );
        assert_eq!(
            p("pk = 42"),
            cmp("resource_id", CmpOp::Eq, Literal::Number(42.0))
        );
        // A text field keeps a number as it was written.
        assert_eq!(p("pk = 007"), cmp("resource_id", CmpOp::Eq, s("007")));
        assert_eq!(p("resource_id in [1.50]"), p(r#"resource_id in ["1.50"]"#));
        // Unicode passes through.
        assert_eq!(p("user = Jürgen"), cmp("user", CmpOp::Eq, s("Jürgen")));
        assert_eq!(p(""), Expr::All);
        assert_eq!(p("   "), Expr::All);
    }

    #[test]
    fn injection_looking_values_are_plain_strings() {
        assert_eq!(
            p(r#"user = "x'; DROP TABLE entries; --""#),
            cmp("user", CmpOp::Eq, s("x'; DROP TABLE entries; --"))
        );
        assert_eq!(
            p(r#"user = 'x" OR 1=1 --'"#),
            cmp("user", CmpOp::Eq, s("x\" OR 1=1 --"))
        );
        assert_eq!(
            p(r#"search("a\" OR b*")"#),
            Expr::Search("a\" OR b*".into())
        );
    }

    #[test]
    fn times() {
        let t = |text: &str| match p(text) {
            Expr::Compare {
                value: Literal::Time(t),
                ..
            } => t,
            other => panic!("{other:?}"),
        };
        assert_eq!(t("time >= -7d"), at("2026-11-17T12:00:00Z"));
        assert_eq!(t("time >= 2h"), at("2026-11-24T10:00:00Z"));
        assert_eq!(t("time < now"), now());
        assert_eq!(t("time < NOW"), now());
        assert_eq!(
            t("time >= 2026-11-01T10:00:00Z"),
            at("2026-11-01T10:00:00Z")
        );
        assert_eq!(
            t(r#"time >= "2026-11-01T10:00:00+02:00""#),
            at("2026-11-01T08:00:00Z")
        );
        assert_eq!(
            t("time >= 2026-11-01T10:00:00-05:30"),
            at("2026-11-01T15:30:00Z")
        );
        assert_eq!(
            t("time >= 2026-11-01"),
            timespec::parse("2026-11-01", now()).unwrap()
        );
        assert_eq!(
            t(r#"time >= "2026-11-01 10:00""#),
            timespec::parse("2026-11-01 10:00", now()).unwrap()
        );
        assert_eq!(t("time >= today"), timespec::parse("today", now()).unwrap());
        assert_eq!(
            t("time < yesterday"),
            timespec::parse("yesterday", now()).unwrap()
        );
        assert_eq!(
            p("time in [now, 2026-11-01T00:00:00Z]"),
            Expr::In {
                field: Field::Time,
                values: vec![
                    Literal::Time(now()),
                    Literal::Time(at("2026-11-01T00:00:00Z"))
                ]
            }
        );
        // Text operators look at the stored text of the time.
        assert_eq!(
            p(r#"time ~ "^2026-11""#),
            Expr::Regex {
                field: Field::Time,
                pattern: "^2026-11".into(),
                negated: false
            }
        );
    }

    #[test]
    fn paths_and_functions() {
        assert_eq!(
            p("after.rules[0].ports[12].from = 80"),
            cmp(
                "after.rules[0].ports[12].from",
                CmpOp::Eq,
                Literal::Number(80.0)
            )
        );
        assert_eq!(p("before[1] = x"), cmp("before[1]", CmpOp::Eq, s("x")));
        assert_eq!(
            p("meta.user_agent ~ curl"),
            Expr::Regex {
                field: f("meta.user_agent"),
                pattern: "curl".into(),
                negated: false
            }
        );
        assert_eq!(
            p("changed(settings.enabled)"),
            Expr::Changed(Path::parse("settings.enabled").unwrap())
        );
        assert_eq!(
            p("changed( rules[0].port )"),
            Expr::Changed(Path::parse("rules[0].port").unwrap())
        );
        assert_eq!(
            p("changed([2].name)"),
            Expr::Changed(Path(vec![Segment::Index(2), Segment::Key("name".into())]))
        );
        assert_eq!(
            p(r#"changed("display name")"#),
            Expr::Changed(Path(vec![Segment::Key("display name".into())]))
        );
        assert_eq!(p("has(before)"), Expr::Has(f("before")));
        assert_eq!(p("has(pk)"), Expr::Has(Field::ResourceId));
        assert_eq!(p("has(meta.request_id)"), Expr::Has(f("meta.request_id")));
        assert_eq!(
            p(r#"search("ingress 42")"#),
            Expr::Search("ingress 42".into())
        );
        assert_eq!(p("search(ingress 42)"), Expr::Search("ingress 42".into()));
        assert_eq!(
            p("seq in[1]"),
            Expr::In {
                field: Field::Seq,
                values: vec![Literal::Number(1.0)]
            }
        );
    }

    #[test]
    fn spec_examples_parse() {
        for text in [
            r#"user = "alice" and action in [UPDATE, DELETE] and time >= -7d"#,
            r#"table = policies and not (origin = Portal) and ip in 10.0.0.0/8"#,
            r#"after.settings.enabled = false and changed(settings.enabled)"#,
            r#"message ~ "(?i)firewall" or search("ingress 42")"#,
            r#"meta.account_id = 1234 and has(before)"#,
            r#"table = "policies" and changed(settings.enabled) and time >= -7d"#,
        ] {
            p(text);
        }
    }

    #[test]
    fn error_messages_and_positions() {
        let cases: &[(&str, &str, usize)] = &[
            ("user = ", "expected a value after '='", 7),
            ("user =   ", "expected a value after '='", 9),
            ("user", "expected an operator after field `user`", 4),
            ("user = alice)", "unexpected ')' with no '(' to close", 12),
            (
                "(user = alice",
                "expected ')' to close the '(' at column 1",
                13,
            ),
            (
                "user in [a, b",
                "expected ']' to close the list opened at column 9",
                13,
            ),
            (
                "user in [a b]",
                "expected ',' or ']' in the list opened at column 9, found `b`",
                11,
            ),
            (
                "user in [a, , b]",
                "expected a value in the list, found ','",
                12,
            ),
            (
                "usr = alice",
                "unknown field `usr` (did you mean `user`?)",
                0,
            ),
            (
                "user = a and acton = b",
                "unknown field `acton` (did you mean `action`?)",
                13,
            ),
            ("zzzzzz = 1", "unknown field `zzzzzz`", 0),
            (
                "user = \"abc",
                "unterminated string: expected a closing \" for the string that starts here",
                7,
            ),
            (
                "seq = abc",
                "expected a number after '=' for `seq`, found `abc`",
                6,
            ),
            (
                "seq = \"5\"",
                "expected a number after '=' for `seq`, found a quoted string",
                6,
            ),
            (
                "ip = hello",
                "expected an IP address after '=' for `ip`, found `hello`",
                5,
            ),
            (
                "ip < true",
                "expected an IP address after '<' for `ip`, found `true`",
                5,
            ),
            (
                "ip = 10.0.0.0/8",
                "`10.0.0.0/8` is a network: use `ip in 10.0.0.0/8` to match the addresses in it",
                5,
            ),
            (
                "user < null",
                "'<' cannot compare with null: use '= null' or '!= null'",
                7,
            ),
            (
                "meta.x >= true",
                "'>=' cannot compare with true or false: use '=' or '!='",
                10,
            ),
            ("not", "expected an expression after 'not'", 3),
            ("user = a and", "expected an expression after 'and'", 12),
            ("user = a or ", "expected an expression after 'or'", 12),
            ("and user = a", "expected an expression, found 'and'", 0),
            ("()", "unexpected ')': expected an expression after '('", 1),
            (
                "user = a b = c",
                "expected 'and', 'or' or the end of the expression, found `b` (join conditions with 'and' or 'or'; quote a value that contains spaces)",
                9,
            ),
            (
                "user = and",
                "expected a value after '=', found 'and' (quote it to mean the text: \"and\")",
                7,
            ),
            (
                "user == a",
                "write '=' to compare ('==' is not an operator)",
                5,
            ),
            (
                "user ! a",
                "unexpected '!': write 'not' to negate, or use the operators '!=' and '!~'",
                5,
            ),
            (
                "user in alice",
                "expected '[' after 'in' to start a list, e.g. user in [a, b], found `alice`",
                8,
            ),
            (
                "user = [a]",
                "expected a value after '=', found '[' (use `in [a, b]` to test a list)",
                7,
            ),
            (
                "user not = a",
                "expected 'in' or 'contains' after `user not`, found '='",
                9,
            ),
            (
                "\"user\" = a",
                "expected a field name, found a quoted string (field names take no quotes, e.g. user = \"alice\")",
                0,
            ),
            (
                "= a",
                "expected a field name, a function or '(', found '='",
                0,
            ),
            (
                "time >= tomorrow",
                "invalid time \"tomorrow\": expected RFC 3339, YYYY-MM-DD, 'YYYY-MM-DD HH:MM[:SS]', a duration ago such as 90s, 15m, 2h, 7d, 2w (or -7d), now, today or yesterday",
                8,
            ),
            (
                "time >= 2026-11-01 10:00",
                "a date with a time must be quoted: \"2026-11-01 10:00\"",
                8,
            ),
            (
                "time in [now, 2026-13-01]",
                "invalid time \"2026-13-01\": expected RFC 3339, YYYY-MM-DD, 'YYYY-MM-DD HH:MM[:SS]', a duration ago such as 90s, 15m, 2h, 7d, 2w (or -7d), now, today or yesterday",
                14,
            ),
            (
                "message ~ \"(\"",
                "invalid regular expression: unclosed group",
                10,
            ),
            (
                "message ~ null",
                "expected a regular expression after '~', found `null` (quote it: \"null\")",
                10,
            ),
            ("message ~", "expected a regular expression after '~'", 9),
            (
                "user contains 42",
                "expected the text to look for after 'contains', found `42` (quote it: \"42\")",
                14,
            ),
            (
                "ip in hello",
                "expected a network such as 10.0.0.0/8 or fd00::/8, an address, or a list of them after 'in', found `hello`",
                6,
            ),
            (
                "ip in [10.0.0.1, fd00::/200]",
                "expected a network such as 10.0.0.0/8 or fd00::/8, an address, or a list of them after 'in', found `fd00::/200`",
                17,
            ),
            (
                "chnged(x)",
                "unknown function `chnged` (did you mean `changed`?): the functions are changed(PATH), has(FIELD) and search(\"words\")",
                0,
            ),
            (
                "user(x)",
                "`user` is a field, not a function: write e.g. user = value",
                0,
            ),
            (
                "changed()",
                "expected a path inside changed(), e.g. changed(settings.enabled)",
                8,
            ),
            (
                "changed(a..b)",
                "invalid path `a..b`: write keys separated by dots and [n] for array items, e.g. changed(rules[0].port)",
                8,
            ),
            (
                "changed(a, b)",
                "expected ')' to close changed( at column 8, found ','",
                9,
            ),
            (
                "changed(a b)",
                "expected ')' to close changed( at column 8: changed() takes one argument",
                10,
            ),
            ("changed(a", "expected ')' to close changed( at column 8", 9),
            ("has(usr)", "unknown field `usr` (did you mean `user`?)", 4),
            (
                "has()",
                "expected a field inside has(), e.g. has(before)",
                4,
            ),
            (
                "search()",
                "expected the words to look for inside search(), e.g. search(\"ingress 42\")",
                7,
            ),
            (
                "user.name = x",
                "field `user` has no parts: only before, after and meta take a path (`user.name`)",
                0,
            ),
            (
                "after..x = 1",
                "invalid path `after..x`: write keys separated by dots and [n] for array items, e.g. after.rules[0].port",
                0,
            ),
            ("(user = a", "expected ')' to close the '(' at column 1", 9),
            (
                "(user = a b",
                "expected 'and', 'or' or ')' to close the '(' at column 1, found `b` (join conditions with 'and' or 'or'; quote a value that contains spaces)",
                10,
            ),
            (
                "user = 'a\\qb'",
                "unknown escape `\\q` in a string: the escapes are \\\" \\' \\\\ \\n and \\t",
                9,
            ),
            (
                "has(meta.\"a\\\"b\")",
                "expected ')' to close has( at column 4: has() takes one argument",
                9,
            ),
            (
                "has(\"meta.a\\\"b\")",
                "a key in a path cannot contain '\"'",
                4,
            ),
        ];
        for (text, message, pos) in cases {
            assert_eq!(fail(text), ((*message).to_owned(), *pos), "for {text:?}");
        }
    }

    #[test]
    fn rendered_errors_put_the_caret_under_the_problem() {
        let render = |text: &str| parse(text, now()).unwrap_err().to_string();
        assert_eq!(
            render("user = "),
            "expected a value after '='\n  user = \n         ^"
        );
        assert_eq!(
            render("usr = alice"),
            "unknown field `usr` (did you mean `user`?)\n  usr = alice\n  ^"
        );
        assert_eq!(
            render("user = a and (action = b"),
            "expected ')' to close the '(' at column 14\n  user = a and (action = b\n                          ^"
        );
        assert_eq!(
            render("user in [a, b"),
            "expected ']' to close the list opened at column 9\n  user in [a, b\n               ^"
        );
        // Columns count characters, not bytes.
        assert_eq!(
            render("user = \"Jürgen\" )"),
            "unexpected ')' with no '(' to close\n  user = \"Jürgen\" )\n                  ^"
        );
    }

    #[test]
    fn nesting_is_bounded() {
        let deep = format!("{}user = a{}", "(".repeat(100_000), ")".repeat(100_000));
        let (message, _) = fail(&deep);
        assert!(message.contains("nests too deeply"), "{message}");
        let nots = format!("{}user = a", "not ".repeat(100_000));
        assert!(fail(&nots).0.contains("nests too deeply"));
        let ok = format!("{}user = a{}", "(".repeat(50), ")".repeat(50));
        assert_eq!(p(&ok), cmp("user", CmpOp::Eq, s("a")));
    }

    mod props {
        use super::*;
        use proptest::prelude::*;

        const TOKENS: &[&str] = &[
            "user",
            "seq",
            "ip",
            "time",
            "after.a[0]",
            "meta.k",
            "pk",
            "=",
            "!=",
            "<",
            ">=",
            "~",
            "!~",
            "in",
            "contains",
            "and",
            "or",
            "not",
            "(",
            ")",
            "[",
            "]",
            ",",
            "\"x",
            "\"y\"",
            "'z'",
            "\\",
            "1",
            "-7d",
            "10.0.0.0/8",
            "fd00::/8",
            "null",
            "true",
            "changed(",
            "has(",
            "search(",
            "é",
            "\u{1F600}",
            "[0]",
            "",
            " ",
            "!",
            "==",
            "\"(\"",
            "\u{0}",
            "\u{1b}",
            "meta.\u{0}",
            "after.\"",
        ];

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(2000))]

            #[test]
            fn never_panics_on_arbitrary_text(text in any::<String>()) {
                let _ = parse(&text, now());
            }

            #[test]
            fn never_panics_on_token_soup(parts in prop::collection::vec(prop::sample::select(TOKENS), 0..14), glue in prop::bool::ANY) {
                let text = parts.join(if glue { "" } else { " " });
                match parse(&text, now()) {
                    Ok(_) => {}
                    Err(QueryError::Syntax { pos, expr, .. }) => {
                        prop_assert!(pos <= expr.len());
                        prop_assert!(expr.is_char_boundary(pos));
                    }
                    Err(other) => prop_assert!(false, "unexpected error kind {other:?}"),
                }
            }
        }
    }
}

//! Rust `regex` syntax as a PostgreSQL ARE that matches exactly the same texts. The two
//! syntaxes differ (`\d`, `\w`, `\s`, `\b` and `(?i)` are Unicode-aware in Rust and follow the
//! collation in PostgreSQL; `.` skips `\n` in Rust; PostgreSQL counts only up to 255), so the
//! pattern is parsed and written anew: every character class becomes the explicit list of the
//! code points that Rust's own engine puts in it (found by running it over every character),
//! case-insensitive letters become their case classes, anchors and word boundaries become
//! lookarounds, and big counts are split. Nothing is left to PostgreSQL's collation.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

/// Why a pattern has no PostgreSQL form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UnsupportedRegex {
    /// It does not compile in Rust: it matches nothing, in memory as in SQL.
    Invalid,
    /// It uses syntax this translation does not read.
    Unsupported(String),
}

type Result<T> = std::result::Result<T, UnsupportedRegex>;

fn unsupported<T>(why: impl Into<String>) -> Result<T> {
    Err(UnsupportedRegex::Unsupported(why.into()))
}

/// A Rust pattern (as `regex::Regex::new` reads it) as a PostgreSQL ARE for `~`.
pub fn regex_pattern(pattern: &str) -> Result<String> {
    if regex::Regex::new(pattern).is_err() {
        return Err(UnsupportedRegex::Invalid);
    }
    let mut parser = Parser {
        src: pattern,
        pos: 0,
    };
    let node = parser.alternation(&mut Flags::default())?;
    if parser.pos != pattern.len() {
        return unsupported("a `)` without its `(`");
    }
    let mut out = String::new();
    node.write(&mut out);
    Ok(out)
}

/// The flags in force at a point of the pattern (`U`, which swaps greed, changes no match).
#[derive(Debug, Clone, Copy)]
struct Flags {
    i: bool,
    m: bool,
    s: bool,
    x: bool,
    crlf: bool,
    unicode: bool,
}

impl Default for Flags {
    fn default() -> Self {
        Flags {
            i: false,
            m: false,
            s: false,
            x: false,
            crlf: false,
            unicode: true,
        }
    }
}

impl Flags {
    /// Applies a group's flags, `is-m` style.
    fn apply(&mut self, spec: &str) -> Result<()> {
        let mut on = true;
        for c in spec.chars() {
            match c {
                '-' => on = false,
                'i' => self.i = on,
                'm' => self.m = on,
                's' => self.s = on,
                'x' => self.x = on,
                'R' => self.crlf = on,
                'u' => self.unicode = on,
                'U' => {}
                _ => return unsupported(format!("the flag {c:?}")),
            }
        }
        Ok(())
    }

    /// A Rust group opening with the flags that decide what one character matches.
    fn group(&self) -> String {
        let mut on = String::new();
        for (set, c) in [
            (self.i, 'i'),
            (self.s, 's'),
            (self.crlf, 'R'),
            (self.x, 'x'),
        ] {
            if set {
                on.push(c);
            }
        }
        let off = if self.unicode { "" } else { "-u" };
        format!("(?{on}{off}:")
    }
}

/// Code point ranges, sorted, apart, without NUL (never in PostgreSQL text) and never across
/// the surrogates.
type Ranges = Vec<(u32, u32)>;

/// The parsed pattern: only what decides whether a text matches.
enum Node {
    Char(char),
    Set(Arc<Ranges>),
    /// A zero-width assertion, already in ARE syntax.
    Assert(String),
    Concat(Vec<Node>),
    Alt(Vec<Node>),
    Repeat(Box<Node>, u32, Option<u32>),
}

/// Matches nothing: one atom, so that it can be quantified.
const NEVER: &str = "[^\\u0001-\\U0010FFFF]";

impl Node {
    /// Whether it can match only the empty text: PostgreSQL refuses to quantify those.
    fn zero_width(&self) -> bool {
        match self {
            Node::Char(_) | Node::Set(_) => false,
            Node::Assert(_) => true,
            Node::Concat(parts) | Node::Alt(parts) => parts.iter().all(Node::zero_width),
            Node::Repeat(inner, _, max) => *max == Some(0) || inner.zero_width(),
        }
    }

    fn write(&self, out: &mut String) {
        match self {
            Node::Char(c) => write_char(*c, out),
            Node::Set(ranges) => write_set(ranges, out),
            Node::Assert(a) => out.push_str(a),
            Node::Concat(parts) => parts.iter().for_each(|part| part.write_grouped(out)),
            Node::Alt(branches) => {
                for (i, branch) in branches.iter().enumerate() {
                    if i > 0 {
                        out.push('|');
                    }
                    branch.write_grouped(out);
                }
            }
            Node::Repeat(inner, min, max) => write_repeat(inner, *min, *max, out),
        }
    }

    /// Writes it so that it stays one piece inside a concatenation.
    fn write_grouped(&self, out: &mut String) {
        if matches!(self, Node::Alt(_)) {
            out.push_str("(?:");
            self.write(out);
            out.push(')');
        } else {
            self.write(out);
        }
    }
}

/// PostgreSQL accepts counts up to 255: `x{n,m}` is written as pieces `x{a,b}x{c,d}…`
/// whose counts add up to the same range.
fn write_repeat(inner: &Node, mut min: u32, mut max: Option<u32>, out: &mut String) {
    const DUPMAX: u32 = 255;
    if inner.zero_width() {
        // Repeating an assertion once is the assertion; zero times, nothing.
        if min == 0 {
            out.push_str("(?:)");
        } else {
            inner.write(out);
        }
        return;
    }
    let mut atom = String::new();
    if matches!(inner, Node::Char(_) | Node::Set(_)) {
        inner.write(&mut atom);
    } else {
        atom.push_str("(?:");
        inner.write(&mut atom);
        atom.push(')');
    }
    loop {
        if min <= DUPMAX && max.is_none_or(|m| m <= DUPMAX) {
            out.push_str(&atom);
            out.push_str(&quantifier(min, max));
            return;
        }
        let lo = min.min(DUPMAX);
        let hi = max.map(|_| DUPMAX);
        out.push_str(&atom);
        out.push_str(&quantifier(lo, hi.or(Some(lo))));
        min -= lo;
        max = max.map(|m| m - DUPMAX);
    }
}

fn quantifier(min: u32, max: Option<u32>) -> String {
    match (min, max) {
        (0, None) => "*".into(),
        (1, None) => "+".into(),
        (0, Some(1)) => "?".into(),
        (n, None) => format!("{{{n},}}"),
        (n, Some(m)) if n == m => format!("{{{n}}}"),
        (n, Some(m)) => format!("{{{n},{m}}}"),
    }
}

/// One character as an ARE atom: ASCII letters and digits as they are, other printable
/// ASCII escaped, everything else by its code point.
fn write_char(c: char, out: &mut String) {
    if c.is_ascii_alphanumeric() || c == ' ' {
        out.push(c);
    } else if c.is_ascii_graphic() {
        out.push('\\');
        out.push(c);
    } else {
        write_code_point(c as u32, out);
    }
}

fn write_code_point(cp: u32, out: &mut String) {
    if cp <= 0xFFFF {
        out.push_str(&format!("\\u{cp:04X}"));
    } else {
        out.push_str(&format!("\\U{cp:08X}"));
    }
}

/// A set as a bracket expression of code point ranges, or of its complement when that is
/// shorter (`[^…]` matches `\n` too: the ARE is not newline-sensitive).
fn write_set(ranges: &Ranges, out: &mut String) {
    if ranges.is_empty() {
        out.push_str(NEVER);
        return;
    }
    let complement = complement(ranges);
    if complement.is_empty() {
        out.push('.');
        return;
    }
    let (list, negated) = if complement.len() < ranges.len() {
        (&complement, true)
    } else {
        (ranges, false)
    };
    out.push_str(if negated { "[^" } else { "[" });
    for &(lo, hi) in list {
        write_bracket_char(lo, out);
        if hi > lo {
            out.push('-');
            write_bracket_char(hi, out);
        }
    }
    out.push(']');
}

/// A range's end inside brackets: a letter or digit as it is, anything else (`]`, `^`, `-`,
/// `\\`) by its code point.
fn write_bracket_char(cp: u32, out: &mut String) {
    match char::from_u32(cp).filter(char::is_ascii_alphanumeric) {
        Some(c) => out.push(c),
        None => write_code_point(cp, out),
    }
}

/// The characters (NUL and surrogates aside) not in `ranges`.
fn complement(ranges: &Ranges) -> Ranges {
    let mut out = Ranges::new();
    let mut next = 1u32;
    for &(lo, hi) in ranges {
        if lo > next {
            push_range(&mut out, next, lo - 1);
        }
        next = hi + 1;
    }
    if next <= 0x10FFFF {
        push_range(&mut out, next, 0x10FFFF);
    }
    out
}

/// Appends `[lo, hi]` without its surrogates (which no text holds).
fn push_range(out: &mut Ranges, lo: u32, hi: u32) {
    for (a, b) in [(lo, hi.min(0xD7FF)), (lo.max(0xE000), hi)] {
        if a <= b {
            out.push((a, b));
        }
    }
}

/// Every character but NUL, in code point order: what a class is run over.
static ALL_CHARS: LazyLock<String> =
    LazyLock::new(|| (1..=0x10FFFFu32).filter_map(char::from_u32).collect());

/// Classes already run, by their Rust text with flags.
static SETS: LazyLock<Mutex<HashMap<String, Arc<Ranges>>>> =
    LazyLock::new(|| Mutex::new(HashMap::new()));

/// The characters one Rust atom (a class, `.`, `\pL`, a literal under `(?i)`) matches, as
/// Rust's engine decides: each run of matched characters is one range.
fn char_set(flags: &Flags, atom: &str) -> Result<Arc<Ranges>> {
    let group = format!("{}{atom})", flags.group());
    if let Some(hit) = SETS.lock().ok().and_then(|m| m.get(&group).cloned()) {
        return Ok(hit);
    }
    let Ok(re) = regex::Regex::new(&format!("{group}+")) else {
        return unsupported(format!("{atom} as a class"));
    };
    let mut ranges = Ranges::new();
    for m in re.find_iter(&ALL_CHARS) {
        let first = ALL_CHARS[m.start()..].chars().next();
        let last = ALL_CHARS[..m.end()].chars().next_back();
        if let (Some(lo), Some(hi)) = (first, last) {
            push_range(&mut ranges, lo as u32, hi as u32);
        }
    }
    let ranges = Arc::new(ranges);
    if let Ok(mut cache) = SETS.lock() {
        cache.insert(group, ranges.clone());
    }
    Ok(ranges)
}

fn set_of(chars: &[char]) -> Node {
    let mut cps: Vec<u32> = chars.iter().map(|&c| c as u32).collect();
    cps.sort_unstable();
    cps.dedup();
    Node::Set(Arc::new(cps.into_iter().map(|c| (c, c)).collect()))
}

/// A literal character under the flags in force.
fn literal(c: char, flags: &Flags) -> Result<Node> {
    if c == '\0' {
        return Ok(Node::Set(Arc::new(Ranges::new())));
    }
    if !flags.i || (c.is_ascii() && !c.is_ascii_alphabetic()) {
        return Ok(Node::Char(c));
    }
    if c.is_ascii() {
        let (lower, upper) = (c.to_ascii_lowercase(), c.to_ascii_uppercase());
        // Unicode simple case folding adds the Kelvin sign to k and the long s to s.
        let extra = match (flags.unicode, lower) {
            (true, 'k') => Some('\u{212A}'),
            (true, 's') => Some('\u{17F}'),
            _ => None,
        };
        let mut chars = vec![lower, upper];
        chars.extend(extra);
        return Ok(set_of(&chars));
    }
    if !flags.unicode {
        return Ok(Node::Char(c));
    }
    Ok(Node::Set(char_set(
        flags,
        &format!("\\x{{{:X}}}", c as u32),
    )?))
}

/// The word boundaries, built from the class `\w` under the flags in force.
#[derive(Clone, Copy)]
enum Boundary {
    Both,
    Not,
    Start,
    End,
    StartHalf,
    EndHalf,
}

fn boundary(kind: Boundary, flags: &Flags) -> Result<Node> {
    let mut w = String::new();
    write_set(&*char_set(flags, "\\w")?, &mut w);
    let (after_w, before_w) = (format!("(?<={w})"), format!("(?={w})"));
    let (after_other, before_other) = (format!("(?<!{w})"), format!("(?!{w})"));
    let sql = match kind {
        Boundary::Both => format!("{after_w}{before_other}|{after_other}{before_w}"),
        Boundary::Not => format!("{after_w}{before_w}|{after_other}{before_other}"),
        Boundary::Start => format!("{after_other}{before_w}"),
        Boundary::End => format!("{after_w}{before_other}"),
        Boundary::StartHalf => after_other,
        Boundary::EndHalf => before_other,
    };
    Ok(Node::Assert(format!("(?:{sql})")))
}

/// `^` and `$`: the text's ends, or also the lines' under `m` (where `R` makes `\r\n` one
/// line end, never split).
fn line_anchor(start: bool, flags: &Flags) -> Node {
    let sql = match (start, flags.m, flags.crlf) {
        (true, false, _) => "^",
        (false, false, _) => "$",
        (true, true, false) => "(?:^|(?<=\\n))",
        (false, true, false) => "(?:$|(?=\\n))",
        (true, true, true) => "(?:^|(?<=\\n)|(?<=\\r)(?!\\n))",
        (false, true, true) => "(?:$|(?=\\r)|(?<!\\r)(?=\\n))",
    };
    Node::Assert(sql.into())
}

/// A parser for what `regex-syntax` accepts; it runs only on patterns that compiled, so it
/// needs to find structure, not to report errors well.
struct Parser<'a> {
    src: &'a str,
    pos: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<char> {
        self.src[self.pos..].chars().next()
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn eat(&mut self, s: &str) -> bool {
        let hit = self.src[self.pos..].starts_with(s);
        if hit {
            self.pos += s.len();
        }
        hit
    }

    /// Under `x`, whitespace and `#` comments between the pieces mean nothing.
    fn skip_space(&mut self, flags: &Flags) {
        if !flags.x {
            return;
        }
        while let Some(c) = self.peek() {
            if c.is_whitespace() {
                self.bump();
            } else if c == '#' {
                while self.bump().is_some_and(|c| c != '\n') {}
            } else {
                break;
            }
        }
    }

    /// Branches up to a `)` or the end. A `(?i)` inside changes `flags` up to the end of
    /// the enclosing group, later branches included.
    fn alternation(&mut self, flags: &mut Flags) -> Result<Node> {
        let mut branches = Vec::new();
        let mut seq = Vec::new();
        loop {
            self.skip_space(flags);
            let Some(c) = self.peek() else { break };
            match c {
                ')' => break,
                '|' => {
                    self.bump();
                    branches.push(Node::Concat(std::mem::take(&mut seq)));
                }
                '(' => {
                    if let Some(group) = self.group(flags)? {
                        seq.push(group);
                    }
                }
                '?' | '*' | '+' => {
                    self.bump();
                    let (min, max) = match c {
                        '?' => (0, Some(1)),
                        '*' => (0, None),
                        _ => (1, None),
                    };
                    repeat(&mut seq, min, max)?;
                    // Laziness changes which match, not whether one exists.
                    self.eat("?");
                }
                '{' => {
                    let (min, max) = self.counts()?;
                    repeat(&mut seq, min, max)?;
                    self.skip_space(flags);
                    self.eat("?");
                }
                '[' => {
                    let class = self.class_text(flags)?;
                    seq.push(Node::Set(char_set(flags, class)?));
                }
                _ => seq.push(self.primitive(flags)?),
            }
        }
        branches.push(Node::Concat(seq));
        Ok(if branches.len() == 1 {
            branches.remove(0)
        } else {
            Node::Alt(branches)
        })
    }

    /// A group, or `None` for flags alone (`(?i)`), which change `flags` instead.
    fn group(&mut self, flags: &mut Flags) -> Result<Option<Node>> {
        self.bump();
        self.skip_space(flags);
        let mut inner = *flags;
        if self.eat("?P<") || self.eat("?<") {
            while self.bump().is_some_and(|c| c != '>') {}
        } else if self.eat("?") {
            let start = self.pos;
            while self.peek().is_some_and(|c| c != ':' && c != ')') {
                self.bump();
            }
            let spec = &self.src[start..self.pos];
            if self.bump() == Some(')') {
                flags.apply(spec)?;
                return Ok(None);
            }
            inner.apply(spec)?;
        }
        let node = self.alternation(&mut inner)?;
        if self.bump() != Some(')') {
            return unsupported("a `(` without its `)`");
        }
        Ok(Some(node))
    }

    /// `{n}`, `{n,}` or `{n,m}` (whitespace allowed around the numbers).
    fn counts(&mut self) -> Result<(u32, Option<u32>)> {
        let Some(len) = self.src[self.pos..].find('}') else {
            return unsupported("a `{` without its `}`");
        };
        let inner: String = self.src[self.pos + 1..self.pos + len]
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        self.pos += len + 1;
        let number = |s: &str| s.parse::<u32>().ok();
        let counts = match inner.split_once(',') {
            None => number(&inner).map(|n| (n, Some(n))),
            Some((lo, "")) => number(lo).map(|n| (n, None)),
            Some((lo, hi)) => number(lo).zip(number(hi)).map(|(n, m)| (n, Some(m))),
        };
        counts.map_or_else(|| unsupported(format!("the count {{{inner}}}")), Ok)
    }

    /// The text of a bracket class: the shortest that compiles as one, since a class ends
    /// at the first `]` that closes it.
    fn class_text(&mut self, flags: &Flags) -> Result<&str> {
        let start = self.pos;
        let src = self.src;
        for (i, _) in src[start + 1..].match_indices(']') {
            let end = start + 1 + i + 1;
            let text = &src[start..end];
            if regex::Regex::new(&format!("{}{text})", flags.group())).is_ok() {
                self.pos = end;
                return Ok(text);
            }
        }
        unsupported("a class without its `]`")
    }

    /// The shortest escape from `start` that compiles (`\x41`, `\x{41}`, `\pL`, `\p{Greek}`).
    fn escape_text(&mut self, start: usize, flags: &Flags) -> Result<&str> {
        let src = self.src;
        let ends = src[self.pos..]
            .char_indices()
            .map(|(i, c)| self.pos + i + c.len_utf8());
        for end in ends {
            let text = &src[start..end];
            if regex::Regex::new(&format!("{}{text})", flags.group())).is_ok() {
                self.pos = end;
                return Ok(text);
            }
        }
        unsupported("an escape")
    }

    fn primitive(&mut self, flags: &Flags) -> Result<Node> {
        let start = self.pos;
        let Some(c) = self.bump() else {
            return unsupported("an empty piece");
        };
        match c {
            '\\' => self.escape(start, flags),
            '.' => Ok(Node::Set(char_set(flags, ".")?)),
            '^' => Ok(line_anchor(true, flags)),
            '$' => Ok(line_anchor(false, flags)),
            c => literal(c, flags),
        }
    }

    fn escape(&mut self, start: usize, flags: &Flags) -> Result<Node> {
        let Some(c) = self.bump() else {
            return unsupported("a `\\` at the end");
        };
        let control = |c: char| literal(c, flags);
        match c {
            'x' | 'u' | 'U' => {
                let text = self.escape_text(start, flags)?;
                literal(hex_char(text)?, flags)
            }
            'p' | 'P' => {
                let text = self.escape_text(start, flags)?;
                Ok(Node::Set(char_set(flags, text)?))
            }
            'd' | 's' | 'w' | 'D' | 'S' | 'W' => {
                Ok(Node::Set(char_set(flags, &self.src[start..self.pos])?))
            }
            'a' => control('\x07'),
            'f' => control('\x0C'),
            't' => control('\t'),
            'n' => control('\n'),
            'r' => control('\r'),
            'v' => control('\x0B'),
            'A' => Ok(Node::Assert("^".into())),
            'z' => Ok(Node::Assert("$".into())),
            'b' => {
                let kind = self.special_boundary(flags)?.unwrap_or(Boundary::Both);
                boundary(kind, flags)
            }
            'B' => boundary(Boundary::Not, flags),
            '<' => boundary(Boundary::Start, flags),
            '>' => boundary(Boundary::End, flags),
            c if c.is_ascii() && !c.is_ascii_alphanumeric() => Ok(Node::Char(c)),
            c => unsupported(format!("the escape \\{c}")),
        }
    }

    /// `\b{start}`, `\b{end}`, `\b{start-half}`, `\b{end-half}`; `None` when the `{` after
    /// `\b` opens a count instead (`\b{2}`), as `regex-syntax` decides.
    fn special_boundary(&mut self, flags: &Flags) -> Result<Option<Boundary>> {
        let back = self.pos;
        if !self.eat("{") {
            return Ok(None);
        }
        let is_name = |c: char| c.is_ascii_alphabetic() || c == '-';
        self.skip_space(flags);
        if !self.peek().is_some_and(is_name) {
            self.pos = back;
            return Ok(None);
        }
        let mut name = String::new();
        while let Some(c) = self.peek().filter(|&c| is_name(c)) {
            name.push(c);
            self.bump();
            self.skip_space(flags);
        }
        self.eat("}");
        Ok(Some(match name.as_str() {
            "start" => Boundary::Start,
            "end" => Boundary::End,
            "start-half" => Boundary::StartHalf,
            "end-half" => Boundary::EndHalf,
            _ => return unsupported(format!("the boundary \\b{{{name}}}")),
        }))
    }
}

fn repeat(seq: &mut Vec<Node>, min: u32, max: Option<u32>) -> Result<()> {
    let Some(last) = seq.pop() else {
        return unsupported("a repetition of nothing");
    };
    seq.push(Node::Repeat(Box::new(last), min, max));
    Ok(())
}

/// The character of `\x41`, `\x{41}`, `\u0041`, `\U00000041` (and their spaced `x` forms).
fn hex_char(text: &str) -> Result<char> {
    if text.contains('#') {
        return unsupported("a comment inside an escape");
    }
    let digits: String = text
        .chars()
        .skip(2)
        .filter(char::is_ascii_hexdigit)
        .collect();
    match u32::from_str_radix(&digits, 16)
        .ok()
        .and_then(char::from_u32)
    {
        Some(c) => Ok(c),
        None => unsupported(format!("the escape {text}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pg(p: &str) -> String {
        regex_pattern(p).unwrap()
    }

    #[test]
    fn plain_patterns_stay_readable() {
        assert_eq!(pg("^upd"), "^upd");
        assert_eq!(pg(r"a\.b$"), r"a\.b$");
        assert_eq!(pg("x y|z"), "x y|z");
        assert_eq!(pg("(?:ab)+c?"), "(?:ab)+c?");
        assert_eq!(pg("a.c"), r"a[^\u000A]c");
        assert_eq!(pg("(?s)a.c"), "a.c");
        assert_eq!(pg("(?i)ok"), "[Oo][Kk\\u212A]");
        assert_eq!(pg("a{300}"), "a{255}a{45}");
        assert_eq!(pg("a{2,300}"), "a{2,255}a{0,45}");
        assert_eq!(pg("a{256,}"), "a{255}a+");
        assert_eq!(pg("^*a"), "(?:)a");
        assert_eq!(pg(r"\x00"), NEVER);
        assert_eq!(regex_pattern("("), Err(UnsupportedRegex::Invalid));
    }

    /// Each ASCII letter's case class under `(?i)` is what Rust's engine matches.
    #[test]
    fn ascii_case_classes_are_rusts() {
        for c in ('a'..='z').chain('A'..='Z') {
            let Node::Set(mine) = literal(
                c,
                &Flags {
                    i: true,
                    ..Flags::default()
                },
            )
            .unwrap() else {
                panic!("{c} is a set under (?i)")
            };
            let rust = char_set(&Flags::default(), &format!("(?i){c}")).unwrap();
            assert_eq!(*mine, *rust, "{c}");
        }
    }
}

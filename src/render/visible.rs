//! Text from events as it may reach a terminal: the one place where control characters and
//! bidirectional controls are made visible, so that no value (a user name, a message, a key)
//! can move the cursor, clear a line, ring the bell, or reorder what a reviewer reads.

use std::borrow::Cow;

/// Whether a character must not reach a terminal as it is: C0 and C1 controls, DEL, the line
/// and paragraph separators, and every format character (Unicode category Cf): the
/// bidirectional controls and marks, and the invisible ones — zero-width space and joiners,
/// the byte-order mark, the soft hyphen, tags — with which `recorded_by\u{200b}` would read as
/// `recorded_by`.
fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{00ad}'
                | '\u{0600}'..='\u{0605}'
                | '\u{061c}'
                | '\u{06dd}'
                | '\u{070f}'
                | '\u{0890}'..='\u{0891}'
                | '\u{08e2}'
                | '\u{180e}'
                | '\u{200b}'..='\u{200f}'
                | '\u{2028}'..='\u{202e}'
                | '\u{2060}'..='\u{2064}'
                | '\u{2066}'..='\u{206f}'
                | '\u{feff}'
                | '\u{fff9}'..='\u{fffb}'
                | '\u{110bd}'
                | '\u{110cd}'
                | '\u{13430}'..='\u{1343f}'
                | '\u{1bca0}'..='\u{1bca3}'
                | '\u{1d173}'..='\u{1d17a}'
                | '\u{e0001}'
                | '\u{e0020}'..='\u{e007f}'
        )
}

/// `text` with every hidden character written as an escape: `\e`, `\r`, `\b`, `\a`, `\0`,
/// `\t`, `\n`, `\v`, `\f`, else `\u{XX}` (`\u{202e}`). With `lines`, newlines and tabs stay
/// (multi-line text shown as its lines). Text with nothing to escape is returned as it is.
pub fn visible(text: &str, lines: bool) -> Cow<'_, str> {
    let keep = |c: char| lines && (c == '\n' || c == '\t');
    if !text.chars().any(|c| is_hidden(c) && !keep(c)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if !is_hidden(c) || keep(c) {
            out.push(c);
            continue;
        }
        match c {
            '\u{1b}' => out.push_str("\\e"),
            '\r' => out.push_str("\\r"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{7}' => out.push_str("\\a"),
            '\0' => out.push_str("\\0"),
            '\u{b}' => out.push_str("\\v"),
            '\u{c}' => out.push_str("\\f"),
            other => out.push_str(&format!("\\u{{{:x}}}", u32::from(other))),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn escapes_say_what_was_there() {
        assert_eq!(visible("eve\u{1b}[2K\rroot", false), "eve\\e[2K\\rroot");
        assert_eq!(visible("abc\u{202e}fed", false), "abc\\u{202e}fed");
        assert_eq!(
            visible("recorded_by\u{200b}", false),
            "recorded_by\\u{200b}"
        );
        assert_eq!(visible("\u{feff}a\u{ad}b", false), "\\u{feff}a\\u{ad}b");
        assert_eq!(visible("a\tb\nc", false), "a\\tb\\nc");
        assert_eq!(visible("a\tb\nc", true), "a\tb\nc");
        assert_eq!(
            visible("bell\u{7}\u{9b}31m\u{7f}", true),
            "bell\\a\\u{9b}31m\\u{7f}"
        );
        assert!(matches!(visible("plain Grüße ✓", false), Cow::Borrowed(_)));
    }

    proptest! {
        /// Whatever the text, nothing hidden is left (but kept line breaks), and text without
        /// anything hidden is left alone.
        #[test]
        fn nothing_hidden_gets_through(text in any::<String>(), lines in any::<bool>()) {
            let shown = visible(&text, lines);
            prop_assert!(shown
                .chars()
                .all(|c| !is_hidden(c) || (lines && (c == '\n' || c == '\t'))));
            if !text.chars().any(is_hidden) {
                prop_assert_eq!(shown.as_ref(), text.as_str());
            }
        }
    }
}

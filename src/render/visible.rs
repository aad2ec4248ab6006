//! Text from events as it may reach a terminal: the one place where control characters and
//! bidirectional controls are made visible, so that no value (a user name, a message, a key)
//! can move the cursor, clear a line, ring the bell, or reorder what a reviewer reads.

use std::borrow::Cow;

/// Whether a character must not reach a terminal as it is: C0 and C1 controls, DEL, the
/// bidirectional controls and marks (U+061C, U+200E/F, U+202A–U+202E, U+2066–U+2069), and the
/// line and paragraph separators.
fn is_hidden(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}'
                | '\u{200e}'
                | '\u{200f}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
                | '\u{2028}'
                | '\u{2029}'
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

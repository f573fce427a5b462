//! Text from inputs (log lines, console exports) made safe for a terminal:
//! control bytes and Unicode bidirectional controls are shown as escapes,
//! so a crafted log line cannot move the cursor, recolour the screen or
//! reorder what the reader sees.

/// `s` with control characters (C0, DEL, C1) and bidi controls (U+061C,
/// U+200E/F, U+202A–U+202E, U+2066–U+2069) replaced by `\u{…}` escapes.
pub fn escape(s: &str) -> String {
    if !s.chars().any(needs_escape) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if needs_escape(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        )
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn controls_and_bidi_are_escaped() {
        assert_eq!(escape("plain text"), "plain text");
        assert_eq!(escape("a\x1b[31mred"), "a\\u{1b}[31mred");
        assert_eq!(escape("x\u{202e}y"), "x\\u{202e}y");
        assert_eq!(escape("tab\there"), "tab\\u{9}here");
        assert_eq!(escape("\u{85}"), "\\u{85}");
    }
}

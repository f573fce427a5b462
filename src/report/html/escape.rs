//! HTML escaping for everything that comes from input: packet contents,
//! identities, file names, console lines. Besides the five HTML
//! metacharacters, the characters the terminal escaper refuses
//! ([`term::is_unsafe`]: C0, DEL, C1, bidirectional controls, line and
//! paragraph separators) are shown as the same visible escapes, so a crafted
//! identity cannot reorder or hide the text around it (Trojan Source,
//! CVE-2021-42574). Line feeds and tabs stay: HTML lays them out itself.

use crate::report::term;

/// A character that must be shown as an escape rather than as itself.
fn hidden(c: char) -> bool {
    c != '\n' && c != '\t' && term::is_unsafe(c)
}

/// Escape text for HTML element content and quoted attribute values.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if hidden(c) => term::push_escaped(&mut out, c),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn metacharacters_controls_and_bidi() {
        assert_eq!(
            esc("<script>alert('x')&\"</script>"),
            "&lt;script&gt;alert(&#39;x&#39;)&amp;&quot;&lt;/script&gt;"
        );
        assert_eq!(esc("a\u{1b}[31mb"), "a\\x1b[31mb");
        assert_eq!(esc("id\u{202e}gpj.exe"), "id\\u{202e}gpj.exe");
        assert_eq!(esc("\u{85}\u{2066}\u{2028}x"), "\\x85\\u{2066}\\u{2028}x");
        assert_eq!(esc("tab\tok"), "tab\tok");
    }
}

//! HTML escaping for everything that comes from input: packet contents,
//! identities, file names, console lines. Besides the five HTML
//! metacharacters, control characters (C0, DEL, C1) and Unicode
//! bidirectional controls (U+061C, U+200E/F, U+202A–202E, U+2066–2069) are
//! shown as visible `\u{…}` escapes, so a crafted identity cannot reorder or
//! hide the text around it (Trojan Source, CVE-2021-42574).

use std::fmt::Write as _;

/// A character that must be shown as an escape rather than as itself.
fn hidden(c: char) -> bool {
    let u = c as u32;
    (u < 0x20 && c != '\n' && c != '\t')
        || (0x7f..=0x9f).contains(&u)
        || u == 0x061c
        || u == 0x200e
        || u == 0x200f
        || (0x202a..=0x202e).contains(&u)
        || (0x2066..=0x2069).contains(&u)
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
            c if hidden(c) => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
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
        assert_eq!(esc("a\u{1b}[31mb"), "a\\u{1b}[31mb");
        assert_eq!(esc("id\u{202e}gpj.exe"), "id\\u{202e}gpj.exe");
        assert_eq!(esc("\u{85}\u{2066}x"), "\\u{85}\\u{2066}x");
        assert_eq!(esc("tab\tok"), "tab\tok");
    }
}

//! Text made safe for the markup the review writes: XML/HTML (the report and
//! the SVG graph), Markdown text and Markdown code spans.
//!
//! Text from a scenario (its description, names, file paths) is data, never
//! markup: it must not open a tag, a link or an emphasis, nor end a code
//! span, nor hold a character XML forbids (control characters, which would
//! make `report.html` unreadable to an XML parser). Such characters become
//! U+FFFD (�), so that something visibly stands where they were.

/// What stands in for a character XML 1.0 does not allow.
const REPLACEMENT: char = '\u{FFFD}';

/// True for a character allowed in an XML 1.0 document (tab, line feed,
/// carriage return, and everything from U+0020 except U+FFFE and U+FFFF;
/// Rust strings hold no surrogates).
fn xml_allowed(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{FFFE}' && c != '\u{FFFF}')
}

/// Text for XML and HTML, in element content and in quoted attributes.
pub fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c if xml_allowed(c) => out.push(c),
            _ => out.push(REPLACEMENT),
        }
    }
    out
}

/// Text for Markdown, within a line (a heading, a table cell, a sentence):
/// what would start HTML or an entity is written as an entity (`<`, `&`),
/// Markdown's inline punctuation is backslash-escaped (`\` `` ` `` `*` `_`
/// `[` `]` `|` `~`), and line breaks become spaces. `>` is left alone: it
/// means something only at the start of a line or after a `<`.
pub fn markdown(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '\t' | '\n' | '\r' => out.push(' '),
            c if xml_allowed(c) => out.push(c),
            _ => out.push(REPLACEMENT),
        }
    }
    out
}

/// Free text as one Markdown paragraph: its lines joined (as HTML shows
/// them), escaped as [`markdown`], and a first character that would start a
/// heading, quote or list escaped too.
pub fn markdown_paragraph(s: &str) -> String {
    let joined = s.split_whitespace().collect::<Vec<_>>().join(" ");
    let text = markdown(&joined);
    let digits = text.chars().take_while(char::is_ascii_digit).count();
    match text[digits..].chars().next() {
        Some('.' | ')') if digits > 0 => format!("{}\\{}", &text[..digits], &text[digits..]),
        Some('#' | '>' | '+' | '-' | '=') if digits == 0 => format!("\\{text}"),
        _ => text,
    }
}

/// `s` as a Markdown code span: fenced by more backticks than the longest
/// run inside it, padded with a space where it starts or ends with a
/// backtick (or would otherwise lose a space); line breaks become spaces.
pub fn code_span(s: &str) -> String {
    let body: String = s
        .chars()
        .map(|c| match c {
            '\t' | '\n' | '\r' => ' ',
            c if xml_allowed(c) => c,
            _ => REPLACEMENT,
        })
        .collect();
    let mut longest = 0;
    let mut run = 0;
    for c in body.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    let spaced = body.starts_with(' ') && body.ends_with(' ') && body.trim() != "";
    let pad = if body.starts_with('`') || body.ends_with('`') || spaced {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{body}{pad}{fence}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_escapes_markup_and_replaces_forbidden_characters() {
        assert_eq!(xml("a<b & \"c\">"), "a&lt;b &amp; &quot;c&quot;&gt;");
        assert_eq!(xml("bell\u{7}\ttab\u{FFFF}"), "bell\u{FFFD}\ttab\u{FFFD}");
    }

    #[test]
    fn markdown_text_cannot_open_html_links_or_emphasis() {
        assert_eq!(
            markdown("<script>alert(1)</script>"),
            "&lt;script>alert(1)&lt;/script>"
        );
        assert_eq!(
            markdown("[x](javascript:y) *a* _b_"),
            "\\[x\\](javascript:y) \\*a\\* \\_b\\_"
        );
        assert_eq!(
            markdown("a|b `c` \\ ~d~ &amp;"),
            "a\\|b \\`c\\` \\\\ \\~d\\~ &amp;amp;"
        );
        assert_eq!(markdown("line\nbreak\u{1}"), "line break\u{FFFD}");
        assert_eq!(markdown("planner->search step#2"), "planner->search step#2");
    }

    #[test]
    fn a_paragraph_cannot_start_a_block() {
        assert_eq!(markdown_paragraph("# not a heading"), "\\# not a heading");
        assert_eq!(markdown_paragraph("> quote"), "\\> quote");
        assert_eq!(markdown_paragraph("1. item"), "1\\. item");
        assert_eq!(
            markdown_paragraph("- item\n\n<img src=x>"),
            "\\- item &lt;img src=x>"
        );
        assert_eq!(markdown_paragraph("2024 was fine"), "2024 was fine");
    }

    #[test]
    fn a_code_span_is_fenced_longer_than_any_backtick_run() {
        assert_eq!(code_span("coordsim run a.toml"), "`coordsim run a.toml`");
        assert_eq!(code_span("a`b"), "``a`b``");
        assert_eq!(code_span("x ``` y"), "````x ``` y````");
        assert_eq!(code_span("`tick"), "`` `tick ``");
        assert_eq!(code_span(" both "), "`  both  `");
        assert_eq!(code_span("two\n\nlines"), "`two  lines`");
    }
}

//! Where a problem is in a TOML file: line and column from its field path.
//!
//! Checks report fields by path (`nodes[2] (generate).latency.mean`); this
//! module walks the same path through the file parsed with spans and gives
//! the position of the field's key, or of the deepest enclosing table or
//! array element present in the file when the field itself is not written
//! (a missing field, a value inherited from `[defaults.edge]`). JSON files
//! are not located: serde_json keeps no spans, so their checks give no
//! line and column (their syntax and type errors do).

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::problem::Problem;

/// One step of a field path.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    /// A table key.
    Key(String),
    /// An array index.
    Index(usize),
}

/// Fills in the location of every problem that has none, from the TOML
/// `text` the problems were found in. Problems about command-line options
/// (`--trials`) and files that do not parse are left as they are.
pub fn attach_locations(problems: &mut [Problem], text: &str) {
    if problems.iter().all(|p| p.location.is_some()) {
        return;
    }
    let Ok(doc) = DeTable::parse(text) else {
        return;
    };
    for p in problems.iter_mut().filter(|p| p.location.is_none()) {
        if let Some(offset) = offset_of(&doc, &p.field) {
            p.location = Some(line_col(text, offset));
        }
    }
}

/// Byte offset of `field` (or of its deepest enclosing part written in the file).
fn offset_of(doc: &Spanned<DeTable<'_>>, field: &str) -> Option<usize> {
    if field.starts_with('-') {
        return None;
    }
    // "A + B" (two fields that together break a rule): point at the first.
    let field = field.split(" + ").next().unwrap_or(field);
    let segments = parse_path(field);
    let mut best = doc.span().start;
    let mut value: Option<&DeValue<'_>> = None;
    let mut table: &DeTable<'_> = doc.get_ref();
    for seg in &segments {
        match (seg, value) {
            (Segment::Key(name), None | Some(DeValue::Table(_))) => {
                if let Some(DeValue::Table(t)) = value {
                    table = t;
                }
                let Some((k, v)) = table.iter().find(|(k, _)| k.get_ref() == name) else {
                    break;
                };
                best = k.span().start;
                value = Some(v.get_ref());
            }
            (Segment::Index(i), Some(DeValue::Array(items))) => {
                let Some(item) = items.get(*i) else { break };
                best = element_start(item);
                value = Some(item.get_ref());
            }
            _ => break,
        }
    }
    Some(best)
}

/// Where an array element starts: an inline value at its own span; a table
/// of an array of tables (`[[nodes]]`) at its first key when its span is empty.
fn element_start(item: &Spanned<DeValue<'_>>) -> usize {
    let span = item.span();
    match item.get_ref() {
        DeValue::Table(t) if span.is_empty() => t
            .iter()
            .map(|(k, _)| k.span().start)
            .min()
            .unwrap_or(span.start),
        _ => span.start,
    }
}

/// The value `field` (a problem's path, e.g. `nodes[2] (generate).latency`)
/// names in a scenario document, or that of its deepest enclosing part
/// present in it, with the number of path segments reached.
pub fn value_at<'d>(doc: &'d toml::Table, field: &str) -> (usize, Option<&'d toml::Value>) {
    let field = field.split(" + ").next().unwrap_or(field);
    let mut reached = (0, None);
    let mut table = Some(doc);
    let mut value: Option<&toml::Value> = None;
    for (depth, seg) in parse_path(field).iter().enumerate() {
        let next = match seg {
            Segment::Key(name) => table.and_then(|t| t.get(name)),
            Segment::Index(i) => value
                .and_then(toml::Value::as_array)
                .and_then(|a| a.get(*i)),
        };
        let Some(next) = next else { break };
        value = Some(next);
        table = next.as_table();
        reached = (depth + 1, Some(next));
    }
    reached
}

/// `nodes[2] (generate).latency.mean` → `nodes`, 2, `latency`, `mean`.
/// The labels in parentheses only name the entry and are skipped.
fn parse_path(field: &str) -> Vec<Segment> {
    let mut out = Vec::new();
    let mut rest = field;
    while !rest.is_empty() {
        let end = rest.find(['.', '[', ' ']).unwrap_or(rest.len());
        if end > 0 {
            out.push(Segment::Key(rest[..end].to_string()));
        }
        rest = &rest[end..];
        // Indices.
        while let Some(after) = rest.strip_prefix('[') {
            let Some(close) = after.find(']') else {
                return out;
            };
            match after[..close].parse() {
                Ok(i) => out.push(Segment::Index(i)),
                Err(_) => return out,
            }
            rest = &after[close + 1..];
        }
        // A label: " (id)" up to the ")" that ends the segment.
        if let Some(after) = rest.strip_prefix(" (") {
            let close = after
                .match_indices(')')
                .map(|(i, _)| i)
                .find(|&i| after[i + 1..].is_empty() || after[i + 1..].starts_with('.'));
            let Some(close) = close else { return out };
            rest = &after[close + 1..];
        }
        match rest.strip_prefix('.') {
            Some(r) => rest = r,
            None if rest.is_empty() => {}
            None => return out,
        }
    }
    out
}

/// 1-based line and column (in characters) of byte `offset` in `text`.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn locate(text: &str, field: &str) -> Option<(usize, usize)> {
        let mut p = [Problem {
            location: None,
            field: field.into(),
            message: String::new(),
        }];
        attach_locations(&mut p, text);
        p[0].location
    }

    #[test]
    fn paths_are_split_into_keys_and_indices() {
        use Segment::*;
        assert_eq!(
            parse_path("nodes[2] (a->b.c).latency.mean"),
            vec![
                Key("nodes".into()),
                Index(2),
                Key("latency".into()),
                Key("mean".into())
            ]
        );
        assert_eq!(
            parse_path("workload.schedule[1][0]"),
            vec![
                Key("workload".into()),
                Key("schedule".into()),
                Index(1),
                Index(0)
            ]
        );
        assert_eq!(parse_path("name"), vec![Key("name".into())]);
    }

    #[test]
    fn fields_are_found_or_their_enclosing_entry() {
        let text = "name = \"x\"\n[[nodes]]\nid = \"a\"\nkind = \"llm\"\n\n[[nodes]]\nid = \"b\"\nlatency = { dist = \"fixed\", value = -1 }\n[workload]\nschedule = [[0, 1], [5, -2]]\n";
        assert_eq!(locate(text, "name"), Some((1, 1)));
        assert_eq!(locate(text, "nodes[1] (b).latency.value"), Some((8, 29)));
        assert_eq!(locate(text, "nodes[1] (b).sensitivity"), Some((6, 1)));
        assert_eq!(
            locate(text, "nodes[0] (a).silent + nodes[0] (a).loud"),
            Some((2, 1))
        );
        assert_eq!(locate(text, "workload.schedule[1][1]"), Some((10, 25)));
        assert_eq!(locate(text, "--trials"), None);
    }

    #[test]
    fn multibyte_text_counts_characters() {
        assert_eq!(line_col("é = 1\nab", 8), (2, 2));
        assert_eq!(line_col("é", 1), (1, 1));
    }
}

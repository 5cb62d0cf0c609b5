//! Text in SVG charts drawn with the embedded font's glyph outlines, so that
//! an SVG looks the same on every machine (as the PNG does) instead of
//! falling back to whatever "sans-serif" a viewer has.
//!
//! plotters' SVG backend writes `<text>` elements; [`outline_text`] replaces
//! each with a group of `<use>` references to glyph paths defined once in
//! `<defs>` (in font units, shared by every text of the chart), placed as
//! the SVG text would be: same anchor, baseline shift (`dy`), size, colour,
//! opacity and rotation. The group keeps the words in its `aria-label`, so
//! the chart stays searchable and accessible. Glyph ids are derived from the
//! glyph alone (`coordsim-g<id>`), so several charts inlined in one HTML page
//! may share them.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use ab_glyph::{Font, FontRef, GlyphId, OutlineCurve};

use super::font::DEJAVU_SANS;

/// Rewrites every `<text>` element of `svg` as glyph outlines. Text the
/// converter cannot read (an unexpected attribute form) is left as it is.
pub fn outline_text(svg: &str) -> String {
    let Ok(font) = FontRef::try_from_slice(DEJAVU_SANS) else {
        return svg.to_string();
    };
    let mut glyphs = BTreeSet::new();
    let mut body = String::with_capacity(svg.len());
    let mut rest = svg;
    while let Some(start) = rest.find("<text") {
        body.push_str(&rest[..start]);
        let after = &rest[start..];
        let Some((element, len)) = TextElement::parse(after) else {
            body.push_str("<text");
            rest = &after[5..];
            continue;
        };
        element.write(&font, &mut glyphs, &mut body);
        rest = &after[len..];
    }
    body.push_str(rest);
    insert_defs(&body, &font, &glyphs)
}

/// One `<text>` element as plotters (or the task graph) writes it.
struct TextElement {
    x: f64,
    y: f64,
    /// `dy`: an offset in `em` or `ex` units, or absent.
    dy: Option<String>,
    anchor: String,
    size: f64,
    fill: String,
    opacity: Option<String>,
    transform: Option<String>,
    bold: bool,
    text: String,
}

impl TextElement {
    /// Reads the element at the start of `s`; returns it and its length.
    fn parse(s: &str) -> Option<(TextElement, usize)> {
        let open_end = s.find('>')?;
        let attrs = attributes(&s[5..open_end])?;
        let close = s[open_end..].find("</text>")? + open_end;
        let raw = &s[open_end + 1..close];
        let get = |name: &str| attrs.get(name).cloned();
        let element = TextElement {
            x: get("x")?.parse().ok()?,
            y: get("y")?.parse().ok()?,
            dy: get("dy"),
            anchor: get("text-anchor").unwrap_or_else(|| "start".into()),
            size: get("font-size")?.trim_end_matches("px").parse().ok()?,
            fill: get("fill").unwrap_or_else(|| "#000000".into()),
            opacity: get("opacity"),
            transform: get("transform"),
            bold: get("font-weight").is_some_and(|w| w == "bold"),
            text: unescape(raw.trim_matches('\n')),
        };
        Some((element, close + "</text>".len()))
    }

    /// Writes the element as a group of glyph references, recording the
    /// glyphs used.
    fn write(&self, font: &FontRef<'_>, glyphs: &mut BTreeSet<u16>, out: &mut String) {
        let per_em = font.units_per_em().unwrap_or(2048.0) as f64;
        let scale = self.size / per_em;
        let ids: Vec<GlyphId> = self.text.chars().map(|c| font.glyph_id(c)).collect();
        let mut advances = Vec::with_capacity(ids.len());
        let mut pen = 0.0;
        for (i, id) in ids.iter().enumerate() {
            if i > 0 {
                pen += font.kern_unscaled(ids[i - 1], *id) as f64;
            }
            advances.push(pen);
            pen += font.h_advance_unscaled(*id) as f64;
        }
        let width = pen * scale;
        let x0 = match self.anchor.as_str() {
            "middle" => self.x - width / 2.0,
            "end" => self.x - width,
            _ => self.x,
        };
        let baseline = self.y + self.baseline_shift(font);
        let _ = write!(
            out,
            "<g aria-label=\"{}\" fill=\"{}\"",
            escape(&self.text),
            self.fill
        );
        if let Some(o) = &self.opacity {
            let _ = write!(out, " opacity=\"{o}\"");
        }
        if let Some(t) = &self.transform {
            let _ = write!(out, " transform=\"{t}\"");
        }
        if self.bold {
            // No bold face is embedded: the regular outlines, stroked.
            let _ = write!(
                out,
                " stroke=\"{}\" stroke-width=\"{}\" stroke-linejoin=\"round\"",
                self.fill,
                (per_em * 0.035).round()
            );
        }
        out.push('>');
        for (id, at) in ids.iter().zip(&advances) {
            if font.outline(*id).is_none() {
                continue; // a space
            }
            glyphs.insert(id.0);
            let _ = write!(
                out,
                "<use href=\"#coordsim-g{}\" transform=\"translate({},{}) scale({},{})\"/>",
                id.0,
                round(x0 + at * scale),
                round(baseline),
                round6(scale),
                round6(-scale)
            );
        }
        out.push_str("</g>");
    }

    /// How far below `y` the baseline lies: `dy` in `em` (the font size)
    /// or `ex` (the font's x-height).
    fn baseline_shift(&self, font: &FontRef<'_>) -> f64 {
        let Some(dy) = &self.dy else { return 0.0 };
        let per_em = font.units_per_em().unwrap_or(2048.0) as f64;
        let x_height = font
            .outline(font.glyph_id('x'))
            .map_or(0.5, |o| o.bounds.max.y as f64 / per_em);
        let (number, unit) = match dy.strip_suffix("em") {
            Some(n) => (n, 1.0),
            None => match dy.strip_suffix("ex") {
                Some(n) => (n, x_height),
                None => (dy.trim_end_matches("px"), 1.0 / self.size),
            },
        };
        number.parse::<f64>().unwrap_or(0.0) * unit * self.size
    }
}

/// `name="value"` pairs of an opening tag.
fn attributes(s: &str) -> Option<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    let mut rest = s.trim_start();
    while !rest.is_empty() && rest != "/" {
        let eq = rest.find('=')?;
        let name = rest[..eq].trim().to_string();
        let value_start = rest[eq + 1..].find('"')? + eq + 2;
        let value_end = rest[value_start..].find('"')? + value_start;
        out.insert(name, rest[value_start..value_end].to_string());
        rest = rest[value_end + 1..].trim_start();
    }
    Some(out)
}

/// The `<defs>` of the glyphs used, inserted after the opening `<svg>` tag.
fn insert_defs(body: &str, font: &FontRef<'_>, glyphs: &BTreeSet<u16>) -> String {
    if glyphs.is_empty() {
        return body.to_string();
    }
    let mut defs = String::from("<defs>");
    for id in glyphs {
        let _ = write!(
            defs,
            "<path id=\"coordsim-g{id}\" d=\"{}\"/>",
            glyph_path(font, GlyphId(*id))
        );
    }
    defs.push_str("</defs>\n");
    match body
        .find("<svg")
        .and_then(|s| body[s..].find('>').map(|e| s + e + 1))
    {
        Some(at) => format!("{}\n{defs}{}", &body[..at], &body[at..]),
        None => body.to_string(),
    }
}

/// A glyph's outline as SVG path data, in font units (y up).
fn glyph_path(font: &FontRef<'_>, id: GlyphId) -> String {
    let Some(outline) = font.outline(id) else {
        return String::new();
    };
    let mut d = String::new();
    let mut at = None;
    for curve in &outline.curves {
        let (from, to) = match curve {
            OutlineCurve::Line(a, b)
            | OutlineCurve::Quad(a, _, b)
            | OutlineCurve::Cubic(a, _, _, b) => (*a, *b),
        };
        if at != Some((from.x, from.y)) {
            if at.is_some() {
                d.push('Z');
            }
            let _ = write!(d, "M{} {}", from.x, from.y);
        }
        let _ = match curve {
            OutlineCurve::Line(_, b) => write!(d, "L{} {}", b.x, b.y),
            OutlineCurve::Quad(_, c, b) => write!(d, "Q{} {} {} {}", c.x, c.y, b.x, b.y),
            OutlineCurve::Cubic(_, c1, c2, b) => {
                write!(d, "C{} {} {} {} {} {}", c1.x, c1.y, c2.x, c2.y, b.x, b.y)
            }
        };
        at = Some((to.x, to.y));
    }
    if at.is_some() {
        d.push('Z');
    }
    d
}

fn round(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

fn round6(v: f64) -> f64 {
    (v * 1e6).round() / 1e6
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_becomes_glyph_references_with_the_words_kept() {
        let svg = "<svg width=\"100\" height=\"50\" xmlns=\"http://www.w3.org/2000/svg\">\n<text x=\"50\" y=\"10\" dy=\"0.76em\" text-anchor=\"middle\" font-family=\"sans-serif\" font-size=\"12\" opacity=\"1\" fill=\"#000000\">\nA &amp; b\n</text>\n</svg>\n";
        let out = outline_text(svg);
        assert!(!out.contains("<text"), "{out}");
        assert!(!out.contains("font-family"), "{out}");
        assert!(out.contains("aria-label=\"A &amp; b\""), "{out}");
        // A, &, b: three glyphs defined once each, three references.
        assert_eq!(out.matches("<path id=\"coordsim-g").count(), 3, "{out}");
        assert_eq!(out.matches("<use ").count(), 3, "{out}");
        assert!(out.starts_with("<svg width=\"100\""), "{out}");
    }
}

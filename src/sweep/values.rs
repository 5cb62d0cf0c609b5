//! The values one sweep axis takes: `a..b`, `a:b:step` or `v1,v2,...`.

use std::fmt;

/// Most values one axis (and one whole grid) may have.
pub const MAX_POINTS: usize = 10_000;

/// One value of a swept parameter, kept as written: an integer or a float.
///
/// Integers stay integers so that integer fields (`repeat`, `max_loops`,
/// `run.trials`) accept them; floats are accepted by every number field.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum AxisValue {
    /// An integer, e.g. a depth.
    Int(i64),
    /// A float, e.g. a probability.
    Float(f64),
}

impl AxisValue {
    /// The value as a TOML value, to be patched into a scenario document.
    pub fn to_toml(self) -> toml::Value {
        match self {
            AxisValue::Int(i) => toml::Value::Integer(i),
            AxisValue::Float(f) => toml::Value::Float(f),
        }
    }

    /// The value as a float, for charts.
    pub fn as_f64(self) -> f64 {
        match self {
            AxisValue::Int(i) => i as f64,
            AxisValue::Float(f) => f,
        }
    }

    /// Reads a value written by [`fmt::Display`] (or by a user): integer if it
    /// parses as one, else a finite float.
    pub fn parse(text: &str) -> Result<Self, String> {
        let t = text.trim();
        if let Ok(i) = t.parse::<i64>() {
            return Ok(AxisValue::Int(i));
        }
        match t.parse::<f64>() {
            Ok(f) if f.is_finite() => Ok(AxisValue::Float(f)),
            Ok(_) => Err(format!("`{t}` is not a finite number")),
            Err(_) => Err(format!("`{t}` is not a number")),
        }
    }
}

impl fmt::Display for AxisValue {
    /// Integers as integers; floats in Rust's shortest form that reads back exactly.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AxisValue::Int(i) => write!(f, "{i}"),
            AxisValue::Float(x) => write!(f, "{x:?}"),
        }
    }
}

impl serde::Serialize for AxisValue {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            AxisValue::Int(i) => s.serialize_i64(*i),
            AxisValue::Float(f) => s.serialize_f64(*f),
        }
    }
}

/// Parses the values of one axis.
///
/// - `a..b`: the integers from a to b inclusive (`1..12`);
/// - `a:b:step`: a, a + step, a + 2·step, … up to b inclusive (within rounding),
///   each computed as a + i·step and rounded to the decimals written, so
///   `0.01:0.2:0.01` gives exactly 0.01, 0.02, …, 0.2; integers when a, b and
///   step are all written as integers;
/// - `v1,v2,...`: the numbers listed, in that order, each used once.
pub fn parse_values(text: &str) -> Result<Vec<AxisValue>, String> {
    let t = text.trim();
    if t.is_empty() {
        return Err("no values given; write a..b, a:b:step or v1,v2,...".into());
    }
    if let Some((a, b)) = t.split_once("..") {
        return integer_range(a, b);
    }
    if t.contains(':') {
        return stepped_range(t);
    }
    list(t)
}

/// `a..b`: integers, inclusive.
fn integer_range(a: &str, b: &str) -> Result<Vec<AxisValue>, String> {
    let int = |s: &str| {
        s.trim().parse::<i64>().map_err(|_| {
            format!(
                "`{}..{}`: a..b takes integers (got `{}`); for decimals write a:b:step",
                a.trim(),
                b.trim(),
                s.trim()
            )
        })
    };
    let (lo, hi) = (int(a)?, int(b)?);
    if hi < lo {
        return Err(format!(
            "`{lo}..{hi}` is reversed: the end is below the start"
        ));
    }
    let count = (hi as i128 - lo as i128 + 1) as u128;
    check_count(count)?;
    Ok((lo..=hi).map(AxisValue::Int).collect())
}

/// `a:b:step`: evenly spaced, inclusive of b within rounding.
fn stepped_range(t: &str) -> Result<Vec<AxisValue>, String> {
    let parts: Vec<&str> = t.split(':').map(str::trim).collect();
    let [a, b, step] = parts[..] else {
        return Err(format!(
            "`{t}`: a stepped range is start:end:step (three numbers), e.g. 0.01:0.2:0.01"
        ));
    };
    let num = |s: &str| match AxisValue::parse(s) {
        Ok(v) => Ok(v),
        Err(e) => Err(format!("`{t}`: {e}")),
    };
    let (va, vb, vs) = (num(a)?, num(b)?, num(step)?);
    let (fa, fb, fs) = (va.as_f64(), vb.as_f64(), vs.as_f64());
    if fs <= 0.0 {
        return Err(format!("`{t}`: the step must be > 0"));
    }
    if fb < fa {
        return Err(format!("`{t}` is reversed: the end is below the start"));
    }
    let spans = (fb - fa) / fs;
    if spans + 1.0 > MAX_POINTS as f64 {
        return Err(format!(
            "`{t}` has {:.0} values; at most {MAX_POINTS} are allowed",
            spans.floor() + 1.0
        ));
    }
    // 1e-9 of a step absorbs the rounding of (b - a) / step.
    let count = (spans + 1e-9).floor() as usize + 1;
    if let (AxisValue::Int(ia), AxisValue::Int(_), AxisValue::Int(is)) = (va, vb, vs) {
        return Ok((0..count as i64)
            .map(|i| AxisValue::Int(ia + i * is))
            .collect());
    }
    // No rounding when any of the three is written with an exponent.
    let decimals: Option<Vec<u32>> = [a, b, step].iter().map(|s| decimals(s)).collect();
    let decimals = decimals.and_then(|d| d.into_iter().max());
    Ok((0..count)
        .map(|i| {
            let v = fa + i as f64 * fs;
            AxisValue::Float(decimals.map_or(v, |d| round_to(v, d)))
        })
        .collect())
}

/// `v1,v2,...`: numbers, each once.
fn list(t: &str) -> Result<Vec<AxisValue>, String> {
    let mut out = Vec::new();
    for item in t.split(',') {
        if item.trim().is_empty() {
            return Err(format!("`{t}` has an empty item; write v1,v2,..."));
        }
        let v = AxisValue::parse(item)
            .map_err(|e| format!("`{t}`: {e}; allowed: numbers, a..b (integers) or a:b:step"))?;
        if out.iter().any(|w: &AxisValue| w.as_f64() == v.as_f64()) {
            return Err(format!("`{t}` lists {v} twice"));
        }
        out.push(v);
    }
    check_count(out.len() as u128)?;
    Ok(out)
}

fn check_count(count: u128) -> Result<(), String> {
    if count > MAX_POINTS as u128 {
        return Err(format!("{count} values; at most {MAX_POINTS} are allowed"));
    }
    Ok(())
}

/// Digits after the decimal point as written (`0.010` → 3); `None` when the
/// number is written with an exponent.
fn decimals(s: &str) -> Option<u32> {
    if s.contains(['e', 'E']) {
        return None;
    }
    Some(s.split_once('.').map_or(0, |(_, f)| f.len() as u32))
}

/// `v` rounded to `d` decimals, through its decimal text so that the result is
/// the float closest to the decimal number (0.30000000000000004 → 0.3).
fn round_to(v: f64, d: u32) -> f64 {
    format!("{v:.*}", d as usize).parse().unwrap_or(v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use AxisValue::{Float, Int};

    #[test]
    fn integer_ranges_are_inclusive() {
        assert_eq!(
            parse_values("1..4").unwrap(),
            vec![Int(1), Int(2), Int(3), Int(4)]
        );
        assert_eq!(parse_values(" 3..3 ").unwrap(), vec![Int(3)]);
        assert_eq!(parse_values("-2..0").unwrap().len(), 3);
    }

    #[test]
    fn stepped_ranges_do_not_drift_and_include_the_end() {
        let v = parse_values("0.01:0.2:0.01").unwrap();
        assert_eq!(v.len(), 20);
        for (i, x) in v.iter().enumerate() {
            let expected: f64 = format!("0.{:02}", i + 1).parse().unwrap();
            assert_eq!(*x, Float(expected), "value {i}");
        }
        assert_eq!(parse_values("0:1:0.1").unwrap()[3], Float(0.3));
        assert_eq!(parse_values("0:1:0.1").unwrap().len(), 11);
        // The end is included only when it is on the grid.
        assert_eq!(parse_values("0:1:0.3").unwrap().last(), Some(&Float(0.9)));
        assert_eq!(parse_values("1:9:4").unwrap(), vec![Int(1), Int(5), Int(9)]);
        assert_eq!(parse_values("1e-3:3e-3:1e-3").unwrap().len(), 3);
    }

    #[test]
    fn lists_keep_their_order_and_types() {
        assert_eq!(
            parse_values("8, 2,0.5").unwrap(),
            vec![Int(8), Int(2), Float(0.5)]
        );
    }

    #[test]
    fn bad_values_are_explained() {
        let cases = [
            ("", "no values"),
            ("5..1", "reversed"),
            ("1.5..3", "integers"),
            ("1..x", "integers"),
            ("0.2:0.1:0.01", "reversed"),
            ("0:1:0", "step must be > 0"),
            ("0:1:-0.1", "step must be > 0"),
            ("0:1", "three numbers"),
            ("0:1:0.5:2", "three numbers"),
            ("a:1:0.5", "not a number"),
            ("1,,2", "empty item"),
            ("1,two", "not a number"),
            ("1,nan", "not a finite number"),
            ("1,2,1", "twice"),
            ("1..20000", "at most 10000"),
            ("0:1:0.00001", "at most 10000"),
            ("0:1e300:1e-300", "at most 10000"),
        ];
        for (text, fragment) in cases {
            let e = parse_values(text).unwrap_err();
            assert!(e.contains(fragment), "{text:?}: {e}");
        }
    }

    #[test]
    fn display_reads_back_exactly() {
        for v in [
            Int(-3),
            Float(0.1),
            Float(1e-7),
            Float(2.0),
            Float(0.30000000000000004),
        ] {
            assert_eq!(AxisValue::parse(&v.to_string()).unwrap(), v);
        }
    }
}

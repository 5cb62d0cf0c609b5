//! A sweep's grid: the axes (a path and its values) and their cartesian product.

use super::values::{AxisValue, MAX_POINTS, parse_values};
use crate::scenario::patch::{check_path, shown};

/// One varied parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct Axis {
    /// The path as the user wrote it (`depth`, `nodes.retrieve.silent`); names
    /// the axis in results.
    pub path: String,
    /// Where it was given, for messages: `--vary depth` or `[sweep] vary[0] (depth)`.
    pub origin: String,
    /// The values, in the order they run.
    pub values: Vec<AxisValue>,
}

impl Axis {
    /// Parses `PATH=VALUES` (spaces around `=` allowed); `origin` says where
    /// it came from (given the path, cut to a length fit for messages).
    pub fn parse(spec: &str, origin: impl Fn(&str) -> String) -> Result<Axis, String> {
        let Some((path, values)) = spec.split_once('=') else {
            let spec = shown(spec.trim());
            return Err(format!(
                "{}: `{spec}` is not PATH=VALUES, e.g. depth=1..12 or nodes.retrieve.silent=0.01:0.2:0.01",
                origin(&spec)
            ));
        };
        let path = path.trim();
        let origin = origin(&shown(path));
        if path.is_empty() {
            return Err(format!("{origin}: `{spec}` has no path before `=`"));
        }
        check_path(path).map_err(|e| format!("{origin}: {e}"))?;
        let values = parse_values(values).map_err(|e| format!("{origin}: {e}"))?;
        Ok(Axis {
            path: path.to_string(),
            origin,
            values,
        })
    }
}

/// The axes of a sweep; its points are every combination of their values,
/// the first axis varying slowest (like nested loops).
#[derive(Debug, Clone, PartialEq)]
pub struct Grid {
    /// The axes, in the order given.
    pub axes: Vec<Axis>,
}

impl Grid {
    /// Checks that there is at least one axis, no path twice, and at most
    /// [`MAX_POINTS`] points in all.
    pub fn new(axes: Vec<Axis>) -> Result<Grid, String> {
        if axes.is_empty() {
            return Err(
                "nothing to vary: give --vary PATH=VALUES or a [sweep] table with vary = [...]"
                    .into(),
            );
        }
        for (i, a) in axes.iter().enumerate() {
            if let Some(b) = axes[..i].iter().find(|b| b.path == a.path) {
                return Err(format!(
                    "{}: `{}` is already varied by {}",
                    a.origin, a.path, b.origin
                ));
            }
        }
        let mut total: usize = 1;
        for a in &axes {
            total = total.saturating_mul(a.values.len());
        }
        if total > MAX_POINTS {
            let sizes: Vec<String> = axes.iter().map(|a| a.values.len().to_string()).collect();
            return Err(format!(
                "the grid has {} points ({}); at most {MAX_POINTS} are allowed",
                sizes.join(" × "),
                if total == usize::MAX {
                    "too many".to_string()
                } else {
                    total.to_string()
                }
            ));
        }
        Ok(Grid { axes })
    }

    /// Number of points.
    pub fn len(&self) -> usize {
        self.axes.iter().map(|a| a.values.len()).product()
    }

    /// True when the grid has no point (never, once built by [`Grid::new`]).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The values of point `index` (0-based), one per axis.
    pub fn point(&self, index: usize) -> Vec<AxisValue> {
        let mut rest = index;
        let mut values = vec![AxisValue::Int(0); self.axes.len()];
        for (i, a) in self.axes.iter().enumerate().rev() {
            values[i] = a.values[rest % a.values.len()];
            rest /= a.values.len();
        }
        values
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use AxisValue::{Float, Int};

    fn axis(spec: &str) -> Axis {
        Axis::parse(spec, |p| format!("--vary {p}")).unwrap()
    }

    #[test]
    fn parses_path_and_values() {
        let a = axis("nodes.retrieve.silent = 0.1,0.2");
        assert_eq!(a.path, "nodes.retrieve.silent");
        assert_eq!(a.origin, "--vary nodes.retrieve.silent");
        assert_eq!(a.values, vec![Float(0.1), Float(0.2)]);
        let e = Axis::parse("depth", |p| format!("--vary {p}")).unwrap_err();
        assert!(e.contains("PATH=VALUES"), "{e}");
        let e = Axis::parse("depth=5..1", |p| format!("--vary {p}")).unwrap_err();
        assert!(
            e.starts_with("--vary depth: ") && e.contains("reversed"),
            "{e}"
        );
        assert!(Axis::parse("=1..3", |p| p.to_string()).is_err());
    }

    #[test]
    fn deep_paths_are_refused_with_their_origin_and_a_short_message() {
        let spec = format!("{}=1,2", vec!["k"; 200].join("."));
        let e = Axis::parse(&spec, |p| format!("[sweep] vary[0] ({p})")).unwrap_err();
        assert!(
            e.starts_with("[sweep] vary[0] (k.k.k") && e.contains("200 segments") && e.len() < 400,
            "{e}"
        );
        let spec = format!("{}=1,2", "x".repeat(100_000));
        let e = Axis::parse(&spec, |p| format!("--vary {p}")).unwrap_err();
        assert!(e.contains("bytes long") && e.len() < 400, "{e}");
    }

    #[test]
    fn expands_the_cartesian_product_first_axis_slowest() {
        let g = Grid::new(vec![axis("depth=1..3"), axis("x=10,20")]).unwrap();
        assert_eq!(g.len(), 6);
        let points: Vec<_> = (0..g.len()).map(|i| g.point(i)).collect();
        assert_eq!(points[0], vec![Int(1), Int(10)]);
        assert_eq!(points[1], vec![Int(1), Int(20)]);
        assert_eq!(points[2], vec![Int(2), Int(10)]);
        assert_eq!(points[5], vec![Int(3), Int(20)]);
    }

    #[test]
    fn rejects_empty_duplicate_and_oversized_grids() {
        assert!(Grid::new(vec![]).unwrap_err().contains("nothing to vary"));
        let e = Grid::new(vec![axis("depth=1..3"), axis("depth=4..5")]).unwrap_err();
        assert!(e.contains("already varied"), "{e}");
        let e = Grid::new(vec![axis("a=1..200"), axis("b=1..100")]).unwrap_err();
        assert!(
            e.contains("200 × 100") && e.contains("at most 10000"),
            "{e}"
        );
    }
}

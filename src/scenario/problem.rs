//! Problems found in a scenario file, reported together.

use std::fmt;
use std::path::{Path, PathBuf};

/// One thing wrong with a scenario: where, which field, and what is allowed.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// Line and column (1-based) when known.
    pub location: Option<(usize, usize)>,
    /// Dotted path of the field, e.g. `nodes[2] (generate).silent`.
    pub field: String,
    /// What is wrong and what is allowed.
    pub message: String,
}

/// All problems of one scenario file.
#[derive(Debug, Clone)]
pub struct ScenarioError {
    /// The file.
    pub file: PathBuf,
    /// What is wrong with it (never empty).
    pub problems: Vec<Problem>,
}

impl ScenarioError {
    /// A single problem with the file as a whole (unreadable, wrong extension).
    pub fn whole_file(file: &Path, message: impl Into<String>) -> Self {
        ScenarioError {
            file: file.to_path_buf(),
            problems: vec![Problem {
                location: None,
                field: String::new(),
                message: message.into(),
            }],
        }
    }
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.problems.len();
        writeln!(
            f,
            "{}: {} problem{} found",
            self.file.display(),
            n,
            if n == 1 { "" } else { "s" }
        )?;
        for p in &self.problems {
            write!(f, "  {}", self.file.display())?;
            if let Some((line, col)) = p.location {
                write!(f, ":{line}:{col}")?;
            }
            if !p.field.is_empty() {
                write!(f, ": {}", p.field)?;
            }
            writeln!(f, ": {}", p.message)?;
        }
        Ok(())
    }
}

impl std::error::Error for ScenarioError {}

/// Collects problems while checking a scenario.
#[derive(Debug, Default)]
pub struct Problems {
    list: Vec<Problem>,
}

impl Problems {
    /// Records a problem with `field`.
    pub fn add(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.list.push(Problem {
            location: None,
            field: field.into(),
            message: message.into(),
        });
    }

    /// True when nothing was recorded.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// Number of problems recorded so far.
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// The recorded problems.
    pub fn into_vec(self) -> Vec<Problem> {
        self.list
    }

    /// Checks a probability: finite and within [0, 1].
    pub fn probability(&mut self, field: impl Into<String>, v: f64) -> bool {
        self.check(
            field,
            v,
            v.is_finite() && (0.0..=1.0).contains(&v),
            "a probability in [0, 1]",
        )
    }

    /// Checks a finite number > 0.
    pub fn positive(&mut self, field: impl Into<String>, v: f64) -> bool {
        self.check(field, v, v.is_finite() && v > 0.0, "a finite number > 0")
    }

    /// Checks a finite number ≥ 0.
    pub fn non_negative(&mut self, field: impl Into<String>, v: f64) -> bool {
        self.check(field, v, v.is_finite() && v >= 0.0, "a finite number >= 0")
    }

    /// Checks a finite number.
    pub fn finite(&mut self, field: impl Into<String>, v: f64) -> bool {
        self.check(field, v, v.is_finite(), "a finite number")
    }

    fn check(&mut self, field: impl Into<String>, v: f64, ok: bool, allowed: &str) -> bool {
        if !ok {
            self.add(field, format!("is {v}; allowed: {allowed}"));
        }
        ok
    }
}

/// The closest of `candidates` to `name`, if it is close enough to be a likely typo.
pub fn nearest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let candidates: Vec<&str> = candidates.into_iter().collect();
    let by_distance = candidates
        .iter()
        .map(|&c| (strsim::damerau_levenshtein(name, c), c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c);
    // A longer or inflected form ("retries" for "retry"): close by
    // Jaro–Winkler, which weighs the common start.
    let by_similarity = || {
        candidates
            .iter()
            .map(|&c| (strsim::jaro_winkler(name, c), c))
            .filter(|(s, _)| *s >= 0.85)
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, c)| c)
    };
    let by_distance = by_distance.or_else(by_similarity);
    // A truncated name ("expo" for "exponential") is a typo too.
    by_distance.or_else(|| {
        candidates
            .into_iter()
            .find(|c| name.len() >= 3 && c.starts_with(name))
    })
}

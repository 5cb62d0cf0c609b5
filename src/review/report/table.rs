//! A report table as data: columns, rows of cells, and how each cell reads
//! (alignment, whether a change is significant and which way). Built once
//! per table by [`super::tables`], then rendered by [`super::html`] and
//! [`super::markdown`], each in its own markup. Text is plain here: each
//! renderer escapes it.

/// How a column's cells line up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// Words: left.
    Text,
    /// Numbers: right.
    Number,
    /// Intervals `[lo, hi]`: right beside the numbers in HTML, left in
    /// Markdown (where a reader of the plain text finds the brackets first).
    Interval,
}

/// What a change measured on common random numbers amounts to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Significant, for the better.
    Better,
    /// Significant, for the worse.
    Worse,
    /// Its 95% interval includes zero.
    NotSignificant,
}

impl Verdict {
    /// True for a change whose 95% interval excludes zero.
    pub fn significant(self) -> bool {
        self != Verdict::NotSignificant
    }
}

/// One column.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// The heading.
    pub title: String,
    /// A narrower heading for Markdown, whose tables cannot wrap a heading.
    pub short_title: Option<String>,
    /// What the column is, under the heading (HTML) or after it in
    /// parentheses (Markdown): `base`, `variant`.
    pub role: Option<String>,
    /// How its cells line up.
    pub align: Align,
    /// Its cells carry a difference to the base ([`Cell::difference`]):
    /// under the value in HTML, in a column of its own in Markdown.
    pub differences: bool,
}

impl Column {
    /// A column of `align` headed `title`.
    pub fn new(title: &str, align: Align) -> Column {
        Column {
            title: title.to_string(),
            short_title: None,
            role: None,
            align,
            differences: false,
        }
    }

    /// The same column with a narrower Markdown heading.
    pub fn short(mut self, title: &str) -> Column {
        self.short_title = Some(title.to_string());
        self
    }
}

/// One cell.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    /// What it shows.
    pub text: String,
    /// For a cell that is itself a change: what the change amounts to.
    pub verdict: Option<Verdict>,
    /// In a column with differences: the difference to the base, if any.
    pub difference: Option<Difference>,
}

impl Cell {
    /// A cell showing `text`.
    pub fn plain(text: impl Into<String>) -> Cell {
        Cell {
            text: text.into(),
            verdict: None,
            difference: None,
        }
    }
}

/// A difference to the base, with its interval.
#[derive(Debug, Clone, PartialEq)]
pub struct Difference {
    /// The signed change.
    pub change: String,
    /// Its 95% interval, `[lo, hi]` (or `n/a`).
    pub interval: String,
    /// What it amounts to.
    pub verdict: Verdict,
}

/// A table: columns and rows of as many cells.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Table {
    /// The columns.
    pub columns: Vec<Column>,
    /// The rows, one cell per column.
    pub rows: Vec<Vec<Cell>>,
}

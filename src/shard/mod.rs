//! Scale-out: a run cut into disjoint slices that run anywhere and merge exactly.
//!
//! `--shard K/N` runs the K-th of N contiguous slices of a run's units (its
//! trials, or its replications with `[workload]`). Every unit is seeded from
//! its global index, as in a whole run, so a slice computes exactly what the
//! same units of a whole run compute. A slice's [`Tally`](crate::sim::Tally)
//! (integer totals and histogram counts, or whole replications) is written to a
//! partial file ([`partial`]) whose numbers round-trip exactly ([`wire`]), and
//! merging the N partials gives a bit-identical summary.
//!
//! Nothing here touches the file system: the CLI reads and writes the files.

pub mod partial;
pub mod verify;
pub mod wire;

use std::ops::Range;

pub use partial::{Identity, Partial, PointPart, merge_points};

/// One slice of N: `index` counts from 1 to `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Shard {
    /// Which slice, 1 to `count`.
    pub index: u64,
    /// How many slices the run is cut into.
    pub count: u64,
}

/// Most slices a run may be cut into.
pub const MAX_SHARDS: u64 = 1_000_000;

impl Shard {
    /// The whole run as one slice.
    pub const WHOLE: Shard = Shard { index: 1, count: 1 };

    /// Parses `K/N` (1 ≤ K ≤ N ≤ 1000000); the error says what is allowed.
    pub fn parse(text: &str) -> Result<Shard, String> {
        let allowed =
            "allowed: K/N with 1 ≤ K ≤ N ≤ 1000000, e.g. 2/8 for the second of eight slices";
        let Some((k, n)) = text.trim().split_once('/') else {
            return Err(format!("--shard {text}: not K/N; {allowed}"));
        };
        let (Ok(index), Ok(count)) = (k.trim().parse::<u64>(), n.trim().parse::<u64>()) else {
            return Err(format!(
                "--shard {text}: K and N must be whole numbers; {allowed}"
            ));
        };
        if count == 0 || count > MAX_SHARDS || index == 0 || index > count {
            return Err(format!("--shard {text}: out of range; {allowed}"));
        }
        Ok(Shard { index, count })
    }

    /// This slice of `0..len`: contiguous, disjoint from the other slices,
    /// and together they cover `0..len` (a slice may be empty when N > len).
    pub fn range(self, len: u64) -> Range<u64> {
        let cut = |i: u64| (len as u128 * i as u128 / self.count as u128) as u64;
        cut(self.index - 1)..cut(self.index)
    }

    /// `partial-K-of-N.json`: the file name of this slice's partial result.
    pub fn file_name(self) -> String {
        format!("partial-{}-of-{}.json", self.index, self.count)
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_k_of_n_and_refuses_the_rest() {
        assert_eq!(Shard::parse("2/8"), Ok(Shard { index: 2, count: 8 }));
        for bad in ["0/4", "5/4", "1/0", "a/4", "3", "-1/4", "1/2000000"] {
            let e = Shard::parse(bad).unwrap_err();
            assert!(e.contains("--shard") && e.contains("allowed"), "{e}");
        }
    }

    #[test]
    fn slices_are_disjoint_and_cover_the_run() {
        for len in [0u64, 1, 3, 10, 1_000_003, u64::MAX / 3] {
            for count in [1u64, 2, 3, 4, 7, 16] {
                let mut next = 0;
                for index in 1..=count {
                    let r = Shard { index, count }.range(len);
                    assert_eq!(r.start, next);
                    assert!(r.end >= r.start);
                    next = r.end;
                }
                assert_eq!(next, len);
            }
        }
    }
}

//! Partial result files: what one slice of a run (or of every point of a
//! sweep) produced, and the checks that make a set of them one whole run.

use serde::{Deserialize, Serialize};

use super::Shard;
use super::verify::{self, Totals};
use super::wire::TallyWire;
use crate::sim::Tally;

/// The format tag of partial files written by this version.
pub const FORMAT: &str = "coordsim-partial/2";

/// What was run: partials merge only when this is the same in every one.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Identity {
    /// `run` or `sweep`.
    pub command: String,
    /// The scenario file as named on the command line (it gives the default
    /// scenario name and names the scenario in messages; it is not read again,
    /// and may differ between shards run from different folders).
    pub file: String,
    /// The scenario's name.
    pub scenario: String,
    /// The scenario document (after `--set` changes) as TOML: merge compiles
    /// it again, so the merged summary is built by the same code as a run's.
    pub document: String,
    /// `run`: the trials run. `sweep`: `--trials`, if given.
    pub trials: Option<u64>,
    /// `run`: the base seed. `sweep`: `--seed`, if given.
    pub seed: Option<u64>,
    /// `sweep`: the `--vary` flags (empty: the file's `[sweep]` table).
    pub vary: Vec<String>,
    /// The coordsim version that wrote the file.
    pub version: String,
    /// The `--set` (and `--slo`, `--pass-k`) changes as `PATH=VALUE`, for the
    /// merged summary's provenance and default folder.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub overrides: Vec<String>,
}

impl Identity {
    /// The fields in which `other` differs from `self`, described.
    pub fn differences(&self, other: &Identity) -> Vec<String> {
        let mut d = Vec::new();
        let mut check = |name: &str, a: String, b: String| {
            if a != b {
                d.push(format!("{name} {a} vs {b}"));
            }
        };
        let opt = |v: Option<u64>| v.map_or("(default)".to_string(), |v| v.to_string());
        check("command", self.command.clone(), other.command.clone());
        check("scenario", self.scenario.clone(), other.scenario.clone());
        check("seed", opt(self.seed), opt(other.seed));
        check("trials", opt(self.trials), opt(other.trials));
        check("--vary", self.vary.join(" "), other.vary.join(" "));
        check(
            "coordsim version",
            self.version.clone(),
            other.version.clone(),
        );
        if self.document != other.document {
            d.push("the scenario documents differ (another file or other --set changes)".into());
        }
        d
    }
}

/// One point's slice: which units it ran and their tally.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PointPart {
    /// Units (trials or replications) of the whole point.
    pub length: u64,
    /// The units this slice ran, `[start, end)`.
    pub range: [u64; 2],
    /// What they produced.
    pub tally: TallyWire,
}

/// The content of `partial-K-of-N.json`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Partial {
    /// [`FORMAT`].
    pub format: String,
    /// What was run.
    pub identity: Identity,
    /// Which slice this is.
    pub shard: Shard,
    /// One entry per point (a run has one).
    pub points: Vec<PointPart>,
    /// [`Partial::checksum`] of the rest, as written; checked when read.
    #[serde(default)]
    pub checksum: String,
}

/// What the checksum covers: everything but itself.
#[derive(Serialize)]
struct Content<'a> {
    format: &'a str,
    identity: &'a Identity,
    shard: Shard,
    points: &'a [PointPart],
}

/// The content and its checksum, as written.
#[derive(Serialize)]
struct Sealed<'a> {
    #[serde(flatten)]
    content: Content<'a>,
    checksum: String,
}

impl Partial {
    /// The partial of slice `shard` of the run `identity`.
    pub fn new(identity: Identity, shard: Shard, points: Vec<PointPart>) -> Self {
        Partial {
            format: FORMAT.to_string(),
            identity,
            shard,
            points,
            checksum: String::new(),
        }
    }

    fn content(&self) -> Content<'_> {
        Content {
            format: &self.format,
            identity: &self.identity,
            shard: self.shard,
            points: &self.points,
        }
    }

    /// A checksum of the content (FNV-1a, 64 bits, of its compact JSON): it
    /// tells a damaged or edited file from one coordsim wrote. It is no
    /// signature: whoever edits the file can compute it again, and the
    /// totals are checked besides ([`super::verify`]).
    pub fn checksum(&self) -> String {
        let bytes = serde_json::to_vec(&self.content()).expect("a partial serialises");
        let hash = bytes.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, &b| {
            (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3)
        });
        format!("fnv1a64:{hash:016x}")
    }

    /// As JSON (compact: histograms can have thousands of buckets), with the
    /// checksum of its content.
    pub fn to_json(&self) -> Vec<u8> {
        let sealed = Sealed {
            content: self.content(),
            checksum: self.checksum(),
        };
        let mut bytes = serde_json::to_vec(&sealed).expect("a partial serialises");
        bytes.push(b'\n');
        bytes
    }

    /// Reads a partial; the error says what is wrong with it.
    pub fn from_json(bytes: &[u8]) -> Result<Partial, String> {
        let format = serde_json::from_slice::<serde_json::Value>(bytes)
            .map_err(|e| format!("not a coordsim partial result (invalid JSON: {e})"))?
            .get("format")
            .and_then(|f| f.as_str().map(str::to_string));
        if format.as_deref() != Some(FORMAT) {
            return Err(format!(
                "not a coordsim partial result of this version: format {} (expected {FORMAT:?}; \
                 write it with `coordsim run --shard` or `coordsim sweep --shard`)",
                format.map_or("missing".into(), |f| format!("{f:?}"))
            ));
        }
        let partial: Partial =
            serde_json::from_slice(bytes).map_err(|e| format!("damaged partial result: {e}"))?;
        if partial.checksum != partial.checksum() {
            return Err(format!(
                "damaged partial result: its checksum {:?} does not match its content \
                 ({}): the file was changed after coordsim wrote it; run its shard again",
                partial.checksum,
                partial.checksum()
            ));
        }
        Ok(partial)
    }
}

/// Checks that `partials` (each with the name of its file) are the N slices
/// of one run, each exactly once, and merges them into one complete tally
/// per point. Returns the run's identity and the tallies.
pub fn merge_points(partials: &[(String, Partial)]) -> Result<(Identity, Vec<Tally>), String> {
    let Some((first_name, first)) = partials.first() else {
        return Err("no partial results given".into());
    };
    let count = first.shard.count;
    if count == 0 || count > super::MAX_SHARDS {
        return Err(format!(
            "{first_name}: shard {} is out of range (damaged file)",
            first.shard
        ));
    }
    for (name, p) in partials {
        let diff = first.identity.differences(&p.identity);
        if !diff.is_empty() {
            return Err(format!(
                "{name} and {first_name} are slices of different runs: {}",
                diff.join("; ")
            ));
        }
        if p.shard.count != count {
            return Err(format!(
                "{name} is shard {} but {first_name} is shard {}: \
                 every partial must come from the same --shard K/N split",
                p.shard, first.shard
            ));
        }
        if p.shard.index == 0 || p.shard.index > count {
            return Err(format!("{name}: shard {} is out of range", p.shard));
        }
        if p.points.len() != first.points.len() {
            return Err(format!(
                "{name} has {} points but {first_name} has {}",
                p.points.len(),
                first.points.len()
            ));
        }
    }
    let mut by_index: Vec<Option<usize>> = vec![None; count as usize];
    for (i, (name, p)) in partials.iter().enumerate() {
        let slot = &mut by_index[(p.shard.index - 1) as usize];
        if let Some(j) = slot {
            return Err(format!(
                "shard {} is given twice: {} and {name}",
                p.shard, partials[*j].0
            ));
        }
        *slot = Some(i);
    }
    let missing: Vec<u64> = (1..=count)
        .filter(|k| by_index[(*k - 1) as usize].is_none())
        .collect();
    if !missing.is_empty() {
        const SHOWN: usize = 5;
        let mut named: Vec<String> = missing
            .iter()
            .take(SHOWN)
            .map(|k| format!("{k}/{count}"))
            .collect();
        if missing.len() > SHOWN {
            named.push(format!("… ({} in all)", missing.len()));
        }
        return Err(format!(
            "missing shard{} {} of the run (got {} of {count} partial results)",
            if missing.len() == 1 { "" } else { "s" },
            named.join(", "),
            partials.len()
        ));
    }
    let ordered: Vec<&(String, Partial)> = by_index
        .into_iter()
        .map(|i| &partials[i.expect("checked above")])
        .collect();
    let mut tallies = Vec::with_capacity(first.points.len());
    for point in 0..first.points.len() {
        let length = first.points[point].length;
        let mut next = 0;
        let mut merged: Option<Tally> = None;
        let mut totals = Totals::default();
        for (name, p) in &ordered {
            let part = &p.points[point];
            let expected = p.shard.range(length);
            if part.length != length || part.range != [expected.start, expected.end] {
                return Err(format!(
                    "{name}: point {} covers units {}..{} of {}, but shard {} of a run of {length} \
                     covers {}..{} (overlapping or missing units)",
                    point + 1,
                    part.range[0],
                    part.range[1],
                    part.length,
                    p.shard,
                    expected.start,
                    expected.end
                ));
            }
            debug_assert_eq!(part.range[0], next);
            next = part.range[1];
            let tally = part
                .tally
                .to_tally()
                .and_then(|t| check_tally(&t, &mut totals).map(|()| t))
                .map_err(|e| format!("{name}: point {}: {e} (damaged file)", point + 1))?;
            let units = match &tally {
                Tally::Trials(acc) => acc.trials,
                Tally::Replications(reps) => reps.len() as u64,
            };
            if units != part.range[1] - part.range[0] {
                return Err(format!(
                    "{name}: point {} holds {units} units for the range {}..{} (damaged file)",
                    point + 1,
                    part.range[0],
                    part.range[1]
                ));
            }
            let mut shapes = merged.as_ref().map(shape).unwrap_or_default();
            shapes.extend(shape(&tally));
            shapes.dedup();
            if shapes.len() > 1 {
                return Err(format!(
                    "{name}: point {} does not have the counters of the other partials \
                     (damaged file)",
                    point + 1
                ));
            }
            merged = Some(match merged {
                None => tally,
                Some(m) => m.append(tally),
            });
        }
        tallies.push(merged.expect("at least one shard"));
    }
    Ok((first.identity.clone(), tallies))
}

/// Checks a slice's tally against its own totals, and adds it to the point's `totals`.
fn check_tally(tally: &Tally, totals: &mut Totals) -> Result<(), String> {
    match tally {
        Tally::Trials(acc) => {
            verify::check_trials(acc)?;
            totals.add(acc)
        }
        Tally::Replications(reps) => reps.iter().enumerate().try_for_each(|(i, r)| {
            verify::check_replication(r)
                .and_then(|()| totals.add(&r.acc))
                .map_err(|e| format!("replication {}: {e}", i + 1))
        }),
    }
}

/// Counters per unit (nodes and edges, pools, links): equal in every slice of a run.
fn shape(tally: &Tally) -> Vec<(usize, usize, usize)> {
    match tally {
        Tally::Trials(acc) => vec![(acc.execs.len(), 0, 0)],
        Tally::Replications(reps) => {
            let mut shapes: Vec<_> = reps
                .iter()
                .map(|r| (r.acc.execs.len(), r.pools.len(), r.links.len()))
                .collect();
            shapes.dedup();
            shapes
        }
    }
}

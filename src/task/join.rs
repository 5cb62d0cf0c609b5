//! The one rule of every merge policy: given how many of n inputs (a node's
//! fan-in, or the branches of a dynamic fan-out) have arrived ok, right or
//! failed, may the node go on, must it fail, or must it wait?

use crate::model::Merge;

/// What a merge policy says about the inputs in hand.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Verdict {
    /// More inputs are needed to decide.
    Wait,
    /// Go on with the inputs used (for a vote: the vote is right).
    Go,
    /// A vote that is lost while some input arrived ok: go on with a silent
    /// wrong answer (docs/MODEL.md, votes).
    Lost,
    /// The policy can no longer be satisfied: the node fails loudly.
    Fail,
}

/// The verdict of `merge` over `n` inputs of which `ok` arrived ok (right
/// or wrong), `clean` arrived ok and right, and `failed` failed.
///
/// `all`, `any` and `{ k = N }` go on once they hold the inputs they need
/// and fail once that is out of reach (with fewer than k inputs, at once);
/// a vote is decided as soon as its result can no longer change.
pub(super) fn verdict(merge: Merge, n: u32, ok: u32, clean: u32, failed: u32) -> Verdict {
    if let Merge::Vote(k) = merge {
        let waiting = n - ok - failed;
        return if clean >= k {
            Verdict::Go
        } else if clean + waiting >= k {
            Verdict::Wait
        } else if ok > 0 {
            Verdict::Lost
        } else if waiting > 0 {
            Verdict::Wait
        } else {
            Verdict::Fail
        };
    }
    let need = needs(merge, n);
    if ok >= need {
        Verdict::Go
    } else if failed as i64 > n as i64 - need as i64 {
        Verdict::Fail
    } else {
        Verdict::Wait
    }
}

/// How many ok inputs a merge policy takes in, out of `n` (a vote counts
/// every input).
pub(super) fn needs(merge: Merge, n: u32) -> u32 {
    match merge {
        Merge::All | Merge::Vote(_) => n,
        Merge::Any => n.min(1),
        Merge::KOfN(k) => k,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn k_of_n_with_fewer_than_k_inputs_fails_at_once() {
        assert_eq!(verdict(Merge::KOfN(3), 2, 0, 0, 0), Verdict::Fail);
        assert_eq!(verdict(Merge::KOfN(2), 3, 1, 1, 1), Verdict::Wait);
        assert_eq!(verdict(Merge::KOfN(2), 3, 1, 1, 2), Verdict::Fail);
    }

    #[test]
    fn no_inputs_satisfy_all_and_any_but_fail_a_vote() {
        assert_eq!(verdict(Merge::All, 0, 0, 0, 0), Verdict::Go);
        assert_eq!(verdict(Merge::Any, 0, 0, 0, 0), Verdict::Go);
        assert_eq!(verdict(Merge::Vote(1), 0, 0, 0, 0), Verdict::Fail);
    }

    #[test]
    fn a_vote_is_decided_as_soon_as_it_cannot_change() {
        assert_eq!(verdict(Merge::Vote(2), 3, 2, 2, 0), Verdict::Go);
        assert_eq!(verdict(Merge::Vote(2), 3, 2, 1, 0), Verdict::Wait);
        assert_eq!(verdict(Merge::Vote(2), 3, 2, 0, 0), Verdict::Lost);
        assert_eq!(verdict(Merge::Vote(2), 3, 0, 0, 2), Verdict::Wait);
        assert_eq!(verdict(Merge::Vote(2), 3, 0, 0, 3), Verdict::Fail);
    }
}

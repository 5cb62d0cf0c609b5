//! A loaded run whose clock stands still: a closed workload whose tasks and
//! think times all take zero seconds starts task after task at the same
//! instant and would never reach the end of a time window. The scenario
//! check refuses what it can decide (`scenario::progress`); this catches the
//! rest at run time (zero-time steps drawn again and again).

/// Tasks each agent may end at one instant before the run is stopped: far
/// beyond what chance gives a workload whose tasks do take time.
const TASKS_PER_AGENT_AT_ONE_INSTANT: u64 = 100;

/// Counts tasks that end without the clock moving.
#[derive(Debug, Default)]
pub(super) struct Standstill {
    instant: f64,
    ended: u64,
}

impl Standstill {
    /// Notes a task of a closed workload of `agents` agents ending at `now`;
    /// says why the run must stop if the clock has stood still too long.
    pub fn task_ended(&mut self, now: f64, agents: u32) -> Option<String> {
        if now != self.instant {
            self.instant = now;
            self.ended = 0;
        }
        self.ended += 1;
        let limit = TASKS_PER_AGENT_AT_ONE_INSTANT * agents as u64;
        (self.ended > limit).then(|| {
            format!(
                "the simulated clock does not advance: {} tasks of {agents} agents ended at \
                 t = {now} s, each taking no time with no think time between them; give the steps \
                 a latency, or the agents a think time (workload.think)",
                self.ended
            )
        })
    }
}

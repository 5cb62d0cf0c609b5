//! Time-weighted averages of piecewise-constant quantities (queue lengths,
//! busy servers), accumulated only while measurement is on.

/// The integral over measured time of a quantity that changes at events.
#[derive(Debug, Clone, Default)]
pub struct TimeIntegral {
    value: f64,
    last: f64,
    /// ∫ value dt over measured time.
    pub integral: f64,
}

impl TimeIntegral {
    /// Current value.
    pub fn value(&self) -> f64 {
        self.value
    }

    /// Accounts for time up to `now`, counting it only if `measuring`.
    #[inline]
    pub fn advance(&mut self, now: f64, measuring: bool) {
        if measuring {
            self.integral += self.value * (now - self.last);
        }
        self.last = now;
    }

    /// The whole state: current value, time of the last change, integral.
    pub fn parts(&self) -> [f64; 3] {
        [self.value, self.last, self.integral]
    }

    /// The integral with the state [`TimeIntegral::parts`] gave.
    pub fn from_parts([value, last, integral]: [f64; 3]) -> Self {
        TimeIntegral {
            value,
            last,
            integral,
        }
    }

    /// Changes the value at `now` by `delta`.
    #[inline]
    pub fn add(&mut self, now: f64, measuring: bool, delta: f64) {
        self.advance(now, measuring);
        self.value += delta;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integrates_only_measured_time() {
        let mut t = TimeIntegral::default();
        t.add(0.0, false, 2.0); // value 2 from t = 0, not measured
        t.advance(1.0, false);
        t.add(3.0, true, 1.0); // measured 1..3 at value 2 = 4, then value 3
        t.advance(4.0, true); // measured 3..4 at value 3 = 3
        assert_eq!(t.integral, 7.0);
        assert_eq!(t.value(), 3.0);
    }
}

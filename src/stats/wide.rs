//! A 256-bit unsigned sum, for sums that can outgrow 128 bits.
//!
//! The sum of squared latencies in ns² reaches 2¹²⁸ after a handful of
//! trials of a few hundred years each, or millions of trials of a few months:
//! kept in 128 bits it would wrap and collapse the mean's interval. Sums below
//! 2¹²⁸ convert to `f64` and to text exactly as a `u128` does, so results that
//! fit are unchanged.

use std::fmt;

/// An unsigned integer of 256 bits: `hi · 2¹²⁸ + lo`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub struct Wide {
    hi: u128,
    lo: u128,
}

const TWO_POW_128: f64 = 340_282_366_920_938_463_463_374_607_431_768_211_456.0;

impl Wide {
    /// Zero.
    pub const ZERO: Wide = Wide { hi: 0, lo: 0 };

    /// Adds `x`.
    #[inline]
    pub fn add_u128(&mut self, x: u128) {
        let (lo, carry) = self.lo.overflowing_add(x);
        self.lo = lo;
        self.hi += carry as u128;
    }

    /// Adds `other`.
    pub fn add(&mut self, other: Wide) {
        self.add_u128(other.lo);
        self.hi += other.hi;
    }

    /// The nearest `f64` (exact conversion of a `u128` when the sum fits one).
    pub fn to_f64(self) -> f64 {
        if self.hi == 0 {
            self.lo as f64
        } else {
            self.hi as f64 * TWO_POW_128 + self.lo as f64
        }
    }

    /// The sum as four 64-bit limbs, least significant first.
    fn limbs(self) -> [u64; 4] {
        [
            self.lo as u64,
            (self.lo >> 64) as u64,
            self.hi as u64,
            (self.hi >> 64) as u64,
        ]
    }

    fn from_limbs(l: [u64; 4]) -> Wide {
        Wide {
            lo: l[0] as u128 | (l[1] as u128) << 64,
            hi: l[2] as u128 | (l[3] as u128) << 64,
        }
    }
}

impl From<u128> for Wide {
    fn from(lo: u128) -> Self {
        Wide { hi: 0, lo }
    }
}

impl fmt::Display for Wide {
    /// Decimal digits, as a `u128` prints when the sum fits one.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.hi == 0 {
            return write!(f, "{}", self.lo);
        }
        const CHUNK: u64 = 10_000_000_000_000_000_000; // 10¹⁹
        let mut limbs = self.limbs();
        let mut chunks = Vec::new();
        while limbs.iter().any(|&l| l != 0) {
            let mut rest: u128 = 0;
            for limb in limbs.iter_mut().rev() {
                let cur = (rest << 64) | *limb as u128;
                *limb = (cur / CHUNK as u128) as u64;
                rest = cur % CHUNK as u128;
            }
            chunks.push(rest as u64);
        }
        let mut text = chunks.pop().unwrap_or(0).to_string();
        for c in chunks.iter().rev() {
            text.push_str(&format!("{c:019}"));
        }
        f.write_str(&text)
    }
}

impl std::str::FromStr for Wide {
    type Err = String;

    /// Decimal digits; refuses anything else and values of 2²⁵⁶ or more.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("not a whole number: {s:?}"));
        }
        if let Ok(small) = s.parse::<u128>() {
            return Ok(Wide::from(small));
        }
        let mut limbs = [0u64; 4];
        for digit in s.bytes().map(|b| (b - b'0') as u128) {
            let mut carry = digit;
            for limb in limbs.iter_mut() {
                let cur = *limb as u128 * 10 + carry;
                *limb = cur as u64;
                carry = cur >> 64;
            }
            if carry != 0 {
                return Err(format!("too large: {s:?}"));
            }
        }
        Ok(Wide::from_limbs(limbs))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sums_past_128_bits_and_reads_back() {
        let mut w = Wide::ZERO;
        for _ in 0..6 {
            w.add_u128(u128::MAX);
        }
        // 6 · (2¹²⁸ − 1)
        assert_eq!(w.to_string(), "2041694201525630780780247644590609268730");
        assert_eq!(w.to_string().parse::<Wide>().unwrap(), w);
        assert!((w.to_f64() / (6.0 * TWO_POW_128) - 1.0).abs() < 1e-15);
        let mut twice = w;
        twice.add(w);
        assert!(twice > w);
        assert!("1".repeat(80).parse::<Wide>().is_err());
        assert!("-1".parse::<Wide>().is_err());
        assert!("".parse::<Wide>().is_err());
    }

    #[test]
    fn sums_that_fit_128_bits_behave_like_u128() {
        for x in [0u128, 1, 12345, u64::MAX as u128 * 3, u128::MAX] {
            let w = Wide::from(x);
            assert_eq!(w.to_string(), x.to_string());
            assert_eq!(w.to_f64().to_bits(), (x as f64).to_bits());
            assert_eq!(x.to_string().parse::<Wide>().unwrap(), w);
        }
    }
}

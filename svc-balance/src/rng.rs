//! A small, fast, non-cryptographic random number generator (xorshift64*), one per
//! balancer handle, so picking endpoints needs no shared state and no `rand` crate.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

/// Seeds of successive generators are spread by this odd constant (the golden ratio).
const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

/// Distinct seeds for every generator of the process.
static SEEDS: AtomicU64 = AtomicU64::new(0x2545_F491_4F6C_DD1D);

/// xorshift64*: 64 bits of state, a few instructions per number.
#[derive(Clone, Debug)]
pub(crate) struct Rng {
    state: u64,
}

impl Rng {
    /// A generator with a seed no other generator of this process got.
    pub(crate) fn new() -> Rng {
        let seed = SEEDS.fetch_add(GOLDEN, Relaxed);
        Rng::with_seed(seed)
    }

    /// A generator with a given seed (zero is replaced: xorshift must not start at 0).
    pub(crate) fn with_seed(seed: u64) -> Rng {
        let mut rng = Rng { state: mix(seed) | 1 };
        rng.next_u64();
        rng
    }

    /// The next 64 random bits.
    pub(crate) fn next_u64(&mut self) -> u64 {
        let mut x = self.state;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.state = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n` (`n > 0`), by multiply-shift (no division).
    pub(crate) fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    /// Two distinct indices in `0..n` (`n >= 2`), uniformly over the pairs.
    pub(crate) fn pair(&mut self, n: usize) -> (usize, usize) {
        let a = self.below(n);
        let mut b = self.below(n - 1);
        if b >= a {
            b += 1;
        }
        (a, b)
    }

    /// A float in `[0, 1)`.
    pub(crate) fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// splitmix64's finaliser, so that close seeds give unrelated streams.
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::Rng;

    #[test]
    fn pairs_are_distinct_and_cover_every_index() {
        let mut rng = Rng::with_seed(7);
        let mut seen = [0u32; 5];
        for _ in 0..10_000 {
            let (a, b) = rng.pair(5);
            assert_ne!(a, b);
            seen[a] += 1;
            seen[b] += 1;
        }
        // 20,000 draws over 5 indices: each near 4,000.
        assert!(seen.iter().all(|&n| (3_500..4_500).contains(&n)), "{seen:?}");
    }

    #[test]
    fn unit_is_in_range() {
        let mut rng = Rng::new();
        for _ in 0..1_000 {
            let x = rng.unit();
            assert!((0.0..1.0).contains(&x));
        }
    }
}

//! `e^(-x)` for the decay weights of [`PeakEwma`](super::PeakEwma), without `libm`.
//!
//! The standard library's `f64::exp` is a call into the C math library: a dynamic
//! library a process built on this crate would otherwise not load at all (about half a
//! megabyte of resident pages in a small proxy). A weight needs no more than about twelve
//! significant digits, which range reduction and a short polynomial give.

use std::f64::consts::{LN_2, LOG2_E};

/// `1 / k!` for `k` in `0..=11`: the Taylor coefficients of `e^t`.
const INV_FACTORIAL: [f64; 12] = [
    1.0,
    1.0,
    1.0 / 2.0,
    1.0 / 6.0,
    1.0 / 24.0,
    1.0 / 120.0,
    1.0 / 720.0,
    1.0 / 5_040.0,
    1.0 / 40_320.0,
    1.0 / 362_880.0,
    1.0 / 3_628_800.0,
    1.0 / 39_916_800.0,
];

/// `e^(-x)` for `x >= 0`, with a relative error below `1e-13`. A negative or NaN `x`
/// gives `1.0`; a result below `2^-1021` gives `0.0`.
pub(crate) fn exp_neg(x: f64) -> f64 {
    if x.is_nan() || x <= 0.0 {
        return 1.0;
    }
    // e^-x = 2^-y = 2^-n * 2^-f, with n the integer nearest to y and |f| <= 1/2.
    let y = x * LOG2_E;
    if y >= 1021.0 {
        return 0.0;
    }
    // Rounds to nearest (y is positive); an `as` conversion is one instruction, where
    // `f64::round` may be a library call.
    let n = (y + 0.5) as u64;
    let f = y - n as f64;
    // 2^-f = e^t for t = -f ln 2, |t| <= 0.35: Taylor to degree 11, error below 1e-14.
    let t = -f * LN_2;
    let mut e_t = INV_FACTORIAL[11];
    for c in INV_FACTORIAL[..11].iter().rev() {
        e_t = e_t * t + c;
    }
    // 2^-n from its bits: exponent field 1023 - n (n <= 1021, so a normal number).
    let scale = f64::from_bits((1023 - n) << 52);
    e_t * scale
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_library_exp() {
        let mut x: f64 = 1e-9;
        while x < 700.0 {
            let want = (-x).exp();
            let got = exp_neg(x);
            assert!(((got - want) / want).abs() < 1e-13, "x = {x}: {got} vs {want}");
            x *= 1.01;
        }
        // The rounding boundaries of the range reduction: y = 1/2 and y = 1.
        for x in [0.5f64, 1.0, 2.0, 10.0, LN_2 / 2.0, LN_2] {
            let want = (-x).exp();
            assert!(((exp_neg(x) - want) / want).abs() < 1e-13, "x = {x}");
        }
    }

    #[test]
    fn edges() {
        assert_eq!(exp_neg(0.0), 1.0);
        assert_eq!(exp_neg(-3.0), 1.0);
        assert_eq!(exp_neg(f64::NAN), 1.0);
        assert_eq!(exp_neg(f64::INFINITY), 0.0);
        assert_eq!(exp_neg(1e6), 0.0);
        assert!(exp_neg(707.0) > 0.0);
    }
}

//! The numerically stable softmax and log-sum-exp, once for every crate.
//!
//! `logsumexp(s) = max(s) + ln sum_j exp(s_j - max(s))`, and
//! `softmax(s)_j = exp(s_j - logsumexp(s))`: subtracting the maximum keeps
//! every `exp` at most 1, so nothing overflows.

use num_traits::Float;

/// A floating-point type the softmax works in (`f32` or `f64`).
pub trait Real: Float + std::iter::Sum {}
impl<T: Float + std::iter::Sum> Real for T {}

/// `ln sum_j exp(s_j)`, computed stably; `-inf` for an empty slice or one
/// of only `-inf`, NaN when any entry is NaN.
pub fn log_sum_exp<T: Real>(s: &[T]) -> T {
    let max = s.iter().copied().fold(T::neg_infinity(), T::max);
    if s.iter().any(|v| v.is_nan()) {
        return T::nan();
    }
    if max == T::neg_infinity() || max == T::infinity() {
        return max;
    }
    max + s.iter().map(|&v| (v - max).exp()).sum::<T>().ln()
}

/// Replaces `s` by `softmax(s)` and returns `logsumexp(s)` of the input.
pub fn softmax_in_place<T: Real>(s: &mut [T]) -> T {
    let lse = log_sum_exp(s);
    s.iter_mut().for_each(|v| *v = (*v - lse).exp());
    lse
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agrees_with_the_definition_and_survives_large_logits() {
        let s = [1.0f64, 2.0, 3.0];
        let want = s.iter().map(|v| v.exp()).sum::<f64>().ln();
        assert!((log_sum_exp(&s) - want).abs() < 1e-12);
        let mut p = [1000.0f32, 1000.0];
        let lse = softmax_in_place(&mut p);
        assert!(p.iter().all(|v| (v - 0.5).abs() < 1e-4), "{p:?}");
        assert!((lse - (1000.0 + 2f32.ln())).abs() < 1e-3);
        assert_eq!(log_sum_exp::<f64>(&[]), f64::NEG_INFINITY);
        assert!(log_sum_exp(&[0.0, f64::NAN]).is_nan());
    }
}

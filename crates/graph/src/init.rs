//! The original notebook's Xavier-style initialisation.

use nalgebra::DMatrix;
use rand::Rng;

/// A `(n_out, n_in)` weight matrix with entries uniform on [-b, b],
/// `b = sqrt(5 / (n_in + n_out))` (the original's bound; Glorot and Bengio
/// use 6 instead of 5).
///
/// Entries are drawn row by row (row-major, like numpy), so the same RNG
/// state gives the same matrix in every implementation that follows that
/// order.
///
/// # Shapes
/// returns (n_out, n_in).
pub fn glorot_init<R: Rng + ?Sized>(n_out: usize, n_in: usize, rng: &mut R) -> DMatrix<f64> {
    let b = (5.0 / (n_in + n_out).max(1) as f64).sqrt();
    let values: Vec<f64> = (0..n_out * n_in)
        .map(|_| rng.random_range(-b..=b))
        .collect();
    DMatrix::from_row_slice(n_out, n_in, &values)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn bounded_seeded_and_spread() {
        let w = glorot_init(16, 34, &mut ChaCha8Rng::seed_from_u64(1));
        let b = (5.0f64 / 50.0).sqrt();
        assert_eq!(w.shape(), (16, 34));
        assert!(w.iter().all(|x| x.abs() <= b));
        assert!(w.max() > 0.8 * b && w.min() < -0.8 * b);
        assert_eq!(w, glorot_init(16, 34, &mut ChaCha8Rng::seed_from_u64(1)));
    }
}

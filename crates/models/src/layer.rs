//! One fully connected layer `y = x W^T + b`, the building block of the
//! autoencoder and of the linear probe.

use crate::error::Result;
use hw6_exercise::ParamError;
use hw6_linalg::{MatView, Matrix, Op, gemm_into};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// A fully connected layer `y = x W^T + b` (PyTorch's `nn.Linear`).
///
/// # Shapes
/// `weight`: `(out, in)`, `bias`: `out` values; input `(batch, in)` ->
/// output `(batch, out)`.
#[derive(Clone, Debug, PartialEq)]
pub struct Dense {
    /// Weight `W`, `(out, in)`.
    pub weight: Matrix,
    /// Bias `b`, `out` values.
    pub bias: Vec<f32>,
}

impl Dense {
    /// PyTorch's default initialisation: every weight and bias uniform in
    /// `+-1/sqrt(fan_in)`, weights first (row by row), then biases. Errors
    /// for a layer with no inputs or no outputs.
    pub fn uniform(fan_in: usize, fan_out: usize, rng: &mut ChaCha8Rng) -> Result<Self> {
        if fan_in == 0 || fan_out == 0 {
            let allowed = "a layer needs at least one input and one output";
            return Err(
                ParamError::new("layer size", format!("{fan_in} -> {fan_out}"), allowed).into(),
            );
        }
        let bound = 1.0 / (fan_in as f32).sqrt();
        let weight = Matrix::from_fn(fan_out, fan_in, |_, _| rng.random_range(-bound..bound));
        let bias = (0..fan_out)
            .map(|_| rng.random_range(-bound..bound))
            .collect();
        Ok(Self { weight, bias })
    }

    /// Input width `in`.
    pub fn fan_in(&self) -> usize {
        self.weight.cols()
    }

    /// Output width `out`.
    pub fn fan_out(&self) -> usize {
        self.weight.rows()
    }

    /// `out = x W^T + b`, reusing `out`'s buffer.
    ///
    /// # Shapes
    /// `x`: `(batch, in)` -> `out`: `(batch, out)`.
    pub fn forward_into(&self, x: MatView<'_>, out: &mut Matrix) -> Result<()> {
        gemm_into(out, x, Op::N, self.weight.view(), Op::T, false)?;
        out.add_to_rows(&self.bias);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn an_empty_layer_is_an_error() {
        let mut rng = ChaCha8Rng::seed_from_u64(0);
        assert!(Dense::uniform(0, 3, &mut rng).is_err());
        assert!(Dense::uniform(3, 0, &mut rng).is_err());
        assert_eq!(
            Dense::uniform(3, 2, &mut rng).unwrap().weight.shape(),
            (2, 3)
        );
    }
}

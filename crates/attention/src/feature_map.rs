//! Feature maps `φ: R^D -> R^C` with `sim(q, k) = φ(q)·φ(k)`, applied row-wise.
//! They turn kernel attention into linear attention (equation (5)).

use crate::error::Result;
use crate::shapes::to_rows;
use candle_core::{DType, Tensor};
use hw6_exercise::ShapeError;

/// `(N, D)` of a feature map's input: an `f32` matrix with `D >= 1`.
fn input_dims(x: &Tensor) -> Result<(usize, usize)> {
    let what = "feature map input";
    let (n, d) = x
        .dims2()
        .map_err(|_| ShapeError::new(what, "a matrix (N, D)", format!("shape {:?}", x.dims())))?;
    if x.dtype() != DType::F32 || d == 0 {
        let got = format!("{:?} with {d} columns", x.dtype());
        return Err(ShapeError::new(what, "f32 with D >= 1 columns", got).into());
    }
    Ok((n, d))
}

/// A feature map applied to each row of a matrix.
pub trait FeatureMap {
    /// Short name for tables and JSON (`"quadratic"`, `"elu+1"`).
    fn name(&self) -> &'static str;

    /// Output width `C` for input width `D`.
    fn dim(&self, d: usize) -> usize;

    /// Writes `φ(x)` into `out` (`x.len() == D`, `out.len() == C`).
    fn map_into(&self, x: &[f32], out: &mut [f32]);

    /// `φ(x)` of one row, length `C`.
    fn map_row(&self, x: &[f32]) -> Vec<f32> {
        let mut out = vec![0.0; self.dim(x.len())];
        self.map_into(x, &mut out);
        out
    }

    /// `φ` applied to every row.
    ///
    /// # Shapes
    /// `x: (N, D)` -> `(N, C)` with `C = self.dim(D)`.
    ///
    /// # Cost
    /// `O(N C)` time and memory.
    fn apply(&self, x: &Tensor) -> Result<Tensor> {
        let (n, d) = input_dims(x)?;
        let c = self.dim(d);
        let rows = to_rows(x)?;
        let mut out = vec![0f32; n * c];
        for (xi, oi) in rows.chunks_exact(d).zip(out.chunks_exact_mut(c)) {
            self.map_into(xi, oi);
        }
        Ok(Tensor::from_vec(out, (n, c), x.device())?)
    }
}

/// The quadratic feature map of part 3(b) ii: `φ(q)·φ(k)` is the quadratic
/// kernel of part 3(b) i for every `q, k`. It is the notebook's exercise
/// (`quadratic_features`), so a student release has `todo!()` bodies here.
///
/// # Shapes
/// A row of width `D` -> a row of width `C = self.dim(D)`.
#[derive(Debug, Clone, Copy, Default)]
pub struct QuadraticFeatures;

impl FeatureMap for QuadraticFeatures {
    fn name(&self) -> &'static str {
        "quadratic"
    }

    fn dim(&self, d: usize) -> usize {
        // BEGIN SOLUTION: the width C of the map for rows of width d
        // 1 constant, d linear terms, d squares, d(d-1)/2 cross terms.
        (d + 1) * (d + 2) / 2
        // END SOLUTION
    }

    fn map_into(&self, x: &[f32], out: &mut [f32]) {
        // BEGIN SOLUTION: write the features of the row x into out
        // (q.k + 1)^2 = 1 + 2 q.k + (q.k)^2 and (q.k)^2 = Σ_i q_i² k_i² +
        // 2 Σ_{i<j} q_i q_j k_i k_j, so
        // φ(x) = [1, sqrt(2) x_1..sqrt(2) x_D, x_1²..x_D², sqrt(2) x_i x_j (i < j)].
        // The linear terms need the sqrt(2) as much as the cross terms: with
        // plain x_i the inner product is 1 + q.k + (q.k)^2, another kernel.
        let d = x.len();
        let r2 = std::f32::consts::SQRT_2;
        out[0] = 1.0;
        for i in 0..d {
            out[1 + i] = r2 * x[i];
            out[1 + d + i] = x[i] * x[i];
        }
        let mut p = 1 + 2 * d;
        for i in 0..d {
            for j in i + 1..d {
                out[p] = r2 * x[i] * x[j];
                p += 1;
            }
        }
        // END SOLUTION
    }
}

/// `φ(x) = elu(x) + 1` element-wise (Katharopoulos et al., 2020): `x + 1` for
/// `x > 0`, `exp(x)` otherwise. Strictly positive, so every similarity and
/// every denominator is positive. `C = D`.
#[derive(Debug, Clone, Copy, Default)]
pub struct EluPlusOne;

impl FeatureMap for EluPlusOne {
    fn name(&self) -> &'static str {
        "elu+1"
    }

    fn dim(&self, d: usize) -> usize {
        d
    }

    fn map_into(&self, x: &[f32], out: &mut [f32]) {
        for (o, &xi) in out.iter_mut().zip(x) {
            *o = if xi > 0.0 { xi + 1.0 } else { xi.exp() };
        }
    }
}

/// A function `row -> φ(row)`, such as the notebook's `quadratic_features`,
/// as a [`FeatureMap`]. Its width `C` for rows of width `D` is the length of
/// `φ` of the zero row; [`FeatureMap::apply`] says which row disagrees.
///
/// ```
/// use hw6_attention::prelude::*;
/// let doubled = FeatureFn::new("doubled", |x: &[f32]| x.iter().map(|v| 2.0 * v).collect());
/// assert_eq!(doubled.dim(3), 3);
/// assert_eq!(doubled.map_row(&[1.0, -2.0]), vec![2.0, -4.0]);
/// ```
#[derive(Clone, Copy)]
pub struct FeatureFn<F> {
    name: &'static str,
    f: F,
}

impl<F: Fn(&[f32]) -> Vec<f32>> FeatureFn<F> {
    /// Wraps `f`, named `name` in tables and charts.
    pub fn new(name: &'static str, f: F) -> Self {
        Self { name, f }
    }
}

impl<F> std::fmt::Debug for FeatureFn<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "FeatureFn({:?})", self.name)
    }
}

impl<F: Fn(&[f32]) -> Vec<f32>> FeatureMap for FeatureFn<F> {
    fn name(&self) -> &'static str {
        self.name
    }

    fn dim(&self, d: usize) -> usize {
        (self.f)(&vec![0.0; d]).len()
    }

    /// # Panics
    /// If `φ(x)` is not `out.len()` long ([`FeatureMap::apply`] checks
    /// first and returns an error instead).
    fn map_into(&self, x: &[f32], out: &mut [f32]) {
        out.copy_from_slice(&(self.f)(x));
    }

    fn map_row(&self, x: &[f32]) -> Vec<f32> {
        (self.f)(x)
    }

    fn apply(&self, x: &Tensor) -> Result<Tensor> {
        let (n, d) = input_dims(x)?;
        let c = self.dim(d);
        let rows = to_rows(x)?;
        let mut out = Vec::with_capacity(n * c);
        for (i, xi) in rows.chunks_exact(d).enumerate() {
            let phi = (self.f)(xi);
            if phi.len() != c {
                let expected =
                    format!("{c} features for every row of width {d} (as for the zero row)");
                let got = format!("{} features for row {i}", phi.len());
                return Err(ShapeError::new("feature map output", expected, got).into());
            }
            out.extend_from_slice(&phi);
        }
        Ok(Tensor::from_vec(out, (n, c), x.device())?)
    }
}

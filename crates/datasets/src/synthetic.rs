//! The homework's synthetic data: Gaussian points whose variance is large in a
//! few hidden directions, and labels that depend only on those directions.
//!
//! The recipe of the original `SyntheticDataset`, step by step:
//!
//! 1. `X ~ N(0, Σ)`, `samples` rows of `input_size` values, where `Σ` is the
//!    identity except that its first `num_high_var_dims` diagonal entries are
//!    `var_scale` (the top-left block of `I` scaled by `var_scale`).
//! 2. A random rotation: `G` is an `input_size × input_size` matrix of
//!    standard normals and `U` the orthogonal left factor of its SVD,
//!    `G = U S Vᵀ`.
//! 3. The features are `X U` (each row of `X` times `U`).
//! 4. The label of a row is `1` if the sum of its first `num_high_var_dims`
//!    coordinates *before* the rotation is positive, else `0`.
//! 5. Consecutive rows form train, valid and test, with sizes
//!    `int(samples * fraction)`.
//!
//! The features' covariance is therefore `Uᵀ Σ U`, and the high-variance
//! subspace is spanned by the first `num_high_var_dims` rows of `U`; see
//! [`SyntheticDataset::high_variance_basis`].
//!
//! ```
//! use hw6_datasets::SyntheticConfig;
//! let cfg = SyntheticConfig { samples: 1_000, ..SyntheticConfig::default() };
//! let data = cfg.build()?;
//! assert_eq!((data.train.len(), data.valid.len(), data.test.len()), (700, 200, 100));
//! assert_eq!(data.input_size(), 100);
//! # Ok::<(), hw6_datasets::DataError>(())
//! ```

use nalgebra::DMatrix;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::StandardNormal;

use crate::dataset::{DataSource, Dataset, split_sizes};
use crate::error::DataError;
use crate::split::Split;
use hw6_linalg::Matrix;

/// The largest `input_size` accepted: the rotation is the SVD of an
/// `input_size²` matrix, which gets slow beyond this.
pub const MAX_INPUT_SIZE: usize = 4096;

/// The largest `samples * input_size` accepted (2^28 values, 1 GiB of `f32`).
pub const MAX_VALUES: usize = 1 << 28;

/// Settings of the synthetic data set (the notebook's constants).
#[derive(Debug, Clone, PartialEq)]
pub struct SyntheticConfig {
    /// Features per row (`INPUT_DIMS`).
    pub input_size: usize,
    /// Rows in all (`NUM_SAMPLES`).
    pub samples: usize,
    /// Fractions of the rows for train, valid and test (`DATA_SPLITS`); each
    /// in `[0, 1]`, summing to at most 1.
    pub splits: [f64; 3],
    /// How many hidden directions have the large variance (`NUM_HIGH_VAR_DIMS`).
    pub num_high_var_dims: usize,
    /// The variance along those directions; the others have variance 1 (`VAR_SCALE`).
    pub var_scale: f64,
    /// The seed of every random number drawn.
    pub seed: u64,
}

impl Default for SyntheticConfig {
    /// The notebook's values: 100 features, 20,000 rows split
    /// `[0.7, 0.2, 0.1]`, 20 high-variance directions of variance 100, seed 0.
    fn default() -> Self {
        SyntheticConfig {
            input_size: 100,
            samples: 20_000,
            splits: [0.7, 0.2, 0.1],
            num_high_var_dims: 20,
            var_scale: 100.0,
            seed: 0,
        }
    }
}

/// The synthetic data together with the hidden rotation that made it, for
/// checks such as "does PCA find the high-variance subspace?".
#[derive(Debug, Clone)]
pub struct SyntheticDataset {
    /// The three splits (two classes).
    pub dataset: Dataset,
    /// `U`, `input_size × input_size`, orthogonal: features = `X U`.
    pub rotation: DMatrix<f64>,
    /// How many leading coordinates of `X` have variance `var_scale`.
    pub num_high_var_dims: usize,
    /// The variance of those coordinates.
    pub var_scale: f64,
}

impl SyntheticDataset {
    /// An orthonormal basis of the high-variance subspace in feature space.
    ///
    /// # Shapes
    /// `(input_size, num_high_var_dims)`: column `i` is row `i` of
    /// [`Self::rotation`], the image of the `i`-th unrotated axis.
    pub fn high_variance_basis(&self) -> DMatrix<f64> {
        self.rotation.rows(0, self.num_high_var_dims).transpose()
    }

    /// The covariance of the features, `Uᵀ Σ U`.
    ///
    /// # Shapes
    /// `(input_size, input_size)`.
    pub fn population_covariance(&self) -> DMatrix<f64> {
        let d = self.rotation.nrows();
        let sigma = DMatrix::from_fn(d, d, |i, j| {
            if i != j {
                0.0
            } else if i < self.num_high_var_dims {
                self.var_scale
            } else {
                1.0
            }
        });
        self.rotation.transpose() * sigma * &self.rotation
    }
}

impl SyntheticConfig {
    /// Checks every setting; called by [`Self::build`].
    pub fn validate(&self) -> Result<(), DataError> {
        if self.input_size == 0 {
            return Err(DataError::invalid("input_size", "is 0; use at least 1"));
        }
        if self.input_size > MAX_INPUT_SIZE {
            return Err(DataError::invalid(
                "input_size",
                format!(
                    "{} is above the supported {MAX_INPUT_SIZE} (the rotation is an SVD of an input_size² matrix)",
                    self.input_size
                ),
            ));
        }
        if self.samples == 0 {
            return Err(DataError::invalid("samples", "is 0; use at least 1"));
        }
        match self.samples.checked_mul(self.input_size) {
            Some(v) if v <= MAX_VALUES => {}
            _ => {
                return Err(DataError::invalid(
                    "samples",
                    format!(
                        "{} rows of {} features is more than {MAX_VALUES} values; use fewer rows",
                        self.samples, self.input_size
                    ),
                ));
            }
        }
        if self.num_high_var_dims == 0 || self.num_high_var_dims > self.input_size {
            return Err(DataError::invalid(
                "num_high_var_dims",
                format!(
                    "is {}; it must be between 1 and input_size ({})",
                    self.num_high_var_dims, self.input_size
                ),
            ));
        }
        if !self.var_scale.is_finite() || self.var_scale <= 0.0 {
            return Err(DataError::invalid(
                "var_scale",
                format!(
                    "is {}; it is a variance and must be a positive number",
                    self.var_scale
                ),
            ));
        }
        split_sizes(self.samples, self.splits)?;
        Ok(())
    }

    /// The data set (see the module docs for the recipe).
    pub fn build(&self) -> Result<Dataset, DataError> {
        Ok(self.build_with_rotation()?.dataset)
    }

    /// The data set and the hidden rotation `U` that produced it.
    pub fn build_with_rotation(&self) -> Result<SyntheticDataset, DataError> {
        self.validate()?;
        let [n_train, n_valid, n_test] = split_sizes(self.samples, self.splits)?;
        let (n, d, k) = (self.samples, self.input_size, self.num_high_var_dims);
        let mut rng = ChaCha8Rng::seed_from_u64(self.seed);

        // 1. X ~ N(0, Σ), drawn row by row; Σ is diagonal so each coordinate
        //    is an independent normal with standard deviation 1 or sqrt(var_scale).
        let high_std = self.var_scale.sqrt();
        let mut x_rows = Vec::with_capacity(n * d);
        for _ in 0..n {
            for j in 0..d {
                let z: f64 = rng.sample(StandardNormal);
                x_rows.push(if j < k { z * high_std } else { z });
            }
        }

        // 2. U from the SVD of a standard normal d × d matrix.
        let g_rows: Vec<f64> = (0..d * d).map(|_| rng.sample(StandardNormal)).collect();
        let g = DMatrix::from_row_slice(d, d, &g_rows);
        let svd = nalgebra::SVD::try_new(g, true, false, 1e-12, 100_000).ok_or_else(|| {
            DataError::invalid(
                "seed",
                format!(
                    "the SVD of the random {d}×{d} matrix did not converge with seed {}; try another seed",
                    self.seed
                ),
            )
        })?;
        let u = svd.u.ok_or_else(|| {
            DataError::invalid("input_size", "the SVD returned no U; please report this")
        })?;

        // 3. Features = X U.
        let x = DMatrix::from_row_slice(n, d, &x_rows);
        let features = &x * &u;

        // 4. Labels from the unrotated high-variance coordinates.
        let labels: Vec<u32> = x_rows
            .chunks_exact(d)
            .map(|row| u32::from(row[..k].iter().sum::<f64>() > 0.0))
            .collect();

        // 5. Consecutive splits.
        let split = |start: usize, len: usize| -> Result<Split, DataError> {
            let rows = Matrix::from_fn(len, d, |i, j| features[(start + i, j)] as f32);
            Split::new(rows, labels[start..start + len].to_vec())
        };
        let dataset = Dataset {
            name: "synthetic".to_string(),
            source: DataSource::Synthetic,
            train: split(0, n_train)?,
            valid: split(n_train, n_valid)?,
            test: split(n_train + n_valid, n_test)?,
            num_classes: 2,
        };
        Ok(SyntheticDataset {
            dataset,
            rotation: u,
            num_high_var_dims: k,
            var_scale: self.var_scale,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_names_the_field() {
        let base = SyntheticConfig {
            samples: 100,
            input_size: 10,
            num_high_var_dims: 2,
            ..SyntheticConfig::default()
        };
        let cases: Vec<(SyntheticConfig, &str)> = vec![
            (
                SyntheticConfig {
                    input_size: 0,
                    ..base.clone()
                },
                "input_size",
            ),
            (
                SyntheticConfig {
                    samples: 0,
                    ..base.clone()
                },
                "samples",
            ),
            (
                SyntheticConfig {
                    num_high_var_dims: 11,
                    ..base.clone()
                },
                "num_high_var_dims",
            ),
            (
                SyntheticConfig {
                    num_high_var_dims: 0,
                    ..base.clone()
                },
                "num_high_var_dims",
            ),
            (
                SyntheticConfig {
                    var_scale: -1.0,
                    ..base.clone()
                },
                "var_scale",
            ),
            (
                SyntheticConfig {
                    splits: [0.7, 0.3, 0.1],
                    ..base.clone()
                },
                "splits",
            ),
            (
                SyntheticConfig {
                    samples: usize::MAX,
                    ..base.clone()
                },
                "samples",
            ),
        ];
        for (cfg, field) in cases {
            let err = cfg.build().unwrap_err();
            assert!(
                err.to_string().starts_with(&format!("invalid {field}")),
                "{cfg:?} gave {err}"
            );
        }
    }
}

//! The synthetic data has the distribution the homework describes.

use hw6_datasets::prelude::*;
use nalgebra::DMatrix;

/// All rows of the three splits as one `(n, d)` f64 matrix.
fn all_rows(d: &Dataset) -> DMatrix<f64> {
    let dim = d.input_size();
    let rows: Vec<f64> = [&d.train, &d.valid, &d.test]
        .iter()
        .flat_map(|s| s.features().as_slice().iter().map(|&v| f64::from(v)))
        .collect();
    DMatrix::from_row_slice(rows.len() / dim, dim, &rows)
}

fn all_labels(d: &Dataset) -> Vec<u32> {
    [&d.train, &d.valid, &d.test]
        .iter()
        .flat_map(|s| s.labels().iter().copied())
        .collect()
}

/// The (biased) covariance of the rows of `x` around the true mean 0.
fn second_moment(x: &DMatrix<f64>) -> DMatrix<f64> {
    x.transpose() * x / x.nrows() as f64
}

#[test]
fn default_config_matches_the_notebook() {
    let c = SyntheticConfig::default();
    assert_eq!(
        (
            c.input_size,
            c.samples,
            c.splits,
            c.num_high_var_dims,
            c.var_scale,
            c.seed
        ),
        (100, 20_000, [0.7, 0.2, 0.1], 20, 100.0, 0)
    );
}

#[test]
fn unrotated_data_has_the_target_covariance_and_labels() {
    let cfg = SyntheticConfig::default();
    let s = cfg.build_with_rotation().unwrap();
    let d = &s.dataset;
    assert_eq!(
        (d.train.len(), d.valid.len(), d.test.len()),
        (14_000, 4_000, 2_000)
    );
    assert_eq!(d.num_classes, 2);
    assert_eq!(d.source, DataSource::Synthetic);

    // The rotation is orthogonal.
    let u = &s.rotation;
    let err = (u.transpose() * u - DMatrix::identity(100, 100))
        .abs()
        .max();
    assert!(err < 1e-10, "UᵀU differs from I by {err}");

    // Undo the rotation: X = features Uᵀ, and compare X's covariance with Σ
    // entry by entry, within 5 standard errors of the sample estimate.
    let features = all_rows(d);
    let x = &features * u.transpose();
    let cov = second_moment(&x);
    let n = x.nrows() as f64;
    let k = cfg.num_high_var_dims;
    let sigma = |i: usize| if i < k { cfg.var_scale } else { 1.0 };
    for i in 0..100 {
        for j in 0..100 {
            let target = if i == j { sigma(i) } else { 0.0 };
            let se = ((sigma(i) * sigma(j) + target * target) / n).sqrt();
            assert!(
                (cov[(i, j)] - target).abs() < 5.0 * se,
                "cov[{i},{j}] = {} but Σ[{i},{j}] = {target} (se {se})",
                cov[(i, j)]
            );
        }
    }

    // Labels: the sum of the first k unrotated coordinates is positive.
    let labels = all_labels(d);
    let disagree = (0..x.nrows())
        .filter(|&r| {
            let sum: f64 = (0..k).map(|c| x[(r, c)]).sum();
            u32::from(sum > 0.0) != labels[r]
        })
        .count();
    assert!(disagree <= 2, "{disagree} labels disagree with the rule"); // f32 rounding only
    let ones = labels.iter().filter(|&&y| y == 1).count() as f64 / labels.len() as f64;
    assert!((0.48..0.52).contains(&ones), "{ones} of the labels are 1");
}

#[test]
fn features_vary_most_in_the_high_variance_subspace() {
    let s = SyntheticConfig::default().build_with_rotation().unwrap();
    let b = s.high_variance_basis();
    assert_eq!(b.shape(), (100, 20));
    let gram = b.transpose() * &b;
    assert!((gram - DMatrix::identity(20, 20)).abs().max() < 1e-10);

    let cov = second_moment(&all_rows(&s.dataset));
    // Along the basis: variance 100; in the complement: variance 1.
    let inside = b.transpose() * &cov * &b;
    for i in 0..20 {
        assert!((inside[(i, i)] - 100.0).abs() < 5.0, "{}", inside[(i, i)]);
    }
    let complement = DMatrix::identity(100, 100) - &b * b.transpose();
    let outside = (&complement * &cov * &complement).trace() / 80.0;
    assert!(
        (outside - 1.0).abs() < 0.05,
        "mean variance outside: {outside}"
    );
    // The population covariance agrees with the empirical one.
    let pop = s.population_covariance();
    assert!((pop.trace() - (20.0 * 100.0 + 80.0)).abs() < 1e-8);
    assert!((&cov - &pop).abs().max() < 5.0);
}

#[test]
fn split_moments_are_the_mean_and_second_moment_of_its_rows() {
    let d = SyntheticConfig {
        samples: 400,
        input_size: 6,
        num_high_var_dims: 2,
        ..SyntheticConfig::default()
    }
    .build()
    .unwrap();
    let m = d.train.moments().unwrap();
    let rows: Vec<f64> = d
        .train
        .features()
        .as_slice()
        .iter()
        .map(|&v| f64::from(v))
        .collect();
    let x = DMatrix::from_row_slice(d.train.len(), 6, &rows);
    let s = second_moment(&x);
    assert_eq!(m.second.shape(), (6, 6));
    for (i, &v) in m.second.as_slice().iter().enumerate() {
        assert!((f64::from(v) - s[(i / 6, i % 6)]).abs() < 1e-3 * (1.0 + s[(i / 6, i % 6)].abs()));
    }
    for (j, &mu) in m.mean.iter().enumerate() {
        let direct = x.column(j).mean();
        assert!((f64::from(mu) - direct).abs() < 1e-5, "{mu} vs {direct}");
    }
    // Computed once and kept with the split.
    assert!(std::ptr::eq(m, d.train.moments().unwrap()));
}

#[test]
fn same_seed_same_data_other_seed_other_data() {
    let cfg = SyntheticConfig {
        samples: 500,
        input_size: 12,
        num_high_var_dims: 3,
        ..SyntheticConfig::default()
    };
    let a = cfg.build_with_rotation().unwrap();
    let b = cfg.build_with_rotation().unwrap();
    assert_eq!(a.dataset.train, b.dataset.train);
    assert_eq!(a.dataset.test, b.dataset.test);
    assert_eq!(a.rotation, b.rotation);
    let c = SyntheticConfig { seed: 1, ..cfg }.build().unwrap();
    assert_ne!(
        a.dataset.train.features().as_slice(),
        c.train.features().as_slice()
    );
}

#[test]
fn split_sizes_are_floors_and_splits_are_consecutive() {
    let cfg = SyntheticConfig {
        samples: 1_001,
        input_size: 4,
        num_high_var_dims: 2,
        splits: [0.5, 0.3, 0.15],
        ..SyntheticConfig::default()
    };
    let d = cfg.build().unwrap();
    // int(1001 * 0.5) = 500, int(1001 * 0.3) = 300, int(1001 * 0.15) = 150
    assert_eq!(
        (d.train.len(), d.valid.len(), d.test.len()),
        (500, 300, 150)
    );
    assert_eq!(d.train.features().as_slice().len(), 500 * 4);
    // A zero test fraction is allowed.
    let d = SyntheticConfig {
        splits: [0.8, 0.2, 0.0],
        ..cfg
    }
    .build()
    .unwrap();
    assert!(d.test.is_empty());
}

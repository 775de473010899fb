//! The linear probe: it learns what it should, its gradient is the
//! cross-entropy's, standardising helps where raw features stall, and bad
//! inputs are errors.

use hw6_linalg::Matrix;
use hw6_models::{Adam, LinearProbe, ParamsAdamW, ProbeConfig, Standardiser};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

#[test]
fn learns_a_linearly_separable_problem() {
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    let n = 600;
    let z = Matrix::from_fn(n, 2, |_, _| rng.random_range(-1.0..1.0));
    let labels: Vec<u32> = (0..n)
        .map(|r| {
            let row = z.row(r).unwrap();
            u32::from(row[0] + 2.0 * row[1] > 0.0)
        })
        .collect();
    let cfg = ProbeConfig {
        lr: 0.05,
        epochs: 30,
        batch_size: 50,
        seed: 1,
        ..Default::default()
    };
    let fitted = LinearProbe::fit(&z, &labels, 2, &cfg).unwrap();
    assert!(fitted.probe.accuracy(&z, &labels).unwrap() > 0.97);
    assert!(fitted.final_loss < 0.3, "{}", fitted.final_loss);
}

/// Ten classes separated along five features of scale 0.1 on top of an
/// offset of 0.5, like a small-k MNIST autoencoder's codes after 10 epochs,
/// 3,200 labelled rows like the bundled sample: the notebook's setting
/// (Adam lr 1e-3, batches of 200) must find the classes, where raw features
/// and 160 steps stay near chance.
#[test]
fn default_probe_learns_small_scale_offset_features() {
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let (n, k, classes) = (3200, 5, 10);
    // Class c sits at corner c of the cube [-1, 1]^5; small noise.
    let corner = |c: usize, j: usize| if (c >> j) & 1 == 1 { 1.0 } else { -1.0 };
    let mut make = |n: usize| {
        let z = Matrix::from_fn(n, k, |r, j| {
            0.5 + 0.1 * (corner(r % classes, j) + rng.random_range(-0.25..0.25))
        });
        (z, (0..n).map(|r| (r % classes) as u32).collect::<Vec<_>>())
    };
    let (z, y) = make(n);
    let (zt, yt) = make(1000);
    let cfg = ProbeConfig {
        batch_size: 200,
        ..Default::default()
    };
    let acc = LinearProbe::fit(&z, &y, classes, &cfg)
        .unwrap()
        .probe
        .accuracy(&zt, &yt)
        .unwrap();
    assert!(acc > 0.8, "standardised probe accuracy {acc}");
    let raw = ProbeConfig {
        standardise: false,
        min_steps: 0,
        ..cfg
    };
    let fitted = LinearProbe::fit(&z, &y, classes, &raw).unwrap();
    let raw_acc = fitted.probe.accuracy(&zt, &yt).unwrap();
    assert!(
        raw_acc < acc - 0.2 && fitted.final_loss > 2.0,
        "raw features: accuracy {raw_acc}, loss {} (the test no longer shows the scale problem)",
        fitted.final_loss
    );
}

#[test]
fn standardiser_uses_training_statistics_and_keeps_constant_features() {
    let z = Matrix::from_vec(4, 2, vec![1.0, 5.0, 3.0, 5.0, 5.0, 5.0, 7.0, 5.0]).unwrap();
    let s = Standardiser::fit(&z);
    assert_eq!(s.mean, vec![4.0, 5.0]);
    assert!((s.inv_std[0] - 1.0 / 5f32.sqrt()).abs() < 1e-6);
    assert_eq!(s.inv_std[1], 1.0, "constant feature left unscaled");
    let other = Matrix::from_vec(1, 2, vec![4.0, 6.0]).unwrap();
    assert_eq!(s.apply(other.view()).as_slice(), &[0.0, 1.0]);
}

#[test]
fn cross_entropy_gradient_matches_finite_differences() {
    let z = Matrix::from_vec(3, 2, vec![0.5, -1.0, 2.0, 0.3, -0.7, 0.1]).unwrap();
    let labels = [0u32, 2, 1];
    let probe = LinearProbe::new(2, 3, 4).unwrap();
    let loss_of = |p: &LinearProbe| -> f64 {
        let s = p.logits(&z).unwrap();
        let per_row = s.as_slice().chunks_exact(3).zip(&labels).map(|(r, &y)| {
            let lse = r.iter().map(|v| (*v as f64).exp()).sum::<f64>().ln();
            lse - r[y as usize] as f64
        });
        per_row.sum::<f64>() / 3.0
    };
    // With beta1 = beta2 = 0 the first Adam step is -lr * g / (|g| + eps):
    // its sign is the gradient's sign.
    let params = ParamsAdamW {
        lr: 1e-3,
        beta1: 0.0,
        beta2: 0.0,
        eps: 1e-12,
        weight_decay: 0.0,
    };
    let mut opt = Adam::with_params(params, &[6, 3]).unwrap();
    let mut stepped = probe.clone();
    stepped.train_step(&z, &labels, &mut opt).unwrap();
    for i in 0..6 {
        let nudged = |delta: f32| {
            let mut p = probe.clone();
            p.layer.weight.as_mut_slice()[i] += delta;
            loss_of(&p)
        };
        let g = (nudged(1e-3) - nudged(-1e-3)) / 2e-3;
        let moved = stepped.layer.weight.as_slice()[i] - probe.layer.weight.as_slice()[i];
        if g.abs() > 1e-3 {
            assert_eq!(
                moved < 0.0,
                g > 0.0,
                "weight {i}: gradient {g}, moved {moved}"
            );
        }
    }
}

#[test]
fn bad_inputs_are_errors() {
    assert!(LinearProbe::new(0, 2, 0).is_err());
    assert!(LinearProbe::new(3, 1, 0).is_err());
    let z = Matrix::zeros(4, 3);
    let fit = |labels: &[u32], cfg: ProbeConfig| LinearProbe::fit(&z, labels, 2, &cfg);
    assert!(
        fit(
            &[0, 1, 0, 1],
            ProbeConfig {
                epochs: 0,
                ..Default::default()
            }
        )
        .is_err()
    );
    assert!(
        fit(
            &[0, 1, 0, 1],
            ProbeConfig {
                batch_size: 5,
                ..Default::default()
            }
        )
        .is_err()
    );
    assert!(
        fit(
            &[0, 1, 0, 7],
            ProbeConfig {
                batch_size: 2,
                ..Default::default()
            }
        )
        .is_err()
    );
}

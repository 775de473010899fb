//! Facts about training that a wrong implementation would break: the probe
//! reads the high-variance structure of the synthetic data, and runs are
//! reproducible from their seed.

use hw6_datasets::prelude::*;
use hw6_models::prelude::*;
use hw6_models::{Corruption, GaussianNoise};
use std::sync::Arc;

/// The original's synthetic data with fewer samples.
fn synthetic(samples: usize) -> Arc<Dataset> {
    Arc::new(
        SyntheticConfig {
            samples,
            ..SyntheticConfig::default()
        }
        .build()
        .unwrap(),
    )
}

#[test]
fn probe_accuracy_on_synthetic_k100_is_at_least_0_95() {
    // The original's data (20,000 x 100), its linear k = 100 autoencoder and
    // 10 epochs; the labels are the sign of the sum of the 20 high-variance
    // coordinates, a linear function of the input, so a k = 100 code that
    // keeps the input's information allows a near-perfect probe.
    let data = Arc::new(SyntheticConfig::default().build().unwrap());
    let spec = RunSpec {
        arch: Arch::Linear,
        k: 100,
        model: ModelKind::Vanilla,
        repeat: 0,
        epochs: 10,
        batch_size: 100,
        seed: 0,
        architecture: None,
    };
    let r = run_once(&data, &spec, &mut |_| {}).unwrap();
    assert!(r.accuracy >= 0.95, "accuracy {}", r.accuracy);
    // Losses fall, and the validation loss tracks the training loss.
    assert!(r.train_losses[9] < r.train_losses[0]);
    assert!((r.valid_loss - r.train_loss).abs() < 0.1 * r.train_loss);
}

#[test]
fn same_seed_same_numbers_other_seed_other_numbers() {
    let data = synthetic(2_000);
    for model in ModelKind::ALL {
        let spec = RunSpec {
            arch: Arch::Nonlinear { hidden: 32 },
            k: 5,
            model,
            repeat: 0,
            epochs: 2,
            batch_size: 100,
            seed: 7,
            architecture: None,
        };
        let a = run_once(&data, &spec, &mut |_| {}).unwrap();
        let b = run_once(&data, &spec, &mut |_| {}).unwrap();
        assert_eq!(a.train_losses, b.train_losses, "{model:?}");
        assert_eq!(a.valid_losses, b.valid_losses);
        assert_eq!(a.accuracy, b.accuracy);
        let c = run_once(
            &data,
            &RunSpec {
                seed: 8,
                ..spec.clone()
            },
            &mut |_| {},
        )
        .unwrap();
        assert_ne!(
            a.train_losses, c.train_losses,
            "{model:?}: another seed must give other numbers"
        );
    }
}

/// A notebook's denoising step, written with the model's own corruption.
struct NoiseStep;

impl TrainStep for NoiseStep {
    fn train_step(
        &self,
        ae: &mut Autoencoder,
        x: &Matrix,
        opt: &mut Adam,
        rng: &mut ChaCha8Rng,
    ) -> Result<f32, ModelError> {
        let x_noisy = GaussianNoise { noise_std: 0.5 }.corrupt(x.view(), rng);
        ae.step(&x_noisy, x, opt)
    }
}

#[test]
fn student_train_steps_reproduce_the_reference_models_in_an_experiment() {
    // A model trained through a notebook's step (CustomAutoencoder) matches
    // the model with the same step built in, number for number.
    let data = synthetic(1_000);
    let cfg = AutoencoderConfig::linear(100, 5).with_seed(3);
    let ecfg = ExperimentConfig {
        seed: 3,
        ..Default::default()
    };
    let fast = DenoisingAutoencoder::new(&cfg, 0.5).unwrap();
    let custom = CustomAutoencoder::new(&cfg, "denoise", NoiseStep).unwrap();
    let a = Experiment::new(data.clone(), fast, ecfg.clone())
        .unwrap()
        .train(2)
        .unwrap();
    let b = Experiment::new(data, custom, ecfg)
        .unwrap()
        .train(2)
        .unwrap();
    for (x, y) in a.train_losses.iter().zip(&b.train_losses) {
        assert!((x - y).abs() <= 1e-5 * x.abs(), "{x} vs {y}");
    }
}

#[test]
fn losses_evaluated_beside_training_equal_losses_evaluated_in_between() {
    // Experiment::train can compute epoch e's losses on a second thread
    // while epoch e + 1 trains; it must report exactly what evaluating in
    // between gives, in epoch order, and leave the same weights.
    let data = synthetic(2_000);
    let cfg = AutoencoderConfig::nonlinear(100, 32, 5).with_seed(2);
    let mut results = Vec::new();
    for overlap in [false, true] {
        let ecfg = ExperimentConfig {
            seed: 4,
            overlap_eval: Some(overlap),
            ..Default::default()
        };
        let model = DenoisingAutoencoder::new(&cfg, 0.5).unwrap();
        let mut exp = Experiment::new(data.clone(), model, ecfg).unwrap();
        let mut seen = Vec::new();
        let stats = exp
            .train_with(3, &mut |e| seen.push((e.epoch, e.train_loss)))
            .unwrap();
        assert_eq!(
            seen.iter().map(|s| s.0).collect::<Vec<_>>(),
            vec![1, 2, 3],
            "overlap {overlap}: epochs reported in order"
        );
        assert_eq!(
            seen.iter().map(|s| s.1).collect::<Vec<_>>(),
            stats.train_losses
        );
        // A second call continues from the same state.
        let more = exp.train(1).unwrap();
        let weights = exp.network().layers().to_vec();
        results.push((
            stats.train_losses,
            stats.valid_losses,
            more.train_losses,
            weights,
        ));
    }
    assert_eq!(results[0], results[1]);
}

/// The network's own forward pass, as a notebook writes it.
struct Right;
impl ForwardPass for Right {
    fn forward(&self, ae: &Autoencoder, x: &Matrix) -> Result<Matrix, ModelError> {
        ae.decode(&ae.encode(x)?)
    }
}

/// A forward pass whose reconstruction is off by 3 in every entry.
struct Shifted;
impl ForwardPass for Shifted {
    fn forward(&self, ae: &Autoencoder, x: &Matrix) -> Result<Matrix, ModelError> {
        Ok(Right.forward(ae, x)?.map(|v| v + 3.0))
    }
}

/// A forward pass that forgets the decoder.
struct EncodeOnly;
impl ForwardPass for EncodeOnly {
    fn forward(&self, ae: &Autoencoder, x: &Matrix) -> Result<Matrix, ModelError> {
        ae.encode(x)
    }
}

/// A forward pass that panics.
struct Panics;
impl ForwardPass for Panics {
    fn forward(&self, _: &Autoencoder, _: &Matrix) -> Result<Matrix, ModelError> {
        panic!("index 7 out of range")
    }
}

#[test]
fn a_notebooks_forward_pass_computes_the_losses_and_its_mistakes_show() {
    let data = synthetic(1_000);
    let ecfg = ExperimentConfig {
        seed: 5,
        ..Default::default()
    };
    for cfg in [
        AutoencoderConfig::linear(100, 5).with_seed(1),
        AutoencoderConfig::nonlinear(100, 32, 5).with_seed(1),
    ] {
        let model = || build_model(ModelKind::Vanilla, &cfg).unwrap();
        let train = |model: Box<dyn AutoencoderModel>| {
            Experiment::new_boxed(data.clone(), model, ecfg.clone())
                .unwrap()
                .train(2)
        };
        let own = train(model()).unwrap();
        let right = train(with_forward(model(), Right)).unwrap();
        for (a, b) in own.train_losses.iter().zip(&right.train_losses) {
            assert!((a - b).abs() <= 1e-4 * a, "{a} vs {b}");
        }
        let shifted = train(with_forward(model(), Shifted)).unwrap();
        let (wrong, want) = (shifted.valid_losses[1], own.valid_losses[1]);
        assert!(wrong > want + 8.0, "{wrong} vs {want}");
        let e = train(with_forward(model(), EncodeOnly))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("your forward pass") && e.contains("(700, 5)"),
            "{e}"
        );
        let e = train(with_forward(model(), Panics))
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("your forward pass") && e.contains("index 7"),
            "{e}"
        );
    }
}

//! Every bad input of issue 3 section 5 is an error that names what to
//! change, and none panics.

use hw6_datasets::prelude::*;
use hw6_models::prelude::*;
use std::sync::Arc;

fn small_data() -> Arc<Dataset> {
    let cfg = SyntheticConfig {
        samples: 1_000,
        ..SyntheticConfig::default()
    };
    Arc::new(cfg.build().expect("synthetic data"))
}

fn message(e: ModelError) -> String {
    e.to_string()
}

#[test]
fn zero_k_and_empty_hidden_sizes() {
    let e = message(Autoencoder::new(&AutoencoderConfig::linear(100, 0)).unwrap_err());
    assert!(e.contains("k") && e.contains("k >= 1"), "{e}");
    let e = message(
        Autoencoder::new(&AutoencoderConfig::new(100, vec![], Activation::ReLU)).unwrap_err(),
    );
    assert!(
        e.contains("hidden_sizes") && e.contains("at least one layer"),
        "{e}"
    );
    let e = message(
        Autoencoder::new(&AutoencoderConfig::new(100, vec![0, 5], Activation::ReLU)).unwrap_err(),
    );
    assert!(e.contains("hidden_sizes"), "{e}");
}

#[test]
fn mask_prob_outside_unit_interval_and_negative_noise() {
    let cfg = AutoencoderConfig::linear(100, 5);
    for p in [-0.01, 1.0, 2.0] {
        let e = message(
            build_model(ModelKind::Masked { mask_prob: p }, &cfg)
                .err()
                .unwrap(),
        );
        assert!(e.contains("mask_prob") && e.contains("[0, 1)"), "{e}");
    }
    let e = message(
        build_model(ModelKind::Denoising { noise_std: -1.0 }, &cfg)
            .err()
            .unwrap(),
    );
    assert!(e.contains("noise_std") && e.contains(">= 0"), "{e}");
    assert!(build_model(ModelKind::Masked { mask_prob: 0.0 }, &cfg).is_ok());
    assert!(build_model(ModelKind::Denoising { noise_std: 0.0 }, &cfg).is_ok());
}

#[test]
fn zero_epochs() {
    let data = small_data();
    let model = Autoencoder::new(&AutoencoderConfig::linear(100, 5)).unwrap();
    let mut exp = Experiment::new(data, model, ExperimentConfig::default()).unwrap();
    let e = message(exp.train(0).unwrap_err());
    assert!(e.contains("epochs") && e.contains("at least 1"), "{e}");
    let e = message(exp.evaluate_with_linear_probe(0).unwrap_err());
    assert!(e.contains("epochs"), "{e}");
}

#[test]
fn batch_larger_than_its_split() {
    let data = small_data(); // 700 train, 200 valid, 100 test
    let model = || Autoencoder::new(&AutoencoderConfig::linear(100, 5)).unwrap();
    for bs in [0, 201, 701] {
        let cfg = ExperimentConfig {
            batch_size: bs,
            ..Default::default()
        };
        let e = message(Experiment::new(data.clone(), model(), cfg).err().unwrap());
        assert!(
            e.contains("batch_size") && e.contains("1..=200"),
            "{bs}: {e}"
        );
    }
    let cfg = ExperimentConfig {
        batch_size: 200,
        ..Default::default()
    };
    assert!(Experiment::new(data, model(), cfg).is_ok());
}

#[test]
fn wrong_input_size() {
    let data = small_data();
    let model = Autoencoder::new(&AutoencoderConfig::linear(784, 5)).unwrap();
    let e = message(
        Experiment::new(data, model, ExperimentConfig::default())
            .err()
            .unwrap(),
    );
    assert!(e.contains("input_size") && e.contains("100"), "{e}");
}

#[test]
fn diverging_loss_names_the_epoch_and_suggests_a_smaller_lr() {
    let data = small_data();
    let model = Autoencoder::new(&AutoencoderConfig::linear(100, 5)).unwrap();
    let cfg = ExperimentConfig {
        lr: 1e36,
        ..Default::default()
    };
    let mut exp = Experiment::new(data, model, cfg).unwrap();
    let e = exp.train(3).unwrap_err();
    assert!(
        matches!(e, ModelError::NonFiniteLoss { epoch: 1, .. }),
        "{e:?}"
    );
    let text = e.to_string();
    assert!(
        text.contains("epoch 1") && text.contains("smaller learning rate") && text.contains("1e35"),
        "{text}"
    );
}

#[test]
fn bad_learning_rates() {
    let data = small_data();
    let model = || Autoencoder::new(&AutoencoderConfig::linear(100, 5)).unwrap();
    for lr in [0.0, -1.0, f64::NAN] {
        let cfg = ExperimentConfig {
            lr,
            ..Default::default()
        };
        let e = message(Experiment::new(data.clone(), model(), cfg).err().unwrap());
        assert!(e.contains("lr"), "{e}");
        let cfg = ExperimentConfig {
            probe_lr: lr,
            ..Default::default()
        };
        let e = message(Experiment::new(data.clone(), model(), cfg).err().unwrap());
        assert!(e.contains("probe_lr"), "{e}");
    }
}

#[test]
fn inputs_of_the_wrong_shape() {
    let ae = Autoencoder::new(&AutoencoderConfig::linear(10, 3)).unwrap();
    let x = Matrix::zeros(4, 9);
    assert!(ae.encode(&x).is_err());
    assert!(ae.forward(&x).is_err());
    assert!(ae.decode(&x).is_err());
    let mut ae = ae;
    let mut opt = ae.optimizer(1e-3).unwrap();
    let (a, b) = (Matrix::zeros(4, 10), Matrix::zeros(5, 10));
    assert!(ae.step(&a, &b, &mut opt).is_err());
    assert!(
        ae.step(&Matrix::zeros(0, 10), &Matrix::zeros(0, 10), &mut opt)
            .is_err()
    );
    let mut wrong_opt = Adam::new(1e-3, &[1]).unwrap();
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    assert!(AutoencoderModel::train_step(&mut ae, &a, &mut wrong_opt, &mut rng).is_err());
    // A tensor that is not a matrix is an error at the notebook boundary.
    let v =
        candle_core::Tensor::zeros(10, candle_core::DType::F32, &candle_core::Device::Cpu).unwrap();
    assert!(Matrix::try_from(&v).is_err());
}

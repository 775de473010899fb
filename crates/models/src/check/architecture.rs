//! The original's four "define the model architecture" TODOs: for each
//! section, the hidden sizes (the last one is the bottleneck `k`) and the
//! activation of its autoencoders.

use crate::config::{Activation, AutoencoderConfig};
use crate::error::Result;
use crate::run::Arch;
use hw6_exercise::{CheckFailure, CheckReport, checked};

/// A notebook's architecture of a section: for bottleneck `k`, the hidden
/// sizes (ending in `k`) and the activation.
pub type Architecture = fn(usize) -> (Vec<usize>, Activation);

/// `config` (a run's input size and seed) with the hidden sizes and
/// activation `architecture` gives for its bottleneck.
pub fn with_architecture(
    config: &AutoencoderConfig,
    architecture: Architecture,
) -> AutoencoderConfig {
    AutoencoderConfig::from_architecture(config.input_size, config.bottleneck(), architecture)
        .with_seed(config.seed)
}

/// Whether `architecture` is written (no longer reaches its `todo!()`).
pub fn architecture_is_written(architecture: Architecture) -> bool {
    !hw6_exercise::reaches_todo(|| architecture(5))
}

/// Checks a section's architecture for k = 5, 10, 100, 1000: the hidden
/// sizes end in `k` and make a valid network, which is linear for
/// [`Arch::Linear`] sections and not linear for [`Arch::Nonlinear`] ones.
pub fn check_architecture(
    section: &str,
    architecture: Architecture,
    want: Arch,
) -> Result<CheckReport> {
    let exercise = format!("architecture of section {section}");
    checked(&exercise, |report| {
        let fail = |reason: String| Err(CheckFailure::new(&exercise, reason).into());
        for k in [5, 10, 100, 1000] {
            let (sizes, activation) = architecture(k);
            if sizes.last() != Some(&k) {
                return fail(format!(
                    "for k = {k} the hidden sizes are {sizes:?}: the last one must be the bottleneck k"
                ));
            }
            let config = AutoencoderConfig::new(100, sizes.clone(), activation);
            config.check()?;
            let linear = activation == Activation::Identity || sizes.len() == 1;
            match want {
                Arch::Linear if !linear => {
                    return fail(format!(
                        "section {section} trains linear autoencoders; hidden sizes {sizes:?} with {activation:?} make a nonlinear one"
                    ));
                }
                Arch::Nonlinear { .. } if linear => {
                    return fail(format!(
                        "section {section} trains nonlinear autoencoders; hidden sizes {sizes:?} with {activation:?} make a linear one \
                         (an activation acts only between hidden layers in this layout)"
                    ));
                }
                _ => {}
            }
            report.figure(format!("hidden layers at k = {k}"), sizes.len() as f64);
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::reference::{reference_linear, reference_nonlinear};

    #[test]
    fn the_references_pass() {
        check_architecture("1.1", reference_linear, Arch::Linear).unwrap();
        let nonlinear_arch = Arch::Nonlinear { hidden: 256 };
        check_architecture("1.2", reference_nonlinear, nonlinear_arch).unwrap();
    }

    #[test]
    fn sections_accept_their_kind_and_name_the_other() {
        let linear: Architecture = |k| (vec![32, k], Activation::Identity);
        let nonlinear: Architecture = |k| (vec![64, k], Activation::ReLU);
        let relu_one_layer: Architecture = |k| (vec![k], Activation::ReLU);
        let wrong_end: Architecture = |_| (vec![10], Activation::Identity);
        let not_yet: Architecture = |_| todo!();
        let nonlinear_arch = Arch::Nonlinear { hidden: 256 };
        check_architecture("1.1", linear, Arch::Linear).unwrap();
        check_architecture("1.1", relu_one_layer, Arch::Linear).unwrap();
        check_architecture("1.2", nonlinear, nonlinear_arch).unwrap();
        let e = check_architecture("1.2", relu_one_layer, nonlinear_arch)
            .unwrap_err()
            .to_string();
        assert!(e.contains("make a linear one"), "{e}");
        let e = check_architecture("1.1", nonlinear, Arch::Linear)
            .unwrap_err()
            .to_string();
        assert!(e.contains("make a nonlinear one"), "{e}");
        let e = check_architecture("1.3", wrong_end, Arch::Linear)
            .unwrap_err()
            .to_string();
        assert!(e.contains("bottleneck k"), "{e}");
        assert!(!architecture_is_written(not_yet) && architecture_is_written(linear));
        let cfg = AutoencoderConfig::new(784, vec![32], Activation::Identity).with_seed(9);
        let built = with_architecture(&cfg, nonlinear);
        assert_eq!(
            (
                built.hidden_sizes,
                built.activation,
                built.seed,
                built.input_size
            ),
            (vec![64, 32], Activation::ReLU, 9, 784)
        );
    }
}

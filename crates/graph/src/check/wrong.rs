//! Deliberately wrong answers to the exercises, and what their checks say.

#[cfg(test)]
mod tests {
    use hw6_datasets::load_karate;
    use nalgebra::DMatrix;
    use rand_chacha::ChaCha8Rng;

    use crate::check::{check_gcn_layer, check_network, check_training};
    use crate::error::{GraphError, Result};
    use crate::gcn::{GcnLayer, GraphConvolution};
    use crate::network::GcnNetwork;
    use crate::optim::GradientDescent;
    use crate::softmax::SoftmaxLayer;
    use crate::train::{GcnTrainConfig, train_gcn};
    use crate::zkc::{KARATE_WEIGHTS, KarateData};

    fn karate() -> KarateData {
        KarateData::new(load_karate(None).unwrap(), KARATE_WEIGHTS).unwrap()
    }

    /// A mistake in a GCN layer's backward pass.
    #[derive(Clone, Copy, Debug)]
    enum Mistake {
        /// The gradient passed on leaves out a transpose.
        PassesOnWithoutTranspose,
        /// The weight gradient comes out transposed.
        TransposedWeightGradient,
    }

    /// A GCN layer with one mistake in its backward pass.
    #[derive(Clone, Debug)]
    struct Mistaken {
        w: DMatrix<f64>,
        cache: Option<[DMatrix<f64>; 3]>,
        mistake: Mistake,
    }

    impl GraphConvolution for Mistaken {
        fn forward(&mut self, a_hat: &DMatrix<f64>, x: &DMatrix<f64>) -> Result<DMatrix<f64>> {
            // BEGIN SOLUTION: a mistaken layer is the reference with a change (left out of the student release)
            let ax = a_hat * x;
            let h = (&ax * self.w.transpose()).map(f64::tanh);
            self.cache = Some([a_hat.clone(), ax, h.clone()]);
            Ok(h)
            // END SOLUTION
        }

        fn backward(&mut self, optim: &mut GradientDescent, update: bool) -> Result<DMatrix<f64>> {
            // BEGIN SOLUTION: a mistaken layer is the reference with a change (left out of the student release)
            let Some([a_hat, ax, h]) = &self.cache else {
                return Err(GraphError::NoForwardPass { layer: "Mistaken" });
            };
            let batch = optim.batch_size as f64;
            let dz = optim.output.component_mul(&h.map(|v| 1.0 - v * v));
            optim.output = match self.mistake {
                Mistake::PassesOnWithoutTranspose => a_hat * &dz * &self.w,
                Mistake::TransposedWeightGradient => a_hat.transpose() * &dz * &self.w,
            };
            let dw = dz.transpose() * ax / batch + &self.w * (optim.weight_decay / batch);
            let dw = match self.mistake {
                Mistake::PassesOnWithoutTranspose => dw,
                Mistake::TransposedWeightGradient => dw.transpose(),
            };
            if update {
                self.w -= &dw * optim.lr;
            }
            Ok(dw)
            // END SOLUTION
        }

        fn weight(&self) -> &DMatrix<f64> {
            &self.w
        }

        fn weight_mut(&mut self) -> &mut DMatrix<f64> {
            &mut self.w
        }
    }

    fn layer_check_error(mistake: Mistake) -> String {
        let data = karate();
        check_gcn_layer(&data.task.a_hat, |n_in, n_out, rng| Mistaken {
            w: GcnLayer::new(n_in, n_out, rng).unwrap().w,
            cache: None,
            mistake,
        })
        .unwrap_err()
        .to_string()
    }

    #[test]
    fn a_backward_pass_missing_a_transpose_fails_naming_what_differs() {
        let e = layer_check_error(Mistake::PassesOnWithoutTranspose);
        assert!(
            e.contains("gradient passed on (optim.output) on a non-symmetric Â differs")
                && e.contains("look for a missing transpose"),
            "{e}"
        );
        let e = layer_check_error(Mistake::TransposedWeightGradient);
        assert!(
            e.contains("dW (with weight decay) on the given Â has shape (5, 3), expected (3, 5)"),
            "{e}"
        );
    }

    #[test]
    fn a_network_drawing_the_softmax_layer_first_fails_naming_the_order() {
        let data = karate();
        let e = check_network(&data.task, &[16, 2], |rng: &mut ChaCha8Rng| {
            let softmax = SoftmaxLayer::new(2, 2, rng)?;
            let mut net = GcnNetwork::new(34, 2, &[16, 2], rng)?;
            net.softmax = softmax;
            Ok(net)
        })
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("embedding differs") && e.contains("input side first"),
            "{e}"
        );
    }

    #[test]
    fn training_loops_with_a_mistake_fail_naming_it() {
        let with = |change: fn(&mut GcnTrainConfig)| {
            check_training(|m, o, t, c| {
                let mut c = c.clone();
                change(&mut c);
                train_gcn(m, o, t, &c)
            })
            .unwrap_err()
            .to_string()
        };
        // Early stopping that watches from epoch 0, never stops, or stops one
        // epoch early.
        for e in [
            with(|c| c.warmup = 0),
            with(|c| c.patience = usize::MAX),
            with(|c| c.patience = c.patience.saturating_sub(1)),
        ] {
            assert!(
                e.contains("early stopping: the loop ran") && e.contains("`warmup`"),
                "{e}"
            );
        }
        // Embeddings recorded before the update (for the check's model, they are
        // the epoch's predictions).
        let e = check_training(|m, o, t, c| {
            let mut h = train_gcn(m, o, t, c)?;
            h.embeddings = h.predictions.clone();
            Ok(h)
        })
        .unwrap_err()
        .to_string();
        assert!(
            e.contains("the last recorded embedding (record it after the update) differs"),
            "{e}"
        );
    }
}

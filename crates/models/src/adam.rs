//! Adam, computed exactly as candle-nn's `AdamW` computes it (with weight
//! decay 0 it is the Adam the original notebook uses), but over plain `f32`
//! buffers in one fused loop per parameter instead of ~12 tensor operations.
//!
//! For each parameter `theta` with gradient `g`, at step `t` (from 1):
//!
//! ```text
//! m     = beta1 m + (1 - beta1) g
//! v     = beta2 v + (1 - beta2) g^2
//! m_hat = m / (1 - beta1^t)          v_hat = v / (1 - beta2^t)
//! theta = theta (1 - lr wd) - lr m_hat / (sqrt(v_hat) + eps)
//! ```
//!
//! The test `matches_candle_nn_adamw` runs both on the same gradients.

use crate::error::{Result, invalid};
pub use candle_nn::ParamsAdamW;

/// Adam / AdamW state for a fixed list of parameter buffers.
#[derive(Clone, Debug)]
pub struct Adam {
    params: ParamsAdamW,
    step_t: i32,
    first: Vec<Vec<f32>>,
    second: Vec<Vec<f32>>,
}

impl Adam {
    /// Adam with learning rate `lr` and no weight decay (the original's
    /// `optim.Adam(params, lr)`), for parameters of the given lengths.
    pub fn new(lr: f64, param_lens: &[usize]) -> Result<Self> {
        Self::with_params(
            ParamsAdamW {
                lr,
                weight_decay: 0.0,
                ..ParamsAdamW::default()
            },
            param_lens,
        )
    }

    /// Any candle-nn `ParamsAdamW` (checked: `lr > 0`, betas in `[0, 1)`,
    /// `eps > 0`, `weight_decay >= 0`).
    pub fn with_params(params: ParamsAdamW, param_lens: &[usize]) -> Result<Self> {
        if !(params.lr.is_finite() && params.lr > 0.0) {
            return Err(invalid(
                "lr",
                params.lr,
                "use a positive learning rate such as 5e-4",
            ));
        }
        for (name, b) in [("beta1", params.beta1), ("beta2", params.beta2)] {
            if !(0.0..1.0).contains(&b) {
                return Err(invalid(name, b, "use a value in [0, 1), e.g. 0.9 / 0.999"));
            }
        }
        if params.eps.is_nan() || params.eps <= 0.0 {
            return Err(invalid(
                "eps",
                params.eps,
                "use a small positive value such as 1e-8",
            ));
        }
        if params.weight_decay.is_nan() || params.weight_decay < 0.0 {
            return Err(invalid(
                "weight_decay",
                params.weight_decay,
                "use 0 (Adam) or a small positive value",
            ));
        }
        Ok(Self {
            params,
            step_t: 0,
            first: param_lens.iter().map(|&n| vec![0.0; n]).collect(),
            second: param_lens.iter().map(|&n| vec![0.0; n]).collect(),
        })
    }

    /// The learning rate.
    pub fn learning_rate(&self) -> f64 {
        self.params.lr
    }

    /// Steps taken so far.
    pub fn steps(&self) -> usize {
        self.step_t as usize
    }

    /// Number of parameter buffers this optimiser was built for.
    pub fn num_params(&self) -> usize {
        self.first.len()
    }

    /// Errors unless this optimiser was built for exactly these parameter
    /// buffers (their number and each one's length, in order), so that a
    /// step never updates some of a model and skips the rest.
    pub(crate) fn check_fits(
        &self,
        context: &'static str,
        lens: impl IntoIterator<Item = usize>,
    ) -> Result<()> {
        let want: Vec<usize> = lens.into_iter().collect();
        let have: Vec<usize> = self.first.iter().map(Vec::len).collect();
        if want == have {
            return Ok(());
        }
        let expected = format!(
            "an optimizer for parameter buffers of lengths {want:?} \
             (build it from this model: model.optimizer(lr))"
        );
        Err(
            hw6_exercise::ShapeError::new(context, expected, format!("one for lengths {have:?}"))
                .into(),
        )
    }

    /// Start a step: advance `t`. Call [`Adam::update`] once per parameter after.
    pub(crate) fn begin_step(&mut self) {
        self.step_t += 1;
    }

    /// The constants of step `t`, with the same f64 -> f32 roundings as candle-nn.
    fn coefficients(&self) -> Coefficients {
        let p = &self.params;
        Coefficients {
            beta1: p.beta1 as f32,
            beta2: p.beta2 as f32,
            one_m_b1: (1.0 - p.beta1) as f32,
            one_m_b2: (1.0 - p.beta2) as f32,
            scale_m: (1.0 / (1.0 - p.beta1.powi(self.step_t))) as f32,
            scale_v: (1.0 / (1.0 - p.beta2.powi(self.step_t))) as f32,
            decay: (1.0 - p.lr * p.weight_decay) as f32,
            lr: p.lr as f32,
            eps: p.eps as f32,
        }
    }

    /// Update parameter number `i` in place from its gradient. Large
    /// parameters are updated in pieces on all threads (see
    /// [`hw6_linalg::threads_for`]); each entry's update is independent,
    /// so the result is the same.
    ///
    /// # Panics
    /// If the buffers' lengths differ; callers check them first with
    /// [`Adam::check_fits`].
    pub(crate) fn update(&mut self, i: usize, theta: &mut [f32], grad: &[f32]) {
        let c = self.coefficients();
        let m = &mut self.first[i];
        let v = &mut self.second[i];
        assert!(
            theta.len() == grad.len() && theta.len() == m.len(),
            "Adam::update: buffer lengths differ (internal caller bug: check_fits first)"
        );
        let parts = hw6_linalg::threads_for(theta.len() * UPDATE_COST_IN_MACS);
        if parts == 1 {
            update_piece(&c, theta, grad, m, v);
            return;
        }
        let piece = theta.len().div_ceil(parts);
        rayon::scope(|s| {
            let pieces = theta
                .chunks_mut(piece)
                .zip(grad.chunks(piece))
                .zip(m.chunks_mut(piece))
                .zip(v.chunks_mut(piece));
            for (((theta, grad), m), v) in pieces {
                let c = &c;
                s.spawn(move |_| update_piece(c, theta, grad, m, v));
            }
        });
    }
}

/// What one entry's update costs, in multiply-adds of a matrix product,
/// for deciding when to share it out: a square root, a division and 28
/// bytes of memory traffic take about as long as 64 multiply-adds (so the
/// 100 x 1000 weights of the linear k = 1000 network are shared out).
const UPDATE_COST_IN_MACS: usize = 64;

/// The update loop on the fastest instructions this CPU has.
fn update_piece(c: &Coefficients, theta: &mut [f32], grad: &[f32], m: &mut [f32], v: &mut [f32]) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx512f") {
        // SAFETY: the CPU supports AVX-512F (checked just above).
        unsafe { update_avx512(c, theta, grad, m, v) };
        return;
    }
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU supports AVX2 (checked just above).
        unsafe { update_avx2(c, theta, grad, m, v) };
        return;
    }
    update_slices(c, theta, grad, m, v);
}

/// The per-step constants of the update.
struct Coefficients {
    beta1: f32,
    beta2: f32,
    one_m_b1: f32,
    one_m_b2: f32,
    scale_m: f32,
    scale_v: f32,
    decay: f32,
    lr: f32,
    eps: f32,
}

/// The update loop. Rust never fuses `a * b + c` into one rounding, so the
/// AVX2 and AVX-512 builds below give the same bits as the baseline one, 8
/// or 16 lanes wide instead of 4 (the square roots and divisions are most
/// of the cost).
#[inline(always)]
fn update_slices(c: &Coefficients, theta: &mut [f32], grad: &[f32], m: &mut [f32], v: &mut [f32]) {
    for (((th, g), m), v) in theta
        .iter_mut()
        .zip(grad)
        .zip(m.iter_mut())
        .zip(v.iter_mut())
    {
        let next_m = *m * c.beta1 + *g * c.one_m_b1;
        let next_v = *v * c.beta2 + (*g * *g) * c.one_m_b2;
        let m_hat = next_m * c.scale_m;
        let v_hat = next_v * c.scale_v;
        let adjusted = m_hat / (v_hat.sqrt() + c.eps);
        *th = *th * c.decay - adjusted * c.lr;
        *m = next_m;
        *v = next_v;
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn update_avx2(
    c: &Coefficients,
    theta: &mut [f32],
    grad: &[f32],
    m: &mut [f32],
    v: &mut [f32],
) {
    update_slices(c, theta, grad, m, v)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn update_avx512(
    c: &Coefficients,
    theta: &mut [f32],
    grad: &[f32],
    m: &mut [f32],
    v: &mut [f32],
) {
    update_slices(c, theta, grad, m, v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use candle_core::{Device, Tensor, Var};
    use candle_nn::{AdamW, Optimizer};

    #[test]
    fn matches_candle_nn_adamw() {
        let dev = Device::Cpu;
        let init: Vec<f32> = (0..6).map(|i| 0.3 * i as f32 - 0.7).collect();
        let var = Var::from_tensor(&Tensor::from_slice(&init, 6, &dev).unwrap()).unwrap();
        let params = ParamsAdamW {
            lr: 0.05,
            weight_decay: 0.0,
            ..Default::default()
        };
        let mut reference = AdamW::new(vec![var.clone()], params.clone()).unwrap();
        let mut ours = Adam::with_params(params, &[6]).unwrap();
        let mut theta = init.clone();
        for step in 0..5 {
            // loss = sum(c_i * theta_i^2) has gradient 2 c_i theta_i
            let c: Vec<f32> = (0..6).map(|i| 1.0 + (i + step) as f32 * 0.5).collect();
            let ct = Tensor::from_slice(&c, 6, &dev).unwrap();
            let loss = (var.as_tensor().sqr().unwrap() * &ct)
                .unwrap()
                .sum_all()
                .unwrap();
            reference.backward_step(&loss).unwrap();
            let grad: Vec<f32> = theta.iter().zip(&c).map(|(t, c)| 2.0 * c * t).collect();
            ours.begin_step();
            ours.update(0, &mut theta, &grad);
            let want = var.as_tensor().to_vec1::<f32>().unwrap();
            for (a, b) in theta.iter().zip(&want) {
                assert!(
                    (a - b).abs() <= 1e-6 * (1.0 + b.abs()),
                    "step {step}: {a} vs {b}"
                );
            }
        }
    }

    /// Every build of the loop (baseline, AVX2, AVX-512) and the update
    /// shared between threads give the same bits, so results depend on
    /// neither the CPU nor the number of cores.
    #[test]
    fn vector_threaded_and_scalar_updates_agree_bit_for_bit() {
        // 300,000 entries: above the size from which updates are shared out.
        for n in [1003, 300_000] {
            let grad: Vec<f32> = (0..n)
                .map(|i| ((i * 37 % 101) as f32 - 50.0) * 1e-3)
                .collect();
            let init: Vec<f32> = (0..n).map(|i| (i as f32 * 0.01).sin()).collect();
            let mut fast = Adam::new(1e-3, &[n]).unwrap();
            let mut theta_fast = init.clone();
            let mut theta_slow = init.clone();
            let (mut m, mut v) = (vec![0.0; n], vec![0.0; n]);
            // (instruction set, theta, m, v) of each vector build this CPU runs.
            type State = (Vec<f32>, Vec<f32>, Vec<f32>);
            let mut builds: Vec<(&str, State)> = Vec::new();
            #[cfg(target_arch = "x86_64")]
            for name in ["avx2", "avx512f"] {
                let supported = match name {
                    "avx2" => std::arch::is_x86_feature_detected!("avx2"),
                    _ => std::arch::is_x86_feature_detected!("avx512f"),
                };
                if supported {
                    builds.push((name, (init.clone(), vec![0.0; n], vec![0.0; n])));
                }
            }
            for _ in 0..3 {
                fast.begin_step();
                fast.update(0, &mut theta_fast, &grad);
                let c = fast.coefficients();
                update_slices(&c, &mut theta_slow, &grad, &mut m, &mut v);
                #[cfg(target_arch = "x86_64")]
                for (name, (theta, m, v)) in &mut builds {
                    // SAFETY: only builds this CPU supports were kept above.
                    unsafe {
                        match *name {
                            "avx2" => update_avx2(&c, theta, &grad, m, v),
                            _ => update_avx512(&c, theta, &grad, m, v),
                        }
                    }
                }
            }
            let bits = |x: &[f32]| x.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
            assert_eq!(bits(&theta_fast), bits(&theta_slow), "n = {n}");
            for (name, (theta, _, _)) in &builds {
                assert_eq!(bits(theta), bits(&theta_slow), "{name}, n = {n}");
            }
        }
    }

    #[test]
    fn rejects_bad_hyperparameters() {
        assert!(Adam::new(0.0, &[1]).is_err());
        assert!(Adam::new(f64::NAN, &[1]).is_err());
        let p = ParamsAdamW {
            beta1: 1.0,
            ..Default::default()
        };
        let err = Adam::with_params(p, &[1]).unwrap_err().to_string();
        assert!(err.contains("beta1"), "{err}");
    }
}

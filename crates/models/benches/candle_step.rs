//! Why training is written by hand: time one train step of a linear
//! autoencoder with candle autograd + candle-nn AdamW against the crate's
//! hand-written step, at the notebook's sizes.
//! `cargo bench -p hw6-models --bench candle_step`
use candle_core::{DType, Device, Tensor, Var};
use candle_nn::{AdamW, Optimizer, ParamsAdamW};
use hw6_models::prelude::*;
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dev = Device::Cpu;
    for (m, k, b) in [
        (100usize, 5usize, 100usize),
        (100, 100, 100),
        (100, 1000, 100),
        (784, 1000, 200),
    ] {
        let reps = if k >= 1000 { 20 } else { 500 };
        let x = Tensor::randn(0f32, 1.0, (b, m), &dev)?;
        // candle autograd
        let w1 = Var::from_tensor(&(Tensor::randn(0f32, 1.0, (k, m), &dev)? * 0.05)?)?;
        let b1 = Var::zeros(k, DType::F32, &dev)?;
        let w2 = Var::from_tensor(&(Tensor::randn(0f32, 1.0, (m, k), &dev)? * 0.05)?)?;
        let b2 = Var::zeros(m, DType::F32, &dev)?;
        let params = ParamsAdamW {
            lr: 5e-4,
            weight_decay: 0.0,
            ..Default::default()
        };
        let mut opt = AdamW::new(vec![w1.clone(), b1.clone(), w2.clone(), b2.clone()], params)?;
        let mut t = Instant::now();
        for i in 0..reps + 5 {
            if i == 5 {
                t = Instant::now();
            }
            let z = x
                .matmul(&w1.as_tensor().t()?)?
                .broadcast_add(b1.as_tensor())?;
            let xh = z
                .matmul(&w2.as_tensor().t()?)?
                .broadcast_add(b2.as_tensor())?;
            let loss = (xh - &x)?.sqr()?.mean_all()?;
            opt.backward_step(&loss)?;
        }
        let candle = t.elapsed().as_secs_f64() / reps as f64;
        // hand-written
        let mut ae = Autoencoder::new(&AutoencoderConfig::linear(m, k))?;
        let mut adam = ae.optimizer(5e-4)?;
        let xm = Matrix::try_from(&x)?;
        for i in 0..reps + 5 {
            if i == 5 {
                t = Instant::now();
            }
            ae.step(&xm, &xm, &mut adam)?;
        }
        let ours = t.elapsed().as_secs_f64() / reps as f64;
        println!(
            "m={m} k={k} batch={b}: candle autograd + AdamW {:.1} us/step, hand-written {:.1} us/step ({:.1}x)",
            candle * 1e6,
            ours * 1e6,
            candle / ours
        );
    }
    Ok(())
}

//! Throwaway measurement: one train step of a 100 -> 5 -> 100 linear
//! autoencoder at batch 100 with candle autograd + candle-nn AdamW.
use candle_core::{DType, Device, Tensor, Var};
use candle_nn::{AdamW, Optimizer, ParamsAdamW};
use std::time::Instant;

fn main() -> candle_core::Result<()> {
    let dev = Device::Cpu;
    for (d, k, b) in [(100usize, 5usize, 100usize), (100, 1000, 100), (784, 1000, 200)] {
        let x = Tensor::randn(0f32, 1.0, (b, d), &dev)?;
        let w1 = Var::from_tensor(&(Tensor::randn(0f32, 1.0, (k, d), &dev)? * 0.05)?)?;
        let b1 = Var::zeros(k, DType::F32, &dev)?;
        let w2 = Var::from_tensor(&(Tensor::randn(0f32, 1.0, (d, k), &dev)? * 0.05)?)?;
        let b2 = Var::zeros(d, DType::F32, &dev)?;
        let mut opt = AdamW::new(
            vec![w1.clone(), b1.clone(), w2.clone(), b2.clone()],
            ParamsAdamW { lr: 5e-4, weight_decay: 0.0, ..Default::default() },
        )?;
        let n = if k > 100 { 20 } else { 2000 };
        let mut t = Instant::now();
        for i in 0..n + 10 {
            if i == 10 {
                t = Instant::now();
            }


            let z = x.matmul(&w1.as_tensor().t()?)?.broadcast_add(b1.as_tensor())?;
            let xh = z.matmul(&w2.as_tensor().t()?)?.broadcast_add(b2.as_tensor())?;
            let loss = (xh - &x)?.sqr()?.mean_all()?;
            opt.backward_step(&loss)?;
        }
        let per = t.elapsed().as_secs_f64() / n as f64;
        println!("candle autograd+AdamW d={d} k={k} b={b}: {:.1} us/step", per * 1e6);
    }
    Ok(())
}

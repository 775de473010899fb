//! Floating-point operation counts, for the benchmarks' GFLOP/s.

use crate::autoencoder::Autoencoder;

/// Operations of one forward pass per sample (`2 in out` per layer).
pub fn forward_per_sample(net: &Autoencoder) -> f64 {
    let macs = |d: &crate::layer::Dense| (d.fan_in() * d.fan_out()) as f64;
    net.layers().iter().map(|d| 2.0 * macs(d)).sum()
}

/// Operations of one train step per sample: forward, and backward without
/// the input gradient of the first layer.
pub fn train_per_sample(net: &Autoencoder) -> f64 {
    let macs = |d: &crate::layer::Dense| (d.fan_in() * d.fan_out()) as f64;
    let per_layer = |(l, d)| if l == 0 { 4.0 * macs(d) } else { 6.0 * macs(d) };
    net.layers().iter().enumerate().map(per_layer).sum()
}

/// Operations of the loss from the split's second moments
/// (`linear_loss::from_moments`).
pub fn linear_loss(net: &Autoencoder) -> f64 {
    let m = net.input_size() as f64;
    let chain: f64 = (net.layers().iter().skip(1))
        .map(|d| 2.0 * (d.fan_in() * d.fan_out()) as f64 * m)
        .sum();
    chain + 2.0 * m * m * m
}

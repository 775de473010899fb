//! Part 5(e) measured: how the work of beam search grows with the length
//! `T`, the width `k` and the vocabulary size `M`.
//!
//! [`measure_beam_complexity`] runs this crate's beam search and reads its
//! own counters; [`measure_beam_complexity_with`] runs the notebook's, counts
//! its step calls through the model and its comparisons as calls of
//! [`rank`](crate::rank). Each varies one of `T`, `k`, `M` at a time and
//! fits the log-log slope of the counts, next to the slope of the crate's
//! cost estimate, to compare with the answer to 5(e).

use crate::beam::{BeamConfig, beam_search};
use crate::error::Result;
use crate::hypothesis::{Hypothesis, rank_calls};
use crate::step::{StepModel, Token};
use hw6_exercise::ParamError;
use hw6_linalg::{fit_line, log_sum_exp};
use serde::Serialize;
use std::time::Instant;

/// A stand-in for an RNN: deterministic pseudo-random next-token
/// log-probabilities computed from a hash of the prefix, `O(t + M)` per call
/// and no stored tree, so large `T`, `k`, `M` are cheap to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HashedModel {
    pub vocab_size: usize,
    pub seed: u64,
}

fn mix(mut x: u64) -> u64 {
    // splitmix64 finaliser
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

impl StepModel for HashedModel {
    fn vocab_size(&self) -> usize {
        self.vocab_size
    }

    fn next_log_probs(&mut self, prefix: &[Token]) -> Result<Vec<f64>> {
        let h = prefix
            .iter()
            .fold(mix(self.seed), |h, &t| mix(h ^ t as u64));
        let logits: Vec<f64> = (0..self.vocab_size)
            .map(|w| {
                4.0 * (mix(h ^ (w as u64).wrapping_mul(0x2545_F491)) >> 11) as f64
                    / (1u64 << 53) as f64
            })
            .collect();
        let log_z = log_sum_exp(&logits);
        Ok(logits.iter().map(|l| (l - log_z).min(0.0)).collect())
    }
}

/// Work of one beam search run.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComplexityPoint {
    pub t: usize,
    pub k: usize,
    pub m: usize,
    pub step_calls: u64,
    pub comparisons: u64,
    /// The crate's cost estimate without constants.
    pub predicted: f64,
    /// The crate's estimate of the comparisons.
    pub predicted_comparisons: f64,
    pub seconds: f64,
}

/// One variable varied, the others fixed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComplexitySweep {
    /// `"T"`, `"k"` or `"M"`.
    pub varied: &'static str,
    pub points: Vec<ComplexityPoint>,
    /// Log-log slope of comparisons against the varied variable.
    pub comparisons_slope: f64,
    /// Log-log slope of step calls against the varied variable.
    pub step_calls_slope: f64,
    /// Log-log slope of the estimate `predicted` (for comparison).
    pub predicted_slope: f64,
}

/// The log-log slope of `ys` against `xs` (NaN without two distinct `xs`).
fn slope(xs: &[f64], ys: &[f64]) -> f64 {
    let lx: Vec<f64> = xs.iter().map(|x| x.ln()).collect();
    let ly: Vec<f64> = ys.iter().map(|y| y.max(1e-300).ln()).collect();
    fit_line(&lx, &ly).map_or(f64::NAN, |(slope, _)| slope)
}

/// A [`HashedModel`] that counts its step calls: what a notebook's beam
/// search is measured on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CountingModel {
    pub model: HashedModel,
    /// Step calls so far.
    pub calls: u64,
}

impl StepModel for CountingModel {
    fn vocab_size(&self) -> usize {
        self.model.vocab_size()
    }

    fn next_log_probs(&mut self, prefix: &[Token]) -> Result<Vec<f64>> {
        self.calls += 1;
        self.model.next_log_probs(prefix)
    }
}

/// The point of one run: counts in, estimates added.
fn point(
    t: usize,
    k: usize,
    m: usize,
    step_calls: u64,
    comparisons: u64,
    seconds: f64,
) -> ComplexityPoint {
    let (tf, kf, mf) = (t as f64, k as f64, m as f64);
    let log_m = mf.log2().max(1.0);
    ComplexityPoint {
        t,
        k,
        m,
        step_calls,
        comparisons,
        predicted: tf * kf * mf * log_m,
        predicted_comparisons: tf * (kf * mf * log_m + kf * kf * (kf * kf).log2().max(1.0)),
        seconds,
    }
}

/// Runs this crate's beam search on a [`HashedModel`] once.
pub fn beam_work(t: usize, k: usize, m: usize, seed: u64) -> Result<ComplexityPoint> {
    let mut model = HashedModel {
        vocab_size: m,
        seed,
    };
    let start = Instant::now();
    let res = beam_search(
        &mut model,
        BeamConfig {
            width: k,
            length: t,
        },
    )?;
    let seconds = start.elapsed().as_secs_f64();
    Ok(point(
        t,
        k,
        m,
        res.stats.step_calls,
        res.stats.comparisons,
        seconds,
    ))
}

/// Runs `search` on a [`HashedModel`] once, counting step calls and calls
/// of [`rank`](crate::rank).
pub fn beam_work_with(
    t: usize,
    k: usize,
    m: usize,
    seed: u64,
    mut search: impl FnMut(&mut CountingModel, BeamConfig) -> Result<Vec<Hypothesis>>,
) -> Result<ComplexityPoint> {
    let mut model = CountingModel {
        model: HashedModel {
            vocab_size: m,
            seed,
        },
        calls: 0,
    };
    let (ranks, start) = (rank_calls(), Instant::now());
    search(
        &mut model,
        BeamConfig {
            width: k,
            length: t,
        },
    )?;
    let seconds = start.elapsed().as_secs_f64();
    Ok(point(t, k, m, model.calls, rank_calls() - ranks, seconds))
}

/// Sweeps of `T`, `k` and `M` around `base = (T, k, M)` with this crate's
/// beam search; each list needs at least two values.
pub fn measure_beam_complexity(
    base: (usize, usize, usize),
    ts: &[usize],
    ks: &[usize],
    ms: &[usize],
    seed: u64,
) -> Result<Vec<ComplexitySweep>> {
    sweep(base, [ts, ks, ms], &mut |t, k, m| beam_work(t, k, m, seed))
}

/// [`measure_beam_complexity`] for `search`, the notebook's beam search.
pub fn measure_beam_complexity_with(
    base: (usize, usize, usize),
    ts: &[usize],
    ks: &[usize],
    ms: &[usize],
    seed: u64,
    mut search: impl FnMut(&mut CountingModel, BeamConfig) -> Result<Vec<Hypothesis>>,
) -> Result<Vec<ComplexitySweep>> {
    sweep(base, [ts, ks, ms], &mut |t, k, m| {
        beam_work_with(t, k, m, seed, &mut search)
    })
}

fn sweep(
    base: (usize, usize, usize),
    lists: [&[usize]; 3],
    run: &mut dyn FnMut(usize, usize, usize) -> Result<ComplexityPoint>,
) -> Result<Vec<ComplexitySweep>> {
    let mut sweeps = Vec::new();
    for (name, values) in ["T", "k", "M"].into_iter().zip(lists) {
        if values.len() < 2 || values.contains(&0) {
            let problem = format!(
                "{name} = {values:?}: give at least two positive values per swept variable"
            );
            return Err(ParamError::field("sweep", problem).into());
        }
        let mut points = Vec::new();
        for &x in values {
            let (t, k, m) = match name {
                "T" => (x, base.1, base.2),
                "k" => (base.0, x, base.2),
                _ => (base.0, base.1, x),
            };
            points.push(run(t, k, m)?);
        }
        let xs: Vec<f64> = values.iter().map(|&x| x as f64).collect();
        let get = |f: fn(&ComplexityPoint) -> f64| points.iter().map(f).collect::<Vec<_>>();
        sweeps.push(ComplexitySweep {
            varied: name,
            comparisons_slope: slope(&xs, &get(|p| p.comparisons as f64)),
            step_calls_slope: slope(&xs, &get(|p| p.step_calls as f64)),
            predicted_slope: slope(&xs, &get(|p| p.predicted)),
            points,
        });
    }
    Ok(sweeps)
}

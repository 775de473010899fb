//! A seeded spring layout (Fruchterman and Reingold 1991) for drawing graphs.
//!
//! Nodes repel each other with force `k² / d` and neighbours attract with
//! force `d² / k`, where d is their distance and k the ideal edge length.
//! Each iteration moves every node along its net force by at most the current
//! "temperature", which cools linearly to zero. The result is centred on the
//! origin and scaled so that the largest coordinate is 1.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::error::{GraphError, Result};
use crate::graph::UndirectedGraph;

/// Settings of [`spring_layout`]. `Default` gives the original notebook's
/// `k = 5 / sqrt(n)` (as `k: None`), 50 iterations and seed 0.
#[derive(Clone, Debug, PartialEq)]
pub struct SpringLayout {
    /// Ideal edge length; `None` means `5 / sqrt(n)` like the original.
    pub k: Option<f64>,
    /// Number of cooling steps (at least 1).
    pub iterations: usize,
    /// Seed of the random start positions.
    pub seed: u64,
}

impl Default for SpringLayout {
    fn default() -> Self {
        Self {
            k: None,
            iterations: 50,
            seed: 0,
        }
    }
}

impl SpringLayout {
    /// Default settings with the given seed.
    pub fn seeded(seed: u64) -> Self {
        Self {
            seed,
            ..Self::default()
        }
    }

    /// Node positions `(x, y)` in [-1, 1]², one per node.
    ///
    /// # Errors
    /// `k` not positive and finite, or `iterations == 0`.
    pub fn positions(&self, g: &UndirectedGraph) -> Result<Vec<(f64, f64)>> {
        spring_layout(g, self)
    }
}

/// Positions `(x, y)` in [-1, 1]² for the nodes of `g` (see the module doc).
/// The same settings and seed give the same positions.
pub fn spring_layout(g: &UndirectedGraph, settings: &SpringLayout) -> Result<Vec<(f64, f64)>> {
    let n = g.num_nodes();
    if settings.iterations == 0 {
        return Err(GraphError::param(
            "iterations",
            0,
            "use at least 1 (the original uses 50)",
        ));
    }
    let k = settings.k.unwrap_or(5.0 / (n.max(1) as f64).sqrt());
    if !(k.is_finite() && k > 0.0) {
        return Err(GraphError::param(
            "k",
            k,
            "the ideal edge length must be positive and finite",
        ));
    }
    let mut rng = ChaCha8Rng::seed_from_u64(settings.seed);
    let mut pos: Vec<[f64; 2]> = (0..n)
        .map(|_| [rng.random::<f64>(), rng.random::<f64>()])
        .collect();
    if n <= 1 {
        return Ok(pos.iter().map(|_| (0.0, 0.0)).collect());
    }
    let mut linked = vec![false; n * n];
    for &(u, v, _) in g.edges() {
        linked[u * n + v] = true;
        linked[v * n + u] = true;
    }
    let span = |pos: &[[f64; 2]], axis: usize| {
        let (lo, hi) = pos
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), p| {
                (lo.min(p[axis]), hi.max(p[axis]))
            });
        hi - lo
    };
    let mut temperature = 0.1 * span(&pos, 0).max(span(&pos, 1));
    let cooling = temperature / (settings.iterations as f64 + 1.0);
    for _ in 0..settings.iterations {
        let mut moves = vec![[0.0f64; 2]; n];
        for i in 0..n {
            for j in 0..n {
                if i == j {
                    continue;
                }
                let delta = [pos[i][0] - pos[j][0], pos[i][1] - pos[j][1]];
                let d = (delta[0] * delta[0] + delta[1] * delta[1]).sqrt().max(0.01);
                // Positive: push i away from j; negative: pull it closer.
                let mut force = k * k / d;
                if linked[i * n + j] {
                    force -= d * d / k;
                }
                moves[i][0] += delta[0] / d * force;
                moves[i][1] += delta[1] / d * force;
            }
        }
        for (p, m) in pos.iter_mut().zip(&moves) {
            let length = (m[0] * m[0] + m[1] * m[1]).sqrt().max(0.01);
            p[0] += m[0] / length * temperature;
            p[1] += m[1] / length * temperature;
        }
        temperature -= cooling;
    }
    let mean = [
        pos.iter().map(|p| p[0]).sum::<f64>() / n as f64,
        pos.iter().map(|p| p[1]).sum::<f64>() / n as f64,
    ];
    let scale = pos
        .iter()
        .map(|p| (p[0] - mean[0]).abs().max((p[1] - mean[1]).abs()))
        .fold(0.0, f64::max);
    let scale = if scale > 0.0 { scale } else { 1.0 };
    Ok(pos
        .iter()
        .map(|p| ((p[0] - mean[0]) / scale, (p[1] - mean[1]) / scale))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn path(n: usize) -> UndirectedGraph {
        UndirectedGraph::new(n, (0..n - 1).map(|i| (i, i + 1, 1.0)).collect()).unwrap()
    }

    #[test]
    fn seeded_and_scaled() {
        let g = path(6);
        let a = spring_layout(&g, &SpringLayout::seeded(3)).unwrap();
        let b = spring_layout(&g, &SpringLayout::seeded(3)).unwrap();
        let c = spring_layout(&g, &SpringLayout::seeded(4)).unwrap();
        assert_eq!(a, b);
        assert_ne!(a, c);
        let max = a
            .iter()
            .map(|p| p.0.abs().max(p.1.abs()))
            .fold(0.0, f64::max);
        assert!((max - 1.0).abs() < 1e-12);
    }

    #[test]
    fn neighbours_end_closer_than_other_pairs() {
        let g = path(8);
        let p = spring_layout(&g, &SpringLayout::seeded(1)).unwrap();
        let dist =
            |i: usize, j: usize| ((p[i].0 - p[j].0).powi(2) + (p[i].1 - p[j].1).powi(2)).sqrt();
        let linked = (0..7).map(|i| dist(i, i + 1)).sum::<f64>() / 7.0;
        let mut others = Vec::new();
        for i in 0..8 {
            for j in (i + 2)..8 {
                others.push(dist(i, j));
            }
        }
        let unlinked = others.iter().sum::<f64>() / others.len() as f64;
        assert!(unlinked > 1.3 * linked, "{unlinked} vs {linked}");
    }

    #[test]
    fn bad_settings_fail() {
        let g = path(3);
        let bad = SpringLayout {
            k: Some(0.0),
            ..SpringLayout::default()
        };
        assert!(spring_layout(&g, &bad).is_err());
        let bad = SpringLayout {
            iterations: 0,
            ..SpringLayout::default()
        };
        assert!(spring_layout(&g, &bad).is_err());
    }
}

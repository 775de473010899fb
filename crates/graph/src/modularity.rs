//! Community detection by greedy modularity maximisation (Clauset, Newman and
//! Moore 2004), and the two node classes the homework trains on.
//!
//! Modularity of a partition of an unweighted graph with m edges:
//!
//! ```text
//! Q = sum over communities c of [ e_cc - a_c² ]
//! e_cd = (number of edge ends from c to d) / 2m   (e_cc counts both ends)
//! a_c  = (sum of the degrees in c) / 2m
//! ```
//!
//! Merging communities c and d changes Q by `dQ = 2 (e_cd - a_c a_d)`. The
//! greedy method starts from singletons and keeps merging the connected pair
//! with the largest dQ while that is not negative. For 34 nodes a plain
//! search over pairs is fast enough, so there is no heap here.

use nalgebra::DMatrix;

use crate::error::{GraphError, Result};
use crate::graph::UndirectedGraph;

/// Communities found by greedy modularity maximisation on the unweighted
/// graph, largest first (ties: the one with the smallest node first); each
/// community's nodes are sorted.
///
/// Ties between equally good merges go to the pair whose smaller-numbered
/// community (by smallest node) comes first. A graph without edges gives
/// singletons.
pub fn greedy_modularity_communities(g: &UndirectedGraph) -> Vec<Vec<usize>> {
    let n = g.num_nodes();
    let m = g.num_edges() as f64;
    let mut communities: Vec<Vec<usize>> = (0..n).map(|i| vec![i]).collect();
    if g.num_edges() == 0 {
        return communities;
    }
    // e[c][d]: fraction of edge ends between c and d (c != d: each edge
    // contributes 1/2m to both e[c][d] and e[d][c]).
    let mut e = DMatrix::<f64>::zeros(n, n);
    for &(u, v, _) in g.edges() {
        e[(u, v)] += 0.5 / m;
        e[(v, u)] += 0.5 / m;
    }
    let mut a: Vec<f64> = g.degrees().iter().map(|&d| d as f64 / (2.0 * m)).collect();
    // alive[c]: community c still exists (merged ones are emptied).
    let mut alive = vec![true; n];
    loop {
        let mut best: Option<(f64, usize, usize)> = None;
        for c in 0..n {
            if !alive[c] {
                continue;
            }
            for d in (c + 1)..n {
                if !alive[d] || e[(c, d)] <= 0.0 {
                    continue;
                }
                let dq = 2.0 * (e[(c, d)] - a[c] * a[d]);
                if best.is_none_or(|(b, _, _)| dq > b) {
                    best = Some((dq, c, d));
                }
            }
        }
        let Some((dq, c, d)) = best else { break };
        if dq < 0.0 {
            break;
        }
        // Merge d into c.
        let moved = std::mem::take(&mut communities[d]);
        communities[c].extend(moved);
        alive[d] = false;
        a[c] += a[d];
        a[d] = 0.0;
        for k in 0..n {
            if k != c && k != d {
                let shared = e[(d, k)];
                e[(c, k)] += shared;
                e[(k, c)] += shared;
            }
            e[(d, k)] = 0.0;
            e[(k, d)] = 0.0;
        }
    }
    let mut out: Vec<Vec<usize>> = communities.into_iter().filter(|c| !c.is_empty()).collect();
    for c in &mut out {
        c.sort_unstable();
    }
    out.sort_by(|x, y| y.len().cmp(&x.len()).then(x[0].cmp(&y[0])));
    out
}

/// Modularity Q of a partition of the unweighted graph (see the module doc).
///
/// # Errors
/// If `communities` is not a partition of `0..n` (a node missing, repeated
/// or out of range).
pub fn modularity(g: &UndirectedGraph, communities: &[Vec<usize>]) -> Result<f64> {
    let of = community_of(g.num_nodes(), communities)?;
    let m = g.num_edges() as f64;
    if g.num_edges() == 0 {
        return Ok(0.0);
    }
    let k = communities.len();
    let mut inside = vec![0.0; k];
    let mut degree_sum = vec![0.0; k];
    for &(u, v, _) in g.edges() {
        if of[u] == of[v] {
            inside[of[u]] += 1.0;
        }
    }
    for (node, d) in g.degrees().into_iter().enumerate() {
        degree_sum[of[node]] += d as f64;
    }
    Ok((0..k)
        .map(|c| inside[c] / m - (degree_sum[c] / (2.0 * m)).powi(2))
        .sum())
}

fn community_of(n: usize, communities: &[Vec<usize>]) -> Result<Vec<usize>> {
    let mut of = vec![usize::MAX; n];
    for (c, members) in communities.iter().enumerate() {
        for &node in members {
            if node >= n {
                return Err(GraphError::InvalidGraph(format!(
                    "community {c} names node {node}, but the graph has nodes 0 to {}",
                    n.saturating_sub(1)
                )));
            }
            if of[node] != usize::MAX {
                return Err(GraphError::InvalidGraph(format!(
                    "node {node} is in communities {} and {c}; a partition puts each node in one",
                    of[node]
                )));
            }
            of[node] = c;
        }
    }
    if let Some(node) = of.iter().position(|&c| c == usize::MAX) {
        return Err(GraphError::InvalidGraph(format!(
            "node {node} is in no community; a partition covers every node"
        )));
    }
    Ok(of)
}

/// Class labels for node classification: `class_of[node]` in `0..num_classes`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeClasses {
    /// The class of each node.
    pub class_of: Vec<usize>,
    /// Number of classes.
    pub num_classes: usize,
}

impl NodeClasses {
    /// The homework's labels: class i = community i, except that a third (and
    /// any later) community joins class 1 (the original merges its last,
    /// "unsure" community into the second). One community gives one class.
    ///
    /// # Errors
    /// If `communities` is empty or not a partition of `0..num_nodes`.
    pub fn from_communities(num_nodes: usize, communities: &[Vec<usize>]) -> Result<Self> {
        if communities.is_empty() {
            return Err(GraphError::InvalidGraph(
                "no communities given; run greedy_modularity_communities first".into(),
            ));
        }
        let of = community_of(num_nodes, communities)?;
        let class_of = of.into_iter().map(|c| c.min(1)).collect();
        Ok(Self {
            class_of,
            num_classes: communities.len().min(2),
        })
    }

    /// The nodes of class `class`, sorted.
    pub fn nodes_of(&self, class: usize) -> Vec<usize> {
        (0..self.class_of.len())
            .filter(|&i| self.class_of[i] == class)
            .collect()
    }

    /// One-hot labels: row i has a 1 in column `class_of[i]`.
    ///
    /// # Shapes
    /// (n, num_classes).
    pub fn one_hot(&self) -> DMatrix<f64> {
        let mut y = DMatrix::zeros(self.class_of.len(), self.num_classes);
        for (i, &c) in self.class_of.iter().enumerate() {
            y[(i, c)] = 1.0;
        }
        y
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn two_triangles() -> UndirectedGraph {
        UndirectedGraph::new(
            6,
            vec![
                (0, 1, 1.0),
                (1, 2, 1.0),
                (0, 2, 1.0),
                (3, 4, 1.0),
                (4, 5, 1.0),
                (3, 5, 1.0),
                (2, 3, 1.0),
            ],
        )
        .unwrap()
    }

    #[test]
    fn two_triangles_split_at_the_bridge() {
        let g = two_triangles();
        let c = greedy_modularity_communities(&g);
        assert_eq!(c, vec![vec![0, 1, 2], vec![3, 4, 5]]);
        // Q = 2 * (3/7 - (7/14)^2) = 6/7 - 1/2.
        assert!((modularity(&g, &c).unwrap() - (6.0 / 7.0 - 0.5)).abs() < 1e-12);
    }

    #[test]
    fn classes_merge_the_third_community_into_the_second() {
        let comms = vec![vec![0, 3], vec![1], vec![2, 4]];
        let classes = NodeClasses::from_communities(5, &comms).unwrap();
        assert_eq!(classes.class_of, vec![0, 1, 1, 0, 1]);
        assert_eq!(classes.nodes_of(1), vec![1, 2, 4]);
        assert_eq!(classes.one_hot().column(1).sum(), 3.0);
        assert!(NodeClasses::from_communities(5, &[vec![0, 1], vec![2, 3]]).is_err());
        assert!(modularity(&two_triangles(), &[vec![0, 1, 2], vec![2, 3, 4, 5]]).is_err());
    }
}

//! [`UndirectedGraph`]: nodes `0..n` and weighted undirected edges, and its
//! adjacency matrix A.
//!
//! ```
//! use hw6_graph::{EdgeWeights, UndirectedGraph};
//! let g = UndirectedGraph::new(3, vec![(0, 1, 2.0), (1, 2, 1.0)]).unwrap();
//! let a = g.adjacency(EdgeWeights::Binary);
//! assert_eq!(a[(0, 1)], 1.0);
//! assert_eq!(a[(1, 0)], 1.0);
//! assert_eq!(g.adjacency(EdgeWeights::Weighted)[(0, 1)], 2.0);
//! ```

use std::collections::HashSet;

use hw6_datasets::KarateClub;
use nalgebra::DMatrix;

use crate::error::{GraphError, Result};

/// Which numbers go into the adjacency matrix.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum EdgeWeights {
    /// 1 for every edge (what the GCN paper and the homework use).
    #[default]
    Binary,
    /// The edge's weight (for the karate club, Zachary's interaction counts).
    Weighted,
}

/// A simple undirected graph: no self loops, at most one edge per pair.
#[derive(Clone, Debug, PartialEq)]
pub struct UndirectedGraph {
    num_nodes: usize,
    edges: Vec<(usize, usize, f64)>,
}

impl UndirectedGraph {
    /// A graph on nodes `0..num_nodes` with edges `(u, v, weight)`.
    ///
    /// Fails if an end is not below `num_nodes`, an edge is a self loop, a
    /// pair appears twice (in either order), or a weight is not positive and
    /// finite. Edges are stored with `u < v`, in the given order.
    pub fn new(num_nodes: usize, edges: Vec<(usize, usize, f64)>) -> Result<Self> {
        let mut seen = HashSet::new();
        let mut stored = Vec::with_capacity(edges.len());
        for (i, (u, v, w)) in edges.into_iter().enumerate() {
            if u >= num_nodes || v >= num_nodes {
                return Err(GraphError::InvalidGraph(format!(
                    "edge {i} ({u}, {v}) names a node >= {num_nodes}, the number of nodes; use ids 0 to {}",
                    num_nodes.saturating_sub(1)
                )));
            }
            if u == v {
                return Err(GraphError::InvalidGraph(format!(
                    "edge {i} is a self loop at node {u}; self loops are added by add_self_loops, not stored"
                )));
            }
            let key = (u.min(v), u.max(v));
            if !seen.insert(key) {
                return Err(GraphError::InvalidGraph(format!(
                    "edge {i} ({u}, {v}) is listed twice; list each pair once"
                )));
            }
            if !(w.is_finite() && w > 0.0) {
                return Err(GraphError::InvalidGraph(format!(
                    "edge {i} ({u}, {v}) has weight {w}; weights must be positive and finite"
                )));
            }
            stored.push((key.0, key.1, w));
        }
        Ok(Self {
            num_nodes,
            edges: stored,
        })
    }

    /// The club's friendship graph: one node per member, Zachary's weights.
    pub fn from_karate(club: &KarateClub) -> Result<Self> {
        Self::new(club.num_members(), club.edges.clone())
    }

    /// Number of nodes n.
    pub fn num_nodes(&self) -> usize {
        self.num_nodes
    }

    /// Number of undirected edges m.
    pub fn num_edges(&self) -> usize {
        self.edges.len()
    }

    /// The edges `(u, v, weight)`, `u < v`.
    pub fn edges(&self) -> &[(usize, usize, f64)] {
        &self.edges
    }

    /// The edges as pairs `(u, v)`, `u < v` (for drawings).
    pub fn edge_pairs(&self) -> Vec<(usize, usize)> {
        self.edges.iter().map(|&(u, v, _)| (u, v)).collect()
    }

    /// Number of neighbours of each node.
    pub fn degrees(&self) -> Vec<usize> {
        let mut d = vec![0; self.num_nodes];
        for &(u, v, _) in &self.edges {
            d[u] += 1;
            d[v] += 1;
        }
        d
    }

    /// The symmetric adjacency matrix A: `A[(u, v)] = A[(v, u)]` = 1 (binary)
    /// or the weight, for every edge; 0 elsewhere, including the diagonal.
    ///
    /// # Shapes
    /// (n, n).
    pub fn adjacency(&self, weights: EdgeWeights) -> DMatrix<f64> {
        let mut a = DMatrix::zeros(self.num_nodes, self.num_nodes);
        for &(u, v, w) in &self.edges {
            let value = match weights {
                EdgeWeights::Binary => 1.0,
                EdgeWeights::Weighted => w,
            };
            a[(u, v)] = value;
            a[(v, u)] = value;
        }
        a
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_edges_are_rejected() {
        assert!(UndirectedGraph::new(2, vec![(0, 2, 1.0)]).is_err());
        assert!(UndirectedGraph::new(2, vec![(1, 1, 1.0)]).is_err());
        assert!(UndirectedGraph::new(2, vec![(0, 1, 1.0), (1, 0, 1.0)]).is_err());
        assert!(UndirectedGraph::new(2, vec![(0, 1, 0.0)]).is_err());
    }

    #[test]
    fn adjacency_is_symmetric_with_zero_diagonal() {
        let g = UndirectedGraph::new(4, vec![(2, 0, 3.0), (1, 3, 1.0)]).unwrap();
        let a = g.adjacency(EdgeWeights::Weighted);
        assert_eq!(a, a.transpose());
        assert_eq!(a[(0, 2)], 3.0);
        assert_eq!(a.diagonal().sum(), 0.0);
        assert_eq!(g.degrees(), vec![1, 1, 1, 1]);
        assert_eq!(g.adjacency(EdgeWeights::Binary).sum(), 4.0);
    }
}

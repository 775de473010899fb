//! Cross-entropy per node, accuracy, and the normalised difference used by
//! the gradient checks.

use nalgebra::DMatrix;

use crate::error::{GraphError, Result, check_nodes, dims};

/// Index of the largest entry of row `i` (the first one on ties).
fn argmax_row(m: &DMatrix<f64>, i: usize) -> usize {
    let row = m.row(i);
    let mut best = 0;
    for j in 1..row.len() {
        if row[j] > row[best] {
            best = j;
        }
    }
    best
}

/// Fails unless predictions and labels have one shape.
fn same_shape(pred: &DMatrix<f64>, labels: &DMatrix<f64>) -> Result<()> {
    if pred.shape() != labels.shape() {
        return Err(GraphError::shape(
            "predictions vs labels",
            dims(labels),
            dims(pred),
        ));
    }
    Ok(())
}

/// `-ln(pred[i, argmax(labels_i)])` for every row i: the cross-entropy of a
/// predicted distribution against a one-hot label.
///
/// # Shapes
/// `pred`, `labels`: (nodes, classes) -> (nodes,).
pub fn cross_entropy_rows(pred: &DMatrix<f64>, labels: &DMatrix<f64>) -> Result<Vec<f64>> {
    same_shape(pred, labels)?;
    if pred.ncols() == 0 && pred.nrows() > 0 {
        return Err(GraphError::shape(
            "predictions vs labels",
            "at least one class column".to_string(),
            dims(pred),
        ));
    }
    Ok((0..pred.nrows())
        .map(|i| -pred[(i, argmax_row(labels, i))].ln())
        .collect())
}

/// Mean of `values` over `nodes` (0 for no nodes); errors for a node id
/// that is not an index of `values`.
pub fn mean_over(values: &[f64], nodes: &[usize]) -> Result<f64> {
    check_nodes("node", nodes, values.len())?;
    if nodes.is_empty() {
        return Ok(0.0);
    }
    Ok(nodes.iter().map(|&i| values[i]).sum::<f64>() / nodes.len() as f64)
}

/// Fraction of `nodes` whose predicted class (argmax of the row) is the
/// labelled one.
///
/// # Shapes
/// `pred`, `labels`: (nodes, classes).
pub fn node_accuracy(pred: &DMatrix<f64>, labels: &DMatrix<f64>, nodes: &[usize]) -> Result<f64> {
    same_shape(pred, labels)?;
    check_nodes("node", nodes, pred.nrows())?;
    if nodes.is_empty() {
        return Ok(0.0);
    }
    let right = nodes
        .iter()
        .filter(|&&i| argmax_row(pred, i) == argmax_row(labels, i))
        .count();
    Ok(right as f64 / nodes.len() as f64)
}

/// `|a - b| / (|a| + |b|)` in the Frobenius norm; 0 when both are zero.
/// The gradient check passes when this is below 1e-7.
pub fn normalized_difference(a: &DMatrix<f64>, b: &DMatrix<f64>) -> f64 {
    let denominator = a.norm() + b.norm();
    if a.shape() != b.shape() {
        return f64::INFINITY;
    }
    if denominator == 0.0 {
        return 0.0;
    }
    (a - b).norm() / denominator
}

/// Entries of a softmax output thresholded at 0.5 into 0 or 1.
pub fn threshold_half(pred: &DMatrix<f64>) -> DMatrix<f64> {
    pred.map(|p| if p > 0.5 { 1.0 } else { 0.0 })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cross_entropy_and_accuracy() {
        let pred = DMatrix::from_row_slice(2, 2, &[0.25, 0.75, 0.9, 0.1]);
        let y = DMatrix::from_row_slice(2, 2, &[0.0, 1.0, 0.0, 1.0]);
        let ce = cross_entropy_rows(&pred, &y).unwrap();
        assert!((ce[0] - (-(0.75f64).ln())).abs() < 1e-15);
        assert!((ce[1] - (-(0.1f64).ln())).abs() < 1e-15);
        assert_eq!(node_accuracy(&pred, &y, &[0, 1]).unwrap(), 0.5);
        assert_eq!(mean_over(&ce, &[0]).unwrap(), ce[0]);
        assert!(mean_over(&ce, &[2]).is_err());
        let no_classes = DMatrix::<f64>::zeros(2, 0);
        assert!(cross_entropy_rows(&no_classes, &no_classes).is_err());
    }

    #[test]
    fn normalized_difference_is_scale_free() {
        let a = DMatrix::from_row_slice(1, 2, &[1.0, 2.0]);
        let b = &a * 1.001;
        let d = normalized_difference(&a, &b);
        assert!((d - normalized_difference(&(&a * 10.0), &(&b * 10.0))).abs() < 1e-15);
        assert!((d - 0.001 / 2.001).abs() < 1e-12);
        assert_eq!(normalized_difference(&a, &a), 0.0);
    }
}

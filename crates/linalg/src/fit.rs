//! The least-squares line through points: the log-log slopes of the cost
//! measurements (attention's time against `N`, beam search's work against
//! `T`, `k`, `M`).

/// The line `y = slope x + intercept` closest to the points in squared
/// error; `None` with fewer than two points or no spread in `x`.
pub fn fit_line(xs: &[f64], ys: &[f64]) -> Option<(f64, f64)> {
    let n = xs.len().min(ys.len());
    let (xs, ys) = (&xs[..n], &ys[..n]);
    let mx = xs.iter().sum::<f64>() / n as f64;
    let my = ys.iter().sum::<f64>() / n as f64;
    let sxx: f64 = xs.iter().map(|x| (x - mx).powi(2)).sum();
    if n < 2 || sxx.is_nan() || sxx <= 0.0 {
        return None;
    }
    let sxy: f64 = xs.iter().zip(ys).map(|(x, y)| (x - mx) * (y - my)).sum();
    let slope = sxy / sxx;
    Some((slope, my - slope * mx))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovers_a_line_and_refuses_a_single_x() {
        let xs = [1.0, 2.0, 3.0, 4.0];
        let ys: Vec<f64> = xs.iter().map(|x| 2.0 * x - 1.0).collect();
        let (slope, intercept) = fit_line(&xs, &ys).unwrap();
        assert!((slope - 2.0).abs() < 1e-12 && (intercept + 1.0).abs() < 1e-12);
        assert_eq!(fit_line(&[3.0, 3.0], &[1.0, 2.0]), None);
        assert_eq!(fit_line(&[1.0], &[1.0]), None);
    }
}

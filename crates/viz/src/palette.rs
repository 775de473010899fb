//! [`palette`]: the colours of series and classes.

/// Colour `index` of `n` spread over a rainbow from violet to red, like
/// matplotlib's `cm.rainbow(np.linspace(0, 1, n))`; `(r, g, b)` in `0..=255`.
pub fn palette(index: usize, n: usize) -> (u8, u8, u8) {
    let t = if n <= 1 {
        0.0
    } else {
        (index.min(n - 1)) as f64 / (n - 1) as f64
    };
    // matplotlib's rainbow: r = |2t - 1/2|, g = sin(pi t), b = cos(pi t / 2),
    // each clipped to [0, 1].
    let r = (2.0 * t - 0.5).abs();
    let g = (std::f64::consts::PI * t).sin();
    let b = (std::f64::consts::FRAC_PI_2 * t).cos();
    let to_u8 = |v: f64| (v.clamp(0.0, 1.0) * 255.0).round() as u8;
    (to_u8(r), to_u8(g), to_u8(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn palette_runs_from_violet_to_red() {
        assert_eq!(palette(0, 3), (128, 0, 255));
        assert_eq!(palette(1, 3), (128, 255, 180));
        assert_eq!(palette(2, 3), (255, 0, 0));
    }
}

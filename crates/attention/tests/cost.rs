//! The benchmark's arithmetic: power-law fits, the crossover definition, the
//! memory model. (Its timings are printed by `hw6 attention`, not asserted.)

use hw6_attention::crossover_from_scan;
use hw6_attention::prelude::*;
use hw6_exercise::ParamError;

#[test]
fn power_law_fit_recovers_exponent() {
    let pts: Vec<(usize, f64)> = [100usize, 400, 1600, 6400]
        .iter()
        .map(|&n| (n, 3e-9 * (n as f64).powf(1.7)))
        .collect();
    let fit = fit_power_law("x", &pts).unwrap();
    assert!((fit.slope - 1.7).abs() < 1e-9);
    assert!((fit.seconds_at(1000.0) - 3e-9 * 1000f64.powf(1.7)).abs() < 1e-12);
    assert!(fit_power_law("x", &pts[..1]).is_none());
}

#[test]
fn crossover_is_interpolated_in_log_n() {
    // softmax t = N^2 / 100, linear t = N: they cross at N = 100.
    let scan: Vec<ScanPoint> = [25usize, 50, 71, 141, 200, 400]
        .iter()
        .map(|&n| ScanPoint {
            n,
            softmax_seconds: (n * n) as f64 / 100.0,
            linear_seconds: n as f64,
        })
        .collect();
    let x = crossover_from_scan(&scan).unwrap();
    assert!((x / 100.0 - 1.0).abs() < 1e-9, "{x}");
    // Never crossing, or crossing before the first point: no measurement.
    assert!(crossover_from_scan(&scan[4..]).is_none());
    let never: Vec<ScanPoint> = scan
        .iter()
        .map(|p| ScanPoint {
            linear_seconds: p.softmax_seconds * 2.0,
            ..p.clone()
        })
        .collect();
    assert!(crossover_from_scan(&never).is_none());
}

#[test]
fn memory_model_is_quadratic_for_softmax_and_linear_for_linear() {
    let (d, m) = (16, 16);
    for method in AttentionMethod::ALL {
        let a = method.model_bytes(4096, d, m) as f64;
        let b = method.model_bytes(8192, d, m) as f64;
        let ratio = b / a;
        match method {
            AttentionMethod::Softmax => assert!(ratio > 3.9, "{ratio}"),
            _ => assert!((ratio - 2.0).abs() < 0.01, "{ratio}"),
        }
    }
    assert_eq!(AttentionMethod::LinearQuadratic.features(16), Some(153));
}

#[test]
fn bad_benchmark_settings_fail_before_running() {
    let cfg = CostConfig {
        ns: vec![],
        ..CostConfig::default()
    };
    assert!(matches!(
        run_cost_benchmark(&cfg, |_| {}),
        Err(AttentionError::Param(ParamError { name: "n", .. }))
    ));
    let cfg = CostConfig {
        d: 0,
        ..CostConfig::default()
    };
    assert!(run_cost_benchmark(&cfg, |_| {}).is_err());
}

#[test]
fn a_tiny_benchmark_runs_and_checks_agreement() {
    let cfg = CostConfig {
        ns: vec![16, 32],
        d: 4,
        m: 3,
        repeats: 1,
        min_seconds: 0.0,
        scan_crossover: false,
        ..CostConfig::default()
    };
    let report = run_cost_benchmark(&cfg, |_| {}).unwrap();
    assert_eq!(report.rows.len(), 6);
    for r in &report.rows {
        assert!(r.seconds.unwrap() > 0.0);
        assert!(
            r.max_abs_diff.unwrap() < 1e-4,
            "{} at {}: {:?}",
            r.method,
            r.n,
            r.max_abs_diff
        );
    }
    assert_eq!(report.fits.len(), 3);
    assert_eq!(report.crossover.predicted, 16.0);
}

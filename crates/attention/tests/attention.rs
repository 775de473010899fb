//! Facts that pin down each attention form: the identities of part 3 and the
//! error cases.

use candle_core::{DType, Device, Tensor};
use hw6_attention::dot;
use hw6_attention::prelude::*;
use hw6_exercise::ParamError;

type R = Result<(), Box<dyn std::error::Error>>;

fn rows(t: &Tensor) -> Vec<f32> {
    t.flatten_all().unwrap().to_vec1::<f32>().unwrap()
}

/// max |a - b| / max |b|
fn rel_err(a: &Tensor, b: &Tensor) -> f64 {
    let (a, b) = (rows(a), rows(b));
    assert_eq!(a.len(), b.len());
    let scale = b.iter().fold(0f64, |m, x| m.max(x.abs() as f64)).max(1e-30);
    let diff = a
        .iter()
        .zip(&b)
        .fold(0f64, |m, (x, y)| m.max((x - y).abs() as f64));
    diff / scale
}

fn qkv(n: usize, l: usize, d: usize, m: usize, seed: u64) -> (Tensor, Tensor, Tensor) {
    let (q, _, _) = random_qkv(n, d, m, seed).unwrap();
    let (_, k, v) = random_qkv(l, d, m, seed + 1).unwrap();
    (q, k, v)
}

#[test]
fn quadratic_feature_map_reproduces_the_kernel() -> R {
    for d in [1, 2, 3, 7, 16] {
        let (q, k, _) = qkv(20, 20, d, 1, d as u64);
        let (qs, ks) = (rows(&q), rows(&k));
        assert_eq!(QuadraticFeatures.dim(d), 1 + 2 * d + d * (d - 1) / 2);
        for i in 0..20 {
            let (qi, ki) = (&qs[i * d..(i + 1) * d], &ks[i * d..(i + 1) * d]);
            let (pq, pk) = (QuadraticFeatures.map_row(qi), QuadraticFeatures.map_row(ki));
            let lhs: f64 = pq.iter().zip(&pk).map(|(a, b)| *a as f64 * *b as f64).sum();
            let rhs = (dot(qi, ki) + 1.0).powi(2);
            assert!(
                (lhs - rhs).abs() <= 1e-5 * rhs.max(1.0),
                "d={d}: {lhs} vs {rhs}"
            );
        }
    }
    // A hand-checked case: q = (1, 2), k = (3, -1): q.k = 1, (1 + 1)^2 = 4.
    let pq = QuadraticFeatures.map_row(&[1.0, 2.0]);
    let pk = QuadraticFeatures.map_row(&[3.0, -1.0]);
    let ip: f32 = pq.iter().zip(&pk).map(|(a, b)| a * b).sum();
    assert!((ip - 4.0).abs() < 1e-5);
    Ok(())
}

#[test]
fn linear_attention_equals_quadratic_kernel_attention() -> R {
    for (n, l, d, m) in [
        (1, 1, 1, 1),
        (5, 9, 3, 2),
        (64, 48, 8, 5),
        (200, 200, 16, 16),
    ] {
        let (q, k, v) = qkv(n, l, d, m, 7);
        let fast = linear_attention(&q, &k, &v, &QuadraticFeatures)?;
        let slow = kernel_attention(&q, &k, &v, quadratic_similarity, Masking::Full)?;
        assert_eq!(fast.dims(), &[n, m]);
        let e = rel_err(&fast, &slow);
        assert!(e <= 1e-5, "N={n} L={l} D={d} M={m}: relative error {e}");
    }
    Ok(())
}

#[test]
fn softmax_attention_is_kernel_attention_with_exp_similarity() -> R {
    for (n, l, d, m) in [(1, 3, 2, 1), (33, 17, 8, 4), (128, 128, 16, 16)] {
        let (q, k, v) = qkv(n, l, d, m, 3);
        let fast = softmax_attention(&q, &k, &v)?;
        let slow = kernel_attention(&q, &k, &v, softmax_similarity(d), Masking::Full)?;
        let e = rel_err(&fast, &slow);
        assert!(e <= 1e-5, "relative error {e}");
        let fast = causal_softmax_attention(
            &q.narrow(0, 0, n.min(l))?,
            &k.narrow(0, 0, n.min(l))?,
            &v.narrow(0, 0, n.min(l))?,
        )?;
        let slow = kernel_attention(
            &q.narrow(0, 0, n.min(l))?,
            &k.narrow(0, 0, n.min(l))?,
            &v.narrow(0, 0, n.min(l))?,
            softmax_similarity(d),
            Masking::Causal,
        )?;
        assert!(rel_err(&fast, &slow) <= 1e-5);
    }
    Ok(())
}

#[test]
fn attention_weights_are_a_distribution_per_row() -> R {
    let (q, k, _) = qkv(40, 25, 6, 1, 11);
    let weights = [
        softmax_weights(&q, &k)?,
        kernel_weights(&q, &k, quadratic_similarity, Masking::Full)?,
        kernel_weights(
            &q,
            &k.narrow(0, 0, 25)?,
            softmax_similarity(6),
            Masking::Full,
        )?,
    ];
    for w in &weights {
        assert_eq!(w.dims(), &[40, 25]);
        for row in w.to_vec2::<f32>()? {
            assert!(row.iter().all(|&x| x >= 0.0));
            let s: f32 = row.iter().sum();
            assert!((s - 1.0).abs() < 1e-5, "row sums to {s}");
        }
    }
    // Causal weights: zero above the diagonal, rows still sum to 1.
    let (q, k, _) = qkv(12, 12, 4, 1, 5);
    let w = kernel_weights(&q, &k, quadratic_similarity, Masking::Causal)?.to_vec2::<f32>()?;
    for (i, row) in w.iter().enumerate() {
        assert!(row[i + 1..].iter().all(|&x| x == 0.0));
        assert!((row.iter().sum::<f32>() - 1.0).abs() < 1e-5);
    }
    assert_eq!(w[0][0], 1.0);
    Ok(())
}

#[test]
fn causal_linear_attention_equals_masked_kernel_attention() -> R {
    for (n, d, m) in [(1, 2, 1), (10, 3, 4), (150, 8, 8)] {
        let (q, k, v) = qkv(n, n, d, m, 21);
        let fast = causal_linear_attention(&q, &k, &v, &QuadraticFeatures)?;
        let slow = kernel_attention(&q, &k, &v, quadratic_similarity, Masking::Causal)?;
        assert!(
            rel_err(&fast, &slow) <= 1e-5,
            "quadratic N={n}: {}",
            rel_err(&fast, &slow)
        );
        let fast = causal_linear_attention(&q, &k, &v, &EluPlusOne)?;
        let slow = kernel_attention(&q, &k, &v, elu_similarity, Masking::Causal)?;
        assert!(rel_err(&fast, &slow) <= 1e-5);
        // The last row of causal attention sees everything: equals full attention.
        let full = linear_attention(&q, &k, &v, &EluPlusOne)?;
        let last = |t: &Tensor| rows(&t.narrow(0, n - 1, 1).unwrap());
        for (a, b) in last(&fast).iter().zip(last(&full)) {
            assert!((a - b).abs() <= 1e-5 * b.abs().max(1.0));
        }
        // The first row sees only itself: its output is V_0.
        for (a, b) in rows(&fast.narrow(0, 0, 1)?)
            .iter()
            .zip(rows(&v.narrow(0, 0, 1)?))
        {
            assert!((a - b).abs() <= 1e-5 * b.abs().max(1.0));
        }
    }
    Ok(())
}

#[test]
fn elu_plus_one_is_positive_and_matches_its_formula() {
    let x = [-30.0f32, -1.0, 0.0, 0.5, 2.0];
    let p = EluPlusOne.map_row(&x);
    assert!(p.iter().all(|&v| v > 0.0));
    assert!((p[1] - (-1f32).exp()).abs() < 1e-7);
    assert_eq!(p[2], 1.0);
    assert_eq!(p[3], 1.5);
    assert_eq!(p[4], 3.0);
}

#[test]
fn bad_shapes_are_errors() -> R {
    let dev = Device::Cpu;
    let q = Tensor::zeros((4, 3), DType::F32, &dev)?;
    let k_wrong_d = Tensor::zeros((5, 2), DType::F32, &dev)?;
    let k = Tensor::zeros((5, 3), DType::F32, &dev)?;
    let v_wrong_l = Tensor::zeros((6, 2), DType::F32, &dev)?;
    let v = Tensor::zeros((5, 2), DType::F32, &dev)?;
    let q64 = Tensor::zeros((4, 3), DType::F64, &dev)?;
    let q3 = Tensor::zeros((2, 4, 3), DType::F32, &dev)?;
    let shape_err = |r: Result<Tensor, AttentionError>| matches!(r, Err(AttentionError::Shape(_)));
    assert!(shape_err(softmax_attention(&q, &k_wrong_d, &v)));
    assert!(shape_err(softmax_attention(&q, &k, &v_wrong_l)));
    assert!(shape_err(softmax_attention(&q64, &k, &v)));
    assert!(shape_err(softmax_attention(&q3, &k, &v)));
    assert!(shape_err(linear_attention(
        &q,
        &k_wrong_d,
        &v,
        &QuadraticFeatures
    )));
    assert!(shape_err(linear_attention(&q, &k, &v_wrong_l, &EluPlusOne)));
    assert!(shape_err(kernel_attention(
        &q,
        &k,
        &v_wrong_l,
        quadratic_similarity,
        Masking::Full
    )));
    // Causal attention needs as many keys as queries.
    assert!(shape_err(causal_linear_attention(&q, &k, &v, &EluPlusOne)));
    assert!(shape_err(causal_softmax_attention(&q, &k, &v)));
    assert!(shape_err(kernel_attention(
        &q,
        &k,
        &v,
        quadratic_similarity,
        Masking::Causal
    )));
    let empty = Tensor::zeros((0, 3), DType::F32, &dev)?;
    assert!(shape_err(softmax_attention(&empty, &k, &v)));
    Ok(())
}

#[test]
fn negative_similarity_and_zero_denominator_name_the_row() -> R {
    let (q, k, v) = qkv(6, 6, 4, 2, 1);
    // Plain dot products go negative: equation (3) is not a weighted average.
    let err = kernel_attention(&q, &k, &v, dot, Masking::Full).unwrap_err();
    match err {
        AttentionError::NegativeSimilarity { row, value, .. } => {
            assert!(value < 0.0);
            assert!(err.to_string().contains(&format!("query row {row}")));
        }
        other => panic!("expected NegativeSimilarity, got {other}"),
    }
    // All-zero similarities for every row: zero denominator on row 0.
    let err = kernel_attention(&q, &k, &v, |_, _| 0.0, Masking::Full).unwrap_err();
    assert!(
        matches!(err, AttentionError::ZeroDenominator { row: 0, .. }),
        "{err}"
    );
    // Zero only for query 2 (its similarity vanishes against every key).
    let qs = rows(&q);
    let q2 = qs[8..12].to_vec();
    let err = kernel_attention(
        &q,
        &k,
        &v,
        move |a, _| if a == q2.as_slice() { 0.0 } else { 1.0 },
        Masking::Full,
    )
    .unwrap_err();
    assert!(
        matches!(err, AttentionError::ZeroDenominator { row: 2, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("row 2"));
    // NaN is rejected too.
    let err = kernel_attention(&q, &k, &v, |_, _| f64::NAN, Masking::Full).unwrap_err();
    assert!(matches!(
        err,
        AttentionError::NegativeSimilarity { row: 0, col: 0, .. }
    ));
    // Linear attention: a feature map that sends query 1 to the zero vector
    // gives it a zero denominator, exactly.
    struct Identity;
    impl FeatureMap for Identity {
        fn name(&self) -> &'static str {
            "identity"
        }
        fn dim(&self, d: usize) -> usize {
            d
        }
        fn map_into(&self, x: &[f32], out: &mut [f32]) {
            out.copy_from_slice(x);
        }
    }
    let dev = Device::Cpu;
    let k1 = Tensor::new(&[[1f32, 2.0]], &dev)?;
    let v1 = Tensor::new(&[[5f32]], &dev)?;
    let qz = Tensor::new(&[[0.5f32, 0.0], [0.0, 0.0], [1.0, 1.0]], &dev)?;
    let err = linear_attention(&qz, &k1, &v1, &Identity).unwrap_err();
    assert!(
        matches!(err, AttentionError::ZeroDenominator { row: 1, .. }),
        "{err}"
    );
    let err = causal_linear_attention(&qz.narrow(0, 0, 1)?, &k1, &v1, &Identity);
    assert!(err.is_ok());
    let qn = Tensor::new(&[[1f32, 0.0], [-1.0, 0.0]], &dev)?;
    let kn = Tensor::new(&[[1f32, 0.0], [0.0, 0.0]], &dev)?;
    let vn = Tensor::new(&[[1f32], [2.0]], &dev)?;
    let err = causal_linear_attention(&qn, &kn, &vn, &Identity).unwrap_err();
    assert!(
        matches!(err, AttentionError::ZeroDenominator { row: 1, .. }),
        "{err}"
    );
    Ok(())
}

#[test]
fn part2_statistics_match_the_theory() -> R {
    let cfg = ScalingConfig {
        dims: vec![4, 64, 1024],
        pairs: 4000,
        trials: 200,
        keys: 32,
        seed: 1,
    };
    let stats = scaled_dot_products(&cfg)?;
    assert_eq!(stats, scaled_dot_products(&cfg)?, "same seed, same numbers");
    for s in &stats {
        let d = s.d as f64;
        // Var(q.k) = d: sample variance within 10% (4000 samples: sd of the
        // estimate is about sqrt(2/4000) * d ~ 2% for Gaussian-like data).
        assert!(
            (s.var_raw / d - 1.0).abs() < 0.1,
            "d={d}: var {}",
            s.var_raw
        );
        assert!((s.var_scaled - 1.0).abs() < 0.1);
        assert!(s.mean_raw.abs() < 4.0 * (d / 4000.0).sqrt() + 1e-9);
        assert!(s.mean_scaled.abs() < 0.1);
        assert!(s.entropy_scaled <= s.max_entropy && s.entropy_raw <= s.max_entropy);
    }
    // Unscaled, the softmax saturates as d grows; scaled, it does not.
    let (small, big) = (&stats[0], &stats[2]);
    assert!(big.entropy_raw < 0.5 * small.entropy_raw);
    assert!(big.max_weight_raw > 0.8);
    assert!((big.entropy_scaled - small.entropy_scaled).abs() < 0.3);
    assert!(big.entropy_scaled > 2.0 * big.entropy_raw);
    let bad = ScalingConfig { keys: 1, ..cfg };
    assert!(matches!(
        scaled_dot_products(&bad),
        Err(AttentionError::Param(ParamError { name: "keys", .. }))
    ));
    Ok(())
}

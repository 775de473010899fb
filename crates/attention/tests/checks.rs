//! The notebook's checks: the reference passes them, and each typical
//! mistake fails with a message that names it.

use candle_core::Tensor;
use hw6_attention::prelude::*;
use hw6_attention::{AttentionError, check_reference};
use hw6_exercise::recording;

type R = Result<(), AttentionError>;

/// The reference map with one change made by `edit(x, φ)`.
fn edited(edit: fn(&[f32], &mut Vec<f32>)) -> impl Fn(&[f32]) -> Vec<f32> {
    move |x| {
        let mut phi = QuadraticFeatures.map_row(x);
        edit(x, &mut phi);
        phi
    }
}

fn failure(result: Result<CheckReport, AttentionError>) -> String {
    result.expect_err("the check should fail").to_string()
}

#[test]
fn the_reference_passes_every_check_and_records_small_fixtures() {
    let (reports, fixtures) = recording(check_reference);
    let reports = reports.unwrap();
    assert_eq!(reports.len(), 2);
    assert!(reports[0].value("cases") > Some(100.0));
    assert_eq!(reports[1].value("cases"), Some(8.0));
    let keys: Vec<&str> = fixtures.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "attention.identities.quadratic_kernel",
            "attention.linear_attention.outputs",
            "attention.quadratic_features.kernel"
        ]
    );
    let bytes: usize = fixtures.values().map(|v| v.to_string().len()).sum();
    assert!(bytes < 64 << 10, "fixtures of {bytes} bytes");
}

#[test]
fn a_feature_map_mistake_is_named() {
    // Linear terms without their scale: the inner product has q.k once, not twice.
    let unscaled_linear = edited(|x, phi| phi[1..=x.len()].copy_from_slice(x));
    let msg = failure(check_quadratic_feature_map(unscaled_linear));
    assert!(msg.contains("linear features are off"), "{msg}");
    // No constant feature.
    let msg = failure(check_quadratic_feature_map(edited(|_, phi| phi[0] = 0.0)));
    assert!(msg.contains("constant feature"), "{msg}");
    // Squares scaled twice.
    let doubled_squares = edited(|x, phi| {
        let d = x.len();
        phi[1 + d..1 + 2 * d].iter_mut().for_each(|p| *p *= 2.0);
    });
    let msg = failure(check_quadratic_feature_map(doubled_squares));
    assert!(msg.contains("square features are off"), "{msg}");
    // Cross terms without their scale: right for D = 1 only.
    let unscaled_cross = edited(|x, phi| {
        let d = x.len();
        phi[1 + 2 * d..]
            .iter_mut()
            .for_each(|p| *p /= std::f32::consts::SQRT_2);
    });
    let msg = failure(check_quadratic_feature_map(unscaled_cross));
    assert!(msg.contains("right for D = 1 but not for D = 2"), "{msg}");
    assert!(msg.contains("mix two coordinates"), "{msg}");
    // A length that depends on the values.
    let ragged = |x: &[f32]| vec![1.0; if x[0] > 0.0 { 3 } else { 4 }];
    let msg = failure(check_quadratic_feature_map(ragged));
    assert!(msg.contains("must depend on D only"), "{msg}");
    // A todo!() is a failed check, not a panic.
    let msg = failure(check_quadratic_feature_map(|_| todo!()));
    assert!(msg.contains("todo!()"), "{msg}");
}

fn map_rows(phi: &dyn FeatureMap, x: &Tensor) -> Result<Tensor, AttentionError> {
    phi.apply(x)
}

#[test]
fn a_linear_attention_mistake_is_named() -> R {
    // Without the normaliser: φ(Q) S.
    let unnormalised = |q: &Tensor, k: &Tensor, v: &Tensor, phi: &dyn FeatureMap| {
        let s = map_rows(phi, k)?.t()?.matmul(v)?;
        Ok(map_rows(phi, q)?.matmul(&s)?)
    };
    let msg = failure(check_linear_attention(unnormalised));
    assert!(msg.contains("normaliser"), "{msg}");
    // Normalised by the wrong sums (over features instead of keys).
    let wrong_sum = |q: &Tensor, k: &Tensor, v: &Tensor, phi: &dyn FeatureMap| {
        let (pq, pk) = (map_rows(phi, q)?, map_rows(phi, k)?);
        let num = pq.matmul(&pk.t()?.matmul(v)?)?;
        Ok(num.broadcast_div(&pq.sum_keepdim(1)?)?)
    };
    let msg = failure(check_linear_attention(wrong_sum));
    assert!(msg.contains("normaliser"), "{msg}");
    // Softmax attention is another kernel.
    let msg = failure(check_linear_attention(|q, k, v, _| {
        softmax_attention(q, k, v)
    }));
    assert!(msg.contains("equation (3)"), "{msg}");
    // Keys where the queries belong: the shapes give it away when N != L.
    let swapped =
        |q: &Tensor, k: &Tensor, v: &Tensor, phi: &dyn FeatureMap| linear_attention(k, q, v, phi);
    let msg = failure(check_linear_attention(swapped));
    assert!(msg.contains("your code returned an error"), "{msg}");
    // The same code through a closure feature map passes.
    check_linear_attention(|q, k, v, phi| linear_attention(q, k, v, phi))?;
    Ok(())
}

#[test]
fn the_identities_reference_is_equation_3_with_the_quadratic_kernel() -> R {
    let (n, d, m, seed) = IDENTITIES_PROBLEM;
    let (q, k, v) = random_qkv(n, d, m, seed)?;
    let want = kernel_attention(&q, &k, &v, quadratic_similarity, Masking::Full)?;
    let got = quadratic_kernel_attention(n, d, m, seed)?;
    let diff = (got - want)?.abs()?.max_all()?.to_scalar::<f32>()?;
    assert_eq!(diff, 0.0);
    Ok(())
}

#[test]
fn a_closure_feature_map_runs_like_the_crates_own() -> R {
    let (q, k, v) = random_qkv(30, 4, 3, 5)?;
    let mine = FeatureFn::new("quadratic", |x: &[f32]| QuadraticFeatures.map_row(x));
    assert_eq!(mine.dim(4), QuadraticFeatures.dim(4));
    let a = linear_attention(&q, &k, &v, &mine)?;
    let b = linear_attention(&q, &k, &v, &QuadraticFeatures)?;
    assert_eq!(a.to_vec2::<f32>()?, b.to_vec2::<f32>()?);
    // A map whose length changes with the row is a shape error, not a panic.
    let ragged = FeatureFn::new("ragged", |x: &[f32]| {
        vec![1.0; if x[0] > 0.0 { 2 } else { 3 }]
    });
    assert!(matches!(ragged.apply(&q), Err(AttentionError::Shape(_))));
    Ok(())
}

#[test]
fn a_feature_maps_kernel_counts_rounding_below_zero_as_zero() -> R {
    // On the notebook's problem, (q.k + 1)^2 from f32 features rounds below
    // zero for one pair (query 136, key 2): equation (3) must still accept it.
    let (n, d, m, seed) = IDENTITIES_PROBLEM;
    let (q, k, v) = random_qkv(n, d, m, seed)?;
    let exact = kernel_attention(&q, &k, &v, quadratic_similarity, Masking::Causal)?;
    let sim = feature_similarity(&QuadraticFeatures);
    let from_features = kernel_attention(&q, &k, &v, sim, Masking::Causal)?;
    let diff = (exact - from_features)?
        .abs()?
        .max_all()?
        .to_scalar::<f32>()?;
    assert!(diff < 1e-5, "{diff}");
    // A kernel that is negative beyond rounding is still refused.
    let identity = FeatureFn::new("identity", |x: &[f32]| x.to_vec());
    let err = kernel_attention(&q, &k, &v, feature_similarity(&identity), Masking::Full);
    assert!(matches!(
        err,
        Err(AttentionError::NegativeSimilarity { .. })
    ));
    Ok(())
}

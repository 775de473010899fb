//! Expected values of the checks, fixed when a student release is made.
//!
//! A check compares a notebook's code with values from the crate's
//! reference. In the full crates, [`expected`] computes them. A student
//! release has the reference replaced by `todo!()` (its `// BEGIN SOLUTION`
//! regions), so the release command first runs every check with the
//! reference under [`recording`] and writes what was computed into
//! `fixtures.json` beside this crate's `Cargo.toml`; the release's checks
//! read the values from there, as nbgrader's hidden tests hold their answers.
//!
//! A value that depends on an input the notebook passes in (the club's Â,
//! say) is recorded with that input ([`expected_on`]): the release compares
//! the notebook's input with the recorded one and fails with a message if
//! they differ, instead of comparing with a value for other inputs.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::CheckFailure;

/// The values a release holds; `{}` in the full crates.
const RELEASE_FIXTURES: &str = include_str!("../fixtures.json");

/// Relative difference up to which a notebook's input counts as the
/// recorded one (the same formulas may round differently in the last bits).
const SAME_INPUT: f64 = 1e-9;

/// Recorded values: key -> `{"input": ..., "value": ...}`.
pub type Fixtures = BTreeMap<String, Value>;

thread_local! {
    static RECORDING: RefCell<Option<Fixtures>> = const { RefCell::new(None) };
}

fn release_table() -> &'static Option<Fixtures> {
    static TABLE: OnceLock<Option<Fixtures>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let table: Fixtures = serde_json::from_str(RELEASE_FIXTURES)
            .expect("fixtures.json is written by the release command and parses");
        (!table.is_empty()).then_some(table)
    })
}

/// Whether these crates are a student release (their checks read recorded
/// values instead of computing them with the reference).
pub fn is_release() -> bool {
    release_table().is_some()
}

/// The value a check compares with, named `key` (unique within the
/// workspace, e.g. `"graph.q4.forward"`): computed by `compute` in the full
/// crates, read from the release's fixtures in a student release.
pub fn expected<T, E>(key: &str, compute: impl FnOnce() -> Result<T, E>) -> Result<T, E>
where
    T: Serialize + DeserializeOwned,
    E: From<CheckFailure>,
{
    fetch(key, None, compute)
}

/// [`expected`] for a value computed from `input`, an input the notebook
/// passes in: the release checks that `input` is (within rounding) the one
/// recorded, and says so if not.
pub fn expected_on<I, T, E>(
    key: &str,
    input: &I,
    compute: impl FnOnce() -> Result<T, E>,
) -> Result<T, E>
where
    I: Serialize + ?Sized,
    T: Serialize + DeserializeOwned,
    E: From<CheckFailure>,
{
    let input = serde_json::to_value(input).map_err(|e| unreadable(key, e))?;
    fetch(key, Some(input), compute)
}

fn fetch<T, E>(
    key: &str,
    input: Option<Value>,
    compute: impl FnOnce() -> Result<T, E>,
) -> Result<T, E>
where
    T: Serialize + DeserializeOwned,
    E: From<CheckFailure>,
{
    if let Some(table) = release_table() {
        let Some(entry) = table.get(key) else {
            return Err(CheckFailure::new(
                key,
                "this release holds no expected value for it; ask your instructors for a new release",
            )
            .into());
        };
        if let Some(input) = &input
            && !same(&entry["input"], input)
        {
            return Err(CheckFailure::new(
                    key,
                    "the check runs on the notebook's own input (as loaded and computed in the cells above), and the one passed differs from it: finish the exercises above first",
                )
                .into());
        }
        return serde_json::from_value(entry["value"].clone())
            .map_err(|e| unreadable(key, e).into());
    }
    let value = compute()?;
    RECORDING.with(|recording| -> Result<(), CheckFailure> {
        if let Some(table) = recording.borrow_mut().as_mut() {
            let entry = serde_json::json!({
                "input": input.unwrap_or(Value::Null),
                "value": serde_json::to_value(&value).map_err(|e| unreadable(key, e))?,
            });
            if let Some(old) = table.insert(key.to_string(), entry.clone())
                && !same(&old, &entry)
            {
                return Err(CheckFailure::new(
                    key,
                    "recorded twice with different values: give each expected value its own key",
                ));
            }
        }
        Ok(())
    })?;
    Ok(value)
}

fn unreadable(key: &str, e: serde_json::Error) -> CheckFailure {
    CheckFailure::new(key, format!("the expected value does not convert: {e}"))
}

/// Runs `f` and returns what it returned with every value [`expected`] and
/// [`expected_on`] computed meanwhile on this thread.
pub fn recording<R>(f: impl FnOnce() -> R) -> (R, Fixtures) {
    RECORDING.with(|r| *r.borrow_mut() = Some(Fixtures::new()));
    let result = f();
    let table = RECORDING
        .with(|r| r.borrow_mut().take())
        .unwrap_or_default();
    (result, table)
}

/// Equal JSON trees, numbers within [`SAME_INPUT`] relative difference.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_f64(), y.as_f64()) {
            (Some(x), Some(y)) => (x - y).abs() <= SAME_INPUT * x.abs().max(y.abs()).max(1.0),
            _ => x == y,
        },
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(u, v)| same(u, v))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, u)| y.get(k).is_some_and(|v| same(u, v)))
        }
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_full_crates_compute_and_a_recording_keeps_values_and_inputs() {
        assert!(!is_release());
        let (value, table) = recording(|| {
            let a: Result<f64, CheckFailure> = expected("t.a", || Ok(2.5));
            let b: Result<Vec<f32>, CheckFailure> =
                expected_on("t.b", &[1.0, 2.0], || Ok(vec![3.0]));
            (a.unwrap(), b.unwrap())
        });
        assert_eq!(value, (2.5, vec![3.0]));
        assert_eq!(table["t.a"]["value"], serde_json::json!(2.5));
        assert_eq!(table["t.b"]["input"], serde_json::json!([1.0, 2.0]));
        let outside: Result<f64, CheckFailure> = expected("t.c", || Ok(1.0));
        assert_eq!(outside.unwrap(), 1.0);
    }

    #[test]
    fn one_key_with_two_values_is_an_error() {
        let (result, _) = recording(|| {
            let _: Result<f64, CheckFailure> = expected("t.d", || Ok(1.0));
            expected::<f64, CheckFailure>("t.d", || Ok(2.0))
        });
        assert!(result.unwrap_err().reason.contains("recorded twice"));
    }

    #[test]
    fn inputs_match_within_rounding_only() {
        let x = serde_json::json!({"m": [1.0, 2.0], "n": 3});
        assert!(same(
            &x,
            &serde_json::json!({"m": [1.0 + 1e-12, 2.0], "n": 3})
        ));
        assert!(!same(&x, &serde_json::json!({"m": [1.001, 2.0], "n": 3})));
        assert!(!same(&x, &serde_json::json!({"m": [1.0], "n": 3})));
    }
}

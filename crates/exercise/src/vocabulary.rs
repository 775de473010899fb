//! The error types every hw6 crate shares: an impossible parameter, shapes
//! that do not fit, and a failed exercise check. Each crate's error enum
//! wraps them (`#[error(transparent)] Param(#[from] ParamError)`), so one
//! mistake reads the same whichever crate reports it.

use crate::{CheckReport, run_check};
use std::fmt;

/// A parameter or setting outside what a function accepts.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("invalid {name}{}: {allowed}", shown(.value))]
pub struct ParamError {
    /// The parameter, as the caller wrote it (`"k"`, `"mask_prob"`).
    pub name: &'static str,
    /// Its value, when one value is to blame.
    pub value: Option<String>,
    /// What is allowed instead, or what to change.
    pub allowed: String,
}

fn shown(value: &Option<String>) -> String {
    value
        .as_ref()
        .map(|v| format!(" = {v}"))
        .unwrap_or_default()
}

impl ParamError {
    /// `name = value` is not allowed; `allowed` says what is.
    pub fn new(name: &'static str, value: impl fmt::Debug, allowed: impl Into<String>) -> Self {
        Self {
            name,
            value: Some(format!("{value:?}")),
            allowed: allowed.into(),
        }
    }

    /// `name` is wrong in a way no single value shows (lengths that disagree,
    /// fractions that sum above one).
    pub fn field(name: &'static str, problem: impl Into<String>) -> Self {
        Self {
            name,
            value: None,
            allowed: problem.into(),
        }
    }
}

/// Inputs whose shapes do not fit the operation.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error(
    "{what}: expected {expected}, got {got}; pass inputs with the shapes in its `# Shapes` doc"
)]
pub struct ShapeError {
    /// The operation or argument (`"Matrix::from_vec"`, `"forward input"`).
    pub what: &'static str,
    /// The shape it needs.
    pub expected: String,
    /// The shape it was given.
    pub got: String,
}

impl ShapeError {
    /// `what` needed `expected` and was given `got`.
    pub fn new(what: &'static str, expected: impl Into<String>, got: impl Into<String>) -> Self {
        Self {
            what,
            expected: expected.into(),
            got: got.into(),
        }
    }
}

/// A notebook exercise whose check did not pass: a wrong answer, or code that
/// panicked (a `todo!()` still to replace).
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("check of {exercise} failed: {reason}")]
pub struct CheckFailure {
    /// Which exercise, e.g. `"Q1 (A~ = A + I)"`.
    pub exercise: String,
    /// What is wrong, in words that point at the fix.
    pub reason: String,
}

impl CheckFailure {
    /// The check of `exercise` failed because of `reason`.
    pub fn new(exercise: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            exercise: exercise.into(),
            reason: reason.into(),
        }
    }
}

/// Runs the check of `exercise`: `body` calls the notebook's code and records
/// figures in the report; a panic in that code fails the check with a
/// [`CheckFailure`] in the crate's own error type `E`.
pub fn checked<E: From<CheckFailure>>(
    exercise: &str,
    body: impl FnOnce(&mut CheckReport) -> Result<(), E>,
) -> Result<CheckReport, E> {
    run_check(
        exercise,
        |panic| CheckFailure::new(exercise, panic).into(),
        body,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    enum CrateError {
        #[error(transparent)]
        Check(#[from] CheckFailure),
        #[error(transparent)]
        Param(#[from] ParamError),
    }

    #[test]
    fn messages_name_the_parameter_and_what_is_allowed() {
        let e = ParamError::new("k", 0, "use a bottleneck of at least 1");
        assert_eq!(
            e.to_string(),
            "invalid k = 0: use a bottleneck of at least 1"
        );
        let e = ParamError::field("splits", "the fractions sum to 1.2");
        assert_eq!(e.to_string(), "invalid splits: the fractions sum to 1.2");
        let e = ShapeError::new("forward input", "(n, 784)", "(n, 100)");
        assert!(
            e.to_string()
                .starts_with("forward input: expected (n, 784), got (n, 100)")
        );
    }

    #[test]
    fn a_panic_in_a_check_becomes_the_crates_check_failure() {
        let err = checked("Q1", |_| -> Result<(), CrateError> { todo!() }).unwrap_err();
        let CrateError::Check(failure) = err else {
            panic!("not a check failure: {err}")
        };
        assert_eq!(failure.exercise, "Q1");
        assert!(failure.reason.contains("todo!()"), "{}", failure.reason);
        let wrong = checked("Q2", |_| {
            Err(CrateError::from(ParamError::field("x", "no")))
        });
        assert!(matches!(wrong, Err(CrateError::Param(_))));
        assert!(checked("Q3", |_| Ok::<(), CrateError>(())).is_ok());
    }
}

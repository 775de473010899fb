//! What the notebooks' exercise checks share.
//!
//! A notebook's exercise cell defines a function or a trait impl (in the
//! student version its body is a `todo!()`). The check cell after it calls a
//! crate's checker, which runs that code through [`run_check`]: a passed
//! check is a [`CheckReport`]; a wrong answer, or a panic such as the
//! `todo!()`, is an error that says what to do. The cells after the check get
//! their inputs through [`implementation_to_use`]: the student's code once it
//! is written, passing or not (so its mistakes show in the cells after it);
//! while it is still a `todo!()`, a value recorded from the crate's reference
//! ([`expected`]: in a student release the reference itself is a `todo!()`)
//! or a one-line stop ([`finish_first`]), so the rest of a student notebook
//! runs before every exercise is done.
//!
//! The crates share one error vocabulary from here: [`ParamError`] for an
//! impossible setting, [`ShapeError`] for inputs that do not fit, and
//! [`CheckFailure`] for a check that did not pass, raised by [`checked`].
//!
//! ```
//! use hw6_exercise::{CheckReport, Implementation, implementation_to_use, run_check};
//!
//! fn my_double(x: i32) -> i32 {
//!     todo!()
//! }
//! fn check_double(double: impl Fn(i32) -> i32) -> Result<CheckReport, String> {
//!     run_check("Q0 (double)", |panic| panic, |report| {
//!         let got = double(21);
//!         report.figure("double(21)", got as f64);
//!         if got == 42 { Ok(()) } else { Err(format!("double(21) is {got}, not 42")) }
//!     })
//! }
//! let error = check_double(my_double).unwrap_err();
//! assert!(error.contains("todo!()"), "{error}");
//! let value = match implementation_to_use("Q0", check_double(my_double)) {
//!     Implementation::Yours => my_double(21),
//!     Implementation::Reference => 2 * 21,
//! };
//! assert_eq!(value, 42);
//! ```

mod fixture;
mod vocabulary;

pub use fixture::{Fixtures, expected, expected_on, is_release, recording};
pub use vocabulary::{CheckFailure, ParamError, ShapeError, checked};

use std::any::Any;
use std::fmt;
use std::panic::{self, AssertUnwindSafe};

/// A passed exercise check and the figures behind it (differences from the
/// reference, cases compared, ...). A notebook cell whose value is a report
/// prints it.
#[derive(Clone, Debug, PartialEq)]
pub struct CheckReport {
    /// Which exercise, e.g. `"Q1 (A~ = A + I)"`.
    pub exercise: String,
    /// What was compared, and the figure.
    pub figures: Vec<(String, f64)>,
}

impl CheckReport {
    /// A report without figures yet.
    pub fn new(exercise: impl Into<String>) -> Self {
        Self {
            exercise: exercise.into(),
            figures: Vec::new(),
        }
    }

    /// Records a figure.
    pub fn figure(&mut self, what: impl Into<String>, value: f64) {
        self.figures.push((what.into(), value));
    }

    /// The figure recorded under `what`, if any.
    pub fn value(&self, what: &str) -> Option<f64> {
        self.figures.iter().find(|(w, _)| w == what).map(|f| f.1)
    }

    /// Shows the report as text in an evcxr notebook.
    pub fn evcxr_display(&self) {
        print!("EVCXR_BEGIN_CONTENT text/plain\n{self}EVCXR_END_CONTENT\n");
    }
}

impl fmt::Display for CheckReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}: passed", self.exercise)?;
        for (what, value) in &self.figures {
            if value.fract() == 0.0 && value.abs() >= 1.0 {
                writeln!(f, "  {what}: {value:.0}")?;
            } else {
                writeln!(f, "  {what}: {value:.3e}")?;
            }
        }
        Ok(())
    }
}

/// Runs a check whose `body` calls a notebook's code, recording figures in
/// the report. A panic in that code (a `todo!()` still to replace, an index
/// out of range) fails the check with `panicked(message)` instead of ending
/// the notebook cell; the panic itself is not printed.
pub fn run_check<E>(
    exercise: &str,
    panicked: impl FnOnce(String) -> E,
    body: impl FnOnce(&mut CheckReport) -> Result<(), E>,
) -> Result<CheckReport, E> {
    let mut report = CheckReport::new(exercise);
    match run_student_code(|| body(&mut report)) {
        Ok(Ok(())) => Ok(report),
        Ok(Err(e)) => Err(e),
        Err(message) => Err(panicked(message)),
    }
}

/// Whether `f` still reaches a `todo!()` (an exercise not written yet; code
/// that runs, or fails in another way, is written).
pub fn reaches_todo<T>(f: impl FnOnce() -> T) -> bool {
    matches!(run_student_code(f), Err(message) if message.contains("todo!()"))
}

/// Runs `f`, turning a panic into `Err` with a message for the student.
pub fn run_student_code<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    let previous = panic::take_hook();
    panic::set_hook(Box::new(|_| {}));
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    panic::set_hook(previous);
    result.map_err(|payload| panic_message(payload.as_ref()))
}

fn panic_message(payload: &(dyn Any + Send)) -> String {
    let text = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(no message)".to_string());
    if text.starts_with("not yet implemented") {
        "your code still has a todo!(): replace it with your implementation".to_string()
    } else {
        format!("your code panicked: {text}")
    }
}

/// A cell that needs an exercise still to write: its one-line error says
/// which (`finish Q4 first ...`), as the original notebook stops there.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("finish {exercise} first: the cells from here on need it")]
pub struct Unfinished {
    /// The exercise to finish, e.g. `"Q8"`.
    pub exercise: String,
}

/// Stops a cell that needs `exercise`, still a `todo!()`, with [`Unfinished`].
pub fn finish_first<T>(exercise: &str) -> Result<T, Unfinished> {
    Err(Unfinished {
        exercise: exercise.to_string(),
    })
}

/// Which implementation the rest of a notebook runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Implementation {
    /// The notebook's own code: it is written (its check may still fail).
    Yours,
    /// The notebook's code is still a `todo!()`: the cells after it use a
    /// value recorded from the crate's reference, or wait.
    Reference,
}

/// Which implementation the cells after an exercise run: the student's
/// once it is written, whether or not `check` passed (a wrong answer shows
/// its effects there, and the check above says what is wrong), and the
/// reference's recorded values while it still reaches a `todo!()`. Prints
/// one line saying which.
pub fn implementation_to_use<R, E: fmt::Display>(
    exercise: &str,
    check: Result<R, E>,
) -> Implementation {
    match check {
        Ok(_) => {
            println!("{exercise}: passed, the rest of this notebook uses your code");
            Implementation::Yours
        }
        Err(e) if e.to_string().contains("todo!()") => {
            println!(
                "{exercise}: not written yet, the cells below use values recorded from the reference (or wait) until you write it"
            );
            Implementation::Reference
        }
        Err(_) => {
            println!(
                "{exercise}: not passing yet (see the check above); the rest of this notebook runs your code anyway, so you see what it does"
            );
            Implementation::Yours
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_todo_fails_the_check_and_a_wrong_answer_keeps_its_message() {
        let todo = run_check("Q", |p| p, |_| -> Result<(), String> { todo!() });
        assert!(todo.unwrap_err().contains("todo!()"));
        let index = run_check(
            "Q",
            |p| p,
            |_| {
                let v: Vec<i32> = Vec::new();
                let i = v.len() + 3;
                let _ = v[i];
                Ok(())
            },
        );
        assert!(
            index
                .unwrap_err()
                .starts_with("your code panicked: index out of bounds")
        );
        let wrong = run_check("Q", |p| p, |_| Err("differs".to_string()));
        assert_eq!(wrong.unwrap_err(), "differs");
    }

    #[test]
    fn only_a_todo_counts_as_not_written() {
        assert!(reaches_todo(|| -> i32 { todo!() }));
        assert!(!reaches_todo(|| 1));
        assert!(!reaches_todo(|| -> i32 { panic!("wrong") }));
    }

    #[test]
    fn a_passed_check_reports_its_figures() {
        let report = run_check(
            "Q3 (X = I)",
            |p| p,
            |r| {
                r.figure("cases", 20.0);
                r.figure("max |difference|", 1e-12);
                Ok::<(), String>(())
            },
        )
        .unwrap();
        assert_eq!(report.value("cases"), Some(20.0));
        assert_eq!(
            report.to_string(),
            "Q3 (X = I): passed\n  cases: 20\n  max |difference|: 1.000e-12\n"
        );
    }

    #[test]
    fn the_reference_stands_in_only_while_the_code_is_a_todo() {
        let todo = run_check("Q", |p| p, |_| -> Result<(), String> { todo!() });
        assert_eq!(implementation_to_use("Q", todo), Implementation::Reference);
        assert_eq!(
            implementation_to_use("Q", Err::<(), _>("differs")),
            Implementation::Yours
        );
        assert_eq!(
            implementation_to_use("Q", Ok::<_, String>(())),
            Implementation::Yours
        );
    }
}

//! The same seed gives the same numbers on any number of threads: `hw6 ae`'s
//! JSON lines, wall-clock fields aside, are identical with
//! `RAYON_NUM_THREADS` = 1, 2, 3 and 8. The runs are MNIST linear with
//! k = 32, 48 and 64 at batch 200, where a cut of the products that
//! followed the thread count used to change the last bits.

mod common;
use common::{hw6_command, project_data};

/// The JSON lines of one run, without the fields that measure time.
fn run_with_threads(threads: usize) -> Vec<serde_json::Value> {
    let out = hw6_command()
        .args([
            "ae",
            "--dataset",
            "mnist",
            "--arch",
            "linear",
            "--k",
            "32,48,64",
            "--models",
            "vanilla",
            "--repeats",
            "1",
            "--epochs",
            "3",
            "--seed",
            "0",
            "--json",
            "-",
            "--data-dir",
        ])
        .arg(project_data())
        .env_remove("HW6_THREADS")
        .env("RAYON_NUM_THREADS", threads.to_string())
        .output()
        .expect("run hw6");
    assert!(
        out.status.success(),
        "{threads} threads: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .expect("UTF-8 JSON")
        .lines()
        .map(|line| {
            let mut v: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
            let fields = v.as_object_mut().expect("one object per run");
            fields.retain(|name, _| {
                !(name.starts_with("seconds")
                    || name.contains("per_second")
                    || name.contains("gflop"))
            });
            v
        })
        .collect()
}

#[test]
fn json_is_bit_identical_on_1_2_3_and_8_threads() {
    let one = run_with_threads(1);
    assert_eq!(one.len(), 3, "one line per k: {one:?}");
    for threads in [2, 3, 8] {
        let other = run_with_threads(threads);
        for (a, b) in one.iter().zip(&other) {
            assert_eq!(a, b, "1 thread vs {threads}");
        }
        assert_eq!(one.len(), other.len());
    }
}

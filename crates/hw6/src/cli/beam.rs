//! `hw6 beam`: the homework's Figure 2 beam search (part 5 (a)-(d)) and, with
//! `--bench`, the work of beam search counted against T, k and M (part 5(e)).

use std::path::Path;

use hw6_decoding::prelude::*;
use hw6_viz::{Points, ScatterChart, TreeChart};
use serde_json::{Value, json};

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Beam width for the Figure 2 example (the homework uses 2).
    #[arg(long, default_value_t = 2)]
    pub width: usize,
    /// Also count beam search's step calls and comparisons against T, k and M.
    #[arg(long)]
    pub bench: bool,
    /// Seed of the stand-in model used by --bench.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
}

/// The searches run on Figure 2.
struct Figure2 {
    tree: LogProbTree,
    vocab: Vec<String>,
    beam: SearchResult,
    all: Vec<Hypothesis>,
    greedy: SearchResult,
}

pub fn run(args: &Args, common: &super::Common) -> anyhow::Result<()> {
    let err = common.json_on_stdout();
    let mut json = common.json_writer()?;
    let svg_dir = common.svg_dir()?;
    let mut tree = figure2_tree()?;
    let vocab = tree.vocab().to_vec();
    print_tree(&tree, err)?;
    let config = BeamConfig {
        width: args.width,
        length: 3,
    };
    let beam = beam_search(&mut tree, config)?;
    print_steps(&beam, &vocab, args.width, err)?;
    let (all, _) = all_sequences(&mut tree, 3)?;
    let greedy = greedy_search(&mut tree, 3)?;
    let fig = Figure2 {
        tree,
        vocab,
        beam,
        all,
        greedy,
    };
    print_answers(&fig, args.width, err)?;
    if let Some(out) = json.as_mut() {
        out.write(&figure2_json(&fig, args.width))?;
    }
    if let Some(dir) = svg_dir {
        let drawing = tree_drawing(&fig.tree, &fig.beam, &fig.all[0].tokens);
        let svg = figure2_chart(&drawing, args.width).render()?;
        super::save_svg(svg, dir, "beam_tree.svg", err)?;
    }
    if args.bench {
        bench(args, json.as_mut(), svg_dir, err)?;
    }
    Ok(())
}

/// `tokens` as words (`<start>` for none).
fn text(tokens: &[Token], vocab: &[String]) -> String {
    Hypothesis {
        tokens: tokens.to_vec(),
        log_prob: 0.0,
    }
    .text(vocab)
}

fn print_tree(tree: &LogProbTree, err: bool) -> std::io::Result<()> {
    let vocab = tree.vocab();
    say!(
        err,
        "Figure 2 (log-probabilities of the next word; * = log(1 - p) of the stated sibling, ? = not in the text, assumed):"
    );
    for (prefix, token, lp, source) in tree.edges() {
        let ctx = if prefix.is_empty() {
            "<start>".to_string()
        } else {
            text(&prefix, vocab)
        };
        say!(
            err,
            "  after {ctx:<16} {:<8} {lp:>7.3}  ({source:?})",
            vocab[token]
        );
    }
    Ok(())
}

fn print_steps(
    beam: &SearchResult,
    vocab: &[String],
    width: usize,
    err: bool,
) -> std::io::Result<()> {
    say!(err, "\nbeam search, width {width}:");
    for step in &beam.steps {
        say!(err, "  step {}:", step.t);
        for (i, h) in step.candidates.iter().enumerate() {
            let kept = if i < step.kept { "kept" } else { "dropped" };
            say!(err, "    {:<26} {:>7.3}  {kept}", h.text(vocab), h.log_prob);
        }
    }
    Ok(())
}

/// Answers (a)-(e) as the homework asks them.
fn print_answers(fig: &Figure2, width: usize, err: bool) -> std::io::Result<()> {
    let (beam, vocab, exact) = (&fig.beam, &fig.vocab, &fig.all[0]);
    say!(err, "");
    for (letter, step) in ["(a)", "(b)", "(c)"].iter().zip(&beam.steps) {
        let kept: Vec<String> = step
            .beam()
            .iter()
            .map(|h| format!("\"{}\" ({:.2})", h.text(vocab), h.log_prob))
            .collect();
        say!(err, "{letter} after step {}: {}", step.t, kept.join(", "));
    }
    say!(
        err,
        "    beam search returns \"{}\" ({:.2})",
        beam.best.text(vocab),
        beam.best.log_prob
    );
    let found = beam.best.tokens == exact.tokens;
    let dropped = beam
        .steps
        .iter()
        .find(|s| !s.beam().iter().any(|h| h.tokens == exact.tokens[..s.t]));
    say!(
        err,
        "(d) the most likely sequence is \"{}\" ({:.2}); beam search {} it{}",
        exact.text(vocab),
        exact.log_prob,
        if found { "finds" } else { "misses" },
        dropped.map_or(String::new(), |s| format!(
            ": its prefix \"{}\" ({:.2}) is not among the {width} best at step {}",
            text(&exact.tokens[..s.t], vocab),
            exact_prefix_score(&fig.tree, &exact.tokens[..s.t]),
            s.t
        ))
    );
    say!(
        err,
        "(e) O(T k M log M): here {} step calls and {} comparisons (T = 3, k = {width}, M = 2); run with --bench to see the growth",
        beam.stats.step_calls,
        beam.stats.comparisons,
    );
    say!(
        err,
        "    greedy decoding returns \"{}\" ({:.2})",
        fig.greedy.best.text(vocab),
        fig.greedy.best.log_prob
    );
    Ok(())
}

fn figure2_json(fig: &Figure2, width: usize) -> Value {
    let (beam, vocab, exact) = (&fig.beam, &fig.vocab, &fig.all[0]);
    let hyp = |h: &Hypothesis| json!({"text": h.text(vocab), "log_prob": h.log_prob});
    json!({
        "kind": "figure2",
        "width": width,
        "beams": beam.steps.iter().map(|s| s.beam().iter().map(hyp).collect::<Vec<_>>()).collect::<Vec<_>>(),
        "returned": hyp(&beam.best),
        "most_likely": hyp(exact),
        "beam_found_best": beam.best.tokens == exact.tokens,
        "greedy": hyp(&fig.greedy.best),
        "stats": beam.stats,
        "all_sequences": fig.all.iter().map(hyp).collect::<Vec<_>>(),
    })
}

fn exact_prefix_score(tree: &LogProbTree, prefix: &[Token]) -> f64 {
    (0..prefix.len())
        .filter_map(|t| tree.edge(&prefix[..t], prefix[t]).map(|e| e.0))
        .sum()
}

/// The Figure 2 tree with the beam's prefixes shaded and both answers traced.
pub fn figure2_chart(drawing: &TreeDrawing, width: usize) -> TreeChart {
    let kept = (200, 225, 255);
    let mut chart = TreeChart::new(format!("Figure 2: beam search, width {width}"));
    for n in &drawing.nodes {
        chart = chart.node(n.parent, n.label.as_str(), n.edge_label.as_str());
    }
    for (i, n) in drawing.nodes.iter().enumerate() {
        if n.kept_at.is_some() {
            chart = chart.node_fill(i, kept);
        }
    }
    chart
        .legend("in the beam", kept)
        .path(
            "beam search's answer",
            drawing.returned_path.clone(),
            (240, 140, 40),
        )
        .path(
            "most likely sequence",
            drawing.best_path.clone(),
            (60, 170, 90),
        )
}

fn bench(
    args: &Args,
    mut json: Option<&mut super::JsonLines>,
    svg_dir: Option<&Path>,
    err: bool,
) -> anyhow::Result<()> {
    let base = (32, 4, 256);
    let (ts, ks, ms) = (
        [8usize, 16, 32, 64, 128],
        [1usize, 2, 4, 8, 16],
        [16usize, 64, 256, 1024, 4096],
    );
    say!(
        err,
        "\nbeam search work (stand-in model: hashed log-probs), base T = {}, k = {}, M = {}:",
        base.0,
        base.1,
        base.2
    );
    let sweeps = measure_beam_complexity(base, &ts, &ks, &ms, args.seed)?;
    say!(
        err,
        "{:>3} {:>6} {:>4} {:>6} {:>10} {:>12} {:>14} {:>10} {:>10}",
        "var",
        "T",
        "k",
        "M",
        "steps",
        "comparisons",
        "T k M log2 M",
        "cmp/pred",
        "seconds"
    );
    for sw in &sweeps {
        print_sweep(sw, json.as_deref_mut(), err)?;
    }
    if let Some(dir) = svg_dir {
        super::save_svg(work_chart(&sweeps).render()?, dir, "beam_work.svg", err)?;
    }
    Ok(())
}

/// One sweep's table lines and slopes, and their JSON lines.
fn print_sweep(
    sw: &ComplexitySweep,
    mut json: Option<&mut super::JsonLines>,
    err: bool,
) -> anyhow::Result<()> {
    for p in &sw.points {
        say!(
            err,
            "{:>3} {:>6} {:>4} {:>6} {:>10} {:>12} {:>14.0} {:>10.3} {:>10.2e}",
            sw.varied,
            p.t,
            p.k,
            p.m,
            p.step_calls,
            p.comparisons,
            p.predicted,
            p.comparisons as f64 / p.predicted_comparisons,
            p.seconds
        );
        if let Some(out) = json.as_deref_mut() {
            out.write(&json!({"kind": "beam_work", "varied": sw.varied, "point": p}))?;
        }
    }
    say!(
        err,
        "    log-log slope against {}: comparisons {:.2}, step calls {:.2}, T k M log2 M {:.2}",
        sw.varied,
        sw.comparisons_slope,
        sw.step_calls_slope,
        sw.predicted_slope
    );
    if let Some(out) = json {
        out.write(&json!({
            "kind": "beam_work_slope",
            "varied": sw.varied,
            "comparisons_slope": sw.comparisons_slope,
            "step_calls_slope": sw.step_calls_slope,
            "predicted_slope": sw.predicted_slope,
        }))?;
    }
    Ok(())
}

fn work_chart(sweeps: &[ComplexitySweep]) -> ScatterChart {
    let mut chart = ScatterChart::new("beam search comparisons / (T k M log2 M)")
        .x_label("varied value (others at base)")
        .y_label("ratio")
        .log_x(true);
    for (i, sw) in sweeps.iter().enumerate() {
        let x = |p: &ComplexityPoint| match sw.varied {
            "T" => p.t as f64,
            "k" => p.k as f64,
            _ => p.m as f64,
        };
        chart = chart.points(
            Points::new(
                format!("vary {}", sw.varied),
                sw.points.iter().map(x).collect(),
                sw.points
                    .iter()
                    .map(|p| p.comparisons as f64 / p.predicted)
                    .collect(),
            )
            .line(true)
            .color_index(i),
        );
    }
    chart
}

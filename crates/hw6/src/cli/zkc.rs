//! `hw6 zkc`: the q_zkc notebook without Jupyter. Loads the karate club,
//! finds the two classes by greedy modularity, checks the hand-written
//! gradients numerically, trains the GCN (34 -> [16, 2] -> 2) with early
//! stopping, and reports test accuracy, epochs and losses.

use std::path::Path;
use std::time::Instant;

use anyhow::Context;
use hw6_graph::prelude::*;
use hw6_viz::{LineChart, NetworkChart, NetworkFrames, Series};
use serde_json::json;

/// Which adjacency the GCN propagates over.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Weights {
    /// Zachary's interaction counts (what the original's A holds).
    Weighted,
    /// 1 for every tie (the GCN paper's A).
    Binary,
}

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Seed of the weight initialisation.
    #[arg(long, default_value_t = ZKC_DEFAULT_SEED)]
    pub seed: u64,
    /// Adjacency: Zachary's counts or binary.
    #[arg(long, value_enum, default_value_t = Weights::Weighted)]
    pub weights: Weights,
    /// Upper bound on the number of epochs.
    #[arg(long, default_value_t = 20_000)]
    pub max_epochs: usize,
    /// Stop when the test loss has not improved for more than this many epochs.
    #[arg(long, default_value_t = 50)]
    pub patience: usize,
    /// Epochs before early stopping watches the test loss (0: the original's rule).
    #[arg(long, default_value_t = DEFAULT_WARMUP)]
    pub warmup: usize,
    /// Learning rate.
    #[arg(long, default_value_t = 2e-2)]
    pub lr: f64,
    /// Weight decay.
    #[arg(long, default_value_t = 2.5e-2)]
    pub weight_decay: f64,
    /// GCN layer sizes, comma-separated; the last is the embedding's dimension.
    #[arg(long, value_delimiter = ',', default_value = "16,2")]
    pub hidden: Vec<usize>,
    /// Print a progress line every this many epochs (0: none).
    #[arg(long, default_value_t = 100)]
    pub log_every: usize,
}

impl From<Weights> for EdgeWeights {
    fn from(w: Weights) -> Self {
        match w {
            Weights::Weighted => EdgeWeights::Weighted,
            Weights::Binary => EdgeWeights::Binary,
        }
    }
}

pub fn run(args: &Args, common: &super::Common) -> anyhow::Result<()> {
    let mut json_out = common.json_writer()?;
    let svg_dir = common.svg_dir()?;
    let club = load_karate(common.data_dir.as_deref())?;
    let data = KarateData::new(club, args.weights.into())?;
    let q = describe_club(&data)?;
    let (small_report, full_report) = gradient_checks(args, &data)?;

    let start = Instant::now();
    let run = zkc_config(args).run(&data)?;
    let seconds = start.elapsed().as_secs_f64();
    let (train_loss, test_loss, accuracy) = run.history.last().context("training ran no epoch")?;
    let epochs = run.history.epochs();
    let stopped_early = epochs < args.max_epochs;
    say!(
        false,
        "{} after {epochs} epochs ({seconds:.2} s): train loss {train_loss:.4}, test loss {test_loss:.4}, test accuracy {accuracy:.3}",
        if stopped_early {
            "early stopping"
        } else {
            "max_epochs reached"
        }
    );
    describe_test_nodes(&data, &run.history)?;

    if let Some(w) = json_out.as_mut() {
        w.write(&json!({
            "command": "zkc",
            "seed": args.seed,
            "weights": format!("{:?}", args.weights).to_lowercase(),
            "hidden": args.hidden,
            "lr": args.lr,
            "weight_decay": args.weight_decay,
            "patience": args.patience,
            "warmup": args.warmup,
            "max_epochs": args.max_epochs,
            "test_accuracy": accuracy,
            "epochs": epochs,
            "stopped_at_epoch": epochs - 1,
            "stopped_early": stopped_early,
            "final_train_loss": train_loss,
            "final_test_loss": test_loss,
            "seconds": seconds,
            "modularity": q,
            "communities": data.communities,
            "class_0": data.classes.nodes_of(0),
            "class_1": data.classes.nodes_of(1),
            "test_nodes": data.task.test_nodes,
            "gradient_check_original": small_report,
            "gradient_check_training_network": full_report,
        }))?;
    }
    if let Some(dir) = svg_dir {
        write_charts(dir, &data, &run, args.seed)?;
    }
    Ok(())
}

/// The training settings the arguments ask for.
fn zkc_config(args: &Args) -> ZkcConfig {
    ZkcConfig {
        seed: args.seed,
        hidden: args.hidden.clone(),
        lr: args.lr,
        weight_decay: args.weight_decay,
        train: GcnTrainConfig {
            max_epochs: args.max_epochs,
            patience: args.patience,
            warmup: args.warmup,
            log_every: args.log_every,
        },
    }
}

/// Prints the club, its communities, classes and split; returns the
/// modularity Q of the communities.
fn describe_club(data: &KarateData) -> anyhow::Result<f64> {
    say!(
        false,
        "karate club: {} members, {} ties; Mr. Hi's club {} members, Officer's {}",
        data.graph.num_nodes(),
        data.graph.num_edges(),
        data.club.members_of(Club::MrHi).len(),
        data.club.members_of(Club::Officer).len()
    );
    let q = modularity(&data.graph, &data.communities)?;
    say!(
        false,
        "greedy modularity: {} communities, Q = {q:.4}",
        data.communities.len()
    );
    for (i, c) in data.communities.iter().enumerate() {
        say!(false, "  community {i}: {c:?}");
    }
    say!(
        false,
        "classes (community 2 merged into 1): class 0 {:?}",
        data.classes.nodes_of(0)
    );
    say!(
        false,
        "                                      class 1 {:?}",
        data.classes.nodes_of(1)
    );
    say!(
        false,
        "test nodes {:?}, {} training nodes",
        data.task.test_nodes,
        data.task.train_nodes.len()
    );
    Ok(q)
}

/// The original's gradient test (34 -> 2 GCN layer, softmax 2 -> 2, weight
/// decay 1, every node), then the training network's own parameters; both
/// printed, and both must pass.
fn gradient_checks(
    args: &Args,
    data: &KarateData,
) -> anyhow::Result<(GradientReport, GradientReport)> {
    let t = &data.task;
    let n = data.graph.num_nodes();
    let mut rng = ChaCha8Rng::seed_from_u64(args.seed);
    let small = GcnNetwork::new(n, 2, &[2], &mut rng)?;
    let small_report = check_gradients(&small, &t.a_hat, &t.x, &t.labels, None, 1.0)?;
    let mut rng = ChaCha8Rng::seed_from_u64(args.seed);
    let full = GcnNetwork::new(n, t.labels.ncols(), &args.hidden, &mut rng)?;
    let full_report = check_gradients(
        &full,
        &t.a_hat,
        &t.x,
        &t.labels,
        Some(&t.train_nodes),
        args.weight_decay,
    )?;
    say!(
        false,
        "gradient check, the original's test network (34 -> 2 -> softmax 2, weight decay 1):"
    );
    say_part!(false, "{small_report}");
    say!(
        false,
        "gradient check, the training network ({n} -> {:?} -> softmax):",
        args.hidden
    );
    say_part!(false, "{full_report}");
    Ok((
        small_report.require_passed()?,
        full_report.require_passed()?,
    ))
}

/// One line per test node: club, class, P(class 1) and the embedding.
fn describe_test_nodes(data: &KarateData, h: &GcnHistory) -> anyhow::Result<()> {
    let pred = h.predictions.last().context("no prediction recorded")?;
    let emb = h.embeddings.last().context("no embedding recorded")?;
    say!(
        false,
        "test nodes: node, club, class, P(class 1), embedding"
    );
    for &i in &data.task.test_nodes {
        say!(
            false,
            "  {i:>2}  {:<8} {}  {:.3}  ({:+.3}, {:+.3})",
            data.club.members[i].club.label(),
            data.classes.class_of[i],
            pred[(i, 1)],
            emb[(i, 0)],
            emb[(i, emb.ncols().min(2) - 1)]
        );
    }
    Ok(())
}

fn write_charts(dir: &Path, data: &KarateData, run: &ZkcRun, seed: u64) -> anyhow::Result<()> {
    let edges = data.graph.edge_pairs();
    let classes = data.classes.class_of.clone();
    let layout = SpringLayout::seeded(seed).positions(&data.graph)?;
    NetworkChart::new(
        "Zachary's karate club (colour = modularity class)",
        layout,
        edges.clone(),
    )
    .classes(classes.clone())
    .labels(true)
    .render()?
    .save(dir.join("zkc_graph.svg"))?;
    let h = &run.history;
    let xs: Vec<f64> = (0..h.epochs()).map(|e| e as f64).collect();
    let log10 = |v: &[f64]| v.iter().map(|x| x.log10()).collect::<Vec<_>>();
    LineChart::new("log10 cross-entropy")
        .x_label("epoch")
        .y_label("log10 loss")
        .series(Series::new("train", xs.clone(), log10(&h.train_losses)).color_index(0))
        .series(
            Series::new("test", xs.clone(), log10(&h.test_losses))
                .color_index(1)
                .dashed(true),
        )
        .render()?
        .save(dir.join("zkc_losses.svg"))?;
    LineChart::new("test accuracy")
        .x_label("epoch")
        .y_label("accuracy")
        .series(Series::new("test", xs, h.accuracies.clone()).color_index(0))
        .render()?
        .save(dir.join("zkc_accuracy.svg"))?;
    let points = |m: &DMatrix<f64>| {
        (0..m.nrows())
            .map(|i| (m[(i, 0)], m[(i, m.ncols() - 1)]))
            .collect::<Vec<_>>()
    };
    if let Some(last) = h.embeddings.last() {
        NetworkChart::new("learned 2-d embedding", points(last), edges.clone())
            .classes(classes.clone())
            .labels(true)
            .axes(true)
            .render()?
            .save(dir.join("zkc_embedding.svg"))?;
    }
    let frames = embedding_frames(h, 8);
    let mut grid = NetworkFrames::new("the embedding during training", edges).classes(classes);
    for e in frames {
        grid = grid.frame(format!("epoch {e}"), points(&h.embeddings[e]));
    }
    grid.render_grid()?
        .save(dir.join("zkc_embedding_frames.svg"))?;
    grid.render_animation(0.6)?
        .save(dir.join("zkc_embedding_animation.svg"))?;
    say!(false, "charts written to {}", dir.display());
    Ok(())
}

/// `count` epochs spread over the run, first and last included.
fn embedding_frames(h: &GcnHistory, count: usize) -> Vec<usize> {
    let last = h.epochs().saturating_sub(1);
    let mut out: Vec<usize> = (0..count).map(|k| k * last / (count - 1).max(1)).collect();
    out.dedup();
    out
}

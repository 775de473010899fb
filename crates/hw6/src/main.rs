//! `hw6`: the homework's experiments without Jupyter. See `hw6 --help`.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod cli;

/// EECS 182 homework 6 in Rust: datasets, autoencoders, a graph network on
/// the karate club, attention and beam search.
#[derive(Parser, Debug)]
#[command(name = "hw6", version, about, long_about = None)]
struct Cli {
    #[command(flatten)]
    common: cli::Common,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// List the datasets found (or `hw6 data fetch mnist`).
    Data(cli::data::Args),
    /// Train autoencoders and score them with a linear probe.
    Ae(cli::ae::Args),
    /// Train the graph convolutional network on Zachary's karate club.
    Zkc(cli::zkc::Args),
    /// Time softmax against linear attention as the sequence grows.
    Attention(cli::attention::Args),
    /// The homework's beam search example, and step counts.
    Beam(cli::beam::Args),
    /// The checks' expected values as JSON, for a student release.
    Fixtures(cli::fixtures::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Data(args) => cli::data::run(args, &cli.common),
        Command::Ae(args) => cli::ae::run(args, &cli.common),
        Command::Zkc(args) => cli::zkc::run(args, &cli.common),
        Command::Attention(args) => cli::attention::run(args, &cli.common),
        Command::Beam(args) => cli::beam::run(args, &cli.common),
        Command::Fixtures(args) => cli::fixtures::run(args, &cli.common),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // The reader of our output went away (`hw6 data | head`): stop
        // quietly, as other command-line tools do.
        Err(err) if cli::is_closed_stdout(&err) => ExitCode::SUCCESS,
        Err(err) => {
            // One line: the error and its causes, no backtrace.
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}

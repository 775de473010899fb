//! EECS 182 homework 6 in Rust.
//!
//! The story of the homework, crate by crate:
//! [`datasets`] (synthetic Gaussian data, MNIST, the karate club) feed
//! [`models`] (autoencoders, linear probes, PCA), [`graph`] (a graph
//! convolutional network with hand-written backward passes), [`attention`]
//! (softmax, kernel and linear attention) and [`decoding`] (beam search);
//! [`viz`] draws what they produce.
//!
//! Notebooks start with
//!
//! ```text
//! :dep hw6 = { path = "../crates/hw6", default-features = false }
//! use hw6::prelude::*;
//! hw6::init()?;
//! ```
//!
//! (`init` checks the data folder and prints what the kernel uses; calling it
//! with `?` early also switches on `?` in evcxr before any cell's last
//! expression needs it.)

pub use candle_core as candle;
pub use hw6_attention as attention;
pub use hw6_datasets as datasets;
pub use hw6_decoding as decoding;
pub use hw6_graph as graph;
pub use hw6_linalg as linalg;
pub use hw6_models as models;
pub use hw6_viz as viz;
pub use polars;

pub mod prelude;
pub mod session;
pub mod versions;

pub use session::init;

//! Datasets for hw6: synthetic Gaussian data, MNIST / Fashion-MNIST read from
//! IDX files (full download or the bundled sample), Zachary's karate club, and
//! batching.

pub mod batching;
pub mod error;
pub mod fetch;
pub mod idx;
pub mod karate;
pub mod locate;
pub mod mnist;
pub mod split;
pub mod synthetic;

//! meeting-core integration tests: one binary.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod accounting;
mod bad_input;
mod chunks;
mod common;
mod dump;
mod fastpath;
mod fixtures;
mod merge;
mod props;
mod rules;
mod schema;

//! The quanshi-model integration tests: one binary, one module per concern.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
mod errors;
mod props;
mod quirks;
mod requests;
mod robustness;
mod roundtrip;
mod samples;
mod secrets;
mod views;

//! meeting-store's integration tests: one binary, modules by subject.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;
mod import;
mod maintenance;
mod open;
mod order;
mod query;
mod sync;

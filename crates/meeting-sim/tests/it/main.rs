//! Integration tests of the simulator, over real HTTP with plain reqwest.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod accounting;
mod common;
mod determinism;
mod dump;
mod faults;
mod golden;
mod log;
mod quanshi;
mod systec;

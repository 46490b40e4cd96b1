//! End-to-end tests of the `meeting` binary: fixtures (snapshots), the simulator (every
//! command and format), replay, bad input, secrets, configuration.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod accounting;
mod archive;
mod common;
mod config;
mod daily;
mod everyday;
mod exit_codes;
mod export;
mod fixtures;
mod golden;
mod live;
mod offline;
mod operator;
mod replay;
mod report;
mod saveraw;
mod secrets;
mod structure;
mod summary_stats;
mod sync;
mod temps;

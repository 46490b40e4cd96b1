//! meeting-store's integration tests: one binary, modules by subject.

mod common;
mod import;
mod maintenance;
mod open;
mod order;
mod query;

//! meeting-sync's jobs: the network jobs against the simulator, over real HTTP on loopback
//! (feature `live`), and the offline jobs over the fixtures.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[cfg(feature = "live")]
mod fetch;
mod offline;
#[cfg(feature = "live")]
mod sync;

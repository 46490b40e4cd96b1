//! Quanshi (全时): reservations by join link and dashboard conferences by temporary id.
//! [`data`] generates them; [`answer`] reads requests and builds the envelopes.

pub(crate) mod answer;
pub(crate) mod cases;
pub(crate) mod data;

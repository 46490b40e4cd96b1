//! Tests that what is computed does not depend on the order of its input.

use proptest::strategy::{Just, Strategy};

/// Rows as generated, beside the same rows shuffled.
pub(crate) fn both_orders<T: Clone + std::fmt::Debug>(
    rows: impl Strategy<Value = Vec<T>>,
) -> impl Strategy<Value = (Vec<T>, Vec<T>)> {
    rows.prop_flat_map(|rows| (Just(rows.clone()), Just(rows).prop_shuffle()))
}

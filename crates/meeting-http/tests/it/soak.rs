//! The short fault soak (the long one: `cargo xtask soak`).

#[path = "../support/soak.rs"]
#[allow(dead_code, clippy::cast_possible_truncation)]
mod common;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn short_fault_soak_loses_nothing() {
    let mut report = common::SoakReport::default();
    for seed in 1..=4 {
        common::run_once(seed * 7919, 400, 0.10, &mut report).await;
    }
    println!("{report}");
    assert!(
        report.failures.is_empty(),
        "{report}\n{}",
        report.failures.join("\n")
    );
    assert_eq!(report.records_lost, 0);
    assert!(
        report.faults > 0 && report.records_compared > 500,
        "{report}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn half_the_answers_failing_keeps_everything_received() {
    let mut report = common::SoakReport::default();
    for seed in 1..=3 {
        common::run_partial(seed * 104_729, 400, 0.05, &mut report).await;
    }
    println!("{report}");
    assert!(
        report.failures.is_empty(),
        "{report}\n{}",
        report.failures.join("\n")
    );
    assert_eq!(report.records_lost, 0);
    // Faults were injected, windows or batches failed, and records were kept from them.
    assert!(
        report.faults > 0 && report.partial_units > 0 && report.records_kept_under_failure > 0,
        "{report}"
    );
}

//! The request log: bounded by a cap (oldest dropped and counted), clearable, `seq` counting
//! every request.

use crate::common::*;
use meeting_sim::{Sim, Source};

#[tokio::test]
async fn the_log_keeps_the_newest_records_and_counts_the_dropped() {
    let sim = Sim::start(config(20).with_request_log_cap(3))
        .await
        .unwrap();
    for day in [
        "2024-01-01",
        "2024-01-02",
        "2024-01-03",
        "2024-01-04",
        "2024-01-05",
    ] {
        systec(&sim, "hisMeeting", &[("from", day), ("to", day)]).await;
    }
    let log = sim.requests();
    let seqs: Vec<u64> = log.iter().map(|r| r.seq).collect();
    assert_eq!(seqs, [2, 3, 4]);
    assert!(log.iter().all(|r| r.endpoint == Source::SystecHisMeeting));
    assert_eq!(
        log[0].params[0],
        ("from".to_owned(), "2024-01-03".to_owned())
    );
    assert_eq!((sim.requests_dropped(), sim.requests_answered()), (2, 5));

    sim.clear_requests();
    assert!(sim.requests().is_empty());
    systec(&sim, "detail", &[]).await;
    let log = sim.requests();
    assert_eq!(log.len(), 1);
    assert_eq!((log[0].seq, log[0].endpoint), (5, Source::SystecDetail));
    assert_eq!((sim.requests_dropped(), sim.requests_answered()), (2, 6));
    sim.shutdown().await;
}

#[tokio::test]
async fn a_cap_of_zero_keeps_nothing_and_serves_normally() {
    let sim = Sim::start(config(20).with_request_log_cap(0))
        .await
        .unwrap();
    let body = systec(
        &sim,
        "detail",
        &[("from", "2024-01-01"), ("to", "2024-01-31")],
    )
    .await;
    assert_eq!(json(&body)["status"], 200);
    assert!(sim.requests().is_empty());
    assert_eq!((sim.requests_dropped(), sim.requests_answered()), (1, 1));
    sim.shutdown().await;
}

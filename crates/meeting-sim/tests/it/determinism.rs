//! Same seed and configuration: byte-identical responses.

use crate::common::*;
use serde_json::json;

async fn transcript(seed: u64) -> Vec<bytes::Bytes> {
    let mut config = config(300);
    config.data.seed = seed;
    let sim = meeting_sim::Sim::start(config).await.unwrap();
    let mut out = Vec::new();
    out.push(
        systec(
            &sim,
            "detail",
            &[
                ("from", "2024-01-01"),
                ("to", "2024-01-31"),
                ("show_participants", "true"),
                ("show_telephony_usage", "true"),
                ("page_size", "50"),
            ],
        )
        .await,
    );
    out.push(
        systec(
            &sim,
            "hisMeeting",
            &[("from", "2024-02-01"), ("to", "2024-02-29")],
        )
        .await,
    );
    let uuids: Vec<String> = sim
        .truth()
        .uuids()
        .iter()
        .take(30)
        .map(|u| u.to_string())
        .collect();
    out.push(systec(&sim, "reports", &[("uuid", &uuids.join(","))]).await);
    let url = sim.truth().quanshi_join_urls()[0].clone();
    let path = sim.quanshi_conference_path().to_owned();
    out.push(
        quanshi(
            &sim,
            &path,
            json!({"attendeeJoinUrl": url}),
            Some(sim.token()),
        )
        .await
        .1,
    );
    let id = sim.truth().dashboard_ids()[0].clone();
    out.push(
        quanshi(
            &sim,
            meeting_sim::QUANSHI_DASHBOARD_PATH,
            json!({"tempConferenceId": id}),
            Some(sim.token()),
        )
        .await
        .1,
    );
    sim.shutdown().await;
    out
}

#[tokio::test]
async fn same_seed_same_bytes() {
    let a = transcript(7).await;
    let b = transcript(7).await;
    assert_eq!(a, b);
    let c = transcript(8).await;
    assert_ne!(a[0], c[0]);
}

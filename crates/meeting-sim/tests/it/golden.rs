//! Byte-for-byte stability: what the simulator serves for the default data of seed 7, and
//! what `gen` writes, hashed (FNV-1a 64) and compared with the figures recorded before the
//! module restructuring. A change here changes what other crates' snapshots see: it must be
//! deliberate (and the other crates' snapshots reviewed).

use crate::common::*;
use meeting_sim::dump::{DumpEndpoint, write_dump};
use serde_json::json;

struct Fnv(u64, u64);

impl Fnv {
    fn new() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325, 0)
    }
    fn add(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
        self.1 += bytes.len() as u64;
        // A separator, so the split between bodies counts too.
        self.0 ^= 0xff;
        self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
    }
}

#[tokio::test]
async fn served_bytes_are_unchanged() {
    let mut config = meeting_sim::SimConfig::new(7, 500);
    config.today = Some(date("2024-02-15"));
    let sim = meeting_sim::Sim::start(config).await.unwrap();
    let mut h = Fnv::new();
    for (from, to) in [
        ("2024-01-01", "2024-01-31"),
        ("2024-2-1", "2024-02-29"),
        ("2024-03-01", "2024-03-31"),
        ("2024-01-15", "2024-03-10"),
    ] {
        let full = [
            ("from", from),
            ("to", to),
            ("show_participants", "true"),
            ("show_telephony_usage", "1"),
            ("page_size", "1000"),
        ];
        h.add(&systec(&sim, "detail", &full).await);
        h.add(
            &systec(
                &sim,
                "detail",
                &[("from", from), ("to", to), ("page_number", "2")],
            )
            .await,
        );
        h.add(&systec(&sim, "hisMeeting", &[("from", from), ("to", to)]).await);
    }
    h.add(&systec(&sim, "detail", &[]).await);
    h.add(&systec(&sim, "detail", &[("from", "nope")]).await);
    let room = sim.truth().rooms()[2].host_id.clone();
    h.add(
        &systec(
            &sim,
            "detail",
            &[
                ("host_id", &room),
                ("from", "2024-02-01"),
                ("to", "2024-02-29"),
            ],
        )
        .await,
    );
    let uuids: Vec<String> = sim.truth().uuids().iter().map(|u| u.to_string()).collect();
    for chunk in uuids.chunks(30) {
        h.add(&systec(&sim, "reports", &[("uuid", &chunk.join(","))]).await);
    }
    let path = sim.quanshi_conference_path().to_owned();
    for url in sim.truth().quanshi_join_urls() {
        let body = json!({"attendeeJoinUrl": url});
        h.add(&quanshi(&sim, &path, body, Some(sim.token())).await.1);
    }
    for id in sim.truth().dashboard_ids() {
        let body = json!({"tempConferenceId": id});
        let path = meeting_sim::QUANSHI_DASHBOARD_PATH;
        h.add(&quanshi(&sim, path, body, Some(sim.token())).await.1);
    }
    let body = json!({"tempConferenceId": "0"});
    h.add(
        &quanshi(
            &sim,
            meeting_sim::QUANSHI_DASHBOARD_PATH,
            body,
            Some(sim.token()),
        )
        .await
        .1,
    );
    h.add(&quanshi(&sim, &path, json!({"x": 1}), Some("wrong")).await.1);
    sim.shutdown().await;
    assert_eq!(
        (h.0, h.1),
        // Money is no longer written through f64: a whole amount is `1`, not `1.0` (3 in
        // the served bodies, 2 in the dumps), the only change since the restructuring.
        (12_627_517_428_710_298_418, 3_554_116),
        "served bytes changed"
    );
}

#[test]
fn dump_bytes_are_unchanged() {
    let mut h = Fnv::new();
    for endpoint in DumpEndpoint::ALL {
        let mut out = Vec::new();
        write_dump(endpoint, 400_000, 11, &mut out).unwrap();
        h.add(&out);
    }
    assert_eq!(
        (h.0, h.1),
        (580_049_038_678_665_282, 2_205_279),
        "dump bytes changed"
    );
}

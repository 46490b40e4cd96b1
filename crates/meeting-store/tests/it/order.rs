//! Loading A then B equals B then A: random splits and orders of real simulator data.

use std::sync::OnceLock;

use meeting_core::Meeting;
use meeting_store::{Archive, Observation, Writer};
use proptest::prelude::*;

use crate::common::*;

/// Simulator records, each observed twice at different times (a later fetch of the same
/// record; and a few later fetches with a corrected topic), so newest-wins is exercised.
fn observations() -> &'static Vec<Observation> {
    static DATA: OnceLock<Vec<Observation>> = OnceLock::new();
    DATA.get_or_init(|| {
        let records = sim_all(120_000, 5);
        let mut out = observe(&records, "acme", 0);
        let later: Vec<Meeting> = records
            .iter()
            .enumerate()
            .map(|(i, m)| {
                let mut m = m.clone();
                if i % 7 == 0 {
                    m.topic = Some(format!("corrected {i}"));
                }
                m
            })
            .collect();
        out.extend(observe(&later, "acme-2", 1_000_000));
        // Same fetch time, different records: the tie is broken by the record's bytes.
        out.extend(
            observe(&records[..10.min(records.len())], "acme", 0)
                .into_iter()
                .map(|mut o| {
                    o.meeting.warnings.push("tie".into());
                    o
                }),
        );
        out
    })
}

fn archive_of(batches: &[Vec<Observation>]) -> (Vec<Meeting>, Vec<Meeting>) {
    let (_dir, path) = temp_archive();
    let writer = Writer::open(&path).unwrap();
    for batch in batches {
        writer.load(batch.clone()).unwrap();
    }
    writer.close().unwrap();
    let archive = Archive::open_read_only(&path).unwrap();
    assert_eq!(archive.check().unwrap(), []);
    (all_meetings(&path), archive.stubs().unwrap())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, .. ProptestConfig::default() })]

    #[test]
    fn any_split_and_order_gives_the_same_archive(
        assignment in proptest::collection::vec(0usize..3, 1..4000),
        order in Just(()).prop_perturb(|_, mut rng| {
            let mut v: Vec<usize> = (0..3).collect();
            for i in (1..v.len()).rev() {
                let j = (rng.next_u32() as usize) % (i + 1);
                v.swap(i, j);
            }
            v
        }),
    ) {
        let all = observations();
        let mut parts: Vec<Vec<Observation>> = vec![Vec::new(); 3];
        for (i, o) in all.iter().enumerate() {
            let part = assignment.get(i % assignment.len()).copied().unwrap_or(0);
            parts[part].push(o.clone());
        }
        let reference = archive_of(std::slice::from_ref(all));
        let shuffled: Vec<Vec<Observation>> = order.iter().map(|&i| parts[i].clone()).collect();
        let reversed: Vec<Vec<Observation>> = shuffled.iter().rev().cloned().collect();
        prop_assert!(archive_of(&shuffled) == reference);
        prop_assert!(archive_of(&reversed) == reference);
    }
}

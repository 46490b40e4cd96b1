//! The Systec accounting cases (opt-in, [`crate::DataConfig::accounting_cases`]): fixed
//! meetings whose figures are known by hand, so the ground truth can be checked against them.
//!
//! All start on the data range's first day (local times in the vendor zone), in rooms 1–6
//! (modulo the number of rooms):
//!
//! | case | room | listed by | times (local) | participants | calls |
//! |---|---|---|---|---|---|
//! | one participant (stub) | 1 | all | 10:00–10:30:30 | 1 | — |
//! | no participant (stub) | 2 | all | 11:00–11:05 | 0 | — |
//! | live (stub) | 3 | `detail`, `reports` | 12:00– | 3 | — |
//! | `detail` only | 4 | `detail` | 13:00–14:00 | 2 | out 13:10:00–13:12:30 |
//! | its room's name known | 4 | all | 15:00–15:45:10 | 2 | — |
//! | rejoining | 5 | all | 16:00–17:00 | 5 rows, 3 persons | in 16:01–16:11, out 16:30:00–16:30:20 |
//! | stub matching nothing | 6 | `reports` (stub) | 10:00–10:10 | 1 | — |

use chrono::{DateTime, NaiveTime, Utc};
use chrono_tz::Tz;
use rust_decimal::Decimal;

use crate::rng::{SplitMix64, mix};
use crate::systec::data::{Call, Listing, Occurrence, Person, SystecData, random_uuid};

/// The meeting number of the stub that matches nothing: 9 digits, outside the generated
/// 10-digit numbers.
pub(crate) const UNMATCHED_STUB_NUMBER: u64 = 999_000_001;

/// Adds the cases to `data`.
pub(crate) fn add(data: &mut SystecData, seed: u64, zone: &Tz) {
    let mut rng = SplitMix64::new(mix(seed, 0xACC0_0001));
    let day = data.generator.first_day();
    let rooms = data.rooms.len().max(1);
    let at = |h: u32, m: u32, s: u32| -> DateTime<Utc> {
        let time = NaiveTime::from_hms_opt(h, m, s).unwrap_or(NaiveTime::MIN);
        systec_model::resolve_local(day.and_time(time), zone).earliest()
    };
    let person = |rng: &mut SplitMix64, user_id: u64, name: &str, join, leave| Person {
        id: format!("case-{user_id}"),
        user_id,
        name: name.to_owned(),
        device: "Windows",
        ip: [116, 1, 2, u8::try_from(user_id % 250).unwrap_or(1) + 1],
        city: "Shanghai",
        network: if rng.chance(0.5) { "Wired" } else { "Wifi" },
        join,
        leave,
    };
    let call = |number: &str, call_in: bool, start, end| Call {
        number: number.to_owned(),
        call_in,
        start,
        end,
        rate: if call_in {
            Decimal::new(4, 2)
        } else {
            Decimal::new(6, 2)
        },
    };
    let mut cases = Vec::new();
    let meeting = |rng: &mut SplitMix64,
                   k: usize,
                   topic: &str,
                   start: DateTime<Utc>,
                   end: Option<DateTime<Utc>>,
                   listing: Listing| Occurrence {
        uuid: random_uuid(rng),
        number: if listing == Listing::ReportsOnly {
            UNMATCHED_STUB_NUMBER
        } else {
            1_999_000_000 + k as u64
        },
        room: k % rooms,
        topic: format!("核算 {topic}"),
        scheduled_minutes: 60,
        start,
        end,
        is_extra: false,
        has_video: true,
        has_screen_share: false,
        recording: false,
        participants: Vec::new(),
        calls: Vec::new(),
        listing,
    };

    let mut one = meeting(
        &mut rng,
        0,
        "one participant",
        at(10, 0, 0),
        Some(at(10, 30, 30)),
        Listing::All,
    );
    one.participants = vec![person(
        &mut rng,
        16_900_001,
        "张伟",
        at(10, 0, 0),
        Some(at(10, 30, 30)),
    )];
    cases.push(one);

    cases.push(meeting(
        &mut rng,
        1,
        "no participant",
        at(11, 0, 0),
        Some(at(11, 5, 0)),
        Listing::All,
    ));

    let mut live = meeting(&mut rng, 2, "live", at(12, 0, 0), None, Listing::All);
    live.participants = vec![
        person(&mut rng, 16_900_002, "李娜", at(12, 0, 0), None),
        person(
            &mut rng,
            16_900_003,
            "Alice Wang",
            at(12, 1, 0),
            Some(at(12, 20, 0)),
        ),
        person(&mut rng, 16_900_004, "周杰", at(12, 2, 0), None),
    ];
    cases.push(live);

    let mut detail_only = meeting(
        &mut rng,
        3,
        "detail only",
        at(13, 0, 0),
        Some(at(14, 0, 0)),
        Listing::DetailOnly,
    );
    detail_only.participants = vec![
        person(
            &mut rng,
            16_900_005,
            "陈静",
            at(13, 0, 0),
            Some(at(14, 0, 0)),
        ),
        person(
            &mut rng,
            16_900_006,
            "Bob Li",
            at(13, 5, 0),
            Some(at(13, 55, 0)),
        ),
    ];
    detail_only.calls = vec![call("+8613800000001", false, at(13, 10, 0), at(13, 12, 30))];
    cases.push(detail_only);

    let mut named = meeting(
        &mut rng,
        3,
        "room named",
        at(15, 0, 0),
        Some(at(15, 45, 10)),
        Listing::All,
    );
    named.participants = vec![
        person(
            &mut rng,
            16_900_007,
            "杨磊",
            at(15, 0, 0),
            Some(at(15, 45, 10)),
        ),
        person(
            &mut rng,
            16_900_008,
            "黄艳",
            at(15, 10, 0),
            Some(at(15, 40, 0)),
        ),
    ];
    cases.push(named);

    let mut rejoin = meeting(
        &mut rng,
        4,
        "rejoining",
        at(16, 0, 0),
        Some(at(17, 0, 0)),
        Listing::All,
    );
    rejoin.participants = vec![
        person(
            &mut rng,
            16_900_009,
            "王芳",
            at(16, 0, 0),
            Some(at(16, 20, 0)),
        ),
        person(
            &mut rng,
            16_900_010,
            "Bob Li",
            at(16, 5, 0),
            Some(at(16, 55, 0)),
        ),
        person(
            &mut rng,
            16_900_011,
            "李强",
            at(16, 10, 0),
            Some(at(16, 30, 0)),
        ),
        person(
            &mut rng,
            16_900_009,
            "王芳",
            at(16, 25, 0),
            Some(at(16, 40, 0)),
        ),
        person(
            &mut rng,
            16_900_009,
            "王芳",
            at(16, 45, 0),
            Some(at(17, 0, 0)),
        ),
    ];
    rejoin.calls = vec![
        call("+8613800000002", true, at(16, 1, 0), at(16, 11, 0)),
        call("+8613800000003", false, at(16, 30, 0), at(16, 30, 20)),
    ];
    cases.push(rejoin);

    let mut unmatched = meeting(
        &mut rng,
        5,
        "stub matching nothing",
        at(10, 0, 0),
        Some(at(10, 10, 0)),
        Listing::ReportsOnly,
    );
    unmatched.participants = vec![person(
        &mut rng,
        16_900_012,
        "刘洋",
        at(10, 0, 0),
        Some(at(10, 10, 0)),
    )];
    cases.push(unmatched);

    for occurrence in cases {
        data.insert(occurrence, &mut rng);
    }
}

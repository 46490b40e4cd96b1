//! Generates `detail` dumps from systec-model types (shared by the bench and the example).
#![allow(
    dead_code,
    clippy::cast_possible_wrap,
    clippy::cast_sign_loss,
    clippy::cast_possible_truncation
)]

use chrono::{Duration, NaiveDate};
use rust_decimal::Decimal;
use systec_model::{
    CallType, DetailMeeting, DetailPage, DetailParticipant, Envelope, Id, LocalTime, MeetingUuid,
    TelephonyUsage, Yuan,
};

/// `pages` JSON Lines of `detail` pages with `per_page` meetings each; every meeting has
/// five participants and two phone calls.
pub(crate) fn detail_dump(pages: usize, per_page: usize) -> Vec<u8> {
    let mut out = Vec::new();
    for p in 0..pages {
        write_page(&mut out, p, per_page);
    }
    out
}

/// Appends one page (one line) to `out`.
pub(crate) fn write_page(out: &mut Vec<u8>, p: usize, per_page: usize) {
    let base = NaiveDate::from_ymd_opt(2024, 1, 1)
        .unwrap_or_default()
        .and_hms_opt(8, 0, 0)
        .unwrap_or_default();
    let names = ["张三", "李四", "王五", "systec", "叶大红的 iPhone"];
    let meetings = (0..per_page)
        .map(|i| {
            let n = p * per_page + i;
            let start = base + Duration::minutes(n as i64 * 7);
            let t = |m: i64| Some(LocalTime::from(start + Duration::minutes(m)));
            DetailMeeting {
                uuid: Some(MeetingUuid::from(format!("uuid{n:08}+/w=="))),
                host_id: Some(format!("ROOM-{}", n % 17)),
                meeting_id: Some(Id::text(format!("{}", 1_790_000_000 + n % 1000))),
                topic: Some(format!("周会 {n}")),
                start_time: t(0),
                duration: Some(60),
                end_time: t(55),
                is_extra: Some(meeting_wire::Flag::Int(0)),
                participants: Some(
                    names
                        .iter()
                        .enumerate()
                        .map(|(k, name)| DetailParticipant {
                            name: Some((*name).to_owned()),
                            join_time: t(k as i64),
                            leave_time: t(40 + k as i64),
                            ..DetailParticipant::default()
                        })
                        .collect(),
                ),
                telephony_usage: Some(
                    (0..2)
                        .map(|k| TelephonyUsage {
                            phone_number: Some(format!("+86137168192{k:02}")),
                            call_type: Some(CallType::CallOut),
                            start_time: t(3),
                            end_time: t(5 + k),
                            duration: Some(2 + k as u64),
                            total: Yuan::from_decimal(Decimal::new(12 + 6 * k, 2)).ok(),
                            ..TelephonyUsage::default()
                        })
                        .collect(),
                ),
                ..DetailMeeting::default()
            }
        })
        .collect();
    let page = DetailPage {
        page_number: Some(p as u64 + 1),
        page_size: Some(per_page as u64),
        has_next_page: Some(false),
        meetings: Some(meetings),
        ..DetailPage::default()
    };
    let _ = serde_json::to_writer(&mut *out, &Envelope::ok(page));
    out.push(b'\n');
}

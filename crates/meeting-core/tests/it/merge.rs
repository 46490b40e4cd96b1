//! Merging: conflict rules, participant matching, order independence.

use crate::common::{detail, his, reports};
use meeting_core::merge::{Merger, merge};
use meeting_core::{Context, Meeting, Source, Status};

const UUID: &str = "xQi0Q/qxQr2iNGdamVfpGg==";

fn three() -> Vec<Meeting> {
    let r = reports(&format!(
        r#"{{"status":200,"message":"OK","data":[{{"uuid":"{UUID}","id":1571106323,"type":"Past Meeting","host":"7 ","email":"shareroom7@systec.com.cn","user_type":"Corp","start_time":"2018-05-08T02:32:34Z","end_time":"2018-05-08T02:37:38Z","duration":"6分钟","has_voip":true,"has_video":false,"participants_count":3,"participants":[
        {{"id":"a","user_id":"1","user_name":"systec","device":"Windows","join_time":"2018-05-08T02:32:34Z","leave_time":"2018-05-08T02:37:38Z"}},
        {{"id":"b","user_id":"2","user_name":"测试账号","device":"iOS","join_time":"2018-05-08T02:37:09Z"}}]}}]}}"#
    ));
    let d = detail(
        &format!(
            r#"{{"status":200,"message":"OK","data":{{"meetings":[{{"uuid":"{UUID}","host_id":"ROOM-7","meeting_id":"1571106323","topic":"周会","start_time":"2018-05-08 10:32:00","duration":30,"end_time":"2018-05-08 10:40:00","is_extra":0,
        "participants":[{{"name":"systec ","join_time":"2018-05-08 10:32:34","leave_time":"2018-05-08 10:37:38"}},
                        {{"name":"测试账号","join_time":"2018-05-08 10:37:09","leave_time":"2018-05-08 10:37:29"}},
                        {{"name":"访客","join_time":"2018-05-08 10:33:00","leave_time":"2018-05-08 10:34:00"}}],
        "telephony_usage":[{{"phone_number":"+86137","type":"call-out","start_time":"2018-05-08 10:33:00","end_time":"2018-05-08 10:35:00","duration":2,"total":0.12}}]}}]}}}}"#
        ),
        &Context::default(),
    );
    let h = his(&format!(
        r#"{{"status":200,"message":"OK","data":[{{"uuid":"{UUID}","id":1571106323,"host":"7","email":"shareroom7@systec.com.cn","start_time":"2018-05-08T02:32:34Z","end_time":"2018-05-08T02:37:38Z","duration":"6分钟","participants":4,"has_video":true,"recording":0,"extra_his":"x"}}]}}"#
    ));
    vec![r[0].clone(), d[0].clone(), h[0].clone()]
}

#[test]
fn three_sources_become_one_with_every_rule() {
    let merged = merge(three());
    assert_eq!(merged.len(), 1);
    let m = &merged[0];
    assert_eq!(m.key, format!("systec:{UUID}"));
    assert_eq!(
        m.sources,
        [
            Source::SystecDetail,
            Source::SystecHisMeeting,
            Source::SystecReports
        ]
    );
    assert_eq!(m.topic.as_deref(), Some("周会")); // detail only
    assert_eq!(m.host.as_ref().unwrap().name.as_deref(), Some("7")); // reports
    assert_eq!(
        m.host.as_ref().unwrap().account_type.as_deref(),
        Some("Corp")
    );
    let room = m.room.as_ref().unwrap();
    assert_eq!(room.id.as_deref(), Some("ROOM-7")); // detail's host_id
    assert_eq!(room.email.as_deref(), Some("shareroom7@systec.com.cn"));
    assert_eq!(m.status, Status::Ended);
    // start/end: reports' UTC instants win over detail's local ones.
    assert_eq!(m.start.unwrap().to_rfc3339(), "2018-05-08T02:32:34+00:00");
    assert_eq!(m.end.unwrap().to_rfc3339(), "2018-05-08T02:37:38+00:00");
    assert_eq!(m.duration_seconds, Some(304));
    assert_eq!(m.scheduled_duration_seconds, Some(1800)); // detail
    assert_eq!(m.billed_minutes, Some(6));
    assert_eq!(m.participant_count, Some(4)); // max(3, 4)
    // Participants: reports' two, matched with detail's (name trimmed, join to the second),
    // plus detail's unmatched guest.
    assert_eq!(m.participants.len(), 3);
    assert_eq!(m.participants[0].device.as_deref(), Some("Windows"));
    assert_eq!(m.participants[1].name.as_deref(), Some("测试账号"));
    assert_eq!(
        m.participants[1].leave.unwrap().to_rfc3339(),
        "2018-05-08T02:37:29+00:00"
    ); // filled from detail
    assert_eq!(m.participants[1].duration_seconds, Some(20));
    assert_eq!(m.participants[2].name.as_deref(), Some("访客"));
    assert_eq!(m.phone_calls.len(), 1); // detail
    assert_eq!(m.features.voip, Some(true));
    assert_eq!(m.features.video, Some(true)); // any source saying true
    assert_eq!(m.warnings, ["participants truncated: 2 of 3 listed"]);
    assert_eq!(m.vendor_extra[&Source::SystecDetail]["is_extra"], 0);
    assert_eq!(m.vendor_extra[&Source::SystecHisMeeting]["extra_his"], "x");
    assert_eq!(
        m.vendor_extra[&Source::SystecReports]["type"],
        "Past Meeting"
    );
}

#[test]
fn merge_is_independent_of_input_order() {
    let input = three();
    let reference = merge(input.clone());
    let orders = [
        [0, 1, 2],
        [0, 2, 1],
        [1, 0, 2],
        [1, 2, 0],
        [2, 0, 1],
        [2, 1, 0],
    ];
    for order in orders {
        let permuted: Vec<Meeting> = order.iter().map(|&i| input[i].clone()).collect();
        assert_eq!(merge(permuted), reference, "{order:?}");
    }
    // Merging in two steps (a merged record merged again) gives the same.
    let mut first = merge(vec![input[0].clone(), input[1].clone()]);
    first.push(input[2].clone());
    assert_eq!(merge(first).len(), 1);
}

#[test]
fn stubs_are_not_meetings_and_quanshi_kinds_stay_apart() {
    let stubs = reports(
        r#"{"status":200,"message":"OK","data":[{"id":"1579334441"},{"id":"1579334441"}]}"#,
    );
    // The same stub twice is one stub; matching nothing, it is counted, never output.
    let mut merger = Merger::new();
    merger.extend(stubs);
    let merged = merger.finish_with_stubs();
    assert!(merged.meetings.is_empty());
    assert_eq!(merged.stubs, 1);
    assert_eq!(merged.unmatched_stubs, ["1579334441"]);
    let conf =
        crate::common::conference(r#"{"status":0,"result":[{"conferenceId":"1","eventId":5}]}"#);
    let dash =
        crate::common::dashboard(r#"{"status":0,"result":{"tempConferenceId":"1","eventId":5}}"#);
    let merged = merge(conf.into_iter().chain(dash));
    assert_eq!(merged.len(), 2);
}

#[test]
fn same_source_duplicates_keep_the_most_complete() {
    let input = three();
    let mut bare = input[1].clone();
    bare.participants.clear();
    let mut merger = Merger::new();
    merger.push(bare.clone());
    merger.push(input[1].clone());
    merger.push(bare);
    assert_eq!(merger.len(), 1);
    let out = merger.finish();
    assert_eq!(out[0].participants.len(), 3);
}

/// A record merged alone (`merge` of one, its own path) is settled as the `Merger` settles
/// it: each source's report state, and its rooms resolved (a Systec room without a host
/// lends the room's name and mailbox as the host).
#[test]
fn one_record_alone_is_settled_as_by_the_merger() {
    let mut resolved = 0;
    for mut m in three() {
        m.host = None;
        if let Some(room) = m.room.as_mut().filter(|r| r.id.is_some()) {
            room.name = Some("Room 7".into());
        }
        let mut merger = Merger::new();
        merger.push(m.clone());
        let by_merger = merger.finish();
        let alone = merge([m]);
        assert_eq!(alone, by_merger);
        let [one] = alone.as_slice() else {
            panic!("one record in, one out: {alone:?}")
        };
        assert!(one.report.is_some(), "report state settled: {one:?}");
        if one.room.as_ref().is_some_and(|r| r.id.is_some()) {
            assert!(one.host.is_some(), "rooms resolved: {one:?}");
            resolved += 1;
        }
    }
    assert_eq!(resolved, 1, "the detail record names its room by id");
}

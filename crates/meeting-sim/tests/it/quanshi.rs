//! Quanshi endpoints under a path prefix, parsed with `quanshi-model`, compared with truth.

use crate::common::*;
use quanshi_model::{DashboardStatus, UserType, conference_by_join_url, dashboard_conference_info};
use serde_json::json;

#[tokio::test]
async fn conference_by_join_link_with_header_or_body_token() {
    let sim = start(10).await;
    assert!(sim.quanshi_base_url().ends_with("/quanshi/"));
    let truth = sim.truth();
    let urls = truth.quanshi_join_urls();
    assert_eq!(urls.len(), 20);
    let path = sim.quanshi_conference_path().to_owned();
    let mut user_types = std::collections::BTreeSet::new();
    for (i, url) in urls.iter().enumerate() {
        let (status, body) = if i % 2 == 0 {
            quanshi(
                &sim,
                &path,
                json!({"attendeeJoinUrl": url}),
                Some(sim.token()),
            )
            .await
        } else {
            let token = sim.token().to_owned();
            quanshi(
                &sim,
                &path,
                json!({"attendeeJoinUrl": url, "token": token}),
                None,
            )
            .await
        };
        assert_eq!(status, 200);
        let v = json_of(&body);
        assert_eq!(v["status"], 0);
        assert!(v["request_id"].is_string() && v["reqid"].is_string());
        assert!(v["timestamp"].as_i64().unwrap() > 1_700_000_000_000);
        assert!(v["request_duration"].as_str().unwrap().ends_with("ms"));
        let resp = conference_by_join_url::parse_response(&body).unwrap();
        let list = resp.result.unwrap().into_value();
        assert_eq!(list.len(), 1);
        assert_eq!(Some(&list[0]), truth.quanshi_conference(url).as_ref());
        for a in list[0].attend_list.iter().flatten() {
            user_types.insert(format!("{:?}", a.user_type.unwrap()));
        }
        // Lossless round trip of what was served.
        let again =
            serde_json::to_value(conference_by_join_url::parse_response(&body).unwrap()).unwrap();
        assert_eq!(again, v);
    }
    assert!(user_types.len() >= 3, "{user_types:?}");
    let _ = UserType::Phone;
    // An unknown link: an empty list.
    let (_, body) = quanshi(
        &sim,
        &path,
        json!({"attendeeJoinUrl": "https://mtest.qsh1.cn/k/none"}),
        Some(sim.token()),
    )
    .await;
    let resp = conference_by_join_url::parse_response(&body).unwrap();
    assert!(resp.result.unwrap().value().is_empty());
    // A missing token, a wrong one, a bad body.
    let (_, body) = quanshi(&sim, &path, json!({"attendeeJoinUrl": urls[0]}), None).await;
    assert_eq!(
        conference_by_join_url::parse_response(&body)
            .unwrap_err()
            .as_vendor()
            .unwrap()
            .status,
        401
    );
    let (_, body) = quanshi(&sim, &path, json!({}), Some(sim.token())).await;
    assert_eq!(
        conference_by_join_url::parse_response(&body)
            .unwrap_err()
            .as_vendor()
            .unwrap()
            .status,
        400
    );
    let resp = client()
        .post(format!("{}{path}", sim.quanshi_base_url()))
        .header("token", sim.token())
        .body("not json")
        .send()
        .await
        .unwrap();
    let body = resp.bytes().await.unwrap();
    assert_eq!(json_of(&body)["status"], 400);
    // No secrets in the log.
    assert!(
        sim.requests()
            .iter()
            .all(|r| r.params.iter().all(|(k, _)| k != "token"))
    );
    sim.shutdown().await;
}

fn json_of(b: &[u8]) -> serde_json::Value {
    serde_json::from_slice(b).unwrap()
}

#[tokio::test]
async fn dashboard_live_and_ended() {
    let mut config = config(10);
    config.data.quanshi_conferences = 60;
    config.quanshi_prefix = "/gw/v2/".to_owned();
    let sim = meeting_sim::Sim::start(config).await.unwrap();
    assert!(sim.quanshi_base_url().ends_with("/gw/v2/"));
    let truth = sim.truth();
    let (mut live, mut ended) = (0, 0);
    for id in truth.dashboard_ids() {
        let (status, body) = quanshi(
            &sim,
            meeting_sim::QUANSHI_DASHBOARD_PATH,
            json!({"tempConferenceId": id}),
            Some(sim.token()),
        )
        .await;
        assert_eq!(status, 200);
        let resp = dashboard_conference_info::parse_response(&body).unwrap();
        assert_eq!(resp.msg.as_deref(), Some("success"));
        let conf = resp.result.unwrap();
        assert_eq!(Some(&conf), truth.dashboard(&id).as_ref());
        match conf.status.unwrap() {
            DashboardStatus::Running => {
                live += 1;
                assert_eq!(conf.stopped_at(), None);
            }
            _ => {
                ended += 1;
                assert!(conf.stopped_at().is_some());
            }
        }
    }
    assert!(live > 0 && ended > 0);
    let (_, body) = quanshi(
        &sim,
        meeting_sim::QUANSHI_DASHBOARD_PATH,
        json!({"tempConferenceId": "00000000"}),
        Some(sim.token()),
    )
    .await;
    let err = dashboard_conference_info::parse_response(&body).unwrap_err();
    assert_eq!(err.as_vendor().unwrap().status, 404);
    sim.shutdown().await;
}

//! Answering the Quanshi endpoints: reading a request (token, JSON body) and building the
//! envelopes from the generated data.

use axum::http::{HeaderMap, StatusCode};
use bytes::Bytes;
use quanshi_model::{
    Conference, DashboardConference, Embedded, Envelope, RequestDuration, UnixMillis,
};

use crate::quanshi::data::QuanshiData;
use crate::reply::Reply;

/// A Quanshi request as read: the token (header first, then body) and the JSON body.
pub(crate) struct QuanshiRequest {
    token: Option<String>,
    body: Option<serde_json::Map<String, serde_json::Value>>,
}

impl QuanshiRequest {
    /// Reads the `token` header and the JSON body (never fails: a bad body is `None`).
    pub(crate) fn read(headers: &HeaderMap, body: &Bytes) -> Self {
        let body = match serde_json::from_slice::<serde_json::Value>(body) {
            Ok(serde_json::Value::Object(map)) => Some(map),
            _ => None,
        };
        let token = match headers.get("token") {
            Some(v) => v.to_str().ok().map(str::to_owned),
            None => body
                .as_ref()
                .and_then(|b| b.get("token"))
                .and_then(|v| v.as_str())
                .map(str::to_owned),
        };
        QuanshiRequest { token, body }
    }

    /// The body's fields without `token`, as text.
    pub(crate) fn public_params(&self) -> Vec<(String, String)> {
        self.body
            .iter()
            .flatten()
            .filter(|(k, _)| k.as_str() != "token")
            .map(|(k, v)| {
                (
                    k.clone(),
                    v.as_str().map_or_else(|| v.to_string(), str::to_owned),
                )
            })
            .collect()
    }

    /// Whether the token is the expected one.
    pub(crate) fn token_is(&self, expected: &str) -> bool {
        self.token.as_deref() == Some(expected)
    }

    fn text(&self, name: &str) -> Option<String> {
        match self.body.as_ref()?.get(name)? {
            serde_json::Value::String(s) => Some(s.trim().to_owned()),
            serde_json::Value::Number(n) => Some(n.to_string()),
            _ => None,
        }
    }
}

/// A Quanshi envelope with the next deterministic request id and timestamp.
fn envelope<T>(
    data: &QuanshiData,
    status: i64,
    result: Option<T>,
    msg: Option<&str>,
    both_ids: bool,
) -> Envelope<T> {
    let (id, ts, took) = data.next_meta();
    let mut e = Envelope {
        status,
        result,
        msg: None,
        request_id: None,
        reqid: None,
        timestamp: None,
        request_duration: None,
        extra: quanshi_model::Extra::new(),
    };
    e.status = status;
    e.msg = msg.map(str::to_owned);
    if both_ids {
        e.request_id = Some(format!("uniformserver-127.0.0.1-{id}"));
        e.reqid = Some(format!("confopenapiserver-127.0.0.1-{id}"));
    } else {
        e.request_id = Some(format!("rtsas-127001-{id}"));
    }
    e.timestamp = Some(UnixMillis::number(ts));
    e.request_duration = Some(RequestDuration::new(took));
    e
}

/// A failure envelope (`result` null).
pub(crate) fn error_reply(data: &QuanshiData, status: i64, msg: &str) -> Reply {
    let mut e = envelope::<()>(data, status, None, Some(msg), false);
    e.extra
        .insert(String::from("result"), serde_json::Value::Null);
    Reply::json(StatusCode::OK, status, &e)
}

/// The conference-by-join-link success envelope for `url` (an empty list when unknown).
pub(crate) fn conference_envelope(
    data: &QuanshiData,
    url: &str,
) -> Envelope<quanshi_model::ConferenceList> {
    let found: Vec<Conference> = data.conferences.get(url).cloned().into_iter().collect();
    envelope(data, 0, Some(Embedded::inline(found)), None, true)
}

/// The dashboard envelope for `id`: the record, or status 404 "conference not found".
pub(crate) fn dashboard_envelope(data: &QuanshiData, id: &str) -> Envelope<DashboardConference> {
    match data.dashboards.get(id) {
        Some(d) => envelope(data, 0, Some(d.clone()), Some("success"), false),
        None => {
            let mut e = envelope(data, 404, None, Some("conference not found"), false);
            e.extra
                .insert(String::from("result"), serde_json::Value::Null);
            e
        }
    }
}

/// The normal answer of the conference-by-join-link endpoint.
pub(crate) fn conference(data: &QuanshiData, req: &QuanshiRequest) -> Reply {
    if req.body.is_none() {
        return error_reply(data, 400, "invalid request body: expected a JSON object");
    }
    let Some(url) = req.text("attendeeJoinUrl").filter(|u| !u.is_empty()) else {
        return error_reply(data, 400, "attendeeJoinUrl is required");
    };
    Reply::json(StatusCode::OK, 0, &conference_envelope(data, &url))
}

/// The normal answer of the dashboard endpoint.
pub(crate) fn dashboard(data: &QuanshiData, req: &QuanshiRequest) -> Reply {
    if req.body.is_none() {
        return error_reply(data, 400, "invalid request body: expected a JSON object");
    }
    let Some(id) = req.text("tempConferenceId").filter(|u| !u.is_empty()) else {
        return error_reply(data, 400, "tempConferenceId is required");
    };
    let e = dashboard_envelope(data, &id);
    Reply::json(StatusCode::OK, e.status, &e)
}

//! Parse, serialise back, diff by key path: for every response fixture.

use crate::{all_fixtures, endpoint_of, fixture};
use meeting_wire::diff::diff;
use serde_json::Value;
use systec_model::{Endpoint, Error, detail, his_meeting, reports};

/// Parses `bytes` as `endpoint`'s response and serialises it back.
fn reserialise(endpoint: Endpoint, bytes: &[u8]) -> Result<Value, Error> {
    Ok(match endpoint {
        Endpoint::Reports => serde_json::to_value(reports::parse_response(bytes)?).unwrap(),
        Endpoint::Detail => serde_json::to_value(detail::parse_response(bytes)?).unwrap(),
        _ => serde_json::to_value(his_meeting::parse_response(bytes)?).unwrap(),
    })
}

#[test]
fn every_response_fixture_round_trips_exactly() {
    let mut checked = 0;
    let mut failures = Vec::new();
    for name in all_fixtures() {
        let Some(endpoint) = endpoint_of(&name) else {
            continue;
        };
        let bytes = fixture(&name);
        let original: Value = meeting_wire::from_slice(&bytes).unwrap();
        match reserialise(endpoint, &bytes) {
            Ok(back) => {
                let d = diff(&original, &back);
                if !d.is_empty() {
                    failures.push(format!("{name}:\n  {}", d.join("\n  ")));
                }
            }
            Err(e) => failures.push(format!("{name}: {e}")),
        }
        checked += 1;
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(checked >= 20, "only {checked} fixtures checked");
}

#[test]
fn every_fixture_is_classified() {
    // A new fixture must either be a response of a known endpoint, or be listed here.
    let non_responses = [
        "quirks/error-envelope.json",
        "quirks/error-rate-limit.json",
        "quirks/error-zoom-v1.json",
        "quirks/reports-uuid-separators.json",
        "quirks/window-over-one-month.json",
    ];
    for name in all_fixtures() {
        assert!(
            endpoint_of(&name).is_some() || non_responses.contains(&name.as_str()),
            "{name}: not classified"
        );
    }
}

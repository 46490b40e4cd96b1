//! Helpers: start a simulator, call its endpoints.

use bytes::Bytes;
use chrono::NaiveDate;
use meeting_sim::{FaultConfig, Sim, SimConfig, SimHandle};
use std::time::Duration;

pub(crate) fn date(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

pub(crate) fn config(meetings: usize) -> SimConfig {
    let mut config = SimConfig::new(7, meetings);
    config.today = Some(date("2024-02-15"));
    config.data.quanshi_conferences = 20;
    config
}

pub(crate) async fn start(meetings: usize) -> SimHandle {
    Sim::start(config(meetings)).await.unwrap()
}

pub(crate) async fn start_with(meetings: usize, faults: FaultConfig) -> SimHandle {
    Sim::start(config(meetings).with_faults(faults))
        .await
        .unwrap()
}

/// Installs ring as rustls's provider: needed when reqwest is built with TLS (as it is in a
/// workspace build, where meeting-http enables it). Idempotent.
pub(crate) fn tls_provider() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

pub(crate) fn client() -> reqwest::Client {
    tls_provider();
    reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap()
}

/// POSTs a Systec form with the simulator's credentials plus `params`.
pub(crate) async fn systec_raw(
    sim: &SimHandle,
    endpoint: &str,
    params: &[(&str, &str)],
) -> Result<(u16, Bytes), reqwest::Error> {
    let mut form: Vec<(&str, &str)> =
        vec![("api_key", sim.api_key()), ("api_secret", sim.api_secret())];
    form.extend_from_slice(params);
    let resp = client()
        .post(format!("{}{endpoint}", sim.systec_base_url()))
        .form(&form)
        .send()
        .await?;
    let status = resp.status().as_u16();
    Ok((status, resp.bytes().await?))
}

pub(crate) async fn systec(sim: &SimHandle, endpoint: &str, params: &[(&str, &str)]) -> Bytes {
    let (status, body) = systec_raw(sim, endpoint, params).await.unwrap();
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    body
}

pub(crate) fn json(body: &[u8]) -> serde_json::Value {
    serde_json::from_slice(body).unwrap()
}

/// POSTs a Quanshi JSON body to `path` (relative to the Quanshi base URL), the token in the
/// header when `header_token` is set.
pub(crate) async fn quanshi(
    sim: &SimHandle,
    path: &str,
    body: serde_json::Value,
    header_token: Option<&str>,
) -> (u16, Bytes) {
    let mut req = client()
        .post(format!("{}{path}", sim.quanshi_base_url()))
        .header("accept", "application/json")
        .json(&body);
    if let Some(token) = header_token {
        req = req.header("token", token);
    }
    let resp = req.send().await.unwrap();
    (resp.status().as_u16(), resp.bytes().await.unwrap())
}

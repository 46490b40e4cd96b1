//! The vendor clients, built from the resolved settings.

use meeting_http::{QuanshiClient, RateLimit, SystecClient};
use meeting_sync::Capture;

use crate::config::Settings;
use crate::error::{CliError, Result};

/// Client tuning that does not come from the vendor docs.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Tuning {
    /// Requests per second overall (`Some(0)` = off).
    pub(crate) rate_limit: Option<u32>,
    /// `reports` requests per second (`Some(0)` = off).
    pub(crate) reports_rate_limit: Option<u32>,
    pub(crate) page_size: Option<u32>,
    pub(crate) concurrency: Option<usize>,
    pub(crate) max_attempts: Option<u32>,
}

impl Tuning {
    pub(crate) fn from_settings(s: &Settings) -> Self {
        Tuning {
            rate_limit: s.profile.rate_limit,
            reports_rate_limit: s.profile.reports_rate_limit,
            page_size: s.profile.page_size,
            concurrency: s.profile.concurrency,
            max_attempts: s.profile.max_attempts,
        }
    }
}

/// A base URL must be an http(s) URL; otherwise a usage error naming where it came from.
fn check_base_url(url: &str, var: &str, key: &str) -> Result<()> {
    let t = url.trim();
    let rest = t
        .strip_prefix("https://")
        .or_else(|| t.strip_prefix("http://"));
    match rest {
        Some(host) if !host.is_empty() && !host.starts_with('/') => Ok(()),
        _ => Err(CliError::usage(format!(
            "{var} (or the profile's {key}) is `{}`, which is not a URL: expected https://host/path/ (plain http only on this machine, 127.0.0.1)",
            crate::app::escape(t)
        ))),
    }
}

/// The Systec client from the settings.
pub(crate) fn systec_client(
    s: &Settings,
    tuning: Tuning,
    capture: &Capture,
    vendor_tz: chrono_tz::Tz,
) -> Result<SystecClient> {
    let (Some(key), Some(secret)) = (&s.systec_api_key, &s.systec_api_secret) else {
        return Err(CliError::usage(format!(
            "no Systec credentials: set SYSTEC_API_KEY and SYSTEC_API_SECRET, or add them to the profile `{}` in {} with `meeting config init`",
            s.profile_name,
            s.path.display()
        )));
    };
    let mut b = SystecClient::builder()
        .credentials(key.clone(), secret.clone())
        .vendor_tz(vendor_tz)
        .raw_capture(capture.hook());
    if let Some(url) = &s.systec_base_url {
        check_base_url(url, "SYSTEC_BASE_URL", "systec_base_url")?;
        b = b.base_url(url.clone());
    }
    if let Some(n) = tuning.rate_limit {
        b = b.rate_limit(RateLimit::per_second(n));
    }
    if let Some(n) = tuning.reports_rate_limit {
        b = b.reports_rate_limit(RateLimit::per_second(n));
    }
    if let Some(n) = tuning.page_size {
        b = b.page_size(n);
    }
    if let Some(n) = tuning.concurrency {
        b = b.concurrency(n);
    }
    if let Some(n) = tuning.max_attempts {
        b = b.retry(meeting_http::RetryPolicy::default().max_attempts(n));
    }
    b.build().map_err(|e| CliError::http(&e))
}

/// The Quanshi client from the settings.
pub(crate) fn quanshi_client(
    s: &Settings,
    tuning: Tuning,
    capture: &Capture,
) -> Result<QuanshiClient> {
    let Some(token) = &s.quanshi_token else {
        return Err(CliError::usage(format!(
            "no Quanshi token: set QUANSHI_TOKEN, or add it to the profile `{}` in {} with `meeting config init`",
            s.profile_name,
            s.path.display()
        )));
    };
    let Some(base) = &s.quanshi_base_url else {
        return Err(CliError::usage(
            "no Quanshi base URL (the vendor documents none): set QUANSHI_BASE_URL or the profile's quanshi_base_url",
        ));
    };
    check_base_url(base, "QUANSHI_BASE_URL", "quanshi_base_url")?;
    let mut b = QuanshiClient::builder()
        .base_url(base.clone())
        .token(token.clone())
        .raw_capture(capture.hook());
    if let Some(path) = &s.quanshi_conference_path {
        b = b.conference_path(path.clone());
    }
    if let Some(n) = tuning.rate_limit {
        b = b.rate_limit(RateLimit::per_second(n));
    }
    if let Some(n) = tuning.max_attempts {
        b = b.retry(meeting_http::RetryPolicy::default().max_attempts(n));
    }
    b.build().map_err(|e| CliError::http(&e))
}

#[cfg(test)]
mod tests {
    use super::check_base_url;

    #[test]
    fn base_urls_name_their_variable() {
        assert!(check_base_url("https://api.example/umeeting/share/", "V", "k").is_ok());
        assert!(check_base_url("http://127.0.0.1:8080/", "V", "k").is_ok());
        let e = check_base_url("not-a-url", "SYSTEC_BASE_URL", "systec_base_url")
            .err()
            .map(|e| e.message)
            .unwrap_or_default();
        assert!(
            e.contains("SYSTEC_BASE_URL") && e.contains("not-a-url"),
            "{e}"
        );
        assert!(check_base_url("https://", "V", "k").is_err());
    }
}

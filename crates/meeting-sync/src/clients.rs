//! The vendor clients, built from resolved [`Settings`], and the credential check of
//! `meeting config check`.

use meeting_http::{QuanshiClient, RateLimit, SystecClient};
use serde::Serialize;

use crate::Capture;
use crate::config::{ConfigError, Settings, Zones, mask_url_password};

/// A client that could not be built: a configuration problem, or the HTTP layer's refusal.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ClientError {
    /// Credentials or a base URL missing or wrong.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The HTTP client refused its settings.
    #[error(transparent)]
    Http(#[from] meeting_http::Error),
}

/// Client tuning that does not come from the vendor docs.
#[derive(Clone, Copy, Debug, Default)]
pub struct Tuning {
    /// Requests per second overall (`Some(0)` = off).
    pub rate_limit: Option<u32>,
    /// `reports` requests per second (`Some(0)` = off).
    pub reports_rate_limit: Option<u32>,
    /// Records per page.
    pub page_size: Option<u32>,
    /// Calls in flight.
    pub concurrency: Option<usize>,
    /// Attempts per call for transient failures.
    pub max_attempts: Option<u32>,
}

impl Tuning {
    /// No client-side rate limits, the rest by default: for a server on loopback (the
    /// simulator of `meeting demo`, a test server).
    #[must_use]
    pub fn loopback() -> Self {
        Tuning {
            rate_limit: Some(0),
            reports_rate_limit: Some(0),
            ..Tuning::default()
        }
    }

    /// The tuning of the settings' profile.
    #[must_use]
    pub fn from_settings(s: &Settings) -> Self {
        Tuning {
            rate_limit: s.profile.rate_limit,
            reports_rate_limit: s.profile.reports_rate_limit,
            page_size: s.profile.page_size,
            concurrency: s.profile.concurrency,
            max_attempts: s.profile.max_attempts,
        }
    }
}

/// A base URL must be an http(s) URL; otherwise an error naming where it came from.
fn check_base_url(url: &str, var: &'static str, key: &'static str) -> Result<(), ConfigError> {
    let t = url.trim();
    let rest = t
        .strip_prefix("https://")
        .or_else(|| t.strip_prefix("http://"));
    match rest {
        Some(host) if !host.is_empty() && !host.starts_with('/') => Ok(()),
        _ => Err(ConfigError::NotAUrl {
            var,
            key,
            value: t.to_owned(),
        }),
    }
}

/// The Systec client from the settings.
///
/// # Errors
///
/// No credentials, a base URL that is not a URL, or settings the client refuses.
pub fn systec_client(
    s: &Settings,
    tuning: Tuning,
    capture: &Capture,
    vendor_tz: chrono_tz::Tz,
) -> Result<SystecClient, ClientError> {
    let (Some(key), Some(secret)) = (&s.systec_api_key, &s.systec_api_secret) else {
        return Err(ConfigError::NoSystecCredentials {
            profile: s.profile_name.clone(),
            path: s.path.clone(),
        }
        .into());
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
    Ok(b.build()?)
}

/// The Quanshi client from the settings.
///
/// # Errors
///
/// No token or base URL, a base URL that is not a URL, or settings the client refuses.
pub fn quanshi_client(
    s: &Settings,
    tuning: Tuning,
    capture: &Capture,
) -> Result<QuanshiClient, ClientError> {
    let Some(token) = &s.quanshi_token else {
        return Err(ConfigError::NoQuanshiToken {
            profile: s.profile_name.clone(),
            path: s.path.clone(),
        }
        .into());
    };
    let Some(base) = &s.quanshi_base_url else {
        return Err(ConfigError::NoQuanshiBaseUrl.into());
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
    Ok(b.build()?)
}

/// The outcome of one vendor's check.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum CheckStatus {
    /// The credentials were accepted.
    Ok,
    /// The call failed.
    Failed,
    /// Nothing configured for this vendor.
    NotConfigured,
    /// Configured, but there is no cheap call to check with.
    NotChecked,
    /// Partly configured.
    Incomplete,
}

/// One vendor's line of the check.
#[derive(Clone, Debug, Serialize)]
pub struct VendorCheck {
    /// The outcome.
    pub status: CheckStatus,
    /// What was checked, or why it failed (a base URL's password masked).
    pub message: String,
}

/// What `meeting config check` found; serialises as its `-o json` object.
#[derive(Debug, Serialize)]
pub struct ConfigCheck {
    /// The config file.
    pub config_file: String,
    /// Whether it exists.
    pub config_found: bool,
    /// The profile checked.
    pub profile: String,
    /// The vendor zone's name.
    pub vendor_zone: String,
    /// The report zone's name.
    pub report_zone: String,
    /// Systec: one `detail` call of page size 1.
    pub systec: VendorCheck,
    /// Quanshi: the settings only (it has no cheap read-only call).
    pub quanshi: VendorCheck,
    /// No failure, and something is configured.
    pub ok: bool,
    /// The Systec call's failure.
    #[serde(skip)]
    pub failure: Option<meeting_http::Error>,
    /// Neither vendor has credentials.
    #[serde(skip)]
    pub nothing_configured: bool,
}

/// Checks the settings: the Systec credentials with one cheap call (one `detail` page of
/// size 1), the Quanshi settings without a call.
///
/// # Errors
///
/// The Systec client cannot be built from the settings (a failed call is in the result).
pub async fn check_credentials(s: &Settings, zones: Zones) -> Result<ConfigCheck, ClientError> {
    let mut failure = None;
    let systec = if s.systec_api_key.is_some() || s.systec_api_secret.is_some() {
        let client = systec_client(s, Tuning::from_settings(s), &Capture::none(), zones.vendor)?;
        let query = systec_model::detail::DetailQuery::new()
            .page_size(1)
            .page_number(1);
        match client.detail_page(&query).await {
            Ok(_) => VendorCheck {
                status: CheckStatus::Ok,
                message: String::from("credentials accepted; one detail call, page size 1"),
            },
            Err(e) => {
                let check = VendorCheck {
                    status: CheckStatus::Failed,
                    message: e.to_string(),
                };
                failure = Some(e);
                check
            }
        }
    } else {
        VendorCheck {
            status: CheckStatus::NotConfigured,
            message: String::from("SYSTEC_API_KEY, SYSTEC_API_SECRET"),
        }
    };
    let quanshi = match (&s.quanshi_token, &s.quanshi_base_url) {
        (Some(_), Some(url)) => VendorCheck {
            status: CheckStatus::NotChecked,
            message: format!(
                "token set, base URL {}{}; not checked (Quanshi has no cheap read-only call)",
                mask_url_password(url),
                if s.quanshi_conference_path.is_some() {
                    ", join-link path set"
                } else {
                    ", join-link path not set (QUANSHI_CONFERENCE_PATH)"
                }
            ),
        },
        (Some(_), None) => VendorCheck {
            status: CheckStatus::Incomplete,
            message: String::from("token set but no base URL (QUANSHI_BASE_URL)"),
        },
        (None, _) => VendorCheck {
            status: CheckStatus::NotConfigured,
            message: String::from("QUANSHI_TOKEN, QUANSHI_BASE_URL"),
        },
    };
    let nothing = failure.is_none() && s.systec_api_key.is_none() && s.quanshi_token.is_none();
    Ok(ConfigCheck {
        config_file: s.path.display().to_string(),
        config_found: s.path.exists(),
        profile: s.profile_name.clone(),
        vendor_zone: zones.vendor.name().to_owned(),
        report_zone: zones.report.name().to_owned(),
        systec,
        quanshi,
        ok: failure.is_none() && !nothing,
        failure,
        nothing_configured: nothing,
    })
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
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            e.contains("SYSTEC_BASE_URL") && e.contains("not-a-url"),
            "{e}"
        );
        assert!(check_base_url("https://", "V", "k").is_err());
    }
}

//! `meeting config check`: the configuration, and the Systec credentials with one cheap call.

use crate::app::App;
use crate::clients::{self, Tuning};
use crate::error::{CliError, Result};

pub(crate) fn config_check(app: &App<'_>) -> Result<()> {
    let s = &app.settings;
    let mut lines = vec![format!(
        "config file: {} (profile `{}`){}",
        s.path.display(),
        s.profile_name,
        if s.path.exists() {
            ""
        } else {
            ", not found: using the environment only"
        }
    )];
    lines.push(format!(
        "vendor zone: {}   display zone: {}",
        app.vendor_tz.name(),
        app.tz.name()
    ));
    let mut failure = None;
    if s.systec_api_key.is_some() || s.systec_api_secret.is_some() {
        let client = clients::systec_client(
            s,
            Tuning::from_settings(s),
            &meeting_sync::Capture::none(),
            app.vendor_tz,
        )?;
        let query = systec_model::detail::DetailQuery::new()
            .page_size(1)
            .page_number(1);
        match crate::runner::block_on("the check", client.detail_page(&query))? {
            Ok(_) => lines.push(String::from(
                "systec: OK (credentials accepted; one detail call, page size 1)",
            )),
            Err(e) => {
                lines.push(format!("systec: FAILED: {e}"));
                failure = Some(CliError::http(&e));
            }
        }
    } else {
        lines.push(String::from(
            "systec: not configured (SYSTEC_API_KEY, SYSTEC_API_SECRET)",
        ));
    }
    match (&s.quanshi_token, &s.quanshi_base_url) {
        (Some(_), Some(url)) => lines.push(format!(
            "quanshi: token set, base URL {url}{}; not checked (Quanshi has no cheap read-only call)",
            if s.quanshi_conference_path.is_some() {
                ", join-link path set"
            } else {
                ", join-link path not set (QUANSHI_CONFERENCE_PATH)"
            }
        )),
        (Some(_), None) => lines.push(String::from(
            "quanshi: token set but no base URL (QUANSHI_BASE_URL)",
        )),
        (None, _) => lines.push(String::from(
            "quanshi: not configured (QUANSHI_TOKEN, QUANSHI_BASE_URL)",
        )),
    }
    app.write_output(None, "the output", |w| {
        lines.iter().try_for_each(|l| writeln!(w, "{l}"))
    })?;
    if failure.is_none() && s.systec_api_key.is_none() && s.quanshi_token.is_none() {
        return Err(CliError::usage(
            "nothing is configured: set SYSTEC_API_KEY and SYSTEC_API_SECRET (or QUANSHI_TOKEN and QUANSHI_BASE_URL), or run `meeting config init`",
        ));
    }
    match failure {
        Some(f) => Err(f),
        None => Ok(()),
    }
}

/// `meeting config list`: profiles, the active one, and where each setting comes from.
pub(crate) fn config_list(app: &App<'_>) -> Result<()> {
    let s = &app.settings;
    let profiles = crate::config::load_file(&s.path)?;
    let p = &s.profile;
    let mut lines = vec![format!(
        "config file: {}{}",
        s.path.display(),
        if s.path.exists() { "" } else { " (not found)" }
    )];
    let names: Vec<String> = profiles
        .keys()
        .map(|n| {
            if *n == s.profile_name {
                format!("{n} (active)")
            } else {
                n.clone()
            }
        })
        .collect();
    lines.push(format!(
        "profiles: {}",
        if names.is_empty() {
            format!("none (active: {})", s.profile_name)
        } else {
            names.join(", ")
        }
    ));
    let origin = |var: &str, in_profile: bool| {
        if crate::config::env(var).is_some() {
            format!("environment {var}")
        } else if in_profile {
            format!("profile `{}`", s.profile_name)
        } else {
            String::from("not set")
        }
    };
    // (name, variable, resolved value, set in the profile, secret: shown as set/unset only)
    let settings: [(&str, &str, Option<&String>, bool, bool); 6] = [
        (
            "systec_api_key",
            "SYSTEC_API_KEY",
            s.systec_api_key.as_ref(),
            p.systec_api_key.is_some(),
            true,
        ),
        (
            "systec_api_secret",
            "SYSTEC_API_SECRET",
            s.systec_api_secret.as_ref(),
            p.systec_api_secret.is_some(),
            true,
        ),
        (
            "systec_base_url",
            "SYSTEC_BASE_URL",
            s.systec_base_url.as_ref(),
            p.systec_base_url.is_some(),
            false,
        ),
        (
            "quanshi_token",
            "QUANSHI_TOKEN",
            s.quanshi_token.as_ref(),
            p.quanshi_token.is_some(),
            true,
        ),
        (
            "quanshi_base_url",
            "QUANSHI_BASE_URL",
            s.quanshi_base_url.as_ref(),
            p.quanshi_base_url.is_some(),
            false,
        ),
        (
            "quanshi_conference_path",
            "QUANSHI_CONFERENCE_PATH",
            s.quanshi_conference_path.as_ref(),
            p.quanshi_conference_path.is_some(),
            false,
        ),
    ];
    for (name, var, value, in_profile, secret) in settings {
        let from = origin(var, in_profile);
        let shown = if secret {
            format!("{:<6}", if value.is_some() { "set" } else { "unset" })
        } else {
            value.map_or_else(|| String::from("-"), Clone::clone)
        };
        lines.push(format!("{name:<24} {shown} ({from})"));
    }
    lines.push(format!(
        "{:<24} {} ({})",
        "vendor_tz",
        app.vendor_tz.name(),
        if app.g.vendor_tz.is_some() {
            String::from("--vendor-tz or MEETING_VENDOR_TZ")
        } else if p.vendor_tz.is_some() {
            format!("profile `{}`", s.profile_name)
        } else {
            String::from("default")
        }
    ));
    lines.push(format!(
        "{:<24} {} ({})",
        "tz",
        app.tz.name(),
        if app.g.tz.is_some() {
            String::from("--tz")
        } else if p.tz.is_some() {
            format!("profile `{}`", s.profile_name)
        } else {
            String::from("system zone")
        }
    ));
    app.write_output(None, "the output", |w| {
        lines.iter().try_for_each(|l| writeln!(w, "{l}"))
    })
}

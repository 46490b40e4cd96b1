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
        match crate::live::block_on("the check", client.detail_page(&query))? {
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
    match failure {
        Some(f) => Err(f),
        None => Ok(()),
    }
}

//! `meeting config check`: the configuration, and the Systec credentials with one cheap call;
//! `meeting config list`: the profiles and where each setting comes from. Both are jobs of
//! `meeting_sync` (`clients::check_credentials`, `config::list`); here they print lines for
//! people or, with `-o json`, one object with the stable fields named in their `--help`.

use meeting_sync::clients::{CheckStatus, VendorCheck, check_credentials};
use meeting_sync::config::Zones;
use serde::Serialize;

use crate::app::App;
use crate::cli::StatusFormat;
use crate::error::{CliError, Result};

fn zones(app: &App<'_>) -> Zones {
    Zones {
        vendor: app.vendor_tz,
        report: app.tz,
    }
}

pub(crate) fn config_check(app: &App<'_>, format: StatusFormat) -> Result<()> {
    let check =
        crate::runner::block_on("the check", check_credentials(&app.settings, zones(app)))??;
    match format {
        StatusFormat::Json => write_json(app, &check)?,
        StatusFormat::Text => {
            let line = |vendor: &str, c: &VendorCheck| match c.status {
                CheckStatus::Ok => format!("{vendor}: OK ({})", c.message),
                CheckStatus::Failed => format!("{vendor}: FAILED: {}", c.message),
                CheckStatus::NotConfigured => format!("{vendor}: not configured ({})", c.message),
                _ => format!("{vendor}: {}", c.message),
            };
            let lines = [
                format!(
                    "config file: {} (profile `{}`){}",
                    check.config_file,
                    check.profile,
                    if check.config_found {
                        ""
                    } else {
                        ", not found: using the environment only"
                    }
                ),
                format!(
                    "vendor zone: {}   display zone: {}",
                    check.vendor_zone, check.report_zone
                ),
                line("systec", &check.systec),
                line("quanshi", &check.quanshi),
            ];
            app.write_output(None, "the output", |w| {
                lines.iter().try_for_each(|l| writeln!(w, "{l}"))
            })?;
        }
    }
    if check.nothing_configured {
        return Err(CliError::usage(
            "nothing is configured: set SYSTEC_API_KEY and SYSTEC_API_SECRET (or QUANSHI_TOKEN and QUANSHI_BASE_URL), or run `meeting config init`",
        ));
    }
    match &check.failure {
        Some(f) => Err(CliError::http(f)),
        None => Ok(()),
    }
}

/// One JSON object and a line break on stdout.
pub(crate) fn write_json(app: &App<'_>, value: &impl Serialize) -> Result<()> {
    app.write_output(None, "the output", |w| {
        serde_json::to_writer_pretty(&mut *w, value).map_err(std::io::Error::other)?;
        writeln!(w)
    })
}

/// `meeting config list`: profiles, the default and the active one, and where each setting
/// comes from. Secrets are shown as set or unset; a password in a base URL as `***`.
pub(crate) fn config_list(app: &App<'_>, format: StatusFormat) -> Result<()> {
    let listing = meeting_sync::config::list(
        &app.settings,
        zones(app),
        app.g.vendor_tz.is_some(),
        app.g.tz.is_some(),
    )?;
    if format == StatusFormat::Json {
        return write_json(app, &listing);
    }
    let mut lines = vec![format!(
        "config file: {}{}",
        listing.config_file,
        if listing.config_found {
            ""
        } else {
            " (not found)"
        }
    )];
    let names: Vec<String> = listing
        .profiles
        .iter()
        .map(|p| {
            // `(default)` when chosen with `config use`; the implicit `default` is not marked.
            let chosen = listing.default_profile.is_some() && p.default;
            let marks: Vec<&str> = [(chosen, "default"), (p.active, "active")]
                .into_iter()
                .filter_map(|(on, m)| on.then_some(m))
                .collect();
            if marks.is_empty() {
                p.name.clone()
            } else {
                format!("{} ({})", p.name, marks.join(", "))
            }
        })
        .collect();
    lines.push(format!(
        "profiles: {}",
        if names.is_empty() {
            format!("none (active: {})", listing.active_profile)
        } else {
            names.join(", ")
        }
    ));
    for setting in &listing.settings {
        let shown = if setting.secret {
            format!("{:<6}", if setting.set { "set" } else { "unset" })
        } else {
            setting.value.clone().unwrap_or_else(|| String::from("-"))
        };
        lines.push(format!("{:<24} {shown} ({})", setting.name, setting.source));
    }
    app.write_output(None, "the output", |w| {
        lines.iter().try_for_each(|l| writeln!(w, "{l}"))
    })
}

/// Asks a yes/no question of a destructive command on the terminal; without a terminal
/// (cron, CI, ssh) the command needs `--yes`, a usage error otherwise.
pub(crate) fn confirm(question: &str) -> Result<bool> {
    use std::io::IsTerminal;
    let stdin = std::io::stdin();
    let terminal = stdin.is_terminal();
    meeting_sync::confirm::confirm(
        question,
        &mut stdin.lock(),
        &mut std::io::stderr().lock(),
        terminal,
    )
    .map_err(|e| CliError::usage(e.to_string()))
}

/// A backup's directory must exist: a clear message rather than SQLite's "unable to open".
pub(crate) fn backup_directory_exists(file: &std::path::Path) -> Result<()> {
    Ok(meeting_sync::outputs::directory_exists(file)?)
}

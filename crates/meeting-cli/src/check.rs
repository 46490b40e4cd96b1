//! `meeting config check`: the configuration, and the Systec credentials with one cheap call;
//! `meeting config list`: the profiles and where each setting comes from. Both print lines
//! for people or, with `-o json`, one object with the stable fields named in their `--help`.

use serde::Serialize;

use crate::app::App;
use crate::cli::StatusFormat;
use crate::clients::{self, Tuning};
use crate::error::{CliError, Result};

/// One vendor's line of `config check`.
#[derive(Serialize)]
struct VendorCheck {
    /// `ok`, `failed`, `not_configured`, `not_checked` or `incomplete`.
    status: &'static str,
    message: String,
}

/// `meeting config check -o json`.
#[derive(Serialize)]
struct CheckJson<'a> {
    config_file: String,
    config_found: bool,
    profile: &'a str,
    vendor_zone: &'a str,
    report_zone: &'a str,
    systec: VendorCheck,
    quanshi: VendorCheck,
    ok: bool,
}

pub(crate) fn config_check(app: &App<'_>, format: StatusFormat) -> Result<()> {
    let s = &app.settings;
    let found = s.path.exists();
    let mut failure = None;
    let systec = if s.systec_api_key.is_some() || s.systec_api_secret.is_some() {
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
            Ok(_) => VendorCheck {
                status: "ok",
                message: String::from("credentials accepted; one detail call, page size 1"),
            },
            Err(e) => {
                let check = VendorCheck {
                    status: "failed",
                    message: e.to_string(),
                };
                failure = Some(CliError::http(&e));
                check
            }
        }
    } else {
        VendorCheck {
            status: "not_configured",
            message: String::from("SYSTEC_API_KEY, SYSTEC_API_SECRET"),
        }
    };
    let quanshi = match (&s.quanshi_token, &s.quanshi_base_url) {
        (Some(_), Some(url)) => VendorCheck {
            status: "not_checked",
            message: format!(
                "token set, base URL {}{}; not checked (Quanshi has no cheap read-only call)",
                crate::config::mask_url_password(url),
                if s.quanshi_conference_path.is_some() {
                    ", join-link path set"
                } else {
                    ", join-link path not set (QUANSHI_CONFERENCE_PATH)"
                }
            ),
        },
        (Some(_), None) => VendorCheck {
            status: "incomplete",
            message: String::from("token set but no base URL (QUANSHI_BASE_URL)"),
        },
        (None, _) => VendorCheck {
            status: "not_configured",
            message: String::from("QUANSHI_TOKEN, QUANSHI_BASE_URL"),
        },
    };
    let nothing = failure.is_none() && s.systec_api_key.is_none() && s.quanshi_token.is_none();
    match format {
        StatusFormat::Json => {
            let json = CheckJson {
                config_file: s.path.display().to_string(),
                config_found: found,
                profile: &s.profile_name,
                vendor_zone: app.vendor_tz.name(),
                report_zone: app.tz.name(),
                ok: failure.is_none() && !nothing,
                systec,
                quanshi,
            };
            write_json(app, &json)?;
        }
        StatusFormat::Text => {
            let line = |vendor: &str, c: &VendorCheck| match c.status {
                "ok" => format!("{vendor}: OK ({})", c.message),
                "failed" => format!("{vendor}: FAILED: {}", c.message),
                "not_configured" => format!("{vendor}: not configured ({})", c.message),
                _ => format!("{vendor}: {}", c.message),
            };
            let lines = [
                format!(
                    "config file: {} (profile `{}`){}",
                    s.path.display(),
                    s.profile_name,
                    if found {
                        ""
                    } else {
                        ", not found: using the environment only"
                    }
                ),
                format!(
                    "vendor zone: {}   display zone: {}",
                    app.vendor_tz.name(),
                    app.tz.name()
                ),
                line("systec", &systec),
                line("quanshi", &quanshi),
            ];
            app.write_output(None, "the output", |w| {
                lines.iter().try_for_each(|l| writeln!(w, "{l}"))
            })?;
        }
    }
    if nothing {
        return Err(CliError::usage(
            "nothing is configured: set SYSTEC_API_KEY and SYSTEC_API_SECRET (or QUANSHI_TOKEN and QUANSHI_BASE_URL), or run `meeting config init`",
        ));
    }
    match failure {
        Some(f) => Err(f),
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

/// A profile of `config list -o json`.
#[derive(Serialize)]
struct ProfileJson {
    name: String,
    default: bool,
    active: bool,
}

/// A setting of `config list -o json`.
#[derive(Serialize)]
struct SettingJson {
    name: &'static str,
    /// The value (a base URL's password masked); `null` for secrets and unset values.
    value: Option<String>,
    set: bool,
    source: String,
}

/// `meeting config list -o json`.
#[derive(Serialize)]
struct ListJson {
    config_file: String,
    config_found: bool,
    default_profile: Option<String>,
    active_profile: String,
    profiles: Vec<ProfileJson>,
    settings: Vec<SettingJson>,
}

/// `meeting config list`: profiles, the default and the active one, and where each setting
/// comes from. Secrets are shown as set or unset; a password in a base URL as `***`.
pub(crate) fn config_list(app: &App<'_>, format: StatusFormat) -> Result<()> {
    let s = &app.settings;
    let config = crate::config::load_config(&s.path)?;
    let p = &s.profile;
    let found = s.path.exists();
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
    let rows: [(&'static str, &str, Option<&String>, bool, bool); 6] = [
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
    let mut settings: Vec<SettingJson> = rows
        .iter()
        .map(|(name, var, value, in_profile, secret)| SettingJson {
            name,
            value: if *secret {
                None
            } else {
                value.map(|v| crate::config::mask_url_password(v))
            },
            set: value.is_some(),
            source: origin(var, *in_profile),
        })
        .collect();
    settings.push(SettingJson {
        name: "vendor_tz",
        value: Some(app.vendor_tz.name().to_owned()),
        set: true,
        source: if app.g.vendor_tz.is_some() {
            String::from("--vendor-tz or MEETING_VENDOR_TZ")
        } else if p.vendor_tz.is_some() {
            format!("profile `{}`", s.profile_name)
        } else {
            String::from("default")
        },
    });
    settings.push(SettingJson {
        name: "tz",
        value: Some(app.tz.name().to_owned()),
        set: true,
        source: if app.g.tz.is_some() {
            String::from("--tz or MEETING_TZ")
        } else if p.tz.is_some() {
            format!("profile `{}`", s.profile_name)
        } else {
            String::from("the vendor zone")
        },
    });
    let default_name = config.default_name().to_owned();
    let profiles: Vec<ProfileJson> = config
        .profiles
        .keys()
        .map(|n| ProfileJson {
            name: n.clone(),
            default: *n == default_name,
            active: *n == s.profile_name,
        })
        .collect();
    if format == StatusFormat::Json {
        return write_json(
            app,
            &ListJson {
                config_file: s.path.display().to_string(),
                config_found: found,
                default_profile: config.default_profile,
                active_profile: s.profile_name.clone(),
                profiles,
                settings,
            },
        );
    }
    let mut lines = vec![format!(
        "config file: {}{}",
        s.path.display(),
        if found { "" } else { " (not found)" }
    )];
    let names: Vec<String> = profiles
        .iter()
        .map(|p| {
            // `(default)` when chosen with `config use`; the implicit `default` is not marked.
            let chosen = config.default_profile.is_some() && p.default;
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
            format!("none (active: {})", s.profile_name)
        } else {
            names.join(", ")
        }
    ));
    for (row, setting) in rows.iter().zip(&settings) {
        let shown = if row.4 {
            format!("{:<6}", if setting.set { "set" } else { "unset" })
        } else {
            setting.value.clone().unwrap_or_else(|| String::from("-"))
        };
        lines.push(format!("{:<24} {shown} ({})", setting.name, setting.source));
    }
    for setting in settings.iter().skip(rows.len()) {
        lines.push(format!(
            "{:<24} {} ({})",
            setting.name,
            setting.value.as_deref().unwrap_or("-"),
            setting.source
        ));
    }
    app.write_output(None, "the output", |w| {
        lines.iter().try_for_each(|l| writeln!(w, "{l}"))
    })
}

/// Midnight of `day` in `zone`, as an instant (the earliest, on a day that starts in a
/// clock change): where a day typed in the report zone begins.
pub(crate) fn day_start(
    day: chrono::NaiveDate,
    zone: chrono_tz::Tz,
) -> Option<chrono::DateTime<chrono::Utc>> {
    use chrono::TimeZone;
    let midnight = day.and_hms_opt(0, 0, 0)?;
    zone.from_local_datetime(&midnight)
        .earliest()
        .or_else(|| {
            // A zone whose clock skips midnight: the first instant of the day.
            zone.from_local_datetime(&day.and_hms_opt(1, 0, 0)?)
                .earliest()
        })
        .map(|t| t.with_timezone(&chrono::Utc))
}

/// Asks a yes/no question of a destructive command on the terminal; without a terminal
/// (cron, CI, ssh) the command needs `--yes`, a usage error otherwise.
pub(crate) fn confirm(question: &str) -> Result<bool> {
    use std::io::{BufRead, IsTerminal, Write as _};
    if !std::io::stdin().is_terminal() {
        return Err(CliError::usage(
            "stdin is not a terminal, so there is no one to ask: pass --yes to delete, or --dry-run to see what would be deleted",
        ));
    }
    let mut stderr = std::io::stderr().lock();
    let _ = write!(stderr, "{question} [y/N] ");
    let _ = stderr.flush();
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|e| CliError::usage(format!("cannot read the answer: {e}")))?;
    Ok(matches!(line.trim(), "y" | "Y" | "yes" | "YES" | "Yes"))
}

/// A backup's directory must exist: a clear message rather than SQLite's "unable to open".
pub(crate) fn backup_directory_exists(file: &std::path::Path) -> Result<()> {
    let dir = match file.parent() {
        Some(d) if d.as_os_str().is_empty() => return Ok(()),
        Some(d) => d,
        None => return Ok(()),
    };
    if dir.is_dir() {
        return Ok(());
    }
    Err(CliError::usage(format!(
        "cannot back up to {}: the directory {} does not exist. Create it first (`mkdir -p {}`) or choose another path",
        file.display(),
        dir.display(),
        dir.display()
    )))
}

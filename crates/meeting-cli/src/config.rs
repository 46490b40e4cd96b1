//! Configuration: the config file with profiles, the environment, and their precedence
//! (flags > environment > profile > defaults).
//!
//! The file (default `~/.config/meeting/config.toml`; `--config FILE` or `MEETING_CONFIG`
//! override the path) holds one table per profile:
//!
//! ```toml
//! [default]
//! systec_api_key = "..."
//! systec_api_secret = "..."
//! systec_base_url = "https://api.systeccloud.com/umeeting/share/"
//! quanshi_token = "..."
//! quanshi_base_url = "https://quanshi.example/"
//! quanshi_conference_path = "confopenapi/conference/queryByAttendeeJoinUrl"
//! vendor_tz = "Asia/Shanghai"
//! tz = "Asia/Shanghai"
//! rate_limit = 10           # requests per second, 0 = off
//! reports_rate_limit = 1    # reports requests per second, 0 = off
//! page_size = 30
//! concurrency = 4
//! max_attempts = 6          # attempts per call for transient failures (1 = never retry)
//! ```
//!
//! A top-level `default_profile = "NAME"` (written by `meeting config use NAME`) names the
//! profile used when neither `--profile` nor `MEETING_PROFILE` is given; without it, the
//! profile `default`.
//!
//! A file that holds a secret and is readable by group or others is refused.

use std::collections::BTreeMap;
use std::io::{BufRead, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{CliError, Result};

/// One profile of the config file. Secrets are never printed: no `Debug`.
#[derive(Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Profile {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) systec_api_key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) systec_api_secret: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) systec_base_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) quanshi_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) quanshi_base_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) quanshi_conference_path: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) vendor_tz: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) tz: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) rate_limit: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) reports_rate_limit: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) page_size: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) concurrency: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) max_attempts: Option<u32>,
}

impl Profile {
    fn has_secret(&self) -> bool {
        self.systec_api_key.is_some()
            || self.systec_api_secret.is_some()
            || self.quanshi_token.is_some()
    }
}

/// The config file's path: `--config`/`MEETING_CONFIG`, else `~/.config/meeting/config.toml`.
pub(crate) fn config_path(flag: Option<&Path>) -> Result<PathBuf> {
    if let Some(p) = flag {
        return Ok(p.to_path_buf());
    }
    use etcetera::BaseStrategy;
    let base = etcetera::choose_base_strategy().map_err(|e| {
        CliError::usage(format!(
            "cannot find the configuration directory ({e}); pass --config FILE or set MEETING_CONFIG"
        ))
    })?;
    Ok(base.config_dir().join("meeting").join("config.toml"))
}

/// The top-level key naming the default profile.
const DEFAULT_PROFILE_KEY: &str = "default_profile";

/// The config file: its profiles and the default one (`meeting config use NAME`).
#[derive(Clone, Default)]
pub(crate) struct ConfigFile {
    pub(crate) default_profile: Option<String>,
    pub(crate) profiles: BTreeMap<String, Profile>,
}

impl ConfigFile {
    /// The profile used when none is asked for: the file's default, else `default`.
    pub(crate) fn default_name(&self) -> &str {
        self.default_profile.as_deref().unwrap_or("default")
    }

    /// The file's text: `default_profile` first (a TOML key before the tables), then one
    /// table per profile.
    fn render(&self) -> Result<String> {
        let mut text = String::new();
        if let Some(name) = &self.default_profile {
            text.push_str(&format!(
                "{DEFAULT_PROFILE_KEY} = {}\n\n",
                toml::Value::String(name.clone())
            ));
        }
        text.push_str(
            &toml::to_string(&self.profiles)
                .map_err(|e| CliError::usage(format!("cannot write the configuration: {e}")))?,
        );
        Ok(text)
    }
}

/// Reads the config file's profiles; a missing file is an empty configuration.
pub(crate) fn load_file(path: &Path) -> Result<BTreeMap<String, Profile>> {
    load_config(path).map(|c| c.profiles)
}

/// Reads the config file; a missing file is an empty configuration.
pub(crate) fn load_config(path: &Path) -> Result<ConfigFile> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(ConfigFile::default()),
        Err(e) => {
            return Err(CliError::usage(format!(
                "cannot read the config file {}: {e}",
                path.display()
            )));
        }
    };
    check_not_writable_by_others(path)?;
    let invalid = |message: &str| {
        CliError::usage(format!(
            "the config file {} is not valid: {message}. Fix it or rewrite the profile with `meeting config init --force`.",
            path.display(),
        ))
    };
    let mut table: toml::Table = toml::from_str(&text).map_err(|e| invalid(e.message()))?;
    let default_profile = match table.remove(DEFAULT_PROFILE_KEY) {
        None => None,
        Some(toml::Value::String(name)) => Some(name),
        Some(_) => {
            return Err(invalid(&format!(
                "`{DEFAULT_PROFILE_KEY}` must be a profile's name (set it with `meeting config use NAME`)"
            )));
        }
    };
    let profiles: BTreeMap<String, Profile> = toml::Value::Table(table)
        .try_into()
        .map_err(|e: toml::de::Error| invalid(e.message()))?;
    if profiles.values().any(Profile::has_secret) {
        check_private(path)?;
    }
    Ok(ConfigFile {
        default_profile,
        profiles,
    })
}

/// `meeting config use NAME`: makes NAME (a profile of the file) the default profile; the
/// file is rewritten atomically, mode 0600.
pub(crate) fn use_profile(path: &Path, name: &str, stderr: &mut dyn Write) -> Result<()> {
    let mut config = load_config(path)?;
    if !config.profiles.contains_key(name) {
        let known: Vec<&str> = config.profiles.keys().map(String::as_str).collect();
        return Err(CliError::usage(format!(
            "no profile `{name}` in {} (profiles there: {}). Create it first with `meeting config init --profile {name}`.",
            path.display(),
            if known.is_empty() {
                String::from("none")
            } else {
                known.join(", ")
            }
        )));
    }
    config.default_profile = Some(name.to_owned());
    write_private(path, config.render()?.as_bytes())
        .map_err(|e| CliError::usage(format!("cannot write {}: {e}", path.display())))?;
    let _ = writeln!(
        stderr,
        "default profile: `{name}` (in {}); --profile or MEETING_PROFILE still choose another",
        path.display()
    );
    Ok(())
}

/// A URL with the password of its user information (`https://user:PASSWORD@host/`)
/// replaced by `***`, for printing.
pub(crate) fn mask_url_password(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_owned();
    };
    let authority_start = scheme_end + 3;
    let rest = url.get(authority_start..).unwrap_or_default();
    let authority_len = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let authority = rest.get(..authority_len).unwrap_or_default();
    let Some(at) = authority.rfind('@') else {
        return url.to_owned();
    };
    let userinfo = authority.get(..at).unwrap_or_default();
    let Some(colon) = userinfo.find(':') else {
        return url.to_owned();
    };
    format!(
        "{}{}:***{}",
        url.get(..authority_start).unwrap_or_default(),
        userinfo.get(..colon).unwrap_or_default(),
        rest.get(at..).unwrap_or_default()
    )
}

/// Refuses a secret-holding file that group or others can read.
#[cfg(unix)]
fn check_private(path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path)
        .map(|m| m.permissions().mode())
        .unwrap_or(0);
    if mode & 0o077 != 0 {
        return Err(CliError::usage(format!(
            "refusing to read {p}: it holds credentials and is readable by others (mode {m:03o}). Run `chmod 600 {p}` and try again.",
            p = path.display(),
            m = mode & 0o777
        )));
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private(_path: &Path) -> Result<()> {
    Ok(())
}

/// Refuses a config file, or a directory holding it, that group or others can write, as
/// ssh does: whatever it holds today, someone else could point the base URLs elsewhere and
/// receive the credentials from the environment.
#[cfg(unix)]
fn check_not_writable_by_others(path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let writable = |p: &Path| {
        std::fs::metadata(p)
            .map(|m| m.permissions().mode())
            .ok()
            .filter(|mode| mode & 0o022 != 0)
    };
    if let Some(mode) = writable(path) {
        return Err(CliError::usage(format!(
            "refusing to read {p}: group or others can write it (mode {m:03o}), so they could redirect your credentials. Run `chmod go-w {p}` and try again.",
            p = path.display(),
            m = mode & 0o777
        )));
    }
    let dir = match path.parent() {
        Some(d) if d.as_os_str().is_empty() => Path::new("."),
        Some(d) => d,
        None => return Ok(()),
    };
    if let Some(mode) = writable(dir) {
        return Err(CliError::usage(format!(
            "refusing to read {p}: its directory {d} is writable by group or others (mode {m:03o}), so they could replace the file. Run `chmod go-w {d}` or keep the config elsewhere (--config, MEETING_CONFIG).",
            p = path.display(),
            d = dir.display(),
            m = mode & 0o777
        )));
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_not_writable_by_others(_path: &Path) -> Result<()> {
    Ok(())
}

/// A non-empty environment variable.
pub(crate) fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// Everything a command needs, resolved by precedence.
#[derive(Clone)]
pub(crate) struct Settings {
    pub(crate) path: PathBuf,
    pub(crate) profile_name: String,
    pub(crate) profile: Profile,
    pub(crate) systec_api_key: Option<String>,
    pub(crate) systec_api_secret: Option<String>,
    pub(crate) systec_base_url: Option<String>,
    pub(crate) quanshi_token: Option<String>,
    pub(crate) quanshi_base_url: Option<String>,
    pub(crate) quanshi_conference_path: Option<String>,
}

/// Resolves the profile and the environment.
pub(crate) fn resolve(config_flag: Option<&Path>, profile_flag: Option<&str>) -> Result<Settings> {
    let path = config_path(config_flag)?;
    let config = load_config(&path)?;
    let profile_name = profile_flag.unwrap_or(config.default_name()).to_owned();
    let mut profiles = config.profiles;
    let profile = match profiles.remove(&profile_name) {
        Some(p) => p,
        None if profile_name == "default" => Profile::default(),
        None => {
            let known: Vec<&str> = profiles.keys().map(String::as_str).collect();
            return Err(CliError::usage(format!(
                "no profile `{profile_name}` in {} (profiles there: {}). Create it with `meeting config init --profile {profile_name}`.",
                path.display(),
                if known.is_empty() {
                    String::from("none")
                } else {
                    known.join(", ")
                }
            )));
        }
    };
    let pick = |var: &str, from_profile: &Option<String>| env(var).or_else(|| from_profile.clone());
    Ok(Settings {
        systec_api_key: pick("SYSTEC_API_KEY", &profile.systec_api_key),
        systec_api_secret: pick("SYSTEC_API_SECRET", &profile.systec_api_secret),
        systec_base_url: pick("SYSTEC_BASE_URL", &profile.systec_base_url),
        quanshi_token: pick("QUANSHI_TOKEN", &profile.quanshi_token),
        quanshi_base_url: pick("QUANSHI_BASE_URL", &profile.quanshi_base_url),
        quanshi_conference_path: pick("QUANSHI_CONFERENCE_PATH", &profile.quanshi_conference_path),
        path,
        profile_name,
        profile,
    })
}

/// Reads one secret: from the terminal without echo, or one line of piped stdin.
fn read_secret(prompt: &str, stderr: &mut dyn Write, stdin_is_tty: bool) -> Result<Option<String>> {
    let mut line = String::new();
    if stdin_is_tty {
        let _ = write!(stderr, "{prompt}: ");
        let _ = stderr.flush();
        let echo_off = set_echo(false);
        let read = std::io::stdin().lock().read_line(&mut line);
        if echo_off {
            set_echo(true);
        }
        let _ = writeln!(stderr);
        read.map_err(|e| CliError::usage(format!("cannot read from the terminal: {e}")))?;
    } else {
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .map_err(|e| CliError::usage(format!("cannot read stdin: {e}")))?;
    }
    let value = line.trim().to_owned();
    Ok((!value.is_empty()).then_some(value))
}

/// Turns terminal echo on or off with `stty` (no terminal crate is a dependency).
fn set_echo(on: bool) -> bool {
    let Ok(tty) = std::fs::File::open("/dev/tty") else {
        return false;
    };
    std::process::Command::new("stty")
        .arg(if on { "echo" } else { "-echo" })
        .stdin(tty)
        .status()
        .is_ok_and(|s| s.success())
}

/// `meeting config init`: writes the profile, mode 0600, atomically.
pub(crate) fn init(
    path: &Path,
    profile_name: &str,
    vendor_tz: Option<&str>,
    force: bool,
    stderr: &mut dyn Write,
) -> Result<()> {
    let mut config = load_config(path)?;
    if config.profiles.contains_key(profile_name) && !force {
        return Err(CliError::usage(format!(
            "the profile `{profile_name}` already exists in {}; pass --force to replace it",
            path.display()
        )));
    }
    let stdin_is_tty = std::io::IsTerminal::is_terminal(&std::io::stdin());
    let mut secret = |var: &str, prompt: &str| -> Result<Option<String>> {
        match env(var) {
            Some(v) => Ok(Some(v)),
            None => read_secret(prompt, stderr, stdin_is_tty),
        }
    };
    let profile = Profile {
        systec_api_key: secret("SYSTEC_API_KEY", "Systec API key (empty to skip)")?,
        systec_api_secret: secret("SYSTEC_API_SECRET", "Systec API secret (empty to skip)")?,
        quanshi_token: secret("QUANSHI_TOKEN", "Quanshi token (empty to skip)")?,
        systec_base_url: env("SYSTEC_BASE_URL"),
        quanshi_base_url: env("QUANSHI_BASE_URL"),
        quanshi_conference_path: env("QUANSHI_CONFERENCE_PATH"),
        vendor_tz: vendor_tz.map(str::to_owned),
        ..Profile::default()
    };
    config.profiles.insert(profile_name.to_owned(), profile);
    let text = config.render()?;
    write_private(path, text.as_bytes())
        .map_err(|e| CliError::usage(format!("cannot write {}: {e}", path.display())))?;
    let _ = writeln!(
        stderr,
        "wrote profile `{profile_name}` to {} (mode 0600); check it with `meeting config check{}`",
        path.display(),
        if profile_name == "default" {
            String::new()
        } else {
            format!(" --profile {profile_name}")
        }
    );
    Ok(())
}

/// Writes `bytes` to `path` atomically (a temporary file in the same directory, created
/// with mode 0600, then renamed).
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| String::from("config.toml"));
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let result = (|| {
        let mut file = options.open(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::mask_url_password;

    #[test]
    fn passwords_in_urls_are_masked() {
        assert_eq!(
            mask_url_password("https://user:pw@host.example/api/"),
            "https://user:***@host.example/api/"
        );
        assert_eq!(
            mask_url_password("https://u:p:q@h/x@y"),
            "https://u:***@h/x@y"
        );
        assert_eq!(
            mask_url_password("https://user@host/"),
            "https://user@host/"
        );
        assert_eq!(mask_url_password("https://host/a@b"), "https://host/a@b");
        assert_eq!(mask_url_password("not a url"), "not a url");
    }
}

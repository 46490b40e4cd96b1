//! Configuration: the config file with profiles, the environment, and their precedence
//! (flags > environment > profile > defaults).
//!
//! The file (default `~/.config/meeting/config.toml`; a caller may give another path, as
//! the CLI's `--config FILE` or `MEETING_CONFIG` do) holds one table per profile:
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
//! A top-level `default_profile = "NAME"` (written by [`use_profile`]) names the profile used
//! when none is asked for; without it, the profile `default`.
//!
//! A file that holds a secret and is readable by group or others is refused, and so is a
//! file (or its directory) that group or others can write.
//!
//! Nothing here prints: the functions return typed values and [`ConfigError`]s, whose
//! messages say what to do next; a caller renders them.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

/// A configuration that cannot be read, written or used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The platform has no configuration directory.
    #[error(
        "cannot find the configuration directory ({0}); pass --config FILE or set MEETING_CONFIG"
    )]
    NoConfigDir(String),
    /// The file exists but cannot be read.
    #[error("cannot read the config file {}: {source}", path.display())]
    Read {
        /// The config file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not valid TOML or holds unknown keys.
    #[error(
        "the config file {} is not valid: {message}. Fix it or rewrite the profile with `meeting config init --force`.",
        path.display()
    )]
    Invalid {
        /// The config file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// The file holds credentials and group or others can read it.
    #[error(
        "refusing to read {p}: it holds credentials and is readable by others (mode {mode:03o}). Run `chmod 600 {p}` and try again.",
        p = path.display()
    )]
    ReadableByOthers {
        /// The config file.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// Group or others can write the file.
    #[error(
        "refusing to read {p}: group or others can write it (mode {mode:03o}), so they could redirect your credentials. Run `chmod go-w {p}` and try again.",
        p = path.display()
    )]
    WritableByOthers {
        /// The config file.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// Group or others can write the file's directory.
    #[error(
        "refusing to read {p}: its directory {d} is writable by group or others (mode {mode:03o}), so they could replace the file. Run `chmod go-w {d}` or keep the config elsewhere (--config, MEETING_CONFIG).",
        p = path.display(),
        d = dir.display()
    )]
    DirectoryWritableByOthers {
        /// The config file.
        path: PathBuf,
        /// Its directory.
        dir: PathBuf,
        /// The directory's permission bits.
        mode: u32,
    },
    /// A profile asked for is not in the file.
    #[error(
        "no profile `{name}` in {} (profiles there: {}). Create it with `meeting config init --profile {name}`.",
        path.display(),
        names_or_none(known)
    )]
    UnknownProfile {
        /// The profile asked for.
        name: String,
        /// The config file.
        path: PathBuf,
        /// The profiles the file has.
        known: Vec<String>,
    },
    /// [`use_profile`] of a profile that is not in the file.
    #[error(
        "no profile `{name}` in {} (profiles there: {}). Create it first with `meeting config init --profile {name}`.",
        path.display(),
        names_or_none(known)
    )]
    UseUnknownProfile {
        /// The profile asked for.
        name: String,
        /// The config file.
        path: PathBuf,
        /// The profiles the file has.
        known: Vec<String>,
    },
    /// [`init_profile`] of a profile that exists, without `force`.
    #[error(
        "the profile `{name}` already exists in {}; pass --force to replace it",
        path.display()
    )]
    ProfileExists {
        /// The profile.
        name: String,
        /// The config file.
        path: PathBuf,
    },
    /// The configuration could not be rendered as TOML.
    #[error("cannot write the configuration: {0}")]
    Render(String),
    /// The file could not be written.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// The config file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A zone name that is not an IANA zone.
    #[error(
        "unknown time zone `{name}` for {what}: expected an IANA name like Asia/Shanghai, UTC or America/New_York"
    )]
    UnknownZone {
        /// The name given.
        name: String,
        /// Where it was given (`--tz`, `--vendor-tz`).
        what: String,
    },
    /// A profile with neither vendor configured.
    #[error(
        "profile `{0}` has no vendor configured: set SYSTEC_API_KEY and SYSTEC_API_SECRET (or QUANSHI_TOKEN and QUANSHI_BASE_URL), or add them with `meeting config init --profile {0}`; no archive was opened"
    )]
    NoVendor(String),
    /// Quanshi lookups asked of a profile without Quanshi.
    #[error(
        "--ids: profile `{0}` has no Quanshi token and base URL (QUANSHI_TOKEN, QUANSHI_BASE_URL)"
    )]
    NoQuanshiForIds(String),
    /// Every profile asked for, but the file has none.
    #[error(
        "--all-profiles: no profiles in {} (create one with `meeting config init --profile NAME`)",
        .0.display()
    )]
    NoProfiles(PathBuf),
    /// Systec asked for without its credentials.
    #[error(
        "no Systec credentials: set SYSTEC_API_KEY and SYSTEC_API_SECRET, or add them to the profile `{profile}` in {} with `meeting config init`",
        path.display()
    )]
    NoSystecCredentials {
        /// The profile.
        profile: String,
        /// The config file.
        path: PathBuf,
    },
    /// Quanshi asked for without its token.
    #[error(
        "no Quanshi token: set QUANSHI_TOKEN, or add it to the profile `{profile}` in {} with `meeting config init`",
        path.display()
    )]
    NoQuanshiToken {
        /// The profile.
        profile: String,
        /// The config file.
        path: PathBuf,
    },
    /// Quanshi asked for without a base URL (the vendor documents none).
    #[error(
        "no Quanshi base URL (the vendor documents none): set QUANSHI_BASE_URL or the profile's quanshi_base_url"
    )]
    NoQuanshiBaseUrl,
    /// A base URL that is not an http(s) URL. The value is as given: escape it before
    /// showing it on a terminal.
    #[error(
        "{var} (or the profile's {key}) is `{value}`, which is not a URL: expected https://host/path/ (plain http only on this machine, 127.0.0.1)"
    )]
    NotAUrl {
        /// The environment variable.
        var: &'static str,
        /// The profile's key.
        key: &'static str,
        /// The value given (trimmed).
        value: String,
    },
}

fn names_or_none(names: &[String]) -> String {
    if names.is_empty() {
        String::from("none")
    } else {
        names.join(", ")
    }
}

/// One profile of the config file. Secrets are never printed: no `Debug`.
#[derive(Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
#[allow(missing_docs)] // The keys are documented in the module's example.
pub struct Profile {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub systec_api_key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub systec_api_secret: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub systec_base_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quanshi_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quanshi_base_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quanshi_conference_path: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vendor_tz: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tz: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_limit: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reports_rate_limit: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_size: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub concurrency: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_attempts: Option<u32>,
}

impl Profile {
    fn has_secret(&self) -> bool {
        self.systec_api_key.is_some()
            || self.systec_api_secret.is_some()
            || self.quanshi_token.is_some()
    }
}

/// The config file's path: `flag` when given, else `~/.config/meeting/config.toml` (the
/// platform's configuration directory).
///
/// # Errors
///
/// [`ConfigError::NoConfigDir`] when the platform has none.
pub fn config_path(flag: Option<&Path>) -> Result<PathBuf, ConfigError> {
    if let Some(p) = flag {
        return Ok(p.to_path_buf());
    }
    use etcetera::BaseStrategy;
    let base =
        etcetera::choose_base_strategy().map_err(|e| ConfigError::NoConfigDir(e.to_string()))?;
    Ok(base.config_dir().join("meeting").join("config.toml"))
}

/// The top-level key naming the default profile.
const DEFAULT_PROFILE_KEY: &str = "default_profile";

/// The config file: its profiles and the default one ([`use_profile`]).
#[derive(Clone, Default)]
pub struct ConfigFile {
    /// The profile named by `default_profile`, if any.
    pub default_profile: Option<String>,
    /// The profiles by name.
    pub profiles: BTreeMap<String, Profile>,
}

impl ConfigFile {
    /// Reads the config file; a missing file is an empty configuration.
    ///
    /// # Errors
    ///
    /// An unreadable or invalid file, or one with unsafe permissions.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(ConfigFile::default());
            }
            Err(source) => {
                return Err(ConfigError::Read {
                    path: path.to_path_buf(),
                    source,
                });
            }
        };
        check_not_writable_by_others(path)?;
        let invalid = |message: &str| ConfigError::Invalid {
            path: path.to_path_buf(),
            message: message.to_owned(),
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

    /// The profile used when none is asked for: the file's default, else `default`.
    #[must_use]
    pub fn default_name(&self) -> &str {
        self.default_profile.as_deref().unwrap_or("default")
    }

    /// The file's text: `default_profile` first (a TOML key before the tables), then one
    /// table per profile.
    fn render(&self) -> Result<String, ConfigError> {
        let mut text = String::new();
        if let Some(name) = &self.default_profile {
            text.push_str(&format!(
                "{DEFAULT_PROFILE_KEY} = {}\n\n",
                toml::Value::String(name.clone())
            ));
        }
        text.push_str(
            &toml::to_string(&self.profiles).map_err(|e| ConfigError::Render(e.to_string()))?,
        );
        Ok(text)
    }

    /// Writes the file atomically, mode 0600.
    fn save(&self, path: &Path) -> Result<(), ConfigError> {
        write_private(path, self.render()?.as_bytes()).map_err(|source| ConfigError::Write {
            path: path.to_path_buf(),
            source,
        })
    }
}

/// Makes `name` (a profile of the file) the default profile; the file is rewritten
/// atomically, mode 0600.
///
/// # Errors
///
/// The file cannot be read or written, or has no such profile.
pub fn use_profile(path: &Path, name: &str) -> Result<(), ConfigError> {
    let mut config = ConfigFile::load(path)?;
    if !config.profiles.contains_key(name) {
        return Err(ConfigError::UseUnknownProfile {
            name: name.to_owned(),
            path: path.to_path_buf(),
            known: config.profiles.keys().cloned().collect(),
        });
    }
    config.default_profile = Some(name.to_owned());
    config.save(path)
}

/// Writes `profile` as `name` into the file (created if needed), mode 0600, atomically;
/// an existing profile of that name is replaced only with `force`.
///
/// # Errors
///
/// The file cannot be read or written, or the profile exists and `force` is off.
pub fn init_profile(
    path: &Path,
    name: &str,
    profile: Profile,
    force: bool,
) -> Result<(), ConfigError> {
    let mut config = ConfigFile::load(path)?;
    if config.profiles.contains_key(name) && !force {
        return Err(ConfigError::ProfileExists {
            name: name.to_owned(),
            path: path.to_path_buf(),
        });
    }
    config.profiles.insert(name.to_owned(), profile);
    config.save(path)
}

/// Whether `name` (an existing profile) could be replaced by [`init_profile`]: `force`, or
/// no such profile in the file. Checked before asking for secrets.
///
/// # Errors
///
/// The file cannot be read, or the profile exists and `force` is off.
pub fn check_init(path: &Path, name: &str, force: bool) -> Result<(), ConfigError> {
    if ConfigFile::load(path)?.profiles.contains_key(name) && !force {
        return Err(ConfigError::ProfileExists {
            name: name.to_owned(),
            path: path.to_path_buf(),
        });
    }
    Ok(())
}

/// A URL with the password of its user information (`https://user:PASSWORD@host/`)
/// replaced by `***`, for printing.
#[must_use]
pub fn mask_url_password(url: &str) -> String {
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
fn check_private(path: &Path) -> Result<(), ConfigError> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path)
        .map(|m| m.permissions().mode())
        .unwrap_or(0);
    if mode & 0o077 != 0 {
        return Err(ConfigError::ReadableByOthers {
            path: path.to_path_buf(),
            mode: mode & 0o777,
        });
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private(_path: &Path) -> Result<(), ConfigError> {
    Ok(())
}

/// Refuses a config file, or a directory holding it, that group or others can write, as
/// ssh does: whatever it holds today, someone else could point the base URLs elsewhere and
/// receive the credentials from the environment.
#[cfg(unix)]
fn check_not_writable_by_others(path: &Path) -> Result<(), ConfigError> {
    use std::os::unix::fs::PermissionsExt;
    let writable = |p: &Path| {
        std::fs::metadata(p)
            .map(|m| m.permissions().mode())
            .ok()
            .filter(|mode| mode & 0o022 != 0)
    };
    if let Some(mode) = writable(path) {
        return Err(ConfigError::WritableByOthers {
            path: path.to_path_buf(),
            mode: mode & 0o777,
        });
    }
    let dir = match path.parent() {
        Some(d) if d.as_os_str().is_empty() => Path::new("."),
        Some(d) => d,
        None => return Ok(()),
    };
    if let Some(mode) = writable(dir) {
        return Err(ConfigError::DirectoryWritableByOthers {
            path: path.to_path_buf(),
            dir: dir.to_path_buf(),
            mode: mode & 0o777,
        });
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_not_writable_by_others(_path: &Path) -> Result<(), ConfigError> {
    Ok(())
}

/// A non-empty environment variable.
#[must_use]
pub fn env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// Everything a job needs of the configuration, resolved by precedence (environment, then
/// profile). Secrets are never printed: no `Debug`.
#[derive(Clone)]
#[allow(missing_docs)] // The fields are the profile's keys, resolved.
pub struct Settings {
    /// The config file (it may not exist).
    pub path: PathBuf,
    /// The profile in use.
    pub profile_name: String,
    /// That profile as the file holds it (empty when the file has none).
    pub profile: Profile,
    pub systec_api_key: Option<String>,
    pub systec_api_secret: Option<String>,
    pub systec_base_url: Option<String>,
    pub quanshi_token: Option<String>,
    pub quanshi_base_url: Option<String>,
    pub quanshi_conference_path: Option<String>,
}

impl Settings {
    /// Whether the Systec key and secret are both set.
    #[must_use]
    pub fn has_systec(&self) -> bool {
        self.systec_api_key.is_some() && self.systec_api_secret.is_some()
    }

    /// Whether the Quanshi token and base URL are both set.
    #[must_use]
    pub fn has_quanshi(&self) -> bool {
        self.quanshi_token.is_some() && self.quanshi_base_url.is_some()
    }

    /// The zones: `vendor_flag`, else the profile's `vendor_tz`, else the default vendor
    /// zone; the report zone `tz_flag`, else the profile's `tz`, else the vendor zone (never
    /// silently the machine's).
    ///
    /// # Errors
    ///
    /// [`ConfigError::UnknownZone`] for a name that is not an IANA zone.
    pub fn zones(
        &self,
        vendor_flag: Option<&str>,
        tz_flag: Option<&str>,
    ) -> Result<Zones, ConfigError> {
        let vendor = match vendor_flag.or(self.profile.vendor_tz.as_deref()) {
            Some(name) => parse_zone(name, "--vendor-tz")?,
            None => meeting_core::DEFAULT_VENDOR_ZONE,
        };
        let report = match tz_flag.or(self.profile.tz.as_deref()) {
            Some(name) => parse_zone(name, "--tz")?,
            None => vendor,
        };
        Ok(Zones { vendor, report })
    }

    /// A profile that can sync nothing (no Systec credentials, no Quanshi token and base
    /// URL), or Quanshi lookups (`with_lookups`) without Quanshi, is an error.
    ///
    /// # Errors
    ///
    /// [`ConfigError::NoVendor`], [`ConfigError::NoQuanshiForIds`].
    pub fn check_vendors(&self, with_lookups: bool) -> Result<(), ConfigError> {
        let name = &self.profile_name;
        if !self.has_systec() && !self.has_quanshi() {
            return Err(ConfigError::NoVendor(name.clone()));
        }
        if !self.has_quanshi() && with_lookups {
            return Err(ConfigError::NoQuanshiForIds(name.clone()));
        }
        Ok(())
    }
}

/// The vendor zone (how the vendor writes times) and the report zone (the user's dates,
/// buckets and displayed times).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Zones {
    /// The vendor's zone.
    pub vendor: Tz,
    /// The report zone.
    pub report: Tz,
}

/// A parsed zone name, or an error naming where it was given (`what`).
///
/// # Errors
///
/// [`ConfigError::UnknownZone`].
pub fn parse_zone(name: &str, what: &str) -> Result<Tz, ConfigError> {
    name.trim()
        .parse::<Tz>()
        .map_err(|_| ConfigError::UnknownZone {
            name: name.to_owned(),
            what: what.to_owned(),
        })
}

/// Resolves the settings of `profile` (else the file's default profile) from the config
/// file at `path` and the environment (`SYSTEC_API_KEY`, ..., which win over the profile).
///
/// # Errors
///
/// The file cannot be read, or names no such profile (the implicit `default` may be absent).
pub fn resolve(path: PathBuf, profile: Option<&str>) -> Result<Settings, ConfigError> {
    let config = ConfigFile::load(&path)?;
    let profile_name = profile.unwrap_or(config.default_name()).to_owned();
    let mut profiles = config.profiles;
    let profile = match profiles.remove(&profile_name) {
        Some(p) => p,
        None if profile_name == "default" => Profile::default(),
        None => {
            return Err(ConfigError::UnknownProfile {
                name: profile_name,
                path,
                known: profiles.into_keys().collect(),
            });
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

/// A profile of [`ConfigListing`].
#[derive(Clone, Debug, Serialize)]
pub struct ListedProfile {
    /// Its name.
    pub name: String,
    /// Whether it is the one used when none is asked for.
    pub default: bool,
    /// Whether it is the one in use.
    pub active: bool,
}

/// A setting of [`ConfigListing`].
#[derive(Clone, Debug, Serialize)]
pub struct ListedSetting {
    /// The profile key.
    pub name: &'static str,
    /// The value (a base URL's password masked); `None` for secrets and unset values.
    pub value: Option<String>,
    /// Whether it is set.
    pub set: bool,
    /// Where it comes from (`environment VAR`, `profile `NAME``, `not set`, ...).
    pub source: String,
    /// A secret: shown as set or unset only.
    #[serde(skip)]
    pub secret: bool,
}

/// The profiles, the default and the active one, and where each setting comes from
/// (`meeting config list`); serialises as its `-o json` object.
#[derive(Clone, Debug, Serialize)]
pub struct ConfigListing {
    /// The config file.
    pub config_file: String,
    /// Whether it exists.
    pub config_found: bool,
    /// The file's `default_profile`.
    pub default_profile: Option<String>,
    /// The profile in use.
    pub active_profile: String,
    /// The file's profiles.
    pub profiles: Vec<ListedProfile>,
    /// The credentials and base URLs, then the zones.
    pub settings: Vec<ListedSetting>,
}

/// Lists the configuration of `s`: its file's profiles and each setting with its source.
/// `zones` are the resolved zones, `vendor_flag`/`tz_flag` whether a flag (or its variable)
/// gave them. Secrets are listed as set or unset; a password in a base URL as `***`.
///
/// # Errors
///
/// The config file cannot be read.
pub fn list(
    s: &Settings,
    zones: Zones,
    vendor_flag: bool,
    tz_flag: bool,
) -> Result<ConfigListing, ConfigError> {
    let config = ConfigFile::load(&s.path)?;
    let p = &s.profile;
    let in_profile = format!("profile `{}`", s.profile_name);
    let origin = |var: &str, set_in_profile: bool| {
        if env(var).is_some() {
            format!("environment {var}")
        } else if set_in_profile {
            in_profile.clone()
        } else {
            String::from("not set")
        }
    };
    // (name, variable, resolved value, set in the profile, secret)
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
    let mut settings: Vec<ListedSetting> = rows
        .iter()
        .map(|(name, var, value, set_in_profile, secret)| ListedSetting {
            name,
            value: if *secret {
                None
            } else {
                value.map(|v| mask_url_password(v))
            },
            set: value.is_some(),
            source: origin(var, *set_in_profile),
            secret: *secret,
        })
        .collect();
    let zone = |name: &'static str, tz: Tz, flag: Option<&str>, in_file: bool, default: &str| {
        ListedSetting {
            name,
            value: Some(tz.name().to_owned()),
            set: true,
            source: match flag {
                Some(f) => f.to_owned(),
                None if in_file => in_profile.clone(),
                None => default.to_owned(),
            },
            secret: false,
        }
    };
    settings.push(zone(
        "vendor_tz",
        zones.vendor,
        vendor_flag.then_some("--vendor-tz or MEETING_VENDOR_TZ"),
        p.vendor_tz.is_some(),
        "default",
    ));
    settings.push(zone(
        "tz",
        zones.report,
        tz_flag.then_some("--tz or MEETING_TZ"),
        p.tz.is_some(),
        "the vendor zone",
    ));
    let default_name = config.default_name().to_owned();
    let profiles = config
        .profiles
        .keys()
        .map(|n| ListedProfile {
            name: n.clone(),
            default: *n == default_name,
            active: *n == s.profile_name,
        })
        .collect();
    Ok(ConfigListing {
        config_file: s.path.display().to_string(),
        config_found: s.path.exists(),
        default_profile: config.default_profile,
        active_profile: s.profile_name.clone(),
        profiles,
        settings,
    })
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
    use super::*;

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

    #[test]
    fn zones_are_named_in_errors() {
        assert!(parse_zone(" Asia/Shanghai ", "--tz").is_ok());
        let e = parse_zone("Mars/Base", "--tz").map_err(|e| e.to_string());
        assert!(e.is_err_and(|m| m.contains("--tz") && m.contains("Mars/Base")));
    }
}

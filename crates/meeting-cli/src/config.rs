//! `meeting config init` and `meeting config use`: the prompts and the messages around
//! `meeting_sync::config` (the file, its precedence, permissions and writing).

use std::io::{BufRead, Write};
use std::path::Path;

use meeting_sync::config::{self as job, Profile, env};

use crate::error::{CliError, Result};

/// `meeting config use NAME`: makes NAME (a profile of the file) the default profile.
pub(crate) fn use_profile(path: &Path, name: &str, stderr: &mut dyn Write) -> Result<()> {
    job::use_profile(path, name)?;
    let _ = writeln!(
        stderr,
        "default profile: `{name}` (in {}); --profile or MEETING_PROFILE still choose another",
        path.display()
    );
    Ok(())
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

/// `meeting config init`: asks for the secrets the environment does not give, then writes
/// the profile, mode 0600, atomically.
pub(crate) fn init(
    path: &Path,
    profile_name: &str,
    vendor_tz: Option<&str>,
    force: bool,
    stderr: &mut dyn Write,
) -> Result<()> {
    job::check_init(path, profile_name, force)?;
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
    job::init_profile(path, profile_name, profile, force)?;
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

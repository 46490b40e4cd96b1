//! The question a destructive job asks before it deletes (`archive purge`), and the rule
//! when no one can answer: without a terminal (cron, CI, ssh) the caller must have said
//! yes already (`--yes`), as `gh` does.
//!
//! ```
//! use meeting_sync::confirm::{ConfirmError, confirm};
//! let mut said = Vec::new();
//! assert!(confirm("delete 3 runs?", &mut &b"y\n"[..], &mut said, true)?);
//! assert_eq!(said, b"delete 3 runs? [y/N] ");
//! assert!(!confirm("delete?", &mut &b"\n"[..], &mut Vec::new(), true)?);
//! assert!(matches!(
//!     confirm("delete?", &mut &b"y\n"[..], &mut Vec::new(), false),
//!     Err(ConfirmError::NoTerminal)
//! ));
//! # Ok::<(), ConfirmError>(())
//! ```

use std::io::{BufRead, Write};

/// Why no answer could be had.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfirmError {
    /// The input is not a terminal: there is no one to ask.
    #[error(
        "stdin is not a terminal, so there is no one to ask: pass --yes to delete, or --dry-run to see what would be deleted"
    )]
    NoTerminal,
    /// The answer could not be read.
    #[error("cannot read the answer: {0}")]
    Read(#[source] std::io::Error),
}

/// Asks `question` (followed by ` [y/N] `) on `prompt` and reads one line of `input`: yes
/// only for `y` or `yes` (any case), no otherwise (an empty line, end of input).
///
/// # Errors
/// [`ConfirmError::NoTerminal`] when `input_is_terminal` is false (nothing is read);
/// [`ConfirmError::Read`].
pub fn confirm(
    question: &str,
    input: &mut dyn BufRead,
    prompt: &mut dyn Write,
    input_is_terminal: bool,
) -> Result<bool, ConfirmError> {
    if !input_is_terminal {
        return Err(ConfirmError::NoTerminal);
    }
    let _ = write!(prompt, "{question} [y/N] ");
    let _ = prompt.flush();
    let mut line = String::new();
    input.read_line(&mut line).map_err(ConfirmError::Read)?;
    Ok(matches!(
        line.trim().to_ascii_lowercase().as_str(),
        "y" | "yes"
    ))
}

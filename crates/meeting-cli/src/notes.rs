//! What the offline commands say on stderr about a job's result (bad documents, counts,
//! report stubs, what was written), and the exit codes that follow from it.

use std::io::{self, Write};

use meeting_sync::inputs::Expanded;
use meeting_sync::offline::{Counts, Stubs};

use crate::app::App;
use crate::error::{CliError, Result};
use meeting_sync::failure::FailureClass;

/// Bad documents shown in full; the rest are counted.
const BAD_SHOWN: u64 = 20;

/// Reports bad documents on stderr: the first [`BAD_SHOWN`] in full, then only counted (the
/// total is in the closing `parsed ...` line).
pub(crate) struct BadReporter {
    seen: u64,
    shown: u64,
}

impl Default for BadReporter {
    fn default() -> Self {
        BadReporter {
            seen: 0,
            shown: BAD_SHOWN,
        }
    }
}

impl BadReporter {
    /// Every bad document in full (`archive import`).
    pub(crate) fn unlimited() -> Self {
        BadReporter {
            seen: 0,
            shown: u64::MAX,
        }
    }

    pub(crate) fn report(&mut self, message: &str) {
        self.seen += 1;
        let mut stderr = io::stderr().lock();
        if self.seen <= self.shown {
            let _ = writeln!(stderr, "bad document: {}", crate::app::escape(message));
        } else if self.seen == self.shown + 1 {
            let _ = writeln!(
                stderr,
                "bad document: ... more bad documents are not shown one by one; the count follows"
            );
        }
    }
}

/// Notes the directory entries skipped and the directories without a run manifest.
pub(crate) fn expanded(app: &App<'_>, expanded: &Expanded) {
    for s in &expanded.skipped {
        app.note(&format!("skipped {}: {}", s.path.display(), s.reason));
    }
    for dir in &expanded.without_manifest {
        app.note(&format!(
            "note: {} holds no run manifest ({}): read as it is (an older save-raw run, or dumps collected by hand)",
            dir.display(),
            meeting_core::run::MANIFEST_FILE
        ));
    }
}

/// Notes what became of the report stubs of a read (with `-v`).
pub(crate) fn stubs(app: &App<'_>, stubs: &Stubs) {
    for text in stubs.notes() {
        app.detail(&text);
    }
}

/// `parsed N documents, M meetings, K bad` on stderr (a note unless something was bad).
pub(crate) fn counts(app: &App<'_>, c: Counts) {
    let summary = c.to_string();
    if c.bad > 0 {
        let _ = writeln!(io::stderr().lock(), "{summary}");
    } else {
        app.note(&summary);
    }
}

/// [`counts`] for a command that ends with its own summary line: on stderr only with `-v`,
/// unless something was bad.
pub(crate) fn counts_detail(app: &App<'_>, c: Counts) {
    if c.bad > 0 {
        counts(app, c);
    } else {
        app.detail(&c.to_string());
    }
}

/// `wrote N meetings[ to FILE]` on stderr, or that nothing matched.
pub(crate) fn written(app: &App<'_>, n: u64, what: &str, out: Option<&std::path::Path>) {
    let to = out
        .map(|p| format!(" to {}", p.display()))
        .unwrap_or_default();
    if n == 0 {
        app.note(&format!(
            "wrote nothing{to}: no meeting matched (check the inputs and the filters)"
        ));
    } else {
        app.note(&format!("wrote {n} {what}{to}"));
    }
}

/// Exit 6 when some documents were bad and some meetings written, 3 when none were.
pub(crate) fn bad_input_exit(bad: u64, written: u64) -> Result<()> {
    if bad == 0 {
        return Ok(());
    }
    if written > 0 {
        Err(CliError::new(
            FailureClass::Partial,
            format!(
                "{bad} bad document(s) skipped (listed above); the {written} good meeting(s) were written"
            ),
        ))
    } else {
        Err(CliError::data(format!(
            "{bad} bad document(s) (listed above) and no meeting to write: check that the input is a saved Systec or Quanshi response, a --save-raw record or neutral JSON Lines"
        )))
    }
}

/// Exit 6 after the output when a saved run read was not complete.
pub(crate) fn partial_runs_exit(gaps: &[String]) -> Result<()> {
    if gaps.is_empty() {
        return Ok(());
    }
    Err(CliError::new(
        FailureClass::Partial,
        format!(
            "the output above is partial: {} saved run(s) did not complete:\n  - {}",
            gaps.len(),
            gaps.join("\n  - ")
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_for_bad_input() {
        assert!(bad_input_exit(0, 0).is_ok());
        assert_eq!(
            bad_input_exit(1, 5).err().map(|e| e.exit),
            Some(FailureClass::Partial)
        );
        assert_eq!(
            bad_input_exit(1, 0).err().map(|e| e.exit),
            Some(FailureClass::Data)
        );
    }
}

//! What every command shares once flags, environment and profile are resolved: the zones,
//! notes on stderr, the progress bar, the output format and writer.

use std::io::{self, IsTerminal, Write};

use chrono_tz::Tz;
use meeting_core::Context;
use meeting_report::RenderOptions;
use meeting_sync::config::Settings;

use crate::cli::{ColorChoice, Global, LiveArgs, OutputArgs, OutputFormat, Rows};
use crate::error::{CliError, Result};
use meeting_sync::failure::FailureClass;

/// Everything a command needs once flags, environment and profile are resolved.
pub(crate) struct App<'a> {
    pub(crate) g: &'a Global,
    pub(crate) settings: Settings,
    pub(crate) ctx: Context,
    pub(crate) vendor_tz: Tz,
    pub(crate) tz: Tz,
}

impl<'a> App<'a> {
    pub(crate) fn new(g: &'a Global, settings: Settings) -> Result<Self> {
        let zones = settings.zones(g.vendor_tz.as_deref(), g.tz.as_deref())?;
        let (vendor_tz, tz) = (zones.vendor, zones.report);
        Ok(App {
            g,
            settings,
            ctx: Context::new(vendor_tz),
            vendor_tz,
            tz,
        })
    }

    /// Today in the report zone: the default end of the user's ranges and the base of
    /// `--since 7d`.
    pub(crate) fn today(&self) -> chrono::NaiveDate {
        chrono::Utc::now().with_timezone(&self.tz).date_naive()
    }

    /// The span of filter flags (open ends unbounded), or `None` when none was given.
    pub(crate) fn span(
        &self,
        dates: &meeting_sync::dates::DateArgs,
    ) -> Result<Option<(chrono::NaiveDate, chrono::NaiveDate)>> {
        Ok(dates.resolve(self.today(), true)?)
    }

    /// The span of a required range (clap makes sure one of its flags is given).
    pub(crate) fn required_span(
        &self,
        dates: &meeting_sync::dates::DateArgs,
    ) -> Result<(chrono::NaiveDate, chrono::NaiveDate)> {
        dates.resolve(self.today(), false)?.ok_or_else(|| {
            CliError::usage("give the days: --from DATE [--to DATE], --month YYYY-MM, --last-month or --since DATE|Nd")
        })
    }

    /// A detail for the operator on stderr, only with `-v`: at default verbosity a command
    /// prints one summary line.
    pub(crate) fn detail(&self, text: &str) {
        if self.g.verbose > 0 && !self.g.quiet {
            let _ = writeln!(io::stderr().lock(), "{text}");
        }
    }

    /// A note for the operator on stderr (not with `-q`).
    pub(crate) fn note(&self, text: &str) {
        if !self.g.quiet {
            let _ = writeln!(io::stderr().lock(), "{text}");
        }
    }

    /// The output format: `-o`, else from `--out`'s extension, else table on a terminal and
    /// jsonl when piped.
    pub(crate) fn format(&self, o: &OutputArgs) -> OutputFormat {
        format_for(o, io::stdout().is_terminal())
    }

    /// How to render for these output flags (aggregates: no row options).
    pub(crate) fn render(&self, o: &OutputArgs, rows: Rows) -> RenderOptions {
        let color = o.out.is_none() && color_enabled(self.g.color, io::stdout().is_terminal());
        let format = self.format(o);
        let columns = if format == OutputFormat::Wide {
            meeting_report::Columns::All
        } else {
            meeting_report::Columns::Default
        };
        // CSV written to a file is bound for a spreadsheet: a BOM (Excel and WPS need it for
        // Chinese) and formulas neutralised. CSV on stdout is data for programs.
        let spreadsheet = o.out.is_some() && format == OutputFormat::Csv;
        RenderOptions::new(format.into(), self.tz)
            .rows(rows.into())
            .csv_bom(o.csv_bom || (spreadsheet && !o.no_bom))
            .spreadsheet(spreadsheet)
            .color(color)
            .columns(columns)
    }

    /// How to render meetings: the output flags and `--rows`, `--columns`, `--no-headers`.
    pub(crate) fn render_rows(
        &self,
        o: &OutputArgs,
        r: &crate::cli::RowsArg,
    ) -> Result<RenderOptions> {
        let mut options = self.render(o, r.rows).headers(!r.no_headers);
        if !r.columns.is_empty() {
            meeting_report::check_columns(r.rows.into(), &r.columns)
                .map_err(|e| CliError::usage(format!("--columns: {e}")))?;
            options = options.columns(meeting_report::Columns::Only(r.columns.clone()));
        }
        Ok(options)
    }

    /// Writes the command's result to `--out FILE` (whole: a temporary beside it, renamed
    /// when complete) or stdout through `write`: a closed pipe ends quietly (exit 0), any
    /// other write failure is exit 1 naming what was written, and leaves `FILE` as it was.
    pub(crate) fn write_output(
        &self,
        out: Option<&std::path::Path>,
        what: &str,
        write: impl FnOnce(&mut dyn Write) -> io::Result<()>,
    ) -> Result<()> {
        let mut w = open_output(out)?;
        write(&mut w)
            .and_then(|()| w.flush())
            .or_else(ignore_broken_pipe)
            .map_err(|e| CliError::io(what, &e))?;
        w.finish()
            .map_err(|e| CliError::new(FailureClass::Output, e.to_string()))
    }

    /// The masker of `--mask-pii`: the `--mask-key` passphrase, else a random key per run.
    pub(crate) fn masker(&self, o: &OutputArgs) -> Result<Option<meeting_report::mask::Masker>> {
        if !o.mask_pii {
            return Ok(None);
        }
        Ok(Some(self.pseudonyms(o.mask_key.as_deref(), None)?.0))
    }

    /// A masker and whether its pseudonyms are stable across runs: the `--mask-key`
    /// passphrase (or `MEETING_MASK_KEY`), else the archive's own key (a person keeps one
    /// pseudonym across every report and export of the archive), else a random key for this
    /// run (files).
    pub(crate) fn pseudonyms(
        &self,
        mask_key: Option<&str>,
        archive: Option<&std::path::Path>,
    ) -> Result<(meeting_report::mask::Masker, bool)> {
        use meeting_report::pii::Pseudonymizer;
        let archive_key = match (mask_key, archive) {
            (None, Some(path)) => meeting_store::Archive::open_read_only(path)
                .and_then(|a| a.pseudonym_key())
                .ok()
                .flatten(),
            _ => None,
        };
        let (names, stable) = match (mask_key, archive_key) {
            (Some(key), _) => (Pseudonymizer::from_passphrase(key), true),
            (None, Some(key)) => (Pseudonymizer::with_key(key), true),
            (None, None) => (
                Pseudonymizer::random().map_err(|e| {
                    CliError::usage(format!(
                        "cannot make a random pseudonym key ({e}); give one with --mask-key"
                    ))
                })?,
                false,
            ),
        };
        Ok((meeting_report::mask::Masker::new(names), stable))
    }

    /// A progress bar of `len` steps on stderr, only on a terminal and without `-q`
    /// (`meeting export`: meetings written).
    pub(crate) fn bar(&self, len: u64, prefix: &'static str) -> indicatif::ProgressBar {
        if self.g.quiet || !io::stderr().is_terminal() {
            return indicatif::ProgressBar::hidden();
        }
        let pb = indicatif::ProgressBar::new(len);
        pb.set_draw_target(indicatif::ProgressDrawTarget::stderr());
        pb.set_style(
            indicatif::ProgressStyle::with_template(
                "{prefix}: {pos}/{len} [{bar:24}] [{elapsed}, ETA {eta}]",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        pb.set_prefix(prefix);
        pb
    }

    /// A spinner on stderr, only on a terminal and without `-q`/`--no-progress`.
    pub(crate) fn progress(&self, live: &LiveArgs) -> indicatif::ProgressBar {
        if self.g.quiet || live.no_progress || !io::stderr().is_terminal() {
            return indicatif::ProgressBar::hidden();
        }
        let pb = indicatif::ProgressBar::new_spinner();
        pb.set_draw_target(indicatif::ProgressDrawTarget::stderr());
        pb.set_style(
            indicatif::ProgressStyle::with_template("{spinner} {prefix}: {msg} [{elapsed}]")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
        );
        pb.enable_steady_tick(std::time::Duration::from_millis(120));
        pb
    }

    pub(crate) fn runtime() -> Result<tokio::runtime::Runtime> {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(|e| {
                CliError::new(
                    FailureClass::Unavailable,
                    format!("cannot start the async runtime: {e}"),
                )
            })
    }
}

/// The output format for these flags: `-o`, else `--out`'s extension (`.csv`, `.json`,
/// `.txt` for a table, anything else JSON Lines), else table on a terminal, jsonl when piped.
pub(crate) fn format_for(o: &OutputArgs, stdout_is_terminal: bool) -> OutputFormat {
    if let Some(f) = o.output {
        return f;
    }
    match &o.out {
        Some(path) => match path
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase())
            .as_deref()
        {
            Some("csv") => OutputFormat::Csv,
            Some("json") => OutputFormat::Json,
            Some("txt") => OutputFormat::Table,
            _ => OutputFormat::Jsonl,
        },
        None if stdout_is_terminal => OutputFormat::Table,
        None => OutputFormat::Jsonl,
    }
}

/// Whether to colour a stream: `--color`, `NO_COLOR`, and whether it is a terminal.
pub(crate) fn color_enabled(choice: ColorChoice, is_terminal: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            is_terminal
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::env::var_os("TERM").is_none_or(|t| t != "dumb")
        }
    }
}

/// A closed pipe (`meeting parse x | head`) is not a failure.
pub(crate) fn ignore_broken_pipe(e: io::Error) -> io::Result<()> {
    if e.kind() == io::ErrorKind::BrokenPipe {
        Ok(())
    } else {
        Err(e)
    }
}

/// Opens `--out FILE` (written whole: a temporary beside it) or stdout.
pub(crate) fn open_output(
    out: Option<&std::path::Path>,
) -> Result<meeting_sync::outputs::Destination> {
    meeting_sync::outputs::Destination::open(out)
        .map_err(|e| CliError::new(FailureClass::Output, e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn args(output: Option<OutputFormat>, out: Option<&str>) -> OutputArgs {
        OutputArgs {
            output,
            out: out.map(PathBuf::from),
            mask_pii: false,
            mask_key: None,
            no_bom: false,
            csv_bom: false,
        }
    }

    #[test]
    fn format_follows_flag_then_extension_then_terminal() {
        assert_eq!(
            format_for(&args(Some(OutputFormat::Csv), Some("x.json")), true),
            OutputFormat::Csv
        );
        assert_eq!(
            format_for(&args(None, Some("x.CSV")), true),
            OutputFormat::Csv
        );
        assert_eq!(
            format_for(&args(None, Some("x.json")), true),
            OutputFormat::Json
        );
        assert_eq!(
            format_for(&args(None, Some("x.txt")), false),
            OutputFormat::Table
        );
        assert_eq!(
            format_for(&args(None, Some("x.out")), true),
            OutputFormat::Jsonl
        );
        assert_eq!(format_for(&args(None, None), true), OutputFormat::Table);
        assert_eq!(format_for(&args(None, None), false), OutputFormat::Jsonl);
    }

    #[test]
    fn colour_rules() {
        assert!(color_enabled(ColorChoice::Always, false));
        assert!(!color_enabled(ColorChoice::Never, true));
        assert!(!color_enabled(ColorChoice::Auto, false));
    }

    #[test]
    fn broken_pipe_is_quiet() {
        assert!(ignore_broken_pipe(io::Error::from(io::ErrorKind::BrokenPipe)).is_ok());
        assert!(ignore_broken_pipe(io::Error::other("disk full")).is_err());
    }
}

/// A message made safe for a terminal, line by line: control characters from vendors or
/// files (ESC, BEL, CR, bidi overrides, ...) are shown as escapes
/// ([`meeting_report::pii::escape_control`]); the message's own line breaks stay.
pub(crate) fn escape(text: &str) -> std::borrow::Cow<'_, str> {
    use std::borrow::Cow;
    let lines: Vec<Cow<'_, str>> = text
        .split('\n')
        .map(meeting_report::pii::escape_control)
        .collect();
    if lines.iter().all(|l| matches!(l, Cow::Borrowed(_))) {
        return Cow::Borrowed(text);
    }
    Cow::Owned(lines.join("\n"))
}

#[cfg(test)]
mod escape_tests {
    #[test]
    fn control_characters_are_shown_not_obeyed() {
        assert_eq!(super::escape("周会 plain"), "周会 plain");
        assert_eq!(
            super::escape("a\u{1b}]0;pwned\u{7}b"),
            "a\\u{1b}]0;pwned\\u{7}b"
        );
        assert_eq!(super::escape("x\ry"), "x\\ry");
        assert_eq!(super::escape("\u{202e}abc"), "\\u{202e}abc");
        assert_eq!(super::escape("line\nnext\tcol"), "line\nnext\tcol");
    }
}

/// From now on, Ctrl-C removes the temporaries of the outputs being written (the files
/// they were to replace stay as they were) and exits 130. For the commands that write
/// without a runtime of their own (a vendor command handles Ctrl-C itself). The handler is
/// in place when this returns (a Ctrl-C a moment later is never the default "killed").
pub(crate) fn remove_temporaries_on_interrupt() {
    let Ok(rt) = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    else {
        return;
    };
    #[cfg(unix)]
    let signal = {
        let _entered = rt.enter();
        tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt())
    };
    std::thread::spawn(move || {
        #[cfg(unix)]
        let interrupted = match signal {
            Ok(mut s) => rt.block_on(s.recv()).is_some(),
            Err(_) => return,
        };
        #[cfg(not(unix))]
        let interrupted = rt.block_on(tokio::signal::ctrl_c()).is_ok();
        if interrupted {
            meeting_sync::outputs::remove_temporaries();
            meeting_report::export::remove_temporaries();
            let _ = writeln!(
                io::stderr().lock(),
                "error: interrupted: nothing was written (earlier outputs are as they were)"
            );
            std::process::exit(130);
        }
    });
}

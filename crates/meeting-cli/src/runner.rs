//! What the commands that call a vendor share: the progress spinner, the capture of
//! `--raw` and `--save-raw`, the async runtime with Ctrl-C, and the last step (merge,
//! filter, write, exit code).

use meeting_core::Meeting;
use meeting_core::query::Filter;
use meeting_sync::{Capture, Fetched, Progress};

use crate::app::App;
use crate::cli::{OutputFormat, VendorOutput};
use crate::error::{CliError, Result};
use crate::output::{After, emit};
use meeting_sync::failure::FailureClass;

/// A job's progress on the spinner.
pub(crate) struct Spinner(pub(crate) indicatif::ProgressBar);

impl Progress for Spinner {
    fn phase(&self, name: &str, total: Option<u64>) {
        let pb = &self.0;
        pb.set_prefix(name.to_owned());
        pb.set_position(0);
        match total {
            Some(n) => {
                pb.set_length(n);
                pb.set_style(
                    indicatif::ProgressStyle::with_template(
                        "{spinner} {prefix}: {pos}/{len} [{bar:24}] {msg} [{elapsed}{steady_eta}]",
                    )
                    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
                    .with_key(
                        "steady_eta",
                        |state: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                            if let Some(eta) =
                                meeting_sync::eta_text(state.pos(), state.len(), state.elapsed())
                            {
                                let _ = write!(w, ", ETA {eta}");
                            }
                        },
                    )
                    .progress_chars("=> "),
                );
            }
            None => pb.unset_length(),
        }
    }

    fn advance(&self, units: u64) {
        self.0.inc(units);
    }

    fn note(&self, text: &str) {
        self.0.set_message(text.to_owned());
    }
}

/// The capture for a live command: `--save-raw`, `--raw`, and the spinner's response count.
pub(crate) fn capture(o: &VendorOutput, progress: &indicatif::ProgressBar) -> Result<Capture> {
    let live = &o.live;
    if live.raw {
        match o.output.output {
            None | Some(OutputFormat::Json | OutputFormat::Jsonl) => {}
            Some(_) => {
                return Err(CliError::usage(
                    "--raw prints vendor JSON bodies: use it with -o json or -o jsonl",
                ));
            }
        }
    }
    let pb = progress.clone();
    let mut capture = Capture::none()
        .keep_raw(live.raw)
        .observe(std::sync::Arc::new(move |seq, endpoint| {
            pb.set_message(format!("{seq} responses, last {endpoint}"));
            pb.tick();
        }));
    if let Some(dir) = &live.save_raw {
        capture = capture
            .save_to(dir)
            .map_err(|e| CliError::usage(e.to_string()))?;
    }
    Ok(capture)
}

/// Runs a future on a new runtime; Ctrl-C stops it with exit 130.
pub(crate) fn block_on<T>(what: &str, future: impl Future<Output = T>) -> Result<T> {
    let rt = App::runtime()?;
    rt.block_on(async {
        // Biased: the Ctrl-C handler is installed (first poll) before the job starts.
        tokio::select! {
            biased;
            _ = tokio::signal::ctrl_c() => Err(CliError::interrupted(&format!(
                "{what} stopped; nothing was written (a --save-raw directory holds the responses received so far)"
            ))),
            value = future => Ok(value),
        }
    })
}

/// Merges, filters, writes (`after` on the same writer); then reports failed calls (exit
/// 4/5/7 when nothing came back, 6 when some output was written).
pub(crate) fn finish(
    app: &App<'_>,
    fetched: Fetched,
    capture: &Capture,
    filter: &Filter,
    o: &VendorOutput,
    after: Option<&After<'_>>,
) -> Result<()> {
    let (output, rows, live) = (&o.output, &o.rows, &o.live);
    let Fetched {
        meetings,
        errors,
        summary,
        ..
    } = fetched;
    if let Some(auth) = errors.iter().find(|e| e.is_authentication()) {
        return Err(CliError::http(auth));
    }
    if meetings.is_empty()
        && let Some(first) = errors.first()
    {
        check_saved(capture)?;
        return Err(CliError::http(first));
    }
    let (meetings, stubs) = meeting_sync::offline::merge(meetings);
    crate::notes::stubs(app, &stubs);
    let meetings: Vec<Meeting> = meetings.into_iter().filter(|m| filter.matches(m)).collect();
    let batches = summary.batches_done + summary.batches_failed;
    let written = if live.raw {
        format!("{} response bodies", capture.responses())
    } else {
        format!("{} meetings", meetings.len())
    };
    app.note(&format!(
        "fetched {} records in {} requests ({} of {batches} windows or calls complete); wrote {written}{}{}",
        summary.total_records(),
        summary.requests,
        summary.batches_done,
        output
            .out
            .as_ref()
            .map(|p| format!(" to {}", p.display()))
            .unwrap_or_default(),
        if meetings.is_empty() && !live.raw {
            ": nothing matched (check the dates, the room and the profile)"
        } else {
            ""
        },
    ));
    if live.raw {
        let bodies = capture.take_raw();
        let format = match output.output {
            Some(OutputFormat::Jsonl) => meeting_report::Format::Jsonl,
            Some(OutputFormat::Json) => meeting_report::Format::Json,
            _ if app.format(output) == OutputFormat::Jsonl => meeting_report::Format::Jsonl,
            _ => meeting_report::Format::Json,
        };
        let masker = app.masker(output)?;
        app.write_output(output.out.as_deref(), "the output", |w| {
            meeting_report::write_raw_bodies(
                w,
                bodies.iter().map(Vec::as_slice),
                format,
                masker.as_ref(),
                live.show_secrets,
            )
        })?;
    } else {
        emit(app, meetings, output, rows, after)?;
    }
    check_saved(capture)?;
    if errors.is_empty() {
        return Ok(());
    }
    let details: Vec<String> = errors.iter().map(|e| format!("  - {e}")).collect();
    Err(CliError::new(
        FailureClass::Partial,
        format!(
            "{} call(s) failed, so the output above is incomplete:\n{}\nRerun the failed range later (-v shows each attempt).",
            errors.len(),
            details.join("\n")
        ),
    ))
}

/// Failures to write saved records make the run partial.
pub(crate) fn check_saved(capture: &Capture) -> Result<()> {
    let errors = capture.write_errors();
    match errors.first() {
        None => Ok(()),
        Some(first) => Err(CliError::new(
            FailureClass::Partial,
            format!(
                "could not save {} raw response(s), first: {first}. The replay directory is incomplete.",
                errors.len()
            ),
        )),
    }
}

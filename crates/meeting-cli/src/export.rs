//! `meeting export`: merged, filtered meetings from the archive or files, written as the
//! tables of `meeting_report::export` (Parquet, JSON Lines or CSV).

use meeting_core::Meeting;
use meeting_core::query::sort_for_output;
use meeting_report::export::{
    Compression, ExportErrorKind, ExportFormat as Format, ExportOptions, Exporter,
};

use crate::app::App;
use crate::cli::{ExportArgs, ExportCompression, ExportFormat};
use crate::error::{CliError, Result};
use crate::notes::{bad_input_exit, partial_runs_exit};
use meeting_sync::failure::FailureClass;

fn format(f: Option<ExportFormat>) -> Result<Format> {
    match f {
        #[cfg(feature = "parquet")]
        None | Some(ExportFormat::Parquet) => Ok(Format::Parquet),
        #[cfg(not(feature = "parquet"))]
        None => Ok(Format::Jsonl),
        #[cfg(not(feature = "parquet"))]
        Some(ExportFormat::Parquet) => Err(CliError::usage(
            "this `meeting` was built without Parquet (feature `parquet`): use -o jsonl or -o csv, or build it with the default features",
        )),
        Some(ExportFormat::Jsonl) => Ok(Format::Jsonl),
        Some(ExportFormat::Csv) => Ok(Format::Csv),
    }
}

fn error(e: &meeting_report::export::ExportError) -> CliError {
    let exit = match e.kind() {
        ExportErrorKind::NotAnExport { .. } => FailureClass::Usage,
        ExportErrorKind::Overflow { .. } | ExportErrorKind::Unsorted { .. } => FailureClass::Data,
        _ => FailureClass::Output,
    };
    CliError::new(exit, format!("export: {e}"))
}

/// `meeting export`.
pub(crate) fn run(app: &App<'_>, args: &ExportArgs) -> Result<()> {
    let format = format(args.output)?;
    let compression = match args.compression {
        ExportCompression::Zstd => Compression::Zstd,
        ExportCompression::Snappy => Compression::Snappy,
        ExportCompression::None => Compression::None,
    };
    let source = crate::offline::source(app, &args.inputs, args.archive.archive.as_deref())?;
    // The pseudonyms (and `person_key`) of `App::pseudonyms`: stable across the exports of
    // one archive, so a data team can join its partitions.
    let masker = if args.mask_pii {
        Some(
            app.pseudonyms(args.mask_key.as_deref(), source.archive())?
                .0,
        )
    } else {
        None
    };
    let options = ExportOptions::new(format, app.tz)
        .compression(compression)
        .pii_masked(masker.is_some());
    let push = |exporter: &mut Exporter, mut m: Meeting| -> Result<()> {
        if let Some(masker) = &masker {
            masker.mask_meeting(&mut m);
        }
        exporter.push(&m).map_err(|e| error(&e))
    };
    // From the archive as from files: the stubs attached and the rooms resolved across the
    // input (the archive's meetings are read whole for that).
    let (bad, gaps, exporter) = {
        let filter = crate::offline::filter(app, &args.filters)?;
        let reading = crate::offline::merged_input(app, &source, &filter, &args.jobs)?;
        let (mut meetings, bad, gaps) = (reading.meetings, reading.counts.bad, reading.gaps);
        if meetings.iter().all(meeting_core::query::is_report_stub) {
            // Nothing to export: an earlier export stays as it was, never an empty one.
            bad_input_exit(bad, 0)?;
            return Err(CliError::new(
                FailureClass::NothingMatched,
                format!(
                    "nothing matched: nothing written ({}); {} is untouched",
                    match source.archive() {
                        Some(p) => format!(
                            "no meeting of the archive {} passes the filters",
                            p.display()
                        ),
                        None => String::from("the input holds no meeting that passes the filters"),
                    },
                    args.out.display()
                ),
            ));
        }
        // Output order (start, else scheduled start), so each month is written once.
        sort_for_output(&mut meetings);
        let mut exporter = Exporter::create(&args.out, options).map_err(|e| error(&e))?;
        let bar = app.bar(meetings.len() as u64, "export");
        for m in meetings {
            push(&mut exporter, m)?;
            bar.inc(1);
        }
        bar.finish_and_clear();
        (bad, gaps, exporter)
    };
    let summary = exporter.finish().map_err(|e| error(&e))?;
    if args.summary.is_some() {
        crate::summary::set("out", args.out.display().to_string());
        crate::summary::set("meetings", summary.meetings);
        crate::summary::set("participants", summary.participants);
        crate::summary::set("phone_calls", summary.phone_calls);
        crate::summary::set("partitions", summary.partitions.len());
    }
    let stubs = if summary.stubs_skipped > 0 {
        format!(
            "; {} report stub(s) not exported (annotations, not meetings)",
            summary.stubs_skipped
        )
    } else {
        String::new()
    };
    app.note(&format!(
        "exported {} meetings, {} participants, {} phone calls, {} booked rooms in {} partition(s) to {}{stubs}",
        summary.meetings,
        summary.participants,
        summary.phone_calls,
        summary.rooms,
        summary.partitions.len(),
        args.out.display()
    ));
    bad_input_exit(bad, summary.meetings).and(partial_runs_exit(&gaps))
}

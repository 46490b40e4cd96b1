//! `meeting export`: merged, filtered meetings from the archive or files, written as the
//! tables of `meeting_report::export` (Parquet, JSON Lines or CSV).

use meeting_core::Meeting;
use meeting_core::query::{Filter, output_order, sort_for_output};
use meeting_report::export::{
    Compression, ExportErrorKind, ExportFormat as Format, ExportOptions, Exporter,
};

use meeting_store::Archive;

use crate::app::App;
use crate::cli::{ExportArgs, ExportCompression, ExportFormat};
use crate::error::{CliError, Exit, Result};
use crate::offline::{bad_input_exit, filter, merged_input, partial_runs_exit};

/// Streams the archive's meetings into `exporter` in output order with memory bounded by the
/// month being written plus the bookings that never started. The archive streams by actual
/// start (meetings without one last); a booking that never started belongs to the month of
/// its scheduled start, so those are read first (one pass), then merged into the stream of
/// the rest (a second pass). The archive's query applies the filters, as for `stats
/// --archive`.
fn from_archive(
    archive: &Archive,
    filter: &Filter,
    exporter: &mut Exporter,
    push: &mut dyn FnMut(&mut Exporter, Meeting) -> Result<()>,
) -> Result<()> {
    let query = crate::archive::query(filter);
    let store = |e: &meeting_store::StoreError| crate::archive::store_error(e);
    let unstarted = |m: &Meeting| m.start.is_none() && m.scheduled_start.is_some();
    let mut bookings = Vec::new();
    for m in archive.meetings(&query) {
        let m = m.map_err(|e| store(&e))?;
        if unstarted(&m) {
            bookings.push(m);
        }
    }
    sort_for_output(&mut bookings);
    let mut bookings = bookings.into_iter().peekable();
    for m in archive.meetings(&query) {
        let m = m.map_err(|e| store(&e))?;
        if unstarted(&m) {
            continue;
        }
        while let Some(b) = bookings.next_if(|b| output_order(b, &m).is_lt()) {
            push(exporter, b)?;
        }
        push(exporter, m)?;
    }
    for b in bookings {
        push(exporter, b)?;
    }
    Ok(())
}

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
        ExportErrorKind::NotAnExport { .. } => Exit::Usage,
        ExportErrorKind::Overflow { .. } | ExportErrorKind::Unsorted { .. } => Exit::Data,
        _ => Exit::Write,
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
    let masker = if args.mask_pii {
        let names = match &args.mask_key {
            Some(key) => meeting_core::pii::Pseudonymizer::from_passphrase(key),
            None => meeting_core::pii::Pseudonymizer::random().map_err(|e| {
                CliError::usage(format!(
                    "--mask-pii: cannot make a random pseudonym key ({e}); give one with --mask-key"
                ))
            })?,
        };
        Some(meeting_report::mask::Masker::new(names))
    } else {
        None
    };
    let options = ExportOptions::new(format, app.tz)
        .compression(compression)
        .pii_masked(masker.is_some());
    let mut push = |exporter: &mut Exporter, mut m: Meeting| -> Result<()> {
        if let Some(masker) = &masker {
            masker.mask_meeting(&mut m);
        }
        exporter.push(&m).map_err(|e| error(&e))
    };
    let (bad, gaps, exporter) = if let Some(flag) = args.archive.archive.as_deref() {
        let filter = filter(app, &args.filters)?;
        let path = crate::archive::path(Some(flag))?;
        let archive =
            Archive::open_read_only(&path).map_err(|e| crate::archive::store_error(&e))?;
        let mut exporter = Exporter::create(&args.out, options).map_err(|e| error(&e))?;
        from_archive(&archive, &filter, &mut exporter, &mut push)?;
        (0, Vec::new(), exporter)
    } else {
        let (mut meetings, bad, gaps) =
            merged_input(app, &args.inputs, None, &args.filters, None, &args.jobs)?;
        if bad > 0 && meetings.is_empty() {
            // Nothing good to export: an earlier export stays as it was.
            bad_input_exit(bad, 0)?;
        }
        // Output order (start, else scheduled start), so each month is written once.
        sort_for_output(&mut meetings);
        let mut exporter = Exporter::create(&args.out, options).map_err(|e| error(&e))?;
        for m in meetings {
            push(&mut exporter, m)?;
        }
        (bad, gaps, exporter)
    };
    let summary = exporter.finish().map_err(|e| error(&e))?;
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

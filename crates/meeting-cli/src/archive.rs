//! `meeting archive ...`, and the archive as the input of `stats` and `list`: thin calls into
//! `meeting-store`.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use meeting_core::query::Filter;
use meeting_core::run::RunManifest;
use meeting_core::{DumpOptions, Meeting, read_dump};
use meeting_store::{Archive, ErrorKind, Observation, Query, StoreError, Writer};

use crate::app::App;
use crate::cli::{ArchiveCommand, StatusFormat};
use crate::error::{CliError, Exit, Result};

/// The archive's path: the flag (an empty `--archive` means the default), else
/// `MEETING_ARCHIVE`, else the user data directory.
pub(crate) fn path(flag: Option<&Path>) -> Result<PathBuf> {
    let flag = flag.filter(|p| !p.as_os_str().is_empty());
    let env = std::env::var_os(meeting_store::ARCHIVE_ENV);
    meeting_store::resolve_archive_path(flag, env.as_deref()).map_err(|e| store_error(&e))
}

/// A store error as an exit code and a message.
pub(crate) fn store_error(e: &StoreError) -> CliError {
    let exit = match e.kind() {
        ErrorKind::Busy => Exit::Busy,
        ErrorKind::NotAnArchive => Exit::Data,
        ErrorKind::NotFound | ErrorKind::NewerVersion { .. } | ErrorKind::NeedsMigration { .. } => {
            Exit::Usage
        }
        _ => Exit::Data,
    };
    if let ErrorKind::NeedsMigration { found, supported } = e.kind() {
        let at = e
            .path()
            .map(|p| format!("archive {}: ", p.display()))
            .unwrap_or_default();
        return CliError::new(
            exit,
            format!(
                "{at}the archive has schema {found}, older than this build's {supported}. Upgrade it with `meeting archive migrate` (it makes a backup first); it was not modified"
            ),
        );
    }
    let hint = match e.kind() {
        ErrorKind::NotFound => {
            " Create it with `meeting sync --since DATE` or `meeting archive import FILE|DIR...` (or give another with --archive PATH)."
        }
        ErrorKind::Busy => " Another run is writing to it: try again when it has finished.",
        ErrorKind::NotAnArchive => {
            " If it is your archive, it is damaged: restore it from a backup (`meeting archive backup FILE` makes one), or point --archive (MEETING_ARCHIVE) at the right file."
        }
        _ => "",
    };
    CliError::new(exit, format!("{e}{hint}"))
}

/// The archive's query for a filter: whole days of the filter's zone as UTC instants.
pub(crate) fn query(filter: &Filter) -> Query {
    let instant = |day: NaiveDate| -> Option<DateTime<Utc>> {
        let midnight = day.and_hms_opt(0, 0, 0)?;
        filter
            .zone
            .from_local_datetime(&midnight)
            .earliest()
            .map(|t| t.with_timezone(&Utc))
    };
    let mut q = Query::all();
    q.from = filter.from.and_then(instant);
    q.to = filter.to.and_then(|d| d.succ_opt()).and_then(instant);
    q.vendor = filter.vendor;
    // Rooms and hosts are matched after the room identities are resolved (a `detail`-only
    // meeting is stored under its room id, and matches the room's name).
    q
}

/// The archive's meetings that pass `filter`, in the output order: the report stubs
/// attached and the rooms resolved across the archive, as for files.
pub(crate) fn read(app: &App<'_>, flag: Option<&Path>, filter: &Filter) -> Result<Vec<Meeting>> {
    let mut meetings = Vec::new();
    each(flag, filter, |m| meetings.push(m))?;
    Ok(crate::offline::merge_noting(app, meetings)
        .into_iter()
        .filter(|m| filter.matches(m))
        .collect())
}

/// Hands `each` the archive's meetings that the query of `filter` selects (each key's own
/// merge, a page at a time), then its report stubs: the input of a merge, read without
/// holding the archive in memory. The archive is read and its records parsed on a thread of
/// their own while `each` works (at most [`IN_FLIGHT`] meetings between them).
pub(crate) fn each(
    flag: Option<&Path>,
    filter: &Filter,
    mut each: impl FnMut(Meeting),
) -> Result<()> {
    let path = path(flag)?;
    let query = query(filter);
    std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Result<Meeting>>(IN_FLIGHT);
        let reader = scope.spawn(move || {
            let archive = match Archive::open_read_only(&path) {
                Ok(a) => a,
                Err(e) => return tx.send(Err(store_error(&e))).unwrap_or(()),
            };
            // A span's read takes only the stubs that can annotate its meetings (their
            // meeting number, and their request's UUIDs, name an occurrence read without a
            // full report): the others annotate meetings of other months, and are not
            // "unmatched".
            let bounded = query.from.is_some() || query.to.is_some();
            let mut open: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
            for m in archive.meetings(&query) {
                if bounded
                    && let Ok(m) = &m
                    && let Some(n) = &m.meeting_number
                    && m.report != Some(meeting_core::ReportState::Full)
                    && !m.sources.contains(&meeting_core::Source::SystecReports)
                {
                    open.entry(n.clone())
                        .or_default()
                        .extend(m.occurrence_id.clone());
                }
                let failed = m.is_err();
                if tx.send(m.map_err(|e| store_error(&e))).is_err() || failed {
                    return;
                }
            }
            match archive.stubs() {
                Ok(stubs) => {
                    let ours = stubs.into_iter().filter(|s| {
                        !bounded
                            || s.meeting_number
                                .as_ref()
                                .and_then(|n| open.get(n))
                                .is_some_and(|uuids| {
                                    s.stub_scope()
                                        .is_none_or(|scope| scope.iter().any(|u| uuids.contains(u)))
                                })
                    });
                    for s in ours {
                        if tx.send(Ok(s)).is_err() {
                            return;
                        }
                    }
                }
                Err(e) => tx.send(Err(store_error(&e))).unwrap_or(()),
            }
        });
        let mut result = Ok(());
        for m in rx {
            match m {
                Ok(m) => each(m),
                Err(e) => {
                    result = Err(e);
                    break;
                }
            }
        }
        if reader.join().is_err() {
            result = result.and(Err(CliError::data(
                "the archive reader stopped unexpectedly",
            )));
        }
        result
    })
}

/// The meetings read ahead of [`each`]'s consumer.
const IN_FLIGHT: usize = 1024;

pub(crate) fn run(app: &App<'_>, c: &ArchiveCommand) -> Result<()> {
    match c {
        ArchiveCommand::Import {
            inputs,
            archive,
            keep_raw,
        } => import(app, inputs, archive.as_deref(), *keep_raw),
        ArchiveCommand::Check { archive, output } => {
            let path = path(archive.as_deref())?;
            let a = Archive::open_read_only(&path).map_err(|e| store_error(&e))?;
            let problems = a.check().map_err(|e| store_error(&e))?;
            if output.output == StatusFormat::Json {
                crate::check::write_json(
                    app,
                    &serde_json::json!({
                        "archive": path.display().to_string(),
                        "ok": problems.is_empty(),
                        "problems": problems,
                    }),
                )?;
            } else {
                app.write_output(None, "the output", |w| {
                    for p in &problems {
                        writeln!(w, "{}", crate::app::escape(&p.to_string()))?;
                    }
                    Ok(())
                })?;
            }
            if problems.is_empty() {
                app.note(&format!(
                    "{}: ok (integrity and invariants)",
                    path.display()
                ));
                Ok(())
            } else {
                Err(CliError::data(format!(
                    "{}: {} problem(s), listed above",
                    path.display(),
                    problems.len()
                )))
            }
        }
        ArchiveCommand::Info {
            archive,
            json,
            output,
        } => {
            let path = path(archive.as_deref())?;
            let a = Archive::open_read_only(&path).map_err(|e| store_error(&e))?;
            let info = a.info().map_err(|e| store_error(&e))?;
            let json = *json || output.output == StatusFormat::Json;
            app.write_output(None, "the output", |w| {
                if json {
                    serde_json::to_writer_pretty(&mut *w, &info).map_err(std::io::Error::other)?;
                    return writeln!(w);
                }
                writeln!(w, "archive:        {}", info.path.display())?;
                writeln!(w, "size:           {} bytes", info.size_bytes)?;
                writeln!(w, "schema version: {}", info.schema_version)?;
                writeln!(w, "observations:   {}", info.observations)?;
                writeln!(w, "report stubs:   {}", info.stubs)?;
                writeln!(w, "raw responses:  {}", info.raw_responses)?;
                writeln!(
                    w,
                    "last sync:      {}",
                    info.last_sync
                        .map_or_else(|| String::from("never"), |t| t.to_rfc3339())
                )?;
                for (k, v) in &info.cursors {
                    writeln!(w, "cursor:         {k} through {v}")?;
                }
                writeln!(w, "meetings per profile, vendor and month (UTC):")?;
                for m in &info.meetings {
                    writeln!(
                        w,
                        "  {:<12} {:<8} {:<8} {}",
                        m.profile,
                        m.vendor,
                        m.month.as_deref().unwrap_or("(no start)"),
                        m.meetings
                    )?;
                }
                for r in &info.runs_with_gaps {
                    writeln!(
                        w,
                        "gap: run {} ({}) is not complete{}",
                        r.id.as_deref().unwrap_or("?"),
                        r.profile.as_deref().unwrap_or("?"),
                        r.gaps().map(|g| format!(": {g}")).unwrap_or_default()
                    )?;
                }
                Ok(())
            })
        }
        ArchiveCommand::Backup { file, archive } => {
            let path = path(archive.as_deref())?;
            crate::check::backup_directory_exists(file)?;
            let a = Archive::open_read_only(&path).map_err(|e| store_error(&e))?;
            a.backup(file).map_err(|e| store_error(&e))?;
            app.note(&format!(
                "backed up {} to {}",
                path.display(),
                file.display()
            ));
            Ok(())
        }
        ArchiveCommand::Purge {
            before,
            archive,
            dry_run,
            yes,
        } => {
            let path = path(archive.as_deref())?;
            if !path.exists() {
                return Err(CliError::usage(format!(
                    "no archive at {}: nothing to purge",
                    path.display()
                )));
            }
            // The first day kept starts at midnight in the report zone.
            let cut = crate::check::day_start(*before, app.tz)
                .ok_or_else(|| CliError::usage(format!("--before {before}: not a valid day")))?;
            let preview = Archive::open_read_only(&path)
                .and_then(|a| a.purge_preview(cut))
                .map_err(|e| store_error(&e))?;
            let what = format!(
                "{} meetings, {} observations, {} report stubs and {} raw responses that started before {before} ({})",
                preview.meetings,
                preview.observations,
                preview.stubs,
                preview.raw_responses,
                app.tz.name()
            );
            if *dry_run {
                app.write_output(None, "the output", |w| {
                    writeln!(w, "would delete {what} from {}", path.display())
                })?;
                return Ok(());
            }
            if !*yes && !crate::check::confirm(&format!("delete {what} from {}?", path.display()))?
            {
                return Err(CliError::usage("purge: not confirmed; nothing was deleted"));
            }
            let _lock = meeting_store::RunLock::acquire(&path, RUN_LOCK_WAIT)
                .map_err(|e| store_error(&e))?;
            let writer = Writer::open(&path).map_err(|e| store_error(&e))?;
            let summary = writer.purge(cut).map_err(|e| store_error(&e))?;
            writer.close().map_err(|e| store_error(&e))?;
            app.note(&format!(
                "purged {} meetings, {} observations, {} report stubs and {} raw responses before {before}",
                summary.meetings, summary.observations, summary.stubs, summary.raw_responses
            ));
            Ok(())
        }
    }
}

/// How long `import` and `purge` wait for a sync holding the archive before exiting 8.
const RUN_LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// Records per import transaction: a dump is committed in chunks of this many records, so
/// the import's memory does not grow with the dump (a save-raw record is one response,
/// far below it, so it stays one transaction with its raw body).
const IMPORT_CHUNK: usize = 4096;

/// Saved-response records (`--save-raw`) are small: one response per file.
const RECORD_MAX_BYTES: u64 = 64 << 20;

/// A `--save-raw` record file (`000001-systec.detail.json`), parsed, or `None` for anything
/// else (a dump, a large file).
fn saved_record(path: &Path) -> Option<(Vec<u8>, meeting_core::SavedResponse)> {
    let name = path.file_name()?.to_str()?;
    let (seq, _) = name.split_once('-')?;
    if seq.len() != 6 || !seq.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if std::fs::metadata(path).ok()?.len() > RECORD_MAX_BYTES {
        return None;
    }
    let bytes = std::fs::read(path).ok()?;
    let record = serde_json::from_slice(&bytes).ok()?;
    Some((bytes, record))
}

/// Hands `commit` to the writer thread once the chunk before it (`pending`) is committed,
/// and returns while it is written: reading the next chunk overlaps writing this one, and
/// at most two chunks are in memory. Chunks are committed in order; the first failure
/// stops the import (the chunks before it stay committed, as they would one at a time).
fn send_chunk(
    writer: &Writer,
    pending: &mut Option<meeting_store::PendingCommit>,
    total: &mut meeting_store::LoadSummary,
    commit: meeting_store::WindowCommit,
) -> Result<()> {
    if let Some(p) = pending.take() {
        total.add(&p.wait().map_err(|e| store_error(&e))?);
    }
    *pending = Some(writer.send_window(commit).map_err(|e| store_error(&e))?);
    Ok(())
}

/// `meeting archive import`: every record of the inputs is an observation, fetched when the
/// vendor answered (a save-raw record says when; for other files, when the file was last
/// written); with `keep_raw`, save-raw records' bodies are kept too; runs' manifests are
/// recorded with their gaps.
fn import(app: &App<'_>, inputs: &[PathBuf], archive: Option<&Path>, keep_raw: bool) -> Result<()> {
    let expanded =
        meeting_core::inputs::expand(inputs).map_err(|e| CliError::usage(e.to_string()))?;
    for s in &expanded.skipped {
        app.note(&format!("skipped {}: {}", s.path.display(), s.reason));
    }
    let path = path(archive)?;
    // Never interleaved with a sync (or another import): the archive's run lock.
    let _lock =
        meeting_store::RunLock::acquire(&path, RUN_LOCK_WAIT).map_err(|e| store_error(&e))?;
    let writer = Writer::open(&path).map_err(|e| store_error(&e))?;
    let profile = app.settings.profile_name.clone();
    let options = DumpOptions::new().context(app.ctx);
    let mut total = meeting_store::LoadSummary::default();
    let (mut records, mut bad) = (0u64, 0u64);
    // The chunk the writer thread is committing while the next one is read.
    let mut pending: Option<meeting_store::PendingCommit> = None;
    for input in &expanded.inputs {
        let record = match input {
            meeting_core::inputs::Input::File(p) => saved_record(p),
            meeting_core::inputs::Input::Stdin => None,
        };
        // A saved run's records are observed at the run's start (as its live output and a
        // replay say), and keep only the days the run asked for.
        let input_options = input.options_for(&options);
        let fetched_at = match (&record, input) {
            (Some((_, r)), _) => input_options.run_started.unwrap_or(r.fetched_at),
            (None, meeting_core::inputs::Input::File(p)) => std::fs::metadata(p)
                .and_then(|m| m.modified())
                .map(DateTime::<Utc>::from)
                .unwrap_or_else(|_| Utc::now()),
            (None, meeting_core::inputs::Input::Stdin) => Utc::now(),
        };
        let (reader, raw): (Box<dyn std::io::Read>, _) = match record {
            Some((bytes, r)) => (
                Box::new(std::io::Cursor::new(bytes)),
                keep_raw.then(|| meeting_store::RawResponse::new(profile.clone(), r)),
            ),
            None => (
                input.open().map_err(|e| CliError::usage(e.to_string()))?,
                None,
            ),
        };
        let mut observations = Vec::new();
        let mut raw = raw;
        let mut dump = read_dump(reader, input_options);
        for item in dump.by_ref() {
            match item {
                Ok(m) => {
                    // Serialised and merged here, while the writer commits the last chunk.
                    let observation = Observation::new(profile.clone(), fetched_at, m)
                        .prepare()
                        .map_err(|e| store_error(&e))?;
                    observations.push(observation);
                    // Large dumps commit in chunks, so memory stays flat whatever the size.
                    if observations.len() >= IMPORT_CHUNK {
                        records += observations.len() as u64;
                        let mut commit = meeting_store::WindowCommit::prepared(std::mem::take(
                            &mut observations,
                        ));
                        commit.raw.extend(raw.take());
                        send_chunk(&writer, &mut pending, &mut total, commit)?;
                    }
                }
                Err(e) => {
                    bad += 1;
                    let _ = writeln!(
                        std::io::stderr().lock(),
                        "bad document: {}",
                        crate::app::escape(&format!("{}: {e}", input.name()))
                    );
                }
            }
        }
        records += observations.len() as u64;
        let mut commit = meeting_store::WindowCommit::prepared(observations);
        commit.raw.extend(raw);
        send_chunk(&writer, &mut pending, &mut total, commit)?;
    }
    if let Some(p) = pending.take() {
        total.add(&p.wait().map_err(|e| store_error(&e))?);
    }
    let mut gaps = 0;
    for manifest_path in &expanded.manifests {
        let manifest =
            RunManifest::read(manifest_path).map_err(|e| CliError::data(e.to_string()))?;
        let id = manifest_path.parent().map_or_else(
            || manifest_path.display().to_string(),
            |d| d.display().to_string(),
        );
        if manifest.gaps().is_some() {
            gaps += 1;
        }
        // One manifest format: the save-raw run's own, with the archive's id and profile.
        let mut run = manifest;
        run.id = Some(id);
        run.profile = Some(profile.clone());
        let mut commit = meeting_store::WindowCommit::new(Vec::new());
        commit.run = Some(run);
        writer.commit_window(commit).map_err(|e| store_error(&e))?;
    }
    writer.close().map_err(|e| store_error(&e))?;
    app.note(&format!(
        "imported {records} records into {}: {} new, {} updated, {} unchanged meetings; {} new report stubs; {} raw responses kept{}",
        path.display(),
        total.new,
        total.updated,
        total.unchanged,
        total.stubs_new,
        total.raw_responses,
        if gaps > 0 {
            format!("; {gaps} run(s) with gaps recorded")
        } else {
            String::new()
        }
    ));
    if bad > 0 {
        return Err(CliError::new(
            if records > 0 {
                Exit::Partial
            } else {
                Exit::Data
            },
            format!("{bad} bad document(s) skipped (listed above)"),
        ));
    }
    Ok(())
}

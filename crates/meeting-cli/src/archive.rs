//! `meeting archive ...`: thin calls of `meeting_sync::archive` and `meeting-store`, and
//! what they did, on stdout or stderr.

use std::path::{Path, PathBuf};

use meeting_store::{Archive, MigrationStep};
use meeting_sync::archive::{PurgeError, RUN_LOCK_WAIT};
use meeting_sync::import::ImportOptions;

use crate::app::App;
use crate::cli::{ArchiveCommand, StatusFormat};
use crate::error::{CliError, Result, store_error};
use crate::notes::BadReporter;
use meeting_sync::failure::FailureClass;

/// The archive's path: the flag (an empty `--archive` means the default), else
/// `MEETING_ARCHIVE`, else the user data directory.
fn path(flag: Option<&Path>) -> Result<PathBuf> {
    meeting_sync::archive::path(flag).map_err(|e| store_error(&e))
}

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
        ArchiveCommand::Migrate { archive } => migrate(app, archive.as_deref()),
        ArchiveCommand::Dump {
            output: _,
            out,
            archive,
        } => {
            let path = path(archive.as_deref())?;
            let mut failed: Option<meeting_sync::offline::OfflineError> = None;
            let mut written = 0u64;
            app.write_output(out.as_deref(), "the dump", |w| {
                match meeting_sync::offline::dump(&path, w) {
                    Ok(n) => written = n,
                    // A failed write keeps its cause (a closed pipe ends quietly).
                    Err(meeting_sync::offline::OfflineError::Write(e)) => return Err(e),
                    Err(e) => failed = Some(e),
                }
                Ok(())
            })?;
            if let Some(e) = failed {
                return Err(e.into());
            }
            app.note(&format!(
                "dumped {written} meetings from {}",
                path.display()
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
            let plan =
                meeting_sync::archive::purge_plan(&path, *before, app.tz).map_err(|e| match e {
                    PurgeError::Store(e) => store_error(&e),
                    e => CliError::usage(e.to_string()),
                })?;
            let preview = &plan.preview;
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
            let summary = meeting_sync::archive::purge(&path, plan.cut, RUN_LOCK_WAIT)
                .map_err(|e| store_error(&e))?;
            app.note(&format!(
                "purged {} meetings, {} observations, {} report stubs and {} raw responses before {before}",
                summary.meetings, summary.observations, summary.stubs, summary.raw_responses
            ));
            Ok(())
        }
    }
}

/// `meeting archive import`: the job of `meeting_sync::import::import`, and what it did.
fn import(app: &App<'_>, inputs: &[PathBuf], archive: Option<&Path>, keep_raw: bool) -> Result<()> {
    let expanded =
        meeting_sync::inputs::expand(inputs).map_err(|e| CliError::usage(e.to_string()))?;
    for s in &expanded.skipped {
        app.note(&format!("skipped {}: {}", s.path.display(), s.reason));
    }
    let path = path(archive)?;
    let options = ImportOptions::new(app.settings.profile_name.clone(), app.ctx).keep_raw(keep_raw);
    let mut bad = BadReporter::unlimited();
    // A bar of input bytes on a terminal (a spinner when the size is not known: stdin, gzip).
    let bar = app.bar(0, "importing");
    match meeting_sync::import::input_bytes(&expanded) {
        Some(len) => {
            bar.set_length(len);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{prefix}: {bytes}/{total_bytes} [{bar:24}] {msg} [{elapsed}, ETA {eta}]",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar())
                .progress_chars("=> "),
            );
        }
        None => bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{spinner} {prefix}: {bytes} {msg} [{elapsed}]",
            )
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
        ),
    }
    let s = meeting_sync::import::import_with_progress(
        &path,
        &expanded,
        &options,
        &mut |e| bar.suspend(|| bad.report(e)),
        &mut |p| {
            bar.set_position(p.bytes);
            bar.set_message(format!("{} records", p.records));
        },
    );
    bar.finish_and_clear();
    let s = s?;
    let total = &s.changes;
    app.note(&format!(
        "imported {} records into {}: {} new, {} updated, {} unchanged meetings; {} new report stubs; {} raw responses kept{}",
        s.records,
        path.display(),
        total.new,
        total.updated,
        total.unchanged,
        total.stubs_new,
        total.raw_responses,
        if s.runs_with_gaps > 0 {
            format!("; {} run(s) with gaps recorded", s.runs_with_gaps)
        } else {
            String::new()
        }
    ));
    if s.bad > 0 {
        return Err(CliError::new(
            if s.records > 0 {
                FailureClass::Partial
            } else {
                FailureClass::Data
            },
            format!("{} bad document(s) skipped (listed above)", s.bad),
        ));
    }
    Ok(())
}

/// `meeting archive migrate`: the explicit migration, with a progress bar on a terminal.
fn migrate(app: &App<'_>, archive: Option<&Path>) -> Result<()> {
    let path = path(archive)?;
    let today = chrono::Utc::now()
        .with_timezone(&app.vendor_tz)
        .date_naive();
    let bar = app.bar(0, "migrate");
    let mut progress = |step: MigrationStep, done: u64, total: u64| {
        let prefix = match step {
            MigrationStep::Backup => "backup",
            MigrationStep::Migrate => "summary rows",
            _ => "vacuum",
        };
        bar.set_prefix(prefix);
        bar.set_length(total);
        bar.set_position(done);
    };
    let m = meeting_sync::archive::migrate(&path, today, RUN_LOCK_WAIT, &mut progress)
        .map_err(|e| store_error(&e))?;
    bar.finish_and_clear();
    match &m.backup {
        None => app.note(&format!(
            "{}: already at schema {}; nothing to do",
            path.display(),
            m.to
        )),
        Some(backup) => app.note(&format!(
            "migrated {} from schema {} to {} ({} to {} bytes); the schema-{} archive is kept as {}{}",
            path.display(),
            m.from,
            m.to,
            m.size_before,
            m.size_after,
            m.from,
            backup.display(),
            if m.cursors_clamped > 0 {
                format!("; {} sync cursor(s) past today set back to today", m.cursors_clamped)
            } else {
                String::new()
            }
        )),
    }
    Ok(())
}

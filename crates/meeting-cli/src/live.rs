//! `meeting systec ...` and `meeting quanshi ...`: call a job of `meeting-sync`, then merge,
//! filter and render what it fetched.

use meeting_core::query::Filter;
use std::path::Path;

use meeting_sync::clients::{self, Tuning};
use meeting_sync::quanshi::read_lookups;
use meeting_sync::systec::SystecCall;
use meeting_sync::{Fetched, quanshi, systec};
use systec_model::detail::DetailQuery;

use crate::app::App;
use crate::cli::{QuanshiCommand, SystecCommand, VendorOutput};
use crate::error::{CliError, Result};
use crate::runner::{Spinner, block_on, capture, finish};
use meeting_sync::failure::FailureClass;

pub(crate) fn systec(app: &App<'_>, c: &SystecCommand) -> Result<()> {
    let (SystecCommand::Fetch { out, .. }
    | SystecCommand::Reports { out, .. }
    | SystecCommand::Detail { out, .. }
    | SystecCommand::History { out, .. }) = c;
    // The days first: a usage error is found before credentials or the network.
    let (job, span) = match c {
        SystecCommand::Fetch { range, .. } => {
            ("systec fetch", Some(app.required_span(&range.args())?))
        }
        SystecCommand::History { range, .. } => {
            ("systec history", Some(app.required_span(&range.args())?))
        }
        SystecCommand::Detail { from, to, .. } => {
            if let (Some(f), Some(t)) = (from, to) {
                meeting_sync::dates::check_range(*f, *t)?;
            }
            ("systec detail", from.zip(*to))
        }
        SystecCommand::Reports { .. } => ("systec reports", None),
    };
    let progress = app.progress(&out.live);
    let capture = capture(out, &progress)?;
    let client = clients::systec_client(
        &app.settings,
        Tuning::from_settings(&app.settings),
        &capture,
        app.vendor_tz,
    )?;
    let ctx = &app.ctx;
    let spinner = Spinner(progress.clone());
    let mut fetched = Fetched::default();
    let mut room = None;

    // The run's manifest holds the days asked and their zone (the report zone): a replay
    // keeps the same meetings.
    let started = capture.start_run(job, span, Some(app.tz.name()));
    let mut on_batch = |mut b: meeting_sync::Batch| {
        capture.record_batch(&b);
        b.observed_at(started);
        fetched.push(b);
    };
    let call = match c {
        SystecCommand::Fetch { room: r, .. } => {
            let (from, to) = span.unwrap_or_default();
            let mut range = systec::FetchRange::for_days(from, to, app.tz, app.vendor_tz);
            if let Some(r) = r {
                range = range.room(r.clone());
            }
            room.clone_from(r);
            SystecCall::Fetch(range)
        }
        SystecCommand::Detail {
            from,
            to,
            room,
            participants,
            telephony,
            ..
        } => {
            let mut q = DetailQuery::new()
                .show_participants(*participants)
                .show_telephony_usage(*telephony);
            if let Some(f) = from {
                q = q.from(*f);
            }
            if let Some(t) = to {
                q = q.to(*t);
            }
            if let Some(r) = room {
                q = q.host_id(r.clone());
            }
            SystecCall::Detail(q)
        }
        SystecCommand::History { .. } => {
            let (from, to) = span.unwrap_or_default();
            let vendor = systec::FetchRange::for_days(from, to, app.tz, app.vendor_tz);
            SystecCall::History(vendor.from, vendor.to)
        }
        SystecCommand::Reports { uuids, .. } => SystecCall::Reports(uuids.clone()),
    };
    block_on("the fetch", call.run(&client, ctx, &spinner, &mut on_batch))?
        .map_err(|e| CliError::usage(e.to_string()))?;
    capture.finish_run(fetched.errors.is_empty());
    fetched.summary.requests = client.requests_sent();
    progress.finish_and_clear();
    // Exactly the days asked, in the report zone (the vendor windows were wider).
    let days = span.filter(|_| {
        matches!(
            c,
            SystecCommand::Fetch { .. } | SystecCommand::History { .. }
        )
    });
    let filter = meeting_sync::report::filter(app.tz, days, room.as_slice(), &[]);
    finish(app, fetched, &capture, &filter, out, None)
}

pub(crate) fn quanshi(app: &App<'_>, c: &QuanshiCommand) -> Result<()> {
    let (QuanshiCommand::Conference { out, .. } | QuanshiCommand::Info { out, .. }) = c;
    if let QuanshiCommand::Info { ids: Some(ids), .. } = c {
        return quanshi_info_ids(app, ids, out);
    }
    let progress = app.progress(&out.live);
    let capture = capture(out, &progress)?;
    let client = clients::quanshi_client(
        &app.settings,
        Tuning::from_settings(&app.settings),
        &capture,
    )?;
    let mut fetched = Fetched::default();
    let started = capture.start_run(
        match c {
            QuanshiCommand::Conference { .. } => "quanshi conference",
            QuanshiCommand::Info { .. } => "quanshi info",
        },
        None,
        None,
    );
    let batch = match c {
        QuanshiCommand::Conference { link, .. } => {
            block_on("the lookup", quanshi::conference(&client, &app.ctx, link))?
        }
        QuanshiCommand::Info { temp_id, .. } => {
            let temp_id = temp_id.as_deref().unwrap_or_default();
            block_on("the lookup", quanshi::info(&client, &app.ctx, temp_id))?
        }
    };
    capture.record_batch(&batch);
    let mut batch = batch;
    batch.observed_at(started);
    capture.finish_run(batch.is_complete());
    if batch.is_complete() && batch.meetings.is_empty() {
        progress.finish_and_clear();
        let what = match c {
            QuanshiCommand::Conference { .. } => "no reservation has this join link",
            QuanshiCommand::Info { .. } => "no conference has this temporary id",
        };
        return Err(CliError::new(
            FailureClass::NotFound,
            format!("Quanshi: {what}. Check the link or id; retrying will not help."),
        ));
    }
    fetched.push(batch);
    fetched.summary.requests = client.requests_sent();
    progress.finish_and_clear();
    finish(app, fetched, &capture, &Filter::new(app.tz), out, None)
}

/// `meeting quanshi info --ids FILE|-`: batch lookups, no archive; the output as for one
/// lookup; exit 6 when some failed or were not found, 7 when none was found.
pub(crate) fn quanshi_info_ids(app: &App<'_>, ids: &Path, out: &VendorOutput) -> Result<()> {
    let lookups = read_lookups(ids)?;
    let progress = app.progress(&out.live);
    let capture = capture(out, &progress)?;
    let client = clients::quanshi_client(
        &app.settings,
        Tuning::from_settings(&app.settings),
        &capture,
    )?;
    let started = capture.start_run("quanshi info --ids", None, None);
    let mut fetched = Fetched::default();
    let mut not_found = 0usize;
    block_on(
        "the lookups",
        quanshi::lookups(&client, &app.ctx, &lookups, &mut |mut batch| {
            capture.record_batch(&batch);
            batch.observed_at(started);
            if batch.is_complete() && batch.meetings.is_empty() {
                not_found += 1;
            }
            fetched.push(batch);
        }),
    )?;
    capture.finish_run(fetched.errors.is_empty() && not_found == 0);
    fetched.summary.requests = client.requests_sent();
    progress.finish_and_clear();
    if not_found == lookups.len() {
        return Err(CliError::new(
            FailureClass::NotFound,
            format!(
                "Quanshi: none of the {} ids or links was found. Check them; retrying will not help.",
                lookups.len()
            ),
        ));
    }
    finish(app, fetched, &capture, &Filter::new(app.tz), out, None)?;
    if not_found > 0 {
        return Err(CliError::new(
            FailureClass::Partial,
            format!(
                "Quanshi: {not_found} of {} ids or links were not found (the others are in the output)",
                lookups.len()
            ),
        ));
    }
    Ok(())
}

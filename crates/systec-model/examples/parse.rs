//! Parses a saved Systec response and prints what it holds.
//!
//! ```text
//! cargo run -p systec-model --example parse -- fixtures/systec/detail.sample.json
//! ```
//!
//! The endpoint is taken from the second argument (`reports`, `detail`, `hisMeeting`) or
//! guessed from the file name.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::process::ExitCode;
use systec_model::{Endpoint, ReportEntry, detail, his_meeting, reports};

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: parse FILE [reports|detail|hisMeeting]");
        return ExitCode::from(2);
    };
    let endpoint = match args.next() {
        Some(name) => Endpoint::from_name(&name),
        None => Endpoint::ALL
            .into_iter()
            .find(|e| {
                path.to_ascii_lowercase()
                    .contains(&e.path().to_ascii_lowercase())
            })
            .or_else(|| path.contains("his-meeting").then_some(Endpoint::HisMeeting)),
    };
    let Some(endpoint) = endpoint else {
        eprintln!(
            "{path}: cannot tell the endpoint from the name; pass reports, detail or hisMeeting"
        );
        return ExitCode::from(2);
    };
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("{path}: {e}");
            return ExitCode::from(1);
        }
    };
    let result = match endpoint {
        Endpoint::Reports => reports::parse_response(&bytes).map(|r| {
            for entry in &r.data {
                match entry {
                    ReportEntry::Report(rep) => println!(
                        "report  {}  meeting {}  {} → {}  {}  participants {}/{}",
                        rep.uuid.as_ref().map(ToString::to_string).unwrap_or_default(),
                        rep.id.as_ref().map(ToString::to_string).unwrap_or_default(),
                        rep.start_time.as_ref().map(ToString::to_string).unwrap_or_default(),
                        rep.end_time.as_ref().map(ToString::to_string).unwrap_or_default(),
                        rep.duration.as_ref().map(ToString::to_string).unwrap_or_default(),
                        rep.participants().len(),
                        rep.participants_count.unwrap_or(0),
                    ),
                    ReportEntry::Stub(stub) => println!(
                        "stub    meeting {} (no report: not ended, or fewer than two participants)",
                        stub.id.as_ref().map(ToString::to_string).unwrap_or_default()
                    ),
                }
            }
        }),
        Endpoint::Detail => detail::parse_response(&bytes).map(|r| {
            let page = r.data;
            println!(
                "page {} of {} ({} records)",
                page.page_number.unwrap_or(1),
                page.total_page.unwrap_or(1),
                page.total_record.unwrap_or(0)
            );
            for m in page.meetings() {
                let cost: rust_decimal::Decimal = m
                    .telephony_usage()
                    .iter()
                    .filter_map(|c| c.total.as_ref().map(|t| t.amount()))
                    .sum();
                println!(
                    "meeting {}  room {}  {:?}  {} (local)  booked {} min  participants {}  calls {} costing {cost} CNY",
                    m.meeting_id.as_ref().map(ToString::to_string).unwrap_or_default(),
                    m.host_id.as_deref().unwrap_or("?"),
                    m.topic.as_deref().unwrap_or(""),
                    m.start_time.as_ref().map(ToString::to_string).unwrap_or_default(),
                    m.duration.unwrap_or(0),
                    m.participants().len(),
                    m.telephony_usage().len(),
                );
            }
        }),
        _ => his_meeting::parse_response(&bytes).map(|r| {
            for h in &r.data {
                println!(
                    "occurrence {}  meeting {}  room {:?}  {} → {}  {}  participants {}",
                    h.uuid.as_ref().map(ToString::to_string).unwrap_or_default(),
                    h.id.as_ref().map(ToString::to_string).unwrap_or_default(),
                    h.host.as_deref().unwrap_or("").trim(),
                    h.start_time.as_ref().map(ToString::to_string).unwrap_or_default(),
                    h.end_time.as_ref().map(ToString::to_string).unwrap_or_default(),
                    h.duration.as_ref().map(ToString::to_string).unwrap_or_default(),
                    h.participants.unwrap_or(0),
                );
            }
        }),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{path}: {e}");
            ExitCode::from(1)
        }
    }
}

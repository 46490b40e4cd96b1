//! The job of `meeting report`: the meetings of a span read from files or the archive
//! (merged, filtered by room and host), the archive's coverage of the span, the meetings of
//! the previous period to compare with, and what follows from them (nothing to write, a
//! partial span). The report itself (sheets, page, CSV files) is a renderer's
//! (`meeting-report`); whether to sync first is [`crate::archive::freshness`].
//!
//! The span is the report's own: from files every meeting is read, so that those outside
//! the span (or without a time) are counted by the report, not silently dropped; from the
//! archive only the span's days are read.

use chrono::NaiveDate;
use chrono_tz::Tz;
use meeting_core::Meeting;
use meeting_core::query::Filter;

use crate::archive::{Coverage, CoverageState};
use crate::failure::FailureClass;
use crate::inputs::Resolved;
use crate::offline::{OfflineError, ReadOptions, Reading, Source};

/// What a report reads: its span in its zone, the rooms and hosts it keeps, and the span of
/// the previous period to compare with.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ReportQuery {
    /// The span's first day, in `zone`.
    pub from: NaiveDate,
    /// The span's last day, inclusive.
    pub to: NaiveDate,
    /// The report zone.
    pub zone: Tz,
    /// Only these rooms (id, name or e-mail); none: every room.
    pub rooms: Vec<String>,
    /// Only these hosts; none: every host.
    pub hosts: Vec<String>,
    /// The previous period's span, if the report compares with one.
    pub previous: Option<(NaiveDate, NaiveDate)>,
}

impl ReportQuery {
    /// Every meeting of `from ..= to` in `zone`, no previous period.
    #[must_use]
    pub fn new(from: NaiveDate, to: NaiveDate, zone: Tz) -> Self {
        ReportQuery {
            from,
            to,
            zone,
            rooms: Vec::new(),
            hosts: Vec::new(),
            previous: None,
        }
    }

    /// Only these rooms and hosts.
    #[must_use]
    pub fn rooms_hosts(mut self, rooms: &[String], hosts: &[String]) -> Self {
        self.rooms = rooms.to_vec();
        self.hosts = hosts.to_vec();
        self
    }

    /// Compare with the meetings of this span.
    #[must_use]
    pub fn previous(mut self, span: Option<(NaiveDate, NaiveDate)>) -> Self {
        self.previous = span;
        self
    }
}

/// The filter of a span (`None`: every day; an end at `NaiveDate::MIN` or `MAX` is open),
/// rooms and hosts, with days in `zone`.
#[must_use]
pub fn filter(
    zone: Tz,
    span: Option<(NaiveDate, NaiveDate)>,
    rooms: &[String],
    hosts: &[String],
) -> Filter {
    let mut filter = Filter::new(zone);
    if let Some((from, to)) = span {
        filter.from = (from != NaiveDate::MIN).then_some(from);
        filter.to = (to != NaiveDate::MAX).then_some(to);
    }
    for room in rooms {
        filter = filter.room(room.clone());
    }
    for host in hosts {
        filter = filter.host(host.clone());
    }
    filter
}

/// What a report is built from.
#[derive(Debug)]
#[non_exhaustive]
pub struct ReportInput {
    /// The meetings read (from files: all of them; from the archive: the span's), merged
    /// and filtered, with the counts, stubs and gaps of the read.
    pub reading: Reading,
    /// The archive's coverage of the span (`None` for files).
    pub coverage: Option<Coverage>,
    /// The meetings of the previous period, read again from the archive (quietly: `None`
    /// when it cannot be read, and then there is no comparison). `None` for files: their
    /// meetings are [`ReportInput::reading`]'s, whatever of the period they hold.
    pub previous: Option<Vec<Meeting>>,
}

impl ReportInput {
    /// Whether the archive covers the whole span.
    #[must_use]
    pub fn covered(&self) -> bool {
        self.coverage.as_ref().is_some_and(Coverage::is_covered)
    }

    /// Why nothing is to be written when `written` meetings are in the report and nothing
    /// says there is nothing (the span is not covered, or the input was files): the
    /// coverage, else that the input holds no meeting of the span. `None`: write.
    #[must_use]
    pub fn nothing_matched(&self, written: u64) -> Option<String> {
        if written > 0 || self.covered() {
            return None;
        }
        Some(self.coverage.as_ref().map_or_else(
            || String::from("the input holds no meeting of the span"),
            ToString::to_string,
        ))
    }

    /// The meetings to compare with the previous period: the archive's read of it (`None`
    /// when it could not be read: no comparison), or the files' own meetings.
    #[must_use]
    pub fn previous_meetings(&self) -> Option<&[Meeting]> {
        if self.coverage.is_some() {
            self.previous.as_deref()
        } else {
            Some(&self.reading.meetings)
        }
    }

    /// The coverage when the archive does not cover the whole span (the report may miss
    /// meetings: a partial run).
    #[must_use]
    pub fn partial_coverage(&self) -> Option<&Coverage> {
        self.coverage
            .as_ref()
            .filter(|c| matches!(c.state, CoverageState::Partial | CoverageState::NotCovered))
    }
}

/// Whether a report stops when the sync it ran first failed with `class`: a failed window
/// shows in the coverage and a sync that cannot run at all (no credentials: usage) leaves
/// the report to the archive as it is; anything else (busy, interrupted, refused) stops it.
#[must_use]
pub fn sync_failure_stops(class: FailureClass) -> bool {
    !matches!(class, FailureClass::Partial | FailureClass::Usage)
}

/// The job: reads the span's meetings from `source` (files through their temporary
/// archive, as [`crate::offline::merged`]), the archive's coverage of the span, and the
/// previous period's meetings from the archive.
///
/// # Errors
/// As [`crate::offline::merged`]; the archive's coverage cannot be read.
pub fn read(
    source: &Resolved,
    query: &ReportQuery,
    options: &ReadOptions,
    on_bad: &mut dyn FnMut(&str),
) -> Result<ReportInput, OfflineError> {
    let span = (query.from, query.to);
    let archive = source.archive();
    let span_filter = filter(
        query.zone,
        archive.map(|_| span),
        &query.rooms,
        &query.hosts,
    );
    let reading = crate::offline::merged(source.source(), options, &span_filter, on_bad)?;
    let Some(path) = archive else {
        return Ok(ReportInput {
            reading,
            coverage: None,
            previous: None,
        });
    };
    let coverage = crate::archive::coverage(path, query.from, query.to)?;
    let previous = query.previous.and_then(|span| {
        let filter = filter(query.zone, Some(span), &query.rooms, &query.hosts);
        crate::offline::merged(Source::Archive(path), options, &filter, &mut |_| {})
            .ok()
            .map(|r| r.meetings)
    });
    Ok(ReportInput {
        reading,
        coverage: Some(coverage),
        previous,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().expect("a day")
    }

    #[test]
    fn open_ends_are_not_bounds() {
        let f = filter(
            chrono_tz::UTC,
            Some((NaiveDate::MIN, day("2024-01-31"))),
            &[],
            &[],
        );
        assert_eq!((f.from, f.to), (None, Some(day("2024-01-31"))));
        let f = filter(chrono_tz::UTC, None, &[], &[]);
        assert!(f.is_empty());
    }

    #[test]
    fn nothing_matched_unless_written_or_covered() {
        let files = ReportInput {
            reading: Reading::default(),
            coverage: None,
            previous: None,
        };
        assert_eq!(
            files.nothing_matched(0).as_deref(),
            Some("the input holds no meeting of the span")
        );
        assert_eq!(files.nothing_matched(1), None);
        assert_eq!(files.previous_meetings().map(<[Meeting]>::len), Some(0));
        let imported = ReportInput {
            coverage: Some(Coverage::unknown(day("2024-01-01"), day("2024-01-31"))),
            ..files
        };
        assert!(
            imported
                .nothing_matched(0)
                .is_some_and(|why| why.contains("unknown"))
        );
        assert!(imported.partial_coverage().is_none());
        assert!(imported.previous_meetings().is_none());
    }

    #[test]
    fn only_a_partial_or_unusable_sync_lets_the_report_go_on() {
        assert!(!sync_failure_stops(FailureClass::Partial));
        assert!(!sync_failure_stops(FailureClass::Usage));
        assert!(sync_failure_stops(FailureClass::Busy));
        assert!(sync_failure_stops(FailureClass::Auth));
    }
}

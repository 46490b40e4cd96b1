//! The job of `meeting stats`: the aggregate of files or the archive, computed without
//! holding a summary per meeting ([`aggregate`]), or one summary per distinct meeting
//! ([`summarize`]); and the outlines of their rooms that masking reads ([`RoomOutlines`],
//! [`room_outlines`]). The aggregate itself is `meeting_core::aggregate`'s, its rendering
//! `meeting-report`'s.

use std::collections::BTreeMap;

use meeting_core::query::Filter;
use meeting_core::{Meeting, MeetingSummary};

use crate::inputs::Resolved;
use crate::offline::{Aggregated, Grouping, OfflineError, ReadOptions, Summarizing, outline};

/// The summaries of `source` that pass `filter`: the archive's summary rows
/// ([`crate::offline::summarize_archive`]; `options` and `on_bad` are not used), or files
/// through their temporary archive ([`crate::offline::summarize_files`]).
///
/// # Errors
/// As those two.
pub fn summarize(
    source: &Resolved,
    options: &ReadOptions,
    filter: &Filter,
    on_bad: &mut dyn FnMut(&str),
) -> Result<Summarizing, OfflineError> {
    match source {
        Resolved::Files(expanded) => {
            crate::offline::summarize_files(expanded, options, filter, on_bad)
        }
        Resolved::Archive(path) => crate::offline::summarize_archive(path, filter),
    }
}

/// The aggregate of `source`'s summaries that pass `filter`, as
/// [`meeting_core::aggregate::Aggregate::of_summaries`] of [`summarize`]'s, without holding
/// them ([`crate::offline::aggregate_archive`], [`crate::offline::aggregate_files`]; for
/// the archive, `options` and `on_bad` are not used). Each summary that passes is handed
/// to `each` (in no particular order: the archive's, as stored).
///
/// # Errors
/// As those two.
pub fn aggregate(
    source: &Resolved,
    options: &ReadOptions,
    filter: &Filter,
    grouping: Grouping<'_>,
    on_bad: &mut dyn FnMut(&str),
    each: &mut dyn FnMut(&MeetingSummary),
) -> Result<Aggregated, OfflineError> {
    match source {
        Resolved::Files(expanded) => {
            crate::offline::aggregate_files(expanded, options, filter, grouping, on_bad, each)
        }
        Resolved::Archive(path) => crate::offline::aggregate_archive(path, filter, grouping, each),
    }
}

/// [`room_outlines`] one summary at a time: what masking an aggregate grouped `by` reads.
#[derive(Debug)]
pub struct RoomOutlines {
    by: meeting_core::aggregate::GroupBy,
    rooms: BTreeMap<String, Meeting>,
}

impl RoomOutlines {
    /// Nothing seen yet, for an aggregate grouped `by`.
    #[must_use]
    pub fn new(by: meeting_core::aggregate::GroupBy) -> Self {
        RoomOutlines {
            by,
            rooms: BTreeMap::new(),
        }
    }

    /// Sees one summary (of those aggregated, in their order).
    pub fn add(&mut self, s: &MeetingSummary) {
        if self.by != meeting_core::aggregate::GroupBy::Host {
            return;
        }
        let mut m = outline(s);
        m.host = None;
        m.key = String::new();
        m.occurrence_id = None;
        m.meeting_number = None;
        m.event_id = None;
        m.observed_at.clear();
        m.sources.clear();
        m.start = None;
        m.end = None;
        m.scheduled_start = None;
        let id = format!("{:?}{:?}", m.room, m.rooms);
        self.rooms.entry(id).or_insert(m);
    }

    /// The outlines: one per distinct set of rooms seen (none unless grouped by host).
    #[must_use]
    pub fn into_outlines(self) -> Vec<Meeting> {
        self.rooms.into_values().collect()
    }
}

/// What masking an aggregate grouped `by` reads of its meetings: for
/// [`meeting_core::aggregate::GroupBy::Host`], one outline per distinct set of rooms (no
/// host, identity or time); for the other groupings, none.
#[must_use]
pub fn room_outlines(
    summaries: &[MeetingSummary],
    by: meeting_core::aggregate::GroupBy,
) -> Vec<Meeting> {
    let mut rooms = RoomOutlines::new(by);
    for s in summaries {
        rooms.add(s);
    }
    rooms.into_outlines()
}

#[cfg(test)]
mod tests {
    use meeting_core::aggregate::GroupBy;

    #[test]
    fn only_a_grouping_by_host_reads_rooms() {
        assert!(super::room_outlines(&[], GroupBy::Room).is_empty());
        assert!(super::room_outlines(&[], GroupBy::Host).is_empty());
    }
}

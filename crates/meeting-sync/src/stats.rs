//! The job of `meeting stats`: one summary per distinct meeting of files or the archive
//! ([`summarize`]), and the outlines of their rooms that masking reads
//! ([`room_outlines`]). The aggregate itself is `meeting_core::aggregate`'s, its rendering
//! `meeting-report`'s.

use std::collections::BTreeMap;

use meeting_core::query::Filter;
use meeting_core::{Meeting, MeetingSummary};

use crate::inputs::Resolved;
use crate::offline::{OfflineError, ReadOptions, Summarizing, outline};

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

/// What masking an aggregate grouped `by` reads of its meetings: for
/// [`meeting_core::aggregate::GroupBy::Host`], one outline per distinct set of rooms (no
/// host, identity or time); for the other groupings, none.
#[must_use]
pub fn room_outlines(
    summaries: &[MeetingSummary],
    by: meeting_core::aggregate::GroupBy,
) -> Vec<Meeting> {
    let mut rooms: BTreeMap<String, Meeting> = BTreeMap::new();
    if by != meeting_core::aggregate::GroupBy::Host {
        return Vec::new();
    }
    for s in summaries {
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
        rooms.entry(id).or_insert(m);
    }
    rooms.into_values().collect()
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

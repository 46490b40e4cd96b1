//! Ground truth: exactly which records the simulator holds for a query.

use quanshi_model::{Conference, DashboardConference};
use std::sync::Arc;
use systec_model::{DateWindow, DetailMeeting, HisMeeting, MeetingUuid, ReportEntry};

use crate::accounting::{self, Accounting};
use crate::server::{Shared, read};
use crate::systec::answer as systec;
use crate::systec::data::Listing;

/// The ground truth of a running simulator, read at the time of each call (so it includes
/// meetings added by page drift up to then). Get one with
/// [`SimHandle::truth`](crate::SimHandle::truth).
#[derive(Clone, Debug)]
pub struct Truth {
    pub(crate) shared: Arc<Shared>,
}

/// A Systec shared room.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RoomInfo {
    /// `detail`'s `host_id`.
    pub host_id: String,
    /// `reports`/`hisMeeting` `host`, with its trailing space.
    pub name: String,
    /// The room's mailbox.
    pub email: String,
}

impl Truth {
    /// Every meeting `detail` serves for `window` (after the one-month rule:
    /// [`DateWindow::vendor_served`]), optionally of one room, in the order served, as
    /// full records: with participants and telephony usage.
    pub fn detail(&self, window: &DateWindow, host_id: Option<&str>) -> Vec<DetailMeeting> {
        let data = read(&self.shared.systec);
        let zone = self.shared.config.vendor_zone;
        data.in_window(&window.vendor_served(), &zone, host_id, None)
            .map(|o| systec::detail_meeting(o, data.rooms.get(o.room), &zone, true, true))
            .collect()
    }

    /// Every record `hisMeeting` serves for `window` (after the one-month rule), in order.
    pub fn his_meetings(&self, window: &DateWindow) -> Vec<HisMeeting> {
        let data = read(&self.shared.systec);
        systec::his_meetings(&data, &self.shared.config.vendor_zone, window)
    }

    /// The `reports` entry of one occurrence, with its **whole** participant list (the
    /// endpoint lists only the first 100); `None` for a UUID `reports` leaves out (unknown,
    /// or the `detail`-only accounting case).
    pub fn report(&self, uuid: &str) -> Option<ReportEntry> {
        let data = read(&self.shared.systec);
        data.by_uuid
            .get(uuid)
            .filter(|o| o.listing != Listing::DetailOnly)
            .map(|o| systec::report_entry(o, data.rooms.get(o.room), usize::MAX))
    }

    /// Every occurrence UUID, in serving order (start time, then UUID), the accounting cases'
    /// `detail`-only and `reports`-only occurrences included.
    pub fn uuids(&self) -> Vec<MeetingUuid> {
        read(&self.shared.systec)
            .meetings
            .iter()
            .map(|o| MeetingUuid::from(o.uuid.as_str()))
            .collect()
    }

    /// The number of occurrences held (generated plus drifted).
    pub fn meeting_count(&self) -> usize {
        read(&self.shared.systec).meetings.len()
    }

    /// How many meetings page drift has added.
    pub fn drifted(&self) -> u64 {
        read(&self.shared.systec).drifted
    }

    /// The shared rooms.
    pub fn rooms(&self) -> Vec<RoomInfo> {
        read(&self.shared.systec)
            .rooms
            .iter()
            .map(|r| RoomInfo {
                host_id: r.host_id.clone(),
                name: r.name.clone(),
                email: r.email.clone(),
            })
            .collect()
    }

    /// The accounting ground truth of everything held now (drifted meetings included): per
    /// room and in total, meetings held, measured and billed minutes, attendees, phone calls,
    /// minutes and cost, scheduled and cancelled bookings, report stubs. The definitions are
    /// in the crate docs, "Ground truth for accounting".
    pub fn accounting(&self) -> Accounting {
        let systec = read(&self.shared.systec);
        accounting::compute(&systec, &self.shared.quanshi)
    }

    /// The Quanshi reservation behind an attendee join link.
    pub fn quanshi_conference(&self, join_url: &str) -> Option<Conference> {
        self.shared.quanshi.conferences.get(join_url).cloned()
    }

    /// Every attendee join link the simulator knows, in generation order.
    pub fn quanshi_join_urls(&self) -> Vec<String> {
        self.shared.quanshi.join_urls.clone()
    }

    /// The dashboard record of a temporary conference id.
    pub fn dashboard(&self, temp_conference_id: &str) -> Option<DashboardConference> {
        self.shared
            .quanshi
            .dashboards
            .get(temp_conference_id)
            .cloned()
    }

    /// Every temporary conference id the simulator knows, in generation order.
    pub fn dashboard_ids(&self) -> Vec<String> {
        self.shared.quanshi.temp_ids.clone()
    }
}

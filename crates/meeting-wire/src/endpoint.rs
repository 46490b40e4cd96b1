//! The typed endpoint identity: one vendor, one endpoint, with its wire name and its `sources`
//! name, defined once for every crate (model, http, simulator, core, sync, cli).
//!
//! [`Source`] is deliberately **not** `#[non_exhaustive]`: matches on it inside the
//! workspace are exhaustive, so adding an endpoint makes every place that routes, names or
//! serves endpoints fail to compile until it handles the new one (no wildcard arm can send it
//! to another endpoint's URL). Adding a variant is a semver-minor change while the crates are
//! 0.x.

use std::fmt;

/// The vendor of a record or an endpoint.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[cfg_attr(
    feature = "schemars",
    schemars(description = "The vendor of a record.")
)]
#[serde(rename_all = "lowercase")]
pub enum Vendor {
    /// Systec Cloud UMeeting shared rooms.
    Systec,
    /// Quanshi (全时).
    Quanshi,
}

impl Vendor {
    /// Both vendors.
    pub const ALL: [Vendor; 2] = [Vendor::Systec, Vendor::Quanshi];

    /// The lowercase name: `systec`, `quanshi`.
    pub const fn name(self) -> &'static str {
        match self {
            Vendor::Systec => "systec",
            Vendor::Quanshi => "quanshi",
        }
    }

    /// The endpoints of this vendor.
    pub fn endpoints(self) -> impl Iterator<Item = Source> {
        Source::ALL.into_iter().filter(move |e| e.vendor() == self)
    }
}

impl fmt::Display for Vendor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An endpoint a record was built from. Declared in the order of the names, so sorting
/// sources sorts their names.
///
/// Serialised as its source name (`systec.detail`); [`Source::from_name`] also reads the
/// wire names (`hisMeeting`, `dashboard_conference_info`).
///
/// ```
/// use meeting_wire::{Source, Vendor};
/// let e: Source = "hisMeeting".parse()?;
/// assert_eq!(e, Source::SystecHisMeeting);
/// assert_eq!(e.source_name(), "systec.his_meeting");
/// assert_eq!(e.vendor(), Vendor::Systec);
/// assert_eq!(e.default_path(), Some("hisMeeting"));
/// # Ok::<(), meeting_wire::UnknownSource>(())
/// ```
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[cfg_attr(
    feature = "schemars",
    schemars(
        description = "An endpoint a record was built from. Declared in the order of the names, so sorting\nsources sorts their names."
    )
)]
pub enum Source {
    /// Quanshi conference by join link: a reservation.
    #[serde(rename = "quanshi.conference")]
    QuanshiConference,
    /// Quanshi dashboard conference info: an occurrence.
    #[serde(rename = "quanshi.dashboard")]
    QuanshiDashboard,
    /// Systec `detail`.
    #[serde(rename = "systec.detail")]
    SystecDetail,
    /// Systec `hisMeeting`.
    #[serde(rename = "systec.his_meeting")]
    SystecHisMeeting,
    /// Systec `reports`.
    #[serde(rename = "systec.reports")]
    SystecReports,
}

impl Source {
    /// Every endpoint, in name order.
    pub const ALL: [Source; 5] = [
        Source::QuanshiConference,
        Source::QuanshiDashboard,
        Source::SystecDetail,
        Source::SystecHisMeeting,
        Source::SystecReports,
    ];

    /// The vendor that serves this endpoint.
    pub const fn vendor(self) -> Vendor {
        match self {
            Source::QuanshiConference | Source::QuanshiDashboard => Vendor::Quanshi,
            Source::SystecDetail | Source::SystecHisMeeting | Source::SystecReports => {
                Vendor::Systec
            }
        }
    }

    /// The name in the neutral schema's `sources` and in saved-response records:
    /// `systec.detail`, `quanshi.dashboard`, ...
    pub const fn source_name(self) -> &'static str {
        match self {
            Source::QuanshiConference => "quanshi.conference",
            Source::QuanshiDashboard => "quanshi.dashboard",
            Source::SystecDetail => "systec.detail",
            Source::SystecHisMeeting => "systec.his_meeting",
            Source::SystecReports => "systec.reports",
        }
    }

    /// The vendor's own name of the endpoint: Systec's path (`detail`, `hisMeeting`,
    /// `reports`) and the Quanshi model's endpoint names (`conference_by_join_url`,
    /// `dashboard_conference_info`).
    pub const fn wire_name(self) -> &'static str {
        match self {
            Source::QuanshiConference => "conference_by_join_url",
            Source::QuanshiDashboard => "dashboard_conference_info",
            Source::SystecDetail => "detail",
            Source::SystecHisMeeting => "hisMeeting",
            Source::SystecReports => "reports",
        }
    }

    /// The documented path relative to the vendor's base URL, or `None` where the docs give
    /// none (the Quanshi join-link endpoint's path must be configured).
    pub const fn default_path(self) -> Option<&'static str> {
        match self {
            Source::QuanshiConference => None,
            Source::QuanshiDashboard => Some("confopenapi/admin/dashboard/conference/info"),
            Source::SystecDetail => Some("detail"),
            Source::SystecHisMeeting => Some("hisMeeting"),
            Source::SystecReports => Some("reports"),
        }
    }

    /// Parses a source name (`systec.his_meeting`) or a wire name (`hisMeeting`,
    /// `dashboard_conference_info`).
    pub fn from_name(name: &str) -> Option<Source> {
        Source::ALL
            .into_iter()
            .find(|e| e.source_name() == name || e.wire_name() == name)
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.source_name())
    }
}

impl std::str::FromStr for Source {
    type Err = UnknownSource;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Source::from_name(s).ok_or_else(|| UnknownSource(s.chars().take(64).collect()))
    }
}

/// A name that is not one of [`Source::ALL`] (at most 64 characters of it are kept).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown endpoint `{0}`: expected systec.reports, systec.detail, systec.his_meeting, quanshi.conference or quanshi.dashboard"
)]
pub struct UnknownSource(String);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_unique() {
        for e in Source::ALL {
            assert_eq!(Source::from_name(e.source_name()), Some(e));
            assert_eq!(Source::from_name(e.wire_name()), Some(e));
            assert!(e.source_name().starts_with(e.vendor().name()));
            let json = serde_json::to_string(&e).unwrap_or_default();
            assert_eq!(json, format!("\"{}\"", e.source_name()));
            assert_eq!(serde_json::from_str::<Source>(&json).ok(), Some(e));
        }
        let mut sorted = Source::ALL;
        sorted.sort_by_key(|e| e.source_name());
        assert_eq!(sorted, Source::ALL, "declared in name order");
        assert!("systec.nope".parse::<Source>().is_err());
    }

    #[test]
    fn vendors_partition_the_endpoints() {
        let n: usize = Vendor::ALL.iter().map(|v| v.endpoints().count()).sum();
        assert_eq!(n, Source::ALL.len());
    }
}

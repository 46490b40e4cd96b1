//! The normalisation context: the vendor zone.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

/// What normalisation needs to know beyond the vendor's data.
///
/// The **vendor zone** is the zone in which zone-less vendor times (Systec `detail`'s
/// `"2017-08-31 00:00:00"`) and date parameters are read; it defaults to `Asia/Shanghai`.
/// It is *not* the display zone: the neutral schema holds UTC only, and converting to a
/// zone for display is the renderer's job (the CLI's `--tz`), never normalisation's.
///
/// ```
/// use meeting_core::Context;
/// let ctx = Context::default();
/// assert_eq!(ctx.vendor_zone().name(), "Asia/Shanghai");
/// let ny = Context::from_zone_name("America/New_York")?;
/// assert_eq!(ny.vendor_zone(), chrono_tz::America::New_York);
/// # Ok::<(), meeting_core::UnknownZone>(())
/// ```
///
/// The **observation time** ([`Context::observed_at`]) is when the data was fetched, where
/// the reader knows it only from outside the data (a bare vendor body saved to a file: its
/// modification time). A saved-response record's own `fetched_at` takes precedence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Context {
    vendor_zone: Tz,
    observed_at: Option<DateTime<Utc>>,
}

/// The default vendor zone.
pub const DEFAULT_VENDOR_ZONE: Tz = chrono_tz::Asia::Shanghai;

impl Default for Context {
    fn default() -> Self {
        Context {
            vendor_zone: DEFAULT_VENDOR_ZONE,
            observed_at: None,
        }
    }
}

impl Context {
    /// A context whose vendor zone is `zone`.
    pub fn new(zone: Tz) -> Self {
        Context {
            vendor_zone: zone,
            observed_at: None,
        }
    }

    /// The same context with the observation time of bare vendor bodies set (see the type's
    /// docs); `None` when unknown.
    #[must_use]
    pub fn with_observed_at(mut self, at: Option<DateTime<Utc>>) -> Self {
        self.observed_at = at;
        self
    }

    /// When the data read under this context was fetched, if known from outside the data.
    pub fn observed_at(&self) -> Option<DateTime<Utc>> {
        self.observed_at
    }

    /// A context whose vendor zone is the IANA zone named `name` (`Asia/Shanghai`).
    ///
    /// # Errors
    /// When `name` is not a zone `chrono-tz` knows.
    pub fn from_zone_name(name: &str) -> Result<Self, UnknownZone> {
        name.parse::<Tz>()
            .map(Context::new)
            .map_err(|_| UnknownZone(name.chars().take(64).collect()))
    }

    /// The zone zone-less vendor times are read in.
    pub fn vendor_zone(&self) -> Tz {
        self.vendor_zone
    }
}

/// A zone name that is not an IANA zone.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown time zone `{0}`: expected an IANA zone name like Asia/Shanghai")]
pub struct UnknownZone(String);

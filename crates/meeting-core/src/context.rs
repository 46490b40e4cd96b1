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
/// **As of** ([`Context::as_of`]) is a time by which the data is known to have been fetched,
/// where the reader knows it only from outside the data (a bare vendor body saved to a file:
/// its modification time). It classifies what depends on it (a `detail` meeting without an
/// end started before it is live) but is not an observation time: bare bodies rank by input
/// order. A saved-response record's own `fetched_at` is its observation time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Context {
    vendor_zone: Tz,
    as_of: Option<DateTime<Utc>>,
}

/// The default vendor zone (defined once, in `systec-model`).
pub use systec_model::DEFAULT_VENDOR_ZONE;

impl Default for Context {
    fn default() -> Self {
        Context {
            vendor_zone: DEFAULT_VENDOR_ZONE,
            as_of: None,
        }
    }
}

impl Context {
    /// A context whose vendor zone is `zone`.
    pub fn new(zone: Tz) -> Self {
        Context {
            vendor_zone: zone,
            as_of: None,
        }
    }

    /// The same context with the time bare vendor bodies were fetched by (see the type's
    /// docs); `None` when unknown.
    #[must_use]
    pub fn with_as_of(mut self, at: Option<DateTime<Utc>>) -> Self {
        self.as_of = at;
        self
    }

    /// The time the data read under this context was fetched by, if known from outside it.
    pub fn as_of(&self) -> Option<DateTime<Utc>> {
        self.as_of
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

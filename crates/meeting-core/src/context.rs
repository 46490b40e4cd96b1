//! The normalisation context: the vendor zone.

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
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Context {
    vendor_zone: Tz,
}

/// The default vendor zone.
pub const DEFAULT_VENDOR_ZONE: Tz = chrono_tz::Asia::Shanghai;

impl Default for Context {
    fn default() -> Self {
        Context {
            vendor_zone: DEFAULT_VENDOR_ZONE,
        }
    }
}

impl Context {
    /// A context whose vendor zone is `zone`.
    pub fn new(zone: Tz) -> Self {
        Context { vendor_zone: zone }
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

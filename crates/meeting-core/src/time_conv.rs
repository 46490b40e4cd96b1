//! Feature `time`: the neutral time fields as `time::OffsetDateTime` (UTC).

use chrono::{DateTime, Utc};

use crate::{Meeting, Participant, PhoneCall};

/// Converts a `chrono` UTC instant to `time::OffsetDateTime` (UTC); `None` when `time`
/// cannot represent it.
///
/// ```
/// let t: chrono::DateTime<chrono::Utc> = "2018-05-08T02:32:34Z".parse().unwrap();
/// let odt = meeting_core::to_offset_date_time(t).unwrap();
/// assert_eq!(odt.unix_timestamp(), t.timestamp());
/// ```
pub fn to_offset_date_time(t: DateTime<Utc>) -> Option<time::OffsetDateTime> {
    let nanos = t.timestamp_nanos_opt()?;
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(nanos)).ok()
}

macro_rules! conversions {
    ($ty:ty { $($field:ident => $method:ident),* $(,)? }) => {
        impl $ty {
            $(
                #[doc = concat!("`", stringify!($field), "` as `time::OffsetDateTime` (UTC).")]
                pub fn $method(&self) -> Option<time::OffsetDateTime> {
                    self.$field.and_then(to_offset_date_time)
                }
            )*
        }
    };
}

conversions!(Meeting {
    scheduled_start => scheduled_start_time,
    scheduled_end => scheduled_end_time,
    start => start_time,
    end => end_time,
});
conversions!(Participant { join => join_time, leave => leave_time });
conversions!(PhoneCall { start => start_time, end => end_time });

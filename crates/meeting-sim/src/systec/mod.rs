//! Systec Cloud UMeeting shared rooms: [`data`] generates rooms and occurrences; [`answer`]
//! reads form parameters and builds `detail`, `hisMeeting` and `reports` answers.

pub(crate) mod answer;
pub(crate) mod cases;
pub(crate) mod data;

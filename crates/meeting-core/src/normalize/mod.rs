//! Normalisation: model values to [`Meeting`]s.
//!
//! Every response type of both model crates implements [`Normalize`]. Normalising takes the
//! model value **by value**, so owned strings move into the `Meeting` instead of being
//! copied; clone first if you need to keep the model value.

pub(crate) mod borrowed;
mod quanshi;
mod systec;

use crate::{Context, Meeting, Source, Status};
use chrono::{DateTime, Utc};
use serde_json::Value;

pub use quanshi::{normalize_conference, normalize_dashboard};
pub(crate) use quanshi::{normalize_conferences_view, normalize_dashboard_view};
pub(crate) use systec::{DayCache, detail_view, his_meeting_view, report_entry_view};
pub use systec::{
    normalize_detail_meeting, normalize_his_meeting, normalize_report, normalize_report_stub,
};

/// A model value that becomes zero or more [`Meeting`]s.
///
/// ```
/// use meeting_core::{Context, Normalize, Status};
/// let body = r#"{"status":200,"message":"OK","data":[
///   {"uuid":"jny6Sttx8NitKXw==","id":1376669196,"host":"test03 ","email":"test03@rfchina.com",
///    "start_time":"2018-01-02T03:53:18Z","end_time":"2018-01-02T04:02:10Z",
///    "duration":"9分钟","participants":2}]}"#;
/// let response = systec_model::his_meeting::parse_response(body.as_bytes())?;
/// let meetings = response.normalize(&Context::default());
/// assert_eq!(meetings[0].key, "systec:jny6Sttx8NitKXw==");
/// assert_eq!(meetings[0].status, Status::Ended);
/// assert_eq!(meetings[0].duration_seconds, Some(532)); // measured: 8 min 52 s
/// assert_eq!(meetings[0].billed_minutes, Some(9)); // the vendor's rounded-up figure
/// assert_eq!(meetings[0].host.as_ref().unwrap().name.as_deref(), Some("test03")); // trimmed
/// # Ok::<(), systec_model::Error>(())
/// ```
pub trait Normalize {
    /// Appends this value's meetings to `out`.
    fn normalize_into(self, ctx: &Context, out: &mut Vec<Meeting>);

    /// This value's meetings, classified as of the context's time when it has one (see
    /// [`classify`]).
    fn normalize(self, ctx: &Context) -> Vec<Meeting>
    where
        Self: Sized,
    {
        let mut out = Vec::new();
        self.normalize_into(ctx, &mut out);
        if let Some(at) = ctx.as_of() {
            classify(&mut out, at);
        }
        out
    }
}

/// Records that `meetings` (just normalised from one response) were observed at `at`, and
/// classifies them as of that time ([`classify`]).
///
/// ```
/// use meeting_core::{Meeting, Source, Status, Vendor, normalize::observe};
/// let mut m = Meeting::new(Vendor::Systec, Source::SystecDetail, "systec:a");
/// m.start = "2024-01-02T01:00:00Z".parse().ok();
/// let mut list = vec![m];
/// observe(&mut list, "2024-01-02T01:30:00Z".parse().unwrap());
/// assert_eq!(list[0].status, Status::Live);
/// ```
pub fn observe(meetings: &mut [Meeting], at: DateTime<Utc>) {
    for m in meetings.iter_mut() {
        m.observe(at);
    }
    classify(meetings, at);
}

/// Classifies what depends on when the data was fetched (`at`, or a time it was fetched by):
/// a Systec `detail` record without an `end_time` is `live` when it started at or before
/// `at` and `scheduled` when it starts after; one whose `end_time` is after `at` has not
/// ended yet (`live`, or `scheduled` before its start).
pub fn classify(meetings: &mut [Meeting], at: DateTime<Utc>) {
    for m in meetings {
        if m.sources.as_slice() == [Source::SystecDetail] && !m.is_stub() {
            m.status = detail_status(m.start, m.end, at);
        }
    }
}

/// The status of a Systec `detail` record observed at `at` (see [`classify`]).
pub(crate) fn detail_status(
    start: Option<DateTime<Utc>>,
    end: Option<DateTime<Utc>>,
    at: DateTime<Utc>,
) -> Status {
    match (end, start.map(|s| s <= at)) {
        (Some(end), _) if end <= at => Status::Ended,
        (_, Some(true)) => Status::Live,
        (_, Some(false)) => Status::Scheduled,
        (Some(_), None) => Status::Ended,
        (None, None) => Status::Unknown,
    }
}

impl<T: Normalize> Normalize for Vec<T> {
    fn normalize_into(self, ctx: &Context, out: &mut Vec<Meeting>) {
        out.reserve(self.len());
        for item in self {
            item.normalize_into(ctx, out);
        }
    }
}

impl<T: Normalize> Normalize for Option<T> {
    fn normalize_into(self, ctx: &Context, out: &mut Vec<Meeting>) {
        if let Some(v) = self {
            v.normalize_into(ctx, out);
        }
    }
}

/// Trims `s`; an empty result is `None`. A borrowed string stays borrowed (a slice of it),
/// an owned one with nothing to trim is moved.
pub(crate) fn clean_cow(s: Option<meeting_wire::Str<'_>>) -> Option<std::borrow::Cow<'_, str>> {
    use std::borrow::Cow;
    match s?.into_cow() {
        Cow::Borrowed(b) => Some(b.trim()).filter(|t| !t.is_empty()).map(Cow::Borrowed),
        Cow::Owned(o) => {
            let trimmed = o.trim();
            if trimmed.is_empty() {
                None
            } else if trimmed.len() == o.len() {
                Some(Cow::Owned(o))
            } else {
                Some(Cow::Owned(trimmed.to_owned()))
            }
        }
    }
}

/// [`clean_cow`], owned: trimmed, empty is `None`; copied once (an owned string with nothing
/// to trim is moved).
pub(crate) fn clean_str(s: Option<meeting_wire::Str<'_>>) -> Option<String> {
    clean_cow(s).map(std::borrow::Cow::into_owned)
}

/// An id's text, trimmed (a number as the vendor wrote it); an empty one is `None`.
pub(crate) fn id_cow(id: Option<meeting_wire::IdRef<'_>>) -> Option<std::borrow::Cow<'_, str>> {
    match id? {
        meeting_wire::IdRef::Text(t) => clean_cow(Some(meeting_wire::Str(t))),
        other => Some(std::borrow::Cow::Owned(other.to_string())),
    }
}

/// [`id_cow`], owned.
pub(crate) fn id_text_ref(id: Option<meeting_wire::IdRef<'_>>) -> Option<String> {
    id_cow(id).map(std::borrow::Cow::into_owned)
}

/// Removes secrets from a JSON value, at any depth, JSON held in strings included
/// ([`meeting_wire::secret_key::strip_secrets`]).
pub(crate) fn scrub(value: &mut Value) {
    meeting_wire::secret_key::strip_secrets(value);
}

/// Moves the unmapped fields of a wire object's view into `out`: its extras without the
/// explicit `null`s of typed fields (those are mapped, to "absent") and without secrets, the
/// rest scrubbed; a repeated key: the last one counts, as in the owned map.
pub(crate) fn take_extra_view(
    extra: meeting_wire::ExtraRef<'_>,
    typed: &[&str],
    out: &mut crate::ExtraFields,
) {
    if extra.is_empty() {
        return;
    }
    for (k, v) in extra {
        if (v.is_null() && typed.contains(&k.as_ref()))
            || meeting_wire::secret_key::is_secret_key(&k)
        {
            continue;
        }
        let mut v = v.into_owned();
        scrub(&mut v);
        out.insert(k.into_owned(), v);
    }
}

/// A typed field left unmapped, written back as its wire JSON.
pub(crate) fn put<T: serde::Serialize>(out: &mut crate::ExtraFields, name: &str, value: Option<T>) {
    if let Some(v) = value
        && let Ok(mut json) = serde_json::to_value(v)
    {
        scrub(&mut json);
        out.insert(name.to_owned(), json);
    }
}

/// Per-item extras of a list (`participants`, `attendList`, ...), kept only when at least
/// one item has any: an array parallel to the source list.
pub(crate) fn put_list(out: &mut crate::ExtraFields, name: &str, items: Vec<crate::ExtraFields>) {
    if items.iter().any(|m| !m.is_empty()) {
        let list = items
            .into_iter()
            .map(|m| Value::Object(m.into_iter().collect()))
            .collect();
        out.insert(name.to_owned(), Value::Array(list));
    }
}

/// Per-item extras of a list, as [`put_list`] writes them, gathered without building a map
/// per item when (as nearly always) no item has any.
#[derive(Default)]
pub(crate) struct ItemExtras {
    items: Vec<crate::ExtraFields>,
    seen: usize,
}

impl ItemExtras {
    /// The next item's extras.
    pub(crate) fn push(&mut self, extras: crate::ExtraFields) {
        if !extras.is_empty() {
            self.items.resize_with(self.seen, crate::ExtraFields::new);
            self.items.push(extras);
        }
        self.seen += 1;
    }

    /// Writes the list (see [`put_list`]) when any item had extras.
    pub(crate) fn put(mut self, out: &mut crate::ExtraFields, name: &str) {
        if !self.items.is_empty() {
            self.items.resize_with(self.seen, crate::ExtraFields::new);
            put_list(out, name, self.items);
        }
    }
}

/// Stores a source's extras on the meeting when there are any.
pub(crate) fn store_extra(m: &mut Meeting, source: Source, extra: crate::ExtraFields) {
    if !extra.is_empty() {
        m.vendor_extra.insert(source, extra);
    }
}

/// A count the vendor sends as a signed integer; negative is absent (with a warning).
pub(crate) fn count(m: &mut Meeting, what: &str, v: Option<i64>) -> Option<u64> {
    let v = v?;
    match u64::try_from(v) {
        Ok(n) => Some(n),
        Err(_) => {
            m.warn(format!("negative {what} {v} ignored"));
            None
        }
    }
}

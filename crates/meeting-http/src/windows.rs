//! Windowed endpoints (`detail`, `hisMeeting`): a date range split into month windows, each
//! fetched as a whole and yielded in date order with everything received and what failed.

use futures::stream::{self, BoxStream, Stream, StreamExt};
use meeting_wire::Source;
use systec_model::DateWindow;

use crate::error::{CallContext, Error};

/// One month window of a windowed endpoint, as fetched: everything received, and what failed.
///
/// A failed page or call (after retries) no longer discards the window: its records are the
/// ones every other page brought, and the failure is listed with its [`CallContext`] (window,
/// page). A caller that commits window by window commits `records` and, when the window is
/// not [complete](Self::is_complete), keeps it to fetch again.
#[non_exhaustive]
#[derive(Debug)]
pub struct WindowFetch<T> {
    /// The endpoint (`SystecDetail`, `SystecHisMeeting`).
    pub endpoint: Source,
    /// The window, at most one calendar month.
    pub window: DateWindow,
    /// Every record received, in the vendor's order, page-drift duplicates dropped.
    pub records: Vec<T>,
    /// Each failed page or call after retries, with its context (window, page); for `detail`
    /// also [`ErrorKind::Incomplete`](crate::ErrorKind::Incomplete) when every page arrived but
    /// the server's own count shows records slipped past.
    pub failures: Vec<Error>,
}

impl<T> WindowFetch<T> {
    /// An empty fetch of `window`.
    pub(crate) fn new(endpoint: Source, window: DateWindow) -> Self {
        WindowFetch {
            endpoint,
            window,
            records: Vec::new(),
            failures: Vec::new(),
        }
    }

    /// Whether nothing failed: the window's records are all there are.
    pub fn is_complete(&self) -> bool {
        self.failures.is_empty()
    }

    /// The records as `Ok` items, then the failures as `Err` items: the flat streams.
    pub(crate) fn into_results(self) -> impl Iterator<Item = Result<T, Error>> {
        self.records
            .into_iter()
            .map(Ok)
            .chain(self.failures.into_iter().map(Err))
    }
}

/// The one window flattening every windowed endpoint uses: `from..=to` split at month
/// boundaries, `fetch` run for up to `concurrency` windows at once (their requests share the
/// client's in-flight permits), results yielded in date order, each when its window is done.
///
/// A range with `from` after `to` yields a single fetch spanning the two dates, with no
/// records and an [`ErrorKind::InvalidRequest`](crate::ErrorKind::InvalidRequest) failure:
/// the mistake is reported, never an empty stream.
pub(crate) fn fetch_windows<T, F, Fut>(
    endpoint: Source,
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
    concurrency: usize,
    fetch: F,
) -> BoxStream<'static, WindowFetch<T>>
where
    T: Send + 'static,
    F: Fn(DateWindow) -> Fut + Send + 'static,
    Fut: Future<Output = WindowFetch<T>> + Send + 'static,
{
    match DateWindow::new(from, to) {
        Ok(range) => stream::iter(range.split_by_month().collect::<Vec<_>>())
            .map(fetch)
            .buffered(concurrency.max(1))
            .boxed(),
        Err(e) => {
            let (a, b) = if from <= to { (from, to) } else { (to, from) };
            let window = DateWindow::new(a, b).ok();
            let error = Error::invalid(CallContext::new(endpoint), e.to_string());
            match window {
                Some(window) => {
                    let mut fetch = WindowFetch::new(endpoint, window);
                    fetch.failures.push(error);
                    stream::once(async move { fetch }).boxed()
                }
                None => stream::empty().boxed(),
            }
        }
    }
}

/// A window stream as a flat stream of records, each window's failures after its records.
pub(crate) fn flatten<T: Send + 'static>(
    windows: impl Stream<Item = WindowFetch<T>> + Send + 'static,
) -> impl Stream<Item = Result<T, Error>> + Send + 'static {
    windows.flat_map(|w| stream::iter(w.into_results()))
}

//! Large dumps of raw vendor responses for benchmarks: `meeting-sim gen`.
//!
//! Each line is one response body exactly as the simulator would serve it (JSON Lines).
//! Data is generated lazily, one batch of 1,000 meetings at a time, so memory stays small
//! whatever the target size; the same seed gives the same bytes.

use chrono::{Datelike, Months, NaiveDate};
use serde::Serialize;
use std::fmt;
use std::io::{self, BufWriter, Write};
use std::str::FromStr;
use systec_model::{DateWindow, Envelope, WireDate};

use crate::config::SimConfig;
use crate::quanshi::answer as quanshi;
use crate::quanshi::data::QuanshiData;
use crate::rng::mix;
use crate::systec::answer::{self as systec, DetailParams, RequestedWindow};
use crate::systec::data::{Generator, SystecData};

/// Meetings per generated batch.
const BATCH: usize = 1000;
/// `detail` page size in dumps.
pub const DUMP_PAGE_SIZE: u64 = 100;
/// UUIDs per `reports` request in dumps.
pub const DUMP_REPORTS_BATCH: usize = 20;

/// The endpoint whose responses a dump holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DumpEndpoint {
    /// Systec `detail` pages (page size 100) with participants and telephony usage.
    Detail,
    /// Systec `reports` answers, 20 UUIDs each (stubs included).
    Reports,
    /// Systec `hisMeeting` answers, one day each.
    HisMeeting,
    /// Quanshi conference-by-join-link answers, one conference each.
    QuanshiConference,
    /// Quanshi dashboard answers, one conference each.
    QuanshiDashboard,
}

impl DumpEndpoint {
    /// Every endpoint.
    pub const ALL: [DumpEndpoint; 5] = [
        DumpEndpoint::Detail,
        DumpEndpoint::Reports,
        DumpEndpoint::HisMeeting,
        DumpEndpoint::QuanshiConference,
        DumpEndpoint::QuanshiDashboard,
    ];

    /// The CLI name: `detail`, `reports`, `his-meeting`, `quanshi-conference`,
    /// `quanshi-dashboard`.
    pub fn name(self) -> &'static str {
        match self {
            DumpEndpoint::Detail => "detail",
            DumpEndpoint::Reports => "reports",
            DumpEndpoint::HisMeeting => "his-meeting",
            DumpEndpoint::QuanshiConference => "quanshi-conference",
            DumpEndpoint::QuanshiDashboard => "quanshi-dashboard",
        }
    }
}

impl fmt::Display for DumpEndpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// An endpoint name that is not one of [`DumpEndpoint::ALL`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown endpoint `{0}` (expected detail, reports, his-meeting, quanshi-conference or quanshi-dashboard)"
)]
pub struct UnknownSource(pub String);

impl FromStr for DumpEndpoint {
    type Err = UnknownSource;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        if t.eq_ignore_ascii_case("hisMeeting") || t.eq_ignore_ascii_case("his_meeting") {
            return Ok(DumpEndpoint::HisMeeting);
        }
        DumpEndpoint::ALL
            .into_iter()
            .find(|e| e.name().eq_ignore_ascii_case(t))
            .ok_or_else(|| UnknownSource(t.to_owned()))
    }
}

/// What a dump wrote.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct DumpStats {
    /// Lines (responses) written.
    pub lines: u64,
    /// Bytes written, newlines included.
    pub bytes: u64,
}

/// Parses `200MB`, `1.5GB`, `512KiB`, `1000` (bytes). `KB`/`MB`/`GB` are powers of 1000,
/// `KiB`/`MiB`/`GiB` powers of 1024.
///
/// # Errors
/// Anything else, as a message.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let value: f64 = number
        .parse()
        .map_err(|_| format!("invalid size `{text}`: expected e.g. 200MB"))?;
    let factor: f64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "k" | "kb" => 1e3,
        "m" | "mb" => 1e6,
        "g" | "gb" => 1e9,
        "kib" => 1024.0,
        "mib" => 1024.0 * 1024.0,
        "gib" => 1024.0 * 1024.0 * 1024.0,
        _ => {
            return Err(format!(
                "invalid size unit in `{text}`: expected B, KB, MB, GB, KiB, MiB or GiB"
            ));
        }
    };
    let bytes = (value * factor).round();
    if bytes.is_finite() && (0.0..1.8e19).contains(&bytes) {
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        Ok(bytes as u64)
    } else {
        Err(format!("invalid size `{text}`"))
    }
}

struct Counting<W: Write> {
    inner: BufWriter<W>,
    stats: DumpStats,
}

impl<W: Write> Counting<W> {
    fn line<T: Serialize>(&mut self, value: &T) -> io::Result<()> {
        let mut counter = ByteCounter {
            inner: &mut self.inner,
            bytes: 0,
        };
        serde_json::to_writer(&mut counter, value).map_err(io::Error::other)?;
        counter.write_all(b"\n")?;
        self.stats.bytes += counter.bytes;
        self.stats.lines += 1;
        Ok(())
    }
}

struct ByteCounter<'a, W: Write> {
    inner: &'a mut W,
    bytes: u64,
}

impl<W: Write> Write for ByteCounter<'_, W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// The month window of batch `b`: the months of 2024, round and round.
fn batch_window(b: u64) -> DateWindow {
    let first = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap_or_default();
    let from = first
        .checked_add_months(Months::new(u32::try_from(b % 12).unwrap_or(0)))
        .unwrap_or(first);
    let to = from
        .checked_add_months(Months::new(1))
        .and_then(|d| d.pred_opt())
        .unwrap_or(from);
    DateWindow::new(from, to).unwrap_or_else(|_| DateWindow::day(from))
}

/// Writes JSON Lines of `endpoint` response bodies to `writer` until at least
/// `target_bytes` are written (the last line is whole). Same arguments, same bytes.
///
/// ```
/// use meeting_sim::dump::{write_dump, DumpEndpoint};
/// let mut out = Vec::new();
/// let stats = write_dump(DumpEndpoint::HisMeeting, 10_000, 7, &mut out)?;
/// assert!(stats.bytes >= 10_000 && stats.bytes == out.len() as u64);
/// let first = out.split(|b| *b == b'\n').next().unwrap();
/// assert!(systec_model::his_meeting::parse_response(first).is_ok());
/// # Ok::<(), std::io::Error>(())
/// ```
///
/// # Errors
/// The writer's errors.
pub fn write_dump<W: Write>(
    endpoint: DumpEndpoint,
    target_bytes: u64,
    seed: u64,
    writer: W,
) -> io::Result<DumpStats> {
    let mut out = Counting {
        inner: BufWriter::with_capacity(1 << 20, writer),
        stats: DumpStats::default(),
    };
    let config = SimConfig::default();
    let zone = config.vendor_zone;
    let mut b = 0u64;
    while out.stats.bytes < target_bytes {
        let window = batch_window(b);
        let batch_seed = mix(seed, b);
        b += 1;
        match endpoint {
            DumpEndpoint::QuanshiConference | DumpEndpoint::QuanshiDashboard => {
                let data = QuanshiData::generate(batch_seed, BATCH, window, &config);
                if endpoint == DumpEndpoint::QuanshiConference {
                    for url in &data.join_urls {
                        let body = quanshi::conference_envelope(&data, url);
                        out.line(&body)?;
                        if out.stats.bytes >= target_bytes {
                            break;
                        }
                    }
                } else {
                    for id in &data.temp_ids {
                        let body = quanshi::dashboard_envelope(&data, id);
                        out.line(&body)?;
                        if out.stats.bytes >= target_bytes {
                            break;
                        }
                    }
                }
            }
            _ => {
                let generator = Generator::new(batch_seed, BATCH, window, 8, zone);
                let data = SystecData::generate(generator, BATCH);
                systec_batch(&mut out, endpoint, &data, window, target_bytes)?;
            }
        }
    }
    out.inner.flush()?;
    Ok(out.stats)
}

fn systec_batch<W: Write>(
    out: &mut Counting<W>,
    endpoint: DumpEndpoint,
    data: &SystecData,
    window: DateWindow,
    target_bytes: u64,
) -> io::Result<()> {
    let zone = systec_model::DEFAULT_VENDOR_ZONE;
    match endpoint {
        DumpEndpoint::Detail => {
            let mut q = DetailParams {
                window: RequestedWindow {
                    from: WireDate::from(window.from()),
                    to: WireDate::from(window.to()),
                    requested: window,
                },
                uuid: None,
                host_id: None,
                show_participants: true,
                show_telephony_usage: true,
                page_size: DUMP_PAGE_SIZE,
                page_number: 1,
            };
            loop {
                let page = systec::detail_page(data, &zone, &q);
                let last = !page.has_next_page.unwrap_or(false);
                out.line(&Envelope::ok(page))?;
                if last || out.stats.bytes >= target_bytes {
                    break;
                }
                q.page_number += 1;
            }
        }
        DumpEndpoint::Reports => {
            let uuids: Vec<String> = data.meetings.iter().map(|m| m.uuid.clone()).collect();
            for chunk in uuids.chunks(DUMP_REPORTS_BATCH) {
                out.line(&Envelope::ok(systec::reports(data, chunk, false)))?;
                if out.stats.bytes >= target_bytes {
                    break;
                }
            }
        }
        _ => {
            for day in window.from().iter_days().take_while(|d| *d <= window.to()) {
                let list = systec::his_meetings(data, &zone, &DateWindow::day(day));
                out.line(&Envelope::ok(list))?;
                if out.stats.bytes >= target_bytes || day.day() > 31 {
                    break;
                }
            }
        }
    }
    Ok(())
}

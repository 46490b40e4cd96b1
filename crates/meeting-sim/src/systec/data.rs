//! The Systec data: shared rooms and meeting occurrences, generated deterministically.
//! Nothing here knows the wire: [`super::answer`] turns it into the model types.

use chrono::{DateTime, Days, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, Utc};
use chrono_tz::Tz;
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::sync::Arc;
use systec_model::DateWindow;

use crate::rng::{SplitMix64, mix};
use crate::text::{random_chars, random_name};

/// A Systec shared room (公共会议室).
#[derive(Clone, Debug)]
pub(crate) struct Room {
    /// `detail`'s `host_id`.
    pub(crate) host_id: String,
    /// `reports`/`hisMeeting` `host`: the account name, with the vendor's trailing space.
    pub(crate) name: String,
    /// The room's mailbox.
    pub(crate) email: String,
}

/// One participant of an occurrence.
#[derive(Clone, Debug)]
pub(crate) struct Person {
    pub(crate) id: String,
    pub(crate) user_id: u64,
    pub(crate) name: String,
    pub(crate) device: &'static str,
    pub(crate) ip: [u8; 4],
    pub(crate) city: &'static str,
    pub(crate) network: &'static str,
    pub(crate) join: DateTime<Utc>,
    /// `None` while still in a live meeting.
    pub(crate) leave: Option<DateTime<Utc>>,
}

/// One phone call of an occurrence.
#[derive(Clone, Debug)]
pub(crate) struct Call {
    pub(crate) number: String,
    pub(crate) call_in: bool,
    pub(crate) start: DateTime<Utc>,
    pub(crate) end: DateTime<Utc>,
    /// Yuan per started minute.
    pub(crate) rate: Decimal,
}

impl Call {
    /// Billed minutes: rounded up, as the vendor does.
    pub(crate) fn minutes(&self) -> u64 {
        let secs = u64::try_from((self.end - self.start).num_seconds()).unwrap_or(0);
        systec_model::billed_minutes(secs)
    }

    /// The exact cost in yuan.
    pub(crate) fn cost(&self) -> Decimal {
        self.rate * Decimal::from(self.minutes())
    }
}

/// Which endpoints list an occurrence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Listing {
    /// `detail`, `hisMeeting` (once ended) and `reports`: every generated meeting.
    All,
    /// `detail` only: `hisMeeting` does not list it and `reports` leaves its UUID out (an
    /// accounting case).
    DetailOnly,
    /// `reports` only, as a stub: neither `detail` nor `hisMeeting` lists it (an accounting
    /// case: a stub that matches no occurrence).
    ReportsOnly,
}

/// One meeting occurrence (one `uuid`).
#[derive(Clone, Debug)]
pub(crate) struct Occurrence {
    pub(crate) uuid: String,
    pub(crate) number: u64,
    pub(crate) room: usize,
    pub(crate) topic: String,
    pub(crate) scheduled_minutes: u64,
    pub(crate) start: DateTime<Utc>,
    /// `None` while live.
    pub(crate) end: Option<DateTime<Utc>>,
    pub(crate) is_extra: bool,
    pub(crate) has_video: bool,
    pub(crate) has_screen_share: bool,
    pub(crate) recording: bool,
    pub(crate) participants: Vec<Person>,
    pub(crate) calls: Vec<Call>,
    /// Which endpoints list it.
    pub(crate) listing: Listing,
}

impl Occurrence {
    /// Whether the vendor has a report for it: ended, at least two participants.
    pub(crate) fn has_report(&self) -> bool {
        self.end.is_some() && self.participants.len() >= 2
    }

    /// Seconds from start to end (0 while live).
    pub(crate) fn seconds(&self) -> u64 {
        self.end.map_or(0, |e| {
            u64::try_from((e - self.start).num_seconds()).unwrap_or(0)
        })
    }
}

const DEVICES: &[&str] = &[
    "Windows",
    "Mac",
    "iOS",
    "Android",
    "Web",
    "H.323/SIP",
    "Linux",
];
const CITIES: &[&str] = &[
    "Guangzhou",
    "Shenzhen",
    "Beijing",
    "Shanghai",
    "Hangzhou",
    "Chengdu",
    "Wuhan",
    "Xi'an",
    "Nanjing",
    "Hong Kong",
];
const NETWORKS: &[&str] = &["Wired", "Wifi", "4G", "5G", "Others"];
const TOPICS: &[&str] = &[
    "周例会",
    "产品评审",
    "项目同步",
    "Hello world!",
    "Weekly sync",
    "客户演示",
    "季度复盘",
    "招聘面试",
    "Design review",
    "财务对账",
    "技术分享",
    "1:1",
    "全员大会",
    "供应商沟通",
];
const SCHEDULED: &[u64] = &[30, 40, 45, 60, 60, 90, 120, 120, 180];
const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const BASE64_URL: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// A 24-character occurrence UUID: 16 random bytes in standard base64 (`+`, `/`, `==`).
pub(crate) fn random_uuid(rng: &mut SplitMix64) -> String {
    let mut s = random_chars(rng, BASE64, 21);
    // The 22nd character of 16 bytes carries only 2 bits: one of A, Q, g, w.
    s.push(char::from(rng.pick(b"AQgw")));
    s.push_str("==");
    s
}

/// Generates occurrences from a seed, one independent stream per index.
#[derive(Clone, Debug)]
pub(crate) struct Generator {
    seed: u64,
    from: NaiveDate,
    days: u64,
    rooms: usize,
    zone: Tz,
    numbers: Vec<u64>,
}

impl Generator {
    /// A generator of `meetings` occurrences over `from..=to` in `rooms` rooms.
    pub(crate) fn new(
        seed: u64,
        meetings: usize,
        window: DateWindow,
        rooms: usize,
        zone: Tz,
    ) -> Self {
        let mut rng = SplitMix64::new(mix(seed, 0xC0FFEE));
        let pool = (meetings / 3).max(1);
        let numbers = (0..pool)
            .map(|_| rng.range(1_000_000_000, 9_999_999_999))
            .collect();
        Generator {
            seed,
            from: window.from(),
            days: window.days(),
            rooms: rooms.max(1),
            zone,
            numbers,
        }
    }

    /// The first day of the data range (vendor zone).
    pub(crate) fn first_day(&self) -> NaiveDate {
        self.from
    }

    /// The shared rooms.
    pub(crate) fn rooms(&self) -> Vec<Room> {
        let mut rng = SplitMix64::new(mix(self.seed, 0x800A));
        (0..self.rooms)
            .map(|i| {
                let n = i + 1;
                Room {
                    host_id: random_chars(&mut rng, b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 22),
                    // The vendor pads account names with a trailing space ("7 ").
                    name: if i % 2 == 0 {
                        format!("{n} ")
                    } else {
                        format!("room{n:02} ")
                    },
                    email: format!("shareroom{n}@systec.com.cn"),
                }
            })
            .collect()
    }

    /// Occurrence number `index`: a random start in the range, 07:00–21:59 local.
    pub(crate) fn occurrence(&self, index: u64) -> Occurrence {
        let mut rng = SplitMix64::new(mix(self.seed, index));
        let day = self
            .from
            .checked_add_days(Days::new(rng.below(self.days)))
            .unwrap_or(self.from);
        let secs = u32::try_from(rng.range(7 * 3600, 22 * 3600 - 1)).unwrap_or(0);
        let time = NaiveTime::from_num_seconds_from_midnight_opt(secs, 0).unwrap_or(NaiveTime::MIN);
        let room = usize::try_from(rng.below(self.rooms as u64)).unwrap_or(0);
        let live = rng.chance(0.02);
        self.build(&mut rng, day.and_time(time), room, live)
    }

    /// A meeting starting at `local` (vendor zone) in `room`, ended unless `live`.
    pub(crate) fn build(
        &self,
        rng: &mut SplitMix64,
        local: NaiveDateTime,
        room: usize,
        live: bool,
    ) -> Occurrence {
        let start = systec_model::resolve_local(local, &self.zone).earliest();
        let uuid = random_uuid(rng);
        let number = rng.pick(&self.numbers);
        let topic = format!("{} #{}", rng.pick(TOPICS), rng.range(1, 99));
        let scheduled_minutes = rng.pick(SCHEDULED);
        let length = i64::try_from(rng.range(40, 3 * 3600)).unwrap_or(60);
        let end = (!live).then(|| start + TimeDelta::seconds(length));
        let until = end.unwrap_or(start + TimeDelta::seconds(length));
        let roll = rng.below(100);
        let count = match roll {
            0..=4 => rng.below(2),
            5..=7 => rng.range(101, 260),
            _ => rng.range(2, 25),
        };
        let mut participants = Vec::with_capacity(usize::try_from(count).unwrap_or(0));
        for _ in 0..count {
            let join_off = rng.below(u64::try_from(length / 2).unwrap_or(1).max(1));
            let join = start + TimeDelta::seconds(i64::try_from(join_off).unwrap_or(0));
            let stay_max = u64::try_from((until - join).num_seconds())
                .unwrap_or(1)
                .max(1);
            let stay = rng.range(stay_max.min(10), stay_max);
            let leave = join + TimeDelta::seconds(i64::try_from(stay).unwrap_or(0));
            let leave = if live && rng.chance(0.5) {
                None
            } else {
                Some(leave)
            };
            participants.push(Person {
                id: if rng.chance(0.1) {
                    String::new()
                } else {
                    random_chars(rng, BASE64_URL, 22)
                },
                user_id: 16_000_000 + rng.below(4_000_000),
                name: random_name(rng),
                device: rng.pick(DEVICES),
                ip: [
                    rng.pick(&[116u8, 113, 58, 180, 223, 14]),
                    u8::try_from(rng.below(256)).unwrap_or(0),
                    u8::try_from(rng.below(256)).unwrap_or(0),
                    u8::try_from(rng.range(1, 254)).unwrap_or(1),
                ],
                city: rng.pick(CITIES),
                network: rng.pick(NETWORKS),
                join,
                leave,
            });
        }
        participants.sort_by_key(|p| p.join);
        let mut calls = Vec::new();
        if !live && rng.chance(0.25) {
            for _ in 0..rng.range(1, 4) {
                let off = rng.below(u64::try_from(length).unwrap_or(1).max(1));
                let call_start = start + TimeDelta::seconds(i64::try_from(off).unwrap_or(0));
                let call_len = i64::try_from(rng.range(20, 40 * 60)).unwrap_or(60);
                let call_in = rng.chance(0.3);
                calls.push(Call {
                    number: format!(
                        "+861{}{:08}",
                        rng.pick(&[3u8, 5, 8]),
                        rng.below(100_000_000)
                    ),
                    call_in,
                    start: call_start,
                    end: call_start + TimeDelta::seconds(call_len),
                    rate: if call_in {
                        Decimal::new(4, 2)
                    } else {
                        Decimal::new(6, 2)
                    },
                });
            }
            calls.sort_by_key(|c| c.start);
        }
        Occurrence {
            uuid,
            number,
            room,
            topic,
            scheduled_minutes,
            start,
            end,
            is_extra: rng.chance(0.05),
            has_video: rng.chance(0.6),
            has_screen_share: rng.chance(0.4),
            recording: rng.chance(0.1),
            participants,
            calls,
            listing: Listing::All,
        }
    }
}

/// The Systec dataset the server holds: rooms and occurrences sorted by `(start, uuid)`.
#[derive(Debug)]
pub(crate) struct SystecData {
    pub(crate) generator: Generator,
    pub(crate) rooms: Vec<Room>,
    pub(crate) meetings: Vec<Arc<Occurrence>>,
    pub(crate) by_uuid: BTreeMap<String, Arc<Occurrence>>,
    pub(crate) drifted: u64,
}

impl SystecData {
    /// Generates `meetings` occurrences.
    pub(crate) fn generate(generator: Generator, meetings: usize) -> Self {
        let rooms = generator.rooms();
        let mut by_uuid = BTreeMap::new();
        let mut list = Vec::with_capacity(meetings);
        let mut index = 0u64;
        while list.len() < meetings {
            let occurrence = generator.occurrence(index);
            index += 1;
            if by_uuid.contains_key(&occurrence.uuid) {
                continue;
            }
            let occurrence = Arc::new(occurrence);
            by_uuid.insert(occurrence.uuid.clone(), Arc::clone(&occurrence));
            list.push(occurrence);
        }
        list.sort_by(|a, b| (a.start, &a.uuid).cmp(&(b.start, &b.uuid)));
        SystecData {
            generator,
            rooms,
            meetings: list,
            by_uuid,
            drifted: 0,
        }
    }

    /// The occurrences `detail` lists whose start's local date (vendor zone) is in
    /// `window`, optionally of one room and one uuid, in serving order.
    pub(crate) fn in_window<'a>(
        &'a self,
        window: &DateWindow,
        zone: &Tz,
        host_id: Option<&'a str>,
        uuid: Option<&'a str>,
    ) -> impl Iterator<Item = &'a Arc<Occurrence>> + 'a {
        let (lo, hi) = window.utc_bounds(zone);
        let a = self.meetings.partition_point(|m| m.start < lo);
        let b = self.meetings.partition_point(|m| m.start < hi);
        self.meetings
            .get(a..b.max(a))
            .unwrap_or_default()
            .iter()
            .filter(move |m| {
                m.listing != Listing::ReportsOnly
                    && host_id
                        .is_none_or(|h| self.rooms.get(m.room).is_some_and(|r| r.host_id == h))
                    && uuid.is_none_or(|u| m.uuid == u)
            })
    }

    /// Adds one occurrence (a new UUID is drawn from `rng` while the UUID is taken), in
    /// serving order.
    pub(crate) fn insert(&mut self, mut occurrence: Occurrence, rng: &mut SplitMix64) {
        while self.by_uuid.contains_key(&occurrence.uuid) {
            occurrence.uuid = random_uuid(rng);
        }
        let occurrence = Arc::new(occurrence);
        let at = self
            .meetings
            .partition_point(|m| (m.start, &m.uuid) < (occurrence.start, &occurrence.uuid));
        self.by_uuid
            .insert(occurrence.uuid.clone(), Arc::clone(&occurrence));
        self.meetings.insert(at, occurrence);
    }

    /// Page drift: inserts a new, ended meeting that sorts before every generated meeting
    /// of `window` (it starts before 07:00 local on the window's first day).
    pub(crate) fn insert_drift(&mut self, window: &DateWindow, host_id: Option<&str>) {
        let k = self.drifted;
        self.drifted += 1;
        let mut rng = SplitMix64::new(mix(self.generator.seed ^ 0xD81F7, k));
        let secs = 7 * 3600 - 1 - i64::try_from(k % (7 * 3600)).unwrap_or(0);
        let local = window.from().and_time(NaiveTime::MIN) + TimeDelta::seconds(secs);
        let room = host_id
            .and_then(|h| self.rooms.iter().position(|r| r.host_id == h))
            .unwrap_or_else(|| usize::try_from(rng.below(self.rooms.len() as u64)).unwrap_or(0));
        let occurrence = self.generator.build(&mut rng, local, room, false);
        self.insert(occurrence, &mut rng);
    }
}

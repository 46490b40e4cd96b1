//! Cost allocation (`--allocation FILE`): which department and cost centre each room's
//! meetings are charged to. Pure: the caller reads the file and hands its text here.
//!
//! # The file
//!
//! TOML (a `[[room]]` table per line of the allocation) or CSV (a header row naming the
//! columns). Each line maps one room — its **id**, **name** or **e-mail** as the vendor
//! writes it (Systec: `detail`'s `host_id`, or the shared room's account name or mailbox;
//! Quanshi: the booked room's `DeviceId` or name) — to a **department** and, optionally, a
//! **cost centre**, optionally only **from**/**to** a date (inclusive, in the report zone):
//!
//! ```toml
//! [[room]]
//! room = "room04"            # id, name or e-mail of the room
//! department = "财务部"
//! cost_centre = "CC-1001"    # optional (cost_center is accepted too)
//! from = 2024-01-01          # optional, inclusive (a TOML date or "YYYY-MM-DD")
//! to = 2024-06-30            # optional, inclusive
//! ```
//!
//! ```text
//! room,department,cost_centre,from,to
//! room04,财务部,CC-1001,2024-01-01,2024-06-30
//! ROOM-7,研发中心,CC-2001,,
//! ```
//!
//! CSV lines starting with `#` are comments; a UTF-8 byte order mark is accepted. The
//! format follows the extension (`.toml`, `.csv`), else the content (a `[[room]]` table is
//! TOML).
//!
//! # Rules
//!
//! - Every line needs a room and a department; unknown keys or columns, a bad date, `from`
//!   after `to` and a room listed twice for overlapping dates are errors naming the file and
//!   the line: nothing the user wrote is silently dropped. The same room may appear on
//!   several lines whose dates do not overlap (it moved to another department).
//! - Rooms are compared exactly, after trimming spaces (`"7 "` is `"7"`).
//! - A meeting is assigned by its room at its start day ([`meeting_core::query::sort_time`]) in the
//!   report zone: the first line (in file order) whose room is the meeting's room id, name or
//!   e-mail, or one of its booked rooms, and whose dates hold that day. A meeting that no
//!   line covers goes to [`UNALLOCATED`]; [`Allocation::unallocated_rooms`] names those
//!   rooms for the warning. Lines whose room no meeting has are reported by
//!   [`Allocation::unknown_rooms`] (a warning, not an error: the room may simply have had
//!   no meeting that month).
//!
//! ```
//! use meeting_report::allocation::Allocation;
//!
//! let a = Allocation::parse("alloc.csv", "room,department,cost_centre\nroom04,财务部,CC-1\n")?;
//! let line = a.lookup("room04", "2024-01-15".parse()?).unwrap();
//! assert_eq!((line.department.as_str(), line.cost_centre.as_deref()), ("财务部", Some("CC-1")));
//! let err = Allocation::parse("alloc.csv", "room,department\nroom04,\n").unwrap_err();
//! assert_eq!(err.to_string(), "alloc.csv, line 2: the department is empty (every room needs one)");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::collections::BTreeSet;
use std::fmt;

use chrono::NaiveDate;
use chrono_tz::Tz;
use serde::Deserialize;

use meeting_core::aggregate::Departments;
use meeting_core::query::{room_label, sort_time};
use meeting_core::{Meeting, MeetingSummary};

/// The department of meetings whose room no allocation line covers.
pub use meeting_core::aggregate::UNALLOCATED;

/// The two forms of an allocation file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum AllocationFormat {
    /// `[[room]]` tables.
    Toml,
    /// A header row, then one room per line.
    Csv,
}

impl AllocationFormat {
    /// The format of a file: by its extension (`.toml`, `.csv`, any case), else by its
    /// content (a `[[room` table, or a `key = value` line before any comma, is TOML).
    pub fn detect(file: &str, text: &str) -> AllocationFormat {
        let lower = file.to_ascii_lowercase();
        if lower.ends_with(".toml") {
            return AllocationFormat::Toml;
        }
        if lower.ends_with(".csv") {
            return AllocationFormat::Csv;
        }
        let first = text
            .trim_start_matches('\u{feff}')
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty() && !l.starts_with('#'));
        match first {
            Some(l) if l.starts_with('[') => AllocationFormat::Toml,
            Some(l)
                if l.find('=')
                    .is_some_and(|eq| l.find(',').is_none_or(|c| eq < c)) =>
            {
                AllocationFormat::Toml
            }
            _ => AllocationFormat::Csv,
        }
    }
}

/// A bad allocation file: which file, which line (when known), what was expected.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct AllocationError {
    /// The file, as the caller named it.
    pub file: String,
    /// The line (1-based), when the problem has one.
    pub line: Option<usize>,
    /// What is wrong and what was expected.
    pub message: String,
}

impl fmt::Display for AllocationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}, line {line}: {}", self.file, self.message),
            None => write!(f, "{}: {}", self.file, self.message),
        }
    }
}

impl std::error::Error for AllocationError {}

/// One line of an allocation: a room, its department and cost centre, and when it holds.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct AllocationLine {
    /// The room's id, name or e-mail (trimmed).
    pub room: String,
    /// The department (trimmed, never empty).
    pub department: String,
    /// The cost centre, if given.
    pub cost_centre: Option<String>,
    /// The first day it holds (inclusive), if bounded.
    pub from: Option<NaiveDate>,
    /// The last day it holds (inclusive), if bounded.
    pub to: Option<NaiveDate>,
    /// Where it is in the file (1-based).
    pub line: usize,
}

impl AllocationLine {
    /// Whether the line holds on `day`.
    pub fn holds_on(&self, day: NaiveDate) -> bool {
        self.from.is_none_or(|f| day >= f) && self.to.is_none_or(|t| day <= t)
    }

    fn overlaps(&self, other: &AllocationLine) -> bool {
        let start = |l: &AllocationLine| l.from.unwrap_or(NaiveDate::MIN);
        let end = |l: &AllocationLine| l.to.unwrap_or(NaiveDate::MAX);
        start(self) <= end(other) && start(other) <= end(self)
    }
}

/// A parsed allocation file (see the module docs).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Allocation {
    file: String,
    lines: Vec<AllocationLine>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TomlFile {
    #[serde(default, alias = "rooms")]
    room: Vec<toml::Spanned<TomlLine>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TomlLine {
    room: Option<toml::Value>,
    department: Option<String>,
    #[serde(alias = "cost_center")]
    cost_centre: Option<String>,
    from: Option<toml::Value>,
    to: Option<toml::Value>,
}

impl Allocation {
    /// Parses an allocation file's text; `file` names it in errors and decides the format
    /// ([`AllocationFormat::detect`]).
    pub fn parse(file: &str, text: &str) -> Result<Allocation, AllocationError> {
        Allocation::parse_as(file, text, AllocationFormat::detect(file, text))
    }

    /// Parses an allocation file's text in a given format.
    pub fn parse_as(
        file: &str,
        text: &str,
        format: AllocationFormat,
    ) -> Result<Allocation, AllocationError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let lines = match format {
            AllocationFormat::Toml => parse_toml(file, text)?,
            AllocationFormat::Csv => parse_csv(file, text)?,
        };
        check_duplicates(file, &lines)?;
        Ok(Allocation {
            file: file.to_owned(),
            lines,
        })
    }

    /// The file it was read from, as named to [`Allocation::parse`].
    pub fn file(&self) -> &str {
        &self.file
    }

    /// Its lines, in file order.
    pub fn lines(&self) -> &[AllocationLine] {
        &self.lines
    }

    /// The line that allocates `room` (an id, name or e-mail) on `day`, if any.
    pub fn lookup(&self, room: &str, day: NaiveDate) -> Option<&AllocationLine> {
        let room = room.trim();
        self.lines
            .iter()
            .find(|l| l.room == room && l.holds_on(day))
    }

    /// The line a meeting is charged to: by its room's id, name or e-mail, else its booked
    /// rooms, at its start day in `zone` (see the module docs). A meeting without any time
    /// matches only lines without dates.
    pub fn assign(&self, m: &Meeting, zone: Tz) -> Option<&AllocationLine> {
        let day = sort_time(m).map(|t| t.with_timezone(&zone).date_naive());
        self.line_for(&room_names(m), day)
    }

    /// The first line for one of `names` that holds on `day` (without a day: a line without
    /// dates).
    fn line_for(&self, names: &BTreeSet<&str>, day: Option<NaiveDate>) -> Option<&AllocationLine> {
        self.lines.iter().find(|l| {
            names.contains(l.room.as_str())
                && match day {
                    Some(day) => l.holds_on(day),
                    None => l.from.is_none() && l.to.is_none(),
                }
        })
    }

    /// The department a meeting is charged to, or [`UNALLOCATED`].
    pub fn department_of(&self, m: &Meeting, zone: Tz) -> &str {
        self.assign(m, zone)
            .map_or(UNALLOCATED, |l| l.department.as_str())
    }

    /// The rooms (labels, sorted) of meetings that no line covers: they go to
    /// [`UNALLOCATED`], and the caller warns about them. Report stubs are not meetings and
    /// are skipped.
    pub fn unallocated_rooms<'a>(
        &self,
        meetings: impl IntoIterator<Item = &'a Meeting>,
        zone: Tz,
    ) -> Vec<String> {
        let mut rooms = BTreeSet::new();
        for m in meetings {
            if meeting_core::query::is_report_stub(m) || self.assign(m, zone).is_some() {
                continue;
            }
            let label = room_label(m);
            rooms.insert(if label.is_empty() {
                String::from(meeting_core::aggregate::UNKNOWN_GROUP)
            } else {
                label
            });
        }
        rooms.into_iter().collect()
    }

    /// The lines whose room no meeting in `meetings` has (by id, name, e-mail or booked
    /// room), in file order: a warning, since the room may have had no meeting.
    pub fn unknown_rooms<'a>(
        &self,
        meetings: impl IntoIterator<Item = &'a Meeting>,
    ) -> Vec<&AllocationLine> {
        let mut known: BTreeSet<String> = BTreeSet::new();
        for m in meetings {
            known.extend(room_names(m).into_iter().map(str::to_owned));
        }
        self.lines
            .iter()
            .filter(|l| !known.contains(&l.room))
            .collect()
    }
}

/// Aggregation by department ([`meeting_core::aggregate::GroupBy::Department`]) asks the
/// allocation through this interface.
impl Departments for Allocation {
    fn department_of(&self, m: &MeetingSummary, zone: Tz) -> Option<&str> {
        let day = m
            .effective_start
            .map(|t| t.with_timezone(&zone).date_naive());
        let mut names = BTreeSet::new();
        names.extend(
            [&m.room_id, &m.room_name, &m.room_email]
                .into_iter()
                .flatten()
                .map(|s| s.trim()),
        );
        for r in &m.booked_rooms {
            names.extend([&r.id, &r.name].into_iter().flatten().map(|s| s.trim()));
        }
        names.remove("");
        self.line_for(&names, day).map(|l| l.department.as_str())
    }
}

/// Every name a meeting's room goes by: its id, name and e-mail, and its booked rooms' ids
/// and names (trimmed).
fn room_names(m: &Meeting) -> BTreeSet<&str> {
    let mut names = BTreeSet::new();
    if let Some(r) = &m.room {
        names.extend(
            [&r.id, &r.name, &r.email]
                .into_iter()
                .flatten()
                .map(|s| s.trim()),
        );
    }
    for r in &m.rooms {
        names.extend([&r.id, &r.name].into_iter().flatten().map(|s| s.trim()));
    }
    names.remove("");
    names
}

fn err(file: &str, line: Option<usize>, message: impl Into<String>) -> AllocationError {
    AllocationError {
        file: file.to_owned(),
        line,
        message: message.into(),
    }
}

fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()
        .get(..end)
        .map_or(0, |b| b.iter().filter(|&&c| c == b'\n').count())
        + 1
}

/// The line of a CSV record at `offset`: the reader puts a record after blank lines at the
/// first of them, so line breaks at the offset are skipped.
fn csv_line(text: &str, offset: usize) -> usize {
    let skipped = text.as_bytes().get(offset..).map_or(0, |rest| {
        rest.iter()
            .take_while(|&&c| c == b'\n' || c == b'\r')
            .count()
    });
    line_of(text, offset + skipped)
}

fn parse_date(
    file: &str,
    line: usize,
    what: &str,
    text: &str,
) -> Result<NaiveDate, AllocationError> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| {
        err(
            file,
            Some(line),
            format!("`{what}` is `{text}`: expected a date YYYY-MM-DD"),
        )
    })
}

/// Checks and builds one line from its fields.
fn build_line(
    file: &str,
    line: usize,
    room: Option<String>,
    department: Option<String>,
    cost_centre: Option<String>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Result<AllocationLine, AllocationError> {
    let room = room.map(|r| r.trim().to_owned()).unwrap_or_default();
    if room.is_empty() {
        return Err(err(
            file,
            Some(line),
            "the room is missing or empty: expected its id, name or e-mail",
        ));
    }
    let department = department.map(|d| d.trim().to_owned()).unwrap_or_default();
    if department.is_empty() {
        return Err(err(
            file,
            Some(line),
            "the department is empty (every room needs one)",
        ));
    }
    if let (Some(f), Some(t)) = (from, to)
        && f > t
    {
        return Err(err(
            file,
            Some(line),
            format!("`from` ({f}) is after `to` ({t})"),
        ));
    }
    let cost_centre = cost_centre
        .map(|c| c.trim().to_owned())
        .filter(|c| !c.is_empty());
    Ok(AllocationLine {
        room,
        department,
        cost_centre,
        from,
        to,
        line,
    })
}

fn parse_toml(file: &str, text: &str) -> Result<Vec<AllocationLine>, AllocationError> {
    let doc: TomlFile = toml::from_str(text).map_err(|e| {
        let line = e.span().map(|s| line_of(text, s.start));
        let message = e.message().trim().to_owned();
        err(
            file,
            line,
            format!("{message} (expected [[room]] tables with room, department and optionally cost_centre, from, to)"),
        )
    })?;
    let mut lines = Vec::with_capacity(doc.room.len());
    for spanned in doc.room {
        let line = line_of(text, spanned.span().start);
        let t = spanned.into_inner();
        let room = match t.room {
            None => None,
            Some(toml::Value::String(s)) => Some(s),
            Some(toml::Value::Integer(n)) => Some(n.to_string()),
            Some(other) => {
                return Err(err(
                    file,
                    Some(line),
                    format!(
                        "`room` is a {}: expected a text (the room's id, name or e-mail)",
                        other.type_str()
                    ),
                ));
            }
        };
        let date = |what: &str, v: Option<toml::Value>| -> Result<_, AllocationError> {
            match v {
                None => Ok(None),
                Some(toml::Value::String(s)) => parse_date(file, line, what, &s).map(Some),
                Some(toml::Value::Datetime(d)) => match (d.date, d.time) {
                    (Some(date), None) => NaiveDate::from_ymd_opt(
                        i32::from(date.year),
                        u32::from(date.month),
                        u32::from(date.day),
                    )
                    .map(Some)
                    .ok_or_else(|| {
                        err(file, Some(line), format!("`{what}` is not a calendar date"))
                    }),
                    _ => Err(err(
                        file,
                        Some(line),
                        format!("`{what}` is `{d}`: expected a date YYYY-MM-DD without a time"),
                    )),
                },
                Some(other) => Err(err(
                    file,
                    Some(line),
                    format!(
                        "`{what}` is a {}: expected a date YYYY-MM-DD",
                        other.type_str()
                    ),
                )),
            }
        };
        let from = date("from", t.from)?;
        let to = date("to", t.to)?;
        lines.push(build_line(
            file,
            line,
            room,
            t.department,
            t.cost_centre,
            from,
            to,
        )?);
    }
    if lines.is_empty() {
        return Err(err(
            file,
            None,
            "no [[room]] table: expected at least one room with its department",
        ));
    }
    Ok(lines)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Column {
    Room,
    Department,
    CostCentre,
    From,
    To,
}

fn parse_csv(file: &str, text: &str) -> Result<Vec<AllocationLine>, AllocationError> {
    // Comment lines become empty lines, so that positions keep counting every line.
    let uncommented: String = text
        .split_inclusive('\n')
        .map(|l| {
            if l.trim_start().starts_with('#') {
                if l.ends_with('\n') { "\n" } else { "" }
            } else {
                l
            }
        })
        .collect();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(uncommented.as_bytes());
    let mut columns: Option<Vec<Column>> = None;
    let mut lines = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| {
            // Lines from the byte offset: the reader does not count comment lines.
            let line = e
                .position()
                .and_then(|p| usize::try_from(p.byte()).ok())
                .map(|b| csv_line(&uncommented, b));
            err(file, line, format!("not readable as CSV: {e}"))
        })?;
        let line = record
            .position()
            .and_then(|p| usize::try_from(p.byte()).ok())
            .map_or(0, |b| csv_line(&uncommented, b));
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let Some(cols) = &columns else {
            columns = Some(csv_header(file, line, &record)?);
            continue;
        };
        if record.len() != cols.len() {
            return Err(err(
                file,
                Some(line),
                format!(
                    "{} fields, but the header names {} columns",
                    record.len(),
                    cols.len()
                ),
            ));
        }
        let (mut room, mut department, mut cost_centre, mut from, mut to) =
            (None, None, None, None, None);
        for (col, field) in cols.iter().zip(record.iter()) {
            let field = field.trim();
            match col {
                Column::Room => room = Some(field.to_owned()),
                Column::Department => department = Some(field.to_owned()),
                Column::CostCentre => cost_centre = Some(field.to_owned()),
                Column::From if !field.is_empty() => {
                    from = Some(parse_date(file, line, "from", field)?);
                }
                Column::To if !field.is_empty() => {
                    to = Some(parse_date(file, line, "to", field)?);
                }
                Column::From | Column::To => {}
            }
        }
        lines.push(build_line(
            file,
            line,
            room,
            department,
            cost_centre,
            from,
            to,
        )?);
    }
    if columns.is_none() {
        return Err(err(
            file,
            None,
            "empty: expected a header row (room,department,cost_centre,from,to) and one line per room",
        ));
    }
    if lines.is_empty() {
        return Err(err(
            file,
            None,
            "no room below the header: expected one line per room",
        ));
    }
    Ok(lines)
}

fn csv_header(
    file: &str,
    line: usize,
    record: &csv::StringRecord,
) -> Result<Vec<Column>, AllocationError> {
    let mut cols = Vec::with_capacity(record.len());
    for name in record.iter() {
        let col = match name
            .trim()
            .to_ascii_lowercase()
            .replace([' ', '-'], "_")
            .as_str()
        {
            "room" | "room_id" | "room_name" => Column::Room,
            "department" | "dept" => Column::Department,
            "cost_centre" | "cost_center" => Column::CostCentre,
            "from" => Column::From,
            "to" => Column::To,
            _ => {
                return Err(err(
                    file,
                    Some(line),
                    format!(
                        "unknown column `{}` in the header: expected room, department, cost_centre, from, to",
                        name.trim()
                    ),
                ));
            }
        };
        if cols.contains(&col) {
            return Err(err(
                file,
                Some(line),
                format!("the column `{}` is named twice in the header", name.trim()),
            ));
        }
        cols.push(col);
    }
    for (needed, what) in [(Column::Room, "room"), (Column::Department, "department")] {
        if !cols.contains(&needed) {
            return Err(err(
                file,
                Some(line),
                format!(
                    "the header has no `{what}` column: expected room,department[,cost_centre,from,to]"
                ),
            ));
        }
    }
    Ok(cols)
}

fn check_duplicates(file: &str, lines: &[AllocationLine]) -> Result<(), AllocationError> {
    for (i, l) in lines.iter().enumerate() {
        if let Some(earlier) = lines
            .iter()
            .take(i)
            .find(|e| e.room == l.room && e.overlaps(l))
        {
            return Err(err(
                file,
                Some(l.line),
                format!(
                    "the room `{}` is listed twice: line {} already allocates it for these dates (give each line its own from/to to change departments)",
                    l.room, earlier.line
                ),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use meeting_core::{Room, Source, Vendor};

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap_or(NaiveDate::MIN)
    }

    fn message(file: &str, text: &str) -> String {
        Allocation::parse(file, text)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default()
    }

    #[test]
    fn toml_and_csv_give_the_same_lines() {
        let toml = "# rooms\n[[room]]\nroom = \"room04\"\ndepartment = \"财务部\"\ncost_centre = \"CC-1\"\nfrom = 2024-01-01\nto = \"2024-06-30\"\n\n[[room]]\nroom = \"ROOM-7\"\ndepartment = \"研发中心\"\n";
        let csv = "\u{feff}room,department,cost_centre,from,to\n# comment\nroom04,财务部,CC-1,2024-01-01,2024-06-30\nROOM-7, 研发中心 ,,,\n";
        let a = Allocation::parse("a.toml", toml).ok();
        let b = Allocation::parse("b.csv", csv).ok();
        let lines = |a: &Option<Allocation>| {
            a.as_ref()
                .map(|a| {
                    a.lines()
                        .iter()
                        .map(|l| {
                            (
                                l.room.clone(),
                                l.department.clone(),
                                l.cost_centre.clone(),
                                l.from,
                                l.to,
                            )
                        })
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        };
        assert_eq!(lines(&a).len(), 2);
        assert_eq!(lines(&a), lines(&b));
        assert_eq!(
            a.as_ref()
                .map(|a| a.lines().iter().map(|l| l.line).collect::<Vec<_>>()),
            Some(vec![2, 9])
        );
        assert_eq!(
            b.as_ref()
                .map(|a| a.lines().iter().map(|l| l.line).collect::<Vec<_>>()),
            Some(vec![3, 4])
        );
    }

    #[test]
    fn format_detection() {
        assert_eq!(
            AllocationFormat::detect("x.TOML", ""),
            AllocationFormat::Toml
        );
        assert_eq!(
            AllocationFormat::detect("x", "[[room]]\n"),
            AllocationFormat::Toml
        );
        assert_eq!(
            AllocationFormat::detect("x", "# c\nroom = \"a\"\n"),
            AllocationFormat::Toml
        );
        assert_eq!(
            AllocationFormat::detect("x", "room,department\na,b=c\n"),
            AllocationFormat::Csv
        );
    }

    #[test]
    fn errors_name_file_and_line() {
        assert_eq!(
            message("a.csv", "room,department\nr1,d1\nr1,d2\n"),
            "a.csv, line 3: the room `r1` is listed twice: line 2 already allocates it for these dates (give each line its own from/to to change departments)"
        );
        assert_eq!(
            message("a.csv", "room,dept,colour\n"),
            "a.csv, line 1: unknown column `colour` in the header: expected room, department, cost_centre, from, to"
        );
        assert_eq!(
            message("a.csv", "room,department\nr1,d1,extra\n"),
            "a.csv, line 2: 3 fields, but the header names 2 columns"
        );
        assert_eq!(
            message("a.csv", "room,department,from\nr1,d1,2024-13-01\n"),
            "a.csv, line 2: `from` is `2024-13-01`: expected a date YYYY-MM-DD"
        );
        assert_eq!(
            message(
                "a.csv",
                "room,department,from,to\nr1,d1,2024-02-01,2024-01-01\n"
            ),
            "a.csv, line 2: `from` (2024-02-01) is after `to` (2024-01-01)"
        );
        assert_eq!(
            message("a.csv", "department\n"),
            "a.csv, line 1: the header has no `room` column: expected room,department[,cost_centre,from,to]"
        );
        assert!(message("a.csv", "").starts_with("a.csv: empty"));
        let m = message(
            "a.toml",
            "[[room]]\nroom = \"r\"\ndepartment = \"d\"\ncolour = 1\n",
        );
        assert!(
            m.starts_with("a.toml, line 4: unknown field `colour`"),
            "{m}"
        );
        let m = message("a.toml", "[[room]]\nroom = \"r\"\n");
        assert_eq!(
            m,
            "a.toml, line 1: the department is empty (every room needs one)"
        );
        let m = message(
            "a.toml",
            "[[room]]\nroom = \"r\"\ndepartment = \"d\"\nfrom = 2024-01-01T10:00:00\n",
        );
        assert!(
            m.starts_with("a.toml, line 1: `from` is `2024-01-01T10:00:00`"),
            "{m}"
        );
        let m = message("a.toml", "[[room]\n");
        assert!(m.starts_with("a.toml, line 1: "), "{m}");
    }

    #[test]
    fn dated_lines_and_lookup() {
        let a = Allocation::parse(
            "a.csv",
            "room,department,from,to\nr1,old,,2024-01-15\nr1,new,2024-01-16,\n",
        );
        let Ok(a) = a else {
            panic!("{a:?}");
        };
        assert_eq!(a.lookup("r1", d("2024-01-15")).map(|l| l.line), Some(2));
        assert_eq!(a.lookup(" r1 ", d("2024-01-16")).map(|l| l.line), Some(3));
        assert!(a.lookup("r2", d("2024-01-16")).is_none());

        let mut m = Meeting::new(Vendor::Systec, Source::SystecDetail, "systec:a");
        let mut room = Room::default();
        room.id = Some("X".into());
        room.name = Some("r1 ".into());
        m.room = Some(room);
        // 2024-01-15T20:00Z is 2024-01-16 in Shanghai.
        m.start = "2024-01-15T20:00:00Z".parse().ok();
        assert_eq!(a.department_of(&m, chrono_tz::Asia::Shanghai), "new");
        assert_eq!(a.department_of(&m, chrono_tz::UTC), "old");
        m.room = None;
        assert_eq!(a.department_of(&m, chrono_tz::UTC), UNALLOCATED);
        assert_eq!(a.unallocated_rooms([&m], chrono_tz::UTC), ["(unknown)"]);
        assert_eq!(a.unknown_rooms([&m]).len(), 2);
    }

    proptest::proptest! {
        #[test]
        fn never_panics(text in "\\PC{0,200}", toml in proptest::bool::ANY) {
            let file = if toml { "x.toml" } else { "x.csv" };
            let _ = Allocation::parse(file, &text);
        }

        #[test]
        fn csv_lines_round_trip(rooms in proptest::collection::btree_set("[a-z0-9]{1,8}", 1..6), dept in "[a-z\u{4e00}-\u{4e20}]{1,6}") {
            let mut text = String::from("room,department\n");
            for r in &rooms {
                text.push_str(&format!("{r},{dept}\n"));
            }
            let a = Allocation::parse("x.csv", &text);
            proptest::prop_assert!(a.is_ok(), "{:?}", a);
            let a = a.map_err(|e| proptest::test_runner::TestCaseError::fail(e.to_string()))?;
            proptest::prop_assert_eq!(a.lines().len(), rooms.len());
            for (i, (l, r)) in a.lines().iter().zip(&rooms).enumerate() {
                proptest::prop_assert_eq!(&l.room, r);
                proptest::prop_assert_eq!(&l.department, &dept);
                proptest::prop_assert_eq!(l.line, i + 2);
            }
        }
    }
}

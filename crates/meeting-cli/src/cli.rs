//! The command line: every flag and subcommand, with help written for a person.

use std::path::PathBuf;

use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand, ValueEnum};

use meeting_sync::dates;

/// Pull, replay and summarise meeting usage from Systec UMeeting shared rooms and Quanshi (全时).
#[derive(Debug, Parser)]
#[command(
    name = "meeting",
    version,
    about,
    long_about = "Pull, replay and summarise meeting usage from Systec UMeeting shared rooms and Quanshi (全时): who met, for how long, from which room, and what the phone calls cost.",
    after_help = MAIN_AFTER_HELP_FULL,
    propagate_version = true,
    arg_required_else_help = true,
    max_term_width = 100
)]
pub(crate) struct Cli {
    #[command(flatten)]
    pub(crate) global: Global,
    #[command(subcommand)]
    pub(crate) command: Command,
}

const MAIN_AFTER_HELP_FULL: &str = "\
Examples:
  meeting demo                                        the whole job against the built-in simulator
  meeting systec fetch --from 2024-01-01 --to 2024-03-31 -o csv --out q1.csv --csv-bom
  meeting systec fetch --from 2024-01-01 --to 2024-01-31 --rows calls -o csv   phone bill lines
  meeting systec fetch --from 2024-01-01 --to 2024-01-31 --save-raw runs/jan   keep every response
  meeting parse runs/jan                              replay a saved run offline (merged)
  meeting stats runs/jan --by room                    minutes, participants and phone cost per room
  meeting sync --since 2024-01-01                     keep the archive up to date (then daily: meeting sync)
  meeting stats --month 2024-03 --by room             the month from the archive (no input: the archive)
  meeting report --month 2024-03 --out march.xlsx     the month's report for finance
  meeting quanshi info 56039682 -o json

Output: `-o table` when stdout is a terminal, `-o jsonl` (one neutral meeting per line) when
it is piped or redirected. JSON and JSON Lines times are UTC (RFC 3339). Dates you type
(--from, --to, --month), day buckets and table and CSV times are all in one report zone: --tz
(or MEETING_TZ), else the vendor zone (Asia/Shanghai); never silently the machine's zone.

Configuration: credentials come from the environment or from a profile in
~/.config/meeting/config.toml (`meeting config init`, `meeting config list`), never from a
flag. Precedence: flags > environment > profile > defaults.

Environment:
  SYSTEC_API_KEY, SYSTEC_API_SECRET   Systec credentials
  SYSTEC_BASE_URL                     Systec base URL [default: the vendor's documented one]
  QUANSHI_TOKEN                       Quanshi token
  QUANSHI_BASE_URL                    Quanshi base URL (the vendor documents none)
  QUANSHI_CONFERENCE_PATH             the join-link endpoint's path (undocumented)
  MEETING_CONFIG, MEETING_PROFILE     config file and profile
  MEETING_TZ                          report zone (like --tz) [default: the vendor zone]
  MEETING_VENDOR_TZ                   vendor zone [default: Asia/Shanghai]
  HTTPS_PROXY, HTTP_PROXY             proxy for non-loopback vendors
  NO_COLOR, TERM=dumb                 no colour
  RUST_LOG                            log filter (overrides -v)

Exit codes:
  0    success (also when the reader of stdout closed the pipe)
  1    the output could not be written (disk full, no permission)
  2    usage or configuration: a bad flag, unknown zone, missing or unreadable input file,
       missing credentials, a config file readable by others
  3    bad input data: nothing good to write
  4    credentials refused by the vendor (`meeting config check`)
  5    vendor unreachable: network, timeouts, rate limits or retries exhausted
  6    partial: something failed (a window, a call, a document); the rest was written
  7    not found: the vendor does not know the id, link or path asked for
  8    archive busy: another run holds it
  9    the vendor refused the request: it answered with its own failure (quoted in the
       message); retrying the same request will not help
  10   nothing matched: nothing written, existing outputs untouched (`report`, `export`)
  130  interrupted (Ctrl-C)

Inputs: `stats`, `list`, `report` and `export` read the files or directories given (`-` is
stdin, read only then); given none, the archive: --archive PATH, else MEETING_ARCHIVE, else
~/.local/share/meeting/archive.sqlite. `parse` is a filter: given nothing, it reads stdin.

Coverage (`report` from the archive; `export` alike):
  span covered (every synced profile's cursor past its end)  written, coverage stated  0
  span partly covered, or windows failed inside it           written, with a warning   6
  nothing matched and span not covered (or files input)      nothing written           10
  the report's own sync failed, span not covered             as above                  its code (4, 5, 8, 9)
`list`, `stats` and `parse` that match nothing print nothing and exit 0. Quanshi has no list
endpoint: its coverage reads \"looked up as of DATE\".";

/// Flags every command accepts (shown under "Global options").
#[derive(Debug, Args)]
#[command(next_help_heading = "Global options")]
pub(crate) struct Global {
    /// Report zone: the days you type, day buckets, table and CSV times [default: the vendor zone]
    #[arg(long, value_name = "ZONE", env = "MEETING_TZ", global = true)]
    pub(crate) tz: Option<String>,

    /// Zone in which zone-less vendor times and vendor date parameters are read [default: Asia/Shanghai]
    #[arg(long, value_name = "ZONE", env = "MEETING_VENDOR_TZ", global = true)]
    pub(crate) vendor_tz: Option<String>,

    /// Configuration profile to use (`meeting sync` takes several: --profile A --profile B)
    #[arg(long, value_name = "NAME", env = "MEETING_PROFILE", global = true, action = clap::ArgAction::Append)]
    pub(crate) profile: Vec<String>,

    /// Whether `profile` came from MEETING_PROFILE rather than a `--profile` flag (flags
    /// beat the environment: `meeting sync --all-profiles` ignores MEETING_PROFILE).
    #[arg(skip)]
    pub(crate) profile_from_env: bool,

    /// Configuration file [default: ~/.config/meeting/config.toml]
    #[arg(long, value_name = "FILE", env = "MEETING_CONFIG", global = true)]
    pub(crate) config: Option<PathBuf>,

    /// More log output on stderr: -v info, -vv debug, -vvv trace (RUST_LOG overrides)
    #[arg(short = 'v', long = "verbose", action = clap::ArgAction::Count, global = true)]
    pub(crate) verbose: u8,

    /// No progress and no notes on stderr; errors are still printed
    #[arg(short = 'q', long, global = true, conflicts_with = "verbose")]
    pub(crate) quiet: bool,

    /// Colour on stderr and in tables (NO_COLOR turns it off)
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    pub(crate) color: ColorChoice,
}

impl Global {
    /// The profile of a single-profile command: the last `--profile` given.
    pub(crate) fn profile(&self) -> Option<&str> {
        self.profile.last().map(String::as_str)
    }
}

/// Where and how a command writes its result.
#[derive(Debug, Args)]
#[command(next_help_heading = "Output options")]
pub(crate) struct OutputArgs {
    /// Output format [default: table on a terminal, jsonl when piped; with --out, from the extension]
    #[arg(short = 'o', long = "output", visible_alias = "format", value_enum)]
    pub(crate) output: Option<OutputFormat>,

    /// Write the output to FILE instead of stdout
    #[arg(long, value_name = "FILE")]
    pub(crate) out: Option<PathBuf>,

    /// Mask personal data in every output: names and user ids become pseudonyms, phone numbers keep their country code and last 4 digits, IP addresses their first two octets, e-mails their domain (a room's mailbox is kept); totals are computed first
    #[arg(long)]
    pub(crate) mask_pii: bool,

    /// The pseudonym key for --mask-pii, so the same person gets the same pseudonym across runs [default: random per run]
    #[arg(
        long,
        value_name = "KEY",
        requires = "mask_pii",
        env = "MEETING_MASK_KEY",
        hide_env_values = true
    )]
    pub(crate) mask_key: Option<String>,

    /// Start CSV on stdout with a UTF-8 byte order mark, so Excel and WPS show Chinese names (CSV written with --out gets one anyway)
    #[arg(long, conflicts_with = "no_bom")]
    pub(crate) csv_bom: bool,

    /// No byte order mark in CSV written with --out
    #[arg(long)]
    pub(crate) no_bom: bool,
}

/// What one table or CSV row is, which columns, in what order.
#[derive(Debug, Args)]
#[command(next_help_heading = "Output options")]
pub(crate) struct RowsArg {
    /// What one table or CSV row is: a meeting, a participant, or a phone call (finance)
    #[arg(long, value_enum, default_value_t = Rows::Meetings)]
    pub(crate) rows: Rows,
    /// Columns of the table or CSV, by id, comma-separated [default: tables a set that fits 100 columns, CSV all; -o wide: all]
    #[arg(long, value_name = "ID,...", value_delimiter = ',')]
    pub(crate) columns: Vec<String>,
    /// Sort meetings by start, room, host, topic, duration, participants, phone_cost or key [default: start]
    #[arg(long, value_name = "FIELD", value_parser = parse_sort)]
    pub(crate) sort: Option<meeting_core::query::SortKey>,
    /// No header row in tables and CSV
    #[arg(long)]
    pub(crate) no_headers: bool,
}

fn parse_sort(s: &str) -> Result<meeting_core::query::SortKey, String> {
    meeting_core::query::SortKey::from_name(s.trim()).ok_or_else(|| {
        let names: Vec<&str> = meeting_core::query::SortKey::ALL
            .iter()
            .map(|(_, n)| *n)
            .collect();
        format!("expected one of {}", names.join(", "))
    })
}

/// Flags of commands that call a vendor.
#[derive(Debug, Args)]
#[command(next_help_heading = "Vendor call options")]
pub(crate) struct LiveArgs {
    /// Print the vendor's response bodies (one JSON document per response, in fetch order) instead of the neutral form; json and jsonl only
    #[arg(long)]
    pub(crate) raw: bool,

    /// With --raw, print meeting passwords, host and live links and tokens instead of `[redacted]`
    #[arg(long, requires = "raw")]
    pub(crate) show_secrets: bool,

    /// Save every accepted HTTP response as a record in DIR (an empty or new directory), for `meeting parse DIR`
    #[arg(long, value_name = "DIR")]
    pub(crate) save_raw: Option<PathBuf>,

    /// Never show a progress bar (it is only shown when stderr is a terminal)
    #[arg(long)]
    pub(crate) no_progress: bool,
}

/// Cores used to read the inputs.
#[derive(Debug, Args)]
pub(crate) struct JobsArg {
    /// Cores used to parse: chunks of one large dump as well as many files, output in input
    /// order [default: the number of CPUs]
    #[arg(long, short = 'j', value_name = "N")]
    pub(crate) jobs: Option<usize>,
}

/// Output formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum OutputFormat {
    /// A table for people (times in --tz), with the columns that fit a 100-column terminal
    Table,
    /// A table with every column
    Wide,
    /// One pretty JSON array of neutral meetings (UTC)
    Json,
    /// One neutral meeting per line (UTC)
    Jsonl,
    /// Comma-separated values (times in --tz)
    Csv,
}

/// What a table or CSV row is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum Rows {
    /// One row per meeting
    Meetings,
    /// One row per participant
    Participants,
    /// One row per phone call (number, direction, billed minutes, exact cost)
    Calls,
}

/// Colour choice.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum ColorChoice {
    /// When the stream is a terminal and NO_COLOR is not set
    Auto,
    /// Always
    Always,
    /// Never
    Never,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Systec UMeeting shared rooms: fetch (the main job), reports, detail, history
    #[command(subcommand)]
    Systec(SystecCommand),
    /// Quanshi (全时): a reservation by join link, a conference by its temporary id
    #[command(subcommand)]
    Quanshi(QuanshiCommand),
    /// Read saved dumps offline: vendor bodies, --save-raw directories, neutral JSON Lines
    #[command(after_help = PARSE_HELP)]
    Parse(ParseArgs),
    /// Usage per room, host or day: meetings, minutes, participants, phone minutes and exact cost
    #[command(after_help = STATS_HELP)]
    Stats(StatsArgs),
    /// The finance report of a month (or any span): an Excel workbook, a self-contained HTML page with charts, or a set of CSV files
    #[command(after_help = REPORT_HELP)]
    Report(ReportArgs),
    /// Meetings from the archive or from files, merged, filtered, in any output format
    #[command(
        after_help = "Examples:\n  meeting list --month 2024-01 --room room04       from the archive\n  meeting list runs/jan -o csv --out jan.csv"
    )]
    List(ListArgs),
    /// Bring the archive up to today: incremental, resumable, safe to kill at any moment
    #[command(after_help = SYNC_HELP)]
    Sync(SyncArgs),
    /// Tables for data teams (Parquet, JSON Lines, CSV), Hive-partitioned by vendor and month
    #[command(after_help = EXPORT_HELP)]
    Export(ExportArgs),
    /// The archive: import saved runs, check, info, backup, purge, migrate, dump
    #[command(subcommand)]
    Archive(ArchiveCommand),
    /// Write a profile (mode 0600) or check the configured credentials
    #[command(subcommand)]
    Config(ConfigCommand),
    /// Print the neutral JSON Schema (version 2)
    Schema {
        /// Write the schema to FILE instead of stdout
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// `meeting sync` of the built-in simulator into a temporary archive, then its meetings and stats: no credentials, loopback only
    #[command(after_help = DEMO_HELP)]
    Demo(VendorOutput),
    /// Write the man pages (meeting.1 and one per subcommand) into DIR (`cargo xtask man`)
    #[command(hide = true)]
    Manpages {
        /// The directory (created if missing)
        #[arg(value_name = "DIR")]
        dir: PathBuf,
    },
    /// Print a shell completion script
    #[command(
        after_help = "Example:\n  meeting completions bash > ~/.local/share/bash-completion/completions/meeting"
    )]
    Completions {
        /// The shell
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

const FETCH_HELP: &str = "\
Fetches, for the whole range, the history (hisMeeting), the details with participants and
phone calls (detail), then the reports of every meeting seen, and merges them into one record
per meeting occurrence. Ranges longer than a month are split into calendar months (the
vendor silently truncates longer ones). Progress is shown on stderr when it is a terminal.

Examples:
  meeting systec fetch --from 2024-01-01 --to 2024-01-31
  meeting systec fetch --from 2024-01-01 --to 2024-03-31 --room ROOM-7 -o csv --out q1.csv
  meeting systec fetch --from 2024-01-01 --to 2024-01-31 --rows calls -o csv --csv-bom
  meeting systec fetch --from 2024-01-01 --to 2024-01-31 --save-raw runs/jan && meeting parse runs/jan";

const PARSE_HELP: &str = "\
Inputs: files, directories (their files, sorted by name: a --save-raw run replays in fetch
order) or `-` for stdin (also when no input is given and stdin is not a terminal). Each may
hold one JSON document, an array of documents, JSON Lines or concatenated documents; vendor
bodies of any endpoint, --save-raw records or neutral meetings; gzip or not.

Merging: records of one meeting from several endpoints are merged into one (as `systec fetch`
does) when --merge is given or when any input is a directory; --no-merge turns that off.
So `meeting parse DIR` of a `--save-raw DIR` run prints exactly what the live run printed.

Bad documents: each is reported on stderr with its file, line, byte offset and JSON path; the
good ones are kept, the counts are printed (`parsed N documents, M meetings, K bad`) and the
exit code is 6 when some meetings were written, 3 when none were.

Examples:
  meeting parse fixtures/systec/detail.sample.json -o table --tz Asia/Shanghai
  meeting parse runs/jan --room ROOM-7 --from 2024-01-10 --to 2024-01-20
  zcat dump.jsonl.gz | meeting parse - -o csv --rows participants";

const STATS_HELP: &str = "\
Records are merged by key first, so a meeting seen by several endpoints counts once.
minutes: measured meeting minutes (end - start), summed exactly then rounded;
phone minutes: the vendor's billed minutes; phone cost: exact decimal sums per currency.
`--by day` buckets by the start date in --tz.

Examples:
  meeting stats runs/jan --by room
  meeting stats runs/jan --by day --tz Asia/Shanghai -o csv";

const DEMO_HELP: &str = "\
Starts the vendor simulator on 127.0.0.1 (fixed seed, a few hundred meetings over
January-March 2024) and runs `meeting sync` into a temporary archive (removed afterwards):
Systec 2024-01-20..2024-02-10 (two calendar months, one transaction each: history, detail
and reports), one Quanshi join link and one dashboard conference. Then it prints the
meetings read back from the archive and a summary per room (`meeting stats --archive`). The
output options apply (-o, --rows, --save-raw, --mask-pii ...), and --tz.

Examples:
  meeting demo
  meeting demo --tz Asia/Shanghai --rows calls -o csv";

const SYNC_HELP: &str = "\
For each profile: Systec history, detail (participants, phone calls) and reports, one
calendar month window at a time (vendor zone), from the archive's cursor minus --lookback
days up to today; the first sync of a profile needs --since DATE. Each window is committed
in one transaction with its cursor, so a killed sync loses at most the window in flight and
the next `meeting sync` resumes there. Quanshi has no list endpoint: the reservations and
conferences the archive holds that are not over are looked up again, new ones come from
--ids FILE|-.

Exit codes: 0 ok, 2 usage (no credentials, an unknown profile: no archive is created), 4
credentials refused, 6 a window or call failed (kept, retried by the next sync), 7 the
vendor says what was asked for is not found, 8 another sync holds the archive (after
--wait), 9 the vendor refused the request (its status and text quoted), 130 interrupted
(within 2 s: the window in flight is dropped, the committed ones are kept). --until after
today is clamped to today.

Examples:
  meeting sync --since 2024-01-01                  first sync, then just `meeting sync`
  meeting sync --profile hq --profile branch --summary /var/log/meeting-sync.json
  meeting sync --all-profiles -q                   from cron
  meeting stats --month 2024-03                    from the archive";

const REPORT_HELP: &str = "\
Sheets (Excel; one CSV file each with -o csv): Summary, Rooms, Hosts, Departments, Days,
Meetings, Participants, Calls. Money is a number with a CNY format, phone numbers and ids are
text, times are in the report zone. The HTML page is one file with no external reference
(it opens offline, from an e-mail attachment): the totals, the summary tables and charts of
minutes per day by room, phone cost per room (and department), room use by weekday and hour.

Days, buckets and times are in the report zone: --tz, else MEETING_TZ, else the vendor zone.
Every figure is the same as `meeting stats` over the same meetings.

Examples:
  meeting report --month 2024-01 --out jan.xlsx                 from the archive
  meeting report --month 2024-01 --out jan.html runs/jan         from a saved run
  meeting report --last-month --allocation rooms.toml --out report.xlsx
  meeting report --from 2024-01-01 --to 2024-03-31 -o csv --out q1/ --mask-key \"$KEY\"

Personal data is masked by default (participant names and user ids as pseudonyms, IP
addresses omitted, phone numbers as country code and last four digits); --include-pii shows
it. The key figures are shown beside the previous period (the month before).";

/// The output of a command that calls a vendor (`meeting systec ...`, `meeting quanshi
/// ...`, `meeting demo`): the output flags, the rows, the vendor call flags.
#[derive(Debug, Args)]
pub(crate) struct VendorOutput {
    #[command(flatten)]
    pub(crate) output: OutputArgs,
    #[command(flatten)]
    pub(crate) rows: RowsArg,
    #[command(flatten)]
    pub(crate) live: LiveArgs,
}

/// Systec commands.
#[derive(Debug, Subcommand)]
pub(crate) enum SystecCommand {
    /// History + detail (participants, phone calls) + reports, merged: the main job
    #[command(after_help = FETCH_HELP)]
    Fetch {
        #[command(flatten)]
        range: DateFlags,
        /// Only this shared room (detail's host_id)
        #[arg(long, value_name = "ID")]
        room: Option<String>,
        #[command(flatten)]
        out: VendorOutput,
    },
    /// Reports (participants with devices and networks) of these meeting UUIDs
    #[command(
        after_help = "Example:\n  meeting systec reports 'xQi0Q/qxQr2iNGdamVfpGg==' 'jny6Sttx8NitKXw=='"
    )]
    Reports {
        /// Meeting occurrence UUIDs
        #[arg(required = true, value_name = "UUID")]
        uuids: Vec<String>,
        #[command(flatten)]
        out: VendorOutput,
    },
    /// Shared-room meeting details, all pages (default range: today in the vendor zone)
    #[command(
        after_help = "Examples:\n  meeting systec detail --from 2024-01-01 --to 2024-01-31 --participants --telephony\n  meeting systec detail --room ROOM-7"
    )]
    Detail {
        /// First day (YYYY-MM-DD, in the vendor zone) [default: today]
        #[arg(long, value_name = "DATE", value_parser = dates::parse_date)]
        from: Option<NaiveDate>,
        /// Last day, inclusive [default: today]
        #[arg(long, value_name = "DATE", value_parser = dates::parse_date)]
        to: Option<NaiveDate>,
        /// Only this shared room (host_id)
        #[arg(long, value_name = "ID")]
        room: Option<String>,
        /// Include participants
        #[arg(long)]
        participants: bool,
        /// Include phone calls and their cost
        #[arg(long)]
        telephony: bool,
        #[command(flatten)]
        out: VendorOutput,
    },
    /// Past meetings (hisMeeting) of a date range
    #[command(
        after_help = "Example:\n  meeting systec history --from 2024-01-01 --to 2024-03-31 -o csv"
    )]
    History {
        #[command(flatten)]
        range: DateFlags,
        #[command(flatten)]
        out: VendorOutput,
    },
}

/// The date flags, shared by vendor ranges and filters: `--from [--to]`, `--month`,
/// `--last-month` or `--since`. A vendor range needs one of them (checked when it runs);
/// its open end is today in the vendor zone, a filter's is unbounded.
#[derive(Debug, Args)]
#[command(next_help_heading = "Dates")]
pub(crate) struct DateFlags {
    /// First day (YYYY-MM-DD), in the report zone (--tz)
    #[arg(long, value_name = "DATE", value_parser = dates::parse_date)]
    pub(crate) from: Option<NaiveDate>,
    /// Last day, inclusive (YYYY-MM-DD) [default: today for a vendor range, open for a filter]
    #[arg(long, value_name = "DATE", value_parser = dates::parse_date, conflicts_with_all = ["month", "last_month"])]
    pub(crate) to: Option<NaiveDate>,
    /// A whole calendar month (YYYY-MM)
    #[arg(long, value_name = "YYYY-MM", value_parser = dates::parse_month, conflicts_with_all = ["from", "last_month", "since"])]
    pub(crate) month: Option<NaiveDate>,
    /// The previous calendar month
    #[arg(long, conflicts_with_all = ["from", "since"])]
    pub(crate) last_month: bool,
    /// From this day (YYYY-MM-DD), or the last N days with Nd (7d: today and the six days before)
    #[arg(long, value_name = "DATE|Nd", value_parser = dates::parse_since, conflicts_with = "from")]
    pub(crate) since: Option<dates::Since>,
}

impl DateFlags {
    pub(crate) fn args(&self) -> dates::DateArgs {
        let mut args = dates::DateArgs::default();
        args.from = self.from;
        args.to = self.to;
        args.month = self.month;
        args.last_month = self.last_month;
        args.since = self.since;
        args
    }
}

/// Quanshi commands.
#[derive(Debug, Subcommand)]
pub(crate) enum QuanshiCommand {
    /// A reservation by the attendee's join link (needs QUANSHI_CONFERENCE_PATH: the vendor does not document it)
    #[command(
        after_help = "Example:\n  meeting quanshi conference 'https://quanshi.example/j/123456789'"
    )]
    Conference {
        /// The attendee join link (masked in logs and saved records)
        #[arg(value_name = "JOIN_LINK")]
        link: String,
        #[command(flatten)]
        out: VendorOutput,
    },
    /// One conference's statistics by its temporary conference id (dashboard); many with --ids
    #[command(
        after_help = "Examples:\n  meeting quanshi info 56039682 -o json\n  meeting quanshi info --ids ids.txt -o csv     one temporary id or join link per line (# comments)\n  printf '56039682\\n' | meeting quanshi info --ids -"
    )]
    Info {
        /// The temporary conference id
        #[arg(
            value_name = "TEMP_ID",
            required_unless_present = "ids",
            conflicts_with = "ids"
        )]
        temp_id: Option<String>,
        /// Look up many: a file (or `-` for stdin) with one temporary id or join link per line; `#` starts a comment
        #[arg(long, value_name = "FILE|-")]
        ids: Option<PathBuf>,
        #[command(flatten)]
        out: VendorOutput,
    },
}

/// Filters shared by `parse`, `stats` and `list`.
#[derive(Debug, Args)]
#[command(next_help_heading = "Filters")]
pub(crate) struct Filters {
    #[command(flatten)]
    pub(crate) dates: DateFlags,
    /// Only this room (its id, name or e-mail); repeat for several
    #[arg(long, value_name = "ROOM")]
    pub(crate) room: Vec<String>,
    /// Only this host (id, name or e-mail); repeat for several
    #[arg(long, value_name = "HOST")]
    pub(crate) host: Vec<String>,
}

/// `meeting parse`.
#[derive(Debug, Args)]
pub(crate) struct ParseArgs {
    /// Files, directories or `-` (stdin)
    #[arg(value_name = "FILE|DIR|-")]
    pub(crate) inputs: Vec<PathBuf>,
    /// Merge records of the same meeting (automatic when an input is a directory)
    #[arg(long, conflicts_with = "no_merge")]
    pub(crate) merge: bool,
    /// Never merge, not even for directories
    #[arg(long)]
    pub(crate) no_merge: bool,
    /// Read vendor documents as this endpoint instead of detecting it from their shape (systec.reports, systec.detail, systec.his_meeting, quanshi.conference, quanshi.dashboard)
    #[arg(long, value_name = "ENDPOINT")]
    pub(crate) endpoint: Option<meeting_core::Source>,
    #[command(flatten)]
    pub(crate) filters: Filters,
    #[command(flatten)]
    pub(crate) output: OutputArgs,
    #[command(flatten)]
    pub(crate) rows: RowsArg,
    #[command(flatten)]
    pub(crate) jobs: JobsArg,
}

/// `meeting stats`.
#[derive(Debug, Args)]
pub(crate) struct StatsArgs {
    /// Files, directories or `-` (stdin) [default: the archive]
    #[arg(value_name = "FILE|DIR|-")]
    pub(crate) inputs: Vec<PathBuf>,
    /// Group by room, host, day, month (start date in --tz), department (needs --allocation) or room,month
    #[arg(long, value_enum, default_value_t = GroupBy::Room)]
    pub(crate) by: GroupBy,
    /// Cost allocation (TOML or CSV: room id or name -> department, cost centre) for --by department
    #[arg(long, value_name = "FILE")]
    pub(crate) allocation: Option<PathBuf>,
    /// Read vendor documents as this endpoint instead of detecting it from their shape
    #[arg(long, value_name = "ENDPOINT")]
    pub(crate) endpoint: Option<meeting_core::Source>,
    #[command(flatten)]
    pub(crate) filters: Filters,
    #[command(flatten)]
    pub(crate) output: OutputArgs,
    #[command(flatten)]
    pub(crate) jobs: JobsArg,
    #[command(flatten)]
    pub(crate) archive: ArchiveInput,
}

/// `--archive PATH`: the archive read when no files are given.
#[derive(Debug, Args)]
pub(crate) struct ArchiveInput {
    /// The archive read when no files are given [default: MEETING_ARCHIVE, else ~/.local/share/meeting/archive.sqlite]
    #[arg(long, value_name = "PATH", conflicts_with = "inputs")]
    pub(crate) archive: Option<PathBuf>,
}

/// `meeting list`.
#[derive(Debug, Args)]
pub(crate) struct ListArgs {
    /// Files, directories or `-` (stdin) [default: the archive]
    #[arg(value_name = "FILE|DIR|-")]
    pub(crate) inputs: Vec<PathBuf>,
    #[command(flatten)]
    pub(crate) archive: ArchiveInput,
    #[command(flatten)]
    pub(crate) filters: Filters,
    #[command(flatten)]
    pub(crate) output: OutputArgs,
    #[command(flatten)]
    pub(crate) rows: RowsArg,
    #[command(flatten)]
    pub(crate) jobs: JobsArg,
}

/// `meeting sync`.
#[derive(Debug, Args)]
pub(crate) struct SyncArgs {
    /// First day to fetch (YYYY-MM-DD, vendor zone): required for a profile's first sync; later syncs resume from the archive's cursor
    #[arg(long, value_name = "DATE", value_parser = dates::parse_date)]
    pub(crate) since: Option<NaiveDate>,
    /// Days fetched again before the cursor (reports and late changes arrive after the meeting)
    #[arg(long, value_name = "DAYS", default_value_t = meeting_sync::sync::DEFAULT_LOOKBACK_DAYS)]
    pub(crate) lookback: u32,
    /// Last day to fetch (YYYY-MM-DD, vendor zone) [default: today in the vendor zone]
    #[arg(long, value_name = "DATE", value_parser = dates::parse_date)]
    pub(crate) until: Option<NaiveDate>,
    /// New Quanshi temporary ids or join links to look up and keep, one per line (`-`: stdin)
    #[arg(long, value_name = "FILE|-")]
    pub(crate) ids: Option<PathBuf>,
    /// Sync every profile of the config file
    #[arg(long)]
    pub(crate) all_profiles: bool,
    /// The archive [default: MEETING_ARCHIVE, else ~/.local/share/meeting/archive.sqlite]
    #[arg(long, value_name = "PATH")]
    pub(crate) archive: Option<PathBuf>,
    /// Write the run summary as JSON to FILE (`-`: stdout), for cron: span, windows done/failed, requests, records new/updated/unchanged, exit code; written on every exit
    #[arg(long, value_name = "FILE|-")]
    pub(crate) summary: Option<PathBuf>,
    /// Seconds to wait for another sync holding the archive before giving up (exit 8)
    #[arg(long, value_name = "SECONDS", default_value_t = 10)]
    pub(crate) wait: u64,
    /// Never show a progress bar (it is only shown when stderr is a terminal)
    #[arg(long)]
    pub(crate) no_progress: bool,
}

const EXPORT_HELP: &str = "\
Writes the tables meetings, participants, phone_calls and rooms (joined by key) under DIR as
DIR/<table>/vendor=<vendor>/month=<YYYY-MM>/part-0.<ext>, the month of each meeting's start in
--tz, with DIR/_meeting_export.json describing the zone and every column. Times are UTC, money
DECIMAL(18,6) with its currency, nested vendor fields JSON text. Report stubs are not meetings
and are not exported. The export is written beside DIR and swapped in: no partition of an
earlier export survives, and re-exporting the same data gives identical files. An existing
DIR must be empty or an earlier export; only the export's own files are replaced (others in
it are never touched). When nothing matches, nothing is written (exit 10).

Examples:
  meeting export --out lake/meetings                  from the archive
  meeting export runs/jan -o jsonl --out jan-export --mask-pii
  duckdb -c \"SELECT room_label, count(*) FROM read_parquet('lake/meetings/meetings/**/*.parquet', hive_partitioning = true) GROUP BY 1\"";

/// `meeting export`.
#[derive(Debug, Args)]
pub(crate) struct ExportArgs {
    /// Files, directories or `-` (stdin) [default: the archive]
    #[arg(value_name = "FILE|DIR|-")]
    pub(crate) inputs: Vec<PathBuf>,
    #[command(flatten)]
    pub(crate) archive: ArchiveInput,
    #[command(flatten)]
    pub(crate) filters: Filters,
    /// File format of the tables [default: parquet when built with it, else jsonl]
    #[arg(
        short = 'o',
        long = "output",
        visible_alias = "format",
        value_enum,
        help_heading = "Output options"
    )]
    pub(crate) output: Option<ExportFormat>,
    /// The export directory (created, or replaced when it holds an earlier export)
    #[arg(long, value_name = "DIR", help_heading = "Output options")]
    pub(crate) out: PathBuf,
    /// Parquet compression
    #[arg(long, value_enum, default_value_t = ExportCompression::Zstd, help_heading = "Output options")]
    pub(crate) compression: ExportCompression,
    /// Mask personal data (names and user ids become pseudonyms, phone numbers keep their country code and last 4 digits, IP addresses their first two octets, e-mails their domain); totals never change
    #[arg(long, help_heading = "Output options")]
    pub(crate) mask_pii: bool,
    /// The pseudonym key for --mask-pii [default: random per run]
    #[arg(
        long,
        value_name = "KEY",
        requires = "mask_pii",
        env = "MEETING_MASK_KEY",
        hide_env_values = true,
        help_heading = "Output options"
    )]
    pub(crate) mask_key: Option<String>,
    /// Write the run summary as JSON to FILE (`-`: stdout): command, exit code, error, output and counts; written on every exit
    #[arg(long, value_name = "FILE|-", help_heading = "Output options")]
    pub(crate) summary: Option<PathBuf>,
    #[command(flatten)]
    pub(crate) jobs: JobsArg,
}

/// Export file formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum ExportFormat {
    /// Apache Parquet (DuckDB, Spark, Trino, pandas, Polars)
    Parquet,
    /// One JSON object per row
    Jsonl,
    /// Comma-separated values with a header row (no BOM: data for programs)
    Csv,
}

/// Parquet compression.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum ExportCompression {
    /// Zstandard (small, fast to read)
    Zstd,
    /// Snappy (older readers)
    Snappy,
    /// None
    None,
}

/// `meeting archive`.
#[derive(Debug, Subcommand)]
pub(crate) enum ArchiveCommand {
    /// Load saved dumps and --save-raw runs into the archive (merged by key: loading twice changes nothing)
    #[command(
        after_help = "Examples:\n  meeting archive import runs/jan runs/feb\n  meeting archive import q1.jsonl --archive ./finance.sqlite --profile acme"
    )]
    Import {
        /// Files, directories or `-` (stdin)
        #[arg(value_name = "FILE|DIR|-", required = true)]
        inputs: Vec<PathBuf>,
        /// The archive [default: MEETING_ARCHIVE, else ~/.local/share/meeting/archive.sqlite]
        #[arg(long, value_name = "PATH")]
        archive: Option<PathBuf>,
        /// Also keep the verbatim vendor bodies of --save-raw records (compressed, secrets removed), so the archive can be replayed
        #[arg(long)]
        keep_raw: bool,
    },
    /// SQLite's integrity check and the archive's own invariants
    #[command(after_help = ARCHIVE_CHECK_HELP)]
    Check {
        /// The archive [default: MEETING_ARCHIVE, else the user data directory]
        #[arg(long, value_name = "PATH")]
        archive: Option<PathBuf>,
        #[command(flatten)]
        output: StatusOutput,
    },
    /// Path, size, schema version, meetings per profile, vendor and month, last sync, gaps
    #[command(after_help = ARCHIVE_INFO_HELP)]
    Info {
        /// The archive [default: MEETING_ARCHIVE, else the user data directory]
        #[arg(long, value_name = "PATH")]
        archive: Option<PathBuf>,
        /// The same as -o json
        #[arg(long, hide = true)]
        json: bool,
        #[command(flatten)]
        output: StatusOutput,
    },
    /// One consistent copy of the archive in one file (VACUUM INTO)
    Backup {
        /// The new file (must not exist)
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// The archive [default: MEETING_ARCHIVE, else the user data directory]
        #[arg(long, value_name = "PATH")]
        archive: Option<PathBuf>,
    },
    /// Upgrade an archive of an older schema (a backup first, then the migration, then VACUUM)
    #[command(
        after_help = "Every other command refuses an archive of an older schema (exit 2) and names this one.\nThe backup is written beside the archive as NAME.schema-N.backup (mode 0600) before anything is\nchanged; free space for the backup, the migration and a VACUUM is checked first. Sync cursors\npast today are set back to today. A progress bar on a terminal.\n\nExample:\n  meeting archive migrate --archive ./finance.sqlite"
    )]
    Migrate {
        /// The archive [default: MEETING_ARCHIVE, else the user data directory]
        #[arg(long, value_name = "PATH")]
        archive: Option<PathBuf>,
    },
    /// Every meeting, merged and decompressed, one JSON line each in key order (the auditor's view: not masked)
    #[command(
        after_help = "The same archive content gives the same bytes, whatever the order it was loaded in. Report stubs\nare not meetings and are not written. Join links and other secrets are never in it.\n\nExamples:\n  meeting archive dump -o jsonl > all.jsonl\n  meeting archive dump --out all.jsonl --archive ./finance.sqlite"
    )]
    Dump {
        /// Output format
        #[arg(short = 'o', long = "output", value_enum, default_value_t = DumpFormat::Jsonl)]
        output: DumpFormat,
        /// Write to FILE instead of stdout
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// The archive [default: MEETING_ARCHIVE, else the user data directory]
        #[arg(long, value_name = "PATH")]
        archive: Option<PathBuf>,
    },
    /// Delete meetings that started before DATE, with their records and raw bodies (the archive holds personal data)
    #[command(
        after_help = "Asks for confirmation on a terminal; without one (cron, CI, ssh) it needs --yes.\n\nExamples:\n  meeting archive purge --before 2023-01-01 --dry-run    what would be deleted\n  meeting archive purge --before 2023-01-01 --yes        from a script"
    )]
    Purge {
        /// First day kept (YYYY-MM-DD, in the report zone: --tz, else the vendor zone)
        #[arg(long, value_name = "DATE", value_parser = dates::parse_date)]
        before: NaiveDate,
        /// Print what would be deleted, and delete nothing
        #[arg(long)]
        dry_run: bool,
        /// Delete without asking (needed when stdin is not a terminal)
        #[arg(long, short = 'y', conflicts_with = "dry_run")]
        yes: bool,
        /// The archive [default: MEETING_ARCHIVE, else the user data directory]
        #[arg(long, value_name = "PATH")]
        archive: Option<PathBuf>,
    },
}

/// Formats of `archive dump`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum DumpFormat {
    /// One neutral JSON record per line
    Jsonl,
}

/// Stats grouping.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum GroupBy {
    /// The shared room (Systec) or booked room
    Room,
    /// The host account
    Host,
    /// The start date in --tz
    Day,
    /// The department of the room (--allocation)
    Department,
    /// The start month in --tz
    Month,
    /// The room and the start month
    #[value(name = "room,month")]
    RoomMonth,
}

/// `meeting report` formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum ReportFormat {
    /// An Excel workbook (.xlsx): Summary, Rooms, Hosts, Departments, Days, Meetings, Participants, Calls
    Xlsx,
    /// One self-contained HTML page with the summary tables and charts
    Html,
    /// A directory with one CSV file per sheet
    Csv,
}

/// `meeting report`.
#[derive(Debug, Args)]
pub(crate) struct ReportArgs {
    /// Files, directories or `-` (stdin) [default: the archive]
    #[arg(value_name = "FILE|DIR|-")]
    pub(crate) inputs: Vec<PathBuf>,
    #[command(flatten)]
    pub(crate) archive: ArchiveInput,
    /// Read the archive as it is: never sync first
    #[arg(long)]
    pub(crate) offline: bool,
    #[command(flatten)]
    pub(crate) filters: Filters,
    /// Cost allocation (TOML or CSV: room id or name -> department and cost centre, optionally from/to dates)
    #[arg(long, value_name = "FILE")]
    pub(crate) allocation: Option<PathBuf>,
    /// Output format [default: from --out's extension: .xlsx, .html; a directory for csv]
    #[arg(short = 'o', long = "output", visible_alias = "format", value_enum)]
    pub(crate) output: Option<ReportFormat>,
    /// The file (xlsx, html) or directory (csv) to write; `-` or none: stdout (html, or xlsx when stdout is not a terminal)
    #[arg(long, value_name = "PATH")]
    pub(crate) out: Option<PathBuf>,
    /// Allow a span of more than 366 days (a typo such as --from 1900-01-01 is refused otherwise)
    #[arg(long)]
    pub(crate) allow_long_span: bool,
    /// Write the run summary as JSON to FILE (`-`: stdout): command, exit code, error, span, output and counts; written on every exit
    #[arg(long, value_name = "FILE|-")]
    pub(crate) summary: Option<PathBuf>,
    /// Mask personal data on every sheet, page and file (the default: names and user ids become pseudonyms, IP addresses are omitted, phone numbers keep their country code and last 4 digits); totals are computed first
    #[arg(long)]
    pub(crate) mask_pii: bool,
    /// Show personal data as the vendors gave it (names, user ids, IP addresses, phone numbers); the report says so
    #[arg(long, conflicts_with = "mask_pii")]
    pub(crate) include_pii: bool,
    /// The pseudonym key, so the same person gets the same pseudonym in every report [default: random per run]
    #[arg(
        long,
        value_name = "KEY",
        conflicts_with = "include_pii",
        env = "MEETING_MASK_KEY",
        hide_env_values = true
    )]
    pub(crate) mask_key: Option<String>,
    /// No byte order mark at the start of the CSV files
    #[arg(long)]
    pub(crate) no_bom: bool,
    #[command(flatten)]
    pub(crate) jobs: JobsArg,
}

/// `meeting config`.
#[derive(Debug, Subcommand)]
pub(crate) enum ConfigCommand {
    /// Write (or update) a profile in the config file, mode 0600
    #[command(after_help = CONFIG_INIT_HELP)]
    Init {
        /// Replace an existing profile of the same name
        #[arg(long)]
        force: bool,
    },
    /// Check the configuration and the Systec credentials with one cheap call
    #[command(after_help = CONFIG_CHECK_HELP)]
    Check {
        #[command(flatten)]
        output: StatusOutput,
    },
    /// The profiles in the config file, the default and the active one, and where each setting comes from (secrets shown as set or unset only)
    #[command(after_help = CONFIG_LIST_HELP)]
    List {
        #[command(flatten)]
        output: StatusOutput,
    },
    /// Make NAME the default profile (used when neither --profile nor MEETING_PROFILE is given)
    #[command(
        after_help = "Like `kubectl config use-context`: stored in the config file (kept mode 0600).\n\nExample:\n  meeting config use prod"
    )]
    Use {
        /// A profile of the config file
        #[arg(value_name = "NAME")]
        name: String,
    },
}

/// `-o text|json` of the status commands (`archive info`, `archive check`, `config list`,
/// `config check`).
#[derive(Debug, Args)]
#[command(next_help_heading = "Output options")]
pub(crate) struct StatusOutput {
    /// Output format: lines for people, or one JSON object for scripts (fields below)
    #[arg(short = 'o', long = "output", value_enum, default_value_t = StatusFormat::Text)]
    pub(crate) output: StatusFormat,
}

/// Formats of the status commands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum StatusFormat {
    /// Lines for people
    Text,
    /// One JSON object (stable field names)
    Json,
}

const ARCHIVE_CHECK_HELP: &str = "\
Exit codes: 0 sound, 3 problems found (listed), 2 no archive or an older schema.

-o json prints one object: {\"archive\": PATH, \"ok\": BOOL, \"problems\": [{\"key\": KEY|null,
\"message\": TEXT}]}; a problem's message names what is wrong.

Example:
  meeting archive check -o json";

const ARCHIVE_INFO_HELP: &str = "\
-o json prints one object: path, size_bytes, schema_version, observations, stubs,
raw_responses, last_sync (RFC 3339 or null), cursors ({\"PROFILE/VENDOR\": DAY}), meetings
([{profile, vendor, month, meetings}]), runs_with_gaps.

Example:
  meeting archive info -o json";

const CONFIG_CHECK_HELP: &str = "\
Makes one `detail` call (today, page 1, page size 1) to Systec. Quanshi has no call that is
safe and cheap enough, so its token is only checked for presence.

-o json prints one object: config_file, config_found, profile, vendor_zone, report_zone,
systec and quanshi ({\"status\": \"ok\"|\"failed\"|\"not_configured\"|\"not_checked\"|\"incomplete\",
\"message\": TEXT}), ok (BOOL). The exit code is the same as without it.

Example:
  meeting config check --profile prod";

const CONFIG_LIST_HELP: &str = "\
The default profile (`meeting config use NAME`) is marked `(default)`, the one this command
runs with `(active)`. Secrets are shown as set or unset, and a password in a base URL
(https://user:PASSWORD@host/) as `***`.

-o json prints one object: config_file, config_found, default_profile (or null),
active_profile, profiles ([{name, default, active}]), settings ([{name, value (null for
secrets), set, source}]).

Examples:
  meeting config list --profile prod
  meeting config list -o json";

const CONFIG_INIT_HELP: &str = "\
Secrets are never flags. `config init` takes them from the environment (SYSTEC_API_KEY,
SYSTEC_API_SECRET, QUANSHI_TOKEN) when set; otherwise it asks for them on the terminal without
echo, or, when stdin is not a terminal, reads them as lines in that order (an empty line
skips one). Base URLs and paths come from SYSTEC_BASE_URL, QUANSHI_BASE_URL,
QUANSHI_CONFERENCE_PATH and MEETING_VENDOR_TZ when set. The file is written atomically with
mode 0600; other profiles in it are kept.

Examples:
  meeting config init --profile prod
  printf '%s\\n%s\\n%s\\n' \"$KEY\" \"$SECRET\" \"$TOKEN\" | meeting config init --config ./meeting.toml";

impl Cli {
    /// Parses the process arguments.
    pub(crate) fn parse_args() -> Self {
        use clap::{CommandFactory, FromArgMatches};
        let matches = Cli::command().get_matches();
        let mut cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
        cli.global.profile_from_env =
            profile_source(&matches) == Some(clap::parser::ValueSource::EnvVariable);
        cli
    }
}

/// Where `--profile` got its value (a global flag's value and its source are propagated to
/// the top level wherever it was typed).
fn profile_source(matches: &clap::ArgMatches) -> Option<clap::parser::ValueSource> {
    matches.value_source("profile")
}

impl From<OutputFormat> for meeting_report::Format {
    fn from(f: OutputFormat) -> Self {
        match f {
            OutputFormat::Table | OutputFormat::Wide => meeting_report::Format::Table,
            OutputFormat::Json => meeting_report::Format::Json,
            OutputFormat::Jsonl => meeting_report::Format::Jsonl,
            OutputFormat::Csv => meeting_report::Format::Csv,
        }
    }
}

impl From<Rows> for meeting_report::Rows {
    fn from(r: Rows) -> Self {
        match r {
            Rows::Meetings => meeting_report::Rows::Meetings,
            Rows::Participants => meeting_report::Rows::Participants,
            Rows::Calls => meeting_report::Rows::Calls,
        }
    }
}

impl From<GroupBy> for meeting_core::aggregate::GroupBy {
    fn from(g: GroupBy) -> Self {
        match g {
            GroupBy::Room => meeting_core::aggregate::GroupBy::Room,
            GroupBy::Host => meeting_core::aggregate::GroupBy::Host,
            GroupBy::Day => meeting_core::aggregate::GroupBy::Day,
            GroupBy::Department => meeting_core::aggregate::GroupBy::Department,
            GroupBy::Month => meeting_core::aggregate::GroupBy::Month,
            GroupBy::RoomMonth => meeting_core::aggregate::GroupBy::RoomMonth,
        }
    }
}

//! `meeting`: pull, replay and summarise meeting usage from Systec UMeeting shared rooms and
//! Quanshi (全时), for IT and finance operators.
//!
//! Run `meeting --help` for the surface; `meeting demo` runs the whole job against the
//! built-in simulator (feature `demo`, on by default).
//!
//! # Decisions
//!
//! - **Output order.** Live commands merge what they fetched by key (`meeting_core::merge`:
//!   one record per occurrence, duplicates from page drift collapsed) and sort the result by
//!   start time (records without a start last), then key. `meeting parse` does the same when
//!   it merges, so a replay of a `--save-raw` directory is byte-identical to the live run.
//! - **Merging in `parse`.** Explicit with `--merge`; automatic when any input is a
//!   directory (a `--save-raw` run); `--no-merge` turns it off. Files are otherwise read
//!   record by record, in input order.
//! - **`--save-raw DIR`** must be new or empty: one run per directory, files named
//!   `000001-systec.his_meeting.json` in the order the client accepted the responses.
//! - **`--raw`** prints each accepted body, in fetch order: verbatim for `-o json` (one
//!   document per response), one compact line per response for `-o jsonl`; with
//!   `--mask-pii` the bodies are re-serialised with personal data masked.
//! - **Exit codes**: see `meeting --help`. `parse` with bad documents exits 6 when it wrote
//!   some meetings, 3 when it wrote none. A configuration problem (missing credentials,
//!   a config file readable by others) is a usage error, 2.
//! - **Defaults**: `-o table` on a terminal, `jsonl` when piped; with `--out FILE` the
//!   extension decides (`.csv`, `.json`, `.jsonl`/`.ndjson`, `.txt` for a table; else jsonl).
#![forbid(unsafe_code)]

mod cli;
mod config;
#[cfg(feature = "demo")]
mod demo;
mod error;
mod fetch;
mod mask;
mod output;
mod parse;
mod stats;

use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;

use chrono::NaiveDate;
use chrono_tz::Tz;
use clap::CommandFactory;
use meeting_core::{Context, DumpOptions, Meeting};

use crate::cli::{
    Cli, ColorChoice, Command, ConfigCommand, Filters, Global, OutputFormat, QuanshiCommand,
    SystecCommand,
};
use crate::config::Settings;
use crate::error::{CliError, Exit, Result};
use crate::fetch::{Capture, Fetched, Tuning};
use crate::output::Render;

fn main() -> ExitCode {
    let cli = Cli::parse_args();
    let err_color = color_enabled(cli.global.color, io::stderr().is_terminal());
    init_logging(cli.global.verbose, err_color);
    match run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let mut stderr = io::stderr().lock();
            let prefix = if err_color {
                "\u{1b}[1;31merror:\u{1b}[0m"
            } else {
                "error:"
            };
            let _ = writeln!(stderr, "{prefix} {}", e.message);
            ExitCode::from(e.exit.code())
        }
    }
}

/// Whether to colour a stream: `--color`, `NO_COLOR`, and whether it is a terminal.
fn color_enabled(choice: ColorChoice, is_terminal: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    }
}

/// `-v` info, `-vv` debug, `-vvv` trace for this project's crates; `RUST_LOG` overrides.
fn init_logging(verbose: u8, ansi: bool) {
    let rust_log = std::env::var("RUST_LOG").ok().filter(|v| !v.is_empty());
    let filter = match (rust_log, verbose) {
        (Some(spec), _) => tracing_subscriber::EnvFilter::new(spec),
        (None, 0) => return,
        (None, v) => {
            let level = match v {
                1 => "info",
                2 => "debug",
                _ => "trace",
            };
            tracing_subscriber::EnvFilter::new(format!(
                "warn,meeting={level},meeting_http={level},meeting_core={level},meeting_sim={level}"
            ))
        }
    };
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(io::stderr)
        .with_ansi(ansi)
        .try_init();
}

fn run(cli: &Cli) -> Result<()> {
    let g = &cli.global;
    match &cli.command {
        Command::Schema => {
            reject_live_flags(g, "schema")?;
            let mut out = open_output(g)?;
            out.write_all(meeting_core::json_schema::meeting_schema_text().as_bytes())
                .and_then(|()| out.flush())
                .or_else(ignore_broken_pipe)
                .map_err(|e| CliError::io("the schema", &e))
        }
        Command::Completions { shell } => {
            let mut out = open_output(g)?;
            clap_complete::generate(*shell, &mut Cli::command(), "meeting", &mut out);
            out.flush()
                .or_else(ignore_broken_pipe)
                .map_err(|e| CliError::io("the completions", &e))
        }
        Command::Config(ConfigCommand::Init { force }) => {
            let path = config::config_path(g.config.as_deref())?;
            let profile = g.profile.as_deref().unwrap_or("default");
            config::init(
                &path,
                profile,
                g.vendor_tz.as_deref(),
                *force,
                &mut io::stderr(),
            )
        }
        command => {
            let settings = config::resolve(g.config.as_deref(), g.profile.as_deref())?;
            let app = App::new(g, settings)?;
            app.dispatch(command)
        }
    }
}

fn reject_live_flags(g: &Global, command: &str) -> Result<()> {
    if g.raw || g.save_raw.is_some() {
        return Err(CliError::usage(format!(
            "--raw and --save-raw apply to commands that call a vendor, not to `{command}`"
        )));
    }
    Ok(())
}

fn ignore_broken_pipe(e: io::Error) -> io::Result<()> {
    if e.kind() == io::ErrorKind::BrokenPipe {
        Ok(())
    } else {
        Err(e)
    }
}

/// Where output goes: `--out FILE` or stdout (locked, buffered).
fn open_output(g: &Global) -> Result<Box<dyn Write>> {
    match &g.out {
        Some(path) => {
            let file = std::fs::File::create(path).map_err(|e| {
                CliError::usage(format!(
                    "cannot create the output file {}: {e}",
                    path.display()
                ))
            })?;
            Ok(Box::new(io::BufWriter::new(file)))
        }
        None => Ok(Box::new(io::BufWriter::new(io::stdout().lock()))),
    }
}

/// A parsed zone name, or a usage error naming the flag.
fn parse_zone(name: &str, what: &str) -> Result<Tz> {
    name.trim().parse::<Tz>().map_err(|_| {
        CliError::usage(format!(
            "unknown time zone `{name}` for {what}: expected an IANA name like Asia/Shanghai, UTC or America/New_York"
        ))
    })
}

/// Something written after the meetings, on the same writer (the demo's summary).
pub(crate) type AfterOutput<'f> = dyn Fn(&mut dyn Write) -> io::Result<()> + 'f;

/// Everything a command needs once flags, environment and profile are resolved.
pub(crate) struct App<'a> {
    pub(crate) g: &'a Global,
    pub(crate) settings: Settings,
    pub(crate) ctx: Context,
    pub(crate) vendor_tz: Tz,
    pub(crate) tz: Tz,
}

impl<'a> App<'a> {
    fn new(g: &'a Global, settings: Settings) -> Result<Self> {
        let vendor_tz = match g
            .vendor_tz
            .as_deref()
            .or(settings.profile.vendor_tz.as_deref())
        {
            Some(name) => parse_zone(name, "--vendor-tz")?,
            None => meeting_core::DEFAULT_VENDOR_ZONE,
        };
        let tz = match g.tz.as_deref().or(settings.profile.tz.as_deref()) {
            Some(name) => parse_zone(name, "--tz")?,
            None => system_zone(g.quiet),
        };
        Ok(App {
            g,
            settings,
            ctx: Context::new(vendor_tz),
            vendor_tz,
            tz,
        })
    }

    /// A note for the operator on stderr (not with `-q`).
    pub(crate) fn note(&self, text: &str) {
        if !self.g.quiet {
            let _ = writeln!(io::stderr().lock(), "{text}");
        }
    }

    /// The output format: `-o`, else from `--out`'s extension, else table on a terminal and
    /// jsonl when piped.
    pub(crate) fn format(&self) -> OutputFormat {
        if let Some(f) = self.g.output {
            return f;
        }
        match &self.g.out {
            Some(path) => match path
                .extension()
                .map(|e| e.to_string_lossy().to_ascii_lowercase())
                .as_deref()
            {
                Some("csv") => OutputFormat::Csv,
                Some("json") => OutputFormat::Json,
                Some("txt") => OutputFormat::Table,
                _ => OutputFormat::Jsonl,
            },
            None if io::stdout().is_terminal() => OutputFormat::Table,
            None => OutputFormat::Jsonl,
        }
    }

    pub(crate) fn render(&self) -> Render {
        let table_color =
            self.g.out.is_none() && color_enabled(self.g.color, io::stdout().is_terminal());
        Render {
            format: self.format(),
            rows: self.g.rows,
            tz: self.tz,
            csv_bom: self.g.csv_bom,
            color: table_color,
        }
    }

    /// A spinner on stderr, only on a terminal and without `-q`/`--no-progress`.
    pub(crate) fn progress(&self) -> indicatif::ProgressBar {
        if self.g.quiet || self.g.no_progress || !io::stderr().is_terminal() {
            return indicatif::ProgressBar::hidden();
        }
        let pb = indicatif::ProgressBar::new_spinner();
        pb.set_draw_target(indicatif::ProgressDrawTarget::stderr());
        pb.set_style(
            indicatif::ProgressStyle::with_template("{spinner} {prefix}: {msg} [{elapsed}]")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
        );
        pb.enable_steady_tick(std::time::Duration::from_millis(120));
        pb
    }

    pub(crate) fn runtime() -> Result<tokio::runtime::Runtime> {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(|e| {
                CliError::new(
                    Exit::Unavailable,
                    format!("cannot start the async runtime: {e}"),
                )
            })
    }

    fn capture(&self, progress: &indicatif::ProgressBar) -> Result<Capture> {
        if self.g.raw {
            match self.g.output {
                None | Some(OutputFormat::Json | OutputFormat::Jsonl) => {}
                Some(_) => {
                    return Err(CliError::usage(
                        "--raw prints vendor JSON bodies: use it with -o json or -o jsonl",
                    ));
                }
            }
        }
        Capture::new(self.g.save_raw.as_deref(), self.g.raw, progress.clone())
    }

    fn dispatch(&self, command: &Command) -> Result<()> {
        match command {
            Command::Systec(c) => self.systec(c),
            Command::Quanshi(c) => self.quanshi(c),
            Command::Parse(args) => {
                reject_live_flags(self.g, "parse")?;
                let (inputs, saw_dir) = parse::expand(&args.inputs)?;
                let merge = !args.no_merge && (args.merge || saw_dir);
                let jobs = self.g.jobs.unwrap_or_else(parse::default_jobs);
                if !merge
                    && let Some((bad, written)) =
                        self.stream_inputs(&inputs, args.endpoint, &args.filters, jobs)?
                {
                    return self.bad_input_exit(bad, written);
                }
                let (meetings, bad) =
                    self.read_inputs(&inputs, merge, args.endpoint, &args.filters)?;
                let written = meetings.len();
                self.emit(meetings, None)?;
                self.bad_input_exit(bad, written)
            }
            Command::Stats(args) => {
                reject_live_flags(self.g, "stats")?;
                let (inputs, _) = parse::expand(&args.inputs)?;
                let (meetings, bad) =
                    self.read_inputs(&inputs, true, args.endpoint, &args.filters)?;
                let written = meetings.len();
                self.write_stats(&meetings, args.by)?;
                self.bad_input_exit(bad, written)
            }
            Command::Config(ConfigCommand::Check) => self.config_check(),
            Command::Demo => {
                #[cfg(feature = "demo")]
                {
                    demo::run(self)
                }
                #[cfg(not(feature = "demo"))]
                {
                    Err(CliError::usage(
                        "this `meeting` was built without the simulator. Build it with the default feature `demo`: `cargo install meeting-cli` (without --no-default-features), or run `cargo run --release -p meeting-cli -- demo` from the repository",
                    ))
                }
            }
            Command::Schema
            | Command::Completions { .. }
            | Command::Config(ConfigCommand::Init { .. }) => Ok(()),
        }
    }

    fn systec(&self, c: &SystecCommand) -> Result<()> {
        let progress = self.progress();
        let capture = self.capture(&progress)?;
        let client = fetch::systec_client(
            &self.settings,
            Tuning::from_settings(&self.settings),
            &capture,
        )?;
        let rt = Self::runtime()?;
        let (fetched, room) = match c {
            SystecCommand::Fetch { range, room } => {
                check_range(range.from, range.to)?;
                let f = rt.block_on(fetch::systec_fetch(
                    &client,
                    &self.ctx,
                    range.from,
                    range.to,
                    room.as_deref(),
                    &progress,
                ));
                (f, room.clone())
            }
            SystecCommand::Detail {
                from,
                to,
                room,
                participants,
                telephony,
            } => {
                let mut q = systec_model::detail::DetailQuery::new()
                    .show_participants(*participants)
                    .show_telephony_usage(*telephony);
                if let Some(f) = from {
                    q = q.from(*f);
                }
                if let Some(t) = to {
                    q = q.to(*t);
                }
                if let (Some(f), Some(t)) = (from, to) {
                    check_range(*f, *t)?;
                }
                if let Some(r) = room {
                    q = q.host_id(r.clone());
                }
                (
                    rt.block_on(fetch::systec_detail(&client, &self.ctx, q)),
                    None,
                )
            }
            SystecCommand::History { range } => {
                check_range(range.from, range.to)?;
                (
                    rt.block_on(fetch::systec_history(
                        &client, &self.ctx, range.from, range.to,
                    )),
                    None,
                )
            }
            SystecCommand::Reports { uuids } => (
                rt.block_on(fetch::systec_reports(&client, &self.ctx, uuids)),
                None,
            ),
        };
        progress.finish_and_clear();
        self.finish_live(fetched, &capture, room.as_deref())
    }

    fn quanshi(&self, c: &QuanshiCommand) -> Result<()> {
        let progress = self.progress();
        let capture = self.capture(&progress)?;
        let client = fetch::quanshi_client(
            &self.settings,
            Tuning::from_settings(&self.settings),
            &capture,
        )?;
        let rt = Self::runtime()?;
        let fetched = match c {
            QuanshiCommand::Conference { link } => {
                rt.block_on(fetch::quanshi_conference(&client, &self.ctx, link))
            }
            QuanshiCommand::Info { temp_id } => {
                rt.block_on(fetch::quanshi_info(&client, &self.ctx, temp_id))
            }
        };
        progress.finish_and_clear();
        self.finish_live(fetched, &capture, None)
    }

    /// Merges, filters, writes; then reports failed calls (exit 4/5 when nothing came back,
    /// 6 when some output was written).
    pub(crate) fn finish_live(
        &self,
        fetched: Fetched,
        capture: &Capture,
        room: Option<&str>,
    ) -> Result<()> {
        let Fetched { meetings, errors } = fetched;
        if let Some(auth) = errors.iter().find(|e| e.is_authentication()) {
            return Err(CliError::http(auth));
        }
        if meetings.is_empty()
            && let Some(first) = errors.first()
        {
            capture.check_saved()?;
            return Err(CliError::http(first));
        }
        let meetings = merge_sorted(meetings)
            .into_iter()
            .filter(|m| room.is_none_or(|r| room_matches(m, r)))
            .collect();
        if self.g.raw {
            self.emit_raw(&capture.take_raw())?;
        } else {
            self.emit(meetings, None)?;
        }
        capture.check_saved()?;
        if errors.is_empty() {
            return Ok(());
        }
        let details: Vec<String> = errors.iter().map(|e| format!("  - {e}")).collect();
        Err(CliError::new(
            Exit::Partial,
            format!(
                "{} call(s) failed, so the output above is incomplete:\n{}\nRerun the failed range later (-v shows each attempt).",
                errors.len(),
                details.join("\n")
            ),
        ))
    }

    /// Writes meetings in the chosen format (masked with `--mask-pii`); `extra` runs after
    /// on the same writer.
    pub(crate) fn emit(
        &self,
        mut meetings: Vec<Meeting>,
        extra: Option<&AfterOutput<'_>>,
    ) -> Result<()> {
        if self.g.mask_pii {
            meetings.iter_mut().for_each(mask::mask_meeting);
        }
        let render = self.render();
        let mut out = open_output(self.g)?;
        output::write_meetings(&mut out, &meetings, &render)
            .and_then(|()| match extra {
                Some(f) => f(&mut out),
                None => Ok(()),
            })
            .and_then(|()| out.flush())
            .or_else(ignore_broken_pipe)
            .map_err(|e| CliError::io("the output", &e))
    }

    fn emit_raw(&self, bodies: &[fetch::RawBody]) -> Result<()> {
        let format = match self.g.output {
            Some(OutputFormat::Jsonl) => OutputFormat::Jsonl,
            Some(OutputFormat::Json) => OutputFormat::Json,
            _ if self.format() == OutputFormat::Jsonl => OutputFormat::Jsonl,
            _ => OutputFormat::Json,
        };
        let mut out = open_output(self.g)?;
        let result = (|| -> io::Result<()> {
            for raw in bodies {
                let body = strip_bom(&raw.body);
                let trimmed = body.trim_ascii();
                let verbatim_ok =
                    !self.g.mask_pii && (format == OutputFormat::Json || !trimmed.contains(&b'\n'));
                if verbatim_ok && serde_json::from_slice::<serde::de::IgnoredAny>(trimmed).is_ok() {
                    out.write_all(trimmed)?;
                    writeln!(out)?;
                    continue;
                }
                let mut value = serde_json::from_slice::<serde_json::Value>(trimmed)
                    .unwrap_or_else(|_| {
                        serde_json::Value::String(String::from_utf8_lossy(trimmed).into_owned())
                    });
                if self.g.mask_pii {
                    mask::mask_value(None, &mut value);
                }
                if format == OutputFormat::Json {
                    serde_json::to_writer_pretty(&mut out, &value).map_err(io::Error::other)?;
                } else {
                    serde_json::to_writer(&mut out, &value).map_err(io::Error::other)?;
                }
                writeln!(out)?;
            }
            out.flush()
        })();
        result
            .or_else(ignore_broken_pipe)
            .map_err(|e| CliError::io("the output", &e))
    }

    /// Without merging, JSON Lines and CSV are written as the documents are read, so memory
    /// stays bounded by one document however large the dump. Returns the bad documents and
    /// the meetings written, or `None` when the format needs every meeting first.
    fn stream_inputs(
        &self,
        inputs: &[parse::Input],
        endpoint: Option<meeting_core::Source>,
        filters: &Filters,
        jobs: usize,
    ) -> Result<Option<(u64, usize)>> {
        if let (Some(f), Some(t)) = (filters.from, filters.to) {
            check_range(f, t)?;
        }
        let render = self.render();
        let mut out = open_output(self.g)?;
        let mut options = DumpOptions::new().context(self.ctx);
        if let Some(endpoint) = endpoint {
            options = options.endpoint(endpoint);
        }
        let zone = self.vendor_tz;
        let (mut documents, mut bad, mut read, mut written) = (0u64, 0u64, 0u64, 0usize);
        let mask_pii = self.g.mask_pii;
        if jobs > 1 && inputs.len() > 1 {
            if !matches!(render.format, OutputFormat::Jsonl | OutputFormat::Csv) {
                return Ok(None);
            }
            // Several files at once: each worker renders a whole file into memory (parsing
            // and formatting both in parallel); the files are written in input order as
            // they complete.
            let result = (|| -> io::Result<()> {
                if let Some(header) = output::StreamWriter::new(&mut out, &render)? {
                    header.finish()?;
                }
                let next = std::sync::atomic::AtomicUsize::new(0);
                let (senders, receivers): (Vec<_>, Vec<_>) = inputs
                    .iter()
                    .map(|_| std::sync::mpsc::sync_channel::<parse::Rendered>(1))
                    .unzip();
                std::thread::scope(|scope| -> io::Result<()> {
                    for _ in 0..jobs.min(inputs.len()) {
                        let (next, senders, options) = (&next, &senders, &options);
                        scope.spawn(move || {
                            loop {
                                let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                                let (Some(input), Some(tx)) = (inputs.get(i), senders.get(i))
                                else {
                                    break;
                                };
                                let r = parse::render(
                                    input,
                                    options,
                                    &render,
                                    |m| {
                                        filters.room.as_deref().is_none_or(|r| room_matches(m, r))
                                            && in_range(m, filters.from, filters.to, zone)
                                    },
                                    mask_pii,
                                );
                                let _ = tx.send(r);
                            }
                        });
                    }
                    for rx in &receivers {
                        let Ok(r) = rx.recv() else { continue };
                        {
                            let mut stderr = io::stderr().lock();
                            for e in &r.errors {
                                let _ = writeln!(stderr, "bad document: {e}");
                            }
                        }
                        out.write_all(&r.bytes)?;
                        documents += r.documents;
                        bad += r.bad;
                        read += r.read;
                        written += r.written;
                    }
                    Ok(())
                })
            })();
            result
                .or_else(ignore_broken_pipe)
                .map_err(|e| CliError::io("the output", &e))?;
            let _ = out.flush();
            self.report_counts(documents, read, bad);
            return Ok(Some((bad, written)));
        }
        let result = (|| -> io::Result<bool> {
            let Some(mut stream) = output::StreamWriter::new(&mut out, &render)? else {
                return Ok(false);
            };
            for input in inputs {
                let reader = match parse::open(input) {
                    Ok(r) => r,
                    Err(e) => {
                        let _ = writeln!(io::stderr().lock(), "bad document: {e}");
                        documents += 1;
                        bad += 1;
                        continue;
                    }
                };
                let name = input.name();
                let mut dump = meeting_core::read_dump(reader, options.clone());
                for item in dump.by_ref() {
                    match item {
                        Ok(mut m) => {
                            read += 1;
                            if filters
                                .room
                                .as_deref()
                                .is_some_and(|r| !room_matches(&m, r))
                                || !in_range(&m, filters.from, filters.to, zone)
                            {
                                continue;
                            }
                            if self.g.mask_pii {
                                mask::mask_meeting(&mut m);
                            }
                            stream.write(&m)?;
                            written += 1;
                        }
                        Err(e) => {
                            let _ = writeln!(io::stderr().lock(), "bad document: {name}: {e}");
                        }
                    }
                }
                let stats = dump.stats();
                documents += stats.documents;
                bad += stats.bad_documents;
            }
            stream.finish()?;
            Ok(true)
        })();
        let streamed = match result.or_else(|e| ignore_broken_pipe(e).map(|()| true)) {
            Ok(streamed) => streamed,
            Err(e) => return Err(CliError::io("the output", &e)),
        };
        if !streamed {
            return Ok(None);
        }
        let _ = out.flush();
        self.report_counts(documents, read, bad);
        Ok(Some((bad, written)))
    }

    /// `parsed N documents, M meetings, K bad` on stderr (a note unless something was bad).
    fn report_counts(&self, documents: u64, read: u64, bad: u64) {
        let summary = format!("parsed {documents} documents, {read} meetings, {bad} bad");
        if bad > 0 {
            let _ = writeln!(io::stderr().lock(), "{summary}");
        } else {
            self.note(&summary);
        }
    }

    /// Reads inputs, reports each bad document, prints the counts; merges and filters.
    fn read_inputs(
        &self,
        inputs: &[parse::Input],
        merge: bool,
        endpoint: Option<meeting_core::Source>,
        filters: &Filters,
    ) -> Result<(Vec<Meeting>, u64)> {
        if let (Some(f), Some(t)) = (filters.from, filters.to) {
            check_range(f, t)?;
        }
        let mut options = DumpOptions::new().context(self.ctx);
        if let Some(endpoint) = endpoint {
            options = options.endpoint(endpoint);
        }
        let jobs = self.g.jobs.unwrap_or_else(parse::default_jobs);
        let results = parse::read_all(inputs, &options, jobs);
        let (mut documents, mut bad, mut read) = (0u64, 0u64, 0u64);
        let mut meetings = Vec::new();
        {
            let mut stderr = io::stderr().lock();
            for r in results {
                documents += r.documents;
                bad += r.bad;
                read += r.meetings.len() as u64;
                for e in &r.errors {
                    let _ = writeln!(stderr, "bad document: {e}");
                }
                meetings.extend(r.meetings);
            }
        }
        let summary = format!("parsed {documents} documents, {read} meetings, {bad} bad");
        if bad > 0 {
            let _ = writeln!(io::stderr().lock(), "{summary}");
        } else {
            self.note(&summary);
        }
        let meetings = if merge {
            merge_sorted(meetings)
        } else {
            meetings
        };
        let zone = self.vendor_tz;
        let meetings = meetings
            .into_iter()
            .filter(|m| filters.room.as_deref().is_none_or(|r| room_matches(m, r)))
            .filter(|m| in_range(m, filters.from, filters.to, zone))
            .collect();
        Ok((meetings, bad))
    }

    fn bad_input_exit(&self, bad: u64, written: usize) -> Result<()> {
        if bad == 0 {
            return Ok(());
        }
        if written > 0 {
            Err(CliError::new(
                Exit::Partial,
                format!(
                    "{bad} bad document(s) skipped (listed above); the {written} good meeting(s) were written"
                ),
            ))
        } else {
            Err(CliError::data(format!(
                "{bad} bad document(s) (listed above) and no meeting to write: check that the input is a saved Systec or Quanshi response, a --save-raw record or neutral JSON Lines"
            )))
        }
    }

    pub(crate) fn write_stats(&self, meetings: &[Meeting], by: cli::GroupBy) -> Result<()> {
        let mut meetings = meetings.to_vec();
        if self.g.mask_pii {
            meetings.iter_mut().for_each(mask::mask_meeting);
        }
        let (list, total) = stats::compute(&meetings, by, self.tz);
        let render = self.render();
        let mut out = open_output(self.g)?;
        write_stats_to(&mut out, &render, by, self.tz, &list, &total)
            .and_then(|()| out.flush())
            .or_else(ignore_broken_pipe)
            .map_err(|e| CliError::io("the output", &e))
    }

    fn config_check(&self) -> Result<()> {
        let s = &self.settings;
        let mut out = open_output(self.g)?;
        let mut lines = vec![format!(
            "config file: {} (profile `{}`){}",
            s.path.display(),
            s.profile_name,
            if s.path.exists() {
                ""
            } else {
                ", not found: using the environment only"
            }
        )];
        lines.push(format!(
            "vendor zone: {}   display zone: {}",
            self.vendor_tz.name(),
            self.tz.name()
        ));
        let mut failure = None;
        if s.systec_api_key.is_some() || s.systec_api_secret.is_some() {
            let capture = Capture::new(None, false, indicatif::ProgressBar::hidden())?;
            let client = fetch::systec_client(s, Tuning::from_settings(s), &capture)?;
            let rt = Self::runtime()?;
            let query = systec_model::detail::DetailQuery::new()
                .page_size(1)
                .page_number(1);
            match rt.block_on(client.detail_page(&query)) {
                Ok(_) => lines.push(String::from(
                    "systec: OK (credentials accepted; one detail call, page size 1)",
                )),
                Err(e) => {
                    lines.push(format!("systec: FAILED: {e}"));
                    failure = Some(CliError::http(&e));
                }
            }
        } else {
            lines.push(String::from(
                "systec: not configured (SYSTEC_API_KEY, SYSTEC_API_SECRET)",
            ));
        }
        match (&s.quanshi_token, &s.quanshi_base_url) {
            (Some(_), Some(url)) => lines.push(format!(
                "quanshi: token set, base URL {url}{}; not checked (Quanshi has no cheap read-only call)",
                if s.quanshi_conference_path.is_some() { ", join-link path set" } else { ", join-link path not set (QUANSHI_CONFERENCE_PATH)" }
            )),
            (Some(_), None) => lines.push(String::from("quanshi: token set but no base URL (QUANSHI_BASE_URL)")),
            (None, _) => lines.push(String::from("quanshi: not configured (QUANSHI_TOKEN, QUANSHI_BASE_URL)")),
        }
        for l in &lines {
            writeln!(out, "{l}").map_err(|e| CliError::io("the output", &e))?;
        }
        out.flush().map_err(|e| CliError::io("the output", &e))?;
        match failure {
            Some(f) => Err(f),
            None => Ok(()),
        }
    }
}

/// Writes a stats result in the chosen format.
pub(crate) fn write_stats_to(
    out: &mut dyn Write,
    render: &Render,
    by: cli::GroupBy,
    tz: Tz,
    list: &[stats::Totals],
    total: &stats::Totals,
) -> io::Result<()> {
    match render.format {
        OutputFormat::Table => {
            output::write_grid(out, &stats::grid(by, tz, list, Some(total)), render)
        }
        OutputFormat::Csv => output::write_grid(out, &stats::grid(by, tz, list, None), render),
        OutputFormat::Json => {
            let by_name = match by {
                cli::GroupBy::Room => "room",
                cli::GroupBy::Host => "host",
                cli::GroupBy::Day => "day",
            };
            let doc = serde_json::json!({
                "by": by_name,
                "tz": tz.name(),
                "groups": list,
                "total": total,
            });
            serde_json::to_writer_pretty(&mut *out, &doc).map_err(io::Error::other)?;
            writeln!(out)
        }
        OutputFormat::Jsonl => {
            for t in list {
                serde_json::to_writer(&mut *out, t).map_err(io::Error::other)?;
                writeln!(out)?;
            }
            Ok(())
        }
    }
}

fn strip_bom(b: &[u8]) -> &[u8] {
    b.strip_prefix("\u{feff}".as_bytes()).unwrap_or(b)
}

/// `--from` after `--to` is a usage error.
fn check_range(from: NaiveDate, to: NaiveDate) -> Result<()> {
    if from > to {
        return Err(CliError::usage(format!(
            "--from {from} is after --to {to}: the range is inclusive, from the first day to the last"
        )));
    }
    Ok(())
}

/// Merged (one record per key) and sorted by start (absent last), then key.
pub(crate) fn merge_sorted(meetings: Vec<Meeting>) -> Vec<Meeting> {
    let mut merged = meeting_core::merge::merge(meetings);
    merged.sort_by(|a, b| {
        let ta = a.start.or(a.scheduled_start);
        let tb = b.start.or(b.scheduled_start);
        match (ta, tb) {
            (Some(x), Some(y)) => x.cmp(&y),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        }
    });
    merged
}

/// Whether `m` is in the room named by id, name or e-mail (Systec) or books it (Quanshi).
pub(crate) fn room_matches(m: &Meeting, room: &str) -> bool {
    let eq = |v: &Option<String>| v.as_deref().is_some_and(|v| v == room);
    m.room
        .as_ref()
        .is_some_and(|r| eq(&r.id) || eq(&r.name) || eq(&r.email))
        || m.rooms.iter().any(|r| eq(&r.id) || eq(&r.name))
}

/// Whether the meeting's start date (vendor zone) is within the range.
fn in_range(m: &Meeting, from: Option<NaiveDate>, to: Option<NaiveDate>, zone: Tz) -> bool {
    if from.is_none() && to.is_none() {
        return true;
    }
    let Some(start) = m.start.or(m.scheduled_start) else {
        return false;
    };
    let day = start.with_timezone(&zone).date_naive();
    from.is_none_or(|f| day >= f) && to.is_none_or(|t| day <= t)
}

/// The system zone, or UTC with a note.
fn system_zone(quiet: bool) -> Tz {
    match iana_time_zone::get_timezone()
        .ok()
        .and_then(|n| n.parse::<Tz>().ok())
    {
        Some(tz) => tz,
        None => {
            if !quiet {
                let _ = writeln!(
                    io::stderr().lock(),
                    "note: cannot tell the system time zone; showing times in UTC (use --tz ZONE)"
                );
            }
            Tz::UTC
        }
    }
}

//! `meeting`: pull, replay and summarise meeting usage from Systec UMeeting shared rooms and
//! Quanshi (全时), for IT and finance operators.
//!
//! The binary is argument handling over libraries: every job (input resolution, the offline
//! read → merge → filter, archive import, fetch, sync, lookups, the days operators type)
//! lives in `meeting-sync`, reading and the queries (filters, merge, aggregates) in
//! `meeting-core`, every output format in `meeting-report`. Each command calls one job and
//! one renderer. One small module per command family:
//!
//! | module | commands |
//! |---|---|
//! | `live` | `systec fetch/detail/history/reports`, `quanshi conference/info` (and `--ids`) |
//! | `offline` | `parse`, `stats`, `list`, and the files or `--archive` input they share |
//! | `report` | `report` (the finance report: xlsx, html, csv) |
//! | `archive` | `archive import/check/info/backup/purge/migrate/dump` |
//! | `sync` | `sync` |
//! | `export` | `export` (Parquet with the default feature `parquet`, JSON Lines, CSV) |
//! | `check` | `config check`, `config list` (`config init` and `config use` are in `config`) |
//! | `summary` | the `--summary` of `sync`, `report`, `export` |
//! | `demo` | `demo` (feature `demo`) |
//!
//! Shared, and importing no command module (the modules import without a circle; the
//! integration test `structure` checks it): `cli` (arguments), `app` (zones, output
//! format and writer), `output` (writing meetings), `notes` (what a job's result says on
//! stderr, and its exit code), `runner` (what vendor commands share: spinner, capture,
//! runtime, the last step), `config` (the prompts of `config init`), `error`.
//!
//! # Decisions
//!
//! - **Output order.** Live commands merge what they fetched by key (one record per
//!   occurrence, duplicates from page drift collapsed) and sort the result by start time
//!   (records without a start last), then key (`meeting_core::query::merge_sorted`). `parse`
//!   does the same when it merges, so a replay of a `--save-raw` directory is byte-identical
//!   to the live run.
//! - **Merging in `parse`.** Explicit with `--merge`; automatic when any input is a
//!   directory (a `--save-raw` run); `--no-merge` turns it off. Files are otherwise read
//!   record by record, in input order.
//! - **`--save-raw DIR`** must be new or empty: one run per directory, files named
//!   `000001-systec.his_meeting.json` in the order the client accepted the responses.
//! - **`--raw`** prints each accepted body, in fetch order: verbatim for `-o json` (one
//!   document per response), one compact line per response for `-o jsonl`; with
//!   `--mask-pii` the bodies are re-serialised with personal data masked.
//! - **Flags.** Global (shown under "Global options"): `-v/-q`, `--color`, `--profile`,
//!   `--tz`, `--vendor-tz`, `--config`. Output flags (`-o`, `--out`, `--rows`, `--mask-pii`,
//!   `--csv-bom`, `--raw`, `--save-raw`, `--jobs`, ...) only on the commands that use them.
//! - **Exit codes**: one table, in `meeting --help` and the README (`error::exit_code`). A
//!   vendor's own failure answer is 7 when it says "not found", else 9 (refused); 5 is kept
//!   for transport failures after retries.
//! - **`--summary FILE|-`** (`sync`, `report`, `export`): written by `main` on every exit
//!   after the arguments parse (`summary`). `parse`
//!   with bad documents exits 6 when it wrote some meetings, 3 when it wrote none. A
//!   configuration problem (missing credentials, a config file readable by others, a missing
//!   input file) is a usage error, 2. A closed pipe is not an error.
//! - **Defaults**: `-o table` on a terminal, `jsonl` when piped; with `--out FILE` the
//!   extension decides (`.csv`, `.json`, `.jsonl`/`.ndjson`, `.txt` for a table; else jsonl).
#![forbid(unsafe_code)]

mod app;
mod archive;
mod check;
mod cli;
mod config;
#[cfg(feature = "demo")]
mod demo;
mod error;
mod export;
mod live;
mod notes;
mod offline;
mod output;
mod report;
mod runner;
mod summary;
mod sync;

use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;

use clap::CommandFactory;

use crate::app::{App, color_enabled};
use crate::cli::{Cli, Command, ConfigCommand};
use crate::error::{CliError, Result};

fn main() -> ExitCode {
    let cli = Cli::parse_args();
    let err_color = color_enabled(cli.global.color, io::stderr().is_terminal());
    init_logging(cli.global.verbose, err_color);
    let result = run_with_summary(&cli);
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let mut stderr = io::stderr().lock();
            let prefix = if err_color {
                "\u{1b}[1;31merror:\u{1b}[0m"
            } else {
                "error:"
            };
            let _ = writeln!(stderr, "{prefix} {}", app::escape(&e.message));
            ExitCode::from(error::exit_code(e.exit))
        }
    }
}

/// `-v` info, `-vv` debug, `-vvv` trace for this project's crates; `RUST_LOG` overrides.
fn init_logging(verbose: u8, ansi: bool) {
    let rust_log = std::env::var("RUST_LOG").ok().filter(|v| !v.is_empty());
    let filter = match (rust_log, verbose) {
        (Some(spec), _) => tracing_subscriber::EnvFilter::new(spec),
        (None, 0) => return,
        // -v: the steps and a summary; -vv: each call too; -vvv: bodies' sizes and timings.
        (None, 1) => tracing_subscriber::EnvFilter::new(
            "warn,meeting=info,meeting_sync=info,meeting_core=info,meeting_http=warn",
        ),
        (None, 2) => tracing_subscriber::EnvFilter::new(
            "warn,meeting=debug,meeting_sync=debug,meeting_core=debug,meeting_http=debug",
        ),
        (None, _) => tracing_subscriber::EnvFilter::new(
            "warn,meeting=trace,meeting_sync=trace,meeting_core=trace,meeting_http=trace,meeting_sim=debug",
        ),
    };
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(io::stderr)
        .with_ansi(ansi)
        .try_init();
}

/// The command's `--summary FILE|-`, and the command's name in it.
fn summary_of(command: &Command) -> Option<(&std::path::Path, &'static str)> {
    match command {
        Command::Sync(a) => a.summary.as_deref().map(|p| (p, "sync")),
        Command::Report(a) => a.summary.as_deref().map(|p| (p, "report")),
        Command::Export(a) => a.summary.as_deref().map(|p| (p, "export")),
        _ => None,
    }
}

/// Runs the command, then writes its `--summary` whatever the outcome. `--summary -` is a
/// usage error when the command's data goes to stdout too.
fn run_with_summary(cli: &Cli) -> Result<()> {
    let Some((path, name)) = summary_of(&cli.command) else {
        return run(cli);
    };
    let out_is_stdout = match &cli.command {
        Command::Report(a) => a.out.as_deref().is_none_or(summary::is_stdout),
        Command::Export(a) => summary::is_stdout(&a.out),
        _ => false,
    };
    if summary::is_stdout(path) && out_is_stdout {
        return Err(CliError::usage(
            "--summary - and --out - both write to stdout: write the summary to a file (--summary FILE) or the output to a file",
        ));
    }
    let result = run(cli);
    let written = summary::write(path, name, &result);
    result.and(written)
}

fn run(cli: &Cli) -> Result<()> {
    let g = &cli.global;
    match &cli.command {
        Command::Schema { out } => {
            let text = meeting_core::json_schema::meeting_schema_text();
            write_plain(out.as_deref(), "the schema", text.as_bytes())
        }
        Command::Completions { shell } => {
            // Rendered first: clap_complete panics when its writer fails (`> /dev/full`).
            let mut script = Vec::new();
            clap_complete::generate(*shell, &mut Cli::command(), "meeting", &mut script);
            write_plain(None, "the completions", &script)
        }
        Command::Manpages { dir } => write_manpages(dir),
        Command::Config(ConfigCommand::Use { name }) => {
            let path = meeting_sync::config::config_path(g.config.as_deref())?;
            config::use_profile(&path, name, &mut io::stderr())
        }
        Command::Config(ConfigCommand::Init { force }) => {
            let path = meeting_sync::config::config_path(g.config.as_deref())?;
            let profile = g.profile().unwrap_or("default");
            config::init(
                &path,
                profile,
                g.vendor_tz.as_deref(),
                *force,
                &mut io::stderr(),
            )
        }
        command => {
            let path = meeting_sync::config::config_path(g.config.as_deref())?;
            let settings = meeting_sync::config::resolve(path, g.profile())?;
            let app = App::new(g, settings)?;
            dispatch(&app, command)
        }
    }
}

/// `meeting.1` and `meeting-<command>[-<subcommand>].1` for every visible command.
fn write_manpages(dir: &std::path::Path) -> Result<()> {
    fn render(dir: &std::path::Path, cmd: &clap::Command, name: &str) -> Result<()> {
        let mut page = Vec::new();
        clap_mangen::Man::new(cmd.clone())
            .title(name.to_uppercase())
            .render(&mut page)
            .map_err(|e| CliError::io("a man page", &e))?;
        let path = dir.join(format!("{name}.1"));
        std::fs::write(&path, page).map_err(|e| CliError::io(&path.display().to_string(), &e))?;
        for sub in cmd
            .get_subcommands()
            .filter(|s| !s.is_hide_set() && s.get_name() != "help")
        {
            render(dir, sub, &format!("{name}-{}", sub.get_name()))?;
        }
        Ok(())
    }
    std::fs::create_dir_all(dir).map_err(|e| CliError::io(&dir.display().to_string(), &e))?;
    let mut cmd = Cli::command();
    cmd.build();
    render(dir, &cmd, "meeting")
}

fn write_plain(out: Option<&std::path::Path>, what: &str, bytes: &[u8]) -> Result<()> {
    let mut w = app::open_output(out)?;
    w.write_all(bytes)
        .and_then(|()| w.flush())
        .or_else(app::ignore_broken_pipe)
        .map_err(|e| CliError::io(what, &e))?;
    w.finish()
        .map_err(|e| CliError::new(meeting_sync::failure::FailureClass::Output, e.to_string()))
}

fn dispatch(app: &App<'_>, command: &Command) -> Result<()> {
    if matches!(
        command,
        Command::Parse(_) | Command::Stats(_) | Command::List(_) | Command::Export(_)
    ) {
        app::remove_temporaries_on_interrupt();
    }
    match command {
        Command::Systec(c) => live::systec(app, c),
        Command::Quanshi(c) => live::quanshi(app, c),
        Command::Parse(args) => offline::parse(app, args),
        Command::Stats(args) => offline::stats(app, args),
        Command::Report(args) => report::run(app, args),
        Command::List(args) => offline::list(app, args),
        Command::Archive(c) => archive::run(app, c),
        Command::Sync(args) => sync::run(app, args),
        Command::Export(args) => export::run(app, args),
        Command::Config(ConfigCommand::Check { output }) => check::config_check(app, output.output),
        Command::Config(ConfigCommand::List { output }) => check::config_list(app, output.output),
        Command::Demo(args) => {
            #[cfg(feature = "demo")]
            {
                demo::run(app, args)
            }
            #[cfg(not(feature = "demo"))]
            {
                let _ = args;
                Err(CliError::usage(
                    "this `meeting` was built without the simulator. Build it with the default feature `demo`: `cargo install meeting-cli` (without --no-default-features), or run `cargo run --release -p meeting-cli -- demo` from the repository",
                ))
            }
        }
        Command::Schema { .. }
        | Command::Manpages { .. }
        | Command::Completions { .. }
        | Command::Config(ConfigCommand::Init { .. } | ConfigCommand::Use { .. }) => Ok(()),
    }
}

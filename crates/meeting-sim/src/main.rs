//! `meeting-sim`: run the vendor simulator, or write large dumps of vendor responses.

use clap::{Parser, Subcommand};
use meeting_sim::dump::{DumpEndpoint, parse_size, write_dump};
use meeting_sim::{FaultConfig, Sim, SimConfig, parse_duration};
use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// A simulator of the Systec Cloud UMeeting and Quanshi meeting APIs.
#[derive(Parser, Debug)]
#[command(name = "meeting-sim", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Serve both vendors' APIs on 127.0.0.1 until Ctrl-C.
    Serve(ServeArgs),
    /// Write JSON Lines of raw response bodies until a size is reached.
    Gen(GenArgs),
}

#[derive(clap::Args, Debug)]
struct ServeArgs {
    /// Data seed.
    #[arg(long, default_value_t = 7)]
    seed: u64,
    /// Number of Systec meeting occurrences.
    #[arg(long, default_value_t = 500)]
    meetings: usize,
    /// Number of Quanshi reservations (and dashboard conferences).
    #[arg(long, default_value_t = 50)]
    quanshi: usize,
    /// Port on 127.0.0.1 (0: any free port).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Latency added to every reply (e.g. 20ms).
    #[arg(long, value_parser = parse_duration, default_value = "0ms")]
    latency: Duration,
    /// Random extra latency, uniform in [0, jitter].
    #[arg(long, value_parser = parse_duration, default_value = "0ms")]
    jitter: Duration,
    /// Faults: KIND=RATE,... with KIND in 5xx, 429, ratelimit, slow, drop, truncate, drift, all.
    #[arg(long, default_value = "")]
    faults: String,
    /// Delay of a `slow` reply.
    #[arg(long, value_parser = parse_duration, default_value = "10s")]
    slow_delay: Duration,
    /// `Retry-After` seconds of a 429.
    #[arg(long, default_value_t = 1)]
    retry_after: u64,
    /// The `api_key` the simulator expects (a demo value, not a secret).
    #[arg(long, env = "MEETING_SIM_API_KEY", default_value = meeting_sim::DEFAULT_API_KEY)]
    api_key: String,
    /// The `api_secret` the simulator expects (a demo value, not a secret).
    #[arg(long, env = "MEETING_SIM_API_SECRET", default_value = meeting_sim::DEFAULT_API_SECRET)]
    api_secret: String,
    /// The Quanshi token the simulator expects (a demo value, not a secret).
    #[arg(long, env = "MEETING_SIM_TOKEN", default_value = meeting_sim::DEFAULT_TOKEN)]
    token: String,
    /// Add the accounting cases (stubs, a detail-only meeting, rejoining participants,
    /// multi-room, cancelled and scheduled Quanshi bookings, ...) to the generated data.
    #[arg(long)]
    accounting_cases: bool,
    /// Path prefix of the Quanshi API.
    #[arg(long, default_value = meeting_sim::DEFAULT_QUANSHI_PREFIX)]
    quanshi_prefix: String,
    /// Path of the conference-by-join-link endpoint, relative to the prefix (invented).
    #[arg(long, default_value = meeting_sim::DEFAULT_QUANSHI_CONFERENCE_PATH)]
    quanshi_conference_path: String,
}

#[derive(clap::Args, Debug)]
struct GenArgs {
    /// detail, reports, his-meeting, quanshi-conference or quanshi-dashboard.
    #[arg(long)]
    endpoint: DumpEndpoint,
    /// Target size, e.g. 200MB.
    #[arg(long, value_parser = parse_size, default_value = "10MB")]
    size: u64,
    /// Data seed.
    #[arg(long, default_value_t = 7)]
    seed: u64,
    /// Output file (`-` for stdout).
    #[arg(long, default_value = "-")]
    out: String,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve(args) => serve(args),
        Command::Gen(args) => generate(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            let _ = writeln!(std::io::stderr(), "meeting-sim: {message}");
            ExitCode::FAILURE
        }
    }
}

fn serve(args: ServeArgs) -> Result<(), String> {
    let mut faults = FaultConfig::parse(&args.faults).map_err(|e| e.to_string())?;
    faults.latency = args.latency;
    faults.jitter = args.jitter;
    faults.slow_delay = args.slow_delay;
    faults.retry_after_secs = args.retry_after;
    faults.seed = args.seed;
    let mut config = SimConfig::new(args.seed, args.meetings).with_faults(faults);
    config.data.quanshi_conferences = args.quanshi;
    config.data.accounting_cases = args.accounting_cases;
    config.addr = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), args.port);
    config.api_key = args.api_key;
    config.api_secret = args.api_secret;
    config.token = args.token;
    config.quanshi_prefix = args.quanshi_prefix;
    config.quanshi_conference_path = args.quanshi_conference_path;
    let runtime = tokio::runtime::Runtime::new().map_err(|e| e.to_string())?;
    runtime.block_on(async move {
        let sim = Sim::start(config).await.map_err(|e| e.to_string())?;
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "systec:  {}", sim.systec_base_url());
        let _ = writeln!(out, "quanshi: {}", sim.quanshi_base_url());
        let _ = writeln!(
            out,
            "quanshi conference path: {} (invented: the vendor's doc gives none)",
            sim.quanshi_conference_path()
        );
        let _ = writeln!(out, "meetings: {}", sim.truth().meeting_count());
        let _ = writeln!(out, "press Ctrl-C to stop");
        let _ = out.flush();
        drop(out);
        let _ = tokio::signal::ctrl_c().await;
        let counts = sim.fault_counts();
        sim.shutdown().await;
        let _ = writeln!(std::io::stderr(), "faults injected: {counts:?}");
        Ok(())
    })
}

fn generate(args: &GenArgs) -> Result<(), String> {
    let started = Instant::now();
    let stats = if args.out == "-" {
        write_dump(
            args.endpoint,
            args.size,
            args.seed,
            std::io::stdout().lock(),
        )
    } else {
        let file = std::fs::File::create(&args.out).map_err(|e| format!("{}: {e}", args.out))?;
        write_dump(args.endpoint, args.size, args.seed, file)
    }
    .map_err(|e| e.to_string())?;
    let secs = started.elapsed().as_secs_f64();
    #[allow(clippy::cast_precision_loss)]
    let mb = stats.bytes as f64 / 1e6;
    let _ = writeln!(
        std::io::stderr(),
        "wrote {} lines, {:.1} MB in {:.2} s ({:.0} MB/s)",
        stats.lines,
        mb,
        secs,
        mb / secs.max(1e-9)
    );
    Ok(())
}

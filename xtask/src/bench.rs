//! `cargo xtask bench`: every speed and memory figure beside a baseline measured in the same
//! run, as a ratio (medians; the machines are small and noisy, so ratios are what count).
//!
//! Data comes from `meeting-sim gen` into `target/bench-data/` (nothing large is committed).
//! The table is printed and written to `target/bench-report.md`; `BENCHMARKS.md` holds the
//! latest one.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::{cargo, root};

#[path = "bench_export.rs"]
mod bench_export;
#[path = "bench_import.rs"]
pub(crate) mod bench_import;
#[path = "bench_parse.rs"]
pub(crate) mod bench_parse;

/// One row of the report.
struct Row {
    area: &'static str,
    what: String,
    value: String,
    baseline: String,
    ratio: Option<f64>,
    goal: &'static str,
}

impl Row {
    fn met(&self) -> &'static str {
        let Some(r) = self.ratio else { return "" };
        let goal = self.goal;
        let ok = if let Some(min) = goal
            .strip_prefix(">= ")
            .and_then(|g| g.trim_end_matches('x').parse::<f64>().ok())
        {
            r >= min
        } else if let Some(max) = goal
            .strip_prefix("<= ")
            .and_then(|g| g.trim_end_matches('x').parse::<f64>().ok())
        {
            r <= max
        } else {
            return "";
        };
        if ok { "met" } else { "not met" }
    }
}

/// The dump `meeting-sim gen` makes for `endpoint`, `size` and `seed` in `data`
/// (generated once, kept for the next runs).
fn generated(
    sim: &Path,
    data: &Path,
    endpoint: &str,
    size: &str,
    seed: &str,
) -> Result<PathBuf, String> {
    let path = data.join(format!("{endpoint}-{size}-{seed}.jsonl"));
    if !path.exists() {
        eprintln!("xtask bench: meeting-sim gen --endpoint {endpoint} --size {size}");
        run_capture(
            sim,
            &[
                "gen",
                "--endpoint",
                endpoint,
                "--size",
                size,
                "--seed",
                seed,
                "--out",
                path.to_str().unwrap_or_default(),
            ],
        )?;
    }
    Ok(path)
}

/// The rows as the Markdown table of the report.
fn markdown_table(rows: &[Row]) -> String {
    let mut table = String::from(
        "| area | figure | value | baseline (same run) | ratio | goal | |\n|---|---|---|---|---|---|---|\n",
    );
    for r in rows {
        let _ = writeln!(
            table,
            "| {} | {} | {} | {} | {} | {} | {} |",
            r.area,
            r.what,
            r.value,
            r.baseline,
            r.ratio.map_or(String::new(), |x| format!("{x:.2}x")),
            r.goal,
            r.met()
        );
    }
    table
}

fn field(line: &str, key: &str) -> Option<f64> {
    line.split_whitespace()
        .find_map(|kv| kv.strip_prefix(key)?.strip_prefix('='))
        .and_then(|v| v.parse().ok())
}

fn run_capture(program: &Path, args: &[&str]) -> Result<String, String> {
    let out = Command::new(program)
        .args(args)
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run {}: {e}", program.display()))?;
    if !out.status.success() {
        return Err(format!(
            "{} {} failed ({})",
            program.display(),
            args.join(" "),
            out.status
        ));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

/// What one run of a command took.
#[derive(Clone, Copy, Debug)]
struct Measured {
    /// Wall seconds.
    wall: f64,
    /// Peak resident MiB (GNU time only).
    rss: Option<f64>,
    /// User + system CPU seconds (GNU time only).
    cpu: Option<f64>,
}

/// Wall seconds, peak resident MiB and CPU seconds of a command whose stdout is discarded.
/// Peak memory and CPU time need GNU time (`/usr/bin/time -v`); without it, `None`.
fn measure(program: &Path, args: &[&str]) -> Result<Measured, String> {
    let gnu_time = Path::new("/usr/bin/time");
    let t = Instant::now();
    let out = if gnu_time.exists() {
        let mut full = vec!["-v", program.to_str().unwrap_or_default()];
        full.extend_from_slice(args);
        Command::new(gnu_time)
            .args(&full)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .output()
    } else {
        Command::new(program)
            .args(args)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .output()
    }
    .map_err(|e| format!("cannot run {}: {e}", program.display()))?;
    let wall = t.elapsed().as_secs_f64();
    if !out.status.success() {
        return Err(format!(
            "{} {} failed: {}",
            program.display(),
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
                .lines()
                .last()
                .unwrap_or_default()
        ));
    }
    let stderr = String::from_utf8_lossy(&out.stderr);
    let value = |key: &str| {
        stderr
            .lines()
            .find_map(|l| l.trim().strip_prefix(key))
            .and_then(|v| v.trim().parse::<f64>().ok())
    };
    let rss = value("Maximum resident set size (kbytes):").map(|kb| kb / 1024.0);
    let cpu = value("User time (seconds):")
        .zip(value("System time (seconds):"))
        .map(|(u, s)| u + s);
    Ok(Measured { wall, rss, cpu })
}

/// The run with the median wall time of `n` runs.
fn median_run(n: usize, program: &Path, args: &[&str]) -> Result<Measured, String> {
    let mut runs = (0..n)
        .map(|_| measure(program, args))
        .collect::<Result<Vec<_>, _>>()?;
    runs.sort_by(|a, b| a.wall.total_cmp(&b.wall));
    runs.get(runs.len() / 2)
        .copied()
        .ok_or_else(|| String::from("no run"))
}

/// The median of some figures (NaN when there are none).
fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}

fn size_mb(path: &Path) -> f64 {
    std::fs::metadata(path)
        .map(|m| m.len() as f64 / 1e6)
        .unwrap_or(0.0)
}

/// Builds the release `meeting` and `meeting-sim` binaries, and makes the bench data
/// directory: `(target/release, target/bench-data)`, for the benches that need no more.
pub(crate) fn release_binaries() -> Result<(PathBuf, PathBuf), String> {
    let root = root();
    let release = root.join("target/release");
    let data = root.join("target/bench-data");
    std::fs::create_dir_all(&data).map_err(|e| format!("{}: {e}", data.display()))?;
    cargo(&[
        "build",
        "--release",
        "--locked",
        "-p",
        "meeting-sim",
        "--bin",
        "meeting-sim",
        "-p",
        "meeting-cli",
        "--bin",
        "meeting",
    ])?;
    Ok((release, data))
}

pub(crate) fn bench(quick: bool) -> Result<(), String> {
    let root = root();
    let release = root.join("target/release");
    let data = root.join("target/bench-data");
    std::fs::create_dir_all(&data).map_err(|e| format!("{}: {e}", data.display()))?;
    eprintln!("xtask bench: building release binaries");
    cargo(&[
        "build",
        "--release",
        "--locked",
        "-p",
        "meeting-sim",
        "--bin",
        "meeting-sim",
        "-p",
        "meeting-cli",
        "--bin",
        "meeting",
        "-p",
        "meeting-core",
        "--example",
        "bench_dump",
        "--example",
        "read_dump",
    ])?;
    let sim = release.join("meeting-sim");
    let meeting = release.join("meeting");
    let bench_dump = release.join("examples/bench_dump");
    let read_dump = release.join("examples/read_dump");
    let big = if quick { "50MB" } else { "200MB" };
    let generate =
        |endpoint: &str, size: &str, seed: &str| generated(&sim, &data, endpoint, size, seed);
    let detail_small = generate("detail", "20MB", "7")?;
    let detail_big = generate("detail", big, "7")?;
    let reports = generate("reports", "50MB", "7")?;
    let his_meeting = generate("his-meeting", "50MB", "7")?;
    let quanshi = generate("quanshi-conference", "50MB", "7")?;
    let half_a = generate("detail", if quick { "25MB" } else { "100MB" }, "8")?;
    let half_b = generate("detail", if quick { "25MB" } else { "100MB" }, "9")?;
    let mut rows = Vec::new();

    // Offline parsing, single-threaded, against serde_json on the same documents.
    // Goals (issue 22): detail >= 3x Value and >= 0.5x IgnoredAny; the others >= 2x Value.
    for (name, path, value_goal, ignored_goal) in [
        ("Systec detail", &detail_small, ">= 3x", ">= 0.5x"),
        ("Systec reports", &reports, ">= 2x", ""),
        ("Systec hisMeeting", &his_meeting, ">= 2x", ""),
        ("Quanshi conference", &quanshi, ">= 2x", ""),
    ] {
        eprintln!("xtask bench: offline parsing, {name}");
        let line = run_capture(&bench_dump, &[path.to_str().unwrap_or_default(), "5"])?;
        let (ours, value, ignored) = (
            field(&line, "read_dump"),
            field(&line, "value"),
            field(&line, "ignored"),
        );
        if let (Some(o), Some(v), Some(i)) = (ours, value, ignored) {
            let mb = size_mb(path);
            rows.push(Row {
                area: "offline",
                what: format!("read_dump + normalise, {name} ({mb:.0} MB), MB/s"),
                value: format!("{o:.0}"),
                baseline: format!("{v:.0} (serde_json::Value)"),
                ratio: Some(o / v),
                goal: value_goal,
            });
            rows.push(Row {
                area: "offline",
                what: format!("read_dump + normalise, {name}, MB/s"),
                value: format!("{o:.0}"),
                baseline: format!("{i:.0} (IgnoredAny scan)"),
                ratio: Some(o / i),
                goal: ignored_goal,
            });
        }
    }

    // Peak memory, small against big.
    eprintln!("xtask bench: peak memory");
    let small_rss = measure(&read_dump, &[detail_small.to_str().unwrap_or_default()])?.rss;
    let big_rss = measure(&read_dump, &[detail_big.to_str().unwrap_or_default()])?.rss;
    match (small_rss, big_rss) {
        (Some(s), Some(b)) => rows.push(Row {
            area: "memory",
            what: format!(
                "read_dump peak RSS, {:.0} MB dump, MiB",
                size_mb(&detail_big)
            ),
            value: format!("{b:.1}"),
            baseline: format!("{s:.1} ({:.0} MB dump)", size_mb(&detail_small)),
            ratio: Some(b / s),
            goal: "<= 1.5x",
        }),
        _ => eprintln!(
            "xtask bench: /usr/bin/time not found (apt-get install time): memory rows skipped"
        ),
    }

    // The CLI on the big dump, against jq.
    let big_path = detail_big.to_str().unwrap_or_default();
    let mb = size_mb(&detail_big);
    let jq = Command::new("jq")
        .arg("--version")
        .output()
        .map(|o| o.status.success())
        .unwrap_or(false);
    let jq_s = if jq {
        eprintln!("xtask bench: jq -c '.data.meetings[]' ({mb:.0} MB)");
        Some(measure(Path::new("jq"), &["-c", ".data.meetings[]", big_path])?.wall)
    } else {
        eprintln!("xtask bench: jq not found (apt-get install jq): the jq comparison is skipped");
        None
    };
    // Every core (the default --jobs: 2 on the bench machines) on the one big dump.
    for (fmt, label) in [("jsonl", "JSON Lines"), ("csv", "CSV")] {
        eprintln!("xtask bench: meeting parse -o {fmt} ({mb:.0} MB)");
        let run = median_run(
            3,
            &meeting,
            &[
                "parse",
                big_path,
                "-o",
                fmt,
                "--no-merge",
                "--tz",
                "UTC",
                "-q",
            ],
        )?;
        rows.push(Row {
            area: "cli",
            what: format!(
                "meeting parse -o {fmt} ({label}), {mb:.0} MB, all cores, MB/s (peak {} MiB)",
                run.rss.map_or("?".into(), |r| format!("{r:.0}"))
            ),
            value: format!("{:.0}", mb / run.wall),
            baseline: jq_s.map_or("jq not installed".into(), |j| {
                format!("{:.0} (jq -c '.data.meetings[]')", mb / j)
            }),
            ratio: jq_s.map(|j| j / run.wall),
            goal: ">= 15x",
        });
    }
    // One big dump: --jobs 1 against --jobs 2 (wall, CPU time per MB, peak memory).
    eprintln!("xtask bench: meeting parse --jobs 1 vs --jobs 2, one dump ({mb:.0} MB)");
    let jobs_run = |jobs: &str| {
        median_run(
            3,
            &meeting,
            &[
                "parse",
                big_path,
                "-o",
                "jsonl",
                "--no-merge",
                "--tz",
                "UTC",
                "--jobs",
                jobs,
                "-q",
            ],
        )
    };
    let (one, two) = (jobs_run("1")?, jobs_run("2")?);
    rows.push(Row {
        area: "cli",
        what: format!("meeting parse --jobs 2, one {mb:.0} MB dump, speed-up (2 cores)"),
        value: format!("{:.2} s", two.wall),
        baseline: format!("{:.2} s (--jobs 1)", one.wall),
        ratio: Some(one.wall / two.wall),
        goal: ">= 1.7x",
    });
    if let (Some(c1), Some(c2)) = (one.cpu, two.cpu) {
        rows.push(Row {
            area: "cli",
            what: format!("meeting parse, one {mb:.0} MB dump, CPU ms per MB, --jobs 2"),
            value: format!("{:.2}", c2 * 1000.0 / mb),
            baseline: format!("{:.2} (--jobs 1)", c1 * 1000.0 / mb),
            ratio: Some(c2 / c1),
            goal: "<= 1.1x",
        });
    }
    if let (Some(r1), Some(r2)) = (one.rss, two.rss) {
        rows.push(Row {
            area: "memory",
            what: format!("meeting parse peak RSS, one {mb:.0} MB dump, --jobs 1, MiB"),
            value: format!("{r1:.1}"),
            baseline: "32 (the goal)".into(),
            ratio: Some(r1 / 32.0),
            goal: "<= 1x",
        });
        rows.push(Row {
            area: "memory",
            what: format!("meeting parse peak RSS, one {mb:.0} MB dump, --jobs 2, MiB"),
            value: format!("{r2:.1}"),
            baseline: format!("{r1:.1} (--jobs 1)"),
            // Bounded by the chunks in flight (2 x jobs chunks of about 1 MiB of input and
            // their rendered output), not by the input: no ratio goal.
            ratio: Some(r2 / r1),
            goal: "",
        });
    }
    bench_export::export_rows(&meeting, &data, &detail_big, &mut rows)?;
    // --jobs: two files, one job against two.
    eprintln!("xtask bench: meeting parse --jobs 1 vs --jobs 2, two dumps");
    let (a, b) = (
        half_a.to_str().unwrap_or_default(),
        half_b.to_str().unwrap_or_default(),
    );
    let two_files = |jobs: &str| {
        median_run(
            3,
            &meeting,
            &[
                "parse",
                a,
                b,
                "-o",
                "jsonl",
                "--no-merge",
                "--jobs",
                jobs,
                "-q",
            ],
        )
    };
    let (one, two) = (two_files("1")?, two_files("2")?);
    rows.push(Row {
        area: "cli",
        what: "meeting parse --jobs 2, two dumps, speed-up (2 cores)".into(),
        value: format!("{:.2} s", two.wall),
        baseline: format!("{:.2} s (--jobs 1)", one.wall),
        ratio: Some(one.wall / two.wall),
        goal: ">= 1.7x",
    });

    // HTTP against the simulator.
    eprintln!("xtask bench: whole-range fetch against the simulator");
    let out = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args([
            "bench",
            "--locked",
            "-p",
            "meeting-http",
            "--bench",
            "fetch",
        ])
        .current_dir(&root)
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run cargo bench: {e}"))?;
    let text = String::from_utf8_lossy(&out.stdout);
    if let Some(l) = text.lines().find(|l| l.starts_with("fetch-latency"))
        && let (Some(w), Some(i), Some(p)) =
            (field(l, "wall_s"), field(l, "ideal_s"), field(l, "pages"))
    {
        rows.push(Row {
            area: "http",
            what: format!(
                "detail, 10,000 meetings, {p:.0} pages, concurrency 8, 20 ms latency, wall s"
            ),
            value: format!("{w:.3}"),
            baseline: format!("{i:.3} (ideal pages/C x L)"),
            ratio: Some(w / i),
            goal: "<= 1.25x",
        });
    }
    if let Some(l) = text.lines().find(|l| l.starts_with("fetch-no-latency")) {
        rows.push(Row {
            area: "http",
            what: "requests per second, no latency".into(),
            value: format!("{:.0}", field(l, "rps").unwrap_or(f64::NAN)),
            baseline: String::new(),
            ratio: None,
            goal: "",
        });
        rows.push(Row {
            area: "http",
            what: "client CPU per request, µs".into(),
            value: format!(
                "{:.0}",
                field(l, "client_cpu_us_per_request").unwrap_or(f64::NAN)
            ),
            baseline: String::new(),
            ratio: None,
            goal: "",
        });
    }

    rows.extend(bench_import::rows(
        &meeting,
        &detail_big,
        &detail_small,
        &data,
        quick,
    )?);

    let table = markdown_table(&rows);
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines().find_map(|l| {
                l.strip_prefix("model name")
                    .map(|m| m.trim_start_matches([' ', '\t', ':']).to_owned())
            })
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    let report = format!("Machine: {cpu}, {cores} cores.\n\n{table}");
    println!("{report}");
    let path = root.join("target/bench-report.md");
    std::fs::write(&path, &report).map_err(|e| format!("{}: {e}", path.display()))?;
    eprintln!("xtask bench: written to {}", path.display());
    Ok(())
}

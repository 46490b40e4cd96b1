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

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
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

/// Wall seconds and peak resident MiB of a command whose stdout is discarded. Peak memory
/// needs GNU time (`/usr/bin/time -v`); without it, `None`.
fn measure(program: &Path, args: &[&str]) -> Result<(f64, Option<f64>), String> {
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
    let rss = String::from_utf8_lossy(&out.stderr)
        .lines()
        .find_map(|l| l.trim().strip_prefix("Maximum resident set size (kbytes):"))
        .and_then(|v| v.trim().parse::<f64>().ok())
        .map(|kb| kb / 1024.0);
    Ok((wall, rss))
}

fn size_mb(path: &Path) -> f64 {
    std::fs::metadata(path)
        .map(|m| m.len() as f64 / 1e6)
        .unwrap_or(0.0)
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
    let generate = |endpoint: &str, size: &str, seed: &str| -> Result<PathBuf, String> {
        let path = data.join(format!("{endpoint}-{size}-{seed}.jsonl"));
        if !path.exists() {
            eprintln!("xtask bench: meeting-sim gen --endpoint {endpoint} --size {size}");
            run_capture(
                &sim,
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
    };
    let detail_small = generate("detail", "20MB", "7")?;
    let detail_big = generate("detail", big, "7")?;
    let reports = generate("reports", "50MB", "7")?;
    let quanshi = generate("quanshi-conference", "50MB", "7")?;
    let half_a = generate("detail", if quick { "25MB" } else { "100MB" }, "8")?;
    let half_b = generate("detail", if quick { "25MB" } else { "100MB" }, "9")?;
    let mut rows = Vec::new();

    // Offline parsing, single-threaded, against serde_json on the same documents.
    for (name, path) in [
        ("Systec detail", &detail_small),
        ("Systec reports", &reports),
        ("Quanshi conference", &quanshi),
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
                goal: ">= 3x",
            });
            rows.push(Row {
                area: "offline",
                what: format!("read_dump + normalise, {name}, MB/s"),
                value: format!("{o:.0}"),
                baseline: format!("{i:.0} (IgnoredAny scan)"),
                ratio: Some(o / i),
                goal: ">= 0.5x",
            });
        }
    }

    // Peak memory, small against big.
    eprintln!("xtask bench: peak memory");
    let (_, small_rss) = measure(&read_dump, &[detail_small.to_str().unwrap_or_default()])?;
    let (_, big_rss) = measure(&read_dump, &[detail_big.to_str().unwrap_or_default()])?;
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
        Some(measure(Path::new("jq"), &["-c", ".data.meetings[]", big_path])?.0)
    } else {
        eprintln!("xtask bench: jq not found (apt-get install jq): the jq comparison is skipped");
        None
    };
    for (fmt, label) in [("jsonl", "JSON Lines"), ("csv", "CSV")] {
        eprintln!("xtask bench: meeting parse -o {fmt} ({mb:.0} MB)");
        let mut walls = Vec::new();
        let mut rss = None;
        for _ in 0..3 {
            let (w, r) = measure(
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
            walls.push(w);
            rss = r;
        }
        let wall = median(walls);
        rows.push(Row {
            area: "cli",
            what: format!(
                "meeting parse -o {fmt} ({label}), {mb:.0} MB, MB/s (peak {} MiB)",
                rss.map_or("?".into(), |r| format!("{r:.0}"))
            ),
            value: format!("{:.0}", mb / wall),
            baseline: jq_s.map_or("jq not installed".into(), |j| {
                format!("{:.0} (jq -c '.data.meetings[]')", mb / j)
            }),
            ratio: jq_s.map(|j| j / wall),
            goal: ">= 15x",
        });
    }
    bench_export::export_rows(&meeting, &data, &detail_big, &mut rows)?;
    // --jobs: two files, one job against two.
    eprintln!("xtask bench: meeting parse --jobs 1 vs --jobs 2");
    let (a, b) = (
        half_a.to_str().unwrap_or_default(),
        half_b.to_str().unwrap_or_default(),
    );
    let one = median(
        (0..3)
            .map(|_| {
                measure(
                    &meeting,
                    &[
                        "parse",
                        a,
                        b,
                        "-o",
                        "jsonl",
                        "--no-merge",
                        "--jobs",
                        "1",
                        "-q",
                    ],
                )
                .map(|m| m.0)
            })
            .collect::<Result<Vec<_>, _>>()?,
    );
    let two = median(
        (0..3)
            .map(|_| {
                measure(
                    &meeting,
                    &[
                        "parse",
                        a,
                        b,
                        "-o",
                        "jsonl",
                        "--no-merge",
                        "--jobs",
                        "2",
                        "-q",
                    ],
                )
                .map(|m| m.0)
            })
            .collect::<Result<Vec<_>, _>>()?,
    );
    rows.push(Row {
        area: "cli",
        what: "meeting parse --jobs 2, two dumps, speed-up (2 cores)".into(),
        value: format!("{two:.2} s"),
        baseline: format!("{one:.2} s (--jobs 1)"),
        ratio: Some(one / two),
        goal: ">= 1.6x",
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

    let mut table = String::from(
        "| area | figure | value | baseline (same run) | ratio | goal | |\n|---|---|---|---|---|---|---|\n",
    );
    for r in &rows {
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

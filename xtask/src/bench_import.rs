//! `cargo xtask bench`, the archive rows (issue 17): `meeting archive import` of the big
//! detail dump against `meeting parse` of the same file in the same run (meetings per
//! second, goal at least 40 % of parse's), and the import's peak memory on the big dump
//! against a small one (goal: flat); `meeting stats --archive` of that archive against
//! `meeting stats` of the dump (the same figures, read from the archive or from the file).
//!
//! `cargo xtask bench-import [--quick]` runs only these rows ([`bench_only`]).

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use super::{Measured, Row, measure, median, size_mb};

/// Wall seconds, peak resident MiB (GNU time) and stdout lines of a command.
fn run_counting(program: &Path, args: &[&str]) -> Result<(f64, Option<f64>, u64), String> {
    let gnu_time = Path::new("/usr/bin/time");
    let t = Instant::now();
    let mut cmd = if gnu_time.exists() {
        let mut c = Command::new(gnu_time);
        c.arg("-v").arg(program);
        c
    } else {
        Command::new(program)
    };
    let mut child = cmd
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", program.display()))?;
    let mut lines = 0u64;
    if let Some(mut out) = child.stdout.take() {
        let mut buf = vec![0u8; 1 << 16];
        loop {
            let n = out
                .read(&mut buf)
                .map_err(|e| format!("reading stdout: {e}"))?;
            if n == 0 {
                break;
            }
            lines += buf.iter().take(n).filter(|&&b| b == b'\n').count() as u64;
        }
    }
    let out = child
        .wait_with_output()
        .map_err(|e| format!("{}: {e}", program.display()))?;
    let wall = t.elapsed().as_secs_f64();
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        return Err(format!(
            "{} {} failed: {}",
            program.display(),
            args.join(" "),
            stderr.lines().last().unwrap_or_default()
        ));
    }
    let rss = stderr
        .lines()
        .find_map(|l| l.trim().strip_prefix("Maximum resident set size (kbytes):"))
        .and_then(|v| v.trim().parse::<f64>().ok())
        .map(|kb| kb / 1024.0);
    Ok((wall, rss, lines))
}

/// One fresh import of `dump` into `dir/import.sqlite`: wall seconds and peak MiB.
fn import_once(meeting: &Path, dump: &Path, dir: &Path) -> Result<(f64, Option<f64>), String> {
    let archive = dir.join("import.sqlite");
    for suffix in ["", "-wal", "-shm", ".lock"] {
        let mut name = archive.as_os_str().to_owned();
        name.push(suffix);
        let _ = std::fs::remove_file(Path::new(&name));
    }
    let (wall, rss, _) = run_counting(
        meeting,
        &[
            "archive",
            "import",
            dump.to_str().unwrap_or_default(),
            "--archive",
            archive.to_str().unwrap_or_default(),
            "-q",
        ],
    )?;
    Ok((wall, rss))
}

/// The archive rows: import against parse on `big`, import memory on `big` against `small`.
pub(super) fn rows(
    meeting: &Path,
    big: &Path,
    small: &Path,
    data: &Path,
    quick: bool,
) -> Result<Vec<Row>, String> {
    let runs = if quick { 1 } else { 3 };
    let mb = size_mb(big);
    let path = big.to_str().unwrap_or_default();
    eprintln!("xtask bench: meeting parse vs meeting archive import ({mb:.0} MB detail dump)");
    let mut parse_walls = Vec::new();
    let (mut parse_rss, mut meetings) = (None, 0u64);
    for _ in 0..runs {
        let (w, r, n) = run_counting(
            meeting,
            &[
                "parse",
                path,
                "-o",
                "jsonl",
                "--no-merge",
                "--tz",
                "UTC",
                "-q",
            ],
        )?;
        parse_walls.push(w);
        parse_rss = r;
        meetings = n;
    }
    let work = data.join("import-bench");
    std::fs::create_dir_all(&work).map_err(|e| format!("{}: {e}", work.display()))?;
    let mut import_walls = Vec::new();
    let mut import_rss = None;
    for _ in 0..runs {
        let (w, r) = import_once(meeting, big, &work)?;
        import_walls.push(w);
        import_rss = r;
    }
    // `stats` over the big dump's archive (the last import's) against `stats` over the dump.
    let archive = work.join("import.sqlite");
    let archive = archive.to_str().unwrap_or_default();
    let stats_file = median_of(
        runs,
        meeting,
        &["stats", path, "-o", "json", "--tz", "UTC", "-q"],
    )?;
    let stats_archive = median_of(
        runs,
        meeting,
        &[
            "stats",
            "--archive",
            archive,
            "-o",
            "json",
            "--tz",
            "UTC",
            "-q",
        ],
    )?;
    let (_, small_rss) = import_once(meeting, small, &work)?;
    let _ = std::fs::remove_dir_all(&work);
    let (parse_wall, import_wall) = (median(parse_walls), median(import_walls));
    let (parse_mps, import_mps) = (meetings as f64 / parse_wall, meetings as f64 / import_wall);
    let mib = |r: Option<f64>| r.map_or_else(|| String::from("?"), |r| format!("{r:.0}"));
    let mut rows = vec![Row {
        area: "archive",
        what: format!(
            "meeting archive import, {mb:.0} MB detail dump ({meetings} meetings), meetings/s (peak {} MiB)",
            mib(import_rss)
        ),
        value: format!("{import_mps:.0}"),
        baseline: format!(
            "{parse_mps:.0} (meeting parse -o jsonl, same file; peak {} MiB)",
            mib(parse_rss)
        ),
        ratio: Some(import_mps / parse_mps),
        goal: ">= 0.4x",
    }];
    rows.push(Row {
        area: "archive",
        what: format!(
            "meeting stats --archive (the {mb:.0} MB dump imported), s (peak {} MiB)",
            mib(stats_archive.rss)
        ),
        value: format!("{:.2}", stats_archive.wall),
        baseline: format!(
            "{:.2} (meeting stats over the dump; peak {} MiB)",
            stats_file.wall,
            mib(stats_file.rss)
        ),
        ratio: Some(stats_archive.wall / stats_file.wall),
        goal: "",
    });
    if let (Some(b), Some(s)) = (import_rss, small_rss) {
        rows.push(Row {
            area: "archive",
            what: format!("meeting archive import peak RSS, {mb:.0} MB dump, MiB"),
            value: format!("{b:.1}"),
            baseline: format!("{s:.1} ({:.0} MB dump)", size_mb(small)),
            ratio: Some(b / s),
            goal: "<= 1.5x",
        });
    }
    Ok(rows)
}

/// The run with the median wall time of `n` runs of a command (stdout discarded).
fn median_of(n: usize, program: &Path, args: &[&str]) -> Result<Measured, String> {
    let mut runs = (0..n.max(1))
        .map(|_| measure(program, args))
        .collect::<Result<Vec<_>, _>>()?;
    runs.sort_by(|a, b| a.wall.total_cmp(&b.wall));
    runs.get(runs.len() / 2)
        .copied()
        .ok_or_else(|| String::from("no run"))
}

/// `cargo xtask bench-import [--quick]`: only the archive rows (release binaries built, the
/// dumps generated into `target/bench-data/` as `cargo xtask bench` does), printed as a
/// table and written to `target/bench-import-report.md`.
pub(crate) fn bench_only(quick: bool) -> Result<(), String> {
    let (release, data) = super::release_binaries()?;
    let sim = release.join("meeting-sim");
    let generate = |size: &str| super::generated(&sim, &data, "detail", size, "7");
    let small = generate("20MB")?;
    let big = generate(if quick { "50MB" } else { "200MB" })?;
    let rows = rows(&release.join("meeting"), &big, &small, &data, quick)?;
    let table = super::markdown_table(&rows);
    println!("{table}");
    let path = crate::root().join("target/bench-import-report.md");
    std::fs::write(&path, &table).map_err(|e| format!("{}: {e}", path.display()))?;
    eprintln!("xtask bench-import: written to {}", path.display());
    Ok(())
}

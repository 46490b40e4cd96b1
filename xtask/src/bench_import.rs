//! `cargo xtask bench`, the archive rows (issues 17 and 28): `meeting archive import` of the
//! big detail dump against `meeting parse` of the same file in the same run (meetings per
//! second, goal at least 0.3× parse's), and the import's peak memory on the big dump
//! against a small one (goal: flat); the archive's size against the dump's (goal at most
//! 0.6 bytes per input byte) and against a simulator save-raw run's files (detail, history
//! and reports; goal at most 1.0); `meeting stats --archive` of that archive against
//! `meeting stats` of the dump (the same figures; goal at most 0.1× the time).
//!
//! `cargo xtask bench-import [--quick] [--before BIN]` runs only these rows ([`bench_only`]),
//! with `--before` an older binary beside this build's in the same run.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use super::{Measured, Row, measure, median, size_mb};

/// Wall seconds, peak resident MiB (GNU time) and stdout lines of a command.
/// `meeting parse PATH -o jsonl --no-merge --tz UTC -q`: the baseline every import row is
/// measured against.
fn parse_args(path: &str) -> [&str; 8] {
    [
        "parse",
        path,
        "-o",
        "jsonl",
        "--no-merge",
        "--tz",
        "UTC",
        "-q",
    ]
}

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
        let (w, r, n) = run_counting(meeting, &parse_args(path))?;
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
    let archive_bytes = archive_size(&archive);
    let input_bytes = std::fs::metadata(big).map_or(1, |m| m.len()).max(1);
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
    let mut rows_extra = Vec::new();
    let (_, small_rss) = import_once(meeting, small, &work)?;
    match save_raw_size(meeting, data, quick) {
        Ok(row) => rows_extra.push(row),
        Err(e) => eprintln!("xtask bench: the save-raw size row is skipped: {e}"),
    }
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
        goal: ">= 0.3x",
    }];
    rows.push(Row {
        area: "archive",
        what: format!("archive size, {mb:.0} MB detail dump imported, MB"),
        value: format!("{:.1}", archive_bytes as f64 / 1e6),
        baseline: format!("{:.1} (the dump)", input_bytes as f64 / 1e6),
        ratio: Some(archive_bytes as f64 / input_bytes as f64),
        goal: "<= 0.6x",
    });
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
        goal: "<= 0.1x",
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
    rows.extend(rows_extra);
    Ok(rows)
}

/// The bytes of an archive: the file and its `-wal` (empty after a writer closes).
fn archive_size(archive: &Path) -> u64 {
    let mut wal = archive.as_os_str().to_owned();
    wal.push("-wal");
    [archive, Path::new(&wal)]
        .iter()
        .filter_map(|p| std::fs::metadata(p).ok())
        .map(|m| m.len())
        .sum()
}

/// The bytes of the files below `dir`.
fn tree_size(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| {
            let path = e.path();
            if path.is_dir() {
                tree_size(&path)
            } else {
                e.metadata().map_or(0, |m| m.len())
            }
        })
        .sum()
}

/// A save-raw run of `meeting systec fetch` (detail, history and reports) against the
/// simulator, imported: the archive's bytes against the run's files.
fn save_raw_size(meeting: &Path, data: &Path, quick: bool) -> Result<Row, String> {
    let sim_bin = meeting.with_file_name("meeting-sim");
    let work = data.join("save-raw-bench");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).map_err(|e| format!("{}: {e}", work.display()))?;
    std::fs::write(
        work.join("config.toml"),
        "[default]\nrate_limit = 0\nreports_rate_limit = 0\n",
    )
    .map_err(|e| format!("config: {e}"))?;
    let sim = crate::soak_sync::start_sim(&sim_bin, "")?;
    let raw = work.join("raw");
    let to = if quick { "2024-01-31" } else { "2024-03-31" };
    let status = Command::new(meeting)
        .env_clear()
        .env("NO_COLOR", "1")
        .env("MEETING_CONFIG", work.join("config.toml"))
        .env("SYSTEC_API_KEY", "sim-api-key")
        .env("SYSTEC_API_SECRET", "sim-api-secret")
        .env("SYSTEC_BASE_URL", &sim.systec)
        .args([
            "systec",
            "fetch",
            "-q",
            "--from",
            "2024-01-01",
            "--to",
            to,
            "--save-raw",
        ])
        .arg(&raw)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map_err(|e| format!("fetch: {e}"))?;
    drop(sim);
    if !status.success() {
        return Err(format!("the save-raw fetch failed ({status})"));
    }
    let raw_bytes = tree_size(&raw).max(1);
    let archive = work.join("raw.sqlite");
    run_counting(
        meeting,
        &[
            "archive",
            "import",
            raw.to_str().unwrap_or_default(),
            "--archive",
            archive.to_str().unwrap_or_default(),
            "-q",
        ],
    )?;
    let archive_bytes = archive_size(&archive);
    let _ = std::fs::remove_dir_all(&work);
    Ok(Row {
        area: "archive",
        what: String::from(
            "archive size, a simulator save-raw run imported (detail, history, reports), MB",
        ),
        value: format!("{:.2}", archive_bytes as f64 / 1e6),
        baseline: format!("{:.2} (the run's files)", raw_bytes as f64 / 1e6),
        ratio: Some(archive_bytes as f64 / raw_bytes as f64),
        goal: "<= 1.0x",
    })
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

/// `cargo xtask bench-import [--quick] [--before BIN]`: only the archive rows (release
/// binaries built, the dumps generated into `target/bench-data/` as `cargo xtask bench`
/// does), printed as a table and written to `target/bench-import-report.md`. With
/// `--before`, an older `meeting` binary is measured in the same run on the issue-28 rows
/// (import against parse on a 50 MB and the big dump, and the peak memory of `stats` over
/// a 300 MB dump; [`compare`]), interleaved with this build's runs.
pub(crate) fn bench_only(quick: bool, before: Option<PathBuf>) -> Result<(), String> {
    let (release, data) = super::release_binaries()?;
    let sim = release.join("meeting-sim");
    let generate = |size: &str| super::generated(&sim, &data, "detail", size, "7");
    let small = generate("20MB")?;
    let big = generate(if quick { "50MB" } else { "200MB" })?;
    let meeting = release.join("meeting");
    let mut rows = Vec::new();
    if let Some(before) = before {
        let mut dumps = vec![generate("50MB")?];
        if !quick {
            dumps.push(big.clone());
        }
        let stats_dump = generate(if quick { "50MB" } else { "300MB" })?;
        rows.extend(compare(
            &before,
            &meeting,
            &dumps,
            &stats_dump,
            &data,
            quick,
        )?);
    }
    rows.extend(self::rows(&meeting, &big, &small, &data, quick)?);
    let table = super::markdown_table(&rows);
    println!("{table}");
    let path = crate::root().join("target/bench-import-report.md");
    std::fs::write(&path, &table).map_err(|e| format!("{}: {e}", path.display()))?;
    eprintln!("xtask bench-import: written to {}", path.display());
    Ok(())
}

/// The issue-28 rows, before and after in the same run: for each dump, `meeting archive
/// import` of each binary against `meeting parse` (this build's; meetings/s), with the
/// import's peak memory; then `meeting stats` over `stats_dump` (a temporary archive)
/// with each binary: its peak memory against the input's size (goal at most a quarter).
/// The binaries' runs alternate, so load from elsewhere falls on both alike.
fn compare(
    before: &Path,
    after: &Path,
    dumps: &[PathBuf],
    stats_dump: &Path,
    data: &Path,
    quick: bool,
) -> Result<Vec<Row>, String> {
    let runs = if quick { 1 } else { 3 };
    let work = data.join("import-compare");
    std::fs::create_dir_all(&work).map_err(|e| format!("{}: {e}", work.display()))?;
    let mib = |r: Option<f64>| r.map_or_else(|| String::from("?"), |r| format!("{r:.0}"));
    let mut rows = Vec::new();
    for dump in dumps {
        let mb = size_mb(dump);
        let path = dump.to_str().unwrap_or_default();
        eprintln!("xtask bench-import: before/after import of the {mb:.0} MB detail dump");
        let (mut parse, mut meetings) = (Vec::new(), 0u64);
        let mut walls = [Vec::new(), Vec::new()];
        let mut rss = [None, None];
        for _ in 0..runs {
            let (w, _, n) = run_counting(after, &parse_args(path))?;
            parse.push(w);
            meetings = n;
            for (i, bin) in [before, after].into_iter().enumerate() {
                let (w, r) = import_once(bin, dump, &work)?;
                if let Some(v) = walls.get_mut(i) {
                    v.push(w);
                }
                if let Some(slot) = rss.get_mut(i) {
                    *slot = r;
                }
            }
        }
        let parse_mps = meetings as f64 / median(parse);
        let [b, a] = walls.map(|w| meetings as f64 / median(w));
        let [b_rss, a_rss] = rss;
        rows.push(Row {
            area: "archive",
            what: format!(
                "archive import, {mb:.0} MB detail dump ({meetings} meetings), meetings/s: after (peak {} MiB)",
                mib(a_rss)
            ),
            value: format!("{a:.0}"),
            baseline: format!(
                "before: {b:.0} ({:.3}x parse; peak {} MiB); parse: {parse_mps:.0}",
                b / parse_mps,
                mib(b_rss)
            ),
            ratio: Some(a / parse_mps),
            goal: ">= 0.3x",
        });
    }
    let mb = size_mb(stats_dump);
    let input_mib = std::fs::metadata(stats_dump).map_or(1, |m| m.len()).max(1) as f64 / 1048576.0;
    let path = stats_dump.to_str().unwrap_or_default();
    eprintln!("xtask bench-import: before/after stats over the {mb:.0} MB detail dump");
    let mut measured = [Vec::new(), Vec::new()];
    for _ in 0..runs {
        for (i, bin) in [before, after].into_iter().enumerate() {
            let m = measure(bin, &["stats", path, "-o", "json", "--tz", "UTC", "-q"])?;
            if let Some(v) = measured.get_mut(i) {
                v.push(m);
            }
        }
    }
    let [b, a] = measured.map(|mut v| {
        v.sort_by(|x, y| x.wall.total_cmp(&y.wall));
        v.get(v.len() / 2).copied()
    });
    if let (Some(b), Some(a)) = (b, a) {
        rows.push(Row {
            area: "archive",
            what: format!(
                "meeting stats over a {mb:.0} MB detail dump, peak MiB: after ({:.1} s)",
                a.wall
            ),
            value: mib(a.rss),
            baseline: format!(
                "before: {} MiB ({:.1} s); the input: {input_mib:.0} MiB",
                mib(b.rss),
                b.wall
            ),
            ratio: a.rss.map(|r| r / input_mib),
            goal: "<= 0.25x",
        });
    }
    let _ = std::fs::remove_dir_all(&work);
    Ok(rows)
}

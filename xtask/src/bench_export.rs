//! `cargo xtask bench`, export rows: `meeting export --archive` of the big dump's archive as
//! Parquet against the same rows as JSON Lines, in the same run (rows/s and peak memory).

use std::path::Path;

use super::{Row, measure, median};

/// Rows written (all four tables), from the export's `_meeting_export.json` counts.
fn rows_written(out: &Path) -> Result<u64, String> {
    let path = out.join("_meeting_export.json");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let counts = text
        .split_once("\"counts\"")
        .map(|(_, rest)| rest)
        .ok_or_else(|| format!("{}: no counts", path.display()))?;
    let mut total = 0;
    for table in ["meetings", "participants", "phone_calls", "rooms"] {
        let n = counts
            .split_once(&format!("\"{table}\":"))
            .and_then(|(_, rest)| {
                rest.trim_start()
                    .split(|c: char| !c.is_ascii_digit())
                    .next()
                    .and_then(|d| d.parse::<u64>().ok())
            })
            .ok_or_else(|| format!("{}: no count of {table}", path.display()))?;
        total += n;
    }
    Ok(total)
}

/// Imports `dump` into an archive under `data` (once), then exports it three times in each
/// format; adds the throughput and peak-memory rows.
pub(super) fn export_rows(
    meeting: &Path,
    data: &Path,
    dump: &Path,
    rows: &mut Vec<Row>,
) -> Result<(), String> {
    let stem = dump
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let archive = data.join(format!("{stem}.archive.sqlite"));
    let archive_s = archive.to_str().unwrap_or_default();
    if !archive.exists() {
        eprintln!("xtask bench: meeting archive import {stem}");
        let partial = data.join(format!("{stem}.archive.sqlite.partial"));
        let _ = std::fs::remove_file(&partial);
        measure(
            meeting,
            &[
                "archive",
                "import",
                dump.to_str().unwrap_or_default(),
                "--archive",
                partial.to_str().unwrap_or_default(),
                "-q",
            ],
        )?;
        std::fs::rename(&partial, &archive).map_err(|e| format!("{}: {e}", archive.display()))?;
    }
    let mut figures = Vec::new();
    for format in ["parquet", "jsonl"] {
        let out = data.join(format!("export-{format}"));
        eprintln!("xtask bench: meeting export --archive -o {format}");
        let mut walls = Vec::new();
        let mut peak: Option<f64> = None;
        for _ in 0..3 {
            let measured = measure(
                meeting,
                &[
                    "export",
                    "--archive",
                    archive_s,
                    "-o",
                    format,
                    "--out",
                    out.to_str().unwrap_or_default(),
                    "--tz",
                    "Asia/Shanghai",
                    "-q",
                ],
            )?;
            let (wall, rss) = (measured.wall, measured.rss);
            walls.push(wall);
            peak = match (peak, rss) {
                (Some(p), Some(r)) => Some(p.max(r)),
                (p, r) => p.or(r),
            };
        }
        let n = rows_written(&out)?;
        let bytes = dir_bytes(&out);
        figures.push((format, n as f64 / median(walls), peak, n, bytes));
    }
    let [
        (_, pq_rate, pq_rss, n, pq_bytes),
        (_, jl_rate, jl_rss, _, jl_bytes),
    ] = figures[..]
    else {
        return Ok(());
    };
    let mib = |b: u64| b as f64 / (1024.0 * 1024.0);
    rows.push(Row {
        area: "export",
        what: format!(
            "meeting export --archive -o parquet, {n} rows (4 tables), rows/s ({:.0} MiB written)",
            mib(pq_bytes)
        ),
        value: format!("{pq_rate:.0}"),
        baseline: format!(
            "{jl_rate:.0} (-o jsonl, same rows, {:.0} MiB written)",
            mib(jl_bytes)
        ),
        ratio: Some(pq_rate / jl_rate),
        goal: ">= 0.5x",
    });
    if let (Some(p), Some(j)) = (pq_rss, jl_rss) {
        rows.push(Row {
            area: "export",
            what: "meeting export --archive -o parquet, peak RSS, MiB".into(),
            value: format!("{p:.0}"),
            baseline: format!("{j:.0} (-o jsonl)"),
            ratio: Some(p / j),
            goal: "<= 1.5x",
        });
    }
    Ok(())
}

fn dir_bytes(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| {
                    let p = e.path();
                    if p.is_dir() {
                        dir_bytes(&p)
                    } else {
                        e.metadata().map(|m| m.len()).unwrap_or(0)
                    }
                })
                .sum()
        })
        .unwrap_or(0)
}

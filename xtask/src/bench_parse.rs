//! `cargo xtask bench-parse [--quick] [--before BIN]`: `meeting parse -o jsonl` (the streaming
//! path) against `jq` on dumps of every endpoint, with one thread and with every core, and,
//! with `--before`, an older `meeting` binary measured in the same run (before/after).

use std::path::{Path, PathBuf};

use super::{Row, generated, markdown_table, median_run, size_mb};
use crate::root;

/// jq's program listing the records of `endpoint`'s answers, one per line.
fn jq_program(endpoint: &str) -> &'static str {
    match endpoint {
        "detail" => ".data.meetings[]",
        "quanshi-conference" => ".result[]",
        _ => ".data[]",
    }
}

pub(crate) fn bench_parse(quick: bool, before: Option<PathBuf>) -> Result<(), String> {
    eprintln!("xtask bench-parse: building release binaries");
    let (release, data) = super::release_binaries()?;
    let sim = release.join("meeting-sim");
    let meeting = release.join("meeting");
    let mut binaries: Vec<(&str, PathBuf)> = vec![("after", meeting)];
    if let Some(b) = before {
        binaries.push(("before", b));
    }
    let (small, big, other) = if quick {
        ("5MB", "20MB", "5MB")
    } else {
        ("20MB", "100MB", "20MB")
    };
    let inputs = [
        ("detail", small),
        ("detail", big),
        ("reports", other),
        ("his-meeting", other),
        ("quanshi-conference", other),
    ];
    let mut rows = Vec::new();
    for (endpoint, size) in inputs {
        let path = generated(&sim, &data, endpoint, size, "7")?;
        let file = path.to_str().unwrap_or_default();
        let mb = size_mb(&path);
        eprintln!("xtask bench-parse: jq on {endpoint} {size}");
        let jq = median_run(3, Path::new("jq"), &["-c", jq_program(endpoint), file])?.wall;
        for jobs in ["1", "2"] {
            for (label, bin) in &binaries {
                eprintln!("xtask bench-parse: {label}, {endpoint} {size}, --jobs {jobs}");
                let run = median_run(
                    5,
                    bin,
                    &[
                        "parse",
                        file,
                        "-o",
                        "jsonl",
                        "--no-merge",
                        "--tz",
                        "UTC",
                        "--jobs",
                        jobs,
                        "-q",
                    ],
                )?;
                let big_detail = endpoint == "detail" && size == big;
                let goal = match (label, endpoint, jobs) {
                    (&"after", "detail", "2") if big_detail => ">= 15x",
                    (&"after", "detail", "1") if big_detail => ">= 10x",
                    (&"after", "detail", "2") => ">= 12x",
                    _ => "",
                };
                rows.push(Row {
                    area: "parse",
                    what: format!(
                        "{label}: meeting parse -o jsonl, {endpoint} ({mb:.0} MB), --jobs {jobs}, MB/s (peak {} MiB)",
                        run.rss.map_or("?".into(), |r| format!("{r:.0}"))
                    ),
                    value: format!("{:.0}", mb / run.wall),
                    baseline: format!("{:.0} (jq -c '{}')", mb / jq, jq_program(endpoint)),
                    ratio: Some(jq / run.wall),
                    goal,
                });
            }
        }
    }
    let table = markdown_table(&rows);
    let cores = std::thread::available_parallelism().map_or(0, usize::from);
    let report = format!("{cores} cores.\n\n{table}");
    println!("{report}");
    let path = root().join("target/bench-parse-report.md");
    std::fs::write(&path, &report).map_err(|e| format!("{}: {e}", path.display()))?;
    eprintln!("xtask bench-parse: written to {}", path.display());
    Ok(())
}

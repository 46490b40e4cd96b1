//! Offline reading: files, directories of `--save-raw` records, stdin; in parallel per file
//! (`--jobs`), output order preserved.

use std::io::Read;
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use meeting_core::{DumpOptions, Meeting, read_dump};

use crate::error::{CliError, Result};

/// One input to read.
#[derive(Clone, Debug)]
pub(crate) enum Input {
    Stdin,
    File(PathBuf),
}

impl Input {
    pub(crate) fn name(&self) -> String {
        match self {
            Input::Stdin => String::from("<stdin>"),
            Input::File(p) => p.display().to_string(),
        }
    }
}

/// What reading one input gave.
#[derive(Default)]
pub(crate) struct InputResult {
    pub(crate) meetings: Vec<Meeting>,
    /// One located message per bad document.
    pub(crate) errors: Vec<String>,
    pub(crate) documents: u64,
    pub(crate) bad: u64,
}

/// Expands the command-line inputs: directories become their files sorted by name (hidden
/// files and subdirectories skipped); `-` is stdin. Returns whether any was a directory.
pub(crate) fn expand(args: &[PathBuf]) -> Result<(Vec<Input>, bool)> {
    let mut out = Vec::new();
    let mut saw_dir = false;
    if args.is_empty() {
        if std::io::IsTerminal::is_terminal(&std::io::stdin()) {
            return Err(CliError::usage(
                "no input: give files, directories or `-` for stdin (see `meeting parse --help`)",
            ));
        }
        out.push(Input::Stdin);
    }
    for arg in args {
        if arg.as_os_str() == "-" {
            out.push(Input::Stdin);
        } else if arg.is_dir() {
            saw_dir = true;
            let mut files: Vec<PathBuf> = std::fs::read_dir(arg)
                .map_err(|e| {
                    CliError::data(format!("cannot read the directory {}: {e}", arg.display()))
                })?
                .filter_map(|entry| entry.ok())
                .map(|entry| entry.path())
                .filter(|p| {
                    p.is_file()
                        && !p
                            .file_name()
                            .is_some_and(|n| n.to_string_lossy().starts_with('.'))
                })
                .collect();
            files.sort();
            out.extend(files.into_iter().map(Input::File));
        } else {
            out.push(Input::File(arg.clone()));
        }
    }
    Ok((out, saw_dir))
}

/// Opens an input for reading; the error names the input.
pub(crate) fn open(input: &Input) -> Result<Box<dyn Read>, String> {
    match input {
        Input::Stdin => Ok(Box::new(std::io::stdin().lock())),
        Input::File(p) => match std::fs::File::open(p) {
            Ok(f) => Ok(Box::new(std::io::BufReader::with_capacity(256 * 1024, f))),
            Err(e) => Err(format!("{}: cannot open: {e}", input.name())),
        },
    }
}

fn read_one(input: &Input, options: &DumpOptions) -> InputResult {
    match open(input) {
        Ok(reader) => read_from(&input.name(), reader, options),
        Err(e) => InputResult {
            errors: vec![e],
            documents: 1,
            bad: 1,
            ..InputResult::default()
        },
    }
}

fn read_from(name: &str, reader: Box<dyn Read>, options: &DumpOptions) -> InputResult {
    let mut out = InputResult::default();
    let mut dump = read_dump(reader, options.clone());
    for item in dump.by_ref() {
        match item {
            Ok(m) => out.meetings.push(m),
            Err(e) => out.errors.push(format!("{name}: {e}")),
        }
    }
    let stats = dump.stats();
    out.documents = stats.documents;
    out.bad = stats.bad_documents;
    out
}

/// One input rendered apart (for `--jobs`): its output bytes and its report.
#[derive(Default)]
pub(crate) struct Rendered {
    pub(crate) bytes: Vec<u8>,
    pub(crate) errors: Vec<String>,
    pub(crate) documents: u64,
    pub(crate) bad: u64,
    pub(crate) read: u64,
    pub(crate) written: usize,
}

/// Reads one input and renders the meetings `keep` accepts (JSON Lines or CSV rows without
/// the header), masked with `mask_pii`.
pub(crate) fn render(
    input: &Input,
    options: &DumpOptions,
    r: &crate::output::Render,
    keep: impl Fn(&Meeting) -> bool,
    mask_pii: bool,
) -> Rendered {
    let mut out = Rendered::default();
    let reader = match open(input) {
        Ok(reader) => reader,
        Err(e) => {
            out.errors.push(e);
            out.documents = 1;
            out.bad = 1;
            return out;
        }
    };
    let name = input.name();
    let mut bytes = Vec::new();
    let mut dump = read_dump(reader, options.clone());
    if let Ok(Some(mut stream)) = crate::output::StreamWriter::with_header(&mut bytes, r, false) {
        for item in dump.by_ref() {
            match item {
                Ok(mut m) => {
                    out.read += 1;
                    if !keep(&m) {
                        continue;
                    }
                    if mask_pii {
                        crate::mask::mask_meeting(&mut m);
                    }
                    if stream.write(&m).is_ok() {
                        out.written += 1;
                    }
                }
                Err(e) => out.errors.push(format!("{name}: {e}")),
            }
        }
        let _ = stream.finish();
    }
    let stats = dump.stats();
    out.documents = stats.documents;
    out.bad = stats.bad_documents;
    out.bytes = bytes;
    out
}

/// Reads every input with up to `jobs` threads; results in input order.
pub(crate) fn read_all(inputs: &[Input], options: &DumpOptions, jobs: usize) -> Vec<InputResult> {
    let jobs = jobs.clamp(1, inputs.len().max(1));
    if jobs == 1 {
        return inputs.iter().map(|i| read_one(i, options)).collect();
    }
    let next = AtomicUsize::new(0);
    let slots: Vec<Mutex<Option<InputResult>>> = inputs.iter().map(|_| Mutex::new(None)).collect();
    std::thread::scope(|scope| {
        for _ in 0..jobs {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(input) = inputs.get(i) else {
                        break;
                    };
                    let result = read_one(input, options);
                    if let Some(slot) = slots.get(i)
                        && let Ok(mut slot) = slot.lock()
                    {
                        *slot = Some(result);
                    }
                }
            });
        }
    });
    slots
        .into_iter()
        .map(|s| s.into_inner().ok().flatten().unwrap_or_default())
        .collect()
}

/// The default number of jobs: the CPUs available.
pub(crate) fn default_jobs() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get)
}

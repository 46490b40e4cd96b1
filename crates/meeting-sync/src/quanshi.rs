//! Quanshi lookups: reservations by join link and conferences by temporary id, one or many.

use std::path::{Path, PathBuf};

use meeting_core::{Context, Normalize, Source};
use meeting_http::QuanshiClient;

use crate::job::Batch;

/// A reservation by its attendee join link, as one batch.
pub async fn conference(client: &QuanshiClient, ctx: &Context, link: &str) -> Batch {
    let mut batch = Batch::new(Source::QuanshiConference, None);
    match client.conference_by_join_url(link).await {
        Ok(list) => list.normalize_into(ctx, &mut batch.meetings),
        Err(e) => batch.failures.push(e),
    }
    batch.observed_now()
}

/// A conference by its temporary id (dashboard), as one batch.
pub async fn info(client: &QuanshiClient, ctx: &Context, temp_id: &str) -> Batch {
    let mut batch = Batch::new(Source::QuanshiDashboard, None);
    match client.dashboard_conference_info(temp_id).await {
        Ok(d) => d.normalize_into(ctx, &mut batch.meetings),
        Err(e) => batch.failures.push(e),
    }
    batch.observed_now()
}

/// Many lookups, one batch each, in the order given (join links and temporary ids may be
/// mixed: see [`Lookup`]).
pub async fn lookups(
    client: &QuanshiClient,
    ctx: &Context,
    ids: &[Lookup],
    on_batch: &mut (dyn FnMut(Batch) + Send),
) {
    for id in ids {
        let batch = match id {
            Lookup::JoinLink(link) => conference(client, ctx, link).await,
            Lookup::TempId(id) => info(client, ctx, id).await,
        };
        on_batch(batch);
    }
}

/// One Quanshi lookup.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Lookup {
    /// An attendee join link (a URL): the reservation.
    JoinLink(String),
    /// A temporary conference id: the occurrence's statistics.
    TempId(String),
}

impl std::fmt::Debug for Lookup {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            // A join link admits whoever holds it: never printed.
            Lookup::JoinLink(_) => f.write_str("JoinLink(<redacted>)"),
            Lookup::TempId(id) => f.debug_tuple("TempId").field(id).finish(),
        }
    }
}

impl Lookup {
    /// A join link when `text` is a URL, else a temporary id (surrounding space trimmed).
    pub fn parse(text: &str) -> Lookup {
        let text = text.trim();
        if text.starts_with("http://") || text.starts_with("https://") {
            Lookup::JoinLink(text.to_owned())
        } else {
            Lookup::TempId(text.to_owned())
        }
    }

    /// One lookup per non-empty line of `text` (`#` starts a comment line).
    pub fn parse_lines(text: &str) -> Vec<Lookup> {
        text.lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(Lookup::parse)
            .collect()
    }
}

/// A list of lookups (`--ids FILE|-`) that cannot be read or holds none.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LookupsError {
    /// Standard input could not be read.
    #[error("--ids -: cannot read stdin: {0}")]
    Stdin(std::io::Error),
    /// The file could not be read.
    #[error("--ids {}: cannot read it: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// Nothing to look up in it.
    #[error(
        "--ids {}: no ids or join links in it (one per line; `#` starts a comment)",
        .0.display()
    )]
    Empty(PathBuf),
}

/// The lookups of a file, or of standard input when `path` is `-` ([`Lookup::parse_lines`]).
///
/// # Errors
///
/// The file or stdin cannot be read, or holds no lookup.
pub fn read_lookups(path: &Path) -> Result<Vec<Lookup>, LookupsError> {
    let text = if path.as_os_str() == "-" {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin().lock(), &mut text)
            .map_err(LookupsError::Stdin)?;
        text
    } else {
        std::fs::read_to_string(path).map_err(|source| LookupsError::Read {
            path: path.to_path_buf(),
            source,
        })?
    };
    let lookups = Lookup::parse_lines(&text);
    if lookups.is_empty() {
        return Err(LookupsError::Empty(path.to_path_buf()));
    }
    Ok(lookups)
}

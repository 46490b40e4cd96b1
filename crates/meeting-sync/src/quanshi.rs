//! Quanshi lookups: reservations by join link and conferences by temporary id, one or many.

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

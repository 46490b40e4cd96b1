//! The meeting archive: one SQLite file of vendor observations and the meetings rebuilt
//! from them, with runs, sync cursors and (optionally) the verbatim vendor responses.
#![forbid(unsafe_code)]

mod codec;
mod error;
mod model;
mod path;
mod read;
mod schema;
mod write;
mod writer;

pub use codec::is_raw_secret_field;
pub use error::{ErrorKind, Result, StoreError};
pub use model::{
    Cursor, Info, LoadSummary, MonthCount, Observation, Problem, PurgeSummary, Query, RawResponse,
    RunManifest, Window, WindowCommit,
};
pub use path::{ARCHIVE_ENV, ARCHIVE_FILE_NAME, default_archive_path, resolve_archive_path};
pub use read::{Archive, Meetings, RoomRecord};
pub use schema::SCHEMA_VERSION;
pub use writer::Writer;

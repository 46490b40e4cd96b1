//! Writing meetings: the shared last step of live and offline commands.

use std::io::Write;

use meeting_core::Meeting;

use crate::app::App;
use crate::cli::{OutputArgs, RowsArg};
use crate::error::Result;

/// Something written after the meetings, on the same writer (the demo's summary).
pub(crate) type After<'f> = dyn Fn(&mut dyn Write) -> std::io::Result<()> + 'f;

/// Writes meetings in the chosen format (masked with `--mask-pii`); `after` runs after on
/// the same writer.
pub(crate) fn emit(
    app: &App<'_>,
    mut meetings: Vec<Meeting>,
    output: &OutputArgs,
    rows: &RowsArg,
    after: Option<&After<'_>>,
) -> Result<()> {
    let render = app.render_rows(output, rows)?;
    if let Some(key) = rows.sort {
        meeting_core::query::sort_by(&mut meetings, key);
    }
    if let Some(masker) = app.masker(output)? {
        meetings.iter_mut().for_each(|m| masker.mask_meeting(m));
    }
    app.write_output(output.out.as_deref(), "the output", |w| {
        meeting_report::write_meetings(w, &meetings, &render)?;
        match after {
            Some(f) => f(w),
            None => Ok(()),
        }
    })
}

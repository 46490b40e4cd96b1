//! Vendor bodies as received (`--raw`).

use std::io::{self, Write};

use crate::Format;

/// Writes vendor bodies in fetch order: verbatim (BOM stripped) for [`Format::Json`], one
/// compact line per body for [`Format::Jsonl`] (a body that spans lines is re-serialised);
/// with `mask_pii`, re-serialised with personal data masked ([`crate::mask::mask_value`]). A
/// body that is not JSON is written as a JSON string.
pub fn write_raw_bodies<'a>(
    out: &mut dyn Write,
    bodies: impl IntoIterator<Item = &'a [u8]>,
    format: Format,
    mask_pii: bool,
) -> io::Result<()> {
    let lines = format != Format::Json;
    for body in bodies {
        let body = body.strip_prefix("\u{feff}".as_bytes()).unwrap_or(body);
        let trimmed = body.trim_ascii();
        let verbatim_ok = !mask_pii && (!lines || !trimmed.contains(&b'\n'));
        if verbatim_ok && serde_json::from_slice::<serde::de::IgnoredAny>(trimmed).is_ok() {
            out.write_all(trimmed)?;
            writeln!(out)?;
            continue;
        }
        let mut value = serde_json::from_slice::<serde_json::Value>(trimmed).unwrap_or_else(|_| {
            serde_json::Value::String(String::from_utf8_lossy(trimmed).into_owned())
        });
        if mask_pii {
            crate::mask::mask_value(None, &mut value);
        }
        if lines {
            serde_json::to_writer(&mut *out, &value).map_err(io::Error::other)?;
        } else {
            serde_json::to_writer_pretty(&mut *out, &value).map_err(io::Error::other)?;
        }
        writeln!(out)?;
    }
    out.flush()
}

//! Vendor bodies as received (`--raw`).

use std::io::{self, Write};

use crate::Format;

/// Writes vendor bodies in fetch order: verbatim (BOM stripped) for [`Format::Json`], one
/// compact line per body for [`Format::Jsonl`] (a body that spans lines is re-serialised).
/// Secrets (meeting passwords, host and live links, tokens: [`meeting_wire::secret_key::is_secret_key`],
/// also inside JSON held in strings) are replaced by `"[redacted]"` unless `show_secrets`;
/// with `mask`, personal data is masked too. A body that needed either is re-serialised; a
/// body that is not JSON is written as a JSON string.
pub fn write_raw_bodies<'a>(
    out: &mut dyn Write,
    bodies: impl IntoIterator<Item = &'a [u8]>,
    format: Format,
    mask: Option<&crate::mask::Masker>,
    show_secrets: bool,
) -> io::Result<()> {
    let lines = format != Format::Json;
    for body in bodies {
        let body = body.strip_prefix("\u{feff}".as_bytes()).unwrap_or(body);
        let trimmed = body.trim_ascii();
        let mut value = serde_json::from_slice::<serde_json::Value>(trimmed).ok();
        let redacted = match (&mut value, show_secrets) {
            (Some(v), false) => meeting_wire::secret_key::redact_secrets(v),
            _ => 0,
        };
        let verbatim_ok = redacted == 0 && mask.is_none() && (!lines || !trimmed.contains(&b'\n'));
        if verbatim_ok && value.is_some() {
            out.write_all(trimmed)?;
            writeln!(out)?;
            continue;
        }
        let mut value = value.unwrap_or_else(|| {
            serde_json::Value::String(String::from_utf8_lossy(trimmed).into_owned())
        });
        if let Some(masker) = mask {
            masker.mask_value(None, &mut value);
        }
        if lines {
            serde_json::to_writer(&mut *out, &value).map_err(io::Error::from)?;
        } else {
            serde_json::to_writer_pretty(&mut *out, &value).map_err(io::Error::from)?;
        }
        writeln!(out)?;
    }
    out.flush()
}

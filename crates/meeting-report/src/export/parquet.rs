//! The Parquet form of the exported tables (feature `parquet`): arrow arrays built column by
//! column, written with `parquet`'s `ArrowWriter` with fixed writer metadata.

use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use arrow_array::builder::{
    BooleanBuilder, Decimal128Builder, Int64Builder, StringBuilder, TimestampMicrosecondBuilder,
};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef, TimeUnit};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression as PqCompression, ZstdLevel};
use parquet::file::properties::{EnabledStatistics, WriterProperties};

use super::schema::{Cell, ColumnType, DECIMAL_PRECISION, DECIMAL_SCALE, Table};
use super::{CREATED_BY, Compression, ExportError, ExportErrorKind, ExportOptions};

/// The zone of every timestamp column.
const UTC: &str = "UTC";

/// The arrow type of a column type.
fn data_type(ty: ColumnType) -> DataType {
    match ty {
        ColumnType::String | ColumnType::Json => DataType::Utf8,
        ColumnType::Int64 => DataType::Int64,
        ColumnType::Boolean => DataType::Boolean,
        ColumnType::Timestamp => DataType::Timestamp(TimeUnit::Microsecond, Some(UTC.into())),
        ColumnType::Decimal => DataType::Decimal128(DECIMAL_PRECISION, DECIMAL_SCALE),
    }
}

/// The arrow schema of a table.
pub(crate) fn arrow_schema(table: &Table) -> SchemaRef {
    Arc::new(Schema::new(
        table
            .columns
            .iter()
            .map(|c| Field::new(c.name, data_type(c.ty), c.nullable))
            .collect::<Vec<_>>(),
    ))
}

fn properties(options: &ExportOptions) -> WriterProperties {
    let compression = match options.compression {
        // Level 3 is always valid; the fallback is never taken.
        Compression::Zstd => PqCompression::ZSTD(ZstdLevel::try_new(3).unwrap_or_default()),
        Compression::Snappy => PqCompression::SNAPPY,
        Compression::None => PqCompression::UNCOMPRESSED,
    };
    WriterProperties::builder()
        .set_created_by(CREATED_BY.to_owned())
        .set_compression(compression)
        .set_max_row_group_row_count(Some(options.row_group_rows.max(1)))
        .set_max_row_group_bytes(None)
        .set_statistics_enabled(EnabledStatistics::Page)
        .build()
}

fn pq_error(path: &Path, e: impl std::fmt::Display) -> ExportError {
    ExportError::new(ExportErrorKind::Parquet {
        path: path.to_path_buf(),
        message: e.to_string(),
    })
}

/// Writes `rows` (already sorted) as one Parquet file, one row group per
/// [`ExportOptions::row_group_rows`] rows.
pub(crate) fn write<W: Write + Send>(
    w: W,
    table: &Table,
    rows: &[Vec<Cell>],
    options: &ExportOptions,
    path: &Path,
) -> Result<(), ExportError> {
    let schema = arrow_schema(table);
    let mut writer = ArrowWriter::try_new(w, Arc::clone(&schema), Some(properties(options)))
        .map_err(|e| pq_error(path, e))?;
    let chunk = options.row_group_rows.max(1);
    for rows in rows.chunks(chunk) {
        let batch = batch(&schema, table, rows).map_err(|e| pq_error(path, e))?;
        writer.write(&batch).map_err(|e| pq_error(path, e))?;
        writer.flush().map_err(|e| pq_error(path, e))?;
    }
    writer.close().map_err(|e| pq_error(path, e))?;
    Ok(())
}

/// The record batch of `rows`, column by column.
fn batch(
    schema: &SchemaRef,
    table: &Table,
    rows: &[Vec<Cell>],
) -> Result<RecordBatch, arrow_schema::ArrowError> {
    let mut columns: Vec<ArrayRef> = Vec::with_capacity(table.columns.len());
    for (i, column) in table.columns.iter().enumerate() {
        let cells = rows.iter().map(|r| r.get(i).unwrap_or(&Cell::Null));
        let array: ArrayRef = match column.ty {
            ColumnType::String | ColumnType::Json => {
                let mut b = StringBuilder::new();
                for c in cells {
                    match c {
                        Cell::Str(s) => b.append_value(s),
                        _ => b.append_null(),
                    }
                }
                Arc::new(b.finish())
            }
            ColumnType::Int64 => {
                let mut b = Int64Builder::with_capacity(rows.len());
                for c in cells {
                    match c {
                        Cell::Int(n) => b.append_value(*n),
                        _ => b.append_null(),
                    }
                }
                Arc::new(b.finish())
            }
            ColumnType::Boolean => {
                let mut b = BooleanBuilder::with_capacity(rows.len());
                for c in cells {
                    match c {
                        Cell::Bool(v) => b.append_value(*v),
                        _ => b.append_null(),
                    }
                }
                Arc::new(b.finish())
            }
            ColumnType::Timestamp => {
                let mut b =
                    TimestampMicrosecondBuilder::with_capacity(rows.len()).with_timezone(UTC);
                for c in cells {
                    match c {
                        Cell::Ts(t) => b.append_value(t.timestamp_micros()),
                        _ => b.append_null(),
                    }
                }
                Arc::new(b.finish())
            }
            ColumnType::Decimal => {
                let mut b = Decimal128Builder::with_capacity(rows.len())
                    .with_precision_and_scale(DECIMAL_PRECISION, DECIMAL_SCALE)?;
                for c in cells {
                    match c {
                        Cell::Dec(v) => b.append_value(*v),
                        _ => b.append_null(),
                    }
                }
                Arc::new(b.finish())
            }
        };
        columns.push(array);
    }
    RecordBatch::try_new(Arc::clone(schema), columns)
}

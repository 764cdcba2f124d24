//! The custom-CSV shop's GraphQL types (extensions of API.md): the column mapping in the shop
//! settings, CSV upload (multipart) and CSV download.

use async_graphql::{ID, InputObject, SimpleObject, Upload};
use base64::Engine;
use chrono::{DateTime, FixedOffset};
use shared::{CsvEncoding, CsvField, OrderStatus};

use crate::csv_shop;
use crate::graphql::types::SyncRun;

/// One column of a CSV file: the order field it carries and its header.
#[derive(SimpleObject, InputObject, Clone)]
#[graphql(input_name = "CsvColumnInput")]
pub struct CsvColumn {
    pub field: CsvField,
    pub header: String,
}

impl From<shared::csv_orders::CsvColumn> for CsvColumn {
    fn from(c: shared::csv_orders::CsvColumn) -> Self {
        CsvColumn { field: c.field, header: c.header }
    }
}

impl From<CsvColumn> for shared::csv_orders::CsvColumn {
    fn from(c: CsvColumn) -> Self {
        shared::csv_orders::CsvColumn { field: c.field, header: c.header }
    }
}

#[derive(InputObject)]
pub struct CsvImportInput {
    pub shop_id: ID,
    /// The CSV file (GraphQL multipart request).
    pub file: Upload,
    /// Without it: UTF-8 when the file is valid UTF-8, otherwise Shift_JIS.
    pub encoding: Option<CsvEncoding>,
}

/// A refused line of an uploaded file.
#[derive(SimpleObject)]
pub struct CsvRowError {
    /// 行番号 in the file (1 = the header line).
    pub line: i32,
    /// The header of the column at fault, when one is.
    pub column: Option<String>,
    pub message: String,
}

impl From<shared::csv_orders::CsvRowError> for CsvRowError {
    fn from(e: shared::csv_orders::CsvRowError) -> Self {
        CsvRowError { line: e.line.min(i32::MAX as u64) as i32, column: e.column, message: e.message }
    }
}

/// What an upload did: the run with its counts, and every refused line.
#[derive(SimpleObject)]
pub struct CsvImport {
    pub run: SyncRun,
    pub row_errors: Vec<CsvRowError>,
}

#[derive(InputObject)]
pub struct CsvExportInput {
    pub shop_id: ID,
    /// On the order time, inclusive.
    pub from: Option<DateTime<FixedOffset>>,
    pub to: Option<DateTime<FixedOffset>>,
    pub status: Option<OrderStatus>,
    /// Defaults to UTF-8 (written with a BOM so that Excel reads it).
    pub encoding: Option<CsvEncoding>,
}

/// A CSV file, in the shop's column mapping, one line per item.
#[derive(SimpleObject)]
pub struct CsvFile {
    pub file_name: String,
    pub content_type: String,
    pub encoding: CsvEncoding,
    pub order_count: i32,
    pub row_count: i32,
    /// Characters Shift_JIS cannot carry were written as 「?」; one line each.
    pub warnings: Vec<String>,
    /// The file's bytes, base64.
    pub content_base64: String,
}

impl From<csv_shop::CsvFile> for CsvFile {
    fn from(f: csv_shop::CsvFile) -> Self {
        CsvFile {
            file_name: f.file_name.clone(),
            content_type: f.content_type().to_owned(),
            encoding: f.encoding,
            order_count: f.order_count as i32,
            row_count: f.row_count as i32,
            warnings: f.warnings,
            content_base64: base64::engine::general_purpose::STANDARD.encode(&f.bytes),
        }
    }
}

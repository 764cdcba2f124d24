//! The custom-CSV shop (カスタムCSV店舗): column mapping, CSV upload (multipart), CSV download.

use super::{Id, NoVariables, SyncRun, UpdateShopVariables, UpdateShopVariablesFields, operation, schema};
use crate::csv_orders::CsvColumn;
use crate::{CsvEncoding, CsvField, Marketplace, OrderStatus};

/// `CsvColumn`: one column of a CSV file (the order field and its header), read into the
/// domain's [`CsvColumn`] (what the editor and the server validate) with `into()`.
#[derive(cynic::QueryFragment, Debug, Clone, PartialEq, Eq)]
#[cynic(graphql_type = "CsvColumn")]
pub struct CsvColumnFields {
    pub field: CsvField,
    pub header: String,
}

impl From<CsvColumnFields> for CsvColumn {
    fn from(c: CsvColumnFields) -> Self {
        CsvColumn { field: c.field, header: c.header }
    }
}

/// `CsvColumnInput`.
#[derive(cynic::InputObject, Debug, Clone, PartialEq, Eq)]
pub struct CsvColumnInput {
    pub field: CsvField,
    pub header: String,
}

impl From<CsvColumn> for CsvColumnInput {
    fn from(c: CsvColumn) -> Self {
        CsvColumnInput { field: c.field, header: c.header }
    }
}

/// `ShopSettings { csvMapping }`.
#[derive(cynic::QueryFragment, Debug, Clone, PartialEq, Eq)]
#[cynic(graphql_type = "ShopSettings")]
pub struct CsvMappingSettings {
    /// The saved mapping, or the default one (every field under its Japanese label).
    pub csv_mapping: Vec<CsvColumnFields>,
}

/// A shop with its CSV column mapping.
#[derive(cynic::QueryFragment, Debug, Clone, PartialEq, Eq)]
#[cynic(graphql_type = "Shop")]
pub struct ShopCsvMappingRow {
    pub id: Id,
    pub marketplace: Marketplace,
    pub settings: CsvMappingSettings,
}

#[derive(cynic::QueryFragment, Debug, Clone, PartialEq, Eq)]
#[cynic(graphql_type = "QueryRoot")]
pub struct ShopCsvMappingData {
    pub shops: Vec<ShopCsvMappingRow>,
}

operation!(
    /// The CSV column mapping of every shop (店舗設定 → CSV列の設定).
    ShopCsvMapping: query ShopCsvMappingData(NoVariables)
);

#[derive(cynic::QueryFragment, Debug, Clone, PartialEq, Eq)]
#[cynic(graphql_type = "MutationRoot", variables = "UpdateShopVariables")]
pub struct UpdateShopCsvMappingData {
    #[arguments(id: $id, input: $input)]
    pub update_shop: ShopCsvMappingRow,
}

operation!(
    /// CSV列の設定を保存 (or 初期値に戻す with an empty list): `updateShop` with the shop's name
    /// and profile as stored and only `settings.csvMapping`, so the other settings stay.
    UpdateShopCsvMapping: mutation UpdateShopCsvMappingData(UpdateShopVariables)
);

/// Where the file of [`ImportOrdersCsv`] goes in its variables (the multipart `map` names
/// `variables.input.file`).
pub const CSV_IMPORT_FILE_AT: &str = "input.file";

/// `CsvImportInput`. `file` is always `null` in the JSON: the file itself is part `0` of the
/// multipart request, mapped to `variables.input.file` ([`CSV_IMPORT_FILE_AT`]).
#[derive(cynic::InputObject, Debug, Clone, PartialEq, Eq)]
pub struct CsvImportInput {
    pub shop_id: Id,
    pub file: super::glue::Upload,
    /// `None`: the server detects it (valid UTF-8 is UTF-8, anything else Shift_JIS).
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub encoding: Option<CsvEncoding>,
}

#[derive(cynic::QueryVariables, Debug, Clone, PartialEq, Eq)]
pub struct CsvImportVariables {
    pub input: CsvImportInput,
}

/// `CsvRowError`: a refused line of an uploaded file.
#[derive(cynic::QueryFragment, Debug, Clone, PartialEq, Eq)]
pub struct CsvRowError {
    /// 行番号 in the file (1 = the header line).
    pub line: i32,
    /// The header of the column at fault, when one is.
    pub column: Option<String>,
    pub message: String,
}

/// `CsvImport`: the run with its counts, and every refused line.
#[derive(cynic::QueryFragment, Debug, Clone, PartialEq, Eq)]
pub struct CsvImport {
    pub run: SyncRun,
    pub row_errors: Vec<CsvRowError>,
}

#[derive(cynic::QueryFragment, Debug, Clone, PartialEq, Eq)]
#[cynic(graphql_type = "MutationRoot", variables = "CsvImportVariables")]
pub struct ImportOrdersCsvData {
    #[arguments(input: $input)]
    pub import_orders_csv: CsvImport,
}

operation!(
    /// 受注CSV取込 (a GraphQL multipart request; custom-CSV shops only).
    ImportOrdersCsv: mutation ImportOrdersCsvData(CsvImportVariables)
);

/// `CsvExportInput`: orders of one shop by order time (inclusive) and status.
#[derive(cynic::InputObject, Debug, Clone, PartialEq, Eq)]
pub struct CsvExportInput {
    pub shop_id: Id,
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub from: Option<super::Timestamp>,
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub to: Option<super::Timestamp>,
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub status: Option<OrderStatus>,
    /// `None`: UTF-8 (with a BOM, for Excel).
    #[cynic(skip_serializing_if = "Option::is_none")]
    pub encoding: Option<CsvEncoding>,
}

#[derive(cynic::QueryVariables, Debug, Clone, PartialEq, Eq)]
pub struct CsvExportVariables {
    pub input: CsvExportInput,
}

/// `CsvFile`: a downloaded CSV file, its bytes in base64.
#[derive(cynic::QueryFragment, Debug, Clone, PartialEq, Eq)]
pub struct CsvFile {
    pub file_name: String,
    pub content_type: String,
    pub encoding: CsvEncoding,
    pub order_count: i32,
    pub row_count: i32,
    /// Characters Shift_JIS cannot carry (written as 「?」), one line each.
    pub warnings: Vec<String>,
    pub content_base64: String,
}

#[derive(cynic::QueryFragment, Debug, Clone, PartialEq, Eq)]
#[cynic(graphql_type = "MutationRoot", variables = "CsvExportVariables")]
pub struct ExportOrdersCsvData {
    #[arguments(input: $input)]
    pub export_orders_csv: CsvFile,
}

operation!(
    /// 受注CSV書出.
    ExportOrdersCsv: mutation ExportOrdersCsvData(CsvExportVariables)
);

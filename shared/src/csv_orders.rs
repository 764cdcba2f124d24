//! The custom-CSV shop (カスタムCSV店舗, SPEC §8): orders come in as CSV with a column mapping
//! saved per shop, and go out as CSV with the same mapping, so an exported file imports again
//! unchanged.
//!
//! One CSV line is one item (商品) of an order; the lines of one order share its 受注番号 and
//! the order's own fields are read from its first line. A bad line is reported with its line
//! number and the order it belongs to is not imported (a partial order would be worse than
//! none), while every other order still is.
//!
//! This module is pure: the server reads the bytes (encoding, CSV quoting) and hands over the
//! header and the records as strings.

use std::collections::HashMap;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, TimeZone};
use serde::{Deserialize, Serialize};

use crate::{CsvField, Marketplace, OrderStatus, order_status};

/// Japan Standard Time: CSV times without an offset are read, and written, in JST.
pub fn jst() -> FixedOffset {
    const JST: FixedOffset = match FixedOffset::east_opt(9 * 3600) {
        Some(offset) => offset,
        None => panic!("+09:00 is a valid offset"),
    };
    JST
}

/// Fields every mapping must carry: without them an order cannot be stored.
pub const REQUIRED: &[CsvField] = &[
    CsvField::OrderNumber,
    CsvField::OrderedAt,
    CsvField::RecipientName,
    CsvField::ItemName,
    CsvField::UnitPrice,
    CsvField::Quantity,
];

pub const MAX_HEADER_CHARS: usize = 100;

/// One column: which order field it carries, under which header.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CsvColumn {
    pub field: CsvField,
    pub header: String,
}

/// The saved column mapping of a shop, in the column order of exported files.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CsvMapping {
    pub columns: Vec<CsvColumn>,
}

impl Default for CsvMapping {
    /// Every field under its Japanese label (the header row of a file Madoguchi writes).
    fn default() -> Self {
        CsvMapping {
            columns: CsvField::ALL.iter().map(|f| CsvColumn { field: *f, header: f.label_ja().to_owned() }).collect(),
        }
    }
}

/// Why a mapping cannot be saved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MappingError(pub String);

impl std::fmt::Display for MappingError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl CsvMapping {
    /// Trims the headers and checks the mapping: every required field mapped, each field and
    /// each header at most once, headers 1–100 characters.
    pub fn validated(columns: Vec<CsvColumn>) -> Result<CsvMapping, MappingError> {
        let mut out = Vec::with_capacity(columns.len());
        for c in columns {
            let header = c.header.trim().to_owned();
            if header.is_empty() || header.chars().count() > MAX_HEADER_CHARS {
                return Err(MappingError(format!(
                    "「{}」の列名は1〜{MAX_HEADER_CHARS}文字で入力してください (header of {} must be 1-{MAX_HEADER_CHARS} characters)",
                    c.field.label_ja(),
                    c.field.as_str()
                )));
            }
            if out.iter().any(|o: &CsvColumn| o.field == c.field) {
                return Err(MappingError(format!(
                    "「{}」が2回指定されています (field {} is mapped twice)",
                    c.field.label_ja(),
                    c.field.as_str()
                )));
            }
            if out.iter().any(|o: &CsvColumn| o.header == header) {
                return Err(MappingError(format!("列名「{header}」が2回使われています (header used twice)")));
            }
            out.push(CsvColumn { field: c.field, header });
        }
        if let Some(missing) = REQUIRED.iter().find(|f| !out.iter().any(|c| c.field == **f)) {
            return Err(MappingError(format!(
                "必須の項目「{}」を列に割り当ててください (required field {} is not mapped)",
                missing.label_ja(),
                missing.as_str()
            )));
        }
        Ok(CsvMapping { columns: out })
    }

    pub fn header_of(&self, field: CsvField) -> Option<&str> {
        self.columns.iter().find(|c| c.field == field).map(|c| c.header.as_str())
    }

    /// The header row of an exported file.
    pub fn header_row(&self) -> Vec<String> {
        self.columns.iter().map(|c| c.header.clone()).collect()
    }
}

/// A person on an order (注文者 or 送付先).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CsvParty {
    pub name: Option<String>,
    pub postal_code: Option<String>,
    pub address: Option<String>,
    pub phone: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CsvItem {
    pub name: String,
    pub sku: Option<String>,
    pub unit_price: i64,
    pub quantity: i32,
}

/// An order as a CSV file carries it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CsvOrder {
    pub order_number: String,
    pub ordered_at: DateTime<FixedOffset>,
    /// `None`: the file says nothing about the status (a new order starts as 新規受付, an
    /// existing one keeps its status).
    pub status: Option<OrderStatus>,
    pub buyer: CsvParty,
    pub recipient: CsvParty,
    pub requested_delivery: Option<String>,
    pub items: Vec<CsvItem>,
    /// `None`: the sum of the items.
    pub total_amount: Option<i64>,
    pub payment_method: Option<String>,
    pub special_notes: Option<String>,
    /// `YYYY-MM-DD`.
    pub ship_date: Option<String>,
    pub carrier: Option<String>,
    pub delivery_method: Option<String>,
    pub tracking_number: Option<String>,
}

impl CsvOrder {
    pub fn total(&self) -> i64 {
        self.total_amount.unwrap_or_else(|| self.items.iter().map(|i| i.unit_price * i.quantity as i64).sum())
    }
}

/// A problem with one line of a file (行番号, 1 = the header line).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CsvRowError {
    pub line: u64,
    /// The header of the column at fault, when one is.
    pub column: Option<String>,
    pub message: String,
}

impl std::fmt::Display for CsvRowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.column {
            Some(c) => write!(f, "{}行目「{}」: {}", self.line, c, self.message),
            None => write!(f, "{}行目: {}", self.line, self.message),
        }
    }
}

/// What a file gave: the orders it carries in file order (each with the line of its first
/// row), and the lines that were refused.
#[derive(Clone, Debug, Default)]
pub struct CsvRead {
    pub orders: Vec<(u64, CsvOrder)>,
    pub errors: Vec<CsvRowError>,
}

/// One data line of a file: its line number and its cells.
pub struct CsvRecord {
    pub line: u64,
    pub cells: Vec<String>,
}

/// Reads the orders of a file. `Err` when the file as a whole cannot be read with this mapping
/// (a required column is missing from the header line); otherwise every line either becomes
/// part of an order or is reported.
pub fn read_orders(
    mapping: &CsvMapping,
    header: &[String],
    records: impl IntoIterator<Item = CsvRecord>,
) -> Result<CsvRead, CsvRowError> {
    let header: Vec<String> = header.iter().map(|h| h.trim().trim_start_matches('\u{feff}').to_owned()).collect();
    let mut index: HashMap<CsvField, (usize, String)> = HashMap::new();
    for c in &mapping.columns {
        match header.iter().position(|h| *h == c.header) {
            Some(i) => {
                index.insert(c.field, (i, c.header.clone()));
            }
            None if REQUIRED.contains(&c.field) => {
                return Err(CsvRowError {
                    line: 1,
                    column: Some(c.header.clone()),
                    message: format!(
                        "必須の列「{}」({}) が見出し行にありません (required column missing from the header line)",
                        c.header,
                        c.field.label_ja()
                    ),
                });
            }
            None => {}
        }
    }

    let mut read = CsvRead::default();
    // Order number → position in `read.orders`, or the line that made the order bad.
    let mut seen: HashMap<String, Result<usize, u64>> = HashMap::new();
    let mut bad_orders: Vec<String> = Vec::new();
    for rec in records {
        if rec.cells.iter().all(|c| c.trim().is_empty()) {
            continue; // blank lines, e.g. at the end of a file saved by Excel
        }
        let row = Row { line: rec.line, cells: &rec.cells, index: &index };
        let number = row.text(CsvField::OrderNumber);
        let parsed = row.order();
        match (number, parsed) {
            (None, _) => read.errors.push(row.error(CsvField::OrderNumber, "受注番号がありません (no order number)")),
            (Some(number), Err(e)) => {
                read.errors.push(e);
                if let Some(Ok(pos)) = seen.get(&number) {
                    bad_orders.push(number.clone());
                    read.errors.push(CsvRowError {
                        line: read.orders[*pos].0,
                        column: None,
                        message: format!(
                            "受注番号 {number} の他の行にエラーがあるため、この受注は取り込みません (another line of this order is refused)"
                        ),
                    });
                }
                seen.insert(number, Err(rec.line));
            }
            (Some(number), Ok(order)) => match seen.get(&number) {
                None => {
                    seen.insert(number, Ok(read.orders.len()));
                    read.orders.push((rec.line, order));
                }
                Some(Ok(pos)) => read.orders[*pos].1.items.extend(order.items),
                Some(Err(bad_line)) => read.errors.push(CsvRowError {
                    line: rec.line,
                    column: None,
                    message: format!(
                        "受注番号 {number} の{bad_line}行目にエラーがあるため、この受注は取り込みません (another line of this order is refused)"
                    ),
                }),
            },
        }
    }
    if !bad_orders.is_empty() {
        read.orders.retain(|(_, o)| !bad_orders.contains(&o.order_number));
    }
    read.errors.sort_by_key(|e| e.line);
    Ok(read)
}

struct Row<'a> {
    line: u64,
    cells: &'a [String],
    index: &'a HashMap<CsvField, (usize, String)>,
}

impl Row<'_> {
    /// The trimmed cell of a field; `None` when the column is absent or the cell is empty.
    fn text(&self, f: CsvField) -> Option<String> {
        let (i, _) = self.index.get(&f)?;
        let v = self.cells.get(*i)?.trim();
        (!v.is_empty()).then(|| v.to_owned())
    }

    fn error(&self, f: CsvField, message: impl Into<String>) -> CsvRowError {
        CsvRowError {
            line: self.line,
            column: Some(self.index.get(&f).map(|(_, h)| h.clone()).unwrap_or_else(|| f.label_ja().to_owned())),
            message: message.into(),
        }
    }

    fn required(&self, f: CsvField) -> Result<String, CsvRowError> {
        self.text(f).ok_or_else(|| self.error(f, format!("{}がありません (empty)", f.label_ja())))
    }

    fn party(&self, name: CsvField, postal: CsvField, address: CsvField, phone: CsvField) -> CsvParty {
        CsvParty {
            name: self.text(name),
            postal_code: self.text(postal),
            address: self.text(address),
            phone: self.text(phone),
        }
    }

    fn order(&self) -> Result<CsvOrder, CsvRowError> {
        use CsvField::*;
        let order_number = self.required(OrderNumber)?;
        if order_number.chars().count() > 64 {
            return Err(self.error(OrderNumber, "受注番号は64文字以内です (at most 64 characters)"));
        }
        let ordered_at_text = self.required(OrderedAt)?;
        let ordered_at = parse_time(&ordered_at_text).ok_or_else(|| {
            self.error(
                OrderedAt,
                format!("日時「{ordered_at_text}」を読めません。例: 2026/11/23 14:05 (unreadable date and time)"),
            )
        })?;
        let status = match self.text(Status) {
            None => None,
            Some(s) => Some(order_status::known_status(Marketplace::CustomCsv, &s).ok_or_else(|| {
                self.error(
                    Status,
                    format!(
                        "受注ステータス「{s}」は使えません。{} のいずれかを入力してください (unknown status)",
                        OrderStatus::ALL.iter().map(|s| s.label_ja()).collect::<Vec<_>>().join("・")
                    ),
                )
            })?),
        };
        let recipient = self.party(RecipientName, RecipientPostalCode, RecipientAddress, RecipientPhone);
        if recipient.name.is_none() {
            return Err(self.error(RecipientName, "送付先氏名がありません (empty)"));
        }
        let item_name = self.required(ItemName)?;
        let unit_price = self.amount(UnitPrice)?.ok_or_else(|| self.error(UnitPrice, "単価がありません (empty)"))?;
        let quantity = self.amount(Quantity)?.ok_or_else(|| self.error(Quantity, "数量がありません (empty)"))?;
        if !(1..=99_999).contains(&quantity) {
            return Err(self.error(Quantity, "数量は1〜99999で入力してください (quantity must be 1-99999)"));
        }
        let ship_date = match self.text(ShipDate) {
            None => None,
            Some(d) => Some(parse_date(&d).ok_or_else(|| {
                self.error(ShipDate, format!("出荷日「{d}」を読めません。例: 2026/11/23 (unreadable date)"))
            })?),
        };
        let tracking_number = self.text(TrackingNumber);
        if let Some(t) = &tracking_number
            && (t.chars().count() > 40 || !t.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        {
            return Err(self.error(
                TrackingNumber,
                "お荷物伝票番号は半角英数字とハイフンで入力してください (letters, digits and hyphens)",
            ));
        }
        Ok(CsvOrder {
            order_number,
            ordered_at,
            status,
            buyer: self.party(BuyerName, BuyerPostalCode, BuyerAddress, BuyerPhone),
            recipient,
            requested_delivery: self.text(RequestedDelivery),
            items: vec![CsvItem { name: item_name, sku: self.text(Sku), unit_price, quantity: quantity as i32 }],
            total_amount: self.amount(TotalAmount)?,
            payment_method: self.text(PaymentMethod),
            special_notes: self.text(SpecialNotes),
            ship_date,
            carrier: self.text(Carrier),
            delivery_method: self.text(DeliveryMethod),
            tracking_number,
        })
    }

    /// A yen amount or a count: digits, full-width digits, thousands separators, 円 and ¥ allowed.
    fn amount(&self, f: CsvField) -> Result<Option<i64>, CsvRowError> {
        let Some(raw) = self.text(f) else { return Ok(None) };
        parse_amount(&raw)
            .map(Some)
            .ok_or_else(|| self.error(f, format!("「{raw}」は0以上の整数ではありません (not a whole number ≥ 0)")))
    }
}

/// `1,980` `¥1,980` `１９８０円` → 1980. Negative numbers and fractions are refused.
pub fn parse_amount(raw: &str) -> Option<i64> {
    let digits: String = raw
        .chars()
        .filter(|c| !matches!(c, ',' | '，' | '¥' | '￥' | '円' | ' ' | '\u{3000}'))
        .map(|c| match c {
            '０'..='９' => char::from(b'0' + (c as u32 - '０' as u32) as u8),
            other => other,
        })
        .collect();
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) || digits.len() > 12 {
        return None;
    }
    digits.parse().ok()
}

/// A date and time as carts write them; without an offset it is JST.
pub fn parse_time(raw: &str) -> Option<DateTime<FixedOffset>> {
    let raw = raw.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(raw) {
        return Some(t);
    }
    const FORMATS: &[&str] =
        &["%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"];
    let naive = FORMATS
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(raw, f).ok())
        .or_else(|| parse_date_naive(raw).and_then(|d| d.and_hms_opt(0, 0, 0)))?;
    jst().from_local_datetime(&naive).single()
}

fn parse_date_naive(raw: &str) -> Option<NaiveDate> {
    ["%Y/%m/%d", "%Y-%m-%d", "%Y%m%d"].iter().find_map(|f| NaiveDate::parse_from_str(raw.trim(), f).ok())
}

/// A date as `YYYY-MM-DD` (how ship dates are stored).
pub fn parse_date(raw: &str) -> Option<String> {
    parse_date_naive(raw).map(|d| d.format("%Y-%m-%d").to_string())
}

/// How a time is written into an exported file.
pub fn format_time(t: DateTime<FixedOffset>) -> String {
    t.with_timezone(&jst()).format("%Y/%m/%d %H:%M:%S").to_string()
}

/// The lines of one order in an exported file: one per item, the order's fields on each.
pub fn order_rows(mapping: &CsvMapping, o: &CsvOrder) -> Vec<Vec<String>> {
    let opt = |v: &Option<String>| v.clone().unwrap_or_default();
    let one = |field: CsvField, item: &CsvItem| -> String {
        use CsvField::*;
        match field {
            OrderNumber => o.order_number.clone(),
            OrderedAt => format_time(o.ordered_at),
            Status => o.status.map(|s| s.label_ja().to_owned()).unwrap_or_default(),
            BuyerName => opt(&o.buyer.name),
            BuyerPostalCode => opt(&o.buyer.postal_code),
            BuyerAddress => opt(&o.buyer.address),
            BuyerPhone => opt(&o.buyer.phone),
            RecipientName => opt(&o.recipient.name),
            RecipientPostalCode => opt(&o.recipient.postal_code),
            RecipientAddress => opt(&o.recipient.address),
            RecipientPhone => opt(&o.recipient.phone),
            RequestedDelivery => opt(&o.requested_delivery),
            ItemName => item.name.clone(),
            Sku => opt(&item.sku),
            UnitPrice => item.unit_price.to_string(),
            Quantity => item.quantity.to_string(),
            TotalAmount => o.total().to_string(),
            PaymentMethod => opt(&o.payment_method),
            SpecialNotes => opt(&o.special_notes),
            ShipDate => opt(&o.ship_date),
            Carrier => opt(&o.carrier),
            DeliveryMethod => opt(&o.delivery_method),
            TrackingNumber => opt(&o.tracking_number),
        }
    };
    o.items.iter().map(|item| mapping.columns.iter().map(|c| one(c.field, item)).collect()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(lines: &[&[&str]]) -> Vec<CsvRecord> {
        lines
            .iter()
            .enumerate()
            .map(|(i, cells)| CsvRecord { line: i as u64 + 2, cells: cells.iter().map(|c| c.to_string()).collect() })
            .collect()
    }

    fn mapping() -> CsvMapping {
        CsvMapping::validated(vec![
            CsvColumn { field: CsvField::OrderNumber, header: "注文ID".into() },
            CsvColumn { field: CsvField::OrderedAt, header: "注文日".into() },
            CsvColumn { field: CsvField::RecipientName, header: "お届け先".into() },
            CsvColumn { field: CsvField::ItemName, header: "品名".into() },
            CsvColumn { field: CsvField::UnitPrice, header: "価格".into() },
            CsvColumn { field: CsvField::Quantity, header: "個数".into() },
            CsvColumn { field: CsvField::Status, header: "状態".into() },
            CsvColumn { field: CsvField::ShipDate, header: "発送日".into() },
        ])
        .unwrap()
    }

    fn header() -> Vec<String> {
        ["注文ID", "注文日", "お届け先", "品名", "価格", "個数", "状態", "発送日"].map(String::from).to_vec()
    }

    #[test]
    fn the_default_mapping_uses_the_japanese_labels_and_is_valid() {
        let m = CsvMapping::default();
        assert_eq!(m.header_of(CsvField::OrderNumber), Some("受注番号"));
        assert_eq!(m.header_of(CsvField::TrackingNumber), Some("お荷物伝票番号"));
        assert_eq!(CsvMapping::validated(m.columns.clone()), Ok(m));
    }

    #[test]
    fn a_mapping_needs_every_required_field_once_and_distinct_headers() {
        let mut cols = mapping().columns;
        cols.retain(|c| c.field != CsvField::Quantity);
        assert!(CsvMapping::validated(cols).unwrap_err().0.contains("数量"));

        let mut cols = mapping().columns;
        cols.push(CsvColumn { field: CsvField::Sku, header: "品名".into() });
        assert!(CsvMapping::validated(cols).unwrap_err().0.contains("品名"));

        let mut cols = mapping().columns;
        cols.push(CsvColumn { field: CsvField::OrderNumber, header: "別の列".into() });
        assert!(CsvMapping::validated(cols).unwrap_err().0.contains("2回"));

        let mut cols = mapping().columns;
        cols[0].header = "   ".into();
        assert!(CsvMapping::validated(cols).is_err());

        let mut cols = mapping().columns;
        cols[0].header = "  注文ID ".into();
        assert_eq!(CsvMapping::validated(cols).unwrap().columns[0].header, "注文ID");
    }

    #[test]
    fn lines_of_one_order_become_its_items() {
        let read = read_orders(
            &mapping(),
            &header(),
            records(&[
                &["A-1", "2026/11/20 10:15", "山田 太郎", "緑茶 100g", "1,080", "2", "", ""],
                &["A-2", "2026-11-21", "佐藤 花子", "ほうじ茶", "¥ ８６４", "１", "出荷待ち", "2026/11/22"],
                &["A-1", "2026/11/20 10:15", "山田 太郎", "急須", "3200円", "1", "", ""],
            ]),
        )
        .unwrap();
        assert!(read.errors.is_empty(), "{:?}", read.errors);
        assert_eq!(read.orders.len(), 2);
        let (line, a1) = &read.orders[0];
        assert_eq!(*line, 2);
        assert_eq!(a1.order_number, "A-1");
        assert_eq!(a1.items.len(), 2);
        assert_eq!(a1.items[1].name, "急須");
        assert_eq!(a1.total(), 1080 * 2 + 3200);
        assert_eq!(a1.status, None);
        assert_eq!(a1.ordered_at.to_rfc3339(), "2026-11-20T10:15:00+09:00");
        let (_, a2) = &read.orders[1];
        assert_eq!(a2.items[0].unit_price, 864);
        assert_eq!(a2.items[0].quantity, 1);
        assert_eq!(a2.status, Some(OrderStatus::AwaitingShipment));
        assert_eq!(a2.ship_date.as_deref(), Some("2026-11-22"));
    }

    #[test]
    fn bad_lines_are_reported_with_their_line_and_column_and_the_rest_imports() {
        let read = read_orders(
            &mapping(),
            &header(),
            records(&[
                &["B-1", "2026/11/20", "山田 太郎", "緑茶", "1080", "1", "", ""], // line 2: fine
                &["", "2026/11/20", "山田 太郎", "緑茶", "1080", "1", "", ""],    // line 3: no number
                &["B-2", "昨日", "佐藤 花子", "緑茶", "1080", "1", "", ""],       // line 4: bad date
                &["B-3", "2026/11/20", "鈴木 一郎", "緑茶", "-5", "1", "", ""],   // line 5: bad price
                &["B-4", "2026/11/20", "鈴木 一郎", "緑茶", "100", "0", "", ""],  // line 6: bad quantity
                &["B-5", "2026/11/20", "鈴木 一郎", "緑茶", "100", "1", "発送待ち", ""], // line 7: status
                &["B-6", "2026/11/20", "", "緑茶", "100", "1", "", ""],           // line 8: no recipient
                &["B-7", "2026/11/20", "鈴木 一郎", "緑茶", "100", "1", "", "来週"], // line 9: ship date
                &["", "", "", "", "", "", "", ""],                                // blank: skipped
            ]),
        )
        .unwrap();
        let numbers: Vec<_> = read.orders.iter().map(|(_, o)| o.order_number.as_str()).collect();
        assert_eq!(numbers, ["B-1"]);
        let at: Vec<_> = read.errors.iter().map(|e| (e.line, e.column.clone().unwrap_or_default())).collect();
        assert_eq!(
            at,
            [
                (3, "注文ID".to_owned()),
                (4, "注文日".to_owned()),
                (5, "価格".to_owned()),
                (6, "個数".to_owned()),
                (7, "状態".to_owned()),
                (8, "お届け先".to_owned()),
                (9, "発送日".to_owned()),
            ]
        );
        assert!(read.errors[1].to_string().starts_with("4行目「注文日」: "), "{}", read.errors[1]);
        assert!(read.errors[4].message.contains("出荷待ち"), "the allowed statuses are listed");
    }

    #[test]
    fn an_order_with_one_bad_line_is_not_imported_at_all() {
        let read = read_orders(
            &mapping(),
            &header(),
            records(&[
                &["C-1", "2026/11/20", "山田 太郎", "緑茶", "1080", "1", "", ""], // 2
                &["C-1", "2026/11/20", "山田 太郎", "急須", "abc", "1", "", ""],  // 3: bad
                &["C-1", "2026/11/20", "山田 太郎", "湯呑", "500", "1", "", ""],  // 4
                &["C-2", "2026/11/20", "佐藤 花子", "緑茶", "1080", "1", "", ""], // 5
            ]),
        )
        .unwrap();
        let numbers: Vec<_> = read.orders.iter().map(|(_, o)| o.order_number.as_str()).collect();
        assert_eq!(numbers, ["C-2"]);
        let lines: Vec<_> = read.errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, [2, 3, 4], "the bad line and the order's other lines are all reported");
    }

    #[test]
    fn a_file_without_a_required_column_is_refused_as_a_whole() {
        let mut h = header();
        h[4] = "金額".into();
        let err = read_orders(&mapping(), &h, records(&[])).unwrap_err();
        assert_eq!(err.line, 1);
        assert_eq!(err.column.as_deref(), Some("価格"));
        // An optional column may be missing: its field is simply empty.
        let mut h = header();
        h[7] = "メモ".into();
        let read =
            read_orders(&mapping(), &h, records(&[&["D-1", "2026/11/20", "山田", "緑茶", "1", "1", "", "x"]])).unwrap();
        assert_eq!(read.orders[0].1.ship_date, None);
    }

    #[test]
    fn exported_lines_read_back_as_the_same_order() {
        let m = CsvMapping::default();
        let order = CsvOrder {
            order_number: "E-1".into(),
            ordered_at: parse_time("2026-11-20T01:15:00Z").unwrap(),
            status: Some(OrderStatus::Shipped),
            buyer: CsvParty {
                name: Some("山田 太郎".into()),
                phone: Some("03-1234-5678".into()),
                ..Default::default()
            },
            recipient: CsvParty {
                name: Some("山田 花子".into()),
                postal_code: Some("100-0001".into()),
                address: Some("東京都千代田区千代田1-1, \"皇居\"前".into()),
                phone: None,
            },
            requested_delivery: Some("2026/11/26 14〜16時".into()),
            items: vec![
                CsvItem { name: "緑茶".into(), sku: Some("T-100".into()), unit_price: 1080, quantity: 2 },
                CsvItem { name: "急須".into(), sku: None, unit_price: 3200, quantity: 1 },
            ],
            total_amount: Some(5360),
            payment_method: Some("クレジットカード".into()),
            special_notes: None,
            ship_date: Some("2026-11-21".into()),
            carrier: Some("ヤマト運輸".into()),
            delivery_method: Some("宅急便".into()),
            tracking_number: Some("1234-5678-9012".into()),
        };
        let rows = order_rows(&m, &order);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0][1], "2026/11/20 10:15:00", "times are written in JST");
        let recs = rows.into_iter().enumerate().map(|(i, cells)| CsvRecord { line: i as u64 + 2, cells });
        let read = read_orders(&m, &m.header_row(), recs).unwrap();
        assert!(read.errors.is_empty(), "{:?}", read.errors);
        assert_eq!(read.orders.len(), 1);
        assert_eq!(read.orders[0].1, order);
    }

    #[test]
    fn amounts_and_times_in_the_forms_carts_write() {
        assert_eq!(parse_amount("1,980"), Some(1980));
        assert_eq!(parse_amount("￥１，９８０"), Some(1980));
        assert_eq!(parse_amount("1980円"), Some(1980));
        assert_eq!(parse_amount("19.8"), None);
        assert_eq!(parse_amount("-1"), None);
        assert_eq!(parse_amount(""), None);
        for t in [
            "2026/11/23 09:05:00",
            "2026/11/23 09:05",
            "2026-11-23 09:05",
            "2026-11-23T09:05:00",
            "2026-11-23T00:05:00Z",
        ] {
            assert_eq!(
                parse_time(t).unwrap().timestamp(),
                parse_time("2026-11-23T09:05:00+09:00").unwrap().timestamp(),
                "{t}"
            );
        }
        assert_eq!(parse_time("2026/11/23").unwrap().to_rfc3339(), "2026-11-23T00:00:00+09:00");
        assert_eq!(parse_time("2026/13/01"), None);
        assert_eq!(parse_date("20261123").as_deref(), Some("2026-11-23"));
    }
}

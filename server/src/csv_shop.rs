//! The custom-CSV shop (カスタムCSV店舗, SPEC §8): orders uploaded as CSV with the shop's saved
//! column mapping, and orders (with their shipping data) downloaded as CSV.
//!
//! The file's bytes become text here (UTF-8, with or without BOM, or Shift_JIS — Windows-31J,
//! what Excel and Japanese carts write), the `csv` crate splits the lines, and the pure rules in
//! `shared::csv_orders` turn them into orders. An import is recorded as a sync run like any other
//! import; each order is upserted on its own, so a bad line never stops the good ones.
//!
//! A download never hands a spreadsheet a formula: a cell that starts with `=`, `+`, `-`, `@`,
//! tab or CR gets a `'` before it, and an upload takes exactly that `'` off again
//! ([`export_cell`], [`import_cell`]), so a downloaded file uploads back unchanged.

use chrono::{DateTime, Utc};
use encoding_rs::SHIFT_JIS;
use sea_orm::{ColumnTrait, DatabaseConnection, QueryFilter, QueryOrder, QuerySelect};
use shared::csv_orders::{self, CsvItem, CsvMapping, CsvOrder, CsvParty, CsvRecord, CsvRowError};
use shared::{CsvEncoding, Marketplace, OrderStatus, SyncItemOutcome, SyncKind, SyncState};

use crate::auth::{Actor, Permission};
use crate::error::{AppError, AppResult};
use crate::orders::{self, IncomingOrder, ItemForSave, PartyForSave};
use crate::state::AppState;
use crate::store::entities::{order, shop, sync_run};
use crate::sync::{self, Progress, RunItem};

/// Data lines one upload may carry.
pub const MAX_LINES: usize = 50_000;
/// Orders one download may carry.
pub const MAX_EXPORT_ORDERS: u64 = 50_000;
/// Line errors kept on the sync run (the upload's answer lists them all).
const RUN_ERRORS_KEPT: usize = 200;

/// Characters that make a spreadsheet program (Excel, LibreOffice, Google Sheets) read a cell
/// as a formula when they start it (OWASP: CSV injection).
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

/// Whether `cell` is apostrophes (none or more) followed by a formula character.
fn formula_like(cell: &str) -> bool {
    cell.trim_start_matches('\'').starts_with(FORMULA_STARTS)
}

/// A cell as it is written into a download: one `'` is put before a cell that starts with `=`,
/// `+`, `-`, `@`, tab or CR, so that a spreadsheet shows it as text instead of running it
/// (`=HYPERLINK(…)` in a customer's name, say). Cells that already start with apostrophes followed
/// by such a character get one more, so that [`import_cell`] can tell them apart.
pub fn export_cell(cell: String) -> String {
    if formula_like(&cell) { format!("'{cell}") } else { cell }
}

/// A cell as read from an upload: the exact inverse of [`export_cell`]. One `'` is taken off a
/// cell that is one or more apostrophes followed by `=`, `+`, `-`, `@`, tab or CR; every other
/// cell is kept as it is (a name like `'Tis` keeps its apostrophe). So a downloaded file uploads
/// back to the same values, and a hand-written `'-5` reads as `-5`, as a spreadsheet shows it.
pub fn import_cell(cell: String) -> String {
    if cell.starts_with('\'') && formula_like(&cell) { cell[1..].to_owned() } else { cell }
}

/// The shop's saved mapping, or the default one (every field under its Japanese label).
pub fn mapping_of(shop: &shop::Model) -> CsvMapping {
    shop.csv_mapping.as_deref().and_then(|j| serde_json::from_str(j).ok()).unwrap_or_default()
}

fn file_error(message: impl Into<String>) -> AppError {
    AppError::validation("file", message)
}

/// The text of an uploaded file. Without an encoding given, valid UTF-8 is UTF-8 and anything
/// else is read as Shift_JIS; bytes that fit neither are refused with the line they are on.
pub fn decode(bytes: &[u8], asked: Option<CsvEncoding>) -> AppResult<(String, CsvEncoding)> {
    let without_bom = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let line_at = |offset: usize| bytes[..offset].iter().filter(|b| **b == b'\n').count() + 1;
    let utf8 = || match std::str::from_utf8(without_bom) {
        Ok(s) => Ok((s.to_owned(), CsvEncoding::Utf8)),
        Err(e) => Err(file_error(format!(
            "{}行目がUTF-8として読めません。Shift_JISのファイルなら文字コードにShift_JISを選んでください (line {} is not valid UTF-8)",
            line_at(e.valid_up_to()),
            line_at(e.valid_up_to())
        ))),
    };
    let shift_jis = || {
        let (text, had_errors) = SHIFT_JIS.decode_without_bom_handling(bytes);
        if had_errors {
            let line = text.find('\u{FFFD}').map(|i| text[..i].matches('\n').count() + 1).unwrap_or(1);
            return Err(file_error(format!(
                "{line}行目がShift_JISとして読めません (line {line} is not valid Shift_JIS)"
            )));
        }
        Ok((text.into_owned(), CsvEncoding::ShiftJis))
    };
    match asked {
        Some(CsvEncoding::Utf8) => utf8(),
        Some(CsvEncoding::ShiftJis) => shift_jis(),
        None => utf8().or_else(|_| shift_jis()),
    }
}

/// The header line and the data lines of a CSV text; lines the CSV reader cannot split are
/// reported, not fatal.
pub fn split(text: &str) -> AppResult<(Vec<String>, Vec<CsvRecord>, Vec<CsvRowError>)> {
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text.as_bytes());
    // The reader's own line count drifts on CRLF files; lines are counted from the byte offset.
    let mut lines = LineCounter { text: text.as_bytes(), at: 0, line: 1 };
    let mut header = None;
    let mut records = Vec::new();
    let mut errors = Vec::new();
    for result in reader.records() {
        match result {
            Ok(rec) => {
                let line = rec.position().map(|p| lines.line_at(p.byte() as usize)).unwrap_or(0);
                let cells: Vec<String> = rec.iter().map(|c| import_cell(c.to_owned())).collect();
                if header.is_none() {
                    header = Some(cells);
                } else {
                    records.push(CsvRecord { line, cells });
                    if records.len() > MAX_LINES {
                        return Err(file_error(format!(
                            "1回に取り込めるのは{MAX_LINES}行までです。ファイルを分けてください (at most {MAX_LINES} lines per file)"
                        )));
                    }
                }
            }
            Err(e) => errors.push(CsvRowError {
                line: e.position().map(|p| lines.line_at(p.byte() as usize)).unwrap_or(0),
                column: None,
                message: format!("CSVとして読めません ({e})"),
            }),
        }
    }
    let header = header
        .filter(|h| h.iter().any(|c| !c.trim().is_empty()))
        .ok_or_else(|| file_error("ファイルに見出し行がありません (the file is empty or has no header line)"))?;
    Ok((header, records, errors))
}

/// Line numbers from byte offsets, counted forwards once over the file.
struct LineCounter<'a> {
    text: &'a [u8],
    at: usize,
    line: u64,
}

impl LineCounter<'_> {
    /// The line a record starting at `byte` is on (a record may start on the `\n` of a CRLF).
    fn line_at(&mut self, byte: usize) -> u64 {
        let mut b = byte.min(self.text.len());
        while b < self.text.len() && matches!(self.text[b], b'\r' | b'\n') {
            b += 1;
        }
        if b >= self.at {
            self.line += self.text[self.at..b].iter().filter(|c| **c == b'\n').count() as u64;
            self.at = b;
        }
        self.line
    }
}

/// What an upload did: its run (counts) and every refused line.
pub struct CsvImported {
    pub run: sync_run::Model,
    pub row_errors: Vec<CsvRowError>,
}

/// CSV取込: reads the file with the shop's mapping and upserts each complete order. Refused
/// as a whole (nothing stored, no run) when the file cannot be read at all.
pub async fn import(
    state: &AppState,
    actor: &Actor,
    shop_id: i64,
    bytes: &[u8],
    encoding: Option<CsvEncoding>,
) -> AppResult<CsvImported> {
    actor.require(Permission::Write)?;
    let scope = actor.scope;
    let shop = scope.get::<shop::Entity>(&state.db, shop_id).await?.ok_or(AppError::NotFound("店舗"))?;
    if Marketplace::from(shop.marketplace) != Marketplace::CustomCsv {
        return Err(AppError::validation(
            "shopId",
            "CSVで受注を取り込めるのはカスタムCSV店舗だけです (CSV import is for custom-CSV shops)",
        ));
    }
    if bytes.is_empty() {
        return Err(file_error("ファイルが空です (the file is empty)"));
    }
    let (text, _) = decode(bytes, encoding)?;
    let (header, records, mut row_errors) = split(&text)?;
    let read = csv_orders::read_orders(&mapping_of(&shop), &header, records).map_err(|e| file_error(e.to_string()))?;
    row_errors.extend(read.errors);
    row_errors.sort_by_key(|e| e.line);

    let run = sync::begin_inline(state, scope, &shop, SyncKind::ImportOrders, sync::TRIGGER_MANUAL).await?;
    // No steps to show: the upload is done within its request.
    let mut p = Progress::start(state, scope, run).await;
    for e in &row_errors {
        if p.errors.len() < RUN_ERRORS_KEPT {
            p.fail(e.to_string());
        } else {
            p.run.failed += 1;
        }
        p.item(SyncItemOutcome::Failed, RunItem::default().because(e.to_string())).await;
    }
    for (line, o) in read.orders {
        let number = o.order_number.clone();
        let incoming = incoming(o);
        let log = p.item_log();
        match crate::store::busy_retry(|| orders::upsert_order_in_run(state, scope, &shop, incoming.clone(), log)).await
        {
            Ok((_, outcome)) => {
                p.count(outcome);
                if log.is_some() {
                    p.recorded();
                }
            }
            Err(e) => {
                let why = sync::app_error_text(&e);
                let e = CsvRowError {
                    line, column: None, message: format!("受注 {number} を保存できません: {why}")
                };
                p.fail(e.to_string());
                p.item(SyncItemOutcome::Failed, RunItem::order(&number).because(e.to_string())).await;
                row_errors.push(e);
            }
        }
        p.tick().await;
    }
    if p.errors.len() >= RUN_ERRORS_KEPT && row_errors.len() > RUN_ERRORS_KEPT {
        p.errors.push(format!("ほか{}件のエラーは取込結果を参照してください", row_errors.len() - RUN_ERRORS_KEPT));
    }
    p.save(Some(SyncState::Succeeded)).await;
    Ok(CsvImported { run: p.run, row_errors })
}

fn party(p: CsvParty) -> PartyForSave {
    PartyForSave { name: p.name, postal_code: p.postal_code, address: p.address, phone: p.phone }
}

fn incoming(o: CsvOrder) -> IncomingOrder {
    let total_amount = o.total();
    IncomingOrder {
        order_number: o.order_number,
        ordered_at: o.ordered_at.with_timezone(&Utc),
        // Empty: the file says nothing, so a new order is 新規受付 and an existing one keeps its status.
        marketplace_status: o.status.map(|s| s.label_ja().to_owned()).unwrap_or_default(),
        buyer: party(o.buyer),
        recipient: party(o.recipient),
        requested_delivery: o.requested_delivery,
        items: o
            .items
            .into_iter()
            .map(|i| ItemForSave { name: i.name, sku: i.sku, unit_price: i.unit_price, quantity: i.quantity })
            .collect(),
        total_amount,
        payment_method: o.payment_method,
        special_notes: o.special_notes,
        ship_date: o.ship_date,
        carrier: o.carrier,
        tracking_number: o.tracking_number,
        delivery_method: o.delivery_method,
    }
}

/// Which orders a download carries.
#[derive(Clone, Debug)]
pub struct CsvExportRequest {
    pub shop_id: i64,
    /// On the order time, inclusive.
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    pub status: Option<OrderStatus>,
    pub encoding: CsvEncoding,
}

/// A CSV file to hand to the caller.
pub struct CsvFile {
    pub file_name: String,
    pub encoding: CsvEncoding,
    pub bytes: Vec<u8>,
    pub order_count: usize,
    pub row_count: usize,
    /// Characters Shift_JIS cannot carry, replaced by 「?」, with their lines.
    pub warnings: Vec<String>,
}

impl CsvFile {
    pub fn content_type(&self) -> &'static str {
        match self.encoding {
            CsvEncoding::Utf8 => "text/csv; charset=UTF-8",
            CsvEncoding::ShiftJis => "text/csv; charset=Shift_JIS",
        }
    }
}

/// CSV書出: the shop's orders in the period, one line per item, in the shop's column mapping
/// (so the file imports again unchanged), oldest order first.
pub async fn export(db: &DatabaseConnection, actor: &Actor, req: CsvExportRequest) -> AppResult<CsvFile> {
    actor.require(Permission::Read)?;
    let scope = actor.scope;
    let shop = scope.get::<shop::Entity>(db, req.shop_id).await?.ok_or(AppError::NotFound("店舗"))?;
    if let (Some(f), Some(t)) = (req.from, req.to)
        && f > t
    {
        return Err(AppError::validation("from", "期間の開始が終了より後です (from is after to)"));
    }
    let mut q = scope
        .find::<order::Entity>()
        .filter(order::Column::ShopId.eq(shop.id))
        .order_by_asc(order::Column::OrderedAt)
        .order_by_asc(order::Column::Id);
    if let Some(f) = req.from {
        q = q.filter(order::Column::OrderedAt.gte(f));
    }
    if let Some(t) = req.to {
        q = q.filter(order::Column::OrderedAt.lte(t));
    }
    if let Some(s) = req.status {
        q = q.filter(order::Column::Status.eq(s.as_str()));
    }
    let rows = q.limit(MAX_EXPORT_ORDERS + 1).all(db).await?;
    if rows.len() as u64 > MAX_EXPORT_ORDERS {
        return Err(AppError::validation(
            "from",
            format!(
                "1回に書き出せるのは{MAX_EXPORT_ORDERS}件までです。期間を短くしてください (at most {MAX_EXPORT_ORDERS} orders)"
            ),
        ));
    }
    let mut items = std::collections::HashMap::new();
    for chunk in rows.chunks(500) {
        let ids: Vec<i64> = chunk.iter().map(|r| r.id).collect();
        items.extend(orders::items_of(db, scope, &ids).await?);
    }

    let mapping = mapping_of(&shop);
    let mut writer = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(Vec::new());
    let mut warnings = Vec::new();
    let mut line = 1u64;
    let encoding = req.encoding;
    let mut write = |writer: &mut csv::Writer<Vec<u8>>, cells: Vec<String>, line: u64| -> AppResult<()> {
        let cells = cells.into_iter().map(export_cell);
        let cells: Vec<String> = match encoding {
            CsvEncoding::Utf8 => cells.collect(),
            CsvEncoding::ShiftJis => cells.map(|c| shift_jis_safe(c, line, &mut warnings)).collect(),
        };
        writer.write_record(&cells).map_err(AppError::internal)
    };
    write(&mut writer, mapping.header_row(), line)?;
    let mut row_count = 0;
    for row in &rows {
        let o = csv_order(row, items.remove(&row.id).unwrap_or_default());
        for cells in csv_orders::order_rows(&mapping, &o) {
            line += 1;
            row_count += 1;
            write(&mut writer, cells, line)?;
        }
    }
    let text = String::from_utf8(writer.into_inner().map_err(|e| AppError::internal(e.into_error()))?)
        .map_err(AppError::internal)?;
    let bytes = match req.encoding {
        // With a BOM, so that Excel opens it as UTF-8.
        CsvEncoding::Utf8 => [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat(),
        CsvEncoding::ShiftJis => SHIFT_JIS.encode(&text).0.into_owned(),
    };
    let stamp = crate::clock::now().with_timezone(&csv_orders::jst()).format("%Y%m%d-%H%M%S");
    Ok(CsvFile {
        file_name: format!("orders-{}-{stamp}.csv", shop.id),
        encoding: req.encoding,
        bytes,
        order_count: rows.len(),
        row_count,
        warnings,
    })
}

/// The cell with every character Shift_JIS lacks replaced by 「?」 (each one noted).
fn shift_jis_safe(cell: String, line: u64, warnings: &mut Vec<String>) -> String {
    if !SHIFT_JIS.encode(&cell).2 {
        return cell;
    }
    let mut buf = [0u8; 4];
    cell.chars()
        .map(|c| {
            if SHIFT_JIS.encode(c.encode_utf8(&mut buf)).2 {
                warnings.push(format!(
                    "{line}行目: 「{c}」はShift_JISにないため「?」にしました (not in Shift_JIS, written as ?)"
                ));
                '?'
            } else {
                c
            }
        })
        .collect()
}

fn csv_order(row: &order::Model, items: Vec<crate::store::entities::order_item::Model>) -> CsvOrder {
    CsvOrder {
        order_number: row.order_number.clone(),
        ordered_at: row.ordered_at.with_timezone(&csv_orders::jst()),
        status: Some(orders::status_of(row)),
        buyer: CsvParty {
            name: row.buyer_name.clone(),
            postal_code: row.buyer_postal_code.clone(),
            address: row.buyer_address.clone(),
            phone: row.buyer_phone.clone(),
        },
        recipient: CsvParty {
            name: row.recipient_name.clone(),
            postal_code: row.recipient_postal_code.clone(),
            address: row.recipient_address.clone(),
            phone: row.recipient_phone.clone(),
        },
        requested_delivery: row.requested_delivery.clone(),
        items: items
            .into_iter()
            .map(|i| CsvItem { name: i.name, sku: i.sku, unit_price: i.unit_price, quantity: i.quantity })
            .collect(),
        total_amount: Some(row.total_amount),
        payment_method: row.payment_method.clone(),
        special_notes: row.special_notes.clone(),
        ship_date: row.ship_date.clone(),
        carrier: row.carrier.clone(),
        delivery_method: row.delivery_method.clone(),
        tracking_number: row.tracking_number.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_with_or_without_bom_and_shift_jis_are_told_apart() {
        let text = "受注番号,商品名\r\nA-1,緑茶\r\n";
        assert_eq!(decode(text.as_bytes(), None).unwrap(), (text.to_owned(), CsvEncoding::Utf8));
        let bom = [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat();
        assert_eq!(decode(&bom, None).unwrap().0, text);
        let sjis = SHIFT_JIS.encode(text).0.into_owned();
        assert_eq!(decode(&sjis, None).unwrap(), (text.to_owned(), CsvEncoding::ShiftJis));
        assert_eq!(decode(&sjis, Some(CsvEncoding::ShiftJis)).unwrap().0, text);
    }

    #[test]
    fn bytes_that_fit_no_encoding_are_refused_with_their_line() {
        let sjis = SHIFT_JIS.encode("受注番号\nA-1\n").0.into_owned();
        let AppError::Validation { message, .. } = decode(&sjis, Some(CsvEncoding::Utf8)).unwrap_err() else {
            panic!("a validation error")
        };
        assert!(message.starts_with("1行目"), "{message}");
        let broken = [b"a,b\nc,d\n".as_slice(), &[0x82, 0xFF, b'\n']].concat();
        let AppError::Validation { message, .. } = decode(&broken, None).unwrap_err() else {
            panic!("a validation error")
        };
        assert!(message.starts_with("3行目"), "{message}");
    }

    #[test]
    fn quoted_cells_keep_commas_and_line_breaks_and_lines_are_counted_from_the_file() {
        let (header, records, errors) =
            split("受注番号,住所\r\nA-1,\"東京都, 千代田区\"\r\nA-2,\"1行目\n2行目\"\r\nA-3,大阪\r\n").unwrap();
        assert!(errors.is_empty());
        assert_eq!(header, ["受注番号", "住所"]);
        assert_eq!(records[0].cells[1], "東京都, 千代田区");
        assert_eq!(records[1].cells[1], "1行目\n2行目");
        let lines: Vec<u64> = records.iter().map(|r| r.line).collect();
        assert_eq!(lines, [2, 3, 5]);
    }

    #[test]
    fn cells_a_spreadsheet_would_run_are_written_as_text_and_read_back_unchanged() {
        for (value, written) in [
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("+81 3 1111", "'+81 3 1111"),
            ("-500", "'-500"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("'=x", "''=x"),
            ("''-1", "'''-1"),
        ] {
            assert_eq!(export_cell(value.into()), written, "{value:?}");
            assert_eq!(import_cell(written.into()), value, "{value:?}");
        }
        for plain in ["山田 花子", "'Tis", "'", "''", "a=b", "", " =x", "03-1111-2222"] {
            assert_eq!(export_cell(plain.into()), plain, "{plain:?}");
            assert_eq!(import_cell(plain.into()), plain, "{plain:?}");
        }
        // A hand-written file: the apostrophe a spreadsheet hides is taken off.
        assert_eq!(import_cell("'-5".into()), "-5");
        let (_, records, _) = split("受注番号,氏名\r\nA-1,'=1+2\r\n").unwrap();
        assert_eq!(records[0].cells[1], "=1+2");
    }

    #[test]
    fn an_empty_file_has_no_header() {
        assert!(split("").is_err());
        assert!(split(",,\r\n").is_err());
    }

    #[test]
    fn characters_shift_jis_lacks_become_question_marks_with_a_warning() {
        let mut w = Vec::new();
        assert_eq!(shift_jis_safe("髙橋 ①".into(), 3, &mut w), "髙橋 ①", "Windows-31J has these");
        assert!(w.is_empty());
        assert_eq!(shift_jis_safe("𠮷野家 😀".into(), 4, &mut w), "?野家 ?");
        assert_eq!(w.len(), 2);
        assert!(w[0].starts_with("4行目"));
    }
}

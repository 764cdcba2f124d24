//! The custom-CSV shop (カスタムCSV店舗): orders uploaded as CSV (UTF-8 or Shift_JIS) with the
//! shop's saved column mapping, bad lines reported with their line numbers while good orders
//! import, and orders downloaded as CSV in the same mapping.

use base64::Engine;
use encoding_rs::SHIFT_JIS;
use madoguchi_tests::{TestApp, each_backend, error_code};
use serde_json::{Value, json};
use shared::Marketplace;

use crate::seed;

const IMPORT: &str = "mutation($i: CsvImportInput!) { importOrdersCsv(input: $i) {
    run { kind state trigger created updated unchanged failed errors }
    rowErrors { line column message } } }";
const EXPORT: &str = "mutation($i: CsvExportInput!) { exportOrdersCsv(input: $i) {
    fileName contentType encoding orderCount rowCount warnings contentBase64 } }";
const ORDERS: &str = "query($s: ID!) { orders(filter: {shopId: $s}, first: 50) { totalCount nodes {
    orderNumber status totalAmount notes shipDate carrier deliveryMethod trackingNumber
    recipient { name address } items { name sku unitPrice quantity } } } }";

/// A cart's own export: its own headers, which the shop maps once.
const CART_HEADER: &str = "注文ID,注文日時,お届け先氏名,お届け先住所,品名,品番,価格,個数,対応状況";

fn cart_mapping() -> Value {
    json!([
        { "field": "ORDER_NUMBER", "header": "注文ID" },
        { "field": "ORDERED_AT", "header": "注文日時" },
        { "field": "RECIPIENT_NAME", "header": "お届け先氏名" },
        { "field": "RECIPIENT_ADDRESS", "header": "お届け先住所" },
        { "field": "ITEM_NAME", "header": "品名" },
        { "field": "SKU", "header": "品番" },
        { "field": "UNIT_PRICE", "header": "価格" },
        { "field": "QUANTITY", "header": "個数" },
        { "field": "STATUS", "header": "対応状況" },
    ])
}

async fn csv_shop(app: &TestApp, token: &str, mapping: Option<Value>) -> String {
    let id = seed::shop(app, token, Marketplace::CustomCsv, "自社サイト").await;
    if let Some(m) = mapping {
        save_mapping(app, token, &id, m).await.expect("mapping saved");
    }
    id
}

async fn save_mapping(app: &TestApp, token: &str, shop: &str, mapping: Value) -> Result<Value, Value> {
    let body = app
        .gql(
            Some(token),
            "mutation($id: ID!, $i: ShopInput!) { updateShop(id: $id, input: $i) { settings { csvMapping { field header } } } }",
            json!({ "id": shop, "i": {
                "marketplace": "CUSTOM_CSV", "name": "自社サイト",
                "profile": { "mallShopName": "自社サイト 本店", "staffName": "山田 花子", "phone": "03-1111-2222", "email": "shop@example.jp" },
                "settings": { "csvMapping": mapping }
            }}),
        )
        .await;
    if body["errors"].is_array() { Err(body) } else { Ok(body["data"]["updateShop"]["settings"]["csvMapping"].clone()) }
}

async fn upload(app: &TestApp, token: &str, shop: &str, bytes: &[u8], encoding: Option<&str>) -> Value {
    app.gql_upload(
        token,
        IMPORT,
        json!({ "i": { "shopId": shop, "file": null, "encoding": encoding } }),
        "variables.i.file",
        ("orders.csv", "text/csv", bytes),
    )
    .await
}

async fn orders(app: &TestApp, token: &str, shop: &str) -> Vec<Value> {
    let d = app.gql_ok(token, ORDERS, json!({ "s": shop })).await;
    let mut v = d["orders"]["nodes"].as_array().unwrap().clone();
    v.sort_by_key(|o| o["orderNumber"].as_str().unwrap().to_owned());
    v
}

fn lines(rows: &[&str]) -> String {
    rows.iter().map(|r| format!("{r}\r\n")).collect()
}

#[tokio::test]
async fn a_shift_jis_file_imports_with_the_saved_mapping_and_bad_lines_are_reported_by_line() {
    each_backend!(|app| {
        let (token, _) = app.tenant("自社EC", false).await;
        let shop = csv_shop(&app, &token, Some(cart_mapping())).await;
        let text = lines(&[
            CART_HEADER,
            "W-1001,2026/11/20 10:15,山田 太郎,\"東京都千代田区千代田1-1, 101号\",緑茶 100g,T-100,\"1,080\",2,", // 2
            "W-1001,2026/11/20 10:15,山田 太郎,東京都千代田区千代田1-1,急須,K-1,3200円,1,",                      // 3
            "W-1002,2026/11/21 09:00,髙橋 花子,大阪府大阪市北区梅田1-1,ほうじ茶,T-200,864,１,出荷待ち",          // 4
            "W-1003,昨日,佐藤 一郎,福岡県福岡市,緑茶 100g,T-100,1080,1,", // 5: bad date
            ",2026/11/21 09:00,鈴木 次郎,札幌市,緑茶 100g,T-100,1080,1,", // 6: no number
            "W-1004,2026/11/21 09:00,鈴木 次郎,札幌市,緑茶 100g,T-100,1080,1,発送待ち", // 7: bad status
            "W-1005,2026/11/21 11:00,田中 三郎,名古屋市,緑茶 100g,T-100,1080,1,", // 8
            "W-1005,2026/11/21 11:00,田中 三郎,名古屋市,湯呑,Y-1,abc,1,", // 9: bad price
        ]);
        let sjis = SHIFT_JIS.encode(&text).0.into_owned();
        assert!(std::str::from_utf8(&sjis).is_err(), "the file really is Shift_JIS");

        let body = upload(&app, &token, &shop, &sjis, None).await;
        assert!(body["errors"].is_null(), "{body:#}");
        let done = &body["data"]["importOrdersCsv"];
        assert_eq!(done["run"]["kind"], "IMPORT_ORDERS");
        assert_eq!(done["run"]["state"], "SUCCEEDED");
        assert_eq!(done["run"]["trigger"], "manual");
        assert_eq!(done["run"]["created"], 2, "W-1001 and W-1002: {done:#}");
        let errors = done["rowErrors"].as_array().unwrap();
        let at: Vec<(i64, Option<&str>)> =
            errors.iter().map(|e| (e["line"].as_i64().unwrap(), e["column"].as_str())).collect();
        assert_eq!(
            at,
            [(5, Some("注文日時")), (6, Some("注文ID")), (7, Some("対応状況")), (8, None), (9, Some("価格"))],
            "{errors:#?}"
        );
        assert!(errors[4]["message"].as_str().unwrap().contains("abc"));
        assert_eq!(done["run"]["failed"], 5);
        assert!(done["run"]["errors"][0].as_str().unwrap().starts_with("5行目「注文日時」"), "{done:#}");

        let stored = orders(&app, &token, &shop).await;
        let numbers: Vec<&str> = stored.iter().map(|o| o["orderNumber"].as_str().unwrap()).collect();
        assert_eq!(numbers, ["W-1001", "W-1002"], "W-1005 has a bad line, so none of it is stored");
        let w1 = &stored[0];
        assert_eq!(w1["items"].as_array().unwrap().len(), 2);
        assert_eq!(w1["items"][0], json!({ "name": "緑茶 100g", "sku": "T-100", "unitPrice": 1080, "quantity": 2 }));
        assert_eq!(w1["totalAmount"], 1080 * 2 + 3200);
        assert_eq!(w1["recipient"]["address"], "東京都千代田区千代田1-1, 101号");
        assert_eq!(w1["status"], "NEW", "no status in the file: a new order is 新規受付");
        assert_eq!(stored[1]["status"], "AWAITING_SHIPMENT");
        assert_eq!(stored[1]["recipient"]["name"], "髙橋 花子");
    });
}

#[tokio::test]
async fn re_importing_changes_nothing_and_keeps_what_the_staff_changed() {
    each_backend!(|app| {
        let (token, _) = app.tenant("自社EC", false).await;
        let shop = csv_shop(&app, &token, Some(cart_mapping())).await;
        let file = lines(&[
            CART_HEADER,
            "R-1,2026-11-20 10:15,山田 太郎,東京都,緑茶,T-100,1080,1,",
            "R-2,2026-11-20 11:15,佐藤 花子,大阪府,急須,K-1,3200,1,",
        ]);
        let first = upload(&app, &token, &shop, file.as_bytes(), Some("UTF_8")).await;
        assert_eq!(first["data"]["importOrdersCsv"]["run"]["created"], 2, "{first:#}");
        // The staff work on R-1.
        let r1 = app.gql_ok(&token, "{ orders(filter: {search: \"R-1\"}) { nodes { id } } }", json!({})).await["orders"]
            ["nodes"][0]["id"]
            .clone();
        app.gql_ok(
            &token,
            "mutation($id: ID!) { updateOrder(id: $id, input: {status: AWAITING_SHIPMENT, notes: \"ギフト包装\", shipDate: \"2026-11-22\", carrier: \"ヤマト運輸\", trackingNumber: \"1234-5678\"}) { id } }",
            json!({ "id": r1 }),
        )
        .await;

        let again = upload(&app, &token, &shop, file.as_bytes(), None).await;
        let run = &again["data"]["importOrdersCsv"]["run"];
        assert_eq!(
            (run["created"].as_i64(), run["updated"].as_i64(), run["unchanged"].as_i64()),
            (Some(0), Some(0), Some(2)),
            "{again:#}"
        );

        // The cart changes a price: that order is updated, the staff's work stays.
        let changed = file.replace("K-1,3200", "K-1,3000");
        let third = upload(&app, &token, &shop, changed.as_bytes(), None).await;
        let run = &third["data"]["importOrdersCsv"]["run"];
        assert_eq!((run["updated"].as_i64(), run["unchanged"].as_i64()), (Some(1), Some(1)), "{third:#}");
        let stored = orders(&app, &token, &shop).await;
        assert_eq!(stored[0]["status"], "AWAITING_SHIPMENT");
        assert_eq!(stored[0]["notes"], "ギフト包装");
        assert_eq!(stored[0]["trackingNumber"], "1234-5678");
        assert_eq!(stored[1]["items"][0]["unitPrice"], 3000);
    });
}

fn decode_file(f: &Value) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD.decode(f["contentBase64"].as_str().unwrap()).unwrap()
}

#[tokio::test]
async fn orders_download_as_csv_with_shipping_data_and_the_file_imports_again_unchanged() {
    each_backend!(|app| {
        let (token, _) = app.tenant("自社EC", false).await;
        let shop = csv_shop(&app, &token, None).await; // the default mapping: Japanese labels
        let file = lines(&[
            "受注番号,注文日時,送付先氏名,商品名,単価,数量",
            "E-1,2026/11/20 10:15,山田 太郎,緑茶,1080,2",
            "E-1,2026/11/20 10:15,山田 太郎,急須,3200,1",
            "E-2,2026/11/21 10:15,𠮷田 花子,ほうじ茶,864,1",
            "E-3,2026/10/01 10:15,佐藤 一郎,ほうじ茶,864,1",
        ]);
        let up = upload(&app, &token, &shop, file.as_bytes(), None).await;
        assert_eq!(up["data"]["importOrdersCsv"]["run"]["created"], 3, "{up:#}");
        let e1 = app.gql_ok(&token, "{ orders(filter: {search: \"E-1\"}) { nodes { id } } }", json!({})).await["orders"]
            ["nodes"][0]["id"]
            .clone();
        app.gql_ok(
            &token,
            "mutation($id: ID!) { updateOrder(id: $id, input: {status: SHIPPED, shipDate: \"2026-11-22\", carrier: \"日本郵便\", deliveryMethod: \"ゆうパック\", trackingNumber: \"1234-5678-9012\"}) { id } }",
            json!({ "id": e1 }),
        )
        .await;

        let d = app
            .gql_ok(
                &token,
                EXPORT,
                json!({ "i": { "shopId": shop, "from": "2026-11-01T00:00:00+09:00", "to": "2026-11-30T23:59:59+09:00" } }),
            )
            .await;
        let f = &d["exportOrdersCsv"];
        assert_eq!(f["encoding"], "UTF_8");
        assert_eq!(f["contentType"], "text/csv; charset=UTF-8");
        assert_eq!((f["orderCount"].as_i64(), f["rowCount"].as_i64()), (Some(2), Some(3)), "E-3 is outside the period");
        assert!(f["fileName"].as_str().unwrap().ends_with(".csv"));
        let bytes = decode_file(f);
        assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "UTF-8 with a BOM, for Excel");
        let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
        let rows: Vec<&str> = text.split("\r\n").collect();
        assert!(rows[0].starts_with("受注番号,注文日時,受注ステータス,"), "{}", rows[0]);
        assert!(rows[0].ends_with("出荷日,配送会社,配送方法,お荷物伝票番号"), "{}", rows[0]);
        assert!(rows[1].starts_with("E-1,2026/11/20 10:15:00,出荷済み,"), "{}", rows[1]);
        assert!(rows[1].ends_with("2026-11-22,日本郵便,ゆうパック,1234-5678-9012"), "{}", rows[1]);
        assert!(rows[2].contains(",急須,"));

        // The downloaded file goes back in as it is: nothing changes.
        let again = upload(&app, &token, &shop, &bytes, None).await;
        let run = &again["data"]["importOrdersCsv"]["run"];
        assert_eq!(
            (run["created"].as_i64(), run["updated"].as_i64(), run["unchanged"].as_i64()),
            (Some(0), Some(0), Some(2)),
            "{again:#}"
        );

        // Shift_JIS: what it cannot carry becomes 「?」, and the caller is told where.
        let d = app
            .gql_ok(&token, EXPORT, json!({ "i": { "shopId": shop, "encoding": "SHIFT_JIS", "status": "NEW" } }))
            .await;
        let f = &d["exportOrdersCsv"];
        assert_eq!(f["contentType"], "text/csv; charset=Shift_JIS");
        assert_eq!(f["orderCount"], 2, "E-2 and E-3 are still 新規受付");
        let sjis_bytes = decode_file(f);
        let (text, _, bad) = SHIFT_JIS.decode(&sjis_bytes);
        assert!(!bad);
        assert!(text.contains("?田 花子"), "{text}");
        assert!(text.contains("ほうじ茶"));
        let warnings = f["warnings"].as_array().unwrap();
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].as_str().unwrap().contains("𠮷"));
    });
}

#[tokio::test]
async fn a_file_or_mapping_that_cannot_work_is_refused_whole_and_nothing_is_stored() {
    each_backend!(|app| {
        let (token, actor) = app.tenant("自社EC", false).await;
        let shop = csv_shop(&app, &token, Some(cart_mapping())).await;

        // A required field left out of the mapping, or two columns with one header.
        let mut no_quantity = cart_mapping();
        no_quantity.as_array_mut().unwrap().retain(|c| c["field"] != "QUANTITY");
        let body = save_mapping(&app, &token, &shop, no_quantity).await.unwrap_err();
        assert_eq!(error_code(&body).as_deref(), Some("VALIDATION"));
        assert_eq!(body["errors"][0]["extensions"]["field"], "csvMapping");
        assert!(body["errors"][0]["message"].as_str().unwrap().contains("数量"));
        let mut twice = cart_mapping();
        twice.as_array_mut().unwrap().push(json!({ "field": "PAYMENT_METHOD", "header": "品名" }));
        assert!(save_mapping(&app, &token, &shop, twice).await.is_err());
        // An empty list goes back to the default mapping.
        let reset = save_mapping(&app, &token, &shop, json!([])).await.unwrap();
        assert_eq!(reset[0], json!({ "field": "ORDER_NUMBER", "header": "受注番号" }));
        save_mapping(&app, &token, &shop, cart_mapping()).await.unwrap();

        // The header line lacks a mapped required column: the whole file is refused.
        let file = lines(&["注文ID,注文日時,お届け先氏名,品名,価格", "X-1,2026/11/20,山田,緑茶,1080"]);
        let body = upload(&app, &token, &shop, file.as_bytes(), None).await;
        assert_eq!(error_code(&body).as_deref(), Some("VALIDATION"), "{body:#}");
        assert_eq!(body["errors"][0]["extensions"]["field"], "file");
        assert!(body["errors"][0]["message"].as_str().unwrap().contains("個数"));
        // Not UTF-8 although UTF-8 was asked for; an empty file.
        let sjis = SHIFT_JIS.encode(&lines(&[CART_HEADER, "X-1,2026/11/20,山田,東京,緑茶,T,1080,1,"])).0.into_owned();
        let body = upload(&app, &token, &shop, &sjis, Some("UTF_8")).await;
        assert_eq!(error_code(&body).as_deref(), Some("VALIDATION"));
        assert!(body["errors"][0]["message"].as_str().unwrap().starts_with("1行目"), "{body:#}");
        assert_eq!(error_code(&upload(&app, &token, &shop, b"", None).await).as_deref(), Some("VALIDATION"));

        // Only custom-CSV shops take CSV orders.
        let rakuten = seed::shop(&app, &token, Marketplace::Rakuten, "楽天店").await;
        let good = lines(&[CART_HEADER, "X-2,2026/11/20,山田,東京,緑茶,T,1080,1,"]);
        let body = upload(&app, &token, &rakuten, good.as_bytes(), None).await;
        assert_eq!(body["errors"][0]["extensions"]["field"], "shopId");

        // Read-only callers cannot upload; another tenant's shop does not exist for the caller.
        let (read_only, _) =
            server::auth::create_api_token(&app.state.db, &actor, "BI", &["read".into()]).await.expect("token");
        assert_eq!(
            error_code(&upload(&app, &read_only, &shop, good.as_bytes(), None).await).as_deref(),
            Some("FORBIDDEN")
        );
        let (other, _) = app.tenant("別会社", false).await;
        assert_eq!(error_code(&upload(&app, &other, &shop, good.as_bytes(), None).await).as_deref(), Some("NOT_FOUND"));
        let body = app.gql(Some(&other), EXPORT, json!({ "i": { "shopId": shop } })).await;
        assert_eq!(error_code(&body).as_deref(), Some("NOT_FOUND"));

        // Nothing of the refused uploads was stored, and no run was recorded for them.
        assert!(orders(&app, &token, &shop).await.is_empty());
        let runs =
            app.gql_ok(&token, "query($s: ID!) { syncRuns(shopId: $s) { totalCount } }", json!({ "s": shop })).await;
        assert_eq!(runs["syncRuns"]["totalCount"], 0);
    });
}

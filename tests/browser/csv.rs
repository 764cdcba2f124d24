//! The custom-CSV shop (カスタムCSV店舗) in the browser: 受注CSV取込 of a file with a bad line,
//! 受注CSV書出, and the shop's CSV列の設定.

use std::time::Duration;

use chrono::{FixedOffset, Utc};
use fantoccini::Locator;
use serde_json::{Value, json};

use crate::harness::*;

/// A custom-CSV shop of the demo tenant, made through the API; its id.
async fn csv_shop(app: &madoguchi_tests::TestApp, name: &str) -> String {
    let d = app
        .gql_ok(
            TOKEN,
            "mutation($i: ShopInput!) { createShop(input: $i) { id } }",
            json!({ "i": {
                "marketplace": "CUSTOM_CSV", "name": name,
                "profile": { "mallShopName": format!("{name} 本店"), "staffName": "山田 花子", "phone": "03-1111-2222", "email": "shop@example.jp" }
            }}),
        )
        .await;
    d["createShop"]["id"].as_str().expect("shop id").to_owned()
}

async fn order_numbers(app: &madoguchi_tests::TestApp, shop: &str) -> Vec<String> {
    let d = app
        .gql_ok(
            TOKEN,
            "query($s: ID!) { orders(filter: {shopId: $s}, first: 50) { nodes { orderNumber } } }",
            json!({ "s": shop }),
        )
        .await;
    let mut v: Vec<String> = d["orders"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["orderNumber"].as_str().unwrap().to_owned())
        .collect();
    v.sort();
    v
}

/// The number a count box of the import result shows (新規 / 更新 / 変更なし / エラー).
async fn count(c: &fantoccini::Client, which: &str) -> String {
    text(c, &format!(".csv-result [data-count={which}] dd")).await.trim().to_owned()
}

#[tokio::test]
async fn staff_upload_a_csv_file_see_its_bad_line_and_download_the_orders() {
    let Some((app, driver)) = setup().await else { return };
    let shop = csv_shop(&app, "自社サイト").await;

    // A UTF-8 file in the default mapping (the Japanese labels), dated yesterday (JST) so that
    // the download's default period holds it; line 4 has a date nobody can read (and markup).
    let yesterday = (Utc::now().with_timezone(&FixedOffset::east_opt(9 * 3600).unwrap()) - chrono::Duration::days(1))
        .format("%Y/%m/%d 10:15")
        .to_string();
    let csv = [
        "受注番号,注文日時,送付先氏名,送付先住所,商品名,単価,数量".to_owned(),
        format!("B-1001,{yesterday},山田 太郎,東京都千代田区千代田1-1,緑茶 100g,1080,2"),
        format!("B-1002,{yesterday},<b>佐藤</b> 花子,大阪府大阪市北区梅田1-1,急須,3200,1"),
        "B-1003,<i>きのう</i>,鈴木 一郎,福岡県福岡市,ほうじ茶,864,1".to_owned(),
    ]
    .iter()
    .map(|l| format!("{l}\r\n"))
    .collect::<String>();
    let path = std::env::temp_dir().join(format!("madoguchi-orders-{:x}.csv", rand::random::<u64>()));
    std::fs::write(&path, csv).expect("write the CSV file");

    let c = browser(&driver).await;
    log_in(&c, &app.base).await;
    c.goto(&format!("{}/sync", app.base)).await.unwrap();
    find(&c, "select[name=shop]").await;
    eventually("the shop list holds the CSV shop", || async {
        c.find(Locator::Css(&format!("select[name=shop] option[value='{shop}']"))).await.is_ok()
    })
    .await;
    find(&c, "select[name=shop]").await.select_by_value(&shop).await.expect("choose the CSV shop");
    find(&c, "section.csv-import").await;
    // A CSV shop has no marketplace run to start.
    assert!(c.find(Locator::Css("section.sync-card[data-kind=IMPORT_ORDERS]")).await.is_err());

    find(&c, "section.csv-import input[type=file]")
        .await
        .send_keys(path.to_str().expect("a UTF-8 path"))
        .await
        .expect("choose the file");
    find(&c, "select[name=importEncoding]").await.select_by_value("UTF_8").await.unwrap();
    let import = find(&c, "section.csv-import button[type=submit]").await;
    eventually("取り込む is enabled once a file is chosen", || async {
        import.attr("disabled").await.ok().flatten().is_none()
    })
    .await;
    import.click().await.unwrap();

    eventually("the counts of the upload", || async { count(&c, "created").await == "2" }).await;
    assert_eq!(count(&c, "updated").await, "0");
    assert_eq!(count(&c, "unchanged").await, "0");
    assert_eq!(count(&c, "failed").await, "1");
    let bad = find(&c, "table.csv-row-errors tbody tr[data-line='4']").await;
    let cells = bad.find_all(Locator::Css("td")).await.unwrap();
    assert_eq!(cells[0].text().await.unwrap(), "4");
    assert_eq!(cells[1].text().await.unwrap(), "注文日時");
    // The message quotes the customer's text as it is: text, never markup.
    assert!(cells[2].text().await.unwrap().contains("「<i>きのう</i>」"), "{}", cells[2].text().await.unwrap());
    assert!(bad.find(Locator::Css("i")).await.is_err(), "no element made from the file's text");
    assert_eq!(c.find_all(Locator::Css("table.csv-row-errors tbody tr")).await.unwrap().len(), 1);
    // The run joins the history below.
    eventually("the run in the history", || async { text(&c, "table.sync-history").await.contains("自社サイト") })
        .await;
    screenshot(&c, "12-csv-import").await;

    assert_eq!(order_numbers(&app, &shop).await, ["B-1001", "B-1002"], "the good orders are stored");
    let d = app
        .gql_ok(
            TOKEN,
            "query($s: ID!) { orders(filter: {shopId: $s, search: \"B-1002\"}) { nodes { recipient { name } totalAmount } } }",
            json!({ "s": shop }),
        )
        .await;
    assert_eq!(d["orders"]["nodes"][0]["recipient"]["name"], "<b>佐藤</b> 花子", "customer text stays text");
    assert_eq!(d["orders"]["nodes"][0]["totalAmount"], 3200);

    // Download: the default period (the last 30 days) holds both orders.
    find(&c, "select[name=exportEncoding]").await.select_by_value("SHIFT_JIS").await.unwrap();
    find(&c, "section.csv-export button[type=submit]").await.click().await.unwrap();
    eventually("the download is reported", || async {
        c.find(Locator::Css("section.csv-export .csv-exported[data-order-count='2']")).await.is_ok()
    })
    .await;
    let said = text(&c, "section.csv-export .csv-exported").await;
    assert!(said.contains("受注2件・2行") && said.contains("Shift_JIS"), "{said}");
    assert!(text(&c, "section.csv-export .error").await.is_empty(), "no error");

    // Only 新規受付 orders of a period with none: zero, said plainly.
    find(&c, "select[name=exportStatus]").await.select_by_value("SHIPPED").await.unwrap();
    find(&c, "section.csv-export button[type=submit]").await.click().await.unwrap();
    eventually("an empty download is reported", || async {
        c.find(Locator::Css("section.csv-export .csv-exported[data-order-count='0']")).await.is_ok()
    })
    .await;
    assert!(text(&c, "section.csv-export").await.contains("該当する受注はありません"));

    let _ = std::fs::remove_file(&path);
    c.close().await.ok();
    app.finish().await;
}

/// Empties a text input the way a person does (WebDriver's clear fires no `input` event).
async fn empty(input: &fantoccini::elements::Element) {
    input.clear().await.unwrap();
    input.send_keys("x").await.unwrap();
    input.send_keys(&fantoccini::key::Key::Backspace.to_string()).await.unwrap();
}

async fn mapping(app: &madoguchi_tests::TestApp, shop: &str) -> Value {
    let d = app.gql_ok(TOKEN, "{ shops { id settings { csvMapping { field header } } } }", json!({})).await;
    d["shops"].as_array().unwrap().iter().find(|s| s["id"] == shop).expect("the shop")["settings"]["csvMapping"].clone()
}

#[tokio::test]
async fn an_admin_maps_the_csv_columns_of_a_csv_shop_and_resets_them() {
    let Some((app, driver)) = setup().await else { return };
    let shop = csv_shop(&app, "カート連携店").await;
    let c = browser(&driver).await;
    log_in(&c, &app.base).await;
    c.goto(&format!("{}/shops", app.base)).await.unwrap();
    find(&c, &format!("tr[data-shop-id='{shop}'] button")).await.click().await.unwrap();
    let editor = find(&c, "form.csv-mapping").await;
    let header = |field: &'static str| {
        let c = c.clone();
        async move { find(&c, &format!("form.csv-mapping input[name='csvHeader.{field}']")).await }
    };
    eventually("the saved (default) headers are shown", || async {
        header("ORDER_NUMBER").await.prop("value").await.ok().flatten().as_deref() == Some("受注番号")
    })
    .await;
    assert!(text(&c, "form.csv-mapping tr[data-field=ORDER_NUMBER] th").await.contains("必須"));
    assert!(!text(&c, "form.csv-mapping tr[data-field=SKU] th").await.contains("必須"));

    // A required field cannot be left out: the error stands at its row, nothing is saved.
    empty(&header("ORDER_NUMBER").await).await;
    find(&c, "form.csv-mapping button[type=submit]").await.click().await.unwrap();
    eventually("the error at the row", || async {
        !text(&c, "form.csv-mapping tr[data-field=ORDER_NUMBER] .field-error").await.is_empty()
    })
    .await;
    // A header used twice is the server's refusal, shown beside the editor.
    header("ORDER_NUMBER").await.send_keys("注文ID").await.unwrap();
    empty(&header("SKU").await).await;
    header("SKU").await.send_keys("注文ID").await.unwrap();
    find(&c, "form.csv-mapping button[type=submit]").await.click().await.unwrap();
    eventually("the server's message", || async {
        text(&c, "form.csv-mapping .csv-mapping-errors .error").await.contains("注文ID")
    })
    .await;
    // Optional fields may be left empty (not mapped).
    empty(&header("SKU").await).await;
    empty(&header("BUYER_PHONE").await).await;
    find(&c, "form.csv-mapping button[type=submit]").await.click().await.unwrap();
    eventually("saved", || async { text(&c, "form.csv-mapping .success").await.contains("保存しました") }).await;
    let saved = mapping(&app, &shop).await;
    assert_eq!(saved[0], json!({ "field": "ORDER_NUMBER", "header": "注文ID" }));
    let fields: Vec<&str> = saved.as_array().unwrap().iter().map(|c| c["field"].as_str().unwrap()).collect();
    assert!(!fields.contains(&"SKU") && !fields.contains(&"BUYER_PHONE"), "{saved}");
    assert_eq!(fields.len(), shared::CsvField::ALL.len() - 2);
    screenshot(&c, "13-csv-mapping").await;

    // 初期値に戻す, confirming the dialog.
    editor.find(Locator::Css("button.reset")).await.unwrap().click().await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    c.accept_alert().await.expect("a confirmation dialog");
    eventually("the default again", || async {
        mapping(&app, &shop).await == json!(shared::csv_orders::CsvMapping::default().columns)
    })
    .await;
    eventually("the editor shows the default", || async {
        header("SKU").await.prop("value").await.ok().flatten().as_deref() == Some("商品番号")
    })
    .await;
    c.close().await.ok();
    app.finish().await;
}

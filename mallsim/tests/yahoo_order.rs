//! Yahoo! 注文API (XML) over real HTTP.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed step is a failed test

mod common;

use common::start;
use mallsim::xml::{Element, parse};
use serde_json::json;

async fn call(r: &common::Running, auth: &str, op: &str, body: String, form: bool) -> (u16, Element) {
    let ct = if form { "application/x-www-form-urlencoded" } else { "application/xml; charset=utf-8" };
    let resp = r
        .http
        .post(r.url(&format!("/yahoo/ShoppingWebService/V1/{op}")))
        .header("Authorization", auth)
        .header("Content-Type", ct)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    (status, parse(&text).unwrap_or_else(|e| panic!("{e}: {text}")))
}

fn list_req(seller: &str, condition: &str, fields: &str, result: usize, start: usize) -> String {
    format!(
        "<Req><Search><Result>{result}</Result><Start>{start}</Start><Sort>+order_time</Sort><Condition>{condition}</Condition><Field>{fields}</Field></Search><SellerId>{seller}</SellerId></Req>"
    )
}

fn window() -> String {
    let now = chrono::Utc::now() + chrono::Duration::hours(9);
    format!(
        "<OrderTimeFrom>{}</OrderTimeFrom><OrderTimeTo>{}</OrderTimeTo>",
        (now - chrono::Duration::days(30)).format("%Y%m%d%H%M%S"),
        (now + chrono::Duration::minutes(1)).format("%Y%m%d%H%M%S")
    )
}

#[tokio::test]
async fn order_list_needs_fields_and_a_condition_and_pages_with_total_count() {
    let r = start().await;
    let auth = r.yahoo_seller("shop-y1", 0).await;
    r.post_control("/accounts/yahoo/shop-y1/orders", json!({"count": 5, "withinDays": 10})).await;
    let (status, e) = call(&r, &auth, "orderList", list_req("shop-y1", &window(), "", 10, 1), false).await;
    assert_eq!(status, 400);
    assert_eq!(e.text_at("Status"), Some("NG"));
    assert!(e.text_at("Error/Code").is_some());
    let (status, _) = call(&r, &auth, "orderList", list_req("shop-y1", "", "OrderId", 10, 1), false).await;
    assert_eq!(status, 400);
    let (status, res) = call(
        &r,
        &auth,
        "orderList",
        list_req("shop-y1", &window(), "OrderId,OrderTime,OrderStatus,IsSeen", 2, 5),
        false,
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(res.text_at("Status"), Some("OK"));
    let search = res.child("Search").unwrap();
    assert_eq!(search.text_at("TotalCount"), Some("5"));
    let infos: Vec<&Element> = search.children.iter().filter(|c| c.name == "OrderInfo").collect();
    assert_eq!(infos.len(), 1);
    assert_eq!(infos[0].text_at("Index"), Some("5"));
    let id = infos[0].text_at("OrderId").unwrap();
    assert!(id.starts_with("shop-y1-") && id.len() == "shop-y1-".len() + 8);
    assert!(infos[0].text_at("OrderTime").unwrap().ends_with("+09:00"));
    assert_eq!(infos[0].text_at("OrderStatus"), Some("2"));
    assert_eq!(infos[0].text_at("IsSeen"), Some("false"));
    assert!(infos[0].text_at("TotalPrice").is_none(), "only the requested fields");
}

#[tokio::test]
async fn order_info_and_ship_status_change_round_trip() {
    let r = start().await;
    let auth = r.yahoo_seller("shop-y2", 0).await;
    let created = r.post_control("/accounts/yahoo/shop-y2/orders", json!({"count": 1})).await;
    let id = created["orderNumbers"][0].as_str().unwrap().to_string();
    let info = format!(
        "<Req><Target><OrderId>{id}</OrderId><Field>OrderId,ShipStatus,BillLastName,Title</Field></Target><SellerId>shop-y2</SellerId></Req>"
    );
    let (status, res) = call(&r, &auth, "orderInfo", info.clone(), false).await;
    assert_eq!(status, 200);
    assert_eq!(res.name, "ResultSet");
    let o = res.at("Result/OrderInfo").unwrap();
    assert_eq!(o.text_at("OrderId"), Some(id.as_str()));
    assert_eq!(o.text_at("Ship/ShipStatus"), Some("1"));
    assert!(o.text_at("Pay/BillLastName").is_some());
    assert!(o.text_at("Item/Title").is_some());

    let change = |fix: &str, invoice: &str| {
        format!(
            "<Req><Target><OrderId>{id}</OrderId><IsPointFix>{fix}</IsPointFix></Target><Order><Ship><ShipStatus>3</ShipStatus><ShipCompanyCode>1001</ShipCompanyCode><ShipInvoiceNumber1>{invoice}</ShipInvoiceNumber1><ShipDate>20260101</ShipDate></Ship></Order><SellerId>shop-y2</SellerId></Req>"
        )
    };
    let (status, _) = call(&r, &auth, "orderShipStatusChange", change("false", "1234-5678-9012"), false).await;
    assert_eq!(status, 400, "IsPointFix must be true");
    let (status, _) = call(&r, &auth, "orderShipStatusChange", change("true", "ABCDEFGHIJKLMNOPQ"), false).await;
    assert_eq!(status, 400, "Yamato numbers are digits, at most 14 bytes");
    let encoded =
        percent_encoding::utf8_percent_encode(&change("true", "1234-5678-9012"), percent_encoding::NON_ALPHANUMERIC)
            .to_string();
    let (status, res) = call(&r, &auth, "orderShipStatusChange", encoded, true).await;
    assert_eq!(status, 200);
    assert_eq!(res.attrs.iter().find(|(k, _)| k == "ok").unwrap().1, "1");
    let (_, res) = call(&r, &auth, "orderInfo", info, false).await;
    assert_eq!(res.text_at("Result/OrderInfo/Ship/ShipStatus"), Some("3"));
    let c = r.counters("yahoo", "shop-y2").await;
    assert_eq!(c["shippingUpdates"], 1);
}

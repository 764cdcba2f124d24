//! Rakuten InquiryManagementAPI over real HTTP.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed step is a failed test

mod common;

use chrono::{Duration, Utc};
use common::{esa, jst, start};
use serde_json::{Value, json};

const BASE: &str = "/rakuten/es/1.0/inquirymng-api";

async fn get(r: &common::Running, auth: &str, path: &str) -> (u16, Value) {
    let resp = r.http.get(r.url(&format!("{BASE}{path}"))).header("Authorization", auth).send().await.unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

async fn send(r: &common::Running, method: &str, auth: &str, path: &str, body: Value) -> (u16, Value) {
    let resp = r
        .http
        .request(reqwest::Method::from_bytes(method.as_bytes()).unwrap(), r.url(&format!("{BASE}{path}")))
        .header("Authorization", auth)
        .header("Content-Type", "application/json; charset=utf-8")
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

fn window(from: chrono::DateTime<Utc>, to: chrono::DateTime<Utc>) -> String {
    format!("fromDate={}&toDate={}", jst(from), jst(to))
}

#[tokio::test]
async fn a_window_longer_than_31_days_is_refused_with_ie001() {
    let r = start().await;
    let auth = r.rakuten_shop("100001").await;
    let now = Utc::now();
    let (status, body) = get(&r, &auth, &format!("/inquiries?{}", window(now - Duration::days(32), now))).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["code"], "IE001");
    assert_eq!(body["error"]["targets"]["toDate"], "date time range should be within 31 days.");
    let (status, _) = get(&r, &auth, &format!("/inquiries?{}", window(now - Duration::days(31), now))).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn dates_must_be_jst_without_offset_and_from_before_to() {
    let r = start().await;
    let auth = r.rakuten_shop("100002").await;
    let (status, body) =
        get(&r, &auth, "/inquiries?fromDate=2024-05-01T00:00:00%2B09:00&toDate=2024-05-02T00:00:00").await;
    assert_eq!(status, 400);
    assert!(body["error"]["targets"]["fromDate"].as_str().unwrap().starts_with("must match"));
    let (status, body) = get(&r, &auth, "/inquiries?fromDate=2024-05-03T00:00:00&toDate=2024-05-02T00:00:00").await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["targets"]["fromDate"], "date time range is invalid.");
    let (status, body) = get(&r, &auth, "/inquiries?toDate=2024-05-02T00:00:00").await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["targets"]["fromDate"], "must not be null");
}

#[tokio::test]
async fn inquiries_are_listed_newest_first_in_pages() {
    let r = start().await;
    let auth = r.rakuten_shop("100003").await;
    let now = Utc::now();
    let specs: Vec<Value> = (0..25).map(|i| json!({"at": now - Duration::hours(i + 1)})).collect();
    r.post_control("/accounts/rakuten/100003/inquiries", json!({"inquiries": specs})).await;
    let w = window(now - Duration::days(2), now);
    let (status, p1) = get(&r, &auth, &format!("/inquiries?{w}&limit=10")).await;
    assert_eq!(status, 200);
    assert_eq!(p1["totalCount"], 25);
    assert_eq!(p1["totalPageCount"], 3);
    assert_eq!(p1["page"], 1);
    let dates: Vec<String> =
        p1["list"].as_array().unwrap().iter().map(|i| i["regDate"].as_str().unwrap().to_string()).collect();
    assert_eq!(dates.len(), 10);
    assert!(dates.windows(2).all(|w| w[0] >= w[1]), "sorted by regDate descending");
    assert!(dates[0].ends_with("+09:00"));
    let (_, p3) = get(&r, &auth, &format!("/inquiries?{w}&limit=10&page=3")).await;
    assert_eq!(p3["list"].as_array().unwrap().len(), 5);
    let (_, count) = get(&r, &auth, &format!("/inquiries/count?{w}")).await;
    assert_eq!(count["result"]["count"], 25);
    let (_, empty) =
        get(&r, &auth, &format!("/inquiries?{}", window(now - Duration::days(40), now - Duration::days(30)))).await;
    assert_eq!(empty, json!({"totalCount": 0, "totalPageCount": 0, "page": 1, "list": []}));
}

#[tokio::test]
async fn limit_and_page_rules() {
    let r = start().await;
    let auth = r.rakuten_shop("100004").await;
    let now = Utc::now();
    let w = window(now - Duration::days(1), now);
    let (status, body) = get(&r, &auth, &format!("/inquiries?{w}&limit=101")).await;
    assert_eq!((status, body["error"]["targets"]["limit"].as_str()), (400, Some("should be less than equal 100")));
    let (status, body) = get(&r, &auth, &format!("/inquiries?{w}&limit=100&page=101")).await;
    assert_eq!((status, body["error"]["code"].as_str()), (400, Some("IE000")));
    let (status, body) = get(&r, &auth, &format!("/inquiries?{w}&limit=1&page=10001")).await;
    assert_eq!((status, body["error"]["code"].as_str()), (400, Some("IE001")));
    let (status, _) = get(&r, &auth, &format!("/inquiries?{w}&limit=100&page=100")).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn the_list_filters_on_the_first_date_so_a_new_message_on_an_old_inquiry_is_not_listed() {
    let r = start().await;
    let auth = r.rakuten_shop("100005").await;
    let now = Utc::now();
    let ids = r
        .post_control(
            "/accounts/rakuten/100005/inquiries",
            json!({"inquiries": [{"at": now - Duration::days(40), "message": "まだ届きません"}]}),
        )
        .await;
    let number = ids["inquiryIds"][0].as_str().unwrap().to_string();
    assert!(number.starts_with("100005-") && number.ends_with('t'));
    r.post_control(&format!("/accounts/rakuten/100005/inquiries/{number}/messages"), json!({"message": "追伸です"}))
        .await;
    let (_, recent) =
        get(&r, &auth, &format!("/inquiries?{}", window(now - Duration::days(30), now + Duration::minutes(1)))).await;
    assert_eq!(recent["totalCount"], 0);
    let (status, one) = get(&r, &auth, &format!("/inquiry/{number}")).await;
    assert_eq!(status, 200);
    assert_eq!(one["result"]["message"], "まだ届きません");
    assert_eq!(one["result"]["replies"][0]["message"], "追伸です");
    assert_eq!(one["result"]["replies"][0]["replyFrom"], "user");
    assert_eq!(one["result"]["replies"][0]["id"], 0);
    assert_eq!(one["result"]["shopId"], 100005);
    let (status, _) = get(&r, &auth, "/inquiry/100005-20000101-999t").await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn no_merchant_reply_keeps_only_inquiries_awaiting_the_shop() {
    let r = start().await;
    let auth = r.rakuten_shop("100006").await;
    let ids = r.post_control("/accounts/rakuten/100006/inquiries", json!({"count": 3, "withinDays": 1})).await;
    let first = ids["inquiryIds"][0].as_str().unwrap();
    let (status, _) = send(
        &r,
        "POST",
        &auth,
        "/inquiry/reply",
        json!({"inquiryNumber": first, "shopId": "100006", "message": "ご連絡ありがとうございます。"}),
    )
    .await;
    assert_eq!(status, 201);
    let now = Utc::now();
    let w = window(now - Duration::days(2), now + Duration::minutes(1));
    let (_, all) = get(&r, &auth, &format!("/inquiries/count?{w}")).await;
    let (_, open) = get(&r, &auth, &format!("/inquiries/count?{w}&noMerchantReply=true")).await;
    assert_eq!(all["result"]["count"], 3);
    assert_eq!(open["result"]["count"], 2);
}

#[tokio::test]
async fn wrong_credentials_get_the_esa_auth_error_and_an_expired_key_says_so() {
    let r = start().await;
    r.rakuten_shop("100007").await;
    let now = Utc::now();
    let path = format!("/inquiries?{}", window(now - Duration::days(1), now));
    let (status, body) = get(&r, &esa("SP100007_secret", "wrong"), &path).await;
    assert_eq!(status, 401);
    assert_eq!(body["Results"]["errorCode"], "ES04-01");
    let (status, _) = get(&r, "Bearer abc", &path).await;
    assert_eq!(status, 401);
    r.post_control("/accounts/rakuten/100007/expire", json!({})).await;
    let (status, body) = get(&r, &esa("SP100007_secret", "SL100007_license"), &path).await;
    assert_eq!(status, 401);
    assert!(body["Results"]["message"].as_str().unwrap().contains("expired"));
    r.post_control("/accounts/rakuten/100007/expire", json!({"expired": false})).await;
    let (status, _) = get(&r, &esa("SP100007_secret", "SL100007_license"), &path).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn a_reply_is_created_once_and_the_same_text_again_is_a_conflict() {
    let r = start().await;
    let auth = r.rakuten_shop("100008").await;
    let ids = r.post_control("/accounts/rakuten/100008/inquiries", json!({"count": 1})).await;
    let number = ids["inquiryIds"][0].as_str().unwrap();
    let reply = json!({"inquiryNumber": number, "shopId": "100008", "message": "明日発送いたします。"});
    let (status, body) = send(&r, "POST", &auth, "/inquiry/reply", reply.clone()).await;
    assert_eq!(status, 201);
    assert_eq!(body["result"]["replyFrom"], "merchant");
    assert!(body["result"]["regDate"].as_str().unwrap().ends_with("+09:00"));
    let (status, _) = send(&r, "POST", &auth, "/inquiry/reply", reply).await;
    assert_eq!(status, 409);
    let c = r.counters("rakuten", "100008").await;
    assert_eq!(c["replies"], 1);
    assert_eq!(c["received"][0]["target"], number);
    let (status, body) = send(
        &r,
        "POST",
        &auth,
        "/inquiry/reply",
        json!({"inquiryNumber": number, "shopId": "100008", "message": "詳細は https://example.com/ へ"}),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["code"], "IE001");
    let (status, _) = send(
        &r,
        "POST",
        &auth,
        "/inquiry/reply",
        json!({"inquiryNumber": "100008-20000101-1t", "shopId": "100008", "message": "x"}),
    )
    .await;
    assert_eq!(status, 404);
}

async fn upload(r: &common::Running, auth: &str, name: &str, bytes: Vec<u8>) -> (u16, Value) {
    let part = reqwest::multipart::Part::bytes(bytes).file_name(name.to_string());
    let form = reqwest::multipart::Form::new().part("file", part);
    let resp = r
        .http
        .post(r.url(&format!("{BASE}/attachment")))
        .header("Authorization", auth)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn an_attachment_over_5_mb_gets_413_gf0003_and_a_small_one_goes_with_a_reply() {
    let r = start().await;
    let auth = r.rakuten_shop("100009").await;
    let (status, body) = upload(&r, &auth, "big.pdf", vec![0u8; 5 * 1024 * 1024 + 1]).await;
    assert_eq!(status, 413);
    assert_eq!(body, json!({"errors": [{"code": "GF0003", "message": "Request entity too large"}]}));
    let (status, body) = upload(&r, &auth, "empty.png", vec![]).await;
    assert_eq!((status, body["error"]["targets"]["file"].as_str()), (400, Some("attachment file is empty.")));
    let (status, body) = upload(&r, &auth, "receipt.pdf", b"%PDF-1.4 receipt".to_vec()).await;
    assert_eq!(status, 201);
    let path = body["result"]["path"].as_str().unwrap().to_string();
    assert!(path.contains("/100009/"), "{path}");
    let ids = r.post_control("/accounts/rakuten/100009/inquiries", json!({"count": 1})).await;
    let number = ids["inquiryIds"][0].as_str().unwrap();
    let reply = json!({"inquiryNumber": number, "shopId": "100009", "message": "領収書を添付いたします。", "attachments": [{"label": "receipt.pdf", "path": path}]});
    let (status, body) = send(&r, "POST", &auth, "/inquiry/reply", reply).await;
    assert_eq!(status, 201, "{body}");
    let (_, one) = get(&r, &auth, &format!("/inquiry/{number}")).await;
    assert_eq!(one["result"]["replies"][0]["attachments"][0]["path"], path.as_str());
    let two = json!({"inquiryNumber": number, "shopId": "100009", "message": "2通目", "attachments": [{"label": "a.pdf", "path": path}, {"label": "b.pdf", "path": path}]});
    let (status, body) = send(&r, "POST", &auth, "/inquiry/reply", two).await;
    assert_eq!((status, body["error"]["targets"]["attachments"].as_str()), (400, Some("size must be between 0 and 1")));
    let c = r.counters("rakuten", "100009").await;
    assert_eq!((c["attachments"].as_u64(), c["replies"].as_u64()), (Some(1), Some(1)));
}

#[tokio::test]
async fn read_complete_and_incomplete_report_ok_and_error_lists() {
    let r = start().await;
    let auth = r.rakuten_shop("100010").await;
    let ids = r.post_control("/accounts/rakuten/100010/inquiries", json!({"count": 2})).await;
    let a = ids["inquiryIds"][0].as_str().unwrap();
    let b = ids["inquiryIds"][1].as_str().unwrap();
    let (status, body) =
        send(&r, "PATCH", &auth, "/inquiries/read", json!({"inquiryNumbers": [a, "100010-20000101-0t"]})).await;
    assert_eq!(status, 200);
    assert_eq!(body["result"]["ok"], json!([a]));
    assert_eq!(body["result"]["error"][0]["errorMessage"], "not found.");
    let (_, body) = send(&r, "PATCH", &auth, "/inquiries/complete", json!({"inquiryNumbers": [a, b]})).await;
    assert_eq!(body["result"]["ok"], json!([a, b]));
    let (_, body) = send(&r, "PATCH", &auth, "/inquiries/complete", json!({"inquiryNumbers": [a]})).await;
    assert_eq!(body["result"]["error"][0]["errorMessage"], "already set value as specified");
    let (_, body) = send(&r, "PATCH", &auth, "/inquiries/incomplete", json!({"inquiryNumbers": [a]})).await;
    assert_eq!(body["result"]["ok"], json!([a]));
    let (_, one) = get(&r, &auth, &format!("/inquiry/{a}")).await;
    assert_eq!(one["result"]["isCompleted"], false);
    assert_eq!(one["result"]["readByMerchant"], true);
    let (status, body) = send(&r, "PATCH", &auth, "/inquiries/read", json!({"inquiryNumbers": ["bad number!"]})).await;
    assert_eq!(status, 400);
    assert_eq!(body["error"]["targets"]["inquiryNumbers[]"], "must match \"^[0-9a-zA-Z-]+$\"");
    let c = r.counters("rakuten", "100010").await;
    assert_eq!(
        (c["reads"].as_u64(), c["completions"].as_u64(), c["incompletions"].as_u64()),
        (Some(1), Some(2), Some(1))
    );
}

#[tokio::test]
async fn a_buyer_message_is_pushed_to_the_registered_callback_with_the_shared_secret() {
    use axum::routing::post;
    let r = start().await;
    r.rakuten_shop("100011").await;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(String, String)>();
    let app = axum::Router::new().route(
        "/hook",
        post(move |headers: axum::http::HeaderMap, body: String| {
            let tx = tx.clone();
            async move {
                let key = headers.get("x-auth-key").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
                tx.send((key, body)).unwrap();
                "<responseModel><resultCode>N-000-000</resultCode></responseModel>"
            }
        }),
    );
    let hook = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hook_addr = hook.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(hook, app).await });
    let (status, _) = r
        .control(
            "PUT",
            "/accounts/rakuten/100011/push",
            json!({"url": format!("http://{hook_addr}/hook"), "secret": "s3cret"}),
        )
        .await;
    assert_eq!(status, 204);
    let ids = r.post_control("/accounts/rakuten/100011/inquiries", json!({"count": 1})).await;
    let number = ids["inquiryIds"][0].as_str().unwrap().to_string();
    let (key, body) = tokio::time::timeout(std::time::Duration::from_secs(5), rx.recv()).await.unwrap().unwrap();
    assert_eq!(key, "s3cret");
    assert!(body.contains("<notifyModel>") && body.contains(&number), "{body}");
    assert!(body.contains("<value2 name=\"actionType\">1</value2>"));
    r.post_control(&format!("/accounts/rakuten/100011/inquiries/{number}/messages"), json!({})).await;
    let (_, body) = tokio::time::timeout(std::time::Duration::from_secs(5), rx.recv()).await.unwrap().unwrap();
    assert!(body.contains("<value2 name=\"actionType\">2</value2>"));
    let outcome = r.post_control(&format!("/accounts/rakuten/100011/inquiries/{number}/push"), json!({})).await;
    assert_eq!(outcome["resultCode"], "N-000-000");
    rx.recv().await.unwrap();
    let c = r.counters("rakuten", "100011").await;
    assert_eq!(c["pushes"], 3);
}

//! Yahoo! 問い合わせ管理API (talk) over real HTTP.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed step is a failed test

mod common;

use common::start;
use serde_json::{Value, json};

const BASE: &str = "/yahoo/ShoppingWebService/V1";

async fn get(r: &common::Running, auth: &str, path: &str) -> (u16, String) {
    let resp = r.http.get(r.url(&format!("{BASE}/{path}"))).header("Authorization", auth).send().await.unwrap();
    (resp.status().as_u16(), resp.text().await.unwrap())
}

async fn send(r: &common::Running, method: &str, auth: &str, path: &str, body: Value) -> (u16, String) {
    let resp = r
        .http
        .request(reqwest::Method::from_bytes(method.as_bytes()).unwrap(), r.url(&format!("{BASE}/{path}")))
        .header("Authorization", auth)
        .json(&body)
        .send()
        .await
        .unwrap();
    (resp.status().as_u16(), resp.text().await.unwrap())
}

fn json_of(s: &str) -> Value {
    serde_json::from_str(s).unwrap_or_else(|_| panic!("not JSON: {s}"))
}

fn xml_code(s: &str) -> String {
    mallsim::xml::parse(s).unwrap().text_at("Code").unwrap().to_string()
}

#[tokio::test]
async fn the_list_comes_in_pages_of_20_with_unix_seconds_and_masked_buyers_only() {
    let r = start().await;
    let auth = r.yahoo_seller("store-a", 0).await;
    r.post_control("/accounts/yahoo/store-a/orders", json!({"count": 3})).await;
    let ids = r.post_control("/accounts/yahoo/store-a/inquiries", json!({"count": 25})).await;
    let first = ids["inquiryIds"][0].as_str().unwrap();
    assert_eq!(first.len(), 64);
    assert!(first.bytes().all(|c| c.is_ascii_hexdigit()));
    let (status, body) = get(&r, &auth, "externalTalkList?sellerId=store-a").await;
    assert_eq!(status, 200);
    let page = json_of(&body);
    assert_eq!(page["headlines"].as_array().unwrap().len(), 20);
    assert_eq!(page["summary"]["topic"], json!({"start": 1, "end": 20, "count": 25}));
    assert_eq!(page["summary"]["unansweredCount"], 25);
    let h = &page["headlines"][0];
    let t = h["userPostTime"].as_str().unwrap();
    assert!(t.len() == 10 && t.bytes().all(|c| c.is_ascii_digit()), "{t}");
    assert!(h["sellerPostTime"].is_null());
    let (_, body) = get(&r, &auth, "externalTalkList?sellerId=store-a&start=21").await;
    assert_eq!(json_of(&body)["headlines"].as_array().unwrap().len(), 5);
    let (status, _) = get(&r, &auth, "externalTalkList?sellerId=store-a&result=21").await;
    assert_eq!(status, 400);

    let inquiry = r.get_control(&format!("/accounts/yahoo/store-a/inquiries/{first}")).await;
    let name = inquiry["userName"].as_str().unwrap();
    let (status, detail) = get(&r, &auth, &format!("externalTalkDetail?sellerId=store-a&topicId={first}")).await;
    assert_eq!(status, 200);
    assert!(!detail.contains(name), "the buyer's name never appears");
    let d = json_of(&detail);
    let masked = d["topic"]["userMaskedIdx"].as_str().unwrap();
    assert!(masked.ends_with("*****") && masked.len() == 8, "{masked}");
    assert_eq!(d["messages"][0]["postUserType"], "user");
}

#[tokio::test]
async fn one_request_per_second_per_url() {
    let r = start().await;
    let auth = r.yahoo_seller("store-b", 1000).await;
    let (status, _) = get(&r, &auth, "externalTalkList?sellerId=store-b").await;
    assert_eq!(status, 200);
    let (status, body) = get(&r, &auth, "externalTalkList?sellerId=store-b").await;
    assert_eq!(status, 429);
    assert!(body.contains("<Error>"));
    let (status, _) = get(&r, &auth, "externalTalkDetail?sellerId=store-b&topicId=x").await;
    assert_eq!(status, 404, "another URL is not limited");
    tokio::time::sleep(std::time::Duration::from_millis(1050)).await;
    let (status, _) = get(&r, &auth, "externalTalkList?sellerId=store-b").await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn bearer_auth_failures_use_the_common_xml_error() {
    let r = start().await;
    r.yahoo_seller("store-c", 0).await;
    let resp = r
        .http
        .get(r.url(&format!("{BASE}/externalTalkList?sellerId=store-c")))
        .header("Authorization", "Bearer nope")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    assert!(resp.headers()["www-authenticate"].to_str().unwrap().contains("invalid_token"));
    assert_eq!(xml_code(&resp.text().await.unwrap()), "px-04101");
    r.post_control("/accounts/yahoo/store-c/expire", json!({})).await;
    let resp = r
        .http
        .get(r.url(&format!("{BASE}/externalTalkList?sellerId=store-c")))
        .header("Authorization", "Bearer yj-token-store-c")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    assert!(resp.headers()["www-authenticate"].to_str().unwrap().contains("expired token"));
    assert_eq!(xml_code(&resp.text().await.unwrap()), "px-04102");
    let auth = r.yahoo_seller("store-d", 0).await;
    let (status, _) = get(&r, &auth, "externalTalkList?sellerId=store-c").await;
    assert_eq!(status, 403, "a token only serves its own seller");
}

#[tokio::test]
async fn completion_is_one_way_and_needs_a_prior_seller_message() {
    let r = start().await;
    let auth = r.yahoo_seller("store-e", 0).await;
    let ids = r.post_control("/accounts/yahoo/store-e/inquiries", json!({"count": 2})).await;
    let topic = ids["inquiryIds"][0].as_str().unwrap();
    let other = ids["inquiryIds"][1].as_str().unwrap();
    let (status, _) =
        send(&r, "PUT", &auth, &format!("externalTalkComplete?topicId={topic}"), json!({"sellerId": "store-e"})).await;
    assert_eq!(status, 400);
    let (status, body) = send(
        &r,
        "POST",
        &auth,
        &format!("externalTalkAdd?topicId={topic}"),
        json!({"sellerId": "store-e", "body": "お問い合わせありがとうございます。\n本日発送いたしました。"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let added = json_of(&body);
    assert_eq!(added["topicid"], topic);
    assert!(added["postdate"].as_str().unwrap().bytes().all(|c| c.is_ascii_digit()));
    let (status, _) =
        send(&r, "PUT", &auth, &format!("externalTalkComplete?topicId={topic}"), json!({"sellerId": "store-e"})).await;
    assert_eq!(status, 200);
    let (status, _) =
        send(&r, "PUT", &auth, &format!("externalTalkComplete?topicId={topic}"), json!({"sellerId": "store-e"})).await;
    assert_eq!(status, 409, "already completed");
    let (status, _) = send(
        &r,
        "POST",
        &auth,
        &format!("externalTalkAdd?topicId={topic}"),
        json!({"sellerId": "store-e", "body": "追記"}),
    )
    .await;
    assert_eq!(status, 409, "a completed topic takes no message");
    let (status, _) = send(
        &r,
        "PUT",
        &auth,
        &format!("externalTalkComplete?topicId={other}"),
        json!({"sellerId": "store-e", "completeConditionId": "5"}),
    )
    .await;
    assert_eq!(status, 200, "回答不要 needs no reply");
    let (_, list) = get(&r, &auth, "externalTalkList?sellerId=store-e&requestFilter=completed").await;
    assert_eq!(json_of(&list)["summary"]["topic"]["count"], 2);
    let c = r.counters("yahoo", "store-e").await;
    assert_eq!((c["replies"].as_u64(), c["completions"].as_u64()), (Some(1), Some(2)));
}

#[tokio::test]
async fn a_file_is_uploaded_then_sent_with_a_message() {
    let r = start().await;
    let auth = r.yahoo_seller("store-f", 0).await;
    let ids = r.post_control("/accounts/yahoo/store-f/inquiries", json!({"count": 1})).await;
    let topic = ids["inquiryIds"][0].as_str().unwrap();
    let form = reqwest::multipart::Form::new()
        .part("file", reqwest::multipart::Part::bytes(b"\x89PNG....".to_vec()).file_name("label.png"));
    let resp = r
        .http
        .post(r.url(&format!("{BASE}/externalTalkFileAdd?topicId={topic}&sellerId=store-f")))
        .header("Authorization", &auth)
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let key = json_of(&resp.text().await.unwrap())["objectKey"].as_str().unwrap().to_string();
    assert!(key.starts_with(&format!("{topic}/")) && key.ends_with("_SELLER.png"), "{key}");
    let msg = json!({"sellerId": "store-f", "body": "伝票の写真です。", "fileList": [{"fileName": "label.png", "filePath": key, "fileExt": "png"}]});
    let (status, _) = send(&r, "POST", &auth, &format!("externalTalkAdd?topicId={topic}"), msg).await;
    assert_eq!(status, 200);
    let (_, detail) = get(&r, &auth, &format!("externalTalkDetail?sellerId=store-f&topicId={topic}")).await;
    let d = json_of(&detail);
    assert_eq!(d["messages"][1]["postUserType"], "seller");
    assert_eq!(d["messages"][1]["fileList"][0]["objectKey"], key.as_str());
    let resp = r
        .http
        .get(r.url(&format!("{BASE}/externalTalkFileDownload?key={key}&sellerId=store-f")))
        .header("Authorization", &auth)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.headers()["content-type"], "image/png");
    assert_eq!(resp.bytes().await.unwrap().as_ref(), b"\x89PNG....");
}

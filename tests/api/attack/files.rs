//! Attack suite: files.
//!
//! Attachment bytes are stored under a generated key (the name is only metadata, so a name of
//! any length or script works and never reaches a path); a file a customer attaches on the
//! marketplace is imported only up to a size cap; the bytes of a file staff send must be what
//! its type says.

use madoguchi_tests::{TestApp, each_backend, error_code};
use serde_json::{Value, json};
use shared::{Marketplace, MessageAuthor};

use super::outbound::{CREATE_SHOP, Mall, RAKUTEN_SHOP, rakuten_credentials, rakuten_input, run};
use crate::seed::{self, Thread};

const PDF: &[u8] = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n";
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0";
const JPEG: &[u8] = b"\xff\xd8\xff\xe0\0\x10JFIF\0\x01\x01\0\0\x01\0\x01\0\0\xff\xd9";

/// A reply with one file, as the browser sends it (GraphQL multipart).
async fn reply_with_file(
    app: &TestApp,
    token: &str,
    inquiry: &str,
    name: &str,
    content_type: &str,
    bytes: &[u8],
) -> Value {
    let boundary = "----MadoguchiAttackFiles0123";
    let operations = json!({
        "query": "mutation($i: ReplyInput!) { replyToInquiry(input: $i) { id attachments { fileName contentType size url } } }",
        "variables": { "i": { "inquiryId": inquiry, "body": "ファイルを添付します", "attachments": [null] } }
    });
    let mut body = Vec::new();
    for (field, value) in
        [("operations", operations.to_string()), ("map", json!({ "0": ["variables.i.attachments.0"] }).to_string())]
    {
        body.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{field}\"\r\n\r\n{value}\r\n").as_bytes(),
        );
    }
    body.extend(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"0\"; filename=\"{name}\"\r\nContent-Type: {content_type}\r\n\r\n").as_bytes());
    body.extend(bytes);
    body.extend(format!("\r\n--{boundary}--\r\n").as_bytes());
    app.http
        .post(format!("{}/graphql", app.base))
        .bearer_auth(token)
        .header("content-type", format!("multipart/form-data; boundary={boundary}"))
        .body(body)
        .send()
        .await
        .expect("POST /graphql (multipart)")
        .json()
        .await
        .expect("JSON body")
}

async fn rakuten_inquiry(app: &TestApp) -> (String, String) {
    let (token, actor) = app.tenant("A商店", true).await;
    let shop = seed::shop(app, &token, Marketplace::Rakuten, "楽天店").await;
    let id = seed::inquiry(
        app,
        &actor,
        &shop,
        Thread {
            mid: "r1",
            order_number: None,
            customer: "楽天 太郎",
            created_minutes: 0,
            messages: vec![(MessageAuthor::Customer, "請求書を送ってください")],
            completed: false,
        },
    )
    .await;
    (token, id)
}

async fn download(app: &TestApp, token: &str, url: &str) -> Vec<u8> {
    let resp = app.http.get(format!("{}{url}", app.base)).bearer_auth(token).send().await.expect("download");
    assert_eq!(resp.status(), 200, "{url}");
    resp.bytes().await.expect("bytes").to_vec()
}

/// 100 Japanese characters (300 bytes in UTF-8, more than a file name may have on disk) as the
/// marketplace allows: stored, listed with its name, downloaded byte for byte.
#[tokio::test]
async fn a_file_with_the_longest_japanese_name_is_stored_and_downloads_intact() {
    each_backend!(|app| {
        let (token, id) = rakuten_inquiry(&app).await;
        let name = format!("{}.pdf", "御見積書兼納品書".repeat(12));
        assert_eq!(name.chars().count(), 100);
        let r = reply_with_file(&app, &token, &id, &name, "application/pdf", PDF).await;
        assert!(r["errors"].is_null(), "{r}");
        let att = &r["data"]["replyToInquiry"]["attachments"][0];
        assert_eq!(att["fileName"], name.as_str());
        assert_eq!(download(&app, &token, att["url"].as_str().expect("url")).await, PDF);
        // Names that look like paths are only names.
        let r = reply_with_file(&app, &token, &id, "..%2F..%2Fetc%2Fpasswd.png", "image/png", PNG).await;
        assert!(r["errors"].is_null(), "{r}");
        let att = &r["data"]["replyToInquiry"]["attachments"][0];
        assert_eq!(att["fileName"], "..%2F..%2Fetc%2Fpasswd.png");
        assert_eq!(download(&app, &token, att["url"].as_str().expect("url")).await, PNG);
    });
}

/// A file whose bytes are not its type (a page or a program named `.pdf` / `.png`, a JPEG named
/// `.png`) is refused as VALIDATION on the attachments, and nothing is stored.
#[tokio::test]
async fn an_outgoing_file_whose_bytes_are_not_its_declared_type_is_refused() {
    each_backend!(|app| {
        let (token, id) = rakuten_inquiry(&app).await;
        let cases: [(&str, &str, &[u8]); 5] = [
            ("請求書.pdf", "application/pdf", b"<html><script>alert(1)</script></html>"),
            ("写真.png", "image/png", b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff"),
            ("写真.png", "image/png", JPEG),
            ("写真.jpg", "application/octet-stream", PNG),
            ("写真.gif", "image/gif", b"GIF8"),
        ];
        for (name, content_type, bytes) in cases {
            let r = reply_with_file(&app, &token, &id, name, content_type, bytes).await;
            assert_eq!(error_code(&r).as_deref(), Some("VALIDATION"), "{name}: {r}");
            assert_eq!(r["errors"][0]["extensions"]["field"], "attachments", "{name}: {r}");
        }
        let thread =
            app.gql_ok(&token, "query($id: ID!) { inquiry(id: $id) { messages { id } } }", json!({ "id": id })).await;
        assert_eq!(thread["inquiry"]["messages"].as_array().map(Vec::len), Some(1), "nothing was stored");
        for (name, content_type, bytes) in [
            ("写真.jpg", "image/jpeg", JPEG),
            ("写真.png", "application/octet-stream", PNG),
            ("請求書.pdf", "application/pdf", PDF),
        ] {
            let r = reply_with_file(&app, &token, &id, name, content_type, bytes).await;
            assert!(r["errors"].is_null(), "{name}: {r}");
        }
    });
}

const FILES: &str = "query($s: ID) { inquiries(filter: {shopId: $s}) { nodes { messages { body attachments { fileName size downloaded url } } } } }";

async fn customer_files(app: &TestApp, token: &str, shop: &str) -> Vec<Value> {
    let d = app.gql_ok(token, FILES, json!({ "s": shop })).await;
    d["inquiries"]["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .flat_map(|i| i["messages"].as_array().cloned().unwrap_or_default())
        .flat_map(|m| m["attachments"].as_array().cloned().unwrap_or_default())
        .collect()
}

/// A customer's file on the marketplace: a name of 200 Japanese characters imports like any
/// other; a file over the cap is not stored, the run names it once, and the next run does not
/// download it again.
#[tokio::test]
async fn customer_files_import_with_long_names_and_only_up_to_the_size_cap() {
    each_backend!(|app| {
        let mall = Mall::start().await;
        mall.post(
            "/accounts",
            json!({"marketplace": "rakuten", "shopId": RAKUTEN_SHOP, "serviceSecret": "SP123456_secret", "licenseKey": "SL123456_key"}),
        )
        .await;
        let (token, _) = app.tenant("A商店", true).await;
        let base = format!("{}/rakuten", mall.base);
        let d = app
            .gql_ok(&token, CREATE_SHOP, json!({ "i": rakuten_input("楽天F店", Some(&base), rakuten_credentials()) }))
            .await;
        let shop = d["createShop"]["id"].as_str().expect("shop").to_owned();
        let v = mall
            .post(
                &format!("/accounts/rakuten/{RAKUTEN_SHOP}/inquiries"),
                json!({"inquiries": [{"message": "破損していました", "at": chrono::Utc::now() - chrono::TimeDelta::days(1), "userName": "楽天 太郎"}]}),
            )
            .await;
        let number = v["inquiryIds"][0].as_str().expect("inquiry").to_owned();
        let key = mallsim::AccountKey { marketplace: mallsim::Marketplace::Rakuten, id: RAKUTEN_SHOP.into() };
        let long_name = format!("{}.png", "破損箇所の写真".repeat(28));
        let file = |name: &str, bytes: Vec<u8>| mallsim::state::StoredFile {
            account: key.clone(),
            name: name.to_owned(),
            content_type: "image/png".into(),
            bytes: bytes.into(),
        };
        mall.sim
            .add_customer_message(&key, &number, Some("写真です".into()), None, Some(file(&long_name, PNG.to_vec())))
            .await
            .expect("message with a file");
        let huge: Vec<u8> = PNG.iter().copied().chain(std::iter::repeat_n(0u8, 10_000_001)).collect();
        mall.sim
            .add_customer_message(
                &key,
                &number,
                Some("大きな写真です".into()),
                None,
                Some(file("大きな写真.png", huge)),
            )
            .await
            .expect("message with a large file");

        let r = run(&app, &token, "importInquiries", json!({ "shopId": shop })).await;
        let errors = r["errors"].as_array().expect("errors");
        assert_eq!(r["failed"], 1, "{r}");
        assert!(
            errors.iter().any(|e| e.as_str().is_some_and(|e| e.contains("大きな写真.png") && e.contains("大きすぎる"))),
            "{r}"
        );
        let files = customer_files(&app, &token, &shop).await;
        let small = files.iter().find(|f| f["fileName"] == long_name.as_str()).expect("the long-named file");
        assert_eq!(small["downloaded"], true);
        assert_eq!(download(&app, &token, small["url"].as_str().expect("url")).await, PNG);
        let big = files.iter().find(|f| f["fileName"] == "大きな写真.png").expect("the large file is listed");
        assert_eq!(big["downloaded"], false, "{big}");

        let reads_before = mall.requests().await["rakuten"].as_u64().unwrap_or(0);
        let again = run(&app, &token, "importInquiries", json!({ "shopId": shop })).await;
        assert_eq!(again["failed"], 0, "the large file is not tried again: {again}");
        let reads_after = mall.requests().await["rakuten"].as_u64().unwrap_or(0);
        assert!(reads_after > reads_before, "the run talked to the marketplace");
    });
}

//! Attachments in an S3-compatible store (`--attachments-url s3://bucket/prefix?endpoint=…`):
//! a reply's file goes to the bucket and on to the marketplace, a customer's file is imported
//! into the bucket, and both download through `/files/{id}` byte for byte.
//!
//! The S3 server is `moto` (PyPI `moto[server]`), started here on a free port when its
//! `moto_server` command exists; without it these tests say so and pass, unless
//! `MADOGUCHI_TEST_S3_REQUIRED=1` (CI), which makes its absence a failure.

use std::io::Write as _;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use madoguchi_tests::{TestApp, backends, spawn_app_with};
use serde_json::{Value, json};

use crate::marketplaces::{Mall, RAKUTEN_SHOP, THREADS, rakuten_shop, run, wait_delivered_on};

/// A moto S3 server of this test, stopped when dropped.
struct S3 {
    child: Child,
    endpoint: String,
    http: reqwest::Client,
}

impl Drop for S3 {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl S3 {
    /// Starts moto, or `None` (after saying so) when it is not installed and not required.
    async fn start() -> Option<S3> {
        let required = std::env::var("MADOGUCHI_TEST_S3_REQUIRED").is_ok_and(|v| v == "1");
        let port = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port").local_addr().expect("addr").port();
        let spawned = Command::new("moto_server")
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        let child = match spawned {
            Ok(c) => c,
            Err(e) => {
                assert!(
                    !required,
                    "an S3 server is required (MADOGUCHI_TEST_S3_REQUIRED=1) but moto_server did not start: {e}"
                );
                let _ = writeln!(
                    std::io::stderr(),
                    "NOTE: moto_server is not installed (python3 -m pip install 'moto[server]'): the S3 attachment tests are skipped."
                );
                return None;
            }
        };
        let s3 = S3 { child, endpoint: format!("http://127.0.0.1:{port}"), http: reqwest::Client::new() };
        for _ in 0..300 {
            if s3.http.get(&s3.endpoint).send().await.is_ok_and(|r| r.status().is_success()) {
                return Some(s3);
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("moto_server did not answer on {}", s3.endpoint);
    }

    async fn bucket(&self) -> String {
        let name = format!("madoguchi-{:x}", rand::random::<u32>());
        let r = self.http.put(format!("{}/{name}", self.endpoint)).send().await.expect("create bucket");
        assert!(r.status().is_success(), "create bucket: {}", r.status());
        name
    }

    /// The keys in `bucket` (ListObjectsV2).
    async fn keys(&self, bucket: &str) -> Vec<String> {
        let xml = self
            .http
            .get(format!("{}/{bucket}?list-type=2", self.endpoint))
            .send()
            .await
            .expect("list")
            .text()
            .await
            .expect("body");
        xml.split("<Key>").skip(1).filter_map(|s| s.split("</Key>").next()).map(str::to_owned).collect()
    }

    fn attachments_url(&self, bucket: &str) -> String {
        format!(
            "s3://{bucket}/madoguchi/files?endpoint={}&region=us-east-1&access_key_id=test&secret_access_key=test",
            self.endpoint
        )
    }
}

async fn app_on_s3(backend: &madoguchi_tests::Backend, s3: &S3, bucket: &str) -> TestApp {
    let url = s3.attachments_url(bucket);
    spawn_app_with(backend, |c| c.attachments_url = Some(url)).await
}

async fn download(app: &TestApp, token: &str, url: &str) -> Vec<u8> {
    let resp = app.http.get(format!("{}{url}", app.base)).bearer_auth(token).send().await.expect("GET /files");
    assert_eq!(resp.status(), 200, "{url}");
    resp.bytes().await.expect("bytes").to_vec()
}

#[tokio::test]
async fn a_reply_file_is_kept_in_the_s3_bucket_sent_to_the_marketplace_and_downloads_byte_for_byte() {
    let Some(s3) = S3::start().await else { return };
    for backend in backends().await {
        let bucket = s3.bucket().await;
        let app = app_on_s3(&backend, &s3, &bucket).await;
        let mall = Mall::start().await;
        mall.rakuten_account().await;
        let (token, _) = app.tenant("S3商店", true).await;
        let shop = rakuten_shop(&app, &token, &mall, "楽天S3店").await;
        mall.inquiry("破損していました", 1).await;
        run(&app, &token, "importInquiries", json!({ "shopId": shop })).await;
        let t = app.gql_ok(&token, THREADS, json!({ "s": shop })).await;
        let id = t["inquiries"]["nodes"][0]["id"].as_str().expect("id").to_owned();

        let png: Vec<u8> = [b"\x89PNG\r\n\x1a\n".as_slice(), "返信の写真".as_bytes()].concat();
        let r = app
            .gql_upload(
                &token,
                "mutation($i: ReplyInput!) { replyToInquiry(input: $i) { id } }",
                json!({ "i": { "inquiryId": id, "body": "写真をお送りします。", "attachments": [null] } }),
                "variables.i.attachments.0",
                ("写真.png", "image/png", &png),
            )
            .await;
        assert!(r.get("errors").is_none(), "{r}");
        let keys = s3.keys(&bucket).await;
        assert_eq!(keys.len(), 1, "the file is in the bucket: {keys:?}");
        assert!(keys[0].starts_with("madoguchi/files/"), "under the URL's prefix: {keys:?}");

        let m = wait_delivered_on(&app, &token, &id).await;
        assert_eq!(m["delivery"], "SENT", "{m}");
        let c = mall.counters().await;
        assert_eq!((c["attachments"].as_i64(), c["replies"].as_i64()), (Some(1), Some(1)), "{c}");

        let d = app
            .gql_ok(
                &token,
                "query($id: ID!) { inquiry(id: $id) { messages { author attachments { fileName url } } } }",
                json!({ "id": id }),
            )
            .await;
        let files: Vec<Value> = d["inquiry"]["messages"]
            .as_array()
            .expect("messages")
            .iter()
            .filter(|m| m["author"] == "SHOP")
            .flat_map(|m| m["attachments"].as_array().cloned().unwrap_or_default())
            .collect();
        assert_eq!(files.len(), 1, "{d}");
        assert_eq!(download(&app, &token, files[0]["url"].as_str().expect("url")).await, png);
        mall.task.abort();
        app.finish().await;
    }
}

#[tokio::test]
async fn a_customers_file_is_imported_into_the_s3_bucket_and_downloads_byte_for_byte() {
    use base64::Engine;
    let Some(s3) = S3::start().await else { return };
    for backend in backends().await {
        let bucket = s3.bucket().await;
        let app = app_on_s3(&backend, &s3, &bucket).await;
        let mall = Mall::start().await;
        mall.rakuten_account().await;
        let (token, _) = app.tenant("S3商店", true).await;
        let shop = rakuten_shop(&app, &token, &mall, "楽天S3取込店").await;
        let number = mall.inquiry("届いた商品が破損していました。", 1).await;
        let photo: Vec<u8> = [b"\x89PNG\r\n\x1a\n".as_slice(), "破損箇所の写真".as_bytes()].concat();
        mall.post(
            &format!("/accounts/rakuten/{RAKUTEN_SHOP}/inquiries/{number}/messages"),
            json!({ "message": "写真を添付します。", "attachment": {
                "label": "破損.png", "contentType": "image/png",
                "base64": base64::engine::general_purpose::STANDARD.encode(&photo) } }),
        )
        .await;
        let r = run(&app, &token, "importInquiries", json!({ "shopId": shop })).await;
        assert_eq!(r["state"], "SUCCEEDED", "{r}");
        let keys = s3.keys(&bucket).await;
        assert_eq!(keys.len(), 1, "the customer's file is in the bucket: {keys:?}");
        assert!(keys[0].starts_with("madoguchi/files/"), "{keys:?}");

        let d = app
            .gql_ok(
                &token,
                "query($s: ID) { inquiries(filter: {shopId: $s}) { nodes { messages { attachments { fileName downloaded url } } } } }",
                json!({ "s": shop }),
            )
            .await;
        let files: Vec<Value> = d["inquiries"]["nodes"][0]["messages"]
            .as_array()
            .expect("messages")
            .iter()
            .flat_map(|m| m["attachments"].as_array().cloned().unwrap_or_default())
            .collect();
        assert_eq!(files.len(), 1, "{d}");
        assert_eq!(files[0]["downloaded"], true);
        assert_eq!(download(&app, &token, files[0]["url"].as_str().expect("url")).await, photo);
        mall.task.abort();
        app.finish().await;
    }
}

//! Attack suite: data.
//!
//! CSV downloads never hand a spreadsheet a formula: a cell starting with `=`, `+`, `-`, `@`,
//! tab or CR is written with a `'` before it, and an upload takes exactly that `'` off again
//! (one `'` before apostrophes-then-such-a-character; any other cell is kept as it is), so a
//! downloaded file uploads back unchanged. Staff e-mail addresses are unique per tenant, so
//! adding a member never tells that an address is used in another tenant; sign-in picks the
//! account whose password matches.

use base64::Engine;
use madoguchi_tests::{TestApp, each_backend, error_code};
use serde_json::{Value, json};
use shared::Marketplace;

use crate::seed;

const IMPORT: &str = "mutation($i: CsvImportInput!) { importOrdersCsv(input: $i) {
    run { created updated unchanged failed } rowErrors { line message } } }";
const EXPORT: &str = "mutation($i: CsvExportInput!) { exportOrdersCsv(input: $i) { orderCount contentBase64 } }";
const ORDERS: &str = "query($s: ID!) { orders(filter: {shopId: $s}, first: 50) { nodes {
    orderNumber recipient { name } items { name sku } } } }";

async fn upload(app: &TestApp, token: &str, shop: &str, bytes: &[u8]) -> Value {
    app.gql_upload(
        token,
        IMPORT,
        json!({ "i": { "shopId": shop, "file": null } }),
        "variables.i.file",
        ("orders.csv", "text/csv", bytes),
    )
    .await
}

async fn orders(app: &TestApp, token: &str, shop: &str) -> Value {
    let mut nodes = app.gql_ok(token, ORDERS, json!({ "s": shop })).await["orders"]["nodes"].clone();
    nodes.as_array_mut().unwrap().sort_by_key(|o| o["orderNumber"].as_str().unwrap().to_owned());
    nodes
}

/// The cells of a CSV text without commas inside cells (quotes taken off, doubled quotes undone).
fn cells(text: &str) -> Vec<Vec<String>> {
    text.split("\r\n")
        .filter(|l| !l.is_empty())
        .map(|l| {
            l.split(',')
                .map(|c| {
                    let c = c.strip_prefix('"').and_then(|c| c.strip_suffix('"')).unwrap_or(c);
                    c.replace("\"\"", "\"")
                })
                .collect()
        })
        .collect()
}

#[tokio::test]
async fn csv_download_cells_that_a_spreadsheet_would_run_start_with_an_apostrophe_and_upload_back_unchanged() {
    each_backend!(|app| {
        let (token, _) = app.tenant("自社EC", false).await;
        let shop = seed::shop(&app, &token, Marketplace::CustomCsv, "自社サイト").await;
        // A hand-written file: its cells are taken as they are, except that one apostrophe before
        // apostrophes-then-a-formula-character is taken off (what a spreadsheet also hides).
        let file = [
            "受注番号,注文日時,送付先氏名,商品名,商品番号,単価,数量",
            "F-1,2026/11/20 10:15,\"=HYPERLINK(\"\"http://evil.example/\"\")\",@SUM(1+1),-0001,1080,2",
            "F-1,2026/11/20 10:15,\"=HYPERLINK(\"\"http://evil.example/\"\")\",+緑茶,SKU-1,500,1",
            "F-2,2026/11/21 10:15,''=そのまま,'Tis a tea,'-5,864,1",
            "",
        ]
        .join("\r\n");
        let up = upload(&app, &token, &shop, file.as_bytes()).await;
        assert_eq!(up["data"]["importOrdersCsv"]["run"]["created"], 2, "{up:#}");
        let stored = orders(&app, &token, &shop).await;
        assert_eq!(stored[0]["recipient"]["name"], "=HYPERLINK(\"http://evil.example/\")");
        assert_eq!(
            stored[0]["items"],
            json!([{ "name": "@SUM(1+1)", "sku": "-0001" }, { "name": "+緑茶", "sku": "SKU-1" }])
        );
        assert_eq!(stored[1]["recipient"]["name"], "'=そのまま", "one apostrophe taken off");
        assert_eq!(stored[1]["items"], json!([{ "name": "'Tis a tea", "sku": "-5" }]), "a plain apostrophe stays");

        let d = app.gql_ok(&token, EXPORT, json!({ "i": { "shopId": shop } })).await;
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(d["exportOrdersCsv"]["contentBase64"].as_str().unwrap())
            .unwrap();
        let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
        let rows = cells(&text);
        for cell in rows.iter().flatten() {
            assert!(!cell.starts_with(['=', '+', '-', '@', '\t', '\r']), "a formula cell went out: {cell:?} in {text}");
        }
        let all: Vec<&str> = rows.iter().flatten().map(String::as_str).collect();
        for written in [
            "'=HYPERLINK(\"http://evil.example/\")",
            "'@SUM(1+1)",
            "'+緑茶",
            "'-0001",
            "''=そのまま",
            "'Tis a tea",
            "'-5",
        ] {
            assert!(all.contains(&written), "{written} in {text}");
        }

        // The download goes back in unchanged, values and all.
        let again = upload(&app, &token, &shop, &bytes).await;
        let run = &again["data"]["importOrdersCsv"]["run"];
        assert_eq!(
            (run["created"].as_i64(), run["updated"].as_i64(), run["unchanged"].as_i64()),
            (Some(0), Some(0), Some(2)),
            "{again:#}"
        );
        assert_eq!(orders(&app, &token, &shop).await, stored);
    });
}

/// A browser of its own (cookie jar), signed in by `POST /auth/login`.
struct Browser {
    http: reqwest::Client,
    base: String,
}

impl Browser {
    async fn login(app: &TestApp, email: &str, password: &str) -> (u16, Browser) {
        let http = reqwest::Client::builder().cookie_store(true).build().unwrap();
        let resp = http
            .post(format!("{}/auth/login", app.base))
            .header("origin", &app.base)
            .json(&json!({ "email": email, "password": password }))
            .send()
            .await
            .unwrap();
        (resp.status().as_u16(), Browser { http, base: app.base.clone() })
    }

    async fn tenant_name(&self) -> Value {
        let body: Value = self
            .http
            .post(format!("{}/graphql", self.base))
            .header("origin", &self.base)
            .header("sec-fetch-site", "same-origin")
            .json(&json!({ "query": "{ viewer { tenantName } }" }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        body["data"]["viewer"]["tenantName"].clone()
    }
}

const CREATE: &str = "mutation($i: StaffInput!) { createStaff(input: $i) { id email } }";

fn member(email: &str, password: &str) -> Value {
    json!({ "i": { "email": email, "name": "鈴木 一郎", "role": "STAFF", "password": password } })
}

#[tokio::test]
async fn create_staff_does_not_tell_that_an_email_is_used_in_another_tenant_and_sign_in_finds_the_right_tenant() {
    each_backend!(|app| {
        let (a, _) = app.tenant("A商店", true).await;
        let (b, _) = app.tenant("B商店", true).await;
        let in_a = app.gql_ok(&a, CREATE, member("suzuki@example.jp", "password-of-a-1")).await;
        // The same address in another tenant is simply a new member there: no CONFLICT, no hint.
        let in_b = app.gql(Some(&b), CREATE, member("Suzuki@Example.jp", "password-of-b-1")).await;
        assert!(in_b.get("errors").is_none(), "{in_b}");
        assert_eq!(in_b["data"]["createStaff"]["email"], "suzuki@example.jp");
        assert_ne!(in_b["data"]["createStaff"]["id"], in_a["createStaff"]["id"]);
        // Within one tenant an address is still unique, and the answer names no other tenant.
        let dup = app.gql(Some(&b), CREATE, member("suzuki@example.jp", "password-of-b-2")).await;
        assert_eq!(error_code(&dup).as_deref(), Some("CONFLICT"), "{dup}");
        assert!(!dup["errors"][0]["message"].as_str().unwrap().contains("A商店"), "{dup}");

        // Sign-in by e-mail and password reaches the account whose password it is.
        let (status, browser) = Browser::login(&app, "suzuki@example.jp", "password-of-a-1").await;
        assert_eq!(status, 200);
        assert_eq!(browser.tenant_name().await, "A商店");
        let (status, browser) = Browser::login(&app, "SUZUKI@example.jp", "password-of-b-1").await;
        assert_eq!(status, 200);
        assert_eq!(browser.tenant_name().await, "B商店");
        let (status, _) = Browser::login(&app, "suzuki@example.jp", "password-of-c-1").await;
        assert_eq!(status, 401);

        // 利用停止 in one tenant does not lock the address out of the other.
        let id = in_a["createStaff"]["id"].clone();
        app.gql_ok(&a, "mutation($id: ID!) { disableStaff(id: $id) { id } }", json!({ "id": id })).await;
        let (status, _) = Browser::login(&app, "suzuki@example.jp", "password-of-a-1").await;
        assert_eq!(status, 401, "the disabled account cannot sign in");
        let (status, browser) = Browser::login(&app, "suzuki@example.jp", "password-of-b-1").await;
        assert_eq!(status, 200);
        assert_eq!(browser.tenant_name().await, "B商店");
    });
}

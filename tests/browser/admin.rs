//! What an admin does in the browser: staff accounts (スタッフ管理), and 接続テスト and the
//! Rakuten push address on 店舗設定.

use std::time::Duration;

use fantoccini::Locator;
use serde_json::{Value, json};

use crate::harness::*;

const NEW_NAME: &str = "新人 次郎";
const NEW_EMAIL: &str = "jiro@example.jp";
const NEW_PASSWORD: &str = "jiro-password-1";

async fn login_status(app: &madoguchi_tests::TestApp, email: &str, password: &str) -> u16 {
    reqwest::Client::new()
        .post(format!("{}/auth/login", app.base))
        .json(&json!({ "email": email, "password": password }))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn an_admin_adds_a_staff_member_and_disables_them() {
    let Some((app, driver)) = setup().await else { return };
    let listed = || async {
        app.gql_ok(TOKEN, "{ staffMembers { id name email role disabled } }", json!({})).await["staffMembers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["email"] == NEW_EMAIL)
            .cloned()
            .unwrap_or(Value::Null)
    };
    let c = browser(&driver).await;
    log_in(&c, &app.base).await;
    find(&c, "nav a[href='/staff']").await.click().await.unwrap();
    find_text(&c, "h1", "スタッフ管理").await;
    // The demo admin is listed, as oneself, without a 利用停止 button.
    let me = find_text(&c, "tr", "（あなた）").await;
    assert!(me.text().await.unwrap().contains(server::demo::DEMO_EMAIL));
    assert!(me.find(Locator::XPath(".//button[contains(., '利用停止')]")).await.is_err(), "no disabling oneself");

    // Add with nothing typed: the errors stand next to their fields.
    find_text(&c, "h2", "スタッフを追加").await;
    find(&c, "form.staff-form button[type=submit]").await.click().await.unwrap();
    eventually("field errors", || async {
        c.find_all(Locator::Css("form.staff-form .field-error")).await.unwrap().len() == 3
    })
    .await;
    let errors = text(&c, "form.staff-form").await;
    assert!(errors.contains("氏名") && errors.contains("メールアドレス") && errors.contains("パスワード"), "{errors}");
    assert_eq!(listed().await, Value::Null, "nothing was stored");

    // An address the server refuses: its message stands beside the e-mail field.
    find(&c, "form.staff-form input[name=name]").await.send_keys(NEW_NAME).await.unwrap();
    let email = find(&c, "form.staff-form input[name=email]").await;
    email.send_keys("jiro@example").await.unwrap();
    find(&c, "form.staff-form select[name=role] option[value=STAFF]").await.click().await.unwrap();
    find(&c, "form.staff-form input[name=password]").await.send_keys(NEW_PASSWORD).await.unwrap();
    find(&c, "form.staff-form button[type=submit]").await.click().await.unwrap();
    let beside = find(&c, "form.staff-form label:has(input[name=email]) .field-error").await;
    assert!(beside.text().await.unwrap().contains("形式"), "the server's message beside the field");
    assert_eq!(listed().await, Value::Null, "nothing was stored");
    email.clear().await.unwrap();
    email.send_keys(NEW_EMAIL).await.unwrap();
    find(&c, "form.staff-form button[type=submit]").await.click().await.unwrap();
    find(&c, ".success").await;
    eventually("the member is stored", || async { listed().await["name"] == NEW_NAME }).await;
    let member = listed().await;
    assert_eq!(member["role"], "STAFF");
    assert_eq!(member["disabled"], false);
    let id = member["id"].as_str().unwrap().to_owned();
    let row = format!("tr[data-staff-id='{id}']");
    let shown = find(&c, &row).await.text().await.unwrap();
    assert!(
        shown.contains(NEW_NAME) && shown.contains(NEW_EMAIL) && shown.contains("担当者") && shown.contains("利用中"),
        "{shown}"
    );
    assert_eq!(login_status(&app, NEW_EMAIL, NEW_PASSWORD).await, 200, "the new member can sign in");

    // 利用停止, confirming the dialog.
    find(&c, &row)
        .await
        .find(Locator::XPath(".//button[contains(., '利用停止')]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    c.accept_alert().await.expect("a confirmation dialog");
    eventually("the row says 利用停止", || async {
        text(&c, &format!("{row} .staff-state")).await.contains("利用停止")
    })
    .await;
    assert_eq!(listed().await["disabled"], true);
    assert!(find(&c, &row).await.find(Locator::XPath(".//button[contains(., '利用再開')]")).await.is_ok());
    screenshot(&c, "10-staff").await;
    assert_eq!(login_status(&app, NEW_EMAIL, NEW_PASSWORD).await, 401, "a disabled member cannot sign in");
    c.close().await.ok();
    app.finish().await;
}

#[tokio::test]
async fn an_admin_tests_a_shops_connection_is_warned_of_its_key_expiry_and_finds_the_rakuten_push_address() {
    let Some((app, driver)) = setup().await else { return };
    let shops = app.gql_ok(TOKEN, "{ shops { id marketplace } }", serde_json::json!({})).await;
    let rakuten = shops["shops"].as_array().unwrap().iter().find(|s| s["marketplace"] == "RAKUTEN").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // Its licence key was saved 80 days ago: 10 days are left, so 店舗設定 warns.
    {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
        use server::store::entities::shop;
        shop::Entity::update_many()
            .col_expr(shop::Column::KeySavedAt, Expr::value(chrono::Utc::now() - chrono::Duration::days(80)))
            .filter(shop::Column::Id.eq(rakuten.parse::<i64>().unwrap()))
            .exec(&app.state.db)
            .await
            .unwrap();
    }
    let c = browser(&driver).await;
    log_in(&c, &app.base).await;
    find_text(&c, "a", "店舗設定").await.click().await.unwrap();
    let row = format!("tr[data-shop-id='{rakuten}']");
    let warning = text(&c, &format!("{row} .expiry-warning")).await;
    assert!(
        warning.contains("ライセンスキーの有効期限") && (warning.contains("あと9日") || warning.contains("あと10日")),
        "{warning}"
    );
    find(&c, &format!("{row} .connection-test button")).await.click().await.unwrap();
    let result = find(&c, &format!("{row} .connection-result")).await;
    let text_of = result.text().await.unwrap();
    assert!(
        result.attr("class").await.unwrap().unwrap_or_default().contains("ok")
            && text_of.contains("楽天市場のAPIに接続できました"),
        "{text_of}"
    );
    // The editor of the Rakuten shop shows where to register the push, and that none came yet.
    find(&c, &format!("{row} button")).await.click().await.unwrap();
    let url = text(&c, ".push-setup .push-url").await;
    assert!(url.starts_with("http") && url.ends_with("/hooks/rakuten"), "{url}");
    assert!(text(&c, ".push-setup .last-push").await.contains("まだ受信していません"));
    screenshot(&c, "shop-connection").await;
    // The key's expiry as RMS shows it can be entered in the editor: the list then shows that
    // date, and the warning is gone.
    let jst = chrono::FixedOffset::east_opt(9 * 3600).unwrap();
    let entered = (chrono::Utc::now() + chrono::Duration::days(60)).with_timezone(&jst).date_naive();
    js(
        &c,
        &format!(
            "const i = document.querySelector('input[name=credentialsExpireAt]'); i.value = '{}'; \
             i.dispatchEvent(new Event('input', {{ bubbles: true }})); return true;",
            entered.format("%Y-%m-%d")
        ),
    )
    .await;
    // The interval of its automatic runs starts at the marketplace's default (5 minutes).
    let interval = find(&c, "input[name=autoIntervalMinutes]").await;
    assert_eq!(interval.prop("value").await.unwrap().as_deref(), Some("5"));
    interval.clear().await.unwrap();
    interval.send_keys("15").await.unwrap();
    find_text(&c, "button", "設定を保存").await.click().await.unwrap();
    let shown = format!("有効期限: {}", entered.format("%Y/%m/%d"));
    eventually("the list shows the entered expiry without a warning", || async {
        text(&c, &format!("{row} .small-note")).await.contains(&shown)
            && c.find(Locator::Css(&format!("{row} .expiry-warning"))).await.is_err()
    })
    .await;
    let saved = app.gql_ok(TOKEN, "{ shops { id settings { autoIntervalSeconds } } }", serde_json::json!({})).await;
    let rakuten_settings = saved["shops"].as_array().unwrap().iter().find(|s| s["id"] == rakuten.as_str()).unwrap();
    assert_eq!(rakuten_settings["settings"]["autoIntervalSeconds"], 900, "15 minutes, saved from the form");
    // A new Rakuma shop says which accounts are supported.
    c.goto(&format!("{}/shops", app.base)).await.unwrap();
    find_text(&c, "button", "店舗を追加").await.click().await.unwrap();
    find(&c, "select[name=marketplace]").await.select_by_value("RAKUMA").await.unwrap();
    assert!(text(&c, ".rakuma-account").await.contains("1点ものアカウント"));
    c.close().await.ok();
    app.finish().await;
}

#[tokio::test]
async fn an_admin_connects_the_yahoo_shop_through_yahoo_japan_instead_of_pasting_tokens() {
    let Some((app, driver)) = setup().await else { return };
    let shops = app.gql_ok(TOKEN, "{ shops { id marketplace } }", json!({})).await;
    let yahoo = shops["shops"].as_array().unwrap().iter().find(|s| s["marketplace"] == "YAHOO").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mall = app.demo.clone().expect("the demo's simulator");
    let store = mallsim::AccountKey::new(mallsim::Marketplace::Yahoo, mallsim::demo::YAHOO_SELLER_ID);
    let c = browser(&driver).await;
    log_in(&c, &app.base).await;
    find_text(&c, "a", "店舗設定").await.click().await.unwrap();
    find(&c, &format!("tr[data-shop-id='{yahoo}'] button")).await.click().await.unwrap();
    // The editor says what to register at YConnect and offers 連携する.
    let callback = text(&c, ".yahoo-link .yahoo-callback").await;
    assert_eq!(callback, format!("{}/connect/yahoo/callback", app.base));
    screenshot(&c, "yahoo-link").await;
    find_text(&c, "a", "Yahoo! JAPANと連携する").await.click().await.unwrap();
    // Yahoo! JAPAN (the simulator) consents and sends the browser back to 店舗設定.
    let result = find(&c, ".yahoo-link-result").await;
    let said = result.text().await.unwrap();
    assert!(said.contains("Yahoo!ショッピングと連携しました"), "{said}");
    assert!(c.current_url().await.unwrap().path().ends_with("/shops"));
    let (counters, _) = mall.sim.counters(&store).await.unwrap();
    assert_eq!(counters.authorizations, 1, "the code was exchanged once");
    // The shop works with the tokens Yahoo! issued.
    let tested = app
        .gql_ok(TOKEN, "mutation($id: ID!) { testShopConnection(id: $id) { ok message } }", json!({ "id": yahoo }))
        .await;
    assert_eq!(tested["testShopConnection"]["ok"], true, "{tested}");
    c.close().await.ok();
    app.finish().await;
}

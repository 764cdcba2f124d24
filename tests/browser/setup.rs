//! First start in the browser: on a server without a company the signed-out screen is the setup
//! form (初期設定); filled in with the setup code the server printed, it lands signed in.

use madoguchi_tests::{Backend, spawn_app_with};

use crate::harness::*;

#[tokio::test]
async fn on_first_start_the_setup_form_creates_the_company_and_lands_signed_in() {
    // The harness's prerequisites (chromium, chromedriver, web/dist); its demo server is not used.
    let Some((demo, driver)) = setup().await else { return };
    demo.finish().await;
    let app = spawn_app_with(&Backend::Sqlite, |c| c.spa_dir = Some(dist())).await;
    let code = app.state.setup.code().expect("a setup code on an empty database").to_owned();

    let c = browser(&driver).await;
    c.goto(&format!("{}/", app.base)).await.expect("open the app");
    for (name, value) in [
        ("companyName", "株式会社はじまり"),
        ("adminName", "最初 管理者"),
        ("email", "owner@hajimari.example.jp"),
        ("password", "first-admin-pass-1"),
        ("setupCode", code.as_str()),
    ] {
        find(&c, &format!("input[name={name}]")).await.send_keys(value).await.expect("type");
    }
    screenshot(&c, "00-first-start-setup").await;
    find_text(&c, "button", "登録してログイン").await.click().await.expect("submit");
    // Signed in: the shell with its navigation.
    find(&c, ".tabs").await;
    let needed: serde_json::Value = reqwest::get(format!("{}/setup", app.base)).await.unwrap().json().await.unwrap();
    assert_eq!(needed["needed"], false, "set up once");

    // A fresh browser now gets the login form, not the setup form.
    let other = browser(&driver).await;
    other.goto(&format!("{}/", app.base)).await.expect("open the app");
    find(&other, "input[name=email]").await;
    assert!(other.find(fantoccini::Locator::Css("input[name=setupCode]")).await.is_err());
    other.close().await.ok();
    c.close().await.ok();
    app.finish().await;
}

//! 連携する: a Yahoo! shop connected through YConnect's authorization-code flow, instead of
//! pasting tokens — and a link only ever reaches the shop of the admin who started it.

use madoguchi_tests::{TestApp, each_backend};
use serde_json::{Value, json};
use shared::Role;

use crate::marketplaces::{Mall, run};

const SELLER: &str = "madoguchi-link";

/// A browser that does not follow redirects (the test follows them, one by one), with its own
/// cookie jar; signed in when `login` is given.
async fn browser(app: &TestApp, login: Option<(&str, &str)>) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(reqwest::header::ORIGIN, app.base.parse().unwrap());
    let c = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .default_headers(headers)
        .build()
        .unwrap();
    if let Some((email, password)) = login {
        let r = c
            .post(format!("{}/auth/login", app.base))
            .json(&json!({ "email": email, "password": password }))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "{email} signs in");
    }
    c
}

/// Where an answer sends the browser.
async fn location(c: &reqwest::Client, url: &str) -> String {
    let r = c.get(url).send().await.unwrap();
    assert!(r.status().is_redirection(), "{url} answers {}", r.status());
    r.headers()[reqwest::header::LOCATION].to_str().unwrap().to_owned()
}

fn query(url: &str) -> std::collections::BTreeMap<String, String> {
    let parsed = url::Url::parse(url).unwrap_or_else(|_| url::Url::parse("http://x").unwrap().join(url).unwrap());
    parsed.query_pairs().into_owned().collect()
}

#[tokio::test]
async fn an_admin_connects_a_yahoo_shop_through_yconnect_and_its_runs_use_the_tokens_yahoo_issued() {
    each_backend!(|app| {
        let mall = Mall::start().await;
        mall.post(
            "/accounts",
            json!({"marketplace": "yahoo", "sellerId": SELLER, "accessToken": "issued-before-madoguchi", "minIntervalMs": 0,
                   "clientId": "yc-client", "clientSecret": "yc-secret"}),
        )
        .await;
        mall.post(
            &format!("/accounts/yahoo/{SELLER}/inquiries"),
            json!({"inquiries": [{"message": "届きますか？", "at": chrono::Utc::now() - chrono::TimeDelta::hours(1)}]}),
        )
        .await;
        let (token, actor) = app.tenant("A商店", true).await;
        for (email, name, role) in [
            ("owner@example.jp", "店長", Role::Admin),
            ("sato@example.jp", "佐藤", Role::Admin),
            ("kato@example.jp", "加藤", Role::Staff),
        ] {
            server::provision::create_staff(&app.state.db, &actor, email, name, role, "a-long-password").await.unwrap();
        }
        // The shop is saved with its store account and YConnect client only: no token pasted.
        let created = app
            .gql_ok(
                &token,
                "mutation($i: ShopInput!) { createShop(input: $i) { id } }",
                json!({ "i": {
                    "marketplace": "YAHOO", "name": "Yahoo店",
                    "profile": { "mallShopName": "Yahoo店", "staffName": "山田 花子", "phone": "03-1111-2222", "email": "shop@example.jp" },
                    "settings": { "apiBaseUrl": format!("{}/yahoo", mall.base),
                                  "credentials": { "sellerId": SELLER, "clientId": "yc-client", "clientSecret": "yc-secret" } }
                }}),
            )
            .await;
        let shop = created["createShop"]["id"].as_str().unwrap().to_owned();
        let counters = || async {
            mall.control(reqwest::Method::GET, &format!("/accounts/yahoo/{SELLER}/counters"), Value::Null).await
        };
        let owner = browser(&app, Some(("owner@example.jp", "a-long-password"))).await;
        let start = format!("{}/connect/yahoo/start?shop={shop}", app.base);

        // 連携する: off to Yahoo! JAPAN with the shop's client and the way back.
        let to_yahoo = location(&owner, &start).await;
        assert!(to_yahoo.starts_with(&format!("{}/yahoo/yconnect/v2/authorization?", mall.base)), "{to_yahoo}");
        let asked = query(&to_yahoo);
        assert_eq!(asked["client_id"], "yc-client");
        assert_eq!(asked["response_type"], "code");
        assert_eq!(asked["redirect_uri"], format!("{}/connect/yahoo/callback", app.base));
        // The store consents; Yahoo! sends the browser back with a code.
        let back = location(
            &reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap(),
            &to_yahoo,
        )
        .await;
        assert!(back.starts_with(&asked["redirect_uri"]), "{back}");

        // Someone else signed in — another admin of the same company — cannot use that way back.
        let sato = browser(&app, Some(("sato@example.jp", "a-long-password"))).await;
        let refused = location(&sato, &back).await;
        assert_eq!(query(&refused)["yahoo"], "failed", "{refused}");
        assert!(query(&refused)["message"].contains("無効か期限切れ"), "{refused}");
        // Nor can a state that was altered.
        let tampered = back.replace("state=v1.", "state=v1.A");
        assert_eq!(query(&location(&owner, &tampered).await)["yahoo"], "failed");
        assert_eq!(counters().await["authorizations"], 0, "no code was exchanged for them");

        // The admin who started it comes back: the code is exchanged once and the tokens kept.
        let done = location(&owner, &back).await;
        assert!(done.starts_with("/shops?"), "{done}");
        assert_eq!(query(&done)["yahoo"], "connected", "{done}");
        assert_eq!(query(&done)["shop"], shop);
        assert_eq!(counters().await["authorizations"], 1);
        let r = run(&app, &token, "importInquiries", json!({ "shopId": shop })).await;
        assert_eq!(r["state"], "SUCCEEDED", "the run uses the token Yahoo! issued: {r}");
        // The refresh token came with it: an expired token is renewed without staff.
        mall.post(&format!("/accounts/yahoo/{SELLER}/expire"), json!({})).await;
        let r = run(&app, &token, "importInquiries", json!({ "shopId": shop })).await;
        assert_eq!(r["state"], "SUCCEEDED", "{r}");
        assert_eq!(counters().await["tokenRefreshes"], 1);

        // A code is good once.
        let again = location(&owner, &back).await;
        assert_eq!(query(&again)["yahoo"], "failed", "{again}");
        assert_eq!(counters().await["authorizations"], 1);
        // A consent the store refused comes back as a failure that says so.
        let state = query(&location(&owner, &start).await)["state"].clone();
        let denied = format!(
            "{}/connect/yahoo/callback?error=access_denied&state={}",
            app.base,
            url::form_urlencoded::byte_serialize(state.as_bytes()).collect::<String>()
        );
        let denied = location(&owner, &denied).await;
        assert!(query(&denied)["message"].contains("許可されませんでした"), "{denied}");

        // Only admins start it; a shop without its YConnect client is told what to save; the
        // signed-out are sent to sign in.
        let kato = browser(&app, Some(("kato@example.jp", "a-long-password"))).await;
        assert_eq!(query(&location(&kato, &start).await)["yahoo"], "failed");
        let rakuten = crate::seed::shop(&app, &token, shared::Marketplace::Rakuten, "楽天店").await;
        let not_yahoo = location(&owner, &format!("{}/connect/yahoo/start?shop={rakuten}", app.base)).await;
        assert!(query(&not_yahoo)["message"].contains("Yahoo!ショッピングの店舗だけ"), "{not_yahoo}");
        assert_eq!(location(&browser(&app, None).await, &start).await, "/");
        mall.task.abort();
    });
}

//! Shop set-up: 接続テスト calls the marketplace once with the stored credentials and says in
//! Japanese whether it worked and what to do (nothing is imported); a Rakuten shop shows the
//! address to register for its push (when the last push came: `marketplaces` tests).

use madoguchi_tests::{each_backend, error_code};
use serde_json::json;
use shared::Marketplace;

use crate::marketplaces::{Mall, RAKUTEN_SHOP, rakuten_shop};
use crate::seed;

const TEST: &str = "mutation($id: ID!) { testShopConnection(id: $id) { ok message } }";

#[tokio::test]
async fn the_connection_test_says_whether_the_marketplace_takes_the_keys_and_imports_nothing() {
    each_backend!(|app| {
        let mall = Mall::start().await;
        mall.rakuten_account().await;
        mall.inquiry("質問です", 0).await;
        let (token, _) = app.tenant("A商店", true).await;
        let shop = rakuten_shop(&app, &token, &mall, "楽天テスト店").await;

        let t = app.gql_ok(&token, TEST, json!({ "id": shop })).await["testShopConnection"].clone();
        assert_eq!(t["ok"], true, "{t}");
        assert_eq!(t["message"], "楽天市場のAPIに接続できました。");
        let stored = app.gql_ok(&token, "{ inquiries { totalCount } orders { totalCount } }", json!({})).await;
        assert_eq!(
            (stored["inquiries"]["totalCount"].as_i64(), stored["orders"]["totalCount"].as_i64()),
            (Some(0), Some(0)),
            "nothing imported"
        );

        // An expired licence key: not an error, an answer that says what to do.
        mall.post(&format!("/accounts/rakuten/{RAKUTEN_SHOP}/expire"), json!({})).await;
        let t = app.gql_ok(&token, TEST, json!({ "id": shop })).await["testShopConnection"].clone();
        assert_eq!(t["ok"], false);
        let message = t["message"].as_str().unwrap();
        assert!(message.starts_with("認証情報の有効期限が切れています。楽天市場で再発行し"), "{message}");

        // Without credentials, and for a CSV shop, the test says so without calling anything.
        let bare = seed::shop(&app, &token, Marketplace::Yahoo, "Yahoo店").await;
        let t = app.gql_ok(&token, TEST, json!({ "id": bare })).await["testShopConnection"].clone();
        assert_eq!(
            (t["ok"].as_bool(), t["message"].as_str()),
            (Some(false), Some("API認証情報が設定されていません。店舗設定で入力して保存してください。"))
        );
        let csv = seed::shop(&app, &token, Marketplace::CustomCsv, "CSV店").await;
        let t = app.gql_ok(&token, TEST, json!({ "id": csv })).await["testShopConnection"].clone();
        assert_eq!(t["ok"], false);
        assert!(t["message"].as_str().unwrap().contains("CSV"), "{t}");
        mall.task.abort();
    });
}

#[tokio::test]
async fn only_admins_test_connections_and_never_of_another_tenants_shop() {
    each_backend!(|app| {
        let (token, actor) = app.tenant("A商店", true).await;
        let (b_token, _) = app.tenant("B商店", true).await;
        let shop = seed::shop(&app, &token, Marketplace::Rakuten, "楽天店").await;
        let r = app.gql(Some(&b_token), TEST, json!({ "id": shop })).await;
        assert_eq!(error_code(&r).as_deref(), Some("NOT_FOUND"), "{r}");
        let (write_token, _) =
            server::auth::create_api_token(&app.state.db, &actor, "倉庫", &["read".into(), "write".into()])
                .await
                .expect("token");
        let r = app.gql(Some(&write_token), TEST, json!({ "id": shop })).await;
        assert_eq!(error_code(&r).as_deref(), Some("FORBIDDEN"), "{r}");
    });
}

#[tokio::test]
async fn a_rakuten_shop_shows_the_push_address_to_register_under_the_public_url() {
    for backend in madoguchi_tests::backends().await {
        let app = madoguchi_tests::spawn_app_with(&backend, |c| {
            c.policy.public_url = Some("https://madoguchi.example.jp/".into());
        })
        .await;
        let (token, _) = app.tenant("A商店", true).await;
        seed::shop(&app, &token, Marketplace::Rakuten, "楽天店").await;
        seed::shop(&app, &token, Marketplace::Yahoo, "Yahoo店").await;
        let d = app.gql_ok(&token, "{ shops { marketplace pushEndpointUrl } }", json!({})).await;
        for s in d["shops"].as_array().unwrap() {
            let expected = if s["marketplace"] == "RAKUTEN" {
                json!("https://madoguchi.example.jp/hooks/rakuten")
            } else {
                json!(null)
            };
            assert_eq!(s["pushEndpointUrl"], expected, "{s}");
        }
        app.finish().await;
    }
}

#[tokio::test]
async fn a_saved_licence_key_expires_90_days_later_and_only_a_new_key_moves_the_date() {
    each_backend!(|app| {
        let mall = Mall::start().await;
        let (token, _) = app.tenant("A商店", true).await;
        let before = chrono::Utc::now();
        let shop = rakuten_shop(&app, &token, &mall, "楽天店").await;
        let first = expiry(&app, &token, &shop).await.expect("an expiry");
        let days = (first - before).num_hours() as f64 / 24.0;
        assert!((89.9..=90.1).contains(&days), "90 days after saving: {days}");

        // Saving other settings, or another key, keeps the date.
        let update = "mutation($id: ID!, $i: ShopInput!) { updateShop(id: $id, input: $i) { id } }";
        let input = |creds: serde_json::Value| {
            json!({ "id": shop, "i": {
                "marketplace": "RAKUTEN", "name": "楽天店",
                "profile": { "mallShopName": "楽天店", "staffName": "山田 花子", "phone": "03-1111-2222", "email": "shop@example.jp" },
                "settings": { "importDays": 10, "credentials": creds }
            }})
        };
        app.gql_ok(&token, update, input(json!({ "pushAuthKey": "push-key" }))).await;
        assert_eq!(expiry(&app, &token, &shop).await, Some(first));
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        app.gql_ok(&token, update, input(json!({ "licenseKey": "SL-new-key" }))).await;
        assert!(expiry(&app, &token, &shop).await.expect("an expiry") > first, "a new key starts again");

        // Marketplaces whose keys do not expire this way have none.
        let yahoo = seed::shop(&app, &token, Marketplace::Yahoo, "Yahoo店").await;
        assert_eq!(expiry(&app, &token, &yahoo).await, None);
        mall.task.abort();
    });
}

const ATTENTION: &str =
    "subscription { shopNeedsAttention { shop { id name credentialsExpireAt } reason message expiresAt } }";

/// A shop's `credentialsExpireAt`, read through the API.
async fn expiry(app: &madoguchi_tests::TestApp, token: &str, id: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    let d = app.gql_ok(token, "{ shops { id credentialsExpireAt } }", json!({})).await;
    let s = d["shops"].as_array().unwrap().iter().find(|s| s["id"] == id).unwrap().clone();
    s["credentialsExpireAt"]
        .as_str()
        .map(|t| chrono::DateTime::parse_from_rfc3339(t).unwrap().with_timezone(&chrono::Utc))
}

#[tokio::test]
async fn a_key_running_out_within_14_days_logs_shop_needs_attention_once_per_saved_key() {
    each_backend!(|app| {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
        use server::store::entities::shop;
        let mall = Mall::start().await;
        let (token, _) = app.tenant("A商店", true).await;
        let (b_token, _) = app.tenant("B商店", true).await;
        let id = rakuten_shop(&app, &token, &mall, "楽天店").await;
        let saved_days_ago = |days: i64| {
            let (db, id) = (app.state.db.clone(), id.clone());
            async move {
                shop::Entity::update_many()
                    .col_expr(shop::Column::KeySavedAt, Expr::value(chrono::Utc::now() - chrono::Duration::days(days)))
                    .filter(shop::Column::Id.eq(id.parse::<i64>().unwrap()))
                    .exec(&db)
                    .await
                    .unwrap();
            }
        };
        let attention = |token: String| {
            let app = &app;
            async move {
                let d = app.gql_ok(&token, "{ events(first: 100) { nodes { type data } } }", json!({})).await;
                d["events"]["nodes"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|e| e["type"] == "SHOP_NEEDS_ATTENTION")
                    .map(|e| e["data"].clone())
                    .collect::<Vec<_>>()
            }
        };

        // 30 days old: 60 left, nothing to say.
        saved_days_ago(30).await;
        assert_eq!(server::shop_setup::note_expiring_keys(&app.state).await.unwrap(), 0);
        // Staff of both tenants are listening.
        let before = app.gql_ok(&token, "{ events(first: 100) { pageInfo { endCursor } } }", json!({})).await;
        // Where a client that has read every event so far would resume (the log's start when empty).
        let cursor = before["events"]["pageInfo"]["endCursor"]
            .as_str()
            .map(str::to_owned)
            .unwrap_or_else(|| server::event_log::cursor(0));
        let mut live = app.subscribe(&token, ATTENTION, json!({})).await;
        let mut other = app.subscribe(&b_token, ATTENTION, json!({})).await;
        // 80 days old: 10 left — logged once, with what and until when, and said live.
        saved_days_ago(80).await;
        assert_eq!(server::shop_setup::note_expiring_keys(&app.state).await.unwrap(), 1);
        let said = live.next_within(std::time::Duration::from_secs(10)).await.expect("shopNeedsAttention");
        let said = &said["data"]["shopNeedsAttention"];
        assert_eq!(said["shop"]["id"], id.as_str());
        assert_eq!(said["shop"]["name"], "楽天店");
        assert_eq!(said["reason"], "LICENCE_KEY_EXPIRING");
        assert_eq!(said["expiresAt"], said["shop"]["credentialsExpireAt"], "{said}");
        let message = said["message"].as_str().unwrap();
        assert!(message.contains("楽天店") && message.contains("ライセンスキー"), "{message}");
        assert!(other.next_within(std::time::Duration::from_secs(1)).await.is_none(), "another tenant hears nothing");
        // A subscriber that was away gets it from the event log.
        let mut back = app
            .subscribe(
                &token,
                "subscription($a: String) { shopNeedsAttention(after: $a) { shop { id } reason } }",
                json!({ "a": cursor }),
            )
            .await;
        let replayed = back.next_within(std::time::Duration::from_secs(10)).await.expect("replayed");
        assert_eq!(replayed["data"]["shopNeedsAttention"]["shop"]["id"], id.as_str());
        assert_eq!(server::shop_setup::note_expiring_keys(&app.state).await.unwrap(), 0, "once per saved key");
        let logged = attention(token.clone()).await;
        assert_eq!(logged.len(), 1);
        assert_eq!(logged[0]["shopId"], id.as_str());
        assert_eq!(logged[0]["reason"], "LICENCE_KEY_EXPIRING");
        assert!(logged[0]["expiresAt"].is_string(), "{}", logged[0]);
        assert!(attention(b_token).await.is_empty(), "another tenant hears nothing of it");
        // The same key, saved again long ago and running out again: a new saving, a new event.
        saved_days_ago(85).await;
        shop::Entity::update_many()
            .col_expr(shop::Column::KeyWarnedAt, Expr::value(chrono::Utc::now() - chrono::Duration::days(86)))
            .filter(shop::Column::Id.eq(id.parse::<i64>().unwrap()))
            .exec(&app.state.db)
            .await
            .unwrap();
        assert_eq!(server::shop_setup::note_expiring_keys(&app.state).await.unwrap(), 1);
        mall.task.abort();
    });
}

#[tokio::test]
async fn a_key_saved_before_its_date_was_recorded_gets_the_expiry_staff_enter_and_its_warning() {
    each_backend!(|app| {
        use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, sea_query::Expr};
        use server::store::entities::shop;
        let mall = Mall::start().await;
        let (token, _) = app.tenant("A商店", true).await;
        let id = rakuten_shop(&app, &token, &mall, "楽天店").await;
        // A key saved before Madoguchi recorded when keys were saved: no date known.
        shop::Entity::update_many()
            .col_expr(shop::Column::KeySavedAt, Expr::value(Option::<chrono::DateTime<chrono::Utc>>::None))
            .filter(shop::Column::Id.eq(id.parse::<i64>().unwrap()))
            .exec(&app.state.db)
            .await
            .unwrap();
        assert_eq!(expiry(&app, &token, &id).await, None);
        assert_eq!(server::shop_setup::note_expiring_keys(&app.state).await.unwrap(), 0);

        let update = "mutation($id: ID!, $i: ShopInput!) { updateShop(id: $id, input: $i) { credentialsExpireAt } }";
        let input = |id: &str, marketplace: &str, at: chrono::DateTime<chrono::Utc>| {
            json!({ "id": id, "i": {
                "marketplace": marketplace, "name": "楽天店",
                "profile": { "mallShopName": "楽天店", "staffName": "山田 花子", "phone": "03-1111-2222", "email": "shop@example.jp" },
                "settings": { "credentialsExpireAt": at.to_rfc3339() }
            }})
        };
        // The date RMS shows, 10 days ahead: kept, and within the 14 days a warning is due.
        let at = chrono::Utc::now() + chrono::Duration::days(10);
        app.gql_ok(&token, update, input(&id, "RAKUTEN", at)).await;
        let shown = expiry(&app, &token, &id).await.expect("the entered expiry");
        assert!((shown - at).num_seconds().abs() <= 1, "{shown} vs {at}");
        assert_eq!(server::shop_setup::note_expiring_keys(&app.state).await.unwrap(), 1);

        // A date further ahead than a key lasts, or for a marketplace whose keys do not expire: refused.
        let far = app
            .gql(Some(&token), update, input(&id, "RAKUTEN", chrono::Utc::now() + chrono::Duration::days(120)))
            .await;
        assert_eq!(error_code(&far).as_deref(), Some("VALIDATION"), "{far}");
        assert_eq!(far["errors"][0]["extensions"]["field"], "credentialsExpireAt");
        assert!((expiry(&app, &token, &id).await.unwrap() - at).num_seconds().abs() <= 1, "nothing changed");
        let yahoo = seed::shop(&app, &token, Marketplace::Yahoo, "Yahoo店").await;
        let refused = app.gql(Some(&token), update, input(&yahoo, "YAHOO", at)).await;
        assert_eq!(error_code(&refused).as_deref(), Some("VALIDATION"), "{refused}");
        mall.task.abort();
    });
}

//! API情報 round trip: the shop settings form sends only the keys staff typed, and a save keeps
//! every stored key it does not send (here Rakuten's `pushAuthKey`, set through the API).

use std::collections::BTreeMap;

use madoguchi_tests::{TestApp, each_backend};
use serde_json::{Value, json};
use shared::Marketplace;

const CREATE_SHOP: &str = "mutation($i: ShopInput!) { createShop(input: $i) { id } }";
const UPDATE_SHOP: &str =
    "mutation($id: ID!, $i: ShopInput!) { updateShop(id: $id, input: $i) { id settings { credentialsSet } } }";
const RMS_SHOP: &str = "424242";

fn rakuten_input(credentials: Value) -> Value {
    json!({
        "marketplace": "RAKUTEN", "name": "楽天A店",
        "profile": { "mallShopName": "楽天A店", "staffName": "山田 花子", "phone": "03-1111-2222", "email": "shop@example.jp" },
        "settings": { "importDays": 7, "credentials": credentials }
    })
}

/// Rakuten's 問い合わせユーザアクション通知 as it arrives: its result code (`N-000-000` when the
/// shop id and push key are a shop's).
async fn push(app: &TestApp, key: &str) -> String {
    let xml = format!(
        "<notifyModel><authModel><contractId>{RMS_SHOP}</contractId><authKey>{key}</authKey></authModel><notifyInfoModel><serviceId>6000</serviceId><functionId>1100</functionId><value1 name=\"inquiryNumber\">{RMS_SHOP}-20261101-0001</value1><value2 name=\"actionType\">2</value2></notifyInfoModel></notifyModel>"
    );
    let resp = app
        .http
        .post(format!("{}/hooks/rakuten", app.base))
        .header("content-type", "text/xml")
        .body(xml)
        .send()
        .await
        .expect("POST /hooks/rakuten");
    assert_eq!(resp.status().as_u16(), 200);
    resp.text().await.expect("the answer")
}

#[tokio::test]
async fn saving_the_credentials_the_app_sends_keeps_the_push_key_set_through_the_api() {
    each_backend!(|app| {
        // Without the API option a push is acknowledged without calling the marketplace.
        let (token, _) = app.tenant("A商店", false).await;
        let made = app
            .gql_ok(
                &token,
                CREATE_SHOP,
                json!({ "i": rakuten_input(json!({
                    "serviceSecret": "SP_old", "licenseKey": "SL_old", "shopId": RMS_SHOP, "pushAuthKey": "push-key"
                })) }),
            )
            .await;
        let shop = made["createShop"]["id"].clone();
        assert!(push(&app, "push-key").await.contains("N-000-000"));

        // Staff renew the license key in the shop settings form: it sends the keys they typed.
        let typed: BTreeMap<String, String> =
            [("serviceSecret", "SP_new"), ("licenseKey", "SL_new")].map(|(k, v)| (k.to_owned(), v.to_owned())).into();
        let sent = shared::credentials::to_send(Marketplace::Rakuten, &typed).expect("complete").expect("typed");
        assert!(!sent.contains_key("pushAuthKey") && !sent.contains_key("shopId"));
        let saved =
            app.gql_ok(&token, UPDATE_SHOP, json!({ "id": shop, "i": rakuten_input(Value::Object(sent)) })).await;
        assert_eq!(saved["updateShop"]["settings"]["credentialsSet"], true);

        // The push key and the shop id it was set with are still the shop's.
        assert!(push(&app, "push-key").await.contains("N-000-000"), "the push key survives the save");
        assert!(push(&app, "another-key").await.contains("E-400-101"));

        // A key sent replaces the stored one.
        app.gql_ok(
            &token,
            UPDATE_SHOP,
            json!({ "id": shop, "i": rakuten_input(json!({ "pushAuthKey": "push-key-2" })) }),
        )
        .await;
        assert!(push(&app, "push-key").await.contains("E-400-101"), "the old key no longer matches");
        assert!(push(&app, "push-key-2").await.contains("N-000-000"));
    });
}

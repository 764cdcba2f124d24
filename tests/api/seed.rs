//! Test data: shops through the API, inquiries the way an import records them.

use chrono::{DateTime, TimeDelta, Utc};
use serde_json::json;
use server::auth::Actor;
use server::inbox::{IncomingInquiry, IncomingMessage, upsert_inquiry};
use server::store::entities::shop;
use shared::{Marketplace, MessageAuthor};

use madoguchi_tests::TestApp;

pub async fn shop(app: &TestApp, token: &str, marketplace: Marketplace, name: &str) -> String {
    let data = app
        .gql_ok(
            token,
            "mutation($i: ShopInput!) { createShop(input: $i) { id } }",
            json!({ "i": {
                "marketplace": marketplace.as_str(),
                "name": name,
                "profile": { "mallShopName": format!("{name} 本店"), "staffName": "山田 花子", "phone": "03-1111-2222", "email": "shop@example.jp" }
            }}),
        )
        .await;
    data["createShop"]["id"].as_str().expect("shop id").to_owned()
}

pub fn base_time() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-01T09:00:00+09:00").expect("time").with_timezone(&Utc)
}

pub struct Thread<'a> {
    pub mid: &'a str,
    pub order_number: Option<&'a str>,
    pub customer: &'a str,
    pub created_minutes: i64,
    /// (author, body) oldest first, a minute apart.
    pub messages: Vec<(MessageAuthor, &'a str)>,
    pub completed: bool,
}

/// Records an inquiry as an import would; returns its GraphQL id.
pub async fn inquiry(app: &TestApp, actor: &Actor, shop_id: &str, t: Thread<'_>) -> String {
    let shop = actor
        .scope
        .get::<shop::Entity>(&app.state.db, shop_id.parse().expect("numeric id"))
        .await
        .expect("db")
        .expect("shop of this tenant");
    let created = base_time() + TimeDelta::minutes(t.created_minutes);
    let (id, _) = upsert_inquiry(
        &app.state,
        actor.scope,
        &shop,
        IncomingInquiry {
            marketplace_inquiry_id: t.mid.to_owned(),
            order_number: t.order_number.map(str::to_owned),
            customer_name: Some(t.customer.to_owned()),
            subject: Some("配送".into()),
            created_at: created,
            completed: t.completed,
            messages: t
                .messages
                .iter()
                .enumerate()
                .map(|(i, (author, body))| IncomingMessage {
                    marketplace_message_id: i.to_string(),
                    author: *author,
                    staff_name: (*author == MessageAuthor::Shop).then(|| "山田".to_owned()),
                    body: (*body).to_owned(),
                    sent_at: created + TimeDelta::minutes(i as i64),
                    files: Vec::new(),
                })
                .collect(),
        },
    )
    .await
    .expect("upsert inquiry");
    id.to_string()
}

pub fn asks() -> Vec<(MessageAuthor, &'static str)> {
    vec![(MessageAuthor::Customer, "商品はいつ届きますか？")]
}

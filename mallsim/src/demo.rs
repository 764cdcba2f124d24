//! Demo mode: one account per marketplace with well-known credentials, some history, and a
//! background task that every few seconds adds a new order or a buyer message to each account.

use std::net::SocketAddr;
use std::time::Duration;

use chrono::Utc;
use rand::Rng;
use rand::seq::SliceRandom;

use crate::Sim;
use crate::data::InquirySpec;
use crate::sim::{NewAccount, OrderSpec};
use crate::state::{AccountKey, Credentials, Party};

pub const RAKUTEN_SHOP_ID: &str = "391234";
pub const RAKUTEN_SERVICE_SECRET: &str = "SP391234_demo_secret";
pub const RAKUTEN_LICENSE_KEY: &str = "SL391234_demo_license";
pub const YAHOO_SELLER_ID: &str = "madoguchi-demo";
pub const YAHOO_ACCESS_TOKEN: &str = "demo-yahoo-access-token";
/// The demo store's YConnect client (連携する).
pub const YAHOO_CLIENT_ID: &str = "demo-yahoo-client-id";
pub const YAHOO_CLIENT_SECRET: &str = "demo-yahoo-client-secret";
pub const AUPAY_SHOP_ID: &str = "51234567";
pub const AUPAY_API_KEY: &str = "demo-aupay-api-key";
pub const AMAZON_SELLER_ID: &str = "A3DEMOSELLER1JP";
pub const AMAZON_CLIENT_ID: &str = "amzn1.application-oa2-client.demo";
pub const AMAZON_CLIENT_SECRET: &str = "demo-lwa-client-secret";
pub const AMAZON_REFRESH_TOKEN: &str = "Atzr|demo-refresh-token";
pub const RAKUMA_EMAIL: &str = "demo-shop@rakuma.example";
pub const RAKUMA_PASSWORD: &str = "demo-rakuma-password";
pub const RAKUMA_CLIENT_ID: &str = "demo-rakuma-client";
pub const RAKUMA_CLIENT_SECRET: &str = "demo-rakuma-client-secret";

/// The demo accounts, one per marketplace.
pub fn accounts() -> Vec<NewAccount> {
    let mut v = vec![
        NewAccount::new(Credentials::Rakuten {
            shop_id: RAKUTEN_SHOP_ID.into(),
            service_secret: RAKUTEN_SERVICE_SECRET.into(),
            license_key: RAKUTEN_LICENSE_KEY.into(),
        }),
        NewAccount::new(Credentials::Yahoo {
            seller_id: YAHOO_SELLER_ID.into(),
            access_token: YAHOO_ACCESS_TOKEN.into(),
            client_id: Some(YAHOO_CLIENT_ID.into()),
            client_secret: Some(YAHOO_CLIENT_SECRET.into()),
            refresh_token: None,
        }),
        NewAccount::new(Credentials::Aupay { shop_id: AUPAY_SHOP_ID.into(), api_key: AUPAY_API_KEY.into() }),
        NewAccount::new(Credentials::Amazon {
            seller_id: AMAZON_SELLER_ID.into(),
            client_id: AMAZON_CLIENT_ID.into(),
            client_secret: AMAZON_CLIENT_SECRET.into(),
            refresh_token: AMAZON_REFRESH_TOKEN.into(),
        }),
        NewAccount::new(Credentials::Rakuma {
            email: RAKUMA_EMAIL.into(),
            password: RAKUMA_PASSWORD.into(),
            client_id: RAKUMA_CLIENT_ID.into(),
            client_secret: RAKUMA_CLIENT_SECRET.into(),
        }),
    ];
    let names = [
        "まどぐち雑貨店 楽天市場店",
        "まどぐち雑貨店 Yahoo!店",
        "まどぐち雑貨店 au PAY マーケット店",
        "まどぐち雑貨店 Amazon店",
        "まどぐち雑貨店 ラクマ店",
    ];
    for (a, n) in v.iter_mut().zip(names) {
        a.shop_name = Some(n.into());
    }
    v
}

/// Creates the demo accounts that do not exist yet, each with two weeks of orders and, where
/// the marketplace has an inquiry API, a week of buyer questions.
pub async fn seed_accounts(sim: &Sim) {
    for new in accounts() {
        let Ok(key) = sim.create_account(new).await else {
            continue;
        };
        let _ = sim.generate_orders(&key, 12, 14).await;
        if key.marketplace.has_inquiries() {
            let _ = sim.generate_inquiries(&key, 6, 7).await;
        }
    }
}

/// Runs [`tick`] every `every` until the returned task is aborted.
pub fn start(sim: Sim, every: Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut interval = tokio::time::interval(every);
        interval.tick().await;
        loop {
            interval.tick().await;
            tick(&sim).await;
        }
    })
}

enum Step {
    Order,
    NewInquiry,
    FollowUp(String),
    Nothing,
}

/// One round of buyer activity: for each account, maybe a new order, a new question or a
/// buyer's answer in an open thread.
pub async fn tick(sim: &Sim) {
    let plan: Vec<(AccountKey, Step)> = {
        let mut guard = sim.state().await;
        let st = &mut *guard;
        let keys: Vec<AccountKey> = st.accounts.keys().cloned().collect();
        let mut plan = Vec::new();
        for key in keys {
            let roll: f64 = st.rng.gen_range(0.0..1.0);
            let step = if !key.marketplace.has_inquiries() {
                if roll < 0.5 { Step::Order } else { Step::Nothing }
            } else if roll < 0.35 {
                Step::Order
            } else if roll < 0.65 {
                Step::NewInquiry
            } else {
                // A buyer answers in an open thread, preferably one the shop has answered.
                let open: Vec<(String, bool)> = st
                    .inquiries_of(&key)
                    .filter(|i| !i.is_completed())
                    .map(|i| (i.id.clone(), i.messages.last().is_some_and(|m| m.from == Party::Merchant)))
                    .collect();
                let answered: Vec<&String> = open.iter().filter(|(_, a)| *a).map(|(id, _)| id).collect();
                let pool: Vec<&String> =
                    if answered.is_empty() { open.iter().map(|(id, _)| id).collect() } else { answered };
                match pool.choose(&mut st.rng) {
                    Some(id) => Step::FollowUp((*id).clone()),
                    None => Step::NewInquiry,
                }
            };
            plan.push((key, step));
        }
        plan
    };
    for (key, step) in plan {
        let result = match step {
            Step::Order => {
                sim.add_order(&key, OrderSpec { at: Some(Utc::now()), ..Default::default() }).await.map(|_| ())
            }
            // The generator ties order questions to one of the account's orders.
            Step::NewInquiry => sim.add_inquiry(&key, InquirySpec::default()).await.map(|_| ()),
            Step::FollowUp(id) => sim.add_customer_message(&key, &id, None, None, None).await.map(|_| ()),
            Step::Nothing => Ok(()),
        };
        if let Err(e) = result {
            tracing::debug!("demo step for {}/{} skipped: {e}", key.marketplace.as_str(), key.id);
        }
    }
}

/// What to print at start: base URLs and the demo credentials.
pub fn describe(addr: SocketAddr) -> String {
    format!(
        "mallsim demo on http://{addr}\n\
         Rakuten   http://{addr}/rakuten   shopId {RAKUTEN_SHOP_ID}, serviceSecret {RAKUTEN_SERVICE_SECRET}, licenseKey {RAKUTEN_LICENSE_KEY}\n\
         Yahoo!    http://{addr}/yahoo     sellerId {YAHOO_SELLER_ID}, access token {YAHOO_ACCESS_TOKEN}\n\
         au PAY    http://{addr}/aupay     shopId {AUPAY_SHOP_ID}, API key {AUPAY_API_KEY}\n\
         Amazon    http://{addr}/amazon    seller {AMAZON_SELLER_ID}, client {AMAZON_CLIENT_ID} / {AMAZON_CLIENT_SECRET}, refresh token {AMAZON_REFRESH_TOKEN}\n\
         Rakuma    http://{addr}/rakuma    {RAKUMA_EMAIL} / {RAKUMA_PASSWORD}, client {RAKUMA_CLIENT_ID} / {RAKUMA_CLIENT_SECRET}\n\
         control   http://{addr}/_control"
    )
}

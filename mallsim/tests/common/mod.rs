//! Starts a simulator on a free loopback port and talks to it over real HTTP.

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed step is a failed test
#![allow(dead_code)]

use base64::Engine;
use serde_json::{Value, json};

pub struct Running {
    pub base: String,
    pub http: reqwest::Client,
    pub sim: mallsim::Sim,
}

pub async fn start() -> Running {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let sim = mallsim::Sim::new(42);
    tokio::spawn(mallsim::serve(listener, sim.clone()));
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .timeout(std::time::Duration::from_secs(20))
        .build()
        .unwrap();
    Running { base: format!("http://{addr}"), http, sim }
}

impl Running {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn control(&self, method: &str, path: &str, body: Value) -> (u16, Value) {
        let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let resp = self.http.request(m, self.url(&format!("/_control{path}"))).json(&body).send().await.unwrap();
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    pub async fn post_control(&self, path: &str, body: Value) -> Value {
        let (status, v) = self.control("POST", path, body).await;
        assert!(status < 300, "control {path}: {status} {v}");
        v
    }

    pub async fn get_control(&self, path: &str) -> Value {
        let (status, v) = self.control("GET", path, Value::Null).await;
        assert!(status < 300, "control {path}: {status} {v}");
        v
    }

    pub async fn counters(&self, mp: &str, id: &str) -> Value {
        self.get_control(&format!("/accounts/{mp}/{id}/counters")).await
    }

    /// A Rakuten shop; returns its ESA header value.
    pub async fn rakuten_shop(&self, shop_id: &str) -> String {
        let secret = format!("SP{shop_id}_secret");
        let license = format!("SL{shop_id}_license");
        self.post_control(
            "/accounts",
            json!({"marketplace": "rakuten", "shopId": shop_id, "serviceSecret": secret, "licenseKey": license}),
        )
        .await;
        esa(&secret, &license)
    }

    pub async fn yahoo_seller(&self, seller: &str, min_interval_ms: u64) -> String {
        let token = format!("yj-token-{seller}");
        self.post_control(
            "/accounts",
            json!({"marketplace": "yahoo", "sellerId": seller, "accessToken": token, "minIntervalMs": min_interval_ms}),
        )
        .await;
        format!("Bearer {token}")
    }
}

pub fn esa(secret: &str, license: &str) -> String {
    format!("ESA {}", base64::engine::general_purpose::STANDARD.encode(format!("{secret}:{license}")))
}

/// JST wall-clock time without offset, as the Rakuten inquiry API wants it.
pub fn jst(t: chrono::DateTime<chrono::Utc>) -> String {
    t.with_timezone(&chrono::FixedOffset::east_opt(9 * 3600).unwrap()).format("%Y-%m-%dT%H:%M:%S").to_string()
}

/// `yyyy-MM-ddTHH:mm:ss+0900` for the Rakuten order API.
pub fn jst_order(t: chrono::DateTime<chrono::Utc>) -> String {
    format!("{}+0900", jst(t))
}

//! `GET /metrics` (Prometheus text) on the `--metrics-listen` address only: GraphQL requests by
//! operation name, sync runs, marketplace HTTP statuses, reply deliveries, the outbox backlog,
//! open sockets and running socket operations, the database pool.
//!
//! The metrics recorder is one per process and the tests run many servers in one process, so
//! each assertion is on what the test's own actions add (a fresh operation name, or a counter
//! that must have grown).

use std::time::Duration;

use madoguchi_tests::{TestApp, backends, spawn_app_with};
use serde_json::json;

use crate::marketplaces::{Mall, THREADS, rakuten_shop, run, wait_delivered_on};

async fn app_with_metrics(backend: &madoguchi_tests::Backend) -> (TestApp, String) {
    let addr = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port").local_addr().expect("addr");
    let app = spawn_app_with(backend, |c| c.metrics_listen = Some(addr)).await;
    (app, format!("http://{addr}/metrics"))
}

pub(crate) async fn scrape(url: &str) -> String {
    let resp = reqwest::get(url).await.expect("GET /metrics");
    assert_eq!(resp.status(), 200);
    let ct = resp.headers()["content-type"].to_str().expect("content type").to_owned();
    assert!(ct.starts_with("text/plain"), "{ct}");
    resp.text().await.expect("text")
}

/// The sum of the samples of `name` whose labels include all of `labels`.
pub(crate) fn value(text: &str, name: &str, labels: &[(&str, &str)]) -> f64 {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let (series, v) = l.rsplit_once(' ')?;
            let (n, rest) = series.split_once('{').unwrap_or((series, "}"));
            (n == name && labels.iter().all(|(k, val)| rest.contains(&format!("{k}=\"{val}\""))))
                .then(|| v.parse::<f64>().ok())
                .flatten()
        })
        .sum()
}

#[tokio::test]
async fn metrics_are_served_on_their_own_address_and_never_on_the_public_one() {
    for backend in backends().await {
        let (app, metrics) = app_with_metrics(&backend).await;
        let public = app.http.get(format!("{}/metrics", app.base)).send().await.expect("GET");
        assert_eq!(public.status(), 404, "/metrics on the public address");
        let text = scrape(&metrics).await;
        assert!(text.contains("madoguchi_db_pool_connections{state=\"in_use\"}"), "{text}");
        assert!(text.contains("madoguchi_outbox_backlog{marketplace=\"rakuten\"}"), "{text}");
        app.finish().await;
    }
}

#[tokio::test]
async fn graphql_requests_are_counted_and_timed_by_operation_name() {
    for backend in backends().await {
        let (app, metrics) = app_with_metrics(&backend).await;
        let (token, _) = app.tenant("計測商店", true).await;
        let op = format!("MetricsProbe{:x}", rand::random::<u32>());
        for _ in 0..3 {
            app.gql_ok(&token, &format!("query {op} {{ __typename }}"), json!({})).await;
        }
        let failed = app.gql(Some(&token), &format!("query {op} {{ noSuchField }}"), json!({})).await;
        assert!(failed.get("errors").is_some());
        let text = scrape(&metrics).await;
        let requests = "madoguchi_graphql_requests_total";
        assert_eq!(value(&text, requests, &[("operation", &op), ("result", "ok")]), 3.0, "{text}");
        assert_eq!(value(&text, requests, &[("operation", &op), ("result", "error")]), 1.0, "{text}");
        assert_eq!(value(&text, "madoguchi_graphql_request_duration_seconds_count", &[("operation", &op)]), 4.0);
        app.finish().await;
    }
}

#[tokio::test]
async fn sync_runs_marketplace_answers_and_reply_deliveries_are_counted_by_marketplace() {
    for backend in backends().await {
        let (app, metrics) = app_with_metrics(&backend).await;
        let runs = |t: &str| {
            value(
                t,
                "madoguchi_sync_runs_total",
                &[("marketplace", "rakuten"), ("kind", "import_inquiries"), ("result", "succeeded")],
            )
        };
        let answers = |t: &str| {
            value(t, "madoguchi_marketplace_http_responses_total", &[("marketplace", "rakuten"), ("status", "200")])
        };
        let sent =
            |t: &str| value(t, "madoguchi_reply_deliveries_total", &[("marketplace", "rakuten"), ("result", "sent")]);
        let before = scrape(&metrics).await;

        let mall = Mall::start().await;
        mall.rakuten_account().await;
        let (token, _) = app.tenant("計測商店", true).await;
        let shop = rakuten_shop(&app, &token, &mall, "楽天計測店").await;
        mall.inquiry("在庫はありますか", 1).await;
        let r = run(&app, &token, "importInquiries", json!({ "shopId": shop })).await;
        assert_eq!(r["state"], "SUCCEEDED", "{r}");
        let t = app.gql_ok(&token, THREADS, json!({ "s": shop })).await;
        let id = t["inquiries"]["nodes"][0]["id"].as_str().expect("id").to_owned();
        app.gql_ok(
            &token,
            "mutation($i: ReplyInput!) { replyToInquiry(input: $i) { id } }",
            json!({ "i": { "inquiryId": id, "body": "在庫ございます。" } }),
        )
        .await;
        assert_eq!(wait_delivered_on(&app, &token, &id).await["delivery"], "SENT");

        let after = scrape(&metrics).await;
        assert!(runs(&after) > runs(&before), "a finished import run is counted");
        assert!(answers(&after) > answers(&before), "the marketplace's 200 answers are counted");
        assert!(sent(&after) > sent(&before), "the delivered reply is counted");
        assert!(after.contains("madoguchi_sync_run_duration_seconds_bucket{marketplace=\"rakuten\""), "{after}");
        mall.task.abort();
        app.finish().await;
    }
}

#[tokio::test]
async fn open_sockets_and_running_subscriptions_are_gauged() {
    for backend in backends().await {
        let (app, metrics) = app_with_metrics(&backend).await;
        let (token, _) = app.tenant("計測商店", true).await;
        let sub = app.subscribe(&token, "subscription { inboxCountsChanged { needsReply } }", json!({})).await;
        // Both gauges count this socket once the server has taken up the subscription.
        let mut text = String::new();
        for _ in 0..200 {
            text = scrape(&metrics).await;
            if value(&text, "madoguchi_websockets_open", &[]) >= 1.0
                && value(&text, "madoguchi_websocket_operations_running", &[]) >= 1.0
            {
                break;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        assert!(value(&text, "madoguchi_websockets_open", &[]) >= 1.0, "{text}");
        assert!(value(&text, "madoguchi_websocket_operations_running", &[]) >= 1.0, "{text}");
        drop(sub);
        app.finish().await;
    }
}

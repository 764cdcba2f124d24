//! How long a signed-in staff member on a 10 Mbit/s link waits for the inbox when the browser has
//! nothing cached: Chromium's own network throttling (chromedriver's network conditions), an
//! empty profile, the app as the server sends it (compressed). A figure printed for
//! BENCHMARKS.md ("The browser app"), never asserted: the machine's load would make it flaky.

use fantoccini::wd::WebDriverCompatibleCommand;
use serde_json::json;

use crate::harness::{browser, js, setup};

/// chromedriver's `POST /session/{id}/chromium/network_conditions` (Chromium's DevTools
/// network emulation for the whole session).
#[derive(Debug)]
struct NetworkConditions {
    latency_ms: u64,
    bits_per_second: u64,
}

impl WebDriverCompatibleCommand for NetworkConditions {
    fn endpoint(&self, base: &url::Url, session: Option<&str>) -> Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/chromium/network_conditions", session.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        let bytes = self.bits_per_second / 8;
        let body = json!({ "network_conditions": {
            "offline": false,
            "latency": self.latency_ms,
            "download_throughput": bytes,
            "upload_throughput": bytes,
        }});
        (http::Method::POST, Some(body.to_string()))
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_inbox_on_a_cold_start_over_10_mbit_s() {
    let Some((app, driver)) = setup().await else { return };
    let c = browser(&driver).await;
    // Sign in without loading the app (a tiny page of the same origin, then the login endpoint),
    // so the app's files are not in the cache when the inbox is opened.
    c.goto(&format!("{}/healthz", app.base)).await.expect("open /healthz");
    let status = js(
        &c,
        &format!(
            "return fetch('/auth/login', {{ method: 'POST', headers: {{ 'content-type': 'application/json' }}, \
             body: JSON.stringify({{ email: '{}', password: '{}' }}) }}).then(r => r.status);",
            server::demo::DEMO_EMAIL,
            server::demo::DEMO_PASSWORD
        ),
    )
    .await;
    assert_eq!(status, json!(200), "signed in");

    c.issue_cmd(NetworkConditions { latency_ms: 20, bits_per_second: 10_000_000 }).await.expect("throttle the network");
    c.goto(&format!("{}/", app.base)).await.expect("open the app");
    c.wait()
        .at_most(std::time::Duration::from_secs(90))
        .for_element(fantoccini::Locator::Css("a.inquiry-row"))
        .await
        .expect("the inbox's rows appear");
    // Milliseconds since the navigation started, and what came over the wire.
    let figures = js(
        &c,
        "const nav = performance.getEntriesByType('navigation')[0]; \
         const res = performance.getEntriesByType('resource'); \
         const sum = (f) => res.filter(f).reduce((a, r) => a + r.transferSize, 0); \
         return { paint: Math.round(performance.now()), \
                  html: nav ? nav.transferSize : 0, \
                  app: sum(r => /\\.(wasm|js|css)$/.test(new URL(r.name).pathname)), \
                  api: sum(r => new URL(r.name).pathname === '/graphql') };",
    )
    .await;
    println!(
        "FIGURE first inbox paint at 10 Mbit/s (20 ms latency, empty cache): {} ms; transferred: \
         index.html {} B, app files {} B, first GraphQL answers {} B",
        figures["paint"], figures["html"], figures["app"], figures["api"]
    );
    assert!(figures["app"].as_u64().unwrap_or(0) > 0, "the app's files were downloaded, not cached");
    c.close().await.ok();
    app.finish().await;
}

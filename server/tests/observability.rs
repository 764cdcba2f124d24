//! The built `madoguchi` binary with `--log-format json` and `--metrics-listen`: every log line
//! is one JSON object; a request's lines carry its request id and the caller's tenant, a sync
//! run's lines its tenant, shop and run id; `/metrics` answers on the metrics address only.
//! (Its own process: the metrics here are this server's alone.)

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a failed step is a failed test

use std::io::BufRead as _;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

const TOKEN: &str = "mdg_observability_test_token_0123456789";

struct Server {
    child: Child,
    lines: Arc<Mutex<Vec<String>>>,
    dir: std::path::PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

impl Server {
    fn start() -> Server {
        let dir = std::env::temp_dir().join(format!(
            "madoguchi_observability_{}_{:x}",
            std::process::id(),
            rand::random::<u64>()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_madoguchi"))
            .args(["--log-format", "json", "serve", "--listen", "127.0.0.1:0", "--demo"])
            .args(["--metrics-listen", "127.0.0.1:0"])
            .arg("--data-dir")
            .arg(&dir)
            .arg("--spa-dir")
            .arg(dir.join("no-app"))
            .env_remove("MADOGUCHI_DATABASE_URL")
            .env_remove("MADOGUCHI_LISTEN")
            .env_remove("MADOGUCHI_ATTACHMENTS_URL")
            .env("MADOGUCHI_BOOTSTRAP_TOKEN", TOKEN)
            .env("RUST_LOG", "info,sqlx=warn,sea_orm=warn")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the madoguchi binary starts");
        let stdout = child.stdout.take().unwrap();
        let lines = Arc::new(Mutex::new(Vec::new()));
        let sink = lines.clone();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stdout).lines().map_while(Result::ok) {
                sink.lock().unwrap().push(line);
            }
        });
        Server { child, lines, dir }
    }

    /// Waits (at most `limit`) for a line for which `f` gives a value.
    fn wait_for<T>(&self, limit: Duration, what: &str, f: impl Fn(&str) -> Option<T>) -> T {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(v) = self.lines.lock().unwrap().iter().find_map(|l| f(l)) {
                return v;
            }
            assert!(Instant::now() < deadline, "no line {what} within {limit:?}: {:#?}", self.lines.lock().unwrap());
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

fn after<'a>(line: &'a str, marker: &str) -> Option<&'a str> {
    line.split(marker).nth(1).and_then(|r| r.split('/').next())
}

/// The span named `name` among a JSON log line's spans.
fn span<'a>(line: &'a Value, name: &str) -> Option<&'a Value> {
    line["spans"].as_array()?.iter().find(|s| s["name"] == name)
}

#[tokio::test]
async fn json_logs_carry_tenant_shop_and_run_or_request_id_and_metrics_stay_off_the_public_address() {
    let server = Server::start();
    let base = server.wait_for(Duration::from_secs(120), "saying where it listens", |l| {
        after(l, "listening on http://").map(|a| format!("http://{a}"))
    });
    let metrics = server.wait_for(Duration::from_secs(5), "saying where the metrics are", |l| {
        after(l, "Metrics (Prometheus): http://").map(|a| format!("http://{a}/metrics"))
    });
    let http = reqwest::Client::new();

    // A request with the caller's id: its lines carry it and the caller's tenant.
    let r = http
        .post(format!("{base}/graphql"))
        .bearer_auth(TOKEN)
        .header("x-request-id", "probe-42")
        .json(&serde_json::json!({ "query": "query ObservabilityProbe { __typename }" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let request = server.wait_for(Duration::from_secs(10), "of the request", |l| {
        let v: Value = serde_json::from_str(l).ok()?;
        span(&v, "request").filter(|s| s["request_id"] == "probe-42").cloned()
    });
    assert!(request["tenant"].as_i64().is_some_and(|t| t > 0), "{request}");
    assert_eq!(request["path"], "/graphql");

    // The demo's scheduled imports: a run's lines carry tenant, shop and run.
    let run = server.wait_for(Duration::from_secs(90), "of a sync run", |l| {
        let v: Value = serde_json::from_str(l).ok()?;
        span(&v, "sync_run").cloned()
    });
    for field in ["tenant", "shop", "shop_id", "run"] {
        assert!(!run[field].is_null(), "{field} in {run}");
    }

    // Every log line is JSON (the two start-up lines the server prints are not log lines).
    for l in server.lines.lock().unwrap().iter() {
        let printed = ["listening on", "Demo", "Metrics (Prometheus)"].iter().any(|p| l.contains(p));
        assert!(printed || serde_json::from_str::<Value>(l).is_ok(), "not JSON: {l}");
    }

    // Metrics: on their address, counting this server's request; not on the public one.
    assert_eq!(http.get(format!("{base}/metrics")).send().await.unwrap().status(), 404);
    let text = http.get(&metrics).send().await.unwrap().text().await.unwrap();
    assert!(
        text.lines().any(|l| l == r#"madoguchi_graphql_requests_total{operation="ObservabilityProbe",result="ok"} 1"#),
        "{text}"
    );
    assert!(text.contains("madoguchi_sync_runs_total{"), "{text}");
}

//! Attack suite: sessions.
//!
//! - Sign-in is throttled per e-mail address and per client address: past the limit the
//!   answer is `429` with `Retry-After` and code `RATE_LIMITED`, before any password is checked.
//! - Password checks running at once are bounded; a sign-in that cannot start one in time is
//!   answered `503` (`RATE_LIMITED`, `Retry-After`) instead of queueing without end.
//! - The session cookie is `Secure` when the server's public URL is https.
//! - Changing a password ends the member's other sessions; the one it was changed from stays.
//! - A session left unused for the idle timeout ends; one in use stays.

use std::time::Duration;

use madoguchi_tests::{Backend, TestApp, backends, error_code, spawn_app_with};
use serde_json::{Value, json};
use server::auth::{LoginRate, SessionSettings};
use shared::Role;

const VIEWER: &str = "{ viewer { name role } }";
const HOUR: Duration = Duration::from_secs(3600);

/// A browser of its own: its own cookie jar, and the `Origin` a page of the server sends.
struct Browser {
    http: reqwest::Client,
    base: String,
}

struct Answer {
    status: u16,
    retry_after: Option<u64>,
    set_cookie: Option<String>,
    body: Value,
}

impl Browser {
    fn new(app: &TestApp) -> Self {
        let mut headers = reqwest::header::HeaderMap::new();
        headers.insert(reqwest::header::ORIGIN, app.base.parse().unwrap());
        Browser {
            http: reqwest::Client::builder().cookie_store(true).default_headers(headers).build().unwrap(),
            base: app.base.clone(),
        }
    }

    async fn login(&self, email: &str, password: &str) -> Answer {
        self.login_forwarded(email, password, None).await
    }

    /// A sign-in with an `X-Forwarded-For` header.
    async fn login_forwarded(&self, email: &str, password: &str, forwarded_for: Option<&str>) -> Answer {
        let mut req =
            self.http.post(format!("{}/auth/login", self.base)).json(&json!({ "email": email, "password": password }));
        if let Some(f) = forwarded_for {
            req = req.header("x-forwarded-for", f);
        }
        let resp = req.send().await.unwrap();
        let header = |name: &str| resp.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
        let retry_after = header("retry-after").map(|v| v.parse::<u64>().expect("Retry-After in whole seconds"));
        let set_cookie = header("set-cookie");
        Answer {
            status: resp.status().as_u16(),
            retry_after,
            set_cookie,
            body: resp.json().await.unwrap_or(Value::Null),
        }
    }

    async fn signed_in(app: &TestApp, email: &str, password: &str) -> Self {
        let b = Browser::new(app);
        let a = b.login(email, password).await;
        assert_eq!(a.status, 200, "{email} signs in: {}", a.body);
        b
    }

    async fn gql(&self, query: &str, variables: Value) -> Value {
        let resp = self
            .http
            .post(format!("{}/graphql", self.base))
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .unwrap();
        resp.json().await.unwrap_or(Value::Null)
    }

    /// Whether this browser's session still works.
    async fn signed_in_still(&self) -> bool {
        let body = self.gql(VIEWER, json!({})).await;
        if body["data"]["viewer"]["name"].is_string() {
            return true;
        }
        assert_eq!(error_code(&body).as_deref(), Some("UNAUTHENTICATED"), "{body}");
        false
    }
}

async fn staff(app: &TestApp, email: &str, role: Role, password: &str) -> i64 {
    let actor = server::provision::create_tenant(&app.state.db, &format!("{email}の店"), true).await.unwrap();
    server::provision::create_staff(&app.state.db, &actor, email, "担当", role, password).await.unwrap()
}

fn limits(per_email: u32, per_address: u32) -> SessionSettings {
    SessionSettings {
        login_per_email: LoginRate { burst: per_email, period: HOUR },
        login_per_address: LoginRate { burst: per_address, period: HOUR },
        ..Default::default()
    }
}

/// Runs `body` on a fresh server per backend, configured by `configure`.
macro_rules! each_backend_with {
    ($configure:expr, |$app:ident| $body:block) => {
        for backend in backends().await {
            let backend: Backend = backend;
            let $app = spawn_app_with(&backend, $configure).await;
            $body
            $app.finish().await;
        }
    };
}

fn assert_throttled(a: &Answer, what: &str) {
    assert_eq!(a.status, 429, "{what}: {}", a.body);
    assert_eq!(a.body["code"], "RATE_LIMITED", "{what}: {}", a.body);
    let wait = a.retry_after.unwrap_or_else(|| panic!("{what}: no Retry-After"));
    assert!(wait >= 1, "{what}: Retry-After {wait}");
    assert!(a.set_cookie.is_none(), "{what}: no session");
}

#[tokio::test]
async fn thirty_wrong_passwords_for_one_e_mail_are_not_all_answered_past_the_limit_429_with_retry_after() {
    // The production limits.
    each_backend_with!(|_| {}, |app| {
        staff(&app, "kato@example.jp", Role::Staff, "kato-password-1").await;
        let browser = Browser::new(&app);
        let mut answered = 0;
        let mut throttled = 0;
        for i in 0..30 {
            // The e-mail in any case and with spaces is the same account, and the same count.
            let email = if i % 2 == 0 { "kato@example.jp" } else { " KATO@Example.JP " };
            let a = browser.login(email, &format!("wrong-password-{i}")).await;
            if a.status == 401 {
                assert_eq!(throttled, 0, "once throttled, attempts stay throttled");
                answered += 1;
            } else {
                assert_throttled(&a, &format!("attempt {}", i + 1));
                throttled += 1;
            }
        }
        assert_eq!(answered, SessionSettings::default().login_per_email.burst, "the passwords checked");
        assert_eq!(answered + throttled, 30);
        // The right password does not get through either while the e-mail is throttled.
        assert_throttled(
            &browser.login("kato@example.jp", "kato-password-1").await,
            "right password, throttled e-mail",
        );
    });
}

#[tokio::test]
async fn another_account_still_signs_in_from_the_same_address_until_the_per_address_limit() {
    // Per e-mail 3 attempts, per address 8 (the test client is always 127.0.0.1).
    each_backend_with!(|c| c.sessions = limits(3, 8), |app| {
        staff(&app, "kato@example.jp", Role::Staff, "kato-password-1").await;
        staff(&app, "sato@example.jp", Role::Staff, "sato-password-1").await;
        let browser = Browser::new(&app);
        for i in 0..3 {
            assert_eq!(browser.login("kato@example.jp", &format!("wrong-{i}")).await.status, 401);
        }
        assert_throttled(&browser.login("kato@example.jp", "kato-password-1").await, "4th attempt for kato");
        // Attempt 5 from this address: another account signs in.
        let sato = browser.login("sato@example.jp", "sato-password-1").await;
        assert_eq!(sato.status, 200, "another e-mail is not throttled: {}", sato.body);
        // Attempts 6 and 7: other e-mails, wrong; attempt 8: sato again.
        assert_eq!(browser.login("nobody@example.jp", "whatever-1").await.status, 401);
        assert_eq!(browser.login("kimura@example.jp", "whatever-2").await.status, 401);
        assert_eq!(browser.login("sato@example.jp", "sato-password-1").await.status, 200);
        // Attempt 9: the address has used its allowance, whatever the e-mail and password.
        assert_throttled(&browser.login("sato@example.jp", "sato-password-1").await, "9th attempt from the address");
        assert_throttled(&browser.login("new@example.jp", "whatever-3").await, "10th attempt from the address");
        // Sessions already started keep working.
        assert!(browser.signed_in_still().await);
    });
}

#[tokio::test]
async fn x_forwarded_for_does_not_dodge_the_per_address_limit_unless_a_proxy_is_trusted_to_set_it() {
    // Without --trust-forwarded-for the header is the client's word, and ignored.
    each_backend_with!(|c| c.sessions = limits(100, 3), |app| {
        let browser = Browser::new(&app);
        for i in 1..=3 {
            let a = browser
                .login_forwarded(&format!("u{i}@example.jp"), "wrong-password", Some(&format!("203.0.113.{i}")))
                .await;
            assert_eq!(a.status, 401);
        }
        let a = browser.login_forwarded("u4@example.jp", "wrong-password", Some("203.0.113.4")).await;
        assert_throttled(&a, "a made-up X-Forwarded-For");
    });
    // Behind a trusted proxy, the address it appended (the last one) counts, not what the
    // client put before it.
    let trusted = SessionSettings { trust_forwarded_for: true, ..limits(100, 3) };
    each_backend_with!(|c| c.sessions = trusted.clone(), |app| {
        let browser = Browser::new(&app);
        for i in 1..=3 {
            let chain = format!("198.51.100.{i}, 203.0.113.9");
            assert_eq!(
                browser.login_forwarded(&format!("u{i}@example.jp"), "wrong-password", Some(&chain)).await.status,
                401
            );
        }
        let a = browser.login_forwarded("u4@example.jp", "wrong-password", Some("198.51.100.4, 203.0.113.9")).await;
        assert_throttled(&a, "the same client behind the proxy");
        let other = browser.login_forwarded("u5@example.jp", "wrong-password", Some("203.0.113.10")).await;
        assert_eq!(other.status, 401, "another client behind the same proxy is not throttled");
    });
}

#[tokio::test]
async fn password_checks_beyond_the_bound_are_answered_503_instead_of_piling_up() {
    // One password check at a time, none waits: of parallel sign-ins, the ones arriving while a
    // check runs are refused at once.
    let settings = SessionSettings { max_password_checks: 1, password_check_wait: Duration::ZERO, ..limits(100, 100) };
    each_backend_with!(|c| c.sessions = settings.clone(), |app| {
        staff(&app, "kato@example.jp", Role::Staff, "kato-password-1").await;
        let browsers: Vec<Browser> = (0..8).map(|_| Browser::new(&app)).collect();
        let answers =
            futures_util::future::join_all(browsers.iter().map(|b| b.login("kato@example.jp", "kato-password-1")))
                .await;
        let ok = answers.iter().filter(|a| a.status == 200).count();
        let busy: Vec<&Answer> = answers.iter().filter(|a| a.status == 503).collect();
        assert!(ok >= 1, "at least one check ran");
        assert!(!busy.is_empty(), "8 parallel checks with a bound of 1: some are refused");
        assert_eq!(ok + busy.len(), 8);
        for a in busy {
            assert_eq!(a.body["code"], "RATE_LIMITED", "{}", a.body);
            assert!(a.retry_after.is_some_and(|s| s >= 1));
        }
    });
}

#[tokio::test]
async fn the_session_cookie_is_secure_when_the_public_url_is_https() {
    each_backend_with!(|c| c.policy.public_url = Some("https://madoguchi.example.jp".into()), |app| {
        staff(&app, "kato@example.jp", Role::Staff, "kato-password-1").await;
        let a = Browser::new(&app).login("kato@example.jp", "kato-password-1").await;
        assert_eq!(a.status, 200);
        let cookie = a.set_cookie.unwrap();
        let attrs: Vec<String> = cookie.split(';').map(|p| p.trim().to_ascii_lowercase()).collect();
        assert!(attrs.contains(&"secure".to_owned()), "{cookie}");
        assert!(attrs.contains(&"httponly".to_owned()), "{cookie}");
        assert!(attrs.contains(&"samesite=lax".to_owned()), "{cookie}");
    });
    // Plain http (a local demo): not Secure, or the browser would drop it.
    each_backend_with!(|c| c.policy.public_url = Some("http://localhost:8080".into()), |app| {
        staff(&app, "kato@example.jp", Role::Staff, "kato-password-1").await;
        let cookie = Browser::new(&app).login("kato@example.jp", "kato-password-1").await.set_cookie.unwrap();
        assert!(!cookie.to_ascii_lowercase().contains("secure"), "{cookie}");
    });
}

#[tokio::test]
async fn changing_a_password_ends_the_other_sessions_but_not_the_current_one() {
    each_backend_with!(|_| {}, |app| {
        let id = staff(&app, "owner@example.jp", Role::Admin, "owner-password-1").await;
        let office = Browser::signed_in(&app, "owner@example.jp", "owner-password-1").await;
        let phone = Browser::signed_in(&app, "owner@example.jp", "owner-password-1").await;
        assert!(phone.signed_in_still().await);
        let changed = office
            .gql(
                "mutation($id: ID!, $i: StaffInput!) { updateStaff(id: $id, input: $i) { id } }",
                json!({ "id": id.to_string(), "i": { "email": "owner@example.jp", "name": "店長", "role": "ADMIN", "password": "owner-password-2" } }),
            )
            .await;
        assert!(changed.get("errors").is_none(), "{changed}");
        assert!(!phone.signed_in_still().await, "the other session ended with the password change");
        assert!(office.signed_in_still().await, "the session the password was changed from stays");
        assert_eq!(Browser::new(&app).login("owner@example.jp", "owner-password-1").await.status, 401);
        Browser::signed_in(&app, "owner@example.jp", "owner-password-2").await;
    });
}

#[tokio::test]
async fn a_session_left_unused_for_the_idle_timeout_ends_and_one_in_use_stays() {
    let settings = SessionSettings { idle_timeout: Duration::from_secs(3), ..Default::default() };
    each_backend_with!(|c| c.sessions = settings.clone(), |app| {
        staff(&app, "kato@example.jp", Role::Staff, "kato-password-1").await;
        let idle = Browser::signed_in(&app, "kato@example.jp", "kato-password-1").await;
        let busy = Browser::signed_in(&app, "kato@example.jp", "kato-password-1").await;
        let idle_since = tokio::time::Instant::now();
        // Used every half second for longer than the idle timeout: still signed in.
        for _ in 0..8 {
            tokio::time::sleep(Duration::from_millis(500)).await;
            assert!(busy.signed_in_still().await, "a session in use stays");
        }
        tokio::time::sleep_until(idle_since + Duration::from_millis(4500)).await;
        assert!(!idle.signed_in_still().await, "a session unused for longer than the idle timeout ends");
        // Ended for good: it does not come back.
        assert!(!idle.signed_in_still().await);
        assert!(busy.signed_in_still().await);
    });
}

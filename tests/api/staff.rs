//! Staff accounts (スタッフ管理): admins add, edit, disable (利用停止) and enable staff; a
//! disabled member cannot sign in and their sessions end at once; the tenant always keeps an
//! enabled admin; other tenants' staff are out of reach.

use madoguchi_tests::{TestApp, each_backend, error_code};
use serde_json::{Value, json};
use shared::{Marketplace, MessageAuthor::*, Role};

use crate::seed::{self, Thread};

const LIST: &str = "{ staffMembers { id email name role disabled createdAt } }";
const CREATE: &str = "mutation($i: StaffInput!) { createStaff(input: $i) { id email name role disabled createdAt } }";
const UPDATE: &str =
    "mutation($id: ID!, $i: StaffInput!) { updateStaff(id: $id, input: $i) { id email name role disabled } }";
const DISABLE: &str = "mutation($id: ID!) { disableStaff(id: $id) { id name disabled } }";
const ENABLE: &str = "mutation($id: ID!) { enableStaff(id: $id) { id name disabled } }";
const VIEWER: &str = "{ viewer { name role } }";

/// A browser of its own: a separate cookie jar, signed in (or not) by `POST /auth/login`.
struct Client {
    http: reqwest::Client,
    base: String,
}

impl Client {
    fn new(app: &TestApp) -> Self {
        Client { http: madoguchi_tests::browser_like_client(&app.base), base: app.base.clone() }
    }

    /// `POST /auth/login`: (HTTP status, JSON body).
    async fn login(&self, email: &str, password: &str) -> (u16, Value) {
        let resp = self
            .http
            .post(format!("{}/auth/login", self.base))
            .json(&json!({ "email": email, "password": password }))
            .send()
            .await
            .unwrap();
        (resp.status().as_u16(), resp.json().await.unwrap_or(Value::Null))
    }

    async fn signed_in(app: &TestApp, email: &str, password: &str) -> Self {
        let c = Client::new(app);
        let (status, body) = c.login(email, password).await;
        assert_eq!(status, 200, "{email} signs in: {body}");
        c
    }

    /// A GraphQL request with this client's session cookie.
    async fn gql(&self, query: &str, variables: Value) -> Value {
        self.http
            .post(format!("{}/graphql", self.base))
            .json(&json!({ "query": query, "variables": variables }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    async fn gql_ok(&self, query: &str, variables: Value) -> Value {
        let body = self.gql(query, variables).await;
        assert!(body.get("errors").is_none(), "unexpected errors: {body:#}");
        body["data"].clone()
    }
}

fn input(email: &str, name: &str, role: &str, password: Option<&str>) -> Value {
    json!({ "email": email, "name": name, "role": role, "password": password })
}

async fn create(app: &TestApp, token: &str, email: &str, name: &str, role: &str, password: &str) -> String {
    let made = app.gql_ok(token, CREATE, json!({ "i": input(email, name, role, Some(password)) })).await;
    made["createStaff"]["id"].as_str().unwrap().to_owned()
}

async fn member(app: &TestApp, token: &str, id: &str) -> Value {
    let all = app.gql_ok(token, LIST, json!({})).await;
    all["staffMembers"].as_array().unwrap().iter().find(|m| m["id"] == id).cloned().unwrap_or(Value::Null)
}

#[tokio::test]
async fn an_admin_adds_a_member_who_signs_in_and_replies_but_cannot_manage_staff() {
    each_backend!(|app| {
        let (admin, actor) = app.tenant("A商店", true).await;
        server::provision::create_staff(
            &app.state.db,
            &actor,
            "owner@example.jp",
            "店長",
            Role::Admin,
            "owner-password",
        )
        .await
        .unwrap();
        let made = app
            .gql_ok(
                &admin,
                CREATE,
                json!({ "i": input(" Kato@Example.JP ", "  加藤 一郎 ", "STAFF", Some("kato-password-1")) }),
            )
            .await["createStaff"]
            .clone();
        assert_eq!(made["email"], "kato@example.jp", "trimmed and lower-cased, as sign-in looks it up");
        assert_eq!(made["name"], "加藤 一郎");
        assert_eq!(made["role"], "STAFF");
        assert_eq!(made["disabled"], false);
        assert!(made["createdAt"].as_str().unwrap().ends_with("+09:00"), "{made}");
        let listed = app.gql_ok(&admin, LIST, json!({})).await;
        let names: Vec<_> = listed["staffMembers"].as_array().unwrap().iter().map(|m| m["name"].clone()).collect();
        assert_eq!(names, [json!("店長"), json!("加藤 一郎")], "oldest first");
        assert!(!listed.to_string().contains("password"), "no password (hash) in the answer");

        // The new member signs in with the e-mail in any case and works the inbox.
        let kato = Client::signed_in(&app, "KATO@example.jp", "kato-password-1").await;
        let me = kato.gql_ok(VIEWER, json!({})).await;
        assert_eq!(me["viewer"], json!({ "name": "加藤 一郎", "role": "STAFF" }));
        let shop = seed::shop(&app, &admin, Marketplace::Rakuten, "楽天店").await;
        let inquiry = seed::inquiry(
            &app,
            &actor,
            &shop,
            Thread {
                mid: "k1",
                order_number: None,
                customer: "楽天 太郎",
                created_minutes: 0,
                messages: vec![(Customer, "いつ届きますか")],
                completed: false,
            },
        )
        .await;
        let reply = kato
            .gql_ok(
                "mutation($id: ID!) { replyToInquiry(input: {inquiryId: $id, body: \"明日お届けします\"}) { staffName } }",
                json!({ "id": inquiry }),
            )
            .await;
        assert_eq!(reply["replyToInquiry"]["staffName"], "加藤 一郎");

        // But staff management is for admins only.
        let kato_id = made["id"].clone();
        for (query, vars) in [
            (LIST, json!({})),
            (CREATE, json!({ "i": input("x@example.jp", "x", "ADMIN", Some("0123456789")) })),
            (UPDATE, json!({ "id": kato_id, "i": input("kato@example.jp", "加藤", "ADMIN", None) })),
            (DISABLE, json!({ "id": kato_id })),
            (ENABLE, json!({ "id": kato_id })),
        ] {
            let refused = kato.gql(query, vars).await;
            assert_eq!(error_code(&refused).as_deref(), Some("FORBIDDEN"), "{query}: {refused}");
        }
        assert_eq!(member(&app, &admin, kato_id.as_str().unwrap()).await["role"], "STAFF", "no self-promotion");

        // So are `read` and `write` API tokens.
        for scopes in [json!(["read"]), json!(["read", "write"])] {
            let t = app
                .gql_ok(
                    &admin,
                    "mutation($s: [String!]!) { createApiToken(name: \"連携\", scopes: $s) { token } }",
                    json!({ "s": scopes }),
                )
                .await["createApiToken"]["token"]
                .as_str()
                .unwrap()
                .to_owned();
            for (query, vars) in [
                (LIST, json!({})),
                (CREATE, json!({ "i": input("y@example.jp", "y", "ADMIN", Some("0123456789")) })),
                (DISABLE, json!({ "id": kato_id })),
            ] {
                let refused = app.gql(Some(&t), query, vars).await;
                assert_eq!(error_code(&refused).as_deref(), Some("FORBIDDEN"), "{scopes} {query}: {refused}");
            }
        }
        assert_eq!(app.gql_ok(&admin, LIST, json!({})).await["staffMembers"].as_array().unwrap().len(), 2);
    });
}

#[tokio::test]
async fn staff_input_is_validated_with_the_field_named_and_e_mails_are_unique() {
    each_backend!(|app| {
        let (admin, _) = app.tenant("A商店", true).await;
        let (other, _) = app.tenant("B商店", true).await;
        for (field, i) in [
            ("email", input("", "加藤", "STAFF", Some("0123456789"))),
            ("email", input("kato.example.jp", "加藤", "STAFF", Some("0123456789"))),
            ("email", input("kato@example", "加藤", "STAFF", Some("0123456789"))),
            ("email", input("ka to@example.jp", "加藤", "STAFF", Some("0123456789"))),
            ("email", input(&format!("{}@example.jp", "a".repeat(60)).repeat(4), "加藤", "STAFF", Some("0123456789"))),
            ("name", input("kato@example.jp", "   ", "STAFF", Some("0123456789"))),
            ("name", input("kato@example.jp", &"長".repeat(51), "STAFF", Some("0123456789"))),
            ("password", input("kato@example.jp", "加藤", "STAFF", None)),
            ("password", input("kato@example.jp", "加藤", "STAFF", Some("123456789"))),
            ("password", input("kato@example.jp", "加藤", "STAFF", Some(&"p".repeat(129)))),
        ] {
            let body = app.gql(Some(&admin), CREATE, json!({ "i": i })).await;
            assert_eq!(error_code(&body).as_deref(), Some("VALIDATION"), "{i}: {body}");
            assert_eq!(body["errors"][0]["extensions"]["field"], field, "{i}: {body}");
            assert!(!body["errors"][0]["message"].as_str().unwrap().is_ascii(), "Japanese first: {body}");
        }
        let all = app.gql(Some(&admin), CREATE, json!({ "i": input("x", "", "STAFF", None) })).await;
        let fields: Vec<_> =
            all["errors"][0]["extensions"]["errors"].as_array().unwrap().iter().map(|e| e["field"].clone()).collect();
        assert_eq!(fields, [json!("email"), json!("name"), json!("password")], "every field is reported at once");
        assert_eq!(app.gql_ok(&admin, LIST, json!({})).await["staffMembers"], json!([]), "nothing invalid was stored");

        // Exactly at the limits.
        let name50 = "名".repeat(50);
        let kato = create(&app, &admin, "kato@example.jp", &name50, "STAFF", &"p".repeat(128)).await;
        let sato = create(&app, &admin, "sato@example.jp", "佐藤", "VIEWER", "0123456789").await;

        // An e-mail in use in this tenant (in any case) is a CONFLICT; e-mails are unique per
        // tenant, so another tenant's use of it is never told (tests/api/attack/data.rs).
        let dup = app
            .gql(Some(&admin), CREATE, json!({ "i": input("KATO@example.jp", "別人", "STAFF", Some("0123456789")) }))
            .await;
        assert_eq!(error_code(&dup).as_deref(), Some("CONFLICT"), "{dup}");
        let message = dup["errors"][0]["message"].as_str().unwrap();
        assert!(message.contains("メールアドレス"), "{message}");
        let dup = app
            .gql(Some(&admin), UPDATE, json!({ "id": sato, "i": input("kato@example.jp", "佐藤", "VIEWER", None) }))
            .await;
        assert_eq!(error_code(&dup).as_deref(), Some("CONFLICT"), "{dup}");
        assert_eq!(app.gql_ok(&other, LIST, json!({})).await["staffMembers"], json!([]));

        // Update validates the same way; a null password keeps the current one.
        let bad = app
            .gql(
                Some(&admin),
                UPDATE,
                json!({ "id": kato, "i": input("kato@example.jp", &"長".repeat(51), "STAFF", None) }),
            )
            .await;
        assert_eq!(bad["errors"][0]["extensions"]["field"], "name", "{bad}");
        let bad = app
            .gql(
                Some(&admin),
                UPDATE,
                json!({ "id": kato, "i": input("kato@example.jp", "加藤", "STAFF", Some("short")) }),
            )
            .await;
        assert_eq!(bad["errors"][0]["extensions"]["field"], "password", "{bad}");
        let edited = app
            .gql_ok(
                &admin,
                UPDATE,
                json!({ "id": kato, "i": input(" Kato2@example.jp", " 加藤 二郎 ", "VIEWER", None) }),
            )
            .await["updateStaff"]
            .clone();
        assert_eq!(
            edited,
            json!({ "id": kato, "email": "kato2@example.jp", "name": "加藤 二郎", "role": "VIEWER", "disabled": false })
        );
        let c = Client::signed_in(&app, "kato2@example.jp", &"p".repeat(128)).await;
        assert_eq!(c.gql_ok(VIEWER, json!({})).await["viewer"]["role"], "VIEWER");
        assert_eq!(Client::new(&app).login("kato@example.jp", &"p".repeat(128)).await.0, 401, "the old e-mail is gone");

        // A new password set by an admin replaces the old one and ends the member's sessions.
        app.gql_ok(
            &admin,
            UPDATE,
            json!({ "id": kato, "i": input("kato2@example.jp", "加藤 二郎", "VIEWER", Some("new-password-9")) }),
        )
        .await;
        assert_eq!(error_code(&c.gql(VIEWER, json!({})).await).as_deref(), Some("UNAUTHENTICATED"));
        assert_eq!(Client::new(&app).login("kato2@example.jp", &"p".repeat(128)).await.0, 401);
        Client::signed_in(&app, "kato2@example.jp", "new-password-9").await;
    });
}

#[tokio::test]
async fn disabling_ends_the_members_sessions_and_sign_in_until_enabled_again() {
    each_backend!(|app| {
        let (admin, actor) = app.tenant("A商店", true).await;
        let kato = create(&app, &admin, "kato@example.jp", "加藤", "STAFF", "kato-password-1").await;
        let session = Client::signed_in(&app, "kato@example.jp", "kato-password-1").await;
        let second = Client::signed_in(&app, "kato@example.jp", "kato-password-1").await;
        let shop = seed::shop(&app, &admin, Marketplace::Rakuten, "楽天店").await;
        let inquiry = seed::inquiry(
            &app,
            &actor,
            &shop,
            Thread {
                mid: "d1",
                order_number: None,
                customer: "楽天 太郎",
                created_minutes: 0,
                messages: vec![(Customer, "質問です")],
                completed: false,
            },
        )
        .await;
        session
            .gql_ok(
                "mutation($id: ID!) { replyToInquiry(input: {inquiryId: $id, body: \"回答です\"}) { id } }",
                json!({ "id": inquiry }),
            )
            .await;

        let off = app.gql_ok(&admin, DISABLE, json!({ "id": kato })).await;
        assert_eq!(off["disableStaff"], json!({ "id": kato, "name": "加藤", "disabled": true }));
        for c in [&session, &second] {
            let refused = c.gql(VIEWER, json!({})).await;
            assert_eq!(error_code(&refused).as_deref(), Some("UNAUTHENTICATED"), "every session ended: {refused}");
        }
        let wrong = Client::new(&app).login("kato@example.jp", "not-the-password").await;
        let disabled = Client::new(&app).login("kato@example.jp", "kato-password-1").await;
        assert_eq!(wrong.0, 401);
        assert_eq!(disabled, wrong, "a disabled account fails exactly like a wrong password");

        // Nothing is deleted: the member is listed as disabled, their reply keeps their name.
        assert_eq!(member(&app, &admin, &kato).await["disabled"], true);
        let thread = app
            .gql_ok(&admin, "query($id: ID!) { inquiry(id: $id) { messages { staffName } } }", json!({ "id": inquiry }))
            .await;
        assert_eq!(thread["inquiry"]["messages"][1]["staffName"], "加藤");
        // Disabling twice changes nothing.
        assert_eq!(app.gql_ok(&admin, DISABLE, json!({ "id": kato })).await["disableStaff"]["disabled"], true);

        // 利用再開: the old password signs in again; the ended sessions stay ended.
        let on = app.gql_ok(&admin, ENABLE, json!({ "id": kato })).await;
        assert_eq!(on["enableStaff"]["disabled"], false);
        assert_eq!(error_code(&session.gql(VIEWER, json!({})).await).as_deref(), Some("UNAUTHENTICATED"));
        let back = Client::signed_in(&app, "kato@example.jp", "kato-password-1").await;
        assert_eq!(back.gql_ok(VIEWER, json!({})).await["viewer"]["name"], "加藤");
        assert_eq!(member(&app, &admin, &kato).await["disabled"], false);
    });
}

#[tokio::test]
async fn the_tenant_keeps_an_enabled_admin_and_an_admin_cannot_disable_themselves() {
    each_backend!(|app| {
        let (token, _) = app.tenant("A商店", true).await;
        let owner = create(&app, &token, "owner@example.jp", "店長", "ADMIN", "owner-password").await;
        let last_admin = |body: &Value| {
            assert_eq!(error_code(body).as_deref(), Some("CONFLICT"), "{body}");
            assert!(body["errors"][0]["message"].as_str().unwrap().contains("管理者"), "{body}");
        };
        // The only admin can be neither demoted nor disabled (API tokens are not staff).
        for role in ["STAFF", "VIEWER"] {
            last_admin(
                &app.gql(
                    Some(&token),
                    UPDATE,
                    json!({ "id": owner, "i": input("owner@example.jp", "店長", role, None) }),
                )
                .await,
            );
        }
        last_admin(&app.gql(Some(&token), DISABLE, json!({ "id": owner })).await);
        assert_eq!(member(&app, &token, &owner).await["role"], "ADMIN");
        assert_eq!(member(&app, &token, &owner).await["disabled"], false);
        // Renaming the last admin is fine.
        app.gql_ok(&token, UPDATE, json!({ "id": owner, "i": input("owner@example.jp", "店長 太郎", "ADMIN", None) }))
            .await;

        // An admin cannot disable themselves, even when another admin exists.
        let sub = create(&app, &token, "sub@example.jp", "副店長", "ADMIN", "sub-password-1").await;
        let owner_session = Client::signed_in(&app, "owner@example.jp", "owner-password").await;
        let own = owner_session.gql(DISABLE, json!({ "id": owner })).await;
        assert_eq!(error_code(&own).as_deref(), Some("CONFLICT"), "{own}");
        assert!(own["errors"][0]["message"].as_str().unwrap().contains("自分自身"), "{own}");
        assert_eq!(member(&app, &token, &owner).await["disabled"], false);

        // With two admins one may go; then the other is the last one again.
        owner_session.gql_ok(DISABLE, json!({ "id": sub })).await;
        last_admin(
            &owner_session
                .gql(UPDATE, json!({ "id": owner, "i": input("owner@example.jp", "店長", "STAFF", None) }))
                .await,
        );
        // A disabled ADMIN does not count.
        owner_session.gql_ok(ENABLE, json!({ "id": sub })).await;
        let demoted = owner_session
            .gql_ok(UPDATE, json!({ "id": owner, "i": input("owner@example.jp", "店長", "STAFF", None) }))
            .await;
        assert_eq!(demoted["updateStaff"]["role"], "STAFF");
        // The demotion takes effect at once in the owner's session.
        let now_staff = owner_session.gql(LIST, json!({})).await;
        assert_eq!(error_code(&now_staff).as_deref(), Some("FORBIDDEN"), "{now_staff}");
        last_admin(
            &app.gql(
                Some(&token),
                UPDATE,
                json!({ "id": sub, "i": input("sub@example.jp", "副店長", "VIEWER", None) }),
            )
            .await,
        );
        last_admin(&app.gql(Some(&token), DISABLE, json!({ "id": sub })).await);
        // Non-admins can always be disabled; the sub admin is still the one enabled admin.
        app.gql_ok(&token, DISABLE, json!({ "id": owner })).await;
        let admins: Vec<_> = app.gql_ok(&token, LIST, json!({})).await["staffMembers"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["role"] == "ADMIN" && m["disabled"] == false)
            .map(|m| m["id"].clone())
            .collect();
        assert_eq!(admins, [json!(sub)]);
    });
}

#[tokio::test]
async fn another_tenants_staff_are_never_listed_nor_reached() {
    each_backend!(|app| {
        let (a, _) = app.tenant("A商店", true).await;
        let (b, _) = app.tenant("B商店", true).await;
        create(&app, &a, "a@example.jp", "A 花子", "STAFF", "a-password-1").await;
        let b_member = create(&app, &b, "b@example.jp", "B 太郎", "STAFF", "b-password-1").await;
        let listed = app.gql_ok(&a, LIST, json!({})).await;
        assert_eq!(listed["staffMembers"].as_array().unwrap().len(), 1);
        assert!(!listed.to_string().contains("B 太郎"));
        for (query, vars) in [
            (UPDATE, json!({ "id": b_member, "i": input("b2@example.jp", "乗っ取り", "ADMIN", Some("0123456789")) })),
            (DISABLE, json!({ "id": b_member })),
            (ENABLE, json!({ "id": b_member })),
            (DISABLE, json!({ "id": "not-an-id" })),
            (DISABLE, json!({ "id": "999999" })),
        ] {
            let body = app.gql(Some(&a), query, vars).await;
            assert_eq!(error_code(&body).as_deref(), Some("NOT_FOUND"), "{query}: {body}");
            assert!(body["data"].is_null(), "{body}");
        }
        assert_eq!(
            member(&app, &b, &b_member).await,
            json!({ "id": b_member, "email": "b@example.jp", "name": "B 太郎", "role": "STAFF", "disabled": false,
                    "createdAt": member(&app, &b, &b_member).await["createdAt"] }),
            "untouched"
        );
        Client::signed_in(&app, "b@example.jp", "b-password-1").await;
    });
}

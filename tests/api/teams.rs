//! Working the inbox as a team: 担当者 (assignment), 社内メモ (internal notes, never sent to a
//! customer) and 待ち時間の長い順 (who waits longest), on both databases.

use std::collections::HashSet;
use std::time::Duration;

use madoguchi_tests::{TestApp, each_backend, error_code};
use serde_json::{Value, json};
use shared::{Marketplace, MessageAuthor::*, Role};

use crate::marketplaces::{Mall, REPLY, rakuten_shop, run, wait_delivered_on};
use crate::seed::{self, Thread};

const ASSIGN: &str = "mutation($id: ID!, $s: ID) { assignInquiry(id: $id, staffId: $s) { id assignee { id name } assignedBy assignedAt } }";
const NOTE: &str = "mutation($id: ID!, $b: String!) { addInquiryNote(inquiryId: $id, body: $b) { id body author authorStaff { id name } createdAt } }";
const DETAIL: &str = "query($id: ID!) { inquiry(id: $id) { id assignee { id name } assignedBy waitingSince status notes { id body author createdAt } messages { id body } } }";
const LIST: &str = "query($f: InquiryFilter, $sort: InquirySort, $first: Int, $after: String, $last: Int, $before: String) { inquiries(filter: $f, sort: $sort, first: $first, after: $after, last: $last, before: $before) { totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } nodes { id waitingSince assignee { id } } } }";

/// A browser of its own: its own cookie jar, signed in by `POST /auth/login`.
pub(crate) struct Browser {
    http: reqwest::Client,
    base: String,
}

impl Browser {
    pub(crate) async fn signed_in(app: &TestApp, email: &str, password: &str) -> Self {
        let http = madoguchi_tests::browser_like_client(&app.base);
        let resp = http
            .post(format!("{}/auth/login", app.base))
            .json(&json!({ "email": email, "password": password }))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status().as_u16(), 200, "{email} signs in");
        Browser { http, base: app.base.clone() }
    }

    pub(crate) async fn gql(&self, query: &str, variables: Value) -> Value {
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
}

pub(crate) async fn member(app: &TestApp, actor: &server::auth::Actor, email: &str, name: &str, role: Role) -> String {
    server::provision::create_staff(&app.state.db, actor, email, name, role, "a-long-password-1")
        .await
        .expect("staff member")
        .to_string()
}

async fn one_inquiry(app: &TestApp, token: &str, actor: &server::auth::Actor, mid: &str) -> String {
    let shop = seed::shop(app, token, Marketplace::Rakuten, &format!("店舗{mid}")).await;
    seed::inquiry(
        app,
        actor,
        &shop,
        Thread {
            mid,
            order_number: None,
            customer: "佐藤",
            created_minutes: 0,
            messages: vec![(Customer, "いつ届きますか？")],
            completed: false,
        },
    )
    .await
}

fn ids(page: &Value) -> Vec<String> {
    page["inquiries"]["nodes"].as_array().unwrap().iter().map(|n| n["id"].as_str().unwrap().to_owned()).collect()
}

#[tokio::test]
async fn an_inquiry_is_assigned_to_a_staff_member_with_who_assigned_it_and_null_unassigns() {
    each_backend!(|app| {
        let (token, actor) = app.tenant("A商店", true).await;
        let kato = member(&app, &actor, "kato@example.jp", "加藤", Role::Staff).await;
        let id = one_inquiry(&app, &token, &actor, "i1").await;
        let other = one_inquiry(&app, &token, &actor, "i2").await;

        let fresh = app.gql_ok(&token, DETAIL, json!({ "id": id })).await;
        assert_eq!(fresh["inquiry"]["assignee"], Value::Null, "nobody is assigned at first");

        let a = app.gql_ok(&token, ASSIGN, json!({ "id": id, "s": kato })).await["assignInquiry"].clone();
        assert_eq!(a["assignee"]["id"], kato.as_str());
        assert_eq!(a["assignee"]["name"], "加藤");
        assert_eq!(a["assignedBy"], "test", "the API token's name is who assigned it");
        assert!(a["assignedAt"].as_str().unwrap().ends_with("+09:00"), "{a}");

        let mine = app.gql_ok(&token, LIST, json!({ "f": { "assigneeId": kato } })).await;
        assert_eq!(ids(&mine), vec![id.clone()], "「自分の担当」: only the member's inquiries");
        let nobody = app.gql_ok(&token, LIST, json!({ "f": { "unassigned": true } })).await;
        assert_eq!(ids(&nobody), vec![other.clone()], "未割り当て: only inquiries nobody has");

        let un = app.gql_ok(&token, ASSIGN, json!({ "id": id, "s": null })).await["assignInquiry"].clone();
        assert_eq!(un["assignee"], Value::Null, "null unassigns");
        let nobody = app.gql_ok(&token, LIST, json!({ "f": { "unassigned": true } })).await;
        assert_eq!(nobody["inquiries"]["totalCount"], 2);
    });
}

#[tokio::test]
async fn a_disabled_member_cannot_be_assigned() {
    each_backend!(|app| {
        let (token, actor) = app.tenant("A商店", true).await;
        let gone = member(&app, &actor, "gone@example.jp", "退職者", Role::Staff).await;
        app.gql_ok(&token, "mutation($id: ID!) { disableStaff(id: $id) { id } }", json!({ "id": gone })).await;
        let id = one_inquiry(&app, &token, &actor, "i1").await;
        let body = app.gql(Some(&token), ASSIGN, json!({ "id": id, "s": gone })).await;
        assert_eq!(error_code(&body).as_deref(), Some("VALIDATION"), "{body}");
        assert_eq!(body["errors"][0]["extensions"]["field"], "staffId", "{body}");
        let listed = app.gql_ok(&token, "{ assignableStaff { id } }", json!({})).await;
        assert!(!listed.to_string().contains(&format!("\"{gone}\"")), "{listed}");
    });
}

#[tokio::test]
async fn a_signed_in_member_assigns_themselves_and_writes_notes_under_their_own_name() {
    each_backend!(|app| {
        let (token, actor) = app.tenant("A商店", true).await;
        let kato = member(&app, &actor, "kato@example.jp", "加藤", Role::Staff).await;
        let id = one_inquiry(&app, &token, &actor, "i1").await;
        let browser = Browser::signed_in(&app, "kato@example.jp", "a-long-password-1").await;

        let me = browser.gql("{ viewer { id } }", json!({})).await["data"]["viewer"]["id"].clone();
        assert_eq!(me, kato.as_str());
        let a = browser.gql(ASSIGN, json!({ "id": id, "s": me })).await;
        assert_eq!(a["data"]["assignInquiry"]["assignedBy"], "加藤", "{a}");

        let n = browser.gql(NOTE, json!({ "id": id, "b": "  在庫を倉庫に確認中です  " })).await;
        let note = &n["data"]["addInquiryNote"];
        assert_eq!(note["body"], "在庫を倉庫に確認中です", "{n}");
        assert_eq!(note["author"], "加藤");
        assert_eq!(note["authorStaff"]["id"], kato.as_str());

        let by_token = app.gql_ok(&token, NOTE, json!({ "id": id, "b": "API経由のメモ" })).await;
        assert_eq!(by_token["addInquiryNote"]["author"], "test", "a token's note carries the token's name");
        assert_eq!(by_token["addInquiryNote"]["authorStaff"], Value::Null);

        let d = app.gql_ok(&token, DETAIL, json!({ "id": id })).await;
        let notes: Vec<_> = d["inquiry"]["notes"].as_array().unwrap().iter().map(|n| n["body"].clone()).collect();
        assert_eq!(notes, vec![json!("在庫を倉庫に確認中です"), json!("API経由のメモ")], "oldest first");
        assert_eq!(d["inquiry"]["messages"].as_array().unwrap().len(), 1, "a note is not a message of the thread");
        assert_eq!(d["inquiry"]["status"], "NEEDS_REPLY", "a note does not answer the customer");
    });
}

#[tokio::test]
async fn an_empty_or_overlong_note_is_refused_on_body() {
    each_backend!(|app| {
        let (token, actor) = app.tenant("A商店", true).await;
        let id = one_inquiry(&app, &token, &actor, "i1").await;
        for b in ["   ".to_owned(), "あ".repeat(2001)] {
            let body = app.gql(Some(&token), NOTE, json!({ "id": id, "b": b })).await;
            assert_eq!(error_code(&body).as_deref(), Some("VALIDATION"), "{body}");
            assert_eq!(body["errors"][0]["extensions"]["field"], "body", "{body}");
        }
    });
}

#[tokio::test]
async fn viewers_and_read_tokens_cannot_assign_or_write_notes() {
    each_backend!(|app| {
        let (token, actor) = app.tenant("A商店", true).await;
        let kato = member(&app, &actor, "kato@example.jp", "加藤", Role::Staff).await;
        member(&app, &actor, "view@example.jp", "閲覧者", Role::Viewer).await;
        let id = one_inquiry(&app, &token, &actor, "i1").await;
        let viewer = Browser::signed_in(&app, "view@example.jp", "a-long-password-1").await;
        let (read, _) =
            server::auth::create_api_token(&app.state.db, &actor, "BI", &["read".into()]).await.expect("token");

        for body in [
            viewer.gql(ASSIGN, json!({ "id": id, "s": kato })).await,
            viewer.gql(NOTE, json!({ "id": id, "b": "メモ" })).await,
            app.gql(Some(&read), ASSIGN, json!({ "id": id, "s": kato })).await,
            app.gql(Some(&read), NOTE, json!({ "id": id, "b": "メモ" })).await,
        ] {
            assert_eq!(error_code(&body).as_deref(), Some("FORBIDDEN"), "{body}");
        }
        // They still see both.
        let d = viewer.gql(DETAIL, json!({ "id": id })).await;
        assert_eq!(d["data"]["inquiry"]["assignee"], Value::Null, "{d}");
        assert_eq!(d["data"]["inquiry"]["notes"], json!([]), "{d}");
        let staff = app.gql(Some(&read), "{ assignableStaff { name } }", json!({})).await;
        assert!(staff["data"]["assignableStaff"].to_string().contains("加藤"), "{staff}");
    });
}

#[tokio::test]
async fn another_tenants_staff_member_or_inquiry_is_not_found() {
    each_backend!(|app| {
        let (a_token, a) = app.tenant("A商店", true).await;
        let (b_token, b) = app.tenant("B商店", true).await;
        let a_member = member(&app, &a, "kato@a.example.jp", "加藤", Role::Staff).await;
        let b_member = member(&app, &b, "sato@b.example.jp", "佐藤", Role::Staff).await;
        let a_inq = one_inquiry(&app, &a_token, &a, "a1").await;
        let b_inq = one_inquiry(&app, &b_token, &b, "b1").await;

        for body in [
            app.gql(Some(&a_token), ASSIGN, json!({ "id": a_inq, "s": b_member })).await,
            app.gql(Some(&a_token), ASSIGN, json!({ "id": b_inq, "s": a_member })).await,
            app.gql(Some(&a_token), NOTE, json!({ "id": b_inq, "b": "覗き見" })).await,
            app.gql(Some(&a_token), LIST, json!({ "f": { "assigneeId": b_member } })).await,
        ] {
            assert_eq!(error_code(&body).as_deref(), Some("NOT_FOUND"), "{body}");
        }
        let b_view = app.gql_ok(&b_token, DETAIL, json!({ "id": b_inq })).await;
        assert_eq!(b_view["inquiry"]["notes"], json!([]), "nothing was written into B");
        assert_eq!(b_view["inquiry"]["assignee"], Value::Null);
        let a_staff = app.gql_ok(&a_token, "{ assignableStaff { id } }", json!({})).await;
        assert!(!a_staff.to_string().contains(&format!("\"{b_member}\"")), "{a_staff}");
    });
}

#[tokio::test]
async fn assigning_and_writing_a_note_fire_inquiry_updated() {
    each_backend!(|app| {
        let (token, actor) = app.tenant("A商店", true).await;
        let kato = member(&app, &actor, "kato@example.jp", "加藤", Role::Staff).await;
        let id = one_inquiry(&app, &token, &actor, "i1").await;
        let mut live = app
            .subscribe(&token, "subscription { inquiryUpdated { id assignee { name } notes { body } } }", json!({}))
            .await;

        app.gql_ok(&token, ASSIGN, json!({ "id": id, "s": kato })).await;
        let got = live.next_within(Duration::from_secs(5)).await.expect("inquiryUpdated on assignment");
        assert_eq!(got["data"]["inquiryUpdated"]["id"], id.as_str());
        assert_eq!(got["data"]["inquiryUpdated"]["assignee"]["name"], "加藤");

        app.gql_ok(&token, NOTE, json!({ "id": id, "b": "折り返し電話済み" })).await;
        let got = live.next_within(Duration::from_secs(5)).await.expect("inquiryUpdated on a note");
        assert_eq!(got["data"]["inquiryUpdated"]["notes"][0]["body"], "折り返し電話済み");
    });
}

#[tokio::test]
async fn a_note_is_never_sent_to_the_marketplace() {
    each_backend!(|app| {
        let mall = Mall::start().await;
        mall.rakuten_account().await;
        let (token, _) = app.tenant("A商店", true).await;
        let shop = rakuten_shop(&app, &token, &mall, "楽天A店").await;
        mall.inquiry("サイズを教えてください", 1).await;
        run(&app, &token, "importInquiries", json!({ "shopId": shop })).await;
        let list = app.gql_ok(&token, LIST, json!({})).await;
        let id = ids(&list)[0].clone();

        app.gql_ok(&token, NOTE, json!({ "id": id, "b": "社内メモ：お客様には送らない" })).await;
        let c = mall.counters().await;
        assert_eq!(c["replies"], 0, "{c}");
        assert_eq!(c["attachments"], 0, "{c}");

        // A reply sent after the note reaches the marketplace alone.
        app.gql_ok(&token, REPLY, json!({ "id": id, "b": "Mサイズです。" })).await;
        wait_delivered_on(&app, &token, &id).await;
        let c = mall.counters().await;
        assert_eq!(c["replies"], 1, "only the reply was sent: {c}");
        let d = app.gql_ok(&token, DETAIL, json!({ "id": id })).await;
        assert!(!d["inquiry"]["messages"].to_string().contains("社内メモ"), "{d}");
        mall.task.abort();
    });
}

#[tokio::test]
async fn waiting_since_is_the_first_customer_message_no_reply_answered() {
    each_backend!(|app| {
        let (token, actor) = app.tenant("A商店", true).await;
        let shop = seed::shop(&app, &token, Marketplace::Rakuten, "楽天A店").await;
        let t = |mid, messages, completed| Thread {
            mid,
            order_number: None,
            customer: "佐藤",
            created_minutes: 0,
            messages,
            completed,
        };
        let asked_again = seed::inquiry(
            &app,
            &actor,
            &shop,
            t("w1", vec![(Customer, "質問"), (Shop, "回答"), (Customer, "追加1"), (Customer, "追加2")], false),
        )
        .await;
        let answered =
            seed::inquiry(&app, &actor, &shop, t("w2", vec![(Customer, "質問"), (Shop, "回答")], false)).await;
        let done = seed::inquiry(&app, &actor, &shop, t("w3", vec![(Customer, "質問")], true)).await;

        let at = |id: &str| {
            let id = id.to_owned();
            let app = &app;
            let token = token.clone();
            async move { app.gql_ok(&token, DETAIL, json!({ "id": id })).await["inquiry"]["waitingSince"].clone() }
        };
        // Messages are a minute apart from 09:00 JST: 追加1 was sent at 09:02.
        assert_eq!(at(&asked_again).await, "2026-11-01T09:02:00+09:00");
        assert_eq!(at(&answered).await, Value::Null, "answered: nobody waits");
        assert_eq!(at(&done).await, Value::Null, "対応完了: nobody waits");

        app.gql_ok(&token, REPLY, json!({ "id": asked_again, "b": "お待たせしました。" })).await;
        assert_eq!(at(&asked_again).await, Value::Null, "a reply (even before it is delivered) ends the wait");
    });
}

#[tokio::test]
async fn oldest_waiting_lists_the_longest_wait_first_and_its_pages_cover_every_inquiry_once() {
    each_backend!(|app| {
        let (token, actor) = app.tenant("A商店", true).await;
        let shop = seed::shop(&app, &token, Marketplace::Rakuten, "楽天A店").await;
        // (mid, created minutes, answered): several share a waiting time, two wait for nothing.
        let specs = [
            ("p1", 30, false),
            ("p2", 10, false),
            ("p3", 10, false),
            ("p4", 50, true),
            ("p5", 20, false),
            ("p6", 10, false),
            ("p7", 5, true),
            ("p8", 40, false),
        ];
        let mut made = Vec::new();
        for (mid, minutes, answered) in specs {
            let mut messages = vec![(Customer, "質問")];
            if answered {
                messages.push((Shop, "回答"));
            }
            let id = seed::inquiry(
                &app,
                &actor,
                &shop,
                Thread {
                    mid,
                    order_number: None,
                    customer: "佐藤",
                    created_minutes: minutes,
                    messages,
                    completed: false,
                },
            )
            .await;
            made.push((id.parse::<i64>().unwrap(), minutes, answered));
        }
        // Expected: waiting ones by waiting time then id, then the others by id.
        let mut waiting: Vec<_> = made.iter().filter(|m| !m.2).map(|m| (m.1, m.0)).collect();
        waiting.sort();
        let mut rest: Vec<_> = made.iter().filter(|m| m.2).map(|m| m.0).collect();
        rest.sort();
        let expected: Vec<String> = waiting
            .into_iter()
            .map(|(_, id)| id.to_string())
            .chain(rest.into_iter().map(|id| id.to_string()))
            .collect();

        let mut seen = Vec::new();
        let mut after = Value::Null;
        loop {
            let page = app.gql_ok(&token, LIST, json!({ "sort": "OLDEST_WAITING", "first": 3, "after": after })).await;
            assert_eq!(page["inquiries"]["totalCount"], 8);
            seen.extend(ids(&page));
            let info = &page["inquiries"]["pageInfo"];
            if info["hasNextPage"] != true {
                break;
            }
            after = info["endCursor"].clone();
        }
        assert_eq!(seen, expected, "every inquiry once, the longest wait first");
        assert_eq!(seen.iter().collect::<HashSet<_>>().len(), 8);

        // Backwards from the end gives the same order.
        let mut back: Vec<String> = Vec::new();
        let mut before = Value::Null;
        loop {
            let page = app.gql_ok(&token, LIST, json!({ "sort": "OLDEST_WAITING", "last": 3, "before": before })).await;
            let mut chunk = ids(&page);
            chunk.extend(back);
            back = chunk;
            let info = &page["inquiries"]["pageInfo"];
            if info["hasPreviousPage"] != true {
                break;
            }
            before = info["startCursor"].clone();
        }
        assert_eq!(back, expected, "paging backwards covers the same list");

        // A cursor belongs to its sort.
        let newest = app.gql_ok(&token, LIST, json!({ "first": 1 })).await;
        let cursor = newest["inquiries"]["pageInfo"]["endCursor"].clone();
        let body = app.gql(Some(&token), LIST, json!({ "sort": "OLDEST_WAITING", "after": cursor })).await;
        assert_eq!(error_code(&body).as_deref(), Some("VALIDATION"), "{body}");
    });
}

#[tokio::test]
async fn paging_by_oldest_waiting_misses_nothing_while_customers_are_answered_between_pages() {
    each_backend!(|app| {
        let (token, actor) = app.tenant("A商店", true).await;
        let shop = seed::shop(&app, &token, Marketplace::Rakuten, "楽天A店").await;
        let mut all = HashSet::new();
        for (i, minutes) in [1, 2, 3, 4, 5, 6].into_iter().enumerate() {
            let mid = format!("q{i}");
            let id = seed::inquiry(
                &app,
                &actor,
                &shop,
                Thread {
                    mid: &mid,
                    order_number: None,
                    customer: "佐藤",
                    created_minutes: minutes,
                    messages: vec![(Customer, "質問")],
                    completed: false,
                },
            )
            .await;
            all.insert(id);
        }
        let first = app.gql_ok(&token, LIST, json!({ "sort": "OLDEST_WAITING", "first": 3 })).await;
        let mut seen: Vec<String> = ids(&first);
        // The longest wait on the first page is answered: it moves behind every waiting one.
        app.gql_ok(&token, REPLY, json!({ "id": seen[0], "b": "回答です。" })).await;
        let after = first["inquiries"]["pageInfo"]["endCursor"].clone();
        let rest = app.gql_ok(&token, LIST, json!({ "sort": "OLDEST_WAITING", "first": 10, "after": after })).await;
        seen.extend(ids(&rest));
        let unique: HashSet<_> = seen.iter().cloned().collect();
        assert!(all.is_subset(&unique), "every inquiry was listed: {seen:?}");
    });
}

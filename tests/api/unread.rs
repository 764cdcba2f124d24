//! 未読 (unread) per reader, and presence on every inquiry for the inbox rows, on both
//! databases: an inquiry is unread for a staff member until they open it (`markInquiryRead`),
//! unread again when the customer writes, read or unread for each member on their own, behind
//! the tenant wall, and any role may mark what it reads.

use std::time::Duration;

use madoguchi_tests::{TestApp, each_backend, error_code};
use serde_json::{Value, json};
use shared::{Marketplace, MessageAuthor::*, Role};

use crate::seed::{self, Thread};
use crate::teams::{Browser, member};

const MARK: &str = "mutation($id: ID!) { markInquiryRead(id: $id) { id unread } }";
const ONE: &str = "query($id: ID!) { inquiry(id: $id) { id unread } }";
const LIST: &str = "{ inquiries(first: 50) { nodes { id unread notes { body } } } }";
const PASSWORD: &str = "a-long-password-1";

fn thread<'a>(mid: &'a str, messages: Vec<(shared::MessageAuthor, &'a str)>) -> Thread<'a> {
    Thread { mid, order_number: None, customer: "佐藤", created_minutes: 0, messages, completed: false }
}

/// `unread` of each listed inquiry, by id.
fn unread_by_id(list: &Value) -> Vec<(String, bool)> {
    let mut rows: Vec<(String, bool)> = list["inquiries"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| (n["id"].as_str().unwrap().to_owned(), n["unread"].as_bool().unwrap()))
        .collect();
    rows.sort();
    rows
}

async fn unread(b: &Browser, id: &str) -> bool {
    let body = b.gql(ONE, json!({ "id": id })).await;
    body["data"]["inquiry"]["unread"].as_bool().unwrap_or_else(|| panic!("unread of {id}: {body}"))
}

async fn signed_in(app: &TestApp, actor: &server::auth::Actor, email: &str, name: &str, role: Role) -> Browser {
    member(app, actor, email, name, role).await;
    Browser::signed_in(app, email, PASSWORD).await
}

#[tokio::test]
async fn an_inquiry_is_unread_until_opened_and_unread_again_when_the_customer_writes() {
    each_backend!(|app| {
        let (token, actor) = app.tenant("A商店", true).await;
        let shop = seed::shop(&app, &token, Marketplace::Rakuten, "楽天店").await;
        let asked = seed::inquiry(&app, &actor, &shop, thread("q1", vec![(Customer, "いつ届きますか？")])).await;
        let kato = signed_in(&app, &actor, "kato@example.jp", "加藤", Role::Staff).await;

        assert!(unread(&kato, &asked).await, "never opened, with a customer message: unread");
        assert!(unread(&kato, &asked).await, "reading the inquiry does not mark it read (no side effects)");

        let marked = kato.gql(MARK, json!({ "id": asked })).await;
        assert_eq!(marked["data"]["markInquiryRead"], json!({ "id": asked, "unread": false }), "{marked}");
        assert!(!unread(&kato, &asked).await, "opened: read");
        let again = kato.gql(MARK, json!({ "id": asked })).await;
        assert_eq!(again["data"]["markInquiryRead"]["unread"], false, "opening twice is fine: {again}");

        // The shop answers and adds a note: nothing new from the customer, still read.
        let reply = kato
            .gql(
                "mutation($i: ReplyInput!) { replyToInquiry(input: $i) { id } }",
                json!({ "i": { "inquiryId": asked, "body": "明日お届けします。" } }),
            )
            .await;
        assert!(reply["errors"].is_null(), "{reply}");
        let note = kato
            .gql(
                "mutation($id: ID!) { addInquiryNote(inquiryId: $id, body: \"在庫確認済み\") { id } }",
                json!({ "id": asked }),
            )
            .await;
        assert!(note["errors"].is_null(), "{note}");
        assert!(!unread(&kato, &asked).await, "a reply or a note is no customer message");

        // The customer writes again (the next import brings a second message).
        seed::inquiry(
            &app,
            &actor,
            &shop,
            thread("q1", vec![(Customer, "いつ届きますか？"), (Customer, "まだですか？")]),
        )
        .await;
        assert!(unread(&kato, &asked).await, "a new customer message: unread again");
        kato.gql(MARK, json!({ "id": asked })).await;
        assert!(!unread(&kato, &asked).await, "opened again: read");
    });
}

#[tokio::test]
async fn an_inquiry_with_no_customer_message_is_never_unread() {
    each_backend!(|app| {
        let (token, actor) = app.tenant("A商店", true).await;
        let shop = seed::shop(&app, &token, Marketplace::Rakuten, "楽天店").await;
        let shop_only =
            seed::inquiry(&app, &actor, &shop, thread("s1", vec![(Shop, "ご購入ありがとうございます")])).await;
        let kato = signed_in(&app, &actor, "kato@example.jp", "加藤", Role::Staff).await;
        assert!(!unread(&kato, &shop_only).await, "only the shop wrote: nothing to read");
    });
}

#[tokio::test]
async fn reads_are_kept_per_staff_member_across_their_sessions_and_per_api_token() {
    each_backend!(|app| {
        let (token, actor) = app.tenant("A商店", true).await;
        let shop = seed::shop(&app, &token, Marketplace::Rakuten, "楽天店").await;
        let first = seed::inquiry(&app, &actor, &shop, thread("q1", seed::asks())).await;
        let second = seed::inquiry(&app, &actor, &shop, thread("q2", seed::asks())).await;
        let kato = signed_in(&app, &actor, "kato@example.jp", "加藤", Role::Staff).await;
        let sato = signed_in(&app, &actor, "sato@example.jp", "佐藤", Role::Staff).await;

        kato.gql(MARK, json!({ "id": first })).await;
        let mine = kato.gql(LIST, json!({})).await["data"].clone();
        let mut expected = vec![(first.clone(), false), (second.clone(), true)];
        expected.sort();
        assert_eq!(unread_by_id(&mine), expected, "the list says it per row (one batch for the page)");

        let only = |unread: bool| json!({ "f": { "unread": unread } });
        let filtered = "query($f: InquiryFilter) { inquiries(filter: $f) { totalCount nodes { id } } }";
        let unread_only = kato.gql(filtered, only(true)).await["data"]["inquiries"].clone();
        assert_eq!(unread_only["nodes"], json!([{ "id": second }]), "InquiryFilter.unread: true");
        assert_eq!(unread_only["totalCount"], 1);
        let read_only = kato.gql(filtered, only(false)).await["data"]["inquiries"].clone();
        assert_eq!(read_only["nodes"], json!([{ "id": first }]), "InquiryFilter.unread: false");
        assert_eq!(sato.gql(filtered, only(true)).await["data"]["inquiries"]["totalCount"], 2);

        assert!(unread(&sato, &first).await, "a colleague who has not opened it still sees it unread");
        let kato_elsewhere = Browser::signed_in(&app, "kato@example.jp", PASSWORD).await;
        assert!(!unread(&kato_elsewhere, &first).await, "the same member in another browser: read");

        // An API token reads on its own account.
        assert_eq!(app.gql_ok(&token, ONE, json!({ "id": first })).await["inquiry"]["unread"], true);
        app.gql_ok(&token, MARK, json!({ "id": second })).await;
        assert_eq!(app.gql_ok(&token, ONE, json!({ "id": second })).await["inquiry"]["unread"], false);
        assert!(unread(&kato, &second).await, "the token's read is not the staff's");
    });
}

#[tokio::test]
async fn another_tenants_inquiry_cannot_be_marked_or_seen() {
    each_backend!(|app| {
        let (token, actor) = app.tenant("A商店", true).await;
        let (other_token, _) = app.tenant("B商店", true).await;
        let shop = seed::shop(&app, &token, Marketplace::Rakuten, "楽天店").await;
        let id = seed::inquiry(&app, &actor, &shop, thread("q1", seed::asks())).await;

        let body = app.gql(Some(&other_token), MARK, json!({ "id": id })).await;
        assert_eq!(error_code(&body).as_deref(), Some("NOT_FOUND"), "{body}");
        let seen = app.gql(Some(&other_token), ONE, json!({ "id": id })).await;
        assert_eq!(seen["data"]["inquiry"], Value::Null, "{seen}");
        let missing = app.gql(Some(&token), MARK, json!({ "id": "999999" })).await;
        assert_eq!(error_code(&missing).as_deref(), Some("NOT_FOUND"), "{missing}");
        assert_eq!(app.gql_ok(&token, ONE, json!({ "id": id })).await["inquiry"]["unread"], true, "nothing stored");
    });
}

#[tokio::test]
async fn viewers_and_read_only_tokens_may_mark_what_they_read() {
    each_backend!(|app| {
        let (token, actor) = app.tenant("A商店", true).await;
        let shop = seed::shop(&app, &token, Marketplace::Rakuten, "楽天店").await;
        let id = seed::inquiry(&app, &actor, &shop, thread("q1", seed::asks())).await;
        let viewer = signed_in(&app, &actor, "view@example.jp", "閲覧者", Role::Viewer).await;
        let (read, _) = server::auth::create_api_token(&app.state.db, &actor, "BI", &["read".into()]).await.unwrap();

        let marked = viewer.gql(MARK, json!({ "id": id })).await;
        assert_eq!(marked["data"]["markInquiryRead"]["unread"], false, "VIEWER: reading is not writing: {marked}");
        let marked = app.gql(Some(&read), MARK, json!({ "id": id })).await;
        assert_eq!(marked["data"]["markInquiryRead"]["unread"], false, "a read-only token too: {marked}");
        // Still for themselves only.
        assert_eq!(app.gql_ok(&token, ONE, json!({ "id": id })).await["inquiry"]["unread"], true);
        // Presence stays a write (unchanged): a VIEWER is not announced as working on it.
        let presence =
            viewer.gql("mutation($id: ID!) { setPresence(inquiryId: $id, state: VIEWING) }", json!({ "id": id })).await;
        assert_eq!(error_code(&presence).as_deref(), Some("FORBIDDEN"), "{presence}");
    });
}

#[tokio::test]
async fn presence_without_an_inquiry_is_told_for_every_inquiry_of_the_tenant_and_no_other() {
    each_backend!(|app| {
        let (token, actor) = app.tenant("A商店", true).await;
        let (other_token, other_actor) = app.tenant("B商店", true).await;
        let shop = seed::shop(&app, &token, Marketplace::Rakuten, "楽天店").await;
        let first = seed::inquiry(&app, &actor, &shop, thread("q1", seed::asks())).await;
        let second = seed::inquiry(&app, &actor, &shop, thread("q2", seed::asks())).await;
        let other_shop = seed::shop(&app, &other_token, Marketplace::Rakuten, "他社").await;
        let theirs = seed::inquiry(&app, &other_actor, &other_shop, thread("x1", seed::asks())).await;

        let mut inbox =
            app.subscribe(&token, "subscription { presenceChanged { inquiryId staffName state } }", json!({})).await;
        let set = "mutation($id: ID!, $s: PresenceState!) { setPresence(inquiryId: $id, state: $s) }";
        app.gql_ok(&other_token, set, json!({ "id": theirs, "s": "TYPING" })).await;
        app.gql_ok(&token, set, json!({ "id": first, "s": "VIEWING" })).await;
        app.gql_ok(&token, set, json!({ "id": second, "s": "TYPING" })).await;

        let mut heard = Vec::new();
        while heard.len() < 2 {
            let Some(got) = inbox.next_within(Duration::from_secs(5)).await else { break };
            let p = &got["data"]["presenceChanged"];
            heard.push((p["inquiryId"].as_str().unwrap().to_owned(), p["state"].as_str().unwrap().to_owned()));
        }
        assert_eq!(
            heard,
            vec![(first.clone(), "VIEWING".to_owned()), (second.clone(), "TYPING".to_owned())],
            "every inquiry of the tenant, in order; never another tenant's"
        );
    });
}

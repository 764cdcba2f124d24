//! The kept inbox counts (`inbox_count`, moved by triggers in the transaction of each change)
//! equal a recount of the inquiries after random interleaved imports, replies, failed
//! deliveries, withdrawals, completions and reopenings from concurrent tasks; the migration
//! fills them in from the data there is; `totalCount` comes from them or is counted no further
//! than 10,000.

use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::TimeDelta;
use futures_util::future::join_all;
use madoguchi_tests::{TestApp, each_backend};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sea_orm::{ActiveValue::Set, ColumnTrait, QueryFilter, QueryOrder};
use serde_json::{Value, json};
use server::auth::Actor;
use server::inbox::{self, IncomingInquiry, IncomingMessage};
use server::store::entities::{message, shop};
use shared::{Marketplace, MessageAuthor};

use crate::seed;

const TASKS: u64 = 4;
const STEPS: usize = 20;
const ROUNDS: u64 = 3;

struct World<'a> {
    app: &'a TestApp,
    token: String,
    actor: Actor,
    shops: Vec<shop::Model>,
    /// Inquiries by (shop index, marketplace id); the ids of new ones come from `next`.
    next: AtomicUsize,
}

impl World<'_> {
    async fn import(&self, rng: &mut StdRng) -> bool {
        let n = self.next.fetch_add(1, Ordering::SeqCst);
        let s = rng.gen_range(0..self.shops.len());
        // Mostly threads that exist (a new customer message), sometimes a new inquiry.
        let which = if rng.gen_bool(0.7) && n > 0 { rng.gen_range(0..n) } else { n };
        let at = seed::base_time() + TimeDelta::minutes(n as i64);
        let incoming = IncomingInquiry {
            marketplace_inquiry_id: format!("q-{}-{which}", s),
            order_number: None,
            customer_name: Some("楽天 太郎".into()),
            subject: None,
            created_at: seed::base_time() + TimeDelta::minutes(which as i64),
            completed: rng.gen_bool(0.1),
            messages: vec![IncomingMessage {
                marketplace_message_id: format!("m-{n}"),
                author: if rng.gen_bool(0.8) { MessageAuthor::Customer } else { MessageAuthor::Shop },
                staff_name: None,
                body: format!("お問い合わせ {n}"),
                sent_at: at,
                files: Vec::new(),
            }],
        };
        let st = &self.app.state;
        server::store::busy_retry(|| inbox::upsert_inquiry(st, self.actor.scope, &self.shops[s], incoming.clone()))
            .await
            .is_ok()
    }

    async fn some_inquiry(&self, rng: &mut StdRng) -> Option<i64> {
        let rows =
            self.actor.scope.find::<server::store::entities::inquiry::Entity>().all(&self.app.state.db).await.ok()?;
        (!rows.is_empty()).then(|| rows[rng.gen_range(0..rows.len())].id)
    }

    async fn mutate(&self, query: &str, variables: Value) -> bool {
        self.app.gql(Some(&self.token), query, variables).await.get("errors").is_none()
    }

    /// The outbox's failure: a pending reply FAILED and its inquiry's summary recomputed, in one
    /// transaction (as `delivery.rs` records it).
    async fn fail_delivery(&self, rng: &mut StdRng) -> bool {
        let scope = self.actor.scope;
        let db = &self.app.state.db;
        let pick = rng.r#gen::<u64>();
        server::store::busy_retry(|| async move {
            let txn = server::store::begin_write(db).await?;
            let pending = scope
                .find::<message::Entity>()
                .filter(message::Column::Delivery.eq(message::Delivery::Pending))
                .order_by_asc(message::Column::Id)
                .all(&txn)
                .await?;
            let Some(m) = (!pending.is_empty()).then(|| pending[(pick % pending.len() as u64) as usize].clone()) else {
                return Ok(false);
            };
            let id = m.inquiry_id;
            let mut am: message::ActiveModel = m.into();
            am.delivery = Set(message::Delivery::Failed);
            am.delivery_error = Set(Some("モールが受け付けませんでした".into()));
            scope.update(&txn, am).await?;
            inbox::resummarise(&txn, scope, id).await?;
            txn.commit().await?;
            Ok(true)
        })
        .await
        .unwrap_or(false)
    }

    /// A reply that failed, of any inquiry.
    async fn failed_message(&self, rng: &mut StdRng) -> Option<i64> {
        let failed = self
            .actor
            .scope
            .find::<message::Entity>()
            .filter(message::Column::Delivery.eq(message::Delivery::Failed))
            .all(&self.app.state.db)
            .await
            .ok()?;
        (!failed.is_empty()).then(|| failed[rng.gen_range(0..failed.len())].id)
    }

    /// One random step; whether it changed something (a refusal is a fine outcome too).
    async fn step(&self, rng: &mut StdRng) -> (&'static str, bool) {
        let roll = rng.gen_range(0..100);
        if roll < 30 {
            return ("import", self.import(rng).await);
        }
        let Some(id) = self.some_inquiry(rng).await else { return ("import", self.import(rng).await) };
        let gid = id.to_string();
        match roll {
            30..50 => (
                "reply",
                self.mutate(
                    "mutation($i: ReplyInput!) { replyToInquiry(input: $i) { id } }",
                    json!({ "i": { "inquiryId": gid, "body": "ご連絡ありがとうございます。" } }),
                )
                .await,
            ),
            50..62 => ("fail", self.fail_delivery(rng).await),
            62..70 => match self.failed_message(rng).await {
                Some(m) if rng.gen_bool(0.5) => (
                    "withdraw",
                    self.mutate(
                        "mutation($id: ID!) { withdrawMessage(id: $id) { id } }",
                        json!({ "id": m.to_string() }),
                    )
                    .await,
                ),
                Some(m) => (
                    "retry",
                    self.mutate("mutation($id: ID!) { retryMessage(id: $id) { id } }", json!({ "id": m.to_string() }))
                        .await,
                ),
                None => ("withdraw", false),
            },
            70..85 => (
                "complete",
                self.mutate("mutation($id: ID!) { completeInquiry(id: $id) { id } }", json!({ "id": gid })).await,
            ),
            _ => (
                "reopen",
                self.mutate("mutation($id: ID!) { reopenInquiry(id: $id) { id } }", json!({ "id": gid })).await,
            ),
        }
    }
}

async fn assert_counters_match(w: &World<'_>, when: &str) {
    let db = &w.app.state.db;
    let kept = inbox::counters(db, w.actor.scope).await.expect("counters");
    let recounted = inbox::recount(db, w.actor.scope).await.expect("recount");
    assert_eq!(kept, recounted, "{} {when}: the kept counts are the inquiries' own", w.app.backend.name());
    let sum = |f: fn(&inbox::Tally) -> i64| recounted.values().map(f).sum::<i64>();
    let api = w
        .app
        .gql_ok(
            &w.token,
            "{ inboxCounts { needsReply failedDeliveries byShop { shop { id } needsReply } } }",
            json!({}),
        )
        .await;
    assert_eq!(api["inboxCounts"]["needsReply"], sum(|t| t.needs_reply), "{when}");
    assert_eq!(api["inboxCounts"]["failedDeliveries"], sum(|t| t.failed), "{when}");
    let total = w
        .app
        .gql_ok(&w.token, "{ inquiries(filter: {status: NEEDS_REPLY}, first: 1) { totalCount } }", json!({}))
        .await;
    assert_eq!(total["inquiries"]["totalCount"], sum(|t| t.needs_reply), "{when}");
}

#[tokio::test]
async fn kept_counts_equal_a_recount_after_random_concurrent_changes() {
    each_backend!(|app| {
        let (token, actor) = app.tenant("A商店", true).await;
        let mut shops = Vec::new();
        for (m, name) in
            [(Marketplace::Rakuten, "楽天店"), (Marketplace::Rakuten, "楽天2号店"), (Marketplace::Yahoo, "Yahoo店")]
        {
            let id: i64 = seed::shop(&app, &token, m, name).await.parse().expect("id");
            shops.push(actor.scope.get::<shop::Entity>(&app.state.db, id).await.expect("db").expect("shop"));
        }
        let w = World { app: &app, token, actor, shops, next: AtomicUsize::new(0) };
        let mut done = std::collections::BTreeMap::<&str, usize>::new();
        for round in 0..ROUNDS {
            let tasks = (0..TASKS).map(|t| {
                let w = &w;
                async move {
                    let mut rng = StdRng::seed_from_u64(7_000 + round * 100 + t);
                    let mut did = Vec::new();
                    for _ in 0..STEPS {
                        did.push(w.step(&mut rng).await);
                    }
                    did
                }
            });
            for (kind, ok) in join_all(tasks).await.into_iter().flatten() {
                if ok {
                    *done.entry(kind).or_default() += 1;
                }
            }
            assert_counters_match(&w, &format!("after round {round}")).await;
        }
        eprintln!("{}: changes made {done:?}", app.backend.name());
        for kind in ["import", "reply", "fail", "withdraw", "retry", "complete", "reopen"] {
            assert!(done.get(kind).copied().unwrap_or(0) > 0, "{kind} happened at least once: {done:?}");
        }
    });
}

#[tokio::test]
async fn the_migration_fills_in_the_counts_and_the_search_text_of_the_inquiries_there_are() {
    use migrations::MigratorTrait;
    each_backend!(|app| {
        let (token, actor) = app.tenant("A商店", true).await;
        let rakuten = seed::shop(&app, &token, Marketplace::Rakuten, "楽天店").await;
        let yahoo = seed::shop(&app, &token, Marketplace::Yahoo, "Yahoo店").await;
        let t = |mid, customer, messages, completed| seed::Thread {
            mid,
            order_number: Some("ORD-0001"),
            customer,
            created_minutes: 0,
            messages,
            completed,
        };
        use MessageAuthor::*;
        seed::inquiry(&app, &actor, &rakuten, t("r1", "ﾔﾏﾀﾞ ﾀﾛｳ", vec![(Customer, "テスト商品について")], false)).await;
        seed::inquiry(
            &app,
            &actor,
            &rakuten,
            t("r2", "楽天 花子", vec![(Customer, "在庫は"), (Shop, "あります")], false),
        )
        .await;
        seed::inquiry(&app, &actor, &yahoo, t("y1", "1b7*****", vec![(Customer, "090-1234-5678 まで")], true)).await;
        let before = inbox::recount(&app.state.db, actor.scope).await.expect("recount");

        let db = &app.state.db;
        // Down to before the counters (and every migration after them), then up again.
        let names: Vec<String> = migrations::Migrator::migrations().iter().map(|m| m.name().to_owned()).collect();
        let counters_at = names.iter().position(|n| n.ends_with("_inbox_counters")).expect("the counters' migration");
        migrations::Migrator::down(db, Some((names.len() - counters_at) as u32)).await.expect("down");
        migrations::Migrator::up(db, None).await.expect("up again");
        assert_eq!(inbox::counters(db, actor.scope).await.expect("counters"), before, "{}", app.backend.name());
        let w = World {
            app: &app,
            token: token.clone(),
            actor: actor.clone(),
            shops: Vec::new(),
            next: AtomicUsize::new(0),
        };
        assert_counters_match(&w, "after the migration").await;
        for (search, n) in [("やまだ", 0), ("ヤマダ タロウ", 1), ("ﾃｽﾄ", 1), ("09012345678", 1), ("ord0001", 3)]
        {
            let d = app
                .gql_ok(
                    &token,
                    "query($s: String) { inquiries(filter: {search: $s}) { totalCount } }",
                    json!({ "s": search }),
                )
                .await;
            assert_eq!(d["inquiries"]["totalCount"], n, "{search} on {}", app.backend.name());
        }
    });
}

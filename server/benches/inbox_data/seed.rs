//! The bench's inquiries: Japanese threads from a seeded generator, the first ones recorded
//! through `upsert_inquiry` (as an import does), the rest written in batches straight into the
//! tables with the summary `inbox::summarise` would store (the triggers keep the counters and
//! the FTS index, as for any write). Some needles are planted for the searches.

use chrono::{DateTime, TimeDelta, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sea_orm::{ActiveValue::Set, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use server::inbox::{IncomingInquiry, IncomingMessage};
use server::store::entities::{inquiry, message, shop};
use shared::{DeliveryState, MessageAuthor};

const FAMILY: [&str; 20] = [
    "佐藤",
    "鈴木",
    "高橋",
    "田中",
    "伊藤",
    "渡辺",
    "山本",
    "中村",
    "小林",
    "加藤",
    "吉田",
    "山田",
    "佐々木",
    "山口",
    "松本",
    "井上",
    "木村",
    "林",
    "斎藤",
    "清水",
];
const GIVEN: [&str; 20] = [
    "太郎", "花子", "一郎", "美咲", "健太", "陽子", "翔太", "由美", "大輔", "恵", "拓也", "直美", "亮", "明美", "誠",
    "裕子", "蓮", "葵", "悠斗", "結衣",
];
const PRODUCTS: [&str; 12] = [
    "南部鉄器の急須",
    "今治タオル",
    "有田焼の湯呑み",
    "テストキット",
    "ギフトセット",
    "純米大吟醸",
    "抹茶スイーツ",
    "信楽焼の花瓶",
    "京扇子",
    "ほうじ茶",
    "和紙のレターセット",
    "木製のお箸",
];
const SUBJECTS: [&str; 8] = [
    "配送について",
    "商品について",
    "注文内容の変更",
    "キャンセル希望",
    "領収書",
    "返品・交換",
    "ギフト包装",
    "在庫確認",
];
const ASKS: [&str; 8] = [
    "{p}を注文しましたが、配送状況を教えてください。",
    "{p}はいつ頃届きますか？",
    "{p}をギフトにしたいので、のしをお願いできますか。",
    "注文番号{o}の{p}ですが、届け先を変更したいです。",
    "{p}の在庫はありますか。",
    "{p}が破損して届きました。交換をお願いします。",
    "領収書の宛名を変更できますか。注文番号{o}です。",
    "日中はこちらにご連絡ください。{t}",
];
const REPLIES: [&str; 4] = [
    "お問い合わせありがとうございます。明日発送いたします。",
    "承知しました。ご対応いたします。",
    "大変申し訳ございません。すぐに確認いたします。",
    "ご注文ありがとうございます。のし紙をお付けいたします。",
];

/// One generated thread.
pub struct Thread {
    pub mid: String,
    pub order_number: Option<String>,
    pub customer: String,
    pub subject: String,
    pub created_at: DateTime<Utc>,
    pub completed: bool,
    /// (author, body, delivery of a shop message).
    pub messages: Vec<(MessageAuthor, String, DeliveryState)>,
}

/// What the searches look for, planted in thread [`NEEDLE_AT`] of every 1,000.
pub const NEEDLE_AT: usize = 500;
pub const NEEDLE_PHONE: &str = "090-1234-5678";

pub fn threads(n: usize, now: DateTime<Utc>) -> impl Iterator<Item = Thread> {
    let mut rng = StdRng::seed_from_u64(42);
    (0..n).map(move |k| {
        let created_at = now - TimeDelta::minutes((n - k) as i64);
        let order = format!("100-{:07}-{:04}", k, k % 9973);
        let product = PRODUCTS[rng.gen_range(0..PRODUCTS.len())];
        let phone = if k % 1000 == NEEDLE_AT {
            NEEDLE_PHONE.to_owned()
        } else {
            format!("080-{:04}-{:04}", rng.gen_range(0..10000), rng.gen_range(0..10000))
        };
        let ask =
            ASKS[rng.gen_range(0..ASKS.len())].replace("{p}", product).replace("{o}", &order).replace("{t}", &phone);
        let mut messages = vec![(MessageAuthor::Customer, ask, DeliveryState::Sent)];
        let roll = rng.gen_range(0..100);
        if roll >= 30 {
            let failed = roll < 32;
            let reply = REPLIES[rng.gen_range(0..REPLIES.len())].to_owned();
            messages.push((
                MessageAuthor::Shop,
                reply,
                if failed { DeliveryState::Failed } else { DeliveryState::Sent },
            ));
            if roll >= 85 {
                messages.push((MessageAuthor::Customer, "ありがとうございました。".to_owned(), DeliveryState::Sent));
            }
        }
        Thread {
            mid: format!("b-{k}"),
            order_number: (k % 10 < 7).then_some(order),
            customer: format!("{} {}", FAMILY[rng.gen_range(0..20)], GIVEN[rng.gen_range(0..20)]),
            subject: SUBJECTS[rng.gen_range(0..SUBJECTS.len())].to_owned(),
            created_at,
            completed: (55..85).contains(&roll),
            messages,
        }
    })
}

fn sent_at(t: &Thread, i: usize) -> DateTime<Utc> {
    server::clock::normalise(t.created_at + TimeDelta::minutes(7 * i as i64))
}

/// As an import reports it (shop messages as if delivered; a failure cannot be imported).
pub fn incoming(t: &Thread) -> IncomingInquiry {
    IncomingInquiry {
        marketplace_inquiry_id: t.mid.clone(),
        order_number: t.order_number.clone(),
        customer_name: Some(t.customer.clone()),
        subject: Some(t.subject.clone()),
        created_at: t.created_at,
        completed: t.completed,
        messages: t
            .messages
            .iter()
            .enumerate()
            .map(|(i, (author, body, _))| IncomingMessage {
                marketplace_message_id: i.to_string(),
                author: *author,
                staff_name: (*author == MessageAuthor::Shop).then(|| "山田".to_owned()),
                body: body.clone(),
                sent_at: sent_at(t, i),
                files: Vec::new(),
            })
            .collect(),
    }
}

fn delivery(d: DeliveryState) -> message::Delivery {
    match d {
        DeliveryState::Failed => message::Delivery::Failed,
        DeliveryState::Pending => message::Delivery::Pending,
        _ => message::Delivery::Sent,
    }
}

/// The inquiry row with the summary `summarise` stores for it.
fn inquiry_row(tenant_id: i64, shop: &shop::Model, t: &Thread) -> inquiry::ActiveModel {
    let last = t.messages.len() - 1;
    let last_author = t.messages[last].0;
    let last_shop = t.messages.iter().rev().find(|m| m.0 == MessageAuthor::Shop).map(|m| m.2);
    let reply_failed = shared::inquiry::reply_failed(last_shop);
    let status = shared::inquiry::status(t.completed, Some(last_author), reply_failed);
    let answered = t
        .messages
        .iter()
        .enumerate()
        .filter(|(_, m)| m.0 == MessageAuthor::Shop && m.2 != DeliveryState::Failed)
        .map(|(i, _)| sent_at(t, i))
        .max();
    let waiting_since = (!t.completed)
        .then(|| {
            t.messages
                .iter()
                .enumerate()
                .filter(|(i, m)| m.0 == MessageAuthor::Customer && answered.is_none_or(|a| sent_at(t, *i) > a))
                .map(|(i, _)| sent_at(t, i))
                .min()
        })
        .flatten();
    let preview = t.messages.iter().rev().find(|m| m.0 == MessageAuthor::Customer).map(|m| m.1.as_str());
    let search_text = shared::search_text::inquiry_document(
        Some(&t.customer),
        Some(&t.subject),
        t.order_number.as_deref(),
        &t.mid,
        t.messages.iter().map(|m| m.1.as_str()),
    );
    let at = server::clock::normalise(t.created_at);
    inquiry::ActiveModel {
        tenant_id: Set(tenant_id),
        shop_id: Set(shop.id),
        marketplace: Set(shop.marketplace),
        marketplace_inquiry_id: Set(t.mid.clone()),
        order_number: Set(t.order_number.clone()),
        customer_name: Set(Some(t.customer.clone())),
        subject: Set(Some(t.subject.clone())),
        created_at: Set(at),
        last_message_at: Set(sent_at(t, last).max(at)),
        last_author: Set(Some(last_author.into())),
        preview: Set(preview.map(|p| shared::inquiry::first_line_preview(p, 60)).unwrap_or_default()),
        completed: Set(t.completed),
        completed_at: Set(t.completed.then_some(at)),
        completed_by: Set(None),
        status: Set(status.into()),
        reply_failed: Set(reply_failed),
        updated_at: Set(at),
        assignee_id: Set(None),
        assigned_by: Set(None),
        assigned_at: Set(None),
        waiting_since: Set(waiting_since),
        search_text: Set(search_text),
        ..Default::default()
    }
}

/// Writes `batch` threads of `shop` in two multi-row inserts (inquiries, then their messages).
pub async fn write_batch(
    db: &DatabaseConnection,
    tenant_id: i64,
    shop: &shop::Model,
    batch: &[Thread],
) -> anyhow::Result<()> {
    if batch.is_empty() {
        return Ok(());
    }
    inquiry::Entity::insert_many(batch.iter().map(|t| inquiry_row(tenant_id, shop, t))).exec(db).await?;
    let ids: std::collections::HashMap<String, i64> = inquiry::Entity::find()
        .filter(inquiry::Column::ShopId.eq(shop.id))
        .filter(inquiry::Column::MarketplaceInquiryId.is_in(batch.iter().map(|t| t.mid.clone())))
        .all(db)
        .await?
        .into_iter()
        .map(|r| (r.marketplace_inquiry_id, r.id))
        .collect();
    let mut rows = Vec::new();
    for t in batch {
        for (i, (author, body, state)) in t.messages.iter().enumerate() {
            rows.push(message::ActiveModel {
                tenant_id: Set(tenant_id),
                inquiry_id: Set(ids[&t.mid]),
                marketplace_message_id: Set((*state != DeliveryState::Failed).then(|| i.to_string())),
                author: Set((*author).into()),
                staff_id: Set(None),
                staff_name: Set((*author == MessageAuthor::Shop).then(|| "山田".to_owned())),
                body: Set(body.clone()),
                sent_at: Set(sent_at(t, i)),
                delivery: Set(delivery(*state)),
                delivery_error: Set((*state == DeliveryState::Failed).then(|| "bench".to_owned())),
                delivery_attempts: Set(0),
                delivery_claimed_at: Set(None),
                created_at: Set(sent_at(t, i)),
                ..Default::default()
            });
        }
    }
    message::Entity::insert_many(rows).exec(db).await?;
    Ok(())
}

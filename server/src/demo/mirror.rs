//! The simulator is in memory: at each start it is given back the inquiries the database has
//! for the demo shops (the threads as the marketplace would have them: every message that has
//! the marketplace's id, in the marketplace's order, and the completed flag). So replies sent
//! and completions made in an earlier run are still there, inquiries that arrived while an
//! earlier run was going can still be answered, and a re-import changes nothing.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use mallsim::state::{self as sim, ItemRef, Party};
use sea_orm::{ColumnTrait, QueryFilter, QueryOrder};
use shared::{Marketplace, MessageAuthor};

use super::Mall;
use super::plan::account_of;
use crate::error::AppResult;
use crate::inbox::IncomingInquiry;
use crate::state::AppState;
use crate::store::Scope;
use crate::store::entities::{inquiry, message, shop};

/// One message of an inquiry as the marketplace holds it.
#[derive(Clone, Debug)]
pub struct MirroredMessage {
    /// The marketplace's id of the message (Rakuten: `q` for the question, then 0, 1, …;
    /// Yahoo!: 0, 1, …): its place in the thread.
    pub marketplace_message_id: String,
    pub from_shop: bool,
    pub body: String,
    pub at: DateTime<Utc>,
}

/// An inquiry as the marketplace holds it.
#[derive(Clone, Debug)]
pub struct MirroredInquiry {
    pub marketplace_inquiry_id: String,
    pub order_number: Option<String>,
    pub customer_name: Option<String>,
    pub subject: Option<String>,
    pub created_at: DateTime<Utc>,
    pub completed_at: Option<DateTime<Utc>>,
    pub messages: Vec<MirroredMessage>,
}

impl From<&IncomingInquiry> for MirroredInquiry {
    fn from(i: &IncomingInquiry) -> Self {
        let last = i.messages.iter().map(|m| m.sent_at).max().unwrap_or(i.created_at);
        MirroredInquiry {
            marketplace_inquiry_id: i.marketplace_inquiry_id.clone(),
            order_number: i.order_number.clone(),
            customer_name: i.customer_name.clone(),
            subject: i.subject.clone(),
            created_at: i.created_at,
            completed_at: i.completed.then_some(last),
            messages: i
                .messages
                .iter()
                .map(|m| MirroredMessage {
                    marketplace_message_id: m.marketplace_message_id.clone(),
                    from_shop: m.author == MessageAuthor::Shop,
                    body: m.body.clone(),
                    at: m.sent_at,
                })
                .collect(),
        }
    }
}

/// Where a message stands in its thread, by its marketplace id.
fn place(id: &str) -> i64 {
    if id == crate::marketplaces::rakuten::mapping::FIRST_MESSAGE_ID { -1 } else { id.parse().unwrap_or(i64::MAX) }
}

/// Puts `inq` into the simulator's state for the account `key`, replacing (but keeping the
/// details the database does not have: kind, category, item) an inquiry with the same id.
pub(super) fn hold(st: &mut sim::State, key: &sim::AccountKey, inq: &MirroredInquiry) {
    let mut msgs: Vec<&MirroredMessage> = inq.messages.iter().collect();
    if msgs.is_empty() {
        // A thread always begins with the customer's message.
        return;
    }
    msgs.sort_by_key(|m| (place(&m.marketplace_message_id), m.at));
    let messages: Vec<sim::Message> = msgs
        .iter()
        .enumerate()
        .map(|(i, m)| sim::Message {
            id: i as u32,
            from: if m.from_shop { Party::Merchant } else { Party::User },
            body: m.body.clone(),
            at: m.at,
            attachments: Vec::new(),
            is_read: true,
        })
        .collect();
    let last_at = messages.iter().map(|m| m.at).max().unwrap_or(inq.created_at);
    let subject = inq.subject.clone().unwrap_or_else(|| "その他".into());
    let name = inq.customer_name.clone().unwrap_or_default();
    let existing = st
        .inquiries
        .iter()
        .position(|i| i.marketplace == key.marketplace && i.account == key.id && i.id == inq.marketplace_inquiry_id);
    let mut held = match existing {
        Some(at) => st.inquiries.remove(at),
        None => sim::Inquiry {
            marketplace: key.marketplace,
            account: key.id.clone(),
            id: inq.marketplace_inquiry_id.clone(),
            created_at: inq.created_at,
            updated_at: last_at,
            kind: (if inq.order_number.is_some() { "受注問い合わせ" } else { "店舗問い合わせ" }).into(),
            category: subject.clone(),
            category_id: 5,
            title: subject,
            user_name: name.clone(),
            user_mask_email: String::new(),
            user_masked_id: name.clone(),
            user_masked_idx: name,
            order_number: None,
            item: None::<ItemRef>,
            messages: Vec::new(),
            read_by_merchant: true,
            seller_last_read: None,
            completed_at: None,
            complete_condition: None,
            is_private: true,
        },
    };
    held.order_number = inq.order_number.clone();
    held.created_at = inq.created_at;
    held.updated_at = last_at;
    held.messages = messages;
    held.completed_at = inq.completed_at;
    let condition = held.complete_condition.unwrap_or(1);
    held.complete_condition = inq.completed_at.map(|_| condition);
    st.inquiries.push(held);
}

/// Gives the simulator every inquiry the database has for the demo shops of `scope`.
pub(super) async fn restore(state: &AppState, scope: Scope, mall: &Mall) -> AppResult<()> {
    for s in scope.find::<shop::Entity>().all(&state.db).await? {
        let m = Marketplace::from(s.marketplace);
        let Some(key) = account_of(m).filter(|k| k.marketplace.has_inquiries()) else { continue };
        let rows = scope.find::<inquiry::Entity>().filter(inquiry::Column::ShopId.eq(s.id)).all(&state.db).await?;
        if rows.is_empty() {
            continue;
        }
        let of_shop = sea_orm::sea_query::Query::select()
            .column(inquiry::Column::Id)
            .from(inquiry::Entity)
            .and_where(inquiry::Column::TenantId.eq(scope.tenant_id()))
            .and_where(inquiry::Column::ShopId.eq(s.id))
            .to_owned();
        // Only what reached the marketplace: imported messages and delivered replies.
        let mut threads: BTreeMap<i64, Vec<MirroredMessage>> = BTreeMap::new();
        for msg in scope
            .find::<message::Entity>()
            .filter(message::Column::InquiryId.in_subquery(of_shop))
            .filter(message::Column::MarketplaceMessageId.is_not_null())
            .order_by_asc(message::Column::Id)
            .all(&state.db)
            .await?
        {
            threads.entry(msg.inquiry_id).or_default().push(MirroredMessage {
                marketplace_message_id: msg.marketplace_message_id.unwrap_or_default(),
                from_shop: msg.author == message::Author::Shop,
                body: msg.body,
                at: msg.sent_at,
            });
        }
        let mut st = mall.sim.state().await;
        for row in rows {
            let inq = MirroredInquiry {
                marketplace_inquiry_id: row.marketplace_inquiry_id.clone(),
                order_number: row.order_number.clone(),
                customer_name: row.customer_name.clone(),
                subject: row.subject.clone(),
                created_at: row.created_at,
                completed_at: row.completed.then(|| row.completed_at.unwrap_or(row.last_message_at)),
                messages: threads.remove(&row.id).unwrap_or_default(),
            };
            hold(&mut st, &key, &inq);
        }
    }
    Ok(())
}

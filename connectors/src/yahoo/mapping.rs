//! Yahoo! talk wire types → Madoguchi's domain types.
//!
//! Yahoo! never shows buyers' names in inquiries: the customer is the masked id only
//! (`userMaskedIdx`, e.g. `c28*****`), whatever the order says.

use chrono::{DateTime, Utc};
use shared::{Marketplace, MessageAuthor};

use super::wire;
use crate::model::{IncomingInquiry, IncomingMessage};

/// A JSON string or number as text.
pub fn text_of(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// UNIX seconds, as a string or a number.
pub fn parse_unix(v: &serde_json::Value) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(text_of(v)?.trim().parse().ok()?, 0)
}

pub fn inquiry(topic_id: &str, headline: Option<&wire::Headline>, d: &wire::TalkDetail) -> IncomingInquiry {
    let messages: Vec<IncomingMessage> = d
        .messages
        .iter()
        .map(|m| IncomingMessage {
            marketplace_message_id: text_of(&m.message_id).unwrap_or_default(),
            author: if m.post_user_type == "seller" { MessageAuthor::Shop } else { MessageAuthor::Customer },
            staff_name: None,
            body: m.body.clone().unwrap_or_default(),
            sent_at: parse_unix(&m.postdate).unwrap_or_else(Utc::now),
            files: Vec::new(),
        })
        .collect();
    let masked = d.topic.user_masked_idx.as_deref().or(headline.and_then(|h| h.user_masked_id.as_deref()));
    let subject = d
        .topic
        .category_name
        .last()
        .cloned()
        .or_else(|| d.topic.title.clone())
        .or_else(|| headline.and_then(|h| h.title.clone()));
    IncomingInquiry {
        marketplace_inquiry_id: topic_id.to_owned(),
        order_number: d.topic.orderid.clone().or_else(|| headline.and_then(|h| h.order_id.clone())),
        customer_name: shared::inquiry::customer_display_name(Marketplace::Yahoo, masked, None),
        subject,
        created_at: messages.first().map(|m| m.sent_at).unwrap_or_else(Utc::now),
        completed: d.topic.is_complete,
        messages,
    }
}

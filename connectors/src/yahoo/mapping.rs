//! Yahoo! talk wire types → Madoguchi's domain types.
//!
//! Yahoo! never shows buyers' names in inquiries: the customer is the masked id only
//! (`userMaskedIdx`, e.g. `c28*****`), whatever the order says.

use chrono::{DateTime, Utc};
use shared::{Marketplace, MessageAuthor};

use super::wire;
use crate::model::{IncomingInquiry, IncomingMessage};
use crate::{MResult, MarketplaceError};

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

/// A topic with its messages; `label` names the shop in errors.
pub fn inquiry(
    label: &str,
    topic_id: &str,
    headline: Option<&wire::Headline>,
    d: &wire::TalkDetail,
) -> MResult<IncomingInquiry> {
    let messages: Vec<IncomingMessage> = d
        .messages
        .iter()
        .map(|m| {
            Ok(IncomingMessage {
                marketplace_message_id: text_of(&m.message_id).unwrap_or_default(),
                author: if m.post_user_type == "seller" { MessageAuthor::Shop } else { MessageAuthor::Customer },
                staff_name: None,
                body: m.body.clone().unwrap_or_default(),
                sent_at: parse_unix(&m.postdate)
                    .ok_or_else(|| MarketplaceError::unreadable(label, "postdate", &m.postdate.to_string()))?,
                files: Vec::new(),
            })
        })
        .collect::<MResult<_>>()?;
    // A topic starts with the buyer's first message: its date is the inquiry's.
    let created_at =
        messages.first().map(|m| m.sent_at).ok_or_else(|| MarketplaceError::unreadable(label, "messages", "[]"))?;
    let masked = d.topic.user_masked_idx.as_deref().or(headline.and_then(|h| h.user_masked_id.as_deref()));
    let subject = d
        .topic
        .category_name
        .last()
        .cloned()
        .or_else(|| d.topic.title.clone())
        .or_else(|| headline.and_then(|h| h.title.clone()));
    Ok(IncomingInquiry {
        marketplace_inquiry_id: topic_id.to_owned(),
        order_number: d.topic.orderid.clone().or_else(|| headline.and_then(|h| h.order_id.clone())),
        customer_name: shared::inquiry::customer_display_name(Marketplace::Yahoo, masked, None),
        subject,
        created_at,
        completed: d.topic.is_complete,
        messages,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const LABEL: &str = "Yahoo!ショッピングの店舗「A」";

    fn detail(postdate: &str) -> wire::TalkDetail {
        serde_json::from_str(&format!(
            r#"{{"topic":{{"isComplete":false,"userMaskedIdx":"c28*****"}},
                "messages":[{{"messageId":1,"postUserType":"user","postdate":{postdate},"body":"届きません"}}]}}"#
        ))
        .unwrap()
    }

    #[test]
    fn a_topic_maps_with_its_first_message_date() {
        let i = inquiry(LABEL, "t1", None, &detail(r#""1793491200""#)).unwrap();
        assert_eq!(i.created_at.timestamp(), 1_793_491_200);
        assert_eq!(i.customer_name.as_deref(), Some("c28*****"));
        assert_eq!(inquiry(LABEL, "t1", None, &detail("1793491200")).unwrap().created_at, i.created_at);
    }

    #[test]
    fn an_unreadable_post_date_or_an_empty_topic_is_an_error_naming_the_field_and_the_shop() {
        for (d, field) in [(detail(r#""yesterday""#), "postdate"), (detail("null"), "postdate")] {
            let err = inquiry(LABEL, "t1", None, &d).expect_err("refused");
            assert!(matches!(err, MarketplaceError::Protocol(_)), "{err:?}");
            assert!(err.to_string().contains(field) && err.to_string().contains("店舗「A」"), "{err}");
        }
        let mut empty = detail("1");
        empty.messages.clear();
        assert!(inquiry(LABEL, "t1", None, &empty).expect_err("refused").to_string().contains("messages"));
    }
}

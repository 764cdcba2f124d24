//! Rakuten wire types → Madoguchi's domain types, and the formats RMS expects back.

use chrono::{DateTime, FixedOffset, NaiveDateTime, TimeZone, Utc};
use shared::{Marketplace, MessageAuthor};

use super::wire;
use crate::model::{IncomingInquiry, IncomingMessage, RemoteFile};
use crate::model::{IncomingOrder, ItemForSave, PartyForSave};
use crate::{MResult, MarketplaceError};

/// The stable marketplace id of an inquiry's first message (RMS gives it no id; replies are
/// numbered from 0).
pub const FIRST_MESSAGE_ID: &str = "q";

pub fn jst() -> FixedOffset {
    shared::jst()
}

/// Inquiry list requests: `yyyy-MM-ddTHH:mm:ss`, JST, no offset.
pub fn inquiry_request_time(t: DateTime<Utc>) -> String {
    t.with_timezone(&jst()).format("%Y-%m-%dT%H:%M:%S").to_string()
}

/// Order API requests: `yyyy-MM-ddTHH:mm:ss+0900` (offset without colon).
pub fn order_request_time(t: DateTime<Utc>) -> String {
    t.with_timezone(&jst()).format("%Y-%m-%dT%H:%M:%S+0900").to_string()
}

/// Any of RMS's answer formats: `…+09:00`, `…+0900`, or no offset (JST).
pub fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%:z") {
        return Some(t.with_timezone(&Utc));
    }
    if let Ok(t) = DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%z") {
        return Some(t.with_timezone(&Utc));
    }
    let naive = NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S").ok()?;
    jst().from_local_datetime(&naive).single().map(|t| t.with_timezone(&Utc))
}

fn text(v: &Option<String>) -> Option<String> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned)
}

/// A time RMS must send readably; `field` and the shop (`label`) name it in the error.
fn time(label: &str, field: &str, v: &str) -> MResult<DateTime<Utc>> {
    parse_time(v).ok_or_else(|| MarketplaceError::unreadable(label, field, v))
}

/// An RMS inquiry with its thread; `label` names the shop in errors.
pub fn inquiry(label: &str, w: &wire::Inquiry) -> MResult<IncomingInquiry> {
    let created_at = time(label, "regDate", &w.reg_date)?;
    let mut messages = vec![IncomingMessage {
        marketplace_message_id: FIRST_MESSAGE_ID.into(),
        author: MessageAuthor::Customer,
        staff_name: None,
        body: if w.is_message_deleted { String::new() } else { w.message.clone().unwrap_or_default() },
        sent_at: created_at,
        files: Vec::new(),
    }];
    for r in &w.replies {
        let from_shop = r.reply_from == "merchant";
        messages.push(IncomingMessage {
            marketplace_message_id: r.id.to_string(),
            author: if from_shop { MessageAuthor::Shop } else { MessageAuthor::Customer },
            staff_name: None,
            body: r.message.clone().unwrap_or_default(),
            sent_at: time(label, "replies.regDate", &r.reg_date)?,
            // A customer's files; the shop's own are ours already.
            files: if from_shop {
                Vec::new()
            } else {
                r.attachments.iter().map(|a| RemoteFile { name: a.label.clone(), path: a.path.clone() }).collect()
            },
        });
    }
    Ok(IncomingInquiry {
        marketplace_inquiry_id: w.inquiry_number.clone(),
        order_number: text(&w.order_number),
        customer_name: shared::inquiry::customer_display_name(
            Marketplace::Rakuten,
            w.user_mask_email.as_deref(),
            w.user_name.as_deref(),
        ),
        subject: text(&w.category).or_else(|| text(&w.kind)).or_else(|| text(&w.item_name)),
        created_at,
        completed: w.is_completed,
        messages,
    })
}

fn party(p: Option<&wire::PersonModel>) -> PartyForSave {
    let Some(p) = p else { return PartyForSave::default() };
    let join = |parts: &[&Option<String>], sep: &str| {
        let v: Vec<String> = parts.iter().filter_map(|s| text(s)).collect();
        (!v.is_empty()).then(|| v.join(sep))
    };
    PartyForSave {
        name: join(&[&p.family_name, &p.first_name], " "),
        postal_code: join(&[&p.zip_code1, &p.zip_code2], "-"),
        address: join(&[&p.prefecture, &p.city, &p.sub_address], ""),
        phone: join(&[&p.phone_number1, &p.phone_number2, &p.phone_number3], "-"),
    }
}

/// An RMS order; `label` names the shop in errors.
pub fn order(label: &str, w: &wire::OrderModel) -> MResult<IncomingOrder> {
    let package = w.package_model_list.first();
    let shipping = w.package_model_list.iter().flat_map(|p| &p.shipping_model_list).next();
    let items = w
        .package_model_list
        .iter()
        .flat_map(|p| &p.item_model_list)
        .map(|i| ItemForSave {
            name: i.item_name.clone(),
            sku: i.item_number.clone().or_else(|| i.manage_number.clone()),
            unit_price: i.price,
            quantity: i.units,
        })
        .collect::<Vec<_>>();
    Ok(IncomingOrder {
        order_number: w.order_number.clone(),
        ordered_at: time(label, "orderDatetime", &w.order_datetime)?,
        marketplace_status: w.order_progress.to_string(),
        buyer: party(w.orderer_model.as_ref()),
        recipient: party(package.and_then(|p| p.sender_model.as_ref()).or(w.orderer_model.as_ref())),
        requested_delivery: text(&w.delivery_date),
        total_amount: w.total_price.unwrap_or_else(|| items.iter().map(|i| i.unit_price * i.quantity as i64).sum()),
        items,
        payment_method: w.settlement_model.as_ref().and_then(|s| text(&s.settlement_method)),
        special_notes: text(&w.remarks),
        ship_date: shipping.and_then(|s| text(&s.shipping_date)),
        carrier: shipping.and_then(|s| {
            text(&s.delivery_company_name)
                .or_else(|| s.delivery_company.as_deref().and_then(carrier_name).map(str::to_owned))
        }),
        tracking_number: shipping.and_then(|s| text(&s.shipping_number)),
        delivery_method: None,
    })
}

/// The name of an RMS 配送会社 code (`shared::carriers`).
pub fn carrier_name(code: &str) -> Option<&'static str> {
    shared::carriers::name(shared::Marketplace::Rakuten, code)
}

/// The RMS code of a carrier as staff write it (`shared::carriers`: common aliases included;
/// unknown carriers are sent as 1000 その他, the shipping number still reaches the buyer).
pub fn carrier_code(name: Option<&str>) -> &'static str {
    shared::carriers::code(shared::Marketplace::Rakuten, name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_round_trip_in_each_rms_format() {
        let t = parse_time("2026-11-01T09:00:00+09:00").unwrap();
        assert_eq!(t, parse_time("2026-11-01T09:00:00+0900").unwrap());
        assert_eq!(t, parse_time("2026-11-01T09:00:00").unwrap());
        assert_eq!(inquiry_request_time(t), "2026-11-01T09:00:00");
        assert_eq!(order_request_time(t), "2026-11-01T09:00:00+0900");
    }

    const LABEL: &str = "楽天市場の店舗「A」";

    fn wire_inquiry() -> wire::Inquiry {
        serde_json::from_str(
            r#"{"inquiryNumber":"1-a","regDate":"2026-11-01T09:00:00+09:00","message":"届きません",
                "replies":[{"id":0,"regDate":"2026-11-01T10:00:00+09:00","replyFrom":"merchant","message":"確認します"}]}"#,
        )
        .unwrap()
    }

    #[test]
    fn an_inquiry_maps_with_its_thread() {
        let i = inquiry(LABEL, &wire_inquiry()).unwrap();
        assert_eq!(i.created_at, parse_time("2026-11-01T09:00:00+09:00").unwrap());
        assert_eq!(i.messages.len(), 2);
        assert_eq!(i.messages[1].author, MessageAuthor::Shop);
    }

    #[test]
    fn an_unreadable_inquiry_or_reply_date_is_an_error_naming_the_field_and_the_shop() {
        let mut w = wire_inquiry();
        w.reg_date = "昨日".into();
        let err = inquiry(LABEL, &w).expect_err("refused");
        assert!(matches!(err, MarketplaceError::Protocol(_)) && err.to_string().contains("regDate"), "{err}");
        assert!(err.to_string().contains("店舗「A」"), "{err}");
        let mut w = wire_inquiry();
        w.replies[0].reg_date = String::new();
        let err = inquiry(LABEL, &w).expect_err("refused");
        assert!(err.to_string().contains("replies.regDate"), "{err}");
    }

    #[test]
    fn an_unreadable_order_date_is_an_error_naming_the_field_and_the_shop() {
        let mut w: wire::OrderModel = serde_json::from_str(
            r#"{"orderNumber":"1-1","orderProgress":100,"orderDatetime":"2026-11-01T09:00:00+0900"}"#,
        )
        .unwrap();
        assert_eq!(order(LABEL, &w).unwrap().ordered_at, parse_time("2026-11-01T09:00:00+09:00").unwrap());
        w.order_datetime = "2026/11/01".into();
        let err = order(LABEL, &w).expect_err("refused");
        assert!(matches!(err, MarketplaceError::Protocol(_)) && err.to_string().contains("orderDatetime"), "{err}");
    }

    #[test]
    fn carriers_map_to_rms_codes() {
        assert_eq!(carrier_code(Some("ヤマト運輸")), "1001");
        assert_eq!(carrier_code(Some("ゆうパック")), "1003");
        assert_eq!(carrier_code(Some("謎の運送")), "1000");
        assert_eq!(carrier_code(None), "1000");
        assert_eq!(carrier_name("1002"), Some("佐川急便"));
    }
}

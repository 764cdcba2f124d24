//! Amazon wire types → Madoguchi's domain types. Amazon gives no buyer name or phone without
//! restricted-data access: the buyer stays empty and the recipient has the region only.

use chrono::{DateTime, Utc};

use super::wire;
use crate::model::{IncomingOrder, ItemForSave, PartyForSave};

/// Yen amounts are whole numbers, sent as decimal strings ("1980" or "1980.00").
pub fn yen(m: Option<&wire::Money>) -> i64 {
    m.and_then(|m| m.amount.trim().parse::<f64>().ok()).map(|v| v.round() as i64).unwrap_or(0)
}

pub fn order(o: &wire::Order, items: &[wire::OrderItem]) -> IncomingOrder {
    let a = o.shipping_address.as_ref();
    let address: String = a
        .map(|a| [&a.state_or_region, &a.city, &a.address_line1].iter().filter_map(|v| v.as_deref()).collect())
        .unwrap_or_default();
    IncomingOrder {
        order_number: o.amazon_order_id.clone(),
        ordered_at: DateTime::parse_from_rfc3339(&o.purchase_date)
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_else(|_| Utc::now()),
        marketplace_status: o.order_status.clone(),
        buyer: PartyForSave::default(),
        recipient: PartyForSave {
            name: a.and_then(|a| a.name.clone()),
            postal_code: a.and_then(|a| a.postal_code.clone()),
            address: (!address.is_empty()).then_some(address),
            phone: a.and_then(|a| a.phone.clone()),
        },
        requested_delivery: None,
        items: items
            .iter()
            .map(|i| {
                let qty = i.quantity_ordered.max(1);
                ItemForSave {
                    name: i.title.clone().unwrap_or_default(),
                    sku: i.seller_sku.clone(),
                    unit_price: yen(i.item_price.as_ref()) / qty as i64,
                    quantity: qty,
                }
            })
            .collect(),
        total_amount: yen(o.order_total.as_ref()),
        payment_method: o.payment_method.clone(),
        special_notes: None,
        ship_date: None,
        carrier: None,
        tracking_number: None,
        delivery_method: None,
    }
}

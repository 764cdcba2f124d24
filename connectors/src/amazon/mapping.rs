//! Amazon wire types → Madoguchi's domain types. Amazon gives no buyer name or phone without
//! restricted-data access: the buyer stays empty and the recipient has the region only.

use chrono::{DateTime, Utc};

use super::wire;
use crate::model::{IncomingOrder, ItemForSave, PartyForSave};
use crate::{MResult, MarketplaceError};

/// Yen amounts are whole numbers, sent as decimal strings ("1980" or "1980.00"); none is 0.
/// An amount that is not a number is an error naming `field` and the shop (`label`).
pub fn yen(label: &str, field: &str, m: Option<&wire::Money>) -> MResult<i64> {
    let Some(m) = m else { return Ok(0) };
    match m.amount.trim().parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v.round() as i64),
        _ => Err(MarketplaceError::unreadable(label, field, &m.amount)),
    }
}

/// An order with its items; `label` names the shop in errors.
pub fn order(label: &str, o: &wire::Order, items: &[wire::OrderItem]) -> MResult<IncomingOrder> {
    let a = o.shipping_address.as_ref();
    let address: String = a
        .map(|a| [&a.state_or_region, &a.city, &a.address_line1].iter().filter_map(|v| v.as_deref()).collect())
        .unwrap_or_default();
    let items = items
        .iter()
        .map(|i| {
            let qty = i.quantity_ordered.max(1);
            Ok(ItemForSave {
                name: i.title.clone().unwrap_or_default(),
                sku: i.seller_sku.clone(),
                unit_price: yen(label, "ItemPrice", i.item_price.as_ref())? / qty as i64,
                quantity: qty,
            })
        })
        .collect::<MResult<Vec<_>>>()?;
    Ok(IncomingOrder {
        order_number: o.amazon_order_id.clone(),
        ordered_at: DateTime::parse_from_rfc3339(&o.purchase_date)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|_| MarketplaceError::unreadable(label, "PurchaseDate", &o.purchase_date))?,
        marketplace_status: o.order_status.clone(),
        buyer: PartyForSave::default(),
        recipient: PartyForSave {
            name: a.and_then(|a| a.name.clone()),
            postal_code: a.and_then(|a| a.postal_code.clone()),
            address: (!address.is_empty()).then_some(address),
            phone: a.and_then(|a| a.phone.clone()),
        },
        requested_delivery: None,
        items,
        total_amount: yen(label, "OrderTotal", o.order_total.as_ref())?,
        payment_method: o.payment_method.clone(),
        special_notes: None,
        ship_date: None,
        carrier: None,
        tracking_number: None,
        delivery_method: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const LABEL: &str = "Amazonの店舗「A」";

    fn wire_order(purchase_date: &str, total: &str) -> wire::Order {
        serde_json::from_str(&format!(
            r#"{{"AmazonOrderId":"250-1","PurchaseDate":"{purchase_date}","OrderStatus":"Unshipped",
                "OrderTotal":{{"CurrencyCode":"JPY","Amount":"{total}"}}}}"#
        ))
        .unwrap()
    }

    #[test]
    fn an_order_maps_with_its_items() {
        let item: wire::OrderItem = serde_json::from_str(
            r#"{"Title":"湯呑み","SellerSKU":"y-1","QuantityOrdered":2,"ItemPrice":{"CurrencyCode":"JPY","Amount":"3000.00"}}"#,
        )
        .unwrap();
        let o = order(LABEL, &wire_order("2026-11-01T00:00:00Z", "3300"), &[item]).unwrap();
        assert_eq!(o.ordered_at.to_rfc3339(), "2026-11-01T00:00:00+00:00");
        assert_eq!((o.total_amount, o.items[0].unit_price, o.items[0].quantity), (3300, 1500, 2));
    }

    #[test]
    fn an_unreadable_purchase_date_or_amount_is_an_error_naming_the_field_and_the_shop() {
        for (o, field) in [
            (wire_order("2026-11-01", "3300"), "PurchaseDate"),
            (wire_order("2026-11-01T00:00:00Z", "三千"), "OrderTotal"),
        ] {
            let err = order(LABEL, &o, &[]).expect_err("refused");
            assert!(matches!(err, MarketplaceError::Protocol(_)), "{err:?}");
            assert!(err.to_string().contains(field) && err.to_string().contains("店舗「A」"), "{err}");
        }
    }
}

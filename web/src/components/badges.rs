//! Small labels: marketplace, inquiry status, order status.

use leptos::prelude::*;
use shared::{InquiryStatus, Marketplace, OrderStatus};

/// The marketplace's name, coloured per marketplace.
#[component]
pub fn MarketplaceBadge(marketplace: Marketplace) -> impl IntoView {
    let class = format!("mall mall-{}", marketplace.as_str().to_ascii_lowercase());
    view! { <span class=class>{marketplace.label_ja()}</span> }
}

#[component]
pub fn InquiryStatusBadge(status: InquiryStatus) -> impl IntoView {
    let class = format!("status status-{}", status.as_str().to_ascii_lowercase());
    view! { <span class=class>{status.label_ja()}</span> }
}

#[component]
pub fn OrderStatusBadge(status: OrderStatus) -> impl IntoView {
    let class = format!("status order-{}", status.as_str().to_ascii_lowercase());
    view! { <span class=class>{status.label_ja()}</span> }
}

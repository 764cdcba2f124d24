//! Small labels: marketplace, inquiry status, a reply that failed to send, order status.

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

/// 送信失敗: the shop's latest reply did not reach the customer.
#[component]
pub fn FailedReplyMark() -> impl IntoView {
    view! {
        <span class="status status-reply-failed" title="返信がお客様に届いていません。再送するか、もう一度返信してください。">
            "送信失敗"
        </span>
    }
}

#[component]
pub fn OrderStatusBadge(status: OrderStatus) -> impl IntoView {
    let class = format!("status order-{}", status.as_str().to_ascii_lowercase());
    view! { <span class=class>{status.label_ja()}</span> }
}

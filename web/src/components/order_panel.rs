//! 問い合わせ関連情報: the order beside the thread (受注番号, 注文日時, お届け指定日時,
//! 購入商品 with quantities) and the link 「注文詳細を開く」.

use leptos::prelude::*;
use leptos_router::components::A;
use shared::ops::InquiryOrder;

use crate::format;

#[component]
pub fn OrderPanel(order: Option<InquiryOrder>, order_number: Option<String>) -> impl IntoView {
    let body = match order {
        Some(order) => {
            let href = format!("/orders/{}", order.id);
            let items = order
                .items
                .into_iter()
                .map(|item| {
                    view! {
                        <li>
                            <span>{item.name}</span>
                            <span class="qty">{format!("×{}", item.quantity)}</span>
                        </li>
                    }
                })
                .collect_view();
            view! {
                <dl>
                    <dt>"受注番号"</dt>
                    <dd>{order.order_number}</dd>
                    <dt>"注文日時"</dt>
                    <dd>{format::date_time(&order.ordered_at)}</dd>
                    <dt>"お届け指定日時"</dt>
                    <dd>{order.requested_delivery.filter(|d| !d.is_empty()).unwrap_or_else(|| "指定なし".into())}</dd>
                </dl>
                <h3>"購入商品"</h3>
                <ul class="items">{items}</ul>
                <p>
                    <A href=href attr:class="button">
                        "注文詳細を開く"
                    </A>
                </p>
            }
            .into_any()
        }
        None => match order_number.filter(|n| !n.is_empty()) {
            Some(number) => view! {
                <dl>
                    <dt>"受注番号"</dt>
                    <dd>{number}</dd>
                </dl>
                <p class="muted">"この受注はまだ取り込まれていません。取込後に自動で紐付きます。"</p>
            }
            .into_any(),
            None => view! { <p class="muted">"このお問い合わせに紐付く受注はありません。"</p> }.into_any(),
        },
    };
    view! {
        <aside class="order-panel card">
            <h2>"問い合わせ関連情報"</h2>
            {body}
        </aside>
    }
}

//! One order: items, buyer (注文者) and recipient (送付先), お届け指定日時, the editable shipping
//! data, and the inquiry history — each inquiry's time and the first line of its latest
//! customer message with 「お問い合わせ詳細へ」, or 「注文者からのメッセージはありません」 and no button;
//! 最終書出日時 and whether the next shipping export sends the order, and if not, why.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;
use shared::ops::{IdVariables, Order, OrderDetail, OrderInquiry, Party};

use crate::api;
use crate::components::badges::{FailedReplyMark, InquiryStatusBadge, MarketplaceBadge, OrderStatusBadge};
use crate::components::shipping_form::ShippingForm;
use crate::format;
use crate::live::use_live;
use crate::session::use_session;

#[component]
pub fn OrderPage() -> impl IntoView {
    let params = use_params_map();
    let live = use_live();
    let session = use_session();
    let can_write = Signal::derive(move || session.can_write());
    let id = Memo::new(move |_| params.with(|p| p.get("id")).unwrap_or_default());
    let resource = LocalResource::new(move || {
        let id = id.get();
        async move { api::gql::<Order>(IdVariables::new(id)).await.map(|d| d.order) }
    });
    // A saved edit replaces what is shown without a re-query.
    let saved = RwSignal::new(None::<OrderDetail>);
    let order = Memo::new(move |_| {
        saved.get().filter(|o| o.id == id.get()).or_else(|| resource.get().and_then(|r| r.ok()).flatten())
    });
    let history_version = Memo::new(move |_| order.with(|o| o.as_ref().map(|o| o.inquiries.clone())));
    Effect::watch(
        move || live.last_inquiry_event.get(),
        move |event, _, _| {
            let ours = event.as_ref().is_some_and(|e| {
                history_version.with_untracked(|h| h.as_ref().is_some_and(|h| h.iter().any(|i| i.id == e.id)))
            });
            if ours {
                saved.set(None);
                resource.refetch();
            }
        },
        false,
    );
    Effect::watch(
        move || live.reconnects.get(),
        move |_, _, _| {
            saved.set(None);
            resource.refetch();
        },
        false,
    );
    let on_saved = Callback::new(move |o: OrderDetail| saved.set(Some(o)));
    // The form is rebuilt only when another order is shown, not on every re-query.
    let form_order = Memo::new(move |_| order.with(|o| o.as_ref().map(|o| o.id.clone())));

    view! {
        <A href="/orders" attr:class="back">
            "← 受注一覧"
        </A>
        {move || match resource.get() {
            Some(Err(e)) => {
                Some(
                    view! {
                        <p class="error" role="alert">
                            {e.to_string()}
                            <button class="retry" on:click=move |_| resource.refetch()>
                                "再試行"
                            </button>
                        </p>
                    }
                        .into_any(),
                )
            }
            Some(Ok(None)) => Some(view! { <p class="error">"受注が見つかりません。"</p> }.into_any()),
            None if order.with(Option::is_none) => Some(view! { <p class="loading">"読み込み中…"</p> }.into_any()),
            _ => None,
        }}
        {move || order.get().map(|o| view! { <OrderHead order=o/> })}
        <div class="order-page">
            {move || order.get().map(|o| view! { <OrderFacts order=o/> })}
            {move || {
                form_order
                    .get()
                    .and_then(|_| order.get_untracked())
                    .map(|o| view! { <ShippingForm order=o on_saved can_write/> })
            }}
            {move || order.get().map(|o| view! { <ExportCheck order=o/> })}
            {move || order.get().map(|o| view! { <InquiryHistory inquiries=o.inquiries/> })}
        </div>
    }
}

#[component]
fn OrderHead(order: OrderDetail) -> impl IntoView {
    view! {
        <div class="page-head">
            <h1>{format!("受注番号 {}", order.order_number)}</h1>
            <div class="inquiry-actions">
                <MarketplaceBadge marketplace=order.shop.marketplace/>
                <span class="muted">{order.shop.name}</span>
                <OrderStatusBadge status=order.status/>
                {order.marketplace_status.map(|s| view! { <span class="muted">{format!("（モール: {s}）")}</span> })}
            </div>
        </div>
    }
}

#[component]
fn OrderFacts(order: OrderDetail) -> impl IntoView {
    let items = order
        .items
        .iter()
        .map(|item| {
            view! {
                <tr>
                    <td>{item.name.clone()}</td>
                    <td>{item.sku.clone().unwrap_or_default()}</td>
                    <td class="num">{format::yen(item.unit_price)}</td>
                    <td class="num">{format!("×{}", item.quantity)}</td>
                    <td class="num">{format::yen(i64::from(item.unit_price) * i64::from(item.quantity))}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="card">
            <h2>"注文情報"</h2>
            <dl class="facts">
                <dt>"注文日時"</dt>
                <dd>{format::date_time(&order.ordered_at)}</dd>
                <dt>"お届け指定日時"</dt>
                <dd>{order.requested_delivery.clone().filter(|d| !d.is_empty()).unwrap_or_else(|| "指定なし".into())}</dd>
                <dt>"合計金額"</dt>
                <dd>{format::yen(order.total_amount)}</dd>
                <dt>"支払方法"</dt>
                <dd>{order.payment_method.clone().filter(|p| !p.is_empty()).unwrap_or_else(|| "—".into())}</dd>
                <dt>"特記事項"</dt>
                <dd class="message-body">
                    {order.special_notes.clone().filter(|n| !n.is_empty()).unwrap_or_else(|| "なし".into())}
                </dd>
            </dl>
            <h3 class="spaced">"購入商品"</h3>
            <table class="grid">
                <thead>
                    <tr>
                        <th>"商品名"</th>
                        <th>"SKU"</th>
                        <th class="num">"単価"</th>
                        <th class="num">"数量"</th>
                        <th class="num">"小計"</th>
                    </tr>
                </thead>
                <tbody>{items}</tbody>
            </table>
            <div class="parties">
                <PartyBlock title="注文者" party=order.buyer.clone()/>
                <PartyBlock title="送付先" party=order.recipient.clone()/>
            </div>
        </section>
    }
}

#[component]
fn PartyBlock(title: &'static str, party: Option<Party>) -> impl IntoView {
    let party = party.unwrap_or_default();
    let row = |label: &'static str, value: Option<String>| {
        view! {
            <dt>{label}</dt>
            <dd>{value.filter(|v| !v.is_empty()).unwrap_or_else(|| "—".into())}</dd>
        }
    };
    view! {
        <div class="party">
            <h3 class="spaced">{title}</h3>
            <dl>
                {row("氏名", party.name)}
                {row("郵便番号", party.postal_code)}
                {row("住所", party.address)}
                {row("電話番号", party.phone)}
            </dl>
        </div>
    }
}

/// 最終書出日時 and whether the next shipping export sends the order — if not, each rule that
/// keeps it out (the server answers with the export's own rules).
#[component]
fn ExportCheck(order: OrderDetail) -> impl IntoView {
    let check = order.shipment_export;
    let verdict = if check.eligible {
        view! { <p class="export-ok">"次回の発送情報の書出でモールに送られます。"</p> }.into_any()
    } else {
        let reasons = check.reasons.into_iter().map(|r| view! { <li>{r}</li> }).collect_view();
        view! {
            <p class="export-no">"次回の発送情報の書出では送られません。"</p>
            <ul class="export-reasons">{reasons}</ul>
        }
        .into_any()
    };
    view! {
        <section class="card export-check">
            <h2>"発送情報の書出"</h2>
            <dl class="facts">
                <dt>"最終書出日時"</dt>
                <dd>{order.last_exported_at.as_ref().map(format::date_time).unwrap_or_else(|| "未書出".into())}</dd>
            </dl>
            {verdict}
        </section>
    }
}

#[component]
fn InquiryHistory(inquiries: Vec<OrderInquiry>) -> impl IntoView {
    let body = if inquiries.is_empty() {
        view! { <p class="empty">"注文者からのメッセージはありません"</p> }.into_any()
    } else {
        let items = inquiries
            .into_iter()
            .map(|i| {
                let href = format!("/inquiries/{}", i.id);
                view! {
                    <li>
                        <div>
                            <span class="when">{format!("[{}]", format::date_time_seconds(&i.last_message_at))}</span>
                            <InquiryStatusBadge status=i.status/>
                            {i.reply_failed.then(|| view! { <FailedReplyMark/> })}
                            <div>{i.preview}</div>
                        </div>
                        <A href=href attr:class="button">
                            "お問い合わせ詳細へ"
                        </A>
                    </li>
                }
            })
            .collect_view();
        view! { <ul class="history">{items}</ul> }.into_any()
    };
    view! {
        <section class="card wide">
            <h2>"お問い合わせ履歴"</h2>
            {body}
        </section>
    }
}

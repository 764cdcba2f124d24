//! 受注一覧: orders with status, モール, shop, 注文日 and text filters and cursor paging, kept in
//! the URL; a 返信が必要 mark on orders with an inquiry waiting (linking to it in the inbox); the
//! list is read again when orders are entered, imported or changed (live, through `orderChanged`).
//! Staff who may write select orders for 一括変更 ([`bulk_edit`]).

mod bulk_edit;

use std::collections::BTreeMap;

use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_query_map};
use shared::ops::{OrderChangedSub, OrderConnection, OrderFilter, OrderSummary, Orders, OrdersVariables, Shops};
use shared::{Marketplace, OrderStatus};

use crate::api;
use crate::components::badges::{MarketplaceBadge, OrderStatusBadge};
use crate::components::enum_select::EnumSelect;
use crate::components::error::error_lines_with_retry;
use crate::components::pager::{Cursor, Pager};
use crate::components::shop_select::{ShopSelect, shop_ref};
use crate::format::{self, url_encode};
use crate::ws;
use bulk_edit::{BulkEdit, Selection};

const PAGE_SIZE: i32 = 30;
/// Live changes within this many milliseconds are one reading of the list.
const COALESCE_MS: u32 = 300;

#[derive(Clone, Debug, PartialEq, Eq)]
struct OrdersView {
    status: Option<OrderStatus>,
    marketplace: Option<Marketplace>,
    shop: Option<String>,
    search: Option<String>,
    /// 注文日: first day (an `<input type=date>` value), from 00:00 JST.
    from: Option<String>,
    /// 注文日: last day, up to 23:59:59.999 JST.
    to: Option<String>,
    cursor: Cursor,
}

impl OrdersView {
    fn href(&self) -> String {
        let mut params = Vec::new();
        if let Some(s) = self.status {
            params.push(format!("status={}", s.as_str()));
        }
        if let Some(m) = self.marketplace {
            params.push(format!("mall={}", m.as_str()));
        }
        if let Some(shop) = &self.shop {
            params.push(format!("shop={}", url_encode(shop)));
        }
        if let Some(q) = &self.search {
            params.push(format!("q={}", url_encode(q)));
        }
        if let Some(d) = &self.from {
            params.push(format!("from={}", url_encode(d)));
        }
        if let Some(d) = &self.to {
            params.push(format!("to={}", url_encode(d)));
        }
        let cursor = self.cursor.to_param();
        if !cursor.is_empty() {
            params.push(cursor.trim_start_matches('&').to_string());
        }
        if params.is_empty() { "/orders".into() } else { format!("/orders?{}", params.join("&")) }
    }
}

#[component]
pub fn OrdersPage() -> impl IntoView {
    let query = use_query_map();
    let navigate = use_navigate();
    let current = Memo::new(move |_| {
        query.with(|q| {
            let non_empty = |key: &str| q.get(key).filter(|v| !v.trim().is_empty());
            OrdersView {
                status: q.get("status").and_then(|s| OrderStatus::parse(&s)),
                marketplace: q.get("mall").and_then(|m| Marketplace::parse(m.trim())),
                shop: non_empty("shop"),
                search: non_empty("q"),
                from: non_empty("from"),
                to: non_empty("to"),
                cursor: Cursor::from_params(q.get("after"), q.get("before")),
            }
        })
    });
    let go = move |view: OrdersView| navigate(&view.href(), NavigateOptions::default());

    let shops = LocalResource::new(|| async { api::gql::<Shops>(()).await.map(|d| d.shops).unwrap_or_default() });
    let list = LocalResource::new(move || {
        let view = current.get();
        let vars = OrdersVariables {
            filter: Some(OrderFilter {
                status: view.status,
                marketplace: view.marketplace,
                shop_id: view.shop.map(Into::into),
                search: view.search,
                from: view.from.as_deref().and_then(|d| format::parse_day(d, false)),
                to: view.to.as_deref().and_then(|d| format::parse_day(d, true)),
            }),
            ..OrdersVariables::default()
        }
        .with_page(view.cursor.page(PAGE_SIZE));
        async move { api::gql::<Orders>(vars).await.map(|d| d.orders) }
    });
    // After a reconnect or the network coming back (and on 再試行), the list is asked again.
    let live = crate::live::use_live();
    let session = crate::session::use_session();
    Effect::watch(move || live.reconnects.get(), move |_, _, _| list.refetch(), false);
    // Orders entered by a colleague, imported or uploaded while the list is open appear without
    // a reload: each change asks for the list again, at most once per COALESCE_MS (an import
    // brings hundreds at once).
    let asking = StoredValue::new(false);
    let guard = ws::subscribe::<OrderChangedSub>((), move |_| {
        if asking.get_value() {
            return;
        }
        asking.set_value(true);
        leptos::task::spawn_local(async move {
            gloo_timers::future::TimeoutFuture::new(COALESCE_MS).await;
            if asking.try_set_value(false).is_none() {
                list.refetch();
            }
        });
    });
    let _ = StoredValue::new_local(guard);

    // The selection belongs to the list as shown: another filter or page starts afresh.
    let selection: Selection = RwSignal::new(BTreeMap::new());
    Effect::watch(move || current.get(), move |_, _, _| selection.set(BTreeMap::new()), false);
    let can_write = session.can_write();

    let search_text = RwSignal::new(current.get_untracked().search.unwrap_or_default());
    let on_search = {
        let go = go.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let text = search_text.get_untracked().trim().to_string();
            go(OrdersView {
                search: (!text.is_empty()).then_some(text),
                cursor: Cursor::First,
                ..current.get_untracked()
            });
        }
    };
    let on_status = {
        let go = go.clone();
        Callback::new(move |status: Option<OrderStatus>| {
            go(OrdersView { status, cursor: Cursor::First, ..current.get_untracked() });
        })
    };
    let on_shop = {
        let go = go.clone();
        Callback::new(move |shop: Option<String>| {
            go(OrdersView { shop, cursor: Cursor::First, ..current.get_untracked() });
        })
    };
    let on_marketplace = {
        let go = go.clone();
        Callback::new(move |marketplace: Option<Marketplace>| {
            go(OrdersView { marketplace, cursor: Cursor::First, ..current.get_untracked() });
        })
    };
    let on_day = {
        let go = go.clone();
        move |from: bool| {
            let go = go.clone();
            move |ev: leptos::ev::Event| {
                let value = event_target_value(&ev);
                let day = (!value.trim().is_empty()).then_some(value);
                let view = current.get_untracked();
                go(if from {
                    OrdersView { from: day, cursor: Cursor::First, ..view }
                } else {
                    OrdersView { to: day, cursor: Cursor::First, ..view }
                });
            }
        }
    };
    let on_page = Callback::new(move |cursor: Cursor| go(OrdersView { cursor, ..current.get_untracked() }));
    let page_info = Signal::derive(move || list.get().and_then(|r| r.ok()).map(|c| c.page_info));
    let total = Signal::derive(move || list.get().and_then(|r| r.ok()).map(|c| c.total_count));

    let order_table = move |conn: OrderConnection| {
        if conn.nodes.is_empty() {
            return view! { <p class="empty">"該当する受注はありません。"</p> }.into_any();
        }
        let on_page: Vec<(String, Marketplace)> =
            conn.nodes.iter().map(|o| (o.id.to_string(), o.shop.marketplace)).collect();
        let all_selected = {
            let on_page = on_page.clone();
            move || selection.with(|s| on_page.iter().all(|(id, _)| s.contains_key(id)))
        };
        let select_all = move |ev: leptos::ev::Event| {
            let checked = event_target_checked(&ev);
            selection.update(|s| {
                for (id, m) in &on_page {
                    if checked {
                        s.insert(id.clone(), *m);
                    } else {
                        s.remove(id);
                    }
                }
            });
        };
        view! {
            <table class="grid orders">
                <thead>
                    <tr>
                        {can_write
                            .then(|| {
                                view! {
                                    <th class="select">
                                        <input
                                            type="checkbox"
                                            aria-label="このページの受注をすべて選択"
                                            prop:checked=all_selected
                                            on:change=select_all
                                        />
                                    </th>
                                }
                            })}
                        <th>"受注番号"</th>
                        <th>"店舗"</th>
                        <th>"注文日時"</th>
                        <th>"注文者"</th>
                        <th class="num">"合計"</th>
                        <th>"出荷日"</th>
                        <th>"ステータス"</th>
                    </tr>
                </thead>
                <tbody>
                    {conn
                        .nodes
                        .into_iter()
                        .map(|o| view! { <OrderRow order=o selection=can_write.then_some(selection)/> })
                        .collect_view()}
                </tbody>
            </table>
        }
        .into_any()
    };

    view! {
        <div class="page-head">
            <h1>"受注一覧"</h1>
            <Show when=move || session.can_write()>
                <A href="/orders/new" attr:class="button primary">
                    "受注登録"
                </A>
            </Show>
        </div>
        <div class="filters">
            <EnumSelect
                aria_label="ステータス"
                any="すべてのステータス"
                value=Signal::derive(move || current.get().status)
                on_change=on_status
            />
            <EnumSelect
                aria_label="モール"
                any="すべてのモール"
                value=Signal::derive(move || current.get().marketplace)
                on_change=on_marketplace
            />
            <ShopSelect
                aria_label="店舗"
                any="すべての店舗"
                shops=Signal::derive(move || {
                    shops.get().unwrap_or_default().iter().map(|s| shop_ref(&s.id, &s.name, s.marketplace)).collect()
                })
                value=Signal::derive(move || current.with_untracked(|c| c.shop.clone()))
                on_change=on_shop
            />
            <span class="period">
                "注文日 "
                <input
                    type="date"
                    aria-label="注文日(から)"
                    prop:value=move || current.get().from.unwrap_or_default()
                    on:change=on_day(true)
                />
                " 〜 "
                <input
                    type="date"
                    aria-label="注文日(まで)"
                    prop:value=move || current.get().to.unwrap_or_default()
                    on:change=on_day(false)
                />
            </span>
            <form class="search" on:submit=on_search role="search">
                <input
                    type="search"
                    placeholder="受注番号・注文者名・商品名で検索"
                    prop:value=move || search_text.get()
                    on:input=move |ev| search_text.set(event_target_value(&ev))
                />
                <button type="submit">"検索"</button>
            </form>
        </div>
        {can_write.then(|| view! { <BulkEdit selection/> })}
        <Transition fallback=|| view! { <p class="loading">"読み込み中…"</p> }>
            <ErrorBoundary fallback=error_lines_with_retry(Callback::new(move |()| list.refetch()))>
                {move || Suspend::new(async move { list.await.map(order_table) })}
            </ErrorBoundary>
        </Transition>
        <Pager page_info total on_page/>
    }
}

/// One order of the list; with `selection`, a checkbox for 一括変更 in front.
#[component]
fn OrderRow(order: OrderSummary, selection: Option<Selection>) -> impl IntoView {
    let href = format!("/orders/{}", order.id);
    let select = selection.map(|selection| {
        let (id, marketplace) = (order.id.to_string(), order.shop.marketplace);
        let label = format!("受注番号 {} を選択", order.order_number);
        let checked = {
            let id = id.clone();
            move || selection.with(|s| s.contains_key(&id))
        };
        let toggle = move |ev: leptos::ev::Event| {
            let on = event_target_checked(&ev);
            selection.update(|s| {
                if on {
                    s.insert(id.clone(), marketplace);
                } else {
                    s.remove(&id);
                }
            });
        };
        view! {
            <td class="select">
                <input type="checkbox" aria-label=label prop:checked=checked on:change=toggle/>
            </td>
        }
    });
    let inbox_href = format!("/?status=NEEDS_REPLY&q={}", url_encode(&order.order_number));
    let buyer = order.buyer.and_then(|b| b.name).or_else(|| order.recipient.and_then(|r| r.name)).unwrap_or_default();
    view! {
        <tr>
            {select}
            <td>
                <A href=href>{order.order_number}</A>
            </td>
            <td>
                <MarketplaceBadge marketplace=order.shop.marketplace/>
                " "
                <span class="muted">{order.shop.name}</span>
            </td>
            <td>{format::date_time(&order.ordered_at)}</td>
            <td>{buyer}</td>
            <td class="num">{format::yen(order.total_amount)}</td>
            <td>{order.ship_date.unwrap_or_default()}</td>
            <td>
                <OrderStatusBadge status=order.status/>
                {(order.open_inquiry_count > 0)
                    .then(|| {
                        let label = format!("この受注の問い合わせ {} 件が返信待ちです", order.open_inquiry_count);
                        view! {
                            " "
                            <A href=inbox_href attr:class="status status-needs_reply needs-reply-mark" attr:title=label.clone() attr:aria-label=label>
                                {format!("返信が必要 {}", order.open_inquiry_count)}
                            </A>
                        }
                    })}
            </td>
        </tr>
    }
}
